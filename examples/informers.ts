/**
 * Informers: one shared, indexed cache per collection, kept current by list + watch, feeding a
 * deduplicating work queue.
 */
import { InformerFactory, WorkQueue, dropManagedFields, objectKey } from "kubezod";
import { ConfigMap } from "kubezod/k8s";
import { startTestServer } from "kubezod/testing";

const server = await startTestServer();
const kube = await server.connect();
for (const [name, team] of [["cart", "red"], ["search", "blue"], ["checkout", "red"]]) {
  await kube.create(ConfigMap, { metadata: { name, labels: { app: "shop", team: team! } }, data: { replicas: "2" } });
}

// Every consumer of one kind and selection shares one informer: one list + watch, one cache.
const factory = new InformerFactory(kube, { transform: dropManagedFields });
const configs = factory.informer(ConfigMap, {
  labelSelector: { app: "shop" },
  indexers: { team: (cm) => (cm.metadata?.labels?.team ? [cm.metadata.labels.team] : []) },
});
const queue = new WorkQueue<string>();
configs.on((event) => queue.add(objectKey(event.object)));
await factory.start(); // resolves once every cache holds its first sync

console.log(factory.informer(ConfigMap, { labelSelector: "app=shop" }) === configs); // true
console.log(configs.byIndex("team", "red").map((cm) => cm.metadata?.name).sort()); // [ 'cart', 'checkout' ]
console.log(configs.get("cart")?.metadata?.managedFields); // undefined

// Three adds, three keys; a change to an object already queued does not queue it twice.
await kube.patch(ConfigMap, "cart", { data: { replicas: "3" } });
while (configs.get("cart")?.data?.replicas !== "3") await new Promise((r) => setTimeout(r, 10));
console.log(queue.length, queue.metrics().adds); // 3 3

const processed: string[] = [];
while (queue.length) {
  const key = (await queue.get())!;
  processed.push(key);
  queue.done(key);
}
console.log(processed.sort()); // [ 'default/cart', 'default/checkout', 'default/search' ]

await factory.stop();
await kube.close();
await server.close();
