/**
 * The coordination.k8s.io API group (pkg/apis/coordination/validation): Lease durations and
 * transitions, and the coordinated leader election fields (`strategy`, `preferredHolder`), which the
 * strategy drops while their feature gate is off (off by default in every supported minor); and
 * LeaseCandidate (ConfigMap-key names, lease name, semantic versions, preferred strategies; the
 * lease name immutable).
 */
import type { GroupRules, KindRules } from "../registry.js";
import { FieldPath, forbidden, invalid, notSupported, required, type FieldError } from "../field.js";
import { isConfigMapKey, isQualifiedName, objectAt, optionalObject, stringAt, stringsAt, validateImmutableField } from "../validation/index.js";
import { validateObjectMeta } from "../../meta/object-meta.js";

type Obj = Record<string, unknown>;

/** `ValidateLeaseSpec`. */
function validateLeaseSpec(spec: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const duration = spec.leaseDurationSeconds;
  if (typeof duration === "number" && duration <= 0) errs.push(invalid(path.child("leaseDurationSeconds"), duration, "must be greater than 0"));
  const transitions = spec.leaseTransitions;
  if (typeof transitions === "number" && transitions < 0) errs.push(invalid(path.child("leaseTransitions"), transitions, "must be greater than or equal to 0"));
  if (stringAt(spec.preferredHolder) && !stringAt(spec.strategy)) errs.push(forbidden(path.child("preferredHolder"), "may only be specified if `strategy` is defined"));
  return errs;
}

/** The strategy's `dropDisabledFields`: CoordinatedLeaderElection is off, unless the stored lease uses the fields. */
function dropCoordinatedFields(obj: Obj, old?: Obj): void {
  const spec = optionalObject(obj.spec);
  if (!spec) return;
  const oldSpec = objectAt(old?.spec);
  if (oldSpec.strategy === undefined && oldSpec.preferredHolder === undefined) {
    delete spec.strategy;
    delete spec.preferredHolder;
  }
}

const lease: KindRules = {
  prepareForCreate: (obj) => dropCoordinatedFields(obj),
  prepareForUpdate: (obj, old) => dropCoordinatedFields(obj, old),
  validate: (obj) => validateLeaseSpec(objectAt(obj.spec), FieldPath.of("spec")),
};

const OLDEST_EMULATION_VERSION = "OldestEmulationVersion";

/** `ValidateCoordinatedLeaseStrategy`: a Kubernetes-defined name, or a qualified name with a prefix. */
function validateCoordinatedLeaseStrategy(strategy: string, path: FieldPath): FieldError[] {
  const p = path.child("strategy");
  if (!strategy.includes("/")) return strategy === OLDEST_EMULATION_VERSION ? [] : [notSupported(p, strategy, [OLDEST_EMULATION_VERSION])];
  return isQualifiedName(strategy).map((m) => invalid(p, strategy, m));
}

/** A version as blang/semver's strict `Parse` reads it, or undefined. */
interface SemVer {
  core: [bigint, bigint, bigint];
  pre: string[];
}

const NUMERIC = /^(0|[1-9][0-9]*)$/;
const IDENTIFIER = /^[0-9A-Za-z-]+$/;

function parseSemVer(text: string): SemVer | undefined {
  const plus = text.indexOf("+");
  const main = plus < 0 ? text : text.slice(0, plus);
  if (plus >= 0 && text.slice(plus + 1).split(".").some((b) => !IDENTIFIER.test(b))) return undefined;
  const dash = main.indexOf("-");
  const core = (dash < 0 ? main : main.slice(0, dash)).split(".");
  if (core.length !== 3 || core.some((c) => !NUMERIC.test(c))) return undefined;
  const pre = dash < 0 ? [] : main.slice(dash + 1).split(".");
  if (pre.some((p) => !IDENTIFIER.test(p) || (/^[0-9]+$/.test(p) && !NUMERIC.test(p)))) return undefined;
  return { core: core.map((c) => BigInt(c)) as [bigint, bigint, bigint], pre };
}

/** Semantic version precedence (build metadata ignored). */
function compareSemVer(a: SemVer, b: SemVer): number {
  for (let i = 0; i < 3; i++) if (a.core[i] !== b.core[i]) return a.core[i]! < b.core[i]! ? -1 : 1;
  if (!a.pre.length || !b.pre.length) return a.pre.length === b.pre.length ? 0 : a.pre.length ? -1 : 1;
  for (let i = 0; i < Math.min(a.pre.length, b.pre.length); i++) {
    const x = a.pre[i]!;
    const y = b.pre[i]!;
    if (x === y) continue;
    const nx = /^[0-9]+$/.test(x);
    const ny = /^[0-9]+$/.test(y);
    if (nx && ny) return BigInt(x) < BigInt(y) ? -1 : 1;
    if (nx !== ny) return nx ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return a.pre.length === b.pre.length ? 0 : a.pre.length < b.pre.length ? -1 : 1;
}

const ZERO: SemVer = { core: [0n, 0n, 0n], pre: [] };
const isZero = (v: SemVer): boolean => compareSemVer(v, ZERO) === 0;

/** `ValidateLeaseCandidateSpec`. */
function validateLeaseCandidateSpec(spec: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!stringAt(spec.leaseName)) errs.push(required(path.child("leaseName"), ""));
  const version = (field: "emulationVersion" | "binaryVersion"): SemVer => {
    const text = stringAt(spec[field]);
    if (!text) return ZERO;
    const v = parseSemVer(text);
    if (!v) errs.push(invalid(path.child(field), text, "must be a valid semantic version"));
    return v ?? ZERO;
  };
  const ev = version("emulationVersion");
  const bv = version("binaryVersion");
  const binary = stringAt(spec.binaryVersion);
  if (binary && stringAt(spec.emulationVersion) && compareSemVer(bv, ev) < 0) {
    errs.push(invalid(path.child("binaryVersion"), binary, "must be greater than or equal to `emulationVersion`"));
  }
  const strategies = stringsAt(spec.preferredStrategies);
  if (strategies.length === 0) errs.push(required(path.child("preferredStrategies"), "must contain at least one strategy"));
  strategies.forEach((strategy, i) => {
    if (strategy === OLDEST_EMULATION_VERSION) {
      if (isZero(bv)) errs.push(required(path.child("binaryVersion"), "must be specified when `strategy` is 'OldestEmulationVersion'"));
      if (isZero(ev)) errs.push(required(path.child("emulationVersion"), "must be specified when `strategy` is 'OldestEmulationVersion'"));
    }
    errs.push(...validateCoordinatedLeaseStrategy(strategy, path.child("preferredStrategies").index(i)));
  });
  return errs;
}

/**
 * `ValidateObjectMeta` with `ValidLeaseCandidateName` (a ConfigMap key, not a DNS subdomain). The
 * namespace's presence is left to the generic check, which knows whether the request supplies it.
 */
function validateLeaseCandidateMeta(obj: Obj): FieldError[] {
  const errs = validateObjectMeta(obj.metadata, { nameFormat: "path-segment", namespaced: true, namespaceOptional: true });
  const names = new Set(["metadata.name", "metadata.generateName"]);
  const kept = errs.filter((e) => !(names.has(e.field) && e.type === "FieldValueInvalid"));
  const meta = objectAt(obj.metadata);
  const named: FieldError[] = [];
  for (const field of ["generateName", "name"] as const) {
    const value = stringAt(meta[field]);
    if (value) for (const m of isConfigMapKey(value)) named.push(invalid(FieldPath.of("metadata", field), value, m));
  }
  return [...named, ...kept];
}

const leaseCandidate: KindRules = {
  // ValidateLeaseCandidate checks the metadata itself, with its own name rule.
  objectMeta: false,
  validate: (obj) => [...validateLeaseCandidateMeta(obj), ...validateLeaseCandidateSpec(objectAt(obj.spec), FieldPath.of("spec"))],
  validateUpdate: (obj, old) => validateImmutableField(objectAt(obj.spec).leaseName, objectAt(old.spec).leaseName, FieldPath.of("spec", "leaseName")),
};

/** What kube-apiserver does to the kinds of `coordination.k8s.io`. */
export const rules: GroupRules = { group: "coordination.k8s.io", kinds: { Lease: lease, LeaseCandidate: leaseCandidate } };
