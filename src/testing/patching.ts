/**
 * Applying PATCH bodies: JSON Patch (RFC 6902), JSON merge patch (RFC 7386), and strategic merge
 * patch through the project's patch engine (one call site).
 */
import type * as z from "zod";
import * as patchEngine from "../patch/index.js";
import { deepEqual } from "./fieldset.js";
import { badRequest, statusError } from "./status.js";

type Obj = Record<string, unknown>;

const clone = <T>(v: T): T => structuredClone(v);

/** RFC 7386: objects merge recursively, `null` deletes, everything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== "object" || patch === null || Array.isArray(patch)) return clone(patch);
  const out: Obj = typeof target === "object" && target !== null && !Array.isArray(target) ? { ...(target as Obj) } : {};
  for (const [k, v] of Object.entries(patch as Obj)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function decodePointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw new PatchApplyError(`JSON pointer ${JSON.stringify(pointer)} must start with "/"`);
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

class PatchApplyError extends Error {}

function parentOf(doc: unknown, path: string[], op: string, pointer: string): { parent: Obj | unknown[]; key: string } {
  let cur = doc;
  for (const seg of path.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(seg)];
    else if (cur && typeof cur === "object") cur = (cur as Obj)[seg];
    else cur = undefined;
    if (cur === undefined || cur === null || typeof cur !== "object") {
      throw new PatchApplyError(`${op} operation does not apply: doc is missing path: "${pointer}": missing value`);
    }
  }
  if (cur === null || typeof cur !== "object") throw new PatchApplyError(`${op} operation does not apply: doc is missing path: "${pointer}": missing value`);
  return { parent: cur as Obj | unknown[], key: path[path.length - 1]! };
}

function getAt(doc: unknown, pointer: string, op: string): unknown {
  let cur = doc;
  for (const seg of decodePointer(pointer)) {
    if (Array.isArray(cur)) cur = cur[Number(seg)];
    else if (cur && typeof cur === "object" && Object.hasOwn(cur, seg)) cur = (cur as Obj)[seg];
    else cur = undefined;
    if (cur === undefined) throw new PatchApplyError(`${op} operation does not apply: doc is missing path: "${pointer}": missing value`);
  }
  return cur;
}

function index(arr: unknown[], key: string, allowEnd: boolean, op: string, pointer: string): number {
  if (key === "-" && allowEnd) return arr.length;
  if (!/^\d+$/.test(key)) throw new PatchApplyError(`${op} operation does not apply: doc is missing path: "${pointer}": invalid index`);
  const i = Number(key);
  if (i > arr.length || (!allowEnd && i === arr.length)) {
    throw new PatchApplyError(`${op} operation does not apply: doc is missing path: "${pointer}": index out of bounds`);
  }
  return i;
}

function add(doc: unknown, pointer: string, value: unknown, op = "add"): unknown {
  const path = decodePointer(pointer);
  if (path.length === 0) return clone(value);
  const { parent, key } = parentOf(doc, path, op, pointer);
  if (Array.isArray(parent)) parent.splice(index(parent, key, true, op, pointer), 0, clone(value));
  else parent[key] = clone(value);
  return doc;
}

function remove(doc: unknown, pointer: string, op = "remove"): unknown {
  const path = decodePointer(pointer);
  const { parent, key } = parentOf(doc, path, op, pointer);
  if (Array.isArray(parent)) parent.splice(index(parent, key, false, op, pointer), 1);
  else {
    if (!Object.hasOwn(parent, key)) throw new PatchApplyError(`${op} operation does not apply: doc is missing path: "${pointer}": missing value`);
    delete parent[key];
  }
  return doc;
}

/** Apply an RFC 6902 JSON Patch; throws the apiserver's 400 (bad patch) or 422 (does not apply). */
export function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw badRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch");
  let doc = clone(target);
  try {
    for (const raw of ops) {
      if (!raw || typeof raw !== "object") throw new PatchApplyError("invalid operation");
      const o = raw as { op?: unknown; path?: unknown; from?: unknown; value?: unknown };
      if (typeof o.path !== "string") throw new PatchApplyError(`${String(o.op)} operation does not apply: missing path`);
      switch (o.op) {
        case "add":
          doc = add(doc, o.path, o.value);
          break;
        case "remove":
          doc = remove(doc, o.path);
          break;
        case "replace":
          getAt(doc, o.path, "replace");
          doc = remove(doc, o.path, "replace");
          doc = add(doc, o.path, o.value, "replace");
          break;
        case "move": {
          const value = getAt(doc, String(o.from), "move");
          doc = remove(doc, String(o.from), "move");
          doc = add(doc, o.path, value, "move");
          break;
        }
        case "copy":
          doc = add(doc, o.path, getAt(doc, String(o.from), "copy"), "copy");
          break;
        case "test":
          if (!deepEqual(getAt(doc, o.path, "test"), o.value)) throw new PatchApplyError(`testing value ${o.path} failed: test failed`);
          break;
        default:
          throw new PatchApplyError(`Unexpected kind: ${String(o.op)}`);
      }
    }
  } catch (e) {
    if (e instanceof PatchApplyError) throw statusError(422, "Invalid", e.message);
    throw e;
  }
  return doc;
}

type SmpApply = (schema: z.ZodType, original: unknown, patch: unknown) => unknown;
type EngineApply = (doc: unknown, patch: unknown, options: { compat: "kubernetes" }) => unknown;

/** The patch engine's kube-apiserver-compatible JSON or merge patch, when the build has it. */
function engine(name: "applyJsonPatch" | "applyMergePatch"): EngineApply | undefined {
  const fn = (patchEngine as Record<string, unknown>)[name];
  return typeof fn === "function" ? (fn as EngineApply) : undefined;
}

/** Apply a JSON merge patch (the patch engine's, or the small one here). */
export function applyMerge(target: unknown, patch: unknown): unknown {
  const apply = engine("applyMergePatch");
  return apply ? apply(target, patch, { compat: "kubernetes" }) : mergePatch(target, patch);
}

/** Apply a JSON patch (the patch engine's, or the small one here); 422 when it does not apply. */
export function applyJson(target: unknown, ops: unknown): unknown {
  const apply = engine("applyJsonPatch");
  if (!apply) return jsonPatch(target, ops);
  if (!Array.isArray(ops)) throw badRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch");
  try {
    return apply(target, ops, { compat: "kubernetes" });
  } catch (e) {
    throw statusError(422, "Invalid", (e as Error).message);
  }
}

/** The patch engine's strategic merge patch, when the build has it. */
function smpEngine(): SmpApply | undefined {
  const fn = (patchEngine as Record<string, unknown>).applySmp;
  return typeof fn === "function" ? (fn as SmpApply) : undefined;
}

/** Whether strategic merge patches can be applied. */
export const hasStrategicMerge = (): boolean => smpEngine() !== undefined;

/** Apply a strategic merge patch with the schema's merge keys and strategies. */
export function strategicMergePatch(schema: z.ZodType, original: unknown, patch: unknown): unknown {
  const apply = smpEngine();
  if (!apply) throw statusError(500, "InternalError", "Internal error occurred: strategic merge patch is not available in this build");
  try {
    return apply(schema, original, patch);
  } catch (e) {
    const name = (e as Error).name;
    if (name === "PatchConflictError") throw statusError(409, "Conflict", (e as Error).message);
    throw statusError(422, "Invalid", (e as Error).message);
  }
}
