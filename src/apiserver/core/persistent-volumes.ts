/**
 * PersistentVolumes and PersistentVolumeClaims: `SetDefaults_PersistentVolume(Claim)`, the
 * strategies' status handling, `ValidatePersistentVolumeSpec` (access modes, capacity, reclaim
 * policy, one volume source and the checks of the PV-only sources), `ValidatePersistentVolumeClaimSpec`
 * (access modes, storage request, class, volume mode, dataSource/dataSourceRef, selector) and
 * the update rules (PV source immutable; PVC spec immutable except resizing).
 */
import { isRecord } from "../../meta/values.js";
import type { ApiContext } from "../context.js";
import { FieldPath, forbidden, invalid, notSupported, required, tooLong, type FieldError } from "../field.js";
import { isDNS1123Label, isDNS1123Subdomain, Quantity, validateLabelSelector } from "../validation/index.js";
import { deepEqual, has, list, optStr, rec, str, strings } from "./object-values.js";
import { quantities, validateResourceQuantityValue } from "./resource-names.js";

type Obj = Record<string, unknown>;

const ACCESS_MODES = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"];
const RECLAIM_POLICIES = ["Delete", "Recycle", "Retain"];
const VOLUME_MODES = ["Block", "Filesystem"];
const HOST_PATH_TYPES = ["", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"];
const SPEC = FieldPath.of("spec");

/** The PV volume sources in the order `ValidatePersistentVolumeSpec` visits them. */
const PV_SOURCES = [
  "hostPath",
  "gcePersistentDisk",
  "awsElasticBlockStore",
  "glusterfs",
  "flocker",
  "nfs",
  "rbd",
  "quobyte",
  "cephfs",
  "iscsi",
  "cinder",
  "fc",
  "flexVolume",
  "azureFile",
  "vsphereVolume",
  "photonPersistentDisk",
  "portworxVolume",
  "azureDisk",
  "scaleIO",
  "local",
  "storageos",
  "csi",
];

function validateAccessModes(modes: string[], path: FieldPath, requiredDetail: string): FieldError[] {
  const errs: FieldError[] = [];
  if (modes.length === 0) errs.push(required(path, requiredDetail));
  return errs;
}

function accessModeErrors(modes: string[], path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  let rwop = false;
  let other = false;
  for (const mode of modes) {
    if (!ACCESS_MODES.includes(mode)) errs.push(notSupported(path, mode, ACCESS_MODES));
    if (mode === "ReadWriteOncePod") rwop = true;
    else if (ACCESS_MODES.includes(mode)) other = true;
  }
  if (rwop && other) errs.push(forbidden(path, "may not use ReadWriteOncePod with other access modes"));
  return errs;
}

function validatePathNoBacksteps(value: string, path: FieldPath): FieldError[] {
  return value.split("/").includes("..") ? [invalid(path, value, "must not contain '..'")] : [];
}

function validatePVSecretReference(ref: unknown, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(ref, "name");
  const namespace = str(ref, "namespace");
  if (!name) errs.push(required(path.child("name")));
  else errs.push(...isDNS1123Subdomain(name).map((m) => invalid(path.child("name"), name, m)));
  if (!namespace) errs.push(required(path.child("namespace")));
  else errs.push(...isDNS1123Label(namespace).map((m) => invalid(path.child("namespace"), namespace, m)));
  return errs;
}

/** `ValidateCSIDriverName`. */
function validateCSIDriverName(driver: string, path: FieldPath, ctx: ApiContext): FieldError[] {
  const errs: FieldError[] = [];
  if (!driver) errs.push(required(path));
  if (driver.length > 63) errs.push(tooLong(path, undefined, 63, ctx.minor));
  errs.push(...isDNS1123Subdomain(driver.toLowerCase()).map((m) => invalid(path, driver, m)));
  return errs;
}

function validatePVSource(source: string, value: Obj, path: FieldPath, ctx: ApiContext): FieldError[] {
  const errs: FieldError[] = [];
  switch (source) {
    case "hostPath": {
      const p = str(value, "path");
      if (!p) return [required(path.child("path"))];
      errs.push(...validatePathNoBacksteps(p, path.child("path")));
      const t = optStr(value, "type");
      if (t !== undefined && !HOST_PATH_TYPES.includes(t)) errs.push(notSupported(path.child("type"), t, HOST_PATH_TYPES));
      break;
    }
    case "nfs": {
      const p = str(value, "path");
      if (!str(value, "server")) errs.push(required(path.child("server")));
      if (!p) errs.push(required(path.child("path")));
      if (!p.startsWith("/")) errs.push(invalid(path.child("path"), p, "must be an absolute path"));
      break;
    }
    case "local": {
      const p = str(value, "path");
      if (!p) return [required(path.child("path"))];
      errs.push(...validatePathNoBacksteps(p, path.child("path")));
      break;
    }
    case "csi": {
      errs.push(...validateCSIDriverName(str(value, "driver"), path.child("driver"), ctx));
      if (!str(value, "volumeHandle")) errs.push(required(path.child("volumeHandle")));
      for (const ref of ["controllerPublishSecretRef", "controllerExpandSecretRef", "nodePublishSecretRef", "nodeExpandSecretRef"]) {
        if (isRecord(value[ref])) errs.push(...validatePVSecretReference(value[ref], path.child(ref)));
      }
      break;
    }
  }
  return errs;
}

/** `SetDefaults_PersistentVolume`. */
export function defaultPersistentVolume(pv: Obj): void {
  const spec = rec(pv, "spec");
  if (!spec) return;
  if (!spec.persistentVolumeReclaimPolicy) spec.persistentVolumeReclaimPolicy = "Retain";
  if (!spec.volumeMode) spec.volumeMode = "Filesystem";
}

/** `SetDefaults_PersistentVolumeClaim(Spec)`. */
export function defaultPersistentVolumeClaim(pvc: Obj): void {
  const spec = rec(pvc, "spec");
  if (spec && !spec.volumeMode) spec.volumeMode = "Filesystem";
}

/** The strategies clear status on create and keep the stored status on update. */
export function clearStatus(obj: Obj): void {
  delete obj.status;
}

/**
 * A volume's or claim's status on create: cleared by the strategy, then `phase: Pending` from
 * `SetDefaults_PersistentVolume(Claim)`, which kube-apiserver applies again whenever it reads the
 * object back (so every answer, the create's included, shows it).
 */
export function pendingStatus(obj: Obj): void {
  obj.status = { phase: "Pending" };
}

/** Keeps the stored status on an update of the main resource. */
export function keepStatus(obj: Obj, old: Obj): void {
  if (old.status === undefined) delete obj.status;
  else obj.status = old.status;
}

/** `ValidatePersistentVolumeSpec` for a PersistentVolume object (not an inline volume). */
export function validatePersistentVolume(pv: Obj, ctx: ApiContext): FieldError[] {
  const errs: FieldError[] = [];
  const spec = rec(pv, "spec") ?? {};
  const modes = strings(spec, "accessModes");
  errs.push(...validateAccessModes(modes, SPEC.child("accessModes"), ""), ...accessModeErrors(modes, SPEC.child("accessModes")));
  const capacity = quantities(spec.capacity);
  const capPath = SPEC.child("capacity");
  if (capacity.size === 0) errs.push(required(capPath));
  if (!capacity.has("storage") || capacity.size > 1) {
    const shown = `core.ResourceList{${[...capacity].map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v.toString())}`).join(", ")}}`;
    errs.push(Object.assign(notSupported(capPath, Object.fromEntries([...capacity].map(([k, v]) => [k, v.toString()])), ["storage"]), { display: shown }));
  }
  for (const [k, q] of capacity) {
    if (q.sign() < 0) errs.push(invalid(capPath.key(k), Number(q.scaledValue(0)), "must be a valid resource quantity"));
    if (q.sign() <= 0) errs.push(invalid(capPath.key(k), q.toString(), "must be greater than zero"));
  }
  const policy = str(spec, "persistentVolumeReclaimPolicy");
  if (policy && !RECLAIM_POLICIES.includes(policy)) errs.push(notSupported(SPEC.child("persistentVolumeReclaimPolicy"), policy, RECLAIM_POLICIES));
  let nodeAffinitySet = false;
  if (isRecord(spec.nodeAffinity)) {
    nodeAffinitySet = true;
    if (!isRecord(spec.nodeAffinity.required)) errs.push(required(SPEC.child("nodeAffinity").child("required"), "must specify required node constraints"));
  }
  let count = 0;
  for (const source of PV_SOURCES) {
    const value = spec[source];
    if (!isRecord(value)) continue;
    if (count > 0 && source !== "flexVolume") {
      errs.push(forbidden(SPEC.child(source), "may not specify more than 1 volume type"));
      continue;
    }
    count++;
    errs.push(...validatePVSource(source, value, SPEC.child(source), ctx));
    if (source === "local" && !nodeAffinitySet) errs.push(required(SPEC.child("nodeAffinity"), "Local volume requires node affinity"));
  }
  if (count === 0) errs.push(required(SPEC, "must specify a volume type"));
  const hostPath = str(rec(spec, "hostPath"), "path");
  if (hostPath && hostPath.replace(/\/+/g, "/").replace(/(.)\/$/, "$1") === "/" && policy === "Recycle") {
    errs.push(forbidden(SPEC.child("persistentVolumeReclaimPolicy"), "may not be 'recycle' for a hostPath mount of '/'"));
  }
  const cls = str(spec, "storageClassName");
  if (cls) errs.push(...isDNS1123Subdomain(cls).map((m) => invalid(SPEC.child("storageClassName"), cls, m)));
  const mode = optStr(spec, "volumeMode");
  if (mode !== undefined && !VOLUME_MODES.includes(mode)) errs.push(notSupported(SPEC.child("volumeMode"), mode, VOLUME_MODES));
  return errs;
}

/** `ValidatePersistentVolumeUpdate` beyond the spec: the volume source and volume mode are immutable. */
export function validatePersistentVolumeUpdate(pv: Obj, old: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const spec = rec(pv, "spec") ?? {};
  const oldSpec = rec(old, "spec") ?? {};
  const sources = (s: Obj, allowExpandRef: boolean) => {
    const out: Obj = {};
    for (const k of PV_SOURCES) if (has(s, k)) out[k] = s[k];
    if (allowExpandRef && isRecord(out.csi)) out.csi = { ...out.csi, controllerExpandSecretRef: undefined };
    return out;
  };
  const expandAdded = isRecord(oldSpec.csi) && !has(oldSpec.csi, "controllerExpandSecretRef") && isRecord(spec.csi) && has(spec.csi, "controllerExpandSecretRef");
  if (!deepEqual(sources(spec, expandAdded), sources(oldSpec, false))) {
    errs.push(forbidden(FieldPath.of("spec", "persistentvolumesource"), "spec.persistentvolumesource is immutable after creation"));
  }
  if (optStr(spec, "volumeMode") !== optStr(oldSpec, "volumeMode")) errs.push(invalid(FieldPath.of("volumeMode"), optStr(spec, "volumeMode") ?? null, "field is immutable"));
  return errs;
}

function validateDataSource(ref: Obj, path: FieldPath, checkGroup: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (!str(ref, "name")) errs.push(required(path.child("name")));
  const kind = str(ref, "kind");
  if (!kind) errs.push(required(path.child("kind")));
  const group = str(ref, "apiGroup");
  if (!group && kind !== "PersistentVolumeClaim") errs.push(invalid(path, kind, "must be 'PersistentVolumeClaim' when referencing the default apiGroup"));
  if (group && checkGroup) errs.push(...isDNS1123Subdomain(group).map((m) => invalid(path.child("apiGroup"), group, m)));
  return errs;
}

/** `ValidatePersistentVolumeClaimSpec`. */
export function validatePersistentVolumeClaimSpec(spec: Obj, path: FieldPath, ctx: ApiContext, old?: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const modes = strings(spec, "accessModes");
  if (modes.length === 0) errs.push(required(path.child("accessModes"), "at least 1 access mode is required"));
  if (isRecord(spec.selector)) {
    const oldInvalid = old !== undefined && validateLabelSelector(old.selector, {}, path.child("selector")).length > 0;
    errs.push(...validateLabelSelector(spec.selector, { allowInvalidLabelValueInSelector: oldInvalid }, path.child("selector")));
  }
  errs.push(...accessModeErrors(modes, path.child("accessModes")));
  const storagePath = path.child("resources").key("storage");
  const storage = quantities(rec(rec(spec, "resources"), "requests")).get("storage");
  if (!storage) {
    if (!has(rec(rec(spec, "resources"), "requests"), "storage")) errs.push(required(storagePath));
  } else if (storage.sign() <= 0) errs.push(invalid(storagePath, storage.toString(), "must be greater than zero"));
  else errs.push(...validateResourceQuantityValue("storage", storage, storagePath));
  const cls = optStr(spec, "storageClassName");
  if (cls) errs.push(...isDNS1123Subdomain(cls).map((m) => invalid(path.child("storageClassName"), cls, m)));
  const mode = optStr(spec, "volumeMode");
  if (mode !== undefined && !VOLUME_MODES.includes(mode)) errs.push(notSupported(path.child("volumeMode"), mode, VOLUME_MODES));
  // The apiGroup check came with a ratchet for stored objects that already held an invalid group.
  const checkGroup = ctx.minor >= 33 && !(old && (has(rec(old, "dataSource"), "apiGroup") || has(rec(old, "dataSourceRef"), "apiGroup")));
  const ds = rec(spec, "dataSource");
  const dsr = rec(spec, "dataSourceRef");
  if (ds) errs.push(...validateDataSource(ds, path.child("dataSource"), checkGroup));
  if (dsr) {
    errs.push(...validateDataSource(dsr, path.child("dataSourceRef"), checkGroup));
    const ns = str(dsr, "namespace");
    if (ns) errs.push(...isDNS1123Label(ns).map((m) => invalid(path.child("dataSourceRef").child("namespace"), ns, m)));
  }
  if (dsr && str(dsr, "namespace")) {
    if (ds) errs.push(invalid(path, path.child("dataSource").toString(), "may not be specified when dataSourceRef.namespace is specified", `&field.Path{name:"dataSource", index:"", parent:(*field.Path)(…)}`));
  } else if (ds && dsr) {
    if (optStr(ds, "apiGroup") !== optStr(dsr, "apiGroup") || str(ds, "kind") !== str(dsr, "kind") || str(ds, "name") !== str(dsr, "name")) {
      errs.push(invalid(path, path.child("dataSource").toString(), "must match dataSourceRef", `&field.Path{name:"dataSource", index:"", parent:(*field.Path)(…)}`));
    }
  }
  const vac = optStr(spec, "volumeAttributesClassName");
  if (vac && (ctx.gate("VolumeAttributesClass") || has(old, "volumeAttributesClassName"))) {
    errs.push(...isDNS1123Subdomain(vac).map((m) => invalid(path.child("volumeAttributesClassName"), vac, m)));
  }
  return errs;
}

/** `ValidatePersistentVolumeClaim` without the object metadata. */
export function validatePersistentVolumeClaim(pvc: Obj, ctx: ApiContext, old?: Obj): FieldError[] {
  return validatePersistentVolumeClaimSpec(rec(pvc, "spec") ?? {}, SPEC, ctx, old ? (rec(old, "spec") ?? {}) : undefined);
}

function canonicalQuantities(spec: Obj): Obj {
  const copy = structuredClone(spec);
  const resources = rec(copy, "resources");
  for (const field of ["requests", "limits"]) {
    const m = rec(resources, field);
    if (m) for (const [k, v] of Object.entries(m)) m[k] = Quantity.from(v)?.toString() ?? v;
  }
  return copy;
}

/** `ValidatePersistentVolumeClaimUpdate` beyond the spec: immutable except resizing and (bound) volumeAttributesClassName. */
export function validatePersistentVolumeClaimUpdate(pvc: Obj, old: Obj, ctx: ApiContext): FieldError[] {
  const errs: FieldError[] = [];
  const spec = canonicalQuantities(rec(pvc, "spec") ?? {});
  const oldSpec = canonicalQuantities(rec(old, "spec") ?? {});
  const bound = str(rec(pvc, "status"), "phase") === "Bound";
  if (!str(oldSpec, "volumeName")) {
    if (has(spec, "volumeName")) oldSpec.volumeName = spec.volumeName;
    else delete oldSpec.volumeName;
  }
  const annotation = "volume.beta.kubernetes.io/storage-class";
  const oldAnnotations = rec(rec(old, "metadata"), "annotations") ?? {};
  const newAnnotations = rec(rec(pvc, "metadata"), "annotations") ?? {};
  const oldSc = oldAnnotations[annotation];
  const newSc = optStr(spec, "storageClassName");
  if (typeof oldSc === "string" && !has(oldSpec, "storageClassName") && newSc === oldSc && (!Object.hasOwn(newAnnotations, annotation) || newAnnotations[annotation] === oldSc)) {
    delete spec.storageClassName;
  } else {
    if (str(newAnnotations, annotation) !== str(oldAnnotations, annotation)) {
      errs.push(invalid(FieldPath.of("metadata", "annotations", annotation), str(newAnnotations, annotation), "field is immutable"));
    }
    if (newSc !== undefined && !has(oldSpec, "storageClassName") && (typeof oldSc !== "string" || newSc === oldSc)) delete spec.storageClassName;
  }
  if (bound && isRecord(rec(spec, "resources")?.requests)) {
    const requests = rec(rec(spec, "resources"), "requests")!;
    const oldStorage = rec(rec(oldSpec, "resources"), "requests")?.storage;
    if (oldStorage === undefined) delete requests.storage;
    else requests.storage = oldStorage;
  }
  if (bound && has(spec, "volumeAttributesClassName")) {
    if (has(oldSpec, "volumeAttributesClassName")) spec.volumeAttributesClassName = oldSpec.volumeAttributesClassName;
    else delete spec.volumeAttributesClassName;
  }
  if (!deepEqual(spec, oldSpec)) {
    const detail = ctx.minor >= 29 ? "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims" : "spec is immutable after creation except resources.requests for bound claims";
    errs.push(forbidden(SPEC, detail));
  }
  const newSize = quantities(rec(rec(pvc, "spec"), "resources")?.requests).get("storage") ?? Quantity.ofInt(0);
  const oldSize = quantities(rec(rec(old, "spec"), "resources")?.requests).get("storage") ?? Quantity.ofInt(0);
  const statusSize = quantities(rec(rec(old, "status"), "capacity")).get("storage") ?? Quantity.ofInt(0);
  if (newSize.cmp(oldSize) < 0) {
    const recover = ctx.gate("RecoverVolumeExpansionFailure") || has(rec(old, "status"), "allocatedResources") || has(rec(old, "status"), "allocatedResourceStatuses");
    if (!recover) errs.push(forbidden(FieldPath.of("spec", "resources", "requests", "storage"), "field can not be less than previous value"));
    else if (newSize.cmp(statusSize) <= 0) errs.push(forbidden(FieldPath.of("spec", "resources", "requests", "storage"), "field can not be less than status.capacity"));
  }
  const mode = optStr(rec(pvc, "spec"), "volumeMode");
  if (mode !== optStr(rec(old, "spec"), "volumeMode")) errs.push(invalid(FieldPath.of("volumeMode"), mode ?? null, "field is immutable"));
  return errs;
}
