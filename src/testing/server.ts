/**
 * The local Kubernetes API server: HTTP(S) handling around the REST layer — authentication and
 * authorization, faults, the request log, body limits, discovery, OpenAPI, health and version,
 * tables, watches and exec.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import * as http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Duplex } from "node:stream";
import { gzipSync } from "node:zlib";
import { stringifyYaml as toYaml } from "../yaml/text.js";
import { connect, type ConnectOptions, type Kube } from "../client/index.js";
import type { KubeConfig } from "../config/index.js";
import { KubeApiError } from "../errors.js";
import { latestKubernetesVersion, loadBuiltinModules, loadDescriptions, normalizeKubernetesVersion } from "../meta/index.js";
import { allowAllRules, alwaysAllow, authenticate, authorizationRequest, decide, defaultAuthorizer, forbiddenFor, impersonated, rbacAuthorizer, unauthorized, type AuthorizationAttributes, type Authorizer, type RulesResolver, type UserInfo } from "./auth.js";
import { RbacPolicy } from "../apiserver/rbac/evaluate.js";
import { systemPriorityClasses } from "../apiserver/scheduling/index.js";
import { bootstrapClusterRoleBindings, bootstrapClusterRoles, bootstrapRoleBindings, bootstrapRoles } from "../apiserver/rbac/bootstrap.js";
import { Catalog, type RuntimeConfig, type ServedResource } from "./catalog.js";
import { CertificateAuthority, type CertificateAndKey, type CertificateTemplate } from "./certificates.js";
import { crdController, CRD_STORAGE_KEY } from "./custom-resources.js";
import { aggregatedDiscovery, aggregatedVersionAccepted, apiGroup, apiGroupList, apiResourceList, apiVersions } from "./discovery.js";
import {
  acceptWebSocket,
  execProtocols,
  webSocketRefusal,
  builtinExec,
  cannedAttach,
  podFiles,
  runExecSession,
  type ExecHandler,
} from "./exec.js";
import { portForwardHandler, servePortForward, type PortForwardOption } from "./port-forward.js";
import { serveSpdyExec } from "./remote-command.js";
import { isSpdyUpgrade } from "./spdy.js";
import { createDualProtocolServer } from "./http2.js";
import { FaultSet, faultStatus, type Faults, type FaultSpec, type RecordedRequest } from "./faults.js";
import { jsonOf } from "./json.js";
import { OpenApi } from "./openapi.js";
import { encodeOpenApiV2, OPENAPI_V2_PROTOBUF, OPENAPI_V2_PROTOBUF_ACCEPT } from "./openapi-proto.js";
import { outputFormat } from "./negotiation.js";
import { encodeProtobuf, hasProtobuf, PROTOBUF } from "./protobuf.js";
import { listParameters, queryBool } from "./query.js";
import { parseResourcePath, type ResourceRequest } from "./request-info.js";
import { initialNamespaces } from "./resource-data.js";
import { checkRbacWrite, guardsRbacWrite } from "./rbac-storage.js";
import { reviewHandlers } from "./reviews.js";
import { decodeBody, readDefaulted, Rest, selectionOf, type ApiCall, type ApiReply, type Controller } from "./rest.js";
import { ApiserverPanic, badRequest, internalError, methodNotAllowed, notFoundPath, statusError } from "./status.js";
import { Store, type KubeObject } from "./store.js";
import { forwardProxy, proxyTarget } from "./proxy.js";
import { containerOf, legacyServiceAccountToken, subresourceHandlers, type SubresourceContext } from "./subresources.js";
import { ServiceAccountIssuer } from "./service-account-tokens.js";
import { SERVED_ADMISSION_PLUGINS } from "./admission-plugins.js";
import { startCluster, type ClusterOptions, type ControllerError } from "./controllers/index.js";
import type { ControllerManager } from "./controllers/manager.js";
import { PodRuntime, type PodBehavior } from "./pod-runtime.js";
import { builtinTableSpec, columnDefinitions, customTableSpec, tableRow, type TableSpec } from "./table.js";
import { checkWatchRequest, MAX_TIMER_MS, serveWatch, type WatchRequest } from "./watch.js";
import { dispatchPause, runWithWebhooks, WebhookPause, type WebhookServices, type WebhookTransport } from "./webhooks.js";
import { convertCustomAsync, runWithConversions } from "./conversion.js";

type Obj = Record<string, unknown>;

/**
 * Options of {@link startTestServer}.
 *
 * @example
 * const options: TestServerOptions = { kubernetesVersion: "1.31", tokens: { "dev-token": "dev" }, crds: [widgetCrd] };
 */
export interface TestServerOptions {
  /** The Kubernetes minor to serve (`1.32`, `v1.34`); default: the newest bundled. */
  kubernetesVersion?: string;
  /** Serve HTTPS with a certificate generated at start (default true: kubectl sends credentials only over TLS). */
  https?: boolean;
  /** Port to listen on (default: a free port). */
  port?: number;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /**
   * Bearer tokens and the users they authenticate (a user name, or a user with groups). Default:
   * one generated token for `kubernetes-admin` (group `system:masters`).
   */
  tokens?: Record<string, string | UserInfo>;
  /** Accept requests without credentials as `system:anonymous` (default false). */
  anonymous?: boolean;
  /**
   * How requests are authorized: `"RBAC"` (the apiserver's privileged group `system:masters`, then
   * the Roles, ClusterRoles and bindings stored in the server, with the bootstrap ClusterRoles
   * `cluster-admin`, `admin`, `edit`, `view`, … created at start), `"AlwaysAllow"` (every request,
   * anonymous ones too), or an {@link Authorizer} of your own. Default: every authenticated user
   * may do everything, anonymous users only read health and version.
   */
  authorization?: "RBAC" | "AlwaysAllow" | Authorizer;
  /** An {@link Authorizer} of your own (the same as `authorization` with a function; `authorization` wins). */
  authorize?: Authorizer;
  /** CustomResourceDefinition objects to create at start. */
  crds?: unknown[];
  /** Objects to create at start (after the CRDs); namespaces they name are created too. */
  objects?: unknown[];
  /** Which built-in API versions to serve, in `--runtime-config` terms (`{"api/beta": true}`); default GA only. */
  runtimeConfig?: RuntimeConfig;
  /** How many changes are kept for watch resume and consistent continuation (default 10000). */
  historySize?: number;
  /** How often watches with `allowWatchBookmarks` get a bookmark (default 60 s). */
  bookmarkIntervalMs?: number;
  /**
   * Most bytes a watcher (or a follower of `pods/log`) may leave unread before the server drops it
   * (closes its connection, as kube-apiserver drops a watcher whose buffer is full; the client
   * re-watches). Default 16 MiB.
   */
  maxWatchBacklogBytes?: number;
  /** Largest accepted request body (default 3 MiB, as kube-apiserver). */
  maxRequestBodyBytes?: number;
  /**
   * How deeply a request body may nest, in objects and arrays (default 1000; at most 10000,
   * kube-apiserver's limit). Deeper bodies get 400 BadRequest, as kube-apiserver answers past its limit.
   */
  maxNestingDepth?: number;
  /** How many received requests `requests` keeps (the oldest are dropped; default 10000). */
  maxRecordedRequests?: number;
  /**
   * How much of each request body `requests` keeps (default 64 KiB; longer bodies are cut and
   * their size noted in `bodyBytes`). Bodies of requests that fail authentication are never kept.
   */
  maxRecordedBodyBytes?: number;
  /**
   * Runs `pods/exec` commands: one handler for every command, or handlers by command name that
   * come before the built-in commands (`sh -c`, `ls`, `cat`, `tar`, … on the container's files).
   * Default: the built-in commands ({@link cannedExec}).
   */
  exec?: ExecHandler | Record<string, ExecHandler>;
  /** Answers `pods/attach` (default: {@link cannedAttach}, a process that echoes its input). */
  attach?: ExecHandler;
  /**
   * Where `pods/portforward` connections go: a handler for every port, or targets per pod port (a
   * handler or `{ host, port }` to connect to; ports not named refuse). Default: every port echoes.
   */
  portForward?: PortForwardOption;
  /**
   * The simulated cluster: nodes, scheduler, kubelets and controllers (Deployments roll out,
   * Jobs complete, Services get endpoints). `false` serves a bare API with none of them; an object
   * switches single controllers off and scripts nodes and pods. Default: everything on, one node.
   */
  controllers?: boolean | ClusterOptions;
  /**
   * Built-in admission plugins to switch off, as kube-apiserver's `--disable-admission-plugins`
   * (`PodSecurity`, `ServiceAccount`, `ResourceQuota`, … — see {@link SERVED_ADMISSION_PLUGINS}).
   * Default: all on.
   */
  disableAdmissionPlugins?: string[];
  /**
   * Where the Services named by admission webhooks (`clientConfig.service`) are reached, as
   * `{ "namespace/name": "https://127.0.0.1:PORT" }` or a function; webhooks with a `url` need none.
   */
  webhookServices?: WebhookServices;
}

/**
 * A kubeconfig document.
 *
 * @example
 * const token = server.kubeconfig.users[0]!.user.token;
 */
export interface Kubeconfig {
  apiVersion: "v1";
  kind: "Config";
  clusters: Array<{ name: string; cluster: { server: string; "certificate-authority-data"?: string } }>;
  users: Array<{ name: string; user: { token?: string; "client-certificate-data"?: string; "client-key-data"?: string } }>;
  contexts: Array<{ name: string; context: { cluster: string; user: string; namespace?: string } }>;
  "current-context": string;
  preferences: Record<string, never>;
}

/**
 * A running local API server.
 *
 * @example
 * const server: TestServer = await startTestServer();
 * server.setPodLog("default", "web-0", "ready\n");
 */
export interface TestServer {
  /** The base URL (`http://127.0.0.1:PORT` or `https://…`). */
  readonly url: string;
  /** The Kubernetes minor served (`v1.32`). */
  readonly kubernetesVersion: string;
  /** A kubeconfig for the admin user. */
  readonly kubeconfig: Kubeconfig;
  /** The CA certificate (PEM) of an HTTPS server. */
  readonly caCertificate: string | undefined;
  /** Injected faults. */
  readonly faults: Faults;
  /** The requests received, in order (the newest `maxRecordedRequests`; Authorization redacted). Set `length = 0` to clear. */
  readonly requests: RecordedRequest[];
  /**
   * Write the kubeconfig as YAML to a file with mode 0600, atomically (a new file renamed over the
   * path: an existing file's mode is not kept, a symbolic link at the path is replaced, not
   * followed); returns the path.
   */
  writeKubeconfig(path: string): Promise<string>;
  /** A kubezod client for this server (available once the client module is part of the build). */
  connect(options?: Omit<ConnectOptions, "kubeconfig" | "config" | "context" | "inCluster">): Promise<Kube>;
  /** Set (replace) the log text of a pod's container. */
  setPodLog(namespace: string, pod: string, text: string, container?: string): void;
  /** Append to a pod container's log (followers see it at once). */
  appendPodLog(namespace: string, pod: string, text: string, container?: string): void;
  /** Issue a client certificate for a user (HTTPS servers only). */
  clientCertificate(user: string, groups?: string[]): CertificateAndKey;
  /** Add a bearer token for a user. */
  addToken(token: string, user: string | UserInfo): void;
  /** Forget the change history (as etcd compaction): older watches and continue tokens get 410. */
  compact(): void;
  /** Change how a pod behaves from now on (ready or not, exit code, logs, files); the kubelet acts on it. */
  scriptPod(namespace: string, pod: string, behavior: PodBehavior): void;
  /** Resolve once the controllers and kubelets have nothing left to do (work waiting on a timer aside). */
  settle(): Promise<void>;
  /** Writes of the controllers that the server refused (the newest 200), to diagnose a test. */
  readonly controllerErrors: readonly ControllerError[];
  /** The current resourceVersion (the global revision). */
  readonly resourceVersion: string;
  /** Stop the server and end every open connection. */
  close(): Promise<void>;
}

/** The default of `maxRecordedBodyBytes`. */
const DEFAULT_MAX_RECORDED_BODY_BYTES = 64 * 1024;

/** Subresources with handlers of their own whose writes go through admission (the handlers call it). */
const admittedSubresources = new Set(["/pods/binding", "/pods/eviction", "/pods/ephemeralcontainers", "/serviceaccounts/token", "/namespaces/finalize"]);

/** The options of a CONNECT as admission sees them (PodExecOptions, PodAttachOptions, PodPortForwardOptions). */
function connectOptions(subresource: string, q: URLSearchParams): Obj {
  const flag = (name: string) => (queryBool(q, name) ? { [name]: true } : {});
  const container = q.get("container") ? { container: q.get("container") } : {};
  if (subresource === "portforward") {
    const ports = q.getAll("ports").flatMap((p) => p.split(",")).filter((p) => /^\d+$/.test(p.trim())).map((p) => Number(p.trim()));
    return { kind: "PodPortForwardOptions", apiVersion: "v1", ...(ports.length ? { ports } : {}) };
  }
  const streams = { ...flag("stdin"), ...flag("stdout"), ...flag("stderr"), ...flag("tty"), ...container };
  if (subresource === "attach") return { kind: "PodAttachOptions", apiVersion: "v1", ...streams };
  return { kind: "PodExecOptions", apiVersion: "v1", ...streams, command: q.getAll("command") };
}

const ADMIN: UserInfo = { username: "kubernetes-admin", groups: ["system:masters", "system:authenticated"] };

/** A `Warning` header value as kube-apiserver writes one (code 299, no agent). */
function warningHeader(text: string): string {
  return `299 - ${JSON.stringify(text)}`;
}

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

class BodyTooLarge extends Error {}

function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on("data", (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => {
      if (!failed) resolve(chunks.length ? Buffer.concat(chunks) : undefined);
    });
    req.on("error", (e) => {
      if (!failed) reject(e);
    });
  });
}

function wantsTable(accept: string): boolean {
  return accept.split(",").some((p) => /;\s*as=Table/.test(p));
}

function gitVersion(minor: string): { major: string; minor: string; gitVersion: string } {
  const m = /^v(\d+)\.(\d+)$/.exec(minor)!;
  return { major: m[1]!, minor: m[2]!, gitVersion: `v${m[1]}.${m[2]}.0` };
}

/** The server implementation behind {@link startTestServer}. */
class LocalApiServer implements TestServer {
  readonly faults = new FaultSet();
  readonly requests: RecordedRequest[] = [];
  url = "";
  kubeconfig!: Kubeconfig;
  caCertificate: string | undefined;
  private server!: http.Server;
  private readonly sockets = new Set<Socket | Duplex>();
  private readonly tokens = new Map<string, UserInfo>();
  private readonly runtime: PodRuntime;
  private cluster: ControllerManager | undefined;
  private openapiV2Proto: { etag: string; body: Buffer } | undefined;
  private readonly store: Store;
  private readonly rest: Rest;
  private readonly openapi: OpenApi;
  private readonly controllers = new Map<string, Controller>();
  private readonly watches = new Set<() => void>();
  private ca: CertificateAuthority | undefined;
  private readonly tokenIssuer = new ServiceAccountIssuer();
  private readonly authorizer: Authorizer;
  private readonly rulesFor: RulesResolver | undefined;
  private rbac: { policy: RbacPolicy } | undefined;
  /** Whether changes of the RBAC objects are followed (they drop {@link rbac}). */
  private rbacWatched = false;
  private readonly maxBody: number;

  constructor(
    readonly kubernetesVersion: string,
    private readonly catalog: Catalog,
    names: WeakMap<object, string>,
    private readonly options: TestServerOptions,
    openapi: OpenApi,
  ) {
    this.store = new Store(options.historySize ?? 10_000);
    const unknownPlugin = (options.disableAdmissionPlugins ?? []).find((p) => !(SERVED_ADMISSION_PLUGINS as readonly string[]).includes(p));
    if (unknownPlugin !== undefined) throw new TypeError(`disableAdmissionPlugins: unknown admission plugin ${JSON.stringify(unknownPlugin)} (the server runs ${SERVED_ADMISSION_PLUGINS.join(", ")})`);
    this.rest = new Rest({ catalog, store: this.store, names, controllers: this.controllers, definitionNameOf: (s) => openapi.definitionNameOf(s), kubernetesVersion, callWebhooks: (pause) => dispatchPause(pause, this.webhookTransport(), this.store), authorize: (a) => this.authorizer(a), disabledAdmissionPlugins: new Set(options.disableAdmissionPlugins ?? []), defaultServiceAccount: (ns) => this.defaultServiceAccount(ns) });
    this.openapi = openapi;
    const mode = options.authorization ?? options.authorize;
    if (mode === "RBAC") {
      const rbac = rbacAuthorizer(() => this.rbacPolicy());
      this.authorizer = rbac.authorize;
      this.rulesFor = rbac.rulesFor;
    } else if (mode === "AlwaysAllow" || mode === undefined) {
      this.authorizer = mode === "AlwaysAllow" ? alwaysAllow : defaultAuthorizer;
      this.rulesFor = allowAllRules;
    } else if (typeof mode === "function") {
      this.authorizer = mode;
      this.rulesFor = undefined;
    } else throw new TypeError(`authorization: "RBAC", "AlwaysAllow" or a function, got ${JSON.stringify(mode)}`);
    this.maxBody = options.maxRequestBodyBytes ?? 3 * 1024 * 1024;
    this.runtime = new PodRuntime(typeof options.controllers === "object" ? options.controllers.pods : undefined);
    this.controllers.set(
      CRD_STORAGE_KEY,
      crdController(catalog, this.store, (storageKey) => {
        for (const o of this.store.list(storageKey)) this.store.delete(storageKey, o);
      }),
    );
  }

  get resourceVersion(): string {
    return String(this.store.revision);
  }

  /** The RBAC objects stored now, indexed again only after one of them changed. */
  private rbacPolicy(): RbacPolicy {
    const list = (plural: string) => this.store.list(`rbac.authorization.k8s.io/${plural}`);
    if (!this.rbacWatched) {
      this.rbacWatched = true;
      for (const plural of ["roles", "clusterroles", "rolebindings", "clusterrolebindings"]) this.store.subscribe(`rbac.authorization.k8s.io/${plural}`, () => (this.rbac = undefined));
      this.rbac = undefined;
    }
    this.rbac ??= { policy: new RbacPolicy({ roles: list("roles"), clusterRoles: list("clusterroles"), roleBindings: list("rolebindings"), clusterRoleBindings: list("clusterrolebindings") }) };
    return this.rbac.policy;
  }

  /** An authorizer's decision, with its reason. */
  private decide(attributes: AuthorizationAttributes): { allowed: boolean; reason: string } {
    return decide(this.authorizer, attributes);
  }

  async listen(): Promise<void> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => void this.onRequest(req, res);
    if (this.options.https !== false) {
      this.ca = new CertificateAuthority();
      this.caCertificate = this.ca.cert;
      const serving = this.ca.serving(["localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc"], ["127.0.0.1", "::1"]);
      this.server = createDualProtocolServer({ cert: serving.cert, key: serving.key, ca: [this.ca.cert], requestCert: true, rejectUnauthorized: false }, handler);
      // The HTTP/1.1 side of the dual server reads its header limit from the server object.
      Object.assign(this.server, { maxHeaderSize: MAX_HEADER_BYTES });
    } else {
      this.server = http.createServer({ maxHeaderSize: MAX_HEADER_BYTES }, handler);
    }
    this.server.keepAliveTimeout = 30_000;
    this.server.on("connection", (s: Socket) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
    this.server.on("secureConnection", (s: Socket) => {
      s.setNoDelay(true);
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
    this.server.on("upgrade", (req: http.IncomingMessage, socket: Duplex) => this.onUpgrade(req, socket));
    this.server.on("clientError", (err: NodeJS.ErrnoException, socket: Duplex) => rejectMalformed(err, socket));
    const host = this.options.host ?? "127.0.0.1";
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(this.options.port ?? 0, host, () => resolve());
    });
    const { port } = this.server.address() as AddressInfo;
    const shownHost = host.includes(":") ? `[${host}]` : host;
    this.url = `${this.options.https !== false ? "https" : "http"}://${shownHost}:${port}`;
    const tokens = this.options.tokens ?? { [randomBytes(24).toString("base64url")]: ADMIN };
    for (const [token, user] of Object.entries(tokens)) this.addToken(token, user);
    const [firstToken] = Object.keys(tokens);
    this.kubeconfig = {
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "kubezod", cluster: { server: this.url, ...(this.ca ? { "certificate-authority-data": Buffer.from(this.ca.cert).toString("base64") } : {}) } }],
      users: [{ name: "kubezod-admin", user: firstToken ? { token: firstToken } : {} }],
      contexts: [{ name: "kubezod", context: { cluster: "kubezod", user: "kubezod-admin", namespace: "default" } }],
      "current-context": "kubezod",
      preferences: {},
    };
  }

  /** Keep a request body in the log, cut at `maxRecordedBodyBytes`. */
  private recordBody(record: RecordedRequest, body: Buffer): void {
    const max = this.options.maxRecordedBodyBytes ?? DEFAULT_MAX_RECORDED_BODY_BYTES;
    if (body.length <= max) {
      record.body = body.toString("utf8");
      return;
    }
    record.body = body.subarray(0, max).toString("utf8");
    record.bodyBytes = body.length;
  }

  private record(r: RecordedRequest): void {
    this.requests.push(r);
    const max = this.options.maxRecordedRequests ?? 10_000;
    if (this.requests.length > max) this.requests.splice(0, this.requests.length - max);
  }

  addToken(token: string, user: string | UserInfo): void {
    const info = typeof user === "string" ? { username: user, groups: ["system:authenticated"] } : { ...user, groups: [...new Set([...(user.groups ?? []), "system:authenticated"])] };
    this.tokens.set(token, info);
  }

  /** Create the initial namespaces, CRDs and objects. */
  bootstrap(): void {
    const nsResource = this.catalog.resource("", "v1", "namespaces")!;
    const names = new Set(initialNamespaces);
    for (const o of this.options.objects ?? []) {
      const ns = isObj(o) && isObj(o.metadata) ? o.metadata.namespace : undefined;
      if (typeof ns === "string" && ns) names.add(ns);
    }
    for (const name of names) {
      this.internalCreate(nsResource, undefined, { apiVersion: "v1", kind: "Namespace", metadata: { name } });
    }
    // The apiserver's own service in the default namespace.
    this.internalCreate(this.catalog.resource("", "v1", "services")!, "default", {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "kubernetes", labels: { component: "apiserver", provider: "kubernetes" } },
      spec: { clusterIP: "10.96.0.1", ports: [{ name: "https", port: 443, protocol: "TCP", targetPort: 6443 }] },
    });
    const priorityClasses = this.catalog.resource("scheduling.k8s.io", "v1", "priorityclasses");
    if (priorityClasses) for (const pc of systemPriorityClasses()) this.internalCreate(priorityClasses, undefined, pc);
    if ((this.options.authorization ?? this.options.authorize) === "RBAC") {
      // kube-apiserver's rbac/bootstrap-roles post-start hook, with the served minor's policy (at its
      // default feature gates: the server has no switch for them).
      const policy = { minor: Number(/^v\d+\.(\d+)$/.exec(this.kubernetesVersion)![1]) };
      const roles = this.catalog.resource("rbac.authorization.k8s.io", "v1", "clusterroles")!;
      const bindings = this.catalog.resource("rbac.authorization.k8s.io", "v1", "clusterrolebindings")!;
      for (const o of bootstrapClusterRoles(policy)) this.internalCreate(roles, undefined, o);
      for (const o of bootstrapClusterRoleBindings(policy)) this.internalCreate(bindings, undefined, o);
      const namespacedRoles = this.catalog.resource("rbac.authorization.k8s.io", "v1", "roles")!;
      const namespacedBindings = this.catalog.resource("rbac.authorization.k8s.io", "v1", "rolebindings")!;
      const exists = (o: Obj) => Boolean(this.store.get("/namespaces", "", String((o.metadata as Obj).namespace)));
      for (const o of bootstrapRoles(policy).filter(exists)) this.internalCreate(namespacedRoles, String((o.metadata as Obj).namespace), o);
      for (const o of bootstrapRoleBindings(policy).filter(exists)) this.internalCreate(namespacedBindings, String((o.metadata as Obj).namespace), o);
    }
    for (const crd of this.options.crds ?? []) {
      const r = this.catalog.resource("apiextensions.k8s.io", "v1", "customresourcedefinitions")!;
      this.internalCreate(r, undefined, crd);
    }
    for (const o of this.options.objects ?? []) {
      if (!isObj(o) || typeof o.apiVersion !== "string" || typeof o.kind !== "string") throw new TypeError("objects[] entries need apiVersion and kind");
      const r = this.catalog.kind(o.apiVersion, o.kind);
      if (!r) throw new TypeError(`objects[]: the server does not serve ${o.apiVersion} ${o.kind}`);
      if (r.storageKey === "/namespaces" && this.store.get("/namespaces", "", String((o.metadata as Obj | undefined)?.name))) continue;
      const ns = r.namespaced ? String((o.metadata as Obj | undefined)?.namespace ?? "default") : undefined;
      this.internalCreate(r, ns, o);
    }
  }

  private internalCreate(r: ServedResource, namespace: string | undefined, obj: unknown): void {
    const call: ApiCall = {
      info: { verb: "create", group: r.group, version: r.version, namespace, resource: r.plural, name: undefined, subresource: undefined, rest: [] },
      query: new URLSearchParams({ fieldManager: "kubezod-testing" }),
      contentType: "application/json",
      body: Buffer.from(JSON.stringify(obj)),
      userAgent: "kubezod-testing",
      user: ADMIN.username,
    };
    this.rest.create(call);
  }

  private send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string | string[]> = {}, record?: RecordedRequest): void {
    if (record) record.status = status;
    if (res.destroyed) return;
    if (res.headersSent) {
      res.end();
      return;
    }
    const extra: Record<string, string> = { "Audit-Id": randomUUID() };
    if (record?.verb !== undefined && isObj(body) && typeof body.kind === "string") {
      const apiVersion = String(body.apiVersion ?? "");
      if (outputFormat(String(res.req.headers.accept ?? ""), hasProtobuf(apiVersion, body.kind)) === "protobuf") {
        const encoded = encodeProtobuf(body);
        if (encoded) {
          res.writeHead(status, { "Content-Type": PROTOBUF, "Cache-Control": "no-cache, private", "Content-Length": encoded.length, ...extra, ...headers });
          res.end(res.req.method === "HEAD" ? undefined : encoded);
          return;
        }
      }
    }
    // kube-apiserver encodes API objects (Status errors included) with Go's `json.Encoder`, which
    // ends each document with a newline (apimachinery's json.Serializer, non-pretty).
    const text = typeof body === "string" ? body : isObj(body) && typeof body.kind === "string" ? `${jsonOf(body)}\n` : jsonOf(body);
    let payload: string | Buffer = text;
    // kube-apiserver gzips responses over 128 KiB for clients that accept it.
    if (Buffer.byteLength(text) > GZIP_THRESHOLD && /\bgzip\b/.test(String(res.req.headers["accept-encoding"] ?? ""))) {
      payload = gzipSync(text);
      extra["Content-Encoding"] = "gzip";
      extra.Vary = "Accept-Encoding";
    }
    res.writeHead(status, {
      "Content-Type": typeof body === "string" ? "text/plain; charset=utf-8" : "application/json",
      "Cache-Control": "no-cache, private",
      "Content-Length": Buffer.byteLength(payload),
      ...extra,
      ...headers,
    });
    res.end(res.req.method === "HEAD" ? undefined : payload);
  }

  private sendError(res: http.ServerResponse, e: unknown, record?: RecordedRequest, headers: Record<string, string | string[]> = {}): void {
    if (e instanceof ApiserverPanic) return this.send(res, 500, `${e.message}\n`, { "X-Content-Type-Options": "nosniff", ...headers }, record);
    const err = e instanceof KubeApiError ? e : internalError(e instanceof Error ? e.message : String(e));
    this.send(res, err.status, err.body, headers, record);
  }

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    try {
      await this.handle(req, res);
    } catch (e) {
      // Last line of defence: nothing a request does may take the server down or leave it hanging.
      this.sendError(res, e);
    }
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = requestUrl(req.url);
    const method = (req.method ?? "GET").toUpperCase();
    const headers = { ...req.headers };
    if (headers.authorization) headers.authorization = "<redacted>";
    const query: Record<string, string | string[]> = {};
    for (const key of new Set(url.searchParams.keys())) {
      const all = url.searchParams.getAll(key);
      query[key] = all.length === 1 ? all[0]! : all;
    }
    const record: RecordedRequest = { method, path: url.pathname, query, headers, body: undefined };
    this.record(record);
    const watchParam = queryBool(url.searchParams, "watch");
    const info = parseResourcePath(method, url.pathname, watchParam);
    if (info) {
      Object.assign(record, { verb: info.verb, group: info.group, version: info.version, resource: info.resource });
      if (info.subresource !== undefined) record.subresource = info.subresource;
      if (info.namespace !== undefined) record.namespace = info.namespace;
      if (info.name !== undefined) record.name = info.name;
    }
    try {
      // Authentication comes first, as in kube-apiserver's filter chain: the body of a request
      // without valid credentials is neither read into memory nor recorded (Node discards it).
      const authenticated = authenticate(req, this.tokens, this.options.anonymous ?? false);
      let body: Buffer | undefined;
      if (authenticated) {
        try {
          body = await readBody(req, this.maxBody);
        } catch (e) {
          if (e instanceof BodyTooLarge) {
            this.send(res, 413, statusBody(413, "RequestEntityTooLarge", `Request entity too large: limit is ${this.maxBody}`), { Connection: "close" }, record);
            return;
          }
          throw e;
        }
        if (body) this.recordBody(record, body);
      }
      const fault = this.faults.take(record);
      if (fault?.latencyMs) {
        const limit = requestTimeoutMs(url.searchParams.get("timeout"));
        const isWatch = info?.verb === "watch";
        if (limit !== undefined && !isWatch && fault.latencyMs > limit) {
          // The apiserver gives up on a request that outlives its `timeout` parameter.
          await new Promise((r) => setTimeout(r, Math.min(limit, MAX_TIMER_MS)));
          throw statusError(504, "Timeout", "Timeout: request did not complete within requested timeout - context deadline exceeded", {});
        }
        await new Promise((r) => setTimeout(r, Math.min(fault.latencyMs ?? 0, MAX_TIMER_MS)));
      }
      if (fault?.resetConnection) {
        record.status = 0;
        req.socket.destroy();
        return;
      }
      if (fault?.status !== undefined) {
        const extra: Record<string, string> = fault.retryAfter !== undefined ? { "Retry-After": String(fault.retryAfter) } : {};
        this.send(res, fault.status, faultStatus(fault), extra, record);
        return;
      }
      if (!authenticated) {
        // Node discards an unread body; a large or chunked one goes with the connection instead,
        // as Go's server closes a connection with more than 256 KiB of body left unread.
        const declared = Number(req.headers["content-length"] ?? 0);
        if (!req.complete && (req.headers["transfer-encoding"] !== undefined || declared > 256 * 1024)) res.setHeader("Connection", "close");
        throw unauthorized();
      }
      const user = impersonated(req, authenticated, this.authorizer);
      record.user = user.username;
      const asked = info && authorizationRequest(info, url.searchParams);
      const decision = this.decide(
        asked
          ? {
              user,
              verb: asked.verb,
              resource: {
                group: asked.group,
                version: asked.version,
                resource: asked.resource,
                ...(asked.subresource !== undefined ? { subresource: asked.subresource } : {}),
                ...(asked.namespace !== undefined ? { namespace: asked.namespace } : {}),
                ...(asked.name !== undefined ? { name: asked.name } : {}),
              },
            }
          : { user, verb: method.toLowerCase(), path: url.pathname },
      );
      if (!decision.allowed) throw forbiddenFor(user, asked, method, url.pathname, decision.reason);
      if (info) await this.resource(req, res, info, url, body, user, record, fault);
      else this.nonResource(req, res, url, record);
    } catch (e) {
      this.sendError(res, e, record);
    }
  }

  private nonResource(req: http.IncomingMessage, res: http.ServerResponse, url: URL, record: RecordedRequest): void {
    const path = url.pathname.replace(/\/+$/, "") || "/";
    const method = req.method ?? "GET";
    if (method !== "GET" && method !== "HEAD") throw statusError(405, "MethodNotAllowed", `the server does not allow this method on the requested resource`, {});
    const accept = String(req.headers.accept ?? "");
    if (path === "/version") return this.send(res, 200, this.version(), {}, record);
    // ServiceAccountIssuerDiscovery: what verifies the service account tokens.
    if (path === "/.well-known/openid-configuration") return this.send(res, 200, this.tokenIssuer.openIdConfiguration(this.url), { "Cache-Control": "public, max-age=3600" }, record);
    if (path === "/openid/v1/jwks") return this.send(res, 200, this.tokenIssuer.jwks(), { "Content-Type": "application/jwk-set+json", "Cache-Control": "public, max-age=3600" }, record);
    if (/^\/(healthz|livez|readyz)(\/.*)?$/.test(path)) {
      const verbose = url.searchParams.has("verbose");
      const name = path.split("/")[1]!;
      const text = verbose ? `[+]ping ok\n[+]log ok\n[+]etcd ok\n${name} check passed\n` : "ok";
      return this.send(res, 200, text, {}, record);
    }
    if (path === "/api" || path === "/apis") {
      const aggregated = aggregatedVersionAccepted(accept);
      if (aggregated) {
        const v = aggregated.split("/")[1];
        const body = aggregatedDiscovery(this.catalog, path === "/api" ? "api" : "apis", aggregated);
        return this.send(res, 200, body, { "Content-Type": `application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList`, Vary: "Accept" }, record);
      }
      const address = this.url.replace(/^https?:\/\//, "");
      return this.send(res, 200, path === "/api" ? apiVersions(address) : apiGroupList(this.catalog), {}, record);
    }
    const parts = path.split("/").filter(Boolean);
    if (parts[0] === "api" && parts.length === 2) {
      if (!this.catalog.versionsOf("").includes(parts[1]!)) throw notFoundPath();
      return this.send(res, 200, apiResourceList(this.catalog, "", parts[1]!), {}, record);
    }
    if (parts[0] === "apis" && parts.length === 2) {
      if (!this.catalog.versionsOf(parts[1]!).length) throw notFoundPath();
      return this.send(res, 200, apiGroup(this.catalog, parts[1]!), {}, record);
    }
    if (parts[0] === "apis" && parts.length === 3) {
      if (!this.catalog.versionsOf(parts[1]!).includes(parts[2]!)) throw notFoundPath();
      return this.send(res, 200, apiResourceList(this.catalog, parts[1]!, parts[2]!), {}, record);
    }
    if (path === "/openapi/v2" && OPENAPI_V2_PROTOBUF_ACCEPT.some((t) => accept.includes(t))) {
      // kubectl 1.28 and older ask for the protobuf form alone.
      const etag = `"${this.openapi.hashOf(path, this.catalog)}"`;
      if (req.headers["if-none-match"] === etag) {
        record.status = 304;
        res.writeHead(304, { ETag: etag });
        res.end();
        return;
      }
      if (this.openapiV2Proto?.etag !== etag) this.openapiV2Proto = { etag, body: encodeOpenApiV2(this.openapi.document(path, this.catalog) as Obj) };
      record.status = 200;
      res.writeHead(200, { "Content-Type": OPENAPI_V2_PROTOBUF, "Content-Length": this.openapiV2Proto.body.length, ETag: etag, "Cache-Control": "no-cache, private" });
      res.end(req.method === "HEAD" ? undefined : this.openapiV2Proto.body);
      return;
    }
    if (parts[0] === "openapi") {
      if (accept && !/json|\*\/\*/.test(accept)) {
        // Only JSON is served (kubectl 1.28 asks for OpenAPI v2 in protobuf alone: use --validate=false there).
        throw statusError(406, "NotAcceptable", `only the following media types are accepted: application/json (the OpenAPI documents are not served as ${accept})`, {});
      }
      const doc = this.openapi.document(path, this.catalog);
      if (doc === undefined) throw notFoundPath();
      const etag = `"${this.openapi.hashOf(path, this.catalog)}"`;
      if (req.headers["if-none-match"] === etag) {
        record.status = 304;
        res.writeHead(304, { ETag: etag });
        res.end();
        return;
      }
      return this.send(res, 200, doc, { ETag: etag }, record);
    }
    if (parts[0] === "api" || parts[0] === "apis") throw notFoundPath();
    this.send(res, 404, "404 page not found\n", {}, record);
  }

  private version(): Obj {
    return {
      ...gitVersion(this.kubernetesVersion),
      gitCommit: "0000000000000000000000000000000000000000",
      gitTreeState: "clean",
      buildDate: "2024-01-01T00:00:00Z",
      goVersion: "go1.23.0",
      compiler: "gc",
      platform: `${process.platform}/${process.arch === "x64" ? "amd64" : process.arch}`,
    };
  }

  private async resource(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    info: ResourceRequest,
    url: URL,
    body: Buffer | undefined,
    user: UserInfo,
    record: RecordedRequest,
    fault: FaultSpec | undefined,
  ): Promise<void> {
    const call: ApiCall = {
      info,
      query: url.searchParams,
      contentType: String(req.headers["content-type"] ?? ""),
      body,
      userAgent: String(req.headers["user-agent"] ?? ""),
      user: user.username,
      ...(this.options.maxNestingDepth !== undefined ? { maxNestingDepth: this.options.maxNestingDepth } : {}),
      ...(user.groups ? { groups: user.groups } : {}),
    };
    const accept = String(req.headers.accept ?? "");
    const r = this.rest.resourceOf(info);
    checkRoute(info, r);
    // kube-apiserver's endpoint installer (built-in types) and apiextensions-apiserver (custom
    // resources) warn on every request to a deprecated version, answered or refused.
    const deprecated = r.custom ? r.custom.deprecationWarning : r.deprecationWarning;
    if (deprecated !== undefined) res.setHeader("Warning", warningHeader(deprecated));
    const review = reviewHandlers[`${r.group}/${r.plural}`];
    if (review && info.verb === "create" && info.subresource === undefined) {
      const reviewContext = { authorize: this.authorizer, rulesFor: this.rulesFor, userOfToken: (t: string) => this.tokens.get(t) };
      return this.reply(res, review(reviewContext, r, call, user), record);
    }
    if ((this.options.authorization ?? this.options.authorize) === "RBAC" && guardsRbacWrite(info)) this.checkRbacWrite(call, r, user);
    if (info.subresource === "proxy" && r.group === "" && (r.plural === "pods" || r.plural === "services") && info.name !== undefined) {
      const target = proxyTarget(this.store, r.plural, info.namespace ?? "", info.name);
      if (target instanceof KubeApiError) throw target;
      // What follows `/proxy` in the URL as sent, with its query.
      const at = url.pathname.indexOf("/proxy", url.pathname.indexOf(`/${r.plural}/`) + r.plural.length + 2);
      const path = `${url.pathname.slice(at + "/proxy".length) || "/"}${url.search}`;
      record.status = 200;
      forwardProxy(req, res, target, portForwardHandler(this.options.portForward), path, body, (e) => this.sendError(res, e, record));
      return;
    }
    if (info.subresource !== undefined) {
      const special = subresourceHandlers[`${r.group}/${r.plural}/${info.subresource}`];
      if (special) {
        // Writes to subresources with handlers of their own (a Binding, an Eviction, a TokenRequest, ephemeral containers, finalize) go through admission.
        const admits = (info.verb === "create" || info.verb === "update" || info.verb === "patch") && admittedSubresources.has(`${r.group}/${r.plural}/${info.subresource}`);
        const reply = admits ? await this.admitted(call, () => special(this.subresourceContext(), r, call, res)!) : special(this.subresourceContext(), r, call, res);
        if (reply) this.reply(res, reply, record);
        else record.status = 200;
        return;
      }
      if (info.subresource === "exec" || info.subresource === "attach" || info.subresource === "portforward") {
        throw badRequest("Upgrade request required");
      }
      if (!r.subresources.some((s) => s.name === info.subresource)) throw notFoundPath();
    }
    const dispatch = async (): Promise<void> => {
      switch (info.verb) {
        case "get": {
          const reply = this.rest.get(call);
          if (wantsTable(accept) && !info.subresource) return this.reply(res, { ...reply, body: this.table(r, [reply.body as KubeObject], url, { resourceVersion: "" }) }, record);
          return this.reply(res, reply, record);
        }
        case "list": {
          const { items, metadata } = this.rest.list(call);
          if (wantsTable(accept)) return this.reply(res, { status: 200, body: this.table(r, items, url, metadata) }, record);
          return this.reply(res, { status: 200, body: this.rest.listBody(r, items, metadata) }, record);
        }
        case "watch":
          return this.watch(req, res, r, info, url, accept, record, fault);
        case "create":
          return this.reply(res, await this.admitted(call, () => this.rest.create(call)), record);
        case "update":
          return this.reply(res, await this.admitted(call, () => this.rest.update(call)), record);
        case "patch":
          return this.reply(res, await this.admitted(call, () => this.rest.patch(call)), record);
        case "delete":
          return this.reply(res, await this.admitted(call, () => this.rest.delete(call)), record);
        case "deletecollection":
          return this.reply(res, await this.deleteCollection(call), record);
      }
    };
    // A custom resource converted by webhook pauses for the webhook and runs again.
    return r.custom?.conversion ? runWithConversions(dispatch, this.webhookTransport()) : dispatch();
  }

  /** RBAC's policy-based storage: the object as it would be stored may grant only what the user holds. */
  private checkRbacWrite(call: ApiCall, r: ServedResource, user: UserInfo): void {
    const { info } = call;
    const old = info.name !== undefined ? this.store.get(r.storageKey, info.namespace ?? "", info.name) : undefined;
    let object: unknown;
    if (info.verb === "patch") {
      // The patched object, as the storage sees it: the same patch, not stored.
      const query = new URLSearchParams(call.query);
      query.set("dryRun", "All");
      object = this.rest.patch({ ...call, query }).body;
    } else object = decodeBody(call, "couldn't get version/kind", r);
    if (isObj(object)) checkRbacWrite(this.rbacPolicy(), this.authorizer, user, info, object, old);
  }

  /** A deletecollection: each item deleted through admission (webhooks called per item), as the registry's DeleteCollection. */
  private async deleteCollection(call: ApiCall): Promise<ApiReply> {
    const plan = this.rest.collectionToDelete(call);
    const deleted: KubeObject[] = [];
    const warnings: string[] = [];
    for (const item of plan.items) {
      const itemCall: ApiCall = { ...call, webhooks: { results: {} } };
      const reply = await runWithWebhooks(itemCall.webhooks!, () => this.rest.deleteCollectionItem(itemCall, plan, item), this.webhookTransport(), this.store);
      if (!reply) continue;
      deleted.push(reply.body as KubeObject);
      warnings.push(...(reply.warnings ?? []));
    }
    return this.rest.collectionDeleted(plan, deleted, warnings);
  }

  /** A client's write, with the admission webhooks stored in the server called on the way. */
  private admitted(call: ApiCall, run: () => ApiReply): Promise<ApiReply> {
    // Kept when the request runs again after a conversion webhook: each admission webhook is called once.
    call.webhooks ??= { results: {} };
    return runWithWebhooks(call.webhooks, run, this.webhookTransport(), this.store);
  }

  private webhookTransport(): WebhookTransport {
    return this.options.webhookServices ? { services: this.options.webhookServices } : {};
  }

  private subresourceContext(): SubresourceContext {
    return {
      rest: this.rest,
      store: this.store,
      logs: this.runtime.logs,
      kubelet: this.kubeletRuns(),
      addToken: (t, u) => this.addToken(t, u),
      tokens: this.tokenIssuer,
      minor: Number(/^v?\d+\.(\d+)/.exec(this.kubernetesVersion)?.[1] ?? 36),
      ...(this.options.maxWatchBacklogBytes !== undefined ? { maxBacklogBytes: this.options.maxWatchBacklogBytes } : {}),
    };
  }

  private reply(res: http.ServerResponse, reply: ApiReply, record: RecordedRequest): void {
    const headers: Record<string, string | string[]> = {};
    if (reply.warnings?.length) headers.Warning = [...[res.getHeader("Warning") ?? []].flat().map(String), ...reply.warnings.map(warningHeader)];
    this.send(res, reply.status, reply.body, headers, record);
  }

  private tableSpec(r: ServedResource): TableSpec {
    return r.custom ? customTableSpec(r.custom.printerColumns) : builtinTableSpec(`${r.group}/${r.plural}`);
  }

  private includeObject(url: URL): "None" | "Metadata" | "Object" {
    const v = url.searchParams.get("includeObject");
    if (v === null || v === "") return "Metadata";
    if (v === "None" || v === "Metadata" || v === "Object") return v;
    throw badRequest(`includeObject: Unsupported value: "${v}": supported values: "None", "Metadata", "Object"`);
  }

  private table(r: ServedResource, items: KubeObject[], url: URL, metadata: Obj): Obj {
    const spec = this.tableSpec(r);
    const include = this.includeObject(url);
    return {
      kind: "Table",
      apiVersion: "meta.k8s.io/v1",
      metadata,
      columnDefinitions: columnDefinitions(spec),
      rows: items.map((o) => tableRow(spec, o, include)),
    };
  }

  private watch(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    r: ServedResource,
    info: ResourceRequest,
    url: URL,
    accept: string,
    record: RecordedRequest,
    fault: FaultSpec | undefined,
  ): void {
    if (!(r.verbs as readonly string[]).includes("watch")) throw statusError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource", {});
    const q = url.searchParams;
    const selection = selectionOf(r, q);
    if (info.name !== undefined) selection.fields.push({ field: "metadata.name", operator: "=", value: info.name });
    const params = listParameters(q);
    const w: WatchRequest = {
      resource: r,
      namespace: info.namespace,
      selection,
      resourceVersion: q.get("resourceVersion") ?? undefined,
      resourceVersionMatch: q.get("resourceVersionMatch") ?? undefined,
      allowWatchBookmarks: params.allowWatchBookmarks,
      sendInitialEvents: params.sendInitialEvents,
      timeoutSeconds: params.timeoutSeconds !== undefined && params.timeoutSeconds > 0 ? params.timeoutSeconds : undefined,
      ...(wantsTable(accept) ? { table: { spec: this.tableSpec(r), include: this.includeObject(url) } } : {}),
      protobuf: outputFormat(accept, hasProtobuf(r.apiVersion, r.kind)) === "protobuf",
    };
    checkWatchRequest(w);
    record.status = 200;
    const cut = fault?.cutWatchAfterEvents;
    let stop: (() => void) | undefined;
    stop = serveWatch(
      res,
      this.store,
      w,
      {
        bookmarkIntervalMs: this.options.bookmarkIntervalMs ?? 60_000,
        defaultTimeoutSeconds: 1800 + Math.floor(Math.random() * 1800),
        ...(this.options.maxWatchBacklogBytes !== undefined ? { maxBacklogBytes: this.options.maxWatchBacklogBytes } : {}),
      },
      {
        afterEvent: (count) => cut !== undefined && count >= cut,
        ...(r.custom?.conversion ? { convert: (o: KubeObject) => convertCustomAsync(readDefaulted(o, r), r.apiVersion, r.custom!.conversion!, this.webhookTransport()) } : {}),
        onClose: () => {
          if (stop) this.watches.delete(stop);
          stop = undefined;
        },
      },
    );
    if (!res.writableEnded) this.watches.add(stop);
  }

  private onUpgrade(req: http.IncomingMessage, socket: Duplex): void {
    this.sockets.add(socket);
    socket.on("close", () => this.sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    const fail = (e: unknown) => {
      const err = e instanceof KubeApiError ? e : internalError(String(e));
      const text = JSON.stringify(err.body);
      socket.end(`HTTP/1.1 ${err.status} ${http.STATUS_CODES[err.status] ?? ""}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
    };
    try {
      const url = requestUrl(req.url);
      const method = (req.method ?? "GET").toUpperCase();
      const info = parseResourcePath(method === "POST" ? "POST" : "GET", url.pathname, false);
      const record: RecordedRequest = { method, path: url.pathname, query: Object.fromEntries(url.searchParams), headers: { ...req.headers, authorization: req.headers.authorization ? "<redacted>" : undefined }, body: undefined };
      if (info) Object.assign(record, { verb: info.verb, resource: info.resource, subresource: info.subresource, namespace: info.namespace, name: info.name, group: info.group, version: info.version });
      this.record(record);
      const fault = this.faults.take(record);
      if (fault?.resetConnection) return void socket.destroy();
      if (fault?.status !== undefined) throw statusError(fault.status, String(faultStatus(fault).reason ?? ""), String(faultStatus(fault).message));
      const authenticated = authenticate(req, this.tokens, this.options.anonymous ?? false);
      if (!authenticated) throw unauthorized();
      const user = impersonated(req, authenticated, this.authorizer);
      record.user = user.username;
      const subresource = info?.subresource;
      if (!info || info.name === undefined || (subresource !== "exec" && subresource !== "attach" && subresource !== "portforward")) throw notFoundPath();
      const attrs = { user, verb: "create", resource: { group: info.group, version: info.version, resource: info.resource, subresource, ...(info.namespace !== undefined ? { namespace: info.namespace } : {}), name: info.name } };
      const decision = this.decide(attrs);
      if (!decision.allowed) throw forbiddenFor(user, { ...info, verb: "create" }, method, url.pathname, decision.reason);
      const r = this.rest.resourceOf(info);
      if (!r.subresources.some((s) => s.name === subresource)) throw notFoundPath();
      // Admission of the CONNECT (operation CONNECT, the options as the object), before the
      // connection is made (the connect handler's mutating and validating admission).
      const call: ApiCall = { info, query: url.searchParams, contentType: "", body: undefined, userAgent: String(req.headers["user-agent"] ?? ""), user: user.username, ...(user.groups ? { groups: user.groups } : {}), webhooks: { results: {} } };
      const options = connectOptions(subresource, url.searchParams);
      const podName = info.name;
      const proceed = (admitted: Obj): void => {
        try {
          const pod = this.store.get(r.storageKey, info.namespace ?? "", podName);
          if (!pod) throw statusError(404, "NotFound", `pods "${podName}" not found`, { name: podName, kind: "pods" });
          const namespace = info.namespace ?? "";
          if (subresource === "portforward") {
            if (this.kubeletRuns() && !(pod.spec as Obj | undefined)?.nodeName) throw badRequest(`pod ${podName} does not have a host assigned`);
            const uid = String((pod.metadata as Obj | undefined)?.uid ?? "");
            record.status = servePortForward(req, socket, url.searchParams, { namespace, pod: podName, uid }, portForwardHandler(this.options.portForward));
            return;
          }
          const container = containerOf(pod, typeof admitted.container === "string" && admitted.container ? admitted.container : url.searchParams.get("container"));
          const command = Array.isArray(admitted.command) ? admitted.command.map(String) : url.searchParams.getAll("command");
          if (subresource === "exec" && !command.length) throw badRequest("you must specify at least 1 command");
          if (this.kubeletRuns() && !(pod.spec as Obj | undefined)?.nodeName) throw badRequest(`pod ${podName} does not have a host assigned`);
          // kubectl before 1.30 upgrades exec, attach and cp to SPDY; later ones use WebSockets.
          const spdy = isSpdyUpgrade(req.headers);
          const offered = req.headers["sec-websocket-protocol"] as string | undefined;
          const protocol = spdy ? "" : acceptWebSocket(socket, req.headers["sec-websocket-key"], offered, execProtocols(this.kubernetesVersion));
          if (protocol === undefined) return void (record.status = webSocketRefusal(req.headers["sec-websocket-key"], offered, execProtocols(this.kubernetesVersion)) ?? 400);
          const exec = this.options.exec;
          const handler: ExecHandler =
            subresource === "exec" ? (typeof exec === "function" ? exec : (r) => builtinExec(r, exec)) : (this.options.attach ?? cannedAttach);
          const behavior = this.runtime.behaviorOf(pod);
          const env: Record<string, string> = { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", HOSTNAME: podName, HOME: "/root" };
          const spec = (pod.spec as Obj | undefined) ?? {};
          for (const c of [...((spec.containers as Obj[] | undefined) ?? []), ...((spec.ephemeralContainers as Obj[] | undefined) ?? [])]) {
            if (c.name !== container) continue;
            for (const e of (c.env as Obj[] | undefined) ?? []) if (typeof e.value === "string") env[String(e.name)] = e.value;
          }
          const request = { namespace, pod: podName, container, command, tty: queryBool(url.searchParams, "tty"), files: podFiles(this.runtime.fileSystem(namespace, podName, container, behavior)), env };
          const q = (name: string) => queryBool(url.searchParams, name);
          if (spdy) record.status = serveSpdyExec(req.headers, socket, request, { stdin: q("stdin"), stdout: q("stdout"), stderr: q("stderr"), tty: request.tty }, handler);
          else {
            record.status = 101;
            runExecSession(socket, protocol, request, q("stdin"), handler, { stdout: q("stdout"), stderr: q("stderr") });
          }
        } catch (e) {
          fail(e);
        }
      };
      runWithWebhooks(call.webhooks!, () => this.rest.admitSubresource(call, r, "CONNECT", options, undefined, { group: "", version: "v1", kind: String(options.kind) }), this.webhookTransport(), this.store).then(
        (a) => proceed(a.object),
        (e: unknown) => fail(e),
      );
    } catch (e) {
      fail(e);
    }
  }

  writeKubeconfig = async (path: string): Promise<string> => {
    await writePrivateFile(path, toYaml(this.kubeconfig));
    return path;
  };

  async connect(options: Omit<ConnectOptions, "kubeconfig" | "config" | "context" | "inCluster"> = {}): Promise<Kube> {
    return connect({ ...options, kubeconfig: this.kubeconfig as unknown as KubeConfig, inCluster: false });
  }

  setPodLog(namespace: string, pod: string, text: string, container?: string): void {
    this.runtime.logs.set(namespace, pod, container ?? this.defaultContainer(namespace, pod), text);
  }

  appendPodLog(namespace: string, pod: string, text: string, container?: string): void {
    this.runtime.logs.append(namespace, pod, container ?? this.defaultContainer(namespace, pod), text);
  }

  scriptPod(namespace: string, pod: string, behavior: PodBehavior): void {
    const current = this.store.get("/pods", namespace, pod);
    this.runtime.setBehavior(namespace, pod, behavior, current ? this.runtime.behaviorOf(current) : {});
  }

  settle(): Promise<void> {
    return this.cluster?.settle() ?? Promise.resolve();
  }

  get controllerErrors(): readonly ControllerError[] {
    return this.cluster?.errors ?? [];
  }

  /**
   * The `default` ServiceAccount of a namespace, made now by the service account controller
   * (kube-apiserver's ServiceAccount plugin waits for that controller before refusing a pod). Where
   * that controller does not run (or has not started), the server makes it as the controller would:
   * on a cluster every namespace has one.
   */
  private defaultServiceAccount(namespace: string): void {
    const c = this.options.controllers;
    const controller = c !== false && !(typeof c === "object" && c.serviceAccounts === false);
    if (this.cluster && controller) {
      this.cluster.reconcileNow("namespace-defaults", namespace);
      return;
    }
    const ns = this.store.get("/namespaces", "", namespace);
    if (!ns || ns.metadata.deletionTimestamp || this.store.get("/serviceaccounts", namespace, "default")) return;
    this.internalCreate(this.catalog.resource("", "v1", "serviceaccounts")!, namespace, { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "default" } });
  }

  private kubeletRuns(): boolean {
    const c = this.options.controllers;
    return c !== false && !(typeof c === "object" && c.kubelet === false);
  }

  /** Start the simulated cluster (nodes, scheduler, kubelets, controllers) unless switched off. */
  startControllers(): void {
    const c = this.options.controllers;
    if (c === false) return;
    const options: ClusterOptions = typeof c === "object" ? c : {};
    const pods = this.catalog.resource("", "v1", "pods");
    this.cluster = startCluster(
      {
        rest: this.rest,
        store: this.store,
        catalog: this.catalog,
        kubernetesVersion: this.kubernetesVersion,
        runtime: this.runtime,
        caCertificate: this.caCertificate,
        ...(this.ca ? { signCertificate: (t: CertificateTemplate) => this.ca!.sign(t) } : {}),
        webhooks: (pause) => dispatchPause(pause, this.webhookTransport(), this.store),
        bind: (pod, node, webhooks) => {
          const binding = subresourceHandlers["/pods/binding"];
          if (!pods || !binding) return false;
          const call: ApiCall = {
            info: { verb: "create", group: "", version: "v1", namespace: String(pod.metadata.namespace), resource: "pods", name: String(pod.metadata.name), subresource: "binding", rest: [] },
            query: new URLSearchParams(),
            contentType: "application/json",
            body: Buffer.from(JSON.stringify({ apiVersion: "v1", kind: "Binding", metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace }, target: { kind: "Node", name: node } })),
            userAgent: "kube-scheduler",
            user: "system:kube-scheduler",
            ...(webhooks ? { webhooks } : {}),
          };
          try {
            binding(this.subresourceContext(), pods, call, undefined as unknown as http.ServerResponse);
            webhooks?.shared?.release(webhooks.used);
            return true;
          } catch (e) {
            if (e instanceof WebhookPause) throw e;
            webhooks?.shared?.release(webhooks.used);
            return false;
          }
        },
        finishNamespace: (name, webhooks) => this.rest.finishNamespace(name, webhooks),
        namespaceContent: (name) => this.namespaceContent(name),
        issueToken: (namespace, sa) => legacyServiceAccountToken(this.subresourceContext(), namespace, String(sa.metadata.name), String(sa.metadata.uid)),
      },
      options,
    );
  }

  /** What is left in a namespace: objects per resource, and finalizers holding them. */
  private namespaceContent(name: string): { resources: Map<string, number>; finalizers: Map<string, number> } {
    const resources = new Map<string, number>();
    const finalizers = new Map<string, number>();
    const seen = new Set<string>();
    for (const r of this.catalog.all()) {
      if (!r.namespaced || seen.has(r.storageKey)) continue;
      seen.add(r.storageKey);
      const items = this.store.list(r.storageKey, name);
      if (!items.length) continue;
      resources.set(`${r.plural}${r.group ? `.${r.group}` : ""}`, items.length);
      for (const o of items) for (const f of (o.metadata.finalizers as string[] | undefined) ?? []) finalizers.set(f, (finalizers.get(f) ?? 0) + 1);
    }
    return { resources, finalizers };
  }

  private defaultContainer(namespace: string, pod: string): string {
    const obj = this.store.get("/pods", namespace, pod);
    const containers = ((obj?.spec as Obj | undefined)?.containers as Obj[] | undefined) ?? [];
    if (containers.length !== 1) throw new TypeError(`pod ${namespace}/${pod}: name the container (the pod has ${containers.length} containers or does not exist)`);
    return String(containers[0]!.name);
  }

  clientCertificate(user: string, groups: string[] = []): CertificateAndKey {
    if (!this.ca) throw new TypeError("client certificates need a server started with https: true");
    return this.ca.client(user, groups);
  }

  compact(): void {
    this.store.compact();
  }

  async close(): Promise<void> {
    this.cluster?.stop();
    for (const stop of [...this.watches]) stop();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
      this.server.closeAllConnections?.();
    });
  }
}

/**
 * Write a file only its owner can read (mode 0600), atomically: the text goes to a new file beside
 * it (created exclusively, so nothing already there is opened) and is then renamed over the path.
 * An existing file's mode is not kept, and a symbolic link at the path is replaced, never followed.
 */
async function writePrivateFile(path: string, text: string): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(8).toString("hex")}.tmp`);
  const file = await open(temporary, "wx", 0o600);
  try {
    try {
      await file.chmod(0o600);
      await file.writeFile(text);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
  } catch (e) {
    await unlink(temporary).catch(() => undefined);
    throw e;
  }
}

/**
 * How large a request line and headers may be: Go's `http.DefaultMaxHeaderBytes` (1 MiB), which
 * kube-apiserver keeps, plus the 4 KiB its server reads beyond it. Node's own default is 16 KiB.
 */
const MAX_HEADER_BYTES = 1024 * 1024 + 4096;

/**
 * Answer a request the HTTP parser refused as Go's net/http does: 431 for a request head over the
 * limit, 400 otherwise, as plain text on a connection that is then closed. The connection is
 * half-closed and what the client still sends is read and discarded until it has been quiet for
 * 500 ms (as Go waits), so a slow client reads the answer rather than a reset.
 */
/** Connections already refused: the parser may report the same overflow again as input keeps coming. */
const refused = new WeakSet<Duplex>();

function rejectMalformed(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (refused.has(socket)) return;
  refused.add(socket);
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const status = err.code === "HPE_HEADER_OVERFLOW" ? "431 Request Header Fields Too Large" : "400 Bad Request";
  socket.end(`HTTP/1.1 ${status}\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n${status}`);
  let discarded = 0;
  let heard = false;
  // Timers run before pending reads when the process was descheduled: the quiet time is judged
  // after the reads already waiting (setImmediate), or input still in flight would be reset away.
  const idle = setTimeout(() => {
    heard = false;
    setImmediate(() => (heard ? idle.refresh() : socket.destroy()));
  }, REJECT_LINGER_MS).unref();
  const deadline = setTimeout(() => socket.destroy(), REJECT_LINGER_MAX_MS).unref();
  socket.on("data", (chunk: Buffer) => {
    heard = true;
    discarded += chunk.length;
    if (discarded > REJECT_DISCARD_MAX_BYTES) socket.destroy();
    else idle.refresh();
  });
  socket.once("close", () => {
    clearTimeout(idle);
    clearTimeout(deadline);
  });
  socket.resume();
}

/** How long a refused connection lingers after the client last sent something (Go: 500 ms). */
const REJECT_LINGER_MS = 500;
/** At most this long and this much discarded input, whatever the client keeps sending. */
const REJECT_LINGER_MAX_MS = 10_000;
const REJECT_DISCARD_MAX_BYTES = 16 * 1024 * 1024;

const GZIP_THRESHOLD = 128 * 1024;

/** A `timeout` query parameter (Go duration: `32s`, `1m30s`, `500ms`) in milliseconds. */
function requestTimeoutMs(value: string | null): number | undefined {
  if (!value) return undefined;
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 };
  let total = 0;
  let matched = "";
  for (const m of value.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g)) {
    total += Number(m[1]) * units[m[2]!]!;
    matched += m[0];
  }
  return matched === value && total > 0 ? total : undefined;
}

/** The URL of a request target (origin-form, or absolute-form as proxies send it). */
function requestUrl(target: string | undefined): URL {
  const raw = target ?? "/";
  try {
    return raw.startsWith("/") ? new URL(`http://localhost${raw}`) : new URL(raw);
  } catch {
    return new URL("http://localhost/");
  }
}

function statusBody(code: number, reason: string, message: string): Obj {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code };
}

/**
 * Start a local Kubernetes API server driven by the schemas of one Kubernetes minor.
 *
 * @example
 * import { startTestServer } from "kubezod/testing";
 * const server = await startTestServer({ kubernetesVersion: "1.32" });
 * await server.writeKubeconfig("/tmp/kubeconfig"); // KUBECONFIG=/tmp/kubeconfig kubectl get ns
 * await server.close();
 */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const minor = normalizeKubernetesVersion(options.kubernetesVersion ?? latestKubernetesVersion);
  const catalog = await Catalog.builtin(minor, options.runtimeConfig);
  const [modules, docs] = await Promise.all([loadBuiltinModules(minor), loadDescriptions(minor)]);
  const openapi = new OpenApi(modules, minor, docs);
  const server = new LocalApiServer(minor, catalog, openapi.structNames, options, openapi);
  server.bootstrap();
  await server.listen();
  server.startControllers();
  return server;
}

/**
 * The methods kube-apiserver's endpoint installer routes on each path of a resource (go-restful
 * answers 405 for a method it has no route for, 404 for a path it does not know): a namespaced
 * kind across all namespaces is only listed and watched; a collection takes GET, POST and DELETE;
 * an object GET, PUT, PATCH and DELETE. Subresources are routed by their own handlers.
 */
function checkRoute(info: ResourceRequest, r: ServedResource): void {
  if (info.subresource !== undefined) return;
  if (r.namespaced && info.namespace === undefined) {
    if (info.name !== undefined) throw notFoundPath();
    if (info.verb !== "list" && info.verb !== "watch") throw methodNotAllowed();
    return;
  }
  if (info.name === undefined ? info.verb === "update" || info.verb === "patch" : info.verb === "create") throw methodNotAllowed();
}
