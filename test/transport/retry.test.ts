import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConflictError, ConnectionError, createTransport, defineCluster, ServiceUnavailableError, TimeoutError, TooManyRequestsError, type Transport } from "../../src/index.js";
import { backoffDelay, MAX_RETRY_AFTER_SECONDS, parseRetryAfter, retryPolicy, shouldRetryStatus } from "../../src/transport/retry.js";
import { TokenBucket } from "../../src/transport/rate-limit.js";
import { sleep } from "../../src/transport/backoff.js";
import { captureLogs, expectNoSecrets } from "./helpers/logs.js";
import { json, startServer, status, type TestServer } from "./helpers/servers.js";

const logs = captureLogs();
let server: TestServer;
let transport: Transport;
/** Fast backoff so the suite stays quick; Retry-After still wins. */
const fast = { backoffInterval: 10 };

beforeAll(async () => {
  server = await startServer((req, res) => json(res, 200, {}));
  transport = createTransport(defineCluster({ server: server.url, token: "S3CR3T-retry" }), { retry: fast, log: logs.log });
});
afterAll(async () => {
  await transport.close();
  await server.close();
  expectNoSecrets(logs.text());
});

/** Answer the nth request (1-based, counted from now) with `answers[n-1]`, later ones with the last. */
function script(...answers: Array<(res: import("node:http").ServerResponse) => void>): () => TestServer["requests"] {
  const start = server.requests.length;
  server.handle((_req, res) => {
    const n = server.requests.length - start;
    answers[Math.min(n, answers.length) - 1]!(res);
  });
  return () => server.requests.slice(start);
}

describe("retries", () => {
  it("waits for Retry-After (seconds) after a 429", async () => {
    const sent = script(
      (res) => json(res, 429, status(429, "TooManyRequests", "slow down"), { "retry-after": "1" }),
      (res) => json(res, 200, { ok: true }),
    );
    const res = await transport.request({ path: "/api/v1/pods" });
    expect(res.json()).toEqual({ ok: true });
    expect(res.retries).toBe(1);
    const [first, second] = sent();
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(900);
  });

  it("honours Retry-After as an HTTP date", async () => {
    const sent = script(
      (res) => json(res, 503, status(503, "ServiceUnavailable", "later"), { "retry-after": new Date(Date.now() + 2000).toUTCString() }),
      (res) => json(res, 200, {}),
    );
    await transport.request({ path: "/api" });
    const [first, second] = sent();
    // HTTP dates have one-second resolution: at least ~1 s of the 2 s remain.
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(900);
  });

  it("retries 503 three times, then succeeds", async () => {
    const unavailable = (res: import("node:http").ServerResponse) => json(res, 503, status(503, "ServiceUnavailable", "etcd is unavailable"));
    const sent = script(unavailable, unavailable, unavailable, (res) => json(res, 200, { items: [] }));
    const res = await transport.request({ path: "/api/v1/configmaps" });
    expect(res.status).toBe(200);
    expect(res.retries).toBe(3);
    expect(sent()).toHaveLength(4);
  });

  it("gives up after backoffLimit and throws the last typed error", async () => {
    const sent = script((res) => json(res, 503, status(503, "ServiceUnavailable", "down")));
    const err = await transport.request({ path: "/api", retry: { backoffLimit: 2 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceUnavailableError);
    expect(sent()).toHaveLength(3);
  });

  it("never retries 409, even when told to", async () => {
    const sent = script((res) => json(res, 409, status(409, "Conflict", "the object has been modified")));
    const err = await transport.request({ method: "PUT", path: "/api/v1/namespaces/d/configmaps/c", body: {}, retry: { retryStatuses: [409, 503] } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as ConflictError).reason).toBe("Conflict");
    expect(sent()).toHaveLength(1);
  });

  it("retries a dropped connection on GET", async () => {
    const sent = script(
      (res) => res.socket!.destroy(),
      (res) => json(res, 200, { ok: true }),
    );
    expect((await transport.request({ path: "/api/v1/pods" })).json()).toEqual({ ok: true });
    expect(sent()).toHaveLength(2);
  });

  it("does not retry a dropped connection on POST (it may have been processed)", async () => {
    const sent = script(
      (res) => res.socket!.destroy(),
      (res) => json(res, 201, {}),
    );
    const err = await transport.request({ method: "POST", path: "/api/v1/namespaces/d/configmaps", body: { metadata: { name: "x" } } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as ConnectionError).server).toBe(server.url);
    expect((err as Error).message).toContain(`POST ${server.url}/api/v1/namespaces/d/configmaps`);
    expect(sent()).toHaveLength(1);
    logs.note(err);
  });

  it("retries POST only when the server says it did nothing (429, or Retry-After)", async () => {
    let sent = script(
      (res) => json(res, 504, status(504, "Timeout", "timed out")),
      (res) => json(res, 201, {}),
    );
    await expect(transport.request({ method: "POST", path: "/api/v1/namespaces/d/configmaps", body: {} })).rejects.toThrow(/timed out/);
    expect(sent()).toHaveLength(1);
    sent = script(
      (res) => json(res, 429, status(429, "TooManyRequests", "busy")),
      (res) => json(res, 201, {}),
    );
    expect((await transport.request({ method: "POST", path: "/api/v1/namespaces/d/configmaps", body: {} })).status).toBe(201);
    expect(sent()).toHaveLength(2);
  });

  it("retries connection refused for any verb (nothing was sent)", async () => {
    const dead = await startServer(() => undefined);
    const url = dead.url;
    await dead.close();
    const t = createTransport(defineCluster({ server: url }), { retry: { backoffLimit: 2, backoffInterval: 5 }, log: logs.log });
    const failures: string[] = [];
    const t2 = createTransport(defineCluster({ server: url }), { retry: { backoffLimit: 2, backoffInterval: 5 }, onMetrics: (m) => failures.push(`${m.error}:${m.retries}`) });
    await expect(t.request({ method: "POST", path: "/x", body: {} })).rejects.toBeInstanceOf(ConnectionError);
    await expect(t2.request({ method: "POST", path: "/x", body: {} })).rejects.toThrow(/ECONNREFUSED/);
    expect(failures).toEqual(["ConnectionError:2"]);
    await t.close();
    await t2.close();
  });

  it("does not wait past the call's deadline: the last answer is the result", async () => {
    const sent = script((res) => json(res, 429, status(429, "TooManyRequests", "busy"), { "retry-after": "30" }));
    const err = await transport.request({ path: "/api", timeoutMs: 2000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TooManyRequestsError);
    expect((err as TooManyRequestsError).retryAfterSeconds).toBe(30);
    expect(sent()).toHaveLength(1);
  });

  it("a Retry-After longer than the longest wait taken ends the call at once, even without a deadline", async () => {
    for (const wait of ["86400", "99999999999999", new Date(Date.now() + 3_600_000).toUTCString()]) {
      const sent = script((res) => json(res, 503, status(503, "ServiceUnavailable", "later"), { "retry-after": wait }), (res) => json(res, 200, {}));
      const err = await transport.request({ path: "/api", timeoutMs: 0 }).catch((e: unknown) => e);
      expect(err, wait).toBeInstanceOf(ServiceUnavailableError);
      expect((err as ServiceUnavailableError).retryAfterSeconds).toBeGreaterThan(MAX_RETRY_AFTER_SECONDS);
      expect(sent()).toHaveLength(1);
    }
  });

  it("a Retry-After that is not a wait (negative, garbage) falls back to the backoff, still bounded by backoffLimit", async () => {
    const sent = script((res) => json(res, 503, status(503, "ServiceUnavailable", "later"), { "retry-after": "-5" }));
    const err = await transport.request({ path: "/api", timeoutMs: 0, retry: { backoffLimit: 2 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceUnavailableError);
    expect((err as ServiceUnavailableError).retryAfterSeconds).toBeUndefined();
    expect(sent()).toHaveLength(3);
  });

  it("applies retry settings per request and can turn retries off", async () => {
    let sent = script((res) => json(res, 502, {}), (res) => json(res, 200, {}));
    await expect(transport.request({ path: "/api" })).rejects.toMatchObject({ status: 502 });
    expect(sent()).toHaveLength(1);
    sent = script((res) => json(res, 502, {}), (res) => json(res, 200, {}));
    await transport.request({ path: "/api", retry: { retryStatuses: [502] } });
    expect(sent()).toHaveLength(2);
    sent = script((res) => json(res, 503, {}), (res) => json(res, 200, {}));
    await expect(transport.request({ path: "/api", retry: false })).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(sent()).toHaveLength(1);
  });

  it("times out a server that does not answer, naming it", async () => {
    script(() => undefined);
    const err = await transport.request({ path: "/api/v1/pods", timeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as TimeoutError).server).toBe(server.url);
    expect((err as TimeoutError).timeoutMs).toBe(300);
    expect((err as Error).message).toBe(`request to ${server.url} timed out after 300 ms (GET ${server.url}/api/v1/pods)`);
    logs.note(err);
    server.handle((req, res) => json(res, 200, {}));
  });
});

describe("backoff and Retry-After", () => {
  it("parses delta-seconds and HTTP dates", () => {
    const now = Date.parse("2026-11-01T00:00:00Z");
    expect(parseRetryAfter("3", now)).toBe(3);
    expect(parseRetryAfter("Sun, 01 Nov 2026 00:00:05 GMT", now)).toBe(5);
    expect(parseRetryAfter("Sat, 31 Oct 2026 23:59:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it("reads only delta-seconds and the HTTP-date forms: negative, fractional and other text is no Retry-After", () => {
    const now = Date.parse("2026-11-01T00:00:00Z");
    // Date.parse alone reads every one of these as some date.
    for (const garbage of ["-5", "1.5", "abc 2020", "+7", "0x10", "1e3", "Infinity", "9".repeat(40)]) {
      expect(parseRetryAfter(garbage, now), garbage).toBeUndefined();
    }
    expect(parseRetryAfter("Sunday, 01-Nov-26 00:00:05 GMT", now)).toBe(5);
    expect(parseRetryAfter("Sun Nov  1 00:00:05 2026", now)).toBeGreaterThanOrEqual(0);
    expect(parseRetryAfter(" 7 ", now)).toBe(7);
  });

  it("a wait longer than a timer can hold (2^31 ms) is not taken as none; a negative or NaN wait is none", async () => {
    const controller = new AbortController();
    const long = sleep(2 ** 40, controller.signal).then(() => "slept", () => "aborted");
    const first = await Promise.race([long, new Promise((r) => setTimeout(() => r("still waiting"), 50))]);
    expect(first).toBe("still waiting");
    controller.abort();
    expect(await long).toBe("aborted");
    await sleep(-1);
    await sleep(Number.NaN);
  });

  it("grows exponentially with jitter, capped, unless given an interval or Retry-After", () => {
    const policy = retryPolicy({});
    for (let attempt = 1; attempt <= 8; attempt++) {
      const cap = Math.min(250 * 2 ** (attempt - 1), 10_000);
      for (let i = 0; i < 20; i++) {
        const d = backoffDelay(policy, attempt, undefined);
        expect(d).toBeGreaterThanOrEqual(cap / 2);
        expect(d).toBeLessThanOrEqual(cap);
      }
    }
    expect(backoffDelay(retryPolicy({ backoffInterval: (n) => 2 ** n * 1000 }), 3, undefined)).toBe(8000);
    expect(backoffDelay(retryPolicy({ backoffInterval: 2000 }), 5, undefined)).toBe(2000);
    expect(backoffDelay(policy, 1, 7)).toBe(7000);
  });

  it("retries idempotent verbs on every retry status, others only when safe", () => {
    const policy = retryPolicy({ retryStatuses: [429, 500, 503, 504, 409] });
    expect(policy.retryStatuses.has(409)).toBe(false);
    for (const m of ["GET", "PUT", "DELETE", "HEAD"]) expect(shouldRetryStatus(policy, m, 504, false)).toBe(true);
    expect(shouldRetryStatus(policy, "POST", 504, false)).toBe(false);
    expect(shouldRetryStatus(policy, "PATCH", 503, true)).toBe(true);
    expect(shouldRetryStatus(policy, "POST", 429, false)).toBe(true);
    expect(shouldRetryStatus(policy, "GET", 404, false)).toBe(false);
  });
});

describe("client-side rate limit", () => {
  it("lets a burst through, then spaces requests at qps", () => {
    let now = 0;
    const bucket = new TokenBucket({ qps: 10, burst: 3 }, () => now);
    expect([bucket.reserve(), bucket.reserve(), bucket.reserve()]).toEqual([0, 0, 0]);
    expect(bucket.reserve()).toBeCloseTo(100);
    expect(bucket.reserve()).toBeCloseTo(200);
    now = 1000; // refilled, but never beyond the burst
    expect(bucket.reserve()).toBe(0);
  });

  it("holds requests back in the transport", async () => {
    server.handle((req, res) => json(res, 200, {}));
    // When each request leaves the limiter (not when it reaches the server: connecting may take
    // longer than the spacing on a loaded machine).
    const times: number[] = [];
    const limited = createTransport(defineCluster({ server: server.url }), { rateLimit: { qps: 20, burst: 1 }, beforeRequest: () => void times.push(performance.now()) });
    await Promise.all(Array.from({ length: 4 }, () => limited.request({ path: "/api" })));
    // 20 qps: about 50 ms between requests after the first (asserting spacing, not a duration budget)
    expect(times[3]! - times[0]!).toBeGreaterThanOrEqual(120);
    await limited.close();
  });
});
