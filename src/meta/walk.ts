/**
 * Walking a schema tree: unwrapping optional/nullable/default wrappers, stepping into object
 * fields, list items and map values, and reading the field annotations found there.
 */
import type * as z from "zod";
import { kubeMeta, type KubeMeta } from "./registry.js";
import { defOf } from "./zod.js";

const def = defOf;

const WRAPPERS = new Set(["optional", "nullable", "default", "prefault", "nonoptional", "readonly", "catch"]);

/**
 * Remove optional/nullable/default/lazy wrappers, returning the schema that carries the field's
 * shape (and its annotations).
 *
 * @example
 * unwrap(z.string().nullish()); // the z.string() inside
 */
export function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let s = schema;
  for (let guard = 0; guard < 64; guard++) {
    const d = def(s);
    if (WRAPPERS.has(d.type)) s = d.innerType as z.core.$ZodType;
    else if (d.type === "lazy") s = (d.getter as () => z.core.$ZodType)();
    else if (d.type === "pipe") s = d.in as z.core.$ZodType;
    else return s;
  }
  return s;
}

/**
 * The kind of node a schema is, after unwrapping: `object`, `array`, `record`, `string`, …
 *
 * @example
 * nodeType(Deployment.shape.spec); // "object"
 */
export function nodeType(schema: z.core.$ZodType): string {
  return def(unwrap(schema)).type;
}

/**
 * The fields of an object schema (after unwrapping), or undefined.
 *
 * @example
 * Object.keys(shapeOf(Deployment)!); // ["apiVersion", "kind", "metadata", "spec", "status"]
 */
export function shapeOf(schema: z.core.$ZodType): Record<string, z.core.$ZodType> | undefined {
  const d = def(unwrap(schema));
  return d.type === "object" ? (d.shape as Record<string, z.core.$ZodType>) : undefined;
}

/**
 * The schema of keys not in the shape: `unknown` for loose objects, `never` for strict ones.
 *
 * @example
 * defOf(catchallOf(z.looseObject({}))!).type; // "unknown"
 */
export function catchallOf(schema: z.core.$ZodType): z.core.$ZodType | undefined {
  const d = def(unwrap(schema));
  return d.type === "object" ? (d.catchall as z.core.$ZodType | undefined) : undefined;
}

/**
 * The item schema of a list (after unwrapping), or undefined.
 *
 * @example
 * elementOf(fieldInfo(Pod, "spec.containers")!.schema); // the Container schema
 */
export function elementOf(schema: z.core.$ZodType): z.core.$ZodType | undefined {
  const d = def(unwrap(schema));
  return d.type === "array" ? (d.element as z.core.$ZodType) : undefined;
}

/**
 * The value schema of a map (`record`), or undefined.
 *
 * @example
 * valuesOf(fieldInfo(Pod, "metadata.labels")!.schema); // the string schema of label values
 */
export function valuesOf(schema: z.core.$ZodType): z.core.$ZodType | undefined {
  const d = def(unwrap(schema));
  return d.type === "record" ? (d.valueType as z.core.$ZodType) : undefined;
}

/**
 * The alternatives of a union (after unwrapping), or undefined.
 *
 * @example
 * optionsOf(IntOrString)?.length; // 2
 */
export function optionsOf(schema: z.core.$ZodType): readonly z.core.$ZodType[] | undefined {
  const d = def(unwrap(schema));
  return d.type === "union" ? (d.options as z.core.$ZodType[]) : undefined;
}

/**
 * All annotations that apply at a schema: those registered on the wrappers and on the inner
 * schema (field facts sit on the inner schema; definition facts on the definition).
 *
 * @example
 * metaOf(Deployment.shape.spec); // annotations of the field and of DeploymentSpec
 */
export function metaOf(schema: z.core.$ZodType): KubeMeta {
  let s = schema;
  const found: KubeMeta[] = [];
  for (let guard = 0; guard < 64; guard++) {
    const m = kubeMeta.get(s as z.ZodType);
    if (m) found.push(m);
    const d = def(s);
    if (WRAPPERS.has(d.type)) s = d.innerType as z.core.$ZodType;
    else if (d.type === "lazy") s = (d.getter as () => z.core.$ZodType)();
    else if (d.type === "pipe") s = d.in as z.core.$ZodType;
    else break;
  }
  // Outer registrations win over inner ones.
  return Object.assign({}, ...found.reverse()) as KubeMeta;
}

/** One step of a path: a field or map key, or a list index. */
export type PathSegment = string | number;

/**
 * Parse a dotted path (`spec.template.spec.containers.0.image`) into segments.
 *
 * @example
 * parsePath("spec.containers.0.image"); // ["spec", "containers", 0, "image"]
 */
export function parsePath(path: string | readonly PathSegment[]): PathSegment[] {
  if (typeof path !== "string") return [...path];
  if (path === "") return [];
  return path.split(".").map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/**
 * The schema one step below: a field of an object, the item of a list (any index), the value of a
 * map. Undefined when the step does not exist.
 *
 * @example
 * childSchema(Deployment, "spec"); // the DeploymentSpec field
 */
export function childSchema(schema: z.core.$ZodType, segment: PathSegment): z.core.$ZodType | undefined {
  const inner = unwrap(schema);
  const d = def(inner);
  switch (d.type) {
    case "object": {
      const shape = d.shape as Record<string, z.core.$ZodType>;
      if (typeof segment === "string" && Object.hasOwn(shape, segment)) return shape[segment];
      const catchall = d.catchall as z.core.$ZodType | undefined;
      if (catchall && def(catchall).type !== "never" && def(catchall).type !== "unknown") return catchall;
      return undefined;
    }
    case "array":
      return typeof segment === "number" || /^\d+$/.test(String(segment)) ? (d.element as z.core.$ZodType) : undefined;
    case "record":
      return d.valueType as z.core.$ZodType;
    default:
      return undefined;
  }
}

/** A field's schema (wrappers removed) and its patch/list/map annotations. */
export interface FieldInfo extends KubeMeta {
  schema: z.core.$ZodType;
}

/**
 * Look up a field of a schema by dotted path or segments and return its unwrapped schema and
 * annotations. List items are traversed by index. Undefined when the path does not exist.
 *
 * @example
 * import { fieldInfo } from "kubezod";
 * import { Deployment } from "kubezod/k8s";
 * const info = fieldInfo(Deployment, "spec.template.spec.containers");
 * info?.patchMergeKey; // "name"
 */
export function fieldInfo(schema: z.core.$ZodType, path: string | readonly PathSegment[]): FieldInfo | undefined {
  let s: z.core.$ZodType | undefined = schema;
  for (const segment of parsePath(path)) {
    s = childSchema(s, segment);
    if (!s) return undefined;
  }
  return { ...metaOf(s), schema: unwrap(s) };
}
