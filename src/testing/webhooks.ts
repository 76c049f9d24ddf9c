/**
 * Admission webhooks in the local API server: the ValidatingWebhookConfigurations and
 * MutatingWebhookConfigurations stored in it are called over HTTPS on every write from a client,
 * as kube-apiserver calls them. The REST layer is synchronous, so a write that reaches a webhook
 * phase pauses ({@link WebhookPause}); the server calls the webhooks and runs the write again with
 * their outcome ({@link runWithWebhooks}). The rules live in `apiserver/admission/webhooks`.
 */
import { randomUUID } from "node:crypto";
import * as https from "node:https";
import * as http from "node:http";
import { isIP } from "node:net";
import {
  dispatchMutating,
  dispatchValidating,
  isExemptFromWebhooks,
  shouldCallWebhook,
  webhooksFrom,
  type WebhookAttributes,
  type WebhookCallResult,
  type WebhookDefinition,
  type WebhookOutcome,
} from "../apiserver/admission/index.js";
import type { EquivalentResource, NamespaceLabels } from "../apiserver/admission/index.js";
import type { Catalog, ServedResource } from "./catalog.js";
import { statusError } from "./status.js";
import type { KubeObject, Store } from "./store.js";

type Obj = Record<string, unknown>;

/** A Service a webhook names. */
export interface WebhookService {
  namespace: string;
  name: string;
  port: number;
}

/**
 * Where the Services that webhooks name are reached: by `"namespace/name"` (or
 * `"namespace/name:port"`), a base URL such as `https://127.0.0.1:8443`; or a function. A
 * Service not resolved is dialled as `https://name.namespace.svc:port`, as inside a cluster.
 *
 * @example
 * const services: WebhookServices = { "webhooks/policy": "https://127.0.0.1:9443" };
 */
export type WebhookServices = Record<string, string> | ((service: WebhookService) => string | undefined);

/** The stage of admission a write paused at. */
export type WebhookStage = "mutating" | "validating";

/** A write paused before a webhook phase: the server calls the webhooks and runs the write again. */
export class WebhookPause extends Error {
  constructor(
    readonly stage: WebhookStage,
    readonly attributes: WebhookAttributes,
    readonly hooks: readonly WebhookDefinition[],
    /** Converts the object to another served version of its resource, for webhooks matched through an equivalent one. */
    readonly convert?: ObjectConverter,
  ) {
    super(`admission paused for ${stage} webhooks`);
  }
}

/**
 * What the registry fills in on create before validating admission (`FillObjectMetaSystemFields`
 * and name generation): kept from the run the validating webhooks saw, so that the object stored
 * is the one they were shown.
 */
export interface CreatedIdentity {
  name?: string;
  uid?: string;
  creationTimestamp?: string;
}

/** The webhook outcomes of one request, carried across runs of the write. */
export interface WebhookState {
  results: Partial<Record<WebhookStage, WebhookOutcome>>;
  /** The system fields of a created object the validating webhooks were shown. */
  identity?: CreatedIdentity;
  /** Outcomes of writes made again by a reconcile (the controllers' writes), found by what they admit. */
  shared?: WebhookOutcomes;
  /** The shared outcomes this write used (released once it is done). */
  used?: string[];
}

/** The fields a create's validating phase is identified without: they are new on every run of the write. */
function withoutIdentity(a: WebhookAttributes): { name: string; object: unknown } {
  if (a.operation !== "CREATE" || !a.object || typeof a.object.metadata !== "object" || a.object.metadata === null) return { name: a.name, object: a.object ?? null };
  const { uid: _u, creationTimestamp: _c, managedFields: _m, ...meta } = a.object.metadata as Obj;
  const generated = typeof meta.generateName === "string" && meta.generateName !== "";
  if (generated) delete meta.name;
  return { name: generated ? "" : a.name, object: { ...a.object, metadata: meta } };
}

/** The system fields of a created object shown to validating webhooks. */
function identityOf(a: WebhookAttributes): CreatedIdentity | undefined {
  const meta = a.operation === "CREATE" && a.object && typeof a.object.metadata === "object" && a.object.metadata !== null ? (a.object.metadata as Obj) : undefined;
  if (!meta) return undefined;
  const pick = (k: string) => (typeof meta[k] === "string" ? { [k]: meta[k] as string } : {});
  return { ...pick("name"), ...pick("uid"), ...pick("creationTimestamp") };
}

/** The ServiceAccount plugin's token volume name: its random suffix is new on every run of the write too. */
const TOKEN_VOLUME = /"kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}"/g;

function outcomeKey(stage: WebhookStage, a: WebhookAttributes): string {
  const { name, object } = withoutIdentity(a);
  return JSON.stringify([stage, a.operation, a.group, a.resource, a.subResource, a.namespace, name, a.userInfo.username, a.dryRun, object, a.oldObject ?? null]).replace(TOKEN_VOLUME, '"kube-api-access-"');
}

/**
 * Webhook outcomes of the simulated controllers' writes: a controller's write that reaches a
 * webhook pauses its reconcile, the webhooks are called, and the reconcile runs again; its same
 * write then finds the outcome here (each outcome serves one write).
 *
 * @example
 * const outcomes = new WebhookOutcomes();
 * outcomes.put(pause, await dispatchPause(pause, transport, store));
 */
export class WebhookOutcomes {
  private readonly byKey = new Map<string, { outcome: WebhookOutcome; identity?: CreatedIdentity }>();
  /** How many writes found their outcome (a reconcile that paused again after using one made progress). */
  uses = 0;

  /** What identifies a paused write's phase. */
  keyOf(pause: WebhookPause): string {
    return outcomeKey(pause.stage, pause.attributes);
  }

  put(pause: WebhookPause, outcome: WebhookOutcome): void {
    const identity = pause.stage === "validating" ? identityOf(pause.attributes) : undefined;
    this.byKey.set(outcomeKey(pause.stage, pause.attributes), { outcome, ...(identity ? { identity } : {}) });
  }

  /** The outcome for a write's phase, if its webhooks were called (with the created object's system fields they saw). */
  find(stage: WebhookStage, a: WebhookAttributes): { key: string; outcome: WebhookOutcome; identity?: CreatedIdentity } | undefined {
    const key = outcomeKey(stage, a);
    const hit = this.byKey.get(key);
    if (!hit) return undefined;
    this.uses++;
    return { key, ...hit };
  }

  /** Forget the outcomes a finished write used. */
  release(keys: readonly string[] | undefined): void {
    for (const k of keys ?? []) this.byKey.delete(k);
  }
}

/** What the webhook phases read from the server. */
export interface WebhookContext {
  catalog: Catalog;
  store: Store;
  minor: number;
  /** How a write's object is converted for webhooks matched through an equivalent resource (default: relabelled). */
  converter?: (w: WebhookWrite) => ObjectConverter;
}

const GROUP = "admissionregistration.k8s.io";

const cache = new WeakMap<Store, { key: string; hooks: ReturnType<typeof webhooksFrom> }>();
/** Where the configurations are stored (built-in kinds: the same for the catalog's life). */
const configKeys = new WeakMap<Catalog, string[]>();

const NONE: ReturnType<typeof webhooksFrom> = { mutating: [], validating: [] };

/** The webhooks stored in the server (re-read only when a configuration changed). */
function storedWebhooks(ctx: WebhookContext): ReturnType<typeof webhooksFrom> {
  let keys = configKeys.get(ctx.catalog);
  if (!keys) {
    keys = [...new Set(ctx.catalog.all().filter((r) => r.group === GROUP && /^(Validating|Mutating)WebhookConfiguration$/.test(r.kind)).map((r) => r.storageKey))];
    configKeys.set(ctx.catalog, keys);
  }
  const configs = keys.flatMap((k) => ctx.store.list(k));
  if (!configs.length) return NONE;
  const key = configs.map((o) => `${String(o.kind)}/${String(o.metadata.name)}@${String(o.metadata.resourceVersion ?? "")}`).join("|");
  const hit = cache.get(ctx.store);
  if (hit?.key === key) return hit.hooks;
  const hooks = webhooksFrom(
    configs.map((c) => ({ ...c, kind: String(c.kind) })),
    ctx.minor,
  );
  cache.set(ctx.store, { key, hooks });
  return hooks;
}

function namespaceLabelsOf(store: Store): (name: string) => NamespaceLabels | undefined {
  return (name) => {
    const ns = store.get("/namespaces", "", name);
    if (!ns) return undefined;
    const labels = (ns.metadata.labels as Record<string, string> | undefined) ?? {};
    return { labels: { ...labels, "kubernetes.io/metadata.name": name }, complete: true };
  };
}

/** The write, as the webhook phase needs it. */
export interface WebhookWrite {
  resource: ServedResource;
  operation: "CREATE" | "UPDATE" | "DELETE" | "CONNECT";
  /** The kind of the object where it is not the resource's (`autoscaling/v1` Scale, `v1` Binding, `policy/v1` Eviction, `v1` PodExecOptions). */
  kind?: { group: string; version: string; kind: string };
  /** The name admission sees where it is not the object's: the URL's (a subresource), or none (each item of a deletecollection). */
  name?: string;
  object: KubeObject | undefined;
  old: KubeObject | undefined;
  namespace: string | undefined;
  subresource: string | undefined;
  user: string;
  /** The user's groups (default: `system:authenticated`, or `system:unauthenticated` for no user). */
  groups?: string[];
  dryRun: boolean;
  /** The request's query (fieldManager, fieldValidation, delete options) and body (DeleteOptions). */
  query?: URLSearchParams;
  body?: Buffer;
}

/**
 * The options admission sees: CreateOptions, UpdateOptions (a patch's PatchOptions converted, as
 * `patchToUpdateOptions` does) or the request's DeleteOptions.
 */
function optionsOf(w: WebhookWrite): Obj | undefined {
  if (w.operation === "CONNECT") return undefined;
  const q = w.query ?? new URLSearchParams();
  const base = { apiVersion: "meta.k8s.io/v1", ...(w.dryRun ? { dryRun: ["All"] } : {}) };
  if (w.operation === "DELETE") {
    let body: Obj = {};
    try {
      const parsed = w.body?.length ? (JSON.parse(w.body.toString("utf8")) as unknown) : undefined;
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) body = parsed as Obj;
    } catch {
      // A body that is not JSON was refused before admission.
    }
    const { kind: _k, apiVersion: _a, dryRun: _d, ...rest } = body;
    const grace = q.get("gracePeriodSeconds");
    return {
      kind: "DeleteOptions",
      ...base,
      ...rest,
      ...(grace !== null && /^\d+$/.test(grace) ? { gracePeriodSeconds: Number(grace) } : {}),
      ...(q.get("propagationPolicy") ? { propagationPolicy: q.get("propagationPolicy") } : {}),
    };
  }
  return {
    kind: w.operation === "CREATE" ? "CreateOptions" : "UpdateOptions",
    ...base,
    ...(q.get("fieldManager") ? { fieldManager: q.get("fieldManager") } : {}),
    ...(q.get("fieldValidation") ? { fieldValidation: q.get("fieldValidation") } : {}),
  };
}

/** Converts an object to another served version of its resource (over a CRD's conversion webhook if it has one). */
export type ObjectConverter = (object: Obj, to: { group: string; version: string; kind: string }, transport: WebhookTransport) => Promise<Obj>;

/**
 * The resources a resource is also served as, the resource itself among them, each with the kind
 * of its objects there (kube-apiserver's `EquivalentResourceMapper`: every version of the same
 * storage that serves the subresource; a subresource's own kind, a Scale, is the same at each).
 * What webhooks and admission policies with `matchPolicy: Equivalent` match through.
 *
 * @example
 * equivalentResources(catalog, hpaV1, undefined); // autoscaling/v2 and autoscaling/v1 horizontalpodautoscalers
 */
export function equivalentResources(catalog: Catalog, resource: ServedResource, subresource: string | undefined, kind?: { group: string; version: string; kind: string }): EquivalentResource[] {
  return catalog
    .siblings(resource.storageKey)
    .filter((r) => !subresource || r.subresources.some((s) => s.name === subresource))
    .map((r) => ({ group: r.group, version: r.version, resource: r.plural, kind: kind ? { ...kind } : { group: r.group, version: r.version, kind: r.kind } }));
}

function attributesOf(w: WebhookWrite, equivalents?: EquivalentResource[]): WebhookAttributes {
  const r = w.resource;
  const o = w.object ?? w.old;
  const name = w.name ?? String(o?.metadata?.name ?? "");
  const isNamespace = r.group === "" && r.plural === "namespaces";
  const namespace = r.namespaced ? (w.namespace ?? String(o?.metadata?.namespace ?? "")) : isNamespace && w.operation !== "CREATE" ? name : "";
  const options = optionsOf(w);
  return {
    operation: w.operation,
    group: r.group,
    version: r.version,
    kind: w.kind?.kind ?? r.kind,
    ...(w.kind ? { kindGroup: w.kind.group, kindVersion: w.kind.version } : {}),
    resource: r.plural,
    subResource: w.subresource ?? "",
    name,
    namespace,
    namespaced: r.namespaced,
    ...(w.object ? { object: structuredClone(w.object) as Obj } : {}),
    ...(w.old ? { oldObject: structuredClone(w.old) as Obj } : {}),
    userInfo: { username: w.user, groups: w.groups ?? (w.user ? ["system:authenticated"] : ["system:unauthenticated"]) },
    dryRun: w.dryRun,
    ...(options ? { options } : {}),
    ...(equivalents ? { equivalents } : {}),
  };
}

/**
 * A webhook phase of a write: nothing for internal writes (`state` undefined) and when no webhook
 * applies; the recorded outcome when the webhooks were called (a refusal is thrown as the
 * apiserver's Status); otherwise a {@link WebhookPause}.
 *
 * @example
 * const { object, warnings } = webhookPhase(ctx, state, "mutating", write);
 */
export function webhookPhase(ctx: WebhookContext, state: WebhookState | undefined, stage: WebhookStage, w: WebhookWrite): { object?: KubeObject; warnings: string[] } {
  if (!state) return { warnings: [] };
  const done = state.results[stage];
  if (done) {
    // A create's object gets the name, uid and creation time the validating webhooks were shown.
    if (stage === "validating" && w.operation === "CREATE" && state.identity && w.object) Object.assign(w.object.metadata, state.identity);
    if ("status" in done) {
      const s = done.status;
      throw statusError(s.code, s.reason, s.message, s.details as never);
    }
    return { ...(done.object && w.object ? { object: done.object as KubeObject } : {}), warnings: done.warnings };
  }
  if (isExemptFromWebhooks({ group: w.resource.group, resource: w.resource.plural })) return { warnings: [] };
  const all = storedWebhooks(ctx);
  const hooks = stage === "mutating" ? all.mutating : all.validating;
  if (!hooks.length) return { warnings: [] };
  const attributes = attributesOf(w, equivalentResources(ctx.catalog, w.resource, w.subresource, w.kind));
  // A namespace that does not exist is refused first (kube-apiserver's NamespaceLifecycle plugin), without webhooks.
  if (w.resource.namespaced && attributes.namespace && !ctx.store.get("/namespaces", "", attributes.namespace)) return { warnings: [] };
  const found = state.shared?.find(stage, attributes);
  if (found) {
    (state.used ??= []).push(found.key);
    state.results[stage] = found.outcome;
    if (found.identity) state.identity = found.identity;
    return webhookPhase(ctx, state, stage, w);
  }
  const labels = namespaceLabelsOf(ctx.store);
  // Only pause when a webhook applies (or a match condition fails the request).
  if (!hooks.some((h) => { const s = shouldCallWebhook(h, attributes, labels); return "status" in s || s.call; })) {
    state.results[stage] = { warnings: [], called: [] };
    return { warnings: [] };
  }
  throw new WebhookPause(stage, attributes, hooks, ctx.converter?.(w));
}

/** How the server reaches webhooks. */
export interface WebhookTransport {
  services?: WebhookServices;
  /** The most a webhook's answer may hold (default {@link WEBHOOK_MAX_RESPONSE_BYTES}). */
  maxResponseBytes?: number;
}

/** How large an answer from an admission or conversion webhook is read, at most: 64 MiB. */
export const WEBHOOK_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

function resolveService(services: WebhookServices | undefined, s: WebhookService): string {
  const found = typeof services === "function" ? services(s) : (services?.[`${s.namespace}/${s.name}:${s.port}`] ?? services?.[`${s.namespace}/${s.name}`]);
  return found ?? `https://${s.name}.${s.namespace}.svc:${s.port}`;
}

/** Where a webhook is called and for how long it may take (admission and conversion webhooks alike). */
export type WebhookEndpoint = Pick<WebhookDefinition, "clientConfig" | "timeoutSeconds">;

/** The URL and TLS server name of a webhook. */
export function webhookTarget(hook: WebhookEndpoint, services?: WebhookServices): { url: URL; serverName: string } {
  const cc = hook.clientConfig;
  if (cc.url) {
    const url = new URL(cc.url);
    return { url, serverName: url.hostname.replace(/^\[|\]$/g, "") };
  }
  const svc = cc.service ?? { namespace: "", name: "", port: 443 };
  const base = resolveService(services, svc).replace(/\/+$/, "");
  const path = svc.path ?? "";
  return { url: new URL(`${base}${path.startsWith("/") || !path ? path : `/${path}`}`), serverName: `${svc.name}.${svc.namespace}.svc` };
}

/**
 * POST an AdmissionReview to a webhook over HTTPS (or HTTP for an `http:` URL), trusting its
 * `caBundle`, within its `timeoutSeconds`; errors read as client-go's.
 *
 * @example
 * const result = await callWebhook(hook, review, { services: { "ns/svc": "https://127.0.0.1:9443" } });
 */
export function callWebhook(hook: WebhookEndpoint, review: Obj, transport: WebhookTransport = {}): Promise<WebhookCallResult> {
  let target: { url: URL; serverName: string };
  try {
    target = webhookTarget(hook, transport.services);
  } catch (e) {
    return Promise.resolve({ error: (e as Error).message });
  }
  const { url, serverName } = target;
  url.searchParams.set("timeout", `${hook.timeoutSeconds}s`);
  const shown = url.toString();
  const body = Buffer.from(JSON.stringify(review));
  return new Promise<WebhookCallResult>((resolve) => {
    let settled = false;
    const finish = (r: WebhookCallResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const options: https.RequestOptions = {
      method: "POST",
      // A connection per call: nothing of the server's lingers in a pool after it closes.
      agent: false,
      headers: { "Content-Type": "application/json", Accept: "application/json, */*", "Content-Length": body.length, "User-Agent": "kube-apiserver-admission" },
      ...(url.protocol === "https:" ? { ...(isIP(serverName) ? {} : { servername: serverName }), ...(hook.clientConfig.caBundle ? { ca: hook.clientConfig.caBundle } : {}) } : {}),
    };
    const req = (url.protocol === "http:" ? http : https).request(url, options, (res) => {
      const chunks: Buffer[] = [];
      const max = transport.maxResponseBytes ?? WEBHOOK_MAX_RESPONSE_BYTES;
      let received = 0;
      res.on("data", (c: Buffer) => {
        received += c.length;
        if (received <= max) return void chunks.push(c);
        finish({ error: `Post ${JSON.stringify(shown)}: the response is larger than the local server reads from a webhook (${max} bytes)` });
        req.destroy();
      });
      res.on("error", (e) => finish({ error: `Post ${JSON.stringify(shown)}: ${e.message}` }));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        const code = res.statusCode ?? 0;
        if (code < 200 || code > 299) {
          finish({ error: text.trim() ? `an error on the server (${JSON.stringify(text.trim())}) has prevented the request from succeeding` : `the server responded with the status code ${code} but did not return more information` });
          return;
        }
        try {
          finish({ body: JSON.parse(text) as unknown });
        } catch (e) {
          finish({ error: `couldn't get version/kind; json parse error: ${(e as Error).message}` });
        }
      });
    });
    const timer = setTimeout(() => {
      finish({ error: `Post ${JSON.stringify(shown)}: context deadline exceeded` });
      req.destroy();
    }, hook.timeoutSeconds * 1000);
    req.on("error", (e: NodeJS.ErrnoException) => {
      const dial = `${url.hostname}:${url.port || (url.protocol === "https:" ? 443 : 80)}`;
      if (e.code === "ECONNREFUSED") finish({ error: `Post ${JSON.stringify(shown)}: dial tcp ${dial}: connect: connection refused` });
      else if (e.code === "ENOTFOUND" || e.code === "EAI_AGAIN") finish({ error: `Post ${JSON.stringify(shown)}: dial tcp: lookup ${url.hostname}: no such host` });
      else if (/certificate|self.signed|altnames|CERT/i.test(`${e.code ?? ""} ${e.message}`)) {
        finish({ error: `Post ${JSON.stringify(shown)}: tls: failed to verify certificate: x509: ${/altnames|hostname/i.test(e.message) ? `certificate is not valid for ${serverName}` : "certificate signed by unknown authority"}` });
      } else finish({ error: `Post ${JSON.stringify(shown)}: ${e.message}` });
    });
    req.end(body);
  });
}

/**
 * Run a write with webhooks: run it; when it pauses at a webhook phase, call the webhooks and run
 * it again with their outcome (at most once per phase).
 *
 * @example
 * const reply = await runWithWebhooks(state, () => rest.create(call), transport, store);
 */
export async function runWithWebhooks<T>(state: WebhookState, run: () => T, transport: WebhookTransport, store: Store): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return run();
    } catch (e) {
      if (!(e instanceof WebhookPause) || i >= 3) throw e;
      state.results[e.stage] = await dispatchPause(e, transport, store);
      const identity = e.stage === "validating" ? identityOf(e.attributes) : undefined;
      if (identity) state.identity = identity;
    }
  }
}

/**
 * Call the webhooks a paused write waits for.
 *
 * @example
 * const outcome = await dispatchPause(pause, { services }, store);
 */
export function dispatchPause(pause: WebhookPause, transport: WebhookTransport, store: Store): Promise<WebhookOutcome> {
  const convert = pause.convert;
  const ctx = {
    call: (hook: WebhookDefinition, review: Obj) => callWebhook(hook, review, transport),
    namespaceLabels: namespaceLabelsOf(store),
    newUid: randomUUID,
    ...(convert ? { convert: (object: Obj, to: { group: string; version: string; kind: string }) => convert(object, to, transport) } : {}),
  };
  return pause.stage === "mutating" ? dispatchMutating(pause.hooks, pause.attributes, ctx) : dispatchValidating(pause.hooks, pause.attributes, ctx);
}
