import { describe, expect, it } from "vitest";
import { tables } from "#schemas/v1.33/catalog.js";
import { $ as latestMeta } from "#schemas/latest/meta/v1.table.js";
import { kubeMeta, resourceInfo, schemaFor } from "../../src/index.js";

/** Whether a table's member has been built (its getter replaced by the schema). */
function built(table: object, name: string): boolean {
  const d = Object.getOwnPropertyDescriptor(table, name);
  if (!d) throw new Error(`no definition ${name}`);
  return "value" in d;
}

// v1.33 is not loaded by anything else in this file, so what is built here is what these tests built.
describe("definitions built on first use", () => {
  it("builds a kind looked up by apiVersion and kind, and not the rest of its group-version", async () => {
    const configMaps = (await tables["v1"]!["ConfigMap"]!()).$;
    const secrets = (await tables["v1"]!["Secret"]!()).$;
    const pods = (await tables["v1"]!["Pod"]!()).$;
    expect(built(configMaps, "ConfigMap")).toBe(false);
    const ConfigMap = await schemaFor({ apiVersion: "v1", kind: "ConfigMap" }, { kubernetesVersion: "1.33" });
    expect(ConfigMap).toBeDefined();
    expect(built(configMaps, "ConfigMap")).toBe(true);
    expect(configMaps.ConfigMap).toBe(ConfigMap);
    expect(built(secrets, "Secret")).toBe(false);
    expect(built(pods, "Pod")).toBe(false);
    // Its annotations are registered when it is built.
    expect(resourceInfo(ConfigMap!)).toMatchObject({ apiVersion: "v1", kind: "ConfigMap", plural: "configmaps", namespaced: true, listKind: "ConfigMapList" });
  });

  it("gives the instance the group-version's module exports, before and after the module is imported", async () => {
    const Secret = await schemaFor({ apiVersion: "v1", kind: "Secret" }, { kubernetesVersion: "1.33" });
    const { coreV1 } = await import("kubezod/k8s/v1.33");
    expect(coreV1.Secret).toBe(Secret);
    expect(coreV1.ConfigMap).toBe(await schemaFor({ apiVersion: "v1", kind: "ConfigMap" }, { kubernetesVersion: "1.33" }));
    // Importing the module built every definition of it.
    const pods = (await tables["v1"]!["Pod"]!()).$;
    expect(built(pods, "Pod")).toBe(true);
    expect(await schemaFor({ apiVersion: "v1", kind: "Pod" }, { kubernetesVersion: "1.33" })).toBe(coreV1.Pod);
    // Each kind is registered once, under its own apiVersion and kind.
    expect(kubeMeta.get(coreV1.Pod)?.kind).toBe("Pod");
  });

  it("builds what a kind refers to with it, in other files and group-versions too, as the same instances", async () => {
    const { coreV1, metaV1, appsV1 } = await import("kubezod/k8s/v1.33");
    const Deployment = await schemaFor({ apiVersion: "apps/v1", kind: "Deployment" }, { kubernetesVersion: "1.33" });
    expect(Deployment).toBe(appsV1.Deployment);
    const shape = (appsV1.Deployment as unknown as { shape: { metadata: { unwrap(): { unwrap(): unknown } } } }).shape;
    expect(shape.metadata.unwrap().unwrap()).toBe(metaV1.ObjectMeta);
    expect(coreV1.PodTemplateSpec).toBeDefined();
  });

  it("offers the newest minor's group-versions as tables for the package's own code", async () => {
    const { ObjectMeta } = await import("kubezod/k8s/meta/v1");
    expect(latestMeta.ObjectMeta).toBe(ObjectMeta);
    expect(latestMeta.ObjectMeta).toBe(latestMeta.ObjectMeta);
    expect(Object.keys(latestMeta)).toContain("LabelSelector");
  });
});
