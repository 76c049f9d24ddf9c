/**
 * kube-controller-manager's PersistentVolume controller (pkg/controller/volume/persistentvolume,
 * `syncClaim` and `syncVolume`): volumes become Available, Bound and Released; Pending claims
 * are bound to the best matching Available volume (or the volume they, or it, name), with the
 * annotations, claimRef and claim status the controller writes; claims of a class with a
 * provisioner are handed to it; a claim without a class gets the default class retroactively;
 * released volumes are reclaimed by their policy.
 */
import { claimHasClass, defaultStorageClass } from "../../apiserver/core/default-storage-class.js";
import type { KubeObject } from "../store.js";
import { PODS, PVCS, PVS, STORAGE_CLASSES } from "./api.js";
import { objectKeyOf, splitKey, type ControllerContext } from "./manager.js";
import { obj, same } from "./util.js";
import {
  ANN_BETA_STORAGE_PROVISIONER,
  ANN_BIND_COMPLETED,
  ANN_BOUND_BY_CONTROLLER,
  ANN_DYNAMICALLY_PROVISIONED,
  ANN_SELECTED_NODE,
  ANN_STORAGE_PROVISIONER,
  annotations,
  bindVolumeToClaim,
  claimClass,
  delayBinding,
  findMatchingVolume,
  isVolumeBoundToClaim,
  podClaimNames,
  volumeModeMismatch,
  volumeUnsuitable,
} from "./volume-matching.js";

const COMPONENT = "persistentvolume-controller";

export function registerPersistentVolumes(ctx: ControllerContext): void {
  const api = ctx.api;
  const event = (o: KubeObject, type: "Normal" | "Warning", reason: string, message: string) => ctx.events.record(o, type, reason, message, COMPONENT);
  const pendingClaims = () => api.list(PVCS).filter((c) => !obj(c.spec).volumeName).map(objectKeyOf);

  ctx.watch("/persistentvolumeclaims", "persistentvolume-claims", (e) => (e.type === "DELETED" ? undefined : objectKeyOf(e.object)));
  ctx.watch("/persistentvolumeclaims", "persistentvolume-volumes", (e) => {
    const name = obj(e.object.spec).volumeName;
    return typeof name === "string" && name ? name : undefined;
  });
  ctx.watch("/persistentvolumes", "persistentvolume-volumes", (e) => (e.type === "DELETED" ? undefined : String(e.object.metadata.name)));
  ctx.watch("/persistentvolumes", "persistentvolume-claims", (e) => {
    if (e.type === "DELETED") return undefined;
    const ref = obj(obj(e.object.spec).claimRef);
    if (ref.name) return `${String(ref.namespace ?? "")}/${String(ref.name)}`;
    return obj(e.object.status).phase === "Available" ? pendingClaims() : undefined;
  });
  // A new default class reaches claims without a class; a pod that waits is named in the claim's event.
  ctx.watch("storage.k8s.io/storageclasses", "persistentvolume-claims", (e) => (e.type === "DELETED" ? undefined : pendingClaims()));
  ctx.watch("/pods", "persistentvolume-claims", (e) => (obj(e.object.spec).nodeName ? undefined : podClaimNames(e.object).map((n) => `${String(e.object.metadata.namespace)}/${n}`)));

  /** `updateClaimStatus`: phase, and access modes and capacity from the volume (reset without one). */
  const updateClaimStatus = (claim: KubeObject, phase: string, volume: KubeObject | undefined): KubeObject | undefined => {
    const status = { ...obj(claim.status) };
    const was = status.phase;
    status.phase = phase;
    if (!volume) {
      delete status.accessModes;
      delete status.capacity;
    } else {
      status.accessModes = obj(volume.spec).accessModes;
      if (was !== phase) status.capacity = obj(volume.spec).capacity;
    }
    if (same(status, obj(claim.status))) return claim;
    return api.updateStatus(PVCS, { ...claim, status });
  };

  const updateVolumePhase = (pv: KubeObject, phase: string, message = ""): KubeObject | undefined => {
    if (obj(pv.status).phase === phase) return pv;
    const status: Record<string, unknown> = { ...obj(pv.status), phase };
    if (message) status.message = message;
    else delete status.message;
    return api.updateStatus(PVS, { ...pv, status });
  };

  /** `bind`: the volume to the claim, the volume Bound, the claim to the volume, the claim Bound. */
  const bind = (pv: KubeObject, claim: KubeObject): void => {
    const changed = bindVolumeToClaim(pv, claim);
    const volume = changed ? api.update(PVS, changed) : pv;
    if (!volume) return;
    const bound = updateVolumePhase(volume, "Bound");
    if (!bound) return;
    const a = annotations(claim);
    let next = claim;
    if (obj(claim.spec).volumeName !== pv.metadata.name || a[ANN_BIND_COMPLETED] === undefined) {
      const byController = obj(claim.spec).volumeName !== pv.metadata.name;
      next = structuredClone(claim);
      next.spec = { ...obj(next.spec), volumeName: pv.metadata.name };
      next.metadata.annotations = { ...a, ...(byController && a[ANN_BOUND_BY_CONTROLLER] === undefined ? { [ANN_BOUND_BY_CONTROLLER]: "yes" } : {}), [ANN_BIND_COMPLETED]: "yes" };
      const updated = api.update(PVCS, next);
      if (!updated) return;
      next = updated;
    }
    updateClaimStatus(next, "Bound", bound);
  };

  /** `emitEventForUnboundDelayBindingClaim`: waiting for a consumer, or for the pods that use the claim to be scheduled. */
  const waitingEvent = (claim: KubeObject): void => {
    const pods = api
      .list(PODS, String(claim.metadata.namespace))
      .filter((p) => !obj(p.spec).nodeName && podClaimNames(p).includes(String(claim.metadata.name)))
      .map((p) => `${String(p.metadata.namespace)}/${String(p.metadata.name)}`);
    if (!pods.length) event(claim, "Normal", "WaitForFirstConsumer", "waiting for first consumer to be created before binding");
    else event(claim, "Normal", "WaitForPodScheduled", pods.length > 1 ? `waiting for pods ${pods.join(",")} to be scheduled` : `waiting for pod ${pods[0]} to be scheduled`);
  };

  /** `provisionClaim` for a provisioner outside kube-controller-manager: annotate the claim and say so. */
  const provision = (claim: KubeObject): void => {
    const name = claimClass(claim);
    const sc = api.get(STORAGE_CLASSES, "", name);
    if (!sc) {
      event(claim, "Warning", "ProvisioningFailed", `storageclass.storage.k8s.io ${JSON.stringify(name)} not found`);
      return;
    }
    const provisioner = String(sc.provisioner ?? "");
    if (provisioner.startsWith("kubernetes.io/")) {
      event(claim, "Warning", "ProvisioningFailed", `no volume plugin matched name: ${provisioner}`);
      return;
    }
    const a = annotations(claim);
    let current = claim;
    if (a[ANN_STORAGE_PROVISIONER] !== provisioner || a[ANN_BETA_STORAGE_PROVISIONER] !== provisioner) {
      const updated = api.update(PVCS, { ...claim, metadata: { ...claim.metadata, annotations: { ...a, [ANN_BETA_STORAGE_PROVISIONER]: provisioner, [ANN_STORAGE_PROVISIONER]: provisioner } } });
      if (!updated) return;
      current = updated;
    }
    event(current, "Normal", "ExternalProvisioning", `Waiting for a volume to be created either by the external provisioner '${provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`);
  };

  const syncUnboundClaim = (claim: KubeObject): void => {
    const volumeName = String(obj(claim.spec).volumeName ?? "");
    if (!volumeName) {
      const delayed = delayBinding(api, claim);
      const volume = findMatchingVolume(claim, api.list(PVS), undefined, delayed);
      if (volume) return bind(volume, claim);
      if (!claimHasClass(claim)) {
        const sc = defaultStorageClass(api.list(STORAGE_CLASSES));
        if (sc && api.update(PVCS, { ...claim, spec: { ...obj(claim.spec), storageClassName: obj(sc.metadata).name } })) return;
      }
      if (delayed && annotations(claim)[ANN_SELECTED_NODE] === undefined) waitingEvent(claim);
      else if (claimClass(claim)) return provision(claim);
      else event(claim, "Normal", "FailedBinding", "no persistent volumes available for this claim and no storage class is set");
      updateClaimStatus(claim, "Pending", undefined);
      return;
    }
    const pv = api.get(PVS, "", volumeName);
    if (!pv) {
      updateClaimStatus(claim, "Pending", undefined);
      return;
    }
    if (!obj(pv.spec).claimRef) {
      const why = volumeUnsuitable(pv, claim);
      if (!why) return bind(pv, claim);
      event(claim, "Warning", "VolumeMismatch", `Cannot bind to requested volume ${JSON.stringify(pv.metadata.name)}: ${why}`);
      updateClaimStatus(claim, "Pending", undefined);
      return;
    }
    if (isVolumeBoundToClaim(pv, claim)) return bind(pv, claim);
    if (annotations(claim)[ANN_BOUND_BY_CONTROLLER] === undefined) {
      event(claim, "Warning", "FailedBinding", `volume ${JSON.stringify(pv.metadata.name)} already bound to a different claim.`);
      updateClaimStatus(claim, "Pending", undefined);
    }
  };

  const lost = (claim: KubeObject, reason: string, message: string): void => {
    if (obj(claim.status).phase === "Lost") return;
    const updated = updateClaimStatus(claim, "Lost", undefined);
    if (updated) event(updated, "Warning", reason, message);
  };

  const syncBoundClaim = (claim: KubeObject): void => {
    const volumeName = String(obj(claim.spec).volumeName ?? "");
    if (!volumeName) return lost(claim, "ClaimLost", "Bound claim has lost reference to PersistentVolume. Data on the volume is lost!");
    const pv = api.get(PVS, "", volumeName);
    if (!pv) return lost(claim, "ClaimLost", "Bound claim has lost its PersistentVolume. Data on the volume is lost!");
    const ref = obj(obj(pv.spec).claimRef);
    if (!obj(pv.spec).claimRef || ref.uid === claim.metadata.uid) return bind(pv, claim);
    lost(claim, "ClaimMisbound", "Two claims are bound to the same volume, this one is bound incorrectly");
  };

  ctx.reconciler("persistentvolume-claims", (key) => {
    const { namespace, name } = splitKey(key);
    const claim = api.get(PVCS, namespace, name);
    if (!claim) return;
    if (annotations(claim)[ANN_BIND_COMPLETED] === undefined) syncUnboundClaim(claim);
    else syncBoundClaim(claim);
  });

  /** `unbindVolume`: a volume the controller bound loses its claimRef; one a user bound keeps it without the uid. */
  const unbind = (pv: KubeObject): void => {
    const next = structuredClone(pv);
    const a = { ...annotations(pv) };
    if (a[ANN_BOUND_BY_CONTROLLER] !== undefined) {
      delete a[ANN_BOUND_BY_CONTROLLER];
      next.metadata.annotations = Object.keys(a).length ? a : undefined;
      next.spec = { ...obj(next.spec), claimRef: undefined };
    } else {
      const ref = { ...obj(obj(pv.spec).claimRef) };
      delete ref.uid;
      next.spec = { ...obj(next.spec), claimRef: ref };
    }
    const updated = api.update(PVS, next);
    if (updated) updateVolumePhase(updated, "Available");
  };

  /** `reclaimVolume`: Retain keeps the volume; Delete is left to the external provisioner that made it, else to a deleter plugin. */
  const reclaim = (pv: KubeObject): void => {
    if (obj(pv.spec).persistentVolumeReclaimPolicy !== "Delete") return;
    const provisionedBy = annotations(pv)[ANN_DYNAMICALLY_PROVISIONED];
    if ((provisionedBy && !provisionedBy.startsWith("kubernetes.io/")) || obj(pv.spec).csi) return;
    const hostPath = obj(pv.spec).hostPath;
    let failure: string;
    if (hostPath && typeof hostPath === "object") {
      const path = String(obj(hostPath).path ?? "");
      if (/^\/tmp\/.+/.test(path)) {
        api.delete(PVS, pv);
        return;
      }
      failure = `host_path deleter only supports /tmp/.+ but received provided ${path}`;
    } else failure = `error getting deleter volume plugin for volume ${JSON.stringify(pv.metadata.name)}: no deletable volume plugin matched`;
    if (obj(pv.status).phase === "Failed") return;
    const updated = updateVolumePhase(pv, "Failed", failure);
    if (updated) event(updated, "Warning", "VolumeFailedDelete", failure);
  };

  const release = (pv: KubeObject): void => {
    const phase = obj(pv.status).phase;
    const current = phase !== "Released" && phase !== "Failed" ? updateVolumePhase(pv, "Released") : pv;
    if (current) reclaim(current);
  };

  ctx.reconciler("persistentvolume-volumes", (name) => {
    const pv = api.get(PVS, "", name);
    if (!pv) return;
    const spec = obj(pv.spec);
    if (!spec.claimRef) return void updateVolumePhase(pv, "Available");
    const ref = obj(spec.claimRef);
    if (!ref.uid) return void updateVolumePhase(pv, "Available");
    let claim = api.get(PVCS, String(ref.namespace ?? ""), String(ref.name ?? ""));
    if (claim && claim.metadata.uid !== ref.uid) claim = undefined;
    if (!claim) return release(pv);
    const claimVolume = obj(claim.spec).volumeName;
    if (!claimVolume) {
      if (volumeModeMismatch(claim, pv)) {
        event(pv, "Warning", "VolumeMismatch", `Cannot bind PersistentVolume to requested PersistentVolumeClaim ${JSON.stringify(claim.metadata.name)} due to incompatible volumeMode.`);
        event(claim, "Warning", "VolumeMismatch", `Cannot bind PersistentVolume ${JSON.stringify(pv.metadata.name)} to requested PersistentVolumeClaim due to incompatible volumeMode.`);
        return;
      }
      ctx.enqueue("persistentvolume-claims", objectKeyOf(claim));
      return;
    }
    if (claimVolume === pv.metadata.name) return void updateVolumePhase(pv, "Bound");
    if (annotations(pv)[ANN_DYNAMICALLY_PROVISIONED] !== undefined && spec.persistentVolumeReclaimPolicy === "Delete") return release(pv);
    unbind(pv);
  });
}
