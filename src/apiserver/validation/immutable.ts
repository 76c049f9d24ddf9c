/**
 * apimachinery's `ValidateImmutableField` and the semantic equality it uses: empty and absent lists
 * and maps are equal, quantities compare by value when both sides are the same text or number.
 */
import { isRecord } from "../../meta/values.js";
import { FieldPath, invalid, type FieldError } from "../field.js";
import { Quantity } from "./quantity.js";

/** apimachinery's `FieldImmutableErrorMsg`. */
export const FIELD_IMMUTABLE_ERROR_MSG = "field is immutable";

function isEmpty(v: unknown): boolean {
  return v === undefined || v === null || (Array.isArray(v) && v.length === 0) || (isRecord(v) && Object.keys(v).length === 0);
}

/** Go's zero value as JSON shows it: unset, `""`, `0`, `false`, an empty list, or an object of zero members. */
function isZero(v: unknown): boolean {
  if (v === undefined || v === null || v === "" || v === 0 || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  return isRecord(v) && Object.keys(v).every((k) => isZero(v[k]));
}

function sameQuantity(a: unknown, b: unknown): boolean {
  if ((typeof a !== "string" && typeof a !== "number") || (typeof b !== "string" && typeof b !== "number")) return false;
  const qa = Quantity.from(a);
  const qb = Quantity.from(b);
  return qa !== undefined && qb !== undefined && qa.cmp(qb) === 0;
}

/**
 * `apiequality.Semantic.DeepEqual` over JSON values: an absent, null, empty list or empty map field
 * equals any other of them. With `unsetIsZero`, for values whose Go fields are not pointers (a pod
 * template, a whole spec), an absent member also equals its zero value (`""`, `0`, `false`) and
 * equal quantities written differently (`1`, `1000m`) are equal, as they are once decoded.
 *
 * @example
 * semanticEqual({ a: [] }, {}); // true
 * semanticEqual({ stdin: false, cpu: "1" }, { cpu: "1000m" }, true); // true
 */
export function semanticEqual(a: unknown, b: unknown, unsetIsZero = false): boolean {
  if (a === b) return true;
  if (unsetIsZero ? isZero(a) && isZero(b) : isEmpty(a) && isEmpty(b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => semanticEqual(v, b[i], unsetIsZero));
  if (isRecord(a) && isRecord(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!semanticEqual(a[k], b[k], unsetIsZero)) return false;
    return true;
  }
  return unsetIsZero && sameQuantity(a, b);
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
