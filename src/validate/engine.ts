/**
 * The validation engine: finds each resource's schema (built-in kinds of the chosen Kubernetes
 * minor, CRDs, user schemas), runs the compiled validator (Zod only when something is wrong), and
 * the apiserver-like checks: strict fields, list-map keys, object metadata, removed and deprecated
 * API versions, CRD value validations and CEL rules.
 */
import type * as z from "zod";
import { defOf } from "../meta/zod.js";
import {
  builtinKinds,
  compileValidator,
  crdKinds,
  formatFieldError,
  kubeMeta,
  metaOf,
  nameFormatOf,
  normalizeKubernetesVersion,
  schemaFor,
  schemasFromCrd,
  structuralIssues,
  unwrap,
  validateObjectMeta,
  type CompiledValidator,
  type FieldError,
  type ObjectMetaContext,
  type PathSegment,
} from "../meta/index.js";
import type * as Cel from "../apiserver/cel/rules.js";
import { withDefaultsShared, hasDefault } from "../apiserver/structural-defaults.js";
import { deprecationOf, type DeprecationStatus } from "./deprecations.js";
import { detached, detachedCommon } from "../yaml/strings.js";
import { schemaErrors } from "./schema-issues.js";
import type { ResourceResult, ValidationIssue } from "./types.js";
import { checkValueValidations } from "../apiserver/value-validations.js";
import { isRecord } from "../meta/values.js";

type Schema = z.core.$ZodType;
type Def = Record<string, unknown> & { type: string };

/** Which run-time checks a schema tree needs (scanned once per schema). */
interface SchemaFeatures {
  rules: boolean;
  valueValidations: boolean;
}

const featureMemo = new WeakMap<Schema, SchemaFeatures>();

function featuresOf(schema: Schema): SchemaFeatures {
  const hit = featureMemo.get(schema);
  if (hit) return hit;
  const f: SchemaFeatures = { rules: false, valueValidations: false };
  const seen = new Set<Schema>();
  const stack: Schema[] = [schema];
  while (stack.length) {
    const s = stack.pop()!;
    if (seen.has(s)) continue;
    seen.add(s);
    const m = metaOf(s);
    if (m.validations?.length) f.rules = true;
    if (m.valueValidations) f.valueValidations = true;
    const d = defOf(unwrap(s));
    if (d.type === "object") {
      stack.push(...Object.values(d.shape as Record<string, Schema>));
      if (d.catchall) stack.push(d.catchall as Schema);
    } else if (d.type === "array") stack.push(d.element as Schema);
    else if (d.type === "record") stack.push(d.valueType as Schema);
    else if (d.type === "union") stack.push(...(d.options as Schema[]));
  }
  featureMemo.set(schema, f);
  return f;
}

/** The CEL evaluator, loaded the first time a schema with validation rules is used. */
let cel: typeof Cel | undefined;

/** A kind selector from `--skip`/`--reject`: `Kind` or `group/version/Kind` (`v1/Kind` for core). */
function selectorMatches(selector: string, apiVersion: string, kind: string): boolean {
  return selector === kind || selector === `${apiVersion}/${kind}`;
}

/** Options of the engine (see `validateManifests`). */
export interface EngineOptions {
  kubernetesVersion?: string;
  strict?: boolean;
  ignoreMissingSchemas?: boolean;
  skip?: readonly string[];
  reject?: readonly string[];
  /** Extra resource schemas (e.g. from `defineResource`), used before built-ins. */
  schemas?: readonly z.ZodType[];
}

/** A resource to check, with a way to find positions in its source. */
export interface ResourceInput {
  file: string;
  document: number;
  item?: number;
  value: unknown;
  /** Path prefix of the resource inside its document (`items[3]` for List items). */
  prefix: PathSegment[];
  locate?: (path: readonly PathSegment[]) => { line: number; column: number };
}

/** What the engine needs to know about one apiVersion/kind, looked up once per run. */
interface KindInfo {
  schema?: Schema;
  deprecation?: DeprecationStatus;
  rejected: boolean;
  skipped: boolean;
  check?: CompiledValidator;
  metaOptions: ObjectMetaContext;
  clusterScoped: boolean;
  features?: SchemaFeatures;
}

/** A CustomResourceDefinition whose schemas are built the first time one of its kinds is used. */
class LaterCrd {
  private built?: Map<string, Schema>;
  constructor(
    private readonly crd: unknown,
    private readonly source: string,
  ) {}

  schema(key: string): Schema | undefined {
    this.built ??= new Map(schemasFromCrd(this.crd, this.source).map((b) => [`${b.apiVersion}/${b.kind}`, b.schema]));
    return this.built.get(key);
  }
}

/**
 * Validates resources for one Kubernetes minor and a set of custom resource definitions.
 *
 * @example
 * const engine = new ManifestEngine({ kubernetesVersion: "1.30" });
 */
export class ManifestEngine {
  readonly kubernetesVersion: string;
  readonly strict: boolean;
  private builtins?: Map<string, Schema>;
  private catalog?: Record<string, string[]>;
  private readonly custom = new Map<string, Schema | LaterCrd>();
  private readonly options: EngineOptions;
  /** Whether the CEL evaluator is loaded if any schema in use needs it. */
  private celReady = false;
  /** apiVersion → kind → what is known about it (cleared when schemas are added). */
  private readonly kinds = new Map<string, Map<string, KindInfo>>();

  constructor(options: EngineOptions = {}) {
    this.options = options;
    this.kubernetesVersion = normalizeKubernetesVersion(options.kubernetesVersion);
    this.strict = options.strict ?? true;
    for (const s of options.schemas ?? []) {
      const m = kubeMeta.get(s);
      if (m?.apiVersion && m.kind) this.custom.set(`${m.apiVersion}/${m.kind}`, s);
    }
  }

  /**
   * Load the built-in schemas of the given kinds (only the modules that define them), so that
   * `validate` can run synchronously.
   */
  async load(types: Iterable<{ apiVersion: string; kind: string }>): Promise<void> {
    if (this.catalog && this.builtins && this.allLoaded(types) && this.celReady) return;
    this.catalog ??= await builtinKinds(this.kubernetesVersion);
    const catalog = this.catalog;
    const builtins = (this.builtins ??= new Map());
    const wanted = new Map<string, { apiVersion: string; kind: string }>();
    for (const t of types) {
      const key = `${t.apiVersion}/${t.kind}`;
      if (!builtins.has(key) && catalog[t.apiVersion]?.includes(t.kind)) wanted.set(key, t);
    }
    await Promise.all(
      [...wanted].map(async ([key, t]) => {
        const s = await schemaFor(t, { kubernetesVersion: this.kubernetesVersion });
        if (s) builtins.set(key, s);
      }),
    );
    if (wanted.size) {
      this.kinds.clear();
      this.celReady = false;
    }
    if (!this.celReady) {
      const schemas = [...this.custom.values(), ...builtins.values()];
      if (!cel && schemas.some((s) => s instanceof LaterCrd || featuresOf(s).rules)) cel = await import("../apiserver/cel/rules.js");
      this.celReady = true;
    }
  }

  /** Whether every type that has a built-in schema has it loaded. */
  private allLoaded(types: Iterable<{ apiVersion: string; kind: string }>): boolean {
    for (const t of types) {
      if (this.builtins!.has(`${t.apiVersion}/${t.kind}`)) continue;
      if (this.catalog![t.apiVersion]?.includes(t.kind)) return false;
    }
    return true;
  }

  /**
   * Register the kinds a CustomResourceDefinition defines; returns the errors reading it.
   */
  addCrd(crd: unknown, source: string): FieldError[] | string | undefined {
    try {
      for (const b of schemasFromCrd(crd, source)) this.custom.set(`${b.apiVersion}/${b.kind}`, b.schema);
      this.kinds.clear();
      this.celReady = false;
      return undefined;
    } catch (err) {
      return (err as Error).message;
    }
  }

  /**
   * Register a CustomResourceDefinition known to build without problems (one that `addCrd`
   * accepted elsewhere): its schemas are built the first time one of its kinds is looked up.
   */
  addCrdLater(crd: unknown, source: string): void {
    const later = new LaterCrd(crd, source);
    for (const k of crdKinds(crd, source)) this.custom.set(`${k.apiVersion}/${k.kind}`, later);
    this.kinds.clear();
    this.celReady = false;
  }

  /** The schema of an apiVersion/kind: user schemas and CRDs first, then built-ins. */
  schemaFor(apiVersion: string, kind: string): Schema | undefined {
    const key = `${apiVersion}/${kind}`;
    const custom = this.custom.get(key);
    if (custom instanceof LaterCrd) return custom.schema(key);
    return custom ?? this.builtins?.get(key);
  }

  private kindInfo(apiVersion: string, kind: string): KindInfo {
    let byKind = this.kinds.get(apiVersion);
    if (!byKind) this.kinds.set(apiVersion, (byKind = new Map()));
    let info = byKind.get(kind);
    if (info) return info;
    const schema = this.schemaFor(apiVersion, kind);
    const deprecation = deprecationOf(apiVersion, kind, this.kubernetesVersion);
    const meta = schema ? kubeMeta.get(schema as z.ZodType) : undefined;
    info = {
      ...(schema ? { schema, check: compileValidator(schema), features: featuresOf(schema) } : {}),
      ...(deprecation ? { deprecation } : {}),
      rejected: Boolean(this.options.reject?.some((s) => selectorMatches(s, apiVersion, kind))),
      skipped: Boolean(this.options.skip?.some((s) => selectorMatches(s, apiVersion, kind))),
      metaOptions: {
        nameFormat: schema ? nameFormatOf(schema as z.ZodType) : "dns-subdomain",
        ...(meta?.namespaced ? { namespaced: true, namespaceOptional: true } : {}),
      },
      clusterScoped: meta?.namespaced === false,
    };
    byKind.set(kind, info);
    return info;
  }

  /** Check one resource. `load()` must have completed. */
  validate(input: ResourceInput): ResourceResult {
    const result: ResourceResult = {
      file: input.file,
      document: input.document,
      ...(input.item !== undefined ? { item: input.item } : {}),
      status: "valid",
      issues: [],
    };
    const prefix = input.prefix;
    const locate = (path: readonly PathSegment[]) => (input.locate ? input.locate(prefix.length ? [...prefix, ...path] : path) : undefined);
    const start = locate([]);
    if (start) Object.assign(result, start);
    const add = (rule: string, severity: "error" | "warning", path: PathSegment[], field: string, message: string, type?: FieldError["type"]) => {
      const issue: ValidationIssue = { rule, severity, path, field, message, ...(type ? { type } : {}) };
      const pos = locate(path);
      if (pos) Object.assign(issue, pos);
      result.issues.push(issue);
    };
    const addField = (rule: string, e: FieldError, severity: "error" | "warning" = "error") => add(rule, severity, e.path, e.field, formatFieldError(e), e.type);

    const value = input.value;
    if (!isRecord(value)) {
      add("manifest/not-an-object", "error", [], "", `a manifest must be a YAML or JSON object, not ${Array.isArray(value) ? "a list" : typeof value === "string" ? "a string" : String(value)}`);
      result.status = "error";
      return result;
    }
    const { apiVersion, kind } = value;
    if (typeof apiVersion === "string") result.apiVersion = detachedCommon(apiVersion);
    if (typeof kind === "string") result.kind = detachedCommon(kind);
    const meta = isRecord(value.metadata) ? value.metadata : undefined;
    if (typeof meta?.name === "string") result.name = detached(meta.name);
    else if (typeof meta?.generateName === "string") result.name = detached(meta.generateName);
    if (typeof meta?.namespace === "string") result.namespace = detachedCommon(meta.namespace);

    if (typeof apiVersion !== "string" || !apiVersion || typeof kind !== "string" || !kind) {
      if (typeof apiVersion !== "string" || !apiVersion) add("api/missing-type", "error", ["apiVersion"], "apiVersion", "apiVersion: Required value: apiVersion must be set");
      if (typeof kind !== "string" || !kind) add("api/missing-type", "error", ["kind"], "kind", "kind: Required value: kind must be set");
      result.status = "invalid";
      return result;
    }
    const info = this.kindInfo(apiVersion, kind);
    if (info.rejected) {
      add("api/rejected", "error", ["kind"], "kind", `${apiVersion} ${kind} is rejected by --reject`);
      result.status = "invalid";
      return result;
    }
    if (info.skipped) {
      result.status = "skipped";
      result.reason = "skipped by --skip";
      return result;
    }

    const { deprecation, schema } = info;
    if (!schema || deprecation?.removed) {
      if (deprecation?.removed) {
        add("api/removed", "error", ["apiVersion"], "apiVersion", deprecation.message);
        result.status = "invalid";
      } else if (this.options.ignoreMissingSchemas) {
        result.status = "skipped";
        result.reason = `no schema for ${apiVersion} ${kind} (--ignore-missing-schemas)`;
      } else {
        add(
          "api/unknown-kind",
          "error",
          ["kind"],
          "kind",
          `no schema for ${apiVersion} ${kind} in Kubernetes ${this.kubernetesVersion.slice(1)} (pass its CRD with --crd, or --ignore-missing-schemas to skip it)`,
        );
        result.status = "invalid";
      }
      return result;
    }
    if (deprecation) add("api/deprecated", "warning", ["apiVersion"], "apiVersion", deprecation.message);

    // The compiled validator fills in apiVersion/kind defaults only; both are present here.
    const check = info.check;
    if (!(check ? check(value) : (schema as z.ZodType).safeParse(value).success)) {
      const r = (schema as z.ZodType).safeParse(value);
      if (!r.success) {
        for (const e of schemaErrors(schema, value, r.error.issues)) {
          if (e.rule === "schema/required" && hasDefaultAt(schema, e.path)) continue;
          addField(e.rule, e);
        }
      }
    }

    if (this.strict) {
      const structure = structuralIssues(schema, value);
      for (const p of structure.unknownFields) {
        const field = p.toString();
        add("strict/unknown-field", "error", [...p.segments], field, `${field}: unknown field "${field}"`);
      }
      for (const e of structure.duplicateEntries) addField("strict/duplicate-entry", e);
    }

    const metaErrors = validateObjectMeta(value.metadata, info.metaOptions);
    for (const e of metaErrors) {
      // Type errors in metadata are already reported by the schema.
      if (e.type === "FieldValueTypeInvalid" && result.issues.some((i) => i.field === e.field)) continue;
      addField(metaRule(e), e);
    }
    if (info.clusterScoped && typeof meta?.namespace === "string" && meta.namespace) {
      add("meta/namespace", "warning", ["metadata", "namespace"], "metadata.namespace", `metadata.namespace: ${kind} is cluster-scoped; the namespace is ignored`);
    }

    const features = info.features ?? featuresOf(schema);
    if (features.valueValidations) for (const e of checkValueValidations(schema, value)) addField("crd/value-validation", e);
    const blocking = result.issues.some((i) => i.type === "FieldValueRequired" || i.type === "FieldValueTypeInvalid");
    if (features.rules && blocking) {
      // kube-apiserver does not run the rules of an object with missing or mistyped fields.
      add("crd/cel", "warning", [], "", "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation");
    } else if (features.rules) {
      if (!cel) throw new Error("ManifestEngine.load() must complete before validate() checks validation rules");
      const rules = cel.checkValidationRules(schema, withDefaultsShared(schema, value));
      for (const e of rules.errors) addField("crd/cel", e);
      for (const u of rules.unevaluated) {
        add("crd/cel-unevaluated", "warning", u.path, u.field, `${u.field || "<root>"}: rule not evaluated (${u.reason}): ${u.rule}`);
      }
    }

    if (result.issues.some((i) => i.severity === "error")) result.status = "invalid";
    return result;
  }
}

function hasDefaultAt(schema: Schema, path: readonly PathSegment[]): boolean {
  let s: Schema | undefined = schema;
  for (const seg of path) {
    const d = defOf(unwrap(s));
    if (d.type === "object") s = (d.shape as Record<string, Schema>)[String(seg)];
    else if (d.type === "array") s = d.element as Schema;
    else if (d.type === "record") s = d.valueType as Schema;
    else return false;
    if (!s) return false;
  }
  return hasDefault(s);
}

function metaRule(e: FieldError): string {
  const f = e.path[1];
  if (f === "name" || f === "generateName") return "meta/name";
  if (f === "namespace") return "meta/namespace";
  if (f === "labels") return "meta/labels";
  if (f === "annotations") return "meta/annotations";
  return "meta/metadata";
}
