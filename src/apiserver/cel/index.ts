/**
 * CEL as Kubernetes runs it: the versioned environments with the Kubernetes libraries, compiling
 * and evaluating expressions with cost limits, and `x-kubernetes-validations` rules over schema
 * trees. Pure: shared by the validator, the admission policies and the local API server.
 */
export { celEnvironment, kubernetesCelEnvironment, libraryLevel, CEL_MINORS, CelIP, CelCIDR, CelURL, CelQuantity, CelSemver, CelFormat, type EnvironmentSpec } from "./library.js";
export { compileCel, evaluateCel, type CelOutcome, type CelProgram, type CompiledExpression } from "./compile.js";
export {
  ACTUAL_COST_LIMIT_EXCEEDED,
  AUTHZ_CHECK_COST,
  CostLimitError,
  PER_CALL_LIMIT,
  RUNTIME_COST_BUDGET,
  RUNTIME_COST_BUDGET_MATCH_CONDITIONS,
  STATIC_ESTIMATED_COST_LIMIT,
  STATIC_ESTIMATED_CRD_COST_LIMIT,
} from "./cost.js";
export { estimateCost, type CostEstimate, type EstimateOptions, type EstimateType, type SizeBounds } from "./estimate.js";
export {
  CelAuthorizer,
  CelDecision,
  UnevaluableError,
  serviceAccountUser,
  type AuthorizationAttributes,
  type AuthorizationDecision,
  type Authorize,
  type UserInfo,
} from "./authz.js";
export { re2, regexError, RegexSyntaxError, UnsupportedRegexError, type Re2 } from "../../meta/re2.js";
export { parseQuantity, Quantity } from "./quantity.js";
export { parseAddr, parseAddr as parseIP, parsePrefix, IPAddr, IPPrefix } from "./ip.js";
export {
  checkValidationRules,
  compileValidationRule,
  evaluateRule,
  escapeCelProperty,
  toCelValue,
  COST_BUDGET_EXCEEDED,
  type CheckRulesOptions,
  type CompiledRule,
  type RuleOutcome,
  type UnevaluatedRule,
  type ValidationRulesResult,
} from "./rules.js";
