/**
 * Where manifests come from: files, directories (recursively: .yaml, .yml, .json), glob patterns
 * and standard input, read with the checks that keep a run bounded (size limit, binary files,
 * invalid UTF-8).
 */
import { isUtf8 } from "node:buffer";
import { closeSync, fstatSync, openSync, readdirSync, readFileSync, statSync } from "node:fs";
import { open } from "node:fs/promises";
import { join, relative, sep } from "node:path";

const MANIFEST_FILE = /\.(ya?ml|json)$/i;

/** A file found for a path argument, or the reason nothing could be found. */
export type ExpandedPath = { file: string } | { file: string; error: string };

function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*") {
      if (glob[i + 1] === "*") {
        const slash = glob[i + 2] === "/";
        re += slash ? "(?:.*/)?" : ".*";
        i += slash ? 2 : 1;
      } else re += "[^/]*";
    } else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const end = glob.indexOf("]", i + 1);
      if (end < 0) re += "\\[";
      else {
        re += `[${glob.slice(i + 1, end).replace(/^!/, "^").replace(/\\/g, "\\\\")}]`;
        i = end;
      }
    } else if (c === "{") {
      const end = glob.indexOf("}", i + 1);
      if (end < 0) re += "\\{";
      else {
        re += `(?:${glob
          .slice(i + 1, end)
          .split(",")
          .map((s) => s.replace(/[.+^$()|\\]/g, "\\$&").replace(/\*/g, "[^/]*"))
          .join("|")})`;
        i = end;
      }
    } else re += c.replace(/[.+^$()|\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

function walk(dir: string, out: string[]): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== "node_modules" && !e.name.startsWith(".")) walk(p, out);
    } else if (e.isFile() || e.isSymbolicLink()) out.push(p);
  }
}

/**
 * Expand path arguments into files: a file as is, a directory into its manifest files
 * (recursively, sorted), a glob (`manifests/**\/*.yaml`) into the files it matches, `-` kept for
 * standard input.
 *
 * @example
 * expandPaths(["k8s/", "extra/*.yml"]);
 */
export function expandPaths(paths: readonly string[]): ExpandedPath[] {
  const out: ExpandedPath[] = [];
  for (const p of paths) {
    if (p === "-") {
      out.push({ file: "-" });
      continue;
    }
    let st;
    try {
      st = statSync(p);
    } catch {
      st = undefined;
    }
    if (st?.isDirectory()) {
      const files: string[] = [];
      walk(p, files);
      const found = files.filter((f) => MANIFEST_FILE.test(f));
      if (!found.length) out.push({ file: p, error: "no .yaml, .yml or .json files in this directory" });
      for (const f of found) out.push({ file: f });
    } else if (st) out.push({ file: p });
    else if (/[*?[{]/.test(p)) {
      const norm = p.split(sep).join("/");
      const firstMagic = norm.search(/[*?[{]/);
      const base = norm.slice(0, norm.lastIndexOf("/", firstMagic) + 1) || ".";
      const re = globToRegExp(norm.startsWith("./") ? norm.slice(2) : norm);
      const files: string[] = [];
      walk(base, files);
      const found = files.filter((f) => {
        const rel = (base === "." ? relative(".", f) : f).split(sep).join("/");
        return re.test(rel);
      });
      if (!found.length) out.push({ file: p, error: "no files match this pattern" });
      for (const f of found) out.push({ file: f });
    } else out.push({ file: p, error: "no such file or directory" });
  }
  return out;
}

/** The first offset at which bytes are not valid UTF-8, or -1. */
export function invalidUtf8Offset(b: Uint8Array): number {
  if (isUtf8(b)) return -1;
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let min: number;
    if ((c & 0xe0) === 0xc0) [n, min] = [1, 0x80];
    else if ((c & 0xf0) === 0xe0) [n, min] = [2, 0x800];
    else if ((c & 0xf8) === 0xf0) [n, min] = [3, 0x10000];
    else return i;
    if (i + n >= b.length) return i;
    let cp = c & (0x3f >> n);
    for (let j = 1; j <= n; j++) {
      const cc = b[i + j];
      if (cc === undefined || (cc & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return -1;
}

/** Decode manifest bytes, or say why they are not a text manifest. */
export function decodeManifest(bytes: Uint8Array): { text: string } | { error: string } {
  const head = bytes.subarray(0, 8192);
  if (head.includes(0)) return { error: "binary file (contains NUL bytes), not a YAML or JSON manifest" };
  const bad = invalidUtf8Offset(bytes);
  if (bad >= 0) {
    let line = 1;
    for (let i = 0; i < bad; i++) if (bytes[i] === 10) line++;
    return { error: `invalid UTF-8 at byte ${bad} (line ${line}); manifests must be UTF-8 text` };
  }
  return { text: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8") };
}

function openError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  return code === "ENOENT" ? "no such file or directory" : code === "EACCES" ? "permission denied" : (err as Error).message;
}

function tooLarge(size: number | undefined, maxBytes: number): string {
  const what = size === undefined ? "file is larger than" : `file is ${formatBytes(size)}, larger than`;
  return `${what} the ${formatBytes(maxBytes)} limit (raise it with --max-file-size)`;
}

/** Read a file (or standard input for `-`) with a size limit. */
export async function readManifestFile(file: string, maxBytes: number): Promise<{ text: string } | { error: string }> {
  if (file === "-") {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of process.stdin) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) return { error: `standard input is larger than the ${formatBytes(maxBytes)} limit (raise it with --max-file-size)` };
      chunks.push(chunk as Buffer);
    }
    return decodeManifest(Buffer.concat(chunks));
  }
  let handle;
  try {
    handle = await open(file, "r");
  } catch (err) {
    return { error: openError(err) };
  }
  try {
    const st = await handle.stat();
    if (st.isDirectory()) return { error: "is a directory" };
    if (st.size > maxBytes) return { error: tooLarge(st.size, maxBytes) };
    const bytes = await handle.readFile();
    if (bytes.length > maxBytes) return { error: tooLarge(undefined, maxBytes) };
    return decodeManifest(bytes);
  } finally {
    await handle.close();
  }
}

/**
 * Read a file with a size limit, synchronously: what {@link readManifestFile} does for a file,
 * without a round trip through the thread pool per step (a run reads many small files).
 */
export function readManifestFileSync(file: string, maxBytes: number): { text: string } | { error: string } {
  const r = readManifestBytesSync(file, maxBytes);
  return "error" in r ? r : decodeManifest(r.bytes);
}

/** A file's bytes (not yet checked to be text), with a size limit. */
export function readManifestBytesSync(file: string, maxBytes: number): { bytes: Buffer } | { error: string } {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (err) {
    return { error: openError(err) };
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) return { error: "is a directory" };
    if (st.size > maxBytes) return { error: tooLarge(st.size, maxBytes) };
    const bytes = readFileSync(fd);
    if (bytes.length > maxBytes) return { error: tooLarge(undefined, maxBytes) };
    return { bytes };
  } catch (err) {
    return { error: openError(err) };
  } finally {
    closeSync(fd);
  }
}

/** `52428800` → `50.0 MiB`. */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}
