import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { formatReport, validateManifests } from "../../src/index.js";
import { hasShared, needsShared, sharedPath } from "../support/shared.js";

const fixtures = "test/fixtures/validate";
const crds = () => [sharedPath("crds", "gateway-api"), sharedPath("crds", "cloudnative-pg"), `${fixtures}/valid/builtin.yaml`];

/** The `# expect: <rule> <field>` lines before each document of the invalid corpus. */
function expectations(file: string): string[][] {
  const text = readFileSync(file, "utf8");
  return text
    .split(/^---$/m)
    .slice(1)
    .map((doc) => [...doc.matchAll(/^# expect: (\S+) (\S+)$/gm)].map((m) => `${m[1]} ${m[2]}`).sort());
}

describe.skipIf(!hasShared)(`validation corpus${needsShared}`, () => {
  it("accepts valid manifests of every built-in kind and the shared CRDs' custom resources", async () => {
    const report = await validateManifests([{ path: `${fixtures}/valid` }], { crds: crds() });
    const kinds = new Set(report.results.map((r) => `${r.apiVersion}/${r.kind}`));
    expect(kinds.size).toBeGreaterThanOrEqual(50);
    for (const kind of ["gateway.networking.k8s.io/v1/HTTPRoute", "gateway.networking.k8s.io/v1/Gateway", "gateway.networking.k8s.io/v1/GatewayClass", "postgresql.cnpg.io/v1/Cluster"]) {
      expect(kinds).toContain(kind);
    }
    expect(report.results.filter((r) => r.status !== "valid" || r.issues.length)).toEqual([]);
    expect(report.valid).toBe(true);
  });

  it("reports exactly the expected errors for each invalid manifest", async () => {
    const file = `${fixtures}/invalid/corpus.yaml`;
    const want = expectations(file);
    expect(want.length).toBeGreaterThanOrEqual(80);
    const report = await validateManifests([{ path: file }], { crds: crds() });
    expect(report.results).toHaveLength(want.length);
    const got = report.results.map((r) => [...new Set(r.issues.filter((i) => i.severity === "error").map((i) => `${i.rule} ${i.field}`))].sort());
    expect(got).toEqual(want);
    for (const r of report.results) {
      // A document without apiVersion or kind cannot be checked at all: an error, not invalid.
      expect(r.status).toBe(r.issues.some((i) => i.rule === "api/missing-type") ? "error" : "invalid");
      for (const i of r.issues) expect(i.line).toBeGreaterThan(0);
    }
  });

  it("text and JSON outputs match their snapshots", async () => {
    const report = await validateManifests([{ path: `${fixtures}/invalid` }], { crds: crds() });
    await expect(formatReport(report, "text")).toMatchFileSnapshot("__snapshots__/invalid.txt");
    await expect(formatReport(report, "json")).toMatchFileSnapshot("__snapshots__/invalid.json");
  });
});
