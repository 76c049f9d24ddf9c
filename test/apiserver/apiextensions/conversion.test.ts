/**
 * The conversion webhook's review and the checks on its answer, translated from
 * apiextensions-apiserver's webhook_converter_test.go (TestCreateConversionReviewObjects,
 * TestGetConvertedObjectsFromResponse, TestRestoreObjectMeta).
 */
import { describe, expect, it } from "vitest";
import { conversionReview, convertedObjects, webhookConversionOf } from "../../../src/apiserver/apiextensions/conversion.js";

type Obj = Record<string, unknown>;
const widget = (apiVersion: string, metadata: Obj = { name: "myv1" }, rest: Obj = {}): Obj => ({ apiVersion, kind: "Widget", metadata, ...rest });

describe("TestCreateConversionReviewObjects", () => {
  const objects = [{ apiVersion: "foo/v2", Kind: "Widget" }];
  it("no supported versions", () => {
    expect(conversionReview(["vx"], objects, "foo/v1", "uid")).toEqual({ error: "no supported conversion review versions" });
  });
  it("v1 first", () => {
    expect(conversionReview(["v1", "v1beta1", "v2"], objects, "foo/v1", "uid")).toEqual({ review: { kind: "ConversionReview", apiVersion: "apiextensions.k8s.io/v1", request: { uid: "uid", desiredAPIVersion: "foo/v1", objects } } });
  });
  it("v1beta1 first", () => {
    expect(conversionReview(["v1beta1", "v1", "v2"], objects, "foo/v1", "uid")).toMatchObject({ review: { apiVersion: "apiextensions.k8s.io/v1beta1" } });
  });
});

describe("TestGetConvertedObjectsFromResponse", () => {
  const original = widget("foo/v2", { name: "myv1" });
  const sent = (version: "v1" | "v1beta1", originals: Obj[] = []) => ({
    review: { apiVersion: `apiextensions.k8s.io/${version}`, kind: "ConversionReview", request: { uid: "uid", desiredAPIVersion: "foo/v1", objects: originals } },
    originals,
    desiredAPIVersion: "foo/v1",
  });
  const v1 = (response: Obj) => ({ apiVersion: "apiextensions.k8s.io/v1", kind: "ConversionReview", response });
  const failed = (message: string) => ({ error: `conversion webhook for foo/v2, Kind=Widget failed: ${message}` });

  it("minimal valid v1beta1 (apiVersion, kind and uid not checked)", () => {
    expect(convertedObjects({ response: { result: { status: "Success" } } }, sent("v1beta1"))).toEqual({ objects: [] });
  });
  it("valid v1beta1 with objects", () => {
    expect(convertedObjects({ response: { result: { status: "Success" }, convertedObjects: [widget("foo/v1")] } }, sent("v1beta1", [original]))).toEqual({ objects: [widget("foo/v1")] });
  });
  it("error v1beta1, empty status / failure status / custom message / no response", () => {
    expect(convertedObjects({ response: { result: { status: "" } } }, sent("v1beta1", [original]))).toEqual(failed("response.result.status was '', not 'Success'"));
    expect(convertedObjects({ response: { result: { status: "Failure" } } }, sent("v1beta1", [original]))).toEqual(failed("response.result.status was 'Failure', not 'Success'"));
    expect(convertedObjects({ response: { result: { status: "Failure", message: "some failure message" } } }, sent("v1beta1", [original]))).toEqual(failed("some failure message"));
    expect(convertedObjects({}, sent("v1beta1", [original]))).toEqual(failed("no response provided"));
  });
  it("minimal valid v1, and v1 with objects", () => {
    expect(convertedObjects(v1({ uid: "uid", result: { status: "Success" } }), sent("v1"))).toEqual({ objects: [] });
    expect(convertedObjects(v1({ uid: "uid", result: { status: "Success" }, convertedObjects: [widget("foo/v1")] }), sent("v1", [original]))).toEqual({ objects: [widget("foo/v1")] });
  });
  it("invalid v1: no uid, wrong uid, wrong kind, no response", () => {
    expect(convertedObjects(v1({ result: { status: "Success" } }), sent("v1", [original]))).toEqual(failed('expected response.uid="uid", got ""'));
    expect(convertedObjects(v1({ uid: "other", result: { status: "Success" } }), sent("v1", [original]))).toEqual(failed('expected response.uid="uid", got "other"'));
    expect(convertedObjects({ apiVersion: "apiextensions.k8s.io/v1", kind: "Other", response: {} }, sent("v1", [original]))).toEqual(
      failed("expected webhook response of apiextensions.k8s.io/v1, Kind=ConversionReview, got apiextensions.k8s.io/v1, Kind=Other"),
    );
    expect(convertedObjects({ apiVersion: "apiextensions.k8s.io/v1", kind: "ConversionReview" }, sent("v1", [original]))).toEqual(failed("no response provided"));
  });
  it("counts the objects returned", () => {
    expect(convertedObjects(v1({ uid: "uid", result: { status: "Success" }, convertedObjects: [] }), sent("v1", [original]))).toEqual({ error: "conversion webhook for foo/v2, Kind=Widget returned 0 objects, expected 1" });
  });
});

describe("TestRestoreObjectMeta (through the answer's checks)", () => {
  const answer = (converted: Obj[]) => ({ apiVersion: "apiextensions.k8s.io/v1", kind: "ConversionReview", response: { uid: "uid", result: { status: "Success" }, convertedObjects: converted } });
  const run = (original: Obj, converted: Obj) =>
    convertedObjects(answer([{ apiVersion: "foo/v1", kind: "Widget", ...converted }]), {
      review: { apiVersion: "apiextensions.k8s.io/v1", request: { uid: "uid" } },
      originals: [{ apiVersion: "foo/v2", kind: "Widget", ...original }],
      desiredAPIVersion: "foo/v1",
    });
  const metaOf = (out: ReturnType<typeof run>) => ("objects" in out ? out.objects[0]!.metadata : out);

  it("no converted metadata; invalid converted metadata", () => {
    expect(run({ metadata: {}, spec: {} }, { spec: {} })).toEqual({ error: "conversion webhook for foo/v2, Kind=Widget returned invalid metadata: missing metadata in converted object" });
    expect(run({ metadata: {}, spec: {} }, { metadata: ["foo"] })).toEqual({ error: "conversion webhook for foo/v2, Kind=Widget returned invalid metadata: invalid metadata of type []interface {} in converted object" });
  });
  it("changed label, annotations and non-label: only labels and annotations are taken", () => {
    const out = run({ metadata: { foo: "bar", labels: { a: "A", b: "B" }, annotations: { a: "1", b: "2" } }, spec: {} }, { metadata: { foo: "abc", labels: { a: "AA", b: "B" }, annotations: { a: "1", b: "22" } }, spec: {} });
    expect(metaOf(out)).toEqual({ foo: "bar", labels: { a: "AA", b: "B" }, annotations: { a: "1", b: "22" } });
  });
  it("added, removed and nil'ed labels and annotations", () => {
    expect(metaOf(run({ metadata: { foo: "bar" } }, { metadata: { foo: "abc", labels: { a: "AA" }, annotations: { b: "22" } } }))).toEqual({ foo: "bar", labels: { a: "AA" }, annotations: { b: "22" } });
    expect(metaOf(run({ metadata: { foo: "bar", labels: null, annotations: null } }, { metadata: { labels: { a: "AA" } } }))).toEqual({ foo: "bar", labels: { a: "AA" } });
    expect(metaOf(run({ metadata: { foo: "bar", labels: { a: "AA" }, annotations: { a: "1" } } }, { metadata: { foo: "abc" } }))).toEqual({ foo: "bar" });
    expect(metaOf(run({ metadata: { foo: "bar", labels: { a: "AA" }, annotations: { a: "1" } } }, { metadata: { labels: null, annotations: null } }))).toEqual({ foo: "bar" });
  });
  it("refuses non-string values, invalid label keys and values, and too big values", () => {
    expect(run({ metadata: { foo: "bar" } }, { metadata: { labels: { a: null, b: "B" } } })).toEqual({
      error: "conversion webhook for foo/v2, Kind=Widget returned invalid metadata: metadata.labels[a] must be a string, but is map[string]interface {} in converted object",
    });
    for (const labels of [{ "some/non-qualified/label": "x" }, { foo: "üäö" }, { foo: "x".repeat(64) }]) {
      expect(run({ metadata: {} }, { metadata: { labels } })).toMatchObject({ error: expect.stringMatching(/^conversion webhook for foo\/v2, Kind=Widget returned invalid metadata: metadata\.labels: Invalid value: /) });
    }
    expect(run({ metadata: {} }, { metadata: { annotations: { foo: "x".repeat(256 * 1024 + 1) } } })).toMatchObject({ error: expect.stringMatching(/returned invalid metadata: metadata\.annotation: Too long: /) });
  });
});

describe("webhookConversionOf", () => {
  it("reads apiextensions/v1's nested webhook config and ignores the None strategy", () => {
    const crd = { metadata: { name: "widgets.foo" }, spec: { conversion: { strategy: "Webhook", webhook: { conversionReviewVersions: ["v1"], clientConfig: { url: "https://h/convert", caBundle: Buffer.from("PEM").toString("base64") } } } } };
    expect(webhookConversionOf(crd)).toEqual({ crdName: "widgets.foo", clientConfig: { url: "https://h/convert", caBundle: "PEM" }, conversionReviewVersions: ["v1"] });
    expect(webhookConversionOf({ spec: { conversion: { strategy: "None" } } })).toBeUndefined();
  });
});

describe("pruning a converted object (unstructuredSchemaCoercer after conversion)", () => {
  it("drops fields the desired version does not declare and nulls without a default; keeps metadata, apiVersion and kind", async () => {
    const { schemasFromCrd } = await import("../../../src/meta/index.js");
    const { pruneConverted } = await import("../../../src/apiserver/apiextensions/conversion.js");
    const crd = {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "widgets.foo" },
      spec: {
        group: "foo",
        scope: "Namespaced",
        names: { plural: "widgets", singular: "widget", kind: "Widget", listKind: "WidgetList" },
        versions: [
          {
            name: "v1",
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: "object", properties: { spec: { type: "object", properties: { size: { type: "integer" }, mode: { type: "string", default: "auto" }, free: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } } } } },
          },
        ],
      },
    };
    const schema = schemasFromCrd(crd)[0]!.schema;
    const converted = widget("foo/v1", { name: "w", labels: { a: "b" } }, { spec: { size: 1, gone: true, mode: null, none: null, free: { anything: 1 } }, status: { x: 1 } });
    expect(pruneConverted(schema, converted)).toEqual(widget("foo/v1", { name: "w", labels: { a: "b" } }, { spec: { size: 1, mode: null, free: { anything: 1 } } }));
    // The input is left as it was.
    expect((converted.spec as Obj).gone).toBe(true);
  });
});
