/**
 * Controllers against the local API server over HTTPS: for / owns / watches, reconcile reading the
 * cache, requeue and requeue-after, error backoff through the rate-limited queue, concurrency
 * without two reconciles of one key, graceful stop.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigMap, Secret, ServiceAccount } from "kubezod/k8s";
import { Controller, InformerFactory, ItemExponentialRateLimiter, UsageError, controller, type Kube, type ReconcileRequest, type ReconcileResult } from "../../src/index.js";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { hostileApi } from "./support/hostile-api.js";
import { until } from "./support/helpers.js";

let server: TestServer;
let kube: Kube;
beforeAll(async () => {
  server = await startTestServer();
  kube = await server.connect();
});
afterAll(async () => {
  await kube?.close();
  await server?.close();
});

const fastRetries = () => new ItemExponentialRateLimiter<string>(1, 20);

describe("Controller", () => {
  it("reconciles its kind from the cache, re-reconciles owners when owned objects change, and maps watched kinds", async () => {
    const calls: string[] = [];
    const stop = new AbortController();
    const c = new Controller(kube, {
      for: ConfigMap,
      labelSelector: { app: "copier" },
      owns: [Secret],
      watches: [{ kind: ServiceAccount, map: (sa) => (sa.metadata?.labels?.copies ? [{ namespace: sa.metadata.namespace ?? undefined, name: sa.metadata.labels.copies }] : []) }],
      reconcile: async ({ namespace, name }, { object }) => {
        calls.push(`${name}:${object ? "live" : "gone"}`);
        if (!object) return;
        const secret = await kube.get(Secret, `${name}-copy`, { namespace, returnErrors: [404] });
        if (!(secret instanceof Error)) return;
        await kube.create(Secret, {
          metadata: {
            name: `${name}-copy`,
            namespace,
            ownerReferences: [{ apiVersion: "v1", kind: "ConfigMap", name: name, uid: object.metadata!.uid!, controller: true }],
          },
          stringData: object.data ?? {},
        });
      },
    });
    const running = c.run(stop.signal);
    await kube.create(ConfigMap, { metadata: { name: "alpha", labels: { app: "copier" } }, data: { a: "1" } });
    await until(async () => !((await kube.get(Secret, "alpha-copy", { returnErrors: [404] })) instanceof Error));
    // Deleting the owned Secret brings the owner back to the reconciler, which makes it again.
    calls.length = 0;
    await kube.delete(Secret, "alpha-copy");
    await until(async () => !((await kube.get(Secret, "alpha-copy", { returnErrors: [404] })) instanceof Error));
    expect(calls).toContain("alpha:live");
    // A watched kind, mapped by a function.
    calls.length = 0;
    await kube.create(ServiceAccount, { metadata: { name: "watcher", labels: { copies: "alpha" } } });
    await until(() => calls.includes("alpha:live"));
    // The primary is gone: reconcile sees no object.
    calls.length = 0;
    await kube.delete(ConfigMap, "alpha");
    await until(() => calls.includes("alpha:gone"));
    stop.abort();
    await running;
    expect(c.metrics().reconciles).toBeGreaterThan(3);
  });

  it("requeueAfterMs comes back later; errors retry with the rate limiter's growing delay and are forgotten on success", async () => {
    const retries: number[] = [];
    let after = 0;
    const stop = new AbortController();
    const c = new Controller(kube, {
      for: ConfigMap,
      labelSelector: { app: "flaky" },
      rateLimiter: fastRetries(),
      reconcile: (request: ReconcileRequest, { retries: n }) => {
        if (request.name === "later") {
          after++;
          return after < 3 ? { requeueAfterMs: 20 } : undefined;
        }
        retries.push(n);
        if (retries.length <= 3) throw new Error(`failure ${retries.length}`);
        return undefined;
      },
      onError: () => undefined,
    });
    const running = c.run(stop.signal);
    await c.informer.waitForSync();
    await kube.create(ConfigMap, { metadata: { name: "flaky", labels: { app: "flaky" } } });
    await kube.create(ConfigMap, { metadata: { name: "later", labels: { app: "flaky" } } });
    await until(() => retries.length === 4 && after === 3);
    expect(retries).toEqual([0, 1, 2, 3]);
    expect(c.queue.numRequeues("default/flaky")).toBe(0);
    expect(c.metrics().errors).toBe(3);
    stop.abort();
    await running;
  });

  it("runs reconciles concurrently, never two for one key, and stops gracefully: running reconciles finish, no new ones start", async () => {
    for (let i = 0; i < 40; i++) await kube.create(ConfigMap, { metadata: { name: `conc-${i}`, labels: { app: "conc" } } });
    const busy = new Set<string>();
    let overlap = 0;
    let inFlight = 0;
    let maxInFlight = 0;
    let finished = 0;
    let startedAfterStop = 0;
    const stop = new AbortController();
    const c = controller(kube, ConfigMap, { labelSelector: { app: "conc" } })
      .withOptions({ concurrency: 4 })
      .reconcile(async ({ key }) => {
        if (stop.signal.aborted) startedAfterStop++;
        if (busy.has(key)) overlap++;
        busy.add(key);
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        await new Promise((r) => setTimeout(r, 5));
        // Touch the object while it is being reconciled: the key must come back, never in parallel.
        if (!key.endsWith("-done")) await kube.patch(ConfigMap, key.split("/")[1]!, { data: { seen: "yes" } }, { namespace: "default" }).catch(() => undefined);
        busy.delete(key);
        inFlight--;
        finished++;
      });
    const running = c.run(stop.signal);
    await until(() => finished >= 80);
    stop.abort();
    const inFlightAtStop = inFlight;
    await running;
    expect(overlap).toBe(0);
    expect(maxInFlight).toBeGreaterThan(1);
    expect(maxInFlight).toBeLessThanOrEqual(4);
    expect(startedAfterStop).toBe(0);
    expect(inFlight).toBe(0);
    expect(inFlightAtStop).toBeGreaterThanOrEqual(0);
  });

  it("shares informers through a factory, and rejects run() when its cache cannot sync (403)", async () => {
    const factory = new InformerFactory(kube);
    const a = new Controller(kube, { for: ConfigMap, labelSelector: { app: "shared" }, factory, reconcile: () => undefined });
    const b = new Controller(kube, { for: ConfigMap, labelSelector: { app: "shared" }, factory, reconcile: () => undefined });
    expect(a.informer).toBe(b.informer);
    server.faults.inject({ match: (r) => r.resource === "configmaps" && String(r.query.labelSelector) === "app=forbidden", status: 403, times: 2 });
    const denied = new Controller(kube, { for: ConfigMap, labelSelector: { app: "forbidden" }, reconcile: () => undefined });
    await expect(denied.run(new AbortController().signal)).rejects.toThrow(/forbidden/i);
    await factory.stop();
  });

  it("hostile objects and user code: malformed ownerReferences are passed over, mappings that throw or return garbage and odd reconcile results are typed errors naming the object or request", async () => {
    const meta = (name: string, extra: Record<string, unknown> = {}) => ({ name, namespace: "default", uid: `uid-${name}`, resourceVersion: "5", ...extra });
    const owner = (name: string | undefined) => ({ apiVersion: "v1", kind: "ConfigMap", ...(name === undefined ? {} : { name }), uid: "u", controller: true });
    const api = await hostileApi({
      configmaps: [{ apiVersion: "v1", kind: "ConfigMap", metadata: meta("web") }],
      secrets: [
        { apiVersion: "v1", kind: "Secret", metadata: meta("s-string", { ownerReferences: "web" }) },
        { apiVersion: "v1", kind: "Secret", metadata: meta("s-number", { ownerReferences: 5 }) },
        { apiVersion: "v1", kind: "Secret", metadata: meta("s-object", { ownerReferences: { 0: owner("web") } }) },
        { apiVersion: "v1", kind: "Secret", metadata: meta("s-entries", { ownerReferences: [null, 7, owner(undefined), { ...owner("web"), apiVersion: 3 }, owner("db")] }) },
      ],
      serviceaccounts: [
        { apiVersion: "v1", kind: "ServiceAccount", metadata: meta("throws") },
        { apiVersion: "v1", kind: "ServiceAccount", metadata: meta("garbage") },
        { apiVersion: "v1", kind: "ServiceAccount", metadata: meta("nothing") },
        { apiVersion: "v1", kind: "ServiceAccount", metadata: meta("entries") },
      ],
    });
    const results: Record<string, unknown> = {
      "default/db": { requeueAfterMs: Number.NaN },
      "default/inf": { requeueAfterMs: Number.POSITIVE_INFINITY },
      "default/neg": { requeueAfterMs: -5 },
      "default/str": "yes",
      "default/flag": { requeue: "sometimes" },
    };
    const reconciled: string[] = [];
    const errors: Array<{ error: unknown; request?: string }> = [];
    const stop = new AbortController();
    const c = new Controller(api.kube, {
      for: ConfigMap,
      namespace: "default",
      // Only the mappings queue keys; a filter that throws queues its object all the same.
      filter: (event) => {
        if (event.object.metadata?.name === "web") throw new Error("filter broke");
        return false;
      },
      owns: [Secret],
      watches: [
        {
          kind: ServiceAccount,
          map: (sa) => {
            const name = sa.metadata?.name;
            if (name === "throws") throw "not an Error";
            if (name === "garbage") return 42 as never;
            if (name === "nothing") return undefined as never;
            return [null, { name: "" }, { name: "web", namespace: 7 }, { namespace: "default", name: "db2" }] as never;
          },
        },
      ],
      rateLimiter: new ItemExponentialRateLimiter<string>(60_000, 60_000),
      reconcile: ({ key }): ReconcileResult | void => {
        reconciled.push(key);
        if (key === "default/db2") throw "plain string";
        return results[key] as ReconcileResult | void;
      },
      onError: (error, request) => errors.push({ error, ...(request ? { request: request.key } : {}) }),
    });
    for (const name of ["inf", "neg", "str", "flag"]) c.enqueue({ namespace: "default", name });
    expect(() => c.enqueue({ namespace: "default", name: "" })).toThrow(UsageError);
    expect(() => c.enqueue(null as never)).toThrow(/not a request/);
    const running = c.run(stop.signal);
    await until(() => reconciled.length >= 7);
    await new Promise((r) => setTimeout(r, 50));
    stop.abort();
    await running;
    await api.close();
    expect([...reconciled].sort()).toEqual(["default/db", "default/db2", "default/flag", "default/inf", "default/neg", "default/str", "default/web"]);
    expect(errors.filter((e) => e.error instanceof TypeError)).toEqual([]);
    const messages = errors.filter((e) => e.error instanceof UsageError).map((e) => `${e.request ?? "-"} ${(e.error as Error).message}`);
    expect(messages.sort()).toEqual(
      [
        '- controller configmaps: the watches mapping for ServiceAccount default/entries returned an entry that is not a request: a request needs a name (a non-empty string), got ""',
        "- controller configmaps: the watches mapping for ServiceAccount default/entries returned an entry that is not a request: a request's namespace must be a string, got 7",
        "- controller configmaps: the watches mapping for ServiceAccount default/entries returned an entry that is not a request: null is not a request ({ namespace?, name })",
        "- controller configmaps: the watches mapping for ServiceAccount default/garbage returned 42; expected an array of { namespace?, name }",
        "- controller configmaps: the filter threw for ConfigMap default/web (queued anyway): filter broke",
        '- controller configmaps: the watches mapping for ServiceAccount default/throws threw: "not an Error"',
        "default/db controller configmaps: the reconcile of default/db returned requeueAfterMs NaN; expected a finite number of milliseconds",
        'default/db2 controller configmaps: the reconcile of default/db2 threw "plain string", not an Error',
        "default/flag controller configmaps: the reconcile of default/flag returned requeue \"sometimes\"; expected a boolean",
        "default/inf controller configmaps: the reconcile of default/inf returned requeueAfterMs Infinity; expected a finite number of milliseconds",
        'default/str controller configmaps: the reconcile of default/str returned "yes"; expected nothing or { requeue?: boolean, requeueAfterMs?: number }',
      ].sort(),
    );
    // Failed reconciles wait for their retry; the negative delay is read as controller-runtime reads it (no requeue).
    expect(c.metrics().errors).toBe(5);
    expect(c.queue.numRequeues("default/neg")).toBe(0);
  });
});
