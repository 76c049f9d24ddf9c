/**
 * The executable entry of `kubezod`: runs the CLI with the process arguments and sets the exit code.
 */
import module from "node:module";

// Node 22.1+ keeps compiled code between runs, which shortens every start; elsewhere a no-op.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
const { main } = await import("./main.js");

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`kubezod: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
