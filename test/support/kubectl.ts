/**
 * Where the machine's kubectl binaries are: the real `kubectl` and the `kubectl.1.NN` beside it.
 */
import { spawnSync } from "node:child_process";
import { existsSync, realpathSync } from "node:fs";
import { dirname, join } from "node:path";

const which = spawnSync("sh", ["-c", "command -v kubectl"], { encoding: "utf8" }).stdout.trim();

/** The directory of the real kubectl (symbolic links followed), or "" when there is none. */
export const kubectlDir = which ? dirname(realpathSync(which)) : "";

/** Of these minors, those with a `kubectl.1.NN` beside the real kubectl. */
export function kubectlVersions(minors: readonly string[]): string[] {
  return minors.filter((v) => kubectlDir && existsSync(join(kubectlDir, `kubectl.${v}`)));
}
