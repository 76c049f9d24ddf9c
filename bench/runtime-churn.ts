/**
 * The informer convergence harness for a full minute per sync mode (the test suite churns for a
 * few seconds): 1,000 ConfigMaps created, updated and deleted by six writers while an informer
 * watches them through a fault-injecting proxy (latency, resets, 429 with Retry-After, 500/503
 * bursts, 410 Gone over HTTP and in-stream, expired continue tokens, watches cut mid-stream).
 * Prints missing / stale / phantom counts (all must be 0), whether the handlers' events replay
 * to the server's state, and how many faults the informer went through.
 * `BENCH_CHURN_MS` sets the churn time (default 60 000 per mode).
 */
import { runChurn } from "../test/runtime/support/churn.js";
import { table } from "./report.js";

const churnMs = Number(process.env.BENCH_CHURN_MS ?? 60_000);
const rows: string[][] = [];
let failed = false;
for (const watchList of [true, false]) {
  const r = await runChurn({ churnMs, watchList, seed: watchList ? 101 : 102 });
  const exact = !r.missing.length && !r.stale.length && !r.phantom.length && !r.replayProblems.length && !r.replayDiffers.length;
  failed ||= !exact;
  const f = r.faults;
  rows.push([
    watchList ? "watch-list" : "list",
    String(r.writes),
    String(r.objects),
    `${r.missing.length}/${r.stale.length}/${r.phantom.length}`,
    r.replayProblems.length || r.replayDiffers.length ? `NO (${r.replayProblems.length + r.replayDiffers.length})` : "yes",
    `${f.watchCut} cut, ${f.watchGone}+${f.watchGoneInStream} gone, ${f.errors} 5xx, ${f.tooManyRequests} 429, ${f.reset} reset, ${f.continueExpired} continue`,
    `${r.informer.watches} watches, ${r.informer.relists} relists, ${r.informer.failures} failures`,
    `${Math.round(r.convergedAfterMs)} ms`,
  ]);
}
console.log(`informer over 1,000 churned ConfigMaps for ${churnMs / 1000} s per mode, behind the fault proxy\n`);
table(["sync", "writes", "objects", "missing/stale/phantom", "replays", "faults", "informer", "caught up after churn"], rows);
if (failed) process.exitCode = 1;
