/**
 * Applying PATCH bodies with the project's patch engine, the way kube-apiserver does: JSON Patch
 * and merge patch in its compatibility mode, strategic merge patch with the schema's merge keys and
 * strategies; engine errors become the apiserver's statuses.
 */
import type * as z from "zod";
import type { KubeApiError } from "../errors.js";
import { applyJsonPatch, applyMergePatch, applySmp, JsonPatchError, PatchError, type JsonPatchOperation } from "../patch/index.js";
import { badRequest, statusError } from "./status.js";

function asStatus(e: unknown): KubeApiError | unknown {
  if (e instanceof JsonPatchError) return statusError(e.status, e.status === 400 ? "BadRequest" : "Invalid", e.kubernetesMessage);
  if (e instanceof PatchError) {
    if (e.status === 400) return badRequest(e.message);
    if (e.status === 422) return statusError(422, "Invalid", e.message);
    return statusError(500, "InternalError", `Internal error occurred: ${e.message}`);
  }
  return e;
}

/** Apply a JSON merge patch (RFC 7386). */
export function applyMerge(target: unknown, patch: unknown): unknown {
  try {
    return applyMergePatch(target, patch, { compat: "kubernetes" });
  } catch (e) {
    throw asStatus(e);
  }
}

/** Apply a JSON patch (RFC 6902); 422 when an operation does not apply, 400 when malformed. */
export function applyJson(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw badRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch");
  try {
    return applyJsonPatch(target, ops as JsonPatchOperation[], { compat: "kubernetes" });
  } catch (e) {
    throw asStatus(e);
  }
}

/** Apply a strategic merge patch with the schema's merge keys and strategies. */
export function strategicMergePatch(schema: z.ZodType, original: unknown, patch: unknown): unknown {
  try {
    return applySmp(schema, original, patch);
  } catch (e) {
    throw asStatus(e);
  }
}
