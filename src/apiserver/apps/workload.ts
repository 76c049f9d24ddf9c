/**
 * What the workload kinds of apps (and batch) share: reading the JSON object as the internal type
 * sees it, the selector/template checks of `ValidatePodTemplateSpecForReplicaSet`, and the
 * strategies' generation and status handling.
 */
import type { ApiContext } from "../context.js";
import { FieldPath, forbidden, invalid, notSupported, required, type FieldError } from "../field.js";
import { isRecord } from "../../meta/values.js";
import { labelSelectorValue, labelsValue, parseLabelSelector, semanticEqual, validateLabelSelector, type ParsedSelector } from "../validation/index.js";
import { dropDisabledPodTemplateFields, podTemplateWarnings, validatePodTemplateSpec, type PodValidationOptions } from "../core/pod.js";

/** A JSON object. */
export type Obj = Record<string, unknown>;

/** The member as an object, or undefined. */
export function rec(v: unknown): Obj | undefined {
  return isRecord(v) ? v : undefined;
}

/** The member as an object, created (empty) when absent, for defaulting in place. */
export function ensure(holder: Obj, key: string): Obj {
  const v = holder[key];
  if (isRecord(v)) return v;
  const created: Obj = {};
  holder[key] = created;
  return created;
}

/** An integer member (JSON numbers only; other types are the schema's to report). */
export function int(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

/** A string member. */
export function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/** `spec` of an object (created when absent, as the internal type always has one). */
export function specOf(o: Obj): Obj {
  return ensure(o, "spec");
}

/** The object's `metadata.labels` of a template. */
export function templateLabels(template: Obj | undefined): unknown {
  return rec(template?.metadata)?.labels;
}

/**
 * The name the object will have when it is stored: `metadata.name`, or the name the server would
 * generate from `generateName` (its prefix cut to 58 characters plus five random characters).
 */
export function effectiveName(o: Obj): string {
  const meta = rec(o.metadata);
  const name = str(meta?.name);
  if (name) return name;
  const prefix = str(meta?.generateName);
  return prefix ? `${prefix.slice(0, 58)}xxxxx` : "";
}

/** `len(selector.MatchLabels)+len(selector.MatchExpressions) == 0`. */
export function isEmptySelector(selector: Obj): boolean {
  const ml = rec(selector.matchLabels);
  const me = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  return (ml ? Object.keys(ml).length : 0) + me.length === 0;
}

/**
 * The strict selector checks of Deployments, ReplicaSets and StatefulSets: required, valid, not
 * empty (`empty selector is invalid for <what>`).
 */
export function validateRequiredSelector(selector: unknown, path: FieldPath, emptyWhat: string, ctx: ApiContext): FieldError[] {
  const sel = rec(selector);
  if (!sel) return [required(path, "")];
  const errs = validateLabelSelector(sel, { allowInvalidLabelValueInSelector: false }, path);
  if (isEmptySelector(sel)) errs.push(invalid(path, sel, `empty selector is invalid for ${emptyWhat}`, labelSelectorValue(ctx.minor, sel)));
  return errs;
}

/** `field.Invalid(template.metadata.labels, …, "`selector` does not match template `labels`")`. */
export function selectorMismatch(templatePath: FieldPath, labels: unknown, ctx: ApiContext): FieldError {
  return invalid(templatePath.child("metadata").child("labels"), labels ?? null, "`selector` does not match template `labels`", labelsValue(ctx.minor, labels));
}

/** The template's pod spec restart policy as validation sees it (`Always` when unset, as `SetDefaults_PodSpec` makes it). */
export function restartPolicyOf(template: Obj | undefined): unknown {
  const rp = rec(template?.spec)?.restartPolicy;
  return rp === undefined || rp === null ? "Always" : rp;
}

/**
 * `ValidatePodTemplateSpecForReplicaSet`: the selector matches the template labels, the pod template
 * is valid, restartPolicy is Always and activeDeadlineSeconds is unset.
 */
export function validatePodTemplateSpecForReplicaSet(template: unknown, selector: ParsedSelector, path: FieldPath, ctx: ApiContext, opts: PodValidationOptions): FieldError[] {
  const errs: FieldError[] = [];
  const t = rec(template);
  if (!selector.empty && !selector.matches(templateLabels(t))) errs.push(selectorMismatch(path, templateLabels(t), ctx));
  errs.push(...validatePodTemplateSpec(template ?? {}, path, ctx, opts));
  errs.push(...validateAlwaysRestart(t, path, "ReplicaSet"));
  return errs;
}

/** restartPolicy must be Always and activeDeadlineSeconds unset (`activeDeadlineSeconds in <kind> is not Supported`). */
export function validateAlwaysRestart(template: Obj | undefined, path: FieldPath, kind: string): FieldError[] {
  const errs: FieldError[] = [];
  const rp = restartPolicyOf(template);
  if (rp !== "Always") errs.push(notSupported(path.child("spec").child("restartPolicy"), rp, ["Always"]));
  const ads = rec(template?.spec)?.activeDeadlineSeconds;
  if (ads !== undefined && ads !== null) errs.push(forbidden(path.child("spec").child("activeDeadlineSeconds"), `activeDeadlineSeconds in ${kind} is not Supported`));
  return errs;
}

/** `LabelSelectorAsSelector`, or undefined where it fails. */
export function asSelector(selector: unknown): ParsedSelector | undefined {
  return parseLabelSelector(selector);
}

/** `metadata.generation = 1` and a zero status, as the strategies' `PrepareForCreate` leave them. */
export function prepareCreate(o: Obj, zeroStatus: Obj = {}): void {
  ensure(o, "metadata").generation = 1;
  // Zero statuses are flat objects of numbers: a shallow copy is a full one (structuredClone costs
  // a serialization round trip per object written).
  o.status = { ...zeroStatus };
}

/**
 * The strategies' `PrepareForUpdate`: status comes from the stored object, and the generation goes
 * up when the spec (or, where given, another part) changed.
 */
export function prepareUpdate(o: Obj, old: Obj, changed: boolean = !semanticEqual(o.spec, old.spec, true)): void {
  if (old.status === undefined) delete o.status;
  else o.status = structuredClone(old.status);
  const oldGen = int(rec(old.metadata)?.generation) ?? 0;
  ensure(o, "metadata").generation = changed ? oldGen + 1 : oldGen;
}

/** The pod validation options of a write: on an update, the stored template (for ratcheting). */
export function podOptions(old: Obj | undefined): PodValidationOptions {
  const template = rec(rec(old?.spec)?.template);
  return template ? { oldTemplate: template } : {};
}

/** `pod.DropDisabledTemplateFields` for `spec.template`, against the stored template on updates. */
export function dropTemplateFields(o: Obj, old: Obj | undefined, ctx: ApiContext): void {
  const template = rec(rec(o.spec)?.template);
  if (template) dropDisabledPodTemplateFields(template, rec(rec(old?.spec)?.template), ctx);
}

const TEMPLATE = FieldPath.of("spec", "template");

/**
 * `WarningsOnCreate`/`WarningsOnUpdate` of the template-bearing strategies:
 * `GetWarningsForPodTemplate`, on updates only when the generation moved.
 */
export function templateWarnings(o: Obj, old: Obj | undefined, ctx: ApiContext): string[] {
  if (old && rec(o.metadata)?.generation === rec(old.metadata)?.generation) return [];
  return podTemplateWarnings(rec(rec(o.spec)?.template), TEMPLATE, rec(rec(old?.spec)?.template), ctx);
}
