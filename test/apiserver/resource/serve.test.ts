/**
 * One engine, two front doors: `kubezod validate` and the local API server refuse the same invalid
 * ResourceClaim with the same field error (the server with kube-apiserver's 422 Status) and accept
 * a valid one.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../../src/testing/index.js";
import { client, type Client } from "../../testing/helpers.js";
import { runCli, type CliResult } from "../../support/cli.js";

let server: TestServer;
let api: Client;
let cli: CliResult;

beforeAll(async () => {
  server = await startTestServer({ kubernetesVersion: "1.36" });
  api = client(server);
  // One run of the CLI over both claims.
  cli = await runCli(["validate", "-k", "1.36", "-"], { input: `${yaml("bad", -1)}---\n${yaml("good", 1)}` });
});
afterAll(async () => {
  await api.close();
  await server.close();
});

const CLAIMS = "/apis/resource.k8s.io/v1/namespaces/default/resourceclaims";
const claim = (name: string, count: number) => ({
  apiVersion: "resource.k8s.io/v1",
  kind: "ResourceClaim",
  metadata: { name, namespace: "default" },
  spec: { devices: { requests: [{ name: "gpu", exactly: { deviceClassName: "gpu.example.com", allocationMode: "ExactCount", count } }] } },
});
const yaml = (name: string, count: number) =>
  `apiVersion: resource.k8s.io/v1\nkind: ResourceClaim\nmetadata:\n  name: ${name}\n  namespace: default\nspec:\n  devices:\n    requests:\n    - name: gpu\n      exactly:\n        deviceClassName: gpu.example.com\n        allocationMode: ExactCount\n        count: ${count}\n`;
const FIELD_ERROR = "spec.devices.requests[0].exactly.count: Invalid value: -1: must be greater than zero";

describe("ResourceClaim through kubezod validate and the local server", () => {
  it("both refuse a claim for a negative count with the same message", async () => {
    const res = await api.post(CLAIMS, claim("bad", -1));
    expect(res.status).toBe(422);
    expect(res.json).toMatchObject({ kind: "Status", reason: "Invalid", code: 422, message: `ResourceClaim.resource.k8s.io "bad" is invalid: ${FIELD_ERROR}` });
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain(`error ResourceClaim/bad: ${FIELD_ERROR}`);
  });

  it("both accept a valid claim, and the server defaults and keeps it", async () => {
    const res = await api.post(CLAIMS, claim("good", 1));
    expect(res.status).toBe(201);
    expect(cli.stdout).not.toContain("ResourceClaim/good");
    expect(cli.stdout).toContain("2 resources, 1 valid");
    const spec = { devices: { requests: [{ name: "gpu", exactly: { deviceClassName: "gpu.example.com", allocationMode: "ExactCount", count: 2 } }] } };
    const upd = await api.patch(`${CLAIMS}/good`, { spec }, "merge");
    expect(upd.status).toBe(422);
    expect((upd.json as { message: string }).message).toMatch(/^ResourceClaim\.resource\.k8s\.io "good" is invalid: spec: Invalid value: .*: field is immutable$/);
  });

  it("the status subresource takes an allocation and reservations, and keeps it once set", async () => {
    const got = (await api.get(`${CLAIMS}/good`)).json as Record<string, unknown>;
    const allocation = { devices: { results: [{ request: "gpu", driver: "gpu.example.com", pool: "node-a", device: "gpu-0" }] } };
    const status = { allocation, reservedFor: [{ resource: "pods", name: "p", uid: "0f1a2b3c-0000-4000-8000-000000000001" }] };
    const res = await api.put(`${CLAIMS}/good/status`, { ...got, status });
    expect(res.status).toBe(200);
    const changed = { ...(res.json as Record<string, unknown>), status: { ...status, allocation: { devices: { results: [{ ...allocation.devices.results[0], device: "gpu-1" }] } } } };
    const again = await api.put(`${CLAIMS}/good/status`, changed);
    expect(again.status).toBe(422);
    expect((again.json as { message: string }).message).toMatch(/status\.allocation: Invalid value: .*: field is immutable/);
  });
});
