/**
 * HTTP/2 in the transport: against a server that offers h2 (the local API server), requests and
 * watches share one multiplexed connection; against one that does not, everything works over
 * HTTP/1.1 with watches on connections of their own; `http2: false` keeps to HTTP/1.1.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigMap } from "kubezod/k8s";
import type { Kube } from "../../src/index.js";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { FaultProxy } from "../runtime/support/fault-proxy.js";
import { connectVia } from "../runtime/support/helpers.js";
import { TcpGate } from "../runtime/support/tcp-gate.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

/** Open `n` watches, make changes, and wait until every watch saw every change. */
async function watchesAndRequests(kube: Kube, n: number, label: string): Promise<void> {
  const stop = new AbortController();
  const seen = Array.from({ length: n }, () => 0);
  let opened = 0;
  const watches = seen.map((_, i) =>
    (async () => {
      try {
        for await (const e of kube.watch(ConfigMap, { labelSelector: { set: label }, allowWatchBookmarks: true, signal: stop.signal })) {
          if (e.type === "BOOKMARK") continue;
          seen[i]!++;
        }
      } catch (err) {
        if (!stop.signal.aborted) throw err;
      }
    })(),
  );
  // Requests run alongside the open watches.
  await Promise.all(Array.from({ length: 50 }, () => kube.list(ConfigMap, { limit: 1 }).then(() => opened++)));
  for (let i = 0; i < 5; i++) await kube.create(ConfigMap, { metadata: { name: `${label}-${i}`, labels: { set: label } } });
  for (let tries = 0; tries < 500 && seen.some((s) => s < 5); tries++) await new Promise((r) => setTimeout(r, 20));
  stop.abort();
  await Promise.all(watches);
  expect(opened).toBe(50);
  expect(seen.every((s) => s === 5)).toBe(true);
}

describe("transport over HTTP/2", () => {
  it("multiplexes requests and 100 watches over one connection when the server offers h2", async () => {
    const gate = await TcpGate.forUrl(server.url).listen();
    const kube = await connectVia(server, gate.url, server.caCertificate!);
    server.requests.length = 0;
    await watchesAndRequests(kube, 100, "h2");
    expect(gate.connections).toBe(1);
    const mine = server.requests.filter((r) => r.resource === "configmaps");
    expect(mine.length).toBeGreaterThan(150);
    expect(mine.every((r) => r.headers[":authority"] !== undefined)).toBe(true); // HTTP/2 pseudo-headers
    // DELETE with DeleteOptions, and exec's WebSocket, take HTTP/1.1 connections of their own.
    await kube.delete(ConfigMap, "h2-0", { propagationPolicy: "Background" });
    expect(gate.connections).toBe(2);
    await kube.close();
    await gate.close();
  }, 60_000);

  it("speaks HTTP/1.1 to a server without h2: watches get connections of their own, requests share the pool", async () => {
    const proxy = await new FaultProxy(server.url, server.caCertificate!).listen(); // node's https server: HTTP/1.1 only
    const gate = await TcpGate.forUrl(proxy.url).listen();
    const kube = await connectVia(server, gate.url, proxy.ca);
    await watchesAndRequests(kube, 10, "h1");
    expect(gate.connections).toBeGreaterThanOrEqual(10);
    await kube.close();
    await gate.close();
    await proxy.close();
  }, 60_000);

  it("keeps to HTTP/1.1 with http2: false", async () => {
    const kube = await server.connect({ http2: false });
    server.requests.length = 0;
    await kube.list(ConfigMap);
    expect(server.requests.some((r) => r.headers[":authority"] !== undefined)).toBe(false);
    await kube.close();
  });
});
