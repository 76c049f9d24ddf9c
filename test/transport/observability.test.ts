/**
 * The transport as composed interceptors, and what it tells the outside: stages of your own, a
 * message per retry, counters and histograms from diagnostics_channel, pool statistics, the
 * server's Audit-Id on errors and metrics, and OpenTelemetry client spans (with the trace context
 * sent along) when an OpenTelemetry SDK is registered.
 */
import { context, propagation, trace } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTransport, defineCluster, NotFoundError, type RequestMetrics } from "../../src/index.js";
import { collectRequestMetrics, type Interceptor } from "../../src/transport/public.js";
import { json, startServer, status, type TestServer } from "./helpers/servers.js";

let server: TestServer;
beforeAll(async () => {
  server = await startServer((_req, res) => json(res, 200, {}));
});
afterAll(async () => {
  await server.close();
});

describe("interceptors", () => {
  it("run your own stage inside the built-in ones, on every attempt", async () => {
    const seen: string[] = [];
    const stamp: Interceptor = {
      name: "stamp",
      wrap: (next) => (call) => {
        seen.push(`${call.method} attempt ${call.attempt} auth=${call.headers.authorization !== undefined}`);
        call.headers = { ...call.headers, "x-stamp": String(call.attempt) };
        return next(call);
      },
    };
    let n = 0;
    server.handle((_req, res) => (++n === 1 ? json(res, 503, status(503, "ServiceUnavailable", "busy")) : json(res, 200, {})));
    const t = createTransport(defineCluster({ server: server.url, token: "t" }), { interceptors: [stamp], retry: { backoffInterval: 1 } });
    await t.request({ path: "/api" });
    await t.close();
    expect(seen).toEqual(["GET attempt 1 auth=true", "GET attempt 2 auth=true"]);
    expect(server.requests.at(-1)!.headers["x-stamp"]).toBe("2");
  });
});

describe("metrics", () => {
  it("count requests and retries and keep duration histograms; the Audit-Id is on metrics and errors", async () => {
    let n = 0;
    let flaked = false;
    server.handle((req, res) => {
      res.setHeader("audit-id", `audit-${++n}`);
      if (req.url === "/flaky" && !flaked) {
        flaked = true;
        return json(res, 503, status(503, "ServiceUnavailable", "busy"));
      }
      if (req.url === "/missing") return json(res, 404, status(404, "NotFound", "no"));
      return json(res, 200, {});
    });
    const metrics = collectRequestMetrics();
    const seen: RequestMetrics[] = [];
    const t = createTransport(defineCluster({ server: server.url }), { retry: { backoffInterval: 1 }, onMetrics: (m) => seen.push(m) });
    try {
      await t.request({ path: "/ok" });
      await t.request({ path: "/flaky" });
      const missing = await t.request({ path: "/missing", returnErrors: [404] });
      expect(missing).toBeInstanceOf(NotFoundError);
      expect((missing as NotFoundError).request?.auditId).toBe(`audit-${n}`);
      const snap = metrics.snapshot();
      expect(snap.requests).toMatchObject({ "GET 200": 2, "GET 404": 1 });
      expect(snap.retries).toMatchObject({ "GET 503": 1 });
      expect(snap.durations.GET!.count).toBe(3);
      expect(snap.durations.GET!.buckets.at(-1)).toEqual({ le: 60, count: 3 });
      expect(seen.map((m) => m.auditId)).toEqual(["audit-1", "audit-3", "audit-4"]);
      // The request pool's numbers.
      expect(t.stats()).toMatchObject({ connected: expect.any(Number), running: 0, queued: 0 });
    } finally {
      metrics.close();
      await t.close();
    }
  });
});

describe("OpenTelemetry", () => {
  it("makes a client span per request and sends the trace context", async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    trace.setGlobalTracerProvider(provider);
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    try {
      server.handle((req, res) => (req.url === "/gone" ? json(res, 404, status(404, "NotFound", "no"), { "audit-id": "a-1" }) : json(res, 200, {})));
      const t = createTransport(defineCluster({ server: server.url }));
      await t.request({ path: "/api/v1/namespaces" });
      await t.request({ path: "/gone" }).catch(() => undefined);
      await t.close();
      const spans = exporter.getFinishedSpans();
      expect(spans.map((s) => [s.name, s.attributes["http.request.method"], s.attributes["http.response.status_code"]])).toEqual([
        ["GET", "GET", 200],
        ["GET", "GET", 404],
      ]);
      expect(spans[1]!.attributes["k8s.audit_id"]).toBe("a-1");
      expect(spans[1]!.attributes["error.type"]).toBe("NotFoundError");
      const sent = server.requests.at(-2)!.headers.traceparent as string;
      expect(sent).toMatch(new RegExp(`^00-${spans[0]!.spanContext().traceId}-${spans[0]!.spanContext().spanId}-01$`));
    } finally {
      trace.disable();
      propagation.disable();
      context.disable();
      await provider.shutdown();
    }
  });
});
