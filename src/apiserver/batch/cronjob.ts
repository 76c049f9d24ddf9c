/**
 * CronJobs: `SetDefaults_CronJob`, `ValidateCronJobCreate` (52-character names), `validateCronJobSpec`
 * (schedule, `TZ=` prefixes, time zone, concurrency policy, history limits) and
 * `ValidateJobTemplateSpec` (pkg/apis/batch/validation, pkg/registry/batch/cronjob).
 */
import type { ApiContext } from "../context.js";
import { FieldPath, invalid, notSupported, required, type FieldError } from "../field.js";
import type { KindRules } from "../registry.js";
import { defaultPodTemplateSpec, dropDisabledPodTemplateFields, podTemplateWarnings } from "../core/pod.js";
import { labelSelectorValue, validateNonnegativeField } from "../validation/index.js";
import { effectiveName, ensure, prepareCreate, prepareUpdate, rec, specOf, str, type Obj } from "../apps/workload.js";
import { cronScheduleError } from "./cron.js";
import { defaultPodFailurePolicy, nameWarnings, validateJobSpecFields } from "./job.js";
import { isKnownTimeZone } from "./timezone.js";

const SPEC = FieldPath.of("spec");
/** The controller appends an 11-character suffix to job names, which are DNS-1035 labels (63). */
const MAX_CRONJOB_NAME_LENGTH = 52;
const VALID_TIME_ZONE_PART = /^[A-Za-z.\-_0-9+]{1,14}$/;

/**
 * `SetDefaults_CronJob`: Allow concurrency, not suspended, three successful and one failed job kept;
 * and the defaults of the job template's pod failure policy and pod template.
 *
 * @example
 * setDefaultsCronJob(cronJob, ctx); // cronJob.spec.concurrencyPolicy === "Allow"
 */
export function setDefaultsCronJob(o: Obj, ctx: ApiContext): void {
  const spec = specOf(o);
  if (!spec.concurrencyPolicy) spec.concurrencyPolicy = "Allow";
  if (spec.suspend == null) spec.suspend = false;
  if (spec.successfulJobsHistoryLimit == null) spec.successfulJobsHistoryLimit = 3;
  if (spec.failedJobsHistoryLimit == null) spec.failedJobsHistoryLimit = 1;
  const jobSpec = ensure(ensure(spec, "jobTemplate"), "spec");
  defaultPodFailurePolicy(jobSpec);
  defaultPodTemplateSpec(ensure(jobSpec, "template"), ctx);
}

const JOB_POD_TEMPLATE = FieldPath.of("spec", "jobTemplate", "spec", "template");

/** The job template's pod template. */
function jobPodTemplate(o: Obj | undefined): Obj | undefined {
  return rec(rec(rec(rec(o?.spec)?.jobTemplate)?.spec)?.template);
}

/** `validateScheduleFormat`. */
function validateScheduleFormat(schedule: string, allowTZInSchedule: boolean, timeZone: unknown, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const err = cronScheduleError(schedule);
  if (err !== undefined) errs.push(invalid(path, schedule, err));
  const hasTZ = schedule.includes("TZ");
  if (allowTZInSchedule && hasTZ && timeZone != null) errs.push(invalid(path, schedule, "cannot use both timeZone field and TZ or CRON_TZ in schedule"));
  else if (!allowTZInSchedule && hasTZ) errs.push(invalid(path, schedule, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"));
  return errs;
}

/** `validateTimeZone`: an IANA name that `time.LoadLocation` knows, not `Local`. */
function validateTimeZone(timeZone: unknown, path: FieldPath): FieldError[] {
  if (typeof timeZone !== "string") return [];
  if (timeZone.length === 0) return [invalid(path, timeZone, "timeZone must be nil or non-empty string")];
  for (const part of timeZone.split("/")) {
    if (part === "." || part === ".." || part.startsWith("-") || !VALID_TIME_ZONE_PART.test(part)) return [invalid(path, timeZone, `unknown time zone ${timeZone}`)];
  }
  const errs: FieldError[] = [];
  if (timeZone.toLowerCase() === "local") errs.push(invalid(path, timeZone, "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones"));
  if (timeZone !== "Local" && !isKnownTimeZone(timeZone)) errs.push(invalid(path, timeZone, `unknown time zone ${timeZone}`));
  return errs;
}

/** `ValidateJobTemplateSpec`: the job spec, with a selector the controller generates. */
function validateJobTemplateSpec(template: Obj, path: FieldPath, ctx: ApiContext, oldTemplate?: Obj): FieldError[] {
  const spec = rec(template.spec) ?? {};
  const specPath = path.child("spec");
  const errs = validateJobSpecFields(spec, specPath, ctx, oldTemplate ? { oldTemplate } : {});
  if (spec.selector != null) errs.push(invalid(specPath.child("selector"), spec.selector, "`selector` will be auto-generated", labelSelectorValue(ctx.minor, spec.selector)));
  if (spec.manualSelector === true) errs.push(notSupported(specPath.child("manualSelector"), true, ["nil", "false"]));
  return errs;
}

/** `validateCronJobSpec` (with the stored spec on updates). */
function validateCronJobSpec(spec: Obj, oldSpec: Obj | undefined, ctx: ApiContext): FieldError[] {
  const errs: FieldError[] = [];
  const schedule = str(spec.schedule) ?? "";
  if (schedule.length === 0) errs.push(required(SPEC.child("schedule"), ""));
  else errs.push(...validateScheduleFormat(schedule, (str(oldSpec?.schedule) ?? "").includes("TZ"), spec.timeZone, SPEC.child("schedule")));
  errs.push(...validateNonnegativeField(spec.startingDeadlineSeconds, SPEC.child("startingDeadlineSeconds")));
  if (!oldSpec || (oldSpec.timeZone ?? null) !== (spec.timeZone ?? null)) {
    errs.push(...validateTimeZone(spec.timeZone, SPEC.child("timeZone")));
  }
  const cp = spec.concurrencyPolicy;
  if (cp === "" || cp == null) errs.push(required(SPEC.child("concurrencyPolicy"), ""));
  else if (cp !== "Allow" && cp !== "Forbid" && cp !== "Replace") errs.push(notSupported(SPEC.child("concurrencyPolicy"), cp, ["Allow", "Forbid", "Replace"]));
  errs.push(...validateJobTemplateSpec(rec(spec.jobTemplate) ?? {}, SPEC.child("jobTemplate"), ctx, rec(rec(rec(oldSpec?.jobTemplate)?.spec)?.template)));
  errs.push(...validateNonnegativeField(spec.successfulJobsHistoryLimit, SPEC.child("successfulJobsHistoryLimit")));
  errs.push(...validateNonnegativeField(spec.failedJobsHistoryLimit, SPEC.child("failedJobsHistoryLimit")));
  return errs;
}

/** `ValidateCronJobCreate`: the spec, and names of at most 52 characters. */
function validateCronJobCreate(o: Obj, ctx: ApiContext): FieldError[] {
  const errs = validateCronJobSpec(specOf(o), undefined, ctx);
  const name = effectiveName(o);
  if (name.length > MAX_CRONJOB_NAME_LENGTH) errs.push(invalid(FieldPath.of("metadata", "name"), name, `must be no more than ${MAX_CRONJOB_NAME_LENGTH} characters`));
  return errs;
}

/** `WarningsOnCreate`/`WarningsOnUpdate`: a name that is not a DNS label, and a `TZ` in the schedule. */
function cronJobWarnings(o: Obj, old: Obj | undefined, ctx: ApiContext): string[] {
  const warnings = old ? [] : nameWarnings(o);
  if (!old || rec(o.metadata)?.generation !== rec(old.metadata)?.generation) {
    warnings.push(...podTemplateWarnings(jobPodTemplate(o), JOB_POD_TEMPLATE, jobPodTemplate(old), ctx));
  }
  const schedule = str(specOf(o).schedule) ?? "";
  if (schedule.includes("TZ")) {
    warnings.push(`cronjob spec.schedule: CRON_TZ or TZ used in ${schedule} is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details`);
  }
  return warnings;
}

function defaultedOld(old: Obj, ctx: ApiContext): Obj {
  const copy = structuredClone(old);
  setDefaultsCronJob(copy, ctx);
  return copy;
}

/** What kube-apiserver does to a CronJob. */
export const cronJobRules: KindRules = {
  defaults: setDefaultsCronJob,
  prepareForCreate(o, ctx) {
    ensure(o, "spec");
    prepareCreate(o);
    const template = jobPodTemplate(o);
    if (template) dropDisabledPodTemplateFields(template, undefined, ctx);
  },
  prepareForUpdate(o, old, ctx) {
    const stored = defaultedOld(old, ctx);
    const template = jobPodTemplate(o);
    if (template) dropDisabledPodTemplateFields(template, jobPodTemplate(stored), ctx);
    prepareUpdate(o, stored);
  },
  validate: (o, ctx) => (ctx.operation === "UPDATE" ? [] : validateCronJobCreate(o, ctx)),
  validateUpdate: (o, old, ctx) => validateCronJobSpec(specOf(o), specOf(defaultedOld(old, ctx)), ctx),
  warnings: cronJobWarnings,
};
