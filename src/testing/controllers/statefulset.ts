/**
 * The StatefulSet controller (pkg/controller/statefulset): pods `<set>-<ordinal>` (from
 * `spec.ordinals.start`) with stable hostname and subdomain, the `controller-revision-hash`,
 * `statefulset.kubernetes.io/pod-name` and (from 1.28) `apps.kubernetes.io/pod-index` labels, and
 * a PersistentVolumeClaim per volumeClaimTemplate; OrderedReady creates in order and waits for
 * each pod to be Running and Ready (Parallel does not); scale-down from the highest ordinal;
 * RollingUpdate (with partition) replaces pods from the highest ordinal one at a time, OnDelete
 * waits for the user; ControllerRevisions record the history; status with replicas, ready,
 * current, updated and available counts and current/update revisions.
 */
import type { KubeObject } from "../store.js";
import { PODS, PVCS, STATEFULSETS } from "./api.js";
import { objectKeyOf, splitKey, type ControllerContext } from "./manager.js";
import { podFromTemplate } from "./replicaset.js";
import { currentRevision, revisionsOf, truncateHistory } from "./revisions.js";
import { FAILED_CREATE_RETRY_MS, arr, controllerOf, controlledBy, obj, omitZero, podActive, podAvailable, podReady, same } from "./util.js";

type Obj = Record<string, unknown>;

const REVISION_LABEL = "controller-revision-hash";

function ordinalOf(set: KubeObject, pod: KubeObject): number | undefined {
  const m = new RegExp(`^${String(set.metadata.name).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-(\\d+)$`).exec(String(pod.metadata.name));
  return m ? Number(m[1]) : undefined;
}

export function registerStatefulSets(ctx: ControllerContext): void {
  const api = ctx.api;
  ctx.watch("apps/statefulsets", "statefulset", (e) => (e.type === "DELETED" ? undefined : objectKeyOf(e.object)));
  ctx.watch("/pods", "statefulset", (e) => {
    const ref = controllerOf(e.object) ?? (e.previous ? controllerOf(e.previous) : undefined);
    return ref?.kind === "StatefulSet" ? `${String(e.object.metadata.namespace ?? "")}/${String(ref.name)}` : undefined;
  });
  const record = (set: KubeObject, type: "Normal" | "Warning", reason: string, message: string) => ctx.events.record(set, type, reason, message, "statefulset-controller");

  ctx.reconciler("statefulset", (key) => {
    const { namespace, name } = splitKey(key);
    const set = api.get(STATEFULSETS, namespace, name);
    if (!set || set.metadata.deletionTimestamp) return;
    const spec = obj(set.spec);
    const replicas = typeof spec.replicas === "number" ? spec.replicas : 1;
    const start = Number(obj(spec.ordinals).start ?? 0);
    const parallel = spec.podManagementPolicy === "Parallel";
    const strategy = obj(spec.updateStrategy);
    const onDelete = strategy.type === "OnDelete";
    const partition = Number(obj(strategy.rollingUpdate).partition ?? 0);
    const update = currentRevision(api, set, "apps/v1", "StatefulSet");
    if (!update) return;
    const updateRevision = String(update.metadata.name);
    const status = obj(set.status);
    let currentRev = typeof status.currentRevision === "string" && status.currentRevision ? status.currentRevision : updateRevision;
    const pods = () => api.owned(PODS, set).filter((p) => controlledBy(p, set));
    const now = ctx.now();
    const runningReady = (p: KubeObject) => obj(p.status).phase === "Running" && podReady(p);
    const byOrdinal = new Map<number, KubeObject>();
    for (const p of pods()) {
      const o = ordinalOf(set, p);
      if (o !== undefined) byOrdinal.set(o, p);
    }
    const revisionTemplate = (revisionName: string): Obj => {
      if (revisionName === updateRevision) return obj(spec.template);
      const rev = revisionsOf(api, set).find((r) => r.metadata.name === revisionName);
      const template = obj(obj(obj(rev?.data).spec).template);
      const { $patch: _p, ...rest } = template;
      void _p;
      return Object.keys(rest).length ? rest : obj(spec.template);
    };
    const createPod = (ordinal: number, revisionName: string): KubeObject | undefined => {
      const podName = `${name}-${ordinal}`;
      const claims = arr(spec.volumeClaimTemplates);
      for (const claim of claims) {
        const claimName = `${String(obj(claim.metadata).name)}-${podName}`;
        if (api.get(PVCS, namespace, claimName)) continue;
        const retention = obj(spec.persistentVolumeClaimRetentionPolicy);
        const created = api.create(PVCS, namespace, {
          apiVersion: "v1",
          kind: "PersistentVolumeClaim",
          metadata: {
            name: claimName,
            namespace,
            labels: { ...obj(obj(claim.metadata).labels), ...obj(obj(spec.selector).matchLabels) },
            ...(retention.whenDeleted === "Delete" ? { ownerReferences: [{ apiVersion: "apps/v1", kind: "StatefulSet", name, uid: set.metadata.uid, controller: true, blockOwnerDeletion: true }] } : {}),
          },
          spec: structuredClone(obj(claim.spec)),
        });
        if (created) record(set, "Normal", "SuccessfulCreate", `create Claim ${claimName} Pod ${podName} in StatefulSet ${name} success`);
      }
      const template = revisionTemplate(revisionName);
      const volumes = arr(obj(template.spec).volumes).filter((v) => !claims.some((c) => obj(c.metadata).name === v.name));
      const labels: Record<string, string> = { [REVISION_LABEL]: revisionName, "statefulset.kubernetes.io/pod-name": podName };
      if (ctx.minor >= 28) labels["apps.kubernetes.io/pod-index"] = String(ordinal);
      const pod = api.create(
        PODS,
        namespace,
        podFromTemplate(template, set, "apps/v1", "StatefulSet", {
          name: podName,
          labels,
          spec: {
            hostname: podName,
            ...(spec.serviceName ? { subdomain: spec.serviceName } : {}),
            ...(claims.length || volumes.length ? { volumes: [...volumes, ...claims.map((c) => ({ name: obj(c.metadata).name, persistentVolumeClaim: { claimName: `${String(obj(c.metadata).name)}-${podName}` } }))] } : {}),
          },
        }),
      );
      if (pod) record(set, "Normal", "SuccessfulCreate", `create Pod ${podName} in StatefulSet ${name} successful`);
      else {
        // recordPodEvent's failure; the sync's error requeues the set.
        record(set, "Warning", "FailedCreate", `create Pod ${podName} in StatefulSet ${name} failed error: ${api.lastFailure}`);
        ctx.after(FAILED_CREATE_RETRY_MS, "statefulset", key);
      }
      return pod;
    };

    // Replace failed pods, create missing ones (in order unless Parallel), remove those beyond the count.
    for (let ordinal = start; ordinal < start + replicas; ordinal++) {
      const pod = byOrdinal.get(ordinal);
      if (pod && (obj(pod.status).phase === "Failed" || obj(pod.status).phase === "Succeeded") && !pod.metadata.deletionTimestamp) {
        api.delete(PODS, pod);
        byOrdinal.delete(ordinal);
      }
      if (!byOrdinal.has(ordinal)) {
        const revision = ordinal < start + partition || onDelete ? currentRev : updateRevision;
        const created = createPod(ordinal, currentRev === updateRevision ? updateRevision : revision);
        if (created) byOrdinal.set(ordinal, created);
        if (!parallel) break;
      } else if (!parallel && !runningReady(byOrdinal.get(ordinal)!)) break;
    }
    const condemned = [...byOrdinal.keys()].filter((o) => o < start || o >= start + replicas).sort((a, b) => b - a);
    for (const o of condemned) {
      if (!parallel && [...byOrdinal.values()].some((p) => p.metadata.deletionTimestamp || !runningReady(p))) break;
      const pod = byOrdinal.get(o)!;
      if (api.delete(PODS, pod)) record(set, "Normal", "SuccessfulDelete", `delete Pod ${String(pod.metadata.name)} in StatefulSet ${name} successful`);
      byOrdinal.delete(o);
      if (!parallel) break;
    }
    // Rolling update: the highest ordinal at the old revision goes first, once everything is ready.
    if (!onDelete) {
      const all = [...byOrdinal.entries()].filter(([o]) => o >= start && o < start + replicas);
      const allReady = all.length === replicas && all.every(([, p]) => runningReady(p) && !p.metadata.deletionTimestamp);
      if (allReady || parallel) {
        const stale = all.filter(([o, p]) => o >= start + partition && obj(p.metadata.labels)[REVISION_LABEL] !== updateRevision).sort(([a], [b]) => b - a);
        const victim = stale[0];
        if (victim && api.delete(PODS, victim[1])) {
          record(set, "Normal", "SuccessfulDelete", `delete Pod ${String(victim[1].metadata.name)} in StatefulSet ${name} successful`);
          byOrdinal.delete(victim[0]);
          createPod(victim[0], updateRevision);
        }
      }
    }

    const live = pods().filter(podActive);
    const minReady = Number(spec.minReadySeconds ?? 0);
    const current = live.filter((p) => obj(p.metadata.labels)[REVISION_LABEL] === currentRev).length;
    const updated = live.filter((p) => obj(p.metadata.labels)[REVISION_LABEL] === updateRevision).length;
    const ready = live.filter(podReady);
    const available = ready.filter((p) => podAvailable(p, minReady, now));
    if (available.length < ready.length) ctx.after(minReady * 1000, "statefulset", key);
    // The rollout is complete when every pod is at the update revision.
    if (updated === replicas && live.length === replicas && ready.length === replicas) currentRev = updateRevision;
    const next = omitZero(
      {
        observedGeneration: Number(set.metadata.generation ?? 1),
        replicas: live.length,
        readyReplicas: ready.length,
        currentReplicas: currentRev === updateRevision ? updated : current,
        updatedReplicas: updated,
        currentRevision: currentRev,
        updateRevision,
        collisionCount: Number(status.collisionCount ?? 0),
        availableReplicas: available.length,
      },
      ["readyReplicas", "currentReplicas", "updatedReplicas"],
    );
    const latest = api.get(STATEFULSETS, namespace, name) ?? set;
    if (!same(obj(latest.status), { ...next, ...(status.conditions ? { conditions: status.conditions } : {}) })) {
      api.updateStatus(STATEFULSETS, { ...latest, status: { ...next, ...(status.conditions ? { conditions: status.conditions } : {}) } });
    }
    truncateHistory(api, set, new Set(live.map((p) => String(obj(p.metadata.labels)[REVISION_LABEL]))), updateRevision);
  });
}
