/**
 * The default scheduler's part: every pod without a node and asking for `default-scheduler` is
 * bound (through the `binding` subresource) to the first Ready, schedulable node whose labels
 * match its nodeSelector and required node affinity and whose NoSchedule/NoExecute taints it
 * tolerates; otherwise it is marked Unschedulable with the scheduler's message.
 */
import type { WebhookState } from "../webhooks.js";
import { NODES, PODS } from "./api.js";
import { objectKeyOf, splitKey, type ControllerContext } from "./manager.js";
import { arr, conditionOf, labelsMatch, nodeSelectorTermMatches, obj, podActive, rfc3339 } from "./util.js";
import type { KubeObject } from "../store.js";
import { bindPodVolumes, podClaims, volumesUnfit } from "./volume-binding.js";
import { podClaimNames } from "./volume-matching.js";

/** Whether a pod may run on a node by selector and required affinity. */
export function nodeSelectorFits(pod: KubeObject, node: KubeObject): boolean {
  const spec = obj(pod.spec);
  if (!labelsMatch(spec.nodeSelector, node.metadata.labels)) return false;
  const required = obj(obj(obj(spec.affinity).nodeAffinity).requiredDuringSchedulingIgnoredDuringExecution);
  const terms = arr(required.nodeSelectorTerms);
  return !terms.length || terms.some((t) => nodeSelectorTermMatches(t, node));
}

/** Whether a pod tolerates a taint. */
export function tolerates(pod: KubeObject, taint: Record<string, unknown>): boolean {
  return arr(obj(pod.spec).tolerations).some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.operator === "Exists") return !t.key || t.key === taint.key;
    return t.key === taint.key && (t.value ?? "") === (taint.value ?? "");
  });
}

/** Whether the scheduler would place the pod on the node (taints and readiness included). */
export function schedulable(pod: KubeObject, node: KubeObject): boolean {
  if (obj(node.spec).unschedulable === true) return false;
  if (conditionOf(node.status, "Ready")?.status !== "True") return false;
  for (const taint of arr(obj(node.spec).taints)) {
    if ((taint.effect === "NoSchedule" || taint.effect === "NoExecute") && !tolerates(pod, taint)) return false;
  }
  return nodeSelectorFits(pod, node);
}

export function registerScheduler(ctx: ControllerContext, bind: (pod: KubeObject, node: string, webhooks?: WebhookState) => boolean): void {
  const api = ctx.as({ manager: "kube-scheduler", user: "system:kube-scheduler" });
  ctx.watch("/pods", "scheduler", (e) => (e.type !== "DELETED" && !obj(e.object.spec).nodeName ? objectKeyOf(e.object) : undefined));
  // A node that appears or changes may fit pods that waited.
  ctx.watch("/nodes", "scheduler", () => {
    const keys: string[] = [];
    for (const p of api.list(PODS)) if (!obj(p.spec).nodeName && podActive(p)) keys.push(objectKeyOf(p));
    return keys;
  });
  // Claims and volumes that change may let pods that wait for them through.
  const waitingFor = (namespace: string | undefined, claim?: string) => {
    const keys: string[] = [];
    for (const p of api.list(PODS, namespace)) {
      if (obj(p.spec).nodeName || !podActive(p)) continue;
      const names = podClaimNames(p);
      if (claim === undefined ? names.length : names.includes(claim)) keys.push(objectKeyOf(p));
    }
    return keys;
  };
  ctx.watch("/persistentvolumeclaims", "scheduler", (e) => waitingFor(String(e.object.metadata.namespace), String(e.object.metadata.name)));
  ctx.watch("/persistentvolumes", "scheduler", () => waitingFor(undefined));
  ctx.watch("storage.k8s.io/storageclasses", "scheduler", () => waitingFor(undefined));
  ctx.reconciler("scheduler", (key) => {
    const { namespace, name } = splitKey(key);
    const pod = api.get(PODS, namespace, name);
    if (!pod || obj(pod.spec).nodeName || !podActive(pod)) return;
    const schedulerName = String(obj(pod.spec).schedulerName ?? "default-scheduler");
    if (schedulerName !== "default-scheduler") return;
    const nodes = api.list(NODES);
    const claims = podClaims(api, pod);
    const fits = (n: KubeObject) => schedulable(pod, n) && (claims.unschedulable !== undefined || !volumesUnfit(api, claims, n));
    const node = claims.unschedulable === undefined ? nodes.find(fits) : undefined;
    if (node && claims.unschedulable === undefined && claims.delayed.length) {
      // PreBind waits until the claims are bound (the scheduler is queued again when they change).
      bindPodVolumes(api, claims, node);
      return;
    }
    if (node) {
      // The binding goes through admission as the scheduler (a binding waiting for webhooks pauses the reconcile).
      if (bind(pod, String(node.metadata.name), api.webhookState())) {
        ctx.events.record(pod, "Normal", "Scheduled", `Successfully assigned ${namespace}/${name} to ${String(node.metadata.name)}`, "default-scheduler");
      }
      return;
    }
    const reasons = new Map<string, number>();
    for (const n of nodes) {
      const why =
        obj(n.spec).unschedulable === true
          ? "node(s) were unschedulable"
          : conditionOf(n.status, "Ready")?.status !== "True"
            ? "node(s) had untolerated taint {node.kubernetes.io/not-ready: }"
            : !nodeSelectorFits(pod, n)
              ? "node(s) didn't match Pod's node affinity/selector"
              : schedulable(pod, n) && claims.unschedulable === undefined
                ? (volumesUnfit(api, claims, n) ?? "")
                : "node(s) had untolerated taint(s)";
      reasons.set(why, (reasons.get(why) ?? 0) + 1);
    }
    // A PreFilter refusal names no node.
    const detail = claims.unschedulable ?? [...reasons].map(([why, count]) => `${count} ${why}`).sort().join(", ");
    const message = `0/${nodes.length} nodes are available: ${detail ? `${detail}. ` : ""}preemption: 0/${nodes.length} nodes are available: ${nodes.length} Preemption is not helpful for scheduling.`;
    const status = obj(pod.status);
    const current = conditionOf(status, "PodScheduled");
    if (current?.status === "False" && current.message === message) return;
    const conditions = arr(status.conditions).filter((c) => c.type !== "PodScheduled");
    const updated = api.updateStatus(PODS, {
      ...pod,
      status: { ...status, phase: "Pending", conditions: [...conditions, { type: "PodScheduled", status: "False", reason: "Unschedulable", message, lastTransitionTime: rfc3339(ctx.now()) }] },
    });
    if (updated) ctx.events.record(pod, "Warning", "FailedScheduling", message, "default-scheduler");
  });
}
