/**
 * CertificateSigningRequests against the local API server, over HTTPS and with kubectl: the
 * requester recorded, `/approval` read and written, the certificate admission plugins under RBAC,
 * the signer controller issuing a certificate from the cluster's CA (and failing a request its
 * rules refuse), the issued certificate logging its subject in, and `kubectl certificate
 * approve|deny` with `kubectl get csr`'s columns.
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubectlDir, kubectlVersions } from "../support/kubectl.js";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { stringifyYaml } from "../../src/yaml/text.js";
import { client, type Client } from "./helpers.js";

const GROUP = "rbac.authorization.k8s.io";
const CSRS = "/apis/certificates.k8s.io/v1/certificatesigningrequests";

let server: TestServer;
let admin: Client;
let dir: string;

/** A PKCS#10 request (PEM) for a new key, and the key's file. */
function request(name: string, subject: string, extra: string[] = []): { pem: string; key: string } {
  const key = join(dir, `${name}.key`);
  const out = join(dir, `${name}.csr`);
  execFileSync("openssl", ["req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-subj", subject, "-out", out, ...extra], { stdio: "ignore" });
  return { pem: readFileSync(out, "utf8"), key };
}

function csr(name: string, pem: string, usages: string[], signerName = "kubernetes.io/kube-apiserver-client") {
  return { apiVersion: "certificates.k8s.io/v1", kind: "CertificateSigningRequest", metadata: { name }, spec: { request: Buffer.from(pem).toString("base64"), signerName, expirationSeconds: 3600, usages } };
}

/** A command run while this process keeps serving (the server under test lives here). */
function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { encoding: "utf8", env }, (error, stdout, stderr) => resolve({ status: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
  });
}

async function until<T>(read: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await read();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "kubezod-csr-"));
  server = await startTestServer({
    authorization: "RBAC",
    objects: [
      {
        apiVersion: `${GROUP}/v1`,
        kind: "ClusterRole",
        metadata: { name: "csr-approver" },
        rules: [
          { apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests"], verbs: ["get", "list", "watch"] },
          { apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests/approval"], verbs: ["update"] },
          { apiGroups: ["certificates.k8s.io"], resources: ["signers"], verbs: ["approve"], resourceNames: ["example.com/*"] },
        ],
      },
      { apiVersion: `${GROUP}/v1`, kind: "ClusterRoleBinding", metadata: { name: "approvers" }, roleRef: { apiGroup: GROUP, kind: "ClusterRole", name: "csr-approver" }, subjects: [{ apiGroup: GROUP, kind: "User", name: "approver" }] },
    ],
  });
  server.addToken("approver-token", { username: "approver", groups: ["team"] });
  admin = client(server);
});
afterAll(async () => {
  await admin?.close();
  await server?.close();
});

describe("CertificateSigningRequests over HTTPS", () => {
  it("records the requester, issues an approved kube-apiserver-client request, and the certificate logs its subject in", async () => {
    const { pem, key } = request("alice", "/CN=alice/O=devs");
    const created = await admin.post(CSRS, { ...csr("alice", pem, ["digital signature", "client auth"]), spec: { ...csr("alice", pem, []).spec, usages: ["digital signature", "client auth"], username: "mallory", groups: ["system:masters"] } });
    expect(created.status).toBe(201);
    expect(created.json.spec).toMatchObject({ username: "kubernetes-admin", groups: ["system:masters", "system:authenticated"] });
    expect(created.json.status).toEqual({});

    const read = await admin.get(`${CSRS}/alice/approval`);
    expect(read.status).toBe(200);
    expect(read.json.metadata.name).toBe("alice");

    const approval = { ...read.json, spec: { ...read.json.spec, usages: ["server auth"] }, status: { conditions: [{ type: "Approved", status: "True", reason: "Test", message: "approved in a test" }] } };
    const approved = await admin.put(`${CSRS}/alice/approval`, approval);
    expect(approved.status).toBe(200);
    expect(approved.json.spec.usages).toEqual(["digital signature", "client auth"]);
    expect(approved.json.status.conditions[0]).toMatchObject({ type: "Approved", status: "True", reason: "Test", lastUpdateTime: expect.any(String), lastTransitionTime: expect.any(String) });
    expect(approved.json.metadata.managedFields.map((m: { subresource?: string }) => m.subresource ?? "")).toContain("approval");

    const certificate = await until(async () => ((await admin.get(`${CSRS}/alice`)).json.status?.certificate as string | undefined), "the certificate");
    const pemCert = Buffer.from(certificate, "base64").toString();
    writeFileSync(join(dir, "alice.crt"), pemCert);
    writeFileSync(join(dir, "ca.crt"), server.caCertificate!);
    const text = execFileSync("openssl", ["x509", "-in", join(dir, "alice.crt"), "-noout", "-subject", "-ext", "extendedKeyUsage", "-dates"], { encoding: "utf8" });
    expect(text).toMatch(/subject=CN ?= ?alice, O ?= ?devs/);
    expect(text).toContain("TLS Web Client Authentication");
    expect(execFileSync("openssl", ["verify", "-CAfile", join(dir, "ca.crt"), join(dir, "alice.crt")], { encoding: "utf8" })).toContain("OK");
    const notBefore = Date.parse(/notBefore=(.*)/.exec(text)![1]!);
    const notAfter = Date.parse(/notAfter=(.*)/.exec(text)![1]!);
    // Backdated five minutes; expirationSeconds 3600 from the signing.
    expect(notAfter - notBefore).toBeGreaterThanOrEqual(3600_000 + 5 * 60_000 - 2000);
    expect(notAfter - notBefore).toBeLessThanOrEqual(3600_000 + 5 * 60_000 + 2000);

    const res = await run("curl", ["-sS", "--cacert", join(dir, "ca.crt"), "--cert", join(dir, "alice.crt"), "--key", key, "-X", "POST", "-H", "Content-Type: application/json", "-d", '{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}', `${server.url}/apis/authentication.k8s.io/v1/selfsubjectreviews`]);
    expect(JSON.parse(res.stdout).status.userInfo).toMatchObject({ username: "alice", groups: ["devs", "system:authenticated"] });
  });

  it("fails a request the signer's rules refuse", async () => {
    const { pem } = request("web", "/CN=web");
    expect((await admin.post(CSRS, csr("web", pem, ["server auth"]))).status).toBe(201);
    const current = (await admin.get(`${CSRS}/web`)).json;
    await admin.put(`${CSRS}/web/approval`, { ...current, status: { conditions: [{ type: "Approved", status: "True", reason: "Test" }] } });
    const conditions = await until(async () => {
      const c = (await admin.get(`${CSRS}/web`)).json.status?.conditions as Array<Record<string, string>> | undefined;
      return c?.some((x) => x.type === "Failed") ? c : undefined;
    }, "the Failed condition");
    expect(conditions.find((c) => c.type === "Failed")).toMatchObject({ status: "True", reason: "SignerValidationFailure", message: "invalid usage for client certificate: server auth" });
    expect((await admin.get(`${CSRS}/web`)).json.status.certificate).toBeUndefined();
  });

  it("refuses a kube-apiserver-client request for system:masters and approvals the user may not give", async () => {
    const { pem } = request("root", "/CN=root/O=system:masters");
    const refused = await admin.post(CSRS, csr("root", pem, ["client auth"]));
    expect(refused.status).toBe(403);
    expect(refused.json.message).toBe('certificatesigningrequests.certificates.k8s.io "root" is forbidden: use of kubernetes.io/kube-apiserver-client signer with system:masters group is not allowed');

    const ok = request("svc", "/CN=svc");
    expect((await admin.post(CSRS, csr("svc", ok.pem, ["client auth"]))).status).toBe(201);
    expect((await admin.post(CSRS, csr("other", ok.pem, ["client auth"], "example.com/issuer"))).status).toBe(201);
    const approver = client(server, "approver-token");
    try {
      const svc = (await approver.get(`${CSRS}/svc`)).json;
      const denied = await approver.put(`${CSRS}/svc/approval`, { ...svc, status: { conditions: [{ type: "Approved", status: "True" }] } });
      expect(denied.status).toBe(403);
      expect(denied.json.message).toBe('certificatesigningrequests.certificates.k8s.io "svc" is forbidden: user not permitted to approve requests with signerName "kubernetes.io/kube-apiserver-client"');
      const other = (await approver.get(`${CSRS}/other`)).json;
      expect((await approver.put(`${CSRS}/other/approval`, { ...other, status: { conditions: [{ type: "Approved", status: "True" }] } })).status).toBe(200);
      // The status subresource (the certificate) needs `sign`: the approver may not even write it.
      expect((await approver.put(`${CSRS}/other/status`, { ...other, status: { certificate: Buffer.from(server.caCertificate!).toString("base64") } })).status).toBe(403);
    } finally {
      await approver.close();
    }
  });

  it("keeps the conditions a status write may not touch, and refuses one it may not add", async () => {
    const { pem } = request("keep", "/CN=keep");
    await admin.post(CSRS, csr("keep", pem, ["client auth"], "example.com/issuer"));
    const stored = (await admin.get(`${CSRS}/keep`)).json;
    const added = await admin.put(`${CSRS}/keep/status`, { ...stored, status: { conditions: [{ type: "Approved", status: "True" }] } });
    expect(added.status).toBe(422);
    expect(added.json.message).toContain('status.conditions: Forbidden: updates may not add a condition of type "Approved"');
    const main = await admin.put(`${CSRS}/keep`, { ...stored, spec: { ...stored.spec, usages: ["server auth"] }, status: { conditions: [{ type: "Denied", status: "True" }] } });
    expect(main.status).toBe(200);
    expect(main.json.spec.usages).toEqual(["client auth"]);
    expect(main.json.status).toEqual({});
  });
});

const VERSIONS = kubectlVersions(["1.28", "1.33"]);

describe.skipIf(!kubectlDir || !VERSIONS.length)("kubectl certificate", () => {
  let kubeconfig: string;
  beforeAll(async () => {
    kubeconfig = await server.writeKubeconfig(join(dir, "admin.kubeconfig"));
  });
  const kubectl = (version: string, args: string[], config = kubeconfig) =>
    run(join(kubectlDir, `kubectl.${version}`), ["--cache-dir", join(dir, `cache-${version}`), ...args], { ...process.env, KUBECONFIG: config, HOME: dir });

  it.each(VERSIONS)("kubectl %s approves and denies, shows the columns, and logs in with the issued certificate", async (version) => {
    const name = `bob-${version.replace(".", "-")}`;
    const { pem, key } = request(name, `/CN=${name}/O=testers`);
    writeFileSync(join(dir, `${name}.yaml`), stringifyYaml(csr(name, pem, ["client auth"])));
    expect((await kubectl(version, ["create", "-f", join(dir, `${name}.yaml`)])).status).toBe(0);
    const pending = await kubectl(version, ["get", "csr", name]);
    expect(pending.stdout.split("\n")[0]).toMatch(/^NAME\s+AGE\s+SIGNERNAME\s+REQUESTOR\s+REQUESTEDDURATION\s+CONDITION$/);
    expect(pending.stdout.split("\n")[1]).toMatch(new RegExp(`^${name}\\s+\\S+\\s+kubernetes.io/kube-apiserver-client\\s+kubernetes-admin\\s+60m\\s+Pending$`));
    const approve = await kubectl(version, ["certificate", "approve", name]);
    expect(approve.stdout).toBe(`certificatesigningrequest.certificates.k8s.io/${name} approved\n`);
    let row = "";
    for (let i = 0; i < 100 && !row.endsWith("Approved,Issued"); i++) {
      row = (await kubectl(version, ["get", "csr", name, "--no-headers"])).stdout.trim();
      if (!row.endsWith("Approved,Issued")) await new Promise((r) => setTimeout(r, 50));
    }
    expect(row).toMatch(/Approved,Issued$/);
    const cert = join(dir, `${name}.crt`);
    writeFileSync(cert, Buffer.from((await kubectl(version, ["get", "csr", name, "-o", "jsonpath={.status.certificate}"])).stdout, "base64"));
    const config = structuredClone(server.kubeconfig);
    config.users[0]!.user = { "client-certificate-data": readFileSync(cert).toString("base64"), "client-key-data": readFileSync(key).toString("base64") };
    const userConfig = join(dir, `${name}.kubeconfig`);
    writeFileSync(userConfig, stringifyYaml(config), { mode: 0o600 });
    const whoami = await kubectl(version, ["auth", "whoami", "-o", "jsonpath={.status.userInfo.username} {.status.userInfo.groups}"], userConfig);
    expect(whoami.stdout).toBe(`${name} ["testers","system:authenticated"]`);

    const other = `${name}-denied`;
    writeFileSync(join(dir, `${other}.yaml`), stringifyYaml(csr(other, pem, ["client auth"])));
    await kubectl(version, ["create", "-f", join(dir, `${other}.yaml`)]);
    expect((await kubectl(version, ["certificate", "deny", other])).stdout).toBe(`certificatesigningrequest.certificates.k8s.io/${other} denied\n`);
    expect((await kubectl(version, ["get", "csr", other, "--no-headers"])).stdout.trim()).toMatch(/Denied$/);
  }, 120_000);
});
