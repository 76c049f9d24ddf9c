/**
 * core's `ValidateSignerName` (pkg/apis/core/validation), which certificate signing requests and
 * cluster trust bundles share.
 */
import { FieldPath, invalid, required, tooLong, type FieldError } from "../field.js";
import { isDNS1123Label, isDNS1123Subdomain } from "../validation/index.js";
import type { ApiContext } from "../context.js";

/** `ValidateSignerName` (core). */
export function validateSignerName(path: FieldPath, signerName: string, ctx: ApiContext): FieldError[] {
  if (!signerName) return [required(path, "")];
  const segments = signerName.split("/");
  if (segments.length !== 2) return [invalid(path, signerName, "must be a fully qualified domain and path of the form 'example.com/signer-name'")];
  const [domain, rest] = segments as [string, string];
  const errs: FieldError[] = [];
  if (domain.length > 253) errs.push(tooLong(path, domain, 253, ctx.minor));
  const labels = domain.split(".");
  for (const label of labels) {
    const e = isDNS1123Label(label);
    if (e.length) {
      for (const m of e) errs.push(invalid(path, domain, `validating label ${JSON.stringify(label)}: ${m}`));
      break;
    }
  }
  if (labels.length < 2) errs.push(invalid(path, domain, "should be a domain with at least two segments separated by dots"));
  if (rest.length > 253 + 63 + 1) errs.push(tooLong(path, rest, 317, ctx.minor));
  for (const component of rest.split(".")) {
    const e = isDNS1123Subdomain(component);
    if (e.length) {
      for (const m of e) errs.push(invalid(path, rest, `validating component ${JSON.stringify(component)}: ${m}`));
      break;
    }
  }
  return errs;
}

