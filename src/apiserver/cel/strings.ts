/**
 * cel-go's strings extension as Kubernetes enables it (version 0 up to 1.28, version 2 from
 * 1.29): `charAt`, `replace`, `format`, `strings.quote` and the others the evaluator lacks.
 */
import { CelQuantity, celEquals } from "./values.js";

const runes = (s: string): string[] => Array.from(s);

/** `<string>.charAt(<int>)`. @example charAt("hello", 4n); // "o" */
export function charAt(s: string, i: bigint): string {
  const r = runes(s);
  if (i < 0n || i > BigInt(r.length)) throw new Error(`index out of range: ${i}`);
  return r[Number(i)] ?? "";
}

/** `<string>.replace(<string>, <string>[, <int>])`. @example replace("hello hello", "he", "we", 1n); // "wello hello" */
export function replace(s: string, from: string, to: string, limit = -1n): string {
  if (limit === 0n) return s;
  if (limit < 0n) return (from === "" ? ["", ...runes(s), ""] : s.split(from)).join(to);
  let out = "";
  let rest = s;
  let n = limit;
  while (n > 0n) {
    const at = rest.indexOf(from);
    if (at < 0) break;
    if (from === "") {
      const first = runes(rest)[0];
      out += to + (first ?? "");
      rest = rest.slice(first?.length ?? 0);
      if (first === undefined) break;
    } else {
      out += rest.slice(0, at) + to;
      rest = rest.slice(at + from.length);
    }
    n--;
  }
  return out + rest;
}

/** `<string>.split(<string>, <int>)` with Go's `SplitN` semantics. @example splitN("a b c", " ", 2n); // ["a", "b c"] */
export function splitN(s: string, sep: string, n: bigint): string[] {
  if (n === 0n) return [];
  const all = sep === "" ? runes(s) : s.split(sep);
  if (n < 0n || BigInt(all.length) <= n) return all;
  const head = all.slice(0, Number(n) - 1);
  return [...head, all.slice(Number(n) - 1).join(sep)];
}

/** `strings.quote(<string>)`. @example quote('a"b'); // "\"a\\\"b\"" */
export function quote(s: string): string {
  let out = '"';
  for (const ch of s) {
    switch (ch) {
      case "\x07":
        out += "\\a";
        break;
      case "\b":
        out += "\\b";
        break;
      case "\f":
        out += "\\f";
        break;
      case "\n":
        out += "\\n";
        break;
      case "\r":
        out += "\\r";
        break;
      case "\t":
        out += "\\t";
        break;
      case "\v":
        out += "\\v";
        break;
      case "\\":
        out += "\\\\";
        break;
      case '"':
        out += '\\"';
        break;
      default:
        out += ch;
    }
  }
  return `${out}"`;
}

/** `<string>.reverse()`. @example reverse("gums"); // "smug" */
export function reverse(s: string): string {
  return runes(s).reverse().join("");
}

function formatValue(v: unknown, top: boolean): string {
  if (v === null) return "null";
  if (typeof v === "string") return top ? v : JSON.stringify(v);
  if (typeof v === "bigint" || typeof v === "boolean") return String(v);
  if (typeof v === "number") return formatDouble(v);
  if (v instanceof Uint8Array) return new TextDecoder().decode(v);
  if (Array.isArray(v)) return `[${v.map((x) => formatValue(x, false)).join(", ")}]`;
  if (v instanceof Date) return v.toISOString().replace(".000Z", "Z");
  if (v instanceof CelQuantity) return `${v.quantity.digits}e${v.quantity.exp}`;
  if (v instanceof Map) return `{${[...v].map(([k, x]) => `${formatValue(k, false)}: ${formatValue(x, false)}`).sort().join(", ")}}`;
  if (typeof v === "object") {
    const s = String(v);
    if (s !== "[object Object]") return s;
    return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${JSON.stringify(k)}: ${formatValue(x, false)}`).sort().join(", ")}}`;
  }
  return String(v);
}

function formatDouble(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "+Inf" : "-Inf";
  return String(v);
}

/**
 * `<string>.format(<list>)`: `%s %d %f %e %b %o %x %X %%`, with precision for `%f`/`%e`.
 *
 * @example
 * format("%s is %d", ["x", 3n]); // "x is 3"
 */
export function format(pattern: string, args: readonly unknown[]): string {
  let out = "";
  let argIndex = 0;
  const next = (): unknown => {
    if (argIndex >= args.length) throw new Error(`index ${argIndex} out of range`);
    return args[argIndex++];
  };
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c !== "%") {
      out += c;
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
    i = j;
    switch (verb) {
      case "%":
        out += "%";
        break;
      case "s":
        out += formatValue(next(), true);
        break;
      case "d": {
        const v = next();
        if (typeof v !== "bigint") throw new Error(`error during formatting: decimal clause can only be used on integers, was given ${typeof v === "number" ? "double" : typeof v}`);
        out += String(v);
        break;
      }
      case "f":
      case "e": {
        const v = next();
        const n = typeof v === "bigint" ? Number(v) : typeof v === "number" ? v : typeof v === "string" ? Number(v) : Number.NaN;
        if (typeof v !== "bigint" && typeof v !== "number" && !(typeof v === "string" && /^(NaN|[+-]?Inf(inity)?)$/.test(v))) {
          throw new Error(`error during formatting: ${verb === "f" ? "fixed-point" : "scientific"} clause can only be used on doubles, was given ${typeof v}`);
        }
        if (!Number.isFinite(n)) out += formatDouble(n);
        else if (verb === "f") out += n.toFixed(precision ?? 6);
        else out += n.toExponential(precision ?? 6).replace(/e([+-])(\d)$/, "e$10$2");
        break;
      }
      case "b":
      case "o":
      case "x":
      case "X": {
        const v = next();
        const radix = verb === "b" ? 2 : verb === "o" ? 8 : 16;
        let s: string;
        if (typeof v === "bigint") s = (v < 0n ? "-" : "") + (v < 0n ? -v : v).toString(radix);
        else if (typeof v === "boolean" && verb === "b") s = v ? "1" : "0";
        else if ((typeof v === "string" || v instanceof Uint8Array) && radix === 16) {
          const bytes = typeof v === "string" ? new TextEncoder().encode(v) : v;
          s = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
        } else throw new Error(`error during formatting: only integers${radix === 16 ? ", byte buffers, and strings" : ""} can be formatted as ${verb === "b" ? "binary" : verb === "o" ? "octal" : "hex"}, was given ${typeof v}`);
        out += verb === "X" ? s.toUpperCase() : s;
        break;
      }
      default:
        throw new Error(`could not parse formatting clause: unrecognized formatting clause "${verb ?? ""}"`);
    }
  }
  return out;
}

/** `sets.contains(a, b)`. @example setsContains([1n, 2n], [2n]); // true */
export function setsContains(a: readonly unknown[], b: readonly unknown[]): boolean {
  return b.every((x) => a.some((y) => celEquals(x, y)));
}

/** `sets.equivalent(a, b)`. @example setsEquivalent([1n], [1n, 1n]); // true */
export function setsEquivalent(a: readonly unknown[], b: readonly unknown[]): boolean {
  return setsContains(a, b) && setsContains(b, a);
}

/** `sets.intersects(a, b)`. @example setsIntersects([1n], [1n, 2n]); // true */
export function setsIntersects(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.some((x) => b.some((y) => celEquals(x, y)));
}

/** Whether the code points of `sub` are found in `r` at `i`. */
function runesAt(r: readonly string[], sub: readonly string[], i: number): boolean {
  for (let j = 0; j < sub.length; j++) if (r[i + j] !== sub[j]) return false;
  return true;
}

/**
 * `<string>.indexOf(<string>[, <int>])` counting code points, as cel-go does (`ext/strings.go`).
 *
 * @example
 * indexOf("😀ab", "b"); // 2n
 */
export function indexOf(s: string, sub: string, offset = 0n): bigint {
  if (sub === "") return offset;
  const r = runes(s);
  const u = runes(sub);
  if (offset < 0n || offset >= BigInt(r.length)) throw new Error(`index out of range: ${offset}`);
  for (let i = Number(offset); i < r.length - (u.length - 1); i++) if (runesAt(r, u, i)) return BigInt(i);
  return -1n;
}

/**
 * `<string>.lastIndexOf(<string>[, <int>])` counting code points, as cel-go does.
 *
 * @example
 * lastIndexOf("😀a😀", "😀"); // 2n
 */
export function lastIndexOf(s: string, sub: string, offset?: bigint): bigint {
  const r = runes(s);
  if (offset === undefined) {
    if (sub === "") return BigInt(r.length);
    offset = BigInt(r.length - 1);
  }
  if (sub === "") return offset;
  const u = runes(sub);
  if (offset < 0n || offset >= BigInt(r.length)) throw new Error(`index out of range: ${offset}`);
  let i = Number(offset);
  if (i > r.length - u.length) i = r.length - u.length;
  for (; i >= 0; i--) if (runesAt(r, u, i)) return BigInt(i);
  return -1n;
}

/**
 * `<string>.substring(<int>[, <int>])` counting code points, with cel-go's errors.
 *
 * @example
 * substring("😀abc", 1n, 3n); // "ab"
 */
export function substring(s: string, start: bigint, end?: bigint): string {
  const r = runes(s);
  const l = BigInt(r.length);
  if (end === undefined) {
    if (start < 0n || start > l) throw new Error(`index out of range: ${start}`);
    return r.slice(Number(start)).join("");
  }
  if (start > end) throw new Error(`invalid substring range. start: ${start}, end: ${end}`);
  if (start < 0n || start > l) throw new Error(`index out of range: ${start}`);
  if (end < 0n || end > l) throw new Error(`index out of range: ${end}`);
  return r.slice(Number(start), Number(end)).join("");
}

/**
 * `<string>.split(<string>)` with Go's `strings.Split`: an empty separator splits into code points.
 *
 * @example
 * split("a😀", ""); // ["a", "😀"]
 */
export function split(s: string, sep: string): string[] {
  return sep === "" ? runes(s) : s.split(sep);
}

const mapAscii = (s: string, lower: boolean): string => s.replace(lower ? /[A-Z]+/g : /[a-z]+/g, (m) => (lower ? m.toLowerCase() : m.toUpperCase()));

/** `<string>.lowerAscii()`: only ASCII letters change. @example lowerAscii("ÀBC"); // "Àbc" */
export function lowerAscii(s: string): string {
  return mapAscii(s, true);
}

/** `<string>.upperAscii()`: only ASCII letters change. @example upperAscii("àbc"); // "àBC" */
export function upperAscii(s: string): string {
  return mapAscii(s, false);
}

/** Go's `unicode.IsSpace`. */
const GO_SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;

/** `<string>.trim()` with Go's `strings.TrimSpace` (U+0085 trimmed, U+FEFF kept). @example trim("\u0085 a "); // "a" */
export function trim(s: string): string {
  return s.replace(GO_SPACE, "");
}
