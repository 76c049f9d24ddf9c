/** What native validation takes from the CEL engine and the admission code (see cel-engine.ts). */
export { compileValidationRule } from "./cel/rules.js";
export { compileCel } from "./cel/compile.js";
export { estimateCost, schemaSizeBounds } from "./cel/estimate.js";
export { rewriteObjectLiterals } from "./admission/apply.js";
export { policyTypedEnvironment, variableDeclType } from "./admission/policies.js";
