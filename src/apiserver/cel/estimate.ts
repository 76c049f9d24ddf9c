/**
 * The estimated cost of an expression before it runs, as cel-go's checker estimates it
 * (`checker/cost.go`) with the Kubernetes estimator (`k8s.io/apiserver/pkg/cel/library/cost.go`)
 * and the extension libraries' own estimators (sets, lists at version 3): identifiers and
 * selections on maps and objects cost 1, presence tests nothing, aggregate literals their creation
 * costs, comprehensions the size of their range times their step and condition, string functions
 * scale with the sizes of their strings, sizes flow from literals, from the sizes functions
 * produce and from the bounds the caller knows (`maxLength`, `maxItems`). What CRD rules and DRA
 * selectors are held to (`StaticEstimatedCostLimit`, `StaticEstimatedCRDCostLimit`).
 */
import { compileCel } from "./compile.js";
import type { EnvironmentSpec } from "./library.js";

/**
 * The size bounds of the value at a path (`["self", "spec", "items"]`; `@items`, `@keys` and
 * `@values` step into lists and maps), as a maximum or a range; undefined when unknown.
 */
export type SizeBounds = (path: readonly string[]) => number | CostEstimate | undefined;

/** An estimated cost (or size) range. */
export interface CostEstimate {
  min: number;
  max: number;
}

/** Further inputs of an estimate. */
export interface EstimateOptions {
  /** Sizes by type where no path bound is known (`string` → 0..12 in cel-go's tests). */
  sizeOfType?: (type: string) => CostEstimate | undefined;
  /**
   * The type of the value at a path, where the environment declares it `dyn` (a CRD rule's
   * `self` typed by its schema): `{ kind: "list", valueType: … }`, `{ kind: "map", … }`,
   * `{ kind: "message", name: "object" }`, `{ kind: "primitive", name: "string" }`.
   */
  typeAt?: (path: readonly string[]) => EstimateType | undefined;
}

/** A type as {@link EstimateOptions.typeAt} describes it. */
export interface EstimateType {
  kind: string;
  name?: string;
  keyType?: EstimateType;
  valueType?: EstimateType;
}

interface CheckedType {
  kind?: string;
  name?: string;
  keyType?: CheckedType | undefined;
  valueType?: CheckedType | undefined;
}

interface AstNode {
  op: string;
  args: unknown;
  checkedType?: CheckedType;
}

/** A range of unsigned 64-bit values with cel-go's saturating arithmetic. */
interface Range {
  min: bigint;
  max: bigint;
}

const MAX = (1n << 64n) - 1n;
const sat = (x: bigint): bigint => (x > MAX ? MAX : x);
const r = (min: number | bigint, max: number | bigint = min): Range => ({ min: BigInt(min), max: BigInt(max) });
const ZERO = r(0);
const ONE = r(1);
const UNKNOWN: Range = { min: 0n, max: MAX };
const add = (a: Range, b: Range): Range => ({ min: sat(a.min + b.min), max: sat(a.max + b.max) });
const mul = (a: Range, b: Range): Range => ({ min: sat(a.min * b.min), max: sat(a.max * b.max) });
const union = (a: Range, b: Range): Range => ({ min: a.min < b.min ? a.min : b.min, max: a.max > b.max ? a.max : b.max });
const scale = (x: bigint, f: number): bigint => {
  const z = Number(x) * f;
  return z >= 18446744073709551615 ? MAX : BigInt(Math.ceil(z));
};
/** `SizeEstimate.MultiplyByCostFactor`. */
const factor = (a: Range, f: number): Range => ({ min: scale(a.min, f), max: scale(a.max, f) });

/** `common.StringTraversalCostFactor`, `RegexStringLengthCostFactor`, the list and map creation costs. */
const STRING_TRAVERSAL = 0.1;
const REGEX_LENGTH = 0.25;
const LIST_CREATE = 10;
const MAP_CREATE = 30;
/** `cel.MaxNameFormatRegexSize`, `cel.MaxFormatSize` of the format library. */
const MAX_NAME_FORMAT_REGEX_SIZE = 128;
const MAX_FORMAT_SIZE = 64;

const SCALARS = new Set(["bool", "double", "int", "uint", "google.protobuf.Duration", "google.protobuf.Timestamp"]);
/** Kubernetes types whose equality costs 1 (`EstimateCallCost` `_==_`). */
const UNIT_EQUALITY = new Set([
  "net.IP",
  "net.CIDR",
  "kubernetes.Quantity",
  "kubernetes.Semver",
  "kubernetes.authorization.Authorizer",
  "kubernetes.authorization.PathCheck",
  "kubernetes.authorization.GroupCheck",
  "kubernetes.authorization.ResourceCheck",
  "kubernetes.authorization.Decision",
]);
const UNIT_FUNCTIONS = new Set([
  "serviceAccount", "path", "group", "resource", "subresource", "namespace", "name", "allowed", "reason", "error", "errored",
  "masked", "prefixLength", "family", "isUnspecified", "isLoopback", "isLinkLocalMulticast", "isLinkLocalUnicast", "isGlobalUnicast",
  "format.named", "sign", "asInteger", "isInteger", "asApproximateFloat", "isGreaterThan", "isLessThan", "compareTo", "add", "sub", "major", "minor", "patch",
  "getScheme", "getHostname", "getHost", "getPort", "getEscapedPath", "getQuery",
]);

const typeName = (t: CheckedType | undefined): string => t?.name ?? "dyn";
const isScalar = (t: CheckedType | undefined): boolean => SCALARS.has(typeName(t));
const isList = (t: CheckedType | undefined): boolean => t?.kind === "list";
const isMap = (t: CheckedType | undefined): boolean => t?.kind === "map";
const isStringLike = (t: CheckedType | undefined): boolean => typeName(t) === "string" || typeName(t) === "bytes";

/** Code points, as cel-go sizes strings. */
function runes(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

const MACROS_ONE_VAR = new Set(["all", "exists", "exists_one", "existsOne", "map", "filter", "transformList", "transformMap", "transformMapEntry", "sortBy", "optMap", "optFlatMap"]);

/**
 * Estimate an expression's cost in an environment, with the size bounds of what it refers to.
 *
 * @example
 * estimateCost("self.all(x, x.size() < 10)", { level: 36, variables: { self: "dyn" } }, () => 5).max; // small
 */
export function estimateCost(source: string, spec: EnvironmentSpec, sizes: SizeBounds = () => undefined, options: EstimateOptions = {}): CostEstimate {
  const compiled = compileCel(source, spec);
  if (!compiled.program) return { min: 0, max: 0 };
  const out = new Estimator(spec.level, sizes, options).cost(compiled.program.ast as unknown as AstNode);
  const num = (x: bigint): number => (x >= BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(x));
  return { min: num(out.min), max: num(out.max) };
}

/** A node the library estimators size (an AST node, or a list's element type). */
interface Sized {
  node?: AstNode;
  type?: CheckedType;
  path?: readonly string[];
}

class Estimator {
  /** Sizes the calls and comprehensions produced (`computedSizes`). */
  private readonly derived = new Map<AstNode, Range>();
  /** Field paths of nodes (`exprPaths`). */
  private readonly paths = new Map<AstNode, readonly string[]>();
  /** Types of comprehension variables the checker left `dyn`. */
  private readonly localTypes = new Map<AstNode, CheckedType>();
  /** Comprehension variables in scope, with the path and type of what they stand for. */
  private readonly scopes: Array<Map<string, { path?: readonly string[]; type?: CheckedType; size?: Range }>> = [];

  constructor(
    private readonly level: number,
    private readonly bounds: SizeBounds,
    private readonly options: EstimateOptions,
  ) {}

  /** A node's type: the checker's, or where that is `dyn`, the caller's for its path. */
  private typeOf(n: AstNode | undefined): CheckedType | undefined {
    const t = n?.checkedType;
    const local = n ? this.localTypes.get(n) : undefined;
    if (local) return local;
    if (n && (!t || t.kind === "dyn") && this.options.typeAt) {
      const p = this.paths.get(n);
      const at = p ? this.options.typeAt(p) : undefined;
      if (at) return at;
    }
    return t;
  }

  /** `ComputedSize`: literals, aggregate literals and what calls produced. */
  private computed(n: AstNode | undefined): Range | undefined {
    if (!n) return undefined;
    const d = this.derived.get(n);
    if (d) return d;
    if (n.op === "value") {
      const v = n.args;
      if (typeof v === "string") return r(runes(v));
      if (v instanceof Uint8Array) return r(v.length);
      if (v === null || typeof v === "boolean" || typeof v === "number" || typeof v === "bigint") return ONE;
      return undefined;
    }
    if ((n.op === "list" || n.op === "map") && Array.isArray(n.args)) return r(n.args.length);
    if (n.op === "-_" && (n.args as AstNode | undefined)?.op === "value") return ONE;
    if (n.op === "id" && typeof n.args === "string") {
      const v = this.lookup(n.args);
      if (v?.size) return v.size;
    }
    return undefined;
  }

  /** The caller's bounds for a path, then by type (`EstimateSize`). */
  private estimated(s: Sized): Range | undefined {
    const path = s.path ?? (s.node ? this.paths.get(s.node) : undefined);
    if (path) {
      const b = this.bounds(path);
      if (typeof b === "number") return r(0, Math.max(0, Math.floor(b)));
      if (b) return r(b.min, b.max);
    }
    const t = s.type ?? this.typeOf(s.node);
    const byType = t ? this.options.sizeOfType?.(typeName(t)) : undefined;
    return byType ? r(byType.min, byType.max) : undefined;
  }

  /** cel-go's `sizeEstimate` (scalars are 1). */
  private size(n: AstNode | undefined): Range {
    if (!n) return UNKNOWN;
    return this.computed(n) ?? this.estimated({ node: n }) ?? (isScalar(this.typeOf(n)) ? ONE : UNKNOWN);
  }

  /** The Kubernetes estimator's `sizeEstimate` (no scalar rule). */
  private libSize(s: Sized | undefined): Range {
    if (!s) return UNKNOWN;
    return (s.node ? this.computed(s.node) : undefined) ?? this.estimated(s) ?? UNKNOWN;
  }

  /** `listElementNode`: the element of a list, with its path when the list has one. */
  private element(n: AstNode): Sized | undefined {
    const t = this.typeOf(n);
    if (!isList(t)) return undefined;
    const p = this.paths.get(n);
    return { type: t?.valueType ?? { kind: "dyn", name: "dyn" }, ...(p ? { path: [...p, "@items"] } : {}) };
  }

  private lookup(name: string): { path?: readonly string[]; type?: CheckedType; size?: Range } | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const v = this.scopes[i]!.get(name);
      if (v) return v;
    }
    return undefined;
  }

  cost(n: AstNode): Range {
    switch (n.op) {
      case "value":
        return ZERO;
      case "id": {
        const name = String(n.args);
        const local = this.lookup(name);
        if (local) {
          if (local.path) this.paths.set(n, local.path);
          if (local.type && (!n.checkedType || n.checkedType.kind === "dyn")) this.localTypes.set(n, local.type);
        } else this.paths.set(n, [name]);
        return ONE;
      }
      case ".": {
        const [operand, field] = n.args as [AstNode, string];
        let c = this.cost(operand);
        const ot = this.typeOf(operand);
        const k = ot?.kind;
        if (k === "map" || k === "param" || (k === "message" && !isScalar(ot))) c = add(c, ONE);
        const p = this.paths.get(operand);
        if (p) this.paths.set(n, [...p, field]);
        return c;
      }
      case ".?": {
        const [operand] = n.args as [AstNode, string];
        return add(ONE, this.cost(operand));
      }
      case "[]":
      case "[?]": {
        const [operand, key] = n.args as [AstNode, AstNode];
        const c = add(ONE, add(this.cost(operand), this.cost(key)));
        const p = this.paths.get(operand);
        if (p && n.op === "[]") {
          const ot = this.typeOf(operand);
          if (isList(ot)) this.paths.set(n, [...p, "@items"]);
          else if (isMap(ot)) this.paths.set(n, [...p, "@values"]);
        }
        return c;
      }
      case "!_":
      case "-_": {
        const operand = n.args as AstNode;
        // A negative number is one literal to cel-go's parser.
        if (n.op === "-_" && operand.op === "value" && (typeof operand.args === "bigint" || typeof operand.args === "number")) return ZERO;
        return add(ONE, this.cost(operand));
      }
      case "&&":
      case "||": {
        const [a, b] = n.args as [AstNode, AstNode];
        const lhs = this.cost(a);
        const rhs = this.cost(b);
        return { min: lhs.min, max: sat(lhs.max + rhs.max) };
      }
      case "?:": {
        const [c, t, f] = n.args as [AstNode, AstNode, AstNode];
        const cond = this.cost(c);
        const out = add(cond, union(this.cost(t), this.cost(f)));
        this.derived.set(n, union(this.size(t), this.size(f)));
        return out;
      }
      case "list": {
        const items = (n.args as AstNode[]).map((x) => this.cost(x));
        return items.reduce(add, r(LIST_CREATE));
      }
      case "map": {
        let c = r(MAP_CREATE);
        for (const [k, v] of n.args as Array<[AstNode, AstNode]>) c = add(c, add(this.cost(k), this.cost(v)));
        return c;
      }
      case "==":
      case "!=":
      case "<":
      case "<=":
      case ">":
      case ">=":
        return this.comparison(n);
      case "+": {
        const [a, b] = n.args as [AstNode, AstNode];
        const args = add(this.cost(a), this.cost(b));
        const t = n.checkedType?.kind === "dyn" ? this.typeOf(a) : n.checkedType;
        if (isStringLike(t) || isList(t)) {
          const size = add(this.size(a), this.size(b));
          this.derived.set(n, size);
          return isList(t) ? add(ONE, args) : add(factor(size, STRING_TRAVERSAL), args);
        }
        return add(ONE, args);
      }
      case "in": {
        const [a, b] = n.args as [AstNode, AstNode];
        const args = add(this.cost(a), this.cost(b));
        return isList(this.typeOf(b)) ? add(this.size(b), args) : add(ONE, args);
      }
      case "call":
      case "rcall":
        return this.call(n);
      default: {
        // Other operators (`-`, `*`, `/`, `%`) are O(1) calls.
        const args = Array.isArray(n.args) ? (n.args as unknown[]).filter((x): x is AstNode => !!x && typeof x === "object" && "op" in x) : [];
        return args.reduce((acc, x) => add(acc, this.cost(x)), ONE);
      }
    }
  }

  /** Equality and ordering: O(1) for scalars, the smaller operand's size for strings, bytes and aggregates. */
  private comparison(n: AstNode): Range {
    const [a, b] = n.args as [AstNode, AstNode];
    const args = add(this.cost(a), this.cost(b));
    if (n.op === "==") {
      const lib = this.equality(a, b);
      if (lib) return add(lib, args);
    }
    const ordering = n.op !== "==" && n.op !== "!=";
    if (ordering && !(isStringLike(this.typeOf(a)) && isStringLike(this.typeOf(b)))) return add(ONE, args);
    const lhs = this.size(a);
    const rhs = this.size(b);
    const smallest = lhs.max < rhs.max ? lhs.max : rhs.max;
    return add(factor({ min: smallest > 0n ? 1n : 0n, max: smallest }, STRING_TRAVERSAL), args);
  }

  /** The Kubernetes estimator's `_==_` for its own types (undefined for others). */
  private equality(a: AstNode, b: AstNode): Range | undefined {
    const t = typeName(a.checkedType);
    if (t !== typeName(b.checkedType)) return undefined;
    if (UNIT_EQUALITY.has(t)) return ONE;
    if (t === "kubernetes.NamedFormat") return factor(r(1, MAX_FORMAT_SIZE), STRING_TRAVERSAL);
    if (t === "net.URL") {
      // As kube-apiserver computes it: both sizes are the right operand's.
      const rhs = this.computed(b);
      const size = rhs ? union(rhs, rhs) : ONE;
      return factor({ min: 1n, max: size.max }, STRING_TRAVERSAL);
    }
    return undefined;
  }

  private withScope<T>(vars: Map<string, { path?: readonly string[]; type?: CheckedType; size?: Range }>, f: () => T): T {
    this.scopes.push(vars);
    try {
      return f();
    } finally {
      this.scopes.pop();
    }
  }

  /** The iteration variables of a comprehension over `range`, with their paths and types. */
  private iterVars(range: AstNode, names: readonly string[]): Map<string, { path?: readonly string[]; type?: CheckedType }> {
    const p = this.paths.get(range);
    const t = this.typeOf(range);
    const vars = new Map<string, { path?: readonly string[]; type?: CheckedType }>();
    const list = isList(t);
    const at = (suffix: string) => (p ? { path: [...p, suffix] } : {});
    if (names.length === 1) vars.set(names[0]!, list ? { ...at("@items"), ...(t?.valueType ? { type: t.valueType } : {}) } : { ...at("@keys"), ...(t?.keyType ? { type: t.keyType } : {}) });
    else if (names.length === 2) {
      vars.set(names[0]!, list ? { type: { kind: "primitive", name: "int" } } : { ...at("@keys"), ...(t?.keyType ? { type: t.keyType } : {}) });
      vars.set(names[1]!, list ? { ...at("@items"), ...(t?.valueType ? { type: t.valueType } : {}) } : { ...at("@values"), ...(t?.valueType ? { type: t.valueType } : {}) });
    }
    return vars;
  }

  /**
   * A comprehension as cel-go expands the macro: range + init + result + |range| × (condition + step).
   * `step` gets the cost of the body (and filter) and returns the step's cost.
   */
  private comprehension(n: AstNode, range: AstNode, names: readonly string[], init: Range, condition: Range, result: Range, step: () => Range): Range {
    const rangeCost = this.cost(range);
    const stepCost = this.withScope(this.iterVars(range, names), step);
    const count = this.size(range);
    this.derived.set(n, count);
    return add(add(add(rangeCost, init), result), mul(count, add(stepCost, condition)));
  }

  private call(n: AstNode): Range {
    const a = n.args as unknown[];
    const name = String(a[0]);
    let target = n.op === "rcall" ? (a[1] as AstNode) : undefined;
    const args = ((n.op === "rcall" ? a[2] : a[1]) as AstNode[] | undefined) ?? [];
    // Namespaced functions (`sets.contains`, `lists.range`, `strings.quote`) are global functions in cel-go.
    let fn = name;
    if (target?.op === "id" && target.args === "cel" && name === "bind" && target.checkedType === undefined) return this.bind(args);
    if (target?.op === "id" && typeName(target.checkedType).endsWith("Namespace")) {
      const ns = String(target.args);
      fn = `${ns}.${name}`;
      target = undefined;
    }
    if (n.op === "call" && name === "has") {
      // `PresenceTestHasCost(false)`: the test itself costs nothing, nor does a variable it tests a
      // field of (apiextensions' TestCostEstimation: `has(self.x)` is estimated 0).
      const sel = args[0];
      if (!sel || sel.op !== ".") return ZERO;
      const operand = (sel.args as [AstNode])[0];
      const c = this.cost(operand);
      return operand.op === "id" ? ZERO : c;
    }
    if (target && MACROS_ONE_VAR.has(name) && args.length >= 2 && args[0]?.op === "id" && args[0].checkedType === undefined) {
      const m = this.macro(n, name, target, args);
      if (m) return m;
    }
    const argCosts = args.map((x) => this.cost(x));
    const argSum = argCosts.reduce(add, ZERO);
    const targetCost = target ? this.cost(target) : ZERO;
    const est = this.functionCost(n, fn === "re2Matches" ? "matches" : fn, target, args, argCosts);
    if (est.size) this.derived.set(n, est.size);
    return add(targetCost, add(est.cost, est.addArgs === false ? ZERO : argSum));
  }

  /** `cel.bind(v, init, body)`: an empty range (a list creation), the init and the body. */
  private bind(args: AstNode[]): Range {
    const [v, init, body] = args;
    if (!v || !init || !body) return ZERO;
    const initCost = this.cost(init);
    const p = this.paths.get(init);
    const local = new Map([[String(v.args), { ...(p ? { path: p } : {}), ...(init.checkedType ? { type: init.checkedType } : {}), ...(this.computed(init) ? { size: this.computed(init)! } : {}) }]]);
    return add(add(r(LIST_CREATE), initCost), this.withScope(local, () => this.cost(body)));
  }

  private macro(n: AstNode, name: string, target: AstNode, args: AstNode[]): Range | undefined {
    const vars = args.slice(0, -1).filter((x) => x.op === "id" && x.checkedType === undefined).map((x) => String(x.args));
    const rest = args.slice(vars.length);
    const body = rest[rest.length - 1]!;
    const filter = rest.length === 2 ? rest[0] : undefined;
    const accu = ONE;
    switch (name) {
      case "all":
        // init true; condition @not_strictly_false(__result__); step __result__ && p.
        return this.comprehension(n, target, vars, ZERO, r(2), accu, () => {
          const p = this.cost(body);
          return { min: 1n, max: sat(1n + p.max) };
        });
      case "exists":
        // init false; condition @not_strictly_false(!__result__); step __result__ || p.
        return this.comprehension(n, target, vars, ZERO, r(3), accu, () => {
          const p = this.cost(body);
          return { min: 1n, max: sat(1n + p.max) };
        });
      case "exists_one":
      case "existsOne":
        // init 0; condition true; step p ? __result__ + 1 : __result__; result __result__ == 1.
        return this.comprehension(n, target, vars, ZERO, ZERO, r(2), () => add(this.cost(body), union(r(2), ONE)));
      case "map":
      case "filter":
      case "transformList": {
        // init []; condition true; step __result__ + [t] (filtered: f ? __result__ + [t] : __result__).
        const isFilter = name === "filter";
        const f = isFilter ? body : filter;
        const t = isFilter ? undefined : body;
        return this.comprehension(n, target, vars, r(LIST_CREATE), ZERO, accu, () => {
          const append = add(r(2 + LIST_CREATE), t ? this.cost(t) : ONE);
          return f ? add(this.cost(f), union(append, ONE)) : append;
        });
      }
      case "transformMap":
      case "transformMapEntry":
        // init {}; condition true; step cel.@mapInsert(__result__, k, t) or (__result__, entry).
        return this.comprehension(n, target, vars, r(MAP_CREATE), ZERO, accu, () => {
          const insert = add(r(name === "transformMap" ? 3 : 2), this.cost(body));
          return filter ? add(this.cost(filter), union(insert, ONE)) : insert;
        });
      case "optMap":
      case "optFlatMap": {
        // target.hasValue() ? [optional.of](cel.bind(x, target.value(), t)) : optional.none()
        const t = this.cost(target);
        const local = new Map([[vars[0]!, {}]]);
        const bound = add(add(r(LIST_CREATE), add(ONE, t)), this.withScope(local, () => this.cost(body)));
        const some = name === "optMap" ? add(ONE, bound) : bound;
        return add(add(ONE, t), union(some, ONE));
      }
      case "sortBy": {
        if (this.level < 34) return undefined;
        // cel.bind(@in, target, @in.@sortByAssociatedKeys(@in.map(x, key))).
        const targetCost = this.cost(target);
        const inputSize = this.size(target);
        const p = this.paths.get(target);
        const input = new Map([["@__sortBy_input__", { ...(p ? { path: p } : {}), ...(target.checkedType ? { type: target.checkedType } : {}), size: inputSize }]]);
        const keys = this.withScope(input, () => {
          const step = this.withScope(new Map([[vars[0]!, { ...(p ? { path: [...p, "@items"] } : {}) }]]), () => add(r(2 + LIST_CREATE), this.cost(body)));
          return add(add(add(ONE, r(LIST_CREATE)), ONE), mul(inputSize, step));
        });
        const keyType = body.checkedType;
        const sort = this.sortCost(inputSize, keyType);
        return add(add(r(LIST_CREATE), targetCost), add(add(ONE, keys), sort));
      }
      default:
        return undefined;
    }
  }

  /** lists v3 sort: n·log2(n) comparisons at the element type's factor, a call and a list. */
  private sortCost(size: Range, elem: CheckedType | undefined): Range {
    const f = elementFactor(elem);
    const nlogn = (x: bigint): bigint => (x <= 1n ? 0n : scale(x, Math.log2(Number(x)) * f));
    return add(add({ min: nlogn(size.min), max: nlogn(size.max) }, ONE), r(LIST_CREATE));
  }

  private functionCost(n: AstNode, fn: string, target: AstNode | undefined, args: AstNode[], argCosts: Range[]): { cost: Range; size?: Range; addArgs?: boolean } {
    const lib = this.libraryCost(n, fn, target, args, argCosts);
    if (lib) return lib;
    switch (fn) {
      case "dyn":
        // A conversion to dyn keeps its argument's size.
        if (!target && args.length === 1) return { cost: ONE, size: this.size(args[0]) };
        break;
      case "format":
        if (target) return { cost: factor(this.size(target), STRING_TRAVERSAL) };
        break;
      case "bytes":
        if (!target && args.length === 1 && typeName(args[0]!.checkedType) === "string") {
          const sz = this.size(args[0]);
          return { cost: factor(sz, STRING_TRAVERSAL), size: { min: sz.min, max: sat(sz.max * 4n) } };
        }
        break;
      case "string":
        if (!target && args.length === 1 && typeName(args[0]!.checkedType) === "bytes") {
          const sz = this.size(args[0]);
          return { cost: factor(sz, STRING_TRAVERSAL), size: { min: sz.min / 4n, max: sz.max } };
        }
        break;
      case "strings.quote":
        if (args.length === 1) {
          const sz = this.size(args[0]);
          return { cost: factor(sz, STRING_TRAVERSAL), size: { min: sat(sz.min + 2n), max: sat(sz.max * 2n + 2n) } };
        }
        break;
      case "startsWith":
      case "endsWith":
        if (target && args.length === 1) return { cost: factor(this.size(args[0]), STRING_TRAVERSAL) };
        break;
      case "matches":
        if (target && args.length === 1) {
          const str = factor(add(this.size(target), ONE), STRING_TRAVERSAL);
          return { cost: mul(str, factor(this.size(args[0]), REGEX_LENGTH)) };
        }
        break;
      case "contains":
        if (target && args.length === 1 && typeName(this.typeOf(target)) === "string") {
          return { cost: mul(factor(this.size(target), STRING_TRAVERSAL), factor(this.size(args[0]), STRING_TRAVERSAL)) };
        }
        break;
    }
    return { cost: ONE };
  }

  /** The extension libraries' overload estimators and the Kubernetes estimator (`EstimateCallCost`). */
  private libraryCost(n: AstNode, fn: string, target: AstNode | undefined, args: AstNode[], _argCosts: Range[]): { cost: Range; size?: Range } | undefined {
    const lib = (s: AstNode | undefined) => this.libSize(s ? { node: s } : undefined);
    const str = (s: AstNode | undefined) => factor(lib(s), STRING_TRAVERSAL);
    // sets (`estimateSetsCost`): |a| × |b| × factor, plus the call.
    if (fn === "sets.contains" || fn === "sets.intersects" || fn === "sets.equivalent") {
      if (args.length !== 2) return undefined;
      const f = fn === "sets.equivalent" ? 2 : 1;
      return { cost: add(factor(mul(this.size(args[0]), this.size(args[1])), f), ONE) };
    }
    // lists at version 3 (Kubernetes 1.34): allocating calls cost |result| × factor + 1 + a list.
    if (this.level >= 34) {
      const listCall = (f: number, size: Range) => ({ cost: add(add(factor(size, f), ONE), r(LIST_CREATE)), size });
      const uint = (x: AstNode | undefined, dflt: bigint): bigint => (x?.op === "value" && typeof x.args === "bigint" && x.args >= 0n ? x.args : dflt);
      if (fn === "slice" && target && args.length === 2) {
        const sz = this.size(target);
        const start = uint(args[0], 0n);
        const end = uint(args[1], sz.max);
        return listCall(1, r(end > start ? end - start : 0n));
      }
      if (fn === "lists.range" && args.length === 1) return listCall(1, r(uint(args[0], MAX)));
      if (fn === "reverse" && target && args.length === 0) return listCall(1, this.size(target));
      if (fn === "flatten" && target && args.length <= 1) return listCall(args.length ? Number(uint(args[0], MAX)) : 1, this.size(target));
      if (fn === "distinct" && target && args.length === 0) {
        const sz = this.size(target);
        return { cost: add(add(factor(mul(sz, sz), elementFactor(target.checkedType?.valueType)), ONE), r(LIST_CREATE)), size: sz };
      }
      if (fn === "sort" && target && args.length === 0) {
        const sz = this.size(target);
        return { cost: this.sortCost(sz, target.checkedType?.valueType), size: sz };
      }
    }
    switch (fn) {
      case "check":
        return { cost: r(350_000) };
      case "fieldSelector":
      case "labelSelector":
        if (args.length === 1) {
          const sz = lib(args[0]);
          const f = (x: bigint) => sat(10n + ((x + 1n) / 2n) * 50n + scale(x, STRING_TRAVERSAL));
          return { cost: { min: f(sz.min), max: f(sz.max) } };
        }
        break;
      case "isSorted":
      case "sum":
      case "max":
      case "min":
      case "indexOf":
      case "lastIndexOf":
        if (target) {
          const el = this.element(target);
          if (el) {
            let elCost = ONE;
            if (isStringLike(el.type)) elCost = add(elCost, factor(this.libSize(el), STRING_TRAVERSAL));
            return { cost: mul(lib(target), elCost) };
          }
          return { cost: str(target) };
        }
        break;
      case "url":
      case "jsonpatch.escapeKey":
        if (args.length === 1) {
          const sz = lib(args[0]);
          return { cost: factor(sz, STRING_TRAVERSAL), size: sz };
        }
        break;
      case "lowerAscii":
      case "upperAscii":
      case "substring":
      case "trim":
        if (target) {
          const sz = lib(target);
          return { cost: factor(sz, STRING_TRAVERSAL), size: sz };
        }
        break;
      case "replace":
        if (target && args.length >= 2) {
          const sz = lib(target);
          return { cost: factor(sz, 2 * STRING_TRAVERSAL), size: replaceSize(sz, lib(args[0]), lib(args[1])) };
        }
        break;
      case "split":
        if (target) {
          const sz = lib(target);
          let max = sz.max;
          const limit = args[1];
          if (limit?.op === "value" && typeof limit.args === "bigint") max = BigInt.asUintN(64, limit.args);
          return { cost: factor(sz, 2 * STRING_TRAVERSAL), size: { min: 0n, max } };
        }
        break;
      case "join":
        if (target) {
          let sz = ZERO;
          const listSize = lib(target);
          const el = this.element(target);
          if (el) sz = mul(listSize, this.libSize(el));
          if (args.length > 0) {
            const sep = lib(args[0]);
            sz = add(sz, mul(sep, { min: listSize.min > 0n ? listSize.min - 1n : 0n, max: listSize.max > 0n ? listSize.max - 1n : 0n }));
          }
          return { cost: factor(sz, STRING_TRAVERSAL), size: sz };
        }
        break;
      case "find":
      case "findAll":
        if (target && args.length >= 1) {
          const sz = lib(target);
          const strCost = factor(add(sz, ONE), STRING_TRAVERSAL);
          return { cost: mul(strCost, factor(lib(args[0]), REGEX_LENGTH)), size: { min: 0n, max: sz.max } };
        }
        break;
      case "cidr":
      case "isIP":
      case "isCIDR":
      case "quantity":
      case "isQuantity":
      case "semver":
      case "isSemver":
        // Global functions: kube-apiserver's `target` is never nil, the size is the argument's.
        if (args.length >= 1) return { cost: str(args[0]) };
        break;
      case "ip":
        if (args.length >= 1 && !target) return { cost: str(args[0]) };
        return { cost: ONE };
      case "ip.isCanonical":
        if (args.length >= 1) return { cost: factor(lib(args[0]), 2 * STRING_TRAVERSAL) };
        break;
      case "containsIP":
      case "containsCIDR":
        if (target && args.length >= 1) {
          const ip = r(4, 16);
          let c = factor(add(ip, ip), STRING_TRAVERSAL);
          if (fn === "containsCIDR") c = add(add(c, factor(ip, STRING_TRAVERSAL)), ONE);
          if (typeName(args[0]!.checkedType) === "string") c = add(c, str(args[0]));
          return { cost: c };
        }
        break;
      case "validate":
        if (args.length >= 1) return { cost: factor(str(args[0]), MAX_NAME_FORMAT_REGEX_SIZE * REGEX_LENGTH) };
        break;
      default:
        if (UNIT_FUNCTIONS.has(fn)) return { cost: ONE };
    }
    void n;
    return undefined;
  }
}

/** The per-comparison factor of the lists library's O(n²) and O(n·log n) estimates: 0.1 for numbers, booleans and times, 1 otherwise. */
function elementFactor(t: CheckedType | undefined): number {
  return SCALARS.has(typeName(t)) ? STRING_TRAVERSAL : 1;
}

/** The result size of `replace` (`EstimateCallCost`). */
function replaceSize(sz: Range, toReplace: Range, replaceWith: Range): Range {
  const count = { min: 0n, max: 0n };
  const retained = { min: 0n, max: 0n };
  if (toReplace.min === 0n) {
    count.max = sz.max < MAX ? sz.max + 1n : sz.max;
    retained.max = sz.max;
  } else if (replaceWith.max <= toReplace.min) {
    retained.max = sz.max;
  } else count.max = scale(sz.max, 1 / Number(toReplace.min));
  if (toReplace.max === 0n) {
    count.min = sz.min < MAX ? sz.min + 1n : sz.min;
    retained.min = sz.min;
  } else if (toReplace.max <= replaceWith.min) {
    retained.min = sz.min;
  } else count.min = scale(sz.min, 1 / Number(toReplace.max));
  return add(mul(count, replaceWith), retained);
}

/** `DefaultMaxRequestSizeBytes` and the serialized sizes of `k8s.io/apiserver/pkg/cel/limits.go`. */
const MAX_REQUEST_SIZE = 3 * 1024 * 1024;
const MIN_DURATION_SIZE_JSON = 3;
const JSON_DATE_SIZE = 12;
const MIN_DATETIME_SIZE_JSON = 21;
const MAX_DURATION_SIZE_JSON = 32;
const MAX_DATETIME_SIZE_JSON = 32;

/** A schema node as a CRD's `openAPIV3Schema` writes it. */
type JsonSchema = Record<string, unknown>;

/** What `SchemaDeclType` makes of a schema node: its CEL type, most elements, least serialized size. */
interface Decl {
  type: EstimateType;
  maxElements: number;
  minSize: number;
  fields?: Map<string, Decl>;
  items?: Decl;
  values?: Decl;
}

const isObj = (v: unknown): v is JsonSchema => !!v && typeof v === "object" && !Array.isArray(v);
const int = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? Math.max(0, Math.trunc(v)) : undefined);
const KEY: Decl = { type: { kind: "primitive", name: "string" }, maxElements: 0, minSize: 2 };

/** `estimateMaxStringLengthPerRequest`. */
function maxStringLength(s: JsonSchema): number {
  if (s["x-kubernetes-int-or-string"] === true) return MAX_REQUEST_SIZE - 2;
  switch (s.format) {
    case "duration":
      return MAX_DURATION_SIZE_JSON;
    case "date":
      return JSON_DATE_SIZE;
    case "date-time":
      return MAX_DATETIME_SIZE_JSON;
    default:
      return MAX_REQUEST_SIZE - 2;
  }
}

/** `SchemaDeclType` (k8s.io/apiserver/pkg/cel/common/schemas.go), sizes only. */
function declOf(s: JsonSchema | undefined, root: boolean, depth = 0): Decl | undefined {
  if (!s || depth > 64) return undefined;
  if (s["x-kubernetes-int-or-string"] === true) {
    const ml = int(s.maxLength);
    return { type: { kind: "dyn", name: "dyn" }, maxElements: ml !== undefined ? ml * 4 : maxStringLength(s), minSize: 1 };
  }
  const embedded = (x: unknown) => isObj(x) && x["x-kubernetes-embedded-resource"] === true;
  switch (s.type) {
    case "array": {
      const items = declOf(isObj(s.items) ? s.items : undefined, embedded(s.items), depth + 1);
      if (!items) return undefined;
      const max = int(s.maxItems) ?? Math.floor((MAX_REQUEST_SIZE - 2) / (items.minSize + 1));
      return { type: { kind: "list", name: `list<${items.type.name ?? "dyn"}>`, valueType: items.type }, maxElements: max, minSize: 2, items };
    }
    case "object": {
      const ap = s.additionalProperties;
      if (isObj(ap)) {
        const values = declOf(ap, embedded(ap), depth + 1);
        if (!values) return undefined;
        const max = int(s.maxProperties) ?? Math.floor((MAX_REQUEST_SIZE - 2) / (values.minSize + 6));
        return { type: { kind: "map", name: `map<string, ${values.type.name ?? "dyn"}>`, keyType: KEY.type, valueType: values.type }, maxElements: max, minSize: 2, values };
      }
      const props: Record<string, unknown> = { ...(isObj(s.properties) ? s.properties : {}) };
      if (root) {
        const str = { type: "string" };
        const meta = isObj(props.metadata) ? props.metadata : undefined;
        const metaProps = meta && isObj(meta.properties) ? meta.properties : {};
        props.kind ??= str;
        props.apiVersion ??= str;
        props.metadata = { ...(meta ?? {}), type: "object", properties: { name: str, generateName: str, ...metaProps } };
      }
      const required = new Set(Array.isArray(s.required) ? s.required.filter((x): x is string => typeof x === "string") : []);
      const fields = new Map<string, Decl>();
      let minSize = 2;
      for (const [name, p] of Object.entries(props)) {
        if (!isObj(p)) continue;
        const d = declOf(p, embedded(p), depth + 1);
        if (!d) continue;
        fields.set(name, d);
        if (required.has(name) && p.default === undefined) minSize += name.length + d.minSize + 4;
      }
      return { type: { kind: "message", name: "object" }, maxElements: 0, minSize, fields };
    }
    case "string": {
      const ml = int(s.maxLength);
      switch (s.format) {
        case "byte":
          return { type: { kind: "primitive", name: "bytes" }, maxElements: ml ?? maxStringLength(s), minSize: 2 };
        case "duration":
          return { type: { kind: "message", name: "google.protobuf.Duration" }, maxElements: maxStringLength(s), minSize: MIN_DURATION_SIZE_JSON };
        case "date":
          return { type: { kind: "message", name: "google.protobuf.Timestamp" }, maxElements: maxStringLength(s), minSize: JSON_DATE_SIZE };
        case "date-time":
          return { type: { kind: "message", name: "google.protobuf.Timestamp" }, maxElements: maxStringLength(s), minSize: MIN_DATETIME_SIZE_JSON };
      }
      let max = maxStringLength(s);
      if (ml !== undefined) max = ml * 4;
      else if (Array.isArray(s.enum) && s.enum.length) max = Math.max(0, ...s.enum.map((e) => (typeof e === "string" ? new TextEncoder().encode(e).length : 0)));
      return { type: { kind: "primitive", name: "string" }, maxElements: max, minSize: 2 };
    }
    case "boolean":
      return { type: { kind: "primitive", name: "bool" }, maxElements: 0, minSize: 4 };
    case "number":
      return { type: { kind: "primitive", name: "double" }, maxElements: 0, minSize: 1 };
    case "integer":
      return { type: { kind: "primitive", name: "int" }, maxElements: 0, minSize: 1 };
  }
  return undefined;
}

/**
 * The sizes and types a CRD rule's `self` and `oldSelf` have under a schema node, as
 * kube-apiserver's CRD size estimator reads them from the declared types (`maxLength` × 4 bytes,
 * `maxItems`, `maxProperties`, the longest `enum` value, or what fits in a request): the inputs of
 * {@link estimateCost} for a rule at that node.
 *
 * @example
 * const { sizes, options } = schemaSizeBounds({ type: "array", maxItems: 10, items: { type: "number" } });
 * estimateCost("self.all(x, true)", { level: 36, variables: { self: "dyn" } }, sizes, options).max; // 32
 */
export function schemaSizeBounds(schema: JsonSchema, resourceRoot = false): { sizes: SizeBounds; options: EstimateOptions; minSerializedSize?: number } {
  const root = declOf(schema, resourceRoot);
  const walk = (path: readonly string[]): Decl | undefined => {
    if (path[0] !== "self" && path[0] !== "oldSelf") return undefined;
    let d = root;
    for (const step of path.slice(1)) {
      if (!d) return undefined;
      if (step === "@items") d = d.items;
      else if (step === "@values") d = d.values;
      else if (step === "@keys") d = d.values ? KEY : undefined;
      else d = d.fields?.get(step);
    }
    return d;
  };
  return {
    sizes: (path) => {
      const d = walk(path);
      return d ? { min: 0, max: d.maxElements } : undefined;
    },
    options: { typeAt: (path) => walk(path)?.type },
    ...(root ? { minSerializedSize: root.minSize } : {}),
  };
}
