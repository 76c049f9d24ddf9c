/**
 * Which requests a policy or binding applies to, as kube-apiserver's policy matcher decides
 * (`k8s.io/apiserver/pkg/admission/plugin/policy/matching`): resource rules with groups,
 * versions, resources, operations, scope and names, excluded rules, namespace and object label
 * selectors, and `matchPolicy: Equivalent`.
 */
import { isRecord } from "../../meta/values.js";

type Obj = Record<string, unknown>;

/** A `metav1.LabelSelector`. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

/**
 * Whether labels satisfy a selector (`metav1.LabelSelectorAsSelector`). An empty selector matches
 * everything; an unknown operator matches nothing.
 *
 * @example
 * labelSelectorMatches({ matchLabels: { env: "prod" } }, { env: "prod" }); // true
 */
export function labelSelectorMatches(selector: LabelSelector | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const values = e.values ?? [];
    switch (e.operator) {
      case "In":
        if (!has || !values.includes(labels[e.key]!)) return false;
        break;
      case "NotIn":
        if (has && values.includes(labels[e.key]!)) return false;
        break;
      case "Exists":
        if (!has) return false;
        break;
      case "DoesNotExist":
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** The label keys a selector reads. @example selectorKeys({ matchLabels: { a: "1" } }); // ["a"] */
export function selectorKeys(selector: LabelSelector | undefined): string[] {
  if (!selector) return [];
  return [...Object.keys(selector.matchLabels ?? {}), ...(selector.matchExpressions ?? []).map((e) => e.key)];
}

/** Whether a selector is empty (matches everything). */
export function isEmptySelector(selector: LabelSelector | undefined): boolean {
  return !selector || (!Object.keys(selector.matchLabels ?? {}).length && !(selector.matchExpressions ?? []).length);
}

/** What the matcher knows about a request. */
export interface MatchAttributes {
  operation: string;
  group: string;
  version: string;
  resource: string;
  subresource: string;
  name: string;
  namespace: string;
  /** Whether the resource is namespaced. */
  namespaced: boolean;
  object?: Obj;
  oldObject?: Obj;
  /**
   * The resources the request's resource is also served as (`EquivalentResourceMapper`: every
   * version, and group, of the same storage), the request's own among them. When given,
   * `matchPolicy: Equivalent` matches a rule only through one of these, as kube-apiserver does;
   * without them, a rule naming any version of the group and resource matches.
   */
  equivalents?: readonly ResourceVersion[];
}

/** A group, version and resource. */
export interface ResourceVersion {
  group: string;
  version: string;
  resource: string;
}

/** A resource served at a group and version, with the kind of its objects there. */
export interface EquivalentResource extends ResourceVersion {
  kind: { group: string; version: string; kind: string };
}

/** A `NamedRuleWithOperations`. */
interface Rule {
  apiGroups?: string[];
  apiVersions?: string[];
  resources?: string[];
  operations?: string[];
  scope?: string;
  resourceNames?: string[];
}

function strings(v: unknown): string[] | undefined {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : undefined;
}

function matchesList(list: string[] | undefined, value: string): boolean {
  return (list ?? []).some((x) => x === "*" || x === value);
}

function matchesResource(resources: string[] | undefined, resource: string, subresource: string): boolean {
  const full = subresource ? `${resource}/${subresource}` : resource;
  for (const r of resources ?? []) {
    if (r === "*/*") return true;
    if (r === "*" && !subresource) return true;
    if (r === full) return true;
    const slash = r.indexOf("/");
    if (slash >= 0) {
      const [res, sub] = [r.slice(0, slash), r.slice(slash + 1)];
      if (res === "*" && sub === subresource && subresource) return true;
      if (res === resource && sub === "*" && subresource) return true;
    }
  }
  return false;
}

function ruleMatches(rule: Rule, a: MatchAttributes, equivalent: boolean): boolean {
  if (!matchesList(rule.operations, a.operation)) return false;
  if (!matchesList(rule.apiGroups, a.group)) return false;
  // Equivalent without the served equivalents: a rule naming another version of the same group
  // and resource still matches, the request being converted to the version the rule names.
  if (!matchesList(rule.apiVersions, a.version) && !(equivalent && !a.equivalents && (rule.apiVersions ?? []).length)) return false;
  if (!matchesResource(rule.resources, a.resource, a.subresource)) return false;
  const scope = rule.scope ?? "*";
  if (scope === "Cluster" && a.namespaced) return false;
  if (scope === "Namespaced" && !a.namespaced) return false;
  if (rule.resourceNames?.length && !rule.resourceNames.includes(a.name)) return false;
  return true;
}

function rulesOf(v: unknown): Rule[] {
  if (!Array.isArray(v)) return [];
  return v.filter(isRecord).map((r) => ({
    ...(strings(r.apiGroups) ? { apiGroups: strings(r.apiGroups)! } : {}),
    ...(strings(r.apiVersions) ? { apiVersions: strings(r.apiVersions)! } : {}),
    ...(strings(r.resources) ? { resources: strings(r.resources)! } : {}),
    ...(strings(r.operations) ? { operations: strings(r.operations)! } : {}),
    ...(typeof r.scope === "string" ? { scope: r.scope } : {}),
    ...(strings(r.resourceNames) ? { resourceNames: strings(r.resourceNames)! } : {}),
  }));
}

/** Labels of a namespace, or what is known of them offline. */
export interface NamespaceLabels {
  labels: Record<string, string>;
  /** False when the Namespace is not among the inputs: only `kubernetes.io/metadata.name` is known. */
  complete: boolean;
}

/**
 * The outcome of matching: whether it matches, or why that cannot be known offline. `equivalent`
 * is the served resource a rule matched through when it is not the request's own (the request is
 * converted to it).
 */
export type MatchOutcome = { matches: boolean; unknown?: undefined; equivalent?: ResourceVersion } | { matches: false; unknown: string; equivalent?: undefined };

function labelsOf(o: Obj | undefined): Record<string, string> {
  const l = isRecord(o?.metadata) ? (o!.metadata as Obj).labels : undefined;
  return isRecord(l) ? (l as Record<string, string>) : {};
}

/** Match criteria read once. */
interface Criteria {
  nsSelector?: LabelSelector;
  objSelector?: LabelSelector;
  equivalent: boolean;
  exclude: Rule[];
  rules: Rule[];
}

const parsedCriteria = new WeakMap<object, Criteria>();

function criteriaOf(criteria: unknown): Criteria {
  const key = isRecord(criteria) ? criteria : undefined;
  const hit = key ? parsedCriteria.get(key) : undefined;
  if (hit) return hit;
  const c = key ?? {};
  const ns = isRecord(c.namespaceSelector) ? (c.namespaceSelector as LabelSelector) : undefined;
  const obj = isRecord(c.objectSelector) ? (c.objectSelector as LabelSelector) : undefined;
  const out: Criteria = {
    ...(!isEmptySelector(ns) ? { nsSelector: ns! } : {}),
    ...(!isEmptySelector(obj) ? { objSelector: obj! } : {}),
    equivalent: c.matchPolicy !== "Exact",
    exclude: rulesOf(c.excludeResourceRules),
    rules: rulesOf(c.resourceRules),
  };
  if (key) parsedCriteria.set(key, out);
  return out;
}

/**
 * Whether a request falls under `matchConstraints` / `matchResources` (kube-apiserver's
 * `Matcher.Matches`). `namespaceLabels` gives the labels of the request's namespace.
 *
 * @example
 * matchResources({ resourceRules: [{ apiGroups: ["apps"], apiVersions: ["v1"], resources: ["deployments"], operations: ["CREATE"] }] }, attrs, () => undefined);
 */
export function matchResources(criteria: unknown, a: MatchAttributes, namespaceLabels: (name: string) => NamespaceLabels | undefined): MatchOutcome {
  const c = criteriaOf(criteria);
  // Namespace selector: cluster-scoped requests other than namespaces always pass it.
  const nsSelector = c.nsSelector;
  if (nsSelector) {
    let labels: NamespaceLabels | undefined;
    if (a.resource === "namespaces" && !a.subresource && a.group === "") {
      labels = { labels: { ...labelsOf(a.oldObject), ...labelsOf(a.object) }, complete: true };
    } else if (a.namespace) labels = namespaceLabels(a.namespace) ?? { labels: { "kubernetes.io/metadata.name": a.namespace }, complete: false };
    if (labels) {
      if (!labels.complete && selectorKeys(nsSelector).some((k) => k !== "kubernetes.io/metadata.name")) {
        return { matches: false, unknown: `the labels of namespace ${JSON.stringify(a.namespace)} are not known (add its Namespace manifest to the inputs)` };
      }
      if (!labelSelectorMatches(nsSelector, labels.labels)) return { matches: false };
    }
  }
  const objSelector = c.objSelector;
  if (objSelector) {
    // The options of a CONNECT (PodExecOptions, …) have no object metadata: nothing to select (`matchObject`).
    const selects = (o: Obj | undefined) => !!o && (a.operation !== "CONNECT" || isRecord(o.metadata)) && labelSelectorMatches(objSelector, labelsOf(o));
    const ok = selects(a.object) || selects(a.oldObject);
    if (!ok) return { matches: false };
  }
  for (const r of c.exclude) if (ruleMatches(r, a, c.equivalent)) return { matches: false };
  if (!c.rules.length) return { matches: true };
  for (const r of c.rules) if (ruleMatches(r, a, c.equivalent)) return { matches: true };
  if (c.equivalent && a.equivalents) {
    // Earlier rules first; each against every equivalent resource but the request's own.
    for (const r of c.rules) {
      for (const e of a.equivalents) {
        if (e.group === a.group && e.version === a.version && e.resource === a.resource) continue;
        if (ruleMatches(r, { ...a, ...e }, false)) return { matches: true, equivalent: e };
      }
    }
  }
  return { matches: false };
}

/** Resources no admission policy or webhook applies to, so that a bad one can always be removed. */
const EXEMPT_RESOURCES = new Set([
  "validatingwebhookconfigurations",
  "mutatingwebhookconfigurations",
  "validatingadmissionpolicies",
  "validatingadmissionpolicybindings",
  "mutatingadmissionpolicies",
  "mutatingadmissionpolicybindings",
]);

/**
 * Whether a resource is one no admission policy or webhook is called for
 * (`IsExemptAdmissionConfigurationResource`).
 *
 * @example
 * isExemptAdmissionConfigurationResource("admissionregistration.k8s.io", "mutatingwebhookconfigurations"); // true
 */
export function isExemptAdmissionConfigurationResource(group: string, resource: string): boolean {
  return group === "admissionregistration.k8s.io" && EXEMPT_RESOURCES.has(resource);
}

/**
 * The served resource a match went through when it is not the request's own, among the request's
 * equivalents: where a webhook or policy is invoked (`matchGVR`, `matchGVK` of kube-apiserver's
 * matchers), the object being converted to its kind. Undefined when the match is the request's
 * own resource (or no match).
 *
 * @example
 * matchedEquivalent(matchResources(criteria, attrs, labels), attrs.equivalents); // { group: "autoscaling", version: "v2", resource: "horizontalpodautoscalers", kind: { … } }
 */
export function matchedEquivalent(outcome: MatchOutcome, equivalents: readonly EquivalentResource[] | undefined): EquivalentResource | undefined {
  const e = outcome.matches ? outcome.equivalent : undefined;
  return e ? equivalents?.find((x) => x.group === e.group && x.version === e.version && x.resource === e.resource) : undefined;
}
