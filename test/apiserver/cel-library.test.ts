import { describe, expect, it } from "vitest";
import { celEquals } from "../../src/apiserver/cel/values.js";
import { compileCel, evaluateCel, estimateCost, PER_CALL_LIMIT, type EnvironmentSpec } from "kubezod/cel";
import { celCases } from "../fixtures/cel/library-cases.js";
import { coreCases } from "../fixtures/cel/core-cases.js";
import { costCases } from "../fixtures/cel/cost-cases.js";
import { estimateCases } from "../fixtures/cel/estimate-cases.js";
import { crdEstimateCases } from "../fixtures/cel/crd-estimate-cases.js";
import { schemaSizeBounds } from "../../src/apiserver/cel/estimate.js";
import { CelAuthorizer } from "../../src/apiserver/cel/authz.js";
import { Optional } from "@marcbachmann/cel-js";

const spec = (level: number): EnvironmentSpec => ({ level, variables: {} });

function value(v: unknown): unknown {
  return v instanceof Optional ? (v.hasValue() ? { some: value(v.value()) } : "none") : v;
}

describe("Kubernetes CEL libraries: conformance cases", () => {
  for (const c of [...celCases, ...coreCases]) {
    it(`${c.expr} (${c.source})`, () => {
      const level = 36;
      const compiled = compileCel(c.expr, spec(level));
      if (c.compileError) {
        expect(compiled.error).toMatch(c.compileError);
        return;
      }
      expect(compiled.error).toBeUndefined();
      const got = evaluateCel(compiled, {});
      if (c.runtimeError) {
        expect(got.kind).toBe("error");
        expect(got.kind === "error" ? got.message : "").toMatch(c.runtimeError);
        return;
      }
      expect(got.kind === "error" ? got.message : "").toBe("");
      const want = evaluateCel(compileCel(c.want!, spec(level)), {});
      expect(want.kind).toBe("value");
      const a = value(got.kind === "value" ? got.value : undefined);
      const b = value(want.kind === "value" ? want.value : undefined);
      expect(celEquals(a, b) || JSON.stringify(a, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v)) === JSON.stringify(b, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v)), `${String(a)} vs ${String(b)}`).toBe(true);
    });
  }

  it("offers each library from the minor that introduced it, and new rules only the previous minor's", () => {
    // base.go: IP and CIDR from 1.30, format from 1.31, two-variable comprehensions from 1.32, semver from 1.33.
    const compiles = (expr: string, level: number) => compileCel(expr, spec(level)).error === undefined;
    expect(compiles(`isIP("1.2.3.4")`, 29)).toBe(false);
    expect(compiles(`isIP("1.2.3.4")`, 30)).toBe(true);
    expect(compiles(`format.dns1123Label().validate("a").hasValue()`, 30)).toBe(false);
    expect(compiles(`format.dns1123Label().validate("a").hasValue()`, 31)).toBe(true);
    expect(compiles(`[1, 2].all(i, v, v > i)`, 31)).toBe(false);
    expect(compiles(`[1, 2].all(i, v, v > i)`, 32)).toBe(true);
    expect(compiles(`isSemver("1.0.0")`, 32)).toBe(false);
    expect(compiles(`isSemver("1.0.0")`, 33)).toBe(true);
    expect(compiles(`quantity("1")`, 27)).toBe(false);
    expect(compiles(`quantity("1")`, 28)).toBe(true);
    expect(compiles(`sets.contains([1], [1])`, 28)).toBe(false);
    expect(compiles(`sets.contains([1], [1])`, 29)).toBe(true);
    // base.go: ext.Lists(ext.ListsVersion(3)) from 1.34.
    expect(compiles(`[2, 1].sort() == [1, 2]`, 33)).toBe(false);
    expect(compiles(`[2, 1].sort() == [1, 2]`, 34)).toBe(true);
    expect(compiles(`lists.range(2).size() == 2`, 34)).toBe(true);
  });

  it("offers cel.bind only where ext.Bindings is enabled (DRA's environment, not base.go's)", () => {
    expect(compileCel("cel.bind(a, 1, a + 1) == 2", spec(36)).error).toBe("undeclared reference to 'cel' (in container '')");
    const dra = compileCel("cel.bind(a, 1, a + 1) == 2", { ...spec(36), bindings: true });
    expect(dra.error).toBeUndefined();
    expect(evaluateCel(dra, {})).toMatchObject({ kind: "value", value: true });
  });

  it("two-variable comprehensions (cel-go ext TwoVarComprehensions)", () => {
    const run = (expr: string) => {
      const r = evaluateCel(compileCel(expr, spec(36)), {});
      return r.kind === "value" ? r.value : r;
    };
    expect(run(`[1, 2, 3].all(i, v, i < v)`)).toBe(true);
    expect(run(`{'a': 1, 'b': 2}.exists(k, v, k == 'b' && v == 2)`)).toBe(true);
    expect(run(`[1, 2, 3].existsOne(i, v, v == 2)`)).toBe(true);
    expect(run(`[1, 2, 3].transformList(i, v, v * 2)`)).toEqual([2n, 4n, 6n]);
    expect(run(`[1, 2, 3].transformList(i, v, i > 0, v)`)).toEqual([2n, 3n]);
    expect(run(`{'a': 1}.transformMap(k, v, v + 1)`)).toEqual({ a: 2n });
  });

  it("homogeneous aggregate literals as cel-go checks them: mixed types need dyn()", () => {
    expect(compileCel(`[1, 'a']`, spec(36)).error).toMatch(/expected type 'int' but found 'string'/);
    expect(compileCel(`[1, dyn('a')]`, spec(36)).error).toBeUndefined();
    expect(compileCel(`{'a': 1, 'b': 'x'}`, spec(36)).error).toMatch(/expected type/);
  });

  it("stops an expression past the per-call cost limit with cel-go's error, and counts cost", () => {
    const c = compileCel(`x.all(a, x.all(b, x.all(c, a + b + c >= 0)))`, { level: 36, variables: { x: "list<int>" } });
    const big = Array.from({ length: 200 }, (_, i) => BigInt(i));
    const r = evaluateCel(c, { x: big });
    expect(r).toMatchObject({ kind: "error", message: "operation cancelled: actual cost limit exceeded", costExceeded: true });
    const small = evaluateCel(c, { x: [1n, 2n] });
    expect(small.kind).toBe("value");
    expect(small.kind === "value" && small.cost > 0 && small.cost < PER_CALL_LIMIT).toBe(true);
  });

  it("estimates cost from the size bounds of what an expression ranges over", () => {
    const s: EnvironmentSpec = { level: 36, variables: { self: "dyn" } };
    const bounded = estimateCost("self.items.all(x, x.size() < 10)", s, (p) => (p.join(".") === "self.items" ? 10 : undefined));
    const unbounded = estimateCost("self.items.all(x, x.size() < 10)", s);
    expect(bounded.max).toBeLessThan(200);
    expect(unbounded.max).toBeGreaterThan(1_000_000);
  });
});

describe("cost of aggregate literals", () => {
  it("charges cel-go's creation costs: 10 for a list literal, 30 for a map literal", () => {
    // k8s.io/apiserver/pkg/cel/library/cost_test.go TestListsCost: "10 cost for the list declaration";
    // cel-go common.ListCreateBaseCost = 10, common.MapCreateBaseCost = 30, size() 1.
    const cost = (e: string) => {
      const r = evaluateCel(compileCel(e, spec(36)), {});
      return r.kind === "value" ? r.cost : -1;
    };
    expect(cost("[1, 2, 3, 4, 5].size()")).toBe(11);
    expect(cost("{'a': 1}.size()")).toBe(31);
    expect(estimateCost("[1, 2, 3, 4, 5].size()", spec(36)).min).toBe(11);
  });
});

describe("estimated cost as cel-go's checker estimates it with the Kubernetes cost estimator", () => {
  // cost_test.go's environment: `authorizer`, the JSON patch library; strings and bytes of unknown size are 0..12.
  const env: EnvironmentSpec = { level: 36, variables: { authorizer: "kubernetes.authorization.Authorizer" }, jsonPatch: true };
  const sizeOfType = (t: string) => (t === "string" || t === "bytes" ? { min: 0, max: 12 } : undefined);
  it("has the translated cases", () => expect(estimateCases.length).toBeGreaterThanOrEqual(200));
  for (const c of estimateCases) {
    it(`${c.expr} is estimated ${c.min}..${c.max} (${c.source})`, () => {
      expect(estimateCost(c.expr, env, undefined, { sizeOfType })).toEqual({ min: c.min, max: c.max });
    });
  }
});

describe("estimated cost of CRD rules under their schemas' size bounds", () => {
  const env: EnvironmentSpec = { level: 36, variables: { self: "dyn", oldSelf: "dyn" } };
  for (const c of crdEstimateCases) {
    for (const [label, schema, want] of [
      ["calc", c.schema(), c.calc],
      ["set", c.schema(c.setMax), c.set],
    ] as const) {
      it(`${c.name} (${label}): ${c.rule} (apiextensions compilation_test.go TestCostEstimation)`, () => {
        const { sizes, options } = schemaSizeBounds(schema);
        const max = estimateCost(c.rule, env, sizes, options).max;
        if (want === "exceeds") expect(max).toBeGreaterThan(100_000_000);
        else expect(max).toBe(want);
      });
    }
  }
});

describe("runtime cost as cel-go's tracker counts it with the Kubernetes cost estimator", () => {
  const env: EnvironmentSpec = { level: 36, variables: { authorizer: "kubernetes.authorization.Authorizer" }, jsonPatch: true };
  const authorizer = new CelAuthorizer(() => ({ decision: "allow", reason: "" }), { username: "u", groups: [] });
  for (const c of costCases) {
    it(`${c.expr} costs ${c.runtime} (${c.source})`, () => {
      const e: EnvironmentSpec = c.variables ? { ...env, variables: { ...env.variables, ...c.variables } } : env;
      const r = evaluateCel(compileCel(c.expr, e), { authorizer, ...c.input });
      expect(r.kind === "value" ? r.cost : r).toBe(c.runtime);
    });
  }

  it("charges macro expansions as cel-go expands them, and conditional operands only when they run", () => {
    // Hand-expanded from cel-go parser/macro.go (all, exists, exists_one, map, filter) with the
    // per-step costs of interpreter/runtimecost.go; the two-variable forms' costs are in cost_test.go.
    const cost = (e: string) => {
      const r = evaluateCel(compileCel(e, spec(36)), {});
      return r.kind === "value" ? r.cost : -1;
    };
    expect(cost("[1, 2].all(v, v > 0)")).toBe(cost("[1, 2].all(i, v, v > 0)"));
    expect(cost("[1, 2].exists(v, v > 0)")).toBe(cost("[1, 2].exists(i, v, v > 0)"));
    expect(cost("[1, 2].exists_one(v, v > 0)")).toBe(cost("[1, 2].existsOne(i, v, v > 0)"));
    expect(cost("[1, 2].map(v, v + 1)")).toBe(cost("[1, 2].transformList(i, v, v + 1)"));
    expect(cost("[1, 2].map(v, v < 5, v + 1)")).toBe(cost("[1, 2].transformList(i, v, v < 5, v + 1)"));
    expect(cost("[1, 2].filter(v, v > 0)")).toBe(51);
    expect(cost("[1, 2, 3].all(v, v > 1)")).toBe(18);
    expect(cost("false && 1 + 1 == 2")).toBe(0);
    expect(cost("true ? 1 + 1 : 2 + 2 + 3")).toBe(1);
    // Equality of strings costs a tenth of the shorter one (rounded up): nothing for empty strings.
    expect(cost("'' == ''")).toBe(0);
    expect(cost("'a' in ['a', 'b', 'c']")).toBe(13);
    // has(): cel-go's runtimecost_test.go has(input.single_int32) 1 and
    // has(input.testAttr.nestedAttr) 2 with the presence test costing 1; Kubernetes makes it
    // free (environment/base.go CostTrackerOptions(interpreter.PresenceTestHasCost(false))).
    const self = (e: string) => {
      const r = evaluateCel(compileCel(e, { level: 36, variables: { self: "dyn" } }), { self: { a: { b: 1n } } });
      return r.kind === "value" ? r.cost : -1;
    };
    expect(self("has(self.a)")).toBe(0);
    expect(self("has(self.a.b)")).toBe(1);
  });
});

describe("runtime cost without the Kubernetes libraries' costs (StrictCostEnforcement off)", () => {
  // environment/base.go: StrictCostOpt (cel.CostTracking(&library.CostEstimator{})) is what makes
  // library calls cost by their arguments; without it cel-go's tracker costs a call it does not
  // know 1 (interpreter/runtimecost.go costCall), and keeps its own costs (startsWith, equality).
  const authorizer = new CelAuthorizer(() => ({ decision: "allow", reason: "" }), { username: "u", groups: [] });
  const cost = (e: string, libraryCosts: boolean) => {
    const r = evaluateCel(compileCel(e, { level: 36, variables: { authorizer: "kubernetes.authorization.Authorizer" }, libraryCosts }), { authorizer });
    return r.kind === "value" ? r.cost : r;
  };
  it("a library call costs 1 without them", () => {
    expect(cost("'ABCDEFGHIJABCDEFGHIJABCDEFGHIJ'.lowerAscii() == 'x'", true)).toBe(4);
    expect(cost("'ABCDEFGHIJABCDEFGHIJABCDEFGHIJ'.lowerAscii() == 'x'", false)).toBe(2);
    expect(cost("authorizer.group('apps').resource('deployments').check('get').allowed()", true)).toBe(350_004);
    expect(cost("authorizer.group('apps').resource('deployments').check('get').allowed()", false)).toBe(5);
  });
  it("cel-go's own call costs stay", () => {
    const e = "'ABCDEFGHIJABCDEFGHIJABCDEFGHIJ'.startsWith('A') && 'ABCDEFGHIJABCDEFGHIJ' + 'ABCDEFGHIJ' != ''";
    expect(cost(e, false)).toBe(cost(e, true));
    expect(cost(e, false)).toBeGreaterThan(4);
  });
  it("three authorization checks exceed the per-call limit only with them", () => {
    const e = ["get", "list", "watch"].map((v) => `authorizer.group('apps').resource('deployments').check('${v}').allowed()`).join(" && ");
    expect(cost(e, true)).toMatchObject({ kind: "error", message: "operation cancelled: actual cost limit exceeded" });
    expect(cost(e, false)).toBeLessThan(PER_CALL_LIMIT);
  });
});

describe("compile errors in cel-go's layout", () => {
  const issues = (expr: string) => compileCel(expr, { level: 36, variables: { object: "dyn", oldObject: "dyn" } }).issues;

  it("words and locates the common classes as cel-go does", () => {
    // k8s.io/apiserver/pkg/admission/plugin/cel/compile_test.go TestCompileValidatingPolicyExpression "invalid syntax".
    expect(issues("1 < 'asdf'")).toBe("ERROR: <input>:1:3: found no matching overload for '_<_' applied to '(int, string)'\n | 1 < 'asdf'\n | ..^");
    expect(issues("'asdf'.contains('x'")).toBe("ERROR: <input>:1:20: Syntax error: missing ')' at '<EOF>'\n | 'asdf'.contains('x'\n | ...................^");
    // compile_test.go "without params" / "invalid root var": undeclared reference to 'invalid'.
    expect(issues("object.foo < invalid.x")).toBe("ERROR: <input>:1:14: undeclared reference to 'invalid' (in container '')\n | object.foo < invalid.x\n | .............^");
    // pkg/apis/apiserver/validation/validation_test.go TestValidateClaimValidationRules "CEL expression compilation error".
    expect(issues("foo.bar")).toBe("ERROR: <input>:1:1: undeclared reference to 'foo' (in container '')\n | foo.bar\n | ^");
    // cel-go checker_test.go: the undeclared receiver of a macro is located at its identifier.
    expect(issues("x.filter(y, y.filter(z, z > 0))")?.split("\n")[0]).toBe("ERROR: <input>:1:1: undeclared reference to 'x' (in container '')");
    // cel-go's conditional overload: '_?_:_' at the '?' (beats cel input tests print '(bool, list(dyn), null)').
    expect(issues("true ? 'yes' : null")?.split("\n")[0]).toBe("ERROR: <input>:1:6: found no matching overload for '_?_:_' applied to '(bool, string, null)'");
    // cel-go errors.go noMatchingOverload: member calls print 'TARGET.(ARGS)' at the call's '('.
    expect(issues("'asdf'.contains(1)")?.split("\n")[0]).toBe("ERROR: <input>:1:16: found no matching overload for 'contains' applied to 'string.(int)'");
    // cel-go checker typeMismatch in a homogeneous literal, at the element.
    expect(issues("[1, 'a']")?.split("\n")[0]).toBe("ERROR: <input>:1:5: expected type 'int' but found 'string'");
  });

  it("names a type used as a value as cel-go's checker types it: `int` is a `type(int)` (checker/format.go FormatCELType, errors.go)", () => {
    const first = (expr: string) => issues(expr)?.split("\n")[0];
    // stdlib.Types declares the type names as identifiers of type(T); an unresolved overload
    // substitutes unbound type parameters with dyn (checker.go resolveOverload).
    expect(first("1 == int")).toBe("ERROR: <input>:1:3: found no matching overload for '_==_' applied to '(int, type(int))'");
    expect(first("[1] == list")).toBe("ERROR: <input>:1:5: found no matching overload for '_==_' applied to '(list(int), type(list(dyn)))'");
    expect(first("{'a': 1} == map")).toBe("ERROR: <input>:1:10: found no matching overload for '_==_' applied to '(map(string, int), type(map(dyn, dyn)))'");
    expect(first("null_type + 1")).toBe("ERROR: <input>:1:11: found no matching overload for '_+_' applied to '(type(null), int)'");
    expect(first("type(object) + 1")).toBe("ERROR: <input>:1:14: found no matching overload for '_+_' applied to '(type(dyn), int)'");
    expect(first("type(type(1)) < 2")).toBe("ERROR: <input>:1:15: found no matching overload for '_<_' applied to '(type(type(int)), int)'");
    expect(first("!int")).toBe("ERROR: <input>:1:1: found no matching overload for '!_' applied to '(type(int))'");
    expect(first("size(string)")).toBe("ERROR: <input>:1:5: found no matching overload for 'size' applied to '(type(string))'");
    expect(first("int.size()")).toBe("ERROR: <input>:1:9: found no matching overload for 'size' applied to 'type(int).()'");
    expect(first("'a'.startsWith(string)")).toBe("ERROR: <input>:1:15: found no matching overload for 'startsWith' applied to 'string.(type(string))'");
    // cel-go's checker asserts bool operands of && and || (cel-spec logic.textproto short_circuit_type_right).
    expect(first("int && true")).toBe("ERROR: <input>:1:1: expected type 'bool' but found 'type(int)'");
    // The conditional is the function `_?_:_(bool, A, A)` to the checker, located at its '?'.
    expect(first("int ? 1 : 2")).toBe("ERROR: <input>:1:5: found no matching overload for '_?_:_' applied to '(type(int), int, int)'");
    expect(first("1 ? 'a' : []")).toBe("ERROR: <input>:1:3: found no matching overload for '_?_:_' applied to '(int, string, list(dyn))'");
    expect(first("int[0]")).toBe("ERROR: <input>:1:4: found no matching overload for '_[_]' applied to '(type(int), int)'");
    expect(first("int['a']")).toBe("ERROR: <input>:1:4: found no matching overload for '_[_]' applied to '(type(int), string)'");
    expect(first("int.foo == 1")).toBe("ERROR: <input>:1:4: type 'type(int)' does not support field selection");
    // A literal's element types (joinTypes → typeMismatch): the declared parameters are kept.
    expect(first("[1, int]")).toBe("ERROR: <input>:1:5: expected type 'int' but found 'type(int)'");
    expect(first("[int, string]")).toBe("ERROR: <input>:1:7: expected type 'type(int)' but found 'type(string)'");
    // The valid uses keep working.
    for (const ok of ["type(1) == int", "int == type(1)", "type(object) == map", "type('a') != bytes", "[int, int].size() == 2", "type(type(1)) == type", "type(null) == null_type"]) {
      const c = compileCel(ok, { level: 36, variables: { object: "dyn" } });
      expect(c.error, ok).toBeUndefined();
      expect(evaluateCel(c, { object: { a: 1n } }), ok).toMatchObject({ kind: "value", value: true });
    }
  });

  it("words indexing and field selection on what has neither as cel-go does", () => {
    const first = (expr: string) => compileCel(expr, { level: 36, variables: { x: "list<int>" } }).issues?.split("\n")[0];
    // cel-go checker_test.go: `x[1u]` on a list.
    expect(first("x[1u]")).toBe("ERROR: <input>:1:2: found no matching overload for '_[_]' applied to '(list(int), uint)'");
    expect(first("'a'[0] == 'a'")).toBe("ERROR: <input>:1:4: found no matching overload for '_[_]' applied to '(string, int)'");
    expect(first("x.y == 1")).toBe("ERROR: <input>:1:2: type 'list(int)' does not support field selection");
    expect(first("(x + x)[1].single_int32 == size(x)")).toBe("ERROR: <input>:1:11: type 'int' does not support field selection");
  });

  it("words a quantifier whose predicate is not a bool as its expansion meets it (parser/macro.go makeQuantifier)", () => {
    const first = (expr: string) => compileCel(expr, { level: 36, variables: { x: "list<int>" } }).issues?.split("\n")[0];
    // cel-go checker_test.go (decls.NewVariable era): `x.all(e, 0)` is "expected type 'bool' but found 'int'" at the predicate, 1:10.
    expect(first("x.all(e, 0)")).toBe("ERROR: <input>:1:10: expected type 'bool' but found 'int'");
    expect(first("x.exists(e, 'a')")).toBe("ERROR: <input>:1:13: expected type 'bool' but found 'string'");
    expect(first("x.exists_one(e, e)")).toBe("ERROR: <input>:1:13: found no matching overload for '_?_:_' applied to '(int, int, int)'");
    expect(first("x.all(e, int)")).toBe("ERROR: <input>:1:10: expected type 'bool' but found 'type(int)'");
  });

  it("counts lines and columns in characters, wide ones as wide dots (common/errors.go ToDisplayString)", () => {
    expect(issues("object.a == 1 &&\n  foo")).toBe("ERROR: <input>:2:3: undeclared reference to 'foo' (in container '')\n |   foo\n | ..^");
    expect(issues("'é' + 1")).toBe("ERROR: <input>:1:5: found no matching overload for '_+_' applied to '(string, int)'\n | 'é' + 1\n | .\uff0e..^");
  });

  it("keeps the apiserver's prefix in evaluation of an expression that does not compile", () => {
    const r = evaluateCel(compileCel("1 + 'a'", spec(36)), {});
    expect(r.kind === "error" ? r.message : "").toBe("compilation failed: ERROR: <input>:1:3: found no matching overload for '_+_' applied to '(int, string)'\n | 1 + 'a'\n | ..^");
  });
});
