/**
 * kubectl, unchanged, against the simulated cluster's storage: a claim of the default class is
 * provisioned and Bound once its pod is scheduled (`get pvc`, `get pv`, `describe pvc`), and a pod
 * whose claim does not exist waits, Pending, with the scheduler's FailedScheduling event.
 */
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubectlDir, runKubectl, type KubectlRun } from "../support/kubectl.js";
import { startTestServer, type TestServer } from "../../src/testing/index.js";

const MANIFESTS = `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  containers: [{name: c, image: busybox}]
  volumes: [{name: data, persistentVolumeClaim: {claimName: data}}]
---
apiVersion: v1
kind: Pod
metadata: {name: orphan}
spec:
  containers: [{name: c, image: busybox}]
  volumes: [{name: data, persistentVolumeClaim: {claimName: ghost}}]
`;

const version = "1.33";
const binary = join(kubectlDir, `kubectl.${version}`);

describe.skipIf(!existsSync(binary))(`kubectl ${version}: claims and volumes${existsSync(binary) ? "" : " (skipped: not installed)"}`, () => {
  let server: TestServer;
  let dir: string;
  let kubeconfig: string;
  const kubectl = (args: string[]): Promise<KubectlRun> => runKubectl(version, dir, kubeconfig, args);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "kubezod-kubectl-storage-"));
    server = await startTestServer({ kubernetesVersion: version });
    kubeconfig = await server.writeKubeconfig(join(dir, "kubeconfig"));
    writeFileSync(join(dir, "storage.yaml"), MANIFESTS);
    const applied = await kubectl(["apply", "-f", join(dir, "storage.yaml")]);
    expect(applied.code, applied.stderr).toBe(0);
    await server.settle();
  });
  afterAll(async () => {
    await server?.close();
  });

  it("get pvc shows the claim Bound to a provisioned volume of class standard; get pv shows the volume", async () => {
    const pvc = await kubectl(["get", "pvc", "data"]);
    expect(pvc.code, pvc.stderr).toBe(0);
    expect(pvc.stdout).toMatch(/^NAME\s+STATUS\s+VOLUME\s+CAPACITY\s+ACCESS MODES\s+STORAGECLASS\s+VOLUMEATTRIBUTESCLASS\s+AGE\ndata\s+Bound\s+pvc-[0-9a-f-]{36}\s+1Gi\s+RWO\s+standard\s+<unset>\s+\d+s\n$/);
    const pv = await kubectl(["get", "pv"]);
    expect(pv.code, pv.stderr).toBe(0);
    expect(pv.stdout).toMatch(/\npvc-[0-9a-f-]{36}\s+1Gi\s+RWO\s+Delete\s+Bound\s+default\/data\s+standard\s+<unset>\s+\d+s\n$/);
    const sc = await kubectl(["get", "storageclass"]);
    expect(sc.stdout).toMatch(/\nstandard \(default\)\s+rancher\.io\/local-path\s+Delete\s+WaitForFirstConsumer\s+false\s+\d+s\n$/);
  });

  it("describe pvc lists the pod using it, the finalizer and the provisioning events", async () => {
    const r = await kubectl(["describe", "pvc", "data"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Status:\s+Bound\n/);
    expect(r.stdout).toMatch(/Finalizers:\s+\[kubernetes\.io\/pvc-protection\]\n/);
    expect(r.stdout).toMatch(/Used By:\s+app\n/);
    expect(r.stdout).toMatch(/Normal\s+ExternalProvisioning\s+.*persistentvolume-controller\s+Waiting for a volume to be created either by the external provisioner 'rancher\.io\/local-path'/);
    expect(r.stdout).toMatch(/Normal\s+Provisioning\s+.*rancher\.io\/local-path_local-path-provisioner-\S+\s+External provisioner is provisioning volume for claim "default\/data"/);
    expect(r.stdout).toMatch(/Normal\s+ProvisioningSucceeded\s+.*Successfully provisioned volume pvc-/);
  });

  it("a pod whose claim does not exist stays Pending with the scheduler's reason", async () => {
    const get = await kubectl(["get", "pod", "orphan"]);
    expect(get.stdout).toMatch(/\norphan\s+0\/1\s+Pending\s+0\s+\d+s\n$/);
    const r = await kubectl(["describe", "pod", "orphan"]);
    expect(r.stdout).toContain('Warning  FailedScheduling');
    expect(r.stdout).toContain('0/1 nodes are available: persistentvolumeclaim "ghost" not found. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.');
    expect((await kubectl(["get", "pod", "app", "-o", "jsonpath={.status.phase}"])).stdout).toBe("Running");
  });
});
