/**
 * Run by schema-scripts.test.ts in a process of its own (Node imports the schema modules natively
 * there, which the test runner would transform one by one): every generated module loaded as a
 * script has the exports the ES module has, and the same values where they are plain data.
 * Prints one JSON line: { modules, mismatches }.
 */
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import * as z from "zod";
import { schemaModules } from "../../src/cli/schema-scripts.js";
import { repoRoot } from "../support/shared.js";

const root = join(repoRoot, "schemas");
const vm = process.getBuiltinModule("node:vm");
const load = schemaModules(root, new Map<string, unknown>([["#zod", z]]), (source, file) => new vm.Script(source, { filename: file }).runInThisContext() as ReturnType<Parameters<typeof schemaModules>[2]>);
const files = readdirSync(root, { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile() && e.name.endsWith(".js"))
  .map((e) => relative(root, join(e.parentPath, e.name)))
  .sort();
const mismatches: string[] = [];
const plain = (v: unknown): boolean => v === null || ["string", "number", "boolean"].includes(typeof v) || (Array.isArray(v) && v.every(plain));
for (const file of files) {
  const native = (await import(pathToFileURL(join(root, file)).href)) as Record<string, unknown>;
  let scripted: Record<string, unknown>;
  try {
    scripted = load(`#schemas/${file}`) as Record<string, unknown>;
  } catch (err) {
    mismatches.push(`${file}: ${(err as Error).message}`);
    continue;
  }
  const a = Object.keys(native).sort().join(",");
  const b = Object.keys(scripted).sort().join(",");
  if (a !== b) mismatches.push(`${file}: exports ${a} as a module, ${b} as a script`);
  for (const key of Object.keys(native)) {
    const v = native[key];
    if (typeof v !== typeof scripted[key]) mismatches.push(`${file}: ${key} is ${typeof v} as a module, ${typeof scripted[key]} as a script`);
    else if (plain(v) && JSON.stringify(v) !== JSON.stringify(scripted[key])) mismatches.push(`${file}: ${key} differs`);
  }
}
console.log(JSON.stringify({ modules: files.length, mismatches }));
