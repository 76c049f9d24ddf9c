/**
 * RBAC authorization offline: the Roles, ClusterRoles and their bindings among the inputs answer
 * `authorizer` checks in policies, as kube-apiserver's RBAC authorizer would. A binding naming a
 * role that is not among the inputs makes the answer unknown (the check is reported as not
 * evaluable), never a guess.
 */
import { isRecord } from "../../meta/values.js";
import type { AuthorizationAttributes, AuthorizationDecision, Authorize } from "../cel/authz.js";
import { ruleAllows as rbacRuleAllows, type RbacRequest } from "../rbac/evaluate.js";

type Obj = Record<string, unknown>;

interface PolicyRule {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
  resourceNames: string[];
  nonResourceURLs: string[];
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

function rulesOf(role: Obj): PolicyRule[] | undefined {
  if (isRecord(role.aggregationRule) && !Array.isArray(role.rules)) return undefined;
  return (Array.isArray(role.rules) ? role.rules : []).filter(isRecord).map((r) => ({
    verbs: list(r.verbs),
    apiGroups: list(r.apiGroups),
    resources: list(r.resources),
    resourceNames: list(r.resourceNames),
    nonResourceURLs: list(r.nonResourceURLs),
  }));
}

/** `RuleAllows`, with the RBAC evaluator's matching (one engine for the server and the validator). */
function ruleAllows(r: PolicyRule, a: AuthorizationAttributes): boolean {
  const request: RbacRequest =
    a.path !== undefined
      ? { verb: a.verb, nonResourceURL: a.path }
      : { verb: a.verb, apiGroup: a.apiGroup ?? "", resource: a.resource ?? "", ...(a.subresource ? { subresource: a.subresource } : {}), ...(a.name !== undefined ? { name: a.name } : {}) };
  return rbacRuleAllows(r, request);
}

/** The bootstrap role every cluster has, with the rules RBAC gives it. */
const CLUSTER_ADMIN: PolicyRule[] = [
  { verbs: ["*"], apiGroups: ["*"], resources: ["*"], resourceNames: [], nonResourceURLs: [] },
  { verbs: ["*"], apiGroups: [], resources: [], resourceNames: [], nonResourceURLs: ["*"] },
];

/**
 * An authorizer answering from RBAC objects, or undefined when there are none among them.
 *
 * @example
 * const authorize = rbacAuthorizer(objects);
 * authorize?.({ user: { username: "alice" }, verb: "get", apiGroup: "", resource: "pods", namespace: "dev" });
 */
export function rbacAuthorizer(objects: readonly Obj[]): Authorize | undefined {
  const rbac = objects.filter((o) => typeof o.apiVersion === "string" && o.apiVersion.startsWith("rbac.authorization.k8s.io/"));
  if (!rbac.length) return undefined;
  const nameOf = (o: Obj) => (isRecord(o.metadata) && typeof o.metadata.name === "string" ? o.metadata.name : "");
  const nsOf = (o: Obj) => (isRecord(o.metadata) && typeof o.metadata.namespace === "string" ? o.metadata.namespace : "");
  const clusterRoles = new Map(rbac.filter((o) => o.kind === "ClusterRole").map((o) => [nameOf(o), o]));
  const roles = new Map(rbac.filter((o) => o.kind === "Role").map((o) => [`${nsOf(o)}/${nameOf(o)}`, o]));
  const clusterBindings = rbac.filter((o) => o.kind === "ClusterRoleBinding");
  const bindings = rbac.filter((o) => o.kind === "RoleBinding");

  return (a): AuthorizationDecision | undefined => {
    const groups = a.user.groups ?? [];
    if (groups.includes("system:masters")) return { decision: "allow", reason: "" };
    const subjectMatches = (s: unknown, bindingNs: string): boolean => {
      if (!isRecord(s)) return false;
      if (s.kind === "User") return s.name === a.user.username;
      if (s.kind === "Group") return typeof s.name === "string" && groups.includes(s.name);
      if (s.kind === "ServiceAccount") return a.user.username === `system:serviceaccount:${typeof s.namespace === "string" && s.namespace ? s.namespace : bindingNs}:${s.name}`;
      return false;
    };
    let unknown: string | undefined;
    const check = (binding: Obj, role: Obj | undefined, roleName: string, bindingName: string): AuthorizationDecision | undefined => {
      const rules = roleName === "cluster-admin" && !role ? CLUSTER_ADMIN : role ? rulesOf(role) : undefined;
      if (!rules) {
        unknown ??= `${bindingName} refers to ${roleName}, which is not among the inputs`;
        return undefined;
      }
      if (rules.some((r) => ruleAllows(r, a))) return { decision: "allow", reason: `RBAC: allowed by ${bindingName}` };
      void binding;
      return undefined;
    };
    for (const b of clusterBindings) {
      if (!(Array.isArray(b.subjects) && b.subjects.some((s) => subjectMatches(s, "")))) continue;
      const ref = isRecord(b.roleRef) ? b.roleRef : {};
      const name = String(ref.name ?? "");
      const d = check(b, clusterRoles.get(name), `ClusterRole "${name}"`, `ClusterRoleBinding "${nameOf(b)}"`);
      if (d) return d;
    }
    if (a.namespace && a.path === undefined) {
      for (const b of bindings) {
        if (nsOf(b) !== a.namespace) continue;
        if (!(Array.isArray(b.subjects) && b.subjects.some((s) => subjectMatches(s, a.namespace!)))) continue;
        const ref = isRecord(b.roleRef) ? b.roleRef : {};
        const name = String(ref.name ?? "");
        const role = ref.kind === "Role" ? roles.get(`${a.namespace}/${name}`) : clusterRoles.get(name);
        const d = check(b, role, `${ref.kind === "Role" ? "Role" : "ClusterRole"} "${name}"`, `RoleBinding "${a.namespace}/${nameOf(b)}"`);
        if (d) return d;
      }
    }
    if (unknown) return undefined;
    return { decision: "noOpinion", reason: "" };
  };
}
