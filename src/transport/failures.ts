/**
 * Turning socket, TLS and timeout failures into `ConnectionError` / `TimeoutError` that name the
 * server, and telling whether the request can have reached the server (which decides whether a
 * non-idempotent request may be retried).
 */
import { ConnectionError, type RequestInfo } from "../errors.js";

/** Transient failures that happen before any byte of the request is sent. */
const BEFORE_SEND = new Set(["ECONNREFUSED", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL", "UND_ERR_CONNECT_TIMEOUT"]);
/** Failures after which the request may have been processed. */
const AFTER_SEND = new Set(["ECONNRESET", "EPIPE", "UND_ERR_SOCKET", "ETIMEDOUT", "UND_ERR_CLOSED", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);
const CERT_CODES = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ALTNAME|ERR_SSL|ERR_TLS|HOSTNAME_MISMATCH/;

/** How a failure relates to retrying. */
export interface FailureKind {
  /** The request cannot have reached the server: any verb may be retried. */
  notSent: boolean;
  /** A transient connection failure (retryable for idempotent verbs). */
  transient: boolean;
  /** A TLS certificate or handshake failure: never retried. */
  tls: boolean;
}

function codeOf(err: unknown): string {
  let e: unknown = err;
  for (let i = 0; i < 4 && e; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && code !== "UND_ERR") return code;
    e = (e as { cause?: unknown }).cause;
  }
  return "";
}

/** Classify a failure from undici. */
export function classifyFailure(err: unknown): FailureKind {
  const code = codeOf(err);
  const tls = CERT_CODES.test(code) || /certificate|TLS|SSL/i.test((err as Error)?.message ?? "");
  if (tls) return { notSent: false, transient: false, tls: true };
  if (BEFORE_SEND.has(code)) return { notSent: true, transient: true, tls: false };
  return { notSent: false, transient: AFTER_SEND.has(code) || code.startsWith("HPE_"), tls: false };
}

/** A `ConnectionError` for a failure talking to `server`, with a hint for TLS problems. */
export function connectionError(err: unknown, server: string, request: RequestInfo, kind: FailureKind, proxy: string | undefined): ConnectionError {
  const code = codeOf(err);
  const message = (err as Error)?.message || String(err);
  const via = proxy ? ` via proxy ${redactUrl(proxy)}` : "";
  let text: string;
  if (kind.tls) {
    const hint = /ALTNAME|HOSTNAME/.test(code)
      ? " (the certificate does not name this host: check the server address or tls-server-name)"
      : /ALERT|HANDSHAKE|CERTIFICATE_REQUIRED|BAD_CERTIFICATE|UNKNOWN_CA/i.test(code + message)
        ? " (the server rejected the TLS handshake: check the client certificate)"
        : " (check certificate-authority, or insecure-skip-tls-verify for testing)";
    text = `TLS error connecting to ${server}${via}: ${message}${code && !message.includes(code) ? ` [${code}]` : ""}${hint}`;
  } else {
    const what = kind.notSent || code === "ENOTFOUND" ? "cannot connect to" : "connection to";
    text = `${what} ${server}${via}${what === "connection to" ? " failed" : ""}: ${message}${code && !message.includes(code) ? ` [${code}]` : ""}`;
  }
  return new ConnectionError(`${text} (${request.method} ${request.url})`, server, { cause: err, request });
}

/** A URL without its user info (proxy URLs may carry credentials). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.username || u.password) {
      u.username = "";
      u.password = "";
    }
    return u.toString().replace(/\/$/, "");
  } catch {
    return "[invalid URL]";
  }
}
