/**
 * `metav1.LabelSelectorAsSelector` and `labels.Selector.Matches`: whether a label selector can be
 * turned into a selector (its requirements are well formed) and which label sets it selects. A nil
 * selector selects nothing; an empty one selects everything.
 */
import { isQualifiedName, isValidLabelValue } from "../../meta/names.js";
import { isRecord } from "../../meta/values.js";

/** A selector that parsed: whether it is empty (selects everything) and a matcher. */
export interface ParsedSelector {
  /** `labels.Selector.Empty()`: true for the empty selector (which matches every label set). */
  readonly empty: boolean;
  matches(labels: unknown): boolean;
}

const NOTHING: ParsedSelector = { empty: false, matches: () => false };
const EVERYTHING: ParsedSelector = { empty: true, matches: () => true };

function validRequirement(key: unknown, op: string, values: unknown[]): boolean {
  if (typeof key !== "string" || isQualifiedName(key).length > 0) return false;
  if ((op === "In" || op === "NotIn") && values.length === 0) return false;
  if ((op === "Exists" || op === "DoesNotExist") && values.length !== 0) return false;
  return values.every((v) => typeof v === "string" && isValidLabelValue(v).length === 0);
}

/**
 * The selector a `LabelSelector` stands for, or undefined where `LabelSelectorAsSelector` fails
 * (an unknown operator, a bad key or value, In/NotIn without values, Exists with values).
 *
 * @example
 * parseLabelSelector({ matchLabels: { app: "web" } })?.matches({ app: "web", tier: "1" }); // true
 * parseLabelSelector(undefined)?.matches({}); // false (nothing)
 */
export function parseLabelSelector(selector: unknown): ParsedSelector | undefined {
  if (!isRecord(selector)) return NOTHING;
  const matchLabels = isRecord(selector.matchLabels) ? selector.matchLabels : {};
  const exprs = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  if (Object.keys(matchLabels).length + exprs.length === 0) return EVERYTHING;
  const tests: ((labels: Record<string, unknown>) => boolean)[] = [];
  for (const [k, v] of Object.entries(matchLabels)) {
    if (!validRequirement(k, "=", [v])) return undefined;
    tests.push((l) => Object.hasOwn(l, k) && l[k] === v);
  }
  for (const e of exprs) {
    if (!isRecord(e)) return undefined;
    const op = e.operator;
    const values = Array.isArray(e.values) ? e.values : [];
    if (op !== "In" && op !== "NotIn" && op !== "Exists" && op !== "DoesNotExist") return undefined;
    if (!validRequirement(e.key, op, values)) return undefined;
    const key = e.key as string;
    const set = new Set(values);
    if (op === "In") tests.push((l) => Object.hasOwn(l, key) && set.has(l[key]));
    else if (op === "NotIn") tests.push((l) => !Object.hasOwn(l, key) || !set.has(l[key]));
    else if (op === "Exists") tests.push((l) => Object.hasOwn(l, key));
    else tests.push((l) => !Object.hasOwn(l, key));
  }
  return { empty: false, matches: (labels) => tests.every((t) => t(isRecord(labels) ? labels : {})) };
}

/**
 * `LabelSelectorHasInvalidLabelValue`: whether a (stored) selector holds a value that is not a valid
 * label value, which lets updates keep it.
 *
 * @example
 * labelSelectorHasInvalidLabelValue({ matchLabels: { app: "a b" } }); // true
 */
export function labelSelectorHasInvalidLabelValue(selector: unknown): boolean {
  if (!isRecord(selector)) return false;
  const values: unknown[] = Object.values(isRecord(selector.matchLabels) ? selector.matchLabels : {});
  if (Array.isArray(selector.matchExpressions)) {
    for (const e of selector.matchExpressions) if (isRecord(e) && Array.isArray(e.values)) values.push(...e.values);
  }
  return values.some((v) => typeof v === "string" && isValidLabelValue(v).length > 0);
}
