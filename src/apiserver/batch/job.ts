/**
 * Jobs: `SetDefaults_Job`, the strategy's `PrepareForCreate` (selector and labels generated unless
 * `manualSelector`, fields of disabled features dropped) and `PrepareForUpdate`, `ValidateJob`,
 * `validateJobSpec`, the pod failure and success policies, and `ValidateJobUpdate`
 * (pkg/apis/batch/v1/defaults.go, pkg/registry/batch/job/strategy.go, pkg/apis/batch/validation).
 */
import type { ApiContext } from "../context.js";
import { duplicate, FieldPath, invalid, notSupported, required, tooLong, tooMany, type FieldError } from "../field.js";
import { fieldError } from "../../meta/field-errors.js";
import type { KindRules } from "../registry.js";
import { defaultPodTemplateSpec, validatePodTemplateSpec, type PodValidationOptions } from "../core/pod.js";
import {
  badValue,
  goJSON,
  goPointer,
  isDNS1123Label,
  isDomainPrefixedPath,
  isQualifiedName,
  hasInvalidSelectorValues,
  labelSelectorValue,
  labelsValue,
  parseLabelSelector,
  semanticEqual,
  validateImmutableField,
  validateLabelSelector,
  validateNonnegativeField,
} from "../validation/index.js";
import { atoi } from "./cron.js";
import { dropTemplateFields, effectiveName, ensure, int, podOptions, prepareCreate, prepareUpdate, rec, specOf, str, templateLabels, templateWarnings, type Obj } from "../apps/workload.js";

const SPEC = FieldPath.of("spec");
const MAX_PARALLELISM_FOR_INDEXED_JOB = 100000;
const MAX_FAILED_INDEXES_FOR_INDEXED_JOB = 100000;
const COMPLETIONS_SOFT_LIMIT = 100000;
const PARALLELISM_LIMIT_FOR_HIGH_COMPLETIONS = 10000;
const MAX_FAILED_INDEXES_LIMIT_FOR_HIGH_COMPLETIONS = 10000;
const MAX_POD_FAILURE_POLICY_RULES = 20;
const MAX_ON_EXIT_CODES_VALUES = 255;
const MAX_ON_POD_CONDITIONS_PATTERNS = 20;
const MAX_MANAGED_BY_LENGTH = 63;
const MAX_SUCCEEDED_INDEXES_LENGTH = 64 * 1024;
const MAX_SUCCESS_POLICY_RULES = 20;
const ACTIONS = ["Count", "FailIndex", "FailJob", "Ignore"];
const EXIT_CODE_OPERATORS = ["In", "NotIn"];
const CONDITION_STATUSES = ["False", "True", "Unknown"];

const LEGACY_CONTROLLER_UID = "controller-uid";
const LEGACY_JOB_NAME = "job-name";
const CONTROLLER_UID = "batch.kubernetes.io/controller-uid";
const JOB_NAME = "batch.kubernetes.io/job-name";

/** `fmt.Sprintf("%q", []string{…})`: `["a" "b"]`. */
function goQuotedList(values: readonly string[]): string {
  return `[${values.map((v) => JSON.stringify(v)).join(" ")}]`;
}

/** `field.Invalid` with the value left out (`field.OmitValueType{}`). */
function invalidOmitValue(path: FieldPath, detail: string): FieldError {
  return fieldError("FieldValueInvalid", path, detail);
}

// ---------------------------------------------------------------------------------------------
// Defaults and preparation

/**
 * `SetDefaults_Job` (and the pod failure policy patterns' `Status: True`): completions and
 * parallelism 1 when both are unset, backoffLimit 6 (MaxInt32 with backoffLimitPerIndex),
 * labels copied from the template, NonIndexed completion, not suspended, the pod replacement policy
 * (from 1.29), manualSelector false.
 *
 * @example
 * setDefaultsJob(job, ctx); // job.spec.backoffLimit === 6
 */
export function setDefaultsJob(o: Obj, ctx: ApiContext): void {
  const spec = specOf(o);
  if (spec.completions == null && spec.parallelism == null) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  if (spec.parallelism == null) spec.parallelism = 1;
  if (spec.backoffLimit == null) spec.backoffLimit = spec.backoffLimitPerIndex != null ? 2147483647 : 6;
  const labels = templateLabels(rec(spec.template));
  const meta = ensure(o, "metadata");
  if (rec(labels) && (!rec(meta.labels) || Object.keys(meta.labels as Obj).length === 0)) meta.labels = structuredClone(labels);
  if (spec.completionMode == null) spec.completionMode = "NonIndexed";
  if (spec.suspend == null) spec.suspend = false;
  defaultPodFailurePolicy(spec);
  if (ctx.gate("JobPodReplacementPolicy") && spec.podReplacementPolicy == null) {
    spec.podReplacementPolicy = spec.podFailurePolicy != null ? "Failed" : "TerminatingOrFailed";
  }
  if (spec.manualSelector == null) spec.manualSelector = false;
  defaultPodTemplateSpec(ensure(spec, "template"), ctx);
}

/** `SetDefaults_PodFailurePolicyOnPodConditionsPattern`: a pattern's status is True unless given. */
export function defaultPodFailurePolicy(spec: Obj): void {
  const rules = rec(spec.podFailurePolicy)?.rules;
  if (!Array.isArray(rules)) return;
  for (const rule of rules) {
    const patterns = rec(rule)?.onPodConditions;
    if (!Array.isArray(patterns)) continue;
    for (const p of patterns) if (rec(p) && !p.status) p.status = "True";
  }
}

/** A UID for an object being created offline: derived from its namespace and name, so runs agree. */
function generatedUID(o: Obj): string {
  const meta = rec(o.metadata);
  const seed = `${str(meta?.namespace) ?? ""}/${effectiveName(o)}`;
  let hex = "";
  for (const basis of [0x811c9dc5, 0x01000193, 0x9e3779b9, 0x85ebca6b]) {
    let h = basis;
    for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193) >>> 0;
    hex += h.toString(16).padStart(8, "0");
  }
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * `generateSelector`: the job-name and controller-uid labels (legacy and `batch.kubernetes.io/`) on
 * the template, and a selector on the prefixed controller-uid. kube-apiserver has assigned the UID
 * by then; offline one is assigned here when the object has none.
 */
function generateSelector(o: Obj): void {
  const meta = ensure(o, "metadata");
  if (!str(meta.uid)) meta.uid = generatedUID(o);
  const uid = meta.uid as string;
  const name = effectiveName(o);
  const spec = specOf(o);
  const tmeta = ensure(ensure(spec, "template"), "metadata");
  const labels = ensure(tmeta, "labels");
  for (const key of [LEGACY_JOB_NAME, JOB_NAME]) if (!Object.hasOwn(labels, key)) labels[key] = name;
  for (const key of [LEGACY_CONTROLLER_UID, CONTROLLER_UID]) if (!Object.hasOwn(labels, key)) labels[key] = uid;
  const selector = ensure(spec, "selector");
  const matchLabels = ensure(selector, "matchLabels");
  if (!Object.hasOwn(matchLabels, CONTROLLER_UID)) matchLabels[CONTROLLER_UID] = uid;
}

function dropFailIndexRules(spec: Obj): void {
  const pfp = rec(spec.podFailurePolicy);
  if (pfp && Array.isArray(pfp.rules)) pfp.rules = pfp.rules.filter((r) => rec(r)?.action !== "FailIndex");
}

/** The Job strategy's `PrepareForCreate`. */
function prepareJobForCreate(o: Obj, ctx: ApiContext): void {
  const spec = specOf(o);
  if (spec.manualSelector !== true) generateSelector(o);
  prepareCreate(o);
  if (!ctx.gate("JobManagedBy")) delete spec.managedBy;
  if (!ctx.gate("JobSuccessPolicy")) delete spec.successPolicy;
  if (!ctx.gate("JobBackoffLimitPerIndex")) {
    delete spec.backoffLimitPerIndex;
    delete spec.maxFailedIndexes;
    dropFailIndexRules(spec);
  }
  if (!ctx.gate("JobPodReplacementPolicy")) delete spec.podReplacementPolicy;
  dropTemplateFields(o, undefined, ctx);
}

/** The Job strategy's `PrepareForUpdate`. */
function prepareJobForUpdate(o: Obj, old: Obj, ctx: ApiContext): void {
  const spec = specOf(o);
  const oldSpec = specOf(old);
  if (!ctx.gate("JobSuccessPolicy") && oldSpec.successPolicy == null) delete spec.successPolicy;
  if (!ctx.gate("JobBackoffLimitPerIndex")) {
    if (oldSpec.backoffLimitPerIndex == null) delete spec.backoffLimitPerIndex;
    if (oldSpec.maxFailedIndexes == null) delete spec.maxFailedIndexes;
  }
  if (!ctx.gate("JobPodReplacementPolicy") && oldSpec.podReplacementPolicy == null) delete spec.podReplacementPolicy;
  dropTemplateFields(o, old, ctx);
  prepareUpdate(o, old);
}

// ---------------------------------------------------------------------------------------------
// Validation

/** `JobValidationOptions`. */
interface JobValidationOptions {
  pod?: PodValidationOptions;
  allowInvalidLabelValueInSelector?: boolean;
  allowMutableSchedulingDirectives?: boolean;
  allowMutablePodResources?: boolean;
  requirePrefixedLabels: boolean;
}

/** `ValidateHasLabel`. */
function validateHasLabel(labels: unknown, path: FieldPath, key: string, expected: string, ctx: ApiContext): FieldError[] {
  const l = rec(labels);
  const p = path.child("labels").key(key);
  if (!l || !Object.hasOwn(l, key)) return [required(p, `must be '${expected}'`)];
  if (l[key] !== expected) return [invalid(p, l, `must be '${expected}'`, labelsValue(ctx.minor, l))];
  return [];
}

/** `validateGeneratedSelector`: a generated selector and the template's generated labels are as generated. */
function validateGeneratedSelector(o: Obj, requirePrefixedLabels: boolean, ctx: ApiContext): FieldError[] {
  const spec = specOf(o);
  if (spec.manualSelector === true || !rec(spec.selector)) return [];
  const errs: FieldError[] = [];
  const meta = rec(o.metadata);
  const uid = str(meta?.uid) ?? "";
  const name = effectiveName(o);
  if (uid === "") errs.push(required(FieldPath.of("metadata", "uid"), ""));
  const tpath = FieldPath.of("spec", "template", "metadata");
  const labels = templateLabels(rec(spec.template));
  errs.push(...validateHasLabel(labels, tpath, LEGACY_CONTROLLER_UID, uid, ctx));
  errs.push(...validateHasLabel(labels, tpath, LEGACY_JOB_NAME, name, ctx));
  const expected: Obj = {};
  if (requirePrefixedLabels) {
    errs.push(...validateHasLabel(labels, tpath, CONTROLLER_UID, uid, ctx));
    errs.push(...validateHasLabel(labels, tpath, JOB_NAME, name, ctx));
    expected[CONTROLLER_UID] = uid;
    expected[JOB_NAME] = name;
  }
  expected[LEGACY_CONTROLLER_UID] = uid;
  expected[LEGACY_JOB_NAME] = name;
  const selector = parseLabelSelector(spec.selector);
  if (selector && !selector.matches(expected)) {
    errs.push(invalid(FieldPath.of("spec", "selector"), spec.selector, "`selector` not auto-generated", labelSelectorValue(ctx.minor, spec.selector)));
  }
  return errs;
}

function goInt32Slice(values: unknown[] | undefined): string {
  return values ? `[]int32{${values.join(", ")}}` : "[]int32(nil)";
}

function validateOnExitCodes(req: Obj, path: FieldPath, containerNames: Set<string>, ctx: ApiContext): FieldError[] {
  const errs: FieldError[] = [];
  const op = req.operator;
  if (op === undefined || op === null || op === "") errs.push(required(path.child("operator"), `valid values: ${goQuotedList(EXIT_CODE_OPERATORS)}`));
  else if (!EXIT_CODE_OPERATORS.includes(op as string)) errs.push(notSupported(path.child("operator"), op, EXIT_CODE_OPERATORS));
  const cn = req.containerName;
  if (typeof cn === "string" && !containerNames.has(cn)) {
    errs.push(invalid(path.child("containerName"), cn, "must be one of the container or initContainer names in the pod template"));
  }
  const valuesPath = path.child("values");
  const values = Array.isArray(req.values) ? req.values : undefined;
  const display = (): string => badValue(ctx.minor, () => goInt32Slice(values), values ?? null);
  if (!values || values.length === 0) errs.push(invalid(valuesPath, values ?? null, "at least one value is required", display()));
  else if (values.length > MAX_ON_EXIT_CODES_VALUES) errs.push(tooMany(valuesPath, values.length, MAX_ON_EXIT_CODES_VALUES));
  let ordered = true;
  const seen = new Set<unknown>();
  (values ?? []).forEach((v, j) => {
    const vp = valuesPath.index(j);
    if (op === "In" && v === 0) errs.push(invalid(vp, 0, "must not be 0 for the In operator"));
    if (seen.has(v)) errs.push(duplicate(vp, v));
    else seen.add(v);
    if (j > 0 && typeof v === "number" && typeof values![j - 1] === "number" && (values![j - 1] as number) > v) ordered = false;
  });
  if (!ordered) errs.push(invalid(valuesPath, values, "must be ordered", display()));
  return errs;
}

function validateOnPodConditions(patterns: unknown[], path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (patterns.length > MAX_ON_POD_CONDITIONS_PATTERNS) errs.push(tooMany(path, patterns.length, MAX_ON_POD_CONDITIONS_PATTERNS));
  patterns.forEach((p, j) => {
    const pattern = rec(p) ?? {};
    const pp = path.index(j);
    const type = str(pattern.type) ?? "";
    for (const msg of isQualifiedName(type)) errs.push(invalid(pp.child("type"), type, msg));
    const status = pattern.status;
    if (status === undefined || status === null || status === "") errs.push(required(pp.child("status"), `valid values: ${goQuotedList(CONDITION_STATUSES)}`));
    else if (!CONDITION_STATUSES.includes(status as string)) errs.push(notSupported(pp.child("status"), status, CONDITION_STATUSES));
  });
  return errs;
}

/** `validatePodFailurePolicy`. */
function validatePodFailurePolicy(spec: Obj, path: FieldPath, ctx: ApiContext): FieldError[] {
  const errs: FieldError[] = [];
  const rules = rec(spec.podFailurePolicy)?.rules;
  const list = Array.isArray(rules) ? rules : [];
  const rulesPath = path.child("rules");
  if (list.length > MAX_POD_FAILURE_POLICY_RULES) errs.push(tooMany(rulesPath, list.length, MAX_POD_FAILURE_POLICY_RULES));
  const podSpec = rec(rec(spec.template)?.spec);
  const containerNames = new Set<string>();
  for (const key of ["containers", "initContainers"]) {
    const cs = podSpec?.[key];
    if (Array.isArray(cs)) for (const c of cs) containerNames.add(str(rec(c)?.name) ?? "");
  }
  list.forEach((r, i) => {
    const rule = rec(r) ?? {};
    const rp = rulesPath.index(i);
    const action = rule.action;
    if (action === undefined || action === null || action === "") errs.push(required(rp.child("action"), `valid values: ${goQuotedList(ACTIONS)}`));
    else if (action === "FailIndex") {
      if (spec.backoffLimitPerIndex == null) errs.push(invalid(rp.child("action"), action, "requires the backoffLimitPerIndex to be set"));
    } else if (!ACTIONS.includes(action as string)) errs.push(notSupported(rp.child("action"), action, ACTIONS));
    const onExitCodes = rec(rule.onExitCodes);
    const onPodConditions = Array.isArray(rule.onPodConditions) ? rule.onPodConditions : [];
    if (onExitCodes) errs.push(...validateOnExitCodes(onExitCodes, rp.child("onExitCodes"), containerNames, ctx));
    if (onPodConditions.length > 0) errs.push(...validateOnPodConditions(onPodConditions, rp.child("onPodConditions")));
    if (onExitCodes && onPodConditions.length > 0) errs.push(invalidOmitValue(rp, "specifying both OnExitCodes and OnPodConditions is not supported"));
    if (!onExitCodes && onPodConditions.length === 0) errs.push(invalidOmitValue(rp, "specifying one of OnExitCodes and OnPodConditions is required"));
  });
  return errs;
}

function parseIndexInterval(interval: string, completions: number): [number, number] {
  const limits = interval.split("-");
  if (limits.length > 2) throw new Error(`the fragment ${JSON.stringify(interval)} violates the requirement that an index interval can have at most two parts separated by '-'`);
  const x = atoi(limits[0]!);
  if ("error" in x) throw new Error(`cannot convert string to integer for index: ${JSON.stringify(limits[0])}`);
  if (x.value >= completions) throw new Error(`too large index: ${JSON.stringify(limits[0])}`);
  if (limits.length === 1) return [x.value, x.value];
  const y = atoi(limits[1]!);
  if ("error" in y) throw new Error(`cannot convert string to integer for index: ${JSON.stringify(limits[1])}`);
  if (y.value >= completions) throw new Error(`too large index: ${JSON.stringify(limits[1])}`);
  if (x.value >= y.value) throw new Error(`non-increasing order, previous: ${x.value}, current: ${y.value}`);
  return [x.value, y.value];
}

/** `validateIndexesFormat`: the number of indexes in `1,3-5`, or the error. */
function validateIndexesFormat(indexes: string, completions: number): number {
  if (indexes.length === 0) return 0;
  let last: number | undefined;
  let total = 0;
  for (const interval of indexes.split(",")) {
    const [x, y] = parseIndexInterval(interval, completions);
    if (last !== undefined && last >= x) throw new Error(`non-increasing order, previous: ${last}, current: ${x}`);
    total += y - x + 1;
    last = y;
  }
  return total;
}

function successPolicyValue(policy: Obj, ctx: ApiContext): string {
  const rules = Array.isArray(policy.rules) ? policy.rules.map((r) => rec(r) ?? {}) : undefined;
  return badValue(
    ctx.minor,
    () =>
      `batch.SuccessPolicy{Rules:${
        rules
          ? `[]batch.SuccessPolicyRule{${rules.map((r) => `batch.SuccessPolicyRule{SucceededIndexes:${goPointer("string", r.succeededIndexes)}, SucceededCount:${goPointer("int32", r.succeededCount)}}`).join(", ")}}`
          : "[]batch.SuccessPolicyRule(nil)"
      }}`,
    { Rules: rules ? rules.map((r) => ({ SucceededIndexes: r.succeededIndexes ?? null, SucceededCount: r.succeededCount ?? null })) : null },
  );
}

/** `validateSuccessPolicy` and `validateSuccessPolicyRule`. */
function validateSuccessPolicy(spec: Obj, policy: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const rules = Array.isArray(policy.rules) ? policy.rules : [];
  const rulesPath = path.child("rules");
  if (rules.length === 0) errs.push(required(rulesPath, "at least one rules must be specified when the successPolicy is specified"));
  if (rules.length > MAX_SUCCESS_POLICY_RULES) errs.push(tooMany(rulesPath, rules.length, MAX_SUCCESS_POLICY_RULES));
  const completions = int(spec.completions);
  rules.forEach((r, i) => {
    const rule = rec(r) ?? {};
    const rp = rulesPath.index(i);
    const indexes = str(rule.succeededIndexes);
    const count = int(rule.succeededCount);
    if (rule.succeededCount == null && rule.succeededIndexes == null) errs.push(required(rp, "at least one of succeededCount or succeededIndexes must be specified"));
    // Without completions kube-apiserver cannot evaluate the rule (it is required for Indexed jobs and reported there).
    if (completions === undefined) return;
    let total = 0;
    if (indexes !== undefined) {
      const ip = rp.child("succeededIndexes");
      if (indexes.length > MAX_SUCCEEDED_INDEXES_LENGTH) errs.push(tooLong(ip, indexes, MAX_SUCCEEDED_INDEXES_LENGTH, 32));
      try {
        total = validateIndexesFormat(indexes, completions);
      } catch (e) {
        errs.push(invalid(ip, indexes, `error parsing succeededIndexes: ${(e as Error).message}`));
      }
    }
    if (count !== undefined) {
      const cp = rp.child("succeededCount");
      errs.push(...validateNonnegativeField(count, cp));
      if (count > completions) errs.push(invalid(cp, count, `must be less than or equal to ${completions} (the number of specified completions)`));
      if (indexes !== undefined && count > total) errs.push(invalid(cp, count, `must be less than or equal to ${total} (the number of indexes in the specified succeededIndexes field)`));
    }
  });
  return errs;
}

/** `validatePodReplacementPolicy`. */
function validatePodReplacementPolicy(spec: Obj, path: FieldPath): FieldError[] {
  const v = spec.podReplacementPolicy;
  if (v === undefined || v === null) return [];
  if (spec.podFailurePolicy != null) return v === "Failed" ? [] : [notSupported(path, v, ["Failed"])];
  return v === "Failed" || v === "TerminatingOrFailed" ? [] : [notSupported(path, v, ["Failed", "TerminatingOrFailed"])];
}

/** `validateJobSpec`: everything but the selector (shared with CronJob job templates). */
export function validateJobSpecFields(spec: Obj, path: FieldPath, ctx: ApiContext, podOpts: PodValidationOptions = {}): FieldError[] {
  const errs: FieldError[] = [];
  for (const key of ["parallelism", "completions", "activeDeadlineSeconds", "backoffLimit", "ttlSecondsAfterFinished", "backoffLimitPerIndex"]) {
    errs.push(...validateNonnegativeField(spec[key], path.child(key)));
  }
  if (spec.maxFailedIndexes != null) {
    errs.push(...validateNonnegativeField(spec.maxFailedIndexes, path.child("maxFailedIndexes")));
    if (spec.backoffLimitPerIndex == null) errs.push(required(path.child("backoffLimitPerIndex"), "when maxFailedIndexes is specified"));
  }
  const managedBy = str(spec.managedBy);
  if (managedBy !== undefined) {
    errs.push(...isDomainPrefixedPath(path.child("managedBy"), managedBy));
    if (managedBy.length > MAX_MANAGED_BY_LENGTH) errs.push(tooLong(path.child("managedBy"), managedBy, MAX_MANAGED_BY_LENGTH, ctx.minor));
  }
  const mode = spec.completionMode;
  const parallelism = int(spec.parallelism);
  const completions = int(spec.completions);
  const maxFailed = int(spec.maxFailedIndexes);
  if (mode !== undefined && mode !== null) {
    if (mode !== "NonIndexed" && mode !== "Indexed") errs.push(notSupported(path.child("completionMode"), mode, ["NonIndexed", "Indexed"]));
    if (mode === "Indexed") {
      if (spec.completions == null) errs.push(required(path.child("completions"), "when completion mode is Indexed"));
      if (parallelism !== undefined && parallelism > MAX_PARALLELISM_FOR_INDEXED_JOB) {
        errs.push(invalid(path.child("parallelism"), parallelism, `must be less than or equal to ${MAX_PARALLELISM_FOR_INDEXED_JOB} when completion mode is Indexed`));
      }
      if (completions !== undefined && maxFailed !== undefined && maxFailed > completions) errs.push(invalid(path.child("maxFailedIndexes"), maxFailed, "must be less than or equal to completions"));
      if (maxFailed !== undefined && maxFailed > MAX_FAILED_INDEXES_FOR_INDEXED_JOB) {
        errs.push(invalid(path.child("maxFailedIndexes"), maxFailed, `must be less than or equal to ${MAX_FAILED_INDEXES_FOR_INDEXED_JOB}`));
      }
      if (completions !== undefined && completions > COMPLETIONS_SOFT_LIMIT && spec.backoffLimitPerIndex != null) {
        const suffix = `when completions are above ${COMPLETIONS_SOFT_LIMIT} and used with backoff limit per index`;
        if (spec.maxFailedIndexes == null) errs.push(required(path.child("maxFailedIndexes"), `must be specified when completions is above ${COMPLETIONS_SOFT_LIMIT}`));
        if (parallelism !== undefined && parallelism > PARALLELISM_LIMIT_FOR_HIGH_COMPLETIONS) {
          errs.push(invalid(path.child("parallelism"), parallelism, `must be less than or equal to ${PARALLELISM_LIMIT_FOR_HIGH_COMPLETIONS} ${suffix}`));
        }
        if (maxFailed !== undefined && maxFailed > MAX_FAILED_INDEXES_LIMIT_FOR_HIGH_COMPLETIONS) {
          errs.push(invalid(path.child("maxFailedIndexes"), maxFailed, `must be less than or equal to ${MAX_FAILED_INDEXES_LIMIT_FOR_HIGH_COMPLETIONS} ${suffix}`));
        }
      }
    }
  }
  if (mode == null || mode === "NonIndexed") {
    if (spec.backoffLimitPerIndex != null) errs.push(invalid(path.child("backoffLimitPerIndex"), spec.backoffLimitPerIndex, "requires indexed completion mode"));
    if (spec.maxFailedIndexes != null) errs.push(invalid(path.child("maxFailedIndexes"), spec.maxFailedIndexes, "requires indexed completion mode"));
  }
  if (rec(spec.podFailurePolicy)) errs.push(...validatePodFailurePolicy(spec, path.child("podFailurePolicy"), ctx));
  const successPolicy = rec(spec.successPolicy);
  if (successPolicy) {
    if (mode !== "Indexed") errs.push(invalid(path.child("successPolicy"), successPolicy, "requires indexed completion mode", successPolicyValue(successPolicy, ctx)));
    else errs.push(...validateSuccessPolicy(spec, successPolicy, path.child("successPolicy")));
  }
  errs.push(...validatePodReplacementPolicy(spec, path.child("podReplacementPolicy")));
  errs.push(...validatePodTemplateSpec(spec.template ?? {}, path.child("template"), ctx, podOpts));
  const rp = rec(rec(spec.template)?.spec)?.restartPolicy;
  const rpPath = path.child("template").child("spec").child("restartPolicy");
  if (rp === undefined || rp === null || rp === "" || rp === "Always") errs.push(required(rpPath, 'valid values: "OnFailure", "Never"'));
  else if (rp !== "OnFailure" && rp !== "Never") errs.push(notSupported(rpPath, rp, ["OnFailure", "Never"]));
  else if (rec(spec.podFailurePolicy) && rp !== "Never") errs.push(invalid(rpPath, rp, 'only "Never" is supported when podFailurePolicy is specified'));
  return errs;
}

/** `ValidateJobSpec`: the fields, the selector, and the selector matching the template. */
function validateJobSpec(spec: Obj, path: FieldPath, ctx: ApiContext, opts: JobValidationOptions): FieldError[] {
  const errs = validateJobSpecFields(spec, path, ctx, opts.pod);
  if (!rec(spec.selector)) errs.push(required(path.child("selector"), ""));
  else errs.push(...validateLabelSelector(spec.selector, { allowInvalidLabelValueInSelector: opts.allowInvalidLabelValueInSelector }, path.child("selector")));
  const selector = parseLabelSelector(spec.selector);
  const labels = templateLabels(rec(spec.template));
  if (selector && !selector.matches(labels)) {
    errs.push(invalid(path.child("template").child("metadata").child("labels"), labels ?? null, "`selector` does not match template `labels`", labelsValue(ctx.minor, labels)));
  }
  return errs;
}

/** `ValidateJob`. */
function validateJob(o: Obj, ctx: ApiContext, opts: JobValidationOptions): FieldError[] {
  const spec = specOf(o);
  const errs = [...validateGeneratedSelector(o, opts.requirePrefixedLabels, ctx), ...validateJobSpec(spec, SPEC, ctx, opts)];
  const completions = int(spec.completions);
  if (spec.completionMode === "Indexed" && completions !== undefined && completions > 0) {
    const name = effectiveName(o);
    const hostname = `${name}-${completions - 1}`;
    if (isDNS1123Label(hostname).length > 0) {
      errs.push(invalid(FieldPath.of("metadata", "name"), name, `will not able to create pod with invalid DNS label: ${hostname}`));
    }
  }
  return errs;
}

/** `validateCompletions`: completions change only for Indexed jobs, in tandem with parallelism. */
function validateCompletions(spec: Obj, oldSpec: Obj, path: FieldPath, ctx: ApiContext): FieldError[] {
  if (spec.completionMode !== "Indexed") return validateImmutableField(spec.completions, oldSpec.completions, path, nilValue(spec.completions, ctx));
  if (semanticEqual(spec.completions, oldSpec.completions) || spec.completions == null) return [];
  return spec.completions !== spec.parallelism ? [invalid(path, spec.completions, "can only be modified in tandem with spec.parallelism")] : [];
}

/** The template fields a suspended job may change (`validatePodTemplateUpdate`). */
function mutableTemplateView(template: unknown, other: unknown, opts: JobValidationOptions): unknown {
  const t = rec(template);
  if (!t || (!opts.allowMutableSchedulingDirectives && !opts.allowMutablePodResources)) return template;
  const o = rec(other) ?? {};
  const view = structuredClone(t);
  const spec = ensure(view, "spec");
  const otherSpec = rec(o.spec) ?? {};
  if (opts.allowMutableSchedulingDirectives) {
    const meta = ensure(view, "metadata");
    const otherMeta = rec(o.metadata) ?? {};
    meta.labels = otherMeta.labels;
    meta.annotations = otherMeta.annotations;
    for (const key of ["nodeSelector", "tolerations", "schedulingGates"]) spec[key] = otherSpec[key];
    const affinity = rec(spec.affinity);
    const otherAffinity = rec(otherSpec.affinity);
    if (affinity || otherAffinity) {
      const merged: Obj = { ...(affinity ?? {}) };
      if (otherAffinity?.nodeAffinity !== undefined) merged.nodeAffinity = otherAffinity.nodeAffinity;
      else delete merged.nodeAffinity;
      spec.affinity = Object.keys(merged).length ? merged : undefined;
    }
  }
  if (opts.allowMutablePodResources) {
    spec.resources = otherSpec.resources;
    for (const key of ["containers", "initContainers"]) {
      const cs = spec[key];
      const others = otherSpec[key];
      if (!Array.isArray(cs)) continue;
      spec[key] = cs.map((c, i) => (rec(c) ? { ...(c as Obj), resources: rec(Array.isArray(others) ? others[i] : undefined)?.resources } : c));
    }
  }
  return view;
}

/** An unset (nil) value prints as the string "null" before 1.34 and as JSON null since. */
function nilValue(v: unknown, ctx: ApiContext): string | undefined {
  return v == null ? badValue(ctx.minor, () => '"null"', null) : undefined;
}

function templateImmutableValue(template: unknown, ctx: ApiContext): string {
  return badValue(ctx.minor, () => `core.PodTemplateSpec${goJSON(template)}`, template);
}

/** `ValidateJobSpecUpdate` (after `ValidateJobSpec`, which `validateJob` ran). */
function validateJobSpecUpdate(spec: Obj, oldSpec: Obj, ctx: ApiContext, opts: JobValidationOptions): FieldError[] {
  const errs = validateCompletions(spec, oldSpec, SPEC.child("completions"), ctx);
  errs.push(...validateImmutableField(spec.selector, oldSpec.selector, SPEC.child("selector"), labelSelectorValue(ctx.minor, spec.selector)));
  const oldView = mutableTemplateView(oldSpec.template, spec.template, opts);
  if (!semanticEqual(spec.template, oldView, true)) errs.push(invalid(SPEC.child("template"), spec.template ?? null, "field is immutable", templateImmutableValue(spec.template, ctx)));
  errs.push(...validateImmutableField(spec.completionMode, oldSpec.completionMode, SPEC.child("completionMode"), nilValue(spec.completionMode, ctx)));
  errs.push(...validateImmutableField(spec.podFailurePolicy, oldSpec.podFailurePolicy, SPEC.child("podFailurePolicy"), spec.podFailurePolicy == null ? nilValue(null, ctx) : badValue(ctx.minor, () => `&batch.PodFailurePolicy${goJSON(spec.podFailurePolicy)}`, spec.podFailurePolicy)));
  errs.push(...validateImmutableField(spec.backoffLimitPerIndex, oldSpec.backoffLimitPerIndex, SPEC.child("backoffLimitPerIndex"), nilValue(spec.backoffLimitPerIndex, ctx)));
  if (ctx.minor >= 30) {
    errs.push(...validateImmutableField(spec.managedBy, oldSpec.managedBy, SPEC.child("managedBy"), nilValue(spec.managedBy, ctx)));
    errs.push(...validateImmutableField(spec.successPolicy, oldSpec.successPolicy, SPEC.child("successPolicy"), rec(spec.successPolicy) ? successPolicyValue(spec.successPolicy as Obj, ctx) : nilValue(spec.successPolicy, ctx)));
  }
  return errs;
}

function conditionTrue(status: Obj | undefined, type: string): boolean {
  const conds = status?.conditions;
  return Array.isArray(conds) && conds.some((c) => rec(c)?.type === type && rec(c)?.status === "True");
}

/** `validationOptionsForJob` of the strategy. */
function validationOptions(old: Obj | undefined, ctx: ApiContext): JobValidationOptions {
  if (!old) return { requirePrefixedLabels: true };
  const oldSpec = specOf(old);
  const oldLabels = rec(templateLabels(rec(oldSpec.template)));
  const suspended = oldSpec.suspend === true;
  const status = rec(old.status);
  const notStarted = status?.startTime == null;
  // From 1.36 (Mutable*ForSuspendedJobs) a started Job that is marked suspended may change too.
  const relaxed = ctx.gate("MutableSchedulingDirectivesForSuspendedJobs") && conditionTrue(status, "Suspended");
  const mutable = suspended && (notStarted || relaxed);
  return {
    allowInvalidLabelValueInSelector: hasInvalidSelectorValues(oldSpec.selector),
    allowMutableSchedulingDirectives: mutable,
    allowMutablePodResources: mutable && ctx.gate("MutablePodResourcesForSuspendedJobs"),
    pod: podOptions(old),
    requirePrefixedLabels: !!oldLabels && Object.hasOwn(oldLabels, JOB_NAME) && Object.hasOwn(oldLabels, CONTROLLER_UID),
  };
}

/**
 * `validateJobStatus`: counters not negative, uncounted pod UIDs not empty nor repeated. (The
 * transition rules kube-apiserver adds for Jobs with managedBy are left to the Job's own controller.)
 */
function validateJobStatus(status: Obj): FieldError[] {
  const path = FieldPath.of("status");
  const errs = ["active", "succeeded", "failed", "ready", "terminating"].flatMap((k) => validateNonnegativeField(status[k], path.child(k)));
  const uncounted = rec(status.uncountedTerminatedPods);
  if (uncounted) {
    const seen = new Set<unknown>();
    for (const key of ["succeeded", "failed"]) {
      const uids = Array.isArray(uncounted[key]) ? (uncounted[key] as unknown[]) : [];
      uids.forEach((uid, i) => {
        const p = path.child("uncountedTerminatedPods").child(key).index(i);
        if (uid === "") errs.push(invalid(p, uid, "must not be empty"));
        else if (seen.has(uid)) errs.push(duplicate(p, uid));
        else seen.add(uid);
      });
    }
  }
  return errs;
}

/** `metadata.name` warning of Jobs and CronJobs: the name is used in pod names and hostnames. */
export function nameWarnings(o: Obj): string[] {
  const msgs = isDNS1123Label(effectiveName(o));
  return msgs.length ? [`metadata.name: this is used in Pod names and hostnames, which can result in surprising behavior; a DNS label is recommended: [${msgs.join(" ")}]`] : [];
}

/** `WarningsOnCreate` (the name, then `WarningsForJobSpec`'s template warnings) and `WarningsOnUpdate`. */
function jobWarnings(o: Obj, old: Obj | undefined, ctx: ApiContext): string[] {
  return [...(old ? [] : nameWarnings(o)), ...templateWarnings(o, old, ctx)];
}

function defaultedOld(old: Obj, ctx: ApiContext): Obj {
  const copy = structuredClone(old);
  setDefaultsJob(copy, ctx);
  return copy;
}

/** What kube-apiserver does to a Job. */
export const jobRules: KindRules = {
  validateStatusUpdate: (o) => validateJobStatus(rec(o.status) ?? {}),
  defaults: setDefaultsJob,
  prepareForCreate: prepareJobForCreate,
  prepareForUpdate: (o, old, ctx) => prepareJobForUpdate(o, defaultedOld(old, ctx), ctx),
  validate: (o, ctx) => (ctx.operation === "UPDATE" ? [] : validateJob(o, ctx, validationOptions(undefined, ctx))),
  validateUpdate(o, old, ctx) {
    const stored = defaultedOld(old, ctx);
    const opts = validationOptions(stored, ctx);
    // kube-apiserver runs ValidateJob and then ValidateJobUpdate, which validates the spec again; the
    // aggregated message lists each error once.
    const errs = [...validateJob(o, ctx, opts), ...validateJobSpecUpdate(specOf(o), specOf(stored), ctx, opts)];
    return errs;
  },
  warnings: jobWarnings,
};
