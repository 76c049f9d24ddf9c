/**
 * Structural schemas (k8s.io/apiextensions-apiserver/pkg/apiserver/schema): `ValidateStructural` —
 * every node typed, value validations (`allOf`/`anyOf`/`oneOf`/`not`) that only restrict what the
 * structural part declares, metadata at the root limited to name and generateName, the
 * int-or-string and embedded-resource combinations — and the completeness check. Works on the
 * raw `JSONSchemaProps` JSON of a CRD.
 */
import { formatFieldError } from "../../meta/field-errors.js";
import { isRecord } from "../../meta/values.js";
import { FieldPath, forbidden, invalid, required, type FieldError } from "../field.js";
import { re2, RegexSyntaxError } from "../../meta/re2.js";

type Schema = Record<string, unknown>;
type Level = "root" | "item" | "field";

/** `NewStructural` refuses these (the OpenAPI checks report them first). */
const UNSUPPORTED = ["$ref", "definitions", "dependencies", "patternProperties", "additionalItems"];
/** `Generic`: the fields that are part of the structure. */
const GENERIC = ["description", "type", "title", "default", "nullable"];
const EXTENSIONS = ["x-kubernetes-preserve-unknown-fields", "x-kubernetes-embedded-resource", "x-kubernetes-int-or-string", "x-kubernetes-list-map-keys", "x-kubernetes-list-type", "x-kubernetes-map-type"];
const VALUE_VALIDATION = [
  "format", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum", "maxLength", "minLength", "pattern", "maxItems", "minItems",
  "uniqueItems", "multipleOf", "enum", "maxProperties", "minProperties", "required", "allOf", "oneOf", "anyOf", "not",
];

/** Whether a schema field holds a non-zero value as its Go field would (false, "", empty lists are zero). */
export function isSet(s: Schema, key: string): boolean {
  const v = s[key];
  if (v === undefined || v === null || v === false || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isRecord(v) && (key === "properties" || key === "definitions" || key === "patternProperties" || key === "dependencies")) return Object.keys(v).length > 0;
  return true;
}

/** The schema's properties (object key order). */
export function propertiesOf(s: Schema): Array<[string, Schema]> {
  return isRecord(s.properties) ? Object.entries(s.properties).map(([k, v]) => [k, isRecord(v) ? v : {}] as [string, Schema]) : [];
}

/** `items` when it is one schema (not the array form). */
export function itemsSchema(s: Schema): Schema | undefined {
  return isRecord(s.items) ? s.items : undefined;
}

/** `additionalProperties` when it is a schema. */
export function additionalPropertiesSchema(s: Schema): Schema | undefined {
  return isRecord(s.additionalProperties) ? s.additionalProperties : undefined;
}

function typeOf(s: Schema): string {
  return typeof s.type === "string" ? s.type : "";
}

/** Whether `NewStructural` can convert the schema (nothing it refuses anywhere). */
export function isConvertible(s: unknown, depth = 0): boolean {
  if (!isRecord(s) || depth > 64) return true;
  for (const k of UNSUPPORTED) if (isSet(s, k)) return false;
  if (Array.isArray(s.items)) return false;
  for (const [, p] of propertiesOf(s)) if (!isConvertible(p, depth + 1)) return false;
  if (!isConvertible(s.items, depth + 1) || !isConvertible(s.additionalProperties, depth + 1) || !isConvertible(s.not, depth + 1)) return false;
  for (const k of ["allOf", "anyOf", "oneOf"]) if (Array.isArray(s[k]) && !(s[k] as unknown[]).every((x) => isConvertible(x, depth + 1))) return false;
  return true;
}

function isIntOrStringAnyOf(anyOf: unknown): boolean {
  if (!Array.isArray(anyOf) || anyOf.length !== 2) return false;
  const only = (x: unknown, t: string): boolean => isRecord(x) && x.type === t && Object.keys(x).every((k) => k === "type" || !isSet(x, k));
  return only(anyOf[0], "integer") && only(anyOf[1], "string");
}

function isIntOrStringAnyOfPattern(s: Schema): boolean {
  return isIntOrStringAnyOf(s.anyOf);
}

function isIntOrStringAllOfPattern(s: Schema): boolean {
  return Array.isArray(s.allOf) && s.allOf.length >= 1 && isRecord(s.allOf[0]) && isIntOrStringAnyOf(s.allOf[0].anyOf);
}

/** `validateStructuralInvariants`. */
function validateStructuralInvariants(s: Schema | undefined, lvl: Level, path: FieldPath): FieldError[] {
  if (!s) return [];
  const errs: FieldError[] = [];
  const type = typeOf(s);
  const items = itemsSchema(s);
  if (type === "array" && !items) errs.push(required(path.child("items"), "must be specified"));
  errs.push(...validateStructuralInvariants(items, "item", path.child("items")));
  for (const [k, v] of propertiesOf(s)) errs.push(...validateStructuralInvariants(v, "field", path.child("properties").key(k)));
  if (s.additionalProperties !== undefined && s.additionalProperties !== null) {
    if (lvl === "root") errs.push(forbidden(path.child("additionalProperties"), "must not be used at the root"));
    const ap = additionalPropertiesSchema(s);
    if (ap) errs.push(...validateStructuralInvariants(ap, "field", path.child("additionalProperties")));
  }
  const intOrString = s["x-kubernetes-int-or-string"] === true;
  const preserve = s["x-kubernetes-preserve-unknown-fields"] === true;
  const embedded = s["x-kubernetes-embedded-resource"] === true;
  if (intOrString && preserve) errs.push(invalid(path.child("x-kubernetes-preserve-unknown-fields"), true, "must be false if x-kubernetes-int-or-string is true"));
  if (intOrString && embedded) errs.push(invalid(path.child("x-kubernetes-embedded-resource"), true, "must be false if x-kubernetes-int-or-string is true"));
  errs.push(...validateValueValidation(s, isIntOrStringAnyOfPattern(s), isIntOrStringAllOfPattern(s), lvl, path));
  const checkMetadata = lvl === "root" || embedded;
  if (embedded && type !== "object") {
    if (!type) errs.push(required(path.child("type"), "must be object if x-kubernetes-embedded-resource is true"));
    else errs.push(invalid(path.child("type"), type, "must be object if x-kubernetes-embedded-resource is true"));
  } else if (!type && !intOrString && !preserve) {
    const where = lvl === "root" ? "at the root" : lvl === "item" ? "for specified array items" : "for specified object fields";
    errs.push(required(path.child("type"), `must not be empty ${where}`));
  }
  if (embedded && s.additionalProperties !== undefined && s.additionalProperties !== null) {
    errs.push(forbidden(path.child("additionalProperties"), "must not be used if x-kubernetes-embedded-resource is set"));
  }
  if (lvl === "root" && type && type !== "object") errs.push(invalid(path.child("type"), type, "must be object at the root"));
  const props = isRecord(s.properties) ? s.properties : {};
  for (const meta of ["kind", "apiVersion"]) {
    const p = props[meta];
    if (isRecord(p) && checkMetadata && p.type !== "string") errs.push(invalid(path.child("properties").key(meta).child("type"), typeOf(p), "must be string"));
  }
  if (isRecord(props.metadata)) errs.push(...validateStructuralMetadataInvariants(props.metadata, checkMetadata, lvl, path.child("properties").key("metadata")));
  if (embedded && !preserve && propertiesOf(s).length === 0) {
    errs.push(required(path.child("properties"), "must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields"));
  }
  return errs;
}

/** Keys NewStructural keeps (anything else, like `example`, is dropped before the metadata comparison). */
const STRUCTURAL_KEYS = new Set([...GENERIC, ...EXTENSIONS, ...VALUE_VALIDATION, "x-kubernetes-validations", "properties", "items", "additionalProperties"]);

function validateStructuralMetadataInvariants(s: Schema, checkMetadata: boolean, lvl: Level, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (checkMetadata && s.type !== "object") errs.push(invalid(path.child("type"), typeOf(s), "must be object"));
  if (lvl === "root") {
    const names = propertiesOf(s).map(([k]) => k);
    const onlyNames = names.every((n) => n === "name" || n === "generateName");
    const rest = Object.keys(s).filter((k) => STRUCTURAL_KEYS.has(k) && k !== "type" && k !== "default" && isSet(s, k) && !(k === "properties" && onlyNames));
    if (rest.length > 0) errs.push(forbidden(path, "must not specify anything other than name and generateName, but metadata is implicitly specified"));
  }
  return errs;
}

/** `validateValueValidation`: the junctors of a structural node. */
function validateValueValidation(s: Schema, skipAnyOf: boolean, skipFirstAllOfAnyOf: boolean, lvl: Level, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!skipAnyOf && Array.isArray(s.anyOf)) s.anyOf.forEach((x, i) => errs.push(...validateNestedValueValidation(x, false, lvl, path.child("anyOf").index(i))));
  if (Array.isArray(s.allOf)) s.allOf.forEach((x, i) => errs.push(...validateNestedValueValidation(x, skipFirstAllOfAnyOf && i === 0, lvl, path.child("allOf").index(i))));
  if (Array.isArray(s.oneOf)) s.oneOf.forEach((x, i) => errs.push(...validateNestedValueValidation(x, false, lvl, path.child("oneOf").index(i))));
  if (isRecord(s.not)) errs.push(...validateNestedValueValidation(s.not, false, lvl, path.child("not")));
  // The pattern must compile as Go's regexp compiles it (RE2): look-arounds, back-references, … are refused.
  if (typeof s.pattern === "string" && s.pattern.length > 0) {
    try {
      re2(s.pattern);
    } catch (err) {
      if (!(err instanceof RegexSyntaxError)) throw err;
      errs.push(invalid(path.child("pattern"), s.pattern, `must be a valid regular expression, but isn't: ${err.message}`));
    }
  }
  return errs;
}

/** `validateNestedValueValidation`: what a schema under a junctor may not say. */
function validateNestedValueValidation(v: unknown, skipAnyOf: boolean, lvl: Level, path: FieldPath): FieldError[] {
  if (!isRecord(v)) return [];
  const errs = validateValueValidation(v, skipAnyOf, false, lvl, path);
  if (isRecord(v.items)) errs.push(...validateNestedValueValidation(v.items, false, lvl, path.child("items")));
  for (const [k, p] of propertiesOf(v)) errs.push(...validateNestedValueValidation(p, false, "field", path.child("properties").key(k)));
  if (isSet(v, "type")) errs.push(forbidden(path.child("type"), "must be empty to be structural"));
  if (v.additionalProperties !== undefined && v.additionalProperties !== null) errs.push(forbidden(path.child("additionalProperties"), "must be undefined to be structural"));
  if (v.default !== undefined && v.default !== null) errs.push(forbidden(path.child("default"), "must be undefined to be structural"));
  if (isSet(v, "title")) errs.push(forbidden(path.child("title"), "must be empty to be structural"));
  if (isSet(v, "description")) errs.push(forbidden(path.child("description"), "must be empty to be structural"));
  if (v.nullable === true) errs.push(forbidden(path.child("nullable"), "must be false to be structural"));
  if (v["x-kubernetes-preserve-unknown-fields"] === true) errs.push(forbidden(path.child("x-kubernetes-preserve-unknown-fields"), "must be false to be structural"));
  if (v["x-kubernetes-embedded-resource"] === true) errs.push(forbidden(path.child("x-kubernetes-embedded-resource"), "must be false to be structural"));
  if (v["x-kubernetes-int-or-string"] === true) errs.push(forbidden(path.child("x-kubernetes-int-or-string"), "must be false to be structural"));
  if (isSet(v, "x-kubernetes-list-map-keys")) errs.push(forbidden(path.child("x-kubernetes-list-map-keys"), "must be empty to be structural"));
  if (typeof v["x-kubernetes-list-type"] === "string") errs.push(forbidden(path.child("x-kubernetes-list-type"), "must be undefined to be structural"));
  if (typeof v["x-kubernetes-map-type"] === "string") errs.push(forbidden(path.child("x-kubernetes-map-type"), "must be undefined to be structural"));
  if (isSet(v, "x-kubernetes-validations")) errs.push(forbidden(path.child("x-kubernetes-validations"), "must be empty to be structural"));
  if (isRecord(v.properties) && Object.hasOwn(v.properties, "metadata")) errs.push(forbidden(path.child("properties").key("metadata"), "must not be specified in a nested context"));
  return errs;
}

/** `validateStructuralCompleteness`: what value validations name must exist in the structure. */
function validateValueValidationCompleteness(v: Schema, s: Schema | undefined, sPath: FieldPath, vPath: FieldPath): FieldError[] {
  if (!s) return [required(sPath, `because it is defined in ${vPath.toString()}`)];
  const errs: FieldError[] = [];
  if (isRecord(v.not)) errs.push(...validateNestedCompleteness(v.not, s, sPath, vPath.child("not")));
  for (const junctor of ["allOf", "anyOf", "oneOf"]) {
    const list = v[junctor];
    if (Array.isArray(list)) list.forEach((x, i) => isRecord(x) && errs.push(...validateNestedCompleteness(x, s, sPath, vPath.child(junctor).index(i))));
  }
  return errs;
}

function validateNestedCompleteness(v: Schema, s: Schema | undefined, sPath: FieldPath, vPath: FieldPath): FieldError[] {
  if (!s) return [required(sPath, `because it is defined in ${vPath.toString()}`)];
  const errs = validateValueValidationCompleteness(v, s, sPath, vPath);
  if (isRecord(v.items)) errs.push(...validateNestedCompleteness(v.items, itemsSchema(s), sPath.child("items"), vPath.child("items")));
  const sProps = isRecord(s.properties) ? s.properties : {};
  for (const [k, vp] of propertiesOf(v)) {
    const sp = sProps[k];
    if (!isRecord(sp)) errs.push(required(sPath.child("properties").key(k), `because it is defined in ${vPath.child("properties").key(k).toString()}`));
    else errs.push(...validateNestedCompleteness(vp, sp, sPath.child("properties").key(k), vPath.child("properties").key(k)));
  }
  return errs;
}

/** `validateStructuralCompleteness` at every node of the structure. */
function validateStructuralCompleteness(s: Schema | undefined, path: FieldPath): FieldError[] {
  if (!s) return [];
  const errs = validateStructuralCompleteness(itemsSchema(s), path.child("items"));
  for (const [k, p] of propertiesOf(s)) errs.push(...validateStructuralCompleteness(p, path.child("properties").key(k)));
  errs.push(...validateStructuralCompleteness(additionalPropertiesSchema(s), path.child("additionalProperties")));
  return [...errs, ...validateValueValidationCompleteness(s, s, path, path)];
}

/**
 * `ValidateStructural`: the errors, sorted by their text as Kubernetes sorts them.
 *
 * @example
 * validateStructural(FieldPath.of("spec", "validation", "openAPIV3Schema"), { properties: { a: {} } });
 */
export function validateStructural(path: FieldPath, schema: Schema): FieldError[] {
  const errs = [...validateStructuralInvariants(schema, "root", path), ...validateStructuralCompleteness(schema, path)];
  const keyed = errs.map((e) => [formatFieldError(e), e] as const);
  keyed.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return keyed.map(([, e]) => e);
}
