/**
 * Plain YAML scalars resolved the way kubectl reads them (sigs.k8s.io/yaml, which uses go-yaml v2's
 * YAML 1.1 rules): `yes`/`no`/`on`/`off`/`y`/`n` are booleans, `0644` is octal (420), `0x1F`, `0o17`,
 * `0b101` and `1_000` are integers, timestamps stay strings, and there are no base-60 numbers.
 */

/** A resolved plain scalar, and whether YAML 1.2 (the JSON-compatible core schema) would read it differently. */
export interface ResolvedScalar {
  value: unknown;
  /** Set when YAML 1.2 would have produced a different value (usually the string itself). */
  yaml12Differs: boolean;
}

const BOOL_NULL = new Map<string, boolean | null>([
  ...["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"].map((s) => [s, true] as const),
  ...["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"].map((s) => [s, false] as const),
  ...["", "~", "null", "Null", "NULL"].map((s) => [s, null] as const),
]);
const CORE_BOOL_NULL = new Set(["true", "True", "TRUE", "false", "False", "FALSE", "", "~", "null", "Null", "NULL"]);
const SPECIAL_FLOATS = new Map<string, number>([
  ...[".nan", ".NaN", ".NAN"].map((s) => [s, Number.NaN] as const),
  ...[".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"].map((s) => [s, Number.POSITIVE_INFINITY] as const),
  ...["-.inf", "-.Inf", "-.INF"].map((s) => [s, Number.NEGATIVE_INFINITY] as const),
]);

const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
// Go's strconv.ParseInt(s, 0, 64) after go-yaml removed every "_".
const GO_INT = /^[-+]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
const CORE_INT = /^[-+]?[0-9]+$|^0o[0-7]+$|^0x[0-9a-fA-F]+$/;
const CORE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

function goInt(text: string): number | undefined {
  if (!GO_INT.test(text)) return undefined;
  const negative = text[0] === "-";
  const digits = text[0] === "-" || text[0] === "+" ? text.slice(1) : text;
  let n: number;
  if (/^0[xX]/.test(digits)) n = parseInt(digits.slice(2), 16);
  else if (/^0[oO]/.test(digits)) n = parseInt(digits.slice(2), 8);
  else if (/^0[bB]/.test(digits)) n = parseInt(digits.slice(2), 2);
  else if (digits.length > 1 && digits[0] === "0") n = parseInt(digits.slice(1), 8);
  else n = Number(digits);
  return negative ? -n : n;
}

/** How YAML 1.2's core schema would read a plain scalar (for spotting YAML 1.1-only conversions). */
function core(text: string): unknown {
  if (CORE_BOOL_NULL.has(text)) return text === "" || text === "~" || text.toLowerCase() === "null" ? null : text.toLowerCase() === "true";
  if (CORE_INT.test(text)) {
    if (text.startsWith("0o")) return parseInt(text.slice(2), 8);
    if (text.startsWith("0x")) return parseInt(text.slice(2), 16);
    return Number(text);
  }
  if (CORE_FLOAT.test(text)) return Number(text);
  if (SPECIAL_FLOATS.has(text)) return SPECIAL_FLOATS.get(text);
  return text;
}

/**
 * Whether a plain scalar starting with this character code is a string whatever follows: only
 * `y n t f o ~ . + -`, their capitals and digits can start a boolean, null or number.
 *
 * @example
 * alwaysString("a".charCodeAt(0)); // true
 * alwaysString("y".charCodeAt(0)); // false (`yes`)
 */
export function alwaysString(c: number): boolean {
  switch (c | 32) {
    case 121: // y
    case 110: // n
    case 116: // t
    case 102: // f
    case 111: // o
      return false;
    default:
      return !(c === 126 || c === 46 || c === 43 || c === 45 || (c >= 48 && c <= 57) || Number.isNaN(c));
  }
}

/** `1`…`9` then digits, short enough to be exact: read alike by YAML 1.1 and 1.2. */
function isDecimal(text: string): boolean {
  const n = text.length;
  if (n === 0 || n > 15) return false;
  let c = text.charCodeAt(0);
  if (c < 49 || c > 57) return false;
  for (let i = 1; i < n; i++) {
    c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * A character GO_INT or YAML_FLOAT can match (digits, hex letters, `xXoO`, signs, `.`, `_`): a
 * plain scalar with any other is no number.
 *
 * @example
 * numberCode("m".charCodeAt(0)); // false (`250m` is a string)
 */
export function numberCode(c: number): boolean {
  if ((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46 || c === 95) return true;
  const l = c | 32;
  return (l >= 97 && l <= 102) || l === 120 || l === 111;
}

/** Only characters GO_INT and YAML_FLOAT can match. */
function numberLike(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (!numberCode(text.charCodeAt(i))) return false;
  return true;
}

/** `dddd-`: the start of a timestamp. */
function timestampStart(text: string): boolean {
  for (let i = 0; i < 4; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return text.charCodeAt(4) === 45;
}

/** The longest text of `BOOL_NULL` and of `SPECIAL_FLOATS` (longer texts are not looked up). */
const LONGEST_BOOL_NULL = Math.max(...[...BOOL_NULL.keys()].map((k) => k.length));
const LONGEST_SPECIAL_FLOAT = Math.max(...[...SPECIAL_FLOATS.keys()].map((k) => k.length));

/** The longest plain scalar not starting with a digit, a sign or `.` that is not a string (`false`). */
export const LONGEST_WORD_VALUE = LONGEST_BOOL_NULL;

/** By ASCII code in lower case: 1 for the second letter of a boolean or null of two letters or more (yes, no, null, true, …). */
export const WORD_VALUE_SECOND = new Uint8Array(128);
for (const word of BOOL_NULL.keys()) if (word.length > 1) WORD_VALUE_SECOND[word.charCodeAt(1) | 32] = 1;

function resolve(text: string): unknown {
  if (alwaysString(text.charCodeAt(0))) return text;
  const length = text.length;
  if (length <= LONGEST_SPECIAL_FLOAT) {
    const fixed = length <= LONGEST_BOOL_NULL ? BOOL_NULL.get(text) : undefined;
    if (fixed !== undefined) return fixed;
    const special = SPECIAL_FLOATS.get(text);
    if (special !== undefined) return special;
  }
  const c = text.charCodeAt(0);
  const digitOrSign = (c >= 48 && c <= 57) || c === 43 || c === 45;
  if (c === 46) {
    // Starts with '.': only a float can match (Go's ParseFloat).
    return YAML_FLOAT.test(text) ? Number(text) : text;
  }
  if (!digitOrSign) return text;
  if (timestampStart(text)) {
    // go-yaml resolves timestamps but hands them to untyped targets as the original string.
    return text;
  }
  // A character no integer or float has (`250m`, `128Mi`, `1.2.3-rc`): a string, without the patterns.
  if (!numberLike(text)) return text;
  const plain = text.includes("_") ? text.replace(/_/g, "") : text;
  const asInt = goInt(plain);
  if (asInt !== undefined) return asInt;
  if (YAML_FLOAT.test(plain)) return Number(plain);
  return text;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * The exact value of an integer literal (as go-yaml reads one: decimal, `0x`, `0o`, `0b`, a
 * leading `0` for octal, `_` anywhere) that lies beyond ±(2^53−1), where a JavaScript number
 * holds it rounded; undefined for any other text. kubectl hands such a literal on exactly (an int64,
 * or a uint64), so kube-apiserver sees the value itself, not the rounded one.
 *
 * @example
 * wideIntegerLiteral("9223372036854775807"); // 9223372036854775807n
 * wideIntegerLiteral("9007199254740991");    // undefined (a number holds it exactly)
 * wideIntegerLiteral("1e20");                // undefined (a float)
 */
export function wideIntegerLiteral(text: string): bigint | undefined {
  const plain = text.includes("_") ? text.replace(/_/g, "") : text;
  if (plain.length < 16 || !GO_INT.test(plain)) return undefined;
  const signed = plain[0] === "-" || plain[0] === "+";
  const digits = signed ? plain.slice(1) : plain;
  const magnitude = BigInt(digits.length > 1 && digits[0] === "0" && digits[1]! >= "0" && digits[1]! <= "7" ? `0o${digits.slice(1)}` : digits);
  if (magnitude <= MAX_SAFE) return undefined;
  return plain[0] === "-" ? -magnitude : magnitude;
}

/**
 * The value of an untagged plain scalar as kubectl reads it, or `NOTICED` when the exact reader
 * would add a notice for it or note it otherwise (a YAML 1.1-only conversion, a number JSON cannot
 * hold, an integer literal a number holds rounded).
 */
export function plainScalarValue(text: string): unknown {
  if (isDecimal(text)) return Number(text);
  const value = resolve(text);
  if (typeof value === "string") return value;
  if (typeof value === "number" && !Number.isFinite(value)) return NOTICED;
  if (typeof value === "number" && Number.isInteger(value) && !Number.isSafeInteger(value) && wideIntegerLiteral(text) !== undefined) return NOTICED;
  const other = core(text);
  return Object.is(value, other) || (typeof value === "number" && typeof other === "number" && value === other) ? value : NOTICED;
}

/** Returned by {@link plainScalarValue} for scalars the exact reader reports. */
export const NOTICED: unique symbol = Symbol("noticed");

/**
 * Resolve an untagged plain scalar as kubectl does.
 *
 * @example
 * resolvePlainScalar("0644"); // { value: 420, yaml12Differs: true }
 * resolvePlainScalar("yes");  // { value: true, yaml12Differs: true }
 */
export function resolvePlainScalar(text: string): ResolvedScalar {
  const value = resolve(text);
  if (typeof value === "string") return { value, yaml12Differs: false };
  const other = core(text);
  const differs = !(Object.is(value, other) || (typeof value === "number" && typeof other === "number" && value === other));
  return { value, yaml12Differs: differs };
}

/**
 * Resolve a scalar with an explicit standard tag (`!!str`, `!!int`, …); undefined when the text
 * does not fit the tag.
 */
export function resolveTaggedScalar(tag: string, text: string): { value: unknown } | undefined {
  switch (tag) {
    case "str":
    case "binary":
    case "timestamp":
      return { value: text };
    case "null":
      return BOOL_NULL.get(text) === null ? { value: null } : undefined;
    case "bool": {
      const b = BOOL_NULL.get(text);
      return typeof b === "boolean" ? { value: b } : undefined;
    }
    case "int": {
      const n = goInt(text.replace(/_/g, ""));
      return n === undefined ? undefined : { value: n };
    }
    case "float": {
      const special = SPECIAL_FLOATS.get(text);
      if (special !== undefined) return { value: special };
      const plain = text.replace(/_/g, "");
      const n = goInt(plain);
      if (n !== undefined) return { value: n };
      return YAML_FLOAT.test(plain) ? { value: Number(plain) } : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * The string a mapping key becomes in JSON, as sigs.k8s.io/yaml converts non-string keys
 * (`on` → "true", `0644` → "420", `1.0` → "1").
 */
export function keyString(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === null) return "null";
  return String(value);
}
