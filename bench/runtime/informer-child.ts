/**
 * One informer in a fresh process, against the canned server: `memory` syncs every pod and reports
 * the heap it holds; `throughput` counts update events per second (wall clock) and the process's CPU
 * time per event (`process.cpuUsage`, which the other processes of a busy machine do not inflate). Prints one JSON line.
 * The `undici-*` contenders are no informer: they read the same watch stream with `undici.request`
 * and only count its lines (`undici-bytes`) or also decode each line with `JSON.parse`
 * (`undici-json`), the least any client built on undici pays per event (throughput mode only).
 * `json-alone` reads the whole stream into memory first and then only decodes each event with
 * `JSON.parse`: the cost of the decode with no I/O at all, which no client that hands its handlers
 * decoded objects can avoid.
 * Usage: informer-child.ts <kubezod|kubezod-watchlist|client-node|undici-bytes|undici-json|json-alone> <memory|throughput> <url> <pods> <updates>
 */
import { request } from "undici";
import { Informer, connect, defineCluster } from "kubezod";
import { Pod } from "kubezod/k8s";
import { TOKEN, loadClientNode } from "./clients.js";

const [contender, mode, url, podsArg, updatesArg] = process.argv.slice(2) as [string, string, string, string, string];
const pods = Number(podsArg);
const updates = Number(updatesArg);
const gc = (globalThis as { gc?: () => void }).gc;

function heap(): number {
  for (let i = 0; i < 4; i++) gc?.();
  return process.memoryUsage().heapUsed;
}

interface Subject {
  onUpdate(cb: () => void): void;
  start(): Promise<void>;
  size(): number;
  stop(): Promise<void>;
}

/** The watch stream read with undici alone: lines counted (and decoded with `decode`), no cache. */
function undiciReader(decode: boolean): Subject {
  let update: () => void = () => {};
  const controller = new AbortController();
  return {
    onUpdate: (cb) => (update = cb),
    start: async () => {
      const res = await request(`${url}/api/v1/pods?watch=true`, { headers: { authorization: `Bearer ${TOKEN}` }, signal: controller.signal });
      void (async () => {
        const text = new TextDecoder();
        let rest: Buffer | undefined;
        try {
          for await (const chunk of res.body as AsyncIterable<Buffer>) {
            const data = rest ? Buffer.concat([rest, chunk]) : chunk;
            let start = 0;
            for (let nl = data.indexOf(10); nl >= 0; nl = data.indexOf(10, start)) {
              if (decode) JSON.parse(text.decode(data.subarray(start, nl)));
              start = nl + 1;
              update();
            }
            rest = start < data.length ? data.subarray(start) : undefined;
          }
        } catch {
          // aborted by stop()
        }
      })();
    },
    size: () => pods,
    stop: async () => controller.abort(),
  };
}

/** Every event read into memory first (not measured), then decoded one by one. */
function decodeAlone(): Subject {
  let update: () => void = () => {};
  return {
    onUpdate: (cb) => (update = cb),
    start: async () => {
      const res = await request(`${url}/api/v1/pods?watch=true`, { headers: { authorization: `Bearer ${TOKEN}` } });
      const lines: Buffer[] = [];
      let rest: Buffer | undefined;
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        const data = rest ? Buffer.concat([rest, chunk]) : chunk;
        let start = 0;
        for (let nl = data.indexOf(10); nl >= 0; nl = data.indexOf(10, start)) {
          lines.push(Buffer.from(data.subarray(start, nl)));
          start = nl + 1;
        }
        rest = start < data.length ? data.subarray(start) : undefined;
        if (lines.length >= updates) break;
      }
      const text = new TextDecoder();
      setImmediate(() => {
        for (const line of lines) {
          JSON.parse(text.decode(line));
          update();
        }
      });
    },
    size: () => pods,
    stop: async () => {},
  };
}

async function subject(): Promise<Subject> {
  if (contender === "json-alone") return decodeAlone();
  if (contender === "undici-bytes" || contender === "undici-json") return undiciReader(contender === "undici-json");
  if (contender === "client-node") {
    const k8s = await loadClientNode();
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: "bench", server: url, skipTLSVerify: true }],
      users: [{ name: "bench", token: TOKEN }],
      contexts: [{ name: "bench", cluster: "bench", user: "bench" }],
      currentContext: "bench",
    });
    const api = kc.makeApiClient(k8s.CoreV1Api);
    const informer = k8s.makeInformer(kc, "/api/v1/pods", () => api.listPodForAllNamespaces());
    return {
      onUpdate: (cb) => informer.on("update", cb),
      start: () => informer.start(),
      size: () => informer.list().length,
      stop: () => informer.stop(),
    };
  }
  const kube = await connect({ config: defineCluster({ server: url, token: TOKEN }) });
  const informer = new Informer(kube, Pod, { allNamespaces: true, watchList: contender === "kubezod-watchlist" });
  return {
    onUpdate: (cb) => informer.on((e) => e.type === "update" && cb()),
    start: () => informer.start(),
    size: () => informer.size,
    stop: async () => {
      await informer.stop();
      await kube.close();
    },
  };
}

const before = heap();
const s = await subject();
let seen = 0;
let first = 0;
let cpuFirst: NodeJS.CpuUsage | undefined;
let done!: () => void;
const all = new Promise<void>((resolve) => (done = resolve));
s.onUpdate(() => {
  if (seen++ === 0) (first = performance.now()), (cpuFirst = process.cpuUsage());
  if (seen === updates) done();
});
const started = performance.now();
await s.start();
while (s.size() < pods) await new Promise((r) => setTimeout(r, 5));
const syncMs = performance.now() - started;
if (mode === "memory") {
  const held = heap() - before;
  console.log(JSON.stringify({ contender, heapMB: held / 2 ** 20, rssMB: process.memoryUsage().rss / 2 ** 20, syncMs }));
} else {
  await all;
  const ms = performance.now() - first;
  const cpu = process.cpuUsage(cpuFirst);
  // CPU time of this process per event: what the client costs, whatever else the machine runs.
  const cpuUsPerEvent = (cpu.user + cpu.system) / (updates - 1);
  console.log(JSON.stringify({ contender, events: updates, ms, perSecond: ((updates - 1) / ms) * 1000, cpuUsPerEvent }));
}
process.exit(0);
