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
  list?(path: PathStack, schema: Schema, value: unknown[]): void;
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

function walk(schema: Schema, value: unknown, stack: PathStack, visit: Visitor, depth: number): void {
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
        if (field) {
          stack.push(key, typedCatchall === field);
          walk(field, child, stack, visit, depth + 1);
          stack.pop();
        } else if (!meta.preserveUnknownFields && !(meta.embeddedResource && EMBEDDED_FIELDS.has(key))) visit.unknown?.(stack.toFieldPath(), key);
      }
      return;
    }
    case "record": {
      if (!isRecord(value)) return;
      for (const [key, child] of Object.entries(value)) {
        stack.push(key, true);
        walk(d.valueType as Schema, child, stack, visit, depth + 1);
        stack.pop();
      }
      return;
    }
    case "array": {
      if (!Array.isArray(value)) return;
      visit.list?.(stack, schema, value);
      value.forEach((item, i) => {
        stack.push(i, false);
        walk(d.element as Schema, item, stack, visit, depth + 1);
        stack.pop();
      });
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
  walk(schema, value, new PathStack(), { unknown: (path, key) => out.push(path.child(key)) }, 0);
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
    new PathStack(),
    {
      list: (stack, fieldSchema, items) => {
        const meta = metaOf(fieldSchema);
        if (meta.listType !== "map" && meta.listType !== "set") return;
        const path = stack.toFieldPath();
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
