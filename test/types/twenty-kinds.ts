/**
 * Type-level checks of the generated types (checked by `npm run typecheck`, which `npm test` runs):
 * twenty kinds imported at once, typed results, and misspellings rejected at compile time.
 */
import {
  ClusterRole,
  ConfigMap,
  CronJob,
  DaemonSet,
  Deployment,
  HorizontalPodAutoscaler,
  Ingress,
  Job,
  Namespace,
  NetworkPolicy,
  Node,
  PersistentVolumeClaim,
  Pod,
  PodDisruptionBudget,
  Role,
  RoleBinding,
  Secret,
  Service,
  ServiceAccount,
  StatefulSet,
} from "kubezod/k8s";
import type { KubeInput } from "kubezod/k8s/runtime";

const kinds = [
  ClusterRole, ConfigMap, CronJob, DaemonSet, Deployment, HorizontalPodAutoscaler, Ingress, Job, Namespace, NetworkPolicy,
  Node, PersistentVolumeClaim, Pod, PodDisruptionBudget, Role, RoleBinding, Secret, Service, ServiceAccount, StatefulSet,
];
export const count: number = kinds.length;

export const d: Deployment = Deployment.parse({});
export const apiVersion: "apps/v1" = d.apiVersion;
export const replicas: number | null | undefined = d.spec?.replicas;
export const image: string | undefined = d.spec?.template.spec?.containers[0]?.image ?? undefined;
export const port: number | string | undefined = d.spec?.template.spec?.containers[0]?.ports?.[0]?.containerPort;

// Inputs may leave out apiVersion/kind, also on embedded kinds (StatefulSet PVC templates).
export const input: KubeInput<StatefulSet> = {
  metadata: { name: "db" },
  spec: {
    selector: {},
    serviceName: "db",
    template: {},
    volumeClaimTemplates: [{ metadata: { name: "data" }, spec: { resources: { requests: { storage: "1Gi" } } } }],
  },
};

// @ts-expect-error misspelled field
export const typo = d.spec?.replicaz;
// @ts-expect-error wrong type
export const wrong: Pod = { apiVersion: "v1", kind: "Pod", spec: { containers: "web" } };
// @ts-expect-error a Service is not a Deployment
export const mixed: Deployment = Service.parse({});
