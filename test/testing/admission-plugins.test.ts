/**
 * The default built-in admission plugins in the local server, over HTTP: what a created pod reads
 * back as on a kind cluster (service account, token volume, priority, tolerations), LimitRange
 * defaults and limits, ResourceQuota status and refusals, default classes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { client, type Client } from "./helpers.js";

const pod = (name: string, extra: Record<string, unknown> = {}, container: Record<string, unknown> = {}) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name },
  spec: { containers: [{ name: "c", image: "nginx", ...container }], ...extra },
});

describe("built-in admission plugins in the local server", () => {
  let server: TestServer;
  let api: Client;
  beforeAll(async () => {
    server = await startTestServer({ kubernetesVersion: "1.33" });
    api = client(server);
  });
  afterAll(async () => {
    await api?.close();
    await server?.close();
  });

  it("a pod gets the default service account, the projected token volume, priority and the default tolerations", async () => {
    const r = await api.post("/api/v1/namespaces/default/pods", pod("p1"));
    expect(r.status).toBe(201);
    const spec = r.json.spec;
    expect(spec.serviceAccountName).toBe("default");
    expect(spec.serviceAccount).toBe("default");
    expect(spec.priority).toBe(0);
    expect(spec.preemptionPolicy).toBe("PreemptLowerPriority");
    const volume = spec.volumes[0];
    expect(volume.name).toMatch(/^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(volume.projected).toEqual({
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: "token" } },
        { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
        { downwardAPI: { items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }] } },
      ],
    });
    expect(spec.containers[0].volumeMounts).toEqual([{ name: volume.name, readOnly: true, mountPath: "/var/run/secrets/kubernetes.io/serviceaccount" }]);
    expect(spec.tolerations).toEqual([
      { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
      { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
    ]);
  });

  it("automountServiceAccountToken: false on the pod or its service account leaves the token out", async () => {
    const r = await api.post("/api/v1/namespaces/default/pods", pod("p2", { automountServiceAccountToken: false }));
    expect(r.status).toBe(201);
    expect(r.json.spec.volumes).toBeUndefined();
    expect(r.json.spec.containers[0].volumeMounts).toBeUndefined();
    expect((await api.post("/api/v1/namespaces/default/serviceaccounts", { metadata: { name: "quiet" }, automountServiceAccountToken: false })).status).toBe(201);
    const q = await api.post("/api/v1/namespaces/default/pods", pod("p3", { serviceAccountName: "quiet" }));
    expect(q.status).toBe(201);
    expect(q.json.spec.volumes).toBeUndefined();
  });

  it("a pod whose service account does not exist is refused", async () => {
    const r = await api.post("/api/v1/namespaces/default/pods", pod("p4", { serviceAccountName: "nobody" }));
    expect(r.status).toBe(403);
    expect(r.json.reason).toBe("Forbidden");
    expect(r.json.message).toBe('pods "p4" is forbidden: error looking up service account default/nobody: serviceaccount "nobody" not found');
    expect(r.json.details).toEqual({ name: "p4", kind: "pods" });
  });

  it("a pod created right after its namespace finds the default service account", async () => {
    expect((await api.post("/api/v1/namespaces", { metadata: { name: "fresh" } })).status).toBe(201);
    const r = await api.post("/api/v1/namespaces/fresh/pods", pod("p"));
    expect(r.status).toBe(201);
    expect(r.json.spec.serviceAccountName).toBe("default");
  });

  it("an unknown PriorityClass is refused; a known one sets priority", async () => {
    const r = await api.post("/api/v1/namespaces/default/pods", pod("p5", { priorityClassName: "nope" }));
    expect(r.status).toBe(403);
    expect(r.json.message).toBe('pods "p5" is forbidden: no PriorityClass with name nope was found');
    expect((await api.post("/apis/scheduling.k8s.io/v1/priorityclasses", { metadata: { name: "high" }, value: 1000 })).status).toBe(201);
    const ok = await api.post("/api/v1/namespaces/default/pods", pod("p6", { priorityClassName: "high" }));
    expect(ok.status).toBe(201);
    expect(ok.json.spec.priority).toBe(1000);
    expect(ok.json.spec.preemptionPolicy).toBe("PreemptLowerPriority");
    // kube-apiserver creates the system PriorityClasses at start.
    const critical = await api.post("/api/v1/namespaces/default/pods", pod("p7", { priorityClassName: "system-node-critical" }));
    expect(critical.status).toBe(201);
    expect(critical.json.spec.priority).toBe(2000001000);
  });

  it("LimitRange defaults are applied and its max enforced", async () => {
    expect((await api.post("/api/v1/namespaces", { metadata: { name: "limited" } })).status).toBe(201);
    const lr = { metadata: { name: "lr" }, spec: { limits: [{ type: "Container", default: { cpu: "500m" }, defaultRequest: { cpu: "250m" }, max: { cpu: "1" } }] } };
    expect((await api.post("/api/v1/namespaces/limited/limitranges", lr)).status).toBe(201);
    const r = await api.post("/api/v1/namespaces/limited/pods", pod("p"));
    expect(r.status).toBe(201);
    expect(r.json.spec.containers[0].resources).toEqual({ limits: { cpu: "500m" }, requests: { cpu: "250m" } });
    expect(r.json.metadata.annotations).toEqual({ "kubernetes.io/limit-ranger": "LimitRanger plugin set: cpu request for container c; cpu limit for container c" });
    const big = await api.post("/api/v1/namespaces/limited/pods", pod("big", {}, { resources: { limits: { cpu: "2" } } }));
    expect(big.status).toBe(403);
    expect(big.json.message).toBe('pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2');
  });

  it("a ResourceQuota gets its status and refuses what exceeds it", async () => {
    expect((await api.post("/api/v1/namespaces", { metadata: { name: "quota" } })).status).toBe(201);
    expect((await api.post("/api/v1/namespaces/quota/resourcequotas", { metadata: { name: "q" }, spec: { hard: { pods: "1", configmaps: "10", "requests.cpu": "1" } } })).status).toBe(201);
    await server.settle();
    const q = await api.get("/api/v1/namespaces/quota/resourcequotas/q");
    expect(q.json.status).toEqual({ hard: { pods: "1", configmaps: "10", "requests.cpu": "1" }, used: { configmaps: "1", pods: "0", "requests.cpu": "0" } });
    const missing = await api.post("/api/v1/namespaces/quota/pods", pod("p"));
    expect(missing.status).toBe(403);
    expect(missing.json.message).toBe('pods "p" is forbidden: failed quota: q: must specify requests.cpu for: c');
    const dry = await api.post("/api/v1/namespaces/quota/pods?dryRun=All", pod("p", {}, { resources: { requests: { cpu: "100m" } } }));
    expect(dry.status).toBe(201);
    expect((await api.get("/api/v1/namespaces/quota/resourcequotas/q")).json.status.used.pods).toBe("0");
    const first = await api.post("/api/v1/namespaces/quota/pods", pod("p", {}, { resources: { requests: { cpu: "100m" } } }));
    expect(first.status).toBe(201);
    expect((await api.get("/api/v1/namespaces/quota/resourcequotas/q")).json.status.used).toEqual({ configmaps: "1", pods: "1", "requests.cpu": "100m" });
    const second = await api.post("/api/v1/namespaces/quota/pods", pod("p2", {}, { resources: { requests: { cpu: "100m" } } }));
    expect(second.status).toBe(403);
    expect(second.json.message).toBe('pods "p2" is forbidden: exceeded quota: q, requested: pods=1, used: pods=1, limited: pods=1');
    await server.settle();
    expect((await api.get("/api/v1/namespaces/quota/resourcequotas/q")).json.status.used).toEqual({ configmaps: "1", pods: "1", "requests.cpu": "100m" });
  });

  it("an Ingress without a class gets the default IngressClass", async () => {
    const ic = { metadata: { name: "nginx", annotations: { "ingressclass.kubernetes.io/is-default-class": "true" } }, spec: { controller: "k8s.io/ingress-nginx" } };
    expect((await api.post("/apis/networking.k8s.io/v1/ingressclasses", ic)).status).toBe(201);
    const ing = await api.post("/apis/networking.k8s.io/v1/namespaces/default/ingresses", { metadata: { name: "web" }, spec: { defaultBackend: { service: { name: "web", port: { number: 80 } } } } });
    expect(ing.status).toBe(201);
    expect(ing.json.spec.ingressClassName).toBe("nginx");
  });
});

describe("the default ServiceAccount where the service account controller does not run", () => {
  it("pods given at start and pods created with the controllers off find it", async () => {
    const server = await startTestServer({ kubernetesVersion: "1.33", controllers: false, objects: [{ apiVersion: "v1", kind: "Pod", metadata: { name: "seed", namespace: "apps" }, spec: { containers: [{ name: "c", image: "nginx" }] } }] });
    const api = client(server);
    try {
      expect((await api.get("/api/v1/namespaces/apps/pods/seed")).json.spec.serviceAccountName).toBe("default");
      expect((await api.post("/api/v1/namespaces/default/pods", pod("later"))).status).toBe(201);
      expect((await api.get("/api/v1/namespaces/default/serviceaccounts/default")).status).toBe(200);
    } finally {
      await api.close();
      await server.close();
    }
  });
});
