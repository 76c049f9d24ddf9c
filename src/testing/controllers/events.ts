/**
 * core/v1 Events as client-go's event recorder writes them (what `kubectl describe` lists): one
 * Event per involved object, reason and message, its count raised when the same thing happens
 * again.
 */
import { EVENTS, type ClusterApi } from "./api.js";
import type { KubeObject } from "../store.js";
import { rfc3339 } from "./util.js";

export class EventRecorder {
  private readonly seen = new Map<string, string>();

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
    const namespace = String(involved.metadata.namespace ?? "") || "default";
    const key = `${String(involved.metadata.uid)}\u0000${component}\u0000${reason}\u0000${message}`;
    const at = rfc3339(this.now());
    const existingName = this.seen.get(key);
    const existing = existingName ? this.api.get(EVENTS, namespace, existingName) : undefined;
    if (existing) {
      this.api.update(EVENTS, { ...existing, count: Number(existing.count ?? 1) + 1, lastTimestamp: at });
      return;
    }
    const name = `${String(involved.metadata.name)}.${(BigInt(this.now()) * 1_000_000n + BigInt(this.seen.size)).toString(16)}`;
    const created = this.api.create(EVENTS, namespace, {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name, namespace },
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
      message,
      source: { component, ...(options.host ? { host: options.host } : {}) },
      firstTimestamp: at,
      lastTimestamp: at,
      count: 1,
      type,
      reportingComponent: component,
      reportingInstance: options.host ?? "",
    });
    if (created) {
      this.seen.set(key, name);
      if (this.seen.size > 20_000) this.seen.delete(this.seen.keys().next().value!);
    }
  }
}
