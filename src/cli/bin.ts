/**
 * The executable entry of `kubezod`: runs the CLI with the process arguments and sets the exit code.
 */
import { existsSync } from "node:fs";
import module from "node:module";

// Node 22.1+ keeps compiled code between runs, which shortens every start; elsewhere a no-op.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

// In the built package, the command's zod is one bundled file (dist/src/cli/zod.js, made from the
// installed zod by tools/bundle.mjs) rather than its hundred modules: a fifth off a cold start.
// Node 22.15+ resolves "zod" to it through a synchronous hook; the process holds nothing but the
// command, so every schema it builds comes from that one copy. Elsewhere (Node 20, the sources
// run with tsx) the installed zod is used, as by the library.
type ResolveHook = (specifier: string, context: unknown, next: (specifier: string, context: unknown) => unknown) => unknown;
const registerHooks = (module as { registerHooks?: (hooks: { resolve: ResolveHook }) => unknown }).registerHooks;
const bundledZod = new URL("./zod.js", import.meta.url);
if (registerHooks && existsSync(bundledZod)) {
  const url = bundledZod.href;
  registerHooks({ resolve: (specifier, context, next) => (specifier === "zod" ? { url, shortCircuit: true } : next(specifier, context)) });
}
const { main } = await import("./main.js");

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`kubezod: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
