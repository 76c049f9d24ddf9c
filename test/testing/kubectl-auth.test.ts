/**
 * Authorization as kubectl 1.28, 1.30 and 1.33 see it against the local API server in RBAC mode:
 * `auth can-i` (yes, no, `--as`, `--list`), `auth whoami`, impersonation refused, and a forbidden
 * `get` in kube-apiserver's words.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubectlDir } from "../support/kubectl.js";
import { bootstrapClusterRoles } from "../../src/apiserver/rbac/bootstrap.js";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { stringifyYaml } from "../../src/yaml/text.js";
import { writeFileSync } from "node:fs";


const GROUP = "rbac.authorization.k8s.io";
const OBJECTS = [
  { apiVersion: "v1", kind: "Namespace", metadata: { name: "team" } },
  {
    apiVersion: `${GROUP}/v1`,
    kind: "Role",
    metadata: { name: "pod-reader", namespace: "default" },
    rules: [{ apiGroups: [""], resources: ["pods", "pods/log"], verbs: ["get", "list", "watch"] }],
  },
  {
    apiVersion: `${GROUP}/v1`,
    kind: "RoleBinding",
    metadata: { name: "jane-reads-pods", namespace: "default" },
    roleRef: { apiGroup: GROUP, kind: "Role", name: "pod-reader" },
    subjects: [{ apiGroup: GROUP, kind: "User", name: "jane" }],
  },
  {
    apiVersion: `${GROUP}/v1`,
    kind: "RoleBinding",
    metadata: { name: "devs-edit", namespace: "team" },
    roleRef: { apiGroup: GROUP, kind: "ClusterRole", name: "edit" },
    subjects: [{ apiGroup: GROUP, kind: "Group", name: "devs" }],
  },
];

let server: TestServer;
let dir: string;
let admin: string;
let jane: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function kubectl(version: string, kubeconfig: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(join(kubectlDir, `kubectl.${version}`), ["--cache-dir", join(dir, `cache-${version}`), ...args], {
      env: { ...process.env, KUBECONFIG: kubeconfig, HOME: dir },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d));
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end();
  });
}

const VERSIONS = ["1.28", "1.30", "1.33"].filter((v) => kubectlDir && existsSync(join(kubectlDir, `kubectl.${v}`)));

describe.skipIf(!VERSIONS.length)("kubectl auth against the RBAC-authorizing local API server", () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "kubezod-kubectl-auth-"));
    server = await startTestServer({ kubernetesVersion: "1.33", authorization: "RBAC", controllers: false, objects: OBJECTS });
    admin = await server.writeKubeconfig(join(dir, "admin.kubeconfig"));
    server.addToken("jane-token", { username: "jane", groups: ["devs"] });
    const config = structuredClone(server.kubeconfig);
    config.users[0]!.user = { token: "jane-token" };
    jane = join(dir, "jane.kubeconfig");
    writeFileSync(jane, stringifyYaml(config), { mode: 0o600 });
  });
  afterAll(async () => {
    await server?.close();
  });

  describe.each(VERSIONS)("kubectl %s", (version) => {
    it("auth can-i answers yes for the admin (system:masters) and for what jane's bindings allow", async () => {
      expect(await kubectl(version, admin, ["auth", "can-i", "delete", "nodes"])).toMatchObject({ code: 0, stdout: "yes\n" });
      expect(await kubectl(version, jane, ["auth", "can-i", "list", "pods"])).toMatchObject({ code: 0, stdout: "yes\n" });
      expect(await kubectl(version, jane, ["auth", "can-i", "get", "pods/log"])).toMatchObject({ code: 0, stdout: "yes\n" });
      expect(await kubectl(version, jane, ["auth", "can-i", "create", "deployments.apps", "-n", "team"])).toMatchObject({ code: 0, stdout: "yes\n" });
    });

    it("auth can-i answers no (exit 1) for what no binding allows", async () => {
      expect(await kubectl(version, jane, ["auth", "can-i", "delete", "pods"])).toMatchObject({ code: 1, stdout: "no\n" });
      expect(await kubectl(version, jane, ["auth", "can-i", "create", "roles", "-n", "team"])).toMatchObject({ code: 1, stdout: "no\n" });
      expect(await kubectl(version, jane, ["auth", "can-i", "list", "pods", "-A"])).toMatchObject({ code: 1, stdout: "no\n" });
    });

    it("auth can-i --as and --as-group ask for the impersonated user", async () => {
      expect(await kubectl(version, admin, ["auth", "can-i", "list", "pods", "--as=jane"])).toMatchObject({ code: 0, stdout: "yes\n" });
      expect(await kubectl(version, admin, ["auth", "can-i", "delete", "pods", "--as=jane"])).toMatchObject({ code: 1, stdout: "no\n" });
      expect(await kubectl(version, admin, ["auth", "can-i", "delete", "pods", "-n", "team", "--as=bob", "--as-group=devs"])).toMatchObject({ code: 0, stdout: "yes\n" });
      expect(await kubectl(version, admin, ["auth", "can-i", "delete", "pods", "-n", "team", "--as=bob"])).toMatchObject({ code: 1, stdout: "no\n" });
    });

    it("auth can-i --list shows the rules of a SelfSubjectRulesReview", async () => {
      const r = await kubectl(version, admin, ["auth", "can-i", "--list", "--as=jane"]);
      expect(r.code).toBe(0);
      const lines = r.stdout.split("\n");
      expect(lines[0]).toMatch(/^Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs$/);
      expect(lines).toContainEqual(expect.stringMatching(/^pods\s+\[\]\s+\[\]\s+\[get list watch\]$/));
      expect(lines).toContainEqual(expect.stringMatching(/^pods\/log\s+\[\]\s+\[\]\s+\[get list watch\]$/));
      expect(lines).toContainEqual(expect.stringMatching(/^selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]$/));
      expect(lines).toContainEqual(expect.stringMatching(/^\s+\[\/healthz\]\s+\[\]\s+\[get\]$/));
      expect(lines.some((l) => l.startsWith("deployments.apps"))).toBe(false);
      const team = await kubectl(version, jane, ["auth", "can-i", "--list", "-n", "team"]);
      expect(team.stdout.split("\n")).toContainEqual(expect.stringMatching(/^deployments\.apps\s+\[\]\s+\[\]\s+\[create delete deletecollection patch update get list watch\]$/));
    });

    it("auth whoami shows the user and groups, impersonated with --as", async () => {
      const me = await kubectl(version, jane, ["auth", "whoami", "-o", "json"]);
      expect(me.code).toBe(0);
      expect(JSON.parse(me.stdout).status.userInfo).toEqual({ username: "jane", groups: ["devs", "system:authenticated"] });
      const uid = await kubectl(version, admin, ["auth", "whoami", "--as=jane", "--as-uid=42", "-o", "json"]);
      expect(JSON.parse(uid.stdout).status.userInfo).toEqual({ username: "jane", uid: "42", groups: ["system:authenticated"] });
      const as = await kubectl(version, admin, ["auth", "whoami", "--as=jane", "--as-group=devs"]);
      expect(as.stdout).toMatch(/^ATTRIBUTE\s+VALUE\nUsername\s+jane\nGroups\s+\[devs system:authenticated\]\n$/);
    });

    it("lists kube-apiserver's bootstrap ClusterRoles and bindings, and answers for the cluster's components by them", async () => {
      const roles = await kubectl(version, admin, ["get", "clusterroles", "-o", "name"]);
      expect(roles.code).toBe(0);
      const names = roles.stdout.trim().split("\n").map((l) => l.replace("clusterrole.rbac.authorization.k8s.io/", ""));
      expect(names).toEqual(bootstrapClusterRoles({ minor: 33 }).map((r) => (r.metadata as { name: string }).name).sort());
      for (const name of ["system:monitoring", "system:node-proxier", "system:kube-scheduler", "system:controller:deployment-controller", "system:certificates.k8s.io:kubelet-serving-approver"]) expect(names).toContain(name);
      const monitoring = await kubectl(version, admin, ["get", "clusterrolebinding", "system:monitoring", "-o", "jsonpath={.roleRef.name} {.subjects[0].kind} {.subjects[0].name}"]);
      expect(monitoring.stdout).toBe("system:monitoring Group system:monitoring");
      const namespaced = await kubectl(version, admin, ["get", "roles,rolebindings", "-n", "kube-system", "-o", "name"]);
      expect(namespaced.stdout).toContain("role.rbac.authorization.k8s.io/extension-apiserver-authentication-reader\n");
      expect(namespaced.stdout).toContain("rolebinding.rbac.authorization.k8s.io/system::leader-locking-kube-scheduler\n");
      const can = async (args: string[]) => (await kubectl(version, admin, ["auth", "can-i", ...args])).stdout.trim();
      expect(await can(["update", "leases.coordination.k8s.io/kube-scheduler", "-n", "kube-system", "--as=system:kube-scheduler"])).toBe("yes");
      expect(await can(["update", "configmaps/kube-scheduler", "-n", "kube-system", "--as=system:kube-scheduler"])).toBe("yes");
      expect(await can(["get", "configmaps/extension-apiserver-authentication", "-n", "kube-system", "--as=system:kube-scheduler"])).toBe("yes");
      expect(await can(["get", "configmaps/other", "-n", "kube-system", "--as=system:kube-scheduler"])).toBe("no");
      // Every authenticated user: self reviews, discovery and health, but not metrics.
      expect(await can(["create", "selfsubjectaccessreviews.authorization.k8s.io", "--as=jane"])).toBe("yes");
      expect(await can(["get", "/version", "--as=jane"])).toBe("yes");
      expect(await can(["get", "/metrics", "--as=jane"])).toBe("no");
      expect(await can(["get", "/metrics", "--as=jane", "--as-group=system:monitoring"])).toBe("yes");
      // The components' users and the controllers' service accounts.
      expect(await can(["list", "endpointslices.discovery.k8s.io", "--as=system:kube-proxy"])).toBe("yes");
      expect(await can(["create", "pods", "--subresource=binding", "-n", "team", "--as=system:kube-scheduler"])).toBe("yes");
      expect(await can(["create", "pods", "-n", "team", "--as=system:kube-scheduler"])).toBe("no");
      expect(await can(["delete", "nodes", "--as=system:kube-scheduler"])).toBe("no");
      expect(await can(["create", "replicasets.apps", "-n", "team", "--as=system:serviceaccount:kube-system:deployment-controller"])).toBe("yes");
      expect(await can(["create", "deployments.apps", "-n", "team", "--as=system:serviceaccount:kube-system:deployment-controller"])).toBe("no");
      expect(await can(["get", "/openid/v1/jwks", "--as=system:serviceaccount:team:app", "--as-group=system:serviceaccounts"])).toBe("yes");
      // The aggregated user-facing roles: view reads, edit writes, admin manages roles.
      expect(await can(["list", "deployments.apps", "-n", "team", "--as=ann", "--as-group=devs"])).toBe("yes");
      expect(await can(["create", "rolebindings.rbac.authorization.k8s.io", "-n", "team", "--as=ann", "--as-group=devs"])).toBe("no");
    });

    it("a forbidden get prints kube-apiserver's RBAC denial", async () => {
      const r = await kubectl(version, jane, ["get", "pods", "-n", "kube-system"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe('Error from server (Forbidden): pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "kube-system"\n');
      const secret = await kubectl(version, jane, ["get", "secret", "token", "-n", "default"]);
      expect(secret.stderr).toBe('Error from server (Forbidden): secrets "token" is forbidden: User "jane" cannot get resource "secrets" in API group "" in the namespace "default"\n');
      const as = await kubectl(version, jane, ["get", "pods", "--as=kubernetes-admin"]);
      expect(as.code).toBe(1);
      expect(as.stderr).toBe('Error from server (Forbidden): users "kubernetes-admin" is forbidden: User "jane" cannot impersonate resource "users" in API group "" at the cluster scope\n');
    });
  });
});
