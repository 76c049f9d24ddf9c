/**
 * What the schema emitter and the run-time schema builder share: the order definitions are built
 * in (references first, cycles deferred), the facts registered on each definition, and which
 * OpenAPI formats the runtime checks.
 */
import { apiVersionOf, type Definition, type Node } from "./ir.js";

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

