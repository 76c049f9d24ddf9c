import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { client, configMap, deployment, pod, type Client } from "./helpers.js";

let server: TestServer;
let api: Client;

beforeAll(async () => {
  server = await startTestServer({ kubernetesVersion: "1.32", controllers: { namespaces: true, serviceAccounts: false, kubelet: false, scheduler: false, deployments: false, replicaSets: false } });
  api = client(server);
});
afterAll(async () => {
  await api.close();
  await server.close();
});

const CM = "/api/v1/namespaces/default/configmaps";
const DEPLOY = "/apis/apps/v1/namespaces/default/deployments";

describe("create", () => {
  it("fills uid, resourceVersion, creationTimestamp and managedFields, and returns 201", async () => {
    const res = await api.post(CM, configMap("create-a"));
    expect(res.status).toBe(201);
    const m = res.json.metadata;
    expect(m.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number(m.resourceVersion)).toBeGreaterThan(0);
    expect(m.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(m.managedFields[0]).toMatchObject({ operation: "Update", fieldsType: "FieldsV1", apiVersion: "v1" });
    expect(res.json.metadata.generation).toBeUndefined();
  });

  it("sets generation 1 on kinds that track it", async () => {
    const res = await api.post(DEPLOY, deployment("gen"));
    expect(res.json.metadata.generation).toBe(1);
  });

  it("fills kube-apiserver's defaults for built-in types, nested ones included", async () => {
    const d = (await api.post(DEPLOY, deployment("defaults"))).json;
    expect(d.spec).toMatchObject({ revisionHistoryLimit: 10, progressDeadlineSeconds: 600, strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } } });
    expect(d.spec.template.spec).toMatchObject({ restartPolicy: "Always", dnsPolicy: "ClusterFirst", terminationGracePeriodSeconds: 30, schedulerName: "default-scheduler" });
    expect(d.spec.template.spec.containers[0]).toMatchObject({ imagePullPolicy: "IfNotPresent", terminationMessagePath: "/dev/termination-log", terminationMessagePolicy: "File" });
    const svc = await api.post("/api/v1/namespaces/default/services", {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "defaults" },
      spec: { type: "NodePort", selector: { app: "x" }, ports: [{ port: 80 }] },
    });
    expect(svc.json.spec).toMatchObject({ sessionAffinity: "None", ipFamilies: ["IPv4"], externalTrafficPolicy: "Cluster" });
    expect(svc.json.spec.clusterIP).toMatch(/^10\.96\.\d+\.\d+$/);
    expect(svc.json.spec.clusterIPs).toEqual([svc.json.spec.clusterIP]);
    expect(svc.json.spec.ports[0]).toMatchObject({ protocol: "TCP", targetPort: 80 });
    expect(svc.json.spec.ports[0].nodePort).toBeGreaterThanOrEqual(30000);
  });

  it("names objects from generateName", async () => {
    const res = await api.post(CM, { apiVersion: "v1", kind: "ConfigMap", metadata: { generateName: "gen-" } });
    expect(res.status).toBe(201);
    expect(res.json.metadata.name).toMatch(/^gen-[a-z0-9]{5}$/);
  });

  it("answers 409 AlreadyExists for a duplicate name", async () => {
    await api.post(CM, configMap("dup"));
    const res = await api.post(CM, configMap("dup"));
    expect(res.status).toBe(409);
    expect(res.json).toMatchObject({ kind: "Status", reason: "AlreadyExists", message: 'configmaps "dup" already exists', details: { name: "dup", kind: "configmaps" } });
  });

  it("answers 404 when the namespace does not exist", async () => {
    const res = await api.post("/api/v1/namespaces/nowhere/configmaps", configMap("x"));
    expect(res.status).toBe(404);
    expect(res.json.message).toBe('namespaces "nowhere" not found');
  });

  it("answers 422 with causes for an invalid name and missing required fields", async () => {
    const res = await api.post(DEPLOY, { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "Bad_Name" }, spec: { template: {} } });
    expect(res.status).toBe(422);
    expect(res.json.reason).toBe("Invalid");
    expect(res.json.message).toMatch(/^Deployment\.apps "Bad_Name" is invalid: \[/);
    const fields = res.json.details.causes.map((c: { field: string }) => c.field);
    expect(fields).toContain("metadata.name");
    expect(fields).toContain("spec.selector");
    expect(res.json.details).toMatchObject({ name: "Bad_Name", group: "apps", kind: "Deployment" });
  });

  it("answers 400 for a wrong type in a built-in kind, naming the field", async () => {
    const d = deployment("typed");
    (d.spec as Record<string, unknown>).replicas = "three";
    const res = await api.post(DEPLOY, d);
    expect(res.status).toBe(400);
    expect(res.json.message).toContain('Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field');
    expect(res.json.message).toContain("spec.replicas");
  });

  it("checks unknown fields per fieldValidation: Strict 400, Warn header, Ignore silent; all prune", async () => {
    const body = { ...configMap("fv"), extra: 1 };
    const strict = await api.req("POST", `${CM}?fieldValidation=Strict`, { body });
    expect(strict.status).toBe(400);
    expect(strict.json.message).toBe('ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "extra"');
    const warn = await api.req("POST", `${CM}?fieldValidation=Warn`, { body });
    expect(warn.status).toBe(201);
    expect(String(warn.headers.warning)).toBe('299 - "unknown field \\"extra\\""');
    expect(warn.json.extra).toBeUndefined();
    const ignore = await api.req("POST", `${CM}?fieldValidation=Ignore`, { body: { ...body, metadata: { name: "fv2" } } });
    expect(ignore.status).toBe(201);
    expect(ignore.headers.warning).toBeUndefined();
  });

  it("never echoes Secret data in errors", async () => {
    const badBase64 = await api.post("/api/v1/namespaces/default/secrets", { apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, data: { pw: "hunter2!!" } });
    expect(badBase64.status).toBe(400);
    expect(badBase64.json.message).toBe('Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 7');
    const wrongKind = await api.post("/api/v1/namespaces/default/secrets", { kind: "ConfigMap", metadata: { name: "s" }, stringData: { pw: "hunter2" } });
    expect(wrongKind.status).toBe(400);
    expect(wrongKind.text).not.toContain("hunter2");
    expect(badBase64.text).not.toContain("hunter2");
  });

  it("rejects a body whose kind or namespace does not match the URL", async () => {
    const wrongKind = await api.post(CM, { apiVersion: "v1", kind: "Secret", metadata: { name: "k" } });
    expect(wrongKind.status).toBe(400);
    const wrongNs = await api.post(CM, { ...configMap("n"), metadata: { name: "n", namespace: "kube-system" } });
    expect(wrongNs.status).toBe(400);
    expect(wrongNs.json.message).toBe("the namespace of the provided object does not match the namespace sent on the request");
  });

  it("reports duplicate list-map entries", async () => {
    const p = pod("dups");
    (p.spec as { containers: unknown[] }).containers.push({ name: "main", image: "x" });
    const res = await api.post("/api/v1/namespaces/default/pods", p);
    expect(res.status).toBe(422);
    // `spec.containers[1].name` from the Pod's native rules (as kube-apiserver), `spec.containers[1]` from the list-map keys before them.
    expect(res.json.details.causes).toContainEqual(expect.objectContaining({ reason: "FieldValueDuplicate", field: expect.stringMatching(/^spec\.containers\[1\]/) }));
  });

  it("does not store anything on dryRun=All", async () => {
    const res = await api.req("POST", `${CM}?dryRun=All`, { body: configMap("dry") });
    expect(res.status).toBe(201);
    expect(res.json.metadata.resourceVersion).toBeUndefined();
    expect((await api.get(`${CM}/dry`)).status).toBe(404);
  });
});

describe("update and optimistic concurrency", () => {
  it("answers 409 with the apiserver's message for a stale resourceVersion", async () => {
    const created = (await api.post(CM, configMap("occ"))).json;
    const first = await api.put(`${CM}/occ`, { ...created, data: { a: "2" } });
    expect(first.status).toBe(200);
    expect(Number(first.json.metadata.resourceVersion)).toBeGreaterThan(Number(created.metadata.resourceVersion));
    const stale = await api.put(`${CM}/occ`, { ...created, data: { a: "3" } });
    expect(stale.status).toBe(409);
    expect(stale.json.message).toBe(
      'Operation cannot be fulfilled on configmaps "occ": the object has been modified; please apply your changes to the latest version and try again',
    );
    expect(stale.json.reason).toBe("Conflict");
  });

  it("keeps resourceVersion and emits nothing for a no-op update", async () => {
    const created = (await api.post(CM, configMap("noop"))).json;
    const same = await api.put(`${CM}/noop`, created);
    expect(same.json.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
  });

  it("bumps generation on spec changes only", async () => {
    const d = (await api.post(DEPLOY, deployment("genbump"))).json;
    const labelled = (await api.patch(`${DEPLOY}/genbump`, { metadata: { labels: { x: "y" } } }, "merge")).json;
    expect(labelled.metadata.generation).toBe(1);
    const scaled = (await api.patch(`${DEPLOY}/genbump`, { spec: { replicas: 3 } }, "merge")).json;
    expect(scaled.metadata.generation).toBe(2);
    void d;
  });

  it("ignores status on the main resource and spec on the status subresource", async () => {
    const d = (await api.post(DEPLOY, deployment("split"))).json;
    const withStatus = await api.put(`${DEPLOY}/split`, { ...d, status: { replicas: 9 } });
    // PrepareForCreate resets the status, PrepareForUpdate keeps the stored one: `{}`.
    expect(withStatus.json.status).toEqual({});
    const statusWrite = await api.put(`${DEPLOY}/split/status`, { ...withStatus.json, spec: { ...d.spec, replicas: 7 }, status: { replicas: 2 } });
    expect(statusWrite.status).toBe(200);
    expect(statusWrite.json.status.replicas).toBe(2);
    expect(statusWrite.json.spec.replicas).toBe(1);
    expect(statusWrite.json.metadata.managedFields.some((m: { subresource?: string }) => m.subresource === "status")).toBe(true);
  });

  it("refuses changes to immutable fields, and to data of immutable ConfigMaps", async () => {
    await api.post(DEPLOY, deployment("frozen"));
    const sel = await api.patch(`${DEPLOY}/frozen`, { spec: { selector: { matchLabels: { app: "other" } }, template: { metadata: { labels: { app: "other" } } } } }, "merge");
    expect(sel.status).toBe(422);
    expect(sel.json.message).toContain('spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"other"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable');
    await api.post(CM, { ...configMap("locked"), immutable: true });
    const changed = await api.patch(`${CM}/locked`, { data: { a: "2" } }, "merge");
    expect(changed.status).toBe(422);
    expect(changed.json.message).toBe('ConfigMap "locked" is invalid: data: Forbidden: field is immutable when `immutable` is set');
    expect((await api.patch(`${CM}/locked`, { metadata: { labels: { ok: "yes" } } }, "merge")).status).toBe(200);
  });

  it("keeps a service's allocated addresses when an update leaves them out", async () => {
    const svc = (
      await api.post("/api/v1/namespaces/default/services", {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "kept" },
        spec: { type: "NodePort", selector: { app: "x" }, ports: [{ port: 80 }] },
      })
    ).json;
    const replaced = await api.put("/api/v1/namespaces/default/services/kept", {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "kept", resourceVersion: svc.metadata.resourceVersion },
      spec: { type: "NodePort", selector: { app: "y" }, ports: [{ port: 80 }] },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.json.spec.clusterIP).toBe(svc.spec.clusterIP);
    expect(replaced.json.spec.ports[0].nodePort).toBe(svc.spec.ports[0].nodePort);
  });

  it("answers 400 when the body's name differs from the URL", async () => {
    const created = (await api.post(CM, configMap("named"))).json;
    const res = await api.put(`${CM}/named`, { ...created, metadata: { ...created.metadata, name: "other" } });
    expect(res.status).toBe(400);
    expect(res.json.message).toBe("the name of the object (other) does not match the name on the URL (named)");
  });
});

describe("patch", () => {
  it("applies JSON merge patches and JSON patches", async () => {
    await api.post(CM, configMap("p1", { a: "1", b: "2" }));
    const merge = await api.patch(`${CM}/p1`, { data: { a: null, c: "3" } }, "merge");
    expect(merge.json.data).toEqual({ b: "2", c: "3" });
    const json = await api.patch(`${CM}/p1`, [{ op: "add", path: "/data/d", value: "4" }, { op: "remove", path: "/data/b" }], "json");
    expect(json.json.data).toEqual({ c: "3", d: "4" });
  });

  it("applies strategic merge patches by the schema's merge keys, with directives", async () => {
    await api.post(DEPLOY, deployment("smp"));
    const added = await api.patch(`${DEPLOY}/smp`, { spec: { template: { spec: { containers: [{ name: "side", image: "envoy" }] } } } }, "strategic");
    expect(added.status).toBe(200);
    expect(added.json.spec.template.spec.containers.map((c: { name: string }) => c.name)).toEqual(["side", "main"]);
    const removed = await api.patch(`${DEPLOY}/smp`, { spec: { template: { spec: { containers: [{ name: "side", $patch: "delete" }] } } } }, "strategic");
    expect(removed.json.spec.template.spec.containers.map((c: { name: string }) => c.name)).toEqual(["main"]);
  });

  it("answers 422 for a JSON patch that does not apply, a failed test included, without the cause (as kube-apiserver)", async () => {
    await api.post(CM, configMap("p2"));
    const missing = await api.patch(`${CM}/p2`, [{ op: "replace", path: "/data/zzz/q", value: 1 }], "json");
    expect(missing.status).toBe(422);
    const test = await api.patch(`${CM}/p2`, [{ op: "test", path: "/data/a", value: "nope" }], "json");
    expect(test.status).toBe(422);
    expect(test.json.message).toBe("the server rejected our request due to an error in our request");
  });

  it("answers 409 when a patch carries a stale resourceVersion", async () => {
    const created = (await api.post(CM, configMap("p3"))).json;
    await api.patch(`${CM}/p3`, { data: { a: "2" } }, "merge");
    const stale = await api.patch(`${CM}/p3`, { metadata: { resourceVersion: created.metadata.resourceVersion }, data: { a: "3" } }, "merge");
    expect(stale.status).toBe(409);
  });

  it("answers 415 for an unknown patch content type", async () => {
    await api.post(CM, configMap("p4"));
    const res = await api.req("PATCH", `${CM}/p4`, { body: {}, contentType: "application/xml" });
    expect(res.status).toBe(415);
    expect(res.json.reason).toBe("UnsupportedMediaType");
  });

  it("patches with dryRun=All without storing", async () => {
    await api.post(CM, configMap("p5"));
    const res = await api.req("PATCH", `${CM}/p5?dryRun=All`, { body: { data: { a: "dry" } }, contentType: "application/merge-patch+json" });
    expect(res.json.data.a).toBe("dry");
    expect((await api.get(`${CM}/p5`)).json.data.a).toBe("1");
  });
});

describe("delete", () => {
  it("deletes and answers with a Success Status; the object is gone", async () => {
    await api.post(CM, configMap("d1"));
    const res = await api.del(`${CM}/d1`);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ kind: "Status", status: "Success", details: { name: "d1", kind: "configmaps" } });
    expect((await api.get(`${CM}/d1`)).status).toBe(404);
  });

  it("keeps an object with finalizers, with deletionTimestamp, until they are removed", async () => {
    await api.post(CM, { ...configMap("fin"), metadata: { name: "fin", finalizers: ["example.com/hold"] } });
    // 200 with the object, as kube-apiserver's delete handler answers when the object stays.
    const res = await api.del(`${CM}/fin`);
    expect(res.status).toBe(200);
    expect(res.json.metadata.deletionTimestamp).toBeDefined();
    // 202 only for a client that set orphanDependents=false.
    const again = await api.del(`${CM}/fin?orphanDependents=false`);
    expect(again.status).toBe(202);
    expect(again.json.metadata.deletionTimestamp).toBe(res.json.metadata.deletionTimestamp);
    const kept = await api.get(`${CM}/fin`);
    expect(kept.status).toBe(200);
    const added = await api.patch(`${CM}/fin`, { metadata: { finalizers: ["example.com/hold", "example.com/more"] } }, "merge");
    expect(added.status).toBe(422);
    const released = await api.patch(`${CM}/fin`, [{ op: "remove", path: "/metadata/finalizers" }], "json");
    expect(released.status).toBe(200);
    expect((await api.get(`${CM}/fin`)).status).toBe(404);
  });

  it("checks uid and resourceVersion preconditions", async () => {
    const created = (await api.post(CM, configMap("pre"))).json;
    const badUid = await api.del(`${CM}/pre`, { kind: "DeleteOptions", apiVersion: "v1", preconditions: { uid: "other" } });
    expect(badUid.status).toBe(409);
    expect(badUid.json.message).toBe(`Operation cannot be fulfilled on configmaps "pre": Precondition failed: UID in precondition: other, UID in object meta: ${created.metadata.uid}`);
    const badRv = await api.del(`${CM}/pre`, { kind: "DeleteOptions", apiVersion: "v1", preconditions: { resourceVersion: "1" } });
    expect(badRv.status).toBe(409);
    const ok = await api.del(`${CM}/pre`, { kind: "DeleteOptions", apiVersion: "v1", preconditions: { uid: created.metadata.uid } });
    expect(ok.status).toBe(200);
  });

  it("accepts propagationPolicy and rejects unknown ones", async () => {
    await api.post(CM, configMap("prop"));
    expect((await api.del(`${CM}/prop?propagationPolicy=Foreground`)).status).toBe(200);
    await api.post(CM, configMap("prop2"));
    // handlers/delete.go: ValidateDeleteOptions, an Invalid DeleteOptions (422).
    const sideways = await api.del(`${CM}/prop2?propagationPolicy=Sideways`);
    expect(sideways.status).toBe(422);
    expect(sideways.json.message).toBe('DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "Sideways": supported values: "Foreground", "Background", "Orphan", "nil"');
    expect((await api.del(`${CM}/prop2?propagationPolicy=Orphan&orphanDependents=true`)).status).toBe(422);
  });

  it("collects dependents in the background", async () => {
    const owner = (await api.post(CM, configMap("owner"))).json;
    const dep = configMap("dependent");
    (dep.metadata as Record<string, unknown>).ownerReferences = [{ apiVersion: "v1", kind: "ConfigMap", name: "owner", uid: owner.metadata.uid }];
    await api.post(CM, dep);
    await api.del(`${CM}/owner`);
    for (let i = 0; i < 50 && (await api.get(`${CM}/dependent`)).status === 200; i++) await new Promise((r) => setTimeout(r, 20));
    expect((await api.get(`${CM}/dependent`)).status).toBe(404);
  });

  it("orphans dependents (Orphan) and waits for them (Foreground)", async () => {
    const owned = async (owner: string, dependent: string) => {
      const o = (await api.post(CM, configMap(owner))).json;
      const d = configMap(dependent);
      (d.metadata as Record<string, unknown>).ownerReferences = [{ apiVersion: "v1", kind: "ConfigMap", name: owner, uid: o.metadata.uid }];
      await api.post(CM, d);
    };
    const settle = async (done: () => Promise<boolean>) => {
      for (let i = 0; i < 100 && !(await done()); i++) await new Promise((r) => setTimeout(r, 20));
    };
    await owned("o-owner", "o-dep");
    await api.del(`${CM}/o-owner?propagationPolicy=Orphan`);
    await settle(async () => (await api.get(`${CM}/o-owner`)).status === 404);
    expect((await api.get(`${CM}/o-owner`)).status).toBe(404);
    expect((await api.get(`${CM}/o-dep`)).json.metadata.ownerReferences).toBeUndefined();
    await owned("f-owner", "f-dep");
    const fg = await api.del(`${CM}/f-owner?propagationPolicy=Foreground`);
    expect(fg.json.metadata.finalizers).toEqual(["foregroundDeletion"]);
    await settle(async () => (await api.get(`${CM}/f-owner`)).status === 404);
    expect((await api.get(`${CM}/f-dep`)).status).toBe(404);
    expect((await api.get(`${CM}/f-owner`)).status).toBe(404);
  });

  it("deletes a collection by label selector and returns the deleted items", async () => {
    await api.post(CM, configMap("dc1", {}, { batch: "x" }));
    await api.post(CM, configMap("dc2", {}, { batch: "x" }));
    await api.post(CM, configMap("dc3", {}, { batch: "y" }));
    const res = await api.del(`${CM}?labelSelector=batch%3Dx`);
    expect(res.status).toBe(200);
    expect(res.json.kind).toBe("ConfigMapList");
    expect(res.json.items.map((i: { metadata: { name: string } }) => i.metadata.name).sort()).toEqual(["dc1", "dc2"]);
    expect((await api.get(`${CM}/dc3`)).status).toBe(200);
  });

  it("keeps a terminating namespace while an object's finalizer holds it", async () => {
    await api.post("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "held" } });
    await api.post("/api/v1/namespaces/held/configmaps", { ...configMap("sticky"), metadata: { name: "sticky", finalizers: ["example.com/hold"] } });
    await api.del("/api/v1/namespaces/held");
    await new Promise((r) => setTimeout(r, 100));
    expect((await api.get("/api/v1/namespaces/held")).json.status.phase).toBe("Terminating");
    await api.patch("/api/v1/namespaces/held/configmaps/sticky", { metadata: { finalizers: null } }, "merge");
    for (let i = 0; i < 100 && (await api.get("/api/v1/namespaces/held")).status === 200; i++) await new Promise((r) => setTimeout(r, 20));
    expect((await api.get("/api/v1/namespaces/held")).status).toBe(404);
  });

  it("terminates a namespace: content is deleted, then the namespace", async () => {
    await api.post("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "doomed" } });
    await api.post("/api/v1/namespaces/doomed/configmaps", configMap("inside"));
    const res = await api.del("/api/v1/namespaces/doomed");
    expect(res.status).toBe(200);
    expect(res.json.status.phase).toBe("Terminating");
    expect(res.json.metadata.deletionTimestamp).toBeDefined();
    const refused = await api.post("/api/v1/namespaces/doomed/configmaps", configMap("late"));
    expect([403, 404]).toContain(refused.status);
    for (let i = 0; i < 100 && (await api.get("/api/v1/namespaces/doomed")).status === 200; i++) await new Promise((r) => setTimeout(r, 20));
    expect((await api.get("/api/v1/namespaces/doomed")).status).toBe(404);
    expect((await api.get("/api/v1/namespaces/doomed/configmaps/inside")).status).toBe(404);
  });
});

describe("graceful deletion of pods (no kubelet here to finish it)", () => {
  const P = "/api/v1/namespaces/default/pods";
  const at = (t: string) => Date.parse(t) / 1000;

  it("keeps a bound pod in its grace period; a later delete may only shorten it, and period 0 deletes", async () => {
    await api.post(P, pod("bound-grace", { nodeName: "node-1", terminationGracePeriodSeconds: 60 }));
    const first = await api.del(`${P}/bound-grace`);
    expect(first.status).toBe(200);
    expect(first.json.metadata.deletionGracePeriodSeconds).toBe(60);
    const deadline = at(first.json.metadata.deletionTimestamp);
    // Not longer, and no change without a period: the pod as it is.
    const longer = await api.del(`${P}/bound-grace?gracePeriodSeconds=90`);
    expect(longer.status).toBe(200);
    expect(longer.json.metadata).toMatchObject({ deletionTimestamp: first.json.metadata.deletionTimestamp, deletionGracePeriodSeconds: 60, resourceVersion: first.json.metadata.resourceVersion });
    expect((await api.del(`${P}/bound-grace`)).json.metadata.resourceVersion).toBe(first.json.metadata.resourceVersion);
    // Shorter: the deadline moves back by the difference.
    const shorter = await api.del(`${P}/bound-grace`, { kind: "DeleteOptions", apiVersion: "v1", gracePeriodSeconds: 10 });
    expect(shorter.json.metadata.deletionGracePeriodSeconds).toBe(10);
    expect(at(shorter.json.metadata.deletionTimestamp)).toBe(deadline - 50);
    expect((await api.get(`${P}/bound-grace`)).status).toBe(200);
    const now = await api.del(`${P}/bound-grace?gracePeriodSeconds=0`);
    expect(now.status).toBe(200);
    expect(now.json.metadata.deletionGracePeriodSeconds).toBe(0);
    expect((await api.get(`${P}/bound-grace`)).status).toBe(404);
  });

  it("deletes at once a pod no node runs or that has finished, and a requested period 0", async () => {
    await api.post(P, pod("unbound-grace"));
    const unbound = await api.del(`${P}/unbound-grace`);
    expect([unbound.status, unbound.json.metadata.deletionGracePeriodSeconds]).toEqual([200, 0]);
    expect((await api.get(`${P}/unbound-grace`)).status).toBe(404);
    await api.post(P, pod("done-grace", { nodeName: "node-1" }));
    expect((await api.patch(`${P}/done-grace/status`, { status: { phase: "Succeeded" } }, "merge")).status).toBe(200);
    await api.del(`${P}/done-grace`);
    expect((await api.get(`${P}/done-grace`)).status).toBe(404);
    await api.post(P, pod("forced-grace", { nodeName: "node-1" }));
    await api.del(`${P}/forced-grace?gracePeriodSeconds=0`);
    expect((await api.get(`${P}/forced-grace`)).status).toBe(404);
  });

  it("keeps a pod whose last finalizer goes during its grace period", async () => {
    await api.post(P, { ...pod("held-grace", { nodeName: "node-1" }), metadata: { name: "held-grace", finalizers: ["example.com/hold"] } });
    await api.del(`${P}/held-grace`);
    const released = await api.patch(`${P}/held-grace`, { metadata: { finalizers: null } }, "merge");
    expect(released.status).toBe(200);
    expect(released.json.metadata.deletionGracePeriodSeconds).toBe(30);
    expect((await api.get(`${P}/held-grace`)).status).toBe(200);
    await api.del(`${P}/held-grace?gracePeriodSeconds=0`);
    expect((await api.get(`${P}/held-grace`)).status).toBe(404);
  });
});

describe("subresources", () => {
  it("reads and writes scale; status writes ignore spec", async () => {
    await api.post(DEPLOY, deployment("sc", 2));
    const scale = await api.get(`${DEPLOY}/sc/scale`);
    expect(scale.json).toMatchObject({ kind: "Scale", apiVersion: "autoscaling/v1", spec: { replicas: 2 }, status: { replicas: 0, selector: "app=sc" } });
    const put = await api.put(`${DEPLOY}/sc/scale`, { ...scale.json, spec: { replicas: 5 } });
    expect(put.json.spec.replicas).toBe(5);
    const patched = await api.patch(`${DEPLOY}/sc/scale`, { spec: { replicas: 6 } }, "merge");
    expect(patched.json.spec.replicas).toBe(6);
    expect((await api.get(`${DEPLOY}/sc`)).json.spec.replicas).toBe(6);
    const negative = await api.patch(`${DEPLOY}/sc/scale`, { spec: { replicas: -1 } }, "merge");
    expect(negative.status).toBe(422);
  });

  it("serves pods/log from text the test sets", async () => {
    await api.post("/api/v1/namespaces/default/pods", pod("logger"));
    server.setPodLog("default", "logger", "one\ntwo\nthree\n");
    const all = await api.get("/api/v1/namespaces/default/pods/logger/log");
    expect(all.status).toBe(200);
    expect(all.text).toBe("one\ntwo\nthree\n");
    expect((await api.get("/api/v1/namespaces/default/pods/logger/log?tailLines=1")).text).toBe("three\n");
    const stamped = await api.get("/api/v1/namespaces/default/pods/logger/log?timestamps=true&tailLines=1");
    expect(stamped.text).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z three\n$/);
    expect((await api.get("/api/v1/namespaces/default/pods/logger/log?container=nope")).status).toBe(400);
    expect((await api.get("/api/v1/namespaces/default/pods/ghost/log")).status).toBe(404);
  });

  it("follows pod logs: appended text streams until the pod is deleted", async () => {
    await api.post("/api/v1/namespaces/default/pods", pod("follower"));
    server.setPodLog("default", "follower", "first\n");
    const { Agent, request } = await import("undici");
    const dispatcher = new Agent({ connect: { ca: server.caCertificate } });
    const res = await request(`${server.url}/api/v1/namespaces/default/pods/follower/log?follow=true`, {
      headers: { authorization: `Bearer ${server.kubeconfig.users[0]!.user.token}` },
      dispatcher,
      bodyTimeout: 0,
    });
    let text = "";
    const ended = new Promise<void>((resolve) => res.body.on("end", resolve));
    res.body.on("data", (d: Buffer) => (text += d));
    server.appendPodLog("default", "follower", "second\n");
    for (let i = 0; i < 50 && !text.includes("second"); i++) await new Promise((r) => setTimeout(r, 10));
    expect(text).toBe("first\nsecond\n");
    await api.del("/api/v1/namespaces/default/pods/follower");
    await ended;
    await dispatcher.close();
  });

  it("binds a pod to a node once", async () => {
    await api.post("/api/v1/namespaces/default/pods", pod("bindme"));
    const bind = { apiVersion: "v1", kind: "Binding", metadata: { name: "bindme" }, target: { apiVersion: "v1", kind: "Node", name: "node-1" } };
    expect((await api.post("/api/v1/namespaces/default/pods/bindme/binding", bind)).status).toBe(201);
    expect((await api.get("/api/v1/namespaces/default/pods/bindme")).json.spec.nodeName).toBe("node-1");
    expect((await api.post("/api/v1/namespaces/default/pods/bindme/binding", bind)).status).toBe(409);
  });

  it("evicts a pod", async () => {
    await api.post("/api/v1/namespaces/default/pods", pod("evictee"));
    const res = await api.post("/api/v1/namespaces/default/pods/evictee/eviction", {
      apiVersion: "policy/v1",
      kind: "Eviction",
      metadata: { name: "evictee", namespace: "default" },
    });
    expect(res.status).toBe(201);
    expect(res.json.status).toBe("Success");
    expect((await api.get("/api/v1/namespaces/default/pods/evictee")).status).toBe(404);
  });

  it("issues service account tokens that authenticate as the service account", async () => {
    await api.post("/api/v1/namespaces/default/serviceaccounts", { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "robot" } });
    const res = await api.post("/api/v1/namespaces/default/serviceaccounts/robot/token", {
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenRequest",
      spec: { audiences: ["api"], expirationSeconds: 3600 },
    });
    expect(res.status).toBe(201);
    expect(res.json.status.token.split(".")).toHaveLength(3);
    const asRobot = client(server, res.json.status.token);
    const me = await asRobot.get("/api/v1/namespaces/default/configmaps");
    expect(me.status).toBe(200);
    expect(server.requests.at(-1)?.user).toBe("system:serviceaccount:default:robot");
    await asRobot.close();
  });
});

describe("a resource served at versions with different fields", () => {
  const V1 = "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers";
  const V2 = "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers";
  const target = { apiVersion: "apps/v1", kind: "Deployment", name: "web" };

  it("stores a HorizontalPodAutoscaler at autoscaling/v2 and converts it for v1 readers, lists, writers and patches", async () => {
    const created = await api.post(V1, { apiVersion: "autoscaling/v1", kind: "HorizontalPodAutoscaler", metadata: { name: "conv-a" }, spec: { scaleTargetRef: target, maxReplicas: 4, targetCPUUtilizationPercentage: 70 } });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ apiVersion: "autoscaling/v1", spec: { minReplicas: 1, maxReplicas: 4, targetCPUUtilizationPercentage: 70 } });
    const atV2 = (await api.get(`${V2}/conv-a`)).json;
    expect(atV2.apiVersion).toBe("autoscaling/v2");
    expect(atV2.spec.metrics).toEqual([{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }]);
    expect(atV2.spec.targetCPUUtilizationPercentage).toBeUndefined();

    // A v2 writer adds a memory target; a v1 reader sees it in the annotation, and writing the v1 object back keeps it.
    atV2.spec.metrics.push({ type: "Resource", resource: { name: "memory", target: { type: "AverageValue", averageValue: "500Mi" } } });
    expect((await api.put(`${V2}/conv-a`, atV2)).status).toBe(200);
    const atV1 = (await api.get(`${V1}/conv-a`)).json;
    expect(atV1.spec.targetCPUUtilizationPercentage).toBe(70);
    expect(JSON.parse(atV1.metadata.annotations["autoscaling.alpha.kubernetes.io/metrics"])).toEqual([{ type: "Resource", resource: { name: "memory", targetAverageValue: "500Mi" } }]);
    atV1.spec.maxReplicas = 6;
    const put = await api.put(`${V1}/conv-a`, atV1);
    expect(put.status).toBe(200);
    expect(put.json.spec.maxReplicas).toBe(6);
    const after = (await api.get(`${V2}/conv-a`)).json;
    expect(after.spec.maxReplicas).toBe(6);
    expect(after.spec.metrics.map((m: { resource: { name: string } }) => m.resource.name)).toEqual(["memory", "cpu"]);
    expect(after.metadata.annotations).toBeUndefined();

    // A merge patch at v1 applies to the v1 form.
    const patched = await api.patch(`${V1}/conv-a`, { spec: { targetCPUUtilizationPercentage: 50 } }, "merge");
    expect(patched.json.spec.targetCPUUtilizationPercentage).toBe(50);
    expect((await api.get(`${V2}/conv-a`)).json.spec.metrics[1].resource.target.averageUtilization).toBe(50);

    const listed = (await api.get(V1)).json;
    expect(listed.items.find((h: { metadata: { name: string } }) => h.metadata.name === "conv-a")).toMatchObject({ spec: { targetCPUUtilizationPercentage: 50 } });
  });

  it("serves a ResourceClaim written at resource.k8s.io/v1beta1 with v1's `exactly` at v1", async () => {
    const local = await startTestServer({ kubernetesVersion: "1.34", controllers: false, runtimeConfig: { "resource.k8s.io/v1beta1": true } });
    const other = client(local);
    try {
      const written = await other.post("/apis/resource.k8s.io/v1beta1/namespaces/default/resourceclaims", {
        apiVersion: "resource.k8s.io/v1beta1",
        kind: "ResourceClaim",
        metadata: { name: "gpu" },
        spec: { devices: { requests: [{ name: "gpu", deviceClassName: "gpu.example.com" }] } },
      });
      expect(written.status, JSON.stringify(written.json)).toBe(201);
      const atV1 = (await other.get("/apis/resource.k8s.io/v1/namespaces/default/resourceclaims/gpu")).json;
      expect(atV1.apiVersion).toBe("resource.k8s.io/v1");
      expect(atV1.spec.devices.requests[0]).toMatchObject({ name: "gpu", exactly: { deviceClassName: "gpu.example.com" } });
      expect(atV1.spec.devices.requests[0].deviceClassName).toBeUndefined();
    } finally {
      await other.close();
      await local.close();
    }
  });
});
