/**
 * A created PersistentVolume or PersistentVolumeClaim reads back `phase: Pending`: the strategies
 * clear the status (pkg/registry/core/persistentvolume(claim)/strategy.go PrepareForCreate) and
 * `SetDefaults_PersistentVolume(Claim)` (pkg/apis/core/v1/defaults.go) fills the phase in on every
 * read; a status the client sends is not kept.
 */
import { describe, expect, it } from "vitest";
import { validateWrite } from "../../../src/apiserver/index.js";

const pv = {
  apiVersion: "v1",
  kind: "PersistentVolume",
  metadata: { name: "pv0" },
  spec: { capacity: { storage: "1Gi" }, accessModes: ["ReadWriteOnce"], hostPath: { path: "/data" } },
  status: { phase: "Bound" },
};
const pvc = {
  apiVersion: "v1",
  kind: "PersistentVolumeClaim",
  metadata: { name: "data", namespace: "default" },
  spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
  status: { phase: "Bound", capacity: { storage: "1Gi" } },
};

describe("PersistentVolume(Claim) status on create", () => {
  it.each([pv, pvc])("$kind starts Pending, whatever status was sent", (obj) => {
    const { object, errors } = validateWrite(structuredClone(obj), { minor: 36 });
    expect(errors).toEqual([]);
    expect(object.status).toEqual({ phase: "Pending" });
  });

  it.each([pv, pvc])("$kind keeps the stored status on an update of the object", (obj) => {
    const old = { ...structuredClone(obj), metadata: { ...obj.metadata, resourceVersion: "1" }, status: { phase: "Bound" } };
    const { object } = validateWrite({ ...structuredClone(obj), status: { phase: "Lost" } }, { minor: 36, old });
    expect(object.status).toEqual({ phase: "Bound" });
  });
});
