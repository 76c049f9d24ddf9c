/**
 * Credential sources that misbehave: exec plugins printing fields of the wrong type (client-go's
 * decoder refuses them), a token that cannot be an Authorization header, a malformed
 * expirationTimestamp, megabytes of output (stopped at the limit), a plugin that never finishes
 * (stopped by the opt-in timeout); a token file that disappears or empties mid-rotation (the
 * token in hand is kept, as client-go's cachingTokenSource keeps it); an OIDC issuer answering
 * JSON that is not an object, megabytes, or an id_token with a line break. Errors never quote
 * what the plugin or issuer sent.
 */
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/index.js";
import { execCredentials, MAX_EXEC_OUTPUT_BYTES, type ExecOptions } from "../../src/config/exec.js";
import { bearerToken, tokenFile } from "../../src/config/credentials.js";
import { oidcCredentials } from "../../src/config/oidc.js";
import { startServer } from "../transport/helpers/servers.js";

const dir = mkdtempSync(join(tmpdir(), "kubezod-hostile-creds-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const V1 = "client.authentication.k8s.io/v1";

/** A provider running `sh -c script`. */
function plugin(script: string, options: ExecOptions = {}) {
  return execCredentials({ apiVersion: V1, command: "sh", args: ["-c", script], interactiveMode: "Never" }, undefined, { stderr: new PassThrough(), ...options }, 'user "u"');
}

/** A plugin printing this ExecCredential status. */
const printing = (status: unknown) => plugin(`cat <<'EOF'\n${JSON.stringify({ apiVersion: V1, kind: "ExecCredential", status })}\nEOF`);

async function configError(run: () => unknown): Promise<string> {
  const err = await Promise.resolve()
    .then(run)
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(err).toBeInstanceOf(ConfigError);
  const message = (err as Error).message;
  expect(message).not.toContain("S3CR3T");
  return message;
}

describe("exec plugin answers with wrong types", () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ["a token that is an object", { token: { S3CR3T: 1 } }, /status\.token that is not a string \(object\)/],
    ["a token that is a number", { token: 12345 }, /status\.token that is not a string \(number\)/],
    ["certificate data that are numbers", { clientCertificateData: 5, clientKeyData: 6 }, /status\.clientCertificateData that is not a string \(number\)/],
    ["a key that is a list", { clientCertificateData: "x", clientKeyData: ["S3CR3T"] }, /status\.clientKeyData that is not a string \(a list\)/],
    ["an expirationTimestamp that is a number", { token: "S3CR3T", expirationTimestamp: 5 }, /status\.expirationTimestamp that is not a string \(number\)/],
    ["an expirationTimestamp that is not RFC 3339", { token: "S3CR3T", expirationTimestamp: "5" }, /unparsable expirationTimestamp/],
    ["a status that is a list", [], /didn't return a status field/],
    ["a token with a line break", { token: "S3CR3T\r\nX-Injected: 1" }, /exec plugin sh: the token contains control characters/],
  ];
  for (const [name, status, message] of cases) {
    it(`${name}: ConfigError naming the user and plugin, not the value`, async () => {
      const text = await configError(() => printing(status).get());
      expect(text).toMatch(/^user "u": exec plugin sh[: ]/);
      expect(text).toMatch(message);
    });
  }

  it("null fields read as absent, and a well-typed answer is used", async () => {
    const creds = await printing({ token: "S3CR3T-ok", clientCertificateData: null, clientKeyData: null, expirationTimestamp: "2999-01-01T00:00:00Z" }).get();
    expect(creds.authorization).toBe("Bearer S3CR3T-ok");
  });
});

describe("exec plugins that run away", () => {
  it(`output over ${MAX_EXEC_OUTPUT_BYTES} bytes stops the plugin and fails`, async () => {
    const text = await configError(() => plugin("while :; do printf '%01024d' 0; done").get());
    expect(text).toMatch(/printed more than 4194304 bytes, and was stopped/);
  });

  it("a plugin that never finishes is stopped by timeoutMs when set", async () => {
    const text = await configError(() => plugin("exec sleep 30", { timeoutMs: 200 }).get());
    expect(text).toMatch(/did not finish within 200 ms, and was stopped/);
  });

  it("an expired ExecCredential is used for the call, and the plugin runs again on the next", async () => {
    const count = join(dir, "expired-count");
    writeFileSync(count, "");
    const p = plugin(`echo x >> ${count}; echo '{"apiVersion":"${V1}","kind":"ExecCredential","status":{"token":"S3CR3T-old","expirationTimestamp":"2001-01-01T00:00:00Z"}}'`);
    expect((await p.get()).authorization).toBe("Bearer S3CR3T-old");
    await p.get();
    expect((await import("node:fs")).readFileSync(count, "utf8").trim().split("\n")).toHaveLength(2);
  });
});

describe("token files", () => {
  it("a file that disappears or empties mid-rotation keeps the token in hand; the next read after it reappears picks up the new one", () => {
    const path = join(dir, "token");
    writeFileSync(path, "S3CR3T-1\n");
    let clock = 0;
    const p = tokenFile(path, { now: () => clock, what: 'user "u"' });
    expect((p.get() as { authorization?: string }).authorization).toBe("Bearer S3CR3T-1");
    unlinkSync(path);
    clock += 61_000;
    expect((p.get() as { authorization?: string }).authorization).toBe("Bearer S3CR3T-1");
    writeFileSync(path, "  \n");
    expect((p.get() as { authorization?: string }).authorization).toBe("Bearer S3CR3T-1");
    writeFileSync(path, "S3CR3T-2\n");
    expect((p.get() as { authorization?: string }).authorization).toBe("Bearer S3CR3T-2");
  });

  it("a token with a line break (from a file, the kubeconfig or the caller) is a ConfigError naming its source, not the token", async () => {
    const path = join(dir, "token-crlf");
    writeFileSync(path, "S3CR3T\r\nX-Injected: 1\n");
    expect(await configError(() => tokenFile(path, { what: 'user "u" tokenFile' }).get())).toMatch(/^user "u" tokenFile: .*token-crlf: the token contains control characters/);
    expect(await configError(() => bearerToken("S3CR3T\nX: 1", 'user "u" token'))).toMatch(/^user "u" token: the token contains control characters/);
  });

  it("a file missing at the first read is a ConfigError naming it", async () => {
    const path = join(dir, "never-there");
    const text = await configError(() => tokenFile(path, { what: 'user "u"' }).get());
    expect(text).toContain(path);
  });
});

describe("OIDC issuers that misbehave", () => {
  it("a discovery document or token answer that is not an object, a body over 1 MiB, or an id_token with a line break is a ConfigError", async () => {
    let discovery = "null";
    let token = "null";
    const issuer = await startServer((req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      if (req.url.endsWith("/.well-known/openid-configuration")) res.end(discovery);
      else res.end(token);
    });
    try {
      const refresh = () => oidcCredentials({ "idp-issuer-url": issuer.url, "client-id": "k", "refresh-token": "S3CR3T-refresh" }, { user: "u" }, { persist: false }).get();
      expect(await configError(refresh)).toMatch(/openid-configuration did not return a JSON object/);
      discovery = "[1]";
      expect(await configError(refresh)).toMatch(/did not return a JSON object/);
      discovery = JSON.stringify({ token_endpoint: `${issuer.url}/token`, padding: "x".repeat(2 * 1024 * 1024) });
      expect(await configError(refresh)).toMatch(/answered more than 1048576 bytes/);
      discovery = JSON.stringify({ token_endpoint: `${issuer.url}/token` });
      expect(await configError(refresh)).toMatch(/the token endpoint .*\/token did not return a JSON object/);
      token = JSON.stringify({ id_token: "S3CR3T.a.b\r\nX-Injected: 1" });
      expect(await configError(refresh)).toMatch(/the id_token from .*\/token: the token contains control characters/);
    } finally {
      await issuer.close();
    }
  });
});
