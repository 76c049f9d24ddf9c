/**
 * PodDisruptionBudgets: `ValidatePodDisruptionBudgetSpec` (minAvailable xor maxUnavailable, each an
 * int or percent up to 100%, the selector, the unhealthy pod eviction policy) and the strategy's
 * preparation (pkg/apis/policy/validation, pkg/registry/policy/poddisruptionbudget).
 */
import type { ApiContext } from "../context.js";
import { FieldPath, invalid, notSupported, type FieldError } from "../field.js";
import type { KindRules } from "../registry.js";
import { badValue, goPointer, hasInvalidSelectorValues, labelSelectorJSON, validateLabelSelector, validateNonnegativeField } from "../validation/index.js";
import { isNotMoreThan100Percent, validatePositiveIntOrPercent } from "../apps/intstr.js";
import { prepareCreate, prepareUpdate, rec, specOf, type Obj } from "../apps/workload.js";

const SPEC = FieldPath.of("spec");
const EVICTION_POLICIES = ["AlwaysAllow", "IfHealthyBudget"];

function specValue(spec: Obj, ctx: ApiContext): string {
  return badValue(
    ctx.minor,
    () =>
      `policy.PodDisruptionBudgetSpec{MinAvailable:${goPointer("intstr.IntOrString", spec.minAvailable)}, Selector:${goPointer("v1.LabelSelector", spec.selector)}, MaxUnavailable:${goPointer(
        "intstr.IntOrString",
        spec.maxUnavailable,
      )}, UnhealthyPodEvictionPolicy:${goPointer("policy.UnhealthyPodEvictionPolicyType", spec.unhealthyPodEvictionPolicy)}}`,
    {
      MinAvailable: spec.minAvailable ?? null,
      Selector: rec(spec.selector) ? labelSelectorJSON(spec.selector as Obj) : null,
      MaxUnavailable: spec.maxUnavailable ?? null,
      UnhealthyPodEvictionPolicy: spec.unhealthyPodEvictionPolicy ?? null,
    },
  );
}

/** `ValidatePodDisruptionBudgetSpec`. */
export function validatePodDisruptionBudgetSpec(spec: Obj, path: FieldPath, ctx: ApiContext, allowInvalidLabelValueInSelector: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (spec.minAvailable != null && spec.maxUnavailable != null) errs.push(invalid(path, spec, "minAvailable and maxUnavailable cannot be both set", specValue(spec, ctx)));
  for (const key of ["minAvailable", "maxUnavailable"]) {
    if (spec[key] == null) continue;
    errs.push(...validatePositiveIntOrPercent(spec[key], path.child(key), ctx), ...isNotMoreThan100Percent(spec[key], path.child(key), ctx));
  }
  errs.push(...validateLabelSelector(spec.selector, { allowInvalidLabelValueInSelector }, path.child("selector")));
  const policy = spec.unhealthyPodEvictionPolicy;
  if (policy != null && !EVICTION_POLICIES.includes(policy as string)) errs.push(notSupported(path.child("unhealthyPodEvictionPolicy"), policy, EVICTION_POLICIES));
  return errs;
}

/** What kube-apiserver does to a PodDisruptionBudget. */
export const pdbRules: KindRules = {
  // `ValidatePodDisruptionBudgetStatusUpdate` (policy/v1).
  validateStatusUpdate: (o) =>
    ["disruptionsAllowed", "currentHealthy", "desiredHealthy", "expectedPods"].flatMap((k) => validateNonnegativeField(rec(o.status)?.[k], FieldPath.of("status", k))),
  prepareForCreate: (o) => prepareCreate(o, { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 }),
  prepareForUpdate: (o, old) => prepareUpdate(o, old),
  validate: (o, ctx) => (ctx.operation === "UPDATE" ? [] : validatePodDisruptionBudgetSpec(specOf(o), SPEC, ctx, false)),
  validateUpdate: (o, old, ctx) => validatePodDisruptionBudgetSpec(specOf(o), SPEC, ctx, hasInvalidSelectorValues(rec(old.spec)?.selector)),
};
