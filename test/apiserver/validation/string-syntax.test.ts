/**
 * The one-pass checks of port names, config keys and environment variable names answer exactly as
 * the regular expressions of k8s.io/apimachinery/pkg/util/validation do: the rules written with
 * those patterns here, compared with the checks on generated strings (with characters beyond ASCII,
 * astral ones, control characters and `=`).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isConfigMapKey, isEnvVarName, isRelaxedEnvVarName, isValidPortName } from "../../../src/apiserver/validation/strings.js";
import { emptyError, maxLenError, regexError } from "../../../src/apiserver/validation/messages.js";

function chDirPrefix(value: string): string[] {
  if (value === ".") return ["must not be '.'"];
  if (value === "..") return ["must not be '..'"];
  if (value.startsWith("..")) return ["must not start with '..'"];
  return [];
}

const reference = {
  port(port: string): string[] {
    const errs: string[] = [];
    if (port.length > 15) errs.push(maxLenError(15));
    if (!/^[-a-z0-9]+$/.test(port)) errs.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
    if (!/[a-z]/.test(port)) errs.push("must contain at least one letter (a-z)");
    if (port.includes("--")) errs.push("must not contain consecutive hyphens");
    if (port.length > 0 && (port.startsWith("-") || port.endsWith("-"))) errs.push("must not begin or end with a hyphen");
    return errs;
  },
  configKey(value: string): string[] {
    const errs: string[] = [];
    if (value.length > 253) errs.push(maxLenError(253));
    if (!/^[-._a-zA-Z0-9]+$/.test(value)) errs.push(regexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'", "[-._a-zA-Z0-9]+", "key.name", "KEY_NAME", "key-name"));
    return [...errs, ...chDirPrefix(value)];
  },
  envVar(value: string): string[] {
    const errs: string[] = [];
    const format = "[-._a-zA-Z][-._a-zA-Z0-9]*";
    if (!new RegExp(`^${format}$`).test(value)) {
      errs.push(regexError("a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit", format, "my.env-name", "MY_ENV.NAME", "MyEnvName1"));
    }
    return [...errs, ...chDirPrefix(value)];
  },
  relaxedEnvVar(value: string): string[] {
    const errs: string[] = [];
    if (value.length === 0) errs.push(`environment variable name ${emptyError()}`);
    for (const ch of value) {
      const c = ch.codePointAt(0)!;
      if (c > 0x7e || c < 0x20 || ch === "=") {
        errs.push("a valid environment variable name must consist only of printable ASCII characters other than '='");
        break;
      }
    }
    return errs;
  },
};

const CHARS = ["a", "z", "h", "0", "9", "A", "Z", "-", ".", "_", "=", " ", "~", "\u007f", "\u001f", "\n", "/", "é", "😀", "\ud800", "%"];
const strings = fc.array(fc.constantFrom(...CHARS), { maxLength: 18 }).map((cs) => cs.join(""));
const FIXED = ["", ".", "..", "...", "..a", ".a", "a", "1", "1a", "a1", "-", "--", "a--b", "-a", "a-", "http", "metrics", "a".repeat(15), "a".repeat(16), "k".repeat(253), "k".repeat(254), "MY_VAR", "my.env-name"];

describe("one-pass string checks", () => {
  it("answer as the regular expressions do", () => {
    const check = (v: string) => {
      expect(isValidPortName(v), `port ${JSON.stringify(v)}`).toEqual(reference.port(v));
      expect(isConfigMapKey(v), `config key ${JSON.stringify(v)}`).toEqual(reference.configKey(v));
      expect(isEnvVarName(v), `env ${JSON.stringify(v)}`).toEqual(reference.envVar(v));
      expect(isRelaxedEnvVarName(v), `relaxed env ${JSON.stringify(v)}`).toEqual(reference.relaxedEnvVar(v));
    };
    for (const v of FIXED) check(v);
    fc.assert(fc.property(strings, (v) => check(v)), { numRuns: 4000 });
  });
});
