/**
 * Classic Dynamic Resource Allocation, `resource.k8s.io/v1alpha2` (Kubernetes 1.28 to 1.30, served
 * only with `--runtime-config resource.k8s.io/v1alpha2=true`): ResourceClass, ResourceClaim,
 * ResourceClaimTemplate and PodSchedulingContext, and from 1.30 the structured parameters
 * (ResourceSlice, ResourceClaimParameters, ResourceClassParameters). Follows
 * pkg/apis/resource/validation/validation.go, pkg/apis/resource/v1alpha2/defaults.go and
 * pkg/registry/resource/…/strategy.go of release-1.28, 1.29 and 1.30.
 *
 * The strategies' `ValidateUpdate` run the kind's validation and then `Validate<Kind>Update`,
 * which runs it again: as kube-apiserver, errors of an invalid object come twice on updates.
 * The CEL selectors of structured parameters (`namedResources.selector`) are compiled with
 * `attributes` as a dynamic value (Go types its maps: `attributes.int["x"]` is an int there), so
 * undeclared names, syntax errors and results known not to be a bool are reported, and nothing
 * the typed environment accepts is refused.
 */
import type { KindRules } from "../registry.js";
import type { ApiContext } from "../context.js";
import { duplicate, FieldPath, forbidden, invalid, notSupported, required, type FieldError } from "../field.js";
import { fieldError } from "../../meta/field-errors.js";
import { goStringSlice, isDNS1123Label, isDNS1123Subdomain, listAt, objectAt, optionalObject, semanticEqual, stringAt, validateAnnotations, validateImmutableField, validateLabels } from "../validation/index.js";
import { validateNodeSelector } from "../core/scheduling.js";
import { isRecord } from "../../meta/values.js";
import { validateDriverName } from "./device.js";
import { celEngine } from "../cel-engine.js";

type Obj = Record<string, unknown>;

/** `resource.ResourceClaimReservedForMaxSize`. */
const RESERVED_FOR_MAX_SIZE = 32;
/** `resource.AllocationResultResourceHandlesMaxSize`. */
const RESOURCE_HANDLES_MAX_SIZE = 32;
/** `resource.ResourceHandleDataMaxSize`. */
const RESOURCE_HANDLE_DATA_MAX_SIZE = 16 * 1024;
/** `resource.PodSchedulingNodeListMaxSize`. */
const POD_SCHEDULING_NODE_LIST_MAX_SIZE = 128;
const ALLOCATION_MODES = ["Immediate", "WaitForFirstConsumer"] as const;

/** `SetDefaults_ResourceClaimSpec` (v1alpha2): the allocation mode defaults to WaitForFirstConsumer. */
function defaultClaimSpec(spec: unknown): void {
  if (isRecord(spec) && (spec.allocationMode === undefined || spec.allocationMode === null || spec.allocationMode === "")) spec.allocationMode = "WaitForFirstConsumer";
}

/** `field.TooLongMaxLength` as 1.28–1.31 worded it (the value is not printed). */
const tooLongMaxLength = (path: FieldPath, max: number): FieldError => fieldError("FieldValueTooLong", path, `may not be longer than ${max}`);

const subdomain = (value: string, path: FieldPath): FieldError[] => isDNS1123Subdomain(value).map((m) => invalid(path, value, m));
const nodeName = subdomain;

/** `validateResourceClaimParametersRef` (also `generatedFrom` of ResourceClaimParameters). */
function validateClaimParametersRef(ref: unknown, path: FieldPath): FieldError[] {
  const r = optionalObject(ref);
  if (!r) return [];
  const errs: FieldError[] = [];
  if (stringAt(r.kind) === "") errs.push(required(path.child("kind"), ""));
  if (stringAt(r.name) === "") errs.push(required(path.child("name"), ""));
  return errs;
}

/** `validateClassParameters`: kind and name, a valid namespace when one is given. */
function validateClassParametersRef(ref: unknown, path: FieldPath): FieldError[] {
  const r = optionalObject(ref);
  if (!r) return [];
  const errs = validateClaimParametersRef(r, path);
  const ns = stringAt(r.namespace);
  if (ns !== "") for (const m of isDNS1123Label(ns)) errs.push(invalid(path.child("namespace"), ns, m));
  return errs;
}

/** `validateResourceClaimSpec`. */
function validateClaimSpec(spec: Obj, path: FieldPath): FieldError[] {
  // ValidateClassName(name, false): an empty name is reported as not a subdomain.
  const errs = subdomain(stringAt(spec.resourceClassName), path.child("resourceClassName"));
  errs.push(...validateClaimParametersRef(spec.parametersRef, path.child("parametersRef")));
  const mode = stringAt(spec.allocationMode);
  if (!(ALLOCATION_MODES as readonly string[]).includes(mode)) errs.push(notSupported(path.child("allocationMode"), mode, ALLOCATION_MODES));
  return errs;
}

/** `validateSliceIsASet`: no duplicates (those are not checked further), at most `max` entries. */
function validateSliceIsASet(items: readonly unknown[], max: number, check: (item: string, path: FieldPath) => FieldError[], path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const value = stringAt(item);
    if (seen.has(value)) errs.push(duplicate(path.index(i), value));
    else {
      errs.push(...check(value, path.index(i)));
      seen.add(value);
    }
  });
  if (items.length > max) errs.push(tooLongMaxLength(path, max));
  return errs;
}

/** `ValidateClass` (the metadata is checked by the writer). */
function validateResourceClass(obj: Obj, ctx: ApiContext): FieldError[] {
  const errs = validateDriverName(stringAt(obj.driverName), FieldPath.of("driverName"), ctx);
  errs.push(...validateClassParametersRef(obj.parametersRef, FieldPath.of("parametersRef")));
  const suitable = optionalObject(obj.suitableNodes);
  if (suitable) errs.push(...validateNodeSelector(suitable, FieldPath.of("suitableNodes"), false));
  return errs;
}

/** `validateNamedResources…ValidateAllocationResult` and friends: the one structured model of 1.30. */
function validateModel(model: Obj, path: FieldPath | undefined, check: (named: Obj, path: FieldPath) => FieldError[]): FieldError[] {
  const named = optionalObject(model.namedResources);
  const child = path ? path.child("namedResources") : FieldPath.of("namedResources");
  if (named) return check(named, child);
  const err = required(path ?? FieldPath.root(), "exactly one structured model field must be set");
  // Go's nil *field.Path prints as <nil>.
  return [path ? err : { ...err, field: "<nil>" }];
}

/** `validateResourceHandles`. */
function validateResourceHandles(handles: readonly unknown[], path: FieldPath, ctx: ApiContext): FieldError[] {
  const errs: FieldError[] = [];
  handles.forEach((h, i) => {
    const handle = objectAt(h);
    const p = path.index(i);
    errs.push(...validateDriverName(stringAt(handle.driverName), p.child("driverName"), ctx));
    const data = stringAt(handle.data);
    if (data.length > RESOURCE_HANDLE_DATA_MAX_SIZE) errs.push(tooLongMaxLength(p.child("data"), RESOURCE_HANDLE_DATA_MAX_SIZE));
    if (ctx.minor >= 30) {
      const structured = optionalObject(handle.structuredData);
      if (structured) {
        const sp = p.child("structuredData");
        const node = stringAt(structured.nodeName);
        if (node !== "") errs.push(...nodeName(node, sp.child("nodeName")));
        listAt(structured.results).forEach((r, j) => errs.push(...validateModel(objectAt(r), sp.child("results").index(j), (named, np) => subdomain(stringAt(named.name), np.child("name")))));
      }
      if (data.length > 0 && structured) errs.push(invalid(p, null, "data and structuredData are mutually exclusive"));
    }
  });
  if (handles.length > RESOURCE_HANDLES_MAX_SIZE) errs.push(tooLongMaxLength(path, RESOURCE_HANDLES_MAX_SIZE));
  return errs;
}

/** `validateResourceClaimConsumers`: no duplicate UIDs, each reference complete. */
function validateConsumers(consumers: readonly unknown[], path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const uids = new Set<string>();
  consumers.forEach((c, i) => {
    const ref = objectAt(c);
    const p = path.index(i);
    const uid = stringAt(ref.uid);
    if (uids.has(uid)) errs.push(duplicate(p.child("uid"), uid));
    else {
      if (stringAt(ref.resource) === "") errs.push(required(p.child("resource"), ""));
      if (stringAt(ref.name) === "") errs.push(required(p.child("name"), ""));
      if (uid === "") errs.push(required(p.child("uid"), ""));
      uids.add(uid);
    }
  });
  if (consumers.length > RESERVED_FOR_MAX_SIZE) errs.push(tooLongMaxLength(path, RESERVED_FOR_MAX_SIZE));
  return errs;
}

const consumerKey = (c: unknown): string => JSON.stringify(["apiGroup", "resource", "name", "uid"].map((k) => stringAt(objectAt(c)[k])));

/** `ValidateClaimStatusUpdate` (metadata excepted). */
function validateClaimStatusUpdate(claim: Obj, old: Obj, ctx: ApiContext): FieldError[] {
  const path = FieldPath.of("status");
  const status = objectAt(claim.status);
  const oldStatus = objectAt(old.status);
  const allocation = optionalObject(status.allocation);
  const oldAllocation = optionalObject(oldStatus.allocation);
  const reservedFor = listAt(status.reservedFor);
  const deallocating = status.deallocationRequested === true;
  const errs: FieldError[] = [];
  const driver = stringAt(status.driverName);
  if (driver !== "") errs.push(...validateDriverName(driver, path.child("driverName"), ctx));
  else if (allocation) errs.push(required(path.child("driverName"), "must be specified when `allocation` is set"));
  if (allocation) {
    const ap = path.child("allocation");
    const handles = listAt(allocation.resourceHandles);
    if (handles.length > 0) errs.push(...validateResourceHandles(handles, ap.child("resourceHandles"), ctx));
    const nodes = optionalObject(allocation.availableOnNodes);
    if (nodes) errs.push(...validateNodeSelector(nodes, ap.child("availableOnNodes"), false));
  }
  errs.push(...validateConsumers(reservedFor, path.child("reservedFor")));
  if (reservedFor.length > 0) {
    if (!allocation) errs.push(forbidden(path.child("reservedFor"), "may not be specified when `allocated` is not set"));
    else {
      if (allocation.shareable !== true && reservedFor.length > 1) errs.push(forbidden(path.child("reservedFor"), "may not be reserved more than once"));
      if ((isRecord(claim.metadata) && claim.metadata.deletionTimestamp != null) || deallocating) {
        const before = new Set(listAt(oldStatus.reservedFor).map(consumerKey));
        if (reservedFor.some((c) => !before.has(consumerKey(c)))) {
          errs.push(forbidden(path.child("reservedFor"), "new entries may not be added while `deallocationRequested` or `deletionTimestamp` are set"));
        }
      }
    }
  }
  if (oldAllocation && allocation) errs.push(...validateImmutableField(allocation, oldAllocation, path.child("allocation"), JSON.stringify(allocation)));
  const wasDeallocating = oldStatus.deallocationRequested === true;
  if (!wasDeallocating && deallocating && reservedFor.length > 0) errs.push(forbidden(path.child("deallocationRequested"), "deallocation cannot be requested while `reservedFor` is set"));
  if (!allocation && deallocating) errs.push(forbidden(path, "`allocation` must be set when `deallocationRequested` is set"));
  if (wasDeallocating && !deallocating && allocation) errs.push(forbidden(path.child("deallocationRequested"), "may not be cleared when `allocation` is set"));
  return errs;
}

/** `ValidatePodSchedulingContexts` (metadata excepted). */
function validatePodSchedulingContext(obj: Obj): FieldError[] {
  return validateSliceIsASet(listAt(objectAt(obj.spec).potentialNodes), POD_SCHEDULING_NODE_LIST_MAX_SIZE, nodeName, FieldPath.of("spec", "potentialNodes"));
}

/** `validatePodSchedulingStatus`: the claims (at `status.claims`, as Go names the path) by unique name. */
function validatePodSchedulingStatus(obj: Obj): FieldError[] {
  const path = FieldPath.of("status", "claims");
  const errs: FieldError[] = [];
  const names = new Set<string>();
  listAt(objectAt(obj.status).resourceClaims).forEach((c, i) => {
    const claim = objectAt(c);
    errs.push(...validateSliceIsASet(listAt(claim.unsuitableNodes), POD_SCHEDULING_NODE_LIST_MAX_SIZE, nodeName, path.index(i).child("unsuitableNodes")));
    const name = stringAt(claim.name);
    if (names.has(name)) errs.push(duplicate(path.index(i), name));
    else names.add(name);
  });
  return errs;
}

/** `ValidateClaimTemplate` (metadata excepted): the template's metadata and claim spec. */
function validateClaimTemplate(obj: Obj): FieldError[] {
  const spec = objectAt(obj.spec);
  const meta = objectAt(spec.metadata);
  const metaPath = FieldPath.of("spec", "metadata");
  return [...validateAnnotations(meta.annotations, metaPath.child("annotations")), ...validateLabels(meta.labels, metaPath.child("labels")), ...validateClaimSpec(objectAt(spec.spec), FieldPath.of("spec", "spec"))];
}

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-(0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(\.(0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*)?(\+[0-9a-zA-Z-]+(\.[0-9a-zA-Z-]+)*)?$/;
const ATTRIBUTE_VALUES = [
  ["quantity", "quantity"],
  ["bool", "bool"],
  ["int", "int"],
  ["intSlice", "intSlice"],
  ["string", "string"],
  ["stringSlice", "stringSlice"],
  ["version", "version"],
] as const;

/** namedresources `validateAttributes`. */
function validateAttributes(attributes: readonly unknown[], path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  attributes.forEach((a, i) => {
    const attribute = objectAt(a);
    const p = path.index(i);
    const name = stringAt(attribute.name);
    errs.push(...subdomain(name, p.child("name")));
    if (names.has(name)) errs.push(duplicate(p.child("name"), name));
    else names.add(name);
    const set = ATTRIBUTE_VALUES.filter(([field]) => attribute[field] !== undefined && attribute[field] !== null).map(([, entry]) => entry);
    if (typeof attribute.version === "string" && !SEMVER.test(attribute.version)) errs.push(invalid(p.child("version"), attribute.version, "must be a string compatible with semver.org spec 2.0.0"));
    if (set.length === 0) errs.push(required(p, "exactly one value must be set"));
    else if (set.length > 1) {
      const sorted = [...set].sort();
      errs.push(invalid(p, sorted, "exactly one field must be set, not several", goStringSlice(sorted)));
    }
  });
  return errs;
}

/** namedresources `ValidateResources`: instances by unique name, their attributes. */
function validateNamedResources(named: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  const ip = path.child("instances");
  listAt(named.instances).forEach((inst, i) => {
    const instance = objectAt(inst);
    const p = ip.index(i);
    const name = stringAt(instance.name);
    errs.push(...subdomain(name, p.child("name")));
    if (names.has(name)) errs.push(duplicate(p.child("name"), name));
    else names.add(name);
    errs.push(...validateAttributes(listAt(instance.attributes), p.child("attributes")));
  });
  return errs;
}

/** What the compiled type of a selector may be instead of bool only when Go's typed environment would say bool too. */
const NOT_BOOL = new Set(["int", "uint", "double", "string", "bytes", "null", "null_type", "list", "map", "timestamp", "duration"]);

/**
 * namedresources `validateSelector`: required, then compiled (unless stored: `StoredExpressions`
 * accepts more, and an unchanged expression is not judged again). The libraries are those of 1.33
 * or later (semver, quantity, lists), as the device selectors compile: a richer environment only
 * accepts more. Syntax this evaluator cannot parse is never reported.
 */
function validateSelector(named: Obj, path: FieldPath, stored: boolean, ctx: ApiContext): FieldError[] {
  const p = path.child("selector");
  const selector = stringAt(named.selector);
  if (selector === "") return [required(p, "")];
  if (stored) return [];
  const compiled = celEngine().compileCel(selector, { level: Math.max(ctx.minor - 1, 33), variables: { attributes: "dyn" }, bindings: true });
  if (compiled.unsupported) return [];
  if (compiled.error) return [invalid(p, selector, `compilation failed: ${compiled.error}`)];
  const t = (compiled.program as unknown as { ast?: { checkedType?: { name?: string; kind?: string; hasDynType?: boolean } } } | undefined)?.ast?.checkedType;
  if (t && !t.hasDynType && t.kind !== "dyn" && t.name && NOT_BOOL.has(t.name)) return [invalid(p, selector, "must evaluate to bool")];
  return [];
}

/** `ValidateResourceSlice` (metadata excepted). */
function validateResourceSlice(obj: Obj, ctx: ApiContext): FieldError[] {
  const errs: FieldError[] = [];
  const node = stringAt(obj.nodeName);
  if (node !== "") errs.push(...nodeName(node, FieldPath.of("nodeName")));
  errs.push(...validateDriverName(stringAt(obj.driverName), FieldPath.of("driverName"), ctx));
  errs.push(...validateModel(obj, undefined, validateNamedResources));
  return errs;
}

/** Entries by unique driver name, each checked further (`validateDriverRequests`, `validateResourceFilters`, `validateVendorParameters`). */
function byDriver(entries: readonly unknown[], path: FieldPath, ctx: ApiContext, more: (entry: Obj, path: FieldPath) => FieldError[]): FieldError[] {
  const errs: FieldError[] = [];
  const drivers = new Set<string>();
  entries.forEach((e, i) => {
    const entry = objectAt(e);
    const p = path.index(i);
    const driver = stringAt(entry.driverName);
    errs.push(...validateDriverName(driver, p.child("driverName"), ctx));
    if (drivers.has(driver)) errs.push(duplicate(p.child("driverName"), driver));
    else drivers.add(driver);
    errs.push(...more(entry, p));
  });
  return errs;
}

/** `validateResourceClaimParameters`: on updates the requests count as stored while they are unchanged. */
function validateResourceClaimParameters(obj: Obj, old: Obj | undefined, ctx: ApiContext): FieldError[] {
  const stored = old !== undefined && semanticEqual(obj.driverRequests, old.driverRequests, true);
  const errs = validateClaimParametersRef(obj.generatedFrom, FieldPath.of("generatedFrom"));
  errs.push(
    ...byDriver(listAt(obj.driverRequests), FieldPath.of("driverRequests"), ctx, (entry, p) => {
      const requests = listAt(entry.requests);
      const rp = p.child("requests");
      const out = requests.flatMap((r, j) => validateModel(objectAt(r), rp.index(j), (named, np) => validateSelector(named, np, stored, ctx)));
      // An entry without requests would be ignored: it is refused instead.
      if (requests.length === 0) out.push(required(rp, "empty entries with no requests are not allowed"));
      return out;
    }),
  );
  return errs;
}

/** `ValidateResourceClassParameters` (metadata excepted). */
function validateResourceClassParameters(obj: Obj, ctx: ApiContext): FieldError[] {
  const errs = validateClassParametersRef(obj.generatedFrom, FieldPath.of("generatedFrom"));
  // ValidateResourceClassParametersUpdate validates as on create: filters are never counted as stored.
  errs.push(...byDriver(listAt(obj.filters), FieldPath.of("filters"), ctx, (entry, p) => validateModel(entry, p, (named, np) => validateSelector(named, np, false, ctx))));
  errs.push(...byDriver(listAt(obj.vendorParameters), FieldPath.of("vendorParameters"), ctx, () => []));
  return errs;
}

function dropStatus(obj: Obj): void {
  delete obj.status;
}

function keepStatus(obj: Obj, old: Obj): void {
  if (old.status === undefined) delete obj.status;
  else obj.status = old.status;
}

/** `ValidateImmutableField` on the whole spec (Go prints the struct; JSON stands for it here). */
function immutableSpec(obj: Obj, old: Obj): FieldError[] {
  if (semanticEqual(obj.spec, old.spec, true)) return [];
  return validateImmutableField(obj.spec, old.spec, FieldPath.of("spec"), JSON.stringify(obj.spec ?? null));
}

/**
 * The v1alpha2 rules by kind. `validate` is the strategy's `Validate` on create and the first half
 * of its `ValidateUpdate`; `validateUpdate` is `Validate<Kind>Update` (which validates again).
 *
 * @example
 * classicRules.ResourceClass!.validate!({ driverName: "" }, apiContext({ minor: 30, version: "v1alpha2" })); // [driverName: Required value, …]
 */
export const classicRules: Readonly<Record<string, KindRules>> = {
  ResourceClass: {
    validate: validateResourceClass,
    validateUpdate: (obj, _old, ctx) => validateResourceClass(obj, ctx),
  },
  ResourceClaim: {
    defaults: (obj) => defaultClaimSpec(obj.spec),
    prepareForCreate: dropStatus,
    prepareForUpdate: keepStatus,
    validate: (obj) => validateClaimSpec(objectAt(obj.spec), FieldPath.of("spec")),
    validateUpdate: (obj, old) => [...immutableSpec(obj, old), ...validateClaimSpec(objectAt(obj.spec), FieldPath.of("spec"))],
    validateStatusUpdate: validateClaimStatusUpdate,
  },
  ResourceClaimTemplate: {
    defaults: (obj) => defaultClaimSpec(objectAt(obj.spec).spec),
    validate: validateClaimTemplate,
    validateUpdate: (obj, old) => [...immutableSpec(obj, old), ...validateClaimTemplate(obj)],
  },
  PodSchedulingContext: {
    prepareForCreate: dropStatus,
    prepareForUpdate: keepStatus,
    validate: (obj) => validatePodSchedulingContext(obj),
    validateUpdate: (obj) => validatePodSchedulingContext(obj),
    validateStatusUpdate: (obj) => validatePodSchedulingStatus(obj),
  },
  ResourceSlice: {
    validate: validateResourceSlice,
    // ValidateResourceSliceUpdate alone (the strategy does not validate first): the slice, then the immutable node and driver.
    validateUpdate: (obj, old) => [
      ...validateImmutableField(stringAt(obj.nodeName), stringAt(old.nodeName), FieldPath.of("nodeName")),
      ...validateImmutableField(stringAt(obj.driverName), stringAt(old.driverName), FieldPath.of("driverName")),
    ],
  },
  ResourceClaimParameters: {
    // ValidateResourceClaimParametersUpdate alone on updates: the parameters once, requests unchanged counted as stored.
    validate: (obj, ctx) => (ctx.operation === "UPDATE" ? [] : validateResourceClaimParameters(obj, undefined, ctx)),
    validateUpdate: (obj, old, ctx) => validateResourceClaimParameters(obj, old, ctx),
  },
  ResourceClassParameters: {
    validate: validateResourceClassParameters,
  },
};
