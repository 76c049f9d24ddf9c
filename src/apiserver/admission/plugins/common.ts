/**
 * What the built-in admission plugins share: the request they see, what they ask of the cluster
 * (handed in by the caller, never fetched), the Forbidden refusal of `admission.NewForbidden`, and
 * resource lists as k8s.io/apiserver's quota helpers add, mask and compare them.
 */
import { Quantity } from "../../validation/quantity.js";

export type Obj = Record<string, unknown>;

/** One write as an admission plugin sees it. */
export interface PluginRequest {
  operation: "CREATE" | "UPDATE" | "DELETE";
  /** API group of the resource ("" for core). */
  group: string;
  /** The resource (plural). */
  resource: string;
  kind: string;
  /** The subresource ("" for the main resource). */
  subresource: string;
  namespace: string;
  /** The object being written (mutated in place by the mutating plugins). */
  object: Obj;
  /** The stored object, on an update. */
  old?: Obj;
}

/** What the plugins read from the cluster, as the caller's informers would hand it. */
export interface PluginCluster {
  /** A ServiceAccount, or undefined when there is none. */
  serviceAccount(namespace: string, name: string): Obj | undefined;
  limitRanges(namespace: string): Obj[];
  resourceQuotas(namespace: string): Obj[];
  priorityClasses(): Obj[];
  ingressClasses(): Obj[];
  runtimeClass(name: string): Obj | undefined;
  /** The objects of a resource in a namespace, for quota usage that counts other objects. */
  objects?(group: string, resource: string, namespace: string): Obj[];
  /** Five random characters, as `names.SimpleNameGenerator` appends. */
  randomSuffix(): string;
}

/** A refusal of `admission.NewForbidden`: `<resource>[.<group>] "<name>" is forbidden: <reason>` (HTTP 403). */
export class AdmissionForbidden extends Error {
  constructor(
    readonly group: string,
    readonly resource: string,
    readonly objectName: string,
    readonly reason: string,
  ) {
    super(`${resource}${group ? `.${group}` : ""} ${JSON.stringify(objectName)} is forbidden: ${reason}`);
    this.name = "AdmissionForbidden";
  }
}

/** `admission.NewForbidden(a, err)`: the name is the object's, its generateName before one is made, or "Unknown". */
export function forbidden(req: PluginRequest, reason: string): AdmissionForbidden {
  const meta = rec(req.object.metadata);
  const name = str(meta?.name) || str(meta?.generateName) || "Unknown";
  return new AdmissionForbidden(req.group, req.resource, name, reason);
}

export function rec(v: unknown): Obj | undefined {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : undefined;
}

export function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

export function recs(v: unknown): Obj[] {
  return Array.isArray(v) ? v.filter((x): x is Obj => rec(x) !== undefined) : [];
}

/** A `ResourceList`: resource name → quantity. */
export type ResourceList = Map<string, Quantity>;

/** The quantities of a JSON resource list (values that are no quantity are left out). */
export function resourceList(v: unknown): ResourceList {
  const out: ResourceList = new Map();
  for (const [k, raw] of Object.entries(rec(v) ?? {})) {
    const q = Quantity.from(raw);
    if (q) out.set(k, q);
  }
  return out;
}

/** A resource list as JSON (canonical quantity texts). */
export function resourceListJSON(list: ResourceList): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of [...list.keys()].sort()) out[k] = list.get(k)!.toString();
  return out;
}

export const ZERO = Quantity.ofInt(0);

/** `quota.Add`. */
export function addLists(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = new Map(a);
  for (const [k, q] of b) out.set(k, out.has(k) ? out.get(k)!.add(q) : q);
  return out;
}

/** `quota.SubtractWithNonNegativeResult`. */
export function subtractNonNegative(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = new Map();
  for (const [k, q] of a) {
    const d = b.has(k) ? q.sub(b.get(k)!) : q;
    out.set(k, d.sign() < 0 ? ZERO : d);
  }
  return out;
}

/** `quota.Mask`: only the named resources. */
export function mask(list: ResourceList, names: Iterable<string>): ResourceList {
  const out: ResourceList = new Map();
  for (const n of names) if (list.has(n)) out.set(n, list.get(n)!);
  return out;
}

/** `quota.LessThanOrEqual`: whether every resource of `a` named in `b` is within it, and the ones that are not. */
export function lessThanOrEqual(a: ResourceList, b: ResourceList): [boolean, string[]] {
  const exceeded: string[] = [];
  for (const [k, q] of a) {
    const limit = b.get(k);
    if (limit && q.cmp(limit) > 0) exceeded.push(k);
  }
  return [exceeded.length === 0, exceeded];
}

/** `prettyPrint` of the quota admission: `a=1,b=2`, sorted by name. */
export function prettyPrint(list: ResourceList): string {
  return [...list.keys()]
    .sort()
    .map((k) => `${k}=${list.get(k)!.toString()}`)
    .join(",");
}

/** Whether a pod is a mirror pod (`kubernetes.io/config.mirror`). */
export function isMirrorPod(pod: Obj): boolean {
  return Object.hasOwn(rec(rec(pod.metadata)?.annotations) ?? {}, "kubernetes.io/config.mirror");
}

/** The spec of an object, created when missing. */
export function specOf(obj: Obj): Obj {
  const spec = rec(obj.spec);
  if (spec) return spec;
  const fresh: Obj = {};
  obj.spec = fresh;
  return fresh;
}

/**
 * The default class among classes marked with an annotation set to "true" (`getDefaultClass` of the
 * ingress class plugin): the newest, and by name among equally new ones.
 */
export function newestDefault(classes: Obj[], annotations: readonly string[]): Obj | undefined {
  const defaults = classes.filter((c) => {
    const a = rec(rec(c.metadata)?.annotations) ?? {};
    return annotations.some((k) => a[k] === "true");
  });
  defaults.sort((x, y) => {
    const tx = str(rec(x.metadata)?.creationTimestamp);
    const ty = str(rec(y.metadata)?.creationTimestamp);
    if (tx !== ty) return tx > ty ? -1 : 1;
    return str(rec(x.metadata)?.name) < str(rec(y.metadata)?.name) ? -1 : 1;
  });
  return defaults[0];
}
