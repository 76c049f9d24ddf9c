/**
 * Getting the official clients the way CI can: the Python client from Debian's
 * `python3-kubernetes` (installed with apt-get when missing and allowed), `@kubernetes/client-node`
 * from the npm registry into node_modules/.cache under Node 24 (it needs Node 22 or newer). Each
 * answers what to run, or why it cannot be had.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./shared.js";

export type Obtained<T> = { ok: true; value: T } | { ok: false; reason: string };

function run(cmd: string, args: string[], options: { cwd?: string; timeoutMs?: number } = {}) {
  return spawnSync(cmd, args, { cwd: options.cwd, encoding: "utf8", timeout: options.timeoutMs ?? 120_000, env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
}

/** A Python interpreter that can `import kubernetes`. */
export function pythonClient(): Obtained<string> {
  const candidates = ["/usr/bin/python3", "python3"];
  const importable = () => candidates.find((py) => run(py, ["-c", "import kubernetes"]).status === 0);
  const found = importable();
  if (found) return { ok: true, value: found };
  if (process.env.KUBEZOD_NO_INSTALL) return { ok: false, reason: "python3-kubernetes is not installed (KUBEZOD_NO_INSTALL is set)" };
  if (process.getuid?.() !== 0 || run("apt-get", ["--version"]).status !== 0) return { ok: false, reason: "python3-kubernetes is not installed and apt-get cannot install it here" };
  let install = run("apt-get", ["install", "-y", "-qq", "python3-kubernetes"], { timeoutMs: 600_000 });
  if (install.status !== 0) {
    run("apt-get", ["update", "-qq"], { timeoutMs: 600_000 });
    install = run("apt-get", ["install", "-y", "-qq", "python3-kubernetes"], { timeoutMs: 600_000 });
  }
  const after = importable();
  return after ? { ok: true, value: after } : { ok: false, reason: `apt-get install python3-kubernetes failed: ${(install.stderr || install.stdout || String(install.error ?? "")).trim().split("\n").pop()}` };
}

/** A directory with `@kubernetes/client-node` 2.x installed, run under Node 24 from the npm `node` package. */
export function clientNode(): Obtained<{ dir: string; node: string[] }> {
  const dir = join(repoRoot, "node_modules", ".cache", "kubezod-client-node");
  const node = ["npx", "-y", "-p", "node@24", "--", "node"];
  const installed = () => existsSync(join(dir, "node_modules", "@kubernetes", "client-node", "package.json"));
  if (!installed()) {
    if (process.env.KUBEZOD_NO_INSTALL) return { ok: false, reason: "@kubernetes/client-node is not installed (KUBEZOD_NO_INSTALL is set)" };
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "package.json"), `${JSON.stringify({ name: "kubezod-client-node-run", private: true }, null, 2)}\n`);
    const install = run("npx", ["-y", "-p", "node@24", "--", "npm", "install", "--no-audit", "--no-fund", "--loglevel=error", "@kubernetes/client-node@^2"], { cwd: dir, timeoutMs: 600_000 });
    if (!installed()) return { ok: false, reason: `installing @kubernetes/client-node under Node 24 failed: ${(install.stderr || String(install.error ?? "")).trim().split("\n").pop()}` };
  }
  const version = run(node[0]!, [...node.slice(1), "--version"], { cwd: dir });
  if (version.status !== 0) return { ok: false, reason: `Node 24 from the npm node package cannot run: ${version.stderr.trim().split("\n").pop()}` };
  return { ok: true, value: { dir, node } };
}
