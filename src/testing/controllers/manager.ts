/**
 * The controller manager of the simulated cluster: store changes are mapped to keys of the objects
 * each controller reconciles, a deduplicating FIFO queue runs the reconcilers in small batches
 * between requests, and time-based work (availability after minReadySeconds, cron schedules, pod
 * run times) is re-queued by timers. Everything happens in the order of the store's changes, so a
 * test that does the same things sees the same outcome; `settle()` waits until nothing is left.
 */
import type { Catalog } from "../catalog.js";
import type { Rest } from "../rest.js";
import type { KubeObject, Store, StoreEvent } from "../store.js";
import { ClusterApi, type Component, type ControllerError } from "./api.js";
import { EventRecorder } from "./events.js";
import type { WebhookOutcome } from "../../apiserver/admission/index.js";
import { WebhookOutcomes, WebhookPause } from "../webhooks.js";

/** What a controller module gets to register itself. */
export interface ControllerContext {
  /** Reads and writes as kube-controller-manager. */
  api: ClusterApi;
  /** Reads and writes as another component. */
  as(component: Component): ClusterApi;
  /** The clock (milliseconds). */
  now(): number;
  /** Records core/v1 Events. */
  events: EventRecorder;
  kubernetesVersion: string;
  /** The minor as a number (28 for v1.28). */
  minor: number;
  /** Register a reconciler; keys are usually `namespace/name`. */
  reconciler(name: string, reconcile: (key: string) => void): void;
  /** Map changes of a resource (storage key `group/plural`) to keys for a reconciler. */
  watch(storageKey: string, reconciler: string, keys: (event: StoreEvent) => Iterable<string> | string | undefined): void;
  /** Map changes of every resource to keys for a reconciler. */
  watchAll(keys: (event: StoreEvent) => Iterable<string> | string | undefined, reconciler: string): void;
  enqueue(reconciler: string, key: string): void;
  /** Queue a key again after a delay (kept at most once per key and reconciler). */
  after(ms: number, reconciler: string, key: string): void;
}

/** `namespace/name` of an object. */
export function objectKeyOf(o: KubeObject): string {
  return `${String(o.metadata.namespace ?? "")}/${String(o.metadata.name)}`;
}

/** Split a `namespace/name` key. */
export function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf("/");
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

const BATCH_ITEMS = 400;
const BATCH_MS = 8;
const MAX_ERRORS = 200;

export class ControllerManager {
  private readonly reconcilers = new Map<string, (key: string) => void>();
  private readonly watchers = new Map<string, Array<{ reconciler: string; keys: (e: StoreEvent) => Iterable<string> | string | undefined }>>();
  private readonly allWatchers: Array<{ reconciler: string; keys: (e: StoreEvent) => Iterable<string> | string | undefined }> = [];
  private readonly queue: Array<[string, string]> = [];
  private queueHead = 0;
  private readonly queued = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private scheduled = false;
  private running = false;
  private stopped = false;
  private unsubscribe: (() => void) | undefined;
  private idleWaiters: Array<() => void> = [];
  /** Webhook calls that reconciles wait for. */
  private pendingWebhooks = 0;
  /** Pauses in a row per reconcile, to stop a reconcile whose writes never settle. */
  private readonly pauses = new Map<string, number>();
  private readonly outcomes = new WebhookOutcomes();
  private readonly calling = new Map<string, Promise<void>>();
  private reconciling = false;
  readonly errors: ControllerError[] = [];
  readonly context: ControllerContext;

  constructor(
    rest: Rest,
    private readonly store: Store,
    catalog: Catalog,
    kubernetesVersion: string,
    now: () => number,
    recordEvents: boolean,
    private readonly callWebhooks?: (pause: WebhookPause) => Promise<WebhookOutcome>,
  ) {
    const webhooks = callWebhooks ? { outcomes: this.outcomes, active: () => this.reconciling } : undefined;
    const api = new ClusterApi(rest, store, catalog, { manager: "kube-controller-manager", user: "system:kube-controller-manager" }, (e) => this.recordError(e), kubernetesVersion, webhooks);
    const minor = Number(/^v1\.(\d+)$/.exec(kubernetesVersion)?.[1] ?? 0);
    this.context = {
      api,
      as: (component) => api.as(component),
      now,
      events: new EventRecorder(api, now, recordEvents),
      kubernetesVersion,
      minor,
      reconciler: (name, fn) => void this.reconcilers.set(name, fn),
      watch: (storageKey, reconciler, keys) => {
        const list = this.watchers.get(storageKey) ?? [];
        list.push({ reconciler, keys });
        this.watchers.set(storageKey, list);
      },
      watchAll: (keys, reconciler) => void this.allWatchers.push({ reconciler, keys }),
      enqueue: (reconciler, key) => this.enqueue(reconciler, key),
      after: (ms, reconciler, key) => this.after(ms, reconciler, key),
    };
  }

  private recordError(e: ControllerError): void {
    this.errors.push(e);
    if (this.errors.length > MAX_ERRORS) this.errors.splice(0, this.errors.length - MAX_ERRORS);
  }

  /** Start following the store, and queue every object that already exists. */
  start(): void {
    this.unsubscribe = this.store.subscribeAll((e) => this.dispatch(e));
    for (const storageKey of this.watchers.keys()) {
      for (const object of this.store.list(storageKey)) this.dispatch({ type: "ADDED", revision: this.store.revision, storageKey, object });
    }
  }

  private dispatch(e: StoreEvent): void {
    if (this.stopped) return;
    for (const list of [this.watchers.get(e.storageKey), this.allWatchers]) {
      if (!list) continue;
      for (const w of list) {
        const keys = w.keys(e);
        if (keys === undefined) continue;
        if (typeof keys === "string") this.enqueue(w.reconciler, keys);
        else for (const k of keys) this.enqueue(w.reconciler, k);
      }
    }
  }

  /** Run a reconciler for a key at once (for a write that waits on a controller, as kube-apiserver's plugins retry). */
  reconcileNow(reconciler: string, key: string): void {
    if (this.stopped) return;
    try {
      this.reconcilers.get(reconciler)?.(key);
    } catch (e) {
      this.recordError({ controller: reconciler, action: `reconcile ${key}`, message: e instanceof Error ? e.message : String(e) });
    }
  }

  enqueue(reconciler: string, key: string): void {
    if (this.stopped) return;
    const id = `${reconciler}\u0000${key}`;
    if (this.queued.has(id)) return;
    this.queued.add(id);
    this.queue.push([reconciler, key]);
    this.schedule();
  }

  after(ms: number, reconciler: string, key: string): void {
    if (this.stopped) return;
    const id = `${reconciler}\u0000${key}`;
    const existing = this.timers.get(id);
    if (existing) clearTimeout(existing);
    const timer = setTimeout(() => {
      this.timers.delete(id);
      this.enqueue(reconciler, key);
    }, Math.max(0, ms));
    timer.unref();
    this.timers.set(id, timer);
  }

  private schedule(): void {
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    setImmediate(() => this.drain());
  }

  private drain(): void {
    this.scheduled = false;
    this.running = true;
    const started = performance.now();
    let done = 0;
    try {
      while (this.queueHead < this.queue.length && !this.stopped) {
        const [reconciler, key] = this.queue[this.queueHead++]!;
        this.queued.delete(`${reconciler}\u0000${key}`);
        const uses = this.outcomes.uses;
        try {
          this.reconciling = true;
          this.reconcilers.get(reconciler)?.(key);
          this.pauses.delete(`${reconciler}\u0000${key}`);
        } catch (e) {
          if (e instanceof WebhookPause) this.awaitWebhooks(e, reconciler, key, this.outcomes.uses > uses);
          else this.recordError({ controller: reconciler, action: `reconcile ${key}`, message: e instanceof Error ? e.message : String(e) });
        } finally {
          this.reconciling = false;
        }
        if (++done >= BATCH_ITEMS || performance.now() - started > BATCH_MS) break;
      }
    } finally {
      this.running = false;
    }
    if (this.queueHead > 4096 && this.queueHead * 2 > this.queue.length) {
      this.queue.splice(0, this.queueHead);
      this.queueHead = 0;
    }
    if (this.queueHead < this.queue.length && !this.stopped) this.schedule();
    else {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** A write of a reconcile waits for admission webhooks: call them, then run the reconcile again. */
  private awaitWebhooks(pause: WebhookPause, reconciler: string, key: string, progressed: boolean): void {
    const id = `${reconciler}\u0000${key}`;
    const count = progressed ? 1 : (this.pauses.get(id) ?? 0) + 1;
    this.pauses.set(id, count);
    if (count > 20 || !this.callWebhooks) {
      this.pauses.delete(id);
      this.recordError({ controller: reconciler, action: `reconcile ${key}`, message: "admission webhooks were called 20 times in a row without the reconcile making progress" });
      return;
    }
    this.pendingWebhooks++;
    // The same write paused by another run of the reconcile waits for the same calls.
    const outcomeKey = this.outcomes.keyOf(pause);
    let calling = this.calling.get(outcomeKey);
    if (!calling) {
      const call = this.callWebhooks;
      calling = call(pause)
        .then((outcome) => this.outcomes.put(pause, outcome))
        .catch((e: unknown) => this.recordError({ controller: reconciler, action: `call webhooks for ${key}`, message: e instanceof Error ? e.message : String(e) }))
        .finally(() => this.calling.delete(outcomeKey));
      this.calling.set(outcomeKey, calling);
    }
    void calling.finally(() => {
      this.pendingWebhooks--;
      this.enqueue(reconciler, key);
      // Nothing was queued (stopped): let settle() see the end of the wait.
      if (this.stopped || this.idle) for (const w of this.idleWaiters.splice(0)) w();
    });
  }

  /** Whether nothing is queued (and no reconcile waits for webhooks). */
  get idle(): boolean {
    return this.queueHead >= this.queue.length && !this.running && this.pendingWebhooks === 0;
  }

  private waitIdle(): Promise<void> {
    if (this.idle && !this.scheduled) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Resolve once the queue is empty and stays empty across a turn of the event loop (deletions
   * of dependents run a turn later); work waiting on timers is not counted.
   */
  async settle(): Promise<void> {
    for (let round = 0; round < 10_000 && !this.stopped; round++) {
      await this.waitIdle();
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setImmediate(r));
      if (this.idle && !this.scheduled) return;
    }
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
