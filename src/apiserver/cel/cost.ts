/**
 * CEL cost as kube-apiserver counts it: every evaluated step costs 1 and library functions cost
 * by the size of what they traverse (`k8s.io/apiserver/pkg/cel/library/cost.go`), with the
 * apiserver's limits and error texts.
 */

/**
 * `celconfig.PerCallLimit`: the runtime cost one expression may reach.
 *
 * @example
 * evaluateCel(compiled, ctx, PER_CALL_LIMIT)
 */
export const PER_CALL_LIMIT = 1_000_000;
/**
 * `celconfig.RuntimeCELCostBudget`: the runtime cost of all the rules of one object (CRD) or policy.
 *
 * @example
 * let budget = RUNTIME_COST_BUDGET;
 */
export const RUNTIME_COST_BUDGET = 10_000_000;
/** `celconfig.MaxRequestSizeBytes`: bounds unbounded lists and strings when cost is estimated. */
export const MAX_REQUEST_SIZE_BYTES = 3 * 1024 * 1024;
/**
 * `StaticEstimatedCostLimit` of one CRD rule.
 *
 * @example
 * estimateCost(rule, env).max > STATIC_ESTIMATED_COST_LIMIT
 */
export const STATIC_ESTIMATED_COST_LIMIT = 10_000_000;
/**
 * `StaticEstimatedCRDCostLimit`: the estimated cost of all rules of one CRD.
 *
 * @example
 * total > STATIC_ESTIMATED_CRD_COST_LIMIT
 */
export const STATIC_ESTIMATED_CRD_COST_LIMIT = 100_000_000;
/**
 * The cost of one authorization check (`authorizer….check(verb)`).
 *
 * @example
 * AUTHZ_CHECK_COST * 3 > PER_CALL_LIMIT; // true: at most two checks an expression
 */
export const AUTHZ_CHECK_COST = 350_000;

/**
 * cel-go's error when an expression goes past its limit.
 *
 * @example
 * err.message === ACTUAL_COST_LIMIT_EXCEEDED
 */
export const ACTUAL_COST_LIMIT_EXCEEDED = "operation cancelled: actual cost limit exceeded";

/**
 * An evaluation stopped for going past its cost limit.
 *
 * @example
 * try { runWithCost(program, ctx, 1000); } catch (e) { if (e instanceof CostLimitError) console.log(e.message); }
 */
export class CostLimitError extends Error {
  override name = "CostLimitError";
  constructor() {
    super(ACTUAL_COST_LIMIT_EXCEEDED);
  }
}

interface Tracker {
  cost: number;
  limit: number;
}

let active: Tracker | undefined;

/**
 * Add to the cost of the evaluation in progress (library functions call this).
 *
 * @example
 * charge(Math.ceil(text.length * 0.1));
 */
export function charge(n: number): void {
  const t = active;
  if (!t) return;
  t.cost += n;
  if (t.cost > t.limit) throw new CostLimitError();
}

/** `common.StringTraversalCostFactor`-scaled cost of walking a string. @example traversalCost("abc") */
export function traversalCost(s: string): number {
  return Math.ceil(s.length * 0.1);
}

interface Node {
  op: string;
  args: unknown;
  meta?: { alternate?: Node; macro?: Record<string, unknown>; evaluate?: Evaluate };
  evaluate?: Evaluate;
}
type Evaluate = (this: unknown, ev: unknown, ast: unknown, ctx: unknown) => unknown;

function isNode(v: unknown): v is Node {
  return typeof v === "object" && v !== null && typeof (v as Node).op === "string" && "args" in v;
}

/** The loop bodies of comprehensions: each of their evaluations is charged their size. */
function loopBody(n: Node): Node | undefined {
  if (n.op !== "comprehension" || !n.args || typeof n.args !== "object") return undefined;
  const step = (n.args as { step?: unknown }).step;
  return isNode(step) ? step : undefined;
}

/**
 * The steps one evaluation of a node takes (every node but constants), not counting the loop
 * bodies below it, which are charged per iteration.
 *
 * @example
 * countSteps(program.ast);
 */
export function countSteps(root: unknown): number {
  let n = 0;
  const seen = new Set<object>();
  const visit = (v: unknown, top: boolean): void => {
    if (!v || typeof v !== "object" || seen.has(v)) return;
    seen.add(v);
    if (Array.isArray(v)) {
      for (const x of v) visit(x, false);
      return;
    }
    if (!isNode(v)) {
      for (const x of Object.values(v)) if (x && typeof x === "object") visit(x, false);
      return;
    }
    if (!top && bodies.has(v)) return;
    // cel-go's costs of creating aggregates (common.ListCreateBaseCost, MapCreateBaseCost).
    if (v.op === "list") n += LIST_CREATE_COST;
    else if (v.op === "map") n += MAP_CREATE_COST;
    else if (v.op !== "value") n++;
    if (v.meta?.alternate) visit(v.meta.alternate, false);
    if (v.meta?.macro) visit(v.meta.macro, false);
    visit(v.args, false);
  };
  visit(root, true);
  return n;
}

/** `common.ListCreateBaseCost`: creating a list literal. */
const LIST_CREATE_COST = 10;
/** `common.MapCreateBaseCost`: creating a map literal. */
const MAP_CREATE_COST = 30;

/** Loop bodies found by {@link instrument}. */
const bodies = new WeakSet<object>();
/** The steps of one evaluation of a program, outside its loops. */
const baseCosts = new WeakMap<object, number>();

/**
 * Make a type-checked program count its cost as cel-go does: the steps outside loops once per
 * evaluation, each loop body's steps per iteration (instrumented once per program).
 *
 * @example
 * instrument(program.ast);
 */
export function instrument(root: unknown): void {
  if (!isNode(root) || baseCosts.has(root)) return;
  const seen = new Set<object>();
  const found: Node[] = [];
  const visit = (v: unknown): void => {
    if (!v || typeof v !== "object" || seen.has(v)) return;
    seen.add(v);
    if (Array.isArray(v)) {
      for (const x of v) visit(x);
      return;
    }
    if (!isNode(v)) {
      for (const x of Object.values(v)) if (x && typeof x === "object") visit(x);
      return;
    }
    const body = loopBody(v);
    if (body) {
      bodies.add(body);
      found.push(body);
    }
    if (v.meta?.alternate) visit(v.meta.alternate);
    if (v.meta?.macro) visit(v.meta.macro);
    visit(v.args);
  };
  visit(root);
  for (const body of found) {
    const meta = body.meta;
    if (!meta) continue;
    let inner: Evaluate | undefined;
    if (meta.alternate) {
      const alt = meta.alternate;
      inner = (ev, _ast, ctx) => alt.evaluate!.call(alt, ev, alt, ctx);
    } else if (meta.macro) {
      const mac = meta.macro as { evaluate: Evaluate };
      inner = (ev, _ast, ctx) => mac.evaluate.call(mac, ev, mac, ctx);
    } else inner = meta.evaluate;
    if (!inner) continue;
    const run = inner;
    const steps = countSteps(body);
    body.evaluate = function (ev, ast, ctx) {
      const t = active;
      if (t && (t.cost += steps) > t.limit) throw new CostLimitError();
      return run.call(this, ev, ast, ctx);
    };
  }
  baseCosts.set(root, countSteps(root));
}

/**
 * The steps an evaluation of an instrumented program takes outside its loops.
 *
 * @example
 * baseCost(program.ast); // 3 for `a + b > 0`
 */
export function baseCost(root: unknown): number {
  return (root && typeof root === "object" ? baseCosts.get(root) : undefined) ?? 0;
}

/**
 * Evaluate with a cost limit; returns the value and the cost it took. Throws
 * {@link CostLimitError} past the limit.
 *
 * @example
 * const { value, cost } = runWithCost(() => program(ctx), 1_000_000);
 */
export function runWithCost<T>(fn: () => T, limit: number, base = 0): { value: T; cost: number } {
  if (base > limit) throw new CostLimitError();
  const outer = active;
  const tracker: Tracker = { cost: base, limit };
  active = tracker;
  try {
    const value = fn();
    return { value, cost: tracker.cost };
  } finally {
    active = outer;
    if (outer) outer.cost += tracker.cost;
  }
}
