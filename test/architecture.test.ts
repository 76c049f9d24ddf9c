/**
 * The dependency rules of DESIGN.md, checked on the import statements of every source file.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./support/shared.js";

interface SourceFile {
  path: string;
  imports: string[];
}

function walk(dir: string, exts: RegExp): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) out.push(...walk(p, exts));
    else if (exts.test(entry)) out.push(p);
  }
  return out;
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s+(?:type\s+)?(?:[^"';]*?\s+from\s+)?["']([^"']+)["']|import\(\s*["'`]([^"'`$]+)/g;

function read(file: string): SourceFile {
  const text = readFileSync(file, "utf8");
  const imports: string[] = [];
  for (const m of text.matchAll(IMPORT)) imports.push(m[1] ?? m[2]!);
  return { path: relative(repoRoot, file), imports };
}

/** Resolve an import to a repo path (relative, `#schemas/*`) or keep a package name. */
function target(from: string, spec: string): string {
  if (spec.startsWith("#schemas/")) return `schemas/${spec.slice("#schemas/".length)}`;
  if (spec.startsWith(".")) return relative(repoRoot, resolve(dirname(join(repoRoot, from)), spec)).replace(/\.js$/, "");
  return spec;
}

/** The layer of a repo path: `src/meta`, `src/errors`, `codegen`, `schemas`, or a package. */
function layer(path: string): string {
  if (path.startsWith("src/")) {
    const rest = path.slice(4).split("/");
    return rest.length === 1 ? `src/${rest[0]!.replace(/\.ts$/, "")}` : `src/${rest[0]}`;
  }
  if (path.startsWith("codegen/")) return "codegen";
  if (path.startsWith("schemas/")) return "schemas";
  return path;
}

const sources = [...walk(join(repoRoot, "src"), /\.ts$/), ...walk(join(repoRoot, "codegen"), /\.ts$/)].map(read);
const schemaFiles = walk(join(repoRoot, "schemas"), /\.js$/).map(read);

/** Which src layers each layer may import (besides itself and packages). */
const ALLOWED: Record<string, string[]> = {
  "src/errors": [],
  "src/meta": ["src/errors", "schemas"],
  "src/yaml": ["src/errors", "src/meta"],
  "src/patch": ["src/errors", "src/meta", "src/yaml"],
  "src/apiserver": ["src/errors", "src/meta", "src/patch", "src/yaml", "schemas"],
  "src/config": ["src/errors", "src/meta", "src/yaml"],
  "src/transport": ["src/errors", "src/meta", "src/config"],
  "src/client": ["src/errors", "src/meta", "src/patch", "src/config", "src/transport", "schemas"],
  "src/runtime": ["src/errors", "src/meta", "src/patch", "src/config", "src/transport", "src/client", "schemas"],
  "src/validate": ["src/errors", "src/meta", "src/patch", "src/yaml", "src/apiserver"],
  "src/testing": ["src/errors", "src/meta", "src/yaml", "src/patch", "src/apiserver", "src/config", "src/transport", "src/client", "src/validate", "schemas", "codegen"],
  "src/cli": ["src/errors", "src/meta", "src/yaml", "src/patch", "src/apiserver", "src/config", "src/transport", "src/client", "src/validate", "src/testing", "schemas", "codegen", "src/index"],
  "src/index": ["src/errors", "src/meta", "src/yaml", "src/patch", "src/apiserver", "src/config", "src/transport", "src/client", "src/runtime", "src/validate"],
  codegen: ["src/errors", "src/meta", "src/yaml"],
};

/** Modules a pure layer must not reach, directly or through what it imports. */
const IMPURE = /^(node:(fs|fs\/promises|net|http|https|http2|tls|child_process|dgram|dns|timers|worker_threads)|undici|ws)$/;

describe("dependency direction", () => {
  it("every src layer imports only the layers below it", () => {
    const problems: string[] = [];
    for (const f of sources) {
      const from = layer(f.path);
      const allowed = ALLOWED[from];
      if (!allowed) {
        problems.push(`${f.path}: layer ${from} is not in DESIGN.md's layout`);
        continue;
      }
      for (const spec of f.imports) {
        const to = layer(target(f.path, spec));
        if (!to.startsWith("src/") && to !== "schemas" && to !== "codegen") continue;
        if (to !== from && !allowed.includes(to)) problems.push(`${f.path} imports ${spec} (${from} → ${to})`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("generated schemas import only zod (as the package's #zod in code, zod in declarations) and each other", () => {
    const problems = schemaFiles.flatMap((f) =>
      f.imports.filter((s) => s !== (f.path.endsWith(".d.ts") ? "zod" : "#zod") && !s.startsWith(".")).map((s) => `${f.path} imports ${s}`),
    );
    expect(problems).toEqual([]);
  });

  it("src/meta, src/yaml, src/patch and src/apiserver are pure: no network, files, processes or timers, even transitively", () => {
    const byPath = new Map(sources.map((f) => [f.path.replace(/\.ts$/, ""), f]));
    const problems: string[] = [];
    for (const f of sources.filter((s) => /^src\/(meta|yaml|patch|apiserver)\//.test(s.path))) {
      const seen = new Set<string>();
      const stack = [f];
      while (stack.length) {
        const cur = stack.pop()!;
        for (const spec of cur.imports) {
          if (IMPURE.test(spec)) problems.push(`${f.path} reaches ${spec} through ${cur.path}`);
          const t = target(cur.path, spec);
          const next = byPath.get(t);
          if (next && !seen.has(t)) {
            seen.add(t);
            stack.push(next);
          }
        }
      }
      if (/\bset(Timeout|Interval|Immediate)\(/.test(readFileSync(join(repoRoot, f.path), "utf8"))) problems.push(`${f.path} uses timers`);
    }
    expect(problems).toEqual([]);
  });

  it("has no import cycles between layers", () => {
    const edges = new Map<string, Set<string>>();
    for (const f of sources) {
      const from = layer(f.path);
      for (const spec of f.imports) {
        const to = layer(target(f.path, spec));
        if (to === from || !(to.startsWith("src/") || to === "codegen")) continue;
        if (!edges.has(from)) edges.set(from, new Set());
        edges.get(from)!.add(to);
      }
    }
    const cycles: string[] = [];
    const visit = (node: string, path: string[]) => {
      for (const next of edges.get(node) ?? []) {
        if (path.includes(next)) cycles.push([...path.slice(path.indexOf(next)), next].join(" → "));
        else visit(next, [...path, next]);
      }
    };
    for (const node of edges.keys()) visit(node, [node]);
    expect(cycles).toEqual([]);
  });
});

describe("one way to do each thing", () => {
  it("depends on one YAML library", () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { dependencies?: Record<string, string>; peerDependencies?: Record<string, string> };
    const yamlLibraries = Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies }).filter((n) => ["yaml", "js-yaml", "yamljs", "@std/yaml", "eemeli/yaml"].includes(n));
    expect(yamlLibraries).toEqual(["js-yaml"]);
    const importers = sources.filter((f) => f.imports.some((s) => s === "js-yaml" || s === "yaml")).map((f) => f.path);
    expect(importers.every((p) => p.startsWith("src/yaml/"))).toBe(true);
  });

  it("reads Zod's internals (`_zod`) only through the accessor in src/meta/zod.ts", () => {
    const offenders = sources.filter((f) => f.path !== "src/meta/zod.ts" && /_zod\b/.test(readFileSync(join(repoRoot, f.path), "utf8"))).map((f) => f.path);
    expect(offenders).toEqual([]);
  });

  it("evaluates no generated source (no `new Function`, no `eval`), except the validator compiler, which falls back to Zod where code generation is disabled", () => {
    const offenders = sources
      .filter((f) => f.path !== "src/meta/compile.ts")
      .filter((f) => /\bnew Function\s*\(|\beval\s*\(/.test(readFileSync(join(repoRoot, f.path), "utf8")))
      .map((f) => f.path);
    expect(offenders).toEqual([]);
  });
});
