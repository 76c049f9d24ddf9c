import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { client, configMap, pod, type Client } from "./helpers.js";

let server: TestServer;
let api: Client;

beforeAll(async () => {
  server = await startTestServer({ kubernetesVersion: "1.32", objects: [configMap("fixed"), pod("p")] });
  api = client(server);
});
afterAll(async () => {
  await api.close();
  await server.close();
});

const segments = ["api", "apis", "v1", "apps", "namespaces", "default", "configmaps", "fixed", "pods", "p", "status", "scale", "log", "deployments", "%zz", "..", "", "watch", "x".repeat(300)];
const contentTypes = [
  "application/json",
  "application/yaml",
  "application/merge-patch+json",
  "application/json-patch+json",
  "application/strategic-merge-patch+json",
  "application/apply-patch+yaml",
  "application/vnd.kubernetes.protobuf",
  "text/plain",
];
// A watch with timeoutSeconds=0 runs for kube-apiserver's default (30-60 minutes): a random path that
// happens to name a collection would hold the test until its own timeout, so watches here end after 1 s.
const queries = ["", "?watch=true&timeoutSeconds=1", "?labelSelector=a%20in", "?fieldSelector=", "?limit=-1", "?continue=%%%", "?resourceVersion=abc", "?dryRun=Maybe", "?fieldManager=m&force=true"];

describe("the server answers every request with a status and keeps serving", () => {
  it("survives random methods, paths, queries, content types and bodies", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE"),
        fc.array(fc.constantFrom(...segments), { minLength: 1, maxLength: 7 }),
        fc.constantFrom(...queries),
        fc.constantFrom(...contentTypes),
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.constant('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"fixed"},"data":{"a":1}}'),
          fc.constant("k8s\u0000garbage"),
          fc.constant('[{"op":"move","from":"/nope","path":"/x"}]'),
        ),
        async (method, parts, query, contentType, body) => {
          const res = await api.req(method, `/${parts.join("/")}${query}`, method === "GET" ? {} : { body, contentType });
          expect(res.status).toBeGreaterThanOrEqual(200);
          expect(res.status).toBeLessThan(600);
          expect(res.status).not.toBe(500);
          if (res.status >= 400 && res.headers["content-type"] === "application/json") expect(res.json.kind).toBe("Status");
        },
      ),
      { numRuns: 400 },
    );
    // Random DELETEs may legitimately remove the objects (a collection delete in "default"): the
    // server must still answer, not keep them.
    expect((await api.get("/healthz")).status).toBe(200);
    expect((await api.get("/api/v1/namespaces/default/configmaps")).status).toBe(200);
  });
});
