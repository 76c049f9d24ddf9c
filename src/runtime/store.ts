/**
 * The informer's cache: objects by `namespace/name` key, with indexes (client-go's indexer). The
 * namespace index is built in; more index functions can be added at any time.
 */

/** What the store reads off an object. */
export interface ObjectMetaLike {
  metadata?: { name?: string | null; namespace?: string | null; resourceVersion?: string | null } | null;
}

/**
 * An index function: the index values of an object (none, one or many).
 *
 * @example
 * const byNode: IndexFunc<Pod> = (pod) => (pod.spec?.nodeName ? [pod.spec.nodeName] : []);
 */
export type IndexFunc<T> = (obj: T) => readonly string[];

/** The name of the built-in namespace index (client-go's `cache.NamespaceIndex`). @example informer.byIndex(NAMESPACE_INDEX, "shop"); */
export const NAMESPACE_INDEX = "namespace";

/**
 * The cache key of an object: `namespace/name`, or `name` for cluster-scoped objects (client-go's
 * `MetaNamespaceKeyFunc`).
 *
 * @example
 * objectKey(pod); // "shop/web-1"
 */
export function objectKey(obj: ObjectMetaLike): string {
  const ns = obj.metadata?.namespace;
  const name = obj.metadata?.name ?? "";
  return ns ? `${ns}/${name}` : name;
}

/** Split a key into namespace and name. @example splitKey("shop/web-1"); // { namespace: "shop", name: "web-1" } */
export function splitKey(key: string): { namespace?: string; name: string } {
  const slash = key.indexOf("/");
  return slash < 0 ? { name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

const namespaceIndex: IndexFunc<ObjectMetaLike> = (obj) => (obj.metadata?.namespace ? [obj.metadata.namespace] : []);

/**
 * Objects by key, with indexes kept current on every change.
 *
 * @example
 * const store = new IndexedStore<Pod>({ byNode: (p) => [p.spec?.nodeName ?? ""] });
 * store.set("shop/web-1", pod);
 * store.byIndex("byNode", "node-a");
 */
export class IndexedStore<T extends ObjectMetaLike> {
  readonly #items = new Map<string, T>();
  readonly #indexers = new Map<string, IndexFunc<T>>();
  /** index name → index value → keys */
  readonly #indices = new Map<string, Map<string, Set<string>>>();

  constructor(indexers: Record<string, IndexFunc<T>> = {}) {
    this.addIndexers({ [NAMESPACE_INDEX]: namespaceIndex as IndexFunc<T>, ...indexers });
  }

  get size(): number {
    return this.#items.size;
  }

  get(key: string): T | undefined {
    return this.#items.get(key);
  }

  has(key: string): boolean {
    return this.#items.has(key);
  }

  keys(): IterableIterator<string> {
    return this.#items.keys();
  }

  values(): IterableIterator<T> {
    return this.#items.values();
  }

  entries(): IterableIterator<[string, T]> {
    return this.#items.entries();
  }

  /** Put an object under its key; returns the object it replaced. */
  set(key: string, obj: T): T | undefined {
    const old = this.#items.get(key);
    this.#items.set(key, obj);
    for (const [name, fn] of this.#indexers) {
      // The namespace is part of the key: an update never moves an object in that index.
      if (old !== undefined && fn === namespaceIndex) continue;
      this.#reindex(name, fn, key, old, obj);
    }
    return old;
  }

  /** Remove a key; returns the object removed. */
  delete(key: string): T | undefined {
    const old = this.#items.get(key);
    if (old === undefined) return undefined;
    this.#items.delete(key);
    for (const [name, fn] of this.#indexers) this.#reindex(name, fn, key, old, undefined);
    return old;
  }

  /** Add index functions; existing objects are indexed at once. A name in use is an error. */
  addIndexers(indexers: Record<string, IndexFunc<T>>): void {
    for (const [name, fn] of Object.entries(indexers)) {
      if (this.#indexers.has(name)) throw new TypeError(`the index "${name}" exists already`);
      this.#indexers.set(name, fn);
      this.#indices.set(name, new Map());
      for (const [key, obj] of this.#items) this.#reindex(name, fn, key, undefined, obj);
    }
  }

  /** The names of the indexes. */
  indexNames(): string[] {
    return [...this.#indexers.keys()];
  }

  /** The keys of the objects whose index `name` has `value`. */
  indexKeys(name: string, value: string): string[] {
    return [...(this.#index(name).get(value) ?? [])];
  }

  /** The objects whose index `name` has `value`. */
  byIndex(name: string, value: string): T[] {
    const keys = this.#index(name).get(value);
    if (!keys) return [];
    const out: T[] = [];
    for (const key of keys) out.push(this.#items.get(key)!);
    return out;
  }

  /** Every value index `name` holds. */
  indexValues(name: string): string[] {
    return [...this.#index(name).keys()];
  }

  #index(name: string): Map<string, Set<string>> {
    const index = this.#indices.get(name);
    if (!index) throw new TypeError(`there is no index "${name}" (indexes: ${this.indexNames().join(", ")})`);
    return index;
  }

  #reindex(name: string, fn: IndexFunc<T>, key: string, old: T | undefined, obj: T | undefined): void {
    const index = this.#indices.get(name)!;
    const before = old === undefined ? [] : fn(old);
    const after = obj === undefined ? [] : fn(obj);
    // Most changes keep every index value: leave the sets alone then.
    if (old !== undefined && before.length === after.length && before.every((v, i) => v === after[i])) return;
    for (const v of before) if (!after.includes(v)) remove(index, v, key);
    for (const v of after) add(index, v, key);
  }
}

function add(index: Map<string, Set<string>>, value: string, key: string): void {
  let keys = index.get(value);
  if (!keys) index.set(value, (keys = new Set()));
  keys.add(key);
}

function remove(index: Map<string, Set<string>>, value: string, key: string): void {
  const keys = index.get(value);
  if (!keys) return;
  keys.delete(key);
  if (!keys.size) index.delete(value);
}
