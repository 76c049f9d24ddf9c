/**
 * `validateManifests`: read manifests from texts, buffers, objects, files, directories, globs or
 * standard input, use the CRDs given or found among them, and check every resource.
 */
import type { RuntimeConfig } from "../apiserver/served.js";
import type * as z from "zod";
import { ManifestEngine } from "./engine.js";
import { checkInParallel, defaultWorkerCount } from "./parallel.js";
import { CRD_NEEDLES, fileFailure, inputObjects, parseSource, readAhead, registerCrdOption, registerInputCrds, type ParsedSource, type RegisteredCrd, type Source } from "./run.js";
import { abortReason, emptyDirectories, expandPaths, readSpecialFile, readStandardInput } from "./sources.js";
import type { ResourceResult, ValidationReport, ValidationSummary } from "./types.js";
import { scanInputs } from "./policy-inputs.js";

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
  /**
   * The built-in API versions the cluster serves, as kube-apiserver's `--runtime-config` changes
   * them: `{"api/beta": true}`, `{"admissionregistration.k8s.io/v1beta1": true}`. By default only
   * what kube-apiserver serves by default (GA versions, and the legacy betas it kept on); a
   * resource of another built-in version is an `api/not-served` error.
   */
  runtimeConfig?: RuntimeConfig;
  /** Kinds to skip: `Kind` or `group/version/Kind`. */
  skip?: readonly string[];
  /** Kinds to reject: `Kind` or `group/version/Kind`. */
  reject?: readonly string[];
  /** Largest file read, in bytes (default 32 MiB); larger files are reported as errors. */
  maxFileSize?: number;
  /**
   * Called as resources are checked, with how many were checked and how many were found so far
   * (inputs are read as their turn comes, so the total grows until the last one is read).
   */
  onProgress?: (done: number, total: number) => void;
  /**
   * The objects as they are now — in a cluster, or at the base of a change — as manifests (the same
   * forms as the inputs) or objects. A resource with the same group, kind, namespace and name as one
   * of them is checked as an update of it (immutable fields, transitions, CRD ratcheting); the others
   * as creates. A resource without a namespace matches the one object of its name, if only one.
   */
  previous?: ManifestInput | readonly ManifestInput[];
  /**
   * The namespace of resources that name none (default: `default`), as `kubectl apply --namespace`
   * sets it: LimitRanges and the Pods and claims they apply to are matched by it.
   */
  namespace?: string;
  /** Report values YAML 1.1 reads differently from YAML 1.2 (`0644` is 420, `yes` is true) as warnings. */
  warnImplicitConversions?: boolean;
  /** Cancels the run: reading (also of a FIFO or device named as input) and checking stop, and the call rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Worker threads to share large runs with (0: none). By default, on machines with 3 or more
   * cores, one per core beyond the first (at most 7) when the inputs add up to 4 MiB or more;
   * never with `schemas`, which cannot be sent to another thread. The report is the same either way.
   */
  workers?: number;
}

/** Inputs smaller than this are checked on the calling thread alone (a worker takes ~0.1 s to start). */
const PARALLEL_MIN_BYTES = 4 * 1024 * 1024;

const DEFAULT_MAX_FILE = 32 * 1024 * 1024;

function isPathInput(i: unknown): i is PathInput {
  return typeof i === "object" && i !== null && !(i instanceof Uint8Array) && typeof (i as PathInput).path === "string" && Object.keys(i).length === 1;
}

function isTextInput(i: unknown): i is TextInput {
  return typeof i === "object" && i !== null && !(i instanceof Uint8Array) && "text" in i && (typeof (i as TextInput).text === "string" || (i as TextInput).text instanceof Uint8Array) && !("apiVersion" in i);
}

/** The inputs as sources in order (paths expanded, standard input and special files read), how many are files, and notices. */
async function sourcesOf(inputs: readonly ManifestInput[], maxBytes: number, signal?: AbortSignal): Promise<{ sources: Source[]; files: number; notices: string[] }> {
  const sources: Source[] = [];
  const notices: string[] = [];
  let files = 0;
  let objects = 0;
  const readFully = async (file: string, read: Promise<{ bytes: Buffer } | { error: string }>) => {
    const r = await read;
    if ("error" in r) return sources.push({ kind: "failure", result: fileFailure(file, r.error) });
    if (file === "-" && r.bytes.length === 0) notices.push("standard input is empty: no manifests were read from it");
    return sources.push({ kind: "bytes", file, bytes: r.bytes });
  };
  for (const input of inputs) {
    if (signal?.aborted) throw abortReason(signal);
    if (typeof input === "string") {
      files++;
      sources.push({ kind: "text", file: "<input>", text: input });
    } else if (input instanceof Uint8Array) {
      files++;
      sources.push({ kind: "bytes", file: "<input>", bytes: input });
    } else if (isPathInput(input)) {
      for (const dir of emptyDirectories([input.path])) notices.push(`${dir}: no .yaml, .yml or .json files in this directory`);
      for (const e of expandPaths([input.path])) {
        files++;
        if ("error" in e) sources.push({ kind: "failure", result: fileFailure(e.file, e.error) });
        else if (e.file === "-") await readFully("-", readStandardInput(maxBytes, signal));
        else if (e.special) await readFully(e.file, readSpecialFile(e.file, maxBytes, signal));
        else sources.push({ kind: "file", file: e.file });
      }
    } else if (isTextInput(input)) {
      files++;
      const file = input.file ?? "<input>";
      sources.push(typeof input.text === "string" ? { kind: "text", file, text: input.text } : { kind: "bytes", file, bytes: input.text });
    } else {
      sources.push({ kind: "object", file: "<object>", value: input, index: objects++ });
    }
  }
  return { sources, files, notices };
}

/** The objects of the `previous` option, read as the inputs are. */
async function previousObjects(input: ManifestInput | readonly ManifestInput[] | undefined, maxBytes: number, signal?: AbortSignal): Promise<{ objects: unknown[]; failures: ResourceResult[] }> {
  const objects: unknown[] = [];
  const failures: ResourceResult[] = [];
  if (input === undefined) return { objects, failures };
  const inputs = Array.isArray(input) ? (input as readonly ManifestInput[]) : [input as ManifestInput];
  for (const source of (await sourcesOf(inputs, maxBytes, signal)).sources) {
    const parsed = parseSource(source, maxBytes);
    if (parsed.failure) failures.push(parsed.failure);
    for (const e of parsed.entries) {
      if (e.readError) failures.push(e.readError);
      else objects.push(e.input.value);
    }
  }
  return { objects, failures };
}

/** Counts over a run's results. @example summarize(results, 3).invalid */
export function summarize(results: readonly ResourceResult[], files: number): ValidationSummary {
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
  // Admission policies with bindings among the inputs apply to them, as in a cluster.
  // Files are looked through for CRDs in the same reading (see readAhead).
  const scanned = scanInputs(inputs, options.maxFileSize ?? DEFAULT_MAX_FILE, CRD_NEEDLES);
  if (scanned.bindings && !inputs.some((i) => i instanceof Uint8Array || (isPathInput(i) && i.path === "-"))) {
    const { reviewManifests } = await import("./review.js");
    return reviewManifests(inputs.map((i) => (typeof i === "string" ? { text: i } : (i as Record<string, unknown>))), {
      ...(options.kubernetesVersion ? { kubernetesVersion: options.kubernetesVersion } : {}),
      ...(options.strict !== undefined ? { strict: options.strict } : {}),
      ...(options.crds ? { crds: options.crds } : {}),
      ...(options.ignoreMissingSchemas !== undefined ? { ignoreMissingSchemas: options.ignoreMissingSchemas } : {}),
      ...(options.runtimeConfig ? { runtimeConfig: options.runtimeConfig } : {}),
      ...(options.namespace ? { namespace: options.namespace } : {}),
      ...(options.skip ? { skip: options.skip } : {}),
      ...(options.reject ? { reject: options.reject } : {}),
      ...(options.maxFileSize ? { maxFileSize: options.maxFileSize } : {}),
    });
  }
  const maxBytes = options.maxFileSize ?? DEFAULT_MAX_FILE;
  const signal = options.signal;
  const previous = await previousObjects(options.previous, maxBytes, signal);
  const { previous: _given, ...engineOptions } = options;
  const engine = new ManifestEngine({ ...engineOptions, ...(previous.objects.length ? { previous: previous.objects } : {}) });

  // CRDs passed explicitly come first, so that CRDs among the inputs can override them.
  const crds: RegisteredCrd[] = [];
  const crdInputs: ManifestInput[] = (options.crds ?? []).map((c) => (typeof c === "string" ? { path: c } : c));
  const crdSources = (await sourcesOf(crdInputs, maxBytes, signal)).sources;
  const results: ResourceResult[] = [...previous.failures.map((f) => ({ ...f, issues: f.issues.map((i) => ({ ...i, message: `previous: ${i.message}` })) }))];
  results.push(...registerCrdOption(
    engine,
    crdSources.map((s) => parseSource(s, maxBytes)),
    crds,
  ));

  const { sources, files, notices } = await sourcesOf(inputs, maxBytes, signal);
  // CustomResourceDefinitions among the inputs apply to every resource, so the inputs that may
  // hold one are read first; the others are read, checked and let go one at a time.
  const early: Array<ParsedSource | undefined> = [];
  let bytes = 0;
  let total = 0;
  for (const s of sources) {
    if (signal?.aborted) throw abortReason(signal);
    const ahead = readAhead(s, maxBytes, engine.warnImplicitConversions, scanned.scans);
    early.push(ahead.parsed);
    bytes += ahead.size;
    total += ahead.parsed?.entries.length ?? 0;
  }
  registerInputCrds(engine, early.filter((p) => p !== undefined), crds);
  const { namespaces, limitRanges } = inputObjects(early.filter((p) => p !== undefined));
  engine.addNamespaces(namespaces);
  if (limitRanges.length) engine.addLimitRanges(limitRanges);

  let done = 0;
  const outcomes = await checkInParallel({
    workers: options.schemas?.length ? 0 : (options.workers ?? (bytes >= PARALLEL_MIN_BYTES ? defaultWorkerCount() : 0)),
    engine,
    engineOptions: {
      kubernetesVersion: engine.kubernetesVersion,
      strict: engine.strict,
      ...(options.ignoreMissingSchemas !== undefined ? { ignoreMissingSchemas: options.ignoreMissingSchemas } : {}),
      ...(options.runtimeConfig ? { runtimeConfig: options.runtimeConfig } : {}),
      ...(options.skip ? { skip: options.skip } : {}),
      ...(options.reject ? { reject: options.reject } : {}),
      ...(options.warnImplicitConversions ? { warnImplicitConversions: true } : {}),
      ...(previous.objects.length ? { previous: previous.objects } : {}),
      ...(namespaces.length ? { namespaces } : {}),
      ...(limitRanges.length ? { limitRanges } : {}),
      ...(options.namespace ? { namespace: options.namespace } : {}),
    },
    ...(signal ? { signal } : {}),
    maxBytes,
    crds,
    sources,
    early: [...early],
    onUnit: (i, unit) => {
      if (!options.onProgress || !unit.results.length) return;
      if (!early[i]) total += unit.results.length;
      done += unit.results.length;
      options.onProgress(done, total);
    },
  });
  for (const o of outcomes) if (o.failure) results.push(o.failure);
  for (const o of outcomes) results.push(...o.results);
  const summary = summarize(results, files);
  if (summary.resources === 0 && !notices.length) notices.push("no manifests were found in the inputs");
  return {
    kubernetesVersion: engine.kubernetesVersion,
    strict: engine.strict,
    results,
    summary,
    valid: summary.invalid === 0 && summary.errors === 0,
    ...(notices.length ? { notices } : {}),
  };
}
