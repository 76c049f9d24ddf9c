/**
 * ValidatingAdmissionPolicy and MutatingAdmissionPolicy as kube-apiserver runs them
 * (`k8s.io/apiserver/pkg/admission/plugin/policy/{validating,mutating,generic}`): policies and
 * their bindings, params by name or selector, match constraints, match conditions, variables,
 * validations with messages and reasons, audit annotations, validation actions, failure policy,
 * and the CEL variables the apiserver declares. Pure: the caller gives every object.
 */
import type * as z from "zod";
import { isRecord } from "../../meta/values.js";
import { CelAuthorizer, CelResourceCheck, UnevaluableError, type Authorize, type UserInfo } from "../cel/authz.js";
import { compileCel, evaluateCel, type CelOutcome, type CompiledExpression } from "../cel/compile.js";
import { PER_CALL_LIMIT, RUNTIME_COST_BUDGET, RUNTIME_COST_BUDGET_MATCH_CONDITIONS, untracked } from "../cel/cost.js";
import { CEL_MINORS, type EnvironmentSpec } from "../cel/library.js";
import { isFeatureEnabled } from "../features.js";
import { toCelValue } from "../cel/rules.js";
import { applyJsonPatch, type JsonPatchOperation } from "../../patch/index.js";
import { applyConfiguration, fromCelValue, rewriteObjectLiterals } from "./apply.js";
import { evaluateWithBudget } from "./conditions.js";
import { convertObject } from "../conversion.js";
import {
  isExemptAdmissionConfigurationResource,
  labelSelectorMatches,
  matchedEquivalent,
  matchResources,
  type EquivalentResource,
  type LabelSelector,
  type MatchAttributes,
  type NamespaceLabels,
} from "./matching.js";

type Obj = Record<string, unknown>;
type Schema = z.core.$ZodType;

/** The admission operation. */
export type AdmissionOperation = "CREATE" | "UPDATE" | "DELETE" | "CONNECT";

/** One write, as admission sees it. */
export interface AdmissionRequest {
  operation: AdmissionOperation;
  /** The object written (absent on DELETE). */
  object?: Obj;
  /** The stored object (UPDATE and DELETE). */
  oldObject?: Obj;
  /** Plural resource name (`deployments`). */
  resource: string;
  subResource?: string;
  namespaced: boolean;
  userInfo?: UserInfo;
  dryRun?: boolean;
  /** Run only the mutating or only the validating policies (default both), for admission chains with webhooks between them. */
  phase?: "mutating" | "validating";
  /**
   * The resource's group and version, the object's kind, name and namespace, where they are not
   * read off the object: a subresource whose object is another kind (a Scale of `apps/v1`
   * deployments, a `v1` Binding or `policy/v1` Eviction of pods, the PodExecOptions of a CONNECT),
   * or a deletecollection item (no name).
   */
  group?: string;
  version?: string;
  kind?: { group: string; version: string; kind: string };
  name?: string;
  namespace?: string;
  /**
   * The resources the request's resource is also served as, the request's own among them, each
   * with the kind of its objects there (`EquivalentResourceMapper`): a policy with `matchPolicy:
   * Equivalent` whose rule names one of them sees the object converted to it, `request.kind` and
   * `request.resource` naming it (`requestKind`/`requestResource` stay the request's), and a
   * mutating policy's result is converted back. Without them, a rule naming any version of the
   * group and resource matches and the object is evaluated as written.
   */
  equivalents?: readonly EquivalentResource[];
}

/** Where a policy matched through an equivalent resource is evaluated: its resource and kind. */
export type PolicyInvocation = EquivalentResource;

/**
 * A failed conversion of a request's object for a policy matched through an equivalent resource:
 * thrown by {@link AdmissionContext.convert}, it is the policy's configuration error.
 *
 * @example
 * throw new PolicyConversionError("conversion webhook for stable.example.com/v1, Kind=CronTab failed: …");
 */
export class PolicyConversionError extends Error {}

/** What the policies may consult besides the request. */
export interface AdmissionContext {
  /** Kubernetes minor (default: the newest). */
  minor?: number;
  /** Plural resource and scope of a kind, for matching params and requests; undefined when unknown. */
  resourceOf?: (apiVersion: string, kind: string) => { resource: string; namespaced: boolean } | undefined;
  /** A kind's schema, for apply configurations (list-map merge keys). */
  schemaOf?: (apiVersion: string, kind: string) => Schema | undefined;
  /** Authorization checks (`authorizer`); without it, checks are not evaluable. */
  authorize?: Authorize;
  /**
   * Convert an object to another served version of its kind (`ObjectConvertor`), for policies
   * matched through an equivalent resource; a thrown `PolicyConversionError` is a failed
   * conversion (a configuration error of the policy, under its failure policy). Default: the built-in kinds' conversions
   * (`convertObject`), other kinds relabelled.
   */
  convert?: (object: Obj, to: { group: string; version: string; kind: string }) => Obj;
  /**
   * Why kube-apiserver would refuse to create a policy among the inputs (its native validation:
   * expressions that do not compile, …), or undefined when it accepts it. A refused policy would
   * not exist in the cluster: it is not evaluated, and a request it matches reports it as
   * unevaluated instead of repeating its errors as denials. Default: every policy is accepted (the
   * local server's policies were validated when they were written).
   */
  refused?: (policy: Obj) => string | undefined;
}

/** A decision of one validation for one binding. */
export interface PolicyDecision {
  policy: string;
  binding?: string;
  /** The expression's index in `validations`, or -1 for configuration and match condition errors. */
  index: number;
  action: "deny" | "warn" | "audit";
  message: string;
  /** The Status reason (`Invalid`, `Forbidden`, …). */
  reason: string;
  /** Whether the decision comes from an error (failurePolicy Fail) rather than a false validation. */
  error?: boolean;
}

/** An expression or match that could not be decided offline. */
export interface Unevaluated {
  policy: string;
  binding?: string;
  reason: string;
}

/** The outcome of admission for one request. */
export interface AdmissionResult {
  /** The object after mutating policies (the same object when none applied). */
  object?: Obj;
  /** Mutating policies that changed the object, in order. */
  mutatedBy: string[];
  /** Every failed validation, denial or error, in evaluation order. */
  decisions: PolicyDecision[];
  /** `Warning` header texts. */
  warnings: string[];
  /** Audit annotations (`policy/key` → value). */
  auditAnnotations: Record<string, string>;
  /** The apiserver's denial, when the request is refused. */
  denied?: { message: string; reason: string; code: number };
  unevaluated: Unevaluated[];
}

const apiVersionOf = (o: Obj | undefined): string => (typeof o?.apiVersion === "string" ? o.apiVersion : "");
const kindOf = (o: Obj | undefined): string => (typeof o?.kind === "string" ? o.kind : "");
const metaOf = (o: Obj | undefined): Obj => (isRecord(o?.metadata) ? (o!.metadata as Obj) : {});
const nameOf = (o: Obj | undefined): string => String(metaOf(o).name ?? "");
const namespaceOf = (o: Obj | undefined): string => String(metaOf(o).namespace ?? "");
const spec = (o: Obj): Obj => (isRecord(o.spec) ? o.spec : {});

function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? { group: "", version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** A naive plural, used only when the caller cannot say (`Deployment` → `deployments`). */
function guessResource(kind: string): string {
  const k = kind.toLowerCase();
  if (/(s|x|z|ch|sh)$/.test(k)) return `${k}es`;
  if (/[^aeiou]y$/.test(k)) return `${k.slice(0, -1)}ies`;
  return `${k}s`;
}

/** The API group of policies and their bindings. */
const ADMISSION_GROUP = "admissionregistration.k8s.io";

/** Which versions of the policy kinds each minor serves (by default). */
function servedVersions(kind: string, minor: number): string[] {
  if (kind.startsWith("ValidatingAdmissionPolicy")) return minor >= 30 ? ["v1", "v1beta1"] : ["v1beta1", "v1alpha1"];
  if (kind.startsWith("MutatingAdmissionPolicy")) {
    if (minor >= 36) return ["v1", "v1beta1", "v1alpha1"];
    if (minor >= 34) return ["v1beta1", "v1alpha1"];
    if (minor >= 32) return ["v1alpha1"];
    return [];
  }
  return [];
}

/** The Status code of a denial reason (`reasonToCode`). */
function reasonToCode(reason: string): number {
  switch (reason) {
    case "Forbidden":
      return 403;
    case "Unauthorized":
      return 401;
    case "RequestEntityTooLarge":
      return 413;
    case "Invalid":
      return 422;
    default:
      return 400;
  }
}

/** The variables of policy expressions (`k8s.io/apiserver/pkg/admission/plugin/cel`). */
const POLICY_VARIABLES: Readonly<Record<string, string>> = {
  object: "dyn",
  oldObject: "dyn",
  request: "dyn",
  params: "dyn",
  namespaceObject: "dyn",
  variables: "dyn",
  authorizer: "kubernetes.authorization.Authorizer",
};

/**
 * Whether a minor's policy programs count the Kubernetes libraries' call costs: validating
 * policies where StrictCostEnforcementForVAP is on by default (1.32), mutating policies always
 * (they are compiled with `StrictCost: true`, and exist only from 1.32).
 */
function policyLibraryCosts(minor: number, mutating: boolean): boolean {
  return mutating || isFeatureEnabled("StrictCostEnforcementForVAP", minor);
}

/**
 * The environment policy expressions are compiled in: a stored policy uses the minor's libraries;
 * `mode: "new"` checks a policy about to be created against the previous minor's. Library calls
 * cost what `library.CostEstimator` says only where the minor's StrictCostEnforcementForVAP gate
 * is on by default (from 1.32); before, they cost 1.
 *
 * @example
 * policyEnvironment(36).variables.object; // "dyn"
 * policyEnvironment(31).libraryCosts; // false
 */
export function policyEnvironment(minor: number, mode: "new" | "stored" = "stored", mutating = false): EnvironmentSpec {
  return { level: mode === "new" ? minor - 1 : minor, variables: POLICY_VARIABLES, ...(mutating ? { jsonPatch: true } : {}), libraryCosts: policyLibraryCosts(minor, mutating) };
}

/**
 * The object types kube-apiserver declares for `request` and `namespaceObject`
 * (`BuildRequestType`, `BuildNamespaceType` of `k8s.io/apiserver/pkg/admission/plugin/cel`).
 */
const POLICY_TYPES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  "kubernetes.GroupVersionKind": { group: "string", version: "string", kind: "string" },
  "kubernetes.GroupVersionResource": { group: "string", version: "string", resource: "string" },
  "kubernetes.UserInfo": { username: "string", uid: "string", groups: "list<string>", extra: "map<string, list<string>>" },
  "kubernetes.AdmissionRequest": {
    kind: "kubernetes.GroupVersionKind",
    resource: "kubernetes.GroupVersionResource",
    subResource: "string",
    requestKind: "kubernetes.GroupVersionKind",
    requestResource: "kubernetes.GroupVersionResource",
    requestSubResource: "string",
    name: "string",
    namespace: "string",
    operation: "string",
    userInfo: "kubernetes.UserInfo",
    dryRun: "bool",
    options: "dyn",
  },
  "kubernetes.NamespaceSpec": { finalizers: "list<string>" },
  "kubernetes.NamespaceCondition": { status: "string", type: "string", lastTransitionTime: "google.protobuf.Timestamp", message: "string", reason: "string" },
  "kubernetes.NamespaceStatus": { conditions: "list<kubernetes.NamespaceCondition>", phase: "string" },
  "kubernetes.NamespaceMetadata": {
    name: "string",
    generateName: "string",
    namespace: "string",
    labels: "map<string, string>",
    annotations: "map<string, string>",
    UID: "string",
    creationTimestamp: "google.protobuf.Timestamp",
    deletionGracePeriodSeconds: "int",
    deletionTimestamp: "google.protobuf.Timestamp",
    generation: "int",
    resourceVersion: "string",
    finalizers: "list<string>",
  },
  "kubernetes.Namespace": { metadata: "kubernetes.NamespaceMetadata", spec: "kubernetes.NamespaceSpec", status: "kubernetes.NamespaceStatus" },
};

/** What a typed policy environment declares besides `request` and `namespaceObject`. */
export interface PolicyTypeOptions {
  /** Whether the policy has a `paramKind` (`params` is declared only then). */
  params: boolean;
  /**
   * The policy's variables declared so far with their types (`kubernetes.variables`), or
   * undefined to leave `variables` dyn (match conditions).
   */
  variables?: ReadonlyArray<readonly [string, string]>;
  /** Whether `authorizer` is declared (default true; message expressions are compiled without it). */
  authorizer?: boolean;
}

/**
 * The environment kube-apiserver type-checks a policy's expressions in when the policy is written:
 * `request` an AdmissionRequest, `namespaceObject` a Namespace, `variables` an object whose fields
 * are the variables compiled before (typed by their expressions), `params` only with a
 * `paramKind`; `object`, `oldObject` and `params` dyn. For type checking only: programs run in
 * {@link policyEnvironment}, where the values are plain objects.
 *
 * @example
 * compileCel("request.nope == ''", policyTypedEnvironment(36, "new", false, { params: false })).error; // "undefined field 'nope'"
 */
export function policyTypedEnvironment(minor: number, mode: "new" | "stored", mutating: boolean, options: PolicyTypeOptions): EnvironmentSpec {
  const types: Record<string, Readonly<Record<string, string>>> = { ...POLICY_TYPES };
  const variables: Record<string, string> = {
    object: "dyn",
    oldObject: "dyn",
    request: "kubernetes.AdmissionRequest",
    namespaceObject: "kubernetes.Namespace",
  };
  if (options.authorizer !== false) variables.authorizer = "kubernetes.authorization.Authorizer";
  if (options.params) variables.params = "dyn";
  if (options.variables) {
    types["kubernetes.variables"] = Object.fromEntries(options.variables);
    variables.variables = "kubernetes.variables";
  } else variables.variables = "dyn";
  return { level: mode === "new" ? minor - 1 : minor, variables, types, ...(mutating ? { jsonPatch: true } : {}), libraryCosts: policyLibraryCosts(minor, mutating) };
}

const DECL_PRIMITIVES = new Set(["bool", "bytes", "double", "google.protobuf.Duration", "int", "null", "string", "google.protobuf.Timestamp", "uint"]);

interface TypeLike {
  kind?: string;
  name?: string;
  keyType?: TypeLike;
  valueType?: TypeLike;
}

/**
 * The type a variable gets in `kubernetes.variables` from its expression's output type
 * (`convertCelTypeToDeclType`): primitives, lists and maps of them; anything else dyn.
 *
 * @example
 * variableDeclType(compileCel("['a']", env).program?.ast.checkedType); // "list<string>"
 */
export function variableDeclType(t: TypeLike | undefined): string {
  if (!t) return "dyn";
  if (t.kind === "list") return `list<${variableDeclType(t.valueType)}>`;
  if (t.kind === "map") return `map<${variableDeclType(t.keyType)}, ${variableDeclType(t.valueType)}>`;
  return t.name && DECL_PRIMITIVES.has(t.name) ? t.name : "dyn";
}

/**
 * An expression as the policy plugins compile it when they load a policy: the program runs on
 * plain values (compiled with dyn variables), and `compileError` says why kube-apiserver's
 * compilation, in the typed environment, fails (`compilation failed: …`, `must evaluate to bool`).
 */
interface PolicyExpression extends CompiledExpression {
  compileError?: string;
  /**
   * The program compiled with the typed variables, for expressions that ask a value its type
   * (`type(request)` is `kubernetes.AdmissionRequest` there, `map` in the dyn program).
   */
  typed?: CompiledExpression;
}

/** Whether an expression calls `type()`. */
function callsType(node: unknown, seen = new Set<unknown>()): boolean {
  if (!node || typeof node !== "object" || seen.has(node)) return false;
  seen.add(node);
  if (Array.isArray(node)) return node.some((n) => callsType(n, seen));
  const n = node as { op?: unknown; args?: unknown };
  if (n.op === "call" && Array.isArray(n.args) && n.args[0] === "type") return true;
  return typeof n.op === "string" && callsType(n.args, seen);
}

interface CompiledValidation {
  expression: PolicyExpression;
  message?: string;
  messageExpression?: PolicyExpression;
  reason?: string;
  source: string;
}

interface CompiledPolicy {
  name: string;
  object: Obj;
  mutating: boolean;
  failurePolicy: "Fail" | "Ignore";
  paramKind?: { apiVersion: string; kind: string };
  matchConstraints: unknown;
  matchConditions: Array<{ name: string; expression: PolicyExpression }>;
  variables: Array<{ name: string; expression: PolicyExpression }>;
  validations: CompiledValidation[];
  auditAnnotations: Array<{ key: string; expression: PolicyExpression }>;
  /** Mutations: `source` is the expression as written (the program reads object literals as maps). */
  mutations: Array<{ patchType: string; source: string; expression: PolicyExpression }>;
  reinvocation: boolean;
  bindings: Obj[];
  /** Whether any expression refers to `authorizer` (the variable is built only then). */
  usesAuthorizer: boolean;
}

/**
 * One list of expressions evaluated together (`ForInput`): the activation they see, with its own
 * lazy `variables`, and what the variables read so far cost (returned once, then reset).
 */
interface Phase {
  ctx: Obj;
  compositionCost: () => number;
}

const compiledPolicies = new WeakMap<Obj, Map<number, CompiledPolicy>>();

const EMPTY_VARIABLES: Obj = Object.freeze({}) as Obj;

/**
 * Variables whose types here may be less precise than kube-apiserver's (a variable this checker
 * types `dyn` may have a concrete type in cel-go), so that a `dyn` result involving them is not
 * judged against the return type.
 */
const LOOSELY_TYPED = ["variables", "authorizer"];

/** What a compiled expression evaluates to when the type is known for sure here (`null_type` for null). */
function knownOutputType(compiled: CompiledExpression): string | undefined {
  const t = (compiled.program as { ast?: { checkedType?: { kind?: string; name?: string } } } | undefined)?.ast?.checkedType;
  if (!t || !t.name || t.kind === "param") return undefined;
  if (t.kind === "dyn") return LOOSELY_TYPED.some((v) => compiled.variables.has(v)) ? undefined : "dyn";
  return t.name === "null" ? "null_type" : t.name;
}

/** The detail of a failed compilation as `CompileCELExpression` words it (`compilation failed: ` and cel-go's issues). */
function compilationFailure(compiled: CompiledExpression): string {
  return `compilation failed: ${compiled.issues ?? compiled.error ?? ""}`;
}

function compilePolicy(policy: Obj, minor: number): CompiledPolicy {
  let byMinor = compiledPolicies.get(policy);
  if (!byMinor) compiledPolicies.set(policy, (byMinor = new Map()));
  const hit = byMinor.get(minor);
  if (hit) return hit;
  const s = spec(policy);
  const mutating = kindOf(policy) === "MutatingAdmissionPolicy";
  const env = policyEnvironment(minor, "stored", mutating);
  const items = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isRecord) : []);
  const pk = isRecord(s.paramKind) ? s.paramKind : undefined;
  // The composition (`CompositedCompiler`): each variable compiled in order, with the ones before
  // it declared in `kubernetes.variables` by their output types (dyn when it does not compile);
  // every other expression sees them all. `params` is declared only with a paramKind; message
  // expressions are compiled without `authorizer`; all in the stored environment of the minor.
  const declared: Array<readonly [string, string]> = [];
  const compile = (e: unknown, returns: readonly string[] | "any", options: { rewrite?: boolean; authorizer?: boolean } = {}): PolicyExpression => {
    const text = options.rewrite ? rewriteObjectLiterals(String(e ?? "")) : String(e ?? "");
    const run = compileCel(text, env);
    const typed = compileCel(text, policyTypedEnvironment(minor, "stored", mutating, { params: !!pk, variables: [...declared], authorizer: options.authorizer !== false }));
    // Syntax this evaluator cannot read is not the policy's mistake: evaluation says so.
    if (typed.unsupported || run.unsupported) return run;
    if (!typed.program) return { ...run, compileError: text === e ? compilationFailure(typed) : `compilation failed: ${typed.error ?? ""}` };
    if (returns !== "any") {
      const type = knownOutputType(typed);
      if (type !== undefined && !returns.includes(type)) {
        return { ...run, compileError: returns.length === 1 ? `must evaluate to ${returns[0]}` : `must evaluate to one of [${returns.join(" ")}]` };
      }
    }
    return callsType((typed.program as { ast?: unknown }).ast) ? { ...run, typed } : run;
  };
  const variables = items(s.variables).map((v) => {
    const name = String(v.name ?? "");
    const expression = compile(v.expression, "any");
    const typed = compileCel(String(v.expression ?? ""), policyTypedEnvironment(minor, "stored", mutating, { params: !!pk, variables: [...declared] }));
    declared.push([name, typed.program ? variableDeclType((typed.program as { ast?: { checkedType?: TypeLike } }).ast?.checkedType) : "dyn"]);
    return { name, expression };
  });
  const out: CompiledPolicy = {
    name: nameOf(policy),
    object: policy,
    mutating,
    failurePolicy: s.failurePolicy === "Ignore" ? "Ignore" : "Fail",
    ...(pk && typeof pk.kind === "string" ? { paramKind: { apiVersion: String(pk.apiVersion ?? ""), kind: pk.kind } } : {}),
    matchConstraints: s.matchConstraints,
    matchConditions: items(s.matchConditions).map((m) => ({ name: String(m.name ?? ""), expression: compile(m.expression, ["bool"]) })),
    variables,
    validations: items(s.validations).map((v) => ({
      expression: compile(v.expression, ["bool"]),
      source: String(v.expression ?? ""),
      ...(typeof v.message === "string" ? { message: v.message } : {}),
      ...(typeof v.messageExpression === "string" ? { messageExpression: compile(v.messageExpression, ["string"], { authorizer: false }) } : {}),
      ...(typeof v.reason === "string" ? { reason: v.reason } : {}),
    })),
    auditAnnotations: items(s.auditAnnotations).map((a) => ({ key: String(a.key ?? ""), expression: compile(a.valueExpression, ["string", "null_type"]) })),
    mutations: items(s.mutations).map((m) => {
      const type = String(m.patchType ?? "");
      const body = type === "JSONPatch" ? (isRecord(m.jsonPatch) ? m.jsonPatch.expression : undefined) : isRecord(m.applyConfiguration) ? m.applyConfiguration.expression : undefined;
      return { patchType: type, source: String(body ?? ""), expression: compile(body, "any", { rewrite: true }) };
    }),
    reinvocation: s.reinvocationPolicy === "IfNeeded",
    bindings: [],
    usesAuthorizer: false,
  };
  const all = [
    ...out.matchConditions.map((m) => m.expression),
    ...out.variables.map((v) => v.expression),
    ...out.validations.flatMap((v) => (v.messageExpression ? [v.expression, v.messageExpression] : [v.expression])),
    ...out.auditAnnotations.map((a) => a.expression),
    ...out.mutations.map((m) => m.expression),
  ];
  out.usesAuthorizer = all.some((e) => e.variables.has("authorizer"));
  byMinor.set(minor, out);
  return out;
}

/** Evaluate a policy expression: one that kube-apiserver could not compile is an error (`compilation error: …`). */
function evaluatePolicyExpression(e: PolicyExpression, ctx: Obj, limit: number): CelOutcome & { compileError?: true } {
  if (e.compileError !== undefined) return { kind: "error", message: `compilation error: ${e.compileError}`, compileError: true };
  if (!e.program && !e.unsupported) return { kind: "error", message: `compilation error: ${compilationFailure(e)}`, compileError: true };
  if (e.typed) {
    // The typed program checks values against the declared types; where a value here is not
    // shaped as kube-apiserver's (a null namespaceObject), the dyn program answers.
    const r = evaluateCel(e.typed, ctx, limit);
    if (!(r.kind === "error" && / is not of type '/.test(r.message))) return r;
  }
  return evaluateCel(e, ctx, limit);
}

/**
 * The policies, bindings, params, Namespaces and RBAC objects that admission consults, indexed
 * once: build it from every object among the inputs.
 *
 * @example
 * const set = new PolicySet(objects, { minor: 36 });
 * const result = set.admit({ operation: "CREATE", object: deployment, resource: "deployments", namespaced: true });
 */
export class PolicySet {
  readonly minor: number;
  private readonly validating: Obj[] = [];
  private readonly mutating: Obj[] = [];
  private readonly bindings = new Map<string, Obj[]>();
  private readonly mutatingBindings = new Map<string, Obj[]>();
  private readonly byKind = new Map<string, Obj[]>();
  private readonly namespaces = new Map<string, Obj>();
  private readonly context: AdmissionContext;
  private sortedValidating: Array<{ policy: CompiledPolicy; bindings: Obj[] }> | undefined;

  constructor(objects: readonly Obj[], context: AdmissionContext = {}) {
    this.minor = context.minor ?? CEL_MINORS.newest;
    this.context = context;
    for (const o of objects) this.add(o);
  }

  /** Add an object (policies, bindings, params, Namespaces); later objects of the same name replace earlier ones. */
  add(o: Obj): void {
    this.paramCache.clear();
    this.sortedValidating = undefined;
    const apiVersion = apiVersionOf(o);
    const kind = kindOf(o);
    const { group, version } = splitApiVersion(apiVersion);
    const key = `${apiVersion}/${kind}`;
    const list = this.byKind.get(key) ?? [];
    const same = list.findIndex((x) => nameOf(x) === nameOf(o) && namespaceOf(x) === namespaceOf(o));
    if (same >= 0) list[same] = o;
    else list.push(o);
    this.byKind.set(key, list);
    if (apiVersion === "v1" && kind === "Namespace") this.namespaces.set(nameOf(o), o);
    if (group !== ADMISSION_GROUP || !servedVersions(kind, this.minor).includes(version)) return;
    const upsert = (arr: Obj[], x: Obj) => {
      const at = arr.findIndex((y) => nameOf(y) === nameOf(x));
      if (at >= 0) arr[at] = x;
      else arr.push(x);
    };
    const bind = (map: Map<string, Obj[]>, x: Obj) => {
      const policy = String(spec(x).policyName ?? "");
      const arr = map.get(policy) ?? [];
      upsert(arr, x);
      map.set(policy, arr);
    };
    if (kind === "ValidatingAdmissionPolicy") upsert(this.validating, o);
    else if (kind === "ValidatingAdmissionPolicyBinding") bind(this.bindings, o);
    else if (kind === "MutatingAdmissionPolicy") upsert(this.mutating, o);
    else if (kind === "MutatingAdmissionPolicyBinding") bind(this.mutatingBindings, o);
  }

  /** Whether any policy has a binding (nothing to do otherwise). */
  get active(): boolean {
    return [...this.bindings.keys(), ...this.mutatingBindings.keys()].some((p) => this.validating.some((v) => nameOf(v) === p) || this.mutating.some((m) => nameOf(m) === p));
  }

  /** Policies among the inputs that no binding refers to (they do nothing). */
  unboundPolicies(): string[] {
    const v = this.validating.filter((p) => !this.bindings.has(nameOf(p))).map((p) => `ValidatingAdmissionPolicy ${nameOf(p)}`);
    const m = this.mutating.filter((p) => !this.mutatingBindings.has(nameOf(p))).map((p) => `MutatingAdmissionPolicy ${nameOf(p)}`);
    return [...v, ...m];
  }

  private namespaceLabels = (name: string): NamespaceLabels | undefined => {
    const ns = this.namespaces.get(name);
    if (!ns) return undefined;
    const labels = isRecord(metaOf(ns).labels) ? (metaOf(ns).labels as Record<string, string>) : {};
    return { labels: { ...labels, "kubernetes.io/metadata.name": name }, complete: true };
  };

  private resourceOf(apiVersion: string, kind: string): { resource: string; namespaced: boolean } | undefined {
    return this.context.resourceOf?.(apiVersion, kind);
  }

  private readonly celValues = new WeakMap<Obj, unknown>();

  private celValue(o: Obj | undefined, cache = false): unknown {
    if (!o) return null;
    if (cache && this.celValues.has(o)) return this.celValues.get(o);
    // Policies see objects as unstructured maps (no schema, no property escaping): integers as int.
    const v = toCelValue(undefined, o);
    if (cache) this.celValues.set(o, v);
    return v;
  }

  /**
   * Run the mutating, then the validating policies on a request, as kube-apiserver's admission
   * chain does. `validateNative` (optional) runs between them, on the mutated object.
   *
   * @example
   * const r = set.admit({ operation: "CREATE", object, resource: "deployments", namespaced: true });
   * if (r.denied) console.error(r.denied.message);
   */
  admit(request: AdmissionRequest): AdmissionResult {
    const result: AdmissionResult = { mutatedBy: [], decisions: [], warnings: [], auditAnnotations: {}, unevaluated: [] };
    if (request.object) result.object = request.object;
    // Admission configuration is exempt from policies (`rules.IsExemptAdmissionConfigurationResource`).
    if (isExemptAdmissionConfigurationResource(request.group ?? splitApiVersion(apiVersionOf(request.object ?? request.oldObject)).group, request.resource)) return result;
    if (request.phase !== "validating" && this.mutating.length && this.mutatingBindings.size) this.mutate(request, result);
    if (request.phase !== "mutating") this.validate({ ...request, ...(result.object ? { object: result.object } : {}) }, result);
    return result;
  }

  /** The group and version of the resource a request is for. */
  private groupVersion(request: AdmissionRequest): { group: string; version: string } {
    const own = splitApiVersion(apiVersionOf(request.object ?? request.oldObject));
    return { group: request.group ?? own.group, version: request.version ?? own.version };
  }

  private attributes(request: AdmissionRequest): MatchAttributes {
    const o = request.object ?? request.oldObject;
    const { group, version } = this.groupVersion(request);
    return {
      operation: request.operation,
      group,
      version,
      resource: request.resource,
      subresource: request.subResource ?? "",
      name: request.name ?? nameOf(o),
      namespace: request.namespaced ? request.namespace || namespaceOf(o) || "default" : "",
      namespaced: request.namespaced,
      ...(request.object ? { object: request.object } : {}),
      ...(request.oldObject ? { oldObject: request.oldObject } : {}),
      ...(request.equivalents ? { equivalents: request.equivalents } : {}),
    };
  }

  /** The kind of the request's object. */
  private requestKind(request: AdmissionRequest): { group: string; version: string; kind: string } {
    const { group, version } = this.groupVersion(request);
    return request.kind ?? { group, version, kind: kindOf(request.object ?? request.oldObject) };
  }

  /** An object at another served version of its kind (itself when it already is). */
  private convert(object: Obj, to: { group: string; version: string; kind: string }): Obj {
    const apiVersion = to.group ? `${to.group}/${to.version}` : to.version;
    if (apiVersionOf(object) === apiVersion && kindOf(object) === to.kind) return object;
    return this.context.convert ? this.context.convert(object, to) : convertObject(object, apiVersion, to.kind);
  }

  /**
   * The request as a policy matched through an equivalent resource sees it: object and old object
   * converted to the invocation's kind (`NewVersionedAttributes`), or why they could not be.
   */
  private versionedRequest(request: AdmissionRequest, invocation: PolicyInvocation): { request: AdmissionRequest } | { error: string } {
    try {
      return {
        request: {
          ...request,
          ...(request.object ? { object: this.convert(request.object, invocation.kind) } : {}),
          ...(request.oldObject ? { oldObject: this.convert(request.oldObject, invocation.kind) } : {}),
        },
      };
    } catch (err) {
      if (err instanceof PolicyConversionError) return { error: err.message };
      throw err;
    }
  }

  /**
   * The `request` variable: `kind` and `resource` where the policy is invoked (the equivalent
   * resource its rule matched), `requestKind` and `requestResource` the request's own.
   */
  private requestValue(request: AdmissionRequest, a: MatchAttributes, invocation?: PolicyInvocation): Obj {
    const { group, version } = this.groupVersion(request);
    const kind = this.requestKind(request);
    const user = request.userInfo ?? { username: "" };
    return {
      kind: invocation ? { ...invocation.kind } : { ...kind },
      resource: invocation ? { group: invocation.group, version: invocation.version, resource: invocation.resource } : { group, version, resource: request.resource },
      subResource: request.subResource ?? "",
      requestKind: { ...kind },
      requestResource: { group, version, resource: request.resource },
      requestSubResource: request.subResource ?? "",
      name: a.name,
      namespace: a.namespace,
      operation: request.operation,
      userInfo: { username: user.username, uid: user.uid ?? "", groups: [...(user.groups ?? [])], extra: { ...(user.extra ?? {}) } },
      dryRun: request.dryRun ?? false,
      options: {},
    };
  }

  private readonly paramCache = new Map<string, ReturnType<PolicySet["collectParams"]>>();
  private readonly refusals = new Map<Obj, string | undefined>();

  /** Why the apiserver would refuse the policy ({@link AdmissionContext.refused}), asked once per policy. */
  private refusal(policy: Obj): string | undefined {
    if (!this.context.refused) return undefined;
    if (!this.refusals.has(policy)) this.refusals.set(policy, this.context.refused(policy));
    return this.refusals.get(policy);
  }

  /** The params of a binding (the objects do not change during a run: cached by binding and namespace). */
  private params(policy: CompiledPolicy, binding: Obj, a: MatchAttributes): ReturnType<PolicySet["collectParams"]> {
    const key = `${policy.name}\u0000${nameOf(binding)}\u0000${a.namespace}`;
    let hit = this.paramCache.get(key);
    if (!hit) {
      hit = this.collectParams(policy, binding, a);
      this.paramCache.set(key, hit);
    }
    return hit;
  }

  /** The params of a binding, or a configuration error (`generic.CollectParams`). */
  private collectParams(policy: CompiledPolicy, binding: Obj, a: MatchAttributes): { params: Array<Obj | undefined> } | { error: string } | { unknown: string } {
    const ref = isRecord(spec(binding).paramRef) ? (spec(binding).paramRef as Obj) : undefined;
    if (!policy.paramKind || !ref) return { params: [undefined] };
    const { apiVersion, kind } = policy.paramKind;
    const scope = this.resourceOf(apiVersion, kind);
    const all = this.byKind.get(`${apiVersion}/${kind}`) ?? [];
    if (!scope && !all.length) return { unknown: `paramKind ${apiVersion}, Kind=${kind}: no such objects among the inputs, and the kind is not known` };
    const namespaced = scope ? scope.namespaced : all.some((o) => namespaceOf(o) !== "");
    let candidates = all;
    if (namespaced) {
      const ns = typeof ref.namespace === "string" && ref.namespace ? ref.namespace : a.namespace;
      if (!ns) return { error: "cannot use namespaced paramRef in policy binding that matches cluster-scoped resources" };
      candidates = all.filter((o) => (namespaceOf(o) || "default") === ns);
    } else if (typeof ref.namespace === "string" && ref.namespace) return { error: "paramRef.namespace must not be provided for a cluster-scoped `paramKind`" };
    let params: Obj[];
    if (typeof ref.name === "string" && ref.name) {
      if (ref.selector) return { error: "paramRef.name and paramRef.selector are mutually exclusive" };
      params = candidates.filter((o) => nameOf(o) === ref.name);
    } else if (isRecord(ref.selector)) {
      params = candidates.filter((o) => labelSelectorMatches(ref.selector as LabelSelector, isRecord(metaOf(o).labels) ? (metaOf(o).labels as Record<string, string>) : {}));
    } else return { error: "one of name or selector must be provided" };
    if (!params.length && ref.parameterNotFoundAction === "Deny") return { error: "no params found for policy binding with `Deny` parameterNotFoundAction" };
    return { params };
  }

  /**
   * Evaluate the match conditions (`matchconditions.Matcher.Match`); `undefined` means they pass.
   * They are evaluated together, each program to the per-call limit and all of them within
   * `RuntimeCELCostBudgetMatchConditions`, before any result counts: a false condition skips the
   * policy whatever the others came to; running out of budget, or errors, fail the match under
   * the policy's failure policy (`Ignore` skips it).
   */
  private matchConditions(policy: CompiledPolicy, newPhase: () => Phase): { skip: true } | { error: string } | { unknown: string } | undefined {
    if (!policy.matchConditions.length) return undefined;
    const phase = newPhase();
    const evaluated = evaluateWithBudget(
      policy.matchConditions.map((mc) => ({ source: mc.expression.source, evaluate: () => evaluatePolicyExpression(mc.expression, phase.ctx, PER_CALL_LIMIT) })),
      RUNTIME_COST_BUDGET_MATCH_CONDITIONS,
      phase.compositionCost,
    );
    if ("outOfBudget" in evaluated) return policy.failurePolicy === "Ignore" ? { skip: true } : { error: evaluated.outOfBudget };
    const errors: string[] = [];
    let unknown: string | undefined;
    for (const [i, r] of evaluated.results.entries()) {
      if (!r) continue;
      if (r.kind === "value" && r.value === false) return { skip: true };
      if (r.kind === "unevaluable") unknown ??= r.reason;
      else if (r.kind === "error") errors.push(r.message);
      else if (r.value !== true) errors.push(`expression '${policy.matchConditions[i]!.expression.source}' resulted in unsupported return type: must evaluate to bool`);
    }
    if (unknown !== undefined) return { unknown };
    if (!errors.length) return undefined;
    if (policy.failurePolicy === "Ignore") return { skip: true };
    return { error: errors.length === 1 ? errors[0]! : `[${errors.join(", ")}]` };
  }

  /**
   * The CEL activation of one evaluation (a binding and a param): the request's variables and the
   * authorizer in `ctx`, and `phase()` for each list of expressions evaluated together
   * (`ForInput`), which sees `ctx` as it is then with its own lazily computed `variables`, as
   * kube-apiserver builds a new activation, and a new lazy map of variables, for each.
   */
  private activation(policy: CompiledPolicy, base: Obj, param: Obj | undefined, a: MatchAttributes): { ctx: Obj; phase: (options?: { authorizer?: boolean }) => Phase } {
    const ctx: Obj = {
      object: base.object,
      oldObject: base.oldObject,
      request: base.request,
      namespaceObject: base.namespaceObject,
      params: param ? this.celValue(param, true) : null,
      authorizer: null,
      variables: EMPTY_VARIABLES,
    };
    const user = (base.__user as UserInfo | undefined) ?? { username: "" };
    if (policy.usesAuthorizer) {
      const authorizer = new CelAuthorizer(this.context.authorize ?? (() => undefined), user);
      authorizer.requestResource = new CelResourceCheck(authorizer, a.group, a.resource, a.subresource, a.namespace, a.name);
      ctx.authorizer = authorizer;
    }
    const phase = (options: { authorizer?: boolean } = {}): Phase => {
      const own: Obj = { ...ctx };
      // Message expressions and audit annotations are evaluated without an authorizer bound
      // (`OptionalVariableBindings{VersionedParams}`): reading it, through a variable too, fails.
      if (options.authorizer === false) delete own.authorizer;
      let spent = 0;
      if (policy.variables.length) own.variables = this.variablesOf(policy, own, (cost) => (spent += cost));
      return {
        ctx: own,
        compositionCost: () => {
          const cost = spent;
          spent = 0;
          return cost;
        },
      };
    };
    return { ctx, phase };
  }

  /**
   * The lazy `variables` of one activation (`compositionContext.Variables`): each variable is
   * evaluated at its first read, by its own program, to its own per-call limit, and its cost
   * (also when it fails) is reported to the activation rather than added to the reader's.
   */
  private variablesOf(policy: CompiledPolicy, ctx: Obj, report: (cost: number) => void): Obj {
    const vars: Obj = {};
    for (const v of policy.variables) {
      let state: { value: unknown } | { error: Error } | undefined;
      Object.defineProperty(vars, v.name, {
        enumerable: true,
        get: () => {
          if (!state) {
            // The lazy map's callback (`variableAccessor.Callback`) names the variable that failed.
            const r = v.expression.compileError === undefined ? untracked(() => evaluatePolicyExpression(v.expression, ctx, PER_CALL_LIMIT)) : undefined;
            if (r && r.kind !== "unevaluable" && !r.compileError) report(r.cost ?? 0);
            if (!r) state = { error: Object.assign(new Error(`composited variable ${JSON.stringify(v.name)} fails to compile: ${v.expression.compileError}`), { celMessage: true }) };
            else if (r.kind === "value") state = { value: r.value };
            else if (r.kind === "unevaluable") throw new UnevaluableError(r.reason);
            else state = { error: new Error(`composited variable ${JSON.stringify(v.name)} fails to ${r.compileError ? "compile" : "evaluate"}: ${r.compileError ? r.message.replace(/^compilation error: /, "") : r.message}`) };
          }
          if ("error" in state) throw state.error;
          return state.value;
        },
      });
    }
    return vars;
  }

  /** The activation's request-wide part; `request` is the `request` variable's value. */
  private baseContext(request: AdmissionRequest, a: MatchAttributes, requestValue: Obj): Obj {
    const ns = a.namespace ? this.namespaces.get(a.namespace) : undefined;
    return {
      object: this.celValue(request.object),
      oldObject: this.celValue(request.oldObject),
      request: toCelValue(undefined, requestValue),
      namespaceObject: ns ? this.celValue({ metadata: metaOf(ns), spec: ns.spec ?? {}, status: ns.status ?? {} }) : null,
      __user: request.userInfo ?? { username: "" },
    };
  }

  private validate(request: AdmissionRequest, result: AdmissionResult): void {
    if (!this.validating.length || !this.bindings.size) return;
    const a = this.attributes(request);
    // The request's activation, once per kind it is shown as (`versionedAttrs`).
    const bases = new Map<string, { ctx: Obj } | { error: string }>();
    const baseFor = (invocation: PolicyInvocation | undefined): { ctx: Obj } | { error: string } => {
      const key = invocation ? `${invocation.group}/${invocation.version}/${invocation.resource}` : "";
      let hit = bases.get(key);
      if (!hit) {
        const shown = invocation ? this.versionedRequest(request, invocation) : { request };
        hit = "error" in shown ? shown : { ctx: this.baseContext(shown.request, a, this.requestValue(request, a, invocation)) };
        bases.set(key, hit);
      }
      return hit;
    };
    const denials: PolicyDecision[] = [];
    this.sortedValidating ??= [...this.validating]
      .sort((x, y) => nameOf(x).localeCompare(nameOf(y)))
      .filter((p) => this.bindings.get(nameOf(p))?.length)
      .map((p) => ({ policy: compilePolicy(p, this.minor), bindings: [...this.bindings.get(nameOf(p))!].sort((x, y) => nameOf(x).localeCompare(nameOf(y))) }));
    for (const { policy, bindings } of this.sortedValidating) {
      const m = matchResources(policy.matchConstraints, a, this.namespaceLabels);
      if (m.unknown) {
        result.unevaluated.push({ policy: policy.name, reason: m.unknown });
        continue;
      }
      if (!m.matches) continue;
      const refused = this.refusal(policy.object);
      if (refused) {
        result.unevaluated.push({ policy: policy.name, reason: refused });
        continue;
      }
      const invocation = matchedEquivalent(m, request.equivalents);
      const annotations = new Map<string, string[]>();
      for (const b of bindings) {
        const bs = spec(b);
        if (bs.matchResources !== undefined && bs.matchResources !== null) {
          const bm = matchResources(bs.matchResources, a, this.namespaceLabels);
          if (bm.unknown) {
            result.unevaluated.push({ policy: policy.name, binding: nameOf(b), reason: bm.unknown });
            continue;
          }
          if (!bm.matches) continue;
        }
        const actions = (Array.isArray(bs.validationActions) ? bs.validationActions : []).filter((x): x is string => typeof x === "string");
        const base = baseFor(invocation);
        if ("error" in base) {
          // A failed conversion is the policy's configuration error (`addConfigError(err, policy, nil)`).
          if (policy.failurePolicy !== "Ignore") denials.push({ policy: policy.name, index: -1, action: "deny", message: `failed to configure policy: ${base.error}`, reason: "Invalid", error: true });
          continue;
        }
        const configError = (message: string) => {
          if (policy.failurePolicy === "Ignore") return;
          denials.push({ policy: policy.name, binding: nameOf(b), index: -1, action: "deny", message: `failed to configure binding: ${message}`, reason: "Invalid", error: true });
        };
        const params = this.params(policy, b, a);
        if ("error" in params) {
          configError(params.error);
          continue;
        }
        if ("unknown" in params) {
          result.unevaluated.push({ policy: policy.name, binding: nameOf(b), reason: params.unknown });
          continue;
        }
        for (const param of params.params) {
          const outcome = this.evaluateValidations(policy, b, this.activation(policy, base.ctx, param, a), result);
          // Every decision to deny, errors under `failurePolicy: Fail` among them, takes the
          // binding's validation actions (`Warn` only warns of an error); audit annotation errors
          // deny whatever the actions.
          for (const d of outcome.decisions) {
            for (const action of actions) {
              if (action === "Deny") denials.push({ ...d, action: "deny" });
              else if (action === "Warn") {
                result.decisions.push({ ...d, action: "warn" });
                result.warnings.push(`Validation failed for ValidatingAdmissionPolicy '${policy.name}' with binding '${nameOf(b)}': ${d.message}`);
              } else if (action === "Audit") {
                result.decisions.push({ ...d, action: "audit" });
                result.auditAnnotations["validation.policy.admission.k8s.io/validation_failure"] = JSON.stringify([
                  { message: d.message, policy: policy.name, binding: nameOf(b), expressionIndex: Math.max(0, d.index), validationActions: actions },
                ]);
              }
            }
          }
          for (const d of outcome.annotationErrors) denials.push(d);
          for (const [k, v] of outcome.annotations) {
            const arr = annotations.get(k) ?? [];
            if (!arr.includes(v)) arr.push(v);
            annotations.set(k, arr);
          }
        }
      }
      for (const [k, v] of annotations) result.auditAnnotations[`${policy.name}/${k}`] = v.join(", ");
    }
    result.decisions.push(...denials);
    const first = denials[0];
    if (first) {
      const message = first.binding
        ? `ValidatingAdmissionPolicy '${first.policy}' with binding '${first.binding}' denied request: ${first.message}`
        : `ValidatingAdmissionPolicy '${first.policy}' denied request: ${first.message}`;
      result.denied = { message, reason: first.reason, code: reasonToCode(first.reason) };
    }
  }

  /**
   * One binding and param (`validator.Validate`): the match conditions, then the validations
   * within `RuntimeCELCostBudget`, their message expressions within what the validations left, and
   * the audit annotations within a budget of their own. Running out of budget in the validations
   * or the audit annotations ends the evaluation with that one error; in the message expressions,
   * it turns every validation that did not fail on its own into an error.
   */
  private evaluateValidations(
    policy: CompiledPolicy,
    binding: Obj,
    activation: { ctx: Obj; phase: (options?: { authorizer?: boolean }) => Phase },
    result: AdmissionResult,
  ): { decisions: PolicyDecision[]; annotationErrors: PolicyDecision[]; annotations: Array<[string, string]> } {
    const out = { decisions: [] as PolicyDecision[], annotationErrors: [] as PolicyDecision[], annotations: [] as Array<[string, string]> };
    const bindingName = nameOf(binding);
    const error = (index: number, message: string): PolicyDecision => ({ policy: policy.name, binding: bindingName, index, action: "deny", message, reason: "Invalid", error: true });
    const fail = (index: number, message: string) => {
      if (policy.failurePolicy !== "Ignore") out.decisions.push(error(index, message));
    };
    const mc = this.matchConditions(policy, () => activation.phase());
    if (mc && "skip" in mc) return out;
    if (mc && "unknown" in mc) {
      result.unevaluated.push({ policy: policy.name, binding: bindingName, reason: mc.unknown });
      return out;
    }
    if (mc && "error" in mc) {
      fail(-1, mc.error);
      return out;
    }
    const validating = activation.phase();
    const evaluated = evaluateWithBudget(
      policy.validations.map((v) => ({ source: v.source, evaluate: () => evaluatePolicyExpression(v.expression, validating.ctx, PER_CALL_LIMIT) })),
      RUNTIME_COST_BUDGET,
      validating.compositionCost,
    );
    if ("outOfBudget" in evaluated) {
      fail(-1, evaluated.outOfBudget);
      return out;
    }
    // Every message expression runs, whether its validation failed or not, on what is left.
    const messaging = policy.validations.some((v) => v.messageExpression) ? activation.phase({ authorizer: false }) : undefined;
    const messages = evaluateWithBudget(
      policy.validations.map((v) => {
        const m = v.messageExpression;
        return m && messaging ? { source: m.source, evaluate: () => evaluatePolicyExpression(m, messaging.ctx, PER_CALL_LIMIT) } : undefined;
      }),
      evaluated.remaining,
      messaging?.compositionCost,
    );
    for (let i = 0; i < policy.validations.length; i++) {
      const v = policy.validations[i]!;
      const r = evaluated.results[i]!;
      if (r.kind === "unevaluable") {
        result.unevaluated.push({ policy: policy.name, binding: bindingName, reason: `validations[${i}] (${v.source}): ${r.reason}` });
        continue;
      }
      if (r.kind === "error") {
        fail(i, r.message);
        continue;
      }
      if ("outOfBudget" in messages) {
        fail(i, `failed messageExpression: ${messages.outOfBudget}`);
        continue;
      }
      if (r.value === true) continue;
      if (r.value !== false) {
        fail(i, `expression '${v.source}' resulted in unsupported return type: must evaluate to bool`);
        continue;
      }
      let message = "";
      const m = messages.results[i];
      if (m?.kind === "value" && typeof m.value === "string") {
        const t = m.value.trim();
        if (t.length <= 5 * 1024 && !t.includes("\n")) message = t;
      }
      if (!message && v.message) message = v.message.trim();
      if (!message) message = `failed expression: ${v.source.trim()}`;
      out.decisions.push({ policy: policy.name, binding: bindingName, index: i, action: "deny", message, reason: v.reason ?? "Invalid" });
    }
    if (!policy.auditAnnotations.length) return out;
    const annotating = activation.phase({ authorizer: false });
    const annotations = evaluateWithBudget(
      policy.auditAnnotations.map((aa) => ({ source: aa.expression.source, evaluate: () => evaluatePolicyExpression(aa.expression, annotating.ctx, PER_CALL_LIMIT) })),
      RUNTIME_COST_BUDGET,
      annotating.compositionCost,
    );
    if ("outOfBudget" in annotations) {
      // The one decision replaces the validations' (`ValidateResult{Decisions: …}`).
      out.decisions = policy.failurePolicy === "Ignore" ? [] : [error(-1, annotations.outOfBudget)];
      return out;
    }
    for (const [i, aa] of policy.auditAnnotations.entries()) {
      const r = annotations.results[i]!;
      if (r.kind === "unevaluable") continue;
      if (r.kind === "error") {
        if (policy.failurePolicy !== "Ignore") out.annotationErrors.push(error(-1, r.message));
      } else if (typeof r.value === "string" && r.value.trim()) out.annotations.push([aa.key, r.value.trim().slice(0, 10 * 1024)]);
      else if (r.value !== null && typeof r.value !== "string" && policy.failurePolicy !== "Ignore") {
        out.annotationErrors.push(
          error(-1, `valueExpression '${aa.expression.source}' resulted in unsupported return type: ${typeof r.value === "bigint" ? "int" : typeof r.value}. Return type must be either string or null.`),
        );
      }
    }
    return out;
  }

  private mutate(request: AdmissionRequest, result: AdmissionResult): void {
    if (request.operation === "DELETE" || request.operation === "CONNECT" || !request.object) return;
    const runOnce = (policies: CompiledPolicy[]): CompiledPolicy[] => {
      const changedBy: CompiledPolicy[] = [];
      for (const policy of policies) {
        const bindings = this.mutatingBindings.get(policy.name);
        if (!bindings?.length) continue;
        const a = this.attributes({ ...request, object: result.object! });
        const m = matchResources(policy.matchConstraints, a, this.namespaceLabels);
        if (m.unknown) {
          result.unevaluated.push({ policy: policy.name, reason: m.unknown });
          continue;
        }
        if (!m.matches) continue;
        const refused = this.refusal(policy.object);
        if (refused) {
          result.unevaluated.push({ policy: policy.name, reason: refused });
          continue;
        }
        const invocation = matchedEquivalent(m, request.equivalents);
        for (const b of [...bindings].sort((x, y) => nameOf(x).localeCompare(nameOf(y)))) {
          const bs = spec(b);
          if (bs.matchResources !== undefined && bs.matchResources !== null) {
            const bm = matchResources(bs.matchResources, a, this.namespaceLabels);
            if (bm.unknown || !bm.matches) continue;
          }
          const params = this.params(policy, b, a);
          const denyConfig = (message: string) => {
            if (policy.failurePolicy === "Ignore") return;
            result.decisions.push({ policy: policy.name, binding: nameOf(b), index: -1, action: "deny", message, reason: "Invalid", error: true });
            // generic.PolicyError: the mutating plugin names the policy without its kind.
            result.denied ??= { message: `policy '${policy.name}' with binding '${nameOf(b)}' denied request: ${message}`, reason: "Invalid", code: 422 };
          };
          if ("error" in params) {
            denyConfig(`failed to configure binding: ${params.error}`);
            continue;
          }
          if ("unknown" in params) {
            result.unevaluated.push({ policy: policy.name, binding: nameOf(b), reason: params.unknown });
            continue;
          }
          for (const param of params.params) {
            const current: AdmissionRequest = { ...request, object: result.object! };
            // Matched through an equivalent resource: the policy sees and mutates the object at the version its rule names.
            const shown = invocation ? this.versionedRequest(current, invocation) : { request: current };
            if ("error" in shown) {
              if (policy.failurePolicy === "Ignore") continue;
              const message = `failed to configure policy: ${shown.error}`;
              result.decisions.push({ policy: policy.name, index: -1, action: "deny", message, reason: "Invalid", error: true });
              result.denied ??= { message: `policy ${JSON.stringify(policy.name)} denied request: ${message}`, reason: "Invalid", code: 422 };
              continue;
            }
            const base = this.baseContext(shown.request, a, this.requestValue(current, a, invocation));
            const activation = this.activation(policy, base, param, a);
            const mc = this.matchConditions(policy, () => activation.phase());
            if (mc && "skip" in mc) continue;
            if (mc && "unknown" in mc) {
              result.unevaluated.push({ policy: policy.name, binding: nameOf(b), reason: mc.unknown });
              continue;
            }
            if (mc && "error" in mc) {
              denyConfig(mc.error);
              continue;
            }
            let target = shown.request.object!;
            const before = JSON.stringify(target);
            for (let i = 0; i < policy.mutations.length; i++) {
              const mut = policy.mutations[i]!;
              // `patcher.Patch(…, RuntimeCELCostBudget)`: each mutation its own budget, its program
              // the per-call limit, its variables evaluated anew on the object as mutated so far.
              const phase = activation.phase();
              const evaluated = evaluateWithBudget(
                [{ source: mut.source, evaluate: () => evaluatePolicyExpression(mut.expression, phase.ctx, PER_CALL_LIMIT) }],
                RUNTIME_COST_BUDGET,
                phase.compositionCost,
              );
              if ("outOfBudget" in evaluated) {
                denyConfig(evaluated.outOfBudget);
                continue;
              }
              const r = evaluated.results[0]!;
              if (r.kind === "unevaluable") {
                result.unevaluated.push({ policy: policy.name, binding: nameOf(b), reason: `mutations[${i}]: ${r.reason}` });
                continue;
              }
              if (r.kind === "error") {
                denyConfig(r.message);
                continue;
              }
              try {
                const patch = fromCelValue(r.value);
                const schema = this.context.schemaOf?.(apiVersionOf(target), kindOf(target));
                if (mut.patchType === "JSONPatch") target = applyJsonPatch(target, patch as JsonPatchOperation[]) as Obj;
                else target = applyConfiguration(target, patch, schema) as Obj;
                // The next mutation sees this one's result (the dispatcher updates the versioned attributes in between).
                activation.ctx.object = this.celValue(target);
              } catch (err) {
                denyConfig(`mutations[${i}]: ${(err as Error).message}`);
              }
            }
            if (JSON.stringify(target) !== before) {
              // The mutated object goes back to the request's version.
              if (invocation) {
                try {
                  target = this.convert(target, this.requestKind(current));
                } catch (err) {
                  if (!(err instanceof PolicyConversionError)) throw err;
                  denyConfig(`failed to configure policy: ${err.message}`);
                  continue;
                }
              }
              result.object = target;
              result.mutatedBy.push(policy.name);
              changedBy.push(policy);
            }
          }
        }
      }
      return changedBy;
    };
    const all = [...this.mutating].sort((x, y) => nameOf(x).localeCompare(nameOf(y))).map((p) => compilePolicy(p, this.minor));
    const changed = runOnce(all);
    // Reinvocation: policies that ask for it run once more when a later policy changed the object.
    if (changed.length) {
      const last = all.indexOf(changed[changed.length - 1]!);
      const again = all.filter((p, i) => p.reinvocation && i < last);
      if (again.length) runOnce(again);
    }
  }
}

/** A problem with a policy's own expressions, reported on the policy object. */
export interface PolicyExpressionProblem {
  /** Field path (`spec.validations[0].expression`). */
  field: string;
  value: string;
  detail: string;
}

/**
 * Compile every expression of a policy the way kube-apiserver checks a new policy (libraries of
 * the previous minor): the problems it would refuse the policy for.
 *
 * @example
 * checkPolicyExpressions(policy, 36); // [{ field: "spec.validations[0].expression", … }]
 */
export function checkPolicyExpressions(policy: Obj, minor: number): PolicyExpressionProblem[] {
  const s = spec(policy);
  const mutating = kindOf(policy) === "MutatingAdmissionPolicy";
  const env = policyEnvironment(minor, "new", mutating);
  const out: PolicyExpressionProblem[] = [];
  const check = (field: string, expr: unknown, rewrite = false) => {
    if (typeof expr !== "string") return;
    const source = rewrite ? rewriteObjectLiterals(expr) : expr;
    const c = compileCel(source, env);
    if (c.error && !c.unsupported) out.push({ field, value: expr, detail: `compilation failed: ${(source === expr && c.issues) || c.error}` });
  };
  const items = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isRecord) : []);
  items(s.matchConditions).forEach((m, i) => check(`spec.matchConditions[${i}].expression`, m.expression));
  items(s.variables).forEach((v, i) => check(`spec.variables[${i}].expression`, v.expression));
  items(s.validations).forEach((v, i) => {
    check(`spec.validations[${i}].expression`, v.expression);
    check(`spec.validations[${i}].messageExpression`, v.messageExpression);
  });
  items(s.auditAnnotations).forEach((a, i) => check(`spec.auditAnnotations[${i}].valueExpression`, a.valueExpression));
  items(s.mutations).forEach((m, i) => {
    if (isRecord(m.applyConfiguration)) check(`spec.mutations[${i}].applyConfiguration.expression`, m.applyConfiguration.expression, true);
    if (isRecord(m.jsonPatch)) check(`spec.mutations[${i}].jsonPatch.expression`, m.jsonPatch.expression, true);
  });
  return out;
}

/** Whether an object is one of the policy kinds (or their bindings) that admission reads. */
export function isAdmissionPolicyObject(o: Obj): boolean {
  return splitApiVersion(apiVersionOf(o)).group === ADMISSION_GROUP && /^(Validating|Mutating)AdmissionPolicy(Binding)?$/.test(kindOf(o));
}

/** The plural resource of a kind when nothing better is known. @example defaultResourceOf("Ingress"); // "ingresses" */
export function defaultResourceOf(kind: string): string {
  return guessResource(kind);
}
