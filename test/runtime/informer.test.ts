/**
 * Informers against the local API server over HTTPS: sync by list and by watch-list, the events
 * handlers see, relists that deliver exactly the differences, indexes, sharing, resync, transform,
 * bookmarks, and the failure behaviour of issue 15 (listeners, black-holed watches, backoff reset,
 * restart after a failed start).
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigMap } from "kubezod/k8s";
import { ForbiddenError, Informer, InformerFactory, connect, defineCluster, dropManagedFields, type InformerEvent, type Kube } from "../../src/index.js";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { FaultProxy } from "./support/fault-proxy.js";
import { connectVia, replay, until } from "./support/helpers.js";

let server: TestServer;
let kube: Kube;
beforeAll(async () => {
  server = await startTestServer({ historySize: 60, bookmarkIntervalMs: 200, controllers: false });
  kube = await server.connect();
});
afterAll(async () => {
  await kube?.close();
  await server?.close();
});

const names = (list: ConfigMap[]) => list.map((c) => c.metadata?.name).sort();
const fast = { backoff: { initialMs: 20, maxMs: 200 } };

async function makeConfigMaps(label: string, count: number, namespace = "default"): Promise<void> {
  for (let i = 0; i < count; i++) await kube.create(ConfigMap, { metadata: { name: `${label}-${i}`, namespace, labels: { set: label } }, data: { v: "0" } });
}

async function bump(name: string, value: string, namespace = "default"): Promise<void> {
  await kube.patch(ConfigMap, name, { data: { v: value } }, { namespace });
}

for (const watchList of [true, false]) {
  describe(`Informer (${watchList ? "watch-list" : "list"} sync)`, () => {
    const set = watchList ? "wl" : "ls";

    it("syncs, then follows changes into its cache and to its handlers", async () => {
      await kube.create(ConfigMap, { metadata: { name: `${set}-before`, labels: { inf: set } } });
      const informer = new Informer(kube, ConfigMap, { labelSelector: { inf: set }, limit: 1, watchList });
      const events: string[] = [];
      informer.on((e: InformerEvent<ConfigMap>) => events.push(`${e.type} ${e.object.metadata?.name}`));
      await informer.start();
      expect(informer.synced).toBe(true);
      expect(names(informer.list())).toEqual([`${set}-before`]);
      const cm = await kube.create(ConfigMap, { metadata: { name: `${set}-after`, labels: { inf: set } }, data: { v: "1" } });
      const next = structuredClone(cm);
      next.data = { v: "2" };
      await kube.update(next, { builtFromLatest: cm });
      await kube.delete(ConfigMap, `${set}-before`);
      await until(() => events.length === 4);
      expect(events).toEqual([`add ${set}-before`, `add ${set}-after`, `update ${set}-after`, `delete ${set}-before`]);
      expect(informer.get(`${set}-after`, "default")?.data).toEqual({ v: "2" });
      expect(informer.get(`${set}-before`)).toBeUndefined();
      await informer.stop();
    });

    it("after 410 Gone, relists and delivers exactly the differences (deletes for vanished objects)", async () => {
      const label = `${set}-gone`;
      await makeConfigMaps(label, 4);
      const proxy = await new FaultProxy(server.url, server.caCertificate!, 3).listen();
      const via = await connectVia(server, proxy.url, proxy.ca, { retry: false });
      const informer = new Informer(via, ConfigMap, { labelSelector: { set: label }, watchList, ...fast });
      const events: Array<InformerEvent<ConfigMap>> = [];
      informer.on((e) => events.push(e));
      await informer.start();
      const relistsBefore = informer.stats.relists;
      // Cut the informer off, change things, and push its resourceVersion out of the server's history.
      proxy.rates = { errorBurst: 1, errorCodes: [500] };
      proxy.cutAll();
      await kube.create(ConfigMap, { metadata: { name: `${label}-new`, labels: { set: label } } });
      await bump(`${label}-1`, "changed");
      await kube.delete(ConfigMap, `${label}-2`);
      server.compact();
      proxy.rates = {};
      await until(() => informer.get(`${label}-new`) !== undefined && informer.get(`${label}-2`) === undefined);
      expect(informer.stats.relists, JSON.stringify({ stats: informer.stats, counts: proxy.counts })).toBeGreaterThan(relistsBefore);
      const after = events.slice(4).map((e) => `${e.type} ${e.object.metadata?.name}${e.type === "delete" && e.finalStateUnknown ? " (final state unknown)" : ""}`);
      expect(after.sort()).toEqual([`add ${label}-new`, `delete ${label}-2 (final state unknown)`, `update ${label}-1`].sort());
      expect(names(informer.list())).toEqual([`${label}-0`, `${label}-1`, `${label}-3`, `${label}-new`]);
      expect(replay(events).problems).toEqual([]);
      await informer.stop();
      await via.close();
      await proxy.close();
    });
  });
}

describe("Informer", () => {
  it("syncs with one watch-list stream (sendInitialEvents, ended by the initial-events-end bookmark) and no list", async () => {
    await makeConfigMaps("stream", 3);
    server.requests.length = 0;
    const informer = new Informer(kube, ConfigMap, { labelSelector: { set: "stream" } });
    await informer.start();
    expect(names(informer.list())).toEqual(["stream-0", "stream-1", "stream-2"]);
    const mine = server.requests.filter((r) => r.resource === "configmaps" && String(r.query.labelSelector) === "set=stream");
    expect(mine.filter((r) => r.verb === "list")).toEqual([]);
    const watch = mine.find((r) => r.verb === "watch")!;
    expect(watch.query).toMatchObject({ sendInitialEvents: "true", resourceVersionMatch: "NotOlderThan", allowWatchBookmarks: "true" });
    expect(informer.stats.watches).toBe(1);
    await informer.stop();
  });

  it("falls back to a paged list when the server refuses watch-lists", async () => {
    await makeConfigMaps("refused", 3);
    const fault = server.faults.inject({ match: (r) => r.verb === "watch" && r.query.sendInitialEvents === "true", status: 422, message: "sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled" });
    server.requests.length = 0;
    const informer = new Informer(kube, ConfigMap, { labelSelector: { set: "refused" }, limit: 2 });
    await informer.start();
    expect(names(informer.list())).toEqual(["refused-0", "refused-1", "refused-2"]);
    const lists = server.requests.filter((r) => r.verb === "list" && String(r.query.labelSelector) === "set=refused");
    expect(lists.map((r) => r.query.limit)).toEqual(["2", "2"]);
    fault.remove();
    await informer.stop();
  });

  it("an expired continue token lists again in one piece (client-go's pager), with no spurious events", async () => {
    await makeConfigMaps("pager", 5);
    const fault = server.faults.inject({ match: (r) => r.verb === "list" && r.query.continue !== undefined && String(r.query.labelSelector) === "set=pager", status: 410, times: 1 });
    server.requests.length = 0;
    const informer = new Informer(kube, ConfigMap, { labelSelector: { set: "pager" }, watchList: false, limit: 2 });
    const events: string[] = [];
    informer.on((e) => events.push(`${e.type} ${e.object.metadata?.name}`));
    await informer.start();
    expect(fault.hits).toBe(1);
    expect(events.sort()).toEqual(["add pager-0", "add pager-1", "add pager-2", "add pager-3", "add pager-4"]);
    const lists = server.requests.filter((r) => r.verb === "list" && String(r.query.labelSelector) === "set=pager");
    expect(lists.map((r) => r.query.limit ?? "none")).toEqual(["2", "2", "none"]);
    await informer.stop();
  });

  it("indexes: the namespace index, custom index functions, byIndex kept current through updates", async () => {
    await kube.create(ConfigMap, { metadata: { name: "idx-a", labels: { set: "idx", team: "red" } } });
    await kube.create(ConfigMap, { metadata: { name: "idx-b", labels: { set: "idx", team: "blue" } } });
    await kube.create(ConfigMap, { metadata: { name: "idx-c", namespace: "kube-public", labels: { set: "idx", team: "red" } } });
    const informer = new Informer(kube, ConfigMap, {
      allNamespaces: true,
      labelSelector: { set: "idx" },
      indexers: { team: (cm) => (cm.metadata?.labels?.team ? [cm.metadata.labels.team] : []) },
    });
    await informer.start();
    expect(names(informer.byIndex("team", "red"))).toEqual(["idx-a", "idx-c"]);
    expect(names(informer.byIndex("namespace", "kube-public"))).toEqual(["idx-c"]);
    expect(names(informer.list("default"))).toEqual(["idx-a", "idx-b"]);
    expect(informer.indexValues("team").sort()).toEqual(["blue", "red"]);
    await kube.patch(ConfigMap, "idx-a", { metadata: { labels: { team: "blue" } } }, { namespace: "default" });
    await until(() => informer.byIndex("team", "blue").length === 2);
    expect(names(informer.byIndex("team", "red"))).toEqual(["idx-c"]);
    // An index added to a running informer covers what is cached.
    informer.addIndexers({ name: (cm) => [cm.metadata?.name ?? ""] });
    expect(informer.indexKeys("name", "idx-c")).toEqual(["kube-public/idx-c"]);
    expect(() => informer.byIndex("nope", "x")).toThrow(/no index "nope"/);
    await informer.stop();
  });

  it("an update holds the new values and shares the parts that did not change with the old object", async () => {
    await kube.create(ConfigMap, { metadata: { name: "unchanged-0", labels: { set: "unchanged" } }, data: { v: "0", keep: "x" }, binaryData: { b: "AAEC" } });
    const informer = new Informer(kube, ConfigMap, { labelSelector: { set: "unchanged" } });
    const updates: Array<InformerEvent<ConfigMap> & { type: "update" }> = [];
    informer.on((e) => e.type === "update" && updates.push(e));
    await informer.start();
    await bump("unchanged-0", "1");
    await until(() => updates.length === 1);
    const { object, old } = updates[0]!;
    expect(object.data).toEqual({ v: "1", keep: "x" });
    expect(old.data).toEqual({ v: "0", keep: "x" });
    expect(object.metadata?.resourceVersion).not.toBe(old.metadata?.resourceVersion);
    expect(object.binaryData).toBe(old.binaryData);
    expect(object.metadata?.labels).toBe(old.metadata?.labels);
    expect(informer.get("unchanged-0")).toBe(object);
    await informer.stop();
  });

  it("a handler added after the sync gets an add for every cached object; a throwing handler stops nobody", async () => {
    await makeConfigMaps("late", 2);
    const errors: unknown[] = [];
    const informer = new Informer(kube, ConfigMap, { labelSelector: { set: "late" }, onError: (e) => errors.push(e) });
    informer.on(() => {
      throw new Error("handler bug");
    });
    await informer.start();
    const seen: string[] = [];
    const off = informer.on((e) => seen.push(`${e.type} ${e.object.metadata?.name}`));
    expect(seen.sort()).toEqual(["add late-0", "add late-1"]);
    await bump("late-0", "1");
    await until(() => seen.length === 3);
    expect(seen[2]).toBe("update late-0");
    expect(errors.some((e) => (e as Error).message === "handler bug")).toBe(true);
    off();
    await informer.stop();
  });

  it("resyncs: every handler gets an update (same object, resync: true) for every cached object each period", async () => {
    await makeConfigMaps("resync", 2);
    const informer = new Informer(kube, ConfigMap, { labelSelector: { set: "resync" } });
    const resyncs: Array<InformerEvent<ConfigMap>> = [];
    informer.on((e) => e.type === "update" && e.resync && resyncs.push(e), { resyncPeriodMs: 50 });
    await informer.start();
    await until(() => resyncs.length >= 4);
    const e = resyncs[0]!;
    expect(e.type === "update" && e.old === e.object).toBe(true);
    await informer.stop();
  });

  it("transforms objects before caching them (dropManagedFields)", async () => {
    await makeConfigMaps("slim", 1);
    const live = await kube.get(ConfigMap, "slim-0");
    expect(live.metadata?.managedFields?.length).toBeGreaterThan(0);
    const informer = new Informer(kube, ConfigMap, { labelSelector: { set: "slim" }, transform: dropManagedFields });
    await informer.start();
    expect(informer.get("slim-0")?.metadata?.managedFields).toBeUndefined();
    await informer.stop();
  });

  it("follows bookmarks: its resourceVersion moves past changes it does not select", async () => {
    const informer = new Informer(kube, ConfigMap, { labelSelector: { set: "bookmarks" } });
    await informer.start();
    const other = await kube.create(ConfigMap, { metadata: { name: "not-selected", labels: { set: "other" } } });
    await until(() => Number(informer.resourceVersion) >= Number(other.metadata?.resourceVersion));
    await informer.stop();
  });

  it("waitForSync and hasSynced; stop() before the first sync rejects start()", async () => {
    const informer = new Informer(kube, ConfigMap, { labelSelector: { set: "nothing" } });
    expect(informer.hasSynced()).toBe(false);
    const proxy = await new FaultProxy(server.url, server.caCertificate!).listen();
    const via = await connectVia(server, proxy.url, proxy.ca, { retry: false });
    proxy.rates = { errorBurst: 1, errorCodes: [500] };
    const never = new Informer(via, ConfigMap, { labelSelector: { set: "nothing" }, ...fast });
    const starting = never.start();
    await until(() => never.stats.failures >= 2);
    await never.stop();
    await expect(starting).rejects.toThrow(/stopped before its first sync/);
    await informer.start();
    await informer.waitForSync();
    expect(informer.hasSynced()).toBe(true);
    await informer.stop();
    await via.close();
    await proxy.close();
  });
});

describe("InformerFactory", () => {
  it("shares one informer (one list + watch) per kind and selection among its consumers", async () => {
    await makeConfigMaps("shared", 2);
    const factory = new InformerFactory(kube, { transform: dropManagedFields });
    const a = factory.informer(ConfigMap, { labelSelector: { set: "shared" } });
    const b = factory.informer(ConfigMap, { labelSelector: "set=shared", indexers: { v: (c) => [c.data?.v ?? ""] } });
    const other = factory.informer(ConfigMap, { labelSelector: { set: "other" } });
    expect(b).toBe(a);
    expect(other).not.toBe(a);
    const seenA: string[] = [];
    const seenB: string[] = [];
    a.on((e) => seenA.push(`${e.type} ${e.object.metadata?.name}`));
    server.requests.length = 0;
    await factory.start();
    expect(factory.hasSynced()).toBe(true);
    b.on((e) => seenB.push(`${e.type} ${e.object.metadata?.name}`));
    expect(seenB.sort()).toEqual(seenA.sort());
    expect(a.byIndex("v", "0")).toHaveLength(2);
    expect(a.get("shared-0")?.metadata?.managedFields).toBeUndefined();
    const watches = server.requests.filter((r) => r.verb === "watch" && String(r.query.labelSelector) === "set=shared");
    expect(watches).toHaveLength(1);
    // An informer asked for after start() is started at once.
    const late = factory.informer(ConfigMap, { labelSelector: { set: "late" } });
    await late.waitForSync();
    expect(late.size).toBe(2);
    await factory.stop();
    expect(factory.informers().every((i) => !i.running)).toBe(true);
  });
});

describe("Informer under broken peers (issue 15)", () => {
  it("leaves no abort listener behind however often it fails (no MaxListenersExceededWarning)", async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on("warning", onWarning);
    const proxy = await new FaultProxy(server.url, server.caCertificate!).listen();
    const via = await connectVia(server, proxy.url, proxy.ca, { retry: false });
    const informer = new Informer(via, ConfigMap, { labelSelector: { set: "listeners" }, backoff: { initialMs: 1, maxMs: 5 } });
    await informer.start();
    proxy.rates = { errorBurst: 1, errorCodes: [500] };
    proxy.cutAll();
    await until(() => informer.stats.failures >= 30);
    proxy.rates = { reset: 1 };
    const failures = informer.stats.failures;
    await until(() => informer.stats.failures >= failures + 15);
    proxy.rates = {};
    await kube.create(ConfigMap, { metadata: { name: "listeners-0", labels: { set: "listeners" } } });
    await until(() => informer.size === 1);
    await informer.stop();
    await via.close();
    await proxy.close();
    process.off("warning", onWarning);
    expect(warnings.filter((w) => w.name === "MaxListenersExceededWarning" || /memory leak/i.test(w.message))).toEqual([]);
  });

  it("a black-holed watch (open connection, no bytes) is dropped after the inactivity bound, and the informer catches up", async () => {
    const proxy = await new FaultProxy(server.url, server.caCertificate!).listen();
    const via = await connectVia(server, proxy.url, proxy.ca);
    const errors: unknown[] = [];
    const informer = new Informer(via, ConfigMap, { labelSelector: { set: "blackhole" }, watchIdleTimeoutMs: 300, onError: (e) => errors.push(e) });
    await informer.start();
    proxy.rates = { watchBlackhole: 1 };
    proxy.cutAll();
    await until(() => proxy.counts.watchBlackhole >= 1);
    await kube.create(ConfigMap, { metadata: { name: "blackhole-0", labels: { set: "blackhole" } } });
    await until(() => informer.stats.idleWatches >= 2);
    expect(informer.get("blackhole-0")).toBeUndefined(); // every watch so far was black-holed
    proxy.rates = {};
    await until(() => informer.get("blackhole-0") !== undefined);
    expect(errors.some((e) => (e as Error).name === "IdleTimeoutError")).toBe(true);
    await informer.stop();
    await via.close();
    await proxy.close();
  });

  it("with no inactivity bound, a black-holed watch is still bounded by the watch timeout, and the informer catches up", async () => {
    const proxy = await new FaultProxy(server.url, server.caCertificate!).listen();
    const via = await connectVia(server, proxy.url, proxy.ca);
    const informer = new Informer(via, ConfigMap, { labelSelector: { set: "deadline" }, watchIdleTimeoutMs: 0, watchTimeoutSeconds: 1 });
    await informer.start();
    proxy.rates = { watchBlackhole: 1 };
    proxy.cutAll();
    await until(() => proxy.counts.watchBlackhole >= 1);
    await kube.create(ConfigMap, { metadata: { name: "deadline-0", labels: { set: "deadline" } } });
    proxy.rates = {};
    await until(() => informer.get("deadline-0") !== undefined);
    expect(informer.stats.idleWatches).toBe(0);
    await informer.stop();
    await via.close();
    await proxy.close();
  });

  it("backoff grows while failures continue and starts over after a healthy period", async () => {
    const proxy = await new FaultProxy(server.url, server.caCertificate!).listen();
    const via = await connectVia(server, proxy.url, proxy.ca, { retry: false });
    const delays: number[] = [];
    const informer = new Informer(via, ConfigMap, {
      labelSelector: { set: "reset" },
      backoff: { initialMs: 40, maxMs: 5000, jitter: 0, resetAfterMs: 400 },
      onError: (_e, info) => info.retryInMs !== undefined && delays.push(info.retryInMs),
    });
    await informer.start();
    proxy.rates = { errorBurst: 1, errorCodes: [500] };
    proxy.cutAll();
    await until(() => delays.length >= 4);
    proxy.rates = {};
    expect(delays.slice(0, 4)).toEqual([40, 80, 160, 320]);
    await kube.create(ConfigMap, { metadata: { name: "reset-0", labels: { set: "reset" } } });
    await until(() => informer.size === 1);
    // Healthy for longer than resetAfterMs, then one more failure: the delay is the first one again.
    await new Promise((r) => setTimeout(r, 600));
    const before = delays.length;
    proxy.rates = { errorBurst: 1, errorCodes: [500] };
    proxy.cutAll();
    await until(() => delays.length > before);
    proxy.rates = {};
    expect(delays[before]).toBe(40);
    await informer.stop();
    await via.close();
    await proxy.close();
  });

  it("one 500 on the first list does not end the informer: it retries with backoff and syncs", async () => {
    await makeConfigMaps("retry500", 1);
    for (const watchList of [false, true]) {
      const fault = server.faults.inject({ match: (r) => r.resource === "configmaps" && String(r.query.labelSelector) === "set=retry500", status: 500, times: 1 });
      const errors: unknown[] = [];
      const informer = new Informer(kube, ConfigMap, { labelSelector: { set: "retry500" }, watchList, ...fast, onError: (e) => errors.push(e) });
      await informer.start();
      expect(informer.size).toBe(1);
      expect(fault.hits).toBe(1);
      expect(errors.some((e) => (e as { status?: number }).status === 500)).toBe(true);
      await informer.stop();
    }
  });

  it("start() rejects on an error retrying cannot fix (403), and can be called again", async () => {
    await makeConfigMaps("restart", 1);
    for (const watchList of [false, true]) {
      const fault = server.faults.inject({ match: (r) => r.resource === "configmaps" && String(r.query.labelSelector) === "set=restart", status: 403, times: watchList ? 2 : 1 });
      const informer = new Informer(kube, ConfigMap, { labelSelector: { set: "restart" }, watchList });
      await expect(informer.start()).rejects.toBeInstanceOf(ForbiddenError);
      expect(informer.running).toBe(false);
      expect(fault.hits).toBe(watchList ? 2 : 1);
      await informer.start();
      expect(informer.size).toBe(1);
      await informer.stop();
    }
  });

  it("leaves out objects without a name and reports malformed events as typed errors, then carries on", async () => {
    const cm = (name: string, rv: number) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "default", resourceVersion: String(rv) } });
    let watches = 0;
    const peer = createServer((req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      if (!new URL(req.url!, "http://x").searchParams.get("watch")) {
        res.end(JSON.stringify({ kind: "ConfigMapList", apiVersion: "v1", metadata: { resourceVersion: "5" }, items: [cm("a", 1), { metadata: { namespace: "default" } }] }));
        return;
      }
      // First watch: an event whose object is null; then a nameless object and a good one.
      res.write(watches++ === 0 ? '{"type":"ADDED","object":null}\n' : `{"type":"ADDED","object":{"metadata":{"name":""}}}\n${JSON.stringify({ type: "ADDED", object: cm("b", 6) })}\n`);
    });
    await new Promise<void>((resolve) => peer.listen(0, "127.0.0.1", resolve));
    const local = await connect({ config: defineCluster({ server: `http://127.0.0.1:${(peer.address() as AddressInfo).port}` }), retry: false });
    const errors: unknown[] = [];
    const informer = new Informer(local, ConfigMap, { namespace: "default", watchList: false, ...fast, onError: (e) => errors.push(e) });
    await informer.start();
    await until(() => informer.size === 2);
    expect([...informer.keys()].sort()).toEqual(["default/a", "default/b"]);
    expect(errors.map((e) => (e as Error).constructor.name)).toEqual(["InvalidResponseError", "StreamDecodeError", "InvalidResponseError"]);
    expect((errors[0] as Error).message).toBe("a ConfigMap without a metadata.name arrived for configmaps in default: left out of the cache");
    expect((errors[1] as Error).message).toMatch(/^a watch event \(ADDED\) whose object is not an object \(GET http:.*watch=true/);
    await informer.stop();
    await local.close();
    peer.closeAllConnections();
    peer.close();
  });

  it("a server asking to wait for years (Retry-After: 999999999999) gets the longest backoff, not a retry every millisecond", async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(w.name);
    process.on("warning", onWarning);
    let requests = 0;
    const peer = createServer((_req, res) => {
      requests++;
      res.writeHead(429, { "content-type": "application/json", "retry-after": "999999999999" });
      res.end(JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", reason: "TooManyRequests", code: 429 }));
    });
    await new Promise<void>((resolve) => peer.listen(0, "127.0.0.1", resolve));
    const local = await connect({ config: defineCluster({ server: `http://127.0.0.1:${(peer.address() as AddressInfo).port}` }), retry: false });
    const waits: number[] = [];
    const informer = new Informer(local, ConfigMap, { namespace: "default", ...fast, onError: (_e, info) => waits.push(info.retryInMs ?? -1) });
    void informer.start().catch(() => undefined);
    await until(() => waits.length >= 2);
    await informer.stop();
    await local.close();
    peer.closeAllConnections();
    peer.close();
    process.off("warning", onWarning);
    // Each wait is the backoff's ceiling at most (200 ms, doubled at most by jitter).
    for (const w of waits) {
      expect(w).toBeGreaterThan(0);
      expect(w).toBeLessThanOrEqual(400);
    }
    expect(warnings).not.toContain("TimeoutOverflowWarning");
    expect(requests).toBeLessThanOrEqual(waits.length + 1);
  });
});
