/**
 * The results of validating manifests: one record per resource, each with its issues.
 */
import type { FieldErrorType, PathSegment } from "../meta/index.js";

/** How a resource came out: `valid`, `invalid` (checks failed), `error` (unreadable), `skipped`. */
export type ResourceStatus = "valid" | "invalid" | "error" | "skipped";

/** Errors make a resource invalid; warnings are reported and do not. */
export type Severity = "error" | "warning";

/**
 * Rule ids, stable for filtering and code-scanning tools (`describeRule(id)` says what each means):
 *
 * - reading: `yaml/syntax`, `yaml/duplicate-key`, `yaml/not-json`, `yaml/implicit-conversion`
 *   (a warning, only with `warnImplicitConversions`), `file/unreadable`, `manifest/not-an-object`;
 * - the type: `api/missing-type` (an error: the document cannot be checked), `api/unknown-kind`,
 *   `api/removed`, `api/not-served` (a built-in version the cluster does not serve: alpha and beta
 *   versions unless `runtimeConfig` turns them on), `api/deprecated` (warning), `api/rejected`,
 *   `api/read-only` (a kind kube-apiserver serves for reading only);
 * - the OpenAPI schema: `schema/type`, `schema/required`, `schema/enum`, `schema/format`,
 *   `schema/range`, `schema/length`, `schema/value`; strict mode: `strict/unknown-field`,
 *   `strict/duplicate-entry`;
 * - object metadata: `meta/name`, `meta/namespace`, `meta/labels`, `meta/annotations`, `meta/metadata`;
 * - kube-apiserver's native validation of built-in kinds, by the apimachinery error type it reports:
 *   `native/required`, `native/invalid`, `native/unsupported`, `native/forbidden`,
 *   `native/duplicate`, `native/too-long`, `native/too-many`, `native/not-found`, `native/type`,
 *   `native/internal`; `native/warning` for what it accepts with a `Warning` header;
 * - update rules, checked against a previous object: `update/<type>` with the same types
 *   (`update/invalid` for `field is immutable`), `update/version-changed` (warning);
 * - custom resources: `crd/value-validation`, `crd/cel`, `crd/cel-unevaluated` (warning),
 *   `crd/cel-not-run` (warning: rules not run over an object with errors), `crd/invalid`;
 * - admission policies and change review: `policy/denied`, `policy/warning`, `policy/audit`,
 *   `policy/unevaluated`, `policy/type-check`, `policy/unbound` (a policy's expressions that do
 *   not compile are native errors of the policy object).
 */
export type RuleId = string;

/** One problem found in one resource. */
export interface ValidationIssue {
  rule: RuleId;
  severity: Severity;
  /** The field path as segments, from the resource's root. */
  path: PathSegment[];
  /** The path in kube-apiserver's notation (`spec.containers[0].name`); empty for the whole object. */
  field: string;
  /** The message as kube-apiserver would print it (`spec.replicas: Invalid value: …`). */
  message: string;
  /** The apimachinery field error type, when the issue is a field error. */
  type?: FieldErrorType;
  /** 1-based line and column of the offending key in the source (when the source is text). */
  line?: number;
  column?: number;
}

/** The outcome for one resource (a document, or one item of a `List`). */
export interface ResourceResult {
  /** The file or input name (`-` for standard input). */
  file: string;
  /** 0-based document index in the file. */
  document: number;
  /** The index in a `List`'s items, for items. */
  item?: number;
  line?: number;
  column?: number;
  apiVersion?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  status: ResourceStatus;
  /** Why a resource was skipped. */
  reason?: string;
  issues: ValidationIssue[];
}

/** Counts over a run. */
export interface ValidationSummary {
  files: number;
  resources: number;
  valid: number;
  invalid: number;
  errors: number;
  skipped: number;
  warnings: number;
  /** CEL rules that could not be evaluated (reported as `crd/cel-unevaluated` warnings). */
  unevaluatedRules: number;
}

/** Everything a run found. */
export interface ValidationReport {
  /** The Kubernetes minor whose schemas were used (`v1.36`). */
  kubernetesVersion: string;
  strict: boolean;
  results: ResourceResult[];
  summary: ValidationSummary;
  /** `true` when every resource is valid or skipped (exit code 0). */
  valid: boolean;
  /** Things worth knowing about the run that are not about a resource (an empty directory, empty standard input). */
  notices?: string[];
}
