/**
 * HorizontalPodAutoscalers (autoscaling/v1 and v2): `SetDefaults_HorizontalPodAutoscaler`, the
 * strategy's preparation, and `ValidateHorizontalPodAutoscaler(Update)` with the metric sources,
 * targets and scaling behavior (pkg/apis/autoscaling/v2/defaults.go,
 * pkg/registry/autoscaling/horizontalpodautoscaler, pkg/apis/autoscaling/validation). A v1 object is
 * validated as the internal object it converts to: its CPU target is `spec.metrics[0]`.
 */
import type { ApiContext } from "../context.js";
import { FieldPath, forbidden, invalid, notSupported, required, type FieldError } from "../field.js";
import type { KindRules } from "../registry.js";
import { isDNS1123Label, isQualifiedName, isValidPathSegmentName, Quantity, quantityValue, validateNonnegativeField } from "../validation/index.js";
import { ensure, int, rec, specOf, str, type Obj } from "../apps/workload.js";

const SPEC = FieldPath.of("spec");
const MAX_PERIOD_SECONDS = 1800;
const MAX_STABILIZATION_WINDOW_SECONDS = 3600;
const METRIC_SOURCE_TYPES = ["ContainerResource", "External", "Object", "Pods", "Resource"];
const SELECT_POLICIES = ["Disabled", "Max", "Min"];
const POLICY_TYPES = ["Percent", "Pods"];
const STANDARD_CONTAINER_RESOURCES = new Set(["cpu", "memory", "ephemeral-storage"]);

/** The member for each metric source type. */
const SOURCE_FIELD: Record<string, string> = { Object: "object", Pods: "pods", Resource: "resource", External: "external", ContainerResource: "containerResource" };

function defaultScalingRules(rules: unknown, defaults: Obj): Obj {
  const from = rec(rules);
  const to = structuredClone(defaults);
  if (!from) return to;
  for (const key of ["selectPolicy", "stabilizationWindowSeconds", "policies", "tolerance"]) if (from[key] != null) to[key] = from[key];
  return to;
}

/**
 * `SetDefaults_HorizontalPodAutoscaler` (v2): minReplicas 1, a CPU utilization target of 80% when
 * there are no metrics, and complete scaling rules when a behavior is given. v1 defaults only
 * minReplicas.
 *
 * @example
 * setDefaultsHPA(hpa, ctx); // hpa.spec.minReplicas === 1
 */
export function setDefaultsHPA(o: Obj, ctx: ApiContext): void {
  const spec = specOf(o);
  if (spec.minReplicas == null) spec.minReplicas = 1;
  if (ctx.version === "v1") return;
  if (!Array.isArray(spec.metrics) || spec.metrics.length === 0) {
    spec.metrics = [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } } }];
  }
  const behavior = rec(spec.behavior);
  if (behavior) {
    behavior.scaleUp = defaultScalingRules(behavior.scaleUp, {
      stabilizationWindowSeconds: 0,
      selectPolicy: "Max",
      policies: [
        { type: "Pods", value: 4, periodSeconds: 15 },
        { type: "Percent", value: 100, periodSeconds: 15 },
      ],
    });
    behavior.scaleDown = defaultScalingRules(behavior.scaleDown, { selectPolicy: "Max", policies: [{ type: "Percent", value: 100, periodSeconds: 15 }] });
  }
}

/** The internal spec a served object converts to (v1's CPU target becomes a Resource metric). */
function internalSpec(o: Obj, ctx: ApiContext): Obj {
  const spec = specOf(o);
  if (ctx.version !== "v1") return spec;
  const target = spec.targetCPUUtilizationPercentage;
  const metrics = target == null ? [] : [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: target } } }];
  return { scaleTargetRef: spec.scaleTargetRef, minReplicas: spec.minReplicas, maxReplicas: spec.maxReplicas, metrics };
}

/** `ValidateCrossVersionObjectReference`: kind and name, each a valid path segment. */
function validateCrossVersionObjectReference(ref: unknown, path: FieldPath): FieldError[] {
  const r = rec(ref) ?? {};
  const errs: FieldError[] = [];
  for (const key of ["kind", "name"]) {
    const v = str(r[key]) ?? "";
    if (v === "") errs.push(required(path.child(key), ""));
    else for (const msg of isValidPathSegmentName(v)) errs.push(invalid(path.child(key), v, msg));
  }
  return errs;
}

function quantityDisplay(raw: unknown, ctx: ApiContext): string {
  return quantityValue(ctx.minor, raw, Quantity.from(raw)?.toString());
}

/** `validateMetricTarget`. */
function validateMetricTarget(target: unknown, path: FieldPath, ctx: ApiContext): FieldError[] {
  const t = rec(target) ?? {};
  const errs: FieldError[] = [];
  const type = t.type;
  if (type === undefined || type === null || type === "") errs.push(required(path.child("type"), "must specify a metric target type"));
  if (type !== "Utilization" && type !== "Value" && type !== "AverageValue") errs.push(invalid(path.child("type"), type ?? "", "must be either Utilization, Value, or AverageValue"));
  for (const key of ["value", "averageValue"]) {
    const raw = t[key];
    if (raw == null) continue;
    const q = Quantity.from(raw);
    if (q && q.sign() !== 1) errs.push(invalid(path.child(key), raw, "must be positive", quantityDisplay(raw, ctx)));
  }
  const util = int(t.averageUtilization);
  if (util !== undefined && util < 1) errs.push(invalid(path.child("averageUtilization"), util, "must be greater than 0"));
  return errs;
}

/** `validateMetricIdentifier`: a metric name that can be part of a URL path. */
function validateMetricIdentifier(id: unknown, path: FieldPath): FieldError[] {
  const name = str(rec(id)?.name) ?? "";
  if (name === "") return [required(path.child("name"), "must specify a metric name")];
  return isValidPathSegmentName(name).map((msg) => invalid(path.child("name"), name, msg));
}

function targetOf(src: Obj): Obj {
  return rec(src.target) ?? {};
}

function validateObjectSource(src: Obj, path: FieldPath, ctx: ApiContext): FieldError[] {
  const errs = [...validateCrossVersionObjectReference(src.describedObject, path.child("describedObject")), ...validateMetricIdentifier(src.metric, path.child("metric")), ...validateMetricTarget(src.target, path.child("target"), ctx)];
  const t = targetOf(src);
  if (t.value == null && t.averageValue == null) errs.push(required(path.child("target").child("averageValue"), "must set either a target value or averageValue"));
  return errs;
}

function validateExternalSource(src: Obj, path: FieldPath, ctx: ApiContext): FieldError[] {
  const errs = [...validateMetricIdentifier(src.metric, path.child("metric")), ...validateMetricTarget(src.target, path.child("target"), ctx)];
  const t = targetOf(src);
  if (t.value == null && t.averageValue == null) errs.push(required(path.child("target").child("averageValue"), "must set either a target value for metric or a per-pod target"));
  if (t.value != null && t.averageValue != null) errs.push(forbidden(path.child("target").child("value"), "may not set both a target value for metric and a per-pod target"));
  return errs;
}

function validatePodsSource(src: Obj, path: FieldPath, ctx: ApiContext): FieldError[] {
  const errs = [...validateMetricIdentifier(src.metric, path.child("metric")), ...validateMetricTarget(src.target, path.child("target"), ctx)];
  if (targetOf(src).averageValue == null) errs.push(required(path.child("target").child("averageValue"), "must specify a positive target averageValue"));
  return errs;
}

function validateUtilizationOrValue(src: Obj, path: FieldPath): FieldError[] {
  const t = targetOf(src);
  const errs: FieldError[] = [];
  if (t.averageUtilization == null && t.averageValue == null) errs.push(required(path.child("target").child("averageUtilization"), "must set either a target raw value or a target utilization"));
  if (t.averageUtilization != null && t.averageValue != null) errs.push(forbidden(path.child("target").child("averageValue"), "may not set both a target raw value and a target utilization"));
  return errs;
}

function validateResourceSource(src: Obj, path: FieldPath, ctx: ApiContext): FieldError[] {
  const errs: FieldError[] = [];
  if (!str(src.name)) errs.push(required(path.child("name"), "must specify a resource name"));
  errs.push(...validateMetricTarget(src.target, path.child("target"), ctx));
  errs.push(...validateUtilizationOrValue(src, path));
  return errs;
}

/** `ValidateContainerResourceName` for the names HPAs use (standard container resources). */
function validateContainerResourceName(name: string, path: FieldPath): FieldError[] {
  const errs = isQualifiedName(name).map((msg) => invalid(path, name, msg));
  if (!name.includes("/") && !STANDARD_CONTAINER_RESOURCES.has(name) && !name.startsWith("hugepages-")) errs.push(invalid(path, name, "must be a standard resource for containers"));
  return errs;
}

function validateContainerResourceSource(src: Obj, path: FieldPath, ctx: ApiContext): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(src.name) ?? "";
  if (name === "") errs.push(required(path.child("name"), "must specify a resource name"));
  else errs.push(...validateContainerResourceName(name, path.child("name")));
  const container = str(src.container) ?? "";
  if (container === "") errs.push(required(path.child("container"), "must specify a container"));
  else for (const msg of isDNS1123Label(container)) errs.push(invalid(path.child("container"), container, msg));
  errs.push(...validateMetricTarget(src.target, path.child("target"), ctx));
  errs.push(...validateUtilizationOrValue(src, path));
  return errs;
}

const SOURCE_VALIDATORS: Record<string, (src: Obj, path: FieldPath, ctx: ApiContext) => FieldError[]> = {
  object: validateObjectSource,
  external: validateExternalSource,
  pods: validatePodsSource,
  resource: validateResourceSource,
  containerResource: validateContainerResourceSource,
};

/** `validateMetricSpec`: a known type, its source (and only that one) filled in and valid. */
function validateMetricSpec(metric: unknown, path: FieldPath, ctx: ApiContext): FieldError[] {
  const spec = rec(metric) ?? {};
  const errs: FieldError[] = [];
  const type = spec.type;
  if (type === undefined || type === null || type === "") errs.push(required(path.child("type"), "must specify a metric source type"));
  const known = typeof type === "string" && METRIC_SOURCE_TYPES.includes(type);
  if (!known) errs.push(notSupported(path.child("type"), type ?? "", METRIC_SOURCE_TYPES));
  const present: string[] = [];
  for (const field of ["object", "external", "pods", "resource", "containerResource"]) {
    const src = rec(spec[field]);
    if (!src) continue;
    present.push(field);
    if (present.length === 1) errs.push(...SOURCE_VALIDATORS[field]!(src, path.child(field), ctx));
  }
  const expected = known ? SOURCE_FIELD[type as string]! : "";
  if (known && !present.includes(expected)) errs.push(required(path.child(expected), "must populate information for the given metric source"));
  if (present.length !== 1) for (const field of present.filter((f) => f !== expected)) errs.push(forbidden(path.child(field), "must populate the given metric source only"));
  return errs;
}

/** `validateMetrics`: each metric, and an Object or External one when scaling to zero. */
function validateMetrics(metrics: unknown, path: FieldPath, minReplicas: number | undefined, ctx: ApiContext): FieldError[] {
  const list = Array.isArray(metrics) ? metrics : [];
  const errs = list.flatMap((m, i) => validateMetricSpec(m, path.index(i), ctx));
  if (minReplicas === 0 && !list.some((m) => rec(m)?.type === "Object" || rec(m)?.type === "External")) {
    errs.push(forbidden(path, "must specify at least one Object or External metric to support scaling to zero replicas"));
  }
  return errs;
}

/** `validateScalingRules` and `validateScalingPolicy`. */
function validateScalingRules(rules: unknown, path: FieldPath, ctx: ApiContext): FieldError[] {
  const r = rec(rules);
  if (!r) return [];
  const errs: FieldError[] = [];
  const window = int(r.stabilizationWindowSeconds);
  if (window !== undefined && window < 0) errs.push(invalid(path.child("stabilizationWindowSeconds"), window, "must be greater than or equal to zero"));
  if (window !== undefined && window > MAX_STABILIZATION_WINDOW_SECONDS) {
    errs.push(invalid(path.child("stabilizationWindowSeconds"), window, `must be less than or equal to ${MAX_STABILIZATION_WINDOW_SECONDS}`));
  }
  if (r.selectPolicy != null && !SELECT_POLICIES.includes(r.selectPolicy as string)) errs.push(notSupported(path.child("selectPolicy"), r.selectPolicy, SELECT_POLICIES));
  const policies = Array.isArray(r.policies) ? r.policies : [];
  if (policies.length === 0) errs.push(required(path.child("policies"), "must specify at least one Policy"));
  policies.forEach((p, i) => {
    const policy = rec(p) ?? {};
    const pp = path.child("policies").index(i);
    if (policy.type !== "Pods" && policy.type !== "Percent") errs.push(notSupported(pp.child("type"), policy.type ?? "", POLICY_TYPES));
    const value = int(policy.value) ?? 0;
    if (value <= 0) errs.push(invalid(pp.child("value"), value, "must be greater than zero"));
    const period = int(policy.periodSeconds) ?? 0;
    if (period <= 0) errs.push(invalid(pp.child("periodSeconds"), period, "must be greater than zero"));
    if (period > MAX_PERIOD_SECONDS) errs.push(invalid(pp.child("periodSeconds"), period, `must be less than or equal to ${MAX_PERIOD_SECONDS}`));
  });
  const tolerance = r.tolerance;
  if (tolerance != null) {
    const q = Quantity.from(tolerance);
    if (q && q.sign() < 0) errs.push(invalid(path.child("tolerance"), tolerance, "must be greater than or equal to 0", quantityDisplay(tolerance, ctx)));
  }
  return errs;
}

/** `validateHorizontalPodAutoscalerSpec`. */
function validateHPASpec(spec: Obj, minReplicasLowerBound: number, ctx: ApiContext): FieldError[] {
  const errs: FieldError[] = [];
  const min = int(spec.minReplicas);
  const max = int(spec.maxReplicas) ?? 0;
  if (min !== undefined && min < minReplicasLowerBound) errs.push(invalid(SPEC.child("minReplicas"), min, `must be greater than or equal to ${minReplicasLowerBound}`));
  if (max < 1) errs.push(invalid(SPEC.child("maxReplicas"), max, "must be greater than 0"));
  if (min !== undefined && max < min) errs.push(invalid(SPEC.child("maxReplicas"), max, "must be greater than or equal to `minReplicas`"));
  errs.push(...validateCrossVersionObjectReference(spec.scaleTargetRef, SPEC.child("scaleTargetRef")));
  errs.push(...validateMetrics(spec.metrics, SPEC.child("metrics"), min, ctx));
  const behavior = rec(spec.behavior);
  if (behavior) {
    errs.push(...validateScalingRules(behavior.scaleUp, SPEC.child("behavior").child("scaleUp"), ctx));
    errs.push(...validateScalingRules(behavior.scaleDown, SPEC.child("behavior").child("scaleDown"), ctx));
  }
  return errs;
}

function toleranceInUse(o: Obj | undefined): boolean {
  const behavior = rec(rec(o?.spec)?.behavior);
  return [behavior?.scaleUp, behavior?.scaleDown].some((r) => rec(r)?.tolerance != null);
}

/** `dropDisabledFields`: scaling rule tolerances need HPAConfigurableTolerance (or an old object using them). */
function dropDisabledFields(o: Obj, old: Obj | undefined, ctx: ApiContext): void {
  if (ctx.gate("HPAConfigurableTolerance") || toleranceInUse(old)) return;
  const behavior = rec(rec(o.spec)?.behavior);
  for (const r of [behavior?.scaleUp, behavior?.scaleDown]) if (rec(r)) delete (r as Obj).tolerance;
}

function zeroStatus(ctx: ApiContext): Obj {
  return ctx.version === "v1" ? { currentReplicas: 0, desiredReplicas: 0 } : { desiredReplicas: 0 };
}

/** What kube-apiserver does to a HorizontalPodAutoscaler (autoscaling/v1 and v2). */
export const hpaRules: KindRules = {
  // `ValidateHorizontalPodAutoscalerStatusUpdate`.
  validateStatusUpdate: (o) => ["currentReplicas", "desiredReplicas"].flatMap((k) => validateNonnegativeField(rec(o.status)?.[k], FieldPath.of("status", k))),
  defaults: setDefaultsHPA,
  prepareForCreate(o, ctx) {
    ensure(o, "spec");
    o.status = zeroStatus(ctx);
    dropDisabledFields(o, undefined, ctx);
  },
  prepareForUpdate(o, old, ctx) {
    if (old.status === undefined) delete o.status;
    else o.status = structuredClone(old.status);
    dropDisabledFields(o, old, ctx);
  },
  validate: (o, ctx) => (ctx.operation === "UPDATE" ? [] : validateHPASpec(internalSpec(o, ctx), ctx.gate("HPAScaleToZero") ? 0 : 1, ctx)),
  validateUpdate(o, old, ctx) {
    const oldMin = rec(old.spec)?.minReplicas;
    return validateHPASpec(internalSpec(o, ctx), ctx.gate("HPAScaleToZero") || oldMin === 0 ? 0 : 1, ctx);
  },
};

/** `ValidateScale`: replicas not negative (the scale subresource). */
export const scaleRules: KindRules = {
  validate: (o) => validateNonnegativeField(rec(o.spec)?.replicas, SPEC.child("replicas")),
};
