/**
 * apimachinery's `ValidateImmutableField` and the semantic equality it uses: empty and absent lists
 * and maps are equal, quantities compare by value when both sides are the same text or number.
 */
import { isRecord } from "../../meta/values.js";
import { FieldPath, invalid, type FieldError } from "../field.js";

/** apimachinery's `FieldImmutableErrorMsg`. */
export const FIELD_IMMUTABLE_ERROR_MSG = "field is immutable";

function isEmpty(v: unknown): boolean {
  return v === undefined || v === null || (Array.isArray(v) && v.length === 0) || (isRecord(v) && Object.keys(v).length === 0);
}

/**
 * `apiequality.Semantic.DeepEqual` over JSON values: an absent, null, empty list or empty map field
 * equals any other of them.
 *
 * @example
 * semanticEqual({ a: [] }, {}); // true
 */
export function semanticEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isEmpty(a) && isEmpty(b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => semanticEqual(v, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!semanticEqual(a[k], b[k])) return false;
    return true;
  }
  return false;
}

/**
 * `ValidateImmutableField`: `Invalid value: <new>: field is immutable` when the value changed.
 * `display` is the new value as Go prints it where that differs from JSON.
 *
 * @example
 * validateImmutableField("b", "a", FieldPath.of("handler")); // [handler: Invalid value: "b": field is immutable]
 */
export function validateImmutableField(newVal: unknown, oldVal: unknown, path: FieldPath, display?: string): FieldError[] {
  if (semanticEqual(newVal, oldVal)) return [];
  // A nil value prints as the string "null".
  return [invalid(path, newVal ?? null, FIELD_IMMUTABLE_ERROR_MSG, display ?? (newVal === undefined || newVal === null ? '"null"' : undefined))];
}
