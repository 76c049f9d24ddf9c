/**
 * Checking a write the way kube-apiserver's decoding and validation do: types (400 decode errors
 * for built-in kinds, 422 for custom resources), required fields, unknown fields under
 * `fieldValidation` (Strict → 400, Warn → `Warning` headers, both pruned), duplicate list-map and
 * set entries, and object metadata.
 */
import type * as z from "zod";
import { defOf } from "../meta/zod.js";
import * as k from "#schemas/runtime.js";
import {
  childSchema,
  duplicateListEntries,
  fieldError,
  FieldPath,
  unknownFields,
  validateObjectMeta,
  type FieldError,
  type PathSegment,
} from "../meta/index.js";
import { checkValidationRules } from "../apiserver/cel/index.js";
import { withDefaults } from "../apiserver/structural-defaults.js";
import { checkValueValidations } from "../apiserver/value-validations.js";
import type { ServedResource } from "./catalog.js";
import { applyDefaults, type DefaultingContext } from "../apiserver/defaults.js";
import { badRequest, invalid } from "./status.js";

type Obj = Record<string, unknown>;

/** kube-apiserver's `fieldValidation` query parameter. */
export type FieldValidation = "Strict" | "Warn" | "Ignore";

/** Names of schema definitions (for decode errors that name the Go struct, as the apiserver does). */
export type DefinitionNames = WeakMap<object, string>;

function jsType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "object") return "object";
  return typeof v;
}

function goType(expected: string): string {
  switch (expected) {
    case "int":
      return "int32";
    case "number":
      return "float64";
    case "boolean":
      return "bool";
    case "object":
    case "record":
      return "map[string]interface {}";
    case "array":
      return "[]interface {}";
    default:
      return expected;
  }
}

function openApiType(expected: string): string {
  switch (expected) {
    case "int":
      return "integer";
    case "record":
      return "object";
    default:
      return expected;
  }
}

/** The OpenAPI type of the schema at a path (`integer` for int-formatted numbers). */
function openApiTypeAt(schema: z.ZodType, path: readonly PathSegment[], expected: string): string {
  let s: z.core.$ZodType | undefined = schema;
  for (const seg of path) s = s ? childSchema(s, seg) : undefined;
  for (let i = 0; s && i < 8; i++) {
    const d = defOf(s) as { type: string; innerType?: z.core.$ZodType; format?: string };
    if (d.innerType) {
      s = d.innerType;
      continue;
    }
    if (d.type === "number" && d.format && /int/.test(d.format)) return "integer";
    break;
  }
  return openApiType(expected);
}

function isBytesSchemaAt(schema: z.ZodType, path: readonly PathSegment[]): boolean {
  let s: z.core.$ZodType | undefined = schema;
  for (const seg of path) s = s ? childSchema(s, seg) : undefined;
  for (let i = 0; s && i < 8; i++) {
    if (s === k.Bytes) return true;
    const d = defOf(s) as { innerType?: z.core.$ZodType };
    if (!d.innerType) return false;
    s = d.innerType;
  }
  return false;
}

function firstBadBase64Byte(text: string): number {
  const i = text.search(/[^A-Za-z0-9+/=]/);
  return i < 0 ? text.length : i;
}

function valueAt(obj: unknown, path: readonly PathSegment[]): unknown {
  let cur = obj;
  for (const seg of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}

function fieldPathOf(schema: z.ZodType, path: readonly PathSegment[]): FieldPath {
  let p = FieldPath.root();
  let s: z.core.$ZodType | undefined = schema;
  for (const seg of path) {
    const isMapKey = s !== undefined && typeof seg === "string" && isRecordSchema(s, seg);
    p = typeof seg === "number" ? p.index(seg) : isMapKey ? p.key(seg) : p.child(seg);
    s = s ? childSchema(s, seg) : undefined;
  }
  return p;
}

function isRecordSchema(schema: z.core.$ZodType, key: string): boolean {
  const def = defOf(schema) as { type: string; innerType?: z.core.$ZodType; shape?: Record<string, unknown> };
  if (def.innerType) return isRecordSchema(def.innerType, key);
  if (def.type === "record") return true;
  if (def.type === "object") return !(def.shape && Object.hasOwn(def.shape, key));
  return false;
}

function structNameOf(schema: z.ZodType, path: readonly PathSegment[], names: DefinitionNames | undefined, kind: string): string {
  let s: z.core.$ZodType | undefined = schema;
  let name = kind;
  for (const seg of path.slice(0, -1)) {
    s = s ? childSchema(s, seg) : undefined;
    if (!s) break;
    let inner: z.core.$ZodType = s;
    for (let i = 0; i < 8; i++) {
      const d = defOf(inner) as { innerType?: z.core.$ZodType };
      const n = names?.get(inner);
      if (n) {
        name = n;
        break;
      }
      if (!d.innerType) break;
      inner = d.innerType;
    }
  }
  return name;
}

/** What validating a write found that is not an error: `Warning` header texts. */
export interface AdmissionResult {
  warnings: string[];
}

/**
 * Validate an object about to be written, prune unknown fields (in place), and return warnings;
 * throws the apiserver's 400 or 422 `Status` errors.
 */
export function admit(
  resource: ServedResource,
  obj: Obj,
  options: {
    fieldValidation: FieldValidation;
    names?: DefinitionNames;
    namespaceFromPath: boolean;
    old?: Obj;
    defaulting?: { nameOf: (schema: z.core.$ZodType) => string | undefined; context: DefaultingContext };
  },
): AdmissionResult {
  const warnings: string[] = [];
  if (!resource.custom && options.defaulting) applyDefaults(resource.schema, obj, options.defaulting.nameOf, options.defaulting.context);
  if (resource.custom) {
    // Structural defaulting: a CRD schema's defaults are filled in before validation.
    const defaulted = withDefaults(resource.schema, obj) as Obj;
    for (const k of Object.keys(obj)) delete obj[k];
    Object.assign(obj, defaulted);
  }
  const name = String((obj.metadata as Obj | undefined)?.name ?? (obj.metadata as Obj | undefined)?.generateName ?? "");
  const decodePrefix = `${resource.kind} in version "${resource.version}" cannot be handled as a ${resource.kind}`;
  const unknown = unknownFields(resource.schema, obj);
  if (unknown.length) {
    if (options.fieldValidation === "Strict") {
      throw badRequest(`${decodePrefix}: strict decoding error: ${unknown.map((p) => `unknown field "${p.toString()}"`).join(", ")}`);
    }
    if (options.fieldValidation === "Warn") for (const p of unknown) warnings.push(`unknown field "${p.toString()}"`);
    for (const p of unknown) removePath(obj, p.segments);
  }
  dropNulls(obj);
  const errors: FieldError[] = [];
  const ok = resource.validate ? resource.validate(obj) : false;
  if (!ok) {
    const parsed = resource.schema.safeParse(obj);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
        const fp = fieldPathOf(resource.schema, path);
        const value = valueAt(obj, path);
        if (issue.code === "invalid_type" && value === undefined) {
          errors.push(fieldError("FieldValueRequired", fp, ""));
        } else if (issue.code === "invalid_type") {
          const expected = String((issue as { expected?: string }).expected ?? "");
          if (!resource.custom) {
            const struct = structNameOf(resource.schema, path, options.names, resource.kind);
            throw badRequest(`${decodePrefix}: json: cannot unmarshal ${jsType(value)} into Go struct field ${struct}.${fp.toString()} of type ${goType(expected)}`);
          }
          errors.push(fieldError("FieldValueTypeInvalid", fp, `${fp.toString()} in body must be of type ${openApiTypeAt(resource.schema, path, expected)}: "${jsType(value)}"`, jsType(value)));
        } else if (!resource.custom && isBytesSchemaAt(resource.schema, path)) {
          // Base64 is checked while decoding: a 400 that, like the apiserver's, never echoes the data.
          throw badRequest(`${decodePrefix}: illegal base64 data at input byte ${firstBadBase64Byte(String(value))}`);
        } else if (issue.code === "invalid_value") {
          const values = (issue as { values?: unknown[] }).values ?? [];
          errors.push(fieldError("FieldValueNotSupported", fp, `supported values: ${values.map((v) => JSON.stringify(v)).join(", ")}`, value));
        } else {
          errors.push(fieldError("FieldValueInvalid", fp, issue.message, value));
        }
      }
    }
  }
  errors.push(...duplicateListEntries(resource.schema, obj));
  if (resource.custom && errors.length === 0) {
    errors.push(...checkValueValidations(resource.schema, obj));
    // kube-apiserver runs the CEL rules only on objects that are otherwise well-formed.
    const rules = checkValidationRules(resource.schema, obj, options.old ? { oldValue: options.old } : {});
    errors.push(...rules.errors);
    for (const u of rules.unevaluated) warnings.push(`${u.field || "<root>"}: validation rule not evaluated (${u.reason}): ${u.rule}`);
  }
  errors.push(
    ...validateObjectMeta(obj.metadata, {
      nameFormat: resource.nameFormat,
      namespaced: resource.namespaced,
      namespaceOptional: options.namespaceFromPath,
    }),
  );
  if (errors.length) throw invalid(resource.kind, resource.group, name, errors);
  return { warnings };
}

function removePath(obj: unknown, path: readonly PathSegment[]): void {
  let cur = obj;
  for (let i = 0; i < path.length - 1; i++) {
    if (cur === null || typeof cur !== "object") return;
    cur = (cur as Record<string | number, unknown>)[path[i]!];
  }
  if (cur && typeof cur === "object" && !Array.isArray(cur)) delete (cur as Obj)[String(path[path.length - 1])];
}

/** `null` in an object field means "unset": the apiserver stores such fields as absent. */
export function dropNulls(value: unknown): void {
  if (Array.isArray(value)) {
    for (const v of value) dropNulls(v);
  } else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (v === null) delete (value as Obj)[k];
      else dropNulls(v);
    }
  }
}
