/**
 * Where metav1's `LabelSelectorAsSelector` fails (the conversion many validators try after
 * `ValidateLabelSelector`), and whether a selector holds label values that are not valid (the
 * condition strategies test to keep accepting objects stored before values were checked).
 */
import { isQualifiedName, isValidLabelValue } from "../../meta/names.js";
import { isRecord } from "../../meta/values.js";
import { FieldPath, invalid, type FieldError } from "../field.js";

const OPERATORS = new Set(["In", "NotIn", "Exists", "DoesNotExist"]);

/** Whether `LabelSelectorAsSelector` (labels.NewRequirement for each term) returns an error. @example selectorConversionFails({ matchExpressions: [{ key: "a", operator: "In" }] }) // true */
export function selectorConversionFails(selector: unknown): boolean {
  if (!isRecord(selector)) return false;
  if (isRecord(selector.matchLabels)) {
    for (const [k, v] of Object.entries(selector.matchLabels)) {
      if (isQualifiedName(k).length || (typeof v === "string" && isValidLabelValue(v).length)) return true;
    }
  }
  for (const e of Array.isArray(selector.matchExpressions) ? selector.matchExpressions : []) {
    if (!isRecord(e)) continue;
    const op = e.operator;
    if (typeof op !== "string" || !OPERATORS.has(op)) return true;
    const key = typeof e.key === "string" ? e.key : "";
    if (isQualifiedName(key).length) return true;
    const values = Array.isArray(e.values) ? e.values : [];
    if ((op === "In" || op === "NotIn") && values.length === 0) return true;
    if ((op === "Exists" || op === "DoesNotExist") && values.length !== 0) return true;
    if (values.some((v) => typeof v === "string" && isValidLabelValue(v).length)) return true;
  }
  return false;
}

/**
 * The error validators add when the conversion fails: the converted selector is nil, which
 * apimachinery prints as `"null"`.
 *
 * @example
 * validateSelectorConvertible({ matchExpressions: [{ key: "a", operator: "In" }] }, FieldPath.of("selector"), "invalid label selector.");
 */
export function validateSelectorConvertible(selector: unknown, path: FieldPath, detail: string): FieldError[] {
  return selectorConversionFails(selector) ? [invalid(path, null, detail, '"null"')] : [];
}

/** Whether a selector's matchLabels or matchExpressions hold an invalid label value. @example hasInvalidSelectorValues({ matchLabels: { a: "-" } }) // true */
export function hasInvalidSelectorValues(selector: unknown): boolean {
  if (!isRecord(selector)) return false;
  if (isRecord(selector.matchLabels) && Object.values(selector.matchLabels).some((v) => typeof v === "string" && isValidLabelValue(v).length > 0)) return true;
  for (const e of Array.isArray(selector.matchExpressions) ? selector.matchExpressions : []) {
    if (isRecord(e) && Array.isArray(e.values) && e.values.some((v) => typeof v === "string" && isValidLabelValue(v).length > 0)) return true;
  }
  return false;
}
