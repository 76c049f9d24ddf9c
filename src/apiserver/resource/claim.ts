/**
 * ResourceClaim and ResourceClaimTemplate (pkg/apis/resource/validation, the v1* defaults.go and
 * pkg/registry/resource/resourceclaim/strategy.go): device requests, constraints and configuration,
 * the immutable spec, and the status the scheduler and drivers write (allocation, reservations,
 * device status).
 *
 * The served versions differ in shape: v1alpha3 and v1beta1 keep a request's class, selectors,
 * mode and count at the top of the request; v1beta2 and v1 put them under `exactly`. Both are read
 * here as the internal type of the minor (see `device.ts`).
 */
import { exactRequestOf } from "./conversion.js";
import type { ApiContext } from "../context.js";
import { FieldPath, forbidden, invalid, notSupported, required, tooLong, tooMany, type FieldError } from "../field.js";
import { isValidInterfaceAddress, listAt, validateAnnotations, validateLabels, objectAt, optionalObject, semanticEqual, stringAt, validateImmutableField } from "../validation/index.js";
import { validateNodeSelector } from "../core/scheduling.js";
import { isRecord } from "../../meta/values.js";
import {
  ALLOCATED_DEVICE_STATUS_DATA_MAX_LENGTH,
  ALLOCATED_DEVICE_STATUS_MAX_CONDITIONS,
  ALLOCATION_RESULTS_MAX_SIZE,
  DEVICE_CONFIG_MAX_SIZE,
  DEVICE_CONSTRAINTS_MAX_SIZE,
  DEVICE_REQUESTS_MAX_SIZE,
  FIRST_AVAILABLE_MAX_SIZE,
  NETWORK_HARDWARE_ADDRESS_MAX_LENGTH,
  NETWORK_INTERFACE_NAME_MAX_LENGTH,
  NETWORK_MAX_IPS,
  RESOURCE_CLAIM_RESERVED_FOR_MAX_SIZE,
  newShape,
  newWording,
  validateBindingParameters,
  validateConditions,
  validateDeviceClassRef,
  validateDeviceConfiguration,
  validateDeviceName,
  validateDeviceToleration,
  validateDriverName,
  validateFullyQualifiedName,
  validatePoolName,
  validateRawExtension,
  validateRequestName,
  validateSelectors,
  validateSet,
  validateSlice,
} from "./device.js";

type Obj = Record<string, unknown>;

/** Whether the object's version keeps request fields at the top (v1alpha3, v1beta1). */
function flatVersion(ctx: ApiContext): boolean {
  return ctx.version === "v1alpha3" || ctx.version === "v1beta1";
}

/** The exact request of a request as the internal type holds it, or undefined. */
function exactOf(request: Obj, ctx: ApiContext): Obj | undefined {
  return flatVersion(ctx) ? exactRequestOf(request) : optionalObject(request.exactly);
}

/** The request fields as the 1.33 internal type held them (top level). */
function flatOf(request: Obj, ctx: ApiContext): Obj {
  if (flatVersion(ctx)) return request;
  const exactly = objectAt(request.exactly);
  return { ...exactly, name: request.name, firstAvailable: request.firstAvailable };
}

/** Request names and, for requests with alternatives, their subrequest names. */
type RequestNames = Map<string, Set<string> | undefined>;

function gatherRequestNames(devices: Obj): RequestNames {
  const names: RequestNames = new Map();
  for (const r of listAt(devices.requests)) {
    const request = objectAt(r);
    const subs = listAt(request.firstAvailable);
    names.set(stringAt(request.name), subs.length ? new Set(subs.map((s) => stringAt(objectAt(s).name))) : undefined);
  }
  return names;
}

function hasRequest(names: RequestNames, ref: string): boolean {
  const segments = ref.split("/");
  if (segments.length > 2 || !names.has(segments[0]!)) return false;
  return segments.length === 1 || names.get(segments[0]!)?.has(segments[1]!) === true;
}

const REF_MESSAGE = "must be the name of a request in the claim or the name of a request and a subrequest separated by '/'";

/** `validateRequestNameRef`. */
function validateRequestNameRef(ref: string, path: FieldPath, names: RequestNames): FieldError[] {
  const segments = ref.split("/");
  if (segments.length > 2) return [invalid(path, ref, REF_MESSAGE)];
  const errs: FieldError[] = [];
  for (const s of segments) errs.push(...validateRequestName(s, path));
  if (!hasRequest(names, ref)) errs.push(invalid(path, ref, REF_MESSAGE));
  return errs;
}

function validateRequestRefs(refs: unknown, path: FieldPath, names: RequestNames, ctx: ApiContext): FieldError[] {
  return validateSet(listAt(refs).map(stringAt), DEVICE_REQUESTS_MAX_SIZE, (r, p) => validateRequestNameRef(r as string, p, names), (r) => r as string, path, ctx);
}

/** `validateDeviceAllocationMode`. */
function validateAllocationMode(mode: string, count: number, modePath: FieldPath, countPath: FieldPath): FieldError[] {
  switch (mode) {
    case "All":
      return count !== 0 ? [invalid(countPath, count, "must not be specified when allocationMode is 'All'")] : [];
    case "ExactCount":
      return count <= 0 ? [invalid(countPath, count, "must be greater than zero")] : [];
    default:
      return [notSupported(modePath, mode, ["All", "ExactCount"])];
  }
}

function countOf(v: unknown): number {
  return typeof v === "number" ? v : 0;
}

function validateTolerations(tolerations: unknown, path: FieldPath, ctx: ApiContext): FieldError[] {
  const errs: FieldError[] = [];
  listAt(tolerations).forEach((t, i) => errs.push(...validateDeviceToleration(objectAt(t), path.index(i), ctx)));
  return errs;
}

/** A request or subrequest with a class: class, selectors, mode and count, tolerations. */
function validateExact(r: Obj, path: FieldPath, stored: boolean, ctx: ApiContext): FieldError[] {
  return [
    ...validateDeviceClassRef(stringAt(r.deviceClassName), path.child("deviceClassName")),
    ...validateSelectors(r.selectors, path.child("selectors"), stored, ctx),
    ...validateAllocationMode(stringAt(r.allocationMode), countOf(r.count), path.child("allocationMode"), path.child("count")),
    ...validateTolerations(r.tolerations, path.child("tolerations"), ctx),
  ];
}

function validateSubRequest(s: unknown, path: FieldPath, stored: boolean, ctx: ApiContext): FieldError[] {
  const sub = objectAt(s);
  return [...validateRequestName(stringAt(sub.name), path.child("name")), ...validateExact(sub, path, stored, ctx)];
}

function validateFirstAvailable(list: readonly unknown[], path: FieldPath, stored: boolean, ctx: ApiContext): FieldError[] {
  return validateSet(list, FIRST_AVAILABLE_MAX_SIZE, (s, p) => validateSubRequest(s, p, stored, ctx), (s) => stringAt(objectAt(s).name), path, ctx, "name");
}

/** `validateDeviceRequest` from 1.34: exactly one of `exactly` and `firstAvailable`. */
function validateRequest(r: unknown, path: FieldPath, stored: boolean, ctx: ApiContext): FieldError[] {
  const request = objectAt(r);
  const errs = validateRequestName(stringAt(request.name), path.child("name"));
  const firstAvailable = listAt(request.firstAvailable);
  const exactly = exactOf(request, ctx);
  if (!exactly && firstAvailable.length === 0) errs.push(required(path, "exactly one of `exactly` or `firstAvailable` is required"));
  else if (exactly && firstAvailable.length > 0) errs.push(invalid(path, null, `exactly one of \`exactly\` or \`firstAvailable\` is required${newWording(ctx) ? ", but multiple fields are set" : ""}`));
  else if (firstAvailable.length > 0) errs.push(...validateFirstAvailable(firstAvailable, path.child("firstAvailable"), stored, ctx));
  else errs.push(...validateExact(exactly!, path.child("exactly"), stored, ctx));
  return errs;
}

/** `validateDeviceRequest` up to 1.33: the class at the top, or (from 1.33) alternatives. */
function validateRequestLegacy(r: unknown, path: FieldPath, stored: boolean, ctx: ApiContext): FieldError[] {
  const request = flatOf(objectAt(r), ctx);
  const errs = validateRequestName(stringAt(request.name), path.child("name"));
  const className = stringAt(request.deviceClassName);
  const firstAvailable = listAt(request.firstAvailable);
  if (ctx.minor <= 32) {
    errs.push(...validateExact(request, path, stored, ctx));
    return errs;
  }
  const message = "exactly one of `deviceClassName` or `firstAvailable` must be specified";
  if (className === "" && firstAvailable.length === 0) errs.push(required(path, message));
  else if (className !== "" && firstAvailable.length > 0) errs.push(invalid(path, null, message));
  else if (className !== "") {
    errs.push(...validateDeviceClassRef(className, path.child("deviceClassName")));
    errs.push(...validateSelectors(request.selectors, path.child("selectors"), stored, ctx));
    errs.push(...validateAllocationMode(stringAt(request.allocationMode), countOf(request.count), path.child("allocationMode"), path.child("count")));
  } else {
    const notWith = "must not be specified when firstAvailable is set";
    if (request.selectors !== undefined && request.selectors !== null) errs.push(invalid(path.child("selectors"), request.selectors, notWith));
    if (stringAt(request.allocationMode) !== "") errs.push(invalid(path.child("allocationMode"), request.allocationMode, notWith));
    if (countOf(request.count) !== 0) errs.push(invalid(path.child("count"), request.count, notWith));
    if (request.adminAccess !== undefined && request.adminAccess !== null) errs.push(invalid(path.child("adminAccess"), request.adminAccess, notWith));
    errs.push(...validateFirstAvailable(firstAvailable, path.child("firstAvailable"), stored, ctx));
  }
  errs.push(...validateTolerations(request.tolerations, path.child("tolerations"), ctx));
  return errs;
}

/** `validateDeviceConstraint`. */
function validateConstraint(c: unknown, path: FieldPath, names: RequestNames, ctx: ApiContext): FieldError[] {
  const constraint = objectAt(c);
  const errs = validateRequestRefs(constraint.requests, path.child("requests"), names, ctx);
  const match = constraint.matchAttribute;
  const distinct = constraint.distinctAttribute;
  if (typeof match === "string") errs.push(...validateFullyQualifiedName(match, path.child("matchAttribute"), ctx));
  else if (typeof distinct === "string" && ctx.minor >= 34) errs.push(...validateFullyQualifiedName(distinct, path.child("distinctAttribute"), ctx));
  // With DRAConsumableCapacity the message names both fields (its wording is Kubernetes' own).
  else if (ctx.gate("DRAConsumableCapacity")) errs.push(required(path, 'exactly one of "matchAttribute" or "distinctAttribute" is required, but multiple fields are set'));
  else errs.push(required(path.child("matchAttribute"), ""));
  return errs;
}

/**
 * `validateDeviceClaim`: requests (unique DNS-label names, at most 32), constraints and
 * configuration referring to them.
 *
 * @example
 * validateDeviceClaim({ requests: [{ name: "gpu", exactly: { deviceClassName: "gpu.example.com", allocationMode: "ExactCount", count: 0 } }] }, FieldPath.of("spec", "devices"), false, apiContext({ minor: 36 }));
 * // [spec.devices.requests[0].exactly.count: Invalid value: 0: must be greater than zero]
 */
export function validateDeviceClaim(devices: Obj, path: FieldPath, stored: boolean, ctx: ApiContext): FieldError[] {
  const names = gatherRequestNames(devices);
  const each = newShape(ctx) ? validateRequest : validateRequestLegacy;
  const errs = validateSet(listAt(devices.requests), DEVICE_REQUESTS_MAX_SIZE, (r, p) => each(r, p, stored, ctx), (r) => stringAt(objectAt(r).name), path.child("requests"), ctx, "name");
  errs.push(...validateSlice(listAt(devices.constraints), DEVICE_CONSTRAINTS_MAX_SIZE, (c, p) => validateConstraint(c, p, names, ctx), path.child("constraints"), ctx));
  errs.push(
    ...validateSlice(
      listAt(devices.config),
      DEVICE_CONFIG_MAX_SIZE,
      (c, p) => [...validateRequestRefs(objectAt(c).requests, p.child("requests"), names, ctx), ...validateDeviceConfiguration(objectAt(c), p, stored, ctx)],
      path.child("config"),
      ctx,
    ),
  );
  return errs;
}

/**
 * `ValidateResourceClaim` without the object metadata. On updates the spec must equal the stored
 * one, so its expressions and parameters count as stored (as `ValidateResourceClaimUpdate` did up
 * to 1.33): a claim admitted before a limit existed stays writable.
 *
 * @example
 * validateResourceClaim({ spec: { devices: { requests: [{ name: "gpu" }] } } }, apiContext({ minor: 36 }));
 * // [spec.devices.requests[0]: Required value: exactly one of `exactly` or `firstAvailable` is required]
 */
export function validateResourceClaim(claim: Obj, ctx: ApiContext): FieldError[] {
  return validateClaimSpec(objectAt(claim.spec), FieldPath.of("spec"), ctx.operation === "UPDATE", ctx);
}

/** `validateResourceClaimSpec`: the devices, and in 1.31 the optional `controller` (a driver name). */
function validateClaimSpec(spec: Obj, path: FieldPath, stored: boolean, ctx: ApiContext): FieldError[] {
  const errs: FieldError[] = [];
  if (ctx.minor <= 31 && typeof spec.controller === "string" && spec.controller !== "") errs.push(...validateDriverName(spec.controller, path.child("controller"), ctx));
  errs.push(...validateDeviceClaim(objectAt(spec.devices), path.child("devices"), stored, ctx));
  return errs;
}

/**
 * The spec in `field is immutable`, as JSON of the served version: Go prints its internal type
 * (field names without JSON tags from 1.34, `%#v` before), which this does not reproduce.
 */
function specDisplay(spec: unknown): string {
  return JSON.stringify(spec ?? null);
}

/**
 * `ValidateResourceClaimUpdate`: the spec is immutable (the writer checks the whole claim first).
 *
 * @example
 * validateResourceClaimUpdate(changed, stored, apiContext({ minor: 36, operation: "UPDATE" })); // [spec: Invalid value: …: field is immutable]
 */
export function validateResourceClaimUpdate(claim: Obj, old: Obj, ctx: ApiContext): FieldError[] {
  if (semanticEqual(claim.spec, old.spec, true)) return [];
  return validateImmutableField(claim.spec, old.spec, FieldPath.of("spec"), specDisplay(claim.spec));
}

/** `validateResourceClaimUserReference`. */
function validateConsumer(r: unknown, path: FieldPath): FieldError[] {
  const ref = objectAt(r);
  const errs: FieldError[] = [];
  if (stringAt(ref.resource) === "") errs.push(required(path.child("resource"), ""));
  if (stringAt(ref.name) === "") errs.push(required(path.child("name"), ""));
  if (stringAt(ref.uid) === "") errs.push(required(path.child("uid"), ""));
  return errs;
}

const UUID_FORMS = [
  /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
  /^\{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}$/,
  /^urn:uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/i,
  /^[0-9a-fA-F]{32}$/,
];

/** `validateUID` for share IDs: google/uuid's `Validate`, then RFC 4122 normalized form. */
function validateUID(uid: string, path: FieldPath): FieldError[] {
  if (![32, 36, 38, 45].includes(uid.length)) return [invalid(path, uid, `error validating uid: invalid UUID length: ${uid.length}`)];
  if (!UUID_FORMS.some((re) => re.test(uid))) return [invalid(path, uid, "error validating uid: invalid UUID format")];
  if (uid.length !== 36 || uid !== uid.toLowerCase()) return [invalid(path, uid, "uid must be in RFC 4122 normalized form, `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` with lowercase hexadecimal characters")];
  return [];
}

function deviceID(o: Obj): string {
  const id = `${stringAt(o.driver)}/${stringAt(o.pool)}/${stringAt(o.device)}`;
  const share = stringAt(o.shareID);
  return share ? `${id}/${share}` : id;
}

/** `validateDeviceRequestAllocationResult`. */
function validateResult(r: unknown, path: FieldPath, names: RequestNames, ctx: ApiContext): FieldError[] {
  const result = objectAt(r);
  const errs = validateRequestNameRef(stringAt(result.request), path.child("request"), names);
  errs.push(...validateDriverName(stringAt(result.driver), path.child("driver"), ctx));
  errs.push(...validatePoolName(stringAt(result.pool), path.child("pool"), ctx));
  errs.push(...validateDeviceName(stringAt(result.device), path.child("device")));
  if (ctx.minor >= 34) errs.push(...validateBindingParameters(result, path, ctx));
  errs.push(...validateTolerations(result.tolerations, path.child("tolerations"), ctx));
  if (typeof result.shareID === "string") errs.push(...validateUID(result.shareID, path.child("shareID")));
  return errs;
}

/** `validateAllocationConfigSource`. */
function validateConfigSource(source: string, path: FieldPath): FieldError[] {
  if (source === "") return [required(path, "")];
  return source === "FromClaim" || source === "FromClass" ? [] : [notSupported(path, source, ["FromClaim", "FromClass"])];
}

/** `validateAllocationResult`, for a new allocation. */
function validateAllocation(allocation: Obj, path: FieldPath, names: RequestNames, ctx: ApiContext): FieldError[] {
  const devices = objectAt(allocation.devices);
  const dp = path.child("devices");
  const errs = validateSlice(listAt(devices.results), ALLOCATION_RESULTS_MAX_SIZE, (r, p) => validateResult(r, p, names, ctx), dp.child("results"), ctx);
  errs.push(
    ...validateSlice(
      listAt(devices.config),
      2 * DEVICE_CONFIG_MAX_SIZE,
      (c, p) => [
        ...validateConfigSource(stringAt(objectAt(c).source), p.child("source")),
        ...validateRequestRefs(objectAt(c).requests, p.child("requests"), names, ctx),
        ...validateDeviceConfiguration(objectAt(c), p, false, ctx),
      ],
      dp.child("config"),
      ctx,
    ),
  );
  const nodeSelector = optionalObject(allocation.nodeSelector);
  if (nodeSelector) errs.push(...validateNodeSelector(nodeSelector, path.child("nodeSelector"), ctx.minor >= 33));
  return errs;
}

/** `validateNetworkDeviceData`. */
function validateNetworkData(data: Obj | undefined, path: FieldPath, ctx: ApiContext): FieldError[] {
  if (!data) return [];
  const errs: FieldError[] = [];
  if (stringAt(data.interfaceName).length > NETWORK_INTERFACE_NAME_MAX_LENGTH) errs.push(tooLong(path.child("interfaceName"), "", NETWORK_INTERFACE_NAME_MAX_LENGTH, ctx.minor));
  if (stringAt(data.hardwareAddress).length > NETWORK_HARDWARE_ADDRESS_MAX_LENGTH) errs.push(tooLong(path.child("hardwareAddress"), "", NETWORK_HARDWARE_ADDRESS_MAX_LENGTH, ctx.minor));
  errs.push(...validateSet(listAt(data.ips).map(stringAt), NETWORK_MAX_IPS, (ip, p) => isValidInterfaceAddress(p, ip as string), (ip) => ip as string, path.child("ips"), ctx));
  return errs;
}

/** `validateDeviceStatus`: a device the claim was allocated, its conditions, data and network data. */
function validateDeviceStatus(d: unknown, path: FieldPath, allocated: Set<string>, ctx: ApiContext): FieldError[] {
  const device = objectAt(d);
  const errs = validateDriverName(stringAt(device.driver), path.child("driver"), ctx);
  errs.push(...validatePoolName(stringAt(device.pool), path.child("pool"), ctx));
  errs.push(...validateDeviceName(stringAt(device.device), path.child("device")));
  if (typeof device.shareID === "string") errs.push(...validateUID(device.shareID, path.child("shareID")));
  const id = deviceID(device);
  if (!allocated.has(id)) errs.push(invalid(path, id, "must be an allocated device in the claim"));
  const conditions = listAt(device.conditions);
  if (conditions.length > ALLOCATED_DEVICE_STATUS_MAX_CONDITIONS) errs.push(tooMany(path.child("conditions"), conditions.length, ALLOCATED_DEVICE_STATUS_MAX_CONDITIONS));
  errs.push(...validateConditions(conditions, path.child("conditions"), ctx));
  if (device.data !== undefined && device.data !== null) errs.push(...validateRawExtension(device.data, path.child("data"), false, ALLOCATED_DEVICE_STATUS_DATA_MAX_LENGTH, ctx));
  errs.push(...validateNetworkData(optionalObject(device.networkData), path.child("networkData"), ctx));
  return errs;
}

/**
 * `ValidateResourceClaimStatusUpdate`: reservations (unique by UID, at most 256, only with an
 * allocation, none added while the claim is being deleted), an allocation that never changes once
 * set, and the status of allocated devices.
 *
 * @example
 * validateResourceClaimStatusUpdate({ spec, status: { reservedFor: [{ resource: "pods", name: "p", uid: "1" }] } }, { spec }, ctx);
 * // [status.reservedFor: Forbidden: may not be specified when `allocated` is not set]
 */
export function validateResourceClaimStatusUpdate(claim: Obj, old: Obj, ctx: ApiContext): FieldError[] {
  const path = FieldPath.of("status");
  const status = objectAt(claim.status);
  const oldStatus = objectAt(old.status);
  const names = gatherRequestNames(objectAt(objectAt(claim.spec).devices));
  const reservedFor = listAt(status.reservedFor);
  const errs = validateSet(reservedFor, RESOURCE_CLAIM_RESERVED_FOR_MAX_SIZE, validateConsumer, (r) => stringAt(objectAt(r).uid), path.child("reservedFor"), ctx, "uid");
  const allocation = optionalObject(status.allocation);
  const oldAllocation = optionalObject(oldStatus.allocation);
  const allocated = new Set(listAt(objectAt(allocation?.devices).results).map((r) => deviceID(objectAt(r))));
  errs.push(...validateSet(listAt(status.devices), -1, (d, p) => validateDeviceStatus(d, p, allocated, ctx), (d) => deviceID(objectAt(d)), path.child("devices"), ctx, "deviceID"));
  if (reservedFor.length > 0) {
    if (!allocation) errs.push(forbidden(path.child("reservedFor"), "may not be specified when `allocated` is not set"));
    else if (isRecord(claim.metadata) && claim.metadata.deletionTimestamp) {
      const before = listAt(oldStatus.reservedFor);
      if (reservedFor.some((r) => !before.some((b) => semanticEqual(r, b)))) {
        errs.push(forbidden(path.child("reservedFor"), "new entries may not be added while `deallocationRequested` or `deletionTimestamp` are set"));
      }
    }
  }
  if (oldAllocation && allocation) errs.push(...validateImmutableField(allocation, oldAllocation, path.child("allocation"), JSON.stringify(allocation)));
  else if (allocation) errs.push(...validateAllocation(allocation, path.child("allocation"), names, ctx));
  return errs;
}

/**
 * `ValidateResourceClaimTemplate` without the object metadata: the claims' metadata
 * (`ValidateTemplateObjectMeta`: annotations, labels) and the claim spec under `spec.spec`
 * (stored on updates).
 *
 * @example
 * validateResourceClaimTemplate({ spec: { spec: { devices: { requests: [] } } } }, apiContext({ minor: 36 })); // []
 */
export function validateResourceClaimTemplate(template: Obj, ctx: ApiContext): FieldError[] {
  const spec = objectAt(template.spec);
  const meta = objectAt(spec.metadata);
  const metaPath = FieldPath.of("spec", "metadata");
  return [
    ...validateAnnotations(meta.annotations, metaPath.child("annotations")),
    ...validateLabels(meta.labels, metaPath.child("labels")),
    ...validateClaimSpec(objectAt(spec.spec), FieldPath.of("spec", "spec"), ctx.operation === "UPDATE", ctx),
  ];
}

/**
 * `ValidateResourceClaimTemplateUpdate`: the spec is immutable.
 *
 * @example
 * validateResourceClaimTemplateUpdate(template, template); // []
 */
export function validateResourceClaimTemplateUpdate(template: Obj, old: Obj): FieldError[] {
  if (semanticEqual(template.spec, old.spec, true)) return [];
  return validateImmutableField(template.spec, old.spec, FieldPath.of("spec"), specDisplay(template.spec));
}

function defaultMode(r: Obj): void {
  if (r.allocationMode === undefined || r.allocationMode === null || r.allocationMode === "") r.allocationMode = "ExactCount";
  if (r.allocationMode === "ExactCount" && (r.count === undefined || r.count === null || r.count === 0)) r.count = 1;
}

function defaultTolerations(tolerations: unknown): void {
  for (const t of listAt(tolerations)) {
    if (isRecord(t) && (t.operator === undefined || t.operator === null || t.operator === "")) t.operator = "Equal";
  }
}

/**
 * `SetDefaults_ExactDeviceRequest` / `SetDefaults_DeviceRequest` and `SetDefaults_DeviceSubRequest`:
 * `allocationMode: ExactCount` and `count: 1`; tolerations' operator `Equal`. In v1alpha3 and v1beta1
 * a request without a class (one with alternatives) is left alone.
 *
 * @example
 * const devices = { requests: [{ name: "gpu", exactly: { deviceClassName: "c" } }] };
 * defaultDeviceClaim(devices, apiContext({ minor: 36 })); // exactly gets allocationMode: "ExactCount", count: 1
 */
export function defaultDeviceClaim(devices: unknown, ctx: ApiContext): void {
  for (const r of listAt(objectAt(devices).requests)) {
    if (!isRecord(r)) continue;
    if (flatVersion(ctx)) {
      if (ctx.minor <= 32 || stringAt(r.deviceClassName) !== "") defaultMode(r);
      defaultTolerations(r.tolerations);
    } else if (isRecord(r.exactly)) {
      defaultMode(r.exactly);
      defaultTolerations(r.exactly.tolerations);
    }
    for (const s of listAt(r.firstAvailable)) {
      if (!isRecord(s)) continue;
      defaultMode(s);
      defaultTolerations(s.tolerations);
    }
  }
}
