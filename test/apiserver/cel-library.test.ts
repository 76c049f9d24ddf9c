import { describe, expect, it } from "vitest";
import { celEquals } from "../../src/apiserver/cel/values.js";
import { compileCel, evaluateCel, estimateCost, PER_CALL_LIMIT, type EnvironmentSpec } from "kubezod/cel";
import { celCases } from "../fixtures/cel/library-cases.js";
import { coreCases } from "../fixtures/cel/core-cases.js";
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
