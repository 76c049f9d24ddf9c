/**
 * Admission as a cluster would run it on a change: the objects of the new tree paired with those
 * of an old tree (a git ref read through `git show`, or a directory) by group, kind, namespace and
 * name — new objects are CREATE, changed ones UPDATE with their old object, removed ones DELETE —
 * with the native update rules, CRD transition rules with `oldSelf` and ratcheting, and the
 * ValidatingAdmissionPolicies and MutatingAdmissionPolicies (with their bindings, params,
 * Namespaces and RBAC objects) found among the inputs or given with `policies`.
 */
import type { RuntimeConfig } from "../apiserver/served.js";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import type * as z from "zod";
import { builtinKinds, resourceInfo } from "../meta/index.js";
import { isRecord } from "../meta/values.js";
import { PolicySet, isAdmissionPolicyObject, type EquivalentResource, rbacAuthorizer, typeCheckPolicy, type AdmissionOperation, type AdmissionResult, type TypeCheckTarget } from "../apiserver/admission/index.js";
import type { UserInfo } from "../apiserver/cel/index.js";
import { withDefaults } from "../apiserver/structural-defaults.js";
import { validateWrite } from "../apiserver/strategy.js";
import { storageResourceOf } from "../apiserver/conversion.js";
import * as celEngineImpl from "../apiserver/cel-engine-impl.js";
import { useCelEngine } from "../apiserver/cel-engine.js";
import { ManifestEngine } from "./engine.js";
import { checkEntry, fileFailure, parseSource, registerInputCrds, typesOf, type Entry, type ParsedSource, type RegisteredCrd, type Source } from "./run.js";
import { expandPaths } from "./sources.js";
import { isPathInput, isTextInput } from "./policy-inputs.js";
import type { ResourceResult, ValidationIssue, ValidationReport } from "./types.js";
import { summarize } from "./validate-manifests.js";

type Obj = Record<string, unknown>;

// Reviews check policies (and their objects) synchronously: the CEL engine is loaded with this module.
useCelEngine(celEngineImpl);
type Schema = z.core.$ZodType;

/** Options of {@link reviewManifests}. */
export interface ReviewOptions {
  kubernetesVersion?: string;
  strict?: boolean;
  /** CRD files, directories or globs (as `--crd`), or CustomResourceDefinition objects. */
  crds?: ReadonlyArray<string | Obj>;
  ignoreMissingSchemas?: boolean;
  /** Built-in API versions served beyond kube-apiserver's defaults, as its `--runtime-config` (see `validateManifests`). */
  /** The namespace of resources that name none (default: `default`), as `kubectl apply --namespace` sets it. */
  namespace?: string;
  runtimeConfig?: RuntimeConfig;
  skip?: readonly string[];
  reject?: readonly string[];
  /** The old tree: a git ref (`origin/main`) or a directory mirroring the current one. */
  against?: string;
  /** More policies, bindings and params: files, directories or globs (as `--policy`). */
  policies?: readonly string[];
  /** The user the requests are made as (default: an anonymous user with no groups). */
  user?: UserInfo;
  /** Keep the object the cluster would store (defaults and mutating policies applied) in each result. */
  showMutated?: boolean;
  maxFileSize?: number;
  /** The directory paths and `git` are relative to (default: the current directory). */
  cwd?: string;
}

/** What a review reads: paths (files, directories, globs), `{ path }`, `{ text, file }` or objects. */
export type ReviewInput = string | { path: string } | { text: string; file?: string } | Obj;


/** A resource of a review: its result, and what the cluster would store. */
export interface ReviewedResource extends ResourceResult {
  /** CREATE, UPDATE or DELETE; absent for unchanged objects. */
  operation?: AdmissionOperation;
  /** The object the cluster would store, when `showMutated` is set. */
  stored?: Obj;
}

/** A review: a validation report whose results say what the change does to each object. */
export interface ReviewReport extends ValidationReport {
  results: ReviewedResource[];
}

const DEFAULT_MAX_FILE = 32 * 1024 * 1024;
const MANIFEST = /\.(ya?ml|json)$/i;

function sourcesOfPaths(paths: readonly string[]): Source[] {
  const out: Source[] = [];
  for (const e of expandPaths([...paths])) {
    if ("error" in e) out.push({ kind: "failure", result: fileFailure(e.file, e.error) });
    else out.push({ kind: "file", file: e.file });
  }
  return out;
}

function git(args: string[], cwd: string): string {
  return process.getBuiltinModule("node:child_process").execFileSync("git", args, { cwd, encoding: "utf8", maxBuffer: 256 * 1024 * 1024, stdio: ["ignore", "pipe", "pipe"] });
}

/**
 * The old tree's inputs: the files at a git ref under the same paths, or the same paths under a
 * directory. Paths that do not exist there give no objects (everything under them is new).
 */
function oldSources(against: string, paths: readonly string[], maxBytes: number, cwd: string): Source[] | { error: string } {
  const dir = resolve(cwd, against);
  if (existsSync(dir) && statSync(dir).isDirectory()) {
    const mapped = paths.filter((p) => p !== "-").map((p) => join(dir, relative(cwd, resolve(cwd, p))));
    return sourcesOfPaths(mapped.filter((p) => existsSync(p) || /[*?[]/.test(p)));
  }
  const out: Source[] = [];
  for (const p of paths) {
    if (p === "-") continue;
    const target = resolve(cwd, p);
    // git runs in the repository that holds the path (the path may not exist in the new tree).
    let at = target;
    while (!existsSync(at) && dirname(at) !== at) at = dirname(at);
    const gitDir = existsSync(at) && statSync(at).isDirectory() ? at : dirname(at);
    let top: string;
    try {
      top = git(["rev-parse", "--show-toplevel"], gitDir).trim();
      git(["rev-parse", "--verify", "--quiet", `${against}^{commit}`], gitDir);
    } catch {
      return { error: `--against ${against}: neither a directory nor a git revision of the repository holding ${p}` };
    }
    const full = relative(top, target).split("\\").join("/");
    let listing: string;
    try {
      listing = git(["ls-tree", "-r", "--name-only", "--full-tree", against, "--", full || "."], top);
    } catch {
      continue;
    }
    for (const file of listing.split("\n").filter((f) => f && MANIFEST.test(f))) {
      const label = `${against}:${file}`;
      try {
        const text = git(["show", `${against}:${file}`], top);
        if (text.length > maxBytes) out.push({ kind: "failure", result: fileFailure(label, `larger than ${maxBytes} bytes`) });
        else out.push({ kind: "text", file: label, text });
      } catch (err) {
        out.push({ kind: "failure", result: fileFailure(label, (err as Error).message.split("\n")[0]!) });
      }
    }
  }
  return out;
}

function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

/** group/kind/namespace/name of an object. */
function identity(o: Obj): string {
  const apiVersion = str(o.apiVersion);
  const group = apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "";
  const meta = isRecord(o.metadata) ? o.metadata : {};
  return `${group}/${str(o.kind)}/${str(meta.namespace)}/${str(meta.name)}`;
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b) || (isRecord(a) && isRecord(b) && JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b)));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (!isRecord(v)) return v;
  return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
}

/**
 * Validate manifests as kube-apiserver would admit them: with the admission policies among the
 * inputs, and, with `against`, as a change from an old tree. Never throws for bad manifests.
 *
 * @example
 * const report = await reviewManifests(["k8s/"], { against: "origin/main", user: { username: "ci" } });
 */
export async function reviewManifests(input: readonly ReviewInput[], options: ReviewOptions = {}): Promise<ReviewReport> {
  const paths = input.map((i) => (typeof i === "string" ? i : isPathInput(i) ? i.path : undefined)).filter((p): p is string => p !== undefined);
  const maxBytes = options.maxFileSize ?? DEFAULT_MAX_FILE;
  const results: ReviewedResource[] = [];
  const cwd = options.cwd ?? process.cwd();
  const here = (ps: readonly string[]) => (options.cwd === undefined ? ps : ps.map((p) => (p === "-" ? p : resolve(cwd, p))));
  let objects = 0;
  const newSources = input.flatMap((i): Source[] => {
    if (typeof i === "string") return sourcesOfPaths(here([i]));
    if (isPathInput(i)) return sourcesOfPaths(here([i.path]));
    if (isTextInput(i)) return [{ kind: "text", file: i.file ?? "<input>", text: i.text }];
    return [{ kind: "object", file: "<object>", value: i, index: objects++ }];
  });
  const parsedNew = newSources.map((s) => parseSource(s, maxBytes));
  const parsedPolicies = sourcesOfPaths(here(options.policies ?? [])).map((s) => parseSource(s, maxBytes));
  const parsedCrds = (options.crds ?? []).flatMap((c, index): Source[] => (typeof c === "string" ? sourcesOfPaths(here([c])) : [{ kind: "object", file: "<crd>", value: c, index }])).map((s) => parseSource(s, maxBytes));
  let parsedOld: ParsedSource[] = [];
  let oldError: string | undefined;
  if (options.against !== undefined) {
    const old = oldSources(options.against, paths, maxBytes, cwd);
    if ("error" in old) oldError = old.error;
    else parsedOld = old.map((s) => parseSource(s, maxBytes));
  }
  const objectsOf = (ps: readonly ParsedSource[]): Obj[] => ps.flatMap((p) => p.entries.filter((e) => !e.readError && isRecord(e.input.value)).map((e) => e.input.value as Obj));
  // The old tree's objects are the engine's `previous`: changed objects are checked as updates
  // (native update rules, transition rules, ratcheting), the way validateManifests does.
  const previous = objectsOf(parsedOld);
  const engine = new ManifestEngine({
    ...(options.kubernetesVersion ? { kubernetesVersion: options.kubernetesVersion } : {}),
    strict: options.strict ?? true,
    ...(options.ignoreMissingSchemas !== undefined ? { ignoreMissingSchemas: options.ignoreMissingSchemas } : {}),
    ...(options.runtimeConfig ? { runtimeConfig: options.runtimeConfig } : {}),
    ...(options.namespace ? { namespace: options.namespace } : {}),
    ...(options.skip ? { skip: options.skip } : {}),
    ...(options.reject ? { reject: options.reject } : {}),
    ...(previous.length ? { previous } : {}),
  });
  // Namespaces among the new objects are known to the rules that read namespace labels.
  engine.addNamespaces(objectsOf(parsedNew));
  engine.addLimitRanges(objectsOf(parsedNew));
  const minor = Number(engine.kubernetesVersion.split(".")[1]);
  if (oldError !== undefined) {
    results.push({ ...fileFailure(options.against!, oldError) });
    return finish(results, engine, newSources.length);
  }
  for (const p of [...parsedCrds, ...parsedNew, ...parsedPolicies]) if (p.failure) results.push(p.failure);

  const registered: RegisteredCrd[] = [];
  registerInputCrds(engine, [...parsedCrds, ...parsedNew], registered);
  await engine.load(typesOf([...parsedNew, ...parsedOld, ...parsedPolicies]));
  const builtins = await builtinKinds(engine.kubernetesVersion);
  const isBuiltin = (apiVersion: string, kind: string) => Boolean(builtins[apiVersion]?.includes(kind));
  const targets = await policyTargets(engine, builtins, [...parsedNew, ...parsedPolicies]);

  const newObjects = objectsOf(parsedNew);
  const policyObjects = objectsOf(parsedPolicies);
  const schemaOf = (apiVersion: string, kind: string): Schema | undefined => engine.schemaFor(apiVersion, kind);
  const resourceOf = (apiVersion: string, kind: string) => {
    const s = schemaOf(apiVersion, kind);
    const info = s ? resourceInfo(s as z.ZodType) : undefined;
    return info ? { resource: info.plural, namespaced: info.namespaced } : undefined;
  };
  // Policies and bindings of a version the cluster does not serve cannot be in it: they apply to nothing.
  const served = (o: Obj) => typeof o.apiVersion !== "string" || typeof o.kind !== "string" || engine.serves(o.apiVersion, o.kind);
  const everything = [...newObjects, ...policyObjects].filter(served);
  const authorize = rbacAuthorizer(everything);
  // A policy kube-apiserver would refuse to create (its errors are reported on it) is not in the
  // cluster: it is not evaluated, so that its errors are not repeated as denials of what it matches.
  const refused = (policy: Obj): string | undefined => {
    const id = identity(policy);
    const old = options.against !== undefined ? parsedOld.flatMap((p) => p.entries).find((e) => isRecord(e.input.value) && identity(e.input.value) === id)?.input.value : undefined;
    const errors = validateWrite(policy, { minor, ...(isRecord(old) ? { old } : {}) }).errors;
    return errors.length ? "kube-apiserver refuses to create this policy (its errors are reported on it)" : undefined;
  };
  const policySet = new PolicySet(everything, { minor, resourceOf, schemaOf, refused, ...(authorize ? { authorize } : {}) });
  // The served versions of a built-in resource, and the resources of other groups kept in the same
  // storage (events.k8s.io and core events), which policies with matchPolicy: Equivalent match
  // through (the object converted by the built-in conversions). Custom resources get none: their
  // conversion webhooks are not reachable offline, so a rule naming another version of a CRD
  // matches and the policy sees the object as written.
  const equivalentsCache = new Map<string, EquivalentResource[] | undefined>();
  const equivalentsOf = (apiVersion: string, kind: string, resource: string): EquivalentResource[] | undefined => {
    const key = `${apiVersion}/${kind}`;
    if (equivalentsCache.has(key)) return equivalentsCache.get(key);
    let out: EquivalentResource[] | undefined;
    if (isBuiltin(apiVersion, kind)) {
      const group = apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "";
      const storage = storageResourceOf(group, resource);
      out = [];
      for (const [av, kinds] of Object.entries(builtins)) {
        const slash = av.indexOf("/");
        const [g, version] = slash < 0 ? ["", av] : [av.slice(0, slash), av.slice(slash + 1)];
        if (!kinds.includes(kind) || (av !== apiVersion && !engine.serves(av, kind))) continue;
        const served = resourceOf(av, kind)?.resource;
        if (served === undefined || storageResourceOf(g, served) !== storage) continue;
        out.push({ group: g, version, resource: served, kind: { group: g, version, kind } });
      }
    }
    equivalentsCache.set(key, out);
    return out;
  };

  const oldByIdentity = new Map<string, { entry: Entry; value: Obj }>();
  for (const p of parsedOld) for (const e of p.entries) if (!e.readError && isRecord(e.input.value)) oldByIdentity.set(identity(e.input.value), { entry: e, value: e.input.value });
  const seen = new Set<string>();
  const user = options.user ?? { username: "" };

  for (const p of [...parsedNew, ...parsedPolicies]) {
    for (const entry of p.entries) {
      const result: ReviewedResource = checkEntry(engine, entry);
      results.push(result);
      if (entry.readError || !isRecord(entry.input.value)) continue;
      const value = entry.input.value;
      const id = identity(value);
      seen.add(id);
      const old = options.against !== undefined ? oldByIdentity.get(id)?.value : undefined;
      if (old && deepEqual(old, value)) {
        result.status = "skipped";
        result.reason = "unchanged";
        result.issues = [];
        continue;
      }
      const operation: AdmissionOperation = old ? "UPDATE" : "CREATE";
      result.operation = operation;
      const apiVersion = str(value.apiVersion);
      const kind = str(value.kind);
      if (result.status === "skipped" || result.status === "error") continue;
      const add = (issue: Omit<ValidationIssue, "line" | "column">) => {
        const pos = entry.input.locate?.([...entry.input.prefix, ...issue.path]);
        result.issues.push(pos ? { ...issue, ...pos } : issue);
      };
      const schema = schemaOf(apiVersion, kind);
      const builtin = isBuiltin(apiVersion, kind);
      if (isAdmissionPolicyObject(value) && !kind.endsWith("Binding")) {
        const pk = isRecord(value.spec) && isRecord(value.spec.paramKind) ? value.spec.paramKind : undefined;
        const paramSchema = pk ? schemaOf(str(pk.apiVersion), str(pk.kind)) : undefined;
        for (const w of typeCheckPolicy(value, targets.get(value) ?? [], paramSchema, minor)) {
          add({ rule: "policy/type-check", severity: "warning", path: [], field: w.fieldRef, message: `${w.fieldRef}: ${w.warning.split("\n").join("; ")}` });
        }
      }
      // The policy's own expressions are compiled by its native validation (checkEntry above).
      const info = resourceOf(apiVersion, kind);
      // Without an old tree, the CRDs among the inputs are the cluster's definitions (registered
      // before anything is checked, as the policies are), not writes to admit.
      const definition = options.against === undefined && entry.crdSource !== undefined;
      if (definition) {
        // Nothing to admit.
      } else if (info && policySet.active && result.issues.some((i) => i.severity === "error")) {
        // kube-apiserver refuses an object that fails decoding or native validation before its validating policies run.
        add({ rule: "policy/unevaluated", severity: "warning", path: [], field: "", message: "admission policies were not evaluated because the object is invalid; correct the existing errors to complete validation" });
      } else if (info && policySet.active) {
        // Policies see the object as the apiserver holds it at admission: defaulted, in its namespace.
        const stored = (o: Obj): Obj => asAdmitted(o, builtin, schema, minor, info.namespaced);
        const equivalents = equivalentsOf(apiVersion, kind, info.resource);
        const admission = policySet.admit({ operation, object: stored(value), ...(old ? { oldObject: stored(old) } : {}), resource: info.resource, namespaced: info.namespaced, userInfo: user, ...(equivalents ? { equivalents } : {}) });
        addAdmission(result, admission, add, info.resource, value);
        if (options.showMutated && admission.object) result.stored = admission.object;
      } else if (options.showMutated && builtin) result.stored = validateWrite(value, { minor, ...(old ? { old } : {}) }).object;
      if (result.issues.some((i) => i.severity === "error")) result.status = "invalid";
      else if (result.status === "invalid") result.status = "valid";
    }
  }
  for (const unbound of policySet.unboundPolicies()) {
    const r = results.find((x) => `${x.kind} ${x.name}` === unbound);
    if (r) r.issues.push({ rule: "policy/unbound", severity: "warning", path: [], field: "", message: `${unbound} has no binding among the inputs: it does nothing` });
  }

  // Objects of the old tree that are gone: DELETE requests.
  for (const [id, { entry, value }] of oldByIdentity) {
    if (seen.has(id)) continue;
    const apiVersion = str(value.apiVersion);
    const kind = str(value.kind);
    const meta = isRecord(value.metadata) ? value.metadata : {};
    const result: ReviewedResource = {
      file: entry.input.file,
      document: entry.input.document,
      apiVersion,
      kind,
      ...(typeof meta.name === "string" ? { name: meta.name } : {}),
      ...(typeof meta.namespace === "string" ? { namespace: meta.namespace } : {}),
      status: "valid",
      operation: "DELETE",
      issues: [],
    };
    const info = resourceOf(apiVersion, kind);
    if (info && policySet.active) {
      const oldObject = asAdmitted(value, isBuiltin(apiVersion, kind), schemaOf(apiVersion, kind), minor, info.namespaced);
      const equivalents = equivalentsOf(apiVersion, kind, info.resource);
      const admission = policySet.admit({ operation: "DELETE", oldObject, resource: info.resource, namespaced: info.namespaced, userInfo: user, ...(equivalents ? { equivalents } : {}) });
      addAdmission(result, admission, (i) => result.issues.push(i), info.resource, value);
    }
    if (result.issues.some((i) => i.severity === "error")) result.status = "invalid";
    results.push(result);
  }
  return finish(results, engine, newSources.length + parsedPolicies.length);
}

/**
 * An object as the apiserver holds it when admission runs: built-in defaults and the strategy's
 * preparation (or a CRD's structural defaults), and the request's namespace in its metadata.
 */
function asAdmitted(o: Obj, builtin: boolean, schema: Schema | undefined, minor: number, namespaced: boolean): Obj {
  const out = builtin ? validateWrite(o, { minor }).object : schema ? (withDefaults(schema, o) as Obj) : structuredClone(o);
  if (namespaced) {
    const meta = isRecord(out.metadata) ? out.metadata : (out.metadata = {});
    if (typeof meta.namespace !== "string" || !meta.namespace) meta.namespace = "default";
  }
  return out;
}

/** The kinds each policy among the inputs matches, with their schemas (for type checking). */
async function policyTargets(engine: ManifestEngine, builtins: Record<string, string[]>, parsed: readonly ParsedSource[]): Promise<Map<Obj, TypeCheckTarget[]>> {
  const out = new Map<Obj, TypeCheckTarget[]>();
  const policies = parsed.flatMap((p) => p.entries.map((e) => e.input.value)).filter((v): v is Obj => isRecord(v) && isAdmissionPolicyObject(v) && !str(v.kind).endsWith("Binding"));
  if (!policies.length) return out;
  const wanted: Array<{ policy: Obj; apiVersion: string; resource: string }> = [];
  for (const policy of policies) {
    const mc = isRecord(policy.spec) && isRecord(policy.spec.matchConstraints) ? policy.spec.matchConstraints : {};
    for (const rule of Array.isArray(mc.resourceRules) ? mc.resourceRules.filter(isRecord) : []) {
      const list = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
      for (const g of list(rule.apiGroups)) for (const v of list(rule.apiVersions)) for (const r of list(rule.resources)) {
        if (g === "*" || v === "*" || r.includes("*") || r.includes("/")) continue;
        wanted.push({ policy, apiVersion: g ? `${g}/${v}` : v, resource: r });
      }
    }
  }
  await engine.load(wanted.flatMap((w) => (builtins[w.apiVersion] ?? []).map((kind) => ({ apiVersion: w.apiVersion, kind }))));
  for (const w of wanted) {
    for (const kind of builtins[w.apiVersion] ?? []) {
      const schema = engine.schemaFor(w.apiVersion, kind);
      if (!schema || resourceInfo(schema as z.ZodType)?.plural !== w.resource) continue;
      const list = out.get(w.policy) ?? [];
      const label = `${w.apiVersion.includes("/") ? w.apiVersion : `/${w.apiVersion}`}, Kind=${kind}`;
      if (!list.some((t) => t.label === label)) list.push({ label, schema });
      out.set(w.policy, list);
    }
  }
  return out;
}

function addAdmission(result: ResourceResult, admission: AdmissionResult, add: (i: Omit<ValidationIssue, "line" | "column">) => void, resource: string, value: Obj): void {
  const name = str(isRecord(value.metadata) ? value.metadata.name : "");
  const group = str(value.apiVersion).includes("/") ? str(value.apiVersion).slice(0, str(value.apiVersion).indexOf("/")) : "";
  if (admission.denied) {
    add({ rule: "policy/denied", severity: "error", path: [], field: "", message: `${resource}${group ? `.${group}` : ""} "${name}" is forbidden: ${admission.denied.message}` });
  }
  for (const d of admission.decisions) {
    if (d.action !== "deny" || admission.denied?.message.endsWith(`: ${d.message}`)) continue;
    add({ rule: "policy/denied", severity: "error", path: [], field: "", message: `ValidatingAdmissionPolicy '${d.policy}'${d.binding ? ` with binding '${d.binding}'` : ""} denied request: ${d.message}` });
  }
  for (const w of admission.warnings) add({ rule: "policy/warning", severity: "warning", path: [], field: "", message: w });
  for (const d of admission.decisions.filter((x) => x.action === "audit")) {
    add({ rule: "policy/audit", severity: "warning", path: [], field: "", message: `audit: ValidatingAdmissionPolicy '${d.policy}' with binding '${d.binding}': ${d.message}` });
  }
  for (const u of admission.unevaluated) {
    add({ rule: "policy/unevaluated", severity: "warning", path: [], field: "", message: `${u.policy}${u.binding ? ` (binding ${u.binding})` : ""} not evaluated: ${u.reason}` });
  }
  void result;
}

function finish(results: ReviewedResource[], engine: ManifestEngine, files: number): ReviewReport {
  const summary = summarize(results, files);
  for (const r of results) for (const i of r.issues) if (i.rule === "policy/unevaluated") summary.unevaluatedRules++;
  return { kubernetesVersion: engine.kubernetesVersion, strict: engine.strict, results, summary, valid: summary.invalid === 0 && summary.errors === 0 };
}
