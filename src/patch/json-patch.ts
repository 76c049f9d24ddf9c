/**
 * JSON Patch (RFC 6902): applying operations, and guarding a patch with `test` operations.
 */
import { JsonPatchError, PatchError } from "./errors.js";
import { cloneJson, deepEqual, goJsonText, hasOwn, isJsonObject, setOwn, type JsonObject, type JsonValue } from "./json.js";
import { parsePointer } from "./pointer.js";

/**
 * One RFC 6902 operation. Paths are JSON Pointers (`/spec/replicas`).
 *
 * @example
 * const op: JsonPatchOperation = { op: "replace", path: "/spec/replicas", value: 3 };
 */
export type JsonPatchOperation =
  | { op: "add"; path: string; value: unknown }
  | { op: "remove"; path: string }
  | { op: "replace"; path: string; value: unknown }
  | { op: "move"; from: string; path: string }
  | { op: "copy"; from: string; path: string }
  | { op: "test"; path: string; value: unknown };

/**
 * Options of {@link applyJsonPatch}.
 *
 * @example
 * applyJsonPatch(stored, ops, { compat: "kubernetes" });
 */
export interface ApplyJsonPatchOptions {
  /**
   * `"kubernetes"` applies the patch as kube-apiserver does (evanphx/json-patch v4) instead of by
   * the letter of RFC 6902: `replace` of a missing member adds it, `test` of a missing member
   * against `null` passes, negative and zero-padded indexes are accepted, a missing `value` is `null`,
   * `copy` of a missing member copies `null`, `add`/`remove` of the whole document fail, a `replace`
   * of the whole document by a scalar leaves it as it is, and where evanphx dereferences an absent
   * `value` (a `test` of a null or missing member or of the root, a `replace` of the root) the
   * {@link JsonPatchError} has status 500, as the apiserver's answer to that panic.
   */
  compat?: "rfc6902" | "kubernetes";
  /**
   * The most bytes (of the values' JSON) the patch's `copy` operations may add together, as
   * kube-apiserver's `JSONPatchMaxCopyBytes` (3 MiB there); unlimited when absent, as in kubectl.
   */
  maxCopyBytes?: number;
}

/** kube-apiserver's `JSONPatchMaxCopyBytes`: what a patch's copies may add, in requests and webhook patches alike. */
export const APISERVER_MAX_COPY_BYTES = 3 * 1024 * 1024;

const FORBIDDEN = new Set(["__proto__", "constructor", "prototype"]);
const OPS = new Set(["add", "remove", "replace", "move", "copy", "test"]);

type Container = JsonObject | JsonValue[];

function isContainer(v: unknown): v is Container {
  return typeof v === "object" && v !== null;
}

/** A failure inside one operation: our detail and the apiserver's text. */
class OpFailure {
  constructor(
    readonly detail: string,
    readonly kubernetes: string,
  ) {}
}

/** Pointer tokens; null where evanphx/json-patch finds no container. */
type Tokens = string[] | null;

interface Doc {
  root: JsonValue;
  /** Containers this patch may change in place; null when the whole document is a private copy. */
  owned: Set<object> | null;
  kube: boolean;
  /** Bytes the copy operations have added so far, and the most they may add. */
  copied: number;
  copyLimit?: number;
}

/** The bytes (UTF-8) of Go's json.Marshal of a value: what evanphx counts per copy. */
function goJsonSize(v: JsonValue): number {
  let n = 0;
  for (const ch of goJsonText(v)) {
    const c = ch.codePointAt(0) as number;
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
  }
  return n;
}

function ownedCopy(doc: Doc, v: Container): Container {
  if (doc.owned === null || doc.owned.has(v)) return v;
  let copy: Container;
  if (Array.isArray(v)) copy = v.slice();
  else {
    copy = {};
    for (const k of Object.keys(v)) setOwn(copy, k, v[k] as JsonValue);
  }
  doc.owned.add(copy);
  return copy;
}

const INT64_MAX = 2n ** 63n - 1n;

/** Parse an array index the way the mode requires; undefined when it is not one. */
function parseIndex(token: string, kube: boolean): number | undefined {
  if (kube) return atoiError(token) === undefined ? Number(token) : undefined;
  return /^(0|[1-9]\d*)$/.test(token) ? Number(token) : undefined;
}

/** Why Go's strconv.Atoi refuses a token (an int64 on the apiserver's platforms), or undefined. */
function atoiError(token: string): string | undefined {
  if (!/^[+-]?\d+$/.test(token)) return `strconv.Atoi: parsing "${token}": invalid syntax`;
  const n = BigInt(token);
  return n > INT64_MAX || n < -INT64_MAX - 1n ? `strconv.Atoi: parsing "${token}": value out of range` : undefined;
}

/** An index as Go's `%d` prints the parsed int: `+1` is 1, `007` is 7, digits beyond 2^53 kept. */
function goInt(token: string): string {
  return /^[+-]?\d+$/.test(token) ? BigInt(token).toString() : token;
}

/** Resolve an array index for reading (kube: negative counts from the end). */
function readIndex(arr: JsonValue[], token: string, kube: boolean): number | OpFailure {
  const idx = parseIndex(token, kube);
  if (idx === undefined) return new OpFailure(`"${token}" is not an array index`, atoiError(token) ?? "");
  let i = idx;
  if (kube && i < 0) {
    if (i < -arr.length) return new OpFailure(`index ${token} is out of range`, `Unable to access invalid index: ${goInt(token)}: invalid index referenced`);
    i += arr.length;
  }
  if (i >= arr.length) return new OpFailure(`index ${token} is out of range (the list has ${arr.length} items)`, `Unable to access invalid index: ${goInt(token)}: invalid index referenced`);
  return i;
}

/**
 * The tokens of a pointer; undefined when it is not a JSON Pointer (by the RFC), null when
 * evanphx/json-patch finds no container for it (a pointer without "/", the root pointer included).
 */
function tokensOf(pointer: string, kube: boolean): string[] | null | undefined {
  if (kube) {
    // evanphx splits on "/" and drops what precedes the first one.
    if (!pointer.includes("/")) return null;
    return pointer.split("/").slice(1).map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
  }
  return parsePointer(pointer);
}

/**
 * The container holding the target of `tokens` (made private to this patch when `write`), or
 * undefined when some step above the target is missing.
 */
function parentOf(doc: Doc, tokens: Tokens, write: boolean): Container | undefined {
  if (tokens === null || !isContainer(doc.root)) return undefined;
  let cur: Container = write ? ownedCopy(doc, doc.root) : doc.root;
  if (write) doc.root = cur;
  for (let i = 0; i < tokens.length - 1; i++) {
    const token = tokens[i] as string;
    let next: JsonValue | undefined;
    if (Array.isArray(cur)) {
      const idx = readIndex(cur, token, doc.kube);
      if (typeof idx !== "number") return undefined;
      next = cur[idx];
      if (!isContainer(next)) return undefined;
      if (write) {
        next = ownedCopy(doc, next);
        cur[idx] = next;
      }
    } else {
      if (!hasOwn(cur, token)) return undefined;
      next = cur[token];
      if (!isContainer(next)) return undefined;
      if (write) {
        next = ownedCopy(doc, next);
        setOwn(cur, token, next);
      }
    }
    cur = next as Container;
  }
  return cur;
}

function missingValue(kind: string, pointer: string): OpFailure {
  return new OpFailure(`the path does not exist`, `${kind} operation does not apply: doc is missing path: "${pointer}": missing value`);
}

function getAt(doc: Doc, tokens: Tokens): { found: true; value: JsonValue } | { found: false; parentMissing: boolean; failure?: OpFailure } {
  if (tokens?.length === 0) return { found: true, value: doc.root };
  const parent = parentOf(doc, tokens, false);
  if (!parent || !tokens) return { found: false, parentMissing: true };
  const key = tokens[tokens.length - 1] as string;
  if (Array.isArray(parent)) {
    const idx = readIndex(parent, key, doc.kube);
    if (typeof idx !== "number") return { found: false, parentMissing: false, failure: idx };
    return { found: true, value: parent[idx] as JsonValue };
  }
  if (!hasOwn(parent, key)) return { found: false, parentMissing: false };
  return { found: true, value: parent[key] as JsonValue };
}

function addAt(doc: Doc, tokens: Tokens, value: JsonValue, pointer: string, kind: string): OpFailure | undefined {
  if (tokens === null) return missingValue(kind, pointer);
  if (tokens.length === 0) {
    doc.root = value;
    return undefined;
  }
  const parent = parentOf(doc, tokens, true);
  if (!parent) return missingValue(kind, pointer);
  const key = tokens[tokens.length - 1] as string;
  if (!Array.isArray(parent)) {
    setOwn(parent, key, value);
    return undefined;
  }
  if (key === "-") {
    parent.push(value);
    return undefined;
  }
  const idx = parseIndex(key, doc.kube);
  if (idx === undefined) return new OpFailure(`"${key}" is not an array index`, `error in add for path: '${pointer}': value was not a proper array index: '${key}': ${atoiError(key) ?? ""}`);
  let at = idx;
  const size = parent.length + 1;
  const invalid = new OpFailure(`index ${key} is out of range (the list has ${parent.length} items)`, `error in add for path: '${pointer}': Unable to access invalid index: ${goInt(key)}: invalid index referenced`);
  if (at >= size) return invalid;
  if (at < 0) {
    if (at < -size) return invalid;
    at += size;
  }
  parent.splice(at, 0, value);
  return undefined;
}

function removeAt(doc: Doc, tokens: Tokens, pointer: string, kind: string): { value: JsonValue } | OpFailure {
  if (tokens === null || tokens.length === 0) return missingValue(kind, pointer);
  const parent = parentOf(doc, tokens, true);
  if (!parent) return missingValue(kind, pointer);
  const key = tokens[tokens.length - 1] as string;
  if (Array.isArray(parent)) {
    const idx = parseIndex(key, doc.kube);
    if (idx === undefined) return new OpFailure(`"${key}" is not an array index`, `error in remove for path: '${pointer}': ${atoiError(key) ?? ""}`);
    let at = idx;
    const invalid = new OpFailure(`index ${key} is out of range (the list has ${parent.length} items)`, `error in remove for path: '${pointer}': Unable to access invalid index: ${goInt(key)}: invalid index referenced`);
    if (at >= parent.length) return invalid;
    if (at < 0) {
      if (!doc.kube || at < -parent.length) return invalid;
      at += parent.length;
    }
    const [value] = parent.splice(at, 1);
    return { value: value as JsonValue };
  }
  if (!hasOwn(parent, key)) return new OpFailure(`the path does not exist`, `error in remove for path: '${pointer}': Unable to remove nonexistent key: ${key}: missing value`);
  const value = parent[key] as JsonValue;
  delete parent[key];
  return { value };
}

function replaceAt(doc: Doc, tokens: Tokens, value: JsonValue, pointer: string): OpFailure | undefined {
  if (tokens?.length === 0) {
    // evanphx wraps a nil error here (errors.Wrapf(nil, …) is nil): a scalar leaves the document as it is.
    if (doc.kube && !isContainer(value)) return undefined;
    doc.root = value;
    return undefined;
  }
  const parent = parentOf(doc, tokens, true);
  if (!parent || !tokens) return new OpFailure("the path does not exist", `replace operation does not apply: doc is missing path: ${pointer}: missing value`);
  const key = tokens[tokens.length - 1] as string;
  if (Array.isArray(parent)) {
    const idx = readIndex(parent, key, doc.kube);
    if (typeof idx !== "number") return new OpFailure(idx.detail, `replace operation does not apply: doc is missing key: ${pointer}: missing value`);
    parent[idx] = value;
    return undefined;
  }
  if (!hasOwn(parent, key) && !doc.kube) return new OpFailure("the path does not exist", `replace operation does not apply: doc is missing key: ${pointer}: missing value`);
  setOwn(parent, key, value);
  return undefined;
}

interface Decoded {
  op: string;
  path: string;
  from: string;
  /** Why evanphx/json-patch cannot read `path` (or `from`) as a string; kube mode only. */
  pathError?: string;
  fromError?: string;
  value: JsonValue;
  hasValue: boolean;
}

/** The kind of JSON value encoding/json names in an UnmarshalTypeError. */
function goJsonKind(v: unknown): string {
  if (Array.isArray(v)) return "array";
  if (typeof v === "object") return "object";
  return typeof v === "boolean" ? "bool" : typeof v;
}

/** How evanphx's Path()/From() fail on a member: missing (or null), or not a string. */
function memberError(raw: JsonObject, key: "path" | "from", missing: string): string | undefined {
  const v = raw[key];
  if (v === undefined || v === null) return missing;
  return typeof v === "string" ? undefined : `json: cannot unmarshal ${goJsonKind(v)} into Go value of type string`;
}

function validate(index: number, raw: unknown, kube: boolean): Decoded {
  if (!isJsonObject(raw)) throw new JsonPatchError(index, raw, "an operation must be an object", "Unexpected kind: unknown");
  const op = typeof raw.op === "string" ? raw.op : undefined;
  if (!op || !OPS.has(op)) {
    const shown = op ?? "unknown";
    throw new JsonPatchError(index, raw, op ? `unknown op "${op}"` : "the operation has no op", `Unexpected kind: ${shown}`);
  }
  const hasValue = hasOwn(raw, "value");
  const out: Decoded = { op, path: typeof raw.path === "string" ? raw.path : "", from: typeof raw.from === "string" ? raw.from : "", value: hasValue ? cloneJson(raw.value) : null, hasValue };
  if (kube) {
    out.pathError = memberError(raw, "path", "operation missing path field: missing value");
    if (op === "move" || op === "copy") out.fromError = memberError(raw, "from", "operation, missing from field: missing value");
  } else {
    if (typeof raw.path !== "string") throw new JsonPatchError(index, raw, "the operation has no path", `${op} operation failed to decode path: missing value`);
    if ((op === "move" || op === "copy") && typeof raw.from !== "string") throw new JsonPatchError(index, raw, "the operation has no from", `${op} operation failed to decode from: missing value`);
    if ((op === "add" || op === "replace" || op === "test") && !hasValue) throw new JsonPatchError(index, raw, "the operation has no value", `${op} operation, missing value field: missing value`);
  }
  const pointers = [out.pathError === undefined && typeof raw.path === "string" ? out.path : undefined, (op === "move" || op === "copy") && out.fromError === undefined ? out.from : undefined];
  for (const pointer of pointers) {
    if (pointer === undefined) continue;
    const tokens = tokensOf(pointer, kube);
    if (tokens === undefined) throw new JsonPatchError(index, raw, `"${pointer}" is not a JSON Pointer`, `${op} operation does not apply: doc is missing path: "${pointer}": missing value`);
    const bad = tokens?.find((t) => FORBIDDEN.has(t));
    if (bad !== undefined) throw new JsonPatchError(index, raw, `the path segment "${bad}" is not allowed`, `path segment "${bad}" is not allowed`, 422);
  }
  return out;
}

/** Where evanphx dereferences an absent `value` (a root replace; a test of the root, a null or an absent member), the apiserver panics. */
const NIL_DEREFERENCE = new OpFailure("the operation has no value", "runtime error: invalid memory address or nil pointer dereference");

/** evanphx/json-patch's words when `path` cannot be decoded: add, remove and copy drop the cause. */
function pathFailure(o: Decoded): OpFailure {
  const cause = o.op === "add" || o.op === "remove" || o.op === "copy" ? "missing value" : (o.pathError as string);
  return new OpFailure("the operation has no path", `${o.op} operation failed to decode path: ${cause}`);
}

function applyOne(doc: Doc, index: number, raw: unknown): void {
  const o = validate(index, raw, doc.kube);
  function fail(f: OpFailure, status?: 422 | 500): never {
    throw new JsonPatchError(index, raw, f.detail, f.kubernetes, status);
  }
  if (o.pathError !== undefined && o.op !== "move" && o.op !== "copy") fail(pathFailure(o));
  // evanphx treats the root pointer specially only in replace and test.
  const tokens = o.path === "" && doc.kube && (o.op === "replace" || o.op === "test") ? [] : (tokensOf(o.path, doc.kube) as Tokens);
  switch (o.op) {
    case "add": {
      const f = addAt(doc, tokens, o.value, o.path, "add");
      if (f) fail(f);
      return;
    }
    case "remove": {
      const r = removeAt(doc, tokens, o.path, "remove");
      if (r instanceof OpFailure) fail(r);
      return;
    }
    case "replace": {
      if (doc.kube && o.path === "" && !o.hasValue) fail(NIL_DEREFERENCE, 500);
      const f = replaceAt(doc, tokens, o.value, o.path);
      if (f) fail(f);
      return;
    }
    case "test": {
      const got = getAt(doc, tokens);
      const failed = new OpFailure("the value differs", `testing value ${o.path} failed: test failed`);
      if (!got.found) {
        if (got.parentMissing) fail(new OpFailure("the path does not exist", `test operation does not apply: is missing path: ${o.path}: missing value`));
        if (got.failure) fail(new OpFailure(got.failure.detail, `error in test for path: '${o.path}': ${got.failure.kubernetes}`));
        if (doc.kube && !o.hasValue) fail(NIL_DEREFERENCE, 500);
        if (doc.kube && o.value === null) return;
        fail(new OpFailure("the path does not exist", failed.kubernetes));
      } else if (doc.kube && !o.hasValue && (got.value === null || tokens?.length === 0)) {
        fail(NIL_DEREFERENCE, 500);
      } else if (!deepEqual(got.value, o.value)) {
        fail(failed);
      }
      return;
    }
    case "move":
    case "copy": {
      if (o.fromError !== undefined) fail(new OpFailure("the operation has no from", `${o.op} operation failed to decode from: ${o.fromError}`));
      const from = o.from;
      const fromTokens = tokensOf(from, doc.kube) as Tokens;
      if (o.op === "move" && !doc.kube) {
        if (from === o.path) {
          if (!getAt(doc, fromTokens).found) fail(new OpFailure("the from path does not exist", `move operation does not apply: doc is missing from path: ${from}: missing value`));
          return;
        }
        if (o.path.startsWith(from + "/")) fail(new OpFailure("a value cannot be moved into itself", `move operation does not apply: doc is missing destination path: ${o.path}: missing value`));
      }
      const got = getAt(doc, fromTokens);
      const key = fromTokens?.[fromTokens.length - 1] ?? "";
      let value: JsonValue;
      if (got.found) value = got.value;
      else if (got.parentMissing || fromTokens?.length === 0) fail(new OpFailure("the from path does not exist", `${o.op} operation does not apply: doc is missing from path: ${from}: missing value`));
      else if (got.failure) fail(new OpFailure(got.failure.detail, o.op === "move" ? `error in move for path: '${key}': ${got.failure.kubernetes}` : `error in copy for from: '${from}': ${got.failure.kubernetes}`));
      else if (o.op === "copy" && doc.kube) value = null;
      else fail(new OpFailure("the from path does not exist", o.op === "move" ? `error in move for path: '${key}': Unable to remove nonexistent key: ${key}: missing value` : `copy operation does not apply: doc is missing from path: ${from}: missing value`));
      if (o.op === "move") {
        const r = removeAt(doc, fromTokens, from, "move");
        if (r instanceof OpFailure) fail(new OpFailure(r.detail, `error in move for path: '${key}': ${r.kubernetes.replace(/^error in remove for path: '[^']*': /, "")}`));
      } else {
        value = doc.owned === null ? cloneJson(value) : value;
      }
      if (o.pathError !== undefined) fail(pathFailure(o));
      if (o.op === "copy" && doc.copyLimit !== undefined) {
        doc.copied += goJsonSize(value);
        if (doc.copied > doc.copyLimit) fail(new OpFailure("the copies exceed the size limit", `Unable to complete the copy, the accumulated size increase of copy is ${doc.copied}, exceeding the limit ${doc.copyLimit}`));
      }
      const f = addAt(doc, tokens, value, o.path, o.op);
      if (f) {
        const text = f.kubernetes.startsWith(`${o.op} operation does not apply: doc is missing path`)
          ? `${o.op} operation does not apply: doc is missing destination path: ${o.path}: missing value`
          : o.op === "move"
            ? f.kubernetes.replace(/^error in add for path/, "error in move for path")
            : f.kubernetes.replace(/^error in add for path: '[^']*': /, "error while adding value during copy: ");
        fail(new OpFailure(f.detail, text));
      }
      return;
    }
  }
}

function checkOps(ops: unknown, kube: boolean): readonly unknown[] {
  if (kube) {
    // What DecodePatch refuses (400) before any operation runs; `null` decodes to no operations.
    if (ops === null) return [];
    if (!Array.isArray(ops)) throw new PatchError("json", `json: cannot unmarshal ${goJsonKind(ops)} into Go value of type jsonpatch.Patch`, 400);
    const bad = ops.findIndex((op) => typeof op !== "object" || Array.isArray(op));
    if (bad >= 0) throw new JsonPatchError(bad, ops[bad], "an operation must be an object", `json: cannot unmarshal ${goJsonKind(ops[bad])} into Go value of type jsonpatch.Operation`, 400);
    return ops;
  }
  if (!Array.isArray(ops)) throw new PatchError("json", "a JSON patch must be a list of operations", 400);
  return ops;
}

/**
 * Apply RFC 6902 operations to a document and return the result. The input is not changed and the
 * result shares nothing with it. A failing operation throws {@link JsonPatchError}, naming the
 * operation's index, op and path. Path segments `__proto__`, `constructor` and `prototype` are refused.
 *
 * @example
 * import { applyJsonPatch } from "kubezod";
 * const next = applyJsonPatch({ spec: { replicas: 1 } }, [{ op: "replace", path: "/spec/replicas", value: 3 }]);
 * next.spec.replicas; // 3
 */
export function applyJsonPatch<T>(doc: T, ops: readonly JsonPatchOperation[], options: ApplyJsonPatchOptions = {}): T {
  const kube = options.compat === "kubernetes";
  // evanphx decodes a document that is not a list into a map: a scalar is refused before any operation.
  if (kube && doc !== null && typeof doc !== "object") throw new PatchError("json", `json: cannot unmarshal ${goJsonKind(doc)} into Go value of type jsonpatch.partialDoc`, 500);
  const state: Doc = { root: cloneJson(doc), owned: null, kube, copied: 0, ...(options.maxCopyBytes !== undefined ? { copyLimit: options.maxCopyBytes } : {}) };
  const list = checkOps(ops, kube);
  for (let i = 0; i < list.length; i++) applyOne(state, i, list[i]);
  return state.root as T;
}

/**
 * Apply operations copying only what they change: the result shares untouched subtrees with `doc`.
 * For callers that only read the result.
 */
export function applyJsonPatchShared(doc: JsonValue, ops: readonly JsonPatchOperation[]): JsonValue {
  const state: Doc = { root: doc, owned: new Set(), kube: false, copied: 0 };
  const list = checkOps(ops, false);
  for (let i = 0; i < list.length; i++) applyOne(state, i, list[i]);
  return state.root;
}

/**
 * Options of {@link guardJsonPatch}.
 *
 * @example
 * guardJsonPatch(live, ops, { resourceVersion: false });
 */
export interface GuardJsonPatchOptions {
  /** Also test `/metadata/resourceVersion` against the base object's (default true when it has one). */
  resourceVersion?: boolean;
}

/**
 * Precede every operation that replaces or removes a value of `base` with a `test` of that value,
 * and the whole patch with a test of `/metadata/resourceVersion`: the server then refuses the patch
 * (422) if the object changed since `base` was read, instead of changing the wrong list item.
 *
 * @example
 * import { guardJsonPatch, jsonPatchDiff } from "kubezod";
 * const ops = guardJsonPatch(live, jsonPatchDiff(live, next));
 * // [{ op: "test", path: "/metadata/resourceVersion", value: "42" }, { op: "test", path: "/spec/replicas", value: 1 }, { op: "replace", … }]
 */
export function guardJsonPatch(base: unknown, ops: readonly JsonPatchOperation[], options: GuardJsonPatchOptions = {}): JsonPatchOperation[] {
  const state: Doc = { root: cloneJson(base), owned: null, kube: false, copied: 0 };
  const out: JsonPatchOperation[] = [];
  const rootValue = state.root;
  const rv = isJsonObject(rootValue) && isJsonObject(rootValue.metadata) ? rootValue.metadata.resourceVersion : undefined;
  if (options.resourceVersion !== false && typeof rv === "string") out.push({ op: "test", path: "/metadata/resourceVersion", value: rv });
  const list = checkOps(ops, false);
  for (let i = 0; i < list.length; i++) {
    const op = list[i] as JsonPatchOperation;
    const tested = op.op === "move" ? op.from : op.op === "test" ? undefined : op.path;
    if (tested !== undefined && (op.op !== "add" || !isArrayInsert(state, tested))) {
      const tokens = parsePointer(tested);
      const got = tokens ? getAt(state, tokens) : undefined;
      if (got?.found) out.push({ op: "test", path: tested, value: cloneJson(got.value) });
    }
    out.push(op);
    applyOne(state, i, op);
  }
  return out;
}

/** True when an `add` at `pointer` inserts into a list (and so replaces nothing). */
function isArrayInsert(doc: Doc, pointer: string): boolean {
  const tokens = parsePointer(pointer);
  if (!tokens || tokens.length === 0) return false;
  return Array.isArray(parentOf(doc, tokens, false));
}
