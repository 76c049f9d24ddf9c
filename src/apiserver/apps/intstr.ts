/**
 * The int-or-percent checks of apps validation (`ValidatePositiveIntOrPercent`,
 * `IsNotMoreThan100Percent`, `getIntOrPercentValue`), also used by PodDisruptionBudgets.
 */
import type { ApiContext } from "../context.js";
import { FieldPath, invalid, type FieldError } from "../field.js";
import { intOrStringValue, isValidPercent, validateNonnegativeField } from "../validation/index.js";

/** `intstr.IntValue()`: the integer, or a string's leading `strconv.Atoi` value (0 when it is not a number). */
function intValue(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "string" && /^[+-]?\d+$/.test(v)) return Number(v);
  return 0;
}

/** `getPercentValue`: the number before `%` of a valid percent string. */
function percentValue(v: unknown): number | undefined {
  if (typeof v !== "string" || isValidPercent(v).length > 0) return undefined;
  return Number(v.slice(0, -1));
}

/**
 * `getIntOrPercentValue`: a percent's number, else the integer value.
 *
 * @example
 * getIntOrPercentValue("25%"); // 25
 */
export function getIntOrPercentValue(v: unknown): number {
  return percentValue(v) ?? intValue(v);
}

/**
 * `ValidatePositiveIntOrPercent`: a non-negative integer or a valid percent string.
 *
 * @example
 * validatePositiveIntOrPercent("5", FieldPath.of("maxSurge"), ctx); // a percent string needs its '%'
 */
export function validatePositiveIntOrPercent(v: unknown, path: FieldPath, ctx: ApiContext): FieldError[] {
  if (typeof v === "string") return isValidPercent(v).map((msg) => invalid(path, v, msg, intOrStringValue(ctx.minor, v)));
  if (typeof v === "number") return validateNonnegativeField(intValue(v), path);
  return [];
}

/**
 * `IsNotMoreThan100Percent`: a percent above 100% is refused.
 *
 * @example
 * isNotMoreThan100Percent("120%", FieldPath.of("maxUnavailable"), ctx); // must not be greater than 100%
 */
export function isNotMoreThan100Percent(v: unknown, path: FieldPath, ctx: ApiContext): FieldError[] {
  const p = percentValue(v);
  return p === undefined || p <= 100 ? [] : [invalid(path, v, "must not be greater than 100%", intOrStringValue(ctx.minor, v))];
}
