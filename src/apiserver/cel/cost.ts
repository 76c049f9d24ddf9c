/**
 * CEL cost as kube-apiserver counts it: every evaluated step costs 1 and library functions cost
 * by the size of what they traverse (`k8s.io/apiserver/pkg/cel/library/cost.go`), with the
 * apiserver's limits and error texts.
 */

import { costFunction, operatorCost } from "./call-cost.js";

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
/**
 * `celconfig.RuntimeCELCostBudgetMatchConditions`: the runtime cost of all the match conditions of
 * one webhook, or of one policy for one binding and param, evaluated together.
 *
 * @example
 * let remaining = RUNTIME_COST_BUDGET_MATCH_CONDITIONS; // 2_500_000
 */
export const RUNTIME_COST_BUDGET_MATCH_CONDITIONS = 2_500_000;
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


interface Node {
  op: string;
  args: unknown;
  handle?: (...a: unknown[]) => unknown;
  meta?: { alternate?: Node; macro?: Record<string, unknown>; evaluate?: Evaluate };
  evaluate?: Evaluate;
}
type Evaluate = (this: unknown, ev: unknown, ast: unknown, ctx: unknown) => unknown;

function isNode(v: unknown): v is Node {
  return typeof v === "object" && v !== null && typeof (v as Node).op === "string" && "args" in v;
}

/** `common.ListCreateBaseCost`: creating a list literal. */
const LIST_CREATE_COST = 10;
/** `common.MapCreateBaseCost`: creating a map literal. */
const MAP_CREATE_COST = 30;

/**
 * What one evaluation of a node costs by itself, as cel-go's tracker observes the program it
 * plans: constants nothing, identifiers and selections 1, list and map literals their creation
 * cost, `&&`, `||`, `?:` and a comprehension's own fold nothing (their parts cost), calls 1 (the
 * call's own cost is charged when it runs, see {@link instrument}). The accumulator steps of the
 * evaluator's macro expansions cost what cel-go's expansions do: `accu + [x]` 12, `accu + 1` 2,
 * reading `accu` 1.
 */
function ownCost(v: Node): number {
  switch (v.op) {
    case "value":
    case "&&":
    case "||":
    case "?:":
    case "comprehension":
      return 0;
    case "list":
      return LIST_CREATE_COST;
    case "map":
      return MAP_CREATE_COST;
    case "accuPush":
      return LIST_CREATE_COST + 2;
    case "accuInc":
      return 2;
    case "-_":
      // A negative number literal (`-5`) is one constant in cel-go's parser.
      return isNode(v.args) && v.args.op === "value" && (typeof v.args.args === "bigint" || typeof v.args.args === "number") ? 0 : 1;
    case "id":
      // A constant (a library's namespace such as `strings` or `sets`): resolved when checked.
      return v.meta?.alternate ? 0 : 1;
    case "call":
      // `has(a.b.c)`: cel-go observes the tested attribute once (free with Kubernetes'
      // `PresenceTestHasCost(false)`) and its intermediate qualifiers (`.b`), so two less than
      // the selection chain (`a`, `.b`, `.c`) counted below.
      if (v.meta?.macro && Array.isArray(v.args) && v.args[0] === "has") return -2;
      return v.meta?.macro || v.meta?.alternate ? 0 : 1;
    case "rcall":
      // A macro: its expansion carries the cost.
      return v.meta?.macro || v.meta?.alternate ? 0 : 1;
    default:
      return 1;
  }
}

/**
 * The steps one evaluation of a node takes, not counting the parts below it that are charged
 * when (and each time) they run: loop bodies, the right operand of `&&`/`||`, the branches of `?:`.
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
    n += ownCost(v);
    // A node replaced by another (a macro's expansion, a constant) costs what its replacement does.
    if (v.meta?.alternate) return visit(v.meta.alternate, false);
    if (v.meta?.macro) visit(v.meta.macro, false);
    if (v.op === "comprehension") {
      const a = v.args as { iterable?: unknown; init?: unknown; step?: unknown };
      visit(a.iterable, false);
      visit(a.init, false);
      visit(a.step, false);
    } else visit(v.args, false);
  };
  visit(root, true);
  return n;
}

/** Subtrees charged when they run (loop bodies, conditional operands), found by {@link instrument}. */
const bodies = new WeakSet<object>();
/** The steps of one evaluation of a program, outside its conditional parts. */
const baseCosts = new WeakMap<object, number>();

/**
 * Mark a subtree as charged when it runs rather than with its parent (the bodies of macros that
 * run their own loops), or never charged (their variable names).
 *
 * @example
 * markBody(bodyAst);
 */
export function markBody(node: unknown): void {
  if (node && typeof node === "object") bodies.add(node);
}

/** Make a node charge `extra` plus its steps each time it runs. */
function chargeOnEvaluate(body: Node, extra = 0): void {
  const meta = body.meta;
  let inner: Evaluate | undefined;
  if (meta?.alternate) {
    const alt = meta.alternate;
    inner = (ev, _ast, ctx) => alt.evaluate!.call(alt, ev, alt, ctx);
  } else if (meta?.macro) {
    const mac = meta.macro as { evaluate: Evaluate };
    inner = (ev, _ast, ctx) => mac.evaluate.call(mac, ev, mac, ctx);
  } else inner = meta?.evaluate;
  if (!inner) return;
  const run = inner;
  const steps = countSteps(body) + extra;
  if (steps === 0) return;
  // The evaluator's evaluate functions do not use `this`: called directly, which is faster.
  body.evaluate = (ev, ast, ctx) => {
    const t = active;
    if (t && (t.cost += steps) > t.limit) throw new CostLimitError();
    return (run as (ev: unknown, ast: unknown, ctx: unknown) => unknown)(ev, ast, ctx);
  };
}

/** Charge `n` (which may be negative: a call's cost replaces the 1 counted for it). */
function chargeDelta(n: number): void {
  const t = active;
  if (!t || n === 0) return;
  t.cost += n;
  if (t.cost > t.limit) throw new CostLimitError();
}

/** The cel-go name of a call node (`strings.quote` for a namespaced one) and whether its receiver is a namespace. */
function callName(n: Node): { name: string; namespaced: boolean } | undefined {
  const a = n.args as unknown[];
  if (!Array.isArray(a) || typeof a[0] !== "string") return undefined;
  if (n.op === "rcall") {
    const recv = a[1] as Node | undefined;
    if (recv && recv.op === "id" && recv.meta?.alternate && typeof recv.args === "string") return { name: `${recv.args}.${a[0]}`, namespaced: true };
  }
  return { name: a[0], namespaced: false };
}

/** A variable with constant selections and indexes (`a`, `a.b`, `a[0]`): an attribute to cel-go's planner. */
function isAttributeChain(n: unknown): boolean {
  if (!isNode(n)) return false;
  if (n.op === "id") return !n.meta?.alternate;
  if (n.op === ".") return Array.isArray(n.args) && isAttributeChain(n.args[0]);
  if (n.op === "[]") return Array.isArray(n.args) && isNode(n.args[1]) && n.args[1].op === "value" && isAttributeChain(n.args[0]);
  return false;
}

const COSTED_OPERATORS = new Set(["==", "!=", "<", "<=", ">", ">=", "+", "in"]);

/** Types whose operators may cost other than 1 (sized operands, Kubernetes values, anything dyn). */
const PLAIN = new Set(["int", "uint", "double", "bool", "null", "google.protobuf.Timestamp", "google.protobuf.Duration", "type"]);

/** Whether an operator node may cost other than 1: not when both operands are checked as plain scalars. */
function mayCostMore(v: Node): boolean {
  const args = v.args;
  if (!Array.isArray(args)) return true;
  const plain = (n: unknown) => {
    const t = (n as { checkedType?: { name?: string; kind?: string } } | undefined)?.checkedType;
    return t?.name !== undefined && PLAIN.has(t.name);
  };
  if (v.op === "in") return !plain(args[1]);
  return !(plain(args[0]) && plain(args[1]));
}

/** Comprehension overheads of cel-go's macro expansions: the loop condition, the accumulator read in the step, the result. */
interface LoopOverhead {
  condition: number;
  step: number;
  result: number;
}

function loopOverhead(args: { kind?: string; init?: Node }): LoopOverhead {
  if (args.kind === "quantifier" && args.init?.op === "value") {
    // all: `@not_strictly_false(accu)` and `accu && p`; exists: `@not_strictly_false(!accu)` and `accu || p`.
    if (args.init.args === true) return { condition: 2, step: 1, result: 1 };
    if (args.init.args === false) return { condition: 3, step: 1, result: 1 };
    // exists_one: `p ? accu + 1 : accu`, then `accu == 1`.
    return { condition: 0, step: 0, result: 2 };
  }
  // map and filter: `accu + [x]` (charged by the step's nodes), then `accu`.
  return { condition: 0, step: 0, result: 1 };
}

/**
 * Make a type-checked program count its cost as cel-go's tracker does (instrumented once per
 * program): the steps outside conditional parts once per evaluation, each loop body per
 * iteration with its macro's overhead, `&&`/`||`/`?:` operands when they run, and each call and
 * costed operator by what it was given (`callCost`, {@link operatorCost}). Without
 * `libraryCosts`, calls of the Kubernetes libraries cost 1 (cel-go's tracker without
 * `library.CostEstimator`).
 *
 * @example
 * instrument(program.ast);
 */
export function instrument(root: unknown, libraryCosts = true): void {
  if (!isNode(root) || baseCosts.has(root)) return;
  const seen = new Set<object>();
  const conditional: Array<{ node: Node; extra: number }> = [];
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
    const args = v.args;
    if (v.op === "comprehension" && args && typeof args === "object") {
      const a = args as { kind?: string; init?: Node; step?: unknown; iterable?: unknown; condition?: (x: unknown) => unknown; result?: (x: unknown) => unknown };
      const o = loopOverhead(a);
      if (isNode(a.step)) {
        bodies.add(a.step);
        conditional.push({ node: a.step, extra: o.step });
      }
      const cond = a.condition;
      if (typeof cond === "function" && o.condition) {
        a.condition = (x: unknown) => {
          chargeDelta(o.condition);
          return cond(x);
        };
      }
      const result = a.result;
      if (typeof result === "function") {
        a.result = (x: unknown) => {
          chargeDelta(o.result);
          return result(x);
        };
      }
      visit(a.iterable);
      visit(a.init);
      visit(a.step);
      return;
    }
    if ((v.op === "&&" || v.op === "||") && Array.isArray(args) && isNode(args[1])) {
      bodies.add(args[1]);
      conditional.push({ node: args[1], extra: 0 });
    } else if (v.op === "?:" && Array.isArray(args)) {
      // Between two attributes (`c ? a.x : b`) cel-go plans one conditional attribute: the chosen
      // branch's variable is resolved inside it, not observed.
      const attributes = isAttributeChain(args[1]) && isAttributeChain(args[2]);
      for (const b of [args[1], args[2]]) {
        if (!isNode(b)) continue;
        bodies.add(b);
        conditional.push({ node: b, extra: attributes ? -1 : 0 });
      }
    }
    if ((v.op === "call" || v.op === "rcall") && !v.meta?.macro && !v.meta?.alternate && typeof v.handle === "function") {
      const id = callName(v);
      const cost = id ? costFunction(id.name, libraryCosts) : undefined;
      const orig = v.handle as (a: unknown, b: unknown, c: unknown) => unknown;
      // Calls whose cost is 1 whatever they are given are counted with the steps.
      if (cost) {
        v.handle =
          v.op === "call"
            ? (values: unknown, ast: unknown, ev: unknown) => {
                const r = orig(values, ast, ev);
                chargeDelta(cost(values as unknown[], r) - 1);
                return r;
              }
            : id!.namespaced
              ? (values: unknown, ev: unknown, ast: unknown) => {
                  const r = orig(values, ev, ast);
                  chargeDelta(cost((values as unknown[]).slice(1), r) - 1);
                  return r;
                }
              : (values: unknown, ev: unknown, ast: unknown) => {
                  const r = orig(values, ev, ast);
                  chargeDelta(cost(values as unknown[], r) - 1);
                  return r;
                };
      }
    } else if (COSTED_OPERATORS.has(v.op) && typeof v.handle === "function" && mayCostMore(v)) {
      const orig = v.handle as (a: unknown, b: unknown, c: unknown, d: unknown) => unknown;
      const op = v.op;
      v.handle = (l: unknown, r: unknown, ast: unknown, ev: unknown) => {
        const out = orig(l, r, ast, ev);
        chargeDelta(operatorCost(op, l, r) - 1);
        return out;
      };
    }
    if (v.meta?.alternate) visit(v.meta.alternate);
    if (v.meta?.macro) visit(v.meta.macro);
    visit(args);
  };
  visit(root);
  for (const { node, extra } of conditional) chargeOnEvaluate(node, extra);
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
export function runWithCost<T>(fn: () => T, limit: number, base = 0, spent?: { cost: number }): { value: T; cost: number } {
  if (base > limit) {
    if (spent) spent.cost = base;
    throw new CostLimitError();
  }
  const outer = active;
  const tracker: Tracker = { cost: base, limit };
  active = tracker;
  try {
    const value = fn();
    return { value, cost: tracker.cost };
  } finally {
    active = outer;
    if (outer) outer.cost += tracker.cost;
    // What the evaluation cost up to where it stopped (cel-go's `EvalDetails.ActualCost` after an error).
    if (spent) spent.cost = tracker.cost;
  }
}

/**
 * Run an evaluation outside the one in progress: its cost is its own, not added to the caller's
 * (a composited variable evaluated lazily has its own program and cost tracker in kube-apiserver).
 *
 * @example
 * const r = untracked(() => evaluateCel(variable, ctx));
 */
export function untracked<T>(fn: () => T): T {
  const outer = active;
  active = undefined;
  try {
    return fn();
  } finally {
    active = outer;
  }
}
