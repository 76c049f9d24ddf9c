/**
 * Transport: undici connection pools per cluster and the request pipeline (credentials, retries,
 * rate limit, timeouts, gzip, typed errors, logging, metrics), plus streams and WebSockets.
 */
export * from "./transport.js";
export * from "./response.js";
export * from "./retry.js";
export * from "./rate-limit.js";
export * from "./log.js";
export * from "./redact.js";
export { proxyUrlFor, type DispatcherOptions } from "./dispatcher.js";
