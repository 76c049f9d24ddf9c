/**
 * The `LimitRanger` admission plugin (plugin/pkg/admission/limitranger): the namespace's
 * LimitRanges fill in containers' default requests and limits on pod creation (recorded in the
 * `kubernetes.io/limit-ranger` annotation), then enforce their min, max and max limit/request ratio
 * per container, per pod and per claim.
 */
import { Quantity } from "../../validation/quantity.js";
import { requestsFromLimits } from "../../core/pod-defaults.js";
import { AdmissionForbidden, forbidden, rec, recs, resourceList, specOf, str, type Obj, type PluginCluster, type PluginRequest, type ResourceList } from "./common.js";

const ANNOTATION = "kubernetes.io/limit-ranger";
/** `resource.MaxMilliValue`. */
const MAX_MILLI = 9223372036854775n;

/** `SupportsAttributes`: pods on creation, claims on creation and update, never subresources. */
function supports(req: PluginRequest): boolean {
  if (req.subresource !== "" || req.group !== "") return false;
  if (req.resource === "pods") return req.operation === "CREATE";
  return req.resource === "persistentvolumeclaims" && (req.operation === "CREATE" || req.operation === "UPDATE");
}

function limitsOf(lr: Obj): Obj[] {
  return recs(rec(lr.spec)?.limits);
}

/** `Admit`: every LimitRange's container defaults, in turn. */
export function admitLimitRanger(req: PluginRequest, cluster: PluginCluster): void {
  if (supports(req)) admitWith(req, cluster.limitRanges(req.namespace));
}

function admitWith(req: PluginRequest, limitRanges: readonly Obj[]): void {
  if (req.resource !== "pods") return;
  for (const lr of limitRanges) {
    const requests = new Map<string, unknown>();
    const limits = new Map<string, unknown>();
    for (const item of limitsOf(lr)) {
      if (item.type !== "Container") continue;
      for (const [k, v] of Object.entries(rec(item.defaultRequest) ?? {})) requests.set(k, v);
      for (const [k, v] of Object.entries(rec(item.default) ?? {})) limits.set(k, v);
    }
    mergePodResources(req.object, requests, limits);
  }
}

/** `mergePodResourceRequirements`. */
function mergePodResources(pod: Obj, requests: Map<string, unknown>, limits: Map<string, unknown>): void {
  const spec = specOf(pod);
  const notes: string[] = [];
  for (const c of recs(spec.containers)) mergeContainer(c, requests, limits, "container", notes);
  for (const c of recs(spec.initContainers)) mergeContainer(c, requests, limits, "init container", notes);
  if (!notes.length) return;
  const meta = rec(pod.metadata) ?? (pod.metadata = {});
  const annotations = rec((meta as Obj).annotations) ?? {};
  (meta as Obj).annotations = { ...annotations, [ANNOTATION]: `LimitRanger plugin set: ${notes.join("; ")}` };
}

function mergeContainer(c: Obj, requests: Map<string, unknown>, limits: Map<string, unknown>, prefix: string, notes: string[]): void {
  const resources = rec(c.resources) ?? {};
  const curLimits = { ...(rec(resources.limits) ?? {}) };
  const curRequests = { ...(rec(resources.requests) ?? {}) };
  const setLimits: string[] = [];
  const setRequests: string[] = [];
  for (const [k, v] of limits) {
    if (!Object.hasOwn(curLimits, k)) {
      curLimits[k] = v;
      setLimits.push(k);
    }
  }
  for (const [k, v] of requests) {
    if (!Object.hasOwn(curRequests, k)) {
      curRequests[k] = v;
      setRequests.push(k);
    }
  }
  if (!setLimits.length && !setRequests.length) return;
  c.resources = { ...resources, ...(Object.keys(curLimits).length ? { limits: curLimits } : {}), ...(Object.keys(curRequests).length ? { requests: curRequests } : {}) };
  if (setRequests.length) notes.push(`${setRequests.sort().join(", ")} request for ${prefix} ${str(c.name)}`);
  if (setLimits.length) notes.push(`${setLimits.sort().join(", ")} limit for ${prefix} ${str(c.name)}`);
}

/** `requestLimitEnforcedValues`: the three values, in milli-units unless that would overflow. */
function enforcedValues(req: Quantity | undefined, lim: Quantity | undefined, enforced: Quantity): [bigint, bigint, bigint] {
  const scale = enforced.scaledValue(0) <= MAX_MILLI ? -3 : 0;
  return [req?.scaledValue(scale) ?? 0n, lim?.scaledValue(scale) ?? 0n, enforced.scaledValue(scale)];
}

function minConstraint(type: string, name: string, enforced: Quantity, requests: ResourceList, limits: ResourceList): string | undefined {
  const req = requests.get(name);
  const lim = limits.get(name);
  const [r, l, e] = enforcedValues(req, lim, enforced);
  if (!req) return `minimum ${name} usage per ${type} is ${enforced}.  No request is specified`;
  if (r < e) return `minimum ${name} usage per ${type} is ${enforced}, but request is ${req}`;
  if (lim && l < e) return `minimum ${name} usage per ${type} is ${enforced}, but limit is ${lim}`;
  return undefined;
}

function maxConstraint(type: string, name: string, enforced: Quantity, requests: ResourceList, limits: ResourceList): string | undefined {
  const req = requests.get(name);
  const lim = limits.get(name);
  const [r, l, e] = enforcedValues(req, lim, enforced);
  if (!lim) return `maximum ${name} usage per ${type} is ${enforced}.  No limit is specified`;
  if (l > e) return `maximum ${name} usage per ${type} is ${enforced}, but limit is ${lim}`;
  if (req && r > e) return `maximum ${name} usage per ${type} is ${enforced}, but request is ${req}`;
  return undefined;
}

/** `maxRequestConstraint` (claims have requests only). */
function maxRequestConstraint(type: string, name: string, enforced: Quantity, requests: ResourceList): string | undefined {
  const req = requests.get(name);
  const [r, , e] = enforcedValues(req, undefined, enforced);
  if (!req) return `maximum ${name} usage per ${type} is ${enforced}.  No request is specified`;
  if (r > e) return `maximum ${name} usage per ${type} is ${enforced}, but request is ${req}`;
  return undefined;
}

function ratioConstraint(type: string, name: string, enforced: Quantity, requests: ResourceList, limits: ResourceList): string | undefined {
  const req = requests.get(name);
  const lim = limits.get(name);
  const [r, l] = enforcedValues(req, lim, enforced);
  if (!req || r === 0n) return `${name} max limit to request ratio per ${type} is ${enforced}, but no request is specified or request is 0`;
  if (!lim || l === 0n) return `${name} max limit to request ratio per ${type} is ${enforced}, but no limit is specified or limit is 0`;
  const shown = Number(l) / Number(r);
  let observed = shown;
  let max = Number(enforced.scaledValue(0));
  if (enforced.scaledValue(0) <= MAX_MILLI) {
    observed *= 1000;
    max = Number(enforced.scaledValue(-3));
  }
  if (observed > max) return `${name} max limit to request ratio per ${type} is ${enforced}, but provided ratio is ${shown.toFixed(6)}`;
  return undefined;
}

const sortedEntries = (v: unknown) => [...resourceList(v)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

function checkItem(item: Obj, type: string, requests: ResourceList, limits: ResourceList, errs: string[]): void {
  const push = (e: string | undefined) => e && errs.push(e);
  for (const [k, v] of sortedEntries(item.min)) push(minConstraint(type, k, v, requests, limits));
  for (const [k, v] of sortedEntries(item.max)) push(maxConstraint(type, k, v, requests, limits));
  for (const [k, v] of sortedEntries(item.maxLimitRequestRatio)) push(ratioConstraint(type, k, v, requests, limits));
}

/** `podRequests`/`podLimits` of the plugin: containers summed, each init container's needs at their peak. */
function podTotals(spec: Obj, field: "requests" | "limits"): ResourceList {
  const sum: ResourceList = new Map();
  for (const c of recs(spec.containers)) {
    for (const [k, q] of resourceList(rec(c.resources)?.[field])) sum.set(k, sum.has(k) ? sum.get(k)!.add(q) : q);
  }
  for (const c of recs(spec.initContainers)) {
    for (const [k, q] of resourceList(rec(c.resources)?.[field])) if (!sum.has(k) || q.cmp(sum.get(k)!) > 0) sum.set(k, q);
  }
  return sum;
}

/** `Validate`: each LimitRange's constraints; the first that fails refuses the write with all its findings. */
export function validateLimitRanger(req: PluginRequest, cluster: PluginCluster): void {
  if (supports(req)) validateWith(req, cluster.limitRanges(req.namespace));
}

function validateWith(req: PluginRequest, limitRanges: readonly Obj[]): void {
  for (const lr of limitRanges) {
    const errs: string[] = [];
    const spec = rec(req.object.spec) ?? {};
    for (const item of limitsOf(lr)) {
      const type = str(item.type);
      if (req.resource === "pods" && type === "Container") {
        for (const c of [...recs(spec.containers), ...recs(spec.initContainers)]) {
          checkItem(item, type, resourceList(rec(c.resources)?.requests), resourceList(rec(c.resources)?.limits), errs);
        }
      } else if (req.resource === "pods" && type === "Pod") {
        checkItem(item, type, podTotals(spec, "requests"), podTotals(spec, "limits"), errs);
      } else if (req.resource === "persistentvolumeclaims" && type === "PersistentVolumeClaim") {
        const requests = resourceList(rec(spec.resources)?.requests);
        for (const [k, v] of sortedEntries(item.min)) {
          const e = minConstraint(type, k, v, requests, new Map());
          if (e) errs.push(e);
        }
        for (const [k, v] of sortedEntries(item.max)) {
          const e = maxRequestConstraint(type, k, v, requests);
          if (e) errs.push(e);
        }
      }
    }
    // utilerrors.NewAggregate: one error as it is, several in brackets.
    if (errs.length) throw forbidden(req, errs.length === 1 ? errs[0]! : `[${errs.join(", ")}]`);
  }
}

/**
 * Whether an item refuses values whatever other LimitRanges default: only the values given are
 * read (defaults only fill absent ones), so an absent value never decides.
 */
function surelyRefusedBy(item: Obj, type: string, requests: ResourceList, limits: ResourceList): boolean {
  for (const [k, e] of resourceList(item.min)) {
    const [req, lim] = [requests.get(k), limits.get(k)];
    const [r, l, v] = enforcedValues(req, lim, e);
    if ((req && r < v) || (lim && l < v)) return true;
  }
  for (const [k, e] of resourceList(item.max)) {
    const [req, lim] = [requests.get(k), limits.get(k)];
    const [r, l, v] = enforcedValues(req, lim, e);
    if ((lim && l > v) || (req && r > v)) return true;
  }
  for (const [k, e] of resourceList(item.maxLimitRequestRatio)) {
    if (requests.has(k) && limits.has(k) && ratioConstraint(type, k, e, requests, limits)) return true;
  }
  return false;
}

/** Pod totals of the resources every container and init container names (others may still grow). */
function completeTotals(spec: Obj, field: "requests" | "limits"): ResourceList {
  const all = [...recs(spec.containers), ...recs(spec.initContainers)];
  const totals = podTotals(spec, field);
  for (const k of totals.keys()) if (!all.every((c) => resourceList(rec(c.resources)?.[field]).has(k))) totals.delete(k);
  return totals;
}

/** Whether the LimitRanges refuse the object as it is given, before any LimitRange's defaults. */
function surelyRefused(req: PluginRequest, limitRanges: readonly Obj[]): boolean {
  const spec = rec(req.object.spec) ?? {};
  return limitRanges.some((lr) =>
    limitsOf(lr).some((item) => {
      const type = str(item.type);
      if (req.resource === "pods" && type === "Container") {
        return [...recs(spec.containers), ...recs(spec.initContainers)].some((c) => surelyRefusedBy(item, type, resourceList(rec(c.resources)?.requests), resourceList(rec(c.resources)?.limits)));
      }
      if (req.resource === "pods" && type === "Pod") {
        const upper = { ...item, min: undefined, maxLimitRequestRatio: undefined };
        const lower = { ...item, max: undefined };
        return surelyRefusedBy(upper, type, podTotals(spec, "requests"), podTotals(spec, "limits")) || surelyRefusedBy(lower, type, completeTotals(spec, "requests"), completeTotals(spec, "limits"));
      }
      if (req.resource === "persistentvolumeclaims" && type === "PersistentVolumeClaim") {
        return surelyRefusedBy({ min: item.min, max: item.max }, type, resourceList(rec(spec.resources)?.requests), new Map());
      }
      return false;
    }),
  );
}

/** What the plugin answers to a request, given the namespace's LimitRanges. */
export interface LimitRangerOutcome {
  /** The refusal (`pods "web" is forbidden: …`). */
  message: string;
  /** Its reason alone. */
  reason: string;
  /**
   * Whether the values given refuse it whatever other LimitRanges of the namespace default; when
   * false, it rests on values the given LimitRanges default or leave out.
   */
  sure: boolean;
}

/** Defaults, then validation: the refusal, if any. */
function refusalOf(req: PluginRequest, limitRanges: readonly Obj[]): LimitRangerOutcome | undefined {
  const given = structuredClone(req.object);
  admitWith(req, limitRanges);
  try {
    validateWith(req, limitRanges);
    return undefined;
  } catch (err) {
    if (!(err instanceof AdmissionForbidden)) throw err;
    return { message: err.message, reason: err.reason, sure: surelyRefused({ ...req, object: given }, limitRanges) };
  }
}

/**
 * The plugin on one request with the namespace's LimitRanges given: defaults filled in (in place),
 * then the refusal kube-apiserver answers with, or undefined when the write is admitted.
 *
 * @example
 * limitRangerRefusal({ operation: "CREATE", group: "", resource: "pods", kind: "Pod", subresource: "", namespace: "a", object: pod }, [limitRange])?.message;
 * // 'pods "web" is forbidden: minimum cpu usage per Container is 100m, but request is 50m'
 */
export function limitRangerRefusal(req: PluginRequest, limitRanges: readonly Obj[]): LimitRangerOutcome | undefined {
  return supports(req) && limitRanges.length ? refusalOf(req, limitRanges) : undefined;
}

/**
 * Whether the plugin would refuse the pods a controller creates from a pod template (their requests
 * filled from their limits, as a Pod is defaulted), and why; undefined when it would admit them.
 *
 * @example
 * templatePodRefusal(deployment.spec.template, "a", [limitRange])?.reason; // "maximum memory usage per Container is 1Gi, but limit is 2Gi"
 */
export function templatePodRefusal(template: Obj, namespace: string, limitRanges: readonly Obj[]): LimitRangerOutcome | undefined {
  if (!limitRanges.length) return undefined;
  const spec = structuredClone(rec(template.spec) ?? {});
  for (const c of [...recs(spec.containers), ...recs(spec.initContainers)]) requestsFromLimits(c);
  const object: Obj = { metadata: structuredClone(rec(template.metadata) ?? {}), spec };
  return refusalOf({ operation: "CREATE", group: "", resource: "pods", kind: "Pod", subresource: "", namespace, object }, limitRanges);
}
