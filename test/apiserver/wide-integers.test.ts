/**
 * kube-apiserver's decoding of JSON numbers (apimachinery's convertNumber: int64 when the integer
 * fits, float64 otherwise) against Zod's ±(2^53−1) integer bound.
 */
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { decodesAsInt64, int64Issues, int64Rounded, int64RoundedJson, withInt64Rounding } from "../../src/apiserver/wide-integers.js";
import { readYamlDocuments } from "../../src/yaml/documents.js";

describe("decodesAsInt64", () => {
  it("by the exact literal where the reader saw one, else by the number", () => {
    expect(decodesAsInt64(2 ** 63, ["n"], [{ path: ["n"], value: 2n ** 63n - 1n }])).toBe(true);
    expect(decodesAsInt64(2 ** 63, ["n"], [{ path: ["n"], value: 2n ** 63n }])).toBe(false);
    expect(decodesAsInt64(-(2 ** 63), ["n"], [{ path: ["n"], value: -(2n ** 63n) - 1n }])).toBe(false);
    expect(decodesAsInt64(-(2 ** 63), ["n"])).toBe(true);
    expect(decodesAsInt64(2 ** 63, ["n"])).toBe(false);
    expect(decodesAsInt64(2 ** 62, ["n"])).toBe(true);
    expect(decodesAsInt64(1e20, ["n"])).toBe(false);
    // A literal noted for a value no longer there (a later key replaced it) is not used.
    expect(decodesAsInt64(2 ** 63, ["n"], [{ path: ["n"], value: 2n ** 60n }])).toBe(false);
  });
});

describe("int64Issues", () => {
  const schema = z.object({ n: z.int().lte(2 ** 62) });
  const issuesOf = (v: number) => int64Issues(schema.safeParse({ n: v }).error!.issues, { n: v });
  it("drops the ±(2^53−1) bound for an int64 and keeps the schema's own bounds", () => {
    expect(int64Issues(z.int().safeParse(2 ** 60).error!.issues, 2 ** 60)).toEqual([]);
    expect(issuesOf(2 ** 62 + 2 ** 40).map((i) => [i.code, (i as { maximum?: unknown }).maximum])).toEqual([["too_big", 2 ** 62]]);
  });
  it("turns it into a type error beyond int64", () => {
    expect(issuesOf(1e20).map((i) => [i.code, i.path])).toEqual([
      ["invalid_type", ["n"]],
      ["too_big", ["n"]],
    ]);
  });
});

describe("int64Rounded and the JSON text pass", () => {
  it("keeps each integer on its side of the int64 bounds", () => {
    expect(int64Rounded(2n ** 63n - 1n)).toBe(2 ** 63 - 1024);
    expect(int64Rounded(2n ** 63n)).toBe(2 ** 63);
    expect(int64Rounded(-(2n ** 63n))).toBe(-(2 ** 63));
    expect(int64Rounded(-(2n ** 63n) - 1n)).toBe(-(2 ** 63) - 2048);
    expect(int64Rounded(9007199254740993n)).toBe(9007199254740992);
  });
  it("rewrites only integers near the bounds, never inside strings or floats", () => {
    const text = '{"a":9223372036854775807,"b":"9223372036854775807","c":[-9223372036854775809,9223372036854775808],"d":9223372036854775807.0,"e":1.9223372036854775807,"f":9007199254740993}';
    const out = int64RoundedJson(text);
    expect(out.length).toBe(text.length);
    expect(JSON.parse(out)).toEqual({ a: 2 ** 63 - 1024, b: "9223372036854775807", c: [-(2 ** 63) - 2048, 2 ** 63], d: 2 ** 63, e: 1.9223372036854775807, f: 9007199254740992 });
    expect(int64RoundedJson('{"a":1}')).toBe('{"a":1}');
  });
  it("applies to a YAML document's noted literals", () => {
    const [doc] = readYamlDocuments("big: 9223372036854775807\nlow: [-9223372036854775809]\n");
    expect(withInt64Rounding(doc!.value, doc!.wideIntegers!)).toEqual({ big: 2 ** 63 - 1024, low: [-(2 ** 63) - 2048] });
  });
});
