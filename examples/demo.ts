/**
 * `npm run demo`: the whole product with no cluster. Starts the local API server in this process,
 * runs the quick start end to end (create, get, list, watch, update with a path picker, server-side
 * apply, delete) and validates the example manifests.
 *
 * Run: npx tsx examples/demo.ts
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { pathOf, validateManifests, formatReport } from "kubezod";
import { ConfigMap, Deployment } from "kubezod/k8s";
import { startTestServer } from "kubezod/testing";

const here = dirname(fileURLToPath(import.meta.url));
const server = await startTestServer();
const kube = await server.connect();
console.log(`local API server at ${server.url} (Kubernetes ${server.kubernetesVersion})`);

// Watch ConfigMaps in the background while we work.
const stop = new AbortController();
const events: string[] = [];
const watching = (async () => {
  try {
    for await (const e of kube.watch(ConfigMap, { signal: stop.signal })) if (e.type !== "BOOKMARK") events.push(`${e.type} ${e.object.metadata?.name}`);
  } catch (err) {
    if (!stop.signal.aborted) throw err;
  }
})();

const cm = await kube.create(ConfigMap, { metadata: { name: "demo" }, data: { greeting: "hello" } });
console.log("create:", cm.metadata?.name, "resourceVersion", cm.metadata?.resourceVersion);
console.log("get:", (await kube.get(ConfigMap, "demo")).data);
console.log("list:", (await kube.list(ConfigMap)).items.map((i) => i.metadata?.name));

const d = await kube.create(Deployment, {
  metadata: { name: "web" },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: "web" } },
    template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "nginx:1.27" }] } },
  },
});
const edited = structuredClone(d);
edited.spec!.replicas = 3;
edited.spec!.template.spec!.containers[0]!.image = "nginx:1.28";
const scaled = await kube.update(edited, { builtFromLatest: d, paths: [pathOf(Deployment, (o) => o.spec.replicas)] });
console.log("update (only spec.replicas):", scaled.spec?.replicas, scaled.spec?.template.spec?.containers[0]?.image);

const applied = await kube.apply(ConfigMap, { metadata: { name: "demo" }, data: { greeting: "hello", applied: "yes" } }, { fieldManager: "demo", force: true });
console.log("server-side apply:", applied.data, "managers", applied.metadata?.managedFields?.map((m) => m.manager));

await kube.delete(ConfigMap, "demo");
await new Promise((r) => setTimeout(r, 50));
stop.abort();
await watching;
console.log("watch saw:", events.join(", "));

const report = await validateManifests({ path: join(here, "manifests") }, { kubernetesVersion: server.kubernetesVersion });
process.stdout.write(formatReport(report, "text", { color: false }));

await kube.close();
await server.close();
if (!report.valid) process.exitCode = 1;
