/**
 * `<string>.format(<list>)` of cel-go's strings extension (ext/formatting.go, version 1 and up):
 * the clauses `%s %d %f %e %b %o %x %X %%` with Go's number formatting, and the checks its
 * validator makes when the format string is a literal and the arguments a list literal.
 */
import { compareStrings, isUint } from "./values.js";
import { isDuration, timestampText } from "./time.js";

/** A clause of a format string: its verb and precision (`%.3f`). */
interface Clause {
  verb: string;
  precision?: number;
}

/** The literal text and clauses of a format string, or cel-go's error for a clause it does not know. */
export function parseFormat(pattern: string): Array<string | Clause> {
  const parts: Array<string | Clause> = [];
  let text = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c !== "%") {
      text += c;
      continue;
    }
    if (pattern[i + 1] === "%") {
      text += "%";
      i++;
      continue;
    }
    let j = i + 1;
    let precision: number | undefined;
    if (pattern[j] === ".") {
      let k = j + 1;
      while (k < pattern.length && /\d/.test(pattern[k]!)) k++;
      precision = Number(pattern.slice(j + 1, k) || "0");
      j = k;
    }
    const verb = pattern[j];
    if (verb === undefined) throw new Error("could not parse formatting clause: unexpected end of string");
    if (!"sdfebxXo".includes(verb)) throw new Error(`could not parse formatting clause: unrecognized formatting clause "${verb}"`);
    if (text) parts.push(text);
    text = "";
    parts.push(precision === undefined ? { verb } : { verb, precision });
    i = j;
  }
  if (text) parts.push(text);
  return parts;
}

/** A CEL type name of a value as cel-go's formatting errors print it. */
export function typeNameOf(v: unknown): string {
  if (v === null || v === undefined) return "null_type";
  if (typeof v === "bigint") return "int";
  if (typeof v === "number") return "double";
  if (typeof v === "string") return "string";
  if (typeof v === "boolean") return "bool";
  if (v instanceof Uint8Array) return "bytes";
  if (Array.isArray(v)) return "list";
  if (v instanceof Date) return "google.protobuf.Timestamp";
  if (isUint(v)) return "uint";
  if (isDuration(v)) return "google.protobuf.Duration";
  if (isType(v)) return "type";
  if (v instanceof Map || Object.getPrototypeOf(v) === Object.prototype) return "map";
  return (v as object).constructor?.name ?? "unknown";
}

const isType = (v: unknown): v is { name: string } => v !== null && typeof v === "object" && v.constructor?.name === "Type" && typeof (v as { name?: unknown }).name === "string";

/** The sign, integer mantissa and binary exponent of a finite double (`x = sign · m · 2^e`). */
function decompose(x: number): { negative: boolean; m: bigint; e: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const exp = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & ((1n << 52n) - 1n);
  return { negative: bits >> 63n === 1n, m: exp === 0 ? frac : frac | (1n << 52n), e: (exp === 0 ? 1 : exp) - 1075 };
}

/** Go's `%.{p}f` of a finite double: the exact value rounded half to even at `p` digits. */
function fixed(x: number, p: number): string {
  const { negative, m, e } = decompose(x);
  const scale = 10n ** BigInt(p);
  let q: bigint;
  if (e >= 0) q = m * (1n << BigInt(e)) * scale;
  else {
    const num = m * scale;
    const den = 1n << BigInt(-e);
    q = num / den;
    const twice = (num % den) * 2n;
    if (twice > den || (twice === den && q % 2n === 1n)) q += 1n;
  }
  const digits = q.toString().padStart(p + 1, "0");
  const body = p === 0 ? digits : `${digits.slice(0, digits.length - p)}.${digits.slice(digits.length - p)}`;
  return negative && (q !== 0n || Object.is(x, -0)) ? `-${body}` : body;
}

/** Go's `strconv.FormatFloat(x, 'f', -1, 64)`: the shortest digits that read back, without exponent. */
function shortest(x: number): string {
  const [mantissa, exponent] = Math.abs(x).toExponential().split("e") as [string, string];
  const digits = mantissa.replace(".", "");
  const point = Number(exponent) + 1;
  let body: string;
  if (point <= 0) body = `0.${"0".repeat(-point)}${digits}`;
  else if (point >= digits.length) body = digits + "0".repeat(point - digits.length);
  else body = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return (x < 0 || Object.is(x, -0) ? "-" : "") + body;
}

/** A double's special values as cel-go's formatter names them. */
function special(x: number): string | undefined {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  return undefined;
}

const fail = (message: string): never => {
  throw new Error(`error during formatting: ${message}`);
};

/** `%s` of a value (cel-go appendingFormatter): lists and maps with their elements formatted alike. */
function formatString(v: unknown): string {
  if (v === null) return "null";
  if (typeof v === "string") return v;
  if (typeof v === "bigint" || typeof v === "boolean") return String(v);
  if (typeof v === "number") return special(v) ?? shortest(v);
  if (v instanceof Uint8Array) return new TextDecoder().decode(v);
  if (Array.isArray(v)) return `[${v.map(formatString).join(", ")}]`;
  if (v instanceof Date) return timestampText(v);
  if (isUint(v)) return String(v.valueOf());
  if (isDuration(v)) return `${shortest(Number(v.seconds) + v.nanos / 1e9)}s`;
  if (isType(v)) return v.name;
  if (v instanceof Map || Object.getPrototypeOf(v) === Object.prototype) {
    const entries = v instanceof Map ? [...(v as Map<unknown, unknown>)] : Object.entries(v as Record<string, unknown>);
    const pairs = entries.map(([k, x]) => [formatString(k), formatString(x)] as const).sort((a, b) => compareStrings(a[0], b[0]));
    return `{${pairs.map(([k, x]) => `${k}: ${x}`).join(", ")}}`;
  }
  return fail(`string clause can only be used on strings, bools, bytes, ints, doubles, maps, lists, types, durations, and timestamps, was given ${typeNameOf(v)}`);
}

/** An int or uint in a radix, with Go's sign for negative ints. */
const inRadix = (v: bigint, radix: number): string => (v < 0n ? `-${(-v).toString(radix)}` : v.toString(radix));

/** One clause applied to one argument. */
function applyClause(clause: Clause, v: unknown): string {
  const given = () => typeNameOf(v);
  const n = isUint(v) ? v.valueOf() : v;
  switch (clause.verb) {
    case "s":
      return formatString(v);
    case "d":
      if (typeof n === "bigint") return String(n);
      if (typeof n === "number") return special(n) ?? shortest(n);
      return fail(`decimal clause can only be used on ints, uints, and doubles, was given ${given()}`);
    case "f":
      if (typeof n === "bigint" || typeof n === "number") return special(Number(n)) ?? fixed(Number(n), clause.precision ?? 6);
      return fail(`fixed-point clause can only be used on ints, uints, and doubles, was given ${given()}`);
    case "e":
      if (typeof n === "bigint" || typeof n === "number") return special(Number(n)) ?? Number(n).toExponential(clause.precision ?? 6).replace(/e([+-])(\d)$/, "e$10$2");
      return fail(`scientific clause can only be used on ints, uints, and doubles, was given ${given()}`);
    case "b":
      if (typeof n === "bigint") return inRadix(n, 2);
      if (typeof n === "boolean") return n ? "1" : "0";
      return fail(`only ints, uints, and bools can be formatted as binary, was given ${given()}`);
    case "o":
      if (typeof n === "bigint") return inRadix(n, 8);
      return fail(`octal clause can only be used on ints and uints, was given ${given()}`);
    default: {
      let s: string;
      if (typeof n === "bigint") s = inRadix(n, 16);
      else if (typeof n === "string" || n instanceof Uint8Array) {
        const bytes = typeof n === "string" ? new TextEncoder().encode(n) : n;
        s = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
      } else return fail(`only ints, uints, bytes, and strings can be formatted as hex, was given ${given()}`);
      return clause.verb === "X" ? s.toUpperCase() : s;
    }
  }
}

/**
 * `<string>.format(<list>)`.
 *
 * @example
 * format("%s is %d", ["x", 3n]); // "x is 3"
 */
export function format(pattern: string, args: readonly unknown[]): string {
  let out = "";
  let next = 0;
  for (const part of parseFormat(pattern)) {
    if (typeof part === "string") out += part;
    else {
      if (next >= args.length) throw new Error(`index ${next} out of range`);
      out += applyClause(part, args[next++]);
    }
  }
  return out;
}

/** The CEL types each clause accepts, as cel-go's format validator checks argument types. */
const CLAUSE_TYPES: Readonly<Record<string, { accepts: readonly string[]; error: string }>> = {
  d: { accepts: ["int", "uint", "double"], error: "decimal clause can only be used on ints, uints, and doubles" },
  f: { accepts: ["int", "uint", "double"], error: "fixed-point clause can only be used on ints, uints, and doubles" },
  e: { accepts: ["int", "uint", "double"], error: "scientific clause can only be used on ints, uints, and doubles" },
  b: { accepts: ["int", "uint", "bool"], error: "only ints, uints, and bools can be formatted as binary" },
  o: { accepts: ["int", "uint"], error: "octal clause can only be used on ints and uints" },
  x: { accepts: ["int", "uint", "string", "bytes"], error: "only ints, uints, bytes, and strings can be formatted as hex" },
  X: { accepts: ["int", "uint", "string", "bytes"], error: "only ints, uints, bytes, and strings can be formatted as hex" },
};

/**
 * cel-go's validation of `'<literal>'.format([<list literal>])` at compile time: the clauses
 * parse, each has an argument of a type it accepts (`dyn` passes), and no argument is left over.
 * `argTypes` are the checked types of the list's elements (`null` for `null_type`). The error and
 * the index of the argument it concerns, if one.
 */
export function formatLiteralError(pattern: string, argTypes: readonly string[]): { message: string; arg?: number } | undefined {
  let parts: Array<string | Clause>;
  try {
    parts = parseFormat(pattern);
  } catch (err) {
    return { message: (err as Error).message };
  }
  let next = 0;
  for (const part of parts) {
    if (typeof part === "string") continue;
    if (next >= argTypes.length) return { message: `index ${next} out of range` };
    const type = argTypes[next]!;
    const rule = CLAUSE_TYPES[part.verb];
    if (rule && type !== "dyn" && !rule.accepts.includes(type)) return { message: `error during formatting: ${rule.error}, was given ${type === "null" ? "null_type" : type}`, arg: next };
    next++;
  }
  if (argTypes.length > next) return { message: `too many arguments supplied to string.format (expected ${next}, got ${argTypes.length})` };
  return undefined;
}
