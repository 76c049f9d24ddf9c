/**
 * Manifest validation: `validateManifests` and the pieces it is made of (YAML reading like
 * kubectl, the engine, reporters, deprecated API versions). CEL rules are in `kubezod/cel`, loaded
 * only when a schema has rules.
 */
export * from "./types.js";
export { validateManifests, type ManifestInput, type PathInput, type TextInput, type ValidateManifestsOptions } from "./validate-manifests.js";
export { ManifestEngine, type EngineOptions, type ResourceInput } from "./engine.js";
export { readYamlDocuments, LineIndex, type YamlDocument, type YamlNotice, type YamlLimits, type SourcePosition } from "../yaml/documents.js";
export { resolvePlainScalar, type ResolvedScalar } from "../yaml/scalars.js";
export { apiDeprecations, deprecationOf, type ApiDeprecation, type DeprecationStatus } from "../apiserver/deprecations.js";
export { withDefaults } from "../apiserver/structural-defaults.js";
export { checkValueValidations, matchesRawSchema } from "../apiserver/value-validations.js";
export { expandPaths } from "./sources.js";
export { formatReport, outputFormats, type OutputFormat, type FormatOptions } from "./reporters.js";
