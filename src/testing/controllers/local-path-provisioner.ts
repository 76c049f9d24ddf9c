/**
 * kind's storage: the default StorageClass `standard` (created at start, as kind installs it) and
 * rancher.io/local-path-provisioner, an external provisioner built on sig-storage's provisioner
 * library: a claim that the PersistentVolume controller handed to it (by the
 * `volume.kubernetes.io/storage-provisioner` annotation) gets a hostPath volume `pvc-<claim uid>`
 * under /var/local-path-provisioner/ on the node the scheduler selected, pinned there by node
 * affinity and pre-bound to the claim; released volumes of reclaim policy Delete are deleted.
 */
import { randomUUID } from "node:crypto";
import type { KubeObject } from "../store.js";
import { NODES, PVCS, PVS, STORAGE_CLASSES } from "./api.js";
import { objectKeyOf, splitKey, type ControllerContext } from "./manager.js";
import { arr, hexId, obj } from "./util.js";
import { ANN_BETA_STORAGE_PROVISIONER, ANN_DYNAMICALLY_PROVISIONED, ANN_SELECTED_NODE, ANN_STORAGE_PROVISIONER, annotations, claimClass, claimReference } from "./volume-matching.js";

export const LOCAL_PATH_PROVISIONER = "rancher.io/local-path";
const BASE_PATH = "/var/local-path-provisioner";

/** kind's default StorageClass. */
export const STANDARD_STORAGE_CLASS = {
  apiVersion: "storage.k8s.io/v1",
  kind: "StorageClass",
  metadata: { name: "standard", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
  provisioner: LOCAL_PATH_PROVISIONER,
  reclaimPolicy: "Delete",
  volumeBindingMode: "WaitForFirstConsumer",
};

export function registerLocalPathProvisioner(ctx: ControllerContext): void {
  const admin = ctx.as({ manager: "kubectl-create", user: "kubernetes-admin" });
  if (!admin.get(STORAGE_CLASSES, "", STANDARD_STORAGE_CLASS.metadata.name)) admin.create(STORAGE_CLASSES, undefined, structuredClone(STANDARD_STORAGE_CLASS));
  const api = ctx.as({ manager: "local-path-provisioner", user: "system:serviceaccount:local-path-storage:local-path-provisioner-service-account" });
  // The provisioner's identity on its events: the leader's name, `<provisioner>_<pod>_<uuid>`.
  const source = `${LOCAL_PATH_PROVISIONER}_local-path-provisioner-${hexId("local-path-provisioner", 10)}-${hexId("local-path-provisioner-pod", 5)}_${randomUUID()}`;
  const mine = (claim: KubeObject) => {
    const a = annotations(claim);
    return (a[ANN_STORAGE_PROVISIONER] ?? a[ANN_BETA_STORAGE_PROVISIONER]) === LOCAL_PATH_PROVISIONER;
  };

  ctx.watch("/persistentvolumeclaims", "local-path-provisioner", (e) => (e.type !== "DELETED" && mine(e.object) ? objectKeyOf(e.object) : undefined));
  ctx.watch("/persistentvolumes", "local-path-deleter", (e) => (e.type !== "DELETED" && annotations(e.object)[ANN_DYNAMICALLY_PROVISIONED] === LOCAL_PATH_PROVISIONER ? String(e.object.metadata.name) : undefined));

  ctx.reconciler("local-path-provisioner", (key) => {
    const { namespace, name } = splitKey(key);
    const claim = api.get(PVCS, namespace, name);
    if (!claim || claim.metadata.deletionTimestamp || obj(claim.spec).volumeName || !mine(claim)) return;
    const sc = api.get(STORAGE_CLASSES, "", claimClass(claim));
    if (!sc || sc.provisioner !== LOCAL_PATH_PROVISIONER) return;
    const node = annotations(claim)[ANN_SELECTED_NODE];
    // The library waits for the scheduler's choice of node under WaitForFirstConsumer.
    if (sc.volumeBindingMode === "WaitForFirstConsumer" && !node) return;
    const volumeName = `pvc-${String(claim.metadata.uid)}`;
    if (api.get(PVS, "", volumeName)) return;
    const failed = (why: string) => ctx.events.record(claim, "Warning", "ProvisioningFailed", `failed to provision volume with StorageClass ${JSON.stringify(sc.metadata.name)}: ${why}`, source);
    ctx.events.record(claim, "Normal", "Provisioning", `External provisioner is provisioning volume for claim ${JSON.stringify(`${namespace}/${name}`)}`, source);
    if (obj(claim.spec).selector) return failed("claim Selector is not supported");
    if (!node) return failed("configuration error, no node was specified");
    if (!api.get(NODES, "", node)) return failed(`nodes ${JSON.stringify(node)} not found`);
    const modes = arr<string>(obj(claim.spec).accessModes);
    if (modes.some((m) => m !== "ReadWriteOnce" && m !== "ReadWriteOncePod")) return failed("NodePath only supports ReadWriteOnce and ReadWriteOncePod (1.22+) access modes");
    const created = api.create(PVS, undefined, {
      apiVersion: "v1",
      kind: "PersistentVolume",
      metadata: { name: volumeName, annotations: { "local.path.provisioner/selected-node": node, [ANN_DYNAMICALLY_PROVISIONED]: LOCAL_PATH_PROVISIONER } },
      spec: {
        accessModes: modes,
        capacity: { storage: obj(obj(obj(claim.spec).resources).requests).storage },
        claimRef: claimReference(claim),
        hostPath: { path: `${BASE_PATH}/${volumeName}_${namespace}_${name}`, type: "DirectoryOrCreate" },
        nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: [node] }] }] } },
        persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? "Delete",
        storageClassName: sc.metadata.name,
        volumeMode: obj(claim.spec).volumeMode ?? "Filesystem",
      },
    });
    if (created) ctx.events.record(claim, "Normal", "ProvisioningSucceeded", `Successfully provisioned volume ${volumeName}`, source);
  });

  ctx.reconciler("local-path-deleter", (name) => {
    const pv = api.get(PVS, "", name);
    if (!pv || pv.metadata.deletionTimestamp) return;
    if (obj(pv.status).phase === "Released" && obj(pv.spec).persistentVolumeReclaimPolicy === "Delete") api.delete(PVS, pv);
  });
}
