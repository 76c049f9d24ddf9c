/**
 * HorizontalPodAutoscaler conversion between autoscaling/v1 and autoscaling/v2: the cases of
 * pkg/apis/autoscaling/v1/conversion_test.go, and the round trips conversion.go guarantees (what
 * v1 cannot say travels in its annotations).
 */
import { describe, expect, it } from "vitest";
import { CONDITIONS_ANNOTATION, hpaToV1, hpaToV2, METRIC_SPECS_ANNOTATION, METRIC_STATUSES_ANNOTATION } from "../../../src/apiserver/autoscaling/conversion.js";
import { convertObject, storageVersionOf } from "../../../src/apiserver/conversion.js";

type Obj = Record<string, unknown>;
const ref = { kind: "Deployment", name: "web", apiVersion: "apps/v1" };
const v2 = (spec: Obj, extra: Obj = {}): Obj => ({ apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", metadata: { name: "web", namespace: "default" }, spec: { scaleTargetRef: ref, ...spec }, ...extra });
const v1 = (spec: Obj, extra: Obj = {}): Obj => ({ apiVersion: "autoscaling/v1", kind: "HorizontalPodAutoscaler", metadata: { name: "web", namespace: "default" }, spec: { scaleTargetRef: ref, ...spec }, ...extra });
const cpu = (target: Obj) => ({ type: "Resource", resource: { name: "cpu", target } });
const specOf = (o: Obj) => o.spec as Obj;

describe("Convert_autoscaling_HorizontalPodAutoscalerSpec_To_v1_HorizontalPodAutoscalerSpec (#101370)", () => {
  it("TestConversionWithCPUAverageValueAndUtilizationBoth1: the CPU utilization target is found after a CPU average-value one", () => {
    const out = hpaToV1(v2({ minReplicas: 1, maxReplicas: 3, metrics: [cpu({ type: "AverageValue", averageValue: "300m" }), cpu({ type: "Utilization", averageUtilization: 70 })] }));
    expect(specOf(out)).toEqual({ scaleTargetRef: ref, minReplicas: 1, maxReplicas: 3, targetCPUUtilizationPercentage: 70 });
  });

  it("TestConversionWithCPUUtilizationOnly", () => {
    const out = hpaToV1(v2({ minReplicas: 1, maxReplicas: 3, metrics: [cpu({ type: "Utilization", averageUtilization: 60 })] }));
    expect(specOf(out)).toEqual({ scaleTargetRef: ref, minReplicas: 1, maxReplicas: 3, targetCPUUtilizationPercentage: 60 });
    // A lone CPU utilization target needs no annotation.
    expect((out.metadata as Obj).annotations).toBeUndefined();
  });

  it("TestConversionWithoutMetrics: no target is made up", () => {
    expect(specOf(hpaToV1(v2({ minReplicas: 1, maxReplicas: 3, metrics: [] })))).toEqual({ scaleTargetRef: ref, minReplicas: 1, maxReplicas: 3 });
  });
});

describe("round trips through autoscaling/v1", () => {
  const metrics = [
    { type: "Pods", pods: { metric: { name: "packets-per-second" }, target: { type: "AverageValue", averageValue: "1k" } } },
    { type: "Object", object: { metric: { name: "requests-per-second" }, describedObject: { apiVersion: "networking.k8s.io/v1", kind: "Ingress", name: "main-route" }, target: { type: "Value", value: "10k" } } },
    { type: "External", external: { metric: { name: "queue_messages_ready", selector: { matchLabels: { queue: "worker_tasks" } } }, target: { type: "AverageValue", averageValue: "30" } } },
    { type: "Resource", resource: { name: "memory", target: { type: "AverageValue", averageValue: "500Mi" } } },
    { type: "ContainerResource", containerResource: { name: "cpu", container: "app", target: { type: "Utilization", averageUtilization: 50 } } },
    cpu({ type: "Utilization", averageUtilization: 60 }),
  ];
  const status = {
    observedGeneration: 2,
    currentReplicas: 3,
    desiredReplicas: 4,
    currentMetrics: [
      { type: "Resource", resource: { name: "cpu", current: { averageValue: "120m", averageUtilization: 65 } } },
      { type: "Pods", pods: { metric: { name: "packets-per-second" }, current: { averageValue: "900" } } },
    ],
    conditions: [{ type: "AbleToScale", status: "True", lastTransitionTime: "2024-01-01T00:00:00Z", reason: "ReadyForNewScale", message: "recommended size matches current size" }],
  };

  it("keeps every metric, current metric and condition a v1 client reads and writes back", () => {
    const original = v2({ minReplicas: 1, maxReplicas: 10, metrics }, { status });
    const asV1 = hpaToV1(original);
    expect(specOf(asV1).targetCPUUtilizationPercentage).toBe(60);
    expect((asV1.status as Obj).currentCPUUtilizationPercentage).toBe(65);
    const annotations = (asV1.metadata as Obj).annotations as Record<string, string>;
    expect(Object.keys(annotations).sort()).toEqual([CONDITIONS_ANNOTATION, METRIC_STATUSES_ANNOTATION, METRIC_SPECS_ANNOTATION].sort());
    // v1's own field names, in Go's field order.
    expect(annotations[METRIC_SPECS_ANNOTATION]).toContain('{"type":"Pods","pods":{"metricName":"packets-per-second","targetAverageValue":"1k"}}');
    expect(annotations[METRIC_SPECS_ANNOTATION]).toContain('{"type":"Resource","resource":{"name":"memory","targetAverageValue":"500Mi"}}');
    const back = hpaToV2(asV1);
    // The CPU utilization target comes back last, after the annotation's metrics (conversion.go's order).
    expect(specOf(back).metrics).toEqual([...metrics.slice(0, 5), metrics[5]]);
    expect((back.status as Obj).currentMetrics).toEqual(status.currentMetrics);
    expect((back.status as Obj).conditions).toEqual(status.conditions);
    expect((back.metadata as Obj).annotations).toBeUndefined();
  });

  it("drops behavior, which v1 cannot carry, and keeps the user's own annotations", () => {
    const original = v2({ maxReplicas: 3, metrics: [cpu({ type: "Utilization", averageUtilization: 50 })], behavior: { scaleDown: { stabilizationWindowSeconds: 60 } } });
    (original.metadata as Obj).annotations = { team: "web" };
    const back = hpaToV2(hpaToV1(original));
    expect(specOf(back).behavior).toBeUndefined();
    expect((back.metadata as Obj).annotations).toEqual({ team: "web" });
  });

  it("gives a v1 object without a target v2's default CPU utilization target of 80 %", () => {
    expect(specOf(hpaToV2(v1({ maxReplicas: 3 }))).metrics).toEqual([cpu({ type: "Utilization", averageUtilization: 80 })]);
    expect(specOf(hpaToV2(v1({ maxReplicas: 3, targetCPUUtilizationPercentage: 55 }))).metrics).toEqual([cpu({ type: "Utilization", averageUtilization: 55 })]);
  });

  it("reads v1's current CPU utilization as a Resource metric when no annotation says more", () => {
    const back = hpaToV2(v1({ maxReplicas: 3 }, { status: { currentReplicas: 1, desiredReplicas: 1, currentCPUUtilizationPercentage: 42 } }));
    expect((back.status as Obj).currentMetrics).toEqual([{ type: "Resource", resource: { name: "cpu", current: { averageUtilization: 42 } } }]);
  });
});

describe("convertObject / storageVersionOf", () => {
  it("converts HorizontalPodAutoscaler fields, changes only apiVersion for kinds with one shape, and returns the object itself when nothing changes", () => {
    expect(storageVersionOf("autoscaling", "HorizontalPodAutoscaler")).toBe("autoscaling/v2");
    expect(storageVersionOf("apps", "Deployment")).toBeUndefined();
    const hpa = v2({ maxReplicas: 3, metrics: [cpu({ type: "Utilization", averageUtilization: 50 })] });
    expect(convertObject(hpa, "autoscaling/v2", "HorizontalPodAutoscaler")).toBe(hpa);
    expect((convertObject(hpa, "autoscaling/v1", "HorizontalPodAutoscaler").spec as Obj).targetCPUUtilizationPercentage).toBe(50);
    const fs = { apiVersion: "flowcontrol.apiserver.k8s.io/v1beta3", kind: "FlowSchema", metadata: { name: "x" }, spec: { matchingPrecedence: 10 } };
    expect(convertObject(fs, "flowcontrol.apiserver.k8s.io/v1", "FlowSchema")).toEqual({ ...fs, apiVersion: "flowcontrol.apiserver.k8s.io/v1" });
  });
});
