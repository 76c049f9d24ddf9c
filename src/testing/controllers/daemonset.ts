/**
 * The DaemonSet controller (pkg/controller/daemon): one pod per node the pod may run on (node
 * selector, node affinity, taints against the daemon's tolerations), pinned to its node by node
 * affinity on `metadata.name`, with the tolerations DaemonSet pods get, the
 * `controller-revision-hash` and `pod-template-generation` labels; RollingUpdate replaces old pods
 * within maxUnavailable (OnDelete waits); ControllerRevisions record the history; status with
 * desired/current/ready/updated/available/unavailable/misscheduled counts.
 */
import type { KubeObject } from "../store.js";
import { DAEMONSETS, NODES, PODS } from "./api.js";
import { objectKeyOf, splitKey, type ControllerContext } from "./manager.js";
import { podFromTemplate } from "./replicaset.js";
import { currentRevision, truncateHistory } from "./revisions.js";
import { nodeSelectorFits, tolerates } from "./scheduler.js";
import { FAILED_CREATE_RETRY_MS, arr, controllerOf, controlledBy, obj, podActive, podAvailable, podReady, same, scaledValue, slowStartBatch } from "./util.js";

type Obj = Record<string, unknown>;

const HASH_LABEL = "controller-revision-hash";

/** The tolerations the DaemonSet controller adds to its pods. */
function daemonTolerations(template: Obj): Obj[] {
  const tolerations = [...arr(obj(template.spec).tolerations)];
  const add = (key: string, effect: string) => {
    if (!tolerations.some((t) => t.key === key && t.effect === effect)) tolerations.push({ key, operator: "Exists", effect });
  };
  add("node.kubernetes.io/not-ready", "NoExecute");
  add("node.kubernetes.io/unreachable", "NoExecute");
  add("node.kubernetes.io/disk-pressure", "NoSchedule");
  add("node.kubernetes.io/memory-pressure", "NoSchedule");
  add("node.kubernetes.io/pid-pressure", "NoSchedule");
  add("node.kubernetes.io/unschedulable", "NoSchedule");
  if (obj(template.spec).hostNetwork === true) add("node.kubernetes.io/network-unavailable", "NoSchedule");
  return tolerations;
}

export function registerDaemonSets(ctx: ControllerContext): void {
  const api = ctx.api;
  ctx.watch("apps/daemonsets", "daemonset", (e) => (e.type === "DELETED" ? undefined : objectKeyOf(e.object)));
  ctx.watch("/pods", "daemonset", (e) => {
    const ref = controllerOf(e.object) ?? (e.previous ? controllerOf(e.previous) : undefined);
    return ref?.kind === "DaemonSet" ? `${String(e.object.metadata.namespace ?? "")}/${String(ref.name)}` : undefined;
  });
  ctx.watch("/nodes", "daemonset", () => api.list(DAEMONSETS).map(objectKeyOf));
  const record = (ds: KubeObject, type: "Normal" | "Warning", reason: string, message: string) => ctx.events.record(ds, type, reason, message, "daemonset-controller");

  ctx.reconciler("daemonset", (key) => {
    const { namespace, name } = splitKey(key);
    const ds = api.get(DAEMONSETS, namespace, name);
    if (!ds || ds.metadata.deletionTimestamp) return;
    const spec = obj(ds.spec);
    const template = obj(spec.template);
    const revision = currentRevision(api, ds, "apps/v1", "DaemonSet");
    if (!revision) return;
    const hash = String(obj(revision.metadata.labels)["controller.kubernetes.io/hash"] ?? "");
    const tolerations = daemonTolerations(template);
    const probe = (node: KubeObject): boolean => {
      const pod = { metadata: {}, spec: { ...obj(template.spec), tolerations } } as KubeObject;
      if (!nodeSelectorFits(pod, node)) return false;
      return arr(obj(node.spec).taints).every((t) => (t.effect !== "NoSchedule" && t.effect !== "NoExecute") || tolerates(pod, t));
    };
    const nodes = api.list(NODES);
    const eligible = new Set(nodes.filter(probe).map((n) => String(n.metadata.name)));
    const nodeOf = (p: KubeObject): string => {
      const terms = arr(obj(obj(obj(obj(p.spec).affinity).nodeAffinity).requiredDuringSchedulingIgnoredDuringExecution).nodeSelectorTerms);
      for (const t of terms) for (const f of arr(t.matchFields)) if (f.key === "metadata.name") return String(arr<string>(f.values)[0] ?? "");
      return String(obj(p.spec).nodeName ?? "");
    };
    const pods = api.owned(PODS, ds).filter((p) => controlledBy(p, ds) && podActive(p));
    const byNode = new Map<string, KubeObject[]>();
    for (const p of pods) byNode.set(nodeOf(p), [...(byNode.get(nodeOf(p)) ?? []), p]);
    // A refused create is RealPodControl's event, and the sync's error requeues the DaemonSet.
    let createFailed = false;
    const createFor = (node: string): boolean => {
      if (createFailed) return false;
      const affinity = obj(obj(template.spec).affinity);
      const pod = api.create(
        PODS,
        namespace,
        podFromTemplate(template, ds, "apps/v1", "DaemonSet", {
          labels: { [HASH_LABEL]: hash, "pod-template-generation": String(ds.metadata.generation ?? 1) },
          spec: {
            tolerations,
            affinity: { ...affinity, nodeAffinity: { ...obj(affinity.nodeAffinity), requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: [node] }] }] } } },
          },
        }),
      );
      if (pod) {
        record(ds, "Normal", "SuccessfulCreate", `Created pod: ${String(pod.metadata.name)}`);
        return true;
      }
      record(ds, "Warning", "FailedCreate", `Error creating: ${api.lastFailure}`);
      ctx.after(FAILED_CREATE_RETRY_MS, "daemonset", key);
      return false;
    };
    const needing = [...eligible].filter((node) => !byNode.get(node)?.length);
    createFailed = slowStartBatch(needing.length, (i) => createFor(needing[i]!)) > 0;
    for (const node of eligible) {
      for (const extra of (byNode.get(node) ?? []).slice(1)) if (api.delete(PODS, extra)) record(ds, "Normal", "SuccessfulDelete", `Deleted pod: ${String(extra.metadata.name)}`);
    }
    for (const [node, onNode] of byNode) {
      if (eligible.has(node)) continue;
      for (const p of onNode) if (api.delete(PODS, p)) record(ds, "Normal", "SuccessfulDelete", `Deleted pod: ${String(p.metadata.name)}`);
    }
    // Rolling update within maxUnavailable.
    const strategy = obj(spec.updateStrategy);
    if (strategy.type !== "OnDelete") {
      const maxUnavailable = Math.max(1, scaledValue(obj(strategy.rollingUpdate).maxUnavailable ?? 1, eligible.size, true));
      const current = api.owned(PODS, ds).filter((p) => controlledBy(p, ds) && podActive(p) && eligible.has(nodeOf(p)));
      const unavailable = eligible.size - current.filter((p) => podReady(p)).length;
      const old = current.filter((p) => obj(p.metadata.labels)[HASH_LABEL] !== hash).sort((a, b) => Number(podReady(a)) - Number(podReady(b)));
      let budget = maxUnavailable - unavailable;
      for (const p of old) {
        if (budget <= 0 && podReady(p)) break;
        if (api.delete(PODS, p)) {
          record(ds, "Normal", "SuccessfulDelete", `Deleted pod: ${String(p.metadata.name)}`);
          if (podReady(p)) budget--;
          createFor(nodeOf(p));
        }
      }
    }
    const now = ctx.now();
    const minReady = Number(spec.minReadySeconds ?? 0);
    const live = api.owned(PODS, ds).filter((p) => controlledBy(p, ds) && podActive(p));
    const scheduled = live.filter((p) => eligible.has(nodeOf(p)));
    const ready = scheduled.filter(podReady);
    const available = ready.filter((p) => podAvailable(p, minReady, now));
    if (available.length < ready.length) ctx.after(minReady * 1000, "daemonset", key);
    const status: Obj = {
      currentNumberScheduled: new Set(scheduled.map(nodeOf)).size,
      numberMisscheduled: live.filter((p) => !eligible.has(nodeOf(p))).length,
      desiredNumberScheduled: eligible.size,
      numberReady: ready.length,
      observedGeneration: Number(ds.metadata.generation ?? 1),
      updatedNumberScheduled: scheduled.filter((p) => obj(p.metadata.labels)[HASH_LABEL] === hash).length,
      ...(available.length ? { numberAvailable: available.length } : {}),
      ...(eligible.size - available.length > 0 ? { numberUnavailable: eligible.size - available.length } : {}),
    };
    if (!status.updatedNumberScheduled) delete status.updatedNumberScheduled;
    const latest = api.get(DAEMONSETS, namespace, name) ?? ds;
    if (!same(obj(latest.status), status)) api.updateStatus(DAEMONSETS, { ...latest, status });
    truncateHistory(api, ds, new Set(live.map((p) => `${name}-${String(obj(p.metadata.labels)[HASH_LABEL])}`)), String(revision.metadata.name));
  });
}
