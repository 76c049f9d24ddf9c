/**
 * Request decoding as kube-apiserver does it: types taken from the endpoint, other kinds refused
 * with the decoder's messages, query parameters read by the parameter codec's rules
 * (apimachinery's Convert_Slice_string_To_bool / strconv.ParseInt).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseGoInt, queryBool } from "../../src/testing/query.js";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { client, configMap, type Client } from "./helpers.js";

let server: TestServer;
let api: Client;

beforeAll(async () => {
  server = await startTestServer({
    kubernetesVersion: "1.32",
    controllers: false,
    crds: [
      {
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: { name: "widgets.example.com" },
        spec: {
          group: "example.com",
          names: { kind: "Widget", plural: "widgets" },
          scope: "Namespaced",
          versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } }],
        },
      },
    ],
  });
  api = client(server);
});
afterAll(async () => {
  await api.close();
  await server.close();
});

describe("the type of a body", () => {
  it("takes a missing kind and apiVersion from the endpoint (client-node's createNamespace, Python models)", async () => {
    const ns = await api.post("/api/v1/namespaces", { metadata: { name: "from-url" } });
    expect(ns.status).toBe(201);
    expect(ns.json).toMatchObject({ apiVersion: "v1", kind: "Namespace", metadata: { name: "from-url" } });
    const dep = await api.post("/apis/apps/v1/namespaces/default/deployments", {
      metadata: { name: "bare" },
      spec: { selector: { matchLabels: { a: "b" } }, template: { metadata: { labels: { a: "b" } }, spec: { containers: [{ name: "c", image: "nginx" }] } } },
    });
    expect(dep.status).toBe(201);
    expect(dep.json).toMatchObject({ apiVersion: "apps/v1", kind: "Deployment" });
    // Only the kind given: the version comes from the endpoint too.
    const cm = await api.post("/api/v1/namespaces/default/configmaps", { kind: "ConfigMap", metadata: { name: "kind-only" } });
    expect(cm.status).toBe(201);
    const put = await api.put("/api/v1/namespaces/default/configmaps/kind-only", { metadata: { name: "kind-only" }, data: { a: "b" } });
    expect(put.status).toBe(200);
    expect(put.json.data).toEqual({ a: "b" });
  });

  it("refuses another kind with the decoder's conversion message", async () => {
    const res = await api.post("/api/v1/namespaces/default/configmaps", { apiVersion: "v1", kind: "Secret", metadata: { name: "x" } });
    expect(res.status).toBe(400);
    expect(res.json.message).toBe('Secret in version "v1" cannot be handled as a ConfigMap: converting (v1.Secret) to (core.ConfigMap): unknown conversion');
    const group = await api.post("/apis/apps/v1/namespaces/default/deployments", { apiVersion: "apps/v1", kind: "StatefulSet", metadata: { name: "x" } });
    expect(group.json.message).toBe('StatefulSet in version "v1" cannot be handled as a Deployment: converting (v1.StatefulSet) to (apps.Deployment): unknown conversion');
  });

  it("refuses a kind no version registers with the scheme's message", async () => {
    const res = await api.post("/api/v1/namespaces/default/configmaps", { apiVersion: "v1", kind: "Gadget", metadata: { name: "x" } });
    expect(res.status).toBe(400);
    expect(res.json.message).toBe('Gadget in version "v1" cannot be handled as a ConfigMap: no kind "Gadget" is registered for version "v1" in scheme "k8s.io/kubernetes/pkg/api/legacyscheme/scheme.go:30"');
  });

  it("refuses the same kind at a version the endpoint is not", async () => {
    const res = await api.post("/apis/apps/v1/namespaces/default/deployments", { apiVersion: "apps/v1beta2", kind: "Deployment", metadata: { name: "x" } });
    expect(res.status).toBe(400);
    expect(res.json.message).toBe("the API version in the data (apps/v1beta2) does not match the expected API version (apps/v1)");
  });

  it("custom resources need their kind; another kind is an Invalid kind", async () => {
    const none = await api.post("/apis/example.com/v1/namespaces/default/widgets", { metadata: { name: "w" } });
    expect(none.status).toBe(400);
    expect(none.json.message).toBe("the object provided is unrecognized (must be of type Widget): Object 'Kind' is missing in '{metadata}'");
    const wrong = await api.post("/apis/example.com/v1/namespaces/default/widgets", { apiVersion: "example.com/v1", kind: "Gizmo", metadata: { name: "w" } });
    expect(wrong.status).toBe(422);
    expect(wrong.json.message).toBe('Widget.example.com "w" is invalid: kind: Invalid value: "Gizmo": must be Widget');
  });
});

describe("query parameters", () => {
  it("reads booleans as the parameter codec does: false only for 0 and false in any case", () => {
    const q = (v: string) => new URLSearchParams({ watch: v });
    for (const v of ["true", "True", "TRUE", "1", "t", "yes", ""]) expect(queryBool(q(v), "watch"), v).toBe(true);
    for (const v of ["false", "False", "FALSE", "0"]) expect(queryBool(q(v), "watch"), v).toBe(false);
    expect(queryBool(new URLSearchParams(), "watch")).toBe(false);
  });

  it("reads integers as strconv.ParseInt, with Go's errors", () => {
    expect(parseGoInt("+5")).toEqual({ value: 5 });
    expect(parseGoInt("-3")).toEqual({ value: -3 });
    expect(parseGoInt("1.5")).toEqual({ error: 'strconv.ParseInt: parsing "1.5": invalid syntax' });
    expect(parseGoInt("99999999999999999999")).toEqual({ error: 'strconv.ParseInt: parsing "99999999999999999999": value out of range' });
  });

  it("watch=True streams events (the Python client's watch)", async () => {
    const w = await api.watch("/api/v1/namespaces/default/configmaps?watch=True&resourceVersion=0");
    await api.post("/api/v1/namespaces/default/configmaps", configMap("watched-py"));
    const seen: string[] = [];
    for (let i = 0; i < 10 && !seen.includes("watched-py"); i++) seen.push((await w.next()).object.metadata.name);
    expect(seen).toContain("watched-py");
    w.close();
  });

  it("a malformed integer is a 400 with Go's message; unknown parameters are ignored", async () => {
    const bad = await api.get("/api/v1/namespaces/default/configmaps?limit=abc");
    expect(bad.status).toBe(400);
    expect(bad.json.message).toBe('strconv.ParseInt: parsing "abc": invalid syntax');
    const signed = await api.get("/api/v1/namespaces/default/configmaps?limit=%2B1&nosuchparameter=x&pretty=1");
    expect(signed.status).toBe(200);
    expect(signed.json.items).toHaveLength(1);
    expect(signed.json.metadata.continue).toBeDefined();
  });
});
