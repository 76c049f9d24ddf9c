/**
 * A fast path for parsing: a schema tree compiled into one JavaScript validator that checks a value
 * in place and fills in literal defaults (`apiVersion`, `kind`), with exactly Zod's verdict.
 *
 * Generated schemas have no transforms, so a valid input *is* the parsed output (loose objects keep
 * every field); validating in place skips Zod's per-value allocations and object copies. Invalid
 * input falls back to Zod, which produces the issues with their paths. Schemas using features the
 * compiler does not model (transforms, pipes, …) are parsed by Zod alone.
 */
import type * as z from "zod";
import { ValidationError, type RequestInfo, type ValidationDirection } from "../errors.js";
import { checkDefOf, defOf, isConditionalCheck, isOptionalInput, literalValues, runCheck, type ZodCheck, type ZodDef } from "./zod.js";
import { structurePlanOf, surelyUnique, type Plan } from "./structure.js";

type AnyDef = ZodDef;
type Check = ZodCheck;
type Schema = z.core.$ZodType;

class Unsupported extends Error {}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/**
 * Compiles schemas into validator source; one function per composite schema instance. The
 * structural variant also follows the plans of the structural walk (structure.ts): each object,
 * map and list the walk would visit is checked by a function of its own that also notes, in the
 * variable `dirty`, anything the walk might report (an undeclared field, a list whose entries may
 * repeat), so that a value found clean need not be walked again.
 */
class Compiler {
  readonly fns: string[] = [];
  readonly consts: unknown[] = [];
  private readonly ids = new Map<Schema, number>();
  /** The structural variant's functions, by schema and the walk's plan there. */
  private readonly planned = new Map<Schema, Map<Plan, number>>();

  constant(value: unknown): string {
    let i = this.consts.indexOf(value);
    if (i < 0) {
      i = this.consts.length;
      this.consts.push(value);
    }
    return `c[${i}]`;
  }

  /** The name of the function validating `schema` (compiling it on first use); with a plan, its structural variant. */
  fn(schema: Schema, plan?: Plan | null): string {
    if (plan) {
      let byPlan = this.planned.get(schema);
      if (!byPlan) this.planned.set(schema, (byPlan = new Map()));
      let pid = byPlan.get(plan);
      if (pid === undefined) {
        pid = this.fns.length;
        byPlan.set(plan, pid);
        this.fns.push("");
        this.fns[pid] = this.body(schema, pid, plan);
      }
      return `f${pid}`;
    }
    let id = this.ids.get(schema);
    if (id === undefined) {
      id = this.fns.length;
      this.ids.set(schema, id);
      this.fns.push("");
      this.fns[id] = this.body(schema, id);
    }
    return `f${id}`;
  }

  private checks(d: AnyDef, v: string): string {
    const out: string[] = [];
    for (const ch of d.checks ?? []) {
      if (isConditionalCheck(ch)) throw new Unsupported("conditional check");
      const cd = checkDefOf(ch);
      switch (cd.check) {
        case "string_format":
          if (cd.format === "regex" && cd.pattern instanceof RegExp) {
            out.push(`${this.constant(cd.pattern)}.test(${v})`);
            break;
          }
          out.push(this.genericCheck(ch, v));
          break;
        case "min_length":
          out.push(`${v}.length >= ${Number(cd.minimum)}`);
          break;
        case "max_length":
          out.push(`${v}.length <= ${Number(cd.maximum)}`);
          break;
        case "greater_than":
          out.push(`${v} ${cd.inclusive ? ">=" : ">"} ${this.constant(cd.value)}`);
          break;
        case "less_than":
          out.push(`${v} ${cd.inclusive ? "<=" : "<"} ${this.constant(cd.value)}`);
          break;
        default:
          out.push(this.genericCheck(ch, v));
      }
    }
    return out.join(" && ");
  }

  /** Any other check: run Zod's own check function on the value. */
  private genericCheck(ch: Check, v: string): string {
    return `chk(${this.constant(ch)}, ${v})`;
  }

  /**
   * A boolean expression validating the value in variable `v` (no defaults at this position);
   * `plan`: the structural walk's plan at this node (structural variant only).
   */
  expr(schema: Schema, v: string, plan?: Plan | null): string {
    const d = defOf(schema);
    const and = (...parts: string[]) => parts.filter(Boolean).join(" && ");
    switch (d.type) {
      case "string":
        return `(${and(`typeof ${v} === "string"`, this.checks(d, v))})`;
      case "number": {
        let base: string;
        switch (d.format) {
          case undefined:
            base = `typeof ${v} === "number" && Number.isFinite(${v})`;
            break;
          case "int32":
            base = `Number.isInteger(${v}) && ${v} >= ${INT32_MIN} && ${v} <= ${INT32_MAX}`;
            break;
          case "safeint":
            base = `Number.isSafeInteger(${v})`;
            break;
          default:
            throw new Unsupported(`number format ${String(d.format)}`);
        }
        return `(${and(base, this.checks(d, v))})`;
      }
      case "boolean":
        return `(typeof ${v} === "boolean"${d.checks?.length ? ` && ${this.checks(d, v)}` : ""})`;
      case "unknown":
      case "any":
        return d.checks?.length ? `(${this.checks(d, v)})` : "true";
      case "null":
        return `(${v} === null)`;
      case "literal":
      case "enum": {
        const values = literalValues(schema);
        if (!values) throw new Unsupported("literal without values");
        return `${this.constant(values)}.has(${v})`;
      }
      case "optional":
        return `(${v} === undefined || ${this.expr(d.innerType as Schema, v, plan)})`;
      case "nullable":
        return `(${v} === null || ${this.expr(d.innerType as Schema, v, plan)})`;
      case "union": {
        const options = d.options as Schema[];
        for (const o of options) if (hasDefaults(o)) throw new Unsupported("default inside a union");
        if (d.checks?.length) throw new Unsupported("checks on a union");
        return `(${options.map((o) => this.expr(o, v)).join(" || ")})`;
      }
      case "object":
      case "array":
      case "record":
        if (plan && plan.kind !== (d.type === "array" ? "list" : d.type)) return `((dirty = true), ${this.fn(schema)}(${v}))`;
        return `${this.fn(schema, plan)}(${v})`;
      case "lazy":
        return this.expr((d.getter as () => Schema)(), v, plan);
      default:
        throw new Unsupported(d.type);
    }
  }

  private body(schema: Schema, id: number, plan?: Plan): string {
    const d = defOf(schema);
    const lines: string[] = [`function f${id}(x) {`];
    // The structural variant: the walk's plans of what is below (null: nothing to note there).
    const objectPlan = plan?.kind === "object" ? plan : undefined;
    const sub = (s: Schema): Plan | null | undefined => (plan ? structurePlanOf(s) : undefined);
    switch (d.type) {
      case "object": {
        // A plain object only (anything else, an own `__proto__` key among them, is left to Zod):
        // `x.__proto__` reads the own key when there is one, and costs far less than hasOwnProperty.
        lines.push(`if (typeof x !== "object" || x === null || Array.isArray(x) || x.__proto__ !== OP) return false;`, "let v;");
        // Fields the object has among those declared, to compare with how many it has in all.
        const counting = objectPlan && !objectPlan.preserveUnknown && !objectPlan.catchall;
        if (counting) lines.push("let n = 0;");
        const shape = d.shape as Record<string, Schema>;
        for (const [key, field] of Object.entries(shape)) {
          const k = JSON.stringify(key);
          const fd = defOf(field);
          lines.push(`v = x[${k}];`);
          if (fd.type === "default") {
            const dv = fd.defaultValue;
            const value = typeof dv === "function" ? (dv as () => unknown)() : dv;
            if (value !== null && typeof value === "object") throw new Unsupported("object default");
            lines.push(`if (v === undefined) x[${k}] = ${this.constant(value)}; else if (!${this.expr(fd.innerType as Schema, "v", sub(field))}) return false;`);
            // Set either way now (a key Object.prototype also has is counted only when the object's own).
            if (counting) lines.push(key in Object.prototype ? `if (hop.call(x, ${k})) n++;` : "n++;");
            continue;
          }
          if (hasDefaults(field)) throw new Unsupported("default below a wrapper");
          const optionalIn = isOptionalInput(field);
          if (!optionalIn) lines.push(`if (v === undefined && !(${k} in x)) return false;`);
          lines.push(`if (!${this.expr(field, "v", sub(field))}) return false;`);
          if (counting) lines.push(key in Object.prototype ? `if (hop.call(x, ${k})) n++;` : "if (v !== undefined) n++;");
        }
        const catchall = d.catchall as Schema | undefined;
        if (catchall && defOf(catchall).type !== "unknown") {
          const known = this.constant(new Set(Object.keys(shape)));
          const check = defOf(catchall).type === "never" ? "false" : this.expr(catchall, "v", sub(catchall));
          lines.push(`for (const key in x) { if (${known}.has(key)) continue; v = x[key]; if (!(${check})) return false; }`);
        }
        // More keys than declared ones present (inherited enumerable ones count too): the walk may find an undeclared one.
        if (counting) lines.push("for (const key in x) n--;", "if (n !== 0) dirty = true;");
        if (d.checks?.length) lines.push(`if (!(${this.checks(d, "x")})) return false;`);
        lines.push("return true;");
        break;
      }
      case "array": {
        const element = d.element as Schema;
        if (hasDefaults(element)) throw new Unsupported("default inside a list");
        const listPlan = plan?.kind === "list" ? plan : undefined;
        lines.push(
          "if (!Array.isArray(x)) return false;",
          ...(listPlan?.listType ? [`if (!su(${this.constant(listPlan)}, x)) dirty = true;`] : []),
          "for (let i = 0; i < x.length; i++) {",
          "const v = x[i];",
          `if (!${this.expr(element, "v", listPlan ? listPlan.items : undefined)}) return false;`,
          "}",
        );
        if (d.checks?.length) lines.push(`if (!(${this.checks(d, "x")})) return false;`);
        lines.push("return true;");
        break;
      }
      case "record": {
        const keyDef = defOf(d.keyType as Schema);
        if (keyDef.type !== "string" || keyDef.checks?.length) throw new Unsupported("record key schema");
        const values = d.valueType as Schema;
        if (hasDefaults(values)) throw new Unsupported("default inside a map");
        lines.push(
          `if (typeof x !== "object" || x === null || Array.isArray(x) || x.__proto__ !== OP) return false;`,
          "for (const key in x) {",
          "const v = x[key];",
          `if (!${this.expr(values, "v", plan?.kind === "record" ? plan.values : undefined)}) return false;`,
          "}",
        );
        if (d.checks?.length) lines.push(`if (!(${this.checks(d, "x")})) return false;`);
        lines.push("return true;");
        break;
      }
      default:
        throw new Unsupported(d.type);
    }
    lines.push("}");
    return lines.join("\n");
  }
}

const defaultsMemo = new WeakMap<Schema, boolean>();

/** Whether a schema (not counting nested objects, which handle their own) applies a default. */
function hasDefaults(schema: Schema): boolean {
  const known = defaultsMemo.get(schema);
  if (known !== undefined) return known;
  const d = defOf(schema);
  let result = false;
  switch (d.type) {
    case "default":
    case "prefault":
      result = true;
      break;
    case "optional":
    case "nullable":
      result = hasDefaults(d.innerType as Schema);
      break;
    case "union":
      result = (d.options as Schema[]).some(hasDefaults);
      break;
    default:
      result = false;
  }
  defaultsMemo.set(schema, result);
  return result;
}


/** Validates a value in place (filling literal defaults); false when Zod would report issues. */
export type CompiledValidator = (value: unknown) => boolean;

const compiled = new WeakMap<Schema, CompiledValidator | null>();

function canEval(): boolean {
  try {
    return new Function("return true")() === true;
  } catch {
    return false;
  }
}
const evalAllowed = canEval();

/**
 * The compiled validator of a schema, or undefined when it uses features only Zod can run.
 *
 * @example
 * const check = compileValidator(ConfigMap);
 * check?.({ data: { a: "b" } }); // true, and the object now has apiVersion "v1" and kind "ConfigMap"
 */
export function compileValidator(schema: Schema): CompiledValidator | undefined {
  return compileOnce(compiled, schema, (c) => {
    const top = c.expr(schema, "x");
    return `${c.fns.join("\n")}\nreturn function validate(x) { return ${top}; };`;
  });
}

/**
 * A schema's validator from `cache`, else compiled from the source `build` writes (a function body
 * returning the validator) and kept; null is kept where eval is not allowed or the schema uses
 * features only Zod can run. The source sees the compiler's constants as `c`, `runCheck` as `chk`,
 * `hasOwnProperty` as `hop` (`hop.call` runs in a fraction of `Object.hasOwn`'s time),
 * `surelyUnique` as `su` and `Object.prototype` as `OP`.
 */
function compileOnce<T>(cache: WeakMap<Schema, T | null>, schema: Schema, build: (c: Compiler) => string): T | undefined {
  const cached = cache.get(schema);
  if (cached !== undefined) return cached ?? undefined;
  let result: T | null = null;
  if (evalAllowed) {
    try {
      const c = new Compiler();
      const source = build(c);
      result = new Function("c", "chk", "hop", "su", "OP", source)(c.consts, runCheck, Object.prototype.hasOwnProperty, surelyUnique, Object.prototype) as T;
    } catch (err) {
      if (!(err instanceof Unsupported)) throw err;
      result = null;
    }
  }
  cache.set(schema, result);
  return result ?? undefined;
}

/**
 * A compiled validator that also looks ahead for the structural walk (`structuralIssues`): 0 when
 * the value is invalid (as {@link CompiledValidator}'s false), 1 when it is valid and the walk
 * would find nothing (no undeclared field, no list-map or set whose entries may repeat), 2 when it
 * is valid and the walk may find something. Defaults are filled in place as by the plain validator.
 */
export type StructuralValidator = (value: unknown) => 0 | 1 | 2;

const structural = new WeakMap<Schema, StructuralValidator | null>();

/**
 * The structural variant of {@link compileValidator}: one walk that checks a value and tells
 * whether the structural walk must run at all (a clean value, the common case, needs no second
 * walk). Undefined when the schema uses features only Zod can run.
 *
 * @example
 * const check = compileStructuralValidator(ConfigMap);
 * check?.({ data: { a: "b" } }); // 1: valid, nothing undeclared
 * check?.({ data: { a: "b" }, extra: 1 }); // 2: valid, the walk reports "extra"
 */
export function compileStructuralValidator(schema: Schema): StructuralValidator | undefined {
  return compileOnce(structural, schema, (c) => {
    const top = c.expr(schema, "x", structurePlanOf(schema));
    return `let dirty = false;\n${c.fns.join("\n")}\nreturn function validate(x) { dirty = false; return ${top} ? (dirty ? 2 : 1) : 0; };`;
  });
}

/** The result of {@link safeParseKube}: the parsed value, or Zod's error. */
export type KubeParseResult<T> = { success: true; data: T } | { success: false; error: z.ZodError };

/**
 * Parse a value with a schema, taking the compiled in-place path when the value is valid and
 * Zod's own parse (for exact issues) when it is not. The input object may be completed in place
 * with defaults (`apiVersion`, `kind`), so pass values you own (fresh `JSON.parse` results).
 *
 * @example
 * const r = safeParseKube(Pod, JSON.parse(body));
 * if (r.success) r.data.metadata?.name;
 */
export function safeParseKube<T>(schema: z.ZodType<T>, value: unknown): KubeParseResult<T> {
  const validate = compileValidator(schema);
  if (validate?.(value)) return { success: true, data: value as T };
  const r = schema.safeParse(value);
  return r.success ? { success: true, data: r.data } : { success: false, error: r.error };
}

/**
 * Parse a value with a schema (compiled fast path, Zod for the issues) or throw a ValidationError
 * listing every issue's path.
 *
 * @example
 * const cm = parseKube(ConfigMap, JSON.parse(body), "response");
 */
export function parseKube<T>(
  schema: z.ZodType<T>,
  value: unknown,
  direction: ValidationDirection = "input",
  what?: string,
  request?: RequestInfo,
): T {
  const r = safeParseKube(schema, value);
  if (r.success) return r.data;
  throw new ValidationError(r.error.issues, value, direction, what, request);
}
