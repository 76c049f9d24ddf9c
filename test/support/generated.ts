/**
 * A scratch directory inside the package (so `zod` and `kubezod/k8s/*` resolve) for modules the
 * tests generate and import.
 */
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./shared.js";

export function scratchDir(name: string): string {
  const dir = join(repoRoot, "test", ".generated", `${name}-${process.pid}-${Date.now().toString(36)}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}
