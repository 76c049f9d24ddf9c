/**
 * The REST semantics of kube-apiserver's generic registry over the in-memory store: get, list
 * (selectors, pagination, resourceVersion), create, update, patch (all four types), delete
 * (preconditions, finalizers, propagation), deletecollection, status and scale subresources, with
 * dry run, managed fields, generation and optimistic concurrency.
 */
import { randomUUID } from "node:crypto";
import type * as z from "zod";
import { YamlError } from "../errors.js";
import { parseYamlDocuments } from "../yaml/text.js";
import type { KubeApiError } from "../errors.js";
import { admit, type AdmitOptions, type DefinitionNames, type FieldValidation } from "./admission.js";
import { Allocator } from "./allocation.js";
import type { Catalog, ServedResource } from "./catalog.js";
import { applyDefaults, defaultListMapKeys } from "../apiserver/defaults.js";
import { convertObject, storageVersionOf } from "../apiserver/conversion.js";
import { withDefaultsShared } from "../apiserver/structural-defaults.js";
import { admissionConverter, convertCustom, convertCustomAll } from "./conversion.js";
import { kindRules } from "../apiserver/groups.js";
import { admitDefaultStorageClass } from "../apiserver/core/default-storage-class.js";
import { admitStorageObjectInUseProtection } from "../apiserver/core/storage-object-in-use-protection.js";
import type { Authorizer, UserInfo } from "./auth.js";
import { certificateAdmissionCheck } from "./certificate-admission.js";
import { validateDeleteOptions } from "../apiserver/validation/delete-options.js";
import { admitPolicies } from "./policies.js";
import { chargeResourceQuota, mutateWithBuiltinPlugins, nameSuffix, validateWithBuiltinPlugins, type BuiltinAdmissionContext, type BuiltinWrite } from "./admission-plugins.js";
import { podSecurityAdmission } from "./pod-security.js";
import { webhookPhase, WebhookPause, type ObjectConverter, type WebhookState, type WebhookWrite } from "./webhooks.js";
import type { WebhookOutcome } from "../apiserver/admission/index.js";
import { deepEqual } from "./fieldset.js";
import { applyConfiguration, managedAfterUpdate, type WriteScope } from "./managed-fields.js";
import { applyJson, applyMerge, strategicMergePatch } from "./patching.js";
import { decodeProtobuf, kindDefined, PROTOBUF } from "./protobuf.js";
import { DEFAULT_MAX_NESTING_DEPTH, identifyBody, jsonTooDeep, KUBERNETES_MAX_NESTING_DEPTH } from "./decoding.js";
import { listParameters, queryBool } from "./query.js";
import type { ResourceRequest } from "./request-info.js";
import {
  createDefaults,
  gracefulDeletion,
  immutableFields,
  immutableWhenFlagged,
  keptOnUpdate,
  nameLabels,
  NAMESPACE_FINALIZER,
  selectableFields,
  terminatingStatus,
} from "./resource-data.js";
import {
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
  SelectorError,
  type FieldRequirement,
  type LabelRequirement,
} from "./selectors.js";
import {
  alreadyExists,
  badRequest,
  conflict,
  forbidden,
  gone,
  invalid,
  methodNotAllowed,
  notFound,
  STALE_OBJECT,
  statusError,
  successStatus,
  unsupportedMediaType,
} from "./status.js";
import { objectKey, type KubeObject, type Store } from "./store.js";
import { fieldError, FieldPath, type FieldError } from "../meta/index.js";
import { int64RoundedJson, withInt64Rounding } from "../apiserver/wide-integers.js";

type Obj = Record<string, unknown>;

/** A request after authentication: what it asks for and how. */
export interface ApiCall {
  info: ResourceRequest;
  query: URLSearchParams;
  contentType: string;
  body: Buffer | undefined;
  /**
   * A JSON body already decoded, handed over by an internal caller (the simulated controllers):
   * used as the decoded body (and so written to in place) instead of `body`.
   */
  decoded?: Obj;
  userAgent: string;
  /** Authenticated user name (for `system:serviceaccount:…` checks and events). */
  user: string;
  /** How deeply the body may nest (default {@link DEFAULT_MAX_NESTING_DEPTH}). */
  maxNestingDepth?: number;
  /** The user's groups, when the authenticator knows them. */
  groups?: string[];
  /** Admission webhook outcomes of a client's write (internal writes have none and call no webhook). */
  webhooks?: WebhookState;
}

/** The namespaces NamespaceLifecycle never lets be deleted. */
const IMMORTAL_NAMESPACES = new Set(["default", "kube-system", "kube-public"]);

/** A deletecollection about to run: the resource, its options and the items it selected. */
export interface DeleteCollectionPlan {
  resource: ServedResource;
  propagationPolicy: string;
  dryRun: boolean;
  items: KubeObject[];
}

/** A response: status, body and extra headers. */
export interface ApiReply {
  status: number;
  body: unknown;
  warnings?: string[];
}

/** Hooks that play a controller's part when objects of a resource change (keyed by storage key). */
export interface Controller {
  /** Called after an object was stored, changed or removed (not for dry runs). */
  changed?(event: { type: "ADDED" | "MODIFIED" | "DELETED"; object: KubeObject }): void;
  /** Check an object before it is stored (throw a Status error to refuse it). */
  validate?(object: KubeObject, old: KubeObject | undefined): void;
}

/** What the REST layer needs from the server around it. */
export interface RestContext {
  catalog: Catalog;
  store: Store;
  names: DefinitionNames;
  controllers: Map<string, Controller>;
  /** Definition names of schema nodes, for built-in defaulting. */
  definitionNameOf?: (schema: z.core.$ZodType) => string | undefined;
  /** The Kubernetes minor served (`v1.36`). */
  kubernetesVersion?: string;
  /** Call the admission webhooks a write of the garbage collector waits for (none: its deletes call no webhook). */
  callWebhooks?: (pause: WebhookPause) => Promise<WebhookOutcome>;
  /** The server's authorizer, for admission plugins that ask it (`approve` for a signer); none: everything is allowed. */
  authorize?: Authorizer;
  /** The service account controller's work for a namespace, done now (the ServiceAccount plugin waits for it). */
  defaultServiceAccount?(namespace: string): void;
  /** Built-in admission plugins switched off (kube-apiserver's `--disable-admission-plugins`). */
  disabledAdmissionPlugins?: ReadonlySet<string>;
}

/** The users the garbage collector and the namespace controller delete as. */
const GARBAGE_COLLECTOR = "system:serviceaccount:kube-system:generic-garbage-collector";
const NAMESPACE_CONTROLLER = "system:serviceaccount:kube-system:namespace-controller";

/** Timestamps as the apiserver writes them: RFC 3339, whole seconds, UTC. */
export function timestamp(date?: Date): string {
  if (date) return date.toISOString().replace(/\.\d+Z$/, "Z");
  // Now, to the second: written on nearly every write, so made once a second.
  const second = Math.floor(Date.now() / 1000);
  if (second !== lastSecond) {
    lastSecond = second;
    lastStamp = new Date(second * 1000).toISOString().replace(/\.\d+Z$/, "Z");
  }
  return lastStamp;
}
let lastSecond = -1;
let lastStamp = "";

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function metaOfObj(o: Obj): Obj {
  return isObj(o.metadata) ? o.metadata : {};
}

function get(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const seg of path.split(".")) {
    if (!isObj(cur)) return undefined;
    cur = cur[seg];
  }
  return cur;
}

/**
 * The object as served at a resource's version, converted from the version it is stored at (a
 * custom resource with a conversion webhook may pause the request for the webhook).
 */
export function asServed(obj: KubeObject, r: ServedResource): KubeObject {
  if (!r.custom) return convertObject(obj, r.apiVersion, r.kind);
  obj = readDefaulted(obj, r);
  if (r.custom.conversion) return convertCustom(obj, r.apiVersion, r.custom.conversion);
  return obj.apiVersion === r.apiVersion && obj.kind === r.kind ? obj : { ...obj, apiVersion: r.apiVersion, kind: r.kind };
}

/**
 * A custom resource as decoded from storage: the defaults of the version it is stored at filled in
 * (the storage codec's defaulting), so that a default added to a CRD shows on objects stored before.
 */
export function readDefaulted(obj: KubeObject, r: ServedResource): KubeObject {
  const schema = r.custom?.versionSchemas?.get(String(obj.apiVersion));
  return schema ? (withDefaultsShared(schema, obj) as KubeObject) : obj;
}

/** Objects as served at a resource's version; a conversion webhook is asked once for all of them. */
export function asServedAll(objects: readonly KubeObject[], r: ServedResource): KubeObject[] {
  if (r.custom?.conversion) return convertCustomAll(objects.map((o) => readDefaulted(o, r)), r.apiVersion, r.custom.conversion);
  return objects.map((o) => asServed(o, r));
}

/** The object at the version its resource is stored at (kinds without conversions: as written). */
export function forStorage(obj: KubeObject, r: ServedResource): KubeObject {
  if (r.custom?.conversion) return convertCustom(obj, r.custom.conversion.storageApiVersion, r.custom.conversion);
  const version = r.custom ? undefined : storageVersionOf(r.group, r.kind);
  return version ? convertObject(obj, version, r.kind) : obj;
}

/** Whether the resource tracks `metadata.generation` (custom resources, and kinds whose status reports observedGeneration). */
function tracksGeneration(r: ServedResource): boolean {
  if (r.custom) return true;
  const shape = (r.schema as unknown as { shape?: Record<string, unknown> }).shape;
  if (!shape || !("spec" in shape)) return false;
  const status = shape.status as { unwrap?: () => unknown } | undefined;
  let inner: unknown = status;
  for (let i = 0; i < 4 && inner && typeof (inner as { unwrap?: unknown }).unwrap === "function"; i++) inner = (inner as { unwrap: () => unknown }).unwrap();
  const statusShape = (inner as { shape?: Record<string, unknown> } | undefined)?.shape;
  return !!statusShape && "observedGeneration" in statusShape;
}

function specChanged(r: ServedResource, before: Obj, after: Obj): boolean {
  if (r.custom) {
    const strip = (o: Obj) => {
      const { metadata: _m, status: _s, ...rest } = o;
      return rest;
    };
    return !deepEqual(strip(before), strip(after));
  }
  return !deepEqual(before.spec, after.spec);
}

/**
 * A subresource the object itself is read and written through, whose strategy the kind's rules
 * give (`KindRules.subresources`: a CSR's `approval`); `status` is not one.
 */
export function ruledSubresource(r: ServedResource, sub: string | undefined): boolean {
  return sub !== undefined && sub !== "status" && !r.custom && kindRules(r.group, r.kind)?.subresources?.[sub] !== undefined;
}

/** Who makes a request, as the strategies see the user. */
function requestUser(call: ApiCall): UserInfo {
  return { username: call.user, ...(call.groups ? { groups: call.groups } : {}) };
}

function hasSub(r: ServedResource, name: string): boolean {
  return r.subresources.some((s) => s.name === name);
}

/**
 * Parse a request body as JSON (or YAML for YAML content types, or protobuf, whose envelope may
 * leave the type to `expected`, the endpoint's); 400 on bad input.
 */
export function decodeBody(call: ApiCall, what: string, expected?: { apiVersion: string; kind: string }): unknown {
  if (call.decoded) return call.decoded;
  if (!call.body || call.body.length === 0) throw badRequest("the body of the request was empty");
  const type = call.contentType.split(";")[0]!.trim().toLowerCase();
  if (type === PROTOBUF) return decodeProtobuf(call.body, expected);
  const text = call.body.toString("utf8");
  const maxDepth = Math.min(call.maxNestingDepth ?? DEFAULT_MAX_NESTING_DEPTH, KUBERNETES_MAX_NESTING_DEPTH);
  if (type === "application/yaml" || type === "application/apply-patch+yaml" || type === "text/yaml") {
    try {
      const doc = parseYamlDocuments(text, { source: "request body", maxDepth })[0];
      if (!doc) return null;
      // Integers beyond ±(2^53−1) kept on their side of the int64 bounds, as in JSON bodies.
      return doc.wideIntegers ? withInt64Rounding(doc.value, doc.wideIntegers) : doc.value;
    } catch (e) {
      // Past the nesting limit, the words of Go's YAML scanner ("exceeded max depth of 10000").
      const reason = e instanceof YamlError ? e.reason.replace(/^nesting exceeded maxDepth \((\d+)\)$/, "exceeded max depth of $1") : "";
      throw badRequest(`error converting YAML to JSON: ${e instanceof YamlError ? `yaml: line ${e.line}: ${reason}` : (e as Error).message.split("\n")[0]}`);
    }
  }
  // Go's JSON scanner refuses a document nested too deeply before decoding any of it.
  const deep = jsonTooDeep(text, maxDepth);
  if (deep) throw badRequest(`${what}: json parse error: invalid character '${deep}' exceeded max depth`);
  try {
    return JSON.parse(int64RoundedJson(text)) as unknown;
  } catch (e) {
    throw badRequest(`${what}: json parse error: ${(e as Error).message}`);
  }
}

function requireJsonBody(call: ApiCall): void {
  const type = call.contentType.split(";")[0]!.trim().toLowerCase();
  if (type === "" || type === "application/json" || type === "application/yaml" || type === "*/*" || type === "application/vnd.kubernetes.protobuf") return;
  throw unsupportedMediaType(["application/json", "application/yaml", "application/vnd.kubernetes.protobuf"]);
}

/** Read `fieldValidation` (default Warn, as the apiserver). */
function fieldValidationOf(query: URLSearchParams): FieldValidation {
  const v = query.get("fieldValidation");
  if (v === null || v === "") return "Warn";
  if (v === "Strict" || v === "Warn" || v === "Ignore") return v;
  throw badRequest(`fieldValidation: Unsupported value: "${v}": supported values: "Ignore", "Strict", "Warn"`);
}

function dryRunOf(query: URLSearchParams): boolean {
  const values = query.getAll("dryRun");
  for (const v of values) if (v !== "All") throw badRequest(`dryRun: Unsupported value: "${v}": supported values: "All"`);
  return values.length > 0;
}

function managerOf(call: ApiCall): string {
  const m = call.query.get("fieldManager");
  if (m) {
    if (m.length > 128) throw badRequest(`fieldManager: Too long: may not be more than 128 bytes`);
    return m;
  }
  return call.userAgent.split("/")[0] || "unknown";
}

/** Label and field selector of a list or watch. */
export interface Selection {
  labels: LabelRequirement[];
  fields: FieldRequirement[];
}

/** Parse the selectors of a list/watch; 400 on bad syntax or an unsupported field. */
export function selectionOf(r: ServedResource, query: URLSearchParams): Selection {
  try {
    const labels = parseLabelSelector(query.get("labelSelector") ?? "");
    const fields = parseFieldSelector(query.get("fieldSelector") ?? "");
    const allowed = new Set(["metadata.name", "metadata.namespace", ...Object.keys(selectableFieldsOf(r))]);
    for (const f of fields) {
      if (!allowed.has(f.field)) {
        throw badRequest(
          `Unable to find "${r.group}/${r.version}, Resource=${r.plural}" that match label selector "${query.get("labelSelector") ?? ""}", field selector "${query.get("fieldSelector") ?? ""}": field label not supported: ${f.field}`,
        );
      }
    }
    return { labels, fields };
  } catch (e) {
    if (e instanceof SelectorError) throw badRequest(e.message);
    throw e;
  }
}

function selectableFieldsOf(r: ServedResource): Record<string, { path: string; default?: string; orPath?: string }> {
  if (r.custom) return Object.fromEntries(r.custom.selectableFields.map((p) => [p, { path: p }]));
  return selectableFields[`${r.group}/${r.plural}`] ?? {};
}

/** Whether an object passes a selection. */
export function selects(r: ServedResource, sel: Selection, obj: KubeObject): boolean {
  if (sel.labels.length && !matchesLabels(sel.labels, obj.metadata.labels as Record<string, unknown> | undefined)) return false;
  if (!sel.fields.length) return true;
  const values: Record<string, string> = {
    "metadata.name": String(obj.metadata.name ?? ""),
    "metadata.namespace": String(obj.metadata.namespace ?? ""),
  };
  for (const [name, f] of Object.entries(selectableFieldsOf(r))) {
    let v = get(obj, f.path);
    if (f.orPath && (v === undefined || v === null || v === "")) v = get(obj, f.orPath);
    values[name] = v === undefined || v === null ? (f.default ?? "") : String(v);
  }
  return matchesFields(sel.fields, values);
}

interface ContinueToken {
  rv: number;
  start: string;
}

function encodeContinue(t: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: "meta.k8s.io/v1", rv: t.rv, start: t.start })).toString("base64url");
}

function decodeContinue(token: string): ContinueToken {
  try {
    const raw = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { v?: string; rv?: number; start?: string };
    if (raw.v !== "meta.k8s.io/v1" || typeof raw.rv !== "number" || typeof raw.start !== "string") throw new Error("bad token");
    return { rv: raw.rv, start: raw.start };
  } catch {
    throw badRequest(`continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)`);
  }
}

function parseRv(v: string): number {
  if (!/^\d+$/.test(v)) throw badRequest(`resourceVersion: Invalid value: "${v}": must be a non-negative integer`);
  return Number(v);
}

function tooLarge(rv: number, current: number): KubeApiError {
  return statusError(504, "Timeout", `Too large resource version: ${rv}, current: ${current}`, {
    causes: [{ reason: "ResourceVersionTooLarge", message: "Too large resource version" }],
    retryAfterSeconds: 1,
  });
}

/** The REST operations of the server. */
export class Rest {
  private readonly allocator = new Allocator();
  private readonly minor: number;

  constructor(private readonly ctx: RestContext) {
    this.minor = Number(/^v?1\.(\d+)/.exec(ctx.kubernetesVersion ?? "")?.[1] ?? 36);
  }

  /** What the write pipeline needs from the server: the minor, address allocation on create, and defaults not yet in the pipeline. */
  private writeHooks(r: ServedResource, creating: boolean): Pick<AdmitOptions, "minor" | "beginCreate" | "fallbackDefaults" | "namespaceLabels"> {
    const nameOf = this.ctx.definitionNameOf;
    return {
      minor: this.minor,
      // Rules that read a namespace (DRA admin access) read the store, as the strategies read it.
      ...(!r.custom ? { namespaceLabels: (name: string) => this.namespaceLabels(name) } : {}),
      ...(creating && !r.custom ? { beginCreate: (o: Obj) => this.allocator.allocate(r.storageKey, o) } : {}),
      ...(nameOf && !r.custom ? { fallbackDefaults: (o: Obj) => applyDefaults(r.schema, o, nameOf) } : {}),
    };
  }

  /** The labels of a stored namespace, or null when there is none. */
  private namespaceLabels(name: string): Record<string, string> | null {
    const ns = this.ctx.store.get("/namespaces", "", name);
    if (!ns) return null;
    const labels = ns.metadata.labels;
    return labels && typeof labels === "object" ? (labels as Record<string, string>) : {};
  }

  private resolve(info: ResourceRequest): ServedResource {
    const r = this.ctx.catalog.resource(info.group, info.version, info.resource);
    if (!r) throw statusError(404, "NotFound", "the server could not find the requested resource", {});
    if (r.namespaced && info.namespace === undefined && info.name !== undefined) {
      throw statusError(404, "NotFound", "the server could not find the requested resource", {});
    }
    if (!r.namespaced && info.namespace !== undefined) throw statusError(404, "NotFound", "the server could not find the requested resource", {});
    return r;
  }

  /** The resource a request addresses (404 when none). */
  resourceOf(info: ResourceRequest): ServedResource {
    return this.resolve(info);
  }

  private allow(r: ServedResource, verb: string): void {
    if (!(r.verbs as readonly string[]).includes(verb)) throw methodNotAllowed();
  }

  private existing(r: ServedResource, namespace: string, name: string): KubeObject {
    const obj = this.ctx.store.get(r.storageKey, namespace, name);
    if (!obj) throw notFound(r, name);
    return obj;
  }

  get(call: ApiCall): ApiReply {
    const { info } = call;
    const r = this.resolve(info);
    this.allow(r, "get");
    const obj = this.existing(r, info.namespace ?? "", info.name!);
    if (info.subresource === "scale") return { status: 200, body: this.scaleOf(r, obj) };
    if (info.subresource && info.subresource !== "status" && !ruledSubresource(r, info.subresource)) throw notFoundSub();
    return { status: 200, body: asServed(obj, r) };
  }

  /** A list response (items at the resource's version; built-in list items omit apiVersion/kind). */
  list(call: ApiCall): { resource: ServedResource; items: KubeObject[]; metadata: Obj } {
    const { info, query } = call;
    const r = this.resolve(info);
    this.allow(r, "list");
    const sel = selectionOf(r, query);
    const { limit } = listParameters(query);
    const cont = query.get("continue");
    const rvParam = query.get("resourceVersion");
    const match = query.get("resourceVersionMatch");
    const store = this.ctx.store;
    let revision = store.revision;
    let start = "";
    let all: KubeObject[];
    if (cont) {
      if (rvParam) throw badRequest("specifying resource version is not allowed when using continue");
      const token = decodeContinue(cont);
      const at = store.listAt(r.storageKey, token.rv, info.namespace);
      if (!at.ok) {
        throw gone(
          "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.",
        );
      }
      revision = token.rv;
      start = token.start;
      all = at.value;
    } else if (match) {
      if (!rvParam) throw badRequest(`resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided`);
      const rv = parseRv(rvParam);
      if (match === "Exact") {
        if (rv > store.revision) throw tooLarge(rv, store.revision);
        const at = store.listAt(r.storageKey, rv, info.namespace);
        if (!at.ok) throw gone(`The resourceVersion for the provided list is too old.`);
        all = at.value;
        revision = rv;
      } else if (match === "NotOlderThan") {
        if (rv > store.revision) throw tooLarge(rv, store.revision);
        all = store.list(r.storageKey, info.namespace);
      } else {
        throw badRequest(`resourceVersionMatch: Unsupported value: "${match}": supported values: "Exact", "NotOlderThan"`);
      }
    } else {
      if (rvParam && rvParam !== "0") {
        const rv = parseRv(rvParam);
        if (rv > store.revision) throw tooLarge(rv, store.revision);
      }
      all = store.list(r.storageKey, info.namespace);
    }
    let items = all.filter((o) => selects(r, sel, o));
    if (start) items = items.filter((o) => keyString(o) > start);
    const metadata: Obj = { resourceVersion: String(revision) };
    if (limit > 0 && items.length > limit) {
      const page = items.slice(0, limit);
      metadata.continue = encodeContinue({ rv: revision, start: keyString(page[page.length - 1]!) });
      if (!sel.labels.length && !sel.fields.length) metadata.remainingItemCount = items.length - limit;
      items = page;
    }
    return { resource: r, items: asServedAll(items, r), metadata };
  }

  /** Body of a list response. */
  listBody(r: ServedResource, items: KubeObject[], metadata: Obj): Obj {
    return {
      kind: r.listKind,
      apiVersion: r.apiVersion,
      metadata,
      items: r.custom ? items : items.map(({ apiVersion: _a, kind: _k, ...rest }) => rest),
    };
  }

  private requireNamespace(r: ServedResource, namespace: string | undefined, name: string): void {
    if (!r.namespaced || namespace === undefined) return;
    const ns = this.ctx.store.get("/namespaces", "", namespace);
    if (!ns) throw notFound({ group: "", plural: "namespaces" }, namespace);
    if (ns.metadata.deletionTimestamp) {
      throw forbidden(r, name || undefined, `unable to create new content in namespace ${namespace} because it is being terminated`);
    }
  }

  private checkIdentity(r: ServedResource, obj: Obj, info: ResourceRequest): void {
    if (!isObj(obj)) throw badRequest("the body of the request was not a JSON object");
    identifyBody(r, obj, (apiVersion, kind) => this.ctx.catalog.kind(apiVersion, kind) !== undefined || kindDefined(apiVersion, kind));
    const meta = metaOfObj(obj);
    if (r.namespaced && info.namespace !== undefined) {
      if (meta.namespace !== undefined && meta.namespace !== "" && meta.namespace !== info.namespace) {
        throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
      }
    }
  }

  private scopeOf(r: ServedResource, sub: string | undefined): WriteScope {
    return { hasStatus: hasSub(r, "status"), subresource: sub === "status" ? "status" : "" };
  }

  /** What the webhook phases read from the server. */
  private admissionContext(): { catalog: Catalog; store: Store; minor: number; converter: (w: WebhookWrite) => ObjectConverter } {
    return { catalog: this.ctx.catalog, store: this.ctx.store, minor: this.minor, converter: (w) => admissionConverter(this.ctx.catalog, w) };
  }

  /** A write as the webhook phases see it. */
  private webhookWrite(r: ServedResource, operation: WebhookWrite["operation"], obj: KubeObject | undefined, old: KubeObject | undefined, call: ApiCall, dryRun: boolean, extra: Partial<WebhookWrite> = {}): WebhookWrite {
    return {
      resource: r,
      operation,
      object: obj,
      old,
      namespace: call.info.namespace,
      subresource: call.info.subresource,
      user: call.user,
      ...(call.groups ? { groups: call.groups } : {}),
      dryRun,
      query: call.query,
      ...(call.body ? { body: call.body } : {}),
      ...extra,
    };
  }

  /** Put what a mutating phase made into the object (callers hold on to it), and validate it again. */
  private replaceAdmitted(r: ServedResource, obj: KubeObject, object: KubeObject, old: KubeObject | undefined, sub: string): void {
    if (object === obj) return;
    const meta = obj.metadata;
    const next = structuredClone(object);
    for (const k of Object.keys(obj)) delete (obj as Obj)[k];
    Object.assign(obj, next);
    if (isObj(meta) && isObj(next.metadata)) {
      for (const k of Object.keys(meta)) delete meta[k];
      obj.metadata = Object.assign(meta, next.metadata);
    }
    admit(r, obj, { fieldValidation: "Ignore", names: this.ctx.names, namespaceFromPath: true, minor: this.minor, ...(!r.custom ? { namespaceLabels: (name: string) => this.namespaceLabels(name) } : {}), ...(old ? { old } : {}), ...(sub === "status" || ruledSubresource(r, sub) ? { subresource: sub } : {}) });
  }

  /**
   * Mutating admission, as kube-apiserver's chain runs it: mutating policies, then mutating
   * webhooks (the object is changed in place and validated again); returns `Warning` texts.
   */
  private mutatingAdmission(r: ServedResource, operation: "CREATE" | "UPDATE" | "DELETE", obj: KubeObject | undefined, old: KubeObject | undefined, call: ApiCall, dryRun: boolean, sub = ""): string[] {
    const builtin = this.builtinPluginMutation(r, operation, obj, old, call, sub);
    if (builtin && obj) this.replaceAdmitted(r, obj, builtin, old, sub);
    if (operation === "CREATE" && !sub && obj && !r.custom) this.builtinMutation(r, obj);
    const ctx = this.admissionContext();
    const warnings: string[] = [];
    const { object, warnings: policyWarnings } = admitPolicies(ctx, r, operation, obj, old, call.user, dryRun, "mutating", sub ? { subResource: sub } : {});
    if (object && obj) this.replaceAdmitted(r, obj, object, old, sub);
    warnings.push(...policyWarnings);
    const mutated = webhookPhase(ctx, call.webhooks, "mutating", this.webhookWrite(r, operation, obj, old, call, dryRun));
    if (mutated.object && obj) this.replaceAdmitted(r, obj, mutated.object, old, sub);
    warnings.push(...mutated.warnings);
    return warnings;
  }

  /** The built-in mutating admission plugins on a create, in kube-apiserver's order: DefaultStorageClass, StorageObjectInUseProtection. */
  private builtinMutation(r: ServedResource, obj: KubeObject): void {
    if (r.group !== "") return;
    const disabled = this.ctx.disabledAdmissionPlugins;
    if (r.kind === "PersistentVolumeClaim" && !disabled?.has("DefaultStorageClass")) admitDefaultStorageClass(obj, this.ctx.store.list("storage.k8s.io/storageclasses"));
    if (!disabled?.has("StorageObjectInUseProtection")) admitStorageObjectInUseProtection(r.kind, obj);
  }

  /** Validating admission: validating policies, then validating webhooks; returns `Warning` texts. */
  private validatingAdmission(r: ServedResource, operation: "CREATE" | "UPDATE" | "DELETE", obj: KubeObject | undefined, old: KubeObject | undefined, call: ApiCall, dryRun: boolean, sub = ""): string[] {
    certificateAdmissionCheck({ resource: r, operation, object: obj, old, subresource: sub, user: requestUser(call) }, this.ctx.authorize, this.ctx.disabledAdmissionPlugins);
    validateWithBuiltinPlugins(this.builtinPluginContext(), this.builtinWrite(r, operation, obj, old, call, sub));
    const ctx = this.admissionContext();
    const warnings = this.ctx.disabledAdmissionPlugins?.has("PodSecurity") ? [] : podSecurityAdmission(this.ctx.store, { resource: r, operation, object: obj, old, subresource: sub, userName: call.user });
    warnings.push(...admitPolicies(ctx, r, operation, obj, old, call.user, dryRun, "validating", sub ? { subResource: sub } : {}).warnings);
    warnings.push(...webhookPhase(ctx, call.webhooks, "validating", this.webhookWrite(r, operation, obj, old, call, dryRun)).warnings);
    chargeResourceQuota(this.builtinPluginContext(), this.builtinWrite(r, operation, obj, old, call, sub), dryRun);
    return warnings;
  }

  private builtinPluginContext(): BuiltinAdmissionContext {
    return {
      store: this.ctx.store,
      ...(this.ctx.defaultServiceAccount ? { defaultServiceAccount: this.ctx.defaultServiceAccount } : {}),
      ...(this.ctx.disabledAdmissionPlugins ? { disabled: this.ctx.disabledAdmissionPlugins } : {}),
    };
  }

  private builtinWrite(r: ServedResource, operation: "CREATE" | "UPDATE" | "DELETE", obj: KubeObject | undefined, old: KubeObject | undefined, call: ApiCall, sub: string): BuiltinWrite {
    return { resource: r, operation, object: obj, old, subresource: sub, namespace: call.info.namespace ?? String(obj?.metadata.namespace ?? old?.metadata.namespace ?? "") };
  }

  /** The mutating built-in plugins: the object as they changed it (undefined when unchanged). */
  private builtinPluginMutation(r: ServedResource, operation: "CREATE" | "UPDATE" | "DELETE", obj: KubeObject | undefined, old: KubeObject | undefined, call: ApiCall, sub: string): KubeObject | undefined {
    return mutateWithBuiltinPlugins(this.builtinPluginContext(), this.builtinWrite(r, operation, obj, old, call, sub));
  }

  /** Both phases of admission on an update or delete (native validation of what mutation made between them). */
  private policies(r: ServedResource, operation: "CREATE" | "UPDATE" | "DELETE", obj: KubeObject | undefined, old: KubeObject | undefined, call: ApiCall, dryRun: boolean, sub = ""): string[] {
    return [...this.mutatingAdmission(r, operation, obj, old, call, dryRun, sub), ...this.validatingAdmission(r, operation, obj, old, call, dryRun, sub)];
  }

  /**
   * Admission webhooks on a subresource whose object is a kind of its own (a Binding, an Eviction,
   * a Scale): mutating, then validating; the object as the mutating webhooks left it, and the
   * `Warning` texts. A refusal is thrown as the apiserver's Status.
   *
   * @example
   * const { object } = rest.admitSubresource(call, pods, "CREATE", binding, undefined, { group: "", version: "v1", kind: "Binding" });
   */
  admitSubresource(call: ApiCall, r: ServedResource, operation: "CREATE" | "UPDATE" | "CONNECT", object: Obj, old: Obj | undefined, kind: { group: string; version: string; kind: string }): { object: Obj; warnings: string[] } {
    const mutated = this.subresourcePhase("mutating", call, r, operation, object, old, kind);
    const admitted = mutated.object ?? object;
    const validated = this.subresourcePhase("validating", call, r, operation, admitted, old, kind);
    return { object: admitted, warnings: [...mutated.warnings, ...validated.warnings] };
  }

  /** One phase of admission (policies, then webhooks) on a subresource whose object is a kind of its own. */
  private subresourcePhase(stage: "mutating" | "validating", call: ApiCall, r: ServedResource, operation: "CREATE" | "UPDATE" | "CONNECT", object: Obj, old: Obj | undefined, kind: { group: string; version: string; kind: string }): { object?: Obj; warnings: string[] } {
    const ctx = this.admissionContext();
    const dryRun = operation !== "CONNECT" && dryRunOf(call.query);
    const name = call.info.name ?? "";
    const namespace = call.info.namespace ?? "";
    const podSecurity = stage === "validating" ? podSecurityAdmission(this.ctx.store, { resource: r, operation, object: object as KubeObject, old: old as KubeObject | undefined, subresource: call.info.subresource ?? "", userName: call.user }) : [];
    const policies = admitPolicies(ctx, r, operation, object as KubeObject, old as KubeObject | undefined, call.user, dryRun, stage, {
      subResource: call.info.subresource ?? "",
      group: r.group,
      version: r.version,
      kind,
      name,
      namespace,
    });
    const current = (policies.object ?? object) as KubeObject;
    const hooks = webhookPhase(ctx, call.webhooks, stage, this.webhookWrite(r, operation, current, old as KubeObject | undefined, call, dryRun, { kind, name }));
    const out = hooks.object ?? (current !== object ? current : undefined);
    return { ...(out ? { object: out } : {}), warnings: [...podSecurity, ...policies.warnings, ...hooks.warnings] };
  }

  create(call: ApiCall): ApiReply {
    const { info, query } = call;
    const r = this.resolve(info);
    if (info.name !== undefined) throw notFoundSub();
    this.allow(r, "create");
    requireJsonBody(call);
    const body = decodeBody(call, `couldn't get version/kind`, r) as Obj;
    this.checkIdentity(r, body, info);
    const dryRun = dryRunOf(query);
    const fieldValidation = fieldValidationOf(query);
    // The decoded body is the request's own, fresh from the decoder: written to in place.
    const obj = body as KubeObject;
    obj.apiVersion = r.apiVersion;
    const meta: Obj = isObj(obj.metadata) ? obj.metadata : {};
    obj.metadata = meta;
    if (r.namespaced && info.namespace !== undefined) meta.namespace = info.namespace;
    if (!r.namespaced) delete meta.namespace;
    const { warnings } = admit(r, obj, { fieldValidation, names: this.ctx.names, namespaceFromPath: info.namespace !== undefined, user: requestUser(call), ...this.writeHooks(r, true) });
    // As the generic registry's Create: mutating admission sees the object as sent (no name yet
    // under generateName, no uid, no creation time); the registry then fills in the system
    // fields and generates the name (`FillObjectMetaSystemFields`, `BeforeCreate`), and
    // validating admission sees the object as it will be stored.
    warnings.push(...this.mutatingAdmission(r, "CREATE", obj, undefined, call, dryRun));
    if (!meta.name && typeof meta.generateName === "string" && meta.generateName) {
      meta.name = generateName(meta.generateName, (n) => !!this.ctx.store.get(r.storageKey, info.namespace ?? "", n));
    }
    this.requireNamespace(r, info.namespace, String(meta.name));
    this.prepareCreate(r, obj, managerOf(call));
    warnings.push(...this.validatingAdmission(r, "CREATE", obj, undefined, call, dryRun));
    const name = String(meta.name);
    if (this.ctx.store.get(r.storageKey, info.namespace ?? "", name)) throw alreadyExists(r, name);
    this.ctx.controllers.get(r.storageKey)?.validate?.(obj, undefined);
    if (dryRun) return { status: 201, body: asServed(obj, r), warnings };
    const storable = forStorage(obj, r);
    this.convertFirst([storable], r);
    const stored = this.ctx.store.create(r.storageKey, storable);
    this.ctx.controllers.get(r.storageKey)?.changed?.({ type: "ADDED", object: stored });
    return { status: 201, body: asServed(stored, r), warnings };
  }

  private prepareCreate(r: ServedResource, obj: KubeObject, manager: string): void {
    const meta = obj.metadata;
    const defaults = r.custom ? undefined : createDefaults[r.storageKey];
    if (defaults) {
      const merged = mergeDefaults(defaults, obj) as KubeObject;
      Object.assign(obj, merged);
    }
    const nameLabel = r.custom ? undefined : nameLabels[r.storageKey];
    if (nameLabel) meta.labels = { ...(isObj(meta.labels) ? meta.labels : {}), [nameLabel]: String(meta.name) };
    meta.uid = randomUUID();
    meta.creationTimestamp = timestamp();
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.selfLink;
    if (tracksGeneration(r)) meta.generation = 1;
    else delete meta.generation;
    if (hasSub(r, "status") && r.custom) delete obj.status;
    const managed = managedAfterUpdate(r.schema, undefined, obj, this.scopeOf(r, undefined), { manager, apiVersion: r.apiVersion, now: timestamp() });
    if (managed.length) meta.managedFields = managed;
    else delete meta.managedFields;
  }

  /** PUT of the object or its status/scale subresource. */
  update(call: ApiCall): ApiReply {
    const { info, query } = call;
    const r = this.resolve(info);
    if (info.subresource === "scale") return this.updateScale(call, r, decodeBody(call, "couldn't get version/kind", { apiVersion: "autoscaling/v1", kind: "Scale" }) as Obj);
    if (info.subresource && info.subresource !== "status" && info.subresource !== "finalize" && !ruledSubresource(r, info.subresource)) throw notFoundSub();
    this.allow(r, "update");
    requireJsonBody(call);
    const body = decodeBody(call, "couldn't get version/kind", r) as Obj;
    this.checkIdentity(r, body, info);
    const name = info.name!;
    const bodyName = metaOfObj(body).name;
    if (bodyName !== undefined && bodyName !== name) {
      throw badRequest(`the name of the object (${String(bodyName)}) does not match the name on the URL (${name})`);
    }
    const old = this.existing(r, info.namespace ?? "", name);
    const next = body as KubeObject;
    next.metadata = isObj(next.metadata) ? next.metadata : {};
    if (r.namespaced) next.metadata.namespace = info.namespace;
    next.metadata.name = name;
    const rv = next.metadata.resourceVersion;
    if (rv === undefined || rv === "") {
      if (r.custom) {
        throw invalid(r.kind, r.group, name, [fieldError("FieldValueInvalid", FieldPath.of("metadata", "resourceVersion"), "must be specified for an update", 0)]);
      }
    } else if (String(rv) !== old.metadata.resourceVersion) {
      throw conflict(r, name, STALE_OBJECT);
    }
    return this.write(call, r, old, next, { dryRun: dryRunOf(query), fieldValidation: fieldValidationOf(query), manager: managerOf(call) });
  }

  /**
   * The common tail of update, patch and apply: keep what clients may not change, validate, track
   * generation and managed fields, then store (or finish a deletion whose finalizers are gone).
   */
  private write(
    call: ApiCall,
    r: ServedResource,
    old: KubeObject,
    next: KubeObject,
    opts: { dryRun: boolean; fieldValidation: FieldValidation; manager: string; managedFields?: unknown[]; status?: number; admission?: (next: KubeObject) => string[] },
  ): ApiReply {
    const ruled = ruledSubresource(r, call.info.subresource);
    const sub = call.info.subresource === "status" || ruled ? call.info.subresource! : "";
    const scope = this.scopeOf(r, sub);
    const managedScope: WriteScope = { ...scope, subresource: call.info.subresource ?? "" };
    const current = old;
    old = asServed(old, r);
    next.apiVersion = r.apiVersion;
    next.kind = r.kind;
    if (scope.hasStatus) {
      if (sub === "status") {
        const status = next.status;
        // The stored object with the sent status: copied but for the status (replaced) and the
        // managed fields (the request's), each key where it was.
        const rebuilt = {} as KubeObject;
        for (const k of Object.keys(old)) {
          if (k === "status") rebuilt.status = undefined;
          else if (k === "metadata") {
            rebuilt.metadata = structuredClone({ ...old.metadata, managedFields: undefined });
            rebuilt.metadata.managedFields = next.metadata.managedFields;
          } else rebuilt[k] = structuredClone(old[k]);
        }
        // Built-in status strategies reset the spec (some also the labels) but keep the annotations:
        // the deployment controller writes its revision annotation through status.
        // Custom resources reset all metadata (ResetObjectMetaForStatus).
        if (!r.custom) {
          if (next.metadata.annotations === undefined) delete rebuilt.metadata.annotations;
          else rebuilt.metadata.annotations = next.metadata.annotations;
        }
        if (status === undefined) delete rebuilt.status;
        else rebuilt.status = status;
        next = rebuilt;
      } else if (ruled) {
        // The subresource's strategy decides what of the status the request may set.
      } else if (old.status === undefined) delete next.status;
      else next.status = structuredClone(old.status);
    }
    const meta = next.metadata;
    for (const k of ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation"]) {
      if (old.metadata[k] === undefined) delete meta[k];
      else meta[k] = old.metadata[k];
    }
    if (!r.custom) for (const path of keptOnUpdate[r.storageKey] ?? []) keepAllocated(old, next, path);
    const { warnings } = admit(r, next, { fieldValidation: opts.fieldValidation, names: this.ctx.names, namespaceFromPath: true, old, ...(sub ? { subresource: sub } : {}), ...this.writeHooks(r, false) });
    warnings.push(...(opts.admission ? opts.admission(next) : this.policies(r, "UPDATE", next, old, call, opts.dryRun, sub)));
    if (old.metadata.deletionTimestamp) {
      const oldFinalizers = (old.metadata.finalizers as string[] | undefined) ?? [];
      const added = ((meta.finalizers as string[] | undefined) ?? []).filter((f) => !oldFinalizers.includes(f));
      if (added.length) {
        throw invalid(r.kind, r.group, String(meta.name), [
          fieldError("FieldValueForbidden", FieldPath.of("metadata", "finalizers"), `no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(", ")}}`),
        ]);
      }
    }
    const frozen = immutabilityErrors(r, old, next);
    if (frozen.length) throw invalid(r.kind, r.group, String(meta.name), frozen);
    if (tracksGeneration(r) && specChanged(r, old, next)) meta.generation = Number(old.metadata.generation ?? 0) + 1;
    this.ctx.controllers.get(r.storageKey)?.validate?.(next, old);
    const now = timestamp();
    if (opts.managedFields) {
      if (opts.managedFields.length) meta.managedFields = opts.managedFields;
      else delete meta.managedFields;
    } else {
      const managed = managedAfterUpdate(r.schema, old, next, managedScope, { manager: opts.manager, apiVersion: r.apiVersion, now });
      if (managed.length) meta.managedFields = managed;
      else delete meta.managedFields;
    }
    meta.resourceVersion = old.metadata.resourceVersion;
    if (deepEqual(next, old)) return { status: opts.status ?? 200, body: asServed(old, r), warnings };
    if (opts.dryRun) return { status: opts.status ?? 200, body: asServed(next, r), warnings };
    // A namespace also waits for its spec.finalizers (the namespace registry's ShouldDeleteDuringUpdate).
    const specFinalizers = r.storageKey === "/namespaces" ? (((next.spec as Obj | undefined)?.finalizers as unknown[] | undefined) ?? []) : [];
    const storable = forStorage(next, r);
    this.convertFirst([storable], r);
    // The store's ShouldDeleteDuringUpdate: only once the grace period is 0 (a pod in its grace period stays for the kubelet).
    if (meta.deletionTimestamp && !((meta.finalizers as unknown[] | undefined)?.length) && !specFinalizers.length && !(Number(old.metadata.deletionGracePeriodSeconds ?? 0) > 0)) {
      const last = this.ctx.store.delete(r.storageKey, storable);
      this.afterDelete(r, last);
      return { status: opts.status ?? 200, body: asServed(last, r), warnings };
    }
    const stored = this.ctx.store.update(r.storageKey, storable, current);
    this.ctx.controllers.get(r.storageKey)?.changed?.({ type: "MODIFIED", object: stored });
    return { status: opts.status ?? 200, body: asServed(stored, r), warnings };
  }

  patch(call: ApiCall): ApiReply {
    const { info, query } = call;
    const r = this.resolve(info);
    if (info.subresource && info.subresource !== "status" && info.subresource !== "scale" && !ruledSubresource(r, info.subresource)) throw notFoundSub();
    this.allow(r, "patch");
    const type = call.contentType.split(";")[0]!.trim().toLowerCase();
    const accepted = r.patchTypes.map((p) => PATCH_CONTENT_TYPES[p] ?? p);
    const patchType = Object.entries(PATCH_CONTENT_TYPES).find(([, ct]) => ct === type)?.[0];
    if (!patchType || !(r.patchTypes as readonly string[]).includes(patchType)) throw unsupportedMediaType(accepted);
    const dryRun = dryRunOf(query);
    const fieldValidation = fieldValidationOf(query);
    const name = info.name!;
    const namespace = info.namespace ?? "";
    if (patchType === "apply") return this.apply(call, r, dryRun, fieldValidation);
    const manager = managerOf(call);
    const patchBody = decodeBody(call, "error decoding patch");
    const old = this.existing(r, namespace, name);
    if (info.subresource === "scale") {
      const scale = this.scaleOf(r, old);
      const patched = this.patchDocument(patchType, r, scale, patchBody, true);
      return this.updateScale(call, r, patched as Obj);
    }
    const served = asServed(old, r);
    const patched = this.patchDocument(patchType, r, served, patchBody, false) as KubeObject;
    if (!isObj(patched)) throw badRequest("the patch did not produce an object");
    if (!isObj(patched.metadata)) patched.metadata = {};
    const rv = patched.metadata.resourceVersion;
    if (rv !== undefined && rv !== null && String(rv) !== old.metadata.resourceVersion) throw conflict(r, name, STALE_OBJECT);
    if (patched.metadata.name !== undefined && patched.metadata.name !== name) {
      throw badRequest(`the name of the object (${String(patched.metadata.name)}) does not match the name on the URL (${name})`);
    }
    patched.metadata.name = name;
    if (r.namespaced) patched.metadata.namespace = info.namespace;
    if (patched.kind !== r.kind || (patched.apiVersion !== r.apiVersion && patched.apiVersion !== undefined)) {
      throw badRequest(`the kind in the data (${String(patched.kind)}) does not match the expected kind (${r.kind})`);
    }
    return this.write(call, r, old, patched, { dryRun, fieldValidation, manager });
  }

  private patchDocument(type: string, r: ServedResource, doc: unknown, patch: unknown, scale: boolean): unknown {
    if (type === "json") return applyJson(doc, patch);
    // evanphx's MergePatch refuses a null or scalar patch itself ("Invalid JSON Patch").
    if (type === "merge" && (patch === null || typeof patch !== "object")) return applyMerge(doc, patch);
    if (!isObj(patch)) throw badRequest("json: cannot unmarshal array into Go value of type map[string]interface {}");
    if (type === "merge") return applyMerge(doc, patch);
    const schema = scale ? this.ctx.catalog.kind("autoscaling/v1", "Scale")?.schema : r.schema;
    return strategicMergePatch(schema ?? r.schema, doc, patch);
  }

  private apply(call: ApiCall, r: ServedResource, dryRun: boolean, fieldValidation: FieldValidation): ApiReply {
    const { info, query } = call;
    const manager = query.get("fieldManager");
    if (!manager) throw badRequest("PATCH /apply requires fieldManager to be set");
    const force = queryBool(query, "force");
    const config = decodeBody(call, "error decoding YAML") as Obj;
    if (!isObj(config)) throw badRequest("the apply configuration must be an object");
    if (typeof config.apiVersion !== "string" || typeof config.kind !== "string") {
      throw badRequest(`error decoding YAML: unable to find api field in struct Unstructured for the json field "apiVersion"`);
    }
    this.checkIdentity(r, config, info);
    const name = info.name!;
    const cfgMeta = metaOfObj(config);
    if (cfgMeta.name !== undefined && cfgMeta.name !== name) {
      throw badRequest(`the name of the object (${String(cfgMeta.name)}) does not match the name on the URL (${name})`);
    }
    const namespace = info.namespace ?? "";
    const current = this.ctx.store.get(r.storageKey, namespace, name);
    const old = current && asServed(current, r);
    const sub = info.subresource === "status" ? "status" : "";
    const scope = this.scopeOf(r, sub);
    if (cfgMeta.resourceVersion !== undefined && old && String(cfgMeta.resourceVersion) !== old.metadata.resourceVersion) {
      throw conflict(r, name, STALE_OBJECT);
    }
    const now = timestamp();
    if (!r.custom && this.ctx.definitionNameOf) defaultListMapKeys(r.schema, config, this.ctx.definitionNameOf);
    const result = applyConfiguration(r.schema, old, config, scope, { manager, apiVersion: r.apiVersion, now }, force);
    const next = structuredClone(result.tracked) as KubeObject;
    next.metadata = { ...(isObj(result.tracked.metadata) ? result.tracked.metadata : {}) };
    if (old) {
      for (const k of ["name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds"]) {
        if (old.metadata[k] !== undefined) next.metadata[k] = old.metadata[k];
      }
    }
    next.apiVersion = r.apiVersion;
    next.kind = r.kind;
    next.metadata.name = name;
    if (r.namespaced) next.metadata.namespace = info.namespace;
    if (!old) {
      this.allow(r, "create");
      const { warnings } = admit(r, next, { fieldValidation, names: this.ctx.names, namespaceFromPath: true, user: requestUser(call), ...this.writeHooks(r, true) });
      warnings.push(...this.mutatingAdmission(r, "CREATE", next, undefined, call, dryRun));
      this.requireNamespace(r, info.namespace, name);
      this.prepareCreate(r, next, manager);
      next.metadata.managedFields = result.managedFields;
      warnings.push(...this.validatingAdmission(r, "CREATE", next, undefined, call, dryRun));
      this.ctx.controllers.get(r.storageKey)?.validate?.(next, undefined);
      if (dryRun) return { status: 201, body: asServed(next, r), warnings };
      const storable = forStorage(next, r);
      this.convertFirst([storable], r);
      const stored = this.ctx.store.create(r.storageKey, storable);
      this.ctx.controllers.get(r.storageKey)?.changed?.({ type: "ADDED", object: stored });
      return { status: 201, body: asServed(stored, r), warnings };
    }
    return this.write(call, r, current, next, { dryRun, fieldValidation, manager, managedFields: result.managedFields });
  }

  delete(call: ApiCall): ApiReply {
    const { info, query } = call;
    const r = this.resolve(info);
    if (info.subresource) throw methodNotAllowed();
    this.allow(r, "delete");
    const options = this.deleteOptions(call);
    // kube-apiserver's NamespaceLifecycle admission plugin, before the object is looked up.
    if (r.group === "" && r.plural === "namespaces" && IMMORTAL_NAMESPACES.has(info.name!)) throw forbidden(r, info.name, "this namespace may not be deleted");
    const obj = this.existing(r, info.namespace ?? "", info.name!);
    const warnings = this.policies(r, "DELETE", undefined, obj, call, dryRunOf(query) || options.dryRun);
    const reply = this.deleteOne(r, obj, options, dryRunOf(query) || options.dryRun);
    return warnings.length ? { ...reply, warnings: [...(reply.warnings ?? []), ...warnings] } : reply;
  }

  private deleteOptions(call: ApiCall): DeleteChoice & { dryRun: boolean } {
    let body: Obj = {};
    if (call.body && call.body.length) {
      const decoded = decodeBody(call, "couldn't get version/kind", { apiVersion: "meta.k8s.io/v1", kind: "DeleteOptions" });
      if (!isObj(decoded)) throw badRequest("DeleteOptions must be an object");
      body = decoded;
    }
    const pre = isObj(body.preconditions) ? body.preconditions : {};
    // Query parameters decode into the same DeleteOptions, which rest.BeforeDelete validates.
    const given: Obj = { ...body };
    if (call.query.has("propagationPolicy")) given.propagationPolicy = call.query.get("propagationPolicy");
    if (call.query.has("orphanDependents")) given.orphanDependents = queryBool(call.query, "orphanDependents");
    if (call.query.has("dryRun")) given.dryRun = call.query.getAll("dryRun");
    const errs = validateDeleteOptions(given, this.minor);
    if (errs.length) throw invalid("DeleteOptions", "meta.k8s.io", "", errs);
    const policy = (call.query.get("propagationPolicy") ?? (typeof body.propagationPolicy === "string" ? body.propagationPolicy : undefined)) ?? "Background";
    if (queryBool(call.query, "orphanDependents") || body.orphanDependents === true) {
      const graceQuery = call.query.get("gracePeriodSeconds");
      const grace = graceQuery !== null && /^-?\d+$/.test(graceQuery) ? Number(graceQuery) : typeof body.gracePeriodSeconds === "number" ? body.gracePeriodSeconds : undefined;
      return { ...(grace !== undefined ? { gracePeriodSeconds: grace } : {}), ...(typeof pre.uid === "string" ? { uid: pre.uid } : {}), ...(typeof pre.resourceVersion === "string" ? { resourceVersion: pre.resourceVersion } : {}), propagationPolicy: "Orphan", dryRun: Array.isArray(body.dryRun) && body.dryRun.includes("All") };
    }
    // orphanDependents given as false: the one case kube-apiserver answers 202 for a delete that leaves the object.
    const orphanDependentsFalse = call.query.has("orphanDependents") ? !queryBool(call.query, "orphanDependents") : body.orphanDependents === false;
    const graceQuery = call.query.get("gracePeriodSeconds");
    const grace = graceQuery !== null && /^-?\d+$/.test(graceQuery) ? Number(graceQuery) : typeof body.gracePeriodSeconds === "number" ? body.gracePeriodSeconds : undefined;
    return {
      ...(grace !== undefined ? { gracePeriodSeconds: grace } : {}),
      ...(typeof pre.uid === "string" ? { uid: pre.uid } : {}),
      ...(typeof pre.resourceVersion === "string" ? { resourceVersion: pre.resourceVersion } : {}),
      propagationPolicy: policy,
      dryRun: Array.isArray(body.dryRun) && body.dryRun.includes("All"),
      ...(orphanDependentsFalse ? { orphanDependentsFalse } : {}),
    };
  }

  private deleteOne(
    r: ServedResource,
    obj: KubeObject,
    options: DeleteChoice,
    dryRun: boolean,
  ): ApiReply {
    const name = String(obj.metadata.name);
    // The delete handler answers 200 when the object stays (finalizers, foreground or orphan deletion, a
    // namespace), and 202 only when the client set orphanDependents=false ("that will break existing clients").
    const kept = options.orphanDependentsFalse ? 202 : 200;
    if (options.uid !== undefined && options.uid !== obj.metadata.uid) {
      throw conflict(r, name, `Precondition failed: UID in precondition: ${options.uid}, UID in object meta: ${String(obj.metadata.uid)}`);
    }
    if (options.resourceVersion !== undefined && options.resourceVersion !== obj.metadata.resourceVersion) {
      throw conflict(r, name, `Precondition failed: ResourceVersion in precondition: ${options.resourceVersion}, ResourceVersion in object meta: ${String(obj.metadata.resourceVersion)}`);
    }
    this.convertFirst([obj], r);
    const finalizers = [...(((obj.metadata.finalizers as string[] | undefined) ?? []))];
    if (options.propagationPolicy === "Foreground" && !finalizers.includes("foregroundDeletion") && this.hasDependents(obj)) finalizers.push("foregroundDeletion");
    if (options.propagationPolicy === "Orphan" && !finalizers.includes("orphan") && this.hasDependents(obj)) finalizers.push("orphan");
    const graceful = this.gracefulDelete(r, obj, options, finalizers, kept, dryRun);
    if (graceful) return graceful;
    const specFinalizers = r.storageKey === "/namespaces" ? (((obj.spec as Obj | undefined)?.finalizers as string[] | undefined) ?? []) : [];
    if (finalizers.length || specFinalizers.length) {
      if (obj.metadata.deletionTimestamp) return { status: kept, body: asServed(obj, r) };
      const next = structuredClone(obj);
      next.metadata.deletionTimestamp = timestamp();
      next.metadata.deletionGracePeriodSeconds = 0;
      const terminating = r.custom ? undefined : terminatingStatus[r.storageKey];
      if (terminating) next.status = { ...(isObj(next.status) ? next.status : {}), ...terminating };
      next.metadata.finalizers = finalizers.length ? finalizers : undefined;
      if (!finalizers.length) delete next.metadata.finalizers;
      if (tracksGeneration(r)) next.metadata.generation = Number(obj.metadata.generation ?? 0) + 1;
      this.ctx.controllers.get(r.storageKey)?.validate?.(next, obj);
      if (dryRun) return { status: kept, body: asServed(next, r) };
      const stored = this.ctx.store.update(r.storageKey, next, obj);
      this.ctx.controllers.get(r.storageKey)?.changed?.({ type: "MODIFIED", object: stored });
      setImmediate(() => this.collectDependents(stored, options.propagationPolicy));
      return { status: kept, body: asServed(stored, r) };
    }
    if (dryRun) return { status: 200, body: deleteReply(r, obj) };
    const last = this.ctx.store.delete(r.storageKey, obj);
    this.afterDelete(r, last, options.propagationPolicy);
    return { status: 200, body: deleteReply(r, last) };
  }

  /**
   * Graceful deletion (`rest.BeforeDelete` with the kind's `CheckGracefulDelete`, then the store's
   * update before the delete): the object gets `deletionTimestamp` (now plus the grace period) and
   * `deletionGracePeriodSeconds`, and stays while the period is above 0 or finalizers hold it — the
   * kubelet deletes a pod with period 0 once its containers have stopped. A delete of an object in
   * its grace period may only shorten it; otherwise it answers the object unchanged. Undefined for
   * kinds without graceful deletion, and where the plain delete path applies (a period already 0).
   */
  private gracefulDelete(r: ServedResource, obj: KubeObject, options: DeleteChoice, finalizers: string[], kept: number, dryRun: boolean): ApiReply | undefined {
    const periodOf = r.custom ? undefined : gracefulDeletion[r.storageKey];
    if (!periodOf) return undefined;
    const meta = obj.metadata;
    const current = typeof meta.deletionGracePeriodSeconds === "number" ? meta.deletionGracePeriodSeconds : undefined;
    const next = structuredClone(obj);
    if (meta.deletionTimestamp) {
      if (current === undefined || current === 0) return undefined;
      const requested = options.gracePeriodSeconds === undefined ? undefined : options.gracePeriodSeconds < 0 ? 1 : options.gracePeriodSeconds;
      if (requested === undefined || requested >= current) return { status: kept, body: asServed(obj, r) };
      next.metadata.deletionTimestamp = timestamp(new Date(Date.parse(String(meta.deletionTimestamp)) + (requested - current) * 1000));
      next.metadata.deletionGracePeriodSeconds = requested;
    } else {
      const period = periodOf(obj, options.gracePeriodSeconds);
      next.metadata.deletionTimestamp = timestamp(new Date(Date.now() + period * 1000));
      next.metadata.deletionGracePeriodSeconds = period;
      if (typeof meta.generation === "number" && meta.generation > 0) next.metadata.generation = meta.generation + 1;
    }
    if (finalizers.length) next.metadata.finalizers = finalizers;
    const period = Number(next.metadata.deletionGracePeriodSeconds);
    const stays = period > 0 || finalizers.length > 0;
    if (dryRun) return stays ? { status: kept, body: asServed(next, r) } : { status: 200, body: deleteReply(r, next) };
    this.ctx.controllers.get(r.storageKey)?.validate?.(next, obj);
    const stored = this.ctx.store.update(r.storageKey, next, obj);
    this.ctx.controllers.get(r.storageKey)?.changed?.({ type: "MODIFIED", object: stored });
    if (stays) {
      if (finalizers.length) setImmediate(() => this.collectDependents(stored, options.propagationPolicy));
      return { status: kept, body: asServed(stored, r) };
    }
    const last = this.ctx.store.delete(r.storageKey, stored);
    this.afterDelete(r, last, options.propagationPolicy);
    return { status: 200, body: deleteReply(r, last) };
  }

  /**
   * Convert objects for the answer before anything is stored: a request that pauses for a
   * conversion webhook runs again, and must not have written by then.
   */
  private convertFirst(objects: readonly KubeObject[], r: ServedResource): void {
    if (r.custom?.conversion) asServedAll(objects, r);
  }

  private afterDelete(r: ServedResource, last: KubeObject, policy = "Background"): void {
    this.ctx.controllers.get(r.storageKey)?.changed?.({ type: "DELETED", object: last });
    setImmediate(() => this.collectDependents(last, policy));
  }

  /** Every object whose ownerReferences name this object. */
  private dependentsOf(owner: KubeObject): Array<{ resource: ServedResource; object: KubeObject }> {
    const out: Array<{ resource: ServedResource; object: KubeObject }> = [];
    for (const { storageKey, object } of this.ctx.store.dependentsOf(String(owner.metadata.uid))) {
      const resource = this.ctx.catalog.all().find((r) => r.storageKey === storageKey);
      if (resource) out.push({ resource, object });
    }
    return out;
  }

  private hasDependents(owner: KubeObject): boolean {
    return this.dependentsOf(owner).length > 0;
  }

  /** The garbage collector's part: delete or orphan dependents, then release the owner's finalizer. */
  private collectDependents(owner: KubeObject, policy: string): void {
    try {
      const dependents = this.dependentsOf(owner);
      let orphaning: "waiting" | "refused" | undefined;
      for (const { resource, object } of dependents) {
        const current = this.ctx.store.get(resource.storageKey, String(object.metadata.namespace ?? ""), String(object.metadata.name));
        if (!current) continue;
        if (policy === "Orphan") {
          const outcome = this.collectorOrphan(resource, current, owner);
          if (outcome !== "done" && orphaning !== "waiting") orphaning = outcome;
        } else if (!current.metadata.deletionTimestamp) {
          this.collectorDelete(resource, current, policy === "Foreground" ? "Foreground" : "Background");
        }
      }
      const release = policy === "Orphan" ? "orphan" : policy === "Foreground" ? "foregroundDeletion" : undefined;
      if (!release) return;
      // The orphan finalizer goes only once every dependent is orphaned (a write waiting for webhooks, or refused, is tried again).
      if (orphaning) {
        setTimeout(() => this.collectDependents(owner, policy), orphaning === "waiting" ? 20 : 1000).unref();
        return;
      }
      const r = this.ctx.catalog.all().find((x) => x.kind === owner.kind && x.apiVersion === owner.apiVersion) ?? this.ctx.catalog.all().find((x) => x.kind === owner.kind);
      if (!r) return;
      const current = this.ctx.store.get(r.storageKey, String(owner.metadata.namespace ?? ""), String(owner.metadata.name));
      if (!current || !current.metadata.deletionTimestamp) return;
      if (release === "foregroundDeletion" && this.hasDependents(current)) {
        setTimeout(() => this.collectDependents(current, policy), 20).unref();
        return;
      }
      const finalizers = ((current.metadata.finalizers as string[] | undefined) ?? []).filter((f) => f !== release);
      const next = structuredClone(current);
      if (finalizers.length) next.metadata.finalizers = finalizers;
      else delete next.metadata.finalizers;
      if (!finalizers.length && !(Number(current.metadata.deletionGracePeriodSeconds ?? 0) > 0)) {
        const last = this.ctx.store.delete(r.storageKey, next);
        this.ctx.controllers.get(r.storageKey)?.changed?.({ type: "DELETED", object: last });
      } else this.ctx.store.update(r.storageKey, next, current);
    } catch {
      // Garbage collection is best effort, as in a cluster.
    }
  }

  /**
   * A delete by a controller (the garbage collector, the namespace controller), through admission
   * as that controller's service account, as in a cluster: DeleteOptions with the propagation
   * policy (and, from the collector, a uid precondition); no name for the namespace controller's
   * deletecollection.
   */
  private controllerDelete(r: ServedResource, obj: KubeObject, propagationPolicy: string, user: string, webhooks: WebhookState | undefined): ApiReply {
    const namespace = r.namespaced ? String(obj.metadata.namespace ?? "") : undefined;
    const collector = user === GARBAGE_COLLECTOR;
    const options = { kind: "DeleteOptions", apiVersion: "v1", propagationPolicy, ...(collector ? { preconditions: { uid: obj.metadata.uid } } : {}) };
    const call: ApiCall = {
      info: { verb: collector ? "delete" : "deletecollection", group: r.group, version: r.version, namespace, resource: r.plural, name: collector ? String(obj.metadata.name) : undefined, subresource: undefined, rest: [] },
      query: new URLSearchParams(),
      contentType: "application/json",
      body: Buffer.from(JSON.stringify(options)),
      userAgent: `kube-controller-manager/${this.ctx.kubernetesVersion ?? "v1.36"}.0 (linux/amd64) kubernetes/0000000`,
      user,
      groups: ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"],
      ...(webhooks ? { webhooks } : {}),
    };
    const ctx = this.admissionContext();
    const write = this.webhookWrite(r, "DELETE", undefined, obj, call, false, collector ? {} : { name: "" });
    const named = collector ? {} : { name: "" };
    const warnings = admitPolicies(ctx, r, "DELETE", undefined, obj, user, false, "mutating", named).warnings;
    warnings.push(...webhookPhase(ctx, webhooks, "mutating", write).warnings);
    warnings.push(...admitPolicies(ctx, r, "DELETE", undefined, obj, user, false, "validating", named).warnings);
    warnings.push(...webhookPhase(ctx, webhooks, "validating", write).warnings);
    return this.deleteOne(r, obj, { propagationPolicy, uid: String(obj.metadata.uid) }, false);
  }

  /** The garbage collector's delete of a dependent: waits for the webhooks it calls; a refusal leaves the dependent. */
  private collectorDelete(r: ServedResource, obj: KubeObject, propagationPolicy: string): void {
    const call = this.ctx.callWebhooks;
    const state: WebhookState | undefined = call ? { results: {} } : undefined;
    const attempt = (round: number): void => {
      const current = this.ctx.store.get(r.storageKey, String(obj.metadata.namespace ?? ""), String(obj.metadata.name));
      if (!current || current.metadata.uid !== obj.metadata.uid || current.metadata.deletionTimestamp) return;
      try {
        this.controllerDelete(r, current, propagationPolicy, GARBAGE_COLLECTOR, state);
      } catch (e) {
        if (!(e instanceof WebhookPause) || !call || !state || round >= 3) return;
        call(e).then(
          (outcome) => {
            state.results[e.stage] = outcome;
            attempt(round + 1);
          },
          () => undefined,
        );
      }
    };
    attempt(0);
  }

  /** Webhook states of the garbage collector's orphaning writes, across its tries (by dependent and owner). */
  private readonly orphanStates = new Map<string, { state: WebhookState; waiting: boolean }>();

  /**
   * The garbage collector's orphaning of a dependent: its ownerReference to the owner removed, an
   * UPDATE through admission as the collector: done, waiting for webhooks, or refused (the
   * collector tries again, as it does with backoff).
   */
  private collectorOrphan(r: ServedResource, current: KubeObject, owner: KubeObject): "done" | "waiting" | "refused" {
    const key = `${String(current.metadata.uid)}\u0000${String(owner.metadata.uid)}`;
    const call = this.ctx.callWebhooks;
    let entry = this.orphanStates.get(key);
    if (!entry && call) {
      entry = { state: { results: {} }, waiting: false };
      this.orphanStates.set(key, entry);
    }
    if (entry?.waiting) return "waiting";
    const next = structuredClone(current);
    next.metadata.ownerReferences = ((current.metadata.ownerReferences as Obj[] | undefined) ?? []).filter((ref) => ref.uid !== owner.metadata.uid);
    if (!(next.metadata.ownerReferences as unknown[]).length) delete next.metadata.ownerReferences;
    const apiCall: ApiCall = {
      info: { verb: "patch", group: r.group, version: r.version, namespace: r.namespaced ? String(current.metadata.namespace ?? "") : undefined, resource: r.plural, name: String(current.metadata.name), subresource: undefined, rest: [] },
      query: new URLSearchParams(),
      contentType: "application/merge-patch+json",
      body: undefined,
      userAgent: `kube-controller-manager/${this.ctx.kubernetesVersion ?? "v1.36"}.0 (linux/amd64) kubernetes/0000000`,
      user: GARBAGE_COLLECTOR,
      groups: ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"],
      ...(entry ? { webhooks: entry.state } : {}),
    };
    try {
      this.policies(r, "UPDATE", next, current, apiCall, false);
      this.ctx.store.update(r.storageKey, next, current);
      this.orphanStates.delete(key);
      return "done";
    } catch (e) {
      if (e instanceof WebhookPause && call && entry) {
        entry.waiting = true;
        const waiting = entry;
        call(e).then(
          (outcome) => {
            waiting.state.results[e.stage] = outcome;
            waiting.waiting = false;
          },
          () => this.orphanStates.delete(key),
        );
        return "waiting";
      }
      this.orphanStates.delete(key);
      return "refused";
    }
  }

  deleteCollection(call: ApiCall): ApiReply {
    const plan = this.collectionToDelete(call);
    const deleted: KubeObject[] = [];
    const warnings: string[] = [];
    for (const item of plan.items) {
      const reply = this.deleteCollectionItem(call, plan, item);
      if (!reply) continue;
      deleted.push(reply.body as KubeObject);
      warnings.push(...(reply.warnings ?? []));
    }
    return this.collectionDeleted(plan, deleted, warnings);
  }

  /**
   * What a deletecollection removes: the resource, its options and the items selected now. The
   * server then deletes each with {@link Rest.deleteCollectionItem} (admission called per item).
   */
  collectionToDelete(call: ApiCall): DeleteCollectionPlan {
    const { info, query } = call;
    const r = this.resolve(info);
    this.allow(r, "deletecollection");
    const sel = selectionOf(r, query);
    const options = this.deleteOptions(call);
    const dryRun = dryRunOf(query) || options.dryRun;
    const items = this.ctx.store.list(r.storageKey, info.namespace).filter((o) => selects(r, sel, o));
    // Converted before the first delete: a request paused for a conversion webhook runs again whole.
    this.convertFirst(items, r);
    return { resource: r, propagationPolicy: options.propagationPolicy, dryRun, items };
  }

  /**
   * Delete one item of a deletecollection, as the registry's DeleteCollection does: through
   * admission (operation DELETE, the item as the old object, no name: the request names none),
   * then the delete; undefined when the item is already gone.
   */
  deleteCollectionItem(call: ApiCall, plan: DeleteCollectionPlan, item: KubeObject): ApiReply | undefined {
    const r = plan.resource;
    const current = this.ctx.store.get(r.storageKey, String(item.metadata.namespace ?? ""), String(item.metadata.name));
    if (!current) return undefined;
    const ctx = this.admissionContext();
    const write = this.webhookWrite(r, "DELETE", undefined, current, call, plan.dryRun, { name: "", namespace: call.info.namespace ?? String(current.metadata.namespace ?? "") });
    const warnings = admitPolicies(ctx, r, "DELETE", undefined, current, call.user, plan.dryRun, "mutating", { name: "" }).warnings;
    warnings.push(...webhookPhase(ctx, call.webhooks, "mutating", write).warnings);
    warnings.push(...admitPolicies(ctx, r, "DELETE", undefined, current, call.user, plan.dryRun, "validating", { name: "" }).warnings);
    warnings.push(...webhookPhase(ctx, call.webhooks, "validating", write).warnings);
    const reply = this.deleteOne(r, current, { propagationPolicy: plan.propagationPolicy }, plan.dryRun);
    const body = reply.body as KubeObject;
    return { status: reply.status, body: body.kind === "Status" ? current : body, warnings };
  }

  /** The reply of a deletecollection: the list of what was deleted. */
  collectionDeleted(plan: DeleteCollectionPlan, deleted: KubeObject[], warnings: string[] = []): ApiReply {
    const r = plan.resource;
    return { status: 200, body: this.listBody(r, deleted.map((o) => asServed(o, r)), { resourceVersion: String(this.ctx.store.revision) }), ...(warnings.length ? { warnings } : {}) };
  }

  /**
   * The namespace lifecycle: delete what a terminating namespace holds (through admission, as the
   * namespace controller; `webhooks` gives each delete its webhook state, and a delete waiting
   * for webhooks throws its {@link WebhookPause}); once it is empty, drop its finalizer and remove
   * it. Deletes refused by admission are thrown once the others are done.
   */
  finishNamespace(name: string, webhooks?: () => WebhookState | undefined): void {
    const ns = this.ctx.store.get("/namespaces", "", name);
    if (!ns || !ns.metadata.deletionTimestamp) return;
    const seen = new Set<string>();
    let refused: unknown;
    for (const res of this.ctx.catalog.all()) {
      if (!res.namespaced || seen.has(res.storageKey)) continue;
      seen.add(res.storageKey);
      for (const o of this.ctx.store.list(res.storageKey, name)) {
        if (o.metadata.deletionTimestamp) continue;
        const state = webhooks?.();
        try {
          this.controllerDelete(res, o, "Background", NAMESPACE_CONTROLLER, state);
          state?.shared?.release(state.used);
        } catch (e) {
          if (e instanceof WebhookPause) throw e;
          state?.shared?.release(state.used);
          refused ??= e;
        }
      }
    }
    if (refused) throw refused;
    const current = this.ctx.store.get("/namespaces", "", name);
    // Objects held by their own finalizers keep the namespace until they are gone.
    if (!current || [...seen].some((key) => this.ctx.store.hasAny(key, name))) return;
    const spec = (current.spec as Obj | undefined) ?? {};
    const specFinalizers = ((spec.finalizers as string[] | undefined) ?? []).filter((f) => f !== NAMESPACE_FINALIZER);
    const next = structuredClone(current);
    next.spec = { ...spec, finalizers: specFinalizers };
    if (!specFinalizers.length) delete (next.spec as Obj).finalizers;
    if (!specFinalizers.length && !((current.metadata.finalizers as unknown[] | undefined)?.length)) {
      this.ctx.store.delete("/namespaces", next);
    } else if (!deepEqual(next, current)) {
      this.ctx.store.update("/namespaces", next, current);
    }
  }

  /** The autoscaling/v1 Scale of a scalable object. */
  scaleOf(r: ServedResource, obj: KubeObject): Obj {
    if (!hasSub(r, "scale")) throw notFoundSub();
    const paths = r.custom?.scale ?? { specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas", labelSelectorPath: undefined };
    const read = (p: string | undefined) => (p ? get(obj, p.replace(/^\./, "")) : undefined);
    let selector = "";
    if (r.custom) {
      const s = read(paths.labelSelectorPath);
      selector = typeof s === "string" ? s : "";
    } else {
      selector = selectorString(get(obj, "spec.selector"));
    }
    return {
      kind: "Scale",
      apiVersion: "autoscaling/v1",
      metadata: {
        name: obj.metadata.name,
        ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
        uid: obj.metadata.uid,
        resourceVersion: obj.metadata.resourceVersion,
        creationTimestamp: obj.metadata.creationTimestamp,
      },
      spec: { replicas: Number(read(paths.specReplicasPath) ?? 0) },
      status: { replicas: Number(read(paths.statusReplicasPath) ?? 0), ...(selector ? { selector } : {}) },
    };
  }

  private updateScale(call: ApiCall, r: ServedResource, sent: Obj): ApiReply {
    if (!hasSub(r, "scale")) throw notFoundSub();
    const name = call.info.name!;
    const old = this.existing(r, call.info.namespace ?? "", name);
    // Admission sees Scales (`scaleUpdatedObjectInfo`, `toScaleUpdateValidation`): mutating
    // webhooks the Scale sent and the current one, validating webhooks the Scales of the object
    // as it will be stored and as it is.
    const kind = { group: "autoscaling", version: "v1", kind: "Scale" };
    const dryRun = dryRunOf(call.query);
    const oldScale = this.scaleOf(r, old) as KubeObject;
    const requested = { ...sent, apiVersion: "autoscaling/v1", kind: "Scale", metadata: isObj(sent.metadata) ? sent.metadata : {} } as KubeObject;
    const mutated = this.subresourcePhase("mutating", call, r, "UPDATE", requested, oldScale, kind);
    const scale: Obj = mutated.object ?? requested;
    const replicas = (scale.spec as Obj | undefined)?.replicas;
    if (typeof replicas !== "number" || !Number.isInteger(replicas) || replicas < 0) {
      throw invalid("Scale", "autoscaling", name, [fieldError("FieldValueInvalid", FieldPath.of("spec", "replicas"), "must be greater than or equal to 0", replicas)]);
    }
    const rv = (scale.metadata as Obj | undefined)?.resourceVersion;
    if (rv !== undefined && rv !== "" && String(rv) !== old.metadata.resourceVersion) throw conflict(r, name, STALE_OBJECT);
    const path = (r.custom?.scale?.specReplicasPath ?? ".spec.replicas").replace(/^\./, "").split(".");
    const next = structuredClone(old);
    let cur: Obj = next;
    for (const seg of path.slice(0, -1)) {
      if (!isObj(cur[seg])) cur[seg] = {};
      cur = cur[seg] as Obj;
    }
    cur[path[path.length - 1]!] = replicas;
    const admission = (written: KubeObject) => [...mutated.warnings, ...this.subresourcePhase("validating", call, r, "UPDATE", this.scaleOf(r, written), oldScale, kind).warnings];
    const reply = this.write(call, r, old, next, { dryRun, fieldValidation: "Ignore", manager: managerOf(call), admission });
    return { status: reply.status, body: this.scaleOf(r, reply.body as KubeObject), ...(reply.warnings?.length ? { warnings: reply.warnings } : {}) };
  }
}

/** Copy an allocated field from the stored object into an update that leaves it out. */
function keepAllocated(old: unknown, next: unknown, path: string): void {
  const m = /^([^[]+)\[([^\]]+)\]\.(.+)$/.exec(path);
  if (m) {
    const [, listPath, keyList, rest] = m as unknown as [string, string, string, string];
    const keys = keyList.split(",");
    const before = get(old, listPath);
    const after = get(next, listPath);
    if (!Array.isArray(before) || !Array.isArray(after)) return;
    for (const item of after) {
      if (!isObj(item)) continue;
      // A key the update leaves out (to be defaulted) matches any stored value.
      const match = before.find((b) => isObj(b) && keys.every((k) => item[k] === undefined || b[k] === item[k]));
      if (match) keepAllocated(match, item, rest);
    }
    return;
  }
  const segs = path.split(".");
  const value = get(old, path);
  if (value === undefined || get(next, path) !== undefined) return;
  let cur: unknown = next;
  for (const seg of segs.slice(0, -1)) {
    if (!isObj(cur)) return;
    if (!isObj(cur[seg])) cur[seg] = {};
    cur = cur[seg];
  }
  if (isObj(cur)) cur[segs[segs.length - 1]!] = structuredClone(value);
}

/** Changes to fields that may not change (and to ConfigMaps and Secrets marked `immutable`). */
function immutabilityErrors(r: ServedResource, old: KubeObject, next: KubeObject): FieldError[] {
  // Kinds with update rules in the apiserver pipeline have had them checked there.
  if (r.custom || kindRules(r.group, r.kind)?.validateUpdate) return [];
  const errs: FieldError[] = [];
  for (const path of immutableFields[r.storageKey] ?? []) {
    const before = get(old, path);
    if (before !== undefined && !deepEqual(before, get(next, path))) {
      errs.push(fieldError("FieldValueInvalid", FieldPath.of(...path.split(".")), "field is immutable", get(next, path) ?? null));
    }
  }
  if (old.immutable === true) {
    for (const field of immutableWhenFlagged[r.storageKey] ?? []) {
      if (!deepEqual(old[field], next[field])) errs.push(fieldError("FieldValueForbidden", FieldPath.of(field), "field is immutable when `immutable` is set"));
    }
    if (next.immutable !== true) errs.push(fieldError("FieldValueForbidden", FieldPath.of("immutable"), "field is immutable when `immutable` is set"));
  }
  return errs;
}

/** What a completed delete returns: the object for resources that return it, else a Success Status. */
/** What a delete asks: preconditions, propagation, the grace period, and whether orphanDependents=false was given. */
interface DeleteChoice {
  uid?: string;
  resourceVersion?: string;
  propagationPolicy: string;
  gracePeriodSeconds?: number;
  orphanDependentsFalse?: boolean;
}

function deleteReply(r: ServedResource, obj: KubeObject): unknown {
  if (r.custom || r.storageKey === "/pods") return asServed(obj, r);
  return successStatus({ name: String(obj.metadata.name), ...(r.group ? { group: r.group } : {}), kind: r.plural, uid: String(obj.metadata.uid) });
}

function notFoundSub(): KubeApiError {
  return statusError(404, "NotFound", "the server could not find the requested resource", {});
}

function keyString(o: KubeObject): string {
  const { namespace, name } = objectKey(o);
  return `${namespace}/${name}`;
}

/** A label selector (map or matchLabels/matchExpressions) in selector-string form. */
export function selectorString(sel: unknown): string {
  if (!isObj(sel)) return "";
  const parts: string[] = [];
  const labels = isObj(sel.matchLabels) ? sel.matchLabels : sel.matchExpressions === undefined && sel.matchLabels === undefined ? sel : {};
  for (const [k, v] of Object.entries(labels).sort(([a], [b]) => a.localeCompare(b))) parts.push(`${k}=${String(v)}`);
  if (Array.isArray(sel.matchExpressions)) {
    for (const e of sel.matchExpressions as Obj[]) {
      const values = Array.isArray(e.values) ? (e.values as string[]).join(",") : "";
      if (e.operator === "In") parts.push(`${String(e.key)} in (${values})`);
      else if (e.operator === "NotIn") parts.push(`${String(e.key)} notin (${values})`);
      else if (e.operator === "Exists") parts.push(String(e.key));
      else if (e.operator === "DoesNotExist") parts.push(`!${String(e.key)}`);
    }
  }
  return parts.join(",");
}

/** The content type of each patch type. */
export const PATCH_CONTENT_TYPES: Record<string, string> = {
  json: "application/json-patch+json",
  merge: "application/merge-patch+json",
  strategic: "application/strategic-merge-patch+json",
  apply: "application/apply-patch+yaml",
};

function generateName(prefix: string, taken: (name: string) => boolean): string {
  for (let attempt = 0; attempt < 16; attempt++) {
    const name = `${prefix.slice(0, 58)}${nameSuffix()}`;
    if (!taken(name)) return name;
  }
  throw statusError(409, "AlreadyExists", `an object with generateName ${prefix} could not be given a unique name`);
}

function mergeDefaults(defaults: unknown, value: unknown): unknown {
  if (value === undefined) return structuredClone(defaults);
  if (isObj(defaults) && isObj(value)) {
    const out: Obj = { ...value };
    for (const [k, v] of Object.entries(defaults)) out[k] = mergeDefaults(v, value[k]);
    return out;
  }
  return value;
}
