/**
 * The CronJob controller (pkg/controller/cronjob, v2): at each scheduled minute a Job named
 * `<cronjob>-<minutes since the epoch>` from the job template, with the
 * `batch.kubernetes.io/cronjob-scheduled-timestamp` annotation; concurrencyPolicy Allow, Forbid
 * and Replace; startingDeadlineSeconds; suspension; status.active, lastScheduleTime and
 * lastSuccessfulTime; finished Jobs beyond the history limits deleted. The schedule follows the
 * controllers' clock (`ClusterOptions.now`), so a test can move time and call `settle()`.
 */
import type { KubeObject } from "../store.js";
import { CRONJOBS, JOBS } from "./api.js";
import { mostRecent, nextTime, parseSchedule, type Schedule } from "./cron.js";
import { objectKeyOf, splitKey, type ControllerContext } from "./manager.js";
import { FAILED_CREATE_RETRY_MS, arr, conditionOf, controllerOf, controllerRef, controlledBy, obj, rfc3339, same } from "./util.js";

function finished(job: KubeObject): "Complete" | "Failed" | undefined {
  if (conditionOf(job.status, "Complete")?.status === "True") return "Complete";
  if (conditionOf(job.status, "Failed")?.status === "True") return "Failed";
  return undefined;
}

/** The scheduled time in the CronJob's zone, RFC 3339 with its offset. */
function zonedRfc3339(ms: number, timeZone: string): string {
  if (timeZone === "UTC") return rfc3339(ms);
  const f = new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", timeZoneName: "longOffset" });
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(new Date(ms))) p[part.type] = part.value;
  const offset = /GMT([+-]\d{2}:\d{2})?/.exec(p.timeZoneName ?? "")?.[1] ?? "Z";
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}${offset === "+00:00" ? "Z" : offset}`;
}

export function registerCronJobs(ctx: ControllerContext): void {
  const api = ctx.api;
  const schedules = new Map<string, { text: string; schedule: Schedule }>();
  ctx.watch("batch/cronjobs", "cronjob", (e) => (e.type === "DELETED" ? undefined : objectKeyOf(e.object)));
  ctx.watch("batch/jobs", "cronjob", (e) => {
    const ref = controllerOf(e.object) ?? (e.previous ? controllerOf(e.previous) : undefined);
    return ref?.kind === "CronJob" ? `${String(e.object.metadata.namespace ?? "")}/${String(ref.name)}` : undefined;
  });
  const record = (cj: KubeObject, type: "Normal" | "Warning", reason: string, message: string) => ctx.events.record(cj, type, reason, message, "cronjob-controller");

  ctx.reconciler("cronjob", (key) => {
    const { namespace, name } = splitKey(key);
    const cj = api.get(CRONJOBS, namespace, name);
    if (!cj || cj.metadata.deletionTimestamp) return;
    const spec = obj(cj.spec);
    const status = obj(cj.status);
    const now = ctx.now();
    const timeZone = typeof spec.timeZone === "string" && spec.timeZone ? spec.timeZone : "UTC";
    const jobs = api.owned(JOBS, cj).filter((j) => controlledBy(j, cj));
    // The active list: running children; finished ones are seen and dropped.
    let lastSuccessfulTime = status.lastSuccessfulTime as string | undefined;
    const active: Record<string, unknown>[] = [];
    for (const j of jobs) {
      const done = finished(j);
      if (!done) {
        // A reference keeps the resourceVersion it was taken at.
        active.push(arr(status.active).find((a) => a.uid === j.metadata.uid) ?? { apiVersion: "batch/v1", kind: "Job", name: j.metadata.name, namespace, uid: j.metadata.uid, resourceVersion: j.metadata.resourceVersion });
        continue;
      }
      if (arr(status.active).some((a) => a.uid === j.metadata.uid)) record(cj, "Normal", "SawCompletedJob", `Saw completed job: ${String(j.metadata.name)}, status: ${done}`);
      const completion = obj(j.status).completionTime;
      if (done === "Complete" && typeof completion === "string" && (!lastSuccessfulTime || completion > lastSuccessfulTime)) lastSuccessfulTime = completion;
    }
    // History limits.
    for (const [state, limit] of [
      ["Complete", typeof spec.successfulJobsHistoryLimit === "number" ? spec.successfulJobsHistoryLimit : 3],
      ["Failed", typeof spec.failedJobsHistoryLimit === "number" ? spec.failedJobsHistoryLimit : 1],
    ] as const) {
      const done = jobs.filter((j) => finished(j) === state && !j.metadata.deletionTimestamp).sort((a, b) => String(obj(a.status).startTime ?? a.metadata.creationTimestamp).localeCompare(String(obj(b.status).startTime ?? b.metadata.creationTimestamp)));
      for (const j of done.slice(0, Math.max(0, done.length - limit))) {
        if (api.delete(JOBS, j)) record(cj, "Normal", "SuccessfulDelete", `Deleted job ${String(j.metadata.name)}`);
      }
    }
    let lastScheduleTime = status.lastScheduleTime as string | undefined;
    let cached = schedules.get(key);
    if (!cached || cached.text !== spec.schedule) {
      try {
        cached = { text: String(spec.schedule), schedule: parseSchedule(String(spec.schedule)) };
        schedules.set(key, cached);
      } catch (e) {
        record(cj, "Warning", "UnparseableSchedule", `unparseable schedule: ${JSON.stringify(spec.schedule)} : ${(e as Error).message}`);
        return;
      }
    }
    const schedule = cached.schedule;
    if (spec.suspend !== true) {
      let retryMs: number | undefined;
      let earliest = Date.parse(String(lastScheduleTime ?? cj.metadata.creationTimestamp));
      const deadline = typeof spec.startingDeadlineSeconds === "number" ? spec.startingDeadlineSeconds : undefined;
      if (deadline !== undefined) earliest = Math.max(earliest, now - deadline * 1000);
      const due = mostRecent(schedule, earliest, now, timeZone);
      if (due) {
        const tooLate = deadline !== undefined && due.time + deadline * 1000 < now;
        const jobName = `${name}-${Math.floor(due.time / 60_000)}`;
        const policy = String(spec.concurrencyPolicy ?? "Allow");
        if (tooLate) {
          record(cj, "Warning", "MissSchedule", `Missed scheduled time to start a job: ${zonedRfc3339(due.time, timeZone)}`);
        } else if (!api.get(JOBS, namespace, jobName) && !(policy === "Forbid" && active.length)) {
          if (policy === "Replace") {
            for (const ref of active.splice(0)) {
              const j = api.get(JOBS, namespace, String(ref.name));
              if (j && api.delete(JOBS, j)) record(cj, "Normal", "SuccessfulDelete", `Deleted job ${String(ref.name)}`);
            }
          }
          const template = obj(spec.jobTemplate);
          const tmeta = obj(template.metadata);
          const annotations: Record<string, unknown> = { ...obj(tmeta.annotations) };
          if (ctx.minor >= 28) annotations["batch.kubernetes.io/cronjob-scheduled-timestamp"] = zonedRfc3339(due.time, timeZone);
          const created = api.create(JOBS, namespace, {
            apiVersion: "batch/v1",
            kind: "Job",
            metadata: {
              name: jobName,
              namespace,
              ...(tmeta.labels ? { labels: tmeta.labels } : {}),
              annotations,
              ownerReferences: [controllerRef(cj, "batch/v1", "CronJob")],
            },
            spec: structuredClone(obj(template.spec)),
          });
          if (created) {
            record(cj, "Normal", "SuccessfulCreate", `Created job ${jobName}`);
            active.push({ apiVersion: "batch/v1", kind: "Job", name: jobName, namespace, uid: created.metadata.uid, resourceVersion: created.metadata.resourceVersion });
            lastScheduleTime = rfc3339(due.time);
          } else {
            // The sync's error requeues the CronJob; lastScheduleTime stays, so the same run is tried again.
            record(cj, "Warning", "FailedCreate", `Error creating job: ${api.lastFailure}`);
            retryMs = FAILED_CREATE_RETRY_MS;
          }
        } else if (policy === "Forbid" && active.length) {
          record(cj, "Normal", "JobAlreadyActive", "Not starting job because prior execution is running and concurrency policy is Forbid");
        }
      }
      const next = nextTime(schedule, now, timeZone);
      if (next !== undefined || retryMs !== undefined) ctx.after(Math.min(next === undefined ? Infinity : next - now + 100, retryMs ?? Infinity), "cronjob", key);
    }
    const nextStatus: Record<string, unknown> = {
      ...(active.length ? { active } : {}),
      ...(lastScheduleTime ? { lastScheduleTime } : {}),
      ...(lastSuccessfulTime ? { lastSuccessfulTime } : {}),
    };
    const current = api.get(CRONJOBS, namespace, name) ?? cj;
    if (!same(obj(current.status), nextStatus)) api.updateStatus(CRONJOBS, { ...current, status: nextStatus });
  });
}
