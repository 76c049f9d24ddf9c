/**
 * Shared informers: every consumer of one kind and selection gets the same `Informer`, so a
 * process holds one list + watch and one cache per collection however many controllers read it
 * (client-go's SharedInformerFactory).
 */
import type * as z from "zod";
import type { Kube } from "../client/kube.js";
import { fieldSelectorString, labelSelectorString, type FieldSelectorInput, type LabelSelectorInput } from "../client/selectors.js";
import { UsageError } from "../errors.js";
import { resourceInfo } from "../meta/registry.js";
import { Informer, type InformerOptions } from "./informer.js";

/** Which collection an informer of the factory watches. @example const which: InformerSelection = { namespace: "shop", labelSelector: { app: "web" } }; */
export interface InformerSelection {
  namespace?: string;
  allNamespaces?: boolean;
  labelSelector?: LabelSelectorInput;
  fieldSelector?: FieldSelectorInput;
}

/**
 * Settings every informer of a factory shares (each `informer()` call may add indexers).
 *
 * @example
 * const options: InformerFactoryOptions = { allNamespaces: true, resyncPeriodMs: 10 * 60_000, transform: dropManagedFields };
 */
export interface InformerFactoryOptions extends Omit<InformerOptions, "namespace" | "allNamespaces" | "labelSelector" | "fieldSelector" | "indexers" | "transform"> {
  /** Default namespace of the informers (default: the client's); `allNamespaces` watches every namespace. */
  namespace?: string;
  allNamespaces?: boolean;
  /** Change every object before it is cached (for example, drop `metadata.managedFields`). */
  transform?: <T>(obj: T) => T;
}

/**
 * Drop `metadata.managedFields` (the largest part of most objects, and rarely read by
 * controllers): a ready-made `transform`.
 *
 * @example
 * new InformerFactory(kube, { transform: dropManagedFields });
 */
export function dropManagedFields<T>(obj: T): T {
  const meta = (obj as { metadata?: { managedFields?: unknown } | null }).metadata;
  if (meta && meta.managedFields !== undefined) delete meta.managedFields;
  return obj;
}

/**
 * One informer per kind and selection, shared by every consumer.
 *
 * @example
 * const factory = new InformerFactory(kube, { allNamespaces: true });
 * const pods = factory.informer(Pod);                  // the same object for every caller
 * pods.on((e) => console.log(e.type, e.object.metadata?.name));
 * await factory.start();                               // starts every informer, waits for their sync
 * factory.informer(Pod) === pods;                      // true
 * await factory.stop();
 */
export class InformerFactory {
  readonly #informers = new Map<string, Informer<z.ZodType>>();
  #started = false;

  constructor(
    readonly kube: Kube,
    readonly options: InformerFactoryOptions = {},
  ) {}

  /**
   * The shared informer for a kind and selection (created on first request; started at once when
   * the factory is started). `indexers` are added to the shared informer.
   *
   * @example
   * const byNode = factory.informer(Pod, { indexers: { byNode: (p) => [p.spec?.nodeName ?? ""] } });
   */
  informer<S extends z.ZodType>(schema: S, selection: InformerSelection & Pick<InformerOptions<z.output<S>>, "indexers"> = {}): Informer<S> {
    const info = resourceInfo(schema);
    if (!info) throw new UsageError("an informer needs a resource schema (a generated kind, defineResource, or kube.resource())");
    const allNamespaces = selection.allNamespaces ?? (selection.namespace === undefined ? this.options.allNamespaces : false) ?? false;
    const namespace = !info.namespaced || allNamespaces ? undefined : (selection.namespace ?? this.options.namespace ?? this.kube.namespace);
    const labels = selection.labelSelector !== undefined ? labelSelectorString(selection.labelSelector) : "";
    const fields = selection.fieldSelector !== undefined ? fieldSelectorString(selection.fieldSelector) : "";
    const key = [info.apiVersion, info.kind, namespace ?? "*", labels, fields].join("|");
    let informer = this.#informers.get(key) as Informer<S> | undefined;
    if (!informer) {
      const { namespace: _ns, allNamespaces: _all, transform, ...shared } = this.options;
      informer = new Informer(this.kube, schema, {
        ...shared,
        ...(transform ? { transform: transform as (obj: z.output<S>) => z.output<S> } : {}),
        ...(namespace !== undefined ? { namespace } : {}),
        ...(allNamespaces && info.namespaced ? { allNamespaces: true } : {}),
        ...(labels ? { labelSelector: labels } : {}),
        ...(fields ? { fieldSelector: fields } : {}),
      });
      this.#informers.set(key, informer as unknown as Informer<z.ZodType>);
      if (this.#started) informer.start().catch(() => undefined);
    }
    if (selection.indexers) {
      const have = new Set(informer.indexNames());
      const fresh = Object.fromEntries(Object.entries(selection.indexers).filter(([name]) => !have.has(name)));
      if (Object.keys(fresh).length) informer.addIndexers(fresh);
    }
    return informer;
  }

  /** Every informer the factory made. @example factory.informers().length; */
  informers(): Array<Informer<z.ZodType>> {
    return [...this.#informers.values()];
  }

  /**
   * Start every informer (and every one requested later), and wait for their first sync.
   *
   * @example
   * await factory.start();
   */
  async start(): Promise<void> {
    this.#started = true;
    await Promise.all([...this.#informers.values()].map((i) => i.start()));
  }

  /**
   * Wait until every informer holds its first sync (rejects when `signal` aborts first).
   *
   * @example
   * await factory.waitForCacheSync(AbortSignal.timeout(60_000));
   */
  async waitForCacheSync(signal?: AbortSignal): Promise<void> {
    await Promise.all([...this.#informers.values()].map((i) => i.waitForSync(signal)));
  }

  /** Whether every informer holds its first sync. @example factory.hasSynced(); */
  hasSynced(): boolean {
    return [...this.#informers.values()].every((i) => i.synced);
  }

  /** Stop every informer. @example await factory.stop(); */
  async stop(): Promise<void> {
    this.#started = false;
    await Promise.all([...this.#informers.values()].map((i) => i.stop()));
  }
}
