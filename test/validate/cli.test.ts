import { describe, expect, it } from "vitest";
import { validateManifests } from "../../src/index.js";
import { runCli } from "../support/cli.js";
import { hasShared, needsShared, repoRoot, sharedPath } from "../support/shared.js";
import { builtIsFresh } from "../support/built.js";
import { pathToFileURL } from "node:url";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import * as zod from "zod";

const fixtures = "test/fixtures/validate";

interface JsonOut {
  resources: Array<{ file: string; document: number; kind: string | null; status: string; errors: Array<{ rule: string; path: string; line: number | null }> }>;
}

describe("kubezod validate", () => {
  it.skipIf(!hasShared)(`gives the same verdicts as validateManifests${needsShared}`, async () => {
    const crds = [sharedPath("crds", "gateway-api"), sharedPath("crds", "cloudnative-pg"), `${fixtures}/valid/builtin.yaml`];
    const paths = [`${fixtures}/invalid`, `${fixtures}/valid`];
    const cli = await runCli(["validate", "-o", "json", ...crds.flatMap((c) => ["--crd", c]), ...paths]);
    expect(cli.code).toBe(1);
    const out = JSON.parse(cli.stdout) as JsonOut;
    const api = await validateManifests(paths.map((path) => ({ path })), { crds });
    expect(out.resources.map((r) => [r.file, r.document, r.kind, r.status, r.errors.map((e) => `${e.rule} ${e.path} ${e.line}`)])).toEqual(
      api.results.map((r) => [r.file, r.document, r.kind ?? null, r.status, [...r.issues].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0)).map((e) => `${e.rule} ${e.field} ${e.line ?? null}`)]),
    );
  });

  it("exits 0 for valid input, 1 for invalid input and 2 for usage errors", async () => {
    const ok = await runCli(["validate", "-"], { input: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n" });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("1 resource, 1 valid");
    const bad = await runCli(["validate", "-"], { input: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: A\n" });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain("-:4:3 error ConfigMap/A: metadata.name: Invalid value");
    expect((await runCli(["validate", "--output", "xml", "x.yaml"])).code).toBe(2);
    expect((await runCli(["validate", "--kubernetes-version", "1.12", "x.yaml"])).code).toBe(2);
    expect((await runCli(["validate", "--bogus"])).code).toBe(2);
  });

  it("writes junit, sarif and github formats", async () => {
    const input = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: A\n";
    const junit = await runCli(["validate", "-o", "junit", "-"], { input });
    expect(junit.stdout).toContain('<testsuite name="-" tests="1" failures="1"');
    const sarif = JSON.parse((await runCli(["validate", "-o", "sarif", "-"], { input })).stdout) as { runs: Array<{ results: Array<{ ruleId: string; locations: Array<{ physicalLocation: { region: { startLine: number } } }> }> }> };
    expect(sarif.runs[0]!.results[0]!.ruleId).toBe("meta/name");
    expect(sarif.runs[0]!.results[0]!.locations[0]!.physicalLocation.region.startLine).toBe(4);
    const gh = await runCli(["validate", "-o", "github", "-"], { input });
    expect(gh.stdout).toMatch(/^::error file=-,line=4,col=3,title=ConfigMap\/A \[meta\/name\]::metadata.name: Invalid value/m);
  });

  it("uses the chosen Kubernetes version: removed API versions name their replacement", async () => {
    const input = "apiVersion: flowcontrol.apiserver.k8s.io/v1beta3\nkind: FlowSchema\nmetadata:\n  name: f\nspec:\n  priorityLevelConfiguration: {name: x}\n";
    const old = await runCli(["validate", "-k", "1.30", "-"], { input });
    expect(old.stdout).toContain("warning FlowSchema/f: flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema is deprecated in v1.29+, unavailable in v1.32+; use flowcontrol.apiserver.k8s.io/v1 FlowSchema");
    expect(old.code).toBe(0);
    const now = await runCli(["validate", "-k", "1.32", "-"], { input });
    expect(now.stdout).toContain("is no longer served since Kubernetes 1.32; use flowcontrol.apiserver.k8s.io/v1");
    expect(now.code).toBe(1);
  });

  it("skips, rejects and ignores kinds without schemas on request", async () => {
    const input = "apiVersion: example.com/v1\nkind: Gizmo\nmetadata:\n  name: g\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n";
    expect((await runCli(["validate", "-"], { input })).code).toBe(1);
    expect((await runCli(["validate", "--ignore-missing-schemas", "-"], { input })).code).toBe(0);
    expect((await runCli(["validate", "--skip", "example.com/v1/Gizmo", "-"], { input })).code).toBe(0);
    const rejected = await runCli(["validate", "--ignore-missing-schemas", "--reject", "Secret", "-"], { input });
    expect(rejected.code).toBe(1);
    expect(rejected.stdout).toContain("[api/rejected]");
  });

  it("loads the CEL engine when the inputs hold objects whose checks compile expressions", async () => {
    // A fresh process: the command loads CEL on demand, and still finds what the library finds.
    const input = [
      "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata:\n  name: p\nspec:\n  failurePolicy: Fail\n  matchConstraints:\n    resourceRules:\n    - apiGroups: [apps]\n      apiVersions: [v1]\n      operations: [CREATE]\n      resources: [deployments]\n  validations:\n  - expression: object.spec.replicas +\n",
      "apiVersion: resource.k8s.io/v1\nkind: DeviceClass\nmetadata:\n  name: d\nspec:\n  selectors:\n  - cel:\n      expression: '1'\n",
      "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\nspec:\n  group: example.com\n  names: {kind: Widget, plural: widgets}\n  scope: Namespaced\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n        type: object\n        x-kubernetes-validations:\n        - rule: self == self\n          optionalOldSelf: true\n",
    ].join("---\n");
    const cli = await runCli(["validate", "-o", "json", "-"], { input });
    expect(cli.code).toBe(1);
    const out = JSON.parse(cli.stdout) as JsonOut & { resources: Array<{ errors: Array<{ message?: string }> }> };
    const api = await validateManifests([{ text: input, file: "-" }]);
    expect(out.resources.map((r) => [r.kind, r.status, r.errors.map((e) => `${e.rule} ${e.path}`)])).toEqual(
      api.results.map((r) => [r.kind ?? null, r.status, [...r.issues].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0)).map((e) => `${e.rule} ${e.field}`)]),
    );
    expect(out.resources.map((r) => r.status)).toEqual(["invalid", "invalid", "invalid"]);
    expect(cli.stdout).toContain("compilation failed");
    expect(cli.stdout).toContain("must evaluate to bool");
    expect(cli.stdout).toContain("may not be set if oldSelf is not used in rule");
  });

  it.skipIf(!builtIsFresh())("the executable takes its own zod through #zod; the library and schemas take the application's", () => {
    const resolve = (conditions: string[], specifier = "#zod") =>
      execFileSync(process.execPath, [...conditions, "--input-type=module", "-e", `process.stdout.write(import.meta.resolve(${JSON.stringify(specifier)}))`], { cwd: repoRoot, encoding: "utf8" });
    expect(resolve(["--conditions=kubezod-command"])).toBe(pathToFileURL(join(repoRoot, "dist/src/cli/zod.js")).href);
    expect(resolve([])).toBe(resolve([], "zod"));
    expect(readFileSync(join(repoRoot, "bin/kubezod.cjs"), "utf8").split("\n")[0]).toContain("--conditions=kubezod-command");
    // What the executable loads imports zod only as "#zod": one copy in the process.
    for (const file of readdirSync(join(repoRoot, "dist/src/chunks"))) expect(readFileSync(join(repoRoot, "dist/src/chunks", file), "utf8")).not.toMatch(/from\s*"zod"/);
    expect(readFileSync(join(repoRoot, "schemas/runtime.js"), "utf8")).toContain('from "#zod"');
  });

  it.skipIf(!builtIsFresh())("runs on a bundled zod with zod's exports, its locales read on first use", async () => {
    const bundled = (await import(pathToFileURL(join(repoRoot, "dist/src/cli/zod.js")).href)) as typeof zod;
    expect(Object.keys(bundled).sort()).toEqual(Object.keys(zod).sort());
    expect(Object.keys(bundled.locales).sort()).toEqual(Object.keys(zod.locales).sort());
    const message = (z: typeof zod, locale: () => zod.core.$ZodConfig) => {
      z.config(locale());
      const text = z.string().safeParse(1).error?.issues[0]?.message;
      z.config(z.locales.en());
      return text;
    };
    for (const name of ["de", "ja", "en"] as const) expect(message(bundled, bundled.locales[name])).toBe(message(zod, zod.locales[name]));
  });
});
