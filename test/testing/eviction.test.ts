/**
 * The pods/eviction subresource as kube-apiserver's EvictionREST handles the Eviction body
 * (pkg/registry/core/pod/storage/eviction.go): the name must be the pod's, the delete options go
 * to the delete, pods that are pending, done or going skip the budget, a dry run leaves the
 * budget alone; and componentstatuses, which kube-apiserver serves read-only.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { client, pod, type Client } from "./helpers.js";

let server: TestServer;
let api: Client;

beforeAll(async () => {
  server = await startTestServer({ kubernetesVersion: "1.32", controllers: false });
  api = client(server);
});
afterAll(async () => {
  await api.close();
  await server.close();
});

const PODS = "/api/v1/namespaces/default/pods";
const PDBS = "/apis/policy/v1/namespaces/default/poddisruptionbudgets";
const eviction = (name: string | undefined, deleteOptions?: Record<string, unknown>) => ({
  apiVersion: "policy/v1",
  kind: "Eviction",
  metadata: name === undefined ? { namespace: "default" } : { name, namespace: "default" },
  ...(deleteOptions ? { deleteOptions } : {}),
});

/** A pod in a phase (written through the status subresource, as a kubelet would). */
async function podIn(name: string, phase: string, labels: Record<string, string> = {}, ready = false): Promise<void> {
  const created = (await api.post(PODS, { ...pod(name), metadata: { name, labels } })).json;
  const conditions = ready ? [{ type: "Ready", status: "True" }] : [];
  const res = await api.put(`${PODS}/${name}/status`, { ...created, status: { ...created.status, phase, conditions } });
  expect(res.status).toBe(200);
}

/** A budget whose controller has run: observed, with the allowance given. */
async function budget(name: string, app: string, status: Record<string, unknown>): Promise<void> {
  const created = (await api.post(PDBS, { apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name }, spec: { minAvailable: 1, selector: { matchLabels: { app } } } })).json;
  const res = await api.put(`${PDBS}/${name}/status`, { ...created, status: { observedGeneration: created.metadata.generation, expectedPods: 2, ...status } });
  expect(res.status).toBe(200);
}

describe("pods/eviction", () => {
  it("refuses an Eviction that names another pod, or none", async () => {
    await podIn("named", "Running");
    for (const body of [eviction("other"), eviction(undefined)]) {
      const res = await api.post(`${PODS}/named/eviction`, body);
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ reason: "BadRequest", message: "name in URL does not match name in Eviction object" });
    }
    expect((await api.get(`${PODS}/named`)).status).toBe(200);
  });

  it("applies the Eviction's delete options to the delete: preconditions and dry run", async () => {
    await podIn("opts", "Running");
    const stale = await api.post(`${PODS}/opts/eviction`, eviction("opts", { preconditions: { resourceVersion: "1" } }));
    expect(stale.status).toBe(409);
    expect(stale.json.message).toMatch(/^Operation cannot be fulfilled on pods "opts": Precondition failed: ResourceVersion in precondition: 1, ResourceVersion in object meta: \d+$/);
    expect((await api.post(`${PODS}/opts/eviction`, eviction("opts", { dryRun: ["All"] }))).status).toBe(201);
    expect((await api.get(`${PODS}/opts`)).status).toBe(200);
    const sideways = await api.post(`${PODS}/opts/eviction`, eviction("opts", { propagationPolicy: "Sideways" }));
    expect(sideways.status).toBe(422);
    expect(sideways.json.message).toBe('DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "Sideways": supported values: "Foreground", "Background", "Orphan", "nil"');
  });

  it("evicts pending and finished pods without asking their budget (canIgnorePDB)", async () => {
    await budget("strict", "guarded", { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 1 });
    await podIn("guarded-pending", "Pending", { app: "guarded" });
    await podIn("guarded-done", "Succeeded", { app: "guarded" });
    expect((await api.post(`${PODS}/guarded-pending/eviction`, eviction("guarded-pending"))).status).toBe(201);
    expect((await api.post(`${PODS}/guarded-done/eviction`, eviction("guarded-done"))).status).toBe(201);
    await podIn("guarded-running", "Running", { app: "guarded" }, true);
    const refused = await api.post(`${PODS}/guarded-running/eviction`, eviction("guarded-running"));
    expect(refused.status).toBe(429);
    expect(refused.json.details.causes).toEqual([{ reason: "DisruptionBudget", message: "The disruption budget strict needs 1 healthy pods and has 1 currently" }]);
  });

  it("uses the allowance and records the disrupted pod; a dry run does neither", async () => {
    await budget("loose", "spare", { disruptionsAllowed: 1, currentHealthy: 2, desiredHealthy: 1 });
    await podIn("spare-1", "Running", { app: "spare" }, true);
    expect((await api.post(`${PODS}/spare-1/eviction?dryRun=All`, eviction("spare-1"))).status).toBe(201);
    expect((await api.get(`${PDBS}/loose`)).json.status.disruptionsAllowed).toBe(1);
    expect((await api.post(`${PODS}/spare-1/eviction`, eviction("spare-1"))).status).toBe(201);
    const status = (await api.get(`${PDBS}/loose`)).json.status;
    expect(status.disruptionsAllowed).toBe(0);
    expect(Object.keys(status.disruptedPods)).toEqual(["spare-1"]);
  });

  it("lets an unready pod go while the budget has its healthy pods", async () => {
    await budget("healthy", "flaky", { disruptionsAllowed: 0, currentHealthy: 2, desiredHealthy: 2 });
    await podIn("flaky-1", "Running", { app: "flaky" }, false);
    expect((await api.post(`${PODS}/flaky-1/eviction`, eviction("flaky-1"))).status).toBe(201);
  });
});

describe("componentstatuses", () => {
  it("is read-only: create, update and delete are not allowed (405)", async () => {
    const cs = { apiVersion: "v1", kind: "ComponentStatus", metadata: { name: "etcd-0" }, conditions: [{ type: "Healthy", status: "True" }] };
    const created = await api.post("/api/v1/componentstatuses", cs);
    expect(created.status).toBe(405);
    expect(created.json).toMatchObject({ kind: "Status", reason: "MethodNotAllowed", message: "the server does not allow this method on the requested resource", code: 405 });
    expect((await api.put("/api/v1/componentstatuses/etcd-0", cs)).status).toBe(405);
    expect((await api.del("/api/v1/componentstatuses/etcd-0")).status).toBe(405);
    expect((await api.get("/api/v1/componentstatuses")).status).toBe(200);
  });
});

describe("pods/eviction in policy/v1beta1", () => {
  it("accepts a v1beta1 Eviction, as EvictionREST.AcceptsGroupVersion does", async () => {
    await podIn("beta", "Running");
    const res = await api.post(`${PODS}/beta/eviction`, { ...eviction("beta"), apiVersion: "policy/v1beta1" });
    expect(res.status).toBe(201);
    expect((await api.get(`${PODS}/beta`)).status).toBe(404);
  });
});
