/**
 * The resource quota controller (pkg/controller/resourcequota): every ResourceQuota's `status.hard`
 * is its `spec.hard`, and `status.used` the usage of the namespace's objects it covers, worked out
 * again whenever a quota or an object in its namespace changes.
 */
import { quotaStatus } from "../../apiserver/admission/plugins/index.js";
import type { Catalog } from "../catalog.js";
import type { ControllerContext } from "./manager.js";
import { same } from "./util.js";
import type { ResourceRef } from "./api.js";

const RESOURCE_QUOTAS: ResourceRef = { group: "", version: "v1", plural: "resourcequotas" };
const QUOTA_KEY = "/resourcequotas";

/** Register the resource quota controller (keys are namespaces). */
export function registerResourceQuotas(ctx: ControllerContext, catalog: Catalog): void {
  const api = ctx.as({ manager: "kube-controller-manager", user: "system:serviceaccount:kube-system:resourcequota-controller" });
  ctx.watchAll((e) => {
    const ns = e.object.metadata.namespace;
    if (typeof ns !== "string" || !ns) return undefined;
    // A change of status.used made by quota admission itself needs no recount.
    if (e.storageKey === QUOTA_KEY) return e.type === "DELETED" || !same((e.previous?.spec as unknown) ?? null, e.object.spec ?? null) || !e.previous ? ns : undefined;
    return api.store.hasAny(QUOTA_KEY, ns) ? ns : undefined;
  }, "resourcequota");
  ctx.reconciler("resourcequota", (namespace) => {
    const quotas = api.list(RESOURCE_QUOTAS, namespace);
    if (!quotas.length) return;
    const storageKeys = [...new Set(catalog.all().filter((r) => r.namespaced).map((r) => r.storageKey))];
    const resources = storageKeys.map((key) => {
      const slash = key.indexOf("/");
      return { group: key.slice(0, slash), resource: key.slice(slash + 1) };
    });
    const objectsOf = (group: string, resource: string) => api.store.list(`${group}/${resource}`, namespace);
    for (const quota of quotas) {
      if (quota.metadata.deletionTimestamp) continue;
      const status = quotaStatus(quota, objectsOf, resources, ctx.now());
      if (!same(quota.status ?? {}, status)) api.updateStatus(RESOURCE_QUOTAS, { ...quota, status });
    }
  });
}
