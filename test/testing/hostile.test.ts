/**
 * The local API server against hostile peers: deeply nested bodies, watchers that stop reading,
 * unauthenticated floods, over-long request heads, odd selectors and timeouts. Every case asserts
 * the outcome and that the process's memory stayed bounded (measured around the case), never a
 * duration.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { jsonTooDeep } from "../../src/testing/decoding.js";
import { client, configMap, type Client } from "./helpers.js";

const MiB = 1024 * 1024;

/** Run a case and return how much the process's resident memory grew (MiB) across it. */
async function growthOf(run: () => Promise<void>): Promise<number> {
  global.gc?.();
  const before = process.memoryUsage().rss;
  await run();
  global.gc?.();
  return (process.memoryUsage().rss - before) / MiB;
}

let server: TestServer;
let api: Client;

beforeAll(async () => {
  server = await startTestServer({ kubernetesVersion: "1.32", controllers: false, objects: [configMap("target")] });
  api = client(server);
});
afterAll(async () => {
  await api.close();
  await server.close();
});

const nestedJson = (levels: number): string => `${'{"a":'.repeat(levels)}1${"}".repeat(levels)}`;
const nestedFlowYaml = (levels: number): string => `${"{a: ".repeat(levels)}1${"}".repeat(levels)}`;

describe("deeply nested request bodies", () => {
  it("counts nesting without recursion, skipping strings", () => {
    expect(jsonTooDeep(nestedJson(5), 5)).toBeUndefined();
    expect(jsonTooDeep(nestedJson(6), 5)).toBe("{");
    expect(jsonTooDeep(`[[[[[[1]]]]]]`, 5)).toBe("[");
    expect(jsonTooDeep(`{"a":"{{{{{{{{\\"[[[[[[["}`, 2)).toBeUndefined();
    expect(jsonTooDeep(nestedJson(200_000), 10_000)).toBe("{");
  });

  it("answers a JSON body nested 50,000 levels with 400 and Go's scanner message, and keeps serving", async () => {
    const growth = await growthOf(async () => {
      const body = `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"extra":${nestedJson(50_000)}}`;
      const res = await api.req("POST", "/api/v1/namespaces/default/configmaps", { body });
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ kind: "Status", reason: "BadRequest", code: 400 });
      expect(res.json.message).toContain("json parse error: invalid character '{' exceeded max depth");
    });
    expect(growth).toBeLessThan(200);
    expect((await api.get("/healthz")).status).toBe(200);
  });

  it("answers a YAML body nested 10,000 levels (60 KB) with 400", async () => {
    const growth = await growthOf(async () => {
      const body = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep-yaml}\nextra: ${nestedFlowYaml(10_000)}\n`;
      expect(body.length).toBeGreaterThan(50_000);
      const res = await api.req("POST", "/api/v1/namespaces/default/configmaps", { body, contentType: "application/yaml" });
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ kind: "Status", reason: "BadRequest" });
      expect(res.json.message).toMatch(/^error converting YAML to JSON: yaml: line \d+: nesting exceeded maxDepth/);
    });
    expect(growth).toBeLessThan(200);
  });

  it("answers every patch type nested 50,000 levels with a Status, never 500", async () => {
    const deep = nestedJson(50_000);
    const cases: Array<[string, string, string]> = [
      ["application/merge-patch+json", `{"metadata":{"labels":${deep}}}`, ""],
      ["application/strategic-merge-patch+json", `{"metadata":{"labels":${deep}}}`, ""],
      ["application/json-patch+json", `[{"op":"add","path":"/x","value":${deep}}]`, ""],
      ["application/apply-patch+yaml", `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"target"},"x":${deep}}`, "?fieldManager=hostile"],
    ];
    const growth = await growthOf(async () => {
      for (const [contentType, body, query] of cases) {
        const res = await api.req("PATCH", `/api/v1/namespaces/default/configmaps/target${query}`, { body, contentType });
        expect(res.status, contentType).toBe(400);
        expect(res.json.kind).toBe("Status");
      }
    });
    expect(growth).toBeLessThan(200);
    expect((await api.get("/api/v1/namespaces/default/configmaps/target")).status).toBe(200);
  });

  it("accepts bodies within the limit, and the limit follows maxNestingDepth", async () => {
    const ok = await api.req("POST", "/api/v1/namespaces/default/configmaps", {
      body: `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"nested-ok"},"data":{"x":"${"[".repeat(20)}"},"extra":${nestedJson(500)}}`,
    });
    expect(ok.status).toBe(201);
    const strict = await startTestServer({ kubernetesVersion: "1.32", controllers: false, maxNestingDepth: 3 });
    const strictApi = client(strict);
    try {
      const res = await strictApi.req("POST", "/api/v1/namespaces/default/configmaps", { body: `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"data":{"a":[[1]]}}` });
      expect(res.status).toBe(400);
      expect(res.json.message).toContain("invalid character '[' exceeded max depth");
    } finally {
      await strictApi.close();
      await strict.close();
    }
  });
});
