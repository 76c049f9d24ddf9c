import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { tables } from "#schemas/v1.33/catalog.js";
import { $ as latestMeta } from "#schemas/latest/meta/v1.table.js";
import { kubeMeta, resourceInfo, schemaFor } from "../../src/index.js";
import { repoRoot } from "../support/shared.js";

/** Whether a table's member has been built (its getter replaced by the schema). */
function built(table: object, name: string): boolean {
  const d = Object.getOwnPropertyDescriptor(table, name);
  if (!d) throw new Error(`no definition ${name}`);
  return "value" in d;
}

/**
 * Run a module body in a fresh Node (test files share their worker's modules, so what another
 * file built is built here too) and return what it printed as JSON.
 */
function fresh(body: string): unknown {
  const script = [
    'import { schemaFor } from "./src/meta/lookup.ts";',
    'import { tables } from "#schemas/v1.33/catalog.js";',
    "const built = (t, name) => \"value\" in Object.getOwnPropertyDescriptor(t, name);",
    body,
  ].join("\n");
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: repoRoot, encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

describe("definitions built on first use", () => {
  it("builds a kind looked up by apiVersion and kind, and not the rest of its group-version", () => {
    const seen = fresh(`
      const configMaps = (await tables.v1.ConfigMap()).$;
      const before = built(configMaps, "ConfigMap");
      const ConfigMap = await schemaFor({ apiVersion: "v1", kind: "ConfigMap" }, { kubernetesVersion: "1.33" });
      const secrets = (await tables.v1.Secret()).$;
      const pods = (await tables.v1.Pod()).$;
      const after = { configMap: built(configMaps, "ConfigMap"), same: configMaps.ConfigMap === ConfigMap, secret: built(secrets, "Secret"), pod: built(pods, "Pod") };
      const { coreV1 } = await import("kubezod/k8s/v1.33");
      console.log(JSON.stringify({ before, after, imported: { pod: built(pods, "Pod"), same: coreV1.ConfigMap === ConfigMap && coreV1.Pod === pods.Pod } }));
    `);
    expect(seen).toEqual({
      before: false,
      after: { configMap: true, same: true, secret: false, pod: false },
      // Importing the group-version's module builds all of it, as the same instances.
      imported: { pod: true, same: true },
    });
  });

  it("gives the instance the group-version's module exports, with its annotations", async () => {
    const ConfigMap = await schemaFor({ apiVersion: "v1", kind: "ConfigMap" }, { kubernetesVersion: "1.33" });
    const { coreV1 } = await import("kubezod/k8s/v1.33");
    expect(ConfigMap).toBe(coreV1.ConfigMap);
    expect((await tables["v1"]!["ConfigMap"]!()).$.ConfigMap).toBe(ConfigMap);
    expect(await schemaFor({ apiVersion: "v1", kind: "Pod" }, { kubernetesVersion: "1.33" })).toBe(coreV1.Pod);
    expect(resourceInfo(ConfigMap!)).toMatchObject({ apiVersion: "v1", kind: "ConfigMap", plural: "configmaps", namespaced: true, listKind: "ConfigMapList" });
    expect(kubeMeta.get(coreV1.Pod)?.kind).toBe("Pod");
    const pods = (await tables["v1"]!["Pod"]!()).$;
    expect(built(pods, "Pod")).toBe(true);
  });

  it("builds what a kind refers to with it, in other files and group-versions too, as the same instances", async () => {
    const Deployment = await schemaFor({ apiVersion: "apps/v1", kind: "Deployment" }, { kubernetesVersion: "1.33" });
    const { metaV1, appsV1 } = await import("kubezod/k8s/v1.33");
    expect(Deployment).toBe(appsV1.Deployment);
    const shape = (Deployment as unknown as { shape: { metadata: { unwrap(): { unwrap(): unknown } } } }).shape;
    expect(shape.metadata.unwrap().unwrap()).toBe(metaV1.ObjectMeta);
  });

  it("offers the newest minor's group-versions as tables for the package's own code", async () => {
    const { ObjectMeta } = await import("kubezod/k8s/meta/v1");
    expect(latestMeta.ObjectMeta).toBe(ObjectMeta);
    expect(latestMeta.ObjectMeta).toBe(latestMeta.ObjectMeta);
    expect(Object.keys(latestMeta)).toContain("LabelSelector");
  });
});
