/**
 * The executable entry of `kubezod`: runs the CLI with the process arguments and sets the exit code.
 */
import module from "node:module";

// Node 22.1+ keeps compiled code between runs, which shortens every start; elsewhere a no-op.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

// The command's zod is one bundled file (dist/src/cli/zod.js, made from the installed zod by
// tools/bundle.mjs) rather than its hundred modules: bin/kubezod.cjs runs Node with the
// `kubezod-command` condition, under which the package's `#zod` import resolves to that file.
const { main } = await import("./main.js");

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`kubezod: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
