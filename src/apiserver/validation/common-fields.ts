/**
 * `ValidateNonnegativeField` (k8s.io/kubernetes/pkg/apis/core/validation), which every group's
 * counters and durations use.
 */
import { FieldPath, invalid, type FieldError } from "../field.js";

/**
 * `ValidateNonnegativeField`: `must be greater than or equal to 0`. Values that are not numbers
 * are left to the schema checks.
 *
 * @example
 * validateNonnegativeField(-1, FieldPath.of("spec", "replicas")); // [spec.replicas: Invalid value: -1: …]
 */
export function validateNonnegativeField(value: unknown, path: FieldPath): FieldError[] {
  return typeof value === "number" && value < 0 ? [invalid(path, value, "must be greater than or equal to 0")] : [];
}
