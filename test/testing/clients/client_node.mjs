// @kubernetes/client-node against the local API server: typed calls, watch and an informer.
// Run under Node 24: node client_node.mjs <kubeconfig> (the package is resolved from the current directory).
import { createRequire } from "node:module";
const require = createRequire(`${process.cwd()}/`);
const k8s = require("@kubernetes/client-node");

const kc = new k8s.KubeConfig();
kc.loadFromFile(process.argv[2]);
const core = kc.makeApiClient(k8s.CoreV1Api);
const apps = kc.makeApiClient(k8s.AppsV1Api);
const out = {};

// The README's first example: createNamespace with only metadata.
const ns = await core.createNamespace({ body: { metadata: { name: "cn" } } });
out.namespace = [ns.apiVersion, ns.kind, ns.metadata.name];
await core.createNamespacedConfigMap({ namespace: "cn", body: { metadata: { name: "settings" }, data: { a: "1" } } });
out.read = (await core.readNamespacedConfigMap({ name: "settings", namespace: "cn" })).data;
const patched = await core.patchNamespacedConfigMap(
  { name: "settings", namespace: "cn", body: { data: { b: "2" } } },
  k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
);
out.patched = patched.data;
out.replaced = (await core.replaceNamespacedConfigMap({ name: "settings", namespace: "cn", body: { ...patched, data: { c: "3" } } })).data;
out.listed = (await core.listNamespacedConfigMap({ namespace: "cn" })).items.map((i) => i.metadata.name).sort();

// An informer over deployments sees the one created, and its status as the controllers report it.
const informer = k8s.makeInformer(kc, "/apis/apps/v1/namespaces/cn/deployments", () => apps.listNamespacedDeployment({ namespace: "cn" }));
const available = new Promise((resolve) => {
  const check = (d) => d.status?.availableReplicas === 2 && resolve(d.metadata.name);
  informer.on("add", check);
  informer.on("update", check);
});
await informer.start();
await apps.createNamespacedDeployment({
  namespace: "cn",
  body: {
    metadata: { name: "web" },
    spec: { replicas: 2, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "nginx:1.27" }] } } },
  },
});
out.informer = await Promise.race([available, new Promise((r) => setTimeout(() => r("timeout"), 20000))]);
await informer.stop();

// A plain watch.
const watch = new k8s.Watch(kc);
const seen = [];
await new Promise((resolve, reject) => {
  watch
    .watch("/api/v1/namespaces/cn/configmaps", {}, (type, obj) => {
      seen.push(`${type} ${obj.metadata.name}`);
      if (seen.length >= 2) resolve();
    }, (err) => (err ? reject(err) : resolve()))
    .then((req) => setTimeout(() => { req.abort(); resolve(); }, 10000));
});
out.watched = seen.sort();
await core.deleteNamespacedConfigMap({ name: "settings", namespace: "cn" });
try {
  await core.readNamespacedConfigMap({ name: "settings", namespace: "cn" });
  out.deleted = false;
} catch (e) {
  out.deleted = e.code;
}
console.log(JSON.stringify(out));
process.exit(0);
