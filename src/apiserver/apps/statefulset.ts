/**
 * StatefulSets: `ValidateStatefulSetSpec`, `ValidatePodTemplateSpecForStatefulSet`,
 * `validateRollingUpdateStatefulSet`, `ValidatePersistentVolumeClaimRetentionPolicy` and
 * `ValidateStatefulSetUpdate` (pkg/apis/apps/validation), with the strategy's preparation
 * (pkg/registry/apps/statefulset). What changed by minor: `serviceName` must be a DNS label from
 * 1.33, where `revisionHistoryLimit` also became mutable; from 1.34 the pod template is validated in
 * full (claim templates counted as volumes, hostname and subdomain left to the controller) and so
 * are the claim templates' specs (on create: stored ones are tolerated).
 */
import type { ApiContext } from "../context.js";
import { FieldPath, forbidden, goQuote, invalid, notSupported, required, type FieldError } from "../field.js";
import type { KindRules } from "../registry.js";
import { validatePersistentVolumeClaimSpec } from "../core/persistent-volumes.js";
import { validatePodTemplateSpec, type PodValidationOptions } from "../core/pod.js";
import { claimSpecWarnings } from "../core/pod-warnings.js";
import { asEmbedded } from "../core/pod-spec.js";
import {
  badValue,
  goIntOrString,
  goPointer,
  isDNS1123Label,
  labelSelectorValue,
  semanticEqual,
  validateAnnotations,
  validateLabels,
  validateNonnegativeField,
} from "../validation/index.js";
import { validateStatefulSetStatusUpdate } from "./status.js";
import { setDefaultsStatefulSet } from "./defaults.js";
import { defaultedOld } from "./deployment.js";
import { getIntOrPercentValue, isNotMoreThan100Percent, validatePositiveIntOrPercent } from "./intstr.js";
import { asSelector, dropTemplateFields, podOptions, prepareCreate, prepareUpdate, rec, selectorMismatch, specOf, str, templateLabels, templateWarnings, validateAlwaysRestart, validateRequiredSelector, type Obj } from "./workload.js";

const SPEC = FieldPath.of("spec");

/** `StatefulSetValidationOptions`. */
interface StatefulSetValidationOptions {
  /** The pod validation options (the stored template on updates). */
  pod?: PodValidationOptions;
  allowInvalidServiceName?: boolean;
  skipValidatePodTemplateSpec?: boolean;
  skipValidateVolumeClaimTemplates?: boolean;
}

function rollingUpdateJSON(ru: Obj | undefined): unknown {
  return ru ? { Partition: ru.partition ?? 0, MaxUnavailable: ru.maxUnavailable ?? null } : null;
}

function goRollingUpdate(ru: Obj): string {
  return `apps.RollingUpdateStatefulSetStrategy{Partition:${typeof ru.partition === "number" ? ru.partition : 0}, MaxUnavailable:${goPointer("intstr.IntOrString", ru.maxUnavailable)}}`;
}

/** `validateRollingUpdateStatefulSet`. */
function validateRollingUpdateStatefulSet(ru: Obj, path: FieldPath, ctx: ApiContext): FieldError[] {
  const errs = validateNonnegativeField(ru.partition, path.child("partition"));
  const mu = ru.maxUnavailable;
  if (mu !== undefined && mu !== null) {
    const p = path.child("maxUnavailable");
    errs.push(...validatePositiveIntOrPercent(mu, p, ctx));
    if (getIntOrPercentValue(mu) === 0) errs.push(invalid(p, mu, "cannot be 0", badValue(ctx.minor, () => goIntOrString(mu), mu)));
    errs.push(...isNotMoreThan100Percent(mu, p, ctx));
  }
  return errs;
}

function validateUpdateStrategy(strategy: Obj, path: FieldPath, ctx: ApiContext): FieldError[] {
  const ru = rec(strategy.rollingUpdate);
  switch (strategy.type) {
    case "":
    case undefined:
    case null:
      return [required(path, "")];
    case "OnDelete":
      return ru ? [invalid(path.child("rollingUpdate"), ru, "only allowed for updateStrategy 'RollingUpdate'", badValue(ctx.minor, () => goRollingUpdate(ru), rollingUpdateJSON(ru)))] : [];
    case "RollingUpdate":
      return ru ? validateRollingUpdateStatefulSet(ru, path.child("rollingUpdate"), ctx) : [];
    default: {
      const display = badValue(
        ctx.minor,
        () => `apps.StatefulSetUpdateStrategy{Type:${goQuote(str(strategy.type) ?? "")}, RollingUpdate:${goPointer("apps.RollingUpdateStatefulSetStrategy", ru)}}`,
        { Type: strategy.type, RollingUpdate: rollingUpdateJSON(ru) },
      );
      return [invalid(path, strategy, "must be 'RollingUpdate' or 'OnDelete'", display)];
    }
  }
}

function validateRetentionPolicy(policy: unknown, path: FieldPath): FieldError[] {
  const p = rec(policy);
  if (!p) return [];
  const errs: FieldError[] = [];
  for (const key of ["whenDeleted", "whenScaled"]) {
    const v = p[key];
    if (v !== "Retain" && v !== "Delete") errs.push(notSupported(path.child(key), v ?? "", ["Retain", "Delete"]));
  }
  return errs;
}

/**
 * The template as 1.34+ validates it: `hostname` and `subdomain` cleared (the controller sets them)
 * and a PVC volume for each claim template, ahead of the template's other volumes.
 */
function templateToValidate(spec: Obj): unknown {
  const template = rec(spec.template);
  const podSpec = rec(template?.spec);
  const claims = Array.isArray(spec.volumeClaimTemplates) ? spec.volumeClaimTemplates : [];
  if (!template || !podSpec || (!podSpec.subdomain && !podSpec.hostname && claims.length === 0)) return spec.template;
  const copySpec: Obj = { ...podSpec };
  const copy: Obj = { ...template, spec: copySpec };
  delete copySpec.subdomain;
  delete copySpec.hostname;
  if (claims.length > 0) {
    const added = new Map<string, Obj>();
    for (const c of claims) {
      const name = str(rec(rec(c)?.metadata)?.name) ?? "";
      added.set(name, { name, persistentVolumeClaim: { claimName: name } });
    }
    const own = Array.isArray(copySpec.volumes) ? copySpec.volumes : [];
    copySpec.volumes = [...added.values(), ...own.filter((v) => !added.has(str(rec(v)?.name) ?? ""))];
  }
  return copy;
}

/** `ValidatePodTemplateSpecForStatefulSet`. */
function validatePodTemplateSpecForStatefulSet(spec: Obj, path: FieldPath, ctx: ApiContext, setOpts: StatefulSetValidationOptions): FieldError[] {
  const errs: FieldError[] = [];
  const selector = asSelector(spec.selector);
  const template = rec(spec.template);
  const labels = templateLabels(template);
  if (selector && !selector.empty && !selector.matches(labels)) errs.push(selectorMismatch(path, labels, ctx));
  if (ctx.minor >= 34 && !setOpts.skipValidatePodTemplateSpec) errs.push(...validatePodTemplateSpec(templateToValidate(spec) ?? {}, path, ctx, setOpts.pod ?? {}));
  // Printed as Kubernetes names the embedded ObjectMeta (`spec.template.labels`), located at the user's metadata.
  const metaPath = path.child("metadata");
  errs.push(...asEmbedded([...validateLabels(labels, metaPath.child("labels")), ...validateAnnotations(rec(template?.metadata)?.annotations, metaPath.child("annotations"))], metaPath, path));
  return errs;
}

/** `ValidateStatefulSetSpec`. */
export function validateStatefulSetSpec(spec: Obj, path: FieldPath, ctx: ApiContext, setOpts: StatefulSetValidationOptions): FieldError[] {
  const errs: FieldError[] = [];
  const pmp = spec.podManagementPolicy;
  if (pmp === "" || pmp === undefined || pmp === null) errs.push(required(path.child("podManagementPolicy"), ""));
  else if (pmp !== "OrderedReady" && pmp !== "Parallel") errs.push(invalid(path.child("podManagementPolicy"), pmp, "must be 'OrderedReady' or 'Parallel'"));
  errs.push(...validateUpdateStrategy(rec(spec.updateStrategy) ?? {}, path.child("updateStrategy"), ctx));
  errs.push(...validateRetentionPolicy(spec.persistentVolumeClaimRetentionPolicy, path.child("persistentVolumeClaimRetentionPolicy")));
  if (ctx.minor >= 34 && !setOpts.skipValidateVolumeClaimTemplates && Array.isArray(spec.volumeClaimTemplates)) {
    spec.volumeClaimTemplates.forEach((claim, i) => {
      errs.push(...validatePersistentVolumeClaimSpec(rec(rec(claim)?.spec) ?? {}, path.child("volumeClaimTemplates").index(i).child("spec"), ctx));
    });
  }
  errs.push(...validateNonnegativeField(spec.replicas, path.child("replicas")));
  errs.push(...validateNonnegativeField(spec.minReadySeconds, path.child("minReadySeconds")));
  const ordinals = rec(spec.ordinals);
  if (ordinals) errs.push(...validateNonnegativeField(ordinals.start, path.child("ordinals").child("start")));
  const serviceName = str(spec.serviceName);
  if (ctx.minor >= 33 && !setOpts.allowInvalidServiceName && serviceName) {
    for (const msg of isDNS1123Label(serviceName)) errs.push(invalid(path.child("serviceName"), serviceName, msg));
  }
  errs.push(...validateRequiredSelector(spec.selector, path.child("selector"), "statefulset", ctx));
  if (!asSelector(spec.selector)) errs.push(invalid(path.child("selector"), spec.selector, "", labelSelectorValue(ctx.minor, spec.selector)));
  else errs.push(...validatePodTemplateSpecForStatefulSet(spec, path.child("template"), ctx, setOpts));
  errs.push(...validateAlwaysRestart(rec(spec.template), path.child("template"), "StatefulSet"));
  return errs;
}

/** The fields an update may change, and the message naming them, by minor. */
function mutableFields(minor: number): { fields: string[]; message: string } {
  if (minor >= 33) {
    return {
      fields: ["replicas", "ordinals", "template", "updateStrategy", "revisionHistoryLimit", "persistentVolumeClaimRetentionPolicy", "minReadySeconds"],
      message:
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    };
  }
  return {
    fields: ["replicas", "ordinals", "template", "updateStrategy", "persistentVolumeClaimRetentionPolicy", "minReadySeconds"],
    message: "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
  };
}

/** Claim templates compared as Go compares them: the type and creation time the server adds are not the user's changes. */
function comparableSpec(spec: Obj, skip: readonly string[]): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(spec)) {
    if (skip.includes(k)) continue;
    if (k === "volumeClaimTemplates" && Array.isArray(v)) {
      out[k] = v.map((c) => {
        const claim = rec(c);
        if (!claim) return c;
        const { apiVersion: _a, kind: _k, ...rest } = claim;
        const meta = rec(rest.metadata);
        if (meta && "creationTimestamp" in meta) {
          const { creationTimestamp: _c, ...m } = meta;
          rest.metadata = m;
        }
        return rest;
      });
    } else out[k] = v;
  }
  return out;
}

/** `ValidateStatefulSetUpdate` (with the spec validation it starts with). */
export function validateStatefulSetUpdate(o: Obj, old: Obj, ctx: ApiContext): FieldError[] {
  const spec = specOf(o);
  const oldSpec = specOf(old);
  const setOpts: StatefulSetValidationOptions = { allowInvalidServiceName: ctx.minor >= 33, skipValidateVolumeClaimTemplates: true, pod: podOptions(old) };
  if (ctx.minor >= 34 && validateStatefulSetSpec(oldSpec, SPEC, ctx, setOpts).length > 0) setOpts.skipValidatePodTemplateSpec = true;
  const errs = validateStatefulSetSpec(spec, SPEC, ctx, setOpts);
  const { fields, message } = mutableFields(ctx.minor);
  if (!semanticEqual(comparableSpec(spec, fields), comparableSpec(oldSpec, fields), true)) errs.push(forbidden(SPEC, message));
  return errs;
}

function maxUnavailableInUse(o: Obj | undefined): boolean {
  const mu = rec(rec(rec(o?.spec)?.updateStrategy)?.rollingUpdate)?.maxUnavailable;
  return mu !== undefined && mu !== null;
}

/** `dropStatefulSetDisabledFields`: maxUnavailable needs the MaxUnavailableStatefulSet gate (or an old object using it). */
function dropDisabledFields(o: Obj, old: Obj | undefined, ctx: ApiContext): void {
  if (ctx.gate("MaxUnavailableStatefulSet") || maxUnavailableInUse(old)) return;
  const ru = rec(rec(specOf(o).updateStrategy)?.rollingUpdate);
  if (ru) delete ru.maxUnavailable;
}

/** What kube-apiserver does to a StatefulSet. */
export const statefulSetRules: KindRules = {
  validateStatusUpdate: (o, old) => validateStatefulSetStatusUpdate(o, old),
  defaults: setDefaultsStatefulSet,
  prepareForCreate(o, ctx) {
    prepareCreate(o, { replicas: 0, availableReplicas: 0 });
    dropDisabledFields(o, undefined, ctx);
    dropTemplateFields(o, undefined, ctx);
  },
  prepareForUpdate(o, old, ctx) {
    const stored = defaultedOld(old, setDefaultsStatefulSet, ctx);
    dropDisabledFields(o, stored, ctx);
    dropTemplateFields(o, stored, ctx);
    prepareUpdate(o, stored);
  },
  validate: (o, ctx) => (ctx.operation === "UPDATE" ? [] : validateStatefulSetSpec(specOf(o), SPEC, ctx, {})),
  validateUpdate: (o, old, ctx) => validateStatefulSetUpdate(o, defaultedOld(old, setDefaultsStatefulSet, ctx), ctx),
  warnings: statefulSetWarnings,
};

/**
 * The strategy's `WarningsOnCreate`/`WarningsOnUpdate`: the pod template's warnings, then each
 * claim template's spec warnings (`GetWarningsForPersistentVolumeClaimSpec`), named
 * `spec.volumeClaimTemplates[i].…` on create and `spec.volumeClaimTemplates[i].Spec.…` on update,
 * as Go names them.
 */
function statefulSetWarnings(o: Obj, old: Obj | undefined, ctx: ApiContext): string[] {
  const out = templateWarnings(o, old, ctx);
  const claims = rec(o.spec)?.volumeClaimTemplates;
  if (Array.isArray(claims)) {
    claims.forEach((claim: unknown, i) => {
      const at = SPEC.child("volumeClaimTemplates").index(i);
      out.push(...claimSpecWarnings(rec(rec(claim)?.spec) ?? {}, old ? at.child("Spec") : at));
    });
  }
  return out;
}
