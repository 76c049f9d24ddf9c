/**
 * The generated schema modules (schemas/) loaded as scripts, for the command's image (image.ts).
 *
 * Under Node 20 the image is one script, but the schemas are ES modules: requiring them started
 * Node's ES module loader (its own modules, and with them fs/promises, readline and the streams),
 * then resolved, read, compiled and linked each schema module, about a third of the time a
 * `kubezod validate` of one small file took. The code generator writes a handful of statement forms
 * only (imports of a namespace, a default, `$` or a list of names; `export const`, `function`,
 * `class`, `default`, `* as`, lists with and without `from`; `() => import("…")` in the catalogs),
 * so each module is rewritten here into a function of its dependencies, with the same exports as
 * getters on a namespace-like object, and run once. The schema module graph has no cycles (checked
 * as modules load), so every dependency has run before the module that imports it, as it would
 * have as an ES module. A statement of another form is an error naming the file and line, never a
 * module read differently.
 */
const fs = process.getBuiltinModule("node:fs");
const path = process.getBuiltinModule("node:path");
const url = process.getBuiltinModule("node:url");

const ID = "[A-Za-z_$][\\w$]*";
const NAMES = `${ID}(?:, ${ID})*`;
const FROM = ' from "([^"]+)";';

/** A module of the schemas rewritten as a script: its source and the modules it imports. */
export interface SchemaScript {
  /** A function expression `(require, importLater, exports) => void` running the module. */
  source: string;
  /** The specifiers the module imports, in order. */
  imports: string[];
}

/** Each statement form: a pattern of the whole line and what it becomes. */
type Form = [RegExp, (m: RegExpExecArray, dep: (specifier: string) => string, exported: Array<[string, string]>) => string];

const LIST_ITEM = new RegExp(`^  (${ID}),?$`);
const LIST_END = new RegExp(`^\\}(?:${FROM.slice(0, -1)})?;$`);

const FORMS: Form[] = [
  [new RegExp(`^import \\* as (${ID})${FROM}$`), (m, dep) => `const ${m[1]} = ${dep(m[2]!)};`],
  [new RegExp(`^import \\{ \\$ as (${ID}) \\}${FROM}$`), (m, dep) => `const ${m[1]} = ${dep(m[2]!)}.$;`],
  [new RegExp(`^import (${ID})${FROM}$`), (m, dep) => `const ${m[1]} = ${dep(m[2]!)}.default;`],
  [new RegExp(`^import \\{ (${NAMES}) \\}${FROM}$`), (m, dep) => `const { ${m[1]} } = ${dep(m[2]!)};`],
  [new RegExp(`^export \\* as (${ID})${FROM}$`), (m, dep, exported) => (exported.push([m[1]!, dep(m[2]!)]), "")],
  [
    new RegExp(`^export \\{ (${NAMES}) \\}${FROM}$`),
    (m, dep, exported) => {
      const from = `__from${exported.length}`;
      for (const name of m[1]!.split(", ")) exported.push([name, `${from}.${name}`]);
      return `const ${from} = ${dep(m[2]!)};`;
    },
  ],
  [new RegExp(`^export (const|function|class) (${ID})(?![\\w$])`), (m, _dep, exported) => (exported.push([m[2]!, m[2]!]), m[0].slice("export ".length))],
  [/^export default /, (_m, _dep, exported) => (exported.push(["default", "__default"]), "const __default = ")],
];

/**
 * Rewrite one generated schema module as a script. Throws on a statement form the code generator
 * does not write.
 *
 * @example
 * schemaScript('import * as z from "#zod";\nexport const s = z.string();\n', "s.js").imports; // ["#zod"]
 */
export function schemaScript(text: string, file: string): SchemaScript {
  const imports: string[] = [];
  const exported: Array<[string, string]> = [];
  const dep = (specifier: string) => {
    imports.push(specifier);
    return `__require(${JSON.stringify(specifier)})`;
  };
  // Line by line with indexOf rather than one regular expression over the text: this runs once per
  // module in a cold process, where a regular expression over the whole file costs several times more.
  let body = "";
  let copied = 0;
  let line = 0;
  for (let at = 0; at < text.length; line++) {
    let end = text.indexOf("\n", at);
    if (end === -1) end = text.length;
    if (text.startsWith("import", at) || text.startsWith("export", at)) {
      const statement = text.slice(at, end);
      let rewritten: string | undefined;
      if (statement === "export {") {
        // A list of names over several lines: one `  Name,` per line, then `}` or `} from "…";`.
        const names: string[] = [];
        let next = end + 1;
        for (;;) {
          const stop = text.indexOf("\n", next);
          const item = text.slice(next, stop === -1 ? text.length : stop);
          const name = LIST_ITEM.exec(item);
          if (name) {
            names.push(name[1]!);
            line++;
            next = stop + 1;
            continue;
          }
          const close = LIST_END.exec(item);
          if (!close || stop === -1 && item === "") throw new Error(`${file}:${line + 2}: the schema loader does not read this statement: ${item.slice(0, 100)}`);
          const source = close[1] !== undefined ? `__from${exported.length}` : undefined;
          for (const n of names) exported.push([n, source ? `${source}.${n}` : n]);
          // Keep the line count, so that stack traces point at the generated file's lines.
          rewritten = (source ? `const ${source} = ${dep(close[1]!)};` : "") + "\n".repeat(names.length + 1);
          line++;
          end = stop === -1 ? text.length : stop;
          break;
        }
      } else {
        for (const [pattern, rewrite] of FORMS) {
          const m = pattern.exec(statement);
          if (m) {
            rewritten = rewrite(m, dep, exported) + statement.slice(m[0].length);
            break;
          }
        }
        if (rewritten === undefined && /^(?:import|export)\b/.test(statement)) {
          throw new Error(`${file}:${line + 1}: the schema loader does not read this statement: ${statement.slice(0, 100)}`);
        }
      }
      if (rewritten !== undefined) {
        body += text.slice(copied, at) + rewritten;
        copied = end;
      }
    }
    at = end + 1;
  }
  body += text.slice(copied);
  // The catalogs load group-version modules on demand: `() => import("./apps/v1.js")`.
  const lazy = '=> import("';
  if (body.includes(lazy)) {
    let out = "";
    let from = 0;
    for (let i = body.indexOf(lazy); i !== -1; i = body.indexOf(lazy, from)) {
      const close = body.indexOf('")', i + lazy.length);
      const specifier = body.slice(i + lazy.length, close);
      imports.push(specifier);
      out += `${body.slice(from, i)}=> __importLater(${JSON.stringify(specifier)})`;
      from = close + 2;
    }
    body = out + body.slice(from);
  }
  // The runtime finds its packages from its own URL (`createRequire(import.meta.url)`): a script has
  // no import.meta, so the module's file URL is written in its place.
  if (body.includes("import.meta.url")) body = body.replaceAll("import.meta.url", JSON.stringify(url.pathToFileURL(file).href));
  const getters = exported.map(([name, value]) => `${JSON.stringify(name)}: { enumerable: true, get: () => ${value} }`).join(", ");
  return {
    source: `(function (__require, __importLater, __exports) {"use strict";${body}\nObject.defineProperties(__exports, { ${getters} });\n})`,
    imports,
  };
}

/** How a schema module is compiled and run (the image compiles it with V8's code cache). */
export type RunScript = (source: string, file: string) => (require: (specifier: string) => unknown, importLater: (specifier: string) => Promise<unknown>, exports: object) => void;

/**
 * A `require` for `#schemas/…` ids that loads the package's schema modules as scripts: each module
 * once, its imports of `#schemas/…` and relative paths from the same loader, other specifiers from
 * `provided` (the image's zod for `#zod`); anything else is an error.
 *
 * @example
 * const load = schemaModules("/app/node_modules/kubezod/schemas", new Map([["#zod", z]]), run);
 * const { releases } = load("#schemas/releases.js") as { releases: string[] };
 */
export function schemaModules(root: string, provided: ReadonlyMap<string, unknown>, run: RunScript): (id: string) => unknown {
  const loaded = new Map<string, object>();
  const loading = new Set<string>();
  const load = (file: string): object => {
    const done = loaded.get(file);
    if (done) return done;
    if (loading.has(file)) throw new Error(`${file}: the schema modules import each other in a cycle`);
    loading.add(file);
    const script = schemaScript(fs.readFileSync(file, "utf8"), file);
    const dir = path.dirname(file);
    const require = (specifier: string): unknown => {
      if (provided.has(specifier)) return provided.get(specifier);
      if (specifier.startsWith("#schemas/")) return load(path.join(root, specifier.slice("#schemas/".length)));
      if (specifier.startsWith("./") || specifier.startsWith("../")) return load(path.resolve(dir, specifier));
      throw new Error(`${file}: imports ${specifier}, which the schema loader does not provide`);
    };
    // Namespace objects of ES modules have no prototype and are tagged "Module".
    const exports = Object.create(null, { [Symbol.toStringTag]: { value: "Module" } }) as object;
    run(script.source, file)(require, (specifier) => Promise.resolve().then(() => require(specifier)), exports);
    Object.preventExtensions(exports);
    loading.delete(file);
    loaded.set(file, exports);
    return exports;
  };
  return (id) => {
    if (!id.startsWith("#schemas/")) throw new Error(`${id} is not a schema module`);
    return load(path.join(root, id.slice("#schemas/".length)));
  };
}
