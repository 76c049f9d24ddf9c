/**
 * The default scheduler's part: every pod without a node and asking for `default-scheduler` is
 * bound (through the `binding` subresource) to the first Ready, schedulable node whose labels
 * match its nodeSelector and required node affinity and whose NoSchedule/NoExecute taints it
 * tolerates; otherwise it is marked Unschedulable with the scheduler's message.
 */
import type { WebhookState } from "../webhooks.js";
import { NODES, PODS } from "./api.js";
import { objectKeyOf, splitKey, type ControllerContext } from "./manager.js";
import { arr, conditionOf, labelsMatch, obj, podActive, rfc3339 } from "./util.js";
import type { KubeObject } from "../store.js";

/** Whether a node term of required node affinity matches a node. */
function termMatches(term: Record<string, unknown>, node: KubeObject): boolean {
  const labels = obj(node.metadata.labels);
  for (const e of arr(term.matchExpressions)) {
    const key = String(e.key);
    const values = arr<string>(e.values);
    const has = Object.hasOwn(labels, key);
    const v = String(labels[key] ?? "");
    switch (e.operator) {
      case "In":
        if (!has || !values.includes(v)) return false;
        break;
      case "NotIn":
        if (has && values.includes(v)) return false;
        break;
      case "Exists":
        if (!has) return false;
        break;
      case "DoesNotExist":
        if (has) return false;
        break;
      case "Gt":
      case "Lt": {
        const n = Number(v);
        const bound = Number(values[0]);
        if (!has || !Number.isFinite(n) || !(e.operator === "Gt" ? n > bound : n < bound)) return false;
        break;
      }
      default:
        return false;
    }
  }
  for (const f of arr(term.matchFields)) {
    if (f.key !== "metadata.name") return false;
    const values = arr<string>(f.values);
    const name = String(node.metadata.name);
    if (f.operator === "In" && !values.includes(name)) return false;
    if (f.operator === "NotIn" && values.includes(name)) return false;
  }
  return true;
}

/** Whether a pod may run on a node by selector and required affinity. */
export function nodeSelectorFits(pod: KubeObject, node: KubeObject): boolean {
  const spec = obj(pod.spec);
  if (!labelsMatch(spec.nodeSelector, node.metadata.labels)) return false;
  const required = obj(obj(obj(spec.affinity).nodeAffinity).requiredDuringSchedulingIgnoredDuringExecution);
  const terms = arr(required.nodeSelectorTerms);
  return !terms.length || terms.some((t) => termMatches(t, node));
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
  ctx.reconciler("scheduler", (key) => {
    const { namespace, name } = splitKey(key);
    const pod = api.get(PODS, namespace, name);
    if (!pod || obj(pod.spec).nodeName || !podActive(pod)) return;
    const schedulerName = String(obj(pod.spec).schedulerName ?? "default-scheduler");
    if (schedulerName !== "default-scheduler") return;
    const nodes = api.list(NODES);
    const node = nodes.find((n) => schedulable(pod, n));
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
              : "node(s) had untolerated taint(s)";
      reasons.set(why, (reasons.get(why) ?? 0) + 1);
    }
    const detail = [...reasons].map(([why, count]) => `${count} ${why}`).sort().join(", ");
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
