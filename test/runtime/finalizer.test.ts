/**
 * The finalizer helper against the local API server: added before the first work, cleanup on
 * deletion then removed, every change guarded by the resourceVersion the decision was made on.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigMap } from "kubezod/k8s";
import { ConflictError, InvalidResponseError, NotFoundError, UsageError, finalizer, type Kube } from "../../src/index.js";
import { hostileApi } from "./support/hostile-api.js";
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

  it("a malformed object is a UsageError naming it, and nothing is written or run: finalizers not a list, a deletionTimestamp that is not a time, no resourceVersion or namespace", async () => {
    const live = await kube.create(ConfigMap, { metadata: { name: "fin-hostile", finalizers: [NAME] } });
    const ran: string[] = [];
    const handlers = { name: NAME, apply: () => void ran.push("apply"), cleanup: () => void ran.push("cleanup") };
    const broken = (metadata: Record<string, unknown>) => ({ ...live, metadata: { ...live.metadata, ...metadata } }) as ConfigMap;
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ finalizers: `${NAME}-other` }, "the ConfigMap default/fin-hostile has metadata.finalizers that is not a list of strings"],
      [{ finalizers: [NAME, 7] }, "the ConfigMap default/fin-hostile has metadata.finalizers that is not a list of strings"],
      [{ deletionTimestamp: "yesterday" }, "the ConfigMap default/fin-hostile has a metadata.deletionTimestamp that is not an RFC 3339 time"],
      [{ deletionTimestamp: 1 }, "the ConfigMap default/fin-hostile has a metadata.deletionTimestamp that is not an RFC 3339 time"],
      [{ deletionTimestamp: "" }, "the ConfigMap default/fin-hostile has a metadata.deletionTimestamp that is not an RFC 3339 time"],
      [{ resourceVersion: undefined }, "the ConfigMap default/fin-hostile has no metadata.resourceVersion: finalizers are only changed on an object read from the server"],
      [{ namespace: undefined }, "the ConfigMap fin-hostile has no metadata.namespace"],
    ];
    for (const [metadata, message] of cases) {
      const err = await finalizer(kube, ConfigMap, broken(metadata), handlers).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).toBe(message);
    }
    await expect(finalizer(kube, ConfigMap, null as never, handlers)).rejects.toThrow(UsageError);
    await expect(finalizer(kube, ConfigMap, live, { name: NAME, apply: "run" } as never)).rejects.toThrow(/apply and cleanup functions/);
    expect(ran).toEqual([]);
    expect((await kube.get(ConfigMap, "fin-hostile")).metadata?.resourceVersion).toBe(live.metadata?.resourceVersion);
    // A deletion time with a fraction and an offset is one (Go's RFC 3339 parser reads it): the cleanup runs.
    await finalizer(kube, ConfigMap, broken({ deletionTimestamp: "2026-12-05T06:00:00.5+01:00" }), handlers);
    expect(ran).toEqual(["cleanup"]);
    expect((await kube.get(ConfigMap, "fin-hostile")).metadata?.finalizers ?? []).toEqual([]);
  });

  it("cleanup that throws keeps the finalizer; the object gone during addition or removal is a NotFoundError or a finished deletion", async () => {
    await kube.create(ConfigMap, { metadata: { name: "fin-throws", finalizers: [NAME] } });
    await kube.delete(ConfigMap, "fin-throws");
    const deleting = await kube.get(ConfigMap, "fin-throws");
    await expect(finalizer(kube, ConfigMap, deleting, { name: NAME, apply: () => undefined, cleanup: () => Promise.reject("cannot clean") })).rejects.toBe("cannot clean");
    expect((await kube.get(ConfigMap, "fin-throws")).metadata?.finalizers).toEqual([NAME]);
    // Changed meanwhile (a label written by someone else): the removal after the cleanup is refused
    // with 409 and the finalizer stays, for a retry with the fresh object.
    await kube.patch(ConfigMap, "fin-throws", { metadata: { labels: { touched: "yes" } } }, { type: "merge" });
    let cleanups = 0;
    await expect(finalizer(kube, ConfigMap, deleting, { name: NAME, apply: () => undefined, cleanup: () => void cleanups++ })).rejects.toBeInstanceOf(ConflictError);
    expect((await kube.get(ConfigMap, "fin-throws")).metadata?.finalizers).toEqual([NAME]);
    const fresh = await kube.get(ConfigMap, "fin-throws");
    await kube.patch(ConfigMap, "fin-throws", { metadata: { labels: { touched: "again" } } }, { type: "merge" });
    // Gone meanwhile (someone else removed the last finalizer): the cleanup ran, the removal finds nothing to do.
    await kube.patch(ConfigMap, "fin-throws", { metadata: { finalizers: null } }, { type: "merge" });
    let cleaned = 0;
    expect(await finalizer(kube, ConfigMap, fresh, { name: NAME, apply: () => undefined, cleanup: () => ++cleaned })).toBe(1);
    expect(cleanups).toBe(1);
    // Gone before the finalizer could be added: nothing runs.
    const gone = await kube.create(ConfigMap, { metadata: { name: "fin-gone" } });
    await kube.delete(ConfigMap, "fin-gone");
    let applied = 0;
    await expect(finalizer(kube, ConfigMap, gone, { name: NAME, apply: () => ++applied, cleanup: () => undefined })).rejects.toBeInstanceOf(NotFoundError);
    expect(applied).toBe(0);
  });

  it("a server that answers the addition without our finalizer: the work does not run", async () => {
    const api = await hostileApi({}, (req, res, body) => {
      if (req.method !== "PATCH") return false;
      const sent = JSON.parse(body) as { metadata: Record<string, unknown> };
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm", namespace: "default", resourceVersion: "9", finalizers: sent.metadata.finalizers ? ["someone.else/x"] : null } }));
      return true;
    });
    let applied = 0;
    const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm", namespace: "default", resourceVersion: "8" } } as ConfigMap;
    const err = await finalizer(api.kube, ConfigMap, cm, { name: NAME, apply: () => ++applied, cleanup: () => undefined }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidResponseError);
    expect((err as Error).message).toBe(`the ConfigMap default/cm: the server answered the finalizer's addition with an object without ${NAME}`);
    expect(applied).toBe(0);
    await api.close();
  });
});
