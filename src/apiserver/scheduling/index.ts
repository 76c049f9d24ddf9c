/**
 * The scheduling.k8s.io API group (pkg/apis/scheduling/validation, pkg/apis/scheduling/v1/defaults.go):
 * PriorityClass values, the reserved `system-` names, preemption policy, immutable value and policy;
 * Workload and PodGroup: see `workload.ts`.
 */
import type { GroupRules } from "../registry.js";
import { FieldPath, forbidden, notSupported, required, type FieldError } from "../field.js";
import { stringAt, validateImmutableField } from "../validation/index.js";
import { podGroupRules, workloadRules } from "./workload.js";

type Obj = Record<string, unknown>;

/** `HighestUserDefinablePriority`. */
const HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000;
const SYSTEM_PRIORITY_CLASS_PREFIX = "system-";
/** `SystemPriorityClasses()`: name, value, globalDefault, description. */
const SYSTEM_PRIORITY_CLASSES: ReadonlyArray<readonly [string, number, boolean, string]> = [
  ["system-node-critical", 2_000_001_000, false, "Used for system critical pods that must not be moved from their current node."],
  ["system-cluster-critical", 2_000_000_000, false, "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary."],
];

/**
 * The PriorityClasses kube-apiserver creates at start (its `scheduling/bootstrap-system-priority-classes` hook).
 *
 * @example
 * systemPriorityClasses().map((pc) => pc.metadata.name); // ["system-node-critical", "system-cluster-critical"]
 */
export function systemPriorityClasses(): Array<{ apiVersion: string; kind: string; metadata: { name: string }; value: number; description: string }> {
  return SYSTEM_PRIORITY_CLASSES.map(([name, value, , description]) => ({ apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass", metadata: { name }, value, description }));
}

/** `IsKnownSystemPriorityClass`: undefined when known, else the reason. */
function knownSystemPriorityClassError(name: string, value: unknown, globalDefault: boolean): string | undefined {
  for (const [n, v, g] of SYSTEM_PRIORITY_CLASSES) {
    if (n !== name) continue;
    if (value !== v) return `value of ${n} PriorityClass must be ${v}`;
    if (globalDefault !== g) return `globalDefault of ${n} PriorityClass must be ${g}`;
    return undefined;
  }
  return `${name} is not a known system priority class`;
}

/** `ValidatePreemptionPolicy` (pkg/apis/core/validation). */
function validatePreemptionPolicy(policy: string, path: FieldPath): FieldError[] {
  if (policy === "PreemptLowerPriority" || policy === "Never") return [];
  if (policy === "") return [required(path, "")];
  return [notSupported(path, policy, ["PreemptLowerPriority", "Never"])];
}

/** `ValidatePriorityClass` without the object metadata. */
function validatePriorityClass(pc: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const name = stringAt(Object(pc.metadata).name);
  const value = typeof pc.value === "number" ? pc.value : 0;
  if (name.startsWith(SYSTEM_PRIORITY_CLASS_PREFIX)) {
    const err = knownSystemPriorityClassError(name, value, pc.globalDefault === true);
    if (err) {
      errs.push(forbidden(FieldPath.of("metadata", "name"), `priority class names with '${SYSTEM_PRIORITY_CLASS_PREFIX}' prefix are reserved for system use only. error: ${err}`));
    }
  } else if (value > HIGHEST_USER_DEFINABLE_PRIORITY) {
    errs.push(forbidden(FieldPath.of("value"), `maximum allowed value of a user defined priority is ${HIGHEST_USER_DEFINABLE_PRIORITY}`));
  }
  if (typeof pc.preemptionPolicy === "string") errs.push(...validatePreemptionPolicy(pc.preemptionPolicy, FieldPath.of("preemptionPolicy")));
  return errs;
}

/** `ValidatePriorityClassUpdate`: value and preemption policy are immutable. */
function validatePriorityClassUpdate(pc: Obj, old: Obj): FieldError[] {
  const errs: FieldError[] = [];
  if ((pc.value ?? 0) !== (old.value ?? 0)) errs.push(forbidden(FieldPath.of("value"), "may not be changed in an update."));
  // The stored object was defaulted when it was written.
  errs.push(...validateImmutableField(pc.preemptionPolicy, old.preemptionPolicy ?? "PreemptLowerPriority", FieldPath.of("preemptionPolicy")));
  return errs;
}

/** What kube-apiserver does to the kinds of `scheduling.k8s.io`. */
export const rules: GroupRules = {
  group: "scheduling.k8s.io",
  kinds: {
    PriorityClass: {
      // SetDefaults_PriorityClass
      defaults: (pc) => {
        if (pc.preemptionPolicy === undefined || pc.preemptionPolicy === null) pc.preemptionPolicy = "PreemptLowerPriority";
      },
      validate: validatePriorityClass,
      validateUpdate: validatePriorityClassUpdate,
    },
    Workload: workloadRules,
    PodGroup: podGroupRules,
  },
};
