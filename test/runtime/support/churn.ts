/**
 * The convergence harness: an informer over 1,000 churned ConfigMaps behind the fault proxy; after
 * the churn it must hold exactly what the server holds (no object missing, none stale, none that
 * does not exist), and its handlers' events must replay to the same state.
 */
import { ConfigMap } from "kubezod/k8s";
import { Informer, type InformerEvent, type Kube } from "../../../src/index.js";
import { startTestServer, type TestServer } from "../../../src/testing/index.js";
import { FaultProxy, type FaultCounts, type FaultRates } from "./fault-proxy.js";
import { connectVia, replay } from "./helpers.js";

export const HOSTILE: FaultRates = {
  latencyMs: 15,
  reset: 0.03,
  tooManyRequests: 0.03,
  errorBurst: 0.05,
  watchGone: 0.1,
  watchGoneInStream: 0.1,
  watchCut: 0.3,
  continueExpired: 0.1,
};

export interface ChurnResult {
  objects: number;
  writes: number;
  missing: string[];
  stale: string[];
  phantom: string[];
  replayProblems: string[];
  replayDiffers: string[];
  faults: FaultCounts;
  informer: Informer<typeof ConfigMap>["stats"];
  convergedAfterMs: number;
}

export interface ChurnOptions {
  churnMs: number;
  watchList: boolean;
  seed?: number;
  objects?: number;
  writers?: number;
  rates?: FaultRates;
  /** Give up waiting for convergence after this long. */
  convergeTimeoutMs?: number;
  log?: (line: string) => void;
}

const NS = "churn";

export async function runChurn(options: ChurnOptions): Promise<ChurnResult> {
  const count = options.objects ?? 1000;
  const initial = Array.from({ length: count }, (_, i) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `cm-${i}`, namespace: NS }, data: { v: "0" } }));
  const server: TestServer = await startTestServer({ historySize: 3000, bookmarkIntervalMs: 1000, objects: initial });
  const kube: Kube = await server.connect();
  const proxy = await new FaultProxy(server.url, server.caCertificate!, options.seed ?? 1).listen();
  const via = await connectVia(server, proxy.url, proxy.ca);
  const events: Array<InformerEvent<ConfigMap>> = [];
  const informer = new Informer(via, ConfigMap, {
    namespace: NS,
    limit: 200,
    watchList: options.watchList,
    watchTimeoutSeconds: 1,
    watchIdleTimeoutMs: 5000,
    backoff: { initialMs: 50, maxMs: 1000 },
    ...(options.log ? { onError: (err: unknown, info: { retryInMs?: number }) => options.log!(`${Math.round(performance.now())} informer: ${(err as Error).name}: ${(err as Error).message.slice(0, 160)}${info.retryInMs !== undefined ? ` (retry in ${Math.round(info.retryInMs)} ms)` : ""}`) } : {}),
  });
  informer.on((e) => events.push(e));
  proxy.rates = options.rates ?? HOSTILE;
  // Every kind of fault at least once, whatever the draws; then the random ones.
  proxy.script = ["reset", "error", "tooManyRequests", "continueExpired", "watchCut", "watchGone", "watchGoneInStream", "error", "watchCut"];
  try {
    await informer.start();
    let seed = (options.seed ?? 1) * 7919;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const names = Array.from({ length: Math.round(count * 1.2) }, (_, i) => `cm-${i}`);
    const live = new Set(initial.map((o) => o.metadata.name));
    let writes = 0;
    const end = performance.now() + options.churnMs;
    const writer = async () => {
      while (performance.now() < end) {
        const name = names[Math.floor(random() * names.length)]!;
        try {
          if (!live.has(name)) {
            live.add(name);
            await kube.create(ConfigMap, { metadata: { name, namespace: NS }, data: { v: "0" } });
          } else if (random() < 0.75) {
            await kube.patch(ConfigMap, name, { data: { v: String(writes) } }, { namespace: NS });
          } else {
            live.delete(name);
            await kube.delete(ConfigMap, name, { namespace: NS });
          }
          writes++;
        } catch {
          // Racing writers: a create of a name another writer created, a patch of one just deleted.
        }
      }
    };
    await Promise.all(Array.from({ length: options.writers ?? 6 }, writer));
    options.log?.(`churn done: ${writes} writes; waiting for the informer`);
    const churned = performance.now();
    const truth = new Map<string, string>();
    for await (const cm of kube.listAll(ConfigMap, { namespace: NS })) truth.set(`${NS}/${cm.metadata!.name}`, cm.metadata!.resourceVersion!);
    const compare = () => {
      const missing: string[] = [];
      const stale: string[] = [];
      const phantom: string[] = [];
      for (const [key, rv] of truth) {
        const cached = informer.getByKey(key);
        if (!cached) missing.push(key);
        else if (cached.metadata?.resourceVersion !== rv) stale.push(key);
      }
      for (const key of informer.keys()) if (!truth.has(key)) phantom.push(key);
      return { missing, stale, phantom };
    };
    const deadline = churned + (options.convergeTimeoutMs ?? 60_000);
    let diff = compare();
    while ((diff.missing.length || diff.stale.length || diff.phantom.length) && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      diff = compare();
    }
    const convergedAfterMs = performance.now() - churned;
    const replayed = replay(events);
    // No event takes an object back in time (resourceVersions of this server are increasing integers).
    const seen = new Map<string, number>();
    for (const e of events) {
      const key = `${e.object.metadata?.namespace}/${e.object.metadata?.name}`;
      const rv = Number(e.object.metadata?.resourceVersion);
      if (e.type !== "delete" && (seen.get(key) ?? 0) > rv) replayed.problems.push(`${e.type} of ${key} went back from ${seen.get(key)} to ${rv}`);
      seen.set(key, Math.max(seen.get(key) ?? 0, rv));
    }
    const replayDiffers: string[] = [];
    for (const [key, rv] of truth) if (replayed.state.get(key) !== rv) replayDiffers.push(key);
    for (const key of replayed.state.keys()) if (!truth.has(key)) replayDiffers.push(key);
    return {
      objects: truth.size,
      writes,
      ...diff,
      replayProblems: replayed.problems,
      replayDiffers,
      faults: { ...proxy.counts },
      informer: informer.stats,
      convergedAfterMs,
    };
  } finally {
    await informer.stop();
    await via.close();
    await proxy.close();
    await kube.close();
    await server.close();
  }
}
