/**
 * `npm run bench [-- name …]`: run benchmark scripts (all of them by default) under Node 24, which
 * the competitors (`@kubernetes/client-node`, `@kubernetes-models/validate`) need.
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { installCompetitors } from "./competitors.js";

const here = dirname(fileURLToPath(import.meta.url));
const HELPERS = new Set(["run", "fixtures", "report", "competitors"]);
const available = readdirSync(here)
  .filter((f) => f.endsWith(".ts"))
  .map((f) => f.slice(0, -3))
  .filter((n) => !HELPERS.has(n))
  .sort();
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : available;
installCompetitors();
let failed = 0;
for (const name of wanted) {
  if (!available.includes(name)) {
    console.error(`no benchmark named ${name}; available: ${available.join(", ")}`);
    process.exitCode = 2;
    continue;
  }
  console.log(`\n=== bench/${name}.ts`);
  const r = spawnSync("npx", ["-y", "-p", "node@24", "--", "node", "--import", "tsx", join(here, `${name}.ts`)], {
    cwd: join(here, ".."),
    stdio: "inherit",
  });
  if (r.status !== 0) failed++;
}
if (failed) process.exitCode = 1;
