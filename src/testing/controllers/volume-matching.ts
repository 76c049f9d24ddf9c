/**
 * How a PersistentVolume matches a PersistentVolumeClaim, as k8s.io/component-helpers'
 * storage/volume helpers decide it (`FindMatchingVolume`, `IsVolumeBoundToClaim`,
 * `CheckAccessModes`, `CheckVolumeModeMismatches`, `GetBindVolumeToClaim`), shared by the
 * PersistentVolume controller and the scheduler's volume binding.
 */
import { claimClass } from "../../apiserver/core/default-storage-class.js";
import { Quantity } from "../../apiserver/validation/quantity.js";
import type { KubeObject } from "../store.js";
import { STORAGE_CLASSES, type ClusterApi } from "./api.js";
import { arr, nodeSelectorTermMatches, obj, selectorMatches } from "./util.js";

type Obj = Record<string, unknown>;

export const ANN_BIND_COMPLETED = "pv.kubernetes.io/bind-completed";
export const ANN_BOUND_BY_CONTROLLER = "pv.kubernetes.io/bound-by-controller";
export const ANN_SELECTED_NODE = "volume.kubernetes.io/selected-node";
export const ANN_STORAGE_PROVISIONER = "volume.kubernetes.io/storage-provisioner";
export const ANN_BETA_STORAGE_PROVISIONER = "volume.beta.kubernetes.io/storage-provisioner";
export const ANN_DYNAMICALLY_PROVISIONED = "pv.kubernetes.io/provisioned-by";

export { claimClass };

export function annotations(o: KubeObject): Record<string, string> {
  return obj(o.metadata.annotations) as Record<string, string>;
}

/** `GetPersistentVolumeClass`: the beta annotation first, then the field. */
export function volumeClass(pv: KubeObject): string {
  const beta = annotations(pv)["volume.beta.kubernetes.io/storage-class"];
  return typeof beta === "string" ? beta : String(obj(pv.spec).storageClassName ?? "");
}

/** The storage a claim requests or a volume has. */
export function storageOf(resources: unknown): Quantity | undefined {
  return Quantity.from(obj(resources).storage);
}

export const claimRequest = (claim: KubeObject) => storageOf(obj(obj(claim.spec).resources).requests);
export const volumeCapacity = (pv: KubeObject) => storageOf(obj(pv.spec).capacity);

/** `IsVolumeBoundToClaim`: the volume's claimRef names the claim (and its uid, when set). */
export function isVolumeBoundToClaim(pv: KubeObject, claim: KubeObject): boolean {
  const ref = obj(pv.spec).claimRef;
  if (!ref || typeof ref !== "object") return false;
  const r = ref as Obj;
  if (r.name !== claim.metadata.name || (r.namespace ?? "") !== (claim.metadata.namespace ?? "")) return false;
  return !r.uid || r.uid === claim.metadata.uid;
}

/** `CheckAccessModes`: the volume offers every mode the claim asks for. */
export function accessModesFit(claim: KubeObject, pv: KubeObject): boolean {
  const offered = arr<string>(obj(pv.spec).accessModes);
  return arr<string>(obj(claim.spec).accessModes).every((m) => offered.includes(m));
}

/** `CheckVolumeModeMismatches` (both default to Filesystem). */
export function volumeModeMismatch(claim: KubeObject, pv: KubeObject): boolean {
  return String(obj(claim.spec).volumeMode ?? "Filesystem") !== String(obj(pv.spec).volumeMode ?? "Filesystem");
}

/** Whether a volume's required node affinity admits a node (`CheckNodeAffinity`). */
export function volumeNodeAffinityFits(pv: KubeObject, node: KubeObject): boolean {
  const terms = arr(obj(obj(obj(pv.spec).nodeAffinity).required).nodeSelectorTerms);
  return !terms.length || terms.some((t) => nodeSelectorTermMatches(t, node));
}

/** `checkVolumeSatisfyClaim`: why a volume asked for by name cannot serve the claim. */
export function volumeUnsuitable(pv: KubeObject, claim: KubeObject): string | undefined {
  const requested = claimRequest(claim);
  const capacity = volumeCapacity(pv);
  if (requested && (!capacity || capacity.cmp(requested) < 0)) return "requested PV is too small";
  if (volumeClass(pv) !== claimClass(claim)) return "storageClassName does not match";
  if (volumeModeMismatch(claim, pv)) return "incompatible volumeMode";
  if (!accessModesFit(claim, pv)) return "incompatible accessMode";
  return undefined;
}

/**
 * `FindMatchingVolume`: a volume pre-bound to the claim, else the smallest Available volume of the
 * claim's class, access modes, volume mode and selector that is large enough (and, with a node,
 * whose node affinity admits it). Without a node, claims of delayed binding only take pre-bound volumes.
 */
export function findMatchingVolume(claim: KubeObject, volumes: readonly KubeObject[], node: KubeObject | undefined, delayBinding: boolean): KubeObject | undefined {
  const requested = claimRequest(claim);
  const selector = obj(claim.spec).selector;
  const className = claimClass(claim);
  let best: KubeObject | undefined;
  let bestSize: Quantity | undefined;
  for (const pv of volumes) {
    if (volumeModeMismatch(claim, pv) || !accessModesFit(claim, pv)) continue;
    const size = volumeCapacity(pv);
    if (!size || (requested && size.cmp(requested) < 0)) continue;
    if (pv.metadata.deletionTimestamp) continue;
    const affinityOk = !node || volumeNodeAffinityFits(pv, node);
    if (isVolumeBoundToClaim(pv, claim)) return affinityOk ? pv : undefined;
    if (!node && delayBinding) continue;
    if (obj(pv.spec).claimRef) continue;
    if (selector && typeof selector === "object" && !selectorMatches(selector, pv.metadata.labels)) continue;
    if (volumeClass(pv) !== className || !affinityOk) continue;
    if (node && obj(pv.status).phase !== "Available") continue;
    if (!bestSize || size.cmp(bestSize) < 0) {
      best = pv;
      bestSize = size;
    }
  }
  return best;
}

/** A reference to a claim as `reference.GetReference` makes it. */
export function claimReference(claim: KubeObject): Obj {
  return { kind: "PersistentVolumeClaim", namespace: claim.metadata.namespace, name: claim.metadata.name, uid: claim.metadata.uid, apiVersion: "v1", resourceVersion: claim.metadata.resourceVersion };
}

/** `GetBindVolumeToClaim`: the volume bound to the claim, or undefined when nothing changes. */
export function bindVolumeToClaim(pv: KubeObject, claim: KubeObject): KubeObject | undefined {
  const byController = !isVolumeBoundToClaim(pv, claim);
  const ref = obj(obj(pv.spec).claimRef);
  const next = structuredClone(pv);
  let dirty = false;
  if (ref.name !== claim.metadata.name || ref.namespace !== claim.metadata.namespace || ref.uid !== claim.metadata.uid) {
    next.spec = { ...obj(next.spec), claimRef: claimReference(claim) };
    dirty = true;
  }
  if (byController && !Object.hasOwn(annotations(pv), ANN_BOUND_BY_CONTROLLER)) {
    next.metadata.annotations = { ...annotations(pv), [ANN_BOUND_BY_CONTROLLER]: "yes" };
    dirty = true;
  }
  return dirty ? next : undefined;
}

/** The claim's StorageClass (undefined: no class, or not found). */
export function classOf(api: ClusterApi, claim: KubeObject): KubeObject | undefined {
  const name = claimClass(claim);
  return name ? api.get(STORAGE_CLASSES, "", name) : undefined;
}

/** `IsDelayBindingMode`: the claim's class binds when the first consumer is scheduled. */
export function delayBinding(api: ClusterApi, claim: KubeObject): boolean {
  const sc = classOf(api, claim);
  return sc?.volumeBindingMode === "WaitForFirstConsumer";
}

/** The claims a pod's volumes name. */
export function podClaimNames(pod: KubeObject): string[] {
  const names: string[] = [];
  for (const v of arr(obj(pod.spec).volumes)) {
    const name = obj(v.persistentVolumeClaim).claimName;
    if (typeof name === "string" && name) names.push(name);
  }
  return names;
}
