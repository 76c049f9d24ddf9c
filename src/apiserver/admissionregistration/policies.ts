/**
 * ValidatingAdmissionPolicy, MutatingAdmissionPolicy and their bindings (v1, v1beta1, v1alpha1):
 * defaults (`SetDefaults_ValidatingAdmissionPolicySpec`, `SetDefaults_MatchResources`,
 * `SetDefaults_ParamRef`) and the objects' own validation, with every CEL expression compiled
 * (`expressions.ts`). Type checking against the matched kinds' schemas gives warnings only, and is
 * the admission engine's (`admission/typecheck.ts`).
 */
import { duplicate, FieldPath, invalid, notSupported, required, type FieldError } from "../field.js";
import {
  isDNS1035Label,
  isDNS1123Subdomain,
  isQualifiedName,
  listAt,
  objectAt,
  optionalObject,
  stringAt,
  stringsAt,
} from "../validation/index.js";
import { goQuote } from "../field.js";
import { expressionChecker, type CheckExpression } from "./expressions.js";
import type { ApiContext } from "../context.js";
import { defaultMatchResources, FAILURE_POLICIES, validateMatchConditions, validateMatchResources, validateParamKind, validateParamRef } from "./rules.js";

type Obj = Record<string, unknown>;

const VALIDATION_REASONS = ["Forbidden", "Invalid", "RequestEntityTooLarge", "Unauthorized"];
const VALIDATION_ACTIONS = ["Audit", "Deny", "Warn"];
const PATCH_TYPES = ["ApplyConfiguration", "JSONPatch"];
const REINVOCATION_POLICIES = ["IfNeeded", "Never"];
const CEL_RESERVED = new Set([
  "true", "false", "null", "in", "as", "break", "const", "continue", "else", "for", "function", "if", "import", "let", "loop",
  "package", "namespace", "return", "var", "void", "while",
]);

function hasNewlines(s: string): boolean {
  return /[\n\r]/.test(s);
}

/** `SetDefaults_ValidatingAdmissionPolicySpec` / mutating: failurePolicy Fail, match resources. */
export function defaultPolicy(obj: Obj, mutating: boolean): void {
  const spec = optionalObject(obj.spec);
  if (!spec) return;
  if (spec.failurePolicy === undefined || spec.failurePolicy === null) spec.failurePolicy = "Fail";
  defaultMatchResources(optionalObject(spec.matchConstraints));
  if (mutating && (spec.reinvocationPolicy === undefined || spec.reinvocationPolicy === null)) spec.reinvocationPolicy = "Never";
}

/** `SetDefaults_…BindingSpec`: match resources and `SetDefaults_ParamRef` (parameterNotFoundAction Deny). */
export function defaultBinding(obj: Obj): void {
  const spec = optionalObject(obj.spec);
  if (!spec) return;
  defaultMatchResources(optionalObject(spec.matchResources));
  const ref = optionalObject(spec.paramRef);
  if (ref && (ref.parameterNotFoundAction === undefined || ref.parameterNotFoundAction === null)) ref.parameterNotFoundAction = "Deny";
}

/** `isCELIdentifier`. */
function isCELIdentifier(name: string): boolean {
  return /^[_a-zA-Z][_a-zA-Z0-9]*$/.test(name) && !CEL_RESERVED.has(name);
}

/** `validateVariable`. */
function validateVariable(v: Obj, path: FieldPath, check: CheckExpression): FieldError[] {
  const errs: FieldError[] = [];
  const name = stringAt(v.name);
  if (!name.trim()) errs.push(required(path.child("name"), "name is not specified"));
  else if (!isCELIdentifier(name)) errs.push(invalid(path.child("name"), name, "name is not a valid CEL identifier"));
  const expression = stringAt(v.expression);
  if (!expression.trim()) errs.push(required(path.child("expression"), "expression is not specified"));
  else errs.push(...check(expression, path.child("expression"), "any"));
  return errs;
}

/** `validateValidation`. */
function validateValidation(v: Obj, path: FieldPath, check: CheckExpression): FieldError[] {
  const errs: FieldError[] = [];
  const expression = stringAt(v.expression);
  if (!expression.trim()) errs.push(required(path.child("expression"), "expression is not specified"));
  else errs.push(...check(expression, path.child("expression"), ["bool"]));
  const messageExpression = stringAt(v.messageExpression);
  if (messageExpression.length > 0 && !messageExpression.trim()) errs.push(invalid(path.child("messageExpression"), messageExpression, "must be non-empty if specified"));
  else if (messageExpression.trim()) errs.push(...check(messageExpression, path.child("messageExpression"), ["string"]));
  const message = stringAt(v.message);
  const trimmed = message.trim();
  if (message.length > 0 && !trimmed) errs.push(invalid(path.child("message"), message, "message must be non-empty if specified"));
  else if (hasNewlines(trimmed)) errs.push(invalid(path.child("message"), message, "message must not contain line breaks"));
  if (typeof v.reason === "string" && !VALIDATION_REASONS.includes(v.reason)) errs.push(notSupported(path.child("reason"), v.reason, VALIDATION_REASONS));
  return errs;
}

/** `validateAuditAnnotation`: the key, prefixed by the policy name, must be a qualified name. */
function validateAuditAnnotation(policyName: string, a: Obj, path: FieldPath, check: CheckExpression): FieldError[] {
  const errs: FieldError[] = [];
  const key = stringAt(a.key);
  if (policyName) {
    const full = `${policyName}/${key}`;
    for (const m of isQualifiedName(full)) errs.push(invalid(path.child("key"), full, m));
  } else errs.push(invalid(path.child("key"), key, "requires metadata.name be non-empty"));
  const valueExpression = stringAt(a.valueExpression);
  if (!valueExpression.trim()) errs.push(required(path.child("valueExpression"), "valueExpression is not specified"));
  else errs.push(...check(valueExpression, path.child("valueExpression"), ["string", "null_type"]));
  return errs;
}

/** The parts of `validate…AdmissionPolicySpec` both policy kinds share, up to the variables. */
function validateCommonSpec(spec: Obj, path: FieldPath, check: CheckExpression): FieldError[] {
  const errs: FieldError[] = [];
  const failurePolicy = spec.failurePolicy;
  if (typeof failurePolicy !== "string") errs.push(required(path.child("failurePolicy"), ""));
  else if (!FAILURE_POLICIES.includes(failurePolicy)) errs.push(notSupported(path.child("failurePolicy"), failurePolicy, FAILURE_POLICIES));
  const paramKind = optionalObject(spec.paramKind);
  if (paramKind) errs.push(...validateParamKind(paramKind, path.child("paramKind"), isDNS1123Subdomain, isDNS1035Label));
  const mc = optionalObject(spec.matchConstraints);
  if (!mc) errs.push(required(path.child("matchConstraints"), ""));
  else {
    errs.push(...validateMatchResources(mc, path.child("matchConstraints")));
    if (listAt(mc.resourceRules).length === 0) errs.push(required(path.child("matchConstraints").child("resourceRules"), ""));
  }
  errs.push(...validateMatchConditions(listAt(spec.matchConditions), path.child("matchConditions"), check));
  listAt(spec.variables).forEach((v, i) => errs.push(...validateVariable(objectAt(v), path.child("variables").index(i), check)));
  return errs;
}

/** `ValidateValidatingAdmissionPolicy` without the object metadata. */
export function validateValidatingAdmissionPolicy(obj: Obj, ctx: ApiContext, old?: Obj): FieldError[] {
  const spec = objectAt(obj.spec);
  const path = FieldPath.of("spec");
  const check = expressionChecker({ kind: "policy", spec }, ctx, old);
  const errs = validateCommonSpec(spec, path, check);
  const validations = listAt(spec.validations);
  const audit = listAt(spec.auditAnnotations);
  if (validations.length === 0 && audit.length === 0) {
    errs.push(required(path.child("validations"), "validations or auditAnnotations must contain at least one item"));
    errs.push(required(path.child("auditAnnotations"), "validations or auditAnnotations must contain at least one item"));
  } else {
    validations.forEach((v, i) => errs.push(...validateValidation(objectAt(v), path.child("validations").index(i), check)));
    const keys = new Set<string>();
    const name = stringAt(objectAt(obj.metadata).name);
    audit.forEach((a, i) => {
      const ann = objectAt(a);
      errs.push(...validateAuditAnnotation(name, ann, path.child("auditAnnotations").index(i), check));
      const key = stringAt(ann.key);
      if (keys.has(key)) errs.push(duplicate(path.child("auditAnnotations").index(i).child("key"), key));
      keys.add(key);
    });
  }
  return errs;
}

/** `validateMutation` (patch type and its expression). */
function validateMutation(m: Obj, path: FieldPath, check: CheckExpression): FieldError[] {
  const type = stringAt(m.patchType);
  if (!type) return [required(path.child("patchType"), "")];
  if (!PATCH_TYPES.includes(type)) return [notSupported(path.child("patchType"), type, PATCH_TYPES)];
  const field = type === "ApplyConfiguration" ? "applyConfiguration" : "jsonPatch";
  const expression = stringAt(objectAt(m[field]).expression);
  if (!expression.trim()) return [];
  return check(expression, path.child(field).child("expression"), "any", { mutation: true });
}

/** `ValidateMutatingAdmissionPolicy` without the object metadata (CEL and patch shapes not checked). */
export function validateMutatingAdmissionPolicy(obj: Obj, ctx: ApiContext, old?: Obj): FieldError[] {
  const spec = objectAt(obj.spec);
  const path = FieldPath.of("spec");
  const check = expressionChecker({ kind: "mutating-policy", spec }, ctx, old);
  const errs = validateCommonSpec(spec, path, check);
  const mutations = listAt(spec.mutations);
  if (mutations.length === 0) errs.push(required(path.child("mutations"), "mutations must contain at least one item"));
  mutations.forEach((m, i) => errs.push(...validateMutation(objectAt(m), path.child("mutations").index(i), check)));
  const reinvocation = spec.reinvocationPolicy;
  if (typeof reinvocation === "string" && !REINVOCATION_POLICIES.includes(reinvocation)) errs.push(notSupported(path.child("reinvocationPolicy"), reinvocation, REINVOCATION_POLICIES));
  return errs;
}

/** `validateValidationActions`. */
function validateValidationActions(actions: string[], path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  actions.forEach((a, i) => {
    if (!VALIDATION_ACTIONS.includes(a)) errs.push(notSupported(path.index(i), a, VALIDATION_ACTIONS));
    if (seen.has(a)) errs.push(duplicate(path.index(i), a));
    seen.add(a);
  });
  if (seen.has("Deny") && seen.has("Warn")) {
    errs.push(
      invalid(path, actions, "must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)", `[]admissionregistration.ValidationAction{${actions.map(goQuote).join(", ")}}`),
    );
  }
  if (seen.size === 0) errs.push(required(path, "at least one validation action is required"));
  return errs;
}

/** The binding spec checks both binding kinds share (`validate…AdmissionPolicyBindingSpec`). */
function validateBindingCommon(spec: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const policyName = stringAt(spec.policyName);
  if (!policyName) errs.push(required(path.child("policyName"), ""));
  else for (const m of isDNS1123Subdomain(policyName)) errs.push(invalid(path.child("policyName"), policyName, m));
  errs.push(...validateParamRef(optionalObject(spec.paramRef), path.child("paramRef")));
  // Kubernetes spells this path "matchResouces".
  errs.push(...validateMatchResources(optionalObject(spec.matchResources), path.child("matchResouces")));
  return errs;
}

/** `ValidateValidatingAdmissionPolicyBinding` without the object metadata. */
export function validateValidatingAdmissionPolicyBinding(obj: Obj): FieldError[] {
  const spec = objectAt(obj.spec);
  const path = FieldPath.of("spec");
  return [...validateBindingCommon(spec, path), ...validateValidationActions(stringsAt(spec.validationActions), path.child("validationActions"))];
}

/** `ValidateMutatingAdmissionPolicyBinding` without the object metadata. */
export function validateMutatingAdmissionPolicyBinding(obj: Obj): FieldError[] {
  return validateBindingCommon(objectAt(obj.spec), FieldPath.of("spec"));
}
