/**
 * core/v1 Events as client-go's event recorder writes them (what `kubectl describe` lists), through
 * its `EventCorrelator` (k8s.io/client-go/tools/record/events_cache.go):
 *
 * - the same event again (source, object, field path, type, reason and message) raises the count
 *   of the Event already written instead of writing a new one;
 * - from the 10th distinct message of one source about one object with one type and reason
 *   within 10 minutes, the messages are combined into one Event, "(combined from similar events):
 *   <latest message>", whose count rises with every further one (a ReplicaSet creating 1,000
 *   pods has 9 "Created pod" Events and one combined Event, as on a cluster);
 * - a source may write 25 Events about one object, then one more every 5 minutes; the rest are
 *   dropped (the spam filter's token bucket, keyed by source and object).
 */
import { EVENTS, type ClusterApi } from "./api.js";
import type { KubeObject } from "../store.js";
import { rfc3339 } from "./util.js";

/** client-go's `defaultAggregateMaxEvents`, `defaultAggregateIntervalInSeconds`, `defaultSpamBurst` and `defaultSpamQPS`. */
const AGGREGATE_MAX_EVENTS = 10;
const AGGREGATE_INTERVAL_MS = 600_000;
const SPAM_BURST = 25;
const SPAM_PER_MS = 1 / 300_000;
/** Entries kept per cache (client-go keeps 4,096 per component; here one recorder serves every component). */
const CACHE_ENTRIES = 20_000;

interface Logged {
  name: string;
  count: number;
  firstTimestamp: string;
}

/** Put a key last in a bounded insertion-ordered map (an LRU cache's `Add`). */
function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > CACHE_ENTRIES) map.delete(map.keys().next().value!);
}

export class EventRecorder {
  /** The event logger: the Event written per event key (or aggregate key), with its count. */
  private readonly logged = new Map<string, Logged>();
  /** The aggregator: distinct messages per source, object, type and reason. */
  private readonly aggregates = new Map<string, { messages: Set<string>; last: number }>();
  /** The spam filter: a token bucket per source and object. */
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private written = 0;

  constructor(
    private readonly api: ClusterApi,
    private readonly now: () => number,
    private readonly enabled: boolean,
  ) {}

  /**
   * Record an event about an object, from a component (`deployment-controller`, `kubelet`,
   * `default-scheduler`); `host` names the node for kubelet events.
   */
  record(involved: KubeObject, type: "Normal" | "Warning", reason: string, message: string, component: string, options: { host?: string; fieldPath?: string } = {}): void {
    if (!this.enabled) return;
    const nowMs = this.now();
    const namespace = String(involved.metadata.namespace ?? "") || "default";
    const source = `${component}\u0000${options.host ?? ""}\u0000${String(involved.kind)}\u0000${String(involved.metadata.namespace ?? "")}\u0000${String(involved.metadata.name)}\u0000${String(involved.metadata.uid)}\u0000${String(involved.apiVersion)}`;
    // The aggregator: past the 10th distinct message, the event becomes the combined one.
    const aggregateKey = `${source}\u0000${type}\u0000${reason}`;
    let aggregate = this.aggregates.get(aggregateKey);
    if (!aggregate || nowMs - aggregate.last > AGGREGATE_INTERVAL_MS) aggregate = { messages: new Set(), last: nowMs };
    aggregate.messages.add(message);
    aggregate.last = nowMs;
    remember(this.aggregates, aggregateKey, aggregate);
    let key = `${source}\u0000${options.fieldPath ?? ""}\u0000${type}\u0000${reason}\u0000${message}`;
    let text = message;
    if (aggregate.messages.size >= AGGREGATE_MAX_EVENTS) {
      aggregate.messages.delete(aggregate.messages.values().next().value!);
      key = aggregateKey;
      text = `(combined from similar events): ${message}`;
    }
    // The logger: an event seen before raises the count of the Event written for it.
    const at = rfc3339(nowMs);
    const last = this.logged.get(key);
    const observed: Logged = last ? { ...last, count: last.count + 1 } : { name: `${String(involved.metadata.name)}.${(BigInt(nowMs) * 1_000_000n + BigInt(this.written++)).toString(16)}`, count: 1, firstTimestamp: at };
    remember(this.logged, key, observed);
    // The spam filter, over what would be written.
    const bucket = this.buckets.get(source) ?? { tokens: SPAM_BURST, at: nowMs };
    bucket.tokens = Math.min(SPAM_BURST, bucket.tokens + Math.max(0, nowMs - bucket.at) * SPAM_PER_MS);
    bucket.at = nowMs;
    remember(this.buckets, source, bucket);
    if (bucket.tokens < 1) return;
    bucket.tokens -= 1;
    const existing = last ? this.api.get(EVENTS, namespace, observed.name) : undefined;
    if (existing) {
      this.api.update(EVENTS, { ...existing, message: text, count: observed.count, lastTimestamp: at });
      return;
    }
    // A first write, or the Event written before is gone: created (with the count so far, as client-go does).
    this.api.create(EVENTS, namespace, {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: observed.name, namespace },
      involvedObject: {
        kind: involved.kind,
        namespace: involved.metadata.namespace,
        name: involved.metadata.name,
        uid: involved.metadata.uid,
        apiVersion: involved.apiVersion,
        resourceVersion: involved.metadata.resourceVersion,
        ...(options.fieldPath ? { fieldPath: options.fieldPath } : {}),
      },
      reason,
      message: text,
      source: { component, ...(options.host ? { host: options.host } : {}) },
      firstTimestamp: observed.firstTimestamp,
      lastTimestamp: at,
      count: observed.count,
      type,
      reportingComponent: component,
      reportingInstance: options.host ?? "",
    });
  }
}
