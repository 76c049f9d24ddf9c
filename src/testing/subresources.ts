/**
 * Subresources with behaviour of their own, keyed by `group/plural/subresource`: pod logs (from
 * text the test sets), evictions, bindings, service account tokens and namespace finalization.
 */
import { isFeatureEnabled } from "../apiserver/features.js";
import { SERVICE_ACCOUNT_ISSUER, type ServiceAccountIssuer, type TokenBinding } from "./service-account-tokens.js";
import type { ServerResponse } from "node:http";
import { labelSelectorString, type LabelSelector } from "../client/selectors.js";
import type { UserInfo } from "./auth.js";
import type { ServedResource } from "./catalog.js";
import { DEFAULT_MAX_WATCH_BACKLOG_BYTES } from "./watch.js";
import { asServed, decodeBody, timestamp, type ApiCall, type ApiReply, type Rest } from "./rest.js";
import { badRequest, conflict, forbidden, invalid, methodNotAllowed, notFound, statusError, successStatus } from "./status.js";
import { identifyAs } from "./decoding.js";
import { fieldError, FieldPath, type FieldError } from "../meta/index.js";
import { applyJson, applyMerge, strategicMergePatch } from "./patching.js";
import { hasProtobuf } from "./protobuf.js";
import { queryBool, queryInt } from "./query.js";
import { matchesLabels, parseLabelSelector } from "./selectors.js";
import type { KubeObject, Store } from "./store.js";
import type { LogLine, PodLogs } from "./pod-runtime.js";
import type { KubeApiError } from "../errors.js";

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** What special subresource handlers can use. */
export interface SubresourceContext {
  rest: Rest;
  store: Store;
  logs: PodLogs;
  /** Whether kubelets run pods (logs then follow the containers' states). */
  kubelet: boolean;
  /** Register a bearer token (service account tokens). */
  addToken(token: string, user: UserInfo): void;
  /** Signs service account tokens. */
  tokens: ServiceAccountIssuer;
  /** The Kubernetes minor served. */
  minor: number;
  /** Most bytes a follower of a stream (`logs?follow=true`) may leave unread before it is dropped. */
  maxBacklogBytes?: number;
}

/** A handler answers with a reply, or streams on the response itself (returns undefined). */
export type SubresourceHandler = (ctx: SubresourceContext, r: ServedResource, call: ApiCall, res: ServerResponse) => ApiReply | undefined;

function podOf(ctx: SubresourceContext, r: ServedResource, call: ApiCall): KubeObject {
  const pod = ctx.store.get(r.storageKey, call.info.namespace ?? "", call.info.name!);
  if (!pod) throw notFound(r, call.info.name!);
  return pod;
}

/** The container a pod log or exec addresses: the one named, or the only one. */
export function containerOf(pod: KubeObject, requested: string | null): string {
  const spec = (pod.spec as Obj | undefined) ?? {};
  const names = [...((spec.containers as Obj[] | undefined) ?? []), ...((spec.initContainers as Obj[] | undefined) ?? []), ...((spec.ephemeralContainers as Obj[] | undefined) ?? [])].map((c) => String(c.name));
  const podName = String(pod.metadata.name);
  if (requested) {
    if (!names.includes(requested)) throw badRequest(`container ${requested} is not valid for pod ${podName}`);
    return requested;
  }
  const main = ((spec.containers as Obj[] | undefined) ?? []).map((c) => String(c.name));
  if (main.length === 1) return main[0]!;
  throw badRequest(`a container name must be specified for pod ${podName}, choose one of: [${main.join(" ")}]`);
}

/** Whether the pod's container has a terminated previous instance (or is told to have restarted). */
function containerStatus(pod: KubeObject, container: string): Obj | undefined {
  const status = isObj(pod.status) ? pod.status : {};
  for (const list of ["containerStatuses", "initContainerStatuses", "ephemeralContainerStatuses"]) {
    const found = (Array.isArray(status[list]) ? (status[list] as Obj[]) : []).find((c) => c.name === container);
    if (found) return found;
  }
  return undefined;
}

const podLog: SubresourceHandler = (ctx, r, call, res) => {
  if (call.info.verb !== "get") throw methodNotAllowed();
  const pod = podOf(ctx, r, call);
  const q = call.query;
  const container = containerOf(pod, q.get("container"));
  const ns = call.info.namespace ?? "";
  const name = call.info.name!;
  const previous = queryBool(q, "previous");
  const follow = queryBool(q, "follow");
  const tail = queryInt(q, "tailLines");
  const since = queryInt(q, "sinceSeconds");
  const limit = queryInt(q, "limitBytes");
  const timestamps = queryBool(q, "timestamps");
  if (tail !== undefined && tail < 0) throw badRequest(`tailLines: Invalid value: ${tail}: must be greater than or equal to 0`);
  if (limit !== undefined && limit < 1) throw invalidLogOptions(name, "limitBytes", limit, "must be greater than 0");
  if (since !== undefined && since < 1) throw invalidLogOptions(name, "sinceSeconds", since, "must be greater than 0");
  const status = containerStatus(pod, container);
  if (ctx.kubelet) {
    // What the kubelet answers for containers it cannot read a log of.
    if (!(pod.spec as Obj | undefined)?.nodeName) throw badRequest(`pod ${name} does not have a host assigned`);
    if (previous) {
      const last = isObj(status?.lastState) ? status.lastState : {};
      if (!isObj(last.terminated)) throw badRequest(`previous terminated container "${container}" in pod "${name}" not found`);
    } else {
      const state = isObj(status?.state) ? status.state : {};
      const ranBefore = isObj(status?.lastState) && isObj((status.lastState as Obj).terminated);
      if (!status || (isObj(state.waiting) && !ranBefore)) {
        const reason = isObj(state.waiting) ? String(state.waiting.reason ?? "ContainerCreating") : "ContainerCreating";
        throw badRequest(`container "${container}" in pod "${name}" is waiting to start: ${reason}`);
      }
    }
  }
  let lines = ctx.logs.lines(ns, name, container, previous) ?? [];
  if (tail !== undefined) lines = tail === 0 ? [] : lines.slice(-tail);
  if (since !== undefined) {
    const cutoff = Date.now() - since * 1000;
    lines = lines.filter((l) => Date.parse(l.time) >= cutoff);
  }
  const render = (l: LogLine) => `${timestamps ? `${l.time} ` : ""}${l.text}\n`;
  let text = lines.map(render).join("");
  if (limit !== undefined) text = Buffer.from(text).subarray(0, limit).toString();
  const terminated = isObj(status?.state) && isObj((status.state as Obj).terminated);
  if (!follow || previous || (ctx.kubelet && terminated)) return { status: 200, body: text };
  res.writeHead(200, { "Content-Type": "text/plain", "Transfer-Encoding": "chunked" });
  res.flushHeaders();
  res.write(text);
  let stop = (): void => undefined;
  const unsubscribe = ctx.store.subscribe(r.storageKey, (e) => {
    if (e.type === "DELETED" && e.object.metadata.name === name && e.object.metadata.namespace === ns) res.end();
  });
  // A follower that stops reading is dropped with its pending output, as a stalled watcher is.
  const allowance = (ctx.maxBacklogBytes ?? DEFAULT_MAX_WATCH_BACKLOG_BYTES) + (res.writableLength ?? 0);
  const write = (l: LogLine): void => {
    if ((res.writableLength ?? 0) > allowance) res.destroy();
    else res.write(render(l));
  };
  stop = ctx.logs.follow(ns, name, container, write, () => res.end());
  res.on("close", () => {
    stop();
    unsubscribe();
  });
  return undefined;
};

function invalidLogOptions(name: string, field: string, value: number, message: string): KubeApiError {
  return statusError(422, "Invalid", `PodLogOptions "${name}" is invalid: ${field}: Invalid value: ${value}: ${message}`);
}

const podEviction: SubresourceHandler = (ctx, r, call) => {
  if (call.info.verb !== "create") throw methodNotAllowed();
  const body = decodeBody(call, "couldn't get version/kind", { apiVersion: "policy/v1", kind: "Eviction" }) as Obj;
  if (!isObj(body)) throw badRequest("the body of the request was not a JSON object");
  // EvictionREST.AcceptsGroupVersion: policy/v1 and policy/v1beta1 Evictions are both taken.
  const beta = body.apiVersion === "policy/v1beta1" && (body.kind === undefined || body.kind === "Eviction");
  if (!beta) identifyAs({ group: "policy", apiVersion: "policy/v1", kind: "Eviction" }, body, hasProtobuf);
  // EvictionREST.Create: the Eviction names the pod of the URL (an Eviction without a name does not).
  const named = isObj(body.metadata) && typeof body.metadata.name === "string" ? body.metadata.name : "";
  if (named !== call.info.name) throw badRequest("name in URL does not match name in Eviction object");
  // Admission sees the Eviction before the pod is looked at (EvictionREST's createValidation).
  const { object: eviction, warnings } = ctx.rest.admitSubresource(call, r, "CREATE", withNamespace(body, call), undefined, { group: "policy", version: beta ? "v1beta1" : "v1", kind: "Eviction" });
  const pod = podOf(ctx, r, call);
  const options = isObj(eviction.deleteOptions) ? eviction.deleteOptions : {};
  const dryRun = call.query.getAll("dryRun").includes("All") || (Array.isArray(options.dryRun) && options.dryRun.includes("All"));
  if (!canIgnoreDisruptionBudget(pod)) checkDisruptionBudget(ctx, pod, dryRun);
  // The pod is deleted with the Eviction's delete options (preconditions, propagation, dry run),
  // without admission of its own (`rest.ValidateAllObjectFunc`).
  const { webhooks: _w, ...rest } = call;
  const deleteCall: ApiCall = {
    ...rest,
    info: { ...call.info, verb: "delete", subresource: undefined },
    body: Buffer.from(JSON.stringify({ apiVersion: "meta.k8s.io/v1", kind: "DeleteOptions", ...options })),
    contentType: "application/json",
  };
  ctx.rest.delete(deleteCall);
  return { status: 201, body: { ...successStatus(), code: 201 }, ...(warnings.length ? { warnings } : {}) };
};

/** A subresource's object with the request's namespace, as the create handler fills it in. */
function withNamespace(body: Obj, call: ApiCall): Obj {
  const meta = isObj(body.metadata) ? body.metadata : {};
  if (call.info.namespace === undefined || (typeof meta.namespace === "string" && meta.namespace)) return body;
  return { ...body, metadata: { ...meta, namespace: call.info.namespace } };
}

/** `canIgnorePDB`: a pod that is done, not yet running or already going is deleted without a budget check. */
function canIgnoreDisruptionBudget(pod: KubeObject): boolean {
  const phase = (pod.status as Obj | undefined)?.phase;
  return phase === "Succeeded" || phase === "Failed" || phase === "Pending" || Boolean(pod.metadata.deletionTimestamp);
}

const PDB_STORAGE_KEY = "policy/poddisruptionbudgets";
/** eviction.go's `MaxDisruptedPodSize`. */
const MAX_DISRUPTED_POD_SIZE = 2000;

/** Whether a pod's Ready condition is True. */
function podReady(pod: KubeObject): boolean {
  const conditions = (pod.status as Obj | undefined)?.conditions;
  return Array.isArray(conditions) && conditions.some((c) => isObj(c) && c.type === "Ready" && c.status === "True");
}

/**
 * kube-apiserver's eviction check: a pod covered by one PodDisruptionBudget may go only while the
 * budget (as its controller last computed it) allows a disruption; the allowance is then used up
 * and the pod recorded among the budget's disrupted pods (not in a dry run). A pod that is not
 * ready goes without using the allowance while the budget has its healthy pods. No controller runs
 * here, so a budget without status refuses, as a real cluster does until its disruption
 * controller has processed it.
 */
function checkDisruptionBudget(ctx: SubresourceContext, pod: KubeObject, dryRun: boolean): void {
  const labels = (pod.metadata.labels as Record<string, unknown> | undefined) ?? {};
  const budgets = ctx.store.list(PDB_STORAGE_KEY, String(pod.metadata.namespace ?? "")).filter((pdb) => {
    const selector = (pdb.spec as Obj | undefined)?.selector as LabelSelector | undefined;
    return selector !== undefined && matchesLabels(parseLabelSelector(labelSelectorString(selector)), labels);
  });
  if (!budgets.length) return;
  if (budgets.length > 1) throw statusError(500, "InternalError", "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.");
  const pdb = budgets[0]!;
  const name = String(pdb.metadata.name);
  const status = (pdb.status as Obj | undefined) ?? {};
  const desired = Number(status.desiredHealthy ?? 0);
  if (!podReady(pod) && Number(status.currentHealthy ?? 0) >= desired && desired > 0) return;
  const refuse = (cause: string) =>
    statusError(429, "TooManyRequests", "Cannot evict pod as it would violate the pod's disruption budget.", {
      causes: [{ reason: "DisruptionBudget", message: cause }],
    });
  if (Number(status.observedGeneration ?? 0) < Number(pdb.metadata.generation ?? 1)) {
    throw refuse(`The disruption budget ${name} is still being processed by the server.`);
  }
  const allowed = Number(status.disruptionsAllowed ?? 0);
  // policy.Resource("poddisruptionbudget"): the singular, as eviction.go names it.
  const refuseForbidden = (why: string) => forbidden({ group: "policy", plural: "poddisruptionbudget" }, name, why);
  if (allowed < 0) throw refuseForbidden("pdb disruptions allowed is negative");
  const disrupted = isObj(status.disruptedPods) ? status.disruptedPods : {};
  if (Object.keys(disrupted).length > MAX_DISRUPTED_POD_SIZE) throw refuseForbidden("DisruptedPods map too big - too many evictions not confirmed by PDB controller");
  if (allowed === 0) {
    throw refuse(`The disruption budget ${name} needs ${desired} healthy pods and has ${Number(status.currentHealthy ?? 0)} currently`);
  }
  if (dryRun) return;
  const disruptedPods = { ...disrupted, [String(pod.metadata.name)]: timestamp() };
  ctx.store.update(PDB_STORAGE_KEY, { ...pdb, status: { ...status, disruptionsAllowed: allowed - 1, disruptedPods } }, pdb);
}

const podBinding: SubresourceHandler = (ctx, r, call) => {
  if (call.info.verb !== "create") throw methodNotAllowed();
  const sent = decodeBody(call, "couldn't get version/kind") as Obj;
  if (!isObj(sent)) throw badRequest("the body of the request was not a JSON object");
  // Admission sees the Binding (BindingREST's createValidation), before the pod is assigned.
  const { object: body, warnings } = ctx.rest.admitSubresource(call, r, "CREATE", withNamespace(sent, call), undefined, { group: "", version: "v1", kind: "Binding" });
  const target = (body.target as Obj | undefined) ?? {};
  const pod = podOf(ctx, r, call);
  const spec = (pod.spec as Obj | undefined) ?? {};
  if (spec.nodeName) throw conflict(r, String(pod.metadata.name), `pod ${String(pod.metadata.name)} is already assigned to node "${String(spec.nodeName)}"`);
  if (pod.metadata.deletionTimestamp) throw conflict(r, String(pod.metadata.name), `pod ${String(pod.metadata.name)} is being deleted, cannot be assigned to a host`);
  // Stored objects are never changed in place: the new one shares what the binding leaves alone.
  const next: KubeObject = { ...pod, spec: { ...spec, nodeName: String(target.name ?? "") } };
  // The binding marks the pod scheduled, as the registry's binding does.
  const status = isObj(next.status) ? next.status : {};
  const conditions = (Array.isArray(status.conditions) ? (status.conditions as Obj[]) : []).filter((c) => c.type !== "PodScheduled");
  next.status = { ...status, conditions: [...conditions, { type: "PodScheduled", status: "True", lastTransitionTime: timestamp() }] };
  ctx.store.update(r.storageKey, next, pod);
  return { status: 201, body: { ...successStatus(), code: 201 }, ...(warnings.length ? { warnings } : {}) };
};

const MAX_TOKEN_SECONDS = 2 ** 32;

/** `boundObjects`: what a TokenRequest's `boundObjectRef` names, read from the store (its errors as kube-apiserver answers them). */
function tokenBinding(ctx: SubresourceContext, saName: string, namespace: string, ref: unknown): TokenBinding | undefined {
  if (!isObj(ref)) return undefined;
  const apiVersion = String(ref.apiVersion ?? "");
  const kind = String(ref.kind ?? "");
  const name = String(ref.name ?? "");
  const group = apiVersion.includes("/") ? apiVersion.split("/")[0]! : "";
  const get = (plural: string, ns: string): KubeObject => {
    const obj = ctx.store.get(`/${plural}`, ns, name);
    if (!obj) throw statusError(404, "NotFound", `${plural} "${name}" not found`, { name, kind: plural });
    return obj;
  };
  let binding: TokenBinding;
  let uid: string;
  if (group === "" && kind === "Pod") {
    const pod = get("pods", namespace);
    if ((pod.spec as Obj | undefined)?.serviceAccountName !== saName) throw badRequest(`cannot bind token for serviceaccount ${JSON.stringify(saName)} to pod running with different serviceaccount name.`);
    uid = String(pod.metadata.uid);
    binding = { pod: { name, uid } };
    const nodeName = (pod.spec as Obj).nodeName;
    if (typeof nodeName === "string" && nodeName && isFeatureEnabled("ServiceAccountTokenPodNodeInfo", ctx.minor)) {
      const node = ctx.store.get("/nodes", "", nodeName);
      binding.node = node ? { name: nodeName, uid: String(node.metadata.uid) } : { name: nodeName };
    }
  } else if (group === "" && kind === "Node") {
    if (!isFeatureEnabled("ServiceAccountTokenNodeBinding", ctx.minor)) throw badRequest(`cannot bind token to a Node object as the "ServiceAccountTokenNodeBinding" feature-gate is disabled`);
    uid = String(get("nodes", "").metadata.uid);
    binding = { node: { name, uid } };
  } else if (group === "" && kind === "Secret") {
    uid = String(get("secrets", namespace).metadata.uid);
    binding = { secret: { name, uid } };
  } else {
    // schema.GroupVersionKind's String(): "group/version, Kind=kind".
    const version = apiVersion.includes("/") ? apiVersion.split("/")[1]! : apiVersion;
    throw badRequest(`cannot bind token to object of type ${group}/${version}, Kind=${kind}`);
  }
  if (ref.uid && ref.uid !== uid) {
    // NewConflict names the resource by the Kind, as kube-apiserver's token REST does.
    throw conflict({ group, plural: kind }, name, `the UID in the bound object reference (${String(ref.uid)}) does not match the UID in record. The object might have been deleted and then recreated`);
  }
  return binding;
}

const serviceAccountToken: SubresourceHandler = (ctx, r, call) => {
  if (call.info.verb !== "create") throw methodNotAllowed();
  const sa = ctx.store.get(r.storageKey, call.info.namespace ?? "", call.info.name!);
  if (!sa) throw notFound(r, call.info.name!);
  const sent = decodeBody(call, "couldn't get version/kind") as Obj;
  if (!isObj(sent)) throw badRequest("the body of the request was not a JSON object");
  // Admission sees the TokenRequest (a CREATE on the token subresource).
  const { object: body } = ctx.rest.admitSubresource(call, r, "CREATE", withNamespace(sent, call), undefined, { group: "authentication.k8s.io", version: "v1", kind: "TokenRequest" });
  const spec = (body.spec as Obj | undefined) ?? {};
  const seconds = spec.expirationSeconds === undefined ? 3600 : Number(spec.expirationSeconds);
  // ValidateTokenRequest; kube-apiserver names no object in the error.
  const tooShort = !Number.isInteger(seconds) || seconds < 600;
  if (tooShort || seconds > MAX_TOKEN_SECONDS) {
    const detail = tooShort ? "may not specify a duration less than 10 minutes" : "may not specify a duration larger than 2^32 seconds";
    throw statusError(422, "Invalid", `TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: ${seconds}: ${detail}`);
  }
  const ns = call.info.namespace ?? "";
  const name = call.info.name!;
  const audiences = Array.isArray(spec.audiences) && spec.audiences.length ? spec.audiences.map(String) : [SERVICE_ACCOUNT_ISSUER];
  const binding = tokenBinding(ctx, name, ns, spec.boundObjectRef);
  const issued = Date.now();
  const { token } = ctx.tokens.boundToken({ namespace: ns, name, uid: String(sa.metadata.uid) }, { seconds, audiences, ...(binding ? { binding } : {}), jti: isFeatureEnabled("ServiceAccountTokenJTI", ctx.minor), now: issued });
  const username = `system:serviceaccount:${ns}:${name}`;
  ctx.addToken(token, { username, groups: ["system:serviceaccounts", `system:serviceaccounts:${ns}`, "system:authenticated"] });
  return {
    status: 201,
    body: {
      kind: "TokenRequest",
      apiVersion: "authentication.k8s.io/v1",
      metadata: { name, namespace: ns, creationTimestamp: timestamp(new Date(issued)) },
      spec: { ...spec, expirationSeconds: seconds, audiences, boundObjectRef: spec.boundObjectRef ?? null },
      status: { token, expirationTimestamp: timestamp(new Date(issued + seconds * 1000)) },
    },
  };
};

/**
 * A legacy service account token (the tokens controller's, for Secrets of type
 * `kubernetes.io/service-account-token`): it never expires and authenticates the account.
 */
export function legacyServiceAccountToken(ctx: SubresourceContext, namespace: string, name: string, uid: string): string {
  const username = `system:serviceaccount:${namespace}:${name}`;
  const token = ctx.tokens.legacyToken({ namespace, name, uid }, `${name}-token`);
  ctx.addToken(token, { username, groups: ["system:serviceaccounts", `system:serviceaccounts:${namespace}`, "system:authenticated"] });
  return token;
}

const namespaceFinalize: SubresourceHandler = (ctx, r, call) => {
  if (call.info.verb !== "update") throw methodNotAllowed();
  const sent = decodeBody(call, "couldn't get version/kind") as Obj;
  if (!isObj(sent)) throw badRequest("the body of the request was not a JSON object");
  const ns = ctx.store.get(r.storageKey, "", call.info.name!);
  if (!ns) throw notFound(r, call.info.name!);
  // Admission sees the Namespace sent and the stored one (an UPDATE on the finalize subresource).
  const { object: body } = ctx.rest.admitSubresource(call, r, "UPDATE", sent, asServed(ns, r), { group: "", version: "v1", kind: "Namespace" });
  const finalizers = ((body.spec as Obj | undefined)?.finalizers as string[] | undefined) ?? [];
  const next = structuredClone(ns);
  next.spec = { ...((ns.spec as Obj | undefined) ?? {}), finalizers };
  if (!finalizers.length) delete (next.spec as Obj).finalizers;
  if (ns.metadata.deletionTimestamp && !finalizers.length && !((ns.metadata.finalizers as unknown[] | undefined)?.length)) {
    const last = ctx.store.delete(r.storageKey, next);
    return { status: 200, body: asServed(last, r) };
  }
  const stored = ctx.store.update(r.storageKey, next, ns);
  return { status: 200, body: asServed(stored, r) };
};

const FORBIDDEN_IN_EPHEMERAL = ["ports", "livenessProbe", "readinessProbe", "startupProbe", "lifecycle", "resources", "resizePolicy"];

/** A pull policy as defaulting picks it: Always for `:latest` or untagged images. */
function pullPolicy(image: string): string {
  const tag = image.includes("@") ? "digest" : (/:([^/:]+)$/.exec(image)?.[1] ?? "latest");
  return tag === "latest" ? "Always" : "IfNotPresent";
}

/**
 * `pods/ephemeralcontainers` (`kubectl debug`): reads the Pod; writes may only add ephemeral
 * containers — existing ones cannot change, names must be unique among all containers, and the
 * fields an ephemeral container may not have are refused as kube-apiserver's validation does.
 */
const podEphemeralContainers: SubresourceHandler = (ctx, r, call) => {
  const pod = podOf(ctx, r, call);
  if (call.info.verb === "get") return { status: 200, body: asServed(pod, r) };
  if (call.info.verb !== "update" && call.info.verb !== "patch") throw methodNotAllowed();
  const type = call.contentType.split(";")[0]!.trim().toLowerCase();
  const body = decodeBody(call, "couldn't get version/kind", { apiVersion: "v1", kind: "Pod" });
  let next: Obj;
  if (call.info.verb === "update") next = body as Obj;
  else if (type === "application/json-patch+json") next = applyJson(asServed(pod, r), body) as Obj;
  else if (type === "application/merge-patch+json") next = applyMerge(asServed(pod, r), body) as Obj;
  else if (type === "application/strategic-merge-patch+json") next = strategicMergePatch(r.schema, asServed(pod, r), body) as Obj;
  else throw statusError(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json`);
  if (!isObj(next)) throw badRequest("the body of the request was not a JSON object");
  // Admission sees the Pod as the write makes it and as stored (an UPDATE on ephemeralcontainers).
  next = ctx.rest.admitSubresource(call, r, "UPDATE", next, asServed(pod, r), { group: "", version: "v1", kind: "Pod" }).object;
  const spec = isObj(pod.spec) ? pod.spec : {};
  const before = Array.isArray(spec.ephemeralContainers) ? (spec.ephemeralContainers as Obj[]) : [];
  const after = (isObj(next.spec) && Array.isArray(next.spec.ephemeralContainers) ? (next.spec.ephemeralContainers as Obj[]) : []).map((c) => (isObj(c) ? { ...c } : {}));
  const name = String(pod.metadata.name);
  const errors: FieldError[] = [];
  const field = (i: number, name: string) => FieldPath.of("spec", "ephemeralContainers").index(i).child(name);
  for (const old of before) {
    const now = after.find((c) => c.name === old.name);
    if (!now || JSON.stringify(now) !== JSON.stringify(old)) {
      errors.push(fieldError("FieldValueForbidden", FieldPath.of("spec", "ephemeralContainers"), `existing ephemeral containers ${JSON.stringify(old.name)} may not be removed`));
    }
  }
  const taken = new Set([...((spec.containers as Obj[] | undefined) ?? []), ...((spec.initContainers as Obj[] | undefined) ?? [])].map((c) => String(c.name)));
  const empty = (v: unknown) => v === undefined || v === null || (Array.isArray(v) && !v.length) || (isObj(v) && !Object.keys(v).length);
  after.forEach((c, i) => {
    if (before.some((b) => b.name === c.name)) return;
    if (typeof c.name !== "string" || !c.name) errors.push(fieldError("FieldValueRequired", field(i, "name"), ""));
    else if (taken.has(c.name)) errors.push(fieldError("FieldValueDuplicate", field(i, "name"), "", c.name));
    if (typeof c.image !== "string" || !c.image) errors.push(fieldError("FieldValueRequired", field(i, "image"), ""));
    for (const f of FORBIDDEN_IN_EPHEMERAL) if (!empty(c[f])) errors.push(fieldError("FieldValueForbidden", field(i, f), "cannot be set for an Ephemeral Container"));
    taken.add(String(c.name));
    c.terminationMessagePath ??= "/dev/termination-log";
    c.terminationMessagePolicy ??= "File";
    if (typeof c.image === "string") c.imagePullPolicy ??= pullPolicy(c.image);
  });
  if (errors.length) throw invalid("Pod", "", name, errors);
  const stored = structuredClone(pod);
  stored.spec = { ...spec, ephemeralContainers: after };
  if (!after.length) delete (stored.spec as Obj).ephemeralContainers;
  const updated = JSON.stringify(stored.spec) === JSON.stringify(pod.spec) ? pod : ctx.store.update(r.storageKey, stored, pod);
  return { status: 200, body: asServed(updated, r) };
};

/** Special subresources by `group/plural/subresource`. */
export const subresourceHandlers: Record<string, SubresourceHandler> = {
  "/pods/log": podLog,
  "/pods/eviction": podEviction,
  "/pods/binding": podBinding,
  "/pods/ephemeralcontainers": podEphemeralContainers,
  "/serviceaccounts/token": serviceAccountToken,
  "/namespaces/finalize": namespaceFinalize,
};
