/**
 * How kube-apiserver prints a composite bad value in a field error. Up to 1.33 apimachinery printed
 * it with Go's `%#v` (`map[string]string{"app":"web"}`, `v1.LabelSelector{…}`,
 * `intstr.IntOrString{Type:1, IntVal:0, StrVal:"25%"}`); from 1.34 it marshals it to JSON
 * (`{"app":"web"}`), with Go's field names for internal types that carry no JSON tags. These
 * helpers build both forms so a rule can pass the right `display` for its minor.
 */
import { goQuote } from "../field.js";
import { isRecord } from "../../meta/values.js";
import { goStringSlice } from "./json-values.js";

/** The first minor whose field errors print composite values as JSON. */
const JSON_VALUES_SINCE = 34;

/**
 * The printed form of a composite value for a minor: Go syntax before 1.34, JSON from 1.34.
 *
 * @example
 * badValue(28, () => 'map[string]string{"a":"b"}', { a: "b" }); // 'map[string]string{"a":"b"}'
 * badValue(36, () => 'map[string]string{"a":"b"}', { a: "b" }); // '{"a":"b"}'
 */
export function badValue(minor: number, goSyntax: () => string, json: unknown): string {
  return minor >= JSON_VALUES_SINCE ? goJSON(json) : goSyntax();
}

/**
 * JSON as Go's `encoding/json` writes it: compact, `<`, `>` and `&` escaped, object members in the
 * order given (build struct values in Go's field order and sort map keys with {@link sortedMap}).
 *
 * @example
 * goJSON({ a: "<b>" }); // '{"a":"\\u003cb\\u003e"}'
 */
export function goJSON(value: unknown): string {
  const text = JSON.stringify(value === undefined ? null : value) ?? "null";
  return text.replace(/[<>&\u2028\u2029\b\f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/**
 * A copy of a string map with its keys sorted, as Go orders map keys when it prints or marshals them.
 *
 * @example
 * Object.keys(sortedMap({ b: "1", a: "2" })); // ["a", "b"]
 */
export function sortedMap(m: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(m).sort()) out[k] = m[k];
  return out;
}

/**
 * Go's `%#v` of a `map[string]string` (nil when absent).
 *
 * @example
 * goStringMap({ app: "web" }); // 'map[string]string{"app":"web"}'
 * goStringMap(undefined); // 'map[string]string(nil)'
 */
export function goStringMap(m: unknown): string {
  if (!isRecord(m)) return "map[string]string(nil)";
  const entries = Object.keys(m)
    .sort()
    .map((k) => `${goQuote(k)}:${goQuote(String(m[k] ?? ""))}`);
  return `map[string]string{${entries.join(", ")}}`;
}

/**
 * A string map as the API object holds it (nil when absent), for printing.
 *
 * @example
 * labelsValue(28, { app: "web" }); // 'map[string]string{"app":"web"}'
 * labelsValue(36, { app: "web" }); // '{"app":"web"}'
 */
export function labelsValue(minor: number, m: unknown): string {
  return badValue(minor, () => goStringMap(m), isRecord(m) ? sortedMap(m) : null);
}

/**
 * A `metav1.LabelSelector` as a field error prints it.
 *
 * @example
 * labelSelectorValue(28, { matchLabels: { app: "web" } });
 * // 'v1.LabelSelector{MatchLabels:map[string]string{"app":"web"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}'
 * labelSelectorValue(36, { matchLabels: { app: "web" } }); // '{"matchLabels":{"app":"web"}}'
 */
export function labelSelectorValue(minor: number, selector: unknown): string {
  if (!isRecord(selector)) return "null";
  const exprs = Array.isArray(selector.matchExpressions) ? selector.matchExpressions.filter(isRecord) : undefined;
  return badValue(
    minor,
    () => {
      const reqs = exprs
        ? `[]v1.LabelSelectorRequirement{${exprs
            .map((r) => `v1.LabelSelectorRequirement{Key:${goQuote(String(r.key ?? ""))}, Operator:${goQuote(String(r.operator ?? ""))}, Values:${goStringSlice(Array.isArray(r.values) ? r.values.map(String) : undefined)}}`)
            .join(", ")}}`
        : "[]v1.LabelSelectorRequirement(nil)";
      return `v1.LabelSelector{MatchLabels:${goStringMap(selector.matchLabels)}, MatchExpressions:${reqs}}`;
    },
    labelSelectorJSON(selector),
  );
}

/**
 * A `metav1.LabelSelector` as Go marshals it (empty members left out), for composite values that hold one.
 *
 * @example
 * labelSelectorJSON({ matchLabels: {}, matchExpressions: [] }); // {}
 */
export function labelSelectorJSON(selector: Record<string, unknown>): Record<string, unknown> {
  const exprs = Array.isArray(selector.matchExpressions) ? selector.matchExpressions.filter(isRecord) : undefined;
  const out: Record<string, unknown> = {};
  if (isRecord(selector.matchLabels) && Object.keys(selector.matchLabels).length > 0) out.matchLabels = sortedMap(selector.matchLabels);
  if (exprs && exprs.length > 0) {
    out.matchExpressions = exprs.map((r) => {
      const req: Record<string, unknown> = { key: r.key ?? "", operator: r.operator ?? "" };
      if (Array.isArray(r.values) && r.values.length > 0) req.values = r.values;
      return req;
    });
  }
  return out;
}

/**
 * Go's `%#v` of an `intstr.IntOrString` (the value as JSON holds it: a number or a string).
 *
 * @example
 * goIntOrString("25%"); // 'intstr.IntOrString{Type:1, IntVal:0, StrVal:"25%"}'
 */
export function goIntOrString(v: unknown): string {
  return typeof v === "string" ? `intstr.IntOrString{Type:1, IntVal:0, StrVal:${goQuote(v)}}` : `intstr.IntOrString{Type:0, IntVal:${typeof v === "number" ? v : 0}, StrVal:""}`;
}

/**
 * An `intstr.IntOrString` as a field error prints it.
 *
 * @example
 * intOrStringValue(28, 0); // 'intstr.IntOrString{Type:0, IntVal:0, StrVal:""}'
 * intOrStringValue(36, "25%"); // '"25%"'
 */
export function intOrStringValue(minor: number, v: unknown): string {
  return badValue(minor, () => goIntOrString(v), typeof v === "string" || typeof v === "number" ? v : 0);
}

/**
 * Go's `%#v` of a pointer field inside a struct: `(*T)(nil)` when unset. A set pointer prints as an
 * address kube-apiserver does not reveal in any reproducible way; it is shown as `(*T)(…)`.
 *
 * @example
 * goPointer("int32", undefined); // '(*int32)(nil)'
 */
export function goPointer(type: string, v: unknown): string {
  return v === undefined || v === null ? `(*${type})(nil)` : `(*${type})(…)`;
}

const QUANTITY_TEXT = /^([+-]?)0*(\d*)(?:\.(\d*))?(?:(Ki|Mi|Gi|Ti|Pi|Ei)|([numkMGTPE])|[eE]([+-]?\d+))?$/;
const SI_EXPONENT: Record<string, number> = { n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_EXPONENT: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

/**
 * A `resource.Quantity` parsed from JSON as `ParseQuantity` leaves it: the int64 amount, the format
 * and the text it keeps when that text is already canonical. Undefined where Go falls back to its
 * arbitrary-precision form (printed with a pointer address nobody can reproduce).
 */
function goQuantityFields(text: string): { value: bigint; scale: number; format: string; s: string } | undefined {
  if (text === "0") return { value: 0n, scale: 0, format: "DecimalSI", s: "0" };
  const m = QUANTITY_TEXT.exec(text);
  if (!m) return undefined;
  const [, sign, intPart = "", frac = "", bin, si, exp] = m;
  const num = intPart === "" ? "0" : intPart;
  const format = bin ? "BinarySI" : exp !== undefined ? "DecimalExponent" : "DecimalSI";
  const exponent = bin ? BINARY_EXPONENT[bin]! : exp !== undefined ? Number(exp) : si ? SI_EXPONENT[si]! : 0;
  let mantissa = 1n;
  let scale = 0;
  let precision: number;
  if (format === "BinarySI") {
    if (exponent >= 0 && frac.length === 0) {
      mantissa = 1n << BigInt(exponent);
      precision = 15 - num.length - Math.trunc((exponent * 3) / 10) - 1;
    } else precision = -1;
  } else {
    scale = exponent;
    precision = 18 - (num.length + frac.length);
  }
  if (precision < 0) return undefined;
  scale -= frac.length;
  if (scale < -9) return undefined;
  const shifted = num + frac;
  let value = BigInt(shifted) * mantissa;
  if (value > 9223372036854775807n) return undefined;
  if (sign === "-") value = -value;
  const canonical =
    format === "BinarySI" ? exponent % 10 === 0 && (BigInt(shifted) & 7n) !== 0n : scale % 3 === 0 && !shifted.endsWith("000") && shifted[0] !== "0";
  return { value, scale, format, s: canonical ? text : "" };
}

/**
 * A `*resource.Quantity` as a field error prints it: Go's `%#v` of the struct before 1.34, its JSON
 * string from 1.34.
 *
 * @example
 * quantityValue(28, "-1"); // 'resource.Quantity{i:resource.int64Amount{value:-1, scale:0}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"-1", Format:"DecimalSI"}'
 * quantityValue(36, "-1"); // '"-1"'
 */
export function quantityValue(minor: number, raw: unknown, canonical?: string): string {
  const text = typeof raw === "number" ? String(raw) : typeof raw === "string" ? raw.trim() : "";
  const f = goQuantityFields(text);
  const printed = f?.s || canonical || text;
  return badValue(
    minor,
    () =>
      f
        ? `resource.Quantity{i:resource.int64Amount{value:${f.value}, scale:${f.scale}}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:${goQuote(f.s)}, Format:${goQuote(f.format)}}`
        : `resource.Quantity{i:resource.int64Amount{value:0, scale:0}, d:resource.infDecAmount{Dec:(*inf.Dec)(…)}, s:"", Format:"DecimalSI"}`,
    printed,
  );
}
