/**
 * Field sets and the structured merge that server-side apply is built on, following
 * structured-merge-diff: sets in the `FieldsV1` notation (`f:name`, `k:{"name":"web"}`, `v:"x"`,
 * `.` for a node owned as a whole), the set of fields a value sets, the comparison of two values
 * (added / modified / removed), and the schema-aware merge of an applied configuration.
 *
 * Lists follow `x-kubernetes-list-type` (`atomic`, `set`, `map` with its keys), falling back to the
 * strategic-merge annotations (merge + merge key → map, merge → set) and to atomic; maps and
 * structs are granular unless `x-kubernetes-map-type: atomic`.
 */
import type * as z from "zod";
import { catchallOf, elementOf, metaOf, nodeType, shapeOf, valuesOf } from "../meta/index.js";

type Schema = z.core.$ZodType;
type Obj = Record<string, unknown>;

/** A set of field paths as a tree of path elements; `member` marks a path that is itself in the set. */
export interface FieldSet {
  member: boolean;
  children: Map<string, FieldSet>;
}

export const emptySet = (): FieldSet => ({ member: false, children: new Map() });

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Read a `fieldsV1` value. */
export function fromFieldsV1(raw: unknown): FieldSet {
  const set = emptySet();
  if (!isObj(raw)) return set;
  const keys = Object.keys(raw);
  set.member = keys.length === 0 || keys.includes(".");
  for (const k of keys) if (k !== ".") set.children.set(k, fromFieldsV1(raw[k]));
  return set;
}

/** Write a set as `fieldsV1`. */
export function toFieldsV1(set: FieldSet): Obj {
  return written(set) ?? {};
}

/** A set as `fieldsV1`, or undefined when it has no member. */
function written(set: FieldSet): Obj | undefined {
  let children: Array<[string, Obj]> | undefined;
  if (set.children.size) {
    const keys = [...set.children.keys()];
    if (keys.length > 1) keys.sort();
    for (const k of keys) {
      const c = written(set.children.get(k)!);
      if (c) (children ??= []).push([k, c]);
    }
  }
  if (!children) return set.member ? {} : undefined;
  const out: Obj = {};
  if (set.member) out["."] = {};
  for (const [k, c] of children) out[k] = c;
  return out;
}

export function isEmpty(set: FieldSet): boolean {
  if (set.member) return false;
  for (const c of set.children.values()) if (!isEmpty(c)) return false;
  return true;
}

function child(set: FieldSet, pe: string): FieldSet {
  let c = set.children.get(pe);
  if (!c) {
    c = emptySet();
    set.children.set(pe, c);
  }
  return c;
}

/** Whether a set is the empty set at its top (no member, no children). */
function bare(s: FieldSet): boolean {
  return !s.member && s.children.size === 0;
}

/** The union of two sets; parts only one of them has are shared with it (sets are never changed once made). */
export function union(a: FieldSet, b: FieldSet): FieldSet {
  if (bare(b)) return a;
  if (bare(a)) return b;
  const out: FieldSet = { member: a.member || b.member, children: new Map() };
  for (const [k, v] of a.children) {
    const w = b.children.get(k);
    out.children.set(k, w ? union(v, w) : v);
  }
  for (const [k, v] of b.children) if (!a.children.has(k)) out.children.set(k, v);
  return out;
}

/** The members of `a` not in `b`; parts `b` does not touch are shared with `a`. */
export function difference(a: FieldSet, b: FieldSet): FieldSet {
  if (bare(b)) return a;
  const out: FieldSet = { member: a.member && !b.member, children: new Map() };
  for (const [k, v] of a.children) {
    const w = b.children.get(k);
    if (!w) {
      out.children.set(k, v);
      continue;
    }
    const d = difference(v, w);
    if (!isEmpty(d)) out.children.set(k, d);
  }
  return out;
}

export function intersection(a: FieldSet, b: FieldSet): FieldSet {
  const out: FieldSet = { member: a.member && b.member, children: new Map() };
  for (const [k, v] of a.children) {
    const other = b.children.get(k);
    if (!other) continue;
    const i = intersection(v, other);
    if (!isEmpty(i)) out.children.set(k, i);
  }
  return out;
}

/** Every member path of a set, as path elements. */
export function members(set: FieldSet, prefix: string[] = []): string[][] {
  const out: string[][] = [];
  if (set.member) out.push(prefix);
  for (const k of [...set.children.keys()].sort()) out.push(...members(set.children.get(k)!, [...prefix, k]));
  return out;
}

/** A path as structured-merge-diff prints it: `.spec.containers[name="web"].image`. */
export function pathString(path: readonly string[]): string {
  let out = "";
  for (const pe of path) {
    const kind = pe.slice(0, 2);
    const rest = pe.slice(2);
    if (kind === "f:") out += `.${rest}`;
    else if (kind === "k:") {
      const keys = JSON.parse(rest) as Obj;
      out += `[${Object.entries(keys).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(",")}]`;
    } else if (kind === "v:") out += `[=${rest}]`;
    else if (kind === "i:") out += `[${rest}]`;
  }
  return out;
}

/** How a schema node merges. */
type Shape =
  | { kind: "struct"; fields: Record<string, Schema>; rest: Schema | undefined; atomic: boolean }
  | { kind: "map"; values: Schema | undefined; atomic: boolean }
  | { kind: "list"; type: "atomic" | "set" | "map"; keys: readonly string[]; element: Schema | undefined }
  | { kind: "scalar" };

const shapeCache = new WeakMap<Schema, Shape>();

function shapeFor(schema: Schema | undefined, value: unknown): Shape {
  if (!schema) {
    // Untyped ("deduced") values: maps are granular, lists atomic.
    if (isObj(value)) return { kind: "map", values: undefined, atomic: false };
    if (Array.isArray(value)) return { kind: "list", type: "atomic", keys: [], element: undefined };
    return { kind: "scalar" };
  }
  const cached = shapeCache.get(schema);
  if (cached) return cached;
  const meta = metaOf(schema);
  const type = nodeType(schema);
  let shape: Shape;
  if (type === "object") {
    const rest = catchallOf(schema);
    const typedRest = rest && !["unknown", "any", "never"].includes(nodeType(rest)) ? rest : undefined;
    if (meta.preserveUnknownFields && Object.keys(shapeOf(schema) ?? {}).length === 0) {
      shape = { kind: "map", values: undefined, atomic: meta.mapType === "atomic" };
    } else {
      shape = { kind: "struct", fields: shapeOf(schema) ?? {}, rest: typedRest, atomic: meta.mapType === "atomic" };
    }
  } else if (type === "record") {
    shape = { kind: "map", values: valuesOf(schema), atomic: meta.mapType === "atomic" };
  } else if (type === "array") {
    let listType = meta.listType;
    let keys = meta.listMapKeys ?? [];
    if (!listType) {
      const strategies = (meta.patchStrategy ?? "").split(",");
      if (strategies.includes("merge")) {
        listType = meta.patchMergeKey ? "map" : "set";
        keys = meta.patchMergeKey ? [meta.patchMergeKey] : [];
      } else listType = "atomic";
    }
    shape = { kind: "list", type: listType, keys, element: elementOf(schema) };
  } else if (type === "unknown" || type === "any") {
    return shapeFor(undefined, value);
  } else {
    shape = { kind: "scalar" };
  }
  shapeCache.set(schema, shape);
  return shape;
}

function fieldSchema(shape: Shape, key: string): Schema | undefined {
  if (shape.kind === "struct") return Object.hasOwn(shape.fields, key) ? shape.fields[key] : shape.rest;
  if (shape.kind === "map") return shape.values;
  return undefined;
}

/** The path element of a list item, or undefined when it cannot be identified. */
function itemElement(shape: Shape & { kind: "list" }, item: unknown, index: number): string | undefined {
  if (shape.type === "map") {
    if (!isObj(item)) return undefined;
    const key: Obj = {};
    for (const k of [...shape.keys].sort()) if (item[k] !== undefined && item[k] !== null) key[k] = item[k];
    return `k:${JSON.stringify(key)}`;
  }
  if (shape.type === "set") return `v:${JSON.stringify(item)}`;
  return `i:${index}`;
}

/**
 * The fields a value sets (the applied configuration's field set): leaves, atomic lists and maps,
 * and the items of associative lists.
 */
export function fieldSetOf(schema: Schema | undefined, value: unknown): FieldSet {
  const set = emptySet();
  collect(schema, value, set);
  return set;
}

function collect(schema: Schema | undefined, value: unknown, set: FieldSet): void {
  const shape = shapeFor(schema, value);
  if (shape.kind === "scalar" || value === null || value === undefined) {
    set.member = true;
    return;
  }
  if (shape.kind === "list") {
    if (shape.type === "atomic" || !Array.isArray(value)) {
      set.member = true;
      return;
    }
    value.forEach((item, i) => {
      const pe = itemElement(shape, item, i);
      if (!pe) return;
      const c = child(set, pe);
      c.member = true;
      if (shape.type === "map") collect(shape.element, item, c);
    });
    return;
  }
  if (shape.atomic || !isObj(value)) {
    set.member = true;
    return;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) {
    set.member = true;
    return;
  }
  for (const [k, v] of entries) collect(fieldSchema(shape, k), v, child(set, `f:${k}`));
}

/** A list whose items repeat a key: written through field sets, which merge them. */
class RepeatedItem extends Error {}

/**
 * The `fieldsV1` of everything a new object sets, as `toFieldsV1` of the added fields of
 * `compare(schema, {}, value)` gives it, written in one walk; undefined when it sets nothing,
 * null when only the general path can tell (a value that is not a struct, repeated list keys).
 */
export function addedFieldsV1(schema: Schema | undefined, value: unknown): Obj | undefined | null {
  const shape = shapeFor(schema, value);
  if (shape.kind !== "struct" || shape.atomic || !isObj(value)) return null;
  try {
    const fields: Array<[string, Obj]> = [];
    for (const k of Object.keys(value)) {
      const v = value[k];
      if (v === undefined) continue;
      const field = fieldSchema(shape, k);
      const own = shapeFor(field, v);
      // A map added as a whole is itself a member (`allOf`).
      const out = collected(field, v, own.kind === "map" && !own.atomic && isObj(v));
      if (out) fields.push([`f:${k}`, out]);
    }
    return fields.length ? ordered(fields, false) : undefined;
  } catch (e) {
    if (e instanceof RepeatedItem) return null;
    throw e;
  }
}

function ordered(children: Array<[string, Obj]>, member: boolean): Obj {
  if (children.length > 1) children.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: Obj = {};
  if (member) out["."] = {};
  for (const [k, c] of children) out[k] = c;
  return out;
}

/** `toFieldsV1` of what `collect` makes of a value (undefined for an empty set). */
function collected(schema: Schema | undefined, value: unknown, member: boolean): Obj | undefined {
  const shape = shapeFor(schema, value);
  if (shape.kind === "scalar" || value === null || value === undefined) return {};
  if (shape.kind === "list") {
    if (shape.type === "atomic" || !Array.isArray(value)) return {};
    const items: Array<[string, Obj]> = [];
    const seen = new Set<string>();
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const pe = itemElement(shape, item, i);
      if (!pe) continue;
      if (seen.has(pe)) throw new RepeatedItem();
      seen.add(pe);
      items.push([pe, shape.type === "map" ? (collected(shape.element, item, true) ?? {}) : {}]);
    }
    return items.length ? ordered(items, member) : member ? {} : undefined;
  }
  if (shape.atomic || !isObj(value)) return {};
  const keys = Object.keys(value);
  if (keys.length === 0) return {};
  const fields: Array<[string, Obj]> = [];
  for (const k of keys) {
    const c = collected(fieldSchema(shape, k), value[k], false);
    if (c) fields.push([`f:${k}`, c]);
  }
  return fields.length ? ordered(fields, member) : member ? {} : undefined;
}

/** What changed between two values. */
export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/** Compare two values field by field (structured-merge-diff's `Compare`). */
export function compare(schema: Schema | undefined, before: unknown, after: unknown): Comparison {
  const result: Comparison = { added: emptySet(), modified: emptySet(), removed: emptySet() };
  diff(schema, before, after, result, undefined);
  return result;
}

/** A path from the root as a chain of path elements, innermost first (built as the walk goes down, read only where something changed). */
type PathChain = { pe: string; up: PathChain } | undefined;

function at(set: FieldSet, path: PathChain): FieldSet {
  const pes: string[] = [];
  for (let p = path; p; p = p.up) pes.push(p.pe);
  let s = set;
  for (let i = pes.length - 1; i >= 0; i--) s = child(s, pes[i]!);
  return s;
}

function allOf(schema: Schema | undefined, value: unknown, target: FieldSet, path: PathChain): void {
  const node = at(target, path);
  const shape = shapeFor(schema, value);
  if (shape.kind === "map" && !shape.atomic && isObj(value)) node.member = true;
  collect(schema, value, node);
}

function diff(schema: Schema | undefined, a: unknown, b: unknown, out: Comparison, path: PathChain): void {
  const aSet = a !== undefined;
  const bSet = b !== undefined;
  if (!aSet && !bSet) return;
  if (!aSet) return allOf(schema, b, out.added, path);
  if (!bSet) return allOf(schema, a, out.removed, path);
  const shape = shapeFor(schema, b);
  if (shape.kind === "scalar" || a === null || b === null) {
    if (!deepEqual(a, b)) at(out.modified, path).member = true;
    return;
  }
  if (shape.kind === "list") {
    if (shape.type === "atomic" || !Array.isArray(a) || !Array.isArray(b)) {
      if (!deepEqual(a, b)) at(out.modified, path).member = true;
      return;
    }
    const before = new Map<string, unknown>();
    a.forEach((item, i) => {
      const pe = itemElement(shape, item, i);
      if (pe) before.set(pe, item);
    });
    const seen = new Set<string>();
    b.forEach((item, i) => {
      const pe = itemElement(shape, item, i);
      if (!pe) return;
      seen.add(pe);
      if (!before.has(pe)) {
        const node = at(out.added, { pe, up: path });
        node.member = true;
        if (shape.type === "map") collect(shape.element, item, node);
      } else if (shape.type === "map") diff(shape.element, before.get(pe), item, out, { pe, up: path });
    });
    for (const [pe, item] of before) {
      if (seen.has(pe)) continue;
      const node = at(out.removed, { pe, up: path });
      node.member = true;
      if (shape.type === "map") collect(shape.element, item, node);
    }
    return;
  }
  if (shape.atomic || !isObj(a) || !isObj(b)) {
    if (!deepEqual(a, b)) at(out.modified, path).member = true;
    return;
  }
  for (const k of Object.keys(a)) diff(fieldSchema(shape, k), a[k], b[k], out, { pe: `f:${k}`, up: path });
  for (const k of Object.keys(b)) if (!Object.hasOwn(a, k)) diff(fieldSchema(shape, k), undefined, b[k], out, { pe: `f:${k}`, up: path });
}

/**
 * Merge an applied configuration into a live object: maps and structs field by field, associative
 * lists item by item (live order first, new items after), sets as unions, atomic values replaced.
 */
export function mergeApplied(schema: Schema | undefined, live: unknown, config: unknown): unknown {
  if (config === undefined) return live;
  if (live === undefined || live === null || config === null) return config;
  const shape = shapeFor(schema, config);
  if (shape.kind === "scalar") return config;
  if (shape.kind === "list") {
    if (shape.type === "atomic" || !Array.isArray(live) || !Array.isArray(config)) return config;
    const incoming = new Map<string, unknown>();
    config.forEach((item, i) => {
      const pe = itemElement(shape, item, i);
      if (pe) incoming.set(pe, item);
    });
    const out: unknown[] = [];
    const used = new Set<string>();
    live.forEach((item, i) => {
      const pe = itemElement(shape, item, i);
      if (pe && incoming.has(pe)) {
        used.add(pe);
        out.push(shape.type === "map" ? mergeApplied(shape.element, item, incoming.get(pe)) : item);
      } else out.push(item);
    });
    config.forEach((item, i) => {
      const pe = itemElement(shape, item, i);
      if (pe && !used.has(pe)) {
        used.add(pe);
        out.push(item);
      }
    });
    return out;
  }
  if (shape.atomic || !isObj(live) || !isObj(config)) return config;
  const out: Obj = { ...live };
  for (const [k, v] of Object.entries(config)) out[k] = mergeApplied(fieldSchema(shape, k), live[k], v);
  return out;
}

/** Remove the member paths of a set from a value (fields a manager stopped applying). */
export function removeFields(schema: Schema | undefined, value: unknown, set: FieldSet): unknown {
  if (set.member && set.children.size === 0) return undefined;
  if (value === null || value === undefined) return value;
  const shape = shapeFor(schema, value);
  if (shape.kind === "list" && Array.isArray(value)) {
    if (shape.type === "atomic") return set.member ? undefined : value;
    const out: unknown[] = [];
    value.forEach((item, i) => {
      const pe = itemElement(shape, item, i);
      const sub = pe ? set.children.get(pe) : undefined;
      if (!sub) return out.push(item);
      if (sub.member && (shape.type !== "map" || sub.children.size === 0)) return;
      if (sub.member) return;
      const kept = removeFields(shape.element, item, sub);
      if (kept !== undefined) out.push(kept);
    });
    return out;
  }
  if ((shape.kind === "struct" || shape.kind === "map") && isObj(value)) {
    const out: Obj = { ...value };
    for (const [pe, sub] of set.children) {
      if (!pe.startsWith("f:")) continue;
      const k = pe.slice(2);
      if (!(k in out)) continue;
      const before = out[k];
      const kept = removeFields(fieldSchema(shape, k), before, sub);
      // A map emptied by the removal disappears, as an empty Go map or struct with omitempty does.
      if (kept === undefined || (isObj(kept) && Object.keys(kept).length === 0 && isObj(before) && Object.keys(before).length > 0)) delete out[k];
      else out[k] = kept;
    }
    return out;
  }
  return set.member ? undefined : value;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a as Obj);
  const kb = Object.keys(b as Obj);
  if (ka.length !== kb.length) return false;
  for (const k of ka) if (!Object.hasOwn(b as Obj, k) || !deepEqual((a as Obj)[k], (b as Obj)[k])) return false;
  return true;
}
