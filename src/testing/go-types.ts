/**
 * The decode errors of built-in kinds as Go's JSON decoder words them: `json: cannot unmarshal
 * <value> into Go struct field <Struct>.<field path> of type <Go type>`, where the field path is
 * the JSON field names (no list indexes, no map keys) and the type is the Go type of the field
 * (`int32`, `int64`, `float64`, `bool`, `string`, `v1.ObjectMeta`, `[]v1.ContainerPort`,
 * `map[string]string`, `intstr.IntOrString`, `resource.Quantity`).
 */
import type * as z from "zod";
import * as k from "#schemas/runtime.js";
import { childSchema, type PathSegment } from "../meta/index.js";
import { defOf as zodDefOf } from "../meta/zod.js";

type Schema = z.core.$ZodType;
type Def = { type: string; innerType?: Schema; format?: string; element?: Schema; valueType?: Schema; shape?: Record<string, Schema>; options?: Schema[] };

const defOf = (s: Schema): Def => zodDefOf(s) as unknown as Def;

function unwrap(s: Schema): Schema {
  let cur = s;
  for (let i = 0; i < 8; i++) {
    const d = defOf(cur);
    if (!d.innerType) break;
    cur = d.innerType;
  }
  return cur;
}

/** `io.k8s.api.core.v1.ContainerPort` → `v1.ContainerPort` (Go package name and type). */
function goName(definition: string): string {
  const parts = definition.split(".");
  return `${parts[parts.length - 2]}.${parts[parts.length - 1]}`;
}

/** The Go type of a schema node, as the decoder names it. */
export function goTypeOf(schema: Schema, names: WeakMap<object, string> | undefined, depth = 0): string {
  if (depth > 16) return "interface {}";
  const named = names?.get(schema);
  const s = unwrap(schema);
  if (s === k.IntOrString) return "intstr.IntOrString";
  if (s === k.Quantity) return "resource.Quantity";
  if (s === k.Time) return "v1.Time";
  if (s === k.MicroTime) return "v1.MicroTime";
  if (s === k.Bytes) return "[]uint8";
  const name = named ?? names?.get(s);
  const d = defOf(s);
  switch (d.type) {
    case "number":
      return d.format === "int32" ? "int32" : d.format === "safeint" || d.format === "int64" ? "int64" : "float64";
    case "boolean":
      return "bool";
    case "string":
      return "string";
    case "array":
      return `[]${d.element ? goTypeOf(d.element, names, depth + 1) : "interface {}"}`;
    case "record":
      return `map[string]${d.valueType ? goTypeOf(d.valueType, names, depth + 1) : "interface {}"}`;
    case "object":
      return name ? goName(name) : "map[string]interface {}";
    default:
      return "interface {}";
  }
}

/** How Go's decoder describes the JSON value it could not store. */
function goValue(value: unknown, target: string): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  switch (typeof value) {
    case "boolean":
      return "bool";
    case "number":
      // Numbers that an integer field cannot hold are quoted with their text.
      return /^u?int(8|16|32|64)?$/.test(target) ? `number ${String(value)}` : "number";
    case "object":
      return "object";
    default:
      return "string";
  }
}

function isRecord(s: Schema, key: string): boolean {
  const d = defOf(unwrap(s));
  if (d.type === "record") return true;
  return d.type === "object" && !(d.shape && Object.hasOwn(d.shape, key));
}

/**
 * The decode error text for a value of the wrong type at a path of a built-in kind's object
 * (without the `<Kind> in version "v" cannot be handled as a <Kind>: ` prefix).
 */
export function unmarshalTypeError(root: Schema, path: readonly PathSegment[], value: unknown, names: WeakMap<object, string> | undefined, kind: string): string {
  let s: Schema | undefined = root;
  let struct = kind;
  const fields: string[] = [];
  for (const seg of path) {
    if (!s) break;
    if (typeof seg === "string" && !isRecord(s, seg)) {
      const name = names?.get(s) ?? names?.get(unwrap(s));
      if (name) struct = name.slice(name.lastIndexOf(".") + 1);
      fields.push(seg);
    }
    s = childSchema(s, seg);
  }
  const target = s ? goTypeOf(s, names) : "interface {}";
  return `json: cannot unmarshal ${goValue(value, target)} into Go struct field ${struct}.${fields.join(".")} of type ${target}`;
}
