/**
 * Evaluating a list of admission expressions under one runtime cost budget, as kube-apiserver's
 * `ConditionEvaluator.ForInput` does (`k8s.io/apiserver/pkg/admission/plugin/cel/condition.go`,
 * `activation.go Evaluate`): every expression runs to the per-call limit of its program; what it
 * cost (also when it failed) and what the composited variables it read cost are then taken from
 * the remaining budget, and an expression that costs more than is left ends the whole list.
 */
import type { CelOutcome } from "../cel/compile.js";
import { COST_BUDGET_EXCEEDED } from "../cel/rules.js";

/** One expression of the list: its text (for error messages) and how to run it. */
export interface BudgetedExpression {
  /** The expression as written (`expression '<source>' resulted in error: …`). */
  source: string;
  /**
   * Evaluate it; an outcome with `compileError` is an expression kube-apiserver could not compile
   * (its message already reads `compilation error: …`), which costs nothing.
   */
  evaluate: () => CelOutcome & { compileError?: true };
}

/** What one expression came to, worded as kube-apiserver's `EvaluationResult`. */
export type ExpressionResult = { kind: "value"; value: unknown } | { kind: "error"; message: string; costExceeded?: boolean } | { kind: "unevaluable"; reason: string };

/** The results in order and the budget left, or the list ended by the budget (`ErrOutOfBudget`). */
export type BudgetedResults = { results: Array<ExpressionResult | undefined>; remaining: number } | { outOfBudget: string };

/**
 * Run expressions in order under one budget (`ForInput`): a missing entry is a placeholder (a
 * validation without a message expression); `compositionCost` returns and resets what composited
 * variables cost since it was last asked (`CompositionContext.GetAndResetCost`).
 *
 * @example
 * const r = evaluateWithBudget([{ source: "1 < 2", evaluate: () => evaluateCel(c, ctx) }], RUNTIME_COST_BUDGET_MATCH_CONDITIONS);
 * if ("outOfBudget" in r) console.log(r.outOfBudget); // validation failed due to running out of cost budget, …
 */
export function evaluateWithBudget(expressions: ReadonlyArray<BudgetedExpression | undefined>, budget: number, compositionCost: () => number = () => 0): BudgetedResults {
  let remaining = budget;
  const results: Array<ExpressionResult | undefined> = [];
  for (const e of expressions) {
    if (!e) {
      results.push(undefined);
      continue;
    }
    const r = e.evaluate();
    if (r.kind === "error" && r.compileError) {
      results.push({ kind: "error", message: r.message });
      continue;
    }
    // Variables read lazily were evaluated with their own programs: their cost is charged first.
    const composition = compositionCost();
    if (composition > remaining) return { outOfBudget: COST_BUDGET_EXCEEDED };
    remaining -= composition;
    const cost = r.kind === "unevaluable" ? 0 : (r.cost ?? 0);
    if (cost > remaining) return { outOfBudget: COST_BUDGET_EXCEEDED };
    remaining -= cost;
    if (r.kind === "value") results.push({ kind: "value", value: r.value });
    else if (r.kind === "unevaluable") results.push(r);
    else results.push({ kind: "error", message: `expression '${e.source}' resulted in error: ${r.message}`, ...(r.costExceeded ? { costExceeded: true } : {}) });
  }
  return { results, remaining };
}
