/**
 * Field checks core validation shares with every group: `ValidateNonnegativeField` and
 * `ValidateImmutableField` (k8s.io/kubernetes/pkg/apis/core/validation).
 */
import { FieldPath, invalid, type FieldError } from "../field.js";
import { semanticEqual } from "./semantic.js";

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

/**
 * `ValidateImmutableField`: `field is immutable` when the new value differs semantically from the
 * old one. `display` is how the new value prints where Go's formatting differs from JSON.
 *
 * @example
 * validateImmutableField({ matchLabels: { a: "b" } }, { matchLabels: { a: "c" } }, FieldPath.of("spec", "selector"));
 */
export function validateImmutableField(newValue: unknown, oldValue: unknown, path: FieldPath, display?: string): FieldError[] {
  return semanticEqual(newValue, oldValue) ? [] : [invalid(path, newValue ?? null, "field is immutable", display)];
}
