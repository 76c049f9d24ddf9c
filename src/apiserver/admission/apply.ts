/**
 * What mutating policies produce, applied: CEL object construction (`Object{spec: Object.spec{…}}`,
 * `JSONPatch{op: …}`) read as maps, apply configurations merged into the object the way
 * server-side apply merges them (list maps by their keys, sets by value, other lists atomic), and
 * CEL values turned back into JSON.
 */
import type * as z from "zod";
import { childSchema, metaOf } from "../../meta/index.js";
import { isRecord } from "../../meta/values.js";

type Obj = Record<string, unknown>;
type Schema = z.core.$ZodType;

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;

/**
 * Rewrite CEL message construction of the `Object` and `JSONPatch` types into map literals with
 * quoted field names, which the evaluator understands.
 *
 * @example
 * rewriteObjectLiterals("Object{spec: Object.spec{replicas: 3}}"); // "{'spec': {'replicas': 3}}"
 */
export function rewriteObjectLiterals(source: string): string {
  if (!/\b(Object|JSONPatch)\b/.test(source)) return source;
  let out = "";
  // Field values are wrapped in dyn(): message fields have their own types, so a map literal
  // standing for a message may mix them.
  const frames: Array<{ message: boolean; expectKey: boolean; afterKey?: boolean; inValue?: boolean }> = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    // String literals (with raw and triple-quoted forms) are copied as they are.
    if (c === '"' || c === "'") {
      const triple = source.startsWith(c.repeat(3), i);
      const quote = triple ? c.repeat(3) : c;
      const raw = i > 0 && /[rR]/.test(source[i - 1]!);
      let j = i + quote.length;
      while (j < source.length && !source.startsWith(quote, j)) j += !raw && source[j] === "\\" ? 2 : 1;
      out += source.slice(i, j + quote.length);
      i = j + quote.length;
      continue;
    }
    if (/[A-Za-z_]/.test(c) && (i === 0 || !/[A-Za-z0-9_.]/.test(source[i - 1]!))) {
      IDENT.lastIndex = i;
      const word = IDENT.exec(source)![0];
      const top = frames[frames.length - 1];
      // A field name in a message literal: `name:` right after `{` or `,`.
      if (top?.message && top.expectKey) {
        const after = /^\s*:/.exec(source.slice(i + word.length));
        if (after) {
          out += `'${word}'`;
          i += word.length;
          top.expectKey = false;
          top.afterKey = true;
          continue;
        }
      }
      if (word === "Object" || word === "JSONPatch") {
        const m = /^(?:\s*\.\s*[A-Za-z_][A-Za-z0-9_]*)*\s*\{/.exec(source.slice(i + word.length));
        if (m) {
          out += "{";
          i += word.length + m[0].length;
          frames.push({ message: true, expectKey: true });
          continue;
        }
      }
      out += word;
      i += word.length;
      if (top) top.expectKey = false;
      continue;
    }
    const top = frames[frames.length - 1];
    if (top?.afterKey && c === ":") {
      top.afterKey = false;
      top.inValue = true;
      out += ": dyn(";
      i++;
      continue;
    }
    if (top?.inValue && (c === "," || c === "}")) {
      out += ")";
      top.inValue = false;
    }
    if (c === "{" || c === "(" || c === "[") frames.push({ message: false, expectKey: false });
    else if (c === "}" || c === ")" || c === "]") frames.pop();
    else if (c === "," && top) top.expectKey = true;
    // `?field:` (an optional field of a message literal) still names a field.
    else if (top && !/\s/.test(c) && !(c === "?" && top.message && top.expectKey)) top.expectKey = false;
    out += c;
    i++;
  }
  return out;
}

/**
 * A CEL value as JSON: integers as numbers, maps as objects, library values as their text.
 *
 * @example
 * fromCelValue({ replicas: 3n }); // { replicas: 3 }
 */
export function fromCelValue(v: unknown): unknown {
  if (typeof v === "bigint") return Number(v);
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map(fromCelValue);
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), fromCelValue(x)]));
  if (v instanceof Date) return v.toISOString().replace(".000Z", "Z");
  if (v instanceof Uint8Array) return btoa(String.fromCharCode(...v));
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) {
    const s = String(v);
    return s === "[object Object]" ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fromCelValue(x)])) : s;
  }
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) out[k] = fromCelValue(x);
  return out;
}

function listKeys(schema: Schema | undefined): { type?: string; keys?: readonly string[] } {
  if (!schema) return {};
  const m = metaOf(schema);
  const keys = m.listMapKeys ?? (m.patchMergeKey ? [m.patchMergeKey] : undefined);
  return { ...(m.listType ? { type: m.listType } : keys ? { type: "map" } : {}), ...(keys ? { keys } : {}) };
}

/**
 * Merge an apply configuration into an object, in place of a copy (the object given is not changed).
 *
 * @example
 * applyConfiguration({ spec: { replicas: 1, paused: true } }, { spec: { replicas: 3 } }); // { spec: { replicas: 3, paused: true } }
 */
export function applyConfiguration(object: unknown, config: unknown, schema?: Schema): unknown {
  if (config === undefined) return object;
  if (isRecord(config) && isRecord(object)) {
    const out: Obj = { ...object };
    for (const [k, v] of Object.entries(config)) {
      if (v === null) {
        delete out[k];
        continue;
      }
      const child = schema ? childSchema(schema, k) : undefined;
      out[k] = applyConfiguration(out[k], v, child);
    }
    return out;
  }
  if (Array.isArray(config) && Array.isArray(object)) {
    const { type, keys } = listKeys(schema);
    const element = schema ? childSchema(schema, 0) : undefined;
    if (type === "map" && keys?.length) {
      const out = [...object];
      for (const item of config) {
        const at = isRecord(item) ? out.findIndex((x) => isRecord(x) && keys.every((k) => x[k] === item[k])) : -1;
        if (at >= 0) out[at] = applyConfiguration(out[at], item, element);
        else out.push(item);
      }
      return out;
    }
    if (type === "set") return [...object, ...config.filter((x) => !object.some((y) => JSON.stringify(y) === JSON.stringify(x)))];
    return config;
  }
  return config;
}
