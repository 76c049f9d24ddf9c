import { describe, expect, it } from "vitest";
import { evaluateWithBudget } from "../../../src/apiserver/admission/conditions.js";
import { policyEnvironment } from "../../../src/apiserver/admission/policies.js";
import { compileCel, evaluateCel } from "../../../src/apiserver/cel/compile.js";
import { PER_CALL_LIMIT, RUNTIME_COST_BUDGET, RUNTIME_COST_BUDGET_MATCH_CONDITIONS } from "../../../src/apiserver/cel/cost.js";
import { toCelValue } from "../../../src/apiserver/cel/rules.js";

// k8s.io/apiserver/pkg/admission/plugin/cel/condition_test.go TestRuntimeCELCostBudget: an
// Endpoints object with one subset, no old object, a ConfigMap as params; each case's expressions
// evaluated together (ForInput) under its budget.
const BUDGET_EXCEEDED = "validation failed due to running out of cost budget, no further validation rules will be run";
const ctx = {
  object: toCelValue(undefined, { apiVersion: "v1", kind: "Endpoints", metadata: { name: "endpoints1" }, subsets: [{ addresses: [{ ip: "127.0.0.0" }] }] }),
  oldObject: null,
  params: toCelValue(undefined, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "foo" }, data: { fakeString: "fake" } }),
  request: null,
  namespaceObject: null,
  authorizer: null,
  variables: {},
};
const run = (expressions: string[], budget: number, limit = PER_CALL_LIMIT) =>
  evaluateWithBudget(
    expressions.map((source) => ({ source, evaluate: () => evaluateCel(compileCel(source, policyEnvironment(36)), ctx, limit) })),
    budget,
  );

describe("expressions evaluated together under one budget (condition.go ForInput)", () => {
  const cases: Array<{ name: string; expressions: string[]; budget: number; exceed?: true; remaining?: number }> = [
    { name: "expression exceed RuntimeCELCostBudget at fist expression", expressions: ["has(object.subsets) && object.subsets.size() < 2", "has(object.subsets)"], budget: 1, exceed: true },
    { name: "expression exceed RuntimeCELCostBudget at last expression", expressions: ["has(object.subsets) && object.subsets.size() < 2", "object.subsets.size() > 2"], budget: 5, exceed: true },
    { name: "test RuntimeCELCostBudge is not exceed", expressions: ["oldObject != null", "object.subsets.size() > 2"], budget: 10, remaining: 4 },
    { name: "test RuntimeCELCostBudge exactly covers", expressions: ["oldObject != null", "object.subsets.size() > 2"], budget: 6, remaining: 0 },
    { name: "test RuntimeCELCostBudge exactly covers then constant", expressions: ["oldObject != null", "object.subsets.size() > 2", "true"], budget: 6, remaining: 0 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = run(c.expressions, c.budget);
      if (c.exceed) expect(r).toEqual({ outOfBudget: BUDGET_EXCEEDED });
      else {
        expect("remaining" in r && r.remaining).toBe(c.remaining);
        expect("results" in r && r.results.map((x) => x?.kind)).toEqual(c.expressions.map(() => "value"));
      }
    });
  }

  it("an expression past the per-call limit is its own error, its cost still charged (TestFilter 'test perCallLimit exceed')", () => {
    const r = run(["object.subsets.size() < 2", "oldObject == null"], 100, 1);
    expect(r).toEqual({
      results: [
        { kind: "error", message: "expression 'object.subsets.size() < 2' resulted in error: operation cancelled: actual cost limit exceeded", costExceeded: true },
        { kind: "error", message: "expression 'oldObject == null' resulted in error: operation cancelled: actual cost limit exceeded", costExceeded: true },
      ],
      remaining: expect.any(Number),
    });
    expect((r as { remaining: number }).remaining).toBeLessThan(100);
  });

  it("a placeholder costs nothing; what composited variables cost is charged before the expression's own cost", () => {
    let composition = 7;
    const take = () => {
      const c = composition;
      composition = 0;
      return c;
    };
    const e = (source: string) => ({ source, evaluate: () => evaluateCel(compileCel(source, policyEnvironment(36)), ctx) });
    expect(evaluateWithBudget([undefined, e("oldObject != null")], 9, take)).toEqual({ results: [undefined, { kind: "value", value: false }], remaining: 0 });
    composition = 8;
    expect(evaluateWithBudget([e("true")], 7, take)).toEqual({ outOfBudget: BUDGET_EXCEEDED });
  });

  it("has kube-apiserver's budgets", () => {
    expect([PER_CALL_LIMIT, RUNTIME_COST_BUDGET, RUNTIME_COST_BUDGET_MATCH_CONDITIONS]).toEqual([1_000_000, 10_000_000, 2_500_000]);
  });
});
