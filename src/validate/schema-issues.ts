/**
 * Zod issues turned into apiserver-style field errors, with the value found at the path and
 * OpenAPI-style wording (`must be of type integer`, `supported values: …`, `should match …`).
 */
import type * as z from "zod";
import { defOf } from "../meta/zod.js";
import { childSchema, fieldError, FieldPath, unwrap, type FieldError, type PathSegment } from "../meta/index.js";

type Def = Record<string, unknown> & { type: string; format?: string };

/** A field error plus the rule id it reports. */
export interface RuleError extends FieldError {
  rule: string;
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

/** A path in the apiserver's notation for a schema: map keys as `[key]`, fields as `.name`. */
export function fieldPathOf(schema: z.core.$ZodType, path: readonly PathSegment[]): FieldPath {
  // Map keys are written `[key]`, field names `.name`, as the apiserver prints them.
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
  if (d.type === "number") return d.format === "int32" || d.format === "safeint" ? "integer" : "number";
  if (d.type === "record" || d.type === "object") return "object";
  if (d.type === "array") return "array";
  if (d.type === "union") {
    const kinds = new Set((d.options as z.core.$ZodType[]).map((o) => typeName(o, "")));
    if (kinds.has("integer") && kinds.has("string")) return "integer or string";
    if (kinds.has("number") && kinds.has("string")) return "number or string";
  }
  return expected;
}

function show(v: unknown): string {
  return typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v) ?? String(v);
}

/**
 * Field errors for the issues of a failed parse.
 *
 * @example
 * const r = Deployment.safeParse(obj);
 * if (!r.success) schemaErrors(Deployment, obj, r.error.issues);
 */
export function schemaErrors(schema: z.core.$ZodType, root: unknown, issues: readonly z.core.$ZodIssue[]): RuleError[] {
  const out: RuleError[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((p): p is PathSegment => typeof p === "string" || typeof p === "number");
    const fp = fieldPathOf(schema, path);
    const at = valueAt(root, path);
    const s = schemaAt(schema, path);
    const push = (rule: string, e: FieldError) => out.push({ rule, ...e });
    switch (issue.code) {
      case "invalid_type":
        if (!at.found || at.value === undefined) push("schema/required", fieldError("FieldValueRequired", fp, ""));
        else if (at.value === null) push("schema/type", fieldError("FieldValueTypeInvalid", fp, `must not be null (expected ${typeName(s, issue.expected)})`, null));
        else push("schema/type", fieldError("FieldValueTypeInvalid", fp, `must be of type ${typeName(s, issue.expected)}`, at.value));
        break;
      case "invalid_value":
        push("schema/enum", fieldError("FieldValueNotSupported", fp, `supported values: ${issue.values.map(show).join(", ")}`, at.value));
        break;
      case "too_small":
      case "too_big": {
        const small = issue.code === "too_small";
        const bound = small ? (issue as z.core.$ZodIssueTooSmall).minimum : (issue as z.core.$ZodIssueTooBig).maximum;
        const inclusive = issue.inclusive !== false;
        if (issue.origin === "number" || issue.origin === "bigint" || issue.origin === "int") {
          const cmp = small ? (inclusive ? "greater than or equal to" : "greater than") : inclusive ? "less than or equal to" : "less than";
          push("schema/range", fieldError("FieldValueInvalid", fp, `should be ${cmp} ${String(bound)}`, at.value));
        } else if (issue.origin === "array" || issue.origin === "set") {
          if (small) push("schema/length", fieldError("FieldValueInvalid", fp, `should have at least ${String(bound)} items`, at.value));
          else push("schema/length", fieldError("FieldValueTooMany", fp, `must have at most ${String(bound)} items`, at.value));
        } else if (small) push("schema/length", fieldError("FieldValueInvalid", fp, `should be at least ${String(bound)} chars long`, at.value));
        else push("schema/length", fieldError("FieldValueTooLong", fp, `may not be more than ${String(bound)} bytes`, at.value));
        break;
      }
      case "invalid_format": {
        const pattern = (issue as z.core.$ZodIssueInvalidStringFormat).pattern;
        if (issue.format === "regex" && pattern && !/^must /.test(issue.message)) {
          push("schema/format", fieldError("FieldValueInvalid", fp, `should match '${pattern.replace(/^\/|\/[a-z]*$/g, "")}'`, at.value));
        } else push("schema/format", fieldError("FieldValueInvalid", fp, issue.message, at.value));
        break;
      }
      case "not_multiple_of":
        push("schema/range", fieldError("FieldValueInvalid", fp, `should be a multiple of ${String(issue.divisor)}`, at.value));
        break;
      case "invalid_union": {
        const branches = issue.errors;
        // Report the branch that got furthest (a string branch for a string value, …).
        const best = branches.find((b) => b.length && b.every((i) => i.code !== "invalid_type" || i.path.length > 0)) ?? branches[0];
        if (best?.length && best.every((i) => i.code !== "invalid_type" || i.path.length > 0)) {
          out.push(...schemaErrors(schema, root, best.map((i) => ({ ...i, path: [...path, ...i.path] }) as z.core.$ZodIssue)));
        } else push("schema/type", fieldError("FieldValueTypeInvalid", fp, `must be of type ${typeName(s, "a supported type")}`, at.value));
        break;
      }
      case "unrecognized_keys":
        for (const key of issue.keys) push("strict/unknown-field", fieldError("FieldValueInvalid", fp.child(key), `unknown field "${fp.child(key).toString()}"`));
        break;
      default:
        push("schema/value", fieldError("FieldValueInvalid", fp, issue.message, at.found ? at.value : undefined));
    }
  }
  return out;
}
