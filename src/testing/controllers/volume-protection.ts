/**
 * The pvc-protection and pv-protection controllers (pkg/controller/volume/pvcprotection,
 * pvprotection): a claim being deleted keeps its `kubernetes.io/pvc-protection` finalizer while
 * a scheduled pod that has not finished uses it; a volume being deleted keeps
 * `kubernetes.io/pv-protection` while it is Bound. Then the finalizer is removed and the object goes.
 */
import { PV_PROTECTION_FINALIZER, PVC_PROTECTION_FINALIZER } from "../../apiserver/core/storage-object-in-use-protection.js";
import type { KubeObject } from "../store.js";
import { PODS, PVCS, PVS, type ClusterApi, type ResourceRef } from "./api.js";
import { objectKeyOf, splitKey, type ControllerContext } from "./manager.js";
import { arr, obj } from "./util.js";
import { podClaimNames } from "./volume-matching.js";

const hasFinalizer = (o: KubeObject, f: string) => arr<string>(o.metadata.finalizers).includes(f);

function removeFinalizer(api: ClusterApi, r: ResourceRef, o: KubeObject, f: string): void {
  api.update(r, { ...o, metadata: { ...o.metadata, finalizers: arr<string>(o.metadata.finalizers).filter((x) => x !== f) } });
}

/** A pod uses a claim while it is scheduled and has not finished (`podUsesPVC`, `podIsShutDown`). */
function podUses(pod: KubeObject, claim: string): boolean {
  const phase = obj(pod.status).phase;
  return Boolean(obj(pod.spec).nodeName) && phase !== "Succeeded" && phase !== "Failed" && podClaimNames(pod).includes(claim);
}

export function registerVolumeProtection(ctx: ControllerContext): void {
  const api = ctx.api;
  const deleting = (e: { object: KubeObject; type: string }, f: string) => (e.type !== "DELETED" && e.object.metadata.deletionTimestamp && hasFinalizer(e.object, f) ? e.object : undefined);
  ctx.watch("/persistentvolumeclaims", "pvc-protection", (e) => (deleting(e, PVC_PROTECTION_FINALIZER) ? objectKeyOf(e.object) : undefined));
  // A pod that goes away, or finishes, may free the claims it used.
  ctx.watch("/pods", "pvc-protection", (e) => {
    if (e.type !== "DELETED" && !["Succeeded", "Failed"].includes(String(obj(e.object.status).phase))) return undefined;
    return podClaimNames(e.object).map((n) => `${String(e.object.metadata.namespace)}/${n}`);
  });
  ctx.reconciler("pvc-protection", (key) => {
    const { namespace, name } = splitKey(key);
    const claim = api.get(PVCS, namespace, name);
    if (!claim?.metadata.deletionTimestamp || !hasFinalizer(claim, PVC_PROTECTION_FINALIZER)) return;
    if (api.list(PODS, namespace).some((p) => podUses(p, name))) return;
    removeFinalizer(api, PVCS, claim, PVC_PROTECTION_FINALIZER);
  });

  ctx.watch("/persistentvolumes", "pv-protection", (e) => (deleting(e, PV_PROTECTION_FINALIZER) ? String(e.object.metadata.name) : undefined));
  ctx.reconciler("pv-protection", (name) => {
    const pv = api.get(PVS, "", name);
    if (!pv?.metadata.deletionTimestamp || !hasFinalizer(pv, PV_PROTECTION_FINALIZER)) return;
    if (obj(pv.status).phase === "Bound") return;
    removeFinalizer(api, PVS, pv, PV_PROTECTION_FINALIZER);
  });
}
