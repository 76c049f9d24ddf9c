/**
 * Writes to a pod's `resize` subresource (in-place vertical scaling): the strategy
 * (pkg/registry/core/pod/strategy.go `podResizeStrategy`) keeps everything of the stored pod but
 * the containers' `resources` and `resizePolicy`, and `ValidatePodResize`
 * (pkg/apis/core/validation) says which of those changes a running pod may take.
 */
import type { ApiContext } from "../context.js";
import { FieldPath, forbidden, invalid, type FieldError } from "../field.js";
import { Quantity } from "../validation/quantity.js";
import { deepEqual, list, obj, objects, str, type Obj } from "./json.js";
import { computePodQOS, hasPodLevelResources, podQOSOf } from "./pod-qos.js";

const MIRROR = "kubernetes.io/config.mirror";
const RESIZABLE = ["cpu", "memory"];

function isSidecar(c: Obj): boolean {
  return c.restartPolicy === "Always";
}

/** `dropNonResizeUpdatesForContainers`: the stored containers with the request's resources and resize policies; undefined when containers were renamed or reordered (validation reports it). */
function mergeResizeFields(next: unknown, prev: unknown): unknown[] | undefined {
  const news = list(next);
  const olds = list(prev);
  const merged: unknown[] = [];
  for (let i = 0; i < olds.length; i++) {
    const n = obj(news[i]);
    const o = obj(olds[i]);
    if (!n || !o || n.name !== o.name) return undefined;
    const c: Obj = structuredClone(o);
    delete c.resources;
    delete c.resizePolicy;
    if (n.resources !== undefined) c.resources = n.resources;
    if (n.resizePolicy !== undefined) c.resizePolicy = n.resizePolicy;
    merged.push(c);
  }
  return merged;
}

/**
 * The resize strategy's `PrepareForUpdate` (`dropNonResizeUpdates` and
 * `ResetObjectMetaForStatus`): the stored spec, status, labels, annotations, finalizers and owner
 * references, with the request's container resources and resize policies (and from 1.36 its
 * pod-level resources, InPlacePodLevelResourcesVerticalScaling). Added, removed,
 * renamed or reordered containers are left as sent, for validation to refuse.
 *
 * @example
 * preparePodResize(next, stored, ctx); // next.spec is stored.spec but for containers[*].resources/resizePolicy
 */
export function preparePodResize(pod: Obj, old: Obj, ctx: ApiContext): void {
  const spec = obj(pod.spec) ?? {};
  const oldSpec = obj(old.spec) ?? {};
  if (list(spec.containers).length !== list(oldSpec.containers).length || list(spec.initContainers).length !== list(oldSpec.initContainers).length) return;
  const containers = mergeResizeFields(spec.containers, oldSpec.containers);
  const inits = mergeResizeFields(spec.initContainers, oldSpec.initContainers);
  const next: Obj = structuredClone(oldSpec);
  if (ctx.gate("InPlacePodLevelResourcesVerticalScaling")) {
    if (spec.resources === undefined) delete next.resources;
    else next.resources = spec.resources;
  }
  if (containers) next.containers = containers;
  else next.containers = spec.containers;
  if (Array.isArray(oldSpec.initContainers) || Array.isArray(spec.initContainers)) next.initContainers = inits ?? spec.initContainers;
  pod.spec = next;
  if (old.status === undefined) delete pod.status;
  else pod.status = structuredClone(old.status);
  const meta = obj(pod.metadata);
  const oldMeta = obj(old.metadata) ?? {};
  if (meta) {
    for (const k of ["deletionTimestamp", "labels", "annotations", "finalizers", "ownerReferences"]) {
      if (oldMeta[k] === undefined) delete meta[k];
      else meta[k] = structuredClone(oldMeta[k]);
    }
  }
}

/** `resourcesRemoved`: a name of the stored list is missing from the new one. */
function resourcesRemoved(next: unknown, prev: unknown): boolean {
  const n = obj(next) ?? {};
  const p = obj(prev) ?? {};
  return Object.keys(p).length > Object.keys(n).length || Object.keys(p).some((k) => !(k in n));
}

/** `validateContainerResize`: requests and limits are not removed; before 1.34 a memory limit neither shrinks nor appears without a RestartContainer policy. */
function validateContainerResize(next: Obj, prev: Obj, policies: unknown, path: FieldPath, ctx: ApiContext): FieldError[] {
  const errs: FieldError[] = [];
  if (resourcesRemoved(next.requests, prev.requests)) errs.push(forbidden(path.child("requests"), "resource requests cannot be removed"));
  if (resourcesRemoved(next.limits, prev.limits)) errs.push(forbidden(path.child("limits"), "resource limits cannot be removed"));
  // 1.34 lifted the memory limit rules: the kubelet checks usage before it shrinks a limit.
  if (ctx.minor >= 34) return errs;
  const policy = objects(policies).find(([p]) => p.resourceName === "memory")?.[0];
  const restart = str(policy?.restartPolicy) ?? "";
  if (restart !== "NotRequired" && restart !== "") return errs;
  const newLimit = Quantity.from(obj(next.limits)?.memory);
  const oldLimit = Quantity.from(obj(prev.limits)?.memory);
  const limitPath = path.child("limits").key("memory");
  if (newLimit && oldLimit) {
    if (newLimit.cmp(oldLimit) < 0) errs.push(forbidden(limitPath, "memory limits cannot be decreased unless resizePolicy is RestartContainer"));
  } else if (newLimit && !oldLimit) {
    errs.push(forbidden(limitPath, "memory limits cannot be added unless resizePolicy is RestartContainer"));
  }
  return errs;
}

/** `dropCPUMemoryResourcesFromContainer`: the container with its cpu and memory requests and limits taken from the stored one (a list the stored container lacks is dropped whole). */
function withStoredCpuMemory(c: Obj, old: Obj): Obj {
  const resources = obj(c.resources) ?? {};
  const oldResources = obj(old.resources) ?? {};
  const munge = (next: unknown, prev: unknown): Obj | undefined => {
    const p = obj(prev);
    if (!p) return undefined;
    const out: Obj = { ...(obj(next) ?? {}) };
    for (const name of RESIZABLE) {
      if (name in p) out[name] = p[name];
      else delete out[name];
    }
    // Semantic equality of quantities: the same amount written another way is no change.
    for (const [name, q] of Object.entries(out)) {
      const a = Quantity.from(q);
      const b = Quantity.from(p[name]);
      if (a && b && a.cmp(b) === 0) out[name] = p[name];
    }
    return out;
  };
  const limits = munge(resources.limits, oldResources.limits);
  const requests = munge(resources.requests, oldResources.requests);
  return { ...c, resources: { ...(limits ? { limits } : {}), ...(requests ? { requests } : {}) } };
}

/**
 * The pods `ValidatePodResize` refuses outright, with only this error (the spec's own errors
 * are dropped): pods with pod-level resources (before 1.36), static pods, Windows pods.
 *
 * @example
 * podResizeRefused(windowsPod, windowsPod, ctx); // []: Forbidden: windows pods cannot be resized
 */
export function podResizeRefused(pod: Obj, old: Obj, ctx: ApiContext): FieldError | undefined {
  const oldSpec = obj(old.spec) ?? {};
  // Go's `field.NewPath("")`, which prints as `[]`.
  const root = FieldPath.root().key("");
  if (!ctx.gate("InPlacePodLevelResourcesVerticalScaling") && (hasPodLevelResources(oldSpec) || hasPodLevelResources(obj(pod.spec) ?? {}))) return forbidden(root, "pods with pod-level resources cannot be resized");
  if (Object.hasOwn(obj(obj(old.metadata)?.annotations) ?? {}, MIRROR)) return forbidden(root, "static pods cannot be resized");
  if (obj(oldSpec.os)?.name === "windows") return forbidden(root, "windows pods cannot be resized");
  return undefined;
}

/**
 * The rest of `ValidatePodResize` (after {@link podResizeRefused}, without the object metadata
 * and pod spec checks the caller runs first): the QoS class kept; a node that reports container
 * resources; requests and limits not removed (memory limit rules before 1.34); only cpu and
 * memory of regular and sidecar containers changed.
 *
 * @example
 * validatePodResize(next, stored, ctx); // [spec: Invalid value: "Guaranteed": Pod QOS Class may not change as a result of resizing]
 */
export function validatePodResize(pod: Obj, old: Obj, ctx: ApiContext): FieldError[] {
  const spec = obj(pod.spec) ?? {};
  const oldSpec = obj(old.spec) ?? {};
  const specPath = FieldPath.of("spec");
  const errs: FieldError[] = [];
  const podLevel = ctx.gate("PodLevelResources");
  if (podQOSOf(old, podLevel) !== computePodQOS(spec, podLevel)) errs.push(invalid(specPath, str(obj(pod.status)?.qosClass) ?? "", "Pod QOS Class may not change as a result of resizing"));
  const firstRunning = objects(obj(old.status)?.containerStatuses).find(([s]) => obj(obj(s.state)?.running) !== undefined)?.[0];
  if (firstRunning && (firstRunning.resources === undefined || firstRunning.resources === null)) errs.push(forbidden(specPath, "Pod running on node without support for resize"));

  const news = objects(spec.containers).map(([c]) => c);
  const newInits = objects(spec.initContainers).map(([c]) => c);
  const sidecars = ctx.gate("SidecarContainers");
  if (sidecars) {
    for (const [c, i] of objects(oldSpec.initContainers)) {
      const n = newInits[i];
      if (!isSidecar(c) || !n) continue;
      errs.push(...validateContainerResize(obj(n.resources) ?? {}, obj(c.resources) ?? {}, n.resizePolicy, specPath.child("initContainers").index(i).child("resources"), ctx));
    }
  }
  for (const [c, i] of objects(oldSpec.containers)) {
    const n = news[i];
    if (!n) continue;
    errs.push(...validateContainerResize(obj(n.resources) ?? {}, obj(c.resources) ?? {}, n.resizePolicy, specPath.child("containers").index(i).child("resources"), ctx));
  }

  const olds = list(oldSpec.containers);
  const mungedContainers = news.map((c, i) => {
    const o = obj(olds[i]);
    if (!o) return c;
    const m = withStoredCpuMemory(c, o);
    if (!deepEqual(m, o)) errs.push(forbidden(specPath, "only cpu and memory resources are mutable"));
    return m;
  });
  const munged: Obj = { ...spec, containers: mungedContainers };
  if (sidecars) {
    const oldInits = list(oldSpec.initContainers);
    munged.initContainers = newInits.map((c, i) => {
      const o = obj(oldInits[i]);
      if (!o) return c;
      if (isSidecar(c)) {
        const m = withStoredCpuMemory(c, o);
        if (!deepEqual(m, o)) errs.push(forbidden(specPath, "only cpu and memory resources for sidecar containers are mutable"));
        return m;
      }
      if (!deepEqual(c, o)) errs.push(forbidden(specPath, "resources for non-sidecar init containers are immutable"));
      return c;
    });
  }
  if (errs.length) return errs;
  // Pod-level cpu and memory may change where their resize is served (checked no further here).
  if (ctx.gate("InPlacePodLevelResourcesVerticalScaling") && (obj(munged.resources) || obj(oldSpec.resources))) munged.resources = withStoredCpuMemory({ resources: munged.resources }, { resources: oldSpec.resources }).resources;
  if (!deepEqual(munged, oldSpec)) errs.push(forbidden(specPath, "only cpu and memory resources are mutable"));
  return errs;
}
