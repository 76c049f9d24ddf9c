/**
 * Which built-in API versions kube-apiserver serves: DefaultAPIResourceConfigSource of
 * pkg/controlplane/instance.go and `--runtime-config` as MergeAPIResourceConfigs applies it
 * (cases of TestParseRuntimeConfig in k8s.io/apiserver/pkg/server/resourceconfig/helpers_test.go).
 */
import { describe, expect, it } from "vitest";
import { isServed, parseRuntimeConfig, type RuntimeConfig } from "../../src/apiserver/served.js";

const served = (apiVersionResource: string, config: RuntimeConfig = {}): boolean => {
  const parts = apiVersionResource.split("/");
  const [group, version, resource] = parts.length === 2 ? ["", parts[0]!, parts[1]!] : [parts[0]!, parts[1]!, parts[2]!];
  return isServed(group, version, resource, config);
};

describe("DefaultAPIResourceConfigSource", () => {
  it("serves GA versions, and no alpha or beta version (betas off by default since 1.24)", () => {
    expect(served("v1/pods")).toBe(true);
    expect(served("apps/v1/deployments")).toBe(true);
    expect(served("admissionregistration.k8s.io/v1/validatingadmissionpolicies")).toBe(true);
    expect(served("admissionregistration.k8s.io/v1alpha1/mutatingadmissionpolicies")).toBe(false);
    expect(served("admissionregistration.k8s.io/v1beta1/mutatingadmissionpolicies")).toBe(false);
    expect(served("resource.k8s.io/v1beta2/resourceclaims")).toBe(false);
    expect(served("networking.k8s.io/v1beta1/servicecidrs")).toBe(false);
  });

  it("keeps the legacy beta resources on (legacyBetaEnabledByDefaultResources): flowcontrol v1beta2 and v1beta3", () => {
    expect(served("flowcontrol.apiserver.k8s.io/v1beta3/flowschemas")).toBe(true);
    expect(served("flowcontrol.apiserver.k8s.io/v1beta3/prioritylevelconfigurations")).toBe(true);
    expect(served("flowcontrol.apiserver.k8s.io/v1beta2/flowschemas")).toBe(true);
    expect(served("flowcontrol.apiserver.k8s.io/v1beta1/flowschemas")).toBe(false);
  });
});

describe("--runtime-config (MergeAPIResourceConfigs)", () => {
  it("version-enabled-by-runtimeConfig-override: a key alone means true", () => {
    expect(parseRuntimeConfig("apps/v1")).toEqual({ "apps/v1": true });
    expect(served("apps/v1/deployments", parseRuntimeConfig("apps/v1"))).toBe(true);
  });

  it("disable-v1 and only-enable-v1: the core group is /v1", () => {
    expect(served("v1/pods", parseRuntimeConfig("/v1=false"))).toBe(false);
    const only = parseRuntimeConfig("api/all=false,/v1=true");
    expect(served("v1/pods", only)).toBe(true);
    expect(served("apps/v1/deployments", only)).toBe(false);
  });

  it("enable-all turns every version on", () => {
    expect(served("admissionregistration.k8s.io/v1alpha1/mutatingadmissionpolicies", { "api/all": true })).toBe(true);
    expect(served("resource.k8s.io/v1beta1/resourceclaims", { "api/all": true })).toBe(true);
  });

  it("enable-specific and disable-specific resources", () => {
    const one = parseRuntimeConfig("resource.k8s.io/v1beta2/resourceclaims=true");
    expect(served("resource.k8s.io/v1beta2/resourceclaims", one)).toBe(true);
    expect(served("resource.k8s.io/v1beta2/deviceclasses", one)).toBe(false);
    expect(served("apps/v1/deployments", parseRuntimeConfig("apps/v1/deployments=false"))).toBe(false);
    expect(served("apps/v1/statefulsets", parseRuntimeConfig("apps/v1/deployments=false"))).toBe(true);
  });

  it("disable-all-beta-resources also turns the legacy betas off", () => {
    expect(served("flowcontrol.apiserver.k8s.io/v1beta3/flowschemas", parseRuntimeConfig("api/beta=false"))).toBe(false);
    expect(served("admissionregistration.k8s.io/v1beta1/mutatingadmissionpolicies", parseRuntimeConfig("api/beta=true"))).toBe(true);
    expect(served("admissionregistration.k8s.io/v1alpha1/mutatingadmissionpolicies", parseRuntimeConfig("api/beta=true"))).toBe(false);
  });

  it("a resource switch beats its version's, a version switch beats the stability switches", () => {
    expect(served("apps/v1/deployments", parseRuntimeConfig("apps/v1=true,apps/v1/deployments=false"))).toBe(false);
    expect(served("apps/v1/deployments", parseRuntimeConfig("apps/v1=false,apps/v1/deployments=true"))).toBe(true);
    expect(served("apps/v1/statefulsets", parseRuntimeConfig("apps/v1=false,apps/v1/deployments=true"))).toBe(false);
    expect(served("apps/v1/deployments", parseRuntimeConfig("api/ga=true,apps/v1/deployments=false"))).toBe(false);
    expect(served("apps/v1/deployments", parseRuntimeConfig("api/ga=false,apps/v1/deployments=true"))).toBe(true);
    expect(served("v1/pods", parseRuntimeConfig("api/ga=false,apps/v1/deployments=true"))).toBe(false);
    const layered = parseRuntimeConfig("api/ga=false,apps/v1=true,apps/v1/deployments=false");
    expect([served("v1/pods", layered), served("apps/v1/statefulsets", layered), served("apps/v1/deployments", layered)]).toEqual([false, true, false]);
  });

  it("refuses what kube-apiserver refuses: a kind for a resource, a bad value", () => {
    expect(() => parseRuntimeConfig("apps/v1/Deployment=false")).toThrow(/resource is always lowercase plural, not "Deployment"/);
    expect(() => parseRuntimeConfig("api/all=yes")).toThrow("invalid value api/all=yes");
    expect(() => parseRuntimeConfig("apps/v1=maybe")).toThrow("invalid value of apps/v1: maybe");
    expect(() => parseRuntimeConfig("a/b/c/d=true")).toThrow("runtime-config invalid key a/b/c/d");
    expect(parseRuntimeConfig("apps/v1=0,batch/v1=T")).toEqual({ "apps/v1": false, "batch/v1": true });
  });
});
