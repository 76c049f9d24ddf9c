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
    expect(shared.text).toMatch(/export const Gadget = /);
    expect(shared.text).not.toMatch(/export const WidgetSpec = /);
    expect(paths).toContain("defs/example.com/v1/v1.1.js");
    expect(paths).toContain("defs/example.com/v1/v1.2.js");
    const facade = files.find((f) => f.path === "v1.2/example.com/v1.js")!.text;
    expect(facade).toMatch(/from "\.\.\/\.\.\/defs\/example\.com\/v1\/v1\.1-v1\.2\.js"/);
    expect(facade).toMatch(/from "\.\.\/\.\.\/defs\/example\.com\/v1\/v1\.2\.js"/);
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
