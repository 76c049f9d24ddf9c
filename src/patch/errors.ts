/**
 * Errors of the patch functions: an invalid patch (with the HTTP status kube-apiserver answers for
 * it and Kubernetes' own text), a failing JSON Patch operation, and a three-way merge conflict.
 */
import { KubeError, type KubeErrorCode } from "../errors.js";
import type { JsonObject } from "./json.js";

/**
 * The kind of patch an error belongs to, named as in `resourceInfo(…).patchTypes`.
 *
 * @example
 * if (e instanceof PatchError && e.patchType === "strategic") …
 */
export type PatchKind = "json" | "merge" | "strategic";

/**
 * A patch that cannot be applied or computed. `message` is the text Kubernetes gives for the same
 * input (kubectl prints it after `error: `), `status` the HTTP status kube-apiserver answers with
 * (400 malformed patch, 422 unprocessable, 500 for the strategic-merge errors it does not classify).
 *
 * @example
 * try { applySmp(Deployment, live, patch); }
 * catch (e) { if (e instanceof PatchError) reply(e.status, e.message); }
 */
export class PatchError extends KubeError {
  override name = "PatchError";
  override readonly code: KubeErrorCode = "KUBE_PATCH";
  readonly patchType: PatchKind;
  readonly status: 400 | 422 | 500;

  constructor(patchType: PatchKind, message: string, status: 400 | 422 | 500 = 500) {
    super(message);
    this.patchType = patchType;
    this.status = status;
  }
}

/**
 * One JSON Patch operation as it was given (possibly malformed).
 *
 * @example
 * (e as JsonPatchError).operation; // { op: "remove", path: "/spec/paused" }
 */
export interface JsonPatchErrorOperation {
  op?: unknown;
  path?: unknown;
  from?: unknown;
}

/**
 * A JSON Patch operation that failed. `message` names the operation's index, op and path;
 * `kubernetesMessage` is the text kube-apiserver returns for it.
 *
 * @example
 * try { applyJsonPatch(doc, ops); }
 * catch (e) { if (e instanceof JsonPatchError) console.log(e.index, e.op, e.path); }
 */
export class JsonPatchError extends PatchError {
  override name = "JsonPatchError";
  override readonly code: KubeErrorCode = "KUBE_JSON_PATCH";
  /** Index of the failing operation in the patch. */
  readonly index: number;
  /** Its `op`, or undefined when missing. */
  readonly op: string | undefined;
  /** Its `path` (JSON Pointer), or undefined when missing. */
  readonly path: string | undefined;
  /** The failing operation as given. */
  readonly operation: JsonPatchErrorOperation | undefined;
  /** The text kube-apiserver (evanphx/json-patch) gives for the same failure. */
  readonly kubernetesMessage: string;

  constructor(index: number, operation: unknown, detail: string, kubernetesMessage: string, status: 400 | 422 | 500 = 422) {
    const op = typeof operation === "object" && operation !== null ? (operation as JsonPatchErrorOperation) : undefined;
    const name = typeof op?.op === "string" ? op.op : undefined;
    const path = typeof op?.path === "string" ? op.path : undefined;
    const what = [name ?? "(no op)", path ?? "(no path)"].join(" ");
    super("json", `JSON patch operation ${index} (${what}): ${detail}`, status);
    this.index = index;
    this.op = name;
    this.path = path;
    this.operation = op;
    this.kubernetesMessage = kubernetesMessage;
  }
}

/**
 * A three-way strategic merge found that the live object changed a field that the new
 * configuration also changes (the check `kubectl apply --overwrite=false` makes).
 *
 * @example
 * try { smpThreeWay(Deployment, lastApplied, next, live); }
 * catch (e) { if (e instanceof PatchConflictError) console.log(e.patch, e.changes); }
 */
export class PatchConflictError extends KubeError {
  override name = "PatchConflictError";
  override readonly code: KubeErrorCode = "KUBE_PATCH_CONFLICT";
  /** The patch that would have been sent. */
  readonly patch: JsonObject;
  /** The changes made from the original (last applied) to the current (live) object. */
  readonly changes: JsonObject;

  constructor(message: string, patch: JsonObject, changes: JsonObject) {
    super(message);
    this.patch = patch;
    this.changes = changes;
  }
}
