/**
 * How the simulated controllers read and write: reads come from the store (as an informer's cache
 * would, but never stale), writes go through the same REST layer as every client's, so validation,
 * defaulting, resourceVersions, managed fields and watches all see them. Each controller writes as
 * its own component (`kube-controller-manager`, `kube-scheduler`, `kubelet`).
 */
import { KubeApiError } from "../../errors.js";
import { cloneJson } from "../../patch/json.js";
import type { Catalog, ServedResource } from "../catalog.js";
import type { ApiCall, Rest } from "../rest.js";
import type { KubeObject, Store } from "../store.js";
import { WebhookPause, type WebhookOutcomes, type WebhookState } from "../webhooks.js";

type Obj = Record<string, unknown>;

/** A component's identity on its writes. */
export interface Component {
  /** The field manager and User-Agent product (`kube-controller-manager`, `kubelet`). */
  manager: string;
  /** The authenticated user name. */
  user: string;
}

/** Where a resource lives: `group/plural` plus the version controllers write. */
export interface ResourceRef {
  group: string;
  version: string;
  plural: string;
}

export const PODS: ResourceRef = { group: "", version: "v1", plural: "pods" };
export const NODES: ResourceRef = { group: "", version: "v1", plural: "nodes" };
export const EVENTS: ResourceRef = { group: "", version: "v1", plural: "events" };
export const SERVICES: ResourceRef = { group: "", version: "v1", plural: "services" };
export const ENDPOINTS: ResourceRef = { group: "", version: "v1", plural: "endpoints" };
export const CONFIGMAPS: ResourceRef = { group: "", version: "v1", plural: "configmaps" };
export const SECRETS: ResourceRef = { group: "", version: "v1", plural: "secrets" };
export const SERVICE_ACCOUNTS: ResourceRef = { group: "", version: "v1", plural: "serviceaccounts" };
export const NAMESPACES: ResourceRef = { group: "", version: "v1", plural: "namespaces" };
export const PVCS: ResourceRef = { group: "", version: "v1", plural: "persistentvolumeclaims" };
export const PVS: ResourceRef = { group: "", version: "v1", plural: "persistentvolumes" };
export const STORAGE_CLASSES: ResourceRef = { group: "storage.k8s.io", version: "v1", plural: "storageclasses" };
export const LEASES: ResourceRef = { group: "coordination.k8s.io", version: "v1", plural: "leases" };
export const DEPLOYMENTS: ResourceRef = { group: "apps", version: "v1", plural: "deployments" };
export const REPLICASETS: ResourceRef = { group: "apps", version: "v1", plural: "replicasets" };
export const STATEFULSETS: ResourceRef = { group: "apps", version: "v1", plural: "statefulsets" };
export const DAEMONSETS: ResourceRef = { group: "apps", version: "v1", plural: "daemonsets" };
export const REVISIONS: ResourceRef = { group: "apps", version: "v1", plural: "controllerrevisions" };
export const JOBS: ResourceRef = { group: "batch", version: "v1", plural: "jobs" };
export const CRONJOBS: ResourceRef = { group: "batch", version: "v1", plural: "cronjobs" };
export const ENDPOINT_SLICES: ResourceRef = { group: "discovery.k8s.io", version: "v1", plural: "endpointslices" };

/** The storage key of a resource (`apps/deployments`). */
export function keyOf(r: ResourceRef): string {
  return `${r.group}/${r.plural}`;
}

/** A failed controller write, kept for diagnosis. */
export interface ControllerError {
  controller: string;
  action: string;
  message: string;
}

/** Admission webhooks for the controllers' writes: only inside a reconcile, which pauses while they are called. */
export interface ControllerWebhooks {
  outcomes: WebhookOutcomes;
  active(): boolean;
}

/** Reads and writes for one component. */
export class ClusterApi {
  constructor(
    private readonly rest: Rest,
    readonly store: Store,
    private readonly catalog: Catalog,
    readonly component: Component,
    private readonly onError: (e: ControllerError) => void,
    readonly kubernetesVersion: string,
    private readonly webhooks?: ControllerWebhooks,
  ) {}

  /** Why the last refused write was refused (the apiserver's message), for the events and conditions controllers write about it. */
  lastFailure = "";

  /** The same access as another component (`kubelet`, `kube-scheduler`). */
  as(component: Component): ClusterApi {
    return new ClusterApi(this.rest, this.store, this.catalog, component, this.onError, this.kubernetesVersion, this.webhooks);
  }

  /** Whether the server serves a resource (a group/version switched off by runtime config is not). */
  serves(r: ResourceRef): boolean {
    return this.catalog.resource(r.group, r.version, r.plural) !== undefined;
  }

  resource(r: ResourceRef): ServedResource | undefined {
    return this.catalog.resource(r.group, r.version, r.plural);
  }

  get(r: ResourceRef, namespace: string, name: string): KubeObject | undefined {
    return this.store.get(keyOf(r), namespace, name);
  }

  list(r: ResourceRef, namespace?: string): KubeObject[] {
    return this.store.list(keyOf(r), namespace);
  }

  /** Objects of a resource whose ownerReferences name the owner. */
  owned(r: ResourceRef, owner: KubeObject): KubeObject[] {
    const key = keyOf(r);
    return this.store.dependentsOf(String(owner.metadata.uid)).filter((d) => d.storageKey === key).map((d) => d.object);
  }

  private call(r: ResourceRef, verb: ApiCall["info"]["verb"], namespace: string | undefined, name: string | undefined, body: unknown, subresource?: string): ApiCall {
    const served = this.catalog.resource(r.group, r.version, r.plural);
    return {
      info: { verb, group: r.group, version: r.version, namespace: served?.namespaced ? namespace : undefined, resource: r.plural, name, subresource, rest: [] },
      query: new URLSearchParams(),
      contentType: "application/json",
      // Writes hand their object over decoded (a JSON copy, as a request's body would be: the
      // write changes it in place); deletes send their options as a client does.
      ...(verb === "delete" || body === undefined ? { body: body === undefined ? undefined : Buffer.from(JSON.stringify(body)) } : { body: undefined, decoded: cloneJson(body) as Obj }),
      userAgent: `${this.component.manager}/${this.kubernetesVersion}.0 (linux/amd64) kubernetes/0000000`,
      user: this.component.user,
      ...(this.webhooks?.active() ? { webhooks: { results: {}, shared: this.webhooks.outcomes } } : {}),
    };
  }

  /** A fresh webhook state for one write of this component inside a reconcile (undefined outside one, or without webhooks). */
  webhookState(): WebhookState | undefined {
    return this.webhooks?.active() ? { results: {}, shared: this.webhooks.outcomes } : undefined;
  }

  /** Run a write: a write waiting for webhooks pauses the reconcile (the manager runs it again once they answered). */
  private attempt<T>(action: string, fn: () => T, call?: ApiCall): T | undefined {
    try {
      const out = fn();
      this.webhooks?.outcomes.release(call?.webhooks?.used);
      return out;
    } catch (e) {
      if (e instanceof WebhookPause) throw e;
      this.webhooks?.outcomes.release(call?.webhooks?.used);
      this.lastFailure = e instanceof Error ? e.message : String(e);
      this.onError({ controller: this.component.manager, action, message: this.lastFailure });
      return undefined;
    }
  }

  /** Create an object; the stored object, or undefined when refused (the error is recorded). */
  create(r: ResourceRef, namespace: string | undefined, obj: Obj): KubeObject | undefined {
    if (!this.serves(r)) return undefined;
    const call = this.call(r, "create", namespace, undefined, obj);
    return this.attempt(`create ${r.plural} ${namespace ?? ""}`, () => this.rest.create(call).body as KubeObject, call);
  }

  /** Replace an object (PUT, with its resourceVersion as read). */
  update(r: ResourceRef, obj: KubeObject): KubeObject | undefined {
    const ns = obj.metadata.namespace as string | undefined;
    const name = String(obj.metadata.name);
    const call = this.call(r, "update", ns, name, obj);
    return this.attempt(`update ${r.plural} ${ns ?? ""}/${name}`, () => this.rest.update(call).body as KubeObject, call);
  }

  /** Replace an object's status (PUT of the status subresource). */
  updateStatus(r: ResourceRef, obj: KubeObject): KubeObject | undefined {
    const ns = obj.metadata.namespace as string | undefined;
    const name = String(obj.metadata.name);
    const call = this.call(r, "update", ns, name, obj, "status");
    return this.attempt(`update ${r.plural}/status ${ns ?? ""}/${name}`, () => this.rest.update(call).body as KubeObject, call);
  }

  /** Delete an object (background propagation unless told otherwise; the kind's default grace period unless one is given). */
  delete(r: ResourceRef, obj: KubeObject, options: { propagationPolicy?: string; uid?: boolean; gracePeriodSeconds?: number } = {}): boolean {
    const ns = obj.metadata.namespace as string | undefined;
    const name = String(obj.metadata.name);
    const body = {
      kind: "DeleteOptions",
      apiVersion: "v1",
      propagationPolicy: options.propagationPolicy ?? "Background",
      ...(options.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: options.gracePeriodSeconds } : {}),
      ...(options.uid ? { preconditions: { uid: obj.metadata.uid } } : {}),
    };
    const call = this.call(r, "delete", ns, name, body);
    return this.attempt(`delete ${r.plural} ${ns ?? ""}/${name}`, () => this.rest.delete(call), call) !== undefined;
  }
}
