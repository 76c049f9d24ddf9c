import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { resourceInfo, schemaFor } from "../../src/index.js";
import { hasShared, needsShared, sharedPath, specVersions } from "../support/shared.js";

interface Expected {
  apiVersion: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  verbs: Set<string>;
  subresources: Map<string, Set<string>>;
}

const PATH = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))(\/watch)?(\/namespaces\/\{namespace\})?\/([a-z0-9.-]+)(\/\{name\})?(?:\/([a-z0-9.-]+))?$/;
const ITEM_VERB: Record<string, string> = { get: "get", put: "update", patch: "patch", delete: "delete", post: "create" };
const COLLECTION_VERB: Record<string, string> = { get: "list", post: "create", delete: "deletecollection" };
const SUB_VERB: Record<string, string> = { get: "get", post: "create", put: "update", patch: "patch", delete: "delete" };

/** What the spec's paths say about every resource, derived here independently of the generator. */
function resourcesFromPaths(spec: { paths: Record<string, Record<string, { "x-kubernetes-group-version-kind"?: { kind: string } }>> }): Expected[] {
  const byKey = new Map<string, Expected>();
  const watched = new Set<string>();
  const subs: Array<[string, string, string]> = [];
  for (const [path, item] of Object.entries(spec.paths)) {
    const m = PATH.exec(path);
    if (!m) continue;
    const [, core, group = "", gv, watch, ns, plural, named, sub] = m;
    const version = core ?? gv!;
    const key = `${group}/${version}/${plural}`;
    if (watch) {
      watched.add(key);
      continue;
    }
    for (const [method, op] of Object.entries(item)) {
      const gvk = op?.["x-kubernetes-group-version-kind"];
      if (!gvk || !(method in SUB_VERB)) continue;
      if (sub) {
        subs.push([key, sub, SUB_VERB[method]!]);
        continue;
      }
      let e = byKey.get(key);
      if (!e) {
        e = { apiVersion: group ? `${group}/${version}` : version!, kind: gvk.kind, plural: plural!, namespaced: false, verbs: new Set(), subresources: new Map() };
        byKey.set(key, e);
      }
      if (ns) e.namespaced = true;
      e.verbs.add((named ? ITEM_VERB : COLLECTION_VERB)[method]!);
    }
  }
  for (const [key, sub, verb] of subs) {
    const e = byKey.get(key);
    if (!e) continue;
    if (!e.subresources.has(sub)) e.subresources.set(sub, new Set());
    e.subresources.get(sub)!.add(verb);
  }
  for (const [key, e] of byKey) if (watched.has(key)) e.verbs.add("watch");
  return [...byKey.values()];
}

describe.skipIf(!hasShared)(`resourceInfo agrees with each spec's paths${needsShared}`, () => {
  for (const version of specVersions) {
    it(`Kubernetes ${version}: plural, scope, verbs and subresources of every resource`, async () => {
      const spec = JSON.parse(readFileSync(sharedPath("kubernetes-openapi", version, "swagger.json"), "utf8"));
      const expected = resourcesFromPaths(spec);
      expect(expected.length).toBeGreaterThan(50);
      for (const e of expected) {
        const schema = await schemaFor({ apiVersion: e.apiVersion, kind: e.kind }, { kubernetesVersion: version });
        expect(schema, `${e.apiVersion} ${e.kind}`).toBeDefined();
        const info = resourceInfo(schema!);
        expect(info, `${e.apiVersion} ${e.kind}`).toBeDefined();
        expect(
          {
            plural: info!.plural,
            namespaced: info!.namespaced,
            verbs: [...info!.verbs].sort(),
            subresources: Object.fromEntries(info!.subresources.map((s) => [s.name, [...s.verbs].sort()])),
          },
          `${version} ${e.apiVersion} ${e.kind}`,
        ).toEqual({
          plural: e.plural,
          namespaced: e.namespaced,
          verbs: [...e.verbs].sort(),
          subresources: Object.fromEntries([...e.subresources].map(([n, v]) => [n, [...v].sort()])),
        });
      }
    });
  }
});
