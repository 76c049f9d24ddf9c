/**
 * DaemonSets and ControllerRevisions: `ValidateDaemonSetSpec`, `ValidateDaemonSetUpdateStrategy`,
 * `ValidateRollingUpdateDaemonSet`, `ValidateDaemonSetUpdate` and `ValidateControllerRevision`
 * (pkg/apis/apps/validation), with the strategies' preparation.
 */
import type { ApiContext } from "../context.js";
import { FieldPath, goQuote, invalid, notSupported, required, type FieldError } from "../field.js";
import type { KindRules } from "../registry.js";
import { validatePodTemplateSpec, type PodValidationOptions } from "../core/pod.js";
import { badValue, goIntOrString, goJSON, goPointer, hasInvalidSelectorValues, labelSelectorValue, semanticEqual, validateImmutableField, validateLabelSelector, validateNonnegativeField } from "../validation/index.js";
import { isRecord } from "../../meta/values.js";
import { validateDaemonSetStatusUpdate } from "./status.js";
import { setDefaultsDaemonSet } from "./defaults.js";
import { defaultedOld, validateSelectorImmutable } from "./deployment.js";
import { getIntOrPercentValue, isNotMoreThan100Percent, validatePositiveIntOrPercent } from "./intstr.js";
import { asSelector, dropTemplateFields, isEmptySelector, podOptions, prepareCreate, prepareUpdate, rec, selectorMismatch, specOf, str, templateLabels, templateWarnings, validateAlwaysRestart, type Obj } from "./workload.js";

const SPEC = FieldPath.of("spec");

/** `ValidateRollingUpdateDaemonSet`: exactly one of maxSurge and maxUnavailable is non-zero. */
function validateRollingUpdateDaemonSet(ru: Obj, path: FieldPath, ctx: ApiContext): FieldError[] {
  const mu = ru.maxUnavailable;
  const ms = ru.maxSurge;
  const errs = [
    ...validatePositiveIntOrPercent(mu, path.child("maxUnavailable"), ctx),
    ...validatePositiveIntOrPercent(ms, path.child("maxSurge"), ctx),
    ...isNotMoreThan100Percent(mu, path.child("maxUnavailable"), ctx),
    ...isNotMoreThan100Percent(ms, path.child("maxSurge"), ctx),
  ];
  const hasUnavailable = getIntOrPercentValue(mu) !== 0;
  const hasSurge = getIntOrPercentValue(ms) !== 0;
  if (hasUnavailable && hasSurge) {
    errs.push(invalid(path.child("maxSurge"), ms, "may not be set when maxUnavailable is non-zero", badValue(ctx.minor, () => goIntOrString(ms), ms)));
  } else if (!hasUnavailable && !hasSurge) {
    errs.push(required(path.child("maxUnavailable"), "cannot be 0 when maxSurge is 0"));
  }
  return errs;
}

/** `ValidateDaemonSetUpdateStrategy`. */
function validateDaemonSetUpdateStrategy(strategy: Obj, path: FieldPath, ctx: ApiContext): FieldError[] {
  const ru = rec(strategy.rollingUpdate);
  switch (strategy.type) {
    case "OnDelete":
      return [];
    case "RollingUpdate":
      return ru ? validateRollingUpdateDaemonSet(ru, path.child("rollingUpdate"), ctx) : [required(path.child("rollingUpdate"), "")];
    default: {
      const display = badValue(
        ctx.minor,
        () => `apps.DaemonSetUpdateStrategy{Type:${goQuote(str(strategy.type) ?? "")}, RollingUpdate:${goPointer("apps.RollingUpdateDaemonSet", ru)}}`,
        { Type: strategy.type ?? "", RollingUpdate: ru ? { MaxUnavailable: ru.maxUnavailable ?? 0, MaxSurge: ru.maxSurge ?? 0 } : null },
      );
      return [{ ...notSupported(path, strategy.type ?? "", ["RollingUpdate", "OnDelete"]), display }];
    }
  }
}

/** `ValidateDaemonSetSpec`. */
export function validateDaemonSetSpec(spec: Obj, path: FieldPath, ctx: ApiContext, allowInvalidLabelValueInSelector = false, opts: PodValidationOptions = {}): FieldError[] {
  const errs = validateLabelSelector(spec.selector, { allowInvalidLabelValueInSelector }, path.child("selector"));
  const selector = asSelector(spec.selector);
  const template = rec(spec.template);
  const labels = templateLabels(template);
  if (selector && !selector.matches(labels)) errs.push(selectorMismatch(path.child("template"), labels, ctx));
  const sel = rec(spec.selector);
  if (sel && isEmptySelector(sel)) errs.push(invalid(path.child("selector"), sel, "empty selector is invalid for daemonset", labelSelectorValue(ctx.minor, sel)));
  errs.push(...validatePodTemplateSpec(spec.template ?? {}, path.child("template"), ctx, opts));
  errs.push(...validateAlwaysRestart(template, path.child("template"), "DaemonSet"));
  errs.push(...validateNonnegativeField(spec.minReadySeconds, path.child("minReadySeconds")));
  errs.push(...validateDaemonSetUpdateStrategy(rec(spec.updateStrategy) ?? {}, path.child("updateStrategy"), ctx));
  errs.push(...validateNonnegativeField(spec.revisionHistoryLimit, path.child("revisionHistoryLimit")));
  return errs;
}

/**
 * `ValidateDaemonSetUpdate`: the spec again (a stored selector's invalid values tolerated), and the selector immutable (checked in
 * `ValidateDaemonSetSpecUpdate`, ahead of the spec, from 1.34; after it, in the strategy, before).
 */
export function validateDaemonSetUpdate(o: Obj, old: Obj, ctx: ApiContext): FieldError[] {
  const spec = specOf(o);
  const immutable = validateSelectorImmutable(spec, specOf(old), ctx);
  const specErrs = validateDaemonSetSpec(spec, SPEC, ctx, hasInvalidSelectorValues(specOf(old).selector), podOptions(old));
  return ctx.minor >= 34 ? [...immutable, ...specErrs] : [...specErrs, ...immutable];
}

/** apps/v1 carries the internal `spec.templateGeneration` in this annotation. */
const TEMPLATE_GENERATION = "deprecated.daemonset.template.generation";

function templateGeneration(o: Obj): number {
  const v = rec(rec(o.metadata)?.annotations)?.[TEMPLATE_GENERATION];
  return typeof v === "string" && /^-?\d+$/.test(v) ? Number(v) : 0;
}

function setTemplateGeneration(o: Obj, generation: number): void {
  const meta = rec(o.metadata) ?? {};
  o.metadata = meta;
  meta.annotations = { ...(rec(meta.annotations) ?? {}), [TEMPLATE_GENERATION]: String(generation) };
}

/** The DaemonSet strategy: template generation 1 on create, one more whenever the template changes. */
function prepareDaemonSetForUpdate(o: Obj, old: Obj): void {
  const oldGeneration = templateGeneration(old);
  const templateChanged = !semanticEqual(specOf(o).template, specOf(old).template, true);
  if (oldGeneration > 0 || templateGeneration(o) > 0) setTemplateGeneration(o, templateChanged ? oldGeneration + 1 : oldGeneration);
  prepareUpdate(o, old);
}

/** What kube-apiserver does to a DaemonSet. */
export const daemonSetRules: KindRules = {
  validateStatusUpdate: (o, old) => validateDaemonSetStatusUpdate(o, old),
  defaults: setDefaultsDaemonSet,
  prepareForCreate(o, ctx) {
    prepareCreate(o, { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 });
    dropTemplateFields(o, undefined, ctx);
    if (templateGeneration(o) < 1) setTemplateGeneration(o, 1);
  },
  prepareForUpdate(o, old, ctx) {
    const stored = defaultedOld(old, setDefaultsDaemonSet, ctx);
    dropTemplateFields(o, stored, ctx);
    prepareDaemonSetForUpdate(o, stored);
  },
  validate: (o, ctx) => (ctx.operation === "UPDATE" ? [] : validateDaemonSetSpec(specOf(o), SPEC, ctx)),
  validateUpdate: (o, old, ctx) => validateDaemonSetUpdate(o, defaultedOld(old, setDefaultsDaemonSet, ctx), ctx),
  warnings: templateWarnings,
};

/** `ValidateControllerRevision` (on create from 1.35 `ValidateControllerRevisionCreate`: the data must be a JSON object). */
function validateControllerRevision(o: Obj, ctx: ApiContext, create: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (o.data === undefined || o.data === null) errs.push(required(FieldPath.of("data"), "data is mandatory"));
  else if (create && ctx.minor >= 35 && !isRecord(o.data)) errs.push(required(FieldPath.of("data"), "data must be a valid JSON object"));
  errs.push(...validateNonnegativeField(o.revision, FieldPath.of("revision")));
  return errs;
}

/** The JSON a client sends for a value read from YAML (kubectl marshals maps with sorted keys). */
function sortedDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortedDeep);
  if (!isRecord(v)) return v;
  const out: Obj = {};
  for (const k of Object.keys(v).sort()) out[k] = sortedDeep(v[k]);
  return out;
}

/** Go's `%#v` of the `runtime.RawExtension` holding a value (its compact JSON bytes). */
function goRawExtension(v: unknown): string {
  const bytes = [...Buffer.from(goJSON(sortedDeep(v)), "utf8")].map((b) => `0x${b.toString(16)}`);
  return `runtime.RawExtension{Raw:[]uint8{${bytes.join(", ")}}, Object:runtime.Object(nil)}`;
}

/** What kube-apiserver does to a ControllerRevision: its data never changes. */
export const controllerRevisionRules: KindRules = {
  validate: (o, ctx) => (ctx.operation === "UPDATE" ? [] : validateControllerRevision(o, ctx, true)),
  validateUpdate: (o, old, ctx) => [
    ...validateControllerRevision(o, ctx, false),
    ...validateImmutableField(o.data, old.data, FieldPath.of("data"), badValue(ctx.minor, () => goRawExtension(o.data), sortedDeep(o.data))),
  ],
};
