/**
 * CustomResourceDefinition objects as apiextensions-apiserver validates them
 * (`pkg/apis/apiextensions/validation`): the v1 object is first seen as the internal type (schemas,
 * subresources, printer columns and selectable fields that all versions share move to the top
 * level, as the v1 conversion does), then names, group, scope, versions, schemas, subresources,
 * printer columns, selectable fields, conversion webhooks, stored versions, the API approval
 * annotation of protected groups and the update rules.
 */
import { isRecord } from "../../meta/values.js";
import type { ApiContext } from "../context.js";
import { duplicate, FieldPath, forbidden, invalid, notSupported, required, tooMany, type FieldError } from "../field.js";
import {
  goStringSlice,
  isDNS1035Label,
  isDNS1123Subdomain,
  listAt,
  objectAt,
  optionalObject,
  semanticEqual,
  stringAt,
  stringsAt,
  validateImmutableField,
  validateWebhookService,
  validateWebhookURL,
} from "../validation/index.js";
import { schemaHas, schemaHasUnprunedDefaults, validateCustomResourceValidation, validFieldPath, type SchemaOptions } from "./schema.js";
import { isConvertible, itemsSchema, validateStructural } from "./structural.js";

type Obj = Record<string, unknown>;

/** The internal view of a v1 CRD spec (what the validation functions read). */
interface InternalSpec {
  group: string;
  scope: string;
  names: Obj;
  version: string;
  versions: Obj[];
  validation?: Obj;
  subresources?: Obj;
  additionalPrinterColumns: Obj[];
  selectableFields: Obj[];
  conversion?: Obj;
  preserveUnknownFields: boolean;
}

/** Validation options (`validationOptions`), derived from the stored CRD on updates. */
interface CrdOptions extends SchemaOptions {
  requireRecognizedConversionReviewVersion: boolean;
  requireImmutableNames: boolean;
  requireOpenAPISchema: boolean;
  /** `versionsWithUnchangedSchemas` (updates): versions whose schema is the stored CRD's. */
  versionsWithUnchangedSchemas?: ReadonlySet<string>;
}

/** `suppressExpressionCostForUnchangedSchema`. */
function suppressCostForUnchangedSchema(opts: CrdOptions, version: string): CrdOptions {
  return opts.versionsWithUnchangedSchemas?.has(version) ? { ...opts, suppressPerExpressionCost: true } : opts;
}

/**
 * `GetSchemaForVersion` on the internal spec: the top-level schema when no version has its own,
 * else the version's (undefined when it has none); null for a version the spec does not have.
 */
function schemaForVersion(spec: InternalSpec, name: string): Obj | undefined | null {
  if (!spec.versions.some((v) => v.schema !== undefined && v.schema !== null)) return spec.validation;
  if (spec.validation) return null;
  const v = spec.versions.find((x) => stringAt(x.name) === name);
  return v ? optionalObject(v.schema) : null;
}

/** `findVersionsWithUnchangedSchemas`: the new spec's versions whose schema equals the stored one's. */
function versionsWithUnchangedSchemas(spec: InternalSpec, oldSpec: InternalSpec): Set<string> {
  const out = new Set<string>();
  for (const v of spec.versions) {
    const name = stringAt(v.name);
    const now = schemaForVersion(spec, name);
    const before = schemaForVersion(oldSpec, name);
    if (now === null || before === null) continue;
    if (semanticEqual(now ?? null, before ?? null)) out.add(name);
  }
  return out;
}

/** `findPreexistingExpressions`: every rule and message expression of the stored spec's schemas. */
function preexistingExpressions(oldSpec: InternalSpec): { rules: Set<string>; messageExpressions: Set<string> } {
  const rules = new Set<string>();
  const messageExpressions = new Set<string>();
  for (const s of allSchemas(oldSpec)) {
    schemaHas(s, (n) => {
      for (const r of listAt(n["x-kubernetes-validations"])) {
        if (!isRecord(r)) continue;
        if (typeof r.rule === "string") rules.add(r.rule);
        if (typeof r.messageExpression === "string" && r.messageExpression.length > 0) messageExpressions.add(r.messageExpression);
      }
      return false;
    });
  }
  return { rules, messageExpressions };
}

const PRINTER_COLUMN_TYPES = "boolean,date,integer,number,string";
const PRINTER_COLUMN_FORMATS = "byte,date,date-time,double,float,int32,int64,password";
const PRINTER_COLUMN_TYPE_SET = new Set(PRINTER_COLUMN_TYPES.split(","));
const PRINTER_COLUMN_FORMAT_SET = new Set(PRINTER_COLUMN_FORMATS.split(","));
const ACCEPTED_CONVERSION_REVIEW_VERSIONS = ["v1", "v1beta1"];
const MAX_SELECTABLE_FIELDS = 8;
const API_APPROVAL_ANNOTATION = "api-approved.kubernetes.io";

/** `Convert_v1_CustomResourceDefinitionSpec_To_apiextensions_CustomResourceDefinitionSpec`. */
export function toInternalSpec(spec: Obj): InternalSpec {
  const versions = listAt(spec.versions).map((v) => ({ ...objectAt(v) }));
  const out: InternalSpec = {
    group: stringAt(spec.group),
    scope: stringAt(spec.scope),
    names: objectAt(spec.names),
    version: versions.length ? stringAt(versions[0]!.name) : "",
    versions,
    additionalPrinterColumns: [],
    selectableFields: [],
    preserveUnknownFields: spec.preserveUnknownFields === true,
  };
  const conversion = optionalObject(spec.conversion);
  if (conversion) out.conversion = conversion;
  if (versions.length === 0) return out;
  const same = (key: string): boolean => versions.every((v) => semanticEqual(v[key], versions[0]![key]));
  if (same("schema")) {
    const schema = optionalObject(versions[0]!.schema);
    if (schema) out.validation = schema;
    for (const v of versions) delete v.schema;
  }
  if (same("subresources")) {
    const sub = optionalObject(versions[0]!.subresources);
    if (sub) out.subresources = sub;
    for (const v of versions) delete v.subresources;
  }
  if (same("additionalPrinterColumns")) {
    out.additionalPrinterColumns = listAt(versions[0]!.additionalPrinterColumns).map(objectAt);
    for (const v of versions) delete v.additionalPrinterColumns;
  }
  if (same("selectableFields")) {
    out.selectableFields = listAt(versions[0]!.selectableFields).map(objectAt);
    for (const v of versions) delete v.selectableFields;
  }
  return out;
}

function schemaOf(holder: Obj | undefined): Obj | undefined {
  const s = holder ? optionalObject(holder.openAPIV3Schema) : undefined;
  return s;
}

/** Every schema of the spec (top-level and per version). */
function allSchemas(spec: InternalSpec): Obj[] {
  const out: Obj[] = [];
  const top = schemaOf(spec.validation);
  if (top) out.push(top);
  for (const v of spec.versions) {
    const s = schemaOf(optionalObject(v.schema));
    if (s) out.push(s);
  }
  return out;
}

function hasSchemaWith(spec: InternalSpec, pred: (s: Obj) => boolean): boolean {
  return allSchemas(spec).some((s) => schemaHas(s, pred));
}

function hasStatusEnabled(sub: Obj | undefined): boolean {
  return !!sub && sub.status !== undefined && sub.status !== null;
}

/** `ValidateCustomResourceDefinitionNames`. */
function validateNames(names: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const plural = stringAt(names.plural);
  const singular = stringAt(names.singular);
  const kind = stringAt(names.kind);
  const listKind = stringAt(names.listKind);
  const dns1035 = (v: string): string => isDNS1035Label(v).join(",");
  if (plural && dns1035(plural)) errs.push(invalid(path.child("plural"), plural, dns1035(plural)));
  if (singular && dns1035(singular)) errs.push(invalid(path.child("singular"), singular, dns1035(singular)));
  if (kind && dns1035(kind.toLowerCase())) errs.push(invalid(path.child("kind"), kind, `may have mixed case, but should otherwise match: ${dns1035(kind.toLowerCase())}`));
  if (listKind && dns1035(listKind.toLowerCase())) errs.push(invalid(path.child("listKind"), listKind, `may have mixed case, but should otherwise match: ${dns1035(listKind.toLowerCase())}`));
  stringsAt(names.shortNames).forEach((s, i) => {
    if (dns1035(s)) errs.push(invalid(path.child("shortNames").index(i), s, dns1035(s)));
  });
  if (kind && kind === listKind) errs.push(invalid(path.child("listKind"), listKind, "kind and listKind may not be the same"));
  stringsAt(names.categories).forEach((c, i) => {
    if (dns1035(c)) errs.push(invalid(path.child("categories").index(i), c, dns1035(c)));
  });
  return errs;
}

/** `validateSimpleJSONPath`. */
function validateSimpleJSONPath(s: string, path: FieldPath): FieldError[] {
  if (s.length === 0) return [invalid(path, s, "must not be empty")];
  if (s[0] !== ".") return [invalid(path, s, "must be a simple json path starting with .")];
  return [];
}

/** `ValidateCustomResourceColumnDefinition`. */
function validateColumn(col: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!stringAt(col.name)) errs.push(required(path.child("name"), ""));
  const type = stringAt(col.type);
  if (!type) errs.push(required(path.child("type"), `must be one of ${PRINTER_COLUMN_TYPES}`));
  else if (!PRINTER_COLUMN_TYPE_SET.has(type)) errs.push(invalid(path.child("type"), type, `must be one of ${PRINTER_COLUMN_TYPES}`));
  const format = stringAt(col.format);
  if (format && !PRINTER_COLUMN_FORMAT_SET.has(format)) errs.push(invalid(path.child("format"), format, `must be one of ${PRINTER_COLUMN_FORMATS}`));
  const jsonPath = stringAt(col.jsonPath);
  if (!jsonPath) errs.push(required(path.child("JSONPath"), ""));
  else errs.push(...validateSimpleJSONPath(jsonPath, path.child("JSONPath")));
  return errs;
}

/** `ValidateCustomResourceDefinitionSubresources`. */
function validateSubresources(sub: Obj | undefined, path: FieldPath): FieldError[] {
  const scale = sub ? optionalObject(sub.scale) : undefined;
  if (!scale) return [];
  const errs: FieldError[] = [];
  const scalePath = path.child("scale");
  const spec = stringAt(scale.specReplicasPath);
  if (!spec) errs.push(required(scalePath.child("specReplicasPath"), ""));
  else {
    const e = validateSimpleJSONPath(spec, scalePath.child("specReplicasPath"));
    if (e.length) errs.push(...e);
    else if (!spec.startsWith(".spec.")) errs.push(invalid(scalePath.child("specReplicasPath"), spec, "should be a json path under .spec"));
  }
  const status = stringAt(scale.statusReplicasPath);
  if (!status) errs.push(required(scalePath.child("statusReplicasPath"), ""));
  else {
    const e = validateSimpleJSONPath(status, scalePath.child("statusReplicasPath"));
    if (e.length) errs.push(...e);
    else if (!status.startsWith(".status.")) errs.push(invalid(scalePath.child("statusReplicasPath"), status, "should be a json path under .status"));
  }
  const selector = stringAt(scale.labelSelectorPath);
  if (selector) {
    const e = validateSimpleJSONPath(selector, scalePath.child("labelSelectorPath"));
    if (e.length) errs.push(...e);
    else if (!selector.startsWith(".spec.") && !selector.startsWith(".status.")) errs.push(invalid(scalePath.child("labelSelectorPath"), selector, "should be a json path under either .spec or .status"));
  }
  return errs;
}

/** `ValidateCustomResourceSelectableFields`. */
function validateSelectableFields(fields: Obj[], schema: Obj | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const unique = new Set<string>();
  fields.forEach((f, i) => {
    const p = path.index(i).child("jsonPath");
    const jsonPath = stringAt(f.jsonPath);
    if (!jsonPath) {
      errs.push(required(p, ""));
      return;
    }
    if (!schema) return;
    const err = validFieldPath(jsonPath, schema, false);
    if (err) {
      errs.push(invalid(p, jsonPath, `is an invalid path: ${err}`));
      return;
    }
    const segments = jsonPath.match(/[^.[\]']+/g) ?? [];
    if (segments[0] === "metadata") errs.push(invalid(p, jsonPath, "must not point to fields in metadata"));
    let found: Obj | undefined = schema;
    for (const seg of segments) found = found && isRecord(found.properties) ? optionalObject(found.properties[seg]) : found ? optionalObject(found.additionalProperties) : undefined;
    if (!found || !["string", "boolean", "integer"].includes(stringAt(found.type))) {
      errs.push(invalid(p, jsonPath, "must point to a field of type string, boolean or integer. Enum string fields and strings with formats are allowed."));
    }
    const key = segments.join(".");
    if (unique.has(key)) errs.push(duplicate(p, jsonPath));
    else unique.add(key);
  });
  if (unique.size > MAX_SELECTABLE_FIELDS) errs.push(tooMany(path, unique.size, MAX_SELECTABLE_FIELDS));
  return errs;
}

/** `validateDeprecationWarning`. */
function deprecationWarningProblems(deprecated: boolean, warning: unknown): string[] {
  if (!deprecated && typeof warning === "string") return ["can only be set for deprecated versions"];
  if (typeof warning !== "string") return [];
  const errs: string[] = [];
  if (Buffer.byteLength(warning) > 256) errs.push("must be <= 256 characters long");
  if (warning.length === 0) errs.push("must not be an empty string");
  let i = 0;
  for (const ch of warning) {
    if (!/^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(ch)) {
      errs.push(`must only contain printable UTF-8 characters; non-printable character found at index ${i}`);
      break;
    }
    i += Buffer.byteLength(ch);
  }
  return errs;
}

/** The structural check alone (`NewStructural` + `ValidateStructural`), for selectable fields and ratcheting. */
function isStructural(schema: Obj | undefined): boolean {
  return !schema || (isConvertible(schema) && validateStructural(FieldPath.root(), schema).length === 0);
}

/** `validateCustomResourceDefinitionVersion`. */
function validateVersion(version: Obj, path: FieldPath, statusEnabled: boolean, opts: CrdOptions, ctx: ApiContext): FieldError[] {
  const errs: FieldError[] = [];
  for (const m of deprecationWarningProblems(version.deprecated === true, version.deprecationWarning)) {
    errs.push(invalid(path.child("deprecationWarning"), version.deprecationWarning, m));
  }
  errs.push(...validateCustomResourceValidation(version.schema, statusEnabled, opts, path.child("schema")));
  errs.push(...validateSubresources(optionalObject(version.subresources), path.child("subresources")));
  listAt(version.additionalPrinterColumns).forEach((c, i) => errs.push(...validateColumn(objectAt(c), path.child("additionalPrinterColumns").index(i))));
  const selectable = listAt(version.selectableFields).map(objectAt);
  if (selectable.length > 0 && ctx.minor >= 31) {
    const schema = schemaOf(optionalObject(version.schema));
    if (!schema) errs.push(invalid(path.child("selectableFields"), "", "selectableFields may only be set when version.schema.openAPIV3Schema is not included"));
    else errs.push(...validateSelectableFields(selectable, isStructural(schema) ? schema : undefined, path.child("selectableFields")));
  }
  return errs;
}

/** `validateConversionReviewVersions`. */
function validateConversionReviewVersions(versions: string[], requireRecognized: boolean, path: FieldPath): FieldError[] {
  if (versions.length < 1) return [required(path, "")];
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  let accepted = false;
  versions.forEach((v, i) => {
    if (seen.has(v)) {
      errs.push(invalid(path.index(i), v, "duplicate version"));
      return;
    }
    seen.add(v);
    for (const m of isDNS1035Label(v)) errs.push(invalid(path.index(i), v, m));
    if (ACCEPTED_CONVERSION_REVIEW_VERSIONS.includes(v)) accepted = true;
  });
  if (requireRecognized && !accepted) errs.push(invalid(path, versions, `must include at least one of ${ACCEPTED_CONVERSION_REVIEW_VERSIONS.join(", ")}`, goStringSlice(versions)));
  return errs;
}

/** `validateCustomResourceConversion`. */
function validateConversion(conversion: Obj | undefined, requireRecognized: boolean, path: FieldPath): FieldError[] {
  if (!conversion) return [];
  const errs: FieldError[] = [];
  const strategy = stringAt(conversion.strategy);
  if (!strategy) errs.push(required(path.child("strategy"), ""));
  else if (strategy !== "None" && strategy !== "Webhook") errs.push(notSupported(path.child("strategy"), strategy, ["None", "Webhook"]));
  const webhook = optionalObject(conversion.webhook);
  const clientConfig = webhook ? optionalObject(webhook.clientConfig) : undefined;
  const reviewVersions = webhook ? stringsAt(webhook.conversionReviewVersions) : [];
  // v1 keeps these under `webhook`; the internal type (and so the error paths) has them on the conversion itself.
  if (strategy === "Webhook") {
    const ccPath = path.child("webhookClientConfig");
    if (!clientConfig) errs.push(required(ccPath, "required when strategy is set to Webhook"));
    else {
      const hasURL = typeof clientConfig.url === "string";
      const service = optionalObject(clientConfig.service);
      if (hasURL === !!service) errs.push(required(ccPath, "exactly one of url or service is required"));
      else if (hasURL) errs.push(...validateWebhookURL(ccPath.child("url"), clientConfig.url as string, true));
      else if (service) {
        const port = typeof service.port === "number" ? service.port : 443;
        errs.push(...validateWebhookService(ccPath.child("service"), stringAt(service.namespace), stringAt(service.name), typeof service.path === "string" ? service.path : undefined, port));
      }
    }
    errs.push(...validateConversionReviewVersions(reviewVersions, requireRecognized, path.child("conversionReviewVersions")));
  } else {
    if (clientConfig) errs.push(forbidden(path.child("webhookClientConfig"), "should not be set when strategy is not set to Webhook"));
    if (reviewVersions.length > 0) errs.push(forbidden(path.child("conversionReviewVersions"), "should not be set when strategy is not set to Webhook"));
  }
  return errs;
}

/** `%#v` of the internal versions list, as printed for the list-wide version errors (pointers elided). */
function versionsText(versions: Obj[]): string {
  const ptr = (v: unknown, type: string): string => (v === undefined || v === null ? `(*${type})(nil)` : `(*${type})(…)`);
  const list = (v: unknown, type: string): string => (Array.isArray(v) && v.length ? `[]${type}{…}` : `[]${type}(nil)`);
  return `[]apiextensions.CustomResourceDefinitionVersion{${versions
    .map(
      (v) =>
        `apiextensions.CustomResourceDefinitionVersion{Name:${JSON.stringify(stringAt(v.name))}, Served:${v.served === true}, Storage:${v.storage === true}, Deprecated:${v.deprecated === true}, DeprecationWarning:${ptr(v.deprecationWarning, "string")}, Schema:${ptr(v.schema, "apiextensions.CustomResourceValidation")}, Subresources:${ptr(v.subresources, "apiextensions.CustomResourceSubresources")}, AdditionalPrinterColumns:${list(v.additionalPrinterColumns, "apiextensions.CustomResourceColumnDefinition")}, SelectableFields:${list(v.selectableFields, "apiextensions.SelectableField")}}`,
    )
    .join(", ")}}`;
}

/** `validateCustomResourceDefinitionSpec`. */
function validateSpec(spec: InternalSpec, opts: CrdOptions, ctx: ApiContext, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  opts = { ...opts, costMinor: ctx.minor };
  if (!spec.group) errs.push(required(path.child("group"), ""));
  else if (isDNS1123Subdomain(spec.group).length) errs.push(invalid(path.child("group"), spec.group, isDNS1123Subdomain(spec.group).join(",")));
  else if (spec.group.split(".").length < 2) errs.push(invalid(path.child("group"), spec.group, "should be a domain with at least one dot"));
  if (!spec.scope) errs.push(required(path.child("scope"), ""));
  else if (spec.scope !== "Cluster" && spec.scope !== "Namespaced") errs.push(notSupported(path.child("scope"), spec.scope, ["Cluster", "Namespaced"]));
  if (!spec.preserveUnknownFields) opts.requireStructuralSchema = true;
  const topSchema = schemaOf(spec.validation);
  if (opts.requireOpenAPISchema) {
    if (!topSchema) {
      spec.versions.forEach((v, i) => {
        if (!schemaOf(optionalObject(v.schema))) errs.push(required(path.child("versions").index(i).child("schema").child("openAPIV3Schema"), "schemas are required"));
      });
    }
  } else if (!spec.preserveUnknownFields && !topSchema) {
    spec.versions.forEach((v, i) => {
      if (v.served === true && !schemaOf(optionalObject(v.schema))) errs.push(required(path.child("versions").index(i).child("schema").child("openAPIV3Schema"), "because otherwise all fields are pruned"));
    });
  }
  if (opts.allowDefaults && hasSchemaWith(spec, (s) => s.default !== undefined && s.default !== null)) {
    opts.requireStructuralSchema = true;
    if (spec.preserveUnknownFields) errs.push(invalid(path.child("preserveUnknownFields"), true, "must be false in order to use defaults in the schema"));
  }
  let storage = 0;
  const names = new Set<string>();
  let unique = true;
  const perVersionSubresources = spec.versions.some((v) => v.subresources !== undefined && v.subresources !== null);
  spec.versions.forEach((v, i) => {
    if (v.storage === true) storage++;
    const name = stringAt(v.name);
    if (names.has(name)) unique = false;
    else names.add(name);
    const e = isDNS1035Label(name);
    if (e.length) errs.push(invalid(path.child("versions").index(i).child("name"), name, e.join(",")));
    const subresources = perVersionSubresources ? optionalObject(v.subresources) : spec.subresources;
    errs.push(...validateVersion(v, path.child("versions").index(i), hasStatusEnabled(subresources), suppressCostForUnchangedSchema(opts, name), ctx));
  });
  if (!unique) errs.push(invalid(path.child("versions"), spec.versions, "must contain unique version names", versionsText(spec.versions)));
  if (storage !== 1) errs.push(invalid(path.child("versions"), spec.versions, "must have exactly one version marked as storage version", versionsText(spec.versions)));
  if (!stringAt(spec.names.plural)) errs.push(required(path.child("names").child("plural"), ""));
  if (!stringAt(spec.names.singular)) errs.push(required(path.child("names").child("singular"), ""));
  if (!stringAt(spec.names.kind)) errs.push(required(path.child("names").child("kind"), ""));
  if (!stringAt(spec.names.listKind)) errs.push(required(path.child("names").child("listKind"), ""));
  errs.push(...validateNames(spec.names, path.child("names")));
  const anyStatus = hasStatusEnabled(spec.subresources) || spec.versions.some((v) => hasStatusEnabled(optionalObject(v.subresources)));
  if (spec.validation) errs.push(...validateCustomResourceValidation(spec.validation, anyStatus, suppressCostForUnchangedSchema(opts, spec.version), path.child("validation")));
  errs.push(...validateSubresources(spec.subresources, path.child("subresources")));
  spec.additionalPrinterColumns.forEach((c, i) => errs.push(...validateColumn(c, path.child("additionalPrinterColumns").index(i))));
  if (spec.selectableFields.length > 0 && ctx.minor >= 31) {
    if (!spec.validation) errs.push(invalid(path.child("selectableFields"), "", "selectableFields may only be set when validations.schema is included"));
    else errs.push(...validateSelectableFields(spec.selectableFields, isStructural(topSchema) ? topSchema : undefined, path.child("selectableFields")));
  }
  const strategy = stringAt(spec.conversion?.strategy);
  if (spec.conversion && strategy !== "None" && spec.preserveUnknownFields) {
    errs.push(invalid(path.child("conversion").child("strategy"), strategy, "must be None if spec.preserveUnknownFields is true"));
  }
  errs.push(...validateConversion(spec.conversion, opts.requireRecognizedConversionReviewVersion, path.child("conversion")));
  return errs;
}

/** `ValidateCustomResourceDefinitionStoredVersions`. */
function validateStoredVersions(stored: string[], versions: Obj[], path: FieldPath): FieldError[] {
  if (stored.length === 0) return [invalid(path, stored, "must have at least one stored version", goStringSlice(stored.length ? stored : undefined))];
  const errs: FieldError[] = [];
  const remaining = new Map<string, number>();
  stored.forEach((v, i) => remaining.set(v, i));
  for (const v of versions) {
    const name = stringAt(v.name);
    const found = remaining.has(name);
    if (v.storage === true && !found) errs.push(invalid(path, stored, `must have the storage version ${name}`, goStringSlice(stored)));
    if (found) remaining.delete(name);
  }
  for (const [v, i] of [...remaining].sort((a, b) => a[1] - b[1])) {
    errs.push(invalid(path.index(i), v, `missing from spec.versions; ${v} was previously a storage version, and must remain in spec.versions until a storage migration ensures no data remains persisted in ${v} and removes ${v} from status.storedVersions`));
  }
  return errs;
}

/**
 * `ValidateCustomResourceDefinitionNames` (also what a status update checks).
 *
 * @example
 * validateNamesOf({ plural: "Widgets" }, FieldPath.of("status", "acceptedNames")).length; // 1
 */
export function validateNamesOf(names: Obj, path: FieldPath): FieldError[] {
  return validateNames(names, path);
}

/** `IsProtectedCommunityGroup`. */
function isProtectedCommunityGroup(group: string): boolean {
  return group === "k8s.io" || group.endsWith(".k8s.io") || group === "kubernetes.io" || group.endsWith(".kubernetes.io");
}

type ApprovalState = "missing" | "bypassed" | "invalid" | "approved";

/** `GetAPIApprovalState`: the annotation must be a URL or start with "unapproved". */
function apiApprovalState(annotations: Obj): [ApprovalState, string] {
  const value = stringAt(annotations[API_APPROVAL_ANNOTATION]);
  if (!value) return ["missing", `protected groups must have approval annotation "${API_APPROVAL_ANNOTATION}", see https://github.com/kubernetes/enhancements/pull/1111`];
  if (value.startsWith("unapproved")) return ["bypassed", ""];
  // url.ParseRequestURI: an absolute URL or an absolute path.
  const ok = /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(value) || value.startsWith("/");
  if (!ok) return ["invalid", `protected groups must have approval annotation "${API_APPROVAL_ANNOTATION}" with either a URL or a reason starting with "unapproved", see https://github.com/kubernetes/enhancements/pull/1111`];
  return ["approved", ""];
}

/** `validateAPIApproval`. */
function validateAPIApproval(crd: Obj, group: string, old: Obj | undefined): FieldError[] {
  if (!isProtectedCommunityGroup(group)) return [];
  const [state, reason] = apiApprovalState(objectAt(objectAt(crd.metadata).annotations));
  if (old) {
    const [oldState] = apiApprovalState(objectAt(objectAt(old.metadata).annotations));
    if (oldState === state) return [];
  }
  const path = FieldPath.of("metadata", "annotations").key(API_APPROVAL_ANNOTATION);
  if (state === "missing") return [required(path, reason)];
  if (state === "invalid") return [invalid(path, stringAt(objectAt(objectAt(crd.metadata).annotations)[API_APPROVAL_ANNOTATION]), reason)];
  return [];
}

/** `validatePreserveUnknownFields`: v1 CRDs may not turn pruning off. */
function validatePreserveUnknownFields(spec: InternalSpec, oldSpec: InternalSpec | undefined): FieldError[] {
  if (oldSpec?.preserveUnknownFields) return [];
  if (spec.preserveUnknownFields) {
    return [invalid(FieldPath.of("spec", "preserveUnknownFields"), true, "cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead")];
  }
  return [];
}

/** The metadata name rule of a CRD: `<plural>.<group>`. */
function validateName(crd: Obj, spec: InternalSpec): FieldError[] {
  const name = stringAt(objectAt(crd.metadata).name);
  const want = `${stringAt(spec.names.plural)}.${spec.group}`;
  return name && name !== want ? [invalid(FieldPath.of("metadata", "name"), name, 'must be spec.names.plural+"."+spec.group')] : [];
}

const CREATE_OPTIONS: CrdOptions = {
  allowDefaults: true,
  requireRecognizedConversionReviewVersion: true,
  requireImmutableNames: false,
  requireOpenAPISchema: true,
  requireValidPropertyType: true,
  requireStructuralSchema: true,
  requirePrunedDefaults: true,
  requireAtomicSetType: true,
  requireMapListKeysMapSetValidation: true,
  estimateRuleCosts: true,
};

function statusOf(crd: Obj): Obj {
  return objectAt(crd.status);
}

/** `ValidateCustomResourceDefinition` (without the generic object metadata checks). */
export function validateCustomResourceDefinition(crd: Obj, ctx: ApiContext): FieldError[] {
  const spec = toInternalSpec(objectAt(crd.spec));
  const status = statusOf(crd);
  return [
    ...validateName(crd, spec),
    ...validateSpec(spec, CREATE_OPTIONS, ctx, FieldPath.of("spec")),
    ...validateNames(objectAt(status.acceptedNames), FieldPath.of("status", "acceptedNames")),
    ...validateStoredVersions(stringsAt(status.storedVersions), spec.versions, FieldPath.of("status", "storedVersions")),
    ...validateAPIApproval(crd, spec.group, undefined),
    ...validatePreserveUnknownFields(spec, undefined),
  ];
}

function isEstablished(crd: Obj): boolean {
  return listAt(statusOf(crd).conditions).some((c) => isRecord(c) && c.type === "Established" && c.status === "True");
}

function hasInvalidMapListKeysMapSet(s: Obj): boolean {
  const items = itemsSchema(s);
  const listType = s["x-kubernetes-list-type"];
  if (!items || (listType !== "set" && listType !== "map")) return false;
  if (items.nullable === true) return true;
  if (listType !== "map") return false;
  const requiredKeys = new Set(Array.isArray(items.required) ? items.required : []);
  const props = isRecord(items.properties) ? items.properties : {};
  return stringsAt(s["x-kubernetes-list-map-keys"]).some((k) => {
    const p = props[k];
    return isRecord(p) && ((!requiredKeys.has(k) && (p.default === undefined || p.default === null)) || p.nullable === true);
  });
}

function hasNonAtomicSetType(s: Obj): boolean {
  const items = itemsSchema(s);
  if (s["x-kubernetes-list-type"] !== "set" || !items) return false;
  if (items.type === "array") return typeof items["x-kubernetes-list-type"] === "string" && items["x-kubernetes-list-type"] !== "atomic";
  if (items.type === "object") return items["x-kubernetes-map-type"] !== "atomic";
  return false;
}

/** The options of `ValidateCustomResourceDefinitionUpdate`: what the stored CRD already had is not tightened. */
function updateOptions(old: Obj, oldSpec: InternalSpec, spec: InternalSpec): CrdOptions {
  const conversion = oldSpec.conversion;
  const reviewVersions = stringsAt(objectAt(conversion?.webhook).conversionReviewVersions);
  const schemas = allSchemas(oldSpec);
  const allHaveSchema = !!schemaOf(oldSpec.validation) || oldSpec.versions.every((v) => !!schemaOf(optionalObject(v.schema)));
  return {
    allowDefaults: true,
    requireRecognizedConversionReviewVersion: !conversion || reviewVersions.length === 0 || reviewVersions.some((v) => ACCEPTED_CONVERSION_REVIEW_VERSIONS.includes(v)),
    requireImmutableNames: isEstablished(old),
    requireOpenAPISchema: allHaveSchema,
    requireValidPropertyType: !hasSchemaWith(oldSpec, (s) => typeof s.type === "string" && s.type !== "" && !["array", "boolean", "integer", "number", "object", "string"].includes(s.type)),
    requireStructuralSchema: schemas.every(isStructural),
    requirePrunedDefaults: !schemas.some(schemaHasUnprunedDefaults),
    requireAtomicSetType: !hasSchemaWith(oldSpec, hasNonAtomicSetType),
    requireMapListKeysMapSetValidation: !hasSchemaWith(oldSpec, hasInvalidMapListKeysMapSet),
    // Rule costs are checked on update too, except per rule in versions whose schema is unchanged.
    estimateRuleCosts: true,
    preexistingExpressions: preexistingExpressions(oldSpec),
    versionsWithUnchangedSchemas: versionsWithUnchangedSchemas(spec, oldSpec),
  };
}

/** `ValidateCustomResourceDefinitionUpdate` (without the generic object metadata checks). */
export function validateCustomResourceDefinitionUpdate(crd: Obj, old: Obj, ctx: ApiContext): FieldError[] {
  const spec = toInternalSpec(objectAt(crd.spec));
  const oldSpec = toInternalSpec(objectAt(old.spec));
  const opts = updateOptions(old, oldSpec, spec);
  const specPath = FieldPath.of("spec");
  const errs = [...validateName(crd, spec), ...validateSpec(spec, opts, ctx, specPath)];
  if (opts.requireImmutableNames) {
    errs.push(...validateImmutableField(spec.scope, oldSpec.scope, specPath.child("scope")));
    errs.push(...validateImmutableField(stringAt(spec.names.kind), stringAt(oldSpec.names.kind), specPath.child("names").child("kind")));
  }
  errs.push(...validateImmutableField(spec.group, oldSpec.group, specPath.child("group")));
  errs.push(...validateImmutableField(stringAt(spec.names.plural), stringAt(oldSpec.names.plural), specPath.child("names").child("plural")));
  const status = statusOf(crd);
  errs.push(...validateNames(objectAt(status.acceptedNames), FieldPath.of("status", "acceptedNames")));
  errs.push(...validateStoredVersions(stringsAt(status.storedVersions), spec.versions, FieldPath.of("status", "storedVersions")));
  errs.push(...validateAPIApproval(crd, spec.group, old));
  errs.push(...validatePreserveUnknownFields(spec, oldSpec));
  return errs;
}
