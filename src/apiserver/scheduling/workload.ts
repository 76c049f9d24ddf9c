/**
 * Workload and PodGroup (pkg/apis/scheduling/validation, pkg/registry/scheduling/{workload,podgroup}),
 * the alpha API of workload-aware scheduling:
 *
 * - 1.35, `v1alpha1`: a Workload lists at most 8 `podGroups`, each a name and a `policy` that is
 *   exactly one of `basic` and `gang` (with a positive `minCount`); the pod groups and a set
 *   `controllerRef` are immutable.
 * - 1.36, `v1alpha2`: the Workload lists `podGroupTemplates` with a `schedulingPolicy` of the same
 *   shape, and PodGroup objects are the runtime instances: a scheduling policy and an optional
 *   reference to the Workload template they came from, both immutable; the status (conditions,
 *   resource claim statuses) is written through the status subresource only.
 *
 * Names are checked as DNS subdomains: the syntax kube-apiserver's PodGroup name function uses
 * in 1.36, and the weaker of the two where the minors differ.
 */
import type { KindRules } from "../registry.js";
import { duplicate, FieldPath, invalid, required, tooMany, type FieldError } from "../field.js";
import {
  isDNS1123Subdomain,
  isValidPathSegmentName,
  listAt,
  objectAt,
  optionalObject,
  stringAt,
  validateImmutableField,
  validateMetaConditions,
} from "../validation/index.js";
import type { ApiContext } from "../context.js";

type Obj = Record<string, unknown>;

/** `scheduling.WorkloadMaxPodGroups` / `WorkloadMaxPodGroupTemplates`. */
const WORKLOAD_MAX_POD_GROUPS = 8;

/** The list of a Workload's groups in the served version. */
const groupsField = (ctx: ApiContext): string => (ctx.version === "v1alpha1" ? "podGroups" : "podGroupTemplates");
/** The policy field of one group in the served version. */
const policyField = (ctx: ApiContext): string => (ctx.version === "v1alpha1" ? "policy" : "schedulingPolicy");

/** `validateControllerRef`: a typed local reference (API group a DNS subdomain, kind and name path segments). */
function validateControllerRef(ref: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const apiGroup = stringAt(ref.apiGroup);
  if (apiGroup) for (const m of isDNS1123Subdomain(apiGroup)) errs.push(invalid(path.child("apiGroup"), apiGroup, m));
  for (const field of ["kind", "name"]) {
    const v = stringAt(ref[field]);
    if (!v) errs.push(required(path.child(field), ""));
    else for (const m of isValidPathSegmentName(v)) errs.push(invalid(path.child(field), v, m));
  }
  return errs;
}

/** `validatePodGroupSchedulingPolicy` (`validatePodGroupPolicy` in v1alpha1): exactly one of `basic`, `gang`. */
function validatePolicy(policy: Obj, path: FieldPath): FieldError[] {
  const set = [policy.basic, policy.gang].filter((v) => v !== undefined && v !== null).length;
  if (set === 0) return [invalid(path, "", "must specify one of: `basic`, `gang`")];
  if (set > 1) return [invalid(path, "{`basic`, `gang`}", "exactly one of `basic`, `gang` is required, but multiple fields are set")];
  const errs: FieldError[] = [];
  const basic = optionalObject(policy.basic);
  if (basic && typeof basic.desiredCount === "number" && basic.desiredCount <= 0) {
    errs.push(invalid(path.child("basic").child("desiredCount"), basic.desiredCount, "must be greater than zero"));
  }
  const gang = optionalObject(policy.gang);
  if (gang) {
    const minCount = typeof gang.minCount === "number" ? gang.minCount : 0;
    if (minCount === 0) errs.push(required(path.child("gang").child("minCount"), ""));
    else if (minCount < 0) errs.push(invalid(path.child("gang").child("minCount"), minCount, "must be greater than zero"));
    if (typeof gang.desiredCount === "number" && gang.desiredCount < minCount) {
      errs.push(invalid(path.child("gang").child("desiredCount"), gang.desiredCount, "must be greater than or equal to minCount"));
    }
  }
  return errs;
}

/** `validatePodGroup` / `validatePodGroupTemplate`: one entry of the Workload's list. */
function validateGroup(group: Obj, path: FieldPath, seen: Set<string>, ctx: ApiContext): FieldError[] {
  const errs: FieldError[] = [];
  const name = stringAt(group.name);
  if (!name) errs.push(required(path.child("name"), ""));
  else for (const m of isDNS1123Subdomain(name)) errs.push(invalid(path.child("name"), name, m));
  if (seen.has(name)) errs.push(ctx.version === "v1alpha1" ? duplicate(path, group) : duplicate(path, name));
  else seen.add(name);
  errs.push(...validatePolicy(objectAt(group[policyField(ctx)]), path.child(policyField(ctx))));
  return errs;
}

/** `validatePodGroups` / `validatePodGroupTemplates`: 1 to 8 entries; their contents only on create (immutable after). */
function validateGroups(spec: Obj, path: FieldPath, update: boolean, ctx: ApiContext): FieldError[] {
  const listPath = path.child(groupsField(ctx));
  const groups = listAt(spec[groupsField(ctx)]);
  if (groups.length === 0) return [required(listPath, "must have at least one item")];
  if (groups.length > WORKLOAD_MAX_POD_GROUPS) return [tooMany(listPath, groups.length, WORKLOAD_MAX_POD_GROUPS)];
  if (update) return [];
  const seen = new Set<string>();
  return groups.flatMap((g, i) => validateGroup(objectAt(g), listPath.index(i), seen, ctx));
}

/** `ValidateWorkload` without the object metadata. */
function validateWorkload(obj: Obj, ctx: ApiContext): FieldError[] {
  const spec = objectAt(obj.spec);
  const path = FieldPath.of("spec");
  const errs: FieldError[] = [];
  const ref = optionalObject(spec.controllerRef);
  if (ref) errs.push(...validateControllerRef(ref, path.child("controllerRef")));
  errs.push(...validateGroups(spec, path, false, ctx));
  return errs;
}

/** `ValidateWorkloadUpdate`: a set controllerRef and the groups are immutable. */
function validateWorkloadUpdate(obj: Obj, old: Obj, ctx: ApiContext): FieldError[] {
  const spec = objectAt(obj.spec);
  const oldSpec = objectAt(old.spec);
  const path = FieldPath.of("spec");
  const errs: FieldError[] = [];
  if (optionalObject(oldSpec.controllerRef)) errs.push(...validateImmutableField(spec.controllerRef, oldSpec.controllerRef, path.child("controllerRef")));
  else {
    const ref = optionalObject(spec.controllerRef);
    if (ref) errs.push(...validateControllerRef(ref, path.child("controllerRef")));
  }
  const field = groupsField(ctx);
  errs.push(...validateImmutableField(spec[field], oldSpec[field], path.child(field)));
  errs.push(...validateGroups(spec, path, true, ctx));
  return errs;
}

/** The Workload (`Workload` of v1alpha1 and v1alpha2). */
export const workloadRules: KindRules = {
  validate: (obj, ctx) => (ctx.operation === "UPDATE" ? [] : validateWorkload(obj, ctx)),
  validateUpdate: validateWorkloadUpdate,
};

/** `validatePodGroupTemplateRef`: the Workload and template a PodGroup was made from. */
function validateTemplateRef(ref: Obj, path: FieldPath): FieldError[] {
  const workload = optionalObject(ref.workload);
  if (!workload) return [];
  const p = path.child("workload");
  const errs: FieldError[] = [];
  for (const field of ["workloadName", "podGroupTemplateName"]) {
    const v = stringAt(workload[field]);
    if (!v) errs.push(required(p.child(field), ""));
    else for (const m of isDNS1123Subdomain(v)) errs.push(invalid(p.child(field), v, m));
  }
  return errs;
}

/** `ValidatePodGroup` without the object metadata. */
function validatePodGroup(obj: Obj): FieldError[] {
  const spec = objectAt(obj.spec);
  const path = FieldPath.of("spec");
  const errs: FieldError[] = [];
  const ref = optionalObject(spec.podGroupTemplateRef);
  if (ref) errs.push(...validateTemplateRef(ref, path.child("podGroupTemplateRef")));
  errs.push(...validatePolicy(objectAt(spec.schedulingPolicy), path.child("schedulingPolicy")));
  return errs;
}

/** `ValidatePodGroupUpdate`: the template reference and the scheduling policy are immutable. */
function validatePodGroupUpdate(obj: Obj, old: Obj): FieldError[] {
  const spec = objectAt(obj.spec);
  const oldSpec = objectAt(old.spec);
  const path = FieldPath.of("spec");
  return [
    ...validateImmutableField(spec.podGroupTemplateRef, oldSpec.podGroupTemplateRef, path.child("podGroupTemplateRef")),
    ...validateImmutableField(spec.schedulingPolicy, oldSpec.schedulingPolicy, path.child("schedulingPolicy")),
  ];
}

/** `ValidatePodGroupStatusUpdate`: conditions, and resource claim statuses naming claims of the spec. */
function validatePodGroupStatusUpdate(obj: Obj, _old: Obj, ctx: ApiContext): FieldError[] {
  const status = objectAt(obj.status);
  const path = FieldPath.of("status");
  const errs = validateMetaConditions(status.conditions, path.child("conditions"), ctx.minor);
  const claims = new Set(listAt(objectAt(obj.spec).resourceClaims).map((c) => stringAt(objectAt(c).name)));
  listAt(status.resourceClaimStatuses).forEach((s, i) => {
    const name = stringAt(objectAt(s).name);
    if (!claims.has(name)) errs.push(invalid(path.child("resourceClaimStatuses").index(i).child("name"), name, "must match the name of an entry in `spec.resourceClaims`"));
  });
  return errs;
}

/** The PodGroup (v1alpha2). */
export const podGroupRules: KindRules = {
  prepareForCreate: (pg) => {
    delete pg.status;
  },
  prepareForUpdate: (pg, old) => {
    if (old.status === undefined) delete pg.status;
    else pg.status = old.status;
  },
  validate: (obj, ctx) => (ctx.operation === "UPDATE" ? [] : validatePodGroup(obj)),
  validateUpdate: validatePodGroupUpdate,
  validateStatusUpdate: validatePodGroupStatusUpdate,
};
