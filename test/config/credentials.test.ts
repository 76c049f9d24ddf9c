import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringifyYaml as stringify } from "../../src/yaml/text.js";
import { ConfigError, createTransport, resolveCluster, TimeoutError, UnauthorizedError, type ResolveClusterOptions, type Transport } from "../../src/index.js";
import { parseKubeConfig, type KubeConfig } from "../../src/config/public.js";
import { hasOpenssl, needsOpenssl, testCerts, type TestCerts } from "../transport/helpers/certs.js";
import { captureLogs, expectNoSecrets, keyMaterial } from "../transport/helpers/logs.js";
import { json, startServer, status, type TestServer } from "../transport/helpers/servers.js";

const dir = mkdtempSync(join(tmpdir(), "kubezod-creds-"));
const logs = captureLogs();
let certs: TestCerts;
let server: TestServer;
const transports: Transport[] = [];

/** The server accepts any credential unless a test installs a stricter handler. */
function echo(): void {
  server.handle((req, res) => json(res, 200, { kind: "Status", status: "Success" }));
}

beforeAll(async () => {
  if (!hasOpenssl) return;
  certs = testCerts();
  server = await startServer(() => undefined, { tls: { cert: certs.serverCert, key: certs.serverKey, ca: certs.ca, requestCert: true } });
  echo();
});

afterAll(async () => {
  await Promise.all(transports.map((t) => t.close()));
  await server?.close();
  expectNoSecrets(logs.text(), certs ? keyMaterial(certs.clientKey, certs.execKey) : []);
});

let fileCount = 0;
/** Write a kubeconfig for the test server with one user; returns its path. */
function kubeconfig(user: Record<string, unknown>, extra: { cluster?: Record<string, unknown> } = {}): string {
  const cfg: KubeConfig = {
    apiVersion: "v1",
    kind: "Config",
    "current-context": "test",
    contexts: [{ name: "test", context: { cluster: "local", user: "me", namespace: "team" } }],
    clusters: [{ name: "local", cluster: { server: server.url, "certificate-authority-data": Buffer.from(certs.ca).toString("base64"), ...extra.cluster } }],
    users: [{ name: "me", user }],
  };
  const file = join(dir, `kubeconfig-${++fileCount}.yaml`);
  writeFileSync(file, `# kubeconfig for a test\n${stringify(cfg)}`);
  return file;
}

async function connect(file: string, options: ResolveClusterOptions = {}): Promise<Transport> {
  const t = createTransport(await resolveCluster({ kubeconfig: file, ...options }), { log: logs.log, retry: false });
  transports.push(t);
  return t;
}

async function get(t: Transport, path = "/api/v1/namespaces/team/pods"): Promise<void> {
  await t.request({ path });
}

function last(): TestServer["requests"][number] {
  return server.requests[server.requests.length - 1]!;
}

async function expectConfigError(run: () => Promise<unknown>, ...patterns: RegExp[]): Promise<string> {
  const err = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigError);
  for (const p of patterns) expect((err as Error).message).toMatch(p);
  logs.note(err);
  return (err as Error).message;
}

describe("static credentials" + needsOpenssl, () => {
  it.runIf(hasOpenssl)("sends a bearer token", async () => {
    await get(await connect(kubeconfig({ token: "S3CR3T-static" })));
    expect(last().headers.authorization).toBe("Bearer S3CR3T-static");
  });

  it.runIf(hasOpenssl)("sends basic auth", async () => {
    await get(await connect(kubeconfig({ username: "admin", password: "S3CR3T-pw" })));
    expect(last().headers.authorization).toBe(`Basic ${Buffer.from("admin:S3CR3T-pw").toString("base64")}`);
  });

  it.runIf(hasOpenssl)("presents a client certificate from files or data, verified by the server", async () => {
    await get(await connect(kubeconfig({ "client-certificate": certs.clientCertFile, "client-key": certs.clientKeyFile })));
    expect(last().clientCN).toBe("alice");
    expect(last().headers.authorization).toBeUndefined();
    await get(await connect(kubeconfig({ "client-certificate-data": Buffer.from(certs.clientCert).toString("base64"), "client-key-data": Buffer.from(certs.clientKey).toString("base64") })));
    expect(last().clientCN).toBe("alice");
  });

  it.runIf(hasOpenssl)("re-reads client certificate files as they rotate", async () => {
    const certFile = join(dir, "rotating.crt");
    const keyFile = join(dir, "rotating.key");
    writeFileSync(certFile, certs.clientCert);
    writeFileSync(keyFile, certs.clientKey);
    let clock = 0;
    const t = await connect(kubeconfig({ "client-certificate": certFile, "client-key": keyFile }), { now: () => clock });
    await get(t);
    expect(last().clientCN).toBe("alice");
    writeFileSync(certFile, certs.execCert);
    writeFileSync(keyFile, certs.execKey);
    await get(t);
    expect(last().clientCN).toBe("alice");
    clock += 5 * 60_000;
    await get(t);
    expect(last().clientCN).toBe("exec-user");
  });

  it.runIf(hasOpenssl)("sends impersonation headers (several groups, uid, extra)", async () => {
    await get(
      await connect(
        kubeconfig({ token: "S3CR3T-imp", as: "jane", "as-uid": "1234", "as-groups": ["devs", "qa"], "as-user-extra": { "scopes.example.com/team": ["view", "edit"], reason: ["on-call"] } }),
      ),
    );
    const raw = last().rawHeaders;
    const values = (name: string) => raw.filter((_, i) => i % 2 === 0 && raw[i]!.toLowerCase() === name).map((n) => raw[raw.indexOf(n) + 1]);
    const all = (name: string) => raw.flatMap((v, i) => (i % 2 === 0 && v.toLowerCase() === name ? [raw[i + 1]!] : []));
    expect(values("impersonate-user")).toEqual(["jane"]);
    expect(all("impersonate-uid")).toEqual(["1234"]);
    expect(all("impersonate-group")).toEqual(["devs", "qa"]);
    expect(all("impersonate-extra-scopes.example.com%2fteam")).toEqual(["view", "edit"]);
    expect(all("impersonate-extra-reason")).toEqual(["on-call"]);
  });
});

describe("token files" + needsOpenssl, () => {
  it.runIf(hasOpenssl)("re-reads the file as it rotates, and after a 401 retries exactly once", async () => {
    const tokenPath = join(dir, "token");
    writeFileSync(tokenPath, "S3CR3T-file-1\n");
    let clock = 1_000_000;
    const t = await connect(kubeconfig({ tokenFile: tokenPath }), { now: () => clock });
    await get(t);
    expect(last().headers.authorization).toBe("Bearer S3CR3T-file-1");
    writeFileSync(tokenPath, "S3CR3T-file-2\n");
    await get(t);
    expect(last().headers.authorization).toBe("Bearer S3CR3T-file-1"); // cached for a minute, like client-go
    clock += 61_000;
    await get(t);
    expect(last().headers.authorization).toBe("Bearer S3CR3T-file-2");

    // The server now only accepts -3; the file is rotated without the clock moving: the 401 re-reads it.
    server.handle((req, res) =>
      req.headers.authorization === "Bearer S3CR3T-file-3" ? json(res, 200, {}) : json(res, 401, status(401, "Unauthorized", "Unauthorized")),
    );
    writeFileSync(tokenPath, "S3CR3T-file-3\n");
    const before = server.requests.length;
    await get(t);
    expect(server.requests.slice(before).map((r) => r.headers.authorization)).toEqual(["Bearer S3CR3T-file-2", "Bearer S3CR3T-file-3"]);

    // Still rejected after the refresh: exactly one retry, then the 401 surfaces.
    writeFileSync(tokenPath, "S3CR3T-file-4\n");
    server.handle((req, res) => json(res, 401, status(401, "Unauthorized", "Unauthorized")));
    const n = server.requests.length;
    const err = await t.request({ path: "/api/v1/pods" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnauthorizedError);
    expect(server.requests.length - n).toBe(2);
    echo();
  });
});

describe("exec credential plugins" + needsOpenssl, () => {
  let plugin: string;
  let state: string;
  let n = 0;
  beforeAll(() => {
    if (!hasOpenssl) return;
    plugin = join(dir, "bin", "exec-plugin.sh");
    mkdirSync(join(dir, "bin"), { recursive: true });
    copyFileSync(fileURLToPath(new URL("./fixtures/exec-plugin.sh", import.meta.url)), plugin);
    chmodSync(plugin, 0o755);
  });
  function freshState(): string {
    state = mkdtempSync(join(dir, `state-${++n}-`));
    return state;
  }
  const runs = () => Number(existsSync(join(state, "count")) ? readFileSync(join(state, "count"), "utf8").trim() : 0);
  const execInfo = (run: number) => JSON.parse(readFileSync(join(state, `exec-info-${run}.json`), "utf8")) as { apiVersion: string; spec: { interactive: boolean; cluster?: Record<string, unknown> } };
  function execUser(env: Record<string, string>, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      exec: {
        apiVersion: "client.authentication.k8s.io/v1",
        // relative to the kubeconfig's directory, as kubectl resolves it
        command: "./bin/exec-plugin.sh",
        args: ["S3CR3T-exec"],
        env: Object.entries({ PLUGIN_STATE: state, ...env }).map(([name, value]) => ({ name, value })),
        interactiveMode: "Never",
        ...extra,
      },
    };
  }

  for (const apiVersion of ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"]) {
    it.runIf(hasOpenssl)(`${apiVersion}: runs the plugin with args, env and cluster info, reuses it until it expires`, async () => {
      freshState();
      const stderr = new PassThrough();
      let stderrText = "";
      stderr.on("data", (d: Buffer) => (stderrText += d.toString()));
      let clock = Date.parse("2030-01-01T00:00:00Z");
      const file = kubeconfig(
        execUser({ PLUGIN_EXPIRY: "2030-01-01T01:00:00Z", PLUGIN_API_VERSION: apiVersion }, { apiVersion, provideClusterInfo: true, ...(apiVersion.endsWith("v1beta1") ? { interactiveMode: undefined } : {}) }),
        { cluster: { extensions: [{ name: "client.authentication.k8s.io/exec", extension: { audience: "kubezod-tests" } }] } },
      );
      const t = await connect(file, { exec: { stderr }, now: () => clock });
      await get(t);
      await get(t);
      expect(runs()).toBe(1);
      expect(last().headers.authorization).toBe("Bearer S3CR3T-exec-1");
      const info = execInfo(1);
      expect(info).toMatchObject({ kind: "ExecCredential", apiVersion, spec: { interactive: false } });
      expect(info.spec.cluster).toEqual({
        server: server.url,
        "certificate-authority-data": Buffer.from(certs.ca).toString("base64"),
        config: { audience: "kubezod-tests" },
      });
      expect(readFileSync(join(state, "args-1"), "utf8").trim()).toBe("S3CR3T-exec");
      expect(stderrText).toContain("exec plugin: run 1");

      clock = Date.parse("2030-01-01T01:00:01Z"); // past expirationTimestamp: the plugin runs again
      await get(t);
      expect(runs()).toBe(2);
      expect(last().headers.authorization).toBe("Bearer S3CR3T-exec-2");
      logs.note(stderrText);
    });
  }

  it.runIf(hasOpenssl)("re-runs the plugin on 401 and retries exactly once", async () => {
    freshState();
    const t = await connect(kubeconfig(execUser({})), { exec: { stderr: new PassThrough() } });
    server.handle((req, res) => (req.headers.authorization === "Bearer S3CR3T-exec-2" ? json(res, 200, {}) : json(res, 401, status(401, "Unauthorized", "Unauthorized"))));
    const before = server.requests.length;
    await get(t);
    expect(runs()).toBe(2);
    expect(server.requests.slice(before).map((r) => r.headers.authorization)).toEqual(["Bearer S3CR3T-exec-1", "Bearer S3CR3T-exec-2"]);
    // No cluster info without provideClusterInfo.
    expect(execInfo(1).spec).toEqual({ interactive: false });
    echo();
  });

  it.runIf(hasOpenssl)("runs concurrent first requests through one plugin run", async () => {
    freshState();
    const t = await connect(kubeconfig(execUser({})), { exec: { stderr: new PassThrough() } });
    await Promise.all([get(t), get(t), get(t), get(t)]);
    expect(runs()).toBe(1);
  });

  it.runIf(hasOpenssl)("presents the client certificate the plugin returns, and new connections when it rotates", async () => {
    freshState();
    const certFile = join(dir, "exec.crt");
    const keyFile = join(dir, "exec.key");
    writeFileSync(certFile, certs.execCert);
    writeFileSync(keyFile, certs.execKey);
    let clock = Date.parse("2030-01-01T00:00:00Z");
    const t = await connect(kubeconfig(execUser({ PLUGIN_MODE: "cert", PLUGIN_CERT: certFile, PLUGIN_KEY: keyFile, PLUGIN_EXPIRY: "2030-01-01T00:10:00Z" })), {
      exec: { stderr: new PassThrough() },
      now: () => clock,
    });
    await get(t);
    expect(last().clientCN).toBe("exec-user");
    expect(last().headers.authorization).toBeUndefined();
    // The next run hands out another identity; the old keep-alive connection must not be reused.
    writeFileSync(certFile, certs.clientCert);
    writeFileSync(keyFile, certs.clientKey);
    clock = Date.parse("2030-01-01T00:10:01Z");
    await get(t);
    expect(runs()).toBe(2);
    expect(last().clientCN).toBe("alice");
  });

  it.runIf(hasOpenssl)("fails clearly: missing command with installHint, non-zero exit, invalid JSON, wrong version, no terminal", async () => {
    freshState();
    const quiet = { exec: { stderr: new PassThrough() } };
    const missing = kubeconfig({
      exec: { apiVersion: "client.authentication.k8s.io/v1", command: "kubezod-no-such-plugin", interactiveMode: "Never", installHint: "Install it with: brew install kubezod-no-such-plugin" },
    });
    await expectConfigError(async () => get(await connect(missing, quiet)), /user "me" in .*: exec plugin executable kubezod-no-such-plugin not found/, /Install it with: brew install/);
    await expectConfigError(async () => get(await connect(kubeconfig(execUser({ PLUGIN_MODE: "fail" })), quiet)), /exec-plugin\.sh failed with exit code 3/);
    const bad = await expectConfigError(async () => get(await connect(kubeconfig(execUser({ PLUGIN_MODE: "badjson" })), quiet)), /exec-plugin\.sh printed invalid JSON/);
    expect(bad).not.toContain("S3CR3T");
    await expectConfigError(async () => get(await connect(kubeconfig(execUser({ PLUGIN_MODE: "wrongversion" })), quiet)), /configured to use API version client\.authentication\.k8s\.io\/v1, plugin returned version client\.authentication\.k8s\.io\/v1alpha1/);
    const stdin = Object.assign(new PassThrough(), { isTTY: false });
    await expectConfigError(async () => get(await connect(kubeconfig(execUser({}, { interactiveMode: "Always" })), { exec: { stderr: new PassThrough(), stdin } })), /standard input is not a terminal/);
  });

  it.runIf(hasOpenssl)("does not let a slow plugin outlast the request's time limit", async () => {
    freshState();
    const t = await connect(kubeconfig(execUser({ PLUGIN_MODE: "slow" })), { exec: { stderr: new PassThrough() } });
    const err = await t.request({ path: "/api", timeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as Error).message).toMatch(/timed out after 300 ms/);
    logs.note(err);
  });

  it.runIf(hasOpenssl)("gives the plugin the terminal when interactive and stdin is one", async () => {
    freshState();
    const stdin = Object.assign(new PassThrough(), { isTTY: true });
    const t = await connect(kubeconfig(execUser({}, { interactiveMode: "IfAvailable" })), { exec: { stderr: new PassThrough(), stdin } });
    await get(t);
    expect(execInfo(1).spec.interactive).toBe(true);
  });
});

describe("OIDC auth-provider" + needsOpenssl, () => {
  let issuer: TestServer;
  let tokenRequests: Array<{ form: URLSearchParams; authorization: string | undefined }>;
  let nextId = 0;
  let rotateRefresh = true;
  let now = Date.parse("2030-06-01T00:00:00Z");
  const jwt = (exp: number, sub = "me") =>
    `${Buffer.from(JSON.stringify({ alg: "none" })).toString("base64url")}.${Buffer.from(JSON.stringify({ iss: "test", sub, exp: Math.floor(exp / 1000), n: ++nextId })).toString("base64url")}.S3CR3T-signature`;

  beforeAll(async () => {
    if (!hasOpenssl) return;
    tokenRequests = [];
    issuer = await startServer(
      (req, res) => {
        if (req.url === "/realms/k8s/.well-known/openid-configuration") return json(res, 200, { issuer: `${issuer.url}/realms/k8s`, token_endpoint: `${issuer.url}/realms/k8s/token` });
        if (req.url === "/realms/k8s/token" && req.method === "POST") {
          const form = new URLSearchParams(req.body);
          tokenRequests.push({ form, authorization: req.headers.authorization });
          if (form.get("refresh_token") === "S3CR3T-revoked") return json(res, 400, { error: "invalid_grant", error_description: "token revoked" });
          return json(res, 200, {
            access_token: "S3CR3T-access",
            token_type: "Bearer",
            id_token: jwt(now + 3600_000),
            ...(rotateRefresh ? { refresh_token: `S3CR3T-refresh-${tokenRequests.length + 1}` } : {}),
          });
        }
        json(res, 404, {});
      },
      { tls: { cert: certs.serverCert, key: certs.serverKey } },
    );
  });
  afterAll(async () => issuer?.close());

  function oidcUser(config: Record<string, string>): Record<string, unknown> {
    return {
      "auth-provider": {
        name: "oidc",
        config: {
          "idp-issuer-url": `${issuer.url}/realms/k8s`,
          "client-id": "kubernetes",
          "client-secret": "S3CR3T-client-secret",
          "idp-certificate-authority-data": Buffer.from(certs.ca).toString("base64"),
          ...config,
        },
      },
    };
  }

  it.runIf(hasOpenssl)("reuses a valid id-token without asking the issuer", async () => {
    const idToken = jwt(now + 600_000);
    const t = await connect(kubeconfig(oidcUser({ "id-token": idToken, "refresh-token": "S3CR3T-refresh-1" })), { now: () => now });
    const before = tokenRequests.length;
    await get(t);
    await get(t);
    expect(last().headers.authorization).toBe(`Bearer ${idToken}`);
    expect(tokenRequests.length).toBe(before);
  });

  it.runIf(hasOpenssl)("refreshes an expired id-token at the discovered token endpoint and persists the tokens", async () => {
    const stale = jwt(now - 1000);
    const file = kubeconfig(oidcUser({ "id-token": stale, "refresh-token": "S3CR3T-refresh-1" }));
    const t = await connect(file, { now: () => now });
    const before = tokenRequests.length;
    await get(t);
    expect(tokenRequests.length).toBe(before + 1);
    const req = tokenRequests[tokenRequests.length - 1]!;
    expect(req.form.get("grant_type")).toBe("refresh_token");
    expect(req.form.get("refresh_token")).toBe("S3CR3T-refresh-1");
    expect(req.authorization).toBe(`Basic ${Buffer.from("kubernetes:S3CR3T-client-secret").toString("base64")}`);
    const sent = last().headers.authorization!;
    expect(sent).not.toBe(`Bearer ${stale}`);
    // Written back like kubectl does (client-go rewrites the whole file: comments are not kept, values are).
    const text = readFileSync(file, "utf8");
    expect(parseKubeConfig(text, file).contexts?.[0]?.context?.namespace).toBe("team");
    expect(text).toContain(sent.slice("Bearer ".length));
    expect(text).toContain(`S3CR3T-refresh-${tokenRequests.length + 1}`);
    expect(text).not.toContain(stale);
    // The new token is now reused.
    await get(t);
    expect(tokenRequests.length).toBe(before + 1);
  });

  it.runIf(hasOpenssl)("leaves the file alone with persist: false", async () => {
    const file = kubeconfig(oidcUser({ "id-token": jwt(now - 1000), "refresh-token": "S3CR3T-refresh-1" }));
    const original = readFileSync(file, "utf8");
    await get(await connect(file, { now: () => now, oidc: { persist: false } }));
    expect(readFileSync(file, "utf8")).toBe(original);
  });

  it.runIf(hasOpenssl)("refreshes on 401 even before expiry, and retries once", async () => {
    const valid = jwt(now + 600_000);
    const t = await connect(kubeconfig(oidcUser({ "id-token": valid, "refresh-token": "S3CR3T-refresh-1" })), { now: () => now, oidc: { persist: false } });
    server.handle((req, res) => (req.headers.authorization === `Bearer ${valid}` ? json(res, 401, status(401, "Unauthorized", "Unauthorized")) : json(res, 200, {})));
    const before = server.requests.length;
    const tokensBefore = tokenRequests.length;
    await get(t);
    expect(tokenRequests.length).toBe(tokensBefore + 1);
    const sent = server.requests.slice(before).map((r) => r.headers.authorization);
    expect(sent).toHaveLength(2);
    expect(sent[0]).toBe(`Bearer ${valid}`);
    expect(sent[1]).not.toBe(`Bearer ${valid}`);
    echo();
  });

  it.runIf(hasOpenssl)("fails clearly without a refresh token or when the issuer refuses", async () => {
    await expectConfigError(
      async () => get(await connect(kubeconfig(oidcUser({ "id-token": jwt(now - 1000) })), { now: () => now })),
      /user "me" \(oidc auth-provider\): no valid id-token, and cannot refresh without refresh-token/,
    );
    const msg = await expectConfigError(
      async () => get(await connect(kubeconfig(oidcUser({ "id-token": jwt(now - 1000), "refresh-token": "S3CR3T-revoked" })), { now: () => now, oidc: { persist: false } })),
      /failed to refresh token at .*\/realms\/k8s\/token: HTTP 400: invalid_grant \(token revoked\)/,
    );
    expect(msg).not.toContain("S3CR3T");
  });
});
