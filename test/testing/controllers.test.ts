/**
 * The simulated cluster's controllers and kubelet. Expected names, labels, annotations, reasons
 * and messages are those of kubernetes/kubernetes' controllers (pkg/controller/*) and kubelet.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { client, type Client } from "./helpers.js";

let server: TestServer;
let api: Client;
// The controllers' clock: half a minute past the current minute, moved by the CronJob test.
let clock = Math.floor(Date.now() / 60_000) * 60_000 + 30_000;

const web = (name: string, replicas: number, image = "nginx:1.25", extra: Record<string, unknown> = {}) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name },
  spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "main", image, ports: [{ name: "http", containerPort: 8080 }] }] } }, ...extra },
});

const podsOf = async (selector: string) => (await api.get(`/api/v1/namespaces/default/pods?labelSelector=${encodeURIComponent(selector)}`)).json.items as any[];

beforeAll(async () => {
  server = await startTestServer({
    kubernetesVersion: "1.32",
    controllers: {
      now: () => clock,
      pods: (pod) => (pod.metadata.labels?.outcome === "fail" ? { exitCode: 1 } : pod.metadata.labels?.app === "slow" ? { ready: false } : undefined),
    },
  });
  api = client(server);
});
afterAll(async () => {
  await api.close();
  await server.close();
});

describe("nodes, scheduler and kubelet", () => {
  it("registers a Ready node with the kubelet's conditions and node info", async () => {
    const node = (await api.get("/api/v1/nodes/kubezod-node")).json;
    expect(node.metadata.labels).toMatchObject({ "kubernetes.io/hostname": "kubezod-node", "kubernetes.io/os": "linux" });
    expect(node.status.conditions.map((c: any) => [c.type, c.status, c.reason])).toEqual([
      ["MemoryPressure", "False", "KubeletHasSufficientMemory"],
      ["DiskPressure", "False", "KubeletHasNoDiskPressure"],
      ["PIDPressure", "False", "KubeletHasSufficientPID"],
      ["Ready", "True", "KubeletReady"],
    ]);
    expect(node.status.nodeInfo.kubeletVersion).toBe("v1.32.0");
  });

  it("schedules a pod, runs it and reports what a kubelet reports", async () => {
    await api.post("/api/v1/namespaces/default/pods", { apiVersion: "v1", kind: "Pod", metadata: { name: "solo" }, spec: { containers: [{ name: "c", image: "busybox" }] } });
    await server.settle();
    const pod = (await api.get("/api/v1/namespaces/default/pods/solo")).json;
    expect(pod.spec.nodeName).toBe("kubezod-node");
    expect(pod.status.phase).toBe("Running");
    expect(pod.status.conditions.map((c: any) => `${c.type}=${c.status}`)).toEqual(["PodReadyToStartContainers=True", "Initialized=True", "Ready=True", "ContainersReady=True", "PodScheduled=True"]);
    expect(pod.status.podIP).toMatch(/^10\.244\.\d+\.\d+$/);
    expect(pod.status.hostIP).toBe("172.18.0.2");
    expect(pod.status.containerStatuses[0]).toMatchObject({ name: "c", ready: true, started: true, restartCount: 0, image: "docker.io/library/busybox:latest", state: { running: {} } });
    expect(pod.status.containerStatuses[0].containerID).toMatch(/^containerd:\/\/[0-9a-f]{64}$/);
    const events = (await api.get("/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dsolo")).json.items.map((e: any) => `${e.reason}: ${e.message}`);
    expect(events).toEqual(["Scheduled: Successfully assigned default/solo to kubezod-node", 'Pulled: Container image "busybox" already present on machine', "Created: Created container: c", "Started: Started container c"]);
  });

  it("leaves a pod no node fits Pending and Unschedulable, with the scheduler's message", async () => {
    await api.post("/api/v1/namespaces/default/pods", { apiVersion: "v1", kind: "Pod", metadata: { name: "picky" }, spec: { nodeSelector: { disk: "ssd" }, containers: [{ name: "c", image: "busybox" }] } });
    await server.settle();
    const pod = (await api.get("/api/v1/namespaces/default/pods/picky")).json;
    expect(pod.status.phase).toBe("Pending");
    expect(pod.status.conditions[0]).toMatchObject({
      type: "PodScheduled",
      status: "False",
      reason: "Unschedulable",
      message: "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.",
    });
  });

  it("runs pods as scripted: not ready, crash looping, changed at run time", async () => {
    await api.post("/api/v1/namespaces/default/pods", { apiVersion: "v1", kind: "Pod", metadata: { name: "slow", labels: { app: "slow" } }, spec: { containers: [{ name: "c", image: "busybox" }] } });
    await server.settle();
    let pod = (await api.get("/api/v1/namespaces/default/pods/slow")).json;
    expect(pod.status.conditions.find((c: any) => c.type === "Ready")).toMatchObject({ status: "False", reason: "ContainersNotReady", message: "containers with unready status: [c]" });
    server.scriptPod("default", "slow", { exitCode: 2 });
    await server.settle();
    pod = (await api.get("/api/v1/namespaces/default/pods/slow")).json;
    expect(pod.status.containerStatuses[0]).toMatchObject({ restartCount: 1, state: { waiting: { reason: "CrashLoopBackOff" } }, lastState: { terminated: { exitCode: 2, reason: "Error" } } });
  });
});

describe("Deployments and ReplicaSets", () => {
  it("rolls out: ReplicaSet with pod-template-hash, owner references, revision annotations, conditions", async () => {
    await api.post("/apis/apps/v1/namespaces/default/deployments", web("web", 3));
    await server.settle();
    const d = (await api.get("/apis/apps/v1/namespaces/default/deployments/web")).json;
    expect(d.metadata.annotations["deployment.kubernetes.io/revision"]).toBe("1");
    expect(d.status).toMatchObject({ observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 });
    expect(d.status.conditions.map((c: any) => [c.type, c.status, c.reason])).toEqual([
      ["Available", "True", "MinimumReplicasAvailable"],
      ["Progressing", "True", "NewReplicaSetAvailable"],
    ]);
    const [rs] = (await api.get("/apis/apps/v1/namespaces/default/replicasets?labelSelector=app%3Dweb")).json.items;
    const hash = rs.metadata.labels["pod-template-hash"];
    expect(rs.metadata.name).toBe(`web-${hash}`);
    expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]+$/);
    expect(rs.spec.selector.matchLabels).toEqual({ app: "web", "pod-template-hash": hash });
    expect(rs.metadata.annotations).toMatchObject({ "deployment.kubernetes.io/revision": "1", "deployment.kubernetes.io/desired-replicas": "3", "deployment.kubernetes.io/max-replicas": "4" });
    expect(rs.metadata.ownerReferences).toEqual([{ apiVersion: "apps/v1", kind: "Deployment", name: "web", uid: d.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    const pods = await podsOf("app=web");
    expect(pods).toHaveLength(3);
    for (const p of pods) {
      expect(p.metadata.name).toMatch(new RegExp(`^web-${hash}-[a-z0-9]{5}$`));
      expect(p.metadata.ownerReferences[0]).toMatchObject({ kind: "ReplicaSet", name: rs.metadata.name, controller: true });
    }
    expect(d.status.conditions[1].message).toBe(`ReplicaSet "web-${hash}" has successfully progressed.`);
  });

  it("a new template makes a new revision; undo brings the old ReplicaSet back as the next revision", async () => {
    await api.patch("/apis/apps/v1/namespaces/default/deployments/web", { spec: { template: { spec: { containers: [{ name: "main", image: "nginx:1.27" }] } } } }, "strategic");
    await server.settle();
    let rss = (await api.get("/apis/apps/v1/namespaces/default/replicasets?labelSelector=app%3Dweb")).json.items;
    expect(rss.map((r: any) => [r.metadata.annotations["deployment.kubernetes.io/revision"], r.spec.replicas]).sort()).toEqual([
      ["1", 0],
      ["2", 3],
    ]);
    const pods = await podsOf("app=web");
    expect(pods.map((p: any) => p.spec.containers[0].image)).toEqual(["nginx:1.27", "nginx:1.27", "nginx:1.27"]);
    // What kubectl rollout undo does: the old template back in the deployment.
    await api.patch("/apis/apps/v1/namespaces/default/deployments/web", { spec: { template: { spec: { containers: [{ name: "main", image: "nginx:1.25" }] } } } }, "strategic");
    await server.settle();
    rss = (await api.get("/apis/apps/v1/namespaces/default/replicasets?labelSelector=app%3Dweb")).json.items;
    const back = rss.find((r: any) => r.spec.template.spec.containers[0].image === "nginx:1.25");
    expect(back.metadata.annotations).toMatchObject({ "deployment.kubernetes.io/revision": "3", "deployment.kubernetes.io/revision-history": "1" });
    expect(back.spec.replicas).toBe(3);
    expect((await api.get("/apis/apps/v1/namespaces/default/deployments/web")).json.metadata.annotations["deployment.kubernetes.io/revision"]).toBe("3");
  });

  it("pauses (Progressing Unknown, DeploymentPaused) and resumes; scales while paused", async () => {
    await api.patch("/apis/apps/v1/namespaces/default/deployments/web", { spec: { paused: true } }, "merge");
    await server.settle();
    let d = (await api.get("/apis/apps/v1/namespaces/default/deployments/web")).json;
    expect(d.status.conditions.find((c: any) => c.type === "Progressing")).toMatchObject({ status: "Unknown", reason: "DeploymentPaused", message: "Deployment is paused" });
    await api.patch("/apis/apps/v1/namespaces/default/deployments/web", { spec: { replicas: 4, template: { spec: { containers: [{ name: "main", image: "nginx:1.28" }] } } } }, "strategic");
    await server.settle();
    expect((await podsOf("app=web")).map((p: any) => p.spec.containers[0].image)).toEqual(["nginx:1.25", "nginx:1.25", "nginx:1.25", "nginx:1.25"]);
    await api.patch("/apis/apps/v1/namespaces/default/deployments/web", { spec: { paused: false } }, "merge");
    await server.settle();
    d = (await api.get("/apis/apps/v1/namespaces/default/deployments/web")).json;
    expect(d.status).toMatchObject({ replicas: 4, updatedReplicas: 4, availableReplicas: 4 });
    expect((await podsOf("app=web")).map((p: any) => p.spec.containers[0].image)).toEqual(["nginx:1.28", "nginx:1.28", "nginx:1.28", "nginx:1.28"]);
  });

  it("keeps no more old ReplicaSets than revisionHistoryLimit", async () => {
    await api.post("/apis/apps/v1/namespaces/default/deployments", web("short", 1, "nginx:1", { revisionHistoryLimit: 1 }));
    for (const tag of ["2", "3", "4"]) {
      await server.settle();
      await api.patch("/apis/apps/v1/namespaces/default/deployments/short", { spec: { template: { spec: { containers: [{ name: "main", image: `nginx:${tag}` }] } } } }, "strategic");
    }
    await server.settle();
    const rss = (await api.get("/apis/apps/v1/namespaces/default/replicasets?labelSelector=app%3Dshort")).json.items;
    expect(rss.map((r: any) => r.metadata.annotations["deployment.kubernetes.io/revision"]).sort()).toEqual(["3", "4"]);
  });

  it("reports minimum availability missing while pods are not ready", async () => {
    await api.post("/apis/apps/v1/namespaces/default/deployments", web("slow", 2));
    await server.settle();
    const d = (await api.get("/apis/apps/v1/namespaces/default/deployments/slow")).json;
    expect(d.status.conditions.find((c: any) => c.type === "Available")).toMatchObject({ status: "False", reason: "MinimumReplicasUnavailable", message: "Deployment does not have minimum availability." });
    expect(d.status.unavailableReplicas).toBe(2);
  });

  it("combines a ReplicaSet's similar events and drops past 25, as client-go's event correlator does", async () => {
    const rs = web("many", 30);
    await api.post("/apis/apps/v1/namespaces/default/replicasets", { ...rs, kind: "ReplicaSet" });
    await server.settle();
    const events = (await api.get("/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dmany")).json.items as any[];
    const created = events.filter((e) => e.reason === "SuccessfulCreate");
    // Nine distinct messages are written as they are; from the tenth on they are combined into one
    // Event; the spam filter lets 25 writes through (9 + 16 counts of the combined Event).
    expect(created.filter((e) => /^Created pod: many-[a-z0-9]{5}$/.test(e.message)).map((e) => e.count)).toEqual(Array(9).fill(1));
    const combined = created.filter((e) => e.message.startsWith("(combined from similar events): Created pod: many-"));
    expect(combined.map((e) => e.count)).toEqual([16]);
    expect((await podsOf("app=many")).length).toBe(30);
  });
});

describe("StatefulSets and DaemonSets", () => {
  it("creates ordered pods with stable names, claims and a revision", async () => {
    await api.post("/apis/apps/v1/namespaces/default/statefulsets", {
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: { name: "db" },
      spec: {
        serviceName: "db",
        replicas: 2,
        selector: { matchLabels: { app: "db" } },
        template: { metadata: { labels: { app: "db" } }, spec: { containers: [{ name: "pg", image: "postgres:16" }] } },
        volumeClaimTemplates: [{ metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } }],
      },
    });
    await server.settle();
    const pods = await podsOf("app=db");
    expect(pods.map((p: any) => p.metadata.name)).toEqual(["db-0", "db-1"]);
    const set = (await api.get("/apis/apps/v1/namespaces/default/statefulsets/db")).json;
    expect(pods[1].metadata.labels).toMatchObject({ "statefulset.kubernetes.io/pod-name": "db-1", "apps.kubernetes.io/pod-index": "1", "controller-revision-hash": set.status.updateRevision });
    expect(pods[1].spec).toMatchObject({ hostname: "db-1", subdomain: "db" });
    // The claim's volume, then the ServiceAccount admission plugin's projected token volume.
    expect(pods[1].spec.volumes[0]).toEqual({ name: "data", persistentVolumeClaim: { claimName: "data-db-1" } });
    expect(pods[1].spec.volumes.map((v: { name: string }) => v.name)).toEqual(["data", expect.stringMatching(/^kube-api-access-[a-z0-9]{5}$/)]);
    expect(set.status).toMatchObject({ replicas: 2, readyReplicas: 2, currentReplicas: 2, updatedReplicas: 2, availableReplicas: 2 });
    expect(set.status.currentRevision).toBe(set.status.updateRevision);
    const claim = (await api.get("/api/v1/namespaces/default/persistentvolumeclaims/data-db-0")).json;
    // As on kind: the default class's provisioner made a volume on the pod's node, bound to the claim.
    expect(claim.spec.storageClassName).toBe("standard");
    expect(claim.status.phase).toBe("Bound");
    expect((await api.get(`/api/v1/persistentvolumes/${claim.spec.volumeName}`)).json.status.phase).toBe("Bound");
    const revisions = (await api.get("/apis/apps/v1/namespaces/default/controllerrevisions")).json.items.filter((r: any) => r.metadata.ownerReferences?.[0]?.name === "db");
    expect(revisions.map((r: any) => [r.metadata.name, r.revision])).toEqual([[set.status.updateRevision, 1]]);
  });

  it("runs one DaemonSet pod per node, pinned by node affinity", async () => {
    await api.post("/apis/apps/v1/namespaces/default/daemonsets", {
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: { name: "agent" },
      spec: { selector: { matchLabels: { app: "agent" } }, template: { metadata: { labels: { app: "agent" } }, spec: { containers: [{ name: "a", image: "busybox" }] } } },
    });
    await server.settle();
    const [pod] = await podsOf("app=agent");
    expect(pod.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([{ matchFields: [{ key: "metadata.name", operator: "In", values: ["kubezod-node"] }] }]);
    expect(pod.spec.tolerations).toContainEqual({ key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute" });
    const ds = (await api.get("/apis/apps/v1/namespaces/default/daemonsets/agent")).json;
    expect(ds.status).toMatchObject({ desiredNumberScheduled: 1, currentNumberScheduled: 1, numberReady: 1, updatedNumberScheduled: 1, numberAvailable: 1, numberMisscheduled: 0 });
  });
});

describe("Jobs and CronJobs", () => {
  const job = (name: string, labels: Record<string, string> = {}, spec: Record<string, unknown> = {}) => ({
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name },
    spec: { template: { metadata: { labels }, spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox" }] } }, ...spec },
  });

  it("completes: SuccessCriteriaMet then Complete (1.31+), with the controller's reason and message", async () => {
    await api.post("/apis/batch/v1/namespaces/default/jobs", job("ok", {}, { completions: 2, parallelism: 1 }));
    await server.settle();
    const j = (await api.get("/apis/batch/v1/namespaces/default/jobs/ok")).json;
    expect(j.status).toMatchObject({ succeeded: 2, ready: 0, terminating: 0, uncountedTerminatedPods: {} });
    expect(j.status.conditions.map((c: any) => [c.type, c.status, c.reason, c.message])).toEqual([
      ["SuccessCriteriaMet", "True", "CompletionsReached", "Reached expected number of succeeded pods"],
      ["Complete", "True", "CompletionsReached", "Reached expected number of succeeded pods"],
    ]);
    const pods = await podsOf("job-name=ok");
    expect(pods).toHaveLength(2);
    expect(pods[0].metadata.labels).toMatchObject({ "batch.kubernetes.io/job-name": "ok", "batch.kubernetes.io/controller-uid": j.metadata.uid });
    expect(pods.every((p: any) => p.status.phase === "Succeeded")).toBe(true);
  });

  it("fails after backoffLimit failed pods: FailureTarget then Failed", async () => {
    await api.post("/apis/batch/v1/namespaces/default/jobs", job("bad", { outcome: "fail" }, { backoffLimit: 1 }));
    await server.settle();
    const j = (await api.get("/apis/batch/v1/namespaces/default/jobs/bad")).json;
    expect(j.status.failed).toBe(2);
    expect(j.status.conditions.map((c: any) => [c.type, c.reason, c.message])).toEqual([
      ["FailureTarget", "BackoffLimitExceeded", "Job has reached the specified backoff limit"],
      ["Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit"],
    ]);
  });

  it("creates a Job per scheduled minute on the controllers' clock", async () => {
    await api.post("/apis/batch/v1/namespaces/default/cronjobs", {
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name: "tick" },
      spec: { schedule: "* * * * *", jobTemplate: { spec: { template: { spec: { restartPolicy: "OnFailure", containers: [{ name: "c", image: "busybox" }] } } } } },
    });
    await server.settle();
    expect((await api.get("/apis/batch/v1/namespaces/default/jobs?labelSelector=")).json.items.filter((j: any) => j.metadata.name.startsWith("tick-"))).toHaveLength(0);
    // A minute on, and past the first scheduled minute after the CronJob's creation (stamped by the real clock).
    const createdAt = Date.parse((await api.get("/apis/batch/v1/namespaces/default/cronjobs/tick")).json.metadata.creationTimestamp);
    clock = Math.max(clock + 60_000, Math.ceil((createdAt + 1) / 60_000) * 60_000 + 30_000);
    await api.patch("/apis/batch/v1/namespaces/default/cronjobs/tick", { metadata: { labels: { nudged: "1" } } }, "merge");
    await server.settle();
    const minute = Math.floor(clock / 60_000);
    const at = new Date(minute * 60_000).toISOString().replace(".000Z", "Z");
    const created = (await api.get(`/apis/batch/v1/namespaces/default/jobs/tick-${minute}`)).json;
    expect(created.metadata.annotations["batch.kubernetes.io/cronjob-scheduled-timestamp"]).toBe(at);
    expect(created.metadata.ownerReferences[0]).toMatchObject({ kind: "CronJob", name: "tick", controller: true });
    const cj = (await api.get("/apis/batch/v1/namespaces/default/cronjobs/tick")).json;
    expect(cj.status.lastScheduleTime).toBe(at);
  });
});

describe("Services, namespaces and service accounts", () => {
  it("gives a Service Endpoints and an EndpointSlice of its ready pods, named ports resolved", async () => {
    await api.post("/api/v1/namespaces/default/services", { apiVersion: "v1", kind: "Service", metadata: { name: "web" }, spec: { selector: { app: "web" }, ports: [{ name: "http", port: 80, targetPort: "http" }] } });
    await server.settle();
    const ep = (await api.get("/api/v1/namespaces/default/endpoints/web")).json;
    expect(ep.subsets[0].addresses).toHaveLength(4);
    expect(ep.subsets[0].ports).toEqual([{ name: "http", port: 8080, protocol: "TCP" }]);
    const [slice] = (await api.get("/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dweb")).json.items;
    expect(slice.metadata.name).toMatch(/^web-[a-z0-9]{5}$/);
    expect(slice.metadata.labels["endpointslice.kubernetes.io/managed-by"]).toBe("endpointslice-controller.k8s.io");
    expect(slice.endpoints).toHaveLength(4);
    expect(slice.endpoints[0]).toMatchObject({ conditions: { ready: true, serving: true, terminating: false }, nodeName: "kubezod-node", targetRef: { kind: "Pod" } });
    expect(slice.ports).toEqual([{ name: "http", port: 8080, protocol: "TCP" }]);
  });

  it("gives every namespace a default ServiceAccount and kube-root-ca.crt; fills token Secrets", async () => {
    await api.post("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "team" } });
    await server.settle();
    expect((await api.get("/api/v1/namespaces/team/serviceaccounts/default")).status).toBe(200);
    const ca = (await api.get("/api/v1/namespaces/team/configmaps/kube-root-ca.crt")).json;
    expect(ca.data["ca.crt"]).toBe(server.caCertificate);
    await api.post("/api/v1/namespaces/team/secrets", { apiVersion: "v1", kind: "Secret", metadata: { name: "legacy", annotations: { "kubernetes.io/service-account.name": "default" } }, type: "kubernetes.io/service-account-token" });
    await server.settle();
    const secret = (await api.get("/api/v1/namespaces/team/secrets/legacy")).json;
    expect(Object.keys(secret.data).sort()).toEqual(["ca.crt", "namespace", "token"]);
    const token = Buffer.from(secret.data.token, "base64").toString();
    const whoami = await api.req("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", { body: { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" }, token });
    expect(whoami.json.status.userInfo.username).toBe("system:serviceaccount:team:default");
  });

  it("reports a terminating namespace's progress in its conditions", async () => {
    await api.post("/api/v1/namespaces/team/configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "held", finalizers: ["example.com/hold"] } });
    await api.del("/api/v1/namespaces/team");
    await server.settle();
    const ns = (await api.get("/api/v1/namespaces/team")).json;
    expect(ns.status.phase).toBe("Terminating");
    const byType = Object.fromEntries(ns.status.conditions.map((c: any) => [c.type, c]));
    expect(byType.NamespaceContentRemaining).toMatchObject({ status: "True", reason: "SomeResourcesRemain", message: "Some resources are remaining: configmaps has 1 resource instances" });
    expect(byType.NamespaceFinalizersRemaining).toMatchObject({ status: "True", reason: "SomeFinalizersRemain", message: "Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances" });
    await api.patch("/api/v1/namespaces/team/configmaps/held", { metadata: { finalizers: null } }, "merge");
    await server.settle();
    expect((await api.get("/api/v1/namespaces/team")).status).toBe(404);
  });
});

describe("a bare API", () => {
  it("runs no controllers when switched off", async () => {
    const bare = await startTestServer({ kubernetesVersion: "1.32", controllers: false });
    const c = client(bare);
    try {
      await c.post("/apis/apps/v1/namespaces/default/deployments", web("idle", 2));
      await bare.settle();
      expect((await c.get("/apis/apps/v1/namespaces/default/replicasets")).json.items).toEqual([]);
      expect((await c.get("/api/v1/nodes")).json.items).toEqual([]);
      expect((await c.get("/api/v1/namespaces/default/configmaps")).json.items).toEqual([]);
    } finally {
      await c.close();
      await bare.close();
    }
  });

  it("switches single controllers off", async () => {
    const partial = await startTestServer({ kubernetesVersion: "1.32", controllers: { kubelet: false } });
    const c = client(partial);
    try {
      await c.post("/apis/apps/v1/namespaces/default/deployments", web("unstarted", 1));
      await partial.settle();
      const pods = (await c.get("/api/v1/namespaces/default/pods")).json.items;
      expect(pods).toHaveLength(1);
      expect(pods[0].status.phase).toBe("Pending");
    } finally {
      await c.close();
      await partial.close();
    }
  });
});
