import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { client, type Client } from "./helpers.js";

let server: TestServer;
let api: Client;

const schema = { openAPIV3Schema: { type: "object", properties: { spec: { type: "object", properties: { size: { type: "integer" } } } } } };
const crd = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: "widgets.example.com" },
  spec: {
    group: "example.com",
    scope: "Namespaced",
    names: { plural: "widgets", singular: "widget", kind: "Widget" },
    versions: [
      { name: "v1alpha1", served: true, storage: false, deprecated: true, schema },
      { name: "v1beta1", served: true, storage: false, deprecated: true, deprecationWarning: "example.com/v1beta1 Widget goes away in 2027", schema },
      { name: "v1", served: true, storage: true, schema },
    ],
  },
};
const widgets = (version: string) => `/apis/example.com/${version}/namespaces/default/widgets`;
const widget = (version: string, name: string, extra: Record<string, unknown> = {}) => ({ apiVersion: `example.com/${version}`, kind: "Widget", metadata: { name }, spec: { size: 1 }, ...extra });

beforeAll(async () => {
  server = await startTestServer({ kubernetesVersion: "1.33" });
  api = client(server);
  expect((await api.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd)).status).toBe(201);
});
afterAll(async () => {
  await api.close();
  await server.close();
});

// customresource_handler.go: every request to a deprecated version carries its warning.
describe("deprecated versions of a custom resource", () => {
  it("warn on every request with the default text, naming the version to use", async () => {
    const created = await api.post(widgets("v1alpha1"), widget("v1alpha1", "a"));
    expect(created.status).toBe(201);
    expect(created.headers.warning).toBe('299 - "example.com/v1alpha1 Widget is deprecated; use example.com/v1 Widget"');
    expect((await api.get(`${widgets("v1alpha1")}/a`)).headers.warning).toBe('299 - "example.com/v1alpha1 Widget is deprecated; use example.com/v1 Widget"');
    expect((await api.get(widgets("v1alpha1"))).headers.warning).toBe('299 - "example.com/v1alpha1 Widget is deprecated; use example.com/v1 Widget"');
    const missing = await api.get(`${widgets("v1alpha1")}/none`);
    expect(missing.status).toBe(404);
    expect(missing.headers.warning).toBe('299 - "example.com/v1alpha1 Widget is deprecated; use example.com/v1 Widget"');
  });

  it("take the version's own deprecationWarning, before the request's other warnings", async () => {
    const res = await api.req("POST", `${widgets("v1beta1")}?fieldValidation=Warn`, { body: widget("v1beta1", "b", { extra: 1 }) });
    expect(res.status).toBe(201);
    expect([res.headers.warning].flat().join(", ")).toBe('299 - "example.com/v1beta1 Widget goes away in 2027", 299 - "unknown field \\"extra\\""');
  });

  it("leave a version that is not deprecated silent", async () => {
    expect((await api.post(widgets("v1"), widget("v1", "c"))).headers.warning).toBeUndefined();
    expect((await api.get(widgets("v1"))).headers.warning).toBeUndefined();
  });
});
