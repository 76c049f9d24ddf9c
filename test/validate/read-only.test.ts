/**
 * Kinds kube-apiserver serves for reading only (their resources declare no write verb):
 * a ComponentStatus manifest is refused as kube-apiserver refuses the create (405).
 */
import { describe, expect, it } from "vitest";
import { validateManifests } from "../../src/validate/index.js";

describe("read-only kinds", () => {
  it("reports a ComponentStatus manifest as one that cannot be applied", async () => {
    const text = "apiVersion: v1\nkind: ComponentStatus\nmetadata:\n  name: etcd-0\nconditions:\n- type: Healthy\n  status: \"True\"\n";
    const report = await validateManifests({ file: "cs.yaml", text }, { kubernetesVersion: "1.36" });
    const result = report.results[0]!;
    expect(result.status).toBe("invalid");
    expect(result.issues.map((i) => [i.rule, i.severity, i.message])).toEqual([
      ["api/deprecated", "warning", expect.stringContaining("ComponentStatus is deprecated")],
      ["api/read-only", "error", "v1 ComponentStatus is read-only: kube-apiserver serves only get, list on componentstatuses and refuses a create or an apply with 405 MethodNotAllowed"],
    ]);
  });

  it("leaves kinds that are written alone", async () => {
    const text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n";
    expect((await validateManifests({ file: "cm.yaml", text }, { kubernetesVersion: "1.36" })).results[0]!.status).toBe("valid");
  });
});
