/**
 * Compiling CEL expressions as Kubernetes compiles them: parse, type-check in the environment of
 * a library level, RE2 `matches`, cel-go's homogeneous aggregate literals and (from 1.29) regex
 * literal validation; cached by expression text and environment. Evaluation counts cost.
 */
import { celEnvironment, environmentKey, type EnvironmentSpec } from "./library.js";
import { baseCost, CostLimitError, instrument, PER_CALL_LIMIT, runWithCost } from "./cost.js";
import { regexError } from "../../meta/re2.js";
import { UnevaluableError } from "./authz.js";
import { rewriteOptionalEntries } from "./optional-entries.js";
import { normalizeLiterals } from "./literals.js";
import { formatLiteralError } from "./format.js";
import { checkIssue, formatIssues, goTypeText, parseIssue, typeValueName, type EvaluatorError, type Issue } from "./issues.js";

interface AstNode {
  op: string;
  args: unknown;
  start?: number;
  end?: number;
  checkedType?: { name: string; kind: string; hasDynType?: boolean; keyType?: unknown; valueType?: unknown };
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
  /**
   * Why it does not compile in cel-go's layout, as kube-apiserver prints it after
   * `compilation failed: ` (`ERROR: <input>:1:3: …`, the source line and a caret line).
   */
  issues?: string;
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

/** Whether a selection chain bottoms out at a variable through plain `.` selections only. */
function isPlainChain(node: AstNode): boolean {
  if (node.op === "id") return true;
  return node.op === "." && Array.isArray(node.args) && isPlainChain(node.args[0] as AstNode);
}

/** Whether a selection chain has an optional selection (`a.?b`) in it. */
function hasOptionalSelect(node: AstNode): boolean {
  if ((node.op === "." || node.op === ".?" || node.op === "[]" || node.op === "[?]") && Array.isArray(node.args)) {
    return node.op === ".?" || node.op === "[?]" || hasOptionalSelect(node.args[0] as AstNode);
  }
  return false;
}

/**
 * `has(a[0].b)`, `has({'a': 1}.a)`, `has(dyn(x).b)` → `('b' in …)`: the evaluator only accepts
 * `has()` on selections from a variable, cel-go on any selection; on the maps that objects are
 * made of, both mean "the key is present".
 */
function rewriteHasOnIndex(source: string, ast: AstNode): string {
  const edits: Array<{ start: number; end: number; text: string }> = [];
  walkAst(ast, (n) => {
    const args = n.args as unknown[];
    if (n.op !== "call" || args[0] !== "has" || n.start === undefined || n.end === undefined) return;
    const arg = (args[1] as AstNode[] | undefined)?.[0];
    if (!arg || arg.op !== "." || !Array.isArray(arg.args)) return;
    const base = arg.args[0] as AstNode;
    if (isPlainChain(base) && !hasOptionalSelect(base)) return;
    const inner = source.slice(n.start, n.end).replace(/^has\s*\(/, "").replace(/\)\s*$/, "");
    const m = /^([\s\S]*)\.\s*([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(inner);
    if (m) edits.push({ start: n.start, end: n.end, text: `(${JSON.stringify(m[2])} in (${m[1]}))` });
  });
  let out = source;
  for (const e of edits.sort((a, b) => b.start - a.start)) out = `${out.slice(0, e.start)}${e.text}${out.slice(e.end)}`;
  return out;
}

/** A checked type as the evaluator describes it. */
interface CheckedType {
  kind: string;
  name?: string;
  keyType?: CheckedType;
  valueType?: CheckedType;
}

const DYN: CheckedType = { kind: "dyn", name: "dyn" };

/** Types `null` is assignable to (cel-go's `internalIsAssignableNull`: abstract types such as optionals, messages, timestamps, durations). */
function isNullable(t: CheckedType): boolean {
  return t.kind === "optional" || t.kind === "message" || t.name === "null" || t.name === "google.protobuf.Timestamp" || t.name === "google.protobuf.Duration";
}

/**
 * cel-go's `joinTypes` for aggregate literals: the next element's type must be assignable to
 * what the earlier ones came to (type parameters of empty literals bind to the other side, `dyn`
 * absorbs everything, `null` joins nullable types); the join is the more general of the two.
 * Undefined when the types do not join.
 */
function joinTypes(a: CheckedType, b: CheckedType): CheckedType | undefined {
  if (a.kind === "param") return b;
  if (b.kind === "param") return a;
  if (a.kind === "dyn" || b.kind === "dyn") return DYN;
  if (a.name === "null" || b.name === "null") {
    const other = a.name === "null" ? b : a;
    return isNullable(other) ? other : undefined;
  }
  if (a.kind !== b.kind) return undefined;
  if (a.kind === "list" || a.kind === "optional") {
    const v = a.valueType && b.valueType ? joinTypes(a.valueType, b.valueType) : undefined;
    return v ? { kind: a.kind, name: a.name, valueType: v } : undefined;
  }
  if (a.kind === "map") {
    const k = a.keyType && b.keyType ? joinTypes(a.keyType, b.keyType) : undefined;
    const v = a.valueType && b.valueType ? joinTypes(a.valueType, b.valueType) : undefined;
    return k && v ? { kind: "map", name: a.name, keyType: k, valueType: v } : undefined;
  }
  return a.name === b.name ? a : undefined;
}

/** A type as cel-go prints it in a type mismatch (`list(int)`, `map(string, dyn)`). */
function goTypeName(t: CheckedType): string {
  if (t.kind === "list") return `list(${t.valueType ? goTypeName(t.valueType) : "dyn"})`;
  if (t.kind === "map") return `map(${t.keyType ? goTypeName(t.keyType) : "dyn"}, ${t.valueType ? goTypeName(t.valueType) : "dyn"})`;
  if (t.kind === "optional") return `optional_type(${t.valueType ? goTypeName(t.valueType) : "dyn"})`;
  if (t.kind === "param") return `_var0`;
  return t.name ?? t.kind;
}

/** The arguments of a call, member call or not. */
function callArgs(n: AstNode): AstNode[] {
  const args = n.args as unknown[];
  return ((n.op === "rcall" ? args[2] : args[1]) as AstNode[] | undefined) ?? [];
}

/**
 * Literals exempt from the homogeneity rule: list and map literals given to `format` and those
 * nested in them (cel-go validator.go inExemptFunction; ext/formatting.go adds `format`).
 */
function exemptLiterals(ast: AstNode): Set<AstNode> {
  const exempt = new Set<AstNode>();
  const mark = (n: AstNode | undefined) => {
    if (!n || (n.op !== "list" && n.op !== "map") || !Array.isArray(n.args)) return;
    exempt.add(n);
    if (n.op === "list") for (const e of n.args as AstNode[]) mark(e);
    else for (const [k, v] of n.args as Array<[AstNode, AstNode]>) (mark(k), mark(v));
  };
  walkAst(ast, (n) => {
    if ((n.op === "rcall" || n.op === "call") && (n.args as unknown[])[0] === "format") for (const a of callArgs(n)) mark(a);
  });
  return exempt;
}

/** cel-go's homogeneous aggregate literal rule: element types must join (mixed types need `dyn()`). */
function homogeneityError(ast: AstNode): Issue | undefined {
  let error: Issue | undefined;
  const exempt = exemptLiterals(ast);
  const same = (nodes: Array<AstNode | undefined>) => {
    let joined: CheckedType | undefined;
    // Types among the elements are values of `type(int)`, `type(string)`, … to cel-go, which do
    // not join (`[int, string]`), and read so in the message (`[1, int]`).
    let joinedTypeValue: string | undefined;
    const free = (name: string | undefined) => name !== undefined && !/\b[AB]\b/.test(name);
    for (const n of nodes) {
      const t = n?.checkedType as CheckedType | undefined;
      if (!t || error) continue;
      const typeValue = typeValueName(n, "declared");
      if (!joined) {
        joined = t;
        joinedTypeValue = typeValue;
        continue;
      }
      const next = joinTypes(joined, t);
      if (!next || (free(joinedTypeValue) && free(typeValue) && joinedTypeValue !== typeValue)) {
        error = { message: `expected type '${joinedTypeValue ?? goTypeName(joined)}' but found '${typeValue ?? goTypeName(t)}'`, offset: n?.start ?? 0 };
      } else joined = next;
    }
  };
  walkAst(ast, (n) => {
    if (exempt.has(n)) return;
    if (n.op === "list" && Array.isArray(n.args)) same(n.args as AstNode[]);
    else if (n.op === "map" && Array.isArray(n.args)) {
      const entries = n.args as Array<[AstNode, AstNode]>;
      same(entries.map((e) => e[0]));
      same(entries.map((e) => e[1]));
    }
  });
  return error;
}

/**
 * A type used where cel-go's checker refuses one that this evaluator lets through: a field of a
 * type (`int.foo`: `type 'type(int)' does not support field selection`) or an index into one
 * (`int['a']`: no overload of `_[_]` for it).
 */
function typeValueError(ast: AstNode, source: string): Issue | undefined {
  let error: Issue | undefined;
  walkAst(ast, (n) => {
    if (error || (n.op !== "." && n.op !== ".?" && n.op !== "[]" && n.op !== "[?]")) return;
    const [target, index] = n.args as [AstNode | undefined, AstNode | string | undefined];
    const type = typeValueName(target);
    if (!type || target?.end === undefined) return;
    if (n.op === "." || n.op === ".?") {
      const at = source.indexOf(".", target.end);
      error = { message: `type '${type}' does not support field selection`, offset: at >= 0 ? at : (n.start ?? 0) };
    } else if (typeof index === "object" && index?.checkedType) {
      const at = source.indexOf("[", target.end);
      const indexType = typeValueName(index) ?? goTypeName(index.checkedType as CheckedType);
      error = { message: `found no matching overload for '_[_]' applied to '(${type}, ${indexType})'`, offset: at >= 0 ? at : (n.start ?? 0) };
    }
  });
  return error;
}

/**
 * A conditional whose condition is not a bool, as cel-go's checker words it: the `_?_:_` function
 * found no overload for the condition's and the branches' types (`'(int, string, string)'`), at the
 * `?`. The branches' types come from checking them on their own (a branch that reads a
 * comprehension's variable cannot be: the evaluator's wording is kept then).
 */
function conditionalIssue(err: EvaluatorError, ast: AstNode, source: string, env: { check(expression: string): { valid: boolean; type?: string } }): Issue | undefined {
  const m = /^Ternary condition must be bool, got '(.+)'$/.exec(err.summary ?? "");
  const cond = err.node as AstNode | undefined;
  if (!m || !cond || cond.end === undefined) return undefined;
  let parent: AstNode | undefined;
  walkAst(ast, (n) => {
    if (!parent && n.op === "?:" && Array.isArray(n.args) && n.args[0] === cond) parent = n;
  });
  if (!parent) return undefined;
  const branchType = (b: AstNode | undefined): string | undefined => {
    if (!b) return undefined;
    const typeValue = typeValueName(b);
    if (typeValue) return typeValue;
    if (b.checkedType) return goTypeName(b.checkedType as CheckedType);
    if (b.start === undefined || b.end === undefined) return undefined;
    const r = env.check(source.slice(b.start, b.end));
    if (!r.valid || !r.type) return undefined;
    // The evaluator names list<dyn> and map<dyn, dyn> `list` and `map`.
    return r.type === "list" ? "list(dyn)" : r.type === "map" ? "map(dyn, dyn)" : goTypeText(r.type);
  };
  const [, left, right] = parent.args as AstNode[];
  // An unresolved overload names unbound type parameters dyn (`[]` is a list(dyn) there).
  const types = [branchType(left), branchType(right)].map((t) => t?.replace(/\b(?:[A-Z]|_var\d+)\b/g, "dyn"));
  if (types.some((t) => t === undefined)) return undefined;
  const at = source.indexOf("?", cond.end);
  return { message: `found no matching overload for '_?_:_' applied to '(${typeValueName(cond) ?? goTypeText(m[1]!)}, ${types.join(", ")})'`, offset: at >= 0 ? at : (cond.start ?? 0) };
}

/**
 * A quantifier macro whose predicate is not a bool, as cel-go's checker meets it in the macro's
 * expansion (parser/macro.go makeQuantifier): `accu && p` for `all` and `accu || p` for `exists`
 * assert a bool operand, reported at the predicate (checker_test.go: `x.all(e, 0)` is
 * `expected type 'bool' but found 'int'` at 1:10); `p ? accu + 1 : accu` for `exists_one` finds
 * no overload of the conditional, at the `(` of the call.
 */
function quantifierIssue(err: EvaluatorError, ast: AstNode, source: string): Issue | undefined {
  const m = /^(all|exists|exists_one)\(var, predicate\) predicate must return bool, got '(.+)'$/.exec(err.summary ?? "");
  const predicate = err.node as AstNode | undefined;
  if (!m || !predicate) return undefined;
  const type = typeValueName(predicate) ?? goTypeText(m[2]!);
  if (m[1] !== "exists_one") return { message: `expected type 'bool' but found '${type}'`, offset: predicate.start ?? 0 };
  let call: AstNode | undefined;
  walkAst(ast, (n) => {
    const args = n.args as unknown[];
    if (!call && n.op === "rcall" && Array.isArray(args) && args[0] === m[1] && Array.isArray(args[2]) && args[2].includes(predicate)) call = n;
  });
  const receiver = call ? ((call.args as unknown[])[1] as AstNode | undefined) : undefined;
  if (!receiver || receiver.end === undefined) return undefined;
  const at = source.indexOf("(", receiver.end);
  return { message: `found no matching overload for '_?_:_' applied to '(${type}, int, int)'`, offset: at >= 0 ? at : (predicate.start ?? 0) };
}

/** Regex literals that do not compile (`ValidateRegexLiterals`, from 1.29). */
function regexLiteralError(ast: AstNode): Issue | undefined {
  let error: Issue | undefined;
  walkAst(ast, (n) => {
    if (error || (n.op !== "rcall" && n.op !== "call")) return;
    const args = n.args as unknown[];
    const name = args[0];
    if (name !== "re2Matches" && name !== "find" && name !== "findAll") return;
    const params = (n.op === "rcall" ? args[2] : args[1]) as AstNode[] | undefined;
    const pattern = params?.[n.op === "call" ? 1 : 0];
    if (pattern?.op === "value" && typeof pattern.args === "string") {
      const e = regexError(pattern.args);
      if (e) error = { message: `invalid matches argument: ${e}`, offset: pattern.start ?? 0 };
    }
  });
  return error;
}

/** A checked type as cel-go's format validator names it (`list`, `map`, `null`). */
function formatArgType(n: AstNode): string {
  const t = n.checkedType;
  if (!t) return "dyn";
  if (t.kind === "list" || t.kind === "map") return t.kind;
  return t.name === "dyn" || t.kind === "dyn" ? "dyn" : t.name;
}

/** `'<literal>'.format([<list literal>])` that cel-go's format validator refuses (from 1.29, with strings v1+). */
function formatCallError(ast: AstNode, source: string): Issue | undefined {
  let error: Issue | undefined;
  walkAst(ast, (n) => {
    if (error || n.op !== "rcall" || (n.args as unknown[])[0] !== "format") return;
    const receiver = (n.args as unknown[])[1] as AstNode;
    const [list, ...rest] = callArgs(n);
    if (receiver?.op !== "value" || typeof receiver.args !== "string" || list?.op !== "list" || rest.length) return;
    const elements = list.args as AstNode[];
    const e = formatLiteralError(receiver.args, elements.map(formatArgType));
    if (!e) return;
    const at = e.arg === undefined ? (receiver.end === undefined ? -1 : source.indexOf("(", receiver.end)) : (elements[e.arg]?.start ?? -1);
    error = { message: e.message, offset: at >= 0 ? at : (n.start ?? 0) };
  });
  return error;
}

const functionNames = new WeakMap<object, ReadonlySet<string>>();

/** The names of the functions an environment declares (`startsWith`, `quote` of `strings.quote`). */
function declaredFunctions(env: { getDefinitions(): { functions: Array<{ name: string }> } }): ReadonlySet<string> {
  let names = functionNames.get(env);
  if (!names) {
    names = new Set(env.getDefinitions().functions.map((f) => f.name));
    functionNames.set(env, names);
  }
  return names;
}

/** A call of a function no overload of which is declared is an undeclared reference to cel-go's checker (`f(1)`, `a.f()`). */
function undeclaredFunction(issue: Issue, env: { getDefinitions(): { functions: Array<{ name: string }> } }): Issue {
  const m = /^found no matching overload for '([A-Za-z_]\w*)' applied to /.exec(issue.message);
  return m && !declaredFunctions(env).has(m[1]!) ? { ...issue, message: `undeclared reference to '${m[1]}' (in container '')` } : issue;
}

/** `cel.bind(…)` where the environment has no ext.Bindings: `cel` is then an undeclared identifier to cel-go. */
function bindingsError(ast: AstNode): Issue | undefined {
  let error: Issue | undefined;
  walkAst(ast, (n) => {
    if (error || n.op !== "rcall" || !Array.isArray(n.args)) return;
    const args = n.args as unknown[];
    const target = args[1] as AstNode | undefined;
    if (args[0] === "bind" && target?.op === "id" && target.args === "cel") error = { message: "undeclared reference to 'cel' (in container '')", offset: target.start ?? 0 };
  });
  return error;
}

/** cel-go's wording for the evaluator's runtime errors. */
function goMessage(s: string): string {
  // A declared variable the activation does not bind is a missing attribute to cel-go.
  return s.replace(/^No such key: /, "no such key: ").replace(/^Unknown variable: (\S+)$/, "no such attribute(s): $1");
}

function firstLine(s: string): string {
  return s.split("\n")[0]!.trim();
}

const cache = new Map<string, CompiledExpression>();
const MAX_CACHE = 50_000;

function envKey(spec: EnvironmentSpec): string {
  return environmentKey(spec);
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
  // Optional entries of literals become calls the evaluator can parse (from 1.28, with optional types).
  const literal = normalizeLiterals(source);
  const text = spec.level >= 28 ? rewriteOptionalEntries(literal) : literal;
  try {
    const first = env.parse(text) as unknown as CelProgram & { check(): { valid: boolean; error?: Error } };
    const step = rewriteMatches(text, first.ast);
    const stepAst = step === text ? first.ast : (env.parse(step) as unknown as CelProgram).ast;
    const rewritten = rewriteHasOnIndex(step, stepAst);
    const program = (rewritten === text ? first : env.parse(rewritten)) as unknown as CelProgram & { check(): { valid: boolean; error?: Error } };
    walkAst(program.ast, (n) => {
      if (n.op === "id" && typeof n.args === "string") variables.add(n.args);
    });
    const checked = program.check();
    let issue: Issue | undefined;
    if (!checked.valid) {
      // Locate the error in the source as written: the rewritten program's offsets may differ.
      const original = program === first ? checked : first.check();
      const err = (original.valid ? checked.error : original.error) as EvaluatorError | undefined;
      const checkedText = original.valid ? rewritten : text;
      const checkedAst = (original.valid ? program : first).ast;
      issue = err
        ? (conditionalIssue(err, checkedAst, checkedText, env) ?? quantifierIssue(err, checkedAst, checkedText) ?? checkIssue(err, checkedText))
        : { message: "does not type-check", offset: 0 };
      if (original.valid) issue.offset = 0;
      issue = undeclaredFunction(issue, env);
    }
    if (!spec.bindings) issue ??= bindingsError(program.ast);
    issue ??= homogeneityError(program.ast);
    // Offsets in a rewritten text are not the written expression's: judged on the text as written.
    if (program === first) issue ??= typeValueError(program.ast, text);
    if (spec.level >= 29) issue ??= regexLiteralError(program.ast);
    if (spec.level >= 29 && !issue) {
      issue = formatCallError(program.ast, rewritten);
      if (issue && program !== first) issue.offset = 0;
    }
    // Offsets in a text rewritten for optional entries are not the written expression's: no layout then.
    if (issue) out = { source, error: issue.message, ...(text === source ? { issues: formatIssues(text, [issue]) } : {}), variables };
    else {
      instrument(program.ast, spec.libraryCosts !== false);
      out = { source, program, variables };
    }
  } catch (err) {
    const issue = parseIssue(err as EvaluatorError);
    out = { source, error: firstLine((err as Error).message), ...(text === source ? { issues: formatIssues(text, [issue]) } : {}), variables };
    // Optional entries the rewrite could not place (in message literals `T{?f: v}`) are CEL the evaluator cannot parse.
    if (/[[{,]\s*\?/.test(text)) {
      out.unsupported = true;
      out.error = `${out.error} (optional entries in message literals are not supported by this evaluator)`;
    }
  }
  if (cache.size >= MAX_CACHE) cache.clear();
  cache.set(key, out);
  return out;
}

/** What evaluating an expression came to. */
export type CelOutcome =
  | { kind: "value"; value: unknown; cost: number }
  | { kind: "error"; message: string; costExceeded?: boolean; cost?: number }
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
  if (!compiled.program) return { kind: "error", message: `compilation failed: ${compiled.issues ?? compiled.error}` };
  const spent = { cost: 0 };
  try {
    const { value, cost } = runWithCost(() => compiled.program!(ctx), limit, baseCost(compiled.program.ast), spent);
    return { kind: "value", value, cost };
  } catch (err) {
    if (err instanceof UnevaluableError) return { kind: "unevaluable", reason: err.message };
    if (err instanceof CostLimitError) return { kind: "error", message: err.message, costExceeded: true, cost: spent.cost };
    // A message laid out by its thrower (a composited variable's compilation issues) is kept whole.
    if ((err as { celMessage?: boolean }).celMessage) return { kind: "error", message: (err as Error).message, cost: spent.cost };
    return { kind: "error", message: goMessage(firstLine((err as Error).message ?? String(err))), cost: spent.cost };
  }
}
