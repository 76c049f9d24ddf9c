/**
 * From kubeconfig (or the pod's service account) to a `ClusterConfig`: context selection, cluster
 * TLS and proxy, the user's credentials and impersonation, the default namespace.
 *
 * Credentials follow client-go's precedence: `token`/`tokenFile` or `username`/`password` set the
 * `Authorization` header, `client-certificate[-data]`/`client-key[-data]` the client certificate; an
 * `exec` plugin is only run when none of those is set, and an `oidc` auth-provider only supplies the
 * header when no token or password is set.
 */
import { ConfigError } from "../errors.js";
import { isDNS1123Label } from "../meta/names.js";
import { checkProxyUrl, normaliseServer, type ClusterConfig, type Impersonation, type TlsConfig } from "./cluster.js";
import {
  basicAuth,
  bearerToken,
  clientCertificate,
  combineCredentials,
  noCredentials,
  tokenFile,
  type CredentialProvider,
} from "./credentials.js";
import { execCredentials, type ExecClusterInfo, type ExecOptions } from "./exec.js";
import { inClusterConfig, isInCluster } from "./in-cluster.js";
import { loadKubeConfig, type KubeconfigEntry, type LoadedKubeConfig } from "./kubeconfig.js";
import type { KubeConfig, KubeconfigCluster, KubeconfigUser } from "./kubeconfig-schema.js";
import { oidcCredentials, type OidcOptions } from "./oidc.js";
import { checkCertificates, decodeData, readConfigFile } from "./pem.js";
import { proxyFromEnv } from "./proxy.js";

/**
 * What to connect to. Everything is optional: by default the current context of `KUBECONFIG` or
 * `~/.kube/config`, or the pod's service account when there is no kubeconfig.
 *
 * @example
 * await resolveCluster({ kubeconfig: "./admin.conf", context: "staging", namespace: "web" });
 */
export interface ResolveClusterOptions {
  /** A kubeconfig path (read alone), a list of paths (merged like `KUBECONFIG`), or a kubeconfig object. */
  kubeconfig?: string | readonly string[] | KubeConfig;
  /** The context to use (default: `current-context`). */
  context?: string;
  /** Use this kubeconfig cluster instead of the context's (`kubectl --cluster`). */
  cluster?: string;
  /** Use this kubeconfig user instead of the context's (`kubectl --user`). */
  user?: string;
  /** The default namespace (default: the context's, else `default`). */
  namespace?: string;
  /**
   * `true`: the pod's service account only; `false`: kubeconfig only; `"auto"` (default): in-cluster
   * when no kubeconfig was given or found and the service-account token exists.
   */
  inCluster?: boolean | "auto";
  /** The service-account directory for in-cluster mode (default `/var/run/secrets/kubernetes.io/serviceaccount`). */
  serviceAccountDir?: string;
  /** Environment for `KUBECONFIG`, `HOME`, proxies and the in-cluster variables (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** How exec plugins run (stderr, stdin, environment). */
  exec?: ExecOptions;
  /** OIDC auth-provider options (token persistence). */
  oidc?: OidcOptions;
  /** Clock in ms for token caches and expiry (tests). */
  now?: () => number;
}

/**
 * Resolve the cluster to talk to, by kubectl's rules. Throws `ConfigError` naming the file, context,
 * cluster or user at fault.
 *
 * @example
 * const cluster = await resolveCluster();                      // current context, or in-cluster
 * const prod = await resolveCluster({ context: "prod" });
 * const pod = await resolveCluster({ inCluster: true });
 */
export async function resolveCluster(options: ResolveClusterOptions = {}): Promise<ClusterConfig> {
  const env = options.env ?? process.env;
  const inClusterOptions = {
    env,
    ...(options.serviceAccountDir ? { serviceAccountDir: options.serviceAccountDir } : {}),
    ...(options.now ? { now: options.now } : {}),
  };
  const withNamespace = (c: ClusterConfig) => (options.namespace ? { ...c, namespace: checkNamespace(options.namespace, "namespace option") } : c);
  if (options.inCluster === true) return withNamespace(inClusterConfig(inClusterOptions));
  const loaded = loadKubeConfig({ ...(options.kubeconfig !== undefined ? { kubeconfig: options.kubeconfig } : {}), env });
  const empty = loaded.contexts.size === 0 && loaded.clusters.size === 0 && loaded.users.size === 0 && !loaded.currentContext;
  if (empty && options.inCluster !== false && options.kubeconfig === undefined && !options.context && isInCluster(inClusterOptions)) {
    return withNamespace(inClusterConfig(inClusterOptions));
  }
  return clusterFromKubeConfig(loaded, options, empty);
}

function describeFiles(loaded: LoadedKubeConfig): string {
  if (loaded.files.length) return loaded.files.join(", ");
  if (loaded.searched.length) return `none found; looked for ${loaded.searched.join(", ")}`;
  return "in-memory kubeconfig";
}

function clusterFromKubeConfig(loaded: LoadedKubeConfig, options: ResolveClusterOptions, empty: boolean): ClusterConfig {
  const env = options.env ?? process.env;
  if (empty) {
    throw new ConfigError(
      `no configuration: no kubeconfig (${describeFiles(loaded)})${options.inCluster === false ? "" : " and not running in a cluster (no service-account token)"}`,
    );
  }
  const contextName = options.context || loaded.currentContext;
  const available = () => [...loaded.contexts.keys()].map((n) => `"${n}"`).join(", ") || "none";
  if (!contextName) {
    throw new ConfigError(`no context chosen: the kubeconfig (${describeFiles(loaded)}) has no current-context; available contexts: ${available()}`);
  }
  const context = loaded.contexts.get(contextName);
  if (!context) throw new ConfigError(`context "${contextName}" not found in kubeconfig (${describeFiles(loaded)}); available contexts: ${available()}`);
  const clusterName = options.cluster || context.value.cluster;
  if (!clusterName) throw new ConfigError(`context "${contextName}" names no cluster`);
  const cluster = loaded.clusters.get(clusterName);
  if (!cluster) throw new ConfigError(`cluster "${clusterName}" of context "${contextName}" not found in kubeconfig (${describeFiles(loaded)})`);
  const userName = options.user || context.value.user || undefined;
  const user = userName ? loaded.users.get(userName) : undefined;
  if (userName && !user) throw new ConfigError(`user "${userName}" of context "${contextName}" not found in kubeconfig (${describeFiles(loaded)})`);

  const namespace = options.namespace
    ? checkNamespace(options.namespace, "namespace option")
    : context.value.namespace
      ? checkNamespace(context.value.namespace, `context "${contextName}" namespace`)
      : "default";
  const c = cluster.value;
  const cwhat = `cluster "${clusterName}"${cluster.file ? ` in ${cluster.file}` : ""}`;
  if (!c.server) throw new ConfigError(`${cwhat}: no server defined`);
  const tls = clusterTls(c, cwhat);
  const u = user?.value ?? {};
  const hasClientCert = Boolean(u["client-certificate"] || u["client-certificate-data"]);
  const server = normaliseServer(c.server, Boolean(tls.ca || tls.insecureSkipTlsVerify || hasClientCert), `${cwhat} server`);
  const proxyUrl = c["proxy-url"] ? checkProxyUrl(c["proxy-url"], cwhat) : undefined;
  const execCluster: ExecClusterInfo = {
    server,
    ...(tls.serverName ? { "tls-server-name": tls.serverName } : {}),
    ...(tls.insecureSkipTlsVerify ? { "insecure-skip-tls-verify": true } : {}),
    ...(tls.ca ? { "certificate-authority-data": Buffer.from(tls.ca).toString("base64") } : {}),
    ...(proxyUrl ? { "proxy-url": proxyUrl } : {}),
    ...(c["disable-compression"] ? { "disable-compression": true } : {}),
    ...execExtension(c),
  };
  const result: ClusterConfig = {
    server,
    namespace,
    tls,
    proxy: { ...(proxyUrl ? { url: proxyUrl } : {}), env: proxyFromEnv(env) },
    disableCompression: Boolean(c["disable-compression"]),
    credentials: user ? userCredentials(user, execCluster, options) : noCredentials(),
    origin: { kind: "kubeconfig", context: contextName, cluster: clusterName, user: userName, files: loaded.files },
  };
  const impersonate = user ? impersonation(user) : undefined;
  if (impersonate) result.impersonate = impersonate;
  return result;
}

function checkNamespace(namespace: string, what: string): string {
  const errs = isDNS1123Label(namespace);
  if (errs.length) throw new ConfigError(`${what}: "${namespace}" is not a valid namespace: ${errs[0]}`);
  return namespace;
}

function clusterTls(c: KubeconfigCluster, what: string): TlsConfig {
  if (c["certificate-authority"] && c["certificate-authority-data"]) {
    throw new ConfigError(`${what}: certificate-authority-data and certificate-authority are both specified; give only one`);
  }
  let ca: string | undefined;
  if (c["certificate-authority-data"]) {
    ca = checkCertificates(decodeData(c["certificate-authority-data"], `${what} certificate-authority-data`), `${what} certificate-authority-data`);
  } else if (c["certificate-authority"]) {
    const file = c["certificate-authority"];
    ca = checkCertificates(readConfigFile(file, `${what} certificate-authority`), `${what} certificate-authority ${file}`);
  }
  const insecure = Boolean(c["insecure-skip-tls-verify"]);
  if (insecure && ca) throw new ConfigError(`${what}: specifying a root certificates file with the insecure flag is not allowed`);
  return { ...(ca ? { ca } : {}), insecureSkipTlsVerify: insecure, ...(c["tls-server-name"] ? { serverName: c["tls-server-name"] } : {}) };
}

function execExtension(c: KubeconfigCluster): { config?: unknown } {
  const ext = c.extensions?.find((e) => e.name === "client.authentication.k8s.io/exec");
  return ext ? { config: ext.extension } : {};
}

function userCredentials(entry: KubeconfigEntry<KubeconfigUser>, execCluster: ExecClusterInfo, options: ResolveClusterOptions): CredentialProvider {
  const u = entry.value;
  const what = `user "${entry.name}"${entry.file ? ` in ${entry.file}` : ""}`;
  const now = options.now ? { now: options.now } : {};
  const methods: string[] = [];
  if (u.token || u.tokenFile) methods.push("token");
  if (u.username || u.password) methods.push("basicAuth");
  if (methods.length > 1) throw new ConfigError(`${what}: more than one authentication method found (${methods.join(", ")}); only one is allowed`);
  if (u.exec && u["auth-provider"]) throw new ConfigError(`${what}: an auth-provider cannot be combined with an exec plugin`);

  let header: CredentialProvider | undefined;
  if (u.tokenFile) header = tokenFile(u.tokenFile, { what: `${what} tokenFile`, ...(u.token ? { initial: u.token } : {}), ...now });
  else if (u.token) header = bearerToken(u.token, `${what} token`);
  else if (u.username || u.password) header = basicAuth(u.username ?? "", u.password ?? "");
  if (u.tokenFile && !u.token) header!.get();

  let cert: CredentialProvider | undefined;
  if (u["client-certificate"] || u["client-certificate-data"] || u["client-key"] || u["client-key-data"]) {
    if (u["client-certificate"] && u["client-certificate-data"]) throw new ConfigError(`${what}: client-certificate-data and client-certificate are both specified; give only one`);
    if (u["client-key"] && u["client-key-data"]) throw new ConfigError(`${what}: client-key-data and client-key are both specified; give only one`);
    if (!u["client-key"] && !u["client-key-data"]) throw new ConfigError(`${what}: client-key-data or client-key must be specified to use a client certificate`);
    if (!u["client-certificate"] && !u["client-certificate-data"]) throw new ConfigError(`${what}: client-certificate-data or client-certificate must be specified to use a client key`);
    cert = clientCertificate(
      {
        ...(u["client-certificate-data"] ? { cert: decodeData(u["client-certificate-data"], `${what} client-certificate-data`) } : {}),
        ...(u["client-key-data"] ? { key: decodeData(u["client-key-data"], `${what} client-key-data`) } : {}),
        ...(u["client-certificate"] ? { certFile: u["client-certificate"] } : {}),
        ...(u["client-key"] ? { keyFile: u["client-key"] } : {}),
        ...now,
      },
      what,
    );
  }

  if (u.exec && !header && !cert) {
    return execCredentials(u.exec, execCluster, { ...options.exec, ...(options.exec?.env || !options.env ? {} : { env: options.env }), ...(options.exec?.now ? {} : now) }, what);
  }
  const provider = u["auth-provider"];
  if (provider && !header) {
    if (provider.name !== "oidc") {
      throw new ConfigError(
        `${what}: auth-provider "${provider.name}" is not supported (only "oidc"); cloud providers ship exec credential plugins instead (for example gke-gcloud-auth-plugin, kubelogin, aws eks get-token)`,
      );
    }
    header = oidcCredentials(
      provider.config ?? {},
      { user: entry.name, ...(entry.file ? { file: entry.file } : {}) },
      { ...options.oidc, ...(options.oidc?.env || !options.env ? {} : { env: options.env }), ...(options.oidc?.now ? {} : now) },
    );
  }
  return combineCredentials([header, cert].filter((p): p is CredentialProvider => p !== undefined));
}

function impersonation(entry: KubeconfigEntry<KubeconfigUser>): Impersonation | undefined {
  const u = entry.value;
  const groups = u["as-groups"] ?? [];
  const extra = u["as-user-extra"] ?? {};
  if (!u.as) {
    if (u["as-uid"] || groups.length || Object.keys(extra).length) {
      throw new ConfigError(`user "${entry.name}": as-uid, as-groups or as-user-extra need "as" (the user to impersonate)`);
    }
    return undefined;
  }
  return {
    user: u.as,
    ...(u["as-uid"] ? { uid: u["as-uid"] } : {}),
    ...(groups.length ? { groups: [...groups] } : {}),
    ...(Object.keys(extra).length ? { extra: { ...extra } } : {}),
  };
}

/** Options of `defineCluster`. @example defineCluster({ server: "https://127.0.0.1:6443", token: "…", ca: pem }); */
export interface DefineClusterOptions {
  server: string;
  namespace?: string;
  /** PEM CA bundle. */
  ca?: string;
  insecureSkipTlsVerify?: boolean;
  tlsServerName?: string;
  /** A bearer token (shorthand for `credentials: bearerToken(token)`). */
  token?: string;
  credentials?: CredentialProvider;
  impersonate?: Impersonation;
  proxyUrl?: string;
  disableCompression?: boolean;
  /** Environment for proxy settings (default `process.env`). */
  env?: NodeJS.ProcessEnv;
}

/**
 * A `ClusterConfig` built by hand, without a kubeconfig.
 *
 * @example
 * const cluster = defineCluster({ server: "http://127.0.0.1:8080", namespace: "test" });
 */
export function defineCluster(options: DefineClusterOptions): ClusterConfig {
  const ca = options.ca ? checkCertificates(options.ca, "ca") : undefined;
  const insecure = Boolean(options.insecureSkipTlsVerify);
  if (insecure && ca) throw new ConfigError("specifying a root certificates file with the insecure flag is not allowed");
  if (options.token && options.credentials) throw new ConfigError("give either token or credentials, not both");
  return {
    server: normaliseServer(options.server, Boolean(ca || insecure)),
    namespace: options.namespace ? checkNamespace(options.namespace, "namespace option") : "default",
    tls: { ...(ca ? { ca } : {}), insecureSkipTlsVerify: insecure, ...(options.tlsServerName ? { serverName: options.tlsServerName } : {}) },
    proxy: { ...(options.proxyUrl ? { url: checkProxyUrl(options.proxyUrl, "proxyUrl") } : {}), env: proxyFromEnv(options.env ?? process.env) },
    disableCompression: Boolean(options.disableCompression),
    credentials: options.credentials ?? (options.token ? bearerToken(options.token) : noCredentials()),
    ...(options.impersonate ? { impersonate: options.impersonate } : {}),
    origin: { kind: "explicit" },
  };
}
