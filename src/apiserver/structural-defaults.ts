/**
 * Structural defaulting of custom resources (`default` in a CRD schema), as kube-apiserver applies
 * it before it runs validation rules. The validator never changes a manifest: defaults are applied
 * to a copy that only CEL rules see.
 */
import type * as z from "zod";
import { defOf } from "../meta/zod.js";
import { metaOf, unwrap } from "../meta/index.js";
import { setOwn } from "../meta/values.js";

type Def = Record<string, unknown> & { type: string };
type Schema = z.core.$ZodType;

/** Whether a schema or anything below it has a default (true for schemas that contain themselves). */
const defaultsBelow = new WeakMap<Schema, boolean>();

function hasDefaultsBelow(schema: Schema, visiting = new Set<Schema>()): boolean {
  const known = defaultsBelow.get(schema);
  if (known !== undefined) return known;
  if (visiting.has(schema)) return true;
  visiting.add(schema);
  const d = defOf(unwrap(schema));
  let found = false;
  if (d.type === "array") found = hasDefaultsBelow(d.element as Schema, visiting);
  else if (d.type === "record") found = hasDefaultsBelow(d.valueType as Schema, visiting);
  else if (d.type === "object") found = Object.values(d.shape as Record<string, Schema>).some((f) => metaOf(f).default !== undefined || hasDefaultsBelow(f, visiting));
  visiting.delete(schema);
  defaultsBelow.set(schema, found);
  return found;
}

/** A field of an object schema that defaulting has to visit: it has a default, or defaults below. */
interface DefaultedField {
  key: string;
  schema: Schema;
  default: unknown;
}

/** The fields of each object schema that defaulting visits, worked out once per schema. */
const plans = new WeakMap<Schema, { all: DefaultedField[]; withDefaults: DefaultedField[] }>();

/** The plan of an object schema (unwrapped). */
function planOf(schema: Schema): { all: DefaultedField[]; withDefaults: DefaultedField[] } {
  let plan = plans.get(schema);
  if (!plan) {
    const all = Object.entries(defOf(schema).shape as Record<string, Schema>).map(([key, field]) => ({ key, schema: field, default: metaOf(field).default }));
    plan = { all, withDefaults: all.filter((f) => f.default !== undefined || hasDefaultsBelow(f.schema)) };
    plans.set(schema, plan);
  }
  return plan;
}

/** A fresh copy of a default value (objects and lists are never shared between resources). */
function copyOf(v: unknown): unknown {
  return v !== null && typeof v === "object" ? structuredClone(v) : v;
}

function defaulted(schema: Schema, value: unknown, depth: number, share: boolean): unknown {
  if (value === null || typeof value !== "object" || depth > 200) return value;
  if (share && !hasDefaultsBelow(schema)) return value;
  const inner = unwrap(schema);
  const d = defOf(inner);
  if (Array.isArray(value)) {
    if (d.type !== "array") return value;
    return value.map((v) => defaulted(d.element as Schema, v, depth + 1, share));
  }
  if (d.type === "record") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) setOwn(out, k, defaulted(d.valueType as Schema, v, depth + 1, share));
    return out;
  }
  if (d.type !== "object") return value;
  const plan = planOf(inner);
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  // Sharing, only the fields with something to fill in need a visit; copying, every field does.
  for (const f of share ? plan.withDefaults : plan.all) {
    if (out[f.key] === undefined && f.default !== undefined) out[f.key] = copyOf(f.default);
    if (out[f.key] !== undefined) out[f.key] = defaulted(f.schema, out[f.key], depth + 1, share);
  }
  return out;
}

/**
 * A copy of `value` with the schema's defaults filled in where fields are absent (recursively,
 * including inside defaulted values); `value` itself is not modified.
 *
 * @example
 * withDefaults(HTTPRoute, route).spec.parentRefs[0].kind; // "Gateway"
 */
export function withDefaults(schema: Schema, value: unknown, depth = 0): unknown {
  return defaulted(schema, value, depth, false);
}

/**
 * The same value as {@link withDefaults}, sharing the parts of `value` where nothing is defaulted
 * instead of copying them (for readers that never modify it).
 */
export function withDefaultsShared(schema: Schema, value: unknown): unknown {
  return defaulted(schema, value, 0, true);
}

/**
 * Whether the field a path ends at has a schema default (the apiserver fills it, so it is never
 * missing there).
 */
export function hasDefault(schema: Schema): boolean {
  return metaOf(schema).default !== undefined;
}
