/**
 * `kubezod/testing`: a schema-driven local Kubernetes API server for tests, demos and `kubezod serve`.
 *
 * @example
 * import { startTestServer } from "kubezod/testing";
 * const server = await startTestServer({ kubernetesVersion: "1.32" });
 * await server.writeKubeconfig("/tmp/kubeconfig");
 * server.faults.inject({ match: { verb: "list", resource: "pods" }, status: 503, times: 1 });
 * await server.close();
 */
export { startTestServer } from "./server.js";
export type { TestServer, TestServerOptions, Kubeconfig } from "./server.js";
export type { Faults, Fault, FaultSpec, FaultMatch, RecordedRequest } from "./faults.js";
export type { UserInfo, Authorizer, AuthorizationAttributes, AuthorizationDecision } from "./auth.js";
export { cannedExec, cannedAttach, echoPortForward } from "./exec.js";
export type { ExecHandler, ExecRequest, ExecResult, PodFiles, PortForwardHandler, PortForwardRequest } from "./exec.js";
export type { PortForwardOption, PortForwardTarget } from "./port-forward.js";
export { CertificateAuthority } from "./certificates.js";
export { SERVED_ADMISSION_PLUGINS } from "./admission-plugins.js";
export type { CertificateAndKey } from "./certificates.js";
export type { RuntimeConfig } from "./catalog.js";
export type { ClusterOptions, NodeSpec, ControllerError } from "./controllers/index.js";
export type { PodBehavior, PodScript } from "./pod-runtime.js";
export type { WebhookService, WebhookServices } from "./webhooks.js";
