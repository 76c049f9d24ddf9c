/**
 * What the schema emitter and the run-time schema builder share: the order definitions are built
 * in (references first, cycles deferred), the facts registered on each definition, and which
 * OpenAPI patterns and formats carry over into Zod.
 */
import { apiVersionOf, type Definition, type Node } from "./ir.js";

/** POSIX classes RE2 reads inside brackets (`[[:alpha:]]`), as JavaScript class ranges. */
const POSIX_CLASSES: Record<string, string> = {
  alnum: "0-9A-Za-z",
  alpha: "A-Za-z",
  ascii: "\\x00-\\x7F",
  blank: "\\t ",
  cntrl: "\\x00-\\x1F\\x7F",
  digit: "0-9",
  graph: "!-~",
  lower: "a-z",
  print: " -~",
  punct: "!-\\/:-@\\[-`{-~",
  space: "\\t\\n\\v\\f\\r ",
  upper: "A-Z",
  word: "0-9A-Za-z_",
  xdigit: "0-9A-Fa-f",
};

/** Characters JavaScript's `u` mode lets a backslash escape. */
const JS_SYNTAX = new Set("^$\\.*+?()[]{}|/".split(""));

/**
 * An RE2 pattern (what kube-apiserver's Go regexp compiles) as a JavaScript source in `u` mode, or
 * undefined where the meaning cannot be carried over (inline flags mid-pattern, ungreedy mode,
 * negated POSIX classes): such a pattern is not checked rather than checked differently.
 * `.` excludes only "\n" (JavaScript also excludes "\r", U+2028, U+2029), `\s` is RE2's
 * `[\t\n\f\r ]`, `\A`/`\z` anchor the text, `\pL` names a Unicode class, `[[:alnum:]]` is POSIX,
 * `\Q…\E` is literal, `(?P<name>…)` names a group, and a `{`, `}` or `]` that starts nothing is a
 * literal, as RE2 reads them.
 */
function re2Source(pattern: string): { source: string; flags: string } | undefined {
  let flags = "";
  let dotAll = false;
  let i = 0;
  const lead = /^\(\?([imsU]+)\)/.exec(pattern);
  if (lead) {
    const f = lead[1]!;
    if (f.includes("U")) return undefined;
    if (f.includes("i")) flags += "i";
    if (f.includes("m")) flags += "m";
    dotAll = f.includes("s");
    i = lead[0].length;
  }
  let out = "";
  let inClass = false;
  let classStart = false;
  const hex = (ch: string) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, "0")}`;
  while (i < pattern.length) {
    const c = pattern[i]!;
    const atClassStart = classStart;
    classStart = false;
    if (c === "\\") {
      const n = pattern[i + 1];
      if (n === undefined) return undefined;
      if (n === "A" || n === "z") {
        if (inClass || flags.includes("m")) return undefined;
        out += n === "A" ? "^" : "$";
      } else if (n === "p" || n === "P") {
        if (pattern[i + 2] === "{") {
          const end = pattern.indexOf("}", i + 3);
          if (end < 0) return undefined;
          out += pattern.slice(i, end + 1);
          i = end + 1;
          continue;
        }
        const name = pattern[i + 2];
        if (name === undefined || !/[A-Za-z]/.test(name)) return undefined;
        out += `\\${n}{${name}}`;
        i += 3;
        continue;
      } else if (n === "Q") {
        const end = pattern.indexOf("\\E", i + 2);
        const literal = pattern.slice(i + 2, end < 0 ? pattern.length : end);
        out += [...literal].map((ch) => (/[A-Za-z0-9]/.test(ch) || ch.charCodeAt(0) > 0x7f ? ch : hex(ch))).join("");
        i = end < 0 ? pattern.length : end + 2;
        continue;
      } else if (n === "s") {
        out += inClass ? "\\t\\n\\f\\r " : "[\\t\\n\\f\\r ]";
      } else if (n === "S" && !inClass) {
        out += "[^\\t\\n\\f\\r ]";
      } else if (/[!-\/:-@\[-`{-~]/.test(n) && !JS_SYNTAX.has(n) && !(inClass && n === "-")) {
        out += hex(n);
      } else {
        out += c + n;
      }
      i += 2;
      continue;
    }
    if (inClass) {
      if (c === "[" && pattern[i + 1] === ":") {
        const end = pattern.indexOf(":]", i + 2);
        const range = end < 0 ? undefined : POSIX_CLASSES[pattern.slice(i + 2, end)];
        if (range === undefined) return undefined;
        out += range;
        i = end + 2;
        continue;
      }
      if (c === "]" && atClassStart) out += "\\]";
      else if (c === "[") out += "\\[";
      else {
        if (c === "]") inClass = false;
        out += c;
      }
      i++;
      if (c === "^" && atClassStart) classStart = true;
      continue;
    }
    if (c === "[") {
      inClass = true;
      classStart = true;
      out += c;
    } else if (c === ".") {
      out += dotAll ? "[\\s\\S]" : "[^\\n]";
    } else if (c === "(" && pattern[i + 1] === "?") {
      if (pattern.startsWith("(?P<", i)) {
        out += "(?<";
        i += 4;
        continue;
      }
      if (pattern[i + 2] !== ":") return undefined;
      out += "(?:";
      i += 3;
      continue;
    } else if (c === "{") {
      const repeat = /^\{[0-9]+(,[0-9]*)?\}/.exec(pattern.slice(i));
      if (repeat && out !== "" && !/[(|]$/.test(out)) {
        out += repeat[0];
        i += repeat[0].length;
        continue;
      }
      out += "\\{";
    } else if (c === "}" || c === "]") {
      out += `\\${c}`;
    } else {
      out += c;
    }
    i++;
  }
  return { source: out, flags };
}

/**
 * A JS regular expression source for an OpenAPI pattern, read as kube-apiserver's RE2 reads it, or
 * undefined if it cannot be carried over (then the pattern is not checked).
 *
 * @example
 * jsPattern("^[[:alpha:]]+\\z"); // { source: "^[A-Za-z]+$", flags: "u" }
 */
export function jsPattern(pattern: string): { source: string; flags: string } | undefined {
  const translated = re2Source(pattern);
  if (!translated) return undefined;
  try {
    new RegExp(translated.source, `${translated.flags}u`);
    return { source: translated.source, flags: `${translated.flags}u` };
  } catch {
    return undefined;
  }
}

/** Formats the runtime checks with `format(…)`. */
export const FORMAT_CHECKED = new Set([
  "byte",
  "date-time",
  "datetime",
  "date",
  "uuid",
  "uuid3",
  "uuid4",
  "uuid5",
  "ipv4",
  "ipv6",
  "cidr",
  "mac",
  "hostname",
  "email",
  "uri",
  "duration",
  "bsonobjectid",
]);

/** Whether a node holds a reference to a deferred definition (one later in its cycle). */
export function containsDeferred(node: Node, deferred: (name: string) => boolean): boolean {
  switch (node.type) {
    case "ref":
      return deferred(node.name);
    case "array":
      return containsDeferred(node.items, deferred);
    case "object":
      return (
        Object.values(node.properties).some((p) => containsDeferred(p, deferred)) ||
        (node.additionalProperties !== undefined && containsDeferred(node.additionalProperties, deferred))
      );
    case "union":
      return node.options.some((o) => containsDeferred(o, deferred));
    default:
      return false;
  }
}

/** The runtime's shared instance for a plain leaf node, if there is one. */
export function leafName(node: Node): string | undefined {
  if (node.facts) return undefined;
  switch (node.type) {
    case "string":
      if (node.enum || node.pattern || node.minLength !== undefined || node.maxLength !== undefined) return undefined;
      if (node.format === "byte") return "Bytes";
      return node.format && FORMAT_CHECKED.has(node.format) ? undefined : "string";
    case "integer":
      if (node.enum || node.minimum !== undefined || node.maximum !== undefined || node.multipleOf !== undefined) return undefined;
      return node.format === "int32" ? "int32" : "int";
    case "number":
      if (node.enum || node.minimum !== undefined || node.maximum !== undefined || node.multipleOf !== undefined) return undefined;
      return "number";
    case "boolean":
      return "boolean";
    case "any":
      return "unknown";
    case "int-or-string":
      return "IntOrString";
    case "quantity":
      return "Quantity";
    case "time":
      return "Time";
    case "micro-time":
      return "MicroTime";
    default:
      return undefined;
  }
}

/** The metadata registered on a definition: its gvk, resource facts and definition-level facts. */
export function definitionMeta(def: Definition): Record<string, unknown> | undefined {
  const meta: Record<string, unknown> = {};
  if (def.node.facts) Object.assign(meta, def.node.facts);
  if (def.gvk) {
    const { group, version, kind } = def.gvk;
    Object.assign(meta, { group, version, apiVersion: apiVersionOf(group, version), kind });
  }
  if (def.resource) {
    const r = def.resource;
    Object.assign(meta, {
      plural: r.plural,
      singular: r.singular,
      namespaced: r.namespaced,
      verbs: r.verbs,
      subresources: r.subresources,
      patchTypes: r.patchTypes,
      ...(r.listKind ? { listKind: r.listKind } : {}),
      ...(r.shortNames ? { shortNames: r.shortNames } : {}),
      ...(r.categories ? { categories: r.categories } : {}),
      ...(r.nameFormat ? { nameFormat: r.nameFormat } : {}),
    });
  }
  return Object.keys(meta).length ? meta : undefined;
}

/** Refs a node makes to other definitions. */
export function refsOf(node: Node, out: Set<string> = new Set()): Set<string> {
  switch (node.type) {
    case "ref":
      out.add(node.name);
      break;
    case "array":
      refsOf(node.items, out);
      break;
    case "object":
      for (const p of Object.values(node.properties)) refsOf(p, out);
      if (node.additionalProperties) refsOf(node.additionalProperties, out);
      break;
    case "union":
      for (const o of node.options) refsOf(o, out);
      break;
    default:
      break;
  }
  return out;
}

/**
 * Order definitions so each comes after the ones it references directly; inside a cycle, object
 * definitions come first and their references to later members are deferred (getters).
 * Returns the order and, per definition, the names it must reference lazily.
 */
export function orderDefinitions(defs: Definition[]): { order: Definition[]; deferred: Map<string, Set<string>> } {
  const byName = new Map(defs.map((d) => [d.name, d]));
  const sorted = [...defs].sort((a, b) => (a.exportName < b.exportName ? -1 : a.exportName > b.exportName ? 1 : 0));
  // Tarjan's strongly connected components over local references.
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const sccs: string[][] = [];
  const localRefs = (name: string) =>
    [...refsOf(byName.get(name)!.node)].filter((r) => byName.has(r)).sort();
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of localRefs(v)) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, idx.get(w)!));
      }
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      sccs.push(scc);
    }
  };
  for (const d of sorted) if (!idx.has(d.name)) visit(d.name);
  // Tarjan emits components in reverse topological order of the condensation: dependencies first.
  const order: Definition[] = [];
  const deferred = new Map<string, Set<string>>();
  for (const scc of sccs) {
    const members = scc
      .map((n) => byName.get(n)!)
      .sort((a, b) => Number(b.node.type === "object") - Number(a.node.type === "object") || (a.exportName < b.exportName ? -1 : 1));
    const defined = new Set<string>();
    for (const m of members) {
      const later = localRefs(m.name).filter((r) => scc.includes(r) && !defined.has(r));
      if (later.length) deferred.set(m.name, new Set(later));
      order.push(m);
      defined.add(m.name);
    }
  }
  return { order, deferred };
}

