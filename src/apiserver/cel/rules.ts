/**
 * `x-kubernetes-validations` rules: compiled once per rule, evaluated against a value converted the
 * way kube-apiserver presents it to CEL (integers as `int`, escaped property names), with `self`,
 * `oldSelf` (transition rules run only when there is an old value), `messageExpression`, `reason`
 * and `fieldPath`.
 */
import type * as z from "zod";
import { defOf } from "../../meta/zod.js";
import type { ValidationRule } from "../../meta/index.js";
import { fieldError, FieldPath, metaOf, unwrap, type FieldError, type FieldErrorType, type PathSegment } from "../../meta/index.js";
import { kubernetesCelEnvironment } from "./library.js";
import { UnsupportedRegexError } from "./regex.js";

type Def = Record<string, unknown> & { type: string; format?: string };
type Schema = z.core.$ZodType;

interface AstNode {
  op: string;
  args: unknown;
  start?: number;
  end?: number;
}
type Program = ((ctx: Record<string, unknown>) => unknown) & { ast: AstNode };

/** A rule ready to run. */
export interface CompiledRule {
  rule: ValidationRule;
  /** Whether the rule refers to `oldSelf` (a transition rule: runs on updates only). */
  transition: boolean;
  /** Why the rule cannot be evaluated here (unsupported function, syntax, …); undefined when it can. */
  unsupported?: string;
  program?: Program;
  messageProgram?: Program;
}

/** The outcome of one rule on one value. */
export type RuleOutcome =
  | { status: "passed" }
  | { status: "failed"; message: string }
  | { status: "unevaluated"; reason: string };

const RESERVED = new Set([
  "true", "false", "null", "in", "as", "break", "const", "continue", "else", "for", "function", "if",
  "import", "let", "loop", "package", "namespace", "return", "var", "void", "while",
]);

/**
 * A property name as CEL expressions see it (Kubernetes escaping: `namespace` → `__namespace__`,
 * `a-b` → `a__dash__b`); undefined when the name cannot be used in CEL.
 *
 * @example
 * escapeCelProperty("x-y"); // "x__dash__y"
 */
export function escapeCelProperty(name: string): string | undefined {
  if (RESERVED.has(name)) return `__${name}__`;
  if (!/^[A-Za-z_][A-Za-z0-9_./-]*$/.test(name)) return undefined;
  return name.replace(/__/g, "__underscores__").replace(/\./g, "__dot__").replace(/-/g, "__dash__").replace(/\//g, "__slash__");
}

function walkAst(node: unknown, visit: (n: AstNode) => void): void {
  if (Array.isArray(node)) {
    for (const n of node) walkAst(n, visit);
    return;
  }
  if (node && typeof node === "object" && "op" in node) {
    visit(node as AstNode);
    walkAst((node as AstNode).args, visit);
  }
}

/** `matches` → `re2Matches` so that patterns follow RE2, as in Kubernetes. */
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
 * maps that manifests are made of, both mean "the key is present".
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

function usesOldSelf(ast: AstNode): boolean {
  let found = false;
  walkAst(ast, (n) => {
    if (n.op === "id" && n.args === "oldSelf") found = true;
  });
  return found;
}

function compileExpression(source: string): { program?: Program; error?: string; transition: boolean } {
  const env = kubernetesCelEnvironment();
  try {
    const first = env.parse(source) as unknown as Program;
    const step = rewriteMatches(source, first.ast);
    const stepAst = step === source ? first.ast : (env.parse(step) as unknown as Program).ast;
    const rewritten = rewriteHasOnIndex(step, stepAst);
    const program = (rewritten === source ? first : env.parse(rewritten)) as unknown as Program & { check(): { valid: boolean; error?: Error } };
    const checked = program.check();
    if (!checked.valid) return { error: firstLine(checked.error?.message ?? "does not type-check"), transition: usesOldSelf(program.ast) };
    return { program, transition: usesOldSelf(program.ast) };
  } catch (err) {
    return { error: firstLine((err as Error).message), transition: false };
  }
}

function firstLine(s: string): string {
  return s.split("\n")[0]!.trim();
}

const compiledRules = new WeakMap<ValidationRule, CompiledRule>();

/**
 * Compile one `x-kubernetes-validations` rule (cached per rule object).
 *
 * @example
 * const r = compileValidationRule({ rule: "self.min <= self.max", message: "min must not exceed max" });
 * evaluateRule(r, { min: 1n, max: 0n }); // { status: "failed", message: "min must not exceed max" }
 */
export function compileValidationRule(rule: ValidationRule): CompiledRule {
  const hit = compiledRules.get(rule);
  if (hit) return hit;
  const main = compileExpression(rule.rule);
  const out: CompiledRule = { rule, transition: main.transition };
  if (main.program) out.program = main.program;
  else out.unsupported = `the rule cannot be compiled here: ${main.error}`;
  if (rule.messageExpression) {
    const msg = compileExpression(rule.messageExpression);
    if (msg.program) out.messageProgram = msg.program;
  }
  compiledRules.set(rule, out);
  return out;
}

function isUnsupportedRuntime(err: unknown): string | undefined {
  if (err instanceof UnsupportedRegexError) return err.message;
  const msg = err instanceof Error ? err.message : String(err);
  if (/no such overload|found no matching overload|Unknown variable/i.test(msg)) return firstLine(msg);
  return undefined;
}

/**
 * Run a compiled rule. `self` and `oldSelf` must already be CEL values (see {@link toCelValue}).
 *
 * @example
 * evaluateRule(compileValidationRule({ rule: "self > 0" }), 3n); // { status: "passed" }
 */
export function evaluateRule(compiled: CompiledRule, self: unknown, oldSelf?: unknown): RuleOutcome {
  if (!compiled.program) return { status: "unevaluated", reason: compiled.unsupported ?? "not compiled" };
  const ctx: Record<string, unknown> = { self };
  if (oldSelf !== undefined) ctx.oldSelf = oldSelf;
  let result: unknown;
  try {
    result = compiled.program(ctx);
  } catch (err) {
    const unsupported = isUnsupportedRuntime(err);
    if (unsupported) return { status: "unevaluated", reason: unsupported };
    return { status: "failed", message: `${firstLine((err as Error).message)} evaluating rule: ${compiled.rule.rule}` };
  }
  if (result === true) return { status: "passed" };
  if (result !== false) return { status: "unevaluated", reason: `the rule returned ${typeof result}, not a boolean` };
  return { status: "failed", message: ruleMessage(compiled, ctx) };
}

function ruleMessage(compiled: CompiledRule, ctx: Record<string, unknown>): string {
  const { rule } = compiled;
  if (compiled.messageProgram) {
    try {
      const m = compiled.messageProgram(ctx);
      if (typeof m === "string" && m.trim() && !m.includes("\n")) return m;
    } catch {
      // Kubernetes falls back to message or the rule text when messageExpression fails.
    }
  }
  if (rule.message) return rule.message;
  return `failed rule: ${rule.rule}`;
}

/**
 * A JSON value as kube-apiserver hands it to CEL for a schema: integers as `int` (bigint), object
 * properties under their escaped names.
 *
 * @example
 * toCelValue(schema, { replicas: 3 }); // { replicas: 3n }
 */
export function toCelValue(schema: Schema | undefined, value: unknown): unknown {
  if (value === null || value === undefined) return value;
  const d = schema ? defOf(unwrap(schema)) : undefined;
  if (typeof value === "number") {
    if (d?.type === "number" && d.format === undefined) return value;
    return Number.isInteger(value) ? BigInt(value) : value;
  }
  if (Array.isArray(value)) {
    const el = d?.type === "array" ? (d.element as Schema) : undefined;
    return value.map((v) => toCelValue(el, v));
  }
  if (typeof value === "object") {
    const out: Record<string, unknown> = {};
    if (d?.type === "object") {
      const shape = d.shape as Record<string, Schema>;
      const catchall = d.catchall as Schema | undefined;
      for (const [k, v] of Object.entries(value)) {
        if (Object.hasOwn(shape, k)) {
          const name = escapeCelProperty(k);
          if (name !== undefined) out[name] = toCelValue(shape[k], v);
        } else out[k] = toCelValue(catchall && defOf(catchall).type !== "unknown" ? catchall : undefined, v);
      }
      return out;
    }
    const values = d?.type === "record" ? (d.valueType as Schema) : undefined;
    for (const [k, v] of Object.entries(value)) out[k] = toCelValue(values, v);
    return out;
  }
  return value;
}

/** A rule that could not be evaluated, and why. */
export interface UnevaluatedRule {
  path: PathSegment[];
  field: string;
  rule: string;
  reason: string;
}

/** The outcome of every rule in a value. */
export interface ValidationRulesResult {
  errors: FieldError[];
  unevaluated: UnevaluatedRule[];
  /** How many rules ran to a verdict. */
  evaluated: number;
}

/** Options of {@link checkValidationRules}. */
export interface CheckRulesOptions {
  /** The stored object on an update: enables transition rules (`oldSelf`). */
  oldValue?: unknown;
}

const REASONS = new Set<FieldErrorType>(["FieldValueInvalid", "FieldValueForbidden", "FieldValueRequired", "FieldValueDuplicate"]);

function celTypeName(v: unknown): string {
  if (Array.isArray(v)) return "array";
  if (v === null) return "null";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

/** `.spec.x['a.b'][0]` relative to a node, as segments. */
function parseFieldPath(fp: string): PathSegment[] | undefined {
  const out: PathSegment[] = [];
  const re = /\.([A-Za-z_][A-Za-z0-9_-]*)|\['((?:[^'\\]|\\.)*)'\]|\[(\d+)\]/y;
  let at = 0;
  while (at < fp.length) {
    re.lastIndex = at;
    const m = re.exec(fp);
    if (!m) return undefined;
    out.push(m[1] ?? (m[2] !== undefined ? m[2].replace(/\\(.)/g, "$1") : Number(m[3])));
    at = re.lastIndex;
  }
  return out;
}

function pathOf(segments: readonly PathSegment[], keys: readonly boolean[]): FieldPath {
  let p = FieldPath.root();
  segments.forEach((s, i) => {
    p = typeof s === "number" ? p.index(s) : keys[i] ? p.key(s) : p.child(s);
  });
  return p;
}

/** What the rule walk needs at a schema node, computed once per schema. */
interface RuleNode {
  validations: readonly ValidationRule[];
  /** Whether this node or anything below it has rules (subtrees without are not visited). */
  hasRules: boolean;
  type: string;
  shape?: Record<string, Schema>;
  /** The schema of keys outside the shape, when they are visited (not `unknown`/`never`). */
  catchall?: Schema;
  rawCatchall?: Schema;
  /** The names the shape's fields have in CEL (undefined when a name cannot be used there). */
  celNames?: Map<string, string | undefined>;
  /** Those names, for telling a key outside the shape apart from one. */
  celNameSet?: Set<string>;
  values?: Schema;
  element?: Schema;
  listMapKeys?: readonly string[];
}

const ruleNodes = new WeakMap<Schema, RuleNode>();
const rulesBelow = new WeakMap<Schema, boolean>();

function ruleNode(s: Schema): RuleNode {
  const known = ruleNodes.get(s);
  if (known) return known;
  const meta = metaOf(s);
  const d = defOf(unwrap(s));
  const node: RuleNode = { validations: meta.validations ?? [], hasRules: hasRulesBelow(s, new Set()), type: d.type };
  if (d.type === "object") {
    node.shape = d.shape as Record<string, Schema>;
    const catchall = d.catchall as Schema | undefined;
    if (catchall) node.rawCatchall = catchall;
    if (catchall && !["unknown", "never"].includes(defOf(catchall).type)) node.catchall = catchall;
    node.celNames = new Map(Object.keys(node.shape).map((k) => [k, escapeCelProperty(k)]));
    node.celNameSet = new Set([...node.celNames.values()].filter((n) => n !== undefined));
  } else if (d.type === "record") node.values = d.valueType as Schema;
  else if (d.type === "array") {
    node.element = d.element as Schema;
    if (meta.listType === "map") node.listMapKeys = meta.listMapKeys ?? [];
  }
  ruleNodes.set(s, node);
  return node;
}

/** Whether a schema or anything below it has rules (true for schemas that contain themselves). */
function hasRulesBelow(s: Schema, visiting: Set<Schema>): boolean {
  const known = rulesBelow.get(s);
  if (known !== undefined) return known;
  if (visiting.has(s)) return true;
  visiting.add(s);
  const d = defOf(unwrap(s));
  let found = Boolean(metaOf(s).validations?.length);
  if (!found && d.type === "object") {
    const catchall = d.catchall as Schema | undefined;
    found = Object.values(d.shape as Record<string, Schema>).some((c) => hasRulesBelow(c, visiting)) || (catchall !== undefined && hasRulesBelow(catchall, visiting));
  } else if (!found && d.type === "record") found = hasRulesBelow(d.valueType as Schema, visiting);
  else if (!found && d.type === "array") found = hasRulesBelow(d.element as Schema, visiting);
  visiting.delete(s);
  rulesBelow.set(s, found);
  return found;
}

/** No CEL value was made for a node's parent. */
const NO_CEL = Symbol("no CEL value");

/**
 * Evaluate every `x-kubernetes-validations` rule in a value against its schema, the way
 * kube-apiserver does on create (no old object: transition rules do not run) or update
 * (`oldValue`). Rules this evaluator cannot run are listed in `unevaluated`, never passed.
 *
 * @example
 * const { errors, unevaluated } = checkValidationRules(HTTPRoute, route);
 */
export function checkValidationRules(schema: Schema, value: unknown, options: CheckRulesOptions = {}): ValidationRulesResult {
  const result: ValidationRulesResult = { errors: [], unevaluated: [], evaluated: 0 };
  const segs: PathSegment[] = [];
  const keys: boolean[] = [];
  const hasOld = options.oldValue !== undefined;
  // `given` is the node's value as CEL sees it when its parent's was made (the same as
  // toCelValue(s, v)), or NO_CEL.
  const visit = (s: Schema, v: unknown, old: unknown, oldPresent: boolean, depth: number, given: unknown): void => {
    if (v === null || v === undefined || depth > 200) return;
    const node = ruleNode(s);
    if (!node.hasRules) return;
    let self = given;
    if (node.validations.length) {
      let oldSelf: unknown;
      for (const rule of node.validations) {
        const compiled = compileValidationRule(rule);
        if (compiled.transition && !oldPresent && !rule.optionalOldSelf) continue;
        if (!compiled.program) {
          result.unevaluated.push({ path: [...segs], field: pathOf(segs, keys).toString(), rule: rule.rule, reason: compiled.unsupported ?? "" });
          continue;
        }
        if (compiled.transition && !oldPresent) {
          result.unevaluated.push({ path: [...segs], field: pathOf(segs, keys).toString(), rule: rule.rule, reason: "optionalOldSelf rules need an absent oldSelf, which this evaluator does not model" });
          continue;
        }
        if (self === NO_CEL) self = toCelValue(s, v);
        if (compiled.transition) oldSelf ??= toCelValue(s, old);
        const outcome = evaluateRule(compiled, self, compiled.transition ? oldSelf : undefined);
        if (outcome.status === "unevaluated") {
          result.unevaluated.push({ path: [...segs], field: pathOf(segs, keys).toString(), rule: rule.rule, reason: outcome.reason });
          continue;
        }
        result.evaluated++;
        if (outcome.status === "failed") {
          const rel = rule.fieldPath ? parseFieldPath(rule.fieldPath) : undefined;
          const p = rel ? pathOf([...segs, ...rel], [...keys, ...rel.map(() => false)]) : pathOf(segs, keys);
          const type = rule.reason && REASONS.has(rule.reason as FieldErrorType) ? (rule.reason as FieldErrorType) : "FieldValueInvalid";
          result.errors.push(fieldError(type, p, outcome.message, type === "FieldValueInvalid" || type === "FieldValueDuplicate" ? celTypeName(v) : undefined));
        }
      }
    }
    const cel = self !== NO_CEL && self !== null && typeof self === "object" ? (self as Record<string, unknown>) : undefined;
    switch (node.type) {
      case "object": {
        if (typeof v !== "object" || Array.isArray(v)) return;
        const shape = node.shape!;
        const obj = v as Record<string, unknown>;
        for (const k in obj) {
          if (!Object.hasOwn(obj, k)) continue;
          const inShape = Object.hasOwn(shape, k);
          const cs = inShape ? shape[k] : node.catchall;
          if (!cs) continue;
          // The child's CEL value, unless a key outside the shape took its name there.
          let childCel: unknown = NO_CEL;
          if (cel) {
            if (inShape) {
              const name = node.celNames!.get(k);
              if (name !== undefined && !(name !== k && Object.hasOwn(obj, name) && !Object.hasOwn(shape, name))) childCel = cel[name];
            } else if (!node.celNameSet!.has(k)) childCel = cel[k];
          }
          const o = oldPresent && old && typeof old === "object" ? (old as Record<string, unknown>)[k] : undefined;
          segs.push(k);
          keys.push(cs === node.rawCatchall);
          visit(cs, obj[k], o, o !== undefined && o !== null, depth + 1, childCel);
          segs.pop();
          keys.pop();
        }
        return;
      }
      case "record": {
        if (typeof v !== "object" || Array.isArray(v)) return;
        const obj = v as Record<string, unknown>;
        for (const k in obj) {
          if (!Object.hasOwn(obj, k)) continue;
          const o = oldPresent && old && typeof old === "object" ? (old as Record<string, unknown>)[k] : undefined;
          segs.push(k);
          keys.push(true);
          visit(node.values!, obj[k], o, o !== undefined && o !== null, depth + 1, cel ? cel[k] : NO_CEL);
          segs.pop();
          keys.pop();
        }
        return;
      }
      case "array": {
        if (!Array.isArray(v)) return;
        const mapKeys = node.listMapKeys;
        const oldItems = oldPresent && Array.isArray(old) ? old : [];
        const celItems = Array.isArray(self) ? (self as unknown[]) : undefined;
        v.forEach((item, i) => {
          // Old list items correlate only through list-map keys, as in Kubernetes.
          let o: unknown;
          if (mapKeys && item && typeof item === "object") {
            o = oldItems.find((x) => x && typeof x === "object" && mapKeys.every((k) => (x as Record<string, unknown>)[k] === (item as Record<string, unknown>)[k]));
          }
          segs.push(i);
          keys.push(false);
          visit(node.element!, item, o, o !== undefined, depth + 1, celItems ? celItems[i] : NO_CEL);
          segs.pop();
          keys.pop();
        });
        return;
      }
      default:
        return;
    }
  };
  visit(schema, value, options.oldValue, hasOld, 0, NO_CEL);
  return result;
}
