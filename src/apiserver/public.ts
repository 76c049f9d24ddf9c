/**
 * `kubezod/apiserver`: what kube-apiserver does to an object on a write, offline — defaulting,
 * the registry strategies and native validation for a Kubernetes minor — with field errors as
 * apimachinery prints them. The validator and the local API server are built on it.
 *
 * @example
 * import { validateWrite } from "kubezod/apiserver";
 * const { errors } = validateWrite(configMap, { operation: "CREATE", kubernetesVersion: "1.34" });
 * errors.map(formatFieldError);
 */
// The library checks objects synchronously: the CEL engine native validation compiles with is loaded with it.
import * as celEngineImpl from "./cel-engine-impl.js";
import { useCelEngine } from "./cel-engine.js";
useCelEngine(celEngineImpl);

export { apiContext, type ApiContext, type ApiContextOptions, type Operation } from "./context.js";
export { validateWrite, type WriteOptions, type WriteResult } from "./strategy.js";
export { checkWrite, loadCelRules, type WriteIssue, type WriteOutcome } from "./write.js";
export { FieldPath, type FieldError } from "./field.js";
export { isServed, parseRuntimeConfig, type RuntimeConfig } from "./served.js";
export { formatFieldError, type FieldErrorType } from "../meta/field-errors.js";
export {
  PolicySet,
  checkPolicyExpressions,
  rbacAuthorizer,
  type AdmissionContext,
  type AdmissionOperation,
  type AdmissionRequest,
  type AdmissionResult,
  type PolicyDecision,
  type PolicyExpressionProblem,
  type Unevaluated,
} from "./admission/index.js";
export {
  RbacPolicy,
  authorizeRbac,
  rbacRulesFor,
  aggregateClusterRoles,
  ruleAllows,
  serviceAccountUser,
  SYSTEM_MASTERS,
  type PolicyRule,
  type RbacDecision,
  type RbacObjects,
  type RbacRequest,
  type RbacRules,
  type RbacUser,
} from "./rbac/evaluate.js";
export { bootstrapClusterRoles, bootstrapClusterRoleBindings, type BootstrapPolicyOptions } from "./rbac/bootstrap.js";
export { confirmNoEscalation, coversRules } from "./rbac/escalation.js";
