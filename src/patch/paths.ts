/**
 * Paths in every form the client takes — pickers, picked paths, JSON Pointers, dotted paths — turned
 * into segments and checked against a schema; and `setAt`, an immutable set-at-path (kubesdk's
 * `replace_`).
 */
import type * as z from "zod";
import { UsageError } from "../errors.js";
import { childSchema } from "../meta/walk.js";
import { cloneJson, isJsonObject, setOwn, type JsonPrimitive, type JsonValue } from "./json.js";
import { findKeyed, pathOf, segmentsOf, type ElementKey, type PathProxy, type PickedPathLike, type PickSegment } from "./path.js";

/** A path in any form: a picker, a picked path, segments, a JSON Pointer or a dotted path. @example const p: AnyPath<Deployment> = "spec.template.spec.containers[name=web].image"; */
export type AnyPath<T> = PickedPathLike | ((o: PathProxy<T>) => unknown);

const RECORD = Symbol("path");

/** A proxy that records the properties a picker walks through (no schema: indexes are numbers). */
function recorder(segments: PickSegment[]): unknown {
  return new Proxy(
    {},
    {
      get(_t, prop) {
        if (prop === RECORD) return segments;
        if (typeof prop === "symbol") return undefined;
        return recorder([...segments, /^(0|[1-9]\d*)$/.test(prop) ? Number(prop) : prop]);
      },
    },
  );
}

/**
 * A dotted path as segments: `spec.replicas`, `spec.containers[0].image`,
 * `spec.containers[name=web].image`, `metadata.labels[app.kubernetes.io/name]`.
 *
 * @example
 * dottedSegments("spec.containers[name=web].image"); // ["spec", "containers", { key: { name: "web" }, index: -1 }, "image"]
 */
export function dottedSegments(path: string): PickSegment[] {
  const out: PickSegment[] = [];
  const re = /([^.[\]]+)|\[([^\]]*)\]/g;
  let last = 0;
  for (const m of path.matchAll(re)) {
    const between = path.slice(last, m.index);
    if (between !== "" && between !== ".") throw new UsageError(`cannot read the path ${JSON.stringify(path)}`);
    last = m.index + m[0].length;
    if (m[1] !== undefined) out.push(m[1]);
    else {
      const inner = m[2]!;
      const eq = inner.indexOf("=");
      if (/^(0|[1-9]\d*)$/.test(inner)) out.push(Number(inner));
      else if (eq > 0) out.push({ key: { [inner.slice(0, eq)]: inner.slice(eq + 1) as JsonPrimitive }, index: -1 } satisfies ElementKey);
      else out.push(inner);
    }
  }
  if (last !== path.length) throw new UsageError(`cannot read the path ${JSON.stringify(path)}`);
  return out;
}

/**
 * The segments of a path in any form. A picker is resolved against `schema` (keyed list elements
 * by their merge key, using `object`) when given, else by property names.
 *
 * @example
 * pathSegments("/spec/replicas"); // ["spec", "replicas"]
 * pathSegments("spec.replicas");  // ["spec", "replicas"]
 */
export function pathSegments<T>(path: AnyPath<T>, schema?: z.core.$ZodType, object?: unknown): readonly PickSegment[] {
  if (typeof path === "function") {
    if (schema) return pathOf(schema, path as (o: PathProxy<unknown>) => unknown, object).segments;
    const picked = (path as (o: unknown) => unknown)(recorder([]));
    const segments = typeof picked === "object" && picked !== null ? (picked as Record<symbol, unknown>)[RECORD] : undefined;
    if (!Array.isArray(segments)) throw new UsageError("the picker must return a field of its argument, e.g. (o) => o.spec.replicas");
    return segments as PickSegment[];
  }
  if (typeof path === "string" && !path.startsWith("/") && path !== "") return dottedSegments(path);
  return segmentsOf(path);
}

/** `spec.containers[name=web].image` */
function show(segments: readonly PickSegment[]): string {
  let out = "";
  for (const s of segments) {
    if (typeof s === "number") out += `[${s}]`;
    else if (typeof s === "object") out += `[${Object.entries(s.key).map(([k, v]) => `${k}=${String(v)}`).join(",")}]`;
    else out += out ? `.${s}` : s;
  }
  return out || "(root)";
}

/**
 * Check that a path exists in a schema; a `UsageError` names the first step that does not.
 *
 * @example
 * checkPath(Deployment, ["spec", "replcas"], "Deployment"); // throws: spec.replcas is not a field of Deployment
 */
export function checkPath(schema: z.core.$ZodType, segments: readonly PickSegment[], what: string): void {
  let s: z.core.$ZodType | undefined = schema;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    s = childSchema(s, typeof seg === "object" ? 0 : seg);
    if (!s) throw new UsageError(`${show(segments.slice(0, i + 1))} is not a field of ${what}`);
  }
}

/**
 * A copy of `obj` with `value` at `path` (missing parents created; `undefined` removes the field):
 * only the objects along the path are copied, the rest is shared. kubesdk's `replace_`.
 *
 * @example
 * const scaled = setAt(deployment, (d) => d.spec.replicas, 3);
 * const tagged = setAt(deployment, "metadata.labels[app.kubernetes.io/version]", "1.2");
 */
export function setAt<T>(obj: T, path: AnyPath<T>, value: unknown): T {
  const segments = pathSegments(path);
  if (!segments.length) return cloneJson(value as JsonValue) as T;
  return put(obj as JsonValue, segments, 0, value === undefined ? undefined : cloneJson(value as JsonValue)) as T;
}

function put(node: JsonValue | undefined, segments: readonly PickSegment[], i: number, value: JsonValue | undefined): JsonValue {
  const seg = segments[i]!;
  const last = i === segments.length - 1;
  if (typeof seg === "number" || typeof seg === "object") {
    const list = Array.isArray(node) ? [...node] : [];
    let at = typeof seg === "number" ? seg : findKeyed(list, seg.key);
    if (at < 0) {
      at = list.length;
      list.push(typeof seg === "object" ? ({ ...seg.key } as JsonValue) : {});
    }
    if (last) {
      if (value === undefined) list.splice(at, 1);
      else list[at] = value;
    } else list[at] = put(list[at], segments, i + 1, value);
    return list;
  }
  const out: Record<string, JsonValue> = isJsonObject(node) ? { ...node } : {};
  if (last) {
    if (value === undefined) delete out[seg];
    else setOwn(out, seg, value);
  } else setOwn(out, seg, put(out[seg], segments, i + 1, value));
  return out;
}
