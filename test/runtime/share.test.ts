/**
 * Structural sharing between a cached object and its next version: equal parts take the cached
 * part's identity, values never change.
 */
import { describe, expect, it } from "vitest";
import { shareUnchanged } from "../../src/runtime/share.js";

const pod = (rv: string, image: string) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "web", namespace: "shop", resourceVersion: rv, labels: { app: "web" } },
  spec: { containers: [{ name: "web", image, ports: [{ containerPort: 80 }] }, { name: "side", image: "side:1" }] },
  status: { phase: "Running" },
});

describe("shareUnchanged", () => {
  it("keeps the next version's values and takes the cached parts that did not change", () => {
    const prev = pod("1", "web:1");
    const next = pod("2", "web:2");
    const copy = structuredClone(next);
    const out = shareUnchanged(prev, next);
    expect(out).toEqual(copy);
    expect(out).toBe(next);
    expect(out.metadata).not.toBe(prev.metadata);
    expect(out.metadata.labels).toBe(prev.metadata.labels);
    expect(out.status).toBe(prev.status);
    expect(out.spec).not.toBe(prev.spec);
    expect(out.spec.containers[0]).not.toBe(prev.spec.containers[0]);
    expect(out.spec.containers[0]!.ports).toBe(prev.spec.containers[0]!.ports);
    expect(out.spec.containers[1]).toBe(prev.spec.containers[1]);
    // The cached version is left as it was.
    expect(prev).toEqual(pod("1", "web:1"));
  });

  it("answers the cached object itself when the two are equal", () => {
    const prev = pod("1", "web:1");
    expect(shareUnchanged(prev, pod("1", "web:1"))).toBe(prev);
  });

  it("tells apart key order, array length, missing keys, undefined values, types and null", () => {
    const a = { x: 1, y: 2 };
    expect(shareUnchanged(a, { y: 2, x: 1 })).not.toBe(a);
    const list = [1, 2];
    expect(shareUnchanged(list, [1, 2, 3])).toEqual([1, 2, 3]);
    expect(shareUnchanged(list, [1])).not.toBe(list);
    expect(shareUnchanged({ x: 1, y: undefined }, { x: 1 })).toEqual({ x: 1 });
    expect(shareUnchanged({ x: 1 }, { x: 1, y: undefined })).toHaveProperty("y");
    expect(shareUnchanged({ v: [] }, { v: {} }).v).toEqual({});
    expect(shareUnchanged({ v: {} }, { v: [] }).v).toEqual([]);
    expect(shareUnchanged({ v: null }, { v: {} }).v).toEqual({});
    expect(shareUnchanged({ v: "1" }, { v: 1 }).v).toBe(1);
  });

  it("walks only plain objects and arrays; keys like __proto__ and constructor stay data", () => {
    class Box {
      constructor(readonly v: number) {}
    }
    const prevBox = new Box(1);
    const out = shareUnchanged({ b: prevBox }, { b: new Box(1) });
    expect(out.b).not.toBe(prevBox);
    const parsed = JSON.parse('{"__proto__":{"a":1},"constructor":{"b":2}}') as Record<string, unknown>;
    const res = shareUnchanged({}, parsed);
    expect(Object.getPrototypeOf(res)).toBe(Object.prototype);
    expect(JSON.stringify(res)).toBe('{"__proto__":{"a":1},"constructor":{"b":2}}');
    const labels = { constructor: "x" };
    expect(shareUnchanged({ labels: {} }, { labels }).labels).toBe(labels);
  });

  it("leaves frozen parts as they are", () => {
    const prev = { a: { b: 1 }, c: 2 };
    const next = Object.freeze({ a: { b: 1 }, c: 3 });
    const out = shareUnchanged(prev, next);
    expect(out).toBe(next);
    expect(out).toEqual({ a: { b: 1 }, c: 3 });
  });
});
