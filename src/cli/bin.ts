/**
 * The executable entry of `kubezod`: runs the CLI with the process arguments and sets the exit code.
 */
import { main } from "./main.js";

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`kubezod: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
