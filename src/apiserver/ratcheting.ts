/**
 * CRD validation ratcheting (KEP-4008, the `CRDValidationRatcheting` gate): on an update, an error
 * the OpenAPI schema raises on a value the update did not change is dropped. Values correlate
 * with the old object as apiextensions-apiserver correlates them: object fields and map entries
 * by key, items of `x-kubernetes-list-type: map` lists by their keys; items of atomic lists and
 * sets do not correlate, so errors inside them always stand. `required`, `allOf`/`anyOf`/`oneOf`/
 * `not`, list-type invariants and metadata are never ratcheted.
 */
import type * as z from "zod";
import { defOf as zodDef } from "../meta/zod.js";
import { metaOf, unwrap, type PathSegment } from "../meta/index.js";
import { deepEqual } from "../patch/json.js";
import { isRecord } from "../meta/values.js";

type Schema = z.core.$ZodType;
type Def = Record<string, unknown> & { type: string };
const defOf = (s: z.core.$ZodType): Def => zodDef(s) as unknown as Def;

/**
 * Whether the value at `path` correlates with a value of the old object and equals it: an error
 * there is ratcheted.
 *
 * @example
 * unchangedSince(Widget, ["spec", "size"], { spec: { size: 9 } }, { spec: { size: 9 } }); // true
 */
export function unchangedSince(schema: Schema, path: readonly PathSegment[], value: unknown, old: unknown): boolean {
  let s: Schema | undefined = schema;
  let v = value;
  let o = old;
  for (const seg of path) {
    if (o === undefined || o === null || v === undefined || v === null || !s) return false;
    const d = defOf(unwrap(s));
    if (typeof seg === "number") {
      if (d.type !== "array" || !Array.isArray(v) || !Array.isArray(o)) return false;
      const meta = metaOf(s);
      const keys = meta.listType === "map" ? meta.listMapKeys : undefined;
      if (!keys?.length) return false;
      const item = v[seg];
      if (!isRecord(item)) return false;
      o = o.find((x) => isRecord(x) && keys.every((k) => deepEqual(x[k], item[k])));
      v = item;
      s = d.element as Schema;
      continue;
    }
    if (!isRecord(v) || !isRecord(o)) return false;
    if (d.type === "object") {
      const shape = d.shape as Record<string, Schema>;
      s = Object.hasOwn(shape, seg) ? shape[seg] : (d.catchall as Schema | undefined);
    } else if (d.type === "record") s = d.valueType as Schema;
    else s = undefined;
    v = Object.hasOwn(v, seg) ? v[seg] : undefined;
    o = Object.hasOwn(o, seg) ? o[seg] : undefined;
  }
  return o !== undefined && deepEqual(v, o);
}
