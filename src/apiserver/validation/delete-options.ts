/**
 * metav1 validation's `ValidateDeleteOptions` (k8s.io/apimachinery pkg/apis/meta/v1/validation),
 * which kube-apiserver runs on every delete (`rest.BeforeDelete`): the body of a DELETE, its query
 * parameters, and the `deleteOptions` of an Eviction.
 */
import { FieldPath, invalid, notSupported, type FieldError } from "../field.js";
import { badValue } from "./go-values.js";
import { goStringSlice } from "./json-values.js";

type Obj = Record<string, unknown>;

const POLICIES = ["Foreground", "Background", "Orphan"];

/**
 * The problems with delete options: a propagation policy together with `orphanDependents`, an
 * unknown propagation policy, dry-run values other than `All`.
 *
 * @example
 * validateDeleteOptions({ propagationPolicy: "Sideways" }, 36); // [propagationPolicy: Unsupported value: "Sideways": …]
 */
export function validateDeleteOptions(options: Obj, minor: number, path: FieldPath = FieldPath.root()): FieldError[] {
  const errs: FieldError[] = [];
  const policy = options.propagationPolicy;
  const hasPolicy = policy !== undefined && policy !== null;
  if (options.orphanDependents !== undefined && options.orphanDependents !== null && hasPolicy) {
    errs.push(invalid(path.child("propagationPolicy"), policy, "orphanDependents and deletionPropagation cannot be both set"));
  }
  if (hasPolicy && !POLICIES.includes(String(policy))) errs.push(notSupported(path.child("propagationPolicy"), policy, [...POLICIES, "nil"]));
  const dryRun = Array.isArray(options.dryRun) ? options.dryRun.map(String) : [];
  if (dryRun.some((v) => v !== "All")) {
    errs.push({ ...notSupported(path.child("dryRun"), dryRun, ["All"]), display: badValue(minor, () => goStringSlice(dryRun), dryRun) });
  }
  return errs;
}
