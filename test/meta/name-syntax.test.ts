/**
 * The name checks match apimachinery's regular expressions (k8s.io/apimachinery/pkg/util/validation)
 * exactly: the patterns, anchored as Go's regexp.MatchString anchors them, against the checks on
 * generated names made of the characters that matter (and some that never match: upper case where
 * only lower case is allowed, `_`, `/`, space, newline, non-ASCII and astral characters).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from "../../src/meta/public.js";

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const CHARS = ["a", "z", "m", "0", "9", "5", "A", "Z", "Q", "-", ".", "_", "/", " ", "\n", "é", "ß", "ａ", "😀", "\u0000", "@", ":", "`", "{", "[", "~"];
const names = fc.array(fc.constantFrom(...CHARS), { maxLength: 12 }).map((cs) => cs.join(""));
const FIXED = ["", "a", "-", ".", "a.", ".a", "a..b", "a-.b", "a.-b", "a-", "-a", "0", "0.0", "a.b.c", "A", "a_b", "_a", "a_", "a\n", "\na", "é", "aé", "x😀", "ab-cd.ef-gh", "a".repeat(64)];

// The checks' own messages when the pattern fails (length limits aside).
const failsPattern = (errs: string[]) => errs.some((e) => e.includes("regex used for validation"));

describe("name syntax loops", () => {
  it("answer as apimachinery's regular expressions do", () => {
    const check = (v: string) => {
      expect(failsPattern(isDNS1123Label(v)), `label ${JSON.stringify(v)}`).toBe(!DNS1123_LABEL.test(v));
      expect(failsPattern(isDNS1123Subdomain(v)), `subdomain ${JSON.stringify(v)}`).toBe(!DNS1123_SUBDOMAIN.test(v));
      expect(failsPattern(isDNS1035Label(v)), `1035 ${JSON.stringify(v)}`).toBe(!DNS1035_LABEL.test(v));
      expect(failsPattern(isValidLabelValue(v)), `label value ${JSON.stringify(v)}`).toBe(!LABEL_VALUE.test(v));
      // The name part of a qualified name (no `/`: a prefix is a subdomain, checked above).
      if (!v.includes("/")) expect(isQualifiedName(v).some((e) => e.startsWith("name part must consist")), `qualified ${JSON.stringify(v)}`).toBe(!QUALIFIED_NAME.test(v));
    };
    for (const v of FIXED) check(v);
    fc.assert(fc.property(names, (v) => check(v)), { numRuns: 4000 });
  });

  it("check a prefixed qualified name's parts", () => {
    expect(isQualifiedName("example.com/web")).toEqual([]);
    expect(isQualifiedName("Example.com/web")).toEqual([expect.stringContaining("prefix part a lowercase RFC 1123 subdomain")]);
    expect(isQualifiedName("example.com/-web")).toEqual([expect.stringContaining("name part must consist")]);
  });
});
