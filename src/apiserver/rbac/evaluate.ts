/**
 * The RBAC authorizer of kube-apiserver (plugin/pkg/auth/authorizer/rbac, its rule resolver in
 * pkg/registry/rbac/validation and the matching helpers of pkg/apis/rbac/v1), pure: given the
 * Roles, ClusterRoles, RoleBindings and ClusterRoleBindings of a cluster, decide a request for a
 * user, or list the rules the user holds in a namespace. ClusterRoles with an `aggregationRule`
 * take the rules of the ClusterRoles their selectors pick, as the clusterrole-aggregation
 * controller writes them. Members of `system:masters` are allowed everything, as the apiserver's
 * privileged-group authorizer (ahead of RBAC) allows them.
 */
import { parseLabelSelector } from "../validation/index.js";

type Obj = Record<string, unknown>;

/**
 * One rule of a Role or ClusterRole (`rbac.authorization.k8s.io/v1` PolicyRule).
 *
 * @example
 * const readPods: PolicyRule = { verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["pods", "pods/log"] };
 */
export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

/**
 * Who asks: the user name and groups an authenticator gave the request.
 *
 * @example
 * const jane: RbacUser = { username: "jane", groups: ["devs", "system:authenticated"] };
 */
export interface RbacUser {
  username: string;
  groups?: readonly string[];
}

/**
 * What is asked, in the authorizer's attributes: a resource request (verb, API group, resource,
 * subresource, name, namespace) or, with `nonResourceURL`, a request for a path.
 *
 * @example
 * const listPods: RbacRequest = { verb: "list", apiGroup: "", resource: "pods", namespace: "default" };
 * const health: RbacRequest = { verb: "get", nonResourceURL: "/healthz" };
 */
export interface RbacRequest {
  verb: string;
  apiGroup?: string;
  resource?: string;
  subresource?: string;
  name?: string;
  /** Empty or absent: a cluster-scoped request (only ClusterRoleBindings apply). */
  namespace?: string;
  /** Set for non-resource requests (`/healthz`, `/apis`); the resource fields are then ignored. */
  nonResourceURL?: string;
}

/**
 * The RBAC objects of a cluster, as stored (`Role`, `ClusterRole`, `RoleBinding`, `ClusterRoleBinding`).
 *
 * @example
 * const policy: RbacObjects = { roles: [], clusterRoles: bootstrapClusterRoles(), roleBindings: [], clusterRoleBindings: bootstrapClusterRoleBindings() };
 */
export interface RbacObjects {
  roles: readonly unknown[];
  clusterRoles: readonly unknown[];
  roleBindings: readonly unknown[];
  clusterRoleBindings: readonly unknown[];
}

/**
 * The answer of {@link authorizeRbac}: allowed or not, the apiserver's reason (`RBAC: allowed by
 * …`), and the errors met resolving bindings (a binding to a missing role).
 *
 * @example
 * const d: RbacDecision = authorizeRbac(policy, { username: "jane" }, { verb: "get", apiGroup: "", resource: "pods", namespace: "default" });
 * if (!d.allowed) console.log(d.reason); // "" or "RBAC: role.rbac.authorization.k8s.io \"x\" not found"
 */
export interface RbacDecision {
  allowed: boolean;
  /** kube-apiserver's reason: `RBAC: allowed by …` when allowed, the resolution errors (or "") when not. */
  reason: string;
}

/**
 * The rules a user holds in a namespace (what a SelfSubjectRulesReview answers), and the errors
 * met resolving them (`evaluationError`).
 *
 * @example
 * const { resourceRules } = rbacRulesFor(policy, { username: "jane" }, "default");
 */
export interface RbacRules {
  resourceRules: Array<{ verbs: string[]; apiGroups: string[]; resources: string[]; resourceNames?: string[] }>;
  nonResourceRules: Array<{ verbs: string[]; nonResourceURLs: string[] }>;
  /** The resolution errors joined as kube-apiserver's aggregate error; undefined when none. */
  evaluationError?: string;
}

/**
 * The group whose members kube-apiserver allows everything (`user.SystemPrivilegedGroup`).
 *
 * @example
 * const admin: RbacUser = { username: "kubernetes-admin", groups: [SYSTEM_MASTERS] };
 */
export const SYSTEM_MASTERS = "system:masters";

const GROUP = "rbac.authorization.k8s.io";

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

function metaOf(o: Obj): Obj {
  return isObj(o.metadata) ? o.metadata : {};
}

function ruleOf(v: unknown): PolicyRule | undefined {
  if (!isObj(v)) return undefined;
  const rule: PolicyRule = { verbs: strings(v.verbs) };
  if (Array.isArray(v.apiGroups)) rule.apiGroups = strings(v.apiGroups);
  if (Array.isArray(v.resources)) rule.resources = strings(v.resources);
  if (Array.isArray(v.resourceNames)) rule.resourceNames = strings(v.resourceNames);
  if (Array.isArray(v.nonResourceURLs)) rule.nonResourceURLs = strings(v.nonResourceURLs);
  return rule;
}

function rulesOf(o: Obj): PolicyRule[] {
  return (Array.isArray(o.rules) ? o.rules : []).map(ruleOf).filter((r): r is PolicyRule => r !== undefined);
}

/**
 * `VerbMatches`: `*` or the verb itself.
 *
 * @example
 * verbMatches({ verbs: ["*"] }, "escalate"); // true
 */
export function verbMatches(rule: PolicyRule, verb: string): boolean {
  return rule.verbs.some((v) => v === "*" || v === verb);
}

/**
 * `APIGroupMatches`: `*` or the group itself (`""` is the core group).
 *
 * @example
 * apiGroupMatches({ verbs: ["get"], apiGroups: [""] }, "apps"); // false
 */
export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  return (rule.apiGroups ?? []).some((g) => g === "*" || g === group);
}

/**
 * `ResourceMatches`: `*`, the combined `resource/subresource`, or `*\/subresource`.
 *
 * @example
 * resourceMatches({ verbs: ["get"], resources: ["*\/scale"] }, "deployments/scale", "scale"); // true
 */
export function resourceMatches(rule: PolicyRule, combinedResource: string, subresource: string): boolean {
  for (const r of rule.resources ?? []) {
    if (r === "*" || r === combinedResource) return true;
    if (!subresource) continue;
    if (r.length === subresource.length + 2 && r.startsWith("*/") && r.endsWith(subresource)) return true;
  }
  return false;
}

/**
 * `ResourceNameMatches`: no names in the rule, or the request's name among them.
 *
 * @example
 * resourceNameMatches({ verbs: ["get"], resourceNames: ["app-config"] }, ""); // false: a list names no object
 */
export function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  const names = rule.resourceNames ?? [];
  return names.length === 0 || names.includes(name);
}

/**
 * `NonResourceURLMatches`: `*`, the path itself, or a prefix ending in `*`.
 *
 * @example
 * nonResourceURLMatches({ verbs: ["get"], nonResourceURLs: ["/apis/*"] }, "/apis/apps"); // true
 */
export function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  for (const u of rule.nonResourceURLs ?? []) {
    if (u === "*" || u === path) return true;
    if (u.endsWith("*") && path.startsWith(u.replace(/\*+$/, ""))) return true;
  }
  return false;
}

/**
 * `RuleAllows`: whether one rule allows a request.
 *
 * @example
 * ruleAllows({ verbs: ["get"], apiGroups: [""], resources: ["pods/log"] }, { verb: "get", apiGroup: "", resource: "pods", subresource: "log" }); // true
 */
export function ruleAllows(rule: PolicyRule, request: RbacRequest): boolean {
  if (request.nonResourceURL !== undefined) return verbMatches(rule, request.verb) && nonResourceURLMatches(rule, request.nonResourceURL);
  const resource = request.resource ?? "";
  const subresource = request.subresource ?? "";
  const combined = subresource ? `${resource}/${subresource}` : resource;
  return (
    verbMatches(rule, request.verb) &&
    apiGroupMatches(rule, request.apiGroup ?? "") &&
    resourceMatches(rule, combined, subresource) &&
    resourceNameMatches(rule, request.name ?? "")
  );
}

/** `serviceaccount.MatchesUsername`: `system:serviceaccount:<namespace>:<name>`. */
function matchesServiceAccount(namespace: string, name: string, username: string): boolean {
  return username === `system:serviceaccount:${namespace}:${name}`;
}

/** `appliesToUser`: User by name, Group by membership, ServiceAccount by its user name (namespace defaulting to the binding's). */
function appliesToUser(user: RbacUser, subject: Obj, namespace: string): boolean {
  const name = str(subject.name);
  switch (subject.kind) {
    case "User":
      return user.username === name;
    case "Group":
      return (user.groups ?? []).includes(name);
    case "ServiceAccount": {
      const saNamespace = str(subject.namespace) || namespace;
      if (!saNamespace) return false;
      return matchesServiceAccount(saNamespace, name, user.username);
    }
    default:
      return false;
  }
}

function appliesTo(user: RbacUser, subjects: unknown, namespace: string): Obj | undefined {
  for (const s of Array.isArray(subjects) ? subjects : []) if (isObj(s) && appliesToUser(user, s, namespace)) return s;
  return undefined;
}

function describeSubject(s: Obj, bindingNamespace: string): string {
  const kind = str(s.kind);
  const name = str(s.name);
  if (kind === "ServiceAccount") return `${kind} ${JSON.stringify(`${name}/${str(s.namespace) || bindingNamespace}`)}`;
  return `${kind} ${JSON.stringify(name)}`;
}

/** Deep equality of two rules (`equality.Semantic.DeepEqual` on PolicyRule; nil and empty lists differ there, not here). */
function sameRule(a: PolicyRule, b: PolicyRule): boolean {
  const keys = ["verbs", "apiGroups", "resources", "resourceNames", "nonResourceURLs"] as const;
  return keys.every((k) => {
    const x = a[k] ?? [];
    const y = b[k] ?? [];
    return x.length === y.length && x.every((v, i) => v === y[i]);
  });
}

/**
 * The ClusterRoles with their effective rules: an aggregated ClusterRole (one with an
 * `aggregationRule`) gets the rules of every other ClusterRole its selectors pick, in selector
 * order and by name, without duplicates, as the clusterrole-aggregation controller writes them;
 * repeated until nothing changes (aggregated roles can pick aggregated roles: `admin` ← `edit` ← `view`).
 *
 * @example
 * const roles = aggregateClusterRoles(bootstrapClusterRoles());
 * roles.get("view")!.length > 0; // true: view took system:aggregate-to-view's rules
 */
export function aggregateClusterRoles(clusterRoles: readonly unknown[]): Map<string, PolicyRule[]> {
  const byName = new Map<string, { labels: unknown; aggregation: unknown[] | undefined; rules: PolicyRule[] }>();
  for (const o of clusterRoles) {
    if (!isObj(o)) continue;
    const meta = metaOf(o);
    const aggregation = isObj(o.aggregationRule) ? (Array.isArray(o.aggregationRule.clusterRoleSelectors) ? o.aggregationRule.clusterRoleSelectors : []) : undefined;
    byName.set(str(meta.name), { labels: meta.labels, aggregation, rules: rulesOf(o) });
  }
  const names = [...byName.keys()].sort();
  const aggregated = names.filter((n) => byName.get(n)!.aggregation !== undefined);
  // Each round is one pass of the controller over every aggregated role; a fixed point is reached
  // within as many rounds as there are aggregated roles (the longest chain of picks).
  for (let round = 0; round <= aggregated.length; round++) {
    let changed = false;
    for (const name of aggregated) {
      const role = byName.get(name)!;
      const rules: PolicyRule[] = [];
      for (const s of role.aggregation!) {
        const selector = parseLabelSelector(s);
        if (!selector) continue;
        for (const other of names) {
          if (other === name) continue;
          const candidate = byName.get(other)!;
          if (!selector.matches(candidate.labels)) continue;
          for (const r of candidate.rules) if (!rules.some((x) => sameRule(x, r))) rules.push(r);
        }
      }
      const same = rules.length === role.rules.length && rules.every((r, i) => sameRule(r, role.rules[i]!));
      if (!same) {
        role.rules = rules;
        changed = true;
      }
    }
    if (!changed) break;
  }
  return new Map([...byName].map(([n, r]) => [n, r.rules]));
}

/**
 * The RBAC objects of a cluster, indexed for evaluation (aggregation resolved once). Build one per
 * change of the objects and ask it many times.
 *
 * @example
 * const policy = new RbacPolicy({ roles, clusterRoles, roleBindings, clusterRoleBindings });
 * policy.authorize({ username: "jane", groups: [] }, { verb: "list", apiGroup: "", resource: "pods", namespace: "default" }).allowed;
 */
export class RbacPolicy {
  private readonly clusterRoles: Map<string, PolicyRule[]>;
  private readonly roles = new Map<string, PolicyRule[]>();
  private readonly roleBindings = new Map<string, Obj[]>();
  private readonly clusterRoleBindings: Obj[];

  constructor(objects: RbacObjects) {
    this.clusterRoles = aggregateClusterRoles(objects.clusterRoles);
    for (const o of objects.roles) {
      if (!isObj(o)) continue;
      const meta = metaOf(o);
      this.roles.set(`${str(meta.namespace)}/${str(meta.name)}`, rulesOf(o));
    }
    for (const o of objects.roleBindings) {
      if (!isObj(o)) continue;
      const ns = str(metaOf(o).namespace);
      const list = this.roleBindings.get(ns) ?? [];
      list.push(o);
      this.roleBindings.set(ns, list);
    }
    this.clusterRoleBindings = objects.clusterRoleBindings.filter(isObj);
  }

  /**
   * `GetRoleReferenceRules`: the rules of the role a binding refers to (a Role in the binding's
   * namespace, or a ClusterRole, aggregated), or the lister's NotFound text.
   *
   * @example
   * policy.roleRules("ClusterRole", "view", "default"); // the rules view aggregates
   */
  roleRules(kind: string, name: string, namespace: string): PolicyRule[] | string {
    return this.roleReferenceRules({ kind, name }, namespace);
  }

  private roleReferenceRules(ref: Obj, namespace: string): PolicyRule[] | string {
    const name = str(ref.name);
    switch (ref.kind) {
      case "Role": {
        const rules = this.roles.get(`${namespace}/${name}`);
        return rules ?? `role.${GROUP} ${JSON.stringify(name)} not found`;
      }
      case "ClusterRole": {
        const rules = this.clusterRoles.get(name);
        return rules ?? `clusterrole.${GROUP} ${JSON.stringify(name)} not found`;
      }
      default:
        return `unsupported role reference kind: ${JSON.stringify(str(ref.kind))}`;
    }
  }

  /**
   * `VisitRulesFor`: every rule that applies to the user in the namespace (ClusterRoleBindings
   * first, then the namespace's RoleBindings), with where it comes from; errors as strings. The
   * visitor returns false to stop.
   *
   * @example
   * policy.visitRulesFor(user, "default", (source, rule) => { console.log(source, rule); return true; });
   */
  visitRulesFor(user: RbacUser, namespace: string, visit: (source: string, rule: PolicyRule | undefined, error: string | undefined) => boolean): void {
    for (const b of this.clusterRoleBindings) {
      const subject = appliesTo(user, b.subjects, "");
      if (!subject) continue;
      const ref = isObj(b.roleRef) ? b.roleRef : {};
      const rules = this.roleReferenceRules(ref, "");
      if (typeof rules === "string") {
        if (!visit("", undefined, rules)) return;
        continue;
      }
      const source = `ClusterRoleBinding ${JSON.stringify(str(metaOf(b).name))} of ${str(ref.kind)} ${JSON.stringify(str(ref.name))} to ${describeSubject(subject, "")}`;
      for (const r of rules) if (!visit(source, r, undefined)) return;
    }
    if (!namespace) return;
    for (const b of this.roleBindings.get(namespace) ?? []) {
      const subject = appliesTo(user, b.subjects, namespace);
      if (!subject) continue;
      const ref = isObj(b.roleRef) ? b.roleRef : {};
      const rules = this.roleReferenceRules(ref, namespace);
      if (typeof rules === "string") {
        if (!visit("", undefined, rules)) return;
        continue;
      }
      const source = `RoleBinding ${JSON.stringify(`${str(metaOf(b).name)}/${namespace}`)} of ${str(ref.kind)} ${JSON.stringify(str(ref.name))} to ${describeSubject(subject, namespace)}`;
      for (const r of rules) if (!visit(source, r, undefined)) return;
    }
  }

  /**
   * Decide a request as kube-apiserver's privileged-group and RBAC authorizers do.
   *
   * @example
   * policy.authorize({ username: "jane" }, { verb: "get", nonResourceURL: "/healthz" }); // { allowed: false, reason: "" }
   */
  authorize(user: RbacUser, request: RbacRequest): RbacDecision {
    if ((user.groups ?? []).includes(SYSTEM_MASTERS)) return { allowed: true, reason: "" };
    let reason: string | undefined;
    const errors: string[] = [];
    this.visitRulesFor(user, request.nonResourceURL !== undefined ? "" : (request.namespace ?? ""), (source, rule, error) => {
      if (rule && ruleAllows(rule, request)) {
        reason = `RBAC: allowed by ${source}`;
        return false;
      }
      if (error !== undefined) errors.push(error);
      return true;
    });
    if (reason !== undefined) return { allowed: true, reason };
    return { allowed: false, reason: errors.length ? `RBAC: ${aggregateError(errors)}` : "" };
  }

  /**
   * The resolver's `RulesFor`: every rule the user holds in a namespace, whole, and the resolution
   * errors joined as kube-apiserver's aggregate error.
   *
   * @example
   * policy.policyRulesFor({ username: "jane" }, "default").rules;
   */
  policyRulesFor(user: RbacUser, namespace: string): { rules: PolicyRule[]; error?: string } {
    const rules: PolicyRule[] = [];
    const errors: string[] = [];
    this.visitRulesFor(user, namespace, (_source, rule, error) => {
      if (rule) rules.push(rule);
      if (error !== undefined) errors.push(error);
      return true;
    });
    return errors.length ? { rules, error: aggregateError(errors) } : { rules };
  }

  /**
   * `RulesFor`: the rules the user holds in a namespace, split into resource and non-resource rules
   * as a SelfSubjectRulesReview shows them.
   *
   * @example
   * policy.rulesFor({ username: "jane", groups: ["system:authenticated"] }, "default").nonResourceRules;
   */
  rulesFor(user: RbacUser, namespace: string): RbacRules {
    const out: RbacRules = { resourceRules: [], nonResourceRules: [] };
    const errors: string[] = [];
    this.visitRulesFor(user, namespace, (_source, rule, error) => {
      if (rule) {
        if ((rule.resources ?? []).length > 0) {
          out.resourceRules.push({
            verbs: rule.verbs,
            apiGroups: rule.apiGroups ?? [],
            resources: rule.resources ?? [],
            ...(rule.resourceNames?.length ? { resourceNames: rule.resourceNames } : {}),
          });
        }
        if ((rule.nonResourceURLs ?? []).length > 0) out.nonResourceRules.push({ verbs: rule.verbs, nonResourceURLs: rule.nonResourceURLs ?? [] });
      }
      if (error !== undefined) errors.push(error);
      return true;
    });
    if (errors.length) out.evaluationError = aggregateError(errors);
    return out;
  }
}

/** `utilerrors.NewAggregate(errs).Error()`: one message alone, several (deduplicated) in brackets. */
function aggregateError(errors: string[]): string {
  const unique = [...new Set(errors)];
  return unique.length === 1 ? unique[0]! : `[${unique.join(", ")}]`;
}

/**
 * Decide one request against a cluster's RBAC objects (builds an {@link RbacPolicy}; keep one
 * policy when asking many times).
 *
 * @example
 * const d = authorizeRbac(
 *   { roles: [], roleBindings: [], clusterRoles: bootstrapClusterRoles(), clusterRoleBindings: [{ metadata: { name: "jane-view" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" }, subjects: [{ kind: "User", name: "jane" }] }] },
 *   { username: "jane" },
 *   { verb: "list", apiGroup: "", resource: "pods", namespace: "default" },
 * );
 * d.allowed; // true
 */
export function authorizeRbac(objects: RbacObjects, user: RbacUser, request: RbacRequest): RbacDecision {
  return new RbacPolicy(objects).authorize(user, request);
}

/**
 * The rules a user holds in a namespace (what SelfSubjectRulesReview answers).
 *
 * @example
 * rbacRulesFor(objects, { username: "jane" }, "default").resourceRules;
 */
export function rbacRulesFor(objects: RbacObjects, user: RbacUser, namespace: string): RbacRules {
  return new RbacPolicy(objects).rulesFor(user, namespace);
}

/**
 * The user name and groups of a ServiceAccount, as its tokens authenticate it.
 *
 * @example
 * serviceAccountUser("ci", "deployer"); // { username: "system:serviceaccount:ci:deployer", groups: ["system:serviceaccounts", "system:serviceaccounts:ci", "system:authenticated"] }
 */
export function serviceAccountUser(namespace: string, name: string): { username: string; groups: string[] } {
  return { username: `system:serviceaccount:${namespace}:${name}`, groups: ["system:serviceaccounts", `system:serviceaccounts:${namespace}`, "system:authenticated"] };
}
