/**
 * Integer literals beyond ±(2^53−1): the value holds them rounded, as `Number` does, and the
 * document notes each with its exact value (go-yaml reads decimal, 0x, 0o, 0b, leading-0 octal and
 * `_`-separated literals), on the fast path's documents and the exact reader's alike.
 */
import { describe, expect, it } from "vitest";
import { readYamlDocuments } from "../../src/yaml/documents.js";
import { plainScalarValue, NOTICED, wideIntegerLiteral } from "../../src/yaml/scalars.js";

const read = (text: string, fastPath = true) => readYamlDocuments(text, { fastPath })[0]!;

describe("wideIntegerLiteral", () => {
  it("gives the exact value of integer literals beyond ±(2^53−1) only", () => {
    expect(wideIntegerLiteral("9007199254740993")).toBe(9007199254740993n);
    expect(wideIntegerLiteral("-9223372036854775808")).toBe(-9223372036854775808n);
    expect(wideIntegerLiteral("+9223372036854775807")).toBe(9223372036854775807n);
    expect(wideIntegerLiteral("0x7FFFFFFFFFFFFFFF")).toBe(9223372036854775807n);
    expect(wideIntegerLiteral("0o777777777777777777777")).toBe(0o777777777777777777777n);
    expect(wideIntegerLiteral("0777777777777777777777")).toBe(0o777777777777777777777n);
    expect(wideIntegerLiteral("0b" + "1".repeat(60))).toBe(2n ** 60n - 1n);
    expect(wideIntegerLiteral("9_007_199_254_740_993")).toBe(9007199254740993n);
    for (const t of ["9007199254740991", "-9007199254740991", "1e20", "9007199254740993.0", "12345", "0x1F", "abc", "9007199254740993x"]) expect(wideIntegerLiteral(t)).toBeUndefined();
  });

  it("sends such a plain scalar to the exact reader; other numbers keep the fast path", () => {
    expect(plainScalarValue("9007199254740993")).toBe(NOTICED);
    expect(plainScalarValue("9007199254740991")).toBe(9007199254740991);
    expect(plainScalarValue("1e20")).toBe(1e20);
    expect(plainScalarValue("12345678901234567.5")).toBe(12345678901234567.5);
  });
});

describe("a document's wideIntegers", () => {
  const text = "spec:\n  a: 9007199254740993\n  b: [1, -9223372036854775809]\n  c: 1e20\n  d: '9007199254740993'\n  9007199254740993: x\n";
  it("notes each integer literal at its path, whichever reader reads it; strings, floats and keys are not noted", () => {
    for (const fastPath of [true, false]) {
      const doc = read(text, fastPath);
      expect(doc.value).toEqual({ spec: { a: 9007199254740992, b: [1, -9223372036854775808], c: 1e20, d: "9007199254740993", "9007199254740992": "x" } });
      expect(doc.wideIntegers).toEqual([
        { path: ["spec", "a"], value: 9007199254740993n },
        { path: ["spec", "b", 1], value: -9223372036854775809n },
      ]);
    }
  });

  it("is absent without wide literals, and the fast path reads such documents", () => {
    const doc = read("a: 9007199254740991\nb: 1e300\n");
    expect(doc.wideIntegers).toBeUndefined();
    expect(doc.value).toEqual({ a: 9007199254740991, b: 1e300 });
  });

  it("follows anchors, aliases, merge keys and !!int tags", () => {
    const doc = read("a: &n 9223372036854775807\nb: *n\nc: &m {x: 9007199254740993}\nd:\n  <<: *m\n  z: !!int 9007199254740995\ne: [*m]\n");
    expect(doc.wideIntegers).toEqual([
      { path: ["a"], value: 9223372036854775807n },
      { path: ["b"], value: 9223372036854775807n },
      { path: ["c", "x"], value: 9007199254740993n },
      { path: ["d", "x"], value: 9007199254740993n },
      { path: ["d", "z"], value: 9007199254740995n },
      { path: ["e", 0, "x"], value: 9007199254740993n },
    ]);
  });
});
