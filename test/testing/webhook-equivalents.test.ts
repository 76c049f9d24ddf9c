/**
 * Admission webhooks with `matchPolicy: Equivalent` in the local API server: a request that
 * matches a rule only through another served version of its resource is sent to the webhook
 * converted to that version (kube-apiserver's VersionedAttributes), with `kind`/`resource` naming
 * the rule's version and `requestKind`/`requestResource` the request's; a mutating webhook's patch
 * is converted back. Built-in conversions (HorizontalPodAutoscaler v2 ⇄ v1), a CRD's conversion
 * webhook and a CRD converted by relabelling (`None`) are all used. A real HTTPS server started
 * here serves both the admission webhooks and the conversion webhook. A ValidatingAdmissionPolicy
 * matched through an equivalent version is shown the object converted by the same conversions.
 */
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CertificateAuthority } from "../../src/testing/certificates.js";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { allowedReview, client, convertHostPort, type Client } from "./helpers.js";

type Obj = Record<string, any>;
type Review = { request: any };

const ca = new CertificateAuthority("equivalent-ca");
const caBundle = Buffer.from(ca.cert).toString("base64");
const received: Record<string, Review[]> = {};
let patches: Record<string, unknown[]> = {};
let conversions: Array<{ desired: string; count: number }> = [];
let hookServer: https.Server;
let hookBase: string;
let server: TestServer;
let api: Client;

const schema = (spec: Obj) => ({ openAPIV3Schema: { type: "object", properties: { spec: { type: "object", properties: spec } } } });

const CONVERTED_CRD = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: "endpoints.conv.example.com" },
  spec: {
    group: "conv.example.com",
    scope: "Namespaced",
    names: { plural: "endpoints", singular: "endpoint", kind: "Endpoint", listKind: "EndpointList" },
    versions: [
      { name: "v1", served: true, storage: true, schema: schema({ hostPort: { type: "string" } }) },
      { name: "v2", served: true, storage: false, schema: schema({ host: { type: "string" }, port: { type: "integer" } }) },
    ],
    conversion: { strategy: "Webhook", webhook: { conversionReviewVersions: ["v1"], clientConfig: { url: "", caBundle } } },
  },
};

const RELABELLED_CRD = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: "gadgets.plain.example.com" },
  spec: {
    group: "plain.example.com",
    scope: "Namespaced",
    names: { plural: "gadgets", singular: "gadget", kind: "Gadget", listKind: "GadgetList" },
    versions: [
      { name: "v1", served: true, storage: true, schema: schema({ size: { type: "integer" } }) },
      { name: "v2", served: true, storage: false, schema: schema({ size: { type: "integer" } }) },
    ],
  },
};

beforeAll(async () => {
  const { cert, key } = ca.serving(["localhost"], ["127.0.0.1"]);
  hookServer = https.createServer({ cert, key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString()) as Obj;
      const path = new URL(req.url!, "https://x").pathname;
      res.writeHead(200, { "content-type": "application/json" });
      if (path === "/convert") {
        const { uid, desiredAPIVersion, objects } = body.request as { uid: string; desiredAPIVersion: string; objects: Obj[] };
        conversions.push({ desired: desiredAPIVersion, count: objects.length });
        res.end(JSON.stringify({ apiVersion: "apiextensions.k8s.io/v1", kind: "ConversionReview", response: { uid, result: { status: "Success" }, convertedObjects: objects.map((o) => convertHostPort(o, desiredAPIVersion)) } }));
        return;
      }
      const review = body as Review;
      (received[path] ??= []).push(review);
      const patch = patches[path];
      res.end(allowedReview(review.request.uid, patch));
    });
  });
  await new Promise<void>((resolve) => hookServer.listen(0, "127.0.0.1", resolve));
  hookBase = `https://127.0.0.1:${(hookServer.address() as AddressInfo).port}`;
  server = await startTestServer({ kubernetesVersion: "1.33", controllers: false });
  api = client(server);
  const converted = structuredClone(CONVERTED_CRD);
  converted.spec.conversion.webhook.clientConfig.url = `${hookBase}/convert`;
  for (const crd of [converted, RELABELLED_CRD]) expect((await api.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd)).status).toBe(201);
  for (const path of ["/apis/conv.example.com/v2/namespaces/default/endpoints", "/apis/plain.example.com/v2/namespaces/default/gadgets"]) {
    for (let i = 0; i < 100 && (await api.get(path)).status !== 200; i++) await new Promise((r) => setTimeout(r, 20));
  }
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
  patches = {};
  conversions = [];
  for (const k of Object.keys(received)) delete received[k];
});

async function webhook(kind: "Validating" | "Mutating", name: string, path: string, rule: Obj, extra: Obj = {}): Promise<void> {
  const plural = `${kind.toLowerCase()}webhookconfigurations`;
  const body = {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: `${kind}WebhookConfiguration`,
    metadata: { name },
    webhooks: [{ name: `${name}.example.com`, admissionReviewVersions: ["v1"], sideEffects: "None", rules: [{ operations: ["CREATE", "UPDATE"], ...rule }], clientConfig: { url: `${hookBase}${path}`, caBundle }, ...extra }],
  };
  const r = await api.post(`/apis/admissionregistration.k8s.io/v1/${plural}`, body);
  expect(r.status, r.text).toBe(201);
  configs.push(`/apis/admissionregistration.k8s.io/v1/${plural}/${name}`);
}

const hpaV2 = (name: string) => ({
  apiVersion: "autoscaling/v2",
  kind: "HorizontalPodAutoscaler",
  metadata: { name },
  spec: {
    scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" },
    minReplicas: 1,
    maxReplicas: 5,
    metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 50 } } }],
  },
});
const HPA_V2 = "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers";

describe("admission webhooks matched through an equivalent version", () => {
  it("sends a v2 HorizontalPodAutoscaler to a webhook whose rule names v1 as a v1 object, kind and resource at v1, requestKind and requestResource at v2", async () => {
    await webhook("Validating", "hpa-v1", "/hpa", { apiGroups: ["autoscaling"], apiVersions: ["v1"], resources: ["horizontalpodautoscalers"] });
    const r = await api.post(HPA_V2, hpaV2("seen-at-v1"));
    expect(r.status, r.text).toBe(201);
    const req = received["/hpa"]![0]!.request;
    expect(req.kind).toEqual({ group: "autoscaling", version: "v1", kind: "HorizontalPodAutoscaler" });
    expect(req.resource).toEqual({ group: "autoscaling", version: "v1", resource: "horizontalpodautoscalers" });
    expect(req.requestKind).toEqual({ group: "autoscaling", version: "v2", kind: "HorizontalPodAutoscaler" });
    expect(req.requestResource).toEqual({ group: "autoscaling", version: "v2", resource: "horizontalpodautoscalers" });
    expect(req.object).toMatchObject({ apiVersion: "autoscaling/v1", kind: "HorizontalPodAutoscaler", spec: { maxReplicas: 5, targetCPUUtilizationPercentage: 50 } });
    expect(req.object.spec.metrics).toBeUndefined();
    // An update shows the old object converted too.
    await api.put(`${HPA_V2}/seen-at-v1`, { ...r.json, spec: { ...r.json.spec, maxReplicas: 6 } });
    const update = received["/hpa"]![1]!.request;
    expect(update.operation).toBe("UPDATE");
    expect(update.oldObject).toMatchObject({ apiVersion: "autoscaling/v1", spec: { maxReplicas: 5, targetCPUUtilizationPercentage: 50 } });
    expect(update.object).toMatchObject({ apiVersion: "autoscaling/v1", spec: { maxReplicas: 6 } });
  });

  it("sends the request as it is, with kind and requestKind alike, when a rule names the request's own version", async () => {
    await webhook("Validating", "hpa-v2", "/hpa2", { apiGroups: ["autoscaling"], apiVersions: ["v2"], resources: ["horizontalpodautoscalers"] });
    expect((await api.post(HPA_V2, hpaV2("seen-at-v2"))).status).toBe(201);
    const req = received["/hpa2"]![0]!.request;
    expect(req.kind).toEqual(req.requestKind);
    expect(req.resource).toEqual(req.requestResource);
    expect(req.object.apiVersion).toBe("autoscaling/v2");
  });

  it("converts a mutating webhook's patch of the v1 object back to the v2 request", async () => {
    await webhook("Mutating", "hpa-mutate", "/hpa-mutate", { apiGroups: ["autoscaling"], apiVersions: ["v1"], resources: ["horizontalpodautoscalers"] });
    patches["/hpa-mutate"] = [
      { op: "replace", path: "/spec/maxReplicas", value: 9 },
      { op: "replace", path: "/spec/targetCPUUtilizationPercentage", value: 80 },
    ];
    const r = await api.post(HPA_V2, hpaV2("patched-at-v1"));
    expect(r.status, r.text).toBe(201);
    expect(r.json.apiVersion).toBe("autoscaling/v2");
    expect(r.json.spec.maxReplicas).toBe(9);
    expect(r.json.spec.metrics).toEqual([{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } } }]);
    const stored = await api.get("/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers/patched-at-v1");
    expect(stored.json.spec).toMatchObject({ maxReplicas: 9, targetCPUUtilizationPercentage: 80 });
  });

  it("does not call a webhook whose rule names another version under matchPolicy: Exact, nor one naming a version that is not served", async () => {
    await webhook("Validating", "hpa-exact", "/exact", { apiGroups: ["autoscaling"], apiVersions: ["v1"], resources: ["horizontalpodautoscalers"] }, { matchPolicy: "Exact" });
    // autoscaling/v2beta2 is not served by 1.33: no served resource is equivalent to it.
    await webhook("Validating", "hpa-gone", "/gone", { apiGroups: ["autoscaling"], apiVersions: ["v2beta2"], resources: ["horizontalpodautoscalers"] });
    expect((await api.post(HPA_V2, hpaV2("exact"))).status).toBe(201);
    expect(received["/exact"]).toBeUndefined();
    expect(received["/gone"]).toBeUndefined();
    // Deployments are served at apps/v1 only: a rule naming apps/v1beta1 matches nothing.
    await webhook("Validating", "deploy-beta", "/beta", { apiGroups: ["apps"], apiVersions: ["v1beta1"], resources: ["deployments"] });
    const deployment = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, spec: { selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "nginx" }] } } } };
    expect((await api.post("/apis/apps/v1/namespaces/default/deployments", deployment)).status).toBe(201);
    expect(received["/beta"]).toBeUndefined();
  });

  it("evaluates match conditions on the converted object", async () => {
    await webhook("Validating", "hpa-cond", "/cond", { apiGroups: ["autoscaling"], apiVersions: ["v1"], resources: ["horizontalpodautoscalers"] }, {
      matchConditions: [{ name: "v1-field", expression: "has(object.spec.targetCPUUtilizationPercentage) && request.kind.version == 'v1'" }],
    });
    expect((await api.post(HPA_V2, hpaV2("conditions"))).status).toBe(201);
    expect(received["/cond"]).toHaveLength(1);
  });

  it("converts a custom resource through its CRD's conversion webhook for the webhook, and the patch back", async () => {
    await webhook("Mutating", "endpoint-v1", "/endpoint", { apiGroups: ["conv.example.com"], apiVersions: ["v1"], resources: ["endpoints"] });
    patches["/endpoint"] = [{ op: "replace", path: "/spec/hostPort", value: "db.internal:6432" }];
    const r = await api.post("/apis/conv.example.com/v2/namespaces/default/endpoints", { apiVersion: "conv.example.com/v2", kind: "Endpoint", metadata: { name: "db" }, spec: { host: "db.local", port: 5432 } });
    expect(r.status, r.text).toBe(201);
    const req = received["/endpoint"]![0]!.request;
    expect(req.kind).toEqual({ group: "conv.example.com", version: "v1", kind: "Endpoint" });
    expect(req.requestKind).toEqual({ group: "conv.example.com", version: "v2", kind: "Endpoint" });
    expect(req.resource).toEqual({ group: "conv.example.com", version: "v1", resource: "endpoints" });
    expect(req.requestResource).toEqual({ group: "conv.example.com", version: "v2", resource: "endpoints" });
    expect(req.object).toMatchObject({ apiVersion: "conv.example.com/v1", spec: { hostPort: "db.local:5432" } });
    expect(conversions.some((c) => c.desired === "conv.example.com/v1")).toBe(true);
    expect(r.json).toMatchObject({ apiVersion: "conv.example.com/v2", spec: { host: "db.internal", port: 6432 } });
  });

  it("shows a ValidatingAdmissionPolicy naming v1 a v2 custom resource converted by its CRD's conversion webhook", async () => {
    const ADM = "/apis/admissionregistration.k8s.io/v1";
    const policy = {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingAdmissionPolicy",
      metadata: { name: "endpoint-port" },
      spec: {
        matchConstraints: { resourceRules: [{ apiGroups: ["conv.example.com"], apiVersions: ["v1"], resources: ["endpoints"], operations: ["CREATE"] }] },
        validations: [{ expression: "object.spec.hostPort.endsWith(':5432')", messageExpression: "'saw ' + object.spec.hostPort + ' at ' + request.kind.version + ', requested at ' + request.requestKind.version" }],
      },
    };
    expect((await api.post(`${ADM}/validatingadmissionpolicies`, policy)).status).toBe(201);
    configs.push(`${ADM}/validatingadmissionpolicies/endpoint-port`);
    const binding = { apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingAdmissionPolicyBinding", metadata: { name: "endpoint-port" }, spec: { policyName: "endpoint-port", validationActions: ["Deny"] } };
    expect((await api.post(`${ADM}/validatingadmissionpolicybindings`, binding)).status).toBe(201);
    configs.push(`${ADM}/validatingadmissionpolicybindings/endpoint-port`);
    const r = await api.post("/apis/conv.example.com/v2/namespaces/default/endpoints", { apiVersion: "conv.example.com/v2", kind: "Endpoint", metadata: { name: "cache" }, spec: { host: "cache.local", port: 6379 } });
    expect(r.status, r.text).toBe(422);
    expect(r.json.message).toBe(`endpoints.conv.example.com "cache" is forbidden: ValidatingAdmissionPolicy 'endpoint-port' with binding 'endpoint-port' denied request: saw cache.local:6379 at v1, requested at v2`);
    expect(conversions.some((c) => c.desired === "conv.example.com/v1")).toBe(true);
  });

  it("relabels a custom resource of a CRD without a conversion webhook", async () => {
    await webhook("Validating", "gadget-v1", "/gadget", { apiGroups: ["plain.example.com"], apiVersions: ["v1"], resources: ["gadgets"] });
    const r = await api.post("/apis/plain.example.com/v2/namespaces/default/gadgets", { apiVersion: "plain.example.com/v2", kind: "Gadget", metadata: { name: "g" }, spec: { size: 3 } });
    expect(r.status, r.text).toBe(201);
    const req = received["/gadget"]![0]!.request;
    expect(req.kind).toEqual({ group: "plain.example.com", version: "v1", kind: "Gadget" });
    expect(req.requestKind).toEqual({ group: "plain.example.com", version: "v2", kind: "Gadget" });
    expect(req.object).toMatchObject({ apiVersion: "plain.example.com/v1", kind: "Gadget", spec: { size: 3 } });
  });
});
