/**
 * `kubezod/meta`: schema tooling beyond the everyday names of `kubezod` — group/version helpers,
 * the bundled minors, compiled validators, structural checks (unknown fields, duplicate list
 * entries), apimachinery's name and metadata validation, and field errors.
 *
 * @example
 * import { unknownFields, isDNS1123Label } from "kubezod/meta";
 * unknownFields(Deployment, { spec: { replicaz: 3 } }).map(String); // ["spec.replicaz"]
 */
export { gvkOf, apiVersionOf, parseApiVersion, formatCheck, type ValidationRule, type KubeSchema, type KubeInput } from "./registry.js";
export { normalizeKubernetesVersion, builtinKinds, loadBuiltinModules, loadDescriptions, type DocNode } from "./lookup.js";
export { loosen } from "./define.js";
export { compileValidator, type CompiledValidator } from "./compile.js";
export { unknownFields, duplicateListEntries, structuralIssues, type StructuralIssues } from "./structure.js";
export {
  isDNS1123Subdomain,
  isDNS1123Label,
  isDNS1035Label,
  isValidPathSegmentName,
  isQualifiedName,
  isValidLabelValue,
  nameFormatOf,
  validateName,
  TOTAL_ANNOTATION_SIZE_LIMIT,
  type NameFormat,
} from "./names.js";
export { validateObjectMeta, validateLabels, validateAnnotations, type ObjectMetaContext } from "./object-meta.js";
export { FieldPath, fieldError, formatFieldError, type FieldError, type FieldErrorType } from "./field-errors.js";
export type { PathSegment } from "./walk.js";
