/**
 * `ValidatePodUpdate`: what may change in a running pod (container images, a shorter
 * `activeDeadlineSeconds`, added tolerations, removed scheduling gates, and for gated pods added
 * node selectors and node affinity terms) — everything else in the spec is fixed.
 */
import { FieldPath, forbidden, invalid, type FieldError } from "../field.js";
import { inclusiveRangeError } from "../validation/messages.js";
import { deepEqual, isSet, list, obj, objects, optNum, type Obj } from "./json.js";
import { validateTolerations } from "./scheduling.js";

const UPDATABLE =
  "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

/** `ValidateContainerUpdates`: the same number of containers, each with an image. */
function validateContainerUpdates(next: unknown, prev: unknown, path: FieldPath): { errs: FieldError[]; stop: boolean } {
  if (list(next).length !== list(prev).length) return { errs: [forbidden(path, "pod updates may not add or remove containers")], stop: true };
  // The image checks repeat what pod validation already reported (the apiserver's message lists
  // each text once), so they are not reported a second time here.
  return { errs: [], stop: false };
}

/** `validateOnlyAddedTolerations`: each old toleration is still there (its `tolerationSeconds` may change). */
function validateOnlyAddedTolerations(next: unknown, prev: unknown, path: FieldPath): FieldError[] {
  const news = objects(next).map(([t]) => t);
  for (const [old] of objects(prev)) {
    const found = news.some((t) => deepEqual({ ...old, tolerationSeconds: t.tolerationSeconds }, t));
    if (!found) return [forbidden(path, "existing toleration can not be modified except its tolerationSeconds")];
  }
  return validateTolerations(next, path);
}

/** `validateOnlyDeletedSchedulingGates`. */
function validateOnlyDeletedSchedulingGates(next: unknown, prev: unknown, path: FieldPath): FieldError[] {
  const old = new Set(objects(prev).map(([g]) => g.name));
  const added = new Map<unknown, number>();
  for (const [g, i] of objects(next)) added.set(g.name, i);
  for (const name of old) added.delete(name);
  return [...added].map(([name, i]) => forbidden(path.index(i).child("name"), `only deletion is allowed, but found new scheduling gate '${String(name)}'`));
}

function goStringMap(m: Obj): string {
  const entries = Object.keys(m)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${JSON.stringify(m[k])}`);
  return `map[string]string{${entries.join(", ")}}`;
}

function validateNodeSelectorMutation(path: FieldPath, next: Obj | undefined, prev: Obj | undefined): FieldError[] {
  for (const [k, v] of Object.entries(prev ?? {})) {
    if (!next || next[k] !== v) return [invalid(path, next ?? null, "only additions to spec.nodeSelector are allowed (no mutations or deletions)", next ? goStringMap(next) : "map[string]string(nil)")];
  }
  return [];
}

function termHasOnlyAdditions(next: Obj, prev: Obj): boolean {
  const pe = list(prev.matchExpressions);
  const pf = list(prev.matchFields);
  const ne = list(next.matchExpressions);
  const nf = list(next.matchFields);
  if (pe.length === 0 && pf.length === 0 && (ne.length > 0 || nf.length > 0)) return false;
  if (pe.length > 0 && (ne.length < pe.length || !deepEqual(ne.slice(0, pe.length), pe))) return false;
  if (pf.length > 0 && (nf.length < pf.length || !deepEqual(nf.slice(0, pf.length), pf))) return false;
  return true;
}

function validateNodeAffinityMutation(path: FieldPath, next: Obj | undefined, prev: Obj | undefined): FieldError[] {
  const oldRequired = obj(prev?.requiredDuringSchedulingIgnoredDuringExecution);
  if (!oldRequired) return [];
  const oldTerms = objects(oldRequired.nodeSelectorTerms).map(([t]) => t);
  const newTerms = objects(obj(next?.requiredDuringSchedulingIgnoredDuringExecution)?.nodeSelectorTerms).map(([t]) => t);
  const termsPath = path.child("requiredDuringSchedulingIgnoredDuringExecution").child("nodeSelectorTerms");
  if (oldTerms.length > 0 && oldTerms.length !== newTerms.length) return [invalid(termsPath, newTerms, "no additions/deletions to non-empty NodeSelectorTerms list are allowed")];
  const errs: FieldError[] = [];
  oldTerms.forEach((t, i) => {
    if (!termHasOnlyAdditions(newTerms[i]!, t)) errs.push(invalid(termsPath.index(i), newTerms[i], "only additions are allowed (no mutations or deletions)"));
  });
  return errs;
}

/** The top-level spec fields that differ, for the message of a forbidden update. */
function changedFields(next: Obj, prev: Obj): string[] {
  const keys = new Set([...Object.keys(next), ...Object.keys(prev)]);
  return [...keys].filter((k) => !deepEqual(next[k], prev[k])).sort();
}

/**
 * `ValidatePodUpdate` (without the object metadata and the create-time checks the caller runs).
 *
 * @example
 * validatePodUpdate(newPod, oldPod); // [spec: Forbidden: pod updates may not change fields other than …]
 */
export function validatePodUpdate(pod: Obj, old: Obj): FieldError[] {
  const spec = obj(pod.spec) ?? {};
  const oldSpec = obj(old.spec) ?? {};
  const specPath = FieldPath.of("spec");
  const errs: FieldError[] = [];
  for (const key of ["containers", "initContainers"]) {
    const { errs: e, stop } = validateContainerUpdates(spec[key], oldSpec[key], specPath.child(key));
    errs.push(...e);
    if (stop) return errs;
  }
  const ads = optNum(spec.activeDeadlineSeconds);
  const oldAds = optNum(oldSpec.activeDeadlineSeconds);
  if (ads !== undefined) {
    if (ads < 0 || ads > 2147483647) return [...errs, invalid(specPath.child("activeDeadlineSeconds"), ads, inclusiveRangeError(0, 2147483647))];
    if (oldAds !== undefined && oldAds < ads) return [...errs, invalid(specPath.child("activeDeadlineSeconds"), ads, "must be less than or equal to previous value")];
  } else if (oldAds !== undefined) {
    errs.push(invalid(specPath.child("activeDeadlineSeconds"), null, "must not update from a positive integer to nil value", '"null"'));
  }
  errs.push(...validateOnlyAddedTolerations(spec.tolerations, oldSpec.tolerations, specPath.child("tolerations")));
  errs.push(...validateOnlyDeletedSchedulingGates(spec.schedulingGates, oldSpec.schedulingGates, specPath.child("schedulingGates")));
  if (deepEqual(spec, oldSpec)) return errs;
  const munged: Obj = { ...spec };
  for (const key of ["containers", "initContainers"]) {
    const olds = list(oldSpec[key]);
    if (Array.isArray(spec[key])) munged[key] = (spec[key] as unknown[]).map((c, i) => (obj(c) ? { ...obj(c), image: obj(olds[i])?.image } : c));
  }
  munged.activeDeadlineSeconds = oldSpec.activeDeadlineSeconds;
  munged.schedulingGates = oldSpec.schedulingGates;
  munged.tolerations = oldSpec.tolerations;
  const oldGrace = optNum(oldSpec.terminationGracePeriodSeconds);
  if (oldGrace !== undefined && oldGrace < 0 && munged.terminationGracePeriodSeconds === 1) munged.terminationGracePeriodSeconds = oldSpec.terminationGracePeriodSeconds;
  if (list(oldSpec.schedulingGates).length > 0) {
    if (!deepEqual(munged.nodeSelector, oldSpec.nodeSelector)) {
      errs.push(...validateNodeSelectorMutation(specPath.child("nodeSelector"), obj(munged.nodeSelector), obj(oldSpec.nodeSelector)));
      munged.nodeSelector = oldSpec.nodeSelector;
    }
    const oldNA = obj(obj(oldSpec.affinity)?.nodeAffinity);
    const newNA = obj(obj(munged.affinity)?.nodeAffinity);
    if (!deepEqual(oldNA, newNA)) {
      errs.push(...validateNodeAffinityMutation(specPath.child("affinity").child("nodeAffinity"), newNA, oldNA));
      const affinity = obj(munged.affinity);
      if (!affinity && oldNA) munged.affinity = { nodeAffinity: oldNA };
      else if (affinity && !isSet(oldSpec.affinity) && !isSet(affinity.podAffinity) && !isSet(affinity.podAntiAffinity)) delete munged.affinity;
      else if (affinity) munged.affinity = { ...affinity, nodeAffinity: oldNA };
    }
  }
  if (!deepEqual(munged, oldSpec)) {
    errs.push(forbidden(specPath, `pod updates may not change fields other than ${UPDATABLE}\n  changed: ${changedFields(munged, oldSpec).join(", ")}`));
  }
  return errs;
}
