/**
 * `DefaultStorageClass` (plugin/pkg/admission/storage/storageclass/setdefault) and
 * `DefaultIngressClass` (plugin/pkg/admission/network/defaultingressclass): claims and Ingresses
 * that name no class get the cluster's default one (the newest when several are marked).
 */
import { newestDefault, rec, specOf, str, type PluginCluster, type PluginRequest } from "./common.js";

const STORAGE_DEFAULT = ["storageclass.kubernetes.io/is-default-class", "storageclass.beta.kubernetes.io/is-default-class"];
const INGRESS_DEFAULT = ["ingressclass.kubernetes.io/is-default-class"];

/** `DefaultStorageClass`. */
export function admitDefaultStorageClass(req: PluginRequest, cluster: PluginCluster): void {
  if (req.group !== "" || req.resource !== "persistentvolumeclaims" || req.subresource !== "" || req.operation !== "CREATE") return;
  const spec = specOf(req.object);
  // `PersistentVolumeClaimHasClass`: the field, even empty, or the beta annotation.
  if (typeof spec.storageClassName === "string") return;
  if (Object.hasOwn(rec(rec(req.object.metadata)?.annotations) ?? {}, "volume.beta.kubernetes.io/storage-class")) return;
  const def = newestDefault(cluster.storageClasses(), STORAGE_DEFAULT);
  if (def) spec.storageClassName = str(rec(def.metadata)?.name);
}

/** `DefaultIngressClass`. */
export function admitDefaultIngressClass(req: PluginRequest, cluster: PluginCluster): void {
  if (req.group !== "networking.k8s.io" || req.resource !== "ingresses" || req.subresource !== "" || req.operation !== "CREATE") return;
  const spec = specOf(req.object);
  if (typeof spec.ingressClassName === "string") return;
  if (Object.hasOwn(rec(rec(req.object.metadata)?.annotations) ?? {}, "kubernetes.io/ingress.class")) return;
  const def = newestDefault(cluster.ingressClasses(), INGRESS_DEFAULT);
  if (def) spec.ingressClassName = str(rec(def.metadata)?.name);
}
