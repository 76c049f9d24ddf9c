import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, loadKubeConfig, resolveCluster } from "../../src/index.js";
import { kubeConfigView, parseKubeConfig, type KubeConfig } from "../../src/config/public.js";
import { captureLogs, expectNoSecrets } from "../transport/helpers/logs.js";
import { hasOpenssl, needsOpenssl, testCerts } from "../transport/helpers/certs.js";

const hasKubectl = (() => {
  try {
    execFileSync("kubectl", ["version", "--client", "-o", "json"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();
const needsKubectl = hasKubectl ? "" : " [skipped: kubectl is not installed]";

const root = mkdtempSync(join(tmpdir(), "kubezod-kubeconfig-"));
const seen = captureLogs();

function write(path: string, text: string): string {
  const file = join(root, path);
  mkdirSync(join(file, ".."), { recursive: true });
  writeFileSync(file, text);
  return file;
}

/** Expect a ConfigError whose message matches every pattern; returns it. */
async function configError(run: () => unknown, ...patterns: RegExp[]): Promise<ConfigError> {
  let caught: unknown;
  try {
    await run();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  for (const p of patterns) expect((caught as Error).message).toMatch(p);
  seen.note(caught);
  return caught as ConfigError;
}

const fileA = write(
  "merge/a.yaml",
  `apiVersion: v1
kind: Config
clusters:
- name: red
  cluster:
    server: https://a-red.example:6443
users:
- name: red-user
  user:
    token: S3CR3T-token-a
contexts:
- name: ctx-a
  context: {cluster: red, user: red-user, namespace: team-a}
`,
);
const fileB = write(
  "merge/b.yaml",
  `apiVersion: v1
kind: Config
current-context: ctx-b
preferences: {}
clusters:
- name: red
  cluster:
    server: https://b-red.example:6443
    insecure-skip-tls-verify: true
- name: blue
  cluster:
    server: https://b-blue.example:6443
    tls-server-name: blue.internal
    disable-compression: true
users:
- name: red-user
  user:
    username: bob
    password: S3CR3T-password-b
- name: blue-user
  user:
    token: S3CR3T-token-blue
contexts:
- name: ctx-b
  context: {cluster: blue, user: red-user}
- name: ctx-a
  context: {cluster: blue, user: blue-user, namespace: from-b}
`,
);
const fileC = write("merge/c.yaml", `apiVersion: v1\nkind: Config\ncurrent-context: ctx-a\n`);

afterAll(() => expectNoSecrets(seen.text()));

describe("KUBECONFIG merging", () => {
  it("lets the first file win whole map entries and current-context", () => {
    const cfg = loadKubeConfig({ env: { KUBECONFIG: [fileA, join(root, "missing.yaml"), fileB, fileC].join(":") } });
    expect(cfg.files).toEqual([fileA, fileB, fileC]);
    expect(cfg.currentContext).toBe("ctx-b");
    // red comes from a.yaml only: b.yaml's insecure-skip-tls-verify is dropped with the rest of its entry
    expect(cfg.clusters.get("red")?.value).toEqual({ server: "https://a-red.example:6443" });
    expect(cfg.clusters.get("red")?.file).toBe(fileA);
    expect(cfg.users.get("red-user")?.value).toEqual({ token: "S3CR3T-token-a" });
    expect(cfg.contexts.get("ctx-a")?.value.namespace).toBe("team-a");
    expect(cfg.clusters.get("blue")?.file).toBe(fileB);
  });

  it("matches kubectl config view on the same files" + needsKubectl, () => {
    if (!hasKubectl) return;
    for (const order of [[fileA, fileB, fileC], [fileC, fileB, fileA], [fileB, fileA]]) {
      const env = { ...process.env, KUBECONFIG: order.join(":") };
      const kubectl = JSON.parse(execFileSync("kubectl", ["config", "view", "--raw", "-o", "json"], { env, encoding: "utf8" })) as Record<string, unknown>;
      const ours = kubeConfigView(loadKubeConfig({ env: { KUBECONFIG: order.join(":") } }));
      expect(ours.clusters).toEqual(kubectl.clusters);
      expect(ours.users).toEqual(kubectl.users);
      expect(ours.contexts).toEqual(kubectl.contexts);
      expect(ours["current-context"]).toBe(kubectl["current-context"]);
    }
  });

  it("reads ~/.kube/config without KUBECONFIG, and an explicit path alone", () => {
    const home = join(root, "home");
    write("home/.kube/config", `apiVersion: v1\nkind: Config\ncurrent-context: home\ncontexts:\n- name: home\n  context: {cluster: h}\nclusters:\n- name: h\n  cluster: {server: "http://127.0.0.1:1"}\n`);
    expect(loadKubeConfig({ env: { HOME: home } }).currentContext).toBe("home");
    const explicit = loadKubeConfig({ kubeconfig: fileB, env: { KUBECONFIG: fileA, HOME: home } });
    expect(explicit.files).toEqual([fileB]);
    expect(explicit.clusters.get("red")?.value.server).toBe("https://b-red.example:6443");
  });

  it("merges a list of paths like KUBECONFIG and accepts an object", () => {
    expect(loadKubeConfig({ kubeconfig: [fileC, fileA] }).currentContext).toBe("ctx-a");
    const obj = loadKubeConfig({ kubeconfig: { "current-context": "x", contexts: [{ name: "x", context: { cluster: "c" } }] } });
    expect(obj.files).toEqual([]);
    expect(obj.contexts.get("x")?.value.cluster).toBe("c");
  });
});

describe("relative paths", () => {
  it("resolves file references against the directory of the file that defined them", () => {
    const one = write(
      "rel/one/config",
      `clusters:
- name: c1
  cluster: {server: "https://x", certificate-authority: certs/ca.crt}
users:
- name: u1
  user: {client-certificate: ../shared/u.crt, client-key: /abs/u.key, tokenFile: token}
- name: u2
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1, command: ./bin/plugin, interactiveMode: Never}
- name: u3
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1, command: plugin-on-path, interactiveMode: Never}
`,
    );
    const two = write("rel/two/config", `clusters:\n- name: c2\n  cluster: {server: "https://y", certificate-authority: ca.pem}\n`);
    const cfg = loadKubeConfig({ kubeconfig: [one, two] });
    expect(cfg.clusters.get("c1")?.value["certificate-authority"]).toBe(join(root, "rel/one/certs/ca.crt"));
    expect(cfg.clusters.get("c2")?.value["certificate-authority"]).toBe(join(root, "rel/two/ca.pem"));
    const u1 = cfg.users.get("u1")!.value;
    expect(u1["client-certificate"]).toBe(join(root, "rel/shared/u.crt"));
    expect(u1["client-key"]).toBe("/abs/u.key");
    expect(u1.tokenFile).toBe(join(root, "rel/one/token"));
    expect(cfg.users.get("u2")!.value.exec?.command).toBe(join(root, "rel/one/bin/plugin"));
    expect(cfg.users.get("u3")!.value.exec?.command).toBe("plugin-on-path");
  });

  it("uses the resolved CA file when connecting" + needsOpenssl, async () => {
    if (!hasOpenssl) return;
    const certs = testCerts();
    write("rel-ca/pki/ca.crt", certs.ca);
    const file = write(
      "rel-ca/config",
      `current-context: c\ncontexts:\n- name: c\n  context: {cluster: c}\nclusters:\n- name: c\n  cluster: {server: "https://127.0.0.1:6443", certificate-authority: pki/ca.crt}\n`,
    );
    const cluster = await resolveCluster({ kubeconfig: file, inCluster: false });
    expect(cluster.tls.ca).toBe(certs.ca);
  });
});

describe("contexts, clusters and namespaces", () => {
  it("uses the current context, or a named one, and its namespace", async () => {
    const env = { KUBECONFIG: `${fileA}:${fileB}` };
    const current = await resolveCluster({ env, inCluster: false });
    expect(current.origin).toMatchObject({ kind: "kubeconfig", context: "ctx-b", cluster: "blue", user: "red-user" });
    expect(current.server).toBe("https://b-blue.example:6443");
    expect(current.namespace).toBe("default");
    expect(current.tls.serverName).toBe("blue.internal");
    expect(current.disableCompression).toBe(true);
    // red-user is a.yaml's (a token), not b.yaml's basic-auth user of the same name
    expect(current.credentials.type).toBe("token");
    const named = await resolveCluster({ env, context: "ctx-a", inCluster: false });
    expect(named.server).toBe("https://a-red.example:6443");
    expect(named.namespace).toBe("team-a");
    expect(named.credentials.type).toBe("token");
    expect((await resolveCluster({ env, context: "ctx-a", namespace: "other", inCluster: false })).namespace).toBe("other");
  });

  it("overrides the context's cluster and user like kubectl --cluster/--user", async () => {
    const cluster = await resolveCluster({ kubeconfig: [fileA, fileB], context: "ctx-b", cluster: "red", user: "blue-user" });
    expect(cluster.server).toBe("https://a-red.example:6443");
    expect(cluster.credentials.type).toBe("token");
  });

  it("normalises server URLs like client-go", async () => {
    const cfg = (server: string, extra = ""): KubeConfig => ({
      "current-context": "c",
      contexts: [{ name: "c", context: { cluster: "c" } }],
      clusters: [{ name: "c", cluster: { server, ...(extra ? { "insecure-skip-tls-verify": true } : {}) } }],
    });
    expect((await resolveCluster({ kubeconfig: cfg("127.0.0.1:8080") })).server).toBe("http://127.0.0.1:8080");
    expect((await resolveCluster({ kubeconfig: cfg("10.0.0.1:6443", "tls") })).server).toBe("https://10.0.0.1:6443");
    expect((await resolveCluster({ kubeconfig: cfg("https://rancher.example/k8s/clusters/c-1/") })).server).toBe("https://rancher.example/k8s/clusters/c-1");
    expect((await resolveCluster({ kubeconfig: cfg("https://[fd00::1]:6443") })).server).toBe("https://[fd00::1]:6443");
  });

  it("keeps proxy-url and impersonation from the kubeconfig", async () => {
    const cluster = await resolveCluster({
      kubeconfig: {
        "current-context": "c",
        contexts: [{ name: "c", context: { cluster: "c", user: "u" } }],
        clusters: [{ name: "c", cluster: { server: "https://k.example", "proxy-url": "http://proxy.example:3128" } }],
        users: [{ name: "u", user: { token: "S3CR3T-t", as: "jane", "as-uid": "42", "as-groups": ["devs", "qa"], "as-user-extra": { "scopes.example.com/x": ["a", "b"] } } }],
      },
    });
    expect(cluster.proxy.url).toBe("http://proxy.example:3128");
    expect(cluster.impersonate).toEqual({ user: "jane", uid: "42", groups: ["devs", "qa"], extra: { "scopes.example.com/x": ["a", "b"] } });
  });
});

describe("bad configurations give one clear ConfigError", () => {
  it("a missing explicit file", async () => {
    await configError(() => loadKubeConfig({ kubeconfig: join(root, "nope.yaml") }), /kubeconfig .*nope\.yaml does not exist/);
  });

  it("malformed YAML, with file and line", async () => {
    const bad = write("bad/syntax.yaml", "apiVersion: v1\nkind: Config\nclusters: [ {name: a\n");
    await configError(() => loadKubeConfig({ kubeconfig: bad }), /syntax\.yaml:\d+:\d+: malformed YAML/);
    // A broken file in KUBECONFIG fails too (kubectl does the same), even after good ones.
    await configError(() => loadKubeConfig({ env: { KUBECONFIG: `${fileA}:${bad}` } }), /syntax\.yaml/);
  });

  it("a field of the wrong type, with its path and line (YAML 1.1: `y` is a boolean, as in kubectl)", async () => {
    const bad = write("bad/type.yaml", "apiVersion: v1\nkind: Config\nclusters:\n- name: a\n  cluster:\n    server: 42\ncurrent-context: y\n");
    await configError(() => parseKubeConfig(`current-context: y\n`, "inline"), /inline:1: current-context: .*string/);
    await configError(() => loadKubeConfig({ kubeconfig: bad }), /type\.yaml:6: clusters\[0\]\.cluster\.server/);
  });

  it("duplicate names in one file", async () => {
    await configError(() => parseKubeConfig("clusters:\n- name: a\n- name: a\n", "dup.yaml"), /dup\.yaml: duplicate name "a" in clusters/);
  });

  it("an unknown context, listing the ones that exist", async () => {
    await configError(() => resolveCluster({ kubeconfig: [fileA, fileB], context: "prod" }), /context "prod" not found/, /"ctx-a", "ctx-b"/);
  });

  it("a context naming a missing cluster or user", async () => {
    const file = write("bad/refs.yaml", "contexts:\n- name: ctx1\n  context: {cluster: ghost, user: nobody}\n- name: ctx2\n  context: {cluster: real, user: nobody}\nclusters:\n- name: real\n  cluster: {server: http://127.0.0.1:1}\n");
    await configError(() => resolveCluster({ kubeconfig: file, context: "ctx1" }), /cluster "ghost" of context "ctx1" not found/);
    await configError(() => resolveCluster({ kubeconfig: file, context: "ctx2" }), /user "nobody" of context "ctx2" not found/);
  });

  it("no current context, no server, an invalid namespace", async () => {
    await configError(() => resolveCluster({ kubeconfig: fileA }), /no current-context.*"ctx-a"/);
    const file = write("bad/noserver.yaml", "current-context: x\ncontexts:\n- name: x\n  context: {cluster: c, namespace: Bad_NS}\nclusters:\n- name: c\n  cluster: {}\n");
    await configError(() => resolveCluster({ kubeconfig: file }), /namespace.*"Bad_NS" is not a valid namespace/);
    await configError(() => resolveCluster({ kubeconfig: file, namespace: "ok" }), /cluster "c" in .*noserver\.yaml: no server defined/);
  });

  it("nothing at all", async () => {
    await configError(() => resolveCluster({ env: { HOME: join(root, "empty-home") }, serviceAccountDir: join(root, "no-sa") }), /no configuration: no kubeconfig .*empty-home.*not running in a cluster/);
  });

  it("certificate data that does not parse, and a missing CA file" + needsOpenssl, async () => {
    const base = { "current-context": "c", contexts: [{ name: "c", context: { cluster: "c" } }] };
    const withUser = { "current-context": "c", contexts: [{ name: "c", context: { cluster: "c", user: "u" } }] };
    const notACert = Buffer.from("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n").toString("base64");
    await configError(
      () => resolveCluster({ kubeconfig: { ...base, clusters: [{ name: "c", cluster: { server: "https://x", "certificate-authority-data": notACert } }] } }),
      /cluster "c" certificate-authority-data: certificate 1 does not parse/,
    );
    await configError(
      () => resolveCluster({ kubeconfig: { ...base, clusters: [{ name: "c", cluster: { server: "https://x", "certificate-authority-data": Buffer.from("hello").toString("base64") } }] } }),
      /certificate-authority-data: no PEM certificate found/,
    );
    await configError(
      () => resolveCluster({ kubeconfig: { ...base, clusters: [{ name: "c", cluster: { server: "https://x", "certificate-authority": join(root, "absent.crt") } }] } }),
      /certificate-authority: cannot read .*absent\.crt: no such file/,
    );
    if (!hasOpenssl) return;
    const certs = testCerts();
    const users = (user: Record<string, unknown>) => [{ name: "u", user }];
    const cluster = [{ name: "c", cluster: { server: "https://x" } }];
    await configError(
      () => resolveCluster({ kubeconfig: { ...withUser, clusters: cluster, users: users({ "client-certificate-data": Buffer.from(certs.clientCert).toString("base64"), "client-key-data": Buffer.from("-----BEGIN PRIVATE KEY-----\nS3CR3T\n-----END PRIVATE KEY-----\n").toString("base64") }) } }),
      /user "u" client key does not parse/,
    );
    await configError(
      () => resolveCluster({ kubeconfig: { ...withUser, clusters: cluster, users: users({ "client-certificate-data": Buffer.from(certs.clientCert).toString("base64"), "client-key-data": Buffer.from(certs.execKey).toString("base64") }) } }),
      /the client key does not match the client certificate/,
    );
    await configError(
      () => resolveCluster({ kubeconfig: { ...base, clusters: [{ name: "c", cluster: { server: "https://x", "insecure-skip-tls-verify": true, "certificate-authority-data": Buffer.from(certs.ca).toString("base64") } }] } }),
      /root certificates file with the insecure flag is not allowed/,
    );
  });

  it("conflicting or incomplete credentials", async () => {
    const with_ = (user: Record<string, unknown>) =>
      resolveCluster({ kubeconfig: { "current-context": "c", contexts: [{ name: "c", context: { cluster: "c", user: "u" } }], clusters: [{ name: "c", cluster: { server: "https://x" } }], users: [{ name: "u", user }] } });
    await configError(() => with_({ token: "S3CR3T-a", username: "x", password: "S3CR3T-b" }), /more than one authentication method found \(token, basicAuth\)/);
    await configError(() => with_({ "client-certificate": "/x.crt" }), /client-key-data or client-key must be specified/);
    await configError(() => with_({ "as-groups": ["devs"] }), /need "as"/);
    await configError(() => with_({ "auth-provider": { name: "gcp" } }), /auth-provider "gcp" is not supported/);
    await configError(() => with_({ tokenFile: join(root, "no-token") }), /tokenFile: cannot read .*no-token: no such file/);
    await configError(() => with_({ exec: { apiVersion: "client.authentication.k8s.io/v1", command: "x" } }), /interactiveMode must be set/);
    await configError(() => with_({ exec: { apiVersion: "client.authentication.k8s.io/v1alpha1", command: "x", interactiveMode: "Never" } }), /v1alpha1" is not supported/);
    await configError(() => with_({ exec: { command: "x" } }), /users\[0\]\.user\.exec\.apiVersion/);
  });

  it("an exec plugin is not run when the user has a token (client-go's precedence)", async () => {
    const cluster = await resolveCluster({
      kubeconfig: {
        "current-context": "c",
        contexts: [{ name: "c", context: { cluster: "c", user: "u" } }],
        clusters: [{ name: "c", cluster: { server: "https://x" } }],
        users: [{ name: "u", user: { token: "S3CR3T-tok", exec: { apiVersion: "client.authentication.k8s.io/v1", command: "/nonexistent/plugin", interactiveMode: "Never" } } }],
      },
    });
    expect(cluster.credentials.type).toBe("token");
    expect(await cluster.credentials.get()).toEqual({ authorization: "Bearer S3CR3T-tok" });
  });
});
