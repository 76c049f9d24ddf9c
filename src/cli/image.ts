/**
 * The command's image: `kubezod validate` as one script (dist/src/cli/validate-image.cjs, made by
 * tools/bundle.mjs), compiled with V8's code cache kept on disk between runs. Node 22 and later
 * keep compiled code themselves (`module.enableCompileCache()`, which bin/kubezod.js uses there);
 * Node 20 compiles the command's megabyte of JavaScript afresh on every start, most of a cold
 * start's cost, unless it is handed the code V8 made the last time, as here.
 *
 * The cache: one file per image, Node version, architecture and V8 flags (the key is a SHA-1 of
 * all four), in `$NODE_COMPILE_CACHE/kubezod` or else `<tmpdir>/node-compile-cache/kubezod` (where
 * Node 22+ keeps its own compile cache), only in a directory owned by the user and writable by no
 * one else. It is written once the command has run (so the functions the run compiled lazily are
 * in it), to a temporary file renamed into place; a file that is torn, corrupt or made for other
 * code is ignored (and V8 refuses code of another version or other flags: `cachedDataRejected`),
 * and then written again. `NODE_DISABLE_COMPILE_CACHE=1` turns it off, as it turns off Node's own;
 * a directory that cannot be written leaves every run compiling as before.
 */
import type { Script } from "node:vm";

const fs = process.getBuiltinModule("node:fs");
const path = process.getBuiltinModule("node:path");

/** What became of the code cache when the image was compiled. */
export type CacheState = "accepted" | "rejected" | "missing" | "off";

/** A compiled and evaluated image. */
export interface LoadedImage<T> {
  /** What the image's script exported (`module.exports`). */
  exports: T;
  /** Whether V8 took the cached code (`rejected`: there was a cache file; V8 refused it). */
  cache: CacheState;
  /** Where the cache file is (undefined when caching is off). */
  cacheFile: string | undefined;
  /** Write the code cache, with everything compiled so far, unless V8 took it. True when written. */
  save(): boolean;
}

const MAGIC = Buffer.from("kubezod code cache 1\n", "latin1");
const DIGEST = 20;

/**
 * The directory the command's code cache goes to, or undefined when it is turned off.
 *
 * @example
 * cacheDirectory({ NODE_COMPILE_CACHE: "/var/cache/node" }); // "/var/cache/node/kubezod"
 */
export function cacheDirectory(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.NODE_DISABLE_COMPILE_CACHE) return undefined;
  const base = env.NODE_COMPILE_CACHE || path.join(process.getBuiltinModule("node:os").tmpdir(), "node-compile-cache");
  return path.join(path.resolve(base), "kubezod");
}

/** A directory only this user can write to (anyone else could plant code in it). */
function trusted(dir: string): boolean {
  const st = fs.statSync(dir, { throwIfNoEntry: false });
  if (!st?.isDirectory()) return false;
  if (typeof process.getuid === "function" && (st.uid !== process.getuid() || (st.mode & 0o022) !== 0)) return false;
  return true;
}

/** The cache key: the image's text and what V8 checks its code against (Node's version, the architecture, the flags). */
function cacheKey(source: string): Buffer {
  const hash = process.getBuiltinModule("node:crypto").createHash("sha1");
  hash.update(`${process.version}\0${process.arch}\0${process.execArgv.join("\0")}\0${process.env.NODE_OPTIONS ?? ""}\0`);
  return hash.update(source).digest();
}

function sha1(data: Buffer): Buffer {
  return process.getBuiltinModule("node:crypto").createHash("sha1").update(data).digest();
}

/** The cached code in a cache file, if the file is whole and made for this key. */
function readCache(file: string, key: Buffer): Buffer | undefined {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch {
    return undefined;
  }
  const head = MAGIC.length + 2 * DIGEST;
  if (bytes.length <= head || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  if (!bytes.subarray(MAGIC.length, MAGIC.length + DIGEST).equals(key)) return undefined;
  const data = bytes.subarray(head);
  return sha1(data).equals(bytes.subarray(MAGIC.length + DIGEST, head)) ? data : undefined;
}

/** Write a cache file whole or not at all. */
function writeCache(dir: string, file: string, key: Buffer, data: Buffer): boolean {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!trusted(dir)) return false;
    fs.writeFileSync(temp, Buffer.concat([MAGIC, key, sha1(data), data]), { mode: 0o600, flag: "wx" });
    fs.renameSync(temp, file);
    return true;
  } catch {
    try {
      fs.rmSync(temp, { force: true });
    } catch {
      // nothing written, nothing to remove
    }
    return false;
  }
}

/**
 * Compile and run a CommonJS script with V8's code cache from `cacheDir` (none when undefined).
 * The script sees `exports`, `require`, `module`, `__filename`, `__dirname` as a CommonJS module
 * does, and its file URL as `__kubezodImageUrl` (its `import.meta.url`); `require` gives the
 * modules of `provided` first, then Node's (resolved from the script's file). The script must not call
 * `import()`: Node 20 loses the callback of code that comes from the cache.
 *
 * @example
 * const image = loadImage<{ answer: number }>("/opt/app/image.cjs", cacheDirectory());
 * process.once("exit", () => image.save());
 */
export function loadImage<T>(file: string, cacheDir: string | undefined, provided: Map<string, unknown> = new Map()): LoadedImage<T> {
  const vm = process.getBuiltinModule("node:vm");
  const source = fs.readFileSync(file, "utf8");
  const useCache = cacheDir !== undefined && trusted(cacheDir);
  const key = cacheDir !== undefined ? cacheKey(source) : undefined;
  const cacheFile = cacheDir !== undefined && key ? path.join(cacheDir, `validate-image-${key.toString("hex")}.v8`) : undefined;
  const cachedData = useCache && cacheFile && key ? readCache(cacheFile, key) : undefined;
  const script: Script = new vm.Script(
    `(function (exports, require, module, __filename, __dirname, __kubezodImageUrl) {${source}\n})`,
    {
      filename: file,
      cachedData,
    },
  );
  const cache: CacheState = cacheDir === undefined ? "off" : cachedData === undefined ? "missing" : script.cachedDataRejected ? "rejected" : "accepted";
  const nodeRequire = process.getBuiltinModule("node:module").createRequire(file);
  const require = (id: string): unknown => (provided.has(id) ? provided.get(id) : id.startsWith("node:") ? process.getBuiltinModule(id) : nodeRequire(id));
  const module = { exports: {} as T };
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  wrapper.call(module.exports, module.exports, require, module, file, path.dirname(file), process.getBuiltinModule("node:url").pathToFileURL(file).href);
  let saved = cache === "accepted";
  return {
    exports: module.exports,
    cache,
    cacheFile,
    save() {
      if (saved || cacheDir === undefined || !cacheFile || !key) return false;
      saved = true;
      return writeCache(cacheDir, cacheFile, key, script.createCachedData());
    },
  };
}

/** What validate-image.cjs exports (tools/bundle.mjs). */
interface ValidateImage {
  /** The image's zod, which the schemas' `#zod` (dist/src/cli/zod.js) takes. */
  z: unknown;
  /** Evaluate the command's modules. */
  load(): Promise<{ run(argv: string[]): Promise<number> }>;
}

/**
 * Run `kubezod validate` from its image (dist/src/cli/validate-image.cjs beside this module) and
 * return the exit code, or undefined when there is no image (a build without it): the caller
 * then runs the command's modules.
 *
 * @example
 * const code = await runValidateImage(process.argv.slice(3));
 */
export async function runValidateImage(argv: string[]): Promise<number | undefined> {
  const file = path.join(path.dirname(process.getBuiltinModule("node:url").fileURLToPath(import.meta.url)), "validate-image.cjs");
  if (!fs.existsSync(file)) return undefined;
  const image = loadImage<ValidateImage>(file, cacheDirectory());
  process.once("exit", () => image.save());
  (globalThis as Record<symbol, unknown>)[Symbol.for("kubezod.command.zod")] = image.exports.z;
  const { run } = await image.exports.load();
  return run(argv);
}
