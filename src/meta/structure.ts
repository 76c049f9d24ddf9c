/**
 * Structural checks that Zod's loose objects do not make: fields the schema does not declare
 * (strict field validation) and duplicate entries in `x-kubernetes-list-type: map|set` lists.
 *
 * Both are found in one walk over the value, guided by a plan compiled once per schema: the
 * declared fields of each object, what its annotations allow, the list types, and which subtrees
 * hold nothing to check (scalars, unions, free-form values), so that those are not visited.
 */
import type * as z from "zod";
import { fieldError, FieldPath, type FieldError } from "./field-errors.js";
import { metaOf, unwrap } from "./walk.js";
import { isRecord } from "./values.js";
import { defOf } from "./zod.js";

type Schema = z.core.$ZodType;

const EMBEDDED_FIELDS = new Set(["apiVersion", "kind", "metadata"]);
// Inside `for…in`, V8 answers `hasOwnProperty.call(o, key)` from the enumeration itself; `Object.hasOwn` it looks up.
const hasOwn = Object.prototype.hasOwnProperty;
const MAX_DEPTH = 256;

/** What to check at a schema node; `undefined` plans (scalars, unions, …) check nothing. */
export type Plan = ObjectPlan | RecordPlan | ListPlan;

/** An object node's plan. */
export interface ObjectPlan {
  kind: "object";
  /** Declared fields, with their plans (null: nothing to check below). Filled on first use. */
  fields: Map<string, Plan | null>;
  shape: Record<string, Schema>;
  /** A typed schema for undeclared keys (their values are checked; the keys are map keys). */
  catchall?: Schema;
  catchallPlan?: Plan | null;
  /** Undeclared keys are allowed: all (preserve-unknown-fields) or apiVersion/kind/metadata (embedded resources). */
  preserveUnknown: boolean;
  embedded: boolean;
}

/** A map node's plan. */
export interface RecordPlan {
  kind: "record";
  values: Plan | null;
}

/** A list node's plan. */
export interface ListPlan {
  kind: "list";
  items: Plan | null;
  listType?: "map" | "set";
  /** list-map keys as declared (reported in this order) and sorted (identity of an entry). */
  mapKeys: string[];
  sortedKeys: string[];
}

const plans = new WeakMap<Schema, Plan | null>();

function planOf(schema: Schema): Plan | null {
  const known = plans.get(schema);
  if (known !== undefined) return known;
  const d = defOf(unwrap(schema));
  let plan: Plan | null = null;
  switch (d.type) {
    case "object": {
      const meta = metaOf(schema);
      const catchall = d.catchall as Schema | undefined;
      const typed = catchall && !["unknown", "any", "never"].includes(defOf(catchall).type) ? catchall : undefined;
      plan = {
        kind: "object",
        fields: new Map(),
        shape: d.shape as Record<string, Schema>,
        ...(typed ? { catchall: typed } : {}),
        preserveUnknown: Boolean(meta.preserveUnknownFields),
        embedded: Boolean(meta.embeddedResource),
      };
      break;
    }
    case "record":
      plan = { kind: "record", values: null };
      plans.set(schema, plan);
      plan.values = planOf(d.valueType as Schema);
      return plan;
    case "array": {
      const meta = metaOf(schema);
      const listType = meta.listType === "map" || meta.listType === "set" ? meta.listType : undefined;
      const mapKeys = listType === "map" ? [...(meta.listMapKeys ?? [])] : [];
      plan = { kind: "list", items: null, ...(listType ? { listType } : {}), mapKeys, sortedKeys: [...mapKeys].sort() };
      plans.set(schema, plan);
      plan.items = planOf(d.element as Schema);
      return plan;
    }
    default:
      plan = null;
  }
  plans.set(schema, plan);
  return plan;
}

/**
 * What the walk checks at a schema node (null: nothing below it): what the compiled validator's
 * structural variant (`compileStructuralValidator` in compile.ts) follows, so that it visits what
 * the walk visits.
 *
 * @example
 * structurePlanOf(Deployment)?.kind; // "object"
 */
export function structurePlanOf(schema: Schema): Plan | null {
  return planOf(schema);
}

function fieldPlan(plan: ObjectPlan, key: string): Plan | null | undefined {
  let p = plan.fields.get(key);
  if (p === undefined) {
    if (!Object.hasOwn(plan.shape, key)) return undefined;
    p = planOf(plan.shape[key]!);
    plan.fields.set(key, p);
  }
  return p;
}

/** The path being walked: segments and which are map keys, materialised only when reported. */
class PathStack {
  readonly segments: Array<string | number> = [];
  readonly keys: boolean[] = [];
  push(s: string | number, key: boolean): void {
    this.segments.push(s);
    this.keys.push(key);
  }
  pop(): void {
    this.segments.pop();
    this.keys.pop();
  }
  toFieldPath(): FieldPath {
    let p = FieldPath.root();
    this.segments.forEach((s, i) => {
      p = typeof s === "number" ? p.index(s) : this.keys[i] ? p.key(s) : p.child(s);
    });
    return p;
  }
}

/** What the walk found; a kind of finding left undefined is not looked for. */
interface Findings {
  unknown?: FieldPath[];
  duplicates?: FieldError[];
}

function canonical(value: unknown): string {
  if (!isRecord(value)) return JSON.stringify(value) ?? "undefined";
  return `{${Object.keys(value)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
    .join(",")}}`;
}

/** `canonical` of the entry's list-map keys that are set, without building that object. */
function mapIdentity(item: Record<string, unknown>, sortedKeys: readonly string[]): string {
  let id = "{";
  for (const k of sortedKeys) {
    const v = item[k];
    if (v === undefined) continue;
    if (id.length > 1) id += ",";
    id += `${JSON.stringify(k)}:${canonical(v)}`;
  }
  return `${id}}`;
}

/** A list-map key's value or a set's item that compares by `===` exactly as by `canonical`. */
function isPlain(v: unknown): boolean {
  return typeof v === "string" || typeof v === "boolean" || v === undefined || (typeof v === "number" && Number.isFinite(v));
}

/**
 * Whether a short list certainly has no duplicate entries, answered without building identities:
 * entries whose keys (or which, in a set) are strings, booleans and finite numbers are equal
 * exactly when their `canonical` texts are. False when it cannot say (longer lists, other values)
 * or a duplicate is there; `checkList` then finds and reports it.
 */
export function surelyUnique(plan: ListPlan, items: unknown[]): boolean {
  const n = items.length;
  if (n < 2) return true;
  if (n > 16) return false;
  if (plan.listType === "set") {
    for (let i = 0; i < n; i++) {
      const a = items[i];
      if (!isPlain(a) || a === undefined) return false;
      for (let j = 0; j < i; j++) if (items[j] === a) return false;
    }
    return true;
  }
  const keys = plan.sortedKeys;
  for (let i = 0; i < n; i++) {
    const a = items[i];
    if (!isRecord(a)) continue;
    for (const k of keys) if (!isPlain(a[k])) return false;
    for (let j = 0; j < i; j++) {
      const b = items[j];
      if (!isRecord(b)) continue;
      let same = true;
      for (const k of keys) {
        if (a[k] !== b[k]) {
          same = false;
          break;
        }
      }
      if (same) return false;
    }
  }
  return true;
}

function checkList(plan: ListPlan, items: unknown[], stack: PathStack, out: FieldError[]): void {
  if (surelyUnique(plan, items)) return;
  const isMap = plan.listType === "map";
  // Entries that are (or are keyed by) one string compare as that string; others by `canonical`,
  // which never equals a string entry's.
  const single = isMap && plan.sortedKeys.length === 1 ? plan.sortedKeys[0]! : undefined;
  let strings: Set<string> | undefined;
  let others: Set<string> | undefined;
  let path: FieldPath | undefined;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    let id: string;
    let isString = false;
    if (isMap) {
      if (!isRecord(item)) continue;
      if (single !== undefined && typeof item[single] === "string") {
        id = item[single] as string;
        isString = true;
      } else id = mapIdentity(item, plan.sortedKeys);
    } else if (typeof item === "string") {
      id = item;
      isString = true;
    } else id = canonical(item);
    const seen = isString ? (strings ??= new Set()) : (others ??= new Set());
    if (seen.has(id)) {
      path ??= stack.toFieldPath();
      const shown = isMap
        ? Object.fromEntries(plan.mapKeys.filter((k) => (item as Record<string, unknown>)[k] !== undefined).map((k) => [k, (item as Record<string, unknown>)[k]]))
        : item;
      out.push(fieldError("FieldValueDuplicate", path.index(i), "", shown));
    }
    seen.add(id);
  }
}

function walk(plan: Plan, value: unknown, stack: PathStack, found: Findings, depth: number): void {
  if (depth > MAX_DEPTH || value === null || value === undefined) return;
  switch (plan.kind) {
    case "object": {
      if (!isRecord(value)) return;
      for (const key in value) {
        if (!hasOwn.call(value, key)) continue;
        let child = fieldPlan(plan, key);
        let isKey = false;
        if (child === undefined && plan.catchall) {
          child = plan.catchallPlan === undefined ? (plan.catchallPlan = planOf(plan.catchall)) : plan.catchallPlan;
          isKey = true;
        } else if (child !== undefined && plan.catchall && plan.shape[key] === plan.catchall) isKey = true;
        if (child === undefined) {
          if (found.unknown && !plan.preserveUnknown && !(plan.embedded && EMBEDDED_FIELDS.has(key))) found.unknown.push(stack.toFieldPath().child(key));
        } else if (child !== null) {
          stack.push(key, isKey);
          walk(child, value[key], stack, found, depth + 1);
          stack.pop();
        }
      }
      return;
    }
    case "record": {
      if (!isRecord(value) || plan.values === null) return;
      for (const key in value) {
        if (!hasOwn.call(value, key)) continue;
        stack.push(key, true);
        walk(plan.values, value[key], stack, found, depth + 1);
        stack.pop();
      }
      return;
    }
    case "list": {
      if (!Array.isArray(value)) return;
      if (found.duplicates && plan.listType) checkList(plan, value, stack, found.duplicates);
      if (plan.items === null) return;
      for (let i = 0; i < value.length; i++) {
        stack.push(i, false);
        walk(plan.items, value[i], stack, found, depth + 1);
        stack.pop();
      }
      return;
    }
  }
}

function findStructure(schema: Schema, value: unknown, found: Findings): void {
  const plan = planOf(schema);
  if (plan) walk(plan, value, new PathStack(), found, 0);
}

/**
 * The paths of fields a value has that its schema does not declare, respecting
 * `x-kubernetes-preserve-unknown-fields` and embedded resources. Typed maps are checked inside.
 *
 * @example
 * unknownFields(Deployment, { spec: { replicaz: 3 } }).map(String); // ["spec.replicaz"]
 */
export function unknownFields(schema: Schema, value: unknown): FieldPath[] {
  const unknown: FieldPath[] = [];
  findStructure(schema, value, { unknown });
  return unknown;
}

/**
 * Duplicate entries of lists declared `x-kubernetes-list-type: map` (same values of the list-map
 * keys) or `set` (equal items), reported as `FieldValueDuplicate` at the later entry.
 *
 * @example
 * duplicateListEntries(Pod, { spec: { containers: [{ name: "a" }, { name: "a" }] } });
 * // [{ type: "FieldValueDuplicate", field: "spec.containers[1]", … }]
 */
export function duplicateListEntries(schema: Schema, value: unknown): FieldError[] {
  const duplicates: FieldError[] = [];
  findStructure(schema, value, { duplicates });
  return duplicates;
}

/** The results of {@link structuralIssues}. */
export interface StructuralIssues {
  /** As {@link unknownFields} finds them. */
  unknownFields: FieldPath[];
  /** As {@link duplicateListEntries} finds them. */
  duplicateEntries: FieldError[];
}

/**
 * Unknown fields and duplicate list entries in one walk over the value (what `unknownFields` and
 * `duplicateListEntries` return, for the price of one).
 *
 * @example
 * const { unknownFields, duplicateEntries } = structuralIssues(Deployment, manifest);
 */
export function structuralIssues(schema: Schema, value: unknown): StructuralIssues {
  const found = { unknown: [] as FieldPath[], duplicates: [] as FieldError[] };
  findStructure(schema, value, found);
  return { unknownFields: found.unknown, duplicateEntries: found.duplicates };
}
