/**
 * Create-only review resources, answered and never stored (as kube-apiserver does): access reviews
 * ask the server's authorizer (`kubectl auth can-i`), token reviews its authenticator, and self
 * subject reviews return the caller (`kubectl auth whoami`).
 */
import { decide, type AuthorizationAttributes, type Authorizer, type RulesResolver, type UserInfo } from "./auth.js";
import type { ServedResource } from "./catalog.js";
import { identifyAs } from "./decoding.js";
import { hasProtobuf } from "./protobuf.js";
import { decodeBody, type ApiCall, type ApiReply } from "./rest.js";
import { badRequest } from "./status.js";

type Obj = Record<string, unknown>;

/** What review handlers need from the server. */
export interface ReviewContext {
  authorize: Authorizer;
  /** The rules a user holds in a namespace; undefined when the authorizer cannot list them. */
  rulesFor: RulesResolver | undefined;
  /** The user a bearer token authenticates, if any. */
  userOfToken(token: string): UserInfo | undefined;
}

type ReviewHandler = (ctx: ReviewContext, r: ServedResource, call: ApiCall, caller: UserInfo) => ApiReply;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function bodyOf(call: ApiCall, r: ServedResource): Obj {
  const body = decodeBody(call, "couldn't get version/kind", r);
  if (!isObj(body)) throw badRequest("the body of the request was not a JSON object");
  identifyAs(r, body, hasProtobuf);
  return body;
}

/** The 201 answer of a review: the request as sent, with the server's `status` (and a shown spec). */
function answer(body: Obj, r: ServedResource, status: Obj, spec?: Obj): ApiReply {
  return {
    status: 201,
    body: {
      ...body,
      apiVersion: r.apiVersion,
      metadata: { ...(isObj(body.metadata) ? body.metadata : {}), creationTimestamp: null },
      ...(spec ? { spec } : {}),
      status,
    },
  };
}

function attributesOf(spec: Obj, user: UserInfo): AuthorizationAttributes {
  const res = isObj(spec.resourceAttributes) ? spec.resourceAttributes : undefined;
  const nonRes = isObj(spec.nonResourceAttributes) ? spec.nonResourceAttributes : undefined;
  if (res) {
    return {
      user,
      verb: String(res.verb ?? ""),
      resource: {
        group: String(res.group ?? ""),
        version: String(res.version ?? ""),
        resource: String(res.resource ?? ""),
        ...(res.subresource ? { subresource: String(res.subresource) } : {}),
        ...(res.namespace ? { namespace: String(res.namespace) } : {}),
        ...(res.name ? { name: String(res.name) } : {}),
      },
    };
  }
  if (nonRes) return { user, verb: String(nonRes.verb ?? ""), path: String(nonRes.path ?? "") };
  throw badRequest("spec: Invalid value: exactly one of nonResourceAttributes or resourceAttributes must be specified");
}

function accessReview(subject: (spec: Obj, caller: UserInfo) => UserInfo, local = false): ReviewHandler {
  return (ctx, r, call, caller) => {
    const body = bodyOf(call, r);
    const spec = isObj(body.spec) ? body.spec : {};
    if (local) {
      // localsubjectaccessreview/rest.go: the review asks about the namespace it is created in.
      const namespace = call.info.namespace ?? "";
      const asked = isObj(spec.resourceAttributes) ? String(spec.resourceAttributes.namespace ?? "") : "";
      if (!namespace) throw badRequest(`namespace is required on this type: ${namespace}`);
      if (asked !== namespace) throw badRequest(`spec.resourceAttributes.namespace must match namespace: ${namespace}`);
    }
    const { allowed, reason } = decide(ctx.authorize, attributesOf(spec, subject(spec, caller)));
    return answer(body, r, { allowed, ...(reason ? { reason } : {}) });
  };
}

const userFromSpec = (spec: Obj): UserInfo => ({
  username: String(spec.user ?? ""),
  groups: Array.isArray(spec.groups) ? spec.groups.map(String) : [],
});

/** Review handlers by `group/plural`. */
export const reviewHandlers: Record<string, ReviewHandler> = {
  "authorization.k8s.io/selfsubjectaccessreviews": accessReview((_spec, caller) => caller),
  "authorization.k8s.io/subjectaccessreviews": accessReview(userFromSpec),
  "authorization.k8s.io/localsubjectaccessreviews": accessReview(userFromSpec, true),
  "authorization.k8s.io/selfsubjectrulesreviews": (ctx, r, call, caller) => {
    const body = bodyOf(call, r);
    const namespace = isObj(body.spec) ? String(body.spec.namespace ?? "") : "";
    // selfsubjectrulesreview/rest.go
    if (!namespace) throw badRequest("no namespace on request");
    if (!ctx.rulesFor) {
      return answer(body, r, {
        resourceRules: [],
        nonResourceRules: [],
        incomplete: true,
        evaluationError: "the server's authorizer does not list rules; ask with a SelfSubjectAccessReview",
      });
    }
    const rules = ctx.rulesFor(caller, namespace);
    return answer(body, r, {
      resourceRules: rules.resourceRules,
      nonResourceRules: rules.nonResourceRules,
      incomplete: rules.incomplete,
      ...(rules.evaluationError ? { evaluationError: rules.evaluationError } : {}),
    });
  },
  "authentication.k8s.io/tokenreviews": (ctx, r, call) => {
    const body = bodyOf(call, r);
    const spec = isObj(body.spec) ? body.spec : {};
    const user = typeof spec.token === "string" ? ctx.userOfToken(spec.token) : undefined;
    // tokenreview/storage.go answers the review it was given: the spec, token included, and a status.
    const status = user ? { authenticated: true, user: { username: user.username, groups: user.groups ?? [] } } : { user: {}, error: "invalid bearer token" };
    return answer(body, r, status, spec);
  },
  "authentication.k8s.io/selfsubjectreviews": (_ctx, r, call, caller) =>
    answer(bodyOf(call, r), r, {
      userInfo: { username: caller.username, ...(caller.uid !== undefined ? { uid: caller.uid } : {}), groups: caller.groups ?? [], ...(caller.extra ? { extra: caller.extra } : {}) },
    }),
};
