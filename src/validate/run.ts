/**
 * The pieces of a validation run, shared by the calling thread and worker threads: reading one
 * input into its resources, registering the CRDs found among them, and checking the resources.
 */
import type { PathSegment } from "../meta/index.js";
import type { ManifestEngine, ResourceInput } from "./engine.js";
import { fieldPathOf } from "../apiserver/schema-errors.js";
import { manifestBytesProblem, readManifestTextBytesSync, scanManifestFileSync } from "./sources.js";
import type { ResourceResult } from "./types.js";
import { yamlDocuments, yamlDocumentsOfBytes, type YamlDocument } from "../yaml/documents.js";
import { isRecord } from "../meta/values.js";

/** One input of a run, in a form that can be sent to a worker thread. */
export type Source =
  | { kind: "file"; file: string }
  | { kind: "text"; file: string; text: string }
  | { kind: "bytes"; file: string; bytes: Uint8Array }
  | { kind: "object"; file: string; value: unknown; index: number }
  | { kind: "failure"; result: ResourceResult };

/** A resource of an input, with where it came from and what reading it found. */
export interface Entry {
  input: ResourceInput;
  doc: YamlDocument;
  /** The document could not be read: this is its result. */
  readError?: ResourceResult;
  /** For CustomResourceDefinitions among the inputs: the name they are registered under. */
  crdSource?: string;
  /** Why that CustomResourceDefinition could not be used. */
  crdProblem?: string;
}

/** An input read into its resources (or the reason it could not be read). */
export interface ParsedSource {
  failure?: ResourceResult;
  entries: Entry[];
}

/** The result for an input that could not be read at all. */
export function fileFailure(file: string, message: string): ResourceResult {
  return {
    file,
    document: 0,
    status: "error",
    issues: [{ rule: "file/unreadable", severity: "error", path: [], field: "", message: `${file}: ${message}` }],
  };
}

function objectDocument(value: unknown, index: number): YamlDocument {
  return { index, position: { line: 1, column: 1 }, value: structuredClone(value), notices: [], locate: () => ({ line: 1, column: 1 }) };
}

/** The documents of an input, or why it cannot be read. */
function documentsOf(source: Source, maxBytes: number, notices: boolean): { file: string; docs: Iterable<YamlDocument> } | ResourceResult {
  const limits = { implicitConversionNotices: notices };
  switch (source.kind) {
    case "failure":
      return source.result;
    case "object":
      return { file: source.file, docs: [objectDocument(source.value, source.index)] };
    case "text":
      return { file: source.file, docs: yamlDocuments(source.text, limits) };
    case "bytes": {
      const problem = manifestBytesProblem(source.bytes);
      return problem !== undefined ? fileFailure(source.file, problem) : { file: source.file, docs: yamlDocumentsOfBytes(source.bytes, limits) };
    }
    case "file": {
      // Each document's text is decoded as it is read (see yamlDocumentsOfBytes).
      const r = readManifestTextBytesSync(source.file, maxBytes);
      return "error" in r ? fileFailure(source.file, r.error) : { file: source.file, docs: releasing(yamlDocumentsOfBytes(r.bytes, limits), r.release) };
    }
  }
}

/** The documents, then `release()` (also when the reading stops early). */
function* releasing(docs: Iterable<YamlDocument>, release: () => void): Generator<YamlDocument> {
  try {
    yield* docs;
  } finally {
    release();
  }
}

/** The resources of a document: itself, or the items of a `List`/`*List`. */
function resourcesOf(file: string, doc: YamlDocument): ResourceInput[] {
  const value = doc.value;
  if (isRecord(value) && typeof value.kind === "string" && value.kind.endsWith("List") && Array.isArray(value.items)) {
    const itemKind = value.kind === "List" ? undefined : value.kind.slice(0, -4);
    return value.items.map((item, i) => {
      const v = isRecord(item) && itemKind && typeof value.apiVersion === "string" ? { apiVersion: value.apiVersion, kind: itemKind, ...item } : item;
      const input: ResourceInput = { file, document: doc.index, locate: doc.locate, item: i, value: v, prefix: ["items", i] as PathSegment[] };
      if (doc.nullFree) input.nullFree = true;
      if (doc.wideIntegers) input.wideIntegers = doc.wideIntegers;
      return input;
    });
  }
  const input: ResourceInput = { file, document: doc.index, locate: doc.locate, value, prefix: [] };
  if (doc.nullFree) input.nullFree = true;
  if (doc.wideIntegers) input.wideIntegers = doc.wideIntegers;
  return [input];
}

/** Problems found while reading a document (syntax, duplicate keys, YAML 1.1 conversions). */
export function documentIssues(file: string, doc: YamlDocument): ResourceResult | undefined {
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

/** Whether a resource is a CustomResourceDefinition to register (from the inputs). */
function isCrd(value: unknown): value is Record<string, unknown> {
  return isRecord(value) && value.kind === "CustomResourceDefinition" && typeof value.apiVersion === "string" && value.apiVersion.startsWith("apiextensions.k8s.io/");
}

/** The resources of the documents of an input, as they are read. */
function* entriesOf(file: string, docs: Iterable<YamlDocument>): Generator<Entry> {
  for (const doc of docs) {
    const bad = documentIssues(file, doc);
    if (bad) {
      yield { input: { file, document: doc.index, value: undefined, prefix: [] }, doc, readError: bad };
      continue;
    }
    if (doc.value === null || doc.value === undefined) continue;
    for (const input of resourcesOf(file, doc)) {
      const entry: Entry = { input, doc };
      if (isCrd(input.value)) entry.crdSource = `${file}:${doc.position.line}`;
      yield entry;
    }
  }
}

/**
 * Read an input into its resources. Documents that cannot be read become entries carrying their
 * result; CustomResourceDefinitions are marked for registration.
 */
export function parseSource(source: Source, maxBytes: number, implicitConversionNotices = false): ParsedSource {
  const read = streamSource(source, maxBytes, implicitConversionNotices);
  return "entries" in read && !read.failure ? { entries: [...read.entries] } : { failure: read.failure!, entries: [] };
}

/**
 * An input's resources one document at a time, each read when asked for (so that a document's
 * values are let go before the next one is read), or why the input cannot be read.
 */
export function streamSource(source: Source, maxBytes: number, implicitConversionNotices = false): { failure?: ResourceResult; entries: Iterable<Entry> } {
  const read = documentsOf(source, maxBytes, implicitConversionNotices);
  if (!("docs" in read)) return { failure: read, entries: [] };
  return { entries: entriesOf(read.file, read.docs) };
}

/**
 * Whether the text of an input can hold a CustomResourceDefinition: its kind is spelled out, or
 * could be spelled with escapes in a double-quoted string.
 */
// CustomResourceDefinitions, Namespaces (whose labels rules read) and LimitRanges apply to the whole run.
export const CRD_NEEDLES = { any: ["CustomResourceDefinition", "Namespace", "LimitRange"], all: ["\\", '"'] };

function mayHoldCrd(content: string): boolean {
  return CRD_NEEDLES.any.some((n) => content.includes(n)) || (content.includes("\\") && content.includes('"'));
}

/**
 * Look at an input before any resource is checked: its size, and, read into resources, the inputs
 * that may hold CustomResourceDefinitions (which apply to the whole run) and those that cannot be
 * read. The others wait for their turn: a file is only looked through here, never held.
 * `scanned`: what looking through files for CRD_NEEDLES found already (taken out as used).
 */
export function readAhead(source: Source, maxBytes: number, notices = false, scanned?: Map<string, { size: number; found: boolean }>): { parsed?: ParsedSource; size: number } {
  switch (source.kind) {
    case "text":
      return { size: source.text.length, ...(mayHoldCrd(source.text) ? { parsed: parseSource(source, maxBytes, notices) } : {}) };
    case "file": {
      // A file looked through already for CRD_NEEDLES (with the policy bindings) is not read for them again.
      const known = scanned?.get(source.file);
      if (known) scanned!.delete(source.file);
      const r = known ?? scanManifestFileSync(source.file, maxBytes, CRD_NEEDLES);
      if ("error" in r) return { parsed: { failure: fileFailure(source.file, r.error), entries: [] }, size: 0 };
      return r.found ? { size: r.size, parsed: parseSource(source, maxBytes, notices) } : { size: r.size };
    }
    default:
      return { parsed: parseSource(source, maxBytes, notices), size: 0 };
  }
}

/** A CustomResourceDefinition registered without problems: the object and the name it is registered under. */
export interface RegisteredCrd {
  value: unknown;
  source: string;
}

/**
 * The CRDs given with the `crds` option: registered with the engine; returns the results for the
 * ones that cannot be read or used.
 */
export function registerCrdOption(engine: ManifestEngine, parsed: readonly ParsedSource[], registered: RegisteredCrd[]): ResourceResult[] {
  const results: ResourceResult[] = [];
  for (const p of parsed) if (p.failure) results.push(p.failure);
  for (const p of parsed) {
    for (const e of p.entries) {
      if (e.readError) {
        results.push(e.readError);
        continue;
      }
      const v = e.input.value;
      if (!isRecord(v) || v.kind !== "CustomResourceDefinition") continue;
      const source = `${e.input.file}:${e.doc.position.line}`;
      const problem = engine.addCrd(v, source);
      if (problem === undefined) registered.push({ value: v, source });
      if (typeof problem === "string") {
        results.push({
          file: e.input.file,
          document: e.input.document,
          status: "invalid",
          kind: "CustomResourceDefinition",
          issues: [{ rule: "crd/invalid", severity: "error", path: [], field: "", message: problem }],
        });
      }
    }
  }
  return results;
}

/** Register the CustomResourceDefinitions among the inputs, in input order, noting their problems. */
export function registerInputCrds(engine: ManifestEngine, parsed: readonly ParsedSource[], registered: RegisteredCrd[]): void {
  for (const p of parsed) {
    for (const e of p.entries) {
      if (e.crdSource === undefined) continue;
      const problem = engine.addCrd(e.input.value, e.crdSource);
      if (problem === undefined) registered.push({ value: e.input.value, source: e.crdSource });
      if (typeof problem === "string") e.crdProblem = problem;
    }
  }
}

/** The Namespaces (whose labels rules read) and LimitRanges among inputs read ahead, in one pass. */
export function inputObjects(parsed: readonly ParsedSource[]): { namespaces: Record<string, unknown>[]; limitRanges: Record<string, unknown>[] } {
  const namespaces: Record<string, unknown>[] = [];
  const limitRanges: Record<string, unknown>[] = [];
  for (const p of parsed) {
    for (const e of p.entries) {
      const v = e.input.value;
      if (!isRecord(v) || v.apiVersion !== "v1") continue;
      if (v.kind === "Namespace") namespaces.push(v);
      else if (v.kind === "LimitRange") limitRanges.push(v);
    }
  }
  return { namespaces, limitRanges };
}

/** The apiVersion/kind of every resource, for loading their schemas. */
export function typesOf(parsed: readonly ParsedSource[]): Array<{ apiVersion: string; kind: string }> {
  const seen = new Map<string, Set<string>>();
  const out: Array<{ apiVersion: string; kind: string }> = [];
  for (const p of parsed) {
    for (const e of p.entries) {
      const v = e.input.value;
      if (!isRecord(v)) continue;
      const { apiVersion, kind } = v;
      if (typeof apiVersion !== "string" || typeof kind !== "string") continue;
      let kinds = seen.get(apiVersion);
      if (!kinds) seen.set(apiVersion, (kinds = new Set()));
      if (kinds.has(kind)) continue;
      kinds.add(kind);
      out.push({ apiVersion, kind });
    }
  }
  return out;
}

/** Check one resource (the engine's schemas for it must be loaded). */
export function checkEntry(engine: ManifestEngine, entry: Entry): ResourceResult {
  if (entry.readError) return entry.readError;
  const result = engine.validate(entry.input);
  if (entry.crdProblem) {
    result.issues.push({ rule: "crd/invalid", severity: "error", path: [], field: "", message: entry.crdProblem });
    result.status = "invalid";
  }
  addReaderNotices(result, entry.input, entry.doc, engine);
  return result;
}

function startsWith(path: readonly PathSegment[], prefix: readonly PathSegment[]): boolean {
  return prefix.every((p, i) => path[i] === p);
}

/**
 * What reading a document noticed in the part a resource covers: numbers JSON cannot hold
 * (errors), duplicate keys (errors in strict mode), and, when asked, values YAML 1.1 reads
 * differently from YAML 1.2 (warnings: kubectl and kube-apiserver read them the 1.1 way, so a
 * reading the schema accepts is what the author meant, and one it refuses is a type error already).
 */
function addReaderNotices(result: ResourceResult, r: ResourceInput, doc: YamlDocument, engine: ManifestEngine): void {
  if (!doc.notices.length) return;
  const schema = result.apiVersion && result.kind ? engine.schemaFor(result.apiVersion, result.kind) : undefined;
  for (const n of doc.notices) {
    if (!startsWith(n.path, r.prefix)) continue;
    const path = n.path.slice(r.prefix.length);
    const field = schema ? fieldPathOf(schema, path).toString() : fieldString(path);
    if (n.kind === "not-json") {
      result.issues.push({ rule: "yaml/not-json", severity: "error", path, field, message: `${field || "<root>"}: ${n.message}`, ...n.position });
    } else if (n.kind === "duplicate-key") {
      if (engine.strict) result.issues.push({ rule: "yaml/duplicate-key", severity: "error", path, field, message: `${field || "<root>"}: ${n.message}`, ...n.position });
    } else if (engine.warnImplicitConversions) {
      result.issues.push({ rule: "yaml/implicit-conversion", severity: "warning", path, field, message: `${field || "<root>"}: ${n.message}`, ...n.position });
    }
  }
  if (result.issues.some((i) => i.severity === "error") && result.status === "valid") result.status = "invalid";
}

function fieldString(path: readonly PathSegment[]): string {
  let out = "";
  for (const s of path) out += typeof s === "number" ? `[${s}]` : out ? `.${s}` : s;
  return out;
}
