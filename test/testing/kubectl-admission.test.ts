/**
 * kubectl, unchanged, against the built-in admission plugins of the local server: `kubectl run`
 * then `kubectl get pod -o yaml` shows what kube-apiserver's plugins add, `kubectl describe quota`
 * shows the usage the resource quota controller counts, and `kubectl create` past a quota is
 * refused with kube-apiserver's message.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { kubectlVersions, runKubectl } from "../support/kubectl.js";

const QUOTA = `apiVersion: v1
kind: ResourceQuota
metadata: {name: compute}
spec:
  hard: {pods: "2", requests.cpu: "1", configmaps: "5"}
`;

const CM = (name: string) => `apiVersion: v1
kind: ConfigMap
metadata: {name: ${name}}
`;

const versions = kubectlVersions(["1.33"]);

describe.skipIf(versions.length === 0)(`kubectl and the built-in admission plugins${versions.length ? "" : " (skipped: kubectl not installed)"}`, () => {
  let server: TestServer;
  let dir: string;
  let kubeconfig: string;
  const kubectl = (args: string[]) => runKubectl(versions[0]!, dir, kubeconfig, args);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "kubezod-kubectl-admission-"));
    server = await startTestServer({ kubernetesVersion: "1.33" });
    kubeconfig = await server.writeKubeconfig(join(dir, "kubeconfig"));
    writeFileSync(join(dir, "quota.yaml"), QUOTA);
  });
  afterAll(async () => {
    await server?.close();
  });

  it("kubectl run, then get -o yaml shows the service account, token volume, priority and tolerations", async () => {
    expect((await kubectl(["run", "web", "--image=nginx"])).stdout).toBe("pod/web created\n");
    const got = await kubectl(["get", "pod", "web", "-o", "jsonpath={.spec.serviceAccountName} {.spec.serviceAccount} {.spec.priority} {.spec.preemptionPolicy} {.spec.volumes[0].name} {.spec.containers[0].volumeMounts[0].mountPath} {.spec.tolerations[*].key} {.spec.tolerations[*].tolerationSeconds}"]);
    expect(got.stdout).toMatch(
      /^default default 0 PreemptLowerPriority kube-api-access-[a-z0-9]{5} \/var\/run\/secrets\/kubernetes\.io\/serviceaccount node\.kubernetes\.io\/not-ready node\.kubernetes\.io\/unreachable 300 300$/,
    );
    const yaml = (await kubectl(["get", "pod", "web", "-o", "yaml"])).stdout;
    expect(yaml).toContain("      - serviceAccountToken:\n          expirationSeconds: 3607\n          path: token\n");
    expect(yaml).toContain("    projected:\n      defaultMode: 420\n");
  });

  it("kubectl describe quota shows used and hard; kubectl create past the quota is refused", async () => {
    expect((await kubectl(["create", "namespace", "q"])).code).toBe(0);
    expect((await kubectl(["-n", "q", "create", "-f", join(dir, "quota.yaml")])).code).toBe(0);
    await server.settle();
    writeFileSync(join(dir, "cm.yaml"), CM("one"));
    expect((await kubectl(["-n", "q", "create", "-f", join(dir, "cm.yaml")])).code).toBe(0);
    await server.settle();
    const described = await kubectl(["-n", "q", "describe", "quota", "compute"]);
    expect(described.stdout).toBe(
      ["Name:         compute", "Namespace:    q", "Resource      Used  Hard", "--------      ----  ----", "configmaps    2     5", "pods          0     2", "requests.cpu  0     1", ""].join("\n"),
    );
    const refused = await kubectl(["-n", "q", "run", "nocpu", "--image=nginx"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe('Error from server (Forbidden): pods "nocpu" is forbidden: failed quota: compute: must specify requests.cpu for: nocpu\n');
  });
});
