/**
 * The work queue of controllers, with client-go's semantics: an item added many times before it
 * is taken is queued once (the dirty set); an item is never handed to two workers at once (the
 * processing set: added again while processed, it is queued when `done`); delayed adds; rate
 * limited retries; shutdown, with or without draining; and the queue's metrics.
 */
import { MAX_TIMER_MS } from "./backoff.js";
import { defaultControllerRateLimiter, type RateLimiter } from "./rate-limiters.js";

/**
 * Options of a work queue.
 *
 * @example
 * const options: WorkQueueOptions<string> = { name: "deployments", rateLimiter: defaultControllerRateLimiter() };
 */
export interface WorkQueueOptions<T> {
  /** A name for metrics and messages. */
  name?: string;
  /** Decides the delay of `addRateLimited` (default: `defaultControllerRateLimiter()`). */
  rateLimiter?: RateLimiter<T>;
}

/** Count, sum and largest of observed durations, in ms. @example queue.metrics().queueLatency.count; */
export interface DurationSummary {
  count: number;
  sumMs: number;
  maxMs: number;
}

/**
 * A snapshot of a queue's metrics (client-go's workqueue metrics: depth, adds, latency, work
 * duration, unfinished work, longest running processor, retries).
 *
 * @example
 * const m: WorkQueueMetrics = queue.metrics();
 * console.log(m.depth, m.adds, m.retries, m.queueLatency.sumMs / m.queueLatency.count);
 */
export interface WorkQueueMetrics {
  name: string;
  /** Items waiting to be taken. */
  depth: number;
  /** Items being processed. */
  processing: number;
  /** Items waiting for their `addAfter` / `addRateLimited` delay. */
  delayed: number;
  /** Adds that queued an item (adds of an item already queued are not counted). */
  adds: number;
  /** `addRateLimited` calls. */
  retries: number;
  /** From add to `get`. */
  queueLatency: DurationSummary;
  /** From `get` to `done`. */
  workDuration: DurationSummary;
  /** Sum of the time items being processed have been processed so far. */
  unfinishedWorkMs: number;
  /** How long the item processed longest has been processed. */
  longestRunningProcessorMs: number;
}

interface Delayed<T> {
  item: T;
  readyAt: number;
  seq: number;
}

/**
 * A deduplicating, rate-limited work queue. Workers loop on `get()` and call `done(item)` when
 * finished; an item added while it is being processed comes back after `done`.
 *
 * @example
 * const queue = new WorkQueue<string>();
 * queue.add("shop/web");
 * queue.add("shop/web");              // still one item
 * const key = await queue.get();      // "shop/web" (undefined once shut down)
 * try { await reconcile(key!); queue.forget(key!); } catch { queue.addRateLimited(key!); } finally { queue.done(key!); }
 */
export class WorkQueue<T = string> {
  readonly name: string;
  readonly #limiter: RateLimiter<T>;
  #queue: T[] = [];
  #head = 0;
  readonly #dirty = new Set<T>();
  readonly #processing = new Map<T, number>();
  readonly #addedAt = new Map<T, number>();
  #waiters: Array<(item: T | undefined) => void> = [];
  #shuttingDown = false;
  #drained: Array<() => void> = [];
  // Delayed items: a min-heap by ready time, and the entry of each item (the earliest wins).
  #heap: Array<Delayed<T>> = [];
  readonly #delayed = new Map<T, Delayed<T>>();
  #seq = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Infinity;
  #adds = 0;
  #retries = 0;
  readonly #latency: DurationSummary = { count: 0, sumMs: 0, maxMs: 0 };
  readonly #work: DurationSummary = { count: 0, sumMs: 0, maxMs: 0 };

  constructor(options: WorkQueueOptions<T> = {}) {
    this.name = options.name ?? "";
    this.#limiter = options.rateLimiter ?? defaultControllerRateLimiter<T>();
  }

  /** Queue an item (once, however often it is added before it is taken). Ignored after shutdown. @example queue.add("shop/web"); */
  add(item: T): void {
    if (this.#shuttingDown || this.#dirty.has(item)) return;
    this.#adds++;
    this.#dirty.add(item);
    if (!this.#addedAt.has(item)) this.#addedAt.set(item, performance.now());
    if (this.#processing.has(item)) return;
    this.#push(item);
  }

  /** Queue an item after `ms` (at once when `ms` ≤ 0); of several pending delays the earliest wins. @example queue.addAfter("shop/web", 30_000); */
  addAfter(item: T, ms: number): void {
    if (this.#shuttingDown) return;
    if (!(ms > 0)) return this.add(item);
    const readyAt = performance.now() + ms;
    const existing = this.#delayed.get(item);
    if (existing) {
      if (existing.readyAt <= readyAt) return;
      existing.readyAt = readyAt;
      this.#heapify();
    } else {
      const entry = { item, readyAt, seq: this.#seq++ };
      this.#delayed.set(item, entry);
      this.#heapPush(entry);
    }
    this.#arm();
  }

  /** Queue an item after the rate limiter's delay for it (a retry). @example queue.addRateLimited(key); */
  addRateLimited(item: T): void {
    if (this.#shuttingDown) return;
    this.#retries++;
    this.addAfter(item, this.#limiter.when(item));
  }

  /** Forget an item's failures (it succeeded): its next retry starts from the shortest delay. @example queue.forget(key); */
  forget(item: T): void {
    this.#limiter.forget(item);
  }

  /** How often an item has been retried since it was last forgotten. @example queue.numRequeues(key); */
  numRequeues(item: T): number {
    return this.#limiter.numRequeues(item);
  }

  /**
   * The next item to process, once there is one; `undefined` once the queue is shut down (and, when
   * draining, empty). Call `done(item)` when finished with it.
   *
   * @example
   * for (let key = await queue.get(); key !== undefined; key = await queue.get()) { …; queue.done(key); }
   */
  get(): Promise<T | undefined> {
    if (this.#queue.length > this.#head) return Promise.resolve(this.#take());
    if (this.#shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Finish processing an item; if it was added meanwhile it is queued again. @example queue.done(key); */
  done(item: T): void {
    const started = this.#processing.get(item);
    if (started === undefined) return;
    observe(this.#work, performance.now() - started);
    this.#processing.delete(item);
    if (this.#dirty.has(item)) this.#push(item);
    else if (this.#processing.size === 0) this.#checkDrained();
  }

  /** How many items wait to be taken. @example queue.length; */
  get length(): number {
    return this.#queue.length - this.#head;
  }

  /** Whether the queue is shutting down. @example queue.shuttingDown; */
  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /**
   * Stop taking items: waiting `get()` calls return `undefined` at once, delayed items are dropped;
   * items being processed may still call `done`.
   *
   * @example
   * queue.shutDown();
   */
  shutDown(): void {
    this.#beginShutdown();
    this.#queue = [];
    this.#head = 0;
    this.#dirty.clear();
    this.#addedAt.clear();
    this.#release();
    this.#checkDrained();
  }

  /**
   * Stop taking new items, let the workers take what is queued, and resolve once everything
   * queued and in process is done.
   *
   * @example
   * await queue.shutDownWithDrain();
   */
  shutDownWithDrain(): Promise<void> {
    this.#beginShutdown();
    const drained = new Promise<void>((resolve) => this.#drained.push(resolve));
    this.#checkDrained();
    if (this.length === 0) this.#release();
    return drained;
  }

  /** A snapshot of the queue's metrics. @example queue.metrics().depth; */
  metrics(): WorkQueueMetrics {
    const now = performance.now();
    let unfinished = 0;
    let longest = 0;
    for (const started of this.#processing.values()) {
      unfinished += now - started;
      longest = Math.max(longest, now - started);
    }
    return {
      name: this.name,
      depth: this.length,
      processing: this.#processing.size,
      delayed: this.#delayed.size,
      adds: this.#adds,
      retries: this.#retries,
      queueLatency: { ...this.#latency },
      workDuration: { ...this.#work },
      unfinishedWorkMs: unfinished,
      longestRunningProcessorMs: longest,
    };
  }

  #push(item: T): void {
    const waiter = this.#waiters.shift();
    if (waiter) {
      this.#queue.push(item);
      waiter(this.#take());
      return;
    }
    this.#queue.push(item);
  }

  #take(): T {
    const item = this.#queue[this.#head]!;
    this.#queue[this.#head++] = undefined as T;
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    const now = performance.now();
    const added = this.#addedAt.get(item);
    if (added !== undefined) observe(this.#latency, now - added);
    this.#addedAt.delete(item);
    this.#processing.set(item, now);
    this.#dirty.delete(item);
    if (this.#shuttingDown && this.length === 0) this.#release();
    return item;
  }

  #beginShutdown(): void {
    this.#shuttingDown = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
    this.#heap = [];
    this.#delayed.clear();
  }

  /** Wake every waiting `get()` with `undefined`. */
  #release(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w(undefined);
  }

  #checkDrained(): void {
    if (!this.#shuttingDown || this.#processing.size > 0 || this.length > 0) return;
    const drained = this.#drained;
    this.#drained = [];
    for (const d of drained) d();
  }

  // ---- delayed items ----------------------------------------------------------------------------

  #arm(): void {
    const next = this.#heap[0];
    if (!next || next.readyAt >= this.#timerAt) return;
    if (this.#timer) clearTimeout(this.#timer);
    // Node's timers hold at most 2^31-1 ms (a longer delay fires after 1 ms, every ms): wake up at
    // that bound and arm again; an item delayed forever (Infinity) arms no timer at all.
    if (next.readyAt === Infinity) return;
    const wait = Math.min(MAX_TIMER_MS, Math.max(0, next.readyAt - performance.now()));
    this.#timerAt = performance.now() + wait;
    this.#timer = setTimeout(() => this.#fire(), wait);
  }

  #fire(): void {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const now = performance.now();
    while (this.#heap.length && this.#heap[0]!.readyAt <= now + 1) {
      const entry = this.#heapPop()!;
      this.#delayed.delete(entry.item);
      this.add(entry.item);
    }
    this.#arm();
  }

  #heapPush(entry: Delayed<T>): void {
    const h = this.#heap;
    h.push(entry);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  #heapPop(): Delayed<T> | undefined {
    const h = this.#heap;
    const top = h[0];
    const last = h.pop();
    if (h.length && last) {
      h[0] = last;
      this.#siftDown(0);
    }
    return top;
  }

  #siftDown(start: number): void {
    const h = this.#heap;
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && before(h[l]!, h[m]!)) m = l;
      if (r < h.length && before(h[r]!, h[m]!)) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }

  #heapify(): void {
    for (let i = (this.#heap.length >> 1) - 1; i >= 0; i--) this.#siftDown(i);
    if (this.#heap[0] && this.#heap[0].readyAt < this.#timerAt) {
      if (this.#timer) clearTimeout(this.#timer);
      this.#timerAt = Infinity;
    }
  }
}

function before<T>(a: Delayed<T>, b: Delayed<T>): boolean {
  return a.readyAt < b.readyAt || (a.readyAt === b.readyAt && a.seq < b.seq);
}

function observe(summary: DurationSummary, ms: number): void {
  summary.count++;
  summary.sumMs += ms;
  if (ms > summary.maxMs) summary.maxMs = ms;
}
