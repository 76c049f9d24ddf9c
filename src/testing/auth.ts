/**
 * Authentication (bearer tokens, client certificates, optional anonymous access) and
 * authorization, with kube-apiserver's 401 and 403 answers.
 */
import type { TLSSocket } from "node:tls";
import type { IncomingMessage } from "node:http";
import type { KubeApiError } from "../errors.js";
import type { RbacPolicy, RbacRules } from "../apiserver/rbac/evaluate.js";
import type { ResourceRequest } from "./request-info.js";
import { parseFieldSelector, type FieldRequirement } from "./selectors.js";
import { statusError } from "./status.js";

/**
 * An authenticated user.
 *
 * @example
 * const ci: UserInfo = { username: "ci", groups: ["deployers"] };
 */
export interface UserInfo {
  username: string;
  groups?: string[];
  /** Set by impersonation (`Impersonate-Uid`). */
  uid?: string;
  /** Set by impersonation (`Impersonate-Extra-<key>`). */
  extra?: Record<string, string[]>;
}

/**
 * What a request wants to do, as the authorizer sees it.
 *
 * @example
 * const readOnly: Authorizer = (a: AuthorizationAttributes) => ["get", "list", "watch"].includes(a.verb);
 */
export interface AuthorizationAttributes {
  user: UserInfo;
  /** Resource requests: the verb (`get`, `list`, …); non-resource requests: the lower-case HTTP method. */
  verb: string;
  /** Resource requests only. */
  resource?: { group: string; version: string; resource: string; subresource?: string; namespace?: string; name?: string };
  /** Non-resource requests only. */
  path?: string;
}

/**
 * An authorizer's answer with its reason (shown in access reviews and after a 403's message).
 *
 * @example
 * const decision: AuthorizationDecision = { allowed: false, reason: "the sandbox is read-only" };
 */
export interface AuthorizationDecision {
  allowed: boolean;
  reason?: string;
}

/**
 * Decides whether a request is allowed: `true`/`false`, or a decision with a reason.
 *
 * @example
 * const authorize: Authorizer = (a) => a.user.username === "admin" || a.resource?.namespace === "sandbox";
 */
export type Authorizer = (attributes: AuthorizationAttributes) => boolean | AuthorizationDecision;

/** An authorizer's answer as a decision. */
export function decide(authorize: Authorizer, attributes: AuthorizationAttributes): { allowed: boolean; reason: string } {
  const d = authorize(attributes);
  return typeof d === "boolean" ? { allowed: d, reason: "" } : { allowed: d.allowed, reason: d.reason ?? "" };
}

/** The `AlwaysAllow` mode: every request, even anonymous, is allowed. */
export const alwaysAllow: Authorizer = () => true;

/** The rules a user holds in a namespace, as a SelfSubjectRulesReview shows them. */
export type RulesResolver = (user: UserInfo, namespace: string) => RbacRules & { incomplete: boolean };

/** What an authorizer that allows everything answers a SelfSubjectRulesReview (the apiserver's alwaysAllowAuthorizer.RulesFor). */
export const allowAllRules: RulesResolver = () => ({
  resourceRules: [{ verbs: ["*"], apiGroups: ["*"], resources: ["*"] }],
  nonResourceRules: [{ verbs: ["*"], nonResourceURLs: ["*"] }],
  incomplete: false,
});

/**
 * The `RBAC` mode: the privileged group `system:masters`, then the Roles, ClusterRoles and
 * bindings of the policy the server holds now.
 */
export function rbacAuthorizer(policy: () => RbacPolicy): { authorize: Authorizer; rulesFor: RulesResolver } {
  return {
    authorize: (a) => {
      const user = { username: a.user.username, groups: a.user.groups ?? [] };
      if (!a.resource) return policy().authorize(user, { verb: a.verb, nonResourceURL: a.path ?? "" });
      const r = a.resource;
      return policy().authorize(user, {
        verb: a.verb,
        apiGroup: r.group,
        resource: r.resource,
        ...(r.subresource !== undefined ? { subresource: r.subresource } : {}),
        ...(r.name !== undefined ? { name: r.name } : {}),
        ...(r.namespace !== undefined ? { namespace: r.namespace } : {}),
      });
    },
    rulesFor: (user, namespace) => ({ ...policy().rulesFor({ username: user.username, groups: user.groups ?? [] }, namespace), incomplete: false }),
  };
}

export const ANONYMOUS: UserInfo = { username: "system:anonymous", groups: ["system:unauthenticated"] };

const PUBLIC_PATHS = new Set(["/version", "/version/", "/healthz", "/livez", "/readyz"]);

/** The default authorizer: authenticated users may do anything, anonymous users only read health and version. */
export const defaultAuthorizer: Authorizer = (a) => {
  if (a.user.username !== ANONYMOUS.username) return true;
  return a.path !== undefined && a.verb === "get" && (PUBLIC_PATHS.has(a.path) || a.path.startsWith("/healthz/") || a.path.startsWith("/livez/") || a.path.startsWith("/readyz/"));
};

export const unauthorized = (): KubeApiError => statusError(401, "Unauthorized", "Unauthorized");

/** Identify the user of a request; undefined means 401. */
export function authenticate(req: IncomingMessage, tokens: Map<string, UserInfo>, anonymous: boolean): UserInfo | undefined {
  const header = req.headers.authorization;
  if (header !== undefined) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) return undefined;
    return tokens.get(m[1]!);
  }
  const socket = req.socket as TLSSocket;
  if (typeof socket.getPeerCertificate === "function" && socket.authorized) {
    const cert = socket.getPeerCertificate();
    const cn = cert?.subject?.CN;
    if (typeof cn === "string" && cn) {
      const o = cert.subject.O;
      const groups = o === undefined ? [] : Array.isArray(o) ? o : [o];
      return { username: cn, groups: [...groups, "system:authenticated"] };
    }
  }
  return anonymous ? ANONYMOUS : undefined;
}

/**
 * The request as the authorizer sees it: a list or watch whose field selector asks for exactly one
 * `metadata.name` names that object (RequestInfoFactory), so rules with `resourceNames` can allow
 * `kubectl get pod web -w`.
 */
export function authorizationRequest(info: ResourceRequest, query: URLSearchParams): ResourceRequest {
  if (info.name !== undefined || (info.verb !== "list" && info.verb !== "watch")) return info;
  const selector = query.get("fieldSelector");
  if (!selector) return info;
  let requirements: FieldRequirement[];
  try {
    requirements = parseFieldSelector(selector);
  } catch {
    return info;
  }
  const name = requirements.find((r) => r.field === "metadata.name" && r.operator === "=")?.value;
  // path.IsValidPathSegmentName
  if (!name || name === "." || name === ".." || name.includes("/") || name.includes("%")) return info;
  return { ...info, name };
}

/** The 403 for a denied request, worded as kube-apiserver's RBAC denial. */
export function forbiddenFor(user: UserInfo, info: ResourceRequest | undefined, method: string, path: string, reason = ""): KubeApiError {
  const because = reason ? `: ${reason}` : "";
  if (!info) {
    return statusError(403, "Forbidden", `forbidden: User "${user.username}" cannot ${method.toLowerCase()} path "${path}"${because}`, {});
  }
  const resource = info.subresource ? `${info.resource}/${info.subresource}` : info.resource;
  const where = info.namespace !== undefined ? `in the namespace "${info.namespace}"` : "at the cluster scope";
  const subject = `${info.group ? `${info.resource}.${info.group}` : info.resource}${info.name !== undefined ? ` "${info.name}"` : ""}`;
  return statusError(
    403,
    "Forbidden",
    `${subject} is forbidden: User "${user.username}" cannot ${info.verb} resource "${resource}" in API group "${info.group}" ${where}${because}`,
    { ...(info.name !== undefined ? { name: info.name } : {}), ...(info.group ? { group: info.group } : {}), kind: info.resource },
  );
}

/**
 * The user a request acts as: the authenticated user, or the one named in `Impersonate-User` /
 * `Impersonate-Group` headers when the authorizer lets the caller `impersonate` each of them
 * (users, groups, and `system:serviceaccount:NS:NAME` as serviceaccounts in NS), 403 otherwise;
 * as kube-apiserver's impersonation filter, with its groups added.
 */
export function impersonated(req: IncomingMessage, user: UserInfo, authorize: Authorizer): UserInfo {
  const name = req.headers["impersonate-user"];
  const rawGroups = req.headers["impersonate-group"];
  const groups = rawGroups === undefined ? [] : (Array.isArray(rawGroups) ? rawGroups : [rawGroups]).flatMap((g) => g.split(",").map((x) => x.trim()));
  if (name === undefined) {
    if (groups.length) throw statusError(400, "BadRequest", "requested [{Group  authentication.k8s.io/v1  " + groups.join(" ") + "  }] without impersonating a user");
    return user;
  }
  const username = Array.isArray(name) ? name[0]! : name;
  const check = (resource: string, target: string, namespace?: string) => {
    const d = decide(authorize, { user, verb: "impersonate", resource: { group: "", version: "v1", resource, name: target, ...(namespace !== undefined ? { namespace } : {}) } });
    if (!d.allowed) {
      const where = namespace !== undefined ? `in the namespace "${namespace}"` : "at the cluster scope";
      throw statusError(403, "Forbidden", `${resource} "${target}" is forbidden: User "${user.username}" cannot impersonate resource "${resource}" in API group "" ${where}${d.reason ? `: ${d.reason}` : ""}`, {
        name: target,
        kind: resource,
      });
    }
  };
  const checkAuthentication = (resource: string, target: string, subresource?: string) => {
    const group = "authentication.k8s.io";
    const d = decide(authorize, { user, verb: "impersonate", resource: { group, version: "v1", resource, name: target, ...(subresource !== undefined ? { subresource } : {}) } });
    if (!d.allowed) {
      const shown = subresource !== undefined ? `${resource}/${subresource}` : resource;
      throw statusError(403, "Forbidden", `${resource}.${group} "${target}" is forbidden: User "${user.username}" cannot impersonate resource "${shown}" in API group "${group}" at the cluster scope${d.reason ? `: ${d.reason}` : ""}`, {
        name: target,
        group,
        kind: resource,
      });
    }
  };
  const impersonatedGroups = [...groups];
  const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(username);
  if (sa) {
    check("serviceaccounts", sa[2]!, sa[1]!);
    // A service account's groups are known: they are added unless groups are asked for.
    if (!groups.length) impersonatedGroups.push("system:serviceaccounts", `system:serviceaccounts:${sa[1]!}`);
  } else check("users", username);
  for (const g of groups) check("groups", g);
  // Extra values and the uid, checked as userextras/<key> and uids of authentication.k8s.io.
  const extra: Record<string, string[]> = {};
  for (const [header, value] of Object.entries(req.headers)) {
    if (!header.startsWith("impersonate-extra-") || value === undefined) continue;
    let key: string;
    try {
      key = decodeURIComponent(header.slice("impersonate-extra-".length));
    } catch {
      key = header.slice("impersonate-extra-".length);
    }
    for (const v of (Array.isArray(value) ? value : [value]).flatMap((x) => x.split(",").map((y) => y.trim()))) {
      checkAuthentication("userextras", v, key);
      (extra[key] ??= []).push(v);
    }
  }
  const rawUid = req.headers["impersonate-uid"];
  const uid = Array.isArray(rawUid) ? rawUid[0] : rawUid;
  if (uid !== undefined) checkAuthentication("uids", uid);
  if (username !== ANONYMOUS.username) {
    if (!impersonatedGroups.some((g) => g === "system:authenticated" || g === "system:unauthenticated")) impersonatedGroups.push("system:authenticated");
  } else if (!impersonatedGroups.includes("system:unauthenticated")) impersonatedGroups.push("system:unauthenticated");
  return { username, groups: impersonatedGroups, ...(uid !== undefined ? { uid } : {}), ...(Object.keys(extra).length ? { extra } : {}) };
}
