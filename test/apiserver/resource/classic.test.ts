/**
 * Classic DRA, resource.k8s.io/v1alpha2 (1.28–1.30): what the YAML cases under
 * test/fixtures/apiserver/resource/classic-*.yaml cannot say — status writes (ValidateClaimStatusUpdate,
 * ValidatePodSchedulingContextStatusUpdate), the immutable spec, the defaults, and the validator's
 * `--runtime-config` switch. Expected paths and messages are those of release-1.28–1.30's
 * pkg/apis/resource/validation (TestValidateClaimStatusUpdate, TestValidatePodSchedulingStatusUpdate).
 */
import { describe, expect, it } from "vitest";
import { validateWrite } from "../../../src/apiserver/index.js";
import { formatFieldError } from "../../../src/meta/index.js";
import { validateManifests } from "../../../src/validate/index.js";
import { runCli } from "../../support/cli.js";
import { startTestServer } from "../../../src/testing/index.js";
import { client } from "../../testing/helpers.js";

type Obj = Record<string, unknown>;

const meta = { name: "foo", namespace: "kube-system", resourceVersion: "1" };
const claim = (spec: Obj = { resourceClassName: "valid", allocationMode: "Immediate" }, status?: Obj): Obj => ({
  apiVersion: "resource.k8s.io/v1alpha2",
  kind: "ResourceClaim",
  metadata: { ...meta },
  spec,
  ...(status ? { status } : {}),
});
const errors = (obj: Obj, minor: number, extra: Obj = {}): string[] => validateWrite(obj, { minor, ...extra }).errors.map(formatFieldError);
const statusErrors = (status: Obj, oldStatus: Obj | undefined, minor = 30, deleting = false): string[] => {
  const next = claim(undefined, status);
  const old = claim(undefined, oldStatus);
  // A claim being deleted: the stored object has the timestamp too.
  if (deleting) for (const o of [next, old]) (o.metadata as Obj).deletionTimestamp = "2024-01-01T00:00:00Z";
  return errors(next, minor, { old, subresource: "status" });
};
const consumer = (uid: string): Obj => ({ resource: "pods", name: `p-${uid}`, uid });
const allocation = (extra: Obj = {}): Obj => ({ resourceHandles: [{ driverName: "valid", data: "x" }], ...extra });

describe("ResourceClaim v1alpha2: defaults and updates", () => {
  it("defaults the allocation mode to WaitForFirstConsumer (SetDefaults_ResourceClaimSpec)", () => {
    const r = validateWrite(claim({ resourceClassName: "valid" }), { minor: 29 });
    expect(r.errors).toEqual([]);
    expect((r.object as { spec: Obj }).spec.allocationMode).toBe("WaitForFirstConsumer");
    const t = validateWrite({ apiVersion: "resource.k8s.io/v1alpha2", kind: "ResourceClaimTemplate", metadata: meta, spec: { spec: { resourceClassName: "valid" } } }, { minor: 28 });
    expect((t.object as { spec: { spec: Obj } }).spec.spec.allocationMode).toBe("WaitForFirstConsumer");
  });

  it("the spec is immutable; an invalid changed spec is reported before and after (TestValidateClaimUpdate)", () => {
    const old = claim();
    expect(errors(claim({ resourceClassName: "valid", allocationMode: "WaitForFirstConsumer" }), 30, { old })).toEqual([
      'spec: Invalid value: {"resourceClassName":"valid","allocationMode":"WaitForFirstConsumer"}: field is immutable',
    ]);
    const bad = errors(claim({ resourceClassName: "valid", allocationMode: "bad" }), 28, { old });
    const mode = 'spec.allocationMode: Unsupported value: "bad": supported values: "Immediate", "WaitForFirstConsumer"';
    expect(bad[0]).toBe(mode);
    expect(bad[1]).toMatch(/^spec: Invalid value: .*: field is immutable$/);
    expect(bad[2]).toBe(mode);
    // A status update through the main resource is ignored: the stored status is kept.
    expect(validateWrite(claim(undefined, { deallocationRequested: true }), { minor: 30, old }).errors).toEqual([]);
  });
});

describe("ResourceClaim v1alpha2 status (TestValidateClaimStatusUpdate)", () => {
  it("accepts an allocation with a driver, reservations and deallocation", () => {
    expect(statusErrors({ driverName: "valid", allocation: allocation() }, undefined)).toEqual([]);
    expect(statusErrors({ driverName: "valid", allocation: allocation(), reservedFor: [consumer("1")] }, { driverName: "valid", allocation: allocation() })).toEqual([]);
    expect(statusErrors({ driverName: "valid", allocation: allocation({ shareable: true }), reservedFor: [consumer("1"), consumer("2")] }, { driverName: "valid", allocation: allocation({ shareable: true }) })).toEqual([]);
    expect(statusErrors({ driverName: "valid", allocation: allocation(), deallocationRequested: true }, { driverName: "valid", allocation: allocation() })).toEqual([]);
  });

  it("an allocation needs the driver name; handles need valid drivers and bounded data", () => {
    expect(statusErrors({ allocation: allocation() }, undefined)).toEqual(["status.driverName: Required value: must be specified when `allocation` is set"]);
    // "invalid-add-allocation": an empty allocation is still one.
    expect(statusErrors({ allocation: {} }, undefined)).toEqual(["status.driverName: Required value: must be specified when `allocation` is set"]);
    // "valid-add-empty-allocation-structured", "valid-add-allocation-structured" (1.30).
    expect(statusErrors({ driverName: "valid", allocation: { resourceHandles: [{ driverName: "valid", structuredData: {} }] } }, undefined)).toEqual([]);
    expect(statusErrors({ driverName: "valid", allocation: { resourceHandles: [{ driverName: "valid", structuredData: { nodeName: "worker" } }] } }, undefined)).toEqual([]);
    expect(statusErrors({ driverName: "valid", allocation: { resourceHandles: [{ driverName: "!@#$%^" }] } }, undefined)).toEqual([
      expect.stringMatching(/^status\.allocation\.resourceHandles\[0\]\.driverName: Invalid value: "!@#\$%\^": a lowercase RFC 1123 subdomain/),
    ]);
    expect(statusErrors({ driverName: "valid", allocation: { resourceHandles: [{ driverName: "" }] } }, undefined, 28)).toEqual([
      "status.allocation.resourceHandles[0].driverName: Required value",
      expect.stringMatching(/^status\.allocation\.resourceHandles\[0\]\.driverName: Invalid value: "": a lowercase RFC 1123 subdomain/),
    ]);
    const big = { driverName: "valid", allocation: { resourceHandles: [{ driverName: "valid", data: "x".repeat(16 * 1024 + 1) }] } };
    expect(statusErrors(big, undefined)).toEqual(["status.allocation.resourceHandles[0].data: Too long: may not be longer than 16384"]);
    const many = { driverName: "valid", allocation: { resourceHandles: Array.from({ length: 33 }, () => ({ driverName: "valid" })) } };
    expect(statusErrors(many, undefined)).toEqual(["status.allocation.resourceHandles: Too long: may not be longer than 32"]);
    expect(statusErrors({ driverName: "valid", allocation: { availableOnNodes: {} } }, undefined)).toEqual([
      "status.allocation.availableOnNodes.nodeSelectorTerms: Required value: must have at least one node selector term",
    ]);
  });

  it("structured handles (1.30): named results, exclusive with opaque data", () => {
    const handle = { driverName: "valid", data: "x", structuredData: { nodeName: "!bad", results: [{}, { namedResources: { name: "gpu-0" } }] } };
    expect(statusErrors({ driverName: "valid", allocation: { resourceHandles: [handle] } }, undefined, 30)).toEqual([
      expect.stringMatching(/^status\.allocation\.resourceHandles\[0\]\.structuredData\.nodeName: Invalid value: "!bad": a lowercase RFC 1123 subdomain/),
      "status.allocation.resourceHandles[0].structuredData.results[0]: Required value: exactly one structured model field must be set",
      "status.allocation.resourceHandles[0]: Invalid value: null: data and structuredData are mutually exclusive",
    ]);
  });

  it("reservations: complete, unique, only with an allocation, once unless shareable", () => {
    expect(statusErrors({ driverName: "valid", allocation: allocation(), reservedFor: [{ uid: "1" }, consumer("1")] }, { driverName: "valid", allocation: allocation() })).toEqual([
      "status.reservedFor[0].resource: Required value",
      "status.reservedFor[0].name: Required value",
      'status.reservedFor[1].uid: Duplicate value: "1"',
      "status.reservedFor: Forbidden: may not be reserved more than once",
    ]);
    expect(statusErrors({ reservedFor: [consumer("1")] }, undefined)).toEqual(["status.reservedFor: Forbidden: may not be specified when `allocated` is not set"]);
    const tooMany = Array.from({ length: 33 }, (_, i) => consumer(String(i)));
    expect(statusErrors({ driverName: "valid", allocation: allocation({ shareable: true }), reservedFor: tooMany }, { driverName: "valid", allocation: allocation({ shareable: true }) })).toEqual([
      "status.reservedFor: Too long: may not be longer than 32",
    ]);
  });

  it("no new reservations while deallocating or deleting; deallocation rules", () => {
    const stored = { driverName: "valid", allocation: allocation(), deallocationRequested: true };
    expect(statusErrors({ ...stored, reservedFor: [consumer("1")] }, stored)).toEqual([
      "status.reservedFor: Forbidden: new entries may not be added while `deallocationRequested` or `deletionTimestamp` are set",
    ]);
    const allocated = { driverName: "valid", allocation: allocation() };
    expect(statusErrors({ ...allocated, reservedFor: [consumer("1")] }, allocated, 30, true)).toEqual([
      "status.reservedFor: Forbidden: new entries may not be added while `deallocationRequested` or `deletionTimestamp` are set",
    ]);
    const reserved = { ...allocated, reservedFor: [consumer("1")] };
    expect(statusErrors({ ...reserved, deallocationRequested: true }, reserved)).toEqual([
      "status.deallocationRequested: Forbidden: deallocation cannot be requested while `reservedFor` is set",
    ]);
    expect(statusErrors({ deallocationRequested: true }, undefined)).toEqual(["status: Forbidden: `allocation` must be set when `deallocationRequested` is set"]);
    expect(statusErrors(allocated, stored)).toEqual(["status.deallocationRequested: Forbidden: may not be cleared when `allocation` is set"]);
    expect(statusErrors({ driverName: "valid", allocation: allocation({ shareable: true }) }, allocated)).toEqual([
      'status.allocation: Invalid value: {"resourceHandles":[{"driverName":"valid","data":"x"}],"shareable":true}: field is immutable',
    ]);
  });
});

describe("PodSchedulingContext v1alpha2 status (TestValidatePodSchedulingStatusUpdate)", () => {
  const ctxObj = (status?: Obj): Obj => ({ apiVersion: "resource.k8s.io/v1alpha2", kind: "PodSchedulingContext", metadata: { ...meta }, spec: { selectedNode: "worker" }, ...(status ? { status } : {}) });
  const update = (status: Obj) => errors(ctxObj(status), 29, { old: ctxObj(), subresource: "status" });

  it("claims by unique name (at status.claims, as Go names the path), unsuitable nodes as a set", () => {
    expect(update({ resourceClaims: [{ name: "my-claim", unsuitableNodes: ["worker"] }] })).toEqual([]);
    expect(update({ resourceClaims: [{ name: "my-claim" }, { name: "my-claim" }] })).toEqual(['status.claims[1]: Duplicate value: "my-claim"']);
    expect(update({ resourceClaims: [{ name: "my-claim", unsuitableNodes: ["worker", "worker", "!bad"] }] })).toEqual([
      'status.claims[0].unsuitableNodes[1]: Duplicate value: "worker"',
      expect.stringMatching(/^status\.claims\[0\]\.unsuitableNodes\[2\]: Invalid value: "!bad": a lowercase RFC 1123 subdomain/),
    ]);
    const nodes = Array.from({ length: 129 }, (_, i) => `worker-${i}`);
    expect(update({ resourceClaims: [{ name: "my-claim", unsuitableNodes: nodes }] })).toEqual(["status.claims[0].unsuitableNodes: Too long: may not be longer than 128"]);
  });

  it("potential nodes are bounded (PodSchedulingNodeListMaxSize)", () => {
    const nodes = Array.from({ length: 129 }, (_, i) => `worker-${i}`);
    expect(errors({ ...ctxObj(), spec: { potentialNodes: nodes } }, 30)).toEqual(["spec.potentialNodes: Too long: may not be longer than 128"]);
  });
});

describe("named-resources selectors (1.30; namedresources TestValidateSelector)", () => {
  const classParams = (selector: string): Obj => ({
    apiVersion: "resource.k8s.io/v1alpha2",
    kind: "ResourceClassParameters",
    metadata: { name: "p", namespace: "ns", resourceVersion: "1" },
    filters: [{ driverName: "dra.example.com", namedResources: { selector } }],
  });
  const claimParams = (selector: string): Obj => ({
    apiVersion: "resource.k8s.io/v1alpha2",
    kind: "ResourceClaimParameters",
    metadata: { name: "p", namespace: "ns", resourceVersion: "1" },
    driverRequests: [{ driverName: "dra.example.com", requests: [{ namedResources: { selector } }] }],
  });
  const at = "filters[0].namedResources.selector";

  it.each([
    "true",
    'attributes.quantity["name"].isGreaterThan(quantity("0"))',
    'attributes.bool["name"]',
    'attributes.int["name"] > 0',
    'attributes.intslice["name"].isSorted()',
    'attributes.string["name"] == "fish"',
    'attributes.stringslice["name"].isSorted()',
    'attributes.version["name"].isGreaterThan(semver("1.0.0"))',
  ])("accepts %s", (selector) => {
    expect(errors(classParams(selector), 30)).toEqual([]);
    expect(errors(claimParams(selector), 30)).toEqual([]);
  });

  it("refuses an empty selector, undeclared names and results that are not bool", () => {
    expect(errors(classParams(""), 30)).toEqual([`${at}: Required value`]);
    expect(errors(classParams("nosuchvar"), 30)).toEqual([expect.stringMatching(new RegExp(`^${at.replace(/[[\].]/g, "\\$&")}: Invalid value: "nosuchvar": compilation failed: .*undeclared reference to 'nosuchvar'`))]);
    expect(errors(classParams("1"), 30)).toEqual([`${at}: Invalid value: "1": must evaluate to bool`]);
    // The structured-parameters variable of 1.31 and later is not known here.
    expect(errors(classParams("device.driver == 'x'"), 30)[0]).toMatch(/compilation failed: .*undeclared reference to 'device'/);
  });

  it("claim parameters whose requests are unchanged count as stored; class parameters are compiled again (ValidateResourceClassParametersUpdate)", () => {
    expect(errors(claimParams("nosuchvar"), 30, { old: claimParams("nosuchvar") })).toEqual([]);
    expect(errors(claimParams("nosuchvar"), 30, { old: claimParams("true") })).toHaveLength(1);
    expect(errors(classParams("1"), 30, { old: classParams("1") })).toEqual([`${at}: Invalid value: "1": must evaluate to bool`]);
  });
});

describe("the validator: v1alpha2 is served only with --runtime-config", () => {
  const manifests = `apiVersion: resource.k8s.io/v1alpha2
kind: ResourceClass
metadata: {name: gpu}
driverName: gpu/example
---
apiVersion: resource.k8s.io/v1alpha2
kind: ResourceClaim
metadata: {name: gpu, namespace: default}
spec: {resourceClassName: gpu}
`;

  it("reports the kinds not served by default, and checks them when the cluster serves the version", async () => {
    const off = await validateManifests({ file: "m.yaml", text: manifests }, { kubernetesVersion: "1.30" });
    expect(off.results.map((r) => r.issues.map((i) => i.rule))).toEqual([["api/not-served"], ["api/not-served"]]);
    const on = await validateManifests({ file: "m.yaml", text: manifests }, { kubernetesVersion: "1.30", runtimeConfig: { "resource.k8s.io/v1alpha2": true } });
    expect(on.results.map((r) => r.status)).toEqual(["invalid", "valid"]);
    expect(on.results[0]!.issues.map((i) => i.message)).toEqual([expect.stringMatching(/^driverName: Invalid value: "gpu\/example": a lowercase RFC 1123 subdomain/)]);
  });

  it("through the command line (--runtime-config, --kubernetes-version)", async () => {
    const refused = await runCli(["validate", "--kubernetes-version", "1.30", "-"], { input: manifests });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain("[api/not-served]");
    const checked = await runCli(["validate", "--runtime-config", "resource.k8s.io/v1alpha2=true", "--kubernetes-version", "1.30", "-"], { input: manifests });
    expect(checked.code).toBe(1);
    expect(checked.stdout).not.toContain("api/not-served");
    expect(checked.stdout).toContain("driverName");
    const fixed = manifests.replace("gpu/example", "gpu.example.com");
    expect((await runCli(["validate", "--runtime-config", "resource.k8s.io/v1alpha2=true", "-k", "1.29", "-"], { input: fixed })).code).toBe(0);
  });
});

describe("the local server started with --runtime-config resource.k8s.io/v1alpha2=true (1.30)", () => {
  it("defaults and keeps claims, refuses invalid classes, and judges status writes", async () => {
    const server = await startTestServer({ kubernetesVersion: "1.30", runtimeConfig: { "resource.k8s.io/v1alpha2": true } });
    const api = client(server);
    try {
      const classes = "/apis/resource.k8s.io/v1alpha2/resourceclasses";
      const bad = await api.post(classes, { apiVersion: "resource.k8s.io/v1alpha2", kind: "ResourceClass", metadata: { name: "gpu" }, driverName: "gpu/example" });
      expect(bad.status).toBe(422);
      expect((bad.json as { message: string }).message).toMatch(/^ResourceClass\.resource\.k8s\.io "gpu" is invalid: driverName: Invalid value: "gpu\/example": a lowercase RFC 1123 subdomain/);
      expect((await api.post(classes, { apiVersion: "resource.k8s.io/v1alpha2", kind: "ResourceClass", metadata: { name: "gpu" }, driverName: "gpu.example.com" })).status).toBe(201);

      const claims = "/apis/resource.k8s.io/v1alpha2/namespaces/default/resourceclaims";
      const created = await api.post(claims, { apiVersion: "resource.k8s.io/v1alpha2", kind: "ResourceClaim", metadata: { name: "c" }, spec: { resourceClassName: "gpu" }, status: { deallocationRequested: true } });
      expect(created.status).toBe(201);
      const body = created.json as { spec: Obj; status?: Obj; metadata: { resourceVersion: string } };
      expect(body.spec.allocationMode).toBe("WaitForFirstConsumer");
      expect(body.status ?? {}).toEqual({});
      const status = await api.put(`${claims}/c/status`, { ...body, status: { reservedFor: [{ resource: "pods", name: "p", uid: "1" }] } });
      expect(status.status).toBe(422);
      expect((status.json as { message: string }).message).toContain("status.reservedFor: Forbidden: may not be specified when `allocated` is not set");
    } finally {
      await api.close();
      await server.close();
    }
  });
});
