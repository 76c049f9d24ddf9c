/**
 * The simulated cluster behind the local API server: nodes, the scheduler and kubelets, and the
 * kube-controller-manager's controllers, each of which can be switched off for tests that want a
 * bare API.
 */
import type { Catalog } from "../catalog.js";
import type { PodRuntime, PodScript } from "../pod-runtime.js";
import type { WebhookOutcome } from "../../apiserver/admission/index.js";
import type { WebhookPause, WebhookState } from "../webhooks.js";
import type { Rest } from "../rest.js";
import type { KubeObject, Store } from "../store.js";
import { registerClusterRoleAggregation } from "./clusterroles.js";
import { registerResourceQuotas } from "./resource-quota.js";
import { registerCronJobs } from "./cronjob.js";
import { registerCertificateSigners } from "./csr-signer.js";
import type { CertificateTemplate } from "../certificates.js";
import { registerDaemonSets } from "./daemonset.js";
import { registerDeployments } from "./deployment.js";
import { registerEndpoints } from "./endpoints.js";
import { registerJobs } from "./job.js";
import { registerLocalPathProvisioner } from "./local-path-provisioner.js";
import { registerPersistentVolumes } from "./persistent-volumes.js";
import { registerVolumeProtection } from "./volume-protection.js";
import { registerKubelet } from "./kubelet.js";
import { ControllerManager } from "./manager.js";
import { registerNamespaceController, registerNamespaceDefaults, registerTokens } from "./namespaces.js";
import { DEFAULT_NODE, registerNodes, type NodeSpec } from "./nodes.js";
import { registerReplicaSets } from "./replicaset.js";
import { registerScheduler } from "./scheduler.js";
import { registerStatefulSets } from "./statefulset.js";

export type { NodeSpec } from "./nodes.js";
export type { ControllerError } from "./api.js";

/**
 * The controllers and nodes of the simulated cluster. Every controller is on unless switched off
 * here; `controllers: false` on the server switches them all off.
 *
 * @example
 * const options: ClusterOptions = { nodes: ["node-a", "node-b"], cronJobs: false, pods: (pod) => (pod.metadata.name.startsWith("db-") ? { startMs: 200 } : undefined) };
 */
export interface ClusterOptions {
  /** Deployments create and roll ReplicaSets (default true). */
  deployments?: boolean;
  /** ReplicaSets create and delete pods (default true). */
  replicaSets?: boolean;
  /** StatefulSets create ordered pods, their claims and revisions (default true). */
  statefulSets?: boolean;
  /** DaemonSets run a pod on every node (default true). */
  daemonSets?: boolean;
  /** Jobs run pods to completion (default true). */
  jobs?: boolean;
  /** CronJobs create Jobs on schedule (default true). */
  cronJobs?: boolean;
  /** Pods are bound to nodes (default true). */
  scheduler?: boolean;
  /** Kubelets run bound pods and report their status (default true). */
  kubelet?: boolean;
  /** Terminating namespaces are emptied and removed (default true). */
  namespaces?: boolean;
  /** Every namespace gets a `default` ServiceAccount and the `kube-root-ca.crt` ConfigMap; token Secrets are filled (default true). */
  serviceAccounts?: boolean;
  /** ResourceQuotas get `status.hard` and `status.used` counted from their namespace (default true). */
  resourceQuotas?: boolean;
  /** ClusterRoles with an `aggregationRule` get the rules of the ClusterRoles they select written into them (default true). */
  clusterRoleAggregation?: boolean;
  /** Services with selectors get Endpoints and EndpointSlices (default true). */
  endpoints?: boolean;
  /** Approved CertificateSigningRequests for Kubernetes' signers get certificates from the cluster's CA (default true; HTTPS servers only). */
  certificateSigning?: boolean;
  /**
   * The PersistentVolume controller: volumes become Available, Bound and Released (and are
   * reclaimed), Pending claims are bound to matching volumes or handed to their class's
   * provisioner (default true).
   */
  persistentVolumes?: boolean;
  /** The pvc-protection and pv-protection controllers remove the protection finalizers of claims no pod uses and volumes no claim is bound to (default true). */
  volumeProtection?: boolean;
  /**
   * kind's default StorageClass `standard` (created at start; WaitForFirstConsumer, reclaim policy
   * Delete) and its provisioner `rancher.io/local-path`, which makes a hostPath volume on the
   * scheduled pod's node for each claim of the class (default true).
   */
  storageProvisioner?: boolean;
  /** Nodes of the cluster (default one node, `kubezod-node`). */
  nodes?: Array<string | NodeSpec>;
  /** How pods behave, decided per pod (default: they start at once and become Ready; pods that do not restart exit 0). */
  pods?: PodScript;
  /** The clock the controllers and kubelets read, in milliseconds (default `Date.now`). */
  now?: () => number;
  /** Record Events as the controllers, scheduler and kubelets do (default true). */
  events?: boolean;
}

/** What the controllers need from the server around them. */
export interface ClusterHooks {
  rest: Rest;
  store: Store;
  catalog: Catalog;
  kubernetesVersion: string;
  runtime: PodRuntime;
  caCertificate: string | undefined;
  /** Bind a pod to a node through the binding subresource. */
  bind(pod: KubeObject, node: string, webhooks?: WebhookState): boolean;
  /** Delete a terminating namespace's content and finalize it when empty. */
  finishNamespace(name: string, webhooks?: () => WebhookState | undefined): void;
  /** What still lives in a namespace (resource counts, finalizer counts). */
  namespaceContent(name: string): { resources: Map<string, number>; finalizers: Map<string, number> };
  /** A token for a service account (registered with the authenticator). */
  issueToken(namespace: string, serviceAccount: KubeObject): string;
  /** Call the admission webhooks a controller's write waits for (none: controllers' writes call no webhook). */
  webhooks?: (pause: WebhookPause) => Promise<WebhookOutcome>;
  /** Sign a certificate with the cluster's CA (none: the server has no CA). */
  signCertificate?(template: CertificateTemplate): string;
}

const on = (v: boolean | undefined) => v !== false;

/** Start the simulated cluster's controllers; returns their manager. */
export function startCluster(hooks: ClusterHooks, options: ClusterOptions): ControllerManager {
  const manager = new ControllerManager(hooks.rest, hooks.store, hooks.catalog, hooks.kubernetesVersion, options.now ?? Date.now, options.events !== false, hooks.webhooks);
  const ctx = manager.context;
  const nodes: NodeSpec[] = (options.nodes ?? [DEFAULT_NODE]).map((n) => (typeof n === "string" ? { name: n } : n));
  if (on(options.namespaces)) registerNamespaceController(ctx, hooks.finishNamespace, hooks.namespaceContent);
  if (on(options.serviceAccounts)) {
    registerNamespaceDefaults(ctx, hooks.caCertificate);
    registerTokens(ctx, hooks.caCertificate, hooks.issueToken);
  }
  if (on(options.kubelet)) registerNodes(ctx, nodes);
  if (on(options.scheduler)) registerScheduler(ctx, hooks.bind);
  if (on(options.kubelet)) registerKubelet(ctx, hooks.runtime, nodes);
  if (on(options.replicaSets)) registerReplicaSets(ctx);
  if (on(options.deployments)) registerDeployments(ctx);
  if (on(options.statefulSets)) registerStatefulSets(ctx);
  if (on(options.daemonSets)) registerDaemonSets(ctx);
  if (on(options.jobs)) registerJobs(ctx);
  if (on(options.cronJobs)) registerCronJobs(ctx);
  if (on(options.endpoints)) registerEndpoints(ctx);
  if (on(options.persistentVolumes)) registerPersistentVolumes(ctx);
  if (on(options.volumeProtection)) registerVolumeProtection(ctx);
  if (on(options.storageProvisioner)) registerLocalPathProvisioner(ctx);
  if (on(options.clusterRoleAggregation)) registerClusterRoleAggregation(ctx);
  if (on(options.resourceQuotas)) registerResourceQuotas(ctx, hooks.catalog);
  if (on(options.certificateSigning) && hooks.signCertificate) registerCertificateSigners(ctx, hooks.signCertificate);
  manager.start();
  return manager;
}
