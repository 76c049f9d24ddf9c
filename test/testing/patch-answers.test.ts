/**
 * What the local server answers to patches that fail, as kube-apiserver's patch handler answers.
 * JSON patches are applied within kube-apiserver's limits: at most 10000 operations
 * (413, its patch handler's maxJSONPatchOperations), copies adding at most JSONPatchMaxCopyBytes
 * (3 MiB, evanphx/json-patch's AccumulatedCopySizeError, a 422 like any failed operation), and a
 * `test` without a value on a missing member answered as the apiserver answers the panic it causes (500).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { client, configMap, type Client } from "./helpers.js";

const CM = "/api/v1/namespaces/default/configmaps";
let server: TestServer;
let api: Client;

beforeAll(async () => {
  server = await startTestServer({ kubernetesVersion: "1.32", objects: [configMap("small"), configMap("big", { big: "x".repeat(1_000_000) })] });
  api = client(server);
});
afterAll(async () => {
  await api.close();
  await server.close();
});

describe("JSON patch limits of the local server", () => {
  it("answers a failed operation as kube-apiserver does: 422 without the cause", async () => {
    const res = await api.patch(`${CM}/small`, [{ op: "test", path: "/data/a", value: "2" }], "json");
    expect(res.status).toBe(422);
    expect(res.json).toMatchObject({ kind: "Status", code: 422, reason: "Invalid", message: "the server rejected our request due to an error in our request", details: {} });
  });

  it("takes 10000 operations and refuses 10001 with 413", async () => {
    const ops = (n: number) => Array.from({ length: n }, () => ({ op: "test", path: "/metadata/name", value: "small" }));
    expect((await api.patch(`${CM}/small`, ops(10000), "json")).status).toBe(200);
    const res = await api.patch(`${CM}/small`, ops(10001), "json");
    expect(res.status).toBe(413);
    expect(res.json).toMatchObject({ kind: "Status", code: 413, reason: "RequestEntityTooLarge", message: "Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001" });
  });

  it("refuses copies that add more than 3 MiB with 422", async () => {
    const copy = (to: string) => ({ op: "copy", from: "/data/big", path: `/data/${to}` });
    const res = await api.patch(`${CM}/big`, [copy("c1"), copy("c2"), copy("c3"), copy("c4")], "json");
    expect(res.status).toBe(422);
    expect(res.json).toMatchObject({ reason: "Invalid", message: "the server rejected our request due to an error in our request", details: {} });
    const three = await api.patch(`${CM}/big`, [copy("c1"), copy("c2"), copy("c3")], "json");
    // Three copies of 1,000,002 bytes (the value's JSON) stay under the limit; the ConfigMap is then too large.
    expect(three.json.message).toBe('ConfigMap "big" is invalid: <root>: Too long: may not be more than 1048576 bytes');
    const unchanged = await api.get(`${CM}/big`);
    expect(Object.keys(unchanged.json.data)).toEqual(["big"]);
  });

  it("answers a test without value on a missing member with the apiserver's panic answer", async () => {
    const res = await api.patch(`${CM}/small`, [{ op: "test", path: "/data/missing" }], "json");
    expect(res.status).toBe(500);
    expect(res.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(res.text).toBe("This request caused apiserver to panic. Look in the logs for details.\n");
  });

  it("applies an empty (null) JSON patch as no operations", async () => {
    const res = await api.patch(`${CM}/small`, null, "json");
    expect(res.status).toBe(200);
    expect(res.json.data).toEqual({ a: "1" });
  });

  it("answers a null or scalar merge patch with MergePatch's error, a 500 without reason", async () => {
    for (const body of ["null", "5", '"x"']) {
      const res = await api.req("PATCH", `${CM}/small`, { body, contentType: "application/merge-patch+json" });
      expect(res.status).toBe(500);
      expect(res.json).toEqual({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "Invalid JSON Patch", code: 500 });
    }
  });
});
