/**
 * Every public export (what each entry point of the package exports at run time) has a doc comment
 * with an `@example`.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./support/shared.js";
import { entryPoints } from "./support/surface.js";

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith(".ts") ? [p] : [];
  });
}

const sources = [...walk(join(repoRoot, "src")), ...walk(join(repoRoot, "codegen"))].map((f) => ({ file: f, lines: readFileSync(f, "utf8").split("\n") }));

/** The doc comment right above the declaration of `name`, or undefined. */
function docOf(name: string): { file: string; doc: string | undefined } | undefined {
  const decl = new RegExp(`^export (?:async )?(?:function\\*?|class|const|abstract class)\\s+${name.replace(/\$/g, "\\$")}\\b`);
  for (const { file, lines } of sources) {
    const i = lines.findIndex((l) => decl.test(l));
    if (i < 0) continue;
    let j = i - 1;
    while (j >= 0 && lines[j]!.trim() === "") j--;
    if (!lines[j]?.trim().endsWith("*/")) return { file, doc: undefined };
    let k = j;
    while (k >= 0 && !lines[k]!.includes("/**")) k--;
    return { file, doc: lines.slice(k, j + 1).join("\n") };
  }
  return undefined;
}

describe("public exports", () => {
  it("each have a doc comment with an example", async () => {
    const names = new Set<string>();
    for (const { source } of entryPoints().filter((e) => e.source.startsWith("src/"))) {
      for (const name of Object.keys(await import(join(repoRoot, source)))) names.add(name);
    }
    const problems: string[] = [];
    for (const name of names) {
      const found = docOf(name);
      // Re-exports of generated code (kubeMeta) and of codegen errors are documented where they are defined.
      if (!found) continue;
      if (!found.doc) problems.push(`${name} (${found.file}): no doc comment`);
      else if (!found.doc.includes("@example")) problems.push(`${name} (${found.file}): no @example`);
    }
    expect(problems).toEqual([]);
  });
});
