/**
 * REST paths and query strings, built from a resource's annotations and Kubernetes' own option
 * names.
 */
import type { ResourceInfo } from "../meta/registry.js";

/** Where a request goes: a collection, one object, or one object's subresource. */
export interface ResourceLocation {
  namespace?: string | undefined;
  name?: string | undefined;
  subresource?: string | undefined;
}

function segment(value: string, what: string): string {
  if (value === "" || value === "." || value === "..") throw new TypeError(`${what} ${JSON.stringify(value)} is not a valid path segment`);
  return encodeURIComponent(value);
}

/**
 * The API path of a resource: `/api/v1/namespaces/default/pods/web/log`,
 * `/apis/apps/v1/deployments` (all namespaces), `/apis/rbac.authorization.k8s.io/v1/clusterroles/x`.
 *
 * @example
 * resourcePath(resourceInfo(Deployment)!, { namespace: "default", name: "web", subresource: "scale" });
 * // "/apis/apps/v1/namespaces/default/deployments/web/scale"
 */
export function resourcePath(info: Pick<ResourceInfo, "group" | "version" | "plural" | "namespaced">, where: ResourceLocation = {}): string {
  const root = info.group ? `/apis/${info.group}/${info.version}` : `/api/${info.version}`;
  const ns = info.namespaced && where.namespace !== undefined ? `/namespaces/${segment(where.namespace, "namespace")}` : "";
  if (where.subresource !== undefined && where.name === undefined) throw new TypeError("a subresource needs an object name");
  const name = where.name !== undefined ? `/${segment(where.name, "name")}` : "";
  const sub = where.subresource !== undefined ? `/${segment(where.subresource, "subresource")}` : "";
  return `${root}${ns}/${info.plural}${name}${sub}`;
}

/** A query parameter value: repeated when an array, omitted when undefined or null. */
export type QueryValue = string | number | boolean | readonly (string | number)[] | undefined | null;

/**
 * A query string (`?a=1&b=x`) from Kubernetes option names; empty when there is nothing to send.
 *
 * @example
 * queryString({ labelSelector: "app=web", limit: 50, watch: true, command: ["sh", "-c", "ls"] });
 * // "?labelSelector=app%3Dweb&limit=50&watch=true&command=sh&command=-c&command=ls"
 */
export function queryString(params: Readonly<Record<string, QueryValue>>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) for (const item of v) q.append(k, String(item));
    else q.append(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : "";
}
