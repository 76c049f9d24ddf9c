/**
 * Eviction (policy/v1 and v1beta1), the body of a `pods/eviction` create. kube-apiserver's
 * EvictionREST stores nothing and runs no object validation on it: the Eviction must name the pod
 * of the URL (an empty name never does: `name in URL does not match name in Eviction object`), and
 * its `deleteOptions` go through `ValidateDeleteOptions` when the pod is deleted.
 */
import type { KindRules } from "../registry.js";
import { FieldPath, invalid, type FieldError } from "../field.js";
import { objectAt, optionalObject, stringAt, validateDeleteOptions } from "../validation/index.js";
import type { ApiContext } from "../context.js";

type Obj = Record<string, unknown>;

/** What kube-apiserver refuses in an Eviction body, as field errors. */
function validateEviction(eviction: Obj, ctx: ApiContext): FieldError[] {
  const errs: FieldError[] = [];
  const name = stringAt(objectAt(eviction.metadata).name);
  if (!name) errs.push(invalid(FieldPath.of("metadata", "name"), name, "name in URL does not match name in Eviction object"));
  const options = optionalObject(eviction.deleteOptions);
  if (options) errs.push(...validateDeleteOptions(options, ctx.minor, FieldPath.of("deleteOptions")));
  return errs;
}

/** The Eviction: no metadata checks (nothing is stored), the name and the delete options. */
export const evictionRules: KindRules = {
  objectMeta: "none",
  validate: validateEviction,
};
