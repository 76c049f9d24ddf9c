/**
 * The finalizer helper against the local API server: added before the first work, cleanup on
 * deletion then removed, every change guarded by the resourceVersion the decision was made on.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigMap } from "kubezod/k8s";
import { ConflictError, UsageError, finalizer, type Kube } from "../../src/index.js";
import { startTestServer, type TestServer } from "../../src/testing/index.js";

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

const NAME = "example.com/cleanup";

describe("finalizer()", () => {
  it("adds the finalizer before the first work, then applies; on deletion cleans up and removes it, so the object goes", async () => {
    const created = await kube.create(ConfigMap, { metadata: { name: "fin", finalizers: ["other.io/keep"] } });
    const log: string[] = [];
    const handlers = {
      name: NAME,
      apply: (cm: ConfigMap) => {
        log.push(`apply ${cm.metadata?.finalizers?.join(",")}`);
        return "applied";
      },
      cleanup: (cm: ConfigMap) => {
        log.push(`cleanup ${cm.metadata?.deletionTimestamp ? "deleting" : "live"}`);
        return "cleaned";
      },
    };
    expect(await finalizer(kube, ConfigMap, created, handlers)).toBe("applied");
    expect(log).toEqual([`apply other.io/keep,${NAME}`]);
    const withFinalizer = await kube.get(ConfigMap, "fin");
    expect(withFinalizer.metadata?.finalizers).toEqual(["other.io/keep", NAME]);
    // Present already: no write, just the work.
    expect(await finalizer(kube, ConfigMap, withFinalizer, handlers)).toBe("applied");
    expect((await kube.get(ConfigMap, "fin")).metadata?.resourceVersion).toBe(withFinalizer.metadata?.resourceVersion);

    await kube.delete(ConfigMap, "fin");
    const deleting = await kube.get(ConfigMap, "fin");
    expect(deleting.metadata?.deletionTimestamp).toBeTruthy();
    expect(await finalizer(kube, ConfigMap, deleting, handlers)).toBe("cleaned");
    const rest = await kube.get(ConfigMap, "fin");
    expect(rest.metadata?.finalizers).toEqual(["other.io/keep"]);
    // Our cleanup is done: nothing more happens for it.
    expect(await finalizer(kube, ConfigMap, rest, handlers)).toBeUndefined();
    expect(log).toEqual([`apply other.io/keep,${NAME}`, `apply other.io/keep,${NAME}`, "cleanup deleting"]);
    await kube.patch(ConfigMap, "fin", { metadata: { finalizers: null } }, { type: "merge" });
    expect(await kube.get(ConfigMap, "fin", { returnErrors: [404] })).toBeInstanceOf(Error);
  });

  it("removing the last finalizer lets the deletion complete", async () => {
    const created = await kube.create(ConfigMap, { metadata: { name: "fin-last" } });
    const added = await finalizer(kube, ConfigMap, created, { name: NAME, apply: () => kube.get(ConfigMap, "fin-last"), cleanup: () => undefined });
    await kube.delete(ConfigMap, "fin-last");
    await finalizer(kube, ConfigMap, await kube.get(ConfigMap, "fin-last"), { name: NAME, apply: () => undefined, cleanup: () => undefined });
    expect(added?.metadata?.finalizers).toEqual([NAME]);
    expect(await kube.get(ConfigMap, "fin-last", { returnErrors: [404] })).toBeInstanceOf(Error);
  });

  it("is guarded by resourceVersion: acting on a stale object fails with 409 Conflict and changes nothing", async () => {
    const stale = await kube.create(ConfigMap, { metadata: { name: "fin-stale" } });
    await kube.patch(ConfigMap, "fin-stale", { data: { changed: "yes" } });
    let applied = false;
    await expect(finalizer(kube, ConfigMap, stale, { name: NAME, apply: () => (applied = true), cleanup: () => undefined })).rejects.toBeInstanceOf(ConflictError);
    expect(applied).toBe(false);
    expect((await kube.get(ConfigMap, "fin-stale")).metadata?.finalizers ?? []).toEqual([]);
  });

  it("refuses a finalizer name that is not a qualified name", async () => {
    const cm = await kube.create(ConfigMap, { metadata: { name: "fin-bad" } });
    await expect(finalizer(kube, ConfigMap, cm, { name: "not a name", apply: () => undefined, cleanup: () => undefined })).rejects.toBeInstanceOf(UsageError);
  });
});
