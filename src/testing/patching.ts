/**
 * Applying PATCH bodies with the project's patch engine, the way kube-apiserver does: JSON Patch
 * and merge patch in its compatibility mode, strategic merge patch with the schema's merge keys and
 * strategies; engine errors become the apiserver's statuses.
 */
import type * as z from "zod";
import type { KubeApiError } from "../errors.js";
import { APISERVER_MAX_COPY_BYTES, applyJsonPatch, applyMergePatch, applySmp, JsonPatchError, PatchError, type JsonPatchOperation } from "../patch/index.js";
import { ApiserverPanic, badRequest, statusError } from "./status.js";

function asStatus(e: unknown): KubeApiError | unknown {
  if (e instanceof JsonPatchError && e.status === 500) return new ApiserverPanic();
  if (e instanceof JsonPatchError && e.status === 400) return statusError(400, "BadRequest", e.kubernetesMessage);
  if (e instanceof PatchError) {
    if (e.status === 400) return badRequest(e.message);
    // The patch handler answers a failed JSON patch operation (and a strategic merge patch it cannot
    // apply) with NewGenericServerResponse(422, …), which keeps none of the cause.
    if (e.status === 422) return statusError(422, "Invalid", "the server rejected our request due to an error in our request", {});
    // The patch handler returns these errors as they are: ErrorToAPIStatus makes them a 500 without reason.
    return statusError(500, "", e.message);
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

/** kube-apiserver's limit on the operations of one JSON patch (its patch handler's maxJSONPatchOperations). */
const MAX_JSON_PATCH_OPERATIONS = 10000;

/** Apply a JSON patch (RFC 6902); 422 when an operation does not apply, 400 when malformed, 413 past the operation limit. */
export function applyJson(target: unknown, ops: unknown): unknown {
  if (Array.isArray(ops) && ops.length > MAX_JSON_PATCH_OPERATIONS) {
    throw statusError(413, "RequestEntityTooLarge", `Request entity too large: The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${ops.length}`);
  }
  try {
    return applyJsonPatch(target, ops as JsonPatchOperation[], { compat: "kubernetes", maxCopyBytes: APISERVER_MAX_COPY_BYTES });
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
