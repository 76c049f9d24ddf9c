/**
 * Pod volumes, their sources and the containers' mounts and devices (`ValidateVolumes`,
 * `validateVolumeSource` and one function per source, `ValidateVolumeMounts`,
 * `ValidateVolumeDevices`, the local-path checks).
 */
import { isDNS1123Label, isDNS1123Subdomain } from "../../meta/names.js";
import { validateAnnotations, validateLabels } from "../../meta/object-meta.js";
import { FieldPath, forbidden, invalid, notFound, notSupported, required, duplicate, tooLong, type FieldError } from "../field.js";
import { inclusiveRangeError } from "../validation/messages.js";
import { Quantity } from "../validation/quantity.js";
import { validateLabelSelector } from "../validation/selectors.js";
import type { ApiContext } from "../context.js";
import { bool, isSet, list, num, obj, objects, optNum, optStr, str, type Obj } from "./json.js";
import type { ResolvedPodOptions } from "./pod-options.js";
import { validatePersistentVolumeClaimSpec } from "./persistent-volumes.js";
import { sourcesOf, type VOLUME_SOURCES } from "./volume-sources.js";

const FILE_MODE_ERROR = "must be a number between 0 and 0777 (octal), both inclusive";
const PD_PARTITION_ERROR = inclusiveRangeError(1, 255);

/** The volumes a pod declares, by name (only those without errors, as `ValidateVolumes` returns them). */
export type VolumeMap = Map<string, Obj>;

function validateFileMode(v: unknown, path: FieldPath): FieldError[] {
  const mode = optNum(v);
  return mode !== undefined && (mode > 0o777 || mode < 0) ? [invalid(path, mode, FILE_MODE_ERROR)] : [];
}

/** `validatePathNoBacksteps`: no `..` element. */
export function validatePathNoBacksteps(target: string, path: FieldPath): FieldError[] {
  return target.replace(/\\/g, "/").split("/").includes("..") ? [invalid(path, target, "must not contain '..'")] : [];
}

/** `validateLocalDescendingPath`: relative, without `..` elements. */
export function validateLocalDescendingPath(target: string, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (target.startsWith("/")) errs.push(invalid(path, target, "must be a relative path"));
  errs.push(...validatePathNoBacksteps(target, path));
  return errs;
}

/** `ValidateLocalNonReservedPath`: a local descending path not starting with `..`. */
export function validateLocalNonReservedPath(target: string, path: FieldPath): FieldError[] {
  const errs = validateLocalDescendingPath(target, path);
  if (target.startsWith("..") && !target.startsWith("../")) errs.push(invalid(path, target, "must not start with '..'"));
  return errs;
}

function validateKeyToPath(kp: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const key = str(kp.key);
  const p = str(kp.path);
  if (key === "") errs.push(required(path.child("key"), ""));
  if (p === "") errs.push(required(path.child("path"), ""));
  if (p !== undefined) errs.push(...validateLocalNonReservedPath(p, path.child("path")));
  errs.push(...validateFileMode(kp.mode, path.child("mode")));
  return errs;
}

const HOST_PATH_TYPES = ["", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"];

function validateHostPath(s: Obj, path: FieldPath): FieldError[] {
  const p = str(s.path);
  if (p === "") return [required(path.child("path"), "")];
  if (p === undefined) return [];
  const errs = validatePathNoBacksteps(p, path.child("path"));
  const type = optStr(s.type);
  if (type !== undefined && !HOST_PATH_TYPES.includes(type)) errs.push(notSupported(path.child("type"), type, HOST_PATH_TYPES));
  return errs;
}

function validateGitRepo(s: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (str(s.repository) === "") errs.push(required(path.child("repository"), ""));
  const dir = str(s.directory);
  if (dir !== undefined) errs.push(...validateLocalDescendingPath(dir, path.child("directory")));
  return errs;
}

const IQN = /iqn\.\d{4}-\d{2}\.([A-Za-z0-9\-.]+)(:[^,;*&$|\s]+)$/;
const EUI = /^eui.[A-Za-z0-9]{16}$/;
const NAA = /^naa.[A-Za-z0-9]{32}$/;

function iqnFormatError(value: string): boolean {
  return (value.startsWith("iqn") && !IQN.test(value)) || (value.startsWith("eui") && !EUI.test(value)) || (value.startsWith("naa") && !NAA.test(value));
}

const startsWithKnownPrefix = (v: string) => v.startsWith("iqn") || v.startsWith("eui") || v.startsWith("naa");

function validateISCSI(s: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (str(s.targetPortal) === "") errs.push(required(path.child("targetPortal"), ""));
  const iqn = str(s.iqn);
  if (iqn === "") errs.push(required(path.child("iqn"), ""));
  else if (iqn !== undefined) {
    if (!startsWithKnownPrefix(iqn)) errs.push(invalid(path.child("iqn"), iqn, "must be valid format starting with iqn, eui, or naa"));
    else if (iqnFormatError(iqn)) errs.push(invalid(path.child("iqn"), iqn, "must be valid format"));
  }
  const lun = num(s.lun);
  if (lun !== undefined && (lun < 0 || lun > 255)) errs.push(invalid(path.child("lun"), lun, inclusiveRangeError(0, 255)));
  if ((bool(s.chapAuthDiscovery) || bool(s.chapAuthSession)) && !isSet(s.secretRef)) errs.push(required(path.child("secretRef"), ""));
  const initiator = optStr(s.initiatorName);
  if (initiator !== undefined) {
    if (!startsWithKnownPrefix(initiator)) errs.push(invalid(path.child("initiatorname"), initiator, "must be valid format starting with iqn, eui, or naa"));
    if (iqnFormatError(initiator)) errs.push(invalid(path.child("initiatorname"), initiator, "must be valid format"));
  }
  return errs;
}

function validateFC(s: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const wwns = list(s.targetWWNs);
  const wwids = list(s.wwids);
  if (wwns.length < 1 && wwids.length < 1) errs.push(required(path.child("targetWWNs"), "must specify either targetWWNs or wwids, but not both"));
  if (wwns.length !== 0 && wwids.length !== 0) {
    errs.push(invalid(path.child("targetWWNs"), wwns, "targetWWNs and wwids can not be specified simultaneously", `[]string{${wwns.map((w) => JSON.stringify(w)).join(", ")}}`));
  }
  if (wwns.length !== 0) {
    const lun = optNum(s.lun);
    if (lun === undefined) errs.push(required(path.child("lun"), "lun is required if targetWWNs is specified"));
    else if (lun < 0 || lun > 255) errs.push(invalid(path.child("lun"), lun, inclusiveRangeError(0, 255)));
  }
  return errs;
}

function validatePDLike(s: Obj, idField: string, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (str(s[idField]) === "") errs.push(required(path.child(idField), ""));
  const partition = num(s.partition);
  if (partition !== undefined && (partition < 0 || partition > 255)) errs.push(invalid(path.child("partition"), partition, PD_PARTITION_ERROR));
  return errs;
}

function validateSecretVolume(s: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (str(s.secretName) === "") errs.push(required(path.child("secretName"), ""));
  errs.push(...validateFileMode(s.defaultMode, path.child("defaultMode")));
  for (const [kp, i] of objects(s.items)) errs.push(...validateKeyToPath(kp, path.child("items").index(i)));
  return errs;
}

function validateConfigMapVolume(s: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (str(s.name) === "") errs.push(required(path.child("name"), ""));
  errs.push(...validateFileMode(s.defaultMode, path.child("defaultMode")));
  for (const [kp, i] of objects(s.items)) errs.push(...validateKeyToPath(kp, path.child("items").index(i)));
  return errs;
}

function validateNFS(s: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (str(s.server) === "") errs.push(required(path.child("server"), ""));
  const p = str(s.path);
  if (p === "") errs.push(required(path.child("path"), ""));
  if (p !== undefined && !p.startsWith("/")) errs.push(invalid(path.child("path"), p, "must be an absolute path"));
  return errs;
}

function validateQuobyte(s: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const registry = str(s.registry);
  if (registry === "") errs.push(required(path.child("registry"), "must be a host:port pair or multiple pairs separated by commas"));
  else if ((str(s.tenant) ?? "").length >= 65) errs.push(required(path.child("tenant"), "must be a UUID and may not exceed a length of 64 characters"));
  else if (registry !== undefined) {
    for (const pair of registry.split(",")) {
      if (!splitHostPort(pair)) errs.push(invalid(path.child("registry"), registry, "must be a host:port pair or multiple pairs separated by commas"));
    }
  }
  if (str(s.volume) === "") errs.push(required(path.child("volume"), ""));
  return errs;
}

/** Go's `net.SplitHostPort` succeeds: `host:port` or `[v6]:port`, one colon outside brackets. */
function splitHostPort(hostport: string): boolean {
  if (hostport.startsWith("[")) return /^\[[^\]]*\]:[^:]*$/.test(hostport);
  const i = hostport.lastIndexOf(":");
  return i >= 0 && !hostport.slice(0, i).includes(":") && !hostport.includes("[") && !hostport.includes("]");
}

function validateRequired(s: Obj, fields: readonly string[], path: FieldPath): FieldError[] {
  return fields.filter((f) => str(s[f]) === "" || (Array.isArray(s[f]) ? list(s[f]).length === 0 : false)).map((f) => required(path.child(f), ""));
}

function validateSecretRefName(s: Obj, path: FieldPath): FieldError[] {
  const ref = obj(s.secretRef);
  return ref && str(ref.name) === "" ? [required(path.child("secretRef").child("name"), "")] : [];
}

function validateFlocker(s: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(s.datasetName) ?? "";
  const uuid = str(s.datasetUUID) ?? "";
  if (name === "" && uuid === "") errs.push(required(path, "one of datasetName and datasetUUID is required"));
  if (name !== "" && uuid !== "") errs.push(invalid(path, "resource", "datasetName and datasetUUID can not be specified simultaneously"));
  if (name.includes("/")) errs.push(invalid(path.child("datasetName"), name, "must not contain '/'"));
  return errs;
}

function validateFlexVolume(s: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (str(s.driver) === "") errs.push(required(path.child("driver"), ""));
  for (const k of Object.keys(obj(s.options) ?? {})) {
    const slash = k.indexOf("/");
    const ns = slash >= 0 ? k.slice(0, slash) : k;
    const normalized = `.${ns.toLowerCase()}`;
    if (normalized.endsWith(".kubernetes.io") || normalized.endsWith(".k8s.io")) errs.push(invalid(path.child("options").key(k), k, "kubernetes.io and k8s.io namespaces are reserved"));
  }
  return errs;
}

const AZURE_CACHING = ["None", "ReadOnly", "ReadWrite"];
const AZURE_KINDS = ["Dedicated", "Managed", "Shared"];

function validateAzureDisk(s: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (str(s.diskName) === "") errs.push(required(path.child("diskName"), ""));
  const uri = str(s.diskURI) ?? "";
  if (str(s.diskURI) === "") errs.push(required(path.child("diskURI"), ""));
  const caching = optStr(s.cachingMode);
  if (caching !== undefined && !AZURE_CACHING.includes(caching)) errs.push(notSupported(path.child("cachingMode"), caching, AZURE_CACHING));
  const kind = optStr(s.kind);
  if (kind !== undefined && !AZURE_KINDS.includes(kind)) errs.push(notSupported(path.child("kind"), kind, AZURE_KINDS));
  if (kind === "Managed" && !uri.startsWith("/subscriptions/")) {
    errs.push(notSupported(path.child("diskURI"), uri, ["/subscriptions/{sub-id}/resourcegroups/{group-name}/providers/microsoft.compute/disks/{disk-id}"]));
  }
  if (kind !== undefined && kind !== "Managed" && !uri.startsWith("https://")) {
    errs.push(notSupported(path.child("diskURI"), uri, ["https://{account-name}.blob.core.windows.net/{container-name}/{disk-name}.vhd"]));
  }
  return errs;
}

function validateStorageOS(s: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(s.volumeName);
  if (name === "") errs.push(required(path.child("volumeName"), ""));
  else if (name !== undefined) for (const m of isDNS1123Label(name)) errs.push(invalid(path.child("volumeName"), name, m));
  const ns = str(s.volumeNamespace);
  if (ns) for (const m of isDNS1123Label(ns)) errs.push(invalid(path.child("volumeNamespace"), ns, m));
  errs.push(...validateSecretRefName(s, path));
  return errs;
}

/** `ValidateCSIDriverName`. */
function validateCSIDriverName(driver: string, path: FieldPath, minor: number): FieldError[] {
  const errs: FieldError[] = [];
  if (driver.length === 0) errs.push(required(path, ""));
  if (driver.length > 63) errs.push(tooLong(path, undefined, 63, minor));
  for (const m of isDNS1123Subdomain(driver.toLowerCase())) errs.push(invalid(path, driver, m));
  return errs;
}

function validateCSIVolume(s: Obj, path: FieldPath, minor: number): FieldError[] {
  const driver = str(s.driver);
  const errs = driver === undefined ? [] : validateCSIDriverName(driver, path.child("driver"), minor);
  const ref = obj(s.nodePublishSecretRef);
  if (ref) {
    const name = str(ref.name);
    if (name === "") errs.push(required(path.child("nodePublishSecretRef").child("name"), ""));
    else if (name !== undefined) for (const m of isDNS1123Subdomain(name)) errs.push(invalid(path.child("name"), name, m));
  }
  return errs;
}

/** `ValidatePersistentVolumeClaimTemplate`: template metadata (labels and annotations only) and the claim spec. */
function validateClaimTemplate(t: Obj, path: FieldPath, ctx: ApiContext): FieldError[] {
  const meta = obj(t.metadata) ?? {};
  const metaPath = path.child("metadata");
  const errs = [...validateAnnotations(meta.annotations, metaPath.child("annotations")), ...validateLabels(meta.labels, metaPath.child("labels"))];
  for (const k of Object.keys(meta)) {
    if (k !== "labels" && k !== "annotations" && isSet(meta[k]) && !(typeof meta[k] === "string" && meta[k] === "")) errs.push(forbidden(metaPath.child(k), "cannot be set"));
  }
  errs.push(...validatePersistentVolumeClaimSpec(obj(t.spec) ?? {}, path.child("spec"), ctx));
  return errs;
}

function validateEphemeral(s: Obj, path: FieldPath, ctx: ApiContext): FieldError[] {
  const t = obj(s.volumeClaimTemplate);
  return t ? validateClaimTemplate(t, path.child("volumeClaimTemplate"), ctx) : [required(path.child("volumeClaimTemplate"), "")];
}

const VOLUME_DOWNWARD_PATHS = ["metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace", "metadata.uid"];

function validateDownwardAPIFile(file: Obj, path: FieldPath, resolveField: FieldSelectorCheck): FieldError[] {
  const errs: FieldError[] = [];
  const p = str(file.path);
  if (p === "") errs.push(required(path.child("path"), ""));
  if (p !== undefined) errs.push(...validateLocalNonReservedPath(p, path.child("path")));
  const fieldRef = obj(file.fieldRef);
  const resourceFieldRef = obj(file.resourceFieldRef);
  if (fieldRef) {
    errs.push(...resolveField.objectField(fieldRef, VOLUME_DOWNWARD_PATHS, path.child("fieldRef")));
    if (resourceFieldRef) errs.push(invalid(path, "resource", "fieldRef and resourceFieldRef can not be specified simultaneously"));
  } else if (resourceFieldRef) {
    errs.push(...resolveField.resourceField(resourceFieldRef, path.child("resourceFieldRef"), true));
  } else {
    errs.push(required(path, "one of fieldRef and resourceFieldRef is required"));
  }
  errs.push(...validateFileMode(file.mode, path.child("mode")));
  return errs;
}

/** The downward API selectors, shared with environment variables (defined in containers.ts). */
export interface FieldSelectorCheck {
  objectField(ref: Obj, allowed: readonly string[], path: FieldPath): FieldError[];
  resourceField(ref: Obj, path: FieldPath, volume: boolean): FieldError[];
}

function validateDownwardAPIVolume(s: Obj, path: FieldPath, selectors: FieldSelectorCheck): FieldError[] {
  const errs = validateFileMode(s.defaultMode, path.child("defaultMode"));
  for (const [file] of objects(s.items)) errs.push(...validateDownwardAPIFile(file, path, selectors));
  return errs;
}

function validateProjected(s: Obj, path: FieldPath, opts: ResolvedPodOptions, selectors: FieldSelectorCheck, minor: number): FieldError[] {
  const errs = validateFileMode(s.defaultMode, path.child("defaultMode"));
  const allPaths = new Set<string>();
  for (const [source, i] of objects(s.sources)) {
    let n = 0;
    const srcPath = path.child("sources").index(i);
    for (const kind of ["secret", "configMap"] as const) {
      const ref = obj(source[kind]);
      if (!ref) continue;
      n++;
      const projPath = srcPath.child(kind);
      if (str(ref.name) === "") errs.push(required(projPath.child("name"), ""));
      for (const [kp, j] of objects(ref.items)) {
        errs.push(...validateKeyToPath(kp, projPath.child("items").index(j)));
        const p = str(kp.path);
        if (p) {
          if (allPaths.has(p)) errs.push(invalid(path, str(ref.name) ?? "", "conflicting duplicate paths"));
          else allPaths.add(p);
        }
      }
    }
    const downward = obj(source.downwardAPI);
    if (downward) {
      n++;
      for (const [file] of objects(downward.items)) {
        errs.push(...validateDownwardAPIFile(file, srcPath.child("downwardAPI"), selectors));
        const p = str(file.path);
        if (p) {
          if (allPaths.has(p)) errs.push(invalid(path, p, "conflicting duplicate paths"));
          else allPaths.add(p);
        }
      }
    }
    const token = obj(source.serviceAccountToken);
    if (token) {
      n++;
      const projPath = srcPath.child("serviceAccountToken");
      const exp = num(token.expirationSeconds) ?? 3600;
      if (exp < 600) errs.push(invalid(projPath.child("expirationSeconds"), exp, "may not specify a duration less than 10 minutes"));
      if (exp > 2 ** 32) errs.push(invalid(projPath.child("expirationSeconds"), exp, "may not specify a duration larger than 2^32 seconds"));
      const p = str(token.path);
      if (p === "") errs.push(required(path.child("path"), ""));
      else if (p !== undefined && !opts.allowNonLocalProjectedTokenPath) errs.push(...validateLocalNonReservedPath(p, path.child("path")));
    }
    const bundle = obj(source.clusterTrustBundle);
    if (bundle) {
      n++;
      errs.push(...validateClusterTrustBundleProjection(bundle, srcPath.child("clusterTrustBundle"), path, allPaths));
    }
    if (isSet(source.podCertificate)) n++;
    if (n > 1) errs.push(forbidden(srcPath, "may not specify more than 1 volume type per source"));
  }
  void minor;
  return errs;
}

function validateClusterTrustBundleProjection(b: Obj, projPath: FieldPath, path: FieldPath, allPaths: Set<string>): FieldError[] {
  const errs: FieldError[] = [];
  const name = optStr(b.name);
  const signer = optStr(b.signerName);
  if (name !== undefined && signer !== undefined) errs.push(invalid(projPath, b, "only one of name and signerName may be used"));
  else if (name !== undefined) {
    if (name === "") errs.push(required(projPath.child("name"), "must be a valid object name"));
    if (isSet(b.labelSelector)) errs.push(invalid(projPath.child("labelSelector"), b.labelSelector, "labelSelector must be unset if name is specified"));
  } else if (signer !== undefined) {
    if (signer === "") errs.push(required(projPath.child("signerName"), "must be a valid signer name"));
    errs.push(...validateLabelSelector(b.labelSelector, {}, projPath.child("labelSelector")));
  } else errs.push(required(projPath, "either name or signerName must be specified"));
  const p = str(b.path) ?? "";
  if (p === "") errs.push(required(projPath.child("path"), ""));
  errs.push(...validateLocalNonReservedPath(p, projPath.child("path")));
  if (allPaths.has(p)) errs.push(invalid(path, p, "conflicting duplicate paths"));
  else allPaths.add(p);
  return errs;
}

const PULL_POLICIES = ["Always", "IfNotPresent", "Never"];

/** `validatePullPolicy`. */
export function validatePullPolicy(policy: string | undefined, path: FieldPath): FieldError[] {
  if (policy === undefined || PULL_POLICIES.includes(policy)) return [];
  return policy === "" ? [required(path, "")] : [notSupported(path, policy, PULL_POLICIES)];
}

function validateImageVolume(s: Obj, path: FieldPath, opts: ResolvedPodOptions): FieldError[] {
  const errs: FieldError[] = [];
  if (opts.resourceIsPod && str(s.reference) === "") errs.push(required(path.child("reference"), ""));
  errs.push(...validatePullPolicy(str(s.pullPolicy), path.child("pullPolicy")));
  return errs;
}

/** Context for validating volumes. */
export interface VolumeContext {
  podName: string | undefined;
  opts: ResolvedPodOptions;
  selectors: FieldSelectorCheck;
  minor: number;
  ctx: ApiContext;
}

/** The forbidden-path name Go uses for a source listed after another (two differ from the JSON field). */
const FORBIDDEN_NAME: Partial<Record<(typeof VOLUME_SOURCES)[number], string>> = { cephfs: "cephFS", downwardAPI: "downwarAPI" };

function validateVolumeSource(v: Obj, path: FieldPath, volName: string, vc: VolumeContext): FieldError[] {
  const errs: FieldError[] = [];
  let n = 0;
  for (const kind of sourcesOf(v)) {
    const raw = v[kind];
    if (raw === undefined || raw === null) continue;
    if (n > 0 && kind !== "emptyDir") {
      errs.push(forbidden(path.child(FORBIDDEN_NAME[kind] ?? kind), "may not specify more than 1 volume type"));
      continue;
    }
    n++;
    const s = obj(raw);
    if (!s) continue;
    errs.push(...validateOneSource(kind, s, path, volName, vc));
  }
  if (n === 0) errs.push(required(path, "must specify a volume type"));
  return errs;
}

function validateOneSource(kind: (typeof VOLUME_SOURCES)[number], s: Obj, path: FieldPath, volName: string, vc: VolumeContext): FieldError[] {
  const p = path.child(kind);
  switch (kind) {
    case "emptyDir": {
      const limit = Quantity.from(s.sizeLimit);
      return limit && limit.sign() < 0 ? [forbidden(p.child("sizeLimit"), "SizeLimit field must be a valid resource quantity")] : [];
    }
    case "hostPath":
      return validateHostPath(s, p);
    case "gitRepo":
      return validateGitRepo(s, p);
    case "gcePersistentDisk":
      return validatePDLike(s, "pdName", path.child("persistentDisk"));
    case "awsElasticBlockStore":
      return validatePDLike(s, "volumeID", p);
    case "secret":
      return validateSecretVolume(s, p);
    case "nfs":
      return validateNFS(s, p);
    case "iscsi": {
      const errs = validateISCSI(s, p);
      if (isSet(s.initiatorName) && `${volName}:${str(s.targetPortal) ?? ""}`.length > 64) {
        errs.push(invalid(path.child("name"), volName, "Total length of <volume name>:<iscsi.targetPortal> must be under 64 characters if iscsi.initiatorName is specified."));
      }
      return errs;
    }
    case "glusterfs":
      return validateRequired(s, ["endpoints", "path"], p);
    case "flocker":
      return validateFlocker(s, p);
    case "persistentVolumeClaim":
      return str(s.claimName) === "" ? [required(p.child("claimName"), "")] : [];
    case "rbd":
      return validateRequired(s, ["monitors", "image"], p);
    case "cinder":
      return [...validateRequired(s, ["volumeID"], p), ...validateSecretRefName(s, p)];
    case "cephfs":
      return validateRequired(s, ["monitors"], p);
    case "quobyte":
      return validateQuobyte(s, p);
    case "downwardAPI":
      return validateDownwardAPIVolume(s, p, vc.selectors);
    case "fc":
      return validateFC(s, p);
    case "flexVolume":
      return validateFlexVolume(s, p);
    case "configMap":
      return validateConfigMapVolume(s, p);
    case "azureFile":
      return validateRequired(s, ["secretName", "shareName"], p);
    case "vsphereVolume":
      return validateRequired(s, ["volumePath"], p);
    case "photonPersistentDisk":
      return validateRequired(s, ["pdID"], p);
    case "portworxVolume":
      return validateRequired(s, ["volumeID"], p);
    case "azureDisk":
      return validateAzureDisk(s, p);
    case "storageos":
      return validateStorageOS(s, p);
    case "projected":
      return validateProjected(s, p, vc.opts, vc.selectors, vc.minor);
    case "scaleIO":
      return validateRequired(s, ["gateway", "system", "volumeName"], p);
    case "csi":
      return validateCSIVolume(s, p, vc.minor);
    case "ephemeral": {
      const errs = validateEphemeral(s, p, vc.ctx);
      if (vc.podName && volName) {
        const pvcName = `${vc.podName}-${volName}`;
        for (const m of isDNS1123Subdomain(pvcName)) errs.push(invalid(path.child("name"), volName, `PVC name "${pvcName}": ${m}`));
      }
      return errs;
    }
    case "image":
      return validateImageVolume(s, p, vc.opts);
  }
}

/**
 * `ValidateVolumes`: each volume's name (a DNS label, unique) and exactly one valid source. Returns
 * the volumes without errors by name, for the mounts to refer to.
 *
 * @example
 * validateVolumes([{ name: "data", emptyDir: {} }], FieldPath.of("spec", "volumes"), vc).errors; // []
 */
export function validateVolumes(volumes: unknown, path: FieldPath, vc: VolumeContext): { volumes: VolumeMap; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const names = new Set<string>();
  const vols: VolumeMap = new Map();
  const created = new Set<string>();
  if (vc.podName) for (const [v] of objects(volumes)) if (isSet(v.ephemeral)) created.add(`${vc.podName}-${str(v.name) ?? ""}`);
  for (const [v, i] of objects(volumes)) {
    const idxPath = path.index(i);
    const name = str(v.name);
    const el = validateVolumeSource(v, idxPath, name ?? "", vc);
    if (name === "") el.push(required(idxPath.child("name"), ""));
    else if (name !== undefined) for (const m of isDNS1123Label(name)) el.push(invalid(idxPath.child("name"), name, m));
    if (name !== undefined && names.has(name)) el.push(duplicate(idxPath.child("name"), name));
    if (el.length === 0 && name !== undefined) {
      names.add(name);
      vols.set(name, v);
    } else errors.push(...el);
    const claimName = str(obj(v.persistentVolumeClaim)?.claimName);
    if (claimName && created.has(claimName)) {
      errors.push(invalid(idxPath.child("persistentVolumeClaim").child("claimName"), claimName, "must not reference a PVC that gets created for an ephemeral volume"));
    }
  }
  return { volumes: vols, errors };
}

const PROPAGATIONS = ["Bidirectional", "HostToContainer", "None"];
const RRO = ["Disabled", "Enabled", "IfPossible"];

const NO_NAMES: ReadonlySet<string> = new Set();

/**
 * `ValidateVolumeMounts`: each mount names a declared volume, has a unique path, and sets
 * subPath, propagation and recursive read-only consistently.
 *
 * @example
 * validateVolumeMounts(container, new Map(), FieldPath.of("volumeMounts"), 36); // a mount naming no volume: Not found
 */
export function validateVolumeMounts(container: Obj, volumes: VolumeMap, path: FieldPath, minor: number): FieldError[] {
  const errs: FieldError[] = [];
  const mountpoints = new Set<string>();
  // Most containers have no volume devices: their names and paths are gathered only when there are some.
  const devices = Array.isArray(container.volumeDevices) && container.volumeDevices.length ? objects(container.volumeDevices).map(([d]) => [str(d.name) ?? "", str(d.devicePath) ?? ""] as const) : undefined;
  const deviceNames = devices ? new Set(devices.map(([n]) => n)) : NO_NAMES;
  const devicePaths = devices ? new Set(devices.map(([, p]) => p)) : NO_NAMES;
  const privileged = obj(container.securityContext)?.privileged === true;
  for (const [m, i] of objects(container.volumeMounts)) {
    const name = str(m.name);
    const mountPath = str(m.mountPath);
    if (name === undefined || mountPath === undefined) continue;
    if (name === "") errs.push(required(path.index(i).child("name"), ""));
    if (!volumes.has(name)) errs.push(notFound(path.index(i).child("name"), name));
    if (mountPath === "") errs.push(required(path.index(i).child("mountPath"), ""));
    if (mountpoints.has(mountPath)) errs.push(invalid(path.index(i).child("mountPath"), mountPath, "must be unique"));
    mountpoints.add(mountPath);
    if (deviceNames.has(name)) errs.push(invalid(path.index(i).child("name"), name, "must not already exist in volumeDevices"));
    if (devicePaths.has(mountPath)) errs.push(invalid(path.index(i).child("mountPath"), mountPath, "must not already exist as a path in volumeDevices"));
    const subPath = str(m.subPath) ?? "";
    const subPathExpr = str(m.subPathExpr) ?? "";
    // Image volumes accept subPath and subPathExpr from 1.33.
    if (minor < 33 && isSet(volumes.get(name)?.image)) {
      if (subPath) errs.push(invalid(path.index(i).child("subPath"), subPath, "not allowed in image volume sources"));
      if (subPathExpr) errs.push(invalid(path.index(i).child("subPathExpr"), subPathExpr, "not allowed in image volume sources"));
    }
    // Kubernetes reports subPath problems at the list's path, not the mount's.
    if (subPath) errs.push(...validateLocalDescendingPath(subPath, path.child("subPath")));
    if (subPathExpr) {
      if (subPath) errs.push(invalid(path.index(i).child("subPathExpr"), subPathExpr, "subPathExpr and subPath are mutually exclusive"));
      errs.push(...validateLocalDescendingPath(subPathExpr, path.child("subPathExpr")));
    }
    const propagation = optStr(m.mountPropagation);
    if (propagation !== undefined) {
      if (!PROPAGATIONS.includes(propagation)) errs.push(notSupported(path.child("mountPropagation"), propagation, PROPAGATIONS));
      if (propagation === "Bidirectional" && !privileged) errs.push(forbidden(path.child("mountPropagation"), "Bidirectional mount propagation is available only to privileged containers"));
    }
    const rro = optStr(m.recursiveReadOnly);
    if (rro !== undefined && rro !== "Disabled") {
      if (rro === "Enabled" || rro === "IfPossible") {
        if (m.readOnly !== true) errs.push(forbidden(path.child("recursiveReadOnly"), "may only be specified when readOnly is true"));
        if (propagation !== undefined && propagation !== "None") errs.push(forbidden(path.child("recursiveReadOnly"), "may only be specified when mountPropagation is None or not specified"));
      } else errs.push(notSupported(path.child("recursiveReadOnly"), rro, RRO));
    }
  }
  return errs;
}

/**
 * `ValidateVolumeDevices`: block devices name a claim-backed volume, with unique names and paths.
 *
 * @example
 * validateVolumeDevices(container, volumes, FieldPath.of("volumeDevices"));
 */
export function validateVolumeDevices(container: Obj, volumes: VolumeMap, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!Array.isArray(container.volumeDevices) || container.volumeDevices.length === 0) return errs;
  const paths = new Set<string>();
  const names = new Set<string>();
  const mounts = objects(container.volumeMounts).map(([m]) => [str(m.name) ?? "", str(m.mountPath) ?? ""] as const);
  const mountNames = new Set(mounts.map(([n]) => n));
  const mountPaths = new Set(mounts.map(([, p]) => p));
  for (const [d, i] of objects(container.volumeDevices)) {
    const idxPath = path.index(i);
    const name = str(d.name);
    const devPath = str(d.devicePath);
    if (name === undefined || devPath === undefined) continue;
    const source = volumes.get(name);
    const isPVC = source !== undefined && (isSet(source.persistentVolumeClaim) || isSet(source.ephemeral));
    if (name === "") errs.push(required(idxPath.child("name"), ""));
    if (names.has(name)) errs.push(invalid(idxPath.child("name"), name, "must be unique"));
    if (source && !isPVC) errs.push(invalid(idxPath.child("name"), name, "can only use volume source type of PersistentVolumeClaim or Ephemeral for block mode"));
    if (!source) errs.push(notFound(idxPath.child("name"), name));
    if (devPath === "") errs.push(required(idxPath.child("devicePath"), ""));
    if (paths.has(devPath)) errs.push(invalid(idxPath.child("devicePath"), devPath, "must be unique"));
    if (devPath && validatePathNoBacksteps(devPath, path).length) errs.push(invalid(idxPath.child("devicePath"), devPath, "can not contain backsteps ('..')"));
    else paths.add(devPath);
    if (mountNames.has(name)) errs.push(invalid(idxPath.child("name"), name, "must not already exist in volumeMounts"));
    if (mountPaths.has(devPath)) errs.push(invalid(idxPath.child("devicePath"), devPath, "must not already exist as a path in volumeMounts"));
    if (name) names.add(name);
  }
  return errs;
}

