/**
 * kubezod: a Kubernetes client and manifest validator in which the Zod schema is the source of truth.
 *
 * This entry point holds what most programs use: `connect` and the typed client, the errors and
 * their predicates, the schema facts, the patch functions and `validateManifests`. Advanced pieces
 * have their own entry points: `kubezod/config`, `kubezod/transport`, `kubezod/patch`,
 * `kubezod/meta`, `kubezod/yaml`, `kubezod/apiserver`, `kubezod/validate`, `kubezod/cel`,
 * `kubezod/testing`, and the schemas in `kubezod/k8s`.
 *
 * @example
 * import { connect } from "kubezod";
 * import { ConfigMap } from "kubezod/k8s";
 * const kube = await connect();
 * const cm = await kube.get(ConfigMap, "settings", { namespace: "default" });
 */

// ---- errors --------------------------------------------------------------------------------------
export {
  KubeError,
  UsageError,
  KubeApiError,
  BadRequestError,
  UnauthorizedError,
  ForbiddenError,
  NotFoundError,
  MethodNotAllowedError,
  ConflictError,
  GoneError,
  UnsupportedMediaTypeError,
  UnprocessableEntityError,
  TooManyRequestsError,
  InternalServerError,
  ServiceUnavailableError,
  ServerTimeoutError,
  PatchGuardError,
  ValidationError,
  ConfigError,
  ConnectionError,
  TimeoutError,
  IdleTimeoutError,
  InvalidResponseError,
  ResponseTooLargeError,
  StreamDecodeError,
  SpecError,
  YamlError,
  isNotFound,
  isAlreadyExists,
  isConflict,
  isInvalid,
  isGone,
  isUnauthorized,
  isForbidden,
  isBadRequest,
  isMethodNotSupported,
  isUnsupportedMediaType,
  isTooManyRequests,
  isTimeout,
  isServerTimeout,
  isInternalError,
  isServiceUnavailable,
  isRequestEntityTooLarge,
  type KubeErrorCode,
  type Status,
  type StatusCause,
  type StatusDetails,
  type RequestInfo,
  type ApiErrorByStatus,
  type ValidationDirection,
} from "./errors.js";
export { PatchError, JsonPatchError, PatchConflictError } from "./patch/errors.js";

// ---- schemas and their facts ---------------------------------------------------------------------
export { kubeMeta, resourceInfo, type ResourceInfo, type GroupVersionKind, type KubeMeta, type KubeRegistry, type PatchType, type SubresourceInfo, type Verb } from "./meta/registry.js";
export { fieldInfo, type FieldInfo } from "./meta/walk.js";
export { schemaFor, schemaForObject, kubernetesVersions, latestKubernetesVersion, type SchemaLookupOptions } from "./meta/lookup.js";
export { defineResource, type DefineResourceOptions, type ResourceOf, type ApiVersionOf } from "./meta/define.js";
export { safeParseKube, parseKube, type KubeParseResult } from "./meta/compile.js";
export { schemasFromCrd, schemasFromOpenApi, crdKinds, type BuiltSchema } from "./meta/build.js";

// ---- the client ----------------------------------------------------------------------------------
export { connect, type ConnectOptions } from "./client/connect.js";
export { Kube, type KubeObject, type KubeSettings, type KindObject, type Scale } from "./client/kube.js";
export { warningsOf } from "./client/warnings.js";
export { renderRequest, type KubeRequest } from "./client/requests.js";
export { fanOut, type ClusterResult } from "./client/multi.js";
export type { DiscoveredGroup, DiscoveredResource, DiscoveryFailure, DiscoveryResult } from "./client/discovery.js";
export type { ExecSession, PortForward } from "./client/exec.js";
export type { LabelSelector, LabelSelectorInput, LabelSelectorRequirement, FieldSelectorInput } from "./client/selectors.js";
export type { ValidationIssueHandler } from "./client/parse.js";
export type {
  ValidationMode,
  CallOptions,
  NamespaceOption,
  WriteOptions,
  GetOptions,
  ListOptions,
  WatchOptions,
  WatchEvent,
  BookmarkObject,
  KubeList,
  DeleteOptions,
  DeleteCollectionOptions,
  PatchOptions,
  UpdateOptions,
  ApplyOptions,
  ModifyOptions,
  LogsOptions,
  PodExecOptions,
  ExecResult,
  Returned,
} from "./client/types.js";
export { VersionInfo } from "./client/version.js";

// ---- controllers -------------------------------------------------------------------------------
export { Informer, type InformerEvent, type InformerOptions, type InformerStats, type HandlerOptions } from "./runtime/informer.js";
export { InformerFactory, dropManagedFields, type InformerFactoryOptions, type InformerSelection } from "./runtime/factory.js";
export { NAMESPACE_INDEX, objectKey, splitKey, type IndexFunc } from "./runtime/store.js";
export type { BackoffOptions } from "./runtime/backoff.js";
export { WorkQueue, type WorkQueueOptions, type WorkQueueMetrics, type DurationSummary } from "./runtime/workqueue.js";
export { ItemExponentialRateLimiter, BucketRateLimiter, MaxOfRateLimiter, defaultControllerRateLimiter, type RateLimiter } from "./runtime/rate-limiters.js";
export {
  Controller,
  ControllerBuilder,
  controller,
  type ControllerOptions,
  type ControllerMetrics,
  type ReconcileRequest,
  type ReconcileResult,
  type ReconcileContext,
  type Reconciler,
  type OwnsSpec,
  type WatchesSpec,
} from "./runtime/controller.js";
export { LeaderElection, microTime, type LeaderElectionOptions } from "./runtime/leader-election.js";
export { finalizer, type FinalizerHandlers } from "./runtime/finalizer.js";
export { EventRecorder, type EventRecorderOptions, type EventOptions, type EventObject } from "./runtime/events.js";
export {
  admissionWebhook,
  type AdmissionWebhook,
  type AdmissionWebhookOptions,
  type AdmissionRequest,
  type AdmissionResponse,
  type AdmissionReviewResponse,
  type AdmissionVerdict,
  type AdmissionGroupVersionKind,
  type AdmissionGroupVersionResource,
  type WebhookListenOptions,
  type WebhookServer,
} from "./runtime/webhook.js";

// ---- connecting --------------------------------------------------------------------------------
export { resolveCluster, defineCluster, type ResolveClusterOptions, type DefineClusterOptions } from "./config/resolve.js";
export { loadKubeConfig, type LoadedKubeConfig, type LoadKubeConfigOptions } from "./config/kubeconfig.js";
export type { ClusterConfig } from "./config/cluster.js";
export { createTransport, Transport, type TransportOptions, type RequestOptions, type RequestMetrics, type ReturnErrors } from "./transport/transport.js";
export { KubeResponse } from "./transport/response.js";
export { consoleLogger, type LogEntry, type LogOptions } from "./transport/log.js";
export type { RetryOptions } from "./transport/retry.js";
export type { RateLimitOptions } from "./transport/rate-limit.js";

// ---- patches -----------------------------------------------------------------------------------
export { pathOf, type PickedPath, type PickedPathLike, type PathProxy } from "./patch/path.js";
export { setAt, type AnyPath } from "./patch/paths.js";
export { applyJsonPatch, guardJsonPatch, type JsonPatchOperation } from "./patch/json-patch.js";
export { jsonPatchDiff } from "./patch/json-diff.js";
export { applyMergePatch, mergePatchDiff } from "./patch/merge-patch.js";
export { applySmp } from "./patch/smp-apply.js";
export { smpDiff, smpThreeWay, jsonPatchToSmp } from "./patch/smp-diff.js";
export type { JsonValue, JsonObject, JsonPrimitive } from "./patch/json.js";

// ---- validating manifests ------------------------------------------------------------------------
export type { ManifestInput, PathInput, TextInput, ValidateManifestsOptions } from "./validate/validate-manifests.js";
export { formatReport, outputFormats, type OutputFormat, type FormatOptions } from "./validate/reporters.js";
export type { ValidationReport, ValidationIssue, ValidationSummary, ResourceResult, ResourceStatus, Severity, RuleId } from "./validate/types.js";

/**
 * Validate manifests — files, directories, globs, YAML or JSON text, or objects — against the
 * schemas of a Kubernetes minor and kube-apiserver's rules, as `kubezod validate` does. The
 * validator (and the apiserver rules it runs) is loaded on the first call, so importing `kubezod`
 * does not pay for it.
 *
 * @example
 * const report = await validateManifests(["k8s/"], { kubernetesVersion: "1.32", strict: true });
 * console.log(formatReport(report, "text"));
 */
export async function validateManifests(
  input: ManifestInput | readonly ManifestInput[],
  options: ValidateManifestsOptions = {},
): Promise<ValidationReport> {
  const validator = await import("./validate/validate-manifests.js");
  return validator.validateManifests(input, options);
}

import type { ManifestInput, ValidateManifestsOptions } from "./validate/validate-manifests.js";
import type { ValidationReport } from "./validate/types.js";
