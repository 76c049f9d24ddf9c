/**
 * The PodSecurity admission plugin (k8s.io/pod-security-admission/admission): pods are refused
 * by their namespace's `enforce` level and warned about by its `warn` level; workload resources
 * are only warned about (their pod templates); namespace labels must be valid, and raising a
 * namespace's `enforce` level warns about the existing pods that violate it.
 */
import type { FieldError } from "../../../meta/index.js";
import type { PodMetaLike, PodSpecLike } from "./checks.js";
import {
  compareLevels,
  evaluatePodSecurity,
  forbiddenDetail,
  forbiddenReason,
  levelVersionString,
  policyFromLabels,
  sameLevelVersion,
  sameVersion,
  DEFAULT_POD_SECURITY_POLICY,
  type LevelVersion,
  type PodSecurityPolicy,
  type PodSecurityResult,
} from "./policy.js";

type Obj = Record<string, unknown>;

/** Who and what is exempt from Pod Security (the plugin's `exemptions`; kube-apiserver's default has none). */
export interface PodSecurityExemptions {
  usernames?: readonly string[];
  namespaces?: readonly string[];
  runtimeClasses?: readonly string[];
}

/** The plugin's configuration (kube-apiserver's default: privileged:latest everywhere, no exemptions). */
export interface PodSecurityConfiguration {
  defaults?: PodSecurityPolicy;
  exemptions?: PodSecurityExemptions;
}

/** A write as the plugin sees it. */
export interface PodSecurityRequest {
  operation: string;
  group: string;
  /** The resource's plural (`pods`, `deployments`, `namespaces`). */
  resource: string;
  subresource?: string;
  name: string;
  namespace?: string;
  userName?: string;
  object: Obj;
  oldObject?: Obj;
  /** The labels of the object's namespace (pods and workloads), undefined if it has none. */
  namespaceLabels?: Readonly<Record<string, string>>;
  /** The pods of the namespace being relabelled (namespace updates only). */
  podsInNamespace?: () => readonly Obj[];
}

/** The plugin's answer. */
export interface PodSecurityOutcome {
  /** The reason of a refusal (the 403 message after `pods "name" is forbidden: `). */
  forbidden?: string;
  /** Invalid Pod Security labels of a namespace (a 422). */
  invalid?: FieldError[];
  /** `Warning` header texts. */
  warnings: string[];
  /** Audit annotations (`pod-security.kubernetes.io/audit-violations`, `…/enforce-policy`, `error`). */
  auditAnnotations: Record<string, string>;
}

const ALLOWED: PodSecurityOutcome = { warnings: [], auditAnnotations: {} };

/** Resources whose objects embed a pod template, and where the template is. */
const TEMPLATE_PATHS: Readonly<Record<string, readonly string[]>> = {
  "/replicationcontrollers": ["spec", "template"],
  "/podtemplates": ["template"],
  "apps/replicasets": ["spec", "template"],
  "apps/deployments": ["spec", "template"],
  "apps/statefulsets": ["spec", "template"],
  "apps/daemonsets": ["spec", "template"],
  "batch/jobs": ["spec", "template"],
  "batch/cronjobs": ["spec", "jobTemplate", "spec", "template"],
};

/** Pod subresources whose writes carry no pod spec to check. */
const IGNORED_POD_SUBRESOURCES = new Set(["exec", "attach", "binding", "eviction", "log", "portforward", "proxy", "status"]);

/** At most this many existing pods are checked when a namespace's enforce level is raised. */
const NAMESPACE_MAX_PODS_TO_CHECK = 3000;

/** Whether the plugin looks at writes of this resource at all. */
export function podSecurityApplies(group: string, resource: string): boolean {
  return (group === "" && (resource === "pods" || resource === "namespaces")) || `${group}/${resource}` in TEMPLATE_PATHS;
}

const obj = (v: unknown): Obj | undefined => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : undefined);

function metaOf(o: Obj | undefined): PodMetaLike {
  const m = obj(o?.metadata);
  const annotations = obj(m?.annotations) as Record<string, string> | undefined;
  return { ...(typeof m?.name === "string" ? { name: m.name } : {}), ...(annotations ? { annotations } : {}) };
}

/** Run the PodSecurity plugin on a create or update. */
export function admitPodSecurity(req: PodSecurityRequest, config: PodSecurityConfiguration = {}): PodSecurityOutcome {
  if (req.operation !== "CREATE" && req.operation !== "UPDATE") return ALLOWED;
  if (!podSecurityApplies(req.group, req.resource)) return ALLOWED;
  if (req.group === "" && req.resource === "namespaces") return validateNamespace(req, config);
  if (req.group === "" && req.resource === "pods") return validatePod(req, config);
  return validatePodController(req, config);
}

const exempt = (list: readonly string[] | undefined, value: string | undefined): boolean => Boolean(value) && (list ?? []).includes(value!);

function validateNamespace(req: PodSecurityRequest, config: PodSecurityConfiguration): PodSecurityOutcome {
  if (req.subresource) return ALLOWED;
  const defaults = config.defaults ?? DEFAULT_POD_SECURITY_POLICY;
  const labelsOf = (o: Obj | undefined) => obj(obj(o?.metadata)?.labels) as Record<string, string> | undefined;
  const next = policyFromLabels(labelsOf(req.object), defaults);
  if (req.operation === "CREATE") return next.errors.length ? { ...ALLOWED, invalid: next.errors } : ALLOWED;
  const old = policyFromLabels(labelsOf(req.oldObject), defaults);
  if (next.errors.length && (!old.errors.length || JSON.stringify(next.errors) !== JSON.stringify(old.errors))) return { ...ALLOWED, invalid: next.errors };
  const enforce = next.policy.enforce;
  if (sameLevelVersion(enforce, old.policy.enforce) || enforce.level === "privileged") return ALLOWED;
  if (sameVersion(enforce.version, old.policy.enforce.version) && compareLevels(enforce.level, old.policy.enforce.level) < 1) return ALLOWED;
  if (exempt(config.exemptions?.namespaces, req.namespace ?? req.name)) return ALLOWED;
  return { ...ALLOWED, warnings: evaluatePodsInNamespace(req.name, enforce, req.podsInNamespace?.() ?? [], config) };
}

function validatePod(req: PodSecurityRequest, config: PodSecurityConfiguration): PodSecurityOutcome {
  if (IGNORED_POD_SUBRESOURCES.has(req.subresource ?? "")) return ALLOWED;
  if (exempt(config.exemptions?.namespaces, req.namespace) || exempt(config.exemptions?.usernames, req.userName)) return ALLOWED;
  const { policy, errors } = policyFromLabels(req.namespaceLabels, config.defaults ?? DEFAULT_POD_SECURITY_POLICY);
  if (!errors.length && policy.enforce.level === "privileged" && policy.warn.level === "privileged" && policy.audit.level === "privileged") return ALLOWED;
  if (req.operation === "UPDATE" && req.oldObject && !isSignificantPodUpdate(req.object, req.oldObject)) return ALLOWED;
  return evaluate(policy, errors, metaOf(req.object), obj(req.object.spec) ?? {}, true, config);
}

function validatePodController(req: PodSecurityRequest, config: PodSecurityConfiguration): PodSecurityOutcome {
  if (req.subresource) return ALLOWED;
  if (exempt(config.exemptions?.namespaces, req.namespace) || exempt(config.exemptions?.usernames, req.userName)) return ALLOWED;
  const { policy, errors } = policyFromLabels(req.namespaceLabels, config.defaults ?? DEFAULT_POD_SECURITY_POLICY);
  if (!errors.length && policy.warn.level === "privileged" && policy.audit.level === "privileged") return ALLOWED;
  const template = podTemplateOf(req.group, req.resource, req.object);
  if (!template) return ALLOWED;
  return evaluate(policy, errors, metaOf(template), obj(template.spec) ?? {}, false, config);
}

/** The pod template a workload resource embeds (undefined where it has none, or for other resources). */
export function podTemplateOf(group: string, resource: string, object: Obj): Obj | undefined {
  const path = TEMPLATE_PATHS[`${group}/${resource}`];
  let template: Obj | undefined = path ? object : undefined;
  for (const key of path ?? []) template = obj(template?.[key]);
  return template;
}

function evaluate(policy: PodSecurityPolicy, errors: readonly FieldError[], meta: PodMetaLike, spec: PodSpecLike, enforce: boolean, config: PodSecurityConfiguration): PodSecurityOutcome {
  if (exempt(config.exemptions?.runtimeClasses, typeof spec.runtimeClassName === "string" ? spec.runtimeClassName : undefined)) return ALLOWED;
  const auditAnnotations: Record<string, string> = {};
  if (errors.length) auditAnnotations.error = `Failed to parse policy: ${aggregate(errors)}`;
  const results = new Map<string, PodSecurityResult>();
  const resultFor = (lv: LevelVersion): PodSecurityResult => {
    const key = levelVersionString(lv);
    let r = results.get(key);
    if (!r) results.set(key, (r = evaluatePodSecurity(lv, meta, spec)));
    return r;
  };
  const outcome: PodSecurityOutcome = { warnings: [], auditAnnotations };
  if (enforce) {
    auditAnnotations["pod-security.kubernetes.io/enforce-policy"] = levelVersionString(policy.enforce);
    const r = resultFor(policy.enforce);
    if (!r.allowed) outcome.forbidden = `violates PodSecurity ${JSON.stringify(levelVersionString(policy.enforce))}: ${forbiddenDetail(r)}`;
  }
  const audit = resultFor(policy.audit);
  if (!audit.allowed) auditAnnotations["pod-security.kubernetes.io/audit-violations"] = `would violate PodSecurity ${JSON.stringify(levelVersionString(policy.audit))}: ${forbiddenDetail(audit)}`;
  if (!outcome.forbidden) {
    const warn = resultFor(policy.warn);
    if (!warn.allowed) outcome.warnings.push(`would violate PodSecurity ${JSON.stringify(levelVersionString(policy.warn))}: ${forbiddenDetail(warn)}`);
  }
  return outcome;
}

/** An aggregate of field errors as Go prints it: one error alone, several in brackets. */
function aggregate(errors: readonly FieldError[]): string {
  const texts = errors.map((e) => `${e.field}: Invalid value: ${JSON.stringify(e.value)}: ${e.message}`);
  return texts.length === 1 ? texts[0]! : `[${texts.join(", ")}]`;
}

/** Only a change of containers, images or seccomp annotations makes a pod update worth checking. */
function isSignificantPodUpdate(pod: Obj, oldPod: Obj): boolean {
  const spec = obj(pod.spec) ?? {};
  const oldSpec = obj(oldPod.spec) ?? {};
  const annotations = metaOf(pod).annotations ?? {};
  const oldAnnotations = metaOf(oldPod).annotations ?? {};
  const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.map((x) => obj(x) ?? {}) : []);
  const significant = (c: Obj, old: Obj): boolean => {
    if (c.image !== old.image) return true;
    const key = `container.seccomp.security.alpha.kubernetes.io/${String(c.name ?? "")}`;
    return annotations[key] !== oldAnnotations[key];
  };
  for (const field of ["containers", "initContainers"]) {
    const now = list(spec[field]);
    const before = list(oldSpec[field]);
    if (now.length !== before.length) return true;
    if (now.some((c, i) => significant(c, before[i]!))) return true;
  }
  const oldEphemeral = list(oldSpec.ephemeralContainers);
  return list(spec.ephemeralContainers).some((c) => {
    const old = oldEphemeral.find((o) => o.name === c.name);
    return !old || significant(c, old);
  });
}

/** The warnings of a raised enforce level: one line per distinct set of reasons, naming its first pod. */
function evaluatePodsInNamespace(namespace: string, enforce: LevelVersion, pods: readonly Obj[], config: PodSecurityConfiguration): string[] {
  const prioritized = prioritizePods(pods, config);
  const total = prioritized.length;
  const checked = prioritized.slice(0, NAMESPACE_MAX_PODS_TO_CHECK);
  const counts = new Map<string, { podName: string; count: number }>();
  for (const pod of checked) {
    const r = evaluatePodSecurity(enforce, metaOf(pod), obj(pod.spec) ?? {});
    if (r.allowed) continue;
    const warning = forbiddenReason(r);
    const name = metaOf(pod).name ?? "";
    const c = counts.get(warning);
    if (!c) counts.set(warning, { podName: name, count: 1 });
    else {
      if (name < c.podName) c.podName = name;
      c.count++;
    }
  }
  const warnings: string[] = [];
  if (checked.length < total) warnings.push(`new PodSecurity enforce level only checked against the first ${checked.length} of ${total} existing pods`);
  if (counts.size) warnings.push(`existing pods in namespace ${JSON.stringify(namespace)} violate the new PodSecurity enforce level ${JSON.stringify(levelVersionString(enforce))}`);
  const podWarnings = [...counts].map(([warning, c]) =>
    c.count === 1 ? `${c.podName}: ${warning}` : c.count === 2 ? `${c.podName} (and 1 other pod): ${warning}` : `${c.podName} (and ${c.count - 1} other pods): ${warning}`,
  );
  podWarnings.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return [...warnings, ...podWarnings];
}

/** Pods of exempt runtime classes left out; one pod per controller first, its siblings after. */
function prioritizePods(pods: readonly Obj[], config: PodSecurityConfiguration): Obj[] {
  const first: Obj[] = [];
  const rest: Obj[] = [];
  const seen = new Set<string>();
  for (const pod of pods) {
    const runtimeClass = obj(pod.spec)?.runtimeClassName;
    if (exempt(config.exemptions?.runtimeClasses, typeof runtimeClass === "string" ? runtimeClass : undefined)) continue;
    const refs = obj(pod.metadata)?.ownerReferences;
    const controller = Array.isArray(refs) ? refs.map(obj).find((r) => r?.controller === true) : undefined;
    const uid = controller ? String(controller.uid ?? "") : undefined;
    if (uid === undefined) first.push(pod);
    else if (seen.has(uid)) rest.push(pod);
    else {
      seen.add(uid);
      first.push(pod);
    }
  }
  return [...first, ...rest];
}
