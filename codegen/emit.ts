/**
 * IR → source text. Writes a Zod expression and a TypeScript type for every node; the layout
 * decides which module each definition lives in and asks for module texts through `emitModule`.
 */
import { apiVersionOf, type Definition, type FieldFacts, type Node, type ObjectNode } from "../src/meta/openapi/ir.js";
import { regexError } from "../src/meta/re2.js";
import { containsDeferred, definitionMeta, FORMAT_CHECKED, leafName, orderDefinitions, refsOf } from "../src/meta/openapi/order.js";

export { refsOf, orderDefinitions, definitionMeta };

export type OutputFormat = "js" | "dts" | "ts";

/** Where a referenced definition comes from, as seen from the module being written. */
export interface ResolvedRef {
  /** Import specifier of the module that exports it; undefined when it is in this module. */
  from?: string;
  /** The namespace name to import that module under. */
  alias?: string;
  exportName: string;
}

export interface ModuleSpec {
  /** Definitions to write, in any order (the emitter orders them). */
  definitions: Definition[];
  /** Import specifier of the runtime module (`../runtime.js` or `kubezod/k8s/runtime`). */
  runtime: string;
  resolve(name: string): ResolvedRef;
  banner: string;
  /** Import specifier of zod (`zod`; the package's own schemas use its `#zod` import, see package.json). */
  zod?: string;
  /**
   * Write the definitions as one table, `$`, each built when first read (the bundled schemas:
   * a program builds only the definitions it uses). References to other modules are then to
   * their tables (`resolve` names modules written the same way). JS and d.ts only.
   */
  lazy?: boolean;
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function key(name: string): string {
  return IDENT.test(name) ? name : JSON.stringify(name);
}

function lit(value: unknown): string {
  return JSON.stringify(value);
}

/** Docs comment text: one JSDoc block, with `*\/` neutralised. */
function jsdoc(text: string | undefined, indent: string, extra: string[] = []): string {
  const lines = [...(text ? text.replace(/\*\//g, "*\\/").split("\n") : []), ...extra];
  if (!lines.length) return "";
  if (lines.length === 1) return `${indent}/** ${lines[0]} */\n`;
  return `${indent}/**\n${lines.map((l) => `${indent} *${l ? ` ${l}` : ""}`).join("\n")}\n${indent} */\n`;
}

function factsLiteral(facts: FieldFacts | undefined): string | undefined {
  if (!facts) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(facts)) if (v !== undefined) out[k] = v;
  return Object.keys(out).length ? lit(out) : undefined;
}

interface ExprContext {
  ref(name: string): string;
  deferred(name: string): boolean;
}

function stringExpr(node: Extract<Node, { type: "string" }>): string {
  if (node.enum) return `z.enum(${lit(node.enum)})`;
  let e = node.format === "byte" ? "k.Bytes" : "z.string()";
  if (node.format && node.format !== "byte" && FORMAT_CHECKED.has(node.format)) {
    e += `.check(k.format(${lit(node.format)}))`;
  }
  // Matched by RE2 as the apiserver matches it; a pattern RE2 refuses (the CRD is refused too) is not checked.
  if (node.pattern && !regexError(node.pattern)) e += `.regex(k.pattern(${lit(node.pattern)}))`;
  if (node.minLength !== undefined) e += `.check(k.minRunes(${node.minLength}))`;
  if (node.maxLength !== undefined) e += `.check(k.maxRunes(${node.maxLength}))`;
  return e;
}

function numberExpr(node: Extract<Node, { type: "integer" | "number" }>): string {
  if (node.enum) return `z.literal(${lit(node.enum)})`;
  let e = node.type === "number" ? "z.number()" : node.format === "int32" ? "z.int32()" : "z.int()";
  if (node.minimum !== undefined) e += node.exclusiveMinimum ? `.gt(${node.minimum})` : `.gte(${node.minimum})`;
  if (node.maximum !== undefined) e += node.exclusiveMaximum ? `.lt(${node.maximum})` : `.lte(${node.maximum})`;
  if (node.multipleOf !== undefined) e += `.multipleOf(${node.multipleOf})`;
  return e;
}

function objectExpr(node: ObjectNode, ctx: ExprContext, indent: string): string {
  const keys = Object.keys(node.properties);
  let e: string;
  if (!keys.length) {
    const values = node.additionalProperties ? valueExpr(node.additionalProperties, ctx, indent, false) : "z.unknown()";
    e = `z.record(z.string(), ${values})`;
  } else {
    const inner = indent + "  ";
    const required = new Set(node.required);
    const lines = keys.map((name) => {
      const prop = node.properties[name]!;
      const lazy = containsDeferred(prop, ctx.deferred);
      const expr = propertyExpr(prop, required.has(name), ctx, inner, lazy);
      return lazy ? `${inner}get ${key(name)}() {\n${inner}  return ${expr};\n${inner}},` : `${inner}${key(name)}: ${expr},`;
    });
    const shape = `{\n${lines.join("\n")}\n${indent}}`;
    e = node.additionalProperties
      ? `z.object(${shape}).catchall(${valueExpr(node.additionalProperties, ctx, indent, false)})`
      : `z.looseObject(${shape})`;
  }
  if (node.minProperties !== undefined) e += `.check(k.minProperties(${node.minProperties}))`;
  if (node.maxProperties !== undefined) e += `.check(k.maxProperties(${node.maxProperties}))`;
  return e;
}

function propertyExpr(node: Node, required: boolean, ctx: ExprContext, indent: string, lazy: boolean): string {
  if (node.type === "literal") return valueExpr(node, ctx, indent, lazy);
  const leaf = leafName(node);
  if (leaf && !required) return `k.nullish.${leaf}`;
  const e = valueExpr(node, ctx, indent, lazy);
  if (!required) return `k.nullishOf(${e})`;
  return node.nullable ? `${e}.nullable()` : e;
}

/** The Zod expression of a node, with its field facts registered on its own instance. */
function valueExpr(node: Node, ctx: ExprContext, indent: string, lazy: boolean): string {
  const leaf = leafName(node);
  if (leaf) return `k.${leaf}`;
  let e: string;
  let shared = false;
  switch (node.type) {
    case "string":
      e = stringExpr(node);
      shared = e === "k.Bytes";
      break;
    case "integer":
    case "number":
      e = numberExpr(node);
      break;
    case "boolean":
      e = "z.boolean()";
      break;
    case "array":
      e = `z.array(${valueExpr(node.items, ctx, indent, lazy)})`;
      if (node.minItems !== undefined) e += `.min(${node.minItems})`;
      if (node.maxItems !== undefined) e += `.max(${node.maxItems})`;
      break;
    case "object":
      e = objectExpr(node, ctx, indent);
      break;
    case "ref":
      e = ctx.deferred(node.name) && !lazy ? `z.lazy(() => ${ctx.ref(node.name)})` : ctx.ref(node.name);
      shared = true;
      break;
    case "int-or-string":
      e = "k.IntOrString";
      shared = true;
      break;
    case "quantity":
      e = "k.Quantity";
      shared = true;
      break;
    case "time":
      e = "k.Time";
      shared = true;
      break;
    case "micro-time":
      e = "k.MicroTime";
      shared = true;
      break;
    case "any":
      e = "z.unknown()";
      break;
    case "union":
      e = `z.union([${node.options.map((o) => valueExpr(o, ctx, indent, lazy)).join(", ")}])`;
      break;
    case "literal":
      e = `z.literal(${lit(node.value)})`;
      if (node.defaulted) e += `.default(${lit(node.value)})`;
      break;
  }
  const facts = factsLiteral(node.facts);
  if (facts) e = `${shared ? `${e}.clone()` : e}.register(k.kubeMeta, ${facts})`;
  return e;
}

interface TypeContext {
  ref(name: string): string;
}

function typeExpr(node: Node, ctx: TypeContext, indent: string): string {
  switch (node.type) {
    case "string":
      return node.enum ? node.enum.map(lit).join(" | ") : "string";
    case "integer":
    case "number":
      return node.enum ? node.enum.map(lit).join(" | ") : "number";
    case "boolean":
      return "boolean";
    case "array": {
      const item = typeExpr(node.items, ctx, indent);
      return /^[\w.$]+$/.test(item) ? `${item}[]` : `Array<${item}>`;
    }
    case "object":
      return objectType(node, ctx, indent);
    case "ref":
      return ctx.ref(node.name);
    case "int-or-string":
    case "quantity":
      return "number | string";
    case "time":
    case "micro-time":
      return "string";
    case "any":
      return "unknown";
    case "union":
      return node.options.map((o) => typeExpr(o, ctx, indent)).join(" | ");
    case "literal":
      return lit(node.value);
  }
}

function objectBody(node: ObjectNode, ctx: TypeContext, indent: string): string {
  const inner = indent + "  ";
  const required = new Set(node.required);
  const members = Object.entries(node.properties).map(([name, prop]) => {
    const t = typeExpr(prop, ctx, inner);
    const isLiteral = prop.type === "literal";
    const optional = !required.has(name) && !isLiteral;
    const nullable = optional || prop.nullable;
    return `${jsdoc(prop.description, inner)}${inner}${key(name)}${optional ? "?" : ""}: ${t}${nullable ? " | null" : ""};`;
  });
  if (node.additionalProperties) members.push(`${inner}[key: string]: unknown;`);
  return `{\n${members.join("\n")}\n${indent}}`;
}

function objectType(node: ObjectNode, ctx: TypeContext, indent: string): string {
  if (!Object.keys(node.properties).length) {
    const values = node.additionalProperties ? typeExpr(node.additionalProperties, ctx, indent) : "unknown";
    return `{ [key: string]: ${values} }`;
  }
  return objectBody(node, ctx, indent);
}

/** Descriptions of a definition and its fields (inline objects nested), for docs and OpenAPI. */
export interface DocNode {
  description?: string;
  properties?: Record<string, DocNode>;
  items?: DocNode;
  additionalProperties?: DocNode;
}

/** The descriptions a node carries; undefined when it has none anywhere. */
export function docsOf(node: Node): DocNode | undefined {
  const out: DocNode = {};
  if (node.description) out.description = node.description;
  if (node.type === "object") {
    const props: Record<string, DocNode> = {};
    for (const [name, prop] of Object.entries(node.properties)) {
      const d = docsOf(prop);
      if (d) props[name] = d;
    }
    if (Object.keys(props).length) out.properties = props;
    if (node.additionalProperties) {
      const d = docsOf(node.additionalProperties);
      if (d) out.additionalProperties = d;
    }
  } else if (node.type === "array") {
    // The list's own description is on the field; item descriptions matter only for inline objects.
    const d = node.items.type === "ref" ? undefined : docsOf(node.items);
    if (d) out.items = d;
  }
  return Object.keys(out).length ? out : undefined;
}

/** A docs module: the descriptions of every definition of a module, by export name. */
export function emitDocsModule(definitions: Definition[], banner: string, format: "js" | "dts", runtime: string): string {
  if (format === "dts") {
    return [banner, `import type { DocNode } from ${lit(runtime)};`, "", "declare const docs: Record<string, DocNode>;", "export default docs;", ""].join("\n");
  }
  const entries = [...definitions]
    .sort((a, b) => (a.exportName < b.exportName ? -1 : a.exportName > b.exportName ? 1 : 0))
    .map((d) => [d.exportName, docsOf(d.node)] as const)
    .filter(([, d]) => d !== undefined);
  return `${banner}\nexport default ${JSON.stringify(Object.fromEntries(entries))};\n`;
}

/**
 * The Zod expression of one definition, with its facts registered on its own instance. `ref`
 * spells a reference to another definition; references in `lazy` are deferred (cycles).
 * Expressions use `z` (zod) and `k` (the runtime module).
 */
export function definitionExpression(def: Definition, ref: (name: string) => string, lazy?: ReadonlySet<string>): string {
  const meta = definitionMeta(def);
  const ctx: ExprContext = { ref, deferred: (n) => lazy?.has(n) ?? false };
  const node: Node = { ...def.node };
  delete node.facts;
  let e = valueExpr(node, ctx, "", false);
  // A bare name is a shared instance: facts must go on a copy of it.
  if (meta && /^[\w$.]+$/.test(e)) e += ".clone()";
  if (meta) e += `.register(k.kubeMeta, ${lit(meta)})`;
  return e;
}

function camel(module: string): string {
  const parts = module.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return parts.map((p, i) => (i === 0 ? p : p[0]!.toUpperCase() + p.slice(1))).join("");
}

/** Write one module: the runtime import, imports of referenced modules, then every definition. */
export function emitModule(spec: ModuleSpec, format: OutputFormat): string {
  const lazy = spec.lazy === true;
  if (lazy && format === "ts") throw new Error("lazy modules are written as JS and d.ts");
  const { order, deferred } = orderDefinitions(spec.definitions);
  const aliases = new Map<string, string>();
  const taken = new Set(["z", "k", ...(lazy ? ["$", "keep"] : spec.definitions.map((d) => d.exportName))]);
  const refNames = new Map<string, string>();
  for (const def of order) {
    for (const name of [...refsOf(def.node)].sort()) {
      if (refNames.has(name)) continue;
      const r = spec.resolve(name);
      if (!r.from) {
        // In a d.ts, types are named directly; in a lazy module's JS, definitions are the table's.
        refNames.set(name, lazy && format === "js" ? `$.${r.exportName}` : r.exportName);
        continue;
      }
      let alias = aliases.get(r.from);
      if (!alias) {
        const baseAlias = r.alias ?? camel(r.from.replace(/\.(js|ts)$/, "").replace(/^(\.\.?\/)+/, "").replace(/^kubezod\/k8s\//, ""));
        alias = baseAlias;
        for (let n = 2; taken.has(alias); n++) alias = `${baseAlias}_${n}`;
        taken.add(alias);
        aliases.set(r.from, alias);
      }
      refNames.set(name, lazy && format === "js" ? `${alias}.$.${r.exportName}` : `${alias}.${r.exportName}`);
    }
  }
  const ref = (name: string) => {
    const r = refNames.get(name);
    if (!r) throw new Error(`unresolved reference ${name}`);
    return r;
  };
  const out: string[] = [spec.banner];
  const typeOnly = format === "dts" ? "type " : "";
  if (format !== "dts") out.push(`import * as z from ${lit(spec.zod ?? "zod")};`);
  out.push(`import ${typeOnly}* as k from ${lit(spec.runtime)};`);
  for (const [from, alias] of [...aliases].sort((a, b) => (a[1] < b[1] ? -1 : 1))) {
    out.push(`import ${typeOnly}* as ${alias} from ${lit(from)};`);
  }
  out.push("");
  const table: string[] = [];
  for (const def of order) {
    const name = def.exportName;
    if (format !== "js") {
      const doc = jsdoc(def.node.description, "", def.gvk ? [`@see apiVersion ${apiVersionOf(def.gvk.group, def.gvk.version)}, kind ${def.gvk.kind}`] : []);
      const isInterface = def.node.type === "object" && Object.keys(def.node.properties).length > 0;
      out.push(
        isInterface
          ? `${doc}export interface ${name} ${objectBody(def.node as ObjectNode, { ref }, "")}`
          : `${doc}export type ${name} = ${typeExpr(def.node, { ref }, "")};`,
      );
    }
    if (format === "dts") {
      if (lazy) table.push(`  readonly ${key(name)}: k.KubeSchema<${name}>;`);
      else out.push(`export declare const ${name}: k.KubeSchema<${name}>;`);
      out.push("");
      continue;
    }
    const e = definitionExpression(def, ref, deferred.get(def.name));
    if (lazy) {
      table.push(`  get ${key(name)}() {`, `    return keep(${lit(name)}, ${e.replace(/\n/g, "\n    ")});`, "  },");
      continue;
    }
    out.push(format === "ts" ? `export const ${name}: k.KubeSchema<${name}> = ${e};` : `export const ${name} = ${e};`, "");
  }
  if (lazy) out.push(...LAZY_TABLE_DOC, format === "dts" ? "export declare const $: {" : "export const $ = {", ...table, "};", "");
  if (lazy && format === "js") out.push(...KEEP);
  return out.join("\n");
}

const LAZY_TABLE_DOC = [
  "/**",
  " * The definitions of this file, by export name. Each is built when first read and kept (its",
  " * getter gives way to the schema), so every read gives the same instance, annotated once.",
  " */",
];

const KEEP = [
  "/** Keep a definition built on first read: from now on `$[name]` is the schema itself. */",
  "function keep(name, schema) {",
  "  Object.defineProperty($, name, { value: schema, enumerable: true });",
  "  return schema;",
  "}",
  "",
];
