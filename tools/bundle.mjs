// Part of `npm run build`, after tsc: every entry point of dist/src (those package.json exports,
// the CLI and the validator's worker) is replaced by a bundle of the modules it loads at once, with
// the modules shared between entries and those loaded on demand in dist/src/chunks. Node then
// resolves and compiles a handful of files on `import "kubezod"` instead of about a hundred.
// Declarations (.d.ts) stay as tsc wrote them; dependencies, `#schemas/*` and Node's own modules
// stay imports. Local names are minified (a third fewer bytes for Node 20 to compile on every start,
// as it keeps no compile cache); functions and classes keep their names.
import { build } from "esbuild";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

const entries = new Set(["dist/src/cli/bin.js", "dist/src/validate/worker.js"]);
for (const target of Object.values(pkg.exports)) {
  const file = typeof target === "string" ? target : target.default;
  if (file.startsWith("./dist/src/")) entries.add(file.slice(2));
}

// Node's own modules are taken with process.getBuiltinModule instead of `import`: an import builds
// an ES module facade that reads every export, getters included (`fs.promises` loads the promise
// API, the stream modules and readline; `node:util`, `node:process` and `node:buffer` read dozens
// of lazy properties), which costs more at start-up than the rest of a module graph. The builtin is
// the same object either way. Each builtin offers exactly the names imported from it anywhere in
// dist (an unknown name fails the build); a namespace import stays a plain import.
const RESERVED = new Set("break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await".split(" "));
const imported = new Map();
const namespaced = new Set();
for (const e of readdirSync(join(root, "dist"), { recursive: true, withFileTypes: true })) {
  if (!e.isFile() || !e.name.endsWith(".js")) continue;
  const text = readFileSync(join(e.parentPath, e.name), "utf8");
  for (const m of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*"(node:[^"]+)"/g)) {
    const set = imported.get(m[2]) ?? new Set();
    for (const part of m[1].split(",")) {
      const name = part.trim().split(/\s+as\s+/)[0].trim();
      if (name) set.add(name);
    }
    imported.set(m[2], set);
  }
  for (const m of text.matchAll(/(?:import|export)\s*\*[^;"]*from\s*"(node:[^"]+)"/g)) namespaced.add(`${join(e.parentPath, e.name)} ${m[1]}`);
}
/** Bundle file (relative to the root) → its group; filled after the first pass, see below. */
const groupOf = new Map();
/** With `grouped`, a group's members take their builtins from a copy of their own, bundled into the group's chunk. */
const builtinsPlugin = (grouped) => ({
  name: "builtins-without-facade",
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) =>
      args.kind === "dynamic-import" || namespaced.has(`${args.importer} ${args.path}`)
        ? { path: args.path, external: true }
        : { path: `${args.path}${grouped && groupOf.has(relative(root, args.importer)) ? `|${groupOf.get(relative(root, args.importer))}` : ""}`, namespace: "builtin" },
    );
    b.onLoad({ filter: /.*/, namespace: "builtin" }, (args) => {
      const path = args.path.split("|")[0];
      const mod = process.getBuiltinModule(path);
      if (!mod) throw new Error(`no builtin module ${path}`);
      const names = [...(imported.get(path) ?? [])].filter((k) => /^[A-Za-z_$][\w$]*$/.test(k) && !RESERVED.has(k) && k in mod);
      const lines = [`const m = process.getBuiltinModule(${JSON.stringify(path)});`, "export default m;", ...names.map((k) => `export const ${k} = m.${k};`)];
      return { contents: lines.join("\n"), loader: "js" };
    });
  },
});
const builtins = builtinsPlugin(true);

// Everything bundled imports zod as the package's `#zod` (package.json "imports"): the application's
// zod by default, the command's own one-file zod under the `kubezod-command` condition its
// executable runs with, so schemas and rules of the command come from one copy on every Node.
const zodImport = {
  name: "zod-import",
  setup(b) {
    b.onResolve({ filter: /^zod$/ }, () => ({ path: "#zod", external: true }));
  },
};

const options = {
  absWorkingDir: root,
  entryPoints: [...entries],
  outbase: "dist/src",
  outdir: "dist/src",
  allowOverwrite: true,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  chunkNames: "chunks/[name]-[hash]",
  external: [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {}), "#schemas/*"],
  legalComments: "none",
  minifyWhitespace: true,
  minifySyntax: true,
  minifyIdentifiers: true,
  keepNames: true,
  logLevel: "warning",
};

// Files, not bytes, are most of what an import costs: Node resolves, reads, compiles and links each
// module file (about half a millisecond apiece on Node 20), and esbuild makes one chunk for every
// set of entry points that share modules, which put `import "kubezod"` at about thirty files. The
// modules that `import "kubezod"` and the command's `validate` load at once are therefore bundled
// in three groups, each one chunk: those both load (meta, patch, yaml, errors, the reporters), the
// library's own (client, config, transport, runtime) and the validator's own (the apiserver rules,
// the validation engine), less what `kubezod/cel` loads, which stays as light as it was. Every
// member of a group imports the group, so any entry that needs one member loads the group's one
// file; the first pass only measures the graph.
const graph = (await build({ ...options, plugins: [zodImport, builtins], write: false, metafile: true })).metafile.inputs;
function closure(start) {
  const seen = new Set();
  const stack = [start];
  while (stack.length) {
    const file = stack.pop();
    if (seen.has(file) || !graph[file]) continue;
    seen.add(file);
    for (const i of graph[file].imports) if (i.kind === "import-statement" && !i.external) stack.push(i.path);
  }
  return seen;
}
const library = closure("dist/src/index.js");
const command = closure("dist/src/cli/validate.js");
const cel = closure("dist/src/apiserver/cel/index.js");
for (const file of new Set([...library, ...command])) {
  if (!file.startsWith("dist/src/") || file.startsWith("dist/src/cli/") || entries.has(file)) continue;
  if (library.has(file)) groupOf.set(file, command.has(file) ? "common" : "library");
  else if (!cel.has(file)) groupOf.set(file, "validator");
}
const groups = {
  name: "groups",
  setup(b) {
    b.onResolve({ filter: /^kubezod-group:/ }, (args) => ({ path: args.path.slice("kubezod-group:".length), namespace: "group" }));
    b.onLoad({ filter: /.*/, namespace: "group" }, (args) => ({
      contents: [...groupOf].filter(([, g]) => g === args.path).map(([file]) => `import ${JSON.stringify(join(root, file))};`).join("\n"),
      loader: "js",
      resolveDir: root,
    }));
    b.onLoad({ filter: /\.js$/ }, (args) => {
      const group = groupOf.get(relative(root, args.path));
      if (!group) return undefined;
      return { contents: `${readFileSync(args.path, "utf8")}\nimport "kubezod-group:${group}";\n`, loader: "js", resolveDir: dirname(args.path) };
    });
  },
};

// The command's own zod: one file instead of the hundred modules of the package. Built from the
// installed zod, so the same code, as CommonJS (zod.cjs) with an ES module in front of it (zod.js,
// which the package's `#zod` resolves to under the command's `kubezod-command` condition): the
// front takes the zod of the command's image when the image runs (see below), else requires
// zod.cjs, so the process holds one zod either way.
// The error-message locales are half of zod's code and the command uses English (zod's default):
// the others are a file of their own (zod-locales.cjs), read on the first call of one of them.
const localesIndex = /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/;
const lazyLocales = {
  name: "lazy-locales",
  setup(b) {
    b.onLoad({ filter: localesIndex }, (args) => {
      const names = [...readFileSync(args.path, "utf8").matchAll(/export \{ default as (\w+) \} from "\.\/([\w-]+)\.js";/g)].map((m) => m[1]);
      if (!names.includes("en")) throw new Error(`no English locale in ${args.path}`);
      const lines = [
        'export { default as en } from "./en.js";',
        'let all;',
        // Both files holding zod (zod.cjs, the image) are CommonJS in dist/src/cli, beside zod-locales.cjs.
        'const locale = (name) => (all ??= process.getBuiltinModule("node:module").createRequire(__filename)("./zod-locales.cjs"))[name];',
        ...names.filter((n) => n !== "en").map((n) => `export function ${n}(...args) { return locale(${JSON.stringify(n)})(...args); }`),
      ];
      return { contents: lines.join("\n"), loader: "js", resolveDir: dirname(args.path) };
    });
  },
};
/** One file of the CLI's own zod: its source, where it goes, its module format. */
const zodBundle = (contents, outfile, format, plugins = []) =>
  build({
    absWorkingDir: root,
    stdin: { contents, resolveDir: root, loader: "js" },
    outfile,
    plugins,
    bundle: true,
    format,
    platform: "node",
    target: "node20",
    legalComments: "none",
    minifyWhitespace: true,
    minifySyntax: true,
    keepNames: true,
    logLevel: "warning",
  });
await zodBundle('export * from "zod/v4/locales/index.js";\n', "dist/src/cli/zod-locales.cjs", "cjs");
await zodBundle('export * from "zod";\nexport { default } from "zod";\n', "dist/src/cli/zod.cjs", "cjs", [lazyLocales]);
const zodNames = Object.keys(await import("zod")).filter((k) => k !== "default");
for (const k of zodNames) if (!/^[A-Za-z_$][\w$]*$/.test(k)) throw new Error(`zod exports ${k}, which the front module cannot name`);
writeFileSync(
  join(root, "dist/src/cli/zod.js"),
  [
    "// The command's zod (tools/bundle.mjs): the image's when the command runs from it, else zod.cjs.",
    `const z = globalThis[Symbol.for("kubezod.command.zod")] ?? process.getBuiltinModule("node:module").createRequire(import.meta.url)("./zod.cjs");`,
    // Some of zod's names are reserved words (catch, enum, null, …): exported under them from locals.
    `const { ${zodNames.map((k, i) => `${k}: z${i}`).join(", ")} } = z;`,
    `export { ${zodNames.map((k, i) => `z${i} as ${k}`).join(", ")} };`,
    "export default z.default;",
    "",
  ].join("\n"),
);

// The command's image, for Node without a compile cache (before 22): `kubezod validate` as one
// script (the validator's modules and zod; the schemas and the packages it depends on stay modules
// and files of their own) that bin/kubezod.cjs compiles with V8's code cache (src/cli/image.ts).
// Built from tsc's files, before the bundles below replace the entry points among them. The entry
// evaluates zod only; `load()` evaluates the command, once the schemas' `#zod` (dist/src/cli/zod.js)
// finds the image's zod. What the command imports on demand (CEL, the policy review) is in the
// image too, evaluated when first imported, as the modules were. What it imports from outside (the
// schemas, Node's modules, dependencies), statically or not, it takes with `require`: a script
// compiled from V8's code cache cannot call `import()` in Node 20 (the cached code loses the
// callback), and Node 20.19+ requires ES modules (none of them awaits at top level).
// The file is CommonJS inside the function CommonJS wraps modules in (the loader compiles it as it
// is, without a copy), after a first line naming the SHA-256 of the rest: the code cache's key.
const image = await build({
  absWorkingDir: root,
  stdin: {
    contents: ['import * as z from "zod";', "export { z };", 'export const load = () => import("./dist/src/cli/validate.js");'].join("\n"),
    resolveDir: root,
    loader: "js",
  },
  outfile: "dist/src/cli/validate-image.js",
  write: false,
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node20",
  charset: "ascii",
  supported: { "dynamic-import": false },
  external: [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {}).filter((d) => d !== "zod"), "#schemas/*"],
  // The loader passes the image's own file URL (in dist/src/cli): what the modules find from
  // import.meta.url (the worker script, package.json, packages) they find from there too.
  define: { "import.meta.url": "__kubezodImageUrl" },
  plugins: [builtinsPlugin(false), lazyLocales],
  legalComments: "none",
  minifyWhitespace: true,
  minifySyntax: true,
  minifyIdentifiers: true,
  // Unlike the bundles, names are minified too: 2,000 fewer calls keeping a function's name when
  // the modules load, and 5 % less to read. Nothing in the command reads a function's name (zod
  // names its classes itself; errors carry their own `name`); stack traces show minified names.
  keepNames: false,
  logLevel: "warning",
});
{
  const body = `(function (exports, require, module, __filename, __dirname, __kubezodImageUrl) {${image.outputFiles[0].text}\n})`;
  if (!/^[\x00-\x7f]*$/.test(body)) throw new Error("the command's image is not ASCII (the loader reads it as Latin-1)");
  const sha = createHash("sha256").update(body).digest("hex");
  writeFileSync(join(root, "dist/src/cli/validate-image.js"), `// kubezod image ${sha}\n${body}`);
}

// The image's loader (src/cli/image.ts and the schema loader), as CommonJS for the CommonJS
// executable (bin/kubezod.cjs): an ES module here would start Node's ES module loader.
await build({
  absWorkingDir: root,
  entryPoints: ["dist/src/cli/image.js"],
  outfile: "dist/src/cli/image.cjs",
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node20",
  banner: { js: 'const __imageUrl = require("node:url").pathToFileURL(__filename).href;' },
  define: { "import.meta.url": "__imageUrl" },
  legalComments: "none",
  logLevel: "warning",
});

await build({ ...options, plugins: [zodImport, builtins, groups] });
