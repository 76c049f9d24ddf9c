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
  if (domain.length > 253) errs.push(tooLong(path, "", 253, ctx.minor));
  const labels = domain.split(".");
  for (const label of labels) {
    const e = isDNS1123Label(label);
    if (e.length) {
      for (const m of e) errs.push(invalid(path, domain, `validating label ${JSON.stringify(label)}: ${m}`));
      break;
    }
  }
  if (labels.length < 2) errs.push(invalid(path, domain, "should be a domain with at least two segments separated by dots"));
  for (const component of rest.split(".")) {
    const e = isDNS1123Subdomain(component);
    if (e.length) {
      for (const m of e) errs.push(invalid(path, rest, `validating label ${JSON.stringify(component)}: ${m}`));
      break;
    }
  }
  // The limit is on the whole name (domain 253 + '/' + path 253 + '.' + 63), not on the path alone:
  // a short domain leaves room for a longer path.
  const maxSignerNameLength = 253 + (253 + 63 + 1) + 1;
  if (signerName.length > maxSignerNameLength) errs.push(tooLong(path, "", maxSignerNameLength, ctx.minor));
  return errs;
}

