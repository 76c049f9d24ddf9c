/**
 * In-place pod resize over HTTP: the `resize` subresource is served from 1.33
 * (InPlacePodVerticalScaling on by default), its strategy keeps all but the containers' resources
 * and resize policies, ValidatePodResize refuses what kube-apiserver refuses, and the kubelet
 * allocates and actuates a resize (or leaves it pending with the allocation manager's reason).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { client, type Client } from "./helpers.js";

const PODS = "/api/v1/namespaces/default/pods";

function pod(name: string, resources: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return { apiVersion: "v1", kind: "Pod", metadata: { name }, spec: { containers: [{ name: "c", image: "nginx", resources, ...extra }] } };
}

const burstable = { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "200m", memory: "256Mi" } };
const resize = (resources: Record<string, unknown>) => ({ spec: { containers: [{ name: "c", resources }] } });

describe("pods/resize in 1.33", () => {
  let server: TestServer;
  let api: Client;
  beforeAll(async () => {
    server = await startTestServer({ kubernetesVersion: "1.33" });
    api = client(server);
    for (const [name, resources] of [
      ["web", burstable],
      ["gold", { limits: { cpu: "500m", memory: "256Mi" } }],
      ["big", burstable],
      ["mem", burstable],
      ["other", burstable],
      ["requests", { requests: { cpu: "100m", memory: "128Mi" } }],
    ] as const) {
      expect((await api.post(PODS, pod(name, resources))).status).toBe(201);
    }
    expect((await api.post(PODS, pod("restart", burstable, { resizePolicy: [{ resourceName: "memory", restartPolicy: "RestartContainer" }] }))).status).toBe(201);
    await server.settle();
  });
  afterAll(async () => {
    await api.close();
    await server.close();
  });

  it("is listed in discovery with get, patch and update", async () => {
    const sub = (await api.get("/api/v1")).json.resources.find((r: { name: string }) => r.name === "pods/resize");
    expect(sub).toMatchObject({ name: "pods/resize", kind: "Pod", namespaced: true, verbs: ["get", "patch", "update"] });
  });

  it("GET answers the pod, whose running containers report the resources they run with", async () => {
    const res = await api.get(`${PODS}/web/resize`);
    expect(res.status).toBe(200);
    expect(res.json.kind).toBe("Pod");
    expect(res.json.status.containerStatuses[0].resources).toEqual(burstable);
  });

  it("a resize is allocated, shows PodResizeInProgress, then is actuated", async () => {
    const watch = await api.watch(`${PODS}?watch=true&fieldSelector=metadata.name%3Dweb`);
    await watch.next();
    const res = await api.patch(`${PODS}/web/resize`, resize({ requests: { cpu: "150m" } }), "strategic");
    expect(res.status, res.text).toBe(200);
    expect(res.json.spec.containers[0].resources.requests.cpu).toBe("150m");
    expect(res.json.metadata.generation).toBe(2);
    expect(res.json.metadata.managedFields.some((m: { subresource?: string }) => m.subresource === "resize")).toBe(true);
    const seen: Array<{ conditions: string[]; cpu: string }> = [];
    for (;;) {
      const e = await watch.next(5000);
      const status = e.object.status;
      seen.push({ conditions: status.conditions.map((c: { type: string }) => c.type).filter((t: string) => t.startsWith("PodResize")), cpu: status.containerStatuses[0].resources.requests.cpu });
      if (seen.at(-1)!.cpu === "150m") break;
    }
    watch.close();
    expect(seen.slice(-2)).toEqual([
      { conditions: ["PodResizeInProgress"], cpu: "100m" },
      { conditions: [], cpu: "150m" },
    ]);
  });

  it("a memory limit decrease with RestartContainer is accepted, and the kubelet restarts the container", async () => {
    const res = await api.patch(`${PODS}/restart/resize`, resize({ limits: { memory: "200Mi" } }), "strategic");
    expect(res.status, res.text).toBe(200);
    await server.settle();
    const status = (await api.get(`${PODS}/restart`)).json.status.containerStatuses[0];
    expect(status.restartCount).toBe(1);
    expect(status.resources.limits.memory).toBe("200Mi");
  });

  it("keeps everything else of the stored pod: an image, a label and the status sent through resize are dropped", async () => {
    const before = (await api.get(`${PODS}/other`)).json;
    const res = await api.patch(`${PODS}/other/resize`, { metadata: { labels: { x: "y" } }, spec: { containers: [{ name: "c", image: "busybox", resources: { requests: { cpu: "120m" } } }] }, status: { phase: "Failed" } }, "strategic");
    expect(res.status, res.text).toBe(200);
    expect(res.json.spec.containers[0].image).toBe("nginx");
    expect(res.json.spec.containers[0].resources.requests.cpu).toBe("120m");
    expect(res.json.metadata.labels).toBeUndefined();
    expect(res.json.status.phase).toBe(before.status.phase);
  });

  it("refuses a memory limit decrease without RestartContainer, as 1.33 does", async () => {
    const res = await api.patch(`${PODS}/mem/resize`, resize({ limits: { memory: "200Mi" } }), "strategic");
    expect(res.status).toBe(422);
    expect(res.json.message).toBe('Pod "mem" is invalid: spec.containers[0].resources.limits[memory]: Forbidden: memory limits cannot be decreased unless resizePolicy is RestartContainer');
  });

  it("refuses a change of QoS class and removed requests (a request under a limit is defaulted back from it)", async () => {
    const qos = await api.patch(`${PODS}/gold/resize`, resize({ requests: { cpu: "250m" } }), "strategic");
    expect(qos.status).toBe(422);
    expect(qos.json.message).toBe('Pod "gold" is invalid: spec: Invalid value: "Guaranteed": Pod QOS Class may not change as a result of resizing');
    const removed = await api.patch(`${PODS}/requests/resize`, [{ op: "remove", path: "/spec/containers/0/resources/requests/memory" }], "json");
    expect(removed.status).toBe(422);
    expect(removed.json.message).toBe('Pod "requests" is invalid: spec.containers[0].resources.requests: Forbidden: resource requests cannot be removed');
    const defaulted = await api.patch(`${PODS}/mem/resize`, [{ op: "remove", path: "/spec/containers/0/resources/requests/memory" }], "json");
    expect(defaulted.status, defaulted.text).toBe(200);
    expect(defaulted.json.spec.containers[0].resources.requests.memory).toBe("256Mi");
  });

  it("refuses other resources than cpu and memory", async () => {
    const res = await api.patch(`${PODS}/mem/resize`, resize({ requests: { "ephemeral-storage": "1Gi" } }), "strategic");
    expect(res.status).toBe(422);
    expect(res.json.message).toBe('Pod "mem" is invalid: spec: Forbidden: only cpu and memory resources are mutable');
  });

  it("leaves a resize beyond the node's allocatable pending as Infeasible", async () => {
    const res = await api.patch(`${PODS}/big/resize`, resize({ requests: { cpu: "5" }, limits: { cpu: "5" } }), "strategic");
    expect(res.status, res.text).toBe(200);
    await server.settle();
    const status = (await api.get(`${PODS}/big`)).json.status;
    const pending = status.conditions.find((c: { type: string }) => c.type === "PodResizePending");
    expect(pending).toMatchObject({ status: "True", reason: "Infeasible", message: "Node didn't have enough capacity: cpu, requested: 5000, capacity: 4000" });
    expect(status.containerStatuses[0].resources).toEqual(burstable);
  });

  it("a PUT to resize goes through the same strategy", async () => {
    const current = (await api.get(`${PODS}/other/resize`)).json;
    current.spec.containers[0].resources.limits.cpu = "300m";
    const res = await api.put(`${PODS}/other/resize`, current);
    expect(res.status, res.text).toBe(200);
    expect(res.json.spec.containers[0].resources.limits.cpu).toBe("300m");
  });

  it("admission sees the write as an UPDATE of pods/resize", async () => {
    const ADM = "/apis/admissionregistration.k8s.io/v1";
    const policy = await api.post(`${ADM}/validatingadmissionpolicies`, {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingAdmissionPolicy",
      metadata: { name: "resize-cap" },
      spec: {
        matchConstraints: { resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], resources: ["pods/resize"], operations: ["UPDATE"] }] },
        validations: [{ expression: "object.spec.containers.all(c, c.resources.requests.cpu != '222m')", messageExpression: "request.subResource + ' ' + request.operation" }],
      },
    });
    expect(policy.status).toBe(201);
    const binding = await api.post(`${ADM}/validatingadmissionpolicybindings`, { apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingAdmissionPolicyBinding", metadata: { name: "resize-cap" }, spec: { policyName: "resize-cap", validationActions: ["Deny"] } });
    expect(binding.status).toBe(201);
    const res = await api.patch(`${PODS}/other/resize`, resize({ requests: { cpu: "222m" } }), "strategic");
    expect(res.status).toBe(422);
    expect(res.json.message).toContain("denied request: resize UPDATE");
    await api.del(`${ADM}/validatingadmissionpolicybindings/resize-cap`);
    await api.del(`${ADM}/validatingadmissionpolicies/resize-cap`);
  });

  it("the pod itself still refuses resource changes outside the subresource", async () => {
    const res = await api.patch(`${PODS}/other`, resize({ requests: { cpu: "130m" } }), "strategic");
    expect(res.status).toBe(422);
    expect(res.json.message).toContain("pod updates may not change fields other than");
  });
});

/** Run `fn` against a fresh server of a minor, closed afterwards. */
async function onServer(version: string, fn: (server: TestServer, api: Client) => Promise<void>): Promise<void> {
  const server = await startTestServer({ kubernetesVersion: version });
  const api = client(server);
  try {
    await fn(server, api);
  } finally {
    await api.close();
    await server.close();
  }
}

describe("pods/resize by minor", () => {
  it("1.32 neither lists nor serves it (InPlacePodVerticalScaling is off by default)", () =>
    onServer("1.32", async (server, api) => {
      expect((await api.get("/api/v1")).json.resources.map((r: { name: string }) => r.name)).not.toContain("pods/resize");
      expect((await api.post(PODS, pod("p", burstable))).status).toBe(201);
      expect((await api.patch(`${PODS}/p/resize`, resize({ requests: { cpu: "150m" } }), "strategic")).status).toBe(404);
      expect((await api.get(`${PODS}/p/resize`)).status).toBe(404);
    }));

  it("1.35 defers a resize the node's other pods leave no room for, and retries it when one goes", () =>
    onServer("1.35", async (server, api) => {
      expect((await api.post(PODS, pod("hog", { requests: { cpu: "3" } }))).status).toBe(201);
      expect((await api.post(PODS, pod("small", { requests: { cpu: "500m" } }))).status).toBe(201);
      await server.settle();
      expect((await api.patch(`${PODS}/small/resize`, resize({ requests: { cpu: "1500m" } }), "strategic")).status).toBe(200);
      await server.settle();
      const pending = (await api.get(`${PODS}/small`)).json.status.conditions.find((c: { type: string }) => c.type === "PodResizePending");
      expect(pending).toMatchObject({ reason: "Deferred", message: "Node didn't have enough resource: cpu, requested: 1500, used: 3000, capacity: 4000" });
      expect((await api.del(`${PODS}/hog`, { apiVersion: "v1", kind: "DeleteOptions", gracePeriodSeconds: 0 })).status).toBe(200);
      await server.settle();
      const status = (await api.get(`${PODS}/small`)).json.status;
      expect(status.conditions.filter((c: { type: string }) => c.type.startsWith("PodResize"))).toEqual([]);
      expect(status.containerStatuses[0].resources.requests.cpu).toBe("1500m");
    }));

  it("1.34 accepts a memory limit decrease with the default NotRequired policy", () =>
    onServer("1.34", async (server, api) => {
      expect((await api.post(PODS, pod("p", burstable))).status).toBe(201);
      await server.settle();
      const res = await api.patch(`${PODS}/p/resize`, resize({ limits: { memory: "200Mi" } }), "strategic");
      expect(res.status, res.text).toBe(200);
      await server.settle();
      expect((await api.get(`${PODS}/p`)).json.status.containerStatuses[0].resources.limits.memory).toBe("200Mi");
    }));
});
