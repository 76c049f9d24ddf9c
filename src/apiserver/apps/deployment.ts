/**
 * Deployments and ReplicaSets: `ValidateDeploymentSpec`, `ValidateDeploymentStrategy`,
 * `ValidateRollingUpdateDeployment`, `ValidateReplicaSetSpec` and their update rules
 * (pkg/apis/apps/validation), with the registry strategies' preparation
 * (pkg/registry/apps/deployment, pkg/registry/apps/replicaset).
 */
import type { ApiContext } from "../context.js";
import { FieldPath, forbidden, goQuote, invalid, notSupported, required, type FieldError } from "../field.js";
import type { KindRules } from "../registry.js";
import { badValue, goIntOrString, goPointer, labelSelectorValue, semanticEqual, validateImmutableField, validateNonnegativeField } from "../validation/index.js";
import { validateDeploymentStatusUpdate, validateReplicaSetStatusUpdate } from "./status.js";
import { setDefaultsDeployment, setDefaultsReplicaSet } from "./defaults.js";
import { getIntOrPercentValue, isNotMoreThan100Percent, validatePositiveIntOrPercent } from "./intstr.js";
import type { PodValidationOptions } from "../core/pod.js";
import { asSelector, dropTemplateFields, int, podOptions, prepareCreate, prepareUpdate, rec, specOf, str, templateWarnings, validatePodTemplateSpecForReplicaSet, validateRequiredSelector, type Obj } from "./workload.js";

const SPEC = FieldPath.of("spec");

/** `ValidateRollingUpdateDeployment`. */
function validateRollingUpdateDeployment(ru: Obj, path: FieldPath, ctx: ApiContext): FieldError[] {
  const mu = ru.maxUnavailable;
  const ms = ru.maxSurge;
  const errs = [...validatePositiveIntOrPercent(mu, path.child("maxUnavailable"), ctx), ...validatePositiveIntOrPercent(ms, path.child("maxSurge"), ctx)];
  if (getIntOrPercentValue(mu) === 0 && getIntOrPercentValue(ms) === 0) {
    errs.push(invalid(path.child("maxUnavailable"), mu ?? 0, "may not be 0 when `maxSurge` is 0", badValue(ctx.minor, () => goIntOrString(mu), mu ?? 0)));
  }
  errs.push(...isNotMoreThan100Percent(mu, path.child("maxUnavailable"), ctx));
  return errs;
}

function strategyValue(strategy: Obj, ctx: ApiContext): string {
  const ru = rec(strategy.rollingUpdate);
  return badValue(
    ctx.minor,
    () => `apps.DeploymentStrategy{Type:${goQuote(str(strategy.type) ?? "")}, RollingUpdate:${goPointer("apps.RollingUpdateDeployment", ru)}}`,
    { Type: strategy.type ?? "", RollingUpdate: ru ? { MaxUnavailable: ru.maxUnavailable ?? 0, MaxSurge: ru.maxSurge ?? 0 } : null },
  );
}

/** `ValidateDeploymentStrategy`. */
function validateDeploymentStrategy(strategy: Obj, path: FieldPath, ctx: ApiContext): FieldError[] {
  const ru = rec(strategy.rollingUpdate);
  switch (strategy.type) {
    case "Recreate":
      return strategy.rollingUpdate !== undefined && strategy.rollingUpdate !== null
        ? [forbidden(path.child("rollingUpdate"), "may not be specified when strategy `type` is 'Recreate'")]
        : [];
    case "RollingUpdate":
      return ru ? validateRollingUpdateDeployment(ru, path.child("rollingUpdate"), ctx) : [required(path.child("rollingUpdate"), "this should be defaulted and never be nil")];
    default:
      return [{ ...notSupported(path, strategy.type ?? "", ["Recreate", "RollingUpdate"]), display: strategyValue(strategy, ctx) }];
  }
}

/** `ValidateDeploymentSpec` (apps/v1 has no `rollbackTo`, so `ValidateRollback` never applies). */
export function validateDeploymentSpec(spec: Obj, path: FieldPath, ctx: ApiContext, opts: PodValidationOptions = {}): FieldError[] {
  const errs = validateNonnegativeField(spec.replicas, path.child("replicas"));
  errs.push(...validateRequiredSelector(spec.selector, path.child("selector"), "deployment", ctx));
  const selector = asSelector(spec.selector);
  if (!selector) errs.push(invalid(path.child("selector"), spec.selector, "invalid label selector", labelSelectorValue(ctx.minor, spec.selector)));
  else errs.push(...validatePodTemplateSpecForReplicaSet(spec.template, selector, path.child("template"), ctx, opts));
  errs.push(...validateDeploymentStrategy(rec(spec.strategy) ?? {}, path.child("strategy"), ctx));
  errs.push(...validateNonnegativeField(spec.minReadySeconds, path.child("minReadySeconds")));
  errs.push(...validateNonnegativeField(spec.revisionHistoryLimit, path.child("revisionHistoryLimit")));
  const pds = int(spec.progressDeadlineSeconds);
  if (pds !== undefined) {
    errs.push(...validateNonnegativeField(pds, path.child("progressDeadlineSeconds")));
    if (pds <= (int(spec.minReadySeconds) ?? 0)) errs.push(invalid(path.child("progressDeadlineSeconds"), pds, "must be greater than minReadySeconds"));
  }
  return errs;
}

/** `ValidateReplicaSetSpec` (its empty-selector message says "deployment", as Kubernetes' does). */
export function validateReplicaSetSpec(spec: Obj, path: FieldPath, ctx: ApiContext, opts: PodValidationOptions = {}): FieldError[] {
  const errs = [...validateNonnegativeField(spec.replicas, path.child("replicas")), ...validateNonnegativeField(spec.minReadySeconds, path.child("minReadySeconds"))];
  errs.push(...validateRequiredSelector(spec.selector, path.child("selector"), "deployment", ctx));
  const selector = asSelector(spec.selector);
  if (!selector) errs.push(invalid(path.child("selector"), spec.selector, "invalid label selector", labelSelectorValue(ctx.minor, spec.selector)));
  else errs.push(...validatePodTemplateSpecForReplicaSet(spec.template, selector, path.child("template"), ctx, opts));
  return errs;
}

/** apps/v1 selectors are immutable (`ValidateImmutableField(spec.selector)`). */
export function validateSelectorImmutable(spec: Obj, oldSpec: Obj, ctx: ApiContext): FieldError[] {
  return validateImmutableField(spec.selector, oldSpec.selector, SPEC.child("selector"), labelSelectorValue(ctx.minor, spec.selector));
}

function defaultedOld(old: Obj, defaults: (o: Obj, ctx: ApiContext) => void, ctx: ApiContext): Obj {
  const copy = structuredClone(old);
  defaults(copy, ctx);
  return copy;
}

/** What kube-apiserver does to a Deployment. */
export const deploymentRules: KindRules = {
  validateStatusUpdate: (o, old) => validateDeploymentStatusUpdate(o, old),
  defaults: setDefaultsDeployment,
  prepareForCreate(o, ctx) {
    prepareCreate(o);
    dropTemplateFields(o, undefined, ctx);
  },
  prepareForUpdate(o, old, ctx) {
    const stored = defaultedOld(old, setDefaultsDeployment, ctx);
    dropTemplateFields(o, stored, ctx);
    prepareUpdate(o, stored, !semanticEqual(o.spec, stored.spec, true) || !semanticEqual(rec(o.metadata)?.annotations, rec(stored.metadata)?.annotations));
  },
  // On updates the spec is validated by validateUpdate (`ValidateDeploymentUpdate`), as the strategy does.
  validate: (o, ctx) => (ctx.operation === "UPDATE" ? [] : validateDeploymentSpec(specOf(o), SPEC, ctx)),
  validateUpdate(o, old, ctx) {
    const stored = defaultedOld(old, setDefaultsDeployment, ctx);
    return [...validateDeploymentSpec(specOf(o), SPEC, ctx, podOptions(stored)), ...validateSelectorImmutable(specOf(o), specOf(stored), ctx)];
  },
  warnings: templateWarnings,
};

/** What kube-apiserver does to a ReplicaSet. */
export const replicaSetRules: KindRules = {
  validateStatusUpdate: (o) => validateReplicaSetStatusUpdate(o),
  defaults: setDefaultsReplicaSet,
  prepareForCreate(o, ctx) {
    prepareCreate(o, { replicas: 0 });
    dropTemplateFields(o, undefined, ctx);
  },
  prepareForUpdate(o, old, ctx) {
    const stored = defaultedOld(old, setDefaultsReplicaSet, ctx);
    dropTemplateFields(o, stored, ctx);
    prepareUpdate(o, stored);
  },
  validate: (o, ctx) => (ctx.operation === "UPDATE" ? [] : validateReplicaSetSpec(specOf(o), SPEC, ctx)),
  validateUpdate(o, old, ctx) {
    const stored = defaultedOld(old, setDefaultsReplicaSet, ctx);
    return [...validateReplicaSetSpec(specOf(o), SPEC, ctx, podOptions(stored)), ...validateSelectorImmutable(specOf(o), specOf(stored), ctx)];
  },
  warnings: templateWarnings,
};

export { defaultedOld };
