/**
 * resource.k8s.io between v1beta1 (and v1alpha3) and v1beta2/v1: the cases of
 * pkg/apis/resource/v1beta1/conversion_test.go (TestConversion; v1's shape is the internal one),
 * and the slice devices' `basic` of Convert_v1beta1_Device_To_resource_Device.
 */
import { describe, expect, it } from "vitest";
import { convertObject } from "../../../src/apiserver/conversion.js";
import { convertResourceObject } from "../../../src/apiserver/resource/conversion.js";

type Obj = Record<string, unknown>;
const claim = (apiVersion: string, requests: Obj[]): Obj => ({ apiVersion, kind: "ResourceClaim", metadata: { name: "c" }, spec: { devices: { requests } } });
const selectors = [{ cel: { expression: 'device.attributes["driver-a"].exists' } }];

describe("TestConversion", () => {
  it("v1beta1 to internal without alternatives", () => {
    const out = convertResourceObject(claim("resource.k8s.io/v1beta1", [{ name: "foo", deviceClassName: "class-a", selectors, allocationMode: "ExactCount", count: 2 }]), "resource.k8s.io/v1");
    expect(out).toEqual(claim("resource.k8s.io/v1", [{ name: "foo", exactly: { deviceClassName: "class-a", selectors, allocationMode: "ExactCount", count: 2 } }]));
  });

  it("internal to v1beta1 without alternatives", () => {
    const out = convertResourceObject(claim("resource.k8s.io/v1", [{ name: "foo", exactly: { deviceClassName: "class-a", selectors, allocationMode: "ExactCount", count: 2 } }]), "resource.k8s.io/v1beta1");
    expect(out).toEqual(claim("resource.k8s.io/v1beta1", [{ name: "foo", deviceClassName: "class-a", selectors, allocationMode: "ExactCount", count: 2 }]));
  });

  it("with alternatives (firstAvailable), both ways", () => {
    const firstAvailable = [
      { name: "sub-1", deviceClassName: "class-a", selectors, allocationMode: "ExactCount", count: 2 },
      { name: "sub-2", deviceClassName: "class-a", selectors, allocationMode: "ExactCount", count: 1 },
    ];
    expect(convertResourceObject(claim("resource.k8s.io/v1beta1", [{ name: "foo", firstAvailable }]), "resource.k8s.io/v1")).toEqual(claim("resource.k8s.io/v1", [{ name: "foo", firstAvailable }]));
    expect(convertResourceObject(claim("resource.k8s.io/v1", [{ name: "foo", firstAvailable }]), "resource.k8s.io/v1beta1")).toEqual(claim("resource.k8s.io/v1beta1", [{ name: "foo", firstAvailable }]));
  });
});

describe("templates, slices and versions of one shape", () => {
  it("converts a ResourceClaimTemplate's claim spec", () => {
    const template = { apiVersion: "resource.k8s.io/v1beta1", kind: "ResourceClaimTemplate", metadata: { name: "t" }, spec: { metadata: { labels: { a: "b" } }, spec: { devices: { requests: [{ name: "gpu", deviceClassName: "gpu" }] } } } };
    expect(convertObject(template, "resource.k8s.io/v1beta2", "ResourceClaimTemplate").spec).toEqual({ metadata: { labels: { a: "b" } }, spec: { devices: { requests: [{ name: "gpu", exactly: { deviceClassName: "gpu" } }] } } });
  });

  it("moves a slice device's fields out of `basic` and back", () => {
    const basic = { attributes: { model: { string: "a100" } }, capacity: { memory: { value: "40Gi" } } };
    const v1beta1 = { apiVersion: "resource.k8s.io/v1beta1", kind: "ResourceSlice", metadata: { name: "s" }, spec: { driver: "gpu.example.com", pool: { name: "p", resourceSliceCount: 1, generation: 0 }, nodeName: "n1", devices: [{ name: "gpu-0", basic }] } };
    const v1 = convertObject(v1beta1, "resource.k8s.io/v1", "ResourceSlice");
    expect((v1.spec as Obj).devices).toEqual([{ name: "gpu-0", ...basic }]);
    expect(convertObject(v1, "resource.k8s.io/v1beta1", "ResourceSlice")).toEqual(v1beta1);
  });

  it("changes only apiVersion between v1alpha3 and v1beta1, and between v1beta2 and v1", () => {
    const a = claim("resource.k8s.io/v1alpha3", [{ name: "x", deviceClassName: "c" }]);
    expect(convertObject(a, "resource.k8s.io/v1beta1", "ResourceClaim")).toEqual({ ...a, apiVersion: "resource.k8s.io/v1beta1" });
    const b = claim("resource.k8s.io/v1beta2", [{ name: "x", exactly: { deviceClassName: "c" } }]);
    expect(convertObject(b, "resource.k8s.io/v1", "ResourceClaim")).toEqual({ ...b, apiVersion: "resource.k8s.io/v1" });
  });
});
