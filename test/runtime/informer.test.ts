import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigMap } from "kubezod/k8s";
import { Informer, type InformerEvent, type Kube } from "../../src/index.js";
import { startTestServer, type TestServer } from "../../src/testing/index.js";

let server: TestServer;
let kube: Kube;
beforeAll(async () => {
  server = await startTestServer({ historySize: 20, controllers: false });
  kube = await server.connect();
});
afterAll(async () => {
  await kube?.close();
  await server?.close();
});

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
};

describe("Informer", () => {
  it("lists, then follows changes into its cache and to its handlers", async () => {
    await kube.create(ConfigMap, { metadata: { name: "before", labels: { inf: "a" } } });
    const informer = new Informer(kube, ConfigMap, { labelSelector: { inf: "a" }, limit: 1 });
    const events: string[] = [];
    informer.on((e: InformerEvent<ConfigMap>) => events.push(`${e.type} ${e.object.metadata?.name}`));
    await informer.start();
    expect(informer.synced).toBe(true);
    expect(informer.list().map((c) => c.metadata?.name)).toEqual(["before"]);
    const cm = await kube.create(ConfigMap, { metadata: { name: "after", labels: { inf: "a" } }, data: { v: "1" } });
    const next = structuredClone(cm);
    next.data = { v: "2" };
    await kube.update(next, { builtFromLatest: cm });
    await kube.delete(ConfigMap, "before");
    await until(() => events.length === 4);
    expect(events).toEqual(["add before", "add after", "update after", "delete before"]);
    expect(informer.get("after", "default")?.data).toEqual({ v: "2" });
    expect(informer.get("before", "default")).toBeUndefined();
    await informer.stop();
  });

  it("relists after 410 Gone and reports what changed meanwhile", async () => {
    const informer = new Informer(kube, ConfigMap, { labelSelector: { inf: "b" } });
    const events: string[] = [];
    informer.on((e) => events.push(`${e.type} ${e.object.metadata?.name}`));
    await kube.create(ConfigMap, { metadata: { name: "b0", labels: { inf: "b" } } });
    await informer.start();
    // Cut the watch, then make enough changes to push its version out of the server's history.
    server.faults.inject({ match: { verb: "watch", resource: "configmaps" }, status: 503, times: 3 });
    server.faults.inject({ match: { verb: "watch", resource: "configmaps" }, cutWatchAfterEvents: 0, times: 1 });
    for (let i = 0; i < 30; i++) await kube.create(ConfigMap, { metadata: { name: `filler-${i}` } });
    await kube.create(ConfigMap, { metadata: { name: "b1", labels: { inf: "b" } } });
    await until(() => informer.get("b1", "default") !== undefined);
    expect(informer.list().map((c) => c.metadata?.name).sort()).toEqual(["b0", "b1"]);
    expect(events).toContain("add b1");
    await informer.stop();
  });

  it("rejects start() when the first list fails", async () => {
    server.faults.inject({ match: { verb: "list", resource: "configmaps" }, status: 403, times: 1 });
    const informer = new Informer(kube, ConfigMap, {});
    await expect(informer.start()).rejects.toThrow();
    await informer.stop();
  });
});
