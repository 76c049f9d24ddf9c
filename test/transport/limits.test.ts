/**
 * Hostile and broken peers against the client: bodies and lines over their limits (gzip bombs
 * included), a body that trickles past the deadline, a watch that goes silent, answers that are
 * not the API server's (invalid JSON, HTML, redirects, huge error pages), and errors that must not
 * print Secret data. Memory is measured by the process itself; time is bounded by outcome (the
 * test ends with the typed error), never asserted.
 */
import type { ServerResponse } from "node:http";
import { inspect, format } from "node:util";
import { createGzip } from "node:zlib";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ConfigMap, Secret } from "kubezod/k8s";
import {
  connect,
  createTransport,
  defineCluster,
  IdleTimeoutError,
  InternalServerError,
  InvalidResponseError,
  ResponseTooLargeError,
  StreamDecodeError,
  TimeoutError,
  ValidationError,
  type Kube,
} from "../../src/index.js";
import { ndjson } from "../../src/client/ndjson.js";
import { startTestServer } from "../../src/testing/index.js";
import { startServer, type TestServer } from "./helpers/servers.js";

let server: TestServer;
const MiB = 1024 * 1024;

beforeAll(async () => {
  server = await startServer((_req, res) => {
    res.end("{}");
  });
});
afterAll(async () => {
  await server.close();
});

const opened: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((t) => t.close()));
});

function transport(options: Parameters<typeof createTransport>[1] = {}) {
  const t = createTransport(defineCluster({ server: server.url }), { retry: false, onWarning: false, ...options });
  opened.push(t);
  return t;
}

async function client(): Promise<Kube> {
  const k = await connect({ config: defineCluster({ server: server.url }), retry: false, onWarning: false, kubernetesVersion: "1.34" });
  opened.push(k);
  return k;
}

/** Write `chunk` until the client goes away (or `max` bytes), respecting backpressure. */
async function flood(res: ServerResponse, chunk: Buffer, max: number): Promise<void> {
  let sent = 0;
  while (sent < max && !res.destroyed) {
    if (!res.write(chunk)) await new Promise<void>((r) => { res.once("drain", r); res.once("close", r); });
    sent += chunk.length;
  }
  if (!res.destroyed) res.end();
}

function growth(before: NodeJS.MemoryUsage): number {
  const after = process.memoryUsage();
  return Math.max(after.rss - before.rss, after.heapUsed - before.heapUsed);
}

describe("response bodies are capped", () => {
  it("a body larger than maxResponseBytes fails as it passes the cap, naming the request", async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      void flood(res, Buffer.alloc(256 * 1024, 0x20), 1024 * MiB);
    });
    const before = process.memoryUsage();
    const err = await transport({ maxResponseBytes: 8 * MiB }).request({ path: "/api/v1/huge" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResponseTooLargeError);
    expect(err).toMatchObject({ code: "KUBE_RESPONSE_TOO_LARGE", limit: 8 * MiB });
    expect((err as Error).message).toMatch(new RegExp(`larger than ${8 * MiB} bytes \\(maxResponseBytes\\) \\(GET ${server.url}/api/v1/huge\\)`));
    expect(growth(before)).toBeLessThan(200 * MiB);
  });

  it("a declared Content-Length over the cap fails before reading", async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": String(2 * 1024 * MiB) });
      res.write("{");
    });
    await expect(transport({ maxResponseBytes: MiB }).request({ path: "/declared" })).rejects.toBeInstanceOf(ResponseTooLargeError);
  });

  it("a gzip bomb is not inflated past the cap", async () => {
    // 512 MiB of zeros, about half a megabyte compressed.
    const gz = createGzip({ level: 9 });
    const parts: Buffer[] = [];
    gz.on("data", (d: Buffer) => parts.push(d));
    const zeros = Buffer.alloc(MiB);
    for (let i = 0; i < 512; i++) gz.write(zeros);
    await new Promise<void>((r) => gz.end(r));
    const bomb = Buffer.concat(parts);
    server.handle((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip", "content-length": String(bomb.length) });
      res.end(bomb);
    });
    const before = process.memoryUsage();
    const err = await transport({ maxResponseBytes: 16 * MiB }).request({ path: "/bomb" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResponseTooLargeError);
    expect(growth(before)).toBeLessThan(200 * MiB);
  });

  it("a watch line without a newline stops at the line limit (the decoder reads each byte once)", async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      void flood(res, Buffer.alloc(64 * 1024, 0x78), 1024 * MiB);
    });
    const before = process.memoryUsage();
    const stream = await transport().stream({ path: "/api/v1/configmaps", query: { watch: true } });
    const read = async () => {
      for await (const _ of ndjson(stream.body, { maxLineBytes: 4 * MiB, request: stream.request })) void _;
    };
    const err = await read().catch((e: unknown) => e);
    stream.close();
    expect(err).toBeInstanceOf(ResponseTooLargeError);
    expect((err as Error).message).toMatch(/a stream line is longer than 4194304 bytes \(GET .*\/api\/v1\/configmaps\?watch=true\)/);
    expect(growth(before)).toBeLessThan(200 * MiB);
  });
});

describe("time bounds", () => {
  it("timeoutMs covers the body: a server sending a byte at a time is cut off", async () => {
    const timers: ReturnType<typeof setInterval>[] = [];
    server.handle((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write("[");
      const t = setInterval(() => (res.destroyed ? clearInterval(t) : res.write(" ")), 100);
      timers.push(t);
    });
    try {
      const err = await transport({ timeoutMs: 2500 }).request({ path: "/slow" }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TimeoutError);
      expect((err as TimeoutError).message).toMatch(/timed out after 2500 ms \(GET .*\/slow\)/);
    } finally {
      timers.forEach(clearInterval);
    }
  });

  it("a watch that sends headers then nothing ends with IdleTimeoutError", async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.flushHeaders();
    });
    const kube = await client();
    const run = async () => {
      for await (const _ of kube.watch(ConfigMap, { idleTimeoutMs: 300 })) void _;
    };
    const err = await run().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IdleTimeoutError);
    expect(err).toMatchObject({ code: "KUBE_IDLE_TIMEOUT", timeoutMs: 300 });
    expect((err as Error).message).toMatch(/nothing arrived .* for 300 ms \(GET .*watch=true/);
  });
});

describe("answers that are not the API server's", () => {
  it("invalid JSON, an HTML page and a redirect are typed errors naming the request", async () => {
    const kube = await client();
    server.handle((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" }).end('{"kind": "ConfigMap", "data": {"a": ');
    });
    const truncated = await kube.get(ConfigMap, "x", { namespace: "a" }).catch((e: unknown) => e);
    expect(truncated).toBeInstanceOf(InvalidResponseError);
    expect((truncated as Error).message).toMatch(/is not JSON: \d+ bytes of malformed or truncated JSON \(GET .*\/api\/v1\/namespaces\/a\/configmaps\/x\)/);

    server.handle((_req, res) => {
      res.writeHead(200, { "content-type": "text/html" }).end("<!DOCTYPE html><html><head><title>Sign in</title></head><body>…</body></html>");
    });
    const html = await kube.get(ConfigMap, "x", { namespace: "a" }).catch((e: unknown) => e);
    expect(html).toBeInstanceOf(InvalidResponseError);
    expect((html as Error).message).toMatch(/an HTML page \(Sign in\)/);

    server.handle((_req, res) => {
      res.writeHead(302, { location: "https://login.example.com/auth?token=S3CR3T" }).end();
    });
    const redirect = await kube.get(ConfigMap, "x", { namespace: "a" }).catch((e: unknown) => e);
    expect(redirect).toBeInstanceOf(InvalidResponseError);
    expect(redirect).toMatchObject({ status: 302, code: "KUBE_INVALID_RESPONSE" });
    expect((redirect as Error).message).toMatch(/answered 302, a redirect to https:\/\/login\.example\.com\/auth:/);
    expect((redirect as Error).message).not.toContain("S3CR3T");

    server.handle((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" }).end("not json\n");
    });
    const stream = await transport().stream({ path: "/w" });
    const bad = await (async () => {
      for await (const _ of ndjson(stream.body, { request: stream.request })) void _;
    })().catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(StreamDecodeError);
    expect((bad as Error).message).toMatch(/invalid JSON in stream: a line of 8 bytes that is not JSON \(GET .*\/w\)/);
  });

  it("a list that is not a list and watch events without an object are typed errors naming the request, in every validation mode", async () => {
    const kube = await client();
    const answers: Array<[string, RegExp]> = [
      ["[1,2,3]", /the answer to a list is not a list object but an array \(GET .*\/api\/v1\/namespaces\/a\/configmaps\)/],
      ["null", /not a list object but null/],
      ['{"kind":"ConfigMapList","items":{"a":1}}', /a list whose items are not an array/],
      ['{"kind":"ConfigMapList","items":[{"metadata":{"name":"x"}},null]}', /a list whose items\[1\] is not an object/],
    ];
    for (const [body, message] of answers) {
      server.handle((_req, res) => {
        res.writeHead(200, { "content-type": "application/json" }).end(body);
      });
      for (const validate of ["off", "report", "reject"] as const) {
        const err = await kube.list(ConfigMap, { namespace: "a", validate }).catch((e: unknown) => e);
        expect(err, `${body} (${validate})`).toBeInstanceOf(InvalidResponseError);
        expect((err as Error).message).toMatch(message);
      }
    }
    // An empty list may come with items null (Go's nil slice).
    server.handle((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" }).end('{"kind":"ConfigMapList","metadata":{"resourceVersion":"5"},"items":null}');
    });
    expect((await kube.list(ConfigMap, { namespace: "a" })).items).toEqual([]);

    const events: Array<[string, RegExp]> = [
      ['{"type":"ADDED","object":null}', /a watch event \(ADDED\) whose object is not an object \(GET .*watch=true/],
      ['{"type":"MODIFIED","object":"x"}', /a watch event \(MODIFIED\) whose object is not an object/],
      ['{"type":"DELETED"}', /a watch event \(DELETED\) whose object is not an object/],
      ['{"type":"BOOKMARK","object":[]}', /a watch event \(BOOKMARK\) whose object is not an object/],
      ['{"type":"BOOKMARK","object":{"kind":"ConfigMap"}}', /a BOOKMARK event without metadata/],
    ];
    for (const [line, message] of events) {
      server.handle((_req, res) => {
        res.writeHead(200, { "content-type": "application/json" }).end(`${line}\n`);
      });
      const err = await (async () => {
        for await (const _ of kube.watch(ConfigMap, { namespace: "a", validate: "off" })) void _;
      })().catch((e: unknown) => e);
      expect(err, line).toBeInstanceOf(StreamDecodeError);
      expect((err as Error).message).toMatch(message);
    }
  });

  it("a 500 with a 100 KB HTML page gives a short message", async () => {
    const page = `<html><head><title>Internal error</title></head><body>${"<p>stack trace line</p>".repeat(5000)}</body></html>`;
    server.handle((_req, res) => {
      res.writeHead(500, { "content-type": "text/html" }).end(page);
    });
    const err = await transport().request({ path: "/broken" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InternalServerError);
    expect((err as Error).message).toBe(`HTTP 500 with an HTML body (Internal error) (GET ${server.url}/broken)`);
    server.handle((_req, res) => {
      res.writeHead(502, { "content-type": "text/plain" }).end("x".repeat(100_000));
    });
    const plain = await transport().request({ path: "/gateway" }).catch((e: unknown) => e);
    expect((plain as Error).message.length).toBeLessThan(400);
  });
});

describe("errors never print Secret data", () => {
  it("a ValidationError of an outgoing Secret keeps no data, in any printed form", async () => {
    const local = await startTestServer({ controllers: false });
    const kube = await local.connect({ onWarning: false });
    try {
      const secret = { metadata: { name: "creds" }, type: 5, stringData: { password: "S3CR3T-stringdata" }, data: { token: Buffer.from("S3CR3T-data").toString("base64") } };
      const err = await kube.create(Secret, secret as never).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      const printed = [String(err), inspect(err, { depth: 10 }), JSON.stringify(err), format("%o", err), format(err), (err as Error).stack ?? ""];
      for (const text of printed) {
        expect(text).not.toContain("S3CR3T");
        expect(text).not.toContain(Buffer.from("S3CR3T-data").toString("base64"));
      }
      expect(JSON.parse(JSON.stringify(err))).toMatchObject({ name: "ValidationError", code: "KUBE_VALIDATION", direction: "request" });
      // What it keeps of the request has the Secret's values redacted.
      expect(JSON.stringify((err as ValidationError).value)).not.toContain("S3CR3T");
    } finally {
      await kube.close();
      await local.close();
    }
  });
});
