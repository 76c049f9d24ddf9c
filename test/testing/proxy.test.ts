/**
 * `pods/proxy` and `services/proxy` of the local API server: HTTP requests sent to the target the
 * test names for a pod's port (as port-forward reaches it), over real HTTP and through kubectl.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { kubectlDir, kubectlVersions } from "../support/kubectl.js";
import { client, type Client } from "./helpers.js";

let target: http.Server;
let server: TestServer;
let api: Client;
const seen: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; body: string }> = [];

beforeAll(async () => {
  target = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      res.writeHead(req.url!.startsWith("/missing") ? 404 : 200, { "content-type": "text/plain", "x-target": "yes" });
      res.end(`${req.method} ${req.url}${body ? ` ${body}` : ""}`);
    });
  });
  await new Promise<void>((r) => target.listen(0, "127.0.0.1", r));
  const port = (target.address() as AddressInfo).port;
  server = await startTestServer({ kubernetesVersion: "1.33", portForward: { 8080: { host: "127.0.0.1", port }, 80: { host: "127.0.0.1", port } } });
  api = client(server);
  const pod = (name: string, labels: Record<string, string>) => ({ apiVersion: "v1", kind: "Pod", metadata: { name, labels }, spec: { containers: [{ name: "app", image: "nginx", ports: [{ name: "http", containerPort: 8080 }] }] } });
  expect((await api.post("/api/v1/namespaces/default/pods", pod("web", { app: "web" }))).status).toBe(201);
  expect((await api.post("/api/v1/namespaces/default/services", { apiVersion: "v1", kind: "Service", metadata: { name: "web" }, spec: { selector: { app: "web" }, ports: [{ name: "http", port: 80, targetPort: "http" }] } })).status).toBe(201);
  expect((await api.post("/api/v1/namespaces/default/services", { apiVersion: "v1", kind: "Service", metadata: { name: "empty" }, spec: { selector: { app: "none" }, ports: [{ port: 80 }] } })).status).toBe(201);
  await server.settle();
});

afterAll(async () => {
  await api?.close();
  await server?.close();
  await new Promise((r) => target?.close(r));
});

describe("pods/proxy and services/proxy", () => {
  it("sends a pod's proxy request, path, query and body, to the port's target without the client's credentials", async () => {
    const r = await api.get("/api/v1/namespaces/default/pods/web:8080/proxy/status/ready?verbose=1");
    expect(r.status).toBe(200);
    expect(r.text).toBe("GET /status/ready?verbose=1");
    expect(r.headers["x-target"]).toBe("yes");
    expect(seen.at(-1)!.headers.authorization).toBeUndefined();
    const posted = await api.post("/api/v1/namespaces/default/pods/web:8080/proxy/submit", { a: 1 });
    expect(posted.text).toBe('POST /submit {"a":1}');
    // Without a port: port 80.
    expect((await api.get("/api/v1/namespaces/default/pods/web/proxy/")).text).toBe("GET /");
    // The target's own status passes through.
    expect((await api.get("/api/v1/namespaces/default/pods/web:8080/proxy/missing")).status).toBe(404);
  });

  it("reaches a Service through a pod its selector picks, at the named targetPort", async () => {
    expect((await api.get("/api/v1/namespaces/default/services/web:http/proxy/hello")).text).toBe("GET /hello");
    expect((await api.get("/api/v1/namespaces/default/services/web/proxy/")).text).toBe("GET /");
  });

  it("answers as the apiserver: 404 for what does not exist, 503 without endpoints, 500 when the target cannot be reached", async () => {
    const none = await api.get("/api/v1/namespaces/default/pods/nope:8080/proxy/");
    expect(none.status).toBe(404);
    expect(none.json.message).toBe('pods "nope" not found');
    const empty = await api.get("/api/v1/namespaces/default/services/empty/proxy/");
    expect(empty.status).toBe(503);
    expect(empty.json).toMatchObject({ reason: "ServiceUnavailable", message: 'no endpoints available for service "empty"' });
    const refused = await api.get("/api/v1/namespaces/default/pods/web:7000/proxy/");
    expect(refused.status).toBe(500);
    expect(refused.json.message).toBe("error trying to reach service: dial tcp4 127.0.0.1:7000: connect: connection refused");
  });
});

const VERSIONS = kubectlVersions(["1.33"]);
describe.skipIf(!VERSIONS.length)("kubectl get --raw through the proxy", () => {
  it("reads a pod's and a Service's answer", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kubezod-proxy-"));
    const kubeconfig = await server.writeKubeconfig(join(dir, "kubeconfig"));
    const run = (args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(join(kubectlDir, "kubectl.1.33"), args, { env: { ...process.env, KUBECONFIG: kubeconfig, HOME: dir } });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d));
        child.stderr.on("data", (d: Buffer) => (stderr += d));
        child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
      });
    expect(await run(["get", "--raw", "/api/v1/namespaces/default/pods/web:8080/proxy/metrics"])).toMatchObject({ code: 0, stdout: "GET /metrics" });
    expect(await run(["get", "--raw", "/api/v1/namespaces/default/services/web:http/proxy/"])).toMatchObject({ code: 0, stdout: "GET /" });
    const failed = await run(["get", "--raw", "/api/v1/namespaces/default/services/empty/proxy/"]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toBe('Error from server (ServiceUnavailable): no endpoints available for service "empty"\n');
  });
});
