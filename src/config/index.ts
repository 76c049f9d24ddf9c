/**
 * Configuration: kubeconfig loading and merging, in-cluster config, credentials (tokens, files,
 * client certificates, basic auth, exec plugins, OIDC) and impersonation, resolved into a
 * `ClusterConfig` for the transport.
 */
export * from "./kubeconfig-schema.js";
export * from "./kubeconfig.js";
export * from "./cluster.js";
export * from "./credentials.js";
export * from "./exec.js";
export * from "./oidc.js";
export * from "./in-cluster.js";
export * from "./proxy.js";
export * from "./resolve.js";
