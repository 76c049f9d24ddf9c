/**
 * What the pipeline tells the outside: a message per completed request (to `onMetrics` and the
 * `kubezod:request` diagnostics channel), a message per retry (`kubezod:retry`), OpenTelemetry
 * client spans when `@opentelemetry/api` is installed, log entries with kubesdk's switches, and
 * counters and histograms built from the channel.
 */
import diagnosticsChannel from "node:diagnostics_channel";
import type { KubeError } from "../errors.js";
import type { Call, Interceptor, Outcome, Payload } from "./interceptors.js";
import type { LogEntry, LogOptions } from "./log.js";
import { redactBody } from "./redact.js";

/** What one request reports to `onMetrics` and the `kubezod:request` diagnostics channel. @example transport options `{ onMetrics: (m) => histogram.observe(m.durationMs) }` */
export interface RequestMetrics {
  method: string;
  /** Path without query. */
  path: string;
  server: string;
  /** Final status; absent when no response arrived. */
  status?: number;
  durationMs: number;
  retries: number;
  /** The error's name when the request failed (`ConnectionError`, `TimeoutError`, `NotFoundError`, …). */
  error?: string;
  /** The server's `Audit-Id` of the final attempt, when it sent one. */
  auditId?: string;
}

/** A retry about to be waited for, as published on the `kubezod:retry` channel. @example diagnostics_channel.subscribe(RETRY_CHANNEL, (m) => retries.inc()); */
export interface RetryMessage {
  method: string;
  path: string;
  server: string;
  /** The status that caused the retry; absent for a connection failure. */
  status?: number;
  /** The error's name for a connection failure. */
  error?: string;
  /** The 1-based number of the retry. */
  retry: number;
}

/** The diagnostics channel every completed request is published on (`RequestMetrics`). @example diagnostics_channel.subscribe(REQUEST_CHANNEL, (m) => …); */
export const REQUEST_CHANNEL = "kubezod:request";
/** The diagnostics channel every retry is published on (`RetryMessage`). @example diagnostics_channel.subscribe(RETRY_CHANNEL, (m) => …); */
export const RETRY_CHANNEL = "kubezod:retry";

const requestChannel = diagnosticsChannel.channel(REQUEST_CHANNEL);
const retryChannel = diagnosticsChannel.channel(RETRY_CHANNEL);

// ---- OpenTelemetry (optional peer) ---------------------------------------------------------------

interface OtelSpan {
  isRecording(): boolean;
  setAttribute(key: string, value: string | number): void;
  setStatus(status: { code: number; message?: string }): void;
  recordException(error: Error): void;
  end(): void;
}
interface OtelTracer {
  startSpan(name: string, options: { kind: number; attributes: Record<string, string | number> }): OtelSpan;
}
interface OtelTracerProvider {
  getTracer(name: string, version?: string): OtelTracer;
  /** The API's proxy provider: the registered SDK's provider, or a no-op one. */
  getDelegate?(): unknown;
  /** The API's proxy provider: the registered SDK's tracer, undefined when no SDK is registered. */
  getDelegateTracer?(name: string): OtelTracer | undefined;
}
interface OtelApi {
  trace: { getTracerProvider(): OtelTracerProvider; setSpan(ctx: unknown, span: OtelSpan): unknown };
  context: { active(): unknown };
  propagation: { inject(ctx: unknown, carrier: Record<string, unknown>): void };
  SpanKind: { CLIENT: number };
  SpanStatusCode: { ERROR: number };
}

let otel: OtelApi | null | undefined;

/**
 * `@opentelemetry/api`, when the application has it (it is an optional peer dependency): loaded
 * once, before the first request.
 */
export async function loadOpenTelemetry(): Promise<void> {
  if (otel !== undefined) return;
  try {
    otel = (await import("@opentelemetry/api" as string)) as OtelApi;
  } catch {
    otel = null;
  }
}

/** The server's address attributes, worked out once per server. */
const addresses = new Map<string, { "server.address": string; "server.port": number }>();

/** The tracer last worked out, for the provider (and the SDK behind it) it came from. */
let tracerFor: { provider: OtelTracerProvider; delegate: unknown; tracer: OtelTracer | undefined } | undefined;

/**
 * The tracer to start spans with, or undefined when no SDK is registered behind the API's proxy
 * provider (its spans would never record). Worked out again when the global provider, or the SDK
 * registered behind it, changes.
 */
function currentTracer(api: OtelApi): OtelTracer | undefined {
  const provider = api.trace.getTracerProvider();
  const delegate = typeof provider.getDelegate === "function" ? provider.getDelegate() : provider;
  if (tracerFor?.provider === provider && tracerFor.delegate === delegate) return tracerFor.tracer;
  const tracer = typeof provider.getDelegateTracer === "function" ? provider.getDelegateTracer("kubezod") : provider.getTracer("kubezod");
  tracerFor = { provider, delegate, tracer };
  return tracer;
}

function startSpan(call: Call, server: string): OtelSpan | undefined {
  if (!otel) return undefined;
  const tracer = currentTracer(otel);
  if (!tracer) return undefined;
  let address = addresses.get(server);
  if (!address) {
    const url = new URL(server);
    address = { "server.address": url.hostname, "server.port": Number(url.port || (url.protocol === "https:" ? 443 : 80)) };
    addresses.set(server, address);
  }
  const span = tracer.startSpan(call.method, {
    kind: otel.SpanKind.CLIENT,
    attributes: { "http.request.method": call.method, "url.full": call.info.url, ...address },
  });
  if (!span.isRecording()) return undefined;
  // The trace context travels with the request (W3C traceparent, or whatever propagator is set).
  const carrier: Record<string, unknown> = {};
  otel.propagation.inject(otel.trace.setSpan(otel.context.active(), span), carrier);
  if (Object.keys(carrier).length) call.headers = { ...call.headers, ...(carrier as Record<string, string>) };
  return span;
}

function endSpan(span: OtelSpan, status: number | undefined, error: Error | undefined, retries: number, auditId: string | undefined): void {
  if (status !== undefined) span.setAttribute("http.response.status_code", status);
  if (retries) span.setAttribute("http.request.resend_count", retries);
  if (auditId) span.setAttribute("k8s.audit_id", auditId);
  if (error) {
    span.setAttribute("error.type", error.name);
    span.recordException(error);
    span.setStatus({ code: otel!.SpanStatusCode.ERROR, message: error.message });
  }
  span.end();
}

// ---- the observe stage ---------------------------------------------------------------------------

/** How a call ended, as the observing stage sees it. */
export interface Ending {
  status: number | undefined;
  error: Error | undefined;
  body: Payload | undefined;
  auditId: string | undefined;
}

/** The error a completed response stands for (a `KubeApiError` for ≥ 400), made by the transport. */
export type ErrorOf = (call: Call, out: Outcome) => Error | undefined;

/**
 * Metrics, spans and logs for each call: one message when it ends, one per retry, a span around it.
 * The stage is in the chain only when something listens (an `onMetrics`, a logger, OpenTelemetry,
 * or a channel subscriber, checked per call).
 */
export function observe(options: {
  server: string;
  basePath: string;
  onMetrics: ((m: RequestMetrics) => void) | undefined;
  log: LogOptions | undefined;
  errorOf: ErrorOf;
  callLog: (call: Call) => Omit<LogOptions, "logger"> | undefined;
}): Interceptor {
  const { server, onMetrics, log } = options;
  const logger = log?.logger;
  return {
    name: "observe",
    wrap: (next) => (call) => {
      const metrics = onMetrics !== undefined || requestChannel.hasSubscribers;
      const span = otel ? startSpan(call, server) : undefined;
      if (!metrics && !span && !logger && !retryChannel.hasSubscribers) return next(call);
      if (logger || retryChannel.hasSubscribers) {
        call.note = (level, status, error, message) => {
          if (message.startsWith("retrying") && retryChannel.hasSubscribers) {
            const m: RetryMessage = { method: call.method, path: call.path, server, retry: call.retries };
            if (status !== undefined) m.status = status;
            if (error) m.error = error.name;
            retryChannel.publish(m);
          }
          if (logger) writeLog(call, level, status, error, message, undefined);
        };
      }
      const end = (e: Ending) => {
        if (metrics) {
          const m: RequestMetrics = { method: call.method, path: call.path, server, durationMs: performance.now() - call.started, retries: call.retries };
          if (e.status !== undefined) m.status = e.status;
          if (e.error) m.error = e.error.name;
          if (e.auditId) m.auditId = e.auditId;
          onMetrics?.(m);
          if (requestChannel.hasSubscribers) requestChannel.publish(m);
        }
        if (span) endSpan(span, e.status, e.error, call.retries, e.auditId);
        if (logger) {
          const switches = { ...log, ...options.callLog(call) };
          const success = !e.error || (e.status !== undefined && (switches.notErrorStatuses?.includes(e.status) ?? false));
          if (!success || switches.onSuccess) writeLog(call, success ? "info" : "error", e.status, success ? undefined : e.error, undefined, e.body);
        }
      };
      return next(call).then(
        (out) => {
          end({ status: out.status, error: out.status >= 400 ? options.errorOf(call, out) : undefined, body: out.body, auditId: auditIdOf(out) });
          return out;
        },
        (err: unknown) => {
          end({ status: undefined, error: err as Error, body: undefined, auditId: undefined });
          throw err;
        },
      );
    },
  };

  function writeLog(call: Call, level: LogEntry["level"], status: number | undefined, error: Error | undefined, note: string | undefined, body: Payload | undefined): void {
    const switches = { ...log, ...options.callLog(call) };
    const durationMs = performance.now() - call.started;
    const outcome = status !== undefined ? `${status}` : error ? error.name : "no response";
    const entry: LogEntry = {
      level,
      message: `${call.method} ${server}${call.pathQ.slice(options.basePath.length)} → ${outcome} in ${Math.round(durationMs)} ms${call.attempt > 1 ? ` (attempt ${call.attempt})` : ""}${note ? `; ${note}` : ""}`,
      method: call.method,
      path: call.pathQ,
      server,
      durationMs,
      attempt: call.attempt,
    };
    if (status !== undefined) entry.status = status;
    if (error) entry.error = `${error.name}: ${error.message}`;
    if (switches.requestBody && call.body !== undefined) {
      const text = redactBody(call.body, call.contentType, call.pathQ);
      if (text) entry.requestBody = text;
    }
    if (switches.responseBody && body) {
      const text = redactBody(body, undefined, call.pathQ);
      if (text) entry.responseBody = text;
    }
    try {
      logger!(entry);
    } catch {
      // A failing logger must not fail the request.
    }
  }
}

/** The `Audit-Id` header of a response. */
export function auditIdOf(out: { headers: Record<string, string | string[] | undefined> }): string | undefined {
  const v = out.headers["audit-id"];
  return Array.isArray(v) ? v[0] : v;
}

// ---- counters and histograms ---------------------------------------------------------------------

/** The bucket bounds (seconds) of client-go's `rest_client_request_duration_seconds`. @example DURATION_BUCKETS.at(-1); // 60 */
export const DURATION_BUCKETS: readonly number[] = [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60];

/** A histogram: counts per upper bound (cumulative, as Prometheus reports them), sum and count. */
export interface Histogram {
  buckets: Array<{ le: number; count: number }>;
  sum: number;
  count: number;
}

/** What `collectRequestMetrics` has counted so far. */
export interface RequestMetricsSnapshot {
  /** Requests by `method status` (`GET 200`, `POST error`). */
  requests: Record<string, number>;
  /** Retries by `method status`. */
  retries: Record<string, number>;
  /** Request durations in seconds, by method. */
  durations: Record<string, Histogram>;
}

/**
 * Counters and histograms of every request of every transport in the process, built from the
 * diagnostics channels (client-go's `rest_client_requests_total`, `…_request_duration_seconds`,
 * `…_request_retries_total`). Export `snapshot()` to your metrics system; `close()` unsubscribes.
 *
 * @example
 * const metrics = collectRequestMetrics();
 * await kube.list(Pod);
 * metrics.snapshot().requests["GET 200"]; // 1
 */
export function collectRequestMetrics(): { snapshot(): RequestMetricsSnapshot; close(): void } {
  const requests: Record<string, number> = {};
  const retries: Record<string, number> = {};
  const durations: Record<string, { counts: number[]; sum: number; count: number }> = {};
  const onRequest = (message: unknown) => {
    const m = message as RequestMetrics;
    const key = `${m.method} ${m.status ?? "error"}`;
    requests[key] = (requests[key] ?? 0) + 1;
    const h = (durations[m.method] ??= { counts: DURATION_BUCKETS.map(() => 0), sum: 0, count: 0 });
    const seconds = m.durationMs / 1000;
    DURATION_BUCKETS.forEach((le, i) => {
      if (seconds <= le) h.counts[i]!++;
    });
    h.sum += seconds;
    h.count++;
  };
  const onRetry = (message: unknown) => {
    const m = message as RetryMessage;
    const key = `${m.method} ${m.status ?? "error"}`;
    retries[key] = (retries[key] ?? 0) + 1;
  };
  diagnosticsChannel.subscribe(REQUEST_CHANNEL, onRequest);
  diagnosticsChannel.subscribe(RETRY_CHANNEL, onRetry);
  return {
    snapshot: () => ({
      requests: { ...requests },
      retries: { ...retries },
      durations: Object.fromEntries(
        Object.entries(durations).map(([method, h]) => [method, { buckets: DURATION_BUCKETS.map((le, i) => ({ le, count: h.counts[i]! })), sum: h.sum, count: h.count }]),
      ),
    }),
    close() {
      diagnosticsChannel.unsubscribe(REQUEST_CHANNEL, onRequest);
      diagnosticsChannel.unsubscribe(RETRY_CHANNEL, onRetry);
    },
  };
}

export type { KubeError };
