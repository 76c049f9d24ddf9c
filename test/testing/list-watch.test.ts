import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { client, configMap, pod, type Client } from "./helpers.js";

let server: TestServer;
let api: Client;

beforeAll(async () => {
  server = await startTestServer({ kubernetesVersion: "1.32", bookmarkIntervalMs: 100, historySize: 50, controllers: false });
  api = client(server);
  await api.post("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "lists" } });
});
afterAll(async () => {
  await api.close();
  await server.close();
});

const names = (list: { items: Array<{ metadata: { name: string } }> }) => list.items.map((i) => i.metadata.name);

describe("list", () => {
  beforeAll(async () => {
    const labels: Array<Record<string, string>> = [{ app: "web", tier: "front" }, { app: "web", tier: "back" }, { app: "db" }, {}];
    for (const [i, l] of labels.entries()) await api.post("/api/v1/namespaces/lists/configmaps", configMap(`cm${i}`, { i: String(i) }, l));
  });

  it("returns the list kind with a resourceVersion; built-in items omit apiVersion and kind", async () => {
    const res = await api.get("/api/v1/namespaces/lists/configmaps");
    expect(res.json.kind).toBe("ConfigMapList");
    expect(res.json.apiVersion).toBe("v1");
    expect(res.json.metadata.resourceVersion).toBe(server.resourceVersion);
    expect(names(res.json)).toEqual(["cm0", "cm1", "cm2", "cm3"]);
    expect(res.json.items[0].kind).toBeUndefined();
  });

  it("filters by equality and set-based label selectors", async () => {
    const q = async (sel: string) => names((await api.get(`/api/v1/namespaces/lists/configmaps?labelSelector=${encodeURIComponent(sel)}`)).json);
    expect(await q("app=web")).toEqual(["cm0", "cm1"]);
    expect(await q("app!=web")).toEqual(["cm2", "cm3"]);
    expect(await q("app in (web,db),tier notin (back)")).toEqual(["cm0", "cm2"]);
    expect(await q("tier")).toEqual(["cm0", "cm1"]);
    expect(await q("!app")).toEqual(["cm3"]);
  });

  it("filters by metadata field selectors and per-kind ones", async () => {
    const byName = await api.get("/api/v1/namespaces/lists/configmaps?fieldSelector=metadata.name%3Dcm2");
    expect(names(byName.json)).toEqual(["cm2"]);
    await api.post("/api/v1/namespaces/lists/pods", pod("on-node", { nodeName: "n1" }));
    await api.post("/api/v1/namespaces/lists/pods", pod("unscheduled"));
    const onNode = await api.get("/api/v1/namespaces/lists/pods?fieldSelector=spec.nodeName%3Dn1");
    expect(names(onNode.json)).toEqual(["on-node"]);
    const pending = await api.get("/api/v1/pods?fieldSelector=status.phase%3DPending,metadata.namespace%3Dlists");
    expect(names(pending.json)).toEqual(["on-node", "unscheduled"]);
  });

  it("answers 400 for bad selector syntax and unsupported field labels", async () => {
    const bad = await api.get("/api/v1/namespaces/lists/configmaps?labelSelector=" + encodeURIComponent("app in web"));
    expect(bad.status).toBe(400);
    expect(bad.json.reason).toBe("BadRequest");
    const field = await api.get("/api/v1/namespaces/lists/configmaps?fieldSelector=data.i%3D1");
    expect(field.status).toBe(400);
    expect(field.json.message).toContain("field label not supported: data.i");
  });

  it("pages with limit and continue, with remainingItemCount", async () => {
    const first = await api.get("/api/v1/namespaces/lists/configmaps?limit=3");
    expect(names(first.json)).toEqual(["cm0", "cm1", "cm2"]);
    expect(first.json.metadata.remainingItemCount).toBe(1);
    const token = first.json.metadata.continue;
    expect(token).toBeTruthy();
    await api.post("/api/v1/namespaces/lists/configmaps", configMap("cm9"));
    const second = await api.get(`/api/v1/namespaces/lists/configmaps?limit=3&continue=${encodeURIComponent(token)}`);
    // A consistent snapshot: the object created after the first page is not in the continuation.
    expect(names(second.json)).toEqual(["cm3"]);
    expect(second.json.metadata.continue).toBeUndefined();
    await api.del("/api/v1/namespaces/lists/configmaps/cm9");
  });

  it("expires continue tokens after compaction with 410, and rejects garbage tokens with 400", async () => {
    const first = await api.get("/api/v1/namespaces/lists/configmaps?limit=1");
    await api.post("/api/v1/namespaces/lists/configmaps", configMap("bump"));
    server.compact();
    const expired = await api.get(`/api/v1/namespaces/lists/configmaps?limit=1&continue=${encodeURIComponent(first.json.metadata.continue)}`);
    expect(expired.status).toBe(410);
    expect(expired.json.reason).toBe("Expired");
    expect(expired.json.message).toMatch(/^The provided continue parameter is too old/);
    const garbage = await api.get("/api/v1/namespaces/lists/configmaps?continue=xyz");
    expect(garbage.status).toBe(400);
    await api.del("/api/v1/namespaces/lists/configmaps/bump");
  });

  it("honours resourceVersion semantics: Exact reads the past, too-large answers 504", async () => {
    const before = server.resourceVersion;
    await api.post("/api/v1/namespaces/lists/configmaps", configMap("later"));
    const exact = await api.get(`/api/v1/namespaces/lists/configmaps?resourceVersion=${before}&resourceVersionMatch=Exact`);
    expect(exact.status).toBe(200);
    expect(names(exact.json)).not.toContain("later");
    expect(exact.json.metadata.resourceVersion).toBe(before);
    const any = await api.get("/api/v1/namespaces/lists/configmaps?resourceVersion=0");
    expect(names(any.json)).toContain("later");
    const future = await api.get(`/api/v1/namespaces/lists/configmaps?resourceVersion=${Number(server.resourceVersion) + 100}`);
    expect(future.status).toBe(504);
    expect(future.json.details.causes[0].reason).toBe("ResourceVersionTooLarge");
    const noMatchRv = await api.get("/api/v1/namespaces/lists/configmaps?resourceVersionMatch=Exact");
    expect(noMatchRv.status).toBe(400);
    await api.del("/api/v1/namespaces/lists/configmaps/later");
  });

  it("serves tables for kubectl, with per-kind columns", async () => {
    const accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";
    const table = await api.get("/api/v1/namespaces/lists/configmaps?labelSelector=app%3Dweb", accept);
    expect(table.json.kind).toBe("Table");
    expect(table.json.columnDefinitions.map((c: { name: string }) => c.name)).toEqual(["Name", "Data", "Age"]);
    expect(table.json.rows[0].cells.slice(0, 2)).toEqual(["cm0", 1]);
    expect(table.json.rows[0].object.kind).toBe("PartialObjectMetadata");
    const pods = await api.get("/api/v1/namespaces/lists/pods/on-node", accept);
    expect(pods.json.columnDefinitions.map((c: { name: string }) => c.name).slice(0, 5)).toEqual(["Name", "Ready", "Status", "Restarts", "Age"]);
    expect(pods.json.rows[0].cells.slice(0, 4)).toEqual(["on-node", "0/1", "Pending", "0"]);
    const generic = await api.get("/apis/rbac.authorization.k8s.io/v1/clusterroles", accept);
    expect(generic.json.columnDefinitions.map((c: { name: string }) => c.name)).toEqual(["Name", "Created At"]);
  });
});

describe("watch", () => {
  const W = "/api/v1/namespaces/default/configmaps";

  it("streams ADDED, MODIFIED and DELETED as newline-delimited JSON", async () => {
    const rv = server.resourceVersion;
    const w = await api.watch(`${W}?watch=true&resourceVersion=${rv}`);
    expect(w.status).toBe(200);
    await api.post(W, configMap("w1"));
    await api.patch(`${W}/w1`, { data: { a: "2" } }, "merge");
    await api.del(`${W}/w1`);
    const events = [await w.next(), await w.next(), await w.next()];
    expect(events.map((e) => e.type)).toEqual(["ADDED", "MODIFIED", "DELETED"]);
    expect(events[1].object.data.a).toBe("2");
    expect(events[0].object.kind).toBe("ConfigMap");
    expect(Number(events[2].object.metadata.resourceVersion)).toBeGreaterThan(Number(events[1].object.metadata.resourceVersion));
    w.close();
  });

  it("starts with the current state when no resourceVersion is given", async () => {
    await api.post(W, configMap("existing"));
    const w = await api.watch(`${W}?watch=1&fieldSelector=metadata.name%3Dexisting`);
    const first = await w.next();
    expect(first).toMatchObject({ type: "ADDED", object: { metadata: { name: "existing" } } });
    w.close();
  });

  it("resumes from a resourceVersion within history", async () => {
    const rv = server.resourceVersion;
    await api.post(W, configMap("r1"));
    await api.post(W, configMap("r2"));
    const w = await api.watch(`${W}?watch=true&resourceVersion=${rv}`);
    expect((await w.next()).object.metadata.name).toBe("r1");
    expect((await w.next()).object.metadata.name).toBe("r2");
    w.close();
  });

  it("sends a 410 Expired ERROR event for a resourceVersion older than the history", async () => {
    const rv = server.resourceVersion;
    for (let i = 0; i < 60; i++) await api.post(W, configMap(`flood${i}`));
    const w = await api.watch(`${W}?watch=true&resourceVersion=${rv}`);
    const ev = await w.next();
    expect(ev.type).toBe("ERROR");
    expect(ev.object).toMatchObject({ kind: "Status", code: 410, reason: "Expired" });
    expect(ev.object.message).toMatch(/^too old resource version: \d+ \(\d+\)$/);
    await w.ended;
    await api.del(`${W}?labelSelector=`);
  });

  it("turns selector transitions into ADDED and DELETED", async () => {
    await api.post(W, configMap("sel", {}, { watch: "no" }));
    const w = await api.watch(`${W}?watch=true&labelSelector=watch%3Dyes&resourceVersion=${server.resourceVersion}`);
    await api.patch(`${W}/sel`, { metadata: { labels: { watch: "yes" } } }, "merge");
    expect((await w.next()).type).toBe("ADDED");
    await api.patch(`${W}/sel`, { metadata: { labels: { watch: "no" } } }, "merge");
    expect((await w.next()).type).toBe("DELETED");
    w.close();
  });

  it("sends bookmarks when asked", async () => {
    const w = await api.watch(`${W}?watch=true&allowWatchBookmarks=true&resourceVersion=${server.resourceVersion}`);
    const ev = await w.next(3000);
    expect(ev.type).toBe("BOOKMARK");
    expect(ev.object.kind).toBe("ConfigMap");
    expect(ev.object.metadata.resourceVersion).toBe(server.resourceVersion);
    w.close();
  });

  it("sends a bookmark 2 s before the watch's timeoutSeconds, as the watch cache does, and none when the timeout is shorter", async () => {
    // The bookmark interval of this file's server is 100 ms: a server with the default minute shows the pre-timeout bookmark alone.
    const quiet = await startTestServer({ kubernetesVersion: "1.32", controllers: false });
    const q = client(quiet);
    try {
      const rv = quiet.resourceVersion;
      const w = await q.watch(`/api/v1/namespaces/default/configmaps?watch=true&allowWatchBookmarks=true&timeoutSeconds=3&resourceVersion=${rv}`);
      const ev = await w.next(2500);
      expect(ev.type).toBe("BOOKMARK");
      expect(ev.object).toEqual({ kind: "ConfigMap", apiVersion: "v1", metadata: { resourceVersion: rv } });
      await w.ended;
      await expect(w.next(10)).rejects.toThrow(/no watch event/);
      const short = await q.watch(`/api/v1/namespaces/default/configmaps?watch=true&allowWatchBookmarks=true&timeoutSeconds=1&resourceVersion=${rv}`);
      await short.ended;
      await expect(short.next(10)).rejects.toThrow(/no watch event/);
    } finally {
      await q.close();
      await quiet.close();
    }
  });

  it("sends initial events then the initial-events-end bookmark (sendInitialEvents)", async () => {
    await api.post("/api/v1/namespaces/lists/secrets", { apiVersion: "v1", kind: "Secret", metadata: { name: "s1" }, stringData: { a: "b" } });
    const w = await api.watch("/api/v1/namespaces/lists/secrets?watch=true&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan");
    expect((await w.next()).type).toBe("ADDED");
    const end = await w.next();
    expect(end.type).toBe("BOOKMARK");
    expect(end.object.metadata.annotations).toEqual({ "k8s.io/initial-events-end": "true" });
    w.close();
    const bad = await api.get("/api/v1/namespaces/lists/secrets?watch=true&sendInitialEvents=true");
    expect(bad.status).toBe(400);
  });

  it("ends the stream after timeoutSeconds", async () => {
    const w = await api.watch(`${W}?watch=true&timeoutSeconds=1&resourceVersion=${server.resourceVersion}`);
    await w.ended;
  });

  it("serves watch events as tables for kubectl get -w", async () => {
    await api.post(W, configMap("tablewatch"));
    const w = await api.req("GET", `${W}?watch=true&timeoutSeconds=1&fieldSelector=metadata.name%3Dtablewatch`, {
      accept: "application/json;as=Table;v=v1;g=meta.k8s.io",
    });
    const first = JSON.parse(w.text.split("\n")[0]!);
    expect(first.type).toBe("ADDED");
    expect(first.object.kind).toBe("Table");
    expect(first.object.rows[0].cells[0]).toBe("tablewatch");
  });
});

describe("the versions served by default", () => {
  it("serve flowcontrol's legacy betas where kube-apiserver keeps them on (legacyBetaEnabledByDefaultResources), and no other beta", async () => {
    const expected: Record<string, string[]> = {
      "1.28": ["flowcontrol.apiserver.k8s.io/v1beta3", "flowcontrol.apiserver.k8s.io/v1beta2"],
      "1.31": ["flowcontrol.apiserver.k8s.io/v1", "flowcontrol.apiserver.k8s.io/v1beta3"],
      "1.32": ["flowcontrol.apiserver.k8s.io/v1"],
    };
    for (const [version, versions] of Object.entries(expected)) {
      const s = await startTestServer({ kubernetesVersion: version, controllers: false });
      const c = client(s);
      try {
        const groups = (await c.get("/apis")).json.groups as Array<{ name: string; versions: Array<{ groupVersion: string }> }>;
        expect(groups.find((g) => g.name === "flowcontrol.apiserver.k8s.io")?.versions.map((v) => v.groupVersion), version).toEqual(versions);
        const betas = groups.flatMap((g) => g.versions.map((v) => v.groupVersion)).filter((gv) => /beta|alpha/.test(gv) && !gv.startsWith("flowcontrol."));
        expect(betas, version).toEqual([]);
        expect((await c.get(`/apis/${versions[0]}/flowschemas`)).status).toBe(200);
      } finally {
        await c.close();
        await s.close();
      }
    }
  });
});

describe("every built-in resource", () => {
  it("is listed in discovery and answers list (GA by default, alpha/beta with runtimeConfig)", async () => {
    for (const [version, runtimeConfig] of [["1.32", {}], ["1.36", { "api/all": true }]] as const) {
      const s = await startTestServer({ kubernetesVersion: version, runtimeConfig });
      const c = client(s);
      const groups = (await c.get("/apis")).json.groups as Array<{ versions: Array<{ groupVersion: string }> }>;
      const gvs = ["v1", ...groups.flatMap((g) => g.versions.map((v) => v.groupVersion))];
      if (version === "1.36") expect(gvs.some((gv) => /alpha/.test(gv))).toBe(true);
      let listed = 0;
      for (const gv of gvs) {
        const prefix = gv === "v1" ? "/api/v1" : `/apis/${gv}`;
        const resources = (await c.get(prefix)).json.resources as Array<{ name: string; verbs: string[]; kind: string }>;
        for (const r of resources) {
          if (r.name.includes("/") || !r.verbs.includes("list")) continue;
          const res = await c.get(`${prefix}/${r.name}`);
          expect(res.status, `${prefix}/${r.name}`).toBe(200);
          expect(res.json.kind, `${prefix}/${r.name}`).toBe(`${r.kind}List`);
          listed++;
        }
      }
      expect(listed).toBeGreaterThan(50);
      await c.close();
      await s.close();
    }
  });
});
