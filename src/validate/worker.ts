/**
 * A validation worker thread: takes part in the runs it is sent (see `parallel.ts`), taking inputs
 * from the shared counter and reporting the results of each.
 */
import { parentPort } from "node:worker_threads";
import { ManifestEngine } from "./engine.js";
import { checkSource, type DoneMessage, type UnitMessage, type WorkerRun } from "./parallel.js";

async function take(run: WorkerRun): Promise<void> {
  const port = parentPort!;
  try {
    const engine = new ManifestEngine(run.engine);
    for (const crd of run.crds) engine.addCrdLater(crd.value, crd.source);
    const counter = new Int32Array(run.counter);
    for (;;) {
      const k = Atomics.add(counter, 0, 1);
      if (k >= run.claimable.length) break;
      const index = run.claimable[k]!;
      const unit = await checkSource(engine, run.sources[index]!, run.maxBytes);
      port.postMessage({ type: "unit", id: run.id, index, ...unit } satisfies UnitMessage);
    }
    port.postMessage({ type: "done", id: run.id } satisfies DoneMessage);
  } catch (err) {
    port.postMessage({ type: "done", id: run.id, error: err instanceof Error ? err.message : String(err) } satisfies DoneMessage);
  }
}

parentPort?.on("message", (run: WorkerRun) => void take(run));
