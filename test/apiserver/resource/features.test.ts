/**
 * Feature gates of resource.k8s.io (kube_features.go): fields of a feature whose gate is off are
 * dropped before validation unless the stored object uses them (the strategies' `dropDisabledFields`).
 */
import { describe, expect, it } from "vitest";
import { validateWrite } from "../../../src/apiserver/index.js";
import { formatFieldError } from "../../../src/meta/index.js";

type Obj = Record<string, unknown>;

const claim = (requests: Obj[], version = "v1beta2"): Obj => ({ apiVersion: `resource.k8s.io/${version}`, kind: "ResourceClaim", metadata: { name: "c", namespace: "ns" }, spec: { devices: { requests } } });
const alternatives: Obj = { name: "gpu", firstAvailable: [{ name: "big", deviceClassName: "big.example.com" }, { name: "small", deviceClassName: "small.example.com" }] };

describe("DRAPrioritizedList (beta, on from 1.34)", () => {
  it("alternatives are dropped in 1.33, leaving the request empty", () => {
    const r = validateWrite(claim([alternatives]), { minor: 33 });
    expect(r.errors.map(formatFieldError)).toEqual(["spec.devices.requests[0]: Required value: exactly one of `deviceClassName` or `firstAvailable` must be specified"]);
    expect(validateWrite(claim([alternatives]), { minor: 33, featureGates: { DRAPrioritizedList: true } }).errors).toEqual([]);
    expect(validateWrite(claim([alternatives]), { minor: 34 }).errors).toEqual([]);
  });

  it("a stored claim that uses them keeps them", () => {
    const old = { ...claim([alternatives]), metadata: { name: "c", namespace: "ns", resourceVersion: "1" } };
    const next = { ...structuredClone(old), metadata: { name: "c", namespace: "ns", resourceVersion: "1", labels: { a: "b" } } };
    expect(validateWrite(next, { minor: 33, old }).errors).toEqual([]);
  });
});

describe("DRAAdminAccess (beta, on from 1.34)", () => {
  it("adminAccess is dropped before 1.34 and kept after", () => {
    const request = { name: "gpu", exactly: { deviceClassName: "gpu.example.com", adminAccess: true } };
    const before = validateWrite(claim([request]), { minor: 33 }).object as { spec: { devices: { requests: Array<{ exactly: Obj }> } } };
    expect(before.spec.devices.requests[0]!.exactly.adminAccess).toBeUndefined();
    const after = validateWrite(claim([request], "v1"), { minor: 34 }).object as { spec: { devices: { requests: Array<{ exactly: Obj }> } } };
    expect(after.spec.devices.requests[0]!.exactly.adminAccess).toBe(true);
  });
});

describe("ResourceSlice features (on from 1.36)", () => {
  const slice = (spec: Obj): Obj => ({ apiVersion: "resource.k8s.io/v1", kind: "ResourceSlice", metadata: { name: "s" }, spec: { driver: "dra.example.com", pool: { name: "p", resourceSliceCount: 1 }, ...spec } });

  it("taints are dropped in 1.35", () => {
    const s = slice({ nodeName: "n", devices: [{ name: "d", taints: [{ key: "example.com/t", effect: "NoSchedule" }] }] });
    const r = validateWrite(s, { minor: 35 });
    expect(r.errors).toEqual([]);
    expect((r.object as { spec: { devices: Obj[] } }).spec.devices[0]).toEqual({ name: "d" });
  });

  it("per-device node selection is dropped in 1.35, leaving the slice without node selection", () => {
    const s = slice({ perDeviceNodeSelection: true, devices: [{ name: "d", nodeName: "n" }] });
    expect(validateWrite(s, { minor: 35 }).errors.map(formatFieldError)).toEqual(["spec: Required value: exactly one of `nodeName`, `nodeSelector`, `allNodes`, `perDeviceNodeSelection` is required"]);
    expect(validateWrite(s, { minor: 36 }).errors).toEqual([]);
  });

  it("a request policy needs multiple allocations (DRAConsumableCapacity)", () => {
    const s = slice({ nodeName: "n", devices: [{ name: "d", capacity: { mem: { value: "10Gi", requestPolicy: { default: "1Gi", validRange: { min: "1Gi" } } } } }] });
    expect(validateWrite(s, { minor: 36 }).errors.map(formatFieldError)).toEqual(["spec.devices[0].capacity[mem].requestPolicy: Forbidden: allowMultipleAllocations must be true"]);
    expect(validateWrite(s, { minor: 35 }).errors).toEqual([]);
  });
});

describe("DRAExtendedResource (beta, on from 1.36)", () => {
  it("the extended resource name is dropped in 1.35", () => {
    const dc = { apiVersion: "resource.k8s.io/v1", kind: "DeviceClass", metadata: { name: "c" }, spec: { extendedResourceName: "not-extended" } };
    expect(validateWrite(structuredClone(dc), { minor: 35 }).errors).toEqual([]);
    expect(validateWrite(structuredClone(dc), { minor: 36 }).errors.map(formatFieldError)).toEqual(['spec.extendedResourceName: Invalid value: "not-extended": must be a valid extended resource name']);
  });
});

describe("v1alpha2 (classic DRA, 1.28–1.30)", () => {
  it("is not judged by the structured-parameters rules", () => {
    const slice = { apiVersion: "resource.k8s.io/v1alpha2", kind: "ResourceSlice", metadata: { name: "s" }, nodeName: "n", driverName: "dra.example.com", namedResources: { instances: [] } };
    expect(validateWrite(slice, { minor: 30 }).errors).toEqual([]);
    const claim = { apiVersion: "resource.k8s.io/v1alpha2", kind: "ResourceClaim", metadata: { name: "c", namespace: "ns" }, spec: { resourceClassName: "gpu" } };
    expect(validateWrite(claim, { minor: 29 }).errors).toEqual([]);
  });
});

describe("1.31 (v1alpha3 with structured parameters)", () => {
  it("a claim's controller is a driver name; a class's suitable nodes a node selector", () => {
    const claim = { apiVersion: "resource.k8s.io/v1alpha3", kind: "ResourceClaim", metadata: { name: "c", namespace: "ns" }, spec: { controller: "Bad_Driver", devices: { requests: [{ name: "a", deviceClassName: "c" }] } } };
    expect(validateWrite(claim, { minor: 31 }).errors.map(formatFieldError)).toEqual([
      "spec.controller: Invalid value: \"Bad_Driver\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ]);
    const dc = { apiVersion: "resource.k8s.io/v1alpha3", kind: "DeviceClass", metadata: { name: "c" }, spec: { suitableNodes: { nodeSelectorTerms: [] } } };
    expect(validateWrite(dc, { minor: 31 }).errors.map(formatFieldError)).toEqual(["spec.suitableNodes.nodeSelectorTerms: Required value: must have at least one node selector term"]);
  });
});
