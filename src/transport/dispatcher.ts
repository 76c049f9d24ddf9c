/**
 * undici dispatchers for one cluster: a keep-alive `Pool` for requests (a connection limit), and an
 * `Agent` without body timeout for long-lived streams (watches, log follow, WebSockets), so streams
 * never hold request connections. Both carry the cluster's TLS and client certificate, and become
 * `ProxyAgent`s when a proxy applies. Over TLS the pool offers HTTP/2 (ALPN): when the server takes
 * it, requests and streams share that one multiplexed connection (as client-go does), and only
 * WebSocket upgrades use HTTP/1.1 connections of their own.
 */
import type { ConnectionOptions } from "node:tls";
import type * as Undici from "undici";
import type { Dispatcher } from "undici";
import type { ClientCertificate } from "../config/credentials.js";
import type { ClusterConfig } from "../config/cluster.js";
import { proxyFor } from "../config/proxy.js";

let loaded: typeof Undici | undefined;

/**
 * undici, imported on first use: it takes longer to load than the rest of the library, and a
 * program that only validates or parses never needs it.
 *
 * @example
 * const { Pool } = await loadUndici();
 */
export async function loadUndici(): Promise<typeof Undici> {
  return (loaded ??= await import("undici"));
}

/** undici if it is loaded already (no waiting on the hot path). */
export function undiciIfLoaded(): typeof Undici | undefined {
  return loaded;
}

/** Connection settings of a transport. @example createTransport(cluster, { connections: 16, keepAliveTimeoutMs: 30_000 }); */
export interface DispatcherOptions {
  /** Most connections in the request pool (default 32). Streams have their own, unlimited. */
  connections?: number;
  /** How long an idle connection is kept (default 30 s). */
  keepAliveTimeoutMs?: number;
  /** TCP + TLS connect timeout (default 10 s). */
  connectTimeoutMs?: number;
  /**
   * Offer HTTP/2 to TLS servers (default true): if the server takes it, requests and watches are
   * multiplexed over one connection; a server without it is spoken to in HTTP/1.1.
   */
  http2?: boolean;
}

/** The proxy URL for a cluster, or undefined for direct connections. @example proxyUrlFor(await resolveCluster()); // "http://proxy.corp:3128" */
export function proxyUrlFor(cluster: ClusterConfig): string | undefined {
  return cluster.proxy.url ?? proxyFor(cluster.server, cluster.proxy.env);
}

function tlsOptions(cluster: ClusterConfig, cert: ClientCertificate | undefined, connectTimeoutMs: number): ConnectionOptions & { timeout: number } {
  const { tls } = cluster;
  return {
    ...(tls.ca ? { ca: tls.ca } : {}),
    rejectUnauthorized: !tls.insecureSkipTlsVerify,
    ...(tls.serverName ? { servername: tls.serverName } : {}),
    ...(cert ? { cert: cert.cert, key: cert.key } : {}),
    timeout: connectTimeoutMs,
  };
}

/**
 * WebSockets go through undici's fetch, which folds repeated headers into one comma-joined line;
 * the API server reads every `Impersonate-Group` line as one group. Such headers travel as JSON in
 * this private header and are put back as repeated lines just before they are sent.
 */
export const REPEATED_HEADERS = "x-kubezod-repeated-headers";

const expandRepeatedHeaders: Dispatcher.DispatcherComposeInterceptor = (dispatch) => (opts, handler) => {
  const headers = opts.headers as Record<string, string | string[] | undefined> | undefined;
  const packed = headers && !Array.isArray(headers) && typeof headers === "object" ? headers[REPEATED_HEADERS] : undefined;
  if (typeof packed === "string") {
    const next: Record<string, string | string[] | undefined> = { ...headers };
    delete next[REPEATED_HEADERS];
    Object.assign(next, JSON.parse(packed) as Record<string, string[]>);
    return dispatch({ ...opts, headers: next as Dispatcher.DispatchOptions["headers"] }, handler);
  }
  return dispatch(opts, handler);
};

/** The request pool and the stream agent for a cluster and client certificate. */
export function createDispatchers(
  undici: typeof Undici,
  cluster: ClusterConfig,
  cert: ClientCertificate | undefined,
  options: DispatcherOptions,
): { requests: Dispatcher; streams: Dispatcher } {
  const { Agent, Pool, ProxyAgent } = undici;
  const connect = tlsOptions(cluster, cert, options.connectTimeoutMs ?? 10_000);
  const keepAliveTimeout = options.keepAliveTimeoutMs ?? 30_000;
  const connections = options.connections ?? 32;
  const proxy = proxyUrlFor(cluster);
  const origin = new URL(cluster.server).origin;
  if (proxy) {
    // An https:// proxy is verified with the cluster's CA settings, as Go's transport does for kubectl.
    const proxyTls = proxy.startsWith("https:") ? { proxyTls: { ...(cluster.tls.ca ? { ca: cluster.tls.ca } : {}), rejectUnauthorized: !cluster.tls.insecureSkipTlsVerify } } : {};
    const base = { uri: proxy, requestTls: connect, ...proxyTls, proxyTunnel: origin.startsWith("https:") || !proxy.startsWith("http:"), keepAliveTimeout };
    return {
      requests: new ProxyAgent({ ...base, connections }),
      streams: new ProxyAgent({ ...base, bodyTimeout: 0 }).compose(expandRepeatedHeaders),
    };
  }
  if (options.http2 === false || !origin.startsWith("https:")) {
    return {
      requests: new Pool(origin, { connect, connections, keepAliveTimeout, pipelining: 1 }),
      streams: new Agent({ connect, keepAliveTimeout, bodyTimeout: 0 }).compose(expandRepeatedHeaders),
    };
  }
  // The protocol the server chose, learned from the first connection (ALPN). Until it is known one
  // request goes ahead and the others wait: a pool would otherwise open a connection for each.
  let protocol: "h2" | "http/1.1" | undefined;
  let learning = false;
  let waiting: Array<() => void> = [];
  const learned = (): void => {
    learning = false;
    const go = waiting;
    waiting = [];
    for (const resume of go) resume();
  };
  const connector = undici.buildConnector({ ...connect, allowH2: true });
  const shared = new Pool(origin, {
    connections,
    keepAliveTimeout,
    pipelining: 1,
    allowH2: true,
    // Up to this many streams share the connection before the pool opens another (the server's
    // own SETTINGS_MAX_CONCURRENT_STREAMS replaces it once received).
    maxConcurrentStreams: H2_STREAMS,
    factory: (clientOrigin, clientOptions) => {
      const client: Undici.Client = new undici.Client(clientOrigin, {
        ...(clientOptions as Undici.Client.Options),
        connect: (opts, callback) =>
          connector(opts, (err, socket) => {
            if (!err && socket) {
              protocol = (socket as { alpnProtocol?: string | false }).alpnProtocol === "h2" ? "h2" : "http/1.1";
              // undici counts an HTTP/2 connection busy at its pipelining depth (default 1): let it carry many streams.
              if (protocol === "h2") client.pipelining = H2_STREAMS;
            }
            (callback as (err: Error | null, socket: unknown) => void)(err, socket);
            learned();
          }),
      });
      return client;
    },
  });
  // undici 7 cannot send a body with a method that does not expect one over HTTP/2 (DELETE with
  // DeleteOptions): those go over HTTP/1.1.
  const http1 = new Pool(origin, { connect, connections, keepAliveTimeout, pipelining: 1 });
  const http1Streams = new Agent({ connect, keepAliveTimeout, bodyTimeout: 0 });
  const once = (pick: (opts: Dispatcher.DispatchOptions) => Dispatcher) => (opts: Dispatcher.DispatchOptions): Dispatcher | Promise<Dispatcher> => {
    const target = pick(opts);
    if (target !== shared || protocol) return target;
    if (!learning) {
      learning = true;
      return target;
    }
    return new Promise<void>((resume) => waiting.push(resume)).then(() => once(pick)(opts));
  };
  const h2 = { shared, multiplexed: () => protocol === "h2" };
  const requests = routing(undici, once((opts) => (opts.body != null && !PAYLOAD_METHODS.has(opts.method) ? http1 : shared)), [shared, http1], { ...h2, stats: shared });
  // Streams join the shared connection when it speaks HTTP/2; on an HTTP/1.1 server, and for
  // WebSocket upgrades, they get connections of their own.
  const streams = routing(undici, once((opts) => (opts.upgrade || protocol === "http/1.1" ? http1Streams : shared)), [http1Streams], h2);
  return { requests, streams: streams.compose(expandRepeatedHeaders) };
}

const PAYLOAD_METHODS = new Set(["POST", "PUT", "PATCH"]);
const H2_STREAMS = 1000;

/**
 * A dispatcher that hands each request to the one `route` picks (at once, or once it is known);
 * closing it closes `owned`; `stats` are those of `h2.stats`, for the pool statistics.
 */
function routing(
  undici: typeof Undici,
  route: (opts: Dispatcher.DispatchOptions) => Dispatcher | Promise<Dispatcher>,
  owned: Dispatcher[],
  h2: { shared: Dispatcher; multiplexed: () => boolean; stats?: Dispatcher & { stats?: unknown } },
): Dispatcher {
  // undici keeps a POST or PATCH off an HTTP/2 connection that carries other streams (a watch
  // always does) unless it is marked idempotent — a rule for HTTP/1.1 pipelining: on HTTP/2 a
  // failed stream fails alone, and the transport decides about retries itself.
  const mark = (opts: Dispatcher.DispatchOptions, target: Dispatcher): Dispatcher.DispatchOptions =>
    target === h2.shared && opts.idempotent !== true && h2.multiplexed() ? { ...opts, idempotent: true } : opts;
  class Routing extends undici.Dispatcher {
    get stats(): unknown {
      return h2.stats?.stats;
    }
    override dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
      const target = route(opts);
      if (!(target instanceof Promise)) return target.dispatch(mark(opts, target), handler);
      target.then((d) => d.dispatch(mark(opts, d), handler), (err: unknown) => handler.onError?.(err as Error));
      return true;
    }
    override close(): Promise<void>;
    override close(callback: () => void): void;
    override close(callback?: () => void): Promise<void> | void {
      const closing = Promise.all(owned.map((d) => d.close())).then(() => undefined);
      if (!callback) return closing;
      closing.then(callback, callback);
    }
    override destroy(): Promise<void>;
    override destroy(err: Error | null): Promise<void>;
    override destroy(callback: () => void): void;
    override destroy(err: Error | null, callback: () => void): void;
    override destroy(a?: Error | null | (() => void), b?: () => void): Promise<void> | void {
      const callback = typeof a === "function" ? a : b;
      const err = typeof a === "function" ? null : (a ?? null);
      const destroying = Promise.all(owned.map((d) => d.destroy(err))).then(() => undefined);
      if (!callback) return destroying;
      destroying.then(callback, callback);
    }
  }
  return new Routing();
}
