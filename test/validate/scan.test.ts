import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { scanInputs } from "../../src/validate/policy-inputs.js";
import { CRD_NEEDLES } from "../../src/validate/run.js";
import { scanManifestFileSetsSync, scanManifestFileSync } from "../../src/validate/sources.js";

const dir = mkdtempSync(join(tmpdir(), "kubezod-scan-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BINDING = { any: ["AdmissionPolicyBinding"], all: [] };
const files: Record<string, string> = {
  "a-plain.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
  "b-crd.yaml": "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n",
  "c-escaped.yaml": 'kind: "Custom\\u0052esourceDefinition"\n',
  // A needle cut in two by the scan's chunks.
  "d-long.yaml": `${"#".repeat(64 * 1024 - 10)}\nkind: Namespace\n${"x: y\n".repeat(40_000)}`,
};
for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);

describe("scanning files without holding them", () => {
  it("several sets of needles in one reading find what one scan per set finds", () => {
    for (const name of Object.keys(files)) {
      const file = join(dir, name);
      const one = [CRD_NEEDLES, BINDING].map((n) => scanManifestFileSync(file, 32 << 20, n));
      const both = scanManifestFileSetsSync(file, 32 << 20, [CRD_NEEDLES, BINDING]);
      expect(both).toEqual({ size: (one[0] as { size: number }).size, found: one.map((r) => (r as { found: boolean }).found) });
    }
    expect(scanManifestFileSetsSync(join(dir, "missing.yaml"), 32 << 20, [BINDING])).toHaveProperty("error");
    expect(scanManifestFileSetsSync(join(dir, "d-long.yaml"), 1024, [BINDING])).toHaveProperty("error");
  });

  it("the inputs' scan for policy bindings also says which files may hold CRDs, until a binding is found", () => {
    const { bindings, scans } = scanInputs([{ path: dir }], 32 << 20, CRD_NEEDLES);
    expect(bindings).toBe(false);
    expect(Object.fromEntries([...scans].map(([f, s]) => [f.slice(dir.length + 1), s.found]))).toEqual({ "a-plain.yaml": false, "b-crd.yaml": true, "c-escaped.yaml": true, "d-long.yaml": true });
    writeFileSync(join(dir, "e-binding.yaml"), "kind: ValidatingAdmissionPolicyBinding\n");
    expect(scanInputs([{ path: dir }], 32 << 20, CRD_NEEDLES).bindings).toBe(true);
    rmSync(join(dir, "e-binding.yaml"));
  });
});
