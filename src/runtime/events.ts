/**
 * Recording events.k8s.io/v1 Events as client-go's events broadcaster does: each event names its
 * reporting controller and instance; an event recorded again (same type, reason, action, regarding
 * and related object, same reporter) becomes a series on the first Event instead of a new Event —
 * the count is written on the first repeat and then from time to time (and when the recorder
 * closes); a spam filter (a token bucket per reporter and object: 25 at once, then one per 5
 * minutes) drops floods; writes happen in the background, retried when the server cannot be reached.
 */
import { hostname } from "node:os";
import type * as z from "zod";
import type { Kube } from "../client/kube.js";
import { ConnectionError, InvalidResponseError, KubeApiError, TimeoutError, UsageError, isAlreadyExists, isNotFound } from "../errors.js";
import { isQualifiedName } from "../meta/names.js";
import { MAX_TIMER_MS, pause } from "./backoff.js";
import { microTime } from "./leader-election.js";

/** An object an event is about (any Kubernetes object). @example const regarding: EventObject = deployment; */
export interface EventObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string | null; namespace?: string | null; uid?: string | null; resourceVersion?: string | null } | null;
}

/**
 * One event to record.
 *
 * @example
 * recorder.event(deployment, { type: "Warning", reason: "ConfigMissing", action: "Reconcile", note: "no ConfigMap found" });
 */
export interface EventOptions {
  /** `Normal` (default) or `Warning`. */
  type?: "Normal" | "Warning";
  /** Why (UpperCamelCase, at most 128 characters): `Created`, `FailedSync`. */
  reason: string;
  /** What was done or failed (UpperCamelCase, at most 128 characters): `Reconcile`, `Create`. */
  action: string;
  /** A human-readable description (at most 1 KiB; longer notes are cut). */
  note?: string;
  /** A second object the event is about. */
  related?: EventObject;
}

/**
 * Settings of an event recorder.
 *
 * @example
 * const options: EventRecorderOptions = { reportingController: "example.com/config-operator" };
 */
export interface EventRecorderOptions {
  /** The controller's name (`example.com/config-operator`). */
  reportingController: string;
  /** This instance (default `<reportingController>-<hostname>`, as client-go names it). */
  reportingInstance?: string;
  /** Spam filter: events one reporter may send about one object at once (default 25). */
  spamBurst?: number;
  /** Spam filter: refill rate of that allowance, per second (default 1/300: one per 5 minutes). */
  spamQps?: number;
  /** Writes waiting beyond this many are dropped (default 1000). */
  maxQueued?: number;
  /** Attempts per write when the server cannot be reached (default 12). */
  maxTries?: number;
  /** Wait between attempts in ms (default 10 000, with 25 % jitter). */
  retryDelayMs?: number;
  /** A series not observed for this long is written one last time and forgotten (default 6 minutes). */
  finishSeriesAfterMs?: number;
  /** Open series are written again this often, to keep their Events alive (default 30 minutes). */
  refreshSeriesEveryMs?: number;
  /** Called when an event cannot be written (it is dropped). */
  onError?: (error: unknown) => void;
}

/** An Event as this recorder writes it (events.k8s.io/v1). */
interface EventBody {
  metadata: { name: string; namespace: string; resourceVersion?: string };
  eventTime: string;
  series?: { count: number; lastObservedTime: string };
  reportingController: string;
  reportingInstance: string;
  action: string;
  reason: string;
  regarding: Reference;
  related?: Reference;
  note?: string;
  type: string;
}

interface Reference {
  apiVersion?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
}

interface CacheEntry {
  event: EventBody;
  /** The series count changed since it was last written. */
  dirty: boolean;
  observedAt: number;
}

/** Kubernetes' limits on an events.k8s.io/v1 Event (pkg/apis/core/validation/events.go), in bytes. */
const MAX_NOTE_BYTES = 1024;
const MAX_REASON_BYTES = 128;
const MAX_ACTION_BYTES = 128;
const MAX_INSTANCE_BYTES = 128;
const MAX_NAME = 253;
const MAX_CACHE = 4096;

let eventSchema: Promise<z.ZodType> | undefined;
function loadEvent(): Promise<z.ZodType> {
  eventSchema ??= import("#schemas/latest/events/v1.table.js").then((m) => m.$.Event as z.ZodType);
  return eventSchema;
}

function referenceOf(obj: EventObject, field: string): Reference {
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) throw new UsageError(`the ${field} object of an event must be a Kubernetes object, got ${obj === null ? "null" : Array.isArray(obj) ? "an array" : typeof obj}`);
  const m: Record<string, unknown> = typeof obj.metadata === "object" && obj.metadata !== null ? (obj.metadata as Record<string, unknown>) : {};
  const ref: Reference = {};
  const text = (v: unknown): string | undefined => (typeof v === "string" && v ? v : undefined);
  const apiVersion = text(obj.apiVersion);
  const kind = text(obj.kind);
  if (apiVersion) ref.apiVersion = apiVersion;
  if (kind) ref.kind = kind;
  for (const key of ["name", "namespace", "uid", "resourceVersion"] as const) {
    const v = text(m[key]);
    if (v) ref[key] = v;
  }
  return ref;
}

/** A string field of an event: present, a string, within Kubernetes' limit. */
function checkText(value: unknown, field: string, max: number): string {
  if (typeof value !== "string" || !value) throw new UsageError(`an event needs a reason and an action (non-empty strings); ${field} is ${typeof value === "string" ? "empty" : typeof value}`);
  if (Buffer.byteLength(value) > max) throw new UsageError(`an event's ${field} can have at most ${max} bytes (Kubernetes refuses longer ones), got ${Buffer.byteLength(value)}`);
  return value;
}

/** `<name>.<suffix>` as client-go names events, made a DNS subdomain of at most 253 characters whatever the object's name (a ClusterRole's "system:…" is not one). */
function eventName(name: string, suffix: string): string {
  const labels = (text: string): string =>
    text
      .split(".")
      .map((label) => label.replace(/^-+|-+$/g, ""))
      .filter(Boolean)
      .join(".");
  const base = labels(labels(name.toLowerCase().replace(/[^a-z0-9.-]/g, "-")).slice(0, MAX_NAME - suffix.length - 1));
  return `${base || "event"}.${suffix}`;
}

/** Sub-millisecond part of Event names: shared by every recorder of the process, from a random start so two processes seldom meet. */
let nameCounter = Math.floor(Math.random() * 1_000_000);

/** Failures worth another attempt: the server unreachable or overloaded, an answer cut or garbled by a proxy. */
function retryable(err: unknown): boolean {
  if (err instanceof ConnectionError || err instanceof TimeoutError) return true;
  if (err instanceof KubeApiError) return err.status >= 500 || err.status === 429;
  if (err instanceof InvalidResponseError) return err.status >= 500 || err.status === 429;
  return false;
}

function truncateNote(note: string): string {
  if (Buffer.byteLength(note) <= MAX_NOTE_BYTES) return note;
  let cut = note.slice(0, MAX_NOTE_BYTES);
  while (Buffer.byteLength(cut) > MAX_NOTE_BYTES) cut = cut.slice(0, -1);
  return cut;
}

/**
 * Records events for a controller.
 *
 * @example
 * const recorder = new EventRecorder(kube, { reportingController: "example.com/config-operator" });
 * recorder.event(deployment, { reason: "ConfigCreated", action: "Reconcile", note: "created web-config" });
 * await recorder.close();                  // writes what is pending
 */
export class EventRecorder {
  readonly reportingController: string;
  readonly reportingInstance: string;
  readonly #options: EventRecorderOptions;
  /** Isomorphic events (same key) → the first Event, with its series. */
  readonly #cache = new Map<string, CacheEntry>();
  /** Spam filter buckets per reporter + object. */
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  #pending = 0;
  #queue: Promise<void> = Promise.resolve();
  #closed = false;
  /** Aborted when closing should not wait for retries any longer. */
  readonly #giveUp = new AbortController();
  readonly #timers: Array<ReturnType<typeof setInterval>> = [];
  #stats = { recorded: 0, written: 0, filtered: 0, dropped: 0 };

  constructor(
    readonly kube: Kube,
    options: EventRecorderOptions,
  ) {
    if (!options.reportingController || typeof options.reportingController !== "string") throw new UsageError("an event recorder needs its reportingController");
    const problems = isQualifiedName(options.reportingController);
    if (problems.length) throw new UsageError(`reportingController "${options.reportingController}" is not a qualified name (example.com/my-operator): ${problems[0]}`);
    if (options.reportingInstance !== undefined && (typeof options.reportingInstance !== "string" || !options.reportingInstance || Buffer.byteLength(options.reportingInstance) > MAX_INSTANCE_BYTES)) {
      throw new UsageError(`reportingInstance must be a non-empty string of at most ${MAX_INSTANCE_BYTES} bytes`);
    }
    for (const field of ["finishSeriesAfterMs", "refreshSeriesEveryMs", "retryDelayMs"] as const) {
      const v = options[field];
      // Beyond 2^31-1 ms a Node timer fires after 1 ms: the series timers would spin.
      if (v !== undefined && !(typeof v === "number" && v >= 0 && v <= MAX_TIMER_MS)) throw new UsageError(`${field} must be a number of milliseconds from 0 to ${MAX_TIMER_MS}, got ${String(v)}`);
    }
    for (const field of ["spamBurst", "spamQps", "maxQueued", "maxTries"] as const) {
      const v = options[field];
      if (v !== undefined && !(typeof v === "number" && v >= 0 && Number.isFinite(v))) throw new UsageError(`${field} must be a finite number ≥ 0, got ${String(v)}`);
    }
    this.#options = options;
    this.reportingController = options.reportingController;
    // client-go's default, cut to the limit Kubernetes keeps (a long controller name made every write fail).
    this.reportingInstance = options.reportingInstance ?? `${options.reportingController}-${hostname()}`.slice(0, MAX_INSTANCE_BYTES);
    const finish = options.finishSeriesAfterMs ?? 6 * 60_000;
    const refresh = options.refreshSeriesEveryMs ?? 30 * 60_000;
    this.#timers.push(setInterval(() => this.#finishSeries(finish), finish), setInterval(() => this.#refreshSeries(), refresh));
    for (const t of this.#timers) t.unref();
  }

  /** Counters: events recorded, written, filtered as spam, dropped. @example recorder.stats.filtered; */
  get stats(): Readonly<{ recorded: number; written: number; filtered: number; dropped: number }> {
    return { ...this.#stats };
  }

  /**
   * Record an event about an object (written in the background; never throws for server errors).
   *
   * @example
   * recorder.event(pod, { type: "Warning", reason: "BackOff", action: "Restart", note: "restarting failed container" });
   */
  event(regarding: EventObject, options: EventOptions): void {
    if (this.#closed) return;
    if (typeof options !== "object" || options === null) throw new UsageError("an event needs its options: { reason, action, … }");
    const type = options.type ?? "Normal";
    if (type !== "Normal" && type !== "Warning") throw new UsageError(`event type must be Normal or Warning, got "${String(type)}"`);
    const reason = checkText(options.reason, "reason", MAX_REASON_BYTES);
    const action = checkText(options.action, "action", MAX_ACTION_BYTES);
    if (options.note !== undefined && typeof options.note !== "string") throw new UsageError(`an event's note must be a string, got ${typeof options.note}`);
    const ref = referenceOf(regarding, "regarding");
    if (!ref.name) throw new UsageError("the object an event is about needs metadata.name");
    const related = options.related !== undefined && options.related !== null ? referenceOf(options.related, "related") : undefined;
    this.#stats.recorded++;
    if (this.#spam(ref)) {
      this.#stats.filtered++;
      return;
    }
    const key = JSON.stringify([type, action, reason, this.reportingController, this.reportingInstance, ref, related ?? null]);
    const now = microTime();
    const entry = this.#cache.get(key);
    if (entry) {
      this.#touch(key, entry);
      entry.observedAt = performance.now();
      if (entry.event.series) {
        // Later repeats only count; the count is written from time to time.
        entry.event.series = { count: entry.event.series.count + 1, lastObservedTime: now };
        entry.dirty = true;
        return;
      }
      entry.event.series = { count: 2, lastObservedTime: now };
      this.#enqueue(entry, structuredClone(entry.event));
      return;
    }
    const event: EventBody = {
      metadata: { name: eventName(ref.name, this.#uniqueSuffix()), namespace: ref.namespace || "default" },
      eventTime: now,
      reportingController: this.reportingController,
      reportingInstance: this.reportingInstance,
      action,
      reason,
      regarding: ref,
      ...(related ? { related } : {}),
      ...(options.note !== undefined ? { note: truncateNote(options.note) } : {}),
      type,
    };
    const fresh: CacheEntry = { event, dirty: false, observedAt: performance.now() };
    this.#cache.set(key, fresh);
    if (this.#cache.size > MAX_CACHE) this.#cache.delete(this.#cache.keys().next().value!);
    this.#enqueue(fresh, structuredClone(event));
  }

  /** Wait until every write queued so far is done. @example await recorder.flush(); */
  async flush(): Promise<void> {
    await this.#queue;
  }

  /**
   * Write the counts of open series, wait for every write (retries included), and stop recording.
   * `signal` cuts the wait short: writes still retrying are then dropped.
   *
   * @example
   * await recorder.close({ signal: AbortSignal.timeout(5000) });
   */
  async close(options: { signal?: AbortSignal } = {}): Promise<void> {
    if (options.signal) {
      if (options.signal.aborted) this.#giveUp.abort();
      else options.signal.addEventListener("abort", () => this.#giveUp.abort(), { once: true });
    }
    if (!this.#closed) {
      for (const t of this.#timers) clearInterval(t);
      for (const entry of this.#cache.values()) if (entry.dirty && entry.event.series) this.#enqueue(entry, structuredClone(entry.event));
      this.#closed = true;
    }
    await this.flush();
  }

  /** Token bucket per reporter + object (client-go's EventSourceObjectSpamFilter). */
  #spam(ref: Reference): boolean {
    const key = JSON.stringify([this.reportingController, this.reportingInstance, ref.kind, ref.namespace, ref.name, ref.uid, ref.apiVersion]);
    const burst = this.#options.spamBurst ?? 25;
    const qps = this.#options.spamQps ?? 1 / 300;
    const now = performance.now();
    const bucket = this.#buckets.get(key) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * qps);
    bucket.at = now;
    this.#buckets.delete(key);
    this.#buckets.set(key, bucket);
    if (this.#buckets.size > MAX_CACHE) this.#buckets.delete(this.#buckets.keys().next().value!);
    if (bucket.tokens < 1) return true;
    bucket.tokens -= 1;
    return false;
  }

  #touch(key: string, entry: CacheEntry): void {
    this.#cache.delete(key);
    this.#cache.set(key, entry);
  }

  /** A name suffix unique within this process: nanoseconds since the epoch, in hex (client-go's `%x` of UnixNano). */
  #uniqueSuffix(): string {
    const nanos = BigInt(Date.now()) * 1_000_000n + BigInt(nameCounter++ % 1_000_000);
    return nanos.toString(16);
  }

  #enqueue(entry: CacheEntry, snapshot: EventBody): void {
    const max = this.#options.maxQueued ?? 1000;
    if (this.#pending >= max) {
      this.#stats.dropped++;
      return;
    }
    this.#pending++;
    if (snapshot.series) entry.dirty = false;
    this.#queue = this.#queue
      .then(() => this.#write(entry, snapshot))
      .catch((err: unknown) => {
        // Nothing a write meets may break the chain (or go unhandled): the event is dropped.
        this.#stats.dropped++;
        this.#report(err);
      })
      .finally(() => this.#pending--);
  }

  /** Create the Event, or patch its series (creating it when it is gone), with retries on connection failures. */
  async #write(entry: CacheEntry, event: EventBody): Promise<void> {
    const Event = await loadEvent();
    const tries = this.#options.maxTries ?? 12;
    const delay = this.#options.retryDelayMs ?? 10_000;
    for (let attempt = 1; ; attempt++) {
      if (this.#giveUp.signal.aborted) {
        this.#stats.dropped++;
        return;
      }
      try {
        let written: { metadata?: { resourceVersion?: string | null } | null } | undefined;
        if (event.series) {
          try {
            written = (await this.kube.patch(Event, event.metadata.name, { series: event.series }, { namespace: event.metadata.namespace, type: "strategic" })) as typeof written;
          } catch (err) {
            if (!isNotFound(err)) throw err;
          }
        }
        if (!written) {
          const { resourceVersion: _rv, ...metadata } = event.metadata;
          written = (await this.kube.create(Event, { ...event, metadata })) as typeof written;
        }
        const rv = written?.metadata?.resourceVersion;
        if (rv) entry.event.metadata.resourceVersion = rv;
        this.#stats.written++;
        return;
      } catch (err) {
        // The Event appeared between the failed patch and the create: try the patch again.
        const retry = retryable(err) || (event.series !== undefined && isAlreadyExists(err));
        // Closing: a server that cannot be reached (refused, reset, silent until the request's
        // timeout) ends the wait — this write and the rest are dropped — so close() does not wait
        // out every write's retries one after the other.
        if (this.#closed && (err instanceof ConnectionError || err instanceof TimeoutError)) this.#giveUp.abort();
        if (!retry || attempt >= tries || this.#giveUp.signal.aborted) {
          // Closing, a write that used up its tries on a failing server ends the wait for the rest.
          if (this.#closed && retry) this.#giveUp.abort();
          this.#stats.dropped++;
          this.#report(err);
          return;
        }
        await pause(delay * (1 + Math.random() * 0.25), this.#giveUp.signal);
      }
    }
  }

  /** Series not observed for `after` ms: write their final count and forget them; singletons older than that are forgotten. */
  #finishSeries(after: number): void {
    const now = performance.now();
    for (const [key, entry] of this.#cache) {
      if (now - entry.observedAt <= after) continue;
      if (entry.dirty && entry.event.series) this.#enqueue(entry, structuredClone(entry.event));
      this.#cache.delete(key);
    }
  }

  #refreshSeries(): void {
    for (const entry of this.#cache.values()) if (entry.event.series) this.#enqueue(entry, structuredClone(entry.event));
  }

  #report(err: unknown): void {
    try {
      this.#options.onError?.(err);
    } catch {
      // A failing error handler must not stop the recorder.
    }
  }
}
