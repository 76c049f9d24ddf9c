/**
 * `validateManifests`: read manifests from texts, buffers, objects, files, directories, globs or
 * standard input, use the CRDs given or found among them, and check every resource.
 */
import type * as z from "zod";
import type { PathSegment } from "../meta/index.js";
import { ManifestEngine, type ResourceInput } from "./engine.js";
import { fieldPathOf } from "./schema-issues.js";
import { decodeManifest, expandPaths, readManifestFile } from "./sources.js";
import type { ResourceResult, ValidationReport, ValidationSummary } from "./types.js";
import { readYamlDocuments, type YamlDocument } from "./yaml.js";

/** Manifests named by path: a file, a directory, a glob, or `-` for standard input. */
export interface PathInput {
  path: string;
}

/** Manifest text (YAML or JSON, one or more documents) with the name to report it under. */
export interface TextInput {
  text: string | Uint8Array;
  /** Name used in results (default `<input>`). */
  file?: string;
}

/**
 * What `validateManifests` accepts: YAML/JSON text, bytes, `{ path }` (file, directory, glob,
 * `-`), `{ text, file }`, or an already parsed manifest object; or a list of these.
 */
export type ManifestInput = string | Uint8Array | PathInput | TextInput | Record<string, unknown>;

/** Options of {@link validateManifests} (the CLI flags of `kubezod validate`). */
export interface ValidateManifestsOptions {
  /** Kubernetes minor whose built-in schemas are used (`1.28` … `1.36`; default: the newest). */
  kubernetesVersion?: string;
  /** Unknown fields, duplicate keys, list-map duplicates, YAML 1.1 conversions (default true). */
  strict?: boolean;
  /** CRDs: paths (files, directories, globs) or parsed CustomResourceDefinition objects. */
  crds?: ReadonlyArray<string | Record<string, unknown>>;
  /** Resource schemas defined in code (`defineResource`). */
  schemas?: readonly z.ZodType[];
  /** Skip kinds without a schema instead of reporting them. */
  ignoreMissingSchemas?: boolean;
  /** Kinds to skip: `Kind` or `group/version/Kind`. */
  skip?: readonly string[];
  /** Kinds to reject: `Kind` or `group/version/Kind`. */
  reject?: readonly string[];
  /** Largest file read, in bytes (default 32 MiB); larger files are reported as errors. */
  maxFileSize?: number;
  /** Called as resources are checked. */
  onProgress?: (done: number, total: number) => void;
}

const DEFAULT_MAX_FILE = 32 * 1024 * 1024;

interface LoadedDocument {
  file: string;
  doc: YamlDocument;
}

interface Loaded {
  documents: LoadedDocument[];
  /** Files that could not be read at all. */
  failures: ResourceResult[];
  files: number;
}

function isPathInput(i: unknown): i is PathInput {
  return typeof i === "object" && i !== null && !(i instanceof Uint8Array) && typeof (i as PathInput).path === "string" && Object.keys(i).length === 1;
}

function isTextInput(i: unknown): i is TextInput {
  return typeof i === "object" && i !== null && !(i instanceof Uint8Array) && "text" in i && (typeof (i as TextInput).text === "string" || (i as TextInput).text instanceof Uint8Array) && !("apiVersion" in i);
}

function objectDocument(value: unknown, index: number): YamlDocument {
  return { index, position: { line: 1, column: 1 }, value: structuredClone(value), notices: [], locate: () => ({ line: 1, column: 1 }) };
}

function fileFailure(file: string, message: string): ResourceResult {
  return {
    file,
    document: 0,
    status: "error",
    issues: [{ rule: "file/unreadable", severity: "error", path: [], field: "", message: `${file}: ${message}` }],
  };
}

async function loadInputs(inputs: readonly ManifestInput[], maxBytes: number): Promise<Loaded> {
  const out: Loaded = { documents: [], failures: [], files: 0 };
  let objects = 0;
  const addText = (file: string, text: string) => {
    for (const doc of readYamlDocuments(text)) out.documents.push({ file, doc });
  };
  for (const input of inputs) {
    if (typeof input === "string") {
      out.files++;
      addText("<input>", input);
    } else if (input instanceof Uint8Array) {
      out.files++;
      const d = decodeManifest(input);
      if ("error" in d) out.failures.push(fileFailure("<input>", d.error));
      else addText("<input>", d.text);
    } else if (isPathInput(input)) {
      for (const e of expandPaths([input.path])) {
        out.files++;
        if ("error" in e) {
          out.failures.push(fileFailure(e.file, e.error));
          continue;
        }
        const r = await readManifestFile(e.file, maxBytes);
        if ("error" in r) out.failures.push(fileFailure(e.file, r.error));
        else addText(e.file, r.text);
      }
    } else if (isTextInput(input)) {
      out.files++;
      const file = input.file ?? "<input>";
      if (typeof input.text === "string") addText(file, input.text);
      else {
        const d = decodeManifest(input.text);
        if ("error" in d) out.failures.push(fileFailure(file, d.error));
        else addText(file, d.text);
      }
    } else {
      out.documents.push({ file: "<object>", doc: objectDocument(input, objects++) });
    }
  }
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The resources of a document: itself, or the items of a `List`/`*List`. */
function resourcesOf(file: string, doc: YamlDocument): ResourceInput[] {
  const value = doc.value;
  const base = { file, document: doc.index, locate: doc.locate };
  if (isRecord(value) && typeof value.kind === "string" && value.kind.endsWith("List") && Array.isArray(value.items)) {
    const itemKind = value.kind === "List" ? undefined : value.kind.slice(0, -4);
    return value.items.map((item, i) => {
      const v = isRecord(item) && itemKind && typeof value.apiVersion === "string" ? { apiVersion: value.apiVersion, kind: itemKind, ...item } : item;
      return { ...base, item: i, value: v, prefix: ["items", i] as PathSegment[] };
    });
  }
  return [{ ...base, value, prefix: [] }];
}

/** Problems found while reading a document (syntax, duplicate keys, YAML 1.1 conversions). */
function documentIssues(file: string, doc: YamlDocument): ResourceResult | undefined {
  if (!doc.error) return undefined;
  return {
    file,
    document: doc.index,
    line: doc.error.position.line,
    column: doc.error.position.column,
    status: "error",
    issues: [
      {
        rule: "yaml/syntax",
        severity: "error",
        path: [],
        field: "",
        message: `invalid YAML: ${doc.error.message}`,
        line: doc.error.position.line,
        column: doc.error.position.column,
      },
    ],
  };
}

function summarize(results: readonly ResourceResult[], files: number): ValidationSummary {
  const s: ValidationSummary = { files, resources: results.length, valid: 0, invalid: 0, errors: 0, skipped: 0, warnings: 0, unevaluatedRules: 0 };
  for (const r of results) {
    if (r.status === "valid") s.valid++;
    else if (r.status === "invalid") s.invalid++;
    else if (r.status === "error") s.errors++;
    else s.skipped++;
    for (const i of r.issues) {
      if (i.severity === "warning") s.warnings++;
      if (i.rule === "crd/cel-unevaluated") s.unevaluatedRules++;
    }
  }
  return s;
}

/**
 * Validate Kubernetes manifests against the schemas of a Kubernetes minor and the CRDs given or
 * found among the inputs, with kube-apiserver's checks. Never throws for bad manifests: every
 * problem is a result; throws RangeError for an unknown Kubernetes version.
 *
 * @example
 * import { validateManifests } from "kubezod";
 * const report = await validateManifests([{ path: "k8s/" }], { kubernetesVersion: "1.30" });
 * for (const r of report.results) if (r.status !== "valid") console.log(r.file, r.kind, r.issues);
 */
export async function validateManifests(
  input: ManifestInput | readonly ManifestInput[],
  options: ValidateManifestsOptions = {},
): Promise<ValidationReport> {
  const inputs = Array.isArray(input) ? (input as readonly ManifestInput[]) : [input as ManifestInput];
  const engine = new ManifestEngine(options);
  const strict = engine.strict;
  const maxBytes = options.maxFileSize ?? DEFAULT_MAX_FILE;

  const results: ResourceResult[] = [];
  // CRDs passed explicitly come first, so that CRDs among the inputs can override them.
  const crdInputs: ManifestInput[] = (options.crds ?? []).map((c) => (typeof c === "string" ? { path: c } : c));
  const crdLoad = await loadInputs(crdInputs, maxBytes);
  for (const f of crdLoad.failures) results.push(f);
  for (const { file, doc } of crdLoad.documents) {
    if (doc.error) results.push(documentIssues(file, doc)!);
    for (const r of resourcesOf(file, doc)) {
      if (isRecord(r.value) && r.value.kind === "CustomResourceDefinition") {
        const problem = engine.addCrd(r.value, `${file}:${doc.position.line}`);
        if (typeof problem === "string") results.push(crdFailure(r, problem));
      }
    }
  }

  const loaded = await loadInputs(inputs, maxBytes);
  const resources: ResourceInput[] = [];
  const readErrors = new Map<YamlDocument, ResourceResult>();
  for (const { file, doc } of loaded.documents) {
    const bad = documentIssues(file, doc);
    if (bad) {
      readErrors.set(doc, bad);
      resources.push({ file, document: doc.index, value: undefined, prefix: [] });
      continue;
    }
    if (doc.value === null || doc.value === undefined) continue;
    for (const r of resourcesOf(file, doc)) {
      resources.push(r);
      if (isRecord(r.value) && r.value.kind === "CustomResourceDefinition" && typeof r.value.apiVersion === "string" && r.value.apiVersion.startsWith("apiextensions.k8s.io/")) {
        const problem = engine.addCrd(r.value, `${file}:${doc.position.line}`);
        if (typeof problem === "string") (r as ResourceInput & { crdProblem?: string }).crdProblem = problem;
      }
    }
  }
  const types = resources
    .map((r) => r.value)
    .filter(isRecord)
    .filter((v): v is { apiVersion: string; kind: string } => typeof v.apiVersion === "string" && typeof v.kind === "string");
  await engine.load(types);

  const docsByKey = new Map<string, YamlDocument>();
  for (const { file, doc } of loaded.documents) docsByKey.set(`${file}\0${doc.index}`, doc);
  results.push(...loaded.failures);
  let done = 0;
  for (const r of resources) {
    const doc = docsByKey.get(`${r.file}\0${r.document}`);
    const failed = doc && readErrors.get(doc);
    let result: ResourceResult;
    if (failed) result = failed;
    else {
      result = engine.validate(r);
      const problem = (r as ResourceInput & { crdProblem?: string }).crdProblem;
      if (problem) {
        result.issues.push({ rule: "crd/invalid", severity: "error", path: [], field: "", message: problem });
        result.status = "invalid";
      }
      if (doc) addReaderNotices(result, r, doc, strict, engine);
    }
    results.push(result);
    options.onProgress?.(++done, resources.length);
  }
  const summary = summarize(results, loaded.files);
  return {
    kubernetesVersion: engine.kubernetesVersion,
    strict,
    results,
    summary,
    valid: summary.invalid === 0 && summary.errors === 0,
  };
}

function crdFailure(r: ResourceInput, message: string): ResourceResult {
  return {
    file: r.file,
    document: r.document,
    status: "invalid",
    kind: "CustomResourceDefinition",
    issues: [{ rule: "crd/invalid", severity: "error", path: [], field: "", message }],
  };
}

function startsWith(path: readonly PathSegment[], prefix: readonly PathSegment[]): boolean {
  return prefix.every((p, i) => path[i] === p);
}

/** Duplicate keys, YAML 1.1 conversions and non-JSON numbers of the part of a document a resource covers. */
function addReaderNotices(result: ResourceResult, r: ResourceInput, doc: YamlDocument, strict: boolean, engine: ManifestEngine): void {
  const schema = result.apiVersion && result.kind ? engine.schemaFor(result.apiVersion, result.kind) : undefined;
  for (const n of doc.notices) {
    if (!startsWith(n.path, r.prefix)) continue;
    const path = n.path.slice(r.prefix.length);
    const field = schema ? fieldPathOf(schema, path).toString() : fieldString(path);
    if (n.kind === "not-json") {
      result.issues.push({ rule: "yaml/not-json", severity: "error", path, field, message: `${field || "<root>"}: ${n.message}`, ...n.position });
    } else if (strict) {
      const rule = n.kind === "duplicate-key" ? "yaml/duplicate-key" : "yaml/implicit-conversion";
      result.issues.push({ rule, severity: "error", path, field, message: `${field || "<root>"}: ${n.message}`, ...n.position });
    }
  }
  if (result.issues.some((i) => i.severity === "error") && result.status === "valid") result.status = "invalid";
}

function fieldString(path: readonly PathSegment[]): string {
  let out = "";
  for (const s of path) out += typeof s === "number" ? `[${s}]` : out ? `.${s}` : s;
  return out;
}
