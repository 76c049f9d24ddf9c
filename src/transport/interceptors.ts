/**
 * The request pipeline as interceptors, composed the way undici's `dispatcher.compose` composes
 * dispatch functions: each stage takes the next `send` and returns its own. A transport is
 * `compose(observe, log, retry, rateLimit, auth, impersonation)(dispatch)`; stages that are off
 * (no rate limit, no logger) are left out of the chain, and a stage with nothing to do per request
 * (impersonation) contributes its headers once, at construction.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { Readable } from "node:stream";
import type { Impersonation } from "../config/cluster.js";
import type { CredentialProvider, Credentials } from "../config/credentials.js";
import { ConnectionError, type RequestInfo } from "../errors.js";
import { sleep } from "./backoff.js";
import { classifyFailure } from "./failures.js";
import type { TokenBucket } from "./rate-limit.js";
import { backoffDelay, isIdempotent, MAX_RETRY_AFTER_SECONDS, parseRetryAfter, shouldRetryStatus, type RetryPolicy } from "./retry.js";

/** HTTP methods the API server uses. @example const m: HttpMethod = "PATCH"; */
export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS";

/** A response body: text for JSON, YAML and text responses (decoded once), bytes otherwise. */
export type Payload = string | Buffer;

/** One call through the pipeline (all its attempts). */
export interface Call {
  readonly method: HttpMethod;
  /** Path and query, with the server's path prefix. */
  readonly pathQ: string;
  /** The path as asked for (no prefix, no query), for metrics. */
  readonly path: string;
  readonly info: RequestInfo;
  readonly policy: RetryPolicy;
  readonly timeoutMs: number;
  /** `performance.now()` after which the call fails with TimeoutError (Infinity: none). */
  readonly deadline: number;
  readonly started: number;
  readonly body: string | Uint8Array | undefined;
  readonly contentType: string | undefined;
  readonly accept: string | undefined;
  readonly extraHeaders: Record<string, string | string[]> | undefined;
  readonly signal: AbortSignal | undefined;
  readonly streaming: boolean;
  /** Most bytes of a (decompressed) response body. */
  readonly maxResponseBytes: number;
  /** Headers of the current attempt; shared until a stage copies them. */
  headers: Record<string, string | string[]>;
  /** 1-based attempt number. */
  attempt: number;
  /** Retries made so far (401 refreshes are attempts, not retries). */
  retries: number;
  /** The credentials of the current attempt (they choose the connection pool: client certificates). */
  credentials?: Credentials;
  /** Something worth a log line happened (a retry, a refresh). */
  note?: (level: "warn", status: number | undefined, error: Error | undefined, message: string) => void;
}

/** What the bottom of the pipeline returns: the final status, headers, and the body (read, or a stream). */
export interface Outcome {
  status: number;
  headers: IncomingHttpHeaders;
  /** The whole body, except for successful streams. */
  body?: Payload;
  /** The (decompressed) body of a successful stream. */
  stream?: Readable;
  /** Stops a stream and frees its connection. */
  close?: () => void;
}

/** A stage's view of the rest of the pipeline. @example const send: Send = (call) => dispatch(call); */
export type Send = (call: Call) => Promise<Outcome>;

/**
 * One stage of the pipeline: static headers it adds to every request, and/or a wrapper around the
 * rest of the pipeline.
 *
 * @example
 * const tracing: Interceptor = { name: "tracing", wrap: (next) => (call) => { call.headers = { ...call.headers, "x-trace": id() }; return next(call); } };
 */
export interface Interceptor {
  name: string;
  /** Headers sent with every request (merged once). */
  headers?: Record<string, string | string[]>;
  wrap?: (next: Send) => Send;
}

/** Compose stages around a dispatch function: the first stage is the outermost. */
export function compose(stages: readonly Interceptor[], dispatch: Send): Send {
  let send = dispatch;
  for (let i = stages.length - 1; i >= 0; i--) {
    const wrap = stages[i]!.wrap;
    if (wrap) send = wrap(send);
  }
  return send;
}

/** The headers every stage adds up front, merged in order. */
export function staticHeaders(stages: readonly Interceptor[]): Record<string, string | string[]> {
  return Object.assign({}, ...stages.map((s) => s.headers ?? {})) as Record<string, string | string[]>;
}

/** A failure the pipeline turns into the error to throw (timeout, abort, connection). */
export type FailureOf = (call: Call, err: unknown) => Error;

const TOKEN_CHAR = /^[!#$&'*+\-.^_`|~0-9A-Za-z]$/;

/**
 * Impersonation (`Impersonate-User`, `-Uid`, `-Group`, `-Extra-*`): static headers; extra keys are
 * %-escaped like client-go escapes header names.
 */
export function impersonation(imp: Impersonation | undefined): Interceptor {
  const headers: Record<string, string | string[]> = {};
  if (imp) {
    headers["impersonate-user"] = imp.user;
    if (imp.uid) headers["impersonate-uid"] = imp.uid;
    if (imp.groups?.length) headers["impersonate-group"] = [...imp.groups];
    for (const [key, values] of Object.entries(imp.extra ?? {})) {
      const escaped = [...Buffer.from(key, "utf8")]
        .map((b) => {
          const ch = String.fromCharCode(b);
          return b < 0x80 && TOKEN_CHAR.test(ch) ? ch : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
        })
        .join("");
      headers[`impersonate-extra-${escaped.toLowerCase()}`] = [...values];
    }
  }
  return { name: "impersonation", headers };
}

/**
 * Credentials: the current `Authorization` on every attempt (the header object is rebuilt only when
 * the credentials change), and on a 401 one refresh and one more attempt.
 */
export function auth(provider: CredentialProvider, fail: (call: Call, err: unknown) => never, deadlineReached: () => Error): Interceptor {
  let known: Credentials | undefined;
  let base: Record<string, string | string[]> | undefined;
  let withAuth: Record<string, string | string[]> | undefined;
  const headersFor = (call: Call, creds: Credentials) => {
    if (creds !== known || call.headers !== base) {
      known = creds;
      base = call.headers;
      withAuth = creds.authorization ? { ...call.headers, authorization: creds.authorization } : call.headers;
    }
    return withAuth!;
  };
  return {
    name: "auth",
    wrap: (next) => {
      const attempt = async (call: Call, creds: Credentials, refreshed: boolean): Promise<Outcome> => {
        call.credentials = creds;
        const shared = call.headers;
        call.headers = headersFor(call, creds);
        let out: Outcome;
        try {
          out = await next(call);
        } finally {
          call.headers = shared;
        }
        if (out.status !== 401 || refreshed) return out;
        const renewed = await provider.refresh(creds).catch((err: unknown) => fail(call, err));
        if (!renewed) return out;
        call.note?.("warn", 401, undefined, "credentials refreshed; retrying once");
        call.attempt++;
        return attempt(call, await current(call), true);
      };
      const current = async (call: Call): Promise<Credentials> => {
        try {
          return await withinDeadline(provider.get(), call.deadline, deadlineReached);
        } catch (err) {
          return fail(call, err);
        }
      };
      return (call) => {
        let creds: Credentials | Promise<Credentials>;
        try {
          creds = provider.get();
        } catch (err) {
          return Promise.reject(fail(call, err));
        }
        if (creds instanceof Promise) return current(call).then((c) => attempt(call, c, false));
        return attempt(call, creds, false);
      };
    },
  };
}

/** A client-side token bucket in front of every attempt; a wait past the deadline fails the call at once. */
export function rateLimit(limiter: TokenBucket, fail: (call: Call, err: unknown) => never, deadlineReached: () => Error): Interceptor {
  return {
    name: "rate-limit",
    wrap: (next) => async (call) => {
      const wait = limiter.reserve();
      if (wait > 0) {
        if (performance.now() + wait >= call.deadline) {
          limiter.cancel();
          fail(call, deadlineReached());
        }
        await sleep(wait, call.signal).catch((err: unknown) => {
          limiter.cancel();
          fail(call, err);
        });
      }
      return next(call);
    },
  };
}

/**
 * Retries: statuses of the policy (idempotent verbs always, POST and PATCH only when the server did
 * nothing: 429 or `Retry-After`), dropped connections of idempotent requests and failures before
 * anything was sent; never 409. A wait that would pass the deadline is not taken.
 */
export function retry(fail: (call: Call, err: unknown) => never): Interceptor {
  return {
    name: "retry",
    wrap: (next) => async (call) => {
      for (;;) {
        const { policy } = call;
        let out: Outcome;
        try {
          out = await next(call);
        } catch (failure) {
          if (failure instanceof ConnectionError && call.retries < policy.backoffLimit && policy.retryConnectionErrors) {
            const kind = classifyFailure(failure.cause);
            if (!kind.tls && (kind.notSent || (kind.transient && isIdempotent(call.method))) && (await wait(call, undefined, undefined, failure))) continue;
          }
          throw failure;
        }
        if (out.status >= 400 && call.retries < policy.backoffLimit) {
          const retryAfter = parseRetryAfter(out.headers["retry-after"]);
          if (retryAfter !== undefined && retryAfter > MAX_RETRY_AFTER_SECONDS) return out;
          if (shouldRetryStatus(policy, call.method, out.status, retryAfter !== undefined) && (await wait(call, retryAfter, out.status, undefined))) continue;
        }
        return out;
      }
    },
  };

  async function wait(call: Call, retryAfterSeconds: number | undefined, status: number | undefined, error: Error | undefined): Promise<boolean> {
    const delay = backoffDelay(call.policy, call.retries + 1, retryAfterSeconds);
    if (!(delay >= 0) || performance.now() + delay >= call.deadline) return false;
    call.retries++;
    call.note?.("warn", status, error, `retrying in ${Math.round(delay)} ms`);
    await sleep(delay, call.signal).catch((err: unknown) => fail(call, err));
    call.attempt++;
    return true;
  }
}

/** A promise that rejects when the deadline passes first (the work goes on). */
function withinDeadline<T>(value: T | Promise<T>, deadline: number, deadlineReached: () => Error): Promise<T> {
  if (!(value instanceof Promise) || deadline === Infinity) return Promise.resolve(value);
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(deadlineReached()), Math.max(0, deadline - performance.now()));
    value.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}
