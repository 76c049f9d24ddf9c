/**
 * PersistentVolume and PersistentVolumeClaim warnings: Kubernetes' own tables
 * (pkg/api/persistentvolume/util_test.go and pkg/api/persistentvolumeclaim/util_test.go, TestWarnings)
 * translated, through the write pipeline so the kinds' wiring is covered too, plus the minors each
 * warning starts at and a pod's ephemeral claim template.
 */
import { describe, expect, it } from "vitest";
import { validateWrite } from "../../../src/apiserver/index.js";

type Obj = Record<string, any>;

const pv = (spec: Obj, annotations?: Obj): Obj => ({
  apiVersion: "v1",
  kind: "PersistentVolume",
  metadata: { name: "foo", ...(annotations ? { annotations } : {}) },
  spec: { capacity: { storage: "1Gi" }, accessModes: ["ReadWriteOnce"], ...spec },
});
const pvc = (spec: Obj, annotations?: Obj): Obj => ({
  apiVersion: "v1",
  kind: "PersistentVolumeClaim",
  metadata: { name: "foo", namespace: "default", ...(annotations ? { annotations } : {}) },
  spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } }, ...spec },
});
const warningsOf = (o: Obj, minor = 36): string[] => validateWrite(o, { minor }).warnings;
const hostPath = { hostPath: { path: "/data" } };

describe("PersistentVolume warnings (GetWarningsForPersistentVolume)", () => {
  // Each case of TestWarnings; a source-less PV is refused by validation, so the cases without a
  // deprecated source carry a hostPath, which warns of nothing.
  const cases: [string, Obj, string[]][] = [
    ["no warning", pv(hostPath), []],
    [
      "warning",
      pv(
        { ...hostPath, nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: "beta.kubernetes.io/os", operator: "In", values: ["windows"] }] }] } } },
        { "volume.beta.kubernetes.io/storage-class": "", "volume.beta.kubernetes.io/mount-options": "" },
      ),
      [
        'metadata.annotations[volume.beta.kubernetes.io/storage-class]: deprecated since v1.8; use "storageClassName" attribute instead',
        'metadata.annotations[volume.beta.kubernetes.io/mount-options]: deprecated since v1.31; use "mountOptions" attribute instead',
        'spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].key: beta.kubernetes.io/os is deprecated since v1.14; use "kubernetes.io/os" instead',
      ],
    ],
    [
      "PersistentVolumeReclaimRecycle deprecation warning",
      pv({ nfs: { server: "s", path: "/" }, persistentVolumeReclaimPolicy: "Recycle" }),
      ["spec.persistentVolumeReclaimPolicy: The Recycle reclaim policy is deprecated. Instead, the recommended approach is to use dynamic provisioning."],
    ],
    ["PV CephFS deprecation warning", pv({ cephfs: { monitors: ["m"] } }), ["spec.cephfs: deprecated in v1.28, non-functional in v1.31+"]],
    ["PV PhotonPersistentDisk deprecation warning", pv({ photonPersistentDisk: { pdID: "p" } }), ["spec.photonPersistentDisk: deprecated in v1.11, non-functional in v1.16+"]],
    ["PV RBD deprecation warning", pv({ rbd: { monitors: ["m"], image: "i" } }), ["spec.rbd: deprecated in v1.28, non-functional in v1.31+"]],
    ["PV ScaleIO deprecation warning", pv({ scaleIO: { gateway: "g", system: "s", secretRef: { name: "x" } } }), ["spec.scaleIO: deprecated in v1.16, non-functional in v1.22+"]],
    ["PV StorageOS deprecation warning", pv({ storageos: { volumeName: "v" } }), ["spec.storageOS: deprecated in v1.22, non-functional in v1.25+"]],
    ["PV GlusterFS deprecation warning", pv({ glusterfs: { endpoints: "e", path: "p" } }), ["spec.glusterfs: deprecated in v1.25, non-functional in v1.26+"]],
  ];
  for (const [name, object, expected] of cases) {
    it(name, () => {
      const { errors, warnings } = validateWrite(object, { minor: 36 });
      expect(errors).toEqual([]);
      expect(warnings).toEqual(expected);
    });
  }

  it("warns from the minor each warning came in: Recycle from 1.30, mount-options from 1.31, cephfs and rbd with the pod warnings", () => {
    const recycle = pv({ nfs: { server: "s", path: "/" }, persistentVolumeReclaimPolicy: "Recycle" });
    expect(warningsOf(recycle, 29)).toEqual([]);
    expect(warningsOf(recycle, 30)).toHaveLength(1);
    const mountOptions = pv(hostPath, { "volume.beta.kubernetes.io/mount-options": "ro" });
    expect(warningsOf(mountOptions, 30)).toEqual([]);
    expect(warningsOf(mountOptions, 31)).toHaveLength(1);
    expect(warningsOf(pv({ rbd: { monitors: ["m"], image: "i" } }), 30)).toEqual([]);
    expect(warningsOf(pv(hostPath, { "volume.beta.kubernetes.io/storage-class": "fast" }), 28)).toEqual([
      'metadata.annotations[volume.beta.kubernetes.io/storage-class]: deprecated since v1.8; use "storageClassName" attribute instead',
    ]);
  });
});

describe("PersistentVolumeClaim warnings (GetWarningsForPersistentVolumeClaim)", () => {
  const cases: [string, Obj, string[]][] = [
    ["200Mi requests no warning", pvc({ resources: { requests: { storage: "200Mi" }, limits: { storage: "200Mi" } } }), []],
    [
      "200m warning",
      pvc({ resources: { requests: { storage: "200m" }, limits: { storage: "100m" } } }),
      [
        'spec.resources.requests[storage]: fractional byte value "200m" is invalid, must be an integer',
        'spec.resources.limits[storage]: fractional byte value "100m" is invalid, must be an integer',
      ],
    ],
    ["integer no warning", pvc({ resources: { requests: { storage: "200" } } }), []],
    [
      "storageclass annotations warning",
      pvc({}, { "volume.beta.kubernetes.io/storage-class": "" }),
      ['metadata.annotations[volume.beta.kubernetes.io/storage-class]: deprecated since v1.8; use "storageClassName" attribute instead'],
    ],
  ];
  for (const [name, object, expected] of cases) {
    it(name, () => {
      expect(warningsOf(object)).toEqual(expected);
    });
  }

  it("warns of a StatefulSet's claim templates, under Go's names on create and on update", () => {
    const sts = (storage: string): Obj => ({
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: { name: "s", namespace: "default" },
      spec: {
        serviceName: "s",
        selector: { matchLabels: { app: "s" } },
        template: { metadata: { labels: { app: "s" } }, spec: { containers: [{ name: "c", image: "busybox" }] } },
        volumeClaimTemplates: [{ metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage } } } }],
      },
    });
    const created = validateWrite(sts("0.5Gi"), { minor: 36 });
    expect(created.errors).toEqual([]);
    // 0.5Gi is a whole number of bytes (536870912): no warning.
    expect(created.warnings).toEqual([]);
    expect(warningsOf(sts("1.5"))).toEqual(['spec.volumeClaimTemplates[0].resources.requests[storage]: fractional byte value "1500m" is invalid, must be an integer']);
    const old = sts("1.5");
    const updated = validateWrite({ ...sts("1.5"), spec: { ...sts("1.5").spec, replicas: 3 } }, { minor: 36, old });
    expect(updated.warnings).toEqual(['spec.volumeClaimTemplates[0].Spec.resources.requests[storage]: fractional byte value "1500m" is invalid, must be an integer']);
  });

  it("warns of a pod's ephemeral claim template as of a claim, between the glusterfs and cephfs warnings", () => {
    const pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p", namespace: "default" },
      spec: {
        containers: [{ name: "c", image: "busybox" }],
        volumes: [
          { name: "scratch", ephemeral: { volumeClaimTemplate: { spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1.5" } } } } } },
          { name: "old", glusterfs: { endpoints: "e", path: "p" } },
        ],
      },
    };
    const { errors, warnings } = validateWrite(pod, { minor: 36 });
    expect(errors).toEqual([]);
    expect(warnings).toEqual([
      'spec.volumes[0].ephemeral.volumeClaimTemplate.spec.resources.requests[storage]: fractional byte value "1500m" is invalid, must be an integer',
      "spec.volumes[1].glusterfs: deprecated in v1.25, non-functional in v1.26+",
    ]);
  });
});
