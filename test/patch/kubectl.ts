/**
 * kubectl as the oracle for patch semantics: `kubectl patch --local` applies a patch with
 * Kubernetes' own code, offline.
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

function detect(): string | undefined {
  try {
    const out = execFileSync("kubectl", ["version", "--client", "-o", "json"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    return (JSON.parse(out) as { clientVersion?: { gitVersion?: string } }).clientVersion?.gitVersion;
  } catch {
    return undefined;
  }
}

/** The installed kubectl's version (`v1.32.4`), or undefined when there is none. */
export const kubectlVersion = detect();
export const hasKubectl = kubectlVersion !== undefined;
/** A suffix for test names that need kubectl, so a skip explains itself. */
export const needsKubectl = hasKubectl ? "" : " [skipped: kubectl is not installed]";

/** What kubectl answered: the patched object, or its error text (without `error: `). */
export type KubectlAnswer = { result: unknown } | { error: string };

let scratch: string | undefined;

/** Write an object to a scratch file for `kubectl -f`. */
export function scratchFile(name: string, value: unknown): string {
  scratch ??= mkdtempSync(join(tmpdir(), "kubezod-patch-"));
  const file = join(scratch, name);
  writeFileSync(file, JSON.stringify(value));
  return file;
}

/** kubectl rewrites evanphx's "doc is missing key" errors before printing them. */
export function asKubectlPrints(message: string): string {
  const ix = message.indexOf("doc is missing key");
  return ix < 0 ? message : `Object to be patched is missing field (${message.slice(message.indexOf("key:") + 5)})`;
}

/** `kubectl patch --local -f FILE --type TYPE -p PATCH -o json`. */
export function kubectlPatch(file: string, patch: unknown, type: "strategic" | "merge" | "json" = "strategic"): Promise<KubectlAnswer> {
  return new Promise((resolve, reject) => {
    execFile("kubectl", ["patch", "--local", "-f", file, "--type", type, "-p", JSON.stringify(patch), "-o", "json"], { encoding: "utf8", maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (!err) return resolve({ result: JSON.parse(stdout) });
      // A panic prints a goroutine trace with addresses that change from run to run: keep its first line.
      const text = stderr.startsWith("panic: ") ? (stderr.split("\n")[0] as string) : stderr.replace(/^error: /, "").replace(/\n$/, "");
      if (text) return resolve({ error: text });
      reject(err);
    });
  });
}

/** Run `fn` over `items` with at most `limit` at a time. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
