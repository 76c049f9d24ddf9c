/**
 * Several clusters side by side: one `Kube` per cluster, operations on a chosen one, and one
 * operation fanned out to all with a result per cluster (kubesdk guide, "Multi-Cluster Operations").
 *
 * Run: npx tsx examples/multi-cluster.ts
 */
import { fanOut } from "kubezod";
import { ConfigMap, Namespace } from "kubezod/k8s";
import { startTestServer } from "kubezod/testing";

const primaryServer = await startTestServer();
const secondaryServer = await startTestServer({ kubernetesVersion: "1.30" });
const primary = await primaryServer.connect();
const secondary = await secondaryServer.connect();

await primary.create(ConfigMap, { metadata: { name: "multi-cluster-test" }, data: { cluster: "primary" } });
console.log((await primary.get(ConfigMap, "multi-cluster-test")).data?.cluster); // primary
console.log(await secondary.get(ConfigMap, "multi-cluster-test", { returnErrors: [404] }).then((r) => r.constructor.name)); // NotFoundError

await secondary.create(Namespace, { metadata: { name: "staging-only" } });

const counts = await fanOut({ primary, secondary }, async (kube) => (await kube.list(Namespace)).items.length);
for (const r of counts) console.log(r.cluster, r.ok ? `${r.value} namespaces` : `failed: ${String(r.error)}`);
// primary 4 namespaces / secondary 5 namespaces

await secondaryServer.close();
const afterOutage = await fanOut({ primary, secondary }, async (kube) => (await kube.version({ timeoutMs: 2000 })).gitVersion);
console.log(afterOutage.map((r) => `${r.cluster}:${r.ok ? "ok" : "down"}`).join(" ")); // primary:ok secondary:down

await primary.close();
await secondary.close();
await primaryServer.close();
