/**
 * `Kube`: the typed client for one cluster. Every method takes a schema (or an object whose
 * apiVersion/kind name one), builds the REST call from the schema's annotations and parses the
 * answer through the schema.
 */
import * as z from "zod";
import {
  ConflictError,
  KubeApiError,
  UnprocessableEntityError,
  apiErrorFor,
  type RequestInfo,
  type Status,
} from "../errors.js";
import { resourceInfo, type ResourceInfo } from "../meta/registry.js";
import { kubernetesVersions, schemaFor } from "../meta/lookup.js";
import { guardJsonPatch, jsonPatchDiff, jsonPatchToSmp, pickChanges, type JsonPatchOperation } from "../patch/index.js";
import type { KubeResponse, Transport } from "../transport/index.js";
import type { QueryParams, RequestOptions } from "../transport/index.js";
import { Discovery, type DiscoveredResource, type DiscoveryResult } from "./discovery.js";
import { execCommand, forwardPort, openSession, type ExecSession, type PortForward } from "./exec.js";
import { ndjson } from "./ndjson.js";
import { checkOutgoing, listSchemaOf, parseReceived, type ValidationIssueHandler } from "./parse.js";
import { resourcePath } from "./paths.js";
import { fieldSelectorString, labelSelectorString } from "./selectors.js";
import type {
  ApplyOptions,
  BookmarkObject,
  CallOptions,
  DeleteCollectionOptions,
  DeleteOptions,
  PodExecOptions,
  ExecResult,
  GetOptions,
  KubeList,
  ListOptions,
  LogsOptions,
  ModifyOptions,
  NamespaceOption,
  PatchOptions,
  Returned,
  UpdateOptions,
  ValidationMode,
  WatchEvent,
  WatchOptions,
  WriteOptions,
} from "./types.js";
import { VersionInfo } from "./version.js";
import { isRecord } from "../meta/values.js";

/** A Kubernetes object as the client sees it before knowing its schema. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string | null; namespace?: string | null; resourceVersion?: string | null } | null;
}

/** Settings of a `Kube` beyond its transport. */
export interface KubeSettings {
  /** The namespace used when a call names none (the context's). */
  namespace: string;
  /** Default response validation (default `strict`). */
  validate?: ValidationMode;
  /** Which bundled schemas to use for objects given without a schema: a minor, or `auto` (ask the server). */
  kubernetesVersion?: string;
  /** Called in `loose` mode for responses that do not match their schema. */
  onValidationIssue?: ValidationIssueHandler;
  /** The field manager for writes that name none (default `kubezod`). */
  fieldManager?: string;
  /** A name for this cluster (the kubeconfig context), shown in multi-cluster results. */
  name?: string;
}

const SCHEMA_MARK = "_zod";

function isSchema(v: unknown): v is z.ZodType {
  return typeof v === "object" && v !== null && SCHEMA_MARK in v;
}

const CONTENT_TYPES = {
  json: "application/json-patch+json",
  merge: "application/merge-patch+json",
  strategic: "application/strategic-merge-patch+json",
  apply: "application/apply-patch+yaml",
} as const;

/** Metadata the server owns; `createOrUpdate` keeps the live values. */
const SERVER_METADATA = ["uid", "resourceVersion", "creationTimestamp", "generation", "managedFields", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds"];

/**
 * The typed client for one cluster. Make one with `connect()`; several `Kube`s side by side talk to
 * several clusters with no shared state.
 *
 * @example
 * const kube = await connect();
 * const cm = await kube.get(ConfigMap, "settings", { namespace: "default" });
 */
export class Kube {
  readonly transport: Transport;
  readonly settings: Readonly<KubeSettings>;
  readonly #discovery: Discovery;
  #serverMinor: Promise<string> | undefined;

  constructor(transport: Transport, settings: KubeSettings) {
    this.transport = transport;
    this.settings = settings;
    this.#discovery = new Discovery(transport);
  }

  /** The namespace used when a call names none. @example kube.namespace; // "default" */
  get namespace(): string {
    return this.settings.namespace;
  }

  // ---- reading ----------------------------------------------------------------------------

  /**
   * Read one object.
   *
   * @example
   * const d = await kube.get(Deployment, "web", { namespace: "shop" });
   * const maybe = await kube.get(ConfigMap, "x", { returnErrors: [404] }); // ConfigMap | NotFoundError
   */
  async get<S extends z.ZodType, const O extends GetOptions = GetOptions>(schema: S, name: string, options?: O): Promise<Returned<z.output<S>, O>> {
    const info = this.infoOf(schema);
    const res = await this.call(info, {
      method: "GET",
      location: { namespace: this.namespaceFor(info, options?.namespace), name, subresource: options?.subresource },
      query: { resourceVersion: options?.resourceVersion },
      options,
    });
    if (res instanceof KubeApiError) return res as Returned<z.output<S>, O>;
    const target = options?.subresource ? await this.subresourceSchema(info, options.subresource, schema) : schema;
    return this.parse(target, res, options) as Returned<z.output<S>, O>;
  }

  /**
   * List objects: in a namespace (default the context's), or across all with `allNamespaces`;
   * label selectors as objects (`matchLabels`, `matchExpressions`) or strings.
   *
   * @example
   * const pods = await kube.list(Pod, { namespace: "shop", labelSelector: { matchLabels: { app: "web" } } });
   * pods.items[0]?.status?.phase;
   */
  async list<S extends z.ZodType, const O extends ListOptions = ListOptions>(schema: S, options?: O): Promise<Returned<KubeList<z.output<S>>, O>> {
    const info = this.infoOf(schema);
    const res = await this.call(info, {
      method: "GET",
      location: { namespace: this.collectionNamespace(info, options) },
      query: this.listQuery(options),
      options,
    });
    if (res instanceof KubeApiError) return res as Returned<KubeList<z.output<S>>, O>;
    const list = this.parseList(schema, res, options);
    return list as Returned<KubeList<z.output<S>>, O>;
  }

  /**
   * Every object of a list, fetched page by page (`limit`, default 500) so large collections are
   * never held at once.
   *
   * @example
   * for await (const pod of kube.listAll(Pod, { allNamespaces: true })) console.log(pod.metadata?.name);
   */
  async *listAll<S extends z.ZodType>(schema: S, options: Omit<ListOptions, "returnErrors" | "continue"> = {}): AsyncGenerator<z.output<S>> {
    let token: string | undefined;
    do {
      const page: KubeList<z.output<S>> = await this.list(schema, { ...options, limit: options.limit ?? 500, ...(token ? { continue: token } : {}) });
      yield* page.items;
      token = page.metadata.continue || undefined;
    } while (token);
  }

  /**
   * Watch a collection (or one object with `name`): an async iterator of typed events. An `ERROR`
   * event becomes a typed error (`GoneError` for 410: restart from a fresh list). Stop with
   * `signal` or by leaving the loop.
   *
   * @example
   * for await (const e of kube.watch(ConfigMap, { namespace: "shop", labelSelector: { team: "a" } })) {
   *   if (e.type !== "BOOKMARK") console.log(e.type, e.object.metadata?.name);
   * }
   */
  async *watch<S extends z.ZodType>(schema: S, options: WatchOptions = {}): AsyncGenerator<WatchEvent<z.output<S>>> {
    const info = this.infoOf(schema);
    const { name, ...rest } = options;
    const fieldSelector = name
      ? [`metadata.name=${name}`, ...(rest.fieldSelector ? [fieldSelectorString(rest.fieldSelector)] : [])].join(",")
      : rest.fieldSelector;
    const query: QueryParams = {
      ...this.listQuery({ ...rest, ...(fieldSelector ? { fieldSelector } : {}) }),
      watch: true,
      allowWatchBookmarks: options.allowWatchBookmarks,
      sendInitialEvents: options.sendInitialEvents,
    };
    if (options.sendInitialEvents && !options.resourceVersionMatch) query.resourceVersionMatch = "NotOlderThan";
    const path = resourcePath(info, { namespace: this.collectionNamespace(info, options) });
    const stream = await this.transport.stream({
      method: "GET",
      path,
      query,
      ...this.transportOptions(options),
    });
    const request: RequestInfo = { method: "GET", url: `${this.transport.server}${path}` };
    const mode = options.validate ?? this.settings.validate ?? "strict";
    try {
      for await (const raw of ndjson(stream.body)) {
        if (!isRecord(raw) || typeof raw.type !== "string") throw new TypeError(`unexpected watch event from ${request.url}: ${JSON.stringify(raw).slice(0, 200)}`);
        if (raw.type === "ERROR") {
          const status = (raw.object ?? {}) as Status;
          throw apiErrorFor(typeof status.code === "number" ? status.code : 500, status, request);
        }
        if (raw.type === "BOOKMARK") {
          yield { type: "BOOKMARK", object: raw.object as BookmarkObject };
          continue;
        }
        if (raw.type !== "ADDED" && raw.type !== "MODIFIED" && raw.type !== "DELETED") continue;
        yield { type: raw.type, object: parseReceived(schema as z.ZodType<z.output<S>>, raw.object, mode, request, this.settings.onValidationIssue) };
      }
    } finally {
      stream.close();
    }
  }

  // ---- writing ----------------------------------------------------------------------------

  /**
   * Create an object. Pass its schema and the object, or just an object with apiVersion and kind.
   *
   * @example
   * const cm = await kube.create(ConfigMap, { metadata: { name: "settings" }, data: { a: "1" } });
   */
  async create<S extends z.ZodType, const O extends WriteOptions = WriteOptions>(schema: S, obj: z.input<S>, options?: O): Promise<Returned<z.output<S>, O>>;
  async create<T extends KubeObject, const O extends WriteOptions = WriteOptions>(obj: T, options?: O): Promise<Returned<T, O>>;
  async create(a: unknown, b?: unknown, c?: unknown): Promise<unknown> {
    const { schema, obj, options } = await this.target<WriteOptions>(a, b, c);
    const info = this.infoOf(schema);
    const body = this.outgoing(schema, obj, options, "object to create");
    const res = await this.call(info, {
      method: "POST",
      location: { namespace: this.namespaceFor(info, options?.namespace ?? this.objectNamespace(obj)) },
      query: this.writeQuery(options),
      body,
      options,
    });
    return res instanceof KubeApiError ? res : this.parse(schema, res, options);
  }

  /**
   * Replace an object with PUT (send `metadata.resourceVersion` for optimistic concurrency).
   *
   * @example
   * const updated = await kube.replace({ ...cm, data: { a: "2" } });
   */
  async replace<S extends z.ZodType, const O extends WriteOptions & { subresource?: string } = WriteOptions>(schema: S, obj: z.input<S>, options?: O): Promise<Returned<z.output<S>, O>>;
  async replace<T extends KubeObject, const O extends WriteOptions & { subresource?: string } = WriteOptions>(obj: T, options?: O): Promise<Returned<T, O>>;
  async replace(a: unknown, b?: unknown, c?: unknown): Promise<unknown> {
    const { schema, obj, options } = await this.target<WriteOptions & { subresource?: string }>(a, b, c);
    const info = this.infoOf(schema);
    const body = this.outgoing(schema, obj, options, "object to replace");
    const res = await this.call(info, {
      method: "PUT",
      location: { namespace: this.namespaceFor(info, options?.namespace ?? this.objectNamespace(obj)), name: this.nameOf(obj), subresource: options?.subresource },
      query: this.writeQuery(options),
      body,
      options,
    });
    return res instanceof KubeApiError ? res : this.parse(schema, res, options);
  }

  /**
   * Send a patch you wrote: `json` (RFC 6902 operations), `merge` (RFC 7386), `strategic`, or
   * `apply` (server-side apply). Default type: strategic where the kind accepts it, else merge.
   *
   * @example
   * await kube.patch(Deployment, "web", { spec: { replicas: 3 } }, { namespace: "shop" });
   * await kube.patch(Deployment, "web", [{ op: "replace", path: "/spec/replicas", value: 3 }], { type: "json" });
   */
  async patch<S extends z.ZodType, const O extends PatchOptions = PatchOptions>(
    schema: S,
    name: string,
    patch: unknown,
    options?: O,
  ): Promise<Returned<z.output<S>, O>> {
    const info = this.infoOf(schema);
    const type = options?.type ?? (info.patchTypes.includes("strategic") ? "strategic" : "merge");
    if (info.patchTypes.length && !info.patchTypes.includes(type)) {
      throw new TypeError(`${info.kind} (${info.apiVersion}) does not accept ${type} patches; it accepts ${info.patchTypes.join(", ")}`);
    }
    const res = await this.call(info, {
      method: "PATCH",
      location: { namespace: this.namespaceFor(info, options?.namespace), name, subresource: options?.subresource },
      query: {
        ...this.writeQuery(options),
        ...(type === "apply" ? { fieldManager: options?.fieldManager ?? this.settings.fieldManager ?? "kubezod", force: options?.force } : {}),
      },
      body: patch,
      contentType: CONTENT_TYPES[type],
      options,
    });
    if (res instanceof KubeApiError) return res as Returned<z.output<S>, O>;
    const target = options?.subresource ? await this.subresourceSchema(info, options.subresource, schema) : schema;
    return this.parse(target, res, options) as Returned<z.output<S>, O>;
  }

  /**
   * Server-side apply: send the fields you manage; the server merges them and tracks ownership.
   * Conflicts with other managers throw `ConflictError` unless `force`.
   *
   * @example
   * await kube.apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings", namespace: "shop" }, data: { a: "1" } }, { fieldManager: "my-operator" });
   */
  async apply<S extends z.ZodType, const O extends ApplyOptions = ApplyOptions>(schema: S, obj: unknown, options?: O): Promise<Returned<z.output<S>, O>>;
  async apply<T extends KubeObject, const O extends ApplyOptions = ApplyOptions>(obj: T, options?: O): Promise<Returned<T, O>>;
  async apply(a: unknown, b?: unknown, c?: unknown): Promise<unknown> {
    const { schema, obj, options } = await this.target<ApplyOptions>(a, b, c);
    const info = this.infoOf(schema);
    const body = { apiVersion: info.apiVersion, kind: info.kind, ...(obj as object) };
    return this.patch(schema, this.nameOf(obj), body, {
      ...options,
      type: "apply",
      namespace: options?.namespace ?? this.objectNamespace(obj),
    } as PatchOptions);
  }

  /**
   * Update an object from a modified copy: diff against `builtFromLatest` (or the live object),
   * keep only changes under `paths`, and send a strategic merge patch (kinds that accept it) or a
   * JSON patch guarded by `test` operations. The base's `resourceVersion` goes along, so a
   * concurrent change throws `ConflictError` instead of being overwritten. `force: true` sends PUT.
   *
   * @example
   * const d = await kube.get(Deployment, "web");
   * const next = structuredClone(d);
   * next.spec!.replicas = 3;
   * await kube.update(next, { builtFromLatest: d, paths: [pathOf(Deployment, (o) => o.spec.replicas)] });
   */
  async update<T extends KubeObject, const O extends UpdateOptions<NoInfer<T>> = UpdateOptions<NoInfer<T>>>(modified: T, options?: O): Promise<Returned<T, O>>;
  async update<S extends z.ZodType, const O extends UpdateOptions<z.output<S>> = UpdateOptions<z.output<S>>>(schema: S, modified: z.output<S>, options?: O): Promise<Returned<z.output<S>, O>>;
  async update(a: unknown, b?: unknown, c?: unknown): Promise<unknown> {
    const { schema, obj: modified, options } = await this.target<UpdateOptions<KubeObject>>(a, b, c);
    const opts = options ?? {};
    if (opts.force) return this.replace(schema, modified as never, opts);
    const info = this.infoOf(schema);
    const namespace = this.namespaceFor(info, opts.namespace ?? this.objectNamespace(modified));
    const name = this.nameOf(modified);
    checkOutgoing(schema, modified, this.modeOf(opts), "modified object");
    let base: KubeObject;
    if (opts.builtFromLatest) base = opts.builtFromLatest;
    else {
      const live = await this.get(schema, name, { ...this.callOptionsOf(opts), namespace, returnErrors: undefined, subresource: opts.subresource });
      base = live as KubeObject;
    }
    const target = opts.paths?.length ? pickChanges(base, modified, opts.paths) : modified;
    // The precondition is the version the change was made from: builtFromLatest's, else the copy's own.
    const resourceVersion = (opts.builtFromLatest ? base.metadata?.resourceVersion : (modified.metadata?.resourceVersion ?? base.metadata?.resourceVersion)) ?? undefined;
    if (info.patchTypes.includes("strategic")) {
      const ops = jsonPatchDiff(base, target, { schema });
      if (!ops.length) return base;
      const patch = jsonPatchToSmp(schema, base, ops) as Record<string, unknown>;
      if (resourceVersion) patch.metadata = { ...(isRecord(patch.metadata) ? patch.metadata : {}), resourceVersion };
      return this.patch(schema, name, patch, { ...opts, namespace, type: "strategic" } as PatchOptions);
    }
    const diff = jsonPatchDiff(base, target, { schema });
    if (!diff.length) return base;
    const guarded: JsonPatchOperation[] = opts.ignoreListConflicts ? [...diff] : guardJsonPatch(base, diff, { resourceVersion: false });
    // The resourceVersion travels as a precondition: a stale base makes the server answer 409.
    if (resourceVersion) guarded.unshift({ op: "replace", path: "/metadata/resourceVersion", value: resourceVersion });
    try {
      return await this.patch(schema, name, guarded, { ...opts, namespace, type: "json" } as PatchOptions);
    } catch (err) {
      // A failed `test` guard means the object changed under us: the same situation as a 409.
      if (err instanceof UnprocessableEntityError && guarded.some((op) => op.op === "test") && /test/i.test(err.message)) {
        throw new ConflictError(err.status, err.body, err.request);
      }
      throw err;
    }
  }

  /**
   * Create the object, or bring an existing one to the given content (its server-owned metadata
   * and status are kept).
   *
   * @example
   * await kube.createOrUpdate({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings" }, data: { a: "1" } });
   */
  async createOrUpdate<T extends KubeObject>(obj: T, options: Omit<UpdateOptions<T>, "builtFromLatest" | "returnErrors"> = {}): Promise<T> {
    const created = await this.create(obj, { ...options, returnErrors: [409] });
    if (!(created instanceof ConflictError)) return created as T;
    const schema = await this.schemaOfObject(obj);
    const namespace = options.namespace ?? this.objectNamespace(obj);
    const live = (await this.get(schema, this.nameOf(obj), { ...this.callOptionsOf(options), namespace, returnErrors: undefined })) as Record<string, unknown>;
    const liveMeta: Record<string, unknown> = isRecord(live.metadata) ? live.metadata : {};
    const wantedMeta: Record<string, unknown> = isRecord(obj.metadata) ? obj.metadata : {};
    const merged: Record<string, unknown> = {
      ...(obj as Record<string, unknown>),
      metadata: { ...Object.fromEntries(SERVER_METADATA.filter((k) => k in liveMeta).map((k) => [k, liveMeta[k]])), ...wantedMeta, resourceVersion: liveMeta.resourceVersion },
      ...(live.status !== undefined ? { status: live.status } : {}),
    };
    return this.update(schema, merged, { ...options, namespace, builtFromLatest: live }) as Promise<T>;
  }

  /**
   * Read, change and write back, retrying on conflicts (client-go's RetryOnConflict): `fn` gets a
   * fresh copy each attempt and returns the modified object (or changes it in place).
   *
   * @example
   * await kube.modify(ConfigMap, "counter", (cm) => { cm.data = { n: String(Number(cm.data?.n ?? 0) + 1) }; });
   */
  async modify<S extends z.ZodType>(
    schema: S,
    name: string,
    fn: (obj: z.output<S>) => z.output<S> | void | Promise<z.output<S> | void>,
    options: ModifyOptions = {},
  ): Promise<z.output<S>> {
    const retries = options.retries ?? 50;
    for (let attempt = 0; ; attempt++) {
      const current = (await this.get(schema, name, { ...this.callOptionsOf(options), namespace: options.namespace })) as z.output<S>;
      const copy = structuredClone(current);
      const changed = (await fn(copy)) ?? copy;
      try {
        return (await this.update(schema, changed as never, { ...options, builtFromLatest: current as never })) as z.output<S>;
      } catch (err) {
        if (!(err instanceof ConflictError) || attempt >= retries) throw err;
        // Exponential backoff with jitter, capped at one second.
        const delay = Math.min(1000, 5 * 1.5 ** attempt) * (0.5 + Math.random());
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  /**
   * Delete an object. Resolves to the object (when the server returns it, e.g. while finalizers
   * hold it) or the `Status`.
   *
   * @example
   * await kube.delete(Deployment, "web", { propagationPolicy: "Foreground" });
   * await kube.delete(cm); // by object
   */
  async delete<S extends z.ZodType, const O extends DeleteOptions = DeleteOptions>(schema: S, name: string, options?: O): Promise<Returned<z.output<S> | Status, O>>;
  async delete<T extends KubeObject, const O extends DeleteOptions = DeleteOptions>(obj: T, options?: O): Promise<Returned<T | Status, O>>;
  async delete(a: unknown, b?: unknown, c?: unknown): Promise<unknown> {
    let schema: z.ZodType;
    let name: string;
    let options: DeleteOptions | undefined;
    let namespace: string | undefined;
    if (isSchema(a)) {
      schema = a;
      name = b as string;
      options = c as DeleteOptions | undefined;
      namespace = options?.namespace;
    } else {
      schema = await this.schemaOfObject(a as KubeObject);
      name = this.nameOf(a as KubeObject);
      options = b as DeleteOptions | undefined;
      namespace = options?.namespace ?? this.objectNamespace(a as KubeObject);
    }
    const info = this.infoOf(schema);
    const res = await this.call(info, {
      method: "DELETE",
      location: { namespace: this.namespaceFor(info, namespace), name },
      query: {},
      body: this.deleteBody(options),
      options,
    });
    if (res instanceof KubeApiError) return res;
    return this.objectOrStatus(schema, res, options);
  }

  /**
   * Delete every object matching selectors in a namespace (or cluster-wide for cluster-scoped kinds).
   *
   * @example
   * await kube.deleteCollection(ConfigMap, { namespace: "shop", labelSelector: { batch: "true" } });
   */
  async deleteCollection<S extends z.ZodType, const O extends DeleteCollectionOptions = DeleteCollectionOptions>(
    schema: S,
    options?: O,
  ): Promise<Returned<KubeList<z.output<S>> | Status, O>> {
    const info = this.infoOf(schema);
    const res = await this.call(info, {
      method: "DELETE",
      location: { namespace: this.namespaceFor(info, options?.namespace) },
      query: this.listQuery(options),
      body: this.deleteBody(options),
      options,
    });
    if (res instanceof KubeApiError) return res as Returned<KubeList<z.output<S>> | Status, O>;
    const body = res.json<Record<string, unknown>>();
    if (body.kind === "Status") return body as Status as Returned<KubeList<z.output<S>> | Status, O>;
    return this.parseListBody(schema, body, res, options) as Returned<KubeList<z.output<S>> | Status, O>;
  }

  // ---- subresources -----------------------------------------------------------------------

  /**
   * The `scale` subresource (autoscaling/v1 `Scale`).
   *
   * @example
   * (await kube.getScale(Deployment, "web")).spec?.replicas;
   */
  async getScale(schema: z.ZodType, name: string, options: Omit<GetOptions, "subresource"> = {}): Promise<ScaleObject> {
    return (await this.get(schema, name, { ...options, subresource: "scale", returnErrors: undefined })) as ScaleObject;
  }

  /**
   * Set the replicas of a scalable resource through its `scale` subresource.
   *
   * @example
   * await kube.scale(Deployment, "web", 5, { namespace: "shop" });
   */
  async scale(schema: z.ZodType, name: string, replicas: number, options: Omit<PatchOptions, "subresource" | "type"> = {}): Promise<ScaleObject> {
    return (await this.patch(schema, name, { spec: { replicas } }, { ...options, type: "merge", subresource: "scale", returnErrors: undefined })) as ScaleObject;
  }

  /**
   * A pod's logs: the whole text, or with `follow: true` an async iterator of lines as they come.
   *
   * @example
   * const text = await kube.logs("web-1", { namespace: "shop", tailLines: 100 });
   * for await (const line of await kube.logs("web-1", { follow: true })) console.log(line);
   */
  async logs(pod: string, options: LogsOptions & { follow: true }): Promise<AsyncIterable<string>>;
  async logs(pod: string, options?: LogsOptions & { follow?: false }): Promise<string>;
  async logs(pod: string, options: LogsOptions = {}): Promise<string | AsyncIterable<string>> {
    const info = this.infoOf(await this.podSchema());
    const path = resourcePath(info, { namespace: this.namespaceFor(info, options.namespace), name: pod, subresource: "log" });
    const query: QueryParams = {
      container: options.container,
      follow: options.follow,
      previous: options.previous,
      sinceSeconds: options.sinceSeconds,
      sinceTime: options.sinceTime,
      tailLines: options.tailLines,
      timestamps: options.timestamps,
      limitBytes: options.limitBytes,
    };
    if (!options.follow) {
      const res = (await this.transport.request({ method: "GET", path, query, accept: "text/plain, */*", ...this.transportOptions(options), returnErrors: undefined })) as KubeResponse;
      return res.text();
    }
    const stream = await this.transport.stream({ method: "GET", path, query, accept: "text/plain, */*", ...this.transportOptions(options) });
    return lines(stream.body, () => stream.close());
  }

  /**
   * Evict a pod (policy/v1 `Eviction`), honouring PodDisruptionBudgets: a blocked eviction throws
   * `TooManyRequestsError`.
   *
   * @example
   * await kube.evict("web-1", { namespace: "shop" });
   */
  async evict(pod: string, options: DeleteOptions = {}): Promise<Status> {
    const info = this.infoOf(await this.podSchema());
    const namespace = this.namespaceFor(info, options.namespace);
    const deleteOptions = this.deleteBody(options);
    const res = await this.call(info, {
      method: "POST",
      location: { namespace, name: pod, subresource: "eviction" },
      query: {},
      body: { apiVersion: "policy/v1", kind: "Eviction", metadata: { name: pod, namespace }, ...(deleteOptions ? { deleteOptions } : {}) },
      // A 429 here is the budget refusing, not rate limiting: report it rather than retry.
      options: { retry: false, ...options, returnErrors: undefined },
    });
    return (res as KubeResponse).json<Status>();
  }

  /**
   * Run a command in a pod's container (WebSocket, `v5.channel.k8s.io` with fallback to
   * `v4.channel.k8s.io`): standard input in, standard output and error out, and the exit code.
   *
   * @example
   * const { stdout, exitCode } = await kube.exec("web-1", ["cat", "/etc/hostname"], { namespace: "shop" });
   */
  async exec(pod: string, command: readonly string[], options: PodExecOptions = {}): Promise<ExecResult> {
    const info = this.infoOf(await this.podSchema());
    const path = resourcePath(info, { namespace: this.namespaceFor(info, options.namespace), name: pod, subresource: "exec" });
    return execCommand(this.transport, path, command, options);
  }

  /**
   * Run a command with live streams: write to `stdin`, read `stdout`/`stderr`, await `done` for the
   * exit code. For interactive programs (`tty: true`, `resize()`).
   *
   * @example
   * const sh = await kube.execStream("web-1", ["sh"], { tty: true });
   * sh.stdout.pipe(process.stdout);
   * sh.stdin.end("ls /\nexit\n");
   * const { exitCode } = await sh.done;
   */
  async execStream(pod: string, command: readonly string[], options: Omit<PodExecOptions, "stdin" | "timeoutMs"> = {}): Promise<ExecSession> {
    if (!command.length) throw new TypeError("exec needs a command");
    const info = this.infoOf(await this.podSchema());
    const path = resourcePath(info, { namespace: this.namespaceFor(info, options.namespace), name: pod, subresource: "exec" });
    return openSession(this.transport, path, command, { ...options, interactive: true });
  }

  /**
   * Attach to a container's running process (its standard streams).
   *
   * @example
   * const s = await kube.attach("web-1", { container: "app" });
   * s.stdout.on("data", (d) => process.stdout.write(d));
   */
  async attach(pod: string, options: Omit<PodExecOptions, "stdin" | "timeoutMs"> & { stdin?: boolean } = {}): Promise<ExecSession> {
    const info = this.infoOf(await this.podSchema());
    const path = resourcePath(info, { namespace: this.namespaceFor(info, options.namespace), name: pod, subresource: "attach" });
    const { stdin, ...rest } = options;
    return openSession(this.transport, path, undefined, { ...rest, interactive: stdin !== false });
  }

  /**
   * Forward a local port to a pod's port (like `kubectl port-forward`); connect to
   * `127.0.0.1:<localPort>`, and `close()` when done. A missing pod throws `NotFoundError` at once;
   * a connection that cannot be forwarded is closed and reported to `onError`.
   *
   * @example
   * const fwd = await kube.portForward("web-1", 8080, { namespace: "shop" });
   * await fetch(`http://127.0.0.1:${fwd.localPort}/`);
   * await fwd.close();
   */
  async portForward(
    pod: string,
    port: number,
    options: NamespaceOption & { localPort?: number; address?: string; onError?: (error: unknown) => void } = {},
  ): Promise<PortForward> {
    const schema = await this.podSchema();
    const info = this.infoOf(schema);
    const namespace = this.namespaceFor(info, options.namespace);
    // Like kubectl: the pod must exist before anything listens.
    await this.get(schema, pod, { namespace, validate: "off" });
    const path = resourcePath(info, { namespace, name: pod, subresource: "portforward" });
    return forwardPort(this.transport, path, port, options);
  }

  // ---- discovery --------------------------------------------------------------------------

  /**
   * What the server serves: groups, versions (preferred first), resources with their verbs and
   * scope. Uses aggregated discovery when offered; cached until `refresh`.
   *
   * @example
   * const { resources } = await kube.discover();
   * resources.find((r) => r.kind === "Deployment")?.verbs;
   */
  discover(options: { refresh?: boolean } & Pick<CallOptions, "signal" | "timeoutMs"> = {}): Promise<DiscoveryResult> {
    return this.#discovery.get(options);
  }

  /**
   * The server's version (`/version`).
   *
   * @example
   * (await kube.version()).gitVersion; // "v1.32.0"
   */
  async version(options: Pick<CallOptions, "signal" | "timeoutMs"> = {}): Promise<VersionInfo> {
    const res = (await this.transport.request({ path: "/version", ...this.transportOptions(options) })) as KubeResponse;
    return VersionInfo.parse(res.json());
  }

  /**
   * A usable schema for any kind the server serves: the bundled one for built-ins, a registered one
   * (generated CRD modules, `defineResource`), else one built from the server's OpenAPI v3
   * document, else a loose one with the facts discovery gives.
   *
   * @example
   * const Widget = await kube.resource({ apiVersion: "example.com/v1", kind: "Widget" });
   * await kube.list(Widget);
   */
  async resource(type: { apiVersion: string; kind: string }): Promise<z.ZodType> {
    const known = await schemaFor(type, { kubernetesVersion: await this.kubernetesMinor() });
    if (known && resourceInfo(known)) return known;
    return this.#discovery.schemaFor(type);
  }

  /**
   * Close the client's connections.
   *
   * @example
   * await kube.close();
   */
  close(): Promise<void> {
    return this.transport.close();
  }

  // ---- internals --------------------------------------------------------------------------

  private infoOf(schema: z.ZodType): ResourceInfo {
    const info = resourceInfo(schema);
    if (!info) throw new TypeError("this schema is not a resource (it has no plural registered): use a generated kind, defineResource, or kube.resource()");
    return info;
  }

  private modeOf(options: CallOptions | undefined): ValidationMode {
    return options?.validate ?? this.settings.validate ?? "strict";
  }

  private namespaceFor(info: ResourceInfo, namespace: string | null | undefined): string | undefined {
    return info.namespaced ? (namespace ?? this.settings.namespace) : undefined;
  }

  private collectionNamespace(info: ResourceInfo, options: ListOptions | undefined): string | undefined {
    if (!info.namespaced || options?.allNamespaces) return undefined;
    return options?.namespace ?? this.settings.namespace;
  }

  private objectNamespace(obj: KubeObject): string | undefined {
    const ns = isRecord(obj.metadata) ? obj.metadata.namespace : undefined;
    return typeof ns === "string" && ns ? ns : undefined;
  }

  private nameOf(obj: KubeObject): string {
    const name = isRecord(obj.metadata) ? obj.metadata.name : undefined;
    if (typeof name !== "string" || !name) throw new TypeError(`the ${obj.kind ?? "object"} has no metadata.name`);
    return name;
  }

  private callOptionsOf(options: CallOptions): CallOptions {
    const { signal, timeoutMs, retry, log, validate, headers } = options;
    return { signal, timeoutMs, retry, log, validate, headers } as CallOptions;
  }

  private transportOptions(options: CallOptions | undefined): Omit<RequestOptions, "path"> {
    const out: Omit<RequestOptions, "path"> = {};
    if (!options) return out;
    if (options.signal) out.signal = options.signal;
    if (options.timeoutMs !== undefined) out.timeoutMs = options.timeoutMs;
    if (options.retry !== undefined) out.retry = options.retry;
    if (options.log) out.log = options.log;
    if (options.headers) out.headers = options.headers;
    return out;
  }

  private writeQuery(options: WriteOptions | undefined): QueryParams {
    return {
      dryRun: options?.dryRun === true || options?.dryRun === "All" ? "All" : undefined,
      fieldValidation: options?.fieldValidation,
      fieldManager: options?.fieldManager,
    };
  }

  private listQuery(options: Omit<ListOptions, keyof CallOptions> | undefined): QueryParams {
    if (!options) return {};
    return {
      labelSelector: options.labelSelector !== undefined ? labelSelectorString(options.labelSelector) || undefined : undefined,
      fieldSelector: options.fieldSelector !== undefined ? fieldSelectorString(options.fieldSelector) || undefined : undefined,
      limit: options.limit,
      continue: options.continue,
      resourceVersion: options.resourceVersion,
      resourceVersionMatch: options.resourceVersionMatch,
      timeoutSeconds: options.timeoutSeconds,
    };
  }

  private deleteBody(options: DeleteOptions | undefined): Record<string, unknown> | undefined {
    if (!options) return undefined;
    const body: Record<string, unknown> = {};
    if (options.propagationPolicy) body.propagationPolicy = options.propagationPolicy;
    if (options.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = options.gracePeriodSeconds;
    if (options.preconditions) body.preconditions = options.preconditions;
    if (options.dryRun === true || options.dryRun === "All") body.dryRun = ["All"];
    return Object.keys(body).length ? { apiVersion: "v1", kind: "DeleteOptions", ...body } : undefined;
  }

  private async call(
    info: ResourceInfo,
    req: {
      method: RequestOptions["method"];
      location: Parameters<typeof resourcePath>[1];
      query: QueryParams;
      body?: unknown;
      contentType?: string;
      options: CallOptions | undefined;
    },
  ): Promise<KubeResponse | KubeApiError> {
    const path = resourcePath(info, req.location);
    return (await this.transport.request({
      method: req.method,
      path,
      query: req.query,
      ...(req.body !== undefined ? { body: req.body } : {}),
      ...(req.contentType ? { contentType: req.contentType } : {}),
      ...this.transportOptions(req.options),
      ...(req.options?.returnErrors ? { returnErrors: req.options.returnErrors } : {}),
    })) as KubeResponse | KubeApiError;
  }

  private requestInfo(res: KubeResponse, fallback?: string): RequestInfo | undefined {
    const url = (res as { url?: string }).url ?? fallback;
    return url ? { method: "", url } : undefined;
  }

  private parse<T>(schema: z.ZodType<T>, res: KubeResponse, options: CallOptions | undefined): T {
    return parseReceived(schema, res.json(), this.modeOf(options), this.requestInfo(res), this.settings.onValidationIssue);
  }

  private parseList<T>(schema: z.ZodType<T>, res: KubeResponse, options: CallOptions | undefined): KubeList<T> {
    return this.parseListBody(schema, res.json(), res, options);
  }

  private parseListBody<T>(schema: z.ZodType<T>, body: unknown, res: KubeResponse, options: CallOptions | undefined): KubeList<T> {
    const list = parseReceived(listSchemaOf(schema), body, this.modeOf(options), this.requestInfo(res), this.settings.onValidationIssue) as KubeList<T>;
    if (!Array.isArray(list.items)) list.items = [];
    if (!isRecord(list.metadata)) list.metadata = {};
    return list;
  }

  private objectOrStatus<T>(schema: z.ZodType<T>, res: KubeResponse, options: CallOptions | undefined): T | Status {
    const body = res.json<Record<string, unknown>>();
    if (body.kind === "Status") return body as Status;
    return parseReceived(schema, body, this.modeOf(options), this.requestInfo(res), this.settings.onValidationIssue);
  }

  /** The body to send for an object: checked in strict mode, with its apiVersion and kind. */
  private outgoing(schema: z.ZodType, obj: unknown, options: CallOptions | undefined, what: string): unknown {
    const info = this.infoOf(schema);
    checkOutgoing(schema, obj, this.modeOf(options), what);
    return { apiVersion: info.apiVersion, kind: info.kind, ...(obj as object) };
  }

  private async subresourceSchema(info: ResourceInfo, subresource: string, schema: z.ZodType): Promise<z.ZodType> {
    const sub = info.subresources.find((s) => s.name === subresource);
    if (!sub?.kind || (sub.kind === info.kind && (sub.group ?? "") === info.group)) return schema;
    const apiVersion = sub.group ? `${sub.group}/${sub.version}` : (sub.version ?? "v1");
    return (await schemaFor({ apiVersion, kind: sub.kind }, { kubernetesVersion: await this.kubernetesMinor() })) ?? z.looseObject({});
  }

  private async podSchema(): Promise<z.ZodType> {
    const pod = await schemaFor({ apiVersion: "v1", kind: "Pod" }, { kubernetesVersion: await this.kubernetesMinor() });
    if (!pod) throw new Error("no Pod schema is bundled");
    return pod;
  }

  private async schemaOfObject(obj: KubeObject): Promise<z.ZodType> {
    if (typeof obj.apiVersion !== "string" || typeof obj.kind !== "string") {
      throw new TypeError("pass a schema, or an object with apiVersion and kind");
    }
    return this.resource({ apiVersion: obj.apiVersion, kind: obj.kind });
  }

  /** Normalise the `(schema, obj, options)` and `(obj, options)` call forms. */
  private async target<O>(a: unknown, b: unknown, c: unknown): Promise<{ schema: z.ZodType; obj: KubeObject; options: O | undefined }> {
    if (isSchema(a)) return { schema: a, obj: b as KubeObject, options: c as O | undefined };
    if (!isRecord(a)) throw new TypeError("pass a schema and an object, or an object with apiVersion and kind");
    return { schema: await this.schemaOfObject(a as KubeObject), obj: a as KubeObject, options: b as O | undefined };
  }

  /** The bundled Kubernetes minor matching the server (asked once), clamped to the bundled range. */
  kubernetesMinor(): Promise<string> {
    if (this.settings.kubernetesVersion && this.settings.kubernetesVersion !== "auto") return Promise.resolve(this.settings.kubernetesVersion);
    this.#serverMinor ??= this.version().then(
      (v) => clampMinor(Number(v.major), Number.parseInt(v.minor, 10)),
      () => "v1.36",
    );
    return this.#serverMinor;
  }
}

/** The autoscaling/v1 Scale object of the `scale` subresource. */
export interface ScaleObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; resourceVersion?: string } | null;
  spec?: { replicas?: number | null } | null;
  status?: { replicas: number; selector?: string | null } | null;
}

function clampMinor(major: number, minor: number): string {
  const bundled = kubernetesVersions.map((v) => Number(v.split(".")[1]));
  if (major !== 1 || !Number.isFinite(minor)) return kubernetesVersions[kubernetesVersions.length - 1]!;
  const lo = Math.min(...bundled);
  const hi = Math.max(...bundled);
  return `v1.${Math.max(lo, Math.min(hi, minor))}`;
}

async function* lines(body: AsyncIterable<Uint8Array>, close: () => void): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let pending = "";
  try {
    for await (const chunk of body) {
      pending += decoder.decode(chunk, { stream: true });
      let nl = pending.indexOf("\n");
      while (nl >= 0) {
        yield pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        nl = pending.indexOf("\n");
      }
    }
    pending += decoder.decode();
    if (pending) yield pending;
  } finally {
    close();
  }
}

export type { DiscoveredResource };
