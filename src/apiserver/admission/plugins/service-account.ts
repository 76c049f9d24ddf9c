/**
 * The `ServiceAccount` admission plugin (plugin/pkg/admission/serviceaccount): pods are given the
 * `default` ServiceAccount, refused when theirs does not exist, get the projected
 * `kube-api-access-<random>` token volume mounted in every container (unless the pod or its
 * ServiceAccount opts out with `automountServiceAccountToken: false`) and the account's image pull
 * secrets; mirror pods may reference neither accounts, secrets nor tokens.
 */
import { forbidden, isMirrorPod, rec, recs, specOf, str, type Obj, type PluginCluster, type PluginRequest } from "./common.js";

export const DEFAULT_SERVICE_ACCOUNT = "default";
const VOLUME_PREFIX = "kube-api-access";
export const TOKEN_MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount";
const ENFORCE_MOUNTABLE_SECRETS = "kubernetes.io/enforce-mountable-secrets";
/** `serviceaccount.WarnOnlyBoundTokenExpirationSeconds`. */
const TOKEN_EXPIRATION_SECONDS = 3607;

function handles(req: PluginRequest): boolean {
  return req.group === "" && req.resource === "pods" && (req.subresource === "" || req.subresource === "ephemeralcontainers");
}

/** `getServiceAccount`: the account, or the Forbidden "error looking up service account" refusal. */
function lookUp(req: PluginRequest, cluster: PluginCluster, name: string): Obj {
  const sa = cluster.serviceAccount(req.namespace, name);
  if (!sa) throw forbidden(req, `error looking up service account ${req.namespace}/${name}: serviceaccount ${JSON.stringify(name)} not found`);
  return sa;
}

/** `Admit`: the mutating half (pod creation only), then `Validate`. */
export function admitServiceAccount(req: PluginRequest, cluster: PluginCluster): void {
  if (!handles(req) || req.operation !== "CREATE") return;
  const pod = req.object;
  if (isMirrorPod(pod)) return validateServiceAccount(req, cluster);
  const spec = specOf(pod);
  if (!str(spec.serviceAccountName)) spec.serviceAccountName = DEFAULT_SERVICE_ACCOUNT;
  const sa = lookUp(req, cluster, str(spec.serviceAccountName));
  if (shouldAutomount(sa, spec)) mountToken(spec, cluster);
  if (!recs(spec.imagePullSecrets).length) {
    const pulls = recs(sa.imagePullSecrets).map((s) => ({ name: str(s.name) }));
    if (pulls.length) spec.imagePullSecrets = pulls;
  }
  validateServiceAccount(req, cluster);
}

/** `Validate`: the account exists, mirror pods' restrictions, mountable secrets where the account enforces them. */
export function validateServiceAccount(req: PluginRequest, cluster: PluginCluster): void {
  if (!handles(req)) return;
  const pod = req.object;
  const spec = rec(pod.spec) ?? {};
  if (req.operation === "UPDATE" && req.subresource === "ephemeralcontainers") return limitEphemeralSecrets(req, cluster, spec);
  if (req.operation !== "CREATE") return;
  if (isMirrorPod(pod)) {
    if (str(spec.serviceAccountName)) throw forbidden(req, "a mirror pod may not reference service accounts");
    if (secretNames(spec).length) throw forbidden(req, "a mirror pod may not reference secrets");
    for (const v of recs(spec.volumes)) {
      if (recs(rec(v.projected)?.sources).some((s) => rec(s.serviceAccountToken))) throw forbidden(req, "a mirror pod may not use ServiceAccountToken volume projections");
    }
    return;
  }
  const name = str(spec.serviceAccountName);
  if (!name) throw forbidden(req, `no service account specified for pod ${req.namespace}/${str(rec(pod.metadata)?.name)}`);
  const sa = lookUp(req, cluster, name);
  if (enforcesMountableSecrets(sa)) {
    const reason = limitSecretReferences(sa, spec);
    if (reason) throw forbidden(req, reason);
  }
}

function shouldAutomount(sa: Obj, spec: Obj): boolean {
  if (typeof spec.automountServiceAccountToken === "boolean") return spec.automountServiceAccountToken;
  if (typeof sa.automountServiceAccountToken === "boolean") return sa.automountServiceAccountToken;
  return true;
}

function enforcesMountableSecrets(sa: Obj): boolean {
  const v = rec(rec(sa.metadata)?.annotations)?.[ENFORCE_MOUNTABLE_SECRETS];
  // strconv.ParseBool
  return typeof v === "string" && ["1", "t", "T", "TRUE", "true", "True"].includes(v);
}

/** `mountServiceAccountToken`. */
function mountToken(spec: Obj, cluster: PluginCluster): void {
  const volumes = recs(spec.volumes);
  const existing = volumes.find((v) => str(v.name).startsWith(`${VOLUME_PREFIX}-`));
  const volumeName = existing ? str(existing.name) : `${VOLUME_PREFIX}-${cluster.randomSuffix()}`;
  let needsVolume = false;
  for (const field of ["initContainers", "containers"]) {
    for (const c of recs(spec[field])) {
      const mounts = recs(c.volumeMounts);
      if (mounts.some((m) => m.mountPath === TOKEN_MOUNT_PATH)) continue;
      c.volumeMounts = [...(Array.isArray(c.volumeMounts) ? c.volumeMounts : []), { name: volumeName, readOnly: true, mountPath: TOKEN_MOUNT_PATH }];
      needsVolume = true;
    }
  }
  if (existing || !needsVolume) return;
  spec.volumes = [...(Array.isArray(spec.volumes) ? spec.volumes : []), { name: volumeName, projected: tokenVolumeSource() }];
}

/** `TokenVolumeSource`: the token, the cluster CA and the namespace, mode 0644. */
export function tokenVolumeSource(): Obj {
  return {
    defaultMode: 0o644,
    sources: [
      { serviceAccountToken: { path: "token", expirationSeconds: TOKEN_EXPIRATION_SECONDS } },
      { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
      { downwardAPI: { items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }] } },
    ],
  };
}

/** `VisitPodSecretNames` over every container: the Secrets a pod references. */
function secretNames(spec: Obj): string[] {
  const names: string[] = [];
  for (const s of recs(spec.imagePullSecrets)) names.push(str(s.name));
  for (const field of ["initContainers", "containers", "ephemeralContainers"]) {
    for (const c of recs(spec[field])) {
      for (const e of recs(c.envFrom)) if (rec(e.secretRef)) names.push(str(rec(e.secretRef)!.name));
      for (const e of recs(c.env)) if (rec(rec(e.valueFrom)?.secretKeyRef)) names.push(str(rec(rec(e.valueFrom)!.secretKeyRef)!.name));
    }
  }
  for (const v of recs(spec.volumes)) {
    const secret = rec(v.secret);
    if (secret) names.push(str(secret.secretName));
    for (const src of recs(rec(v.projected)?.sources)) if (rec(src.secret)) names.push(str(rec(src.secret)!.name));
    for (const key of ["azureFile", "cephfs", "cinder", "flexVolume", "rbd", "scaleIO", "iscsi", "storageos", "csi"]) {
      const ref = rec(v[key]);
      if (!ref) continue;
      if (key === "azureFile") names.push(str(ref.secretName));
      else if (key === "csi") {
        if (rec(ref.nodePublishSecretRef)) names.push(str(rec(ref.nodePublishSecretRef)!.name));
      } else if (rec(ref.secretRef)) names.push(str(rec(ref.secretRef)!.name));
    }
  }
  return names.filter((n) => n !== "");
}

function envSecretReason(containers: Obj[], label: string, mountable: Set<string>, sa: string): string | undefined {
  for (const c of containers) {
    for (const e of recs(c.env)) {
      const ref = rec(rec(e.valueFrom)?.secretKeyRef);
      if (ref && !mountable.has(str(ref.name))) {
        return `${label} ${str(c.name)} with envVar ${str(e.name)} referencing secret.secretName="${str(ref.name)}" is not allowed because service account ${sa} does not reference that secret`;
      }
    }
    for (const e of recs(c.envFrom)) {
      const ref = rec(e.secretRef);
      if (ref && !mountable.has(str(ref.name))) {
        return `${label} ${str(c.name)} with envFrom referencing secret.secretName="${str(ref.name)}" is not allowed because service account ${sa} does not reference that secret`;
      }
    }
  }
  return undefined;
}

/** `limitSecretReferences`: the refusal text, or undefined. */
function limitSecretReferences(sa: Obj, spec: Obj): string | undefined {
  const saName = str(rec(sa.metadata)?.name);
  const mountable = new Set(recs(sa.secrets).map((s) => str(s.name)));
  for (const v of recs(spec.volumes)) {
    const secret = rec(v.secret);
    if (secret && !mountable.has(str(secret.secretName))) {
      return `volume with secret.secretName="${str(secret.secretName)}" is not allowed because service account ${saName} does not reference that secret`;
    }
  }
  const env = envSecretReason(recs(spec.initContainers), "init container", mountable, saName) ?? envSecretReason(recs(spec.containers), "container", mountable, saName);
  if (env) return env;
  const pulls = new Set(recs(sa.imagePullSecrets).map((s) => str(s.name)));
  const refs = recs(spec.imagePullSecrets);
  for (let i = 0; i < refs.length; i++) {
    const name = str(refs[i]!.name);
    if (!pulls.has(name)) return `imagePullSecrets[${i}].name="${name}" is not allowed because service account ${saName} does not reference that imagePullSecret`;
  }
  return undefined;
}

/** `limitEphemeralContainerSecretReferences`. */
function limitEphemeralSecrets(req: PluginRequest, cluster: PluginCluster, spec: Obj): void {
  const name = str(spec.serviceAccountName);
  if (!name) throw forbidden(req, `no service account specified for pod ${req.namespace}/${str(rec(req.object.metadata)?.name)}`);
  const sa = lookUp(req, cluster, name);
  if (!enforcesMountableSecrets(sa)) return;
  const mountable = new Set(recs(sa.secrets).map((s) => str(s.name)));
  const reason = envSecretReason(recs(spec.ephemeralContainers), "ephemeral container", mountable, str(rec(sa.metadata)?.name));
  if (reason) throw forbidden(req, reason);
}
