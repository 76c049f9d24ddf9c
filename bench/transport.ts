/**
 * Requests per second of small GETs through kubezod's full request pipeline (credentials,
 * impersonation headers, retry policy, timeout, gzip negotiation, status handling, metrics hook)
 * next to raw undici in the same run, 64 requests in flight, against a canned API server running
 * in a child process.
 *
 *   npx tsx bench/transport.ts [seconds per round, default 1]
 */
import { fork } from "node:child_process";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent, Pool, request } from "undici";
import { createTransport, defineCluster } from "kubezod";
import { median, table } from "./report.js";

const CONCURRENCY = 64;
const SECONDS = Number(process.argv[2] ?? 1);
const ROUNDS = 7;

// A canned server: parses nothing but request boundaries and writes a prebuilt response, so the
// client side, not the server, is what the numbers measure.
const serverSource = `
const net = require("node:net");
const body = JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings", namespace: "default", uid: "6a1e1c0e-7d6c-4c8f-9d1e-3c1b5c0a9f11", resourceVersion: "123456", creationTimestamp: "2026-11-01T00:00:00Z" }, data: { "log-level": "info", "feature-x": "enabled", "replicas": "3" } });
const response = Buffer.from("HTTP/1.1 200 OK\\r\\ncontent-type: application/json\\r\\ncontent-length: " + Buffer.byteLength(body) + "\\r\\nkeep-alive: timeout=60\\r\\n\\r\\n" + body);
const server = net.createServer((socket) => {
  socket.setNoDelay(true);
  let tail = "";
  socket.on("data", (chunk) => {
    const text = tail + chunk.toString("latin1");
    let n = 0;
    for (let i = text.indexOf("\\r\\n\\r\\n"); i !== -1; i = text.indexOf("\\r\\n\\r\\n", i + 4)) n++;
    tail = text.slice(-3);
    if (n === 1) socket.write(response);
    else if (n > 1) socket.write(Buffer.concat(Array(n).fill(response)));
  });
  socket.on("error", () => {});
});
server.listen(0, "127.0.0.1", () => process.send(server.address().port));
`;

async function startServer(): Promise<{ url: string; stop: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), "kubezod-bench-"));
  const file = join(dir, "server.cjs");
  writeFileSync(file, serverSource);
  const child = fork(file, [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const port = await new Promise<number>((resolve) => child.once("message", (m) => resolve(m as number)));
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}

/** Requests per second, and this process's CPU µs per request. */
async function measure(name: string, send: () => Promise<void>, seconds: number): Promise<[number, number]> {
  let done = 0;
  const cpu = process.cpuUsage();
  const until = performance.now() + seconds * 1000;
  const worker = async () => {
    while (performance.now() < until) {
      await send();
      done++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  void name;
  const used = process.cpuUsage(cpu);
  return [done / ((performance.now() - started) / 1000), (used.user + used.system) / done];
}

const { url, stop } = await startServer();
const path = "/api/v1/namespaces/default/configmaps/settings";

// Every contender sends the same request (the headers the pipeline sends for this cluster) over
// the same connection limit, so the difference is the pipeline itself.
const CONNECTIONS = 32;
const headers = {
  "user-agent": "kubezod-bench",
  accept: "application/json",
  "accept-encoding": "gzip",
  "impersonate-user": "bench",
  "impersonate-group": ["a", "b"],
  authorization: "Bearer bench-token",
};
const agent = new Agent({ keepAliveTimeout: 30_000, connections: CONNECTIONS });
const pool = new Pool(url, { connections: CONNECTIONS, keepAliveTimeout: 30_000 });
let metricsSeen = 0;
const transport = createTransport(
  defineCluster({ server: url, token: "bench-token", impersonate: { user: "bench", groups: ["a", "b"] } }),
  { connections: CONNECTIONS, userAgent: "kubezod-bench", onMetrics: () => void metricsSeen++ },
);

const contenders: Array<[string, () => Promise<void>]> = [
  [
    "undici.request (Agent)",
    async () => {
      const res = await request(`${url}${path}`, { dispatcher: agent, headers });
      JSON.parse(await res.body.text());
    },
  ],
  [
    "undici Pool.request",
    async () => {
      const res = await pool.request({ path, method: "GET", headers });
      JSON.parse(await res.body.text());
    },
  ],
  [
    "kubezod transport.request",
    async () => {
      (await transport.request({ path })).json();
    },
  ],
];

// Warm up every contender (connections, JIT).
for (const [name, send] of contenders) await measure(name, send, 0.5);

const results = new Map<string, number[]>(contenders.map(([n]) => [n, []]));
const cpuPerRequest = new Map<string, number[]>(contenders.map(([n]) => [n, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, send] of contenders) {
    const [rps, cpu] = await measure(name, send, SECONDS);
    results.get(name)!.push(rps);
    cpuPerRequest.get(name)!.push(cpu);
  }
}

const base = median(results.get("undici.request (Agent)")!);
const rows = contenders.map(([name]) => {
  const rps = median(results.get(name)!);
  return { name, rps, ratio: rps / base, cpu: median(cpuPerRequest.get(name)!) };
});
console.log(`small GETs, ${CONCURRENCY} in flight, ${CONNECTIONS} connections, same headers, ${ROUNDS} interleaved rounds × ${SECONDS}s, median (Node ${process.version})\n`);
table(
  ["client", "req/s", "vs undici.request", "client CPU µs/req"],
  rows.map((r) => [r.name, Math.round(r.rps).toString(), `${r.ratio.toFixed(2)}×`, r.cpu.toFixed(1)]),
);
const ours = rows.find((r) => r.name.startsWith("kubezod"))!;
console.log(`\nkubezod / raw undici.request = ${ours.ratio.toFixed(2)} (target ≥ 0.85)${metricsSeen ? "" : " — metrics hook never called!"}`);

await transport.close();
await agent.close();
await pool.close();
stop();
