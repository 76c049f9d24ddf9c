/**
 * cel-go's strings extension as Kubernetes enables it (version 0 up to 1.28, version 2 from
 * 1.29): `charAt`, `replace`, `strings.quote` and the others the evaluator lacks (`format` is in
 * format.ts; `reverse` arrives with version 3, which Kubernetes does not enable).
 */
import { celEquals } from "./values.js";

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
    // A search string longer than the string is not found (cel-spec string_ext last_index_of/empty_string).
    if (runes(sub).length > r.length) return -1n;
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
