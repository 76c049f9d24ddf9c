/**
 * What the resource.k8s.io strategies check and change beyond validation: admin access to devices
 * only in namespaces labelled for it (`AuthorizedForAdmin`, `AuthorizedForAdminStatus` of
 * pkg/registry/resource), the status strategy's `PrepareForUpdate` (fields of disabled features
 * dropped, device statuses of deallocated devices removed), and the time a device taint was added
 * (`SetDefaults_DeviceTaint`; a DeviceTaintRule whose effect changes gets a new one).
 */
import type { ApiContext } from "../context.js";
import { FieldPath, forbidden, internalError, type FieldError } from "../field.js";
import { listAt, objectAt, optionalObject, stringAt } from "../validation/index.js";
import { isRecord } from "../../meta/values.js";

type Obj = Record<string, unknown>;

/** `resource.DRAAdminNamespaceLabelKey`. */
export const DRA_ADMIN_NAMESPACE_LABEL = "resource.kubernetes.io/admin-access";

/** A request's `adminAccess` wherever its version keeps it (`exactly` in v1beta2 and v1). */
function adminAccessOf(request: Obj, ctx: ApiContext): unknown {
  if (ctx.version === "v1alpha3" || ctx.version === "v1beta1") return request.adminAccess;
  return optionalObject(request.exactly)?.adminAccess;
}

/** Admin access refused: the namespace's label, or the namespace itself, is missing. */
function refuse(namespace: string, path: FieldPath, ctx: ApiContext): FieldError[] {
  const labels = ctx.namespaceLabels(namespace);
  // Offline, without the namespace: nothing is known, nothing is said.
  if (labels === undefined) return [];
  if (ctx.minor <= 33) {
    // 1.33 (DRAAdminAccess alpha): the error is about the whole object.
    const root = FieldPath.of("");
    if (labels === null) return [forbidden(root, "admin access to devices is not allowed when namespace object is not retrievable")];
    if (labels[DRA_ADMIN_NAMESPACE_LABEL] !== "true") return [forbidden(root, `admin access to devices is not allowed in namespace without the \`${DRA_ADMIN_NAMESPACE_LABEL}: true\` label`)];
    return [];
  }
  if (labels === null) return [internalError(path, `could not retrieve namespace to verify admin access: namespaces ${JSON.stringify(namespace)} not found`)];
  if (labels[DRA_ADMIN_NAMESPACE_LABEL] !== "true") return [forbidden(path, `admin access to devices requires the \`${DRA_ADMIN_NAMESPACE_LABEL}: true\` label on the containing namespace`)];
  return [];
}

/**
 * `AuthorizedForAdmin`: a claim (or template) asking for admin access to devices is allowed only in
 * a namespace labelled `resource.kubernetes.io/admin-access: "true"`. The first request asking for
 * it is named, at the internal type's path (`spec.devices.requests[i].adminAccess`). Nothing is
 * checked when the DRAAdminAccess gate is off: the strategy has dropped the field already.
 *
 * @example
 * authorizedForAdmin(requests, "team-a", apiContext({ minor: 36, namespaceLabels: () => ({}) }));
 * // [spec.devices.requests[0].adminAccess: Forbidden: admin access to devices requires the `resource.kubernetes.io/admin-access: true` label on the containing namespace]
 */
export function authorizedForAdmin(requests: readonly unknown[], namespace: string, ctx: ApiContext): FieldError[] {
  if (!ctx.gate("DRAAdminAccess")) return [];
  const i = requests.findIndex((r) => isRecord(r) && adminAccessOf(r, ctx) === true);
  if (i < 0) return [];
  return refuse(namespace, FieldPath.of("spec", "devices", "requests").index(i).child("adminAccess"), ctx);
}

/** The index of the first allocation result granting admin access, or -1. */
function adminResult(claim: Obj | undefined): number {
  const results = listAt(objectAt(objectAt(objectAt(claim?.status).allocation).devices).results);
  return results.findIndex((r) => isRecord(r) && r.adminAccess === true);
}

/**
 * `AuthorizedForAdminStatus`: an allocation granting admin access is written only in a namespace
 * labelled for it; an allocation that granted it already is immutable and not checked again.
 *
 * @example
 * authorizedForAdminStatus(claim, stored, apiContext({ minor: 36, namespaceLabels: () => ({}) }));
 */
export function authorizedForAdminStatus(claim: Obj, old: Obj, ctx: ApiContext): FieldError[] {
  if (ctx.minor <= 33 && !ctx.gate("DRAAdminAccess")) return [];
  if (adminResult(old) >= 0) return [];
  const i = adminResult(claim);
  if (i < 0) return [];
  const namespace = stringAt(objectAt(claim.metadata).namespace);
  return refuse(namespace, FieldPath.of("status", "allocation", "devices", "results").index(i).child("adminAccess"), ctx);
}

function isSet(v: unknown): boolean {
  return v !== undefined && v !== null;
}

function resultsOf(claim: Obj | undefined): Obj[] {
  return listAt(objectAt(objectAt(objectAt(claim?.status).allocation).devices).results).filter(isRecord);
}

/**
 * The ResourceClaim status strategy's `PrepareForUpdate` after the spec and metadata are kept:
 * `dropDisabledStatusFields` (device statuses, admin access, consumable capacity and binding
 * conditions of features whose gate is off, unless the stored claim uses them), then
 * `dropDeallocatedStatusDevices` (statuses of devices no longer allocated).
 *
 * @example
 * prepareClaimStatusUpdate(claim, stored, apiContext({ minor: 36, operation: "UPDATE" }));
 */
export function prepareClaimStatusUpdate(claim: Obj, old: Obj, ctx: ApiContext): void {
  const status = isRecord(claim.status) ? claim.status : undefined;
  const oldStatus = objectAt(old.status);
  const deviceStatusInUse = listAt(oldStatus.devices).length > 0;
  if (status && !ctx.gate("DRAResourceClaimDeviceStatus") && !deviceStatusInUse) delete status.devices;
  const results = resultsOf(claim);
  const oldResults = resultsOf(old);
  if (!ctx.gate("DRAAdminAccess")) {
    const inUse = listAt(objectAt(objectAt(old.spec).devices).requests).some((r) => isRecord(r) && isSet(adminAccessOf(r, ctx))) || oldResults.some((r) => isSet(r.adminAccess));
    if (!inUse) for (const r of results) delete r.adminAccess;
  }
  if (!ctx.gate("DRAConsumableCapacity")) {
    const inUse = oldResults.some((r) => isSet(r.shareID) || isSet(r.consumedCapacity)) || listAt(oldStatus.devices).some((d) => isRecord(d) && isSet(d.shareID));
    if (!inUse) {
      for (const r of results) {
        delete r.shareID;
        delete r.consumedCapacity;
      }
      for (const d of listAt(status?.devices)) if (isRecord(d)) delete d.shareID;
    }
  }
  if (!ctx.gate("DRADeviceBindingConditions") && !oldResults.some((r) => isSet(r.bindingConditions) || isSet(r.bindingFailureConditions))) {
    for (const r of results) {
      delete r.bindingConditions;
      delete r.bindingFailureConditions;
    }
  }
  // dropDeallocatedStatusDevices: NOP when the device statuses were dropped above.
  if (!status || (!ctx.gate("DRAResourceClaimDeviceStatus") && !deviceStatusInUse)) return;
  const key = (o: Obj) => `${stringAt(o.driver)}/${stringAt(o.pool)}/${stringAt(o.device)}/${stringAt(o.shareID)}`;
  const deallocated = new Set(oldResults.map(key));
  for (const r of results) deallocated.delete(key(r));
  if (!Array.isArray(status.devices)) return;
  const kept = status.devices.filter((d) => !(isRecord(d) && deallocated.has(key(d))));
  if (kept.length) status.devices = kept;
  else delete status.devices;
}

/** `SetDefaults_DeviceTaint`: a taint without `timeAdded` gets the server's time. */
function defaultTaint(taint: unknown, ctx: ApiContext): void {
  if (isRecord(taint) && (taint.timeAdded === undefined || taint.timeAdded === null)) taint.timeAdded = timestamp(ctx.now());
}

/** Time as `metav1.Time` marshals it: RFC 3339 in UTC, whole seconds. */
function timestamp(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, "Z");
}

/**
 * The defaults of a ResourceSlice's device taints (`spec.devices[].taints`, under `basic` in
 * v1alpha3 and v1beta1).
 *
 * @example
 * defaultSliceTaints(slice, apiContext({ minor: 36 })); // each taint without timeAdded gets the time
 */
export function defaultSliceTaints(slice: Obj, ctx: ApiContext): void {
  for (const d of listAt(objectAt(slice.spec).devices)) {
    if (!isRecord(d)) continue;
    const body = isRecord(d.basic) ? d.basic : d;
    for (const t of listAt(body.taints)) defaultTaint(t, ctx);
  }
}

/**
 * The defaults of a DeviceTaintRule's taint.
 *
 * @example
 * defaultTaintRule(rule, apiContext({ minor: 36 })); // spec.taint.timeAdded set when missing
 */
export function defaultTaintRule(rule: Obj, ctx: ApiContext): void {
  defaultTaint(objectAt(rule.spec).taint, ctx);
}

/**
 * The DeviceTaintRule strategy's `PrepareForUpdate` for the taint: a changed effect with an
 * unchanged `timeAdded` gets the current time, so that the time tracks when the effect was added.
 *
 * @example
 * restampChangedEffect(rule, stored, apiContext({ minor: 36, operation: "UPDATE" }));
 */
export function restampChangedEffect(rule: Obj, old: Obj, ctx: ApiContext): void {
  const taint = objectAt(rule.spec).taint;
  const oldTaint = objectAt(objectAt(old.spec).taint);
  if (!isRecord(taint) || stringAt(taint.effect) === stringAt(oldTaint.effect)) return;
  if (sameTime(taint.timeAdded, oldTaint.timeAdded)) taint.timeAdded = timestamp(ctx.now());
}

/** `metav1.Time.Equal`: the same instant (nil equals nil), whatever the zone written. */
function sameTime(a: unknown, b: unknown): boolean {
  if (!isSet(a) || !isSet(b)) return !isSet(a) && !isSet(b);
  const ta = Date.parse(String(a));
  const tb = Date.parse(String(b));
  return Number.isNaN(ta) || Number.isNaN(tb) ? a === b : ta === tb;
}
