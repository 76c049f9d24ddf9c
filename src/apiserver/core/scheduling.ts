/**
 * Where a pod may run: node and pod affinity (`validateAffinity` and the node selector
 * functions), tolerations (`ValidateTolerations`), topology spread constraints
 * (`validateTopologySpreadConstraints`), readiness and scheduling gates.
 */
import type { ApiContext } from "../context.js";
import { isQualifiedName, isValidLabelValue, validateName } from "../../meta/names.js";
import { validateLabelName, validateLabelSelector } from "../validation/selectors.js";
import { duplicate, FieldPath, forbidden, invalid, notSupported, required, type FieldError } from "../field.js";
import { isSet, list, num, obj, objects, optNum, optStr, str, strings, type Obj } from "./json.js";
import type { ResolvedPodOptions } from "./pod-options.js";

/** `ValidateNodeSelectorRequirement`. */
function validateNodeSelectorRequirement(rq: Obj, checkValues: boolean, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const values = list(rq.values);
  const op = str(rq.operator);
  switch (op) {
    case "In":
    case "NotIn":
      if (values.length === 0) errs.push(required(path.child("values"), "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case "Exists":
    case "DoesNotExist":
      if (values.length > 0) errs.push(forbidden(path.child("values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    case "Gt":
    case "Lt":
      if (values.length !== 1) errs.push(required(path.child("values"), "must be specified single value when `operator` is 'Lt' or 'Gt'"));
      break;
    default:
      errs.push(invalid(path.child("operator"), op ?? "", "not a valid selector operator"));
  }
  const key = str(rq.key);
  if (key !== undefined) errs.push(...validateLabelName(key, path.child("key")));
  if (checkValues) {
    values.forEach((v, i) => {
      if (typeof v === "string") for (const m of isValidLabelValue(v)) errs.push(invalid(path.child("values").index(i), v, m));
    });
  }
  return errs;
}

/** `ValidateNodeFieldSelectorRequirement`: only `metadata.name`, with one value. */
function validateNodeFieldSelectorRequirement(rq: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const op = str(rq.operator);
  if (op === "In" || op === "NotIn") {
    if (list(rq.values).length !== 1) errs.push(required(path.child("values"), "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
  } else errs.push(invalid(path.child("operator"), op ?? "", "not a valid selector operator"));
  const key = str(rq.key) ?? "";
  if (key !== "metadata.name") errs.push(invalid(path.child("key"), key, "not a valid field selector key"));
  else strings(rq.values).forEach((v, i) => validateName(v, "dns-subdomain").forEach((m) => errs.push(invalid(path.child("values").index(i), v, m))));
  return errs;
}

/**
 * `ValidateNodeSelector`: at least one term, each term's expressions and fields (`checkValues`:
 * label values of the expressions are checked too, as required node affinity does from 1.30).
 *
 * @example
 * validateNodeSelector({ nodeSelectorTerms: [] }, FieldPath.of("spec", "nodeSelector"), false); // [… Required value …]
 */
export function validateNodeSelector(ns: Obj, path: FieldPath, checkValues: boolean): FieldError[] {
  const termPath = path.child("nodeSelectorTerms");
  const terms = objects(ns.nodeSelectorTerms);
  if (terms.length === 0) return [required(termPath, "must have at least one node selector term")];
  return terms.flatMap(([term, i]) => validateNodeSelectorTerm(term, checkValues, termPath.index(i)));
}

function validateNodeSelectorTerm(term: Obj, checkValues: boolean, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const [rq, j] of objects(term.matchExpressions)) errs.push(...validateNodeSelectorRequirement(rq, checkValues, path.child("matchExpressions").index(j)));
  for (const [rq, j] of objects(term.matchFields)) errs.push(...validateNodeFieldSelectorRequirement(rq, path.child("matchFields").index(j)));
  return errs;
}

function validateNodeAffinity(na: Obj, opts: ResolvedPodOptions, ctx: ApiContext, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  // Values of node selector requirements are checked as label values from 1.33.
  const checkValues = ctx.minor >= 33;
  const req = obj(na.requiredDuringSchedulingIgnoredDuringExecution);
  if (req) {
    const termsPath = path.child("requiredDuringSchedulingIgnoredDuringExecution").child("nodeSelectorTerms");
    if (list(req.nodeSelectorTerms).length === 0) errs.push(required(termsPath, "must have at least one node selector term"));
    else for (const [t, i] of objects(req.nodeSelectorTerms)) errs.push(...validateNodeSelectorTerm(t, checkValues && !opts.allowInvalidLabelValueInRequiredNodeAffinity, termsPath.index(i)));
  }
  for (const [t, i] of objects(na.preferredDuringSchedulingIgnoredDuringExecution)) {
    const p = path.child("preferredDuringSchedulingIgnoredDuringExecution").index(i);
    const weight = num(t.weight);
    if (weight !== undefined && (weight <= 0 || weight > 100)) errs.push(invalid(p.child("weight"), weight, "must be in the range 1-100"));
    const pref = obj(t.preference);
    if (pref) errs.push(...validateNodeSelectorTerm(pref, false, p.child("preference")));
  }
  return errs;
}

/** `validateMatchLabelKeysAndMismatchLabelKeys`. */
function validateMatchLabelKeys(path: FieldPath, match: string[], mismatch: string[], selector: Obj | undefined): FieldError[] {
  // Every problem names a key of one of the lists.
  if (match.length === 0 && mismatch.length === 0) return [];
  const errs: FieldError[] = [];
  for (const [field, keys] of [["matchLabelKeys", match], ["mismatchLabelKeys", mismatch]] as const) {
    if (keys.length === 0) continue;
    if (!selector) {
      errs.push(forbidden(path.child(field), "must not be specified when labelSelector is not set"));
      continue;
    }
    keys.forEach((k, i) => errs.push(...validateLabelName(k, path.child(field).index(i))));
  }
  if (selector) {
    const index = new Map(match.map((k, i) => [k, i]));
    const keys = new Set(Object.keys(obj(selector.matchLabels) ?? {}));
    for (const [e] of objects(selector.matchExpressions)) {
      const key = str(e.key) ?? "";
      const i = index.get(key);
      if (i !== undefined && keys.has(key)) errs.push(invalid(path.index(i), key, "exists in both matchLabelKeys and labelSelector"));
      keys.add(key);
    }
  }
  const mismatchSet = new Set(mismatch);
  match.forEach((k, i) => mismatchSet.has(k) && errs.push(invalid(path.child("matchLabelKeys").index(i), k, "exists in both matchLabelKeys and mismatchLabelKeys")));
  return errs;
}

function validatePodAffinityTerm(t: Obj, opts: ResolvedPodOptions, path: FieldPath): FieldError[] {
  const selOpts = { allowInvalidLabelValueInSelector: opts.allowInvalidLabelValueInSelector };
  const errs = [...validateLabelSelector(t.labelSelector, selOpts, path.child("labelSelector")), ...validateLabelSelector(t.namespaceSelector, selOpts, path.child("namespaceSelector"))];
  for (const ns of strings(t.namespaces)) for (const m of validateName(ns, "dns-label")) errs.push(invalid(path.child("namespace"), ns, m));
  errs.push(...validateMatchLabelKeys(path, strings(t.matchLabelKeys), strings(t.mismatchLabelKeys), obj(t.labelSelector)));
  const key = str(t.topologyKey);
  if (key === undefined) return errs;
  if (key === "") errs.push(required(path.child("topologyKey"), "can not be empty"));
  errs.push(...validateLabelName(key, path.child("topologyKey")));
  return errs;
}

function validatePodAffinityKind(a: Obj, opts: ResolvedPodOptions, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const [t, i] of objects(a.requiredDuringSchedulingIgnoredDuringExecution)) errs.push(...validatePodAffinityTerm(t, opts, path.child("requiredDuringSchedulingIgnoredDuringExecution").index(i)));
  for (const [w, j] of objects(a.preferredDuringSchedulingIgnoredDuringExecution)) {
    const p = path.child("preferredDuringSchedulingIgnoredDuringExecution").index(j);
    const weight = num(w.weight);
    if (weight !== undefined && (weight <= 0 || weight > 100)) errs.push(invalid(p.child("weight"), weight, "must be in the range 1-100"));
    errs.push(...validatePodAffinityTerm(obj(w.podAffinityTerm) ?? {}, opts, p.child("podAffinityTerm")));
  }
  return errs;
}

/**
 * `validateAffinity`: node affinity, pod affinity and anti-affinity.
 *
 * @example
 * validateAffinity(spec.affinity, opts, ctx, FieldPath.of("spec", "affinity"));
 */
export function validateAffinity(v: unknown, opts: ResolvedPodOptions, ctx: ApiContext, path: FieldPath): FieldError[] {
  const a = obj(v);
  if (!a) return [];
  const errs: FieldError[] = [];
  const na = obj(a.nodeAffinity);
  if (na) errs.push(...validateNodeAffinity(na, opts, ctx, path.child("nodeAffinity")));
  const pa = obj(a.podAffinity);
  if (pa) errs.push(...validatePodAffinityKind(pa, opts, path.child("podAffinity")));
  const paa = obj(a.podAntiAffinity);
  if (paa) errs.push(...validatePodAffinityKind(paa, opts, path.child("podAntiAffinity")));
  return errs;
}

const TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

/**
 * `ValidateTolerations`.
 *
 * @example
 * validateTolerations([{ key: "k", operator: "Exists", value: "v" }], FieldPath.of("spec", "tolerations"));
 */
export function validateTolerations(tolerations: unknown, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const [t, i] of objects(tolerations)) {
    const p = path.index(i);
    const key = str(t.key) ?? "";
    const op = str(t.operator) ?? "";
    const value = str(t.value) ?? "";
    const effect = str(t.effect) ?? "";
    if (key) errs.push(...validateLabelName(key, p.child("key")));
    if (key === "" && op !== "Exists") errs.push(invalid(p.child("operator"), op, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    if (isSet(t.tolerationSeconds) && effect !== "NoExecute") errs.push(invalid(p.child("effect"), effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    if (op === "Equal" || op === "") {
      const msgs = isValidLabelValue(value);
      if (msgs.length) errs.push(invalid(p.child("operator"), value, msgs.join(";")));
    } else if (op === "Exists") {
      if (value) errs.push(invalid(p.child("operator"), value, "value must be empty when `operator` is 'Exists'"));
    } else errs.push(notSupported(p.child("operator"), op, ["Equal", "Exists"]));
    if (effect && !TAINT_EFFECTS.includes(effect)) errs.push(notSupported(p.child("effect"), effect, TAINT_EFFECTS));
  }
  return errs;
}

const NODE_INCLUSION_POLICIES = ["nodeAffinityPolicy", "nodeTaintsPolicy"];
const NO_KEYS: readonly string[] = [];
const NO_OPTIONS = {};

/** Whether a constraint after the n-th has its topology key and whenUnsatisfiable. */
function laterHasSameKey(all: [Obj, number][], n: number, key: string, when: string): boolean {
  for (let j = n + 1; j < all.length; j++) {
    const o = all[j]![0];
    if ((str(o.topologyKey) ?? "") === key && (str(o.whenUnsatisfiable) ?? "") === when) return true;
  }
  return false;
}

/**
 * `validateTopologySpreadConstraints`.
 *
 * @example
 * validateTopologySpreadConstraints([{ maxSkew: 0, topologyKey: "zone", whenUnsatisfiable: "DoNotSchedule" }], FieldPath.of("spec", "topologySpreadConstraints"), opts, ctx);
 */
export function validateTopologySpreadConstraints(v: unknown, path: FieldPath, opts: ResolvedPodOptions, ctx: ApiContext): FieldError[] {
  const errs: FieldError[] = [];
  const all = objects(v);
  for (let n = 0; n < all.length; n++) {
    const [c, i] = all[n]!;
    const p = path.index(i);
    const maxSkew = num(c.maxSkew);
    if (maxSkew !== undefined && maxSkew <= 0) errs.push(invalid(p.child("maxSkew"), maxSkew, "must be greater than zero"));
    const key = str(c.topologyKey);
    if (key === "") errs.push(required(p.child("topologyKey"), "can not be empty"));
    const when = str(c.whenUnsatisfiable);
    if (when !== undefined && when !== "DoNotSchedule" && when !== "ScheduleAnyway") errs.push(notSupported(p.child("whenUnsatisfiable"), when, ["DoNotSchedule", "ScheduleAnyway"]));
    if (laterHasSameKey(all, n, key ?? "", when ?? "")) {
      errs.push(duplicate(p.child("{topologyKey, whenUnsatisfiable}"), `{${key ?? ""}, ${when ?? ""}}`));
    }
    const minDomains = optNum(c.minDomains);
    if (minDomains !== undefined) {
      if (minDomains <= 0) errs.push(invalid(p.child("minDomains"), minDomains, "must be greater than zero"));
      if (when !== "DoNotSchedule") errs.push(invalid(p.child("minDomains"), minDomains, `can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ${when ?? ""}`));
    }
    for (const f of NODE_INCLUSION_POLICIES) {
      const policy = optStr(c[f]);
      if (policy !== undefined && policy !== "Honor" && policy !== "Ignore") errs.push(notSupported(p.child(f), policy, ["Honor", "Ignore"]));
    }
    const keys = c.matchLabelKeys !== undefined ? strings(c.matchLabelKeys) : NO_KEYS;
    if (keys.length) {
      const selector = obj(c.labelSelector);
      const mlk = p.child("matchLabelKeys");
      const selectorKeys = new Set([...Object.keys(obj(selector?.matchLabels) ?? {}), ...objects(selector?.matchExpressions).map(([e]) => str(e.key) ?? "")]);
      if (!selector) errs.push(forbidden(mlk, "must not be specified when labelSelector is not set"));
      keys.forEach((k, j) => {
        errs.push(...validateLabelName(k, mlk.index(j)));
        // From 1.34 the keys are merged into the selector before validation; the overlap check is not made here.
        if (ctx.minor < 34 && selectorKeys.has(k)) errs.push(invalid(mlk.index(j), k, "exists in both matchLabelKeys and labelSelector"));
      });
    }
    if (!opts.allowInvalidTopologySpreadConstraintLabelSelector && c.labelSelector !== undefined) errs.push(...validateLabelSelector(c.labelSelector, NO_OPTIONS, p.child("labelSelector")));
  }
  return errs;
}

/**
 * `validateReadinessGates`: condition types are qualified names.
 *
 * @example
 * validateReadinessGates([{ conditionType: "example.com/ready" }], FieldPath.of("spec", "readinessGates")); // []
 */
export function validateReadinessGates(v: unknown, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const [g, i] of objects(v)) {
    const t = str(g.conditionType);
    if (t !== undefined) for (const m of isQualifiedName(t)) errs.push(invalid(path.index(i).child("conditionType"), t, m));
  }
  return errs;
}

/**
 * `validateSchedulingGates`: qualified names, no duplicates.
 *
 * @example
 * validateSchedulingGates([{ name: "example.com/wait" }], FieldPath.of("spec", "schedulingGates")); // []
 */
export function validateSchedulingGates(v: unknown, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  for (const [g, i] of objects(v)) {
    const name = str(g.name);
    if (name === undefined) continue;
    for (const m of isQualifiedName(name)) errs.push(invalid(path.index(i), name, m));
    if (seen.has(name)) errs.push(duplicate(path.index(i), name));
    seen.add(name);
  }
  return errs;
}
