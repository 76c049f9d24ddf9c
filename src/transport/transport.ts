/**
 * HTTP to one API server: the request pipeline composed from interceptors (observe, retry, rate
 * limit, credentials, impersonation) around one attempt over undici, with a pool for requests and
 * an agent for streams. Typed errors, bounded bodies, deadlines covering the body, server warnings.
 */
import { createRequire } from "node:module";
import type { IncomingHttpHeaders } from "node:http";
import type { Duplex } from "node:stream";
import type { Dispatcher, WebSocket } from "undici";
import type { ClusterConfig } from "../config/cluster.js";
import type { ClientCertificate, Credentials } from "../config/credentials.js";
import {
  apiErrorFor,
  ConnectionError,
  IdleTimeoutError,
  InvalidResponseError,
  KubeError,
  TimeoutError,
  type ApiErrorByStatus,
  type KubeApiError,
  type RequestInfo,
} from "../errors.js";
import { createDispatchers, loadUndici, proxyUrlFor, REPEATED_HEADERS, undiciIfLoaded, type DispatcherOptions } from "./dispatcher.js";
import { DeadlineReached, DEFAULT_MAX_RESPONSE_BYTES, dispatchAttempt, idleBounded } from "./dispatch.js";
import { classifyFailure, connectionError, redactUrl } from "./failures.js";
import { auth, compose, impersonation, rateLimit, retry, staticHeaders, type Call, type HttpMethod, type Interceptor, type Outcome, type Payload, type Send } from "./interceptors.js";
import type { LogOptions } from "./log.js";
import { auditIdOf, loadOpenTelemetry, observe, type RequestMetrics } from "./observe.js";
import { encodeQuery, type QueryParams } from "./query.js";
import { TokenBucket, type RateLimitOptions } from "./rate-limit.js";
import { KubeResponse, type KubeStream } from "./response.js";
import { parseRetryAfter, retryPolicy, type RetryOptions, type RetryPolicy } from "./retry.js";
import { parseWarnings, warningHandler, type WarningHandler } from "./warnings.js";

export type { HttpMethod, QueryParams, RequestMetrics };
export { REQUEST_CHANNEL, RETRY_CHANNEL } from "./observe.js";

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
   * Default time limit of a call in ms, retries, waits and reading the body included (default
   * 30 000). Streams: until the response headers. 0: no limit.
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
  /** Largest response body accepted, decompressed, in bytes (default 256 MiB). */
  maxResponseBytes?: number;
  /**
   * What to do with the server's `Warning` headers (deprecated APIs, unknown fields): a function
   * called with each, or `false` to ignore them. Default: print each distinct message once to
   * stderr, as kubectl does.
   */
  onWarning?: WarningHandler | false;
  /** Stages of your own, run inside the built-in ones (after credentials, before sending). */
  interceptors?: readonly Interceptor[];
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
  /** Time limit of this call in ms, retries and the body included (0 = none). */
  timeoutMs?: number;
  /** Retry settings for this call (merged over the transport's), or `false`. */
  retry?: RetryOptions | false;
  /** Return (not throw) `KubeApiError`s for these statuses or error classes, or for every status with `true`. */
  returnErrors?: ReturnErrors;
  /** Logging switches for this call. */
  log?: Omit<LogOptions, "logger">;
  /** Largest response body for this call (default: the transport's). */
  maxResponseBytes?: number;
}

/** Which API errors a call returns instead of throwing: HTTP statuses, error classes, or all. @example const r: ReturnErrors = [404, ConflictError]; */
export type ReturnErrors = readonly (number | (abstract new (...args: never[]) => KubeApiError))[] | true;

/** Options of `Transport.stream`. @example transport.stream({ path: "/api/v1/namespaces/web/pods/api/log", query: { follow: true } }); */
export interface StreamOptions extends Omit<RequestOptions, "returnErrors" | "maxResponseBytes"> {
  /** End the stream with `IdleTimeoutError` when nothing arrives for this long (ms; default none). */
  idleTimeoutMs?: number;
}

/** Options of `Transport.webSocket`. @example transport.webSocket("/api/v1/namespaces/web/pods/api/exec", { protocols: ["v5.channel.k8s.io"], query: { command: ["ls"], stdout: true } }); */
export interface WebSocketOptions {
  protocols?: string | string[];
  query?: QueryParams;
  headers?: Record<string, string>;
  /** Closes the socket when aborted. */
  signal?: AbortSignal;
}

/** The error of each status a `returnErrors` entry names. */
type ReturnedError<S> = S extends keyof ApiErrorByStatus ? ApiErrorByStatus[S] : S extends abstract new (...args: never[]) => infer E ? E : S extends number ? KubeApiError : never;

/**
 * What `request` resolves to: a `KubeResponse`, or with `returnErrors` also the typed errors of the
 * listed statuses or classes (`returnErrors: [404]` → `KubeResponse | NotFoundError`).
 *
 * @example
 * const res: RequestResult<{ path: string; returnErrors: [404] }> = await transport.request({ path, returnErrors: [404] });
 */
export type RequestResult<O> = O extends { returnErrors: true }
  ? KubeResponse | KubeApiError
  : O extends { returnErrors: readonly (infer S)[] }
    ? KubeResponse | ReturnedError<S>
    : KubeResponse;

/** Whether `returnErrors` covers an error. */
export function isReturned(error: KubeApiError, returned: ReturnErrors | undefined): boolean {
  if (returned === undefined) return false;
  if (returned === true) return true;
  for (const r of returned) if (typeof r === "number" ? r === error.status : error instanceof r) return true;
  return false;
}

let defaultUserAgent: string | undefined;

/** `kubezod/<version> (<platform>/<arch>) node/<version>`, worked out by the first transport (not at import). */
function defaultUserAgentHeader(): string {
  return (defaultUserAgent ??= `kubezod/${packageVersion()} (${process.platform}/${process.arch}) node/${process.version}`);
}

/** The package version, for the User-Agent. */
function packageVersion(): string {
  for (const up of ["../../package.json", "../../../package.json"]) {
    try {
      const pkg = createRequire(import.meta.url)(up) as { name?: string; version?: string };
      if (pkg.name === "kubezod" && pkg.version) return pkg.version;
    } catch {
      // dist/src/transport is one level deeper: try the next
    }
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
  readonly #maxResponseBytes: number;
  readonly #baseHeaders: Record<string, string | string[]>;
  readonly #proxy: string | undefined;
  readonly #send: Send;
  readonly #onWarning: WarningHandler | undefined;
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
    this.#maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.#proxy = proxyUrlFor(cluster);
    this.#onWarning = options.onWarning === false ? undefined : (options.onWarning ?? warningHandler());
    const fail = (call: Call, err: unknown): never => {
      throw this.#failure(call, err);
    };
    const stages: Interceptor[] = [
      observe({
        server: this.server,
        basePath: this.#basePath,
        onMetrics: options.onMetrics,
        log: options.log,
        errorOf: (call, out) => this.#apiError(call, out),
        callLog: (call) => this.#callLog.get(call),
      }),
      retry(fail),
      ...(options.rateLimit ? [rateLimit(new TokenBucket(options.rateLimit), fail, () => new DeadlineReached())] : []),
      auth(cluster.credentials, fail, () => new DeadlineReached()),
      impersonation(cluster.impersonate),
      ...(options.interceptors ?? []),
    ];
    this.#baseHeaders = {
      "user-agent": options.userAgent ?? defaultUserAgentHeader(),
      accept: "application/json",
      ...(cluster.disableCompression ? {} : { "accept-encoding": "gzip" }),
      ...staticHeaders(stages),
      ...lowerCaseKeys(options.headers),
    };
    this.#send = compose(stages, (call) => this.#dispatch(call));
  }

  /**
   * The default time limit of a call in ms (`TransportOptions.timeoutMs`; 0: none). It also bounds
   * the wait for a stream's headers and for a WebSocket to open.
   *
   * @example
   * transport.timeoutMs; // 30000
   */
  get timeoutMs(): number {
    return this.#timeoutMs;
  }

  /** Per-call logging switches (kept beside the call, not on it). */
  readonly #callLog = new WeakMap<Call, Omit<LogOptions, "logger">>();

  /**
   * Send a request and read the whole response. Non-2xx responses throw the typed `KubeApiError`
   * for their status (or return it, with `returnErrors`); a redirect or a body over the size limit
   * throws `InvalidResponseError` / `ResponseTooLargeError`; failures to connect throw
   * `ConnectionError`, running out of time (headers or body) `TimeoutError`, an aborted `signal` its
   * reason.
   *
   * @example
   * const res = await transport.request({ path: "/api/v1/namespaces/web/configmaps/settings", returnErrors: [404] });
   * if (res instanceof NotFoundError) …
   */
  async request<const O extends RequestOptions>(options: O): Promise<RequestResult<O>> {
    const call = this.#begin(options, false);
    if (!undiciIfLoaded()) await Promise.all([loadUndici(), loadOpenTelemetry()]);
    const out = await this.#send(call);
    this.#noteAuditId(call, out);
    const warnings = this.#warnings(call, out);
    if (out.status >= 400) {
      const error = this.#apiError(call, out);
      if (isReturned(error, options.returnErrors)) return error as RequestResult<O>;
      throw error;
    }
    if (out.status >= 300) throw this.#redirect(call, out);
    return new KubeResponse(out.status, out.headers, out.body!, call.retries, call.info, warnings) as RequestResult<O>;
  }

  /**
   * Open a long-lived response (watch, log follow) on the stream pool (no body timeout, never
   * blocking the request pool). Retries, 401 refresh and errors work as in `request` until the
   * response headers arrive; `timeoutMs` only limits that wait, `idleTimeoutMs` bounds silence.
   *
   * @example
   * const watch = await transport.stream({ path: "/api/v1/namespaces/web/pods", query: { watch: true, resourceVersion: rv } });
   * for await (const chunk of watch.body) decoder.push(chunk);
   */
  async stream(options: StreamOptions): Promise<KubeStream> {
    const call = this.#begin(options, true);
    const out = await this.#run(call);
    const warnings = this.#warnings(call, out);
    if (out.status >= 400) throw this.#apiError(call, out);
    if (out.status >= 300) throw this.#redirect(call, out);
    let closed = false;
    const server = this.server;
    const info = call.info;
    const proxy = this.#proxy;
    const idleMs = options.idleTimeoutMs ?? 0;
    const source = out.stream!;
    const idle = () => new IdleTimeoutError(`nothing arrived from ${server} for ${idleMs} ms (${info.method} ${info.url})`, server, idleMs, info);
    async function* chunks(): AsyncGenerator<Uint8Array> {
      try {
        yield* idleBounded(source, idleMs, idle);
      } catch (err) {
        if (closed) return;
        throw err instanceof KubeError ? err : connectionError(err, server, info, classifyFailure(err), proxy);
      } finally {
        out.close!();
      }
    }
    return {
      status: out.status,
      headers: out.headers,
      warnings,
      request: info,
      body: chunks(),
      close() {
        closed = true;
        out.close!();
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
    // The upgraded connection is kept: a WebSocket has no way to drop a connection whose server
    // never answers the close, and such a connection would outlive close() and keep the process up.
    let socket: Duplex | undefined;
    const sockets = this.#webSocketSockets;
    let refused: RefusedUpgradeAnswer | undefined;
    const capturing = upgradeCapturing(
      dispatcher,
      (s) => {
        socket = s;
        sockets.add(s);
        s.once("close", () => sockets.delete(s));
      },
      (answer) => {
        refused = answer;
      },
    );
    const ws = new WebSocket(url, { ...(options.protocols ? { protocols: options.protocols } : {}), dispatcher: capturing, headers });
    ws.addEventListener("error", () => {
      if (refused) refusedAnswers.set(ws, refused);
    });
    if (options.signal) {
      const signal = options.signal;
      const abort = () => {
        ws.close();
        // The server has a moment to answer the close; then the connection is dropped.
        const s = socket;
        if (s && !s.destroyed) {
          const timer = setTimeout(() => s.destroy(), WEBSOCKET_CLOSE_GRACE_MS);
          timer.unref?.();
          s.once("close", () => clearTimeout(timer));
        }
      };
      if (signal.aborted) abort();
      else signal.addEventListener("abort", abort, { once: true });
    }
    return ws;
  }

  /** Connections of open WebSockets (dropped by `close()`). */
  readonly #webSocketSockets = new Set<Duplex>();

  /**
   * Connection pool statistics of the request pool (undici's: connected, free, pending, queued,
   * running, size), or undefined before the first request.
   *
   * @example
   * transport.stats()?.queued; // requests waiting for a connection
   */
  stats(): PoolStats | undefined {
    const requests = this.#dispatchers?.requests as (Dispatcher & { stats?: unknown }) | undefined;
    const stats = requests?.stats as Record<string, unknown> | undefined;
    if (!stats) return undefined;
    const pick = (s: Record<string, unknown>): PoolStats => ({
      connected: Number(s.connected ?? 0),
      free: Number(s.free ?? 0),
      pending: Number(s.pending ?? 0),
      queued: Number(s.queued ?? 0),
      running: Number(s.running ?? 0),
      size: Number(s.size ?? 0),
    });
    // A Pool has its numbers; an agent (behind a proxy) has them per origin.
    if ("connected" in stats) return pick(stats);
    const first = Object.values(stats)[0] as Record<string, unknown> | undefined;
    return first ? pick(first) : undefined;
  }

  /**
   * Close the connection pools (waiting for requests in flight); the transport cannot be used after.
   *
   * @example
   * await transport.close();
   */
  async close(): Promise<void> {
    this.#closed = true;
    for (const s of this.#webSocketSockets) s.destroy();
    this.#webSocketSockets.clear();
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
    const call: Call = {
      method,
      pathQ,
      path: options.path,
      info: { method, url: `${this.server}${pathQ.slice(this.#basePath.length)}` },
      policy,
      timeoutMs,
      deadline: timeoutMs > 0 ? started + timeoutMs : Infinity,
      started,
      body,
      contentType,
      accept: options.accept,
      extraHeaders: options.headers,
      signal: options.signal,
      streaming,
      maxResponseBytes: options.maxResponseBytes ?? this.#maxResponseBytes,
      headers: this.#baseHeaders,
      attempt: 1,
      retries: 0,
    };
    if (options.log) this.#callLog.set(call, options.log);
    return call;
  }

  async #run(call: Call): Promise<Outcome> {
    if (!undiciIfLoaded()) await Promise.all([loadUndici(), loadOpenTelemetry()]);
    const out = await this.#send(call);
    this.#noteAuditId(call, out);
    return out;
  }

  #noteAuditId(call: Call, out: Outcome): void {
    const auditId = auditIdOf(out);
    if (auditId) (call.info as RequestInfo).auditId = auditId;
  }

  /** The bottom of the pipeline: one attempt. */
  #dispatch(call: Call): Promise<Outcome> {
    if (this.#closed) return Promise.reject(new ConnectionError(`the transport for ${this.server} is closed (${call.method} ${call.info.url})`, this.server, { request: call.info }));
    let dispatchers: { requests: Dispatcher; streams: Dispatcher };
    let headers: Record<string, string | string[]>;
    try {
      dispatchers = this.#dispatchersFor(call.credentials ?? {});
    } catch (err) {
      return Promise.reject(err);
    }
    try {
      headers = this.#headersFor(call);
    } catch (err) {
      return Promise.reject(this.#failure(call, err));
    }
    return dispatchAttempt(call.streaming ? dispatchers.streams : dispatchers.requests, this.#origin, call, headers, this.#fail);
  }

  /** `#failure` as a function of its own, made once. */
  readonly #fail = (call: Call, err: unknown): Error => this.#failure(call, err);

  /** The headers of this attempt: the shared ones, copied only when this call adds its own. */
  #headersFor(call: Call): Record<string, string | string[]> {
    const before = this.#options.beforeRequest;
    if (!call.contentType && !call.accept && !call.extraHeaders && !before) return call.headers;
    const headers: Record<string, string | string[]> = { ...call.headers };
    if (call.contentType) headers["content-type"] = call.contentType;
    if (call.accept) headers.accept = call.accept;
    if (call.extraHeaders) Object.assign(headers, lowerCaseKeys(call.extraHeaders));
    if (before) before({ method: call.method, path: call.pathQ, headers, attempt: call.attempt });
    return headers;
  }

  /** The error to throw for a failed attempt: timeout, the caller's abort reason, or a connection error. */
  #failure(call: Call, err: unknown): Error {
    const user = call.signal;
    if (user?.aborted) return user.reason instanceof Error ? user.reason : new DOMException("The operation was aborted", "AbortError");
    if (err instanceof KubeError) return err;
    const code = (err as { code?: string })?.code;
    if (err instanceof DeadlineReached || ((code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT") && call.deadline !== Infinity)) {
      return new TimeoutError(`request to ${this.server} timed out after ${call.timeoutMs} ms (${call.method} ${call.info.url})`, this.server, call.timeoutMs, call.info);
    }
    if (code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT") {
      return new TimeoutError(`${this.server} stopped answering (${(err as Error).message}) (${call.method} ${call.info.url})`, this.server, call.timeoutMs, call.info);
    }
    return connectionError(err, this.server, call.info, classifyFailure(err), this.#proxy);
  }

  #apiError(call: Call, out: Outcome): KubeApiError {
    const body = out.body ?? "";
    const text = typeof body === "string" ? body : body.toString("utf8");
    let parsed: unknown = text;
    if (/json/.test(String(out.headers["content-type"] ?? "")) || /^\s*\{/.test(text)) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    const auditId = auditIdOf(out);
    const info = auditId ? { ...call.info, auditId } : call.info;
    return apiErrorFor(out.status, parsed, info, parseRetryAfter(out.headers["retry-after"]));
  }

  #redirect(call: Call, out: Outcome): InvalidResponseError {
    out.close?.();
    const location = out.headers.location;
    const where = typeof location === "string" ? ` to ${redactUrl(new URL(location, this.server).toString()).replace(/\?.*$/, "")}` : "";
    return new InvalidResponseError(`the server answered ${out.status}, a redirect${where}: an API server does not redirect API requests (check the server address, or a proxy or login page in the way)`, out.status, call.info);
  }

  #warnings(call: Call, out: Outcome): readonly string[] {
    if (out.headers.warning === undefined) return NO_WARNINGS;
    const warnings = parseWarnings(out.headers.warning);
    if (warnings.length && this.#onWarning) for (const w of warnings) this.#onWarning(w, call.info);
    return warnings;
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

  #pathWithQuery(path: string, query: QueryParams | undefined): string {
    const full = this.#basePath + (path.startsWith("/") ? path : `/${path}`);
    const qs = encodeQuery(query);
    if (!qs) return full;
    return full.includes("?") ? `${full}&${qs.slice(1)}` : `${full}${qs}`;
  }
}

/** Connection pool statistics (undici's `PoolStats`). @example transport.stats()?.connected; */
export interface PoolStats {
  /** Open connections. */
  connected: number;
  /** Open connections not serving a request. */
  free: number;
  /** Requests waiting to be sent. */
  pending: number;
  /** Requests waiting for a connection. */
  queued: number;
  /** Requests in flight. */
  running: number;
  /** pending + running. */
  size: number;
}

function noop(): void {}

/** How long an aborted WebSocket waits for the server's close frame before its connection is dropped. */
const WEBSOCKET_CLOSE_GRACE_MS = 2_000;

/** What the server answered instead of switching protocols (a refused WebSocket). */
export interface RefusedUpgradeAnswer {
  status: number;
  headers: Record<string, string>;
  /** The start of the body (up to 64 KiB), when it arrived with the headers. */
  body: string;
}

/** The answers of refused WebSocket upgrades, by socket (read by `refusedUpgradeOf`). */
const refusedAnswers = new WeakMap<object, RefusedUpgradeAnswer>();

/**
 * What the server answered to a WebSocket's upgrade request when it did not switch protocols (a
 * 403 `Status` for an exec the user may not run, say): the WebSocket API itself hides it.
 * Internal.
 */
export function refusedUpgradeOf(ws: object): RefusedUpgradeAnswer | undefined {
  return refusedAnswers.get(ws);
}

const MAX_REFUSED_BODY = 64 * 1024;

/**
 * A view of `dispatcher` that hands the connection of every upgrade it makes to `onSocket`, and
 * the status, headers and start of the body of an answer that is not an upgrade to `onRefused`.
 */
function upgradeCapturing(dispatcher: Dispatcher, onSocket: (socket: Duplex) => void, onRefused: (answer: RefusedUpgradeAnswer) => void): Dispatcher {
  const wrap = (handler: object): object => {
    let answer: RefusedUpgradeAnswer | undefined;
    return new Proxy(handler, {
      get(target, prop, receiver) {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (typeof value !== "function") return value;
        if (prop === "onHeaders") {
          return function (this: unknown, statusCode: number, rawHeaders: Array<Buffer | string | Array<Buffer | string>>, ...rest: unknown[]) {
            if (statusCode !== 101) {
              const headers: Record<string, string> = {};
              for (let i = 0; i + 1 < (rawHeaders?.length ?? 0); i += 2) headers[String(rawHeaders[i]).toLowerCase()] = String(rawHeaders[i + 1]);
              answer = { status: statusCode, headers, body: "" };
              onRefused(answer);
            }
            return (value as (...args: unknown[]) => unknown).call(this, statusCode, rawHeaders, ...rest);
          };
        }
        if (prop === "onData") {
          return function (this: unknown, chunk: Buffer) {
            if (answer && answer.body.length < MAX_REFUSED_BODY) answer.body += chunk.toString("utf8", 0, Math.min(chunk.length, MAX_REFUSED_BODY - answer.body.length));
            return (value as (...args: unknown[]) => unknown).call(this, chunk);
          };
        }
        if (prop === "onUpgrade") {
          return function (this: unknown, statusCode: number, headers: unknown, socket: Duplex) {
            onSocket(socket);
            return (value as (...args: unknown[]) => unknown).call(this, statusCode, headers, socket);
          };
        }
        if (prop === "onRequestUpgrade") {
          return function (this: unknown, controller: unknown, statusCode: number, headers: unknown, socket: Duplex) {
            onSocket(socket);
            return (value as (...args: unknown[]) => unknown).call(this, controller, statusCode, headers, socket);
          };
        }
        return value;
      },
    });
  };
  return new Proxy(dispatcher, {
    get(target, prop) {
      if (prop === "dispatch") return (opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler) => target.dispatch(opts, wrap(handler) as Dispatcher.DispatchHandler);
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** The warnings of a response without `Warning` headers (shared; a response's warnings are read-only). */
const NO_WARNINGS: readonly string[] = Object.freeze([]);

function lowerCaseKeys<T>(headers: Record<string, T> | undefined): Record<string, T> {
  if (!headers) return {};
  const out: Record<string, T> = {};
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = v;
  return out;
}

export type { Payload };
