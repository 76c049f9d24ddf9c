/**
 * kubectl, unchanged, resizing a pod in place through the `resize` subresource of the local
 * server: `kubectl patch --subresource resize`, then `kubectl get -o jsonpath` of what the kubelet
 * reports, and kube-apiserver's refusal of a memory limit decrease in 1.33.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { kubectlVersions, runKubectl } from "../support/kubectl.js";

const POD = `apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
  - name: c
    image: nginx
    resources:
      requests: {cpu: 100m, memory: 128Mi}
      limits: {cpu: 200m, memory: 256Mi}
`;

const versions = kubectlVersions(["1.32", "1.33"]);

describe.skipIf(versions.length === 0)(`kubectl patch --subresource resize${versions.length ? "" : " (skipped: kubectl not installed)"}`, () => {
  let server: TestServer;
  let dir: string;
  let kubeconfig: string;
  const kubectl = (version: string, args: string[]) => runKubectl(version, dir, kubeconfig, args);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "kubezod-kubectl-resize-"));
    server = await startTestServer({ kubernetesVersion: "1.33" });
    kubeconfig = await server.writeKubeconfig(join(dir, "kubeconfig"));
    writeFileSync(join(dir, "pod.yaml"), POD);
  });
  afterAll(async () => {
    await server?.close();
  });

  for (const version of versions) {
    it(`kubectl ${version} resizes a running pod and reads back what the kubelet applied`, async () => {
      expect((await kubectl(version, ["apply", "-f", join(dir, "pod.yaml")])).code).toBe(0);
      await server.settle();
      const cpu = version === "1.32" ? "150m" : "175m";
      const patched = await kubectl(version, ["patch", "pod", "web", "--subresource", "resize", "--patch", `{"spec":{"containers":[{"name":"c","resources":{"requests":{"cpu":"${cpu}"}}}]}}`]);
      expect(patched.stderr).toBe("");
      expect(patched.stdout).toBe("pod/web patched\n");
      await server.settle();
      const got = await kubectl(version, ["get", "pod", "web", "-o", "jsonpath={.spec.containers[0].resources.requests.cpu} {.status.containerStatuses[0].resources.requests.cpu} {.status.conditions[?(@.type==\"PodResizeInProgress\")].type}"]);
      expect(got.stdout).toBe(`${cpu} ${cpu} `);
      const refused = await kubectl(version, ["patch", "pod", "web", "--subresource", "resize", "--patch", '{"spec":{"containers":[{"name":"c","resources":{"limits":{"memory":"200Mi"}}}]}}']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toBe('The Pod "web" is invalid: spec.containers[0].resources.limits[memory]: Forbidden: memory limits cannot be decreased unless resizePolicy is RestartContainer\n');
      const infeasible = await kubectl(version, ["patch", "pod", "web", "--subresource", "resize", "--patch", '{"spec":{"containers":[{"name":"c","resources":{"requests":{"cpu":"5"},"limits":{"cpu":"5"}}}]}}']);
      expect(infeasible.code).toBe(0);
      await server.settle();
      const pending = await kubectl(version, ["get", "pod", "web", "-o", 'jsonpath={.status.conditions[?(@.type=="PodResizePending")].reason}: {.status.conditions[?(@.type=="PodResizePending")].message}']);
      expect(pending.stdout).toBe("Infeasible: Node didn't have enough capacity: cpu, requested: 5000, capacity: 4000");
      expect((await kubectl(version, ["delete", "pod", "web", "--wait=false"])).code).toBe(0);
      await server.settle();
    });
  }
});
