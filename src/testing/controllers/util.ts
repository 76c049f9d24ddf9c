/**
 * Pieces the controllers share, as kubernetes/kubernetes' `pkg/controller` has them: controller
 * references, label selector matching, conditions, pod readiness and availability, template hashes.
 */
import type { KubeObject } from "../store.js";

type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A nested object field (created empty when missing is not wanted: returns {}). */
export function obj(v: unknown): Obj {
  return isObj(v) ? v : {};
}

export function arr<T = Obj>(v: unknown): T[] {
  return Array.isArray(v) ? (v as T[]) : [];
}

/** RFC 3339 with whole seconds, as the apiserver and controllers write times. */
export function rfc3339(ms: number): string {
  if (ms === lastTime.ms) return lastTime.text;
  const iso = new Date(ms).toISOString();
  const text = iso.length === 24 ? `${iso.slice(0, 19)}Z` : iso.replace(/\.\d+Z$/, "Z");
  lastTime.ms = ms;
  lastTime.text = text;
  return text;
}

/** The last time written (controllers write the same moment many times over). */
const lastTime = { ms: Number.NaN, text: "" };

/** MicroTime as the API writes it: RFC 3339 with microseconds. */
export function microTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 19)}.${iso.slice(20, 23)}000Z`;
}

/** A reference that makes `owner` the controller of an object (`metav1.NewControllerRef`). */
export function controllerRef(owner: KubeObject, apiVersion: string, kind: string): Obj {
  return { apiVersion, kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true };
}

/** The controller reference of an object, if any (`metav1.GetControllerOf`). */
export function controllerOf(o: KubeObject): Obj | undefined {
  return arr(o.metadata.ownerReferences).find((r) => r.controller === true);
}

/** Whether an object's controller is the owner (by uid). */
export function controlledBy(o: KubeObject, owner: KubeObject): boolean {
  return controllerOf(o)?.uid === owner.metadata.uid;
}

/**
 * One requirement of a selector against labels (`labels.Requirement.Matches`); `Gt` and `Lt`
 * (numeric) only where `numeric` allows them, as node selector requirements do.
 */
function requirementMatches(e: Obj, labels: Obj, numeric: boolean): boolean {
  const key = String(e.key);
  const values = arr<string>(e.values);
  const has = Object.hasOwn(labels, key);
  const v = String(labels[key] ?? "");
  switch (e.operator) {
    case "In":
      return has && values.includes(v);
    case "NotIn":
      return !has || !values.includes(v);
    case "Exists":
      return has;
    case "DoesNotExist":
      return !has;
    case "Gt":
    case "Lt": {
      const n = Number(v);
      const bound = Number(values[0]);
      return numeric && has && Number.isFinite(n) && (e.operator === "Gt" ? n > bound : n < bound);
    }
    default:
      return false;
  }
}

/** `metav1.LabelSelectorAsSelector(...).Matches(labels)`; an empty selector selects everything, a missing one nothing. */
export function selectorMatches(selector: unknown, labels: unknown): boolean {
  if (!isObj(selector)) return false;
  const l = obj(labels);
  for (const [k, v] of Object.entries(obj(selector.matchLabels))) if (l[k] !== v) return false;
  return arr(selector.matchExpressions).every((e) => requirementMatches(e, l, false));
}

/** Whether a node term of required node affinity matches a node. */
export function nodeSelectorTermMatches(term: Obj, node: KubeObject): boolean {
  const labels = obj(node.metadata.labels);
  if (!arr(term.matchExpressions).every((e) => requirementMatches(e, labels, true))) return false;
  for (const f of arr(term.matchFields)) {
    if (f.key !== "metadata.name") return false;
    const values = arr<string>(f.values);
    const name = String(node.metadata.name);
    if (f.operator === "In" && !values.includes(name)) return false;
    if (f.operator === "NotIn" && values.includes(name)) return false;
  }
  return true;
}

/** A plain label map selector (`Service.spec.selector`, `nodeSelector`). */
export function labelsMatch(selector: unknown, labels: unknown): boolean {
  const l = obj(labels);
  return Object.entries(obj(selector)).every(([k, v]) => l[k] === v);
}

/**
 * The port a Service port reaches on a pod: a number, or a named container port of the same
 * protocol (`podutil.FindPort`).
 */
export function targetPort(pod: KubeObject, port: Obj): number | undefined {
  const target = port.targetPort ?? port.port;
  if (typeof target === "number") return target;
  if (typeof target === "string" && /^\d+$/.test(target)) return Number(target);
  for (const c of arr(obj(pod.spec).containers)) {
    for (const p of arr(c.ports)) if (p.name === target && (p.protocol ?? "TCP") === (port.protocol ?? "TCP")) return Number(p.containerPort);
  }
  return undefined;
}

/** How long a controller whose create was refused waits before it tries again (its rate-limited requeue). */
export const FAILED_CREATE_RETRY_MS = 5000;

/**
 * `slowStartBatch`: `create` is called in batches of 1, 2, 4, … and a batch with a failure ends
 * the run (the rest are skipped until the retry). Returns how many calls failed.
 */
export function slowStartBatch(count: number, create: (index: number) => boolean): number {
  let failed = 0;
  for (let done = 0, batch = Math.min(count, 1); batch > 0 && !failed; done += batch, batch = Math.min(2 * batch, count - done)) {
    for (let i = done; i < done + batch; i++) if (!create(i)) failed++;
  }
  return failed;
}

/** A status condition. */
export interface Condition extends Obj {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

/**
 * Set a condition as the controllers' `SetXCondition` helpers do: nothing changes when status and
 * reason are the same; the transition time is kept when only the reason or message changes; the
 * condition moves to the end of the list.
 */
export function setCondition(conditions: Condition[], condition: Condition): Condition[] {
  const current = conditions.find((c) => c.type === condition.type);
  if (current && current.status === condition.status && current.reason === condition.reason) return conditions;
  const next = { ...condition };
  if (current && current.status === condition.status && current.lastTransitionTime) next.lastTransitionTime = current.lastTransitionTime;
  return [...conditions.filter((c) => c.type !== condition.type), next];
}

export function conditionOf(o: unknown, type: string): Condition | undefined {
  return arr<Condition>(obj(o).conditions).find((c) => c.type === type);
}

export function removeCondition(conditions: Condition[], type: string): Condition[] {
  return conditions.filter((c) => c.type !== type);
}

/** `podutil.IsPodReady`. */
export function podReady(pod: KubeObject): boolean {
  return conditionOf(pod.status, "Ready")?.status === "True";
}

/** `podutil.IsPodAvailable`: ready for at least minReadySeconds. */
export function podAvailable(pod: KubeObject, minReadySeconds: number, now: number): boolean {
  const ready = conditionOf(pod.status, "Ready");
  if (ready?.status !== "True") return false;
  if (minReadySeconds <= 0) return true;
  const since = Date.parse(String(ready.lastTransitionTime ?? ""));
  return Number.isFinite(since) && since + minReadySeconds * 1000 <= now;
}

/** `controller.IsPodActive`: not terminal and not being deleted. */
export function podActive(pod: KubeObject): boolean {
  const phase = obj(pod.status).phase;
  return phase !== "Succeeded" && phase !== "Failed" && !pod.metadata.deletionTimestamp;
}

export function podPhase(pod: KubeObject): string {
  return String(obj(pod.status).phase ?? "Pending");
}

/** FNV-1a, 32 bits (Go's `hash/fnv` New32a). */
export function fnv32a(text: string): number {
  let h = 0x811c9dc5;
  const bytes = Buffer.from(text, "utf8");
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

const SAFE_ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789";

/** apimachinery's `rand.SafeEncodeString`: each character mapped into consonants and digits that spell no words. */
export function safeEncode(s: string): string {
  let out = "";
  for (const ch of s) out += SAFE_ALPHANUMS[ch.codePointAt(0)! % SAFE_ALPHANUMS.length];
  return out;
}

/** JSON with object keys sorted, so equal objects hash equally. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (isObj(v)) {
    return `{${Object.keys(v)
      .filter((k) => v[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}

/** `controller.ComputeHash`: a template's hash (with the collision count), safe-encoded. */
export function computeHash(template: unknown, collisionCount?: number): string {
  const suffix = collisionCount === undefined ? "" : `#${collisionCount}`;
  return safeEncode(String(fnv32a(canonicalJson(template) + suffix)));
}

/** The object without the listed fields that are zero (Go's `omitempty` on plain number fields). */
export function omitZero<T extends Obj>(o: T, keys: readonly string[]): T {
  const out: Obj = { ...o };
  for (const k of keys) if (out[k] === 0 || out[k] === undefined) delete out[k];
  return out as T;
}

/** A deep copy. */
export function clone<T>(v: T): T {
  return structuredClone(v);
}

/** Same JSON (key order ignored). */
export function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!same(a[i], b[i])) return false;
    return true;
  }
  if (isObj(a)) {
    if (!isObj(b)) return false;
    // Members set to undefined are absent, as in JSON.
    let count = 0;
    for (const k of Object.keys(a)) {
      if (a[k] === undefined) continue;
      count++;
      if (!Object.hasOwn(b, k) || !same(a[k], b[k])) return false;
    }
    for (const k of Object.keys(b)) if (b[k] !== undefined) count--;
    return count === 0;
  }
  if (typeof a === "object" || typeof b === "object") return canonicalJson(a) === canonicalJson(b);
  return JSON.stringify(a) === JSON.stringify(b);
}

/** `intstr.GetScaledValueFromIntOrPercent`. */
export function scaledValue(v: unknown, total: number, roundUp: boolean): number {
  if (typeof v === "number") return v;
  if (typeof v === "string") {
    const m = /^(\d+)%$/.exec(v);
    if (m) {
      const exact = (Number(m[1]) * total) / 100;
      return roundUp ? Math.ceil(exact) : Math.floor(exact);
    }
    const n = Number(v);
    if (Number.isInteger(n)) return n;
  }
  return 0;
}

/** Random-looking but reproducible lowercase hex for ids (container ids, image digests). */
export function hexId(seed: string, length = 64): string {
  const key = `${length}\u0000${seed}`;
  const known = hexIds.get(key);
  if (known !== undefined) return known;
  let out = "";
  for (let i = 0; out.length < length; i++) out += fnv32a(`${seed}#${i}`).toString(16).padStart(8, "0");
  out = out.slice(0, length);
  hexIds.set(key, out);
  if (hexIds.size > 4096) hexIds.delete(hexIds.keys().next().value!);
  return out;
}

/** Ids asked for again (image ids, container ids of a pod on every status write). */
const hexIds = new Map<string, string>();
