/**
 * `kubezod/config`: kubeconfig loading and merging, in-cluster configuration, credentials
 * (tokens, token files, client certificates, basic auth, exec plugins, OIDC) and impersonation,
 * resolved into a `ClusterConfig` for the transport. `resolveCluster`, `defineCluster` and
 * `loadKubeConfig` are also in `kubezod`.
 *
 * @example
 * import { loadKubeConfig, kubeConfigView } from "kubezod/config";
 * const view = kubeConfigView(loadKubeConfig()); // what `kubectl config view --merge` shows
 */
export { KubeConfigSchema, type KubeConfig, type KubeconfigCluster, type KubeconfigUser, type KubeconfigContext, type ExecConfig, type AuthProviderConfig } from "./kubeconfig-schema.js";
export { loadKubeConfig, parseKubeConfig, kubeConfigView, type KubeconfigEntry, type LoadedKubeConfig, type LoadKubeConfigOptions } from "./kubeconfig.js";
export type { ClusterConfig, TlsConfig, Impersonation, ClusterOrigin } from "./cluster.js";
export {
  noCredentials,
  bearerToken,
  basicAuth,
  tokenFile,
  clientCertificate,
  combineCredentials,
  type ClientCertificate,
  type Credentials,
  type CredentialType,
  type CredentialProvider,
  type TokenFileOptions,
  type ClientCertificateSource,
} from "./credentials.js";
export { execCredentials, type ExecClusterInfo, type ExecOptions } from "./exec.js";
export { oidcCredentials, type OidcOptions, type OidcOrigin } from "./oidc.js";
export { inClusterConfig, isInCluster, DEFAULT_SERVICE_ACCOUNT_DIR, type InClusterOptions } from "./in-cluster.js";
export { proxyFromEnv, proxyFor, type ProxyEnv } from "./proxy.js";
export { resolveCluster, defineCluster, type ResolveClusterOptions, type DefineClusterOptions } from "./resolve.js";
