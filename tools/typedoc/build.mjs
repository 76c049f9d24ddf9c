// `npm run docs`: the API reference of every entry point (docs/api), built with TypeDoc; warnings fail the build.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
if (!existsSync(join(here, "node_modules", "typedoc"))) {
  const install = spawnSync("npm", ["install", "--prefix", here, "--no-audit", "--no-fund", "--loglevel=error"], { stdio: "inherit" });
  if (install.status !== 0) process.exit(install.status ?? 1);
}
const run = spawnSync(process.execPath, [join(here, "node_modules", "typedoc", "bin", "typedoc"), "--options", join(root, "typedoc.json"), ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
});
process.exit(run.status ?? 1);
