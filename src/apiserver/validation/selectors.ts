/**
 * Label selectors as k8s.io/apimachinery's metav1 validation checks them (`ValidateLabelSelector`,
 * `ValidateLabelSelectorRequirement`, `ValidateLabelName`; `ValidateLabels` is `validateLabels` in
 * `src/meta/object-meta.ts`).
 */
import { isQualifiedName, isValidLabelValue } from "../../meta/names.js";
import { validateLabels } from "../../meta/object-meta.js";
import { FieldPath, forbidden, invalid, required, type FieldError } from "../field.js";

/** `LabelSelectorValidationOptions`. */
export interface LabelSelectorOptions {
  /** Accept values that are not valid label values (kept for objects stored before the check). */
  allowInvalidLabelValueInSelector?: boolean;
}

/** `ValidateLabelName`. @example validateLabelName("app", FieldPath.of("key")) // [] */
export function validateLabelName(name: string, path: FieldPath): FieldError[] {
  return isQualifiedName(name).map((m) => invalid(path, name, m));
}

/** `ValidateLabelSelectorRequirement`. @example validateLabelSelectorRequirement({ key: "a", operator: "In", values: [] }, {}, FieldPath.of("r")) */
export function validateLabelSelectorRequirement(req: Record<string, unknown>, options: LabelSelectorOptions, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const values = Array.isArray(req.values) ? (req.values as unknown[]) : [];
  switch (req.operator) {
    case "In":
    case "NotIn":
      if (values.length === 0) errs.push(required(path.child("values"), "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case "Exists":
    case "DoesNotExist":
      if (values.length > 0) errs.push(forbidden(path.child("values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    default:
      errs.push(invalid(path.child("operator"), req.operator ?? "", "not a valid selector operator"));
  }
  errs.push(...validateLabelName(typeof req.key === "string" ? req.key : "", path.child("key")));
  if (!options.allowInvalidLabelValueInSelector) {
    values.forEach((v, i) => {
      if (typeof v === "string") for (const m of isValidLabelValue(v)) errs.push(invalid(path.child("values").index(i), v, m));
    });
  }
  return errs;
}

/**
 * `ValidateLabelSelector`: matchLabels and each matchExpressions requirement.
 *
 * @example
 * validateLabelSelector({ matchLabels: { app: "web" } }, {}, FieldPath.of("spec", "selector")); // []
 */
export function validateLabelSelector(selector: unknown, options: LabelSelectorOptions, path: FieldPath): FieldError[] {
  if (!selector || typeof selector !== "object" || Array.isArray(selector)) return [];
  const s = selector as Record<string, unknown>;
  const errs = validateLabels(s.matchLabels, path.child("matchLabels"));
  if (Array.isArray(s.matchExpressions)) {
    s.matchExpressions.forEach((r, i) => {
      if (r && typeof r === "object") errs.push(...validateLabelSelectorRequirement(r as Record<string, unknown>, options, path.child("matchExpressions").index(i)));
    });
  }
  return errs;
}
