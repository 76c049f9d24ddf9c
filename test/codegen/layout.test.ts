import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readOpenApi } from "../../src/meta/openapi/openapi.js";
import { definitionHashes, layoutReleases } from "../../codegen/layout.js";

const text = readFileSync(new URL("./fixtures/mini-v2.json", import.meta.url), "utf8");

describe("sharing definitions across releases", () => {
  const first = readOpenApi(JSON.parse(text), "r1");
  const changed = JSON.parse(text);
  changed.definitions["com.example.v1.Part"].properties.weight = { type: "number" };
  const second = readOpenApi(changed, "r2");

  it("hashes a definition together with everything it references", () => {
    const h1 = definitionHashes(first);
    const h2 = definitionHashes(second);
    expect(h2.get("com.example.v1.Part")).not.toBe(h1.get("com.example.v1.Part"));
    // WidgetSpec is textually unchanged but references Part: it must change too.
    expect(h2.get("com.example.v1.WidgetSpec")).not.toBe(h1.get("com.example.v1.WidgetSpec"));
    expect(h2.get("com.example.v1.Gadget")).toBe(h1.get("com.example.v1.Gadget"));
  });

  it("writes an unchanged definition once and re-exports it from every release", () => {
    const files = layoutReleases(
      [
        { name: "v1.1", model: first },
        { name: "v1.2", model: second },
      ],
      "// test",
    );
    const paths = files.map((f) => f.path);
    const shared = files.find((f) => f.path === "defs/example.com/v1/v1.1-v1.2.js")!;
    // A table of definitions built when first read, not one constant each.
    expect(shared.text).toMatch(/^export const \$ = \{\n  get Gadget\(\) \{\n    return keep\("Gadget", /m);
    expect(shared.text).not.toMatch(/get WidgetSpec\(\)/);
    expect(shared.text).not.toMatch(/export const Gadget\b/);
    const sharedTypes = files.find((f) => f.path === "defs/example.com/v1/v1.1-v1.2.d.ts")!.text;
    expect(sharedTypes).toMatch(/export interface Gadget \{/);
    expect(sharedTypes).toMatch(/export declare const \$: \{\n(?:.*\n)*  readonly Gadget: k\.KubeSchema<Gadget>;/);
    expect(paths).toContain("defs/example.com/v1/v1.1.js");
    expect(paths).toContain("defs/example.com/v1/v1.2.js");
    const facade = files.find((f) => f.path === "v1.2/example.com/v1.js")!.text;
    expect(facade).toMatch(/from "\.\.\/\.\.\/defs\/example\.com\/v1\/v1\.1-v1\.2\.js"/);
    expect(facade).toMatch(/from "\.\.\/\.\.\/defs\/example\.com\/v1\/v1\.2\.js"/);
    // The façade's names are read from the tables; its types are the interfaces, its values the schemas.
    expect(facade).toMatch(/^export const Gadget = d\d\.Gadget;$/m);
    const facadeTypes = files.find((f) => f.path === "v1.2/example.com/v1.d.ts")!.text;
    expect(facadeTypes).toMatch(/^import type \{[^}]*\bGadget\b[^}]*\} from "\.\.\/\.\.\/defs\/example\.com\/v1\/v1\.1-v1\.2\.js";$/m);
    expect(facadeTypes).toMatch(/^declare const Gadget: k\.KubeSchema<Gadget>;$/m);
    expect(facadeTypes).toMatch(/^export \{[^}]*\bGadget,[^}]*\};$/m);
    // The newest minor's modules also come as lazy tables, and the catalog finds each kind's file.
    const table = files.find((f) => f.path === "latest/example.com/v1.table.js")!.text;
    expect(table).toMatch(/^  get Gadget\(\) \{ return d\d\.Gadget; \},$/m);
    const tables = files.find((f) => f.path === "v1.2/catalog.js")!.text;
    expect(tables).toMatch(/^const (t\d+) = \(\) => import\("\.\.\/defs\/example\.com\/v1\/v1\.1-v1\.2\.js"\);$/m);
    expect(tables).toMatch(/^export const tables = \{\n "example\.com\/v1": \{[^}]*"Gadget": t\d+/m);
    // The entry point lists its names one by one (no `export *`).
    const index = files.find((f) => f.path === "index.js")!.text;
    expect(index).toMatch(/export \{[^}]*\bWidget,[^}]*\bexampleComV1,[^}]*\} from "\.\/v1\.2\/index\.js"/);
    expect(index).not.toMatch(/export \*/);
    const catalog = files.find((f) => f.path === "v1.1/catalog.js")!.text;
    expect(catalog).toMatch(/"example\.com\/v1": \{[^}]*"Widget": "example\.com\/v1"/s);
  });

  it("is deterministic", () => {
    const a = layoutReleases([{ name: "v1.1", model: first }], "// t");
    const b = layoutReleases([{ name: "v1.1", model: readOpenApi(JSON.parse(text), "r1") }], "// t");
    expect(a).toEqual(b);
  });
});
