/**
 * Pod Security admission in the validator: a Pod, a workload's pod template or a Namespace in a
 * namespace the inputs label with `pod-security.kubernetes.io/*` is checked as the PodSecurity
 * plugin checks it. What kube-apiserver refuses (a Pod against `enforce`, invalid labels) is an
 * error; what it warns about (`warn`), records (`audit`) or what a workload's controller would be
 * refused (a template against `enforce`) is a warning.
 */
import { admitPodSecurity, evaluatePodSecurity, forbiddenDetail, levelVersionString, podSecurityApplies, podTemplateOf, policyFromLabels, sameLevelVersion } from "../apiserver/admission/pod-security/index.js";
import { formatFieldError } from "../meta/index.js";
import type { ValidationIssue } from "./types.js";

type Obj = Record<string, unknown>;

/** The rule id of Pod Security findings. */
export const POD_SECURITY_RULE = "admission/pod-security";

/** What the check needs to know of a resource. */
export interface PodSecurityTarget {
  group: string;
  plural: string;
  kind: string;
  object: Obj;
  old?: Obj;
  /** The labels of a namespace among the inputs, by name. */
  labelsOf(namespace: string): Readonly<Record<string, string>> | undefined;
  /** The namespace the object is written to when it names none (the run's `--namespace`, else `default`). */
  defaultNamespace?: string;
}

type Finding = Pick<ValidationIssue, "severity" | "message">;

const obj = (v: unknown): Obj | undefined => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : undefined);

/** The Pod Security findings of one resource (none when its namespace is not among the inputs). */
export function podSecurityFindings(t: PodSecurityTarget): Finding[] {
  if (!podSecurityApplies(t.group, t.plural)) return [];
  const meta = obj(t.object.metadata) ?? {};
  const name = typeof meta.name === "string" ? meta.name : "";
  const isNamespace = t.group === "" && t.plural === "namespaces";
  const namespace = typeof meta.namespace === "string" && meta.namespace ? meta.namespace : isNamespace ? undefined : t.defaultNamespace;
  const labels = namespace !== undefined ? t.labelsOf(namespace) : undefined;
  if (!isNamespace && !labels) return [];
  const outcome = admitPodSecurity({
    operation: t.old ? "UPDATE" : "CREATE",
    group: t.group,
    resource: t.plural,
    name,
    ...(namespace !== undefined ? { namespace } : {}),
    object: t.object,
    ...(t.old ? { oldObject: t.old } : {}),
    ...(labels ? { namespaceLabels: labels } : {}),
  });
  const findings: Finding[] = [];
  if (outcome.invalid) findings.push({ severity: "error", message: `${t.kind} ${JSON.stringify(name)} is invalid: ${outcome.invalid.map(formatFieldError).join(", ")}` });
  const resource = t.group ? `${t.plural}.${t.group}` : t.plural;
  if (outcome.forbidden) findings.push({ severity: "error", message: `${resource}${name ? ` ${JSON.stringify(name)}` : ""} is forbidden: ${outcome.forbidden}` });
  for (const w of outcome.warnings) findings.push({ severity: "warning", message: w });
  const audit = outcome.auditAnnotations["pod-security.kubernetes.io/audit-violations"];
  if (audit && !outcome.warnings.includes(audit)) findings.push({ severity: "warning", message: `audit: ${audit}` });
  if (!isNamespace && !(t.group === "" && t.plural === "pods")) findings.push(...templateEnforcement(t, labels));
  return findings;
}

/** A workload whose template its namespace's `enforce` level forbids: its controller's pods would be refused. */
function templateEnforcement(t: PodSecurityTarget, labels: Readonly<Record<string, string>> | undefined): Finding[] {
  const { policy } = policyFromLabels(labels);
  const template = podTemplateOf(t.group, t.plural, t.object);
  if (!template || sameLevelVersion(policy.enforce, policy.warn)) return [];
  const annotations = obj(obj(template.metadata)?.annotations) as Record<string, string> | undefined;
  const r = evaluatePodSecurity(policy.enforce, annotations ? { annotations } : {}, obj(template.spec) ?? {});
  if (r.allowed) return [];
  return [{ severity: "warning", message: `pods created from this template would be refused: violates PodSecurity ${JSON.stringify(levelVersionString(policy.enforce))}: ${forbiddenDetail(r)}` }];
}
