import { describe, expect, it } from "vitest";
import * as z from "zod";
import { Deployment as LatestDeployment } from "kubezod/k8s";
import { appsV1 as apps130 } from "kubezod/k8s/v1.30";
import { defineResource, fieldInfo, kubeMeta, kubernetesVersions, latestKubernetesVersion, resourceInfo, schemaFor, schemaForObject } from "../../src/index.js";
import { builtinKinds, normalizeKubernetesVersion } from "../../src/meta/public.js";

describe("schemaFor", () => {
  it("finds built-in kinds of the newest minor by default", async () => {
    expect(await schemaFor({ apiVersion: "apps/v1", kind: "Deployment" })).toBe(LatestDeployment);
    expect(latestKubernetesVersion).toBe("v1.36");
    expect(kubernetesVersions).toHaveLength(9);
  });

  it("finds the schema of a pinned minor", async () => {
    expect(await schemaFor({ apiVersion: "apps/v1", kind: "Deployment" }, { kubernetesVersion: "1.30.4" })).toBe(apps130.Deployment);
  });

  it("knows which kinds exist in which minor", async () => {
    const old = await builtinKinds("1.28");
    const recent = await builtinKinds("1.36");
    expect(old["resource.k8s.io/v1"]).toBeUndefined();
    expect(recent["resource.k8s.io/v1"]).toContain("DeviceClass");
    expect(await schemaFor({ apiVersion: "resource.k8s.io/v1", kind: "DeviceClass" }, { kubernetesVersion: "v1.28" })).toBeUndefined();
  });

  it("normalises version spellings and names the bundled ones when it cannot", () => {
    expect(normalizeKubernetesVersion("v1.31")).toBe("v1.31");
    expect(normalizeKubernetesVersion("1.31.4-gke.100")).toBe("v1.31");
    expect(() => normalizeKubernetesVersion("1.19")).toThrow(/no bundled schemas; choose one of v1\.28, v1\.29/);
  });

  it("finds kinds registered at run time", async () => {
    const Widget = defineResource({
      group: "example.com",
      version: "v1alpha1",
      kind: "Widget",
      plural: "widgets",
      namespaced: true,
      schema: z.object({ spec: z.object({ size: z.int() }).nullish() }),
    });
    expect(await schemaForObject({ apiVersion: "example.com/v1alpha1", kind: "Widget" })).toBe(Widget);
    expect(await schemaForObject({ kind: "Widget" })).toBeUndefined();
    expect(await schemaForObject("nope")).toBeUndefined();
  });
});

describe("defineResource", () => {
  const Cluster = defineResource({
    group: "postgresql.cnpg.io",
    version: "v1",
    kind: "Cluster",
    plural: "clusters",
    namespaced: true,
    subresources: ["status", "scale"],
    shortNames: ["pgc"],
    schema: z.object({ spec: z.object({ instances: z.int().min(1) }).nullish(), status: z.unknown().optional() }),
  });

  it("registers the resource facts", () => {
    expect(resourceInfo(Cluster)).toMatchObject({
      apiVersion: "postgresql.cnpg.io/v1",
      kind: "Cluster",
      plural: "clusters",
      singular: "cluster",
      namespaced: true,
      patchTypes: ["json", "merge", "apply"],
      listKind: "ClusterList",
      shortNames: ["pgc"],
      verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
    });
    expect(resourceInfo(Cluster)!.subresources.map((s) => s.name)).toEqual(["status", "scale"]);
  });

  it("adds apiVersion, kind and metadata, and keeps unknown fields", () => {
    const c = Cluster.parse({ metadata: { name: "pg", labels: { a: "b" } }, spec: { instances: 2, storage: { size: "1Gi" } }, extra: 1 });
    expect(c.apiVersion).toBe("postgresql.cnpg.io/v1");
    expect(c.kind).toBe("Cluster");
    expect(c).toMatchObject({ spec: { storage: { size: "1Gi" } }, extra: 1 });
    expect(Cluster.safeParse({ spec: { instances: 0 } }).error!.issues[0]!.path).toEqual(["spec", "instances"]);
    expect(fieldInfo(Cluster, "metadata.finalizers")).toMatchObject({ listType: "set" });
    expect(kubeMeta.byKind("postgresql.cnpg.io/v1", "Cluster")).toBe(Cluster);
  });
});

describe("loadDescriptions", () => {
  it("loads the OpenAPI descriptions of a minor on demand", async () => {
    const { loadDescriptions } = await import("../../src/meta/public.js");
    const docs = await loadDescriptions("1.30");
    expect(docs["apps/v1"]?.Deployment?.description).toMatch(/^Deployment enables declarative updates for Pods and ReplicaSets/);
    expect(docs["core/v1"]?.Container?.properties?.image?.description).toMatch(/^Container image name/);
  });
});
