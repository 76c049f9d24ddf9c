import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { validateManifests } from "../../src/index.js";
import { hasShared, needsShared } from "../support/shared.js";

// Manifests kube-apiserver accepts that kubezod once refused (each file names its source and the
// Kubernetes code that decides). Every document is valid at both ends of the supported range; the
// `# expect-warning: <message>` lines before a document are exactly the warnings it must get.
const dir = "test/fixtures/validate/accepted";
const files = readdirSync(dir).filter((f) => f.endsWith(".yaml"));

/** The `# expect-warning:` lines of each document, in order. */
function expectedWarnings(file: string): string[][] {
  return readFileSync(file, "utf8")
    .split(/^---$/m)
    .map((doc) => [...doc.matchAll(/^# expect-warning: (.*)$/gm)].map((m) => m[1]!));
}

describe.skipIf(!hasShared)(`manifests kube-apiserver accepts${needsShared}`, () => {
  for (const minor of ["1.28", "1.36"]) {
    for (const name of files) {
      it(`${name} at ${minor}`, async () => {
        const file = `${dir}/${name}`;
        const report = await validateManifests([{ path: file }], { kubernetesVersion: minor });
        const want = expectedWarnings(file);
        expect(report.results).toHaveLength(want.length);
        expect(report.results.map((r) => r.issues.filter((i) => i.severity === "error").map((i) => i.message))).toEqual(want.map(() => []));
        expect(report.results.map((r) => r.issues.map((i) => i.message))).toEqual(want);
        expect(report.valid).toBe(true);
      });
    }
  }
});
