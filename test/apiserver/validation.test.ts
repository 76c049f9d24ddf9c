/**
 * The shared value checks of src/apiserver/validation, against the cases of apimachinery's own tests
 * (util/validation/validation_test.go, api/resource/quantity_test.go, meta/v1/validation).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FieldPath } from "../../src/apiserver/field.js";
import { formatFieldError } from "../../src/meta/index.js";
import {
  isConfigMapKey,
  isEnvVarName,
  isRelaxedEnvVarName,
  isValidPercent,
  isValidPortName,
  isValidPortNum,
  Quantity,
  validateLabelSelector,
} from "../../src/apiserver/validation/index.js";

describe("Quantity (quantity_test.go TestQuantityString / TestQuantityParse)", () => {
  it.each([
    ["1000m", "1"],
    ["1000", "1k"],
    ["0.1", "100m"],
    ["1.5Gi", "1536Mi"],
    ["2048Ki", "2Mi"],
    ["1Ki", "1Ki"],
    ["0.5Ki", "512"],
    ["1024", "1024"],
    ["1e3", "1e3"],
    ["100Ki", "100Ki"],
    ["0", "0"],
    ["-1.5Gi", "-1536Mi"],
  ])("%s prints as %s", (text, canonical) => {
    expect(Quantity.parse(text)?.toString()).toBe(canonical);
  });

  it("rounds up to nano units and compares exactly", () => {
    expect(Quantity.parse("0.0000000001")!.toString()).toBe("1n");
    expect(Quantity.parse("500m")!.cmp(Quantity.parse("0.5")!)).toBe(0);
    expect(Quantity.parse("1Gi")!.cmp(Quantity.parse("1G")!)).toBe(1);
    expect(Quantity.from(2)!.cmp(Quantity.parse("2000m")!)).toBe(0);
  });

  it("compares the same in doubles as in exact arithmetic, near and beyond what a double holds", () => {
    const digits = fc.oneof(fc.bigInt({ min: -(2n ** 60n), max: 2n ** 60n }), fc.integer({ min: -5000, max: 5000 }).map(BigInt));
    const suffix = fc.constantFrom("n", "u", "m", "", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ei", "e30", "e-3", "e21");
    const quantity = fc.tuple(digits, suffix).map(([d, s]) => Quantity.parse(`${d}${s}`)!);
    fc.assert(
      fc.property(quantity, quantity, (a, b) => {
        const exp = Math.min(a.exp, b.exp);
        const x = a.digits * 10n ** BigInt(a.exp - exp);
        const y = b.digits * 10n ** BigInt(b.exp - exp);
        expect(a.cmp(b)).toBe(x < y ? -1 : x > y ? 1 : 0);
      }),
      { numRuns: 2000 },
    );
  });

  it.each(["", "1.5.5", "1Gb", "Gi", "1 Gi", "0x10"])("refuses %j", (text) => {
    expect(Quantity.parse(text)).toBeUndefined();
  });
});

describe("util/validation (validation_test.go)", () => {
  it("ports and port names", () => {
    expect(isValidPortNum(65535)).toEqual([]);
    expect(isValidPortNum(0)).toEqual(["must be between 1 and 65535, inclusive"]);
    for (const ok of ["telnet", "re-mail-ck", "pop3", "a", "a-1", "1-a", "a-1-b-2-c", "1-a-2-b-3"]) expect(isValidPortName(ok)).toEqual([]);
    expect(isValidPortName("longerthan15characters")).toEqual(["must be no more than 15 characters"]);
    expect(isValidPortName("12345")).toEqual(["must contain at least one letter (a-z)"]);
    expect(isValidPortName("a--b")).toEqual(["must not contain consecutive hyphens"]);
    expect(isValidPortName("-begin")).toEqual(["must not begin or end with a hyphen"]);
    expect(isValidPortName("Upper")).toEqual(["must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"]);
  });

  it("environment variable names, strict and relaxed", () => {
    for (const ok of ["a", "A", "ab", "AB", "a_b", "A_B", "a1", "_a", "a.b", "a-b", "a..b"]) expect(isEnvVarName(ok)).toEqual([]);
    expect(isEnvVarName("1a")).toHaveLength(1);
    expect(isEnvVarName("..")).toEqual(["must not be '..'"]);
    expect(isRelaxedEnvVarName("1a")).toEqual([]);
    expect(isRelaxedEnvVarName("a=b")).toEqual(["a valid environment variable name must consist only of printable ASCII characters other than '='"]);
  });

  it("config keys and percentages", () => {
    for (const ok of ["a", "A", "a.b", "a_b", "a-b", ".a"]) expect(isConfigMapKey(ok)).toEqual([]);
    expect(isConfigMapKey("..a")).toEqual(["must not start with '..'"]);
    expect(isConfigMapKey("a/b")).toHaveLength(1);
    expect(isValidPercent("25%")).toEqual([]);
    expect(isValidPercent("25")).toHaveLength(1);
  });
});

describe("ValidateLabelSelector (meta/v1/validation)", () => {
  const path = FieldPath.of("spec", "selector");
  it("accepts matchLabels and each operator used as documented", () => {
    const selector = {
      matchLabels: { app: "web" },
      matchExpressions: [
        { key: "tier", operator: "In", values: ["a", "b"] },
        { key: "env", operator: "NotIn", values: ["prod"] },
        { key: "x", operator: "Exists" },
        { key: "y", operator: "DoesNotExist" },
      ],
    };
    expect(validateLabelSelector(selector, {}, path)).toEqual([]);
  });

  it("reports missing values, forbidden values, unknown operators and bad keys", () => {
    const errors = validateLabelSelector(
      {
        matchExpressions: [
          { key: "a", operator: "In", values: [] },
          { key: "b", operator: "Exists", values: ["x"] },
          { key: "c", operator: "Is" },
          { key: "-bad", operator: "Exists" },
        ],
      },
      {},
      path,
    ).map(formatFieldError);
    expect(errors.slice(0, 3)).toEqual([
      "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
      "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
      'spec.selector.matchExpressions[2].operator: Invalid value: "Is": not a valid selector operator',
    ]);
    expect(errors[3]).toMatch(/^spec\.selector\.matchExpressions\[3\]\.key: Invalid value: "-bad": name part must consist of/);
  });
});
