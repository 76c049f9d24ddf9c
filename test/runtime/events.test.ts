/**
 * The event recorder against the local API server: events.k8s.io/v1 Events with the reporting
 * controller and instance, repeats aggregated into a series (count written on the first repeat and
 * when the recorder closes, as client-go's broadcaster does), the spam filter, note limits, retries.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigMap } from "kubezod/k8s";
import { Event } from "kubezod/k8s/events/v1";
import { EventRecorder, type Kube } from "../../src/index.js";
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
});
