/**
 * The local API server runs the apiserver pipeline on every write: an object kube-apiserver refuses
 * is refused with its 422 Status (`apierrors.NewInvalid`: the aggregate message, one cause per field
 * error) on create, update, patch and server-side apply, with the update rules checked against the
 * stored object — over HTTP, and through kubectl, which prints it as it prints kube-apiserver's.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { client, type Client } from "./helpers.js";

const hasKubectl = spawnSync("kubectl", ["version", "--client"], { encoding: "utf8" }).status === 0;

let server: TestServer;
let dir: string;
let kubeconfig: string;
let api: Client;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "kubezod-native-"));
  server = await startTestServer({ kubernetesVersion: "1.32" });
  kubeconfig = await server.writeKubeconfig(join(dir, "kubeconfig"));
  api = client(server);
});
afterAll(async () => {
  await api?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function request(method: string, path: string, body: unknown, type?: "merge" | "apply"): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = type ? await api.patch(path, body, type) : method === "PUT" ? await api.put(path, body) : await api.post(path, body);
  return { status: r.status, json: r.json as Record<string, unknown> };
}

const pod = (ports: unknown[]) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "web" },
  spec: { containers: [{ name: "web", image: "nginx:1.27", ports }] },
});

const portError = 'spec.containers[0].ports[0].containerPort: Invalid value: 99999: must be between 1 and 65535, inclusive';
const protocolError = 'spec.containers[0].ports[0].protocol: Unsupported value: "udp": supported values: "SCTP", "TCP", "UDP"';

describe("the local API server refuses what kube-apiserver's native validation refuses", () => {
  it("create: 422 with NewInvalid's Status, one cause per field error", async () => {
    const res = await request("POST", "/api/v1/namespaces/default/pods", pod([{ containerPort: 99999, protocol: "udp" }]));
    expect(res.status).toBe(422);
    expect(res.json).toMatchObject({
      kind: "Status",
      status: "Failure",
      reason: "Invalid",
      code: 422,
      message: `Pod "web" is invalid: [${portError}, ${protocolError}]`,
      details: {
        name: "web",
        kind: "Pod",
        causes: [
          { reason: "FieldValueInvalid", message: "Invalid value: 99999: must be between 1 and 65535, inclusive", field: "spec.containers[0].ports[0].containerPort" },
          { reason: "FieldValueNotSupported", message: 'Unsupported value: "udp": supported values: "SCTP", "TCP", "UDP"', field: "spec.containers[0].ports[0].protocol" },
        ],
      },
    });
    // One error: the message without brackets.
    const one = await request("POST", "/api/v1/namespaces/default/pods", pod([{ containerPort: 99999 }]));
    expect(one.json.message).toBe(`Pod "web" is invalid: ${portError}`);
  });

  it("update, patch and apply check the update rules against the stored object", async () => {
    const secret = { apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, type: "Opaque", data: { a: "YQ==" } };
    expect((await request("POST", "/api/v1/namespaces/default/secrets", secret)).status).toBe(201);
    const immutable = 'type: Invalid value: "example.com/custom": field is immutable';
    const put = await request("PUT", "/api/v1/namespaces/default/secrets/s", { ...secret, type: "example.com/custom" });
    expect([put.status, put.json.message]).toEqual([422, `Secret "s" is invalid: ${immutable}`]);
    const patch = await request("PATCH", "/api/v1/namespaces/default/secrets/s", { type: "example.com/custom" }, "merge");
    expect([patch.status, patch.json.message]).toEqual([422, `Secret "s" is invalid: ${immutable}`]);
    const apply = await request("PATCH", "/api/v1/namespaces/default/secrets/s?fieldManager=test&force=true", { ...secret, type: "example.com/custom" }, "apply");
    expect([apply.status, apply.json.message]).toEqual([422, `Secret "s" is invalid: ${immutable}`]);
    // What may change does.
    expect((await request("PATCH", "/api/v1/namespaces/default/secrets/s", { data: { a: "Yg==" } }, "merge")).status).toBe(200);
  });

  it.skipIf(!hasKubectl)("kubectl create and apply print the refusal as they print kube-apiserver's", async () => {
    const kubectl = (args: string[]) =>
      new Promise<{ code: number; stderr: string }>((resolve) => {
        const child = spawn("kubectl", ["--cache-dir", join(dir, "cache"), ...args], { env: { ...process.env, KUBECONFIG: kubeconfig, HOME: dir } });
        let stderr = "";
        child.stderr.on("data", (d: Buffer) => (stderr += d));
        child.on("close", (code) => resolve({ code: code ?? -1, stderr }));
      });
    const f = join(dir, "pod.yaml");
    writeFileSync(f, JSON.stringify({ ...pod([{ containerPort: 99999, protocol: "udp" }]), metadata: { name: "bad" } }));
    const expected = `The Pod "bad" is invalid: \n* ${portError}\n* ${protocolError}\n`;
    expect(await kubectl(["create", "-f", f])).toEqual({ code: 1, stderr: expected });
    expect(await kubectl(["apply", "-f", f])).toEqual({ code: 1, stderr: expected });
    expect(await kubectl(["apply", "--server-side", "-f", f])).toEqual({ code: 1, stderr: expected });
  });
});
