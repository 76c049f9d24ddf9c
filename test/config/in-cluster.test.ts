import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, createTransport, resolveCluster } from "../../src/index.js";
import { inClusterConfig, isInCluster } from "../../src/config/public.js";
import { hasOpenssl, needsOpenssl, testCerts } from "../transport/helpers/certs.js";
import { captureLogs, expectNoSecrets } from "../transport/helpers/logs.js";
import { json, startServer, type TestServer } from "../transport/helpers/servers.js";

const root = mkdtempSync(join(tmpdir(), "kubezod-incluster-"));
const logs = captureLogs();

function serviceAccount(name: string, files: { token?: string; ca?: string; namespace?: string }): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  if (files.token !== undefined) writeFileSync(join(dir, "token"), files.token);
  if (files.ca !== undefined) writeFileSync(join(dir, "ca.crt"), files.ca);
  if (files.namespace !== undefined) writeFileSync(join(dir, "namespace"), files.namespace);
  return dir;
}

afterAll(() => expectNoSecrets(logs.text()));

describe("in-cluster configuration" + needsOpenssl, () => {
  let server: TestServer;
  beforeAll(async () => {
    if (!hasOpenssl) return;
    const certs = testCerts();
    server = await startServer((req, res) => json(res, 200, { token: req.headers.authorization }), { tls: { cert: certs.serverCert, key: certs.serverKey } });
  });
  afterAll(async () => server?.close());

  it.runIf(hasOpenssl)("reads the service account and re-reads the token as it rotates", async () => {
    const certs = testCerts();
    const dir = serviceAccount("sa", { token: "S3CR3T-sa-1", ca: certs.ca, namespace: "payments\n" });
    let clock = 0;
    const env = { KUBERNETES_SERVICE_HOST: "127.0.0.1", KUBERNETES_SERVICE_PORT: String(server.port) };
    const cluster = inClusterConfig({ serviceAccountDir: dir, env, now: () => clock });
    expect(cluster.server).toBe(`https://127.0.0.1:${server.port}`);
    expect(cluster.namespace).toBe("payments");
    expect(cluster.origin).toEqual({ kind: "in-cluster", serviceAccountDir: dir });
    const transport = createTransport(cluster, { log: logs.log });
    await transport.request({ path: "/api" });
    expect(server.requests.at(-1)?.headers.authorization).toBe("Bearer S3CR3T-sa-1");
    writeFileSync(join(dir, "token"), "S3CR3T-sa-2");
    clock += 61_000;
    await transport.request({ path: "/api" });
    expect(server.requests.at(-1)?.headers.authorization).toBe("Bearer S3CR3T-sa-2");
    await transport.close();
  });

  it("brackets IPv6 service hosts and prefers POD_NAMESPACE", () => {
    const dir = serviceAccount("sa6", { token: "S3CR3T-sa", ca: hasOpenssl ? testCerts().ca : "", namespace: "from-file" });
    if (!hasOpenssl) return;
    const cluster = inClusterConfig({ serviceAccountDir: dir, env: { KUBERNETES_SERVICE_HOST: "fd00:10:96::1", KUBERNETES_SERVICE_PORT: "443", POD_NAMESPACE: "from-env" } });
    expect(cluster.server).toBe("https://[fd00:10:96::1]:443");
    expect(cluster.namespace).toBe("from-env");
    const noNs = serviceAccount("sa-nons", { token: "S3CR3T-sa", ca: testCerts().ca });
    expect(inClusterConfig({ serviceAccountDir: noNs, env: { KUBERNETES_SERVICE_HOST: "10.96.0.1", KUBERNETES_SERVICE_PORT: "443" } }).namespace).toBe("default");
  });

  it.runIf(hasOpenssl)("auto mode: in-cluster only when there is no kubeconfig and the token exists", async () => {
    const dir = serviceAccount("sa-auto", { token: "S3CR3T-sa", ca: testCerts().ca, namespace: "auto" });
    const env = { HOME: join(root, "nohome"), KUBERNETES_SERVICE_HOST: "10.96.0.1", KUBERNETES_SERVICE_PORT: "443" };
    expect(isInCluster({ serviceAccountDir: dir, env })).toBe(true);
    const auto = await resolveCluster({ env, serviceAccountDir: dir });
    expect(auto.origin.kind).toBe("in-cluster");
    expect(auto.namespace).toBe("auto");
    expect((await resolveCluster({ env, serviceAccountDir: dir, namespace: "override" })).namespace).toBe("override");

    // A kubeconfig wins over the service account.
    const kubeconfig = join(root, "kubeconfig");
    writeFileSync(kubeconfig, "current-context: k\ncontexts:\n- name: k\n  context: {cluster: k}\nclusters:\n- name: k\n  cluster: {server: https://kube.example}\n");
    expect((await resolveCluster({ env: { ...env, KUBECONFIG: kubeconfig }, serviceAccountDir: dir })).origin.kind).toBe("kubeconfig");
    // inCluster: false never picks it; inCluster: true always does.
    await expect(resolveCluster({ env, serviceAccountDir: dir, inCluster: false })).rejects.toThrow(/no configuration: no kubeconfig/);
    expect((await resolveCluster({ env: { ...env, KUBECONFIG: kubeconfig }, serviceAccountDir: dir, inCluster: true })).origin.kind).toBe("in-cluster");
    // Without the service variables or the token file it is not possible.
    expect(isInCluster({ serviceAccountDir: dir, env: { HOME: env.HOME } })).toBe(false);
    expect(isInCluster({ serviceAccountDir: join(root, "nothing"), env })).toBe(false);
  });

  it("fails clearly when the service account is incomplete", () => {
    const env = { KUBERNETES_SERVICE_HOST: "10.96.0.1", KUBERNETES_SERVICE_PORT: "443" };
    const check = (run: () => unknown, pattern: RegExp) => {
      let err: unknown;
      try {
        run();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(pattern);
      logs.note(err);
    };
    check(() => inClusterConfig({ env: {} }), /KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set/);
    check(() => inClusterConfig({ env, serviceAccountDir: serviceAccount("empty", {}) }), /service-account token: cannot read .*empty\/token: no such file/);
    check(() => inClusterConfig({ env, serviceAccountDir: serviceAccount("noca", { token: "S3CR3T-x" }) }), /in-cluster CA: cannot read .*noca\/ca\.crt/);
  });
});
