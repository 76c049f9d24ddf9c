/**
 * The finalizer pattern for reconcilers: make sure the object carries our finalizer before any
 * work is done, run the cleanup when the object is being deleted, then remove the finalizer so the
 * deletion completes. Every finalizer change is a merge patch carrying the resourceVersion the
 * decision was made on, so a concurrent change fails with 409 Conflict instead of being overwritten.
 */
import type * as z from "zod";
import type { Kube } from "../client/kube.js";
import { InvalidResponseError, UsageError, isNotFound } from "../errors.js";
import { resourceInfo } from "../meta/registry.js";

/**
 * What to do for an object that is live (`apply`) and for one being deleted (`cleanup`).
 *
 * @example
 * const handlers: FinalizerHandlers<Deployment, void> = {
 *   name: "example.com/config",
 *   apply: async (d) => { await ensureConfigMap(d); },
 *   cleanup: async (d) => { await deleteConfigMap(d); },
 * };
 */
export interface FinalizerHandlers<T, R> {
  /** The finalizer (a qualified name: `example.com/cleanup`). */
  name: string;
  /** Work for a live object (called after the finalizer is in place). */
  apply: (object: T) => Promise<R> | R;
  /** Cleanup for an object being deleted (the finalizer is removed after it succeeds). */
  cleanup: (object: T) => Promise<R> | R;
}

interface FinalizableMeta {
  metadata?: {
    name?: string | null;
    namespace?: string | null;
    resourceVersion?: string | null;
    deletionTimestamp?: string | null;
    finalizers?: string[] | null;
  } | null;
}

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i;

const QUALIFIED = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/**
 * Run `apply` or `cleanup` for an object, keeping our finalizer in step:
 * - live object without the finalizer: add it (guarded by resourceVersion), then `apply` the
 *   updated object;
 * - live object with it: `apply`;
 * - object being deleted, with the finalizer: `cleanup`, then remove it (guarded by resourceVersion);
 * - object being deleted without it: nothing (its cleanup is done).
 *
 * A 409 Conflict means the object changed meanwhile: let the reconcile fail and retry with the
 * fresh object. Returns what `apply` or `cleanup` returned (`undefined` when neither ran).
 *
 * @example
 * const reconcile: Reconciler<Deployment> = async (request, { object }) => {
 *   if (!object) return;
 *   return finalizer(kube, Deployment, object, {
 *     name: "example.com/config",
 *     apply: async (d) => { await ensureConfigMap(d); },
 *     cleanup: async (d) => { await kube.delete(ConfigMap, `${d.metadata!.name}-config`, { namespace: d.metadata!.namespace!, returnErrors: [404] }); },
 *   });
 * };
 */
export async function finalizer<S extends z.ZodType, R>(kube: Kube, schema: S, object: z.output<S>, handlers: FinalizerHandlers<z.output<S>, R>): Promise<R | undefined> {
  const info = resourceInfo(schema);
  if (!info) throw new UsageError("finalizer() needs a resource schema");
  if (typeof handlers !== "object" || handlers === null || typeof handlers.apply !== "function" || typeof handlers.cleanup !== "function") {
    throw new UsageError("finalizer() needs handlers { name, apply, cleanup } with apply and cleanup functions");
  }
  if (typeof handlers.name !== "string" || !QUALIFIED.test(handlers.name) || handlers.name.length > 316) throw new UsageError(`"${handlers.name}" is not a valid finalizer name (a qualified name such as example.com/cleanup)`);
  const meta = (object as FinalizableMeta | null | undefined)?.metadata ?? {};
  const name = meta.name;
  if (!name || typeof name !== "string") throw new UsageError(`the ${info.kind} has no metadata.name`);
  const namespace = info.namespaced ? (meta.namespace ?? undefined) : undefined;
  const what = `the ${info.kind} ${namespace ? `${namespace}/` : ""}${name}`;
  // Every write below is guarded by the resourceVersion and aimed at the object's own namespace:
  // without them a write could land on another object, or drop a finalizer added meanwhile.
  if (info.namespaced && (typeof namespace !== "string" || !namespace)) throw new UsageError(`${what} has no metadata.namespace`);
  if (typeof meta.resourceVersion !== "string" || !meta.resourceVersion) throw new UsageError(`${what} has no metadata.resourceVersion: finalizers are only changed on an object read from the server`);
  const rawFinalizers: unknown = meta.finalizers;
  if (rawFinalizers !== undefined && rawFinalizers !== null && (!Array.isArray(rawFinalizers) || !rawFinalizers.every((f) => typeof f === "string"))) {
    throw new UsageError(`${what} has metadata.finalizers that is not a list of strings`);
  }
  const deletionTimestamp: unknown = meta.deletionTimestamp;
  // A deletion mark that is not a time is not read as one either way: neither work nor cleanup runs.
  if (deletionTimestamp !== undefined && deletionTimestamp !== null && (typeof deletionTimestamp !== "string" || !RFC3339.test(deletionTimestamp))) {
    throw new UsageError(`${what} has a metadata.deletionTimestamp that is not an RFC 3339 time`);
  }
  const finalizers = (rawFinalizers ?? []) as string[];
  const ours = finalizers.includes(handlers.name);
  const patchFinalizers = async (next: string[]): Promise<z.output<S>> =>
    (await kube.patch(schema, name, { metadata: { finalizers: next.length ? next : null, resourceVersion: meta.resourceVersion ?? null } }, {
      type: "merge",
      ...(namespace ? { namespace } : {}),
    })) as z.output<S>;

  if (meta.deletionTimestamp) {
    if (!ours) return undefined;
    const result = await handlers.cleanup(object);
    try {
      await patchFinalizers(finalizers.filter((f) => f !== handlers.name));
    } catch (err) {
      // Gone already: the deletion finished (another finalizer was the last one).
      if (!isNotFound(err)) throw err;
    }
    return result;
  }
  if (ours) return handlers.apply(object);
  const updated = await patchFinalizers([...finalizers, handlers.name]);
  // The work runs only once the finalizer is in place, so its cleanup is sure to come.
  const written = (updated as FinalizableMeta | null | undefined)?.metadata?.finalizers;
  if (!Array.isArray(written) || !written.includes(handlers.name)) throw new InvalidResponseError(`${what}: the server answered the finalizer's addition with an object without ${handlers.name}`, 200);
  return handlers.apply(updated);
}
