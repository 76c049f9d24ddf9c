/**
 * Where the machine's kubectl binaries are: the real `kubectl` and the `kubectl.1.NN` beside it.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, realpathSync } from "node:fs";
import { dirname, join } from "node:path";

const which = spawnSync("sh", ["-c", "command -v kubectl"], { encoding: "utf8" }).stdout.trim();

/** The directory of the real kubectl (symbolic links followed), or "" when there is none. */
export const kubectlDir = which ? dirname(realpathSync(which)) : "";

/** Of these minors, those with a `kubectl.1.NN` beside the real kubectl. */
export function kubectlVersions(minors: readonly string[]): string[] {
  return minors.filter((v) => kubectlDir && existsSync(join(kubectlDir, `kubectl.${v}`)));
}

/** What one kubectl run printed, and its exit code. */
export interface KubectlRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Give a started kubectl `input` on stdin and collect what it prints until it exits. */
export function collectRun(child: ChildProcessWithoutNullStreams, input = ""): Promise<KubectlRun> {
  return new Promise((resolve) => {
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d));
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** Run `kubectl.1.NN` with a kubeconfig, its home and cache in `dir`, and `input` on stdin. */
export function runKubectl(version: string, dir: string, kubeconfig: string, args: readonly string[], input = ""): Promise<KubectlRun> {
  return collectRun(spawn(join(kubectlDir, `kubectl.${version}`), ["--cache-dir", join(dir, "cache"), ...args], { env: { ...process.env, KUBECONFIG: kubeconfig, HOME: dir } }), input);
}
