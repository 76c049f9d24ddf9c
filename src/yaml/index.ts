/**
 * YAML as kubectl reads it: YAML 1.1 scalars, merge keys, bounded aliases, positions of every
 * node; a fast path for plain manifest YAML.
 */
export { readYamlDocuments, LineIndex, type YamlDocument, type YamlNotice, type YamlLimits, type SourcePosition, type WideInteger } from "./documents.js";
export { resolvePlainScalar, type ResolvedScalar } from "./scalars.js";
