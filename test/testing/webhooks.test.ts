/**
 * Admission webhooks called by the local API server: a real HTTPS webhook server started here,
 * with its own CA, reached by URL and through a mapped Service.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CertificateAuthority } from "../../src/testing/certificates.js";
import { callWebhook } from "../../src/testing/webhooks.js";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { client, execWs, type Client } from "./helpers.js";

type Review = { request: any };
type Answer = { allowed?: boolean; status?: unknown; patch?: unknown[]; warnings?: string[]; delayMs?: number };

const ca = new CertificateAuthority("webhook-ca");
const caBundle = Buffer.from(ca.cert).toString("base64");
const received: Record<string, Review[]> = {};
let handlers: Record<string, (r: Review) => Answer> = {};
let hookServer: https.Server;
let hookBase: string;
let server: TestServer;
let api: Client;

function answer(review: Review, a: Answer): unknown {
  return {
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    response: {
      uid: review.request.uid,
      allowed: a.allowed ?? true,
      ...(a.status ? { status: a.status } : {}),
      ...(a.patch ? { patchType: "JSONPatch", patch: Buffer.from(JSON.stringify(a.patch)).toString("base64") } : {}),
      ...(a.warnings ? { warnings: a.warnings } : {}),
    },
  };
}

beforeAll(async () => {
  const { cert, key } = ca.serving(["localhost", "policy.hooks.svc"], ["127.0.0.1"]);
  hookServer = https.createServer({ cert, key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const review = JSON.parse(Buffer.concat(chunks).toString()) as Review;
      const path = new URL(req.url!, "https://x").pathname;
      (received[path] ??= []).push(review);
      const a = handlers[path]?.(review) ?? {};
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(answer(review, a)));
      };
      if (a.delayMs) setTimeout(send, a.delayMs).unref();
      else send();
    });
  });
  await new Promise<void>((resolve) => hookServer.listen(0, "127.0.0.1", resolve));
  hookBase = `https://127.0.0.1:${(hookServer.address() as AddressInfo).port}`;
  server = await startTestServer({ kubernetesVersion: "1.33", controllers: false, webhookServices: { "hooks/policy": hookBase } });
  api = client(server);
  await api.post("/api/v1/namespaces", { metadata: { name: "team", labels: { admission: "on" } } });
});

afterAll(async () => {
  await api?.close();
  await server?.close();
  hookServer?.closeAllConnections();
  await new Promise((r) => hookServer?.close(r));
});

const configs: string[] = [];
afterEach(async () => {
  for (const path of configs.splice(0)) await api.del(path);
  handlers = {};
  for (const k of Object.keys(received)) delete received[k];
});

async function webhook(kind: "Validating" | "Mutating", name: string, hooks: Array<Record<string, unknown>>): Promise<void> {
  const plural = `${kind.toLowerCase()}webhookconfigurations`;
  const body = {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: `${kind}WebhookConfiguration`,
    metadata: { name },
    webhooks: hooks.map((h) => ({
      admissionReviewVersions: ["v1"],
      sideEffects: "None",
      rules: [{ apiGroups: [""], apiVersions: ["v1"], resources: ["configmaps"], operations: ["CREATE", "UPDATE"] }],
      ...h,
      clientConfig: { caBundle, ...(h.clientConfig as object) },
    })),
  };
  const r = await api.post(`/apis/admissionregistration.k8s.io/v1/${plural}`, body);
  expect(r.status, r.text).toBe(201);
  configs.push(`/apis/admissionregistration.k8s.io/v1/${plural}/${name}`);
}

const url = (path: string) => ({ clientConfig: { url: `${hookBase}${path}` } });
const configMap = (name: string, labels: Record<string, string> = {}) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, labels }, data: { a: "1" } });

describe("admission webhooks in the local API server", () => {
  it("sends an AdmissionReview v1 and lets an allowed request through", async () => {
    handlers["/allow"] = () => ({ allowed: true });
    await webhook("Validating", "allow", [{ name: "allow.example.com", ...url("/allow") }]);
    const r = await api.post("/api/v1/namespaces/team/configmaps?fieldManager=tester", configMap("ok"));
    expect(r.status).toBe(201);
    const req = received["/allow"]![0]!.request;
    expect(req).toMatchObject({
      kind: { group: "", version: "v1", kind: "ConfigMap" },
      resource: { group: "", version: "v1", resource: "configmaps" },
      requestKind: { group: "", version: "v1", kind: "ConfigMap" },
      name: "ok",
      namespace: "team",
      operation: "CREATE",
      userInfo: { username: "kubernetes-admin", groups: ["system:masters", "system:authenticated"] },
      dryRun: false,
      options: { kind: "CreateOptions", apiVersion: "meta.k8s.io/v1", fieldManager: "tester" },
      object: { metadata: { name: "ok", namespace: "team" }, data: { a: "1" } },
      oldObject: null,
    });
    expect(req.uid).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("refuses with the webhook's message and code", async () => {
    handlers["/deny"] = () => ({ allowed: false, status: { code: 403, reason: "Forbidden", message: "configmaps need an owner" } });
    await webhook("Validating", "deny", [{ name: "deny.example.com", ...url("/deny") }]);
    const r = await api.post("/api/v1/namespaces/team/configmaps", configMap("refused"));
    expect(r.status).toBe(403);
    expect(r.json).toMatchObject({ kind: "Status", status: "Failure", reason: "Forbidden", code: 403, message: 'admission webhook "deny.example.com" denied the request: configmaps need an owner' });
    expect((await api.get("/api/v1/namespaces/team/configmaps/refused")).status).toBe(404);
    // Without a code (or one under 400) the refusal is a 400; without a message, "without explanation".
    handlers["/deny"] = () => ({ allowed: false });
    const bare = await api.post("/api/v1/namespaces/team/configmaps", configMap("refused"));
    expect(bare.status).toBe(400);
    expect(bare.json.message).toBe('admission webhook "deny.example.com" denied the request without explanation');
  });

  it("applies a mutating webhook's JSON patch before validation, and validating webhooks see the result", async () => {
    handlers["/label"] = () => ({ patch: [{ op: "add", path: "/metadata/labels/injected", value: "yes" }] });
    handlers["/check"] = (r) => (r.request.object.metadata.labels?.injected === "yes" ? {} : { allowed: false, status: { message: "not injected" } });
    await webhook("Mutating", "label", [{ name: "label.example.com", ...url("/label") }]);
    await webhook("Validating", "check", [{ name: "check.example.com", ...url("/check") }]);
    const r = await api.post("/api/v1/namespaces/team/configmaps", configMap("mutated", { app: "x" }));
    expect(r.status, r.text).toBe(201);
    expect(r.json.metadata.labels).toEqual({ app: "x", injected: "yes" });
    expect((await api.get("/api/v1/namespaces/team/configmaps/mutated")).json.metadata.labels.injected).toBe("yes");
    // A patch that makes the object invalid is refused by native validation.
    handlers["/label"] = () => ({ patch: [{ op: "add", path: "/metadata/labels/bad key", value: "x" }] });
    const invalid = await api.post("/api/v1/namespaces/team/configmaps", configMap("invalid"));
    expect(invalid.status).toBe(422);
    expect(received["/check"]).toHaveLength(1);
  });

  it("runs validating admission policies on what mutating webhooks made", async () => {
    handlers["/label"] = () => ({ patch: [{ op: "add", path: "/metadata/labels/injected", value: "yes" }] });
    const vap = "/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies";
    const binding = "/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings";
    const policy = await api.post(vap, {
      metadata: { name: "injected" },
      spec: {
        matchConstraints: { resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], resources: ["configmaps"], operations: ["CREATE"] }] },
        validations: [{ expression: "has(object.metadata.labels) && 'injected' in object.metadata.labels", message: "not injected" }],
      },
    });
    expect(policy.status, policy.text).toBe(201);
    expect((await api.post(binding, { metadata: { name: "injected" }, spec: { policyName: "injected", validationActions: ["Deny"] } })).status).toBe(201);
    configs.push(`${vap}/injected`, `${binding}/injected`);
    const refused = await api.post("/api/v1/namespaces/team/configmaps", configMap("plain"));
    expect(refused.json.message).toBe(`configmaps "plain" is forbidden: ValidatingAdmissionPolicy 'injected' with binding 'injected' denied request: not injected`);
    await webhook("Mutating", "label", [{ name: "label.example.com", ...url("/label") }]);
    expect((await api.post("/api/v1/namespaces/team/configmaps", configMap("plain"))).status).toBe(201);
  });

  it("reinvokes an IfNeeded webhook once after a later webhook changed the object", async () => {
    handlers["/first"] = (r) => ({ patch: [{ op: "add", path: "/metadata/annotations", value: { ...(r.request.object.metadata.annotations ?? {}), seen: String(Object.keys(r.request.object.metadata.labels ?? {}).length) } }] });
    handlers["/second"] = () => ({ patch: [{ op: "add", path: "/metadata/labels/second", value: "yes" }] });
    await webhook("Mutating", "a-first", [{ name: "first.example.com", reinvocationPolicy: "IfNeeded", ...url("/first") }]);
    await webhook("Mutating", "b-second", [{ name: "second.example.com", ...url("/second") }]);
    const r = await api.post("/api/v1/namespaces/team/configmaps", configMap("reinvoked"));
    expect(r.status, r.text).toBe(201);
    expect(received["/first"]).toHaveLength(2);
    expect(received["/second"]).toHaveLength(1);
    expect(r.json.metadata.annotations).toEqual({ seen: "1" });
  });

  it("fails closed or open on a timeout and on a refused connection", async () => {
    handlers["/slow"] = () => ({ delayMs: 2500 });
    await webhook("Validating", "slow", [{ name: "slow.example.com", timeoutSeconds: 1, ...url("/slow") }]);
    const closed = await api.post("/api/v1/namespaces/team/configmaps", configMap("slow"));
    expect(closed.status).toBe(500);
    expect(closed.json.reason).toBe("InternalError");
    expect(closed.json.message).toBe(`Internal error occurred: failed calling webhook "slow.example.com": Post "${hookBase}/slow?timeout=1s": context deadline exceeded`);
    await api.del(configs.pop()!);
    await webhook("Validating", "slow", [{ name: "slow.example.com", timeoutSeconds: 1, failurePolicy: "Ignore", ...url("/slow") }]);
    expect((await api.post("/api/v1/namespaces/team/configmaps", configMap("slow"))).status).toBe(201);

    await webhook("Mutating", "gone", [{ name: "gone.example.com", clientConfig: { url: "https://127.0.0.1:1/gone" } }]);
    const refused = await api.post("/api/v1/namespaces/team/configmaps", configMap("gone"));
    expect(refused.status).toBe(500);
    expect(refused.json.message).toBe('Internal error occurred: failed calling webhook "gone.example.com": failed to call webhook: Post "https://127.0.0.1:1/gone?timeout=10s": dial tcp 127.0.0.1:1: connect: connection refused');
    await api.del(configs.pop()!);
    await webhook("Mutating", "gone", [{ name: "gone.example.com", failurePolicy: "Ignore", clientConfig: { url: "https://127.0.0.1:1/gone" } }]);
    expect((await api.post("/api/v1/namespaces/team/configmaps", configMap("gone"))).status).toBe(201);
  });

  it("refuses a webhook whose certificate the caBundle does not trust", async () => {
    await webhook("Validating", "untrusted", [{ name: "untrusted.example.com", clientConfig: { url: `${hookBase}/allow`, caBundle: Buffer.from(new CertificateAuthority("other").cert).toString("base64") } }]);
    const r = await api.post("/api/v1/namespaces/team/configmaps", configMap("untrusted"));
    expect(r.status).toBe(500);
    expect(r.json.message).toContain("x509: certificate signed by unknown authority");
  });

  it("reaches a Service through the webhookServices map, verifying the Service's DNS name", async () => {
    handlers["/svc"] = () => ({ allowed: false, status: { message: "from the service" } });
    await webhook("Validating", "svc", [{ name: "svc.example.com", clientConfig: { service: { namespace: "hooks", name: "policy", path: "/svc", port: 443 } } }]);
    const r = await api.post("/api/v1/namespaces/team/configmaps", configMap("svc"));
    expect(r.json.message).toBe('admission webhook "svc.example.com" denied the request: from the service');
  });

  it("selects requests by namespace labels, object labels and match conditions", async () => {
    handlers["/sel"] = () => ({ allowed: false, status: { message: "selected" } });
    await webhook("Validating", "sel", [
      {
        name: "sel.example.com",
        namespaceSelector: { matchLabels: { admission: "on" } },
        objectSelector: { matchExpressions: [{ key: "skip", operator: "DoesNotExist" }] },
        matchConditions: [{ name: "not-system", expression: "!object.metadata.name.startsWith('system-')" }],
        ...url("/sel"),
      },
    ]);
    expect((await api.post("/api/v1/namespaces/team/configmaps", configMap("a"))).status).toBe(400);
    expect((await api.post("/api/v1/namespaces/team/configmaps", configMap("b", { skip: "1" }))).status).toBe(201);
    expect((await api.post("/api/v1/namespaces/team/configmaps", configMap("system-c"))).status).toBe(201);
    expect((await api.post("/api/v1/namespaces/default/configmaps", configMap("d"))).status).toBe(201);
    expect(received["/sel"]).toHaveLength(1);
  });

  it("tells webhooks of a dry run (the v1 API admits only side-effect-free webhooks)", async () => {
    handlers["/dry"] = () => ({});
    await webhook("Validating", "dry", [{ name: "dry.example.com", sideEffects: "NoneOnDryRun", ...url("/dry") }]);
    const refused = await api.post("/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations", {
      metadata: { name: "effects" },
      webhooks: [{ name: "effects.example.com", sideEffects: "Some", admissionReviewVersions: ["v1"], clientConfig: { url: `${hookBase}/dry` } }],
    });
    expect(refused.status).toBe(422);
    const ok = await api.post("/api/v1/namespaces/team/configmaps?dryRun=All", configMap("dry"));
    expect(ok.status).toBe(201);
    expect(received["/dry"]!.at(-1)!.request).toMatchObject({ dryRun: true, options: { dryRun: ["All"] } });
    expect((await api.get("/api/v1/namespaces/team/configmaps/dry")).status).toBe(404);
  });

  it("returns webhook warnings as Warning headers, and calls webhooks on update, patch and delete", async () => {
    handlers["/warn"] = (r) => ({ warnings: [`seen ${r.request.operation}`] });
    await webhook("Validating", "warn", [{ name: "warn.example.com", rules: [{ apiGroups: [""], apiVersions: ["v1"], resources: ["configmaps"], operations: ["*"] }], ...url("/warn") }]);
    const created = await api.post("/api/v1/namespaces/team/configmaps", configMap("w"));
    expect(created.headers.warning).toBe('299 - "seen CREATE"');
    const patched = await api.patch("/api/v1/namespaces/team/configmaps/w", { data: { a: "2" } }, "merge");
    expect(patched.headers.warning).toBe('299 - "seen UPDATE"');
    const deleted = await api.del("/api/v1/namespaces/team/configmaps/w", { kind: "DeleteOptions", apiVersion: "v1", propagationPolicy: "Foreground" });
    expect(deleted.status).toBe(200);
    expect(deleted.headers.warning).toBe('299 - "seen DELETE"');
    // A namespace that does not exist is refused before any webhook.
    const missing = await api.post("/api/v1/namespaces/nowhere/configmaps", configMap("e"));
    expect(missing.status).toBe(404);
    expect(missing.json.message).toBe('namespaces "nowhere" not found');
    const ops = received["/warn"]!.map((r) => [r.request.operation, r.request.options?.kind, r.request.oldObject?.data?.a ?? null]);
    expect(ops).toEqual([
      ["CREATE", "CreateOptions", null],
      ["UPDATE", "UpdateOptions", "1"],
      ["DELETE", "DeleteOptions", "2"],
    ]);
    expect(received["/warn"]![2]!.request.options).toEqual({ kind: "DeleteOptions", apiVersion: "meta.k8s.io/v1", propagationPolicy: "Foreground" });
  });

  it("calls webhooks for a status subresource only when a rule names it", async () => {
    handlers["/status"] = () => ({ allowed: false, status: { message: "no status writes" } });
    await webhook("Validating", "status", [{ name: "status.example.com", rules: [{ apiGroups: [""], apiVersions: ["v1"], resources: ["namespaces/status"], operations: ["UPDATE"] }], ...url("/status") }]);
    const ns = (await api.get("/api/v1/namespaces/team")).json;
    expect((await api.put("/api/v1/namespaces/team", ns)).status).toBe(200);
    const r = await api.put("/api/v1/namespaces/team/status", (await api.get("/api/v1/namespaces/team")).json);
    expect(r.status).toBe(400);
    expect(received["/status"]![0]!.request).toMatchObject({ subResource: "status", requestSubResource: "status", resource: { resource: "namespaces" } });
  });
});

const pod = (name: string) => ({ apiVersion: "v1", kind: "Pod", metadata: { name, labels: { app: "hooked" } }, spec: { containers: [{ name: "app", image: "app:1" }] } });
const rule = (resources: string[], operations: string[], apiGroups = [""]) => ({ rules: [{ apiGroups, apiVersions: ["v1"], resources, operations }] });
const GC_USER = "system:serviceaccount:kube-system:generic-garbage-collector";

async function until(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("admission webhooks on every path that writes", () => {
  it("calls validating webhooks on a create with the generated name, uid and creation time; mutating webhooks before them", async () => {
    handlers["/m"] = () => ({});
    handlers["/v"] = () => ({});
    await webhook("Mutating", "m", [{ name: "m.example.com", ...url("/m") }]);
    await webhook("Validating", "v", [{ name: "v.example.com", ...url("/v") }]);
    // Validating policies run in the same phase: they see the name and uid too.
    const vap = "/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies";
    const binding = "/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings";
    const rules = [{ apiGroups: [""], apiVersions: ["v1"], resources: ["configmaps"], operations: ["CREATE"] }];
    const validations = [{ expression: "object.metadata.name.startsWith('gen-') && has(object.metadata.uid) && has(object.metadata.creationTimestamp)", message: "no name yet" }];
    expect((await api.post(vap, { metadata: { name: "named" }, spec: { matchConstraints: { resourceRules: rules }, validations } })).status).toBe(201);
    expect((await api.post(binding, { metadata: { name: "named" }, spec: { policyName: "named", validationActions: ["Deny"] } })).status).toBe(201);
    configs.push(`${vap}/named`, `${binding}/named`);
    const r = await api.post("/api/v1/namespaces/team/configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { generateName: "gen-" }, data: { a: "1" } });
    expect(r.status, r.text).toBe(201);
    const mutating = received["/m"]![0]!.request;
    expect(mutating.name).toBeUndefined();
    expect(mutating.object.metadata).not.toHaveProperty("name");
    expect(mutating.object.metadata).not.toHaveProperty("uid");
    expect(mutating.object.metadata).not.toHaveProperty("creationTimestamp");
    const validating = received["/v"]![0]!.request;
    expect(validating.name).toBe(r.json.metadata.name);
    expect(validating.object.metadata).toMatchObject({ name: r.json.metadata.name, generateName: "gen-", uid: r.json.metadata.uid, creationTimestamp: r.json.metadata.creationTimestamp });
    expect(r.json.metadata.name).toMatch(/^gen-[a-z0-9]{5}$/);
  });

  it("calls webhooks once per item of a deletecollection (operation DELETE, no name), and a refusal stops it", async () => {
    handlers["/del"] = (r) => (r.request.oldObject.metadata.labels?.keep === "yes" ? { allowed: false, status: { code: 403, reason: "Forbidden", message: "kept" } } : {});
    await webhook("Validating", "del", [{ name: "del.example.com", ...rule(["configmaps"], ["DELETE"]), ...url("/del") }]);
    for (const [name, labels] of [["dc-a", { batch: "x" }], ["dc-b", { batch: "x", keep: "yes" }], ["dc-c", { batch: "y" }]] as const) {
      expect((await api.post("/api/v1/namespaces/team/configmaps", configMap(name, labels))).status).toBe(201);
    }
    const r = await api.del("/api/v1/namespaces/team/configmaps?labelSelector=batch%3Dx");
    expect(r.status).toBe(403);
    expect(r.json.message).toBe('admission webhook "del.example.com" denied the request: kept');
    const reviews = received["/del"]!.map((x) => x.request);
    expect(reviews.map((q) => q.oldObject.metadata.name)).toEqual(["dc-a", "dc-b"]);
    for (const q of reviews) {
      expect(q).toMatchObject({ operation: "DELETE", namespace: "team", resource: { group: "", version: "v1", resource: "configmaps" }, kind: { kind: "ConfigMap" }, object: null, options: { kind: "DeleteOptions" } });
      expect(q.name).toBeUndefined();
    }
    expect((await api.get("/api/v1/namespaces/team/configmaps/dc-a")).status).toBe(404);
    expect((await api.get("/api/v1/namespaces/team/configmaps/dc-b")).status).toBe(200);
    // Without a refusal the list of what was deleted comes back.
    const ok = await api.del("/api/v1/namespaces/team/configmaps?labelSelector=batch%3Dy");
    expect(ok.status).toBe(200);
    expect(ok.json.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(["dc-c"]);
  });

  it("calls webhooks on the scale subresource with autoscaling/v1 Scales (a mutating webhook may change them)", async () => {
    const deployment = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "scaled" }, spec: { replicas: 1, selector: { matchLabels: { app: "s" } }, template: { metadata: { labels: { app: "s" } }, spec: { containers: [{ name: "app", image: "app:1" }] } } } };
    expect((await api.post("/apis/apps/v1/namespaces/team/deployments", deployment)).status).toBe(201);
    handlers["/cap"] = (r) => (r.request.object.spec.replicas > 5 ? { patch: [{ op: "replace", path: "/spec/replicas", value: 5 }] } : {});
    handlers["/limit"] = (r) => (r.request.object.spec.replicas > 4 ? { allowed: false, status: { message: "at most 4 replicas" } } : {});
    handlers["/whole"] = () => ({});
    await webhook("Mutating", "cap", [{ name: "cap.example.com", ...rule(["deployments/scale"], ["UPDATE"], ["apps"]), ...url("/cap") }]);
    await webhook("Validating", "limit", [{ name: "limit.example.com", ...rule(["*/scale"], ["UPDATE"], ["apps"]), ...url("/limit") }]);
    await webhook("Validating", "whole", [{ name: "whole.example.com", ...rule(["deployments"], ["UPDATE"], ["apps"]), ...url("/whole") }]);
    const path = "/apis/apps/v1/namespaces/team/deployments/scaled/scale";
    const scale = (await api.get(path)).json;
    const ok = await api.put(path, { ...scale, spec: { replicas: 3 } });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json.spec.replicas).toBe(3);
    const [m, v] = [received["/cap"]![0]!.request, received["/limit"]![0]!.request];
    for (const q of [m, v]) {
      expect(q).toMatchObject({
        operation: "UPDATE",
        kind: { group: "autoscaling", version: "v1", kind: "Scale" },
        resource: { group: "apps", version: "v1", resource: "deployments" },
        subResource: "scale",
        requestKind: { group: "autoscaling", version: "v1", kind: "Scale" },
        name: "scaled",
        namespace: "team",
        object: { apiVersion: "autoscaling/v1", kind: "Scale", metadata: { name: "scaled", namespace: "team" }, spec: { replicas: 3 } },
        oldObject: { apiVersion: "autoscaling/v1", kind: "Scale", spec: { replicas: 1 } },
        options: { kind: "UpdateOptions" },
      });
    }
    expect(received["/whole"]).toBeUndefined();
    // The mutating webhook caps 9 at 5, which the validating one refuses; the object is unchanged.
    const refused = await api.patch(path, { spec: { replicas: 9 } }, "merge");
    expect(refused.status).toBe(400);
    expect(refused.json.message).toBe('admission webhook "limit.example.com" denied the request: at most 4 replicas');
    expect(received["/limit"]!.at(-1)!.request.object.spec.replicas).toBe(5);
    expect((await api.get("/apis/apps/v1/namespaces/team/deployments/scaled")).json.spec.replicas).toBe(3);
  });

  it("calls webhooks on pods/binding with the Binding (CREATE), and a refusal leaves the pod unscheduled", async () => {
    handlers["/bind"] = (r) => (r.request.object.target.name === "bad-node" ? { allowed: false, status: { code: 403, reason: "Forbidden", message: "not that node" } } : {});
    await webhook("Validating", "bind", [{ name: "bind.example.com", ...rule(["pods/binding"], ["CREATE"]), ...url("/bind") }]);
    expect((await api.post("/api/v1/namespaces/team/pods", pod("bound"))).status).toBe(201);
    const binding = (node: string) => ({ apiVersion: "v1", kind: "Binding", metadata: { name: "bound" }, target: { apiVersion: "v1", kind: "Node", name: node } });
    const refused = await api.post("/api/v1/namespaces/team/pods/bound/binding", binding("bad-node"));
    expect(refused.status).toBe(403);
    expect(refused.json.message).toBe('admission webhook "bind.example.com" denied the request: not that node');
    expect((await api.get("/api/v1/namespaces/team/pods/bound")).json.spec.nodeName).toBeUndefined();
    expect((await api.post("/api/v1/namespaces/team/pods/bound/binding", binding("node-1"))).status).toBe(201);
    expect((await api.get("/api/v1/namespaces/team/pods/bound")).json.spec.nodeName).toBe("node-1");
    expect(received["/bind"]![1]!.request).toMatchObject({
      operation: "CREATE",
      kind: { group: "", version: "v1", kind: "Binding" },
      resource: { group: "", version: "v1", resource: "pods" },
      subResource: "binding",
      name: "bound",
      namespace: "team",
      object: { kind: "Binding", metadata: { name: "bound", namespace: "team" }, target: { kind: "Node", name: "node-1" } },
      oldObject: null,
      options: { kind: "CreateOptions" },
      userInfo: { username: "kubernetes-admin" },
    });
  });

  it("calls webhooks on pods/eviction with the Eviction (CREATE); the eviction's own delete of the pod calls none", async () => {
    handlers["/evict"] = (r) => (r.request.name === "protected" ? { allowed: false, status: { message: "protected pod" } } : {});
    handlers["/pod-delete"] = () => ({});
    await webhook("Validating", "evict", [{ name: "evict.example.com", ...rule(["pods/eviction"], ["CREATE"]), ...url("/evict") }]);
    await webhook("Validating", "pod-delete", [{ name: "pod-delete.example.com", ...rule(["pods"], ["DELETE"]), ...url("/pod-delete") }]);
    for (const name of ["protected", "evicted"]) expect((await api.post("/api/v1/namespaces/team/pods", pod(name))).status).toBe(201);
    const eviction = (name: string) => ({ apiVersion: "policy/v1", kind: "Eviction", metadata: { name, namespace: "team" } });
    const refused = await api.post("/api/v1/namespaces/team/pods/protected/eviction", eviction("protected"));
    expect(refused.status).toBe(400);
    expect(refused.json.message).toBe('admission webhook "evict.example.com" denied the request: protected pod');
    expect((await api.get("/api/v1/namespaces/team/pods/protected")).status).toBe(200);
    expect((await api.post("/api/v1/namespaces/team/pods/evicted/eviction", eviction("evicted"))).status).toBe(201);
    expect((await api.get("/api/v1/namespaces/team/pods/evicted")).status).toBe(404);
    expect(received["/evict"]![1]!.request).toMatchObject({
      operation: "CREATE",
      kind: { group: "policy", version: "v1", kind: "Eviction" },
      resource: { group: "", version: "v1", resource: "pods" },
      subResource: "eviction",
      name: "evicted",
      object: { apiVersion: "policy/v1", kind: "Eviction", metadata: { name: "evicted", namespace: "team" } },
    });
    expect(received["/pod-delete"]).toBeUndefined();
    await api.del("/api/v1/namespaces/team/pods/protected");
    await api.del("/api/v1/namespaces/team/pods/bound");
  });

  it("calls webhooks on CONNECT (pods/exec, pods/portforward) with the options as the object", async () => {
    handlers["/connect"] = (r) => (r.request.object.command?.includes("forbidden") || r.request.subResource === "portforward" ? { allowed: false, status: { code: 403, reason: "Forbidden", message: "no shell for you" } } : {});
    handlers["/pods-only"] = () => ({});
    await webhook("Validating", "connect", [{ name: "connect.example.com", ...rule(["*/*"], ["CONNECT"]), ...url("/connect") }]);
    await webhook("Validating", "pods-only", [{ name: "pods-only.example.com", ...rule(["pods"], ["*"]), ...url("/pods-only") }]);
    expect((await api.post("/api/v1/namespaces/team/pods", pod("shell"))).status).toBe(201);
    delete received["/pods-only"];
    const ok = await execWs(server, "/api/v1/namespaces/team/pods/shell/exec?command=echo&command=hi&stdout=true&stderr=true");
    expect(ok.status).toBe(101);
    expect(received["/connect"]![0]!.request).toMatchObject({
      operation: "CONNECT",
      kind: { group: "", version: "v1", kind: "PodExecOptions" },
      resource: { group: "", version: "v1", resource: "pods" },
      subResource: "exec",
      name: "shell",
      namespace: "team",
      object: { kind: "PodExecOptions", apiVersion: "v1", stdout: true, stderr: true, command: ["echo", "hi"] },
      oldObject: null,
      options: null,
      dryRun: false,
    });
    const denied = await execWs(server, "/api/v1/namespaces/team/pods/shell/exec?command=forbidden&stdout=true");
    expect(denied.status).toBe(403);
    expect(JSON.parse(denied.body!).message).toBe('admission webhook "connect.example.com" denied the request: no shell for you');
    const forward = await execWs(server, "/api/v1/namespaces/team/pods/shell/portforward?ports=8080", { protocol: "v4.channel.k8s.io" });
    expect(forward.status).toBe(403);
    expect(received["/connect"]!.at(-1)!.request).toMatchObject({ operation: "CONNECT", subResource: "portforward", kind: { kind: "PodPortForwardOptions" }, object: { kind: "PodPortForwardOptions", ports: [8080] } });
    // A rule for "pods" does not match its subresources.
    expect(received["/pods-only"]).toBeUndefined();
    await api.del("/api/v1/namespaces/team/pods/shell");
  });

  it("calls webhooks on serviceaccounts/token (a TokenRequest), pods/ephemeralcontainers (the Pod) and namespaces/finalize (the Namespace)", async () => {
    handlers["/sub"] = (r) => (r.request.subResource === "finalize" ? { allowed: false, status: { message: "no finalizing" } } : {});
    await webhook("Validating", "sub", [
      {
        name: "sub.example.com",
        rules: [
          { apiGroups: [""], apiVersions: ["v1"], resources: ["serviceaccounts/token"], operations: ["CREATE"] },
          { apiGroups: [""], apiVersions: ["v1"], resources: ["pods/ephemeralcontainers", "namespaces/finalize"], operations: ["UPDATE"] },
        ],
        ...url("/sub"),
      },
    ]);
    expect((await api.post("/api/v1/namespaces/team/serviceaccounts", { metadata: { name: "robot" } })).status).toBe(201);
    const token = await api.post("/api/v1/namespaces/team/serviceaccounts/robot/token", { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { audiences: ["api"] } });
    expect(token.status, token.text).toBe(201);
    expect(received["/sub"]![0]!.request).toMatchObject({
      operation: "CREATE",
      kind: { group: "authentication.k8s.io", version: "v1", kind: "TokenRequest" },
      resource: { group: "", version: "v1", resource: "serviceaccounts" },
      subResource: "token",
      name: "robot",
      namespace: "team",
      object: { kind: "TokenRequest", spec: { audiences: ["api"] } },
    });
    expect((await api.post("/api/v1/namespaces/team/pods", pod("debugged"))).status).toBe(201);
    const debug = await api.patch("/api/v1/namespaces/team/pods/debugged/ephemeralcontainers", { spec: { ephemeralContainers: [{ name: "debugger", image: "busybox:1" }] } }, "strategic");
    expect(debug.status, debug.text).toBe(200);
    expect(received["/sub"]![1]!.request).toMatchObject({
      operation: "UPDATE",
      kind: { group: "", version: "v1", kind: "Pod" },
      subResource: "ephemeralcontainers",
      name: "debugged",
      object: { spec: { ephemeralContainers: [{ name: "debugger", image: "busybox:1" }] } },
      oldObject: { metadata: { name: "debugged" } },
    });
    expect(received["/sub"]![1]!.request.oldObject.spec.ephemeralContainers).toBeUndefined();
    const ns = (await api.get("/api/v1/namespaces/team")).json;
    const finalize = await api.put("/api/v1/namespaces/team/finalize", { ...ns, spec: { finalizers: [] } });
    expect(finalize.status).toBe(400);
    expect(finalize.json.message).toBe('admission webhook "sub.example.com" denied the request: no finalizing');
    expect(received["/sub"]![2]!.request).toMatchObject({ operation: "UPDATE", kind: { kind: "Namespace" }, subResource: "finalize", name: "team", object: { spec: { finalizers: [] } } });
    expect((await api.get("/api/v1/namespaces/team")).json.spec.finalizers).toEqual(["kubernetes"]);
    await api.del("/api/v1/namespaces/team/pods/debugged");
  });

  it("runs validating admission policies on the scale subresource and on CONNECT, with their own kinds", async () => {
    const vap = "/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies";
    const binding = "/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings";
    const policy = async (name: string, rules: unknown[], expression: string, message: string) => {
      const p = await api.post(vap, { metadata: { name }, spec: { matchConstraints: { resourceRules: rules }, validations: [{ expression, message }] } });
      expect(p.status, p.text).toBe(201);
      expect((await api.post(binding, { metadata: { name }, spec: { policyName: name, validationActions: ["Deny"] } })).status).toBe(201);
      configs.push(`${vap}/${name}`, `${binding}/${name}`);
    };
    await policy("scale-cap", [{ apiGroups: ["apps"], apiVersions: ["v1"], resources: ["deployments/scale"], operations: ["UPDATE"] }], "request.kind.kind == 'Scale' && object.spec.replicas <= 4", "at most 4 replicas");
    await policy("no-forbidden", [{ apiGroups: [""], apiVersions: ["v1"], resources: ["pods/exec"], operations: ["CONNECT"] }], "request.kind.kind == 'PodExecOptions' && !('forbidden' in object.command)", "not that command");
    const deployment = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "capped" }, spec: { replicas: 1, selector: { matchLabels: { app: "c" } }, template: { metadata: { labels: { app: "c" } }, spec: { containers: [{ name: "app", image: "app:1" }] } } } };
    expect((await api.post("/apis/apps/v1/namespaces/team/deployments", deployment)).status).toBe(201);
    // The policy on deployments/scale is not run for the deployment itself.
    expect((await api.patch("/apis/apps/v1/namespaces/team/deployments/capped", { spec: { replicas: 6 } }, "merge")).status).toBe(200);
    const path = "/apis/apps/v1/namespaces/team/deployments/capped/scale";
    expect((await api.patch(path, { spec: { replicas: 3 } }, "merge")).status).toBe(200);
    const refused = await api.patch(path, { spec: { replicas: 5 } }, "merge");
    expect(refused.status).toBe(422);
    expect(refused.json.message).toBe(`deployments.apps "capped" is forbidden: ValidatingAdmissionPolicy 'scale-cap' with binding 'scale-cap' denied request: at most 4 replicas`);
    expect((await api.post("/api/v1/namespaces/team/pods", pod("policed"))).status).toBe(201);
    expect((await execWs(server, "/api/v1/namespaces/team/pods/policed/exec?command=echo&stdout=true")).status).toBe(101);
    const denied = await execWs(server, "/api/v1/namespaces/team/pods/policed/exec?command=forbidden&stdout=true");
    expect(denied.status).toBe(422);
    expect(JSON.parse(denied.body!).message).toBe(`pods "policed" is forbidden: ValidatingAdmissionPolicy 'no-forbidden' with binding 'no-forbidden' denied request: not that command`);
    await api.del("/api/v1/namespaces/team/pods/policed");
  });

  it("calls webhooks on the garbage collector's deletes, as its service account; a refusal keeps the dependent", async () => {
    handlers["/gc"] = (r) => (r.request.oldObject.metadata.name === "dep-kept" ? { allowed: false, status: { message: "keep me" } } : {});
    await webhook("Validating", "gc", [{ name: "gc.example.com", ...rule(["configmaps"], ["DELETE"]), ...url("/gc") }]);
    const owner = (await api.post("/api/v1/namespaces/team/configmaps", configMap("owner"))).json;
    const ref = [{ apiVersion: "v1", kind: "ConfigMap", name: "owner", uid: owner.metadata.uid }];
    for (const name of ["dep-gone", "dep-kept"]) {
      expect((await api.post("/api/v1/namespaces/team/configmaps", { ...configMap(name), metadata: { name, ownerReferences: ref } })).status).toBe(201);
    }
    expect((await api.del("/api/v1/namespaces/team/configmaps/owner")).status).toBe(200);
    await until(async () => (await api.get("/api/v1/namespaces/team/configmaps/dep-gone")).status === 404);
    await until(async () => (received["/gc"] ?? []).some((x) => x.request.oldObject.metadata.name === "dep-kept"));
    expect((await api.get("/api/v1/namespaces/team/configmaps/dep-kept")).status).toBe(200);
    const review = received["/gc"]!.find((x) => x.request.oldObject.metadata.name === "dep-gone")!.request;
    expect(review).toMatchObject({
      operation: "DELETE",
      name: "dep-gone",
      namespace: "team",
      userInfo: { username: GC_USER, groups: ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"] },
      options: { kind: "DeleteOptions", propagationPolicy: "Background", preconditions: { uid: review.oldObject.metadata.uid } },
    });
    await api.del("/api/v1/namespaces/team/configmaps/dep-kept");
  });

  it("calls webhooks on the garbage collector's orphaning (an UPDATE removing the ownerReference) before the owner goes", async () => {
    handlers["/orphan"] = () => ({});
    await webhook("Validating", "orphan", [{ name: "orphan.example.com", ...rule(["configmaps"], ["UPDATE"]), ...url("/orphan") }]);
    const owner = (await api.post("/api/v1/namespaces/team/configmaps", configMap("parent"))).json;
    const ref = [{ apiVersion: "v1", kind: "ConfigMap", name: "parent", uid: owner.metadata.uid }];
    expect((await api.post("/api/v1/namespaces/team/configmaps", { ...configMap("orphaned"), metadata: { name: "orphaned", ownerReferences: ref } })).status).toBe(201);
    expect((await api.del("/api/v1/namespaces/team/configmaps/parent", { kind: "DeleteOptions", apiVersion: "v1", propagationPolicy: "Orphan" })).status).toBe(200);
    await until(async () => (await api.get("/api/v1/namespaces/team/configmaps/parent")).status === 404);
    const orphaned = (await api.get("/api/v1/namespaces/team/configmaps/orphaned")).json;
    expect(orphaned.metadata.ownerReferences).toBeUndefined();
    const review = received["/orphan"]!.find((x) => x.request.name === "orphaned")!.request;
    expect(review).toMatchObject({ operation: "UPDATE", userInfo: { username: GC_USER }, oldObject: { metadata: { ownerReferences: ref } } });
    expect(review.object.metadata.ownerReferences).toBeUndefined();
    await api.del("/api/v1/namespaces/team/configmaps/orphaned");
  });
});

describe("admission webhooks and the simulated controllers", () => {
  it("mutates the pods a Deployment's ReplicaSet creates (a sidecar injected) and refuses some", async () => {
    const cluster = await startTestServer({ kubernetesVersion: "1.33" });
    const c = client(cluster);
    try {
      handlers["/inject"] = (r) => ({ patch: [{ op: "add", path: "/spec/containers/-", value: { name: "sidecar", image: "proxy:1" } }, { op: "add", path: "/metadata/labels/injected", value: r.request.userInfo.username.split(":").at(-1) }] });
      const body = {
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "MutatingWebhookConfiguration",
        metadata: { name: "inject" },
        webhooks: [{ name: "inject.example.com", admissionReviewVersions: ["v1"], sideEffects: "None", clientConfig: { caBundle, url: `${hookBase}/inject` }, rules: [{ apiGroups: [""], apiVersions: ["v1"], resources: ["pods"], operations: ["CREATE"] }] }],
      };
      expect((await c.post("/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations", body)).status).toBe(201);
      const labels = { app: "web" };
      const deployment = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, spec: { replicas: 2, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: "app", image: "web:1" }] } } } };
      expect((await c.post("/apis/apps/v1/namespaces/default/deployments", deployment)).status).toBe(201);
      await cluster.settle();
      const pods = (await c.get("/api/v1/namespaces/default/pods?labelSelector=app%3Dweb")).json.items;
      expect(pods).toHaveLength(2);
      for (const pod of pods) {
        expect(pod.spec.containers.map((x: { name: string }) => x.name)).toEqual(["app", "sidecar"]);
        expect(pod.metadata.labels.injected).toBe("system:kube-controller-manager".split(":").at(-1));
      }
      expect(received["/inject"]).toHaveLength(2);
      // A refusing webhook: the ReplicaSet creates nothing, and the controller's error says why.
      handlers["/inject"] = () => ({ allowed: false, status: { message: "no more pods" } });
      expect((await c.patch("/apis/apps/v1/namespaces/default/deployments/web", { spec: { replicas: 3 } }, "merge")).status).toBe(200);
      await cluster.settle();
      expect((await c.get("/api/v1/namespaces/default/pods?labelSelector=app%3Dweb")).json.items).toHaveLength(2);
      expect(cluster.controllerErrors.some((e) => e.message.includes('admission webhook "inject.example.com" denied the request: no more pods'))).toBe(true);
    } finally {
      await c.close();
      await cluster.close();
    }
  });
});

describe("validating webhooks and the controllers' creates", () => {
  it("shows validating webhooks the name and uid a ReplicaSet's pod is stored with", async () => {
    const cluster = await startTestServer({ kubernetesVersion: "1.33" });
    const c = client(cluster);
    try {
      handlers["/seen"] = () => ({});
      const body = {
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "ValidatingWebhookConfiguration",
        metadata: { name: "seen" },
        webhooks: [
          { name: "seen.example.com", admissionReviewVersions: ["v1"], sideEffects: "None", clientConfig: { caBundle, url: `${hookBase}/seen` }, rules: [{ apiGroups: [""], apiVersions: ["v1"], resources: ["pods"], operations: ["CREATE"] }] },
          { name: "bound.example.com", admissionReviewVersions: ["v1"], sideEffects: "None", clientConfig: { caBundle, url: `${hookBase}/bound` }, rules: [{ apiGroups: [""], apiVersions: ["v1"], resources: ["pods/binding"], operations: ["CREATE"] }] },
        ],
      };
      expect((await c.post("/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations", body)).status).toBe(201);
      const labels = { app: "seen" };
      const deployment = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "seen" }, spec: { replicas: 2, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: "app", image: "web:1" }] } } } };
      expect((await c.post("/apis/apps/v1/namespaces/default/deployments", deployment)).status).toBe(201);
      await cluster.settle();
      const pods = (await c.get("/api/v1/namespaces/default/pods?labelSelector=app%3Dseen")).json.items as Array<{ metadata: { name: string; uid: string; creationTimestamp: string } }>;
      expect(pods).toHaveLength(2);
      const seen = received["/seen"]!.map((r) => r.request.object.metadata);
      for (const p of pods) expect(seen).toContainEqual(expect.objectContaining({ name: p.metadata.name, uid: p.metadata.uid, creationTimestamp: p.metadata.creationTimestamp }));
      expect(received["/seen"]!.map((r) => r.request.userInfo.username)).toEqual(["system:kube-controller-manager", "system:kube-controller-manager"]);
      // The scheduler's bindings go through admission too, as the scheduler.
      const bindings = received["/bound"]!.map((r) => r.request);
      expect(bindings.map((b) => [b.userInfo.username, b.subResource, b.kind.kind]).sort()).toEqual([
        ["system:kube-scheduler", "binding", "Binding"],
        ["system:kube-scheduler", "binding", "Binding"],
      ]);
      expect(bindings.map((b) => b.name).sort()).toEqual(pods.map((p) => p.metadata.name).sort());
      expect(cluster.controllerErrors).toEqual([]);
    } finally {
      await c.close();
      await cluster.close();
    }
  });
});

describe("admission webhooks and the namespace controller", () => {
  it("calls webhooks on the deletes that empty a terminating namespace, as the namespace controller", async () => {
    const cluster = await startTestServer({ kubernetesVersion: "1.33" });
    const c = client(cluster);
    try {
      handlers["/ns"] = () => ({});
      const body = {
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "ValidatingWebhookConfiguration",
        metadata: { name: "ns" },
        webhooks: [{ name: "ns.example.com", admissionReviewVersions: ["v1"], sideEffects: "None", clientConfig: { caBundle, url: `${hookBase}/ns` }, rules: [{ apiGroups: [""], apiVersions: ["v1"], resources: ["configmaps"], operations: ["DELETE"] }] }],
      };
      expect((await c.post("/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations", body)).status).toBe(201);
      expect((await c.post("/api/v1/namespaces", { metadata: { name: "doomed" } })).status).toBe(201);
      expect((await c.post("/api/v1/namespaces/doomed/configmaps", configMap("content"))).status).toBe(201);
      expect((await c.del("/api/v1/namespaces/doomed")).status).toBeLessThan(300);
      await cluster.settle();
      await until(async () => (await c.get("/api/v1/namespaces/doomed")).status === 404);
      const review = received["/ns"]!.find((x) => x.request.oldObject.metadata.name === "content")!.request;
      expect(review).toMatchObject({ operation: "DELETE", namespace: "doomed", userInfo: { username: "system:serviceaccount:kube-system:namespace-controller" }, options: { kind: "DeleteOptions", propagationPolicy: "Background" } });
      expect(review.name).toBeUndefined();
    } finally {
      await c.close();
      await cluster.close();
    }
  });
});

const hasKubectl = spawnSync("kubectl", ["version", "--client"], { encoding: "utf8" }).status === 0;

describe.skipIf(!hasKubectl)("kubectl and a refusing webhook", () => {
  it("prints the webhook's denial as kube-apiserver's", async () => {
    handlers["/deny"] = () => ({ allowed: false, status: { code: 403, reason: "Forbidden", message: "configmaps need an owner" } });
    await webhook("Validating", "deny", [{ name: "deny.example.com", ...url("/deny") }]);
    const dir = mkdtempSync(join(tmpdir(), "kubezod-webhook-"));
    const kubeconfig = await server.writeKubeconfig(join(dir, "kubeconfig"));
    const manifest = join(dir, "cm.yaml");
    writeFileSync(manifest, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: via-kubectl\n  namespace: team\ndata:\n  a: '1'\n");
    const run = await new Promise<{ code: number; stderr: string }>((resolve) => {
      const child = spawn("kubectl", ["--cache-dir", join(dir, "cache"), "create", "-f", manifest], { env: { ...process.env, KUBECONFIG: kubeconfig, HOME: dir } });
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => (stderr += d));
      child.on("close", (code) => resolve({ code: code ?? -1, stderr }));
    });
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(`Error from server (Forbidden): error when creating "${manifest}": admission webhook "deny.example.com" denied the request: configmaps need an owner`);
  });
});

describe("a webhook's answer", () => {
  it("is read up to a bound: a larger one is a failed call, not unbounded memory", async () => {
    const review = { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: { uid: "u-1" } };
    const endpoint = { clientConfig: { url: `${hookBase}/allow`, caBundle: ca.cert }, timeoutSeconds: 10 };
    const whole = await callWebhook(endpoint, review);
    expect(whole).toMatchObject({ body: { kind: "AdmissionReview", response: { uid: "u-1", allowed: true } } });
    const cut = await callWebhook(endpoint, review, { maxResponseBytes: 50 });
    expect(cut).toEqual({ error: `Post "${hookBase}/allow?timeout=10s": the response is larger than the local server reads from a webhook (50 bytes)` });
  });
});
