/**
 * `Warning` texts kube-apiserver returns for PersistentVolumes (pkg/api/persistentvolume,
 * `GetWarningsForPersistentVolume`) and PersistentVolumeClaims (pkg/api/persistentvolumeclaim,
 * `GetWarningsForPersistentVolumeClaim`): the storage-class and mount-options beta annotations, the Recycle reclaim
 * policy, deprecated node labels in a volume's node affinity, deprecated volume plugins, and
 * fractional byte counts in a claim's storage.
 */
import type { ApiContext } from "../context.js";
import { FieldPath } from "../field.js";
import { obj, objects, str, type Obj } from "./json.js";
import { claimSpecWarnings, nodeSelectorTermWarnings } from "./pod-warnings.js";

const BETA_STORAGE_CLASS = "volume.beta.kubernetes.io/storage-class";
const BETA_STORAGE_CLASS_MESSAGE = 'deprecated since v1.8; use "storageClassName" attribute instead';
const BETA_MOUNT_OPTIONS = "volume.beta.kubernetes.io/mount-options";

/**
 * The deprecated plugins a PersistentVolume's spec warns of, in Go's order: field, message, and
 * the first minor that warns. cephfs and rbd start where the pod warnings of the same plugins do.
 */
const DEPRECATED_PV_SOURCES: readonly [string, string, number][] = [
  ["cephfs", "deprecated in v1.28, non-functional in v1.31+", 31],
  ["photonPersistentDisk", "deprecated in v1.11, non-functional in v1.16+", 0],
  ["scaleIO", "deprecated in v1.16, non-functional in v1.22+", 0],
  ["storageos", "deprecated in v1.22, non-functional in v1.25+", 0],
  ["glusterfs", "deprecated in v1.25, non-functional in v1.26+", 0],
  ["rbd", "deprecated in v1.28, non-functional in v1.31+", 31],
];

/** The Go label of a PV source field in the warning's path (`StorageOS` is `storageOS` there, `storageos` in JSON). */
function sourceLabel(field: string): string {
  return field === "storageos" ? "storageOS" : field;
}

function betaStorageClassWarning(o: Obj): string[] {
  const annotations = obj(obj(o.metadata)?.annotations);
  if (!annotations || !Object.hasOwn(annotations, BETA_STORAGE_CLASS)) return [];
  return [`${FieldPath.of("metadata", "annotations").key(BETA_STORAGE_CLASS)}: ${BETA_STORAGE_CLASS_MESSAGE}`];
}

/**
 * `GetWarningsForPersistentVolume`: the warnings kube-apiserver returns on writing a PersistentVolume.
 *
 * @example
 * persistentVolumeWarnings({ spec: { persistentVolumeReclaimPolicy: "Recycle" } }, ctx);
 * // ["spec.persistentVolumeReclaimPolicy: The Recycle reclaim policy is deprecated. ..."]
 */
export function persistentVolumeWarnings(pv: Obj, ctx: ApiContext): string[] {
  const out = betaStorageClassWarning(pv);
  // Since 1.31 (kubernetes#124819).
  const annotations = obj(obj(pv.metadata)?.annotations);
  if (ctx.minor >= 31 && annotations && Object.hasOwn(annotations, BETA_MOUNT_OPTIONS)) {
    out.push(`${FieldPath.of("metadata", "annotations").key(BETA_MOUNT_OPTIONS)}: deprecated since v1.31; use "mountOptions" attribute instead`);
  }
  const spec = obj(pv.spec) ?? {};
  // Since 1.30 (kubernetes#122339).
  if (ctx.minor >= 30 && str(spec.persistentVolumeReclaimPolicy) === "Recycle") {
    out.push("spec.persistentVolumeReclaimPolicy: The Recycle reclaim policy is deprecated. Instead, the recommended approach is to use dynamic provisioning.");
  }
  const required = obj(obj(spec.nodeAffinity)?.required);
  if (required) {
    const terms = FieldPath.of("spec", "nodeAffinity", "required", "nodeSelectorTerms");
    for (const [term, i] of objects(required.nodeSelectorTerms)) out.push(...nodeSelectorTermWarnings(term, terms.index(i)));
  }
  for (const [field, message, since] of DEPRECATED_PV_SOURCES) {
    if (spec[field] !== undefined && spec[field] !== null && ctx.minor >= since) out.push(`spec.${sourceLabel(field)}: ${message}`);
  }
  return out;
}

/**
 * `GetWarningsForPersistentVolumeClaim`: the warnings kube-apiserver returns on writing a claim.
 *
 * @example
 * persistentVolumeClaimWarnings({ metadata: { annotations: { "volume.beta.kubernetes.io/storage-class": "fast" } } });
 * // ['metadata.annotations[volume.beta.kubernetes.io/storage-class]: deprecated since v1.8; use "storageClassName" attribute instead']
 */
export function persistentVolumeClaimWarnings(pvc: Obj): string[] {
  const out = betaStorageClassWarning(pvc);
  out.push(...claimSpecWarnings(obj(pvc.spec) ?? {}, FieldPath.of("spec")));
  return out;
}
