/**
 * JSON merge patch (RFC 7386/7396): the RFC's Appendix A, and diffs that apply back.
 */
import { describe, expect, it } from "vitest";
import { applyMergePatch, mergePatchDiff, pathOf } from "../../src/index.js";
import { ConfigMap } from "#schemas/latest/core/v1.js";

const appendixA: [unknown, unknown, unknown][] = [
  [{ a: "b" }, { a: "c" }, { a: "c" }],
  [{ a: "b" }, { b: "c" }, { a: "b", b: "c" }],
  [{ a: "b" }, { a: null }, {}],
  [{ a: "b", b: "c" }, { a: null }, { b: "c" }],
  [{ a: ["b"] }, { a: "c" }, { a: "c" }],
  [{ a: "c" }, { a: ["b"] }, { a: ["b"] }],
  [{ a: { b: "c" } }, { a: { b: "d", c: null } }, { a: { b: "d" } }],
  [{ a: [{ b: "c" }] }, { a: [1] }, { a: [1] }],
  [["a", "b"], ["c", "d"], ["c", "d"]],
  [{ a: "b" }, ["c"], ["c"]],
  [{ a: "foo" }, null, null],
  [{ a: "foo" }, "bar", "bar"],
  [{ e: null }, { a: 1 }, { e: null, a: 1 }],
  [[1, 2], { a: "b", c: null }, { a: "b" }],
  [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
];

describe("applyMergePatch", () => {
  appendixA.forEach(([target, patch, result], i) => {
    it(`RFC 7396 appendix A, example ${i + 1}: ${JSON.stringify(patch)}`, () => {
      const before = JSON.stringify(target);
      expect(applyMergePatch(target, patch)).toEqual(result);
      expect(JSON.stringify(target)).toBe(before);
    });
  });

  it("keeps nulls inside lists by the RFC, and drops them the way kube-apiserver does in compat mode", () => {
    expect(applyMergePatch({}, { a: [null, { b: null }] })).toEqual({ a: [null, { b: null }] });
    expect(applyMergePatch({}, { a: [null, { b: null }] }, { compat: "kubernetes" })).toEqual({ a: [null, {}] });
  });

  it("shares nothing with the patch", () => {
    const patch = { a: { b: [1] } };
    const out = applyMergePatch({}, patch) as { a: { b: number[] } };
    out.a.b.push(2);
    expect(patch.a.b).toEqual([1]);
  });

  it("keeps a __proto__ member as data", () => {
    const out = applyMergePatch({}, JSON.parse('{"__proto__": {"x": 1}}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(["__proto__"]);
  });
});

describe("mergePatchDiff", () => {
  it("gives members to change, nulls for removed ones and whole lists", () => {
    const a = { spec: { replicas: 1, paused: true, list: [1, 2] }, keep: { x: 1 } };
    const b = { spec: { replicas: 2, list: [1, 3] }, keep: { x: 1 }, added: { y: [] } };
    const patch = mergePatchDiff(a, b);
    expect(patch).toEqual({ spec: { paused: null, replicas: 2, list: [1, 3] }, added: { y: [] } });
    expect(applyMergePatch(a, patch)).toEqual(b);
    expect(mergePatchDiff(a, a)).toEqual({});
  });

  it("replaces a document that is not an object", () => {
    expect(mergePatchDiff([1], { a: 1 })).toEqual({ a: 1 });
    expect(mergePatchDiff({ a: 1 }, "x")).toBe("x");
  });

  it("keeps only changes under picked paths", () => {
    const live = { metadata: { name: "c", labels: { a: "1" } }, data: { x: "1", y: "2" } };
    const edited = { metadata: { name: "c", labels: { a: "2" } }, data: { x: "9" } };
    const patch = mergePatchDiff(live, edited, { paths: [pathOf(ConfigMap, (o) => o.data["y"])] });
    expect(patch).toEqual({ data: { y: null } });
  });
});
