/**
 * Batch operations: create, update and delete 100 ConfigMaps concurrently, with a cap on requests
 * in flight (kubesdk guide, "Batch Operations").
 *
 * Run: npx tsx examples/batch.ts
 */
import { ConfigMap } from "kubezod/k8s";
import { startTestServer } from "kubezod/testing";

const server = await startTestServer();
const kube = await server.connect({ rateLimit: { qps: 500, burst: 100 } });
const BATCH = { "batch-example": "true" };

/** Run `fn` over items with at most `limit` in flight. */
async function pool<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!).then((value) => ({ status: "fulfilled", value }) as const, (reason: unknown) => ({ status: "rejected", reason }) as const);
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return results;
}

const ok = (rs: PromiseSettledResult<unknown>[]) => rs.filter((r) => r.status === "fulfilled").length;

let t = performance.now();
const created = await pool(Array.from({ length: 100 }, (_, i) => i), 16, (i) =>
  kube.create(ConfigMap, { metadata: { name: `batch-cm-${i}`, labels: BATCH }, data: { index: String(i) } }),
);
console.log(`Created ${ok(created)}/100 in ${((performance.now() - t) / 1000).toFixed(2)}s`); // Created 100/100

const listed = await kube.list(ConfigMap, { labelSelector: { matchLabels: BATCH } });
t = performance.now();
const updated = await pool(listed.items, 16, (cm) => {
  const next = structuredClone(cm);
  next.data = { ...cm.data, updated: "true" };
  return kube.update(next, { builtFromLatest: cm });
});
console.log(`Updated ${ok(updated)}/${listed.items.length} in ${((performance.now() - t) / 1000).toFixed(2)}s`); // Updated 100/100

t = performance.now();
const deleted = await pool(listed.items, 16, (cm) => kube.delete(cm));
console.log(`Deleted ${ok(deleted)}/${listed.items.length} in ${((performance.now() - t) / 1000).toFixed(2)}s`); // Deleted 100/100
console.log("Left:", (await kube.list(ConfigMap, { labelSelector: { matchLabels: BATCH } })).items.length); // Left: 0

await kube.close();
await server.close();
