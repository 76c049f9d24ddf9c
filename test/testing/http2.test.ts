/**
 * The local API server speaks HTTP/2 to clients that offer it (ALPN) and HTTP/1.1 to the others,
 * on one port: node's own h2 client, kubectl (Go's h2 for requests and watches, HTTP/1.1 upgrades
 * for exec), and HTTP/1.1-only clients.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import * as http2 from "node:http2";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { client, tokenOf } from "./helpers.js";

const hasKubectl = spawnSync("kubectl", ["version", "--client"], { encoding: "utf8" }).status === 0;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

function h2request(session: http2.ClientHttp2Session, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http2.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ":path": path, authorization: `Bearer ${tokenOf(server)}`, ...headers });
    let body = "";
    let head: http2.IncomingHttpHeaders = {};
    stream.setEncoding("utf8");
    stream.on("response", (h) => (head = h));
    stream.on("data", (d: string) => (body += d));
    stream.on("end", () => resolve({ status: Number(head[":status"]), headers: head, body }));
    stream.on("error", reject);
    stream.end();
  });
}

describe("the local API server over HTTP/2", () => {
  it("answers h2 requests and streams watches without HTTP/1.1 connection headers", async () => {
    const session = http2.connect(server.url, { ca: server.caCertificate! });
    const got = await h2request(session, "/api/v1/namespaces/default/configmaps");
    expect(got.status).toBe(200);
    expect(JSON.parse(got.body).kind).toBe("ConfigMapList");
    const rv = JSON.parse(got.body).metadata.resourceVersion as string;
    // A watch: chunked in HTTP/1.1, plain DATA frames here (no transfer-encoding header is legal in h2).
    const watch = session.request({ ":path": `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv}&timeoutSeconds=1`, authorization: `Bearer ${tokenOf(server)}` });
    let head: http2.IncomingHttpHeaders = {};
    let data = "";
    watch.setEncoding("utf8");
    watch.on("response", (h) => (head = h));
    watch.on("data", (d: string) => (data += d));
    const ended = new Promise<void>((resolve) => watch.on("end", () => resolve()));
    await client(server).post("/api/v1/namespaces/default/configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "over-h2" } });
    await ended;
    expect(head[":status"]).toBe(200);
    expect(head["transfer-encoding"]).toBeUndefined();
    expect(JSON.parse(data.split("\n")[0]!)).toMatchObject({ type: "ADDED", object: { metadata: { name: "over-h2" } } });
    session.close();
  });

  it("still serves HTTP/1.1 clients on the same port", async () => {
    const c = client(server);
    const r = await c.get("/api/v1/namespaces/default/configmaps/over-h2");
    expect(r.status).toBe(200);
    await c.close();
  });

  it.skipIf(!hasKubectl)("kubectl talks HTTP/2 for requests and watches, and HTTP/1.1 upgrades for exec", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kubezod-h2-kubectl-"));
    const kubeconfig = await server.writeKubeconfig(join(dir, "kubeconfig"));
    const run = (args: string[]) =>
      new Promise<{ code: number; stdout: string }>((resolve) => {
        const child = spawn("kubectl", ["--cache-dir", join(dir, "cache"), ...args], { env: { ...process.env, KUBECONFIG: kubeconfig, HOME: dir } });
        let stdout = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d));
        child.on("close", (code) => resolve({ code: code ?? -1, stdout }));
        child.stdin.end("");
      });
    server.requests.length = 0;
    const got = await run(["get", "configmap", "over-h2", "-o", "name"]);
    expect(got).toMatchObject({ code: 0, stdout: "configmap/over-h2\n" });
    const mine = server.requests.filter((r) => r.resource === "configmaps");
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((r) => r.headers[":authority"] !== undefined)).toBe(true);
    await client(server).post("/api/v1/namespaces/default/pods", { apiVersion: "v1", kind: "Pod", metadata: { name: "h2-shell" }, spec: { containers: [{ name: "sh", image: "busybox" }] } });
    const exec = await run(["exec", "h2-shell", "--", "echo", "hi"]);
    expect(exec).toMatchObject({ code: 0, stdout: "hi\n" });
  }, 60_000);
});
