import { describe, expect, it } from "vitest";
import * as z from "zod";
import { Deployment, Pod, Service, StatefulSet } from "kubezod/k8s";
import { fieldInfo, kubeMeta } from "../../src/index.js";
import { metaOf, nodeType } from "../../src/meta/walk.js";

describe("fieldInfo", () => {
  it("gives the merge key, strategy and list type of Deployment containers", () => {
    const info = fieldInfo(Deployment, "spec.template.spec.containers");
    expect(info).toMatchObject({ patchMergeKey: "name", patchStrategy: "merge", listType: "map", listMapKeys: ["name"] });
    expect(nodeType(info!.schema)).toBe("array");
  });

  it("gives merge,retainKeys for Pod volumes", () => {
    expect(fieldInfo(Pod, "spec.volumes")).toMatchObject({ patchStrategy: "merge,retainKeys", patchMergeKey: "name", listType: "map" });
  });

  it("gives the list type of metadata.finalizers", () => {
    expect(fieldInfo(Pod, "metadata.finalizers")).toMatchObject({ listType: "set", patchStrategy: "merge" });
  });

  it("takes segment arrays, traverses list items by index and map values by key", () => {
    expect(fieldInfo(Deployment, ["spec", "template", "spec", "containers", 0, "ports"])).toMatchObject({
      patchMergeKey: "containerPort",
      listType: "map",
      listMapKeys: ["containerPort", "protocol"],
    });
    expect(fieldInfo(Deployment, "spec.template.spec.containers.3.env")).toMatchObject({ patchMergeKey: "name" });
    expect(nodeType(fieldInfo(Pod, "metadata.labels.app")!.schema)).toBe("string");
    expect(fieldInfo(Service, "spec.ports")).toMatchObject({ listMapKeys: ["port", "protocol"] });
  });

  it("reports definition-level facts and field facts placed on references", () => {
    expect(fieldInfo(Deployment, "spec.selector")).toMatchObject({ mapType: "atomic" });
    expect(fieldInfo(Deployment, "spec.strategy")).toMatchObject({ patchStrategy: "retainKeys" });
    expect(fieldInfo(StatefulSet, "spec.volumeClaimTemplates")).toMatchObject({ listType: "atomic" });
  });

  it("returns undefined for paths the schema does not have", () => {
    expect(fieldInfo(Deployment, "spec.replicaz")).toBeUndefined();
    expect(fieldInfo(Deployment, "spec.template.spec.containers.name")).toBeUndefined();
  });

  it("reads annotations users register on their own schemas", () => {
    const items = z.array(z.looseObject({ id: z.string(), value: z.string() })).register(kubeMeta, {
      patchStrategy: "merge",
      patchMergeKey: "id",
      listType: "map",
      listMapKeys: ["id"],
    });
    const Thing = z.looseObject({ spec: z.looseObject({ items: items.nullish() }).nullish() });
    expect(fieldInfo(Thing, "spec.items")).toMatchObject({ patchMergeKey: "id", listType: "map" });
    expect(metaOf(Thing.shape.spec)).toEqual({});
  });
});
