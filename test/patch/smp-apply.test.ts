/**
 * applySmp beyond the kubectl fixtures: the HTTP status each error maps to, input safety, and
 * Go's sort order where Kubernetes' comparator is not a total order.
 */
import { describe, expect, it } from "vitest";
import { applySmp, PatchError } from "../../src/index.js";
import { Deployment } from "#schemas/v1.32/apps/v1.js";
import { ConfigMap } from "#schemas/v1.32/core/v1.js";
import { goSliceStable } from "../../src/patch/go-sort.js";
import { loadObject } from "./smp-fixtures.js";

function statusOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof PatchError) return e.status;
    throw e;
  }
  return undefined;
}

describe("applySmp", () => {
  const d = loadObject("deployment");

  it("answers with the status kube-apiserver gives each error", () => {
    expect(statusOf(() => applySmp(Deployment, d, { spec: { strategy: { $retainKeys: "x" } } }))).toBe(400);
    expect(statusOf(() => applySmp(Deployment, d, { metadata: { $deleteFromPrimitiveListx: [] } }))).toBe(400);
    expect(statusOf(() => applySmp(Deployment, d, { metadata: { $setElementOrderx: [] } }))).toBe(400);
    expect(statusOf(() => applySmp(ConfigMap, loadObject("configmap"), { metadata: { finalizers: [["a"]] } }))).toBe(422);
    expect(statusOf(() => applySmp(Deployment, d, { spec: { template: { spec: { containers: [{ image: "x" }] } } } }))).toBe(500);
    expect(statusOf(() => applySmp(Deployment, d, [] as unknown))).toBe(400);
    expect(statusOf(() => applySmp(Deployment, "x", {}))).toBe(400);
  });

  it("keeps a __proto__ key as data and changes no input", () => {
    const patch = JSON.parse('{"metadata": {"labels": {"__proto__": "x"}}, "__proto__": {"polluted": true}}') as Record<string, unknown>;
    const before = JSON.stringify([d, patch]);
    const out = applySmp(Deployment, d, patch) as Record<string, any>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out.metadata.labels)).toContain("__proto__");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.stringify([d, patch])).toBe(before);
  });

  it("ignores members set to undefined, as JSON would", () => {
    expect(applySmp(Deployment, { spec: { replicas: 1 } }, { spec: { replicas: undefined, paused: true } })).toEqual({ spec: { replicas: 1, paused: true } });
  });
});

describe("goSliceStable", () => {
  it("sorts stably with a consistent comparator", () => {
    const items = Array.from({ length: 100 }, (_, i) => ({ k: (i * 7) % 10, i }));
    goSliceStable(items, (a, b) => a.k < b.k);
    expect(items.map((x) => x.k)).toEqual([...items.map((x) => x.k)].sort((a, b) => a - b));
    for (let i = 1; i < items.length; i++) if (items[i - 1]!.k === items[i]!.k) expect(items[i - 1]!.i).toBeLessThan(items[i]!.i);
  });

  it("reverses blocks when the comparator always answers true, as Go's insertion sort does", () => {
    const items = [1, 2, 3, 4];
    goSliceStable(items, () => true);
    expect(items).toEqual([4, 3, 2, 1]);
  });
});
