/**
 * Informers: a local cache of a collection kept current by list + watch, the way client-go's
 * reflector does it: list (paged), watch from the list's resourceVersion with bookmarks, re-watch
 * from the last version seen when a watch ends, relist after 410 Gone, back off on failures.
 */
import type * as z from "zod";
import { GoneError } from "../errors.js";
import type { Kube } from "../client/kube.js";
import type { LabelSelectorInput, FieldSelectorInput } from "../client/selectors.js";

/** What an informer watches. */
export interface InformerOptions {
  /** One namespace (default: the client's), or every namespace with `allNamespaces`. */
  namespace?: string;
  allNamespaces?: boolean;
  labelSelector?: LabelSelectorInput;
  fieldSelector?: FieldSelectorInput;
  /** Page size of lists (default 500). */
  limit?: number;
  /** Longest wait between attempts after failures, in ms (default 30 000). */
  maxBackoffMs?: number;
  /** Called when a list or watch fails and the informer will retry. */
  onError?: (error: unknown) => void;
}

/** A change seen by an informer. */
export type InformerEvent<T> =
  | { type: "add"; object: T }
  | { type: "update"; object: T; old: T }
  | { type: "delete"; object: T };

type Meta = { metadata?: { name?: string | null; namespace?: string | null; resourceVersion?: string | null } | null };

function keyOf(obj: Meta): string {
  const ns = obj.metadata?.namespace;
  return ns ? `${ns}/${obj.metadata?.name ?? ""}` : (obj.metadata?.name ?? "");
}

/**
 * A cache of one collection, kept current in the background.
 *
 * @example
 * const pods = new Informer(kube, Pod, { namespace: "shop" });
 * pods.on((e) => console.log(e.type, e.object.metadata?.name));
 * await pods.start();              // resolves once the first list is in the cache
 * pods.get("web-1", "shop");
 * pods.stop();
 */
export class Informer<S extends z.ZodType> {
  readonly #store = new Map<string, z.output<S>>();
  readonly #handlers = new Set<(event: InformerEvent<z.output<S>>) => void>();
  #stop = new AbortController();
  #running: Promise<void> | undefined;
  #resourceVersion: string | undefined;
  #synced = false;

  constructor(
    private readonly kube: Kube,
    private readonly schema: S,
    private readonly options: InformerOptions = {},
  ) {}

  /** Subscribe to changes; returns a function that unsubscribes. @example const off = informer.on(handle); off(); */
  on(handler: (event: InformerEvent<z.output<S>>) => void): () => void {
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }

  /** An object by name (and namespace). @example informer.get("web", "shop"); */
  get(name: string, namespace?: string): z.output<S> | undefined {
    return this.#store.get(namespace ? `${namespace}/${name}` : name) ?? (namespace ? undefined : this.findByName(name));
  }

  private findByName(name: string): z.output<S> | undefined {
    for (const obj of this.#store.values()) if ((obj as Meta).metadata?.name === name) return obj;
    return undefined;
  }

  /** Every cached object. @example informer.list().length; */
  list(): Array<z.output<S>> {
    return [...this.#store.values()];
  }

  /** Whether the first list has been loaded. @example if (informer.synced) … */
  get synced(): boolean {
    return this.#synced;
  }

  /** The last resourceVersion the cache reflects. @example informer.resourceVersion; */
  get resourceVersion(): string | undefined {
    return this.#resourceVersion;
  }

  /**
   * Start listing and watching; resolves when the cache holds the first complete list (rejects if
   * that first list fails). The watch keeps running until `stop()`.
   *
   * @example
   * await informer.start();
   */
  start(): Promise<void> {
    if (this.#running) throw new Error("the informer is already running");
    this.#stop = new AbortController();
    let firstList!: () => void;
    let firstFailure!: (err: unknown) => void;
    const synced = new Promise<void>((resolve, reject) => {
      firstList = resolve;
      firstFailure = reject;
    });
    this.#running = this.run(firstList, firstFailure);
    return synced;
  }

  /** Stop watching (the cache keeps its last state). @example informer.stop(); */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#running?.catch(() => undefined);
    this.#running = undefined;
  }

  private emit(event: InformerEvent<z.output<S>>): void {
    for (const h of this.#handlers) h(event);
  }

  private async run(onSynced: () => void, onFirstFailure: (err: unknown) => void): Promise<void> {
    const signal = this.#stop.signal;
    let failures = 0;
    let needList = true;
    while (!signal.aborted) {
      try {
        if (needList) {
          await this.relist(signal);
          needList = false;
          if (!this.#synced) {
            this.#synced = true;
            onSynced();
          }
        }
        await this.watch(signal);
        failures = 0;
      } catch (err) {
        if (signal.aborted) break;
        if (!this.#synced) {
          onFirstFailure(err);
          return;
        }
        if (err instanceof GoneError) {
          // The version we watched from is gone from the server's history: start over from a list.
          needList = true;
          continue;
        }
        failures++;
        this.options.onError?.(err);
        const delay = Math.min(this.options.maxBackoffMs ?? 30_000, 100 * 2 ** Math.min(failures, 10)) * (0.5 + Math.random() / 2);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, delay);
          signal.addEventListener("abort", () => (clearTimeout(t), resolve()), { once: true });
        });
      }
    }
  }

  /** List everything and replace the cache, emitting the differences. */
  private async relist(signal: AbortSignal): Promise<void> {
    const fresh = new Map<string, z.output<S>>();
    let token: string | undefined;
    let resourceVersion: string | undefined;
    do {
      const page = await this.kube.list(this.schema, {
        ...this.selection(),
        limit: this.options.limit ?? 500,
        ...(token ? { continue: token } : {}),
        signal,
      });
      for (const item of page.items) fresh.set(keyOf(item as Meta), item);
      token = page.metadata.continue || undefined;
      resourceVersion = page.metadata.resourceVersion ?? resourceVersion;
    } while (token);
    for (const [key, old] of this.#store) if (!fresh.has(key)) this.emit({ type: "delete", object: old });
    for (const [key, obj] of fresh) {
      const old = this.#store.get(key);
      if (!old) this.emit({ type: "add", object: obj });
      else if ((old as Meta).metadata?.resourceVersion !== (obj as Meta).metadata?.resourceVersion) this.emit({ type: "update", object: obj, old });
    }
    this.#store.clear();
    for (const [key, obj] of fresh) this.#store.set(key, obj);
    this.#resourceVersion = resourceVersion;
  }

  /** Watch from the last version seen until the server ends the watch. */
  private async watch(signal: AbortSignal): Promise<void> {
    for await (const event of this.kube.watch(this.schema, {
      ...this.selection(),
      ...(this.#resourceVersion ? { resourceVersion: this.#resourceVersion } : {}),
      allowWatchBookmarks: true,
      // Like client-go: a random server-side timeout spreads re-watches over time.
      timeoutSeconds: Math.floor(300 + Math.random() * 300),
      signal,
    })) {
      if (event.type === "BOOKMARK") {
        this.#resourceVersion = event.object.metadata.resourceVersion;
        continue;
      }
      const obj = event.object;
      const key = keyOf(obj as Meta);
      this.#resourceVersion = (obj as Meta).metadata?.resourceVersion ?? this.#resourceVersion;
      const old = this.#store.get(key);
      if (event.type === "DELETED") {
        this.#store.delete(key);
        this.emit({ type: "delete", object: obj });
      } else {
        this.#store.set(key, obj);
        this.emit(old ? { type: "update", object: obj, old } : { type: "add", object: obj });
      }
    }
  }

  private selection(): { namespace?: string; allNamespaces?: boolean; labelSelector?: LabelSelectorInput; fieldSelector?: FieldSelectorInput } {
    const { namespace, allNamespaces, labelSelector, fieldSelector } = this.options;
    return {
      ...(namespace !== undefined ? { namespace } : {}),
      ...(allNamespaces ? { allNamespaces } : {}),
      ...(labelSelector !== undefined ? { labelSelector } : {}),
      ...(fieldSelector !== undefined ? { fieldSelector } : {}),
    };
  }
}
