/**
 * Events between core/v1 and events.k8s.io: the cases of pkg/apis/events/v1/conversion_test.go
 * (`Test_convert_v1_Event_To_core_Event`, `Test_convert_core_Event_To_v1_Event`), every renamed
 * field, Go's encoding of the zero values, and the shared storage the two groups' resources live in.
 */
import { describe, expect, it } from "vitest";
import { convertEvent, eventToCore, eventToEventsGroup } from "../../../src/apiserver/events/conversion.js";
import { convertObject, storageResourceOf, storageVersionOf } from "../../../src/apiserver/conversion.js";

type Obj = Record<string, unknown>;
const metadata = { name: "foo", namespace: "default" };

describe("pkg/apis/events/v1/conversion_test.go", () => {
  it("Test_convert_v1_Event_To_core_Event: regarding, deprecatedSource and note become involvedObject, source and message", () => {
    const out = eventToCore({
      apiVersion: "events.k8s.io/v1",
      kind: "Event",
      metadata,
      regarding: { kind: "Pod", namespace: "default", name: "foo" },
      deprecatedSource: { component: "controller-manager", host: "master1" },
      note: "convert v1 event to core event",
    });
    expect(out).toMatchObject({
      apiVersion: "v1",
      kind: "Event",
      metadata,
      involvedObject: { namespace: "default", name: "foo", kind: "Pod" },
      source: { component: "controller-manager", host: "master1" },
      message: "convert v1 event to core event",
    });
    expect(out).not.toHaveProperty("regarding");
    expect(out).not.toHaveProperty("note");
    expect(out).not.toHaveProperty("deprecatedSource");
  });

  it("Test_convert_core_Event_To_v1_Event: involvedObject, source and message become regarding, deprecatedSource and note", () => {
    const out = eventToEventsGroup(
      {
        apiVersion: "v1",
        kind: "Event",
        metadata,
        involvedObject: { namespace: "default", name: "foo", kind: "Pod" },
        source: { component: "controller-manager", host: "master1" },
        message: "convert core event to v1 event",
      },
      "events.k8s.io/v1",
    );
    expect(out).toMatchObject({
      apiVersion: "events.k8s.io/v1",
      kind: "Event",
      metadata,
      regarding: { kind: "Pod", namespace: "default", name: "foo" },
      deprecatedSource: { component: "controller-manager", host: "master1" },
      note: "convert core event to v1 event",
    });
    expect(out).not.toHaveProperty("involvedObject");
    expect(out).not.toHaveProperty("message");
    expect(out).not.toHaveProperty("source");
  });
});

const fullV1: Obj = {
  apiVersion: "events.k8s.io/v1",
  kind: "Event",
  metadata,
  eventTime: "2024-05-01T10:00:00.123456Z",
  series: { count: 3, lastObservedTime: "2024-05-01T10:05:00.000000Z" },
  reportingController: "example.com/ctrl",
  reportingInstance: "ctrl-1",
  action: "Scale",
  reason: "Scaled",
  regarding: { kind: "Deployment", namespace: "default", name: "web", uid: "u1", apiVersion: "apps/v1", resourceVersion: "7", fieldPath: "spec" },
  related: { kind: "ReplicaSet", namespace: "default", name: "web-1" },
  note: "scaled up",
  type: "Normal",
  deprecatedSource: { component: "old", host: "node-1" },
  deprecatedFirstTimestamp: "2024-05-01T09:00:00Z",
  deprecatedLastTimestamp: "2024-05-01T09:30:00Z",
  deprecatedCount: 4,
};

const fullCore: Obj = {
  kind: "Event",
  apiVersion: "v1",
  metadata,
  involvedObject: fullV1.regarding,
  reason: "Scaled",
  message: "scaled up",
  source: fullV1.deprecatedSource,
  firstTimestamp: "2024-05-01T09:00:00Z",
  lastTimestamp: "2024-05-01T09:30:00Z",
  count: 4,
  type: "Normal",
  eventTime: "2024-05-01T10:00:00.123456Z",
  series: fullV1.series,
  action: "Scale",
  related: fullV1.related,
  reportingComponent: "example.com/ctrl",
  reportingInstance: "ctrl-1",
};

describe("every field of Convert_v1_Event_To_core_Event and back", () => {
  it("renames the fields that differ and keeps the rest, in core/v1's field order", () => {
    const out = eventToCore(fullV1);
    expect(out).toEqual(fullCore);
    expect(Object.keys(out)).toEqual(Object.keys(fullCore));
  });

  it("converts back to what was written, in events.k8s.io's field order", () => {
    const out = eventToEventsGroup(fullCore, "events.k8s.io/v1");
    expect(out).toEqual(fullV1);
    expect(Object.keys(out).slice(3)).toEqual(["eventTime", "series", "reportingController", "reportingInstance", "action", "reason", "regarding", "related", "note", "type", "deprecatedSource", "deprecatedFirstTimestamp", "deprecatedLastTimestamp", "deprecatedCount"]);
  });

  it("v1beta1 has v1's fields: an events.k8s.io version converts to another by its apiVersion", () => {
    expect(convertEvent(fullV1, "events.k8s.io/v1beta1")).toEqual({ ...fullV1, apiVersion: "events.k8s.io/v1beta1" });
    expect(convertEvent({ ...fullV1, apiVersion: "events.k8s.io/v1beta1" }, "v1")).toEqual(fullCore);
  });
});

describe("Go's encoding of the zero values", () => {
  it("core/v1 writes its structs, null times and the reporting fields that have no omitempty", () => {
    const out = eventToCore({ apiVersion: "events.k8s.io/v1", kind: "Event", metadata, eventTime: "2024-05-01T10:00:00.000000Z", reportingController: "c", reportingInstance: "i", action: "A", reason: "R", type: "Normal" });
    expect(out).toEqual({
      kind: "Event",
      apiVersion: "v1",
      metadata,
      involvedObject: {},
      reason: "R",
      source: {},
      firstTimestamp: null,
      lastTimestamp: null,
      type: "Normal",
      eventTime: "2024-05-01T10:00:00.000000Z",
      action: "A",
      reportingComponent: "c",
      reportingInstance: "i",
    });
  });

  it("events.k8s.io writes eventTime (no omitempty), regarding and deprecatedSource (structs) and null deprecated times", () => {
    const out = eventToEventsGroup({ apiVersion: "v1", kind: "Event", metadata, involvedObject: { kind: "Pod", name: "p" }, reason: "Started", message: "m", count: 0, reportingComponent: "", reportingInstance: "" }, "events.k8s.io/v1");
    expect(out).toEqual({
      kind: "Event",
      apiVersion: "events.k8s.io/v1",
      metadata,
      eventTime: null,
      reason: "Started",
      regarding: { kind: "Pod", name: "p" },
      note: "m",
      deprecatedSource: {},
      deprecatedFirstTimestamp: null,
      deprecatedLastTimestamp: null,
    });
  });

  it("drops fields neither version has (the decoder does)", () => {
    const out = eventToCore({ apiVersion: "events.k8s.io/v1", kind: "Event", metadata, note: "n", message: "not a v1 field", bogus: 1 });
    expect(out.message).toBe("n");
    expect(out).not.toHaveProperty("bogus");
  });
});

describe("one storage for both groups", () => {
  it("events.k8s.io events live in core's store, stored at core/v1", () => {
    expect(storageResourceOf("events.k8s.io", "events")).toBe("/events");
    expect(storageResourceOf("", "events")).toBe("/events");
    expect(storageResourceOf("apps", "deployments")).toBe("apps/deployments");
    expect(storageVersionOf("events.k8s.io", "Event")).toBe("v1");
    expect(storageVersionOf("", "Event")).toBe("v1");
  });

  it("convertObject crosses the groups both ways", () => {
    expect(convertObject(fullV1, "v1", "Event")).toEqual(fullCore);
    expect(convertObject(fullCore, "events.k8s.io/v1", "Event")).toEqual(fullV1);
    // Already at the version: the same object.
    expect(convertObject(fullCore, "v1", "Event")).toBe(fullCore);
  });
});
