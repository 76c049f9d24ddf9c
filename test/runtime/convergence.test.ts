/**
 * Convergence under faults: an informer over 1,000 ConfigMaps churned (create, update, delete)
 * behind a proxy that cuts watches mid-stream, answers 410 Gone (HTTP and in-stream), 429 with
 * Retry-After, 500/503 bursts, expired continue tokens, resets connections and adds latency. It
 * must end with 0 missing, 0 stale and 0 phantom objects, and its handlers' events must replay to
 * the server's state. The suite churns for a few seconds per sync mode
 * (`KUBEZOD_CHURN_MS` to churn longer; `bench/runtime-churn.ts` churns a full minute).
 */
import { describe, expect, it } from "vitest";
import { runChurn } from "./support/churn.js";

const churnMs = Number(process.env.KUBEZOD_CHURN_MS ?? 5000);

describe("informer convergence under faults", () => {
  for (const watchList of [true, false]) {
    it(`converges exactly over 1,000 churned objects (${watchList ? "watch-list" : "list"} sync)`, async () => {
      const r = await runChurn({ churnMs, watchList, seed: watchList ? 11 : 12 });
      expect({ missing: r.missing, stale: r.stale, phantom: r.phantom }).toEqual({ missing: [], stale: [], phantom: [] });
      expect(r.replayProblems).toEqual([]);
      expect(r.replayDiffers).toEqual([]);
      // The faults did happen, and the informer went through them.
      expect(r.writes).toBeGreaterThan(200);
      for (const fault of ["reset", "errors", "tooManyRequests", "continueExpired", "watchCut", "watchGone", "watchGoneInStream"] as const) expect(r.faults[fault], fault).toBeGreaterThan(0);
      expect(r.informer.relists).toBeGreaterThan(0);
      expect(r.informer.failures).toBeGreaterThan(0);
    }, 180_000);
  }
});
