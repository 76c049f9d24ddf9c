/**
 * Transport: the layer's interface for the rest of the library (the public face is `public.ts`).
 */
export * from "./public.js";
export { retryPolicy, backoffDelay, shouldRetryStatus, isIdempotent, parseRetryAfter, type RetryPolicy } from "./retry.js";
export { TokenBucket } from "./rate-limit.js";
export { proxyUrlFor } from "./dispatcher.js";
export { sleep, backoffWait, DEFAULT_CONFLICT_RETRY, type BackoffOptions } from "./backoff.js";
