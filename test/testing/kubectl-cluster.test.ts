/**
 * kubectl 1.28, 1.30 and 1.33, unchanged, against the simulated cluster: workloads roll out,
 * describe, rollout history/undo/restart, wait, create job --from, autoscale, logs, cp and debug.
 * kubectl 1.28 and 1.29 speak SPDY for exec (and so cp), which the server does not: those steps
 * run from 1.30 on.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubectlDir, runKubectl, type KubectlRun } from "../support/kubectl.js";
import { startTestServer, type TestServer } from "../../src/testing/index.js";


const MANIFESTS = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: nginx, image: "nginx:1.25"}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 2
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: pg, image: "postgres:16"}]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: a, image: busybox}]}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers: [{name: c, image: busybox, command: [date]}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80}]
`;

for (const version of ["1.28", "1.30", "1.33"]) {
  const binary = join(kubectlDir, `kubectl.${version}`);
  const minor = Number(version.split(".")[1]);
  describe.skipIf(!existsSync(binary))(`kubectl ${version} against the simulated cluster${existsSync(binary) ? "" : " (skipped: not installed)"}`, () => {
    let server: TestServer;
    let dir: string;
    let kubeconfig: string;
    const kubectl = (args: string[], input = ""): Promise<KubectlRun> => runKubectl(version, dir, kubeconfig, args, input);

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), `kubezod-kubectl-${version}-`));
      server = await startTestServer({ kubernetesVersion: version, controllers: { pods: (pod) => (pod.metadata.labels?.app === "web" ? { logs: "started\nserving\n" } : undefined) } });
      kubeconfig = await server.writeKubeconfig(join(dir, "kubeconfig"));
      writeFileSync(join(dir, "all.yaml"), MANIFESTS);
      const applied = await kubectl(["apply", "-f", join(dir, "all.yaml")]);
      expect(applied.code, applied.stderr).toBe(0);
    });
    afterAll(async () => {
      await server?.close();
    });

    it("rolls out every workload; get all -A lists them", async () => {
      for (const target of ["deployment/web", "statefulset/db", "daemonset/agent"]) {
        const r = await kubectl(["rollout", "status", target, "--timeout=30s"]);
        expect(r.code, `${target}: ${r.stderr}`).toBe(0);
      }
      const all = await kubectl(["get", "all", "-A"]);
      expect(all.code).toBe(0);
      for (const name of ["deployment.apps/web", "statefulset.apps/db", "daemonset.apps/agent", "cronjob.batch/nightly", "service/web", "pod/db-0", "pod/db-1"]) expect(all.stdout).toContain(name);
      expect(all.stdout).toMatch(/deployment\.apps\/web\s+2\/2\s+2\s+2/);
    });

    it("describes each workload kind", async () => {
      for (const [kind, text] of [
        ["deployment/web", /Replicas:\s+2 desired \| 2 updated \| 2 total \| 2 available \| 0 unavailable/],
        ["replicaset", /Pods Status:\s+2 Running \/ 0 Waiting \/ 0 Succeeded \/ 0 Failed/],
        ["statefulset/db", /Pods Status:\s+2 Running \/ 0 Waiting \/ 0 Succeeded \/ 0 Failed/],
        ["daemonset/agent", /Number of Nodes Scheduled with Up-to-date Pods: 1/],
        ["cronjob/nightly", /Schedule:\s+0 3 \* \* \*/],
        ["node", /Ready\s+True\s+.*KubeletReady/],
        ["service/web", /Endpoints:\s+10\.244\.\d+\.\d+:80,10\.244\.\d+\.\d+:80/],
      ] as const) {
        const r = await kubectl(["describe", kind]);
        expect(r.code, `${kind}: ${r.stderr}`).toBe(0);
        expect(r.stdout, kind).toMatch(text);
      }
    });

    it("rollout history, undo and restart", async () => {
      expect((await kubectl(["set", "image", "deployment/web", "nginx=nginx:1.27"])).code).toBe(0);
      expect((await kubectl(["rollout", "status", "deployment/web", "--timeout=30s"])).code).toBe(0);
      const history = await kubectl(["rollout", "history", "deployment/web"]);
      expect(history.stdout).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>\n/);
      const undo = await kubectl(["rollout", "undo", "deployment/web"]);
      expect(undo).toMatchObject({ code: 0, stdout: "deployment.apps/web rolled back\n" });
      expect((await kubectl(["rollout", "status", "deployment/web", "--timeout=30s"])).code).toBe(0);
      expect((await kubectl(["get", "deployment", "web", "-o", "jsonpath={.spec.template.spec.containers[0].image} {.metadata.annotations.deployment\\.kubernetes\\.io/revision}"])).stdout).toBe("nginx:1.25 3");
      const restart = await kubectl(["rollout", "restart", "deployment/web"]);
      expect(restart).toMatchObject({ code: 0, stdout: "deployment.apps/web restarted\n" });
      expect((await kubectl(["rollout", "status", "deployment/web", "--timeout=30s"])).stdout).toContain('deployment "web" successfully rolled out');
    });

    it("wait for a condition, a jsonpath, deletion and creation", async () => {
      expect((await kubectl(["wait", "--for=condition=Available", "deployment/web", "--timeout=30s"])).code).toBe(0);
      expect((await kubectl(["wait", "--for=jsonpath={.status.readyReplicas}=2", "statefulset/db", "--timeout=30s"])).code).toBe(0);
      const created = await kubectl(["create", "job", "once", "--from=cronjob/nightly"]);
      expect(created).toMatchObject({ code: 0, stdout: "job.batch/once created\n" });
      expect((await kubectl(["wait", "--for=condition=complete", "job/once", "--timeout=30s"])).code).toBe(0);
      const deleting = kubectl(["wait", "--for=delete", "job/once", "--timeout=30s"]);
      expect((await kubectl(["delete", "job", "once"])).code).toBe(0);
      expect((await deleting).code).toBe(0);
      if (minor >= 31) {
        const waiting = kubectl(["wait", "--for=create", "configmap/later", "--timeout=30s"]);
        await new Promise((r) => setTimeout(r, 300));
        await kubectl(["create", "configmap", "later"]);
        expect((await waiting).code).toBe(0);
      }
    });

    it("autoscale creates a HorizontalPodAutoscaler", async () => {
      const r = await kubectl(["autoscale", "deployment", "web", "--min=2", "--max=5", "--cpu-percent=80"]);
      expect(r, r.stderr).toMatchObject({ code: 0 });
      expect(r.stdout).toMatch(/^horizontalpodautoscaler\.autoscaling\/web autoscaled\n$/);
      expect((await kubectl(["get", "hpa", "web", "-o", "jsonpath={.spec.minReplicas} {.spec.maxReplicas}"])).stdout).toBe("2 5");
      // Stored once, served at both versions with their own fields.
      const atV1 = JSON.parse((await kubectl(["get", "--raw", "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers/web"])).stdout);
      expect(atV1).toMatchObject({ apiVersion: "autoscaling/v1", spec: { targetCPUUtilizationPercentage: 80 } });
      const atV2 = JSON.parse((await kubectl(["get", "--raw", "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/web"])).stdout);
      expect(atV2.spec.metrics).toEqual([{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } } }]);
    });

    it("logs of a deployment's pod", async () => {
      const r = await kubectl(["logs", "deployment/web"]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain("started\nserving\n");
      expect((await kubectl(["logs", "deployment/web", "--tail=1"])).stdout).toContain("serving\n");
    });

    it.skipIf(minor < 30)("cp both ways and debug with an ephemeral container (WebSocket exec, kubectl 1.30+)", async () => {
      writeFileSync(join(dir, "up.txt"), "uploaded\n");
      expect((await kubectl(["cp", join(dir, "up.txt"), "db-0:/tmp/up.txt"])).code).toBe(0);
      expect((await kubectl(["exec", "db-0", "--", "cat", "/tmp/up.txt"])).stdout).toBe("uploaded\n");
      const down = await kubectl(["cp", "db-0:/tmp/up.txt", join(dir, "down.txt")]);
      expect(down.code, down.stderr).toBe(0);
      expect(readFileSync(join(dir, "down.txt"), "utf8")).toBe("uploaded\n");
      const debug = await kubectl(["debug", "db-0", "--image=busybox", "--target=pg", "--", "sleep", "60"]);
      expect(debug.code, debug.stderr).toBe(0);
      await server.settle();
      const statuses = await kubectl(["get", "pod", "db-0", "-o", "jsonpath={.status.ephemeralContainerStatuses[0].state.running}"]);
      expect(statuses.stdout).toMatch(/startedAt/);
    });
  });
}
