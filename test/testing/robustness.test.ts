import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { resourceInfo } from "../../src/index.js";
import { baseObjects, mutatedObject } from "../support/mutations.js";
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

describe("malformed objects get a status, never a 500", () => {
  it("valid objects with fields made null, empty, of the wrong type, huge or removed are answered 2xx or 4xx", async () => {
    const kube = await server.connect();
    const bases: Array<Record<string, unknown>> = [];
    const paths = new Map<string, string>();
    for (const base of baseObjects()) {
      const schema = await kube.resource({ apiVersion: String(base.apiVersion), kind: String(base.kind) }).catch(() => undefined);
      const info = schema && resourceInfo(schema);
      if (!info) continue;
      const prefix = info.group ? `/apis/${info.group}/${info.version}` : `/api/${info.version}`;
      paths.set(`${info.apiVersion}/${info.kind}`, `${prefix}${info.namespaced ? "/namespaces/default" : ""}/${info.plural}`);
      bases.push(base);
    }
    let n = 0;
    await fc.assert(
      fc.asyncProperty(mutatedObject(bases), async (obj) => {
        const path = paths.get(`${String(obj.apiVersion)}/${String(obj.kind)}`)!;
        // A fresh name each time (the dry run stores nothing anyway); the namespace comes from the path.
        if (obj.metadata && typeof obj.metadata === "object" && !Array.isArray(obj.metadata)) {
          const meta = obj.metadata as Record<string, unknown>;
          meta.name = `mutated-${n++}`;
          delete meta.namespace;
        }
        const res = await api.req("POST", `${path}?dryRun=All`, { body: obj });
        expect(res.status, JSON.stringify(res.json)).toBeLessThan(500);
        expect(res.status).toBeGreaterThanOrEqual(200);
      }),
      { numRuns: 200 },
    );
    await kube.close();
  });
});
