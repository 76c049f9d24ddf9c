/**
 * A pod's QoS class as pkg/apis/core/helper/qos computes it: `ComputePodQOS` from the cpu and
 * memory of its containers, and `GetPodQOS`, which prefers the class the status already records.
 */
import { Quantity } from "../validation/quantity.js";
import { obj, objects, str, type Obj } from "./json.js";

/** The QoS class of a pod. */
export type PodQOSClass = "Guaranteed" | "Burstable" | "BestEffort";

const QOS_RESOURCES = ["cpu", "memory"];

/** Sum the positive cpu and memory quantities of a resource list into `into`; the names found. */
function addPositive(list: unknown, into: Map<string, Quantity>): Set<string> {
  const found = new Set<string>();
  const entries = obj(list) ?? {};
  for (const name of QOS_RESOURCES) {
    const q = Quantity.from(entries[name]);
    if (!q || q.sign() <= 0) continue;
    found.add(name);
    const before = into.get(name);
    into.set(name, before ? sum(before, q) : q);
  }
  return found;
}

function sum(a: Quantity, b: Quantity): Quantity {
  // Nano-units hold any sum of two quantities exactly.
  return Quantity.parse(`${a.scaledValue(-9) + b.scaledValue(-9)}n`)!;
}

/** Whether the pod sets pod-level requests or limits (`spec.resources`). */
export function hasPodLevelResources(spec: Obj): boolean {
  const r = obj(spec.resources);
  return !!r && Object.keys(obj(r.requests) ?? {}).length + Object.keys(obj(r.limits) ?? {}).length > 0;
}

/**
 * `ComputePodQOS`: BestEffort without cpu or memory anywhere; Guaranteed when every container
 * limits both and the summed requests equal the summed limits; Burstable otherwise. With
 * `podLevelResources` (the PodLevelResources gate) a pod's own `spec.resources` decide when set.
 *
 * @example
 * computePodQOS({ containers: [{ resources: { limits: { cpu: "1", memory: "1Gi" } } }] }); // "Guaranteed" (requests defaulted from limits)
 */
export function computePodQOS(spec: Obj, podLevelResources = false): PodQOSClass {
  const requests = new Map<string, Quantity>();
  const limits = new Map<string, Quantity>();
  let guaranteed = true;
  const add = (resources: Obj | undefined) => {
    // Defaulting copies a limit to a missing request: read the request as that.
    const limitList = obj(resources?.limits) ?? {};
    addPositive({ ...limitList, ...(obj(resources?.requests) ?? {}) }, requests);
    const limited = addPositive(limitList, limits);
    if (!QOS_RESOURCES.every((r) => limited.has(r))) guaranteed = false;
  };
  if (podLevelResources && hasPodLevelResources(spec)) add(obj(spec.resources));
  else for (const key of ["containers", "initContainers"]) for (const [c] of objects(spec[key])) add(obj(c.resources));
  if (requests.size === 0 && limits.size === 0) return "BestEffort";
  if (guaranteed) {
    for (const [name, req] of requests) {
      const lim = limits.get(name);
      if (!lim || lim.cmp(req) !== 0) {
        guaranteed = false;
        break;
      }
    }
  }
  return guaranteed && requests.size === limits.size ? "Guaranteed" : "Burstable";
}

/**
 * `GetPodQOS`: the class the pod's status records, else the computed one.
 *
 * @example
 * podQOSOf({ spec: {}, status: { qosClass: "Burstable" } }); // "Burstable"
 */
export function podQOSOf(pod: Obj, podLevelResources = false): string {
  return str(obj(pod.status)?.qosClass) || computePodQOS(obj(pod.spec) ?? {}, podLevelResources);
}
