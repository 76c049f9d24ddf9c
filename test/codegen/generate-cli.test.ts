import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseYaml as parse } from "../../src/yaml/text.js";
import { describe, expect, it } from "vitest";
import type * as z from "zod";
import { resourceInfo } from "../../src/index.js";
import { runCli } from "../support/cli.js";
import { scratchDir } from "../support/generated.js";
import { hasShared, needsShared, repoRoot, sharedPath } from "../support/shared.js";

const fixture = (name: string) => parse(readFileSync(join(repoRoot, "test/fixtures/custom-resources", name), "utf8")) as unknown;

describe.skipIf(!hasShared)(`kubezod generate on the shared CRDs${needsShared}`, () => {
  it("writes modules that compile, register every served version and parse real custom resources", async () => {
    const dir = scratchDir("crds");
    const result = await runCli(["generate", "--crd", sharedPath("crds"), "--out", join(dir, "ts")]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(readdirSync(join(dir, "ts")).sort()).toEqual(["gateway.networking.k8s.io", "index.ts", "postgresql.cnpg.io"]);
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { strict: true, module: "NodeNext", moduleResolution: "NodeNext", target: "ES2022", noEmit: true, types: [] }, include: ["ts"] }),
    );
    execFileSync(process.execPath, [join(repoRoot, "node_modules/typescript/bin/tsc"), "-p", join(dir, "tsconfig.json")], { stdio: "pipe" });

    const js = await runCli(["generate", "--crd", sharedPath("crds"), "--out", join(dir, "js"), "--format", "js+dts"]);
    expect(js.code).toBe(0);
    const gw = (await import(pathToFileURL(join(dir, "js/gateway.networking.k8s.io/v1.js")).href)) as Record<string, z.ZodType>;
    const gwBeta = (await import(pathToFileURL(join(dir, "js/gateway.networking.k8s.io/v1beta1.js")).href)) as Record<string, z.ZodType>;
    const pg = (await import(pathToFileURL(join(dir, "js/postgresql.cnpg.io/v1.js")).href)) as Record<string, z.ZodType>;

    expect(resourceInfo(gw.HTTPRoute!)).toMatchObject({ apiVersion: "gateway.networking.k8s.io/v1", plural: "httproutes", namespaced: true });
    expect(resourceInfo(gwBeta.HTTPRoute!)).toMatchObject({ apiVersion: "gateway.networking.k8s.io/v1beta1", plural: "httproutes" });
    expect(resourceInfo(gw.GatewayClass!)).toMatchObject({ plural: "gatewayclasses", namespaced: false });
    expect(resourceInfo(gw.ReferenceGrant!)?.patchTypes).toEqual(["json", "merge", "apply"]);
    expect(resourceInfo(pg.Cluster!)).toMatchObject({ plural: "clusters", namespaced: true });
    expect(resourceInfo(pg.Cluster!)!.subresources.map((s) => s.name)).toEqual(["scale", "status"]);
    expect(resourceInfo(pg.ClusterImageCatalog!)).toMatchObject({ namespaced: false });
    // Versions the CRDs do not serve are not generated.
    expect(readdirSync(join(dir, "js/gateway.networking.k8s.io")).filter((f) => f.endsWith(".js")).sort()).toEqual(["v1.js", "v1beta1.js"]);

    for (const [schema, file] of [
      [gw.HTTPRoute!, "httproute.yaml"],
      [gw.Gateway!, "gateway.yaml"],
      [gw.GatewayClass!, "gatewayclass.yaml"],
      [pg.Cluster!, "cnpg-cluster.yaml"],
    ] as const) {
      const r = schema.safeParse(fixture(file));
      expect(r.error?.issues ?? [], file).toEqual([]);
    }
    const bad = gw.HTTPRoute!.safeParse({ spec: { rules: [{ backendRefs: [{ name: "x", port: 70000 }] }] } });
    expect(bad.error!.issues.map((i) => i.path.join("."))).toContain("spec.rules.0.backendRefs.0.port");
  });
});

describe("kubezod generate on bad input", () => {
  it("names a missing file", async () => {
    const r = await runCli(["generate", "--crd", "/nonexistent/crd.yaml", "--out", "/tmp/kubezod-never"]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe("kubezod generate: /nonexistent/crd.yaml: no such file or directory");
  });

  it("names the file, line and column of invalid YAML", async () => {
    const dir = scratchDir("bad-yaml");
    writeFileSync(join(dir, "broken.yaml"), "apiVersion: v1\nspec: [\n");
    const r = await runCli(["generate", "--crd", join(dir, "broken.yaml"), "--out", join(dir, "out")]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(new RegExp(`${join(dir, "broken.yaml")}:3:1: invalid YAML: `));
  });

  it("names a CRD version without a schema", async () => {
    const dir = scratchDir("no-schema");
    writeFileSync(
      join(dir, "crd.yaml"),
      "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: things.example.com}\nspec:\n  group: example.com\n  scope: Namespaced\n  names: {plural: things, kind: Thing}\n  versions:\n  - {name: v1, served: true, storage: true}\n",
    );
    const r = await runCli(["generate", "--crd", join(dir, "crd.yaml"), "--out", join(dir, "out")]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `kubezod generate: ${join(dir, "crd.yaml")}:1: CustomResourceDefinition things.example.com version v1: has no schema (spec.versions[0].schema.openAPIV3Schema)`,
    );
  });

  it("rejects an unsupported spec", async () => {
    const dir = scratchDir("bad-spec");
    writeFileSync(join(dir, "spec.json"), JSON.stringify({ openapi: "3.1.0", components: { schemas: { "a.v1.X": { type: ["string", "null"] } } } }));
    writeFileSync(join(dir, "old.json"), JSON.stringify({ swagger: "1.2", apis: [] }));
    const r = await runCli(["generate", "--openapi", join(dir, "spec.json"), "--out", join(dir, "out")]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`kubezod generate: ${join(dir, "spec.json")}: components.schemas.a.v1.X: a list of types is not supported`);
    const r2 = await runCli(["generate", "--openapi", join(dir, "old.json"), "--out", join(dir, "out")]);
    expect(r2.code).toBe(1);
    expect(r2.stderr.trim()).toBe(`kubezod generate: ${join(dir, "old.json")}: the document has no definitions`);
  });

  it("reports usage errors with exit code 2", async () => {
    const r = await runCli(["generate", "--out", "/tmp/x"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/give --crd or --openapi inputs/);
    const r2 = await runCli(["generate", "--crd", "x", "--out", "/tmp/x", "--format", "wasm"]);
    expect(r2.code).toBe(2);
  });
});

describe.skipIf(!hasShared)(`npm run codegen -- --check${needsShared}`, () => {
  it("finds schemas/ identical to what the generator writes", () => {
    const out = execFileSync(process.execPath, ["--import", "tsx", join(repoRoot, "codegen/main.ts"), "--check"], { cwd: repoRoot, encoding: "utf8" });
    expect(out).toMatch(/schemas\/ is up to date/);
  });

  it("fails when a generated file was edited", () => {
    const dir = scratchDir("drift");
    execFileSync(process.execPath, ["--import", "tsx", join(repoRoot, "codegen/main.ts"), "--out", dir], { cwd: repoRoot });
    writeFileSync(join(dir, "v1.36/apps/v1.js"), "// edited by hand\n");
    let failed: { status: number; stderr: string } | undefined;
    try {
      execFileSync(process.execPath, ["--import", "tsx", join(repoRoot, "codegen/main.ts"), "--check", "--out", dir], { cwd: repoRoot, stdio: "pipe" });
    } catch (err) {
      failed = err as { status: number; stderr: string };
    }
    expect(failed?.status).toBe(1);
    expect(String(failed?.stderr)).toMatch(/v1\.36\/apps\/v1\.js: differs from generator output/);
  });
});
