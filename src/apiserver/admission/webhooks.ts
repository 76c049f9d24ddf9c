/**
 * Admission webhooks as kube-apiserver dispatches them
 * (`k8s.io/apiserver/pkg/admission/plugin/webhook/{generic,mutating,validating,request,errors}`):
 * which webhooks of the ValidatingWebhookConfigurations and MutatingWebhookConfigurations a
 * request calls (rules, namespace and object selectors, match conditions, match policy), the
 * AdmissionReview v1 sent, how the response is read, JSON patches applied, reinvocation, failure
 * policy, side effects under dry run, and the apiserver's error texts. Pure: the HTTPS call is
 * the caller's (`call`).
 */
import { isRecord } from "../../meta/values.js";
import { APISERVER_MAX_COPY_BYTES, applyJsonPatch, JsonPatchError, type JsonPatchOperation } from "../../patch/index.js";
import { compileCel, evaluateCel, type CompiledExpression } from "../cel/compile.js";
import { PER_CALL_LIMIT, RUNTIME_COST_BUDGET_MATCH_CONDITIONS } from "../cel/cost.js";
import { CEL_MINORS } from "../cel/library.js";
import { isFeatureEnabled } from "../features.js";
import { toCelValue } from "../cel/rules.js";
import { evaluateWithBudget } from "./conditions.js";
import { isExemptAdmissionConfigurationResource, matchedEquivalent, matchResources, type EquivalentResource, type NamespaceLabels } from "./matching.js";

export type { EquivalentResource } from "./matching.js";

type Obj = Record<string, unknown>;

/** Where a webhook is reached: a URL, or a Service (resolved by the caller). */
export interface WebhookClientConfig {
  url?: string;
  service?: { namespace: string; name: string; path?: string; port: number };
  /** PEM bundle (decoded from the configuration's base64 `caBundle`). */
  caBundle?: string;
}

/** One webhook of a configuration, read with the apiserver's defaults. */
export interface WebhookDefinition {
  /** The configuration's name. */
  configuration: string;
  name: string;
  mutating: boolean;
  failurePolicy: "Fail" | "Ignore";
  sideEffects: string;
  timeoutSeconds: number;
  reinvoke: boolean;
  admissionReviewVersions: string[];
  clientConfig: WebhookClientConfig;
  /** Match criteria in the shape the policy matcher reads. */
  criteria: Obj;
  matchConditions: Array<{ name: string; expression: CompiledExpression }>;
}

/** The Status of a refused request, as the server sends it. */
export interface WebhookStatus {
  code: number;
  reason: string;
  message: string;
  details?: Obj;
  status?: string;
}

/** What admission knows about a request (`admission.Attributes`). */
export interface WebhookAttributes {
  operation: "CREATE" | "UPDATE" | "DELETE" | "CONNECT";
  group: string;
  version: string;
  kind: string;
  /**
   * The group and version of `kind` where they differ from the resource's: a subresource whose
   * object is another kind (`deployments/scale` takes an `autoscaling/v1` Scale, `pods/eviction`
   * a `policy/v1` Eviction).
   */
  kindGroup?: string;
  kindVersion?: string;
  /** Plural resource name. */
  resource: string;
  subResource: string;
  name: string;
  namespace: string;
  namespaced: boolean;
  object?: Obj;
  oldObject?: Obj;
  userInfo: { username: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> };
  dryRun: boolean;
  /** CreateOptions, UpdateOptions, PatchOptions or DeleteOptions. */
  options?: Obj;
  /**
   * The resources this one is also served as, the request's own among them, each with the kind
   * its objects have there (`EquivalentResourceMapper`): a webhook with `matchPolicy: Equivalent`
   * whose rules name one of them is called with the object converted to it. Without them, such a
   * rule matches any version and the object is sent as it is.
   */
  equivalents?: readonly EquivalentResource[];
}

/**
 * Where a webhook is called at: the resource its rule matched and the kind the object is sent as
 * (`WebhookInvocation`); absent when it is the request's own.
 */
export type WebhookInvocation = EquivalentResource;

/** What a webhook call came back with: a parsed body, or why there is none (a Go-style error text). */
export type WebhookCallResult = { body: unknown } | { error: string };

/** Performs one call: POST the review to the webhook, within `timeoutSeconds`. */
export type WebhookCaller = (hook: WebhookDefinition, review: Obj) => Promise<WebhookCallResult>;

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

function decodeCaBundle(v: unknown): string | undefined {
  if (typeof v !== "string" || !v) return undefined;
  return Buffer.from(v, "base64").toString("utf8");
}

/** Hooks read once per object and minor (their match conditions' environment is the minor's). */
const compiledHooks = new WeakMap<Obj, { minor: number; hook: WebhookDefinition }>();

/** The CEL variables of webhook match conditions. */
const MATCH_VARIABLES: Readonly<Record<string, string>> = { object: "dyn", oldObject: "dyn", request: "dyn", authorizer: "kubernetes.authorization.Authorizer" };

function readHook(configuration: string, raw: Obj, mutating: boolean, minor: number): WebhookDefinition {
  const hit = compiledHooks.get(raw);
  if (hit && hit.minor === minor && hit.hook.configuration === configuration) return hit.hook;
  const cc = isRecord(raw.clientConfig) ? raw.clientConfig : {};
  const svc = isRecord(cc.service) ? cc.service : undefined;
  const caBundle = decodeCaBundle(cc.caBundle);
  // Library calls cost what library.CostEstimator says only where StrictCostEnforcementForWebhooks
  // is on by default (from 1.32); before, they cost 1.
  const env = { level: minor, variables: MATCH_VARIABLES, libraryCosts: isFeatureEnabled("StrictCostEnforcementForWebhooks", minor) };
  const hook: WebhookDefinition = {
    configuration,
    name: String(raw.name ?? ""),
    mutating,
    failurePolicy: raw.failurePolicy === "Ignore" ? "Ignore" : "Fail",
    sideEffects: typeof raw.sideEffects === "string" ? raw.sideEffects : "",
    timeoutSeconds: typeof raw.timeoutSeconds === "number" && raw.timeoutSeconds > 0 ? raw.timeoutSeconds : 10,
    reinvoke: mutating && raw.reinvocationPolicy === "IfNeeded",
    admissionReviewVersions: strings(raw.admissionReviewVersions),
    clientConfig: {
      ...(typeof cc.url === "string" ? { url: cc.url } : {}),
      ...(svc
        ? {
            service: {
              namespace: String(svc.namespace ?? ""),
              name: String(svc.name ?? ""),
              ...(typeof svc.path === "string" ? { path: svc.path } : {}),
              port: typeof svc.port === "number" ? svc.port : 443,
            },
          }
        : {}),
      ...(caBundle ? { caBundle } : {}),
    },
    criteria: {
      resourceRules: Array.isArray(raw.rules) ? raw.rules.filter(isRecord).map((r) => ({ scope: "*", ...r, resourceNames: undefined })) : [],
      ...(isRecord(raw.namespaceSelector) ? { namespaceSelector: raw.namespaceSelector } : {}),
      ...(isRecord(raw.objectSelector) ? { objectSelector: raw.objectSelector } : {}),
      matchPolicy: raw.matchPolicy === "Exact" ? "Exact" : "Equivalent",
    },
    matchConditions: (Array.isArray(raw.matchConditions) ? raw.matchConditions.filter(isRecord) : []).map((m) => ({
      name: String(m.name ?? ""),
      expression: compileCel(String(m.expression ?? ""), env),
    })),
  };
  compiledHooks.set(raw, { minor, hook });
  return hook;
}

/**
 * The webhooks of the stored configurations, in the order the apiserver calls them: configurations
 * sorted by name, webhooks in their order within each.
 *
 * @example
 * const { mutating, validating } = webhooksFrom(configurations);
 */
export function webhooksFrom(configurations: readonly Obj[], minor: number = CEL_MINORS.newest): { mutating: WebhookDefinition[]; validating: WebhookDefinition[] } {
  const mutating: WebhookDefinition[] = [];
  const validating: WebhookDefinition[] = [];
  const named = (o: Obj) => String((isRecord(o.metadata) ? o.metadata.name : "") ?? "");
  for (const c of [...configurations].sort((a, b) => (named(a) < named(b) ? -1 : named(a) > named(b) ? 1 : 0))) {
    const isMutating = c.kind === "MutatingWebhookConfiguration";
    if (!isMutating && c.kind !== "ValidatingWebhookConfiguration") continue;
    for (const w of Array.isArray(c.webhooks) ? c.webhooks.filter(isRecord) : []) (isMutating ? mutating : validating).push(readHook(named(c), w, isMutating, minor));
  }
  return { mutating, validating };
}

/** Whether a request is exempt from every webhook. @example isExemptFromWebhooks({ group: "admissionregistration.k8s.io", resource: "mutatingwebhookconfigurations" }); // true */
export function isExemptFromWebhooks(a: { group: string; resource: string }): boolean {
  return isExemptAdmissionConfigurationResource(a.group, a.resource);
}

function qualifiedResource(a: WebhookAttributes): string {
  return a.group ? `${a.resource}.${a.group}` : a.resource;
}

/** The kind of the request's object (`attr.GetKind()`). */
function requestKindOf(a: WebhookAttributes): { group: string; version: string; kind: string } {
  return { group: a.kindGroup ?? a.group, version: a.kindVersion ?? a.version, kind: a.kind };
}

/**
 * The `request` of an AdmissionReview v1 (also the `request` variable of match conditions):
 * `kind` and `resource` are where the webhook is called at (`invocation`), `requestKind` and
 * `requestResource` the request's own (`CreateV1AdmissionReview`).
 */
function requestOf(a: WebhookAttributes, uid: string, invocation?: WebhookInvocation): Obj {
  const requestKind = requestKindOf(a);
  return {
    uid,
    kind: invocation ? { ...invocation.kind } : { ...requestKind },
    resource: invocation ? { group: invocation.group, version: invocation.version, resource: invocation.resource } : { group: a.group, version: a.version, resource: a.resource },
    ...(a.subResource ? { subResource: a.subResource } : {}),
    requestKind,
    requestResource: { group: a.group, version: a.version, resource: a.resource },
    ...(a.subResource ? { requestSubResource: a.subResource } : {}),
    ...(a.name ? { name: a.name } : {}),
    ...(a.namespace ? { namespace: a.namespace } : {}),
    operation: a.operation,
    userInfo: {
      username: a.userInfo.username,
      ...(a.userInfo.uid ? { uid: a.userInfo.uid } : {}),
      ...(a.userInfo.groups?.length ? { groups: [...a.userInfo.groups] } : {}),
      ...(a.userInfo.extra && Object.keys(a.userInfo.extra).length ? { extra: a.userInfo.extra } : {}),
    },
    object: a.object ?? null,
    oldObject: a.oldObject ?? null,
    dryRun: a.dryRun,
    options: a.options ?? null,
  };
}

/**
 * The AdmissionReview v1 sent to a webhook.
 *
 * @example
 * const review = admissionReview(attributes, randomUUID());
 * review.request.operation; // "CREATE"
 */
export function admissionReview(a: WebhookAttributes, uid: string, version: "v1" | "v1beta1" = "v1", invocation?: WebhookInvocation): { apiVersion: string; kind: "AdmissionReview"; request: Obj } {
  return { apiVersion: `admission.k8s.io/${version}`, kind: "AdmissionReview", request: requestOf(a, uid, invocation) };
}

/** The AdmissionReview version sent: the first of the webhook's `admissionReviewVersions` the apiserver knows. */
function reviewVersion(hook: WebhookDefinition): "v1" | "v1beta1" | undefined {
  return hook.admissionReviewVersions.find((v): v is "v1" | "v1beta1" => v === "v1" || v === "v1beta1");
}

/**
 * Whether to call a webhook: `call` (with the `invocation` when a rule matched through an
 * equivalent resource), skip, or the Status that refuses the request (a failed match condition
 * under Fail).
 */
export type ShouldCall = { call: true; invocation?: WebhookInvocation } | { call: false } | { status: WebhookStatus };

/**
 * Whether a request calls a webhook (`Webhook.ShouldCallHook`): namespace and object selectors,
 * rules (with `matchPolicy`), then match conditions. A webhook matched through an equivalent
 * resource is `call` with its `invocation`, its match conditions not yet evaluated: they are
 * evaluated on the converted object when it is dispatched.
 *
 * @example
 * shouldCallWebhook(hook, attributes, () => undefined); // { call: true }
 */
export function shouldCallWebhook(hook: WebhookDefinition, a: WebhookAttributes, namespaceLabels: (name: string) => NamespaceLabels | undefined): ShouldCall {
  const matched = matchWebhook(hook, a, namespaceLabels);
  if (!matched.call || matched.invocation) return matched;
  return matchConditionsOf(hook, a);
}

/** Selectors and rules (`ShouldCallHook` up to its match conditions). */
function matchWebhook(hook: WebhookDefinition, a: WebhookAttributes, namespaceLabels: (name: string) => NamespaceLabels | undefined): { call: true; invocation?: WebhookInvocation } | { call: false } {
  const m = matchResources(
    hook.criteria,
    {
      operation: a.operation,
      group: a.group,
      version: a.version,
      resource: a.resource,
      subresource: a.subResource,
      name: a.name,
      namespace: a.namespace,
      namespaced: a.namespaced,
      ...(a.object ? { object: a.object } : {}),
      ...(a.oldObject ? { oldObject: a.oldObject } : {}),
      ...(a.equivalents ? { equivalents: a.equivalents } : {}),
    },
    (name) => namespaceLabels(name) ?? { labels: { "kubernetes.io/metadata.name": name }, complete: true },
  );
  if (!m.matches) return { call: false };
  const invocation = matchedEquivalent(m, a.equivalents);
  return invocation ? { call: true, invocation } : { call: true };
}

/**
 * The match conditions of a webhook on the request as the webhook is shown it (`a` holds the
 * object converted to the invocation's kind).
 */
function matchConditionsOf(hook: WebhookDefinition, a: WebhookAttributes, invocation?: WebhookInvocation): ShouldCall {
  if (!hook.matchConditions.length) return invocation ? { call: true, invocation } : { call: true };
  const ctx: Obj = {
    object: a.object ? toCelValue(undefined, a.object) : null,
    oldObject: a.oldObject ? toCelValue(undefined, a.oldObject) : null,
    request: toCelValue(undefined, requestOf(a, "", invocation ? { ...invocation, group: a.group, version: a.version, resource: a.resource } : undefined)),
    authorizer: null,
  };
  // `matchconditions.Matcher.Match`: every condition is evaluated first, each program stopping at
  // the base environment's per-call limit (`cel.CostLimit`) and all of them together at
  // `RuntimeCELCostBudgetMatchConditions`; a condition that costs more than is left is an error of
  // the whole match, under the failure policy. Then a false condition skips the webhook, whatever
  // the others came to; errors fail it (or skip it under `Ignore`).
  const evaluated = evaluateWithBudget(
    hook.matchConditions.map((mc) => ({
      source: mc.expression.source,
      evaluate: () => {
        if (!mc.expression.program && !mc.expression.unsupported) return { kind: "error" as const, message: `compilation error: compilation failed: ${mc.expression.issues ?? mc.expression.error}`, compileError: true as const };
        return evaluateCel(mc.expression, ctx, PER_CALL_LIMIT);
      },
    })),
    RUNTIME_COST_BUDGET_MATCH_CONDITIONS,
  );
  if ("outOfBudget" in evaluated) return hook.failurePolicy === "Ignore" ? { call: false } : { status: forbiddenStatus(a, evaluated.outOfBudget) };
  const errors: string[] = [];
  for (const [i, r] of evaluated.results.entries()) {
    if (!r) continue;
    if (r.kind === "value" && r.value === false) return { call: false };
    if (r.kind === "value" && r.value === true) continue;
    if (r.kind === "value") errors.push(`expression '${hook.matchConditions[i]!.expression.source}' resulted in unsupported return type: must evaluate to bool`);
    else if (r.kind === "error") errors.push(r.message);
    else errors.push(`expression '${hook.matchConditions[i]!.expression.source}' resulted in error: ${r.reason}`);
  }
  if (!errors.length) return invocation ? { call: true, invocation } : { call: true };
  if (hook.failurePolicy === "Ignore") return { call: false };
  const text = errors.length === 1 ? errors[0]! : `[${errors.join(", ")}]`;
  return { status: forbiddenStatus(a, text) };
}

function forbiddenStatus(a: WebhookAttributes, why: string): WebhookStatus {
  return {
    code: 403,
    reason: "Forbidden",
    message: `${qualifiedResource(a)} "${a.name}" is forbidden: ${why}`,
    details: { name: a.name, ...(a.group ? { group: a.group } : {}), kind: a.resource },
  };
}

/** A failure to reach or understand a webhook (`ErrCallingWebhook`), subject to `failurePolicy`. */
export class WebhookCallError extends Error {
  constructor(
    readonly webhook: string,
    readonly reason: string,
  ) {
    super(`failed calling webhook ${JSON.stringify(webhook)}: ${reason}`);
  }
}

/** The 500 a failing webhook under `failurePolicy: Fail` causes (`apierrors.NewInternalError`). @example callingFailure(new WebhookCallError("w", "x")).code; // 500 */
export function callingFailure(err: WebhookCallError): WebhookStatus {
  return { code: 500, reason: "InternalError", message: `Internal error occurred: ${err.message}`, details: { causes: [{ message: err.message }] } };
}

function internalError(message: string): WebhookStatus {
  return { code: 500, reason: "InternalError", message: `Internal error occurred: ${message}`, details: { causes: [{ message }] } };
}

/**
 * The Status of a webhook's refusal (`webhookerrors.ToStatusErr`): its own Status with the
 * message prefixed by `admission webhook "<name>" denied the request`, a code of at least 400.
 *
 * @example
 * webhookDenial("deny.example.com", { message: "no" }).message; // 'admission webhook "deny.example.com" denied the request: no'
 */
export function webhookDenial(name: string, result: unknown): WebhookStatus {
  const r = isRecord(result) ? result : {};
  const deniedBy = `admission webhook ${JSON.stringify(name)} denied the request`;
  const message = typeof r.message === "string" && r.message ? `${deniedBy}: ${r.message}` : typeof r.reason === "string" && r.reason ? `${deniedBy}: ${r.reason}` : `${deniedBy} without explanation`;
  const code = typeof r.code === "number" && r.code >= 400 ? r.code : 400;
  return {
    code,
    reason: typeof r.reason === "string" ? r.reason : "",
    message,
    ...(isRecord(r.details) ? { details: r.details } : {}),
  };
}

/** A webhook's answer, checked (`VerifyAdmissionResponse`). */
export interface WebhookResponse {
  allowed: boolean;
  patch?: JsonPatchOperation[];
  warnings: string[];
  result?: unknown;
}

/**
 * Read an AdmissionReview response; throws {@link WebhookCallError} when it is not a valid answer
 * to the review sent (`uid`).
 *
 * @example
 * readAdmissionResponse(hook, uid, { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", response: { uid, allowed: true } });
 */
export function readAdmissionResponse(hook: WebhookDefinition, uid: string, body: unknown, version: "v1" | "v1beta1" = "v1"): WebhookResponse {
  const fail = (why: string) => new WebhookCallError(hook.name, hook.mutating ? `received invalid webhook response: ${why}` : why);
  const review = isRecord(body) ? body : {};
  const r = isRecord(review.response) ? review.response : undefined;
  if (!r) throw fail("webhook response was absent");
  if (version === "v1beta1") {
    // v1beta1 answers were never checked for uid, kind or patch type: a patch is a JSON patch.
    const patch = hook.mutating && typeof r.patch === "string" && r.patch ? decodePatch(hook, r.patch) : undefined;
    return { allowed: r.allowed === true, ...(patch ? { patch } : {}), warnings: strings(r.warnings), ...(r.status !== undefined ? { result: r.status } : {}) };
  }
  if (r.uid !== uid) throw fail(`expected response.uid=${JSON.stringify(uid)}, got ${JSON.stringify(typeof r.uid === "string" ? r.uid : "")}`);
  if (review.apiVersion !== "admission.k8s.io/v1" || review.kind !== "AdmissionReview") {
    const [g, v] = String(review.apiVersion ?? "").includes("/") ? String(review.apiVersion).split("/") : ["", String(review.apiVersion ?? "")];
    throw fail(`expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got ${g}/${v}, Kind=${String(review.kind ?? "")}`);
  }
  const hasPatch = typeof r.patch === "string" && r.patch.length > 0;
  const hasType = r.patchType !== undefined && r.patchType !== null;
  let patch: JsonPatchOperation[] | undefined;
  if (hook.mutating) {
    if (hasPatch && !hasType) throw fail("webhook returned response.patch but not response.patchType");
    if (!hasPatch && hasType) throw fail("webhook returned response.patchType but not response.patch");
    if (hasType && r.patchType === "") throw fail(`webhook returned invalid response.patchType of ""`);
    if (hasPatch) {
      if (r.patchType !== "JSONPatch") throw new WebhookCallError(hook.name, `unsupported patch type ${JSON.stringify(r.patchType)}`);
      patch = decodePatch(hook, r.patch as string);
    }
  } else {
    if (hasPatch) throw fail("validating webhook may not return response.patch");
    if (hasType) throw fail("validating webhook may not return response.patchType");
  }
  return {
    allowed: r.allowed === true,
    ...(patch ? { patch } : {}),
    warnings: strings(r.warnings),
    ...(r.status !== undefined ? { result: r.status } : {}),
  };
}

function decodePatch(hook: WebhookDefinition, base64: string): JsonPatchOperation[] {
  let ops: unknown;
  try {
    ops = JSON.parse(Buffer.from(base64, "base64").toString("utf8"));
  } catch (e) {
    throw new WebhookCallError(hook.name, `received undecodable patch in webhook response: ${(e as Error).message}`);
  }
  if (!Array.isArray(ops)) throw new WebhookCallError(hook.name, "received undecodable patch in webhook response: json: cannot unmarshal object into Go value of type jsonpatch.Patch");
  return ops as JsonPatchOperation[];
}

/** The outcome of a webhook phase: the object (mutating) and warnings, or the Status refusing the request. */
export type WebhookOutcome = { object?: Obj; warnings: string[]; called: string[] } | { status: WebhookStatus; warnings: string[]; called: string[] };

function dryRunRefusal(hook: WebhookDefinition, a: WebhookAttributes): WebhookStatus | WebhookCallError | undefined {
  if (!a.dryRun) return undefined;
  if (!hook.sideEffects) return new WebhookCallError(hook.name, "Webhook SideEffects is nil");
  if (hook.sideEffects === "None" || hook.sideEffects === "NoneOnDryRun") return undefined;
  return { code: 400, reason: "BadRequest", message: `admission webhook ${JSON.stringify(hook.name)} does not support dry run` };
}

async function callOnce(hook: WebhookDefinition, a: WebhookAttributes, call: WebhookCaller, newUid: () => string, invocation?: WebhookInvocation): Promise<WebhookResponse> {
  const version = reviewVersion(hook);
  if (!version) throw new WebhookCallError(hook.name, hook.mutating ? "could not create admission objects: webhook does not accept known AdmissionReview versions (v1, v1beta1)" : "webhook does not accept known AdmissionReview versions (v1, v1beta1)");
  const uid = newUid();
  const result = await call(hook, admissionReview(a, uid, version, invocation));
  if ("error" in result) throw new WebhookCallError(hook.name, hook.mutating ? `failed to call webhook: ${result.error}` : result.error);
  return readAdmissionResponse(hook, uid, result.body, version);
}

/** What the dispatchers need besides the request. */
export interface DispatchContext {
  call: WebhookCaller;
  namespaceLabels: (name: string) => NamespaceLabels | undefined;
  /** Request UIDs (one per call). */
  newUid: () => string;
  /**
   * Convert an object to another served version of its kind (`ObjectConvertor`), for webhooks
   * matched through an equivalent resource; a rejection is the error text of a failed
   * conversion. Without it, objects are relabelled with the new `apiVersion` and `kind`.
   */
  convert?: (object: Obj, to: { group: string; version: string; kind: string }) => Promise<Obj>;
}

const apiVersionOf = (k: { group: string; version: string }): string => (k.group ? `${k.group}/${k.version}` : k.version);

async function convertTo(object: Obj, to: { group: string; version: string; kind: string }, ctx: DispatchContext): Promise<Obj> {
  if (object.apiVersion === apiVersionOf(to) && object.kind === to.kind) return object;
  if (ctx.convert) return ctx.convert(object, to);
  return { ...object, apiVersion: apiVersionOf(to), kind: to.kind };
}

/**
 * The request as a webhook matched through an equivalent resource is shown it: object and old
 * object converted to the invocation's kind (`NewVersionedAttributes`); a failed conversion is an
 * internal error, whatever the failure policy.
 */
async function versionedAttributes(a: WebhookAttributes, invocation: WebhookInvocation | undefined, ctx: DispatchContext): Promise<{ attributes: WebhookAttributes } | { status: WebhookStatus }> {
  if (!invocation) return { attributes: a };
  try {
    const object = a.object ? await convertTo(a.object, invocation.kind, ctx) : undefined;
    const oldObject = a.oldObject ? await convertTo(a.oldObject, invocation.kind, ctx) : undefined;
    return { attributes: { ...a, ...(object ? { object } : {}), ...(oldObject ? { oldObject } : {}) } };
  } catch (e) {
    return { status: internalError(e instanceof Error ? e.message : String(e)) };
  }
}

/**
 * Call the mutating webhooks in order, applying their JSON patches, with one reinvocation round
 * for `reinvocationPolicy: IfNeeded` webhooks called before a later change (mutating
 * `Dispatch`).
 *
 * @example
 * const out = await dispatchMutating(hooks, attributes, { call, namespaceLabels: () => undefined, newUid: randomUUID });
 */
export async function dispatchMutating(hooks: readonly WebhookDefinition[], a: WebhookAttributes, ctx: DispatchContext): Promise<WebhookOutcome> {
  const warnings: string[] = [];
  const called: string[] = [];
  let object = a.object;
  let previouslyInvoked = new Set<WebhookDefinition>();
  const reinvoke = new Set<WebhookDefinition>();
  let anyChange = false;
  if (isExemptFromWebhooks(a)) return { ...(object ? { object } : {}), warnings, called };
  for (let round = 0; round < 2; round++) {
    if (round === 1 && (!anyChange || !reinvoke.size)) break;
    for (const hook of hooks) {
      const attrs: WebhookAttributes = { ...a, ...(object ? { object } : {}) };
      const matched = matchWebhook(hook, attrs, ctx.namespaceLabels);
      if (!matched.call) continue;
      const invocation = matched.invocation;
      const versioned = await versionedAttributes(attrs, invocation, ctx);
      if ("status" in versioned) return { status: versioned.status, warnings, called };
      const shown = versioned.attributes;
      const should = matchConditionsOf(hook, shown, invocation);
      if ("status" in should) return { status: should.status, warnings, called };
      if (!should.call) continue;
      if (round === 1 && !reinvoke.has(hook)) continue;
      let changed = false;
      let error: WebhookStatus | WebhookCallError | undefined = dryRunRefusal(hook, attrs);
      if (!error) {
        try {
          called.push(hook.name);
          const response = await callOnce(hook, shown, ctx.call, ctx.newUid, invocation);
          warnings.push(...response.warnings);
          if (!response.allowed) error = webhookDenial(hook.name, response.result);
          else if (response.patch?.length) {
            const target = shown.object;
            if (!target || !object) return { status: internalError(`admission webhook ${JSON.stringify(hook.name)} attempted to modify the object, which is not supported for this operation`), warnings, called };
            let next: Obj;
            try {
              next = applyJsonPatch(target, response.patch, { compat: "kubernetes", maxCopyBytes: APISERVER_MAX_COPY_BYTES });
            } catch (e) {
              return { status: internalError(e instanceof JsonPatchError ? e.kubernetesMessage : (e as Error).message), warnings, called };
            }
            changed = JSON.stringify(next) !== JSON.stringify(target);
            // The patched object goes back to the request's version (the versioned object converted to the request's).
            if (invocation && changed) {
              try {
                next = await convertTo(next, requestKindOf(a), ctx);
              } catch (e) {
                return { status: internalError(e instanceof Error ? e.message : String(e)), warnings, called };
              }
            }
            if (changed) object = next;
          }
        } catch (e) {
          if (!(e instanceof WebhookCallError)) throw e;
          error = e;
        }
      }
      if (changed) {
        anyChange = true;
        for (const h of previouslyInvoked) reinvoke.add(h);
        previouslyInvoked = new Set();
      }
      if (hook.reinvoke) previouslyInvoked.add(hook);
      if (!error) continue;
      if (error instanceof WebhookCallError) {
        if (hook.failurePolicy === "Ignore") continue;
        return { status: callingFailure(error), warnings, called };
      }
      return { status: error, warnings, called };
    }
  }
  return { ...(object ? { object } : {}), warnings, called };
}

/**
 * Call the matching validating webhooks in parallel; the first refusal (in webhook order) wins
 * (validating `Dispatch`).
 *
 * @example
 * const out = await dispatchValidating(hooks, attributes, { call, namespaceLabels: () => undefined, newUid: randomUUID });
 */
export async function dispatchValidating(hooks: readonly WebhookDefinition[], a: WebhookAttributes, ctx: DispatchContext): Promise<WebhookOutcome> {
  const warnings: string[] = [];
  const called: string[] = [];
  if (isExemptFromWebhooks(a)) return { warnings, called };
  const relevant: Array<{ hook: WebhookDefinition; shown: WebhookAttributes; invocation?: WebhookInvocation }> = [];
  // The request converted once per kind it is shown as (`versionedAttrs`).
  const byKind = new Map<string, WebhookAttributes>();
  for (const hook of hooks) {
    const matched = matchWebhook(hook, a, ctx.namespaceLabels);
    if (!matched.call) continue;
    const invocation = matched.invocation;
    let shown = a;
    if (invocation) {
      const key = `${apiVersionOf(invocation.kind)}/${invocation.kind.kind}`;
      const known = byKind.get(key);
      if (known) shown = known;
      else {
        const versioned = await versionedAttributes(a, invocation, ctx);
        if ("status" in versioned) return { status: versioned.status, warnings, called };
        shown = versioned.attributes;
        byKind.set(key, shown);
      }
    }
    const should = matchConditionsOf(hook, shown, invocation);
    if ("status" in should) return { status: should.status, warnings, called };
    if (should.call) relevant.push({ hook, shown, ...(invocation ? { invocation } : {}) });
  }
  const outcomes = await Promise.all(
    relevant.map(async ({ hook, shown, invocation }): Promise<{ warnings: string[]; error?: WebhookStatus }> => {
      const refused = dryRunRefusal(hook, a);
      if (refused) return refused instanceof WebhookCallError ? (hook.failurePolicy === "Ignore" ? { warnings: [] } : { warnings: [], error: callingFailure(refused) }) : { warnings: [], error: refused };
      called.push(hook.name);
      try {
        const response = await callOnce(hook, shown, ctx.call, ctx.newUid, invocation);
        return response.allowed ? { warnings: response.warnings } : { warnings: response.warnings, error: webhookDenial(hook.name, response.result) };
      } catch (e) {
        if (!(e instanceof WebhookCallError)) throw e;
        return hook.failurePolicy === "Ignore" ? { warnings: [] } : { warnings: [], error: callingFailure(e) };
      }
    }),
  );
  for (const o of outcomes) warnings.push(...o.warnings);
  const first = outcomes.find((o) => o.error);
  return first?.error ? { status: first.error, warnings, called } : { warnings, called };
}
