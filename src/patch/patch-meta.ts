/**
 * Patch metadata read off the schema tree: for a field of an object, its schema, patch strategy,
 * `retainKeys` flag and merge key (what Kubernetes reads from Go struct tags or OpenAPI extensions).
 * A field the schema does not know has no metadata: objects merge, lists are replaced (as
 * Kubernetes does when it looks fields up in OpenAPI and finds none).
 */
import type * as z from "zod";
import { childSchema, elementOf, metaOf, nodeType } from "../meta/walk.js";
import { PatchError } from "./errors.js";
import { goFormat } from "./json.js";

/** What a strategic merge knows about one field. */
export interface FieldPatchMeta {
  /** The field's schema (for lists: the item schema); undefined when unknown. */
  schema: z.core.$ZodType | undefined;
  /** `merge`, `replace`, or "" (default: merge objects, replace lists). */
  strategy: string;
  retainKeys: boolean;
  mergeKey: string;
}

const NONE: FieldPatchMeta = Object.freeze({ schema: undefined, strategy: "", retainKeys: false, mergeKey: "" });

interface Entry {
  field: z.core.$ZodType | undefined;
  strategy: string;
  retainKeys: boolean;
  mergeKey: string;
}

const cache = new WeakMap<object, Map<string, Entry>>();

/** Split `merge,retainKeys` into the strategy and the retainKeys flag, as apimachinery does. */
export function splitStrategy(strategy: string | undefined): { strategy: string; retainKeys: boolean } {
  const parts = (strategy ?? "").split(",");
  if (parts.length === 1) return parts[0] === "retainKeys" ? { strategy: "", retainKeys: true } : { strategy: parts[0] as string, retainKeys: false };
  if (parts.length === 2) {
    if (parts[0] === "retainKeys") return { strategy: parts[1] as string, retainKeys: true };
    if (parts[1] === "retainKeys") return { strategy: parts[0] as string, retainKeys: true };
  }
  throw new PatchError("strategic", `unexpected patch strategy: ${goFormat(parts)}`);
}

function entry(parent: z.core.$ZodType, key: string): Entry {
  let byKey = cache.get(parent);
  if (!byKey) {
    byKey = new Map();
    cache.set(parent, byKey);
  }
  let e = byKey.get(key);
  if (!e) {
    const field = childSchema(parent, key);
    const m = field ? metaOf(field) : {};
    const { strategy, retainKeys } = splitStrategy(m.patchStrategy);
    e = { field, strategy, retainKeys, mergeKey: m.patchMergeKey ?? "" };
    byKey.set(key, e);
  }
  return e;
}

/** Metadata of an object-valued field. */
export function lookupStruct(parent: z.core.$ZodType | undefined, key: string): FieldPatchMeta {
  if (!parent) return NONE;
  const e = entry(parent, key);
  return { schema: e.field, strategy: e.strategy, retainKeys: e.retainKeys, mergeKey: e.mergeKey };
}

/** Metadata of a list-valued field; `schema` is the item schema. */
export function lookupSlice(parent: z.core.$ZodType | undefined, key: string): FieldPatchMeta {
  if (!parent) return NONE;
  const e = entry(parent, key);
  if (!e.field) return { schema: undefined, strategy: e.strategy, retainKeys: e.retainKeys, mergeKey: e.mergeKey };
  const t = nodeType(e.field);
  if (t !== "array") {
    if (t === "object" || t === "record" || t === "string" || t === "number" || t === "boolean") {
      throw new PatchError("strategic", "expected slice or array type, but got: struct");
    }
    return { schema: undefined, strategy: e.strategy, retainKeys: e.retainKeys, mergeKey: e.mergeKey };
  }
  return { schema: elementOf(e.field), strategy: e.strategy, retainKeys: e.retainKeys, mergeKey: e.mergeKey };
}

/** How Go names the kind of a list's item type in "cannot merge lists without merge key for …". */
export function itemKindName(item: z.core.$ZodType | undefined): string {
  if (!item) return "interface";
  const t = nodeType(item);
  return t === "object" ? "struct" : t === "record" ? "map" : "interface";
}
