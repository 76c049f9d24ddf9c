/**
 * The ReplicaSet controller (pkg/controller/replicaset): keeps as many active pods as the spec
 * asks for — creating them from the template with a controller reference, deleting the least
 * valuable first (unscheduled, pending, not ready, newest) — and reports replicas,
 * fullyLabeledReplicas, readyReplicas, availableReplicas (ready for minReadySeconds) and
 * observedGeneration. Orphaned pods the selector matches are adopted.
 */
import type { KubeObject } from "../store.js";
import { PODS, REPLICASETS, type ClusterApi } from "./api.js";
import { objectKeyOf, splitKey, type ControllerContext } from "./manager.js";
import { FAILED_CREATE_RETRY_MS, arr, controllerOf, controllerRef, controlledBy, labelsMatch, obj, omitZero, podActive, podAvailable, podReady, same, selectorMatches, slowStartBatch } from "./util.js";

/** Pods created or deleted per sync at most (`burstReplicas`). */
const BURST = 500;

/** A pod from a controller's template (`controller.GetPodFromTemplate`). */
export function podFromTemplate(template: Record<string, unknown>, owner: KubeObject, apiVersion: string, kind: string, extra: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string>; spec?: Record<string, unknown> } = {}): Record<string, unknown> {
  const meta = obj(template.metadata);
  const labels = { ...obj(meta.labels), ...extra.labels };
  const annotations = { ...obj(meta.annotations), ...extra.annotations };
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      ...(extra.name ? { name: extra.name } : { generateName: `${String(owner.metadata.name)}-` }),
      namespace: owner.metadata.namespace,
      ...(Object.keys(labels).length ? { labels } : {}),
      ...(Object.keys(annotations).length ? { annotations } : {}),
      ...(Array.isArray(meta.finalizers) ? { finalizers: meta.finalizers } : {}),
      ownerReferences: [controllerRef(owner, apiVersion, kind)],
    },
    spec: { ...structuredClone(obj(template.spec)), ...extra.spec },
  };
}

/** `controller.ActivePodsWithRanks`: the order in which surplus pods are deleted. */
export function deletionOrder(pods: KubeObject[]): KubeObject[] {
  const phaseRank = (p: KubeObject) => ({ Pending: 0, Unknown: 1, Running: 2 })[String(obj(p.status).phase ?? "Pending")] ?? 0;
  return [...pods].sort((a, b) => {
    const assigned = Number(!!obj(a.spec).nodeName) - Number(!!obj(b.spec).nodeName);
    if (assigned) return assigned;
    const phase = phaseRank(a) - phaseRank(b);
    if (phase) return phase;
    const ready = Number(podReady(a)) - Number(podReady(b));
    if (ready) return ready;
    const restarts = (p: KubeObject) => arr(obj(p.status).containerStatuses).reduce((n, c) => n + Number(c.restartCount ?? 0), 0);
    const r = restarts(b) - restarts(a);
    if (r) return r;
    const created = String(b.metadata.creationTimestamp ?? "").localeCompare(String(a.metadata.creationTimestamp ?? ""));
    return created || String(b.metadata.name).localeCompare(String(a.metadata.name));
  });
}

/** Pods a controller owns, adopting orphans its selector matches (`ControllerRefManager.ClaimPods`). */
export function claimPods(api: ClusterApi, owner: KubeObject, apiVersion: string, kind: string, selector: unknown): KubeObject[] {
  const owned = api.owned(PODS, owner).filter((p) => controlledBy(p, owner));
  if (owner.metadata.deletionTimestamp) return owned;
  for (const pod of api.list(PODS, String(owner.metadata.namespace ?? ""))) {
    if (controllerOf(pod) || pod.metadata.deletionTimestamp || !podActive(pod) || !selectorMatches(selector, pod.metadata.labels)) continue;
    const adopted = api.update(PODS, { ...pod, metadata: { ...pod.metadata, ownerReferences: [...arr(pod.metadata.ownerReferences), controllerRef(owner, apiVersion, kind)] } });
    if (adopted) owned.push(adopted);
  }
  return owned;
}

/**
 * `calculateStatus`'s ReplicaFailure condition: set (reason FailedCreate, the refusal as message)
 * when a create failed and there is none, removed once the replicas are managed without error.
 */
function replicaFailure(conditions: unknown, failedCreate: string | undefined, now: number): { conditions?: unknown[] } {
  const list = Array.isArray(conditions) ? conditions.filter((c) => obj(c).type !== undefined) : [];
  const has = list.some((c) => obj(c).type === "ReplicaFailure");
  let next = list;
  if (failedCreate !== undefined && !has) {
    next = [...list, { type: "ReplicaFailure", status: "True", lastTransitionTime: new Date(now).toISOString().replace(/\.\d+Z$/, "Z"), reason: "FailedCreate", message: failedCreate }];
  } else if (failedCreate === undefined && has) next = list.filter((c) => obj(c).type !== "ReplicaFailure");
  return next.length ? { conditions: next } : {};
}

export function registerReplicaSets(ctx: ControllerContext): void {
  const api = ctx.api;
  ctx.watch("apps/replicasets", "replicaset", (e) => (e.type === "DELETED" ? undefined : objectKeyOf(e.object)));
  ctx.watch("/pods", "replicaset", (e) => {
    const ref = controllerOf(e.object) ?? (e.previous ? controllerOf(e.previous) : undefined);
    if (ref?.kind !== "ReplicaSet") return undefined;
    return `${String(e.object.metadata.namespace ?? "")}/${String(ref.name)}`;
  });
  ctx.reconciler("replicaset", (key) => {
    const { namespace, name } = splitKey(key);
    const rs = api.get(REPLICASETS, namespace, name);
    if (!rs) return;
    const spec = obj(rs.spec);
    const desired = Number(spec.replicas ?? 1);
    const minReadySeconds = Number(spec.minReadySeconds ?? 0);
    let pods = claimPods(api, rs, "apps/v1", "ReplicaSet", spec.selector).filter(podActive);
    // manageReplicas' error: a refused create is an event, the ReplicaFailure condition, and a retry.
    let failedCreate: string | undefined;
    if (!rs.metadata.deletionTimestamp) {
      const diff = pods.length - desired;
      if (diff < 0) {
        const failures = slowStartBatch(Math.min(-diff, BURST), () => {
          const pod = api.create(PODS, namespace, podFromTemplate(obj(spec.template), rs, "apps/v1", "ReplicaSet"));
          if (!pod) {
            failedCreate = api.lastFailure;
            ctx.events.record(rs, "Warning", "FailedCreate", `Error creating: ${failedCreate}`, "replicaset-controller");
            return false;
          }
          pods.push(pod);
          ctx.events.record(rs, "Normal", "SuccessfulCreate", `Created pod: ${String(pod.metadata.name)}`, "replicaset-controller");
          return true;
        });
        if (failures) ctx.after(FAILED_CREATE_RETRY_MS, "replicaset", key);
      } else if (diff > 0) {
        const doomed = deletionOrder(pods).slice(0, Math.min(diff, BURST));
        for (const pod of doomed) {
          if (api.delete(PODS, pod)) ctx.events.record(rs, "Normal", "SuccessfulDelete", `Deleted pod: ${String(pod.metadata.name)}`, "replicaset-controller");
        }
        const gone = new Set(doomed.map((p) => p.metadata.uid));
        pods = pods.filter((p) => !gone.has(p.metadata.uid));
      }
    }
    const now = ctx.now();
    const templateLabels = obj(obj(obj(spec.template).metadata).labels);
    const ready = pods.filter(podReady);
    const available = ready.filter((p) => podAvailable(p, minReadySeconds, now));
    if (available.length < ready.length) {
      // Check again when the next pod has been ready long enough.
      ctx.after(minReadySeconds * 1000, "replicaset", key);
    }
    const current = api.get(REPLICASETS, namespace, name) ?? rs;
    const previous = obj(current.status);
    const status = omitZero({
      replicas: pods.length,
      fullyLabeledReplicas: pods.filter((p) => labelsMatch(templateLabels, p.metadata.labels)).length,
      readyReplicas: ready.length,
      availableReplicas: available.length,
      observedGeneration: Number(current.metadata.generation ?? 1),
      ...replicaFailure(previous.conditions, failedCreate, now),
    }, ["fullyLabeledReplicas", "readyReplicas", "availableReplicas", "observedGeneration"]);
    if (!same(previous, status)) api.updateStatus(REPLICASETS, { ...current, status });
  });
}
