/**
 * Worker threads for large runs. The inputs are shared out between the calling thread and a pool
 * of workers one at a time (an atomic counter hands out the next input), each thread reads and
 * checks the inputs it takes with its own engine, and the results are put back in input order, so
 * that the report is the one a single thread would make.
 *
 * Workers stay in a pool between runs (a long-running process validates faster the second time);
 * idle, they never keep the process alive, and they exit after a few seconds without work.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import type { Worker } from "node:worker_threads";
import type { EngineOptions, ManifestEngine } from "./engine.js";
import { checkEntry, streamSource, typesOf, type ParsedSource, type Source } from "./run.js";
import { isRecord } from "../meta/values.js";
import type { ResourceResult } from "./types.js";
import { abortReason } from "./sources.js";

/** What a worker needs to take part in a run (sent to it as a message). */
export interface WorkerRun {
  id: number;
  engine: Omit<EngineOptions, "schemas">;
  maxBytes: number;
  /** CustomResourceDefinitions to register, in order (those of the `crds` option, then the inputs'), all usable. */
  crds: Array<{ value: unknown; source: string }>;
  /** The inputs, by index (only those that may be taken are there). */
  sources: Array<Source | undefined>;
  /** The indexes of the sources that may be taken, and the counter that hands them out. */
  claimable: number[];
  counter: SharedArrayBuffer;
}

/** A worker's report for one input. */
export interface UnitMessage {
  type: "unit";
  id: number;
  index: number;
  failure?: ResourceResult;
  results: ResourceResult[];
}

/** A worker has taken its last input (or failed). */
export interface DoneMessage {
  type: "done";
  id: number;
  error?: string;
}

/** The outcome of one input. */
export interface UnitResult {
  failure?: ResourceResult;
  results: ResourceResult[];
}

/** Read and check one input. */
export async function checkSource(engine: ManifestEngine, source: Source, maxBytes: number, parsed?: ParsedSource): Promise<UnitResult> {
  const results: ResourceResult[] = [];
  if (parsed) {
    if (parsed.entries.length) {
      await engine.load(typesOf([parsed]));
      for (const e of parsed.entries) results.push(checkEntry(engine, e));
    }
    return parsed.failure ? { failure: parsed.failure, results } : { results };
  }
  // Each document is checked as soon as it is read: its values die young instead of piling up.
  const stream = streamSource(source, maxBytes, engine.warnImplicitConversions);
  for (const e of stream.entries) {
    const v = e.input.value;
    if (isRecord(v) && typeof v.apiVersion === "string" && typeof v.kind === "string" && !engine.isLoaded(v.apiVersion, v.kind)) {
      await engine.load([{ apiVersion: v.apiVersion, kind: v.kind }]);
    }
    results.push(checkEntry(engine, e));
  }
  return stream.failure ? { failure: stream.failure, results } : { results };
}

/**
 * The worker script: next to this module when built per file, beside its chunk when bundled
 * (dist/src/chunks), else the built copy (when running from sources).
 */
function workerScript(): URL | undefined {
  for (const candidate of ["./worker.js", "../validate/worker.js", "../../dist/src/validate/worker.js"]) {
    const url = new URL(candidate, import.meta.url);
    if (existsSync(fileURLToPath(url))) return url;
  }
  return undefined;
}

const IDLE_MS = 5_000;

interface PoolWorker {
  worker: Worker;
  /** Called with each message of the run it takes part in. */
  listener?: (message: UnitMessage | DoneMessage) => void;
  /** Called when the worker stops (error or exit). */
  onExit?: () => void;
  busy: boolean;
  dead: boolean;
}

const pool: PoolWorker[] = [];
let idleTimer: NodeJS.Timeout | undefined;
let nextRun = 0;

function spawn(script: URL): PoolWorker {
  const w: PoolWorker = { worker: new (process.getBuiltinModule("node:worker_threads").Worker)(script), busy: false, dead: false };
  w.worker.on("message", (m: UnitMessage | DoneMessage) => w.listener?.(m));
  const stop = () => {
    if (w.dead) return;
    w.dead = true;
    pool.splice(pool.indexOf(w), 1);
    w.onExit?.();
  };
  w.worker.on("error", stop);
  w.worker.on("exit", stop);
  return w;
}

/** `n` workers for a run: idle ones from the pool, and new ones. */
function acquire(n: number): PoolWorker[] {
  if (n <= 0) return [];
  const script = workerScript();
  if (!script) return [];
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = undefined;
  const out = pool.filter((w) => !w.busy).slice(0, n);
  while (out.length < n) {
    const w = spawn(script);
    pool.push(w);
    out.push(w);
  }
  for (const w of out) {
    w.busy = true;
    w.worker.ref();
  }
  return out;
}

function release(used: PoolWorker[]): void {
  for (const w of used) {
    w.listener = undefined;
    w.onExit = undefined;
    w.busy = false;
    if (!w.dead) w.worker.unref();
  }
  if (pool.some((w) => w.busy)) return;
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = setTimeout(() => {
    for (const w of pool.filter((x) => !x.busy)) void w.worker.terminate();
  }, IDLE_MS);
  idleTimer.unref();
}

/** The workers in the pool (for tests: whether a run used workers). */
export function poolSize(): number {
  return pool.length;
}

/** Stop every worker now (for tests: a run must survive losing its workers). */
export async function stopWorkers(): Promise<void> {
  await Promise.all(pool.map((w) => w.worker.terminate()));
}

/**
 * How many workers to use by default: one per core beyond the calling thread's, at most 7, from
 * 3 cores on. With 2, the one worker did not pay for itself in our measurements (it starts,
 * loads and warms up while the second core is often busy with something else).
 */
export function defaultWorkerCount(): number {
  const cores = availableParallelism();
  return cores >= 3 ? Math.min(7, cores - 1) : 0;
}

/** A run shared with workers. */
export interface ParallelRun {
  workers: number;
  engine: ManifestEngine;
  engineOptions: WorkerRun["engine"];
  maxBytes: number;
  crds: WorkerRun["crds"];
  sources: Source[];
  /** Inputs already read into resources by the calling thread (it checks them itself). */
  early: Array<ParsedSource | undefined>;
  /** Called after each input is checked, with its results. */
  onUnit?: (index: number, unit: UnitResult) => void;
  /** Stops the run: no input is taken after it fires, and the call rejects with its reason. */
  signal?: AbortSignal;
}

/** Check every input, sharing them with up to `run.workers` workers; the outcomes in input order. */
export async function checkInParallel(run: ParallelRun): Promise<UnitResult[]> {
  const { sources, early, engine, maxBytes } = run;
  const outcomes: Array<UnitResult | undefined> = new Array(sources.length);
  const claimable: number[] = [];
  for (let i = 0; i < sources.length; i++) if (!early[i]) claimable.push(i);
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const record = (index: number, unit: UnitResult) => {
    if (outcomes[index]) return;
    outcomes[index] = unit;
    run.onUnit?.(index, unit);
  };

  const used = acquire(Math.min(run.workers, claimable.length));
  const id = ++nextRun;
  const finished = used.map(
    (w) =>
      new Promise<void>((resolve) => {
        w.listener = (m) => {
          if (m.id !== id) return;
          if (m.type === "unit") record(m.index, m.failure ? { failure: m.failure, results: m.results } : { results: m.results });
          else resolve();
        };
        w.onExit = resolve;
      }),
  );
  // Workers get only the inputs they may take (the others may hold what cannot be sent).
  const shared = sources.map((s, i) => (early[i] ? undefined : s));
  const message: WorkerRun = { id, engine: run.engineOptions, maxBytes, crds: run.crds, sources: shared, claimable, counter: counter.buffer as SharedArrayBuffer };
  for (const w of used) w.worker.postMessage(message);

  try {
    // The calling thread checks the inputs it has read, then takes its share of the others,
    // letting the workers' messages in now and then.
    let sinceYield = 0;
    const signal = run.signal;
    const stop = () => {
      // The workers take nothing more: the counter is past the last input.
      Atomics.store(counter, 0, claimable.length);
      return abortReason(signal!);
    };
    for (let i = 0; i < sources.length; i++) {
      if (signal?.aborted) throw stop();
      const p = early[i];
      if (!p) continue;
      early[i] = undefined;
      record(i, await checkSource(engine, sources[i]!, maxBytes, p));
    }
    for (;;) {
      if (signal?.aborted) throw stop();
      const k = Atomics.add(counter, 0, 1);
      if (k >= claimable.length) break;
      const index = claimable[k]!;
      record(index, await checkSource(engine, sources[index]!, maxBytes));
      if (used.length && ++sinceYield >= 8) {
        sinceYield = 0;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    await Promise.all(finished);
    if (signal?.aborted) throw stop();
  } finally {
    release(used);
  }
  // Inputs a worker took and did not finish (it stopped): checked here.
  for (let i = 0; i < sources.length; i++) if (!outcomes[i]) record(i, await checkSource(engine, sources[i]!, maxBytes));
  return outcomes as UnitResult[];
}
