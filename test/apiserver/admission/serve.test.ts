/**
 * The local API server enforces the admission policies stored in it, with the same engine as the
 * validator: denials with kube-apiserver's Status, `Warning` headers for Warn bindings, mutations.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../../src/testing/index.js";
import { client, type Client } from "../../testing/helpers.js";

let server: TestServer;
let api: Client;

beforeAll(async () => {
  server = await startTestServer({ kubernetesVersion: "1.36" });
  api = client(server);
});
afterAll(async () => {
  await api.close();
  await server.close();
});

const VAP = "/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies";
const VAPB = "/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings";
const MAP = "/apis/admissionregistration.k8s.io/v1/mutatingadmissionpolicies";
const MAPB = "/apis/admissionregistration.k8s.io/v1/mutatingadmissionpolicybindings";
const DEPLOY = "/apis/apps/v1/namespaces/default/deployments";

const deployment = (name: string, replicas: number) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name },
  spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "c", image: "nginx" }] } } },
});

const rules = [{ apiGroups: ["apps"], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["deployments"] }];

describe("kubezod serve: admission policies", () => {
  it("a policy without a binding does nothing", async () => {
    const p = await api.post(VAP, { apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingAdmissionPolicy", metadata: { name: "max-replicas" }, spec: { matchConstraints: { resourceRules: rules }, validations: [{ expression: "object.spec.replicas <= 5" }] } });
    expect(p.status).toBe(201);
    expect((await api.post(DEPLOY, deployment("free", 50))).status).toBe(201);
  });

  it("denies with kube-apiserver's Status once bound", async () => {
    const b = await api.post(VAPB, { apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingAdmissionPolicyBinding", metadata: { name: "max-replicas-binding" }, spec: { policyName: "max-replicas", validationActions: ["Deny"] } });
    expect(b.status).toBe(201);
    const res = await api.post(DEPLOY, deployment("big", 50));
    expect(res.status).toBe(422);
    expect(res.json).toMatchObject({
      kind: "Status",
      reason: "Invalid",
      code: 422,
      message: `deployments.apps "big" is forbidden: ValidatingAdmissionPolicy 'max-replicas' with binding 'max-replicas-binding' denied request: failed expression: object.spec.replicas <= 5`,
    });
    expect((await api.post(DEPLOY, deployment("small", 2))).status).toBe(201);
    const upd = await api.patch(`${DEPLOY}/small`, { spec: { replicas: 9 } }, "merge");
    expect(upd.status).toBe(422);
  });

  it("sends Warning headers for Warn bindings", async () => {
    await api.post(VAPB, { apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingAdmissionPolicyBinding", metadata: { name: "max-replicas-binding" }, spec: { policyName: "max-replicas", validationActions: ["Deny"] } });
    const put = await api.req("DELETE", `${VAPB}/max-replicas-binding`);
    expect(put.status).toBe(200);
    await api.post(VAPB, { apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingAdmissionPolicyBinding", metadata: { name: "warn" }, spec: { policyName: "max-replicas", validationActions: ["Warn"] } });
    const res = await api.post(DEPLOY, deployment("warned", 7));
    expect(res.status).toBe(201);
    expect(String(res.headers.warning)).toContain("Validation failed for ValidatingAdmissionPolicy 'max-replicas' with binding 'warn': failed expression: object.spec.replicas <= 5");
  });

  it("applies MutatingAdmissionPolicies before storing", async () => {
    expect((await api.post(MAP, { apiVersion: "admissionregistration.k8s.io/v1", kind: "MutatingAdmissionPolicy", metadata: { name: "team" }, spec: { matchConstraints: { resourceRules: rules }, mutations: [{ patchType: "ApplyConfiguration", applyConfiguration: { expression: 'Object{metadata: Object.metadata{labels: {"team": "web"}}}' } }] } })).status).toBe(201);
    expect((await api.post(MAPB, { apiVersion: "admissionregistration.k8s.io/v1", kind: "MutatingAdmissionPolicyBinding", metadata: { name: "team" }, spec: { policyName: "team" } })).status).toBe(201);
    const res = await api.post(DEPLOY, deployment("labelled", 1));
    expect(res.status).toBe(201);
    expect(res.json.metadata.labels).toEqual({ team: "web" });
  });
});
