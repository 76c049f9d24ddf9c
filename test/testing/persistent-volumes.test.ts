/**
 * Persistent volumes in the simulated cluster, as on a kind cluster: kube-controller-manager's
 * PersistentVolume controller (pkg/controller/volume/persistentvolume: pv_controller.go
 * syncClaim/syncVolume/bind, k8s.io/component-helpers storage/volume FindMatchingVolume), the
 * scheduler's VolumeBinding plugin (pkg/scheduler/framework/plugins/volumebinding), the
 * pvc-protection and pv-protection controllers with the StorageObjectInUseProtection admission
 * plugin, and kind's `standard` StorageClass served by rancher.io/local-path-provisioner.
 * Messages are those the components write.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { client, type Client } from "./helpers.js";

let server: TestServer;
let api: Client;

beforeAll(async () => {
  server = await startTestServer({ kubernetesVersion: "1.33" });
  api = client(server);
});
afterAll(async () => {
  await api.close();
  await server.close();
});

const NS = "/api/v1/namespaces/default";
const claim = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: "v1",
  kind: "PersistentVolumeClaim",
  metadata: { name },
  spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } }, ...spec },
});
const volume = (name: string, spec: Record<string, unknown> = {}, labels: Record<string, string> = {}) => ({
  apiVersion: "v1",
  kind: "PersistentVolume",
  metadata: { name, labels },
  spec: { capacity: { storage: "5Gi" }, accessModes: ["ReadWriteOnce"], hostPath: { path: `/data/${name}` }, ...spec },
});
const pod = (name: string, claimName: string) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name },
  spec: { containers: [{ name: "c", image: "busybox" }], volumes: [{ name: "data", persistentVolumeClaim: { claimName } }] },
});
const eventsOf = async (kind: string, name: string) =>
  (await api.get(`${NS}/events?fieldSelector=${encodeURIComponent(`involvedObject.kind=${kind},involvedObject.name=${name}`)}`)).json.items.map((e: any) => [e.type, e.reason, e.message, e.source.component]);

describe("the default StorageClass and its provisioner", () => {
  it("serves kind's `standard` class", async () => {
    const sc = (await api.get("/apis/storage.k8s.io/v1/storageclasses/standard")).json;
    expect(sc).toMatchObject({ provisioner: "rancher.io/local-path", reclaimPolicy: "Delete", volumeBindingMode: "WaitForFirstConsumer", metadata: { annotations: { "storageclass.kubernetes.io/is-default-class": "true" } } });
  });

  it("gives a claim without a class the default class and the protection finalizer, and waits for a consumer", async () => {
    expect((await api.post(`${NS}/persistentvolumeclaims`, claim("wait"))).status).toBe(201);
    await server.settle();
    const pvc = (await api.get(`${NS}/persistentvolumeclaims/wait`)).json;
    expect(pvc.spec.storageClassName).toBe("standard");
    expect(pvc.metadata.finalizers).toEqual(["kubernetes.io/pvc-protection"]);
    expect(pvc.status.phase).toBe("Pending");
    expect(await eventsOf("PersistentVolumeClaim", "wait")).toEqual([["Normal", "WaitForFirstConsumer", "waiting for first consumer to be created before binding", "persistentvolume-controller"]]);
  });

  it("provisions a volume on the pod's node once the pod is scheduled, binds the claim, then runs the pod", async () => {
    await api.post(`${NS}/pods`, pod("user", "wait"));
    await server.settle();
    const pvc = (await api.get(`${NS}/persistentvolumeclaims/wait`)).json;
    const pvName = `pvc-${pvc.metadata.uid}`;
    expect(pvc.metadata.annotations).toMatchObject({
      "volume.kubernetes.io/selected-node": "kubezod-node",
      "volume.kubernetes.io/storage-provisioner": "rancher.io/local-path",
      "volume.beta.kubernetes.io/storage-provisioner": "rancher.io/local-path",
      "pv.kubernetes.io/bind-completed": "yes",
      "pv.kubernetes.io/bound-by-controller": "yes",
    });
    expect(pvc.spec.volumeName).toBe(pvName);
    expect(pvc.status).toEqual({ phase: "Bound", accessModes: ["ReadWriteOnce"], capacity: { storage: "1Gi" } });
    const pv = (await api.get(`/api/v1/persistentvolumes/${pvName}`)).json;
    expect(pv.metadata.finalizers).toEqual(["kubernetes.io/pv-protection"]);
    expect(pv.metadata.annotations).toEqual({ "local.path.provisioner/selected-node": "kubezod-node", "pv.kubernetes.io/provisioned-by": "rancher.io/local-path" });
    expect(pv.spec).toMatchObject({
      storageClassName: "standard",
      persistentVolumeReclaimPolicy: "Delete",
      hostPath: { path: `/var/local-path-provisioner/${pvName}_default_wait`, type: "DirectoryOrCreate" },
      nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: ["kubezod-node"] }] }] } },
      claimRef: { kind: "PersistentVolumeClaim", namespace: "default", name: "wait", uid: pvc.metadata.uid, apiVersion: "v1" },
    });
    expect(pv.status.phase).toBe("Bound");
    const events = (await eventsOf("PersistentVolumeClaim", "wait")).map((e: string[]) => e.slice(0, 3));
    expect(events).toContainEqual(["Normal", "ExternalProvisioning", "Waiting for a volume to be created either by the external provisioner 'rancher.io/local-path' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered."]);
    expect(events).toContainEqual(["Normal", "Provisioning", 'External provisioner is provisioning volume for claim "default/wait"']);
    expect(events).toContainEqual(["Normal", "ProvisioningSucceeded", `Successfully provisioned volume ${pvName}`]);
    const running = (await api.get(`${NS}/pods/user`)).json;
    expect(running.spec.nodeName).toBe("kubezod-node");
    expect(running.status.phase).toBe("Running");
  });

  it("keeps a claim in use Terminating until its pod is gone, then deletes the claim and its volume", async () => {
    const pvName = (await api.get(`${NS}/persistentvolumeclaims/wait`)).json.spec.volumeName;
    expect((await api.del(`${NS}/persistentvolumeclaims/wait`)).status).toBe(200);
    await server.settle();
    const terminating = (await api.get(`${NS}/persistentvolumeclaims/wait`)).json;
    expect(terminating.metadata.deletionTimestamp).toBeTruthy();
    expect(terminating.metadata.finalizers).toEqual(["kubernetes.io/pvc-protection"]);
    await api.del(`${NS}/pods/user`, { kind: "DeleteOptions", apiVersion: "v1", gracePeriodSeconds: 0 });
    await server.settle();
    expect((await api.get(`${NS}/persistentvolumeclaims/wait`)).status).toBe(404);
    expect((await api.get(`/api/v1/persistentvolumes/${pvName}`)).status).toBe(404);
  });
});

describe("static binding", () => {
  it("makes a volume Available and binds a matching claim to the smallest volume that fits", async () => {
    await api.post("/api/v1/persistentvolumes", volume("big", { capacity: { storage: "10Gi" }, storageClassName: "" }));
    await api.post("/api/v1/persistentvolumes", volume("small", { capacity: { storage: "2Gi" }, storageClassName: "" }));
    await api.post("/api/v1/persistentvolumes", volume("other-mode", { capacity: { storage: "2Gi" }, storageClassName: "", accessModes: ["ReadOnlyMany"] }));
    await server.settle();
    expect((await api.get("/api/v1/persistentvolumes/big")).json.status.phase).toBe("Available");
    await api.post(`${NS}/persistentvolumeclaims`, claim("static", { storageClassName: "" }));
    await server.settle();
    const pvc = (await api.get(`${NS}/persistentvolumeclaims/static`)).json;
    expect(pvc.spec.volumeName).toBe("small");
    expect(pvc.status).toEqual({ phase: "Bound", accessModes: ["ReadWriteOnce"], capacity: { storage: "2Gi" } });
    const pv = (await api.get("/api/v1/persistentvolumes/small")).json;
    expect(pv.metadata.annotations).toEqual({ "pv.kubernetes.io/bound-by-controller": "yes" });
    expect(pv.spec.claimRef).toEqual({ kind: "PersistentVolumeClaim", namespace: "default", name: "static", uid: pvc.metadata.uid, apiVersion: "v1", resourceVersion: expect.any(String) });
    expect(pv.status.phase).toBe("Bound");
  });

  it("binds a claim to the volume it names, and a volume to the claim it names", async () => {
    await api.post(`${NS}/persistentvolumeclaims`, claim("named", { storageClassName: "", volumeName: "big" }));
    await api.post("/api/v1/persistentvolumes", volume("reserved", { storageClassName: "", claimRef: { namespace: "default", name: "reserved-for" } }));
    await api.post(`${NS}/persistentvolumeclaims`, claim("reserved-for", { storageClassName: "" }));
    await server.settle();
    const named = (await api.get(`${NS}/persistentvolumeclaims/named`)).json;
    expect(named.status.phase).toBe("Bound");
    expect(named.metadata.annotations).toEqual({ "pv.kubernetes.io/bind-completed": "yes" });
    expect((await api.get("/api/v1/persistentvolumes/big")).json.metadata.annotations).toEqual({ "pv.kubernetes.io/bound-by-controller": "yes" });
    expect((await api.get(`${NS}/persistentvolumeclaims/reserved-for`)).json.spec.volumeName).toBe("reserved");
    expect((await api.get("/api/v1/persistentvolumes/reserved")).json.metadata.annotations).toBeUndefined();
  });

  it("binds by label selector, and says when nothing matches a claim without a class", async () => {
    await api.post("/api/v1/persistentvolumes", volume("labelled", { storageClassName: "" }, { tier: "gold" }));
    await api.post(`${NS}/persistentvolumeclaims`, claim("gold", { storageClassName: "", selector: { matchLabels: { tier: "gold" } } }));
    await api.post(`${NS}/persistentvolumeclaims`, claim("platinum", { storageClassName: "", selector: { matchLabels: { tier: "platinum" } } }));
    await server.settle();
    expect((await api.get(`${NS}/persistentvolumeclaims/gold`)).json.spec.volumeName).toBe("labelled");
    expect((await api.get(`${NS}/persistentvolumeclaims/platinum`)).json.status.phase).toBe("Pending");
    expect(await eventsOf("PersistentVolumeClaim", "platinum")).toEqual([["Normal", "FailedBinding", "no persistent volumes available for this claim and no storage class is set", "persistentvolume-controller"]]);
  });

  it("releases a Retain volume when its claim goes", async () => {
    await api.post("/api/v1/persistentvolumes", volume("kept", { storageClassName: "keep", persistentVolumeReclaimPolicy: "Retain" }));
    await api.post(`${NS}/persistentvolumeclaims`, claim("keeper", { storageClassName: "keep" }));
    await server.settle();
    expect((await api.get("/api/v1/persistentvolumes/kept")).json.status.phase).toBe("Bound");
    await api.del(`${NS}/persistentvolumeclaims/keeper`);
    await server.settle();
    expect((await api.get(`${NS}/persistentvolumeclaims/keeper`)).status).toBe(404);
    const pv = (await api.get("/api/v1/persistentvolumes/kept")).json;
    expect(pv.status.phase).toBe("Released");
    await api.del("/api/v1/persistentvolumes/kept");
    await server.settle();
    expect((await api.get("/api/v1/persistentvolumes/kept")).status).toBe(404);
  });
});

describe("scheduling pods with claims", () => {
  it("leaves a pod whose claim does not exist Pending, and runs it once the claim is bound", async () => {
    await api.post(`${NS}/pods`, pod("early", "later"));
    await server.settle();
    const pending = (await api.get(`${NS}/pods/early`)).json;
    const message = 'persistentvolumeclaim "later" not found';
    expect(pending.status.conditions).toContainEqual(expect.objectContaining({ type: "PodScheduled", status: "False", reason: "Unschedulable", message: `0/1 nodes are available: ${message}. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.` }));
    expect(await eventsOf("Pod", "early")).toContainEqual(["Warning", "FailedScheduling", `0/1 nodes are available: ${message}. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.`, "default-scheduler"]);
    await api.post(`${NS}/persistentvolumeclaims`, claim("later"));
    await server.settle();
    expect((await api.get(`${NS}/pods/early`)).json.status.phase).toBe("Running");
    expect((await api.get(`${NS}/persistentvolumeclaims/later`)).json.status.phase).toBe("Bound");
  });

  it("does not schedule a pod with an unbound claim of immediate binding", async () => {
    await api.post("/apis/storage.k8s.io/v1/storageclasses", { apiVersion: "storage.k8s.io/v1", kind: "StorageClass", metadata: { name: "manual" }, provisioner: "example.com/nowhere", volumeBindingMode: "Immediate" });
    await api.post(`${NS}/persistentvolumeclaims`, claim("immediate", { storageClassName: "manual" }));
    await api.post(`${NS}/pods`, pod("blocked", "immediate"));
    await server.settle();
    const blocked = (await api.get(`${NS}/pods/blocked`)).json;
    expect(blocked.status.conditions).toContainEqual(expect.objectContaining({ type: "PodScheduled", status: "False", message: "0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling." }));
    expect((await eventsOf("PersistentVolumeClaim", "immediate"))[0]).toEqual([
      "Normal",
      "ExternalProvisioning",
      "Waiting for a volume to be created either by the external provisioner 'example.com/nowhere' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.",
      "persistentvolume-controller",
    ]);
    // A volume made by hand binds the claim, and the pod runs.
    await api.post("/api/v1/persistentvolumes", volume("by-hand", { storageClassName: "manual" }));
    await server.settle();
    expect((await api.get(`${NS}/persistentvolumeclaims/immediate`)).json.spec.volumeName).toBe("by-hand");
    expect((await api.get(`${NS}/pods/blocked`)).json.status.phase).toBe("Running");
  });
});

describe("volumes pinned to nodes", () => {
  const pinned = (node: string) => ({ required: { nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: [node] }] }] } });

  it("does not schedule a pod whose bound volume is pinned to another node", async () => {
    await api.post("/api/v1/persistentvolumes", volume("far", { storageClassName: "", nodeAffinity: pinned("elsewhere") }));
    await api.post(`${NS}/persistentvolumeclaims`, claim("far", { storageClassName: "", volumeName: "far" }));
    await api.post(`${NS}/pods`, pod("far", "far"));
    await server.settle();
    expect((await api.get(`${NS}/persistentvolumeclaims/far`)).json.status.phase).toBe("Bound");
    expect((await api.get(`${NS}/pods/far`)).json.status.conditions).toContainEqual(
      expect.objectContaining({ type: "PodScheduled", status: "False", message: "0/1 nodes are available: 1 node(s) had volume node affinity conflict. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling." }),
    );
  });

  it("binds a WaitForFirstConsumer claim to a local volume on the pod's node when the pod is scheduled", async () => {
    await api.post("/apis/storage.k8s.io/v1/storageclasses", { apiVersion: "storage.k8s.io/v1", kind: "StorageClass", metadata: { name: "local-storage" }, provisioner: "kubernetes.io/no-provisioner", volumeBindingMode: "WaitForFirstConsumer" });
    await api.post("/api/v1/persistentvolumes", volume("local-far", { storageClassName: "local-storage", capacity: { storage: "1Gi" }, nodeAffinity: pinned("elsewhere") }));
    await api.post("/api/v1/persistentvolumes", volume("local-near", { storageClassName: "local-storage", nodeAffinity: pinned("kubezod-node") }));
    await api.post(`${NS}/persistentvolumeclaims`, claim("local", { storageClassName: "local-storage" }));
    await server.settle();
    expect((await api.get(`${NS}/persistentvolumeclaims/local`)).json.status.phase).toBe("Pending");
    await api.post(`${NS}/pods`, pod("local-user", "local"));
    await server.settle();
    const pvc = (await api.get(`${NS}/persistentvolumeclaims/local`)).json;
    expect(pvc.spec.volumeName).toBe("local-near");
    expect(pvc.status.phase).toBe("Bound");
    expect((await api.get("/api/v1/persistentvolumes/local-near")).json.metadata.annotations).toEqual({ "pv.kubernetes.io/bound-by-controller": "yes" });
    expect((await api.get(`${NS}/pods/local-user`)).json.status.phase).toBe("Running");
  });

  it("says why a WaitForFirstConsumer claim finds no volume on any node", async () => {
    await api.post(`${NS}/persistentvolumeclaims`, claim("local-none", { storageClassName: "local-storage", resources: { requests: { storage: "100Gi" } } }));
    await api.post(`${NS}/pods`, pod("local-none", "local-none"));
    await server.settle();
    expect((await api.get(`${NS}/pods/local-none`)).json.status.conditions).toContainEqual(
      expect.objectContaining({ type: "PodScheduled", status: "False", message: "0/1 nodes are available: 1 node(s) didn't find available persistent volumes to bind. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling." }),
    );
  });
});

describe("kind's provisioner", () => {
  it("cannot provision for an Immediate class of rancher.io/local-path: no node was specified", async () => {
    await api.post("/apis/storage.k8s.io/v1/storageclasses", { apiVersion: "storage.k8s.io/v1", kind: "StorageClass", metadata: { name: "local-now" }, provisioner: "rancher.io/local-path", volumeBindingMode: "Immediate" });
    await api.post(`${NS}/persistentvolumeclaims`, claim("now", { storageClassName: "local-now" }));
    await server.settle();
    const events = await eventsOf("PersistentVolumeClaim", "now");
    expect(events.map((e: string[]) => e.slice(0, 3))).toContainEqual(["Warning", "ProvisioningFailed", 'failed to provision volume with StorageClass "local-now": configuration error, no node was specified']);
    expect((await api.get(`${NS}/persistentvolumeclaims/now`)).json.status.phase).toBe("Pending");
  });
});

describe("the controllers' writes", () => {
  it("were all accepted", () => {
    expect(server.controllerErrors).toEqual([]);
  });
});

// Last: the namespace controller's teardown writes Events into the terminating namespace, which are refused.
describe("namespaces", () => {
  it("a namespace with a pod and its claim is emptied and removed", async () => {
    await api.post("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "scratch" } });
    await api.post("/api/v1/namespaces/scratch/persistentvolumeclaims", claim("data"));
    await api.post("/api/v1/namespaces/scratch/pods", pod("app", "data"));
    await server.settle();
    const pvName = (await api.get("/api/v1/namespaces/scratch/persistentvolumeclaims/data")).json.spec.volumeName;
    expect(pvName).toMatch(/^pvc-/);
    await api.del("/api/v1/namespaces/scratch");
    await server.settle();
    expect((await api.get("/api/v1/namespaces/scratch")).status).toBe(404);
    expect((await api.get(`/api/v1/persistentvolumes/${pvName}`)).status).toBe(404);
  });
});
