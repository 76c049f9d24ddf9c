/**
 * OpenAPI value validations a CRD schema keeps as data (`anyOf`, `oneOf`, `allOf`, `not`), checked
 * the way kube-apiserver's schema validator checks them.
 */
import * as z from "zod";
import { defOf } from "../meta/zod.js";
import { fieldError, FieldPath, formatCheck, metaOf, unwrap, type FieldError } from "../meta/index.js";
import { isRecord } from "../meta/values.js";
import { patternRegExp } from "../meta/re2.js";

type Def = Record<string, unknown> & { type: string };
type Schema = z.core.$ZodType;
type Raw = Record<string, unknown>;

const formatSchemas = new Map<string, z.ZodType>();

function formatOk(name: string, v: string): boolean {
  let s = formatSchemas.get(name);
  if (!s) {
    s = z.string().check(formatCheck(name));
    formatSchemas.set(name, s);
  }
  return s.safeParse(v).success;
}

function typeOk(type: unknown, v: unknown): boolean {
  switch (type) {
    case "object":
      return isRecord(v);
    case "array":
      return Array.isArray(v);
    case "string":
      return typeof v === "string";
    case "integer":
      return Number.isInteger(v);
    case "number":
      return typeof v === "number";
    case "boolean":
      return typeof v === "boolean";
    default:
      return true;
  }
}

/**
 * Whether a value satisfies a raw JSON-schema fragment (the subset CRD value validations use).
 *
 * @example
 * matchesRawSchema({ required: ["a"] }, { a: 1 }); // true
 */
export function matchesRawSchema(s: unknown, v: unknown): boolean {
  if (!isRecord(s)) return true;
  if (s.type !== undefined && !typeOk(s.type, v)) return false;
  if (Array.isArray(s.enum) && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(v))) return false;
  if (typeof v === "string") {
    if (typeof s.format === "string" && !formatOk(s.format, v)) return false;
    if (typeof s.pattern === "string") {
      // Matched by RE2, in linear time, as kube-apiserver matches it; an invalid pattern (the CRD's
      // problem, reported when the CRD is read) is not checked.
      const re = patternRegExp(s.pattern);
      if (re && !re.test(v)) return false;
    }
    if (typeof s.maxLength === "number" && [...v].length > s.maxLength) return false;
    if (typeof s.minLength === "number" && [...v].length < s.minLength) return false;
  }
  if (typeof v === "number") {
    if (typeof s.minimum === "number" && (s.exclusiveMinimum === true ? v <= s.minimum : v < s.minimum)) return false;
    if (typeof s.maximum === "number" && (s.exclusiveMaximum === true ? v >= s.maximum : v > s.maximum)) return false;
  }
  if (Array.isArray(v)) {
    if (typeof s.maxItems === "number" && v.length > s.maxItems) return false;
    if (typeof s.minItems === "number" && v.length < s.minItems) return false;
    if (isRecord(s.items) && !v.every((x) => matchesRawSchema(s.items, x))) return false;
  }
  if (isRecord(v)) {
    if (Array.isArray(s.required) && !s.required.every((key) => typeof key === "string" && v[key] !== undefined)) return false;
    if (isRecord(s.properties)) {
      for (const [key, sub] of Object.entries(s.properties)) if (v[key] !== undefined && !matchesRawSchema(sub, v[key])) return false;
    }
  }
  return valueValidationProblems(s, v).length === 0;
}

/** Which of `anyOf`/`oneOf`/`allOf`/`not` a value fails, as kube-openapi words them. */
export function valueValidationProblems(s: Raw, v: unknown): string[] {
  const out: string[] = [];
  if (Array.isArray(s.allOf) && !s.allOf.every((x) => matchesRawSchema(x, v))) out.push("must validate all the schemas (allOf)");
  if (Array.isArray(s.anyOf) && !s.anyOf.some((x) => matchesRawSchema(x, v))) out.push("must validate at least one schema (anyOf)");
  if (Array.isArray(s.oneOf)) {
    const n = s.oneOf.filter((x) => matchesRawSchema(x, v)).length;
    if (n !== 1) out.push(n === 0 ? "must validate one and only one schema (oneOf). Found none valid" : "must validate one and only one schema (oneOf). Found more than one valid");
  }
  if (s.not !== undefined && matchesRawSchema(s.not, v)) out.push("must not validate the schema (not)");
  return out;
}

/**
 * Problems with the `anyOf`/`oneOf`/`allOf`/`not` validations anywhere in a value.
 *
 * @example
 * checkValueValidations(Gateway, gateway); // [{ field: "spec.addresses[0]", message: "must validate one and only one schema (oneOf). …" }]
 */
export function checkValueValidations(schema: Schema, value: unknown): FieldError[] {
  const errs: FieldError[] = [];
  const visit = (s: Schema, v: unknown, path: FieldPath, depth: number): void => {
    if (v === null || v === undefined || depth > 200) return;
    const vv = metaOf(s).valueValidations;
    if (isRecord(vv)) for (const msg of valueValidationProblems(vv, v)) errs.push(fieldError("FieldValueInvalid", path, msg, Array.isArray(v) ? "array" : isRecord(v) ? "object" : v));
    const d = defOf(unwrap(s));
    if (d.type === "object" && isRecord(v)) {
      const shape = d.shape as Record<string, Schema>;
      for (const [key, child] of Object.entries(v)) if (Object.hasOwn(shape, key)) visit(shape[key]!, child, path.child(key), depth + 1);
    } else if (d.type === "record" && isRecord(v)) {
      for (const [key, child] of Object.entries(v)) visit(d.valueType as Schema, child, path.key(key), depth + 1);
    } else if (d.type === "array" && Array.isArray(v)) {
      v.forEach((item, i) => visit(d.element as Schema, item, path.index(i), depth + 1));
    }
  };
  visit(schema, value, FieldPath.root(), 0);
  return errs;
}

