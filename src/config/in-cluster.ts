/**
 * In-cluster configuration, as client-go's `rest.InClusterConfig`: the server from
 * `KUBERNETES_SERVICE_HOST` and `KUBERNETES_SERVICE_PORT` (IPv6 hosts bracketed), the
 * service-account token (re-read as the kubelet rotates it), its CA and namespace.
 */
import { statSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../errors.js";
import type { ClusterConfig } from "./cluster.js";
import { tokenFile } from "./credentials.js";
import { checkCertificates, readConfigFile } from "./pem.js";
import { proxyFromEnv } from "./proxy.js";

/** Where pods find their service-account token, CA and namespace. @example inClusterConfig({ serviceAccountDir: DEFAULT_SERVICE_ACCOUNT_DIR }); */
export const DEFAULT_SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

/** Options for in-cluster configuration. @example inClusterConfig({ serviceAccountDir: "/tmp/sa", env: { KUBERNETES_SERVICE_HOST: "10.0.0.1", KUBERNETES_SERVICE_PORT: "443" } }); */
export interface InClusterOptions {
  /** The service-account directory (default `/var/run/secrets/kubernetes.io/serviceaccount`). */
  serviceAccountDir?: string;
  /** Environment (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Clock in ms for the token cache (tests). */
  now?: () => number;
}

/**
 * True when in-cluster configuration is possible: both service variables are set and the token file
 * exists (client-go's rule for choosing it when there is no kubeconfig).
 *
 * @example
 * if (isInCluster()) console.log("running in a pod");
 */
export function isInCluster(options: InClusterOptions = {}): boolean {
  const env = options.env ?? process.env;
  if (!env.KUBERNETES_SERVICE_HOST || !env.KUBERNETES_SERVICE_PORT) return false;
  try {
    return statSync(join(options.serviceAccountDir ?? DEFAULT_SERVICE_ACCOUNT_DIR, "token")).isFile();
  } catch {
    return false;
  }
}

/**
 * The cluster config of the pod this process runs in. The namespace is `POD_NAMESPACE`, else the
 * service account's namespace file, else `default` (as kubectl in a pod).
 *
 * @example
 * const cluster = inClusterConfig();
 * cluster.server; // "https://10.96.0.1:443"
 */
export function inClusterConfig(options: InClusterOptions = {}): ClusterConfig {
  const env = options.env ?? process.env;
  const dir = options.serviceAccountDir ?? DEFAULT_SERVICE_ACCOUNT_DIR;
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) {
    throw new ConfigError("in-cluster configuration: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set (not running in a pod?)");
  }
  const tokenPath = join(dir, "token");
  const credentials = tokenFile(tokenPath, { what: "in-cluster service-account token", ...(options.now ? { now: options.now } : {}) });
  credentials.get(); // fail now, with the path, if the token cannot be read
  const caPath = join(dir, "ca.crt");
  const ca = checkCertificates(readConfigFile(caPath, "in-cluster CA"), `in-cluster CA ${caPath}`);
  let namespace = env.POD_NAMESPACE?.trim() || "";
  if (!namespace) {
    try {
      namespace = readConfigFile(join(dir, "namespace"), "in-cluster namespace").trim();
    } catch {
      namespace = "";
    }
  }
  const hostPart = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return {
    server: `https://${hostPart}:${port}`,
    namespace: namespace || "default",
    tls: { ca, insecureSkipTlsVerify: false },
    proxy: { env: proxyFromEnv(env) },
    disableCompression: false,
    credentials,
    origin: { kind: "in-cluster", serviceAccountDir: dir },
  };
}
