/**
 * `connect()`: one `Kube` for one cluster, from a kubeconfig (current or named context), an
 * explicit cluster, or the pod's service account.
 */
import type { ClusterConfig } from "../config/cluster.js";
import { resolveCluster, type ResolveClusterOptions } from "../config/resolve.js";
import { createTransport, type TransportOptions } from "../transport/transport.js";
import { Kube } from "./kube.js";
import type { ValidationIssueHandler } from "./parse.js";
import type { ValidationMode } from "./types.js";

/** How to reach a cluster, and how the client behaves. */
export interface ConnectOptions extends ResolveClusterOptions, TransportOptions {
  /** An already resolved cluster (`defineCluster(…)`, `resolveCluster(…)`); the kubeconfig options are then ignored. */
  config?: ClusterConfig;
  /** Response validation: `reject` (default) throws on a mismatch, `report` hands it to `onValidationIssue` and returns the raw object, `off` skips it. */
  validate?: ValidationMode;
  /** Called in `report` mode for responses that do not match their schema. */
  onValidationIssue?: ValidationIssueHandler;
  /** Bundled schemas used for objects passed without a schema: a minor (`1.30`) or `auto` (the server's; default). */
  kubernetesVersion?: string;
  /** The field manager of every write that names none (server-side apply: default `kubezod`; other writes: the server's, from the User-Agent). */
  fieldManager?: string;
}

/**
 * Connect to a cluster: the kubeconfig's current context by default (`KUBECONFIG`, then
 * `~/.kube/config`), a named `context`, an explicit `config`, or in-cluster when there is no
 * kubeconfig and the service-account files exist. Many clusters: call it once per cluster.
 *
 * @example
 * const prod = await connect({ context: "production" });
 * const staging = await connect({ context: "staging", retry: { backoffLimit: 5 } });
 */
export async function connect(options: ConnectOptions = {}): Promise<Kube> {
  const cluster = options.config ?? (await resolveCluster(options));
  const transport = createTransport(cluster, options);
  return new Kube(transport, {
    namespace: options.namespace ?? cluster.namespace,
    ...(options.validate ? { validate: options.validate } : {}),
    ...(options.kubernetesVersion ? { kubernetesVersion: options.kubernetesVersion } : {}),
    ...(options.onValidationIssue ? { onValidationIssue: options.onValidationIssue } : {}),
    ...(options.fieldManager ? { fieldManager: options.fieldManager } : {}),
    name: cluster.origin.kind === "kubeconfig" ? cluster.origin.context : cluster.origin.kind === "in-cluster" ? "in-cluster" : cluster.server,
  });
}
