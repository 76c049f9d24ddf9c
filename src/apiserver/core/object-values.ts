/**
 * Reading the JSON of an object the way the internal Go types see it: a field of the wrong JSON
 * type reads as unset (the schema checks report it), so rules never see it twice or crash on it.
 */
import { isRecord } from "../../meta/values.js";

type Obj = Record<string, unknown>;

/** The object at `o[key]`, or undefined. */
export function rec(o: unknown, key: string): Obj | undefined {
  if (!isRecord(o)) return undefined;
  const v = o[key];
  return isRecord(v) ? v : undefined;
}

/** The string at `o[key]` ("" when unset, as Go's zero value). */
export function str(o: unknown, key: string): string {
  if (!isRecord(o)) return "";
  const v = o[key];
  return typeof v === "string" ? v : "";
}

/** The string at `o[key]`, or undefined when unset (a Go `*string`). */
export function optStr(o: unknown, key: string): string | undefined {
  if (!isRecord(o)) return undefined;
  const v = o[key];
  return typeof v === "string" ? v : undefined;
}

/** The integer at `o[key]`, or undefined. */
export function int(o: unknown, key: string): number | undefined {
  if (!isRecord(o)) return undefined;
  const v = o[key];
  return typeof v === "number" && Number.isInteger(v) ? v : undefined;
}

/** The list at `o[key]` ([] when unset). */
export function list(o: unknown, key: string): unknown[] {
  if (!isRecord(o)) return [];
  const v = o[key];
  return Array.isArray(v) ? v : [];
}

/** The strings of the list at `o[key]` (entries of another type left out). */
export function strings(o: unknown, key: string): string[] {
  return list(o, key).filter((v): v is string => typeof v === "string");
}

/** The string-valued entries of the map at `o[key]`. */
export function stringMap(o: unknown, key: string): Record<string, string> | undefined {
  const m = rec(o, key);
  if (!m) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m)) if (typeof v === "string") out[k] = v;
  return out;
}

/** Whether `o` has `key` set to something other than null. */
export function has(o: unknown, key: string): boolean {
  return isRecord(o) && o[key] !== undefined && o[key] !== null;
}

/** JSON values compared as Go's `reflect.DeepEqual` compares the decoded values (null and absent alike). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if ((a === undefined || a === null) && (b === undefined || b === null)) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!deepEqual(a[k], b[k])) return false;
    return true;
  }
  return false;
}

/** Go's `%v` of a string slice: `[a b]`. */
export function goSlice(values: readonly string[]): string {
  return `[${values.join(" ")}]`;
}

/** Go's `%#v` of a `[]string`: `[]string{"a", "b"}`. */
export function goStringSlice(values: readonly string[]): string {
  return `[]string{${values.map((v) => JSON.stringify(v)).join(", ")}}`;
}
