/**
 * Exponential backoff with jitter that starts over after a healthy period, with the numbers
 * client-go's reflector uses (800 ms doubling to 30 s, full jitter, reset after 2 minutes without
 * a failure; kube-rs's watcher uses the same).
 */

/**
 * Backoff settings of informers (and anything else that retries in the background).
 *
 * @example
 * const options: BackoffOptions = { initialMs: 800, maxMs: 30_000, resetAfterMs: 120_000 };
 */
export interface BackoffOptions {
  /** The first delay in ms (default 800). */
  initialMs?: number;
  /** The largest base delay in ms before jitter (default 30 000). */
  maxMs?: number;
  /** Growth per failure (default 2). */
  factor?: number;
  /** Jitter as a fraction of the delay added at random (default 1: a delay `d` becomes `[d, 2d)`). */
  jitter?: number;
  /** After this long without a failure the delay starts over from `initialMs` (default 120 000). */
  resetAfterMs?: number;
}

/**
 * Delays between retries: each `next()` is longer than the last until `maxMs`; a `next()` that
 * comes more than `resetAfterMs` after the previous one starts again from `initialMs`.
 *
 * @example
 * const backoff = new Backoff({ initialMs: 100 });
 * await sleep(backoff.next());
 */
export class Backoff {
  readonly #initial: number;
  readonly #max: number;
  readonly #factor: number;
  readonly #jitter: number;
  readonly #resetAfter: number;
  readonly #now: () => number;
  #current: number;
  #last = -Infinity;

  constructor(options: BackoffOptions = {}, now: () => number = () => performance.now()) {
    this.#initial = Math.max(0, options.initialMs ?? 800);
    this.#max = Math.max(this.#initial, options.maxMs ?? 30_000);
    this.#factor = options.factor ?? 2;
    this.#jitter = Math.max(0, options.jitter ?? 1);
    this.#resetAfter = options.resetAfterMs ?? 120_000;
    this.#now = now;
    this.#current = this.#initial;
  }

  /** The next delay in ms. @example setTimeout(retry, backoff.next()); */
  next(): number {
    const now = this.#now();
    if (now - this.#last > this.#resetAfter) this.#current = this.#initial;
    this.#last = now;
    const base = this.#current;
    this.#current = Math.min(this.#max, base * this.#factor);
    return base + Math.random() * this.#jitter * base;
  }

  /** Start over from the first delay. @example backoff.reset(); */
  reset(): void {
    this.#current = this.#initial;
    this.#last = -Infinity;
  }
}

/** The longest delay a Node timer holds (2^31-1 ms, 24.8 days); a longer one fires after 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Wait `ms`, or less when `signal` aborts (then resolve quietly). The abort listener is removed
 * when the wait ends either way, so waiting often on one signal leaves nothing behind.
 */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const end = performance.now() + ms;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    // A wait longer than a Node timer holds is waited out in steps (one longer fires after 1 ms).
    const arm = (): void => {
      const left = end - performance.now();
      if (left > MAX_TIMER_MS) timer = setTimeout(arm, MAX_TIMER_MS);
      else timer = setTimeout(done, Math.max(0, left));
    };
    if (Number.isNaN(end)) timer = setTimeout(done, 0);
    else arm();
    signal?.addEventListener("abort", done, { once: true });
  });
}

/**
 * A child of `parent`: aborted when the parent aborts, or by itself. `release()` removes its
 * listener from the parent, so one long-lived signal can have many short-lived children.
 */
export function childSignal(parent: AbortSignal): { controller: AbortController; signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  if (parent.aborted) {
    controller.abort(parent.reason);
    return { controller, signal: controller.signal, release: () => undefined };
  }
  const forward = (): void => controller.abort(parent.reason);
  parent.addEventListener("abort", forward, { once: true });
  return { controller, signal: controller.signal, release: () => parent.removeEventListener("abort", forward) };
}

/**
 * `promise`, or a rejection with the signal's reason as soon as `signal` aborts, whichever comes
 * first: a request stuck where it cannot be cancelled (undici does not abort a TLS connect in
 * progress) must not hold up a stop. A later rejection of `promise` is absorbed.
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      promise.catch(() => undefined);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (err: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(err);
      },
    );
  });
}
