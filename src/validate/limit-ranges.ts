/**
 * LimitRanger admission in the validator: a Pod or PersistentVolumeClaim in a namespace with
 * LimitRanges among the inputs is defaulted and checked as the LimitRanger plugin does it on a
 * create. A refusal is an error when the values the manifest gives decide it, a warning when it rests
 * on values left to defaults (a LimitRange not among the inputs may set them first); a workload's
 * pod template whose pods would be refused is a warning (kube-apiserver accepts the workload and
 * refuses its controller's pods).
 */
import { limitRangerRefusal, templatePodRefusal } from "../apiserver/admission/plugins/index.js";
import { podTemplateOf } from "../apiserver/admission/pod-security/index.js";
import type { ValidationIssue } from "./types.js";

type Obj = Record<string, unknown>;

/** The rule id of LimitRanger findings. */
export const LIMIT_RANGER_RULE = "admission/limit-ranger";

/** What the check needs to know of a resource. */
export interface LimitRangerTarget {
  group: string;
  plural: string;
  kind: string;
  /** The object as kube-apiserver has defaulted it. */
  object: Obj;
  namespace: string;
  /** Whether the write updates an object (the plugin checks pods only on creation). */
  update: boolean;
  /** The LimitRanges among the inputs in the namespace. */
  limitRanges: readonly Obj[];
}

type Finding = Pick<ValidationIssue, "severity" | "message">;

/** The LimitRanger findings of one resource. */
export function limitRangerFindings(t: LimitRangerTarget): Finding[] {
  if (t.group === "" && (t.plural === "pods" || t.plural === "persistentvolumeclaims")) {
    const refusal = limitRangerRefusal(
      { operation: t.update ? "UPDATE" : "CREATE", group: "", resource: t.plural, kind: t.kind, subresource: "", namespace: t.namespace, object: structuredClone(t.object) },
      t.limitRanges,
    );
    if (!refusal) return [];
    return [refusal.sure ? { severity: "error", message: refusal.message } : { severity: "warning", message: `${refusal.message} (unless a LimitRange not among the inputs sets defaults for the values left out)` }];
  }
  const template = podTemplateOf(t.group, t.plural, t.object);
  const refusal = template && templatePodRefusal(template, t.namespace, t.limitRanges);
  if (!refusal) return [];
  return [{ severity: "warning", message: `pods created from this template would be refused${refusal.sure ? "" : " unless a LimitRange not among the inputs sets defaults for the values left out"}: ${refusal.reason}` }];
}
