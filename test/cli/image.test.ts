/**
 * The command's image (src/cli/image.ts): compiled with V8's code cache from disk, which is used
 * when it fits and ignored, then written again, when it is corrupt, torn or made for other code.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cacheDirectory, loadImage } from "../../src/cli/image.js";
import { builtIsFresh } from "../support/built.js";
import { repoRoot } from "../support/shared.js";

let work: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), "kubezod-image-"));
});
afterEach(() => {
  rmSync(work, { recursive: true, force: true });
});

/** A whole second, which copies can be given exactly (the cache key has the file's time). */
const TIME = 1_700_000_000;

/** A small image: a function like the one tools/bundle.mjs writes, exporting what it computes. */
function writeImage(name: string, body: string): string {
  const file = join(work, name);
  const text = `(function (exports, require, module, __filename, __dirname, __kubezodImageUrl) {${body}\n})`;
  writeFileSync(file, `// kubezod image ${"ab".repeat(32)}\n${text}`);
  utimesSync(file, TIME, TIME);
  return file;
}

const BODY = [
  "function square(x) { return x * x; }",
  "function sum(n) { let s = 0; for (let i = 0; i < n; i++) s += square(i); return s; }",
  'module.exports = { sum: sum(10), url: __kubezodImageUrl, path: require("node:path").basename(__filename), given: require("given") };',
].join("\n");

type Exports = { sum: number; url: string; path: string; given: unknown };

let copies = 0;
/**
 * The image under a new name with the same contents and time (so the same cache key): V8 keeps
 * the scripts it compiled in memory by source and name, and would answer a second compile of the
 * same file from there without looking at the cached data it is given.
 */
function fresh(file: string): string {
  const copy = `${file}.${++copies}.js`;
  copyFileSync(file, copy);
  utimesSync(copy, TIME, TIME);
  return copy;
}

/** The one cache file in the directory. */
function cacheFileIn(dir: string): string {
  const files = readdirSync(dir).filter((f) => f.endsWith(".v8"));
  expect(files).toHaveLength(1);
  return join(dir, files[0]!);
}

describe("the command's image", () => {
  it("is compiled without a cache first, then from the cache it wrote", () => {
    const file = writeImage("image.js", BODY);
    const dir = join(work, "cache");
    const provided = new Map([["given", 42]]);
    const first = loadImage<Exports>(file, dir, provided);
    expect(first.cache).toBe("missing");
    expect(first.exports).toEqual({ sum: 285, url: `file://${file}`, path: "image.js", given: 42 });
    expect(first.save()).toBe(true);
    expect(first.save()).toBe(false); // once
    const written = cacheFileIn(dir);
    if (typeof process.getuid === "function") {
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      expect(statSync(written).mode & 0o777).toBe(0o600);
    }
    const second = loadImage<Exports>(fresh(file), dir, provided);
    expect(second.cache).toBe("accepted");
    expect(second.cacheFile).toBe(written);
    expect(second.exports).toEqual({ ...first.exports, url: second.exports.url, path: second.exports.path });
    expect(second.save()).toBe(false); // nothing to add to a cache V8 took
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("ignores a corrupt cache file and writes it again", () => {
    const file = writeImage("image.js", BODY);
    const dir = join(work, "cache");
    loadImage<Exports>(file, dir, new Map([["given", 1]])).save();
    const cacheFile = cacheFileIn(dir);
    const bytes = readFileSync(cacheFile);
    // Flip bytes in the middle of V8's data: its checksum no longer matches.
    for (let i = bytes.length >> 1; i < (bytes.length >> 1) + 16 && i < bytes.length; i++) bytes[i] = bytes[i]! ^ 0xa5;
    writeFileSync(cacheFile, bytes);
    const corrupt = loadImage<Exports>(fresh(file), dir, new Map([["given", 1]]));
    expect(corrupt.cache).toBe("rejected");
    expect(corrupt.exports.sum).toBe(285);
    expect(corrupt.save()).toBe(true);
    expect(loadImage<Exports>(fresh(file), dir, new Map([["given", 1]])).cache).toBe("accepted");

    // Torn (cut short) and empty files are ignored the same way.
    writeFileSync(cacheFile, readFileSync(cacheFile).subarray(0, 200));
    const torn = loadImage<Exports>(fresh(file), dir, new Map([["given", 1]]));
    expect(["rejected", "missing"]).toContain(torn.cache);
    expect(torn.exports.sum).toBe(285);
    writeFileSync(cacheFile, "");
    expect(loadImage<Exports>(fresh(file), dir, new Map([["given", 1]])).cache).toBe("missing");
  });

  it("ignores a cache file made for other code", () => {
    const a = writeImage("a.js", BODY);
    const b = writeImage("b.js", BODY.replace("x * x", "x * x * x"));
    const dir = join(work, "cache");
    loadImage<Exports>(a, dir, new Map([["given", 1]])).save();
    const fileA = cacheFileIn(dir);
    const ofB = loadImage<Exports>(b, dir, new Map([["given", 1]]));
    ofB.save();
    const fileB = ofB.cacheFile!;
    const header = (bytes: Buffer) => bytes.subarray(0, bytes.indexOf(10, bytes.indexOf(10) + 1) + 1);
    const headerB = header(readFileSync(fileB));
    const dataA = readFileSync(fileA).subarray(header(readFileSync(fileA)).length);
    // a's cache file where b's is looked for: the key in it names a's image, not b's.
    writeFileSync(fileB, readFileSync(fileA));
    const foreign = loadImage<Exports>(fresh(b), dir, new Map([["given", 1]]));
    expect(foreign.cache).toBe("missing");
    expect(foreign.exports.sum).toBe(2025);
    // a's code under b's key: V8 refuses code made from other source.
    writeFileSync(fileB, Buffer.concat([headerB, dataA]));
    const swapped = loadImage<Exports>(fresh(b), dir, new Map([["given", 1]]));
    expect(swapped.cache).toBe("rejected");
    expect(swapped.exports.sum).toBe(2025);
  });

  it("is off without a directory, and leaves a directory others can write alone", () => {
    const file = writeImage("image.js", BODY);
    const off = loadImage<Exports>(file, undefined, new Map([["given", 1]]));
    expect(off.cache).toBe("off");
    expect(off.save()).toBe(false);
    expect(cacheDirectory({ NODE_DISABLE_COMPILE_CACHE: "1" })).toBeUndefined();
    expect(cacheDirectory({ NODE_COMPILE_CACHE: work })).toBe(join(work, "kubezod"));
    // Where a directory cannot be: under a file, or under a parent that does not exist.
    const plain = join(work, "plain");
    writeFileSync(plain, "");
    for (const dir of [join(plain, "kubezod"), join(work, "missing", "parent", "kubezod")]) {
      const image = loadImage<Exports>(fresh(file), dir, new Map([["given", 1]]));
      expect(image.cache).toBe("missing");
      expect(image.save()).toBe(false);
    }
    expect(readdirSync(work).sort()).not.toContain("missing");
    if (typeof process.getuid !== "function") return;
    const shared = join(work, "shared");
    loadImage<Exports>(file, shared, new Map([["given", 1]])).save();
    chmodSync(shared, 0o777);
    const open = loadImage<Exports>(fresh(file), shared, new Map([["given", 1]]));
    expect(open.cache).toBe("missing");
    expect(open.save()).toBe(false);
  });

  it("refuses a file that is not an image", () => {
    const file = join(work, "plain.js");
    writeFileSync(file, "(function () {})");
    expect(() => loadImage(file, undefined)).toThrow(/not a kubezod image/);
  });
});

// Node 22+ runs the command with its own compile cache; the image is the path of Node 20.
const usesImage = typeof (process.getBuiltinModule("node:module") as { enableCompileCache?: unknown }).enableCompileCache !== "function";

describe.skipIf(!builtIsFresh() || !usesImage)("kubezod validate from its image", () => {
  const bin = join(repoRoot, "bin", "kubezod.cjs");
  // The executable's own flags, as its first line gives them to Node.
  const flags = readFileSync(bin, "utf8").split("\n")[0]!.replace(/^#!\/usr\/bin\/env -S node\s*/, "").split(/\s+/).filter(Boolean);
  const run = (args: string[], env: NodeJS.ProcessEnv) => spawnSync(process.execPath, [...flags, bin, ...args], { cwd: repoRoot, env: { ...process.env, NO_COLOR: "1", ...env }, encoding: "utf8" });

  it("writes the cache on the first run, uses it after, and gives what the command's modules give", () => {
    const manifest = join(work, "m.yaml");
    writeFileSync(manifest, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: 1\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  replicas: x\n");
    const env = { NODE_COMPILE_CACHE: join(work, "cc") };
    const modules = spawnSync(process.execPath, ["--conditions=kubezod-command", join(repoRoot, "dist/src/cli/bin.js"), "validate", "-o", "json", manifest], { cwd: repoRoot, encoding: "utf8" });
    const first = run(["validate", "-o", "json", manifest], env);
    expect(first.stderr).toBe("");
    expect([first.status, first.stdout]).toEqual([modules.status, modules.stdout]);
    expect(first.status).toBe(1);
    const dir = join(work, "cc", "kubezod");
    const cacheFile = cacheFileIn(dir);
    const written = statSync(cacheFile);

    const second = run(["validate", "-o", "json", manifest], env);
    expect([second.status, second.stdout, second.stderr]).toEqual([first.status, first.stdout, ""]);
    // Taken, not written again.
    expect(statSync(cacheFile).ino).toBe(written.ino);

    // A corrupt cache: the same answer, and a new cache file in its place.
    const bytes = readFileSync(cacheFile);
    for (let i = bytes.length >> 1; i < (bytes.length >> 1) + 64; i++) bytes[i] = bytes[i]! ^ 0xff;
    writeFileSync(cacheFile, bytes);
    const corrupt = run(["validate", "-o", "json", manifest], env);
    expect([corrupt.status, corrupt.stdout, corrupt.stderr]).toEqual([first.status, first.stdout, ""]);
    const rewritten = statSync(cacheFile);
    expect(rewritten.ino).not.toBe(written.ino);
    run(["validate", manifest], env);
    expect(statSync(cacheFile).ino).toBe(rewritten.ino);

    // Caching off: the same answer, nothing written.
    const off = run(["validate", "-o", "json", manifest], { NODE_COMPILE_CACHE: join(work, "off"), NODE_DISABLE_COMPILE_CACHE: "1" });
    expect([off.status, off.stdout]).toEqual([first.status, first.stdout]);
    expect(() => readdirSync(join(work, "off"))).toThrow();
  });

  it("matches a custom resource's pattern with RE2 from the image, as the command's modules do", () => {
    const crd = { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", metadata: { name: "things.example.com" }, spec: { group: "example.com", names: { kind: "Thing", plural: "things" }, scope: "Namespaced", versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", properties: { s: { type: "string", pattern: "^(a+)+$" } } } } }] } };
    // A backtracking engine would take 2^40 steps on this value.
    const input = `${JSON.stringify(crd)}\n---\n${JSON.stringify({ apiVersion: "example.com/v1", kind: "Thing", metadata: { name: "t" }, s: `${"a".repeat(40)}!` })}\n`;
    const viaImage = spawnSync(process.execPath, [...flags, bin, "validate", "-o", "json", "-"], { cwd: repoRoot, env: { ...process.env, NODE_COMPILE_CACHE: join(work, "cc") }, input, encoding: "utf8" });
    const viaModules = spawnSync(process.execPath, ["--conditions=kubezod-command", join(repoRoot, "dist/src/cli/bin.js"), "validate", "-o", "json", "-"], { cwd: repoRoot, input, encoding: "utf8" });
    expect(viaImage.stderr).toBe("");
    expect(viaImage.stdout).toContain("s in body should match '^(a+)+$'");
    expect([viaImage.status, viaImage.stdout]).toEqual([1, viaModules.stdout]);
  });

  it("loads CEL and the policy review from the image on demand", () => {
    const env = { NODE_COMPILE_CACHE: join(work, "cc") };
    const input = "apiVersion: resource.k8s.io/v1\nkind: DeviceClass\nmetadata:\n  name: d\nspec:\n  selectors:\n  - cel:\n      expression: '1'\n";
    const viaImage = spawnSync(process.execPath, [...flags, bin, "validate", "-o", "json", "-"], { cwd: repoRoot, env: { ...process.env, ...env }, input, encoding: "utf8" });
    const viaModules = spawnSync(process.execPath, ["--conditions=kubezod-command", join(repoRoot, "dist/src/cli/bin.js"), "validate", "-o", "json", "-"], { cwd: repoRoot, input, encoding: "utf8" });
    expect(viaImage.status).toBe(1);
    expect(viaImage.stdout).toContain("must evaluate to bool");
    expect([viaImage.status, viaImage.stdout]).toEqual([viaModules.status, viaModules.stdout]);
    const review = ["validate", "-o", "json", "examples/policy-repo/head", "--against", "examples/policy-repo/base"];
    const reviewed = run(review, env);
    const reviewedByModules = spawnSync(process.execPath, ["--conditions=kubezod-command", join(repoRoot, "dist/src/cli/bin.js"), ...review], { cwd: repoRoot, encoding: "utf8" });
    expect(reviewed.stderr).toBe("");
    expect(reviewed.stdout).toContain("policy/");
    expect([reviewed.status, reviewed.stdout]).toEqual([reviewedByModules.status, reviewedByModules.stdout]);
  });
});
