/**
 * `Kube`: the typed client for one cluster. Every method takes a schema (or an object whose
 * apiVersion/kind name one), builds the request without I/O (`requests.ts`) from the schema's
 * annotations, sends it, and parses the answer through the schema.
 */
import * as z from "zod";
import type { Scale } from "#schemas/latest/autoscaling/v1.js";
import type { KubernetesKinds } from "#schemas/kinds.js";
import {
  ConflictError,
  InvalidResponseError,
  KubeApiError,
  PatchGuardError,
  StreamDecodeError,
  UnprocessableEntityError,
  UsageError,
  ValidationError,
  statusOf,
  apiErrorFor,
  isAlreadyExists,
  isConflict,
  type RequestInfo,
  type Status,
} from "../errors.js";
import { kubeMeta, resourceInfo, type ResourceInfo } from "../meta/registry.js";
import { kubernetesVersions, schemaFor } from "../meta/lookup.js";
import { isRecord } from "../meta/values.js";
import { isZodSchema } from "../meta/zod.js";
import type { JsonPatchOperation } from "../patch/json-patch.js";
import type { AnyPath } from "../patch/paths.js";
import { backoffWait, DEFAULT_CONFLICT_RETRY, sleep } from "../transport/backoff.js";
import type { KubeResponse } from "../transport/response.js";
import type { RequestOptions, Transport } from "../transport/transport.js";
import type { Discovery, DiscoveredResource, DiscoveryResult } from "./discovery.js";
import type { ExecSession, PortForward } from "./exec.js";
import { lines, ndjson } from "./ndjson.js";
import { checkOutgoing, listSchemaOf, parseReceived, type ValidationIssueHandler } from "./parse.js";
import {
  connectRequest,
  createRequest,
  deleteCollectionRequest,
  deleteRequest,
  evictionRequest,
  getRequest,
  listRequest,
  logRequest,
  patchRequest,
  replaceRequest,
  subresourceOf,
  watchRequest,
  type KubeRequest,
} from "./requests.js";
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
import { recordWarnings } from "./warnings.js";

/** How a server says a JSON patch operation did not apply. */
const JSON_PATCH_FAILED = /^the server rejected our request due to an error in our request$|testing value .* failed/;

/** A Kubernetes object as the client sees it before knowing its schema. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string | null; namespace?: string | null; resourceVersion?: string | null } | null;
}

/**
 * The type of an object by its literal `apiVersion` and `kind`: the built-in kind's type (so a
 * misspelt field is a compile error), else any object with those.
 *
 * @example
 * type CM = KindObject<"v1", "ConfigMap">; // ConfigMap
 */
export type KindObject<A extends string, K extends string> = `${A}/${K}` extends keyof KubernetesKinds
  ? KubernetesKinds[`${A}/${K}`]
  : KubeObject & { apiVersion: A; kind: K } & Record<string, unknown>;

/** An object literal typed by its `apiVersion` and `kind` (the parameter type of object-form calls). */
type Typed<A extends string, K extends string> = { apiVersion: A; kind: K } & KindObject<A, K>;

/** Settings of a `Kube` beyond its transport. */
export interface KubeSettings {
  /** The namespace used when a call names none (the context's). */
  namespace: string;
  /** Default response validation (default `reject`). */
  validate?: ValidationMode;
  /** Which bundled schemas to use for objects given without a schema: a minor, or `auto` (ask the server). */
  kubernetesVersion?: string;
  /** Called in `report` mode for responses that do not match their schema. */
  onValidationIssue?: ValidationIssueHandler;
  /** The field manager of every write that names none (server-side apply: default `kubezod`). */
  fieldManager?: string;
  /** A name for this cluster (the kubeconfig context), shown in multi-cluster results. */
  name?: string;
}

const isSchema = isZodSchema;

/** The resource information of schemas, with the registered metadata it was worked out from. */
const infos = new WeakMap<z.ZodType, { meta: unknown; info: ResourceInfo }>();

/** Metadata the server owns: never sent by `createOrUpdate`. */
const SERVER_METADATA = ["uid", "resourceVersion", "creationTimestamp", "generation", "managedFields", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds"];

/** The default field manager of server-side apply (client-go has none; kubectl uses `kubectl`). */
const APPLY_FIELD_MANAGER = "kubezod";

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
  #discovery: Promise<Discovery> | undefined;
  #serverMinor: Promise<string> | undefined;

  constructor(transport: Transport, settings: KubeSettings) {
    this.transport = transport;
    this.settings = settings;
  }

  /** Discovery, loaded on first use (it brings the OpenAPI readers and schema builder). */
  private discovery(): Promise<Discovery> {
    return (this.#discovery ??= import("./discovery.js").then(({ Discovery }) => new Discovery(this.transport)));
  }

  /** The namespace used when a call names none. @example kube.namespace; // "default" */
  get namespace(): string {
    return this.settings.namespace;
  }

  // ---- reading ----------------------------------------------------------------------------

  /**
   * Read one object: by schema and name, or by an object that names itself (apiVersion, kind,
   * metadata.name and namespace).
   *
   * @example
   * const d = await kube.get(Deployment, "web", { namespace: "shop" });
   * const fresh = await kube.get(d); // the same object, as it is now
   * const maybe = await kube.get(ConfigMap, "x", { returnErrors: [404] }); // ConfigMap | NotFoundError
   */
  async get<S extends z.ZodType, const O extends GetOptions = GetOptions>(schema: S, name: string, options?: O): Promise<Returned<z.output<S>, O>>;
  async get<const A extends string, const K extends string, const O extends GetOptions = GetOptions>(obj: { apiVersion: A; kind: K; metadata?: KubeObject["metadata"] }, options?: O): Promise<Returned<KindObject<A, K>, O>>;
  async get(a: unknown, b?: unknown, c?: unknown): Promise<unknown> {
    let schema: z.ZodType;
    let name: string;
    let options: GetOptions | undefined;
    if (isSchema(a)) {
      schema = a;
      name = b as string;
      options = c as GetOptions | undefined;
    } else {
      const obj = this.objectArg(a, "get");
      schema = await this.schemaOfObject(obj);
      name = this.nameOf(obj);
      options = { ...(b as GetOptions | undefined), namespace: (b as GetOptions | undefined)?.namespace ?? this.objectNamespace(obj) };
    }
    const info = this.infoOf(schema);
    const res = await this.send(getRequest(info, { namespace: this.namespaceFor(info, options?.namespace), name, subresource: options?.subresource, resourceVersion: options?.resourceVersion }), options);
    if (res instanceof KubeApiError) return res;
    const target = options?.subresource ? await this.subresourceSchema(info, options.subresource, schema) : schema;
    return this.parse(target, res, options);
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
    const res = await this.send(listRequest(info, { ...options, namespace: this.collectionNamespace(info, options) }), options);
    if (res instanceof KubeApiError) return res as Returned<KubeList<z.output<S>>, O>;
    return this.parseListBody(schema, res.json(), res, options) as Returned<KubeList<z.output<S>>, O>;
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
   * event becomes a typed error (`GoneError` for 410: restart from a fresh list); a connection
   * that goes quiet for `idleTimeoutMs` ends with `IdleTimeoutError`. Stop with `signal` or by
   * leaving the loop.
   *
   * @example
   * for await (const e of kube.watch(ConfigMap, { namespace: "shop", labelSelector: { team: "a" } })) {
   *   if (e.type !== "BOOKMARK") console.log(e.type, e.object.metadata?.name);
   * }
   */
  async *watch<S extends z.ZodType>(schema: S, options: WatchOptions = {}): AsyncGenerator<WatchEvent<z.output<S>>> {
    const info = this.infoOf(schema);
    const req = watchRequest(info, { ...options, namespace: this.collectionNamespace(info, options) });
    const idleTimeoutMs = options.idleTimeoutMs ?? (options.timeoutSeconds !== undefined ? options.timeoutSeconds * 1000 + 60_000 : 300_000);
    const stream = await this.transport.stream({ method: req.method, path: req.path, query: req.query, ...this.transportOptions(options), idleTimeoutMs });
    const request: RequestInfo = stream.request;
    const mode = this.modeOf(options);
    try {
      for await (const raw of ndjson(stream.body, { request })) {
        if (!isRecord(raw) || typeof raw.type !== "string") throw new StreamDecodeError("a watch event without a type", request);
        if (raw.type === "ERROR") {
          const status = (isRecord(raw.object) ? raw.object : {}) as Status;
          throw apiErrorFor(typeof status.code === "number" ? status.code : 500, status, request);
        }
        if (raw.type !== "ADDED" && raw.type !== "MODIFIED" && raw.type !== "DELETED" && raw.type !== "BOOKMARK") continue;
        if (!isRecord(raw.object)) throw new StreamDecodeError(`a watch event (${raw.type}) whose object is not an object`, request);
        if (raw.type === "BOOKMARK") {
          if (!isRecord(raw.object.metadata)) throw new StreamDecodeError("a BOOKMARK event without metadata", request);
          yield { type: "BOOKMARK", object: raw.object as unknown as BookmarkObject };
          continue;
        }
        yield { type: raw.type, object: parseReceived(schema as z.ZodType<z.output<S>>, raw.object, mode, request, this.settings.onValidationIssue) };
      }
    } finally {
      stream.close();
    }
  }

  // ---- writing ----------------------------------------------------------------------------

  /**
   * Create an object. Pass its schema and the object, or an object with a literal apiVersion and
   * kind (typed by them: a misspelt field of a built-in kind does not compile).
   *
   * @example
   * const cm = await kube.create(ConfigMap, { metadata: { name: "settings" }, data: { a: "1" } });
   * await kube.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "other" }, data: { b: "2" } });
   */
  async create<S extends z.ZodType, const O extends WriteOptions = WriteOptions>(schema: S, obj: z.input<S>, options?: O): Promise<Returned<z.output<S>, O>>;
  async create<const A extends string, const K extends string, const O extends WriteOptions = WriteOptions>(obj: Typed<A, K>, options?: O): Promise<Returned<KindObject<A, K>, O>>;
  async create(a: unknown, b?: unknown, c?: unknown): Promise<unknown> {
    const { schema, obj, options } = await this.target<WriteOptions>(a, b, c, "create");
    const info = this.infoOf(schema);
    const body = this.outgoing(schema, obj, options, "object to create");
    const res = await this.send(createRequest(info, { ...options, fieldManager: this.fieldManager(options), namespace: this.namespaceFor(info, options?.namespace ?? this.objectNamespace(obj)), body }), options);
    return res instanceof KubeApiError ? res : this.parse(schema, res, options);
  }

  /**
   * Replace an object with PUT (send `metadata.resourceVersion` for optimistic concurrency).
   *
   * @example
   * const updated = await kube.replace(ConfigMap, { ...cm, data: { a: "2" } });
   */
  async replace<S extends z.ZodType, const O extends WriteOptions & { subresource?: string } = WriteOptions>(schema: S, obj: z.input<S>, options?: O): Promise<Returned<z.output<S>, O>>;
  async replace<const A extends string, const K extends string, const O extends WriteOptions & { subresource?: string } = WriteOptions>(obj: Typed<A, K>, options?: O): Promise<Returned<KindObject<A, K>, O>>;
  async replace(a: unknown, b?: unknown, c?: unknown): Promise<unknown> {
    const { schema, obj, options } = await this.target<WriteOptions & { subresource?: string }>(a, b, c, "replace");
    const info = this.infoOf(schema);
    const body = this.outgoing(schema, obj, options, "object to replace");
    const req = replaceRequest(info, {
      ...options,
      fieldManager: this.fieldManager(options),
      namespace: this.namespaceFor(info, options?.namespace ?? this.objectNamespace(obj)),
      name: this.nameOf(obj),
      body,
    });
    const res = await this.send(req, options);
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
  async patch<S extends z.ZodType, const O extends PatchOptions = PatchOptions>(schema: S, name: string, patch: unknown, options?: O): Promise<Returned<z.output<S>, O>> {
    const info = this.infoOf(schema);
    const type = options?.type ?? (info.patchTypes.includes("strategic") ? "strategic" : "merge");
    const fieldManager = this.fieldManager(options) ?? (type === "apply" ? APPLY_FIELD_MANAGER : undefined);
    const req = patchRequest(info, { ...options, type, fieldManager, namespace: this.namespaceFor(info, options?.namespace), name, patch });
    const res = await this.send(req, options);
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
  async apply<S extends z.ZodType, const O extends ApplyOptions = ApplyOptions>(schema: S, obj: z.input<S>, options?: O): Promise<Returned<z.output<S>, O>>;
  async apply<const A extends string, const K extends string, const O extends ApplyOptions = ApplyOptions>(obj: Typed<A, K>, options?: O): Promise<Returned<KindObject<A, K>, O>>;
  async apply(a: unknown, b?: unknown, c?: unknown): Promise<unknown> {
    const { schema, obj, options } = await this.target<ApplyOptions>(a, b, c, "apply");
    const info = this.infoOf(schema);
    checkOutgoing(schema, obj, this.modeOf(options), "object to apply");
    const body = { apiVersion: info.apiVersion, kind: info.kind, ...(obj as object) };
    return this.patch(schema, this.nameOf(obj), body, { ...options, type: "apply", namespace: options?.namespace ?? this.objectNamespace(obj) } as PatchOptions);
  }

  /**
   * Update an object from a modified copy: diff against `builtFromLatest` (or the live object),
   * keep only changes under `paths` (pickers, JSON Pointers or dotted paths, checked against the
   * schema), and send a strategic merge patch (kinds that accept it) or a JSON patch guarded by
   * `test` operations. The base's `resourceVersion` goes along, so a concurrent change throws
   * `ConflictError` (or `PatchGuardError`) instead of being overwritten. `force: true` sends PUT.
   *
   * @example
   * const d = await kube.get(Deployment, "web");
   * const next = structuredClone(d);
   * next.spec!.replicas = 3;
   * await kube.update(next, { builtFromLatest: d, paths: [(o) => o.spec.replicas] });
   */
  async update<const T extends KubeObject, const O extends UpdateOptions<NoInfer<T>> = UpdateOptions<NoInfer<T>>>(modified: T, options?: O): Promise<Returned<T, O>>;
  async update<S extends z.ZodType, const O extends UpdateOptions<z.output<S>> = UpdateOptions<z.output<S>>>(schema: S, modified: z.output<S>, options?: O): Promise<Returned<z.output<S>, O>>;
  async update(a: unknown, b?: unknown, c?: unknown): Promise<unknown> {
    const { schema, obj: modified, options } = await this.target<UpdateOptions<KubeObject>>(a, b, c, "update");
    const opts = options ?? {};
    if (opts.force) return this.replace(schema, modified as never, opts);
    const info = this.infoOf(schema);
    const namespace = this.namespaceFor(info, opts.namespace ?? this.objectNamespace(modified));
    const name = this.nameOf(modified);
    checkOutgoing(schema, modified, this.modeOf(opts), "modified object");
    let base: KubeObject;
    if (opts.builtFromLatest) base = opts.builtFromLatest;
    else base = (await this.get(schema, name, { ...this.callOptionsOf(opts), namespace, returnErrors: undefined, subresource: opts.subresource })) as KubeObject;
    // The patch engine is loaded by the first update.
    const [{ guardJsonPatch }, { jsonPatchDiff }, { jsonPatchToSmp }, { pickChanges }, { checkPath, pathSegments }] = await Promise.all([
      import("../patch/json-patch.js"),
      import("../patch/json-diff.js"),
      import("../patch/smp-diff.js"),
      import("../patch/pick.js"),
      import("../patch/paths.js"),
    ]);
    let target: KubeObject = modified;
    if (opts.paths?.length) {
      const what = `${info.kind} (${info.apiVersion})`;
      const paths = opts.paths.map((p) => {
        const segments = pathSegments(p as AnyPath<unknown>, schema, base);
        checkPath(schema, segments, what);
        return segments;
      });
      target = pickChanges(base, modified, paths);
    }
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
    const res = await this.patch(schema, name, guarded, { ...opts, namespace, type: "json", returnErrors: [...(Array.isArray(opts.returnErrors) ? opts.returnErrors : []), 422] } as PatchOptions);
    if (res instanceof UnprocessableEntityError && guarded.some((op) => op.op === "test") && JSON_PATCH_FAILED.test(res.body.message ?? "")) {
      // A failed `test` guard: the object changed under us. kube-apiserver answers any operation that
      // fails with one generic text; evanphx's own ("testing value … failed") comes from other servers.
      const guard = new PatchGuardError(res.status, res.body, res.request, res.retryAfterSeconds);
      if (isListed(guard, opts.returnErrors)) return guard;
      throw guard;
    }
    if (res instanceof KubeApiError && !isListed(res, opts.returnErrors)) throw res;
    return res;
  }

  /**
   * Create the object, or merge it into the existing one: fields the object does not mention are
   * kept (labels, annotations or data another client wrote), as `kubectl apply` and kubesdk's
   * upsert keep them. The merge is a strategic merge patch for kinds that take it (lists with a
   * merge key merge by key), a JSON merge patch otherwise.
   *
   * @example
   * await kube.createOrUpdate({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings" }, data: { a: "1" } });
   */
  async createOrUpdate<S extends z.ZodType>(schema: S, obj: z.input<S>, options?: Omit<WriteOptions, "returnErrors">): Promise<z.output<S>>;
  async createOrUpdate<const A extends string, const K extends string>(obj: Typed<A, K>, options?: Omit<WriteOptions, "returnErrors">): Promise<KindObject<A, K>>;
  async createOrUpdate(a: unknown, b?: unknown, c?: unknown): Promise<unknown> {
    const { schema, obj, options } = await this.target<Omit<WriteOptions, "returnErrors">>(a, b, c, "createOrUpdate");
    const created = await this.create(schema, obj as never, { ...options, returnErrors: [409] });
    if (!(created instanceof ConflictError)) return created;
    if (!isAlreadyExists(created)) throw created;
    const info = this.infoOf(schema);
    const body: Record<string, unknown> = { ...(obj as Record<string, unknown>) };
    if (isRecord(body.metadata)) body.metadata = Object.fromEntries(Object.entries(body.metadata).filter(([k]) => !SERVER_METADATA.includes(k)));
    delete body.status;
    const type = info.patchTypes.includes("strategic") ? "strategic" : "merge";
    return this.patch(schema, this.nameOf(obj), body, { ...options, type, namespace: options?.namespace ?? this.objectNamespace(obj) } as PatchOptions);
  }

  /**
   * Read, change and write back, retrying on conflicts (client-go's `RetryOnConflict` with
   * `retry.DefaultRetry`: five attempts, 10 ms apart): `fn` gets a fresh copy each attempt and
   * returns the modified object (or changes it in place). The wait ends early when `signal` aborts.
   *
   * @example
   * await kube.modify(ConfigMap, "counter", (cm) => { cm.data = { n: String(Number(cm.data?.n ?? 0) + 1) }; });
   */
  async modify<S extends z.ZodType>(schema: S, name: string, fn: (obj: z.output<S>) => z.output<S> | void | Promise<z.output<S> | void>, options: ModifyOptions = {}): Promise<z.output<S>> {
    const retries = options.retries ?? DEFAULT_CONFLICT_RETRY.steps - 1;
    for (let attempt = 0; ; attempt++) {
      const current = (await this.get(schema, name, { ...this.callOptionsOf(options), namespace: options.namespace })) as z.output<S>;
      const copy = structuredClone(current);
      const changed = (await fn(copy)) ?? copy;
      try {
        return (await this.update(schema, changed as never, { ...options, builtFromLatest: current as never, returnErrors: undefined })) as z.output<S>;
      } catch (err) {
        if (!(isConflict(err) || err instanceof PatchGuardError) || attempt >= retries) throw err;
        await sleep(backoffWait(DEFAULT_CONFLICT_RETRY, attempt + 1), options.signal);
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
  async delete<const A extends string, const K extends string, const O extends DeleteOptions = DeleteOptions>(obj: { apiVersion: A; kind: K; metadata?: KubeObject["metadata"] }, options?: O): Promise<Returned<KindObject<A, K> | Status, O>>;
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
      const obj = this.objectArg(a, "delete");
      schema = await this.schemaOfObject(obj);
      name = this.nameOf(obj);
      options = b as DeleteOptions | undefined;
      namespace = options?.namespace ?? this.objectNamespace(obj);
    }
    const info = this.infoOf(schema);
    const res = await this.send(deleteRequest(info, { ...options, namespace: this.namespaceFor(info, namespace), name }), options);
    if (res instanceof KubeApiError) return res;
    return this.objectOrStatus(schema, res, options);
  }

  /**
   * Delete every object matching selectors in a namespace (or cluster-wide for cluster-scoped kinds).
   *
   * @example
   * await kube.deleteCollection(ConfigMap, { namespace: "shop", labelSelector: { batch: "true" } });
   */
  async deleteCollection<S extends z.ZodType, const O extends DeleteCollectionOptions = DeleteCollectionOptions>(schema: S, options?: O): Promise<Returned<KubeList<z.output<S>> | Status, O>> {
    const info = this.infoOf(schema);
    const res = await this.send(deleteCollectionRequest(info, { ...options, namespace: this.namespaceFor(info, options?.namespace) }), options);
    if (res instanceof KubeApiError) return res as Returned<KubeList<z.output<S>> | Status, O>;
    const body = res.json<unknown>();
    // A Status (an asynchronous delete) with every field of its type; anything else must be a list.
    if (isRecord(body) && body.kind === "Status") return recordWarnings(statusOf(body, res.status)!, res.warnings) as Returned<KubeList<z.output<S>> | Status, O>;
    return this.parseListBody(schema, body, res, options) as Returned<KubeList<z.output<S>> | Status, O>;
  }

  // ---- subresources: any kind whose annotations declare them ------------------------------

  /**
   * The `scale` subresource (autoscaling/v1 `Scale`) of any kind that declares it.
   *
   * @example
   * (await kube.getScale(Deployment, "web")).spec?.replicas;
   */
  async getScale(schema: z.ZodType, name: string, options: Omit<GetOptions, "subresource" | "returnErrors"> = {}): Promise<Scale> {
    return (await this.get(schema, name, { ...options, subresource: "scale" })) as Scale;
  }

  /**
   * Set the replicas of any kind with a `scale` subresource.
   *
   * @example
   * await kube.scale(Deployment, "web", 5, { namespace: "shop" });
   */
  async scale(schema: z.ZodType, name: string, replicas: number, options: Omit<PatchOptions, "subresource" | "type" | "returnErrors"> = {}): Promise<Scale> {
    return (await this.patch(schema, name, { spec: { replicas } }, { ...options, type: "merge", subresource: "scale" })) as Scale;
  }

  /**
   * The logs of an object whose kind has a `log` subresource (a Pod): the whole text, or with
   * `follow: true` an async iterator of lines as they come.
   *
   * @example
   * const text = await kube.logs(Pod, "web-1", { namespace: "shop", tailLines: 100 });
   * for await (const line of await kube.logs(Pod, "web-1", { follow: true })) console.log(line);
   */
  async logs(schema: z.ZodType, name: string, options: LogsOptions & { follow: true }): Promise<AsyncIterable<string>>;
  async logs(schema: z.ZodType, name: string, options?: LogsOptions & { follow?: false }): Promise<string>;
  async logs(schema: z.ZodType, name: string, options: LogsOptions = {}): Promise<string | AsyncIterable<string>> {
    const info = this.infoOf(schema);
    const req = logRequest(info, { ...options, namespace: this.namespaceFor(info, options.namespace), name });
    if (!options.follow) {
      const res = (await this.send(req, { ...options, returnErrors: undefined })) as KubeResponse;
      return res.text();
    }
    const stream = await this.transport.stream({ method: req.method, path: req.path, query: req.query, accept: req.accept!, ...this.transportOptions(options) });
    return closing(lines(stream.body, { request: stream.request }), () => stream.close());
  }

  /**
   * Evict an object whose kind has an `eviction` subresource (a Pod; policy/v1 `Eviction`),
   * honouring PodDisruptionBudgets: a blocked eviction throws `TooManyRequestsError`.
   *
   * @example
   * await kube.evict(Pod, "web-1", { namespace: "shop" });
   */
  async evict(schema: z.ZodType, name: string, options: DeleteOptions = {}): Promise<Status> {
    const info = this.infoOf(schema);
    const req = evictionRequest(info, { ...options, namespace: this.namespaceFor(info, options.namespace), name });
    // A 429 here is the budget refusing, not rate limiting: report it rather than retry.
    const res = (await this.send(req, { retry: false, ...options, returnErrors: undefined })) as KubeResponse;
    return statusOf(objectBody(res), res.status)!;
  }

  /**
   * Run a command in a container of an object whose kind has an `exec` subresource (a Pod), over
   * WebSocket (`v5.channel.k8s.io`, falling back to `v4.channel.k8s.io`): standard input in,
   * standard output and error out, and the exit code.
   *
   * @example
   * const { stdout, exitCode } = await kube.exec(Pod, "web-1", ["cat", "/etc/hostname"], { namespace: "shop" });
   */
  async exec(schema: z.ZodType, name: string, command: readonly string[], options: PodExecOptions = {}): Promise<ExecResult> {
    const path = this.connectPath(schema, name, "exec", options);
    const { execCommand } = await import("./exec.js");
    return execCommand(this.transport, path, command, options);
  }

  /**
   * Run a command with live streams: write to `stdin`, read `stdout`/`stderr`, await `done` for the
   * exit code. For interactive programs (`tty: true`, `resize()`).
   *
   * @example
   * const sh = await kube.execStream(Pod, "web-1", ["sh"], { tty: true });
   * sh.stdout.pipe(process.stdout);
   * sh.stdin.end("ls /\nexit\n");
   * const { exitCode } = await sh.done;
   */
  async execStream(schema: z.ZodType, name: string, command: readonly string[], options: Omit<PodExecOptions, "stdin" | "timeoutMs"> = {}): Promise<ExecSession> {
    if (!command.length) throw new UsageError("exec needs a command");
    const path = this.connectPath(schema, name, "exec", options);
    const { openSession } = await import("./exec.js");
    return openSession(this.transport, path, command, { ...options, interactive: true });
  }

  /**
   * Attach to the running process of an object whose kind has an `attach` subresource (its
   * standard streams).
   *
   * @example
   * const s = await kube.attach(Pod, "web-1", { container: "app" });
   * s.stdout.on("data", (d) => process.stdout.write(d));
   */
  async attach(schema: z.ZodType, name: string, options: Omit<PodExecOptions, "stdin" | "timeoutMs"> & { stdin?: boolean } = {}): Promise<ExecSession> {
    const { stdin, ...rest } = options;
    const path = this.connectPath(schema, name, "attach", options);
    const { openSession } = await import("./exec.js");
    return openSession(this.transport, path, undefined, { ...rest, interactive: stdin !== false });
  }

  /**
   * Forward a local port to a port of an object whose kind has a `portforward` subresource (like
   * `kubectl port-forward`); connect to `127.0.0.1:<localPort>`, and `close()` when done. A missing
   * object throws `NotFoundError` at once; a connection that cannot be forwarded is closed and
   * reported to `onError`.
   *
   * @example
   * const fwd = await kube.portForward(Pod, "web-1", 8080, { namespace: "shop" });
   * await fetch(`http://127.0.0.1:${fwd.localPort}/`);
   * await fwd.close();
   */
  async portForward(
    schema: z.ZodType,
    name: string,
    port: number,
    options: NamespaceOption & { localPort?: number; address?: string; onError?: (error: unknown) => void } = {},
  ): Promise<PortForward> {
    const path = this.connectPath(schema, name, "portforward", options);
    // Like kubectl: the object must exist before anything listens.
    await this.get(schema, name, { namespace: options.namespace, validate: "off" });
    const { forwardPort } = await import("./exec.js");
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
    return this.discovery().then((d) => d.get(options));
  }

  /**
   * The server's version (`/version`).
   *
   * @example
   * (await kube.version()).gitVersion; // "v1.32.0"
   */
  async version(options: Pick<CallOptions, "signal" | "timeoutMs"> = {}): Promise<VersionInfo> {
    const res = (await this.transport.request({ path: "/version", ...this.transportOptions(options) })) as KubeResponse;
    const parsed = VersionInfo.safeParse(res.json());
    if (!parsed.success) throw new ValidationError(parsed.error.issues, res.json(), "response", "the server's version (/version)", res.request);
    return parsed.data;
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
    return (await this.discovery()).schemaFor(type);
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
    // Worked out once per schema, again when its registered metadata is replaced.
    const meta = kubeMeta.get(schema);
    const known = infos.get(schema);
    if (known && known.meta === meta) return known.info;
    const info = resourceInfo(schema);
    if (info) infos.set(schema, { meta, info });
    if (!info) throw new UsageError("this schema is not a resource (it has no plural registered): use a generated kind, defineResource, or kube.resource()");
    return info;
  }

  private modeOf(options: CallOptions | undefined): ValidationMode {
    return options?.validate ?? this.settings.validate ?? "reject";
  }

  private fieldManager(options: { fieldManager?: string } | undefined): string | undefined {
    return options?.fieldManager ?? this.settings.fieldManager;
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
    if (typeof name !== "string" || !name) throw new UsageError(`the ${obj.kind ?? "object"} has no metadata.name`);
    return name;
  }

  private objectArg(a: unknown, what: string): KubeObject {
    if (!isRecord(a)) throw new UsageError(`${what}: pass a schema, or an object with apiVersion, kind and metadata.name`);
    return a as KubeObject;
  }

  private connectPath(schema: z.ZodType, name: string, subresource: string, options: NamespaceOption): string {
    const info = this.infoOf(schema);
    return connectRequest(info, subresource, { namespace: this.namespaceFor(info, options.namespace), name }).path;
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

  /** Send a built request (the only place requests leave the client, besides streams and sockets). */
  private send(req: KubeRequest, options: CallOptions | undefined): Promise<KubeResponse | KubeApiError> {
    const out: RequestOptions = { method: req.method, path: req.path, query: req.query };
    if (req.body !== undefined) out.body = req.body;
    if (req.contentType) out.contentType = req.contentType;
    if (req.accept) out.accept = req.accept;
    if (options) {
      if (options.signal) out.signal = options.signal;
      if (options.timeoutMs !== undefined) out.timeoutMs = options.timeoutMs;
      if (options.retry !== undefined) out.retry = options.retry;
      if (options.log) out.log = options.log;
      if (options.headers) out.headers = options.headers;
      if (options.returnErrors) out.returnErrors = options.returnErrors;
    }
    return this.transport.request(out) as Promise<KubeResponse | KubeApiError>;
  }

  private parse<T>(schema: z.ZodType<T>, res: KubeResponse, options: CallOptions | undefined): T {
    return recordWarnings(parseReceived(schema, objectBody(res), this.modeOf(options), res.request, this.settings.onValidationIssue), res.warnings);
  }

  private parseListBody<T>(schema: z.ZodType<T>, body: unknown, res: KubeResponse, options: CallOptions | undefined): KubeList<T> {
    checkListShape(body, res);
    const list = parseReceived(listSchemaOf(schema), body, this.modeOf(options), res.request, this.settings.onValidationIssue) as KubeList<T>;
    if (!Array.isArray(list.items)) list.items = [];
    if (!isRecord(list.metadata)) list.metadata = {};
    return recordWarnings(list, res.warnings);
  }

  private objectOrStatus<T>(schema: z.ZodType<T>, res: KubeResponse, options: CallOptions | undefined): T | Status {
    const body = objectBody(res);
    if (body.kind === "Status") return recordWarnings(statusOf(body, res.status)!, res.warnings);
    return recordWarnings(parseReceived(schema, body, this.modeOf(options), res.request, this.settings.onValidationIssue), res.warnings);
  }

  /** The body to send for an object: checked in `reject` mode, with its apiVersion and kind. */
  private outgoing(schema: z.ZodType, obj: unknown, options: CallOptions | undefined, what: string): unknown {
    const info = this.infoOf(schema);
    checkOutgoing(schema, obj, this.modeOf(options), what);
    return { apiVersion: info.apiVersion, kind: info.kind, ...(obj as object) };
  }

  private async subresourceSchema(info: ResourceInfo, subresource: string, schema: z.ZodType): Promise<z.ZodType> {
    const sub = subresourceOf(info, subresource);
    if (!sub.kind || (sub.kind === info.kind && (sub.group ?? "") === info.group)) return schema;
    const apiVersion = sub.group ? `${sub.group}/${sub.version}` : (sub.version ?? "v1");
    return (await schemaFor({ apiVersion, kind: sub.kind }, { kubernetesVersion: await this.kubernetesMinor() })) ?? z.looseObject({});
  }

  private async schemaOfObject(obj: KubeObject): Promise<z.ZodType> {
    if (typeof obj.apiVersion !== "string" || typeof obj.kind !== "string") throw new UsageError("pass a schema, or an object with apiVersion and kind");
    return this.resource({ apiVersion: obj.apiVersion, kind: obj.kind });
  }

  /** Normalise the `(schema, obj, options)` and `(obj, options)` call forms. */
  private async target<O>(a: unknown, b: unknown, c: unknown, what: string): Promise<{ schema: z.ZodType; obj: KubeObject; options: O | undefined }> {
    if (isSchema(a)) return { schema: a, obj: b as KubeObject, options: c as O | undefined };
    const obj = this.objectArg(a, what);
    return { schema: await this.schemaOfObject(obj), obj, options: b as O | undefined };
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

/** Whether `returnErrors` lists an error (by status or class). */
function isListed(error: KubeApiError, returned: CallOptions["returnErrors"]): boolean {
  if (returned === undefined) return false;
  if (returned === true) return true;
  return returned.some((r) => (typeof r === "number" ? r === error.status : error instanceof r));
}

/**
 * What every list must be, whatever the validation mode: an object whose `items` (absent or null
 * when empty) is an array of objects. Anything else is not a list the API server sends.
 */
/**
 * The body of an answer that carries one object (get, create, replace, patch, apply, delete): a
 * JSON object, in every validation mode (with validation off, a null or a number would reach the
 * caller typed as the object).
 */
function objectBody(res: KubeResponse): Record<string, unknown> {
  const body = res.json<unknown>();
  if (!isRecord(body)) throw new InvalidResponseError(`the answer is not an object but ${Array.isArray(body) ? "an array" : body === null ? "null" : `a ${typeof body}`}`, res.status, res.request);
  return body;
}

function checkListShape(body: unknown, res: KubeResponse): void {
  const fail = (what: string) => new InvalidResponseError(`the answer to a list is ${what}`, res.status, res.request);
  if (!isRecord(body)) throw fail(`not a list object but ${Array.isArray(body) ? "an array" : body === null ? "null" : `a ${typeof body}`}`);
  const items = body.items;
  if (items === undefined || items === null) return;
  if (!Array.isArray(items)) throw fail("a list whose items are not an array");
  for (let i = 0; i < items.length; i++) if (!isRecord(items[i])) throw fail(`a list whose items[${i}] is not an object`);
}

/** An iterator that runs `close` when its consumer stops. */
async function* closing<T>(source: AsyncIterable<T>, close: () => void): AsyncGenerator<T> {
  try {
    yield* source;
  } finally {
    close();
  }
}

function clampMinor(major: number, minor: number): string {
  const bundled = kubernetesVersions.map((v) => Number(v.split(".")[1]));
  if (major !== 1 || !Number.isFinite(minor)) return kubernetesVersions[kubernetesVersions.length - 1]!;
  const lo = Math.min(...bundled);
  const hi = Math.max(...bundled);
  return `v1.${Math.max(lo, Math.min(hi, minor))}`;
}

export type { DiscoveredResource, Scale };
