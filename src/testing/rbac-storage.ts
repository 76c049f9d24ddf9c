/**
 * The policy-based storage of the RBAC kinds under RBAC authorization (pkg/registry/rbac/*
 * /policybased and pkg/registry/rbac/escalation_check.go): a user may write a Role or ClusterRole
 * only with rules they hold (or with the `escalate` verb), and a binding only to a role whose rules
 * they hold (or with the `bind` verb on it); `system:masters` may do both. Aggregated ClusterRoles
 * need cluster-admin's authority.
 */
import type { PolicyRule, RbacPolicy } from "../apiserver/rbac/evaluate.js";
import { confirmNoEscalation } from "../apiserver/rbac/escalation.js";
import type { KubeApiError } from "../errors.js";
import { decide, type Authorizer, type UserInfo } from "./auth.js";
import type { ResourceRequest } from "./request-info.js";
import { statusError } from "./status.js";

type Obj = Record<string, unknown>;

const GROUP = "rbac.authorization.k8s.io";
const ROLES = new Set(["roles", "clusterroles"]);
const BINDINGS = new Set(["rolebindings", "clusterrolebindings"]);
const FULL_AUTHORITY: PolicyRule[] = [
  { verbs: ["*"], apiGroups: ["*"], resources: ["*"] },
  { verbs: ["*"], nonResourceURLs: ["*"] },
];

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Whether a write is one the RBAC storage checks: create, update or patch of a role or binding. */
export function guardsRbacWrite(info: ResourceRequest): boolean {
  return info.group === GROUP && (ROLES.has(info.resource) || BINDINGS.has(info.resource)) && info.subresource === undefined && (info.verb === "create" || info.verb === "update" || info.verb === "patch");
}

function rulesOf(o: Obj): PolicyRule[] {
  return (Array.isArray(o.rules) ? o.rules : []).filter(isObj).map((r) => ({
    verbs: Array.isArray(r.verbs) ? r.verbs.map(String) : [],
    ...(Array.isArray(r.apiGroups) ? { apiGroups: r.apiGroups.map(String) } : {}),
    ...(Array.isArray(r.resources) ? { resources: r.resources.map(String) } : {}),
    ...(Array.isArray(r.resourceNames) ? { resourceNames: r.resourceNames.map(String) } : {}),
    ...(Array.isArray(r.nonResourceURLs) ? { nonResourceURLs: r.nonResourceURLs.map(String) } : {}),
  }));
}

/** `IsOnlyMutatingGCFields`: the objects differ in owner references and finalizers at most. */
function onlyGcFieldsChanged(object: Obj, old: Obj): boolean {
  const strip = (o: Obj) => {
    const meta = { ...(isObj(o.metadata) ? o.metadata : {}) };
    for (const k of ["ownerReferences", "finalizers", "resourceVersion", "managedFields", "generation", "creationTimestamp", "uid"]) delete meta[k];
    return JSON.stringify({ ...o, metadata: meta }, Object.keys({ ...o, metadata: meta }).sort());
  };
  return strip(object) === strip(old) && JSON.stringify(object.rules) === JSON.stringify(old.rules) && JSON.stringify(object.subjects) === JSON.stringify(old.subjects);
}

const forbidden = (resource: string, name: string, message: string): KubeApiError =>
  statusError(403, "Forbidden", `${resource}.${GROUP} ${JSON.stringify(name)} is forbidden: ${message}`, { name, group: GROUP, kind: resource });

/**
 * Refuse (403, in kube-apiserver's words) a write of a Role, ClusterRole or binding that would
 * grant the user more than they hold. `object` is the object as it would be stored, `old` the
 * stored one on updates.
 */
export function checkRbacWrite(policy: RbacPolicy, authorize: Authorizer, user: UserInfo, info: ResourceRequest, object: Obj, old: Obj | undefined): void {
  const groups = user.groups ?? [];
  if (groups.includes("system:masters")) return;
  const rbacUser = { username: user.username, groups };
  const namespace = info.namespace ?? "";
  const meta = isObj(object.metadata) ? object.metadata : {};
  const name = String(meta.name ?? info.name ?? "");
  if (old && onlyGcFieldsChanged(object, old)) return;
  if (ROLES.has(info.resource)) {
    // RoleEscalationAuthorized: the escalate verb on the request's resource.
    const escalate = decide(authorize, {
      user,
      verb: "escalate",
      resource: { group: GROUP, version: "*", resource: info.resource, ...(info.name !== undefined ? { name: info.name } : {}), ...(info.namespace !== undefined ? { namespace: info.namespace } : {}) },
    });
    if (escalate.allowed) return;
    const missing = confirmNoEscalation(policy, rbacUser, namespace, rulesOf(object));
    if (missing) throw forbidden(info.resource, name, missing);
    const aggregated = isObj(object.aggregationRule) || (old !== undefined && isObj(old.aggregationRule));
    if (info.resource === "clusterroles" && aggregated && confirmNoEscalation(policy, rbacUser, namespace, FULL_AUTHORITY)) {
      throw forbidden(info.resource, name, "must have cluster-admin privileges to use the aggregationRule");
    }
    return;
  }
  // Bindings: the bind verb on the referenced role, else its rules must be held.
  const ref = isObj(object.roleRef) ? object.roleRef : {};
  const kind = String(ref.kind ?? "");
  const roleName = String(ref.name ?? "");
  if (kind !== "Role" && kind !== "ClusterRole") return; // validation refuses it
  const bind = decide(authorize, {
    user,
    verb: "bind",
    resource: { group: String(ref.apiGroup || GROUP), version: "", resource: kind === "Role" ? "roles" : "clusterroles", name: roleName, ...(namespace ? { namespace } : {}) },
  });
  if (bind.allowed) return;
  const rules = policy.roleRules(kind, roleName, namespace);
  if (typeof rules === "string") throw forbidden(info.resource, name, rules);
  const missing = confirmNoEscalation(policy, rbacUser, namespace, rules);
  if (missing) throw forbidden(info.resource, name, missing);
}
