/**
 * `kubezod/transport`: HTTP to one API server — undici dispatchers composed from interceptors
 * (credentials, impersonation, rate limit, retry, logging, metrics), typed status errors, streams
 * and WebSockets, redaction helpers for your own logs. `createTransport` is also in `kubezod`.
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
  type HttpMethod,
  type QueryParams,
  type RequestMetrics,
  type OutgoingRequest,
  type TransportOptions,
  type RequestOptions,
  type StreamOptions,
  type WebSocketOptions,
  type RequestResult,
} from "./transport.js";
export { KubeResponse, type KubeStream } from "./response.js";
export { DEFAULT_RETRY_STATUSES, type RetryOptions } from "./retry.js";
export type { RateLimitOptions } from "./rate-limit.js";
export { consoleLogger, type LogEntry, type LogOptions } from "./log.js";
export { REDACTED, redactBody, redactHeaders, redactValue, isSecretPath } from "./redact.js";
export type { DispatcherOptions } from "./dispatcher.js";
export { apiErrorFor } from "../errors.js";
