/**
 * The authentication.k8s.io API group: TokenReview and SelfSubjectReview are created and answered,
 * never stored, and their REST storage runs no object metadata validation, so a review without a
 * name is what clients send (`kubectl auth whoami`, webhook token authenticators). A TokenRequest
 * (the `serviceaccounts/token` subresource's body) gets `SetDefaults_TokenRequestSpec` (an hour)
 * and `ValidateTokenRequest` (at least 10 minutes, at most 2^32-1 seconds).
 */
import type { GroupRules } from "../registry.js";
import { FieldPath, invalid, tooLong, type FieldError } from "../field.js";
import { objectAt, optionalObject } from "../validation/index.js";
import type { ApiContext } from "../context.js";

type Obj = Record<string, unknown>;

const MAX_UINT32 = 4294967295;

/** `SetDefaults_TokenRequestSpec`. */
function defaultTokenRequest(obj: Obj): void {
  const spec = optionalObject(obj.spec);
  if (spec && (spec.expirationSeconds === undefined || spec.expirationSeconds === null)) spec.expirationSeconds = 3600;
}

/** `ValidateTokenRequest`. */
function validateTokenRequest(obj: Obj, ctx: ApiContext): FieldError[] {
  const seconds = objectAt(obj.spec).expirationSeconds;
  const path = FieldPath.of("spec", "expirationSeconds");
  if (typeof seconds !== "number") return [];
  const errs: FieldError[] = [];
  if (seconds < 600) errs.push(invalid(path, seconds, "may not specify a duration less than 10 minutes"));
  if (seconds > MAX_UINT32) errs.push(tooLong(path, seconds, MAX_UINT32, ctx.minor));
  return errs;
}

/** What kube-apiserver does to the kinds of `authentication.k8s.io`. */
export const rules: GroupRules = {
  group: "authentication.k8s.io",
  kinds: {
    TokenReview: { objectMeta: "none" },
    SelfSubjectReview: { objectMeta: "none" },
    TokenRequest: { objectMeta: "none", defaults: defaultTokenRequest, validate: validateTokenRequest },
  },
};
