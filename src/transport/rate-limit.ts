/**
 * A client-side token bucket, like client-go's `flowcontrol.NewTokenBucketRateLimiter(qps, burst)`:
 * `burst` requests may go at once, then `qps` per second. Waiters are served in order.
 */

/** Client-side rate limit. @example createTransport(cluster, { rateLimit: { qps: 50, burst: 100 } }); */
export interface RateLimitOptions {
  /** Sustained requests per second. */
  qps: number;
  /** Requests allowed at once (default: `qps`, at least 1). */
  burst?: number;
}

/**
 * A token bucket. `acquire()` resolves when the caller may send.
 *
 * @example
 * const limiter = new TokenBucket({ qps: 5, burst: 10 });
 * await limiter.acquire();
 */
export class TokenBucket {
  readonly qps: number;
  readonly burst: number;
  #tokens: number;
  #last: number;
  readonly #now: () => number;

  constructor(options: RateLimitOptions, now: () => number = performance.now.bind(performance)) {
    if (!(options.qps > 0)) throw new RangeError("rateLimit.qps must be greater than 0");
    this.qps = options.qps;
    this.burst = Math.max(1, Math.floor(options.burst ?? options.qps));
    this.#tokens = this.burst;
    this.#now = now;
    this.#last = now();
  }

  /** Take a token now and return how many ms the caller must wait before using it. */
  reserve(): number {
    const now = this.#now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#last) * this.qps) / 1000);
    this.#last = now;
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : (-this.#tokens * 1000) / this.qps;
  }

  /** Give back a reserved token (a waiter that gave up). */
  cancel(): void {
    this.#tokens = Math.min(this.burst, this.#tokens + 1);
  }

  /** Wait for a token; rejects with the signal's reason if aborted first (the token is returned). */
  acquire(signal?: AbortSignal): Promise<void> | undefined {
    const wait = this.reserve();
    if (wait <= 0) return undefined;
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        clearTimeout(timer);
        this.cancel();
        reject(signal!.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, wait);
      if (signal) {
        if (signal.aborted) onAbort();
        else signal.addEventListener("abort", onAbort, { once: true });
      }
    });
  }
}
