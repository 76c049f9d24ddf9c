/**
 * Admission webhooks served over HTTPS by node's own server, called with AdmissionReview requests
 * shaped as kube-apiserver sends them (admission.k8s.io/v1: uid, kind, resource, requestKind,
 * requestResource, name, namespace, operation, userInfo, object, oldObject (null on CREATE), dryRun,
 * options), checking the answers kube-apiserver accepts: the uid echoed, a JSON Patch (base64,
 * patchType JSONPatch) that turns the object into the mutated one, denials with a Status.
 */
import { request } from "node:https";
import { connect as tcpConnect, type Socket } from "node:net";
import { connect as tlsConnect, type TLSSocket } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Pod } from "kubezod/k8s";
import { admissionWebhook, applyJsonPatch, type AdmissionReviewResponse, type WebhookServer } from "../../src/index.js";
import { CertificateAuthority } from "../../src/testing/certificates.js";

const ca = new CertificateAuthority("webhook-ca");
const tls = ca.serving(["localhost"], ["127.0.0.1"]);

const pod = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "web", namespace: "shop", labels: { app: "web" }, creationTimestamp: null },
  spec: {
    containers: [
      { name: "app", image: "nginx:1.27", resources: {}, terminationMessagePath: "/dev/termination-log", terminationMessagePolicy: "File", imagePullPolicy: "IfNotPresent" },
      { name: "sidecar", image: "busybox@sha256:0000000000000000000000000000000000000000000000000000000000000000", resources: {}, terminationMessagePath: "/dev/termination-log", terminationMessagePolicy: "File", imagePullPolicy: "IfNotPresent" },
    ],
    restartPolicy: "Always",
    terminationGracePeriodSeconds: 30,
    dnsPolicy: "ClusterFirst",
    securityContext: {},
    schedulerName: "default-scheduler",
    enableServiceLinks: true,
    preemptionPolicy: "PreemptLowerPriority",
    priority: 0,
  },
  status: {},
};

/** An AdmissionReview as kube-apiserver's webhook dispatcher builds it for a CREATE. */
function review(uid: string, object: unknown, operation: "CREATE" | "UPDATE" | "DELETE" = "CREATE", oldObject: unknown = null): Record<string, unknown> {
  return {
    kind: "AdmissionReview",
    apiVersion: "admission.k8s.io/v1",
    request: {
      uid,
      kind: { group: "", version: "v1", kind: "Pod" },
      resource: { group: "", version: "v1", resource: "pods" },
      requestKind: { group: "", version: "v1", kind: "Pod" },
      requestResource: { group: "", version: "v1", resource: "pods" },
      name: "web",
      namespace: "shop",
      operation,
      userInfo: { username: "kubernetes-admin", groups: ["system:masters", "system:authenticated"], extra: {} },
      object,
      oldObject,
      dryRun: false,
      options: { kind: operation === "DELETE" ? "DeleteOptions" : "CreateOptions", apiVersion: "meta.k8s.io/v1", fieldManager: "kubectl-client-side-apply", fieldValidation: "Strict" },
    },
  };
}

function post(url: string, path: string, body: unknown, method = "POST"): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const u = new URL(path, url);
    const text = typeof body === "string" ? body : JSON.stringify(body);
    const req = request({ hostname: u.hostname, port: u.port, path: u.pathname, method, ca: ca.cert, headers: { "Content-Type": "application/json", Accept: "application/json, */*" } }, (res) => {
      let data = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (data += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: data ? (JSON.parse(data) as Record<string, unknown>) : {} }));
    });
    req.on("error", reject);
    req.end(method === "POST" ? text : undefined);
  });
}

const seen: string[] = [];
const webhook = admissionWebhook({
  schema: Pod,
  mutate: (p, req) => {
    seen.push(`${req.operation} ${req.userInfo.username}`);
    if (p.metadata?.labels?.explode) throw new Error("boom");
    p.metadata!.labels = { ...p.metadata!.labels, injected: "true" };
    // Change the second container by its merge key: the patch addresses it by index.
    const sidecar = p.spec!.containers.find((c) => c.name === "sidecar")!;
    sidecar.env = [{ name: "MODE", value: "sidecar" }];
  },
  validate: ({ object, operation }) => {
    if (operation === "DELETE") return true;
    const unpinned = object?.spec?.containers.filter((c) => !c.image?.includes("@sha256:")).map((c) => c.name) ?? [];
    return unpinned.length ? { allowed: false, message: `images must be pinned by digest: ${unpinned.join(", ")}`, warnings: ["pin your images"] } : true;
  },
});
let served: WebhookServer;
beforeAll(async () => {
  served = await webhook.listen({ cert: tls.cert, key: tls.key, host: "127.0.0.1" });
});
afterAll(async () => {
  await served?.close();
});

describe("admissionWebhook over HTTPS", () => {
  it("mutates: answers with the uid and a base64 JSON Patch that turns the object into the changed one", async () => {
    const res = await post(served.url, "/mutate", review("705ab4f5-6393-11e8-b7cc-42010a800002", pod));
    expect(res.status).toBe(200);
    const answer = res.body as unknown as AdmissionReviewResponse;
    expect(answer.apiVersion).toBe("admission.k8s.io/v1");
    expect(answer.kind).toBe("AdmissionReview");
    expect(answer.response.uid).toBe("705ab4f5-6393-11e8-b7cc-42010a800002");
    expect(answer.response.allowed).toBe(true);
    expect(answer.response.patchType).toBe("JSONPatch");
    const ops = JSON.parse(Buffer.from(answer.response.patch!, "base64").toString("utf8")) as Array<{ op: string; path: string }>;
    expect(ops.map((o) => `${o.op} ${o.path}`).sort()).toEqual(["add /metadata/labels/injected", "add /spec/containers/1/env"]);
    const patched = applyJsonPatch(structuredClone(pod), ops as never) as typeof pod & { spec: { containers: Array<{ env?: unknown }> } };
    expect(patched.metadata.labels).toEqual({ app: "web", injected: "true" });
    expect(patched.spec.containers[1]!.env).toEqual([{ name: "MODE", value: "sidecar" }]);
    expect(seen).toContain("CREATE kubernetes-admin");
  });

  it("mutates nothing: no patch at all", async () => {
    const done = structuredClone(pod);
    done.metadata.labels = { app: "web", injected: "true" } as typeof pod.metadata.labels;
    (done.spec.containers[1] as Record<string, unknown>).env = [{ name: "MODE", value: "sidecar" }];
    const res = await post(served.url, "/mutate", review("u-2", done));
    const answer = res.body as unknown as AdmissionReviewResponse;
    expect(answer.response).toEqual({ uid: "u-2", allowed: true });
  });

  it("validates: denies with a Status (code, message) and warnings; allows otherwise", async () => {
    const denied = (await post(served.url, "/validate", review("u-3", pod))).body as unknown as AdmissionReviewResponse;
    expect(denied.response).toEqual({
      uid: "u-3",
      allowed: false,
      status: { status: "Failure", code: 403, message: "images must be pinned by digest: app" },
      warnings: ["pin your images"],
    });
    const pinned = structuredClone(pod);
    pinned.spec.containers[0]!.image = "nginx@sha256:1111111111111111111111111111111111111111111111111111111111111111";
    const allowed = (await post(served.url, "/validate", review("u-4", pinned, "UPDATE", pod))).body as unknown as AdmissionReviewResponse;
    expect(allowed.response).toEqual({ uid: "u-4", allowed: true });
    const deleting = (await post(served.url, "/validate", review("u-5", null, "DELETE", pod))).body as unknown as AdmissionReviewResponse;
    expect(deleting.response.allowed).toBe(true);
  });

  it("a failing handler denies with 500; bad requests get 400, 404, 405 and 413", async () => {
    const exploding = structuredClone(pod);
    exploding.metadata.labels = { app: "web", explode: "yes" } as typeof pod.metadata.labels;
    const failed = (await post(served.url, "/mutate", review("u-6", exploding))).body as unknown as AdmissionReviewResponse;
    expect(failed.response).toMatchObject({ uid: "u-6", allowed: false, status: { code: 500, message: "the webhook failed: boom" } });
    expect((await post(served.url, "/mutate", { kind: "Pod" })).status).toBe(400);
    expect((await post(served.url, "/mutate", { ...review("u-7", pod), apiVersion: "admission.k8s.io/v1beta1" })).status).toBe(400);
    expect((await post(served.url, "/mutate", "{not json")).status).toBe(400);
    expect((await post(served.url, "/elsewhere", review("u-8", pod))).status).toBe(404);
    expect((await post(served.url, "/mutate", undefined, "GET")).status).toBe(405);
    const small = admissionWebhook({ schema: Pod, validate: () => true, maxBodyBytes: 100 });
    const smallServer = await small.listen({ cert: tls.cert, key: tls.key, host: "127.0.0.1" });
    expect((await post(smallServer.url, "/validate", review("u-9", pod))).status).toBe(413);
    await smallServer.close();
  });

  it("review() answers without a server, and reports objects that do not match the schema", async () => {
    const issues: string[][] = [];
    const w = admissionWebhook({ schema: Pod, validate: (r) => (issues.push(r.schemaIssues ?? []), true) });
    const broken = { ...pod, spec: { containers: "not a list" } };
    const answer = await w.review(review("u-10", broken), "validate");
    expect(answer.response).toEqual({ uid: "u-10", allowed: true });
    expect(issues[0]!.some((i) => i.startsWith("object.spec.containers"))).toBe(true);
  });

  it("hostile clients get a clean 4xx: wrong content type, a GET, an over-long chunked body, a request object that is not an object, nesting past kube-apiserver's 10,000 levels", async () => {
    const send = (path: string, body: string | undefined, headers: Record<string, string>, method = "POST") =>
      new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
        const u = new URL(path, served.url);
        const req = request({ hostname: u.hostname, port: u.port, path: u.pathname, method, ca: ca.cert, headers }, (res) => {
          let data = "";
          res.setEncoding("utf8");
          res.on("data", (c: string) => (data += c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: data }));
        });
        req.on("error", reject);
        if (body === undefined) req.end();
        else {
          // Chunked: no Content-Length, the size is only known while reading.
          for (let i = 0; i < body.length; i += 65536) req.write(body.slice(i, i + 65536));
          req.end();
        }
      });
    const ok = JSON.stringify(review("h-1", pod));
    const typed = await send("/validate", ok, { "Content-Type": "text/plain" });
    expect(typed.status).toBe(415);
    expect(JSON.parse(typed.body)).toEqual({ message: "admission reviews are application/json, not text/plain" });
    expect((await send("/validate", ok, { "Content-Type": "application/json; charset=utf-8" })).status).toBe(200);
    expect((await send("/validate", ok, {})).status).toBe(200);
    const get = await send("/validate", undefined, {}, "GET");
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe("POST");
    const small = admissionWebhook({ schema: Pod, validate: () => true, maxBodyBytes: 1000 });
    const smallServer = await small.listen({ cert: tls.cert, key: tls.key, host: "127.0.0.1" });
    const u = new URL("/validate", smallServer.url);
    const chunked = await new Promise<number>((resolve) => {
      const req = request({ hostname: u.hostname, port: u.port, path: u.pathname, method: "POST", ca: ca.cert, headers: { "Content-Type": "application/json" } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", () => resolve(-1));
      req.write(" ".repeat(600));
      req.write(" ".repeat(600));
    });
    expect(chunked).toBe(413);
    await smallServer.close();
    const noUid = review("", pod);
    const missing = await send("/validate", JSON.stringify(noUid), { "Content-Type": "application/json" });
    expect(missing.status).toBe(400);
    expect(JSON.parse(missing.body)).toEqual({ message: "the AdmissionReview request has no uid" });
    for (const body of [{ ...noUid, kind: "ConversionReview" }, { ...noUid, request: [] }, [], null, 7]) {
      expect((await send("/validate", JSON.stringify(body), { "Content-Type": "application/json" })).status).toBe(400);
    }
    const notObject = await send("/validate", JSON.stringify(review("h-2", "a pod")), { "Content-Type": "application/json" });
    expect(notObject.status).toBe(400);
    expect(JSON.parse(notObject.body)).toEqual({ message: "the AdmissionReview request's object is not an object" });
    const nested = (depth: number) => JSON.stringify(review("h-3", { ...pod, x: 0 })).replace('"x":0', `"x":${"[".repeat(depth)}${"]".repeat(depth)}`);
    const tooDeep = await send("/validate", nested(10_001), { "Content-Type": "application/json" });
    expect(tooDeep.status).toBe(400);
    expect(JSON.parse(tooDeep.body)).toEqual({ message: "the request body nests deeper than 10000 levels" });
    // Within the limit: answered as a review (allowed, or a 500 denial in plain words), never a crash.
    const deep = await send("/mutate", nested(9_990), { "Content-Type": "application/json" });
    expect(deep.status).toBe(200);
    const answer = JSON.parse(deep.body) as AdmissionReviewResponse;
    expect(answer.response.uid).toBe("h-3");
    if (!answer.response.allowed) expect(answer.response.status?.message).toBe("the webhook failed: the object is nested too deeply to process");
  });

  it("handlers that return what kube-apiserver cannot decode deny with 500 saying what was wrong", async () => {
    const answers: Array<[unknown, string]> = [
      [null, "validate returned null; expected true, false, a denial message or { allowed, … }"],
      [42, "validate returned 42; expected true, false, a denial message or { allowed, … }"],
      [{ allowed: "yes" }, "validate returned a verdict whose allowed is a string, not a boolean"],
      [{ allowed: false, code: 4.5 }, "validate returned a verdict whose code is 4.5, not an HTTP status"],
      [{ allowed: true, warnings: "careful" }, "validate returned warnings that are not a list of strings"],
      [{ allowed: true, auditAnnotations: { a: 1 } }, "validate returned auditAnnotations that are not a map of strings"],
    ];
    for (const [verdict, message] of answers) {
      const w = admissionWebhook({ schema: Pod, validate: () => verdict as never });
      const r = await w.review(review("v-1", pod), "validate");
      expect(r.response).toEqual({ uid: "v-1", allowed: false, status: { status: "Failure", code: 500, message: `the webhook failed: ${message}` } });
    }
    const m = admissionWebhook({ schema: Pod, mutate: () => "not a pod" as never });
    expect((await m.review(review("m-1", pod), "mutate")).response.status?.message).toBe("the webhook failed: mutate returned a string; expected the changed object or nothing");
  });

  it("slowloris: a client that stalls in its handshake, its headers or its body is cut off after requestTimeoutMs; connections past maxConnections are refused; the server keeps answering", async () => {
    const guarded = await webhook.listen({ cert: tls.cert, key: tls.key, host: "127.0.0.1", requestTimeoutMs: 300, maxConnections: 6 });
    const port = Number(new URL(guarded.url).port);
    // Read what comes (the end of the stream included), so a close by the server is seen.
    const closed = (socket: Socket) => new Promise<void>((resolve) => socket.resume().once("close", () => resolve()));
    const tlsSocket = () =>
      new Promise<TLSSocket>((resolve, reject) => {
        const s = tlsConnect({ host: "127.0.0.1", port, ca: ca.cert, servername: "localhost" }, () => resolve(s));
        s.on("error", reject);
      });
    // No handshake at all (plain TCP, silent).
    const silent = tcpConnect(port, "127.0.0.1");
    silent.on("error", () => undefined);
    // Headers begun, never finished.
    const headers = await tlsSocket();
    headers.on("error", () => undefined);
    headers.write("POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n");
    // Headers sent, the body promised and stalled.
    const body = await tlsSocket();
    body.on("error", () => undefined);
    let bodyAnswer = "";
    body.on("data", (c: Buffer) => (bodyAnswer += c.toString()));
    body.write("POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"kind\":");
    await Promise.all([closed(silent), closed(headers), closed(body)]);
    expect(bodyAnswer === "" || bodyAnswer.startsWith("HTTP/1.1 408")).toBe(true);
    // Still up: many concurrent reviews are all answered.
    const answers = await Promise.all(Array.from({ length: 5 }, (_, i) => post(guarded.url, "/validate", review(`c-${i}`, pod))));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    await guarded.close();
    // A handler that never answers: its connection is closed after requestTimeoutMs of silence, the rest goes on.
    const hanging = admissionWebhook({ schema: Pod, validate: (r) => (r.uid === "hang" ? new Promise<boolean>(() => undefined) : true) });
    const hangServer = await hanging.listen({ cert: tls.cert, key: tls.key, host: "127.0.0.1", requestTimeoutMs: 300 });
    const hung = await post(hangServer.url, "/validate", review("hang", pod)).then(
      () => "answered",
      (e: Error) => e.message,
    );
    expect(hung).toMatch(/socket hang up|ECONNRESET/);
    expect((await post(hangServer.url, "/validate", review("fine", pod))).status).toBe(200);
    await hangServer.close();
    // Many at once: past maxConnections the server closes new connections (the timeouts are far off here).
    const crowded = await webhook.listen({ cert: tls.cert, key: tls.key, host: "127.0.0.1", requestTimeoutMs: 60_000, maxConnections: 3 });
    const crowdPort = Number(new URL(crowded.url).port);
    const crowd = await Promise.all(
      Array.from({ length: 3 }, () => new Promise<TLSSocket>((resolve) => { const s = tlsConnect({ host: "127.0.0.1", port: crowdPort, ca: ca.cert, servername: "localhost" }, () => resolve(s)); })),
    );
    const extra = tcpConnect(crowdPort, "127.0.0.1");
    extra.on("error", () => undefined);
    await closed(extra);
    for (const c of crowd) c.destroy();
    await new Promise((r) => setTimeout(r, 50));
    expect((await post(crowded.url, "/validate", review("after", pod))).status).toBe(200);
    await crowded.close();
  });
});
