/**
 * Command-line parsing shared by the `kubezod` commands: `--help` and usage errors (exit code 2)
 * handled the same way everywhere.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { writeOutput } from "./output.js";

/**
 * Parse a command's arguments, or return the exit code to end with at once: 0 after printing the
 * help for `--help`, 2 after a usage error.
 *
 * @example
 * const parsed = parseCommand("serve", HELP, { args: argv, options: { port: { type: "string" }, help: { type: "boolean" } } });
 * if (typeof parsed === "number") return parsed;
 */
export function parseCommand<const T extends ParseArgsConfig>(command: string, help: string, config: T): ReturnType<typeof parseArgs<T>> | number {
  let parsed: ReturnType<typeof parseArgs<T>>;
  try {
    parsed = parseArgs(config);
  } catch (err) {
    return usageError(command, help, (err as Error).message);
  }
  if ((parsed.values as { help?: boolean }).help) {
    writeOutput(1, help);
    return 0;
  }
  return parsed;
}

/**
 * Report a usage error with the command's help; returns exit code 2.
 *
 * @example
 * if (!values.out) return usageError("generate", HELP, "--out DIR is required");
 */
export function usageError(command: string, help: string, message: string): number {
  writeOutput(2, `kubezod ${command}: ${message}\n\n${help}`);
  return 2;
}
