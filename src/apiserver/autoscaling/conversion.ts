/**
 * HorizontalPodAutoscaler between `autoscaling/v1` and `autoscaling/v2`, as kube-apiserver converts
 * it (pkg/apis/autoscaling/v1/conversion.go; v2 has the internal shape). v1 keeps what it cannot
 * say in annotations — metrics other than a CPU utilization target, every current metric, the
 * conditions — so a v2 object read as v1 and written back loses nothing but `behavior`, as in a
 * cluster. A v1 object without metrics gains v2's default CPU target of 80 %.
 */
type Obj = Record<string, unknown>;

/** `autoscaling.MetricSpecsAnnotation`. */
export const METRIC_SPECS_ANNOTATION = "autoscaling.alpha.kubernetes.io/metrics";
/** `autoscaling.MetricStatusesAnnotation`. */
export const METRIC_STATUSES_ANNOTATION = "autoscaling.alpha.kubernetes.io/current-metrics";
/** `autoscaling.HorizontalPodAutoscalerConditionsAnnotation`. */
export const CONDITIONS_ANNOTATION = "autoscaling.alpha.kubernetes.io/conditions";
/** `autoscaling.BehaviorSpecsAnnotation` (written by v2beta1; dropped when converting). */
const BEHAVIOR_SPECS_ANNOTATION = "autoscaling.alpha.kubernetes.io/behavior";
/** `autoscaling.DefaultCPUUtilization`. */
const DEFAULT_CPU_UTILIZATION = 80;

const rec = (v: unknown): Obj | undefined => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : undefined);
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.map((x) => rec(x) ?? {}) : []);
/** A Go `resource.Quantity` that is not a pointer: its zero value marshals as "0". */
const quantity = (v: unknown): unknown => v ?? "0";

/** An object without its undefined members, keeping the order the keys were written in (Go's field order). */
function compact(o: Obj): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}

/** A JSON decode of an annotation written by a converter; undefined when it is not a JSON list. */
function annotationList(value: unknown): Obj[] | undefined {
  if (typeof value !== "string") return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? list(parsed) : undefined;
  } catch {
    return undefined;
  }
}

const crossVersionRefV1 = (ref: unknown): Obj => {
  const r = rec(ref) ?? {};
  return compact({ kind: r.kind ?? "", name: r.name ?? "", apiVersion: r.apiVersion || undefined });
};

/** v2 (internal) MetricSpec → v1 MetricSpec, with v1's field order. */
function metricSpecToV1(m: Obj): Obj {
  const target = (src: Obj | undefined) => rec(src?.target) ?? {};
  const metric = (src: Obj | undefined) => rec(src?.metric) ?? {};
  const object = rec(m.object);
  const pods = rec(m.pods);
  const resource = rec(m.resource);
  const container = rec(m.containerResource);
  const external = rec(m.external);
  return compact({
    type: m.type,
    object: object && compact({ target: crossVersionRefV1(object.describedObject), metricName: metric(object).name ?? "", targetValue: quantity(target(object).value), selector: metric(object).selector, averageValue: target(object).averageValue }),
    pods: pods && compact({ metricName: metric(pods).name ?? "", targetAverageValue: quantity(target(pods).averageValue), selector: metric(pods).selector }),
    resource: resource && compact({ name: resource.name ?? "", targetAverageUtilization: target(resource).averageUtilization, targetAverageValue: target(resource).averageValue }),
    containerResource:
      container && compact({ name: container.name ?? "", targetAverageUtilization: target(container).averageUtilization, targetAverageValue: target(container).averageValue, container: container.container ?? "" }),
    external: external && compact({ metricName: metric(external).name ?? "", metricSelector: metric(external).selector, targetValue: target(external).value, targetAverageValue: target(external).averageValue }),
  });
}

/** v1 MetricSpec → v2 (internal) MetricSpec. */
function metricSpecToV2(m: Obj): Obj {
  const object = rec(m.object);
  const pods = rec(m.pods);
  const resource = rec(m.resource);
  const container = rec(m.containerResource);
  const external = rec(m.external);
  const resourceTarget = (src: Obj) =>
    compact({ type: src.targetAverageUtilization == null ? "AverageValue" : "Utilization", averageValue: src.targetAverageValue, averageUtilization: src.targetAverageUtilization });
  return compact({
    type: m.type,
    object: object && {
      describedObject: crossVersionRefV1(object.target),
      target: compact({ type: object.averageValue == null ? "Value" : "AverageValue", value: quantity(object.targetValue), averageValue: object.averageValue }),
      metric: compact({ name: object.metricName ?? "", selector: object.selector }),
    },
    pods: pods && { metric: compact({ name: pods.metricName ?? "", selector: pods.selector }), target: { type: "AverageValue", averageValue: quantity(pods.targetAverageValue) } },
    resource: resource && { name: resource.name ?? "", target: resourceTarget(resource) },
    containerResource: container && { name: container.name ?? "", target: resourceTarget(container), container: container.container ?? "" },
    external: external && {
      metric: compact({ name: external.metricName ?? "", selector: external.metricSelector }),
      target: compact({ type: external.targetValue == null ? "AverageValue" : "Value", value: external.targetValue, averageValue: external.targetAverageValue }),
    },
  });
}

/** v2 (internal) MetricStatus → v1 MetricStatus. */
function metricStatusToV1(m: Obj): Obj {
  const current = (src: Obj | undefined) => rec(src?.current) ?? {};
  const metric = (src: Obj | undefined) => rec(src?.metric) ?? {};
  const object = rec(m.object);
  const pods = rec(m.pods);
  const resource = rec(m.resource);
  const container = rec(m.containerResource);
  const external = rec(m.external);
  return compact({
    type: m.type,
    object: object && compact({ target: crossVersionRefV1(object.describedObject), metricName: metric(object).name ?? "", currentValue: quantity(current(object).value), selector: metric(object).selector, averageValue: current(object).averageValue }),
    pods: pods && compact({ metricName: metric(pods).name ?? "", currentAverageValue: quantity(current(pods).averageValue), selector: metric(pods).selector }),
    resource: resource && compact({ name: resource.name ?? "", currentAverageUtilization: current(resource).averageUtilization, currentAverageValue: quantity(current(resource).averageValue) }),
    containerResource:
      container &&
      compact({ name: container.name ?? "", currentAverageUtilization: current(container).averageUtilization, currentAverageValue: quantity(current(container).averageValue), container: container.container ?? "" }),
    external: external && compact({ metricName: metric(external).name ?? "", metricSelector: metric(external).selector, currentValue: quantity(current(external).value), currentAverageValue: current(external).averageValue }),
  });
}

/** v1 MetricStatus → v2 (internal) MetricStatus. */
function metricStatusToV2(m: Obj): Obj {
  const object = rec(m.object);
  const pods = rec(m.pods);
  const resource = rec(m.resource);
  const container = rec(m.containerResource);
  const external = rec(m.external);
  return compact({
    type: m.type,
    object: object && {
      metric: compact({ name: object.metricName ?? "", selector: object.selector }),
      current: compact({ value: quantity(object.currentValue), averageValue: object.averageValue }),
      describedObject: crossVersionRefV1(object.target),
    },
    pods: pods && { metric: compact({ name: pods.metricName ?? "", selector: pods.selector }), current: { averageValue: quantity(pods.currentAverageValue) } },
    resource: resource && { name: resource.name ?? "", current: compact({ averageValue: quantity(resource.currentAverageValue), averageUtilization: resource.currentAverageUtilization }) },
    containerResource: container && {
      name: container.name ?? "",
      current: compact({ averageValue: quantity(container.currentAverageValue), averageUtilization: container.currentAverageUtilization }),
      container: container.container ?? "",
    },
    external: external && {
      metric: compact({ name: external.metricName ?? "", selector: external.metricSelector }),
      current: compact({ value: quantity(external.currentValue), averageValue: external.currentAverageValue }),
    },
  });
}

const condition = (c: Obj): Obj => compact({ type: c.type, status: c.status, lastTransitionTime: c.lastTransitionTime ?? null, reason: c.reason, message: c.message });

const isCpuResource = (m: Obj): boolean => m.type === "Resource" && rec(m.resource)?.name === "cpu";

/** The annotations without the round-trip ones (`DropRoundTripHorizontalPodAutoscalerAnnotations`). */
function withoutRoundTrip(annotations: unknown): Obj | undefined {
  const a = rec(annotations);
  if (!a) return undefined;
  const out = { ...a };
  for (const k of [METRIC_SPECS_ANNOTATION, METRIC_STATUSES_ANNOTATION, CONDITIONS_ANNOTATION, BEHAVIOR_SPECS_ANNOTATION]) delete out[k];
  return out;
}

function withAnnotations(meta: Obj, annotations: Obj | undefined): Obj {
  const out = { ...meta };
  if (annotations && Object.keys(annotations).length) out.annotations = annotations;
  else delete out.annotations;
  return out;
}

/**
 * An `autoscaling/v2` HorizontalPodAutoscaler as `autoscaling/v1` serves it.
 *
 * @example
 * hpaToV1({ apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", metadata: { name: "web" },
 *   spec: { scaleTargetRef: { kind: "Deployment", name: "web" }, maxReplicas: 5,
 *     metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 60 } } }] } });
 * // spec.targetCPUUtilizationPercentage === 60
 */
export function hpaToV1(hpa: Obj): Obj {
  const spec = rec(hpa.spec) ?? {};
  const status = rec(hpa.status);
  const metrics = list(spec.metrics);
  const cpuUtilization = (m: Obj) => isCpuResource(m) && rec(rec(m.resource)?.target)?.averageUtilization != null;
  const cpu = metrics.find(cpuUtilization);
  const others = metrics.filter((m) => !cpuUtilization(m));
  const currentMetrics = list(status?.currentMetrics);
  const conditions = list(status?.conditions);
  // Annotations are copied before any are added; existing round-trip ones are overwritten, as in Go.
  let annotations = rec(rec(hpa.metadata)?.annotations);
  if (others.length || currentMetrics.length || conditions.length) annotations = { ...annotations };
  if (others.length) annotations![METRIC_SPECS_ANNOTATION] = JSON.stringify(others.map(metricSpecToV1));
  if (currentMetrics.length) annotations![METRIC_STATUSES_ANNOTATION] = JSON.stringify(currentMetrics.map(metricStatusToV1));
  if (conditions.length) annotations![CONDITIONS_ANNOTATION] = JSON.stringify(conditions.map(condition));
  let currentCpu: unknown;
  for (const m of currentMetrics) if (isCpuResource(m) && rec(rec(m.resource)?.current)?.averageUtilization != null) currentCpu = rec(rec(m.resource)?.current)!.averageUtilization;
  const out: Obj = {
    ...hpa,
    apiVersion: "autoscaling/v1",
    metadata: withAnnotations(rec(hpa.metadata) ?? {}, annotations),
    spec: compact({
      scaleTargetRef: spec.scaleTargetRef,
      minReplicas: spec.minReplicas,
      maxReplicas: spec.maxReplicas,
      targetCPUUtilizationPercentage: rec(rec(cpu?.resource)?.target)?.averageUtilization,
    }),
  };
  if (status) {
    out.status = compact({
      observedGeneration: status.observedGeneration,
      lastScaleTime: status.lastScaleTime,
      currentReplicas: status.currentReplicas ?? 0,
      desiredReplicas: status.desiredReplicas ?? 0,
      currentCPUUtilizationPercentage: currentCpu,
    });
  } else delete out.status;
  return out;
}

/**
 * An `autoscaling/v1` HorizontalPodAutoscaler as `autoscaling/v2` serves it (and stores it).
 *
 * @example
 * hpaToV2({ apiVersion: "autoscaling/v1", kind: "HorizontalPodAutoscaler", metadata: { name: "web" },
 *   spec: { scaleTargetRef: { kind: "Deployment", name: "web" }, maxReplicas: 5 } });
 * // spec.metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } } }]
 */
export function hpaToV2(hpa: Obj): Obj {
  const spec = rec(hpa.spec) ?? {};
  const status = rec(hpa.status);
  const annotations = rec(rec(hpa.metadata)?.annotations) ?? {};
  const metrics: Obj[] = (annotationList(annotations[METRIC_SPECS_ANNOTATION]) ?? []).map(metricSpecToV2);
  if (spec.targetCPUUtilizationPercentage != null) {
    metrics.push({ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: spec.targetCPUUtilizationPercentage } } });
  }
  if (!metrics.length) metrics.push({ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: DEFAULT_CPU_UTILIZATION } } });
  const out: Obj = {
    ...hpa,
    apiVersion: "autoscaling/v2",
    metadata: withAnnotations(rec(hpa.metadata) ?? {}, withoutRoundTrip(rec(hpa.metadata)?.annotations)),
    spec: compact({ scaleTargetRef: spec.scaleTargetRef, minReplicas: spec.minReplicas, maxReplicas: spec.maxReplicas, metrics }),
  };
  if (status) {
    const fromAnnotation = annotationList(annotations[METRIC_STATUSES_ANNOTATION]);
    const currentMetrics = fromAnnotation
      ? fromAnnotation.map(metricStatusToV2)
      : status.currentCPUUtilizationPercentage != null
        ? [{ type: "Resource", resource: { name: "cpu", current: { averageUtilization: status.currentCPUUtilizationPercentage } } }]
        : undefined;
    const conditions = annotationList(annotations[CONDITIONS_ANNOTATION])?.map(condition);
    out.status = compact({
      observedGeneration: status.observedGeneration,
      lastScaleTime: status.lastScaleTime,
      currentReplicas: status.currentReplicas,
      desiredReplicas: status.desiredReplicas ?? 0,
      currentMetrics,
      conditions,
    });
  } else delete out.status;
  return out;
}
