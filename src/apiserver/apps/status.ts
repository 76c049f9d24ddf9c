/**
 * Status writes of the apps workloads (`ValidateDeploymentStatusUpdate`,
 * `ValidateReplicaSetStatusUpdate`, `ValidateStatefulSetStatusUpdate`,
 * `ValidateDaemonSetStatusUpdate`): counters are not negative, no count exceeds the replicas, and
 * the collision count never goes down.
 */
import { FieldPath, invalid, type FieldError } from "../field.js";
import { validateNonnegativeField } from "../validation/index.js";
import { int, rec, type Obj } from "./workload.js";

const STATUS = FieldPath.of("status");

function counts(status: Obj, keys: readonly string[]): FieldError[] {
  return keys.flatMap((k) => validateNonnegativeField(status[k], STATUS.child(k)));
}

function atMost(status: Obj, key: string, limitKey: string, message: string): FieldError[] {
  const v = int(status[key]) ?? 0;
  return v > (int(status[limitKey]) ?? 0) ? [invalid(STATUS.child(key), v, message)] : [];
}

function collisionNotDecremented(status: Obj, old: Obj): FieldError[] {
  const before = int(rec(old.status)?.collisionCount);
  const now = int(status.collisionCount);
  if (before === undefined || (now !== undefined && now >= before)) return [];
  return [invalid(STATUS.child("collisionCount"), now ?? 0, "cannot be decremented")];
}

const ABOVE_REPLICAS = "cannot be greater than status.replicas";

/** `ValidateDeploymentStatusUpdate`. @example validateDeploymentStatusUpdate(deployment, stored) */
export function validateDeploymentStatusUpdate(o: Obj, old: Obj): FieldError[] {
  const s = rec(o.status) ?? {};
  return [
    ...counts(s, ["observedGeneration", "replicas", "updatedReplicas", "readyReplicas", "availableReplicas", "unavailableReplicas", "terminatingReplicas", "collisionCount"]),
    ...atMost(s, "updatedReplicas", "replicas", ABOVE_REPLICAS),
    ...atMost(s, "readyReplicas", "replicas", ABOVE_REPLICAS),
    ...atMost(s, "availableReplicas", "replicas", ABOVE_REPLICAS),
    ...atMost(s, "availableReplicas", "readyReplicas", "cannot be greater than readyReplicas"),
    ...collisionNotDecremented(s, old),
  ];
}

/** `ValidateReplicaSetStatusUpdate`. @example validateReplicaSetStatusUpdate(rs) */
export function validateReplicaSetStatusUpdate(o: Obj): FieldError[] {
  const s = rec(o.status) ?? {};
  return [
    ...counts(s, ["replicas", "fullyLabeledReplicas", "readyReplicas", "availableReplicas", "observedGeneration", "terminatingReplicas"]),
    ...atMost(s, "fullyLabeledReplicas", "replicas", ABOVE_REPLICAS),
    ...atMost(s, "readyReplicas", "replicas", ABOVE_REPLICAS),
    ...atMost(s, "availableReplicas", "replicas", ABOVE_REPLICAS),
    ...atMost(s, "availableReplicas", "readyReplicas", "cannot be greater than readyReplicas"),
  ];
}

/** `ValidateStatefulSetStatusUpdate`. @example validateStatefulSetStatusUpdate(sts, stored) */
export function validateStatefulSetStatusUpdate(o: Obj, old: Obj): FieldError[] {
  const s = rec(o.status) ?? {};
  return [
    ...counts(s, ["replicas", "readyReplicas", "currentReplicas", "updatedReplicas", "availableReplicas", "observedGeneration", "collisionCount"]),
    ...atMost(s, "readyReplicas", "replicas", ABOVE_REPLICAS),
    ...atMost(s, "currentReplicas", "replicas", ABOVE_REPLICAS),
    ...atMost(s, "updatedReplicas", "replicas", ABOVE_REPLICAS),
    ...atMost(s, "availableReplicas", "replicas", ABOVE_REPLICAS),
    ...atMost(s, "availableReplicas", "readyReplicas", "cannot be greater than status.readyReplicas"),
    ...collisionNotDecremented(s, old),
  ];
}

/** `ValidateDaemonSetStatusUpdate`. @example validateDaemonSetStatusUpdate(ds, stored) */
export function validateDaemonSetStatusUpdate(o: Obj, old: Obj): FieldError[] {
  const s = rec(o.status) ?? {};
  return [
    ...counts(s, ["currentNumberScheduled", "numberMisscheduled", "desiredNumberScheduled", "numberReady", "observedGeneration", "updatedNumberScheduled", "numberAvailable", "numberUnavailable", "collisionCount"]),
    ...collisionNotDecremented(s, old),
  ];
}
