/**
 * The simulated cluster and the protobuf codec. Rollout: how long the server works until a
 * Deployment of 100 replicas is Available, and until 1,000 pods are scheduled and Running (created
 * over HTTPS, then `settle()`; targets 1 s and 2 s): the process's CPU time (server and the one
 * request; what a busy machine inflates least) and the wall clock, each as the median and the
 * range of several rounds, after one warm-up round that loads the modules the server loads lazily.
 * Codec: Kubernetes protobuf next to JSON for one Deployment and for a list of 500 pods, encode and
 * decode, with ratios. Run with `npx tsx bench/cluster.ts [rounds] [--rollout]` (`--rollout`: the
 * rollouts only).
 */
import { Agent, request } from "undici";
import { startTestServer } from "../src/testing/index.js";
import { decodeProtobuf, encodeProtobuf } from "../src/testing/protobuf.js";
import { pod } from "./fixtures.js";
import { median, table } from "./report.js";

const args = process.argv.slice(2);
const RUNS = Number(args.find((a) => /^\d+$/.test(a)) ?? 5);
const ROLLOUT_ONLY = args.includes("--rollout");

async function rollout(replicas: number, events: boolean): Promise<{ ms: number; cpuMs: number; running: number }> {
  const server = await startTestServer({ kubernetesVersion: "1.32", controllers: { events } });
  const dispatcher = new Agent({ connect: { ca: server.caCertificate } });
  const headers = { authorization: `Bearer ${server.kubeconfig.users[0]!.user.token!}`, "content-type": "application/json" };
  await server.settle();
  const body = JSON.stringify({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web" },
    spec: { replicas, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "nginx:1.27" }] } } },
  });
  const started = performance.now();
  const cpu = process.cpuUsage();
  const res = await request(`${server.url}/apis/apps/v1/namespaces/default/deployments`, { method: "POST", headers, body, dispatcher });
  await res.body.dump();
  await server.settle();
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  // CPU time of the process (server and the one request), which a busy machine inflates less than the wall clock.
  const cpuMs = (used.user + used.system) / 1000;
  const status = await request(`${server.url}/apis/apps/v1/namespaces/default/deployments/web`, { headers, dispatcher });
  const d = (await status.body.json()) as { status: { availableReplicas?: number; conditions?: Array<{ type: string; status: string }> } };
  if (d.status.conditions?.find((c) => c.type === "Available")?.status !== "True") throw new Error("the deployment did not become Available");
  await dispatcher.close();
  await server.close();
  return { ms, cpuMs, running: d.status.availableReplicas ?? 0 };
}

function perSecond(fn: () => void, minMs = 400): number {
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < minMs) {
    fn();
    n++;
  }
  return (n * 1000) / (performance.now() - start);
}

const deployment = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "default", uid: "9a4c1e2e-0b1d-4c39-9d1e-3f0f6a5c7b11", resourceVersion: "12345", generation: 3, creationTimestamp: "2026-01-01T00:00:00Z", labels: { app: "web" }, annotations: { "deployment.kubernetes.io/revision": "3" } },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: "web" } },
    strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
    template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "nginx:1.27", ports: [{ containerPort: 80, protocol: "TCP" }], resources: { requests: { cpu: "100m", memory: "128Mi" } } }], restartPolicy: "Always", dnsPolicy: "ClusterFirst" } },
  },
  status: { observedGeneration: 3, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, conditions: [{ type: "Available", status: "True", lastUpdateTime: "2026-01-01T00:00:05Z", lastTransitionTime: "2026-01-01T00:00:05Z", reason: "MinimumReplicasAvailable", message: "Deployment has minimum availability." }] },
};
const list = { apiVersion: "v1", kind: "PodList", metadata: { resourceVersion: "1" }, items: Array.from({ length: 500 }, (_, i) => pod(i)) };

const range = (values: number[]): string => `${median(values).toFixed(0)} ms (${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)})`;
const rows: string[][] = [];
await rollout(10, true);
for (const [replicas, events] of [
  [100, true],
  [1000, true],
  [1000, false],
] as const) {
  const times: number[] = [];
  const cpuTimes: number[] = [];
  let running = 0;
  for (let i = 0; i < RUNS; i++) {
    const r = await rollout(replicas, events);
    times.push(r.ms);
    cpuTimes.push(r.cpuMs);
    running = r.running;
  }
  rows.push([`Deployment of ${replicas} → Available, ${running} pods Running${events ? "" : " (events off)"}`, range(cpuTimes), range(times), replicas === 100 ? "< 1000 ms" : "< 2000 ms"]);
}
table([`simulated cluster (server work, median and range of ${RUNS})`, "CPU", "wall", "target"], rows);
if (ROLLOUT_ONLY) process.exit(0);

const codecRows: string[][] = [];
for (const [label, obj] of [
  ["Deployment", deployment],
  ["PodList of 500", list],
] as const) {
  const json = JSON.stringify(obj);
  const pb = encodeProtobuf(obj as Record<string, unknown>)!;
  const enc = [median([1, 2, 3].map(() => perSecond(() => encodeProtobuf(obj as Record<string, unknown>)))), median([1, 2, 3].map(() => perSecond(() => JSON.stringify(obj))))];
  const dec = [median([1, 2, 3].map(() => perSecond(() => decodeProtobuf(pb)))), median([1, 2, 3].map(() => perSecond(() => JSON.parse(json))))];
  codecRows.push([`${label}: encode`, enc[0]!.toFixed(0), enc[1]!.toFixed(0), (enc[0]! / enc[1]!).toFixed(2)]);
  codecRows.push([`${label}: decode`, dec[0]!.toFixed(0), dec[1]!.toFixed(0), (dec[0]! / dec[1]!).toFixed(2)]);
  codecRows.push([`${label}: size (bytes)`, String(pb.length), String(Buffer.byteLength(json)), (pb.length / Buffer.byteLength(json)).toFixed(2)]);
}
table(["codec (ops/s)", "protobuf", "JSON", "ratio"], codecRows);
