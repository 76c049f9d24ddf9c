/**
 * Admission policies as kube-apiserver runs them, offline: ValidatingAdmissionPolicy and
 * MutatingAdmissionPolicy with their bindings, params, match rules and CEL, and RBAC answers for
 * the `authorizer` variable.
 */
export {
  PolicyConversionError,
  PolicySet,
  checkPolicyExpressions,
  defaultResourceOf,
  isAdmissionPolicyObject,
  policyEnvironment,
  type AdmissionContext,
  type AdmissionOperation,
  type AdmissionRequest,
  type AdmissionResult,
  type PolicyDecision,
  type PolicyExpressionProblem,
  type PolicyInvocation,
  type Unevaluated,
} from "./policies.js";
export { labelSelectorMatches, matchedEquivalent, matchResources, type LabelSelector, type MatchAttributes, type MatchOutcome, type NamespaceLabels, type ResourceVersion } from "./matching.js";
export { rbacAuthorizer } from "./authorizer.js";
export { applyConfiguration, fromCelValue, rewriteObjectLiterals } from "./apply.js";
export { typeCheckPolicy, type TypeCheckTarget, type TypeCheckWarning } from "./typecheck.js";
export {
  admissionReview,
  callingFailure,
  dispatchMutating,
  dispatchValidating,
  isExemptFromWebhooks,
  readAdmissionResponse,
  shouldCallWebhook,
  webhookDenial,
  webhooksFrom,
  WebhookCallError,
  type DispatchContext,
  type EquivalentResource,
  type ShouldCall,
  type WebhookAttributes,
  type WebhookCallResult,
  type WebhookCaller,
  type WebhookClientConfig,
  type WebhookDefinition,
  type WebhookInvocation,
  type WebhookOutcome,
  type WebhookResponse,
  type WebhookStatus,
} from "./webhooks.js";
