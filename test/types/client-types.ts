/**
 * Type-level checks of the client (checked by `npm run typecheck`): results typed from schemas,
 * `returnErrors` widening the result, and path pickers rejecting fields a kind does not have.
 */
import { ConfigMap, Deployment, Pod } from "kubezod/k8s";
import { NotFoundError, pathOf, type Kube, type KubeList, type WatchEvent } from "../../src/index.js";

export async function typed(kube: Kube): Promise<void> {
  const d: Deployment = await kube.get(Deployment, "web");
  const replicas: number | null | undefined = d.spec?.replicas;
  void replicas;

  const maybe: Deployment | NotFoundError = await kube.get(Deployment, "web", { returnErrors: [404] });
  // @ts-expect-error with returnErrors the result may be an error
  const notNarrowed: Deployment = await kube.get(Deployment, "web", { returnErrors: [404] });
  void maybe;
  void notNarrowed;

  const pods: KubeList<Pod> = await kube.list(Pod, { labelSelector: { matchLabels: { app: "web" } } });
  const phase: string | null | undefined = pods.items[0]?.status?.phase;
  void phase;

  for await (const e of kube.watch(ConfigMap)) {
    const event: WatchEvent<ConfigMap> = e;
    if (event.type !== "BOOKMARK") {
      const data: Record<string, string> | null | undefined = event.object.data;
      void data;
    }
  }

  const created: ConfigMap = await kube.create(ConfigMap, { metadata: { name: "a" }, data: { k: "v" } });
  // @ts-expect-error data values are strings
  await kube.create(ConfigMap, { metadata: { name: "a" }, data: { k: 1 } });
  const next = structuredClone(created);
  const updated: ConfigMap = await kube.update(next, { builtFromLatest: created, paths: [pathOf(ConfigMap, (c) => c.data)] });
  void updated;

  pathOf(Deployment, (o) => o.spec.template.spec.containers[0].image);
  // @ts-expect-error misspelled field
  pathOf(Deployment, (o) => o.spec.replicaz);
}
