/**
 * What the resource.k8s.io registry strategies drop before validation (`dropDisabledFields` in
 * pkg/registry/resource/…/strategy.go): fields of features whose gate is off, unless the stored
 * object already uses them. A claim that only asks for alternatives (`firstAvailable`) while
 * DRAPrioritizedList is off is then left without a request kind, and refused as kube-apiserver
 * refuses it.
 */
import type { ApiContext } from "../context.js";
import { listAt, objectAt } from "../validation/index.js";
import { isRecord } from "../../meta/values.js";

type Obj = Record<string, unknown>;

function isSet(v: unknown): boolean {
  return v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0);
}

function requestsOf(obj: Obj | undefined, templated: boolean): Obj[] {
  const spec = objectAt(obj?.spec);
  const claimSpec = templated ? objectAt(spec.spec) : spec;
  return listAt(objectAt(claimSpec.devices).requests).filter(isRecord);
}

/** The object holding a request's `adminAccess`: `exactly` in v1beta2 and v1, the request itself before. */
function exactHolder(request: Obj): Obj | undefined {
  if (isRecord(request.exactly)) return request.exactly;
  return "exactly" in request ? undefined : request;
}

/**
 * `dropDisabledFields` for ResourceClaim (`templated: false`) and ResourceClaimTemplate specs.
 *
 * @example
 * dropDisabledClaimFields(claim, undefined, apiContext({ minor: 33 }), false); // firstAvailable removed (DRAPrioritizedList off)
 */
export function dropDisabledClaimFields(obj: Obj, old: Obj | undefined, ctx: ApiContext, templated: boolean): void {
  const requests = requestsOf(obj, templated);
  const oldRequests = requestsOf(old, templated);
  if (!ctx.gate("DRAPrioritizedList") && !oldRequests.some((r) => listAt(r.firstAvailable).length > 0)) {
    for (const r of requests) delete r.firstAvailable;
  }
  if (!ctx.gate("DRAAdminAccess")) {
    const oldResults = templated ? [] : listAt(objectAt(objectAt(objectAt(old?.status).allocation).devices).results);
    const inUse = oldRequests.some((r) => isSet(exactHolder(r)?.adminAccess)) || oldResults.some((r) => isSet(objectAt(r).adminAccess));
    if (!inUse) {
      for (const r of requests) {
        const holder = exactHolder(r);
        if (holder) delete holder.adminAccess;
      }
      if (!templated) for (const r of listAt(objectAt(objectAt(objectAt(obj.status).allocation).devices).results)) if (isRecord(r)) delete r.adminAccess;
    }
  }
}

/** A slice's devices with the fields that carry them (`basic` in v1alpha3 and v1beta1). */
function deviceBodies(obj: Obj | undefined): Obj[] {
  return listAt(objectAt(obj?.spec).devices)
    .filter(isRecord)
    .map((d) => (isRecord(d.basic) ? d.basic : d));
}

const PARTITIONABLE_DEVICE_FIELDS = ["consumesCounters", "nodeName", "nodeSelector", "allNodes"] as const;
const BINDING_FIELDS = ["bindingConditions", "bindingFailureConditions", "bindsToNode"] as const;

/**
 * `dropDisabledFields` for ResourceSlice: taints, partitionable devices, binding conditions, consumable capacity.
 *
 * @example
 * dropDisabledSliceFields(slice, undefined, apiContext({ minor: 35 })); // device taints removed (DRADeviceTaints off)
 */
export function dropDisabledSliceFields(obj: Obj, old: Obj | undefined, ctx: ApiContext): void {
  const oldSpec = objectAt(old?.spec);
  const devices = deviceBodies(obj);
  const oldDevices = deviceBodies(old);
  const used = (fields: readonly string[]) => oldDevices.some((d) => fields.some((f) => isSet(d[f])));
  if (!ctx.gate("DRADeviceTaints") && !used(["taints"])) for (const d of devices) delete d.taints;
  if (!ctx.gate("DRAPartitionableDevices") && !isSet(oldSpec.sharedCounters) && !isSet(oldSpec.perDeviceNodeSelection) && !used(PARTITIONABLE_DEVICE_FIELDS)) {
    if (isRecord(obj.spec)) {
      delete obj.spec.sharedCounters;
      delete obj.spec.perDeviceNodeSelection;
    }
    for (const d of devices) for (const f of PARTITIONABLE_DEVICE_FIELDS) delete d[f];
  }
  if (!ctx.gate("DRADeviceBindingConditions") && !used(BINDING_FIELDS)) for (const d of devices) for (const f of BINDING_FIELDS) delete d[f];
  const policyUsed = oldDevices.some((d) => Object.values(objectAt(d.capacity)).some((c) => isSet(objectAt(c).requestPolicy)));
  if (!ctx.gate("DRAConsumableCapacity") && !used(["allowMultipleAllocations"]) && !policyUsed) {
    for (const d of devices) {
      delete d.allowMultipleAllocations;
      for (const c of Object.values(objectAt(d.capacity))) if (isRecord(c)) delete c.requestPolicy;
    }
  }
}

/**
 * `dropDisabledFields` for DeviceClass: the extended resource name.
 *
 * @example
 * dropDisabledClassFields(deviceClass, undefined, apiContext({ minor: 35 })); // extendedResourceName removed
 */
export function dropDisabledClassFields(obj: Obj, old: Obj | undefined, ctx: ApiContext): void {
  if (ctx.gate("DRAExtendedResource") || isSet(objectAt(old?.spec).extendedResourceName)) return;
  if (isRecord(obj.spec)) delete obj.spec.extendedResourceName;
}
