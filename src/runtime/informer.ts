/**
 * Informers: a local, indexed cache of a collection kept current by list + watch, the way
 * client-go's reflector and shared informer do it. The first sync is a watch-list stream
 * (`sendInitialEvents`, ending at the `k8s.io/initial-events-end` bookmark) where the server
 * supports it, else a paged list; then a watch from the version reached, with bookmarks, re-watched
 * from the last version seen whenever it ends; a relist after 410 Gone delivers exactly the
 * differences. Failures back off with jitter, and the backoff starts over after a healthy period.
 * A watch that goes quiet (no event, no bookmark) for `watchIdleTimeoutMs` is dropped and re-made.
 */
import type * as z from "zod";
import type { Kube } from "../client/kube.js";
import type { FieldSelectorInput, LabelSelectorInput } from "../client/selectors.js";
import { IdleTimeoutError, InvalidResponseError, KubeApiError, UsageError, ValidationError, isGone } from "../errors.js";
import { safeParseKube } from "../meta/compile.js";
import { resourceInfo, type ResourceInfo } from "../meta/registry.js";
import { Backoff, childSignal, pause, raceAbort, type BackoffOptions } from "./backoff.js";
import { shareUnchanged } from "./share.js";
import { IndexedStore, NAMESPACE_INDEX, objectKey, type IndexFunc, type ObjectMetaLike } from "./store.js";

/**
 * What an informer watches, and how.
 *
 * @example
 * const options: InformerOptions<Pod> = {
 *   allNamespaces: true,
 *   labelSelector: { app: "web" },
 *   indexers: { byNode: (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []) },
 *   transform: (p) => ({ ...p, metadata: { ...p.metadata, managedFields: undefined } }),
 * };
 */
export interface InformerOptions<T = unknown> {
  /** One namespace (default: the client's), or every namespace with `allNamespaces`. */
  namespace?: string;
  allNamespaces?: boolean;
  labelSelector?: LabelSelectorInput;
  fieldSelector?: FieldSelectorInput;
  /** Page size of lists (default 500). */
  limit?: number;
  /** Index functions besides the built-in `namespace` index. */
  indexers?: Record<string, IndexFunc<T>>;
  /** Change each object before it is cached and handed out (drop `managedFields` to save memory). */
  transform?: (obj: T) => T;
  /** How often every handler gets an `update` for every cached object (default 0: never). A handler may set its own. */
  resyncPeriodMs?: number;
  /**
   * Sync with a watch-list stream (`sendInitialEvents=true`) where the server supports it; a
   * server that refuses it gets a paged list instead (default true).
   */
  watchList?: boolean;
  /** Server-side watch timeout in seconds (default: random between 300 and 600, as client-go spreads re-watches); the client ends a watch the server has not ended by then after a grace of as long again, at most 30 s. */
  watchTimeoutSeconds?: number;
  /** Drop and re-make a watch on which nothing (no event, no bookmark) arrived for this long (default 300 000 ms; 0: never). */
  watchIdleTimeoutMs?: number;
  /** Delays between attempts after failures (default: client-go's reflector: 800 ms doubling to 30 s, reset after 2 minutes of health). */
  backoff?: BackoffOptions;
  /** Longest base delay between attempts after failures, in ms (a shortcut for `backoff.maxMs`). */
  maxBackoffMs?: number;
  /** Called when a list or watch fails (the informer retries after `retryInMs`), or an object does not match its schema or has no name (it is left out of the cache). */
  onError?: (error: unknown, info: { retryInMs?: number }) => void;
}

/**
 * A change seen by an informer. `update` with `resync: true` is a periodic resync (object and old
 * are the same); `delete` with `finalStateUnknown: true` comes from a relist that no longer found
 * the object (the object is the last state the cache had). In an `update`, the parts of the object
 * that did not change are the old object's own (`object.spec === old.spec` when the spec is
 * unchanged): cached objects are shared, never to be changed in place.
 *
 * @example
 * informer.on((e: InformerEvent<Pod>) => { if (e.type === "update") console.log(e.old.metadata?.resourceVersion, "→", e.object.metadata?.resourceVersion); });
 */
export type InformerEvent<T> =
  | { type: "add"; object: T }
  | { type: "update"; object: T; old: T; resync?: boolean }
  | { type: "delete"; object: T; finalStateUnknown?: boolean };

/** Options of one handler. @example informer.on(handle, { resyncPeriodMs: 60_000 }); */
export interface HandlerOptions {
  /** This handler's resync period (default: the informer's). */
  resyncPeriodMs?: number;
}

/** Counters of an informer's work. @example informer.stats.relists; */
export interface InformerStats {
  /** Full syncs done: lists, and watch-lists that reached their end bookmark. */
  syncs: number;
  /** Watches opened. */
  watches: number;
  /** Syncs after 410 Gone or a resourceVersion the server no longer has. */
  relists: number;
  /** Failures retried after a backoff. */
  failures: number;
  /** Watches dropped because nothing arrived within `watchIdleTimeoutMs`. */
  idleWatches: number;
  /** Events delivered to handlers. */
  events: number;
}

/** What the cache holds: the schema's objects, whose metadata the store reads. */
type Cached<S extends z.ZodType> = z.output<S> & ObjectMetaLike;

type Handler<T> = (event: InformerEvent<T>) => void;

interface Registration<T> {
  handler: Handler<T>;
  timer: ReturnType<typeof setInterval> | undefined;
  period: number;
}

/** The watch ended by itself (no error). */
interface WatchOutcome {
  events: number;
  durationMs: number;
}

class WatchDeadline extends Error {}

/** Statuses that retrying cannot fix before the first sync (the caller must see them). */
function fatalBeforeSync(err: unknown): boolean {
  if (err instanceof UsageError) return true;
  if (!(err instanceof KubeApiError)) return false;
  return err.status >= 400 && err.status < 500 && ![408, 409, 410, 429].includes(err.status);
}

/** A watch-list request the server refuses: it does not know or allow `sendInitialEvents`. */
function watchListRefused(err: unknown): boolean {
  return err instanceof KubeApiError && [400, 403, 405, 415, 422].includes(err.status);
}

/** 410 Gone, or a resourceVersion "too large" the server cannot serve yet (504 with that cause). */
function needsRelist(err: unknown): boolean {
  if (isGone(err)) return true;
  return err instanceof KubeApiError && err.status === 504 && (err.body.details?.causes ?? []).some((c) => c.reason === "ResourceVersionTooLarge");
}

/**
 * A cache of one collection, kept current in the background, with indexes and handlers.
 *
 * @example
 * const pods = new Informer(kube, Pod, { namespace: "shop", indexers: { byNode: (p) => [p.spec?.nodeName ?? ""] } });
 * pods.on((e) => console.log(e.type, e.object.metadata?.name));
 * await pods.start();              // resolves once the first sync is in the cache
 * pods.get("web-1", "shop");
 * pods.byIndex("byNode", "node-a");
 * await pods.stop();
 */
export class Informer<S extends z.ZodType> {
  readonly #store: IndexedStore<Cached<S>>;
  readonly #handlers = new Set<Registration<z.output<S>>>();
  readonly #info: ResourceInfo;
  readonly #backoff: Backoff;
  readonly #stats: InformerStats = { syncs: 0, watches: 0, relists: 0, failures: 0, idleWatches: 0, events: 0 };
  #stop = new AbortController();
  #running: Promise<void> | undefined;
  #synced = false;
  #syncWaiters: Array<{ resolve: () => void; reject: (err: unknown) => void }> = [];
  #resourceVersion: string | undefined;
  #watchList: boolean;
  /** The cache must be synced again (first start, 410 Gone) before watching from its resourceVersion. */
  #needSync = true;
  /** The longest wait between retries (the backoff's ceiling), which also bounds a server's Retry-After. */
  readonly #maxBackoffMs: number;

  constructor(
    readonly kube: Kube,
    readonly schema: S,
    readonly options: InformerOptions<z.output<S>> = {},
  ) {
    const info = resourceInfo(schema);
    if (!info) throw new UsageError("an informer needs a resource schema (a generated kind, defineResource, or kube.resource())");
    this.#info = info;
    this.#store = new IndexedStore(options.indexers as Record<string, IndexFunc<Cached<S>>> | undefined);
    this.#backoff = new Backoff({ ...(options.maxBackoffMs !== undefined ? { maxMs: options.maxBackoffMs } : {}), ...options.backoff });
    this.#maxBackoffMs = Math.max(options.backoff?.maxMs ?? options.maxBackoffMs ?? 30_000, options.backoff?.initialMs ?? 800);
    this.#watchList = options.watchList ?? true;
  }

  /**
   * Subscribe to changes; returns a function that unsubscribes. A handler added after the first
   * sync is called at once with an `add` for every cached object, as client-go does.
   *
   * @example
   * const off = informer.on((e) => queue.add(objectKey(e.object)));
   * off();
   */
  on(handler: Handler<z.output<S>>, options: HandlerOptions = {}): () => void {
    const period = options.resyncPeriodMs ?? this.options.resyncPeriodMs ?? 0;
    const reg: Registration<z.output<S>> = { handler, timer: undefined, period };
    this.#handlers.add(reg);
    if (this.#synced) for (const obj of this.#store.values()) this.#call(reg, { type: "add", object: obj });
    if (this.#running) this.#startResync(reg);
    return () => {
      if (reg.timer) clearInterval(reg.timer);
      this.#handlers.delete(reg);
    };
  }

  /** An object by name (and namespace; default: the informer's namespace, then any). @example informer.get("web", "shop"); */
  get(name: string, namespace?: string): z.output<S> | undefined {
    const ns = namespace ?? (this.#info.namespaced && !this.options.allNamespaces ? (this.options.namespace ?? this.kube.namespace) : undefined);
    if (ns !== undefined || !this.#info.namespaced) return this.#store.get(ns ? `${ns}/${name}` : name);
    for (const obj of this.#store.values()) if (obj.metadata?.name === name) return obj;
    return undefined;
  }

  /** An object by its cache key (`namespace/name`, or `name`). @example informer.getByKey("shop/web"); */
  getByKey(key: string): z.output<S> | undefined {
    return this.#store.get(key);
  }

  /** Every cached object, or those of one namespace. @example informer.list("shop").length; */
  list(namespace?: string): Array<z.output<S>> {
    return namespace === undefined ? [...this.#store.values()] : this.#store.byIndex(NAMESPACE_INDEX, namespace);
  }

  /** The cache keys. @example informer.keys(); // ["shop/web-1", …] */
  keys(): string[] {
    return [...this.#store.keys()];
  }

  /** How many objects are cached. @example informer.size; */
  get size(): number {
    return this.#store.size;
  }

  /** The objects whose index `indexName` has `value`. @example informer.byIndex("namespace", "shop"); */
  byIndex(indexName: string, value: string): Array<z.output<S>> {
    return this.#store.byIndex(indexName, value);
  }

  /** The keys of the objects whose index `indexName` has `value`. @example informer.indexKeys("byNode", "node-a"); */
  indexKeys(indexName: string, value: string): string[] {
    return this.#store.indexKeys(indexName, value);
  }

  /** Every value of an index. @example informer.indexValues("namespace"); // ["shop", "kube-system"] */
  indexValues(indexName: string): string[] {
    return this.#store.indexValues(indexName);
  }

  /** The names of the informer's indexes (`namespace` and those added). @example informer.indexNames(); // ["namespace", "byNode"] */
  indexNames(): string[] {
    return this.#store.indexNames();
  }

  /** Add index functions (also after start: cached objects are indexed at once). @example informer.addIndexers({ byOwner: (o) => o.metadata?.ownerReferences?.map((r) => r.uid) ?? [] }); */
  addIndexers(indexers: Record<string, IndexFunc<z.output<S>>>): void {
    this.#store.addIndexers(indexers as Record<string, IndexFunc<Cached<S>>>);
  }

  /** Whether the first sync is in the cache. @example if (informer.synced) … */
  get synced(): boolean {
    return this.#synced;
  }

  /** Whether the first sync is in the cache (client-go's name). @example informer.hasSynced(); */
  hasSynced(): boolean {
    return this.#synced;
  }

  /** Whether the informer is running. @example informer.running; */
  get running(): boolean {
    return this.#running !== undefined;
  }

  /** The last resourceVersion the cache reflects. @example informer.resourceVersion; */
  get resourceVersion(): string | undefined {
    return this.#resourceVersion;
  }

  /** Counters of the informer's work (syncs, watches, relists, failures). @example informer.stats.watches; */
  get stats(): Readonly<InformerStats> {
    return { ...this.#stats };
  }

  /**
   * Start listing and watching; resolves when the cache holds the first complete sync. Failures
   * the server may recover from (5xx, 429, connection errors) are retried with backoff; one it
   * cannot (403, 404, a bad selector) rejects, and the informer stops, so `start()` may be called
   * again. Calling `start()` on a running informer returns the same promise.
   *
   * @example
   * await informer.start();
   */
  start(): Promise<void> {
    const synced = this.waitForSync();
    if (this.#running) return synced;
    this.#stop = new AbortController();
    for (const reg of this.#handlers) this.#startResync(reg);
    const running = this.#run(this.#stop.signal).finally(() => {
      if (this.#running === running) this.#running = undefined;
    });
    this.#running = running;
    return synced;
  }

  /**
   * Resolves once the cache holds its first sync (at once when it does already); rejects when the
   * informer stops before that, or when `signal` aborts.
   *
   * @example
   * await informer.waitForSync(AbortSignal.timeout(30_000));
   */
  waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.#synced) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = (): void => {
        this.#syncWaiters = this.#syncWaiters.filter((w) => w !== waiter);
        reject(signal!.reason);
      };
      const waiter = {
        resolve: () => (signal?.removeEventListener("abort", onAbort), resolve()),
        reject: (err: unknown) => (signal?.removeEventListener("abort", onAbort), reject(err)),
      };
      this.#syncWaiters.push(waiter);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Stop watching (the cache keeps its last state; `start()` syncs it again). @example await informer.stop(); */
  async stop(): Promise<void> {
    this.#stop.abort();
    for (const reg of this.#handlers) if (reg.timer) clearInterval(reg.timer), (reg.timer = undefined);
    await this.#running?.catch(() => undefined);
    this.#running = undefined;
  }

  // ---- the list/watch loop ----------------------------------------------------------------------

  async #run(signal: AbortSignal): Promise<void> {
    this.#needSync = true;
    let listOnce = false;
    try {
      while (!signal.aborted) {
        const viaWatchList = this.#needSync && this.#watchList && !listOnce;
        try {
          if (this.#needSync && !viaWatchList) {
            await this.#relist(signal);
            listOnce = false;
          }
          const outcome = await this.#watch(signal, viaWatchList);
          // A watch that ends at once without a single event is a failure in disguise: back off.
          if (outcome.events === 0 && outcome.durationMs < 1000) throw new Error(`the watch of ${this.#what()} ended at once without events`);
          continue;
        } catch (err) {
          if (signal.aborted) break;
          // The watch-list failed before its initial events were complete.
          const syncFailed = viaWatchList && this.#needSync;
          if (err instanceof IdleTimeoutError) {
            this.#stats.idleWatches++;
            this.#report(err, {});
            if (syncFailed) listOnce = true;
            continue;
          }
          if (needsRelist(err)) {
            if (this.#synced) this.#stats.relists++;
            this.#needSync = true;
            continue;
          }
          if (syncFailed) {
            // Making progress beats insisting: sync with a list this time, and for good if the server refuses watch-lists.
            if (watchListRefused(err)) {
              this.#watchList = false;
              continue;
            }
            listOnce = true;
          }
          if (!this.#synced && fatalBeforeSync(err)) {
            this.#rejectWaiters(err);
            return;
          }
          this.#stats.failures++;
          // The server's Retry-After is honoured up to the longest backoff (client-go's reflector
          // backs off by its own clock alone): a server that asks for years does not get them.
          const retryAfterMs = err instanceof KubeApiError && err.retryAfterSeconds !== undefined ? Math.min(err.retryAfterSeconds * 1000, this.#maxBackoffMs) : 0;
          const delay = Math.max(this.#backoff.next(), retryAfterMs);
          this.#report(err, { retryInMs: delay });
          await pause(delay, signal);
        }
      }
    } finally {
      if (!this.#synced) this.#rejectWaiters(signal.aborted ? abortError(`the informer for ${this.#what()} was stopped before its first sync`) : new Error("the informer stopped"));
    }
  }

  /** List everything (paged) and replace the cache, emitting the differences. */
  async #relist(signal: AbortSignal): Promise<void> {
    const fresh = new Map<string, Cached<S>>();
    let token: string | undefined;
    let resourceVersion: string | undefined;
    let limit: number | undefined = this.options.limit ?? 500;
    for (;;) {
      let page;
      try {
        page = await raceAbort(
          this.kube.list(this.schema, {
            ...this.#selection(),
            ...(limit ? { limit } : {}),
            ...(token ? { continue: token } : {}),
            validate: "off",
            signal,
          }),
          signal,
        );
      } catch (err) {
        // An expired continue token: list again in one piece, as client-go's pager does.
        if (token && isGone(err)) {
          fresh.clear();
          token = undefined;
          limit = undefined;
          continue;
        }
        throw err;
      }
      for (const item of page.items) {
        const obj = this.#accept(item);
        if (obj) fresh.set(objectKey(obj), obj);
      }
      resourceVersion = page.metadata.resourceVersion ?? resourceVersion;
      token = page.metadata.continue || undefined;
      if (!token) break;
    }
    this.#replace(fresh, resourceVersion);
  }

  /**
   * One watch, until it ends. With `initial`, it is a watch-list: the initial events fill a
   * separate map that replaces the cache at the `k8s.io/initial-events-end` bookmark.
   */
  async #watch(signal: AbortSignal, initial: boolean): Promise<WatchOutcome> {
    const child = childSignal(signal);
    const idleMs = this.options.watchIdleTimeoutMs ?? 300_000;
    const timeoutSeconds = this.options.watchTimeoutSeconds ?? Math.floor(300 * (1 + Math.random()));
    const started = performance.now();
    let last = started;
    let events = 0;
    const idle =
      idleMs > 0
        ? setInterval(
            () => {
              if (performance.now() - last > idleMs) {
                child.controller.abort(new IdleTimeoutError(`nothing arrived on the watch of ${this.#what()} for ${idleMs} ms`, this.kube.transport.server, idleMs));
              }
            },
            Math.max(10, Math.min(idleMs / 4, 5000)),
          )
        : undefined;
    // Like client-go, the client bounds the watch too, in case the server never ends it (a grace
    // of the timeout itself, at most 30 s, for the server's own end to arrive first).
    const deadline = setTimeout(() => child.controller.abort(new WatchDeadline()), (timeoutSeconds + Math.min(30, timeoutSeconds)) * 1000);
    let pending: Map<string, Cached<S>> | undefined = initial ? new Map() : undefined;
    this.#stats.watches++;
    const events$ = this.kube.watch(this.schema, {
      ...this.#selection(),
      ...(initial ? { sendInitialEvents: true } : this.#resourceVersion ? { resourceVersion: this.#resourceVersion } : {}),
      allowWatchBookmarks: true,
      timeoutSeconds,
      validate: "off",
      signal: child.signal,
    });
    try {
      for (;;) {
        // Until the stream is open, raced against the signal: an attempt stuck connecting must not
        // outlive the idle bound or a stop (an open stream ends by itself when the signal aborts).
        const next = events === 0 ? await raceAbort(events$.next(), child.signal) : await events$.next();
        if (next.done) break;
        const event = next.value;
        last = performance.now();
        events++;
        if (event.type === "BOOKMARK") {
          const rv = event.object.metadata?.resourceVersion;
          if (pending && event.object.metadata?.annotations?.["k8s.io/initial-events-end"] === "true") {
            this.#replace(pending, rv);
            pending = undefined;
          } else if (!pending && rv) this.#resourceVersion = rv;
          continue;
        }
        const obj = this.#accept(event.object);
        if (!obj) continue;
        if (pending) {
          if (event.type === "DELETED") pending.delete(objectKey(obj));
          else pending.set(objectKey(obj), obj);
          continue;
        }
        this.#apply(event.type, obj);
      }
      if (pending) throw new Error(`the watch-list of ${this.#what()} ended before its initial events were complete`);
      return { events, durationMs: performance.now() - started };
    } catch (err) {
      if (child.signal.aborted && !signal.aborted) {
        const reason: unknown = child.signal.reason;
        if (reason instanceof IdleTimeoutError) throw reason;
        if (reason instanceof WatchDeadline && !pending) return { events, durationMs: performance.now() - started };
      }
      throw err;
    } finally {
      if (idle) clearInterval(idle);
      clearTimeout(deadline);
      child.release();
      if (!child.signal.aborted) child.controller.abort();
      events$.return(undefined).catch(() => undefined);
    }
  }

  /** A watch event's object into the cache, and to the handlers. */
  #apply(type: "ADDED" | "MODIFIED" | "DELETED", obj: Cached<S>): void {
    const key = objectKey(obj);
    const rv = obj.metadata?.resourceVersion;
    if (rv) this.#resourceVersion = rv;
    if (type === "DELETED") {
      const old = this.#store.delete(key);
      if (old !== undefined) this.#emit({ type: "delete", object: obj });
      return;
    }
    const old = this.#store.get(key);
    const next = old === undefined ? obj : shareUnchanged(old, obj);
    this.#store.set(key, next);
    this.#emit(old === undefined ? { type: "add", object: next } : { type: "update", object: next, old });
  }

  /** Replace the cache with a complete state, emitting exactly the differences (DeltaFIFO's Replace). */
  #replace(fresh: Map<string, Cached<S>>, resourceVersion: string | undefined): void {
    const gone: Array<Cached<S>> = [];
    for (const [key, old] of this.#store.entries()) if (!fresh.has(key)) gone.push(old);
    for (const old of gone) {
      this.#store.delete(objectKey(old));
      this.#emit({ type: "delete", object: old, finalStateUnknown: true });
    }
    for (const [key, obj] of fresh) {
      const old = this.#store.get(key);
      if (old === undefined) {
        this.#store.set(key, obj);
        this.#emit({ type: "add", object: obj });
      } else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) {
        const next = shareUnchanged(old, obj);
        this.#store.set(key, next);
        this.#emit({ type: "update", object: next, old });
      }
    }
    if (resourceVersion) this.#resourceVersion = resourceVersion;
    this.#needSync = false;
    this.#stats.syncs++;
    if (!this.#synced) {
      this.#synced = true;
      const waiters = this.#syncWaiters;
      this.#syncWaiters = [];
      for (const w of waiters) w.resolve();
    }
  }

  /**
   * A received object, checked against the schema (never thrown: reported), then transformed; one
   * without a name has no key to cache it by (client-go's reflector skips it too): reported, left out.
   */
  #accept(raw: unknown): Cached<S> | undefined {
    let obj = raw as Cached<S>;
    const name = obj.metadata?.name;
    if (typeof name !== "string" || !name) {
      this.#report(new InvalidResponseError(`a ${this.#info.kind} without a metadata.name arrived for ${this.#what()}: left out of the cache`, 200), {});
      return undefined;
    }
    // List items come without apiVersion and kind.
    const o = raw as { apiVersion?: unknown; kind?: unknown };
    o.apiVersion ??= this.#info.apiVersion;
    o.kind ??= this.#info.kind;
    if (this.kube.settings.validate !== "off") {
      const r = safeParseKube(this.schema, raw);
      if (r.success) obj = r.data as Cached<S>;
      else this.#report(new ValidationError(r.error.issues, raw, "response", `${this.#info.kind} ${objectKey(obj)}`), {});
    }
    return this.options.transform ? (this.options.transform(obj) as Cached<S>) : obj;
  }

  #emit(event: InformerEvent<z.output<S>>): void {
    for (const reg of this.#handlers) this.#call(reg, event);
  }

  #call(reg: Registration<z.output<S>>, event: InformerEvent<z.output<S>>): void {
    this.#stats.events++;
    try {
      reg.handler(event);
    } catch (err) {
      // A failing handler must not stop the others, nor the informer.
      this.#report(err, {});
    }
  }

  #startResync(reg: Registration<z.output<S>>): void {
    if (reg.period <= 0 || reg.timer) return;
    reg.timer = setInterval(() => {
      if (!this.#synced) return;
      for (const obj of [...this.#store.values()]) this.#call(reg, { type: "update", object: obj, old: obj, resync: true });
    }, reg.period);
    reg.timer.unref();
  }

  #report(err: unknown, info: { retryInMs?: number }): void {
    try {
      this.options.onError?.(err, info);
    } catch {
      // A failing error handler must not stop the informer.
    }
  }

  #rejectWaiters(err: unknown): void {
    const waiters = this.#syncWaiters;
    this.#syncWaiters = [];
    for (const w of waiters) w.reject(err);
  }

  #what(): string {
    const where = this.#info.namespaced ? (this.options.allNamespaces ? " in all namespaces" : ` in ${this.options.namespace ?? this.kube.namespace}`) : "";
    return `${this.#info.plural}${where}`;
  }

  #selection(): { namespace?: string; allNamespaces?: boolean; labelSelector?: LabelSelectorInput; fieldSelector?: FieldSelectorInput } {
    const { namespace, allNamespaces, labelSelector, fieldSelector } = this.options;
    return {
      ...(namespace !== undefined ? { namespace } : {}),
      ...(allNamespaces ? { allNamespaces } : {}),
      ...(labelSelector !== undefined ? { labelSelector } : {}),
      ...(fieldSelector !== undefined ? { fieldSelector } : {}),
    };
  }
}

function abortError(message: string): Error {
  return new DOMException(message, "AbortError");
}
