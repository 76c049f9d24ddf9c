/**
 * In-place resize as the kubelet's allocation manager (pkg/kubelet/allocation) carries it out
 * from 1.33: a pod's containers are allocated what its spec asks for when it is admitted; a
 * later change of a container's resources is allocated if the node can hold it (else the pod gets
 * `PodResizePending`, reason Infeasible or Deferred, with the manager's message), then actuated on
 * the next sync, with `PodResizeInProgress` in between (restarting the containers whose resize
 * policy for a changed resource is RestartContainer). Container statuses report the actuated
 * resources.
 */
import { Quantity } from "../../apiserver/validation/quantity.js";
import { arr, obj, rfc3339, same, type Condition } from "./util.js";

type Obj = Record<string, unknown>;

/** What the kubelet remembers of one pod's resizes. */
export interface ResizeState {
  /** Resources allocated to each resizable container (regular and sidecar), by name. */
  allocated: Map<string, Obj>;
  /** Resources the runtime was last told to apply, by container name. */
  actuated: Map<string, Obj>;
  /** Restarts of containers whose resize policy asked for one, by container name. */
  restarts: Map<string, number>;
  pending?: Condition;
  inProgress?: Condition;
}

/** The containers whose resources the kubelet allocates: regular containers and sidecars (`allocationFromPod`). */
function resizable(spec: Obj): Obj[] {
  return [...arr(spec.containers), ...arr(spec.initContainers).filter((c) => c.restartPolicy === "Always")];
}

function resourcesOf(c: Obj): Obj {
  return structuredClone(obj(c.resources));
}

/** The state of a pod the kubelet admits: everything its spec asks for is allocated and actuated. */
export function admitted(spec: Obj): ResizeState {
  const allocated = new Map(resizable(spec).map((c) => [String(c.name), resourcesOf(c)]));
  return { allocated, actuated: new Map([...allocated].map(([k, v]) => [k, structuredClone(v)])), restarts: new Map() };
}

function amount(list: unknown, name: "cpu" | "memory"): bigint {
  const q = Quantity.from(obj(list)[name]);
  if (!q) return 0n;
  return name === "cpu" ? q.scaledValue(-3) : q.scaledValue(0);
}

/**
 * `resource.GetResourceRequest` for cpu (millicores) or memory (bytes): the containers and
 * sidecars together, or the largest init container with the sidecars started before it, whichever
 * is more; plus the pod overhead.
 */
export function podRequest(spec: Obj, name: "cpu" | "memory", allocated?: ReadonlyMap<string, Obj>): bigint {
  const requestOf = (c: Obj) => amount(obj(allocated?.get(String(c.name)) ?? c.resources).requests, name);
  let sum = 0n;
  for (const c of arr(spec.containers)) sum += requestOf(c);
  let sidecars = 0n;
  let inits = 0n;
  for (const c of arr(spec.initContainers)) {
    const r = requestOf(c);
    if (c.restartPolicy === "Always") {
      sum += r;
      sidecars += r;
    } else if (r + sidecars > inits) inits = r + sidecars;
  }
  return (sum > inits ? sum : inits) + amount(spec.overhead, name);
}

/** The node's allocatable cpu (millicores) and memory (bytes). */
function allocatableOf(node: Obj | undefined, name: "cpu" | "memory"): bigint {
  return amount(obj(obj(node?.status).allocatable), name);
}

/**
 * `canResizePod`: Infeasible when the pod alone asks for more than the node's allocatable,
 * Deferred when it does not fit beside the node's other pods (`others`: what they are allocated).
 */
export function resizeBlocked(spec: Obj, node: Obj | undefined, others: readonly bigint[][]): { reason: string; message: string } | undefined {
  const cpu = podRequest(spec, "cpu");
  const memory = podRequest(spec, "memory");
  const cpuCap = allocatableOf(node, "cpu");
  const memCap = allocatableOf(node, "memory");
  if (cpu > cpuCap || memory > memCap) {
    const detail = memory > memCap ? `memory, requested: ${memory}, capacity: ${memCap}` : `cpu, requested: ${cpu}, capacity: ${cpuCap}`;
    return { reason: "Infeasible", message: `Node didn't have enough capacity: ${detail}` };
  }
  const used = others.reduce(([c, m], [oc, om]) => [c! + oc!, m! + om!], [0n, 0n]);
  if (cpu + used[0]! > cpuCap) return { reason: "Deferred", message: `Node didn't have enough resource: cpu, requested: ${cpu}, used: ${used[0]}, capacity: ${cpuCap}` };
  if (memory + used[1]! > memCap) return { reason: "Deferred", message: `Node didn't have enough resource: memory, requested: ${memory}, used: ${used[1]}, capacity: ${memCap}` };
  return undefined;
}

/** A resize condition, keeping its times while its reason and message stay (`updatedPodResizeCondition`). */
function resizeCondition(type: string, before: Condition | undefined, now: number, reason?: string, message?: string): Condition {
  if (before && before.reason === reason && before.message === message) return before;
  const at = rfc3339(now);
  return { type, status: "True", ...(reason ? { reason } : {}), ...(message ? { message } : {}), lastProbeTime: at, lastTransitionTime: at };
}

/**
 * One sync of a pod's resize (`handlePodResourcesResize`): first actuate what was allocated on an
 * earlier sync, then allocate what the spec asks for now if the node can hold it (`others`: what
 * the node's other pods are allocated, asked only then). Returns whether another sync is due (an
 * allocation to actuate).
 */
export function syncResize(state: ResizeState, spec: Obj, node: Obj | undefined, others: () => readonly bigint[][], now: number): boolean {
  const containers = resizable(spec);
  for (const [name, resources] of state.allocated) {
    const before = state.actuated.get(name) ?? {};
    if (same(before, resources)) continue;
    if (restartsFor(containers.find((c) => c.name === name), before, resources)) state.restarts.set(name, (state.restarts.get(name) ?? 0) + 1);
    state.actuated.set(name, structuredClone(resources));
  }
  const desired = new Map(containers.map((c) => [String(c.name), resourcesOf(c)]));
  const changed = [...desired].some(([name, r]) => !same(r, state.allocated.get(name) ?? {}));
  if (!changed) {
    delete state.pending;
  } else {
    const blocked = resizeBlocked(spec, node, others());
    if (blocked) {
      state.pending = resizeCondition("PodResizePending", state.pending, now, blocked.reason, blocked.message);
    } else {
      delete state.pending;
      for (const [name, r] of desired) state.allocated.set(name, r);
    }
  }
  const inProgress = [...state.allocated].some(([name, r]) => !same(r, state.actuated.get(name) ?? {}));
  if (inProgress) state.inProgress = resizeCondition("PodResizeInProgress", state.inProgress, now);
  else delete state.inProgress;
  return inProgress;
}

/** Whether actuating a resize restarts the container: a changed resource whose resize policy is RestartContainer. */
function restartsFor(container: Obj | undefined, before: Obj, after: Obj): boolean {
  const policies = arr(container?.resizePolicy);
  return (["cpu", "memory"] as const).some((name) => {
    const changed = amount(before.requests, name) !== amount(after.requests, name) || amount(before.limits, name) !== amount(after.limits, name);
    return changed && policies.some((p) => p.resourceName === name && p.restartPolicy === "RestartContainer");
  });
}

/** The resize conditions the kubelet reports, pending first. */
export function resizeConditions(state: ResizeState): Condition[] {
  return [...(state.pending ? [state.pending] : []), ...(state.inProgress ? [state.inProgress] : [])];
}

const canonical = (v: unknown): unknown => Quantity.from(v)?.toString() ?? v;

/**
 * A running container's `resources` in its status (`convertContainerStatusResources`): cpu and
 * the memory limit as actuated, the memory request and storage as allocated.
 */
export function statusResources(state: ResizeState, container: string): Obj | undefined {
  const allocated = state.allocated.get(container);
  if (!allocated) return undefined;
  const actuated = state.actuated.get(container) ?? allocated;
  const pick = (sources: Record<string, unknown>): Obj => {
    const out: Obj = {};
    for (const [name, from] of Object.entries(sources)) {
      const v = obj(from)[name];
      if (v !== undefined && v !== null) out[name] = canonical(v);
    }
    return out;
  };
  const out: Obj = {};
  if (allocated.limits) out.limits = pick({ cpu: actuated.limits, memory: actuated.limits, "ephemeral-storage": allocated.limits, storage: allocated.limits });
  if (allocated.requests) out.requests = pick({ cpu: actuated.requests, memory: allocated.requests, "ephemeral-storage": allocated.requests, storage: allocated.requests });
  return out;
}

/** What a pod the kubelet runs is allocated, for the room left beside it: [cpu millicores, memory bytes]. */
export function allocatedRequests(spec: Obj, state: ResizeState | undefined): bigint[] {
  return [podRequest(spec, "cpu", state?.allocated), podRequest(spec, "memory", state?.allocated)];
}
