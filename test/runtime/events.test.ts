/**
 * The event recorder against the local API server: events.k8s.io/v1 Events with the reporting
 * controller and instance, repeats aggregated into a series (count written on the first repeat and
 * when the recorder closes, as client-go's broadcaster does), the spam filter, note limits, retries.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClusterRole, ConfigMap } from "kubezod/k8s";
import { Event } from "kubezod/k8s/events/v1";
import { EventRecorder, ForbiddenError, UsageError, connect, defineCluster, type Kube } from "../../src/index.js";
import { hostileApi } from "./support/hostile-api.js";
import { startTestServer, type TestServer } from "../../src/testing/index.js";

let server: TestServer;
let kube: Kube;
beforeAll(async () => {
  server = await startTestServer({ objects: [{ apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" } }] });
  kube = await server.connect();
});
afterAll(async () => {
  await kube?.close();
  await server?.close();
});

const MICROTIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

async function eventsAbout(name: string): Promise<Event[]> {
  const list = await kube.list(Event, { namespace: "shop" });
  return list.items.filter((e) => e.regarding?.name === name);
}

describe("EventRecorder", () => {
  it("writes events.k8s.io/v1 Events naming the reporting controller and instance, about the object", async () => {
    const cm = await kube.create(ConfigMap, { metadata: { name: "web-config", namespace: "shop" } });
    const recorder = new EventRecorder(kube, { reportingController: "example.com/config-operator", reportingInstance: "config-operator-0" });
    recorder.event(cm, { reason: "Synced", action: "Reconcile", note: "ConfigMap is in sync", related: { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "shop" } } });
    await recorder.close();
    const [event] = await eventsAbout("web-config");
    expect(event).toMatchObject({
      type: "Normal",
      reason: "Synced",
      action: "Reconcile",
      note: "ConfigMap is in sync",
      reportingController: "example.com/config-operator",
      reportingInstance: "config-operator-0",
      regarding: { apiVersion: "v1", kind: "ConfigMap", name: "web-config", namespace: "shop", uid: cm.metadata!.uid, resourceVersion: cm.metadata!.resourceVersion },
      related: { apiVersion: "apps/v1", kind: "Deployment", name: "web", namespace: "shop" },
    });
    expect(event!.metadata?.name).toMatch(/^web-config\.[0-9a-f]+$/);
    expect(event!.eventTime).toMatch(MICROTIME);
    expect(event!.series).toBeUndefined();
  });

  it("aggregates repeats into a series on the first Event: count 2 written at once, the final count on close", async () => {
    const cm = await kube.create(ConfigMap, { metadata: { name: "flappy", namespace: "shop" } });
    const recorder = new EventRecorder(kube, { reportingController: "example.com/config-operator" });
    expect(recorder.reportingInstance).toMatch(/^example\.com\/config-operator-/);
    for (let i = 0; i < 5; i++) recorder.event(cm, { type: "Warning", reason: "BackOff", action: "Reconcile", note: `attempt ${i}` });
    await recorder.flush();
    let events = await eventsAbout("flappy");
    expect(events).toHaveLength(1);
    expect(events[0]!.series?.count).toBe(2);
    expect(events[0]!.series?.lastObservedTime).toMatch(MICROTIME);
    expect(events[0]!.note).toBe("attempt 0");
    await recorder.close();
    events = await eventsAbout("flappy");
    expect(events).toHaveLength(1);
    expect(events[0]!.series?.count).toBe(5);
    // A different reason is a different Event.
    const other = new EventRecorder(kube, { reportingController: "example.com/config-operator" });
    other.event(cm, { type: "Warning", reason: "Failed", action: "Reconcile" });
    await other.close();
    expect(await eventsAbout("flappy")).toHaveLength(2);
  });

  it("filters spam: a burst of events about one object, then nothing until the bucket refills", async () => {
    const cm = await kube.create(ConfigMap, { metadata: { name: "spammy", namespace: "shop" } });
    const recorder = new EventRecorder(kube, { reportingController: "example.com/spammer", spamBurst: 3 });
    for (let i = 0; i < 10; i++) recorder.event(cm, { reason: `Reason${i}`, action: "Spam" });
    await recorder.close();
    expect(recorder.stats).toMatchObject({ recorded: 10, filtered: 7, written: 3 });
    expect(await eventsAbout("spammy")).toHaveLength(3);
  });

  it("cuts notes at 1 KiB, retries writes the server could not take, and refuses what cannot be an event", async () => {
    const cm = await kube.create(ConfigMap, { metadata: { name: "long", namespace: "shop" } });
    const fault = server.faults.inject({ match: { method: "POST", resource: "events" }, status: 500, times: 2 });
    const recorder = new EventRecorder(kube, { reportingController: "example.com/config-operator", retryDelayMs: 10 });
    recorder.event(cm, { reason: "Long", action: "Write", note: "é".repeat(1000) });
    await recorder.close();
    expect(fault.hits).toBe(2);
    const [event] = await eventsAbout("long");
    expect(Buffer.byteLength(event!.note!)).toBeLessThanOrEqual(1024);
    expect(event!.note!.startsWith("éé")).toBe(true);
    expect(() => recorder.event(cm, { reason: "", action: "x" })).not.toThrow(); // closed: ignored
    const open = new EventRecorder(kube, { reportingController: "x" });
    expect(() => open.event(cm, { reason: "", action: "x" })).toThrow(/reason and an action/);
    expect(() => open.event({ metadata: {} }, { reason: "R", action: "A" })).toThrow(/metadata.name/);
    await open.close();
  });

  it("keeps within Kubernetes' limits: reason and action over 128 bytes, non-string fields and non-objects are UsageErrors; names that are not DNS subdomains still make valid Event names; references without uid or namespace land in default", async () => {
    const recorder = new EventRecorder(kube, { reportingController: "example.com/limits", reportingInstance: "limits-0" });
    const cm = await kube.create(ConfigMap, { metadata: { name: "limits", namespace: "shop" } });
    expect(() => recorder.event(cm, { reason: "R".repeat(129), action: "A" })).toThrow(/reason can have at most 128 bytes/);
    expect(() => recorder.event(cm, { reason: "R", action: "é".repeat(65) })).toThrow(/action can have at most 128 bytes/);
    expect(() => recorder.event(cm, { reason: 5 as never, action: "A" })).toThrow(UsageError);
    expect(() => recorder.event(cm, { reason: "R", action: "A", note: { long: true } as never })).toThrow(/note must be a string/);
    expect(() => recorder.event(null as never, { reason: "R", action: "A" })).toThrow(/regarding object of an event must be a Kubernetes object, got null/);
    expect(() => recorder.event(cm, { reason: "R", action: "A", related: "web" as never })).toThrow(/related object/);
    expect(() => recorder.event(cm, null as never)).toThrow(UsageError);
    expect(() => new EventRecorder(kube, { reportingController: "Not A Name" })).toThrow(/not a qualified name/);
    expect(() => new EventRecorder(kube, { reportingController: "x", reportingInstance: "i".repeat(129) })).toThrow(/at most 128 bytes/);
    expect(() => new EventRecorder(kube, { reportingController: "x", finishSeriesAfterMs: 30 * 24 * 3600_000 })).toThrow(/finishSeriesAfterMs must be a number of milliseconds from 0 to 2147483647/);
    expect(() => new EventRecorder(kube, { reportingController: "x", spamQps: Number.NaN })).toThrow(/spamQps must be a finite number/);
    // client-go's default instance name, cut to the 128 bytes Kubernetes keeps.
    const longName = new EventRecorder(kube, { reportingController: `${"a".repeat(200)}.example.com/${"c".repeat(63)}` });
    expect(longName.reportingInstance.length).toBe(128);
    await longName.close();
    const role = await kube.create(ClusterRole, { metadata: { name: "system:controller:Limits" }, rules: [] });
    recorder.event(role, { reason: "R128".padEnd(128, "x"), action: "Check", note: "x".repeat(5000) });
    recorder.event({ kind: "Thing", metadata: { name: "n".repeat(253) } }, { reason: "Long", action: "Check" });
    recorder.event({ metadata: { name: "no-uid" } }, { reason: "Bare", action: "Check" });
    const errors: unknown[] = [];
    const checked = new EventRecorder(kube, { reportingController: "example.com/limits", onError: (e) => errors.push(e) });
    checked.event(role, { reason: "Role", action: "Check" });
    checked.event({ kind: "Thing", metadata: { name: "n".repeat(253) } }, { reason: "Long", action: "Check" });
    await checked.close();
    await recorder.close();
    expect(errors).toEqual([]);
    expect(recorder.stats).toMatchObject({ recorded: 3, written: 3, dropped: 0 });
    const all = (await kube.list(Event, { namespace: "default" })).items;
    const about = (name: string) => all.filter((e) => e.regarding?.name === name);
    expect(about("system:controller:Limits").map((e) => e.metadata?.name?.split(".")[0])).toEqual(["system-controller-limits", "system-controller-limits"]);
    expect(about("n".repeat(253)).every((e) => e.metadata!.name!.length <= 253)).toBe(true);
    expect(about("no-uid")[0]!.regarding).toEqual({ kind: undefined, name: "no-uid" } as never);
  });

  it("a hostile server: 403 is dropped at once and reported; 429 is retried; a server that never answers does not hold close() beyond a request's timeout", async () => {
    const cm = await kube.create(ConfigMap, { metadata: { name: "hostile", namespace: "shop" } });
    const forbidden = server.faults.inject({ match: { method: "POST", resource: "events" }, status: 403, times: 1 });
    const errors: unknown[] = [];
    const recorder = new EventRecorder(kube, { reportingController: "example.com/hostile", retryDelayMs: 10, onError: (e) => errors.push(e) });
    recorder.event(cm, { reason: "Denied", action: "Write" });
    await recorder.flush();
    expect(forbidden.hits).toBe(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(ForbiddenError);
    const busy = server.faults.inject({ match: { method: "POST", resource: "events" }, status: 429, retryAfter: 0, times: 2 });
    recorder.event(cm, { reason: "Busy", action: "Write" });
    await recorder.close();
    expect(busy.hits).toBe(2);
    expect(recorder.stats).toMatchObject({ written: 1, dropped: 1 });

    // A server failing every write: closing waits out one write's tries, then drops the rest.
    const failing = server.faults.inject({ match: { method: "POST", resource: "events" }, status: 503 });
    const doomed = new EventRecorder(kube, { reportingController: "example.com/hostile", retryDelayMs: 1, maxTries: 3, onError: () => undefined });
    for (let i = 0; i < 50; i++) doomed.event({ metadata: { name: `doomed-${i}`, namespace: "shop" } }, { reason: "Doomed", action: "Write" });
    await doomed.close();
    failing.remove();
    expect(doomed.stats).toMatchObject({ recorded: 50, written: 0, dropped: 50 });
    expect(failing.hits).toBe(3);

    let posts = 0;
    const api = await hostileApi({}, (req) => {
      if (req.method === "POST") posts++;
      return true; // never answers
    });
    const silent = await connect({ config: defineCluster({ server: api.url, namespace: "default" }), retry: false, timeoutMs: 200 });
    const quiet = new EventRecorder(silent, { reportingController: "example.com/hostile", retryDelayMs: 10, onError: (e) => errors.push(e) });
    for (let i = 0; i < 20; i++) quiet.event({ metadata: { name: `obj-${i}`, namespace: "default" } }, { reason: "Lost", action: "Write" });
    await quiet.close();
    expect(quiet.stats).toMatchObject({ recorded: 20, written: 0, dropped: 20 });
    expect(posts).toBeLessThanOrEqual(2);
    await silent.close();
    await api.close();
  });
});
