/**
 * Patching: JSON Patch, JSON merge patch and Kubernetes strategic merge patch (apply, two-way and
 * three-way diff), read off the schemas' annotations, and the typed path picker. Pure code, no I/O.
 */
export type { JsonPrimitive, JsonValue, JsonObject } from "./json.js";
export { PatchError, JsonPatchError, PatchConflictError, type PatchKind, type JsonPatchErrorOperation } from "./errors.js";
export { toPointer, parsePointer } from "./pointer.js";
export { applyJsonPatch, guardJsonPatch, APISERVER_MAX_COPY_BYTES, type JsonPatchOperation, type ApplyJsonPatchOptions, type GuardJsonPatchOptions } from "./json-patch.js";
export { jsonPatchDiff, type JsonPatchDiffOptions } from "./json-diff.js";
export { applyMergePatch, mergePatchDiff, type ApplyMergePatchOptions, type MergePatchDiffOptions } from "./merge-patch.js";
export { applySmp } from "./smp-apply.js";
export { smpDiff, smpThreeWay, jsonPatchToSmp, type SmpDiffOptions, type SmpThreeWayOptions } from "./smp-diff.js";
export { pathOf, type PickedPath, type PickSegment, type ElementKey, type PickedPathLike, type PathProxy, type PathLeaf, type PathAny } from "./path.js";
export { pickChanges } from "./pick.js";
