/**
 * Integers beyond ±(2^53−1), which a JavaScript number holds rounded. kube-apiserver decodes a JSON
 * number into an int64 when its text is an integer that fits and into a float64 otherwise
 * (apimachinery's `json.Unmarshal` and `convertNumber`); kube-openapi's type check takes an int64
 * for `integer` and refuses a float64 beyond ±2^53 (`IsFloat64AJSONInteger`) as
 * `must be of type integer: "number"`. Zod's integer check (`z.int()`) stops at ±(2^53−1); this
 * module turns its range issue into kube-apiserver's answer.
 */
import type * as z from "zod";
import type { WideInteger } from "../yaml/documents.js";

type PathSegment = string | number;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const TWO_63 = 2 ** 63;

/** Zod's issue for an integer outside ±(2^53−1) (the `safeint` format's own bound). */
function isSafeIntRange(issue: z.core.$ZodIssue): boolean {
  if (issue.code === "too_big") return issue.origin === "int" && Number(issue.maximum) === Number.MAX_SAFE_INTEGER;
  if (issue.code === "too_small") return issue.origin === "int" && Number(issue.minimum) === -Number.MAX_SAFE_INTEGER;
  return false;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const seg of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[seg];
  }
  return v;
}

function samePath(a: readonly PropertyKey[], b: readonly PathSegment[]): boolean {
  return a.length === b.length && a.every((seg, i) => seg === b[i]);
}

/**
 * Whether kube-apiserver decodes this number, at this path, into an int64: by the exact literal
 * the reader saw there when it saw one (the last at that path, and only while the value is still
 * that literal's rounding), else by the number itself (written out as JSON, an integer-valued
 * number is an integer literal).
 *
 * @example
 * decodesAsInt64(2 ** 63, ["spec", "n"], [{ path: ["spec", "n"], value: 2n ** 63n - 1n }]); // true
 * decodesAsInt64(2 ** 63, ["spec", "n"]); // false
 */
export function decodesAsInt64(value: number, path: readonly PropertyKey[], wide: readonly WideInteger[] = []): boolean {
  for (let i = wide.length - 1; i >= 0; i--) {
    const w = wide[i]!;
    if (samePath(path, w.path) && Number(w.value) === value) return w.value >= INT64_MIN && w.value <= INT64_MAX;
  }
  return Number.isInteger(value) && value >= -TWO_63 && value < TWO_63;
}

/**
 * Zod's issues with its ±(2^53−1) integer bound answered as kube-apiserver answers: dropped where
 * the value decodes as an int64, a type error (`expected` an integer, `received` a number) where it
 * decodes as a float64.
 *
 * @example
 * int64Issues(z.int().safeParse(2 ** 60).error!.issues, 2 ** 60); // []
 */
export function int64Issues(issues: readonly z.core.$ZodIssue[], root: unknown, wide?: readonly WideInteger[]): z.core.$ZodIssue[] {
  if (!issues.some(isSafeIntRange)) return issues as z.core.$ZodIssue[];
  const out: z.core.$ZodIssue[] = [];
  for (const issue of issues) {
    if (!isSafeIntRange(issue)) {
      out.push(issue);
      continue;
    }
    const value = valueAt(root, issue.path);
    if (typeof value !== "number") out.push(issue);
    else if (!decodesAsInt64(value, issue.path, wide)) {
      out.push({ code: "invalid_type", expected: "int", received: "number", path: issue.path, message: "Invalid input: expected int, received number" } as z.core.$ZodIssue);
    }
  }
  return out;
}

/** The largest number below 2^63, and the largest below −2^63. */
const BELOW_TWO_63 = 2 ** 63 - 1024;
const BELOW_MINUS_TWO_63 = -(2 ** 63) - 2048;

/**
 * A number for an exact integer that stays on the same side of the int64 bounds: `Number(value)`,
 * except where rounding to the nearest number would carry it across one (int64's largest values
 * round up to 2^63; the integers just below int64's smallest round up to it), where the nearest
 * number on its own side is taken instead. A value held so is judged as kube-apiserver judges the
 * exact one by {@link decodesAsInt64} without its literal.
 *
 * @example
 * int64Rounded(2n ** 63n - 1n); // 9223372036854774784 (2^63 would be a float to kube-apiserver)
 * int64Rounded(2n ** 60n);      // 1152921504606846976
 */
export function int64Rounded(value: bigint): number {
  const n = Number(value);
  if (n === 2 ** 63 && value <= INT64_MAX) return BELOW_TWO_63;
  if (n === -(2 ** 63) && value < INT64_MIN) return BELOW_MINUS_TWO_63;
  return n;
}

// A JSON string (skipped) or an integer of 16 digits or more; anything else a number token has
// (a fraction, an exponent) makes it a float, which the match leaves alone.
const WIDE_JSON_INTEGER = /"(?:[^"\\]|\\.)*"|-?[1-9][0-9]{15,}(?![.eE0-9])/g;

/**
 * JSON text whose integers beyond ±(2^53−1) are written as the numbers {@link int64Rounded} gives
 * for them, so that `JSON.parse` keeps on each side of the int64 bounds what kube-apiserver's
 * decoder (int64 when the integer fits, float64 otherwise) decides; the text itself when it has no
 * such integer near a bound.
 *
 * @example
 * JSON.parse(int64RoundedJson('{"n":9223372036854775807}')).n; // 9223372036854774784
 */
export function int64RoundedJson(text: string): string {
  if (!/[0-9]{16}/.test(text)) return text;
  return text.replace(WIDE_JSON_INTEGER, (token) => {
    if (token.charCodeAt(0) === 34) return token;
    const exact = BigInt(token);
    const n = int64Rounded(exact);
    return n === Number(exact) ? token : String(BigInt(n));
  });
}

/**
 * Put {@link int64Rounded} numbers in place of the rounded ones a YAML reader gave for wide integer
 * literals (`wideIntegers` of a read document), in place.
 *
 * @example
 * const [doc] = readYamlDocuments("n: 9223372036854775807\n");
 * withInt64Rounding(doc.value, doc.wideIntegers ?? []); // { n: 9223372036854774784 }
 */
export function withInt64Rounding<T>(value: T, wide: readonly WideInteger[]): T {
  for (const w of wide) {
    const parent = valueAt(value, w.path.slice(0, -1));
    const key = w.path[w.path.length - 1]!;
    if (parent === null || typeof parent !== "object") continue;
    const holder = parent as Record<PropertyKey, unknown>;
    if (Object.hasOwn(holder, key) && holder[key] === Number(w.value)) holder[key] = int64Rounded(w.value);
  }
  return value;
}
