/**
 * The DefaultStorageClass admission plugin (plugin/pkg/admission/storage/storageclass/setdefault):
 * a PersistentVolumeClaim created without a class gets the cluster's default StorageClass, chosen
 * as pkg/volume/util's `GetDefaultClass` chooses it (the newest default class, then by name).
 */
import { isRecord } from "../../meta/values.js";

type Obj = Record<string, unknown>;

const DEFAULT_ANNOTATION = "storageclass.kubernetes.io/is-default-class";
const BETA_DEFAULT_ANNOTATION = "storageclass.beta.kubernetes.io/is-default-class";
/** The annotation that named a claim's class before `spec.storageClassName`. */
const BETA_CLASS_ANNOTATION = "volume.beta.kubernetes.io/storage-class";

const annotationsOf = (o: Obj): Obj => (isRecord(o.metadata) && isRecord(o.metadata.annotations) ? o.metadata.annotations : {});

/** `storageutil.IsDefaultAnnotation`. */
export function isDefaultStorageClass(sc: Obj): boolean {
  const a = annotationsOf(sc);
  return a[DEFAULT_ANNOTATION] === "true" || a[BETA_DEFAULT_ANNOTATION] === "true";
}

/** `GetDefaultClass`: of the classes marked default, the newest; equal times by name. */
export function defaultStorageClass(classes: readonly Obj[]): Obj | undefined {
  const created = (sc: Obj) => Date.parse(String(isRecord(sc.metadata) ? sc.metadata.creationTimestamp : "")) || 0;
  const name = (sc: Obj) => String(isRecord(sc.metadata) ? sc.metadata.name : "");
  return classes.filter(isDefaultStorageClass).sort((a, b) => created(b) - created(a) || (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0))[0];
}

/** `PersistentVolumeClaimHasClass`: a class field (even empty) or the beta annotation. */
export function claimHasClass(claim: Obj): boolean {
  const spec = isRecord(claim.spec) ? claim.spec : {};
  return typeof spec.storageClassName === "string" || Object.hasOwn(annotationsOf(claim), BETA_CLASS_ANNOTATION);
}

/** The claim's class name (`GetPersistentVolumeClaimClass`: the beta annotation first, then the field). */
export function claimClass(claim: Obj): string {
  const beta = annotationsOf(claim)[BETA_CLASS_ANNOTATION];
  if (typeof beta === "string") return beta;
  const spec = isRecord(claim.spec) ? claim.spec : {};
  return typeof spec.storageClassName === "string" ? spec.storageClassName : "";
}

/** Admit the creation of a claim: set the default class's name on a claim without a class (in place). */
export function admitDefaultStorageClass(claim: Obj, classes: readonly Obj[]): void {
  if (claimHasClass(claim)) return;
  const chosen = defaultStorageClass(classes);
  if (!chosen || !isRecord(chosen.metadata)) return;
  const spec = isRecord(claim.spec) ? claim.spec : (claim.spec = {});
  spec.storageClassName = String(chosen.metadata.name);
}
