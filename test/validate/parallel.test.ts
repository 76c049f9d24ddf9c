/**
 * Runs shared with worker threads make the report a single thread makes: same results, same
 * order, CRDs among the inputs applying everywhere, and workers that stop mid-run changing nothing.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { validateManifests, type ValidateManifestsOptions } from "../../src/index.js";
import { poolSize, stopWorkers } from "../../src/validate/parallel.js";
import { runCli } from "../support/cli.js";

const dir = mkdtempSync(join(tmpdir(), "kubezod-parallel-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function crd(kind: string, plural: string, spec: Record<string, unknown>, kindText = JSON.stringify("CustomResourceDefinition")): string {
  return `{"apiVersion": "apiextensions.k8s.io/v1", "kind": ${kindText}, "metadata": {"name": "${plural}.example.com"},
  "spec": {"group": "example.com", "scope": "Namespaced", "names": {"plural": "${plural}", "kind": "${kind}"},
  "versions": [{"name": "v1", "served": true, "storage": true, "schema": {"openAPIV3Schema": {"type": "object", "properties": {"spec": ${JSON.stringify(spec)}}}}}]}}`;
}

const widgetSpec = { type: "object", properties: { size: { type: "integer", maximum: 10 } }, "x-kubernetes-validations": [{ rule: "self.size > 1", message: "too small" }] };
const docs = (i: number): string[] => [
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-${i}\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n        - name: app\n          image: nginx\n          ports:\n            - containerPort: 80\n`,
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_${i}\ndata:\n  mode: 0644\n  k: v\n  k: w\n`,
  `apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Service\n    metadata: {name: s-${i}}\n    spec: {ports: [{port: "80"}]}\n  - apiVersion: v1\n    kind: Secret\n    metadata: {name: s-${i}}\n    extra: 1\n`,
  `apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w-${i}\nspec:\n  size: ${i % 12}\n`,
  `apiVersion: example.com/v1\nkind: Gizmo\nmetadata:\n  name: g-${i}\nspec:\n  colour: ${i % 2 ? "red" : 3}\n  tags: [a, a]\n`,
  i % 7 === 0 ? "a: [unclosed\n" : `apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata:\n  name: p-${i}\n`,
];

mkdirSync(join(dir, "in"));
for (let i = 0; i < 40; i++) writeFileSync(join(dir, "in", `m${String(i).padStart(2, "0")}.yaml`), docs(i).join("---\n"));
// CRDs among the inputs, after resources that use them; one spelled with escapes, one broken.
writeFileSync(join(dir, "in", "m20-crd.yaml"), crd("Widget", "widgets", widgetSpec));
writeFileSync(join(dir, "in", "m30-crd.json"), crd("Gizmo", "gizmos", { type: "object", properties: { colour: { type: "string" }, tags: { type: "array", items: { type: "string" }, "x-kubernetes-list-type": "set" } } }, '"CustomResource\\u0044efinition"'));
writeFileSync(join(dir, "in", "m35-crd.yaml"), "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: broken\nspec: {}\n");
writeFileSync(join(dir, "in", "m05-binary.yaml"), Buffer.from([0x61, 0, 0x62]));
writeFileSync(join(dir, "in", "m06-big.yaml"), "a: b\n".repeat(400));
writeFileSync(join(dir, "option-crd.yaml"), `${crd("Doohickey", "doohickeys", { type: "object" })}\n---\nkind: CustomResourceDefinition\napiVersion: apiextensions.k8s.io/v1\nspec: 1\n`);

const inputs = [{ path: join(dir, "in") }, { path: join(dir, "missing.yaml") }, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: Text\n", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "obj" } }];
const options: ValidateManifestsOptions = { crds: [join(dir, "option-crd.yaml")], maxFileSize: 1000, warnImplicitConversions: true };

describe("validation shared with worker threads", () => {
  it("makes the report a single thread makes", async () => {
    const single = await validateManifests(inputs, { ...options, workers: 0 });
    const shared = await validateManifests(inputs, { ...options, workers: 2 });
    expect(poolSize()).toBeGreaterThan(0);
    expect(shared).toEqual(single);
    // The inputs exercise what they should.
    const rules = new Set(single.results.flatMap((r) => r.issues.map((i) => i.rule)));
    for (const rule of ["crd/cel", "crd/invalid", "schema/range", "schema/type", "strict/unknown-field", "strict/duplicate-entry", "yaml/duplicate-key", "yaml/implicit-conversion", "yaml/syntax", "file/unreadable", "api/removed", "meta/name"]) {
      expect(rules).toContain(rule);
    }
    expect(single.results.filter((r) => r.kind === "Widget" || r.kind === "Gizmo").every((r) => !r.issues.some((i) => i.rule === "api/unknown-kind"))).toBe(true);
  });

  it("reports progress up to the total", async () => {
    const seen: Array<[number, number]> = [];
    const report = await validateManifests(inputs, { ...options, workers: 1, onProgress: (done, total) => seen.push([done, total]) });
    // Every resource of the inputs, not the unreadable files nor the CRDs of the `crds` option.
    const checked = report.results.filter((r) => !r.issues.some((i) => i.rule === "file/unreadable") && !r.file.endsWith("option-crd.yaml")).length;
    expect(seen.at(-1)).toEqual([checked, checked]);
    for (const [done, total] of seen) expect(done).toBeLessThanOrEqual(total);
  });

  it("checks what stopped workers took", async () => {
    const single = await validateManifests(inputs, { ...options, workers: 0 });
    let stopped = false;
    const shared = await validateManifests(inputs, {
      ...options,
      workers: 2,
      onProgress: () => {
        if (!stopped) void stopWorkers();
        stopped = true;
      },
    });
    expect(shared).toEqual(single);
  });

  it("gives the CLI the same output with and without workers", async () => {
    const args = ["validate", "-o", "json", "--warn-implicit-conversions", "--crd", join(dir, "option-crd.yaml"), "--max-file-size", "1000", join(dir, "in")];
    const one = await runCli([...args, "--workers", "0"]);
    const two = await runCli([...args, "--workers", "2"]);
    expect(one.code).toBe(1);
    expect(two.stdout).toBe(one.stdout);
    expect((await runCli(["validate", "--workers", "many", "x.yaml"])).code).toBe(2);
  });
});
