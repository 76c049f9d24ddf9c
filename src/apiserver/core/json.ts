/**
 * Reading objects as the internal Go types see them: an absent string is "", an absent number 0.
 * A value of the wrong JSON type reads as `undefined`, so the rules skip it (the schema check
 * reports it) instead of reporting it a second time.
 */
import { isRecord } from "../../meta/values.js";

export type Obj = Record<string, unknown>;

/** The object at a field, or undefined when absent or not an object. */
export function obj(v: unknown): Obj | undefined {
  return isRecord(v) ? v : undefined;
}

/** The list at a field ([] when absent or not a list). */
export function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** The objects of a list with their indexes (items that are not objects are skipped). */
export function objects(v: unknown): [Obj, number][] {
  const out: [Obj, number][] = [];
  if (!Array.isArray(v)) return out;
  for (let i = 0; i < v.length; i++) {
    const item: unknown = v[i];
    if (isRecord(item)) out.push([item, i]);
  }
  return out;
}

/** A string field: "" when absent or null, undefined when of another type. */
export function str(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  return v === undefined || v === null ? "" : undefined;
}

/** An optional string field (a Go `*string`): undefined when absent or of another type. */
export function optStr(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/** A number field: 0 when absent or null, undefined when of another type. */
export function num(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  return v === undefined || v === null ? 0 : undefined;
}

/** An optional number field (a Go `*int`): undefined when absent or of another type. */
export function optNum(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

/** A boolean field: false when absent. */
export function bool(v: unknown): boolean {
  return v === true;
}

/** Whether a field is set (not absent, not null). */
export function isSet(v: unknown): boolean {
  return v !== undefined && v !== null;
}

/** A list of strings, skipping items of other types. */
export function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === "string") : [];
}

/** The string entries of a map (`map[string]string`), in the order written. */
export function stringMap(v: unknown): [string, string][] {
  if (!isRecord(v)) return [];
  return Object.entries(v).filter((e): e is [string, string] => typeof e[1] === "string");
}

/**
 * Deep equality of JSON values as `apiequality.Semantic.DeepEqual` sees the internal types: an
 * empty list or map equals an absent one, and a zero value (false, 0, "") equals an absent field
 * (most internal fields are values, not pointers; where a pointer's nil and zero differ this
 * reads them as equal, which can only miss a change, never invent one).
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isZero(a) && isZero(b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isRecord(a) && isRecord(b)) {
    for (const k of Object.keys(a)) if (!deepEqual(a[k], b[k])) return false;
    for (const k of Object.keys(b)) if (!Object.hasOwn(a, k) && !isZero(b[k])) return false;
    return true;
  }
  return false;
}

function isZero(v: unknown): boolean {
  return v === undefined || v === null || v === false || v === 0 || v === "" || (Array.isArray(v) && v.length === 0);
}
