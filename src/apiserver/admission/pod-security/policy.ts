/**
 * Pod Security levels, versions and namespace labels (k8s.io/pod-security-admission/api), and the
 * evaluator that runs the checks of a level at a version (policy/registry.go).
 */
import { fieldError, FieldPath, type FieldError } from "../../../meta/index.js";
import { CHECKS, type Check, type CheckPod, type PodMetaLike, type PodSpecLike } from "./checks.js";

/** A Pod Security Standards level. */
export type PodSecurityLevel = "privileged" | "baseline" | "restricted";
/** A policy version: `latest`, or the Kubernetes minor `v1.minor`. */
export type PodSecurityVersion = "latest" | { minor: number };

/** A level at a version, printed as kube-apiserver prints it: `restricted:latest`, `baseline:v1.23`. */
export interface LevelVersion {
  level: PodSecurityLevel;
  version: PodSecurityVersion;
}

/** The three modes of a namespace's policy. */
export interface PodSecurityPolicy {
  enforce: LevelVersion;
  audit: LevelVersion;
  warn: LevelVersion;
}

export const POD_SECURITY_LABEL_PREFIX = "pod-security.kubernetes.io/";
const LEVELS: readonly PodSecurityLevel[] = ["privileged", "baseline", "restricted"];
const MODES = ["enforce", "audit", "warn"] as const;

/** kube-apiserver's default policy when no configuration says otherwise: privileged, latest, for every mode. */
export const DEFAULT_POD_SECURITY_POLICY: PodSecurityPolicy = {
  enforce: { level: "privileged", version: "latest" },
  audit: { level: "privileged", version: "latest" },
  warn: { level: "privileged", version: "latest" },
};

/** `restricted:latest`, `baseline:v1.23`. */
export function levelVersionString(lv: LevelVersion): string {
  return `${lv.level}:${lv.version === "latest" ? "latest" : `v1.${lv.version.minor}`}`;
}

function parseVersion(value: string): PodSecurityVersion | undefined {
  if (value === "latest") return "latest";
  const m = /^v1\.([0-9]|[1-9][0-9]*)$/.exec(value);
  if (!m) return undefined;
  const minor = Number(m[1]);
  return Number.isSafeInteger(minor) ? { minor } : undefined;
}

/**
 * The policy a namespace's labels select (api.PolicyToEvaluate): unset labels take the defaults, and
 * an unlabelled warn level follows a stricter labelled enforce level (with its version, unless
 * `warn-version` is labelled); an invalid level is `restricted` for enforce and `privileged` for audit
 * and warn (fail open), an invalid version `latest`; each invalid label is an error at
 * `metadata.labels[<label>]`.
 */
export function policyFromLabels(labels: Readonly<Record<string, string>> | undefined, defaults: PodSecurityPolicy = DEFAULT_POD_SECURITY_POLICY): { policy: PodSecurityPolicy; errors: FieldError[] } {
  const policy: PodSecurityPolicy = { enforce: { ...defaults.enforce }, audit: { ...defaults.audit }, warn: { ...defaults.warn } };
  const errors: FieldError[] = [];
  for (const mode of MODES) {
    const levelLabel = `${POD_SECURITY_LABEL_PREFIX}${mode}`;
    const level = labels?.[levelLabel];
    if (level !== undefined) {
      if ((LEVELS as readonly string[]).includes(level)) policy[mode].level = level as PodSecurityLevel;
      else {
        policy[mode].level = mode === "enforce" ? "restricted" : "privileged";
        errors.push(labelError(levelLabel, level, `must be one of ${LEVELS.join(", ")}`));
      }
    }
    const versionLabel = `${levelLabel}-version`;
    const version = labels?.[versionLabel];
    if (version !== undefined) {
      const parsed = parseVersion(version);
      policy[mode].version = parsed ?? "latest";
      if (!parsed) errors.push(labelError(versionLabel, version, `must be "latest" or "v1.x"`));
    }
  }
  // An enforce level stricter than the warn level warns at the enforce level when warn is not labelled.
  if (labels?.[`${POD_SECURITY_LABEL_PREFIX}enforce`] !== undefined && labels[`${POD_SECURITY_LABEL_PREFIX}warn`] === undefined && compareLevels(policy.enforce.level, policy.warn.level) > 0) {
    policy.warn.level = policy.enforce.level;
    if (labels[`${POD_SECURITY_LABEL_PREFIX}warn-version`] === undefined) policy.warn.version = policy.enforce.version;
  }
  return { policy, errors };
}

function labelError(label: string, value: string, detail: string): FieldError {
  return fieldError("FieldValueInvalid", FieldPath.of("metadata", "labels").key(label), detail, value);
}

/** Whether two levels-at-versions are the same. */
export function sameLevelVersion(a: LevelVersion, b: LevelVersion): boolean {
  return a.level === b.level && sameVersion(a.version, b.version);
}

/** Whether two policy versions are the same. */
export function sameVersion(a: PodSecurityVersion, b: PodSecurityVersion): boolean {
  return a === "latest" || b === "latest" ? a === b : a.minor === b.minor;
}

/** -1, 0 or 1 as level `a` is less strict than, as strict as, or stricter than `b`. */
export function compareLevels(a: PodSecurityLevel, b: PodSecurityLevel): number {
  return Math.sign(LEVELS.indexOf(a) - LEVELS.indexOf(b));
}

const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The aggregated result of a level's checks (policy.AggregateCheckResult). */
export interface PodSecurityResult {
  allowed: boolean;
  reasons: string[];
  details: string[];
}

/** Evaluates a pod (or pod template) against a level at a version. */
export type PodSecurityEvaluator = (lv: LevelVersion, meta: PodMetaLike, spec: PodSpecLike) => PodSecurityResult;

/**
 * An evaluator over a set of checks (policy.NewEvaluator): baseline checks first, then restricted
 * ones, each sorted by id; at the restricted level, the baseline checks a restricted check's version
 * overrides are left out; versions past the newest any check changed in evaluate as that one.
 */
export function podSecurityEvaluator(checks: readonly Check[]): PodSecurityEvaluator {
  const maxMinor = Math.max(0, ...checks.flatMap((c) => c.versions.map((v) => v.minor)));
  const ordered = [...checks.filter((c) => c.level === "baseline").sort((a, b) => byteOrder(a.id, b.id)), ...checks.filter((c) => c.level === "restricted").sort((a, b) => byteOrder(a.id, b.id))];
  const cache = new Map<string, CheckPod[]>();
  const checksFor = (level: "baseline" | "restricted", minor: number): CheckPod[] => {
    const key = `${level}:${minor}`;
    const cached = cache.get(key);
    if (cached) return cached;
    const active = ordered.flatMap((check) => {
      const version = [...check.versions].reverse().find((v) => v.minor <= minor);
      return version ? [{ check, version }] : [];
    });
    const overridden = new Set(level === "restricted" ? active.filter((x) => x.check.level === "restricted").flatMap((x) => x.version.overrides ?? []) : []);
    const fns = active.filter((x) => (level === "restricted" || x.check.level === "baseline") && !overridden.has(x.check.id)).map((x) => x.version.check);
    cache.set(key, fns);
    return fns;
  };
  return (lv, meta, spec) => {
    if (lv.level === "privileged") return { allowed: true, reasons: [], details: [] };
    const minor = lv.version === "latest" ? maxMinor : Math.min(lv.version.minor, maxMinor);
    const reasons: string[] = [];
    const details: string[] = [];
    for (const check of checksFor(lv.level, minor)) {
      const r = check(meta, spec);
      if (!r.allowed) {
        reasons.push(r.reason || "unknown forbidden reason");
        details.push(r.detail);
      }
    }
    return { allowed: reasons.length === 0, reasons, details };
  };
}

/** Evaluate a pod (or pod template) against a level at a version, with the checks kube-apiserver enables by default. */
export const evaluatePodSecurity: PodSecurityEvaluator = podSecurityEvaluator(CHECKS);

/** `host ports (8080), privileged`: each reason with its detail in parentheses (ForbiddenDetail). */
export function forbiddenDetail(r: PodSecurityResult): string {
  return r.reasons.map((reason, i) => (r.details[i] ? `${reason} (${r.details[i]})` : reason)).join(", ");
}

/** The reasons alone (ForbiddenReason), as the namespace-label check of existing pods prints them. */
export function forbiddenReason(r: PodSecurityResult): string {
  return r.reasons.join(", ");
}
