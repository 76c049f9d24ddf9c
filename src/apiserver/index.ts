/**
 * What kube-apiserver does to an object, offline and pure: defaulting, the registry strategies,
 * native validation by API group, object metadata, update rules, CRD structural schemas and CEL.
 * The validator and the local API server are its two callers.
 */
// Checks through this module run synchronously: the CEL engine native validation compiles with is loaded with it.
import * as celEngineImpl from "./cel-engine-impl.js";
import { useCelEngine } from "./cel-engine.js";
useCelEngine(celEngineImpl);

export { loadCelEngine, useCelEngine } from "./cel-engine.js";
export { groupCompilesCel } from "./groups.js";
export { apiContext, type ApiContext, type ApiContextOptions, type Operation } from "./context.js";
export { isFeatureEnabled, type FeatureGate } from "./features.js";
export { kindRules } from "./groups.js";
export { validateWrite, type WriteResult } from "./strategy.js";
export { checkWrite, loadCelRules, nativeRule, needsCel, useCelRules, type WriteIssue, type WriteOptions, type WriteOutcome } from "./write.js";
export { fieldPathOf, schemaErrors, type RuleError, type SchemaErrorOptions } from "./schema-errors.js";
export { unchangedSince } from "./ratcheting.js";
export { keepStoredMetadata, validateObjectMetaUpdate } from "./object-meta-update.js";
export type { GroupRules, KindRules } from "./registry.js";
export { convertObject, storageResourceOf, storageVersionOf } from "./conversion.js";
export {
  duplicate,
  FieldPath,
  forbidden,
  goQuote,
  internalError,
  invalid,
  notFound,
  notSupported,
  required,
  tooLong,
  tooMany,
  typeInvalid,
  type FieldError,
} from "./field.js";
