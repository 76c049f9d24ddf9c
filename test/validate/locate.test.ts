/**
 * Positions of reported fields: found again by the fast reader where it can (most documents),
 * they must be exactly where the exact reader puts them — for every key and list item of the
 * test corpora and of many YAML styles, and for paths that go past what a document has.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readYamlDocuments } from "../../src/yaml/documents.js";
import { stringifyYaml as stringify } from "../../src/yaml/text.js";
import type { PathSegment } from "../../src/meta/index.js";
import { resource } from "../../bench/validate-corpus.js";

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? files(p) : /\.ya?ml$/.test(e) ? [p] : [];
  });
}

/** Every path in a value, and a step past each leaf and past each list's end. */
function paths(value: unknown, prefix: PathSegment[] = [], out: PathSegment[][] = []): PathSegment[][] {
  out.push(prefix);
  if (Array.isArray(value)) {
    value.forEach((v, i) => paths(v, [...prefix, i], out));
    out.push([...prefix, value.length]);
  } else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out);
    out.push([...prefix, "absent"]);
  } else out.push([...prefix, "deeper"]);
  return out;
}

const styles = `
"quoted key": 1
'single': {flow: [1, 2], map: {a: b}}
plain: |
  block
  scalar
folded: >-
  folded
  text
list:
- a
- - nested
  - pair
-
  - under
- key: v
  other: w
-   spaced: x
- "quoted item"
- [flow, list]
- {flow: map}
empty:
nulls: ~
comment: value # trailing
deep:
  a:
    b:
      - c: [1]
        d: e
# a comment at the margin, inside the block
      - c: [2]
        d: f
indentless:
- one
- two:
    three: 3
  four: 4
after: x
script: |
  #!/bin/sh
  echo "# not a comment"

  exit 0
long plain: this scalar
  goes on over
  three lines
quoted: "and this one
  too"
last: [a, {b: c}]
`;

describe("locating fields", () => {
  const texts = [
    ...files("test/fixtures/validate").map((f) => readFileSync(f, "utf8")),
    Array.from({ length: 20 }, (_, i) => stringify(resource(i, true))).join("---\n"),
    styles,
  ];

  it("the fast reader finds every field where the exact reader does", () => {
    let compared = 0;
    for (const text of texts) {
      const fast = readYamlDocuments(text);
      const exact = readYamlDocuments(text, { fastPath: false });
      expect(fast.map((d) => d.value)).toEqual(exact.map((d) => d.value));
      fast.forEach((doc, i) => {
        if (doc.error) return;
        for (const p of paths(doc.value)) {
          expect(doc.locate(p), JSON.stringify(p)).toEqual(exact[i]!.locate(p));
          compared++;
        }
      });
    }
    expect(compared).toBeGreaterThan(10_000);
  });
});
