/**
 * Regular expressions as CEL in Kubernetes runs them: RE2 syntax and semantics (Go's `regexp`),
 * from the RE2JS port — `(?i)` and `\A`/`\z` work, look-around is a syntax error, matching time is
 * linear. Patterns are compiled once and cached.
 */
import { createRequire } from "node:module";
import type * as Re2Js from "re2js";
import * as k from "#schemas/runtime.js";
import { KubeError, type KubeErrorCode } from "../errors.js";

/**
 * A pattern RE2 does not accept; the message is Go's (`error parsing regexp: …`).
 *
 * @example
 * try { re2("(?=x)"); } catch (e) { if (e instanceof RegexSyntaxError) console.error(e.message); }
 */
export class RegexSyntaxError extends KubeError {
  override name = "RegexSyntaxError";
  override readonly code: KubeErrorCode = "KUBE_UNSUPPORTED_REGEX";
}

/**
 * The former name of {@link RegexSyntaxError}: every RE2 pattern is now supported, invalid ones throw.
 *
 * @example
 * try { re2("(?=x)"); } catch (e) { if (e instanceof UnsupportedRegexError) console.error(e.message); }
 */
export const UnsupportedRegexError = RegexSyntaxError;

/** A compiled RE2 pattern. */
export interface Re2 {
  /** Whether the pattern matches anywhere in the text (`matches` in CEL). */
  test(text: string): boolean;
  /** The first match, or undefined. */
  find(text: string): string | undefined;
  /** Every match, left to right, at most `limit` when limit ≥ 0. */
  findAll(text: string, limit?: number): string[];
}

const cache = new Map<string, Re2 | RegexSyntaxError>();

let re2jsModule: typeof Re2Js | undefined;

/** The RE2 engine, loaded when a first pattern is compiled. */
function re2js(): typeof Re2Js {
  return (re2jsModule ??= createRequire(import.meta.url)("re2js") as typeof Re2Js);
}

/**
 * Compile an RE2 pattern (cached). Throws {@link RegexSyntaxError} with Go's message.
 *
 * @example
 * re2("(?i)^abc$").test("ABC"); // true
 */
export function re2(pattern: string): Re2 {
  let hit = cache.get(pattern);
  if (!hit) {
    try {
      const re = re2js().RE2JS.compile(pattern);
      hit = {
        test: (text) => re.test(text),
        find: (text) => {
          const m = re.matcher(text);
          return m.find() ? (m.group() ?? "") : undefined;
        },
        findAll: (text, limit = -1) => {
          const out: string[] = [];
          if (limit === 0) return out;
          const m = re.matcher(text);
          while (m.find()) {
            out.push(m.group() ?? "");
            if (limit > 0 && out.length >= limit) break;
          }
          return out;
        },
      };
    } catch (err) {
      hit = new RegexSyntaxError((err as Error).message);
    }
    if (cache.size > 10_000) cache.clear();
    cache.set(pattern, hit);
  }
  if (hit instanceof RegexSyntaxError) throw hit;
  return hit;
}

/**
 * Why a pattern does not compile, or undefined when it does.
 *
 * @example
 * regexError("a(?=b)"); // "error parsing regexp: invalid or unsupported Perl syntax: `(?=`"
 */
export function regexError(pattern: string): string | undefined {
  try {
    re2(pattern);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * The RegExp an OpenAPI `pattern` is checked with: it matches as kube-apiserver's Go `regexp` does
 * (RE2 syntax and semantics), in time linear in the text. JavaScript's backtracking engine takes
 * exponential time on patterns such as `^(a+)+$`: one value could hold the validator or the local
 * server for minutes. Undefined when RE2 refuses the pattern (a CRD with it is refused anyway).
 *
 * @example
 * patternRegExp("^(a+)+$")?.test("a".repeat(50) + "!"); // false, at once
 */
export function patternRegExp(pattern: string): RegExp | undefined {
  return regexError(pattern) === undefined ? k.pattern(pattern) : undefined;
}
