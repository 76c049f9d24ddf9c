/**
 * kube-apiserver's defaulting of built-in types (its `SetDefaults_*` functions) for the fields
 * users see in `kubectl get -o yaml` and `describe`, kept as data by definition name and applied
 * wherever the type occurs in an object (a PodSpec inside a Deployment's template too). A default
 * applies only where the served schema has the field, so each minor gets the fields it knows.
 */
import type * as z from "zod";
import { defOf } from "../meta/zod.js";
import { elementOf, metaOf, unwrap } from "../meta/index.js";

type Obj = Record<string, unknown>;
type Schema = z.core.$ZodType;
type Def = Record<string, unknown> & { type: string };

/** Server state defaults may draw on (address allocation). */
export interface DefaultingContext {
  /** The next free cluster IP. */
  clusterIP(): string;
  /** The next free node port. */
  nodePort(): number;
  /** The object is being created (allocation happens only then). */
  creating: boolean;
}

/** A default: a value, or a function of the object holding the field (undefined: no default). */
type Default = unknown | ((holder: Obj, ctx: DefaultingContext) => unknown);

class Computed {
  constructor(readonly fn: (holder: Obj, ctx: DefaultingContext) => unknown) {}
}
const computed = (fn: (holder: Obj, ctx: DefaultingContext) => unknown) => new Computed(fn);

const rollingUpdate = (strategy: Obj, value: Obj): unknown => (strategy.type === "RollingUpdate" || strategy.type === undefined ? value : undefined);

/** Field defaults by definition name. */
export const typeDefaults: Record<string, Record<string, Default>> = {
  "io.k8s.api.apps.v1.DeploymentSpec": {
    replicas: 1,
    revisionHistoryLimit: 10,
    progressDeadlineSeconds: 600,
    strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" } },
  },
  "io.k8s.api.apps.v1.DeploymentStrategy": {
    type: "RollingUpdate",
    rollingUpdate: computed((s) => rollingUpdate(s, { maxUnavailable: "25%", maxSurge: "25%" })),
  },
  "io.k8s.api.apps.v1.ReplicaSetSpec": { replicas: 1 },
  "io.k8s.api.apps.v1.StatefulSetSpec": {
    replicas: 1,
    podManagementPolicy: "OrderedReady",
    revisionHistoryLimit: 10,
    updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0 } },
    persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
  },
  "io.k8s.api.apps.v1.DaemonSetSpec": {
    revisionHistoryLimit: 10,
    updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
  },
  "io.k8s.api.batch.v1.JobSpec": {
    parallelism: 1,
    completions: computed((s) => (s.parallelism === undefined ? 1 : undefined)),
    backoffLimit: 6,
    completionMode: "NonIndexed",
    suspend: false,
    podReplacementPolicy: "TerminatingOrFailed",
  },
  "io.k8s.api.batch.v1.CronJobSpec": { concurrencyPolicy: "Allow", suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 },
  "io.k8s.api.core.v1.PodSpec": {
    restartPolicy: "Always",
    terminationGracePeriodSeconds: 30,
    dnsPolicy: "ClusterFirst",
    securityContext: {},
    schedulerName: "default-scheduler",
  },
  "io.k8s.api.core.v1.Container": {
    terminationMessagePath: "/dev/termination-log",
    terminationMessagePolicy: "File",
    imagePullPolicy: computed((c) => {
      const image = typeof c.image === "string" ? c.image : "";
      const tag = image.includes("@") ? "digest" : (/:([^/:]+)$/.exec(image)?.[1] ?? "latest");
      return tag === "latest" ? "Always" : "IfNotPresent";
    }),
    resources: {},
  },
  "io.k8s.api.core.v1.ContainerPort": { protocol: "TCP" },
  "io.k8s.api.core.v1.Probe": { timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 },
  "io.k8s.api.core.v1.HTTPGetAction": { scheme: "HTTP" },
  "io.k8s.api.core.v1.ConfigMapVolumeSource": { defaultMode: 420 },
  "io.k8s.api.core.v1.SecretVolumeSource": { defaultMode: 420 },
  "io.k8s.api.core.v1.ServiceSpec": {
    type: "ClusterIP",
    sessionAffinity: "None",
    clusterIP: computed((s, ctx) => (ctx.creating && s.type !== "ExternalName" ? ctx.clusterIP() : undefined)),
    clusterIPs: computed((s) => (typeof s.clusterIP === "string" && s.clusterIP !== "None" && s.clusterIP ? [s.clusterIP] : undefined)),
    ipFamilies: computed((s) => (s.type !== "ExternalName" ? ["IPv4"] : undefined)),
    ipFamilyPolicy: computed((s) => (s.type !== "ExternalName" ? "SingleStack" : undefined)),
    internalTrafficPolicy: computed((s) => (s.type !== "ExternalName" ? "Cluster" : undefined)),
    externalTrafficPolicy: computed((s) => (s.type === "NodePort" || s.type === "LoadBalancer" ? "Cluster" : undefined)),
  },
  "io.k8s.api.core.v1.ServicePort": {
    protocol: "TCP",
    targetPort: computed((p) => p.port),
  },
  "io.k8s.api.core.v1.PersistentVolumeClaimSpec": { volumeMode: "Filesystem" },
  "io.k8s.api.core.v1.Secret": { type: "Opaque" },
};

/** Node ports are allocated per port of NodePort and LoadBalancer services. */
function allocateNodePorts(spec: Obj, ctx: DefaultingContext): void {
  if (!ctx.creating || (spec.type !== "NodePort" && spec.type !== "LoadBalancer") || !Array.isArray(spec.ports)) return;
  for (const p of spec.ports as Obj[]) if (p && typeof p === "object" && p.nodePort === undefined) p.nodePort = ctx.nodePort();
}

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Fill kube-apiserver's defaults into an object in place, walking it with its schema; `nameOf`
 * gives the definition name of a schema node.
 */
export function applyDefaults(schema: Schema, value: unknown, nameOf: (schema: Schema) => string | undefined, ctx: DefaultingContext, depth = 0): void {
  if (value === null || typeof value !== "object" || depth > 100) return;
  const inner = unwrap(schema);
  const d = defOf(inner);
  if (d.type === "array") {
    if (Array.isArray(value)) for (const item of value) applyDefaults(d.element as Schema, item, nameOf, ctx, depth + 1);
    return;
  }
  if (d.type === "record") {
    if (isObj(value)) for (const v of Object.values(value)) applyDefaults(d.valueType as Schema, v, nameOf, ctx, depth + 1);
    return;
  }
  if (d.type !== "object" || !isObj(value)) return;
  const shape = d.shape as Record<string, Schema>;
  const name = nameOf(inner);
  const defaults = name ? typeDefaults[name] : undefined;
  if (defaults) {
    for (const [field, dv] of Object.entries(defaults)) {
      if (!Object.hasOwn(shape, field) || value[field] !== undefined) continue;
      const v = dv instanceof Computed ? dv.fn(value, ctx) : structuredClone(dv);
      if (v !== undefined) value[field] = v;
    }
    if (name === "io.k8s.api.core.v1.ServiceSpec") allocateNodePorts(value, ctx);
  }
  for (const [k, v] of Object.entries(value)) if (Object.hasOwn(shape, k)) applyDefaults(shape[k]!, v, nameOf, ctx, depth + 1);
}

/**
 * Fill the defaults of list-map key fields in an applied configuration (a container port without
 * `protocol` is keyed `TCP`), so its items match the live object's, as structured-merge-diff does
 * with the schema's key defaults.
 */
export function defaultListMapKeys(schema: Schema, value: unknown, nameOf: (schema: Schema) => string | undefined, depth = 0): void {
  if (value === null || typeof value !== "object" || depth > 100) return;
  const inner = unwrap(schema);
  const d = defOf(inner);
  if (d.type === "array" && Array.isArray(value)) {
    const element = elementOf(inner);
    if (!element) return;
    const meta = metaOf(schema);
    const defaults = typeDefaults[nameOf(unwrap(element)) ?? ""];
    for (const item of value) {
      if (meta.listType === "map" && defaults && isObj(item)) {
        for (const key of meta.listMapKeys ?? []) {
          const dv = defaults[key];
          if (item[key] === undefined && dv !== undefined && !(dv instanceof Computed)) item[key] = structuredClone(dv);
        }
      }
      defaultListMapKeys(element, item, nameOf, depth + 1);
    }
    return;
  }
  if (d.type === "record" && isObj(value)) {
    for (const v of Object.values(value)) defaultListMapKeys(d.valueType as Schema, v, nameOf, depth + 1);
    return;
  }
  if (d.type !== "object" || !isObj(value)) return;
  const shape = d.shape as Record<string, Schema>;
  for (const [k, v] of Object.entries(value)) if (Object.hasOwn(shape, k)) defaultListMapKeys(shape[k]!, v, nameOf, depth + 1);
}
