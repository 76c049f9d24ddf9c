/**
 * Whether the built package (dist/, what `npm test` builds before the suite) is newer than every
 * source file: then child processes run the built code with plain `node`, which starts several
 * times faster than compiling the sources on the fly; otherwise they fall back to the sources.
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./shared.js";

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) latest = Math.max(latest, newest(p));
    else if (entry.name.endsWith(".ts")) latest = Math.max(latest, statSync(p).mtimeMs);
  }
  return latest;
}

let fresh: boolean | undefined;

/** True when dist/ was built after the last change to src/ and codegen/. */
export function builtIsFresh(): boolean {
  if (fresh !== undefined) return fresh;
  try {
    const built = statSync(join(repoRoot, "dist/src/cli/bin.js")).mtimeMs;
    fresh = built >= Math.max(newest(join(repoRoot, "src")), newest(join(repoRoot, "codegen")));
  } catch {
    fresh = false;
  }
  return fresh;
}

/** The command line that runs a TypeScript entry of the project (`src/cli/bin.ts`, `codegen/main.ts`): built when fresh. */
export function nodeArgsFor(sourceEntry: string): string[] {
  // The command runs under the condition bin/kubezod.cjs sets (its own one-file zod, package.json "#zod").
  if (builtIsFresh()) return [...(sourceEntry === "src/cli/bin.ts" ? ["--conditions=kubezod-command"] : []), join(repoRoot, "dist", sourceEntry.replace(/\.ts$/, ".js"))];
  return ["--import", "tsx", join(repoRoot, sourceEntry)];
}
