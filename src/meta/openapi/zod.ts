/**
 * IR definitions → Zod schemas, built directly as objects (no generated source, no `eval`), with
 * exactly the mapping the emitter writes for generated modules: the same leaf instances, the same
 * wrappers, facts registered on the same nodes, getters for references inside a cycle.
 */
import * as z from "zod";
import * as k from "#schemas/runtime.js";
import { SpecError } from "../../errors.js";
import type { Definition, Node, ObjectNode } from "./ir.js";
import { patternRegExp } from "../re2.js";
import { containsDeferred, definitionMeta, FORMAT_CHECKED, leafName, orderDefinitions } from "./order.js";

type Schema = z.ZodType;

interface Context {
  ref(name: string): Schema;
  deferred(name: string): boolean;
}

const LEAVES: Record<string, Schema> = {
  string: k.string,
  int32: k.int32,
  int: k.int,
  number: k.number,
  boolean: k.boolean,
  unknown: k.unknown,
  Bytes: k.Bytes,
  IntOrString: k.IntOrString,
  Quantity: k.Quantity,
  Time: k.Time,
  MicroTime: k.MicroTime,
};

function stringSchema(node: Extract<Node, { type: "string" }>): { schema: Schema; shared: boolean } {
  if (node.enum) return { schema: z.enum(node.enum as [string, ...string[]]), shared: false };
  if (node.format === "byte" && !node.pattern && node.minLength === undefined && node.maxLength === undefined) return { schema: k.Bytes, shared: true };
  let s: z.ZodType<string> = node.format === "byte" ? k.Bytes : z.string();
  if (node.format && node.format !== "byte" && FORMAT_CHECKED.has(node.format)) s = s.check(k.format(node.format));
  if (node.pattern) {
    const re = patternRegExp(node.pattern);
    if (re) s = (s as z.ZodString).regex(re);
  }
  if (node.minLength !== undefined) s = s.check(k.minRunes(node.minLength));
  if (node.maxLength !== undefined) s = s.check(k.maxRunes(node.maxLength));
  return { schema: s, shared: false };
}

function numberSchema(node: Extract<Node, { type: "integer" | "number" }>): Schema {
  if (node.enum) return z.literal(node.enum);
  let n = node.type === "number" ? z.number() : node.format === "int32" ? z.int32() : z.int();
  if (node.minimum !== undefined) n = node.exclusiveMinimum ? n.gt(node.minimum) : n.gte(node.minimum);
  if (node.maximum !== undefined) n = node.exclusiveMaximum ? n.lt(node.maximum) : n.lte(node.maximum);
  if (node.multipleOf !== undefined) n = n.multipleOf(node.multipleOf);
  return n;
}

function objectSchema(node: ObjectNode, ctx: Context): Schema {
  const keys = Object.keys(node.properties);
  let o: Schema;
  if (!keys.length) {
    o = z.record(z.string(), node.additionalProperties ? valueSchema(node.additionalProperties, ctx, false) : z.unknown());
  } else {
    const required = new Set(node.required);
    const shape: Record<string, Schema> = {};
    for (const name of keys) {
      const prop = node.properties[name]!;
      if (containsDeferred(prop, ctx.deferred)) {
        // A reference later in its cycle: resolved on first access, then kept.
        let built: Schema | undefined;
        Object.defineProperty(shape, name, { enumerable: true, configurable: true, get: () => (built ??= propertySchema(prop, required.has(name), ctx, true)) });
      } else {
        shape[name] = propertySchema(prop, required.has(name), ctx, false);
      }
    }
    o = node.additionalProperties ? z.object(shape).catchall(valueSchema(node.additionalProperties, ctx, false)) : z.looseObject(shape);
  }
  if (node.minProperties !== undefined) o = (o as z.ZodType<object>).check(k.minProperties(node.minProperties));
  if (node.maxProperties !== undefined) o = (o as z.ZodType<object>).check(k.maxProperties(node.maxProperties));
  return o;
}

function propertySchema(node: Node, required: boolean, ctx: Context, lazy: boolean): Schema {
  if (node.type === "literal") return valueSchema(node, ctx, lazy);
  const leaf = leafName(node);
  if (leaf && !required) return (k.nullish as Record<string, Schema>)[leaf]!;
  const s = valueSchema(node, ctx, lazy);
  if (!required) return k.nullishOf(s);
  return node.nullable ? s.nullable() : s;
}

function valueSchema(node: Node, ctx: Context, lazy: boolean): Schema {
  const leaf = leafName(node);
  if (leaf) return LEAVES[leaf]!;
  let s: Schema;
  let shared = false;
  switch (node.type) {
    case "string":
      ({ schema: s, shared } = stringSchema(node));
      break;
    case "integer":
    case "number":
      s = numberSchema(node);
      break;
    case "boolean":
      s = z.boolean();
      break;
    case "array": {
      let a = z.array(valueSchema(node.items, ctx, lazy));
      if (node.minItems !== undefined) a = a.min(node.minItems);
      if (node.maxItems !== undefined) a = a.max(node.maxItems);
      s = a;
      break;
    }
    case "object":
      s = objectSchema(node, ctx);
      break;
    case "ref": {
      const name = node.name;
      s = ctx.deferred(name) && !lazy ? z.lazy(() => ctx.ref(name)) : ctx.ref(name);
      shared = true;
      break;
    }
    case "int-or-string":
      s = k.IntOrString;
      shared = true;
      break;
    case "quantity":
      s = k.Quantity;
      shared = true;
      break;
    case "time":
      s = k.Time;
      shared = true;
      break;
    case "micro-time":
      s = k.MicroTime;
      shared = true;
      break;
    case "any":
      s = z.unknown();
      break;
    case "union":
      s = z.union(node.options.map((o) => valueSchema(o, ctx, lazy)) as [Schema, Schema, ...Schema[]]);
      break;
    case "literal":
      s = node.defaulted ? z.literal(node.value).default(node.value) : z.literal(node.value);
      break;
  }
  const facts = factsOf(node);
  if (facts) s = (shared ? s.clone() : s).register(k.kubeMeta, facts);
  return s;
}

function factsOf(node: Node): Record<string, unknown> | undefined {
  if (!node.facts) return undefined;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node.facts)) if (value !== undefined) out[key] = value;
  return Object.keys(out).length ? out : undefined;
}

/**
 * Build the schemas of a set of definitions (referring to each other, and to `externals` by
 * definition name), registering each definition's facts. Throws SpecError for a reference to
 * nothing.
 */
export function buildSchemas(definitions: Definition[], externals: Readonly<Record<string, Schema>>): Map<string, Schema> {
  const { order, deferred } = orderDefinitions(definitions);
  const known = new Set(definitions.map((d) => d.name));
  const built = new Map<string, Schema>(Object.entries(externals));
  for (const def of order) {
    const later = deferred.get(def.name);
    const ctx: Context = {
      ref: (name) => {
        const s = built.get(name);
        if (s) return s;
        if (!known.has(name)) throw new SpecError(`${def.name} references ${name}, which is not defined`);
        throw new SpecError(`${def.name} references ${name} before it is built`);
      },
      deferred: (name) => later?.has(name) ?? false,
    };
    const meta = definitionMeta(def);
    const { facts: _facts, ...node } = def.node;
    let s = valueSchema(node as Node, ctx, false);
    if (meta) {
      // A shared instance (a leaf, a reference) gets its facts on a copy.
      if (Object.values(LEAVES).includes(s) || built.has((node as { name?: string }).name ?? "")) s = s.clone();
      s = s.register(k.kubeMeta, meta as k.KubeMeta);
    }
    built.set(def.name, s);
  }
  return new Map(definitions.map((d) => [d.name, built.get(d.name)!]));
}
