/**
 * `kubezod/validate`: the manifest validator's parts beyond `validateManifests` (which is in
 * `kubezod`): the engine for resources you already hold, reporters, deprecated API versions.
 *
 * @example
 * import { ManifestEngine, formatReport } from "kubezod/validate";
 */
export { validateManifests, type ManifestInput, type PathInput, type TextInput, type ValidateManifestsOptions } from "./validate-manifests.js";
export { ManifestEngine, type EngineOptions, type ResourceInput } from "./engine.js";
export { formatReport, outputFormats, type OutputFormat, type FormatOptions } from "./reporters.js";
export { apiDeprecations, deprecationOf, type ApiDeprecation, type DeprecationStatus } from "./deprecations.js";
export { expandPaths, type ExpandedPath } from "./sources.js";
export type { ValidationReport, ValidationIssue, ValidationSummary, ResourceResult, ResourceStatus, Severity, RuleId } from "./types.js";
