/**
 * DeviceTaintRule (pkg/apis/resource/validation `ValidateDeviceTaintRule`, its update and status
 * update): which devices (driver, pool, device; in 1.33 also a class and CEL selectors) and the
 * taint (key, value, effect; an unchanged effect is not checked again).
 */
import type { ApiContext } from "../context.js";
import { FieldPath, tooMany, type FieldError } from "../field.js";
import { listAt, objectAt, optionalObject, semanticEqual } from "../validation/index.js";
import { validateConditions, validateDNS1123Subdomain, validateDeviceName, validateDeviceTaint, validateDriverName, validatePoolName, validateSelectors } from "./device.js";

type Obj = Record<string, unknown>;

const STATUS_MAX_CONDITIONS = 8;

function validateSpec(spec: Obj, old: Obj | undefined, ctx: ApiContext): FieldError[] {
  const path = FieldPath.of("spec");
  const errs: FieldError[] = [];
  const selector = optionalObject(spec.deviceSelector);
  if (selector) {
    const p = path.child("deviceSelector");
    if (typeof selector.deviceClassName === "string" && ctx.minor <= 33) errs.push(...validateDNS1123Subdomain(selector.deviceClassName, p.child("deviceClassName")));
    if (typeof selector.driver === "string") errs.push(...validateDriverName(selector.driver, p.child("driver"), ctx));
    if (typeof selector.pool === "string") errs.push(...validatePoolName(selector.pool, p.child("pool"), ctx));
    if (typeof selector.device === "string") errs.push(...validateDeviceName(selector.device, p.child("device")));
    if (ctx.minor <= 33) {
      const oldSelector = optionalObject(old?.deviceSelector);
      const stored = oldSelector !== undefined && semanticEqual(selector.selectors, oldSelector.selectors);
      errs.push(...validateSelectors(selector.selectors, p.child("selectors"), stored, ctx));
    }
  }
  errs.push(...validateDeviceTaint(objectAt(spec.taint), old ? objectAt(old.taint) : undefined, path.child("taint"), ctx));
  return errs;
}

/**
 * `ValidateDeviceTaintRule` without the object metadata.
 *
 * @example
 * validateDeviceTaintRule({ spec: { taint: { key: "example.com/t", effect: "Sometimes" } } }, apiContext({ minor: 36 }));
 * // [spec.taint.effect: Unsupported value: "Sometimes": supported values: "NoExecute", "NoSchedule", "None"]
 */
export function validateDeviceTaintRule(obj: Obj, ctx: ApiContext): FieldError[] {
  return validateSpec(objectAt(obj.spec), undefined, ctx);
}

/**
 * `ValidateDeviceTaintRuleUpdate`.
 *
 * @example
 * validateDeviceTaintRuleUpdate(next, stored, apiContext({ minor: 36, operation: "UPDATE" }));
 */
export function validateDeviceTaintRuleUpdate(obj: Obj, old: Obj, ctx: ApiContext): FieldError[] {
  return validateSpec(objectAt(obj.spec), objectAt(old.spec), ctx);
}

/**
 * `ValidateDeviceTaintRuleStatusUpdate`: conditions as metav1 checks them, at most 8.
 *
 * @example
 * validateDeviceTaintRuleStatusUpdate({ status: { conditions: [] } }, apiContext({ minor: 36 })); // []
 */
export function validateDeviceTaintRuleStatusUpdate(obj: Obj, ctx: ApiContext): FieldError[] {
  const conditions = listAt(objectAt(obj.status).conditions);
  const path = FieldPath.of("status", "conditions");
  const errs = validateConditions(conditions, path, ctx);
  if (conditions.length > STATUS_MAX_CONDITIONS) errs.push(tooMany(path, conditions.length, STATUS_MAX_CONDITIONS));
  return errs;
}

