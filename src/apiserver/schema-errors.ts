/**
 * Zod issues turned into apiserver field errors, with the value found at the path. Custom
 * resources get kube-openapi's wording, as apiextensions-apiserver reports it
 * (`spec.replicas in body must be of type integer: "string"`, `should match '…'`); built-in kinds,
 * which kube-apiserver decodes into Go types rather than checks against OpenAPI, get the plain
 * OpenAPI wording (`must be of type integer`, `supported values: …`).
 */
import type * as z from "zod";
import { defOf as zodDef } from "../meta/zod.js";
import { childSchema, fieldError, FieldPath, unwrap, type FieldError, type PathSegment } from "../meta/index.js";

type Def = Record<string, unknown> & { type: string; format?: string };
const defOf = (s: z.core.$ZodType): Def => zodDef(s) as unknown as Def;

/** A field error plus the rule id it reports. */
export interface RuleError extends FieldError {
  rule: string;
}

/** How schema errors are worded. */
export interface SchemaErrorOptions {
  /** A custom resource: kube-openapi's wording (`<path> in body must be …`). */
  custom?: boolean;
  /** Kubernetes minor (1.28 … 1.36), for wording that changed between minors. */
  minor?: number;
}

function valueAt(root: unknown, path: readonly PathSegment[]): { found: boolean; value: unknown } {
  let v: unknown = root;
  for (const seg of path) {
    if (v === null || typeof v !== "object" || !Object.hasOwn(v, seg)) return { found: false, value: undefined };
    v = (v as Record<string | number, unknown>)[seg];
  }
  return { found: true, value: v };
}

function schemaAt(schema: z.core.$ZodType, path: readonly PathSegment[]): z.core.$ZodType | undefined {
  let s: z.core.$ZodType | undefined = schema;
  for (const seg of path) {
    s = s && childSchema(s, seg);
    if (!s) return undefined;
  }
  return s;
}

/**
 * A path in the apiserver's notation for a schema: map keys as `[key]`, fields as `.name`.
 *
 * @example
 * fieldPathOf(ConfigMap, ["data", "a.b"]).toString(); // "data[a.b]"
 */
export function fieldPathOf(schema: z.core.$ZodType, path: readonly PathSegment[]): FieldPath {
  let p = FieldPath.root();
  let s: z.core.$ZodType | undefined = schema;
  for (const seg of path) {
    const d = s ? defOf(unwrap(s)) : undefined;
    if (typeof seg === "number") p = p.index(seg);
    else if (d?.type === "record") p = p.key(seg);
    else if (d?.type === "object" && s && !Object.hasOwn((d.shape as Record<string, unknown>) ?? {}, seg) && d.catchall) p = p.key(seg);
    else p = p.child(seg);
    s = s && childSchema(s, seg);
  }
  return p;
}

function typeName(s: z.core.$ZodType | undefined, expected: string): string {
  if (!s) return expected;
  const d = defOf(unwrap(s));
  if (d.type === "number") return d.format === "int32" || d.format === "safeint" || d.format === "int64" ? "integer" : "number";
  if (d.type === "record" || d.type === "object") return "object";
  if (d.type === "array") return "array";
  if (d.type === "union") {
    const kinds = new Set((d.options as z.core.$ZodType[]).map((o) => typeName(o, "")));
    if (kinds.has("integer") && kinds.has("string")) return "integer or string";
    if (kinds.has("number") && kinds.has("string")) return "number or string";
  }
  if (expected === "int") return "integer";
  return expected;
}

/** The JSON type of a value as kube-openapi names it. */
function jsonTypeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  // Go decodes an integer beyond int64 as a float64.
  if (typeof v === "number") return Number.isInteger(v) && v >= -(2 ** 63) && v < 2 ** 63 ? "integer" : "number";
  return typeof v;
}

function show(v: unknown): string {
  return typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v) ?? String(v);
}

/** A number as Go's `%v` prints a float64 bound. */
function goNumber(n: number | bigint): string {
  return String(n);
}

/**
 * Field errors for the issues of a failed parse.
 *
 * @example
 * const r = Deployment.safeParse(obj);
 * if (!r.success) schemaErrors(Deployment, obj, r.error.issues);
 */
export function schemaErrors(schema: z.core.$ZodType, root: unknown, issues: readonly z.core.$ZodIssue[], options: SchemaErrorOptions = {}): RuleError[] {
  const out: RuleError[] = [];
  const custom = options.custom === true;
  const minor = options.minor ?? 36;
  for (const issue of issues) {
    const path = issue.path.filter((p): p is PathSegment => typeof p === "string" || typeof p === "number");
    const fp = fieldPathOf(schema, path);
    const at = valueAt(root, path);
    const s = schemaAt(schema, path);
    const inBody = `${fp.toString()} in body`;
    const push = (rule: string, e: FieldError) => out.push({ rule, ...e });
    switch (issue.code) {
      case "invalid_type":
        if (!at.found || at.value === undefined) push("schema/required", fieldError("FieldValueRequired", fp, ""));
        else if (custom) {
          const actual = (issue as { received?: string }).received ?? jsonTypeOf(at.value);
          push("schema/type", fieldError("FieldValueTypeInvalid", fp, `${inBody} must be of type ${typeName(s, issue.expected).replace(" or ", ",")}: ${JSON.stringify(actual)}`, actual));
        } else if (at.value === null) push("schema/type", fieldError("FieldValueTypeInvalid", fp, `must not be null (expected ${typeName(s, issue.expected)})`, null));
        else push("schema/type", fieldError("FieldValueTypeInvalid", fp, `must be of type ${typeName(s, issue.expected)}`, at.value));
        break;
      case "invalid_value":
        push("schema/enum", fieldError("FieldValueNotSupported", fp, `supported values: ${issue.values.map((v) => (typeof v === "string" ? JSON.stringify(v) : JSON.stringify(show(v)))).join(", ")}`, at.value));
        break;
      case "too_small":
      case "too_big": {
        const small = issue.code === "too_small";
        const bound = small ? (issue as z.core.$ZodIssueTooSmall).minimum : (issue as z.core.$ZodIssueTooBig).maximum;
        const inclusive = issue.inclusive !== false;
        if (issue.origin === "number" || issue.origin === "bigint" || issue.origin === "int") {
          const cmp = small ? (inclusive ? "greater than or equal to" : "greater than") : inclusive ? "less than or equal to" : "less than";
          push("schema/range", fieldError("FieldValueInvalid", fp, `${custom ? `${inBody} ` : ""}should be ${cmp} ${goNumber(bound)}`, at.value));
        } else if (issue.origin === "array" || issue.origin === "set") {
          const n = Number(bound);
          if (small) push("schema/length", fieldError("FieldValueInvalid", fp, `${custom ? `${inBody} ` : ""}should have at least ${n} items`, at.value));
          else {
            const count = Array.isArray(at.value) ? at.value.length : -1;
            const items = minor >= 32 && n === 1 ? "item" : "items";
            push("schema/length", fieldError("FieldValueTooMany", fp, `must have at most ${n} ${items}`, count >= 0 ? count : undefined));
          }
        } else if (small) push("schema/length", fieldError("FieldValueInvalid", fp, `${custom ? `${inBody} ` : ""}should be at least ${String(bound)} chars long`, at.value));
        else {
          const n = Number(bound);
          const detail = custom && minor < 32 ? `may not be longer than ${n}` : `may not be more than ${n} ${n === 1 ? "byte" : "bytes"}`;
          push("schema/length", fieldError("FieldValueTooLong", fp, detail, at.value));
        }
        break;
      }
      case "invalid_format": {
        const pattern = (issue as z.core.$ZodIssueInvalidStringFormat).pattern;
        if (issue.format === "regex" && pattern && !/^must /.test(issue.message)) {
          push("schema/format", fieldError("FieldValueInvalid", fp, `${custom ? `${inBody} ` : ""}should match '${pattern.replace(/^\/|\/[a-z]*$/g, "")}'`, at.value));
        } else if (custom && issue.format !== "regex") {
          push("schema/format", fieldError("FieldValueInvalid", fp, `${inBody} must be of type ${issue.format}: ${JSON.stringify(String(at.value))}`, at.value));
        } else push("schema/format", fieldError("FieldValueInvalid", fp, issue.message, at.value));
        break;
      }
      case "not_multiple_of":
        push("schema/range", fieldError("FieldValueInvalid", fp, `${custom ? `${inBody} ` : ""}should be a multiple of ${String(issue.divisor)}`, at.value));
        break;
      case "invalid_union": {
        const branches = issue.errors;
        // Report the branch that got furthest (a string branch for a string value, …).
        const best = branches.find((b) => b.length && b.every((i) => i.code !== "invalid_type" || i.path.length > 0)) ?? branches[0];
        if (best?.length && best.every((i) => i.code !== "invalid_type" || i.path.length > 0)) {
          out.push(...schemaErrors(schema, root, best.map((i) => ({ ...i, path: [...path, ...i.path] }) as z.core.$ZodIssue), options));
        } else if (custom) {
          const actual = jsonTypeOf(at.value);
          push("schema/type", fieldError("FieldValueTypeInvalid", fp, `${inBody} must be of type ${typeName(s, "a supported type").replace(" or ", ",")}: ${JSON.stringify(actual)}`, actual));
        } else push("schema/type", fieldError("FieldValueTypeInvalid", fp, `must be of type ${typeName(s, "a supported type")}`, at.value));
        break;
      }
      case "unrecognized_keys":
        for (const key of issue.keys) push("strict/unknown-field", fieldError("FieldValueInvalid", fp.child(key), `unknown field "${fp.child(key).toString()}"`));
        break;
      case "custom": {
        // The runtime's own checks (rune-counted lengths, formats, property counts), by their messages.
        const value = at.found ? at.value : undefined;
        let m: RegExpExecArray | null;
        if ((m = /^may not be more than (\d+) characters long$/.exec(issue.message))) {
          const n = Number(m[1]);
          const detail = custom && minor < 32 ? `may not be longer than ${n}` : `may not be more than ${n} ${n === 1 ? "byte" : "bytes"}`;
          push("schema/length", fieldError("FieldValueTooLong", fp, custom ? detail : issue.message, value));
        } else if ((m = /^must be at least (\d+) characters long$/.exec(issue.message))) {
          push("schema/length", fieldError("FieldValueInvalid", fp, custom ? `${inBody} should be at least ${m[1]} chars long` : issue.message, value));
        } else if ((m = /^must be a valid (\S+)$/.exec(issue.message))) {
          push("schema/format", fieldError("FieldValueInvalid", fp, custom ? `${inBody} must be of type ${m[1]}: ${JSON.stringify(String(value))}` : issue.message, value));
        } else if ((m = /^must have at most (\d+) properties$/.exec(issue.message)) && custom) {
          const count = value && typeof value === "object" ? Object.keys(value).length : -1;
          push("schema/length", fieldError("FieldValueTooMany", fp, `must have at most ${m[1]} ${m[1] === "1" && minor >= 32 ? "item" : "items"}`, count >= 0 ? count : undefined));
        } else if ((m = /^must have at least (\d+) properties$/.exec(issue.message)) && custom) {
          push("schema/length", fieldError("FieldValueInvalid", fp, `${inBody} should have at least ${m[1]} properties`, value));
        } else push("schema/value", fieldError("FieldValueInvalid", fp, issue.message, value));
        break;
      }
      default:
        push("schema/value", fieldError("FieldValueInvalid", fp, issue.message, at.found ? at.value : undefined));
    }
  }
  return out;
}
