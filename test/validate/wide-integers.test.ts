/**
 * Integers beyond 2^53 in custom resources. kubectl turns YAML into JSON with go-yaml (an integer
 * literal that fits int64 stays exact; one that fits only uint64 is written out in full; a float is
 * written as Go's encoding/json writes a float64, `1e17` as 100000000000000000), and
 * kube-apiserver decodes each JSON number into int64 when it fits, float64 otherwise
 * (apimachinery's json.Unmarshal/convertNumber). kube-openapi's type validator then accepts an
 * int64 for `integer`, and refuses a float64 beyond ±2^53 (`IsFloat64AJSONInteger`) as
 * `must be of type integer: "number"`; `number` takes either.
 */
import { describe, expect, it } from "vitest";
import { validateManifests } from "../../src/validate/index.js";
import { WIDE_CRD } from "../fixtures/wide-integers.js";


const counter = (name: string, spec: string) => `---
apiVersion: example.com/v1
kind: Counter
metadata: {name: ${name}, namespace: default}
spec:
${spec
  .split("\n")
  .map((l) => `  ${l}`)
  .join("\n")}
`;

async function results(docs: string) {
  const report = await validateManifests({ file: "c.yaml", text: WIDE_CRD + docs });
  return report.results.slice(1).map((r) => [r.name, r.status, r.issues.map((i) => `${i.rule} ${i.message}`)]);
}

const accepted = [
  ["beyond-2-53", "big: 9007199254740993"],
  ["int64-max", "big: 9223372036854775807"],
  ["int64-min", "plain: -9223372036854775808"],
  ["in-a-list", "items: [9007199254740993, 1, -9223372036854775808]"],
  ["number-1e20", "ratio: 1e20"],
  ["number-beyond-int64", "ratio: 9223372036854775808"],
  ["float-within-int64", "big: 1e17"],
  ["hex-int64-max", "big: 0x7FFFFFFFFFFFFFFF"],
  ["underscored", "big: 9_007_199_254_740_993"],
] as const;

const refused = [
  ["int64-max-plus-1", "big: 9223372036854775808", "spec.big"],
  ["int64-min-minus-1", "plain: -9223372036854775809", "spec.plain"],
  ["integer-1e20", "big: 1e20", "spec.big"],
  ["uint64-max", "items: [1, 18446744073709551615]", "spec.items[1]"],
] as const;

describe("integers beyond 2^53 in a custom resource", () => {
  it("accepts every value kube-apiserver decodes as an int64 (or takes as a number)", async () => {
    const r = await results(accepted.map(([n, s]) => counter(n, s)).join(""));
    expect(r).toEqual(accepted.map(([n]) => [n, "valid", []]));
  });

  it("refuses an integer field given a value beyond int64, as the float kube-apiserver decodes it to", async () => {
    const r = await results(refused.map(([n, s]) => counter(n, s)).join(""));
    expect(r).toEqual(refused.map(([n, , field]) => [n, "invalid", [`schema/type ${field}: Invalid value: "number": ${field} in body must be of type integer: "number"`]]));
  });

  it("keeps the schema's own bounds", async () => {
    const r = await results(counter("over-max", "capped: 9007199254740993"));
    expect(r).toEqual([["over-max", "invalid", ["schema/range spec.capped: Invalid value: 9007199254740992: spec.capped in body should be less than or equal to 100"]]]);
  });

  it("reads the same where the exact reader reads the document (anchors, aliases, tags)", async () => {
    const r = await results(counter("aliased", "big: &b 9223372036854775807\nitems: [*b, !!int 9007199254740993]") + counter("aliased-over", "plain: &p -9223372036854775809\nitems: [*p]"));
    expect(r).toEqual([
      ["aliased", "valid", []],
      ["aliased-over", "invalid", ['schema/type spec.plain: Invalid value: "number": spec.plain in body must be of type integer: "number"', 'schema/type spec.items[0]: Invalid value: "number": spec.items[0] in body must be of type integer: "number"']],
    ]);
  });

  it("in a List, at the item's paths", async () => {
    const list = `---
apiVersion: v1
kind: List
items:
- apiVersion: example.com/v1
  kind: Counter
  metadata: {name: in-list, namespace: default}
  spec: {big: 9223372036854775807, plain: 9223372036854775808}
`;
    expect(await results(list)).toEqual([["in-list", "invalid", ['schema/type spec.plain: Invalid value: "number": spec.plain in body must be of type integer: "number"']]]);
  });
});
