/**
 * LimitRange and ResourceQuota (`ValidateLimitRange`, `ValidateResourceQuota`,
 * `ValidateResourceQuotaUpdate` in pkg/apis/core/validation): resource names, quantities, the
 * order of min ≤ default request ≤ default ≤ max, quota scopes and scope selectors.
 */
import { isRecord } from "../../meta/values.js";
import type { ApiContext } from "../context.js";
import { duplicate, FieldPath, forbidden, invalid, required, type FieldError } from "../field.js";
import { isQualifiedName, Quantity } from "../validation/index.js";
import { list, rec, str, strings } from "./object-values.js";
import {
  isOvercommitAllowed,
  isStandardQuotaResourceName,
  quantities,
  validateContainerResourceName,
  validateResourceName,
  validateResourceQuantityValue,
  validateResourceQuotaResourceName,
} from "./resource-names.js";

type Obj = Record<string, unknown>;

const LIMIT_TYPES = new Set(["Pod", "Container", "PersistentVolumeClaim"]);

function validateLimitRangeTypeName(value: string, path: FieldPath): FieldError[] {
  const errs = isQualifiedName(value).map((m) => invalid(path, value, m));
  if (errs.length) return errs;
  if (!value.includes("/") && !LIMIT_TYPES.has(value)) return [invalid(path, value, "must be a standard limit type or fully qualified")];
  return [];
}

function validateLimitRangeResourceName(limitType: string, name: string, path: FieldPath): FieldError[] {
  return limitType === "Pod" || limitType === "Container" ? validateContainerResourceName(name, path) : validateResourceName(name, path);
}

/** `ValidateLimitRange` without the object metadata. */
export function validateLimitRange(lr: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const seenTypes = new Set<string>();
  const limitsPath = FieldPath.of("spec", "limits");
  list(rec(lr, "spec"), "limits").forEach((limit, i) => {
    if (!isRecord(limit)) return;
    const path = limitsPath.index(i);
    const limitType = str(limit, "type");
    errs.push(...validateLimitRangeTypeName(limitType, path.child("type")));
    if (seenTypes.has(limitType)) errs.push(duplicate(path.child("type"), limitType));
    seenTypes.add(limitType);
    const keys = new Set<string>();
    const read = (field: string) => {
      const m = quantities(limit[field]);
      for (const k of m.keys()) {
        errs.push(...validateLimitRangeResourceName(limitType, k, path.child(field).key(k)));
        keys.add(k);
      }
      return m;
    };
    const max = read("max");
    const min = read("min");
    let defaults = new Map<string, Quantity>();
    let defaultRequests = new Map<string, Quantity>();
    if (limitType === "Pod") {
      if (quantities(limit.default).size > 0) errs.push(forbidden(path.child("default"), "may not be specified when `type` is 'Pod'"));
      if (quantities(limit.defaultRequest).size > 0) errs.push(forbidden(path.child("defaultRequest"), "may not be specified when `type` is 'Pod'"));
    } else {
      defaults = read("default");
      defaultRequests = read("defaultRequest");
    }
    if (limitType === "PersistentVolumeClaim" && !min.has("storage") && !max.has("storage")) {
      errs.push(required(path.child("limits"), "either minimum or maximum storage value is required, but neither was provided"));
    }
    const ratios = read("maxLimitRequestRatio");
    for (const k of keys) {
      const mn = min.get(k);
      const mx = max.get(k);
      const def = defaults.get(k);
      const defReq = defaultRequests.get(k);
      const ratio = ratios.get(k);
      if (mn && mx && mn.cmp(mx) > 0) errs.push(invalid(path.child("min").key(k), mn.toString(), `min value ${mn} is greater than max value ${mx}`));
      if (defReq && mn && mn.cmp(defReq) > 0) errs.push(invalid(path.child("defaultRequest").key(k), defReq.toString(), `min value ${mn} is greater than default request value ${defReq}`));
      if (defReq && mx && defReq.cmp(mx) > 0) errs.push(invalid(path.child("defaultRequest").key(k), defReq.toString(), `default request value ${defReq} is greater than max value ${mx}`));
      if (defReq && def && defReq.cmp(def) > 0) errs.push(invalid(path.child("defaultRequest").key(k), defReq.toString(), `default request value ${defReq} is greater than default limit value ${def}`));
      if (def && mn && mn.cmp(def) > 0) errs.push(invalid(path.child("default").key(k), mn.toString(), `min value ${mn} is greater than default value ${def}`));
      if (def && mx && def.cmp(mx) > 0) errs.push(invalid(path.child("default").key(k), mx.toString(), `default value ${def} is greater than max value ${mx}`));
      if (ratio && ratio.cmp(Quantity.ofInt(1)) < 0) errs.push(invalid(path.child("maxLimitRequestRatio").key(k), ratio.toString(), `ratio ${ratio} is less than 1`));
      if (!isOvercommitAllowed(k) && def && defReq && def.cmp(defReq) !== 0) {
        errs.push(invalid(path.child("defaultRequest").key(k), defReq.toString(), `default value ${def} must equal to defaultRequest value ${defReq} in ${k}`));
      }
    }
  });
  return errs;
}

const SCOPES = new Set(["Terminating", "NotTerminating", "BestEffort", "NotBestEffort", "PriorityClass", "CrossNamespacePodAffinity"]);
const POD_COUNT = new Set(["pods"]);
// Compute resources a pod-scoped quota may limit; kept generous so that no accepted quota is refused.
const POD_COMPUTE = new Set(["cpu", "memory", "limits.cpu", "limits.memory", "requests.cpu", "requests.memory", "ephemeral-storage", "limits.ephemeral-storage", "requests.ephemeral-storage"]);

function isStandardScope(scope: string, ctx: ApiContext): boolean {
  if (scope === "VolumeAttributesClass") return ctx.gate("VolumeAttributesClass");
  return SCOPES.has(scope);
}

function scopeValidForResource(scope: string, resource: string): boolean {
  switch (scope) {
    case "Terminating":
    case "NotTerminating":
    case "NotBestEffort":
    case "PriorityClass":
    case "CrossNamespacePodAffinity":
      return POD_COUNT.has(resource) || POD_COMPUTE.has(resource) || resource.includes("hugepages-");
    case "BestEffort":
      return POD_COUNT.has(resource);
    default:
      return true;
  }
}

const CONFLICTING: [string, string][] = [
  ["BestEffort", "NotBestEffort"],
  ["Terminating", "NotTerminating"],
];

function goScopes(scopes: string[]): string {
  return `[]core.ResourceQuotaScope{${scopes.map((s) => JSON.stringify(s)).join(", ")}}`;
}

/** `ValidateResourceQuotaSpec`. */
function validateResourceQuotaSpec(spec: Obj, ctx: ApiContext): FieldError[] {
  const errs: FieldError[] = [];
  const path = FieldPath.of("spec");
  const hard = quantities(spec.hard);
  for (const [k, v] of hard) {
    errs.push(...validateResourceQuotaResourceName(k, path.child("hard").key(k)));
    errs.push(...validateResourceQuantityValue(k, v, path.child("hard").key(k)));
  }
  const hardNames = [...hard.keys()].sort();
  const scopes = strings(spec, "scopes");
  if (scopes.length > 0) {
    const scopesPath = path.child("scopes");
    for (const scope of scopes) {
      if (!isStandardScope(scope, ctx)) errs.push(invalid(scopesPath, scopes, "unsupported scope", goScopes(scopes)));
      for (const k of hardNames) {
        if (isStandardQuotaResourceName(k) && !scopeValidForResource(scope, k)) errs.push(invalid(scopesPath, scopes, "unsupported scope applied to resource", goScopes(scopes)));
      }
    }
    for (const [a, b] of CONFLICTING) if (scopes.includes(a) && scopes.includes(b)) errs.push(invalid(scopesPath, scopes, "conflicting scopes", goScopes(scopes)));
  }
  const selector = rec(spec, "scopeSelector");
  if (selector) {
    const exprPath = path.child("scopeSelector").child("matchExpressions");
    const seen = new Set<string>();
    for (const req of list(selector, "matchExpressions")) {
      if (!isRecord(req)) continue;
      const scope = str(req, "scopeName");
      const operator = str(req, "operator");
      const values = list(req, "values");
      if (!isStandardScope(scope, ctx)) errs.push(invalid(exprPath.child("scopeName"), scope, "unsupported scope"));
      for (const k of hardNames) {
        if (isStandardQuotaResourceName(k) && !scopeValidForResource(scope, k)) errs.push(invalid(exprPath, selector, "unsupported scope applied to resource", "&core.ScopeSelector{…}"));
      }
      if (["BestEffort", "NotBestEffort", "Terminating", "NotTerminating", "CrossNamespacePodAffinity"].includes(scope) && operator !== "Exists") {
        errs.push(
          invalid(
            exprPath.child("operator"),
            operator,
            "must be 'Exists' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity",
          ),
        );
      }
      if (operator === "In" || operator === "NotIn") {
        if (values.length === 0) errs.push(required(exprPath.child("values"), "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector"));
      } else if (operator === "Exists" || operator === "DoesNotExist") {
        if (values.length !== 0) errs.push(invalid(exprPath.child("values"), values, "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector"));
      } else {
        errs.push(invalid(exprPath.child("operator"), operator, "not a valid selector operator"));
      }
      seen.add(scope);
    }
    for (const [a, b] of CONFLICTING) if (seen.has(a) && seen.has(b)) errs.push(invalid(exprPath, scopes, "conflicting scopes", scopes.length ? goScopes(scopes) : "[]core.ResourceQuotaScope(nil)"));
  }
  return errs;
}

/** `ValidateResourceQuota` without the object metadata (spec and status quantities). */
export function validateResourceQuota(rq: Obj, ctx: ApiContext): FieldError[] {
  const errs = validateResourceQuotaSpec(rec(rq, "spec") ?? {}, ctx);
  const status = rec(rq, "status");
  for (const field of ["hard", "used"]) {
    for (const [k, v] of quantities(status?.[field])) {
      const path = FieldPath.of("status", field).key(k);
      errs.push(...validateResourceQuotaResourceName(k, path), ...validateResourceQuantityValue(k, v, path));
    }
  }
  return errs;
}

/** `ValidateResourceQuotaUpdate` beyond the spec: scopes may not change. */
export function validateResourceQuotaUpdate(rq: Obj, old: Obj): FieldError[] {
  const scopes = strings(rec(rq, "spec"), "scopes");
  const a = new Set(scopes);
  const b = new Set(strings(rec(old, "spec"), "scopes"));
  if (a.size === b.size && [...a].every((s) => b.has(s))) return [];
  return [invalid(FieldPath.of("spec", "scopes"), scopes, "field is immutable", scopes.length ? goScopes(scopes) : "[]core.ResourceQuotaScope(nil)")];
}

/**
 * `SetDefaults_LimitRangeItem`: a Container item's default limit falls back to its max, its default
 * request to the default limit, then to its min.
 *
 * @example
 * const lr = { spec: { limits: [{ type: "Container", max: { cpu: "1" } }] } };
 * defaultLimitRange(lr); // limits[0].default = { cpu: "1" }, limits[0].defaultRequest = { cpu: "1" }
 */
export function defaultLimitRange(lr: Obj): void {
  for (const item of list(rec(lr, "spec"), "limits")) {
    if (!isRecord(item) || item.type !== "Container") continue;
    const def: Obj = isRecord(item.default) ? item.default : {};
    const defReq: Obj = isRecord(item.defaultRequest) ? item.defaultRequest : {};
    for (const [k, v] of Object.entries(isRecord(item.max) ? item.max : {})) if (!Object.hasOwn(def, k)) def[k] = v;
    for (const [k, v] of Object.entries(def)) if (!Object.hasOwn(defReq, k)) defReq[k] = v;
    for (const [k, v] of Object.entries(isRecord(item.min) ? item.min : {})) if (!Object.hasOwn(defReq, k)) defReq[k] = v;
    if (Object.keys(def).length) item.default = def;
    if (Object.keys(defReq).length) item.defaultRequest = defReq;
  }
}
