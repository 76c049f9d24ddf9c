import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { client, configMap, type Client } from "./helpers.js";

// Differences from kube-apiserver found by running the Python client's e2e suite against the
// local server: `utils.create_from_yaml` compares the exact text of a 409 body, and the typed
// ReplicationController model refuses a status without `replicas`; `assertTrue(service.status)`
// needs the zero status kube-apiserver encodes.

let server: TestServer;
let api: Client;

beforeAll(async () => {
  server = await startTestServer({ controllers: false });
  api = client(server);
});
afterAll(async () => {
  await api.close();
  await server.close();
});

const CM = "/api/v1/namespaces/default/configmaps";

describe("JSON bodies end with a newline, as Go's json.Encoder writes them", () => {
  it("an API object", async () => {
    const res = await api.post(CM, configMap("nl-a"));
    expect(res.status).toBe(201);
    expect(res.text.endsWith("}\n")).toBe(true);
    expect(res.text.slice(0, -1)).not.toContain("\n");
  });

  it("a Status error, byte for byte", async () => {
    const res = await api.post(CM, configMap("nl-a"));
    expect(res.status).toBe(409);
    expect(res.text).toBe(
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"configmaps \\"nl-a\\" already exists","reason":"AlreadyExists","details":{"name":"nl-a","kind":"configmaps"},"code":409}\n',
    );
  });

  it("a list", async () => {
    const res = await api.get(CM);
    expect(res.text.endsWith("}\n")).toBe(true);
  });
});

describe("ReplicationController create", () => {
  it("returns status.replicas 0 (ReplicationControllerStatus.replicas has no omitempty)", async () => {
    const rc = {
      apiVersion: "v1",
      kind: "ReplicationController",
      metadata: { name: "rc-a" },
      spec: { replicas: 1, selector: { app: "a" }, template: { metadata: { labels: { app: "a" } }, spec: { containers: [{ name: "c", image: "busybox" }] } } },
    };
    const res = await api.post("/api/v1/namespaces/default/replicationcontrollers", rc);
    expect(res.status).toBe(201);
    expect(res.json.status).toEqual({ replicas: 0 });
    const got = await api.get("/api/v1/namespaces/default/replicationcontrollers/rc-a");
    expect(got.json.status).toEqual({ replicas: 0 });
  });
});

describe("Service create", () => {
  it("returns status.loadBalancer {} (Go's omitempty does not omit a struct)", async () => {
    const svc = { apiVersion: "v1", kind: "Service", metadata: { name: "svc-a" }, spec: { selector: { app: "a" }, ports: [{ port: 80 }] }, status: { loadBalancer: { ingress: [{ ip: "1.2.3.4" }] } } };
    const res = await api.post("/api/v1/namespaces/default/services", svc);
    expect(res.status).toBe(201);
    expect(res.json.status).toEqual({ loadBalancer: {} });
    expect(JSON.stringify(res.json.metadata.managedFields)).not.toContain("f:status");
  });
});
