/**
 * The validation engine: finds each resource's schema (built-in kinds of the chosen Kubernetes
 * minor, CRDs, user schemas), hands the resource to the apiserver's write pipeline
 * (`checkWrite`: defaulting, preparation, schema, native validation, CEL) as a create — or as an
 * update of the matching `previous` object — and turns what it finds into results with rule ids
 * and source positions. API versions that are removed or deprecated in the minor are reported here.
 */
import type * as z from "zod";
import {
  builtinKinds,
  crdKinds,
  formatFieldError,
  kubeMeta,
  normalizeKubernetesVersion,
  schemaFor,
  schemasFromCrd,
  type FieldError,
  type PathSegment,
} from "../meta/index.js";
import { checkWrite, loadCelRules, needsCel, type WriteOptions } from "../apiserver/write.js";
import { celEngineLoaded, loadCelEngine } from "../apiserver/cel-engine.js";
import { groupCompilesCel } from "../apiserver/groups.js";
import { deprecationOf, type DeprecationStatus } from "../apiserver/deprecations.js";
import { crdDeprecationWarnings } from "../apiserver/apiextensions/deprecation.js";
import { isServed, versionLevel, type RuntimeConfig } from "../apiserver/served.js";
import { defaultLimitRange } from "../apiserver/core/quota.js";
import { detached, detachedCommon } from "../yaml/strings.js";
import type { WideInteger } from "../yaml/documents.js";
import type { ResourceResult, ValidationIssue } from "./types.js";
import { isRecord } from "../meta/values.js";
import { LIMIT_RANGER_RULE, limitRangerFindings } from "./limit-ranges.js";
import { POD_SECURITY_RULE, podSecurityFindings } from "./pod-security.js";

type Schema = z.core.$ZodType;
type Obj = Record<string, unknown>;

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
  /** Objects as they are now (in a cluster, or at the base of a change): a resource matching one is checked as an update of it. */
  previous?: readonly unknown[];
  /** Report values read with YAML 1.1 rules that YAML 1.2 reads differently (`0644`, `yes`) as warnings. */
  warnImplicitConversions?: boolean;
  /**
   * The built-in API versions the cluster serves beyond (or short of) kube-apiserver's defaults, as
   * its `--runtime-config` says (`{"api/beta": true}`); default: GA versions only, as a cluster serves.
   */
  runtimeConfig?: RuntimeConfig;
  /**
   * Namespace objects the cluster has (besides those in `previous`): rules that read a namespace's
   * labels (DRA admin access) check against them; a namespace not known is not judged.
   */
  namespaces?: readonly unknown[];
  /** The namespace of objects that name none (default: `default`), as `kubectl apply --namespace` sets it. */
  namespace?: string;
  /**
   * LimitRange objects among the inputs (besides those in `previous`): Pods and PersistentVolumeClaims
   * in their namespaces are checked as the LimitRanger admission plugin checks them.
   */
  limitRanges?: readonly unknown[];
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
  /** The document's integer literals beyond ±(2^53−1), at their paths in the document (the reader's `wideIntegers`). */
  wideIntegers?: readonly WideInteger[];
  /** No field of an object in the value is null (so there is none to drop). */
  nullFree?: true;
}

/** The wide integers of a document that lie inside the resource at `prefix`, at their paths in it. */
function wideIntegersIn(wide: readonly WideInteger[], prefix: readonly PathSegment[]): WideInteger[] {
  const out: WideInteger[] = [];
  for (const w of wide) {
    if (w.path.length > prefix.length && prefix.every((seg, i) => w.path[i] === seg)) out.push({ path: w.path.slice(prefix.length), value: w.value });
  }
  return out;
}

/** What the engine needs to know about one apiVersion/kind, looked up once per run. */
interface KindInfo {
  schema?: z.ZodType;
  custom: boolean;
  deprecation?: DeprecationStatus;
  /** The warning kube-apiserver sends for a deprecated version of a custom resource. */
  customDeprecation?: string;
  rejected: boolean;
  skipped: boolean;
  /** A built-in version the cluster does not serve (alpha and beta versions, by default). */
  notServed: boolean;
  /** Why the kind cannot be written (a resource served read-only), when it cannot. */
  readOnly?: string;
  /** The options `checkWrite` gets for the kind (without `old` and the namespaces' labels). */
  write?: WriteOptions;
  /** The same, for values known to hold no null field. */
  writeNullFree?: WriteOptions;
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

/** The group of an apiVersion (`""` for core). */
function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}

/** Kustomize's own files (`kustomization.yaml`, Components): not API objects. */
const KUSTOMIZE_GROUP = "kustomize.config.k8s.io";
const KUSTOMIZATION_FILE = /(?:^|[\\/])(?:kustomization\.ya?ml|Kustomization)$/;

/**
 * Groups of configuration files that Kubernetes' components and tools read from disk (kubelet,
 * scheduler, kube-proxy, kube-apiserver's admission, audit, encryption and authentication
 * configuration, kubeadm, kind): no API server serves them, so without a CRD for them they are
 * skipped with a reason rather than reported as unknown kinds.
 */
const COMPONENT_CONFIG_GROUPS = new Map<string, string>([
  ["apiserver.config.k8s.io", "kube-apiserver"],
  ["apiserver.k8s.io", "kube-apiserver"],
  ["audit.k8s.io", "kube-apiserver (audit)"],
  ["kubelet.config.k8s.io", "the kubelet"],
  ["credentialprovider.kubelet.k8s.io", "the kubelet"],
  ["kubescheduler.config.k8s.io", "kube-scheduler"],
  ["kubeproxy.config.k8s.io", "kube-proxy"],
  ["kubecontrollermanager.config.k8s.io", "kube-controller-manager"],
  ["cloudcontrollermanager.config.k8s.io", "cloud-controller-manager"],
  ["pod-security.admission.config.k8s.io", "kube-apiserver (PodSecurity admission)"],
  ["resourcequota.admission.k8s.io", "kube-apiserver (ResourceQuota admission)"],
  ["eventratelimit.admission.k8s.io", "kube-apiserver (EventRateLimit admission)"],
  ["podtolerationrestriction.admission.k8s.io", "kube-apiserver (PodTolerationRestriction admission)"],
  ["kubeadm.k8s.io", "kubeadm"],
  ["kind.x-k8s.io", "kind"],
]);

/** Why a document is a component's or tool's configuration file, not an API object (or undefined). */
function componentConfiguration(apiVersion: string, kind: string): string | undefined {
  const reader = apiVersion === "v1" && kind === "Config" ? "kubectl and clients (a kubeconfig)" : COMPONENT_CONFIG_GROUPS.get(groupOf(apiVersion));
  return reader === undefined ? undefined : `a configuration file read by ${reader}, not a Kubernetes API object`;
}

/** Objects a run is checked against as updates, by group, kind and name. */
class PreviousObjects {
  private readonly byName = new Map<string, Array<{ namespace: string; apiVersion: string; object: Obj }>>();

  constructor(objects: readonly unknown[]) {
    for (const o of objects) {
      if (!isRecord(o) || typeof o.apiVersion !== "string" || typeof o.kind !== "string") continue;
      const meta = isRecord(o.metadata) ? o.metadata : {};
      if (typeof meta.name !== "string" || !meta.name) continue;
      const key = `${groupOf(o.apiVersion)}/${o.kind}/${meta.name}`;
      const list = this.byName.get(key) ?? [];
      list.push({ namespace: typeof meta.namespace === "string" ? meta.namespace : "", apiVersion: o.apiVersion, object: o });
      this.byName.set(key, list);
    }
  }

  get size(): number {
    return this.byName.size;
  }

  /**
   * The previous object of a resource: same group, kind, name and namespace. A resource without a
   * namespace (applied with `-n`) matches the one object of its name when there is only one.
   */
  find(apiVersion: string, kind: string, name: string, namespace: string): { apiVersion: string; object: Obj } | undefined {
    const list = this.byName.get(`${groupOf(apiVersion)}/${kind}/${name}`);
    if (!list) return undefined;
    const exact = list.find((e) => e.namespace === namespace);
    if (exact) return exact;
    return namespace === "" && list.length === 1 ? list[0] : undefined;
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
  readonly minor: number;
  readonly warnImplicitConversions: boolean;
  private builtins?: Map<string, z.ZodType>;
  private catalog?: Record<string, string[]>;
  private readonly custom = new Map<string, Schema | LaterCrd>();
  /** Deprecation warnings of CRD versions, by apiVersion/kind. */
  private readonly customDeprecations = new Map<string, string>();
  private readonly options: EngineOptions;
  private readonly previous?: PreviousObjects;
  /** Whether the CEL evaluator is loaded if any schema in use needs it. */
  private celReady = false;
  /** The labels of the namespaces known to the run, by name. */
  private readonly namespaceLabels = new Map<string, Record<string, string>>();
  /** The LimitRanges known to the run, by namespace. */
  private readonly limitRanges = new Map<string, Obj[]>();
  /** apiVersion → kind → what is known about it (cleared when schemas are added). */
  private readonly kinds = new Map<string, Map<string, KindInfo>>();

  constructor(options: EngineOptions = {}) {
    this.options = options;
    this.kubernetesVersion = normalizeKubernetesVersion(options.kubernetesVersion);
    this.minor = Number(this.kubernetesVersion.slice(3));
    this.strict = options.strict ?? true;
    this.warnImplicitConversions = options.warnImplicitConversions ?? false;
    if (options.previous?.length) this.previous = new PreviousObjects(options.previous);
    this.addNamespaces([...(options.previous ?? []), ...(options.namespaces ?? [])]);
    this.addLimitRanges([...(options.previous ?? []), ...(options.limitRanges ?? [])]);
    for (const s of options.schemas ?? []) {
      const m = kubeMeta.get(s);
      if (m?.apiVersion && m.kind) this.custom.set(`${m.apiVersion}/${m.kind}`, s);
    }
  }

  /**
   * Load the built-in schemas of the given kinds (only the modules that define them), so that
   * `validate` can run synchronously.
   */
  async load(iterable: Iterable<{ apiVersion: string; kind: string }>): Promise<void> {
    const types = [...iterable];
    // The CEL engine only for the groups whose checks compile expressions (CRDs, admission policies, …).
    if (!celEngineLoaded() && types.some((t) => groupCompilesCel(t.apiVersion))) await loadCelEngine();
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
      this.ready.clear();
      this.celReady = false;
    }
    if (!this.celReady) {
      const schemas = [...this.custom.values(), ...builtins.values()];
      if (schemas.some((s) => s instanceof LaterCrd || needsCel(s as z.ZodType))) await loadCelRules();
      this.celReady = true;
    }
  }

  /** Whether checking a type needs nothing more loaded (its schema, and CEL when a schema needs it). */
  isLoaded(apiVersion: string, kind: string): boolean {
    if (this.ready.get(apiVersion)?.has(kind)) return true;
    if (!celEngineLoaded() && groupCompilesCel(apiVersion)) return false;
    const loaded = Boolean(this.catalog && this.builtins && this.celReady && (this.builtins.has(`${apiVersion}/${kind}`) || !this.catalog[apiVersion]?.includes(kind)));
    if (loaded) {
      let kinds = this.ready.get(apiVersion);
      if (!kinds) this.ready.set(apiVersion, (kinds = new Set()));
      kinds.add(kind);
    }
    return loaded;
  }

  /** apiVersion → the kinds found loaded by `isLoaded` (cleared with `kinds`). */
  private readonly ready = new Map<string, Set<string>>();

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
      this.addCrdDeprecations(crd);
      this.kinds.clear();
      this.ready.clear();
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
    this.addCrdDeprecations(crd);
    this.kinds.clear();
    this.ready.clear();
    this.celReady = false;
  }

  private addCrdDeprecations(crd: unknown): void {
    const kind = (crd as { spec?: { names?: { kind?: unknown } } }).spec?.names?.kind;
    for (const [apiVersion, warning] of crdDeprecationWarnings(crd)) this.customDeprecations.set(`${apiVersion}/${String(kind)}`, warning);
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
    const key = `${apiVersion}/${kind}`;
    const schema = this.schemaFor(apiVersion, kind) as z.ZodType | undefined;
    const deprecation = deprecationOf(apiVersion, kind, this.kubernetesVersion);
    const custom = this.custom.has(key);
    info = {
      ...(schema ? { schema } : {}),
      custom,
      ...(deprecation ? { deprecation } : {}),
      ...(custom && this.customDeprecations.has(key) ? { customDeprecation: this.customDeprecations.get(key)! } : {}),
      notServed: Boolean(schema && !custom && !this.servedBuiltin(apiVersion, schema)),
      rejected: Boolean(this.options.reject?.some((s) => selectorMatches(s, apiVersion, kind))),
      skipped: Boolean(this.options.skip?.some((s) => selectorMatches(s, apiVersion, kind))),
    };
    if (schema) {
      // A resource served read-only (ComponentStatus: get and list): kube-apiserver has no route to write it.
      const served = kubeMeta.get(schema);
      const verbs = served?.verbs;
      if (verbs && verbs.length && !custom && !verbs.some((v) => v === "create" || v === "update" || v === "patch")) {
        const plural = served.plural ? `${served.plural} ` : "";
        info.readOnly = `${apiVersion} ${kind} is read-only: kube-apiserver serves only ${verbs.join(", ")} on ${plural}and refuses a create or an apply with 405 MethodNotAllowed`;
      }
      info.write = {
        schema,
        custom,
        minor: this.minor,
        // The document's value is the reader's own: the pipeline may default it in place.
        owned: true,
        unknownFields: this.strict,
        builtinDuplicates: this.strict,
        namespaceOptional: true,
      };
    }
    byKind.set(kind, info);
    return info;
  }

  /** The labels of a namespace known to the run (for rules that read them). */
  private readonly labelsOf = (name: string): Record<string, string> | undefined => this.namespaceLabels.get(name);

  /** Whether a file is kustomize's own (`kustomization.yaml`), remembered for the last file asked about. */
  private isKustomizationFile(file: string): boolean {
    if (file !== this.lastFile) {
      this.lastFile = file;
      this.lastFileKustomization = KUSTOMIZATION_FILE.test(file);
    }
    return this.lastFileKustomization;
  }

  private lastFile?: string;
  private lastFileKustomization = false;

  /**
   * Make Namespace objects known (others are ignored): a ResourceClaim asking for admin access in
   * one of them is checked against its labels, as kube-apiserver checks it.
   */
  addNamespaces(objects: readonly unknown[]): void {
    for (const o of objects) {
      if (!isRecord(o) || o.apiVersion !== "v1" || o.kind !== "Namespace" || !isRecord(o.metadata) || typeof o.metadata.name !== "string") continue;
      const labels: Record<string, string> = {};
      if (isRecord(o.metadata.labels)) for (const [k, v] of Object.entries(o.metadata.labels)) if (typeof v === "string") labels[k] = v;
      this.namespaceLabels.set(o.metadata.name, labels);
    }
  }

  /** The namespace an object is written to: its own, else the run's default namespace. */
  private namespaceOf(meta: Obj | undefined): string {
    return typeof meta?.namespace === "string" && meta.namespace ? meta.namespace : this.options.namespace || "default";
  }

  /**
   * Make LimitRange objects known (others are ignored), as kube-apiserver stores them (defaulted):
   * Pods and claims in their namespaces are checked against them.
   */
  addLimitRanges(objects: readonly unknown[]): void {
    for (const o of objects) {
      if (!isRecord(o) || o.apiVersion !== "v1" || o.kind !== "LimitRange") continue;
      const namespace = this.namespaceOf(isRecord(o.metadata) ? o.metadata : undefined);
      let list = this.limitRanges.get(namespace);
      if (!list) this.limitRanges.set(namespace, (list = []));
      const stored = structuredClone(o);
      defaultLimitRange(stored);
      list.push(stored);
    }
  }

  /**
   * Whether the cluster serves objects of an apiVersion and kind: false only for built-in versions
   * it does not serve (alpha and beta ones by default). `load()` must have completed.
   *
   * @example
   * engine.serves("admissionregistration.k8s.io/v1beta1", "MutatingAdmissionPolicy"); // false at 1.36 by default
   */
  serves(apiVersion: string, kind: string): boolean {
    return !this.kindInfo(apiVersion, kind).notServed;
  }

  /** Whether kube-apiserver serves a built-in schema's group/version (its resource, where known). */
  private servedBuiltin(apiVersion: string, schema: z.ZodType): boolean {
    const slash = apiVersion.indexOf("/");
    const version = apiVersion.slice(slash + 1);
    return isServed(slash < 0 ? "" : apiVersion.slice(0, slash), version, kubeMeta.get(schema)?.plural, this.options.runtimeConfig);
  }

  /** Check one resource. `load()` must have completed. */
  validate(input: ResourceInput): ResourceResult {
    // Written out rather than spread: a conditional spread in a literal is copied key by key.
    const result: ResourceResult =
      input.item !== undefined
        ? { file: input.file, document: input.document, item: input.item, status: "valid", issues: [] }
        : { file: input.file, document: input.document, status: "valid", issues: [] };
    const start = locateIn(input, []);
    if (start) Object.assign(result, start);

    const value = input.value;
    if (!isRecord(value)) {
      addIssue(result, input, "manifest/not-an-object", "error", [], "", `a manifest must be a YAML or JSON object, not ${Array.isArray(value) ? "a list" : typeof value === "string" ? "a string" : String(value)}`);
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

    if ((typeof apiVersion === "string" && apiVersion.startsWith(`${KUSTOMIZE_GROUP}/`)) || (input.item === undefined && this.isKustomizationFile(input.file) && (typeof apiVersion !== "string" || !apiVersion.includes("/") || apiVersion.startsWith(`${KUSTOMIZE_GROUP}/`)))) {
      result.status = "skipped";
      result.reason = "a kustomize configuration file, not a Kubernetes API object";
      return result;
    }
    if (typeof apiVersion !== "string" || !apiVersion || typeof kind !== "string" || !kind) {
      // Without its type, a document cannot be checked at all.
      if (typeof apiVersion !== "string" || !apiVersion) addIssue(result, input, "api/missing-type", "error", ["apiVersion"], "apiVersion", "apiVersion: Required value: apiVersion must be set");
      if (typeof kind !== "string" || !kind) addIssue(result, input, "api/missing-type", "error", ["kind"], "kind", "kind: Required value: kind must be set");
      result.status = "error";
      return result;
    }
    const info = this.kindInfo(apiVersion, kind);
    if (info.rejected) {
      addIssue(result, input, "api/rejected", "error", ["kind"], "kind", `${apiVersion} ${kind} is rejected by --reject`);
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
        addIssue(result, input, "api/removed", "error", ["apiVersion"], "apiVersion", deprecation.message);
        result.status = "invalid";
      } else if (!schema && componentConfiguration(apiVersion, kind)) {
        result.status = "skipped";
        result.reason = componentConfiguration(apiVersion, kind)!;
      } else if (this.options.ignoreMissingSchemas) {
        result.status = "skipped";
        result.reason = `no schema for ${apiVersion} ${kind} (--ignore-missing-schemas)`;
      } else {
        addIssue(
          result,
          input,
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
    if (info.notServed) {
      // kubectl finds no REST mapping for the kind (discovery does not list it); a request to its
      // URL gets 404 Not Found.
      const level = versionLevel(apiVersion.slice(apiVersion.indexOf("/") + 1));
      addIssue(
        result,
        input,
        "api/not-served",
        "error",
        ["apiVersion"],
        "apiVersion",
        `no matches for kind ${JSON.stringify(kind)} in version ${JSON.stringify(apiVersion)}: Kubernetes ${this.kubernetesVersion.slice(1)} does not serve ${apiVersion}${level === "alpha" || level === "beta" ? ` (${level} API versions are off by default)` : ""}; a cluster started with --runtime-config=${apiVersion}=true serves it (pass the same --runtime-config to check against such a cluster)`,
      );
      result.status = "invalid";
      return result;
    }
    if (deprecation) addIssue(result, input, "api/deprecated", "warning", ["apiVersion"], "apiVersion", deprecation.message);
    if (info.customDeprecation !== undefined) addIssue(result, input, "api/deprecated", "warning", ["apiVersion"], "apiVersion", info.customDeprecation);
    if (info.readOnly !== undefined) {
      addIssue(result, input, "api/read-only", "error", ["kind"], "kind", info.readOnly);
      result.status = "invalid";
      return result;
    }

    const previous = this.previous && typeof meta?.name === "string" ? this.previous.find(apiVersion, kind, meta.name, typeof meta.namespace === "string" ? meta.namespace : "") : undefined;
    if (previous && previous.apiVersion !== apiVersion) {
      addIssue(result, input, "update/version-changed", "warning", ["apiVersion"], "apiVersion", `the previous object is ${previous.apiVersion} ${kind}; objects of other versions are not converted, so this one is checked as created`);
    }
    const old = previous && previous.apiVersion === apiVersion ? previous.object : undefined;
    const write = input.nullFree ? (info.writeNullFree ??= { ...info.write!, nullFree: true }) : info.write!;
    const wideIntegers = input.wideIntegers ? wideIntegersIn(input.wideIntegers, input.prefix) : undefined;
    const outcome = checkWrite(
      value,
      old || this.namespaceLabels.size || wideIntegers?.length
        ? { ...write, ...(this.namespaceLabels.size ? { namespaceLabels: this.labelsOf } : {}), ...(old ? { old } : {}), ...(wideIntegers?.length ? { wideIntegers } : {}) }
        : write,
    );
    for (const i of outcome.issues) addIssue(result, input, i.rule, i.severity ?? "error", i.path, i.field, i.text ?? formatFieldError(i), i.type);
    for (const w of outcome.warnings) addIssue(result, input, "native/warning", "warning", [], "", w);
    const resource = kubeMeta.get(schema);
    if (resource?.plural && !info.custom) {
      const found = podSecurityFindings({ group: resource.group ?? "", plural: resource.plural, kind, object: value, ...(old ? { old } : {}), labelsOf: this.labelsOf, defaultNamespace: this.namespaceOf(undefined) });
      for (const f of found) addIssue(result, input, POD_SECURITY_RULE, f.severity, [], "", f.message);
      const limitRanges = this.limitRanges.size ? this.limitRanges.get(this.namespaceOf(meta)) : undefined;
      if (limitRanges) {
        const limits = limitRangerFindings({ group: resource.group ?? "", plural: resource.plural, kind, object: outcome.object, namespace: this.namespaceOf(meta), update: Boolean(old), limitRanges });
        for (const f of limits) addIssue(result, input, LIMIT_RANGER_RULE, f.severity, [], "", f.message);
      }
    }

    if (result.issues.some((i) => i.severity === "error")) result.status = "invalid";
    return result;
  }
}

/** Where a path of a resource is written (the resource may be an item of a List document). */
function locateIn(input: ResourceInput, path: readonly PathSegment[]): { line: number; column: number } | undefined {
  if (!input.locate) return undefined;
  return input.locate(input.prefix.length ? [...input.prefix, ...path] : path);
}

/** Add an issue to a resource's result, at the position of its path. */
function addIssue(result: ResourceResult, input: ResourceInput, rule: string, severity: "error" | "warning", path: PathSegment[], field: string, message: string, type?: FieldError["type"]): void {
  // A message is built piece by piece (a tree of joined strings, ~30 nodes deep); the report
  // keeps one flat copy instead (a few MiB less on a run with thousands of warnings).
  const issue: ValidationIssue = { rule, severity, path, field, message: detached(message) };
  if (type) issue.type = type;
  const pos = locateIn(input, path);
  if (pos) Object.assign(issue, pos);
  result.issues.push(issue);
}
