/**
 * The rbac.authorization.k8s.io API group (pkg/apis/rbac/validation, pkg/apis/rbac/v1/defaults.go):
 * roles' policy rules and aggregation selectors, bindings' roleRef (immutable) and subjects.
 */
import type { GroupRules } from "../registry.js";
import type { FieldError } from "../field.js";
import { FieldPath, invalid, notSupported, required } from "../field.js";
import { isDNS1123Subdomain, isValidPathSegmentName, goStringSlice, listAt, objectAt, optionalObject, stringAt, stringsAt } from "../validation/index.js";
import { validateLabelSelector, validateSelectorConvertible } from "../validation/index.js";
import { goQuote } from "../field.js";

type Obj = Record<string, unknown>;

const GROUP = "rbac.authorization.k8s.io";

/** `SetDefaults_RoleBinding` / `SetDefaults_ClusterRoleBinding` and `SetDefaults_Subject`. */
function defaultBinding(obj: Obj): void {
  const ref = optionalObject(obj.roleRef);
  if (ref && !stringAt(ref.apiGroup)) ref.apiGroup = GROUP;
  for (const s of listAt(obj.subjects)) {
    const subject = optionalObject(s);
    if (!subject || stringAt(subject.apiGroup)) continue;
    if (subject.kind === "ServiceAccount") subject.apiGroup = "";
    else if (subject.kind === "User" || subject.kind === "Group") subject.apiGroup = GROUP;
  }
}

/** `ValidatePolicyRule`. */
function validatePolicyRule(rule: Obj, isNamespaced: boolean, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (listAt(rule.verbs).length === 0) errs.push(required(path.child("verbs"), "verbs must contain at least one value"));
  const urls = stringsAt(rule.nonResourceURLs);
  const apiGroups = listAt(rule.apiGroups);
  const resources = listAt(rule.resources);
  const resourceNames = listAt(rule.resourceNames);
  if (urls.length > 0) {
    if (isNamespaced) errs.push(invalid(path.child("nonResourceURLs"), urls, "namespaced rules cannot apply to non-resource URLs", goStringSlice(urls)));
    if (apiGroups.length > 0 || resources.length > 0 || resourceNames.length > 0) {
      errs.push(invalid(path.child("nonResourceURLs"), urls, "rules cannot apply to both regular resources and non-resource URLs", goStringSlice(urls)));
    }
    return errs;
  }
  if (apiGroups.length === 0) errs.push(required(path.child("apiGroups"), "resource rules must supply at least one api group"));
  if (resources.length === 0) errs.push(required(path.child("resources"), "resource rules must supply at least one resource"));
  if (resourceNames.length > 0 && resources.length > 1) errs.push(required(path.child("resourceNames"), "resource names cannot apply to multiple resources"));
  return errs;
}

function validateRules(obj: Obj, isNamespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const rules = FieldPath.of("rules");
  listAt(obj.rules).forEach((r, i) => errs.push(...validatePolicyRule(objectAt(r), isNamespaced, rules.index(i))));
  return errs;
}

/** `ValidateClusterRole`: rules, and the aggregation rule's selectors. */
function validateClusterRole(obj: Obj, allowInvalidLabelValueInSelector: boolean): FieldError[] {
  const errs = validateRules(obj, false);
  const aggregation = optionalObject(obj.aggregationRule);
  if (aggregation) {
    const selectorsPath = FieldPath.of("aggregationRule", "clusterRoleSelectors");
    const selectors = listAt(aggregation.clusterRoleSelectors);
    if (selectors.length === 0) errs.push(required(selectorsPath, "at least one clusterRoleSelector required if aggregationRule is non-nil"));
    selectors.forEach((s, i) => {
      const p = selectorsPath.index(i);
      errs.push(...validateLabelSelector(s, { allowInvalidLabelValueInSelector }, p));
      errs.push(...validateSelectorConvertible(s, p, "invalid label selector."));
    });
  }
  return errs;
}

/** The strategy's `hasInvalidLabelValueInLabelSelector`: the stored role's selectors fail validation. */
function hasInvalidLabelValueInLabelSelector(obj: Obj): boolean {
  return listAt(objectAt(obj.aggregationRule).clusterRoleSelectors).some((s) => validateLabelSelector(s, {}, FieldPath.root()).length > 0);
}

/** `validateRoleBindingSubject`. */
function validateRoleBindingSubject(subject: Obj, isNamespaced: boolean, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const name = stringAt(subject.name);
  const apiGroup = stringAt(subject.apiGroup);
  if (!name) errs.push(required(path.child("name"), ""));
  switch (subject.kind) {
    case "ServiceAccount":
      if (name) for (const m of isDNS1123Subdomain(name)) errs.push(invalid(path.child("name"), name, m));
      if (apiGroup) errs.push(notSupported(path.child("apiGroup"), apiGroup, [""]));
      if (!isNamespaced && !stringAt(subject.namespace)) errs.push(required(path.child("namespace"), ""));
      break;
    case "User":
      if (!name) errs.push(invalid(path.child("name"), name, "user name cannot be empty"));
      if (apiGroup !== GROUP) errs.push(notSupported(path.child("apiGroup"), apiGroup, [GROUP]));
      break;
    case "Group":
      if (!name) errs.push(invalid(path.child("name"), name, "group name cannot be empty"));
      if (apiGroup !== GROUP) errs.push(notSupported(path.child("apiGroup"), apiGroup, [GROUP]));
      break;
    default:
      errs.push(notSupported(path.child("kind"), stringAt(subject.kind), ["ServiceAccount", "User", "Group"]));
  }
  return errs;
}

/** `ValidateRoleBinding` / `ValidateClusterRoleBinding`. */
function validateBinding(obj: Obj, isNamespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const ref = objectAt(obj.roleRef);
  const apiGroup = stringAt(ref.apiGroup);
  if (apiGroup !== GROUP) errs.push(notSupported(FieldPath.of("roleRef", "apiGroup"), apiGroup, [GROUP]));
  const kinds = isNamespaced ? ["Role", "ClusterRole"] : ["ClusterRole"];
  const kind = stringAt(ref.kind);
  if (!kinds.includes(kind)) errs.push(notSupported(FieldPath.of("roleRef", "kind"), kind, kinds));
  const name = stringAt(ref.name);
  if (!name) errs.push(required(FieldPath.of("roleRef", "name"), ""));
  else for (const m of isValidPathSegmentName(name)) errs.push(invalid(FieldPath.of("roleRef", "name"), name, m));
  const subjects = FieldPath.of("subjects");
  listAt(obj.subjects).forEach((s, i) => errs.push(...validateRoleBindingSubject(objectAt(s), isNamespaced, subjects.index(i))));
  return errs;
}

function roleRefText(ref: Obj): string {
  return `rbac.RoleRef{APIGroup:${goQuote(stringAt(ref.apiGroup))}, Kind:${goQuote(stringAt(ref.kind))}, Name:${goQuote(stringAt(ref.name))}}`;
}

/** The roleRef of a binding may not change (`Validate…BindingUpdate`). */
function validateRoleRefUnchanged(obj: Obj, old: Obj): FieldError[] {
  const ref = objectAt(obj.roleRef);
  // The stored object was defaulted when it was written.
  const oldRef: Obj = { apiGroup: GROUP, ...objectAt(old.roleRef) };
  if (!stringAt(oldRef.apiGroup)) oldRef.apiGroup = GROUP;
  const same = ["apiGroup", "kind", "name"].every((k) => stringAt(ref[k]) === stringAt(oldRef[k]));
  return same ? [] : [invalid(FieldPath.of("roleRef"), ref, "cannot change roleRef", roleRefText(ref))];
}

/** What kube-apiserver does to the kinds of `rbac.authorization.k8s.io`. */
export const rules: GroupRules = {
  group: GROUP,
  kinds: {
    Role: { validate: (obj) => validateRules(obj, true) },
    ClusterRole: {
      // On updates the strategy accepts invalid selector values the stored role already had.
      validate: (obj, ctx) => (ctx.operation === "UPDATE" ? [] : validateClusterRole(obj, false)),
      validateUpdate: (obj, old) => validateClusterRole(obj, hasInvalidLabelValueInLabelSelector(old)),
    },
    RoleBinding: { defaults: defaultBinding, validate: (obj) => validateBinding(obj, true), validateUpdate: validateRoleRefUnchanged },
    ClusterRoleBinding: { defaults: defaultBinding, validate: (obj) => validateBinding(obj, false), validateUpdate: validateRoleRefUnchanged },
  },
};
