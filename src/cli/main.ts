/**
 * The `kubezod` command: `validate`, `generate`, `serve`.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const commands: Record<string, { summary: string; load: () => Promise<{ run(argv: string[]): Promise<number> }> }> = {
  generate: { summary: "generate Zod schemas from CRD files or OpenAPI documents", load: () => import("./generate.js") },
  serve: { summary: "run a local Kubernetes API server (kubectl works against it)", load: () => import("./serve.js") },
  validate: { summary: "validate Kubernetes manifests before commit and in CI", load: () => import("./validate.js") },
};

/** The package's version, from the package.json above this file (in src/ or dist/src/). */
function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, "package.json");
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "kubezod" && pkg.version) return pkg.version;
    }
    const up = dirname(dir);
    if (up === dir) return "unknown";
    dir = up;
  }
}

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `usage: kubezod <command> [options]\n\ncommands:\n${lines.join("\n")}\n\nRun \`kubezod <command> --help\` for a command's options.`;
}

/**
 * Run the CLI with arguments (without `node` and the script) and return the exit code.
 *
 * @example
 * process.exitCode = await main(["validate", "manifests/"]);
 */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    (name ? process.stdout : process.stderr).write(`${usage()}\n`);
    return name ? 0 : 2;
  }
  if (name === "--version" || name === "version") {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`kubezod: unknown command "${name}"\n\n${usage()}\n`);
    return 2;
  }
  return (await command.load()).run(rest);
}
