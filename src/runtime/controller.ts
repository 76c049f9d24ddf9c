/**
 * Controllers: informers feed a rate-limited work queue with object keys; workers take keys and
 * call the reconciler, which reads the object from the cache and makes the world match it. The
 * shape is controller-runtime's: `for` one kind, `owns` kinds mapped to their controlling owner
 * through ownerReferences, `watches` with a custom mapping; an error or `requeue` retries with the
 * queue's backoff, `requeueAfterMs` comes back later, success forgets the failures.
 */
import type * as z from "zod";
import type { Kube } from "../client/kube.js";
import { UsageError } from "../errors.js";
import { resourceInfo, type ResourceInfo } from "../meta/registry.js";
import { isZodSchema } from "../meta/zod.js";
import { childSignal } from "./backoff.js";
import { InformerFactory, type InformerSelection } from "./factory.js";
import type { Informer, InformerEvent } from "./informer.js";
import type { RateLimiter } from "./rate-limiters.js";
import { splitKey, type ObjectMetaLike } from "./store.js";
import { WorkQueue, type WorkQueueMetrics } from "./workqueue.js";

/**
 * What to reconcile: the object's namespace and name (and its cache key).
 *
 * @example
 * const request: ReconcileRequest = { namespace: "shop", name: "web", key: "shop/web" };
 */
export interface ReconcileRequest {
  namespace?: string;
  name: string;
  /** `namespace/name`, or `name` for cluster-scoped objects. */
  key: string;
}

/**
 * What the reconciler asks for next: nothing (done), `requeue` (again, after the rate limiter's
 * delay), or `requeueAfterMs` (again after that long; failures are forgotten).
 *
 * @example
 * return { requeueAfterMs: 5 * 60_000 };
 */
export interface ReconcileResult {
  requeue?: boolean;
  requeueAfterMs?: number;
}

/**
 * What a reconcile call gets besides the request.
 *
 * @example
 * async function reconcile(request: ReconcileRequest, { object, signal }: ReconcileContext<Deployment>) { if (!object) return; … }
 */
export interface ReconcileContext<T> {
  /** The object as the cache holds it now; `undefined` when it is gone. */
  object: T | undefined;
  /** Aborted when the controller stops. */
  signal: AbortSignal;
  /** How often this key has been retried since its last success. */
  retries: number;
  /** The client the controller was made with. */
  kube: Kube;
}

/** A reconcile function. @example const reconcile: Reconciler<ConfigMap> = async (request, { object }) => {}; */
export type Reconciler<T> = (request: ReconcileRequest, context: ReconcileContext<T>) => Promise<ReconcileResult | void> | ReconcileResult | void;

/** An owned kind: objects whose controlling owner (ownerReference with `controller: true`) is of the `for` kind. @example const owned: OwnsSpec = { kind: ConfigMap, labelSelector: { app: "web" } }; */
export interface OwnsSpec extends InformerSelection {
  kind: z.ZodType;
}

/**
 * A watched kind with a mapping from its objects to the requests they should trigger.
 *
 * @example
 * const watched: WatchesSpec<typeof Secret> = { kind: Secret, map: (s) => [{ namespace: s.metadata?.namespace ?? undefined, name: "web" }] };
 */
export interface WatchesSpec<S extends z.ZodType = z.ZodType> extends InformerSelection {
  kind: S;
  map: (object: z.output<S>) => ReadonlyArray<{ namespace?: string | undefined; name: string }>;
}

/**
 * A controller's settings.
 *
 * @example
 * const options: ControllerOptions<typeof Deployment> = {
 *   for: Deployment,
 *   owns: [ConfigMap],
 *   concurrency: 4,
 *   reconcile: async ({ namespace, name }, { object }) => { … },
 * };
 */
export interface ControllerOptions<S extends z.ZodType, W extends readonly z.ZodType[] = z.ZodType[]> extends InformerSelection {
  /** The kind this controller reconciles. */
  for: S;
  /** Kinds whose objects are mapped to their controlling owner of the `for` kind. */
  owns?: ReadonlyArray<z.ZodType | OwnsSpec>;
  /** Kinds mapped to requests by a function (each `map` typed by its `kind`). */
  watches?: { readonly [K in keyof W]: WatchesSpec<W[K]> };
  reconcile: Reconciler<z.output<S>>;
  /** Reconciles running at once (never two for one key; default 1). */
  concurrency?: number;
  /** Delays of retries (default: client-go's default controller rate limiter). */
  rateLimiter?: RateLimiter<string>;
  /** Share informers with other controllers (default: the controller makes its own). */
  factory?: InformerFactory;
  /** A name for metrics and messages (default: the kind's plural). */
  name?: string;
  /** Only events of the `for` kind this returns true for are queued (controller-runtime's predicates). */
  filter?: (event: InformerEvent<z.output<S>>) => boolean;
  /** Called with every reconcile error (the key is retried with backoff) and every informer error. */
  onError?: (error: unknown, request?: ReconcileRequest) => void;
}

/** A controller's counters, and its queue's metrics. @example controller.metrics().reconciles; */
export interface ControllerMetrics {
  reconciles: number;
  errors: number;
  requeues: number;
  queue: WorkQueueMetrics;
}

/** The requests for the controlling owners of `obj` that are of kind `owner` (controller-runtime's `EnqueueRequestForOwner` with `OnlyControllerOwner`). Entries that are not owner references (an object received as it was, not matching its schema) are passed over. */
function controllerOwnerRequests(obj: unknown, owner: ResourceInfo, target: string[]): void {
  const meta = isRecord(obj) && isRecord(obj.metadata) ? obj.metadata : undefined;
  const refs = meta?.ownerReferences;
  if (!Array.isArray(refs)) return;
  for (const ref of refs as unknown[]) {
    if (!isRecord(ref) || ref.controller !== true || ref.kind !== owner.kind || typeof ref.name !== "string" || !ref.name) continue;
    // controller-runtime parses the apiVersion ("" is the core group); one that is not a string is not a reference.
    if (ref.apiVersion !== undefined && ref.apiVersion !== null && typeof ref.apiVersion !== "string") continue;
    const apiVersion = typeof ref.apiVersion === "string" ? ref.apiVersion : "";
    const group = apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "";
    if (group !== owner.group) continue;
    const ns = owner.namespaced && typeof meta?.namespace === "string" ? meta.namespace : undefined;
    target.push(ns ? `${ns}/${ref.name}` : ref.name);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The key of a request given by user code, or why it is not a request. */
function requestKeyOf(request: unknown): string | { problem: string } {
  if (!isRecord(request)) return { problem: `${describe(request)} is not a request ({ namespace?, name })` };
  const { name, namespace } = request;
  if (typeof name !== "string" || !name) return { problem: `a request needs a name (a non-empty string), got ${describe(name)}` };
  if (namespace !== undefined && namespace !== null && typeof namespace !== "string") return { problem: `a request's namespace must be a string, got ${describe(namespace)}` };
  return namespace ? `${namespace}/${name}` : name;
}

/** A short description of a value for messages (never the value of an object: it may hold secrets). */
function describe(v: unknown): string {
  if (v === null || v === undefined || typeof v === "boolean") return String(v);
  if (typeof v === "number") return String(v);
  if (typeof v === "string") return v.length > 64 ? `a string of ${v.length} characters` : JSON.stringify(v);
  if (Array.isArray(v)) return "an array";
  return `a ${typeof v}`;
}

/** What a reconcile returned, checked: the next step, or why it cannot be one. */
function readResult(result: unknown): { requeueAfterMs?: number; requeue: boolean } | { problem: string } {
  if (result === undefined || result === null) return { requeue: false };
  if (!isRecord(result)) return { problem: `returned ${describe(result)}; expected nothing or { requeue?: boolean, requeueAfterMs?: number }` };
  const { requeue, requeueAfterMs } = result;
  if (requeue !== undefined && typeof requeue !== "boolean") return { problem: `returned requeue ${describe(requeue)}; expected a boolean` };
  if (requeueAfterMs !== undefined && (typeof requeueAfterMs !== "number" || !Number.isFinite(requeueAfterMs))) {
    return { problem: `returned requeueAfterMs ${describe(requeueAfterMs)}; expected a finite number of milliseconds` };
  }
  // As controller-runtime reads RequeueAfter: zero or negative is no delayed requeue.
  return requeueAfterMs !== undefined && requeueAfterMs > 0 ? { requeueAfterMs, requeue: requeue === true } : { requeue: requeue === true };
}

/**
 * A controller: run it with `run(signal)`; it stops gracefully (in-flight reconciles finish) when
 * the signal aborts.
 *
 * @example
 * const c = new Controller(kube, {
 *   for: Deployment,
 *   owns: [ConfigMap],
 *   reconcile: async ({ namespace, name }, { object }) => {
 *     if (!object) return;                                  // deleted
 *     await kube.apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `${name}-config`, namespace } }, { fieldManager: "my-operator" });
 *     return { requeueAfterMs: 10 * 60_000 };
 *   },
 * });
 * await c.run(AbortSignal.timeout(60_000));
 */
export class Controller<S extends z.ZodType, W extends readonly z.ZodType[] = z.ZodType[]> {
  readonly name: string;
  readonly queue: WorkQueue<string>;
  readonly factory: InformerFactory;
  /** The cache of the `for` kind. */
  readonly informer: Informer<S>;
  readonly #ownFactory: boolean;
  readonly #options: ControllerOptions<S, W>;
  readonly #info: ResourceInfo;
  #reconciles = 0;
  #errors = 0;
  #requeues = 0;
  #running: Promise<void> | undefined;

  constructor(
    readonly kube: Kube,
    options: ControllerOptions<S, W>,
  ) {
    const info = resourceInfo(options.for);
    if (!info) throw new UsageError("a controller's `for` must be a resource schema");
    this.#info = info;
    this.#options = options;
    this.name = options.name ?? info.plural;
    this.queue = new WorkQueue<string>({ name: this.name, ...(options.rateLimiter ? { rateLimiter: options.rateLimiter } : {}) });
    this.#ownFactory = !options.factory;
    this.factory = options.factory ?? new InformerFactory(kube, { onError: (err) => this.#report(err) });
    this.informer = this.factory.informer(options.for, this.#primarySelection());
  }

  /** Queue a request by hand. @example controller.enqueue({ namespace: "shop", name: "web" }); */
  enqueue(request: { namespace?: string | undefined; name: string }): void {
    const key = requestKeyOf(request);
    if (typeof key !== "string") throw new UsageError(`controller ${this.name}: cannot enqueue: ${key.problem}`);
    this.queue.add(key);
  }

  /** The controller's counters. @example controller.metrics().queue.depth; */
  metrics(): ControllerMetrics {
    return { reconciles: this.#reconciles, errors: this.#errors, requeues: this.#requeues, queue: this.queue.metrics() };
  }

  /**
   * Start the informers, wait for their caches, and reconcile until `signal` aborts; then stop
   * taking keys, let running reconciles finish, and resolve. Rejects when a cache cannot sync
   * (403, 404, …).
   *
   * @example
   * const stop = new AbortController();
   * const done = controller.run(stop.signal);
   * stop.abort(); await done;
   */
  run(signal: AbortSignal = new AbortController().signal): Promise<void> {
    if (this.#running) throw new UsageError(`the controller ${this.name} is running already`);
    const running = this.#run(signal).finally(() => {
      this.#running = undefined;
    });
    this.#running = running;
    return running;
  }

  async #run(signal: AbortSignal): Promise<void> {
    const unsubscribe = this.#subscribe();
    const stopping = childSignal(signal);
    try {
      const informers = [this.informer as Informer<z.ZodType>, ...this.#watched.map((w) => w.informer)];
      const starting = Promise.all(informers.map((i) => i.start()));
      await Promise.race([starting, new Promise<void>((resolve) => stopping.signal.addEventListener("abort", () => resolve(), { once: true }))]);
      if (signal.aborted) {
        starting.catch(() => undefined);
        return;
      }
      const shutdown = (): void => this.queue.shutDown();
      signal.addEventListener("abort", shutdown, { once: true });
      try {
        const workers = Array.from({ length: Math.max(1, this.#options.concurrency ?? 1) }, () => this.#worker(signal));
        await Promise.all(workers);
      } finally {
        signal.removeEventListener("abort", shutdown);
      }
    } finally {
      stopping.release();
      unsubscribe();
      if (this.#ownFactory) await this.factory.stop();
    }
  }

  #watched: Array<{ informer: Informer<z.ZodType> }> = [];

  /** Connect every informer's events to the queue; returns the function that disconnects them. */
  #subscribe(): () => void {
    const offs: Array<() => void> = [];
    const filter = this.#options.filter;
    offs.push(
      this.informer.on((event) => {
        if (filter) {
          let pass: boolean;
          try {
            pass = filter(event);
          } catch (err) {
            // Queued all the same: a reconcile too many is harmless, a missed one is not.
            this.#report(new UsageError(`controller ${this.name}: the filter threw for ${this.#info.kind} ${keyOfObject(event.object) || "(no name)"} (queued anyway): ${err instanceof Error ? err.message : describe(err)}`, { cause: err }));
            pass = true;
          }
          if (!pass) return;
        }
        this.queue.add(keyOfObject(event.object));
      }),
    );
    this.#watched = [];
    const selection = this.#ownedSelection();
    for (const owned of this.#options.owns ?? []) {
      const spec: OwnsSpec = isZodSchema(owned) ? { kind: owned } : owned;
      const { kind, ...which } = spec;
      const informer = this.factory.informer(kind, { ...selection, ...which });
      this.#watched.push({ informer });
      offs.push(
        informer.on((event) => {
          const keys: string[] = [];
          controllerOwnerRequests(event.object, this.#info, keys);
          if (event.type === "update") controllerOwnerRequests(event.old, this.#info, keys);
          for (const key of keys) this.queue.add(key);
        }),
      );
    }
    for (const watched of (this.#options.watches ?? []) as ReadonlyArray<WatchesSpec<z.ZodType>>) {
      const { kind, map, ...which } = watched;
      const informer = this.factory.informer(kind, { ...selection, ...which });
      this.#watched.push({ informer });
      offs.push(
        informer.on((event) => {
          this.#mapWatched(kind, map, event.object);
          if (event.type === "update") this.#mapWatched(kind, map, event.old);
        }),
      );
    }
    return () => {
      for (const off of offs) off();
    };
  }

  /** Queue what a `watches` mapping returns for one object; a mapping that throws or returns what is not a list of requests is reported (naming the object), never let through. */
  #mapWatched(kind: z.ZodType, map: WatchesSpec<z.ZodType>["map"], object: unknown): void {
    const what = (): string => `controller ${this.name}: the watches mapping for ${resourceInfo(kind)?.kind ?? "an object"} ${keyOfObject(object) || "(no name)"}`;
    let requests: unknown;
    try {
      requests = map(object);
    } catch (err) {
      this.#report(new UsageError(`${what()} threw: ${err instanceof Error ? err.message : describe(err)}`, { cause: err }));
      return;
    }
    if (requests === undefined || requests === null) return;
    if (!Array.isArray(requests)) {
      this.#report(new UsageError(`${what()} returned ${describe(requests)}; expected an array of { namespace?, name }`));
      return;
    }
    for (const request of requests as unknown[]) {
      const key = requestKeyOf(request);
      if (typeof key === "string") this.queue.add(key);
      else this.#report(new UsageError(`${what()} returned an entry that is not a request: ${key.problem}`));
    }
  }

  async #worker(signal: AbortSignal): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      const { namespace, name } = splitKey(key);
      const request: ReconcileRequest = namespace !== undefined ? { namespace, name, key } : { name, key };
      try {
        this.#reconciles++;
        const result = await this.#options.reconcile(request, {
          object: this.informer.getByKey(key),
          signal,
          retries: this.queue.numRequeues(key),
          kube: this.kube,
        });
        const next = readResult(result);
        if ("problem" in next) throw new UsageError(`controller ${this.name}: the reconcile of ${key} ${next.problem}`);
        if (next.requeueAfterMs !== undefined) {
          this.queue.forget(key);
          this.queue.addAfter(key, next.requeueAfterMs);
        } else if (next.requeue) {
          this.#requeues++;
          this.queue.addRateLimited(key);
        } else {
          this.queue.forget(key);
        }
      } catch (thrown) {
        this.#errors++;
        if (!signal.aborted) {
          // A thrown value that is not an Error (a string, undefined) becomes one naming the request.
          const err = thrown instanceof Error ? thrown : new UsageError(`controller ${this.name}: the reconcile of ${key} threw ${describe(thrown)}, not an Error`, { cause: thrown });
          this.#report(err, request);
          this.queue.addRateLimited(key);
        }
      } finally {
        this.queue.done(key);
      }
    }
  }

  #primarySelection(): InformerSelection {
    const { namespace, allNamespaces, labelSelector, fieldSelector } = this.#options;
    return {
      ...(namespace !== undefined ? { namespace } : {}),
      ...(allNamespaces !== undefined ? { allNamespaces } : {}),
      ...(labelSelector !== undefined ? { labelSelector } : {}),
      ...(fieldSelector !== undefined ? { fieldSelector } : {}),
    };
  }

  /** Owned and watched kinds: the primary's namespaces (every namespace for a cluster-scoped primary), no selectors. */
  #ownedSelection(): InformerSelection {
    if (!this.#info.namespaced || this.#options.allNamespaces) return { allNamespaces: true };
    return this.#options.namespace !== undefined ? { namespace: this.#options.namespace } : {};
  }

  #report(err: unknown, request?: ReconcileRequest): void {
    try {
      this.#options.onError?.(err, request);
    } catch {
      // A failing error handler must not stop the controller.
    }
  }
}

function keyOfObject(obj: unknown): string {
  const meta = (obj as ObjectMetaLike).metadata;
  return meta?.namespace ? `${meta.namespace}/${meta.name ?? ""}` : (meta?.name ?? "");
}

/**
 * Build a controller step by step, controller-runtime's builder style: `for` a kind, `owns` and
 * `watches` others, then `reconcile`.
 *
 * @example
 * const c = controller(kube, Deployment, { namespace: "shop" })
 *   .owns(ConfigMap)
 *   .watches(Secret, (secret) => [{ namespace: secret.metadata?.namespace ?? undefined, name: "web" }])
 *   .withOptions({ concurrency: 2 })
 *   .reconcile(async (request, { object }) => { … });
 * await c.run(signal);
 */
export function controller<S extends z.ZodType>(kube: Kube, kind: S, selection: InformerSelection = {}): ControllerBuilder<S> {
  return new ControllerBuilder(kube, kind, selection);
}

/** The builder `controller(...)` returns. @example controller(kube, Deployment).owns(ConfigMap).reconcile(fn); */
export class ControllerBuilder<S extends z.ZodType> {
  readonly #owns: Array<z.ZodType | OwnsSpec> = [];
  readonly #watches: Array<WatchesSpec<z.ZodType>> = [];
  #options: Omit<ControllerOptions<S>, "for" | "owns" | "watches" | "reconcile"> = {};

  constructor(
    private readonly kube: Kube,
    private readonly kind: S,
    private readonly selection: InformerSelection,
  ) {}

  /** Also reconcile the controlling owner of these objects. @example .owns(ConfigMap) */
  owns(kind: z.ZodType, selection: InformerSelection = {}): this {
    this.#owns.push({ kind, ...selection });
    return this;
  }

  /** Also reconcile what `map` returns for these objects. @example .watches(Secret, (s) => [{ namespace: "shop", name: "web" }]) */
  watches<W extends z.ZodType>(kind: W, map: WatchesSpec<W>["map"], selection: InformerSelection = {}): this {
    this.#watches.push({ kind, map: map as WatchesSpec<z.ZodType>["map"], ...selection });
    return this;
  }

  /** Concurrency, rate limiter, shared factory, filter, error handler. @example .withOptions({ concurrency: 4 }) */
  withOptions(options: Omit<ControllerOptions<S>, "for" | "owns" | "watches" | "reconcile">): this {
    this.#options = { ...this.#options, ...options };
    return this;
  }

  /** The controller, with its reconcile function. @example const c = builder.reconcile(fn); await c.run(signal); */
  reconcile(reconcile: Reconciler<z.output<S>>): Controller<S> {
    return new Controller(this.kube, { ...this.selection, ...this.#options, for: this.kind, owns: this.#owns, watches: this.#watches, reconcile });
  }
}
