/**
 * Error responses shaped like kube-apiserver's: a `Status` body with the reason, message and
 * details its `apierrors` constructors produce.
 */
import { apiErrorFor, type KubeApiError, type Status, type StatusCause, type StatusDetails } from "../errors.js";
import { formatFieldError, type FieldError } from "../meta/index.js";

/** A resource named the way the apiserver names it in messages: `deployments.apps`, `pods`. */
export interface QualifiedResource {
  group: string;
  plural: string;
}

/** `deployments.apps`, or `pods` for the core group. */
export function qualified(r: QualifiedResource): string {
  return r.group ? `${r.plural}.${r.group}` : r.plural;
}

/** A failure `Status` as an error the request handler throws and the server sends. */
export function statusError(code: number, reason: string, message: string, details?: StatusDetails): KubeApiError {
  const body: Status = {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    // An error the apiserver does not classify has no reason (StatusReasonUnknown is "", omitted).
    ...(reason ? { reason } : {}),
    ...(details ? { details } : {}),
    code,
  };
  return apiErrorFor(code, body);
}

function resourceDetails(r: QualifiedResource, name?: string): StatusDetails {
  return { ...(name !== undefined ? { name } : {}), ...(r.group ? { group: r.group } : {}), kind: r.plural };
}

export const notFound = (r: QualifiedResource, name: string): KubeApiError =>
  statusError(404, "NotFound", `${qualified(r)} "${name}" not found`, resourceDetails(r, name));

export const alreadyExists = (r: QualifiedResource, name: string): KubeApiError =>
  statusError(409, "AlreadyExists", `${qualified(r)} "${name}" already exists`, resourceDetails(r, name));

/** The 409 of an update with a stale resourceVersion (or a failed precondition). */
export const conflict = (r: QualifiedResource, name: string, why: string): KubeApiError =>
  statusError(409, "Conflict", `Operation cannot be fulfilled on ${qualified(r)} "${name}": ${why}`, resourceDetails(r, name));

export const STALE_OBJECT = "the object has been modified; please apply your changes to the latest version and try again";

export const badRequest = (message: string): KubeApiError => statusError(400, "BadRequest", message);

export const notFoundPath = (): KubeApiError => statusError(404, "NotFound", "the server could not find the requested resource", {});

export const methodNotAllowed = (): KubeApiError =>
  statusError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource", {});

export const forbidden = (r: QualifiedResource, name: string | undefined, why: string): KubeApiError =>
  statusError(403, "Forbidden", `${qualified(r)}${name ? ` "${name}"` : ""} is forbidden: ${why}`, resourceDetails(r, name));

export const gone = (message: string): KubeApiError => statusError(410, "Expired", message);

export const unsupportedMediaType = (accepted: readonly string[]): KubeApiError =>
  statusError(
    415,
    "UnsupportedMediaType",
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(", ")}`,
  );

export const internalError = (message: string): KubeApiError =>
  statusError(500, "InternalError", `Internal error occurred: ${message}`, { causes: [{ message }] });

/** The cause entry of one field error: reason, the error text without its field, and the field. */
export function causeOf(err: FieldError): StatusCause {
  const text = formatFieldError(err);
  const prefix = `${err.field || "<root>"}: `;
  return { reason: err.type, message: text.startsWith(prefix) ? text.slice(prefix.length) : text, field: err.field };
}

/**
 * 422 Invalid, as `apierrors.NewInvalid`: `Deployment.apps "web" is invalid: [a, b]` with one cause
 * per field error.
 */
export function invalid(kind: string, group: string, name: string, errs: readonly FieldError[]): KubeApiError {
  const qualifiedKind = group ? `${kind}.${group}` : kind;
  const texts = errs.map(formatFieldError);
  const list = texts.length === 1 ? texts[0]! : `[${texts.join(", ")}]`;
  return statusError(422, "Invalid", `${qualifiedKind} "${name}" is invalid: ${list}`, {
    name,
    ...(group ? { group } : {}),
    kind,
    causes: errs.map(causeOf),
  });
}

/** A successful `Status` (what a delete returns for some resources, and deletecollection of none). */
export function successStatus(details?: StatusDetails): Status {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", ...(details ? { details } : {}) };
}

/**
 * What kube-apiserver's panic recovery answers (Go's `http.Error`, plain text, 500) when a handler
 * crashes: thrown where Kubernetes' own code would panic on the same input.
 */
export class ApiserverPanic extends Error {
  constructor() {
    super("This request caused apiserver to panic. Look in the logs for details.");
  }
}
