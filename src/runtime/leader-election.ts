/**
 * Leader election on a coordination.k8s.io/v1 Lease, as client-go's `leaderelection` does it:
 * candidates try to take the Lease every retry period (with jitter); the holder renews it, and
 * steps down when it could not renew within the renew deadline; the others take over once the
 * Lease has not changed for its duration as *they* observed it (their own clock, never the
 * holder's timestamps). `holderIdentity`, `leaseTransitions` and the MicroTime `acquireTime` /
 * `renewTime` are written as client-go writes them; on shutdown the holder releases the Lease.
 */
import { hostname } from "node:os";
import type * as z from "zod";
import type { Kube } from "../client/kube.js";
import { ConflictError, InvalidResponseError, KubeApiError, NotFoundError, UsageError, isAlreadyExists, isConflict, isNotFound } from "../errors.js";
import { MAX_TIMER_MS, childSignal, pause, raceAbort } from "./backoff.js";

/**
 * Settings of a leader election (client-go's defaults: lease 15 s, renew deadline 10 s, retry 2 s).
 *
 * @example
 * const options: LeaderElectionOptions = {
 *   name: "my-operator",
 *   onStartedLeading: (signal) => controller.run(signal),
 *   onStoppedLeading: () => console.log("no longer leading"),
 * };
 */
export interface LeaderElectionOptions {
  /** The Lease's name. */
  name: string;
  /** The Lease's namespace (default: the client's). */
  namespace?: string;
  /** This candidate's identity (default: `<hostname>_<uuid>`, as controller-runtime makes it). */
  identity?: string;
  /** How long others wait, after the Lease last changed, before taking it (default 15 000 ms; whole seconds are written). */
  leaseDurationMs?: number;
  /** How long the leader keeps trying to renew before it steps down (default 10 000 ms; less than the lease duration). */
  renewDeadlineMs?: number;
  /** How often candidates try, and the leader renews (default 2 000 ms). */
  retryPeriodMs?: number;
  /** Release the Lease when the election is stopped while leading, so another candidate takes over at once (default true). */
  releaseOnCancel?: boolean;
  /**
   * Called on becoming leader; `signal` aborts on losing the lead or on stop. A returned promise is
   * awaited (up to the renew deadline) before the Lease is released. When it throws or rejects, the
   * leader reports the error, steps down and releases the Lease (a leader not doing its work would
   * stop every replica's), and campaigns again after a retry period.
   */
  onStartedLeading?: (signal: AbortSignal) => void | Promise<void>;
  /** Called after stepping down (lost, or stopped). */
  onStoppedLeading?: () => void;
  /** Called when the observed leader changes (including to this candidate). */
  onNewLeader?: (identity: string) => void;
  /** Called when reading or writing the Lease fails (the election goes on). */
  onError?: (error: unknown) => void;
}

/** The Lease spec fields the election reads and writes. */
interface LeaseRecord {
  holderIdentity?: string | null;
  leaseDurationSeconds?: number | null;
  acquireTime?: string | null;
  renewTime?: string | null;
  leaseTransitions?: number | null;
}

interface LeaseObject {
  metadata?: { name?: string | null; namespace?: string | null; resourceVersion?: string | null } | null;
  spec?: LeaseRecord | null;
}

/**
 * A Kubernetes MicroTime: RFC 3339 with six fractional digits, in UTC.
 *
 * @example
 * microTime(new Date(0)); // "1970-01-01T00:00:00.000000Z"
 */
export function microTime(date: Date = new Date()): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

/** An RFC 3339 time, as MicroTime and Time are written. */
const MICRO_OR_RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

let leaseSchema: Promise<z.ZodType> | undefined;
function loadLease(): Promise<z.ZodType> {
  leaseSchema ??= import("#schemas/latest/coordination/v1.table.js").then((m) => m.$.Lease as z.ZodType);
  return leaseSchema;
}

/**
 * One candidate in a leader election. `run(signal)` campaigns until `signal` aborts: it takes the
 * Lease when it is free or expired, leads while it renews in time (calling `onStartedLeading`),
 * steps down when it cannot (calling `onStoppedLeading`), and campaigns again.
 *
 * @example
 * const election = new LeaderElection(kube, {
 *   name: "my-operator",
 *   namespace: "operators",
 *   onStartedLeading: (signal) => controller.run(signal),
 * });
 * await election.run(shutdown.signal);      // releases the Lease when shutdown aborts
 */
export class LeaderElection {
  readonly identity: string;
  readonly #options: LeaderElectionOptions;
  readonly #namespace: string;
  readonly #leaseMs: number;
  readonly #renewMs: number;
  readonly #retryMs: number;
  #observed: LeaseObject | undefined;
  #observedRaw = "";
  #observedAt = 0;
  #leading = false;
  #leader = "";
  #validUntil = 0;
  /** When the Lease another candidate holds runs out, by this candidate's clock. */
  #othersExpireAt = 0;
  #running: Promise<void> | undefined;

  constructor(
    readonly kube: Kube,
    options: LeaderElectionOptions,
  ) {
    this.#options = options;
    this.identity = options.identity ?? `${hostname()}_${process.getBuiltinModule("node:crypto").randomUUID()}`;
    this.#namespace = options.namespace ?? kube.namespace;
    this.#leaseMs = options.leaseDurationMs ?? 15_000;
    this.#renewMs = options.renewDeadlineMs ?? 10_000;
    this.#retryMs = options.retryPeriodMs ?? 2_000;
    if (!options.name) throw new UsageError("a leader election needs the Lease's name");
    for (const [field, value] of [["leaseDurationMs", this.#leaseMs], ["renewDeadlineMs", this.#renewMs], ["retryPeriodMs", this.#retryMs]] as const) {
      // Beyond 2^31-1 ms a Node timer fires at once: a leader would step down as soon as it led.
      if (typeof value !== "number" || !Number.isFinite(value) || value > MAX_TIMER_MS) throw new UsageError(`${field} must be a finite number of milliseconds (at most ${MAX_TIMER_MS}), got ${String(value)}`);
    }
    if (this.#leaseMs < 1000) throw new UsageError("leaseDurationMs must be at least 1000 (the Lease holds whole seconds)");
    if (this.#leaseMs <= this.#renewMs) throw new UsageError("leaseDurationMs must be greater than renewDeadlineMs");
    // client-go's rule: the deadline must leave room for a jittered retry.
    if (this.#renewMs <= 1.2 * this.#retryMs) throw new UsageError("renewDeadlineMs must be greater than 1.2 × retryPeriodMs");
    if (this.#retryMs < 1) throw new UsageError("retryPeriodMs must be positive");
  }

  /** Whether this candidate leads now (it renewed within the renew deadline). @example if (election.isLeader) … */
  get isLeader(): boolean {
    return this.#leading && performance.now() < this.#validUntil;
  }

  /** The identity of the leader as last observed ("" when none). @example election.leader; */
  get leader(): string {
    return this.#leader;
  }

  /**
   * Campaign until `signal` aborts; then stop leading, release the Lease (with `releaseOnCancel`)
   * and resolve.
   *
   * @example
   * await election.run(AbortSignal.timeout(60_000));
   */
  run(signal: AbortSignal): Promise<void> {
    if (this.#running) throw new UsageError(`the leader election ${this.#namespace}/${this.#options.name} is running already`);
    const running = this.#run(signal).finally(() => {
      this.#running = undefined;
    });
    this.#running = running;
    return running;
  }

  async #run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.#acquire(signal);
      if (signal.aborted) break;
      // A leader whose work failed gave the Lease up: give the others a retry period to take it.
      if (await this.#lead(signal)) await pause(this.#retryMs, signal);
    }
  }

  /** Try every retry period (jittered, as client-go's JitterUntil with factor 1.2) until this candidate holds the Lease. */
  async #acquire(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      if (await this.#attempt(signal)) return;
      // Come back after a jittered retry period, or right when the holder's lease runs out if that is sooner.
      const untilExpiry = this.#othersExpireAt - performance.now();
      const wait = this.#retryMs * (1 + Math.random() * 1.2);
      await pause(untilExpiry > 0 ? Math.min(wait, untilExpiry + 1) : wait, signal);
    }
  }

  /**
   * Lead: renew every retry period; step down when no renewal succeeded within the renew deadline,
   * or when the work failed (then the Lease is released, and the result is true).
   */
  async #lead(signal: AbortSignal): Promise<boolean> {
    const leading = childSignal(signal);
    this.#leading = true;
    let work: Promise<void> | undefined;
    // Stepping down is a timer of its own: it fires at the deadline even while a renewal hangs.
    let stepDown: ReturnType<typeof setTimeout> | undefined;
    const armStepDown = (): void => {
      if (stepDown) clearTimeout(stepDown);
      stepDown = setTimeout(() => leading.controller.abort(new Error("the Lease was not renewed within the renew deadline")), Math.max(0, this.#validUntil - performance.now()));
    };
    armStepDown();
    let failed = false;
    const fail = (err: unknown): void => {
      if (leading.signal.aborted) return void this.#report(err);
      // A leader that holds the Lease without doing its work stops every replica's work: step down.
      failed = true;
      this.#report(err);
      leading.controller.abort(new Error("onStartedLeading failed"));
    };
    try {
      work = this.#startWork(leading.signal, fail);
      while (!leading.signal.aborted) {
        await pause(this.#retryMs, leading.signal);
        if (leading.signal.aborted) break;
        if (await this.#attempt(leading.signal)) armStepDown();
        else if (!this.#holdsObserved()) leading.controller.abort(new Error("another candidate holds the Lease"));
      }
    } finally {
      if (stepDown) clearTimeout(stepDown);
      this.#leading = false;
      if (!leading.signal.aborted) leading.controller.abort(signal.reason);
      leading.release();
      // Let the work stop before the Lease is handed on (at most the renew deadline).
      if (work) await Promise.race([work, pause(this.#renewMs)]);
      if ((signal.aborted && (this.#options.releaseOnCancel ?? true)) || failed) await this.#release();
      this.#call(() => this.#options.onStoppedLeading?.());
    }
    return failed;
  }

  #startWork(signal: AbortSignal, fail: (err: unknown) => void): Promise<void> | undefined {
    const start = this.#options.onStartedLeading;
    if (!start) return undefined;
    try {
      const result = start(signal);
      return result instanceof Promise ? result.then(() => undefined, fail) : undefined;
    } catch (err) {
      fail(err);
      return undefined;
    }
  }

  /** An attempt that gives up when `signal` aborts, even while a request is stuck connecting. */
  #attempt(signal: AbortSignal): Promise<boolean> {
    return raceAbort(this.#tryAcquireOrRenew(signal), signal).catch(() => false);
  }

  /** One attempt to take or renew the Lease (client-go's tryAcquireOrRenew). */
  async #tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const Lease = await loadLease();
    const started = performance.now();
    const now = microTime();
    const leaseDurationSeconds = Math.round(this.#leaseMs / 1000);
    const timeoutMs = this.#leading ? Math.max(1, this.#validUntil - started) : this.#retryMs * 2;
    const call = { namespace: this.#namespace, signal, timeoutMs, retry: false as const };
    try {
      // Fast path: the leader renews from the Lease it wrote last, without reading it first; when
      // that fails for any reason (changed, deleted, an error) it reads the Lease, as client-go does.
      if (this.#leading && this.#observed?.spec?.holderIdentity === this.identity) {
        const renewed = await this.#write(Lease, this.#observed, { ...this.#observed.spec, renewTime: now, leaseDurationSeconds }, call).catch((err: unknown) => {
          if (signal.aborted) throw err;
          return undefined;
        });
        if (renewed) return this.#took(renewed, started);
      }
      const current = (await this.kube.get(Lease, this.#options.name, { ...call, returnErrors: [404] })) as LeaseObject | NotFoundError;
      if (current instanceof NotFoundError) {
        // Deleted while another candidate held it: that holder may still act until its lease runs
        // out by this candidate's clock, so wait for that before creating it anew (client-go
        // creates at once, and two leaders then act together). The holder itself re-creates it.
        if (!this.#leading && this.#othersExpireAt > performance.now()) return false;
        try {
          const created = (await this.kube.create(
            Lease,
            {
              metadata: { name: this.#options.name, namespace: this.#namespace },
              spec: { holderIdentity: this.identity, leaseDurationSeconds, acquireTime: now, renewTime: now, leaseTransitions: 0 },
            },
            call,
          )) as LeaseObject;
          return this.#took(created, started);
        } catch (err) {
          // Someone else created it first: a leader whose Lease was deleted has lost it.
          if (isAlreadyExists(err)) this.#lost();
          throw err;
        }
      }
      const record = this.#readRecord(current);
      this.#observe(current);
      const holder = record.holderIdentity ?? "";
      const expiresAt = this.#observedAt + (record.leaseDurationSeconds ?? 0) * 1000;
      // Valid as of when this attempt began, as client-go compares with its `now` (so a record first
      // seen with a duration of 0 is taken on the next attempt, not this one).
      if (holder && holder !== this.identity && expiresAt > started) return false;
      const ours = holder === this.identity;
      const transitions = record.leaseTransitions ?? 0;
      const next: LeaseRecord = {
        holderIdentity: this.identity,
        leaseDurationSeconds,
        acquireTime: ours && record.acquireTime && MICRO_OR_RFC3339.test(record.acquireTime) ? record.acquireTime : now,
        renewTime: now,
        leaseTransitions: ours ? transitions : transitions + 1,
      };
      const written = await this.#write(Lease, current, next, call);
      return written ? this.#took(written, started) : false;
    } catch (err) {
      if (isConflict(err) || isAlreadyExists(err)) return false;
      if (!signal.aborted) this.#report(err);
      return false;
    }
  }

  /**
   * The election fields of a Lease read from the server, checked: a Lease whose fields have other
   * types (received as it was, with validation off or reporting) cannot be read — client-go fails to
   * decode it and never takes it over; neither does this candidate.
   */
  #readRecord(lease: LeaseObject): LeaseRecord {
    const what = `the Lease ${this.#namespace}/${this.#options.name}`;
    const spec: unknown = lease.spec;
    if (spec === undefined || spec === null) return {};
    if (typeof spec !== "object" || Array.isArray(spec)) throw new InvalidResponseError(`${what} has a spec that is not an object: the election cannot read it`, 200);
    const r = spec as Record<string, unknown>;
    const problems: string[] = [];
    for (const field of ["holderIdentity", "acquireTime", "renewTime"] as const) {
      if (r[field] !== undefined && r[field] !== null && typeof r[field] !== "string") problems.push(`spec.${field} is not a string`);
    }
    for (const field of ["leaseDurationSeconds", "leaseTransitions"] as const) {
      if (r[field] !== undefined && r[field] !== null && !Number.isSafeInteger(r[field])) problems.push(`spec.${field} is not an integer`);
    }
    if (problems.length) throw new InvalidResponseError(`${what} cannot be read: ${problems.join(", ")}`, 200);
    return r as LeaseRecord;
  }

  /** The Lease this candidate led on is someone else's now: stop leading at the next check. */
  #lost(): void {
    this.#observed = undefined;
    this.#observedRaw = "";
  }

  /** Replace the Lease's spec, guarded by its resourceVersion; undefined when someone else wrote first. */
  async #write(Lease: z.ZodType, current: LeaseObject, spec: LeaseRecord, call: { namespace: string; signal: AbortSignal; timeoutMs: number; retry: false }): Promise<LeaseObject | undefined> {
    try {
      return (await this.kube.replace(Lease, { ...current, spec: { ...current.spec, ...spec } }, call)) as LeaseObject;
    } catch (err) {
      if (err instanceof ConflictError || (err instanceof KubeApiError && err.status === 409)) return undefined;
      throw err;
    }
  }

  /** This candidate holds the Lease as of `started` (when the write was sent). */
  #took(lease: LeaseObject, started: number): boolean {
    // A server that answers a write with someone else's record has not given this candidate the Lease.
    if (lease?.spec?.holderIdentity !== this.identity) {
      this.#report(new InvalidResponseError(`the Lease ${this.#namespace}/${this.#options.name} was written, but the answer names ${JSON.stringify(lease?.spec?.holderIdentity ?? null)} as its holder`, 200));
      this.#lost();
      return false;
    }
    this.#observe(lease);
    this.#observedAt = started;
    this.#validUntil = started + this.#renewMs;
    return true;
  }

  #holdsObserved(): boolean {
    return this.#observed?.spec?.holderIdentity === this.identity;
  }

  /** Note a Lease read or written; a changed record restarts the expiry clock (client-go's observedTime). */
  #observe(lease: LeaseObject): void {
    const spec = lease.spec ?? {};
    const raw = JSON.stringify([spec.holderIdentity ?? "", spec.leaseDurationSeconds ?? 0, spec.acquireTime ?? "", spec.renewTime ?? "", spec.leaseTransitions ?? 0]);
    if (raw !== this.#observedRaw) {
      this.#observedRaw = raw;
      this.#observedAt = performance.now();
    }
    this.#observed = lease;
    const holder = spec.holderIdentity ?? "";
    // When the lease another candidate holds runs out, by this candidate's clock.
    this.#othersExpireAt = holder && holder !== this.identity ? this.#observedAt + (spec.leaseDurationSeconds ?? 0) * 1000 : 0;
    if (holder !== this.#leader) {
      this.#leader = holder;
      if (holder) this.#call(() => this.#options.onNewLeader?.(holder));
    }
  }

  /** Give the Lease up: empty holder, duration 1 s (client-go's release). */
  async #release(): Promise<void> {
    if (!this.#holdsObserved() || !this.#observed) return;
    try {
      const Lease = await loadLease();
      const now = microTime();
      const released = await this.#write(
        Lease,
        this.#observed,
        { holderIdentity: "", leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaseTransitions: this.#observed.spec?.leaseTransitions ?? 0 },
        { namespace: this.#namespace, signal: new AbortController().signal, timeoutMs: this.#renewMs, retry: false },
      );
      if (released) this.#observe(released);
    } catch (err) {
      this.#report(err);
    }
  }

  #report(err: unknown): void {
    this.#call(() => this.#options.onError?.(err));
  }

  #call(fn: () => void): void {
    try {
      fn();
    } catch {
      // A failing callback must not stop the election.
    }
  }
}
