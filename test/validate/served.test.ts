/**
 * Built-in API versions a cluster does not serve: kube-apiserver serves GA versions and the legacy
 * flowcontrol betas by default (DefaultAPIResourceConfigSource); a manifest of another alpha or beta
 * version gets "no matches for kind" from kubectl and 404 from the server, unless the cluster turns
 * the version on with --runtime-config.
 */
import { describe, expect, it } from "vitest";
import { validateManifests } from "../../src/validate/index.js";
import { runCli } from "../support/cli.js";

const map = (apiVersion: string) => `apiVersion: ${apiVersion}
kind: MutatingAdmissionPolicy
metadata: {name: cap-replicas}
spec:
  matchConstraints:
    resourceRules: [{apiGroups: ["apps"], apiVersions: ["v1"], operations: ["CREATE"], resources: ["deployments"]}]
  mutations:
  - patchType: ApplyConfiguration
    applyConfiguration: {expression: "Object{spec: Object.spec{replicas: 5}}"}
`;

const flowSchema = (apiVersion: string) => `apiVersion: ${apiVersion}
kind: FlowSchema
metadata: {name: f}
spec:
  priorityLevelConfiguration: {name: x}
`;

const claim = (apiVersion: string) => `apiVersion: ${apiVersion}
kind: ResourceClaim
metadata: {name: gpu, namespace: default}
spec:
  devices:
    requests:
    - name: gpu
      ${apiVersion.endsWith("v1beta1") ? "deviceClassName: gpu.example.com" : "exactly: {deviceClassName: gpu.example.com}"}
`;

async function check(text: string, kubernetesVersion: string, runtimeConfig?: Record<string, boolean>) {
  const report = await validateManifests({ file: "m.yaml", text }, { kubernetesVersion, ...(runtimeConfig ? { runtimeConfig } : {}) });
  const r = report.results[0]!;
  return { status: r.status, rules: r.issues.map((i) => i.rule), messages: r.issues.map((i) => i.message) };
}

describe("API versions a cluster does not serve by default", () => {
  it("reports alpha and beta MutatingAdmissionPolicy at 1.36, naming the apiVersion, the kind and the minor", async () => {
    for (const v of ["admissionregistration.k8s.io/v1alpha1", "admissionregistration.k8s.io/v1beta1"]) {
      const r = await check(map(v), "1.36");
      expect(r.status).toBe("invalid");
      expect(r.rules).toEqual(["api/not-served"]);
      expect(r.messages[0]).toContain(`no matches for kind "MutatingAdmissionPolicy" in version "${v}": Kubernetes 1.36 does not serve ${v}`);
      expect(r.messages[0]).toContain(`--runtime-config=${v}=true`);
    }
  });

  it("checks the version as usual when the cluster serves it (runtimeConfig)", async () => {
    expect(await check(map("admissionregistration.k8s.io/v1beta1"), "1.36", { "admissionregistration.k8s.io/v1beta1": true })).toMatchObject({ status: "valid" });
    expect(await check(map("admissionregistration.k8s.io/v1alpha1"), "1.36", { "api/alpha": true })).toMatchObject({ status: "valid" });
    expect(await check(map("admissionregistration.k8s.io/v1beta1"), "1.36", { "api/alpha": true })).toMatchObject({ rules: ["api/not-served"] });
    expect(await check(map("admissionregistration.k8s.io/v1beta1"), "1.36", { "admissionregistration.k8s.io/v1beta1/mutatingadmissionpolicies": true })).toMatchObject({ status: "valid" });
  });

  it("reports DRA betas at 1.34–1.36 and accepts resource.k8s.io/v1", async () => {
    expect(await check(claim("resource.k8s.io/v1beta1"), "1.34")).toMatchObject({ rules: ["api/not-served"] });
    expect(await check(claim("resource.k8s.io/v1beta2"), "1.36")).toMatchObject({ rules: ["api/not-served"] });
    expect(await check(claim("resource.k8s.io/v1"), "1.36")).toMatchObject({ status: "valid", rules: [] });
    expect(await check(claim("resource.k8s.io/v1beta2"), "1.36", { "api/beta": true })).toMatchObject({ status: "valid" });
  });

  it("keeps the legacy flowcontrol betas served where the minor has them", async () => {
    expect(await check(flowSchema("flowcontrol.apiserver.k8s.io/v1beta2"), "1.28")).toMatchObject({ status: "valid", rules: ["api/deprecated"] });
    expect(await check(flowSchema("flowcontrol.apiserver.k8s.io/v1beta3"), "1.31")).toMatchObject({ status: "valid", rules: ["api/deprecated"] });
    expect(await check(flowSchema("flowcontrol.apiserver.k8s.io/v1beta3"), "1.32")).toMatchObject({ rules: ["api/removed"] });
    expect(await check(flowSchema("flowcontrol.apiserver.k8s.io/v1beta3"), "1.31", { "api/beta": false })).toMatchObject({ rules: ["api/not-served"] });
  });

  it("leaves custom resources of alpha and beta versions alone", async () => {
    const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
  - name: v1alpha1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
---
apiVersion: example.com/v1alpha1
kind: Widget
metadata: {name: w, namespace: default}
`;
    const report = await validateManifests({ file: "w.yaml", text: crd }, { kubernetesVersion: "1.36" });
    expect(report.results.map((r) => r.status)).toEqual(["valid", "valid"]);
  });

  // The lifecycle of resource.k8s.io/v1beta2 (introduced 1.33: deprecated 1.36, removed 1.39) and of
  // storage.k8s.io/v1beta1 VolumeAttributesClass (introduced 1.31, tagged deprecated 1.34 and
  // replaced by storage.k8s.io/v1), as kube-apiserver's Warning header words them.
  it("warns about a deprecated alpha or beta version the cluster serves, after not-served when it does not", async () => {
    const text = "resource.k8s.io/v1beta2 ResourceClaim is deprecated in v1.36+, unavailable in v1.39+";
    expect(await check(claim("resource.k8s.io/v1beta2"), "1.36", { "resource.k8s.io/v1beta2": true })).toEqual({
      status: "valid",
      rules: ["api/deprecated"],
      messages: [text],
    });
    expect(await check(claim("resource.k8s.io/v1beta2"), "1.36", { "api/beta": true })).toMatchObject({ rules: ["api/deprecated"], messages: [text] });
    expect(await check(claim("resource.k8s.io/v1beta2"), "1.35", { "api/beta": true })).toMatchObject({ status: "valid", rules: [] });
    const notServed = await check(claim("resource.k8s.io/v1beta2"), "1.36");
    expect(notServed).toMatchObject({ status: "invalid", rules: ["api/not-served"] });
    const vac = `apiVersion: storage.k8s.io/v1beta1
kind: VolumeAttributesClass
metadata: {name: gold}
driverName: pd.csi.storage.gke.io
parameters: {iops: "5000"}
`;
    expect(await check(vac, "1.34", { "storage.k8s.io/v1beta1": true })).toEqual({
      status: "valid",
      rules: ["api/deprecated"],
      messages: ["storage.k8s.io/v1beta1 VolumeAttributesClass is deprecated in v1.34+, unavailable in v1.37+; use storage.k8s.io/v1 VolumeAttributesClass"],
    });
    expect(await check(vac, "1.33", { "storage.k8s.io/v1beta1": true })).toEqual({ status: "valid", rules: [], messages: [] });
  });

  it("reports the deprecation with --runtime-config on the command line", async () => {
    const input = claim("resource.k8s.io/v1beta2");
    const served = await runCli(["validate", "--kubernetes-version", "1.36", "--runtime-config", "resource.k8s.io/v1beta2=true", "-"], { input });
    expect(served.code).toBe(0);
    expect(served.stdout).toContain("[api/deprecated]");
    expect(served.stdout).toContain("resource.k8s.io/v1beta2 ResourceClaim is deprecated in v1.36+, unavailable in v1.39+");
    const refused = await runCli(["validate", "--kubernetes-version", "1.36", "-"], { input });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain("[api/not-served]");
    expect(refused.stdout).not.toContain("[api/deprecated]");
  });

  it("takes --runtime-config on the command line, as kube-apiserver reads it", async () => {
    const input = map("admissionregistration.k8s.io/v1beta1");
    const refused = await runCli(["validate", "-"], { input });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain("[api/not-served]");
    expect((await runCli(["validate", "--runtime-config", "api/beta=true", "-"], { input })).code).toBe(0);
    expect((await runCli(["validate", "--runtime-config", "admissionregistration.k8s.io/v1beta1", "-"], { input })).code).toBe(0);
    const bad = await runCli(["validate", "--runtime-config", "api/beta=yes", "-"], { input });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--runtime-config: invalid value api/beta=yes");
  });
});
