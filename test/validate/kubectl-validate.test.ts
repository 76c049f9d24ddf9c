import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { validateManifests } from "../../src/index.js";
import { hasShared, needsShared } from "../support/shared.js";

// kubectl-validate's test cases (test/fixtures/validate/kubectl-validate/README.md): each document's
// `# expect: <rule> <field>` lines (`-` for the whole object) are exactly the errors kubezod reports,
// at the oldest and the newest minor; the README says where that differs from kubectl-validate's own
// expectation, and why.
const dir = "test/fixtures/validate/kubectl-validate";

function expectations(file: string): string[][] {
  return readFileSync(file, "utf8")
    .split(/^---$/m)
    .slice(1)
    .map((doc) => [...doc.matchAll(/^# expect: (\S+) (\S+)$/gm)].map((m) => `${m[1]} ${m[2]}`).sort());
}

describe.skipIf(!hasShared)(`kubectl-validate's test cases${needsShared}`, () => {
  for (const minor of ["1.28", "1.36"]) {
    it(`reports what kube-apiserver refuses, and nothing else, at ${minor}`, async () => {
      const file = `${dir}/testcases.yaml`;
      const want = expectations(file);
      expect(want.length).toBeGreaterThanOrEqual(20);
      const report = await validateManifests([{ path: file }], { kubernetesVersion: minor, crds: [`${dir}/crds`] });
      const got = report.results.map((r) => [...new Set(r.issues.filter((i) => i.severity === "error").map((i) => `${i.rule} ${i.field || "-"}`))].sort());
      expect(got).toEqual(want);
    });
  }
});
