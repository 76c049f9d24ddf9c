import * as z from "zod";
import { describe, expect, it } from "vitest";
import { kubeMeta } from "../../src/index.js";
import { withDefaults } from "../../src/apiserver/structural-defaults.js";
import { checkValidationRules, compileValidationRule, evaluateRule, re2, toCelValue } from "kubezod/cel";
import { withDefaultsShared } from "../../src/apiserver/structural-defaults.js";

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

  it("gives each rule its own node's value, with escaped names, however deep and whatever the keys", () => {
    const inner = withRules([{ rule: "self.y < 10", message: "inner" }, { rule: "self.a__dash__b == 'dash'", message: "escaped" }], { y: z.int(), "a-b": z.string().optional() });
    const outer = withRules([{ rule: "self.x.y > 0", message: "outer" }], { x: inner, byName: z.record(z.string(), inner).optional() });
    const free = z.looseObject({ "a-b": z.string().optional() }).catchall(z.string());
    const collide = withRules([{ rule: "self.m.a__dash__b == 'declared'", message: "parent" }], {
      m: free.register(kubeMeta, { validations: [{ rule: "self.a__dash__b == 'declared'", message: "child" }] as never }),
    });
    const r = checkValidationRules(outer, { x: { y: 20, "a-b": "dash" }, byName: { k: { y: 1, "a-b": "other" } } });
    expect(r.errors.map((e) => `${e.field}: ${e.message}`)).toEqual(["x: inner", "byName[k]: escaped"]);
    expect(r.evaluated).toBe(5);
    // A key outside the shape spelled like an escaped declared name: the later key wins, and the
    // rules of the object and of its parent see the same value.
    const later = (m: Record<string, string>) => checkValidationRules(collide, { m }).errors.map((e) => e.message);
    expect(later({ "a-b": "declared", a__dash__b: "free" })).toEqual(["parent", "child"]);
    expect(later({ a__dash__b: "free", "a-b": "declared" })).toEqual([]);
  });

  it("fills in defaults the same way whether or not untouched parts are shared", () => {
    const s = z.looseObject({ spec: z.looseObject({ a: z.string().optional().register(kubeMeta, { default: "x" } as never), b: z.looseObject({ c: z.int() }).optional() }), other: z.looseObject({}).optional() });
    const value = { spec: { b: { c: 1 } }, other: { deep: { x: [1, 2] } }, extra: true };
    expect(withDefaultsShared(s, value)).toEqual(withDefaults(s, value));
    expect(withDefaults(s, value)).toEqual({ spec: { a: "x", b: { c: 1 } }, other: { deep: { x: [1, 2] } }, extra: true });
    expect(value).toEqual({ spec: { b: { c: 1 } }, other: { deep: { x: [1, 2] } }, extra: true });
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
