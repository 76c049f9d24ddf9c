/**
 * undici dispatchers for one cluster: a keep-alive `Pool` for requests (a connection limit), and an
 * `Agent` without body timeout for long-lived streams (watches, log follow, WebSockets), so streams
 * never hold request connections. Both carry the cluster's TLS and client certificate, and become
 * `ProxyAgent`s when a proxy applies.
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
  return {
    requests: new Pool(origin, { connect, connections, keepAliveTimeout, pipelining: 1 }),
    streams: new Agent({ connect, keepAliveTimeout, bodyTimeout: 0 }).compose(expandRepeatedHeaders),
  };
}
