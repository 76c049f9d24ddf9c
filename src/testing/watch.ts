/**
 * Watch streams as kube-apiserver's watch cache serves them: newline-delimited JSON events over a
 * chunked response, initial state (synthetic ADDED events, or `sendInitialEvents` ending with the
 * `k8s.io/initial-events-end` bookmark), resume from a resourceVersion within the kept history
 * (410 Expired as an ERROR event when too old), selector filtering with ADDED/DELETED on
 * transitions, periodic bookmarks and `timeoutSeconds`.
 */
import type { ServerResponse } from "node:http";
import type { ServedResource } from "./catalog.js";
import { jsonOf } from "./json.js";
import { encodeWatchFrame, PROTOBUF } from "./protobuf.js";
import { asServed, selects, type Selection } from "./rest.js";
import { badRequest } from "./status.js";
import type { KubeObject, Store, StoreEvent } from "./store.js";
import { columnDefinitions, tableRow, type TableSpec } from "./table.js";

/** What a watch asks for. */
export interface WatchRequest {
  resource: ServedResource;
  namespace: string | undefined;
  selection: Selection;
  resourceVersion: string | undefined;
  resourceVersionMatch: string | undefined;
  allowWatchBookmarks: boolean;
  sendInitialEvents: boolean | undefined;
  timeoutSeconds: number | undefined;
  /** Serve events as Tables (kubectl get -w). */
  table?: { spec: TableSpec; include: "None" | "Metadata" | "Object" };
  /** Length-delimited protobuf frames instead of JSON lines. */
  protobuf?: boolean;
}

/** Server-wide watch behaviour. */
export interface WatchSettings {
  bookmarkIntervalMs: number;
  /** Default timeout when the client sets none (kube-apiserver picks 30–60 minutes). */
  defaultTimeoutSeconds: number;
  /**
   * Most bytes a watcher may leave unread before it is dropped (its connection closed, as
   * kube-apiserver's cacher drops a watcher whose buffer is full); default {@link DEFAULT_MAX_WATCH_BACKLOG_BYTES}.
   */
  maxBacklogBytes?: number;
}

/** The default of {@link WatchSettings.maxBacklogBytes}: 16 MiB. */
export const DEFAULT_MAX_WATCH_BACKLOG_BYTES = 16 * 1024 * 1024;

/** The longest timer Node keeps (2^31−1 ms, about 24.8 days); longer delays fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** How long before a watch's deadline the watch cache sends its last bookmark (`cacheWatcher.nextBookmarkTime`). */
const PRE_TIMEOUT_BOOKMARK_MS = 2000;

/** Output written to a response and not yet taken by the peer (the response's and its socket's buffers). */
function pendingBytes(res: ServerResponse): number {
  return res.writableLength ?? 0;
}

/** Per-watch hooks for fault injection: called after each event is written. */
export interface WatchHooks {
  /**
   * Converts a stored object to the watch's version when that takes a webhook call; events then
   * wait for their conversion and are sent in order (a failed conversion ends the watch with an
   * ERROR event).
   */
  convert?(object: KubeObject): Promise<KubeObject>;
  /** Return true to cut the connection (no orderly end of the stream). */
  afterEvent?(count: number): boolean | void;
  onClose?(): void;
  /** Called when the watcher was dropped for leaving more than `maxBacklogBytes` unread. */
  onDrop?(): void;
}

/** Check a watch request's parameters before the stream starts (400 when inconsistent). */
export function checkWatchRequest(w: WatchRequest): void {
  if (w.sendInitialEvents !== undefined) {
    if (!w.allowWatchBookmarks && w.sendInitialEvents) throw badRequest("sendInitialEvents: Forbidden: sendInitialEvents requires setting allowWatchBookmarks=true");
    if (w.resourceVersionMatch !== "NotOlderThan") {
      throw badRequest(`resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan`);
    }
  } else if (w.resourceVersionMatch) {
    throw badRequest(`resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided`);
  }
  if (w.resourceVersion && !/^\d+$/.test(w.resourceVersion)) throw badRequest(`resourceVersion: Invalid value: "${w.resourceVersion}": must be a non-negative integer`);
}

/** Start streaming a watch on an HTTP response. Returns a function that stops it. */
/**
 * Protobuf watch frames by object and event type: stored objects are never changed, so an event
 * fanned out to many watchers is encoded once (as its JSON is, by `jsonOf`).
 */
const frames = new WeakMap<object, Map<string, Buffer | undefined>>();

function watchFrameOf(type: string, object: Record<string, unknown>): Buffer | undefined {
  let byType = frames.get(object);
  if (!byType) {
    byType = new Map();
    frames.set(object, byType);
  }
  if (byType.has(type)) return byType.get(type);
  const frame = encodeWatchFrame(type, object);
  byType.set(type, frame);
  return frame;
}

export function serveWatch(res: ServerResponse, store: Store, w: WatchRequest, settings: WatchSettings, hooks: WatchHooks = {}): () => void {
  const r = w.resource;
  let count = 0;
  let closed = false;
  let headerSent = false;
  let lastRevision = store.revision;
  const timers: NodeJS.Timeout[] = [];
  let unsubscribe: (() => void) | undefined;

  const serialize = (type: string, object: unknown): string => {
    if (w.table && type !== "BOOKMARK" && type !== "ERROR") {
      const obj = object as KubeObject;
      const table = {
        kind: "Table",
        apiVersion: "meta.k8s.io/v1",
        metadata: { resourceVersion: String(obj.metadata.resourceVersion ?? "") },
        columnDefinitions: headerSent ? [] : columnDefinitions(w.table.spec),
        rows: [tableRow(w.table.spec, obj, w.table.include)],
      };
      headerSent = true;
      return JSON.stringify({ type, object: table });
    }
    return `{"type":${JSON.stringify(type)},"object":${jsonOf(object)}}`;
  };

  const protobuf = w.protobuf === true && !w.table;
  const maxBacklog = settings.maxBacklogBytes ?? DEFAULT_MAX_WATCH_BACKLOG_BYTES;
  // The initial events are written at once and drain as the client reads: the budget counts on top of them.
  let allowance = maxBacklog;
  let live = false;
  const send = (type: string, object: unknown): void => {
    if (closed) return;
    if (live && pendingBytes(res) > allowance) return drop();
    const frame = protobuf ? watchFrameOf(type, object as Record<string, unknown>) : undefined;
    if (frame) res.write(frame);
    else res.write(`${serialize(type, object)}\n`);
    count++;
    if (hooks.afterEvent?.(count) === true) {
      closed = true;
      unsubscribe?.();
      for (const t of timers) clearTimeout(t);
      hooks.onClose?.();
      res.socket?.end();
    }
  };

  // With an asynchronous conversion every event goes through one queue, so none overtakes another.
  let queue: Promise<void> | undefined;
  const enqueue = (step: () => void | Promise<void>): void => {
    if (!hooks.convert) return void step();
    queue = (queue ?? Promise.resolve()).then(async () => {
      if (closed) return;
      try {
        await step();
      } catch (e) {
        const status = (e as { body?: unknown }).body;
        send("ERROR", status ?? { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: String(e), code: 500 });
        stop();
      }
    });
  };
  const sendObject = (type: string, stored: KubeObject): void => {
    const convert = hooks.convert;
    if (!convert) return send(type, asServed(stored, r));
    enqueue(async () => send(type, await convert(stored)));
  };

  const bookmark = (extra?: Record<string, string>): void => enqueue(() => bookmarkNow(extra));
  const bookmarkNow = (extra?: Record<string, string>): void => {
    send("BOOKMARK", {
      kind: r.kind,
      apiVersion: r.apiVersion,
      metadata: { resourceVersion: String(lastRevision), ...(extra ? { annotations: extra } : {}) },
    });
  };

  const inScope = (o: KubeObject): boolean => w.namespace === undefined || o.metadata.namespace === w.namespace;

  const deliver = (e: StoreEvent): void => {
    lastRevision = e.revision;
    const now = inScope(e.object) && selects(r, w.selection, e.object);
    const before = e.previous !== undefined && inScope(e.previous) && selects(r, w.selection, e.previous);
    if (e.type === "ADDED") {
      if (now) sendObject("ADDED", e.object);
    } else if (e.type === "MODIFIED") {
      if (now && before) sendObject("MODIFIED", e.object);
      else if (now) sendObject("ADDED", e.object);
      else if (before) sendObject("DELETED", { ...e.previous!, metadata: { ...e.previous!.metadata, resourceVersion: String(e.revision) } });
    } else if (before || now) {
      sendObject("DELETED", e.object);
    }
  };

  res.writeHead(200, { "Content-Type": protobuf ? `${PROTOBUF};stream=watch` : "application/json", "Cache-Control": "no-cache, private", "Transfer-Encoding": "chunked" });
  res.flushHeaders();

  const initial = (): boolean => {
    const rv = w.resourceVersion;
    if (w.sendInitialEvents || rv === undefined || rv === "" || rv === "0") {
      for (const o of store.list(r.storageKey, w.namespace)) if (selects(r, w.selection, o)) sendObject("ADDED", o);
      lastRevision = store.revision;
      if (w.sendInitialEvents) bookmark({ "k8s.io/initial-events-end": "true" });
      return true;
    }
    const since = store.eventsSince(r.storageKey, Number(rv));
    if (!since.ok) {
      send("ERROR", {
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        message: `too old resource version: ${rv} (${since.oldest})`,
        reason: "Expired",
        code: 410,
      });
      return false;
    }
    lastRevision = Math.max(Number(rv), lastRevision);
    for (const e of since.value) deliver(e);
    lastRevision = store.revision;
    return true;
  };

  unsubscribe = store.subscribe(r.storageKey, deliver);
  // A watcher that does not read what it is sent is dropped: its pending output is discarded with
  // the connection, so one stalled client cannot make the server hold an unbounded backlog.
  const drop = (): void => {
    if (closed) return;
    closed = true;
    unsubscribe?.();
    for (const t of timers) clearTimeout(t);
    hooks.onClose?.();
    hooks.onDrop?.();
    res.destroy();
  };
  const stop = (): void => {
    if (closed) return;
    closed = true;
    unsubscribe?.();
    for (const t of timers) clearTimeout(t);
    hooks.onClose?.();
    if (!res.writableEnded && !res.destroyed) res.end();
  };
  res.on("close", stop);

  if (!initial()) {
    stop();
    return stop;
  }
  allowance = maxBacklog + pendingBytes(res);
  live = true;
  const timeout = w.timeoutSeconds ?? settings.defaultTimeoutSeconds;
  // A timer longer than Node keeps would fire at once: a huge timeoutSeconds waits as long as a timer can.
  const lifetime = Math.min(timeout * 1000, MAX_TIMER_MS);
  const deadline = Date.now() + lifetime;
  timers.push(setTimeout(stop, lifetime));
  if (w.allowWatchBookmarks) {
    // The cacher's nextBookmarkTime: every bookmark interval, and once 2 s before the watch's
    // deadline (so a client resumes from a fresh resourceVersion); none once that moment is past.
    const schedule = (): void => {
      const now = Date.now();
      const at = Math.min(now + settings.bookmarkIntervalMs, deadline - PRE_TIMEOUT_BOOKMARK_MS);
      if (at < now) return;
      timers.push(setTimeout(tick, at - now).unref());
    };
    const tick = (): void => {
      if (closed) return;
      lastRevision = Math.max(lastRevision, store.revision);
      bookmark();
      if (Date.now() < deadline - PRE_TIMEOUT_BOOKMARK_MS) schedule();
    };
    schedule();
  }
  return stop;
}
