/**
 * The coordination.k8s.io API group (pkg/apis/coordination/validation): Lease durations and
 * transitions, and the coordinated leader election fields (`strategy`, `preferredHolder`), which the
 * strategy drops while their feature gate is off (off by default in every supported minor).
 */
import type { GroupRules, KindRules } from "../registry.js";
import { FieldPath, forbidden, invalid, type FieldError } from "../field.js";
import { objectAt, optionalObject, stringAt } from "../validation/index.js";

type Obj = Record<string, unknown>;

/** `ValidateLeaseSpec`. */
function validateLeaseSpec(spec: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const duration = spec.leaseDurationSeconds;
  if (typeof duration === "number" && duration <= 0) errs.push(invalid(path.child("leaseDurationSeconds"), duration, "must be greater than 0"));
  const transitions = spec.leaseTransitions;
  if (typeof transitions === "number" && transitions < 0) errs.push(invalid(path.child("leaseTransitions"), transitions, "must be greater than or equal to 0"));
  if (stringAt(spec.preferredHolder) && !stringAt(spec.strategy)) errs.push(forbidden(path.child("preferredHolder"), "may only be specified if `strategy` is defined"));
  return errs;
}

/** The strategy's `dropDisabledFields`: CoordinatedLeaderElection is off, unless the stored lease uses the fields. */
function dropCoordinatedFields(obj: Obj, old?: Obj): void {
  const spec = optionalObject(obj.spec);
  if (!spec) return;
  const oldSpec = objectAt(old?.spec);
  if (oldSpec.strategy === undefined && oldSpec.preferredHolder === undefined) {
    delete spec.strategy;
    delete spec.preferredHolder;
  }
}

const lease: KindRules = {
  prepareForCreate: (obj) => dropCoordinatedFields(obj),
  prepareForUpdate: (obj, old) => dropCoordinatedFields(obj, old),
  validate: (obj) => validateLeaseSpec(objectAt(obj.spec), FieldPath.of("spec")),
};

/** What kube-apiserver does to the kinds of `coordination.k8s.io`. */
export const rules: GroupRules = { group: "coordination.k8s.io", kinds: { Lease: lease } };
