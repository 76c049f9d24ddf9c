import { Agent, request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { client, configMap, deployment, execWs, pod, tokenOf, type Client } from "./helpers.js";

let server: TestServer;
let api: Client;

beforeAll(async () => {
  server = await startTestServer({
    kubernetesVersion: "1.32",
    tokens: { "admin-token": "admin", "viewer-token": { username: "viewer", groups: ["viewers"] } },
    authorize: (a) => a.user.username !== "viewer" || ["get", "list", "watch"].includes(a.verb),
    maxRequestBodyBytes: 64 * 1024,
    controllers: false,
  });
  api = client(server);
});
afterAll(async () => {
  await api.close();
  await server.close();
});

describe("discovery and server info", () => {
  it("serves /version, /healthz, /livez, /readyz", async () => {
    const v = await api.get("/version");
    expect(v.json).toMatchObject({ major: "1", minor: "32", gitVersion: "v1.32.0" });
    for (const p of ["/healthz", "/livez", "/readyz"]) {
      const res = await api.get(p);
      expect(res.status).toBe(200);
      expect(res.text).toBe("ok");
    }
    expect((await api.get("/readyz?verbose")).text).toContain("readyz check passed");
  });

  it("serves legacy discovery documents from the schemas' annotations", async () => {
    const core = await api.get("/api");
    expect(core.json).toMatchObject({ kind: "APIVersions", versions: ["v1"] });
    const groups = await api.get("/apis");
    const apps = groups.json.groups.find((g: { name: string }) => g.name === "apps");
    expect(apps.preferredVersion).toEqual({ groupVersion: "apps/v1", version: "v1" });
    const autoscaling = groups.json.groups.find((g: { name: string }) => g.name === "autoscaling");
    expect(autoscaling.preferredVersion.version).toBe("v2");
    expect(groups.json.groups.some((g: { versions: Array<{ version: string }> }) => g.versions.some((v) => /alpha|beta/.test(v.version)))).toBe(false);
    const v1 = await api.get("/api/v1");
    const pods = v1.json.resources.find((r: { name: string }) => r.name === "pods");
    expect(pods).toMatchObject({ singularName: "pod", namespaced: true, kind: "Pod", shortNames: ["po"], categories: ["all"] });
    expect(v1.json.resources.find((r: { name: string }) => r.name === "pods/log")).toMatchObject({ kind: "Pod", verbs: ["get"] });
    const appsV1 = await api.get("/apis/apps/v1");
    expect(appsV1.json.resources.find((r: { name: string }) => r.name === "deployments/scale")).toMatchObject({ group: "autoscaling", version: "v1", kind: "Scale" });
    expect((await api.get("/apis/nope.example.com/v1")).status).toBe(404);
  });

  it("serves aggregated discovery v2 (and v2beta1) when asked", async () => {
    const accept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";
    const res = await api.get("/apis", accept);
    expect(res.headers["content-type"]).toBe("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
    expect(res.json.kind).toBe("APIGroupDiscoveryList");
    const apps = res.json.items.find((i: { metadata: { name: string } }) => i.metadata.name === "apps");
    const deployments = apps.versions[0].resources.find((r: { resource: string }) => r.resource === "deployments");
    expect(deployments).toMatchObject({ scope: "Namespaced", singularResource: "deployment", responseKind: { group: "apps", version: "v1", kind: "Deployment" }, shortNames: ["deploy"] });
    expect(deployments.subresources.map((s: { subresource: string }) => s.subresource).sort()).toEqual(["scale", "status"]);
    const beta = await api.get("/api", "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList");
    expect(beta.json.apiVersion).toBe("apidiscovery.k8s.io/v2beta1");
    expect(beta.json.items[0].metadata.name).toBe("");
  });

  it("serves OpenAPI v2 and v3 generated from the schemas", async () => {
    const index = await api.get("/openapi/v3");
    expect(index.json.paths["apis/apps/v1"].serverRelativeURL).toMatch(/^\/openapi\/v3\/apis\/apps\/v1\?hash=[0-9A-F]+$/);
    const apps = await api.get("/openapi/v3/apis/apps/v1");
    const dep = apps.json.components.schemas["io.k8s.api.apps.v1.Deployment"];
    expect(dep["x-kubernetes-group-version-kind"]).toEqual([{ group: "apps", kind: "Deployment", version: "v1" }]);
    // As kube-apiserver publishes v3: a described reference is an allOf beside its description.
    expect(dep.properties.spec).toEqual({
      allOf: [{ $ref: "#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec" }],
      description: "Specification of the desired behavior of the Deployment.",
    });
    const podSpec = apps.json.components.schemas["io.k8s.api.core.v1.PodSpec"];
    expect(podSpec.properties.containers).toMatchObject({ type: "array", "x-kubernetes-patch-merge-key": "name", "x-kubernetes-patch-strategy": "merge" });
    expect(podSpec.required).toEqual(["containers"]);
    const patch = apps.json.paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"].patch;
    expect(patch["x-kubernetes-action"]).toBe("patch");
    expect(patch.parameters.map((p: { name: string }) => p.name)).toContain("fieldValidation");
    const v2 = await api.get("/openapi/v2");
    expect(v2.json.swagger).toBe("2.0");
    expect(v2.json.definitions["io.k8s.api.core.v1.ConfigMap"].properties.data).toMatchObject({ type: "object", additionalProperties: { type: "string" } });
    const etag = apps.headers.etag as string;
    const cached = await api.req("GET", "/openapi/v3/apis/apps/v1", { headers: { "if-none-match": etag } });
    expect(cached.status).toBe(304);
    // The protobuf form kubectl 1.28 asks for (gnostic's Document): swagger version first, then info and definitions.
    const proto = await api.get("/openapi/v2", "application/com.github.proto-openapi.spec.v2@v1.0+protobuf");
    expect(proto.status).toBe(200);
    expect(proto.headers["content-type"]).toBe("application/com.github.proto-openapi.spec.v2.v1.0+protobuf");
    const yamlOnly = await api.get("/openapi/v2", "application/yaml");
    expect(yamlOnly.status).toBe(406);
  });
});

describe("bad requests get the apiserver's status and a Status body", () => {
  it("malformed JSON → 400", async () => {
    const res = await api.req("POST", "/api/v1/namespaces/default/configmaps", { body: "{not json", contentType: "application/json" });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ kind: "Status", status: "Failure", reason: "BadRequest", code: 400 });
  });

  it("wrong content type → 415", async () => {
    const res = await api.req("POST", "/api/v1/namespaces/default/configmaps", { body: "a=b", contentType: "application/x-www-form-urlencoded" });
    expect(res.status).toBe(415);
    expect(res.json.reason).toBe("UnsupportedMediaType");
  });

  it("unknown resource → 404 NotFound Status; unknown path → 404", async () => {
    const res = await api.get("/api/v1/namespaces/default/widgets");
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({ kind: "Status", reason: "NotFound", message: "the server could not find the requested resource" });
    expect((await api.get("/nowhere")).status).toBe(404);
  });

  it("unsupported verb → 405", async () => {
    const res = await api.post("/api/v1/componentstatuses", { apiVersion: "v1", kind: "ComponentStatus", metadata: { name: "x" } });
    expect(res.status).toBe(405);
    expect(res.json.reason).toBe("MethodNotAllowed");
  });

  it("methods without a route → 405, as kube-apiserver's endpoint installer routes them", async () => {
    // A namespaced kind across all namespaces is listed and watched only; a collection takes no
    // PUT or PATCH; an object takes no POST.
    const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "routed", namespace: "default" } };
    expect((await api.post("/api/v1/namespaces/default/configmaps", cm)).status).toBe(201);
    const refused: Array<[string, string]> = [
      ["POST", "/api/v1/configmaps"],
      ["DELETE", "/api/v1/configmaps"],
      ["PUT", "/api/v1/configmaps"],
      ["PATCH", "/api/v1/configmaps"],
      ["DELETE", "/apis/apps/v1/deployments"],
      ["PUT", "/api/v1/namespaces/default/configmaps"],
      ["PATCH", "/api/v1/namespaces/default/configmaps"],
      ["POST", "/api/v1/namespaces/default/configmaps/routed"],
      ["PUT", "/api/v1/namespaces"],
    ];
    for (const [method, path] of refused) {
      const res = await api.req(method, path, { body: cm, contentType: method === "PATCH" ? "application/merge-patch+json" : "application/json" });
      expect(res.status, `${method} ${path}`).toBe(405);
      expect(res.json).toMatchObject({ kind: "Status", reason: "MethodNotAllowed", message: "the server does not allow this method on the requested resource" });
    }
    // An object of a namespaced kind is found only under its namespace.
    expect((await api.get("/api/v1/configmaps/routed")).status).toBe(404);
    expect((await api.get("/api/v1/configmaps")).status).toBe(200);
    expect((await api.get("/api/v1/namespaces/default/configmaps/routed")).status).toBe(200);
  });

  it("default, kube-system and kube-public may not be deleted (NamespaceLifecycle), not even in a dry run", async () => {
    for (const name of ["default", "kube-system", "kube-public"]) {
      for (const query of ["", "?dryRun=All"]) {
        const res = await api.del(`/api/v1/namespaces/${name}${query}`);
        expect(res.status).toBe(403);
        expect(res.json).toMatchObject({ kind: "Status", reason: "Forbidden", message: `namespaces "${name}" is forbidden: this namespace may not be deleted`, details: { name, kind: "namespaces" } });
      }
    }
    expect((await api.get("/api/v1/namespaces/default")).json.status).toEqual({ phase: "Active" });
  });

  it("oversize body → 413", async () => {
    const big = configMap("big", { blob: "x".repeat(100 * 1024) });
    const res = await api.post("/api/v1/namespaces/default/configmaps", big);
    expect(res.status).toBe(413);
    expect(res.json.reason).toBe("RequestEntityTooLarge");
    expect((await api.get("/healthz")).status).toBe(200);
  });

  it("gzips large responses for clients that accept it, with an Audit-Id", async () => {
    for (let i = 0; i < 40; i++) await api.post("/api/v1/namespaces/default/configmaps", configMap(`big-${i}`, { blob: "y".repeat(4000) }));
    const zipped = await api.req("GET", "/api/v1/namespaces/default/configmaps", { headers: { "accept-encoding": "gzip" } });
    expect(zipped.headers["content-encoding"]).toBe("gzip");
    expect(zipped.headers["audit-id"]).toMatch(/^[0-9a-f-]{36}$/);
    const plain = await api.get("/api/v1/namespaces/default/configmaps");
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.json.items.length).toBeGreaterThanOrEqual(40);
    await api.del("/api/v1/namespaces/default/configmaps");
  });

  it("empty body → 400; a body of another kind → 400", async () => {
    expect((await api.req("POST", "/api/v1/namespaces/default/configmaps", { body: "", contentType: "application/json" })).status).toBe(400);
    const wrongKind = await api.post("/api/v1/namespaces/default/configmaps", { kind: "Secret", metadata: { name: "x" } });
    expect(wrongKind.status).toBe(400);
    expect(wrongKind.json.message).toBe('Secret in version "v1" cannot be handled as a ConfigMap: converting (v1.Secret) to (core.ConfigMap): unknown conversion');
  });

  it("keeps serving after garbage on the wire", async () => {
    const url = new URL(server.url);
    const tls = await import("node:tls");
    await new Promise<void>((resolve) => {
      const s = tls.connect({ host: url.hostname, port: Number(url.port), ca: server.caCertificate }, () => {
        s.write("GARBAGE / HTTP/9.9\r\n\r\n");
      });
      s.on("data", () => s.destroy());
      s.on("close", () => resolve());
      s.on("error", () => resolve());
    });
    expect((await api.get("/healthz")).status).toBe(200);
  });
});

describe("authentication and authorization", () => {
  it("answers 401 without credentials or with an unknown token", async () => {
    const anon = client(server, null);
    const res = await anon.get("/api/v1/namespaces");
    expect(res.status).toBe(401);
    expect(res.json).toEqual({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "Unauthorized", reason: "Unauthorized", code: 401 });
    expect((await anon.req("GET", "/api", { token: "wrong" })).status).toBe(401);
    await anon.close();
  });

  it("answers 403 in RBAC's words for a denied verb", async () => {
    const viewer = client(server, "viewer-token");
    expect((await viewer.get("/api/v1/namespaces/default/configmaps")).status).toBe(200);
    const res = await viewer.post("/api/v1/namespaces/default/configmaps", configMap("nope"));
    expect(res.status).toBe(403);
    expect(res.json.message).toBe('configmaps is forbidden: User "viewer" cannot create resource "configmaps" in API group "" in the namespace "default"');
    const del = await viewer.del("/apis/apps/v1/namespaces/default/deployments/x");
    expect(del.json.message).toBe('deployments.apps "x" is forbidden: User "viewer" cannot delete resource "deployments" in API group "apps" in the namespace "default"');
    await viewer.close();
  });

  it("authenticates client certificates (CN = user, O = groups)", async () => {
    const cert = server.clientCertificate("alice", ["devs"]);
    const dispatcher = new Agent({ connect: { ca: server.caCertificate, cert: cert.cert, key: cert.key } });
    const res = await request(`${server.url}/api/v1/namespaces`, { dispatcher });
    expect(res.statusCode).toBe(200);
    await res.body.text();
    expect(server.requests.at(-1)?.user).toBe("alice");
    await dispatcher.close();
  });

  it("allows anonymous requests only when enabled, and then only health and version by default", async () => {
    const open = await startTestServer({ kubernetesVersion: "1.32", anonymous: true });
    const anon = client(open, null);
    expect((await anon.get("/version")).status).toBe(200);
    const res = await anon.get("/api/v1/namespaces");
    expect(res.status).toBe(403);
    expect(res.json.message).toContain('User "system:anonymous" cannot list resource "namespaces"');
    const path = await anon.get("/apis");
    expect(path.json.message).toBe('forbidden: User "system:anonymous" cannot get path "/apis"');
    await anon.close();
    await open.close();
  });

  it("answers access, token and self-subject reviews without storing them", async () => {
    const review = (user: string, verb: string) => ({
      apiVersion: "authorization.k8s.io/v1",
      kind: "SubjectAccessReview",
      spec: { user, resourceAttributes: { namespace: "default", verb, resource: "configmaps" } },
    });
    expect((await api.post("/apis/authorization.k8s.io/v1/subjectaccessreviews", review("viewer", "list"))).json.status.allowed).toBe(true);
    expect((await api.post("/apis/authorization.k8s.io/v1/subjectaccessreviews", review("viewer", "delete"))).json.status.allowed).toBe(false);
    const token = await api.post("/apis/authentication.k8s.io/v1/tokenreviews", { apiVersion: "authentication.k8s.io/v1", kind: "TokenReview", spec: { token: "viewer-token" } });
    expect(token.json.status).toEqual({ authenticated: true, user: { username: "viewer", groups: ["viewers", "system:authenticated"] } });
    expect(token.json.spec.token).toBe("viewer-token");
    const me = await api.post("/apis/authentication.k8s.io/v1/selfsubjectreviews", { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" });
    expect(me.json.status.userInfo.username).toBe("admin");
  });

  it("impersonates users and groups when the caller may, and answers 403 when not", async () => {
    const asBob = await api.req("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", {
      body: { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" },
      headers: { "impersonate-user": "bob", "impersonate-group": "devs" },
    });
    expect(asBob.json.status.userInfo).toEqual({ username: "bob", groups: ["devs", "system:authenticated"] });
    const viewer = client(server, "viewer-token");
    const denied = await viewer.req("GET", "/api/v1/namespaces", { headers: { "impersonate-user": "admin" } });
    expect(denied.status).toBe(403);
    expect(denied.json.message).toBe('users "admin" is forbidden: User "viewer" cannot impersonate resource "users" in API group "" at the cluster scope');
    await viewer.close();
  });

  it("redacts the Authorization header in the request log", () => {
    expect(server.requests.some((r) => r.headers.authorization === "<redacted>")).toBe(true);
    expect(JSON.stringify(server.requests)).not.toContain("admin-token");
  });
});

describe("faults", () => {
  it("injects statuses with Retry-After for a number of times", async () => {
    const fault = server.faults.inject({ match: { verb: "list", resource: "configmaps" }, status: 429, retryAfter: 2, times: 2 });
    const a = await api.get("/api/v1/namespaces/default/configmaps");
    expect(a.status).toBe(429);
    expect(a.headers["retry-after"]).toBe("2");
    expect(a.json).toMatchObject({ reason: "TooManyRequests", details: { retryAfterSeconds: 2 }, code: 429 });
    expect((await api.get("/api/v1/namespaces/default/configmaps")).status).toBe(429);
    expect((await api.get("/api/v1/namespaces/default/configmaps")).status).toBe(200);
    expect(fault.hits).toBe(2);
  });

  it("matches by method, path prefix, RegExp or function, and can be removed", async () => {
    const f1 = server.faults.inject({ match: { method: "POST", path: "/api/v1/namespaces/default/*" }, status: 503 });
    expect((await api.post("/api/v1/namespaces/default/configmaps", configMap("f1"))).status).toBe(503);
    f1.remove();
    expect((await api.post("/api/v1/namespaces/default/configmaps", configMap("f1"))).status).toBe(201);
    const f2 = server.faults.inject({ match: { path: /\/secrets$/ }, status: 500, message: "boom" });
    const res = await api.get("/api/v1/namespaces/default/secrets");
    expect(res.json).toMatchObject({ code: 500, reason: "InternalError", message: "boom" });
    f2.remove();
    server.faults.inject({ match: (r) => r.name === "fn-match", status: 504, times: 1 });
    expect((await api.get("/api/v1/namespaces/default/configmaps/fn-match")).status).toBe(504);
  });

  it("adds latency: a delayed request answers after one sent later", async () => {
    server.faults.inject({ match: { path: "/version" }, latencyMs: 300, times: 1 });
    const order: string[] = [];
    const slow = api.get("/version").then((r) => order.push(`version ${r.status}`));
    await new Promise((r) => setTimeout(r, 20));
    const fast = api.get("/healthz").then((r) => order.push(`healthz ${r.status}`));
    await Promise.all([slow, fast]);
    expect(order).toEqual(["healthz 200", "version 200"]);
  });

  it("answers 504 when injected latency outlives the request's timeout parameter", async () => {
    server.faults.inject({ match: { path: "/api/v1/namespaces" }, latencyMs: 2000, times: 1 });
    const res = await api.get("/api/v1/namespaces?timeout=100ms");
    expect(res.status).toBe(504);
    expect(res.json).toMatchObject({ reason: "Timeout", message: "Timeout: request did not complete within requested timeout - context deadline exceeded" });
  });

  it("resets connections", async () => {
    server.faults.inject({ match: { path: "/api/v1/namespaces/default/pods" }, resetConnection: true, times: 1 });
    await expect(api.get("/api/v1/namespaces/default/pods")).rejects.toThrow();
    expect((await api.get("/api/v1/namespaces/default/pods")).status).toBe(200);
  });

  it("cuts watches after a number of events", async () => {
    for (const n of ["cut1", "cut2", "cut3"]) await api.post("/api/v1/namespaces/default/configmaps", configMap(n, {}, { cut: "yes" }));
    server.faults.inject({ match: { verb: "watch" }, cutWatchAfterEvents: 2, times: 1 });
    const w = await api.watch("/api/v1/namespaces/default/configmaps?watch=true&labelSelector=cut%3Dyes");
    await w.next();
    await w.next();
    await w.ended;
    await expect(w.next(300)).rejects.toThrow();
  });

  it("records what the server received", async () => {
    server.requests.length = 0;
    await api.req("POST", "/api/v1/namespaces/default/configmaps?fieldManager=me", { body: configMap("rec") });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({ method: "POST", path: "/api/v1/namespaces/default/configmaps", query: { fieldManager: "me" }, verb: "create", resource: "configmaps", namespace: "default", status: 201, user: "admin" });
    expect(JSON.parse(server.requests[0]!.body!).metadata.name).toBe("rec");
  });

  it("clears faults", async () => {
    server.faults.inject({ status: 500 });
    server.faults.clear();
    expect((await api.get("/version")).status).toBe(200);
  });
});

/** A namespaced CRD with one or more versions. */
function crdOf(kind: string, plural: string, versions: Array<Record<string, unknown>>, extraNames: Record<string, unknown> = {}) {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${plural}.example.com` },
    spec: { group: "example.com", names: { kind, plural, ...extraNames }, scope: "Namespaced", versions },
  };
}

describe("custom resources", () => {
  const crd = crdOf(
    "Gadget",
    "gadgets",
    [
        {
          name: "v1",
          served: true,
          storage: true,
          subresources: { status: {}, scale: { specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas" } },
          additionalPrinterColumns: [{ name: "Size", type: "integer", jsonPath: ".spec.size" }],
          selectableFields: [{ jsonPath: ".spec.color" }],
          schema: {
            openAPIV3Schema: {
              type: "object",
              properties: {
                spec: { type: "object", required: ["size"], properties: { size: { type: "integer" }, replicas: { type: "integer" }, color: { type: "string" } } },
                status: { type: "object", properties: { replicas: { type: "integer" } } },
              },
            },
          },
        },
        { name: "v1beta1", served: true, storage: false, schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } },
      ],
    { singular: "gadget", shortNames: ["gd"] },
  );
  const G = "/apis/example.com/v1/namespaces/default/gadgets";

  it("serves a CRD's resources once created, with status conditions", async () => {
    const res = await api.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd);
    expect(res.status).toBe(201);
    const stored = await api.get("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gadgets.example.com");
    expect(stored.json.status.conditions.map((c: { type: string }) => c.type)).toEqual(["NamesAccepted", "Established"]);
    expect(stored.json.metadata.finalizers).toContain("customresourcecleanup.apiextensions.k8s.io");
    const disc = await api.get("/apis/example.com/v1");
    expect(disc.json.resources.map((r: { name: string }) => r.name)).toEqual(["gadgets", "gadgets/scale", "gadgets/status"]);
    expect((await api.get("/apis/example.com")).json.preferredVersion.version).toBe("v1");
  });

  it("validates custom resources with the CRD schema (422) and prunes unknown fields", async () => {
    const bad = await api.post(G, { apiVersion: "example.com/v1", kind: "Gadget", metadata: { name: "bad" }, spec: { size: "big" } });
    expect(bad.status).toBe(422);
    expect(bad.json.message).toBe('Gadget.example.com "bad" is invalid: spec.size: Invalid value: "string": spec.size in body must be of type integer: "string"');
    const missing = await api.post(G, { apiVersion: "example.com/v1", kind: "Gadget", metadata: { name: "bad" }, spec: {} });
    expect(missing.json.details.causes[0]).toMatchObject({ reason: "FieldValueRequired", field: "spec.size" });
    const ok = await api.post(G, { apiVersion: "example.com/v1", kind: "Gadget", metadata: { name: "g1" }, spec: { size: 1, replicas: 1, color: "red", extra: true } });
    expect(ok.status).toBe(201);
    expect(ok.json.spec.extra).toBeUndefined();
    expect(ok.json.metadata.generation).toBe(1);
  });

  it("rejects strategic merge patches for custom resources with 415", async () => {
    const res = await api.patch(`${G}/g1`, { spec: { size: 2 } }, "strategic");
    expect(res.status).toBe(415);
    expect(res.json.message).toContain("application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml");
  });

  it("serves status and scale subresources, tables from printer columns, selectable fields", async () => {
    const scaled = await api.patch(`${G}/g1/scale`, { spec: { replicas: 3 } }, "merge");
    expect(scaled.json).toMatchObject({ kind: "Scale", spec: { replicas: 3 } });
    const current = (await api.get(`${G}/g1`)).json;
    expect(current.spec.replicas).toBe(3);
    const status = await api.put(`${G}/g1/status`, { ...current, spec: { size: 99 }, status: { replicas: 3 } });
    expect(status.json.spec.size).toBe(1);
    expect(status.json.status.replicas).toBe(3);
    const table = await api.get(G, "application/json;as=Table;v=v1;g=meta.k8s.io");
    expect(table.json.columnDefinitions.map((c: { name: string }) => c.name)).toEqual(["Name", "Size"]);
    expect(table.json.rows[0].cells).toEqual(["g1", 1]);
    const byColor = await api.get(`${G}?fieldSelector=spec.color%3Dred`);
    expect(byColor.json.items).toHaveLength(1);
    expect(byColor.json.items[0].kind).toBe("Gadget");
    const other = await api.get(`/apis/example.com/v1beta1/namespaces/default/gadgets/g1`);
    expect(other.json.apiVersion).toBe("example.com/v1beta1");
  });

  it("requires resourceVersion on custom resource updates", async () => {
    const current = (await api.get(`${G}/g1`)).json;
    delete current.metadata.resourceVersion;
    const res = await api.put(`${G}/g1`, current);
    expect(res.status).toBe(422);
    expect(res.json.message).toContain("metadata.resourceVersion: Invalid value: 0: must be specified for an update");
  });

  it("rejects a CRD whose name does not match its names", async () => {
    const res = await api.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", { ...crd, metadata: { name: "wrong.example.com" } });
    expect(res.status).toBe(422);
    expect(res.json.message).toContain('must be spec.names.plural+"."+spec.group');
  });

  it("stops serving and removes objects when the CRD is deleted", async () => {
    const res = await api.del("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gadgets.example.com");
    expect([200, 202]).toContain(res.status);
    for (let i = 0; i < 50 && (await api.get("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gadgets.example.com")).status === 200; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect((await api.get(G)).status).toBe(404);
    expect((await api.get("/apis/example.com/v1")).status).toBe(404);
  });

  it("fills CRD defaults and enforces x-kubernetes-validations (CEL), transition rules included", async () => {
    const ranged = crdOf("Range", "ranges", [
          {
            name: "v1",
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: "object",
                properties: {
                  spec: {
                    type: "object",
                    "x-kubernetes-validations": [{ rule: "self.min <= self.max", message: "min must not exceed max" }],
                    properties: {
                      min: { type: "integer" },
                      max: { type: "integer" },
                      unit: { type: "string", default: "m" },
                      id: { type: "string", "x-kubernetes-validations": [{ rule: "self == oldSelf", message: "id is immutable" }] },
                    },
                  },
                },
              },
            },
          },
        ]);
    expect((await api.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", ranged)).status).toBe(201);
    const R = "/apis/example.com/v1/namespaces/default/ranges";
    const bad = await api.post(R, { apiVersion: "example.com/v1", kind: "Range", metadata: { name: "r" }, spec: { min: 5, max: 1 } });
    expect(bad.status).toBe(422);
    expect(bad.json.message).toBe('Range.example.com "r" is invalid: spec: Invalid value: "object": min must not exceed max');
    const ok = await api.post(R, { apiVersion: "example.com/v1", kind: "Range", metadata: { name: "r" }, spec: { min: 1, max: 5, id: "a" } });
    expect(ok.status).toBe(201);
    expect(ok.json.spec.unit).toBe("m");
    const changed = await api.patch(`${R}/r`, { spec: { id: "b" } }, "merge");
    expect(changed.status).toBe(422);
    expect(changed.json.message).toContain("id is immutable");
  });

  it("starts with CRDs and objects given as options", async () => {
    const s = await startTestServer({
      kubernetesVersion: "1.32",
      crds: [crd],
      objects: [{ apiVersion: "example.com/v1", kind: "Gadget", metadata: { name: "seed", namespace: "seeded" }, spec: { size: 4 } }, configMap("plain")],
    });
    const c = client(s);
    expect((await c.get("/apis/example.com/v1/namespaces/seeded/gadgets/seed")).json.spec.size).toBe(4);
    expect((await c.get("/api/v1/namespaces/default/configmaps/plain")).status).toBe(200);
    await c.close();
    await s.close();
  });
});

describe("server-side apply", () => {
  const D = "/apis/apps/v1/namespaces/default/deployments";
  const applied = (replicas: number, image = "nginx:1.25") => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "ssa" },
    spec: {
      replicas,
      selector: { matchLabels: { app: "ssa" } },
      template: { metadata: { labels: { app: "ssa" } }, spec: { containers: [{ name: "main", image }] } },
    },
  });
  const apply = (body: unknown, manager: string, force = false) =>
    api.req("PATCH", `${D}/ssa?fieldManager=${manager}${force ? "&force=true" : ""}`, { body, contentType: "application/apply-patch+yaml" });

  it("creates with an Apply managed-fields entry", async () => {
    const res = await apply(applied(1), "alpha");
    expect(res.status).toBe(201);
    const entry = res.json.metadata.managedFields[0];
    expect(entry).toMatchObject({ manager: "alpha", operation: "Apply", apiVersion: "apps/v1" });
    expect(entry.fieldsV1["f:spec"]["f:template"]["f:spec"]["f:containers"]['k:{"name":"main"}']).toEqual({ ".": {}, "f:image": {}, "f:name": {} });
  });

  it("accepts YAML apply bodies and requires a field manager", async () => {
    const yaml = [
      "apiVersion: apps/v1",
      "kind: Deployment",
      "metadata: {name: ssa}",
      "spec:",
      "  replicas: 1",
      "  selector: {matchLabels: {app: ssa}}",
      "  template:",
      "    metadata: {labels: {app: ssa}}",
      "    spec: {containers: [{name: main, image: 'nginx:1.25'}]}",
    ].join("\n");
    expect((await apply(yaml, "alpha")).status).toBe(200);
    const partial = await apply("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ssa}\nspec: {replicas: 1}\n", "alpha");
    // Dropping fields from the applied configuration removes them; the result misses required ones.
    expect(partial.status).toBe(422);
    const noManager = await api.req("PATCH", `${D}/ssa`, { body: applied(1), contentType: "application/apply-patch+yaml" });
    expect(noManager.status).toBe(400);
    await apply(applied(1), "alpha");
  });

  it("reports a conflict with another manager (409) and takes the field with force", async () => {
    const conflict = await apply(applied(4), "beta");
    expect(conflict.status).toBe(409);
    expect(conflict.json.message).toBe('Apply failed with 1 conflict: conflict with "alpha": .spec.replicas');
    expect(conflict.json.details.causes).toEqual([{ reason: "FieldManagerConflict", message: 'conflict with "alpha"', field: ".spec.replicas" }]);
    const forced = await apply(applied(4), "beta", true);
    expect(forced.status).toBe(200);
    expect(forced.json.spec.replicas).toBe(4);
    const alpha = forced.json.metadata.managedFields.find((m: { manager: string }) => m.manager === "alpha");
    expect(alpha.fieldsV1["f:spec"]["f:replicas"]).toBeUndefined();
  });

  it("lets managers co-own fields with equal values without conflict", async () => {
    const res = await apply(applied(4), "gamma");
    expect(res.status).toBe(200);
  });

  it("conflicts with Update managers, naming their apiVersion", async () => {
    await api.patch(`${D}/ssa`, { spec: { template: { spec: { containers: [{ name: "main", image: "nginx:1.26" }] } } } }, "merge");
    const res = await apply(applied(4), "beta");
    expect(res.status).toBe(409);
    expect(res.json.message).toMatch(/^Apply failed with 1 conflict: conflict with "[^"]+" using apps\/v1 at [\dT:-]+Z: \.spec\.template\.spec\.containers\[name="main"\]\.image$/);
  });

  it("removes fields a manager stops applying (when nobody else owns them)", async () => {
    const withLabel = applied(4, "nginx:1.26") as ReturnType<typeof applied> & { metadata: Record<string, unknown> };
    withLabel.metadata.labels = { owned: "by-delta" };
    await apply(withLabel, "delta", true);
    expect((await api.get(`${D}/ssa`)).json.metadata.labels).toEqual({ owned: "by-delta" });
    const res = await apply(applied(4, "nginx:1.26"), "delta");
    expect(res.json.metadata.labels).toBeUndefined();
  });

  it("merges list-map items by key from different managers", async () => {
    const sidecar = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "ssa" }, spec: { template: { spec: { containers: [{ name: "sidecar", image: "envoy" }] } } } };
    const res = await apply(sidecar, "epsilon");
    expect(res.json.spec.template.spec.containers.map((c: { name: string }) => c.name)).toEqual(["main", "sidecar"]);
  });

  it("keys list-map items by their defaulted keys (a port without protocol is TCP)", async () => {
    const ported = { apiVersion: "v1", kind: "Pod", metadata: { name: "ported" }, spec: { containers: [{ name: "c", image: "x", ports: [{ containerPort: 80 }] }] } };
    const path = "/api/v1/namespaces/default/pods/ported?fieldManager=ports";
    await api.req("PATCH", path, { body: ported, contentType: "application/apply-patch+yaml" });
    const again = await api.req("PATCH", path, { body: ported, contentType: "application/apply-patch+yaml" });
    expect(again.status).toBe(200);
    expect(again.json.spec.containers[0].ports).toEqual([{ containerPort: 80, protocol: "TCP" }]);
  });

  it("applies with dryRun without storing", async () => {
    const before = (await api.get(`${D}/ssa`)).json;
    const res = await api.req("PATCH", `${D}/ssa?fieldManager=alpha&force=true&dryRun=All`, { body: applied(9, "nginx:1.26"), contentType: "application/apply-patch+yaml" });
    expect(res.json.spec.replicas).toBe(9);
    expect((await api.get(`${D}/ssa`)).json.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  });
});

describe("pods/exec over WebSocket", () => {
  beforeAll(async () => {
    await api.post("/api/v1/namespaces/default/pods", pod("shell"));
  });

  it("runs canned commands over v5.channel.k8s.io with stdout and a Success status", async () => {
    const res = await execWs(server, "/api/v1/namespaces/default/pods/shell/exec?command=echo&command=hello&stdout=true&stderr=true");
    expect(res.protocol).toBe("v5.channel.k8s.io");
    expect(res.channels[1]).toBe("hello\n");
    expect(JSON.parse(res.channels[3]!)).toEqual({ metadata: {}, status: "Success" });
  });

  it("passes stdin through and reports exit codes on the error channel (v4)", async () => {
    const cat = await execWs(server, "/api/v1/namespaces/default/pods/shell/exec?command=cat&stdin=true&stdout=true", { stdin: "piped", protocol: "v4.channel.k8s.io" });
    expect(cat.channels[1]).toBe("piped");
    const fail = await execWs(server, "/api/v1/namespaces/default/pods/shell/exec?command=sh&command=-c&command=exit%203&stdout=true");
    const status = JSON.parse(fail.channels[3]!);
    expect(status).toMatchObject({ status: "Failure", reason: "NonZeroExitCode", details: { causes: [{ reason: "ExitCode", message: "3" }] } });
  });

  it("refuses unknown pods and missing protocols", async () => {
    const missing = await execWs(server, "/api/v1/namespaces/default/pods/ghost/exec?command=true");
    expect(missing.status).toBe(404);
    // No offered subprotocol supported: Go's websocket server (the kubelet's) answers 403 Forbidden.
    const noProto = await execWs(server, "/api/v1/namespaces/default/pods/shell/exec?command=true", { protocol: "chat" });
    expect(noProto.status).toBe(403);
    const plain = await api.get("/api/v1/namespaces/default/pods/shell/exec?command=true");
    expect(plain.status).toBe(400);
  });

  it("uses the test's exec handler", async () => {
    const s = await startTestServer({ kubernetesVersion: "1.32", exec: ({ command, pod: p }) => ({ stdout: `${p}:${command.join("+")}`, stderr: "warn", exitCode: 0 }), objects: [pod("custom")] });
    const res = await execWs(s, "/api/v1/namespaces/default/pods/custom/exec?command=a&command=b&stdout=true&stderr=true", { token: tokenOf(s) });
    expect(res.channels[1]).toBe("custom:a+b");
    expect(res.channels[2]).toBe("warn");
    await s.close();
  });
});

describe("connect()", () => {
  it("hands the kubeconfig to the client's connect, or says the client is not built in yet", async () => {
    const clientModule = (await import("../../src/client/index.js")) as Record<string, unknown>;
    if (typeof clientModule.connect === "function") expect(await server.connect()).toBeDefined();
    else await expect(server.connect()).rejects.toThrow("the kubezod client is not part of this build yet");
  });
});

describe("plain HTTP", () => {
  it("serves without TLS when asked", async () => {
    const s = await startTestServer({ kubernetesVersion: "1.32", https: false });
    expect(s.url).toMatch(/^http:\/\//);
    expect(s.caCertificate).toBeUndefined();
    const c = client(s);
    expect((await c.post("/apis/apps/v1/namespaces/default/deployments", deployment("plain"))).status).toBe(201);
    await c.close();
    await s.close();
  });
});
