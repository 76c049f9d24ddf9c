/**
 * The PodSecurity admission plugin of the local server over HTTP: namespaces labelled `enforce`
 * refuse violating pods with kube-apiserver's 403, `warn` labels (and an `enforce` label without
 * one) answer with `Warning` headers, workloads are only warned about, invalid labels are refused and raising a namespace's enforce
 * level warns about the pods already there.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { client, type Client } from "./helpers.js";

let server: TestServer;
let api: Client;

beforeAll(async () => {
  server = await startTestServer({ kubernetesVersion: "1.33" });
  api = client(server);
});
afterAll(async () => {
  await api.close();
  await server.close();
});

const RESTRICTED =
  'allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")';
const pod = (name: string, spec: Record<string, unknown> = {}) => ({ apiVersion: "v1", kind: "Pod", metadata: { name }, spec: { containers: [{ name: "c", image: "nginx" }], ...spec } });
const restrictedPod = (name: string) =>
  pod(name, {
    securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
    containers: [{ name: "c", image: "nginx", securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } }],
  });
const namespace = (name: string, labels: Record<string, string>) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name, labels } });
const warnings = (header: string | string[] | undefined): string[] =>
  (Array.isArray(header) ? header : header ? [header] : []).flatMap((h) => h.split(/,(?=\s*299 )/)).map((h) => JSON.parse(h.trim().replace(/^299 - /, "")) as string);

describe("PodSecurity admission", () => {
  it("refuses a pod the namespace's enforce level forbids, with kube-apiserver's message", async () => {
    expect((await api.post("/api/v1/namespaces", namespace("strict", { "pod-security.kubernetes.io/enforce": "restricted" }))).status).toBe(201);
    const refused = await api.post("/api/v1/namespaces/strict/pods", pod("p"));
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({ kind: "Status", status: "Failure", reason: "Forbidden", code: 403, details: { name: "p", kind: "pods" } });
    expect(refused.json.message).toBe(`pods "p" is forbidden: violates PodSecurity "restricted:latest": ${RESTRICTED}`);
    const privileged = await api.post("/api/v1/namespaces/strict/pods", pod("priv", { containers: [{ name: "c", image: "nginx", securityContext: { privileged: true } }] }));
    expect(privileged.json.message).toMatch(/^pods "priv" is forbidden: violates PodSecurity "restricted:latest": privileged \(container "c" must not set securityContext.privileged=true\), /);
    expect((await api.post("/api/v1/namespaces/strict/pods", restrictedPod("ok"))).status).toBe(201);
  });

  it("checks ephemeral containers added to a pod, and ignores status writes", async () => {
    const debug = await api.patch("/api/v1/namespaces/strict/pods/ok/ephemeralcontainers", { spec: { ephemeralContainers: [{ name: "debugger", image: "busybox" }] } }, "strategic");
    expect(debug.status).toBe(403);
    expect(debug.json.message).toBe(
      'pods "ok" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "debugger" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "debugger" must set securityContext.capabilities.drop=["ALL"])',
    );
    const status = await api.patch("/api/v1/namespaces/strict/pods/ok/status", { status: { message: "checked" } }, "merge");
    expect(status.status).toBe(200);
  });

  it("checks the version the label names", async () => {
    await api.post("/api/v1/namespaces", namespace("old", { "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/enforce-version": "v1.21" }));
    const refused = await api.post("/api/v1/namespaces/old/pods", pod("p"));
    expect(refused.json.message).toBe('pods "p" is forbidden: violates PodSecurity "restricted:v1.21": allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")');
  });

  it("warns by the warn level and admits the pod", async () => {
    await api.post("/api/v1/namespaces", namespace("warned", { "pod-security.kubernetes.io/warn": "restricted" }));
    const created = await api.post("/api/v1/namespaces/warned/pods", pod("p"));
    expect(created.status).toBe(201);
    expect(warnings(created.headers.warning)).toEqual([`would violate PodSecurity "restricted:latest": ${RESTRICTED}`]);
    const updated = await api.patch("/api/v1/namespaces/warned/pods/p", { metadata: { labels: { a: "b" } } }, "merge");
    expect(updated.status).toBe(200);
    expect(updated.headers.warning).toBeUndefined();
    const image = await api.patch("/api/v1/namespaces/warned/pods/p", { spec: { containers: [{ name: "c", image: "nginx:2" }] } }, "strategic");
    expect(image.status).toBe(200);
    expect(warnings(image.headers.warning)).toEqual([`would violate PodSecurity "restricted:latest": ${RESTRICTED}`]);
  });

  it("admits everything in namespaces without labels", async () => {
    const created = await api.post("/api/v1/namespaces/default/pods", pod("free", { hostNetwork: true }));
    expect(created.status).toBe(201);
    expect(created.headers.warning).toBeUndefined();
  });

  it("only warns about the pod templates of workloads", async () => {
    await api.post("/api/v1/namespaces", namespace("apps", { "pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/warn": "baseline" }));
    const deployment = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web" },
      spec: { replicas: 0, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { hostNetwork: true, containers: [{ name: "c", image: "nginx" }] } } },
    };
    const created = await api.post("/apis/apps/v1/namespaces/apps/deployments", deployment);
    expect(created.status).toBe(201);
    expect(warnings(created.headers.warning)).toEqual(['would violate PodSecurity "baseline:latest": host namespaces (hostNetwork=true)']);
    const cronJob = {
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name: "tick" },
      spec: { schedule: "* * * * *", suspend: true, jobTemplate: { spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox", securityContext: { privileged: true } }] } } } } },
    };
    const strict = await api.post("/apis/apps/v1/namespaces/strict/deployments", deployment);
    expect(strict.status).toBe(201);
    expect(warnings(strict.headers.warning)).toEqual(['would violate PodSecurity "restricted:latest": host namespaces (hostNetwork=true), ' + RESTRICTED]);
    const cron = await api.post("/apis/batch/v1/namespaces/apps/cronjobs", cronJob);
    expect(cron.status).toBe(201);
    expect(warnings(cron.headers.warning)).toEqual(['would violate PodSecurity "baseline:latest": privileged (container "c" must not set securityContext.privileged=true)']);
  });

  it("refuses invalid Pod Security labels", async () => {
    const bad = await api.post("/api/v1/namespaces", namespace("bogus", { "pod-security.kubernetes.io/enforce": "bogus" }));
    expect(bad.status).toBe(422);
    expect(bad.json.message).toBe('Namespace "bogus" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "bogus": must be one of privileged, baseline, restricted');
    const badVersion = await api.patch("/api/v1/namespaces/default", { metadata: { labels: { "pod-security.kubernetes.io/warn-version": "1.30" } } }, "merge");
    expect(badVersion.status).toBe(422);
    expect(badVersion.json.message).toBe('Namespace "default" is invalid: metadata.labels[pod-security.kubernetes.io/warn-version]: Invalid value: "1.30": must be "latest" or "v1.x"');
  });

  it("warns about existing pods when a namespace's enforce level is raised", async () => {
    await api.post("/api/v1/namespaces", namespace("later", {}));
    for (const name of ["b", "a", "c"]) await api.post("/api/v1/namespaces/later/pods", pod(name));
    await api.post("/api/v1/namespaces/later/pods", pod("h", { hostPID: true }));
    await api.post("/api/v1/namespaces/later/pods", restrictedPod("fine"));
    const labelled = await api.patch("/api/v1/namespaces/later", { metadata: { labels: { "pod-security.kubernetes.io/enforce": "restricted" } } }, "merge");
    expect(labelled.status).toBe(200);
    expect(warnings(labelled.headers.warning)).toEqual([
      'existing pods in namespace "later" violate the new PodSecurity enforce level "restricted:latest"',
      "a (and 2 other pods): allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, seccompProfile",
      "h: host namespaces, allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, seccompProfile",
    ]);
    const again = await api.patch("/api/v1/namespaces/later", { metadata: { labels: { other: "x" } } }, "merge");
    expect(again.headers.warning).toBeUndefined();
  });
});

describe("workload controllers whose pods PodSecurity refuses", () => {
  it("a ReplicaSet records FailedCreate with the refusal and sets ReplicaFailure, as manageReplicas does", async () => {
    expect((await api.post("/api/v1/namespaces", namespace("locked", { "pod-security.kubernetes.io/enforce": "restricted" }))).status).toBe(201);
    const rs = { apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "web" }, spec: { replicas: 1, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "nginx" }] } } } };
    expect((await api.post("/apis/apps/v1/namespaces/locked/replicasets", rs)).status).toBe(201);
    let condition: Record<string, string> | undefined;
    for (let i = 0; i < 200 && !condition; i++) {
      const read = await api.get("/apis/apps/v1/namespaces/locked/replicasets/web");
      condition = (read.json.status?.conditions as Array<Record<string, string>> | undefined)?.find((c) => c.type === "ReplicaFailure");
      if (!condition) await new Promise((r) => setTimeout(r, 25));
    }
    expect(condition).toMatchObject({ status: "True", reason: "FailedCreate" });
    expect(condition!.message).toMatch(new RegExp(`^pods "web-[a-z0-9]{5}" is forbidden: violates PodSecurity "restricted:latest": `));
    const events = (await api.get("/api/v1/namespaces/locked/events")).json.items as Array<Record<string, unknown>>;
    const failed = events.find((e) => e.reason === "FailedCreate");
    expect(failed).toMatchObject({ type: "Warning", involvedObject: { kind: "ReplicaSet", name: "web" } });
    expect(failed!.message).toBe(`Error creating: ${condition!.message}`);
    expect((await api.get("/api/v1/namespaces/locked/pods")).json.items).toEqual([]);
  });
});

describe("PodSecurity switched off", () => {
  it("admits what the namespace's enforce level forbids once disableAdmissionPlugins names it, and refuses unknown names", async () => {
    const off = await startTestServer({ kubernetesVersion: "1.33", disableAdmissionPlugins: ["PodSecurity"], controllers: false });
    const offApi = client(off);
    try {
      expect((await offApi.post("/api/v1/namespaces", namespace("open", { "pod-security.kubernetes.io/enforce": "restricted" }))).status).toBe(201);
      const created = await offApi.post("/api/v1/namespaces/open/pods", pod("p"));
      expect(created.status).toBe(201);
      expect(created.headers.warning).toBeUndefined();
    } finally {
      await offApi.close();
      await off.close();
    }
    await expect(startTestServer({ disableAdmissionPlugins: ["NodeRestriction"] })).rejects.toThrow('disableAdmissionPlugins: unknown admission plugin "NodeRestriction"');
  });
});
