import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConnectionError, createTransport, defineCluster, resolveCluster, type Transport } from "../../src/index.js";
import { clientCertificate } from "../../src/config/public.js";
import { hasOpenssl, needsOpenssl, testCerts } from "./helpers/certs.js";
import { captureLogs, expectNoSecrets, keyMaterial } from "./helpers/logs.js";
import { json, startServer, transportTracker, type TestServer } from "./helpers/servers.js";

const logs = captureLogs();
const serverTls = () => {
  const certs = testCerts();
  return { cert: certs.serverCert, key: certs.serverKey, ca: certs.ca };
};
let server: TestServer;
const transports = transportTracker<Transport>();
const transport = transports.track;

// Verifies client certificates against the CA, like the apiserver's --client-ca-file.
beforeAll(async () => {
  if (hasOpenssl) server = await startServer((req, res) => json(res, 200, { user: req.clientCN ?? null }), { tls: { ...serverTls(), requestCert: true } });
});
afterAll(async () => {
  await transports.closeAll();
  await server?.close();
  if (hasOpenssl) expectNoSecrets(logs.text(), keyMaterial(testCerts().clientKey));
});

describe("TLS" + needsOpenssl, () => {
  it.runIf(hasOpenssl)("verifies the server with the configured CA and presents the client certificate", async () => {
    const certs = testCerts();
    const t = transport(createTransport(defineCluster({ server: server.url, ca: certs.ca, credentials: clientCertificate({ cert: certs.clientCert, key: certs.clientKey }) }), { log: logs.log }));
    expect((await t.request({ path: "/api" })).json()).toEqual({ user: "alice" });
    expect(server.requests.at(-1)?.clientCN).toBe("alice");
  });

  it.runIf(hasOpenssl)("fails with a clear TLS error against the wrong CA, naming the server, without retrying", async () => {
    const t = transport(createTransport(defineCluster({ server: server.url, ca: testCerts().otherCa }), { log: logs.log }));
    const before = server.requests.length;
    const err = await t.request({ path: "/api" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    const e = err as ConnectionError;
    expect(e.server).toBe(server.url);
    expect(e.message).toMatch(new RegExp(`^TLS error connecting to ${server.url.replace(/[.]/g, "\\.")}: .*certificate`));
    expect(e.message).toMatch(/check certificate-authority/);
    expect(server.requests.length).toBe(before);
    logs.note(e);
  });

  it.runIf(hasOpenssl)("trusts nothing but the configured CA (the system roots do not know the test CA)", async () => {
    const t = transport(createTransport(defineCluster({ server: server.url }), { log: logs.log, retry: false }));
    await expect(t.request({ path: "/api" })).rejects.toThrow(/TLS error/);
  });

  it.runIf(hasOpenssl)("skips verification with insecure-skip-tls-verify", async () => {
    const t = transport(createTransport(defineCluster({ server: server.url, insecureSkipTlsVerify: true }), { log: logs.log }));
    expect((await t.request({ path: "/api" })).status).toBe(200);
  });

  it.runIf(hasOpenssl)("uses tls-server-name for SNI and verification when the address does not match the certificate", async () => {
    const certs = testCerts();
    // The certificate names localhost, kube.test and 127.0.0.1 but not 127.0.0.2.
    const other = await startServer((req, res) => json(res, 200, {}), { tls: { cert: certs.serverCert, key: certs.serverKey }, host: "127.0.0.2" }).catch(() => undefined);
    if (!other) return; // no 127.0.0.2 on this machine
    try {
      const plain = transport(createTransport(defineCluster({ server: other.url, ca: certs.ca }), { log: logs.log }));
      const err = await plain.request({ path: "/api" }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectionError);
      expect((err as Error).message).toMatch(/does not name this host.*tls-server-name/);
      logs.note(err);
      const named = await resolveCluster({
        kubeconfig: {
          "current-context": "c",
          contexts: [{ name: "c", context: { cluster: "c" } }],
          clusters: [{ name: "c", cluster: { server: other.url, "certificate-authority-data": Buffer.from(certs.ca).toString("base64"), "tls-server-name": "kube.test" } }],
        },
      });
      expect((await transport(createTransport(named, { log: logs.log })).request({ path: "/api" })).status).toBe(200);
    } finally {
      await other.close();
    }
  });

  it.runIf(hasOpenssl)("reports a server that wants a client certificate we do not have", async () => {
    const certs = testCerts();
    // rejectUnauthorized on the server side: only a verified client certificate may connect
    const { createServer } = await import("node:https");
    const s2 = createServer({ cert: certs.serverCert, key: certs.serverKey, ca: certs.ca, requestCert: true, rejectUnauthorized: true }, (_req, res) => res.end("{}"));
    await new Promise<void>((r) => s2.listen(0, "127.0.0.1", r));
    const port = (s2.address() as { port: number }).port;
    try {
      const t = transport(createTransport(defineCluster({ server: `https://127.0.0.1:${port}`, ca: certs.ca }), { log: logs.log, retry: false }));
      const err = await t.request({ path: "/api" }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectionError);
      logs.note(err);
    } finally {
      await new Promise<void>((r) => s2.close(() => r()));
    }
  });
});
