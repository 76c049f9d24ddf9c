/**
 * Applying a Kubernetes strategic merge patch, following k8s.io/apimachinery/pkg/util/strategicpatch
 * (mergeMap, mergeSlice, normalizeElementOrder, …) step by step, with the patch metadata read off
 * the schema. The results, the order of list items and the error texts are Kubernetes' own; lookups
 * that Kubernetes does by scanning lists are done through indexes, so cost grows linearly.
 */
import type * as z from "zod";
import { PatchError } from "./errors.js";
import { goSliceStable } from "./go-sort.js";
import { cloneJson, deepEqual, goFormat, goType, goTypeName, hasOwn, isJsonObject, setOwn, type GoType, type JsonObject, type JsonValue } from "./json.js";
import { itemKindName, lookupSlice, lookupStruct } from "./patch-meta.js";

export const DIRECTIVE = "$patch";
export const RETAIN_KEYS = "$retainKeys";
export const DELETE_PREFIX = "$deleteFromPrimitiveList";
export const ORDER_PREFIX = "$setElementOrder";

type Schema = z.core.$ZodType | undefined;

export interface MergeOptions {
  /** Apply `$deleteFromPrimitiveList` and `$retainKeys` (true when patching an object; false when merging two patches). */
  mergeParallelList: boolean;
  /** Drop `null`s that match nothing (true when patching an object). */
  ignoreUnmatchedNulls: boolean;
}

const smpError = (message: string, status: 400 | 422 | 500 = 500) => new PatchError("strategic", message, status);

export const errors = {
  badJsonDoc: () => smpError("invalid JSON document", 400),
  noListOfLists: () => smpError("lists of lists are not supported", 422),
  badPrimitiveList: () => smpError("invalid patch format of primitive list", 400),
  badRetainKeys: () => smpError("invalid patch format of retainKeys", 400),
  badSetElementOrder: () => smpError("invalid patch format of setElementOrder list", 400),
  noMergeKey: (m: unknown, key: string) => smpError(`map: ${goFormat(m)} does not contain declared merge key: ${key}`),
  badArgType: (expected: "map[string]interface {}" | "[]interface {}", actual: unknown) => smpError(`expected a ${expected}, but received a ${goTypeName(actual)}`),
  badPatchType: (t: unknown, m: unknown) => smpError(`unknown patch type: ${goFormat(t, "s")} in map: ${goFormat(m)}`),
  notAMap: (index: number) => smpError(`value for key ${index} is not a map`),
  unhashable: () => smpError("runtime error: hash of unhashable type map[string]interface {}"),
  nilElement: () => smpError("runtime error: invalid memory address or nil pointer dereference"),
};

/** The key of a list item that Kubernetes compares: the merge key's value for maps (nil when absent), the item itself otherwise. */
function keyOf(item: JsonValue, mergeKey: string, kind: GoType): JsonValue {
  if (kind !== "map") return item;
  return isJsonObject(item) && hasOwn(item, mergeKey) ? (item[mergeKey] as JsonValue) : null;
}

/** First index of each key in `list`, as `index()` would find it by scanning. */
function indexer(list: readonly JsonValue[], mergeKey: string, kind: GoType): Map<JsonValue, number> {
  const m = new Map<JsonValue, number>();
  for (let i = 0; i < list.length; i++) {
    const k = keyOf(list[i] as JsonValue, mergeKey, kind);
    if (!m.has(k)) m.set(k, i);
  }
  return m;
}

/** The one Go type of the items of all lists; errors as sliceElementType does. */
export function sliceElementType(...lists: readonly JsonValue[][]): GoType {
  let prev: GoType | undefined;
  for (const list of lists) {
    for (const v of list) {
      const t = goType(v);
      if (prev === undefined) {
        if (t === "nil") throw errors.nilElement();
        if (t === "slice") throw errors.noListOfLists();
        prev = t;
      } else if (prev !== t) {
        throw smpError(`list element types are not identical: ${goFormat(lists)}`);
      }
    }
  }
  if (prev === undefined) throw smpError("no elements in any of the given slices");
  return prev;
}

export function extractKey(s: string, prefix: string): string {
  const slash = s.indexOf("/");
  if (slash < 0 || s.slice(0, slash) !== prefix) {
    if (prefix === DELETE_PREFIX) throw errors.badPrimitiveList();
    if (prefix === ORDER_PREFIX) throw errors.badSetElementOrder();
    throw smpError(`fail to find unknown prefix "${prefix}" in ${s}\n`);
  }
  return s.slice(slash + 1);
}

function validateMergeKeyInLists(mergeKey: string, ...lists: readonly JsonValue[][]): void {
  for (const list of lists) {
    for (const item of list) {
      if (!isJsonObject(item)) throw errors.badArgType("map[string]interface {}", item);
      if (!hasOwn(item, mergeKey)) throw errors.noMergeKey(item, mergeKey);
    }
  }
}

function extractToDeleteItems(list: readonly JsonValue[]): [JsonValue[], JsonValue[]] {
  const keep: JsonValue[] = [];
  const del: JsonValue[] = [];
  for (const v of list) {
    if (!isJsonObject(v)) throw errors.badArgType("map[string]interface {}", v);
    if (hasOwn(v, DIRECTIVE) && v[DIRECTIVE] === "delete") del.push(v);
    else keep.push(v);
  }
  return [keep, del];
}

/** normalizeSliceOrder: stable-sort `toSort` by position in `order`; delete directives go last. */
function normalizeSliceOrder(toSort: JsonValue[], order: readonly JsonValue[], orderIndex: Map<JsonValue, number>, mergeKey: string, kind: GoType): JsonValue[] {
  let list = toSort;
  let toDelete: JsonValue[] = [];
  if (kind === "map") {
    validateMergeKeyInLists(mergeKey, list, order as JsonValue[]);
    [list, toDelete] = extractToDeleteItems(list);
  }
  const pos = (v: JsonValue) => orderIndex.get(keyOf(v, mergeKey, kind)) ?? -1;
  if (list.every((v) => pos(v) >= 0)) {
    // Every item is in `order`: the comparator is a total order and any stable sort agrees with Go's.
    list = list
      .map((v, i) => ({ v, p: pos(v), i }))
      .sort((a, b) => a.p - b.p || a.i - b.i)
      .map((x) => x.v);
  } else {
    list = list.slice();
    goSliceStable(list, (a, b) => {
      const ia = pos(a);
      if (ia >= 0) {
        const ib = pos(b);
        if (ib >= 0) return ia < ib;
      }
      return true;
    });
  }
  return toDelete.length ? [...list, ...toDelete] : list;
}

/** mergeSortedSlice: interleave server-only items (left) into patch items (right) by live order. */
function mergeSortedSlice(left: JsonValue[], right: JsonValue[], serverIndex: Map<JsonValue, number>, mergeKey: string, kind: GoType): JsonValue[] {
  const out: JsonValue[] = [];
  let i = 0;
  let j = 0;
  const size = left.length + right.length;
  for (let k = 0; k < size; k++) {
    if (i >= left.length && j < right.length) out.push(right[j++] as JsonValue);
    else if (j >= right.length && i < left.length) out.push(left[i++] as JsonValue);
    else {
      const li = serverIndex.get(keyOf(left[i] as JsonValue, mergeKey, kind)) ?? -1;
      const ri = serverIndex.get(keyOf(right[j] as JsonValue, mergeKey, kind)) ?? -1;
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++] as JsonValue);
      else out.push(right[j++] as JsonValue);
    }
  }
  return out;
}

function normalizeElementOrder(patch: JsonValue[], serverOnly: JsonValue[], patchOrder: readonly JsonValue[], serverOrder: readonly JsonValue[], mergeKey: string, kind: GoType): JsonValue[] {
  const sortedPatch = normalizeSliceOrder(patch, patchOrder, indexer(patchOrder, mergeKey, kind), mergeKey, kind);
  const serverIndex = indexer(serverOrder, mergeKey, kind);
  const sortedServer = normalizeSliceOrder(serverOnly, serverOrder, serverIndex, mergeKey, kind);
  return mergeSortedSlice(sortedServer, sortedPatch, serverIndex, mergeKey, kind);
}

function partitionPrimitivesByPresentInList(list: readonly JsonValue[], by: readonly JsonValue[]): [JsonValue[], JsonValue[]] {
  const inPatch = new Set<JsonValue>();
  for (const v of by) {
    if (typeof v === "object" && v !== null) throw errors.unhashable();
    inPatch.add(v);
  }
  const patch: JsonValue[] = [];
  const serverOnly: JsonValue[] = [];
  for (const v of list) {
    if (typeof v === "object" && v !== null) throw errors.unhashable();
    (inPatch.has(v) ? patch : serverOnly).push(v);
  }
  return [patch, serverOnly];
}

function partitionMapsByPresentInList(list: readonly JsonValue[], by: readonly JsonValue[], mergeKey: string): [JsonValue[], JsonValue[]] {
  // findMapInSliceBasedOnKeyValue scans `by` and fails on the first non-map before a match.
  let firstNonMap = -1;
  const firstMatch = new Map<JsonValue, number>();
  for (let i = 0; i < by.length; i++) {
    const v = by[i];
    if (!isJsonObject(v)) {
      if (firstNonMap < 0) firstNonMap = i;
      continue;
    }
    if (hasOwn(v, mergeKey) && !firstMatch.has(v[mergeKey] as JsonValue)) firstMatch.set(v[mergeKey] as JsonValue, i);
  }
  const patch: JsonValue[] = [];
  const serverOnly: JsonValue[] = [];
  for (const v of list) {
    if (!isJsonObject(v)) throw errors.badArgType("map[string]interface {}", v);
    if (!hasOwn(v, mergeKey)) throw errors.noMergeKey(v, mergeKey);
    const at = firstMatch.get(v[mergeKey] as JsonValue) ?? -1;
    if (firstNonMap >= 0 && (at < 0 || firstNonMap < at)) throw errors.notAMap(firstNonMap);
    (at >= 0 ? patch : serverOnly).push(v);
  }
  return [patch, serverOnly];
}

/** Go's deduplicateScalars, including the order its swap-with-last leaves behind. */
export function deduplicateScalars(s: JsonValue[]): JsonValue[] {
  const seen = new Set<JsonValue>();
  let dup = false;
  for (const v of s) {
    if (typeof v === "object" && v !== null) throw errors.unhashable();
    if (seen.has(v)) {
      dup = true;
      break;
    }
    seen.add(v);
  }
  if (!dup) return s;
  let length = s.length - 1;
  for (let i = 0; i < length; i++) {
    for (let j = i + 1; j <= length; j++) {
      if (s[i] === s[j]) {
        s[j] = s[length] as JsonValue;
        s.length = length;
        length--;
        j--;
      }
    }
  }
  return s;
}

function deleteFromSlice(current: readonly JsonValue[], toDelete: readonly JsonValue[]): JsonValue[] {
  const del = new Set<JsonValue>();
  for (const v of toDelete) {
    if (typeof v === "object" && v !== null) throw errors.unhashable();
    del.add(v);
  }
  const out: JsonValue[] = [];
  for (const v of current) {
    if (typeof v === "object" && v !== null) throw errors.unhashable();
    if (!del.has(v)) out.push(v);
  }
  return out;
}

/** mergeSliceWithSpecialElements: apply `$patch: delete|replace` items of the patch. */
function mergeSliceWithSpecialElements(original: JsonValue[], patch: JsonValue[], mergeKey: string): [JsonValue[], JsonValue[] | null] {
  const without: JsonValue[] = [];
  let replace = false;
  const deleted = new Set<JsonValue>();
  for (const v of patch) {
    const item = v as JsonObject;
    if (!hasOwn(item, DIRECTIVE)) {
      without.push(v);
      continue;
    }
    const t = item[DIRECTIVE];
    if (t === "delete") {
      if (!hasOwn(item, mergeKey)) throw errors.noMergeKey(item, mergeKey);
      deleted.add(item[mergeKey] as JsonValue);
    } else if (t === "replace") {
      replace = true;
    } else if (t === "merge") {
      throw smpError("merging lists cannot yet be specified in the patch");
    } else {
      throw errors.badPatchType(t, item);
    }
  }
  if (replace) return [without, null];
  if (deleted.size === 0) return [original, without];
  const kept = original.filter((o) => !(isJsonObject(o) && hasOwn(o, mergeKey) && deleted.has(o[mergeKey] as JsonValue)));
  return [kept, without];
}

function mergeSliceWithoutSpecialElements(original: JsonValue[], patch: readonly JsonValue[], mergeKey: string, schema: Schema, opts: MergeOptions): JsonValue[] {
  const out = original.slice();
  const at = new Map<JsonValue, number>();
  for (let i = 0; i < out.length; i++) {
    const o = out[i];
    if (isJsonObject(o) && hasOwn(o, mergeKey) && !at.has(o[mergeKey] as JsonValue)) at.set(o[mergeKey] as JsonValue, i);
  }
  for (const v of patch) {
    const item = v as JsonObject;
    if (!hasOwn(item, mergeKey)) throw errors.noMergeKey(item, mergeKey);
    const key = item[mergeKey] as JsonValue;
    const i = at.get(key);
    if (i !== undefined) out[i] = mergeMap(out[i] as JsonObject, item, schema, opts);
    else {
      at.set(key, out.length);
      out.push(v);
    }
  }
  return out;
}

function mergeSlice(original: JsonValue[], patch: JsonValue[], schema: Schema, mergeKey: string, opts: MergeOptions, isDeleteList: boolean): JsonValue[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = sliceElementType(original, patch);
  let orig = original;
  let pat: JsonValue[] = patch;
  let merged: JsonValue[];
  if (kind !== "map") {
    if (opts.mergeParallelList && isDeleteList) return deleteFromSlice(original, patch);
    merged = deduplicateScalars([...original, ...patch]);
  } else {
    if (mergeKey === "") throw smpError(`cannot merge lists without merge key for ${itemKindName(schema)}`);
    const [o, p] = mergeSliceWithSpecialElements(original, patch, mergeKey);
    orig = o;
    pat = p ?? [];
    merged = mergeSliceWithoutSpecialElements(orig, pat, mergeKey, schema, opts);
  }
  const [patchItems, serverOnly] = mergeKey === "" ? partitionPrimitivesByPresentInList(merged, pat) : partitionMapsByPresentInList(merged, pat, mergeKey);
  return normalizeElementOrder(patchItems, serverOnly, pat, orig, mergeKey, kind);
}

function mergeSliceHandler(original: JsonValue[], patch: JsonValue[], schema: Schema, strategy: string, mergeKey: string, isDeleteList: boolean, opts: MergeOptions): JsonValue[] {
  // A deletion list deletes whatever the field's strategy.
  return strategy === "merge" || isDeleteList ? mergeSlice(original, patch, schema, mergeKey, opts, isDeleteList) : patch;
}

/** removeDirectives: drop every map carrying `$patch` from a value that is added whole. `undefined` when the value itself is one. */
function removeDirectives(v: JsonValue): JsonValue | undefined {
  if (isJsonObject(v)) {
    if (hasOwn(v, DIRECTIVE)) return undefined;
    for (const k of Object.keys(v)) {
      const kept = removeDirectives(v[k] as JsonValue);
      if (kept === undefined) delete v[k];
      else setOwn(v, k, kept);
    }
    return v;
  }
  if (Array.isArray(v)) {
    const out: JsonValue[] = [];
    for (const item of v) {
      const kept = removeDirectives(item);
      if (kept !== undefined) out.push(kept);
    }
    return out;
  }
  return v;
}

/** discardNullValuesFromPatch: drop `null` members, at any depth, of a value that is added whole. */
function discardNulls(v: JsonValue): void {
  if (isJsonObject(v)) {
    for (const k of Object.keys(v)) {
      const item = v[k] as JsonValue;
      if (item === null) delete v[k];
      else discardNulls(item);
    }
  } else if (Array.isArray(v)) {
    for (const item of v) discardNulls(item);
  }
}

/** Put a patch value where the original has none (or one of another type), as Kubernetes does. */
function takePatchValue(orig: JsonObject, k: string, patchV: JsonValue, isDeleteList: boolean, opts: MergeOptions): void {
  if (isDeleteList) return;
  if (opts.ignoreUnmatchedNulls) discardNulls(patchV);
  const kept = removeDirectives(patchV);
  if (kept === undefined) delete orig[k];
  else setOwn(orig, k, kept);
}

function handleDirectiveInMergeMap(directive: JsonValue, patch: JsonObject): JsonObject {
  if (directive === "replace") {
    delete patch[DIRECTIVE];
    return patch;
  }
  if (directive === "delete") return {};
  throw errors.badPatchType(directive, patch);
}

function applyRetainKeysDirective(original: JsonObject, patch: JsonObject, opts: MergeOptions): void {
  if (!hasOwn(patch, RETAIN_KEYS)) return;
  const retain = patch[RETAIN_KEYS] as JsonValue;
  delete patch[RETAIN_KEYS];
  if (!opts.mergeParallelList) {
    if (hasOwn(original, RETAIN_KEYS)) {
      const mine = original[RETAIN_KEYS];
      if (!deepEqual(mine, retain)) throw smpError(`${goFormat(mine)} and ${goFormat(retain)} are not deep equal: this may happen when calculating the 3-way diff patch`);
    } else original[RETAIN_KEYS] = retain;
    return;
  }
  if (!Array.isArray(retain)) throw errors.badRetainKeys();
  const keep = new Set<JsonValue>(retain);
  for (const k of Object.keys(patch)) {
    if (patch[k] === null || k.startsWith(DELETE_PREFIX) || k.startsWith(ORDER_PREFIX)) continue;
    if (!keep.has(k)) throw errors.badRetainKeys();
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

/** mergePatchIntoOriginal: merge the lists named by `$setElementOrder/…` and put them in that order. */
function mergePatchIntoOriginal(original: JsonObject, patch: JsonObject, schema: Schema, opts: MergeOptions): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(ORDER_PREFIX) || !hasOwn(patch, key)) continue;
    const order = patch[key] as JsonValue;
    if (!opts.mergeParallelList) {
      if (hasOwn(original, key)) {
        if (!deepEqual(original[key], order)) throw errors.badSetElementOrder();
      } else original[key] = order;
    }
    delete patch[key];
    if (!Array.isArray(order)) throw errors.badArgType("[]interface {}", order);
    const field = extractKey(key, ORDER_PREFIX);
    const foundOriginal = hasOwn(original, field);
    const foundPatch = hasOwn(patch, field);
    let originalList: JsonValue[] = [];
    let patchList: JsonValue[] = [];
    if (foundOriginal) {
      const v = original[field];
      if (!Array.isArray(v)) throw errors.badArgType("[]interface {}", v);
      originalList = v;
    }
    if (foundPatch) {
      const v = patch[field];
      if (!Array.isArray(v)) throw errors.badArgType("[]interface {}", v);
      patchList = v;
    }
    const meta = lookupSlice(schema, field);
    validatePatchWithSetOrderList(patchList, order, meta.mergeKey);
    let merged: JsonValue[];
    if (foundOriginal && !foundPatch) merged = originalList;
    else if (!foundOriginal && foundPatch) merged = removeDirectives(patchList) as JsonValue[];
    else if (foundOriginal && foundPatch) merged = mergeSliceHandler(originalList, patchList, meta.schema, meta.strategy, meta.mergeKey, false, opts);
    else continue;
    const [patchItems, serverOnly] = meta.mergeKey === "" ? partitionPrimitivesByPresentInList(merged, order) : partitionMapsByPresentInList(merged, order, meta.mergeKey);
    const kind = sliceElementType(originalList, patchList);
    original[field] = normalizeElementOrder(patchItems, serverOnly, order, originalList, meta.mergeKey, kind);
    delete patch[field];
  }
}

function mergeKeyValueEqual(left: JsonValue, right: JsonValue, mergeKey: string): boolean {
  if (mergeKey === "") {
    if (typeof left === "object" && left !== null && typeof right === "object" && right !== null && goType(left) === goType(right)) {
      throw smpError(`runtime error: comparing uncomparable type ${goTypeName(left)}`);
    }
    return left === right;
  }
  if (!isJsonObject(left)) throw errors.badArgType("map[string]interface {}", left);
  if (!isJsonObject(right)) throw errors.badArgType("map[string]interface {}", right);
  if (!hasOwn(left, mergeKey)) throw errors.noMergeKey(left, mergeKey);
  if (!hasOwn(right, mergeKey)) throw errors.noMergeKey(right, mergeKey);
  return left[mergeKey] === right[mergeKey];
}

/** validatePatchWithSetOrderList: the patch's items must appear in the `$setElementOrder` list, in its order. */
function validatePatchWithSetOrderList(patchList: JsonValue[], order: JsonValue[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  const nonDelete = mergeKey !== "" ? extractToDeleteItems(patchList)[0] : patchList;
  let pi = 0;
  let si = 0;
  while (pi < nonDelete.length && si < order.length) {
    const item = nonDelete[pi] as JsonValue;
    if (isJsonObject(item) && hasOwn(item, DIRECTIVE)) {
      pi++;
      continue;
    }
    if (mergeKeyValueEqual(item, order[si] as JsonValue, mergeKey)) pi++;
    si++;
  }
  if (pi < nonDelete.length && si >= order.length) {
    throw smpError(`The order in patch list:\n${goFormat(patchList)}\n doesn't match ${ORDER_PREFIX} list:\n${goFormat(order)}\n`);
  }
}

/** mergeMap: merge `patch` into `original` (both private copies, changed in place). */
export function mergeMap(original: JsonObject | null, patch: JsonObject, schema: Schema, opts: MergeOptions): JsonObject {
  if (hasOwn(patch, DIRECTIVE)) return handleDirectiveInMergeMap(patch[DIRECTIVE] as JsonValue, patch);
  const orig = original ?? {};
  applyRetainKeysDirective(orig, patch, opts);
  mergePatchIntoOriginal(orig, patch, schema, opts);
  for (const patchKey of Object.keys(patch)) {
    const patchV = patch[patchKey] as JsonValue;
    let k = patchKey;
    let isDeleteList = false;
    if (patchKey.startsWith(DELETE_PREFIX)) {
      if (!opts.mergeParallelList) {
        setOwn(orig, patchKey, patchV);
        continue;
      }
      k = extractKey(patchKey, DELETE_PREFIX);
      isDeleteList = true;
    }
    if (patchV === null) {
      delete orig[k];
      if (opts.ignoreUnmatchedNulls) continue;
    }
    if (!hasOwn(orig, k)) {
      takePatchValue(orig, k, patchV, isDeleteList, opts);
      continue;
    }
    const current = orig[k] as JsonValue;
    const t = goType(current);
    if (t !== goType(patchV)) {
      takePatchValue(orig, k, patchV, isDeleteList, opts);
      continue;
    }
    if (t === "map") {
      const meta = lookupStruct(schema, k);
      setOwn(orig, k, meta.strategy !== "replace" ? mergeMap(current as JsonObject, patchV as JsonObject, meta.schema, opts) : patchV);
    } else if (t === "slice") {
      const meta = lookupSlice(schema, k);
      setOwn(orig, k, mergeSliceHandler(current as JsonValue[], patchV as JsonValue[], meta.schema, meta.strategy, meta.mergeKey, isDeleteList, opts));
    } else {
      setOwn(orig, k, patchV);
    }
  }
  return orig;
}

/**
 * Apply a strategic merge patch to an object, as kube-apiserver (and `kubectl patch --type
 * strategic`) does: lists with a merge key merge by key, other lists are replaced, `null` deletes,
 * and the directives `$patch: replace|delete|merge`, `$retainKeys`, `$setElementOrder/<list>` and
 * `$deleteFromPrimitiveList/<list>` act as in Kubernetes. Merge keys and strategies come from the
 * schema's annotations. The inputs are not changed. An invalid patch throws {@link PatchError}
 * carrying Kubernetes' message and the HTTP status the apiserver answers with.
 *
 * @example
 * import { applySmp } from "kubezod";
 * import { Deployment } from "kubezod/k8s";
 * const next = applySmp(Deployment, deployment, {
 *   spec: { template: { spec: { containers: [{ name: "web", image: "nginx:1.27" }] } } },
 * });
 */
export function applySmp<T>(schema: z.core.$ZodType, original: T, patch: unknown): T {
  const doc = cloneJson(original);
  const p = cloneJson(patch);
  if (!isJsonObject(doc) || !isJsonObject(p)) throw errors.badJsonDoc();
  return mergeMap(doc, p, schema, { mergeParallelList: true, ignoreUnmatchedNulls: true }) as T;
}
