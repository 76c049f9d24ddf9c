/**
 * apimachinery's `equality.Semantic.DeepEqual` over JSON values: nil and empty lists or maps are
 * equal, and equal quantities written differently (`1` and `1000m`) are equal. Objects arrive as
 * JSON, where an unset Go value and its zero value cannot be told apart, so an absent member also
 * equals `""`, `0` and `false` — an update is never refused for a difference Go would not see.
 */
import { isRecord } from "../../meta/values.js";
import { Quantity } from "./quantity.js";

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
 * Whether two JSON values are semantically equal as Kubernetes compares them for immutability.
 *
 * @example
 * semanticEqual({ a: [] }, {}); // true
 * semanticEqual({ cpu: "1" }, { cpu: "1000m" }); // true
 * semanticEqual({ a: 1 }, { a: 2 }); // false
 */
export function semanticEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isZero(a) && isZero(b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!semanticEqual(a[i], b[i])) return false;
    return true;
  }
  if (isRecord(a) && isRecord(b)) {
    for (const k of Object.keys(a)) if (!semanticEqual(a[k], b[k])) return false;
    for (const k of Object.keys(b)) if (!Object.hasOwn(a, k) && !isZero(b[k])) return false;
    return true;
  }
  if (isRecord(a) || isRecord(b) || Array.isArray(a) || Array.isArray(b)) return false;
  return sameQuantity(a, b);
}
