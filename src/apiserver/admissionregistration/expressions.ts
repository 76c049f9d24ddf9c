/**
 * Compiling the CEL expressions of admission policies and webhook match conditions when the object
 * is written, as kube-apiserver's validation does (`validateCELCondition`,
 * `convertCELErrorToValidationError`): an expression that does not compile is
 * `Invalid value: "<expr>": compilation failed: …`; one whose type is not what its field must
 * evaluate to is `must evaluate to bool` (`must evaluate to one of [string null_type]`) — a
 * `dyn` result included, as cel-go's output type must be the return type itself. A new
 * expression is compiled with the previous minor's libraries (`NewExpressions`); one the stored
 * object already has, with the minor's own (`StoredExpressions`).
 *
 * The text after `compilation failed: ` is laid out as cel-go's issues (`ERROR: <input>:1:3: …`,
 * the source line, a caret line); undeclared references, overloads and literal types read as
 * cel-go's, syntax errors keep this evaluator's wording after `Syntax error: `.
 */
import { FieldPath, invalid, type FieldError } from "../field.js";
import { celEngine } from "../cel-engine.js";
import type { EnvironmentSpec } from "../cel/library.js";
import { isRecord } from "../../meta/values.js";
import type { ApiContext } from "../context.js";

type Obj = Record<string, unknown>;

/** What a field's expression must evaluate to (`ReturnTypes`); `any` for variables and mutations. */
export type ReturnTypes = readonly string[] | "any";

/** Compile one expression of the object; its errors at `path`. */
export type CheckExpression = (expression: string, path: FieldPath, returns: ReturnTypes, options?: { mutation?: boolean }) => FieldError[];

/** The variables of webhook match conditions (no params, namespace object or variables). */
const WEBHOOK_VARIABLES: Readonly<Record<string, string>> = {
  object: "dyn",
  oldObject: "dyn",
  request: "dyn",
  authorizer: "kubernetes.authorization.Authorizer",
};

const EXPRESSION_KEYS = new Set(["expression", "messageExpression", "valueExpression"]);

/** Every expression text the stored object has (`preexistingExpressions`). */
function expressionsOf(value: unknown, out: Set<string>, depth = 0): Set<string> {
  if (depth > 32) return out;
  if (Array.isArray(value)) for (const v of value) expressionsOf(v, out, depth + 1);
  else if (isRecord(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (EXPRESSION_KEYS.has(k) && typeof v === "string") out.add(v);
      else if (typeof v === "object") expressionsOf(v, out, depth + 1);
    }
  }
  return out;
}

/**
 * Variables whose types here may be less precise than kube-apiserver's: `variables` (a variable
 * this checker types `dyn` may have a concrete type in cel-go; match conditions see it `dyn`),
 * `authorizer`, and for webhooks `request`.
 */
const TYPED_THERE = ["variables", "authorizer"];
const TYPED_THERE_WEBHOOK = ["request", "variables", "authorizer"];

/**
 * The type a compiled expression evaluates to, as the return-type check compares it
 * (`ast.OutputType() == returnType`), when this environment can know it: a `dyn` result counts
 * only when nothing it refers to may be typed more precisely in kube-apiserver than here
 * (`object`, `oldObject`, `params` and `request.options` are `dyn` there too).
 */
function outputType(program: unknown, variables: ReadonlySet<string>, loose: readonly string[]): string | undefined {
  const t = (program as { ast?: { checkedType?: { kind?: string; name?: string } } }).ast?.checkedType;
  if (!t || !t.name || t.kind === "param") return undefined;
  if (t.kind === "dyn") return loose.some((v) => variables.has(v)) ? undefined : "dyn";
  return t.name === "null" ? "null_type" : t.name;
}

/** Which variables an expression at `path` of a policy sees (`spec.variables[3]` those before it; match conditions none). */
function variablesSeen(path: string): number | "all" | "none" {
  if (path.startsWith("spec.matchConditions")) return "none";
  const m = /^spec\.variables\[(\d+)\]/.exec(path);
  return m ? Number(m[1]) : "all";
}

/**
 * A checker for the expressions of one object: policies (`mutating` for MutatingAdmissionPolicy)
 * or webhook configurations.
 *
 * @example
 * const check = expressionChecker({ kind: "policy" }, ctx);
 * check("object.spec.replicas <= 5", FieldPath.of("spec", "validations").index(0).child("expression"), ["bool"]); // []
 */
export function expressionChecker(target: { kind: "policy" | "mutating-policy" | "webhook"; spec?: Obj }, ctx: ApiContext, old?: Obj): CheckExpression {
  const stored = old ? expressionsOf(old, new Set()) : new Set<string>();
  const { compileCel, policyTypedEnvironment, rewriteObjectLiterals, variableDeclType } = celEngine();
  const mutating = target.kind === "mutating-policy";
  const spec = target.spec;
  const params = isRecord(spec?.paramKind);
  const items = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isRecord) : []);
  const policyVariables = items(spec?.variables);
  // Each variable's type as the composition declares it, compiled in order (`CompileAndStoreVariable`).
  let declared: Array<readonly [string, string]> | undefined;
  const variableTypes = (): Array<readonly [string, string]> => {
    if (declared) return declared;
    declared = [];
    for (const v of policyVariables) {
      const name = typeof v.name === "string" ? v.name : "";
      const expression = typeof v.expression === "string" ? v.expression : "";
      const env = policyTypedEnvironment(ctx.minor, stored.has(expression) ? "stored" : "new", mutating, { params, variables: [...declared] });
      const compiled = compileCel(expression, env);
      declared.push([name, variableDeclType((compiled.program as { ast?: { checkedType?: Parameters<typeof variableDeclType>[0] } } | undefined)?.ast?.checkedType)]);
    }
    return declared;
  };
  const env = (preexisting: boolean, path: string): EnvironmentSpec => {
    const mode = preexisting ? "stored" : "new";
    if (target.kind === "webhook") return { level: preexisting ? ctx.minor : ctx.minor - 1, variables: WEBHOOK_VARIABLES };
    const seen = variablesSeen(path);
    const variables = seen === "none" ? undefined : variableTypes().slice(0, seen === "all" ? undefined : seen);
    // Match conditions are compiled without the policy's params and variables typed; message
    // expressions without `authorizer` (`validateMessageExpression`: HasAuthorizer false).
    const authorizer = !path.endsWith(".messageExpression");
    return policyTypedEnvironment(ctx.minor, mode, mutating, { params: params || seen === "none", authorizer, ...(variables ? { variables } : {}) });
  };
  const loose = target.kind === "webhook" ? TYPED_THERE_WEBHOOK : TYPED_THERE;
  return (expression, path, returns, options) => {
    const source = options?.mutation ? rewriteObjectLiterals(expression) : expression;
    const compiled = compileCel(source, env(stored.has(expression), path.toString()));
    // Syntax this evaluator cannot read is not the writer's mistake.
    if (compiled.unsupported) return [];
    // A rewritten object literal's offsets are not the written expression's: the message alone then.
    if (compiled.error) return [invalid(path, expression, `compilation failed: ${(source === expression && compiled.issues) || compiled.error}`)];
    if (returns === "any") return [];
    const type = outputType(compiled.program, compiled.variables, loose);
    if (type === undefined || returns.includes(type)) return [];
    const detail = returns.length === 1 ? `must evaluate to ${returns[0]}` : `must evaluate to one of [${returns.join(" ")}]`;
    return [invalid(path, expression, detail)];
  };
}
