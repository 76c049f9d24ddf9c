/**
 * Where manifests come from: files, directories (recursively: .yaml, .yml, .json), glob patterns
 * and standard input, read with the checks that keep a run bounded: a size limit enforced while
 * reading (never after), binary files and invalid UTF-8 refused, and files that are not regular
 * files (FIFOs, devices) read only when named directly — as a stream that stops at the limit and
 * stops when the run is cancelled — never when found in a directory or by a pattern.
 */
import { isUtf8 } from "node:buffer";
import { closeSync, constants, fstatSync, openSync, readdirSync, readSync, statSync, type Stats } from "node:fs";
import { join, relative, sep } from "node:path";
import type { Readable } from "node:stream";

const MANIFEST_FILE = /\.(ya?ml|json)$/i;

/** A file found for a path argument, or the reason nothing could be found. */
export type ExpandedPath = { file: string; special?: string } | { file: string; error: string };

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

/** What a directory entry is, following symlinks: a regular file, a directory, or something else (named). */
function kindOf(st: Stats | undefined): "file" | "directory" | string {
  if (!st) return "missing";
  if (st.isFile()) return "file";
  if (st.isDirectory()) return "directory";
  if (st.isFIFO()) return "FIFO";
  if (st.isCharacterDevice()) return "character device";
  if (st.isBlockDevice()) return "block device";
  if (st.isSocket()) return "socket";
  return "special file";
}

function statOrUndefined(p: string): Stats | undefined {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}

interface Found {
  file: string;
  /** What it is when it is not a regular file (a FIFO found by a walk is never opened). */
  kind: string;
}

function walk(dir: string, out: Found[], depth = 0): void {
  if (depth > 64) return;
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
      if (e.name !== "node_modules" && !e.name.startsWith(".")) walk(p, out, depth + 1);
    } else if (e.isFile()) out.push({ file: p, kind: "file" });
    else {
      // Symlinks are followed to see what they point at; FIFOs and devices are noted, not opened.
      const kind = kindOf(statOrUndefined(p));
      if (kind === "directory" || kind === "missing") continue;
      out.push({ file: p, kind });
    }
  }
}

function found(f: Found): ExpandedPath {
  return f.kind === "file" ? { file: f.file } : { file: f.file, error: `not a regular file (a ${f.kind}): only regular files are read from directories and patterns; name it directly to read it` };
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
    const st = statOrUndefined(p);
    const kind = kindOf(st);
    if (kind === "directory") {
      const files: Found[] = [];
      walk(p, files);
      for (const f of files) if (MANIFEST_FILE.test(f.file)) out.push(found(f));
    } else if (kind === "file") out.push({ file: p });
    else if (st) out.push({ file: p, special: kind });
    else if (/[*?[{]/.test(p)) {
      const norm = p.split(sep).join("/");
      const firstMagic = norm.search(/[*?[{]/);
      const base = norm.slice(0, norm.lastIndexOf("/", firstMagic) + 1) || ".";
      const re = globToRegExp(norm.startsWith("./") ? norm.slice(2) : norm);
      const files: Found[] = [];
      walk(base, files);
      const matched = files.filter((f) => {
        const rel = (base === "." ? relative(".", f.file) : f.file).split(sep).join("/");
        return re.test(rel);
      });
      if (!matched.length) out.push({ file: p, error: "no files match this pattern" });
      for (const f of matched) out.push(found(f));
    } else out.push({ file: p, error: "no such file or directory" });
  }
  return out;
}

/**
 * The directories among path arguments that hold no manifest files (so that a run over them can
 * say so rather than report nothing).
 *
 * @example
 * emptyDirectories(["k8s/"]); // ["k8s/"] when it has no .yaml, .yml or .json file
 */
export function emptyDirectories(paths: readonly string[]): string[] {
  return paths.filter((p) => {
    if (p === "-" || kindOf(statOrUndefined(p)) !== "directory") return false;
    const files: Found[] = [];
    walk(p, files);
    return !files.some((f) => MANIFEST_FILE.test(f.file));
  });
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

/**
 * Why bytes are not a text manifest (NUL bytes near the start, invalid UTF-8), or undefined when
 * they are one.
 *
 * @example
 * manifestBytesProblem(Buffer.from("kind: ConfigMap\n")); // undefined
 */
export function manifestBytesProblem(bytes: Uint8Array): string | undefined {
  const head = bytes.subarray(0, 8192);
  if (head.includes(0)) return "binary file (contains NUL bytes), not a YAML or JSON manifest";
  const bad = invalidUtf8Offset(bytes);
  if (bad >= 0) {
    let line = 1;
    for (let i = 0; i < bad; i++) if (bytes[i] === 10) line++;
    return `invalid UTF-8 at byte ${bad} (line ${line}); manifests must be UTF-8 text`;
  }
  return undefined;
}

function openError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  return code === "ENOENT" ? "no such file or directory" : code === "EACCES" ? "permission denied" : code === "ENXIO" ? "cannot be opened for reading (a socket or a FIFO without a reader)" : (err as Error).message;
}

function tooLarge(size: number | undefined, maxBytes: number, what = "file"): string {
  const is = size === undefined ? `${what} is larger than` : `${what} is ${formatBytes(size)}, larger than`;
  return `${is} the ${formatBytes(maxBytes)} limit (raise it with --max-file-size)`;
}

/** The error a cancelled run rejects with: the signal's reason, as Node's own APIs do. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? Object.assign(new Error("The operation was aborted"), { name: "AbortError" });
}

const CHUNK = 64 * 1024;
const BINARY_PROBE = 8192;

/**
 * Collect a stream's bytes up to a limit: stops reading (and closes the stream) as soon as the
 * limit is passed, when the first bytes show a binary file, or when the signal fires.
 */
function collect(stream: Readable, maxBytes: number, what: string, signal?: AbortSignal): Promise<{ bytes: Buffer } | { error: string }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (r: { bytes: Buffer } | { error: string } | Error) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener("abort", onAbort);
      stream.destroy();
      if (r instanceof Error) reject(r);
      else resolve(r);
    };
    const onAbort = () => finish(abortReason(signal!) as Error);
    if (signal?.aborted) return onAbort();
    signal?.addEventListener("abort", onAbort, { once: true });
    stream.on("data", (chunk: Buffer) => {
      if (size < BINARY_PROBE && chunk.subarray(0, BINARY_PROBE - size).includes(0)) {
        return finish({ error: "binary file (contains NUL bytes), not a YAML or JSON manifest" });
      }
      size += chunk.length;
      if (size > maxBytes) return finish({ error: tooLarge(undefined, maxBytes, what) });
      chunks.push(chunk);
    });
    stream.on("end", () => finish({ bytes: Buffer.concat(chunks, size) }));
    stream.on("error", (err) => finish({ error: openError(err) }));
  });
}

/** Read standard input with a size limit, stopping early at the limit and when cancelled. */
export async function readStandardInput(maxBytes: number, signal?: AbortSignal): Promise<{ bytes: Buffer } | { error: string }> {
  const r = await collect(process.stdin, maxBytes, "standard input", signal);
  return r;
}

/**
 * Read a file that is not a regular file (a FIFO such as `<(helm template …)`, a device such as
 * `/dev/stdin`), named directly: as a stream, with the size limit enforced while reading and the
 * read stopping when the signal fires. Opening does not wait for a FIFO's writer.
 */
export async function readSpecialFile(file: string, maxBytes: number, signal?: AbortSignal): Promise<{ bytes: Buffer } | { error: string }> {
  if (signal?.aborted) throw abortReason(signal);
  const kind = kindOf(statOrUndefined(file));
  if (kind === "socket") return { error: "not a file that can be read (a socket)" };
  if (kind === "FIFO") {
    let fd: number;
    try {
      // Non-blocking: a FIFO without a writer yet must not block the open (and the thread).
      fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (err) {
      return { error: openError(err) };
    }
    const socket = new (process.getBuiltinModule("node:net").Socket)({ fd, readable: true, writable: false });
    return collect(socket, maxBytes, "file", signal);
  }
  // Devices: read in chunks, so that an endless one (/dev/zero) stops at the limit.
  let handle;
  try {
    handle = await process.getBuiltinModule("node:fs/promises").open(file, "r");
  } catch (err) {
    return { error: openError(err) };
  }
  try {
    const chunks: Buffer[] = [];
    let size = 0;
    for (;;) {
      if (signal?.aborted) throw abortReason(signal);
      const buf = Buffer.allocUnsafe(CHUNK);
      const { bytesRead } = await handle.read(buf, 0, CHUNK, null);
      if (bytesRead === 0) break;
      if (size < BINARY_PROBE && buf.subarray(0, Math.min(bytesRead, BINARY_PROBE - size)).includes(0)) {
        return { error: "binary file (contains NUL bytes), not a YAML or JSON manifest" };
      }
      size += bytesRead;
      if (size > maxBytes) return { error: tooLarge(undefined, maxBytes) };
      chunks.push(buf.subarray(0, bytesRead));
    }
    return { bytes: Buffer.concat(chunks, size) };
  } finally {
    await handle.close();
  }
}

/**
 * A buffer reused by the synchronous reads (no allocation per file: a run reads many small
 * files), and whether the bytes of a file read into it are still being read.
 */
let scratch: Buffer | undefined;
let scratchLent = false;
const SCRATCH_KEPT = 4 * 1024 * 1024;

/**
 * Read a file with a size limit, synchronously, and check that it is a text manifest (UTF-8, no
 * NUL bytes), without decoding it: its documents are decoded one at a time as they are read, so
 * that a file never becomes one long string. The bytes may be in a buffer the next read reuses:
 * call `release()` when done with them (until then, reads take a buffer of their own).
 *
 * @example
 * const r = readManifestTextBytesSync("app.yaml", 32 << 20);
 * if (!("error" in r)) try { use(r.bytes); } finally { r.release(); }
 */
export function readManifestTextBytesSync(file: string, maxBytes: number): { bytes: Buffer; release(): void } | { error: string } {
  const r = readRegularFileSync(file, maxBytes, scratchLent ? undefined : scratch);
  if ("error" in r) return r;
  const problem = manifestBytesProblem(r.bytes);
  const whole = r.bytes.buffer;
  let release = noRelease;
  if (!scratchLent && whole.byteLength <= SCRATCH_KEPT) {
    if (scratch?.buffer !== whole) scratch = Buffer.from(whole, 0, whole.byteLength);
    scratchLent = true;
    release = releaseScratch;
  }
  if (problem !== undefined) {
    release();
    return { error: problem };
  }
  return { bytes: r.bytes, release };
}

function noRelease(): void {}

function releaseScratch(): void {
  scratchLent = false;
}

/**
 * A regular file's bytes (not yet checked to be text), with a size limit checked before reading
 * and while reading (a file may grow, or report no size, as /proc files do).
 */
export function readManifestBytesSync(file: string, maxBytes: number): { bytes: Buffer } | { error: string } {
  return readRegularFileSync(file, maxBytes, undefined);
}

function openRegular(file: string, maxBytes: number): { fd: number; size: number } | { error: string } {
  let fd: number;
  try {
    // Non-blocking, so that a file replaced by a FIFO after it was found cannot block the open.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    return { error: openError(err) };
  }
  try {
    const st = fstatSync(fd);
    const problem = st.isDirectory()
      ? "is a directory"
      : !st.isFile()
        ? `not a regular file (a ${kindOf(st)}): only regular files are read from directories and patterns; name it directly to read it`
        : st.size > maxBytes
          ? tooLarge(st.size, maxBytes)
          : undefined;
    if (problem) {
      closeSync(fd);
      return { error: problem };
    }
    return { fd, size: st.size };
  } catch (err) {
    closeSync(fd);
    return { error: openError(err) };
  }
}

function readRegularFileSync(file: string, maxBytes: number, reuse: Buffer | undefined): { bytes: Buffer } | { error: string } {
  const opened = openRegular(file, maxBytes);
  if ("error" in opened) return opened;
  const { fd } = opened;
  try {
    // One read of the size the file says it has, then more only if it grew.
    const want = Math.min(maxBytes + 1, opened.size + 1);
    // Never a slice of Node's shared pool: the buffer may be kept and written into again.
    let buf = reuse && reuse.length >= want ? reuse : Buffer.allocUnsafeSlow(want);
    let size = 0;
    for (;;) {
      if (size === buf.length) {
        if (size > maxBytes) return { error: tooLarge(undefined, maxBytes) };
        const next = Buffer.allocUnsafeSlow(Math.min(maxBytes + 1, Math.max(buf.length * 2, CHUNK)));
        buf.copy(next, 0, 0, size);
        buf = next;
      }
      const n = readSync(fd, buf, size, buf.length - size, null);
      if (n === 0) break;
      size += n;
    }
    if (size > maxBytes) return { error: tooLarge(undefined, maxBytes) };
    return { bytes: buf.subarray(0, size) };
  } catch (err) {
    return { error: openError(err) };
  } finally {
    closeSync(fd);
  }
}

/** What {@link scanManifestFileSync} looks for. */
export interface ScanNeedles {
  /** Any of these anywhere. */
  any: readonly string[];
  /** All of these somewhere (each byte on its own). */
  all: readonly string[];
}

const scanBuffer = Buffer.allocUnsafe(CHUNK);

/**
 * Look through a regular file for strings without holding it whole (one small buffer, reused):
 * its size, and whether one of `any` appears, or every one of `all` does.
 *
 * @example
 * scanManifestFileSync("crds.yaml", 32 << 20, { any: ["CustomResourceDefinition"], all: [] }); // { size: 9120, found: true }
 */
export function scanManifestFileSync(file: string, maxBytes: number, needles: ScanNeedles): { size: number; found: boolean } | { error: string } {
  const r = scanManifestFileSetsSync(file, maxBytes, [needles]);
  return "error" in r ? r : { size: r.size, found: r.found[0]! };
}

/**
 * {@link scanManifestFileSync} for several sets of needles in one reading of the file: whether
 * each set is found, as a scan for that set alone says.
 *
 * @example
 * scanManifestFileSetsSync("crds.yaml", 32 << 20, [{ any: ["CustomResourceDefinition"], all: [] }, { any: ["Binding"], all: [] }]); // { size: 9120, found: [true, false] }
 */
export function scanManifestFileSetsSync(file: string, maxBytes: number, sets: readonly ScanNeedles[]): { size: number; found: boolean[] } | { error: string } {
  const opened = openRegular(file, maxBytes);
  if ("error" in opened) return opened;
  const { fd } = opened;
  const overlap = Math.max(0, ...sets.flatMap((n) => n.any.map((x) => x.length - 1)));
  const seen = sets.map((n) => n.all.map(() => false));
  const found = sets.map(() => false);
  let size = 0;
  let carry = 0;
  try {
    for (;;) {
      const n = readSync(fd, scanBuffer, carry, scanBuffer.length - carry, null);
      if (n === 0) break;
      size += n;
      if (size > maxBytes) return { error: tooLarge(undefined, maxBytes) };
      const chunk = scanBuffer.subarray(0, carry + n);
      sets.forEach((needles, k) => {
        if (found[k]) return;
        if (needles.any.some((x) => chunk.includes(x))) found[k] = true;
        needles.all.forEach((x, i) => (seen[k]![i] ||= chunk.includes(x)));
        if (needles.all.length && seen[k]!.every(Boolean)) found[k] = true;
      });
      // Keep the end of this chunk, so that a needle cut in two is still found.
      carry = Math.min(overlap, chunk.length);
      chunk.copy(scanBuffer, 0, chunk.length - carry);
    }
    return { size, found };
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
