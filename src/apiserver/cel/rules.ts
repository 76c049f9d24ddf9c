/**
 * `x-kubernetes-validations` rules: compiled once per rule, evaluated against a value converted the
 * way kube-apiserver presents it to CEL (integers as `int`, escaped property names), with `self`,
 * `oldSelf` (transition rules run only when there is an old value), `messageExpression`, `reason`
 * and `fieldPath`.
 */
import type * as z from "zod";
import { deepEqual } from "../../patch/json.js";
import { defOf } from "../../meta/zod.js";
import type { ValidationRule } from "../../meta/index.js";
import { fieldError, FieldPath, metaOf, unwrap, type FieldError, type FieldErrorType, type PathSegment } from "../../meta/index.js";
import { CEL_MINORS, type EnvironmentSpec } from "./library.js";
import { compileCel, evaluateCel, type CelProgram, type CompiledExpression } from "./compile.js";
import { PER_CALL_LIMIT, RUNTIME_COST_BUDGET } from "./cost.js";

type Def = Record<string, unknown> & { type: string; format?: string };
type Schema = z.core.$ZodType;

type Program = CelProgram;

/** A rule ready to run. */
export interface CompiledRule {
  rule: ValidationRule;
  /** Whether the rule refers to `oldSelf` (a transition rule: runs on updates only). */
  transition: boolean;
  /** Why the rule cannot be evaluated here (unsupported function, syntax, …); undefined when it can. */
  unsupported?: string;
  program?: Program;
  messageProgram?: Program;
  /** The compiled rule and message expression. */
  compiled?: CompiledExpression;
  messageCompiled?: CompiledExpression;
}

/** The outcome of one rule on one value. */
export type RuleOutcome =
  | { status: "passed"; cost?: number }
  | { status: "failed"; message: string; cost?: number; costExceeded?: boolean }
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

function ruleSpec(level: number): EnvironmentSpec {
  return { level, variables: { self: "dyn", oldSelf: "dyn" } };
}

function firstLine(s: string): string {
  return s.split("\n")[0]!.trim();
}

const compiledRules = new Map<number, WeakMap<ValidationRule, CompiledRule>>();

/**
 * Compile one `x-kubernetes-validations` rule (cached per rule object and minor). `minor` is the
 * Kubernetes minor whose libraries the rule may use (default: the newest).
 *
 * @example
 * const r = compileValidationRule({ rule: "self.min <= self.max", message: "min must not exceed max" });
 * evaluateRule(r, { min: 1n, max: 0n }); // { status: "failed", message: "min must not exceed max" }
 */
export function compileValidationRule(rule: ValidationRule, minor: number = CEL_MINORS.newest): CompiledRule {
  let byRule = compiledRules.get(minor);
  if (!byRule) compiledRules.set(minor, (byRule = new WeakMap()));
  const hit = byRule.get(rule);
  if (hit) return hit;
  const main = compileCel(rule.rule, ruleSpec(minor));
  const out: CompiledRule = { rule, transition: main.variables.has("oldSelf"), compiled: main };
  if (main.program) out.program = main.program;
  else out.unsupported = `the rule cannot be compiled here: ${main.error}`;
  if (rule.messageExpression) {
    const msg = compileCel(rule.messageExpression, ruleSpec(minor));
    out.messageCompiled = msg;
    if (msg.program) out.messageProgram = msg.program;
  }
  byRule.set(rule, out);
  return out;
}

function isUnsupportedRuntime(message: string): string | undefined {
  if (/no such overload|found no matching overload|Unknown variable|no such attribute\(s\)/i.test(message)) return firstLine(message);
  return undefined;
}

/**
 * Run a compiled rule. `self` and `oldSelf` must already be CEL values (see {@link toCelValue}).
 * `limit` is the cost the rule may reach (the apiserver's per-call limit by default).
 *
 * @example
 * evaluateRule(compileValidationRule({ rule: "self > 0" }), 3n); // { status: "passed" }
 */
export function evaluateRule(compiled: CompiledRule, self: unknown, oldSelf?: unknown, limit = PER_CALL_LIMIT): RuleOutcome {
  if (!compiled.program || !compiled.compiled) return { status: "unevaluated", reason: compiled.unsupported ?? "not compiled" };
  const ctx: Record<string, unknown> = { self };
  if (oldSelf !== undefined) ctx.oldSelf = oldSelf;
  const outcome = evaluateCel(compiled.compiled, ctx, limit);
  if (outcome.kind === "unevaluable") return { status: "unevaluated", reason: outcome.reason };
  if (outcome.kind === "error") {
    const unsupported = isUnsupportedRuntime(outcome.message);
    if (unsupported) return { status: "unevaluated", reason: unsupported };
    if (outcome.costExceeded) return { status: "failed", message: `call cost exceeds limit for rule: ${compiled.rule.rule}`, costExceeded: true, cost: limit };
    return { status: "failed", message: `${outcome.message} evaluating rule: ${compiled.rule.rule}` };
  }
  if (outcome.value === true) return { status: "passed", cost: outcome.cost };
  if (outcome.value !== false) return { status: "unevaluated", reason: `the rule returned ${typeof outcome.value}, not a boolean` };
  return { status: "failed", message: ruleMessage(compiled, ctx), cost: outcome.cost };
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
  /** The Kubernetes minor whose CEL libraries the rules use (default: the newest). */
  minor?: number;
  /**
   * Ratcheting (`CRDValidationRatcheting`, on by default from 1.30): on an update, a rule without
   * `oldSelf` whose value is unchanged from the old object's is not reported. Default: on for
   * updates when the minor is 30 or later.
   */
  ratcheting?: boolean;
}

/**
 * The apiserver's text when the rules of one object run past the runtime cost budget.
 *
 * @example
 * errors.some((e) => e.message === COST_BUDGET_EXCEEDED)
 */
export const COST_BUDGET_EXCEEDED = "validation failed due to running out of cost budget, no further validation rules will be run";


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
  const minor = options.minor ?? CEL_MINORS.newest;
  const ratchet = hasOld && (options.ratcheting ?? minor >= 30);
  let budget = RUNTIME_COST_BUDGET;
  let exhausted = false;
  // `given` is the node's value as CEL sees it when its parent's was made (the same as
  // toCelValue(s, v)), or NO_CEL.
  const visit = (s: Schema, v: unknown, old: unknown, oldPresent: boolean, depth: number, given: unknown): void => {
    if (v === null || v === undefined || depth > 200 || exhausted) return;
    const node = ruleNode(s);
    if (!node.hasRules) return;
    let self = given;
    if (node.validations.length) {
      let oldSelf: unknown;
      const unchanged = ratchet && oldPresent && deepEqual(v, old);
      for (const rule of node.validations) {
        if (exhausted) break;
        const compiled = compileValidationRule(rule, minor);
        if (unchanged && !compiled.transition) continue;
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
        const outcome = evaluateRule(compiled, self, compiled.transition ? oldSelf : undefined, Math.min(PER_CALL_LIMIT, budget));
        if (outcome.status !== "unevaluated") {
          budget -= outcome.cost ?? 0;
          if (outcome.status === "failed" && outcome.costExceeded && budget <= 0) {
            exhausted = true;
            result.errors.push(fieldError("FieldValueInvalid", pathOf(segs, keys), COST_BUDGET_EXCEEDED, celTypeName(v)));
            break;
          }
        }
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
