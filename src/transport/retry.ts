/**
 * When and how long to wait before retrying: statuses, idempotent verbs, exponential backoff with
 * jitter, and the server's `Retry-After`.
 */
import { backoffWait } from "./backoff.js";

/**
 * Retry settings (kubesdk's `backoff_limit`, `backoff_interval`, `retry_statuses`).
 *
 * @example
 * createTransport(cluster, { retry: { backoffLimit: 5, backoffInterval: (n) => Math.min(2 ** n * 1000, 30_000), retryStatuses: [502, 503, 504] } });
 */
export interface RetryOptions {
  /** Retries after the first attempt (default 5; 0 disables retries). */
  backoffLimit?: number;
  /**
   * Wait before retry `n` (1-based), in ms: a number (fixed) or a function. Default: exponential,
   * 250 ms × 2^(n-1) capped at 10 s, with jitter (a random
   * wait between half and all of it). A `Retry-After` from the server wins.
   */
  backoffInterval?: number | ((attempt: number) => number);
  /** Statuses that are retried (default `[429, 503, 504]`; 409 is never retried). */
  retryStatuses?: readonly number[];
  /** Retry connection failures of idempotent requests (default true). */
  retryConnectionErrors?: boolean;
}

/** Retry settings with defaults filled in. @example retryPolicy({ backoffLimit: 2 }).retryStatuses; // Set {429, 503, 504} */
export interface RetryPolicy {
  backoffLimit: number;
  backoffInterval: ((attempt: number) => number) | undefined;
  retryStatuses: ReadonlySet<number>;
  retryConnectionErrors: boolean;
}

/** The default retry statuses. @example DEFAULT_RETRY_STATUSES.includes(429); // true */
export const DEFAULT_RETRY_STATUSES: readonly number[] = [429, 503, 504];

/**
 * Fill in defaults (over `base` when given); `false` turns retries off.
 *
 * @example
 * retryPolicy({ retryStatuses: [502, 503] }).backoffLimit; // 5
 */
export function retryPolicy(options: RetryOptions | false | undefined, base?: RetryPolicy): RetryPolicy {
  if (options === false) return { backoffLimit: 0, backoffInterval: undefined, retryStatuses: new Set(), retryConnectionErrors: false };
  const interval = options?.backoffInterval;
  return {
    backoffLimit: Math.max(0, Math.floor(options?.backoffLimit ?? base?.backoffLimit ?? 5)),
    backoffInterval: interval === undefined ? base?.backoffInterval : typeof interval === "number" ? () => interval : interval,
    retryStatuses: options?.retryStatuses ? new Set(options.retryStatuses.filter((s) => s !== 409)) : (base?.retryStatuses ?? new Set(DEFAULT_RETRY_STATUSES)),
    retryConnectionErrors: options?.retryConnectionErrors ?? base?.retryConnectionErrors ?? true,
  };
}

const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE"]);

/** GET, HEAD, OPTIONS, PUT and DELETE may be sent twice; POST and PATCH may not. @example isIdempotent("GET"); // true */
export function isIdempotent(method: string): boolean {
  return IDEMPOTENT.has(method);
}

/**
 * Whether a response status is worth retrying. Idempotent requests retry every status in the
 * policy; POST and PATCH only when the server says it did nothing: 429, or a retry status with
 * `Retry-After` (as client-go).
 *
 * @example
 * shouldRetryStatus(retryPolicy({}), "POST", 503, false); // false: the create may have happened
 */
export function shouldRetryStatus(policy: RetryPolicy, method: string, status: number, hasRetryAfter: boolean): boolean {
  if (status === 409 || !policy.retryStatuses.has(status)) return false;
  return isIdempotent(method) || status === 429 || hasRetryAfter;
}

/**
 * Seconds from a `Retry-After` header: delta-seconds or an HTTP-date; `undefined` when absent or
 * unparsable.
 *
 * @example
 * parseRetryAfter("2");                              // 2
 * parseRetryAfter("Wed, 21 Oct 2026 07:28:00 GMT");  // seconds until then (≥ 0)
 */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  const text = v.trim();
  if (/^\d{1,15}$/.test(text)) return Number(text);
  // Only the three HTTP-date forms (RFC 9110), which begin with the day's name: JavaScript's
  // Date.parse also reads "-5", "1.5" or "abc 2020" as dates, which are not waits a server meant.
  if (!HTTP_DATE.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, (at - now) / 1000);
}

const HTTP_DATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,? +\S/;

/**
 * The longest server-asked wait (`Retry-After`) the transport takes before a retry, in seconds. A
 * longer one is not waited for: the call ends with the server's answer, whose error carries
 * `retryAfterSeconds`, so a server cannot park a call (a call without a deadline above all).
 *
 * @example
 * MAX_RETRY_AFTER_SECONDS; // 60
 */
export const MAX_RETRY_AFTER_SECONDS = 60;

/** The transport's default backoff: 250 ms doubling to 10 s; the wait is between half and all of it. */
const REQUEST_BACKOFF = { initialMs: 125, factor: 2, jitter: 1, capMs: 5_000 };

/** The wait before retry `attempt` (1-based) in ms. @example backoffDelay(retryPolicy({}), 1, 2); // 2000 (Retry-After: 2) */
export function backoffDelay(policy: RetryPolicy, attempt: number, retryAfterSeconds: number | undefined): number {
  if (retryAfterSeconds !== undefined) return retryAfterSeconds * 1000;
  if (policy.backoffInterval) return Math.max(0, policy.backoffInterval(attempt));
  return backoffWait(REQUEST_BACKOFF, attempt);
}
