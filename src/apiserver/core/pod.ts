/**
 * Pods and what embeds a pod template (Deployments, Jobs, …): `SetDefaults_PodSpec` and friends,
 * `ValidatePodTemplateSpec`, `ValidatePodSpec` and the container, volume, probe and resource rules
 * beneath them (pkg/apis/core/v1/defaults.go, pkg/apis/core/validation/validation.go).
 */
import type { FieldError, FieldPath } from "../field.js";
import type { ApiContext } from "../context.js";

type Obj = Record<string, unknown>;

/** `PodValidationOptions`: what the caller of pod validation relaxes or requires. */
export interface PodValidationOptions {
  /** Allowed `restartPolicy` values where the workload restricts them (Jobs: `OnFailure`, `Never`). */
  restartPolicies?: readonly string[];
}

/** `SetDefaults_PodSpec` and the defaults of everything inside a pod spec, in place. */
export function defaultPodSpec(spec: Obj, ctx: ApiContext): void {
  void spec;
  void ctx;
}

/** The defaults of a pod template (its metadata and spec), in place. */
export function defaultPodTemplateSpec(template: Obj, ctx: ApiContext): void {
  const spec = template.spec;
  if (spec && typeof spec === "object" && !Array.isArray(spec)) defaultPodSpec(spec as Obj, ctx);
}

/** `ValidatePodSpec`: the spec of a pod or of a pod template. */
export function validatePodSpec(spec: unknown, path: FieldPath, ctx: ApiContext, options: PodValidationOptions = {}): FieldError[] {
  void spec;
  void path;
  void ctx;
  void options;
  return [];
}

/** `ValidatePodTemplateSpec`: a template's labels and annotations, and its spec. */
export function validatePodTemplateSpec(template: unknown, path: FieldPath, ctx: ApiContext, options: PodValidationOptions = {}): FieldError[] {
  void template;
  void path;
  void ctx;
  void options;
  return [];
}
