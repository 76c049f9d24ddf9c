/**
 * The pieces admission webhooks and policies share (pkg/apis/admissionregistration/validation):
 * rules with operations, resource matching, match resources, match conditions.
 */
import { duplicate, FieldPath, forbidden, invalid, notSupported, required, tooMany, type FieldError } from "../field.js";
import type { CheckExpression } from "./expressions.js";
import {
  goStringSlice,
  isQualifiedName,
  isValidPathSegmentName,
  listAt,
  objectAt,
  optionalObject,
  stringAt,
  stringsAt,
  validateLabelSelector,
} from "../validation/index.js";
import { goQuote } from "../field.js";

type Obj = Record<string, unknown>;

const SUPPORTED_OPERATIONS = ["*", "CONNECT", "CREATE", "DELETE", "UPDATE"];
const SUPPORTED_SCOPES = ["*", "Cluster", "Namespaced"];
/** `supportedFailurePolicies`, sorted. */
export const FAILURE_POLICIES = ["Fail", "Ignore"];
/** `supportedMatchPolicies`, sorted. */
export const MATCH_POLICIES = ["Equivalent", "Exact"];

function goTypedSlice(type: string, values: string[]): string {
  return `[]admissionregistration.${type}{${values.map(goQuote).join(", ")}}`;
}

/** `validateResources`: subresource wildcards may not overlap. */
function validateResources(resources: string[], path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (resources.length === 0) errs.push(required(path, ""));
  const resWithWildcardSub = new Set<string>();
  const subWithWildcardRes = new Set<string>();
  let doubleWildcard = false;
  let singleWildcard = false;
  let withoutSub = false;
  resources.forEach((resSub, i) => {
    if (resSub === "") {
      errs.push(required(path.index(i), ""));
      return;
    }
    if (resSub === "*/*") doubleWildcard = true;
    if (resSub === "*") singleWildcard = true;
    const slash = resSub.indexOf("/");
    if (slash < 0) {
      withoutSub = resSub !== "*";
      return;
    }
    const res = resSub.slice(0, slash);
    const sub = resSub.slice(slash + 1);
    if (resWithWildcardSub.has(res)) errs.push(invalid(path.index(i), resSub, `if '${res}/*' is present, must not specify ${resSub}`));
    if (subWithWildcardRes.has(sub)) errs.push(invalid(path.index(i), resSub, `if '*/${sub}' is present, must not specify ${resSub}`));
    if (sub === "*") resWithWildcardSub.add(res);
    if (res === "*") subWithWildcardRes.add(sub);
  });
  if (resources.length > 1 && doubleWildcard) errs.push(invalid(path, resources, "if '*/*' is present, must not specify other resources", goStringSlice(resources)));
  if (singleWildcard && withoutSub) errs.push(invalid(path, resources, "if '*' is present, must not specify other resources without subresources", goStringSlice(resources)));
  return errs;
}

/** `validateRule`. */
function validateRule(rule: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const groups = stringsAt(rule.apiGroups);
  const versions = stringsAt(rule.apiVersions);
  if (groups.length === 0) errs.push(required(path.child("apiGroups"), ""));
  if (groups.length > 1 && groups.includes("*")) errs.push(invalid(path.child("apiGroups"), groups, "if '*' is present, must not specify other API groups", goStringSlice(groups)));
  if (versions.length === 0) errs.push(required(path.child("apiVersions"), ""));
  if (versions.length > 1 && versions.includes("*")) errs.push(invalid(path.child("apiVersions"), versions, "if '*' is present, must not specify other API versions", goStringSlice(versions)));
  versions.forEach((v, i) => {
    if (v === "") errs.push(required(path.child("apiVersions").index(i), ""));
  });
  errs.push(...validateResources(stringsAt(rule.resources), path.child("resources")));
  if (typeof rule.scope === "string" && !SUPPORTED_SCOPES.includes(rule.scope)) errs.push(notSupported(path.child("scope"), rule.scope, SUPPORTED_SCOPES));
  return errs;
}

/** `validateRuleWithOperations`. */
export function validateRuleWithOperations(rule: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const ops = stringsAt(rule.operations);
  if (ops.length === 0) errs.push(required(path.child("operations"), ""));
  if (ops.length > 1 && ops.includes("*")) errs.push(invalid(path.child("operations"), ops, "if '*' is present, must not specify other operations", goTypedSlice("OperationType", ops)));
  ops.forEach((op, i) => {
    if (!SUPPORTED_OPERATIONS.includes(op)) errs.push(notSupported(path.child("operations").index(i), op, SUPPORTED_OPERATIONS));
  });
  errs.push(...validateRule(rule, path));
  return errs;
}

/** `validateNamedRuleWithOperations`. */
function validateNamedRuleWithOperations(rule: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  stringsAt(rule.resourceNames).forEach((name, i) => {
    const p = path.child("resourceNames").index(i);
    for (const m of isValidPathSegmentName(name)) errs.push(invalid(p, name, m));
    if (seen.has(name)) errs.push(duplicate(p, name));
    else seen.add(name);
  });
  errs.push(...validateRuleWithOperations(rule, path));
  return errs;
}

/** `validateMatchResources`. */
export function validateMatchResources(mc: Obj | undefined, path: FieldPath): FieldError[] {
  if (!mc) return [];
  const errs: FieldError[] = [];
  const policy = mc.matchPolicy;
  if (typeof policy !== "string") errs.push(required(path.child("matchPolicy"), ""));
  else if (!MATCH_POLICIES.includes(policy)) errs.push(notSupported(path.child("matchPolicy"), policy, MATCH_POLICIES));
  for (const sel of ["namespaceSelector", "objectSelector"]) {
    if (!optionalObject(mc[sel])) errs.push(required(path.child(sel), ""));
    else errs.push(...validateLabelSelector(mc[sel], {}, path.child(sel)));
  }
  listAt(mc.resourceRules).forEach((r, i) => errs.push(...validateNamedRuleWithOperations(objectAt(r), path.child("resourceRules").index(i))));
  listAt(mc.excludeResourceRules).forEach((r, i) => errs.push(...validateNamedRuleWithOperations(objectAt(r), path.child("excludeResourceRules").index(i))));
  return errs;
}

/** `validateMatchConditions`: at most 64, unique qualified names, an expression each. */
export function validateMatchConditions(conditions: readonly unknown[], path: FieldPath, check?: CheckExpression): FieldError[] {
  const errs: FieldError[] = [];
  if (conditions.length > 64) errs.push(tooMany(path, conditions.length, 64));
  const names = new Set<string>();
  conditions.forEach((c, i) => {
    const cond = objectAt(c);
    const p = path.index(i);
    const expression = stringAt(cond.expression).trim();
    if (!expression) errs.push(required(p.child("expression"), ""));
    else if (check) errs.push(...check(expression, p.child("expression"), ["bool"]));
    const name = stringAt(cond.name);
    if (!name) errs.push(required(p.child("name"), ""));
    else for (const m of isQualifiedName(name)) errs.push(invalid(p.child("name"), name, m));
    if (name) {
      if (names.has(name)) errs.push(duplicate(p.child("name"), name));
      else names.add(name);
    }
  });
  return errs;
}

/** `validateParamKind`. */
export function validateParamKind(kind: Obj, path: FieldPath, isDNS1123Subdomain: (v: string) => string[], isDNS1035Label: (v: string) => string[]): FieldError[] {
  const errs: FieldError[] = [];
  const apiVersion = stringAt(kind.apiVersion);
  const av = path.child("apiVersion");
  if (!apiVersion) errs.push(required(av, ""));
  else {
    const slashes = apiVersion.split("/").length - 1;
    if (slashes > 1) errs.push(invalid(av, apiVersion, `unexpected GroupVersion string: ${apiVersion}`));
    else {
      const [group, version] = apiVersion === "/" ? ["", ""] : slashes === 0 ? ["", apiVersion] : (apiVersion.split("/") as [string, string]);
      if (group && isDNS1123Subdomain(group).length) errs.push(invalid(av, group, isDNS1123Subdomain(group).join(",")));
      if (!version) errs.push(invalid(av, apiVersion, "version must be specified"));
      else if (isDNS1035Label(version).length) errs.push(invalid(av, version, isDNS1035Label(version).join(",")));
    }
  }
  const k = stringAt(kind.kind);
  if (!k) errs.push(required(path.child("kind"), ""));
  else if (isDNS1035Label(k.toLowerCase()).length) errs.push(invalid(path.child("kind"), k, `may have mixed case, but should otherwise match: ${isDNS1035Label(k.toLowerCase()).join(",")}`));
  return errs;
}

/** `validateParamRef`: name xor selector, and what to do when the parameter is missing. */
export function validateParamRef(ref: Obj | undefined, path: FieldPath): FieldError[] {
  if (!ref) return [];
  const errs: FieldError[] = [];
  const name = stringAt(ref.name);
  const selector = optionalObject(ref.selector);
  if (name) {
    for (const m of isValidPathSegmentName(name)) errs.push(invalid(path.child("name"), name, m));
    if (selector) errs.push(forbidden(path.child("name"), "name and selector are mutually exclusive"));
  }
  const namespace = stringAt(ref.namespace);
  if (namespace) for (const m of isValidPathSegmentName(namespace)) errs.push(invalid(path.child("namespace"), namespace, m));
  if (selector) {
    errs.push(...validateLabelSelector(selector, {}, path.child("selector")));
    if (name) errs.push(forbidden(path.child("selector"), "name and selector are mutually exclusive"));
  }
  if (!name && !selector) errs.push(required(path, "one of name or selector must be specified"));
  const action = stringAt(ref.parameterNotFoundAction);
  if (!action) errs.push(required(path.child("parameterNotFoundAction"), ""));
  else if (action !== "Deny" && action !== "Allow") errs.push(notSupported(path.child("parameterNotFoundAction"), action, ["Deny", "Allow"]));
  return errs;
}

/** `SetDefaults_Rule` on each rule of a list (scope `*`). */
export function defaultRules(rules: unknown): void {
  for (const r of listAt(rules)) {
    const rule = optionalObject(r);
    if (rule && (rule.scope === undefined || rule.scope === null)) rule.scope = "*";
  }
}

/** `SetDefaults_MatchResources`: Equivalent matching and empty selectors; each rule's scope. */
export function defaultMatchResources(mc: Obj | undefined): void {
  if (!mc) return;
  if (mc.matchPolicy === undefined || mc.matchPolicy === null) mc.matchPolicy = "Equivalent";
  if (mc.namespaceSelector === undefined || mc.namespaceSelector === null) mc.namespaceSelector = {};
  if (mc.objectSelector === undefined || mc.objectSelector === null) mc.objectSelector = {};
  defaultRules(mc.resourceRules);
  defaultRules(mc.excludeResourceRules);
}
