import * as z from "zod";
import { describe, expect, it } from "vitest";
import { checkValidationRules, compileValidationRule, evaluateRule, kubeMeta, re2, toCelValue } from "../../src/index.js";

function withRules(rules: Array<Record<string, unknown>>, shape: Record<string, z.ZodType>): z.ZodType {
  return z.looseObject(shape).register(kubeMeta, { validations: rules as never });
}

describe("CEL validation rules", () => {
  it("evaluates rules with integers as int, messageExpression, reason and fieldPath", () => {
    const s = withRules(
      [
        { rule: "self.min <= self.max", messageExpression: "'min ' + string(self.min) + ' exceeds max'", reason: "FieldValueForbidden", fieldPath: ".min" },
        { rule: "self.min + 1 > 0" },
      ],
      { min: z.int(), max: z.int() },
    );
    const r = checkValidationRules(s, { min: 5, max: 2 });
    expect(r.errors).toEqual([{ type: "FieldValueForbidden", path: ["min"], field: "min", message: "min 5 exceeds max" }]);
    expect(r.evaluated).toBe(2);
  });

  it("skips transition rules without an old object and runs them with one", () => {
    const s = withRules([{ rule: "self == oldSelf", message: "immutable" }], { a: z.string() });
    expect(checkValidationRules(s, { a: "x" }).errors).toEqual([]);
    expect(checkValidationRules(s, { a: "x" }, { oldValue: { a: "y" } }).errors.map((e) => e.message)).toEqual(["immutable"]);
  });

  it("reports rules it cannot evaluate instead of passing them", () => {
    const s = withRules([{ rule: "self.unknownFunction()" }], { a: z.string() });
    const r = checkValidationRules(s, { a: "x" });
    expect(r.errors).toEqual([]);
    expect(r.unevaluated).toHaveLength(1);
    expect(r.unevaluated[0]!.reason).toMatch(/cannot be compiled/);
  });

  it("uses RE2 semantics for matches and has the Kubernetes IP, quantity and lists libraries", () => {
    expect(re2("^(?i)abc$").test("ABC")).toBe(true);
    expect(re2("\\Aa.c\\z").test("abc")).toBe(true);
    const run = (rule: string, self: unknown) => evaluateRule(compileValidationRule({ rule }), toCelValue(undefined, self));
    expect(run("self.matches('^(?i)web$')", "WEB")).toEqual({ status: "passed" });
    expect(run("isIP(self) && ip(self).family() == 6", "fd00::1")).toEqual({ status: "passed" });
    expect(run("cidr('10.0.0.0/8').containsIP(self)", "10.1.2.3")).toEqual({ status: "passed" });
    expect(run("quantity(self).isGreaterThan(quantity('1Gi'))", "1500Mi")).toEqual({ status: "passed" });
    expect(run("self.isSorted() && self.sum() == 6", [1, 2, 3])).toEqual({ status: "passed" });
    expect(run("self.x == 1", {})).toMatchObject({ status: "failed" });
  });
});
