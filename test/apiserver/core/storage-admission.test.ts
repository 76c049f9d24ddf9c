/**
 * The DefaultStorageClass and StorageObjectInUseProtection admission plugins
 * (plugin/pkg/admission/storage/storageclass/setdefault, storageobjectinuseprotection) and
 * pkg/volume/util's `GetDefaultClass`: the newest default class wins, equal times by name; a claim
 * that names a class (even "") or carries the beta class annotation keeps it.
 */
import { describe, expect, it } from "vitest";
import { admitDefaultStorageClass, defaultStorageClass } from "../../../src/apiserver/core/default-storage-class.js";
import { admitStorageObjectInUseProtection } from "../../../src/apiserver/core/storage-object-in-use-protection.js";

const sc = (name: string, created: string, annotations: Record<string, string> = { "storageclass.kubernetes.io/is-default-class": "true" }) => ({
  apiVersion: "storage.k8s.io/v1",
  kind: "StorageClass",
  metadata: { name, creationTimestamp: created, annotations },
  provisioner: "example.com/p",
});
const claim = (spec: Record<string, unknown> = {}, annotations?: Record<string, string>): { apiVersion: string; kind: string; metadata: Record<string, unknown>; spec: Record<string, unknown> } => ({ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "c", ...(annotations ? { annotations } : {}) }, spec: { accessModes: ["ReadWriteOnce"], ...spec } });

describe("GetDefaultClass", () => {
  it("picks the newest default class, then the first by name; ignores classes not marked default", () => {
    const classes = [sc("old", "2026-01-01T00:00:00Z"), sc("b", "2026-02-01T00:00:00Z"), sc("a", "2026-02-01T00:00:00Z"), sc("newest-plain", "2026-03-01T00:00:00Z", {})];
    expect(defaultStorageClass(classes)?.metadata).toMatchObject({ name: "a" });
    expect(defaultStorageClass([sc("beta", "2026-01-01T00:00:00Z", { "storageclass.beta.kubernetes.io/is-default-class": "true" })])?.metadata).toMatchObject({ name: "beta" });
    expect(defaultStorageClass([sc("no", "2026-01-01T00:00:00Z", { "storageclass.kubernetes.io/is-default-class": "false" })])).toBeUndefined();
  });
});

describe("DefaultStorageClass", () => {
  const classes = [sc("standard", "2026-01-01T00:00:00Z")];
  it("sets the default class on a claim without one", () => {
    const c = claim();
    admitDefaultStorageClass(c, classes);
    expect(c.spec).toMatchObject({ storageClassName: "standard" });
  });
  it.each([
    ["an empty class", claim({ storageClassName: "" }), ""],
    ["a named class", claim({ storageClassName: "fast" }), "fast"],
  ])("keeps %s", (_, c, expected) => {
    admitDefaultStorageClass(c, classes);
    expect(c.spec.storageClassName).toBe(expected);
  });
  it("keeps a claim with the beta class annotation, and does nothing without a default class", () => {
    const beta = claim({}, { "volume.beta.kubernetes.io/storage-class": "slow" });
    admitDefaultStorageClass(beta, classes);
    expect(beta.spec).not.toHaveProperty("storageClassName");
    const none = claim();
    admitDefaultStorageClass(none, []);
    expect(none.spec).not.toHaveProperty("storageClassName");
  });
});

describe("StorageObjectInUseProtection", () => {
  it("adds the claim's and the volume's finalizer once, and leaves other kinds alone", () => {
    const c: Record<string, any> = claim();
    admitStorageObjectInUseProtection("PersistentVolumeClaim", c);
    admitStorageObjectInUseProtection("PersistentVolumeClaim", c);
    expect(c.metadata.finalizers).toEqual(["kubernetes.io/pvc-protection"]);
    const pv: Record<string, any> = { metadata: { name: "v", finalizers: ["example.com/keep"] } };
    admitStorageObjectInUseProtection("PersistentVolume", pv);
    expect(pv.metadata.finalizers).toEqual(["example.com/keep", "kubernetes.io/pv-protection"]);
    const pod: Record<string, any> = { metadata: { name: "p" } };
    admitStorageObjectInUseProtection("Pod", pod);
    expect(pod.metadata.finalizers).toBeUndefined();
  });
});
