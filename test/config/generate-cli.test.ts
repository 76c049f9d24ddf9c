import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringifyYaml as stringify } from "../../src/yaml/text.js";
import { runCli } from "../support/cli.js";
import { hasOpenssl, needsOpenssl, testCerts } from "../transport/helpers/certs.js";
import { json, startServer, status, type TestServer } from "../transport/helpers/servers.js";

const doc = readFileSync(fileURLToPath(new URL("./fixtures/openapi-v2.json", import.meta.url)), "utf8");

describe("kubezod generate --kubeconfig/--context" + needsOpenssl, () => {
  let server: TestServer;
  let kubeconfig: string;
  const dir = mkdtempSync(join(tmpdir(), "kubezod-generate-"));

  beforeAll(async () => {
    if (!hasOpenssl) return;
    const certs = testCerts();
    server = await startServer(
      (req, res) => {
        if (req.headers.authorization !== "Bearer S3CR3T-cli") return json(res, 401, status(401, "Unauthorized", "Unauthorized"));
        if (req.url === "/openapi/v2") return json(res, 200, JSON.parse(doc));
        json(res, 404, status(404, "NotFound", "not found"));
      },
      { tls: { cert: certs.serverCert, key: certs.serverKey } },
    );
    kubeconfig = join(dir, "kubeconfig");
    writeFileSync(
      kubeconfig,
      stringify({
        apiVersion: "v1",
        kind: "Config",
        "current-context": "wrong",
        contexts: [
          { name: "wrong", context: { cluster: "local", user: "nobody" } },
          { name: "test", context: { cluster: "local", user: "me" } },
        ],
        clusters: [{ name: "local", cluster: { server: server.url, "certificate-authority-data": Buffer.from(certs.ca).toString("base64") } }],
        users: [
          { name: "me", user: { token: "S3CR3T-cli" } },
          { name: "nobody", user: { token: "S3CR3T-wrong" } },
        ],
      }),
    );
  });
  afterAll(async () => server?.close());

  it.runIf(hasOpenssl)("fetches the OpenAPI document with the context's server, CA and token", async () => {
    const out = join(dir, "out");
    const r = await runCli(["generate", "--kubeconfig", kubeconfig, "--context", "test", "--openapi", "/openapi/v2", "--out", out]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(readFileSync(join(out, "example.io", "v1.ts"), "utf8")).toContain('kind: z.literal("Widget")');
  });

  it.runIf(hasOpenssl)("reports configuration and API errors without secrets", async () => {
    const unknown = await runCli(["generate", "--kubeconfig", kubeconfig, "--context", "prod", "--openapi", "/openapi/v2", "--out", join(dir, "x")]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/context "prod" not found in kubeconfig/);
    const rejected = await runCli(["generate", "--kubeconfig", kubeconfig, "--openapi", "/openapi/v2", "--out", join(dir, "y")]);
    expect(rejected.code).toBe(1);
    expect(rejected.stderr).toMatch(/Unauthorized \(GET https:\/\/127\.0\.0\.1:\d+\/openapi\/v2\)/);
    const mixed = await runCli(["generate", "--kubeconfig", kubeconfig, "--token", "x", "--openapi", "/openapi/v2", "--out", join(dir, "z")]);
    expect(mixed.code).toBe(2);
    for (const r of [unknown, rejected, mixed]) expect(r.stderr + r.stdout).not.toContain("S3CR3T");
    expect(existsSync(join(dir, "x"))).toBe(false);
  });
});
