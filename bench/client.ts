/**
 * Client benchmark: a small GET and a 500-pod LIST, 64 requests in flight, against the same canned
 * server (a child process): kubezod with full response validation, raw `undici.request` +
 * `JSON.parse`, and `@kubernetes/client-node` (2.x needs Node 22+; run under Node 24:
 * `npm run bench -- client`).
 */
import { fork } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent, request } from "undici";
import { ConfigMap, Pod } from "kubezod/k8s";
import { connect, defineCluster } from "kubezod";
import { podListJson } from "./fixtures.js";
import { median, table } from "./report.js";
import { competitor } from "./competitors.js";

const CONCURRENCY = 64;
const ROUNDS = 5;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 1.5);
const TOKEN = "bench-token";

const configMap = JSON.stringify({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "settings", namespace: "default", uid: "6a1e1c0e-7d6c-4c8f-9d1e-3c1b5c0a9f11", resourceVersion: "123456", creationTimestamp: "2026-11-01T00:00:00Z" },
  data: { "log-level": "info", "feature-x": "enabled", replicas: "3" },
});

async function startServer(): Promise<{ url: string; stop: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), "kubezod-bench-client-"));
  writeFileSync(join(dir, "cm.json"), configMap);
  writeFileSync(join(dir, "pods.json"), podListJson(500));
  writeFileSync(
    join(dir, "server.cjs"),
    `const http = require("node:http");
const fs = require("node:fs");
const cm = fs.readFileSync(${JSON.stringify(join(dir, "cm.json"))});
const pods = fs.readFileSync(${JSON.stringify(join(dir, "pods.json"))});
const server = http.createServer((req, res) => {
  const body = req.url.startsWith("/api/v1/namespaces/default/pods") ? pods : cm;
  res.writeHead(200, { "content-type": "application/json", "content-length": body.length });
  res.end(body);
});
server.keepAliveTimeout = 60000;
server.listen(0, "127.0.0.1", () => process.send(server.address().port));
`,
  );
  const child = fork(join(dir, "server.cjs"), [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const port = await new Promise<number>((resolve) => child.once("message", (m) => resolve(m as number)));
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}

/** CPU time of this process per request (µs) in the last `rate` run: robust when other work shares the machine. */
let lastCpuPerRequest = 0;

async function rate(send: () => Promise<unknown>, seconds: number): Promise<number> {
  let done = 0;
  const until = performance.now() + seconds * 1000;
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < until) {
        await send();
        done++;
      }
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  lastCpuPerRequest = (cpu.user + cpu.system) / done;
  return (done / (performance.now() - started)) * 1000;
}

interface ClientNode {
  get(): Promise<unknown>;
  list(): Promise<unknown>;
}

async function clientNode(url: string): Promise<ClientNode | undefined> {
  if (Number(process.versions.node.split(".")[0]) < 22) return undefined;
  const k8s = await competitor<import("./competitors/types.js").ClientNode>("@kubernetes/client-node");
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "bench", server: url, skipTLSVerify: true }],
    users: [{ name: "bench", token: TOKEN }],
    contexts: [{ name: "bench", cluster: "bench", user: "bench" }],
    currentContext: "bench",
  });
  const api = kc.makeApiClient(k8s.CoreV1Api);
  return {
    get: () => api.readNamespacedConfigMap({ name: "settings", namespace: "default" }),
    list: () => api.listNamespacedPod({ namespace: "default" }),
  };
}

async function main(): Promise<void> {
  const server = await startServer();
  const kube = await connect({ config: defineCluster({ server: server.url, token: TOKEN }), connections: 32 });
  const agent = new Agent({ connections: 32 });
  const headers = { authorization: `Bearer ${TOKEN}`, accept: "application/json" };
  const raw = (path: string) => async () => {
    const res = await request(`${server.url}${path}`, { headers, dispatcher: agent });
    JSON.parse(await res.body.text());
  };
  const other = await clientNode(server.url);
  const contenders: Array<[string, Record<"get" | "list", () => Promise<unknown>>]> = [
    ["kubezod (validated)", { get: () => kube.get(ConfigMap, "settings", { namespace: "default" }), list: () => kube.list(Pod, { namespace: "default" }) }],
    ["undici.request + JSON.parse", { get: raw("/api/v1/namespaces/default/configmaps/settings"), list: raw("/api/v1/namespaces/default/pods") }],
  ];
  if (other) contenders.push(["@kubernetes/client-node", other]);
  else console.log(`(@kubernetes/client-node needs Node 22+; this is Node ${process.versions.node})`);

  const results = new Map<string, Record<"get" | "list", number[]>>();
  const cpuPer = new Map<string, Record<"get" | "list", number[]>>();
  for (const [name] of contenders) {
    results.set(name, { get: [], list: [] });
    cpuPer.set(name, { get: [], list: [] });
  }
  // kubezod and undici take turns (the order turning each round); client-node runs after both of
  // them are done: whatever runs in this process after client-node has run is 20–50 % slower for
  // a long while (undici and kubezod alike: more garbage collection and more time in Node's
  // streams), which a process of a user's, holding one client, never sees.
  const phases = [contenders.slice(0, 2), contenders.slice(2)];
  for (const phase of phases) {
    for (const op of ["get", "list"] as const) {
      for (const [, c] of phase) await rate(c[op], 0.3); // warm up
      for (let round = 0; round < ROUNDS; round++) {
        for (let k = 0; k < phase.length; k++) {
          const [name, c] = phase[(round + k) % phase.length]!;
          results.get(name)![op].push(await rate(c[op], op === "list" ? SECONDS * 2 : SECONDS));
          cpuPer.get(name)![op].push(lastCpuPerRequest);
        }
      }
    }
  }
  const med = (name: string, op: "get" | "list") => median(results.get(name)![op]);
  // Ratios are taken within each round (for client-node, against the round of the same number), then their median.
  const ratio = (name: string, base: string, op: "get" | "list") => {
    const perRound = results.get(name)![op].map((r, i) => r / results.get(base)![op][i]!);
    return `${median(perRound).toFixed(2)} (${Math.min(...perRound).toFixed(2)}–${Math.max(...perRound).toFixed(2)})`;
  };
  const rows: string[][] = [];
  for (const op of ["get", "list"] as const) {
    for (const [name] of contenders) {
      rows.push([
        `${op === "get" ? "GET configmap" : "LIST 500 pods"}: ${name}`,
        med(name, op).toFixed(0),
        ratio(name, "undici.request + JSON.parse", op),
        other ? ratio(name, "@kubernetes/client-node", op) : "-",
        median(cpuPer.get(name)![op]).toFixed(1),
        (median(cpuPer.get("undici.request + JSON.parse")![op]) / median(cpuPer.get(name)![op])).toFixed(2),
      ]);
    }
  }
  console.log(`Node ${process.versions.node}, ${CONCURRENCY} in flight, median of ${ROUNDS} rounds`);
  table(["", "req/s (median)", "× undici (rounds)", "× client-node (rounds)", "client CPU µs/req", "× undici by CPU"], rows);
  console.log("targets: GET ≥ 0.9× undici and ≥ 8× client-node; LIST ≥ 0.9× undici");
  console.log("(× undici by CPU: undici's CPU per request over this one's — what the throughput ratio is when the client's CPU is the limit, unmoved by other work on the machine)");
  await kube.close();
  await agent.close();
  server.stop();
}

await main();
