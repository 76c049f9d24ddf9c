/**
 * The flowcontrol.apiserver.k8s.io API group (pkg/apis/flowcontrol/validation, v1/defaults.go and
 * the registry strategies of FlowSchema and PriorityLevelConfiguration): matching precedence,
 * subjects, resource and non-resource rules; priority level types, concurrency shares, lending and
 * borrowing percentages, queuing (shuffle-sharding entropy); the mandatory `exempt` and `catch-all`
 * objects, whose spec is fixed.
 */
import type { GroupRules, KindRules } from "../registry.js";
import { duplicate, FieldPath, forbidden, invalid, notSupported, required, type FieldError } from "../field.js";
import { badValue, goStringSlice, integerAt, isDNS1123Label, isDNS1123Subdomain, listAt, objectAt, optionalObject, semanticEqual, stringAt, stringsAt } from "../validation/index.js";
import { isRecord } from "../../meta/values.js";
import type { ApiContext } from "../context.js";

type Obj = Record<string, unknown>;

const SUPPORTED_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "proxy", "update", "watch"];
const SUBJECT_KINDS = ["Group", "ServiceAccount", "User"];
const DISTINGUISHER_METHODS = ["ByNamespace", "ByUser"];
const PRIORITY_LEVEL_TYPES = ["Exempt", "Limited"];
const LIMIT_RESPONSE_TYPES = ["Queue", "Reject"];
const MAX_MATCHING_PRECEDENCE = 10000;
const MAX_QUEUES = 10 * 1000 * 1000;
/** shufflesharding.MaxHashBits. */
const MAX_HASH_BITS = 60;
const NS_ERR_INTRO = "each member of this list must be '*' or a DNS-1123 label; ";
/** flowcontrolv1beta3.PriorityLevelPreserveZeroConcurrencySharesKey. */
const PRESERVE_ZERO_SHARES = "flowcontrol.k8s.io/v1beta3-preserve-zero-concurrency-shares";

const setIfAbsent = (o: Obj, k: string, v: unknown): void => {
  if (o[k] === undefined || o[k] === null) o[k] = v;
};
const setIfZero = (o: Obj, k: string, v: number): void => {
  if (o[k] === undefined || o[k] === null || o[k] === 0) o[k] = v;
};

/** The versions whose limited priority levels call the shares `assuredConcurrencyShares`. */
const assuredVersion = (version: string): boolean => version === "v1beta1" || version === "v1beta2";

/** `SetDefaults_FlowSchemaSpec`. */
function defaultFlowSchema(obj: Obj): void {
  const spec = optionalObject(obj.spec);
  if (spec) setIfZero(spec, "matchingPrecedence", 1000);
}

/**
 * `SetDefaults_LimitedPriorityLevelConfiguration`, `SetDefaults_ExemptPriorityLevelConfiguration`
 * and `SetDefaults_QueuingConfiguration` of the object's version: in v1 the shares are a pointer
 * (an explicit 0 stays); before v1 a 0 becomes 30, unless (from 1.29) the v1beta3 round-trip
 * annotation asks to keep it.
 */
function defaultPriorityLevel(obj: Obj, ctx: ApiContext): void {
  const spec = optionalObject(obj.spec);
  if (!spec) return;
  const limited = optionalObject(spec.limited);
  if (limited) {
    const field = assuredVersion(ctx.version) ? "assuredConcurrencyShares" : "nominalConcurrencyShares";
    if (ctx.version === "v1") setIfAbsent(limited, field, 30);
    else {
      const annotations = objectAt(objectAt(obj.metadata).annotations);
      const keepZero = ctx.version === "v1beta3" && ctx.minor >= 29 && Object.hasOwn(annotations, PRESERVE_ZERO_SHARES);
      if (keepZero) setIfAbsent(limited, field, 0);
      else setIfZero(limited, field, 30);
    }
    setIfAbsent(limited, "lendablePercent", 0);
    const queuing = optionalObject(objectAt(limited.limitResponse).queuing);
    if (queuing) {
      setIfZero(queuing, "handSize", 8);
      setIfZero(queuing, "queues", 64);
      setIfZero(queuing, "queueLengthLimit", 50);
    }
  }
  const exempt = optionalObject(spec.exempt);
  if (exempt) {
    setIfAbsent(exempt, "nominalConcurrencyShares", 0);
    setIfAbsent(exempt, "lendablePercent", 0);
  }
}

/** The v1beta3 round-trip annotation is dropped by conversion to the internal version. */
function dropRoundTripAnnotation(obj: Obj, ctx: ApiContext): void {
  if (ctx.version !== "v1beta3") return;
  const annotations = optionalObject(objectAt(obj.metadata).annotations);
  if (annotations && Object.hasOwn(annotations, PRESERVE_ZERO_SHARES)) delete annotations[PRESERVE_ZERO_SHARES];
}

/** A `[]string` bad value as the minor prints it. */
const strings = (values: string[], ctx: ApiContext): string => badValue(ctx.minor, () => goStringSlice(values), values);

/** `ValidateNonResourceURLPath`. */
function validateNonResourceURLPath(p: string, path: FieldPath): FieldError | undefined {
  if (!p) return invalid(path, p, "must not be empty");
  if (p === "/") return undefined;
  if (!p.startsWith("/")) return invalid(path, p, "must start with slash");
  if (p.includes(" ")) return invalid(path, p, "must not contain white-space");
  if (p.includes("//")) return invalid(path, p, "must not contain double slash");
  const wildcards = p.split("*").length - 1;
  if (wildcards > 1 || (wildcards === 1 && !p.endsWith("/*"))) return invalid(path, p, "wildcard can only do suffix matching");
  return undefined;
}

/** The verbs check both rule kinds share. */
function validateVerbs(verbs: string[], path: FieldPath, ctx: ApiContext): FieldError[] {
  if (verbs.length === 0) return [required(path, "verbs must contain at least one value")];
  if (verbs.includes("*")) return verbs.length > 1 ? [invalid(path, verbs, "if '*' is present, must not specify other verbs", strings(verbs, ctx))] : [];
  if (verbs.some((v) => !SUPPORTED_VERBS.includes(v))) {
    const e = notSupported(path, verbs, SUPPORTED_VERBS);
    e.display = strings(verbs, ctx);
    return [e];
  }
  return [];
}

/** `ValidateFlowSchemaResourcePolicyRule`. */
function validateResourceRule(rule: Obj, path: FieldPath, ctx: ApiContext): FieldError[] {
  const errs = validateVerbs(stringsAt(rule.verbs), path.child("verbs"), ctx);
  const groups = stringsAt(rule.apiGroups);
  if (groups.length === 0) errs.push(required(path.child("apiGroups"), "resource rules must supply at least one api group"));
  else if (groups.length > 1 && groups.includes("*")) errs.push(invalid(path.child("apiGroups"), groups, "if '*' is present, must not specify other api groups", strings(groups, ctx)));
  const resources = stringsAt(rule.resources);
  if (resources.length === 0) errs.push(required(path.child("resources"), "resource rules must supply at least one resource"));
  else if (resources.length > 1 && resources.includes("*")) errs.push(invalid(path.child("resources"), resources, "if '*' is present, must not specify other resources", strings(resources, ctx)));
  const namespaces = stringsAt(rule.namespaces);
  if (namespaces.length === 0 && rule.clusterScope !== true) {
    errs.push(required(path.child("namespaces"), "resource rules that are not cluster scoped must supply at least one namespace"));
  } else if (namespaces.includes("*")) {
    if (namespaces.length > 1) errs.push(invalid(path.child("namespaces"), namespaces, "if '*' is present, must not specify other namespaces", strings(namespaces, ctx)));
  } else {
    namespaces.forEach((ns, i) => {
      for (const m of isDNS1123Label(ns)) errs.push(invalid(path.child("namespaces").index(i), ns, NS_ERR_INTRO + m));
    });
  }
  return errs;
}

/** `ValidateFlowSchemaNonResourcePolicyRule`. */
function validateNonResourceRule(rule: Obj, path: FieldPath, ctx: ApiContext): FieldError[] {
  const errs = validateVerbs(stringsAt(rule.verbs), path.child("verbs"), ctx);
  const urls = stringsAt(rule.nonResourceURLs);
  const p = path.child("nonResourceURLs");
  if (urls.length === 0) errs.push(required(p, "nonResourceURLs must contain at least one value"));
  else if (urls.includes("*")) {
    if (urls.length > 1) errs.push(invalid(p, urls, "if '*' is present, must not specify other non-resource URLs", strings(urls, ctx)));
  } else {
    urls.forEach((u, i) => {
      const e = validateNonResourceURLPath(u, p.index(i));
      if (e) errs.push(e);
    });
  }
  return errs;
}

/** `ValidateFlowSchemaSubject` with the service account, user and group checks. */
function validateSubject(subject: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const kind = stringAt(subject.kind);
  const sa = optionalObject(subject.serviceAccount);
  const user = optionalObject(subject.user);
  const group = optionalObject(subject.group);
  const forbidSA = (): void => {
    if (sa) errs.push(forbidden(path.child("serviceAccount"), "serviceAccount is forbidden when subject kind is not 'ServiceAccount'"));
  };
  const forbidUser = (): void => {
    if (user) errs.push(forbidden(path.child("user"), "user is forbidden when subject kind is not 'User'"));
  };
  const forbidGroup = (): void => {
    if (group) errs.push(forbidden(path.child("group"), "group is forbidden when subject kind is not 'Group'"));
  };
  const named = (o: Obj | undefined, p: FieldPath, missing: string): void => {
    if (!o) errs.push(required(p, missing));
    else if (!stringAt(o.name)) errs.push(required(p.child("name"), ""));
  };
  switch (kind) {
    case "ServiceAccount": {
      const p = path.child("serviceAccount");
      if (!sa) errs.push(required(p, "serviceAccount is required when subject kind is 'ServiceAccount'"));
      else {
        const name = stringAt(sa.name);
        if (!name) errs.push(required(p.child("name"), ""));
        else if (name !== "*") for (const m of isDNS1123Subdomain(name)) errs.push(invalid(p.child("name"), name, m));
        const ns = stringAt(sa.namespace);
        if (!ns) errs.push(required(p.child("namespace"), "must specify namespace for service account"));
        else for (const m of isDNS1123Label(ns)) errs.push(invalid(p.child("namespace"), ns, m));
      }
      forbidUser();
      forbidGroup();
      break;
    }
    case "User":
      named(user, path.child("user"), "user is required when subject kind is 'User'");
      forbidSA();
      forbidGroup();
      break;
    case "Group":
      named(group, path.child("group"), "group is required when subject kind is 'Group'");
      forbidSA();
      forbidUser();
      break;
    default:
      errs.push(notSupported(path.child("kind"), kind, SUBJECT_KINDS));
  }
  return errs;
}

/** `ValidateFlowSchemaPolicyRulesWithSubjects`. */
function validateRule(rule: Obj, path: FieldPath, ctx: ApiContext): FieldError[] {
  const errs: FieldError[] = [];
  const subjects = listAt(rule.subjects);
  if (subjects.length === 0) errs.push(required(path.child("subjects"), "subjects must contain at least one value"));
  subjects.forEach((s, i) => errs.push(...validateSubject(objectAt(s), path.child("subjects").index(i))));
  const resourceRules = listAt(rule.resourceRules);
  const nonResourceRules = listAt(rule.nonResourceRules);
  if (resourceRules.length === 0 && nonResourceRules.length === 0) errs.push(required(path, "at least one of resourceRules and nonResourceRules has to be non-empty"));
  resourceRules.forEach((r, i) => errs.push(...validateResourceRule(objectAt(r), path.child("resourceRules").index(i), ctx)));
  nonResourceRules.forEach((r, i) => errs.push(...validateNonResourceRule(objectAt(r), path.child("nonResourceRules").index(i), ctx)));
  return errs;
}

/** `ValidateFlowSchemaSpec`. */
function validateFlowSchemaSpec(name: string, spec: Obj, ctx: ApiContext): FieldError[] {
  const path = FieldPath.of("spec");
  const errs: FieldError[] = [];
  const precedence = integerAt(spec.matchingPrecedence) ?? 0;
  const pp = path.child("matchingPrecedence");
  if (precedence <= 0) errs.push(invalid(pp, precedence, "must be a positive value"));
  if (precedence > MAX_MATCHING_PRECEDENCE) errs.push(invalid(pp, precedence, `must not be greater than ${MAX_MATCHING_PRECEDENCE}`));
  if (precedence === 1 && name !== "exempt") errs.push(invalid(pp, precedence, "only the schema named 'exempt' may have matchingPrecedence 1"));
  const method = optionalObject(spec.distinguisherMethod);
  if (method && !DISTINGUISHER_METHODS.includes(stringAt(method.type))) {
    const value = { Type: stringAt(method.type) };
    const e = notSupported(path.child("distinguisherMethod").child("type"), value, DISTINGUISHER_METHODS);
    e.display = badValue(ctx.minor, () => `flowcontrol.FlowDistinguisherMethod{Type:${JSON.stringify(value.Type)}}`, value);
    errs.push(e);
  }
  const pl = stringAt(objectAt(spec.priorityLevelConfiguration).name);
  const plPath = path.child("priorityLevelConfiguration").child("name");
  if (pl) for (const m of isDNS1123Subdomain(pl)) errs.push(invalid(plPath, pl, m));
  else errs.push(required(plPath, "must reference a priority level"));
  listAt(spec.rules).forEach((r, i) => errs.push(...validateRule(objectAt(r), path.child("rules").index(i), ctx)));
  return errs;
}

/** `ValidateFlowSchemaStatus` / `ValidatePriorityLevelConfigurationStatus`: condition types present and unique. */
function validateConditions(obj: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  const path = FieldPath.of("status", "conditions");
  listAt(objectAt(obj.status).conditions).forEach((c, i) => {
    const type = stringAt(objectAt(c).type);
    if (seen.has(type)) errs.push(duplicate(path.index(i).child("type"), type));
    seen.add(type);
    if (!type) errs.push(required(path.index(i).child("type"), "must not be empty"));
  });
  return errs;
}

// The mandatory objects (k8s.io/apiserver's bootstrap `MandatoryFlowSchema*` and
// `MandatoryPriorityLevelConfiguration*`), in the internal types' shape (Go field names and order),
// after defaulting. Their spec may not differ from these.

const everything = {
  ResourceRules: [{ Verbs: ["*"], APIGroups: ["*"], Resources: ["*"], ClusterScope: true, Namespaces: ["*"] }],
  NonResourceRules: [{ Verbs: ["*"], NonResourceURLs: ["*"] }],
};
const groupSubject = (name: string) => ({ Kind: "Group", User: null, Group: { Name: name }, ServiceAccount: null });

const MANDATORY_FLOW_SCHEMAS: Record<string, Obj> = {
  exempt: {
    PriorityLevelConfiguration: { Name: "exempt" },
    MatchingPrecedence: 1,
    DistinguisherMethod: null,
    Rules: [{ Subjects: [groupSubject("system:masters")], ...everything }],
  },
  "catch-all": {
    PriorityLevelConfiguration: { Name: "catch-all" },
    MatchingPrecedence: 10000,
    DistinguisherMethod: { Type: "ByUser" },
    Rules: [{ Subjects: [groupSubject("system:unauthenticated"), groupSubject("system:authenticated")], ...everything }],
  },
};

const MANDATORY_PRIORITY_LEVELS: Record<string, Obj> = {
  exempt: { Type: "Exempt", Limited: null, Exempt: { NominalConcurrencyShares: 0, LendablePercent: 0 } },
  "catch-all": {
    Type: "Limited",
    Limited: { NominalConcurrencyShares: 5, LimitResponse: { Type: "Reject", Queuing: null }, LendablePercent: 0, BorrowingLimitPercent: null },
    Exempt: null,
  },
};

const ptr = <T>(v: unknown, f: (o: Obj) => T): T | null => (isRecord(v) ? f(v) : null);
const list = <T>(v: unknown, f: (o: Obj) => T): T[] | null => (Array.isArray(v) && v.length ? v.map((x) => f(objectAt(x))) : null);
const strs = (v: unknown): string[] | null => (Array.isArray(v) && v.length ? stringsAt(v) : null);
const int = (v: unknown): number => integerAt(v) ?? 0;
const intPtr = (v: unknown): number | null => integerAt(v) ?? null;

/** A FlowSchemaSpec as the internal type holds it (zero values for absent fields). */
function internalFlowSchemaSpec(spec: Obj): Obj {
  return {
    PriorityLevelConfiguration: { Name: stringAt(objectAt(spec.priorityLevelConfiguration).name) },
    MatchingPrecedence: int(spec.matchingPrecedence),
    DistinguisherMethod: ptr(spec.distinguisherMethod, (m) => ({ Type: stringAt(m.type) })),
    Rules: list(spec.rules, (r) => ({
      Subjects: list(r.subjects, (s) => ({
        Kind: stringAt(s.kind),
        User: ptr(s.user, (u) => ({ Name: stringAt(u.name) })),
        Group: ptr(s.group, (g) => ({ Name: stringAt(g.name) })),
        ServiceAccount: ptr(s.serviceAccount, (a) => ({ Namespace: stringAt(a.namespace), Name: stringAt(a.name) })),
      })),
      ResourceRules: list(r.resourceRules, (x) => ({
        Verbs: strs(x.verbs),
        APIGroups: strs(x.apiGroups),
        Resources: strs(x.resources),
        ClusterScope: x.clusterScope === true,
        Namespaces: strs(x.namespaces),
      })),
      NonResourceRules: list(r.nonResourceRules, (x) => ({ Verbs: strs(x.verbs), NonResourceURLs: strs(x.nonResourceURLs) })),
    })),
  };
}

/** A PriorityLevelConfigurationSpec as the internal type holds it. */
function internalPriorityLevelSpec(spec: Obj, version: string): Obj {
  const shares = assuredVersion(version) ? "assuredConcurrencyShares" : "nominalConcurrencyShares";
  return {
    Type: stringAt(spec.type),
    Limited: ptr(spec.limited, (l) => ({
      NominalConcurrencyShares: int(l[shares]),
      LimitResponse: {
        Type: stringAt(objectAt(l.limitResponse).type),
        Queuing: ptr(objectAt(l.limitResponse).queuing, (q) => ({ Queues: int(q.queues), HandSize: int(q.handSize), QueueLengthLimit: int(q.queueLengthLimit) })),
      },
      LendablePercent: intPtr(l.lendablePercent),
      BorrowingLimitPercent: intPtr(l.borrowingLimitPercent),
    })),
    Exempt: ptr(spec.exempt, (e) => ({ NominalConcurrencyShares: intPtr(e.nominalConcurrencyShares), LendablePercent: intPtr(e.lendablePercent) })),
  };
}

/** `apiequality.Semantic.DeepEqual` over the internal shapes above (nil and empty lists are equal). */
function internalEqual(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b) || a === null || b === null) {
    const la = Array.isArray(a) ? a : a === null ? [] : undefined;
    const lb = Array.isArray(b) ? b : b === null ? [] : undefined;
    if (la && lb && (Array.isArray(a) || Array.isArray(b))) return la.length === lb.length && la.every((x, i) => internalEqual(x, lb[i]));
    return a === b;
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) => internalEqual(a[k], b[k]));
  }
  return a === b;
}

/** A spec as the bad value of the mandatory-object check prints it: JSON with Go's field names from 1.34, Go syntax (elided) before. */
function specValue(internal: Obj, type: string, ctx: ApiContext): string {
  return badValue(ctx.minor, () => `flowcontrol.${type}{…}`, internal);
}

/** `ValidateFlowSchema` without the object metadata. */
function validateFlowSchema(obj: Obj, ctx: ApiContext): FieldError[] {
  const name = stringAt(objectAt(obj.metadata).name);
  const spec = objectAt(obj.spec);
  const errs = validateFlowSchemaSpec(name, spec, ctx);
  const mandatory = Object.hasOwn(MANDATORY_FLOW_SCHEMAS, name) ? MANDATORY_FLOW_SCHEMAS[name] : undefined;
  if (mandatory) {
    const internal = internalFlowSchemaSpec(spec);
    if (!internalEqual(internal, mandatory)) errs.push(invalid(FieldPath.of("spec"), internal, `spec of '${name}' must equal the fixed value`, specValue(internal, "FlowSchemaSpec", ctx)));
  }
  errs.push(...validateConditions(obj));
  return errs;
}

/** `ValidateLimitedPriorityLevelConfiguration`. */
function validateLimited(limited: Obj, path: FieldPath, ctx: ApiContext, allowZero: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const field = assuredVersion(ctx.version) ? "assuredConcurrencyShares" : "nominalConcurrencyShares";
  const shares = int(limited[field]);
  if (allowZero ? shares < 0 : shares <= 0) errs.push(invalid(path.child(field), shares, allowZero ? "must be a non-negative integer" : "must be positive"));
  const lr = objectAt(limited.limitResponse);
  const lrPath = path.child("limitResponse");
  const type = stringAt(lr.type);
  const queuing = optionalObject(lr.queuing);
  if (type === "Reject") {
    if (queuing) errs.push(forbidden(lrPath.child("queuing"), "must be nil if limited.limitResponse.type is not Limited"));
  } else if (type === "Queue") {
    if (!queuing) errs.push(required(lrPath.child("queuing"), "must not be empty if limited.limitResponse.type is Limited"));
    else errs.push(...validateQueuing(queuing, lrPath.child("queuing")));
  } else errs.push(notSupported(lrPath.child("type"), type, LIMIT_RESPONSE_TYPES));
  const lendable = integerAt(limited.lendablePercent);
  if (lendable !== undefined && (lendable < 0 || lendable > 100)) errs.push(invalid(path.child("lendablePercent"), lendable, "must be between 0 and 100, inclusive"));
  const borrowing = integerAt(limited.borrowingLimitPercent);
  if (borrowing !== undefined && borrowing < 0) errs.push(invalid(path.child("borrowingLimitPercent"), borrowing, "if specified, must be a non-negative integer"));
  return errs;
}

/** `ValidatePriorityLevelQueuingConfiguration`, with shufflesharding's `RequiredEntropyBits`. */
function validateQueuing(q: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const limit = int(q.queueLengthLimit);
  if (limit <= 0) errs.push(invalid(path.child("queueLengthLimit"), limit, "must be positive"));
  const queues = int(q.queues);
  if (queues <= 0) errs.push(invalid(path.child("queues"), queues, "must be positive"));
  else if (queues > MAX_QUEUES) errs.push(invalid(path.child("queues"), queues, `must not be greater than ${MAX_QUEUES}`));
  const hand = int(q.handSize);
  if (hand <= 0) errs.push(invalid(path.child("handSize"), hand, "must be positive"));
  else if (hand > queues) errs.push(invalid(path.child("handSize"), hand, `should not be greater than queues (${queues})`));
  else if (Math.ceil(Math.log2(queues) * hand) > MAX_HASH_BITS) {
    errs.push(invalid(path.child("handSize"), hand, `required entropy bits of deckSize ${queues} and handSize ${hand} should not be greater than ${MAX_HASH_BITS}`));
  }
  return errs;
}

/** `ValidateExemptPriorityLevelConfiguration`. */
function validateExempt(exempt: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const shares = integerAt(exempt.nominalConcurrencyShares);
  if (shares !== undefined && shares < 0) errs.push(invalid(path.child("nominalConcurrencyShares"), shares, "must be a non-negative integer"));
  const lendable = integerAt(exempt.lendablePercent);
  if (lendable !== undefined && (lendable < 0 || lendable > 100)) errs.push(invalid(path.child("lendablePercent"), lendable, "must be between 0 and 100, inclusive"));
  return errs;
}

/** Whether a stored priority level has zero limited shares (1.29 lets such an object keep them). */
function hasZeroShares(old: Obj | undefined, version: string): boolean {
  const limited = optionalObject(objectAt(old?.spec).limited);
  return limited !== undefined && int(limited[assuredVersion(version) ? "assuredConcurrencyShares" : "nominalConcurrencyShares"]) === 0;
}

/**
 * `ValidatePriorityLevelConfiguration` without the object metadata. Zero limited shares are
 * accepted from 1.30; 1.29 accepts them only on an update of an object that has them.
 */
function validatePriorityLevel(obj: Obj, ctx: ApiContext, old?: Obj): FieldError[] {
  const name = stringAt(objectAt(obj.metadata).name);
  const errs: FieldError[] = [];
  const annotations = objectAt(objectAt(obj.metadata).annotations);
  if (Object.hasOwn(annotations, PRESERVE_ZERO_SHARES)) errs.push(forbidden(FieldPath.of("metadata", "annotations"), `annotation '${PRESERVE_ZERO_SHARES}' is forbidden`));
  const spec = objectAt(obj.spec);
  const path = FieldPath.of("spec");
  const type = stringAt(spec.type);
  if ((name === "exempt") !== (type === "Exempt")) errs.push(invalid(path.child("type"), type, "type must be 'Exempt' if and only if name is 'exempt'"));
  const limited = optionalObject(spec.limited);
  const exempt = optionalObject(spec.exempt);
  const allowZero = ctx.minor >= 30 || (ctx.minor === 29 && hasZeroShares(old, ctx.version));
  if (type === "Exempt") {
    if (limited) errs.push(forbidden(path.child("limited"), "must be nil if the type is not Limited"));
    if (exempt) errs.push(...validateExempt(exempt, path.child("exempt")));
  } else if (type === "Limited") {
    if (exempt) errs.push(forbidden(path.child("exempt"), "must be nil if the type is Limited"));
    if (!limited) errs.push(required(path.child("limited"), "must not be empty when type is Limited"));
    else errs.push(...validateLimited(limited, path.child("limited"), ctx, allowZero));
  } else errs.push(notSupported(path.child("type"), type, PRIORITY_LEVEL_TYPES));
  const mandatory = Object.hasOwn(MANDATORY_PRIORITY_LEVELS, name) ? MANDATORY_PRIORITY_LEVELS[name] : undefined;
  if (mandatory) {
    const internal = internalPriorityLevelSpec(spec, ctx.version);
    // The `exempt` object's `spec.exempt` may be changed by its administrators.
    const have = name === "exempt" ? { ...internal, Exempt: mandatory.Exempt } : internal;
    if (!internalEqual(have, mandatory)) {
      const detail = name === "exempt" ? `spec of '${name}' except the 'spec.exempt' field must equal the fixed value` : `spec of '${name}' must equal the fixed value`;
      errs.push(invalid(path, internal, detail, specValue(internal, "PriorityLevelConfigurationSpec", ctx)));
    }
  }
  errs.push(...validateConditions(obj));
  return errs;
}

/** The strategies' `PrepareForCreate`: status cleared, generation 1. */
function prepareCreate(obj: Obj): void {
  obj.status = {};
  if (isRecord(obj.metadata)) obj.metadata.generation = 1;
}

/** The strategies' `PrepareForUpdate`: status kept from the stored object, generation bumped when the spec changed. */
function prepareUpdate(obj: Obj, old: Obj): void {
  if (old.status === undefined) delete obj.status;
  else obj.status = structuredClone(old.status);
  if (!isRecord(obj.metadata)) return;
  const oldGen = integerAt(objectAt(old.metadata).generation) ?? 0;
  obj.metadata.generation = semanticEqual(obj.spec, old.spec, true) ? oldGen : oldGen + 1;
}

const flowSchema: KindRules = {
  defaults: defaultFlowSchema,
  prepareForCreate: prepareCreate,
  prepareForUpdate: prepareUpdate,
  validate: validateFlowSchema,
  validateStatusUpdate: (obj) => validateConditions(obj),
};

const priorityLevelConfiguration: KindRules = {
  defaults: defaultPriorityLevel,
  prepareForCreate: (obj, ctx) => {
    prepareCreate(obj);
    dropRoundTripAnnotation(obj, ctx);
  },
  prepareForUpdate: (obj, old, ctx) => {
    prepareUpdate(obj, old);
    dropRoundTripAnnotation(obj, ctx);
  },
  validate: (obj, ctx) => (ctx.operation === "UPDATE" ? [] : validatePriorityLevel(obj, ctx)),
  validateUpdate: (obj, old, ctx) => validatePriorityLevel(obj, ctx, old),
  validateStatusUpdate: (obj) => validateConditions(obj),
};

/** What kube-apiserver does to the kinds of `flowcontrol.apiserver.k8s.io`. */
export const rules: GroupRules = {
  group: "flowcontrol.apiserver.k8s.io",
  kinds: { FlowSchema: flowSchema, PriorityLevelConfiguration: priorityLevelConfiguration },
};
