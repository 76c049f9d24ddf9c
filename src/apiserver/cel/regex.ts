/**
 * RE2 patterns (what CEL's `matches` and Kubernetes' regex library use) as JavaScript regular
 * expressions: leading inline flags, `\A`/`\z`, `(?P<name>…)`, `\Q…\E`, POSIX classes and RE2's
 * ASCII `\s`. Patterns using RE2 syntax JavaScript cannot express are refused, never guessed.
 */
import { KubeError, type KubeErrorCode } from "../../errors.js";

/**
 * A pattern that has no faithful JavaScript equivalent.
 *
 * @example
 * try { re2("(?<=x)y"); } catch (e) { if (e instanceof UnsupportedRegexError) console.error(e.message); }
 */
export class UnsupportedRegexError extends KubeError {
  override name = "UnsupportedRegexError";
  override readonly code: KubeErrorCode = "KUBE_UNSUPPORTED_REGEX";
}

const POSIX: Record<string, string> = {
  alnum: "0-9A-Za-z",
  alpha: "A-Za-z",
  ascii: "\\x00-\\x7F",
  blank: "\\t ",
  cntrl: "\\x00-\\x1F\\x7F",
  digit: "0-9",
  graph: "!-~",
  lower: "a-z",
  print: " -~",
  punct: "!-\\/:-@\\[-`{-~",
  space: "\\t\\n\\v\\f\\r ",
  upper: "A-Z",
  word: "0-9A-Za-z_",
  xdigit: "0-9A-Fa-f",
};

const cache = new Map<string, RegExp>();

/**
 * Translate an RE2 pattern into a JavaScript RegExp (cached). Throws UnsupportedRegexError for
 * constructs JavaScript cannot express the same way, and SyntaxError for invalid patterns.
 *
 * @example
 * re2("(?i)^abc$").test("ABC"); // true
 */
export function re2(pattern: string): RegExp {
  const hit = cache.get(pattern);
  if (hit) return hit;
  let src = pattern;
  let flags = "";
  // Flags set at the top level after only anchors (`^(?i)…`) apply to the whole pattern.
  const lead = /^(\^*)\(\?([imsU]+)\)/.exec(src);
  if (lead) {
    for (const f of lead[2]!) {
      if (f === "U") throw new UnsupportedRegexError("RE2 flag U (ungreedy) has no JavaScript equivalent");
      if (!flags.includes(f)) flags += f;
    }
    src = lead[1]! + src.slice(lead[0].length);
  }
  let out = "";
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === "\\") {
      const n = src[i + 1];
      if (n === undefined) throw new SyntaxError(`invalid regular expression ${JSON.stringify(pattern)}: trailing backslash`);
      i++;
      if (n === "Q") {
        const end = src.indexOf("\\E", i + 1);
        const lit = end < 0 ? src.slice(i + 1) : src.slice(i + 1, end);
        out += lit.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
        i = end < 0 ? src.length : end + 1;
        continue;
      }
      if (!inClass && n === "A") out += "^";
      else if (!inClass && n === "z") out += flags.includes("m") ? "(?![\\s\\S])" : "$";
      else if (n === "s") out += inClass ? "\\t\\n\\f\\r " : "[\\t\\n\\f\\r ]";
      else if (n === "S") out += inClass ? ((): never => { throw new UnsupportedRegexError("\\S inside a character class"); })() : "[^\\t\\n\\f\\r ]";
      else if (n === "p" || n === "P") {
        if (src[i + 1] === "{") {
          const end = src.indexOf("}", i);
          out += `\\${n}${src.slice(i + 1, end + 1)}`;
          i = end;
        } else {
          out += `\\${n}{${src[i + 1]}}`;
          i++;
        }
        flags += flags.includes("u") ? "" : "u";
      } else if (n === "C") throw new UnsupportedRegexError("\\C (any byte) has no JavaScript equivalent");
      else out += `\\${n}`;
      continue;
    }
    if (inClass) {
      if (c === "[" && src[i + 1] === ":") {
        const end = src.indexOf(":]", i + 2);
        if (end > 0) {
          let name = src.slice(i + 2, end);
          const negated = name.startsWith("^");
          if (negated) throw new UnsupportedRegexError(`negated POSIX class [:${name}:]`);
          name = name.trim();
          const cls = POSIX[name];
          if (!cls) throw new SyntaxError(`invalid regular expression ${JSON.stringify(pattern)}: unknown class [:${name}:]`);
          out += cls;
          i = end + 1;
          continue;
        }
      }
      if (c === "]") inClass = false;
      out += c === "[" ? "\\[" : c;
      continue;
    }
    if (c === "[") {
      inClass = true;
      out += c;
      if (src[i + 1] === "^") {
        out += "^";
        i++;
      }
      if (src[i + 1] === "]") {
        out += "\\]";
        i++;
      }
      continue;
    }
    if (c === "(" && src[i + 1] === "?") {
      if (src[i + 2] === "P" && src[i + 3] === "<") {
        out += "(?<";
        i += 3;
        continue;
      }
      if (src[i + 2] !== ":" && src[i + 2] !== "<") {
        throw new UnsupportedRegexError(`inline flag group ${JSON.stringify(src.slice(i, i + 6))} inside the pattern`);
      }
    }
    out += c;
  }
  let re: RegExp;
  try {
    re = new RegExp(out, flags.includes("u") ? flags : `${flags}u`);
  } catch {
    re = new RegExp(out, flags.replace("u", ""));
  }
  if (cache.size > 10_000) cache.clear();
  cache.set(pattern, re);
  return re;
}
