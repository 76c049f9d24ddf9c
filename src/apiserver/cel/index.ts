/**
 * CEL for Kubernetes validation rules (`x-kubernetes-validations`): the Kubernetes CEL environment,
 * rule compilation and evaluation over schema trees. Pure: shared by the validator and the local
 * API server.
 */
export { kubernetesCelEnvironment, parseIP, parseQuantity, CelIP, CelCIDR, CelURL, CelQuantity } from "./library.js";
export { re2, UnsupportedRegexError } from "./regex.js";
export {
  checkValidationRules,
  compileValidationRule,
  evaluateRule,
  escapeCelProperty,
  toCelValue,
  type CheckRulesOptions,
  type CompiledRule,
  type RuleOutcome,
  type UnevaluatedRule,
  type ValidationRulesResult,
} from "./rules.js";
