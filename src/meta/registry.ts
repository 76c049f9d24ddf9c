/**
 * The annotation registry and the resource facts read from it.
 */
import type * as z from "zod";
import { format, kubeMeta } from "#schemas/runtime.js";
import type { KubeMeta, PatchType, SubresourceInfo, Verb } from "#schemas/runtime.js";

export { kubeMeta };

/**
 * A Zod check that a string has an OpenAPI `format` the apiserver validates (`date-time`, `uuid`,
 * `ipv4`, `cidr`, …); unknown formats pass.
 *
 * @example
 * z.string().check(formatCheck("uuid")).safeParse("nope").success; // false
 */
export const formatCheck: (name: string) => z.core.$ZodCheck<string> = format;
export type { KubeMeta, KubeRegistry, PatchType, SubresourceInfo, ValidationRule, Verb, KubeSchema, KubeInput } from "#schemas/runtime.js";

/** Group, version and kind of an API type. */
export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** What the API says about a resource: where it lives and what can be done to it. */
export interface ResourceInfo {
  group: string;
  version: string;
  apiVersion: string;
  kind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  verbs: readonly Verb[];
  subresources: readonly SubresourceInfo[];
  patchTypes: readonly PatchType[];
  listKind: string;
  shortNames: readonly string[];
  categories: readonly string[];
}

/**
 * The resource facts of a schema: plural, scope, verbs, subresources, accepted patch types; or
 * undefined when the schema is not a REST resource.
 *
 * @example
 * import { resourceInfo } from "kubezod";
 * import { Deployment } from "kubezod/k8s";
 * resourceInfo(Deployment)?.plural; // "deployments"
 */
export function resourceInfo(schema: z.ZodType): ResourceInfo | undefined {
  const m = kubeMeta.get(schema);
  if (!m?.plural || !m.kind || !m.version) return undefined;
  const group = m.group ?? "";
  return {
    group,
    version: m.version,
    apiVersion: m.apiVersion ?? (group ? `${group}/${m.version}` : m.version),
    kind: m.kind,
    plural: m.plural,
    singular: m.singular ?? m.kind.toLowerCase(),
    namespaced: m.namespaced ?? true,
    verbs: m.verbs ?? [],
    subresources: m.subresources ?? [],
    patchTypes: m.patchTypes ?? [],
    listKind: m.listKind ?? `${m.kind}List`,
    shortNames: m.shortNames ?? [],
    categories: m.categories ?? [],
  };
}

/**
 * The group/version/kind a schema is registered under (resources and other kinds such as `Scale`).
 *
 * @example
 * gvkOf(Deployment); // { group: "apps", version: "v1", kind: "Deployment" }
 */
export function gvkOf(schema: z.ZodType): GroupVersionKind | undefined {
  const m: KubeMeta | undefined = kubeMeta.get(schema);
  if (!m?.kind || !m.version) return undefined;
  return { group: m.group ?? "", version: m.version, kind: m.kind };
}

/**
 * `apps` + `v1` → `apps/v1`; the core group has no prefix (`v1`).
 *
 * @example
 * apiVersionOf("", "v1"); // "v1"
 */
export function apiVersionOf(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

/**
 * Split an apiVersion into group and version.
 *
 * @example
 * parseApiVersion("apps/v1"); // { group: "apps", version: "v1" }
 */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? { group: "", version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}
