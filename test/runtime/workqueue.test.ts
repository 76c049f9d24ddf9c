import { describe, expect, it } from "vitest";
import { BucketRateLimiter, ItemExponentialRateLimiter, MaxOfRateLimiter, WorkQueue, defaultControllerRateLimiter } from "../../src/index.js";

const tick = () => new Promise((r) => setImmediate(r));

describe("WorkQueue", () => {
  it("queues an item once however often it is added before it is taken (client-go's dirty set)", async () => {
    const q = new WorkQueue<string>();
    for (let i = 0; i < 5; i++) q.add("a");
    q.add("b");
    expect(q.length).toBe(2);
    expect(q.metrics().adds).toBe(2);
    expect(await q.get()).toBe("a");
    expect(await q.get()).toBe("b");
    q.done("a");
    q.done("b");
    expect(q.length).toBe(0);
  });

  it("re-queues an item added while it is processed, only when it is done (never two workers at once)", async () => {
    const q = new WorkQueue<string>();
    q.add("a");
    const first = await q.get();
    q.add("a");
    q.add("a");
    expect(q.length).toBe(0); // still processing: not handed out again
    let second: string | undefined;
    void q.get().then((v) => (second = v));
    await tick();
    expect(second).toBeUndefined();
    q.done(first!);
    await tick();
    expect(second).toBe("a");
    q.done("a");
    expect(q.metrics().adds).toBe(2);
  });

  it("never hands one key to two of 8 workers under 10,000 concurrent adds, and reprocesses every key added during processing", async () => {
    const q = new WorkQueue<string>();
    const keys = Array.from({ length: 200 }, (_, i) => `ns/obj-${i}`);
    const busy = new Set<string>();
    const lastAdd = new Map<string, number>();
    const lastStart = new Map<string, number>();
    let clock = 0;
    let overlaps = 0;
    let processed = 0;
    const worker = async () => {
      for (let key = await q.get(); key !== undefined; key = await q.get()) {
        if (busy.has(key)) overlaps++;
        busy.add(key);
        lastStart.set(key, ++clock);
        processed++;
        // Do some asynchronous work, long enough for adds of the same key to arrive meanwhile.
        for (let i = 0; i < 1 + (processed % 3); i++) await tick();
        busy.delete(key);
        q.done(key);
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 10_000; i++) {
      const key = keys[Math.floor(random() * keys.length)]!;
      q.add(key);
      lastAdd.set(key, ++clock);
      if (i % 7 === 0) await tick();
    }
    await q.shutDownWithDrain();
    await Promise.all(workers);
    expect(overlaps).toBe(0);
    // Every key was processed after its last add (nothing lost), and fewer times than it was added (deduplicated).
    for (const [key, added] of lastAdd) expect(lastStart.get(key)!, key).toBeGreaterThan(added);
    const m = q.metrics();
    expect(m.adds).toBe(processed);
    expect(processed).toBeLessThan(10_000);
    expect(m.queueLatency.count).toBe(processed);
    expect(m.workDuration.count).toBe(processed);
    expect(m.depth).toBe(0);
    expect(m.processing).toBe(0);
  });

  it("addAfter queues the item after the delay, the earliest of several pending delays winning", async () => {
    const q = new WorkQueue<string>();
    q.addAfter("late", 60_000);
    q.addAfter("soon", 30);
    q.addAfter("late", 20); // an earlier time for a waiting item wins
    q.addAfter("now", 0);
    expect(q.metrics().delayed).toBe(2);
    expect(await q.get()).toBe("now");
    const next = [await q.get(), await q.get()];
    expect(next).toEqual(["late", "soon"]);
    expect(q.metrics().delayed).toBe(0);
    q.shutDown();
  });

  it("a delay longer than a Node timer holds (24.8 days) or Infinity waits without firing early or spinning; shorter delays still come", async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(w.name);
    process.on("warning", onWarning);
    try {
      const q = new WorkQueue<string>();
      q.addAfter("month", 30 * 24 * 3600_000);
      q.addAfter("never", Infinity);
      q.addAfter("soon", 5);
      expect(await q.get()).toBe("soon");
      q.done("soon");
      await new Promise((r) => setTimeout(r, 30));
      expect(q.length).toBe(0);
      expect(q.metrics().delayed).toBe(2);
      q.shutDown();
      await tick();
      expect(warnings).not.toContain("TimeoutOverflowWarning");
    } finally {
      process.off("warning", onWarning);
    }
  });

  it("addRateLimited waits as the limiter says, counts retries, and forget resets the item's backoff", async () => {
    const q = new WorkQueue<string>({ rateLimiter: new ItemExponentialRateLimiter<string>(1, 1000) });
    q.addRateLimited("a");
    q.addRateLimited("a");
    expect(q.numRequeues("a")).toBe(2);
    expect(q.metrics().retries).toBe(2);
    expect(await q.get()).toBe("a");
    q.forget("a");
    expect(q.numRequeues("a")).toBe(0);
    q.done("a");
    q.shutDown();
  });

  it("shutDown wakes waiting workers with undefined and ignores later adds; shutDownWithDrain lets queued work finish", async () => {
    const q = new WorkQueue<string>();
    const waiting = q.get();
    q.shutDown();
    expect(await waiting).toBeUndefined();
    q.add("x");
    expect(q.length).toBe(0);

    const d = new WorkQueue<string>();
    d.add("a");
    d.add("b");
    const seen: string[] = [];
    const worker = (async () => {
      for (let key = await d.get(); key !== undefined; key = await d.get()) {
        await tick();
        seen.push(key);
        d.done(key);
      }
    })();
    const drained = d.shutDownWithDrain();
    d.add("c"); // refused: shutting down
    await drained;
    await worker;
    expect(seen).toEqual(["a", "b"]);
  });
});

describe("rate limiters", () => {
  it("ItemExponentialRateLimiter doubles per failure from the base to the cap, per item (client-go's 5 ms → 1000 s)", () => {
    const l = new ItemExponentialRateLimiter<string>(5, 1_000_000);
    expect([l.when("a"), l.when("a"), l.when("a"), l.when("b")]).toEqual([5, 10, 20, 5]);
    for (let i = 0; i < 40; i++) l.when("a");
    expect(l.when("a")).toBe(1_000_000);
    l.forget("a");
    expect(l.when("a")).toBe(5);
  });

  it("BucketRateLimiter lets a burst through, then spaces retries at 1/qps", () => {
    let now = 0;
    const l = new BucketRateLimiter<string>(10, 3, () => now);
    expect([l.when("a"), l.when("b"), l.when("c")]).toEqual([0, 0, 0]);
    expect(l.when("d")).toBeCloseTo(100);
    expect(l.when("e")).toBeCloseTo(200);
    now = 1000; // a second later: 10 tokens earned, 3 kept at most (after paying back the 2 borrowed)
    expect(l.when("f")).toBe(0);
  });

  it("the default controller rate limiter is the larger of per-item backoff and the overall bucket", () => {
    const l = defaultControllerRateLimiter<string>();
    expect(l.when("a")).toBe(5);
    expect(l.when("a")).toBe(10);
    expect(l.numRequeues("a")).toBe(2);
    // 100 burst tokens: the next 98 retries of other items are limited only by their own backoff.
    for (let i = 0; i < 98; i++) expect(l.when(`k${i}`)).toBe(5);
    expect(l.when("z")).toBeGreaterThan(5);
    const max = new MaxOfRateLimiter<string>(new ItemExponentialRateLimiter(1, 10), new ItemExponentialRateLimiter(3, 10));
    expect(max.when("x")).toBe(3);
  });
});
