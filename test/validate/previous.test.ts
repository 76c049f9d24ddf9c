/**
 * `validateManifests(…, { previous })`: resources that match an object of `previous` (same group,
 * kind, namespace and name) are checked as updates of it — immutable fields, update-only rules,
 * CRD ratcheting — the others as creates; previous objects as manifests or as live objects.
 */
import { describe, expect, it } from "vitest";
import { validateManifests } from "../../src/index.js";
import { schemasFromCrd } from "../../src/meta/index.js";

const secret = (type: string, name = "creds") => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}\n  namespace: apps\ntype: ${type}\ndata:\n  token: dG9rZW4=\n`;

const widgetCrd = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: "widgets.example.com" },
  spec: {
    group: "example.com",
    scope: "Namespaced",
    names: { plural: "widgets", kind: "Widget" },
    versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", properties: { spec: { type: "object", properties: { size: { type: "integer", maximum: 10 }, color: { type: "string" } } } } } } }],
  },
};

describe("checking resources as updates of previous objects", () => {
  it("an immutable field changed is refused; the same manifest is fine as a create", async () => {
    const next = { text: secret("example.com/other"), file: "secret.yaml" };
    const asUpdate = await validateManifests(next, { previous: { text: secret("Opaque"), file: "base/secret.yaml" } });
    expect(asUpdate.results.map((r) => r.issues.map((i) => `${i.rule} ${i.message} @${i.line}`))).toEqual([['update/invalid type: Invalid value: "example.com/other": field is immutable @6']]);
    const asCreate = await validateManifests(next);
    expect(asCreate.valid).toBe(true);
  });

  it("matches by group, kind, namespace and name; a live object's server fields are not the manifest's concern", async () => {
    const live = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "creds", namespace: "apps", uid: "1f0e", resourceVersion: "812", creationTimestamp: "2026-01-01T00:00:00Z", generation: 1 },
      type: "Opaque",
      data: { token: "b2xk" },
    };
    const same = await validateManifests({ text: secret("Opaque"), file: "s.yaml" }, { previous: [live] });
    expect(same.results[0]!.issues).toEqual([]);
    // Another name, or another namespace: not the same object, so a create.
    const other = await validateManifests({ text: secret("example.com/other", "other"), file: "s.yaml" }, { previous: [live] });
    expect(other.valid).toBe(true);
  });

  it("custom resources: ratcheting keeps an old invalid value from failing an update that leaves it alone", async () => {
    const [built] = schemasFromCrd(widgetCrd);
    const schemas = [built!.schema];
    const old = "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n  namespace: apps\nspec:\n  size: 20\n  color: red\n";
    const next = old.replace("color: red", "color: blue");
    const asUpdate = await validateManifests({ text: next, file: "w.yaml" }, { schemas, previous: { text: old, file: "old.yaml" }, kubernetesVersion: "1.30" });
    expect(asUpdate.results[0]!.issues).toEqual([]);
    const before = await validateManifests({ text: next, file: "w.yaml" }, { schemas, previous: { text: old, file: "old.yaml" }, kubernetesVersion: "1.29" });
    expect(before.results[0]!.issues.map((i) => i.rule)).toEqual(["schema/range"]);
  });

  it("a previous object of another version is not converted: the resource is checked as created, with a warning", async () => {
    const hpa = (v: string) => `apiVersion: autoscaling/${v}\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: web\n  namespace: apps\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  minReplicas: 1\n  maxReplicas: 3\n`;
    const report = await validateManifests({ text: hpa("v2"), file: "hpa.yaml" }, { previous: { text: hpa("v1"), file: "old.yaml" } });
    expect(report.results[0]!.issues.map((i) => [i.rule, i.severity])).toEqual([["update/version-changed", "warning"]]);
  });

  it("a CRD whose stored rule already costs past the limit can be updated without touching it; changing its schema reports the cost", async () => {
    const crd = (description?: string, labels?: Record<string, string>) => ({
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "gadgets.example.com", ...(labels ? { labels } : {}) },
      spec: {
        group: "example.com",
        scope: "Namespaced",
        names: { plural: "gadgets", singular: "gadget", kind: "Gadget", listKind: "GadgetList" },
        versions: [
          {
            name: "v1",
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: "object",
                properties: {
                  spec: {
                    type: "object",
                    ...(description ? { description } : {}),
                    "x-kubernetes-validations": [{ rule: "self.items.all(a, self.items.all(b, a == b))" }],
                    properties: { items: { type: "array", maxItems: 2000, items: { type: "string", maxLength: 10 } } },
                  },
                },
              },
            },
          },
        ],
      },
    });
    const text = (o: unknown) => ({ text: JSON.stringify(o), file: "crd.json" });
    const costIssues = (r: Awaited<ReturnType<typeof validateManifests>>) => r.results.flatMap((x) => x.issues.map((i) => i.message)).filter((m) => m.includes("exceeds budget"));
    const previous = [crd()];
    expect(costIssues(await validateManifests(text(crd()))).length).toBe(1);
    expect(costIssues(await validateManifests(text(crd(undefined, { team: "a" })), { previous }))).toEqual([]);
    expect(costIssues(await validateManifests(text(crd("described")), { previous })).length).toBe(1);
  });
});
