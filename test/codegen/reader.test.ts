import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { moduleOf, readOpenApi, readResources } from "../../src/meta/openapi/openapi.js";
import { readSchema, SpecError } from "../../src/meta/openapi/schema-reader.js";
import { readCrds } from "../../codegen/crd.js";

const mini = JSON.parse(readFileSync(new URL("./fixtures/mini-v2.json", import.meta.url), "utf8"));

describe("OpenAPI reader", () => {
  const model = readOpenApi(mini, "mini-v2.json");
  const def = (name: string) => model.definitions.get(name)!;

  it("reads resource facts from the paths", () => {
    expect(def("com.example.v1.Widget").resource).toEqual({
      group: "example.com",
      version: "v1",
      kind: "Widget",
      plural: "widgets",
      singular: "widget",
      namespaced: true,
      verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
      subresources: [
        { name: "scale", group: "autoscaling", version: "v1", kind: "Scale", verbs: ["get", "update"] },
        { name: "status", group: "example.com", version: "v1", kind: "Widget", verbs: ["get", "patch"] },
      ],
      patchTypes: ["json", "merge", "strategic", "apply"],
      listKind: "WidgetList",
    });
  });

  it("tells cluster-scoped and create-only resources apart", () => {
    expect(def("com.example.v1.Gadget").resource).toMatchObject({ plural: "gadgets", namespaced: false, verbs: ["create", "get", "list"] });
    expect(def("com.example.v1.Review").resource).toMatchObject({ plural: "reviews", verbs: ["create"], subresources: [] });
  });

  it("ignores proxy paths with a trailing {path}", () => {
    expect(def("com.example.v1.Widget").resource!.subresources.map((s) => s.name)).toEqual(["scale", "status"]);
  });

  it("turns apiVersion and kind of a kind into defaulted literals", () => {
    const props = (def("com.example.v1.WidgetList").node as { properties: Record<string, unknown> }).properties;
    expect(props.apiVersion).toMatchObject({ type: "literal", value: "example.com/v1", defaulted: true });
    expect(props.kind).toMatchObject({ type: "literal", value: "WidgetList", defaulted: true });
  });

  it("keeps x-kubernetes facts on fields, including on references", () => {
    const spec = def("com.example.v1.WidgetSpec").node as { properties: Record<string, { facts?: unknown }> };
    expect(spec.properties.parts!.facts).toEqual({ patchStrategy: "merge", patchMergeKey: "name", listType: "map", listMapKeys: ["name"] });
    expect(spec.properties.selector!.facts).toEqual({ patchStrategy: "replace" });
    expect(def("com.example.v1.Selector").node.facts).toEqual({ mapType: "atomic" });
  });

  it("maps Kubernetes wire types to scalars", () => {
    expect(def("io.k8s.apimachinery.pkg.util.intstr.IntOrString").node.type).toBe("int-or-string");
    expect(def("io.k8s.apimachinery.pkg.api.resource.Quantity").node.type).toBe("quantity");
    expect(def("io.k8s.apimachinery.pkg.apis.meta.v1.Time").node.type).toBe("time");
  });

  it("names modules after the package", () => {
    expect(moduleOf("io.k8s.api.apps.v1.Deployment")).toBe("apps/v1");
    expect(moduleOf("io.k8s.api.core.v1.Pod")).toBe("core/v1");
    expect(moduleOf("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta")).toBe("meta/v1");
    expect(moduleOf("io.k8s.apimachinery.pkg.util.intstr.IntOrString")).toBe("apimachinery");
    expect(moduleOf("io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition")).toBe("apiextensions/v1");
    expect(moduleOf("io.cnpg.postgresql.v1.Cluster")).toBe("postgresql.cnpg.io/v1");
    expect(moduleOf("com.example.v1beta2.Widget")).toBe("example.com/v1beta2");
  });

  it("reads OpenAPI v3 documents (allOf references, components)", () => {
    const v3 = {
      openapi: "3.0.0",
      paths: {},
      components: {
        schemas: {
          "com.example.v1.Thing": {
            type: "object",
            properties: {
              apiVersion: { type: "string" },
              kind: { type: "string" },
              spec: { allOf: [{ $ref: "#/components/schemas/com.example.v1.ThingSpec" }], default: {}, description: "The spec." },
            },
            "x-kubernetes-group-version-kind": [{ group: "example.com", version: "v1", kind: "Thing" }],
          },
          "com.example.v1.ThingSpec": { type: "object", properties: { n: { type: "integer", format: "int64" } } },
        },
      },
    };
    const m = readOpenApi(v3, "v3.json");
    const thing = m.definitions.get("com.example.v1.Thing")!.node as { properties: Record<string, unknown> };
    expect(thing.properties.spec).toMatchObject({ type: "ref", name: "com.example.v1.ThingSpec", description: "The spec." });
  });

  it("derives watch from the list operation's watch parameter too", () => {
    const resources = readResources({
      "/api/v1/namespaces/{namespace}/things": {
        get: {
          "x-kubernetes-action": "list",
          "x-kubernetes-group-version-kind": { group: "", version: "v1", kind: "Thing" },
          parameters: [{ name: "watch", in: "query" }],
        },
      },
    });
    expect(resources.get("v1/Thing")!.verbs).toEqual(["list", "watch"]);
  });

  it("rejects what it cannot read with the location in the message", () => {
    expect(() => readOpenApi({ hello: 1 }, "x.json")).toThrow(/x\.json: not an OpenAPI document/);
    expect(() => readOpenApi({ swagger: "2.0" }, "y.json")).toThrow(/y\.json: the document has no definitions/);
    expect(() => readSchema({ type: "tuple" }, { where: "defs.A" })).toThrow(SpecError);
    expect(() => readSchema({ type: "tuple" }, { where: "defs.A" })).toThrow(/defs\.A: unsupported type "tuple"/);
    expect(() => readSchema({ $ref: "http://elsewhere/x" }, { where: "defs.B" })).toThrow(/unsupported \$ref/);
  });
});

describe("CRD reader", () => {
  const crd = (extra: string) => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: { name: widgets.example.com }
spec:
  group: example.com
  scope: Namespaced
  names: { plural: widgets, kind: Widget, shortNames: [wd] }
${extra}`;

  it("reads every served version, skipping unserved ones", () => {
    const m = readCrds(
      crd(`  versions:
  - name: v1
    served: true
    storage: true
    subresources: { status: {}, scale: { specReplicasPath: .spec.replicas, statusReplicasPath: .status.replicas } }
    schema: { openAPIV3Schema: { type: object, properties: { spec: { type: object, properties: { replicas: { type: integer } } } } } }
  - name: v1alpha1
    served: false
    storage: false
    schema: { openAPIV3Schema: { type: object } }
`),
      "widgets.yaml",
    );
    expect([...m.definitions.keys()]).toEqual(["com.example.v1.Widget"]);
    const w = m.definitions.get("com.example.v1.Widget")!;
    expect(w.module).toBe("example.com/v1");
    expect(w.resource).toMatchObject({
      plural: "widgets",
      singular: "widget",
      namespaced: true,
      shortNames: ["wd"],
      patchTypes: ["json", "merge", "apply"],
      listKind: "WidgetList",
      subresources: [
        { name: "scale", group: "autoscaling", version: "v1", kind: "Scale" },
        { name: "status", group: "example.com", version: "v1", kind: "Widget" },
      ],
    });
  });

  it("names the file, line and CRD when something is wrong", () => {
    expect(() => readCrds(crd("  versions:\n  - name: v1\n    served: true\n"), "w.yaml")).toThrow(
      /^w\.yaml:1: CustomResourceDefinition widgets\.example\.com version v1: has no schema \(spec\.versions\[0\]\.schema\.openAPIV3Schema\)$/,
    );
    expect(() => readCrds("a: [\n", "bad.yaml")).toThrow(/^bad\.yaml:2:1: invalid YAML: /);
    expect(() => readCrds(crd("  versions: []\n").replace("scope: Namespaced", "scope: Galaxy"), "s.yaml")).toThrow(
      /spec\.scope must be Namespaced or Cluster, got "Galaxy"/,
    );
  });

  it("ignores documents that are not CRDs", () => {
    expect(readCrds("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n---\n", "cm.yaml").definitions.size).toBe(0);
  });
});
