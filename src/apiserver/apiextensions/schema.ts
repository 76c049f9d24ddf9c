/**
 * A CRD's OpenAPI v3 schema as apiextensions-apiserver checks it
 * (`validateCustomResourceDefinitionValidation`, `ValidateCustomResourceDefinitionOpenAPISchema`,
 * `specStandardValidatorV3`): unsupported keywords, list and map extensions, defaults (allowed
 * where, pruned), `x-kubernetes-validations` (shape, fieldPath, oldSelf on correlatable parts; the
 * expressions themselves through the CEL module, skipped when it cannot compile them).
 */
import { isRecord } from "../../meta/values.js";
import { celEngine } from "../cel-engine.js";
import { FieldPath, forbidden, invalid, notSupported, required, type FieldError } from "../field.js";
import { goStringSlice } from "../validation/index.js";
import { validateDefaultValue } from "./default-values.js";
import { additionalPropertiesSchema, isConvertible, isSet, itemsSchema, propertiesOf, validateStructural } from "./structural.js";

type Schema = Record<string, unknown>;

/** The options `ValidateCustomResourceDefinition(Update)` derives (from the stored CRD on updates). */
export interface SchemaOptions {
  allowDefaults: boolean;
  requireValidPropertyType: boolean;
  requireStructuralSchema: boolean;
  requirePrunedDefaults: boolean;
  requireAtomicSetType: boolean;
  requireMapListKeysMapSetValidation: boolean;
  /** The Kubernetes minor (for the wording of errors in default values). */
  minor?: number;
  /** Whether rule costs are estimated and held to `StaticEstimatedCostLimit` / `StaticEstimatedCRDCostLimit`. */
  estimateRuleCosts?: boolean;
  /**
   * `suppressPerExpressionCost`: an update leaves a version whose schema is unchanged free of the
   * per-rule and per-messageExpression cost errors (its costs still count toward the schema's total).
   */
  suppressPerExpressionCost?: boolean;
  /**
   * `preexistingExpressions`: the rules and message expressions of the stored CRD (on update),
   * compiled, and so estimated, in the minor's own environment rather than the previous minor's.
   */
  preexistingExpressions?: { rules: ReadonlySet<string>; messageExpressions: ReadonlySet<string> };
  /** The Kubernetes minor whose CEL libraries rules are estimated with (new rules: the previous minor's). */
  costMinor?: number;
  /** The schema's rule costs, gathered for `StaticEstimatedCRDCostLimit` (set per schema). */
  totalCost?: TotalCost;
}

/**
 * `TotalCost`: the sum of a schema's rule costs and the four most expensive rules of at least 1%
 * of the limit; `skipped` when a rule could not be estimated (the sum is then only a lower bound).
 */
interface TotalCost {
  total: number;
  top: Array<{ path: FieldPath; cost: number }>;
  skipped: boolean;
}

/** `StaticEstimatedCRDCostLimit`. */
const STATIC_ESTIMATED_CRD_COST_LIMIT = 100_000_000;

/** `ObserveExpressionCost`. */
function observe(t: TotalCost | undefined, path: FieldPath, cost: number | undefined): void {
  if (!t) return;
  if (cost === undefined) {
    t.skipped = true;
    return;
  }
  t.total += cost;
  if (cost < STATIC_ESTIMATED_CRD_COST_LIMIT / 100) return;
  t.top.push({ path, cost });
  t.top.sort((a, b) => b.cost - a.cost);
  if (t.top.length > 4) t.top.length = 4;
}

const OPENAPI_V3_TYPES = ["array", "boolean", "integer", "number", "object", "string"];
const SUPPORTED_VALIDATION_REASONS = ["FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired"];
const META_FIELDS = new Set(["metadata", "kind", "apiVersion"]);
const ALLOWED_AT_ROOT_WITH_STATUS = new Set([
  "description", "type", "format", "title", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum", "maxLength", "minLength", "pattern",
  "maxItems", "minItems", "uniqueItems", "multipleOf", "required", "items", "properties", "externalDocs", "example",
  "x-kubernetes-preserve-unknown-fields", "x-kubernetes-validations",
]);
/** The Go field names of JSONSchemaProps, for the root-with-status message. */
const ALLOWED_AT_ROOT_GO = "[Description Type Format Title Maximum ExclusiveMaximum Minimum ExclusiveMinimum MaxLength MinLength Pattern MaxItems MinItems UniqueItems MultipleOf Required Items Properties ExternalDocs Example XPreserveUnknownFields XValidations]";

/** The fields of Go's JSONSchemaProps in declaration order (the root-with-status check stops at the first offender). */
const JSON_SCHEMA_PROPS_ORDER = [
  "id", "$schema", "$ref", "description", "type", "nullable", "format", "title", "default", "maximum", "exclusiveMaximum", "minimum",
  "exclusiveMinimum", "maxLength", "minLength", "pattern", "maxItems", "minItems", "uniqueItems", "multipleOf", "enum", "maxProperties",
  "minProperties", "required", "items", "allOf", "oneOf", "anyOf", "not", "properties", "additionalProperties", "patternProperties",
  "dependencies", "additionalItems", "definitions", "externalDocs", "example", "x-kubernetes-preserve-unknown-fields",
  "x-kubernetes-embedded-resource", "x-kubernetes-int-or-string", "x-kubernetes-list-map-keys", "x-kubernetes-list-type",
  "x-kubernetes-map-type", "x-kubernetes-validations",
];

/** `specStandardValidatorV3` and the context it carries down the schema. */
interface Ssv {
  allowDefaults: boolean;
  disallowDefaultsReason: string;
  insideResourceMeta: boolean;
  requireValidPropertyType: boolean;
  uncorrelatable?: FieldPath;
  /**
   * How many times the data may occur in one object (`CELSchemaContext.MaxCardinality`): 1 at the
   * root, multiplied by `maxItems`/`maxProperties` below lists and maps, `null` once a list or map
   * above is unbounded.
   */
  cardinality?: number | null;
}

interface ErrorList {
  schema: FieldError[];
  cel: FieldError[];
}

function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

/** `specStandardValidatorV3.validate`. */
function ssvValidate(v: Ssv, s: Schema, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const type = str(s.type);
  if (v.requireValidPropertyType && type && !OPENAPI_V3_TYPES.includes(type)) errs.push(notSupported(path.child("type"), type, OPENAPI_V3_TYPES));
  if (s.default !== undefined && s.default !== null && !v.allowDefaults) {
    errs.push(forbidden(path.child("default"), `must not be set${v.disallowDefaultsReason ? ` ${v.disallowDefaultsReason}` : ""}`));
  }
  if (isSet(s, "id")) errs.push(forbidden(path.child("id"), "id is not supported"));
  if (s.additionalItems !== undefined && s.additionalItems !== null) errs.push(forbidden(path.child("additionalItems"), "additionalItems is not supported"));
  if (isSet(s, "patternProperties")) errs.push(forbidden(path.child("patternProperties"), "patternProperties is not supported"));
  if (isSet(s, "definitions")) errs.push(forbidden(path.child("definitions"), "definitions is not supported"));
  if (s.dependencies !== undefined && s.dependencies !== null) errs.push(forbidden(path.child("dependencies"), "dependencies is not supported"));
  if (s.$ref !== undefined && s.$ref !== null) errs.push(forbidden(path.child("$ref"), "$ref is not supported"));
  if (type === "null") errs.push(forbidden(path.child("type"), "type cannot be set to null, use nullable as an alternative"));
  if (Array.isArray(s.items) && s.items.length > 0) errs.push(forbidden(path.child("items"), "items must be a schema object and not an array"));
  if (v.insideResourceMeta && s["x-kubernetes-embedded-resource"] === true) {
    errs.push(forbidden(path.child("x-kubernetes-embedded-resource"), "must not be used inside of resource meta"));
  }
  return errs;
}

/** `validateMapListKeysMapSet`. */
function validateMapListKeysMapSet(s: Schema, path: FieldPath): FieldError[] {
  const items = itemsSchema(s);
  const listType = s["x-kubernetes-list-type"];
  if (!items || (listType !== "set" && listType !== "map")) return [];
  const errs: FieldError[] = [];
  if (items.nullable === true) errs.push(forbidden(path.child("items").child("nullable"), `cannot be nullable when x-kubernetes-list-type is ${listType}`));
  if (listType === "map") {
    const requiredKeys = new Set(Array.isArray(items.required) ? items.required : []);
    const props = isRecord(items.properties) ? items.properties : {};
    for (const k of Array.isArray(s["x-kubernetes-list-map-keys"]) ? (s["x-kubernetes-list-map-keys"] as unknown[]) : []) {
      if (typeof k !== "string" || !isRecord(props[k])) continue;
      const p = props[k] as Schema;
      const keyPath = path.child("items").child("properties").key(k);
      if (!requiredKeys.has(k) && (p.default === undefined || p.default === null)) {
        errs.push(required(keyPath.child("default"), "this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property"));
      }
      if (p.nullable === true) errs.push(forbidden(keyPath.child("nullable"), "this property is in x-kubernetes-list-map-keys, so it cannot be nullable"));
    }
  }
  return errs;
}

/** `MapIsCorrelatable`: granular (or unset) maps correlate old and new values. */
function mapIsCorrelatable(mapType: unknown): boolean {
  return mapType === undefined || mapType === null || mapType === "granular" || mapType === "";
}

/** Whether a rule's `fieldPath` names a field of the schema (`cel.ValidFieldPath`); unsure forms count as valid. */
export function validFieldPath(path: string, schema: Schema, allowArrayNotation = true): string | undefined {
  let s: Schema | undefined = schema;
  const tokens = path.match(/\[|\]|\.|[^.[\]]+/g) ?? [];
  let i = 0;
  const step = (name: string): string | undefined => {
    if (!s) return "does not refer to a valid field";
    if (isRecord(s.properties)) {
      const next: unknown = s.properties[name];
      if (!isRecord(next)) return "does not refer to a valid field";
      s = next;
    } else if (s.additionalProperties !== undefined && s.additionalProperties !== null) {
      s = additionalPropertiesSchema(s);
    } else return "does not refer to a valid field";
    return undefined;
  };
  while (i < tokens.length) {
    const tok = tokens[i++]!;
    if (tok === ".") {
      if (i >= tokens.length) return "unexpected end of JSON path";
      const err = step(tokens[i++]!);
      if (err) return err;
    } else if (tok === "[") {
      if (i >= tokens.length) return "unexpected end of JSON path";
      const inner = tokens[i++]!;
      if (inner.length < 2 || !inner.startsWith("'") || !inner.endsWith("'")) {
        // Numeric indexes into lists: accepted without further checks.
        if (allowArrayNotation && /^[0-9]+$/.test(inner)) return undefined;
        return `expected single quoted string but got ${inner}`;
      }
      const err = step(inner.slice(1, -1));
      if (err) return err;
      if (i >= tokens.length) return "unexpected end of JSON path";
      const close = tokens[i++]!;
      if (close !== "]") return `expected ] but got ${close}`;
    } else return `expected [ or . but got: ${tok}`;
  }
  return undefined;
}

function hasNewlines(s: string): boolean {
  return /[\n\r]/.test(s);
}

/** The checks of each `x-kubernetes-validations` entry that do not need CEL. */
function validateRuleShapes(s: Schema, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const rules = Array.isArray(s["x-kubernetes-validations"]) ? (s["x-kubernetes-validations"] as unknown[]) : [];
  rules.forEach((r, i) => {
    const rule = isRecord(r) ? r : {};
    const p = path.child("x-kubernetes-validations").index(i);
    const text = str(rule.rule).trim();
    const message = str(rule.message);
    const trimmedMsg = message.trim();
    if (!text) errs.push(required(p.child("rule"), "rule is not specified"));
    else if (message.length > 0 && !trimmedMsg) errs.push(invalid(p.child("message"), message, "message must be non-empty if specified"));
    else if (hasNewlines(trimmedMsg)) errs.push(invalid(p.child("message"), message, "message must not contain line breaks"));
    else if (hasNewlines(text) && !trimmedMsg) errs.push(required(p.child("message"), "message must be specified if rule contains line breaks"));
    const msgExpr = str(rule.messageExpression);
    if (msgExpr.length > 0 && !msgExpr.trim()) errs.push(required(p.child("messageExpression"), "messageExpression must be non-empty if specified"));
    if (typeof rule.reason === "string" && !SUPPORTED_VALIDATION_REASONS.includes(rule.reason)) errs.push(notSupported(p.child("reason"), rule.reason, SUPPORTED_VALIDATION_REASONS));
    const fieldPath = str(rule.fieldPath);
    if (fieldPath.length > 0 && !fieldPath.trim()) errs.push(invalid(p.child("fieldPath"), fieldPath, "fieldPath must be non-empty if specified"));
    if (hasNewlines(fieldPath)) errs.push(invalid(p.child("fieldPath"), fieldPath, "fieldPath must not contain line breaks"));
    if (fieldPath.length > 0 && isConvertible(s) && validFieldPath(fieldPath, s) !== undefined) errs.push(invalid(p.child("fieldPath"), fieldPath, "fieldPath must be a valid path"));
  });
  return errs;
}

/** `childContext`: the cardinality of a list's items or a map's values (`extractMaxElements` of the parent). */
function childCardinality(parent: number | null | undefined, maxElements: unknown): number | null {
  if (parent === null) return null;
  if (typeof maxElements !== "number" || !Number.isFinite(maxElements)) return null;
  return (parent ?? 1) * Math.max(0, Math.trunc(maxElements));
}

/** `StaticEstimatedCostLimit`. */
const STATIC_ESTIMATED_COST_LIMIT = 10_000_000;

/** `getCostErrorMessage`: the factor as Go formats it. */
function costErrorMessage(name: string, cost: number, limit: number): string {
  const f = cost / limit;
  const factor = f > 100 ? "more than 100x" : f < 1.5 ? `${f.toFixed(6)}x` : `${f.toFixed(1)}x`;
  return `${name} exceeds budget by factor of ${factor} (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)`;
}

/**
 * The estimated cost of an expression at a schema node (`MaxCost`) and the node's least serialized
 * size, or undefined when it cannot be estimated as kube-apiserver does: a path the rule reads that
 * the schema does not declare (kube-apiserver would not compile the rule), or a node the schema
 * gives no CEL type.
 */
function ruleCost(expression: string, s: Schema, resourceRoot: boolean, minor: number, stored = false): { cost: number; minSize: number } | undefined {
  const { estimateCost, schemaSizeBounds } = celEngine();
  const bounds = schemaSizeBounds(s, resourceRoot);
  let unknown = false;
  const sizes = (p: readonly string[]) => {
    const b = bounds.sizes(p);
    if (b === undefined && (p[0] === "self" || p[0] === "oldSelf")) unknown = true;
    return b;
  };
  if (bounds.sizes(["self"]) === undefined || bounds.minSerializedSize === undefined) return undefined;
  const est = estimateCost(expression, { level: stored ? minor : minor - 1, variables: { self: "dyn", oldSelf: "dyn" } }, sizes, bounds.options);
  return unknown ? undefined : { cost: est.max, minSize: bounds.minSerializedSize };
}

/** `celconfig.MaxRequestSizeBytes`. */
const MAX_REQUEST_SIZE_BYTES = 3 * 1024 * 1024;

/**
 * `getExpressionCost`: the rule's cost times how often its data may occur; below an unbounded list
 * or map, as often as the node's least serialized size fits in a request (`maxCardinality`).
 */
function expressionCost(cost: number, minSize: number, cardinality: number | null): number {
  if (cost === 0) return 0;
  const times = cardinality ?? Math.floor(MAX_REQUEST_SIZE_BYTES / (minSize + 1));
  return cost * times;
}

/** The compiled side of each rule: oldSelf only where old and new values correlate. */
function validateRuleExpressions(s: Schema, path: FieldPath, v: Ssv, opts?: SchemaOptions, resourceRoot = false): FieldError[] {
  const errs: FieldError[] = [];
  const rules = Array.isArray(s["x-kubernetes-validations"]) ? (s["x-kubernetes-validations"] as unknown[]) : [];
  rules.forEach((r, i) => {
    if (!isRecord(r) || typeof r.rule !== "string" || !r.rule.trim()) return;
    const compiled = celEngine().compileValidationRule({ rule: r.rule, ...(typeof r.messageExpression === "string" ? { messageExpression: r.messageExpression } : {}) });
    // Rules the CEL module cannot compile are not checked (never reported as wrong).
    const p = path.child("x-kubernetes-validations").index(i);
    if (!compiled.program) {
      if (opts?.totalCost) opts.totalCost.skipped = true;
      return;
    }
    if (opts?.estimateRuleCosts) {
      const minor = opts.costMinor ?? 36;
      const est = ruleCost(r.rule, s, resourceRoot, minor, !!opts.preexistingExpressions?.rules.has(r.rule));
      const cost = est ? expressionCost(est.cost, est.minSize, v.cardinality === undefined ? 1 : v.cardinality) : undefined;
      if (!opts.suppressPerExpressionCost && cost !== undefined && cost > STATIC_ESTIMATED_COST_LIMIT) errs.push(forbidden(p.child("rule"), costErrorMessage("estimated rule cost", cost, STATIC_ESTIMATED_COST_LIMIT)));
      observe(opts.totalCost, p.child("rule"), cost);
      if (typeof r.messageExpression === "string" && r.messageExpression.trim()) {
        // The message expression's own estimate, not multiplied by the cardinality.
        const m = compiled.messageProgram ? ruleCost(r.messageExpression, s, resourceRoot, minor, !!opts.preexistingExpressions?.messageExpressions.has(r.messageExpression)) : undefined;
        if (!opts.suppressPerExpressionCost && m !== undefined && m.cost > STATIC_ESTIMATED_COST_LIMIT) errs.push(forbidden(p.child("messageExpression"), costErrorMessage("estimated messageExpression cost", m.cost, STATIC_ESTIMATED_COST_LIMIT)));
        observe(opts.totalCost, p.child("messageExpression"), m?.cost);
      }
    }
    if (compiled.transition) {
      if (v.uncorrelatable) errs.push(invalid(p.child("rule"), r.rule, `oldSelf cannot be used on the uncorrelatable portion of the schema within ${v.uncorrelatable.toString()}`));
    } else if (typeof r.optionalOldSelf === "boolean") {
      errs.push(invalid(p.child("optionalOldSelf"), r.optionalOldSelf, "may not be set if oldSelf is not used in rule"));
    }
  });
  return errs;
}

/** `ValidateCustomResourceDefinitionOpenAPISchema`. */
function validateOpenAPISchema(s: unknown, path: FieldPath, v: Ssv, isRoot: boolean, opts: SchemaOptions, cel: boolean): ErrorList {
  const out: ErrorList = { schema: [], cel: [] };
  if (!isRecord(s)) return out;
  const add = (list: ErrorList): void => {
    out.schema.push(...list.schema);
    out.cel.push(...list.cel);
  };
  out.schema.push(...ssvValidate(v, s, path));
  if (s.uniqueItems === true) out.schema.push(forbidden(path.child("uniqueItems"), "uniqueItems cannot be set to true since the runtime complexity becomes quadratic"));
  const props = propertiesOf(s);
  const ap = s.additionalProperties;
  if (ap !== undefined && ap !== null) {
    if (props.length > 0 && (ap === false || isRecord(ap))) out.schema.push(forbidden(path.child("additionalProperties"), "additionalProperties and properties are mutual exclusive"));
    const sub = { ...(v.insideResourceMeta ? { ...v, allowDefaults: false, disallowDefaultsReason: "inside additionalProperties applying to object metadata" } : v), cardinality: childCardinality(v.cardinality, s.maxProperties) };
    add(validateOpenAPISchema(additionalPropertiesSchema(s), path.child("additionalProperties"), sub, false, opts, cel));
  }
  for (const [name, prop] of props) {
    let sub = v;
    if (!mapIsCorrelatable(s["x-kubernetes-map-type"]) && !sub.uncorrelatable) sub = { ...sub, uncorrelatable: path };
    if ((isRoot || s["x-kubernetes-embedded-resource"] === true) && META_FIELDS.has(name)) {
      sub = { ...sub, insideResourceMeta: true };
      if (isRoot) sub = { ...sub, allowDefaults: false, disallowDefaultsReason: `in top-level ${name}` };
    }
    add(validateOpenAPISchema(prop, path.child("properties").key(name), sub, false, opts, cel));
  }
  add(validateOpenAPISchema(s.not, path.child("not"), v, false, opts, false));
  for (const junctor of ["allOf", "oneOf", "anyOf"]) {
    if (Array.isArray(s[junctor])) (s[junctor] as unknown[]).forEach((x, i) => add(validateOpenAPISchema(x, path.child(junctor).index(i), v, false, opts, false)));
  }
  if (isRecord(s.definitions)) for (const [k, d] of Object.entries(s.definitions)) add(validateOpenAPISchema(d, path.child("definitions").key(k), v, false, opts, false));
  if (s.items !== undefined && s.items !== null) {
    const sub = { ...(s["x-kubernetes-list-type"] !== "map" && !v.uncorrelatable ? { ...v, uncorrelatable: path } : v), cardinality: childCardinality(v.cardinality, s.maxItems) };
    add(validateOpenAPISchema(itemsSchema(s), path.child("items"), sub, false, opts, cel));
    if (Array.isArray(s.items)) s.items.forEach((x, i) => add(validateOpenAPISchema(x, path.child("items").index(i), sub, false, opts, cel)));
  }
  if (isRecord(s.dependencies)) {
    for (const [k, d] of Object.entries(s.dependencies)) if (isRecord(d)) add(validateOpenAPISchema(d, path.child("dependencies").key(k), v, false, opts, false));
  }
  out.schema.push(...validateExtensions(s, path, opts));
  if (Array.isArray(s["x-kubernetes-validations"]) && s["x-kubernetes-validations"].length > 0) {
    out.schema.push(...validateRuleShapes(s, path));
    if (out.schema.length === 0 && cel) out.cel.push(...validateRuleExpressions(s, path, v, opts, isRoot || s["x-kubernetes-embedded-resource"] === true));
  }
  return out;
}

/** The `x-kubernetes-*` combinations checked at each node. */
function validateExtensions(s: Schema, path: FieldPath, opts: SchemaOptions): FieldError[] {
  const errs: FieldError[] = [];
  const type = str(s.type);
  const preserve = s["x-kubernetes-preserve-unknown-fields"];
  if (preserve === false) errs.push(invalid(path.child("x-kubernetes-preserve-unknown-fields"), false, "must be true or undefined"));
  const mapType = s["x-kubernetes-map-type"];
  if (typeof mapType === "string" && type !== "object") {
    if (!type) errs.push(required(path.child("type"), "must be object if x-kubernetes-map-type is specified"));
    else errs.push(invalid(path.child("type"), type, "must be object if x-kubernetes-map-type is specified"));
  }
  if (typeof mapType === "string" && mapType !== "atomic" && mapType !== "granular") errs.push(notSupported(path.child("x-kubernetes-map-type"), mapType, ["atomic", "granular"]));
  const listType = s["x-kubernetes-list-type"];
  const items = itemsSchema(s);
  if (typeof listType === "string" && type !== "array") {
    if (!type) errs.push(required(path.child("type"), "must be array if x-kubernetes-list-type is specified"));
    else errs.push(invalid(path.child("type"), type, "must be array if x-kubernetes-list-type is specified"));
  } else if (opts.requireAtomicSetType && listType === "set" && items) {
    if (items.type === "array" && typeof items["x-kubernetes-list-type"] === "string" && items["x-kubernetes-list-type"] !== "atomic") {
      errs.push(invalid(path.child("items").child("x-kubernetes-list-type"), items["x-kubernetes-list-type"], "must be atomic as item of a list with x-kubernetes-list-type=set"));
    } else if (items.type === "object" && items["x-kubernetes-map-type"] !== "atomic") {
      // Kubernetes reports the items' list type here (nil for objects).
      const lt = items["x-kubernetes-list-type"];
      errs.push(invalid(path.child("items").child("x-kubernetes-map-type"), lt ?? null, "must be atomic as item of a list with x-kubernetes-list-type=set", typeof lt === "string" ? undefined : '"null"'));
    }
  }
  if (typeof listType === "string" && listType !== "atomic" && listType !== "set" && listType !== "map") errs.push(notSupported(path.child("x-kubernetes-list-type"), listType, ["atomic", "set", "map"]));
  const keys = Array.isArray(s["x-kubernetes-list-map-keys"]) ? (s["x-kubernetes-list-map-keys"] as unknown[]).map(str) : [];
  if (keys.length > 0) {
    if (typeof listType !== "string") errs.push(required(path.child("x-kubernetes-list-type"), "must be map if x-kubernetes-list-map-keys is non-empty"));
    else if (listType !== "map") errs.push(invalid(path.child("x-kubernetes-list-type"), listType, "must be map if x-kubernetes-list-map-keys is non-empty"));
  }
  if (listType === "map") {
    if (keys.length === 0) errs.push(required(path.child("x-kubernetes-list-map-keys"), "must not be empty if x-kubernetes-list-type is map"));
    if (s.items === undefined || s.items === null) errs.push(required(path.child("items"), "must have a schema if x-kubernetes-list-type is map"));
    if (Array.isArray(s.items)) errs.push(invalid(path.child("items"), s.items, "must only have a single schema if x-kubernetes-list-type is map"));
    if (items && items.type !== "object") errs.push(invalid(path.child("items").child("type"), str(items.type), "must be object if parent array's x-kubernetes-list-type is map"));
    if (items && items.type === "object") {
      const props = isRecord(items.properties) ? items.properties : {};
      const seen = new Set<string>();
      for (const k of keys) {
        const p = props[k];
        if (isRecord(p)) {
          if (p.type === "array" || p.type === "object") {
            errs.push(invalid(path.child("items").child("properties").key(k).child("type"), str(items.type), "must be a scalar type if parent array's x-kubernetes-list-type is map"));
          }
        } else errs.push(invalid(path.child("x-kubernetes-list-map-keys"), keys, "entries must all be names of item properties", goStringSlice(keys)));
        if (seen.has(k)) errs.push(invalid(path.child("x-kubernetes-list-map-keys"), keys, "must not contain duplicate entries", goStringSlice(keys)));
        seen.add(k);
      }
    }
  }
  if (opts.requireMapListKeysMapSetValidation) errs.push(...validateMapListKeysMapSet(s, path));
  return errs;
}

/** Whether any node of the schema satisfies `pred` (`SchemaHas`). */
export function schemaHas(s: unknown, pred: (s: Schema) => boolean, depth = 0): boolean {
  if (!isRecord(s) || depth > 64) return false;
  if (pred(s)) return true;
  const next = (x: unknown): boolean => schemaHas(x, pred, depth + 1);
  if (isRecord(s.items) ? next(s.items) : Array.isArray(s.items) && s.items.some(next)) return true;
  for (const k of ["allOf", "anyOf", "oneOf"]) if (Array.isArray(s[k]) && (s[k] as unknown[]).some(next)) return true;
  if (next(s.not)) return true;
  for (const k of ["properties", "patternProperties", "definitions", "dependencies"]) if (isRecord(s[k]) && Object.values(s[k] as Schema).some(next)) return true;
  return next(s.additionalProperties) || next(s.additionalItems);
}

/** Pruning a default (`pruning.Prune`): whether anything the schema does not declare would be dropped. */
function pruneRemovesSomething(value: unknown, s: Schema | undefined, isResourceRoot: boolean, depth = 0): boolean {
  if (!s || depth > 64) return false;
  if (Array.isArray(value)) return value.some((x) => pruneRemovesSomething(x, itemsSchema(s), itemsSchema(s)?.["x-kubernetes-embedded-resource"] === true, depth + 1));
  if (!isRecord(value)) return false;
  const props = isRecord(s.properties) ? s.properties : {};
  const preserve = s["x-kubernetes-preserve-unknown-fields"] === true;
  const ap = s.additionalProperties;
  for (const [k, v] of Object.entries(value)) {
    const p = props[k];
    if (isRecord(p)) {
      if (pruneRemovesSomething(v, p, p["x-kubernetes-embedded-resource"] === true, depth + 1)) return true;
    } else if (isRecord(ap)) {
      if (pruneRemovesSomething(v, ap, ap["x-kubernetes-embedded-resource"] === true, depth + 1)) return true;
    } else if (!(preserve || ap === true || (isResourceRoot && META_FIELDS.has(k)))) return true;
  }
  return false;
}

/** Go's `%#v` of a decoded JSON value. */
export function goJSONText(v: unknown): string {
  if (v === null || v === undefined) return "interface {}(nil)";
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `[]interface {}{${v.map(goJSONText).join(", ")}}`;
  const o = v as Schema;
  return `map[string]interface {}{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${goJSONText(o[k])}`).join(", ")}}`;
}

/** `structuraldefaulting.ValidateDefaults`, the pruning part: a default may not carry fields the schema drops. */
function validateDefaults(s: Schema, path: FieldPath, isResourceRoot: boolean, insideMeta: boolean, requirePruned: boolean, depth = 0, checkValues = false, minor = 36): FieldError[] {
  if (depth > 64) return [];
  const errs: FieldError[] = [];
  const embedded = s["x-kubernetes-embedded-resource"] === true || isResourceRoot;
  if (embedded) insideMeta = false;
  if (s.default !== undefined && s.default !== null && !insideMeta) {
    if (requirePruned && pruneRemovesSomething(s.default, s, embedded)) errs.push(invalid(path.child("default"), s.default, "must not have unknown fields", goJSONText(s.default)));
    if (checkValues) errs.push(...validateDefaultValue(s, s.default, path.child("default"), minor));
  }
  const items = itemsSchema(s);
  if (items) errs.push(...validateDefaults(items, path.child("items"), false, insideMeta, requirePruned, depth + 1, checkValues, minor));
  for (const [k, p] of propertiesOf(s)) errs.push(...validateDefaults(p, path.child("properties").key(k), false, insideMeta || (embedded && META_FIELDS.has(k)), requirePruned, depth + 1, checkValues, minor));
  return errs;
}

/**
 * `schemaHasUnprunedDefaults`: a stored schema whose defaults carry fields pruning drops (such CRDs
 * keep being accepted on update).
 *
 * @example
 * schemaHasUnprunedDefaults({ type: "object", properties: { a: { type: "object", default: { x: 1 } } } }); // true
 */
export function schemaHasUnprunedDefaults(schema: Schema): boolean {
  return validateDefaults(schema, FieldPath.root(), true, false, true).length > 0;
}

/**
 * `validateCustomResourceDefinitionValidation`: the schema of one version (or the top-level one).
 *
 * @example
 * validateCustomResourceValidation({ openAPIV3Schema: { type: "object" } }, false, options, FieldPath.of("spec", "validation"));
 */
export function validateCustomResourceValidation(validation: unknown, statusEnabled: boolean, opts: SchemaOptions, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!isRecord(validation) || !isRecord(validation.openAPIV3Schema)) return errs;
  const schema = validation.openAPIV3Schema;
  const schemaPath = path.child("openAPIV3Schema");
  if (statusEnabled) {
    for (const key of JSON_SCHEMA_PROPS_ORDER) {
      if (!isSet(schema, key) && !(key === "x-kubernetes-preserve-unknown-fields" && schema[key] === false)) continue;
      if (key === "type") {
        if (schema.type !== "object") {
          errs.push(invalid(schemaPath.child("type"), str(schema.type), 'only "object" is allowed as the type at the root of the schema if the status subresource is enabled'));
          break;
        }
        continue;
      }
      if (!ALLOWED_AT_ROOT_WITH_STATUS.has(key)) {
        errs.push(invalid(schemaPath, schema, `only ${ALLOWED_AT_ROOT_GO} fields are allowed at the root of the schema if the status subresource is enabled`, "apiextensions.JSONSchemaProps{…}"));
        break;
      }
    }
  }
  if (schema.nullable === true) errs.push(forbidden(schemaPath.child("nullable"), "nullable cannot be true at the root"));
  const ssv: Ssv = { allowDefaults: opts.allowDefaults, disallowDefaultsReason: "", insideResourceMeta: false, requireValidPropertyType: opts.requireValidPropertyType };
  let cel = false;
  if (opts.requireStructuralSchema && isConvertible(schema)) {
    const structural = validateStructural(schemaPath, schema);
    if (structural.length > 0) errs.push(...structural);
    else {
      const defaults = validateDefaults(schema, schemaPath, true, false, opts.requirePrunedDefaults, 0, true, opts.minor ?? 36);
      if (defaults.length > 0) errs.push(...defaults);
      else cel = true;
    }
  }
  const totalCost: TotalCost | undefined = cel && opts.estimateRuleCosts ? { total: 0, top: [], skipped: false } : undefined;
  const list = validateOpenAPISchema(schema, schemaPath, ssv, true, totalCost ? { ...opts, totalCost } : opts, cel);
  errs.push(...list.schema, ...list.cel);
  // The schema's total, judged only when every rule could be estimated (a sum short of a rule could
  // name the wrong rules as the most expensive).
  if (totalCost && !totalCost.skipped && list.schema.length === 0 && totalCost.total > STATIC_ESTIMATED_CRD_COST_LIMIT) {
    for (const t of totalCost.top) errs.push(forbidden(t.path, "contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema"));
    errs.push(forbidden(schemaPath, costErrorMessage("x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema", totalCost.total, STATIC_ESTIMATED_CRD_COST_LIMIT)));
  }
  return errs;
}
