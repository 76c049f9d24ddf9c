/**
 * The typed client against the local API server over HTTPS: every operation of the issue.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as z from "zod";
import { ConfigMap, CustomResourceDefinition, Deployment, Namespace, Pod, PodDisruptionBudget } from "kubezod/k8s";
import {
  BadRequestError,
  ConflictError,
  GoneError,
  NotFoundError,
  TimeoutError,
  TooManyRequestsError,
  UnprocessableEntityError,
  UnsupportedMediaTypeError,
  ValidationError,
  PatchGuardError,
  connect,
  defineResource,
  fanOut,
  pathOf,
  type Kube,
} from "../../src/index.js";
import { startTestServer, type TestServer } from "../../src/testing/index.js";

let server: TestServer;
let kube: Kube;

beforeAll(async () => {
  server = await startTestServer({ controllers: false });
  kube = await server.connect();
});
afterAll(async () => {
  await kube?.close();
  await server?.close();
});

const web = (name: string, labels: Record<string, string> = { app: name }) => ({
  metadata: { name, labels },
  spec: {
    replicas: 1,
    selector: { matchLabels: labels },
    template: { metadata: { labels }, spec: { containers: [{ name: "web", image: "nginx:1.24" }, { name: "sidecar", image: "busybox" }] } },
  },
});

describe("reading", () => {
  it("gets typed objects and returns listed errors instead of throwing", async () => {
    await kube.create(ConfigMap, { metadata: { name: "read-me" }, data: { a: "1" } });
    const cm = await kube.get(ConfigMap, "read-me");
    expect(cm.apiVersion).toBe("v1");
    expect(cm.data).toEqual({ a: "1" });
    await expect(kube.get(ConfigMap, "nope")).rejects.toBeInstanceOf(NotFoundError);
    expect(await kube.get(ConfigMap, "nope", { returnErrors: [404] })).toBeInstanceOf(NotFoundError);
  });

  it("lists with label selectors as objects or strings, and field selectors", async () => {
    for (const [name, tier] of [["sel-a", "front"], ["sel-b", "back"], ["sel-c", "front"]] as const) {
      await kube.create(ConfigMap, { metadata: { name, labels: { suite: "selectors", tier } } });
    }
    const names = async (o: Parameters<Kube["list"]>[1]) => (await kube.list(ConfigMap, o)).items.map((i) => i.metadata?.name).sort();
    expect(await names({ labelSelector: { matchLabels: { suite: "selectors", tier: "front" } } })).toEqual(["sel-a", "sel-c"]);
    expect(await names({ labelSelector: { matchLabels: { suite: "selectors" }, matchExpressions: [{ key: "tier", operator: "NotIn", values: ["front"] }] } })).toEqual(["sel-b"]);
    expect(await names({ labelSelector: "suite=selectors,tier!=front" })).toEqual(["sel-b"]);
    expect(await names({ fieldSelector: { "metadata.name": "sel-c" } })).toEqual(["sel-c"]);
  });

  it("pages through large collections with listAll", async () => {
    await kube.create(Namespace, { metadata: { name: "paging" } });
    await Promise.all(Array.from({ length: 23 }, (_, i) => kube.create(ConfigMap, { metadata: { name: `p-${i}`, namespace: "paging" } })));
    server.requests.length = 0;
    const seen: string[] = [];
    for await (const cm of kube.listAll(ConfigMap, { namespace: "paging", limit: 5 })) seen.push(cm.metadata!.name!);
    expect(seen).toHaveLength(23);
    expect(new Set(seen).size).toBe(23);
    expect(server.requests.filter((r) => r.path.endsWith("/paging/configmaps")).length).toBe(5);
  });

  it("lists across namespaces", async () => {
    const all = await kube.list(ConfigMap, { allNamespaces: true, labelSelector: { suite: "selectors" } });
    expect(all.items).toHaveLength(3);
  });
});

describe("watching", () => {
  it("streams typed events for a label filter until aborted", async () => {
    const stop = new AbortController();
    const events: string[] = [];
    const watching = (async () => {
      try {
        for await (const e of kube.watch(ConfigMap, { labelSelector: { matchLabels: { watched: "yes" } }, signal: stop.signal })) {
          if (e.type !== "BOOKMARK") events.push(`${e.type} ${e.object.metadata?.name} ${e.object.data?.v ?? ""}`.trim());
          if (events.length === 3) stop.abort();
        }
      } catch (err) {
        if (!stop.signal.aborted) throw err;
      }
    })();
    await new Promise((r) => setTimeout(r, 50));
    const cm = await kube.create(ConfigMap, { metadata: { name: "w1", labels: { watched: "yes" } }, data: { v: "1" } });
    await kube.create(ConfigMap, { metadata: { name: "not-watched" } });
    const next = structuredClone(cm);
    next.data = { v: "2" };
    await kube.update(next, { builtFromLatest: cm });
    await kube.delete(ConfigMap, "w1");
    await watching;
    expect(events).toEqual(["ADDED w1 1", "MODIFIED w1 2", "DELETED w1 2"]);
  });

  it("resumes from a resourceVersion, sends bookmarks, ends with timeoutSeconds", async () => {
    const base = await kube.create(ConfigMap, { metadata: { name: "resume" }, data: { v: "0" } });
    const next = structuredClone(base);
    next.data = { v: "1" };
    await kube.update(next, { builtFromLatest: base });
    const types: string[] = [];
    for await (const e of kube.watch(ConfigMap, { name: "resume", resourceVersion: base.metadata!.resourceVersion!, allowWatchBookmarks: true, timeoutSeconds: 1 })) {
      types.push(e.type);
    }
    expect(types[0]).toBe("MODIFIED");
  });

  it("sends initial events then the initial-events-end bookmark", async () => {
    const seen: string[] = [];
    for await (const e of kube.watch(ConfigMap, { namespace: "paging", sendInitialEvents: true, allowWatchBookmarks: true, timeoutSeconds: 1 })) {
      if (e.type === "BOOKMARK") {
        if (e.object.metadata.annotations?.["k8s.io/initial-events-end"] === "true") break;
      } else seen.push(e.object.metadata!.name!);
    }
    expect(seen).toHaveLength(23);
  });

  it("turns an ERROR event into a typed error (410 Gone for an expired resourceVersion)", async () => {
    const small = await startTestServer({ historySize: 5, controllers: false });
    const k = await small.connect();
    try {
      const first = await k.create(ConfigMap, { metadata: { name: "old" } });
      for (let i = 0; i < 20; i++) await k.create(ConfigMap, { metadata: { name: `fill-${i}` } });
      const run = async () => {
        for await (const _ of k.watch(ConfigMap, { resourceVersion: first.metadata!.resourceVersion! })) void _;
      };
      await expect(run()).rejects.toBeInstanceOf(GoneError);
    } finally {
      await k.close();
      await small.close();
    }
  });
});

describe("writing", () => {
  it("creates from a schema or from an object with apiVersion/kind; dryRun persists nothing", async () => {
    const d = await kube.create(Deployment, web("created"));
    expect(d.kind).toBe("Deployment");
    const byObject = await kube.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "by-object" }, data: { x: "y" } });
    expect(byObject.data).toEqual({ x: "y" });
    await kube.create(ConfigMap, { metadata: { name: "dry" } }, { dryRun: true });
    expect(await kube.get(ConfigMap, "dry", { returnErrors: [404] })).toBeInstanceOf(NotFoundError);
  });

  it("validates request bodies in reject mode before sending them", async () => {
    server.requests.length = 0;
    await expect(kube.create(ConfigMap, { metadata: { name: "bad" }, data: { a: 1 } } as never)).rejects.toBeInstanceOf(ValidationError);
    expect(server.requests).toHaveLength(0);
  });

  it("asks the server for strict field validation", async () => {
    const strict = await kube.create(ConfigMap, { metadata: { name: "fv" }, bogus: 1 } as never, { fieldValidation: "Strict", returnErrors: [400] });
    expect(strict).toBeInstanceOf(BadRequestError);
    expect((strict as BadRequestError).message).toMatch(/unknown field "bogus"/);
    expect(await kube.create(ConfigMap, { metadata: { name: "fv" }, bogus: 1 } as never, { fieldValidation: "Ignore" })).toMatchObject({ metadata: { name: "fv" } });
  });

  it("updates from a diff: strategic merge by container name, only picked paths, 409 on a stale base", async () => {
    const live = await kube.create(Deployment, web("diffed"));
    server.requests.length = 0;
    const next = structuredClone(live);
    next.spec!.template.spec!.containers.shift();
    next.spec!.template.spec!.containers[0]!.image = "busybox:2";
    const updated = await kube.update(next, { builtFromLatest: live });
    expect(updated.spec?.template.spec?.containers.map((c) => `${c.name}=${c.image}`)).toEqual(["sidecar=busybox:2"]);
    const patch = server.requests.at(-1)!;
    expect(patch.method).toBe("PATCH");
    expect(patch.headers["content-type"]).toBe("application/strategic-merge-patch+json");

    const picked = structuredClone(updated);
    picked.spec!.replicas = 4;
    picked.spec!.template.spec!.containers[0]!.image = "not-sent";
    const scaled = await kube.update(picked, { builtFromLatest: updated, paths: [pathOf(Deployment, (o) => o.spec.replicas)] });
    expect(scaled.spec?.replicas).toBe(4);
    expect(scaled.spec?.template.spec?.containers[0]?.image).toBe("busybox:2");

    await expect(kube.update(next, { builtFromLatest: live })).rejects.toBeInstanceOf(ConflictError);
  });

  it("without builtFromLatest, a stale copy conflicts instead of overwriting", async () => {
    const cm = await kube.create(ConfigMap, { metadata: { name: "stale" }, data: { v: "1" } });
    const other = structuredClone(cm);
    other.data = { v: "2" };
    await kube.update(other, { builtFromLatest: cm });
    const mine = structuredClone(cm);
    mine.data = { v: "mine" };
    await expect(kube.update(mine)).rejects.toBeInstanceOf(ConflictError);
    expect((await kube.get(ConfigMap, "stale")).data).toEqual({ v: "2" });
  });

  it("sends PUT with force", async () => {
    const cm = await kube.create(ConfigMap, { metadata: { name: "put-me" }, data: { a: "1", b: "2" } });
    server.requests.length = 0;
    const replaced = await kube.update({ ...cm, data: { c: "3" } }, { force: true });
    expect(replaced.data).toEqual({ c: "3" });
    expect(server.requests.at(-1)!.method).toBe("PUT");
  });

  it("guards JSON patches for kinds without strategic merge, and sees conflicts", async () => {
    await kube.create(CustomResourceDefinition, {
      metadata: { name: "gadgets.example.com" },
      spec: {
        group: "example.com",
        scope: "Namespaced",
        names: { plural: "gadgets", kind: "Gadget" },
        versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", properties: { spec: { type: "object", properties: { parts: { type: "array", items: { type: "string" } } } } } } } }],
      },
    });
    const Gadget = defineResource({
      group: "example.com",
      version: "v1",
      kind: "Gadget",
      plural: "gadgets",
      namespaced: true,
      schema: z.object({ spec: z.object({ parts: z.array(z.string()).optional() }).optional() }),
    });
    const g = await kube.create(Gadget, { metadata: { name: "g" }, spec: { parts: ["a", "b", "c"] } });
    server.requests.length = 0;
    const next = structuredClone(g);
    next.spec!.parts = ["a", "c"];
    const updated = await kube.update(next, { builtFromLatest: g });
    expect(updated.spec?.parts).toEqual(["a", "c"]);
    expect(server.requests.at(-1)!.headers["content-type"]).toBe("application/json-patch+json");
    // The guard fails: its own error type, not a conflict with status 422.
    const guard = await kube.update(next, { builtFromLatest: g }).catch((e: unknown) => e);
    expect(guard).toBeInstanceOf(PatchGuardError);
    expect(guard).toMatchObject({ code: "KUBE_PATCH_GUARD_FAILED", status: 422 });
    await expect(kube.patch(Gadget, "g", { spec: {} }, { type: "strategic" })).rejects.toThrow(/does not accept strategic patches/);
    await expect(kube.patch(Gadget, "g", { spec: {} }, { type: "strategic", validate: "off" } as never).catch((e) => e)).resolves.toBeDefined();
  });

  it("creates or updates (upsert), merging: what the object does not mention is kept", async () => {
    const first = await kube.createOrUpdate({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "upsert", labels: { a: "1" } }, data: { old: "x" } });
    // Another client labels the object.
    await kube.patch(ConfigMap, "upsert", { metadata: { labels: { team: "other" } } }, { type: "merge" });
    const second = await kube.createOrUpdate({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "upsert" }, data: { new: "y" } });
    expect(second.data).toEqual({ old: "x", new: "y" });
    expect(second.metadata?.labels).toEqual({ a: "1", team: "other" });
    expect(second.metadata?.uid).toBe(first.metadata?.uid);
    // Strategic merge for kinds that take it: containers merge by name.
    await kube.createOrUpdate(Deployment, web("upsert-web"));
    const merged = await kube.createOrUpdate(Deployment, { metadata: { name: "upsert-web" }, spec: { ...web("upsert-web").spec, template: { ...web("upsert-web").spec.template, spec: { containers: [{ name: "web", image: "nginx:1.27" }] } } } });
    expect(merged.spec?.template.spec?.containers.map((c) => `${c.name}=${c.image}`)).toEqual(["web=nginx:1.27", "sidecar=busybox"]);
  });

  it("modifies with retries: 50 concurrent increments end at exactly 50 (with enough retries)", async () => {
    await kube.create(ConfigMap, { metadata: { name: "counter" }, data: { n: "0" } });
    await Promise.all(
      Array.from({ length: 50 }, () =>
        kube.modify(
          ConfigMap,
          "counter",
          (cm) => {
            cm.data = { n: String(Number(cm.data?.n ?? "0") + 1) };
          },
          { retries: 100 },
        ),
      ),
    );
    expect((await kube.get(ConfigMap, "counter")).data?.n).toBe("50");
  });

  it("modify retries as client-go's RetryOnConflict does by default (5 attempts), and stops when aborted", async () => {
    await kube.create(ConfigMap, { metadata: { name: "contended" }, data: { n: "0" } });
    let calls = 0;
    const err = await kube
      .modify(ConfigMap, "contended", async (cm) => {
        calls++;
        // Someone else writes between our read and our write, every time.
        await kube.patch(ConfigMap, "contended", { data: { n: String(calls * 100) } }, { type: "merge" });
        cm.data = { n: "mine" };
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect(calls).toBe(5);
    const stop = new AbortController();
    stop.abort(new Error("stopped"));
    await expect(kube.modify(ConfigMap, "contended", () => undefined, { signal: stop.signal })).rejects.toThrow("stopped");
  });

  it("applies server-side: conflicts between managers, then force", async () => {
    const obj = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "ssa" }, data: { owner: "one" } } as const;
    await kube.apply(obj, { fieldManager: "one" });
    const conflict = await kube.apply({ ...obj, data: { owner: "two" } }, { fieldManager: "two" }).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(ConflictError);
    expect((conflict as ConflictError).message).toMatch(/one/);
    const forced = await kube.apply({ ...obj, data: { owner: "two" } }, { fieldManager: "two", force: true });
    expect(forced.data).toEqual({ owner: "two" });
  });

  it("patches with every type and refuses strategic merge on custom resources (415)", async () => {
    await kube.create(ConfigMap, { metadata: { name: "patched" } });
    await kube.patch(ConfigMap, "patched", [{ op: "add", path: "/data", value: { j: "1" } }], { type: "json" });
    await kube.patch(ConfigMap, "patched", { data: { m: "1" } }, { type: "merge" });
    const smp = await kube.patch(ConfigMap, "patched", { data: { s: "1" } });
    expect(smp.data).toEqual({ j: "1", m: "1", s: "1" });
    const Gadget = await kube.resource({ apiVersion: "example.com/v1", kind: "Gadget" });
    const refused = await kube.patch(Gadget, "g", { spec: {} }, { type: "strategic", returnErrors: [415] }).catch((e: unknown) => e);
    expect(refused instanceof UnsupportedMediaTypeError || (refused instanceof Error && /does not accept/.test(refused.message))).toBe(true);
  });

  it("deletes: the Status, the object while finalizers hold it, preconditions, collections", async () => {
    await kube.create(ConfigMap, { metadata: { name: "del-1" } });
    const status = await kube.delete(ConfigMap, "del-1");
    expect(status).toMatchObject({ kind: "Status", status: "Success" });
    const held = await kube.create(ConfigMap, { metadata: { name: "held", finalizers: ["example.com/hold"] } });
    const deleting = await kube.delete(held);
    expect(deleting).toMatchObject({ metadata: { name: "held" } });
    expect((deleting as { metadata?: { deletionTimestamp?: string } }).metadata?.deletionTimestamp).toBeTruthy();
    const bad = await kube.delete(ConfigMap, "held", { preconditions: { uid: "not-the-uid" }, returnErrors: [409] });
    expect(bad).toBeInstanceOf(ConflictError);
    await Promise.all(["c1", "c2"].map((n) => kube.create(ConfigMap, { metadata: { name: n, labels: { wipe: "me" } } })));
    await kube.deleteCollection(ConfigMap, { labelSelector: { wipe: "me" } });
    expect((await kube.list(ConfigMap, { labelSelector: { wipe: "me" } })).items).toHaveLength(0);
  });
});

describe("subresources", () => {
  it("reads and writes status without touching spec", async () => {
    const d = await kube.create(Deployment, web("with-status"));
    const withStatus = structuredClone(d);
    withStatus.status = { replicas: 1, readyReplicas: 1 };
    withStatus.spec!.replicas = 9;
    const updated = await kube.update(withStatus, { builtFromLatest: d, subresource: "status" });
    expect(updated.status?.readyReplicas).toBe(1);
    expect(updated.spec?.replicas).toBe(1);
    const fetched = await kube.get(Deployment, "with-status", { subresource: "status" });
    expect(fetched.status?.replicas).toBe(1);
  });

  it("scales through the scale subresource", async () => {
    await kube.create(Deployment, web("scaled"));
    expect((await kube.scale(Deployment, "scaled", 5)).spec?.replicas).toBe(5);
    expect((await kube.getScale(Deployment, "scaled")).spec?.replicas).toBe(5);
    expect((await kube.get(Deployment, "scaled")).spec?.replicas).toBe(5);
  });

  it("reads logs whole or follows them line by line", async () => {
    await kube.create(Pod, { metadata: { name: "logger" }, spec: { containers: [{ name: "app", image: "busybox" }] } });
    server.setPodLog("default", "logger", "one\ntwo\nthree\n");
    expect(await kube.logs(Pod, "logger", { tailLines: 2 })).toBe("two\nthree\n");
    const lines: string[] = [];
    const follow = await kube.logs(Pod, "logger", { follow: true });
    setTimeout(() => server.appendPodLog("default", "logger", "four\n"), 50);
    for await (const line of follow) {
      lines.push(line);
      if (line === "four") break;
    }
    expect(lines).toEqual(["one", "two", "three", "four"]);
  });

  it("evicts pods, honouring PodDisruptionBudgets", async () => {
    await kube.create(Pod, { metadata: { name: "evict-me", labels: { app: "evict" } }, spec: { containers: [{ name: "a", image: "busybox" }] } });
    await kube.evict(Pod, "evict-me");
    expect(await kube.get(Pod, "evict-me", { returnErrors: [404] })).toBeInstanceOf(NotFoundError);
    const protectedPod = await kube.create(Pod, { metadata: { name: "protected", labels: { app: "pdb" } }, spec: { containers: [{ name: "a", image: "busybox" }] } });
    // A pending pod is evicted without asking its budget (as kube-apiserver does): this one runs.
    await kube.replace(Pod, { ...protectedPod, status: { ...protectedPod.status, phase: "Running" } }, { subresource: "status" });
    await kube.create(PodDisruptionBudget, { metadata: { name: "pdb" }, spec: { maxUnavailable: 0, selector: { matchLabels: { app: "pdb" } } } });
    await expect(kube.evict(Pod, "protected")).rejects.toBeInstanceOf(TooManyRequestsError);
  });

  it("runs commands with exec: stdin, stdout, stderr and the exit code", async () => {
    await kube.create(Pod, { metadata: { name: "shell" }, spec: { containers: [{ name: "sh", image: "busybox" }] } });
    const echo = await kube.exec(Pod, "shell", ["cat"], { stdin: "hello\n" });
    expect(echo).toMatchObject({ stdout: "hello\n", exitCode: 0, protocol: "v5.channel.k8s.io" });
    expect((await kube.exec(Pod, "shell", ["sh", "-c", "exit 7"])).exitCode).toBe(7);
    expect((await kube.exec(Pod, "shell", ["no-such-command"])).stderr).toMatch(/not found/);
    await expect(kube.exec(Pod, "missing-pod", ["true"])).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe("streams to pods", () => {
  it("execStream and attach give live streams and the exit status", async () => {
    await kube.create(Pod, { metadata: { name: "streams" }, spec: { containers: [{ name: "app", image: "busybox" }] } });
    const session = await kube.execStream(Pod, "streams", ["cat"]);
    const out: Buffer[] = [];
    session.stdout.on("data", (d: Buffer) => out.push(d));
    session.stdin.write("line one\n");
    session.stdin.end("line two\n");
    expect((await session.done).exitCode).toBe(0);
    expect(Buffer.concat(out).toString()).toBe("line one\nline two\n");
    const attached = await kube.attach(Pod, "streams");
    const echoed: Buffer[] = [];
    attached.stdout.on("data", (d: Buffer) => echoed.push(d));
    attached.stdin.end("hello from attach\n");
    await attached.done;
    expect(Buffer.concat(echoed).toString()).toBe("hello from attach\n");
  });

  it("forwards a local port to a pod's port", async () => {
    const { connect: tcp } = await import("node:net");
    await kube.create(Pod, { metadata: { name: "forwarded" }, spec: { containers: [{ name: "app", image: "busybox", ports: [{ containerPort: 8080 }] }] } });
    const fwd = await kube.portForward(Pod, "forwarded", 8080);
    try {
      const reply = await new Promise<string>((resolve, reject) => {
        const sock = tcp(fwd.localPort, fwd.address, () => sock.write("ping over the tunnel"));
        sock.on("data", (d) => {
          resolve(d.toString());
          sock.end();
        });
        sock.on("error", reject);
      });
      expect(reply).toBe("ping over the tunnel");
      await expect(kube.portForward(Pod, "missing-pod", 80)).rejects.toBeInstanceOf(NotFoundError);
    } finally {
      await fwd.close();
    }
  });
});

describe("discovery and kinds without schemas", () => {
  it("discovers groups, versions and resources", async () => {
    const d = await kube.discover();
    const deployments = d.resources.find((r) => r.apiVersion === "apps/v1" && r.plural === "deployments");
    expect(deployments).toMatchObject({ kind: "Deployment", namespaced: true, shortNames: ["deploy"] });
    expect(deployments!.subresources.map((s) => s.name).sort()).toEqual(["scale", "status"]);
    expect(d.groups.find((g) => g.name === "apps")?.preferredVersion).toBe("v1");
    expect((await kube.version()).gitVersion).toMatch(/^v1\.\d+/);
  });

  it("resolves a kind served only through a CRD into a usable schema", async () => {
    await kube.create(CustomResourceDefinition, {
      metadata: { name: "widgets.example.org" },
      spec: {
        group: "example.org",
        scope: "Cluster",
        names: { plural: "widgets", kind: "Widget" },
        versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", properties: { spec: { type: "object", properties: { size: { type: "integer" } } } } } } }],
      },
    });
    const Widget = await kube.resource({ apiVersion: "example.org/v1", kind: "Widget" });
    await kube.create(Widget, { metadata: { name: "w" }, spec: { size: 3 } });
    const list = await kube.list(Widget);
    expect(list.items.map((w) => (w as { spec?: { size?: number } }).spec?.size)).toEqual([3]);
    await expect(kube.create(Widget, { metadata: { name: "w2" }, spec: { size: "big" } })).rejects.toBeInstanceOf(ValidationError);
    await expect(kube.resource({ apiVersion: "example.org/v1", kind: "Nope" })).rejects.toThrow(/does not serve Nope/);
  });
});

describe("response validation", () => {
  const Strict = defineResource({
    group: "",
    version: "v1",
    kind: "ConfigMap",
    plural: "configmaps",
    namespaced: true,
    schema: z.object({ data: z.object({ mustHave: z.string() }) }),
  });

  it("reject throws ValidationError with the raw object and paths; report hands it over and returns it; off skips", async () => {
    await kube.create(ConfigMap, { metadata: { name: "shape" }, data: { other: "x" } });
    const err = await kube.get(Strict, "shape").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues[0]!.path).toEqual(["data", "mustHave"]);
    expect((err as ValidationError).value).toMatchObject({ data: { other: "x" } });
    const reported: ValidationError[] = [];
    const loose = await connect({ kubeconfig: server.kubeconfig as never, validate: "report", onValidationIssue: (e) => reported.push(e) });
    expect((await loose.get(Strict, "shape")).data).toEqual({ other: "x" });
    expect(reported).toHaveLength(1);
    expect((await kube.get(Strict, "shape", { validate: "off" })).data).toEqual({ other: "x" });
    await loose.close();
  });
});

describe("several clusters and the transport underneath", () => {
  it("keeps clusters apart and fans out with a result per cluster", async () => {
    const other = await startTestServer({ controllers: false });
    const second = await other.connect();
    try {
      await second.create(ConfigMap, { metadata: { name: "only-there" } });
      expect(await kube.get(ConfigMap, "only-there", { returnErrors: [404] })).toBeInstanceOf(NotFoundError);
      const results = await fanOut({ first: kube, second }, async (k) => (await k.get(ConfigMap, "only-there", { returnErrors: [404] })) instanceof NotFoundError);
      expect(results.map((r) => [r.cluster, r.ok && r.value])).toEqual([
        ["first", true],
        ["second", false],
      ]);
      await other.close();
      const down = await fanOut([kube, second], (k) => k.version({ timeoutMs: 1000 }));
      expect(down.map((r) => r.ok)).toEqual([true, false]);
    } finally {
      await second.close();
    }
  });

  it("retries 429 and 503, honours per-call time limits", async () => {
    server.faults.inject({ match: { verb: "get", resource: "configmaps" }, status: 503, times: 2 });
    await kube.create(ConfigMap, { metadata: { name: "flaky" } });
    expect((await kube.get(ConfigMap, "flaky")).metadata?.name).toBe("flaky");
    server.faults.inject({ match: { verb: "get", resource: "configmaps" }, latencyMs: 600, times: 1 });
    await expect(kube.get(ConfigMap, "flaky", { timeoutMs: 150, retry: false })).rejects.toBeInstanceOf(TimeoutError);
  });
});
