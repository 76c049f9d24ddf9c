/**
 * Workload controllers of the local cluster whose creates the apiserver refuses (PodSecurity,
 * ResourceQuota): the events, conditions and retries of kube-controller-manager —
 * pkg/controller/deployment/progress.go (getReplicaFailures), controller_utils.go RealPodControl
 * (`Error creating: …`) as used by the Job and DaemonSet controllers, stateful_pod_control.go
 * (recordPodEvent) and pkg/controller/cronjob (`Error creating job: …`) — and what
 * `kubectl rollout status` (polymorphichelpers/rollout_status.go, which reads only Progressing) says.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { kubectlVersions, runKubectl } from "../support/kubectl.js";
import { client, until, type Client } from "./helpers.js";

let server: TestServer;
let api: Client;
// The controllers' clock: half a minute past the current minute, moved to pass deadlines and schedules.
let clock = Math.floor(Date.now() / 60_000) * 60_000 + 30_000;

beforeAll(async () => {
  server = await startTestServer({ kubernetesVersion: "1.33", controllers: { now: () => clock, pods: (pod) => (pod.metadata.labels?.hold === "yes" ? { runMs: 3_600_000 } : undefined) } });
  api = client(server);
});
afterAll(async () => {
  await api.close();
  await server.close();
});

type Obj = Record<string, any>;
const template = (app: string) => ({ metadata: { labels: { app } }, spec: { containers: [{ name: "c", image: "nginx" }] } });
const restricted = async (name: string) => {
  expect((await api.post("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name, labels: { "pod-security.kubernetes.io/enforce": "restricted" } } })).status).toBe(201);
};
const relax = async (name: string) => {
  expect((await api.patch(`/api/v1/namespaces/${name}`, { metadata: { labels: { "pod-security.kubernetes.io/enforce": "privileged" } } }, "merge")).status).toBe(200);
};
const eventsOf = async (ns: string, kind: string, name: string): Promise<Obj[]> =>
  ((await api.get(`/api/v1/namespaces/${ns}/events`)).json.items as Obj[]).filter((e) => e.involvedObject.kind === kind && e.involvedObject.name === name);
const podsIn = async (ns: string): Promise<Obj[]> => (await api.get(`/api/v1/namespaces/${ns}/pods`)).json.items as Obj[];
const failedCreate = (ns: string, kind: string, name: string) => until(async () => (await eventsOf(ns, kind, name)).find((e) => e.reason === "FailedCreate"));
/** Lift the namespace's enforce level; the controller's retry then creates the pod. */
const podAfterRelaxing = async (ns: string): Promise<Obj> => {
  await relax(ns);
  return until(async () => (await podsIn(ns))[0]);
};
const refusal = (name: string) => new RegExp(`^pods "${name}" is forbidden: violates PodSecurity "restricted:latest": `);

describe("Deployment", () => {
  it("copies its ReplicaSet's ReplicaFailure condition and drops it once the pods are created", async () => {
    await restricted("dep");
    const spec = { replicas: 1, selector: { matchLabels: { app: "web" } }, template: template("web") };
    expect((await api.post("/apis/apps/v1/namespaces/dep/deployments", { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, spec })).status).toBe(201);
    const rsFailure = await until(async () => {
      const items = (await api.get("/apis/apps/v1/namespaces/dep/replicasets")).json.items as Obj[];
      return (items[0]?.status?.conditions as Obj[] | undefined)?.find((c) => c.type === "ReplicaFailure");
    });
    const failure = await until(async () => ((await api.get("/apis/apps/v1/namespaces/dep/deployments/web")).json.status?.conditions as Obj[] | undefined)?.find((c) => c.type === "ReplicaFailure"));
    expect(failure).toEqual({ type: "ReplicaFailure", status: "True", reason: "FailedCreate", message: rsFailure.message, lastUpdateTime: rsFailure.lastTransitionTime, lastTransitionTime: rsFailure.lastTransitionTime });
    expect(failure.message).toMatch(refusal("web-[a-z0-9]+-[a-z0-9]{5}"));

    await relax("dep");
    const rs = ((await api.get("/apis/apps/v1/namespaces/dep/replicasets")).json.items as Obj[])[0]!;
    await api.patch(`/apis/apps/v1/namespaces/dep/replicasets/${rs.metadata.name}`, { metadata: { annotations: { nudged: "1" } } }, "merge");
    const cleared = await until(async () => {
      const d = (await api.get("/apis/apps/v1/namespaces/dep/deployments/web")).json;
      return d.status?.updatedReplicas === 1 && !(d.status.conditions as Obj[]).some((c) => c.type === "ReplicaFailure") ? d : undefined;
    });
    expect((cleared.status.conditions as Obj[]).map((c) => c.type)).not.toContain("ReplicaFailure");
  });

  const [kubectl] = kubectlVersions(["1.33", "1.32"]);
  it.skipIf(!kubectl)("kubectl rollout status reads only Progressing: it waits on a refused rollout until the progress deadline passes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kubezod-failed-create-"));
    const kubeconfig = await server.writeKubeconfig(join(dir, "kubeconfig"));
    await restricted("rollout");
    const spec = { replicas: 1, progressDeadlineSeconds: 60, selector: { matchLabels: { app: "web" } }, template: template("web") };
    expect((await api.post("/apis/apps/v1/namespaces/rollout/deployments", { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, spec })).status).toBe(201);
    await until(async () => ((await api.get("/apis/apps/v1/namespaces/rollout/deployments/web")).json.status?.conditions as Obj[] | undefined)?.find((c) => c.type === "ReplicaFailure"));
    const waiting = await runKubectl(kubectl!, dir, kubeconfig, ["rollout", "status", "deployment/web", "-n", "rollout", "--timeout=1s"]);
    expect(waiting.code).toBe(1);
    expect(waiting.stdout).toContain('Waiting for deployment "web" rollout to finish: 0 out of 1 new replicas have been updated...\n');
    expect(waiting.stdout).not.toContain("forbidden");

    clock += 61_000;
    await api.patch("/apis/apps/v1/namespaces/rollout/deployments/web", { metadata: { annotations: { nudged: "1" } } }, "merge");
    await until(async () => ((await api.get("/apis/apps/v1/namespaces/rollout/deployments/web")).json.status?.conditions as Obj[]).find((c) => c.type === "Progressing" && c.reason === "ProgressDeadlineExceeded"));
    const exceeded = await runKubectl(kubectl!, dir, kubeconfig, ["rollout", "status", "deployment/web", "-n", "rollout", "--timeout=5s"]);
    expect(exceeded.code).toBe(1);
    expect(exceeded.stderr).toBe('error: deployment "web" exceeded its progress deadline\n');
  });
});

describe("Job", () => {
  it("records FailedCreate with the refusal, shows no condition for it, and retries with backoff", async () => {
    await restricted("job");
    const job = { apiVersion: "batch/v1", kind: "Job", metadata: { name: "once" }, spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox" }] } } } };
    expect((await api.post("/apis/batch/v1/namespaces/job/jobs", job)).status).toBe(201);
    const failed = await failedCreate("job", "Job", "once");
    expect(failed).toMatchObject({ type: "Warning", source: { component: "job-controller" } });
    expect(failed.message).toMatch(/^Error creating: /);
    expect(failed.message.slice("Error creating: ".length)).toMatch(refusal("once-[a-z0-9]{5}"));
    const status = (await api.get("/apis/batch/v1/namespaces/job/jobs/once")).json.status;
    expect(status.conditions).toBeUndefined();
    expect(status.active).toBeUndefined();
    expect(await podsIn("job")).toEqual([]);

    const pod = await podAfterRelaxing("job");
    expect(pod.metadata.ownerReferences[0]).toMatchObject({ kind: "Job", name: "once" });
  });
  it("creates in slow-start batches (1, then 2): the pod after a refused one in the same batch is still created", async () => {
    // A policy refuses completion index 1 only; index 2 is in the same batch and is created, as in manageJob.
    const policy = {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingAdmissionPolicy",
      metadata: { name: "no-index-one" },
      spec: {
        failurePolicy: "Fail",
        matchConstraints: { resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods"] }] },
        validations: [{ expression: "!has(object.metadata.annotations) || !('batch.kubernetes.io/job-completion-index' in object.metadata.annotations) || object.metadata.annotations['batch.kubernetes.io/job-completion-index'] != '1'", message: "index 1 is refused" }],
      },
    };
    expect((await api.post("/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies", policy)).status).toBe(201);
    const binding = { apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingAdmissionPolicyBinding", metadata: { name: "no-index-one" }, spec: { policyName: "no-index-one", validationActions: ["Deny"], matchResources: { namespaceSelector: { matchLabels: { "slow-start": "yes" } } } } };
    expect((await api.post("/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings", binding)).status).toBe(201);
    expect((await api.post("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "batch", labels: { "slow-start": "yes" } } })).status).toBe(201);
    const job = { apiVersion: "batch/v1", kind: "Job", metadata: { name: "wide" }, spec: { completionMode: "Indexed", parallelism: 3, completions: 3, template: { metadata: { labels: { hold: "yes" } }, spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox" }] } } } };
    expect((await api.post("/apis/batch/v1/namespaces/batch/jobs", job)).status).toBe(201);
    const indexes = await until(async () => {
      const found = (await podsIn("batch")).map((p) => p.metadata.annotations["batch.kubernetes.io/job-completion-index"] as string).sort();
      return found.length === 2 ? found : undefined;
    });
    expect(indexes).toEqual(["0", "2"]);
    const failed = (await eventsOf("batch", "Job", "wide")).find((e) => e.reason === "FailedCreate");
    expect(failed!.message).toMatch(/^Error creating: pods "wide-[a-z0-9-]+" is forbidden: ValidatingAdmissionPolicy .* denied request: index 1 is refused$/);
  });
});

describe("DaemonSet", () => {
  it("records FailedCreate with the refusal and retries", async () => {
    await restricted("ds");
    const ds = { apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "agent" }, spec: { selector: { matchLabels: { app: "agent" } }, template: template("agent") } };
    expect((await api.post("/apis/apps/v1/namespaces/ds/daemonsets", ds)).status).toBe(201);
    const failed = await failedCreate("ds", "DaemonSet", "agent");
    expect(failed).toMatchObject({ type: "Warning", source: { component: "daemonset-controller" } });
    expect(failed.message.slice("Error creating: ".length)).toMatch(refusal("agent-[a-z0-9]{5}"));
    expect(failed.message.startsWith("Error creating: ")).toBe(true);
    expect(await podsIn("ds")).toEqual([]);

    const pod = await podAfterRelaxing("ds");
    expect(pod.metadata.ownerReferences[0]).toMatchObject({ kind: "DaemonSet", name: "agent" });
  });
});

describe("StatefulSet", () => {
  it("records stateful_pod_control's FailedCreate and retries", async () => {
    await restricted("sts");
    const set = { apiVersion: "apps/v1", kind: "StatefulSet", metadata: { name: "db" }, spec: { serviceName: "db", replicas: 1, selector: { matchLabels: { app: "db" } }, template: template("db") } };
    expect((await api.post("/apis/apps/v1/namespaces/sts/statefulsets", set)).status).toBe(201);
    const failed = await failedCreate("sts", "StatefulSet", "db");
    expect(failed).toMatchObject({ type: "Warning", source: { component: "statefulset-controller" } });
    const prefix = "create Pod db-0 in StatefulSet db failed error: ";
    expect(failed.message.startsWith(prefix)).toBe(true);
    expect(failed.message.slice(prefix.length)).toMatch(refusal("db-0"));

    const pod = await podAfterRelaxing("sts");
    expect(pod.metadata.name).toBe("db-0");
  });
});

describe("CronJob", () => {
  it("records `Error creating job` with the quota's refusal and keeps lastScheduleTime unset", async () => {
    expect((await api.post("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "cron" } })).status).toBe(201);
    const quota = { apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "no-jobs" }, spec: { hard: { "count/jobs.batch": "0" } } };
    expect((await api.post("/api/v1/namespaces/cron/resourcequotas", quota)).status).toBe(201);
    await until(async () => (await api.get("/api/v1/namespaces/cron/resourcequotas/no-jobs")).json.status?.hard);
    const cj = { apiVersion: "batch/v1", kind: "CronJob", metadata: { name: "tick" }, spec: { schedule: "* * * * *", jobTemplate: { spec: { template: { spec: { restartPolicy: "OnFailure", containers: [{ name: "c", image: "busybox" }] } } } } } };
    expect((await api.post("/apis/batch/v1/namespaces/cron/cronjobs", cj)).status).toBe(201);
    const createdAt = Date.parse((await api.get("/apis/batch/v1/namespaces/cron/cronjobs/tick")).json.metadata.creationTimestamp);
    clock = Math.max(clock + 60_000, Math.ceil((createdAt + 1) / 60_000) * 60_000 + 30_000);
    await api.patch("/apis/batch/v1/namespaces/cron/cronjobs/tick", { metadata: { labels: { nudged: "1" } } }, "merge");
    const jobName = `tick-${Math.floor(clock / 60_000)}`;
    const failed = await until(async () => (await eventsOf("cron", "CronJob", "tick")).find((e) => e.reason === "FailedCreate" && e.message.includes(`"${jobName}"`)));
    // The same Job posted directly is refused with the message the controller reports.
    const direct = await api.post("/apis/batch/v1/namespaces/cron/jobs", { apiVersion: "batch/v1", kind: "Job", metadata: { name: jobName }, spec: cj.spec.jobTemplate.spec });
    expect(direct.status).toBe(403);
    expect(failed).toMatchObject({ type: "Warning", source: { component: "cronjob-controller" }, message: `Error creating job: ${direct.json.message}` });
    expect(direct.json.message).toMatch(new RegExp(`^jobs.batch "${jobName}" is forbidden: exceeded quota: no-jobs`));
    const status = (await api.get("/apis/batch/v1/namespaces/cron/cronjobs/tick")).json.status ?? {};
    expect(status.lastScheduleTime).toBeUndefined();
    expect(status.active).toBeUndefined();
  });
});
