/**
 * The kubelet of each node: it runs the pods bound to its node as their behaviour says (see
 * `PodBehavior`) and reports what a kubelet reports — phase, the pod conditions
 * (PodReadyToStartContainers from 1.29, Initialized, Ready, ContainersReady, PodScheduled), host
 * and pod IPs, start time, and a status per init, regular and ephemeral container (state, ready,
 * started, restart count, image, image ID, container ID, and from 1.33 the resources it runs
 * them with) — plus the Pulled/Created/Started events. From 1.33 it carries out in-place resizes
 * (see `syncResize`). Containers that exit end their log followers.
 */
import type { PodBehavior, PodRuntime } from "../pod-runtime.js";
import type { KubeObject } from "../store.js";
import { isFeatureEnabled } from "../../apiserver/features.js";
import { NODES, PODS } from "./api.js";
import { objectKeyOf, splitKey, type ControllerContext } from "./manager.js";
import { nodeAddress, type NodeSpec } from "./nodes.js";
import { admitted, allocatedRequests, resizeConditions, statusResources, syncResize, type ResizeState } from "./resize.js";
import { arr, conditionOf, controllerOf, hexId, obj, rfc3339, same, type Condition } from "./util.js";

type Obj = Record<string, unknown>;

/** What the kubelet remembers of a pod it runs. */
interface PodState {
  uid: string;
  seenAt: number;
  ip: string;
  started: boolean;
  ended: boolean;
  startedEphemeral: Set<string>;
  /** Allocated and actuated container resources, when the minor resizes pods in place. */
  resize?: ResizeState;
}

/** A container image as the runtime reports it (`nginx` → `docker.io/library/nginx:latest`). */
export function fullImage(image: string): string {
  let name = image;
  if (!name.includes("@") && !/:[^/]+$/.test(name)) name = `${name}:latest`;
  const first = name.split("/")[0]!;
  if (!name.includes("/")) return `docker.io/library/${name}`;
  if (!first.includes(".") && !first.includes(":") && first !== "localhost") return `docker.io/${name}`;
  return name;
}

/** Image references the kubelet reports again on every status write, resolved once. */
const images = new Map<string, { image: string; imageID: string }>();

function imageOf(image: string): { image: string; imageID: string } {
  let known = images.get(image);
  if (!known) {
    known = { image: fullImage(image), imageID: imageId(image) };
    images.set(image, known);
    if (images.size > 1024) images.delete(images.keys().next().value!);
  }
  return known;
}

function imageId(image: string): string {
  const full = fullImage(image);
  const repo = full.includes("@") ? full.split("@")[0]! : full.replace(/:[^/:]+$/, "");
  return full.includes("@") ? full : `${repo}@sha256:${hexId(`image:${full}`)}`;
}

function textFor(value: string | Record<string, string> | undefined, container: string): string | undefined {
  if (value === undefined) return undefined;
  return typeof value === "string" ? value : value[container];
}

export function registerKubelet(ctx: ControllerContext, runtime: PodRuntime, nodes: readonly NodeSpec[]): void {
  const ours = new Map(nodes.map((n, i) => [n.name, i]));
  const api = ctx.as({ manager: "kubelet", user: "system:node" });
  const states = new Map<string, PodState>();
  const resizes = isFeatureEnabled("InPlacePodVerticalScaling", ctx.minor);
  const nextIp = new Map<number, number>();

  const allocateIp = (nodeIndex: number): string => {
    const n = (nextIp.get(nodeIndex) ?? 1) + 1;
    nextIp.set(nodeIndex, n);
    return `10.244.${nodeIndex * 4 + Math.floor(n / 250)}.${(n % 250) + 2}`;
  };

  runtime.onChange = (namespace, name) => ctx.enqueue("kubelet", `${namespace}/${name}`);
  ctx.watch("/pods", "kubelet", (e) => {
    if (e.type === "DELETED") {
      const st = states.get(objectKeyOf(e.object));
      if (st && st.uid === e.object.metadata.uid) {
        states.delete(objectKeyOf(e.object));
        // Room freed on the node: deferred resizes are tried again.
        for (const [key, other] of states) if (other.resize?.pending?.reason === "Deferred") ctx.enqueue("kubelet", key);
        for (const c of arr(obj(e.object.spec).containers)) runtime.logs.end(String(e.object.metadata.namespace), String(e.object.metadata.name), String(c.name));
        runtime.forget(String(e.object.metadata.namespace), String(e.object.metadata.name));
      }
      return undefined;
    }
    return ours.has(String(obj(e.object.spec).nodeName ?? "")) ? objectKeyOf(e.object) : undefined;
  });

  ctx.reconciler("kubelet", (key) => {
    const { namespace, name } = splitKey(key);
    const pod = api.get(PODS, namespace, name);
    if (!pod) return;
    const nodeName = String(obj(pod.spec).nodeName ?? "");
    const nodeIndex = ours.get(nodeName);
    if (nodeIndex === undefined) return;
    if (pod.metadata.deletionTimestamp) {
      // A pod in its grace period: its containers are stopped, then the kubelet deletes it with
      // period 0 (the status manager's final delete, with the pod's UID as precondition).
      if (!(Number(pod.metadata.deletionGracePeriodSeconds ?? 0) > 0)) return;
      const st = states.get(key);
      if (st && st.uid === pod.metadata.uid && st.started && !st.ended) {
        for (const c of arr(obj(pod.spec).containers)) {
          runtime.logs.end(namespace, name, String(c.name));
          ctx.events.record(pod, "Normal", "Killing", `Stopping container ${String(c.name)}`, "kubelet", { host: nodeName, fieldPath: `spec.containers{${String(c.name)}}` });
        }
      }
      api.delete(PODS, pod, { gracePeriodSeconds: 0, uid: true });
      return;
    }
    const now = ctx.now();
    let st = states.get(key);
    if (!st || st.uid !== pod.metadata.uid) {
      const hostNetwork = obj(pod.spec).hostNetwork === true;
      st = { uid: String(pod.metadata.uid), seenAt: now, ip: hostNetwork ? nodeAddress(nodeIndex) : allocateIp(nodeIndex), started: false, ended: false, startedEphemeral: new Set() };
      states.set(key, st);
    }
    const behavior = runtime.behaviorOf(pod);
    if (resizes && !terminal(pod)) {
      const spec = obj(pod.spec);
      st.resize ??= admitted(spec);
      const others = () =>
        api
          .list(PODS)
          .filter((p) => p.metadata.uid !== pod.metadata.uid && obj(p.spec).nodeName === nodeName && !terminal(p))
          .map((p) => allocatedRequests(obj(p.spec), states.get(objectKeyOf(p))?.resize));
      if (syncResize(st.resize, spec, api.get(NODES, "", nodeName) ?? undefined, others, now)) ctx.after(0, "kubelet", key);
    }
    const status = podStatus(pod, behavior, st, now, nodeAddress(nodeIndex), ctx.minor);
    if (status.wakeAt !== undefined) ctx.after(status.wakeAt - now, "kubelet", key);
    const current = obj(pod.status);
    const next = mergeTimes(current, status.status);
    if (!same(current, next)) api.updateStatus(PODS, { ...pod, status: next });
    // Logs and events for containers that started (once per pod instance).
    const containers = arr(obj(pod.spec).containers);
    if (status.running && !st.started) {
      st.started = true;
      for (const c of containers) {
        const cname = String(c.name);
        const text = textFor(behavior.logs, cname);
        if (text !== undefined && !runtime.logs.lines(namespace, name, cname)) runtime.logs.set(namespace, name, cname, text);
        const previous = textFor(behavior.previousLogs, cname);
        if (previous !== undefined) runtime.logs.setPrevious(namespace, name, cname, previous);
        const fieldPath = `spec.containers{${cname}}`;
        ctx.events.record(pod, "Normal", "Pulled", `Container image "${String(c.image)}" already present on machine`, "kubelet", { host: nodeName, fieldPath });
        ctx.events.record(pod, "Normal", "Created", ctx.minor >= 32 ? `Created container: ${cname}` : `Created container ${cname}`, "kubelet", { host: nodeName, fieldPath });
        ctx.events.record(pod, "Normal", "Started", ctx.minor >= 32 ? `Started container ${cname}` : `Started container ${cname}`, "kubelet", { host: nodeName, fieldPath });
      }
    }
    for (const c of arr(obj(pod.spec).ephemeralContainers)) {
      const cname = String(c.name);
      if (st.startedEphemeral.has(cname)) continue;
      st.startedEphemeral.add(cname);
      ctx.events.record(pod, "Normal", "Started", `Started container ${cname}`, "kubelet", { host: nodeName, fieldPath: `spec.ephemeralContainers{${cname}}` });
    }
    if (status.ended && !st.ended) {
      st.ended = true;
      for (const c of containers) runtime.logs.end(namespace, name, String(c.name));
    }
    if (behavior.waiting && !st.started) {
      ctx.events.record(pod, "Warning", "Failed", `Error: ${behavior.waiting.reason}`, "kubelet", { host: nodeName });
    }
  });
}

/** Whether a pod has finished (Succeeded or Failed): its containers are allocated nothing. */
function terminal(pod: KubeObject): boolean {
  const phase = obj(pod.status).phase;
  return phase === "Succeeded" || phase === "Failed";
}

/** Keep the transition times of conditions whose status did not change. */
function mergeTimes(current: Obj, next: Obj): Obj {
  const before = arr<Condition>(current.conditions);
  const conditions = arr<Condition>(next.conditions).map((c) => {
    const old = before.find((b) => b.type === c.type);
    return old && old.status === c.status && old.lastTransitionTime ? { ...c, lastTransitionTime: old.lastTransitionTime } : c;
  });
  const out: Obj = { ...current, ...next, conditions };
  return out;
}

interface ComputedStatus {
  status: Obj;
  running: boolean;
  ended: boolean;
  wakeAt?: number;
}

/** The status a kubelet reports for a pod at a moment, given how the pod behaves. */
function podStatus(pod: KubeObject, behavior: PodBehavior, st: PodState, now: number, hostIP: string, minor: number): ComputedStatus {
  const spec = obj(pod.spec);
  const restartPolicy = String(spec.restartPolicy ?? "Always");
  const containers = arr(spec.containers);
  const inits = arr(spec.initContainers);
  const startAt = st.seenAt + Math.max(0, behavior.startMs ?? 0);
  // Job pods run to completion by default; other pods run until told otherwise.
  const exitCode = behavior.exitCode ?? (restartPolicy !== "Always" && controllerOf(pod)?.kind === "Job" ? 0 : undefined);
  const endAt = startAt + Math.max(0, behavior.runMs ?? 0);
  const at = (ms: number) => rfc3339(ms);
  const cid = (name: string, instance = 0) => `containerd://${hexId(`${st.uid}/${name}/${instance}`)}`;
  const base = (c: Obj): Obj => {
    const known = imageOf(String(c.image ?? ""));
    return { name: c.name, image: known.image, imageID: known.imageID };
  };
  const restartCount = Math.max(0, behavior.restartCount ?? 0);
  const scheduled: Condition = { type: "PodScheduled", status: "True", lastTransitionTime: String(conditionOf(pod.status, "PodScheduled")?.lastTransitionTime ?? at(st.seenAt)) };
  const cond = (type: string, ok: boolean, reason?: string, message?: string): Condition => ({
    type,
    status: ok ? "True" : "False",
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
    lastTransitionTime: at(now),
  });
  const withSandbox = (ok: boolean, list: Condition[]): Condition[] => (minor >= 29 ? [cond("PodReadyToStartContainers", ok), ...list] : list);
  const common: Obj = {
    hostIP,
    ...(minor >= 29 ? { hostIPs: [{ ip: hostIP }] } : {}),
    startTime: at(st.seenAt),
  };
  const names = containers.map((c) => String(c.name));
  const notReadyMessage = `containers with unready status: [${names.join(" ")}]`;
  const ephemeralStatuses = arr(spec.ephemeralContainers).map((c) => ({ ...base(c), containerID: cid(String(c.name)), lastState: {}, ready: false, restartCount: 0, state: { running: { startedAt: at(now) } } }));
  const withEphemeral = (s: Obj): Obj => (ephemeralStatuses.length ? { ...s, ephemeralContainerStatuses: ephemeralStatuses } : s);

  // Containers that never start.
  if (behavior.waiting) {
    return {
      running: false,
      ended: false,
      status: withEphemeral({
        phase: "Pending",
        conditions: [...withSandbox(true, [cond("Initialized", true), cond("Ready", false, "ContainersNotReady", notReadyMessage), cond("ContainersReady", false, "ContainersNotReady", notReadyMessage)]), scheduled],
        ...common,
        podIP: st.ip,
        podIPs: [{ ip: st.ip }],
        containerStatuses: containers.map((c) => ({ ...base(c), imageID: "", lastState: {}, ready: false, restartCount, started: false, state: { waiting: { reason: behavior.waiting!.reason, ...(behavior.waiting!.message ? { message: behavior.waiting!.message } : {}) } } })),
      }),
    };
  }
  // The sandbox and containers are being created.
  if (now < startAt) {
    return {
      running: false,
      ended: false,
      wakeAt: startAt,
      status: {
        phase: "Pending",
        conditions: [...withSandbox(false, [cond("Initialized", !inits.length, inits.length ? "ContainersNotInitialized" : undefined, inits.length ? `containers with incomplete status: [${inits.map((c) => String(c.name)).join(" ")}]` : undefined), cond("Ready", false, "ContainersNotReady", notReadyMessage), cond("ContainersReady", false, "ContainersNotReady", notReadyMessage)]), scheduled],
        ...common,
        containerStatuses: containers.map((c) => ({ ...base(c), imageID: "", lastState: {}, ready: false, restartCount: 0, started: false, state: { waiting: { reason: "ContainerCreating" } } })),
        ...(inits.length ? { initContainerStatuses: inits.map((c) => ({ ...base(c), imageID: "", lastState: {}, ready: false, restartCount: 0, started: false, state: { waiting: { reason: "PodInitializing" } } })) } : {}),
      },
    };
  }
  const initStatuses = inits.map((c) => ({
    ...base(c),
    containerID: cid(String(c.name)),
    lastState: {},
    ready: true,
    restartCount: 0,
    started: false,
    state: { terminated: { containerID: cid(String(c.name)), exitCode: 0, finishedAt: at(startAt), reason: "Completed", startedAt: at(startAt) } },
  }));
  const ip = { podIP: st.ip, podIPs: [{ ip: st.ip }] };
  const ready = behavior.ready !== false;
  const running = (c: Obj): Obj => {
    const resources = st.resize && statusResources(st.resize, String(c.name));
    const restarts = restartCount + (st.resize?.restarts.get(String(c.name)) ?? 0);
    return { ...base(c), containerID: cid(String(c.name), restarts), lastState: restarts > 0 ? { terminated: { containerID: cid(String(c.name), restarts - 1), exitCode: 0, finishedAt: at(startAt), reason: "Completed", startedAt: at(st.seenAt) } } : {}, ready, restartCount: restarts, ...(resources ? { resources } : {}), started: true, state: { running: { startedAt: at(startAt) } } };
  };
  const resizing = st.resize ? resizeConditions(st.resize) : [];
  const runningStatus = (): ComputedStatus => ({
    running: true,
    ended: false,
    ...(exitCode !== undefined ? { wakeAt: endAt } : {}),
    status: withEphemeral({
      phase: "Running",
      conditions: [...resizing, ...withSandbox(true, [cond("Initialized", true), cond("Ready", ready, ready ? undefined : "ContainersNotReady", ready ? undefined : notReadyMessage), cond("ContainersReady", ready, ready ? undefined : "ContainersNotReady", ready ? undefined : notReadyMessage)]), scheduled],
      ...common,
      ...ip,
      containerStatuses: containers.map(running),
      ...(inits.length ? { initContainerStatuses: initStatuses } : {}),
    }),
  });
  if (exitCode === undefined || now < endAt) return runningStatus();
  const terminated = (c: Obj, instance: number) => ({
    containerID: cid(String(c.name), instance),
    exitCode,
    finishedAt: at(endAt),
    reason: exitCode === 0 ? "Completed" : "Error",
    startedAt: at(startAt),
  });
  const restarts = restartPolicy === "Always" || (restartPolicy === "OnFailure" && exitCode !== 0);
  if (restarts) {
    // The container exits and the kubelet backs off restarting it.
    const count = Math.max(1, restartCount);
    return {
      running: true,
      // The instance that ran has exited: its log is over.
      ended: true,
      status: withEphemeral({
        phase: "Running",
        conditions: [...withSandbox(true, [cond("Initialized", true), cond("Ready", false, "ContainersNotReady", notReadyMessage), cond("ContainersReady", false, "ContainersNotReady", notReadyMessage)]), scheduled],
        ...common,
        ...ip,
        containerStatuses: containers.map((c) => ({
          ...base(c),
          containerID: cid(String(c.name), count - 1),
          lastState: { terminated: terminated(c, count - 1) },
          ready: false,
          restartCount: count,
          started: false,
          state: { waiting: { reason: "CrashLoopBackOff", message: `back-off 10s restarting failed container=${String(c.name)} pod=${String(pod.metadata.name)}_${String(pod.metadata.namespace)}(${String(pod.metadata.uid)})` } },
        })),
        ...(inits.length ? { initContainerStatuses: initStatuses } : {}),
      }),
    };
  }
  const phase = exitCode === 0 ? "Succeeded" : "Failed";
  const reason = exitCode === 0 ? "PodCompleted" : "PodFailed";
  return {
    running: true,
    ended: true,
    status: withEphemeral({
      phase,
      conditions: [...withSandbox(false, [cond("Initialized", true, exitCode === 0 ? "PodCompleted" : undefined), cond("Ready", false, reason), cond("ContainersReady", false, reason)]), scheduled],
      ...common,
      ...ip,
      containerStatuses: containers.map((c) => ({ ...base(c), containerID: cid(String(c.name), restartCount), lastState: {}, ready: false, restartCount, started: false, state: { terminated: terminated(c, restartCount) } })),
      ...(inits.length ? { initContainerStatuses: initStatuses } : {}),
    }),
  };
}
