/**
 * Pods and what embeds a pod template (Deployments, Jobs, …): the seam the workload groups call.
 * `defaultPodSpec`/`defaultPodTemplateSpec` (SetDefaults_PodSpec and everything inside),
 * `dropDisabledPodTemplateFields` (the strategies' DropDisabledTemplateFields),
 * `validatePodSpec`/`validatePodTemplateSpec` (ValidatePodSpec, ValidatePodTemplateSpec) with
 * `PodValidationOptions` computed as GetValidationOptionsFromPodTemplate computes them.
 */
import type { FieldError, FieldPath } from "../field.js";
import type { ApiContext } from "../context.js";
import { obj, type Obj } from "./json.js";
import { defaultPodSpecFields } from "./pod-defaults.js";
import { dropDisabledPodSpecFields } from "./pod-gates.js";
import { podValidationOptions, type PodValidationOptions } from "./pod-options.js";
import { validatePodSpecResolved, validatePodTemplateSpecResolved } from "./pod-spec.js";

export type { PodValidationOptions } from "./pod-options.js";
export { podValidationOptions } from "./pod-options.js";

/**
 * `SetDefaults_PodSpec` and the defaults of everything inside a pod spec, in place.
 *
 * @example
 * defaultPodSpec(deployment.spec.template.spec, ctx);
 */
export function defaultPodSpec(spec: Obj, ctx: ApiContext): void {
  defaultPodSpecFields(spec, ctx);
}

/**
 * The defaults of a pod template (its spec), in place.
 *
 * @example
 * defaultPodTemplateSpec(deployment.spec.template, ctx);
 */
export function defaultPodTemplateSpec(template: Obj, ctx: ApiContext): void {
  const spec = obj(template.spec);
  if (spec) defaultPodSpecFields(spec, ctx);
}

/**
 * `DropDisabledTemplateFields`: clear the template's fields whose feature gate is off in the minor
 * (unless the stored template uses them). Call it from `prepareForCreate`/`prepareForUpdate`.
 *
 * @example
 * dropDisabledPodTemplateFields(job.spec.template, oldJob?.spec.template, ctx);
 */
export function dropDisabledPodTemplateFields(template: unknown, oldTemplate: unknown, ctx: ApiContext): void {
  const spec = obj(obj(template)?.spec);
  if (spec) dropDisabledPodSpecFields(spec, obj(obj(oldTemplate)?.spec), ctx);
}

/**
 * `ValidatePodSpec`: the spec of a pod template (pass `options.oldSpec` on update for ratcheting).
 *
 * @example
 * validatePodSpec(template.spec, FieldPath.of("spec", "template", "spec"), ctx);
 */
export function validatePodSpec(spec: unknown, path: FieldPath, ctx: ApiContext, options: PodValidationOptions = {}): FieldError[] {
  const s = obj(spec);
  if (!s) return [];
  const opts = podValidationOptions(s, obj(options.oldSpec), ctx, options);
  return validatePodSpecResolved(s, undefined, path, opts, ctx);
}

/**
 * `ValidatePodTemplateSpec`: a template's labels and annotations and its spec; with
 * `options.restartPolicies`, any other restart policy is reported after them (as Jobs and
 * ReplicationControllers do). Pass `options.oldTemplate` on update for ratcheting.
 *
 * @example
 * validatePodTemplateSpec(job.spec.template, FieldPath.of("spec", "template"), ctx, { restartPolicies: ["OnFailure", "Never"] });
 */
export function validatePodTemplateSpec(template: unknown, path: FieldPath, ctx: ApiContext, options: PodValidationOptions = {}): FieldError[] {
  const t = obj(template);
  if (!t) return [];
  const oldSpec = obj(options.oldSpec) ?? obj(obj(options.oldTemplate)?.spec);
  const opts = podValidationOptions(obj(t.spec), oldSpec, ctx, options);
  return validatePodTemplateSpecResolved(t, path, opts, ctx, options.restartPolicies);
}

export { podTemplateWarnings } from "./pod-warnings.js";
