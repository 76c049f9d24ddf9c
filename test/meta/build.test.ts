/**
 * Schemas built at run time from CRDs are Zod objects built directly — the same schemas the
 * generator writes, without evaluating source, so they work where code generation from strings is
 * disabled — and the code generator is not loaded at run time.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resourceInfo, schemasFromCrd } from "../../src/index.js";
import { fieldInfo } from "../../src/meta/walk.js";
import { parseYamlAll } from "../../src/yaml/text.js";
import { hasShared, needsShared, repoRoot, sharedPath } from "../support/shared.js";

const crdFiles = hasShared ? readdirSync(sharedPath("crds"), { recursive: true, encoding: "utf8" }).filter((f) => /\.ya?ml$/.test(f)).map((f) => sharedPath("crds", f)) : [];

describe("schemas built from CRDs", () => {
  it.skipIf(!hasShared)(`builds every CRD of ../shared/crds with its facts${needsShared}`, () => {
    let kinds = 0;
    for (const file of crdFiles) {
      for (const crd of parseYamlAll(readFileSync(file, "utf8"), { source: file }) as Array<{ kind?: string }>) {
        if (crd?.kind !== "CustomResourceDefinition") continue;
        for (const built of schemasFromCrd(crd, file)) {
          kinds++;
          expect(resourceInfo(built.schema)?.kind).toBe(built.kind);
        }
      }
    }
    expect(kinds).toBeGreaterThan(10);
  });

  it("registers field facts, defaults apiVersion and kind, and keeps unknown fields", () => {
    const [widget] = schemasFromCrd({
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "widgets.example.com" },
      spec: {
        group: "example.com",
        names: { kind: "Widget", plural: "widgets" },
        scope: "Namespaced",
        versions: [
          {
            name: "v1",
            served: true,
            storage: true,
            subresources: { status: {} },
            schema: {
              openAPIV3Schema: {
                type: "object",
                properties: {
                  spec: {
                    type: "object",
                    properties: {
                      ports: { type: "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"], items: { type: "object", required: ["name"], properties: { name: { type: "string" }, port: { type: "integer", minimum: 1 } } } },
                      child: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
                    },
                  },
                },
              },
            },
          },
        ],
      },
    });
    const schema = widget!.schema;
    expect(fieldInfo(schema, "spec.ports")).toMatchObject({ listType: "map", listMapKeys: ["name"] });
    expect(resourceInfo(schema)).toMatchObject({ plural: "widgets", namespaced: true, subresources: [expect.objectContaining({ name: "status" })] });
    const parsed = schema.parse({ spec: { ports: [{ name: "a", port: 1 }], extra: 1 } }) as Record<string, unknown>;
    expect(parsed).toMatchObject({ apiVersion: "example.com/v1", kind: "Widget", spec: { extra: 1 } });
    expect(schema.safeParse({ spec: { ports: [{ name: "a", port: 0 }] } }).error?.issues[0]?.path).toEqual(["spec", "ports", 0, "port"]);
  });

  it.skipIf(!hasShared)(`works with code generation from strings disabled${needsShared}`, () => {
    const file = crdFiles.find((f) => /httproute|gateway/i.test(f));
    const script = `
      const { schemasFromCrd } = await import(${JSON.stringify(join(repoRoot, "src/meta/build.ts"))});
      const { parseYamlAll } = await import(${JSON.stringify(join(repoRoot, "src/yaml/text.ts"))});
      const fs = await import("node:fs");
      let n = 0;
      for (const crd of parseYamlAll(fs.readFileSync(${JSON.stringify(file)}, "utf8"))) if (crd.kind === "CustomResourceDefinition") n += schemasFromCrd(crd).length;
      console.log(n);`;
    const r = spawnSync(process.execPath, ["--disallow-code-generation-from-strings", "--import", "tsx", "--input-type=module", "-e", script], { cwd: repoRoot, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(Number(r.stdout.trim())).toBeGreaterThan(0);
  });
});

describe("the library at run time", () => {
  it("does not import the code generator", () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith(".ts") && !p.includes(`${join("src", "cli")}`) && /from\s+["'](\.\.\/)+codegen\//.test(readFileSync(p, "utf8"))) offenders.push(p);
      }
    };
    walk(join(repoRoot, "src"));
    expect(offenders).toEqual([]);
  });
});
