/**
 * `kubezod/patch`: every patch function (JSON Patch, merge patch, strategic merge patch — apply,
 * two-way and three-way diff), the path picker, JSON Pointers and restricting a change to picked
 * paths. Pure code, no I/O. The everyday names are also in `kubezod`.
 *
 * @example
 * import { smpDiff, pickChanges, toPointer } from "kubezod/patch";
 * toPointer(["metadata", "labels", "app.kubernetes.io/name"]); // "/metadata/labels/app.kubernetes.io~1name"
 */
export type { JsonPrimitive, JsonValue, JsonObject } from "./json.js";
export { PatchError, JsonPatchError, PatchConflictError, type PatchKind, type JsonPatchErrorOperation } from "./errors.js";
export { toPointer, parsePointer } from "./pointer.js";
export { applyJsonPatch, guardJsonPatch, type JsonPatchOperation, type ApplyJsonPatchOptions, type GuardJsonPatchOptions } from "./json-patch.js";
export { jsonPatchDiff, type JsonPatchDiffOptions } from "./json-diff.js";
export { applyMergePatch, mergePatchDiff, type ApplyMergePatchOptions, type MergePatchDiffOptions } from "./merge-patch.js";
export { applySmp } from "./smp-apply.js";
export { smpDiff, smpThreeWay, jsonPatchToSmp, type SmpDiffOptions, type SmpThreeWayOptions } from "./smp-diff.js";
export { pathOf, type PickedPath, type PickSegment, type ElementKey, type PickedPathLike, type PathProxy, type PathLeaf, type PathAny } from "./path.js";
export { pickChanges } from "./pick.js";
