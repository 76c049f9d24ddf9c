/**
 * ValidatingWebhookConfiguration and MutatingWebhookConfiguration (admissionregistration/v1):
 * `SetDefaults_ValidatingWebhook`/`SetDefaults_MutatingWebhook`, `validateValidatingWebhook`,
 * `validateMutatingWebhook`, admission review versions and the update options derived from the
 * stored configuration.
 */
import { duplicate, FieldPath, invalid, notSupported, required, type FieldError } from "../field.js";
import {
  goStringSlice,
  isDNS1035Label,
  isFullyQualifiedName,
  listAt,
  objectAt,
  optionalObject,
  stringAt,
  stringsAt,
  validateLabelSelector,
  validateWebhookService,
  validateWebhookURL,
} from "../validation/index.js";
import { expressionChecker, type CheckExpression } from "./expressions.js";
import type { ApiContext } from "../context.js";
import { defaultRules, FAILURE_POLICIES, MATCH_POLICIES, validateMatchConditions, validateRuleWithOperations } from "./rules.js";

type Obj = Record<string, unknown>;

const ACCEPTED_REVIEW_VERSIONS = ["v1", "v1beta1"];
const SIDE_EFFECT_CLASSES = ["None", "NoneOnDryRun", "Some", "Unknown"];
const NO_SIDE_EFFECT_CLASSES = ["None", "NoneOnDryRun"];
const REINVOCATION_POLICIES = ["IfNeeded", "Never"];

/** What the validation of a configuration allows (the stored configuration loosens it on updates). */
interface WebhookOptions {
  requireNoSideEffects: boolean;
  requireRecognizedAdmissionReviewVersion: boolean;
  requireUniqueWebhookNames: boolean;
  allowInvalidLabelValueInSelector: boolean;
}

const CREATE: WebhookOptions = { requireNoSideEffects: true, requireRecognizedAdmissionReviewVersion: true, requireUniqueWebhookNames: true, allowInvalidLabelValueInSelector: false };

/** `SetDefaults_ValidatingWebhook` / `SetDefaults_MutatingWebhook`, with each rule's scope and the service port. */
export function defaultWebhooks(obj: Obj, mutating: boolean): void {
  for (const w of listAt(obj.webhooks)) {
    const hook = optionalObject(w);
    if (!hook) continue;
    if (hook.failurePolicy === undefined || hook.failurePolicy === null) hook.failurePolicy = "Fail";
    if (hook.matchPolicy === undefined || hook.matchPolicy === null) hook.matchPolicy = "Equivalent";
    if (hook.namespaceSelector === undefined || hook.namespaceSelector === null) hook.namespaceSelector = {};
    if (hook.objectSelector === undefined || hook.objectSelector === null) hook.objectSelector = {};
    if (hook.timeoutSeconds === undefined || hook.timeoutSeconds === null) hook.timeoutSeconds = 10;
    if (mutating && (hook.reinvocationPolicy === undefined || hook.reinvocationPolicy === null)) hook.reinvocationPolicy = "Never";
    defaultRules(hook.rules);
    const service = optionalObject(objectAt(hook.clientConfig).service);
    if (service && (service.port === undefined || service.port === null)) service.port = 443;
  }
}

/** `validateAdmissionReviewVersions`. */
function validateAdmissionReviewVersions(versions: string[], requireRecognized: boolean, path: FieldPath): FieldError[] {
  if (versions.length < 1) return [required(path, `must specify one of ${ACCEPTED_REVIEW_VERSIONS.join(", ")}`)];
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  let accepted = false;
  versions.forEach((v, i) => {
    if (seen.has(v)) {
      errs.push(invalid(path.index(i), v, "duplicate version"));
      return;
    }
    seen.add(v);
    for (const m of isDNS1035Label(v)) errs.push(invalid(path.index(i), v, m));
    if (ACCEPTED_REVIEW_VERSIONS.includes(v)) accepted = true;
  });
  if (requireRecognized && !accepted) errs.push(invalid(path, versions, `must include at least one of ${ACCEPTED_REVIEW_VERSIONS.join(", ")}`, goStringSlice(versions)));
  return errs;
}

/** `validateValidatingWebhook` / `validateMutatingWebhook`. */
function validateWebhook(hook: Obj, mutating: boolean, opts: WebhookOptions, path: FieldPath, check?: CheckExpression): FieldError[] {
  const errs = isFullyQualifiedName(path.child("name"), stringAt(hook.name));
  listAt(hook.rules).forEach((r, i) => errs.push(...validateRuleWithOperations(objectAt(r), path.child("rules").index(i))));
  if (typeof hook.failurePolicy === "string" && !FAILURE_POLICIES.includes(hook.failurePolicy)) errs.push(notSupported(path.child("failurePolicy"), hook.failurePolicy, FAILURE_POLICIES));
  if (typeof hook.matchPolicy === "string" && !MATCH_POLICIES.includes(hook.matchPolicy)) errs.push(notSupported(path.child("matchPolicy"), hook.matchPolicy, MATCH_POLICIES));
  const allowed = opts.requireNoSideEffects ? NO_SIDE_EFFECT_CLASSES : SIDE_EFFECT_CLASSES;
  if (typeof hook.sideEffects !== "string") errs.push(required(path.child("sideEffects"), `must specify one of ${allowed.join(", ")}`));
  else if (!allowed.includes(hook.sideEffects)) errs.push(notSupported(path.child("sideEffects"), hook.sideEffects, allowed));
  const timeout = hook.timeoutSeconds;
  if (typeof timeout === "number" && (timeout > 30 || timeout < 1)) errs.push(invalid(path.child("timeoutSeconds"), timeout, "the timeout value must be between 1 and 30 seconds"));
  for (const sel of ["namespaceSelector", "objectSelector"]) {
    if (optionalObject(hook[sel])) errs.push(...validateLabelSelector(hook[sel], { allowInvalidLabelValueInSelector: opts.allowInvalidLabelValueInSelector }, path.child(sel)));
  }
  if (mutating && typeof hook.reinvocationPolicy === "string" && !REINVOCATION_POLICIES.includes(hook.reinvocationPolicy)) {
    errs.push(notSupported(path.child("reinvocationPolicy"), hook.reinvocationPolicy, REINVOCATION_POLICIES));
  }
  const cc = objectAt(hook.clientConfig);
  const hasURL = typeof cc.url === "string";
  const service = optionalObject(cc.service);
  const ccPath = path.child("clientConfig");
  if (hasURL === !!service) errs.push(required(ccPath, "exactly one of url or service is required"));
  else if (hasURL) errs.push(...validateWebhookURL(ccPath.child("url"), cc.url as string, true));
  else if (service) {
    errs.push(...validateWebhookService(ccPath.child("service"), stringAt(service.namespace), stringAt(service.name), typeof service.path === "string" ? service.path : undefined, typeof service.port === "number" ? service.port : 443));
  }
  errs.push(...validateMatchConditions(listAt(hook.matchConditions), path.child("matchConditions"), check));
  return errs;
}

/** `validateValidatingWebhookConfiguration` / `validateMutatingWebhookConfiguration`. */
function validateConfiguration(obj: Obj, mutating: boolean, opts: WebhookOptions, check?: CheckExpression): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  const webhooks = FieldPath.of("webhooks");
  listAt(obj.webhooks).forEach((w, i) => {
    const hook = objectAt(w);
    const p = webhooks.index(i);
    errs.push(...validateWebhook(hook, mutating, opts, p, check));
    errs.push(...validateAdmissionReviewVersions(stringsAt(hook.admissionReviewVersions), opts.requireRecognizedAdmissionReviewVersion, p.child("admissionReviewVersions")));
    const name = stringAt(hook.name);
    if (opts.requireUniqueWebhookNames && name) {
      if (names.has(name)) errs.push(duplicate(p.child("name"), name));
      else names.add(name);
    }
  });
  return errs;
}

/** The update options: what the stored configuration already had is accepted again. */
function updateOptions(old: Obj): WebhookOptions {
  const hooks = listAt(old.webhooks).map(objectAt);
  const names = hooks.map((h) => stringAt(h.name)).filter(Boolean);
  return {
    requireNoSideEffects: hooks.every((h) => typeof h.sideEffects === "string" && NO_SIDE_EFFECT_CLASSES.includes(h.sideEffects)),
    requireRecognizedAdmissionReviewVersion: hooks.every((h) => stringsAt(h.admissionReviewVersions).some((v) => ACCEPTED_REVIEW_VERSIONS.includes(v))),
    requireUniqueWebhookNames: new Set(names).size === names.length,
    allowInvalidLabelValueInSelector: hooks.some((h) =>
      ["namespaceSelector", "objectSelector"].some((sel) => validateLabelSelector(h[sel], {}, FieldPath.root()).length > 0),
    ),
  };
}

/**
 * Validation of a webhook configuration on create, or against the stored one on update; with a
 * context, the match conditions' expressions are compiled too.
 */
export function validateWebhookConfiguration(obj: Obj, mutating: boolean, old?: Obj, ctx?: ApiContext): FieldError[] {
  const check = ctx ? expressionChecker({ kind: "webhook" }, ctx, old) : undefined;
  return validateConfiguration(obj, mutating, old ? updateOptions(old) : CREATE, check);
}
