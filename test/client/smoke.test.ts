import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigMap, Deployment, Pod } from "kubezod/k8s";
import { connect, NotFoundError, ConflictError, type Kube } from "../../src/index.js";
import { startTestServer, type TestServer } from "../../src/testing/index.js";

describe("client smoke", () => {
  let server: TestServer;
  let kube: Kube;
  beforeAll(async () => {
    server = await startTestServer();
    kube = await connect({ kubeconfig: server.kubeconfig as never });
  });
  afterAll(async () => {
    await kube?.close();
    await server?.close();
  });

  it("does CRUD", async () => {
    const cm = await kube.create(ConfigMap, { metadata: { name: "a" }, data: { x: "1" } });
    expect(cm.metadata?.resourceVersion).toBeTruthy();
    const got = await kube.get(ConfigMap, "a");
    expect(got.data).toEqual({ x: "1" });
    const missing = await kube.get(ConfigMap, "nope", { returnErrors: [404] });
    expect(missing).toBeInstanceOf(NotFoundError);
    const next = structuredClone(got);
    next.data = { x: "2", y: "3" };
    const updated = await kube.update(next, { builtFromLatest: got });
    expect(updated.data).toEqual({ x: "2", y: "3" });
    const stale = structuredClone(got);
    stale.data = { x: "9" };
    await expect(kube.update(stale, { builtFromLatest: got })).rejects.toBeInstanceOf(ConflictError);
    const list = await kube.list(ConfigMap);
    expect(list.items.map((i) => i.metadata?.name)).toContain("a");
    const d = await kube.create({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, spec: { selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "nginx" }] } } } });
    expect(d.kind).toBe("Deployment");
    const scaled = await kube.scale(Deployment, "web", 3);
    expect(scaled.spec?.replicas).toBe(3);
    const applied = await kube.apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "b" }, data: { z: "1" } }, { fieldManager: "test" });
    expect(applied.data).toEqual({ z: "1" });
    const del = await kube.delete(ConfigMap, "a");
    expect(del).toBeTruthy();
    expect((await kube.discover()).aggregated).toBe(true);
    expect((await kube.version()).gitVersion).toMatch(/^v1\./);
    await expect(kube.exec(Pod, "p", ["echo", "hi"])).rejects.toBeInstanceOf(NotFoundError);
    await kube.create(Pod, { metadata: { name: "p" }, spec: { containers: [{ name: "c", image: "busybox" }] } });
    const r2 = await kube.exec(Pod, "p", ["cat"], { stdin: "hello" });
    expect(r2.stdout).toBe("hello");
    expect((await kube.exec(Pod, "p", ["sh", "-c", "exit 3"])).exitCode).toBe(3);
  });
});
