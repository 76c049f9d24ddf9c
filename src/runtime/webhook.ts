/**
 * Admission webhooks for those who write them: a typed AdmissionReview (admission.k8s.io/v1)
 * handler. A validating function says yes or no (with warnings); a mutating function changes the
 * object and the JSON Patch kube-apiserver expects is computed from the change with the patch
 * engine (list items matched by their merge keys). Served over HTTPS by node's own server, or
 * mounted in any node HTTP server as a request listener.
 */
import type { Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type * as z from "zod";
import { UsageError } from "../errors.js";
import { safeParseKube } from "../meta/compile.js";
import type { JsonPatchOperation } from "../patch/json-patch.js";

/** A group/version/kind as AdmissionReview carries it. @example const gvk: AdmissionGroupVersionKind = { group: "apps", version: "v1", kind: "Deployment" }; */
export interface AdmissionGroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** A group/version/resource as AdmissionReview carries it. @example const gvr: AdmissionGroupVersionResource = { group: "apps", version: "v1", resource: "deployments" }; */
export interface AdmissionGroupVersionResource {
  group: string;
  version: string;
  resource: string;
}

/**
 * The request of an AdmissionReview, with `object` and `oldObject` typed by the webhook's schema.
 *
 * @example
 * const user = (request: AdmissionRequest<Pod>) => request.userInfo.username;
 */
export interface AdmissionRequest<T> {
  uid: string;
  kind: AdmissionGroupVersionKind;
  resource: AdmissionGroupVersionResource;
  subResource?: string;
  requestKind?: AdmissionGroupVersionKind;
  requestResource?: AdmissionGroupVersionResource;
  requestSubResource?: string;
  name?: string;
  namespace?: string;
  operation: "CREATE" | "UPDATE" | "DELETE" | "CONNECT";
  userInfo: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> };
  /** The object being admitted (absent for DELETE). */
  object?: T;
  /** The existing object (UPDATE and DELETE). */
  oldObject?: T;
  dryRun?: boolean;
  /** The operation's options (CreateOptions, UpdateOptions, DeleteOptions). */
  options?: Record<string, unknown>;
  /** Where `object` or `oldObject` did not match the schema (they are then passed as received). */
  schemaIssues?: string[];
}

/**
 * A verdict: allowed or not, with an optional message, HTTP code and warnings.
 *
 * @example
 * const verdict: AdmissionVerdict = { allowed: false, message: "image tags must be pinned", code: 403 };
 */
export interface AdmissionVerdict {
  allowed: boolean;
  /** Why (shown to the user when denied). */
  message?: string;
  /** The HTTP status the user sees when denied (default 403). */
  code?: number;
  /** The Status reason when denied. */
  reason?: string;
  /** Warnings returned to the client (kubectl prints them). */
  warnings?: string[];
  /** Audit annotations (keys without a prefix; the apiserver prefixes the webhook's name). */
  auditAnnotations?: Record<string, string>;
}

/** The response of an AdmissionReview. @example review.response.allowed; */
export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: { code?: number; message?: string; reason?: string; status?: "Failure" | "Success" };
  patchType?: "JSONPatch";
  /** The JSON Patch, base64-encoded. */
  patch?: string;
  warnings?: string[];
  auditAnnotations?: Record<string, string>;
}

/** An AdmissionReview answer. @example const review: AdmissionReviewResponse = await webhook.review(body, "mutate"); */
export interface AdmissionReviewResponse {
  apiVersion: "admission.k8s.io/v1";
  kind: "AdmissionReview";
  response: AdmissionResponse;
}

/**
 * A webhook's behaviour. `mutate` returns the changed object (or changes the given copy in place
 * and returns nothing); `validate` returns a verdict, `true`/`false`, or a denial message string.
 *
 * @example
 * const options: AdmissionWebhookOptions<typeof Pod> = {
 *   schema: Pod,
 *   mutate: (pod) => { pod.metadata!.labels = { ...pod.metadata?.labels, injected: "true" }; },
 *   validate: (request) => (request.object?.spec?.containers.every((c) => c.image?.includes("@sha256:")) ? true : "images must be pinned by digest"),
 * };
 */
export interface AdmissionWebhookOptions<S extends z.ZodType> {
  /** The schema of the admitted objects (types `object` and `oldObject`). */
  schema: S;
  mutate?: (object: z.output<S>, request: AdmissionRequest<z.output<S>>) => z.output<S> | void | Promise<z.output<S> | void>;
  validate?: (request: AdmissionRequest<z.output<S>>) => AdmissionVerdict | boolean | string | Promise<AdmissionVerdict | boolean | string>;
  /** Paths the server answers (defaults `/mutate` and `/validate`). */
  paths?: { mutate?: string; validate?: string };
  /** Largest accepted request body (default 3 MiB, as the apiserver's own limit). */
  maxBodyBytes?: number;
  /** Called when a handler throws (the review is answered with a 500 denial). */
  onError?: (error: unknown) => void;
}

/**
 * HTTPS settings of `listen()`.
 *
 * @example
 * await webhook.listen({ port: 8443, cert: readFileSync("tls.crt"), key: readFileSync("tls.key") });
 */
export interface WebhookListenOptions {
  cert: string | Buffer;
  key: string | Buffer;
  /** Port (default 0: a free port). */
  port?: number;
  /** Address (default 0.0.0.0). */
  host?: string;
  /**
   * How long a client may take to complete its TLS handshake, its headers and its whole request,
   * and how long a connection may stay silent both ways — a handler that never answers included
   * (default 30 000 ms: kube-apiserver waits at most 30 s for a webhook). A client that stalls
   * (slowloris) is cut off after it.
   */
  requestTimeoutMs?: number;
  /** Connections held at once; more are refused (default 1024). Memory is bounded by this × `maxBodyBytes`. */
  maxConnections?: number;
}

/** A running webhook server. @example const { url } = await webhook.listen(tls); */
export interface WebhookServer {
  /** `https://host:port`. */
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

/** An admission webhook: `review()` answers one AdmissionReview; `listener` and `listen()` serve it over HTTP(S). @example const webhook: AdmissionWebhook = admissionWebhook({ schema: Pod, validate: () => true }); */
export interface AdmissionWebhook {
  /** Answer an AdmissionReview request body as the mutating (`mutate`) or validating (`validate`) webhook. */
  review(body: unknown, as: "mutate" | "validate"): Promise<AdmissionReviewResponse>;
  /** A request listener for node's http/https servers (routes by the paths). */
  readonly listener: (req: IncomingMessage, res: ServerResponse) => void;
  /** Serve over HTTPS. */
  listen(options: WebhookListenOptions): Promise<WebhookServer>;
}

class ReviewError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A handler's verdict read as kube-apiserver will read it; what it cannot decode is a failure of the webhook, said in words. */
function verdictOf(v: unknown): AdmissionVerdict {
  if (typeof v === "boolean") return { allowed: v };
  if (typeof v === "string") return { allowed: false, message: v };
  if (!isRecord(v)) throw new Error(`validate returned ${describeValue(v)}; expected true, false, a denial message or { allowed, … }`);
  if (typeof v.allowed !== "boolean") throw new Error(`validate returned a verdict whose allowed is ${describeValue(v.allowed)}, not a boolean`);
  for (const field of ["message", "reason"] as const) {
    if (v[field] !== undefined && typeof v[field] !== "string") throw new Error(`validate returned a verdict whose ${field} is ${describeValue(v[field])}, not a string`);
  }
  if (v.code !== undefined && !(Number.isInteger(v.code) && (v.code as number) >= 0 && (v.code as number) <= 2 ** 31 - 1)) throw new Error(`validate returned a verdict whose code is ${describeValue(v.code)}, not an HTTP status`);
  if (v.warnings !== undefined && !(Array.isArray(v.warnings) && v.warnings.every((w) => typeof w === "string"))) throw new Error("validate returned warnings that are not a list of strings");
  if (v.auditAnnotations !== undefined && !(isRecord(v.auditAnnotations) && Object.values(v.auditAnnotations).every((a) => typeof a === "string"))) {
    throw new Error("validate returned auditAnnotations that are not a map of strings");
  }
  return v as unknown as AdmissionVerdict;
}

function describeValue(v: unknown): string {
  if (v === null || v === undefined || typeof v === "boolean" || typeof v === "number") return String(v);
  if (typeof v === "string") return "a string";
  return Array.isArray(v) ? "an array" : `a ${typeof v}`;
}

/** kube-apiserver's (Go's JSON decoder's) nesting limit: no AdmissionReview it sends is deeper. */
const MAX_NESTING = 10_000;

/** Whether a JSON text opens more than `max` levels of objects and arrays (strings skipped; no recursion). */
function nestedDeeperThan(body: Buffer, max: number): boolean {
  let level = 0;
  let quoted = false;
  for (let i = 0; i < body.length; i++) {
    const b = body[i]!;
    if (quoted) {
      if (b === 0x5c) i++;
      else if (b === 0x22) quoted = false;
    } else if (b === 0x22) quoted = true;
    else if (b === 0x7b || b === 0x5b) {
      if (++level > max) return true;
    } else if (b === 0x7d || b === 0x5d) level--;
  }
  return false;
}

/** What a failed handler's denial says: its message, or plain words for a stack exhausted by a deep object. */
function failureMessage(err: unknown): string {
  if (err instanceof RangeError && /call stack/i.test(err.message)) return "the webhook failed: the object is nested too deeply to process";
  return `the webhook failed: ${err instanceof Error ? err.message : String(err)}`;
}

/**
 * Make an admission webhook.
 *
 * @example
 * const webhook = admissionWebhook({
 *   schema: Deployment,
 *   mutate: (d) => { d.spec!.revisionHistoryLimit ??= 3; },
 *   validate: ({ object }) => (object?.spec?.replicas ?? 1) <= 50 || "at most 50 replicas",
 * });
 * const server = await webhook.listen({ port: 8443, cert, key });   // POST /mutate, POST /validate
 */
export function admissionWebhook<S extends z.ZodType>(options: AdmissionWebhookOptions<S>): AdmissionWebhook {
  if (!options.mutate && !options.validate) throw new UsageError("an admission webhook needs mutate, validate or both");
  const paths = { mutate: options.paths?.mutate ?? "/mutate", validate: options.paths?.validate ?? "/validate" };
  const maxBody = options.maxBodyBytes ?? 3 * 1024 * 1024;

  const typed = (value: unknown, issues: string[], field: string): z.output<S> | undefined => {
    if (value === undefined || value === null) return undefined;
    const r = safeParseKube(options.schema, value);
    if (r.success) return r.data as z.output<S>;
    for (const i of r.error.issues.slice(0, 5)) issues.push(`${field}.${i.path.join(".")}: ${i.message}`);
    return value as z.output<S>;
  };

  const review = async (body: unknown, as: "mutate" | "validate"): Promise<AdmissionReviewResponse> => {
    if (!isRecord(body) || body.kind !== "AdmissionReview" || !isRecord(body.request)) throw new ReviewError("expected an AdmissionReview with a request", 400);
    if (body.apiVersion !== "admission.k8s.io/v1") throw new ReviewError(`expected admission.k8s.io/v1, got ${String(body.apiVersion)}`, 400);
    const raw = body.request;
    if (typeof raw.uid !== "string" || !raw.uid) throw new ReviewError("the AdmissionReview request has no uid", 400);
    for (const field of ["object", "oldObject"] as const) {
      const v = raw[field];
      if (v !== undefined && v !== null && !isRecord(v)) throw new ReviewError(`the AdmissionReview request's ${field} is not an object`, 400);
    }
    const issues: string[] = [];
    const request = { ...raw, object: typed(raw.object, issues, "object"), oldObject: typed(raw.oldObject, issues, "oldObject") } as AdmissionRequest<z.output<S>>;
    if (issues.length) request.schemaIssues = issues;
    else delete request.schemaIssues;
    if (request.object === undefined) delete request.object;
    if (request.oldObject === undefined) delete request.oldObject;
    const response: AdmissionResponse = { uid: raw.uid, allowed: true };
    try {
      if (as === "mutate") {
        if (options.mutate && request.object !== undefined) {
          const copy = structuredClone(request.object);
          const returned: unknown = await options.mutate(copy, request);
          if (returned !== undefined && !isRecord(returned)) throw new Error(`mutate returned ${describeValue(returned)}; expected the changed object or nothing`);
          const changed = returned === undefined ? copy : returned;
          // Loaded on first use, as the client loads the patch engine.
          const { jsonPatchDiff } = await import("../patch/json-diff.js");
          const ops: JsonPatchOperation[] = jsonPatchDiff(request.object, changed, { schema: options.schema });
          if (ops.length) {
            response.patchType = "JSONPatch";
            response.patch = Buffer.from(JSON.stringify(ops)).toString("base64");
          }
        }
      } else if (options.validate) {
        const verdict = verdictOf(await options.validate(request) as unknown);
        response.allowed = verdict.allowed;
        if (!verdict.allowed) {
          response.status = { status: "Failure", code: verdict.code ?? 403, ...(verdict.message ? { message: verdict.message } : {}), ...(verdict.reason ? { reason: verdict.reason } : {}) };
        }
        if (verdict.warnings?.length) response.warnings = verdict.warnings;
        if (verdict.auditAnnotations) response.auditAnnotations = verdict.auditAnnotations;
      }
    } catch (err) {
      try {
        options.onError?.(err);
      } catch {
        // ignore
      }
      return {
        apiVersion: "admission.k8s.io/v1",
        kind: "AdmissionReview",
        response: { uid: raw.uid, allowed: false, status: { status: "Failure", code: 500, message: failureMessage(err) } },
      };
    }
    return { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", response };
  };

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? "/").split("?")[0];
    const as = path === paths.mutate ? "mutate" : path === paths.validate ? "validate" : undefined;
    let answered = false;
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      if (answered || res.headersSent || res.destroyed) return;
      answered = true;
      const text = JSON.stringify(body);
      res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text), ...headers });
      res.end(text);
    };
    /** Refuse the rest of the request: answer, then close the connection once the answer is out (the body is not read). */
    const refuse = (status: number, message: string, headers: Record<string, string> = {}): void => {
      answer(status, { message }, { Connection: "close", ...headers });
      res.once("finish", () => req.destroy());
      req.pause();
    };
    req.on("error", () => undefined);
    if (!as) return answer(404, { message: `no webhook at ${path} (served: ${paths.mutate}, ${paths.validate})` });
    if (req.method !== "POST") return refuse(405, "admission reviews are POSTed", { Allow: "POST" });
    // kube-apiserver sends application/json; an absent type is taken as JSON, another one is refused.
    const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
    if (type && type !== "application/json") return refuse(415, `admission reviews are application/json, not ${type.slice(0, 100)}`);
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > maxBody) return refuse(413, `the request body is larger than ${maxBody} bytes`);
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on("data", (c: Buffer) => {
      if (refused) return;
      size += c.length;
      if (size > maxBody) {
        refused = true;
        chunks.length = 0;
        refuse(413, `the request body is larger than ${maxBody} bytes`);
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => {
      if (refused) return;
      const text = Buffer.concat(chunks);
      if (nestedDeeperThan(text, MAX_NESTING)) return answer(400, { message: `the request body nests deeper than ${MAX_NESTING} levels` });
      let body: unknown;
      try {
        body = JSON.parse(text.toString("utf8"));
      } catch (err) {
        return answer(400, { message: `the request body is not JSON: ${(err as Error).message}` });
      }
      review(body, as).then(
        (r) => answer(200, r),
        (err: unknown) => answer(err instanceof ReviewError ? err.code : 500, { message: err instanceof Error ? err.message : String(err) }),
      );
    });
  };

  return {
    review,
    listener,
    async listen(tls: WebhookListenOptions): Promise<WebhookServer> {
      const { createServer } = await import("node:https");
      const timeout = tls.requestTimeoutMs ?? 30_000;
      if (!(timeout > 0)) throw new UsageError("requestTimeoutMs must be positive");
      const server = createServer({ cert: tls.cert, key: tls.key, handshakeTimeout: timeout, requestTimeout: timeout, headersTimeout: timeout, connectionsCheckingInterval: Math.min(1000, timeout) }, listener);
      server.maxConnections = tls.maxConnections ?? 1024;
      // A connection silent both ways that long is closed: an idle keep-alive one, or one whose
      // handler never answers (kube-apiserver has given up on it by then), so it frees its place.
      server.setTimeout(timeout);
      // A client that breaks off its handshake or sends garbage is dropped; the server stays up.
      server.on("tlsClientError", (_err, socket) => socket.destroy());
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(tls.port ?? 0, tls.host ?? "0.0.0.0", () => resolve());
      });
      const { port, address } = server.address() as AddressInfo;
      const host = tls.host && tls.host !== "0.0.0.0" ? tls.host : address === "0.0.0.0" || address === "::" ? "127.0.0.1" : address;
      return {
        url: `https://${host.includes(":") ? `[${host}]` : host}:${port}`,
        server,
        close: () =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      };
    },
  };
}
