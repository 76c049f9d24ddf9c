import { Optional } from "@marcbachmann/cel-js";
import { compileCel, evaluateCel, type EnvironmentSpec } from "kubezod/cel";
import type { CelCase } from "../fixtures/cel/library-cases.js";

/** Values of one CEL type and equal as cel-spec compares results: no cross-type numeric equality, NaN equal to NaN, -0.0 apart from 0.0. */
function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === "number" && typeof b === "number") return Object.is(a, b) || a === b;
  if (typeof a !== typeof b) return false;
  if (a === null || typeof a !== "object" || b === null || typeof b !== "object") return a === b;
  if (a instanceof Uint8Array && b instanceof Uint8Array) return a.length === b.length && a.every((x, i) => x === b[i]);
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (a instanceof Optional && b instanceof Optional) return a.hasValue() === b.hasValue() && (!a.hasValue() || sameValue(a.value(), b.value()));
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime() && String((a as { nanos?: unknown }).nanos) === String((b as { nanos?: unknown }).nanos);
  if (a instanceof Map && b instanceof Map) return a.size === b.size && [...a].every(([k, v]) => b.has(k) && sameValue(v, b.get(k)));
  const ka = Object.keys(a);
  const ob = b as Record<string, unknown>;
  if (ka.length === 0 && Object.keys(ob).length === 0) return String(a) === String(b);
  return ka.length === Object.keys(ob).length && ka.every((k) => Object.hasOwn(ob, k) && sameValue((a as Record<string, unknown>)[k], ob[k]));
}

function show(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? `${x}n` : typeof x === "number" && !Number.isFinite(x) ? String(x) : x)) ?? String(v);
}

/** How kubezod's answer differs from the case's (cel-go's), or undefined when it agrees. */
export function divergence(c: CelCase): string | undefined {
  const none: EnvironmentSpec = { level: 36, variables: {} };
  const variables: Record<string, string> = {};
  const ctx: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(c.vars ?? {})) {
    variables[name] = v.type;
    if (v.value === undefined) continue;
    const bound = evaluateCel(compileCel(v.value, none), {});
    if (bound.kind !== "value") return `binding ${name} = ${v.value} does not evaluate: ${show(bound)}`;
    ctx[name] = bound.value;
  }
  let compiled;
  try {
    compiled = compileCel(c.expr, { level: 36, variables });
  } catch (err) {
    return `compiling throws ${(err as Error).message}`;
  }
  if (c.compileError) {
    if (compiled.error === undefined) return `compiles; cel-go: ${c.compileError.source}`;
    return c.compileError.test(compiled.error) ? undefined : `compile error ${JSON.stringify(compiled.error)}; cel-go: ${c.compileError.source}`;
  }
  if (compiled.error !== undefined) return `does not compile: ${compiled.error}`;
  if (c.checkOnly) return undefined;
  const got = evaluateCel(compiled, ctx);
  if (c.runtimeError) return got.kind === "error" && c.runtimeError.test(got.message) ? undefined : `evaluates to ${show(got)}; cel-go: an error`;
  if (got.kind !== "value") return `evaluation: ${show(got)}`;
  const want = evaluateCel(compileCel(c.want!, none), {});
  if (want.kind !== "value") return `the expected value ${c.want} does not evaluate: ${show(want)}`;
  return sameValue(got.value, want.value) ? undefined : `evaluates to ${show(got.value)}; cel-go: ${c.want}`;
}

