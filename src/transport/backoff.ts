/**
 * Waiting between attempts, written once for the transport's retries, `modify`'s conflict retries
 * and the informer: exponential backoff with jitter (client-go's `wait.Backoff`), and a sleep that
 * ends early, rejecting with the signal's reason, when the signal is aborted.
 */

/** How the wait grows: `initialMs × factor^(n-1)` capped at `capMs`, with up to `jitter` × it added at random. */
export interface BackoffOptions {
  /** The first wait (ms). */
  initialMs: number;
  /** Growth per attempt (1 = constant). */
  factor: number;
  /** Random extra, as a fraction of the wait (client-go adds `jitter × wait × random`). */
  jitter: number;
  /** Largest wait (ms). */
  capMs: number;
}

/**
 * The wait before attempt `n` (1-based) of a backoff.
 *
 * @example
 * backoffWait({ initialMs: 10, factor: 1, jitter: 0.1, capMs: 10 }, 3); // 10–11 ms (client-go's DefaultRetry)
 */
export function backoffWait(options: BackoffOptions, n: number): number {
  const base = Math.min(options.capMs, options.initialMs * options.factor ** Math.max(0, n - 1));
  return base + (options.jitter > 0 ? base * options.jitter * Math.random() : 0);
}

/** client-go's `retry.DefaultRetry`: 5 attempts, 10 ms apart, 10 % jitter (what `RetryOnConflict` uses). */
export const DEFAULT_CONFLICT_RETRY = { steps: 5, initialMs: 10, factor: 1, jitter: 0.1, capMs: 10 } as const;

/**
 * Resolve after `ms`, or reject with the signal's reason as soon as it is aborted.
 *
 * @example
 * await sleep(250, signal);
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (!(ms >= 0)) ms = 0;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    // setTimeout fires at once for a delay over 2^31 - 1 ms (about 24.8 days): longer waits are
    // taken in steps, so a long wait never turns into none.
    const end = performance.now() + ms;
    let timer: ReturnType<typeof setTimeout>;
    const step = () => {
      const left = end - performance.now();
      if (left > MAX_TIMER_MS) {
        timer = setTimeout(step, MAX_TIMER_MS);
        return;
      }
      timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, Math.max(0, left));
    };
    step();
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** The longest delay setTimeout takes as given. */
const MAX_TIMER_MS = 2 ** 31 - 1;
