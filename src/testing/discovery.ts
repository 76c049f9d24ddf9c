/**
 * Discovery documents generated from the served resources: the legacy `/api`, `/apis`,
 * `/api/v1`, `/apis/<group>/<version>` documents and aggregated discovery
 * (`apidiscovery.k8s.io` v2 and v2beta1 `APIGroupDiscoveryList`).
 */
import { createHash } from "node:crypto";
import type { Catalog, ServedResource } from "./catalog.js";
import { storageVersionOf } from "../apiserver/conversion.js";

type Obj = Record<string, unknown>;

function groupVersion(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

/**
 * `storageVersionHash` (`discovery.StorageVersionHash`): the first 8 bytes of the SHA-256 of the
 * group/version/kind objects are stored as, in base64. Every version of a resource, and every group
 * sharing its storage (core and events.k8s.io `events`), has the same one: a custom resource's is its
 * CRD's storage version, a built-in kind with conversions that of its storage version.
 */
function hash(catalog: Catalog, r: ServedResource): string {
  let stored = { group: r.group, version: r.version, kind: r.kind };
  if (r.custom) {
    const storage = catalog.siblings(r.storageKey).find((s) => s.custom?.storage);
    if (storage) stored = { group: storage.group, version: storage.version, kind: storage.kind };
  } else {
    const apiVersion = storageVersionOf(r.group, r.kind);
    if (apiVersion) {
      const slash = apiVersion.indexOf("/");
      stored = { group: slash < 0 ? "" : apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1), kind: r.kind };
    }
  }
  return createHash("sha256").update(`${stored.group}/${stored.version}/${stored.kind}`).digest().subarray(0, 8).toString("base64");
}

/** `/api`: the core group's versions. */
export function apiVersions(serverAddress: string): Obj {
  return { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }] };
}

/** `/apis`: every named group with its versions, preferred first. */
export function apiGroupList(catalog: Catalog): Obj {
  return {
    kind: "APIGroupList",
    apiVersion: "v1",
    groups: catalog
      .groups()
      .filter((g) => g.name !== "")
      .map((g) => apiGroup(catalog, g.name)),
  };
}

/** `/apis/<group>`. */
export function apiGroup(catalog: Catalog, group: string): Obj {
  const versions = catalog.versionsOf(group).map((v) => ({ groupVersion: groupVersion(group, v), version: v }));
  return { kind: "APIGroup", apiVersion: "v1", name: group, versions, preferredVersion: versions[0] };
}

/** `/api/v1`, `/apis/<group>/<version>`: resources and subresources of one group/version. */
export function apiResourceList(catalog: Catalog, group: string, version: string): Obj {
  const resources: Obj[] = [];
  for (const r of catalog.resourcesOf(group, version)) {
    resources.push({
      name: r.plural,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: [...r.verbs],
      ...(r.shortNames.length ? { shortNames: [...r.shortNames] } : {}),
      ...(r.categories.length ? { categories: [...r.categories] } : {}),
      storageVersionHash: hash(catalog, r),
    });
    for (const s of r.subresources) {
      resources.push({
        name: `${r.plural}/${s.name}`,
        singularName: "",
        namespaced: r.namespaced,
        ...((s.group !== undefined && s.group !== r.group) || (s.version !== undefined && s.version !== r.version)
          ? { group: s.group ?? r.group, version: s.version ?? r.version }
          : {}),
        kind: s.kind ?? r.kind,
        verbs: [...s.verbs],
      });
    }
  }
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: groupVersion(group, version), resources };
}

/** Aggregated discovery for `/api` (core only) or `/apis` (every named group). */
export function aggregatedDiscovery(catalog: Catalog, which: "api" | "apis", apiVersion: "apidiscovery.k8s.io/v2" | "apidiscovery.k8s.io/v2beta1"): Obj {
  const groups = catalog.groups().filter((g) => (which === "api" ? g.name === "" : g.name !== ""));
  return {
    kind: "APIGroupDiscoveryList",
    apiVersion,
    metadata: {},
    items: groups.map((g) => ({
      metadata: { name: g.name, creationTimestamp: null },
      versions: g.versions.map((v) => ({
        version: v,
        resources: catalog.resourcesOf(g.name, v).map((r) => ({
          resource: r.plural,
          responseKind: { group: r.group, version: r.version, kind: r.kind },
          scope: r.namespaced ? "Namespaced" : "Cluster",
          singularResource: r.singular,
          verbs: [...r.verbs],
          ...(r.shortNames.length ? { shortNames: [...r.shortNames] } : {}),
          ...(r.categories.length ? { categories: [...r.categories] } : {}),
          ...(r.subresources.length
            ? {
                subresources: r.subresources.map((s) => ({
                  subresource: s.name,
                  ...(s.kind ? { responseKind: { group: s.group ?? r.group, version: s.version ?? r.version, kind: s.kind } } : {}),
                  verbs: [...s.verbs],
                })),
              }
            : {}),
        })),
        freshness: "Current",
      })),
    })),
  };
}

/** Which aggregated discovery version an Accept header asks for (v2 preferred), if any. */
export function aggregatedVersionAccepted(accept: string): "apidiscovery.k8s.io/v2" | "apidiscovery.k8s.io/v2beta1" | undefined {
  const entries = accept.split(",").map((e) => e.trim());
  for (const e of entries) {
    const params = new Map(
      e
        .split(";")
        .slice(1)
        .map((p) => p.trim().split("=") as [string, string]),
    );
    if (params.get("g") === "apidiscovery.k8s.io" && params.get("as") === "APIGroupDiscoveryList") {
      const v = params.get("v");
      if (v === "v2") return "apidiscovery.k8s.io/v2";
      if (v === "v2beta1") return "apidiscovery.k8s.io/v2beta1";
    }
  }
  return undefined;
}
