/**
 * What the resource.k8s.io strategies do beyond validation, translated from
 * pkg/registry/resource/utils.go (`AuthorizedForAdmin`, `AuthorizedForAdminStatus`), the
 * ResourceClaim status strategy's `PrepareForUpdate` (`dropDisabledStatusFields`,
 * `dropDeallocatedStatusDevices`), `SetDefaults_DeviceTaint` (TestSetDefaultDeviceTaint) and the
 * DeviceTaintRule strategy's `PrepareForUpdate` (a changed effect gets a new `timeAdded`).
 */
import { describe, expect, it } from "vitest";
import { validateWrite, checkWrite } from "../../../src/apiserver/index.js";
import { formatFieldError } from "../../../src/meta/index.js";

type Obj = Record<string, unknown>;
type Labels = Record<string, string> | null | undefined;

const ADMIN = "resource.kubernetes.io/admin-access";
const FORBIDDEN = "Forbidden: admin access to devices requires the `resource.kubernetes.io/admin-access: true` label on the containing namespace";

const request = (adminAccess?: boolean): Obj => ({ name: "req-0", exactly: { deviceClassName: "class", allocationMode: "All", ...(adminAccess === undefined ? {} : { adminAccess }) } });
const claim = (requests: Obj[], version = "v1"): Obj => ({ apiVersion: `resource.k8s.io/${version}`, kind: "ResourceClaim", metadata: { name: "claim", namespace: "team-a" }, spec: { devices: { requests } } });
const template = (requests: Obj[]): Obj => ({ apiVersion: "resource.k8s.io/v1", kind: "ResourceClaimTemplate", metadata: { name: "t", namespace: "team-a" }, spec: { spec: { devices: { requests } } } });

function errors(obj: Obj, labels: Labels, minor = 36, extra: Obj = {}): string[] {
  return validateWrite(obj, { minor, namespaceLabels: () => labels, ...extra }).errors.map(formatFieldError);
}

describe("AuthorizedForAdmin", () => {
  it("refuses admin access in a namespace without the label, at the internal path of the first request asking for it", () => {
    expect(errors(claim([request(false), request(true)].map((r, i) => ({ ...r, name: `req-${i}` }))), {})).toEqual([`spec.devices.requests[1].adminAccess: ${FORBIDDEN}`]);
    expect(errors(claim([request(true)]), { [ADMIN]: "false" })).toEqual([`spec.devices.requests[0].adminAccess: ${FORBIDDEN}`]);
  });

  it("allows it where the namespace carries resource.kubernetes.io/admin-access: true, and does not look without a request for it", () => {
    expect(errors(claim([request(true)]), { [ADMIN]: "true" })).toEqual([]);
    expect(errors(claim([request(false)]), {})).toEqual([]);
    expect(errors(claim([request()]), null)).toEqual([]);
  });

  it("a namespace the server does not have is an internal error", () => {
    expect(errors(claim([request(true)]), null)).toEqual(['spec.devices.requests[0].adminAccess: Internal error: could not retrieve namespace to verify admin access: namespaces "team-a" not found']);
  });

  it("says nothing when the namespace cannot be known (an offline check without it)", () => {
    expect(errors(claim([request(true)]), undefined)).toEqual([]);
    expect(validateWrite(claim([request(true)]), { minor: 36 }).errors).toEqual([]);
  });

  it("reads v1beta1's flat request and templates, with the same path", () => {
    const flat = { name: "req-0", deviceClassName: "class", allocationMode: "All", adminAccess: true };
    expect(errors(claim([flat], "v1beta1"), {})).toEqual([`spec.devices.requests[0].adminAccess: ${FORBIDDEN}`]);
    expect(errors(template([request(true)]), {})).toEqual([`spec.devices.requests[0].adminAccess: ${FORBIDDEN}`]);
  });

  it("is not checked again on updates (the spec is immutable), nor where DRAAdminAccess is off (1.33: the field is dropped)", () => {
    const stored = claim([request(true)]);
    expect(errors(claim([request(true)]), {}, 36, { old: stored })).toEqual([]);
    expect(errors(claim([request(true)]), {}, 33)).toEqual([]);
  });
});

describe("the ResourceClaim status strategy", () => {
  const result = (extra: Obj = {}): Obj => ({ request: "req-0", driver: "dra.example.com", pool: "pool", device: "dev-0", ...extra });
  const allocated = (results: Obj[], devices?: Obj[]): Obj => ({
    ...claim([request(true)]),
    status: { allocation: { devices: { results } }, ...(devices ? { devices } : {}) },
  });

  it("AuthorizedForAdminStatus: an allocation granting admin access needs the label; one granted before is not checked again", () => {
    const stored = claim([request(true)]);
    const next = allocated([result({ adminAccess: true })]);
    expect(errors(next, {}, 36, { old: stored, subresource: "status" })).toEqual([`status.allocation.devices.results[0].adminAccess: ${FORBIDDEN}`]);
    expect(errors(next, { [ADMIN]: "true" }, 36, { old: stored, subresource: "status" })).toEqual([]);
    expect(errors(next, {}, 36, { old: allocated([result({ adminAccess: true })]), subresource: "status" })).toEqual([]);
  });

  it("dropDeallocatedStatusDevices: statuses of devices no longer allocated are removed", () => {
    const stored = allocated([result(), result({ device: "dev-1", request: "req-0" })], [{ driver: "dra.example.com", pool: "pool", device: "dev-0" }, { driver: "dra.example.com", pool: "pool", device: "dev-1" }]);
    const next = structuredClone(stored);
    (next.status as Obj).allocation = undefined;
    delete (next.status as Obj).allocation;
    const out = checkWrite(next, { minor: 36, old: stored, subresource: "status", namespaceLabels: () => ({}) });
    expect((out.object.status as Obj).devices).toBeUndefined();
  });

  it("dropDisabledStatusFields: device statuses are dropped where DRAResourceClaimDeviceStatus is off and unused", () => {
    const stored = allocated([result()]);
    const next = allocated([result()], [{ driver: "dra.example.com", pool: "pool", device: "dev-0" }]);
    const off = checkWrite(next, { minor: 36, old: stored, subresource: "status", featureGates: { DRAResourceClaimDeviceStatus: false } });
    expect((off.object.status as Obj).devices).toBeUndefined();
    const on = checkWrite(next, { minor: 36, old: stored, subresource: "status" });
    expect((on.object.status as Obj).devices).toEqual([{ driver: "dra.example.com", pool: "pool", device: "dev-0" }]);
  });
});

describe("device taints get the time they were added", () => {
  const now = () => new Date("2026-03-04T05:06:07.890Z");
  const slice = (taint: Obj): Obj => ({
    apiVersion: "resource.k8s.io/v1",
    kind: "ResourceSlice",
    metadata: { name: "s" },
    spec: { driver: "dra.example.com", pool: { name: "p", generation: 1, resourceSliceCount: 1 }, nodeName: "n", devices: [{ name: "device-0", taints: [taint] }] },
  });
  const taintOf = (o: Obj) => ((o.spec as Obj).devices as Obj[])[0]!.taints as Obj[];

  it("SetDefaults_DeviceTaint: a taint without timeAdded gets the server's time to the second; a given one is kept", () => {
    const out = validateWrite(slice({ key: "example.com/t", effect: "NoSchedule" }), { minor: 36, now });
    expect(out.errors).toEqual([]);
    expect(taintOf(out.object)[0]!.timeAdded).toBe("2026-03-04T05:06:07Z");
    const kept = validateWrite(slice({ key: "example.com/t", effect: "NoSchedule", timeAdded: "2006-01-02T15:04:05Z" }), { minor: 36, now });
    expect(taintOf(kept.object)[0]!.timeAdded).toBe("2006-01-02T15:04:05Z");
  });

  it("a DeviceTaintRule whose effect changes with the same timeAdded gets a new one", () => {
    const rule = (effect: string, timeAdded?: string): Obj => ({
      apiVersion: "resource.k8s.io/v1alpha3",
      kind: "DeviceTaintRule",
      metadata: { name: "r", generation: 1 },
      spec: { taint: { key: "example.com/t", effect, ...(timeAdded ? { timeAdded } : {}) } },
    });
    const created = validateWrite(rule("NoSchedule"), { minor: 36, now });
    expect(((created.object.spec as Obj).taint as Obj).timeAdded).toBe("2026-03-04T05:06:07Z");
    const stored = rule("NoSchedule", "2006-01-02T15:04:05Z");
    const later = () => new Date("2026-05-06T07:08:09Z");
    const changed = validateWrite(rule("NoExecute", "2006-01-02T15:04:05Z"), { minor: 36, old: stored, now: later });
    expect(((changed.object.spec as Obj).taint as Obj).timeAdded).toBe("2026-05-06T07:08:09Z");
    const same = validateWrite(rule("NoSchedule", "2006-01-02T15:04:05Z"), { minor: 36, old: stored, now: later });
    expect(((same.object.spec as Obj).taint as Obj).timeAdded).toBe("2006-01-02T15:04:05Z");
  });
});
