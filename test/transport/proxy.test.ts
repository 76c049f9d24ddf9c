import { networkInterfaces } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTransport, defineCluster, KubeError, resolveCluster, type Transport } from "../../src/index.js";
import { hasOpenssl, needsOpenssl, testCerts } from "./helpers/certs.js";
import { captureLogs, expectNoSecrets } from "./helpers/logs.js";
import { json, startProxy, startServer, startSocksProxy, transportTracker, type TestProxy, type TestServer } from "./helpers/servers.js";

/** A non-loopback IPv4 address of this machine: environment proxies never apply to loopback (as in Go). */
const lanAddress = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === "IPv4" && !a.internal)?.address;
const needsLan = lanAddress ? "" : " [skipped: no non-loopback IPv4 interface]";

const logs = captureLogs();
let https: TestServer;
let http: TestServer;
let proxy: TestProxy;
const transports = transportTracker<Transport>();
const transport = transports.track;

beforeAll(async () => {
  if (!hasOpenssl) return;
  const certs = testCerts();
  https = await startServer((req, res) => json(res, 200, { path: req.url }), { tls: { cert: certs.serverCert, key: certs.serverKey }, host: "0.0.0.0" });
  http = await startServer((req, res) => json(res, 200, { path: req.url }));
  // The proxy dials kube.test (which does not resolve) on loopback.
  proxy = await startProxy((host) => (host === "kube.test" ? "127.0.0.1" : host));
});
afterAll(async () => {
  await transports.closeAll();
  await Promise.all([https?.close(), http?.close(), proxy?.close()]);
  expectNoSecrets(logs.text(), ["proxy-S3CR3T"]);
});

describe("proxies" + needsOpenssl, () => {
  it.runIf(hasOpenssl)("tunnels HTTPS through the kubeconfig proxy-url, even to loopback, keeping the server's TLS", async () => {
    const cluster = await resolveCluster({
      kubeconfig: {
        "current-context": "c",
        contexts: [{ name: "c", context: { cluster: "c" } }],
        clusters: [{ name: "c", cluster: { server: `https://127.0.0.1:${https.port}`, "certificate-authority-data": Buffer.from(testCerts().ca).toString("base64"), "proxy-url": proxy.url } }],
      },
      env: { NO_PROXY: "*" }, // proxy-url ignores NO_PROXY, like kubectl
    });
    const before = proxy.seen.length;
    const t = transport(createTransport(cluster, { log: logs.log }));
    expect((await t.request({ path: "/api", query: { a: "1" } })).json()).toEqual({ path: "/api?a=1" });
    const watch = await t.stream({ path: "/api/v1/pods", query: { watch: true } });
    for await (const chunk of watch.body) expect(Buffer.from(chunk).toString()).toContain("watch=true");
    expect(proxy.seen.slice(before)).toEqual([`127.0.0.1:${https.port}`, `127.0.0.1:${https.port}`]);
  });

  it.runIf(hasOpenssl)("sends plain HTTP through an HTTP proxy in absolute form, with the proxy's credentials", async () => {
    const url = new URL(proxy.url);
    url.username = "kube";
    url.password = "proxy-S3CR3T";
    const before = proxy.seen.length;
    const t = transport(createTransport(defineCluster({ server: http.url, proxyUrl: url.toString() }), { log: logs.log }));
    expect((await t.request({ path: "/version" })).status).toBe(200);
    expect(proxy.seen.slice(before)).toEqual([`${http.url}/version`]);
    expect(proxy.auth.at(-1)).toBe(`Basic ${Buffer.from("kube:proxy-S3CR3T").toString("base64")}`);
  });

  it.runIf(hasOpenssl)("uses HTTPS_PROXY for a host name, and NO_PROXY domain suffixes bypass it", async () => {
    const ca = testCerts().ca;
    const server = `https://kube.test:${https.port}`;
    const before = proxy.seen.length;
    const viaProxy = transport(createTransport(defineCluster({ server, ca, env: { HTTPS_PROXY: proxy.url, NO_PROXY: "example.com" } }), { log: logs.log }));
    expect((await viaProxy.request({ path: "/api" })).status).toBe(200);
    expect(proxy.seen.slice(before)).toEqual([`kube.test:${https.port}`]);
    // Bypassed: the client connects directly and kube.test does not resolve.
    const direct = transport(createTransport(defineCluster({ server, ca, env: { HTTPS_PROXY: proxy.url, NO_PROXY: "example.com,.test" } }), { log: logs.log, retry: false }));
    const err = await direct.request({ path: "/api", timeoutMs: 5000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeError);
    expect(proxy.seen.length).toBe(before + 1);
    logs.note(err);
  });

  it.runIf(hasOpenssl && lanAddress !== undefined)("uses HTTPS_PROXY for a LAN address, and a NO_PROXY CIDR or IP bypasses it" + needsLan, async () => {
    const ca = testCerts().ca;
    const server = `https://${lanAddress}:${https.port}`;
    const cluster = (noProxy: string) => defineCluster({ server, ca, tlsServerName: "kube.test", env: { https_proxy: proxy.url, no_proxy: noProxy } });
    let before = proxy.seen.length;
    expect((await transport(createTransport(cluster("10.0.0.0/8"), { log: logs.log })).request({ path: "/api" })).status).toBe(200);
    expect(proxy.seen.slice(before)).toEqual([`${lanAddress}:${https.port}`]);
    const prefix = lanAddress!.split(".").slice(0, 2).join(".");
    for (const noProxy of [`${prefix}.0.0/16`, `${lanAddress}`, `${lanAddress}:${https.port}`]) {
      before = proxy.seen.length;
      expect((await transport(createTransport(cluster(noProxy), { log: logs.log })).request({ path: "/api" })).status).toBe(200);
      expect(proxy.seen.length).toBe(before);
    }
  });

  it.runIf(hasOpenssl)("tunnels through an https:// proxy, verified with the cluster's CA (as kubectl does)", async () => {
    const certs = testCerts();
    const secure = await startProxy(undefined, { cert: certs.serverCert, key: certs.serverKey });
    try {
      const t = transport(createTransport(defineCluster({ server: `https://127.0.0.1:${https.port}`, ca: certs.ca, proxyUrl: secure.url }), { log: logs.log }));
      expect((await t.request({ path: "/api" })).status).toBe(200);
      expect(secure.seen).toEqual([`127.0.0.1:${https.port}`]);
    } finally {
      await secure.close();
    }
  });

  it.runIf(hasOpenssl)("goes through a socks5:// proxy-url", async () => {
    const socks = await startSocksProxy();
    try {
      const t = transport(createTransport(defineCluster({ server: `https://127.0.0.1:${https.port}`, ca: testCerts().ca, proxyUrl: socks.url }), { log: logs.log }));
      expect((await t.request({ path: "/api" })).json()).toEqual({ path: "/api" });
      expect(socks.seen).toEqual([`127.0.0.1:${https.port}`]);
    } finally {
      await socks.close();
    }
  });

  it.runIf(hasOpenssl)("never sends loopback requests through environment proxies", async () => {
    const before = proxy.seen.length;
    const t = transport(createTransport(defineCluster({ server: http.url, env: { HTTP_PROXY: proxy.url } }), { log: logs.log }));
    expect((await t.request({ path: "/version" })).status).toBe(200);
    expect(proxy.seen.length).toBe(before);
  });
});
