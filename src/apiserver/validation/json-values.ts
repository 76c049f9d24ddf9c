/**
 * Reading an object as JSON the way validation code reads Go structs: a field of the wrong JSON type
 * reads as its zero value (the schema checks report the type separately), and Go's `%#v` printing
 * of the few composite values that appear in error messages.
 */
import { isRecord } from "../../meta/values.js";
import { goQuote } from "../field.js";

type Obj = Record<string, unknown>;

/** The object at `v`, or an empty one. @example objectAt(undefined) // {} */
export function objectAt(v: unknown): Obj {
  return isRecord(v) ? v : EMPTY;
}

/** The object at `v`, or undefined (Go's nil pointer). @example optionalObject(null) // undefined */
export function optionalObject(v: unknown): Obj | undefined {
  return isRecord(v) ? v : undefined;
}

/** The string at `v`, or "". @example stringAt(3) // "" */
export function stringAt(v: unknown): string {
  return typeof v === "string" ? v : "";
}

/** The list at `v`, or an empty one. @example listAt("x") // [] */
export function listAt(v: unknown): readonly unknown[] {
  return Array.isArray(v) ? v : NONE;
}

/** The strings of the list at `v` (items of another type read as ""). @example stringsAt(["a", 1]) // ["a", ""] */
export function stringsAt(v: unknown): string[] {
  return Array.isArray(v) ? v.map(stringAt) : [];
}

/** The number at `v` when it is an integer, else undefined. @example integerAt(3) // 3 */
export function integerAt(v: unknown): number | undefined {
  return typeof v === "number" && Number.isInteger(v) ? v : undefined;
}

/** A string list as Go's `%#v` prints `[]string`. @example goStringSlice(["a", "b"]) // '[]string{"a", "b"}' */
export function goStringSlice(values: readonly string[] | undefined): string {
  if (values === undefined) return "[]string(nil)";
  return `[]string{${values.map(goQuote).join(", ")}}`;
}

const EMPTY: Obj = Object.freeze({}) as Obj;
const NONE: readonly unknown[] = Object.freeze([]);
