/**
 * Structural defaulting of custom resources (`default` in a CRD schema), as kube-apiserver applies
 * it before it runs validation rules. The validator never changes a manifest: defaults are applied
 * to a copy that only CEL rules see.
 */
import type * as z from "zod";
import { metaOf, unwrap } from "../meta/index.js";

type Def = Record<string, unknown> & { type: string };
type Schema = z.core.$ZodType;
const defOf = (s: Schema): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/**
 * A copy of `value` with the schema's defaults filled in where fields are absent (recursively,
 * including inside defaulted values); `value` itself is not modified.
 *
 * @example
 * withDefaults(HTTPRoute, route).spec.parentRefs[0].kind; // "Gateway"
 */
export function withDefaults(schema: Schema, value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== "object" || depth > 200) return value;
  const d = defOf(unwrap(schema));
  if (Array.isArray(value)) {
    if (d.type !== "array") return value;
    return value.map((v) => withDefaults(d.element as Schema, v, depth + 1));
  }
  if (d.type === "record") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = withDefaults(d.valueType as Schema, v, depth + 1);
    return out;
  }
  if (d.type !== "object") return value;
  const shape = d.shape as Record<string, Schema>;
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const [k, field] of Object.entries(shape)) {
    if (out[k] === undefined) {
      const dv = metaOf(field).default;
      if (dv !== undefined) out[k] = structuredClone(dv);
    }
    if (out[k] !== undefined) out[k] = withDefaults(field, out[k], depth + 1);
  }
  return out;
}

/**
 * Whether the field a path ends at has a schema default (the apiserver fills it, so it is never
 * missing there).
 */
export function hasDefault(schema: Schema): boolean {
  return metaOf(schema).default !== undefined;
}
