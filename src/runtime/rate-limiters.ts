/**
 * Rate limiters of the work queue, as client-go's `workqueue` has them: per-item exponential
 * failure backoff, an overall token bucket, the larger of several, and the default controller
 * limiter combining the first two (5 ms doubling to 1000 s per item; 10 per second, burst 100).
 */

/**
 * Decides how long an item waits before it is retried.
 *
 * @example
 * const limiter: RateLimiter<string> = defaultControllerRateLimiter();
 * limiter.when("shop/web"); // 5 (ms)
 */
export interface RateLimiter<T> {
  /** The delay in ms before `item` is retried (counts a retry). */
  when(item: T): number;
  /** Stop tracking `item` (it succeeded). */
  forget(item: T): void;
  /** How many times `item` has been retried since it was last forgotten. */
  numRequeues(item: T): number;
}

/**
 * Per item: `baseMs × 2^failures`, at most `maxMs` (client-go's `ItemExponentialFailureRateLimiter`).
 *
 * @example
 * const limiter = new ItemExponentialRateLimiter<string>(5, 1_000_000);
 */
export class ItemExponentialRateLimiter<T> implements RateLimiter<T> {
  readonly #failures = new Map<T, number>();

  constructor(
    readonly baseMs: number = 5,
    readonly maxMs: number = 1_000_000,
  ) {}

  when(item: T): number {
    const exp = this.#failures.get(item) ?? 0;
    this.#failures.set(item, exp + 1);
    const delay = this.baseMs * 2 ** exp;
    return Number.isFinite(delay) && delay < this.maxMs ? delay : this.maxMs;
  }

  forget(item: T): void {
    this.#failures.delete(item);
  }

  numRequeues(item: T): number {
    return this.#failures.get(item) ?? 0;
  }
}

/**
 * An overall token bucket: `qps` tokens a second, at most `burst` saved; a retry past the saved
 * tokens waits its turn (client-go's `BucketRateLimiter` over `rate.Limiter.Reserve`).
 *
 * @example
 * const limiter = new BucketRateLimiter<string>(10, 100);
 */
export class BucketRateLimiter<T> implements RateLimiter<T> {
  #tokens: number;
  #last: number;

  constructor(
    readonly qps: number = 10,
    readonly burst: number = 100,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.#tokens = burst;
    this.#last = now();
  }

  when(_item: T): number {
    const now = this.now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#last) / 1000) * this.qps);
    this.#last = now;
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : (-this.#tokens / this.qps) * 1000;
  }

  forget(_item: T): void {}

  numRequeues(_item: T): number {
    return 0;
  }
}

/**
 * The longest delay of several limiters (each one counts every retry).
 *
 * @example
 * const limiter = new MaxOfRateLimiter(new ItemExponentialRateLimiter<string>(5, 60_000), new BucketRateLimiter<string>(50, 300));
 */
export class MaxOfRateLimiter<T> implements RateLimiter<T> {
  readonly #limiters: ReadonlyArray<RateLimiter<T>>;

  constructor(...limiters: Array<RateLimiter<T>>) {
    this.#limiters = limiters;
  }

  when(item: T): number {
    let delay = 0;
    for (const l of this.#limiters) delay = Math.max(delay, l.when(item));
    return delay;
  }

  forget(item: T): void {
    for (const l of this.#limiters) l.forget(item);
  }

  numRequeues(item: T): number {
    let n = 0;
    for (const l of this.#limiters) n = Math.max(n, l.numRequeues(item));
    return n;
  }
}

/**
 * client-go's `DefaultControllerRateLimiter`: per item 5 ms doubling to 1000 s, and overall 10
 * retries a second with a burst of 100.
 *
 * @example
 * const queue = new WorkQueue<string>({ rateLimiter: defaultControllerRateLimiter() });
 */
export function defaultControllerRateLimiter<T>(): RateLimiter<T> {
  return new MaxOfRateLimiter<T>(new ItemExponentialRateLimiter<T>(5, 1_000_000), new BucketRateLimiter<T>(10, 100));
}
