/**
 * Type checking of policy expressions against the schemas of the kinds a policy matches, as
 * kube-apiserver's policy type checking does (`validating/typechecking.go`): a field an
 * expression selects on `object`, `oldObject` or `params` that the kind's schema does not have is
 * a warning on the policy (`apps/v1, Kind=Deployment: ERROR: <input>:1:13: undefined field
 * 'replicaz'`), never an error: the policy is stored and runs all the same.
 */
import type * as z from "zod";
import { childSchema, unwrap } from "../../meta/index.js";
import { defOf as zodDefOf } from "../../meta/zod.js";
import { isRecord } from "../../meta/values.js";
import { compileCel } from "../cel/compile.js";
import { rewriteObjectLiterals } from "./apply.js";
import { policyEnvironment } from "./policies.js";

type Obj = Record<string, unknown>;
type Schema = z.core.$ZodType;

/** A kind an expression is checked against. */
export interface TypeCheckTarget {
  /** `apps/v1, Kind=Deployment`, as the warning names it. */
  label: string;
  schema: Schema;
}

/** A type-checking warning on one expression of a policy. */
export interface TypeCheckWarning {
  /** `spec.validations[0].expression`. */
  fieldRef: string;
  warning: string;
}

interface Node {
  op: string;
  args: unknown;
  start?: number;
  end?: number;
  meta?: { alternate?: Node; macro?: Record<string, unknown> };
}

const defOf = (s: Schema): { type: string; shape?: Record<string, Schema>; catchall?: Schema } => zodDefOf(s) as { type: string; shape?: Record<string, Schema>; catchall?: Schema };

/** Whether a schema node declares its fields (so that an unknown one is an error). */
function isClosedObject(s: Schema): boolean {
  const d = defOf(unwrap(s));
  if (d.type !== "object") return false;
  const c = d.catchall ? defOf(d.catchall).type : undefined;
  // Loose objects keep unknown fields on the wire, but their OpenAPI declares a closed set.
  return c === undefined || c === "unknown" || c === "never";
}

function hasField(s: Schema, name: string): boolean {
  const d = defOf(unwrap(s));
  return d.type !== "object" || Object.hasOwn(d.shape ?? {}, name);
}

/** Undefined fields selected from the roots, with their offsets. */
function undefinedFields(ast: Node, roots: ReadonlyMap<string, Schema>): Array<{ name: string; at: number }> {
  const out: Array<{ name: string; at: number }> = [];
  const seen = new Set<unknown>();
  // The schema a chain of selections from a root reaches, or undefined when unknown.
  const resolve = (n: Node): Schema | undefined => {
    if (n.op === "id" && typeof n.args === "string") return roots.get(n.args);
    if ((n.op === "." || n.op === ".?") && Array.isArray(n.args)) {
      const base = resolve(n.args[0] as Node);
      const name = n.args[1];
      if (!base || typeof name !== "string") return undefined;
      if (isClosedObject(base) && !hasField(base, name)) {
        // cel-go reports the column of the `.` before the field.
        out.push({ name, at: n.end !== undefined ? n.end - name.length - 1 - (n.op === ".?" ? 1 : 0) : (n.start ?? 0) });
        return undefined;
      }
      return childSchema(base, name);
    }
    if ((n.op === "[]" || n.op === "[?]") && Array.isArray(n.args)) {
      const base = resolve(n.args[0] as Node);
      const key = n.args[1] as Node;
      if (!base) return undefined;
      const d = defOf(unwrap(base));
      if (d.type === "array") return childSchema(base, 0);
      if (d.type === "record") return childSchema(base, "x");
      if (d.type === "object" && key?.op === "value" && typeof key.args === "string") return hasField(base, key.args) ? childSchema(base, key.args) : undefined;
      return undefined;
    }
    return undefined;
  };
  const visit = (v: unknown): void => {
    if (!v || typeof v !== "object" || seen.has(v)) return;
    seen.add(v);
    if (Array.isArray(v)) {
      for (const x of v) visit(x);
      return;
    }
    const n = v as Node;
    if (typeof n.op !== "string") {
      for (const x of Object.values(v)) visit(x);
      return;
    }
    if ((n.op === "." || n.op === ".?") && Array.isArray(n.args)) resolve(n);
    if (n.meta?.alternate) visit(n.meta.alternate);
    if (n.meta?.macro) visit(Object.values(n.meta.macro));
    visit(n.args);
  };
  visit(ast);
  // A chain is resolved once per selection in it: keep each offset once.
  const unique = new Map(out.map((e) => [`${e.at}:${e.name}`, e]));
  return [...unique.values()];
}

/**
 * Type-check a policy's expressions against the kinds it matches (and its param kind).
 *
 * @example
 * typeCheckPolicy(policy, [{ label: "apps/v1, Kind=Deployment", schema: Deployment }], undefined, 36);
 */
export function typeCheckPolicy(policy: Obj, targets: readonly TypeCheckTarget[], paramSchema: Schema | undefined, minor: number): TypeCheckWarning[] {
  const s = isRecord(policy.spec) ? policy.spec : {};
  const mutating = policy.kind === "MutatingAdmissionPolicy";
  const env = policyEnvironment(minor, "stored", mutating);
  const expressions: Array<[string, string]> = [];
  const items = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isRecord) : []);
  items(s.matchConditions).forEach((m, i) => typeof m.expression === "string" && expressions.push([`spec.matchConditions[${i}].expression`, m.expression]));
  items(s.variables).forEach((v, i) => typeof v.expression === "string" && expressions.push([`spec.variables[${i}].expression`, v.expression]));
  items(s.validations).forEach((v, i) => {
    if (typeof v.expression === "string") expressions.push([`spec.validations[${i}].expression`, v.expression]);
    if (typeof v.messageExpression === "string") expressions.push([`spec.validations[${i}].messageExpression`, v.messageExpression]);
  });
  items(s.auditAnnotations).forEach((a, i) => typeof a.valueExpression === "string" && expressions.push([`spec.auditAnnotations[${i}].valueExpression`, a.valueExpression]));
  items(s.mutations).forEach((m, i) => {
    const e = isRecord(m.applyConfiguration) ? m.applyConfiguration.expression : isRecord(m.jsonPatch) ? m.jsonPatch.expression : undefined;
    if (typeof e === "string") expressions.push([`spec.mutations[${i}].${isRecord(m.applyConfiguration) ? "applyConfiguration" : "jsonPatch"}.expression`, e]);
  });
  const out: TypeCheckWarning[] = [];
  for (const [fieldRef, source] of expressions) {
    const compiled = compileCel(mutating ? rewriteObjectLiterals(source) : source, env);
    if (!compiled.program) continue;
    const messages: string[] = [];
    for (const t of targets) {
      const roots = new Map<string, Schema>([
        ["object", t.schema],
        ["oldObject", t.schema],
      ]);
      if (paramSchema) roots.set("params", paramSchema);
      for (const u of undefinedFields(compiled.program.ast as unknown as Node, roots)) {
        messages.push(`${t.label}: ERROR: <input>:1:${u.at + 1}: undefined field '${u.name}'`);
      }
    }
    if (messages.length) out.push({ fieldRef, warning: messages.join("\n") });
  }
  return out;
}
