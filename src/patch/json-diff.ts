/**
 * Computing a small, correct RFC 6902 patch between two documents. Lists whose schema names a merge
 * key or list-map keys are matched by key (a removed container is one `remove`, a reorder is a few
 * `move`s); other lists are aligned by a longest-common-subsequence diff (Myers).
 */
import type * as z from "zod";
import { childSchema, elementOf } from "../meta/walk.js";
import type { JsonPatchOperation } from "./json-patch.js";
import { cloneJson, deepEqual, hasOwn, isJsonObject, type JsonObject, type JsonValue } from "./json.js";
import { keyFieldsOf } from "./path.js";
import { pickChanges, type PickedPathLike } from "./pick.js";
import { escapeToken } from "./pointer.js";

type Schema = z.core.$ZodType | undefined;

/**
 * Options of {@link jsonPatchDiff}.
 *
 * @example
 * jsonPatchDiff(live, edited, { schema: Deployment, paths: [pathOf(Deployment, (o) => o.spec.replicas)] });
 */
export interface JsonPatchDiffOptions {
  /** The schema of the documents: lists with a merge key or list-map keys are then matched by key. */
  schema?: z.core.$ZodType;
  /** Keep only the changes under these paths (from {@link pathOf}, or segment lists, or JSON Pointers). */
  paths?: readonly PickedPathLike[];
}

/** Above this many edits a list is replaced whole rather than aligned item by item. */
const MAX_EDITS = 4000;

function at(ptr: string, token: string | number): string {
  return `${ptr}/${escapeToken(token)}`;
}

function diffValue(a: JsonValue, b: JsonValue, ptr: string, schema: Schema, ops: JsonPatchOperation[]): void {
  if (a === b) return;
  if (isJsonObject(a) && isJsonObject(b)) {
    for (const k of Object.keys(a)) if (!hasOwn(b, k)) ops.push({ op: "remove", path: at(ptr, k) });
    for (const k of Object.keys(b)) {
      if (!hasOwn(a, k)) ops.push({ op: "add", path: at(ptr, k), value: cloneJson(b[k]) });
      else diffValue(a[k] as JsonValue, b[k] as JsonValue, at(ptr, k), schema && childSchema(schema, k), ops);
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (deepEqual(a, b)) return;
    const fields = schema ? keyFieldsOf(schema) : undefined;
    const item = schema && elementOf(schema);
    if (fields && diffKeyed(a, b, ptr, fields, item, ops)) return;
    diffSequence(a, b, ptr, item, ops);
    return;
  }
  if (!deepEqual(a, b)) ops.push({ op: "replace", path: ptr, value: cloneJson(b) });
}

/** Keys of the items of a keyed list, or undefined when some item has none or two items share one. */
function keysOf(list: JsonValue[], fields: string[]): string[] | undefined {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const item of list) {
    if (!isJsonObject(item) || !hasOwn(item, fields[0] as string)) return undefined;
    const k = JSON.stringify(fields.map((f) => (hasOwn(item, f) ? item[f] : null)));
    if (seen.has(k)) return undefined;
    seen.add(k);
    out.push(k);
  }
  return out;
}

/** Indexes (into `seq`) of a longest strictly increasing subsequence. */
function longestIncreasing(seq: number[]): Set<number> {
  const tails: number[] = [];
  const prev = new Array<number>(seq.length).fill(-1);
  for (let i = 0; i < seq.length; i++) {
    const v = seq[i] as number;
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((seq[tails[mid] as number] as number) < v) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) prev[i] = tails[lo - 1] as number;
    tails[lo] = i;
  }
  const out = new Set<number>();
  let i = tails.length ? (tails[tails.length - 1] as number) : -1;
  while (i >= 0) {
    out.add(i);
    i = prev[i] as number;
  }
  return out;
}

function diffKeyed(a: JsonValue[], b: JsonValue[], ptr: string, fields: string[], item: Schema, ops: JsonPatchOperation[]): boolean {
  const ka = keysOf(a, fields);
  const kb = keysOf(b, fields);
  if (!ka || !kb) return false;
  const inB = new Map<string, number>();
  kb.forEach((k, i) => inB.set(k, i));
  const byKeyA = new Map<string, JsonValue>();
  ka.forEach((k, i) => byKeyA.set(k, a[i] as JsonValue));
  // Removals, from the end so that each index is still right when applied.
  for (let i = ka.length - 1; i >= 0; i--) if (!inB.has(ka[i] as string)) ops.push({ op: "remove", path: at(ptr, i) });
  const work = ka.filter((k) => inB.has(k));
  // Reorder what both have: items on a longest run already in order stay, the others move.
  const target = kb.filter((k) => byKeyA.has(k));
  const rank = new Map<string, number>();
  target.forEach((k, i) => rank.set(k, i));
  const staying = longestIncreasing(work.map((k) => rank.get(k) as number));
  const stays = new Set<string>();
  for (const i of staying) stays.add(work[i] as string);
  for (let t = 0; t < target.length; t++) {
    const k = target[t] as string;
    if (stays.has(k)) continue;
    const from = work.indexOf(k);
    work.splice(from, 1);
    const to = t === 0 ? 0 : work.indexOf(target[t - 1] as string) + 1;
    work.splice(to, 0, k);
    if (from !== to) ops.push({ op: "move", from: at(ptr, from), path: at(ptr, to) });
  }
  // Insertions and changes, in order.
  for (let i = 0; i < kb.length; i++) {
    const k = kb[i] as string;
    const old = byKeyA.get(k);
    if (old === undefined) ops.push({ op: "add", path: at(ptr, i), value: cloneJson(b[i]) });
    else diffValue(old, b[i] as JsonValue, at(ptr, i), item, ops);
  }
  return true;
}

/** A text that is equal for structurally equal values (object members sorted). */
function fingerprint(v: JsonValue): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(fingerprint).join(",")}]`;
  const keys = Object.keys(v).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${fingerprint((v as JsonObject)[k] as JsonValue)}`).join(",")}}`;
}

type Edit = 0 | 1 | 2; // keep, delete from a, insert from b

/** Myers' O((N+M)D) shortest edit script; undefined when it would take more than MAX_EDITS edits. */
function editScript(a: string[], b: string[]): Edit[] | undefined {
  const n = a.length;
  const m = b.length;
  const max = Math.min(n + m, MAX_EDITS);
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    trace.push(v.slice(offset - d - 1, offset + d + 2));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && (v[offset + k - 1] as number) < (v[offset + k + 1] as number)) ? (v[offset + k + 1] as number) : (v[offset + k - 1] as number) + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) return backtrack(trace, n, m, d);
    }
  }
  return undefined;
}

function backtrack(trace: Int32Array[], n: number, m: number, depth: number): Edit[] {
  const out: Edit[] = [];
  let x = n;
  let y = m;
  for (let d = depth; d > 0; d--) {
    const saved = trace[d] as Int32Array; // V before step d, for k in [-d-1, d+1]
    const get = (k: number) => saved[k + d + 1] as number;
    const k = x - y;
    const prevK = k === -d || (k !== d && get(k - 1) < get(k + 1)) ? k + 1 : k - 1;
    const prevX = get(prevK);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      out.push(0);
      x--;
      y--;
    }
    out.push(prevK === k + 1 ? 2 : 1);
    x = prevX;
    y = prevY;
  }
  while (x > 0 && y > 0) {
    out.push(0);
    x--;
    y--;
  }
  return out.reverse();
}

function size(v: unknown): number {
  return JSON.stringify(v).length;
}

function diffSequence(a: JsonValue[], b: JsonValue[], ptr: string, item: Schema, ops: JsonPatchOperation[]): void {
  let start = 0;
  while (start < a.length && start < b.length && deepEqual(a[start], b[start])) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && deepEqual(a[endA - 1], b[endB - 1])) {
    endA--;
    endB--;
  }
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  const script = editScript(midA.map(fingerprint), midB.map(fingerprint));
  if (!script) {
    ops.push({ op: "replace", path: ptr, value: cloneJson(b) });
    return;
  }
  let idx = start;
  let ia = 0;
  let ib = 0;
  let s = 0;
  while (s < script.length) {
    if (script[s] === 0) {
      idx++;
      ia++;
      ib++;
      s++;
      continue;
    }
    const dels: number[] = [];
    const ins: number[] = [];
    while (s < script.length && script[s] !== 0) {
      if (script[s] === 1) dels.push(ia++);
      else ins.push(ib++);
      s++;
    }
    const paired = Math.min(dels.length, ins.length);
    for (let p = 0; p < paired; p++) {
      const from = midA[dels[p] as number] as JsonValue;
      const to = midB[ins[p] as number] as JsonValue;
      const nested: JsonPatchOperation[] = [];
      const path = at(ptr, idx);
      if (typeof from === "object" && from !== null && typeof to === "object" && to !== null && Array.isArray(from) === Array.isArray(to)) {
        diffValue(from, to, path, item, nested);
      }
      const replace: JsonPatchOperation = { op: "replace", path, value: cloneJson(to) };
      if (nested.length > 0 && (nested.length === 1 || size(nested) < size(replace))) ops.push(...nested);
      else ops.push(replace);
      idx++;
    }
    for (let p = paired; p < dels.length; p++) ops.push({ op: "remove", path: at(ptr, idx) });
    for (let p = paired; p < ins.length; p++) {
      ops.push({ op: "add", path: at(ptr, idx), value: cloneJson(midB[ins[p] as number]) });
      idx++;
    }
  }
}

/**
 * The RFC 6902 operations that turn `a` into `b`, small and correct for lists: with a `schema`, list
 * items are matched by merge key or list-map keys, so removing the first of five containers is one
 * `remove`; without, lists are aligned by longest common subsequence. With `paths`, only the changes
 * under those paths are kept. The inputs are not changed and the operations share nothing with them.
 *
 * @example
 * import { jsonPatchDiff } from "kubezod";
 * import { Deployment } from "kubezod/k8s";
 * jsonPatchDiff(live, edited, { schema: Deployment });
 * // [{ op: "remove", path: "/spec/template/spec/containers/0" }]
 */
export function jsonPatchDiff(a: unknown, b: unknown, options: JsonPatchDiffOptions = {}): JsonPatchOperation[] {
  const from = cloneJson(a);
  const to = options.paths ? (pickChanges(from, b, options.paths) as JsonValue) : cloneJson(b);
  const ops: JsonPatchOperation[] = [];
  diffValue(from, to, "", options.schema, ops);
  return ops;
}
