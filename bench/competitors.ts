/**
 * The benchmarks' competitors live in bench/competitors (their own package), installed by
 * `npm run bench` on first use: the project's `npm install` does not fetch them (some need
 * Node 22+, which would warn on Node 20).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const dir = join(dirname(fileURLToPath(import.meta.url)), "competitors");

/** Install the competitors unless they are there. */
export function installCompetitors(): void {
  if (existsSync(join(dir, "node_modules", ".package-lock.json"))) return;
  console.log("installing the benchmark competitors into bench/competitors …");
  const r = spawnSync("npm", ["install", "--prefix", dir, "--no-audit", "--no-fund", "--loglevel=error"], { stdio: "inherit" });
  if (r.status !== 0) throw new Error("could not install the benchmark competitors");
}

/** Import a competitor module (e.g. `@kubernetes/client-node`). */
export async function competitor<T>(specifier: string): Promise<T> {
  const { load } = await import("./competitors/load.mjs");
  return (await load(specifier)) as T;
}
