/**
 * An operator: for every Deployment labelled `example.com/config: "true"`, keep a ConfigMap
 * `<name>-config` listing its images. A finalizer removes the ConfigMap before the Deployment goes,
 * events say what happened, and two replicas elect a leader so only one of them acts.
 *
 * Run: npx tsx examples/operator.ts
 */
import { EventRecorder, LeaderElection, controller, finalizer, type Kube } from "kubezod";
import { ConfigMap, Deployment } from "kubezod/k8s";
import { Event } from "kubezod/k8s/events/v1";
import { startTestServer } from "kubezod/testing";

const LABEL = "example.com/config";
const FINALIZER = "example.com/config-cleanup";

/** One replica of the operator: campaigns for the lead, and reconciles while it leads. */
function replica(kube: Kube, identity: string, stop: AbortSignal): { leading: Promise<void>; done: Promise<void> } {
  let leads!: () => void;
  const leading = new Promise<void>((resolve) => (leads = resolve));
  const recorder = new EventRecorder(kube, { reportingController: "example.com/config-operator", reportingInstance: identity });
  const removeConfig = (d: Deployment) =>
    kube.delete(ConfigMap, `${d.metadata!.name}-config`, { namespace: d.metadata!.namespace!, returnErrors: [404] });

  const configs = controller(kube, Deployment, { namespace: "default" })
    .owns(ConfigMap) // a changed or deleted ConfigMap brings its Deployment back here
    .reconcile(async ({ name, namespace }, { object: deployment }) => {
      if (!deployment) return; // gone: the finalizer already removed its ConfigMap
      const meta = deployment.metadata!;
      if (meta.labels?.[LABEL] !== "true") {
        // No longer labelled: clean up if we ever set it up.
        if (!meta.finalizers?.includes(FINALIZER)) return;
        await removeConfig(deployment);
        const rest = meta.finalizers.filter((f) => f !== FINALIZER);
        await kube.patch(Deployment, name, { metadata: { finalizers: rest, resourceVersion: meta.resourceVersion } }, { type: "merge", namespace });
        return;
      }
      await finalizer(kube, Deployment, deployment, {
        name: FINALIZER,
        apply: async (d) => {
          const images = d.spec!.template.spec!.containers.map((c) => c.image).join(",");
          await kube.apply(
            {
              apiVersion: "v1",
              kind: "ConfigMap",
              metadata: {
                name: `${name}-config`,
                namespace,
                ownerReferences: [{ apiVersion: "apps/v1", kind: "Deployment", name, uid: d.metadata!.uid!, controller: true }],
              },
              data: { images },
            },
            { fieldManager: "config-operator", force: true },
          );
          recorder.event(d, { reason: "ConfigSynced", action: "Reconcile", note: `${name}-config lists ${images}` });
        },
        cleanup: async (d) => {
          await removeConfig(d);
          recorder.event(d, { reason: "ConfigRemoved", action: "Finalize", note: `${name}-config removed` });
        },
      });
    });

  const election = new LeaderElection(kube, {
    name: "config-operator",
    identity,
    onStartedLeading: (signal) => {
      leads();
      return configs.run(signal);
    },
  });
  return { leading, done: election.run(stop).finally(() => recorder.close()) };
}

const server = await startTestServer();
const kube = await server.connect();
const stop = new AbortController();
const first = replica(await server.connect(), "replica-0", stop.signal);
await first.leading;
const second = replica(await server.connect(), "replica-1", stop.signal); // waits: replica-0 holds the Lease

await kube.create(Deployment, {
  metadata: { name: "web", labels: { app: "web", [LABEL]: "true" } },
  spec: {
    selector: { matchLabels: { app: "web" } },
    template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "app", image: "nginx:1.27" }] } },
  },
});
const config = await until(() => kube.get(ConfigMap, "web-config", { returnErrors: [404] }));
console.log("web-config:", config.data?.images); // web-config: nginx:1.27

// A new image: the ConfigMap follows.
await kube.patch(Deployment, "web", { spec: { template: { spec: { containers: [{ name: "app", image: "nginx:1.28" }] } } } });
await until(async () => (await kube.get(ConfigMap, "web-config")).data?.images === "nginx:1.28");
console.log("after rollout:", (await kube.get(ConfigMap, "web-config")).data?.images); // after rollout: nginx:1.28

// Someone deletes the ConfigMap: it comes back.
await kube.delete(ConfigMap, "web-config");
await until(() => kube.get(ConfigMap, "web-config", { returnErrors: [404] }));
console.log("recreated:", true); // recreated: true

// The Deployment goes: the finalizer removes the ConfigMap first.
console.log("finalizers:", (await kube.get(Deployment, "web")).metadata?.finalizers); // finalizers: [ 'example.com/config-cleanup' ]
await kube.delete(Deployment, "web");
await until(async () => (await kube.get(Deployment, "web", { returnErrors: [404] })) instanceof Error);
console.log("config after delete:", (await kube.get(ConfigMap, "web-config", { returnErrors: [404] })) instanceof Error ? "gone" : "left"); // config after delete: gone

stop.abort();
await Promise.all([first.done, second.done]);
const events = await kube.list(Event, { namespace: "default" });
const reasons = [...new Set(events.items.filter((e) => e.regarding?.name === "web").map((e) => `${e.reason} by ${e.reportingInstance}`))];
console.log(reasons.sort().join("; ")); // ConfigRemoved by replica-0; ConfigSynced by replica-0

await kube.close();
await server.close();

/** Poll until `check` returns something other than false or an error. */
async function until<T>(check: () => Promise<T>): Promise<Exclude<T, Error | false>> {
  for (let i = 0; i < 500; i++) {
    const value = await check();
    if (value !== false && !(value instanceof Error)) return value as Exclude<T, Error | false>;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("timed out waiting");
}
