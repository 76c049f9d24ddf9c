/**
 * Decides which files the generated definitions go into.
 *
 * Built-in schemas: one façade module per group-version per Kubernetes minor; the definitions
 * themselves live in `defs/<module>/<first>-<last>.js`, one file per run of consecutive minors in
 * which a definition (and everything it references) is identical, so nothing is written twice.
 *
 * Custom resources and live clusters: one module per group-version, in TS or JS + d.ts.
 */
import { createHash } from "node:crypto";
import { posix } from "node:path";
import { apiVersionOf, type ApiModel, type Definition } from "../src/meta/openapi/ir.js";
import { emitDocsModule, emitModule, refsOf, type OutputFormat, type ResolvedRef } from "./emit.js";
import { SpecError } from "../src/meta/openapi/schema-reader.js";

export interface GeneratedFile {
  path: string;
  text: string;
}

export interface Release {
  /** `v1.28`, … */
  name: string;
  model: ApiModel;
}

/** A definition outside the generated set, imported from another module (`kubezod/k8s/meta/v1`). */
export interface ExternalRef {
  from: string;
  exportName: string;
}

function sha(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 20);
}

/** Strongly connected components in dependency-first order. */
function components(names: string[], edges: (n: string) => string[]): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (root: string) => {
    // Iterative Tarjan: definition graphs are deep enough to make recursion a liability.
    const work: Array<{ v: string; it: number; next: string[] }> = [];
    const open = (v: string) => {
      idx.set(v, index);
      low.set(v, index);
      index++;
      stack.push(v);
      onStack.add(v);
      work.push({ v, it: 0, next: edges(v) });
    };
    open(root);
    while (work.length) {
      const top = work[work.length - 1]!;
      if (top.it < top.next.length) {
        const w = top.next[top.it++]!;
        if (!idx.has(w)) open(w);
        else if (onStack.has(w)) low.set(top.v, Math.min(low.get(top.v)!, idx.get(w)!));
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1]!;
        low.set(parent.v, Math.min(low.get(parent.v)!, low.get(top.v)!));
      }
      if (low.get(top.v) === idx.get(top.v)) {
        const scc: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          scc.push(w);
        } while (w !== top.v);
        out.push(scc.sort());
      }
    }
  };
  for (const n of [...names].sort()) if (!idx.has(n)) visit(n);
  return out;
}

/**
 * A content hash per definition that covers everything it references, so equal hashes mean the
 * generated code is interchangeable.
 */
export function definitionHashes(model: ApiModel, externals: Record<string, ExternalRef> = {}): Map<string, string> {
  const defs = model.definitions;
  const edges = (name: string) =>
    [...refsOf(defs.get(name)!.node)].filter((r) => {
      if (defs.has(r)) return true;
      if (r in externals) return false;
      throw new SpecError(`definition ${name} references ${r}, which the input does not define`);
    }).sort();
  const hashes = new Map<string, string>();
  for (const scc of components([...defs.keys()], edges)) {
    const members = new Set(scc);
    const parts = scc.map((name) => {
      const d = defs.get(name)!;
      const deps = edges(name)
        .filter((r) => !members.has(r))
        .map((r) => `${r}=${hashes.get(r)}`);
      return JSON.stringify([d.name, d.module, d.exportName, d.node, d.gvk ?? null, d.resource ?? null, deps]);
    });
    const h = sha(parts.join("\n"));
    for (const name of scc) hashes.set(name, sha(`${h}:${name}`));
  }
  return hashes;
}

function relative(fromFile: string, toFile: string): string {
  const rel = posix.relative(posix.dirname(fromFile), toFile);
  return rel.startsWith(".") ? rel : `./${rel}`;
}

/** `apps/v1` → `appsV1`, `postgresql.cnpg.io/v1` → `postgresqlCnpgIoV1`. */
export function namespaceName(module: string): string {
  const parts = module.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return parts.map((p, i) => (i === 0 ? p : p[0]!.toUpperCase() + p.slice(1))).join("");
}

const STABILITY = /^v(\d+)(?:(alpha|beta)(\d+))?$/;

/** Order in which a bare name (`Event`, `HorizontalPodAutoscaler`) is given to one module in the flat index. */
function modulePriority(module: string): [number, number, number, string] {
  if (module === "meta/v1") return [0, 0, 0, module];
  if (module === "core/v1") return [1, 0, 0, module];
  if (module === "apimachinery") return [2, 0, 0, module];
  const version = module.split("/").pop() ?? "";
  const m = STABILITY.exec(version);
  if (!m) return [9, 0, 0, module];
  const rank = m[2] === undefined ? 3 : m[2] === "beta" ? 4 : 5;
  return [rank, -Number(m[1]), -Number(m[3] ?? 0), module];
}

function comparePriority(a: string, b: string): number {
  const pa = modulePriority(a);
  const pb = modulePriority(b);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return (pa[i] as number) - (pb[i] as number);
  return pa[3] < pb[3] ? -1 : pa[3] > pb[3] ? 1 : 0;
}

/** The module that owns each bare export name in a flat index. */
function flatOwners(defs: Iterable<Definition>): Map<string, string> {
  const owners = new Map<string, string>();
  for (const d of defs) {
    const current = owners.get(d.exportName);
    if (current === undefined || comparePriority(d.module, current) < 0) owners.set(d.exportName, d.module);
  }
  return owners;
}

function groupBy<T, K>(items: Iterable<T>, key: (t: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

function exportList(names: string[]): string {
  return names.length > 3 ? `{\n${names.map((n) => `  ${n},`).join("\n")}\n}` : `{ ${names.join(", ")} }`;
}

function assertUniqueExports(defs: Definition[], where: string): void {
  const seen = new Map<string, string>();
  for (const d of defs) {
    const other = seen.get(d.exportName);
    if (other) throw new SpecError(`${where}: ${other} and ${d.name} would both be exported as ${d.exportName}`);
    seen.set(d.exportName, d.name);
  }
}

function checkModuleCycles(files: Map<string, Set<string>>): void {
  const order = components([...files.keys()], (f) => [...(files.get(f) ?? [])].filter((t) => files.has(t)).sort());
  const cycle = order.find((c) => c.length > 1);
  if (cycle) throw new SpecError(`generated modules would import each other in a cycle: ${cycle.join(", ")}`);
}

/** The built-in schemas of several Kubernetes minors, sharing identical definitions. */
export function layoutReleases(releases: Release[], banner: string): GeneratedFile[] {
  if (!releases.length) throw new SpecError("no releases to generate");
  const files: GeneratedFile[] = [];
  const hashes = releases.map((r) => definitionHashes(r.model));
  // Runs of consecutive releases where a definition keeps the same hash.
  interface Run {
    name: string;
    hash: string;
    from: number;
    to: number;
    def: Definition;
  }
  const runOf: Array<Map<string, Run>> = releases.map(() => new Map());
  const runs: Run[] = [];
  releases.forEach((release, i) => {
    for (const [name, def] of release.model.definitions) {
      const hash = hashes[i]!.get(name)!;
      const prev = i > 0 ? runOf[i - 1]!.get(name) : undefined;
      if (prev && prev.hash === hash) {
        prev.to = i;
        runOf[i]!.set(name, prev);
      } else {
        const run = { name, hash, from: i, to: i, def };
        runs.push(run);
        runOf[i]!.set(name, run);
      }
    }
  });
  const label = (run: Run) =>
    run.from === run.to ? releases[run.from]!.name : `${releases[run.from]!.name}-${releases[run.to]!.name}`;
  const fileOf = (run: Run) => `defs/${run.def.module}/${label(run)}.js`;
  const byFile = groupBy(runs, fileOf);
  const imports = new Map<string, Set<string>>();
  const runtimeOf = (file: string) => relative(file, "runtime.js");
  const specs: Array<{ path: string; defs: Definition[]; resolve: (n: string) => ResolvedRef }> = [];
  for (const [path, fileRuns] of [...byFile].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const from = fileRuns[0]!.from;
    const deps = new Set<string>();
    imports.set(path, deps);
    const defs = fileRuns.map((r) => r.def);
    assertUniqueExports(defs, path);
    specs.push({
      path,
      defs,
      resolve: (name) => {
        const run = runOf[from]!.get(name);
        if (!run) throw new SpecError(`${path}: unresolved reference ${name}`);
        const target = fileOf(run);
        if (target === path) return { exportName: run.def.exportName };
        deps.add(target);
        const span = label(run).replace(/v1\./g, "").replace("-", "_");
        return { from: relative(path, target), alias: `${namespaceName(run.def.module)}_${span}`, exportName: run.def.exportName };
      },
    });
  }
  for (const spec of specs) {
    for (const format of ["js", "dts"] as const) {
      const text = emitModule(
        { definitions: spec.defs, runtime: runtimeOf(spec.path), resolve: spec.resolve, banner, zod: "#zod", lazy: true },
        format,
      );
      files.push({ path: format === "js" ? spec.path : spec.path.replace(/\.js$/, ".d.ts"), text });
      // Descriptions live beside the schemas and load only when asked for (OpenAPI, explain).
      const docsPath = spec.path.replace(/\.js$/, format === "js" ? ".docs.js" : ".docs.d.ts");
      files.push({ path: docsPath, text: emitDocsModule(spec.defs, banner, format, runtimeOf(spec.path)) });
    }
  }
  checkModuleCycles(imports);

  const both = (path: string, text: string) => {
    files.push({ path, text }, { path: path.replace(/\.js$/, ".d.ts"), text });
  };
  const releaseNames = new Map<string, string[]>();
  releases.forEach((release, i) => {
    const byModule = groupBy(release.model.definitions.values(), (d) => d.module);
    const modules = [...byModule.keys()].sort();
    for (const module of modules) {
      const path = `${release.name}/${module}.js`;
      const byTarget = groupBy(byModule.get(module)!, (d) => fileOf(runOf[i]!.get(d.name)!));
      files.push(...facade(path, [...byTarget].sort((a, b) => (a[0] < b[0] ? -1 : 1)), banner));
      const docsPath = `${release.name}/${module}.docs.js`;
      const targets = [...byTarget.keys()].sort();
      const docs = [banner, ...targets.map((t, n) => `import d${n} from ${JSON.stringify(relative(docsPath, t.replace(/\.js$/, ".docs.js")))};`)];
      docs.push("", `/** Descriptions of ${module}'s definitions in ${release.name}, by export name. */`, `export default { ${targets.map((_, n) => `...d${n}`).join(", ")} };`);
      files.push(
        { path: docsPath, text: docs.join("\n") + "\n" },
        {
          path: docsPath.replace(/\.js$/, ".d.ts"),
          text: `${banner}\nimport type { DocNode } from ${JSON.stringify(relative(docsPath, "runtime.js"))};\n\ndeclare const docs: Record<string, DocNode>;\nexport default docs;\n`,
        },
      );
    }
    // Index: a namespace per module plus a flat export of every name, each owned by one module.
    const indexPath = `${release.name}/index.js`;
    const owners = flatOwners(release.model.definitions.values());
    const index = [banner];
    for (const module of modules) {
      index.push(`export * as ${namespaceName(module)} from ${JSON.stringify(relative(indexPath, `${release.name}/${module}.js`))};`);
    }
    for (const module of modules) {
      const names = byModule.get(module)!.filter((d) => owners.get(d.exportName) === module).map((d) => d.exportName).sort();
      if (names.length) index.push(`export ${exportList(names)} from ${JSON.stringify(relative(indexPath, `${release.name}/${module}.js`))};`);
    }
    both(indexPath, index.join("\n") + "\n");
    // Entry points list their exports one by one (no `export *`), so the package's surface is explicit.
    const indexNames = [...modules.map(namespaceName), ...[...owners.keys()]].sort();
    releaseNames.set(release.name, indexNames);
    both(`${release.name}.js`, `${banner}\nexport ${exportList(indexNames)} from "./${release.name}/index.js";\n`);
    files.push(...catalog(release, banner, (d) => fileOf(runOf[i]!.get(d.name)!)), kindsMap(release, banner));
  });
  const newest = releases[releases.length - 1]!;
  both("index.js", `${banner}\nexport ${exportList(releaseNames.get(newest.name)!)} from "./${newest.name}/index.js";\n`);
  const newestByModule = groupBy(newest.model.definitions.values(), (d) => d.module);
  for (const [module, defs] of newestByModule) {
    const path = `latest/${module}.js`;
    both(path, `${banner}\nexport ${exportList(defs.map((d) => d.exportName).sort())} from ${JSON.stringify(relative(path, `${newest.name}/${module}.js`))};\n`);
    const newestIndex = releases.length - 1;
    files.push(...lazyTable(`latest/${module}.table.js`, module, newest.name, groupBy(defs, (d) => fileOf(runOf[newestIndex]!.get(d.name)!)), banner));
  }
  files.push({ path: "kinds.d.ts", text: `${banner}\nexport type { KubernetesKinds } from "./${newest.name}/kinds.js";\n` });
  const names = releases.map((r) => r.name);
  files.push(
    {
      path: "releases.js",
      text: `${banner}\n/** The Kubernetes minors with bundled schemas, oldest first. */\nexport const releases = ${JSON.stringify(names)};\n\n/** The newest bundled minor, the one \`kubezod/k8s\` exports. */\nexport const latest = ${JSON.stringify(newest.name)};\n`,
    },
    {
      path: "releases.d.ts",
      text: `${banner}\n/** The Kubernetes minors with bundled schemas, oldest first. */\nexport declare const releases: readonly string[];\n\n/** The newest bundled minor, the one \`kubezod/k8s\` exports. */\nexport declare const latest: string;\n`,
    },
  );
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * A group-version's module in one minor: its definitions, read from the tables of the files
 * that hold them (`targets`, file → definitions), as named exports. Importing it builds every
 * definition of the group-version; the catalog's `tables` reach one kind without the others.
 */
function facade(path: string, targets: Array<[string, Definition[]]>, banner: string): GeneratedFile[] {
  const table = new Map<string, string>();
  const js = [banner];
  const dts = [banner, `import type * as k from ${JSON.stringify(relative(path, "runtime.js"))};`];
  targets.forEach(([target, defs], n) => {
    const from = JSON.stringify(relative(path, target));
    js.push(`import { $ as d${n} } from ${from};`);
    const names = defs.map((d) => d.exportName).sort();
    dts.push(`import type ${exportList(names)} from ${from};`);
    for (const name of names) table.set(name, `d${n}`);
  });
  const names = [...table.keys()].sort();
  js.push("", ...names.map((name) => `export const ${name} = ${table.get(name)}.${name};`));
  // The type of each name is the defining file's interface; its value, declared here, the schema.
  dts.push("", ...names.map((name) => `declare const ${name}: k.KubeSchema<${name}>;`), "", `export ${exportList(names)};`);
  return [
    { path, text: js.join("\n") + "\n" },
    { path: path.replace(/\.js$/, ".d.ts"), text: dts.join("\n") + "\n" },
  ];
}

/**
 * A group-version's definitions in one minor as one table (`$`) whose members are built when
 * first read: for the package's own code, which needs a definition (ObjectMeta) without building
 * every other of its group-version. The same instances the module exports.
 */
function lazyTable(path: string, module: string, release: string, byTarget: Map<string, Definition[]>, banner: string): GeneratedFile[] {
  const table = new Map<string, string>();
  const js = [banner];
  const dts = [banner, `import type * as k from ${JSON.stringify(relative(path, "runtime.js"))};`];
  [...byTarget].sort((a, b) => (a[0] < b[0] ? -1 : 1)).forEach(([target, defs], n) => {
    const from = JSON.stringify(relative(path, target));
    const names = defs.map((d) => d.exportName).sort();
    js.push(`import { $ as d${n} } from ${from};`);
    dts.push(`import type ${exportList(names)} from ${from};`);
    for (const name of names) table.set(name, `d${n}`);
  });
  const names = [...table.keys()].sort();
  const doc = ["/**", ` * ${module}'s definitions in ${release}, by export name, each built when first read: the`, ` * instances the module exports, without building the others.`, " */"];
  js.push("", ...doc, "export const $ = {", ...names.map((name) => `  get ${name}() { return ${table.get(name)}.${name}; },`), "};");
  dts.push("", ...doc, "export declare const $: {", ...names.map((name) => `  readonly ${name}: k.KubeSchema<${name}>;`), "};");
  return [
    { path, text: js.join("\n") + "\n" },
    { path: path.replace(/\.js$/, ".d.ts"), text: dts.join("\n") + "\n" },
  ];
}

/** The type of every resource kind of a release by `apiVersion/kind`, for typing objects by their literal apiVersion and kind. */
function kindsMap(release: Release, banner: string): GeneratedFile {
  const path = `${release.name}/kinds.d.ts`;
  const entries = [...release.model.definitions.values()]
    .filter((d) => d.gvk && d.resource)
    .map((d) => ({ key: `${apiVersionOf(d.gvk!.group, d.gvk!.version)}/${d.gvk!.kind}`, module: d.module, name: d.exportName }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const modules = [...new Set(entries.map((e) => e.module))].sort();
  const lines = [banner, ...modules.map((m) => `import type * as ${namespaceName(m)} from ${JSON.stringify(relative(path, `${release.name}/${m}.js`))};`), ""];
  lines.push(`/** Every resource kind of Kubernetes ${release.name} with its type, by \`apiVersion/kind\`. */`, "export interface KubernetesKinds {");
  for (const e of entries) lines.push(`  ${JSON.stringify(e.key)}: ${namespaceName(e.module)}.${e.name};`);
  lines.push("}", "");
  return { path, text: lines.join("\n") };
}

/**
 * Where each apiVersion/kind of a release lives, a loader per module, and a loader per kind of the
 * table of the file that defines it, for lazy lookups.
 */
function catalog(release: Release, banner: string, fileOf: (d: Definition) => string): GeneratedFile[] {
  const kinds: Record<string, Record<string, string>> = {};
  const tables: Record<string, Record<string, string>> = {};
  const fileIds = new Map<string, string>();
  const modules = new Set<string>();
  for (const d of [...release.model.definitions.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    modules.add(d.module);
    if (!d.gvk) continue;
    const apiVersion = apiVersionOf(d.gvk.group, d.gvk.version);
    (kinds[apiVersion] ??= {})[d.gvk.kind] = d.module;
    // Exported under its kind, as `schemaFor` reads it.
    if (d.exportName !== d.gvk.kind) continue;
    const file = fileOf(d);
    if (!fileIds.has(file)) fileIds.set(file, "");
    (tables[apiVersion] ??= {})[d.gvk.kind] = file;
  }
  const path = `${release.name}/catalog.js`;
  const files = [...fileIds.keys()].sort();
  files.forEach((f, n) => fileIds.set(f, `t${n}`));
  const tableLines = Object.keys(tables)
    .sort()
    .map((v) => {
      const entries = Object.keys(tables[v]!).sort().map((kind) => `${JSON.stringify(kind)}: ${fileIds.get(tables[v]![kind]!)}`);
      return ` ${JSON.stringify(v)}: { ${entries.join(", ")} },`;
    });
  const loaders = [...modules]
    .sort()
    .map((m) => `  ${JSON.stringify(m)}: () => import(${JSON.stringify(relative(path, `${release.name}/${m}.js`))}),`);
  const docLoaders = [...modules]
    .sort()
    .map((m) => `  ${JSON.stringify(m)}: () => import(${JSON.stringify(relative(path, `${release.name}/${m}.docs.js`))}),`);
  const sortedKinds = Object.fromEntries(Object.keys(kinds).sort().map((k) => [k, kinds[k]]));
  return [
    {
      path,
      text:
        `${banner}\n/** Module loaders, by module name. */\nexport const modules = {\n${loaders.join("\n")}\n};\n\n/** Description loaders, by module name. */\nexport const docs = {\n${docLoaders.join("\n")}\n};\n\n/** The module of every apiVersion and kind. */\nexport const kinds = ${JSON.stringify(sortedKinds, null, 1)};\n\n` +
        files.map((f, n) => `const t${n} = () => import(${JSON.stringify(relative(path, f))});\n`).join("") +
        `\n/**\n * The file defining each apiVersion and kind: a loader of its table of definitions (\`$\`), each\n * built when first read — the same instances the modules export.\n */\nexport const tables = {\n${tableLines.join("\n")}\n};\n`,
    },
    {
      path: `${release.name}/catalog.d.ts`,
      text: `${banner}\nimport type { DocNode } from ${JSON.stringify(relative(path, "runtime.js"))};\n\n/** Module loaders, by module name. */\nexport declare const modules: Record<string, () => Promise<Record<string, unknown>>>;\n\n/** Description loaders, by module name. */\nexport declare const docs: Record<string, () => Promise<{ default: Record<string, DocNode> }>>;\n\n/** The module of every apiVersion and kind. */\nexport declare const kinds: Record<string, Record<string, string>>;\n\n/** The file defining each apiVersion and kind: a loader of its table of definitions, each built when first read. */\nexport declare const tables: Record<string, Record<string, () => Promise<{ $: Record<string, unknown> }>>>;\n`,
    },
  ];
}

export interface StandaloneOptions {
  format: OutputFormat | "js+dts";
  /** Import specifier of the runtime module. */
  runtime: string;
  /** Definitions referenced but not generated (`ObjectMeta` from `kubezod/k8s/meta/v1`). */
  externals: Record<string, ExternalRef>;
  banner: string;
}

/** One module per group-version (custom resources, a live cluster's documents), plus an index. */
export function layoutStandalone(model: ApiModel, options: StandaloneOptions): GeneratedFile[] {
  const ext = options.format === "ts" ? ".ts" : ".js";
  const specPath = (module: string) => `${module}.js`;
  const files: GeneratedFile[] = [];
  const byModule = groupBy(model.definitions.values(), (d) => d.module);
  definitionHashes(model, options.externals); // validates that every reference resolves
  const imports = new Map<string, Set<string>>();
  for (const [module, defs] of [...byModule].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const path = specPath(module);
    assertUniqueExports(defs, path);
    const deps = new Set<string>();
    imports.set(path, deps);
    const resolve = (name: string): ResolvedRef => {
      const d = model.definitions.get(name);
      if (d) {
        if (d.module === module) return { exportName: d.exportName };
        deps.add(specPath(d.module));
        return { from: relative(path, specPath(d.module)), alias: namespaceName(d.module), exportName: d.exportName };
      }
      const e = options.externals[name];
      if (!e) throw new SpecError(`${path}: unresolved reference ${name}`);
      return e;
    };
    const runtime = options.runtime.startsWith(".") ? relative(path, options.runtime) : options.runtime;
    const spec = { definitions: defs, runtime, resolve, banner: options.banner };
    if (options.format === "js+dts" || options.format === "js") {
      files.push({ path, text: emitModule(spec, "js") });
      if (options.format === "js+dts") files.push({ path: path.replace(/\.js$/, ".d.ts"), text: emitModule(spec, "dts") });
    } else {
      files.push({ path: path.replace(/\.js$/, ext), text: emitModule(spec, options.format) });
    }
  }
  checkModuleCycles(imports);
  const owners = flatOwners(model.definitions.values());
  const index = [options.banner];
  const modules = [...byModule.keys()].sort();
  for (const module of modules) {
    index.push(`export * as ${namespaceName(module)} from ${JSON.stringify(`./${module}.js`)};`);
  }
  for (const module of modules) {
    const names = byModule.get(module)!.filter((d) => owners.get(d.exportName) === module).map((d) => d.exportName).sort();
    if (names.length) index.push(`export ${exportList(names)} from ${JSON.stringify(`./${module}.js`)};`);
  }
  const indexText = index.join("\n") + "\n";
  if (options.format === "ts") files.push({ path: "index.ts", text: indexText });
  else {
    files.push({ path: "index.js", text: indexText });
    if (options.format === "js+dts") files.push({ path: "index.d.ts", text: indexText });
  }
  return files;
}
