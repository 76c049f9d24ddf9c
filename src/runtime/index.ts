/**
 * Controllers' building blocks on top of the client: informers (list + watch caches with indexes),
 * the shared informer factory, the work queue and its rate limiters, controllers, leader election,
 * finalizers, events and admission webhooks.
 */
export { Informer, type InformerEvent, type InformerOptions, type InformerStats, type HandlerOptions } from "./informer.js";
export { InformerFactory, dropManagedFields, type InformerFactoryOptions, type InformerSelection } from "./factory.js";
export { IndexedStore, NAMESPACE_INDEX, objectKey, splitKey, type IndexFunc, type ObjectMetaLike } from "./store.js";
export { Backoff, type BackoffOptions } from "./backoff.js";
export { WorkQueue, type WorkQueueOptions, type WorkQueueMetrics, type DurationSummary } from "./workqueue.js";
export { ItemExponentialRateLimiter, BucketRateLimiter, MaxOfRateLimiter, defaultControllerRateLimiter, type RateLimiter } from "./rate-limiters.js";
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
} from "./controller.js";
export { LeaderElection, microTime, type LeaderElectionOptions } from "./leader-election.js";
export { finalizer, type FinalizerHandlers } from "./finalizer.js";
export { EventRecorder, type EventRecorderOptions, type EventOptions, type EventObject } from "./events.js";
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
} from "./webhook.js";
