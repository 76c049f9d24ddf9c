/**
 * `kubezod/transport`: HTTP to one API server — a pipeline of interceptors (observe, retry, rate
 * limit, credentials, impersonation, and your own) around one undici attempt; typed status errors,
 * bounded bodies, streams and WebSockets; metrics through `diagnostics_channel`, OpenTelemetry
 * spans, pool statistics, server warnings; redaction helpers for your own logs. `createTransport`
 * is also in `kubezod`.
 *
 * @example
 * import { createTransport } from "kubezod/transport";
 * const transport = createTransport(cluster, { retry: { backoffLimit: 3 } });
 * const version = (await transport.request({ path: "/version" })).json();
 */
export {
  createTransport,
  Transport,
  REQUEST_CHANNEL,
  RETRY_CHANNEL,
  type HttpMethod,
  type QueryParams,
  type RequestMetrics,
  type OutgoingRequest,
  type TransportOptions,
  type RequestOptions,
  type StreamOptions,
  type WebSocketOptions,
  type RequestResult,
  type ReturnErrors,
  type PoolStats,
} from "./transport.js";
export type { Interceptor, Send, Call, Outcome, Payload } from "./interceptors.js";
export { collectRequestMetrics, DURATION_BUCKETS, type RetryMessage, type Histogram, type RequestMetricsSnapshot } from "./observe.js";
export { warningHandler, parseWarnings, type WarningHandler } from "./warnings.js";
export { encodeQuery } from "./query.js";
export { KubeResponse, type KubeStream } from "./response.js";
export { DEFAULT_RETRY_STATUSES, type RetryOptions } from "./retry.js";
export type { RateLimitOptions } from "./rate-limit.js";
export { consoleLogger, type LogEntry, type LogOptions } from "./log.js";
export { REDACTED, redactBody, redactHeaders, redactValue, isSecretPath } from "./redact.js";
export type { DispatcherOptions } from "./dispatcher.js";
export { apiErrorFor } from "../errors.js";
