/**
 * Shared pieces of the runtime benchmarks: the canned API server (a child process serving a
 * 10,000-pod list and watch streams from memory, so the server is never the bottleneck), and
 * `@kubernetes/client-node` from the benchmarks' competitors.
 */
import { fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { competitor, installCompetitors } from "../competitors.js";
import { pod } from "../fixtures.js";

export const TOKEN = "bench-token";

export interface CannedServer {
  url: string;
  child: ChildProcess;
  stop(): void;
}

/**
 * Serve `pods` pods: a list (all at once, at resourceVersion 200000) and watches. A watch gets
 * `updates` MODIFIED events (cycling through the pods, increasing resourceVersions) and then stays
 * open; with `sendInitialEvents=true` it first sends every pod and the initial-events-end bookmark.
 */
export async function startCannedServer(pods: number, updates: number): Promise<CannedServer> {
  const dir = mkdtempSync(join(tmpdir(), "kubezod-bench-runtime-"));
  const podsFile = join(dir, "pods.ndjson");
  writeFileSync(podsFile, Array.from({ length: pods }, (_, i) => JSON.stringify(pod(i))).join("\n"));
  writeFileSync(
    join(dir, "server.cjs"),
    `const fs = require("node:fs");
const pods = fs.readFileSync(${JSON.stringify(podsFile)}, "utf8").split("\\n");
const list = Buffer.from('{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"200000"},"items":[' + pods.join(",") + "]}");
const lines = [];
for (let j = 0; j < ${updates}; j++) {
  const p = pods[j % pods.length].replace(/"resourceVersion":"\\d+"/, '"resourceVersion":"' + (200001 + j) + '"');
  lines.push('{"type":"MODIFIED","object":' + p + "}\\n");
}
const updates = Buffer.from(lines.join(""));
const initial = Buffer.from(pods.map((p) => '{"type":"ADDED","object":' + p + "}\\n").join("") +
  '{"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"200000","annotations":{"k8s.io/initial-events-end":"true"}}}}\\n');
const open = new Set();
function handler(req, res) {
  const url = new URL(req.url, "http://x");
  if (url.searchParams.get("watch") === "true" || url.searchParams.get("watch") === "1") {
    res.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" });
    open.add(res);
    res.on("close", () => open.delete(res));
    const send = (buf, done) => {
      let at = 0;
      const next = () => {
        while (at < buf.length) {
          const end = Math.min(buf.length, at + 64 * 1024);
          const ok = res.write(buf.subarray(at, end));
          at = end;
          if (!ok) return res.once("drain", next);
        }
        done();
      };
      next();
    };
    const live = () => send(updates, () => {});
    if (url.searchParams.get("sendInitialEvents") === "true") send(initial, live);
    else live();
    return;
  }
  res.writeHead(200, { "content-type": "application/json", "content-length": list.length });
  res.end(list);
}
const server = require("node:http").createServer(handler);
server.keepAliveTimeout = 60000;
server.listen(0, "127.0.0.1", () => process.send(server.address().port));
`,
  );
  const child = fork(join(dir, "server.cjs"), [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const port = await new Promise<number>((resolve) => child.once("message", (m) => resolve(m as number)));
  return { url: `http://127.0.0.1:${port}`, child, stop: () => child.kill() };
}

/** What the runtime benchmarks use of `@kubernetes/client-node` (the project's type check cannot see its own types). */
export interface ClientNodeInformer {
  on(event: "add" | "update" | "delete" | "error", cb: (obj: unknown) => void): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  list(namespace?: string): unknown[];
}
export interface ClientNodeModule {
  KubeConfig: new () => { loadFromOptions(options: unknown): void; makeApiClient<T>(api: new (...args: never[]) => T): T };
  CoreV1Api: new (...args: never[]) => { listPodForAllNamespaces(): Promise<unknown> };
  makeInformer(kc: unknown, path: string, list: () => Promise<unknown>): ClientNodeInformer;
}

/** `@kubernetes/client-node` from the benchmarks' competitors (installed on first use). */
export async function loadClientNode(): Promise<ClientNodeModule> {
  installCompetitors();
  return competitor<ClientNodeModule>("@kubernetes/client-node");
}
