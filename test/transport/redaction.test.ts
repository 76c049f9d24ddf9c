import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTransport, defineCluster, type Transport } from "../../src/index.js";
import { REDACTED, redactBody, redactHeaders, redactValue } from "../../src/transport/public.js";
import { captureLogs, expectNoSecrets } from "./helpers/logs.js";
import { json, startServer, type TestServer } from "./helpers/servers.js";

const secret = { apiVersion: "v1", kind: "Secret", metadata: { name: "db", namespace: "d" }, type: "Opaque", data: { password: Buffer.from("S3CR3T-db").toString("base64") }, stringData: { user: "S3CR3T-user" } };

describe("redaction", () => {
  it("masks credential headers", () => {
    expect(redactHeaders({ Authorization: "Bearer S3CR3T", cookie: "a=S3CR3T", "proxy-authorization": "Basic S3CR3T", accept: "application/json" })).toEqual({
      Authorization: REDACTED,
      cookie: REDACTED,
      "proxy-authorization": REDACTED,
      accept: "application/json",
    });
  });

  it("masks Secret data in objects, lists, watch events and patches, keeping the keys", () => {
    expect(redactValue(secret)).toEqual({ ...secret, data: { password: REDACTED }, stringData: { user: REDACTED } });
    const list = { kind: "SecretList", apiVersion: "v1", metadata: {}, items: [{ metadata: { name: "a" }, data: { k: "S3CR3T" } }] };
    expect(redactValue(list)).toEqual({ ...list, items: [{ metadata: { name: "a" }, data: { k: REDACTED } }] });
    expect(redactValue({ type: "ADDED", object: secret })).toEqual({ type: "ADDED", object: { ...secret, data: { password: REDACTED }, stringData: { user: REDACTED } } });
    expect(redactValue([{ op: "replace", path: "/data/password", value: "S3CR3T" }], true)).toEqual([{ op: "replace", path: "/data/password", value: REDACTED }]);
    expect(redactValue({ data: { k: "S3CR3T" } }, true)).toEqual({ data: { k: REDACTED } });
    // ConfigMaps keep their data.
    expect(redactValue({ kind: "ConfigMap", data: { k: "v" } })).toEqual({ kind: "ConfigMap", data: { k: "v" } });
  });

  it("masks token, password and key fields anywhere", () => {
    const body = {
      kind: "TokenRequest",
      status: { token: "S3CR3T-jwt", expirationTimestamp: "2030-01-01T00:00:00Z" },
      spec: { audiences: ["api"] },
      users: [{ user: { "client-key-data": "S3CR3T", "id-token": "S3CR3T", "refresh-token": "S3CR3T", password: "S3CR3T", username: "bob" } }],
      volumes: [{ projected: { sources: [{ serviceAccountToken: { path: "token", expirationSeconds: 3600 } }] }, secret: { secretName: "x" } }],
      automountServiceAccountToken: true,
      metadata: { continue: "abc" },
    };
    const out = JSON.stringify(redactValue(body));
    expect(out).not.toContain("S3CR3T");
    expect(out).toContain('"username":"bob"');
    expect(out).toContain('"serviceAccountToken":{"path":"token","expirationSeconds":3600}');
    expect(out).toContain('"secretName":"x"');
    expect(out).toContain('"continue":"abc"');
  });

  it("summarises bodies it cannot read safely", () => {
    expect(redactBody(Buffer.from("apiVersion: v1\nkind: Secret\ndata: {a: S3CR3T}"), "application/apply-patch+yaml", "/api/v1/namespaces/d/secrets/s")).toBe("[45 characters of application/apply-patch+yaml]");
    expect(redactBody("hello", "text/plain", "/api/v1/namespaces/d/secrets/s")).toBe("[5 characters of text/plain]");
    expect(redactBody("x".repeat(5000), "text/plain", "/api/v1/namespaces/d/pods/p/log")).toMatch(/… \(904 more characters\)$/);
    expect(redactBody("{not json", "application/json", "/x")).toBe("[9 characters of unparsable JSON]");
  });
});

describe("logs of a whole session hold no secret", () => {
  const logs = captureLogs();
  let server: TestServer;
  let transport: Transport;
  beforeAll(async () => {
    server = await startServer((req, res) => {
      if (req.url?.includes("/secrets")) return json(res, req.method === "POST" ? 201 : 200, req.method === "GET" ? { kind: "SecretList", apiVersion: "v1", metadata: {}, items: [secret] } : secret);
      if (req.url?.includes("/token")) return json(res, 201, { kind: "TokenRequest", apiVersion: "authentication.k8s.io/v1", status: { token: "S3CR3T-issued" } });
      json(res, 403, { kind: "Status", status: "Failure", reason: "Forbidden", code: 403, message: "forbidden" });
    });
    transport = createTransport(defineCluster({ server: server.url, token: "S3CR3T-bearer", impersonate: { user: "jane" } }), { log: logs.log });
  });
  afterAll(async () => {
    await transport.close();
    await server.close();
  });

  it("creates, reads, patches Secrets and tokens with every log switch on", async () => {
    await transport.request({ method: "POST", path: "/api/v1/namespaces/d/secrets", body: secret });
    await transport.request({ path: "/api/v1/namespaces/d/secrets" });
    await transport.request({ method: "PATCH", path: "/api/v1/namespaces/d/secrets/db", body: [{ op: "replace", path: "/data/password", value: "UzNDUjNU" }], contentType: "application/json-patch+json" });
    await transport.request({ method: "PATCH", path: "/api/v1/namespaces/d/secrets/db", body: "stringData:\n  user: S3CR3T-yaml\n", contentType: "application/apply-patch+yaml" });
    await transport.request({ method: "POST", path: "/api/v1/namespaces/d/serviceaccounts/sa/token", body: { spec: { audiences: ["x"] } } });
    await transport.request({ path: "/api/v1/namespaces/d/pods", returnErrors: [403] });
    const text = logs.text();
    expect(logs.entries.length).toBe(6);
    expect(text).toContain("/api/v1/namespaces/d/secrets");
    expectNoSecrets(text, ["UzNDUjNU", Buffer.from("S3CR3T-db").toString("base64")]);
  });
});
