/**
 * Every example under examples/ runs (as a user would run it, through the package's own entry
 * points), and every README code block that names an example is exactly that example.
 */
import { spawn } from "node:child_process";
import { cpSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./support/shared.js";

const examples = readdirSync(join(repoRoot, "examples")).filter((f) => f.endsWith(".ts"));

// The examples compiled once to JavaScript (what `npx tsx` runs, without its loader in every process);
// they import the built package by name, as a user's program does.
const compiled = join(repoRoot, "test/.generated/examples");
const compiling = build({
  entryPoints: examples.map((f) => join(repoRoot, "examples", f)),
  outdir: compiled,
  outExtension: { ".js": ".mjs" },
  format: "esm",
  platform: "node",
  target: "node20",
  logLevel: "error",
}).then(() => {
  // The examples' data (manifests, a policy repository) beside them, as in examples/.
  for (const d of readdirSync(join(repoRoot, "examples"), { withFileTypes: true })) {
    if (d.isDirectory()) cpSync(join(repoRoot, "examples", d.name), join(compiled, d.name), { recursive: true });
  }
});

/** Run an example as a user would, in a process of its own. */
async function run(file: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  await compiling;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(compiled, file.replace(/\.ts$/, ".mjs"))], { cwd: repoRoot, env: { ...process.env, NO_COLOR: "1" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill(), 120_000);
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

// The examples wait on their local servers as much as they compute: several run at once.
describe.concurrent("examples", () => {
  for (const file of examples) {
    it(`examples/${file} runs`, { timeout: 180_000 }, async ({ expect }) => {
      const r = await run(file);
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      // Each example says what it prints in `// …` comments; check those values appear.
      const expectations = [...readFileSync(join(repoRoot, "examples", file), "utf8").matchAll(/console\.log\(.*\); \/\/ (.+)$/gm)].map((m) => m[1]!);
      for (const e of expectations) {
        for (const token of e.split(/[\s,[\]']+/).filter((t) => t && !t.startsWith("…"))) expect(r.stdout, token).toContain(token);
      }
    });
  }
});

describe("README", () => {
  const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
  const blocks = [...readme.matchAll(/<!-- example: (examples\/[\w.-]+) -->\s*```ts\n([\s\S]*?)```/g)];

  it("shows examples", () => {
    expect(blocks.length).toBeGreaterThan(0);
  });

  for (const [, path, code] of blocks) {
    it(`shows ${path} exactly as it runs`, () => {
      expect(code!.trim()).toBe(readFileSync(join(repoRoot, path!), "utf8").trim());
    });
  }

  it("names exactly the install and test commands CI runs", () => {
    const ci = readFileSync(join(repoRoot, ".ci/run"), "utf8");
    expect(readme).toMatch(/```sh\nnpm install\nnpm test\n```/);
    expect(ci).toMatch(/^npm install$/m);
    expect(ci).toMatch(/^npm test$/m);
  });
});
