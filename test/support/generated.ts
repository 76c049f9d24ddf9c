/**
 * A scratch directory inside the package (so `zod` and `kubezod/k8s/*` resolve) for modules the
 * tests generate and import; removed when the test process exits.
 */
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./shared.js";

const made: string[] = [];
process.on("exit", () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

export function scratchDir(name: string): string {
  const dir = join(repoRoot, "test", ".generated", `${name}-${process.pid}-${Date.now().toString(36)}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  made.push(dir);
  return dir;
}
