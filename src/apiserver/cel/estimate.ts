/**
 * The estimated cost of an expression before it runs, the way cel-go's checker estimates it for
 * Kubernetes (a step costs 1, comprehensions multiply their body by the largest size of what they
 * range over, string functions scale with the string's largest size): what CRD rules are held to
 * (`StaticEstimatedCostLimit` per rule, `StaticEstimatedCRDCostLimit` per CRD).
 */
import { compileCel } from "./compile.js";
import { MAX_REQUEST_SIZE_BYTES } from "./cost.js";
import { actualSize } from "./call-cost.js";
import type { EnvironmentSpec } from "./library.js";

/** The largest size of the value an expression path reaches (`self.spec.items`), if known. */
export type SizeBounds = (path: readonly string[]) => number | undefined;

/** An estimated cost range. */
export interface CostEstimate {
  min: number;
  max: number;
}

interface AstNode {
  op: string;
  args: unknown;
  meta?: { macro?: Record<string, unknown>; alternate?: AstNode };
}

const UNBOUNDED = MAX_REQUEST_SIZE_BYTES;

/** The path of a selection chain rooted at a variable (`self.spec.x` → ["self", "spec", "x"]). */
function selectPath(n: AstNode): string[] | undefined {
  if (n.op === "id" && typeof n.args === "string") return [n.args];
  if ((n.op === "." || n.op === ".?") && Array.isArray(n.args)) {
    const base = selectPath(n.args[0] as AstNode);
    return base && typeof n.args[1] === "string" ? [...base, n.args[1]] : undefined;
  }
  if ((n.op === "[]" || n.op === "[?]") && Array.isArray(n.args)) {
    const base = selectPath(n.args[0] as AstNode);
    return base ? [...base, "*"] : undefined;
  }
  return undefined;
}

const STRING_TRAVERSAL = new Set(["contains", "startsWith", "endsWith", "indexOf", "lastIndexOf", "lowerAscii", "upperAscii", "trim", "replace", "split", "substring", "charAt", "format", "find", "findAll", "re2Matches", "url", "isURL", "ip", "isIP", "cidr", "isCIDR", "quantity", "isQuantity", "semver", "isSemver"]);
const LIST_TRAVERSAL = new Set(["isSorted", "sum", "min", "max", "indexOf", "lastIndexOf", "join", "slice", "flatten", "reverse", "sort", "distinct"]);

/**
 * Estimate an expression's cost in an environment, with the size bounds of what it refers to.
 *
 * @example
 * estimateCost("self.all(x, x.size() < 10)", { level: 36, variables: { self: "dyn" } }, () => 5).max; // small
 */
export function estimateCost(source: string, spec: EnvironmentSpec, sizes: SizeBounds = () => undefined): CostEstimate {
  const compiled = compileCel(source, spec);
  if (!compiled.program) return { min: 0, max: 0 };
  const bound = (n: AstNode): number => {
    // Literals have their own sizes (cel-go's checker sizes list, map and string constants).
    if ((n.op === "list" || n.op === "map") && Array.isArray(n.args)) return n.args.length;
    // A string's size is its code points (cel-go's `types.String.Size`), not UTF-16 units.
    if (n.op === "value" && typeof n.args === "string") return actualSize(n.args);
    const p = selectPath(n);
    return (p ? sizes(p) : undefined) ?? UNBOUNDED;
  };
  const seen = new Set<unknown>();
  const cost = (node: unknown): CostEstimate => {
    if (!node || typeof node !== "object" || seen.has(node)) return { min: 0, max: 0 };
    if (Array.isArray(node)) return node.reduce<CostEstimate>((acc, n) => add(acc, cost(n)), { min: 0, max: 0 });
    const n = node as AstNode;
    if (typeof n.op !== "string") {
      return Object.values(node).reduce<CostEstimate>((acc, v) => add(acc, cost(v)), { min: 0, max: 0 });
    }
    seen.add(node);
    if (n.op === "value") return { min: 0, max: 0 };
    // cel-go's costs of creating aggregates (common.ListCreateBaseCost, MapCreateBaseCost).
    if (n.op === "list" || n.op === "map") return add({ min: n.op === "list" ? 10 : 30, max: n.op === "list" ? 10 : 30 }, cost(n.args));
    if (n.meta?.alternate) return cost(n.meta.alternate);
    const macro = n.meta?.macro;
    if (n.op === "comprehension") {
      const a = n.args as { iterable: AstNode; init: AstNode; step: AstNode; condition?: unknown };
      const range = cost(a.iterable);
      const size = bound(a.iterable);
      const body = cost(a.step);
      return { min: range.min + 1, max: range.max + 1 + cost(a.init).max + size * (body.max + 1) };
    }
    if (macro && typeof macro === "object") {
      return add({ min: 1, max: 1 }, cost(Object.values(macro)));
    }
    if ((n.op === "rcall" || n.op === "call") && Array.isArray(n.args)) {
      const name = n.args[0];
      const receiver = n.op === "rcall" ? (n.args[1] as AstNode) : undefined;
      const params = (n.op === "rcall" ? n.args[2] : n.args[1]) as AstNode[] | undefined;
      let c = add({ min: 1, max: 1 }, add(cost(receiver), cost(params ?? [])));
      const target = receiver ?? params?.[0];
      if (typeof name === "string" && target) {
        if (STRING_TRAVERSAL.has(name)) {
          const extra = Math.ceil(bound(target) * 0.1);
          c = { min: c.min, max: c.max + (name === "re2Matches" || name === "find" || name === "findAll" ? extra * Math.max(1, Math.ceil(bound(params?.[params.length - 1] ?? target) * 0.25)) : extra) };
        } else if (LIST_TRAVERSAL.has(name)) c = { min: c.min, max: c.max + bound(target) };
        else if (name === "check") c = { min: c.min + 350_000, max: c.max + 350_000 };
      }
      return c;
    }
    return add({ min: 1, max: 1 }, cost(n.args));
  };
  const est = cost(compiled.program.ast);
  return { min: est.min, max: Math.min(est.max, Number.MAX_SAFE_INTEGER) };
}

function add(a: CostEstimate, b: CostEstimate): CostEstimate {
  return { min: a.min + b.min, max: a.max + b.max };
}
