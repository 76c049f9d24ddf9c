/**
 * A write as kube-apiserver answers it over HTTP: the apiserver pipeline (`checkWrite`) does the
 * work; this maps its findings to responses — decoding problems of built-in kinds (values of the
 * wrong type, bad base64, unknown fields under `fieldValidation=Strict`) to 400, everything else
 * to the 422 `Status` of `apierrors.NewInvalid`, `fieldValidation=Warn` and the kind's warnings to
 * `Warning` headers — and prunes what the apiserver does not store (unknown fields, nulls).
 */
import type * as z from "zod";
import { defOf as zodDef } from "../meta/zod.js";
import * as k from "#schemas/runtime.js";
import { childSchema, type PathSegment } from "../meta/index.js";
import * as celRules from "../apiserver/cel/rules.js";
import { checkWrite, useCelRules, type WriteIssue } from "../apiserver/write.js";
import * as celEngineImpl from "../apiserver/cel-engine-impl.js";
import { useCelEngine } from "../apiserver/cel-engine.js";
import { kindRules } from "../apiserver/groups.js";
import type { UserInfo } from "../apiserver/cel/authz.js";
import type { ServedResource } from "./catalog.js";
import { badRequest, invalid } from "./status.js";
import { unmarshalTypeError } from "./go-types.js";

type Obj = Record<string, unknown>;

useCelRules(celRules);
useCelEngine(celEngineImpl);

/** kube-apiserver's `fieldValidation` query parameter. */
export type FieldValidation = "Strict" | "Warn" | "Ignore";

/** Names of schema definitions (for decode errors that name the Go struct, as the apiserver does). */
export type DefinitionNames = WeakMap<object, string>;

type Def = { type: string; innerType?: z.core.$ZodType; format?: string };
const defOf = (s: z.core.$ZodType): Def => zodDef(s) as unknown as Def;

function schemaAt(schema: z.core.$ZodType, path: readonly PathSegment[]): z.core.$ZodType | undefined {
  let s: z.core.$ZodType | undefined = schema;
  for (const seg of path) s = s ? childSchema(s, seg) : undefined;
  return s;
}

function isBytesAt(schema: z.core.$ZodType, path: readonly PathSegment[]): boolean {
  let s = schemaAt(schema, path);
  for (let i = 0; s && i < 8; i++) {
    if (s === k.Bytes) return true;
    const d = defOf(s);
    if (!d.innerType) return false;
    s = d.innerType;
  }
  return false;
}

function valueAt(obj: unknown, path: readonly PathSegment[]): unknown {
  let cur = obj;
  for (const seg of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}

function firstBadBase64Byte(text: string): number {
  const i = text.search(/[^A-Za-z0-9+/=]/);
  return i < 0 ? text.length : i;
}

/** What validating a write found that is not an error: `Warning` header texts. */
export interface AdmissionResult {
  warnings: string[];
}

/** Options of {@link admit}. */
export interface AdmitOptions {
  fieldValidation: FieldValidation;
  /** Kubernetes minor served (28 … 36). */
  minor: number;
  names?: DefinitionNames;
  /** The namespace came from the request path (the object need not carry it). */
  namespaceFromPath: boolean;
  /** The stored object, for an update. */
  old?: Obj;
  /** The write is to a subresource: `status`, or one the kind has rules for (see {@link ruledSubresource}). */
  subresource?: string;
  /** The registry's own work on create (address allocation), between defaulting and validation. */
  beginCreate?(obj: Obj): void;
  /** Defaults for built-in kinds whose group has none in the pipeline yet. */
  fallbackDefaults?(obj: Obj): void;
  /** The labels of a stored namespace (null: none), for rules that read it. */
  namespaceLabels?(name: string): Readonly<Record<string, string>> | null | undefined;
  /** The user making the request, for strategies that record it. */
  user?: UserInfo;
}

/**
 * Default, prepare and validate an object about to be written, in place (unknown fields pruned);
 * returns the warnings, throws the apiserver's 400 or 422 `Status` errors.
 */
export function admit(resource: ServedResource, obj: Obj, options: AdmitOptions): AdmissionResult {
  const custom = Boolean(resource.custom);
  // Custom resources: null is "unset" for the fields the apiserver prunes nulls from.
  if (custom) dropNulls(obj);
  const outcome = checkWrite(obj, {
    schema: resource.schema,
    custom,
    minor: options.minor,
    owned: true,
    unknownFields: true,
    // Duplicate list-map entries of built-in kinds come back as warnings (kube-apiserver keeps them on create and
    // update unless the kind's own rules refuse them): looked for only where a kind has no rules of its own.
    builtinDuplicates: !custom && !kindRules(resource.group, resource.kind)?.validate,
    namespaceOptional: options.namespaceFromPath,
    ...(options.old ? { old: options.old, oldStored: true } : {}),
    ...(options.subresource ? { subresource: options.subresource } : {}),
    ...(options.beginCreate ? { beginCreate: options.beginCreate } : {}),
    ...(options.fallbackDefaults ? { fallbackDefaults: options.fallbackDefaults } : {}),
    ...(options.namespaceLabels ? { namespaceLabels: options.namespaceLabels } : {}),
    ...(options.user ? { user: options.user } : {}),
  });
  // The pipeline may hand back new objects where defaults were filled in: keep the caller's.
  replaceContents(obj, outcome.object);

  const warnings = [...outcome.warnings];
  const meta = obj.metadata as Obj | undefined;
  const name = String(meta?.name ?? meta?.generateName ?? "");
  const decodePrefix = `${resource.kind} in version "${resource.version}" cannot be handled as a ${resource.kind}`;
  const unknown = outcome.issues.filter((i) => i.rule === "strict/unknown-field");
  if (unknown.length) {
    if (options.fieldValidation === "Strict") throw badRequest(`${decodePrefix}: strict decoding error: ${unknown.map((i) => `unknown field "${i.field}"`).join(", ")}`);
    if (options.fieldValidation === "Warn") for (const i of unknown) warnings.push(`unknown field "${i.field}"`);
    for (const i of unknown) removePath(obj, i.path);
  }
  if (!custom) {
    // Built-in kinds are decoded into Go types: a value that does not fit is a 400.
    const type = outcome.issues.find((i) => i.rule === "schema/type");
    if (type) {
      throw badRequest(`${decodePrefix}: ${unmarshalTypeError(resource.schema, type.path, valueAt(obj, type.path), options.names, resource.kind)}`);
    }
    const bytes = outcome.issues.find((i) => i.rule === "schema/format" && isBytesAt(resource.schema, i.path));
    // Base64 is checked while decoding: a 400 that, like the apiserver's, never echoes the data.
    if (bytes) throw badRequest(`${decodePrefix}: illegal base64 data at input byte ${firstBadBase64Byte(String(valueAt(obj, bytes.path)))}`);
  }
  for (const i of outcome.issues) if (i.rule === "crd/cel-unevaluated" && i.text) warnings.push(i.text);
  const errors = outcome.issues.filter(refuses);
  if (errors.length) throw invalid(resource.kind, resource.group, name, errors);
  dropNulls(obj);
  return { warnings };
}

/** The findings kube-apiserver answers 422 for (its note that CEL rules were not run is one of them). */
function refuses(i: WriteIssue): boolean {
  if (i.rule === "strict/unknown-field") return false;
  return i.severity !== "warning" || i.rule === "crd/cel-not-run";
}

function replaceContents(target: Obj, source: Obj): void {
  if (target === source) return;
  const meta = target.metadata;
  for (const key of Object.keys(target)) if (!Object.hasOwn(source, key)) delete target[key];
  Object.assign(target, source);
  // Callers hold on to the metadata object: keep it, with the new contents.
  if (meta && typeof meta === "object" && source.metadata !== meta && source.metadata && typeof source.metadata === "object") {
    replaceContents(meta as Obj, source.metadata as Obj);
    target.metadata = meta;
  }
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
