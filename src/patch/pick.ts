/**
 * Restricting a change to picked paths: the base object with only the values at those paths taken
 * from the modified one.
 */
import { cloneJson, hasOwn, isJsonObject, setOwn, type JsonObject, type JsonValue } from "./json.js";
import { findKeyed, segmentsOf, type PickedPathLike, type PickSegment } from "./path.js";

export type { PickedPathLike } from "./path.js";

type Container = JsonObject | JsonValue[];

/** Where a segment points inside a container: a member name or an index (-1 when absent). */
function locate(container: JsonValue | undefined, seg: PickSegment): string | number | undefined {
  if (Array.isArray(container)) {
    if (typeof seg === "object") return findKeyed(container, seg.key);
    const n = typeof seg === "number" ? seg : /^(0|[1-9]\d*)$/.test(seg) ? Number(seg) : NaN;
    if (!Number.isInteger(n)) return undefined;
    return n < container.length ? n : -1;
  }
  if (isJsonObject(container) && typeof seg !== "object") return String(seg);
  return undefined;
}

function read(container: JsonValue | undefined, at: string | number | undefined): JsonValue | undefined {
  if (at === undefined || container === undefined) return undefined;
  if (Array.isArray(container)) return typeof at === "number" && at >= 0 ? container[at] : undefined;
  if (isJsonObject(container) && typeof at === "string" && hasOwn(container, at)) return container[at];
  return undefined;
}

/** A container to stand in for a missing step: an object (carrying the key fields for a keyed element) or a list. */
function skeleton(seg: PickSegment, like: JsonValue | undefined): Container {
  if (Array.isArray(like)) return [];
  const out: JsonObject = {};
  if (typeof seg === "object") for (const [k, v] of Object.entries(seg.key)) setOwn(out, k, v);
  return out;
}

function put(container: Container, seg: PickSegment, at: string | number | undefined, value: JsonValue): void {
  if (Array.isArray(container)) {
    if (typeof at === "number" && at >= 0) container[at] = value;
    else container.push(value);
  } else setOwn(container, typeof at === "string" ? at : String(seg), value);
}

function remove(container: Container, at: string | number | undefined): void {
  if (Array.isArray(container)) {
    if (typeof at === "number" && at >= 0) container.splice(at, 1);
  } else if (typeof at === "string") delete container[at];
}

/** Remove the value at `segments` below `container`, if it is there. */
function removeLeaf(container: JsonValue, segments: readonly PickSegment[]): void {
  let cur: JsonValue | undefined = container;
  for (let i = 0; i < segments.length; i++) {
    if (!isJsonObject(cur) && !Array.isArray(cur)) return;
    const at = locate(cur, segments[i] as PickSegment);
    if (i === segments.length - 1) remove(cur, at);
    else cur = read(cur, at);
  }
}

function takePath(target: JsonValue, modified: JsonValue, segments: readonly PickSegment[]): JsonValue {
  if (segments.length === 0) return cloneJson(modified);
  let tgt = target;
  let mod: JsonValue | undefined = modified;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i] as PickSegment;
    const last = i === segments.length - 1;
    const modAt = locate(mod, seg);
    const modChild = read(mod, modAt);
    if (!isJsonObject(tgt) && !Array.isArray(tgt)) return target;
    const tgtAt = locate(tgt, seg);
    if (modChild === undefined) {
      removeLeaf(tgt, segments.slice(i));
      return target;
    }
    if (last) {
      put(tgt, seg, tgtAt, cloneJson(modChild));
      return target;
    }
    let next = read(tgt, tgtAt);
    if (next === undefined || typeof next !== "object" || next === null || Array.isArray(next) !== Array.isArray(modChild)) {
      next = skeleton(seg, modChild);
      put(tgt, seg, tgtAt, next);
    }
    tgt = next;
    mod = modChild;
  }
  return target;
}

/**
 * `base` with the values at `paths` taken from `modified` (or removed where `modified` lacks them):
 * the change from `base` to the result is the change from `base` to `modified` restricted to those
 * paths. Missing parents are created; a missing keyed list element is created with its key fields.
 *
 * @example
 * import { pickChanges, pathOf } from "kubezod";
 * import { Deployment } from "kubezod/k8s";
 * const next = pickChanges(live, edited, [pathOf(Deployment, (o) => o.spec.replicas)]);
 * // live, with edited's spec.replicas and nothing else
 */
export function pickChanges<T>(base: T, modified: unknown, paths: readonly PickedPathLike[]): T {
  let out = cloneJson(base);
  const mod = cloneJson(modified);
  for (const p of paths) out = takePath(out, mod, segmentsOf(p));
  return out as T;
}
