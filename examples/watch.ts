/**
 * Watching: stream changes to ConfigMaps with a label filter while another task writes
 * (kubesdk guide, "Watching Resources").
 *
 * Run: npx tsx examples/watch.ts
 */
import { ConfigMap } from "kubezod/k8s";
import { startTestServer } from "kubezod/testing";

const server = await startTestServer();
const kube = await server.connect();

async function watcher(signal: AbortSignal): Promise<string[]> {
  const seen: string[] = [];
  try {
    for await (const event of kube.watch(ConfigMap, { namespace: "default", labelSelector: { matchLabels: { team: "backend" } }, signal })) {
      if (event.type === "BOOKMARK") continue;
      seen.push(`${event.type} ${event.object.metadata?.name}`);
      if (seen.length === 6) break;
    }
  } catch (err) {
    if (!signal.aborted) throw err;
  }
  return seen;
}

async function makeChanges(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await kube.create(ConfigMap, { metadata: { name: `watch-test-${i}`, labels: { team: "backend" } }, data: { index: String(i) } });
    await kube.create(ConfigMap, { metadata: { name: `other-${i}`, labels: { team: "frontend" } } });
  }
  for (let i = 0; i < 3; i++) await kube.delete(ConfigMap, `watch-test-${i}`, { returnErrors: [404] });
}

const stop = new AbortController();
const timer = setTimeout(() => stop.abort(), 10_000);
const watching = watcher(stop.signal);
await new Promise((r) => setTimeout(r, 100));
await makeChanges();
const events = await watching;
clearTimeout(timer);
for (const e of events) console.log(e);
// ADDED watch-test-0 … DELETED watch-test-2; the frontend ConfigMaps never show up
console.log(events.length, events.some((e) => e.includes("other"))); // 6 false

await kube.close();
await server.close();
