/**
 * The path picker: a typed proxy built from a schema's shape that records the fields, map keys and
 * list items a selector walks through.
 */
import type * as z from "zod";
import { KubeError } from "../errors.js";
import { catchallOf, elementOf, metaOf, nodeType, shapeOf, unwrap, valuesOf } from "../meta/walk.js";
import { deepEqual, hasOwn, isJsonObject, type JsonPrimitive } from "./json.js";
import { toPointer } from "./pointer.js";

/**
 * The element of a keyed list (a list with a patch merge key, or `x-kubernetes-list-type: map`),
 * named by its key fields: `{ key: { name: "web" }, index: 0 }` is the container called `web`.
 * `index` is where it sat in the object the path was resolved against; patches and
 * {@link pickChanges} find the element by `key`, so the path stays right when the list is reordered.
 *
 * @example
 * const web: ElementKey = { key: { name: "web" }, index: 0 };
 */
export interface ElementKey {
  /** The identifying fields and their values (the patch merge key, else the list-map keys). */
  readonly key: Readonly<Record<string, JsonPrimitive>>;
  /** The element's position in the object the path was picked from. */
  readonly index: number;
}

/**
 * One step of a picked path: a field or map key, a list index, or a keyed list element.
 *
 * @example
 * const segments: PickSegment[] = ["spec", "containers", { key: { name: "web" }, index: 0 }, "image"];
 */
export type PickSegment = string | number | ElementKey;

/**
 * A path picked with {@link pathOf}.
 *
 * @example
 * const p = pathOf(Deployment, (o) => o.spec.template.spec.containers[0].image, deployment);
 * p.segments; // ["spec", "template", "spec", "containers", { key: { name: "web" }, index: 0 }, "image"]
 * p.pointer;  // "/spec/template/spec/containers/0/image"
 * String(p);  // "spec.template.spec.containers[name=web].image"
 */
export interface PickedPath {
  readonly segments: readonly PickSegment[];
  /** The JSON Pointer of the path (list elements by index). */
  readonly pointer: string;
  /** A readable form: `metadata.labels[app]`, `spec.containers[name=web].image`, `args[0]`. */
  toString(): string;
}

/**
 * A path as the diff functions accept it: picked, or a list of segments, or a JSON Pointer.
 *
 * @example
 * const paths: PickedPathLike[] = [pathOf(Deployment, (o) => o.spec.replicas), ["metadata", "labels"], "/spec/paused"];
 */
export type PickedPathLike = PickedPath | readonly PickSegment[] | string;

declare const leafBrand: unique symbol;
/**
 * A scalar field in a path proxy: it has no fields of its own.
 *
 * @example
 * pathOf(Deployment, (o) => o.spec.replicas); // o.spec.replicas: PathLeaf<number>
 */
export interface PathLeaf<T> {
  readonly [leafBrand]: T;
}
/**
 * A field whose schema accepts anything (preserved unknown fields): every name is allowed.
 *
 * @example
 * pathOf(CustomResourceDefinition, (o) => o.spec.versions[0].schema.openAPIV3Schema.properties["spec"]!.type);
 */
export interface PathAny {
  readonly [key: string]: PathAny;
}

type Indexes<N extends number, Acc extends number[] = []> = Acc["length"] extends N ? Acc[number] : Indexes<N, [...Acc, Acc["length"]]>;
/** Literal indexes 0…99 are declared so that `containers[0]` is not `| undefined` under `noUncheckedIndexedAccess`. */
type ListIndex = Indexes<100>;

/**
 * The proxy type {@link pathOf} hands to a selector: every field required, lists indexable, maps
 * keyable, scalars opaque, so a misspelled field is a compile error.
 *
 * @example
 * const pick = (o: PathProxy<Deployment>) => o.spec.template.spec.containers[0].image;
 */
export type PathProxy<T> = unknown extends T
  ? PathAny
  : T extends readonly (infer E)[]
    ? { readonly [I in ListIndex]: PathProxy<NonNullable<E>> } & { readonly [index: number]: PathProxy<NonNullable<E>> }
    : T extends string | number | boolean | bigint | symbol
      ? PathLeaf<T>
      : T extends object
        ? { readonly [K in keyof T]-?: PathProxy<NonNullable<T[K]>> }
        : PathLeaf<T>;

const PATH = Symbol("kubezod.pickedPath");

function describe(segments: readonly PickSegment[]): string {
  let out = "";
  for (const s of segments) {
    if (typeof s === "number") out += `[${s}]`;
    else if (typeof s === "string") out += /^[A-Za-z_$][\w$-]*$/.test(s) ? (out ? "." : "") + s : `[${s}]`;
    else out += `[${Object.entries(s.key).map(([k, v]) => `${k}=${String(v)}`).join(",")}]`;
  }
  return out;
}

function pointerOf(segments: readonly PickSegment[]): string {
  return toPointer(segments.map((s) => (typeof s === "object" ? s.index : s)));
}

/** Build a {@link PickedPath} from segments. */
export function pickedPath(segments: readonly PickSegment[]): PickedPath {
  const frozen = Object.freeze([...segments]);
  return { segments: frozen, pointer: pointerOf(frozen), toString: () => describe(frozen) };
}

/** The key fields that identify an element of a list field, or undefined for unkeyed lists. */
export function keyFieldsOf(listSchema: z.core.$ZodType): string[] | undefined {
  const m = metaOf(listSchema);
  if (m.patchMergeKey) return [m.patchMergeKey];
  if (m.listType === "map" && m.listMapKeys?.length) return [...m.listMapKeys];
  return undefined;
}

/** The element of `list` that `key` names, or -1. */
export function findKeyed(list: readonly unknown[], key: Readonly<Record<string, JsonPrimitive>>): number {
  const fields = Object.keys(key);
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    if (!isJsonObject(item)) continue;
    if (fields.every((f) => hasOwn(item, f) && deepEqual(item[f], key[f]))) return i;
  }
  return -1;
}

function fail(where: readonly PickSegment[], message: string): never {
  throw new KubeError(`pathOf: ${where.length ? describe(where) : "the object"} ${message}`);
}

interface Cursor {
  schema: z.core.$ZodType | undefined;
  segments: PickSegment[];
  /** The value at this point of the given object; `missing` when there is none. */
  value: unknown;
  hasObject: boolean;
}

const MISSING = Symbol("missing");

function step(c: Cursor, prop: string): Cursor {
  const here = c.segments;
  const child = (schema: z.core.$ZodType | undefined, seg: PickSegment, value: unknown): Cursor => ({ schema, segments: [...here, seg], value, hasObject: c.hasObject });
  const member = (v: unknown, k: string) => (isJsonObject(v) && hasOwn(v, k) ? v[k] : MISSING);
  if (!c.schema) return child(undefined, prop, member(c.value, prop));
  const type = nodeType(c.schema);
  switch (type) {
    case "object": {
      const shape = shapeOf(c.schema) ?? {};
      if (hasOwn(shape, prop)) return child(shape[prop], prop, member(c.value, prop));
      const rest = catchallOf(c.schema);
      const restType = rest ? nodeType(rest) : "never";
      if (rest && restType !== "never" && restType !== "unknown") return child(rest, prop, member(c.value, prop));
      const names = Object.keys(shape).sort();
      return fail(here, `has no field "${prop}"; its fields are: ${names.join(", ")}`);
    }
    case "record":
      return child(valuesOf(c.schema), prop, member(c.value, prop));
    case "array": {
      if (!/^(0|[1-9]\d*)$/.test(prop)) return fail(here, `is a list: "${prop}" is not an index`);
      const index = Number(prop);
      const element = elementOf(c.schema);
      const fields = keyFieldsOf(c.schema);
      if (!c.hasObject) return child(element, index, MISSING);
      const list = c.value;
      if (!Array.isArray(list)) return fail(here, `is not in the given object, so item ${index} cannot be resolved`);
      if (index >= list.length) return fail(here, `has ${list.length} items in the given object; there is no item ${index}`);
      const item = list[index] as unknown;
      if (!fields) return child(element, index, item);
      const key: Record<string, JsonPrimitive> = {};
      for (const f of fields) {
        const v = isJsonObject(item) && hasOwn(item, f) ? item[f] : undefined;
        if (v === undefined) continue;
        if (typeof v === "object" && v !== null) return fail([...here, index], `has a non-scalar key field "${f}"`);
        key[f] = v;
      }
      if (Object.keys(key).length === 0) return fail([...here, index], `has no key field (${fields.join(", ")}) in the given object`);
      return child(element, { key, index }, item);
    }
    case "unknown":
    case "any":
      return child(undefined, prop, member(c.value, prop));
    default:
      return fail(here, `is a ${type}; it has no field "${prop}"`);
  }
}

function proxyFor(c: Cursor): unknown {
  return new Proxy(Object.create(null) as object, {
    get(_target, prop) {
      if (prop === PATH) return c.segments;
      if (typeof prop === "symbol") return undefined;
      return proxyFor(step(c, prop));
    },
    has(_target, prop) {
      return prop === PATH;
    },
  });
}

/**
 * Pick a path through a schema with a typed selector. The proxy is built from the schema's shape:
 * a field the schema does not have is a compile error, and at run time throws at once, listing the
 * valid fields. Map keys (`o.metadata.labels["app"]`) and list indexes work. When `object` is given
 * and the path goes through a keyed list (a patch merge key or list-map keys in the schema), the index
 * becomes an {@link ElementKey} naming the element by key, so a patch addresses it by key, not position.
 *
 * @example
 * import { pathOf } from "kubezod";
 * import { Deployment } from "kubezod/k8s";
 * const image = pathOf(Deployment, (o) => o.spec.template.spec.containers[0].image, deployment);
 * image.pointer;    // "/spec/template/spec/containers/0/image"
 * String(image);    // "spec.template.spec.containers[name=web].image"
 */
export function pathOf<S extends z.core.$ZodType>(schema: S, pick: (o: PathProxy<z.output<S>>) => unknown, object?: unknown): PickedPath {
  const root: Cursor = { schema: unwrap(schema), segments: [], value: object === undefined ? MISSING : object, hasObject: object !== undefined };
  const picked = pick(proxyFor(root) as PathProxy<z.output<S>>);
  const segments = typeof picked === "object" && picked !== null ? (picked as Record<symbol, unknown>)[PATH] : undefined;
  if (!Array.isArray(segments)) throw new KubeError("pathOf: the selector must return a field of its argument, e.g. (o) => o.spec.replicas");
  return pickedPath(segments as PickSegment[]);
}

/** Normalise the path forms the diff functions accept into segment lists. */
export function segmentsOf(path: PickedPathLike): readonly PickSegment[] {
  if (typeof path === "string") {
    const tokens = path === "" ? [] : path.startsWith("/") ? path.slice(1).split("/").map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~")) : undefined;
    if (!tokens) throw new KubeError(`"${path}" is not a JSON Pointer`);
    return tokens;
  }
  if (Array.isArray(path)) return path as readonly PickSegment[];
  return (path as PickedPath).segments;
}
