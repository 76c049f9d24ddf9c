/**
 * `DefaultIngressClass` (plugin/pkg/admission/network/defaultingressclass): Ingresses that name no
 * class get the cluster's default IngressClass (the newest when several are marked).
 */
import { newestDefault, rec, specOf, str, type PluginCluster, type PluginRequest } from "./common.js";

const INGRESS_DEFAULT = ["ingressclass.kubernetes.io/is-default-class"];

/** `DefaultIngressClass`. */
export function admitDefaultIngressClass(req: PluginRequest, cluster: PluginCluster): void {
  if (req.group !== "networking.k8s.io" || req.resource !== "ingresses" || req.subresource !== "" || req.operation !== "CREATE") return;
  const spec = specOf(req.object);
  if (typeof spec.ingressClassName === "string") return;
  if (Object.hasOwn(rec(rec(req.object.metadata)?.annotations) ?? {}, "kubernetes.io/ingress.class")) return;
  const def = newestDefault(cluster.ingressClasses(), INGRESS_DEFAULT);
  if (def) spec.ingressClassName = str(rec(def.metadata)?.name);
}
