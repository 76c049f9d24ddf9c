/**
 * The request pipeline for one cluster: credentials, impersonation, rate limit, timeout and abort,
 * retries with backoff, 401 refresh, gzip, typed errors, logging and metrics, over one pair of
 * undici dispatchers (requests, streams).
 */
import diagnosticsChannel from "node:diagnostics_channel";
import { createRequire } from "node:module";
import type { IncomingHttpHeaders } from "node:http";
import { pipeline } from "node:stream";
import { promisify } from "node:util";
import { createGunzip, gunzip as gunzipCallback } from "node:zlib";
import type { Dispatcher, WebSocket } from "undici";
import type { ClusterConfig, Impersonation } from "../config/cluster.js";
import type { ClientCertificate, Credentials } from "../config/credentials.js";
import {
  apiErrorFor,
  ConnectionError,
  KubeError,
  TimeoutError,
  type ApiErrorByStatus,
  type KubeApiError,
  type RequestInfo,
} from "../errors.js";
import { createDispatchers, loadUndici, proxyUrlFor, REPEATED_HEADERS, undiciIfLoaded, type DispatcherOptions } from "./dispatcher.js";
import { classifyFailure, connectionError } from "./failures.js";
import type { LogEntry, LogOptions } from "./log.js";
import { TokenBucket, type RateLimitOptions } from "./rate-limit.js";
import { redactBody } from "./redact.js";
import { KubeResponse, type KubeStream } from "./response.js";
import { backoffDelay, isIdempotent, parseRetryAfter, retryPolicy, shouldRetryStatus, type RetryOptions, type RetryPolicy } from "./retry.js";

const gunzip = promisify(gunzipCallback);

/** HTTP methods the API server uses. @example const m: HttpMethod = "PATCH"; */
export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS";

/** Query parameters; arrays repeat the key, `undefined` is left out. @example const q: QueryParams = { labelSelector: "app=web", limit: 500, watch: true }; */
export type QueryParams = Record<string, string | number | boolean | readonly string[] | undefined>;

/** What one request reports to `onMetrics` and the `kubezod:request` diagnostics channel. @example transport options `{ onMetrics: (m) => histogram.observe(m.durationMs) }` */
export interface RequestMetrics {
  method: string;
  /** Path without query. */
  path: string;
  server: string;
  /** Final status; absent when no response arrived. */
  status?: number;
  durationMs: number;
  retries: number;
  /** The error's name when the request failed (`ConnectionError`, `TimeoutError`, `NotFoundError`, …). */
  error?: string;
}

/** A request about to be sent; `beforeRequest` may change its headers (tracing). @example beforeRequest: (r) => { r.headers.traceparent = currentTraceparent(); } */
export interface OutgoingRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[]>;
  attempt: number;
}

/**
 * Transport settings; every request option that has a default here can be overridden per request.
 *
 * @example
 * const transport = createTransport(cluster, {
 *   timeoutMs: 30_000,
 *   retry: { backoffLimit: 3, retryStatuses: [429, 503, 504] },
 *   rateLimit: { qps: 50, burst: 100 },
 *   log: { logger: consoleLogger, notErrorStatuses: [404] },
 * });
 */
export interface TransportOptions extends DispatcherOptions {
  /**
   * Default time limit of a call in ms, retries and waits included (default 30 000). Streams: until
   * the response headers. 0: no limit of ours (undici's 300 s header and idle-body limits remain).
   */
  timeoutMs?: number;
  /** Default retry settings, or `false` for none. */
  retry?: RetryOptions | false;
  /** Client-side rate limit (off by default). */
  rateLimit?: RateLimitOptions;
  log?: LogOptions;
  /** Called once per request when it completes (also published on the `kubezod:request` diagnostics channel). */
  onMetrics?: (metrics: RequestMetrics) => void;
  /** Called before every attempt with mutable headers. */
  beforeRequest?: (request: OutgoingRequest) => void;
  /** `User-Agent` (default `kubezod/VERSION (platform/arch) node/vX`, shaped like client-go's so the server names the field manager `kubezod`). */
  userAgent?: string;
  /** Headers added to every request. */
  headers?: Record<string, string>;
}

/**
 * One API request.
 *
 * @example
 * await transport.request({ method: "PATCH", path: "/apis/apps/v1/namespaces/web/deployments/api", body: { spec: { replicas: 3 } }, contentType: "application/merge-patch+json" });
 */
export interface RequestOptions {
  method?: HttpMethod;
  /** Path below the server URL, starting with `/`. */
  path: string;
  query?: QueryParams;
  headers?: Record<string, string | string[]>;
  /** A string or bytes are sent as is; anything else as JSON. */
  body?: unknown;
  /** `Content-Type` (default `application/json` when there is a body). */
  contentType?: string;
  /** `Accept` (default `application/json`). */
  accept?: string;
  signal?: AbortSignal;
  /** Time limit of this call in ms, retries included (0 = none). */
  timeoutMs?: number;
  /** Retry settings for this call (merged over the transport's), or `false`. */
  retry?: RetryOptions | false;
  /** Return (not throw) `KubeApiError`s for these statuses, or for every status with `true`. */
  returnErrors?: readonly number[] | true;
  /** Logging switches for this call. */
  log?: Omit<LogOptions, "logger">;
}

/** Options of `Transport.stream`. @example transport.stream({ path: "/api/v1/namespaces/web/pods/api/log", query: { follow: true } }); */
export type StreamOptions = Omit<RequestOptions, "returnErrors">;

/** Options of `Transport.webSocket`. @example transport.webSocket("/api/v1/namespaces/web/pods/api/exec", { protocols: ["v5.channel.k8s.io"], query: { command: ["ls"], stdout: true } }); */
export interface WebSocketOptions {
  protocols?: string | string[];
  query?: QueryParams;
  headers?: Record<string, string>;
  /** Closes the socket when aborted. */
  signal?: AbortSignal;
}

/** The diagnostics channel every completed request is published on (`RequestMetrics`). @example diagnostics_channel.subscribe(REQUEST_CHANNEL, (m) => …); */
export const REQUEST_CHANNEL = "kubezod:request";
const requestChannel = diagnosticsChannel.channel(REQUEST_CHANNEL);


/**
 * What `request` resolves to: a `KubeResponse`, or with `returnErrors` also the typed errors of the
 * listed statuses (`returnErrors: [404]` → `KubeResponse | NotFoundError`).
 *
 * @example
 * const res: RequestResult<{ path: string; returnErrors: [404] }> = await transport.request({ path, returnErrors: [404] });
 */
export type RequestResult<O> = O extends { returnErrors: true }
  ? KubeResponse | KubeApiError
  : O extends { returnErrors: readonly (infer S)[] }
    ? KubeResponse | (S extends keyof ApiErrorByStatus ? ApiErrorByStatus[S] : KubeApiError)
    : KubeResponse;

/** Deadlines shorter than this are enforced with a timer of their own, not undici's coarse ones. */
const PRECISE_DEADLINE_MS = 2000;

/** The call's deadline passed before an attempt could start. */
class DeadlineReached extends Error {}

const DEFAULT_USER_AGENT = `kubezod/${packageVersion()} (${process.platform}/${process.arch}) node/${process.version}`;

/** The package version, for the User-Agent. */
function packageVersion(): string {
  try {
    const pkg = createRequire(import.meta.url)("../../package.json") as { name?: string; version?: string };
    if (pkg.name === "kubezod" && pkg.version) return pkg.version;
  } catch {
    // dist/src/transport is one level deeper: fall through.
  }
  try {
    const pkg = createRequire(import.meta.url)("../../../package.json") as { name?: string; version?: string };
    if (pkg.name === "kubezod" && pkg.version) return pkg.version;
  } catch {
    // not found: keep a placeholder
  }
  return "unknown";
}

/**
 * Create the transport for one cluster. Reuse it: it keeps one connection pool for requests and
 * one for streams; `close()` it when done.
 *
 * @example
 * const transport = createTransport(await resolveCluster());
 * const res = await transport.request({ path: "/api/v1/namespaces/default/configmaps" });
 * await transport.close();
 */
export function createTransport(cluster: ClusterConfig, options: TransportOptions = {}): Transport {
  return new Transport(cluster, options);
}

/**
 * HTTP to one API server. See `createTransport`.
 *
 * @example
 * const version = (await transport.request({ path: "/version" })).json();
 */
export class Transport {
  readonly cluster: ClusterConfig;
  /** The server URL (with its path prefix, if any). */
  readonly server: string;
  readonly #origin: string;
  readonly #basePath: string;
  readonly #options: TransportOptions;
  readonly #retry: RetryPolicy;
  readonly #timeoutMs: number;
  readonly #limiter: TokenBucket | undefined;
  readonly #baseHeaders: Record<string, string | string[]>;
  #headerCreds: Credentials | undefined;
  #credHeaders: Record<string, string | string[]> = {};
  readonly #proxy: string | undefined;
  #dispatchers: { requests: Dispatcher; streams: Dispatcher } | undefined;
  #cert: ClientCertificate | undefined;
  #closed = false;
  readonly #closing: Array<Promise<void>> = [];

  constructor(cluster: ClusterConfig, options: TransportOptions = {}) {
    this.cluster = cluster;
    this.server = cluster.server;
    const url = new URL(cluster.server);
    this.#origin = url.origin;
    this.#basePath = url.pathname === "/" ? "" : url.pathname.replace(/\/$/, "");
    this.#options = options;
    this.#retry = retryPolicy(options.retry);
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#limiter = options.rateLimit ? new TokenBucket(options.rateLimit) : undefined;
    this.#proxy = proxyUrlFor(cluster);
    this.#baseHeaders = {
      "user-agent": options.userAgent ?? DEFAULT_USER_AGENT,
      accept: "application/json",
      ...(cluster.disableCompression ? {} : { "accept-encoding": "gzip" }),
      ...impersonationHeaders(cluster.impersonate),
      ...lowerCaseKeys(options.headers),
    };
  }

  /**
   * Send a request and read the whole response. Non-2xx responses throw the typed `KubeApiError`
   * for their status (or return it, with `returnErrors`); failures to connect throw
   * `ConnectionError`, running out of time `TimeoutError`, an aborted `signal` its reason.
   *
   * @example
   * const res = await transport.request({ path: "/api/v1/namespaces/web/configmaps/settings", returnErrors: [404] });
   * if (res instanceof NotFoundError) …
   */
  async request<const O extends RequestOptions>(options: O): Promise<RequestResult<O>> {
    const call = this.#begin(options, false);
    const { res, body, attempt } = await this.#send(call);
    if (res.statusCode >= 400) {
      const error = this.#apiError(call, res.statusCode, res.headers, body!);
      this.#finish(call, attempt, res.statusCode, error, body);
      const returned = options.returnErrors;
      if (returned === true || returned?.includes(res.statusCode)) return error as RequestResult<O>;
      throw error;
    }
    this.#finish(call, attempt, res.statusCode, undefined, body);
    return new KubeResponse(res.statusCode, res.headers, body!, attempt - 1) as RequestResult<O>;
  }

  /**
   * Open a long-lived response (watch, log follow) on the stream pool (no body timeout, never
   * blocking the request pool). Retries, 401 refresh and errors work as in `request` until the
   * response headers arrive; `timeoutMs` only limits that wait.
   *
   * @example
   * const watch = await transport.stream({ path: "/api/v1/namespaces/web/pods", query: { watch: true, resourceVersion: rv } });
   * for await (const chunk of watch.body) decoder.push(chunk);
   */
  async stream(options: StreamOptions): Promise<KubeStream> {
    const call = this.#begin(options, true);
    const sent = await this.#send(call);
    const res = sent.res;
    if (res.statusCode >= 400) {
      const error = this.#apiError(call, res.statusCode, res.headers, sent.body!);
      this.#finish(call, sent.attempt, res.statusCode, error, sent.body);
      throw error;
    }
    this.#finish(call, sent.attempt, res.statusCode, undefined, undefined);
    const raw = res.body;
    // pipeline (not pipe) so a failure of the connection reaches the reader of the gunzip stream
    const gzip = res.headers["content-encoding"] === "gzip" ? createGunzip() : undefined;
    if (gzip) pipeline(raw, gzip, noop);
    const source: AsyncIterable<Uint8Array> = gzip ?? raw;
    let closed = false;
    const server = this.server;
    const info = call.info;
    const proxy = this.#proxy;
    async function* chunks(): AsyncGenerator<Uint8Array> {
      try {
        for await (const chunk of source) yield chunk as Uint8Array;
      } catch (err) {
        if (closed) return;
        throw err instanceof KubeError ? err : connectionError(err, server, info, classifyFailure(err), proxy);
      } finally {
        if (!raw.destroyed) raw.destroy();
      }
    }
    return {
      status: res.statusCode,
      headers: res.headers,
      body: chunks(),
      close() {
        closed = true;
        gzip?.destroy();
        raw.destroy();
      },
    };
  }

  /**
   * Open a WebSocket to a path (exec, attach, port-forward) with the cluster's TLS, proxy,
   * credentials and impersonation. Listen for `open`/`error` on the result.
   *
   * @example
   * const ws = await transport.webSocket("/api/v1/namespaces/web/pods/api/exec", {
   *   protocols: ["v5.channel.k8s.io", "v4.channel.k8s.io"],
   *   query: { command: ["sh", "-c", "date"], stdout: true, stderr: true },
   * });
   * ws.binaryType = "arraybuffer";
   * ws.addEventListener("message", (e) => …);
   */
  async webSocket(path: string, options: WebSocketOptions = {}): Promise<WebSocket> {
    const { WebSocket } = await loadUndici();
    let creds = this.cluster.credentials.get();
    if (creds instanceof Promise) creds = await creds;
    const dispatcher = this.#dispatchersFor(creds).streams;
    const headers: Record<string, string> = {};
    const repeated: Record<string, string[]> = {};
    for (const [k, v] of Object.entries({ ...this.#baseHeaders, ...lowerCaseKeys(options.headers) })) {
      if (k === "accept" || k === "accept-encoding") continue;
      if (Array.isArray(v)) repeated[k] = v;
      else headers[k] = v as string;
    }
    if (Object.keys(repeated).length) headers[REPEATED_HEADERS] = JSON.stringify(repeated);
    if (creds.authorization && !headers.authorization) headers.authorization = creds.authorization;
    const url = `${this.#origin.replace(/^http/, "ws")}${this.#pathWithQuery(path, options.query)}`;
    const ws = new WebSocket(url, { ...(options.protocols ? { protocols: options.protocols } : {}), dispatcher, headers });
    if (options.signal) {
      const signal = options.signal;
      if (signal.aborted) ws.close();
      else signal.addEventListener("abort", () => ws.close(), { once: true });
    }
    return ws;
  }

  /**
   * Close the connection pools (waiting for requests in flight); the transport cannot be used after.
   *
   * @example
   * await transport.close();
   */
  async close(): Promise<void> {
    this.#closed = true;
    const d = this.#dispatchers;
    this.#dispatchers = undefined;
    if (d) this.#closing.push(d.requests.close(), d.streams.close());
    await Promise.allSettled(this.#closing);
  }

  // --- pipeline -----------------------------------------------------------------------------------

  #begin(options: RequestOptions, streaming: boolean): Call {
    const method = options.method ?? "GET";
    const pathQ = this.#pathWithQuery(options.path, options.query);
    const policy = options.retry === undefined ? this.#retry : retryPolicy(options.retry, this.#retry);
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    let body: string | Uint8Array | undefined;
    let contentType = options.contentType;
    if (options.body !== undefined) {
      if (typeof options.body === "string" || options.body instanceof Uint8Array) body = options.body;
      else body = JSON.stringify(options.body);
      contentType ??= "application/json";
    }
    const started = performance.now();
    return {
      method,
      pathQ,
      path: options.path,
      info: { method, url: `${this.server}${pathQ.slice(this.#basePath.length)}` },
      options,
      policy,
      timeoutMs,
      deadline: timeoutMs > 0 ? started + timeoutMs : Infinity,
      started,
      body,
      contentType,
      streaming,
    };
  }

  /**
   * Send with retries. Resolves with the final response; its body is read (and decompressed) unless
   * this is a successful stream. Throws the failure of the last attempt.
   */
  async #send(call: Call): Promise<{ res: Dispatcher.ResponseData; body: Payload | undefined; attempt: number }> {
    const { method, policy } = call;
    let refreshed = false;
    let retries = 0;
    for (let attempt = 1; ; attempt++) {
      if (this.#closed) throw new ConnectionError(`the transport for ${this.server} is closed (${call.method} ${call.info.url})`, this.server, { request: call.info });
      if (this.#limiter) await this.#rateLimit(call, attempt);
      let creds = this.#credentials(call, attempt);
      if (creds instanceof Promise) creds = await withinDeadline(creds, call.deadline).catch((err: unknown) => this.#fail(call, err, attempt));
      if (!undiciIfLoaded()) await loadUndici();
      const dispatchers = this.#dispatchersFor(creds);
      const headers = this.#headersFor(call, creds, attempt);
      // The call's deadline becomes undici's own (cheap) header and body timeouts for this attempt.
      // Above a second they are whole seconds (undici's coarse timers are that precise anyway), so a
      // kept-alive connection re-arms its timer instead of replacing it on every request.
      const left = call.deadline - performance.now();
      const remaining = call.deadline === Infinity ? undefined : left > 1000 ? Math.ceil(left / 1000) * 1000 : Math.max(1, Math.ceil(left));
      let res: Dispatcher.ResponseData;
      let body: Payload | undefined;
      // undici's timers tick about twice a second; a short deadline gets a timer of its own.
      let precise: ReturnType<typeof setTimeout> | undefined;
      let signal = call.options.signal ?? null;
      if (remaining !== undefined && remaining < PRECISE_DEADLINE_MS) {
        const deadline = new AbortController();
        precise = setTimeout(() => deadline.abort(new DeadlineReached()), remaining);
        signal = signal ? AbortSignal.any([signal, deadline.signal]) : deadline.signal;
      }
      try {
        if (remaining !== undefined && remaining <= 1) throw new DeadlineReached();
        res = await (call.streaming ? dispatchers.streams : dispatchers.requests).request({
          origin: this.#origin,
          path: call.pathQ,
          method,
          headers,
          body: call.body ?? null,
          signal,
          headersTimeout: remaining,
          bodyTimeout: call.streaming ? 0 : remaining,
        });
        if (call.streaming) clearTimeout(precise);
        if (!call.streaming || res.statusCode >= 400) body = await readPayload(res);
        clearTimeout(precise);
      } catch (err) {
        if (precise) clearTimeout(precise);
        const failure = this.#failure(call, err);
        if (failure instanceof ConnectionError && retries < policy.backoffLimit && policy.retryConnectionErrors) {
          const kind = classifyFailure(err);
          if (!kind.tls && (kind.notSent || (kind.transient && isIdempotent(method))) && (await this.#backoff(call, attempt, ++retries, undefined, undefined, failure))) {
            continue;
          }
        }
        this.#finish(call, attempt, undefined, failure, undefined);
        throw failure;
      }
      const status = res.statusCode;
      if (status === 401 && !refreshed) {
        refreshed = true;
        const renewed = await this.cluster.credentials.refresh(creds).catch((err: unknown) => this.#fail(call, err, attempt));
        if (renewed) {
          this.#log(call, attempt, "warn", status, undefined, "credentials refreshed; retrying once");
          continue;
        }
      }
      if (status >= 400 && retries < policy.backoffLimit) {
        const retryAfter = parseRetryAfter(res.headers["retry-after"]);
        if (shouldRetryStatus(policy, method, status, retryAfter !== undefined) && (await this.#backoff(call, attempt, retries + 1, retryAfter, status, undefined))) {
          retries++;
          continue;
        }
      }
      return { res, body, attempt };
    }
  }

  /** The credentials for an attempt (synchronous when cached); a provider failure fails the call. */
  #credentials(call: Call, attempt: number): Credentials | Promise<Credentials> {
    try {
      return this.cluster.credentials.get();
    } catch (err) {
      return this.#fail(call, err, attempt);
    }
  }

  /** Wait for the rate limiter; a wait past the deadline fails the call at once. */
  async #rateLimit(call: Call, attempt: number): Promise<void> {
    const limiter = this.#limiter!;
    const wait = limiter.reserve();
    if (wait <= 0) return;
    if (performance.now() + wait >= call.deadline) {
      limiter.cancel();
      this.#fail(call, new DeadlineReached(), attempt);
    }
    await sleep(wait, call.options.signal).catch((err: unknown) => {
      limiter.cancel();
      this.#fail(call, err, attempt);
    });
  }

  /** Sleep before backoff retry `retry` (1-based); false when the deadline leaves no room for it. */
  async #backoff(call: Call, attempt: number, retry: number, retryAfterSeconds: number | undefined, status: number | undefined, error: Error | undefined): Promise<boolean> {
    const delay = backoffDelay(call.policy, retry, retryAfterSeconds);
    if (performance.now() + delay >= call.deadline) return false;
    this.#log(call, attempt, "warn", status, error, `retrying in ${Math.round(delay)} ms`);
    await sleep(delay, call.options.signal).catch((err: unknown) => this.#fail(call, err, attempt));
    return true;
  }

  /** Finish the call with the failure for `err` and throw it. */
  #fail(call: Call, err: unknown, attempt: number): never {
    const failure = this.#failure(call, err);
    this.#finish(call, attempt, undefined, failure, undefined);
    throw failure;
  }

  /** The error to throw for a failed attempt: timeout, the caller's abort reason, or a connection error. */
  #failure(call: Call, err: unknown): Error {
    const user = call.options.signal;
    if (user?.aborted) return user.reason instanceof Error ? user.reason : new DOMException("The operation was aborted", "AbortError");
    const code = (err as { code?: string })?.code;
    if (err instanceof DeadlineReached || ((code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT") && call.deadline !== Infinity)) {
      return new TimeoutError(`request to ${this.server} timed out after ${call.timeoutMs} ms (${call.method} ${call.info.url})`, this.server, call.timeoutMs, call.info);
    }
    if (code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT") {
      return new TimeoutError(`${this.server} stopped answering (${(err as Error).message}) (${call.method} ${call.info.url})`, this.server, call.timeoutMs, call.info);
    }
    if (err instanceof KubeError) return err;
    return connectionError(err, this.server, call.info, classifyFailure(err), this.#proxy);
  }

  #apiError(call: Call, status: number, headers: IncomingHttpHeaders, body: Payload): KubeApiError {
    const text = typeof body === "string" ? body : body.toString("utf8");
    let parsed: unknown = text;
    if (/json/.test(String(headers["content-type"] ?? "")) || /^\s*\{/.test(text)) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    return apiErrorFor(status, parsed, call.info, parseRetryAfter(headers["retry-after"]));
  }

  #dispatchersFor(creds: Credentials): { requests: Dispatcher; streams: Dispatcher } {
    const cert = creds.clientCertificate;
    if (this.#dispatchers && cert === this.#cert) return this.#dispatchers;
    if (this.#closed) throw new ConnectionError(`the transport for ${this.server} is closed`, this.server);
    // A new client certificate needs new connections; the old pools finish what they carry.
    const old = this.#dispatchers;
    if (old) this.#closing.push(old.requests.close().catch(noop), old.streams.close().catch(noop));
    this.#cert = cert;
    const undici = undiciIfLoaded();
    if (!undici) throw new Error("undici is loaded before the first request");
    this.#dispatchers = createDispatchers(undici, this.cluster, cert, this.#options);
    return this.#dispatchers;
  }

  #headersFor(call: Call, creds: Credentials, attempt: number): Record<string, string | string[]> {
    // The defaults with the current Authorization, rebuilt only when the credentials change; a plain
    // request sends this shared object as is (undici only reads it).
    if (creds !== this.#headerCreds) {
      this.#headerCreds = creds;
      this.#credHeaders = creds.authorization ? { ...this.#baseHeaders, authorization: creds.authorization } : this.#baseHeaders;
    }
    const { options } = call;
    if (!call.contentType && !options.accept && !options.headers && !this.#options.beforeRequest) return this.#credHeaders;
    const headers: Record<string, string | string[]> = { ...this.#credHeaders };
    if (call.contentType) headers["content-type"] = call.contentType;
    if (options.accept) headers.accept = options.accept;
    if (options.headers) Object.assign(headers, lowerCaseKeys(options.headers));
    if (this.#options.beforeRequest) this.#options.beforeRequest({ method: call.method, path: call.pathQ, headers, attempt });
    return headers;
  }

  #pathWithQuery(path: string, query: QueryParams | undefined): string {
    const full = this.#basePath + (path.startsWith("/") ? path : `/${path}`);
    if (!query) return full;
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const v of value as readonly string[]) params.append(key, v);
      else params.append(key, String(value));
    }
    const qs = params.toString();
    if (!qs) return full;
    return `${full}${full.includes("?") ? "&" : "?"}${qs}`;
  }

  // --- logging and metrics ------------------------------------------------------------------------

  #finish(call: Call, attempt: number, status: number | undefined, error: Error | undefined, body: Payload | undefined): void {
    if (call.finished) return;
    call.finished = true;
    const durationMs = performance.now() - call.started;
    const onMetrics = this.#options.onMetrics;
    if (onMetrics || requestChannel.hasSubscribers) {
      const metrics: RequestMetrics = { method: call.method, path: call.path, server: this.server, durationMs, retries: attempt - 1 };
      if (status !== undefined) metrics.status = status;
      if (error) metrics.error = error.name;
      onMetrics?.(metrics);
      if (requestChannel.hasSubscribers) requestChannel.publish(metrics);
    }
    if (!this.#options.log?.logger) return;
    const switches = { ...this.#options.log, ...call.options.log };
    const success = !error || (status !== undefined && (switches.notErrorStatuses?.includes(status) ?? false));
    if (success && !switches.onSuccess) return;
    this.#log(call, attempt, success ? "info" : "error", status, success ? undefined : error, undefined, body);
  }

  #log(call: Call, attempt: number, level: LogEntry["level"], status: number | undefined, error: Error | undefined, note: string | undefined, body?: Payload): void {
    const logger = this.#options.log?.logger;
    if (!logger) return;
    const switches = { ...this.#options.log, ...call.options.log };
    const durationMs = performance.now() - call.started;
    const outcome = status !== undefined ? `${status}` : error ? error.name : "no response";
    const entry: LogEntry = {
      level,
      message: `${call.method} ${this.server}${call.pathQ.slice(this.#basePath.length)} → ${outcome} in ${Math.round(durationMs)} ms${attempt > 1 ? ` (attempt ${attempt})` : ""}${note ? `; ${note}` : ""}`,
      method: call.method,
      path: call.pathQ,
      server: this.server,
      durationMs,
      attempt,
    };
    if (status !== undefined) entry.status = status;
    if (error) entry.error = `${error.name}: ${error.message}`;
    if (switches.requestBody && call.body !== undefined) {
      const text = redactBody(call.body, call.contentType, call.pathQ);
      if (text) entry.requestBody = text;
    }
    if (switches.responseBody && body) {
      const text = redactBody(body, undefined, call.pathQ);
      if (text) entry.responseBody = text;
    }
    try {
      logger(entry);
    } catch {
      // A failing logger must not fail the request.
    }
  }
}

interface Call {
  method: HttpMethod;
  pathQ: string;
  path: string;
  info: RequestInfo;
  options: RequestOptions;
  policy: RetryPolicy;
  timeoutMs: number;
  deadline: number;
  started: number;
  body: string | Uint8Array | undefined;
  contentType: string | undefined;
  streaming: boolean;
  finished?: boolean;
}

function noop(): void {}

/** A response body: text for JSON, YAML and text responses (decoded once), bytes otherwise. */
type Payload = string | Buffer;

const TEXTUAL = /json|yaml|^text\//;

async function readPayload(res: Dispatcher.ResponseData): Promise<Payload> {
  const gzip = res.headers["content-encoding"] === "gzip";
  if (!gzip && TEXTUAL.test(String(res.headers["content-type"] ?? ""))) return res.body.text();
  const bytes = Buffer.from(await res.body.arrayBuffer());
  return gzip && bytes.length ? gunzip(bytes) : bytes;
}

/** A promise that rejects with `DeadlineReached` when the deadline passes first (the work goes on). */
function withinDeadline<T>(promise: Promise<T>, deadline: number): Promise<T> {
  if (deadline === Infinity) return promise;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new DeadlineReached()), Math.max(0, deadline - performance.now()));
    promise.then(
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

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function lowerCaseKeys<T>(headers: Record<string, T> | undefined): Record<string, T> {
  if (!headers) return {};
  const out: Record<string, T> = {};
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = v;
  return out;
}

const TOKEN_CHAR = /^[!#$&'*+\-.^_`|~0-9A-Za-z]$/;

/** Impersonation headers; extra keys are %-escaped like client-go does for header names. */
function impersonationHeaders(imp: Impersonation | undefined): Record<string, string | string[]> {
  if (!imp) return {};
  const out: Record<string, string | string[]> = { "impersonate-user": imp.user };
  if (imp.uid) out["impersonate-uid"] = imp.uid;
  if (imp.groups?.length) out["impersonate-group"] = [...imp.groups];
  for (const [key, values] of Object.entries(imp.extra ?? {})) {
    const escaped = [...Buffer.from(key, "utf8")]
      .map((b) => {
        const ch = String.fromCharCode(b);
        return b < 0x80 && TOKEN_CHAR.test(ch) ? ch : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
      })
      .join("");
    out[`impersonate-extra-${escaped.toLowerCase()}`] = [...values];
  }
  return out;
}
