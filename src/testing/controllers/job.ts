/**
 * The Job controller (pkg/controller/job) and the TTL-after-finished controller: pods from the
 * template up to `parallelism` until `completions` succeeded (NonIndexed, or Indexed with one
 * success per index and the completion index in each pod's annotation, label and hostname);
 * failures counted against `backoffLimit`; `activeDeadlineSeconds`; suspension; status with
 * startTime, active, ready, terminating (from 1.29), succeeded, failed, completedIndexes,
 * completionTime, uncountedTerminatedPods and the conditions — from 1.31 SuccessCriteriaMet before
 * Complete and FailureTarget before Failed, as the controller adds them once all pods are done.
 */
import type { KubeObject } from "../store.js";
import { JOBS, PODS } from "./api.js";
import { objectKeyOf, splitKey, type ControllerContext } from "./manager.js";
import { podFromTemplate } from "./replicaset.js";
import { arr, conditionOf, controllerOf, controlledBy, obj, podReady, rfc3339, same, slowStartBatch, type Condition } from "./util.js";

type Obj = Record<string, unknown>;

const INDEX_ANNOTATION = "batch.kubernetes.io/job-completion-index";

/** The requeue backoff after a failed sync (`DefaultJobApiBackOff`, doubling up to `MaxJobApiBackOff`). */
const API_BACKOFF_MS = 1000;
const MAX_API_BACKOFF_MS = 60_000;

function finishedCondition(job: KubeObject): Condition | undefined {
  return arr<Condition>(obj(job.status).conditions).find((c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True");
}

/** `1,3-5` as the controller writes completedIndexes. */
export function formatIndexes(indexes: number[]): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j === i ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}

function indexOf(pod: KubeObject): number | undefined {
  const v = obj(pod.metadata.annotations)[INDEX_ANNOTATION];
  const n = Number(v);
  return v !== undefined && Number.isInteger(n) ? n : undefined;
}

export function registerJobs(ctx: ControllerContext): void {
  const api = ctx.api;
  ctx.watch("batch/jobs", "job", (e) => (e.type === "DELETED" ? undefined : objectKeyOf(e.object)));
  ctx.watch("/pods", "job", (e) => {
    const ref = controllerOf(e.object) ?? (e.previous ? controllerOf(e.previous) : undefined);
    return ref?.kind === "Job" ? `${String(e.object.metadata.namespace ?? "")}/${String(ref.name)}` : undefined;
  });
  const record = (job: KubeObject, type: "Normal" | "Warning", reason: string, message: string) => ctx.events.record(job, type, reason, message, "job-controller");
  const failedSyncs = new Map<string, number>();

  ctx.reconciler("job", (key) => {
    const { namespace, name } = splitKey(key);
    const job = api.get(JOBS, namespace, name);
    if (!job || job.metadata.deletionTimestamp) {
      failedSyncs.delete(key);
      return;
    }
    const now = ctx.now();
    const at = rfc3339(now);
    const spec = obj(job.spec);
    const status = obj(job.status);
    const finished = finishedCondition(job);
    if (finished) return ttlAfterFinished(job, finished);
    const parallelism = typeof spec.parallelism === "number" ? spec.parallelism : 1;
    const completions = typeof spec.completions === "number" ? spec.completions : undefined;
    const backoffLimit = typeof spec.backoffLimit === "number" ? spec.backoffLimit : 6;
    const indexed = spec.completionMode === "Indexed" && completions !== undefined;
    const suspended = spec.suspend === true;
    const pods = api.owned(PODS, job).filter((p) => controlledBy(p, job));
    const phase = (p: KubeObject) => String(obj(p.status).phase ?? "Pending");
    let active = pods.filter((p) => phase(p) !== "Succeeded" && phase(p) !== "Failed" && !p.metadata.deletionTimestamp);
    const terminating = pods.filter((p) => p.metadata.deletionTimestamp && phase(p) !== "Succeeded" && phase(p) !== "Failed");
    const succeededPods = pods.filter((p) => phase(p) === "Succeeded");
    const failedPods = pods.filter((p) => phase(p) === "Failed");
    const restarts = spec.template && obj(obj(spec.template).spec).restartPolicy === "OnFailure" ? active.reduce((n, p) => n + arr(obj(p.status).containerStatuses).reduce((m, c) => m + Number(c.restartCount ?? 0), 0), 0) : 0;
    const succeeded = Math.max(Number(status.succeeded ?? 0), succeededPods.length);
    const failed = Math.max(Number(status.failed ?? 0), failedPods.length);
    const completedIndexes = indexed ? [...new Set(succeededPods.map(indexOf).filter((i): i is number => i !== undefined && i < completions!))] : [];
    let conditions = arr<Condition>(status.conditions);
    const cond = (type: string, condStatus: string, reason: string, message: string): Condition => ({ type, status: condStatus, lastProbeTime: at, lastTransitionTime: at, ...(reason ? { reason } : {}), ...(message ? { message } : {}) });
    const twoStep = ctx.minor >= 31;
    let completionTime: string | undefined;
    let failure: { reason: string; message: string } | undefined;
    const startTime = status.startTime ?? (suspended ? undefined : at);
    let createFailed = false;

    // Suspension.
    const suspendedCond = conditionOf(status, "Suspended");
    if (suspended && suspendedCond?.status !== "True") {
      conditions = [...conditions.filter((c) => c.type !== "Suspended"), cond("Suspended", "True", "JobSuspended", "Job suspended")];
      record(job, "Normal", "Suspended", "Job suspended");
    } else if (!suspended && suspendedCond?.status === "True") {
      conditions = [...conditions.filter((c) => c.type !== "Suspended"), cond("Suspended", "False", "JobResumed", "Job resumed")];
      record(job, "Normal", "Resumed", "Job resumed");
    }

    if (failed + restarts > backoffLimit) failure = { reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit" };
    else if (!suspended && typeof spec.activeDeadlineSeconds === "number" && startTime !== undefined && Date.parse(String(startTime)) + spec.activeDeadlineSeconds * 1000 <= now) {
      failure = { reason: "DeadlineExceeded", message: "Job was active longer than specified deadline" };
    }
    const complete = !failure && (indexed ? completedIndexes.length >= completions! : completions !== undefined ? succeeded >= completions : succeeded > 0 && active.length === 0);

    if (failure || complete || suspended) {
      for (const p of active) if (api.delete(PODS, p)) record(job, "Normal", "SuccessfulDelete", `Deleted pod: ${String(p.metadata.name)}`);
      active = [];
    } else {
      // Run as many pods as parallelism and the remaining completions allow.
      const want = indexed ? Math.min(parallelism, completions! - completedIndexes.length) : completions !== undefined ? Math.min(parallelism, completions - succeeded) : succeeded > 0 ? 0 : parallelism;
      const missing = want - active.length;
      if (missing > 0) {
        const busy = new Set([...completedIndexes, ...active.map(indexOf).filter((i): i is number => i !== undefined)]);
        const toCreate: Array<number | undefined> = [];
        for (let index = 0; toCreate.length < missing; ) {
          if (!indexed) {
            toCreate.push(undefined);
            continue;
          }
          while (busy.has(index)) index++;
          if (index >= completions!) break;
          toCreate.push(index++);
        }
        const uid = String(job.metadata.uid);
        createFailed =
          slowStartBatch(toCreate.length, (i) => {
            const podIndex = toCreate[i];
            const labels: Record<string, string> = { "batch.kubernetes.io/controller-uid": uid, "batch.kubernetes.io/job-name": name, "controller-uid": uid, "job-name": name };
            if (podIndex !== undefined && ctx.minor >= 28) labels[INDEX_ANNOTATION] = String(podIndex);
            const pod = api.create(
              PODS,
              namespace,
              podFromTemplate(obj(spec.template), job, "batch/v1", "Job", {
                labels,
                ...(podIndex !== undefined
                  ? {
                      annotations: { [INDEX_ANNOTATION]: String(podIndex) },
                      spec: { hostname: `${name}-${podIndex}` },
                    }
                  : {}),
              }),
            );
            if (!pod) {
              // RealPodControl's event; the sync's error requeues the Job with backoff.
              record(job, "Warning", "FailedCreate", `Error creating: ${api.lastFailure}`);
              return false;
            }
            active.push(pod);
            record(job, "Normal", "SuccessfulCreate", `Created pod: ${String(pod.metadata.name)}`);
            return true;
          }) > 0;
      } else if (missing < 0) {
        for (const p of active.slice(want)) api.delete(PODS, p);
        active = active.slice(0, want);
      }
    }

    if (failure) {
      if (twoStep && !conditions.some((c) => c.type === "FailureTarget")) conditions = [...conditions, cond("FailureTarget", "True", failure.reason, failure.message)];
      conditions = [...conditions.filter((c) => c.type !== "Failed"), cond("Failed", "True", failure.reason, failure.message)];
      record(job, "Warning", failure.reason, failure.message);
    } else if (complete) {
      if (twoStep) {
        conditions = [...conditions.filter((c) => c.type !== "SuccessCriteriaMet"), cond("SuccessCriteriaMet", "True", "CompletionsReached", "Reached expected number of succeeded pods")];
        conditions = [...conditions, cond("Complete", "True", "CompletionsReached", "Reached expected number of succeeded pods")];
      } else conditions = [...conditions, cond("Complete", "True", "", "")];
      completionTime = at;
      record(job, "Normal", "Completed", "Job completed");
    }

    const next: Obj = {
      ...(conditions.length ? { conditions } : {}),
      ...(startTime !== undefined ? { startTime } : {}),
      ...(completionTime ? { completionTime } : status.completionTime ? { completionTime: status.completionTime } : {}),
      ...(active.length ? { active: active.length } : {}),
      ...(succeeded ? { succeeded } : {}),
      ...(failed ? { failed } : {}),
      ...(indexed && completedIndexes.length ? { completedIndexes: formatIndexes(completedIndexes) } : {}),
      ...(ctx.minor >= 29 ? { terminating: terminating.length } : {}),
      uncountedTerminatedPods: {},
      ready: active.filter(podReady).length,
    };
    if (!same(status, next)) {
      const updated = api.updateStatus(JOBS, { ...(api.get(JOBS, namespace, name) ?? job), status: next });
      const done = updated ? finishedCondition(updated) : undefined;
      if (updated && done) ttlAfterFinished(updated, done);
    }
    if (createFailed) {
      const failures = failedSyncs.get(key) ?? 0;
      failedSyncs.set(key, failures + 1);
      ctx.after(Math.min(API_BACKOFF_MS * 2 ** failures, MAX_API_BACKOFF_MS), "job", key);
    } else failedSyncs.delete(key);
    if (!failure && !complete && !suspended && typeof spec.activeDeadlineSeconds === "number" && startTime !== undefined) {
      ctx.after(Date.parse(String(startTime)) + spec.activeDeadlineSeconds * 1000 - now + 50, "job", key);
    }
  });

  /** The TTL-after-finished controller: delete a finished Job once its time is up. */
  function ttlAfterFinished(job: KubeObject, finished: Condition): void {
    const ttl = obj(job.spec).ttlSecondsAfterFinished;
    if (typeof ttl !== "number") return;
    const finishedAt = Date.parse(String(obj(job.status).completionTime ?? finished.lastTransitionTime ?? ""));
    const due = (Number.isFinite(finishedAt) ? finishedAt : ctx.now()) + ttl * 1000;
    if (due > ctx.now()) return ctx.after(due - ctx.now(), "job", objectKeyOf(job));
    ctx.as({ manager: "kube-controller-manager", user: "system:serviceaccount:kube-system:ttl-after-finished-controller" }).delete(JOBS, job, { propagationPolicy: "Foreground" });
  }
}
