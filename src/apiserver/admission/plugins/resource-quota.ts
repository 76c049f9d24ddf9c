/**
 * The `ResourceQuota` admission plugin (k8s.io/apiserver/pkg/admission/plugin/resourcequota) with
 * the evaluators of pkg/quota/v1/evaluator/core, and the usage the resource quota controller
 * (pkg/controller/resourcequota) writes into `status`: what an object consumes, which quotas match
 * it, and the refusals `failed quota: …` and `exceeded quota: …`.
 */
import { Quantity } from "../../validation/quantity.js";
import {
  addLists,
  forbidden,
  lessThanOrEqual,
  mask,
  prettyPrint,
  rec,
  recs,
  resourceList,
  resourceListJSON,
  str,
  subtractNonNegative,
  type Obj,
  type PluginCluster,
  type PluginRequest,
  type ResourceList,
} from "./common.js";

const ONE = Quantity.ofInt(1);
const ZERO = Quantity.ofInt(0);
/** The names of the legacy object counts (`pkg/quota/v1/evaluator/core/registry.go`). */
const LEGACY_COUNTS: Record<string, string> = {
  configmaps: "configmaps",
  secrets: "secrets",
  replicationcontrollers: "replicationcontrollers",
  resourcequotas: "resourcequotas",
  services: "services",
  persistentvolumeclaims: "persistentvolumeclaims",
};
const POD_COMPUTE = new Set(["pods", "cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory", "requests.ephemeral-storage", "limits.cpu", "limits.memory", "limits.ephemeral-storage"]);
/** The resources for which every container must say its request or limit (`validationSet`). */
const MUST_SPECIFY = new Set(["cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory"]);

/** `count/<resource>[.<group>]`. */
function countName(group: string, resource: string): string {
  return `count/${resource}${group ? `.${group}` : ""}`;
}

function isExtendedResource(name: string): boolean {
  if (name.startsWith("requests.") || name.startsWith("limits.")) return false;
  const slash = name.indexOf("/");
  return slash > 0 && !name.startsWith("kubernetes.io/") && !name.includes("kubernetes.io/");
}

/** Which quota resources an evaluator tracks. */
function matchesResource(group: string, resource: string, name: string): boolean {
  if (name === countName(group, resource)) return true;
  if (group !== "") return false;
  if (LEGACY_COUNTS[resource] === name) return true;
  if (resource === "pods") return POD_COMPUTE.has(name) || name.startsWith("hugepages-") || name.startsWith("requests.hugepages-") || (name.startsWith("requests.") && isExtendedResource(name.slice(9)));
  if (resource === "services") return name === "services.loadbalancers" || name === "services.nodeports";
  if (resource === "persistentvolumeclaims") return name === "requests.storage" || name.endsWith(".storageclass.storage.k8s.io/requests.storage") || name.endsWith(".storageclass.storage.k8s.io/persistentvolumeclaims");
  return false;
}

/** `podComputeUsageHelper`. */
function podComputeUsage(requests: ResourceList, limits: ResourceList): ResourceList {
  const out: ResourceList = new Map([["pods", ONE]]);
  for (const r of ["cpu", "memory", "ephemeral-storage"]) {
    const req = requests.get(r);
    if (req) {
      out.set(r, req);
      out.set(`requests.${r}`, req);
    }
    const lim = limits.get(r);
    if (lim) out.set(`limits.${r}`, lim);
  }
  for (const [r, q] of requests) {
    if (r.startsWith("hugepages-")) {
      out.set(r, q);
      out.set(`requests.${r}`, q);
    }
    if (isExtendedResource(r)) out.set(`requests.${r}`, q);
  }
  return out;
}

/** `resourcehelper.PodRequests`/`PodLimits`: containers and sidecars summed, init containers at their peak, plus the overhead. */
function podTotals(spec: Obj, field: "requests" | "limits"): ResourceList {
  const of = (c: Obj) => resourceList(rec(c.resources)?.[field]);
  let sum: ResourceList = new Map();
  for (const c of recs(spec.containers)) sum = addLists(sum, of(c));
  let sidecars: ResourceList = new Map();
  const peak: ResourceList = new Map();
  const raise = (l: ResourceList) => {
    for (const [k, q] of l) if (!peak.has(k) || peak.get(k)!.cmp(q) < 0) peak.set(k, q);
  };
  for (const c of recs(spec.initContainers)) {
    if (c.restartPolicy === "Always") {
      sidecars = addLists(sidecars, of(c));
      raise(sidecars);
    } else raise(addLists(sidecars, of(c)));
  }
  sum = addLists(sum, sidecars);
  for (const [k, q] of peak) if (!sum.has(k) || sum.get(k)!.cmp(q) < 0) sum.set(k, q);
  const overhead = resourceList(spec.overhead);
  if (overhead.size) {
    for (const [k, q] of overhead) {
      // Limits get the overhead only where a limit is set.
      if (field === "requests" || sum.has(k)) sum.set(k, sum.has(k) ? sum.get(k)!.add(q) : q);
    }
  }
  return sum;
}

/** `QuotaV1Pod`: whether a pod still consumes compute resources (not finished, not past its deletion grace). */
function podCounts(pod: Obj, now: number): boolean {
  const phase = rec(pod.status)?.phase;
  if (phase === "Succeeded" || phase === "Failed") return false;
  const meta = rec(pod.metadata) ?? {};
  const deleted = str(meta.deletionTimestamp);
  if (deleted && typeof meta.deletionGracePeriodSeconds === "number") {
    if (now > Date.parse(deleted) + meta.deletionGracePeriodSeconds * 1000) return false;
  }
  return true;
}

/** What an object of a resource consumes (`Usage` of its evaluator). */
export function usageOf(group: string, resource: string, object: Obj, now = 0): ResourceList {
  const out: ResourceList = new Map([[countName(group, resource), ONE]]);
  if (group !== "") return out;
  const legacy = LEGACY_COUNTS[resource];
  if (legacy) out.set(legacy, ONE);
  const spec = rec(object.spec) ?? {};
  if (resource === "pods") {
    if (!podCounts(object, now)) return out;
    return addLists(out, podComputeUsage(podTotals(spec, "requests"), podTotals(spec, "limits")));
  }
  if (resource === "services") {
    const type = str(spec.type);
    const ports = recs(spec.ports);
    if (type === "NodePort") out.set("services.nodeports", Quantity.ofInt(ports.length));
    if (type === "LoadBalancer") {
      if (spec.allocateLoadBalancerNodePorts !== false) out.set("services.nodeports", Quantity.ofInt(ports.length));
      out.set("services.loadbalancers", ONE);
    }
    return out;
  }
  if (resource === "persistentvolumeclaims") {
    const storage = resourceList(rec(spec.resources)?.requests).get("storage");
    const className = typeof spec.storageClassName === "string" ? spec.storageClassName : str(rec(rec(object.metadata)?.annotations)?.["volume.beta.kubernetes.io/storage-class"]);
    if (className) out.set(`${className}.storageclass.storage.k8s.io/persistentvolumeclaims`, ONE);
    if (storage) {
      out.set("requests.storage", storage);
      if (className) out.set(`${className}.storageclass.storage.k8s.io/requests.storage`, storage);
    }
  }
  return out;
}

function isBestEffort(spec: Obj): boolean {
  for (const c of [...recs(spec.containers), ...recs(spec.initContainers)]) {
    const r = rec(c.resources) ?? {};
    for (const list of [r.requests, r.limits]) {
      for (const k of resourceList(list).keys()) if (k === "cpu" || k === "memory") return false;
    }
  }
  return true;
}

/** The scope selectors of a quota: its `scopes` and its `scopeSelector`'s expressions (`GetScopeSelectorsFromQuota`). */
function scopeSelectors(quota: Obj): Obj[] {
  const spec = rec(quota.spec) ?? {};
  const out: Obj[] = (Array.isArray(spec.scopes) ? spec.scopes : []).map((s) => ({ scopeName: s, operator: "Exists" }));
  return [...out, ...recs(rec(spec.scopeSelector)?.matchExpressions)];
}

/** `podMatchesScopeFunc`; objects other than pods match no scope. */
function matchesScope(selector: Obj, group: string, resource: string, object: Obj): boolean {
  if (group !== "" || resource !== "pods") return false;
  const spec = rec(object.spec) ?? {};
  const terminating = typeof spec.activeDeadlineSeconds === "number";
  switch (selector.scopeName) {
    case "Terminating":
      return terminating;
    case "NotTerminating":
      return !terminating;
    case "BestEffort":
      return isBestEffort(spec);
    case "NotBestEffort":
      return !isBestEffort(spec);
    case "PriorityClass": {
      const name = str(spec.priorityClassName);
      const values = Array.isArray(selector.values) ? selector.values.map(String) : [];
      switch (selector.operator) {
        case "Exists":
          return name !== "";
        case "DoesNotExist":
          return name === "";
        case "In":
          return values.includes(name);
        case "NotIn":
          return !values.includes(name);
      }
      return false;
    }
    case "CrossNamespacePodAffinity":
      return usesCrossNamespaceAffinity(spec);
  }
  return false;
}

function usesCrossNamespaceAffinity(spec: Obj): boolean {
  const affinity = rec(spec.affinity) ?? {};
  for (const kind of ["podAffinity", "podAntiAffinity"]) {
    const a = rec(affinity[kind]) ?? {};
    const terms = [...recs(a.requiredDuringSchedulingIgnoredDuringExecution), ...recs(a.preferredDuringSchedulingIgnoredDuringExecution).map((w) => rec(w.podAffinityTerm) ?? {})];
    if (terms.some((t) => (Array.isArray(t.namespaces) && t.namespaces.length > 0) || t.namespaceSelector !== undefined)) return true;
  }
  return false;
}

function quotaMatches(quota: Obj, group: string, resource: string, object: Obj, hard: ResourceList): boolean {
  if (![...hard.keys()].some((k) => matchesResource(group, resource, k))) return false;
  return scopeSelectors(quota).every((s) => matchesScope(s, group, resource, object));
}

/** `Constraints` of the pod evaluator: cpu and memory quotas need every container to state them. */
function podConstraints(restricted: string[], spec: Obj): string | undefined {
  const required = restricted.filter((r) => MUST_SPECIFY.has(r));
  const missing = new Map<string, Set<string>>();
  for (const c of [...recs(spec.containers), ...recs(spec.initContainers)]) {
    const r = rec(c.resources) ?? {};
    const has = podComputeUsage(resourceList(r.requests), resourceList(r.limits));
    for (const name of required) {
      if (has.has(name)) continue;
      if (!missing.has(name)) missing.set(name, new Set());
      missing.get(name)!.add(str(c.name));
    }
  }
  if (!missing.size) return undefined;
  const parts = [...missing.keys()].sort().map((name) => `${name} for: ${[...missing.get(name)!].sort().join(",")}`);
  return `must specify ${parts.join("; ")}`;
}

/** Whether the evaluator of a resource acts on a request (`Handles`): creation, and pod resizes. */
function handles(req: PluginRequest): boolean {
  if (req.operation === "CREATE") return req.subresource === "";
  return req.operation === "UPDATE" && req.group === "" && req.resource === "pods" && req.subresource === "resize";
}

/** The quotas with their new usage, to be written back when the request goes through. */
export interface QuotaCharge {
  quota: Obj;
  used: Record<string, string>;
}

/**
 * `CheckRequest`: refuse what a matching quota cannot take; returns the quotas whose usage the
 * request raises (empty when none is concerned).
 */
export function checkResourceQuota(req: PluginRequest, cluster: PluginCluster, now = 0): QuotaCharge[] {
  if (!handles(req)) return [];
  const { group, resource, object } = req;
  const interesting: Obj[] = [];
  for (const quota of cluster.resourceQuotas(req.namespace)) {
    const hard = resourceList(rec(quota.status)?.hard);
    if (!quotaMatches(quota, group, resource, object, hard)) continue;
    const restricted = [...hard.keys()].filter((k) => matchesResource(group, resource, k));
    const quotaName = str(rec(quota.metadata)?.name);
    if (group === "" && resource === "pods") {
      const reason = podConstraints(restricted, rec(object.spec) ?? {});
      if (reason) throw forbidden(req, `failed quota: ${quotaName}: ${reason}`);
    }
    const used = resourceList(rec(quota.status)?.used);
    const missing = restricted.filter((k) => !used.has(k)).sort();
    if (missing.length) throw forbidden(req, `status unknown for quota: ${quotaName}, resources: ${missing.join(",")}`);
    interesting.push(quota);
  }
  const input = usageOf(group, resource, object, now);
  const negative = [...input].filter(([, q]) => q.sign() < 0).map(([k]) => k);
  if (negative.length) throw forbidden(req, `quota usage is negative for resource(s): ${negative.sort().join(",")}`);
  const previous = req.operation === "UPDATE" && req.old && str(rec(req.old.metadata)?.resourceVersion) ? req.old : undefined;
  const charges: QuotaCharge[] = [];
  for (const quota of interesting) {
    const hard = resourceList(rec(quota.status)?.hard);
    const used = resourceList(rec(quota.status)?.used);
    // On an update, a quota that also matched the stored object is charged the difference only.
    let delta = previous && quotaMatches(quota, group, resource, previous, hard) ? subtractNonNegative(input, usageOf(group, resource, previous, now)) : input;
    delta = new Map([...delta].filter(([, q]) => !q.isZero()));
    if (!delta.size) continue;
    const requested = mask(delta, hard.keys());
    const next = addLists(used, requested);
    const [allowed, exceeded] = lessThanOrEqual(mask(next, requested.keys()), hard);
    if (!allowed) {
      const name = str(rec(quota.metadata)?.name);
      throw forbidden(req, `exceeded quota: ${name}, requested: ${prettyPrint(mask(requested, exceeded))}, used: ${prettyPrint(mask(used, exceeded))}, limited: ${prettyPrint(mask(hard, exceeded))}`);
    }
    if (requested.size) charges.push({ quota, used: resourceListJSON(next) });
  }
  return charges;
}

/**
 * The status the resource quota controller writes (`syncResourceQuota`): `hard` from the spec, `used`
 * summed over the namespace's objects of every resource the quota names, for the objects its scopes match.
 */
export function quotaStatus(quota: Obj, objectsOf: (group: string, resource: string) => Obj[], resources: ReadonlyArray<{ group: string; resource: string }>, now = 0): Obj {
  const hard = resourceList(rec(quota.spec)?.hard);
  const hardJSON = { ...(rec(rec(quota.spec)?.hard) ?? {}) };
  let used = resourceList(rec(quota.status)?.used);
  const selectors = scopeSelectors(quota);
  for (const { group, resource } of resources) {
    const names = [...hard.keys()].filter((k) => matchesResource(group, resource, k));
    if (!names.length) continue;
    let sum: ResourceList = new Map(names.map((n) => [n, ZERO]));
    for (const o of objectsOf(group, resource)) {
      if (!selectors.every((s) => matchesScope(s, group, resource, o))) continue;
      sum = addLists(sum, mask(usageOf(group, resource, o, now), names));
    }
    used = new Map([...used, ...sum]);
  }
  return { hard: hardJSON, used: resourceListJSON(mask(used, hard.keys())) };
}
