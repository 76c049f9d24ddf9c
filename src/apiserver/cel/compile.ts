/**
 * Compiling CEL expressions as Kubernetes compiles them: parse, type-check in the environment of
 * a library level, RE2 `matches`, cel-go's homogeneous aggregate literals and (from 1.29) regex
 * literal validation; cached by expression text and environment. Evaluation counts cost.
 */
import { celEnvironment, type EnvironmentSpec } from "./library.js";
import { baseCost, CostLimitError, instrument, PER_CALL_LIMIT, runWithCost } from "./cost.js";
import { regexError } from "./regex.js";
import { UnevaluableError } from "./authz.js";

interface AstNode {
  op: string;
  args: unknown;
  start?: number;
  end?: number;
  checkedType?: { name: string; kind: string; hasDynType?: boolean };
}

/** A program as the evaluator runs it. */
export type CelProgram = ((ctx: Record<string, unknown>) => unknown) & { ast: AstNode };

/** An expression compiled in one environment. */
export interface CompiledExpression {
  source: string;
  /** The program, when the expression compiles. */
  program?: CelProgram;
  /** Why it does not compile (the first line of the compiler's message). */
  error?: string;
  /** The variables it refers to. */
  variables: ReadonlySet<string>;
  /** The expression uses syntax this evaluator cannot parse (not a mistake in the expression). */
  unsupported?: boolean;
}

function walkAst(node: unknown, visit: (n: AstNode) => void, seen = new Set<unknown>()): void {
  if (!node || typeof node !== "object" || seen.has(node)) return;
  seen.add(node);
  if (Array.isArray(node)) {
    for (const n of node) walkAst(n, visit, seen);
    return;
  }
  if ("op" in node && "args" in node) {
    visit(node as AstNode);
    walkAst((node as AstNode).args, visit, seen);
  }
}

/** `matches` → `re2Matches`, so that patterns follow RE2 as in Kubernetes. */
function rewriteMatches(source: string, ast: AstNode): string {
  const edits: number[] = [];
  walkAst(ast, (n) => {
    const args = n.args as unknown[];
    if (n.op === "rcall" && args[0] === "matches") {
      const receiver = args[1] as AstNode;
      const from = receiver.end ?? 0;
      const m = /^[\s)]*\.\s*matches/.exec(source.slice(from));
      if (m) edits.push(from + m[0].length - "matches".length);
    } else if (n.op === "call" && args[0] === "matches" && n.start !== undefined) {
      edits.push(n.start);
    }
  });
  let out = source;
  for (const at of edits.sort((a, b) => b - a)) out = `${out.slice(0, at)}re2Matches${out.slice(at + "matches".length)}`;
  return out;
}

function containsIndex(node: unknown): boolean {
  let found = false;
  walkAst(node, (n) => {
    if (n.op === "[]" || n.op === "[?]") found = true;
  });
  return found;
}

/**
 * `has(a[0].b)` → `('b' in a[0])`: the evaluator only accepts `has()` on plain selections; on the
 * maps that objects are made of, both mean "the key is present".
 */
function rewriteHasOnIndex(source: string, ast: AstNode): string {
  const edits: Array<{ start: number; end: number; text: string }> = [];
  walkAst(ast, (n) => {
    const args = n.args as unknown[];
    if (n.op !== "call" || args[0] !== "has" || n.start === undefined || n.end === undefined) return;
    const arg = (args[1] as AstNode[] | undefined)?.[0];
    if (!arg || arg.op !== "." || !containsIndex(arg)) return;
    const inner = source.slice(n.start, n.end).replace(/^has\s*\(/, "").replace(/\)\s*$/, "");
    const m = /^([\s\S]*)\.\s*([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(inner);
    if (m) edits.push({ start: n.start, end: n.end, text: `(${JSON.stringify(m[2])} in (${m[1]}))` });
  });
  let out = source;
  for (const e of edits.sort((a, b) => b.start - a.start)) out = `${out.slice(0, e.start)}${e.text}${out.slice(e.end)}`;
  return out;
}

function isDyn(t: AstNode["checkedType"]): boolean {
  return !t || t.kind === "dyn" || t.hasDynType === true || t.kind === "param";
}

/** cel-go's homogeneous aggregate literal rule: mixed element types need `dyn()`. */
function homogeneityError(ast: AstNode): string | undefined {
  let error: string | undefined;
  const same = (types: Array<AstNode["checkedType"]>) => {
    let first: AstNode["checkedType"];
    for (const t of types) {
      if (isDyn(t)) continue;
      if (!first) first = t;
      else if (t!.name !== first.name && !error) error = `expected type '${first.name}' but found '${t!.name}'`;
    }
  };
  walkAst(ast, (n) => {
    if (n.op === "list" && Array.isArray(n.args)) same((n.args as AstNode[]).map((a) => a.checkedType));
    else if (n.op === "map" && Array.isArray(n.args)) {
      const entries = n.args as Array<[AstNode, AstNode]>;
      same(entries.map((e) => e[0]?.checkedType));
      same(entries.map((e) => e[1]?.checkedType));
    }
  });
  return error;
}

/** Regex literals that do not compile (`ValidateRegexLiterals`, from 1.29). */
function regexLiteralError(ast: AstNode): string | undefined {
  let error: string | undefined;
  walkAst(ast, (n) => {
    if (error || (n.op !== "rcall" && n.op !== "call")) return;
    const args = n.args as unknown[];
    const name = args[0];
    if (name !== "re2Matches" && name !== "find" && name !== "findAll") return;
    const params = (n.op === "rcall" ? args[2] : args[1]) as AstNode[] | undefined;
    const pattern = params?.[n.op === "call" ? 1 : 0];
    if (pattern?.op === "value" && typeof pattern.args === "string") {
      const e = regexError(pattern.args);
      if (e) error = `invalid matches argument: ${e}`;
    }
  });
  return error;
}

/** cel-go's wording for the evaluator's runtime errors. */
function goMessage(s: string): string {
  return s.replace(/^No such key: /, "no such key: ");
}

function firstLine(s: string): string {
  return s.split("\n")[0]!.trim();
}

const cache = new Map<string, CompiledExpression>();
const MAX_CACHE = 50_000;

function envKey(spec: EnvironmentSpec): string {
  return `${spec.level}|${spec.jsonPatch ? 1 : 0}|${Object.entries(spec.variables).map(([k, v]) => `${k}:${v}`).join(",")}`;
}

/**
 * Compile an expression in an environment (cached by text and environment).
 *
 * @example
 * const c = compileCel("object.spec.replicas <= 5", { level: 36, variables: { object: "dyn" } });
 * c.program?.({ object: { spec: { replicas: 3n } } }); // true
 */
export function compileCel(source: string, spec: EnvironmentSpec): CompiledExpression {
  const key = `${envKey(spec)}\u0000${source}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const env = celEnvironment(spec);
  const variables = new Set<string>();
  let out: CompiledExpression;
  try {
    const first = env.parse(source) as unknown as CelProgram;
    const step = rewriteMatches(source, first.ast);
    const stepAst = step === source ? first.ast : (env.parse(step) as unknown as CelProgram).ast;
    const rewritten = rewriteHasOnIndex(step, stepAst);
    const program = (rewritten === source ? first : env.parse(rewritten)) as unknown as CelProgram & { check(): { valid: boolean; error?: Error } };
    walkAst(program.ast, (n) => {
      if (n.op === "id" && typeof n.args === "string") variables.add(n.args);
    });
    const checked = program.check();
    let error = checked.valid ? undefined : firstLine(checked.error?.message ?? "does not type-check");
    error ??= homogeneityError(program.ast);
    if (spec.level >= 29) error ??= regexLiteralError(program.ast);
    if (error) out = { source, error, variables };
    else {
      instrument(program.ast);
      out = { source, program, variables };
    }
  } catch (err) {
    out = { source, error: firstLine((err as Error).message), variables };
    // Optional entries in list and map literals (`[?a, b]`, `{?k: v}`) are CEL the evaluator cannot parse.
    if (/[[{,]\s*\?/.test(source)) {
      out.unsupported = true;
      out.error = `${out.error} (optional entries in list and map literals are not supported by this evaluator)`;
    }
  }
  if (cache.size >= MAX_CACHE) cache.clear();
  cache.set(key, out);
  return out;
}

/** What evaluating an expression came to. */
export type CelOutcome =
  | { kind: "value"; value: unknown; cost: number }
  | { kind: "error"; message: string; costExceeded?: boolean }
  | { kind: "unevaluable"; reason: string };

/**
 * Evaluate a compiled expression with a cost limit (the apiserver's per-call limit by default).
 * Errors are results, never thrown; checks that cannot be answered offline are `unevaluable`.
 *
 * @example
 * evaluateCel(compileCel("1 + 1", { level: 36, variables: {} }), {}); // { kind: "value", value: 2n, cost: 1 }
 */
export function evaluateCel(compiled: CompiledExpression, ctx: Record<string, unknown>, limit = PER_CALL_LIMIT): CelOutcome {
  if (!compiled.program && compiled.unsupported) return { kind: "unevaluable", reason: `the expression cannot be compiled here: ${compiled.error}` };
  if (!compiled.program) return { kind: "error", message: `compilation failed: ${compiled.error}` };
  try {
    const { value, cost } = runWithCost(() => compiled.program!(ctx), limit, baseCost(compiled.program.ast));
    return { kind: "value", value, cost };
  } catch (err) {
    if (err instanceof UnevaluableError) return { kind: "unevaluable", reason: err.message };
    if (err instanceof CostLimitError) return { kind: "error", message: err.message, costExceeded: true };
    return { kind: "error", message: goMessage(firstLine((err as Error).message ?? String(err))) };
  }
}
