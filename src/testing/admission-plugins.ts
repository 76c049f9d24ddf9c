/**
 * kube-apiserver's default built-in admission plugins in the local server: ServiceAccount,
 * LimitRanger, Priority, DefaultTolerationSeconds, RuntimeClass, DefaultIngressClass and
 * ResourceQuota (each can be switched off by name), run by the pure `apiserver/admission/plugins` on every
 * write they apply to (dry-run included), with what they read taken from the store. A refusal is
 * the apiserver's 403 Status; a quota charge is written into the quota's `status.used` unless the
 * request is a dry run.
 */
import { AdmissionForbidden, mutateBuiltin, mutatesResource, validateBuiltin, validateQuota, type PluginCluster, type PluginRequest } from "../apiserver/admission/plugins/index.js";
import type { ServedResource } from "./catalog.js";
import { statusError } from "./status.js";
import type { KubeObject, Store } from "./store.js";

type Obj = Record<string, unknown>;

const SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

/** Five random characters from the alphabet of `names.SimpleNameGenerator`. */
export function nameSuffix(): string {
  let suffix = "";
  for (let i = 0; i < 5; i++) suffix += SUFFIX_ALPHABET[Math.floor(Math.random() * SUFFIX_ALPHABET.length)];
  return suffix;
}

/**
 * The built-in admission plugins the local server runs, by kube-apiserver's names: those
 * `disableAdmissionPlugins` (`--disable-admission-plugins`) may switch off.
 *
 * @example
 * const server = await startTestServer({ disableAdmissionPlugins: ["PodSecurity", "ResourceQuota"] });
 * SERVED_ADMISSION_PLUGINS.includes("LimitRanger"); // true
 */
export const SERVED_ADMISSION_PLUGINS = [
  "LimitRanger",
  "ServiceAccount",
  "PodSecurity",
  "Priority",
  "DefaultTolerationSeconds",
  "DefaultStorageClass",
  "StorageObjectInUseProtection",
  "RuntimeClass",
  "CertificateApproval",
  "CertificateSigning",
  "CertificateSubjectRestriction",
  "DefaultIngressClass",
  "ResourceQuota",
] as const;

/** What the plugins need from the server. */
export interface BuiltinAdmissionContext {
  store: Store;
  /**
   * Make sure a namespace's `default` ServiceAccount exists if the service account controller runs:
   * kube-apiserver's ServiceAccount plugin waits for that controller (ten tries) before refusing.
   */
  defaultServiceAccount?(namespace: string): void;
  now?(): number;
  /** Plugins switched off by name (`disableAdmissionPlugins`). */
  disabled?: ReadonlySet<string>;
}

/** One write as the plugins see it. */
export interface BuiltinWrite {
  resource: ServedResource;
  operation: "CREATE" | "UPDATE" | "DELETE";
  object: KubeObject | undefined;
  old: KubeObject | undefined;
  subresource: string;
  namespace: string;
}

function clusterOf(ctx: BuiltinAdmissionContext): PluginCluster {
  const list = (key: string, namespace?: string) => ctx.store.list(key, namespace) as Obj[];
  return {
    serviceAccount(namespace, name) {
      const found = ctx.store.get("/serviceaccounts", namespace, name);
      if (found || name !== "default" || !ctx.defaultServiceAccount) return found;
      ctx.defaultServiceAccount(namespace);
      return ctx.store.get("/serviceaccounts", namespace, name);
    },
    limitRanges: (namespace) => list("/limitranges", namespace),
    resourceQuotas: (namespace) => list("/resourcequotas", namespace),
    priorityClasses: () => list("scheduling.k8s.io/priorityclasses"),
    ingressClasses: () => list("networking.k8s.io/ingressclasses"),
    runtimeClass: (name) => ctx.store.get("node.k8s.io/runtimeclasses", "", name),
    randomSuffix: nameSuffix,
  };
}

function requestOf(w: BuiltinWrite, object: KubeObject): PluginRequest {
  return {
    operation: w.operation,
    group: w.resource.group,
    resource: w.resource.plural,
    kind: w.resource.kind,
    subresource: w.subresource,
    namespace: w.namespace,
    object,
    ...(w.old ? { old: w.old } : {}),
  };
}

function refusal(e: unknown): unknown {
  if (!(e instanceof AdmissionForbidden)) return e;
  return statusError(403, "Forbidden", e.message, { name: e.objectName, ...(e.group ? { group: e.group } : {}), kind: e.resource });
}

function run(ctx: BuiltinAdmissionContext, w: BuiltinWrite, phase: (req: PluginRequest, cluster: PluginCluster) => void): void {
  if (w.resource.custom || !w.object) return;
  try {
    phase(requestOf(w, w.object), clusterOf(ctx));
  } catch (e) {
    throw refusal(e);
  }
}

/**
 * The mutating built-in plugins (before mutating admission policies and webhooks), on a copy of the
 * object: the copy when they changed it, else undefined.
 */
export function mutateWithBuiltinPlugins(ctx: BuiltinAdmissionContext, w: BuiltinWrite): KubeObject | undefined {
  if (!w.object || w.resource.custom || !mutatesResource(w.resource.group, w.resource.plural)) return undefined;
  const copy = structuredClone(w.object);
  run(ctx, { ...w, object: copy }, (req, cluster) => mutateBuiltin(req, cluster, ctx.disabled));
  return JSON.stringify(copy) === JSON.stringify(w.object) ? undefined : copy;
}

/** The validating built-in plugins that run before validating admission policies and webhooks. */
export function validateWithBuiltinPlugins(ctx: BuiltinAdmissionContext, w: BuiltinWrite): void {
  run(ctx, w, (req, cluster) => validateBuiltin(req, cluster, ctx.disabled));
}

/** `ResourceQuota`, last in the chain: refuses what exceeds a quota, else charges the quotas (not on a dry run). */
export function chargeResourceQuota(ctx: BuiltinAdmissionContext, w: BuiltinWrite, dryRun: boolean): void {
  if (ctx.disabled?.has("ResourceQuota")) return;
  run(ctx, w, (req, cluster) => {
    const charges = validateQuota(req, cluster, ctx.now?.() ?? Date.now());
    if (dryRun) return;
    for (const { quota, used } of charges) {
      const stored = quota as KubeObject;
      const status = { ...((stored.status as Obj | undefined) ?? {}), used };
      ctx.store.update("/resourcequotas", { ...stored, metadata: { ...stored.metadata }, status }, stored);
    }
  });
}
