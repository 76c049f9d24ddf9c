/**
 * What kube-apiserver does with an object written to it, once decoded, in its order of work:
 *
 * 1. defaulting — the kind's `SetObjectDefaults_<Kind>` for built-in kinds (null fields are unset
 *    first, as Go decoding makes them), the schema's structural defaults for custom resources;
 * 2. the OpenAPI schema, over what was decoded and defaulted — types (for built-in kinds these are
 *    decoding errors and stop the rest), required fields, enums, formats, ranges; fields the schema
 *    does not declare and duplicate list-map/set entries when asked;
 * 3. the registry's own work (the caller's `beginCreate`: address allocation);
 * 4. the strategy's preparation — `PrepareForCreate`, or on an update `rest.BeforeUpdate`'s
 *    metadata carry-over and `PrepareForUpdate`;
 * 5. native validation — object metadata first, then `Validate<Kind>` and, on an update,
 *    `Validate<Kind>Update` and the metadata update rules;
 * 6. for custom resources, `anyOf`/`oneOf`/`allOf`/`not` and the `x-kubernetes-validations` CEL
 *    rules (not run over an object with blocking errors, as kube-apiserver does not), with
 *    validation ratcheting on updates where the minor has it.
 *
 * Pure and synchronous: the schema comes from the caller. The object given is never changed unless
 * the caller hands it over (`owned`); parts of it are copied only where something is written.
 */
import type * as z from "zod";
import { defOf as zodDef } from "../meta/zod.js";
import {
  compileStructuralValidator,
  compileValidator,
  kubeMeta,
  metaOf,
  nameFormatOf,
  structuralIssues,
  unwrap,
  validateObjectMeta,
  type CompiledValidator,
  type StructuralValidator,
  type FieldError,
  type FieldErrorType,
  type KubeMeta,
  type NameFormat,
} from "../meta/index.js";
import { cloneJson } from "../patch/json.js";
import { isRecord } from "../meta/values.js";
import { apiContext, type ApiContext, type ApiContextOptions } from "./context.js";
import { FieldPath, internalError } from "./field.js";
import { kindRules } from "./groups.js";
import { keepStoredMetadata, validateObjectMetaUpdate } from "./object-meta-update.js";
import { unchangedSince } from "./ratcheting.js";
import type { KindRules } from "./registry.js";
import { schemaErrors } from "./schema-errors.js";
import { withDefaultsShared } from "./structural-defaults.js";
import { int64Issues } from "./wide-integers.js";
import type { WideInteger } from "../yaml/documents.js";
import { checkValueValidations } from "./value-validations.js";
import type * as CelRules from "./cel/rules.js";

type Obj = Record<string, unknown>;
type Schema = z.core.$ZodType;
type Def = Record<string, unknown> & { type: string };
const defOf = (s: z.core.$ZodType): Def => zodDef(s) as unknown as Def;

/** One problem a write has, with the rule id it reports under (see `RuleId` in the validator). */
export interface WriteIssue extends FieldError {
  rule: string;
  /** Informational: reported, but not a reason to refuse the object. */
  severity?: "warning";
  /** The issue as printed, for notes that are not field errors. */
  text?: string;
}

/** What a write came to. */
export interface WriteOutcome {
  /** The object as it would be stored: defaulted and prepared. */
  object: Obj;
  /** The problems, in the order kube-apiserver reports them. */
  issues: WriteIssue[];
  /** `Warning` header texts: the kind's `WarningsOnCreate`/`WarningsOnUpdate`. */
  warnings: string[];
  /** The stored object the update was checked against, defaulted as it would have been stored. */
  old?: Obj;
}

/** Options of {@link checkWrite}. */
export interface WriteOptions extends ApiContextOptions {
  /** The resource's schema: a built-in kind of the minor, a CRD's, or one defined in code. */
  schema?: z.ZodType;
  /** The object is a custom resource (its schema comes from a CRD or from code), not a built-in kind. */
  custom?: boolean;
  /** The stored object an update replaces; its presence makes the write an UPDATE. */
  old?: Obj;
  /** `old` is as stored (already defaulted); otherwise it is defaulted like the new object. */
  oldStored?: boolean;
  /** The caller hands the object over: it may be changed in place instead of copied. */
  owned?: boolean;
  /** No field of an object in the value is null: there is none to drop (`null` in an object field means unset). */
  nullFree?: boolean;
  /** Find the fields the schema does not declare (`strict/unknown-field`). */
  unknownFields?: boolean;
  /**
   * Report duplicate list-map/set entries on built-in kinds too (`strict/duplicate-entry`, as warnings:
   * kube-apiserver refuses them in custom resources only, and in built-in kinds where the kind's own
   * rules do). Custom resources are always checked, as errors.
   */
  builtinDuplicates?: boolean;
  /**
   * Integer literals beyond ±(2^53−1) the object holds rounded, with their exact values and paths
   * in the object (the YAML reader's `wideIntegers`): an integer field takes one that fits int64.
   */
  wideIntegers?: readonly WideInteger[];
  /** The namespace comes from where the object is sent (a request path, `kubectl -n`): not required in it. */
  namespaceOptional?: boolean;
  /**
   * The write is to a subresource: `status` (the kind's status update rules apply instead of its
   * spec rules) or one the kind has rules for (`KindRules.subresources`, a CSR's `approval`).
   */
  subresource?: string;
  /** The registry's work on create between defaulting and preparation (address allocation). */
  beginCreate?(obj: Obj): void;
  /** Defaults for built-in kinds whose group module has none (applied instead of the kind's). */
  fallbackDefaults?(obj: Obj): void;
}

/** What checking a kind needs, worked out once per schema. */
interface KindPlan {
  meta: KubeMeta;
  group: string;
  version: string;
  kind: string;
  namespaced?: boolean;
  nameFormat: NameFormat;
  check?: CompiledValidator;
  /** The check that also says whether the structural walk can find anything (compiled on first use; null: none). */
  structuralCheck?: StructuralValidator | null;
  /** The schema has `x-kubernetes-validations` rules somewhere. */
  celRules: boolean;
  /** The schema has `anyOf`/`oneOf`/`allOf`/`not` somewhere. */
  valueValidations: boolean;
  /** The built-in kind's rules, looked up once (`null`: none). */
  rules?: KindRules | null;
  /** The contexts of plain writes (no gates, clock or namespaces given) for `contextMinor`. */
  contextMinor?: number;
  createContext?: ApiContext;
  updateContext?: ApiContext;
}

const plans = new WeakMap<Schema, KindPlan>();

function scan(schema: Schema): { celRules: boolean; valueValidations: boolean } {
  const found = { celRules: false, valueValidations: false };
  const seen = new Set<Schema>();
  const stack: Schema[] = [schema];
  while (stack.length) {
    const s = stack.pop()!;
    if (seen.has(s)) continue;
    seen.add(s);
    const m = metaOf(s);
    if (m.validations?.length) found.celRules = true;
    if (m.valueValidations) found.valueValidations = true;
    const d = defOf(unwrap(s));
    if (d.type === "object") {
      stack.push(...Object.values(d.shape as Record<string, Schema>));
      if (d.catchall) stack.push(d.catchall as Schema);
    } else if (d.type === "array") stack.push(d.element as Schema);
    else if (d.type === "record") stack.push(d.valueType as Schema);
    else if (d.type === "union") stack.push(...(d.options as Schema[]));
  }
  return found;
}

function planOf(schema: z.ZodType): KindPlan {
  let plan = plans.get(schema);
  if (plan) return plan;
  const meta = kubeMeta.get(schema) ?? {};
  plan = {
    meta,
    group: meta.group ?? "",
    version: meta.version ?? "",
    kind: meta.kind ?? "",
    ...(meta.namespaced !== undefined ? { namespaced: meta.namespaced } : {}),
    nameFormat: nameFormatOf(schema),
    ...scan(schema),
  };
  const check = compileValidator(schema);
  if (check) plan.check = check;
  plans.set(schema, plan);
  return plan;
}

/** Whether a schema needs the CEL evaluator (load it with {@link loadCelRules} first). */
export function needsCel(schema: z.ZodType): boolean {
  return planOf(schema).celRules;
}

let cel: typeof CelRules | undefined;

/**
 * Load the CEL evaluator, which {@link checkWrite} needs for schemas with
 * `x-kubernetes-validations` rules (loaded on demand: most runs never need it).
 *
 * @example
 * if (needsCel(schema)) await loadCelRules();
 */
export async function loadCelRules(): Promise<void> {
  cel ??= await import("./cel/rules.js");
}

/** Hand over the CEL evaluator to a caller that imports it already. @example useCelRules(await import("kubezod/cel")) */
export function useCelRules(rules: typeof CelRules): void {
  cel ??= rules;
}

const contexts = new Map<string, ApiContext>();

function contextFor(options: ApiContextOptions, version: string, operation: "CREATE" | "UPDATE", plan?: KindPlan): ApiContext {
  if ((options.featureGates && Object.keys(options.featureGates).length) || options.namespaceLabels || options.now || options.user) return apiContext({ ...options, version, operation });
  // A kind's plan keeps the contexts of its version for the minor last used (most runs use one).
  if (plan?.kind && version === plan.version) {
    if (plan.contextMinor !== options.minor) {
      plan.contextMinor = options.minor;
      plan.createContext = plan.updateContext = undefined;
    }
    if (operation === "CREATE") return (plan.createContext ??= sharedContext(options.minor, version, operation));
    return (plan.updateContext ??= sharedContext(options.minor, version, operation));
  }
  return sharedContext(options.minor, version, operation);
}

function sharedContext(minor: number, version: string, operation: "CREATE" | "UPDATE"): ApiContext {
  const key = `${minor}/${version}/${operation}`;
  let ctx = contexts.get(key);
  if (!ctx) contexts.set(key, (ctx = apiContext({ minor, version, operation })));
  return ctx;
}

/** The rules of the kind a plan is for (looked up once per plan), or of the group and kind given. */
function rulesFor(plan: KindPlan | undefined, group: string, kind: string): KindRules | undefined {
  if (!plan?.kind) return kindRules(group, kind);
  if (plan.rules === undefined) plan.rules = kindRules(group, kind) ?? null;
  return plan.rules ?? undefined;
}

/** How {@link failingIssues} goes through a schema node: its fields, its items, or as a whole. */
type Walk = ({ kind: "object"; fields: Array<[string, Schema]>; fieldsAbsentOk?: Array<boolean | undefined> } | { kind: "array"; element: Schema } | { kind: "leaf" }) & {
  /** Whether the field may be absent (worked out the first time it is). */
  absentOk?: boolean;
};

/** Whether a schema takes an absent value (as the compiled validator, or Zod, says). */
function acceptsAbsent(schema: Schema): boolean {
  return (compileValidator(schema) ?? ((v: unknown) => (schema as z.ZodType).safeParse(v).success))(undefined);
}

const walks = new WeakMap<Schema, Walk>();

function walkOf(schema: Schema): Walk {
  let w = walks.get(schema);
  if (w) return w;
  const inner = unwrap(schema);
  const d = defOf(inner);
  // Nodes with checks of their own (a CRD's `minProperties`, `maxItems`) are checked as a whole.
  const own = (d.checks as unknown[] | undefined)?.length;
  const loose = !d.catchall || ["unknown", "any"].includes(defOf(d.catchall as Schema).type);
  if (!own && d.type === "object" && loose) w = { kind: "object", fields: Object.entries(d.shape as Record<string, Schema>) };
  else if (!own && d.type === "array") w = { kind: "array", element: d.element as Schema };
  else w = { kind: "leaf" };
  walks.set(schema, w);
  return w;
}

/**
 * Zod's issues for a value the compiled validator refused, found without parsing the whole value
 * with Zod: objects and lists are walked once, each leaf is checked by its compiled validator, and
 * Zod reads only the leaves that fail (a type error deep in a Deployment costs a walk and a parse
 * of one field, not a parse of the whole Deployment).
 */
function failingIssues(schema: Schema, value: unknown, path: PropertyKey[], out: z.core.$ZodIssue[], depth: number): void {
  const w = depth < 64 ? walkOf(schema) : LEAF;
  if (value === undefined && w !== LEAF) {
    // Most fields of an object are absent: whether that is allowed is the same every time.
    w.absentOk ??= acceptsAbsent(schema);
    if (w.absentOk) return;
  }
  if (w.kind === "object" && isRecord(value)) {
    // Most declared fields are absent: whether each may be is worked out once, by the object's walk.
    const absentOk = (w.fieldsAbsentOk ??= []);
    const fields = w.fields;
    for (let i = 0; i < fields.length; i++) {
      const [key, field] = fields[i]!;
      const v = value[key];
      if (v === undefined && (absentOk[i] ??= acceptsAbsent(field))) continue;
      path.push(key);
      failingIssues(field, v, path, out, depth + 1);
      path.pop();
    }
    return;
  }
  if (w.kind === "array" && Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      failingIssues(w.element, value[i], path, out, depth + 1);
      path.pop();
    }
    return;
  }
  const check = compileValidator(schema);
  if (check ? check(value) : (schema as z.ZodType).safeParse(value).success) return;
  const r = (schema as z.ZodType).safeParse(value);
  if (!r.success) for (const i of r.error.issues) out.push(path.length ? ({ ...i, path: [...path, ...i.path] } as z.core.$ZodIssue) : i);
}

const LEAF: Walk = { kind: "leaf" };

/** Zod's issues for a value the compiled validator refused (Zod over the whole value, when walking found none). */
function schemaIssuesOf(schema: z.ZodType, value: unknown): z.core.$ZodIssue[] {
  const found: z.core.$ZodIssue[] = [];
  failingIssues(schema, value, [], found, 0);
  return found.length ? found : (schema.safeParse(value).error?.issues ?? []);
}

/**
 * `null` in an object field means unset: Go decoding leaves such fields at their zero value. In place.
 * With `dropped`, the path of each field dropped is noted there (`path` is the current one).
 */
function dropNulls(value: unknown, depth = 0, dropped?: (string | number)[][], path?: (string | number)[]): void {
  if (depth > 512) return;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (typeof v === "object" && v !== null) dropNulls(v, depth + 1, dropped, dropped ? [...path!, i] : undefined);
    }
    return;
  }
  const o = value as Obj;
  for (const k in o) {
    const v = o[k];
    if (typeof v !== "object") continue;
    if (v === null) {
      delete o[k];
      if (dropped) dropped.push([...path!, k]);
    } else dropNulls(v, depth + 1, dropped, dropped ? [...path!, k] : undefined);
  }
}

/**
 * The dropped null fields the schema does not declare. kube-apiserver's strict decoding (Go's
 * encoding/json with unknown fields disallowed) reports an unknown key before it reads the value,
 * so `spec: null` where no `spec` is declared is as unknown as any other value there. Found by
 * walking a skeleton of just those paths.
 */
function unknownNullFields(schema: z.ZodType, dropped: readonly (string | number)[][]): FieldPath[] {
  const skeleton: Obj = {};
  for (const path of dropped) {
    let at: Obj | unknown[] = skeleton;
    for (let i = 0; i < path.length - 1; i++) {
      const seg = path[i]!;
      const container = at as Record<string | number, unknown>;
      if (container[seg] === undefined) container[seg] = typeof path[i + 1] === "number" ? [] : {};
      at = container[seg] as Obj | unknown[];
    }
    (at as Record<string | number, unknown>)[path[path.length - 1]!] = null;
  }
  return structuralIssues(schema, skeleton).unknownFields;
}

const NATIVE_RULE: Record<FieldErrorType, string> = {
  FieldValueRequired: "required",
  FieldValueInvalid: "invalid",
  FieldValueNotSupported: "unsupported",
  FieldValueForbidden: "forbidden",
  FieldValueTooLong: "too-long",
  FieldValueTooMany: "too-many",
  FieldValueDuplicate: "duplicate",
  FieldValueTypeInvalid: "type",
  FieldValueNotFound: "not-found",
  InternalError: "internal",
};

/**
 * The rule id of a native validation error: `native/<type>` (`native/required`,
 * `native/invalid`, `native/unsupported`, …), `update/<type>` for the update rules.
 *
 * @example
 * nativeRule({ type: "FieldValueNotSupported" } as FieldError); // "native/unsupported"
 */
export function nativeRule(e: FieldError, update = false): string {
  return `${update ? "update" : "native"}/${NATIVE_RULE[e.type] ?? "invalid"}`;
}

/** The rule id of an object metadata error (`meta/name`, `meta/labels`, …). */
function metadataRule(e: FieldError): string {
  const f = e.path[1];
  if (f === "name" || f === "generateName") return "meta/name";
  if (f === "namespace") return "meta/namespace";
  if (f === "labels") return "meta/labels";
  if (f === "annotations") return "meta/annotations";
  return "meta/metadata";
}

/** Errors a custom resource's CEL rules are not run over (apiextensions' `hasBlockingErr`). */
const BLOCKING = new Set<FieldErrorType>(["FieldValueNotSupported", "FieldValueRequired", "FieldValueTooLong", "FieldValueTooMany", "FieldValueTypeInvalid"]);

/** Kinds of schema error kube-apiserver's ratcheting drops on unchanged values. */
const RATCHETED = new Set(["schema/type", "schema/enum", "schema/format", "schema/range", "schema/length", "schema/value"]);

/** Run a rule function; a failure inside it is an internal error of the kind's rules, never a crash. */
function guarded(label: string, run: () => FieldError[] | undefined): FieldError[] {
  try {
    return run() ?? [];
  } catch (err) {
    return [internalError(FieldPath.root(), `${label}: ${err instanceof Error ? err.message : String(err)}`)];
  }
}

function metadataOf(obj: Obj): Obj | undefined {
  return isRecord(obj.metadata) ? obj.metadata : undefined;
}

/**
 * Default, prepare and validate an object as kube-apiserver does on a create (or, with `old`, an
 * update): the stored form and every problem, each with its rule id.
 *
 * @example
 * const { issues } = checkWrite(deployment, { schema: Deployment, minor: 36 });
 * issues.map((i) => `${i.rule} ${i.field}`); // ["native/invalid spec.template.metadata.labels"]
 */
export function checkWrite(input: Obj, options: WriteOptions): WriteOutcome {
  const schema = options.schema;
  const plan = schema ? planOf(schema) : undefined;
  const apiVersion = typeof input.apiVersion === "string" ? input.apiVersion : "";
  const slash = apiVersion.indexOf("/");
  const group = plan?.kind ? plan.group : slash < 0 ? "" : apiVersion.slice(0, slash);
  const version = plan?.kind ? plan.version : slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  const kind = plan?.kind || (typeof input.kind === "string" ? input.kind : "");
  const custom = options.custom === true;
  const rules: KindRules | undefined = custom ? undefined : rulesFor(plan, group, kind);
  const subRules = options.subresource && options.subresource !== "status" ? rules?.subresources?.[options.subresource] : undefined;
  const given = options.old;
  const update = given !== undefined;
  const ctx = contextFor(options, version, update ? "UPDATE" : "CREATE", plan);
  const issues: WriteIssue[] = [];
  const warnings: string[] = [];
  const namespaced = plan?.namespaced;

  // 1. Defaulting.
  let obj = options.owned ? input : (cloneJson(input) as Obj);
  let droppedNulls: (string | number)[][] | undefined;
  let old = given;
  if (custom) {
    if (schema) {
      obj = withDefaultsShared(schema, obj) as Obj;
      if (old && !options.oldStored) old = withDefaultsShared(schema, old) as Obj;
    }
  } else {
    if (!options.nullFree) dropNulls(obj, 0, options.unknownFields ? (droppedNulls = []) : undefined, options.unknownFields ? [] : undefined);
    applyDefaults(obj, rules, ctx, options);
    if (old && !options.oldStored) {
      old = cloneJson(old) as Obj;
      dropNulls(old);
      applyDefaults(old, rules, contextFor(options, version, "CREATE", plan), options);
    }
  }
  let meta = metadataOf(obj);
  if (namespaced === false && meta && typeof meta.namespace === "string" && meta.namespace !== "") {
    const message = `${kind} is cluster-scoped; the namespace is ignored`;
    issues.push({ rule: "meta/namespace", severity: "warning", type: "FieldValueInvalid", path: ["metadata", "namespace"], field: "metadata.namespace", message, text: `metadata.namespace: ${message}` });
    delete meta.namespace;
  }

  // 2. The OpenAPI schema.
  const schemaIssues: WriteIssue[] = [];
  let decodeFailed = false;
  const structure = schema !== undefined && (options.unknownFields || custom || options.builtinDuplicates);
  /** The one compiled walk found the value valid and with nothing for the structural walk to report. */
  let clean = false;
  if (schema) {
    let ok: boolean;
    if (structure && plan!.check) {
      if (plan!.structuralCheck === undefined) plan!.structuralCheck = compileStructuralValidator(schema) ?? null;
      const verdict = plan!.structuralCheck ? plan!.structuralCheck(obj) : plan!.check(obj) ? 2 : 0;
      ok = verdict !== 0;
      clean = verdict === 1;
    } else ok = plan!.check ? plan!.check(obj) : schema.safeParse(obj).success;
    if (!ok) {
      const found = int64Issues(plan!.check ? schemaIssuesOf(schema, obj) : (schema.safeParse(obj).error?.issues ?? []), obj, options.wideIntegers);
      const errors = schemaErrors(schema, obj, found, { custom, minor: options.minor });
      // kube-apiserver decodes a built-in object into its Go type, where a field the OpenAPI document
      // marks required is simply its zero value when absent: only the kind's native validation says
      // whether that is allowed, at the field path of the internal type (a CRD's
      // `spec.conversion.conversionReviewVersions`, where v1 writes `spec.conversion.webhook.…`).
      // Reporting the schema's `required` too gave the same error twice, or one kube-apiserver never prints.
      schemaIssues.push(...(custom ? errors : errors.filter((e) => e.rule !== "schema/required")));
    }
    // A built-in object whose values do not fit its Go types is not decoded: nothing else runs.
    if (!custom) decodeFailed = schemaIssues.some((i) => i.rule === "schema/type");
  }
  let unknown: WriteIssue[] = [];
  let duplicates: WriteIssue[] = [];
  if (structure && !clean) {
    const found = structuralIssues(schema, obj);
    if (options.unknownFields) {
      unknown = found.unknownFields.map((p) => {
        const field = p.toString();
        const message = `unknown field "${field}"`;
        return { rule: "strict/unknown-field", type: "FieldValueInvalid", path: [...p.segments], field, message, text: `${field}: ${message}` };
      });
    }
    if (custom || options.builtinDuplicates) duplicates = found.duplicateEntries.map((e) => ({ rule: "strict/duplicate-entry", ...e }));
  }
  if (schema && droppedNulls?.length) {
    const seen = new Set(unknown.map((u) => u.field));
    for (const p of unknownNullFields(schema, droppedNulls)) {
      const field = p.toString();
      if (seen.has(field)) continue;
      seen.add(field);
      const message = `unknown field "${field}"`;
      unknown.push({ rule: "strict/unknown-field", type: "FieldValueInvalid", path: [...p.segments], field, message, text: `${field}: ${message}` });
    }
  }
  if (decodeFailed) {
    issues.push(...schemaIssues, ...unknown);
    return { object: obj, issues, warnings, ...(old ? { old } : {}) };
  }

  // 3–4. The registry's work, then the strategy's preparation (after the schema, which sees what was
  // decoded and defaulted: a status the strategy resets is not the writer's).
  if (update) {
    if (!meta && obj.metadata === undefined) obj.metadata = meta = {};
    const oldMeta = metadataOf(old!);
    if (meta && oldMeta) keepStoredMetadata(meta, oldMeta, namespaced !== false);
    const prepare = options.subresource === "status" ? rules?.prepareForStatusUpdate : subRules ? subRules.prepareForUpdate : rules?.prepareForUpdate;
    if (prepare) issues.push(...ruleIssues(guarded("PrepareForUpdate", () => (prepare(obj, old!, ctx), [])), false));
  } else {
    options.beginCreate?.(obj);
    if (rules?.prepareForCreate) issues.push(...ruleIssues(guarded("PrepareForCreate", () => (rules.prepareForCreate!(obj, ctx), [])), false));
  }
  meta = metadataOf(obj);

  // 5. Object metadata, then the kind's own validation.
  if (rules?.objectMeta === undefined) checkMetadata(obj, plan?.nameFormat ?? "dns-subdomain", namespaced, options, schemaIssues, issues);
  if (update) for (const e of validateObjectMetaUpdate(obj.metadata, old!.metadata)) issues.push({ rule: "update/" + NATIVE_RULE[e.type], ...e });
  const native: WriteIssue[] = [];
  if (update && options.subresource === "status") {
    if (rules?.validateStatusUpdate) native.push(...ruleIssues(guarded(`Validate${kind}StatusUpdate`, () => rules.validateStatusUpdate!(obj, old!, ctx)), true));
  } else if (update && subRules) {
    const validate = subRules.validateUpdate;
    if (validate) native.push(...ruleIssues(guarded(`Validate${kind}Update`, () => validate(obj, old!, ctx)), true));
  } else {
    if (rules?.validate) native.push(...ruleIssues(guarded(`Validate${kind}`, () => rules.validate!(obj, ctx)), false));
    if (update && rules?.validateUpdate) native.push(...ruleIssues(guarded(`Validate${kind}Update`, () => rules.validateUpdate!(obj, old!, ctx)), true));
  }
  issues.push(...native);
  // rest.BeforeCreate's generic metadata check, for kinds whose own validation skips it: only when all else passed.
  if (rules?.objectMeta === false && !issues.some((i) => i.severity !== "warning")) checkMetadata(obj, "path-segment", namespaced, options, schemaIssues, issues);

  // Schema errors the kind's own validation already reports at the same field are not repeated.
  // (A field the kind's validation reports inside — `roleRef.name` for a missing `roleRef` — counts.)
  const reported = native.length ? new Set(native.flatMap((i) => fieldAndParents(i.field))) : undefined;
  let kept = reported ? schemaIssues.filter((i) => !reported.has(i.field)) : schemaIssues;
  if (update && custom && schema && ctx.gate("CRDValidationRatcheting")) {
    kept = kept.filter((i) => !(RATCHETED.has(i.rule) && unchangedSince(schema, i.path, obj, old)));
  }
  issues.push(...kept);
  // Duplicate list-map/set entries. A custom resource's structural schema refuses them. A built-in kind
  // is decoded into Go slices, where only the kind's own rules refuse one (container names, volume
  // names, Service ports: reported above by those rules); the field manager tolerates the rest on create
  // and update (only server-side apply refuses them), so for built-in kinds they are warnings.
  const dupes = duplicates.length && reported ? duplicates.filter((d) => !native.some((n) => n.field.startsWith(d.field))) : duplicates;
  if (custom) issues.push(...dupes);
  issues.push(...unknown);

  // 6. Value validations and CEL rules.
  if (schema && plan!.valueValidations) for (const e of checkValueValidations(schema, obj)) issues.push({ rule: "crd/value-validation", ...e });
  if (schema && plan!.celRules) {
    if (issues.some((i) => i.severity !== "warning" && BLOCKING.has(i.type))) {
      issues.push({
        rule: "crd/cel-not-run",
        severity: "warning",
        type: "FieldValueInvalid",
        path: [],
        field: "<nil>",
        value: null,
        display: options.minor >= 34 ? "null" : '"null"',
        message: "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation",
      });
    } else {
      if (!cel) throw new Error("the CEL evaluator is not loaded: await loadCelRules() before checking objects whose schema has validation rules");
      const ratchet = update && ctx.gate("CRDValidationRatcheting");
      const result = cel.checkValidationRules(schema, obj, update ? { oldValue: old, ratcheting: ratchet, minor: ctx.minor } : { minor: ctx.minor });
      for (const e of result.errors) issues.push({ rule: "crd/cel", ...e });
      for (const u of result.unevaluated) {
        const message = `rule not evaluated (${u.reason}): ${u.rule}`;
        issues.push({ rule: "crd/cel-unevaluated", severity: "warning", type: "FieldValueInvalid", path: u.path, field: u.field, message, text: `${u.field || "<root>"}: ${message}` });
      }
    }
  }
  if (rules?.warnings) {
    try {
      warnings.push(...rules.warnings(obj, old, ctx));
    } catch {
      // Warnings are advice: a failure to work them out is not the object's problem.
    }
  }
  // Built-in duplicates the kind's own warnings already name (an env var hiding another, a port defined
  // twice, an image pull secret named twice) are not repeated.
  if (!custom) {
    for (const d of dupes) if (!warnings.some((w) => w.startsWith(d.field) && (w[d.field.length] === ":" || w[d.field.length] === "."))) issues.push({ ...d, severity: "warning" });
  }
  return { object: obj, issues, warnings, ...(old ? { old } : {}) };
}

/** Object metadata (`ValidateObjectMeta`), into `issues`. */
function checkMetadata(obj: Obj, nameFormat: NameFormat, namespaced: boolean | undefined, options: WriteOptions, schemaIssues: WriteIssue[], issues: WriteIssue[]): void {
  const metaErrors = validateObjectMeta(obj.metadata, { nameFormat, namespaced, namespaceOptional: options.namespaceOptional === true });
  for (const e of metaErrors) {
    // A metadata value of the wrong type is already a schema error.
    if (e.type === "FieldValueTypeInvalid" && schemaIssues.some((i) => i.field === e.field)) continue;
    issues.push({ rule: metadataRule(e), ...e });
  }
}

/** `a.b[0].c` → `a.b[0].c`, `a.b[0]`, `a.b`, `a`. */
function fieldAndParents(field: string): string[] {
  const out = [field];
  for (let i = field.length - 1; i > 0; i--) if (field[i] === "." || field[i] === "[") out.push(field.slice(0, i));
  return out;
}

function ruleIssues(errs: FieldError[], update: boolean): WriteIssue[] {
  return errs.map((e) => ({ rule: nativeRule(e, update), ...e }));
}

function applyDefaults(obj: Obj, rules: KindRules | undefined, ctx: ApiContext, options: WriteOptions): void {
  if (rules?.defaults) {
    try {
      rules.defaults(obj, ctx);
    } catch {
      // Defaults over a malformed object: validation reports what is wrong with it.
    }
  } else options.fallbackDefaults?.(obj);
}
