/**
 * Custom resources whose CRD converts by webhook: a real HTTPS conversion webhook started here
 * (v1 `spec.hostPort: "host:port"` ⇄ v2 `spec.host` and `spec.port`, as the Kubebuilder tutorial's
 * CronJob conversion splits a field), called by the local API server for writes, reads, lists and
 * watches, and refused as kube-apiserver refuses a bad answer.
 */
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CertificateAuthority } from "../../src/testing/certificates.js";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { client, convertHostPort, type Client } from "./helpers.js";

type Obj = Record<string, any>;
type Review = { apiVersion: string; kind: string; request: { uid: string; desiredAPIVersion: string; objects: Obj[] } };

const ca = new CertificateAuthority("conversion-ca");
const caBundle = Buffer.from(ca.cert).toString("base64");
const reviews: Review[] = [];
/** Replaces the answer of the webhook when set. */
let override: ((review: Review) => unknown) | undefined;
let hookServer: https.Server;
let server: TestServer;
let api: Client;

const CRD = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: "endpoints.conv.example.com" },
  spec: {
    group: "conv.example.com",
    scope: "Namespaced",
    names: { plural: "endpoints", singular: "endpoint", kind: "Endpoint", listKind: "EndpointList" },
    versions: [
      {
        name: "v1",
        served: true,
        storage: true,
        schema: { openAPIV3Schema: { type: "object", properties: { spec: { type: "object", properties: { hostPort: { type: "string" } } } } } },
      },
      {
        name: "v2",
        served: true,
        storage: false,
        schema: { openAPIV3Schema: { type: "object", properties: { spec: { type: "object", properties: { host: { type: "string" }, port: { type: "integer" } } } } } },
      },
    ],
    conversion: { strategy: "Webhook", webhook: { conversionReviewVersions: ["v1"], clientConfig: { service: { namespace: "system", name: "converter", path: "/convert", port: 443 }, caBundle } } },
  },
};

const V1 = "/apis/conv.example.com/v1/namespaces/default/endpoints";
const V2 = "/apis/conv.example.com/v2/namespaces/default/endpoints";

beforeAll(async () => {
  const { cert, key } = ca.serving(["converter.system.svc"], ["127.0.0.1"]);
  hookServer = https.createServer({ cert, key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const review = JSON.parse(Buffer.concat(chunks).toString()) as Review;
      reviews.push(review);
      const answer = override?.(review) ?? {
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "ConversionReview",
        response: { uid: review.request.uid, result: { status: "Success" }, convertedObjects: review.request.objects.map((o) => convertHostPort(o, review.request.desiredAPIVersion)) },
      };
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => hookServer.listen(0, "127.0.0.1", resolve));
  const hookBase = `https://127.0.0.1:${(hookServer.address() as AddressInfo).port}`;
  server = await startTestServer({ kubernetesVersion: "1.33", controllers: false, webhookServices: { "system/converter": hookBase } });
  api = client(server);
  expect((await api.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", CRD)).status).toBe(201);
  for (let i = 0; i < 100 && (await api.get(V2)).status !== 200; i++) await new Promise((r) => setTimeout(r, 20));
});

afterAll(async () => {
  await api?.close();
  await server?.close();
  hookServer?.closeAllConnections();
  await new Promise((r) => hookServer?.close(r));
});

afterEach(() => {
  override = undefined;
  reviews.length = 0;
});

describe("a CRD with a conversion webhook", () => {
  it("stores at the storage version and serves each version its own fields, asking the webhook both ways", async () => {
    const created = await api.post(V2, { apiVersion: "conv.example.com/v2", kind: "Endpoint", metadata: { name: "db", labels: { tier: "data" } }, spec: { host: "db.local", port: 5432 } });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ apiVersion: "conv.example.com/v2", spec: { host: "db.local", port: 5432 } });
    // Written at v2, stored at v1: the webhook was asked for v1, then for v2 for the answer.
    expect(reviews.map((r) => [r.apiVersion, r.request.desiredAPIVersion, r.request.objects.length])).toEqual([
      ["apiextensions.k8s.io/v1", "conv.example.com/v1", 1],
      ["apiextensions.k8s.io/v1", "conv.example.com/v2", 1],
    ]);
    const atV1 = await api.get(`${V1}/db`);
    expect(atV1.json).toMatchObject({ apiVersion: "conv.example.com/v1", spec: { hostPort: "db.local:5432" } });
    expect(atV1.json.metadata).toMatchObject({ name: "db", uid: created.json.metadata.uid, resourceVersion: created.json.metadata.resourceVersion, labels: { tier: "data" } });

    // An update at v2 of the v1-stored object.
    const updated = await api.put(`${V2}/db`, { ...created.json, spec: { host: "db.local", port: 6432 } });
    expect(updated.status).toBe(200);
    expect(updated.json.spec).toEqual({ host: "db.local", port: 6432 });
    expect((await api.get(`${V1}/db`)).json.spec).toEqual({ hostPort: "db.local:6432" });
    const patched = await api.patch(`${V2}/db`, { spec: { port: 7432 } }, "merge");
    expect(patched.json.spec).toEqual({ host: "db.local", port: 7432 });
  });

  it("converts a list in one review, and watch events as they happen", async () => {
    for (const name of ["a", "b", "c"]) await api.post(V1, { apiVersion: "conv.example.com/v1", kind: "Endpoint", metadata: { name: `list-${name}` }, spec: { hostPort: `${name}.local:80` } });
    reviews.length = 0;
    const list = await api.get(`${V2}?labelSelector=!tier`);
    expect(list.status).toBe(200);
    expect(list.json.items.map((o: Obj) => [o.apiVersion, o.spec.host, o.spec.port])).toEqual([
      ["conv.example.com/v2", "a.local", 80],
      ["conv.example.com/v2", "b.local", 80],
      ["conv.example.com/v2", "c.local", 80],
    ]);
    expect(reviews.map((r) => r.request.objects.length)).toEqual([3]);

    const watch = await api.watch(`${V2}?watch=true&resourceVersion=${list.json.metadata.resourceVersion}`);
    await api.post(V1, { apiVersion: "conv.example.com/v1", kind: "Endpoint", metadata: { name: "watched" }, spec: { hostPort: "w.local:8080" } });
    const event = await watch.next();
    watch.close();
    expect(event).toMatchObject({ type: "ADDED", object: { apiVersion: "conv.example.com/v2", metadata: { name: "watched" }, spec: { host: "w.local", port: 8080 } } });
  });

  it("answers a failed conversion as kube-apiserver does, naming the webhook's message", async () => {
    await api.post(V1, { apiVersion: "conv.example.com/v1", kind: "Endpoint", metadata: { name: "broken" }, spec: { hostPort: "x:1" } });
    override = (review) => ({ apiVersion: "apiextensions.k8s.io/v1", kind: "ConversionReview", response: { uid: review.request.uid, result: { status: "Failure", message: "cannot convert x" } } });
    const res = await api.get(`${V2}/broken`);
    expect(res.status).toBe(500);
    expect(res.json.message).toBe("conversion webhook for conv.example.com/v1, Kind=Endpoint failed: cannot convert x");
  });

  it("refuses an answer that changes the name, the uid or the version asked for, and one for another request", async () => {
    await api.post(V1, { apiVersion: "conv.example.com/v1", kind: "Endpoint", metadata: { name: "strict" }, spec: { hostPort: "s:1" } });
    const answerWith = (change: (o: Obj) => Obj, uid?: string) => (review: Review) => ({
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "ConversionReview",
      response: { uid: uid ?? review.request.uid, result: { status: "Success" }, convertedObjects: review.request.objects.map((o) => change(convertHostPort(o, review.request.desiredAPIVersion))) },
    });
    override = answerWith((o) => ({ ...o, metadata: { ...o.metadata, name: "other" } }));
    expect((await api.get(`${V2}/strict`)).json.message).toBe("conversion webhook for conv.example.com/v1, Kind=Endpoint returned invalid object: must have the same name: strict != other");
    override = answerWith((o) => ({ ...o, apiVersion: "conv.example.com/v1" }));
    expect((await api.get(`${V2}/strict`)).json.message).toBe(
      "conversion webhook for conv.example.com/v1, Kind=Endpoint returned invalid object at index 0: invalid groupVersion (expected conv.example.com/v2, received conv.example.com/v1)",
    );
    override = answerWith((o) => o, "not-the-uid");
    expect((await api.get(`${V2}/strict`)).json.message).toMatch(/^conversion webhook for conv\.example\.com\/v1, Kind=Endpoint failed: expected response\.uid="[0-9a-f-]{36}", got "not-the-uid"$/);
    // Labels and annotations may change; other metadata is the stored object's.
    override = answerWith((o) => ({ ...o, metadata: { ...o.metadata, labels: { converted: "yes" }, generation: 99 } }));
    const ok = (await api.get(`${V2}/strict`)).json;
    expect(ok.metadata.labels).toEqual({ converted: "yes" });
    expect(ok.metadata.generation).toBe(1);
  });

  it("prunes what the webhook answers to the desired version's schema: unknown fields, and nulls the schema does not allow", async () => {
    const answerWith = (change: (o: Obj) => Obj) => (review: Review) => ({
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "ConversionReview",
      response: { uid: review.request.uid, result: { status: "Success" }, convertedObjects: review.request.objects.map((o) => change(convertHostPort(o, review.request.desiredAPIVersion))) },
    });
    // Read at v2: the answer's extra field, its null port and an undeclared status are not served.
    await api.post(V1, { apiVersion: "conv.example.com/v1", kind: "Endpoint", metadata: { name: "pruned" }, spec: { hostPort: "p.local:1" } });
    override = answerWith((o) => ({ ...o, spec: { ...o.spec, extra: "dropped", port: null }, status: { ready: true } }));
    const read = await api.get(`${V2}/pruned`);
    expect(read.status, read.text).toBe(200);
    expect(read.json.spec).toEqual({ host: "p.local" });
    expect(read.json.status).toBeUndefined();
    // Written at v2: what the webhook adds to the v1 object is pruned before it is stored.
    override = answerWith((o) => (o.apiVersion === "conv.example.com/v1" ? { ...o, spec: { ...o.spec, legacy: "x" } } : o));
    const written = await api.post(V2, { apiVersion: "conv.example.com/v2", kind: "Endpoint", metadata: { name: "pruned-on-write" }, spec: { host: "w.local", port: 2 } });
    expect(written.status, written.text).toBe(201);
    override = undefined;
    const stored = await api.get(`${V1}/pruned-on-write`);
    expect(stored.json.spec).toEqual({ hostPort: "w.local:2" });
  });

  it("reports a webhook it cannot reach with client-go's error", async () => {
    const unreachable = await startTestServer({ kubernetesVersion: "1.33", controllers: false, webhookServices: { "system/converter": "https://127.0.0.1:1" } });
    const other = client(unreachable);
    try {
      expect((await other.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", CRD)).status).toBe(201);
      for (let i = 0; i < 100 && (await other.get(V2)).status !== 200; i++) await new Promise((r) => setTimeout(r, 20));
      const res = await other.post(V2, { apiVersion: "conv.example.com/v2", kind: "Endpoint", metadata: { name: "x" }, spec: { host: "h", port: 1 } });
      expect(res.status).toBe(500);
      expect(res.json.message).toMatch(/^conversion webhook for conv\.example\.com\/v2, Kind=Endpoint failed: Post "https:\/\/127\.0\.0\.1:1\/convert\?timeout=30s": dial tcp 127\.0\.0\.1:1: connect: connection refused$/);
    } finally {
      await other.close();
      await unreachable.close();
    }
  });
});

describe("custom resources read from storage", () => {
  it("get the defaults of the version they are stored at, also a default added to the CRD after they were written", async () => {
    const crd = {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "knobs.defaults.example.com" },
      spec: {
        group: "defaults.example.com",
        scope: "Namespaced",
        names: { plural: "knobs", singular: "knob", kind: "Knob", listKind: "KnobList" },
        versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", properties: { spec: { type: "object", properties: { size: { type: "integer" }, mode: { type: "string" } } } } } } }],
      },
    };
    const path = "/apis/defaults.example.com/v1/namespaces/default/knobs";
    const created = await api.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd);
    expect(created.status).toBe(201);
    for (let i = 0; i < 100 && (await api.get(path)).status !== 200; i++) await new Promise((r) => setTimeout(r, 20));
    expect((await api.post(path, { apiVersion: "defaults.example.com/v1", kind: "Knob", metadata: { name: "old" }, spec: { size: 1 } })).status).toBe(201);
    const withDefault = (await api.get("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/knobs.defaults.example.com")).json;
    withDefault.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.mode.default = "auto";
    expect((await api.put("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/knobs.defaults.example.com", withDefault)).status).toBe(200);
    let read: Obj = {};
    for (let i = 0; i < 100; i++) {
      read = (await api.get(`${path}/old`)).json;
      if (read.spec?.mode) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(read.spec).toEqual({ size: 1, mode: "auto" });
    const list = await api.get(path);
    expect(list.json.items[0].spec).toEqual({ size: 1, mode: "auto" });
  });
});
