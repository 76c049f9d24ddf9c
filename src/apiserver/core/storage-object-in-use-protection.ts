/**
 * The StorageObjectInUseProtection admission plugin
 * (plugin/pkg/admission/storage/storageobjectinuseprotection): every PersistentVolumeClaim and
 * PersistentVolume is created with its protection finalizer, which the pvc-protection and
 * pv-protection controllers remove once nothing uses the object.
 */
import { isRecord } from "../../meta/values.js";

type Obj = Record<string, unknown>;

export const PVC_PROTECTION_FINALIZER = "kubernetes.io/pvc-protection";
export const PV_PROTECTION_FINALIZER = "kubernetes.io/pv-protection";

/** Add the protection finalizer to a claim or volume being created (in place; other kinds are left alone). */
export function admitStorageObjectInUseProtection(kind: string, object: Obj): void {
  const finalizer = kind === "PersistentVolumeClaim" ? PVC_PROTECTION_FINALIZER : kind === "PersistentVolume" ? PV_PROTECTION_FINALIZER : undefined;
  if (!finalizer) return;
  const meta = isRecord(object.metadata) ? object.metadata : (object.metadata = {});
  const finalizers = Array.isArray(meta.finalizers) ? (meta.finalizers as unknown[]) : [];
  if (finalizers.includes(finalizer)) return;
  meta.finalizers = [...finalizers, finalizer];
}
