/**
 * The local API server creates the bootstrap RBAC policy of the minor it serves: its ClusterRoles
 * and bindings as kube-apiserver's recorded policy lists them for 1.28, 1.31 and 1.36
 * (test/fixtures/rbac/bootstrap-policy.yaml), and kubectl 1.28, 1.30 and 1.33 get the answers
 * of each minor's policy from `auth can-i --as=system:serviceaccount:kube-system:<controller>`.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { parseYaml } from "../../src/yaml/text.js";
import { kubectlDir, kubectlVersions } from "../support/kubectl.js";
import { repoRoot } from "../support/shared.js";
import { client } from "./helpers.js";

const fixture = parseYaml(readFileSync(join(repoRoot, "test/fixtures/rbac/bootstrap-policy.yaml"), "utf8")) as {
  controllerRoles: Record<string, string[]>;
  systemRoles: string[];
  roles: Array<{ name: string; minors: number[]; rules: unknown[] }>;
};
const MINORS = ["28", "31", "36"] as const;
const PREFIX = "system:controller:";
const servers = new Map<string, TestServer>();
const kubeconfigs = new Map<string, string>();
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "kubezod-bootstrap-policy-"));
  for (const minor of MINORS) {
    const server = await startTestServer({ kubernetesVersion: `1.${minor}`, authorization: "RBAC", controllers: false });
    servers.set(minor, server);
    kubeconfigs.set(minor, await server.writeKubeconfig(join(dir, `${minor}.kubeconfig`)));
  }
}, 60_000);
afterAll(async () => {
  await Promise.all([...servers.values()].map((s) => s.close()));
});

const namesOf = (list: { items: Array<{ metadata: { name: string } }> }) => list.items.map((i) => i.metadata.name).sort();

describe.each(MINORS)("the 1.%s server", (minor) => {
  it("stores the minor's recorded ClusterRoles and ClusterRoleBindings", async () => {
    const c = client(servers.get(minor)!);
    try {
      const roles = namesOf((await c.get("/apis/rbac.authorization.k8s.io/v1/clusterroles")).json);
      const bindings = namesOf((await c.get("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings")).json);
      const controllers = fixture.controllerRoles[minor]!;
      expect(roles).toEqual([...fixture.systemRoles, ...controllers.map((n) => PREFIX + n)].sort());
      expect(bindings.filter((n) => n.startsWith(PREFIX))).toEqual(controllers.map((n) => PREFIX + n).sort());
      for (const role of fixture.roles.filter((r) => r.minors.includes(Number(minor)))) {
        expect((await c.get(`/apis/rbac.authorization.k8s.io/v1/clusterroles/${role.name}`)).json.rules, role.name).toEqual(role.rules);
      }
    } finally {
      await c.close();
    }
  });
});

function canI(version: string, minor: string, args: string[]): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(join(kubectlDir, `kubectl.${version}`), ["--cache-dir", join(dir, `cache-${version}-${minor}`), "auth", "can-i", ...args], {
      env: { ...process.env, KUBECONFIG: kubeconfigs.get(minor)!, HOME: dir },
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d));
    child.on("close", () => resolve(out.trim()));
    child.stdin.end();
  });
}

const sa = (name: string) => `--as=system:serviceaccount:kube-system:${name}`;
/** Questions whose answers differ between the minors' policies, with each minor's answer. */
const QUESTIONS: Array<{ args: string[]; answers: Record<(typeof MINORS)[number], string> }> = [
  // The legacy token cleaner's role: LegacyServiceAccountTokenCleanUp is on from 1.29.
  { args: ["delete", "secrets", "-n", "default", sa("legacy-service-account-token-cleaner")], answers: { "28": "no", "31": "yes", "36": "yes" } },
  // The resource claim controller's role: DynamicResourceAllocation is on from 1.34.
  { args: ["update", "pods", "--subresource=finalizers", "-n", "default", sa("resource-claim-controller")], answers: { "28": "no", "31": "no", "36": "yes" } },
  // 1.32 gave the node controller watch on nodes, and dropped the GlusterFS plugin's secrets from the binder.
  { args: ["watch", "nodes", sa("node-controller")], answers: { "28": "no", "31": "no", "36": "yes" } },
  { args: ["get", "secrets", "-n", "default", sa("persistent-volume-binder")], answers: { "28": "yes", "31": "yes", "36": "no" } },
  // The leader-election controller shares the controller manager's leader locking from 1.31.
  { args: ["update", "leases.coordination.k8s.io", "-n", "kube-system", sa("leader-election-controller")], answers: { "28": "no", "31": "yes", "36": "yes" } },
];

describe.each(kubectlVersions(["1.28", "1.30", "1.33"]))("kubectl %s auth can-i", (version) => {
  it("answers for the controllers' service accounts as each minor's policy does", async () => {
    const asked = QUESTIONS.flatMap((q) => MINORS.map(async (minor) => ({ minor, args: q.args.join(" "), answer: await canI(version, minor, q.args), expected: q.answers[minor] })));
    for (const { minor, args, answer, expected } of await Promise.all(asked)) expect(`1.${minor} ${args}: ${answer}`).toBe(`1.${minor} ${args}: ${expected}`);
  }, 60_000);
});
