/**
 * Every error kubezod throws. API errors carry the apiserver's `Status`; the others say which file,
 * server or field went wrong. Messages never contain credentials or Secret data.
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
}

/**
 * The base of every kubezod error.
 *
 * @example
 * try { await kube.get(ConfigMap, "x", { namespace: "default" }); } catch (e) { if (e instanceof KubeError) log(e.message); }
 */
export class KubeError extends Error {
  override name = "KubeError";
}

/**
 * An error response from the API server, with its HTTP status and parsed `Status`.
 *
 * @example
 * catch (e) { if (e instanceof KubeApiError && e.status === 404) { … } }
 */
export class KubeApiError extends KubeError {
  override name = "KubeApiError";
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
}
/** 401: missing or invalid credentials. @example catch (e) { if (e instanceof UnauthorizedError) … } */
export class UnauthorizedError extends KubeApiError {
  override name = "UnauthorizedError";
}
/** 403: authenticated but not allowed. @example catch (e) { if (e instanceof ForbiddenError) … } */
export class ForbiddenError extends KubeApiError {
  override name = "ForbiddenError";
}
/** 404: no such object or resource. @example catch (e) { if (e instanceof NotFoundError) … } */
export class NotFoundError extends KubeApiError {
  override name = "NotFoundError";
}
/** 405: the resource does not support this verb. @example catch (e) { if (e instanceof MethodNotAllowedError) … } */
export class MethodNotAllowedError extends KubeApiError {
  override name = "MethodNotAllowedError";
}
/** 409: already exists, or a stale resourceVersion. @example catch (e) { if (e instanceof ConflictError) … } */
export class ConflictError extends KubeApiError {
  override name = "ConflictError";
}
/** 410: the resourceVersion or continue token is too old. @example catch (e) { if (e instanceof GoneError) relist(); } */
export class GoneError extends KubeApiError {
  override name = "GoneError";
}
/** 415: the patch type is not accepted for this resource. @example catch (e) { if (e instanceof UnsupportedMediaTypeError) … } */
export class UnsupportedMediaTypeError extends KubeApiError {
  override name = "UnsupportedMediaTypeError";
}
/** 422: the object is invalid (see `causes`). @example catch (e) { if (e instanceof UnprocessableEntityError) e.causes; } */
export class UnprocessableEntityError extends KubeApiError {
  override name = "UnprocessableEntityError";
}
/** 429: rate limited; see `retryAfterSeconds`. @example catch (e) { if (e instanceof TooManyRequestsError) … } */
export class TooManyRequestsError extends KubeApiError {
  override name = "TooManyRequestsError";
}
/** 500: the server failed. @example catch (e) { if (e instanceof InternalServerError) … } */
export class InternalServerError extends KubeApiError {
  override name = "InternalServerError";
}
/** 503: the server is unavailable. @example catch (e) { if (e instanceof ServiceUnavailableError) … } */
export class ServiceUnavailableError extends KubeApiError {
  override name = "ServiceUnavailableError";
}
/** 504: the server timed out. @example catch (e) { if (e instanceof ServerTimeoutError) … } */
export class ServerTimeoutError extends KubeApiError {
  override name = "ServerTimeoutError";
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

function toStatus(code: number, body: unknown): Status {
  if (typeof body === "object" && body !== null && (body as Status).kind === "Status") return body as Status;
  const text = typeof body === "string" ? body.trim().slice(0, 500) : undefined;
  return { kind: "Status", apiVersion: "v1", status: "Failure", code, message: text || `HTTP ${code}` };
}

/** Where a validation failure happened: an object about to be sent, or one received. */
export type ValidationDirection = "request" | "response" | "input";

/**
 * An object that does not match its schema, with every issue's path.
 *
 * @example
 * catch (e) { if (e instanceof ValidationError) for (const i of e.issues) console.log(i.path.join("."), i.message); }
 */
export class ValidationError extends KubeError {
  override name = "ValidationError";
  readonly issues: z.core.$ZodIssue[];
  /** The value that failed, unmodified. */
  readonly value: unknown;
  readonly direction: ValidationDirection;
  readonly request: RequestInfo | undefined;

  constructor(issues: z.core.$ZodIssue[], value: unknown, direction: ValidationDirection, what?: string, request?: RequestInfo) {
    const shown = issues.slice(0, 5).map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`);
    if (issues.length > 5) shown.push(`… and ${issues.length - 5} more`);
    const subject = what ?? (direction === "response" ? "response" : direction === "request" ? "request body" : "object");
    super(`${subject} does not match its schema: ${shown.join("; ")}${request ? ` (${request.method} ${request.url})` : ""}`);
    this.issues = issues;
    this.value = value;
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
}

/**
 * The server could not be reached (DNS, refused, reset, TLS).
 *
 * @example
 * catch (e) { if (e instanceof ConnectionError) console.error(e.server, e.cause); }
 */
export class ConnectionError extends KubeError {
  override name = "ConnectionError";
  readonly server: string;
  readonly request: RequestInfo | undefined;
  constructor(message: string, server: string, options?: { cause?: unknown; request?: RequestInfo }) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.server = server;
    this.request = options?.request;
  }
}

/**
 * A request that did not finish within its `timeoutMs`.
 *
 * @example
 * catch (e) { if (e instanceof TimeoutError) console.error(`${e.server} took longer than ${e.timeoutMs} ms`); }
 */
export class TimeoutError extends KubeError {
  override name = "TimeoutError";
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
