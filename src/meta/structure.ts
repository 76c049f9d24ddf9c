/**
 * Structural checks that Zod's loose objects do not make: fields the schema does not declare
 * (strict field validation) and duplicate entries in `x-kubernetes-list-type: map|set` lists.
 */
import type * as z from "zod";
import { fieldError, FieldPath, type FieldError } from "./field-errors.js";
import { metaOf, unwrap } from "./walk.js";

type Schema = z.core.$ZodType;
type Def = Record<string, unknown> & { type: string };
const defOf = (s: Schema): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const EMBEDDED_FIELDS = new Set(["apiVersion", "kind", "metadata"]);

interface Visitor {
  /** A key of an object that its schema does not declare. */
  unknown?(path: FieldPath, key: string): void;
  /** A list, with the annotations of its field. */
  list?(path: FieldPath, schema: Schema, value: unknown[]): void;
}

function walk(schema: Schema, value: unknown, path: FieldPath, visit: Visitor, depth: number): void {
  if (depth > 256 || value === null || value === undefined) return;
  const inner = unwrap(schema);
  const d = defOf(inner);
  switch (d.type) {
    case "object": {
      if (!isRecord(value)) return;
      const meta = metaOf(schema);
      const shape = d.shape as Record<string, Schema>;
      const catchall = d.catchall as Schema | undefined;
      const typedCatchall = catchall && !["unknown", "any", "never"].includes(defOf(catchall).type) ? catchall : undefined;
      for (const [key, child] of Object.entries(value)) {
        const field = Object.hasOwn(shape, key) ? shape[key] : typedCatchall;
        if (field) walk(field, child, typedCatchall === field ? path.key(key) : path.child(key), visit, depth + 1);
        else if (!meta.preserveUnknownFields && !(meta.embeddedResource && EMBEDDED_FIELDS.has(key))) visit.unknown?.(path, key);
      }
      return;
    }
    case "record": {
      if (!isRecord(value)) return;
      for (const [key, child] of Object.entries(value)) walk(d.valueType as Schema, child, path.key(key), visit, depth + 1);
      return;
    }
    case "array": {
      if (!Array.isArray(value)) return;
      visit.list?.(path, schema, value);
      value.forEach((item, i) => walk(d.element as Schema, item, path.index(i), visit, depth + 1));
      return;
    }
    default:
      return;
  }
}

/**
 * The paths of fields a value has that its schema does not declare, respecting
 * `x-kubernetes-preserve-unknown-fields` and embedded resources. Typed maps are checked inside.
 *
 * @example
 * unknownFields(Deployment, { spec: { replicaz: 3 } }).map(String); // ["spec.replicaz"]
 */
export function unknownFields(schema: Schema, value: unknown): FieldPath[] {
  const out: FieldPath[] = [];
  walk(schema, value, FieldPath.root(), { unknown: (path, key) => out.push(path.child(key)) }, 0);
  return out;
}

function canonical(value: unknown): string {
  if (!isRecord(value)) return JSON.stringify(value) ?? "undefined";
  return `{${Object.keys(value)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
    .join(",")}}`;
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
  const errs: FieldError[] = [];
  walk(
    schema,
    value,
    FieldPath.root(),
    {
      list: (path, fieldSchema, items) => {
        const meta = metaOf(fieldSchema);
        if (meta.listType !== "map" && meta.listType !== "set") return;
        const seen = new Set<string>();
        items.forEach((item, i) => {
          let id: string;
          let shown: unknown;
          if (meta.listType === "map") {
            if (!isRecord(item)) return;
            const keys = meta.listMapKeys ?? [];
            shown = Object.fromEntries(keys.filter((k) => item[k] !== undefined).map((k) => [k, item[k]]));
            id = canonical(shown);
          } else {
            shown = item;
            id = canonical(item);
          }
          if (seen.has(id)) errs.push(fieldError("FieldValueDuplicate", path.index(i), "", shown));
          seen.add(id);
        });
      },
    },
    0,
  );
  return errs;
}
