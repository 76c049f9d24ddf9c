/**
 * The authorizer library (`authorizer.group('apps').resource('deployments').check('create')`):
 * checks are answered by a function the caller gives (offline: from RBAC objects); when it cannot
 * answer, the expression is reported as not evaluable — never allowed by default.
 */

/** The user a request or a check is made for. */
export interface UserInfo {
  username: string;
  uid?: string;
  groups?: readonly string[];
  extra?: Readonly<Record<string, readonly string[]>>;
}

/** What one authorization check asks (`authorizer.Attributes`). */
export interface AuthorizationAttributes {
  user: UserInfo;
  verb: string;
  /** Non-resource requests: the URL path. */
  path?: string;
  apiGroup?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  fieldSelector?: string;
  labelSelector?: string;
}

/** An authorizer's answer; `undefined` from {@link Authorize} means it cannot answer here. */
export interface AuthorizationDecision {
  decision: "allow" | "deny" | "noOpinion";
  reason: string;
  error?: string;
}

/** Answers authorization checks; returns undefined when the answer cannot be known offline. */
export type Authorize = (attributes: AuthorizationAttributes) => AuthorizationDecision | undefined;

/**
 * An authorization check that cannot be answered here: the expression is not evaluable.
 *
 * @example
 * throw new UnevaluableError("authorizer: no RBAC objects among the inputs");
 */
export class UnevaluableError extends Error {
  override name = "UnevaluableError";
}

/**
 * The `authorizer` variable.
 *
 * @example
 * new CelAuthorizer(() => undefined, { username: "alice" });
 */
export class CelAuthorizer {
  /** `authorizer.requestResource`: a check on the resource of the request. */
  requestResource?: CelResourceCheck;
  constructor(
    readonly authorize: Authorize,
    readonly user: UserInfo,
  ) {}
}

/** `authorizer.path(p)`. @example new CelPathCheck(authz, "/healthz") */
export class CelPathCheck {
  constructor(
    readonly authorizer: CelAuthorizer,
    readonly path: string,
  ) {}
}

/** `authorizer.group(g)`. @example new CelGroupCheck(authz, "apps") */
export class CelGroupCheck {
  constructor(
    readonly authorizer: CelAuthorizer,
    readonly group: string,
  ) {}
}

/** `authorizer.group(g).resource(r)` and its refinements. @example new CelResourceCheck(authz, "apps", "deployments") */
export class CelResourceCheck {
  constructor(
    readonly authorizer: CelAuthorizer,
    readonly group: string,
    readonly resource: string,
    readonly subresource = "",
    readonly namespace = "",
    readonly name = "",
    readonly fieldSelector = "",
    readonly labelSelector = "",
  ) {}

  with(change: Partial<Pick<CelResourceCheck, "subresource" | "namespace" | "name" | "fieldSelector" | "labelSelector">>): CelResourceCheck {
    const c = { ...this, ...change };
    return new CelResourceCheck(this.authorizer, this.group, this.resource, c.subresource, c.namespace, c.name, c.fieldSelector, c.labelSelector);
  }
}

/** The result of `check(verb)`. @example new CelDecision({ decision: "allow", reason: "" }).allowed */
export class CelDecision {
  constructor(readonly result: AuthorizationDecision) {}
}

/**
 * Run a check, or throw {@link UnevaluableError} when the answer cannot be known.
 *
 * @example
 * check(authz, { verb: "get", path: "/healthz" });
 */
export function runCheck(authz: CelAuthorizer, attrs: Omit<AuthorizationAttributes, "user">): CelDecision {
  const answer = authz.authorize({ ...attrs, user: authz.user });
  if (!answer) {
    const what = attrs.path !== undefined ? `path ${attrs.path}` : `${attrs.resource}${attrs.subresource ? `/${attrs.subresource}` : ""}${attrs.apiGroup ? `.${attrs.apiGroup}` : ""}`;
    throw new UnevaluableError(`authorizer: cannot decide whether ${authz.user.username} may ${attrs.verb} ${what} offline`);
  }
  return new CelDecision(answer);
}

/**
 * The user a service account authenticates as.
 *
 * @example
 * serviceAccountUser("default", "builder").username; // "system:serviceaccount:default:builder"
 */
export function serviceAccountUser(namespace: string, name: string): UserInfo {
  return { username: `system:serviceaccount:${namespace}:${name}`, groups: ["system:serviceaccounts", `system:serviceaccounts:${namespace}`, "system:authenticated"] };
}
