import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type * as z from "zod";
import { readOpenApi } from "../../src/meta/openapi/openapi.js";
import { layoutStandalone } from "../../codegen/layout.js";
import { writeFiles } from "../../codegen/generate.js";
import { fieldInfo, resourceInfo } from "../../src/index.js";
import { scratchDir } from "../support/generated.js";
import { repoRoot } from "../support/shared.js";

const mini = JSON.parse(readFileSync(new URL("./fixtures/mini-v2.json", import.meta.url), "utf8"));
const model = readOpenApi(mini, "mini-v2.json");
const options = { runtime: "kubezod/k8s/runtime", externals: {}, banner: "// generated for a test" };

describe("emitted modules", () => {
  let dir: string;
  let mod: Record<string, z.ZodType>;
  beforeAll(async () => {
    dir = scratchDir("emit");
    writeFiles(layoutStandalone(model, { ...options, format: "js+dts" }), dir, { clean: false });
    mod = (await import(pathToFileURL(join(dir, "example.com/v1.js")).href)) as Record<string, z.ZodType>;
  });

  it("parse list items into complete objects", () => {
    const list = mod.WidgetList!.parse({ items: [{ metadata: { name: "a" }, spec: { size: 1 } }] }) as {
      apiVersion: string;
      items: Array<{ apiVersion: string; kind: string }>;
    };
    expect(list.apiVersion).toBe("example.com/v1");
    expect(list.items[0]).toMatchObject({ apiVersion: "example.com/v1", kind: "Widget" });
  });

  it("keep unknown fields and accept null for optional ones", () => {
    const w = mod.Widget!.parse({ metadata: { name: "a", labels: null }, spec: { size: 2, extra: { x: 1 } }, top: true });
    expect(w).toEqual({
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: "a", labels: null },
      spec: { size: 2, extra: { x: 1 } },
      top: true,
    });
  });

  it("accept Kubernetes wire formats and reject wrong types at the exact path", () => {
    expect(mod.Widget!.safeParse({ spec: { size: 1, port: "http", memory: 1.5, payload: "aGk=" } }).success).toBe(true);
    expect(mod.Widget!.safeParse({ spec: { size: 1, port: 8080, memory: "512Mi" } }).success).toBe(true);
    const bad = mod.Widget!.safeParse({ spec: { size: "1", memory: "lots", payload: "not base64!" } });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.path.join("."))).toEqual(["spec.size", "spec.memory", "spec.payload"]);
    expect(mod.Widget!.safeParse({ spec: { size: 2 ** 31 } }).success).toBe(false);
  });

  it("handle recursive definitions with getters only where the cycle is", () => {
    const text = readFileSync(join(dir, "example.com/v1.js"), "utf8");
    expect(text).toMatch(/get children\(\) \{/);
    expect(text.match(/get \w+\(\)/g)).toHaveLength(1);
    expect(mod.Part!.safeParse({ name: "a", children: [{ name: "b", children: [{ name: "c" }] }] }).success).toBe(true);
    const deep = mod.Part!.safeParse({ name: "a", children: [{ name: "b", children: [{ nope: 1 }] }] });
    expect(deep.error!.issues[0]!.path).toEqual(["children", 0, "children", 0, "name"]);
  });

  it("register resource and field annotations", () => {
    expect(resourceInfo(mod.Widget!)).toMatchObject({ plural: "widgets", namespaced: true, listKind: "WidgetList" });
    expect(fieldInfo(mod.Widget!, "spec.parts")).toMatchObject({ patchMergeKey: "name", patchStrategy: "merge", listType: "map" });
    // A field-level fact on a reference sits on a copy; the definition's own facts still apply.
    expect(fieldInfo(mod.Widget!, "spec.selector")).toMatchObject({ patchStrategy: "replace", mapType: "atomic" });
    expect(fieldInfo(mod.Selector!, "")).toMatchObject({ mapType: "atomic" });
    expect(fieldInfo(mod.Selector!, "")!.patchStrategy).toBeUndefined();
    expect(fieldInfo(mod.Widget!, "metadata.finalizers")).toMatchObject({ listType: "set", patchStrategy: "merge" });
  });

  it("write declarations whose types match the schemas (TypeScript output type-checks)", () => {
    const tsDir = scratchDir("emit-ts");
    writeFiles(layoutStandalone(model, { ...options, format: "ts" }), tsDir, { clean: false });
    writeFileSync(
      join(tsDir, "use.ts"),
      `import { Widget, type WidgetSpec } from "./example.com/v1.js";
const spec: WidgetSpec = { size: 1, port: "http", memory: 2, parts: [{ name: "a", children: [] }] };
export const w: Widget = Widget.parse({ spec });
export const v: "example.com/v1" = w.apiVersion;
// @ts-expect-error size must be a number
export const bad: WidgetSpec = { size: "1" };
`,
    );
    writeFileSync(
      join(tsDir, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { strict: true, module: "NodeNext", moduleResolution: "NodeNext", target: "ES2022", noEmit: true, types: [] }, include: ["."] }),
    );
    execFileSync(process.execPath, [join(repoRoot, "node_modules/typescript/bin/tsc"), "-p", join(tsDir, "tsconfig.json")], { stdio: "pipe" });
  });

  afterAll(() => undefined);
});
