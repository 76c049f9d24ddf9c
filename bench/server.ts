/**
 * Local API server benchmark: small GETs per second and watch event fan-out per second with 100
 * concurrent watchers, next to a bare `node:https` server answering the same bytes (the ceiling a
 * Node server can reach here), over HTTPS and plain HTTP. Run with `npx tsx bench/server.ts`.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer as createHttps } from "node:https";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseYaml } from "../src/yaml/text.js";
import { createServer as createHttp, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Agent, Pool } from "undici";
import { startTestServer, type TestServer } from "kubezod/testing";
import { CertificateAuthority } from "../src/testing/certificates.js";
import { pod } from "./fixtures.js";
import { median, table } from "./report.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const DURATION_MS = Number(process.env.BENCH_MS ?? 1500);
const RUNS = 3;
const CONCURRENCY = 32;
const WATCHERS = 100;
const EVENTS = 300;

interface Target {
  url: string;
  ca: string | undefined;
  token: string;
}

async function getsPerSecond(t: Target, path: string, duration = DURATION_MS): Promise<number> {
  const pool = new Pool(t.url, { connections: CONCURRENCY, connect: { ca: t.ca } });
  const headers = { authorization: `Bearer ${t.token}`, accept: "application/json" };
  let done = 0;
  const deadline = performance.now() + duration;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline) {
        const res = await pool.request({ path, method: "GET", headers });
        await res.body.text();
        if (res.statusCode !== 200) throw new Error(`GET ${path}: HTTP ${res.statusCode}`);
        done++;
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  await pool.close();
  return done / seconds;
}

/** Open watchers, then trigger `EVENTS` changes; events delivered per second across all watchers. */
async function fanOut(t: Target, path: string, trigger: (i: number) => Promise<void>): Promise<number> {
  const agent = new Agent({ connections: WATCHERS + 8, connect: { ca: t.ca } });
  const headers = { authorization: `Bearer ${t.token}`, accept: "application/json" };
  let received = 0;
  const expected = WATCHERS * EVENTS;
  let finish!: () => void;
  const all = new Promise<void>((r) => (finish = r));
  const streams = await Promise.all(
    Array.from({ length: WATCHERS }, async () => {
      const res = await agent.request({ origin: t.url, path, method: "GET", headers, bodyTimeout: 0 });
      res.body.on("data", (chunk: Buffer) => {
        for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) received++;
        if (received >= expected) finish();
      });
      return res.body;
    }),
  );
  const start = performance.now();
  for (let i = 0; i < EVENTS; i++) await trigger(i);
  await Promise.race([all, new Promise((r) => setTimeout(r, 30_000))]);
  const seconds = (performance.now() - start) / 1000;
  for (const s of streams) s.destroy();
  await agent.close();
  return received / seconds;
}

/** A bare server: fixed bytes for GETs, and a broadcast of one line per POST to every open watch. */
async function bareServer(tls: boolean, body: string): Promise<{ target: Target; close(): Promise<void> }> {
  const watchers = new Set<ServerResponse>();
  const line = `${JSON.stringify({ type: "ADDED", object: JSON.parse(body) })}\n`;
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    if (req.headers.authorization !== "Bearer bench") {
      res.writeHead(401).end();
      return;
    }
    if (req.url?.includes("watch=true")) {
      res.writeHead(200, { "content-type": "application/json" });
      res.flushHeaders();
      watchers.add(res);
      res.on("close", () => watchers.delete(res));
      return;
    }
    if (req.method === "POST") {
      req.resume();
      req.on("end", () => {
        for (const w of watchers) w.write(line);
        res.writeHead(201, { "content-type": "application/json" }).end(body);
      });
      return;
    }
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) }).end(body);
  };
  const ca = tls ? new CertificateAuthority() : undefined;
  const serving = ca?.serving(["localhost"], ["127.0.0.1"]);
  const server = serving ? createHttps({ cert: serving.cert, key: serving.key }, handler) : createHttp(handler);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    target: { url: `${tls ? "https" : "http"}://127.0.0.1:${port}`, ca: ca?.cert, token: "bench" },
    close: () =>
      new Promise((r) => {
        for (const w of watchers) w.destroy();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

async function kubezodServer(tls: boolean): Promise<{ server: TestServer; target: Target; body: string }> {
  const server = await startTestServer({ kubernetesVersion: "1.32", https: tls, tokens: { bench: "admin" }, historySize: 100_000 });
  const target = { url: server.url, ca: server.caCertificate, token: "bench" };
  const p = pod(0) as { metadata: Record<string, unknown>; status?: unknown };
  const created = await fetchJson(target, "POST", "/api/v1/namespaces/default/pods", { ...p, metadata: { name: "bench-pod", labels: p.metadata.labels } });
  return { server, target, body: JSON.stringify(created) };
}

async function fetchJson(t: Target, method: string, path: string, body?: unknown): Promise<unknown> {
  const agent = new Agent({ connect: { ca: t.ca } });
  const res = await agent.request({
    origin: t.url,
    path,
    method: method as "POST",
    headers: { authorization: `Bearer ${t.token}`, "content-type": "application/json" },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.body.text();
  await agent.close();
  if (res.statusCode >= 300) throw new Error(`${method} ${path}: HTTP ${res.statusCode}: ${text.slice(0, 200)}`);
  return JSON.parse(text);
}

function triggerOn(t: Target, path: string, make: (i: number) => unknown): (i: number) => Promise<void> {
  const pool = new Pool(t.url, { connections: 1, connect: { ca: t.ca } });
  return async (i) => {
    const res = await pool.request({ path, method: "POST", headers: { authorization: `Bearer ${t.token}`, "content-type": "application/json" }, body: JSON.stringify(make(i)) });
    await res.body.text();
  };
}

const rows: string[][] = [];
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
for (const tls of [true, false]) {
  const scheme = tls ? "https" : "http";
  const kz = await kubezodServer(tls);
  const bare = await bareServer(tls, kz.body);
  const podPath = "/api/v1/namespaces/default/pods/bench-pod";
  await getsPerSecond(kz.target, podPath, 500);
  await getsPerSecond(bare.target, podPath, 500);
  // Alternate the two servers and keep the median of each: load on the machine shifts between runs.
  const kzRuns: number[] = [];
  const bareRuns: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    kzRuns.push(await getsPerSecond(kz.target, podPath));
    bareRuns.push(await getsPerSecond(bare.target, podPath));
  }
  const kzGets = median(kzRuns);
  const bareGets = median(bareRuns);
  rows.push([`GET pod (${(kz.body.length / 1024).toFixed(1)} KB), ${scheme}, ${CONCURRENCY} conns`, fmt(kzGets), fmt(bareGets), (kzGets / bareGets).toFixed(2)]);
  const cm = (i: number) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `cm-${scheme}-${i}` }, data: { i: String(i) } });
  const kzFans: number[] = [];
  const bareFans: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const named = (i: number) => cm(run * EVENTS + i);
    kzFans.push(await fanOut(kz.target, `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${kz.server.resourceVersion}`, triggerOn(kz.target, "/api/v1/namespaces/default/configmaps", named)));
    bareFans.push(await fanOut(bare.target, "/watch?watch=true", triggerOn(bare.target, "/create", named)));
  }
  const kzFan = median(kzFans);
  const bareFan = median(bareFans);
  rows.push([`watch fan-out, ${WATCHERS} watchers x ${EVENTS} changes, ${scheme}`, fmt(kzFan), fmt(bareFan), (kzFan / bareFan).toFixed(2)]);
  await bare.close();
  await kz.server.close();
}
// The same GETs against `kubezod serve` in its own process (the way client benchmarks should use
// it, so client and server do not share one event loop).
{
  const dir = mkdtempSync(join(tmpdir(), "kubezod-bench-"));
  const kubeconfigPath = join(dir, "kubeconfig");
  const child = spawn(process.execPath, ["--import", "tsx", join(root, "src/cli/bin.ts"), "serve", "--kubernetes-version", "1.32", "--kubeconfig-out", kubeconfigPath], {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d));
  for (let i = 0; i < 600 && !out.includes("kubeconfig:"); i++) await new Promise((r) => setTimeout(r, 50));
  const kc = parseYaml(readFileSync(kubeconfigPath, "utf8")) as {
    clusters: Array<{ cluster: { server: string; "certificate-authority-data": string } }>;
    users: Array<{ user: { token: string } }>;
  };
  const target: Target = {
    url: kc.clusters[0]!.cluster.server,
    ca: Buffer.from(kc.clusters[0]!.cluster["certificate-authority-data"], "base64").toString(),
    token: kc.users[0]!.user.token,
  };
  const p = pod(0) as { metadata: Record<string, unknown> };
  await fetchJson(target, "POST", "/api/v1/namespaces/default/pods", { ...p, metadata: { name: "bench-pod", labels: p.metadata.labels } });
  await getsPerSecond(target, "/api/v1/namespaces/default/pods/bench-pod", 500);
  const runs: number[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await getsPerSecond(target, "/api/v1/namespaces/default/pods/bench-pod"));
  rows.push([`GET pod, https, kubezod serve in a child process`, fmt(median(runs)), "", ""]);
  child.kill("SIGINT");
  await new Promise((r) => child.on("close", r));
}

console.log(`\nkubezod local API server vs a bare Node server sending the same bytes (Node ${process.version}; medians of ${RUNS} alternating runs, ${DURATION_MS} ms per GET run)\n`);
table(["benchmark", "kubezod /s", "bare node /s", "ratio"], rows);
