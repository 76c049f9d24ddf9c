/**
 * `ClusterConfig`: everything the transport needs to talk to one API server, whatever it came from
 * (kubeconfig context, in-cluster service account, or built by hand).
 */
import { ConfigError } from "../errors.js";
import type { CredentialProvider } from "./credentials.js";
import { normaliseProxyUrl, type ProxyEnv } from "./proxy.js";

/** How to trust the server. @example const tls: TlsConfig = { ca: readFileSync("ca.crt", "utf8"), insecureSkipTlsVerify: false }; */
export interface TlsConfig {
  /** PEM bundle of CAs to trust (default: Node's bundled roots). */
  ca?: string;
  /** Do not verify the server's certificate (kubeconfig `insecure-skip-tls-verify`). */
  insecureSkipTlsVerify: boolean;
  /** Name to send as SNI and to verify the certificate against (kubeconfig `tls-server-name`). */
  serverName?: string;
}

/**
 * Impersonation headers (`Impersonate-User`, `-Group`, `-Uid`, `-Extra-*`), from the kubeconfig's
 * `as`, `as-groups`, `as-uid`, `as-user-extra`.
 *
 * @example
 * const imp: Impersonation = { user: "jane", groups: ["devs", "qa"], extra: { scopes: ["view"] } };
 */
export interface Impersonation {
  user: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

/** Where a `ClusterConfig` came from. @example if (cluster.origin.kind === "kubeconfig") console.log(cluster.origin.context); */
export type ClusterOrigin =
  | { kind: "kubeconfig"; context: string; cluster: string; user: string | undefined; files: string[] }
  | { kind: "in-cluster"; serviceAccountDir: string }
  | { kind: "explicit" };

/**
 * One API server and how to reach it: the transport's input.
 *
 * @example
 * const cluster = await resolveCluster({ context: "prod" });
 * cluster.server;     // "https://10.0.0.1:6443"
 * cluster.namespace;  // "web" (from the context), else "default"
 */
export interface ClusterConfig {
  /** The server URL, normalised (scheme, no trailing slash); may carry a path prefix. */
  server: string;
  /** The default namespace (context `namespace`, in-cluster namespace file, or `default`). */
  namespace: string;
  tls: TlsConfig;
  /** Proxy: the kubeconfig `proxy-url` (always used), else the environment's settings. */
  proxy: { url?: string; env: ProxyEnv };
  /** Do not ask for gzip responses (kubeconfig `disable-compression`). */
  disableCompression: boolean;
  credentials: CredentialProvider;
  impersonate?: Impersonation;
  origin: ClusterOrigin;
}

/**
 * The server URL as client-go reads it: a bare `host:port` gets `https://` when TLS is configured
 * (a CA, a client certificate or insecure mode), `http://` otherwise; trailing slashes go.
 *
 * @example
 * normaliseServer("10.0.0.1:6443", true); // "https://10.0.0.1:6443"
 */
export function normaliseServer(server: string, tlsConfigured: boolean, what = "server"): string {
  let text = server.trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) text = `${tlsConfigured ? "https" : "http"}://${text}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`${what}: "${server}" is not a valid URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new ConfigError(`${what}: "${server}" must be an http or https URL`);
  if (url.search || url.hash) throw new ConfigError(`${what}: "${server}" must not have a query or fragment`);
  if (url.username || url.password) throw new ConfigError(`${what}: the server URL must not carry credentials`);
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

/**
 * Check and normalise a `proxy-url` (http, https or socks5); `what` names its owner in errors.
 *
 * @example
 * checkProxyUrl("http://proxy.corp:3128/", 'cluster "prod"'); // "http://proxy.corp:3128"
 */
export function checkProxyUrl(proxyUrl: string, what: string): string {
  const normal = normaliseProxyUrl(proxyUrl);
  if (!normal || !/^[a-z0-9]+:\/\//i.test(proxyUrl)) throw new ConfigError(`${what}: invalid proxy-url (expected http://, https:// or socks5:// with a host)`);
  return normal;
}
