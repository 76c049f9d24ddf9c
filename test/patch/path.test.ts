/**
 * pathOf: the typed path picker. Misspelled fields are compile errors (checked by `tsc --noEmit`
 * through the `@ts-expect-error` lines) and run-time errors listing the valid fields.
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import { KubeError, pathOf, type PickedPath } from "../../src/index.js";
import { pickChanges, type PathLeaf } from "../../src/patch/public.js";
import { Deployment } from "#schemas/latest/apps/v1.js";
import { ConfigMap, Pod } from "#schemas/latest/core/v1.js";
import { CustomResourceDefinition } from "#schemas/latest/apiextensions/v1.js";

const deployment = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", labels: { app: "web", "app.kubernetes.io/name": "web" } },
  spec: {
    selector: { matchLabels: { app: "web" } },
    template: {
      metadata: { labels: { app: "web" } },
      spec: {
        containers: [
          { name: "web", image: "nginx:1.25", args: ["-v"], ports: [{ containerPort: 80, protocol: "TCP" }] },
          { name: "sidecar", image: "busybox" },
        ],
      },
    },
  },
};

describe("pathOf", () => {
  it("returns segments, a JSON Pointer and a readable form", () => {
    const p = pathOf(Deployment, (o) => o.spec.replicas);
    expect(p.segments).toEqual(["spec", "replicas"]);
    expect(p.pointer).toBe("/spec/replicas");
    expect(String(p)).toBe("spec.replicas");
  });

  it("resolves an index through a merge-keyed list to the item's key when given the object", () => {
    const p = pathOf(Deployment, (o) => o.spec.template.spec.containers[1].image, deployment);
    expect(p.segments).toEqual(["spec", "template", "spec", "containers", { key: { name: "sidecar" }, index: 1 }, "image"]);
    expect(p.pointer).toBe("/spec/template/spec/containers/1/image");
    expect(String(p)).toBe("spec.template.spec.containers[name=sidecar].image");
  });

  it("keeps plain indexes without an object, and for lists without keys", () => {
    expect(pathOf(Deployment, (o) => o.spec.template.spec.containers[0].image).segments).toEqual(["spec", "template", "spec", "containers", 0, "image"]);
    const args = pathOf(Deployment, (o) => o.spec.template.spec.containers[0].args[0], deployment);
    expect(args.segments.slice(-2)).toEqual(["args", 0]);
    expect(String(args)).toBe("spec.template.spec.containers[name=web].args[0]");
  });

  it("names a port by its merge key", () => {
    const p = pathOf(Deployment, (o) => o.spec.template.spec.containers[0].ports[0].containerPort, deployment);
    expect(p.segments[6]).toEqual({ key: { containerPort: 80 }, index: 0 });
  });

  it("takes map keys, escaping them in the pointer", () => {
    const p = pathOf(Deployment, (o) => o.metadata.labels["app.kubernetes.io/name"]);
    expect(p.pointer).toBe("/metadata/labels/app.kubernetes.io~1name");
    expect(String(p)).toBe("metadata.labels[app.kubernetes.io/name]");
    expect(pathOf(ConfigMap, (o) => o.data["log.level"]).segments).toEqual(["data", "log.level"]);
  });

  it("lets any name through fields that preserve unknown fields", () => {
    const p = pathOf(CustomResourceDefinition, (o) => o.spec.versions[0].schema.openAPIV3Schema.properties["spec"]!.type);
    expect(p.pointer).toBe("/spec/versions/0/schema/openAPIV3Schema/properties/spec/type");
  });

  it("throws at once, listing the valid fields, for a field the schema lacks", () => {
    // @ts-expect-error: "replica" is not a field of DeploymentSpec
    expect(() => pathOf(Deployment, (o) => o.spec.replica)).toThrow(KubeError);
    // @ts-expect-error: "replica" is not a field of DeploymentSpec
    expect(() => pathOf(Deployment, (o) => o.spec.replica)).toThrow('pathOf: spec has no field "replica"; its fields are: minReadySeconds, paused, progressDeadlineSeconds, replicas, revisionHistoryLimit, selector, strategy, template');
    // @ts-expect-error: a string has no fields
    expect(() => pathOf(Deployment, (o) => o.metadata.name.length)).toThrow('pathOf: metadata.name is a string; it has no field "length"');
    // @ts-expect-error: a list is indexed by number
    expect(() => pathOf(Pod, (o) => o.spec.containers.first)).toThrow('pathOf: spec.containers is a list: "first" is not an index');
  });

  it("says what is missing when the object cannot resolve a keyed item", () => {
    expect(() => pathOf(Deployment, (o) => o.spec.template.spec.containers[5].image, deployment)).toThrow("pathOf: spec.template.spec.containers has 2 items in the given object; there is no item 5");
    expect(() => pathOf(Deployment, (o) => o.spec.template.spec.initContainers[0].image, deployment)).toThrow(/initContainers is not in the given object/);
    expect(() => pathOf(Deployment, () => 1)).toThrow(/the selector must return a field/);
  });

  it("is typed from the schema", () => {
    expectTypeOf(pathOf(Deployment, (o) => o.spec.replicas)).toEqualTypeOf<PickedPath>();
    pathOf(Deployment, (o) => {
      expectTypeOf(o.spec.replicas).toEqualTypeOf<PathLeaf<number>>();
      expectTypeOf(o.spec.template.spec.containers[0].image).toEqualTypeOf<PathLeaf<string>>();
      // Map keys are an index signature: with noUncheckedIndexedAccess, values may be undefined.
      expectTypeOf(o.metadata.labels["x"]).toEqualTypeOf<PathLeaf<string> | undefined>();
      return o.spec.replicas;
    });
  });
});

describe("pickChanges", () => {
  const edited = structuredClone(deployment) as typeof deployment & { spec: { replicas?: number } };
  edited.spec.replicas = 5;
  edited.metadata.labels.app = "changed";
  edited.spec.template.spec.containers.reverse();
  (edited.spec.template.spec.containers[0] as { image: string }).image = "busybox:2";

  it("takes only the picked values from the modified object", () => {
    const out = pickChanges(deployment, edited, [pathOf(Deployment, (o) => o.spec.replicas)]);
    expect(out).toEqual({ ...deployment, spec: { ...deployment.spec, replicas: 5 } });
  });

  it("finds keyed items by key in both objects, whatever their positions", () => {
    const p = pathOf(Deployment, (o) => o.spec.template.spec.containers[1].image, deployment);
    const out = pickChanges(deployment, edited, [p]);
    expect(out.spec.template.spec.containers.map((c) => c.image)).toEqual(["nginx:1.25", "busybox:2"]);
  });

  it("removes a picked value the modified object lacks, and creates missing parents", () => {
    const noLabels = structuredClone(deployment) as { metadata: { labels?: unknown } };
    delete noLabels.metadata.labels;
    expect(pickChanges(deployment, noLabels, [pathOf(Deployment, (o) => o.metadata.labels)]).metadata).toEqual({ name: "web" });
    expect(pickChanges({}, deployment, [pathOf(Deployment, (o) => o.spec.selector.matchLabels["app"])])).toEqual({ spec: { selector: { matchLabels: { app: "web" } } } });
    expect(pickChanges(deployment, {}, ["/spec/template/spec/containers/0/image"]).spec.template.spec.containers[0]).toEqual({ name: "web", args: ["-v"], ports: [{ containerPort: 80, protocol: "TCP" }] });
  });
});

describe("pickChanges with keyed items the base lacks", () => {
  it("creates the item with its key fields and the picked value", () => {
    const withInit = structuredClone(deployment) as typeof deployment & { spec: { template: { spec: { initContainers?: unknown[] } } } };
    withInit.spec.template.spec.initContainers = [{ name: "init", image: "busybox", args: ["x"] }];
    const p = pathOf(Deployment, (o) => o.spec.template.spec.initContainers[0].image, withInit);
    const out = pickChanges(deployment, withInit, [p]) as typeof withInit;
    expect(out.spec.template.spec.initContainers).toEqual([{ name: "init", image: "busybox" }]);
  });
});
