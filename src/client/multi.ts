/**
 * Fanning one operation out to many clusters, with a result per cluster.
 */
import type { Kube } from "./kube.js";

/** The outcome of an operation on one cluster. */
export type ClusterResult<T> = { cluster: string; ok: true; value: T } | { cluster: string; ok: false; error: unknown };

/**
 * Run `fn` against every cluster concurrently; one cluster's failure does not stop the others.
 * Results come back in the order of `clusters` (an array, or a record of named clients).
 *
 * @example
 * const counts = await fanOut({ prod, staging }, async (kube) => (await kube.list(Namespace)).items.length);
 * for (const r of counts) console.log(r.cluster, r.ok ? r.value : r.error);
 */
export async function fanOut<T>(
  clusters: readonly Kube[] | Readonly<Record<string, Kube>>,
  fn: (kube: Kube, cluster: string) => Promise<T>,
): Promise<Array<ClusterResult<T>>> {
  const entries: Array<[string, Kube]> = Array.isArray(clusters)
    ? (clusters as readonly Kube[]).map((k, i) => [k.settings.name ?? String(i), k])
    : Object.entries(clusters as Readonly<Record<string, Kube>>);
  return Promise.all(
    entries.map(async ([cluster, kube]): Promise<ClusterResult<T>> => {
      try {
        return { cluster, ok: true, value: await fn(kube, cluster) };
      } catch (error) {
        return { cluster, ok: false, error };
      }
    }),
  );
}
