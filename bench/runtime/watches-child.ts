/**
 * 200 concurrent watches from one fresh process against the local API server, through a TCP
 * counter: the connections they take, the heap and RSS they add, and the latency from a write to
 * its event, over every watch. Prints one JSON line.
 * Usage: watches-child.ts <kubezod-h2|kubezod-h1|client-node> <url> <ca-file> <token> <watches> <updates>
 */
import { readFileSync } from "node:fs";
import * as net from "node:net";
import type { AddressInfo } from "node:net";
import { connect, defineCluster } from "kubezod";
import { ConfigMap } from "kubezod/k8s";
import { loadClientNode } from "./clients.js";

const [contender, url, caFile, token, watchesArg, updatesArg] = process.argv.slice(2) as [string, string, string, string, string, string];
const WATCHES = Number(watchesArg);
const UPDATES = Number(updatesArg);
const ca = readFileSync(caFile, "utf8");
const gc = (globalThis as { gc?: () => void }).gc;
const heap = () => {
  for (let i = 0; i < 4; i++) gc?.();
  return process.memoryUsage();
};
const now = () => performance.timeOrigin + performance.now();

// Count the connections the watches take.
const target = new URL(url);
let connections = 0;
const counter = net.createServer((socket) => {
  connections++;
  const upstream = net.connect(Number(target.port), target.hostname);
  socket.pipe(upstream).pipe(socket);
  socket.on("error", () => upstream.destroy());
  upstream.on("error", () => socket.destroy());
});
await new Promise<void>((resolve) => counter.listen(0, "127.0.0.1", () => resolve()));
const via = `https://127.0.0.1:${(counter.address() as AddressInfo).port}`;

const writer = await connect({ config: defineCluster({ server: url, ca, token }) });
const label = `bench-${process.pid}`;
await writer.create(ConfigMap, { metadata: { name: label, namespace: "default", labels: { bench: label } }, data: { at: "0" } });

const latencies: number[] = [];
let seen = 0;
const onEvent = (obj: { data?: Record<string, string> | null } | undefined) => {
  const at = Number(obj?.data?.at ?? 0);
  if (at > 0) {
    latencies.push(now() - at);
    seen++;
  }
};

const before = heap();
const stop = new AbortController();
let open = 0;
if (contender === "client-node") {
  const k8s = await loadClientNode();
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "bench", server: via, caData: Buffer.from(ca).toString("base64") }],
    users: [{ name: "bench", token }],
    contexts: [{ name: "bench", cluster: "bench", user: "bench" }],
    currentContext: "bench",
  });
  const Watch = (k8s as unknown as { Watch: new (kc: unknown) => { watch(path: string, q: object, cb: (type: string, obj: never) => void, done: (err: unknown) => void): Promise<{ abort(): void }> } }).Watch;
  const w = new Watch(kc);
  const handles = await Promise.all(
    Array.from({ length: WATCHES }, () =>
      w.watch("/api/v1/namespaces/default/configmaps", { labelSelector: `bench=${label}` }, (type, obj) => type === "MODIFIED" && onEvent(obj), () => undefined).then((h) => (open++, h)),
    ),
  );
  stop.signal.addEventListener("abort", () => handles.forEach((h) => h.abort()));
} else {
  const kube = await connect({ config: defineCluster({ server: via, ca, token }), http2: contender === "kubezod-h2" });
  for (let i = 0; i < WATCHES; i++) {
    void (async () => {
      try {
        for await (const e of kube.watch(ConfigMap, { namespace: "default", labelSelector: { bench: label }, signal: stop.signal })) {
          if (e.type === "ADDED" && ++open) continue;
          if (e.type === "MODIFIED") onEvent(e.object);
        }
      } catch {
        // stopped
      }
    })();
  }
  while (open < WATCHES) await new Promise((r) => setTimeout(r, 10));
}
await new Promise((r) => setTimeout(r, 200));
const opened = heap();
for (let i = 0; i < UPDATES; i++) {
  const target = seen + WATCHES;
  await writer.patch(ConfigMap, label, { data: { at: String(now()) } }, { namespace: "default" });
  for (let t = 0; t < 2000 && seen < target; t++) await new Promise((r) => setTimeout(r, 1));
}
latencies.sort((a, b) => a - b);
const pick = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
console.log(
  JSON.stringify({
    contender,
    connections,
    heapMB: (opened.heapUsed - before.heapUsed) / 2 ** 20,
    rssMB: (opened.rss - before.rss) / 2 ** 20,
    events: latencies.length,
    p50: pick(0.5),
    p99: pick(0.99),
  }),
);
stop.abort();
process.exit(0);
