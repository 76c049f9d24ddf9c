/**
 * The local API server against hostile peers: deeply nested bodies, watchers that stop reading,
 * unauthenticated floods, over-long request heads, odd selectors and timeouts. Every case asserts
 * the outcome and that the process's memory stayed bounded (measured around the case), never a
 * duration.
 */
import { chmod, lstat, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import * as http2 from "node:http2";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Duplex } from "node:stream";
import * as tls from "node:tls";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { jsonTooDeep } from "../../src/testing/decoding.js";
import { client, configMap, pod, tokenOf, type Client } from "./helpers.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const MiB = 1024 * 1024;

/** Run a case and return how much the process's resident memory grew (MiB) across it. */
async function growthOf(run: () => Promise<void>): Promise<number> {
  gc();
  const before = process.memoryUsage().rss;
  await run();
  gc();
  return (process.memoryUsage().rss - before) / MiB;
}

let server: TestServer;
let api: Client;

beforeAll(async () => {
  server = await startTestServer({ kubernetesVersion: "1.32", controllers: false, objects: [configMap("target")] });
  api = client(server);
});
afterAll(async () => {
  await api.close();
  await server.close();
});

const nestedJson = (levels: number): string => `${'{"a":'.repeat(levels)}1${"}".repeat(levels)}`;
const nestedFlowYaml = (levels: number): string => `${"{a: ".repeat(levels)}1${"}".repeat(levels)}`;

describe("deeply nested request bodies", () => {
  it("counts nesting without recursion, skipping strings", () => {
    expect(jsonTooDeep(nestedJson(5), 5)).toBeUndefined();
    expect(jsonTooDeep(nestedJson(6), 5)).toBe("{");
    expect(jsonTooDeep(`[[[[[[1]]]]]]`, 5)).toBe("[");
    expect(jsonTooDeep(`{"a":"{{{{{{{{\\"[[[[[[["}`, 2)).toBeUndefined();
    expect(jsonTooDeep(nestedJson(200_000), 10_000)).toBe("{");
  });

  it("answers a JSON body nested 50,000 levels with 400 and Go's scanner message, and keeps serving", async () => {
    const growth = await growthOf(async () => {
      const body = `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"extra":${nestedJson(50_000)}}`;
      const res = await api.req("POST", "/api/v1/namespaces/default/configmaps", { body });
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ kind: "Status", reason: "BadRequest", code: 400 });
      expect(res.json.message).toContain("json parse error: invalid character '{' exceeded max depth");
    });
    expect(growth).toBeLessThan(200);
    expect((await api.get("/healthz")).status).toBe(200);
  });

  it("answers a YAML body nested 10,000 levels (60 KB) with 400", async () => {
    const growth = await growthOf(async () => {
      const body = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep-yaml}\nextra: ${nestedFlowYaml(10_000)}\n`;
      expect(body.length).toBeGreaterThan(50_000);
      const res = await api.req("POST", "/api/v1/namespaces/default/configmaps", { body, contentType: "application/yaml" });
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ kind: "Status", reason: "BadRequest" });
      expect(res.json.message).toMatch(/^error converting YAML to JSON: yaml: line \d+: exceeded max depth of 1000$/);
    });
    expect(growth).toBeLessThan(200);
  });

  it("answers every patch type nested 50,000 levels with a Status, never 500", async () => {
    const deep = nestedJson(50_000);
    const cases: Array<[string, string, string]> = [
      ["application/merge-patch+json", `{"metadata":{"labels":${deep}}}`, ""],
      ["application/strategic-merge-patch+json", `{"metadata":{"labels":${deep}}}`, ""],
      ["application/json-patch+json", `[{"op":"add","path":"/x","value":${deep}}]`, ""],
      ["application/apply-patch+yaml", `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"target"},"x":${deep}}`, "?fieldManager=hostile"],
    ];
    const growth = await growthOf(async () => {
      for (const [contentType, body, query] of cases) {
        const res = await api.req("PATCH", `/api/v1/namespaces/default/configmaps/target${query}`, { body, contentType });
        expect(res.status, contentType).toBe(400);
        expect(res.json.kind).toBe("Status");
      }
    });
    expect(growth).toBeLessThan(200);
    expect((await api.get("/api/v1/namespaces/default/configmaps/target")).status).toBe(200);
  });

  it("accepts bodies within the limit, and the limit follows maxNestingDepth", async () => {
    const ok = await api.req("POST", "/api/v1/namespaces/default/configmaps", {
      body: `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"nested-ok"},"data":{"x":"${"[".repeat(20)}"},"extra":${nestedJson(500)}}`,
    });
    expect(ok.status).toBe(201);
    const strict = await startTestServer({ kubernetesVersion: "1.32", controllers: false, maxNestingDepth: 3 });
    const strictApi = client(strict);
    try {
      const res = await strictApi.req("POST", "/api/v1/namespaces/default/configmaps", { body: `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"data":{"a":[[1]]}}` });
      expect(res.status).toBe(400);
      expect(res.json.message).toContain("invalid character '[' exceeded max depth");
    } finally {
      await strictApi.close();
      await strict.close();
    }
  });
});

/** A watch over its own TLS connection (HTTP/1.1) that reads the response head and then stops reading. */
async function pausedWatch(server: TestServer, path: string): Promise<tls.TLSSocket> {
  const { hostname, port } = new URL(server.url);
  const socket = tls.connect({ host: hostname, port: Number(port), ca: server.caCertificate, ALPNProtocols: ["http/1.1"], servername: "localhost" });
  socket.on("error", () => undefined);
  await new Promise<void>((resolve) => socket.once("secureConnect", () => resolve()));
  socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${tokenOf(server)}\r\nAccept: application/json\r\n\r\n`);
  const head = await new Promise<string>((resolve) =>
    socket.once("data", (chunk: Buffer) => {
      socket.pause();
      resolve(chunk.toString("latin1"));
    }),
  );
  expect(head).toMatch(/^HTTP\/1\.1 200/);
  return socket;
}

/** Resume a paused connection and resolve with the bytes it still gets once the server has closed it. */
function drain(socket: Duplex): Promise<number> {
  return new Promise((resolve) => {
    let bytes = 0;
    socket.on("data", (c: Buffer) => (bytes += c.length));
    socket.on("close", () => resolve(bytes));
    socket.resume();
  });
}

/** The process's heap and off-heap buffers in MiB, after a full collection. */
function heapAndBuffers(): number {
  gc();
  const m = process.memoryUsage();
  return (m.heapUsed + m.external) / MiB;
}

describe("watchers that stop reading", () => {
  const path = (server: TestServer) => `/api/v1/namespaces/default/configmaps?watch=true&fieldSelector=metadata.name%3Dbig&resourceVersion=${server.resourceVersion}`;
  const update = (api: Client, i: number, size: number) =>
    api.put("/api/v1/namespaces/default/configmaps/big", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "big" }, data: { payload: `${i}${"x".repeat(size)}` } });

  it("drops every watcher whose unread output passes maxWatchBacklogBytes: 20 paused watchers, memory bounded", async () => {
    const local = await startTestServer({ kubernetesVersion: "1.32", controllers: false, maxWatchBacklogBytes: 256 * 1024, objects: [configMap("big")] });
    const localApi = client(local);
    const sockets: tls.TLSSocket[] = [];
    try {
      for (let i = 0; i < 20; i++) sockets.push(await pausedWatch(local, path(local)));
      // A watcher that reads keeps up and is never dropped.
      const reader = await localApi.watch(path(local));
      const size = 400 * 1024;
      const updates = 30;
      const before = heapAndBuffers();
      for (let i = 0; i < updates; i++) {
        expect((await update(localApi, i, size)).status).toBe(200);
        expect((await reader.next(10_000)).type).toBe("MODIFIED");
      }
      // Unbounded, each paused watcher holds what the kernel does not take (about 8 of its 12 MB): 160 MB for 20.
      const growth = heapAndBuffers() - before;
      expect(growth).toBeLessThan(100);
      // Every paused watcher was dropped: reading again, it gets a bounded part of the stream, then the end.
      const received = await Promise.all(sockets.map(drain));
      for (const bytes of received) expect(bytes).toBeLessThan(updates * size);
      reader.close();
    } finally {
      for (const s of sockets) s.destroy();
      await localApi.close();
      await local.close();
    }
  });

  it("drops a paused HTTP/2 watch stream, not its connection", async () => {
    const local = await startTestServer({ kubernetesVersion: "1.32", controllers: false, maxWatchBacklogBytes: 64 * 1024, objects: [configMap("big")] });
    const localApi = client(local);
    const session = http2.connect(local.url, { ca: local.caCertificate });
    try {
      const stream = session.request({ ":path": path(local), authorization: `Bearer ${tokenOf(local)}`, accept: "application/json" });
      stream.on("error", () => undefined);
      const status = await new Promise((resolve) => stream.once("response", (h) => resolve(h[":status"])));
      expect(status).toBe(200);
      stream.pause();
      for (let i = 0; i < 8; i++) expect((await update(localApi, i, 100 * 1024)).status).toBe(200);
      // Dropped: reading again, the stream gets a bounded part of the 800 KiB sent, then its end.
      expect(await drain(stream)).toBeLessThan(4 * 100 * 1024);
      // The connection still serves.
      const again = session.request({ ":path": "/version", authorization: `Bearer ${tokenOf(local)}` });
      const versionStatus = await new Promise((resolve) => again.once("response", (h) => resolve(h[":status"])));
      expect(versionStatus).toBe(200);
      again.destroy();
    } finally {
      session.destroy();
      await localApi.close();
      await local.close();
    }
  });
});

describe("log followers that stop reading", () => {
  it("drops a paused `logs?follow=true` stream past maxWatchBacklogBytes", async () => {
    const local = await startTestServer({ kubernetesVersion: "1.32", controllers: false, maxWatchBacklogBytes: 64 * 1024, objects: [pod("talker")] });
    const session = http2.connect(local.url, { ca: local.caCertificate });
    try {
      local.setPodLog("default", "talker", "start\n");
      const stream = session.request({ ":path": "/api/v1/namespaces/default/pods/talker/log?follow=true", authorization: `Bearer ${tokenOf(local)}` });
      stream.on("error", () => undefined);
      expect(await new Promise((resolve) => stream.once("response", (h) => resolve(h[":status"])))).toBe(200);
      stream.pause();
      const line = "l".repeat(1023);
      const before = heapAndBuffers();
      for (let i = 0; i < 4096; i++) local.appendPodLog("default", "talker", `${line}\n`);
      // 4 MiB appended; the paused follower was dropped after a bounded part of it.
      expect(heapAndBuffers() - before).toBeLessThan(60);
      expect(await drain(stream)).toBeLessThan(1024 * 1024);
    } finally {
      session.destroy();
      await local.close();
    }
  });
});

/** Open a WebSocket on `path` over a new TLS connection; resolves once the server switched protocols. */
async function openWebSocket(target: TestServer, path: string, protocol: string): Promise<tls.TLSSocket> {
  const { hostname, port } = new URL(target.url);
  const socket = tls.connect({ host: hostname, port: Number(port), ca: target.caCertificate, ALPNProtocols: ["http/1.1"], servername: "localhost" });
  socket.on("error", () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once("secureConnect", () => resolve());
    socket.once("error", reject);
  });
  socket.write(
    `GET ${path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${tokenOf(target)}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
      `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: ${protocol}\r\n\r\n`,
  );
  const head = await new Promise<string>((resolve) => {
    let seen = "";
    const onData = (c: Buffer) => {
      seen += c.toString("latin1");
      if (seen.includes("\r\n\r\n")) {
        socket.off("data", onData);
        resolve(seen);
      }
    };
    socket.on("data", onData);
  });
  expect(head).toMatch(/^HTTP\/1\.1 101 /);
  return socket;
}

/** A client (masked) binary WebSocket frame header for a payload of `length` bytes. */
function clientFrameHead(length: number): Buffer {
  const head = Buffer.alloc(14);
  head[0] = 0x82;
  head[1] = 0x80 | 127;
  head.writeBigUInt64BE(BigInt(length), 2);
  return head;
}

describe("streaming sessions that push or stop reading", () => {
  beforeAll(async () => {
    await api.post("/api/v1/namespaces/default/pods", pod("forwarded"));
  });

  it("answers a WebSocket frame announcing more than 32 MiB with close 1009, before reading it", async () => {
    const socket = await openWebSocket(server, "/api/v1/namespaces/default/pods/forwarded/portforward?ports=80", "v4.channel.k8s.io");
    const received: Buffer[] = [];
    socket.on("data", (c: Buffer) => received.push(c));
    const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    socket.write(clientFrameHead(2 ** 40));
    socket.write(Buffer.alloc(64 * 1024));
    await closed;
    const bytes = Buffer.concat(received);
    // After the two port announcements (4-byte messages), a close frame with code 1009.
    expect(bytes.subarray(-4)).toEqual(Buffer.from([0x88, 0x02, 0x03, 0xf1]));
  });

  it("stops reading a port-forward client that sends to the echo target but never reads the echo", async () => {
    const socket = await openWebSocket(server, "/api/v1/namespaces/default/pods/forwarded/portforward?ports=80", "v4.channel.k8s.io");
    socket.pause();
    const chunk = Buffer.concat([clientFrameHead(256 * 1024 + 1).subarray(0, 10), Buffer.alloc(4), Buffer.alloc(256 * 1024 + 1)]);
    chunk[1] = 0x80 | 127;
    let sent = 0;
    const growth = await growthOf(async () => {
      // Send until the connection pushes back and stays pushed back, or 64 MiB went through.
      while (sent < 64 * MiB) {
        sent += chunk.length;
        if (socket.write(chunk)) continue;
        const drained = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), 1000);
          socket.once("drain", () => {
            clearTimeout(timer);
            resolve(true);
          });
        });
        if (!drained) break;
      }
    });
    socket.destroy();
    expect(sent).toBeLessThan(32 * MiB);
    expect(growth).toBeLessThan(100);
  });
});

describe("the request log under an unauthenticated flood", () => {
  it("answers 401 without reading or recording the body; kept bodies are cut at maxRecordedBodyBytes", async () => {
    const local = await startTestServer({ kubernetesVersion: "1.32", controllers: false, maxRecordedBodyBytes: 1024 });
    const anonymous = client(local, null);
    const admin = client(local);
    try {
      const body = JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "flood" }, data: { blob: "y".repeat(3 * MiB - 200) } });
      const before = heapAndBuffers();
      for (let i = 0; i < 30; i++) {
        const res = await anonymous.req("POST", "/api/v1/namespaces/default/configmaps", { body, token: "wrong-token" });
        expect(res.status).toBe(401);
        expect(res.json).toMatchObject({ kind: "Status", reason: "Unauthorized", code: 401 });
      }
      // Recorded, the 30 bodies alone would be 90 MB.
      expect(heapAndBuffers() - before).toBeLessThan(60);
      const small = await rawExchange(local, "POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
      expect(small).toMatch(/^HTTP\/1\.1 401 Unauthorized\r\n/);
      const refused = local.requests.filter((r) => r.status === 401);
      expect(refused).toHaveLength(31);
      for (const r of refused) expect(r.body).toBeUndefined();
      // An authenticated body is kept up to the cap, with its full size noted.
      const created = await admin.req("POST", "/api/v1/namespaces/default/configmaps", {
        body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "kept" }, data: { blob: "z".repeat(4096) } },
      });
      expect(created.status).toBe(201);
      const kept = local.requests.at(-1)!;
      expect(kept.body).toHaveLength(1024);
      expect(kept.bodyBytes).toBeGreaterThan(4096);
      const accepted = await admin.req("POST", "/api/v1/namespaces/default/configmaps", { body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "small" } } });
      expect(accepted.status).toBe(201);
      expect(JSON.parse(local.requests.at(-1)!.body!).metadata.name).toBe("small");
      expect(local.requests.at(-1)!.bodyBytes).toBeUndefined();
    } finally {
      await anonymous.close();
      await admin.close();
      await local.close();
    }
  });
});

describe("the kubeconfig file", () => {
  it("is written with mode 0600, replacing a 0666 file and a symbolic link rather than writing through them", async () => {
    const dir = await mkdtemp(join(tmpdir(), "kubezod-hostile-"));
    try {
      const loose = join(dir, "loose.kubeconfig");
      await writeFile(loose, "old", { mode: 0o666 });
      await chmod(loose, 0o666);
      await server.writeKubeconfig(loose);
      expect((await stat(loose)).mode & 0o777).toBe(0o600);
      expect(await readFile(loose, "utf8")).toContain(tokenOf(server));

      const victim = join(dir, "victim");
      await writeFile(victim, "untouched", { mode: 0o644 });
      const link = join(dir, "link.kubeconfig");
      await symlink(victim, link);
      await server.writeKubeconfig(link);
      expect(await readFile(victim, "utf8")).toBe("untouched");
      expect((await lstat(link)).isSymbolicLink()).toBe(false);
      expect((await stat(link)).mode & 0o777).toBe(0o600);

      const fresh = join(dir, "fresh.kubeconfig");
      await server.writeKubeconfig(fresh);
      expect((await stat(fresh)).mode & 0o777).toBe(0o600);
      // No temporary file is left beside them.
      expect((await readdir(dir)).sort()).toEqual(["fresh.kubeconfig", "link.kubeconfig", "loose.kubeconfig", "victim"]);
      await expect(server.writeKubeconfig(join(dir, "missing", "x.kubeconfig"))).rejects.toThrow(/ENOENT/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/** Send raw bytes over a new TLS connection (HTTP/1.1) and resolve with all that comes back before it closes. */
async function rawExchange(target: TestServer, head: string): Promise<string> {
  const { hostname, port } = new URL(target.url);
  const socket = tls.connect({ host: hostname, port: Number(port), ca: target.caCertificate, ALPNProtocols: ["http/1.1"], servername: "localhost" });
  await new Promise<void>((resolve, reject) => {
    socket.once("secureConnect", () => resolve());
    socket.once("error", reject);
  });
  const chunks: Buffer[] = [];
  const done = new Promise<string>((resolve) => {
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("error", () => undefined);
    socket.on("close", () => resolve(Buffer.concat(chunks).toString("latin1")));
  });
  socket.write(head);
  return done;
}

describe("answers as kube-apiserver gives them", () => {
  it("answers a request head over 1 MiB + 4 KiB with Go's plain-text 431, not a reset, and serves long ones below it", async () => {
    const growth = await growthOf(async () => {
      const longUrl = `/api/v1/namespaces/default/configmaps?labelSelector=${"a".repeat(63)}%21%3Dx&pad=${"p".repeat(2 * MiB)}`;
      const tooLong = await rawExchange(server, `GET ${longUrl} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${tokenOf(server)}\r\n\r\n`);
      expect(tooLong).toBe("HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n431 Request Header Fields Too Large");
      const bigHeader = await rawExchange(server, `GET /version HTTP/1.1\r\nHost: localhost\r\nX-Pad: ${"h".repeat(MiB + 8192)}\r\n\r\n`);
      expect(bigHeader).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
      const malformed = await rawExchange(server, "NOT HTTP\r\n\r\n");
      expect(malformed).toMatch(/^HTTP\/1\.1 400 Bad Request\r\nContent-Type: text\/plain; charset=utf-8\r\n[\s\S]*\r\n\r\n400 Bad Request$/);
    });
    expect(growth).toBeLessThan(200);
    // 100 KiB of URL is within Go's limit (beyond Node's default of 16 KiB).
    const long = await api.get(`/api/v1/namespaces/default/configmaps?pad=${"p".repeat(100 * 1024)}`);
    expect(long.status).toBe(200);
    expect(long.json.kind).toBe("ConfigMapList");
  });

  it("reads `a in ()` and `a notin ()` as apimachinery's labels.Parse does: the value set {\"\"}", async () => {
    const labelled = (name: string, labels?: Record<string, string>) => configMap(name, { a: "1" }, labels);
    for (const [name, labels] of [["sel-empty", { a: "" }], ["sel-x", { a: "x" }], ["sel-none", undefined]] as const) {
      expect((await api.post("/api/v1/namespaces/default/configmaps", labelled(name, labels))).status).toBe(201);
    }
    const names = async (selector: string): Promise<string[]> => {
      const res = await api.get(`/api/v1/namespaces/default/configmaps?labelSelector=${encodeURIComponent(selector)}`);
      expect(res.status, selector).toBe(200);
      return (res.json.items as Array<{ metadata: { name: string } }>).map((o) => o.metadata.name).filter((n) => n.startsWith("sel-")).sort();
    };
    expect(await names("a in ()")).toEqual(["sel-empty"]);
    expect(await names("a notin ()")).toEqual(["sel-none", "sel-x"]);
    // Empty values in a list, as parseIdentifiersList reads them: "(x,)" is {x, ""}, "(,)" is {""}.
    expect(await names("a in (x,)")).toEqual(["sel-empty", "sel-x"]);
    expect(await names("a in (,)")).toEqual(["sel-empty"]);
    expect(await names("a in (,,x)")).toEqual(["sel-empty", "sel-x"]);
    const bad = await api.get(`/api/v1/namespaces/default/configmaps?labelSelector=${encodeURIComponent("a in (=)")}`);
    expect(bad.status).toBe(400);
    expect(bad.json.message).toContain("unable to parse requirement: found '=', expected: ',', ')' or identifier");
  });

  it("keeps a watch with a huge timeoutSeconds open (the timer is capped, not overflowed)", async () => {
    const rv = server.resourceVersion;
    const watch = await api.watch(`/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv}&timeoutSeconds=100000000`);
    expect(watch.status).toBe(200);
    let ended = false;
    void watch.ended.then(() => (ended = true));
    expect((await api.post("/api/v1/namespaces/default/configmaps", configMap("after-huge-timeout"))).status).toBe(201);
    const event = await watch.next(10_000);
    expect(event).toMatchObject({ type: "ADDED", object: { metadata: { name: "after-huge-timeout" } } });
    expect(ended).toBe(false);
    watch.close();
  });
});
