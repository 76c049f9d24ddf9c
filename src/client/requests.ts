/**
 * Requests without I/O: (verb, resource, options) → method, path, query, headers and body, as
 * kube-rs builds them in kube-core. `Kube` only sends what these return; tests compare them as
 * strings (`renderRequest`). Paths come from the resource's annotations, query parameters carry
 * Kubernetes' own names, selectors are rendered once (`selectors.ts`), queries encoded once.
 */
import { UsageError } from "../errors.js";
import type { PatchType, ResourceInfo } from "../meta/registry.js";
import { encodeQuery, type QueryParams } from "../transport/query.js";
import type { HttpMethod } from "../transport/interceptors.js";
import { fieldSelectorString, labelSelectorString, type FieldSelectorInput, type LabelSelectorInput } from "./selectors.js";
import { goJsonText } from "../patch/json.js";

/** A request to send: everything the transport needs, nothing it has to work out. @example const req: KubeRequest = getRequest(resourceInfo(ConfigMap)!, { namespace: "default", name: "settings" }); */
export interface KubeRequest {
  method: HttpMethod;
  /** The path below the server URL. */
  path: string;
  query: QueryParams;
  /** A JSON value (sent as JSON), or text for the content types that are text. */
  body?: unknown;
  contentType?: string;
  accept?: string;
}

/** The resource facts a request needs (a `ResourceInfo`). */
export type ResourceRef = Pick<ResourceInfo, "group" | "version" | "plural" | "namespaced" | "apiVersion" | "kind" | "subresources" | "patchTypes">;

/** The content type of each patch type, as the apiserver expects them. @example PATCH_CONTENT_TYPES.strategic; // "application/strategic-merge-patch+json" */
export const PATCH_CONTENT_TYPES: Readonly<Record<PatchType, string>> = {
  json: "application/json-patch+json",
  merge: "application/merge-patch+json",
  strategic: "application/strategic-merge-patch+json",
  apply: "application/apply-patch+yaml",
};

/** Where a request goes: a collection, one object, or one object's subresource. */
export interface ResourceLocation {
  namespace?: string | undefined;
  name?: string | undefined;
  subresource?: string | undefined;
}

function segment(value: string, what: string): string {
  if (value === "" || value === "." || value === "..") throw new UsageError(`${what} ${JSON.stringify(value)} is not a valid path segment`);
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
  if (where.subresource !== undefined && where.name === undefined) throw new UsageError("a subresource needs an object name");
  const name = where.name !== undefined ? `/${segment(where.name, "name")}` : "";
  const sub = where.subresource !== undefined ? `/${segment(where.subresource, "subresource")}` : "";
  return `${root}${ns}/${info.plural}${name}${sub}`;
}

/** Options every write takes (query parameters). */
export interface WriteParams {
  dryRun?: boolean | "All" | undefined;
  fieldValidation?: "Strict" | "Warn" | "Ignore" | undefined;
  fieldManager?: string | undefined;
}

/** Options of a list, a watch or a collection delete (query parameters). */
export interface ListParams {
  labelSelector?: LabelSelectorInput | undefined;
  fieldSelector?: FieldSelectorInput | undefined;
  limit?: number | undefined;
  continue?: string | undefined;
  resourceVersion?: string | undefined;
  resourceVersionMatch?: "NotOlderThan" | "Exact" | undefined;
  timeoutSeconds?: number | undefined;
}

/** `DeleteOptions` (body of deletes and evictions). */
export interface DeleteParams {
  propagationPolicy?: "Orphan" | "Background" | "Foreground" | undefined;
  gracePeriodSeconds?: number | undefined;
  preconditions?: { uid?: string; resourceVersion?: string } | undefined;
  dryRun?: boolean | "All" | undefined;
}

function writeQuery(p: WriteParams): QueryParams {
  return {
    dryRun: p.dryRun === true || p.dryRun === "All" ? "All" : undefined,
    fieldValidation: p.fieldValidation,
    fieldManager: p.fieldManager,
  };
}

function listQuery(p: ListParams): QueryParams {
  return {
    labelSelector: p.labelSelector !== undefined ? labelSelectorString(p.labelSelector) || undefined : undefined,
    fieldSelector: p.fieldSelector !== undefined ? fieldSelectorString(p.fieldSelector) || undefined : undefined,
    limit: p.limit,
    continue: p.continue,
    resourceVersion: p.resourceVersion,
    resourceVersionMatch: p.resourceVersionMatch,
    timeoutSeconds: p.timeoutSeconds,
  };
}

/** The `DeleteOptions` body, or undefined when there is nothing to say. */
function deleteOptions(p: DeleteParams): Record<string, unknown> | undefined {
  const body: Record<string, unknown> = {};
  if (p.propagationPolicy) body.propagationPolicy = p.propagationPolicy;
  if (p.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = p.gracePeriodSeconds;
  if (p.preconditions) body.preconditions = p.preconditions;
  if (p.dryRun === true || p.dryRun === "All") body.dryRun = ["All"];
  return Object.keys(body).length ? { apiVersion: "v1", kind: "DeleteOptions", ...body } : undefined;
}

/** The subresource a resource's annotations declare, or a UsageError naming the ones it has. */
export function subresourceOf(r: ResourceRef, name: string): ResourceInfo["subresources"][number] {
  const sub = r.subresources.find((s) => s.name === name);
  if (!sub) {
    const known = r.subresources.map((s) => s.name).join(", ") || "none";
    throw new UsageError(`${r.kind} (${r.apiVersion}) has no ${name} subresource; it has ${known}`);
  }
  return sub;
}

/**
 * GET one object (or its subresource).
 *
 * @example
 * renderRequest(getRequest(cm, { namespace: "default", name: "settings" })); // "GET /api/v1/namespaces/default/configmaps/settings"
 */
export function getRequest(r: ResourceRef, p: ResourceLocation & { resourceVersion?: string | undefined }): KubeRequest {
  if (p.subresource !== undefined) subresourceOf(r, p.subresource);
  return { method: "GET", path: resourcePath(r, p), query: { resourceVersion: p.resourceVersion } };
}

/**
 * GET a collection (a namespace's, or every namespace's without one).
 *
 * @example
 * renderRequest(listRequest(pods, { namespace: "shop", labelSelector: { app: "web" }, limit: 50 })); // "GET /api/v1/namespaces/shop/pods?labelSelector=app%3Dweb&limit=50"
 */
export function listRequest(r: ResourceRef, p: ListParams & { namespace?: string | undefined }): KubeRequest {
  return { method: "GET", path: resourcePath(r, { namespace: p.namespace }), query: listQuery(p) };
}

/**
 * A watch of a collection (or of one object, by name).
 *
 * @example
 * renderRequest(watchRequest(cm, { namespace: "a", resourceVersion: "10", allowWatchBookmarks: true }));
 * // "GET /api/v1/namespaces/a/configmaps?resourceVersion=10&watch=true&allowWatchBookmarks=true"
 */
export function watchRequest(
  r: ResourceRef,
  p: Omit<ListParams, "limit" | "continue"> & { namespace?: string | undefined; name?: string | undefined; allowWatchBookmarks?: boolean | undefined; sendInitialEvents?: boolean | undefined },
): KubeRequest {
  const fieldSelector = p.name
    ? [`metadata.name=${p.name}`, ...(p.fieldSelector !== undefined ? [fieldSelectorString(p.fieldSelector)] : [])].filter(Boolean).join(",")
    : p.fieldSelector;
  const query: QueryParams = {
    ...listQuery({ ...p, fieldSelector }),
    resourceVersionMatch: p.resourceVersionMatch ?? (p.sendInitialEvents ? "NotOlderThan" : undefined),
    watch: true,
    allowWatchBookmarks: p.allowWatchBookmarks,
    sendInitialEvents: p.sendInitialEvents,
  };
  return { method: "GET", path: resourcePath(r, { namespace: p.namespace }), query };
}

/**
 * POST a new object to its collection.
 *
 * @example
 * renderRequest(createRequest(cm, { namespace: "a", body: { metadata: { name: "x" } }, fieldManager: "me" }));
 */
export function createRequest(r: ResourceRef, p: WriteParams & { namespace?: string | undefined; body: unknown }): KubeRequest {
  return { method: "POST", path: resourcePath(r, { namespace: p.namespace }), query: writeQuery(p), body: p.body };
}

/**
 * PUT an object (or its subresource) in place.
 *
 * @example
 * renderRequest(replaceRequest(cm, { namespace: "a", name: "x", body }));
 */
export function replaceRequest(r: ResourceRef, p: WriteParams & ResourceLocation & { name: string; body: unknown }): KubeRequest {
  if (p.subresource !== undefined) subresourceOf(r, p.subresource);
  return { method: "PUT", path: resourcePath(r, p), query: writeQuery(p), body: p.body };
}

/**
 * PATCH an object (or its subresource) with a patch of the given type. A type the resource does not
 * accept is a UsageError; server-side apply needs a field manager.
 *
 * @example
 * renderRequest(patchRequest(deployments, { namespace: "a", name: "web", type: "merge", patch: { spec: { replicas: 3 } } }));
 */
export function patchRequest(
  r: ResourceRef,
  p: WriteParams & ResourceLocation & { name: string; patch: unknown; type: PatchType; force?: boolean | undefined },
): KubeRequest {
  if (r.patchTypes.length && !r.patchTypes.includes(p.type)) {
    throw new UsageError(`${r.kind} (${r.apiVersion}) does not accept ${p.type} patches; it accepts ${r.patchTypes.join(", ")}`);
  }
  if (p.subresource !== undefined) subresourceOf(r, p.subresource);
  if (p.type === "apply" && !p.fieldManager) throw new UsageError("server-side apply needs a fieldManager");
  const query = { ...writeQuery(p), ...(p.type === "apply" ? { force: p.force } : {}) };
  // A JSON patch's `test` values are compared with the stored object's Go encoding byte by byte.
  const body = p.type === "json" ? goJsonText(p.patch) : p.patch;
  return { method: "PATCH", path: resourcePath(r, p), query, body, contentType: PATCH_CONTENT_TYPES[p.type] };
}

/**
 * DELETE one object, with `DeleteOptions` in the body when any are given.
 *
 * @example
 * renderRequest(deleteRequest(deployments, { namespace: "a", name: "web", propagationPolicy: "Foreground" }));
 */
export function deleteRequest(r: ResourceRef, p: DeleteParams & { namespace?: string | undefined; name: string }): KubeRequest {
  const body = deleteOptions(p);
  return { method: "DELETE", path: resourcePath(r, p), query: {}, ...(body ? { body } : {}) };
}

/**
 * DELETE a collection (selected by the list parameters).
 *
 * @example
 * renderRequest(deleteCollectionRequest(cm, { namespace: "a", labelSelector: "batch=true" }));
 */
export function deleteCollectionRequest(r: ResourceRef, p: DeleteParams & ListParams & { namespace?: string | undefined }): KubeRequest {
  const body = deleteOptions(p);
  return { method: "DELETE", path: resourcePath(r, { namespace: p.namespace }), query: listQuery(p), ...(body ? { body } : {}) };
}

/** Options of a `log` subresource read (`PodLogOptions`). */
export interface LogParams {
  container?: string | undefined;
  follow?: boolean | undefined;
  previous?: boolean | undefined;
  sinceSeconds?: number | undefined;
  sinceTime?: string | undefined;
  tailLines?: number | undefined;
  timestamps?: boolean | undefined;
  limitBytes?: number | undefined;
}

/**
 * GET the `log` subresource of an object whose kind declares one.
 *
 * @example
 * renderRequest(logRequest(pods, { namespace: "a", name: "web-1", tailLines: 10 })); // "GET /api/v1/namespaces/a/pods/web-1/log?tailLines=10"
 */
export function logRequest(r: ResourceRef, p: LogParams & { namespace?: string | undefined; name: string }): KubeRequest {
  subresourceOf(r, "log");
  const query: QueryParams = {
    container: p.container,
    follow: p.follow,
    previous: p.previous,
    sinceSeconds: p.sinceSeconds,
    sinceTime: p.sinceTime,
    tailLines: p.tailLines,
    timestamps: p.timestamps,
    limitBytes: p.limitBytes,
  };
  return { method: "GET", path: resourcePath(r, { namespace: p.namespace, name: p.name, subresource: "log" }), query, accept: "text/plain, */*" };
}

/**
 * POST to the `eviction` subresource: the body is the kind the annotations name for it
 * (policy/v1 `Eviction`), with the `DeleteOptions` given.
 *
 * @example
 * renderRequest(evictionRequest(pods, { namespace: "a", name: "web-1" }));
 */
export function evictionRequest(r: ResourceRef, p: DeleteParams & { namespace?: string | undefined; name: string }): KubeRequest {
  const sub = subresourceOf(r, "eviction");
  const options = deleteOptions(p);
  const apiVersion = sub.group ? `${sub.group}/${sub.version}` : (sub.version ?? "v1");
  const body = { apiVersion, kind: sub.kind ?? "Eviction", metadata: { name: p.name, ...(p.namespace !== undefined ? { namespace: p.namespace } : {}) }, ...(options ? { deleteOptions: options } : {}) };
  return { method: "POST", path: resourcePath(r, { namespace: p.namespace, name: p.name, subresource: "eviction" }), query: {}, body };
}

/**
 * The path and query of a connect subresource (`exec`, `attach`, `portforward`) opened as a
 * WebSocket.
 *
 * @example
 * renderRequest(connectRequest(pods, "exec", { namespace: "a", name: "web-1", query: { command: ["ls"], stdout: true } }));
 */
export function connectRequest(r: ResourceRef, subresource: string, p: { namespace?: string | undefined; name: string; query?: QueryParams }): KubeRequest {
  subresourceOf(r, subresource);
  return { method: "GET", path: resourcePath(r, { namespace: p.namespace, name: p.name, subresource }), query: p.query ?? {} };
}

/**
 * A request as one line of text (`METHOD path?query`), with its content type and JSON body on the
 * lines below when it has them: what tests compare, and what a log or a dry run can show.
 *
 * @example
 * renderRequest(getRequest(cm, { namespace: "default", name: "settings" })); // "GET /api/v1/namespaces/default/configmaps/settings"
 */
export function renderRequest(req: KubeRequest): string {
  const lines = [`${req.method} ${req.path}${encodeQuery(req.query)}`];
  if (req.contentType) lines.push(`Content-Type: ${req.contentType}`);
  if (req.accept) lines.push(`Accept: ${req.accept}`);
  if (req.body !== undefined) lines.push(typeof req.body === "string" ? req.body : JSON.stringify(req.body));
  return lines.join("\n");
}
