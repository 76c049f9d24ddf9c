/**
 * Label and field selectors: objects (`matchLabels`, `matchExpressions`) or strings, rendered the
 * way apimachinery's `labels.Selector.String()` and `fields.Selector.String()` render them.
 */
import { UsageError } from "../errors.js";
import { isQualifiedName, isValidLabelValue } from "../meta/names.js";

/** One set-based requirement of a label selector. */
export interface LabelSelectorRequirement {
  key: string;
  operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
  values?: readonly string[] | null;
}

/** A label selector as the API writes it. */
export interface LabelSelector {
  matchLabels?: Readonly<Record<string, string>> | null;
  matchExpressions?: readonly LabelSelectorRequirement[] | null;
}

/** A label selector: the API object, a plain `{ key: value }` map, or the string syntax. */
export type LabelSelectorInput = string | LabelSelector | Readonly<Record<string, string>>;

/** A field selector: the string syntax or `{ "metadata.name": "web" }` (equality). */
export type FieldSelectorInput = string | Readonly<Record<string, string>>;

function isLabelSelectorObject(s: object): s is LabelSelector {
  return "matchLabels" in s || "matchExpressions" in s;
}

function checkKey(key: string): void {
  const errs = isQualifiedName(key);
  if (errs.length) throw new UsageError(`invalid label selector key ${JSON.stringify(key)}: ${errs.join("; ")}`);
}

function checkValue(key: string, value: string): void {
  const errs = isValidLabelValue(value);
  if (errs.length) throw new UsageError(`invalid label selector value ${JSON.stringify(value)} for ${key}: ${errs.join("; ")}`);
}

/**
 * Render a label selector in the apiserver's syntax (requirements sorted by key, set values
 * sorted), checking keys and values.
 *
 * @example
 * labelSelectorString({ matchLabels: { app: "web" }, matchExpressions: [{ key: "tier", operator: "In", values: ["b", "a"] }] });
 * // "app=web,tier in (a,b)"
 */
export function labelSelectorString(selector: LabelSelectorInput): string {
  if (typeof selector === "string") return selector;
  const parts: Array<[string, string]> = [];
  const labels = isLabelSelectorObject(selector) ? (selector.matchLabels ?? {}) : (selector as Record<string, string>);
  for (const [k, v] of Object.entries(labels)) {
    checkKey(k);
    checkValue(k, v);
    parts.push([k, `${k}=${v}`]);
  }
  if (isLabelSelectorObject(selector)) {
    for (const req of selector.matchExpressions ?? []) {
      checkKey(req.key);
      const values = [...(req.values ?? [])].sort();
      for (const v of values) checkValue(req.key, v);
      switch (req.operator) {
        case "In":
        case "NotIn":
          if (!values.length) throw new UsageError(`label selector ${req.key} ${req.operator} needs at least one value`);
          parts.push([req.key, `${req.key} ${req.operator === "In" ? "in" : "notin"} (${values.join(",")})`]);
          break;
        case "Exists":
        case "DoesNotExist":
          if (values.length) throw new UsageError(`label selector ${req.key} ${req.operator} takes no values`);
          parts.push([req.key, req.operator === "Exists" ? req.key : `!${req.key}`]);
          break;
        default:
          throw new UsageError(`unknown label selector operator ${JSON.stringify((req as { operator: unknown }).operator)}`);
      }
    }
  }
  return parts
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([, s]) => s)
    .join(",");
}

/** Escape `\`, `,` and `=` in a field selector value (apimachinery's `fields.EscapeValue`). */
function escapeFieldValue(value: string): string {
  return value.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/**
 * Render a field selector (`metadata.name=web,status.phase=Running`), escaping values.
 *
 * @example
 * fieldSelectorString({ "metadata.name": "web", "status.phase": "Running" }); // "metadata.name=web,status.phase=Running"
 */
export function fieldSelectorString(selector: FieldSelectorInput): string {
  if (typeof selector === "string") return selector;
  return Object.entries(selector)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([k, v]) => `${k}=${escapeFieldValue(v)}`)
    .join(",");
}
