/**
 * The command's image: `kubezod validate` as one script (dist/src/cli/validate-image.js, made by
 * tools/bundle.mjs), compiled with V8's code cache kept on disk between runs. Node 22 and later
 * keep compiled code themselves (`module.enableCompileCache()`, which bin/kubezod.cjs uses there);
 * Node 20 compiles the command's megabyte of JavaScript afresh on every start, most of a cold
 * start's cost, unless it is handed the code V8 made the last time, as here.
 *
 * The cache: one file per image, Node version, architecture and flags, in
 * `$NODE_COMPILE_CACHE/kubezod` or else `<tmpdir>/node-compile-cache/kubezod` (where Node 22+
 * keeps its own compile cache), only in a directory owned by the user and writable by no one
 * else. It is written once the command has run (so the functions the run compiled lazily are in
 * it), to a temporary file renamed into place; a file made for other code is ignored, V8 refuses
 * one that is corrupt or of another V8 or other flags (`cachedDataRejected`), and the cache is
 * then written again. `NODE_DISABLE_COMPILE_CACHE=1` turns it off, as it turns off Node's own; a
 * directory that cannot be made or written leaves every run compiling as before.
 *
 * The image takes the generated schemas as scripts (schema-scripts.ts) and Node's modules with
 * `process.getBuiltinModule`, and this loader is CommonJS (image.cjs, for bin/kubezod.cjs): a
 * `kubezod validate` under Node 20 never starts Node's ES module loader.
 */
import type { Script } from "node:vm";
import { schemaModules, type RunScript } from "./schema-scripts.js";

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

const MAGIC = "kubezod code cache 1\n";

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
  let st: ReturnType<typeof fs.statSync>;
  try {
    st = fs.statSync(dir, { throwIfNoEntry: false });
  } catch {
    return false; // not a directory on the way (ENOTDIR), no access
  }
  if (!st?.isDirectory()) return false;
  if (typeof process.getuid === "function" && (st.uid !== process.getuid() || (st.mode & 0o022) !== 0)) return false;
  return true;
}

/** FNV-1a, 32 bits: a short name for a key that the cache file holds in full. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, "0");
}

/** The cached code in a cache file made for this key (V8 checks the code itself). */
function readCache(file: string, key: string): Buffer | undefined {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch {
    return undefined;
  }
  const head = Buffer.byteLength(MAGIC) + Buffer.byteLength(key) + 1;
  if (bytes.length <= head || bytes.toString("latin1", 0, head) !== `${MAGIC}${key}\n`) return undefined;
  return bytes.subarray(head);
}

/** Write a cache file whole or not at all. */
function writeCache(dir: string, file: string, key: string, data: Buffer): boolean {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    // The cache directory and its parent, one level each: Node 20's recursive mkdir never returns
    // on some file systems (/proc), and a parent further up that is missing is not ours to make.
    for (const d of [path.dirname(dir), dir]) {
      try {
        fs.mkdirSync(d, { mode: 0o700 });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") return false;
      }
    }
    if (!trusted(dir)) return false;
    fs.writeFileSync(temp, Buffer.concat([Buffer.from(`${MAGIC}${key}\n`, "latin1"), data]), { mode: 0o600, flag: "wx" });
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
 * Compile and run an image: a script whose first line is `// kubezod image <SHA-256 of the rest>`
 * and whose rest is a function expression taking `exports`, `require`, `module`, `__filename`,
 * `__dirname` (as CommonJS modules do) and the image's file URL (its `import.meta.url`), with
 * V8's code cache from `cacheDir` (none when undefined). `require` gives the modules of `provided`
 * first, then what `provide` gives for an id (undefined: not its), then Node's, resolved from the
 * image's file. The image must not call `import()`: Node 20 loses the callback of code that comes
 * from the cache.
 *
 * The cache key is the image's hash, size and modification time, Node's version, the architecture
 * and the process's flags; V8 refuses code of another V8 or other V8 flags, and with
 * `--verify-snapshot-checksum` (set here when the command line has not) code whose checksum does
 * not match, so a corrupt file is compiled over, never run.
 *
 * @example
 * const image = loadImage<{ answer: number }>("/opt/app/image.js", cacheDirectory());
 * process.once("exit", () => image.save());
 */
export function loadImage<T>(file: string, cacheDir: string | undefined, provided: Map<string, unknown> = new Map(), provide?: (id: string) => unknown): LoadedImage<T> {
  const vm = process.getBuiltinModule("node:vm");
  // One-byte text (the build checks the image is ASCII) makes a one-byte string without decoding.
  const source = fs.readFileSync(file, "latin1");
  const banner = /^\/\/ kubezod image ([0-9a-f]{64})\n/.exec(source);
  if (!banner) throw new Error(`${file} is not a kubezod image`);
  let key: string | undefined;
  let cacheFile: string | undefined;
  let cachedData: Buffer | undefined;
  if (cacheDir !== undefined) {
    if (!process.execArgv.includes("--verify-snapshot-checksum")) process.getBuiltinModule("node:v8").setFlagsFromString("--verify-snapshot-checksum");
    const st = fs.statSync(file);
    key = [banner[1], st.size, st.mtimeMs, process.version, process.arch, ...process.execArgv, process.env.NODE_OPTIONS ?? ""].join(" ");
    cacheFile = path.join(cacheDir, `validate-image-${banner[1]!.slice(0, 16)}-${fnv1a(key)}.v8`);
    if (trusted(cacheDir)) cachedData = readCache(cacheFile, key);
  }
  const script: Script = new vm.Script(source, { filename: file, cachedData });
  const cache: CacheState = cacheDir === undefined ? "off" : cachedData === undefined ? "missing" : script.cachedDataRejected ? "rejected" : "accepted";
  const nodeRequire = process.getBuiltinModule("node:module").createRequire(file);
  // Resolving a package import (`#schemas/...`) walks package.json each time: once per id is enough.
  const required = new Map<string, unknown>(provided);
  const require = (id: string): unknown => {
    if (required.has(id)) return required.get(id);
    const m = id.startsWith("node:") ? process.getBuiltinModule(id) : (provide?.(id) ?? nodeRequire(id));
    required.set(id, m);
    return m;
  };
  const module = { exports: {} as T };
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  wrapper.call(module.exports, module.exports, require, module, file, path.dirname(file), process.getBuiltinModule("node:url").pathToFileURL(file).href);
  let saved = cache === "accepted";
  return {
    exports: module.exports,
    cache,
    cacheFile,
    save() {
      if (saved || cacheDir === undefined || !cacheFile || key === undefined) return false;
      saved = true;
      return writeCache(cacheDir, cacheFile, key, script.createCachedData());
    },
  };
}

/** Compile and run a schema module's script in this context. Code caching measured no faster for these. */
const runScript: RunScript = (source, file) => new (process.getBuiltinModule("node:vm").Script)(source, { filename: file }).runInThisContext() as ReturnType<RunScript>;

/** What validate-image.js exports (tools/bundle.mjs). */
interface ValidateImage {
  /** The image's zod, which the schemas' `#zod` (dist/src/cli/zod.js) takes. */
  z: unknown;
  /** Evaluate the command's modules. */
  load(): Promise<{ run(argv: string[]): Promise<number> }>;
}

/**
 * Run `kubezod validate` from its image (dist/src/cli/validate-image.js beside this module) and
 * return the exit code, or undefined when there is no image (a build without it): the caller
 * then runs the command's modules.
 *
 * @example
 * const code = await runValidateImage(process.argv.slice(3));
 */
export async function runValidateImage(argv: string[]): Promise<number | undefined> {
  const file = path.join(path.dirname(process.getBuiltinModule("node:url").fileURLToPath(import.meta.url)), "validate-image.js");
  if (!fs.existsSync(file)) return undefined;
  // The generated schemas load as scripts from the package's schemas/ (schema-scripts.ts), with
  // the image's zod, rather than through Node's ES module loader; a build without them (none
  // beside the package) leaves them to Node.
  const schemas = path.resolve(path.dirname(file), "..", "..", "..", "schemas");
  let fromSchemas: ((id: string) => unknown) | undefined;
  const provide = fs.existsSync(path.join(schemas, "runtime.js"))
    ? (id: string): unknown => (id.startsWith("#schemas/") ? (fromSchemas ??= schemaModules(schemas, new Map([["#zod", image.exports.z]]), runScript))(id) : undefined)
    : undefined;
  const image = loadImage<ValidateImage>(file, cacheDirectory(), new Map(), provide);
  process.once("exit", () => image.save());
  (globalThis as Record<symbol, unknown>)[Symbol.for("kubezod.command.zod")] = image.exports.z;
  const { run } = await image.exports.load();
  return run(argv);
}
