/**
 * Reads an OpenAPI / JSON-schema node (Kubernetes OpenAPI v2 or v3, or a CRD's openAPIV3Schema)
 * into the generator's IR, keeping every `x-kubernetes-*` fact.
 */
import type { FieldFacts, Node, ValidationRule } from "./ir.js";

/** A raw JSON-schema object as found in the input documents. */
export type RawSchema = Record<string, unknown>;

import { SpecError } from "../../errors.js";

/** Definitions of Go types whose zero value is written as JSON null. */
const GO_NULL_TIMES = new Set(["io.k8s.apimachinery.pkg.apis.meta.v1.Time", "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime"]);

export { SpecError };

const REF_PREFIXES = ["#/definitions/", "#/components/schemas/"];

/** The definition name a `$ref` points at. */
export function refName(ref: string): string {
  for (const prefix of REF_PREFIXES) {
    if (ref.startsWith(prefix)) return decodeURIComponent(ref.slice(prefix.length));
  }
  throw new SpecError(`unsupported $ref "${ref}" (only local definition references are understood)`);
}

function isRecord(v: unknown): v is RawSchema {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

function stringList(v: unknown): string[] | undefined {
  return Array.isArray(v) && v.every((x) => typeof x === "string") ? (v as string[]) : undefined;
}

function readValidations(v: unknown): ValidationRule[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const rules: ValidationRule[] = [];
  for (const item of v) {
    if (!isRecord(item) || typeof item.rule !== "string") continue;
    const rule: ValidationRule = { rule: item.rule };
    for (const key of ["message", "messageExpression", "reason", "fieldPath"] as const) {
      const value = str(item[key]);
      if (value !== undefined) rule[key] = value;
    }
    if (item.optionalOldSelf === true) rule.optionalOldSelf = true;
    rules.push(rule);
  }
  return rules.length ? rules : undefined;
}

/** The `x-kubernetes-*` facts (and defaults) carried by a schema node. */
export function readFacts(s: RawSchema): FieldFacts | undefined {
  const facts: FieldFacts = {};
  const strategy = str(s["x-kubernetes-patch-strategy"]);
  if (strategy) facts.patchStrategy = strategy;
  const mergeKey = str(s["x-kubernetes-patch-merge-key"]);
  if (mergeKey) facts.patchMergeKey = mergeKey;
  const listType = str(s["x-kubernetes-list-type"]);
  if (listType === "atomic" || listType === "set" || listType === "map") facts.listType = listType;
  const mapKeys = stringList(s["x-kubernetes-list-map-keys"]);
  if (mapKeys?.length) facts.listMapKeys = mapKeys;
  const mapType = str(s["x-kubernetes-map-type"]);
  if (mapType === "atomic" || mapType === "granular") facts.mapType = mapType;
  const validations = readValidations(s["x-kubernetes-validations"]);
  if (validations) facts.validations = validations;
  if (s["x-kubernetes-preserve-unknown-fields"] === true) facts.preserveUnknownFields = true;
  if (s["x-kubernetes-embedded-resource"] === true) facts.embeddedResource = true;
  if (Array.isArray(s["x-kubernetes-unions"])) facts.unions = s["x-kubernetes-unions"] as unknown[];
  if (s.default !== undefined) facts.default = s.default;
  const value: Record<string, unknown> = {};
  for (const key of ["anyOf", "oneOf", "allOf", "not"]) {
    if (s[key] !== undefined) value[key] = s[key];
  }
  if (Object.keys(value).length) facts.valueValidations = value;
  return Object.keys(facts).length ? facts : undefined;
}

/** Hooks that let a caller map well-known definitions (Quantity, Time, …) to wire scalars. */
export interface ReaderContext {
  /** Where in the input this node sits, for error messages (`definitions.Foo.properties.bar`). */
  where: string;
  /**
   * A CustomResourceDefinition's schema: numeric formats (int32, int64, float, double) are dropped,
   * as apiextensions-apiserver's StripUnsupportedFormatsPostProcess drops every format outside its
   * supported list before it validates custom resources — an int32 field takes any integer.
   */
  crd?: boolean;
}

/** `allOf: [{ $ref }]` (how OpenAPI v3 attaches a description to a reference). */
function singleRefAllOf(s: RawSchema): string | undefined {
  const allOf = s.allOf;
  if (Array.isArray(allOf) && allOf.length === 1 && isRecord(allOf[0]) && typeof allOf[0].$ref === "string") {
    return allOf[0].$ref;
  }
  return undefined;
}

/** Read one schema node into the IR. */
export function readSchema(raw: unknown, ctx: ReaderContext): Node {
  if (raw === true || (isRecord(raw) && Object.keys(raw).length === 0)) return { type: "any" };
  if (!isRecord(raw)) throw new SpecError(`${ctx.where}: a schema must be an object`);
  const s = raw;
  let facts = readFacts(s);
  const description = str(s.description);
  const base = {
    ...(description !== undefined ? { description } : {}),
    ...(s.nullable === true ? { nullable: true } : {}),
  };
  const ref = typeof s.$ref === "string" ? s.$ref : singleRefAllOf(s);
  if (ref !== undefined) {
    if (facts?.valueValidations && singleRefAllOf(s)) {
      const { valueValidations: _, ...rest } = facts;
      facts = Object.keys(rest).length ? rest : undefined;
    }
    return { type: "ref", name: refName(ref), ...base, ...(facts ? { facts } : {}) };
  }
  const withFacts = <T extends Node>(node: T): T => (facts ? { ...node, facts } : node);
  if (s["x-kubernetes-int-or-string"] === true || s.format === "int-or-string") {
    if (facts?.valueValidations) {
      // The anyOf [integer, string] that spells int-or-string is its type, not a value validation.
      const { valueValidations: _, ...rest } = facts;
      facts = Object.keys(rest).length ? rest : undefined;
    }
    return withFacts({ type: "int-or-string", ...base });
  }
  const type = s.type;
  if (Array.isArray(type)) throw new SpecError(`${ctx.where}: a list of types is not supported`);
  switch (type) {
    case "string": {
      const node: Node = { type: "string", ...base };
      const format = str(s.format);
      if (format) node.format = format;
      const en = stringList(s.enum);
      if (en) node.enum = en;
      const pattern = str(s.pattern);
      if (pattern) node.pattern = pattern;
      const minLength = num(s.minLength);
      if (minLength !== undefined) node.minLength = minLength;
      const maxLength = num(s.maxLength);
      if (maxLength !== undefined) node.maxLength = maxLength;
      return withFacts(node);
    }
    case "integer":
    case "number": {
      const node: Node = { type, ...base };
      const format = str(s.format);
      if (format && !ctx.crd) node.format = format;
      if (Array.isArray(s.enum) && s.enum.every((x) => typeof x === "number")) node.enum = s.enum as number[];
      const minimum = num(s.minimum);
      if (minimum !== undefined) node.minimum = minimum;
      const maximum = num(s.maximum);
      if (maximum !== undefined) node.maximum = maximum;
      if (s.exclusiveMinimum === true) node.exclusiveMinimum = true;
      if (s.exclusiveMaximum === true) node.exclusiveMaximum = true;
      const multipleOf = num(s.multipleOf);
      if (multipleOf !== undefined) node.multipleOf = multipleOf;
      return withFacts(node);
    }
    case "boolean":
      return withFacts({ type: "boolean", ...base });
    case "array": {
      if (s.items === undefined) {
        return withFacts({ type: "array", items: { type: "any" }, ...base });
      }
      if (Array.isArray(s.items)) throw new SpecError(`${ctx.where}: tuple "items" are not supported`);
      const node: Node = {
        type: "array",
        items: readSchema(s.items, { ...ctx, where: `${ctx.where}.items` }),
        ...base,
      };
      const minItems = num(s.minItems);
      if (minItems !== undefined) node.minItems = minItems;
      const maxItems = num(s.maxItems);
      if (maxItems !== undefined) node.maxItems = maxItems;
      return withFacts(node);
    }
    case "object":
    case undefined: {
      const props = isRecord(s.properties) ? s.properties : undefined;
      const additional = s.additionalProperties;
      if (type === undefined && !props && additional === undefined) {
        return withFacts({ type: "any", ...base });
      }
      const properties: Record<string, Node> = {};
      for (const [key, value] of Object.entries(props ?? {})) {
        properties[key] = readSchema(value, { ...ctx, where: `${ctx.where}.properties.${key}` });
      }
      const node: Node = {
        type: "object",
        properties,
        required: (stringList(s.required) ?? []).filter((k) => k in properties || !props),
        ...base,
      };
      // Go writes a zero metav1.Time or MicroTime as null, required or not: kube-apiserver answers
      // `eventTime: null` for an events.k8s.io Event written through core/v1 without one.
      for (const k of node.required) {
        const p = properties[k];
        if (p?.type === "ref" && GO_NULL_TIMES.has(p.name)) properties[k] = { ...p, nullable: true };
      }
      if (isRecord(additional)) {
        node.additionalProperties = readSchema(additional, { ...ctx, where: `${ctx.where}.additionalProperties` });
      } else if (additional === true) {
        node.additionalProperties = { type: "any" };
      }
      const minProperties = num(s.minProperties);
      if (minProperties !== undefined) node.minProperties = minProperties;
      const maxProperties = num(s.maxProperties);
      if (maxProperties !== undefined) node.maxProperties = maxProperties;
      return withFacts(node);
    }
    default:
      throw new SpecError(`${ctx.where}: unsupported type ${JSON.stringify(type)}`);
  }
}
