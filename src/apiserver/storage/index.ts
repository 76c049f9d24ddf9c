/**
 * The storage.k8s.io API group (pkg/apis/storage/validation, pkg/apis/storage/v1/defaults.go):
 * StorageClass (provisioner, parameters, reclaim policy, binding mode, allowed topologies; immutable
 * parameters, provisioner, reclaim policy and binding mode), CSIDriver, VolumeAttachment, CSINode
 * (drivers, node IDs, topology keys; drivers immutable by name), CSIStorageCapacity (node topology,
 * class name, capacity; topology and class immutable) and VolumeAttributesClass (driver and
 * parameters, both immutable).
 */
import type { GroupRules } from "../registry.js";
import { duplicate, FieldPath, forbidden, invalid, notSupported, required, tooLong, type FieldError } from "../field.js";
import {
  badValue,
  hasInvalidSelectorValues,
  isDNS1123Subdomain,
  labelSelectorValue,
  Quantity,
  validateLabelSelector,
  validateNonnegativeField,
  isQualifiedName,
  listAt,
  objectAt,
  optionalObject,
  semanticEqual,
  stringAt,
  stringsAt,
  validateImmutableField,
  validateLabelName,
} from "../validation/index.js";
import type { ApiContext } from "../context.js";

type Obj = Record<string, unknown>;

const MAX_PARAMETER_SIZE = 256 * 1024;
const MAX_PARAMETER_COUNT = 512;

/** `SetDefaults_StorageClass`. */
function defaultStorageClass(sc: Obj): void {
  if (sc.reclaimPolicy === undefined || sc.reclaimPolicy === null) sc.reclaimPolicy = "Delete";
  if (sc.volumeBindingMode === undefined || sc.volumeBindingMode === null) sc.volumeBindingMode = "Immediate";
}

/** `validateProvisioner`. */
function validateProvisioner(provisioner: string, path: FieldPath): FieldError[] {
  if (!provisioner) return [required(path, "")];
  const lower = provisioner.toLowerCase();
  return isQualifiedName(lower).map((m) => invalid(path, lower, m));
}

/** `validateParameters`: at most 512 entries of 256 KiB in all; VolumeAttributesClass needs one at least. */
function validateParameters(params: Obj, path: FieldPath, ctx: ApiContext, allowEmpty = true): FieldError[] {
  const entries = Object.entries(params);
  if (entries.length > MAX_PARAMETER_COUNT) return [tooLong(path, "Provisioner Parameters exceeded max allowed", MAX_PARAMETER_COUNT, ctx.minor)];
  const errs: FieldError[] = [];
  let total = 0;
  for (const [k, v] of entries) {
    if (k.length < 1) errs.push(invalid(path, k, "field can not be empty."));
    total += Buffer.byteLength(k) + (typeof v === "string" ? Buffer.byteLength(v) : 0);
  }
  if (total > MAX_PARAMETER_SIZE) errs.push(tooLong(path, "", MAX_PARAMETER_SIZE, ctx.minor));
  if (!allowEmpty && entries.length === 0) errs.push(required(path, "must contain at least one key/value pair"));
  return errs;
}

/** `validateTopologySelectorLabelRequirement` and `ValidateTopologySelectorTerm` (core). */
function validateTopologySelectorTerm(term: Obj, path: FieldPath): { keys: Map<string, Set<string>>; errs: FieldError[] } {
  const errs: FieldError[] = [];
  const keys = new Map<string, Set<string>>();
  listAt(term.matchLabelExpressions).forEach((r, i) => {
    const req = objectAt(r);
    const p = path.child("matchLabelExpressions").index(i);
    const values = stringsAt(req.values);
    const set = new Set<string>();
    if (values.length === 0) errs.push(required(p.child("values"), ""));
    values.forEach((v, j) => {
      if (set.has(v)) errs.push(duplicate(p.child("values").index(j), v));
      set.add(v);
    });
    const key = stringAt(req.key);
    errs.push(...validateLabelName(key, p.child("key")));
    if (keys.has(key)) errs.push(duplicate(p.child("key"), key));
    keys.set(key, set);
  });
  return { keys, errs };
}

function sameTerms(a: Map<string, Set<string>>, b: Map<string, Set<string>>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const w = b.get(k);
    if (!w || w.size !== v.size || [...v].some((x) => !w.has(x))) return false;
  }
  return true;
}

/** `validateAllowedTopologies`: terms must differ (Kubernetes also counts an empty term as a duplicate of the unset slots it compares with). */
function validateAllowedTopologies(terms: readonly unknown[], path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const seen: Array<Map<string, Set<string>>> = terms.map(() => new Map());
  terms.forEach((t, i) => {
    const { keys, errs: termErrs } = validateTopologySelectorTerm(objectAt(t), path.index(i));
    errs.push(...termErrs);
    for (const s of seen) if (sameTerms(keys, s)) errs.push(duplicate(path.index(i).child("matchLabelExpressions"), ""));
    seen.push(keys);
  });
  return errs;
}

/** `ValidateStorageClass` without the object metadata. */
function validateStorageClass(sc: Obj, ctx: ApiContext): FieldError[] {
  const errs = validateProvisioner(stringAt(sc.provisioner), FieldPath.of("provisioner"));
  errs.push(...validateParameters(objectAt(sc.parameters), FieldPath.of("parameters"), ctx));
  const reclaim = stringAt(sc.reclaimPolicy);
  if (reclaim && reclaim !== "Delete" && reclaim !== "Retain") errs.push(notSupported(FieldPath.of("reclaimPolicy"), reclaim, ["Delete", "Retain"]));
  const mode = sc.volumeBindingMode;
  if (typeof mode !== "string") errs.push(required(FieldPath.of("volumeBindingMode"), ""));
  else if (mode !== "Immediate" && mode !== "WaitForFirstConsumer") errs.push(notSupported(FieldPath.of("volumeBindingMode"), mode, ["Immediate", "WaitForFirstConsumer"]));
  errs.push(...validateAllowedTopologies(listAt(sc.allowedTopologies), FieldPath.of("allowedTopologies")));
  return errs;
}

/** `ValidateStorageClassUpdate`. */
function validateStorageClassUpdate(sc: Obj, stored: Obj): FieldError[] {
  // The stored object was defaulted when it was written.
  const old = { ...stored };
  defaultStorageClass(old);
  const errs: FieldError[] = [];
  if (!semanticEqual(sc.parameters, old.parameters)) errs.push(forbidden(FieldPath.of("parameters"), "updates to parameters are forbidden."));
  if (stringAt(sc.provisioner) !== stringAt(old.provisioner)) errs.push(forbidden(FieldPath.of("provisioner"), "updates to provisioner are forbidden."));
  if (stringAt(sc.reclaimPolicy) !== stringAt(old.reclaimPolicy)) errs.push(forbidden(FieldPath.of("reclaimPolicy"), "updates to reclaimPolicy are forbidden."));
  errs.push(...validateImmutableField(sc.volumeBindingMode, old.volumeBindingMode, FieldPath.of("volumeBindingMode")));
  return errs;
}

/** `ValidateCSIDriverName` (core). */
function validateCSIDriverName(name: string, path: FieldPath, ctx: ApiContext): FieldError[] {
  const errs: FieldError[] = [];
  if (!name) errs.push(required(path, ""));
  if (name.length > 63) errs.push(tooLong(path, name, 63, ctx.minor));
  for (const m of isDNS1123Subdomain(name.toLowerCase())) errs.push(invalid(path, name, m));
  return errs;
}

/** `SetDefaults_CSIDriver`. */
function defaultCSIDriver(obj: Obj): void {
  const spec = optionalObject(obj.spec);
  if (!spec) return;
  const set = (k: string, v: unknown): void => {
    if (spec[k] === undefined || spec[k] === null) spec[k] = v;
  };
  set("attachRequired", true);
  set("podInfoOnMount", false);
  set("storageCapacity", false);
  set("fsGroupPolicy", "ReadWriteOnceWithFSType");
  set("requiresRepublish", false);
  if (listAt(spec.volumeLifecycleModes).length === 0) spec.volumeLifecycleModes = ["Persistent"];
}

/** `ValidateCSIDriver`: the driver name and spec. */
function validateCSIDriver(obj: Obj, ctx: ApiContext): FieldError[] {
  const errs = validateCSIDriverName(stringAt(objectAt(obj.metadata).name), FieldPath.of("name"), ctx);
  const spec = objectAt(obj.spec);
  const path = FieldPath.of("spec");
  if (typeof spec.attachRequired !== "boolean") errs.push(required(path.child("attachedRequired"), ""));
  if (typeof spec.podInfoOnMount !== "boolean") errs.push(required(path.child("podInfoOnMount"), ""));
  if (typeof spec.storageCapacity !== "boolean") errs.push(required(path.child("storageCapacity"), ""));
  const policy = spec.fsGroupPolicy;
  if (typeof policy !== "string") errs.push(required(path.child("fsGroupPolicy"), ""));
  else if (!["File", "None", "ReadWriteOnceWithFSType"].includes(policy)) errs.push(notSupported(path.child("fsGroupPolicy"), policy, ["File", "None", "ReadWriteOnceWithFSType"]));
  const audiences = new Set<string>();
  listAt(spec.tokenRequests).forEach((t, i) => {
    const req = objectAt(t);
    const p = path.child("tokenRequests").index(i);
    const audience = stringAt(req.audience);
    if (audiences.has(audience)) {
      errs.push(duplicate(p.child("audience"), audience));
      return;
    }
    audiences.add(audience);
    const seconds = req.expirationSeconds;
    if (typeof seconds !== "number") return;
    if (seconds < 600) errs.push(invalid(p.child("expirationSeconds"), seconds, "may not specify a duration less than 10 minutes"));
    if (seconds > 2 ** 32) errs.push(invalid(p.child("expirationSeconds"), seconds, "may not specify a duration larger than 2^32 seconds"));
  });
  for (const mode of stringsAt(spec.volumeLifecycleModes)) {
    if (mode !== "Persistent" && mode !== "Ephemeral") errs.push(notSupported(path.child("volumeLifecycleModes"), mode, ["Persistent", "Ephemeral"]));
  }
  return errs;
}

/** `ValidateVolumeAttachment` with the v1 attacher and volume name checks. */
function validateVolumeAttachment(obj: Obj, ctx: ApiContext): FieldError[] {
  const spec = objectAt(obj.spec);
  const path = FieldPath.of("spec");
  const errs: FieldError[] = [];
  const attacher = stringAt(spec.attacher);
  if (!attacher) errs.push(required(path.child("attacher"), ""));
  const source = objectAt(spec.source);
  const pv = source.persistentVolumeName;
  const inline = optionalObject(source.inlineVolumeSpec);
  const sourcePath = path.child("source");
  if (!inline && typeof pv !== "string") errs.push(required(sourcePath, "must specify exactly one of inlineVolumeSpec and persistentVolumeName"));
  else if (inline && typeof pv === "string") errs.push(forbidden(sourcePath, "must specify exactly one of inlineVolumeSpec and persistentVolumeName"));
  else if (typeof pv === "string" && !pv) errs.push(required(sourcePath.child("persistentVolumeName"), "must specify non empty persistentVolumeName"));
  const node = stringAt(spec.nodeName);
  for (const m of isDNS1123Subdomain(node)) errs.push(invalid(path.child("nodeName"), node, m));
  errs.push(...validateCSIDriverName(attacher, path.child("attacher"), ctx));
  if (typeof pv === "string" && pv) for (const m of isDNS1123Subdomain(pv)) errs.push(invalid(sourcePath.child("persistentVolumeName"), pv, m));
  return errs;
}

/** csiNodeIDLongerMaxLength: the CSINode strategy allows long node IDs. */
const CSI_NODE_ID_MAX_LENGTH = 256;

/** `validateCSINodeDriver`, with the node ID, allocatable count and topology key checks. */
function validateCSINodeDriver(driver: Obj, names: Set<string>, path: FieldPath, ctx: ApiContext): FieldError[] {
  const name = stringAt(driver.name);
  const errs = validateCSIDriverName(name, path.child("name"), ctx);
  const nodeID = stringAt(driver.nodeID);
  if (!nodeID) errs.push(required(path.child("nodeID"), ""));
  if (Buffer.byteLength(nodeID) > CSI_NODE_ID_MAX_LENGTH) errs.push(invalid(path.child("nodeID"), nodeID, `must be ${CSI_NODE_ID_MAX_LENGTH} characters or less`));
  errs.push(...validateNonnegativeField(objectAt(driver.allocatable).count, path.child("allocatable").child("count")));
  if (names.has(name)) errs.push(duplicate(path.child("name"), name));
  names.add(name);
  const keys = new Set<string>();
  for (const key of stringsAt(driver.topologyKeys)) {
    if (!key) errs.push(required(path, ""));
    if (keys.has(key)) errs.push(duplicate(path, key));
    keys.add(key);
    for (const m of isQualifiedName(key)) errs.push(invalid(path, key, m));
  }
  return errs;
}

/** `ValidateCSINode` without the object metadata. */
function validateCSINode(obj: Obj, ctx: ApiContext): FieldError[] {
  const path = FieldPath.of("spec", "drivers");
  const names = new Set<string>();
  return listAt(objectAt(obj.spec).drivers).flatMap((d, i) => validateCSINodeDriver(objectAt(d), names, path.index(i), ctx));
}

/** A CSINodeDriver as the immutability error prints it: JSON with Go's field names from 1.34, Go syntax (elided) before. */
function csiNodeDriverValue(driver: Obj, withAllocatable: boolean, ctx: ApiContext): string {
  const allocatable = optionalObject(driver.allocatable);
  const count = allocatable && typeof allocatable.count === "number" ? allocatable.count : null;
  const keys = driver.topologyKeys === undefined ? null : stringsAt(driver.topologyKeys);
  const value = {
    Name: stringAt(driver.name),
    NodeID: stringAt(driver.nodeID),
    TopologyKeys: keys,
    Allocatable: withAllocatable && allocatable ? { Count: count } : null,
  };
  return badValue(ctx.minor, () => "storage.CSINodeDriver{…}", value);
}

/**
 * `ValidateCSINodeUpdate`: a driver kept under its name may not change; with
 * MutableCSINodeAllocatableCount (on from 1.34) its allocatable count may.
 */
function validateCSINodeUpdate(obj: Obj, old: Obj, ctx: ApiContext): FieldError[] {
  const errs: FieldError[] = [];
  const mutableCount = ctx.gate("MutableCSINodeAllocatableCount");
  const strip = (d: Obj): Obj => {
    if (!mutableCount) return d;
    const { allocatable: _, ...rest } = d;
    return rest;
  };
  for (const o of listAt(objectAt(old.spec).drivers).map(objectAt)) {
    for (const n of listAt(objectAt(obj.spec).drivers).map(objectAt)) {
      if (stringAt(o.name) !== stringAt(n.name)) continue;
      if (!semanticEqual(strip(n), strip(o), true)) {
        errs.push(invalid(FieldPath.of("spec", "drivers"), strip(n), "field is immutable", csiNodeDriverValue(n, !mutableCount, ctx)));
      }
    }
  }
  return errs;
}

/** `ValidateNonnegativeQuantity`: the value as its canonical string. */
function validateNonnegativeQuantity(value: unknown, path: FieldPath): FieldError[] {
  const q = Quantity.from(value);
  if (!q || q.sign() >= 0) return [];
  return [invalid(path, q.toString(), "must be greater than or equal to 0")];
}

/** `ValidateCSIStorageCapacity` without the object metadata. */
function validateCSIStorageCapacity(obj: Obj, allowInvalidLabelValueInSelector: boolean): FieldError[] {
  const errs = validateLabelSelector(obj.nodeTopology, { allowInvalidLabelValueInSelector }, FieldPath.of("nodeTopology"));
  const className = stringAt(obj.storageClassName);
  for (const m of isDNS1123Subdomain(className)) errs.push(invalid(FieldPath.of("storageClassName"), className, m));
  if (obj.capacity !== undefined) errs.push(...validateNonnegativeQuantity(obj.capacity, FieldPath.of("capacity")));
  return errs;
}

/** `ValidateCSIStorageCapacityUpdate`: the inputs of CSI's GetCapacity are immutable. */
function validateCSIStorageCapacityUpdate(obj: Obj, old: Obj, ctx: ApiContext): FieldError[] {
  const errs = validateCSIStorageCapacity(obj, hasInvalidSelectorValues(old.nodeTopology));
  if (!semanticEqual(obj.nodeTopology, old.nodeTopology)) {
    errs.push(invalid(FieldPath.of("nodeTopology"), obj.nodeTopology ?? null, "field is immutable", labelSelectorValue(ctx.minor, obj.nodeTopology)));
  }
  const className = stringAt(obj.storageClassName);
  if (className !== stringAt(old.storageClassName)) errs.push(invalid(FieldPath.of("storageClassName"), className, "field is immutable"));
  return errs;
}

/** `ValidateVolumeAttributesClass` without the object metadata. */
function validateVolumeAttributesClass(obj: Obj, ctx: ApiContext): FieldError[] {
  const errs = validateProvisioner(stringAt(obj.driverName), FieldPath.of("driverName"));
  errs.push(...validateParameters(objectAt(obj.parameters), FieldPath.of("parameters"), ctx, false));
  return errs;
}

/** `ValidateVolumeAttributesClassUpdate`: driver and parameters are fixed, then the class is validated. */
function validateVolumeAttributesClassUpdate(obj: Obj, old: Obj, ctx: ApiContext): FieldError[] {
  const errs: FieldError[] = [];
  if (stringAt(obj.driverName) !== stringAt(old.driverName)) errs.push(forbidden(FieldPath.of("driverName"), "updates to driverName are forbidden."));
  if (!semanticEqual(obj.parameters, old.parameters)) errs.push(forbidden(FieldPath.of("parameters"), "updates to parameters are forbidden."));
  errs.push(...validateVolumeAttributesClass(obj, ctx));
  return errs;
}

/** What kube-apiserver does to the kinds of `storage.k8s.io`. */
export const rules: GroupRules = {
  group: "storage.k8s.io",
  kinds: {
    StorageClass: { defaults: defaultStorageClass, validate: validateStorageClass, validateUpdate: validateStorageClassUpdate },
    CSIDriver: { defaults: defaultCSIDriver, validate: validateCSIDriver, objectMeta: false },
    VolumeAttachment: { validate: validateVolumeAttachment },
    CSINode: { validate: validateCSINode, validateUpdate: validateCSINodeUpdate },
    CSIStorageCapacity: {
      validate: (obj, ctx) => (ctx.operation === "UPDATE" ? [] : validateCSIStorageCapacity(obj, false)),
      validateUpdate: validateCSIStorageCapacityUpdate,
    },
    VolumeAttributesClass: {
      validate: (obj, ctx) => (ctx.operation === "UPDATE" ? [] : validateVolumeAttributesClass(obj, ctx)),
      validateUpdate: validateVolumeAttributesClassUpdate,
    },
  },
};
