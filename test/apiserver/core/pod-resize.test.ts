/**
 * Writes through pods/resize: the strategy's preparation (cases of
 * pkg/registry/core/pod/strategy_test.go TestPodResizePrepareForUpdate) and ValidatePodResize
 * (pkg/apis/core/validation/validation.go, 1.33; the memory limit rules PR #130183 added in 1.33
 * and PR #133012 removed in 1.34; pod-level resources resizable with
 * InPlacePodLevelResourcesVerticalScaling, beta in 1.36 by PR #137684), and the QoS class
 * (pkg/apis/core/helper/qos ComputePodQOS).
 */
import { describe, expect, it } from "vitest";
import { apiContext, validateWrite } from "../../../src/apiserver/index.js";
import { preparePodResize } from "../../../src/apiserver/core/pod-resize.js";
import { computePodQOS } from "../../../src/apiserver/core/pod-qos.js";
import { formatFieldError } from "../../../src/meta/index.js";

type Obj = Record<string, any>;
const ctx33 = apiContext({ minor: 33 });

const running = { running: { startedAt: "2026-01-01T00:00:00Z" } };

/** A pod as stored: its containers running with the resources they were given. */
function pod(containers: Obj[], extra: { spec?: Obj; metadata?: Obj; initContainers?: Obj[]; statusResources?: boolean } = {}): Obj {
  const statuses = containers.map((c) => ({ name: c.name, image: "img", imageID: "", ready: true, restartCount: 0, state: running, ...(extra.statusResources === false ? {} : { resources: c.resources ?? {} }) }));
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "test-pod", namespace: "default", resourceVersion: "1", uid: "u1", creationTimestamp: "2026-01-01T00:00:00Z", ...extra.metadata },
    spec: { containers: containers.map((c) => ({ image: "img", ...c })), ...(extra.initContainers ? { initContainers: extra.initContainers.map((c) => ({ image: "img", ...c })) } : {}), ...extra.spec },
    status: { phase: "Running", qosClass: computePodQOS({ containers, initContainers: extra.initContainers ?? [] }), containerStatuses: statuses },
  };
}

const req = (cpu: string, memory: string): Obj => ({ requests: { cpu, memory } });
const lim = (cpu: string, memory: string): Obj => ({ limits: { cpu, memory } });

function resize(old: Obj, next: Obj, minor = 33): string[] {
  return validateWrite(next, { minor, old, subresource: "resize" }).errors.map(formatFieldError);
}

describe("podResizeStrategy.PrepareForUpdate (TestPodResizePrepareForUpdate)", () => {
  const c1 = { name: "container1", resources: req("100m", "1Gi") };
  it("no resize: the pod is kept", () => {
    const old = pod([c1]);
    const next = structuredClone(old);
    preparePodResize(next, old, ctx33);
    expect(next.spec).toEqual(old.spec);
  });

  it("update resizepolicy: the new resize policy is taken", () => {
    const old = pod([c1]);
    const next = structuredClone(old);
    const policy = [
      { resourceName: "cpu", restartPolicy: "NotRequired" },
      { resourceName: "memory", restartPolicy: "RestartContainer" },
    ];
    next.spec.containers[0].resizePolicy = policy;
    preparePodResize(next, old, ctx33);
    expect(next.spec.containers[0].resizePolicy).toEqual(policy);
  });

  it("add new container: the request is left as sent (validation refuses it)", () => {
    const old = pod([c1]);
    const next = structuredClone(old);
    next.spec.containers.push({ name: "container2", image: "img", resources: req("100m", "1Gi") });
    preparePodResize(next, old, ctx33);
    expect(next.spec.containers.map((c: Obj) => c.name)).toEqual(["container1", "container2"]);
  });

  it("change container order and update resources: the containers are left as sent", () => {
    const old = pod([c1, { name: "container2", resources: req("100m", "1Gi") }]);
    const next = structuredClone(old);
    next.spec.containers = [
      { name: "container2", image: "img", resources: req("200m", "2Gi") },
      { name: "container1", image: "img", resources: req("200m", "4Gi") },
    ];
    preparePodResize(next, old, ctx33);
    expect(next.spec.containers.map((c: Obj) => [c.name, c.resources.requests.memory])).toEqual([
      ["container2", "2Gi"],
      ["container1", "4Gi"],
    ]);
  });

  it("change pod labels: the stored labels are kept", () => {
    const old = pod([c1], { metadata: { labels: { foo: "bar" } } });
    const next = structuredClone(old);
    next.metadata.labels = { foo: "bar", baz: "qux" };
    preparePodResize(next, old, ctx33);
    expect(next.metadata.labels).toEqual({ foo: "bar" });
  });

  it("keeps everything of the stored spec but the containers' resources and resize policies", () => {
    const old = pod([c1]);
    const next = structuredClone(old);
    next.spec.containers[0].image = "other";
    next.spec.containers[0].resources = req("200m", "1Gi");
    next.spec.activeDeadlineSeconds = 5;
    next.status.phase = "Failed";
    preparePodResize(next, old, ctx33);
    expect(next.spec.containers[0]).toEqual({ name: "container1", image: "img", resources: req("200m", "1Gi") });
    expect(next.spec.activeDeadlineSeconds).toBeUndefined();
    expect(next.status.phase).toBe("Running");
  });
});

describe("ValidatePodResize", () => {
  it("accepts a cpu limit change", () => {
    const old = pod([{ name: "c", resources: { ...req("100m", "100Mi"), ...lim("200m", "200Mi") } }]);
    const next = structuredClone(old);
    next.spec.containers[0].resources.limits.cpu = "300m";
    expect(resize(old, next)).toEqual([]);
  });

  it("refuses a memory limit decrease with NotRequired (the default) in 1.33, accepts it from 1.34", () => {
    const old = pod([{ name: "c", resources: { ...req("100m", "100Mi"), ...lim("200m", "200Mi") } }]);
    const next = structuredClone(old);
    next.spec.containers[0].resources.limits.memory = "150Mi";
    expect(resize(old, next, 33)).toEqual(["spec.containers[0].resources.limits[memory]: Forbidden: memory limits cannot be decreased unless resizePolicy is RestartContainer"]);
    expect(resize(old, next, 34)).toEqual([]);
  });

  it("accepts a memory limit decrease with RestartContainer in 1.33", () => {
    const policy = [{ resourceName: "memory", restartPolicy: "RestartContainer" }];
    const old = pod([{ name: "c", resizePolicy: policy, resources: { ...req("100m", "100Mi"), ...lim("200m", "200Mi") } }]);
    const next = structuredClone(old);
    next.spec.containers[0].resources.limits.memory = "150Mi";
    expect(resize(old, next, 33)).toEqual([]);
  });

  it("refuses an added memory limit in 1.33 (a limit from 'max' is a decrease)", () => {
    const old = pod([{ name: "c", resources: { requests: { cpu: "100m", memory: "100Mi" }, limits: { cpu: "200m" } } }]);
    const next = structuredClone(old);
    next.spec.containers[0].resources.limits.memory = "300Mi";
    expect(resize(old, next, 33)).toEqual(["spec.containers[0].resources.limits[memory]: Forbidden: memory limits cannot be added unless resizePolicy is RestartContainer"]);
  });

  it("refuses removed requests and limits", () => {
    const old = pod([{ name: "c", resources: { requests: { cpu: "100m", memory: "100Mi" }, limits: { cpu: "200m" } } }]);
    const next = structuredClone(old);
    next.spec.containers[0].resources = { requests: { cpu: "100m" } };
    expect(resize(old, next)).toEqual(["spec.containers[0].resources.requests: Forbidden: resource requests cannot be removed", "spec.containers[0].resources.limits: Forbidden: resource limits cannot be removed"]);
  });

  it("refuses a change of QoS class (Guaranteed to Burstable)", () => {
    const old = pod([{ name: "c", resources: { ...req("100m", "100Mi"), ...lim("100m", "100Mi") } }]);
    const next = structuredClone(old);
    next.spec.containers[0].resources.requests.cpu = "50m";
    expect(resize(old, next)).toEqual(['spec: Invalid value: "Guaranteed": Pod QOS Class may not change as a result of resizing']);
  });

  it("keeps Guaranteed when requests and limits move together", () => {
    const old = pod([{ name: "c", resources: { ...req("100m", "100Mi"), ...lim("100m", "100Mi") } }]);
    const next = structuredClone(old);
    next.spec.containers[0].resources = { ...req("200m", "200Mi"), ...lim("200m", "200Mi") };
    expect(resize(old, next)).toEqual([]);
  });

  it("refuses other resources than cpu and memory", () => {
    const old = pod([{ name: "c", resources: { requests: { cpu: "100m", "ephemeral-storage": "1Gi" } } }]);
    const next = structuredClone(old);
    next.spec.containers[0].resources.requests["ephemeral-storage"] = "2Gi";
    expect(resize(old, next)).toEqual(["spec: Forbidden: only cpu and memory resources are mutable"]);
  });

  it("refuses static pods and Windows pods", () => {
    const mirror = pod([{ name: "c", resources: req("100m", "100Mi") }], { metadata: { annotations: { "kubernetes.io/config.mirror": "x" } } });
    const next = structuredClone(mirror);
    next.spec.containers[0].resources.requests.cpu = "200m";
    // The spec's own error (a mirror pod without a node) is dropped with the refusal.
    expect(resize(mirror, next)).toEqual(["[]: Forbidden: static pods cannot be resized"]);
    const windows = pod([{ name: "c", resources: req("100m", "100Mi") }], { spec: { os: { name: "windows" } } });
    const nextWindows = structuredClone(windows);
    nextWindows.spec.containers[0].resources.requests.cpu = "200m";
    expect(resize(windows, nextWindows)).toEqual(["[]: Forbidden: windows pods cannot be resized"]);
  });

  it("refuses a pod whose running containers report no resources (a node without resize)", () => {
    const old = pod([{ name: "c", resources: req("100m", "100Mi") }], { statusResources: false });
    const next = structuredClone(old);
    next.spec.containers[0].resources.requests.cpu = "200m";
    expect(resize(old, next)).toEqual(["spec: Forbidden: Pod running on node without support for resize"]);
  });

  it("refuses pods with pod-level resources before 1.36 (InPlacePodLevelResourcesVerticalScaling off), resizes their containers from 1.36", () => {
    const old = pod([{ name: "c", resources: req("100m", "100Mi") }], { spec: { resources: { requests: { cpu: "1", memory: "1Gi" } } } });
    const next = structuredClone(old);
    next.spec.containers[0].resources.requests.cpu = "200m";
    expect(resize(old, next, 35)).toEqual(["[]: Forbidden: pods with pod-level resources cannot be resized"]);
    expect(resize(old, next, 36)).toEqual([]);
  });

  it("resizes sidecars; refuses changes to other init containers", () => {
    const inits = [
      { name: "sidecar", restartPolicy: "Always", resources: req("100m", "100Mi") },
      { name: "init", resources: req("100m", "100Mi") },
    ];
    const old = pod([{ name: "c", resources: req("100m", "100Mi") }], { initContainers: inits });
    const sidecar = structuredClone(old);
    sidecar.spec.initContainers[0].resources.requests.cpu = "200m";
    expect(resize(old, sidecar)).toEqual([]);
    const init = structuredClone(old);
    init.spec.initContainers[1].resources.requests.cpu = "200m";
    expect(resize(old, init)).toEqual(["spec: Forbidden: resources for non-sidecar init containers are immutable"]);
  });

  it("refuses a new resize policy: it is not a cpu or memory resource", () => {
    const old = pod([{ name: "c", resources: req("100m", "100Mi") }]);
    const next = structuredClone(old);
    next.spec.containers[0].resizePolicy = [{ resourceName: "memory", restartPolicy: "RestartContainer" }];
    expect(resize(old, next)).toEqual(["spec: Forbidden: only cpu and memory resources are mutable"]);
  });
});

describe("ComputePodQOS", () => {
  it("sums containers and compares requests with limits", () => {
    expect(computePodQOS({ containers: [{ resources: {} }] })).toBe("BestEffort");
    expect(computePodQOS({ containers: [{ resources: lim("1", "1Gi") }] })).toBe("Guaranteed");
    expect(computePodQOS({ containers: [{ resources: { ...req("1", "1Gi"), ...lim("1", "1Gi") } }, { resources: { requests: { cpu: "1" } } }] })).toBe("Burstable");
    expect(computePodQOS({ containers: [{ resources: { requests: { cpu: "0" } } }] })).toBe("BestEffort");
    expect(computePodQOS({ containers: [{ resources: { ...req("1000m", "1024Mi"), ...lim("1", "1Gi") } }] })).toBe("Guaranteed");
  });
});
