/**
 * The core kinds built on a pod spec: Pod, PodTemplate, ReplicationController — their defaults,
 * the strategies' preparation (pkg/registry/core/{pod,podtemplate,replicationcontroller}) and
 * validation (`ValidatePodCreate`, `ValidatePodUpdate`, `ValidatePodTemplate`,
 * `ValidateReplicationController`, …).
 */
import type { ApiContext } from "../context.js";
import type { KindRules } from "../registry.js";
import { FieldPath, forbidden, invalid, notSupported, required, type FieldError } from "../field.js";
import { isRecord } from "../../meta/values.js";
import { list, num, obj, objects, str, stringMap, type Obj } from "./json.js";
import { defaultPod, defaultPodSpecFields, defaultReplicationController } from "./pod-defaults.js";
import { dropDisabledPodSpecFields } from "./pod-gates.js";
import { podValidationOptions } from "./pod-options.js";
import { validatePodSpecResolved, validatePodTemplateSpecResolved } from "./pod-spec.js";
import { validatePodUpdate } from "./pod-update.js";
import { validatePodStatusUpdate } from "./pod-status.js";
import { validateContainerOnlyForPod } from "./containers.js";
import { validateAppArmorAnnotationsAndFields, validatePodSpecificAnnotations, validateSeccompAnnotationsAndFields } from "./security-context.js";
import { podWarnings, podTemplateWarnings } from "./pod-warnings.js";
import { computePodQOS } from "./pod-qos.js";
import { podResizeRefused, preparePodResize, validatePodResize } from "./pod-resize.js";

/** The stored object of an update, remembered from `prepareForUpdate` for the ratcheting options of `validate`. */
const oldObjects = new WeakMap<Obj, Obj>();

function podSpec(pod: Obj): Obj | undefined {
  return obj(pod.spec);
}

/** The stored pod as decoding reads it back (with the defaults applied again), remembered for validation. */
function storedPod(o: Obj, old: Obj, ctx: ApiContext): Obj {
  const stored = structuredClone(old);
  defaultPod(stored, ctx);
  oldObjects.set(o, stored);
  return stored;
}

/** `ValidatePodCreate`/the pod part of `ValidatePodUpdate`: metadata-independent pod rules. */
function validatePod(pod: Obj, ctx: ApiContext): FieldError[] {
  const spec = podSpec(pod);
  if (!spec) return [];
  const meta = obj(pod.metadata) ?? {};
  const old = oldObjects.get(pod);
  const opts = podValidationOptions(spec, old ? podSpec(old) : undefined, ctx, { resourceIsPod: true });
  const specPath = FieldPath.of("spec");
  const annotationsPath = FieldPath.of("metadata", "annotations");
  const errs = validatePodSpecificAnnotations(meta.annotations, spec, annotationsPath, opts);
  errs.push(...validatePodSpecResolved(spec, typeof meta.name === "string" ? meta.name : undefined, specPath, opts, ctx));
  // On create, the ServiceAccount admission plugin (enabled by default) names "default" for a pod
  // that names no service account before validation runs; a mirror pod it leaves as it is.
  const admittedName = ctx.operation === "CREATE" && stringMap(meta.annotations).every(([k]) => k !== MIRROR);
  if ((str(spec.serviceAccountName) ?? "") === "" && !admittedName) {
    for (const [v, vi] of objects(spec.volumes)) {
      for (const [s, si] of objects(obj(v.projected)?.sources)) {
        if (s.serviceAccountToken !== undefined && s.serviceAccountToken !== null) {
          errs.push(forbidden(specPath.child("volumes").index(vi).child("projected").child("sources").index(si).child("serviceAccountToken"), "must not be specified when serviceAccountName is not set"));
        }
      }
    }
  }
  for (const key of ["containers", "initContainers"]) for (const [c, i] of objects(spec[key])) errs.push(...validateContainerOnlyForPod(c, specPath.child(key).index(i)));
  if (ctx.operation === "CREATE") {
    if (list(spec.ephemeralContainers).length > 0) errs.push(forbidden(specPath.child("ephemeralContainers"), "cannot be set on create"));
    if ((str(spec.nodeName) ?? "") !== "" && list(spec.schedulingGates).length !== 0) errs.push(forbidden(specPath.child("nodeName"), "cannot be set until all schedulingGates have been cleared"));
    errs.push(...validateSeccompAnnotationsAndFields(meta.annotations, spec, specPath));
    errs.push(...validateAppArmorAnnotationsAndFields(meta.annotations, spec, specPath));
  }
  return errs;
}

const APPARMOR_PREFIX = "container.apparmor.security.beta.kubernetes.io/";
const MIRROR = "kubernetes.io/config.mirror";

/** `ValidatePodSpecificAnnotationUpdates`: AppArmor and mirror pod annotations cannot change. */
function validatePodAnnotationUpdates(pod: Obj, old: Obj): FieldError[] {
  const path = FieldPath.of("metadata", "annotations");
  const next = new Map(stringMap(obj(pod.metadata)?.annotations));
  const prev = new Map(stringMap(obj(old.metadata)?.annotations));
  const errs: FieldError[] = [];
  for (const [k, v] of prev) {
    if (next.get(k) === v) continue;
    if (k.startsWith(APPARMOR_PREFIX)) errs.push(forbidden(path.key(k), "may not remove or update AppArmor annotations"));
    if (k === MIRROR) errs.push(forbidden(path.key(k), "may not remove or update mirror pod annotation"));
  }
  for (const k of next.keys()) {
    if (prev.has(k)) continue;
    if (k.startsWith(APPARMOR_PREFIX)) errs.push(forbidden(path.key(k), "may not add AppArmor annotations"));
    if (k === MIRROR) errs.push(forbidden(path.key(k), "may not add mirror pod annotation"));
  }
  return errs;
}

const pod: KindRules = {
  defaults: (o, ctx) => defaultPod(o, ctx),
  prepareForCreate(o, ctx) {
    const spec = podSpec(o);
    if (!spec) return;
    dropDisabledPodSpecFields(spec, undefined, ctx);
    const status: Obj = { phase: "Pending", qosClass: computePodQOS(spec, ctx.gate("PodLevelResources")) };
    if (list(spec.schedulingGates).length > 0) {
      status.conditions = [{ type: "PodScheduled", status: "False", reason: "SchedulingGated", message: "Scheduling is blocked due to non-empty scheduling gates" }];
    }
    o.status = status;
  },
  prepareForUpdate(o, old, ctx) {
    const stored = storedPod(o, old, ctx);
    if (old.status !== undefined) o.status = structuredClone(old.status);
    const spec = podSpec(o);
    if (spec) dropDisabledPodSpecFields(spec, podSpec(stored), ctx);
  },
  validate: validatePod,
  validateUpdate(o, old) {
    const stored = oldObjects.get(o) ?? old;
    return [...validatePodAnnotationUpdates(o, stored), ...validatePodUpdate(o, stored)];
  },
  validateStatusUpdate: (o, old, ctx) => validatePodStatusUpdate(o, old, ctx),
  subresources: {
    resize: {
      prepareForUpdate(o, old, ctx) {
        const stored = storedPod(o, old, ctx);
        preparePodResize(o, stored, ctx);
        const spec = podSpec(o);
        if (spec) dropDisabledPodSpecFields(spec, podSpec(stored), ctx);
      },
      validateUpdate(o, old, ctx) {
        const stored = oldObjects.get(o) ?? old;
        const refused = podResizeRefused(o, stored, ctx);
        return refused ? [refused] : [...validatePod(o, ctx), ...validatePodResize(o, stored, ctx)];
      },
    },
  },
  warnings: (o, old, ctx) => podWarnings(o, old, ctx),
};

/** `ValidatePodTemplate` (the template of a PodTemplate object). */
function validatePodTemplate(o: Obj, ctx: ApiContext): FieldError[] {
  const template = obj(o.template);
  if (!template) return [];
  const old = oldObjects.get(o);
  const opts = podValidationOptions(obj(template.spec), obj(obj(old?.template)?.spec), ctx, {});
  return validatePodTemplateSpecResolved(template, FieldPath.of("template"), opts, ctx);
}

const podTemplate: KindRules = {
  defaults(o, ctx) {
    const spec = obj(obj(o.template)?.spec);
    if (spec) defaultPodSpecFields(spec, ctx);
  },
  prepareForCreate(o, ctx) {
    const spec = obj(obj(o.template)?.spec);
    if (spec) dropDisabledPodSpecFields(spec, undefined, ctx);
  },
  prepareForUpdate(o, old, ctx) {
    oldObjects.set(o, old);
    const spec = obj(obj(o.template)?.spec);
    if (spec) dropDisabledPodSpecFields(spec, obj(obj(old.template)?.spec), ctx);
  },
  validate: validatePodTemplate,
  warnings: (o, old, ctx) => podTemplateWarnings(obj(o.template), FieldPath.of("template"), obj(old?.template), ctx),
};

/** Go's `%#v` of a `map[string]string` (keys sorted). */
function goStringMap(m: unknown): string {
  if (!isRecord(m)) return "map[string]string(nil)";
  const entries = Object.keys(m)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${JSON.stringify(m[k])}`);
  return `map[string]string{${entries.join(", ")}}`;
}

/** `ValidateReplicationControllerSpec` and `ValidatePodTemplateSpecForRC`. */
function validateReplicationController(o: Obj, ctx: ApiContext): FieldError[] {
  const spec = obj(o.spec);
  if (!spec) return [];
  const path = FieldPath.of("spec");
  const errs: FieldError[] = [];
  const minReady = num(spec.minReadySeconds);
  if (minReady !== undefined && minReady < 0) errs.push(invalid(path.child("minReadySeconds"), minReady, "must be greater than or equal to 0"));
  const selector = stringMap(spec.selector);
  if (selector.length === 0) errs.push(required(path.child("selector"), ""));
  const replicas = num(spec.replicas);
  if (replicas !== undefined && replicas < 0) errs.push(invalid(path.child("replicas"), replicas, "must be greater than or equal to 0"));
  const templatePath = path.child("template");
  const template = obj(spec.template);
  if (!template) {
    errs.push(required(templatePath, ""));
    return errs;
  }
  const labels = obj(obj(template.metadata)?.labels) ?? {};
  if (selector.length > 0 && !selector.every(([k, v]) => labels[k] === v)) {
    // Kubernetes names the embedded ObjectMeta's labels `spec.template.metadata.labels` here.
    errs.push(invalid(templatePath.child("metadata").child("labels"), labels, "`selector` does not match template `labels`", goStringMap(obj(obj(template.metadata)?.labels))));
  }
  const old = oldObjects.get(o);
  const opts = podValidationOptions(obj(template.spec), obj(obj(obj(old?.spec)?.template)?.spec), ctx, {});
  errs.push(...validatePodTemplateSpecResolved(template, templatePath, opts, ctx));
  const tspec = obj(template.spec) ?? {};
  const rp = str(tspec.restartPolicy);
  if (rp !== undefined && rp !== "Always") errs.push(notSupported(templatePath.child("spec").child("restartPolicy"), rp, ["Always"]));
  if (tspec.activeDeadlineSeconds !== undefined && tspec.activeDeadlineSeconds !== null) {
    errs.push(forbidden(templatePath.child("spec").child("activeDeadlineSeconds"), "activeDeadlineSeconds in ReplicationController is not Supported"));
  }
  return errs;
}

/** `ValidateReplicationControllerStatus`. */
function validateReplicationControllerStatus(o: Obj): FieldError[] {
  const status = obj(o.status) ?? {};
  const path = FieldPath.of("status");
  const errs: FieldError[] = [];
  const n = (f: string) => num(status[f]) ?? 0;
  for (const f of ["replicas", "fullyLabeledReplicas", "readyReplicas", "availableReplicas", "observedGeneration"]) {
    if (n(f) < 0) errs.push(invalid(path.child(f), n(f), "must be greater than or equal to 0"));
  }
  const msg = "cannot be greater than status.replicas";
  if (n("fullyLabeledReplicas") > n("replicas")) errs.push(invalid(path.child("fullyLabeledReplicas"), n("fullyLabeledReplicas"), msg));
  if (n("readyReplicas") > n("replicas")) errs.push(invalid(path.child("readyReplicas"), n("readyReplicas"), msg));
  if (n("availableReplicas") > n("replicas")) errs.push(invalid(path.child("availableReplicas"), n("availableReplicas"), msg));
  if (n("availableReplicas") > n("readyReplicas")) errs.push(invalid(path.child("availableReplicas"), n("availableReplicas"), "cannot be greater than readyReplicas"));
  return errs;
}

const replicationController: KindRules = {
  defaults: (o, ctx) => defaultReplicationController(o, ctx),
  prepareForCreate(o, ctx) {
    // `rcStrategy.PrepareForCreate` resets the status to its zero value, and `replicas` (no
    // omitempty in ReplicationControllerStatus) is encoded as 0.
    o.status = { replicas: 0 };
    const meta = obj(o.metadata);
    if (meta) meta.generation = 1;
    const spec = obj(obj(obj(o.spec)?.template)?.spec);
    if (spec) dropDisabledPodSpecFields(spec, undefined, ctx);
  },
  prepareForUpdate(o, old, ctx) {
    oldObjects.set(o, old);
    if (old.status !== undefined) o.status = structuredClone(old.status);
    const spec = obj(obj(obj(o.spec)?.template)?.spec);
    if (spec) dropDisabledPodSpecFields(spec, obj(obj(obj(old.spec)?.template)?.spec), ctx);
  },
  validate: validateReplicationController,
  validateStatusUpdate: (o) => validateReplicationControllerStatus(o),
  warnings: (o, old, ctx) => podTemplateWarnings(obj(obj(o.spec)?.template), FieldPath.of("spec", "template"), obj(obj(old?.spec)?.template), ctx),
};

/** Pod, PodTemplate and ReplicationController, by kind. */
export const podKinds: Readonly<Record<string, KindRules>> = {
  Pod: pod,
  PodTemplate: podTemplate,
  ReplicationController: replicationController,
};
