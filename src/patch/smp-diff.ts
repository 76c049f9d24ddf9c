/**
 * Computing strategic merge patches as client-go does: the two-way patch
 * (CreateTwoWayMergePatch) and the three-way patch `kubectl apply` sends (CreateThreeWayMergePatch),
 * with its conflict check, following k8s.io/apimachinery/pkg/util/strategicpatch step by step.
 */
import type * as z from "zod";
import { stringifyYaml } from "../yaml/text.js";
import { PatchConflictError, PatchError } from "./errors.js";
import { applyJsonPatchShared, type JsonPatchOperation } from "./json-patch.js";
import { cloneJson, compareGoStrings, deepEqual, goFormat, goType, hasOwn, isJsonObject, setOwn, type GoType, type JsonObject, type JsonValue } from "./json.js";
import { lookupSlice, lookupStruct } from "./patch-meta.js";
import { pickChanges, type PickedPathLike } from "./pick.js";
import { DELETE_PREFIX, DIRECTIVE, ORDER_PREFIX, RETAIN_KEYS, deduplicateScalars, errors, mergeMap, sliceElementType } from "./smp-apply.js";


type Schema = z.core.$ZodType | undefined;

interface DiffOptions {
  setElementOrder: boolean;
  ignoreChangesAndAdditions: boolean;
  ignoreDeletions: boolean;
  buildRetainKeysDirective: boolean;
}

const smpError = (message: string) => new PatchError("strategic", message);

/** Go sorts scalars by their `%v` text. */
function sortScalars(s: JsonValue[]): JsonValue[] {
  return s
    .map((v, i) => ({ v, t: goFormat(v), i }))
    .sort((a, b) => compareGoStrings(a.t, b.t) || a.i - b.i)
    .map((x) => x.v);
}

/** Stable order of `list` by position in `order` (every item is in it). */
function inOrderOf(list: JsonValue[], order: readonly JsonValue[], key: (v: JsonValue) => JsonValue): JsonValue[] {
  const pos = new Map<JsonValue, number>();
  for (let i = 0; i < order.length; i++) {
    const k = key(order[i] as JsonValue);
    if (!pos.has(k)) pos.set(k, i);
  }
  return list
    .map((v, i) => ({ v, p: pos.get(key(v)) ?? -1, i }))
    .sort((a, b) => (a.p >= 0 && b.p >= 0 ? a.p - b.p : 0) || a.i - b.i)
    .map((x) => x.v);
}

function validateMergeKeys(mergeKey: string, ...lists: readonly JsonValue[][]): void {
  for (const list of lists) {
    for (const item of list) {
      if (!isJsonObject(item)) throw errors.badArgType("map[string]interface {}", item);
      if (!hasOwn(item, mergeKey)) throw errors.noMergeKey(item, mergeKey);
    }
  }
}

function isOrderSame(original: JsonValue[], modified: JsonValue[], mergeKey: string): boolean {
  if (original.length !== modified.length) return false;
  for (let i = 0; i < modified.length; i++) {
    const l = original[i];
    const r = modified[i];
    if (!isJsonObject(l)) throw errors.badArgType("map[string]interface {}", l);
    if (!isJsonObject(r)) throw errors.badArgType("map[string]interface {}", r);
    if (!hasOwn(l, mergeKey)) throw errors.noMergeKey(l, mergeKey);
    if (!hasOwn(r, mergeKey)) throw errors.noMergeKey(r, mergeKey);
    if (l[mergeKey] !== r[mergeKey]) return false;
  }
  return true;
}

function diffListsOfScalars(original: JsonValue[], modified: JsonValue[], opts: DiffOptions): [JsonValue[], JsonValue[]] {
  const o = sortScalars(original);
  const m = sortScalars(modified);
  const add: JsonValue[] = [];
  const del: JsonValue[] = [];
  let oi = 0;
  let mi = 0;
  const os = o.map((v) => goFormat(v));
  const ms = m.map((v) => goFormat(v));
  while (oi < o.length || mi < m.length) {
    const oIn = oi < o.length;
    const mIn = mi < m.length;
    const c = oIn && mIn ? compareGoStrings(os[oi] as string, ms[mi] as string) : 0;
    if (oIn && mIn && c === 0) {
      oi++;
      mi++;
    } else if (!oIn || (mIn && c > 0)) {
      if (!opts.ignoreChangesAndAdditions) add.push(m[mi] as JsonValue);
      mi++;
    } else {
      if (!opts.ignoreDeletions) del.push(o[oi] as JsonValue);
      oi++;
    }
  }
  return [add, deduplicateScalars(del)];
}

/** The merge key's `%v` text, which is what Kubernetes sorts and pairs list items by. */
function mergeKeyText(item: JsonValue, mergeKey: string): string {
  return goFormat(isJsonObject(item) && hasOwn(item, mergeKey) ? item[mergeKey] : null);
}

function diffListsOfMaps(original: JsonValue[], modified: JsonValue[], schema: Schema, mergeKey: string, opts: DiffOptions): [JsonValue[], JsonValue[]] {
  const sortByKey = (list: JsonValue[]) =>
    list
      .map((v, i) => ({ v, t: mergeKeyText(v, mergeKey), i }))
      .sort((a, b) => compareGoStrings(a.t, b.t) || a.i - b.i)
      .map((x) => x.v);
  const os = sortByKey(original);
  const ms = sortByKey(modified);
  const patch: JsonValue[] = [];
  const deletions: JsonValue[] = [];
  const at = (list: JsonValue[], i: number): [JsonObject, JsonValue, string] => {
    const item = list[i] as JsonValue;
    if (!isJsonObject(item)) throw errors.badArgType("map[string]interface {}", item);
    if (!hasOwn(item, mergeKey)) throw errors.noMergeKey(item, mergeKey);
    const value = item[mergeKey] as JsonValue;
    return [item, value, goFormat(value)];
  };
  let oi = 0;
  let mi = 0;
  while (oi < os.length || mi < ms.length) {
    const oIn = oi < os.length;
    const mIn = mi < ms.length;
    const [oItem, oKey, oText] = oIn ? at(os, oi) : [undefined, null, ""];
    const [mItem, mKey, mText] = mIn ? at(ms, mi) : [undefined, null, ""];
    const c = oIn && mIn ? compareGoStrings(oText, mText) : 0;
    if (oIn && mIn && c === 0) {
      const d = diffMaps(oItem as JsonObject, mItem as JsonObject, schema, opts);
      if (Object.keys(d).length > 0) {
        setOwn(d, mergeKey, mKey);
        patch.push(d);
      }
      oi++;
      mi++;
    } else if (!oIn || (mIn && c > 0)) {
      if (!opts.ignoreChangesAndAdditions) patch.push(mItem as JsonObject);
      mi++;
    } else {
      if (!opts.ignoreDeletions) deletions.push({ [mergeKey]: oKey, [DIRECTIVE]: "delete" });
      oi++;
    }
  }
  return [patch, deletions];
}

/** diffLists: the patch list, the primitive deletion list and the `$setElementOrder` list of a merging list. */
function diffLists(original: JsonValue[], modified: JsonValue[], schema: Schema, mergeKey: string, opts: DiffOptions): [JsonValue[], JsonValue[], JsonValue[]] {
  if (original.length === 0) {
    if (modified.length === 0 || opts.ignoreChangesAndAdditions) return [[], [], []];
    return [modified, [], []];
  }
  const kind: GoType = sliceElementType(original, modified);
  if (kind === "map") {
    const [changes, deletions] = diffListsOfMaps(original, modified, schema, mergeKey, opts);
    validateMergeKeys(mergeKey, changes, modified);
    let patchList = inOrderOf(changes, modified, (v) => (v as JsonObject)[mergeKey] as JsonValue);
    const orderSame = isOrderSame(original, modified, mergeKey);
    patchList = [...patchList, ...deletions];
    let order: JsonValue[] = [];
    if (opts.setElementOrder && ((!opts.ignoreChangesAndAdditions && (patchList.length > 0 || !orderSame)) || (!opts.ignoreDeletions && patchList.length > 0))) {
      order = modified.map((v) => ({ [mergeKey]: (v as JsonObject)[mergeKey] as JsonValue }));
    }
    return [patchList, [], order];
  }
  const [add, del] = diffListsOfScalars(original, modified, opts);
  const patchList = inOrderOf(add, modified, (v) => v);
  let order: JsonValue[] = [];
  // client-go compares a copy of `original` it has sorted in place, which loses reorders towards
  // sorted order and adds needless orders for unsorted lists; the list as given is compared here.
  if (opts.setElementOrder && ((!opts.ignoreDeletions && del.length > 0) || (!opts.ignoreChangesAndAdditions && !deepEqual(original, modified)))) order = modified;
  return [patchList, del, order];
}

function lookupOrUnchanged<T>(lookup: () => T, a: JsonValue, b: JsonValue): T | undefined {
  try {
    return lookup();
  } catch (e) {
    if (deepEqual(a, b)) return undefined;
    throw e;
  }
}

function hasAdditionalNewField(original: JsonObject, modified: JsonObject): boolean {
  for (const k of Object.keys(original)) {
    if (original[k] === null) continue;
    if (!hasOwn(modified, k)) return true;
  }
  return false;
}

/** diffMaps: the strategic merge patch from `original` to `modified`. */
function diffMaps(original: JsonObject, modified: JsonObject, schema: Schema, opts: DiffOptions): JsonObject {
  const patch: JsonObject = {};
  const retainKeys: string[] = [];
  for (const key of Object.keys(modified)) {
    const modifiedValue = modified[key] as JsonValue;
    if (opts.buildRetainKeysDirective && modifiedValue !== null) retainKeys.push(key);
    if (!hasOwn(original, key)) {
      if (!opts.ignoreChangesAndAdditions) setOwn(patch, key, modifiedValue);
      continue;
    }
    const originalValue = original[key] as JsonValue;
    if (key === DIRECTIVE) {
      if (typeof originalValue !== "string" || typeof modifiedValue !== "string") throw smpError(`invalid value for special key: ${DIRECTIVE}`);
      if (originalValue !== modifiedValue) patch[DIRECTIVE] = modifiedValue;
      continue;
    }
    const t = goType(originalValue);
    if (t !== goType(modifiedValue)) {
      if (!opts.ignoreChangesAndAdditions) setOwn(patch, key, modifiedValue);
      continue;
    }
    if (t === "map") {
      const meta = lookupOrUnchanged(() => lookupStruct(schema, key), originalValue, modifiedValue);
      if (!meta) continue;
      if (meta.strategy === "replace") {
        if (!opts.ignoreChangesAndAdditions) setOwn(patch, key, modifiedValue);
      } else if (originalValue !== modifiedValue) {
        const d = diffMaps(originalValue as JsonObject, modifiedValue as JsonObject, meta.schema, { ...opts, buildRetainKeysDirective: meta.retainKeys });
        if (Object.keys(d).length > 0) setOwn(patch, key, d);
      }
    } else if (t === "slice") {
      const meta = lookupOrUnchanged(() => lookupSlice(schema, key), originalValue, modifiedValue);
      if (!meta) continue;
      if (meta.strategy === "merge") {
        const o = originalValue as JsonValue[];
        const m = modifiedValue as JsonValue[];
        if (o === m) continue;
        const [add, del, order] = diffLists(o, m, meta.schema, meta.mergeKey, { ...opts, buildRetainKeysDirective: meta.retainKeys });
        if (add.length > 0) setOwn(patch, key, add);
        if (del.length > 0) patch[`${DELETE_PREFIX}/${key}`] = del;
        if (order.length > 0) patch[`${ORDER_PREFIX}/${key}`] = order;
      } else if (!opts.ignoreChangesAndAdditions && !deepEqual(originalValue, modifiedValue)) {
        setOwn(patch, key, modifiedValue);
      }
    } else if (!opts.ignoreChangesAndAdditions && !deepEqual(originalValue, modifiedValue)) {
      setOwn(patch, key, modifiedValue);
    }
  }
  if (!opts.ignoreDeletions) for (const key of Object.keys(original)) if (!hasOwn(modified, key)) setOwn(patch, key, null);
  if (retainKeys.length > 0 && (Object.keys(patch).length > 0 || hasAdditionalNewField(original, modified))) {
    patch[RETAIN_KEYS] = sortScalars(retainKeys);
  }
  return patch;
}

function objectOrEmpty(v: unknown): JsonObject {
  if (v === undefined || v === null) return {};
  const c = cloneJson(v);
  if (!isJsonObject(c)) throw errors.badJsonDoc();
  return c;
}

/**
 * Options of {@link smpDiff}.
 *
 * @example
 * smpDiff(Deployment, live, edited, { paths: [pathOf(Deployment, (o) => o.spec.replicas)] });
 */
export interface SmpDiffOptions {
  /** Keep only the changes under these paths (from {@link pathOf}, or segment lists, or JSON Pointers). */
  paths?: readonly PickedPathLike[];
}

/**
 * The strategic merge patch that turns `original` into `modified`, as client-go's
 * `CreateTwoWayMergePatch` computes it: changed fields, `null` for removed ones, list items by merge
 * key with `$patch: delete` for removed items, `$deleteFromPrimitiveList/<list>` for removed scalars
 * of merging lists, `$setElementOrder/<list>` when a merging list changed, and `$retainKeys` where the
 * schema asks for it. Returns `{}` when nothing changed.
 *
 * @example
 * import { smpDiff } from "kubezod";
 * import { Deployment } from "kubezod/k8s";
 * smpDiff(Deployment, live, edited);
 * // { spec: { template: { spec: { $setElementOrder/containers: [{ name: "web" }], containers: [{ name: "web", image: "nginx:1.27" }] } } } }
 */
export function smpDiff(schema: z.core.$ZodType, original: unknown, modified: unknown, options: SmpDiffOptions = {}): JsonObject {
  const o = objectOrEmpty(original);
  const m = options.paths ? (pickChanges(o, objectOrEmpty(modified), options.paths) as JsonObject) : objectOrEmpty(modified);
  return diffMaps(o, m, schema, { setElementOrder: true, ignoreChangesAndAdditions: false, ignoreDeletions: false, buildRetainKeysDirective: false });
}

/**
 * Options of {@link smpThreeWay}.
 *
 * @example
 * smpThreeWay(Deployment, lastApplied, manifest, live, { overwrite: true });
 */
export interface SmpThreeWayOptions {
  /**
   * Send the patch even when the live object changed a field the patch also changes (what
   * `kubectl apply` does by default). Without it, such a conflict throws {@link PatchConflictError}
   * (`kubectl apply --overwrite=false`).
   */
  overwrite?: boolean;
}

function sliceOfMapsToMapOfMaps(list: JsonValue[], mergeKey: string): Map<string, JsonValue> {
  const out = new Map<string, JsonValue>();
  for (const v of list) {
    if (!isJsonObject(v)) throw smpError(`invalid element type in merging list:${goFormat(list)}`);
    if (!hasOwn(v, mergeKey)) throw smpError(`cannot find merge key \`${mergeKey}\` in merging list element:${goFormat(v)}`);
    out.set(goFormat(v[mergeKey], "s"), v);
  }
  return out;
}

function fieldsHaveConflicts(left: JsonValue, right: JsonValue, schema: Schema, strategy: string, mergeKey: string): boolean {
  const t = goType(left);
  if (t === "map") {
    if (!isJsonObject(right)) return true;
    const l = left as JsonObject;
    const okL = hasOwn(l, DIRECTIVE);
    const okR = hasOwn(right, DIRECTIVE);
    if (okL || okR) {
      if (okL !== okR) return true;
      if (!deepEqual(l[DIRECTIVE], right[DIRECTIVE])) return true;
    }
    if (strategy === "replace") return false;
    return mapsHaveConflicts(l, right, schema);
  }
  if (t === "slice") {
    if (!Array.isArray(right)) return true;
    return slicesHaveConflicts(left as JsonValue[], right, schema, strategy, mergeKey);
  }
  return !deepEqual(left, right);
}

function mapsHaveConflicts(left: JsonObject, right: JsonObject, schema: Schema): boolean {
  for (const key of Object.keys(left)) {
    if (key === DIRECTIVE || key === RETAIN_KEYS || !hasOwn(right, key)) continue;
    const lv = left[key] as JsonValue;
    let sub: Schema;
    let strategy = "";
    let mergeKey = "";
    if (Array.isArray(lv)) ({ schema: sub, strategy, mergeKey } = lookupSlice(schema, key));
    else if (isJsonObject(lv)) ({ schema: sub, strategy, mergeKey } = lookupStruct(schema, key));
    if (fieldsHaveConflicts(lv, right[key] as JsonValue, sub, strategy, mergeKey)) return true;
  }
  return false;
}

function slicesHaveConflicts(left: JsonValue[], right: JsonValue[], schema: Schema, strategy: string, mergeKey: string): boolean {
  const kind = sliceElementType(left, right);
  if (strategy === "merge") {
    if (kind !== "map") return false;
    const l = sliceOfMapsToMapOfMaps(left, mergeKey);
    const r = sliceOfMapsToMapOfMaps(right, mergeKey);
    for (const [k, lv] of l) {
      const rv = r.get(k);
      if (rv !== undefined && fieldsHaveConflicts(lv, rv, schema, "", "")) return true;
    }
    return false;
  }
  if (left.length !== right.length) return true;
  let l = left;
  let r = right;
  if (kind !== "map") {
    l = sortScalars(deduplicateScalars(left.slice()));
    r = sortScalars(deduplicateScalars(right.slice()));
  }
  for (let i = 0; i < l.length; i++) if (fieldsHaveConflicts(l[i] as JsonValue, r[i] as JsonValue, schema, "", "")) return true;
  return false;
}

/**
 * The three-way strategic merge patch `kubectl apply` sends (client-go's
 * `CreateThreeWayMergePatch`): the changes from `current` (the live object) to `modified` (the new
 * configuration) without deletions, plus the deletions from `original` (the last applied
 * configuration, or undefined) to `modified`. Fields only the server or other clients set are left
 * alone. A field changed both from original to current and by the patch throws
 * {@link PatchConflictError}, unless `overwrite` is true.
 *
 * @example
 * import { smpThreeWay } from "kubezod";
 * import { Deployment } from "kubezod/k8s";
 * const patch = smpThreeWay(Deployment, lastApplied, manifest, live, { overwrite: true }); // as `kubectl apply`
 */
export function smpThreeWay(schema: z.core.$ZodType, original: unknown, modified: unknown, current: unknown, options: SmpThreeWayOptions = {}): JsonObject {
  const o = objectOrEmpty(original);
  const m = objectOrEmpty(modified);
  const c = objectOrEmpty(current);
  const delta = diffMaps(c, m, schema, { ignoreDeletions: true, setElementOrder: true, ignoreChangesAndAdditions: false, buildRetainKeysDirective: false });
  const deletions = diffMaps(o, m, schema, { setElementOrder: true, ignoreChangesAndAdditions: true, ignoreDeletions: false, buildRetainKeysDirective: false });
  const patch = cloneJson(mergeMap(deletions, delta, schema, { mergeParallelList: false, ignoreUnmatchedNulls: false })) as JsonObject;
  if (!options.overwrite) {
    const changed = diffMaps(o, c, schema, { setElementOrder: false, ignoreChangesAndAdditions: false, ignoreDeletions: false, buildRetainKeysDirective: false });
    if (mapsHaveConflicts(patch, changed, schema)) {
      const yaml = (v: JsonObject) => stringifyYaml(v, { sortKeys: true, seqNoIndent: true });
      throw new PatchConflictError(`patch:\n${yaml(patch)}\nconflicts with changes made from original to current:\n${yaml(changed)}\n`, patch, changed);
    }
  }
  return patch;
}

/**
 * Convert RFC 6902 operations on `original` into the equivalent strategic merge patch, walking the
 * schema for merge keys: changes inside merge-keyed lists address items by key, removed items
 * become `$patch: delete`, reorders become `$setElementOrder/<list>`, removals from merging lists of
 * scalars become `$deleteFromPrimitiveList/<list>`, lists without a merge key are sent whole. The
 * patch covers exactly what the operations change; `test` operations are checked against `original`.
 *
 * @example
 * import { jsonPatchToSmp } from "kubezod";
 * import { Deployment } from "kubezod/k8s";
 * jsonPatchToSmp(Deployment, deployment, [{ op: "remove", path: "/spec/template/spec/containers/0" }]);
 * // { spec: { template: { spec: { $setElementOrder/containers: [{ name: "sidecar" }], containers: [{ name: "web", $patch: "delete" }] } } } }
 */
export function jsonPatchToSmp(schema: z.core.$ZodType, original: unknown, ops: readonly JsonPatchOperation[]): JsonObject {
  const o = objectOrEmpty(original);
  const m = applyJsonPatchShared(o, ops);
  if (!isJsonObject(m)) throw new PatchError("strategic", "the JSON patch does not leave an object, which a strategic merge patch cannot express", 422);
  return cloneJson(diffMaps(o, m, schema, { setElementOrder: true, ignoreChangesAndAdditions: false, ignoreDeletions: false, buildRetainKeysDirective: false })) as JsonObject;
}
