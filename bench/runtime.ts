/**
 * Runtime benchmarks, kubezod beside `@kubernetes/client-node` (2.x needs Node 22+: run with
 * `npm run bench -- runtime`, which uses Node 24):
 * - an informer over 10,000 Pods: heap held after the sync, update events handled per second, and
 *   CPU time per update event (each contender in a fresh process, against a canned server that
 *   streams pre-encoded events from memory; "client busy" near 100 % shows the client set the pace);
 * - 200 concurrent watches against the local API server (in a process of its own): connections,
 *   memory and write-to-event latency, over HTTP/2 and HTTP/1.1;
 * - reconcile throughput: 10,000 ConfigMaps through the work queue and a reconciler that writes
 *   each one, against the local API server.
 * `BENCH_ROUNDS` (default 3) sets the rounds; ratios are medians of per-round ratios.
 */
import { fork, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Controller } from "kubezod";
import { ConfigMap } from "kubezod/k8s";
import { startTestServer } from "kubezod/testing";
import { startCannedServer } from "./runtime/clients.js";
import { median, table } from "./report.js";

const here = dirname(fileURLToPath(import.meta.url));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PODS = 10_000;
const UPDATES = 30_000;

function child(contender: string, mode: "memory" | "throughput", url: string): Record<string, number> {
  const r = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", join(here, "runtime", "informer-child.ts"), contender, mode, url, String(PODS), String(UPDATES)], {
    cwd: join(here, ".."),
    encoding: "utf8",
    timeout: 300_000,
  });
  const line = r.stdout.trim().split("\n").pop() ?? "";
  if (r.status !== 0 || !line.startsWith("{")) throw new Error(`${contender} ${mode} failed: ${r.stderr || r.stdout}`);
  return JSON.parse(line) as Record<string, number>;
}

const NAMES: Record<string, string> = {
  kubezod: "kubezod (list sync, validated)",
  "kubezod-watchlist": "kubezod (watch-list sync, validated)",
  "client-node": "@kubernetes/client-node",
  "undici-bytes": "floor: undici.request, lines counted",
  "undici-json": "floor: undici.request + JSON.parse per line",
  "json-alone": "floor: JSON.parse per line alone, no I/O",
};

const FLOOR_WHAT: Record<string, string> = {
  "undici-bytes": "receives its events with undici",
  "undici-json": "also decodes each event with JSON.parse",
  "json-alone": "decodes each event, with no I/O at all,",
};

async function informers(): Promise<void> {
  const server = await startCannedServer(PODS, UPDATES);
  const informersOnly = ["kubezod", "kubezod-watchlist", "client-node"];
  // Not informers: the same stream read with undici alone, the floor of any client built on it.
  const floors = ["undici-bytes", "undici-json", "json-alone"];
  const contenders = [...informersOnly, ...floors];
  const heapMB = new Map<string, number[]>(contenders.map((c) => [c, []]));
  const syncRate = new Map<string, number[]>(contenders.map((c) => [c, []]));
  const rate = new Map<string, number[]>(contenders.map((c) => [c, []]));
  // CPU time per event inverted (events per CPU-second): what each client costs, whatever else the machine runs.
  const cpuRate = new Map<string, number[]>(contenders.map((c) => [c, []]));
  const busy = new Map<string, number[]>(contenders.map((c) => [c, []]));
  // A failing child must not leave the canned server running.
  process.once("exit", () => server.stop());
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of informersOnly) {
      const m = child(c, "memory", server.url);
      heapMB.get(c)!.push(m.heapMB!);
      syncRate.get(c)!.push((PODS / m.syncMs!) * 1000);
    }
    for (const c of contenders) {
      const t = child(c, "throughput", server.url);
      rate.get(c)!.push(t.perSecond!);
      cpuRate.get(c)!.push(1e6 / t.cpuUsPerEvent!);
      // Share of the wall time the client was on a CPU: near 100 % means the client, not the server, set the pace.
      busy.get(c)!.push((t.cpuUsPerEvent! * t.perSecond!) / 1e4);
    }
  }
  server.stop();
  const perRound = (values: Map<string, number[]>, c: string) => values.get(c)!.map((v, i) => v / values.get("client-node")![i]!);
  const ratio = (values: Map<string, number[]>, c: string) => {
    const per = perRound(values, c);
    return `${median(per).toFixed(2)} (${Math.min(...per).toFixed(2)}–${Math.max(...per).toFixed(2)})`;
  };
  console.log(`informer over ${PODS.toLocaleString("en")} Pods, Node ${process.versions.node}, median of ${ROUNDS} rounds (fresh process each)`);
  table(
    ["", "heap held (MB)", "× client-node", "sync: adds/s", "× client-node", "live: updates/s", "× client-node", "CPU µs/update", "updates/CPU-s × client-node", "client busy"],
    contenders.map((c) => [
      NAMES[c]!,
      ...(floors.includes(c) ? ["—", "—", "—", "—"] : [median(heapMB.get(c)!).toFixed(1), ratio(heapMB, c), median(syncRate.get(c)!).toFixed(0), ratio(syncRate, c)]),
      median(rate.get(c)!).toFixed(0),
      ratio(rate, c),
      (1e6 / median(cpuRate.get(c)!)).toFixed(1),
      ratio(cpuRate, c),
      `${median(busy.get(c)!).toFixed(0)} %`,
    ]),
  );
  const verdict = (label: string, value: number, target: string, met: boolean) => `${label} ${value.toFixed(2)}× (target ${target}: ${met ? "met" : "NOT met"})`;
  for (const c of ["kubezod", "kubezod-watchlist"]) {
    const heap = median(perRound(heapMB, c));
    const wall = median(perRound(rate, c));
    const cpu = median(perRound(cpuRate, c));
    console.log(
      `${c}: ${verdict("heap", heap, "≤ 1.0×", heap <= 1)}; ${verdict("event throughput", wall, "≥ 3×", wall >= 3)}; ${verdict("events per CPU-second", cpu, "≥ 3×", cpu >= 3)}`,
    );
  }
  for (const c of floors) {
    console.log(`${NAMES[c]}: ${median(perRound(cpuRate, c)).toFixed(2)}× client-node's events per CPU-second, the most an informer that ${FLOOR_WHAT[c]} could reach`);
  }
  console.log("(ratios: medians of per-round ratios to client-node; wall-clock rates move with the machine's load, CPU time per event much less)\n");
}

async function watches(): Promise<void> {
  const WATCHES = 200;
  const UPDATES = 40;
  const server = fork(join(here, "runtime", "server-child.ts"), [], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const { url, ca, token } = await new Promise<{ url: string; ca: string; token: string }>((resolve) => server.once("message", (m) => resolve(m as { url: string; ca: string; token: string })));
  const caFile = join(mkdtempSync(join(tmpdir(), "kubezod-bench-watches-")), "ca.crt");
  writeFileSync(caFile, ca);
  const contenders = ["kubezod-h2", "kubezod-h1", "client-node"];
  const results = new Map<string, Array<Record<string, number>>>(contenders.map((c) => [c, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of contenders) {
      const r = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", join(here, "runtime", "watches-child.ts"), c, url, caFile, token, String(WATCHES), String(UPDATES)], {
        cwd: join(here, ".."),
        encoding: "utf8",
        timeout: 300_000,
      });
      const line = r.stdout.trim().split("\n").pop() ?? "";
      if (r.status !== 0 || !line.startsWith("{")) throw new Error(`${c} watches failed: ${r.stderr || r.stdout}`);
      results.get(c)!.push(JSON.parse(line) as Record<string, number>);
    }
  }
  server.kill();
  const med = (c: string, k: string) => median(results.get(c)!.map((r) => r[k]!));
  console.log(`${WATCHES} concurrent watches of one ConfigMap, ${UPDATES} writes, local API server in its own process; median of ${ROUNDS} rounds`);
  table(
    ["", "connections", "heap added (MB)", "RSS added (MB)", "events seen", "latency p50 (ms)", "latency p99 (ms)"],
    contenders.map((c) => [
      c === "kubezod-h2" ? "kubezod, HTTP/2" : c === "kubezod-h1" ? "kubezod, HTTP/1.1 (http2: false)" : "@kubernetes/client-node (HTTP/1.1)",
      med(c, "connections").toFixed(0),
      med(c, "heapMB").toFixed(1),
      med(c, "rssMB").toFixed(1),
      med(c, "events").toFixed(0),
      med(c, "p50").toFixed(2),
      med(c, "p99").toFixed(2),
    ]),
  );
  console.log("");
}

async function reconcile(): Promise<void> {
  const COUNT = 10_000;
  const objects = Array.from({ length: COUNT }, (_, i) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `cm-${i}`, namespace: "bench" }, data: { v: String(i) } }));
  const rows: string[][] = [];
  for (const concurrency of [1, 8, 32]) {
    const server = await startTestServer({ objects });
    const kube = await server.connect();
    let written = 0;
    let finished!: () => void;
    const all = new Promise<void>((resolve) => (finished = resolve));
    const stop = new AbortController();
    const c = new Controller(kube, {
      for: ConfigMap,
      namespace: "bench",
      concurrency,
      reconcile: async ({ name, namespace }, { object }) => {
        if (!object || object.metadata?.annotations?.reconciled) return;
        await kube.patch(ConfigMap, name, { metadata: { annotations: { reconciled: "yes" } } }, { namespace });
        if (++written === COUNT) finished();
      },
    });
    const started = performance.now();
    const running = c.run(stop.signal);
    await all;
    const ms = performance.now() - started;
    stop.abort();
    await running;
    const m = c.metrics();
    rows.push([
      String(concurrency),
      `${(ms / 1000).toFixed(2)} s`,
      ((COUNT / ms) * 1000).toFixed(0),
      String(m.reconciles),
      (m.queue.queueLatency.sumMs / Math.max(1, m.queue.queueLatency.count)).toFixed(1),
      (m.queue.workDuration.sumMs / Math.max(1, m.queue.workDuration.count)).toFixed(2),
    ]);
    await kube.close();
    await server.close();
  }
  console.log(`reconcile: ${COUNT.toLocaleString("en")} ConfigMaps through informer → queue → reconciler (one PATCH each) → informer, local API server in process`);
  table(["workers", "all written", "objects/s", "reconciles", "avg queue latency (ms)", "avg work (ms)"], rows);
}

const parts = process.argv.slice(2);
if (!parts.length || parts.includes("informers")) await informers();
if (!parts.length || parts.includes("watches")) await watches();
if (!parts.length || parts.includes("reconcile")) await reconcile();
