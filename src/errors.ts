/**
 * Every error kubezod throws: one hierarchy under `KubeError`, each class with a stable `code`.
 * API errors carry the apiserver's `Status` and its `reason`; the others say which file, server,
 * request or field went wrong. Messages and every printed form (`String(err)`, `util.inspect`,
 * `JSON.stringify`) never contain credentials or Secret data.
 */
import type * as z from "zod";

/** A cause inside a `Status` (one invalid field, for example). */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** The details of a `Status`: which object, and why. */
export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** The apiserver's `Status` object, as sent with an error response. */
export interface Status {
  apiVersion?: string;
  kind?: string;
  metadata?: Record<string, unknown>;
  status?: "Success" | "Failure" | string;
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code?: number;
}

/** The request an error belongs to: method and URL (no credentials). */
export interface RequestInfo {
  method: string;
  url: string;
  /** The server's `Audit-Id` for this request, when it sent one. */
  auditId?: string;
}

/**
 * The stable code of every kubezod error (`err.code`): match on it rather than on messages.
 *
 * @example
 * if ((err as KubeError).code === "KUBE_NOT_FOUND") …
 */
export type KubeErrorCode =
  | "KUBE_ERROR"
  | "KUBE_API_ERROR"
  | "KUBE_BAD_REQUEST"
  | "KUBE_UNAUTHORIZED"
  | "KUBE_FORBIDDEN"
  | "KUBE_NOT_FOUND"
  | "KUBE_METHOD_NOT_ALLOWED"
  | "KUBE_CONFLICT"
  | "KUBE_GONE"
  | "KUBE_UNSUPPORTED_MEDIA_TYPE"
  | "KUBE_UNPROCESSABLE_ENTITY"
  | "KUBE_TOO_MANY_REQUESTS"
  | "KUBE_INTERNAL_SERVER_ERROR"
  | "KUBE_SERVICE_UNAVAILABLE"
  | "KUBE_SERVER_TIMEOUT"
  | "KUBE_PATCH_GUARD_FAILED"
  | "KUBE_VALIDATION"
  | "KUBE_CONFIG"
  | "KUBE_CONNECTION"
  | "KUBE_TIMEOUT"
  | "KUBE_IDLE_TIMEOUT"
  | "KUBE_INVALID_RESPONSE"
  | "KUBE_RESPONSE_TOO_LARGE"
  | "KUBE_STREAM_DECODE"
  | "KUBE_USAGE"
  | "KUBE_PATCH"
  | "KUBE_JSON_PATCH"
  | "KUBE_PATCH_CONFLICT"
  | "KUBE_SPEC"
  | "KUBE_YAML"
  | "KUBE_UNSUPPORTED_REGEX";

/**
 * The base of every kubezod error: `code` is stable, `reason` is the Kubernetes `Status` reason
 * when there is one.
 *
 * @example
 * try { await kube.get(ConfigMap, "x", { namespace: "default" }); } catch (e) { if (e instanceof KubeError) log(e.code, e.message); }
 */
export class KubeError extends Error {
  override name = "KubeError";
  /** A stable code for this kind of failure. */
  readonly code: KubeErrorCode = "KUBE_ERROR";

  /** The fields worth printing (what `JSON.stringify(err)` shows): never values or bodies. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { name: this.name, code: this.code, message: this.message };
    const self = this as unknown as Record<string, unknown>;
    for (const key of ["status", "reason", "request", "server", "timeoutMs", "direction", "limit", "field"]) {
      if (self[key] !== undefined) out[key] = self[key];
    }
    return out;
  }
}

/**
 * Misuse of the API: an argument that cannot work (a schema that is not a resource, an object
 * without a name, a path the schema does not have, an invalid selector).
 *
 * @example
 * catch (e) { if (e instanceof UsageError) console.error(e.message); }
 */
export class UsageError extends KubeError {
  override name = "UsageError";
  override readonly code: KubeErrorCode = "KUBE_USAGE";
}

/**
 * An error response from the API server, with its HTTP status and parsed `Status`.
 *
 * @example
 * catch (e) { if (e instanceof KubeApiError && e.status === 404) { … } }
 */
export class KubeApiError extends KubeError {
  override name = "KubeApiError";
  override readonly code: KubeErrorCode = "KUBE_API_ERROR";
  /** The HTTP status code. */
  readonly status: number;
  /** The `Status` reason (`NotFound`, `AlreadyExists`, `Conflict`, `Invalid`, …). */
  readonly reason: string | undefined;
  readonly details: StatusDetails | undefined;
  /** The parsed `Status` (synthesised from the response when the body was not one). */
  readonly body: Status;
  readonly request: RequestInfo | undefined;
  /** Seconds to wait before retrying, from `Retry-After` or the Status details. */
  readonly retryAfterSeconds: number | undefined;

  constructor(status: number, body: Status, request?: RequestInfo, retryAfterSeconds?: number) {
    const where = request ? ` (${request.method} ${request.url})` : "";
    super(`${body.message || body.reason || `HTTP ${status}`}${where}`);
    this.status = status;
    this.body = body;
    this.reason = body.reason;
    this.details = body.details;
    this.request = request;
    this.retryAfterSeconds = retryAfterSeconds ?? body.details?.retryAfterSeconds;
  }

  /** The causes listed in the Status details (field errors on 422). */
  get causes(): StatusCause[] {
    return this.details?.causes ?? [];
  }
}

/** 400: the request was malformed. @example catch (e) { if (e instanceof BadRequestError) … } */
export class BadRequestError extends KubeApiError {
  override name = "BadRequestError";
  override readonly code: KubeErrorCode = "KUBE_BAD_REQUEST";
}
/** 401: missing or invalid credentials. @example catch (e) { if (e instanceof UnauthorizedError) … } */
export class UnauthorizedError extends KubeApiError {
  override name = "UnauthorizedError";
  override readonly code: KubeErrorCode = "KUBE_UNAUTHORIZED";
}
/** 403: authenticated but not allowed. @example catch (e) { if (e instanceof ForbiddenError) … } */
export class ForbiddenError extends KubeApiError {
  override name = "ForbiddenError";
  override readonly code: KubeErrorCode = "KUBE_FORBIDDEN";
}
/** 404: no such object or resource. @example catch (e) { if (e instanceof NotFoundError) … } */
export class NotFoundError extends KubeApiError {
  override name = "NotFoundError";
  override readonly code: KubeErrorCode = "KUBE_NOT_FOUND";
}
/** 405: the resource does not support this verb. @example catch (e) { if (e instanceof MethodNotAllowedError) … } */
export class MethodNotAllowedError extends KubeApiError {
  override name = "MethodNotAllowedError";
  override readonly code: KubeErrorCode = "KUBE_METHOD_NOT_ALLOWED";
}
/** 409: already exists (`reason` AlreadyExists), or a stale resourceVersion (Conflict). @example catch (e) { if (e instanceof ConflictError) … } */
export class ConflictError extends KubeApiError {
  override name = "ConflictError";
  override readonly code: KubeErrorCode = "KUBE_CONFLICT";
}
/** 410: the resourceVersion or continue token is too old. @example catch (e) { if (e instanceof GoneError) relist(); } */
export class GoneError extends KubeApiError {
  override name = "GoneError";
  override readonly code: KubeErrorCode = "KUBE_GONE";
}
/** 415: the patch type is not accepted for this resource. @example catch (e) { if (e instanceof UnsupportedMediaTypeError) … } */
export class UnsupportedMediaTypeError extends KubeApiError {
  override name = "UnsupportedMediaTypeError";
  override readonly code: KubeErrorCode = "KUBE_UNSUPPORTED_MEDIA_TYPE";
}
/** 422: the object is invalid (see `causes`). @example catch (e) { if (e instanceof UnprocessableEntityError) e.causes; } */
export class UnprocessableEntityError extends KubeApiError {
  override name = "UnprocessableEntityError";
  override readonly code: KubeErrorCode = "KUBE_UNPROCESSABLE_ENTITY";
}
/** 429: rate limited; see `retryAfterSeconds`. @example catch (e) { if (e instanceof TooManyRequestsError) … } */
export class TooManyRequestsError extends KubeApiError {
  override name = "TooManyRequestsError";
  override readonly code: KubeErrorCode = "KUBE_TOO_MANY_REQUESTS";
}
/** 500: the server failed. @example catch (e) { if (e instanceof InternalServerError) … } */
export class InternalServerError extends KubeApiError {
  override name = "InternalServerError";
  override readonly code: KubeErrorCode = "KUBE_INTERNAL_SERVER_ERROR";
}
/** 503: the server is unavailable. @example catch (e) { if (e instanceof ServiceUnavailableError) … } */
export class ServiceUnavailableError extends KubeApiError {
  override name = "ServiceUnavailableError";
  override readonly code: KubeErrorCode = "KUBE_SERVICE_UNAVAILABLE";
}
/** 504: the server timed out. @example catch (e) { if (e instanceof ServerTimeoutError) … } */
export class ServerTimeoutError extends KubeApiError {
  override name = "ServerTimeoutError";
  override readonly code: KubeErrorCode = "KUBE_SERVER_TIMEOUT";
}

/**
 * A guarded JSON patch whose `test` operation failed on the server: the object changed since it
 * was read (the guard did its job). The server answers 422; `modify` retries it like a conflict.
 *
 * @example
 * catch (e) { if (e instanceof PatchGuardError) reread(); }
 */
export class PatchGuardError extends KubeApiError {
  override name = "PatchGuardError";
  override readonly code: KubeErrorCode = "KUBE_PATCH_GUARD_FAILED";
}

/**
 * The error class `apiErrorFor` gives each HTTP status (used to type `returnErrors` results).
 *
 * @example
 * type E = ApiErrorByStatus[404]; // NotFoundError
 */
export interface ApiErrorByStatus {
  400: BadRequestError;
  401: UnauthorizedError;
  403: ForbiddenError;
  404: NotFoundError;
  405: MethodNotAllowedError;
  409: ConflictError;
  410: GoneError;
  415: UnsupportedMediaTypeError;
  422: UnprocessableEntityError;
  429: TooManyRequestsError;
  500: InternalServerError;
  503: ServiceUnavailableError;
  504: ServerTimeoutError;
}

type ApiErrorClass = new (status: number, body: Status, request?: RequestInfo, retryAfterSeconds?: number) => KubeApiError;

const BY_STATUS: Record<number, ApiErrorClass> = {
  400: BadRequestError,
  401: UnauthorizedError,
  403: ForbiddenError,
  404: NotFoundError,
  405: MethodNotAllowedError,
  409: ConflictError,
  410: GoneError,
  415: UnsupportedMediaTypeError,
  422: UnprocessableEntityError,
  429: TooManyRequestsError,
  500: InternalServerError,
  503: ServiceUnavailableError,
  504: ServerTimeoutError,
};

/** Longest `message` kept from a response body that is not a `Status` (an HTML error page, say). */
const MAX_TEXT_MESSAGE = 200;

/**
 * The typed error for an HTTP status and (possibly non-Status) response body.
 *
 * @example
 * const err = apiErrorFor(404, { kind: "Status", reason: "NotFound", message: "x not found" });
 * err instanceof NotFoundError; // true
 */
export function apiErrorFor(status: number, body: unknown, request?: RequestInfo, retryAfterSeconds?: number): KubeApiError {
  const Cls = BY_STATUS[status] ?? KubeApiError;
  return new Cls(status, toStatus(status, body), request, retryAfterSeconds);
}

/** Longest Status `message` kept. */
const MAX_STATUS_MESSAGE = 4 * 1024;
/** Most causes kept from a Status (a hostile server could send millions). */
const MAX_CAUSES = 1000;

/**
 * A `Status` read from a body of unknown shape, every field with its `metav1.Status` type (fields
 * of another type left out); `undefined` when the body is not an object. Internal.
 */
export function statusOf(body: unknown, code: number): Status | undefined {
  return isRecord(body) ? wellTypedStatus(code, body) : undefined;
}

function toStatus(code: number, body: unknown): Status {
  if (typeof body === "object" && body !== null && !Array.isArray(body) && (body as Status).kind === "Status") return wellTypedStatus(code, body as Record<string, unknown>);
  return { kind: "Status", apiVersion: "v1", status: "Failure", code, reason: reasonForCode(code), message: textMessage(code, body) };
}

/**
 * A Status whose every field has the type `metav1.Status` gives it: a field of another type (a
 * message that is an object, causes that are not a list, a code that is text) is left out, or
 * replaced by what the HTTP status says, so the error's message, `reason`, `causes` and
 * `retryAfterSeconds` are always what their types promise. Unknown fields are kept.
 */
function wellTypedStatus(code: number, body: Record<string, unknown>): Status {
  const out: Status = { ...body };
  const text = (key: "apiVersion" | "status" | "message" | "reason") => {
    if (body[key] !== undefined && typeof body[key] !== "string") delete out[key];
  };
  text("apiVersion");
  text("status");
  text("message");
  text("reason");
  if (typeof out.message === "string" && out.message.length > MAX_STATUS_MESSAGE) out.message = `${out.message.slice(0, MAX_STATUS_MESSAGE)}… (truncated)`;
  if (body.code !== undefined && !(Number.isInteger(body.code) && (body.code as number) >= 100 && (body.code as number) <= 599)) out.code = code;
  if (out.reason === undefined && (out.status === undefined || out.status === "Failure")) {
    const reason = reasonForCode(code);
    if (reason !== undefined && body.reason !== undefined) out.reason = reason;
  }
  if (body.metadata !== undefined && !isRecord(body.metadata)) delete out.metadata;
  if (body.details !== undefined) {
    if (isRecord(body.details)) out.details = wellTypedDetails(body.details);
    else delete out.details;
  }
  return out;
}

function wellTypedDetails(details: Record<string, unknown>): StatusDetails {
  const out: StatusDetails & Record<string, unknown> = { ...details };
  for (const key of ["name", "group", "kind", "uid"] as const) if (details[key] !== undefined && typeof details[key] !== "string") delete out[key];
  const retry = details.retryAfterSeconds;
  if (retry !== undefined && !(Number.isInteger(retry) && (retry as number) >= 0)) delete out.retryAfterSeconds;
  if (details.causes !== undefined) {
    if (Array.isArray(details.causes)) {
      const causes: StatusCause[] = [];
      for (const c of details.causes.slice(0, MAX_CAUSES)) {
        if (!isRecord(c)) continue;
        const cause: StatusCause & Record<string, unknown> = { ...c };
        for (const key of ["reason", "message", "field"] as const) if (c[key] !== undefined && typeof c[key] !== "string") delete cause[key];
        if (typeof cause.message === "string" && cause.message.length > MAX_STATUS_MESSAGE) cause.message = `${cause.message.slice(0, MAX_STATUS_MESSAGE)}… (truncated)`;
        causes.push(cause);
      }
      out.causes = causes;
    } else delete out.causes;
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A short message from a body that is not a Status: its text, HTML tags and long runs cut. */
function textMessage(code: number, body: unknown): string {
  if (typeof body !== "string") return `HTTP ${code}`;
  let text = body.trim();
  if (/^<(!doctype|html|\?xml|head|body)/i.test(text)) {
    const title = /<title[^>]*>([^<]{0,200})/i.exec(text)?.[1]?.trim();
    return `HTTP ${code} with an HTML body${title ? ` (${title})` : ""}`;
  }
  text = text.replace(/\s+/g, " ");
  return text ? (text.length > MAX_TEXT_MESSAGE ? `${text.slice(0, MAX_TEXT_MESSAGE)}…` : text) : `HTTP ${code}`;
}

/** The reason kube-apiserver gives a status code when the body says none (apimachinery's `NewGenericServerResponse`). */
function reasonForCode(code: number): string | undefined {
  switch (code) {
    case 400:
      return "BadRequest";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "NotFound";
    case 405:
      return "MethodNotAllowed";
    case 406:
      return "NotAcceptable";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 413:
      return "RequestEntityTooLarge";
    case 415:
      return "UnsupportedMediaType";
    case 422:
      return "Invalid";
    case 429:
      return "TooManyRequests";
    case 500:
      return "InternalError";
    case 503:
      return "ServiceUnavailable";
    case 504:
      return "Timeout";
    default:
      return code >= 500 ? "InternalError" : undefined;
  }
}

/** Where a validation failure happened: an object about to be sent, or one received. */
export type ValidationDirection = "request" | "response" | "input";

const SECRET_KINDS = new Set(["Secret"]);
const SECRET_FIELDS = /^(data|stringData|token|password|.*[Kk]ey[Dd]ata|client-key-data|refresh-token|id-token|access-token)$/;

/** A copy of a value with Secret data and credential-like fields replaced (what a ValidationError keeps of a request). */
function withoutSecrets(value: unknown, depth = 0): unknown {
  if (depth > 64 || typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map((v) => withoutSecrets(v, depth + 1));
  const record = value as Record<string, unknown>;
  const secret = typeof record.kind === "string" && SECRET_KINDS.has(record.kind);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) {
    if ((secret && (k === "data" || k === "stringData")) || (k !== "data" && SECRET_FIELDS.test(k))) out[k] = typeof v === "object" && v !== null ? "[redacted]" : v === undefined ? v : "[redacted]";
    else out[k] = withoutSecrets(v, depth + 1);
  }
  return out;
}

/**
 * An object that does not match its schema, with every issue's path. The offending value is
 * available as `value` (a request body with its Secret data and credentials redacted) but is
 * never part of the message or of any printed form of the error.
 *
 * @example
 * catch (e) { if (e instanceof ValidationError) for (const i of e.issues) console.log(i.path.join("."), i.message); }
 */
export class ValidationError extends KubeError {
  override name = "ValidationError";
  override readonly code: KubeErrorCode = "KUBE_VALIDATION";
  readonly issues: z.core.$ZodIssue[];
  /** The value that failed: unmodified for received objects, redacted for outgoing ones (not enumerable). */
  declare readonly value: unknown;
  readonly direction: ValidationDirection;
  readonly request: RequestInfo | undefined;

  constructor(issues: z.core.$ZodIssue[], value: unknown, direction: ValidationDirection, what?: string, request?: RequestInfo) {
    const shown = issues.slice(0, 5).map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`);
    if (issues.length > 5) shown.push(`… and ${issues.length - 5} more`);
    const subject = what ?? (direction === "response" ? "response" : direction === "request" ? "request body" : "object");
    super(`${subject} does not match its schema: ${shown.join("; ")}${request ? ` (${request.method} ${request.url})` : ""}`);
    // Issues never carry input values (Zod keeps them only when asked); drop any that do.
    this.issues = issues.map((i) => ("input" in i ? (({ input: _input, ...rest }) => rest)(i as z.core.$ZodIssue & { input?: unknown }) as z.core.$ZodIssue : i));
    Object.defineProperty(this, "value", { value: direction === "response" ? value : withoutSecrets(value), enumerable: false });
    this.direction = direction;
    this.request = request;
  }
}

/**
 * A kubeconfig, in-cluster or credential problem: names the file, context or plugin at fault.
 *
 * @example
 * catch (e) { if (e instanceof ConfigError) console.error(e.message); }
 */
export class ConfigError extends KubeError {
  override name = "ConfigError";
  override readonly code: KubeErrorCode = "KUBE_CONFIG";
}

/**
 * The server could not be reached (DNS, refused, reset, TLS), or the connection broke.
 *
 * @example
 * catch (e) { if (e instanceof ConnectionError) console.error(e.server, e.cause); }
 */
export class ConnectionError extends KubeError {
  override name = "ConnectionError";
  override readonly code: KubeErrorCode = "KUBE_CONNECTION";
  readonly server: string;
  readonly request: RequestInfo | undefined;
  constructor(message: string, server: string, options?: { cause?: unknown; request?: RequestInfo }) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.server = server;
    this.request = options?.request;
  }
}

/**
 * A request that did not finish within its `timeoutMs` (headers and body).
 *
 * @example
 * catch (e) { if (e instanceof TimeoutError) console.error(`${e.server} took longer than ${e.timeoutMs} ms`); }
 */
export class TimeoutError extends KubeError {
  override name = "TimeoutError";
  override readonly code: KubeErrorCode = "KUBE_TIMEOUT";
  readonly server: string;
  readonly timeoutMs: number;
  readonly request: RequestInfo | undefined;
  constructor(message: string, server: string, timeoutMs: number, request?: RequestInfo) {
    super(message);
    this.server = server;
    this.timeoutMs = timeoutMs;
    this.request = request;
  }
}

/**
 * A stream (a watch, followed logs) on which nothing arrived for `timeoutMs`: no event, no
 * bookmark, no byte. An informer re-watches after it.
 *
 * @example
 * catch (e) { if (e instanceof IdleTimeoutError) restartWatch(); }
 */
export class IdleTimeoutError extends TimeoutError {
  override name = "IdleTimeoutError";
  override readonly code: KubeErrorCode = "KUBE_IDLE_TIMEOUT";
}

/**
 * A response that is not what the API server sends: not JSON where JSON was asked for (an HTML
 * page from a proxy, a redirect to a login page, a truncated body). Names the request; the
 * message quotes at most a short, cleaned excerpt of the body.
 *
 * @example
 * catch (e) { if (e instanceof InvalidResponseError) console.error(e.status, e.message); }
 */
export class InvalidResponseError extends KubeError {
  override name = "InvalidResponseError";
  override readonly code: KubeErrorCode = "KUBE_INVALID_RESPONSE";
  /** The HTTP status of the response. */
  readonly status: number;
  readonly request: RequestInfo | undefined;
  constructor(message: string, status: number, request?: RequestInfo, options?: { cause?: unknown }) {
    super(`${message}${request ? ` (${request.method} ${request.url})` : ""}`, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.status = status;
    this.request = request;
  }
}

/**
 * A response body, decompressed, larger than the client's limit (`maxResponseBytes`), or a
 * stream line longer than the line limit. Reading stops at the limit.
 *
 * @example
 * catch (e) { if (e instanceof ResponseTooLargeError) console.error(`over ${e.limit} bytes`); }
 */
export class ResponseTooLargeError extends KubeError {
  override name = "ResponseTooLargeError";
  override readonly code: KubeErrorCode = "KUBE_RESPONSE_TOO_LARGE";
  /** The limit in bytes. */
  readonly limit: number;
  readonly request: RequestInfo | undefined;
  constructor(message: string, limit: number, request?: RequestInfo) {
    super(`${message}${request ? ` (${request.method} ${request.url})` : ""}`);
    this.limit = limit;
    this.request = request;
  }
}

/**
 * A line of a stream (a watch event) that is not valid JSON or not an event.
 *
 * @example
 * catch (e) { if (e instanceof StreamDecodeError) console.error(e.message); }
 */
export class StreamDecodeError extends KubeError {
  override name = "StreamDecodeError";
  override readonly code: KubeErrorCode = "KUBE_STREAM_DECODE";
  readonly request: RequestInfo | undefined;
  constructor(message: string, request?: RequestInfo) {
    super(`${message}${request ? ` (${request.method} ${request.url})` : ""}`);
    this.request = request;
  }
}

/**
 * An input the schema builder or generator cannot read (an OpenAPI document, a CRD): the message
 * names the file (and line) or definition and the problem.
 *
 * @example
 * try { schemasFromCrd(crd); } catch (e) { if (e instanceof SpecError) console.error(e.message); }
 */
export class SpecError extends KubeError {
  override name = "SpecError";
  override readonly code: KubeErrorCode = "KUBE_SPEC";
}

/**
 * YAML that cannot be read: a syntax error, nesting deeper than the limit, aliases that expand
 * too far. Names the source, line and column.
 *
 * @example
 * catch (e) { if (e instanceof YamlError) console.error(`${e.source}:${e.line}: ${e.reason}`); }
 */
export class YamlError extends KubeError {
  override name = "YamlError";
  override readonly code: KubeErrorCode = "KUBE_YAML";
  /** What was read (a file name, "request body"). */
  readonly source: string;
  readonly line: number;
  readonly column: number;
  /** The problem, without the place. */
  readonly reason: string;
  constructor(source: string, line: number, column: number, reason: string) {
    super(`${source}:${line}:${column}: ${reason}`);
    this.source = source;
    this.line = line;
    this.column = column;
    this.reason = reason;
  }
}

// ---- predicates, as apimachinery's `errors.IsNotFound` and friends ----------------------------

const KNOWN_REASONS = new Set([
  "Unauthorized",
  "Forbidden",
  "NotFound",
  "AlreadyExists",
  "Conflict",
  "Gone",
  "Invalid",
  "ServerTimeout",
  "StoreReadError",
  "Timeout",
  "TooManyRequests",
  "BadRequest",
  "MethodNotAllowed",
  "NotAcceptable",
  "RequestEntityTooLarge",
  "UnsupportedMediaType",
  "InternalError",
  "Expired",
  "ServiceUnavailable",
]);

function reasonAndCode(err: unknown): { reason: string | undefined; code: number | undefined } {
  if (!(err instanceof KubeApiError)) return { reason: undefined, code: undefined };
  return { reason: err.reason, code: err.status };
}

/** `reason` matches, or the reason is unknown to Kubernetes and the code matches (apimachinery's rule). */
function reasonOrCode(err: unknown, reason: string, code: number | undefined): boolean {
  const r = reasonAndCode(err);
  if (r.reason === reason) return true;
  return code !== undefined && r.code === code && (r.reason === undefined || !KNOWN_REASONS.has(r.reason));
}

/** 404 NotFound. @example if (isNotFound(err)) return undefined; */
export function isNotFound(err: unknown): boolean {
  return reasonOrCode(err, "NotFound", 404);
}
/** 409 with reason AlreadyExists (a create of an existing name). @example if (isAlreadyExists(err)) await kube.get(…); */
export function isAlreadyExists(err: unknown): boolean {
  return reasonOrCode(err, "AlreadyExists", undefined);
}
/** 409 Conflict: a stale resourceVersion (retry from a fresh read). @example if (isConflict(err)) retry(); */
export function isConflict(err: unknown): boolean {
  return reasonOrCode(err, "Conflict", 409);
}
/** 422 Invalid: the object failed validation (see `causes`). @example if (isInvalid(err)) console.log(err.causes); */
export function isInvalid(err: unknown): boolean {
  return reasonOrCode(err, "Invalid", 422);
}
/** 410 Gone, or the `Expired` reason of a too-old resourceVersion or continue token. @example if (isGone(err)) relist(); */
export function isGone(err: unknown): boolean {
  return reasonOrCode(err, "Gone", 410) || reasonOrCode(err, "Expired", undefined);
}
/** 401 Unauthorized. @example if (isUnauthorized(err)) reauthenticate(); */
export function isUnauthorized(err: unknown): boolean {
  return reasonOrCode(err, "Unauthorized", 401);
}
/** 403 Forbidden. @example if (isForbidden(err)) console.error("no permission"); */
export function isForbidden(err: unknown): boolean {
  return reasonOrCode(err, "Forbidden", 403);
}
/** 400 BadRequest. @example if (isBadRequest(err)) … */
export function isBadRequest(err: unknown): boolean {
  return reasonOrCode(err, "BadRequest", 400);
}
/** 405 MethodNotAllowed. @example if (isMethodNotSupported(err)) … */
export function isMethodNotSupported(err: unknown): boolean {
  return reasonOrCode(err, "MethodNotAllowed", 405);
}
/** 415 UnsupportedMediaType (a patch type the resource does not take). @example if (isUnsupportedMediaType(err)) … */
export function isUnsupportedMediaType(err: unknown): boolean {
  return reasonOrCode(err, "UnsupportedMediaType", 415);
}
/** 429 TooManyRequests (rate limited, or an eviction a PodDisruptionBudget refuses). @example if (isTooManyRequests(err)) await sleep(err.retryAfterSeconds); */
export function isTooManyRequests(err: unknown): boolean {
  return reasonOrCode(err, "TooManyRequests", 429);
}
/** The server timed out (reason `Timeout`, or 504). @example if (isTimeout(err)) retry(); */
export function isTimeout(err: unknown): boolean {
  return reasonOrCode(err, "Timeout", 504);
}
/** The server could not finish in time and suggests retrying (reason `ServerTimeout`). @example if (isServerTimeout(err)) retry(); */
export function isServerTimeout(err: unknown): boolean {
  return reasonOrCode(err, "ServerTimeout", undefined);
}
/** 500 InternalError. @example if (isInternalError(err)) … */
export function isInternalError(err: unknown): boolean {
  return reasonOrCode(err, "InternalError", 500);
}
/** 503 ServiceUnavailable. @example if (isServiceUnavailable(err)) retry(); */
export function isServiceUnavailable(err: unknown): boolean {
  return reasonOrCode(err, "ServiceUnavailable", 503);
}
/** 413 RequestEntityTooLarge. @example if (isRequestEntityTooLarge(err)) splitTheObject(); */
export function isRequestEntityTooLarge(err: unknown): boolean {
  return reasonOrCode(err, "RequestEntityTooLarge", 413);
}
