/**
 * The object store: every object of every resource, one global resourceVersion counter (like
 * etcd's revision), a bounded history of changes for watch resume and consistent reads at older
 * revisions, and change subscribers.
 */

/** A stored object: treat as immutable (replace, never mutate). */
export type KubeObject = Record<string, unknown> & { metadata: Record<string, unknown> };

/** One change to the store. */
export interface StoreEvent {
  type: "ADDED" | "MODIFIED" | "DELETED";
  revision: number;
  storageKey: string;
  /** The object after the change (for DELETED: the last state, at the deletion's revision). */
  object: KubeObject;
  /** The object before the change (MODIFIED and DELETED). */
  previous?: KubeObject;
}

type Listener = (event: StoreEvent) => void;

function keyOf(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** The namespace and name of a stored object. */
export function objectKey(obj: KubeObject): { namespace: string; name: string } {
  return { namespace: (obj.metadata.namespace as string | undefined) ?? "", name: String(obj.metadata.name) };
}

function withRevision(obj: KubeObject, revision: number): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(revision) } };
}

/** The answer when an old revision is asked for: what is known, or that it is gone. */
export type AtRevision<T> = { ok: true; value: T } | { ok: false; oldest: number };

export class Store {
  private readonly collections = new Map<string, Map<string, KubeObject>>();
  private readonly history: StoreEvent[] = [];
  private historyStart = 0;
  private readonly listeners = new Map<string, Set<Listener>>();
  /** The newest revision (every write increments it). */
  revision: number;
  /** Revisions at or below this are compacted: watches and reads there get 410. */
  compacted: number;

  constructor(
    private readonly historySize: number,
    firstRevision = 1,
  ) {
    this.revision = firstRevision;
    this.compacted = firstRevision;
  }

  private collection(storageKey: string): Map<string, KubeObject> {
    let c = this.collections.get(storageKey);
    if (!c) {
      c = new Map();
      this.collections.set(storageKey, c);
    }
    return c;
  }

  get(storageKey: string, namespace: string, name: string): KubeObject | undefined {
    return this.collections.get(storageKey)?.get(keyOf(namespace, name));
  }

  /** Current objects of a resource, optionally of one namespace, ordered by namespace and name. */
  list(storageKey: string, namespace?: string): KubeObject[] {
    const c = this.collections.get(storageKey);
    if (!c) return [];
    const out: KubeObject[] = [];
    const prefix = namespace === undefined ? undefined : `${namespace}/`;
    for (const key of this.orderOf(storageKey, c)) if (prefix === undefined || key.startsWith(prefix)) out.push(c.get(key)!);
    return out;
  }

  /** The keys of a collection in namespace and name order (kept as objects come and go, not sorted per read). */
  private readonly orders = new Map<string, string[]>();

  private orderOf(storageKey: string, c: Map<string, KubeObject>): string[] {
    let order = this.orders.get(storageKey);
    if (!order) {
      order = [...c.keys()].sort(compareKeys);
      this.orders.set(storageKey, order);
    }
    return order;
  }

  private added(storageKey: string, key: string): void {
    const order = this.orders.get(storageKey);
    if (order) order.splice(insertionPoint(order, key), 0, key);
  }

  private removed(storageKey: string, key: string): void {
    const order = this.orders.get(storageKey);
    if (!order) return;
    const at = insertionPoint(order, key);
    if (order[at] === key) order.splice(at, 1);
    else this.orders.delete(storageKey);
  }

  /** Objects as they were at a revision (reconstructed from history), or the oldest revision kept. */
  listAt(storageKey: string, revision: number, namespace?: string): AtRevision<KubeObject[]> {
    if (revision >= this.revision) return { ok: true, value: this.list(storageKey, namespace) };
    if (revision < this.compacted) return { ok: false, oldest: this.compacted };
    const state = new Map<string, KubeObject>();
    for (const obj of this.list(storageKey, namespace)) {
      const { namespace: ns, name } = objectKey(obj);
      state.set(keyOf(ns, name), obj);
    }
    for (let i = this.history.length - 1; i >= this.historyStart; i--) {
      const e = this.history[i]!;
      if (e.revision <= revision) break;
      if (e.storageKey !== storageKey) continue;
      const { namespace: ns, name } = objectKey(e.object);
      if (namespace !== undefined && ns !== namespace) continue;
      if (e.type === "ADDED") state.delete(keyOf(ns, name));
      else if (e.previous) state.set(keyOf(ns, name), e.previous);
    }
    return { ok: true, value: [...state.values()].sort(byKey) };
  }

  /** Events of a resource after a revision, oldest first, or the oldest revision still kept. */
  eventsSince(storageKey: string, revision: number): AtRevision<StoreEvent[]> {
    if (revision < this.compacted) return { ok: false, oldest: this.compacted };
    const out: StoreEvent[] = [];
    for (let i = this.history.length - 1; i >= this.historyStart; i--) {
      const e = this.history[i]!;
      if (e.revision <= revision) break;
      if (e.storageKey === storageKey) out.push(e);
    }
    return { ok: true, value: out.reverse() };
  }

  /** Whether any object of a resource lives in a namespace. */
  hasAny(storageKey: string, namespace: string): boolean {
    const c = this.collections.get(storageKey);
    if (!c) return false;
    for (const key of c.keys()) if (key.startsWith(`${namespace}/`)) return true;
    return false;
  }

  storageKeys(): string[] {
    return [...this.collections.keys()];
  }

  /** Store a new object; returns it with its resourceVersion. */
  create(storageKey: string, obj: KubeObject): KubeObject {
    const stored = withRevision(obj, ++this.revision);
    const { namespace, name } = objectKey(stored);
    const c = this.collection(storageKey);
    const key = keyOf(namespace, name);
    if (!c.has(key)) this.added(storageKey, key);
    c.set(key, stored);
    this.record({ type: "ADDED", revision: this.revision, storageKey, object: stored });
    return stored;
  }

  /** Replace an object; returns it with its new resourceVersion. */
  update(storageKey: string, obj: KubeObject, previous: KubeObject): KubeObject {
    const stored = withRevision(obj, ++this.revision);
    const { namespace, name } = objectKey(stored);
    const c = this.collection(storageKey);
    const key = keyOf(namespace, name);
    if (!c.has(key)) this.added(storageKey, key);
    c.set(key, stored);
    this.record({ type: "MODIFIED", revision: this.revision, storageKey, object: stored, previous });
    return stored;
  }

  /** Remove an object; returns its last state at the deletion's revision. */
  delete(storageKey: string, obj: KubeObject): KubeObject {
    const { namespace, name } = objectKey(obj);
    const c = this.collection(storageKey);
    const previous = c.get(keyOf(namespace, name)) ?? obj;
    if (c.delete(keyOf(namespace, name))) this.removed(storageKey, keyOf(namespace, name));
    const last = withRevision(previous, ++this.revision);
    this.record({ type: "DELETED", revision: this.revision, storageKey, object: last, previous });
    return last;
  }

  /** Forget history up to the newest revision (as etcd compaction does). */
  compact(): void {
    this.compacted = this.revision;
    this.historyStart = this.history.length;
    this.trim();
  }

  /** Listen to the changes of every resource. */
  subscribeAll(listener: Listener): () => void {
    return this.subscribe("*", listener);
  }

  subscribe(storageKey: string, listener: Listener): () => void {
    let set = this.listeners.get(storageKey);
    if (!set) {
      set = new Set();
      this.listeners.set(storageKey, set);
    }
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Objects by the uid of each owner their ownerReferences name (for garbage collection). */
  private readonly dependents = new Map<string, Set<string>>();

  private index(event: StoreEvent): void {
    const ref = `${event.storageKey}\u0000${objectKey(event.object).namespace}/${objectKey(event.object).name}`;
    const owners = (o: KubeObject | undefined): string[] =>
      Array.isArray(o?.metadata.ownerReferences) ? (o!.metadata.ownerReferences as Array<{ uid?: unknown }>).map((r) => String(r?.uid ?? "")) : [];
    for (const uid of owners(event.previous)) this.dependents.get(uid)?.delete(ref);
    if (event.type === "DELETED") return;
    for (const uid of owners(event.object)) {
      let set = this.dependents.get(uid);
      if (!set) {
        set = new Set();
        this.dependents.set(uid, set);
      }
      set.add(ref);
    }
  }

  /** The objects whose ownerReferences name an owner uid, with their storage keys. */
  dependentsOf(uid: string): Array<{ storageKey: string; object: KubeObject }> {
    const out: Array<{ storageKey: string; object: KubeObject }> = [];
    for (const ref of this.dependents.get(uid) ?? []) {
      const [storageKey, key] = ref.split("\u0000") as [string, string];
      const object = this.collections.get(storageKey)?.get(key);
      if (object) out.push({ storageKey, object });
    }
    return out;
  }

  private record(event: StoreEvent): void {
    this.index(event);
    this.history.push(event);
    while (this.history.length - this.historyStart > this.historySize) {
      this.compacted = this.history[this.historyStart]!.revision;
      this.historyStart++;
    }
    this.trim();
    const set = this.listeners.get(event.storageKey);
    if (set) for (const l of [...set]) l(event);
    const all = this.listeners.get("*");
    if (all) for (const l of [...all]) l(event);
  }

  private trim(): void {
    if (this.historyStart > 1024 && this.historyStart > this.history.length / 2) {
      this.history.splice(0, this.historyStart);
      this.historyStart = 0;
    }
  }
}

/** Order of `namespace/name` keys: by namespace, then by name. */
function compareKeys(a: string, b: string): number {
  const ia = a.indexOf("/");
  const ib = b.indexOf("/");
  const na = a.slice(0, ia);
  const nb = b.slice(0, ib);
  if (na !== nb) return na < nb ? -1 : 1;
  const ra = a.slice(ia + 1);
  const rb = b.slice(ib + 1);
  return ra < rb ? -1 : ra > rb ? 1 : 0;
}

function byKey(a: KubeObject, b: KubeObject): number {
  const ka = objectKey(a);
  const kb = objectKey(b);
  return ka.namespace < kb.namespace ? -1 : ka.namespace > kb.namespace ? 1 : ka.name < kb.name ? -1 : ka.name > kb.name ? 1 : 0;
}

/** Where `key` stands, or would stand, in keys sorted by `compareKeys` (binary search). */
function insertionPoint(order: readonly string[], key: string): number {
  let lo = 0;
  let hi = order.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys(order[mid]!, key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
