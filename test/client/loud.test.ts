/**
 * The client is typed and loud: paths are checked against the schema (never a silent no-op),
 * server warnings reach a handler and the results, `get(obj)` works, the field manager is sent on
 * every write, `returnErrors` takes classes, subresources come from the annotations, and
 * `setAt` changes a copy.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigMap, Deployment, Pod } from "kubezod/k8s";
import { ConflictError, NotFoundError, setAt, UsageError, warningsOf, type Kube } from "../../src/index.js";
import { startTestServer, type TestServer } from "../../src/testing/index.js";

let server: TestServer;
let kube: Kube;
const warned: string[] = [];

beforeAll(async () => {
  server = await startTestServer();
  kube = await server.connect({ onWarning: (w) => warned.push(w) });
});
afterAll(async () => {
  await kube?.close();
  await server?.close();
});

const web = (name: string) => ({
  metadata: { name, labels: { app: name } },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "web", image: "nginx:1.24" }, { name: "sidecar", image: "busybox" }] } },
  },
});

describe("paths of update", () => {
  it("accept pickers, JSON Pointers and dotted paths, and refuse a path the schema does not have", async () => {
    const live = await kube.create(Deployment, web("paths"));
    const edited = structuredClone(live);
    edited.spec!.replicas = 2;
    edited.spec!.template.spec!.containers[0]!.image = "nginx:1.25";
    edited.metadata!.labels = { app: "paths", extra: "not-sent" };
    const a = await kube.update(edited, { builtFromLatest: live, paths: ["spec.replicas"] });
    expect(a.spec?.replicas).toBe(2);
    expect(a.metadata?.labels).toEqual({ app: "paths" });
    const b = await kube.update(Deployment, { ...edited, metadata: { ...edited.metadata, resourceVersion: a.metadata?.resourceVersion } }, { builtFromLatest: a, paths: ["spec.template.spec.containers[name=web].image"] });
    expect(b.spec?.template.spec?.containers.map((c) => c.image)).toEqual(["nginx:1.25", "busybox"]);
    const c = await kube.update(Deployment, { ...edited, metadata: { ...edited.metadata, resourceVersion: b.metadata?.resourceVersion } }, { builtFromLatest: b, paths: ["/metadata/labels"] });
    expect(c.metadata?.labels).toEqual({ app: "paths", extra: "not-sent" });

    server.requests.length = 0;
    await expect(kube.update(edited, { builtFromLatest: c, paths: ["/spec/replcas"] })).rejects.toThrow(UsageError);
    await expect(kube.update(edited, { builtFromLatest: c, paths: ["/spec/replcas"] })).rejects.toThrow("spec.replcas is not a field of Deployment (apps/v1)");
    await expect(kube.update(edited, { builtFromLatest: c, paths: ["spec.template.spec.containerz[0].image"] })).rejects.toThrow(/spec\.template\.spec\.containerz is not a field/);
    expect(server.requests.filter((r) => r.method === "PATCH")).toHaveLength(0);
  });
});

describe("server warnings", () => {
  it("go to the warning handler and stay with the result", async () => {
    warned.length = 0;
    const cm = await kube.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "warned" }, dta: { a: "1" } } as never, { validate: "off" });
    expect(warned).toEqual(['unknown field "dta"']);
    expect(warningsOf(cm)).toEqual(['unknown field "dta"']);
    expect(warningsOf(await kube.get(ConfigMap, "warned"))).toEqual([]);
  });

  it("are printed once each to stderr by default, as kubectl does", async () => {
    const written: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => (written.push(String(chunk)), true)) as typeof process.stderr.write;
    const plain = await server.connect();
    try {
      for (const name of ["w1", "w2"]) await plain.create(ConfigMap, { metadata: { name }, dta: 1 } as never, { validate: "off" });
    } finally {
      process.stderr.write = write;
      await plain.close();
    }
    expect(written).toEqual(['Warning: unknown field "dta"\n']);
  });
});

describe("calls by object", () => {
  it("get(obj) reads the object it names, delete(obj) deletes it", async () => {
    const cm = await kube.create(ConfigMap, { metadata: { name: "by-obj" }, data: { a: "1" } });
    await kube.patch(ConfigMap, "by-obj", { data: { a: "2" } });
    expect((await kube.get(cm)).data).toEqual({ a: "2" });
    await kube.delete(cm);
    expect(await kube.get(cm, { returnErrors: [NotFoundError] })).toBeInstanceOf(NotFoundError);
    await expect(kube.get({ apiVersion: "v1", kind: "ConfigMap" })).rejects.toThrow(/has no metadata\.name/);
  });
});

describe("field manager", () => {
  it("is recorded for every write when the client names one", async () => {
    const k = await server.connect({ fieldManager: "my-operator", onWarning: false });
    try {
      const created = await k.create(ConfigMap, { metadata: { name: "managed" }, data: { a: "1" } });
      const next = structuredClone(created);
      next.data = { a: "2" };
      const updated = await k.update(next, { builtFromLatest: created });
      const replaced = await k.replace(ConfigMap, { ...updated, data: { a: "3" } });
      const patched = await k.patch(ConfigMap, "managed", { data: { b: "1" } }, { type: "merge" });
      for (const obj of [created, updated, replaced, patched]) {
        expect(obj.metadata?.managedFields?.map((m) => m.manager)).toEqual(["my-operator"]);
      }
    } finally {
      await k.close();
    }
  });
});

describe("returnErrors", () => {
  it("takes error classes as well as statuses", async () => {
    await kube.create(ConfigMap, { metadata: { name: "exists" } });
    const again = await kube.create(ConfigMap, { metadata: { name: "exists" } }, { returnErrors: [ConflictError] });
    expect(again).toBeInstanceOf(ConflictError);
    expect(again).toMatchObject({ code: "KUBE_CONFLICT", reason: "AlreadyExists" });
  });
});

describe("subresources from the annotations", () => {
  it("refuse a subresource the kind does not declare, before sending anything", async () => {
    server.requests.length = 0;
    await expect(kube.logs(Deployment, "paths")).rejects.toThrow(/Deployment \(apps\/v1\) has no log subresource/);
    await expect(kube.exec(ConfigMap, "x", ["ls"])).rejects.toThrow(/ConfigMap \(v1\) has no exec subresource/);
    await expect(kube.getScale(ConfigMap, "x")).rejects.toThrow(UsageError);
    expect(server.requests).toHaveLength(0);
  });

  it("read typed answers (the Scale of a Deployment) and write bodies of the declared kind (Eviction)", async () => {
    const scale = await kube.getScale(Deployment, "paths");
    expect(scale).toMatchObject({ apiVersion: "autoscaling/v1", kind: "Scale", spec: { replicas: 2 } });
    await kube.create(Pod, { metadata: { name: "evicted" }, spec: { containers: [{ name: "a", image: "busybox" }] } });
    server.requests.length = 0;
    await kube.evict(Pod, "evicted");
    expect(JSON.parse(server.requests.at(-1)!.body ?? "{}")).toMatchObject({ apiVersion: "policy/v1", kind: "Eviction", metadata: { name: "evicted" } });
  });
});

describe("setAt", () => {
  it("returns a changed copy, sharing what it did not change", () => {
    const d = { metadata: { name: "a", labels: { x: "1" } }, spec: { replicas: 1, template: { spec: { containers: [{ name: "web", image: "a" }] } } } };
    const scaled = setAt(d, (o) => o.spec.replicas, 3);
    expect(scaled.spec.replicas).toBe(3);
    expect(d.spec.replicas).toBe(1);
    expect(scaled.metadata).toBe(d.metadata);
    const imaged = setAt(d, "spec.template.spec.containers[name=web].image", "b");
    expect(imaged.spec.template.spec.containers[0]!.image).toBe("b");
    expect(d.spec.template.spec.containers[0]!.image).toBe("a");
    expect(setAt(d, "/metadata/labels/x", undefined).metadata.labels).toEqual({});
    expect(setAt(d, "metadata.annotations[a.io/b]", "c")).toMatchObject({ metadata: { annotations: { "a.io/b": "c" } } });
  });
});
