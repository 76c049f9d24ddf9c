import diagnosticsChannel from "node:diagnostics_channel";
import type { ServerResponse } from "node:http";
import { createGzip, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConnectionError, createTransport, defineCluster, ForbiddenError, KubeApiError, KubeResponse, NotFoundError, UnauthorizedError, UnprocessableEntityError, type LogEntry, type RequestMetrics, type Transport } from "../../src/index.js";
import { REQUEST_CHANNEL } from "../../src/transport/public.js";
import { captureLogs, expectNoSecrets } from "./helpers/logs.js";
import { json, startServer, status, type TestServer } from "./helpers/servers.js";

const logs = captureLogs();
let server: TestServer;
let transport: Transport;

beforeAll(async () => {
  server = await startServer((req, res) => json(res, 200, {}));
  transport = createTransport(defineCluster({ server: server.url, token: "S3CR3T-pipeline" }), { log: logs.log, retry: { backoffInterval: 5 } });
});
afterAll(async () => {
  await transport.close();
  await server.close();
  expectNoSecrets(logs.text());
});

function gzipJson(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
  res.end(gzipSync(JSON.stringify(body)));
}

describe("requests", () => {
  it("builds the URL from path and query and sends the default headers", async () => {
    server.handle((req, res) => json(res, 200, { url: req.url }));
    const res = await transport.request({ path: "/api/v1/pods", query: { labelSelector: "app=web,tier in (a,b)", limit: 500, watch: false, fieldSelector: undefined, include: ["a", "b"] } });
    expect(res).toBeInstanceOf(KubeResponse);
    expect(res.json()).toEqual({ url: "/api/v1/pods?labelSelector=app%3Dweb%2Ctier+in+%28a%2Cb%29&limit=500&watch=false&include=a&include=b" });
    const h = server.requests.at(-1)!.headers;
    expect(h.accept).toBe("application/json");
    expect(h["accept-encoding"]).toBe("gzip");
    expect(h["user-agent"]).toMatch(/^kubezod\/\d+\.\d+\.\d+ \(\w+\/\w+\) node\/v\d+/);
    expect(h.authorization).toBe("Bearer S3CR3T-pipeline");
  });

  it("sends JSON bodies with a content type, strings and bytes as given", async () => {
    server.handle((req, res) => json(res, 200, { type: req.headers["content-type"], body: req.body }));
    expect((await transport.request({ method: "POST", path: "/x", body: { a: 1 } })).json()).toEqual({ type: "application/json", body: '{"a":1}' });
    expect((await transport.request({ method: "PATCH", path: "/x", body: '{"b":2}', contentType: "application/merge-patch+json" })).json()).toEqual({
      type: "application/merge-patch+json",
      body: '{"b":2}',
    });
    expect((await transport.request({ method: "PUT", path: "/x", body: new TextEncoder().encode("raw"), contentType: "text/plain" })).json()).toEqual({ type: "text/plain", body: "raw" });
  });

  it("decompresses gzip responses, and does not ask for them with disable-compression", async () => {
    server.handle((req, res) => (req.headers["accept-encoding"] === "gzip" ? gzipJson(res, { compressed: true }) : json(res, 200, { compressed: false })));
    expect((await transport.request({ path: "/api" })).json()).toEqual({ compressed: true });
    const plain = createTransport(defineCluster({ server: server.url, disableCompression: true }));
    expect((await plain.request({ path: "/api" })).json()).toEqual({ compressed: false });
    expect(server.requests.at(-1)!.headers["accept-encoding"]).toBeUndefined();
    await plain.close();
  });

  it("keeps a server path prefix (e.g. a Rancher proxy URL)", async () => {
    server.handle((req, res) => json(res, 200, { url: req.url }));
    const prefixed = createTransport(defineCluster({ server: `${server.url}/k8s/clusters/c-42/` }));
    expect((await prefixed.request({ path: "/api/v1/namespaces", query: { limit: 1 } })).json()).toEqual({ url: "/k8s/clusters/c-42/api/v1/namespaces?limit=1" });
    server.handle((req, res) => json(res, 404, status(404, "NotFound", "no")));
    const err = await prefixed.request({ path: "/nope", returnErrors: true });
    expect(err).toBeInstanceOf(KubeApiError);
    expect((err as KubeApiError).request?.url).toBe(`${server.url}/k8s/clusters/c-42/nope`);
    await prefixed.close();
  });

  it("lets request headers override defaults (an explicit Authorization wins, like kubectl --token)", async () => {
    server.handle((req, res) => json(res, 200, {}));
    await transport.request({ path: "/api", headers: { Authorization: "Bearer S3CR3T-explicit", "X-Trace": "1" }, accept: "application/yaml" });
    const h = server.requests.at(-1)!.headers;
    expect(h.authorization).toBe("Bearer S3CR3T-explicit");
    expect(h["x-trace"]).toBe("1");
    expect(h.accept).toBe("application/yaml");
  });
});

describe("errors", () => {
  it("throws the typed error from a Status body", async () => {
    server.handle((req, res) =>
      json(res, 422, { ...status(422, "Invalid", 'ConfigMap "x" is invalid: data[bad key]: Invalid value'), details: { name: "x", kind: "configmaps", causes: [{ reason: "FieldValueInvalid", field: "data[bad key]" }] } }),
    );
    const err = await transport.request({ method: "POST", path: "/api/v1/namespaces/d/configmaps", body: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnprocessableEntityError);
    const e = err as UnprocessableEntityError;
    expect(e.status).toBe(422);
    expect(e.reason).toBe("Invalid");
    expect(e.causes).toEqual([{ reason: "FieldValueInvalid", field: "data[bad key]" }]);
    expect(e.request).toEqual({ method: "POST", url: `${server.url}/api/v1/namespaces/d/configmaps` });
  });

  it("returns listed errors instead of throwing them", async () => {
    server.handle((req, res) => json(res, 404, status(404, "NotFound", 'configmaps "missing" not found')));
    const res = await transport.request({ path: "/api/v1/namespaces/d/configmaps/missing", returnErrors: [404] });
    expect(res).toBeInstanceOf(NotFoundError);
    expect((res as NotFoundError).message).toContain('configmaps "missing" not found');
    server.handle((req, res) => json(res, 403, status(403, "Forbidden", "nope")));
    await expect(transport.request({ path: "/api", returnErrors: [404] })).rejects.toBeInstanceOf(ForbiddenError);
    expect(await transport.request({ path: "/api", returnErrors: true })).toBeInstanceOf(ForbiddenError);
  });

  it("builds a Status from bodies that are not one (gzip included)", async () => {
    server.handle((req, res) => {
      res.writeHead(404, { "content-type": "text/plain", "content-encoding": "gzip" });
      res.end(gzipSync("404 page not found\n"));
    });
    const err = (await transport.request({ path: "/nope", returnErrors: true })) as KubeApiError;
    expect(err.status).toBe(404);
    expect(err.body).toMatchObject({ kind: "Status", code: 404, message: "404 page not found" });
  });

  it("does not retry a 401 when the credential cannot be refreshed", async () => {
    server.handle((req, res) => json(res, 401, status(401, "Unauthorized", "Unauthorized")));
    const before = server.requests.length;
    await expect(transport.request({ path: "/api" })).rejects.toBeInstanceOf(UnauthorizedError);
    expect(server.requests.length - before).toBe(1);
  });

  it("rejects with the signal's reason when aborted", async () => {
    server.handle(() => undefined);
    const controller = new AbortController();
    const pending = transport.request({ path: "/slow", signal: controller.signal });
    setTimeout(() => controller.abort(new Error("user gave up")), 50);
    await expect(pending).rejects.toThrow("user gave up");
    const already = AbortSignal.abort();
    await expect(transport.request({ path: "/slow", signal: already })).rejects.toMatchObject({ name: "AbortError" });
    server.handle((req, res) => json(res, 200, {}));
  });

  it("reads bodies as they come: a BOM before declared JSON, chunked text, bytes, gzip of unknown length", async () => {
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"bom":true}')]);
    server.handle((req, res) => {
      if (req.url === "/bom") {
        res.writeHead(200, { "content-type": "application/json", "content-length": bom.length });
        res.end(bom);
      } else if (req.url === "/chunked") {
        res.writeHead(200, { "content-type": "application/json" });
        res.write('{"parts":');
        setTimeout(() => res.end("[1,2]}"), 5);
      } else if (req.url === "/bytes") {
        res.writeHead(200, { "content-type": "application/octet-stream" });
        res.end(Buffer.from([0, 1, 2, 255]));
      } else if (req.url === "/empty") {
        res.writeHead(200, { "content-type": "application/json", "content-length": 0 });
        res.end();
      } else {
        res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
        const gz = createGzip();
        gz.pipe(res);
        gz.write('{"zipped":');
        setTimeout(() => gz.end("true}"), 5);
      }
    });
    expect((await transport.request({ path: "/bom" })).json()).toEqual({ bom: true });
    expect((await transport.request({ path: "/chunked" })).json()).toEqual({ parts: [1, 2] });
    const bytes = await transport.request({ path: "/bytes" });
    expect([...bytes.body]).toEqual([0, 1, 2, 255]);
    expect((await transport.request({ path: "/empty" })).text()).toBe("");
    expect((await transport.request({ path: "/gzip" })).json()).toEqual({ zipped: true });
    server.handle((req, res) => json(res, 200, {}));
  });

  it("stops a body being read when the signal aborts or a short time limit passes", async () => {
    server.handle((req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": 100 });
      res.write('{"started":');
    });
    const controller = new AbortController();
    const pending = transport.request({ path: "/trickle", signal: controller.signal });
    setTimeout(() => controller.abort(new Error("user gave up mid-body")), 50);
    await expect(pending).rejects.toThrow("user gave up mid-body");
    const err = await transport.request({ path: "/trickle", timeoutMs: 200, retry: false }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: "TimeoutError", message: expect.stringMatching(/timed out after 200 ms \(GET .*\/trickle\)/) });
    server.handle((req, res) => json(res, 200, {}));
  });

  it("refuses requests after close()", async () => {
    const t = createTransport(defineCluster({ server: server.url }));
    await t.request({ path: "/api" });
    await t.close();
    await expect(t.request({ path: "/api" })).rejects.toThrow(/closed/);
  });
});

describe("streams", () => {
  it("streams chunks as they come, decompressing gzip", async () => {
    server.handle((req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"type":"ADDED"}\n');
      setTimeout(() => {
        res.write('{"type":"MODIFIED"}\n');
        res.end();
      }, 20);
    });
    const s = await transport.stream({ path: "/api/v1/pods", query: { watch: true } });
    expect(s.status).toBe(200);
    let text = "";
    for await (const chunk of s.body) text += Buffer.from(chunk).toString();
    expect(text).toBe('{"type":"ADDED"}\n{"type":"MODIFIED"}\n');

    server.handle((req, res) => {
      res.writeHead(200, { "content-encoding": "gzip" });
      res.end(gzipSync("line 1\nline 2\n"));
    });
    const logsStream = await transport.stream({ path: "/api/v1/namespaces/d/pods/p/log", query: { follow: true } });
    let logText = "";
    for await (const chunk of logsStream.body) logText += Buffer.from(chunk).toString();
    expect(logText).toBe("line 1\nline 2\n");
  });

  it("ends a (gzip) stream with a ConnectionError when the connection drops", async () => {
    server.handle((req, res) => {
      res.writeHead(200, { "content-encoding": "gzip" });
      const gz = createGzip();
      gz.pipe(res);
      gz.write('{"type":"ADDED"}\n');
      gz.flush(() => setTimeout(() => res.socket?.destroy(), 250));
    });
    const s = await transport.stream({ path: "/api/v1/pods", query: { watch: true } });
    let text = "";
    const err = await (async () => {
      for await (const chunk of s.body) text += Buffer.from(chunk).toString();
    })().catch((e: unknown) => e);
    expect(text).toBe('{"type":"ADDED"}\n');
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as ConnectionError).server).toBe(server.url);
    logs.note(err);
  });

  it("throws typed errors before the stream starts", async () => {
    server.handle((req, res) => json(res, 410, status(410, "Expired", "too old resource version")));
    await expect(transport.stream({ path: "/api/v1/pods", query: { watch: true, resourceVersion: "1" } })).rejects.toMatchObject({ name: "GoneError", status: 410 });
  });

  it("keeps long watches off the request pool, and close() ends them", async () => {
    const open: ServerResponse[] = [];
    server.handle((req, res) => {
      if (req.url?.includes("watch=true")) {
        res.writeHead(200, { "content-type": "application/json" });
        res.write("\n");
        open.push(res);
        return;
      }
      json(res, 200, { ok: true });
    });
    const small = createTransport(defineCluster({ server: server.url }), { connections: 2 });
    const watches = await Promise.all(Array.from({ length: 4 }, () => small.stream({ path: "/api/v1/pods", query: { watch: true } })));
    // With a 2-connection request pool, these would queue behind the watches if they shared it.
    const results = await Promise.all(Array.from({ length: 4 }, () => small.request({ path: "/api/v1/namespaces", timeoutMs: 2000 })));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    for (const w of watches) w.close();
    for (const w of watches) {
      const chunks: Uint8Array[] = [];
      for await (const c of w.body) chunks.push(c);
    }
    for (const res of open) res.end();
    await small.close();
  });
});

describe("metrics, tracing and logging", () => {
  it("reports every request to onMetrics and the diagnostics channel", async () => {
    const seen: RequestMetrics[] = [];
    const published: RequestMetrics[] = [];
    const onMessage = (m: unknown) => published.push(m as RequestMetrics);
    diagnosticsChannel.subscribe(REQUEST_CHANNEL, onMessage);
    try {
      let n = 0;
      server.handle((req, res) => (++n === 1 ? json(res, 503, status(503, "ServiceUnavailable", "x")) : json(res, 404, status(404, "NotFound", "y"))));
      const t = createTransport(defineCluster({ server: server.url }), { onMetrics: (m) => seen.push(m), retry: { backoffInterval: 1 } });
      await t.request({ path: "/api/v1/namespaces/d/pods/p", query: { pretty: true }, returnErrors: [404] });
      await t.close();
    } finally {
      diagnosticsChannel.unsubscribe(REQUEST_CHANNEL, onMessage);
    }
    expect(seen).toEqual([{ method: "GET", path: "/api/v1/namespaces/d/pods/p", server: server.url, status: 404, retries: 1, error: "NotFoundError", durationMs: expect.any(Number) }]);
    expect(published.filter((m) => m.server === server.url)).toEqual(seen);
  });

  it("lets beforeRequest add tracing headers on every attempt", async () => {
    server.handle((req, res) => json(res, 200, {}));
    const attempts: number[] = [];
    const t = createTransport(defineCluster({ server: server.url }), {
      beforeRequest: (r) => {
        attempts.push(r.attempt);
        r.headers.traceparent = `00-${"a".repeat(32)}-${"b".repeat(16)}-01`;
      },
    });
    await t.request({ path: "/api" });
    expect(server.requests.at(-1)!.headers.traceparent).toMatch(/^00-a{32}/);
    expect(attempts).toEqual([1]);
    await t.close();
  });

  it("logs failures by default, successes and bodies only when switched on, notErrorStatuses as successes", async () => {
    const entries: LogEntry[] = [];
    const logger = (e: LogEntry) => entries.push(e);
    server.handle((req, res) => (req.url?.includes("missing") ? json(res, 404, status(404, "NotFound", "gone")) : json(res, 200, { ok: true })));
    const t = createTransport(defineCluster({ server: server.url, token: "S3CR3T-log" }), { log: { logger } });
    await t.request({ path: "/api/ok" });
    expect(entries).toEqual([]);
    await t.request({ path: "/api/missing", returnErrors: [404] });
    expect(entries.map((e) => [e.level, e.status])).toEqual([["error", 404]]);
    expect(entries[0]!.message).toMatch(new RegExp(`^GET ${server.url}/api/missing → 404 in \\d+ ms$`));
    entries.length = 0;
    await t.request({ path: "/api/missing", returnErrors: [404], log: { notErrorStatuses: [404] } });
    expect(entries).toEqual([]);
    await t.request({ path: "/api/missing", returnErrors: [404], log: { notErrorStatuses: [404], onSuccess: true } });
    expect(entries.map((e) => e.level)).toEqual(["info"]);
    entries.length = 0;
    await t.request({ method: "POST", path: "/api/ok", body: { spec: { replicas: 2 } }, log: { onSuccess: true, requestBody: true, responseBody: true } });
    expect(entries[0]).toMatchObject({ level: "info", status: 200, requestBody: '{"spec":{"replicas":2}}', responseBody: '{"ok":true}' });
    expect(JSON.stringify(entries)).not.toContain("S3CR3T");
    await t.close();
  });
});
