/**
 * JSON merge patch (RFC 7396, formerly 7386): objects merge member by member, `null` deletes a
 * member, every other value (lists included) replaces what was there.
 */
import { PatchError } from "./errors.js";
import { cloneJson, deepEqual, hasOwn, isJsonObject, setOwn, type JsonObject, type JsonValue } from "./json.js";
import { pickChanges, type PickedPathLike } from "./pick.js";

/**
 * Options of {@link applyMergePatch}.
 *
 * @example
 * applyMergePatch(stored, patch, { compat: "kubernetes" });
 */
export interface ApplyMergePatchOptions {
  /**
   * `"kubernetes"` merges as kube-apiserver does (evanphx/json-patch): `null` members inside a
   * value that is added, or inside a list replacing a list or scalar (or the whole document), are
   * dropped as well; a `null`, string, number or boolean patch, or a `null` document, is refused
   * with a {@link PatchError} ("Invalid JSON Patch", "Invalid JSON Document").
   */
  compat?: "rfc7396" | "kubernetes";
}

/** evanphx/json-patch's pruneNulls: null members go, null list items stay. */
function pruneNulls(v: JsonValue): JsonValue {
  if (Array.isArray(v)) return v.map((item) => (item === null ? null : pruneNulls(item)));
  if (isJsonObject(v)) {
    const out: JsonObject = {};
    for (const k of Object.keys(v)) {
      const item = v[k] as JsonValue;
      if (item !== null) setOwn(out, k, pruneNulls(item));
    }
    return out;
  }
  return v;
}

/** RFC 7396 section 2, on private copies. */
function mergeInto(target: JsonValue, patch: JsonValue, kube: boolean): JsonValue {
  if (!isJsonObject(patch)) return kube && !isJsonObject(target) ? pruneNulls(patch) : patch;
  const out: JsonObject = isJsonObject(target) ? target : {};
  for (const k of Object.keys(patch)) {
    const value = patch[k] as JsonValue;
    if (value === null) {
      delete out[k];
      continue;
    }
    const current = hasOwn(out, k) ? (out[k] as JsonValue) : null;
    if (current === null) setOwn(out, k, kube ? pruneNulls(value) : mergeInto(null, value, false));
    else setOwn(out, k, mergeInto(current, value, kube));
  }
  return out;
}

/**
 * Apply a JSON merge patch. The inputs are not changed; the result shares nothing with them.
 *
 * @example
 * import { applyMergePatch } from "kubezod";
 * applyMergePatch({ metadata: { labels: { a: "1", b: "2" } } }, { metadata: { labels: { b: null, c: "3" } } });
 * // { metadata: { labels: { a: "1", c: "3" } } }
 */
export function applyMergePatch<T>(doc: T, patch: unknown, options: ApplyMergePatchOptions = {}): T {
  const target = cloneJson(doc);
  const body = cloneJson(patch);
  if (options.compat !== "kubernetes") return mergeInto(target, body, false) as T;
  // evanphx's MergePatch: a null document or a patch that is neither object nor list is refused,
  // and a list patch replaces the document with its nulls pruned.
  if (target === null) throw new PatchError("merge", "Invalid JSON Document");
  if (typeof body !== "object" || body === null) throw new PatchError("merge", "Invalid JSON Patch");
  return (Array.isArray(body) ? pruneNulls(body) : mergeInto(target, body, true)) as T;
}

/**
 * Options of {@link mergePatchDiff}.
 *
 * @example
 * mergePatchDiff(live, edited, { paths: ["/spec/replicas"] });
 */
export interface MergePatchDiffOptions {
  /** Keep only the changes under these paths (from {@link pathOf}, or segment lists). */
  paths?: readonly PickedPathLike[];
}

function diffValues(a: JsonValue, b: JsonValue): JsonValue | undefined {
  if (deepEqual(a, b)) return undefined;
  if (!isJsonObject(a) || !isJsonObject(b)) return cloneJson(b);
  const out: JsonObject = {};
  for (const k of Object.keys(a)) if (!hasOwn(b, k) || b[k] === undefined) setOwn(out, k, null);
  for (const k of Object.keys(b)) {
    const vb = b[k];
    if (vb === undefined) continue;
    if (!hasOwn(a, k) || a[k] === undefined) {
      setOwn(out, k, cloneJson(vb));
      continue;
    }
    const d = diffValues(a[k] as JsonValue, vb);
    if (d !== undefined) setOwn(out, k, d);
  }
  return out;
}

/**
 * The JSON merge patch that turns `a` into `b`: changed members, `null` for removed ones, whole
 * lists where a list changed. Returns `{}` when nothing changed. (A member whose new value is
 * `null` cannot be expressed in a merge patch; it is removed.)
 *
 * @example
 * import { mergePatchDiff } from "kubezod";
 * mergePatchDiff({ spec: { replicas: 1, paused: true } }, { spec: { replicas: 2 } });
 * // { spec: { paused: null, replicas: 2 } }
 */
export function mergePatchDiff(a: unknown, b: unknown, options: MergePatchDiffOptions = {}): JsonValue {
  const base = cloneJson(a);
  const target = options.paths ? pickChanges(base, b, options.paths) : cloneJson(b);
  const d = diffValues(base, target);
  return d === undefined ? {} : d;
}
