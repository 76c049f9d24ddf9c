/**
 * jsonPatchDiff: correct (applying the diff gives the target) and small, keyed by merge keys when
 * a schema is given, aligned by longest common subsequence otherwise.
 */
import { describe, expect, it } from "vitest";
import { compare } from "fast-json-patch";
import { applyJsonPatch, jsonPatchDiff, pathOf } from "../../src/index.js";
import { Deployment } from "#schemas/latest/apps/v1.js";
import { Pod } from "#schemas/latest/core/v1.js";

function deployment(containers: string[]): Record<string, unknown> {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web" },
    spec: {
      selector: { matchLabels: { app: "web" } },
      template: { metadata: { labels: { app: "web" } }, spec: { containers: containers.map((n) => ({ name: n, image: `${n}:1`, ports: [{ containerPort: 80 }] })) } },
    },
  };
}

function check(a: unknown, b: unknown, schema?: typeof Deployment) {
  const ops = jsonPatchDiff(a, b, schema ? { schema } : {});
  expect(applyJsonPatch(a, ops)).toEqual(b);
  return ops;
}

describe("jsonPatchDiff", () => {
  it("removes the first of five containers with one remove", () => {
    const a = deployment(["a", "b", "c", "d", "e"]);
    const b = deployment(["b", "c", "d", "e"]);
    expect(check(a, b, Deployment)).toEqual([{ op: "remove", path: "/spec/template/spec/containers/0" }]);
    expect(compare(a, b).length).toBeGreaterThan(1);
  });

  it("does the same without a schema, by sequence alignment", () => {
    expect(check(deployment(["a", "b", "c", "d", "e"]), deployment(["b", "c", "d", "e"]))).toEqual([{ op: "remove", path: "/spec/template/spec/containers/0" }]);
  });

  it("inserts, changes and moves keyed items", () => {
    const a = deployment(["a", "b", "c", "d"]);
    const b = deployment(["d", "a", "x", "b", "c"]);
    ((b.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[3] as { image: string }).image = "b:2";
    const ops = check(a, b, Deployment);
    expect(ops).toEqual([
      { op: "move", from: "/spec/template/spec/containers/3", path: "/spec/template/spec/containers/0" },
      { op: "add", path: "/spec/template/spec/containers/2", value: { name: "x", image: "x:1", ports: [{ containerPort: 80 }] } },
      { op: "replace", path: "/spec/template/spec/containers/3/image", value: "b:2" },
    ]);
  });

  it("uses list-map keys (containerPort and protocol) for ports", () => {
    const a = { spec: { containers: [{ name: "c", ports: [{ containerPort: 53, protocol: "TCP" }, { containerPort: 53, protocol: "UDP" }] }] } };
    const b = { spec: { containers: [{ name: "c", ports: [{ containerPort: 53, protocol: "UDP" }] }] } };
    expect(check(a, b, Pod as unknown as typeof Deployment)).toEqual([{ op: "remove", path: "/spec/containers/0/ports/0" }]);
  });

  it("diffs an item changed in place inside an unkeyed list", () => {
    const t = (seconds: number) => ({ key: "b", operator: "Exists", effect: "NoExecute", tolerationSeconds: seconds });
    const a = { tolerations: [{ key: "a", operator: "Exists" }, t(30)] };
    const b = { tolerations: [{ key: "a", operator: "Exists" }, t(300)] };
    expect(check(a, b)).toEqual([{ op: "replace", path: "/tolerations/1/tolerationSeconds", value: 300 }]);
    // When the nested changes would be bigger than the item, the item is replaced.
    expect(check({ l: [{ a: 1, b: 2 }] }, { l: [{ c: 3, d: 4 }] })).toEqual([{ op: "replace", path: "/l/0", value: { c: 3, d: 4 } }]);
  });

  it("handles scalars, type changes, escaping and the whole document", () => {
    check({ a: 1, "x/y": { "~": 1 } }, { a: "1", "x/y": { "~": 2 } });
    expect(jsonPatchDiff({ "x/y": { "~": 1 } }, { "x/y": { "~": 2 } })).toEqual([{ op: "replace", path: "/x~1y/~0", value: 2 }]);
    expect(check(1, [1])).toEqual([{ op: "replace", path: "", value: [1] }]);
    expect(jsonPatchDiff({ a: [1] }, { a: [1] })).toEqual([]);
  });

  it("is correct on random list edits", () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let round = 0; round < 200; round++) {
      const a = Array.from({ length: rand(12) }, () => rand(6));
      const b = a.filter(() => rand(4) > 0);
      for (let i = rand(4); i > 0; i--) b.splice(rand(b.length + 1), 0, rand(6));
      check({ a }, { a: b });
    }
  });

  it("replaces a list whole when aligning it would take too many edits", () => {
    const a = { l: Array.from({ length: 3000 }, (_, i) => i) };
    const b = { l: Array.from({ length: 3000 }, (_, i) => -i - 1) };
    expect(check(a, b)).toEqual([{ op: "replace", path: "/l", value: b.l }]);
  });

  it("keeps only changes under picked paths, addressing keyed items by key", () => {
    const a = deployment(["a", "b"]);
    const b = deployment(["x", "a", "b"]);
    (b.spec as { replicas?: number }).replicas = 4;
    const containers = (b.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers;
    (containers[2] as { image: string }).image = "b:9";
    const picked = pathOf(Deployment, (o) => o.spec.template.spec.containers[1].image, a);
    const ops = jsonPatchDiff(a, b, { schema: Deployment, paths: [picked] });
    expect(ops).toEqual([{ op: "replace", path: "/spec/template/spec/containers/1/image", value: "b:9" }]);
    expect(jsonPatchDiff(a, b, { schema: Deployment, paths: [pathOf(Deployment, (o) => o.spec.replicas)] })).toEqual([{ op: "add", path: "/spec/replicas", value: 4 }]);
    expect(jsonPatchDiff(a, b, { schema: Deployment, paths: ["/metadata/labels"] })).toEqual([]);
  });

  it("does not change its inputs nor share values with them", () => {
    const a = { x: { y: [1] } };
    const b = { x: { y: [1, { z: 1 }] } };
    const ops = jsonPatchDiff(a, b);
    ((ops[0] as { value: { z: number } }).value).z = 2;
    expect(b.x.y[1]).toEqual({ z: 1 });
  });
});
