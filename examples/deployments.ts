/**
 * Deployments: create, scale one field with a path picker, roll out a new image, read status,
 * delete (kubesdk guide, "Working with Deployments").
 *
 * Run: npx tsx examples/deployments.ts
 */
import { pathOf } from "kubezod";
import { Deployment } from "kubezod/k8s";
import { startTestServer } from "kubezod/testing";

const server = await startTestServer();
const kube = await server.connect();

const created = await kube.create(Deployment, {
  metadata: { name: "nginx-example", namespace: "default", labels: { app: "nginx" } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: "nginx" } },
    template: {
      metadata: { labels: { app: "nginx" } },
      spec: { containers: [{ name: "nginx", image: "nginx:1.24", ports: [{ containerPort: 80 }] }] },
    },
  },
});
console.log("Created deployment:", created.metadata?.name); // Created deployment: nginx-example

// SCALE: edit freely, but send only spec.replicas
let fetched = await kube.get(Deployment, "nginx-example");
const scaled = structuredClone(fetched);
scaled.spec!.replicas = 3;
scaled.metadata!.labels = { app: "nginx", note: "not sent" };
const afterScale = await kube.update(scaled, {
  builtFromLatest: fetched,
  paths: [pathOf(Deployment, (d) => d.spec.replicas)],
});
console.log(`Scaled to ${afterScale.spec?.replicas} replicas, labels ${Object.keys(afterScale.metadata?.labels ?? {})}`); // Scaled to 3 replicas, labels app

// ROLLING UPDATE: a new image is a strategic merge patch addressing the container by name
fetched = await kube.get(Deployment, "nginx-example");
const rolling = structuredClone(fetched);
rolling.spec!.template.spec!.containers[0]!.image = "nginx:1.25";
const rolled = await kube.update(rolling, { builtFromLatest: fetched });
console.log("Rolling update to:", rolled.spec?.template.spec?.containers[0]?.image); // Rolling update to: nginx:1.25
console.log("Generation:", rolled.metadata?.generation); // Generation: 3

// STATUS and the scale subresource
const scale = await kube.getScale(Deployment, "nginx-example");
console.log("Scale:", scale.spec?.replicas); // Scale: 3

// DELETE
await kube.delete(Deployment, "nginx-example", { propagationPolicy: "Foreground" });
console.log("Deleted deployment"); // Deleted deployment

await kube.close();
await server.close();
