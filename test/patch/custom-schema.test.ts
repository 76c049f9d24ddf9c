/**
 * The patch functions on a schema annotated by hand through kubeMeta (a CRD-like type with its own
 * merge keys): nothing depends on built-in kinds.
 */
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { applySmp, jsonPatchDiff, jsonPatchToSmp, kubeMeta, pathOf, smpDiff, smpThreeWay, applyJsonPatch } from "../../src/index.js";

const Part = z.looseObject({ id: z.string(), size: z.number().optional() });
const Zone = z.looseObject({ region: z.string(), zone: z.string(), weight: z.number().optional() });
const Backend = z.looseObject({ type: z.string().optional(), s3: z.looseObject({ bucket: z.string() }).optional(), gcs: z.looseObject({ bucket: z.string() }).optional() });

const WidgetSpec = z.looseObject({
  parts: z.array(Part).register(kubeMeta, { patchStrategy: "merge", patchMergeKey: "id" }).optional(),
  tags: z.array(z.string()).register(kubeMeta, { patchStrategy: "merge" }).optional(),
  rules: z.array(z.looseObject({ match: z.string() })).optional(),
  zones: z.array(Zone).register(kubeMeta, { listType: "map", listMapKeys: ["region", "zone"] }).optional(),
  backend: Backend.register(kubeMeta, { patchStrategy: "retainKeys" }).optional(),
});
const Widget = z
  .looseObject({
    apiVersion: z.literal("example.com/v1"),
    kind: z.literal("Widget"),
    metadata: z.looseObject({ name: z.string(), labels: z.record(z.string(), z.string()).optional() }),
    spec: WidgetSpec,
  })
  .register(kubeMeta, { group: "example.com", version: "v1", kind: "Widget", plural: "widgets", namespaced: true, patchTypes: ["merge", "strategic"] });

const widget = {
  apiVersion: "example.com/v1" as const,
  kind: "Widget" as const,
  metadata: { name: "w" },
  spec: {
    parts: [{ id: "p1", size: 1 }, { id: "p2", size: 2 }, { id: "p3" }],
    tags: ["red", "blue"],
    rules: [{ match: "a" }, { match: "b" }],
    zones: [{ region: "eu", zone: "a" }, { region: "eu", zone: "b" }],
    backend: { type: "s3", s3: { bucket: "b1" } } as { type: string; s3?: { bucket: string }; gcs?: { bucket: string } },
  },
};

describe("a hand-annotated schema", () => {
  it("merges by its own merge key, deletes by key and orders by $setElementOrder", () => {
    const out = applySmp(Widget, widget, {
      spec: {
        "$setElementOrder/parts": [{ id: "p3" }, { id: "p1" }, { id: "p4" }],
        parts: [{ id: "p1", size: 10 }, { id: "p4" }, { id: "p2", $patch: "delete" }],
        tags: ["green"],
        "$deleteFromPrimitiveList/tags": ["red"],
        rules: [{ match: "c" }],
        backend: { $retainKeys: ["type", "gcs"], type: "gcs", gcs: { bucket: "g" } },
      },
    });
    expect(out.spec).toEqual({
      parts: [{ id: "p3" }, { id: "p1", size: 10 }, { id: "p4" }],
      tags: ["green", "blue"],
      rules: [{ match: "c" }],
      zones: widget.spec.zones,
      backend: { type: "gcs", gcs: { bucket: "g" } },
    });
  });

  it("round-trips through smpDiff and through jsonPatchDiff + jsonPatchToSmp", () => {
    const m = structuredClone(widget);
    m.spec.parts = [{ id: "p3", size: 3 }, { id: "p1", size: 1 }];
    m.spec.tags = ["blue", "yellow"];
    m.spec.backend = { type: "gcs", gcs: { bucket: "g" } };
    m.spec.zones = [{ region: "eu", zone: "b" }];
    const patch = smpDiff(Widget, widget, m);
    expect(patch.spec).toMatchObject({ parts: [{ id: "p3", size: 3 }, { id: "p2", $patch: "delete" }], "$setElementOrder/parts": [{ id: "p3" }, { id: "p1" }] });
    expect((patch.spec as Record<string, unknown>).backend).toEqual({ $retainKeys: ["gcs", "type"], type: "gcs", gcs: { bucket: "g" }, s3: null });
    expect(applySmp(Widget, widget, patch)).toEqual(m);
    const ops = jsonPatchDiff(widget, m, { schema: Widget });
    expect(applyJsonPatch(widget, ops)).toEqual(m);
    expect(applySmp(Widget, widget, jsonPatchToSmp(Widget, widget, ops))).toEqual(m);
  });

  it("matches list items by its merge key and list-map keys in JSON patches", () => {
    const m = structuredClone(widget);
    m.spec.parts.shift();
    m.spec.zones.shift();
    expect(jsonPatchDiff(widget, m, { schema: Widget })).toEqual([
      { op: "remove", path: "/spec/parts/0" },
      { op: "remove", path: "/spec/zones/0" },
    ]);
  });

  it("picks keyed paths by its merge key", () => {
    expect(pathOf(Widget, (o) => o.spec.parts[1].size, widget).segments).toEqual(["spec", "parts", { key: { id: "p2" }, index: 1 }, "size"]);
    expect(pathOf(Widget, (o) => o.spec.zones[1].weight, widget).segments[2]).toEqual({ key: { region: "eu", zone: "b" }, index: 1 });
  });

  it("computes the three-way patch", () => {
    const next = structuredClone(widget);
    next.spec.tags = ["red"];
    const live = structuredClone(widget);
    live.spec.parts.push({ id: "server", size: 0 });
    const patch = smpThreeWay(Widget, widget, next, live);
    expect(applySmp(Widget, live, patch).spec).toMatchObject({ tags: ["red"], parts: [{ id: "p1", size: 1 }, { id: "p2", size: 2 }, { id: "p3" }, { id: "server", size: 0 }] });
  });
});
