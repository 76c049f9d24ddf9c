// Part of `npm run build`, after tsc: every entry point of dist/src (those package.json exports,
// the CLI and the validator's worker) is replaced by a bundle of the modules it loads at once, with
// the modules shared between entries and those loaded on demand in dist/src/chunks. Node then
// resolves and compiles a handful of files on `import "kubezod"` instead of about a hundred.
// Declarations (.d.ts) stay as tsc wrote them; dependencies, `#schemas/*` and Node's own modules
// stay imports.
import { build } from "esbuild";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

const entries = new Set(["dist/src/cli/bin.js", "dist/src/validate/worker.js"]);
for (const target of Object.values(pkg.exports)) {
  const file = typeof target === "string" ? target : target.default;
  if (file.startsWith("./dist/src/")) entries.add(file.slice(2));
}

await build({
  absWorkingDir: root,
  entryPoints: [...entries],
  outbase: "dist/src",
  outdir: "dist/src",
  allowOverwrite: true,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  chunkNames: "chunks/[name]-[hash]",
  external: [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {}), "#schemas/*"],
  legalComments: "none",
  minifyWhitespace: true,
  minifySyntax: true,
  keepNames: true,
  logLevel: "warning",
});
