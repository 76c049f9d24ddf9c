/**
 * `metav1.LabelSelectorAsSelector` and `labels.Selector.Matches`: whether a label selector can be
 * turned into a selector (its requirements are well formed) and which label sets it selects. A nil
 * selector selects nothing; an empty one selects everything.
 */
import { isRecord } from "../../meta/values.js";
import { selectorConversionFails } from "./selector-conversion.js";

/** A selector that parsed: whether it is empty (selects everything) and a matcher. */
export interface ParsedSelector {
  /** `labels.Selector.Empty()`: true for the empty selector (which matches every label set). */
  readonly empty: boolean;
  matches(labels: unknown): boolean;
}

const NOTHING: ParsedSelector = { empty: false, matches: () => false };
const EVERYTHING: ParsedSelector = { empty: true, matches: () => true };


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
  if (selectorConversionFails(selector)) return undefined;
  const tests: ((labels: Record<string, unknown>) => boolean)[] = [];
  for (const [k, v] of Object.entries(matchLabels)) {
    tests.push((l) => Object.hasOwn(l, k) && l[k] === v);
  }
  for (const e of exprs) {
    if (!isRecord(e)) return undefined;
    const op = e.operator;
    const values = Array.isArray(e.values) ? e.values : [];
    const key = typeof e.key === "string" ? e.key : "";
    const set = new Set(values);
    if (op === "In") tests.push((l) => Object.hasOwn(l, key) && set.has(l[key]));
    else if (op === "NotIn") tests.push((l) => !Object.hasOwn(l, key) || !set.has(l[key]));
    else if (op === "Exists") tests.push((l) => Object.hasOwn(l, key));
    else tests.push((l) => !Object.hasOwn(l, key));
  }
  return new Requirements(tests);
}

/** A selector with requirements: matches the label sets that meet every one. */
class Requirements implements ParsedSelector {
  readonly empty = false;
  constructor(private readonly tests: ((labels: Record<string, unknown>) => boolean)[]) {}

  matches(labels: unknown): boolean {
    const l = isRecord(labels) ? labels : {};
    return this.tests.every((t) => t(l));
  }
}

