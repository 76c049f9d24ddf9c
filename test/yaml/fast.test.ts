/**
 * The fast YAML path must read exactly what the exact reader reads, or leave the document to it.
 * Manifests are generated in many YAML styles (well-formed and not), and every document the fast
 * path accepts is compared with the exact reader's value, notices, errors and positions.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readYamlDocuments, resolvePlainScalar, type YamlDocument } from "../../src/yaml/public.js";
import { NOTICED, plainScalarValue, wideIntegerLiteral } from "../../src/yaml/scalars.js";
import { fastDocumentReader } from "../../src/yaml/fast.js";
import { yamlDocuments, yamlDocumentsOfBytes } from "../../src/yaml/documents.js";
import { hasShared, needsShared, repoRoot, sharedPath } from "../support/shared.js";
import { writeCorpus } from "../../bench/validate-corpus.js";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Same value, same key order everywhere. */
function sameValue(a: unknown, b: unknown): boolean {
  if (!isDeepStrictEqual(a, b)) return false;
  if (Array.isArray(a)) return a.every((v, i) => sameValue(v, (b as unknown[])[i]));
  if (a && typeof a === "object") {
    const ka = Object.keys(a);
    const kb = Object.keys(b as object);
    return ka.join("\0") === kb.join("\0") && ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return true;
}

function paths(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

function describeDoc(d: YamlDocument): unknown {
  return { index: d.index, position: d.position, value: d.value, notices: d.notices, error: d.error };
}

/** Read a stream both ways; the fast path's documents must be the exact reader's. Returns how many documents were read fast. */
function checkStream(text: string): number {
  const exact = readYamlDocuments(text, { fastPath: false });
  const mixed = readYamlDocuments(text);
  expect(mixed.map(describeDoc)).toEqual(exact.map(describeDoc));
  exact.forEach((e, i) => {
    const m = mixed[i]!;
    expect(sameValue(m.value, e.value)).toBe(true);
    for (const p of paths(e.value).slice(0, 40)) expect(m.locate(p)).toEqual(e.locate(p));
  });
  checkBytes(text, mixed);
  // The fast reader on the whole stream, when it is one document without markers.
  const fast = text.split("\n").some((l) => l.startsWith("---") || l.startsWith("...")) ? undefined : fastDocumentReader(text, 256)(0, text.length);
  if (fast) {
    expect(exact).toHaveLength(1);
    expect(exact[0]!.error).toBeUndefined();
    expect(exact[0]!.notices).toEqual([]);
    expect(sameValue(fast.value, exact[0]!.value)).toBe(true);
    return 1;
  }
  return 0;
}

/**
 * The same stream as UTF-8 bytes, each document decoded on its own, reads to the same documents
 * as the decoded text (values, key order, notices, errors, positions), with notices and without.
 */
function checkBytes(text: string, fromText: YamlDocument[]): void {
  const bytes = Buffer.from(text);
  if (bytes.toString("utf8") !== text) return; // lone surrogates: not a UTF-8 file
  const fromBytes = [...yamlDocumentsOfBytes(bytes)];
  expect(fromBytes.map(describeDoc)).toEqual(fromText.map(describeDoc));
  fromText.forEach((t, i) => {
    const b = fromBytes[i]!;
    expect(sameValue(b.value, t.value)).toBe(true);
    for (const p of paths(t.value).slice(0, 40)) expect(b.locate(p)).toEqual(t.locate(p));
  });
  const quiet = { implicitConversionNotices: false };
  expect([...yamlDocumentsOfBytes(bytes, quiet)].map(describeDoc)).toEqual([...yamlDocuments(text, quiet)].map(describeDoc));
  // Bytes that are not a Buffer (a view into a larger buffer).
  const padded = new Uint8Array(bytes.length + 4);
  padded.set(bytes, 2);
  expect([...yamlDocumentsOfBytes(padded.subarray(2, 2 + bytes.length))].map(describeDoc)).toEqual(fromText.map(describeDoc));
}

// Scalars that YAML reads in surprising ways, or that break naive readers.
const TRICKY = [
  "yes", "no", "on", "off", "y", "n", "true", "False", "null", "~", "NULL", "", " ", "0644", "0x1F", "0o17", "0b101", "1_000",
  "1e3", ".5", "-.inf", ".nan", "+1", "-0", "1.0", "2024-01-01", "2024-01-01T00:00:00Z", "1:20", "12345678901234567890",
  "-", "- a", "a: b", "a:b", "#x", "a #b", "a#b", " lead", "trail ", "'q'", '"dq"', "it's", 'say "hi"', "back\\slash",
  "multi\nline", "two\n\nbreaks", "tab\there", "cr\rhere", "é", "日本", "😀", "[x]", "{x}", "x]", "*a", "&a", "!t", "%p",
  "@a", "`b", "|", ">", "a,b", "http://x:8080/y", "--flag=1", "?", "? x", ":x", "<<", "__proto__", "a\\nb", "\u00a0nbsp", "...", "---",
];
const PLAIN_WORDS = ["app", "web", "nginx:1.25", "registry.example.com/app", "info", "Deployment", "v1", "100m", "128Mi", "80", "8080", "true", "http", "/ready", "a b c"];

const key = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom("apiVersion", "kind", "metadata", "name", "labels", "spec", "containers", "image", "ports", "env", "value", "data", "app.kubernetes.io/name", "a", "b", "c") },
  { weight: 2, arbitrary: fc.constantFrom(...TRICKY) },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
);
const scalar: fc.Arbitrary<Json> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...PLAIN_WORDS) },
  { weight: 3, arbitrary: fc.constantFrom(...TRICKY) },
  { weight: 2, arbitrary: fc.integer({ min: -100000, max: 100000 }) },
  { weight: 1, arbitrary: fc.double({ noNaN: false }) },
  { weight: 1, arbitrary: fc.constantFrom<Json>(true, false, null) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.array(fc.constantFrom("word", "other", "x", "", " "), { maxLength: 8 }).map((w) => w.join(" ")) },
);
const { node: tree } = fc.letrec<{ node: Json }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    { weight: 3, arbitrary: scalar },
    { weight: 2, arbitrary: fc.dictionary(key, tie("node"), { maxKeys: 5 }) as fc.Arbitrary<Json> },
    { weight: 1, arbitrary: fc.array(tie("node"), { maxLength: 4 }) },
  ),
}));

/** Writes a value as YAML, every choice of style drawn from `choices`. */
class Writer {
  private i = 0;
  /** `clean`: no comments, odd spacing or indentation, and only quoting that keeps every value. */
  constructor(
    private readonly choices: number[],
    private readonly clean = false,
  ) {}

  pick(n: number): number {
    return this.choices.length ? this.choices[this.i++ % this.choices.length]! % n : 0;
  }

  pad(n: number): string {
    return " ".repeat(Math.max(0, n));
  }

  /** Noise after a value: nothing, a comment, trailing spaces. */
  tail(): string {
    if (this.clean) return "";
    switch (this.pick(24)) {
      case 0:
      case 1:
        return " # note";
      case 2:
        return "  ";
      case 3:
        return "#glued";
      default:
        return "";
    }
  }

  /** Lines between entries: nothing, blank lines, comments at some indentation. */
  between(indent: number): string {
    if (this.clean) return "";
    switch (this.pick(10)) {
      case 0:
        return "\n";
      case 1:
        return `${this.pad(indent + this.pick(5) - 2)}# between\n`;
      case 2:
        return "   \n";
      default:
        return "";
    }
  }

  /** A scalar written inline after `key: ` or `- `; may span lines (continuations at `indent`). */
  scalar(v: Json, indent: number): string {
    if (v === null) return this.clean ? "null" : ["", "null", "~", "Null"][this.pick(4)]!;
    if (typeof v === "boolean") return this.clean ? String(v) : [String(v), `"${v}"`, v ? "yes" : "no", v ? "True" : "FALSE"][this.pick(4)]!;
    if (typeof v === "number") return [String(v), `"${v}"`, `'${v}'`][this.pick(3)]!;
    const s = v as string;
    const cont = () => `\n${this.pad(indent + (this.clean ? 2 : this.pick(4) - 1))}`;
    if (this.clean) {
      const quoted = JSON.stringify(s);
      return [quoted, `'${s.replace(/'/g, "''")}'`, `|-\n${this.pad(indent + 2)}${s}`, /^[a-z]/.test(s) && !/[:#]/.test(s) ? s : quoted][this.pick(4)]!;
    }
    switch (this.pick(9)) {
      case 0:
      case 1:
        return s.replace(/\n/g, cont());
      case 2:
        return `'${s.replace(/'/g, "''").replace(/\n/g, () => (this.pick(2) ? `\n${cont()}` : cont()))}'`;
      case 3:
        return JSON.stringify(s);
      case 4:
        return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, () => (this.pick(3) ? "\\n" : cont()))}"`;
      case 5:
      case 6: {
        const header = `${this.pick(2) ? "|" : ">"}${["", "-", "+"][this.pick(3)]}${this.pick(4) === 0 ? String(1 + this.pick(3)) : ""}${this.pick(6) === 0 ? " # c" : ""}`;
        const body = s
          .split("\n")
          .map((l) => (l === "" && this.pick(2) ? "" : `${this.pad(indent + 1 + this.pick(3))}${l}`))
          .join("\n");
        return `${header}\n${body}${this.pick(3) === 0 ? "\n" : ""}`;
      }
      case 7:
        return this.flow(s);
      default: {
        // A long plain scalar folded over several lines.
        const words = s.split(" ");
        return words.map((w, i) => (i && this.pick(3) === 0 ? `${cont()}${w}` : i ? ` ${w}` : w)).join("");
      }
    }
  }

  flow(v: Json): string {
    if (this.clean) {
      if (Array.isArray(v)) return `[${v.map((x) => this.flow(x)).join(", ")}]`;
      if (v && typeof v === "object") return `{${Object.entries(v).map(([k, x]) => `${this.keyText(k)}: ${this.flow(x)}`).join(", ")}}`;
      return typeof v === "string" ? JSON.stringify(v) : String(v);
    }
    if (Array.isArray(v)) return `[${v.map((x) => this.flow(x)).join([", ", ",", " , "][this.pick(3)])}${this.pick(5) === 0 ? ", " : ""}]`;
    if (v && typeof v === "object") {
      return `{${Object.entries(v)
        .map(([k, x]) => `${this.pick(3) === 0 ? JSON.stringify(k) : k}${[": ", ":", " : "][this.pick(3)]}${this.flow(x)}`)
        .join(", ")}}`;
    }
    if (typeof v === "string") return [v, JSON.stringify(v), `'${v.replace(/'/g, "''")}'`][this.pick(3)]!;
    return String(v);
  }

  keyText(k: string): string {
    if (this.clean) return /^[a-z][a-z.]*$/i.test(k) && this.pick(2) ? k : JSON.stringify(k);
    return [k, k, JSON.stringify(k), `'${k.replace(/'/g, "''")}'`][this.pick(4)]!;
  }

  /** A node as the value of a mapping key (text after `key:`) at mapping indentation `indent`. */
  mappingValue(v: Json, indent: number): string {
    if (v !== null && typeof v === "object" && (Array.isArray(v) ? v.length : Object.keys(v).length) && this.pick(5) !== 0) {
      const step = 1 + this.pick(4);
      if (Array.isArray(v)) {
        const seqIndent = this.pick(3) === 0 ? indent : indent + step;
        return `${this.tail()}\n${this.sequence(v, seqIndent)}`;
      }
      return `${this.tail()}\n${this.mapping(v, indent + step)}`;
    }
    if (v !== null && typeof v === "object") return ` ${this.flow(v)}${this.tail()}\n`;
    const text = this.scalar(v, indent);
    return `${text === "" ? "" : " "}${text}${text.endsWith("\n") ? "" : `${this.tail()}\n`}`;
  }

  mapping(v: { [k: string]: Json }, indent: number, first = true): string {
    let out = "";
    Object.entries(v).forEach(([k, x], i) => {
      out += `${i === 0 && !first ? "" : this.between(indent) + this.pad(indent)}${this.keyText(k)}${!this.clean && this.pick(8) === 0 ? " " : ""}:${this.mappingValue(x, indent)}`;
    });
    return out;
  }

  sequence(v: Json[], indent: number): string {
    let out = "";
    for (const x of v) {
      out += `${this.between(indent)}${this.pad(indent)}-`;
      const gap = 1 + this.pick(3);
      if (x !== null && typeof x === "object" && !Array.isArray(x) && Object.keys(x).length && this.pick(4) !== 0) {
        out += `${this.pad(gap)}${this.mapping(x, indent + 1 + gap, false)}`;
      } else if (Array.isArray(x) && x.length && this.pick(3) === 0) {
        out += `${this.pad(gap)}${this.sequence(x, indent + 1 + gap).trimStart()}`;
      } else if (x !== null && typeof x === "object" && (Array.isArray(x) ? x.length : Object.keys(x).length) && this.pick(3) === 0) {
        out += `\n${Array.isArray(x) ? this.sequence(x, indent + 1 + this.pick(3)) : this.mapping(x, indent + 1 + this.pick(3))}`;
      } else if (x !== null && typeof x === "object") out += ` ${this.flow(x)}\n`;
      else {
        const text = this.scalar(x, indent);
        out += `${text === "" ? "" : this.pad(gap)}${text}${text.endsWith("\n") ? "" : `${this.tail()}\n`}`;
      }
    }
    return out;
  }

  document(v: Json): string {
    const lead = this.clean ? "" : ["", "# header\n", "\n\n", "  # indented comment\n"][this.pick(4)]!;
    const indent = !this.clean && this.pick(6) === 0 ? 1 + this.pick(2) : 0;
    if (Array.isArray(v) && v.length) return lead + this.sequence(v, indent);
    if (v && typeof v === "object" && Object.keys(v).length) return lead + this.mapping(v as { [k: string]: Json }, indent);
    return `${lead}${this.flow(v)}\n`;
  }
}

const styles = fc.array(fc.nat(1000), { minLength: 1, maxLength: 300 });

describe("the fast YAML path reads what the exact reader reads, or leaves the document to it", () => {
  it("manifest-like documents in many styles", () => {
    let fast = 0;
    let total = 0;
    fc.assert(
      fc.property(fc.dictionary(key, tree, { minKeys: 1, maxKeys: 6 }), styles, (value, choices) => {
        total++;
        fast += checkStream(new Writer(choices).document(value));
      }),
      { numRuns: 1500 },
    );
    // Not vacuous: a good share of the generated documents took the fast path.
    expect(fast / total).toBeGreaterThan(0.2);
  });

  it("well-formed manifests take the fast path", () => {
    let fast = 0;
    let total = 0;
    const { node: plainTree } = fc.letrec<{ node: Json }>((tie) => ({
      node: fc.oneof(
        { depthSize: "small" },
        { weight: 3, arbitrary: fc.oneof(fc.constantFrom(...PLAIN_WORDS), fc.integer(), fc.boolean()) as fc.Arbitrary<Json> },
        { weight: 2, arbitrary: fc.dictionary(fc.constantFrom("name", "image", "spec", "a", "b", "app.kubernetes.io/name"), tie("node"), { maxKeys: 4 }) as fc.Arbitrary<Json> },
        { weight: 1, arbitrary: fc.array(tie("node"), { maxLength: 3 }) },
      ),
    }));
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom("apiVersion", "kind", "metadata", "spec", "data"), plainTree, { minKeys: 1 }), styles, (value, choices) => {
        total++;
        fast += checkStream(new Writer(choices, true).document(value));
      }),
      { numRuns: 300 },
    );
    expect(fast).toBe(total);
  });

  it("documents with a tab, a CR, a control, a BOM or another unusual character anywhere", () => {
    const { node: cleanTree } = fc.letrec<{ node: Json }>((tie) => ({
      node: fc.oneof(
        { depthSize: "small" },
        { weight: 3, arbitrary: fc.oneof(fc.constantFrom(...PLAIN_WORDS, "multi\nline", "a b c d e f"), fc.integer()) as fc.Arbitrary<Json> },
        { weight: 2, arbitrary: fc.dictionary(fc.constantFrom("name", "image", "spec", "a", "b"), tie("node"), { maxKeys: 4 }) as fc.Arbitrary<Json> },
        { weight: 1, arbitrary: fc.array(tie("node"), { maxLength: 3 }) },
      ),
    }));
    const odd = fc.constantFrom("\t", "\r", "\r\n", "\u0000", "\u0007", "\u001b", "\u007f", "\u0085", "\u00a0", "\u2028", "\u2029", "\u3000", "\ufeff", "\ud800", "\udc00", "\ufffe", "\uffff", "é", "😀");
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom("apiVersion", "kind", "metadata", "spec", "data"), cleanTree, { minKeys: 1 }), styles, fc.nat(), odd, (value, choices, at, ch) => {
        const text = new Writer(choices).document(value).replace(/ # note/g, " # a comment");
        const i = at % (text.length + 1);
        checkStream(text.slice(0, i) + ch + text.slice(i));
      }),
      { numRuns: 1500 },
    );
  });

  it("read from bytes, a control character is found at any offset from a word boundary, and the lines of every document are counted", () => {
    const stream = "a: 1\nb: two words\n---\nc:\n  - x # note\n  - 'y'\n---\nd: 3\n---\ne\n---\n- f\n";
    const controls = [...Array.from({ length: 32 }, (_, c) => c).filter((c) => c !== 10), 127];
    for (const c of controls) {
      for (let at = 0; at <= stream.length; at += c % 3 === 0 ? 1 : 5) {
        const text = stream.slice(0, at) + String.fromCharCode(c) + stream.slice(at);
        for (const shift of [0, 1, 2, 3]) {
          const padded = new Uint8Array(text.length + shift);
          padded.set(Buffer.from(text, "latin1"), shift);
          const quiet = { implicitConversionNotices: false };
          expect([...yamlDocumentsOfBytes(padded.subarray(shift), quiet)].map(describeDoc)).toEqual([...yamlDocuments(text, quiet)].map(describeDoc));
        }
      }
    }
  });

  it("gives up on a line starting with `...` wherever it stands (read from bytes, such lines are not looked for first)", () => {
    const line = fc.constantFrom("...", "... # c", "....", "...: v", "...x", "... ", "...\n...");
    fc.assert(
      fc.property(fc.dictionary(key, tree, { minKeys: 1, maxKeys: 5 }), styles, fc.nat(), line, (value, choices, at, marker) => {
        const text = new Writer(choices).document(value);
        const starts = [0, ...[...text.matchAll(/\n/g)].map((m) => m.index + 1)].filter((i) => i < text.length);
        const i = starts[at % starts.length]!;
        if (i === 0) return; // a marker first is looked for
        const withMarker = `${text.slice(0, i)}${marker}\n${text.slice(i)}`;
        expect(fastDocumentReader(withMarker, 256)(0, withMarker.length)).toBeUndefined();
        expect(fastDocumentReader(withMarker, 256, true)(0, withMarker.length)).toBeUndefined();
        checkStream(withMarker);
      }),
      { numRuns: 1500 },
    );
  });

  it("streams of several documents, with separators, empty and broken documents", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.dictionary(key, tree, { maxKeys: 4 }), styles), { minLength: 1, maxLength: 4 }), fc.array(fc.nat(5), { minLength: 4, maxLength: 4 }), (docs, seps) => {
        const text = docs
          .map(([v, c], i) => `${["", "---\n", "--- # next\n", "---\n\n", "# only a comment\n---\n", "...\n---\n"][seps[i]!]}${new Writer(c).document(v)}`)
          .join("");
        checkStream(text);
      }),
      { numRuns: 300 },
    );
  });

  it("hand-picked documents at the edges of the subset", () => {
    const cases = [
      "a: 1\nb:\n- x\n- y\nc: 2\n",
      "a:\n  - x\n  -\n  - - y\n    - z\n",
      "- name: a\n  image: b\n-   name: c\n    image: d\n",
      "a: |\n  line\n\n  more\n\nb: 1\n",
      "a: >-\n  folded\n  text\n\n   more indented\n  back\n",
      "a: |2\n   two\n  one\n",
      "a: |+\n  keep\n\n\nb: 1\n",
      "a: |\n\n   \n  x\n",
      "a: 'it''s'\nb: \"tab\\tx\\u00e9\"\n",
      "a: plain\n  continued\n  again\nb: 1\n",
      "a: 'quoted\n  over lines'\n",
      'a: "esc \\\n  aped"\n',
      "a: b\n  c: d\n",
      "a: b: c\n",
      "a:\n  b: 1\n c: 2\n",
      "a: [1, b, 'c', \"d\", {e: f}, []]\nb: {x: [y], z: {}}\n",
      "a: [1, 2,]\n",
      "a: {x}\n",
      "a: [x: 1]\n",
      "{apiVersion: v1, kind: ConfigMap}\n",
      "a: 1 # c\n# full\n  # indented\nb: 2\n",
      "a: b\n   # more indented comment\nc: d\n",
      "key:\n  value on its own line\n",
      "__proto__: {a: 1}\nb: 1\n",
      "<<: {a: 1}\n",
      "a: 1\na: 2\n",
      // Duplicates among a mapping's first keys, past them, and in a nested mapping.
      Array.from({ length: 20 }, (_, i) => `k${i % 3 === 0 && i < 9 ? 0 : i}: ${i}\n`).join(""),
      Array.from({ length: 20 }, (_, i) => `k${i === 19 ? 2 : i}: ${i}\n`).join(""),
      Array.from({ length: 20 }, (_, i) => `k${i === 19 ? 17 : i}: ${i}\n`).join(""),
      "a:\n  x: 1\n  y: 2\nb:\n  x: 1\n  b: 2\n  x: 3\n",
      "a:\n  b:\n    a: 1\n  a: 2\na: 3\n",
      "on: 1\n",
      "a: 0644\n",
      "a: .inf\n",
      "  a: 1\n  b: 2\n",
      "  a: 1\nb: 2\n",
      "- a\nb: 1\n",
      "a: - b\n",
      "a:\tb\n",
      "a: b\r\nc: d\r\n",
      "\ufeffa: 1\n",
      "a: 😀\n",
      "%YAML 1.1\n---\na: 1\n",
      "a: 1\n...\n",
      "a: &x 1\nb: *x\n",
      "a: !!str 1\n",
      "? a\n: b\n",
      "a: 1\n---x\n",
      "a: 1\n---x: 2\n",
      "a: 1\n... b: 2\n",
      "a: 1\n...: 2\n",
      "---x: 1\n---\n...b: 2\n",
      "a: 'x\n...\n'\n",
      "a: |\n  x\n---\nb: 2\n",
      "a:\n",
      "a",
      "- ",
      "a: \"unterminated\n",
      "a: [1,\n  2]\n",
      "a: 'x'y\n",
      "a: [x] y\n",
      '"a" : 1\n"b":\n  c: 2\n',
      // Separators, read from bytes as from text.
      "a: 1\n--- x\nb: 2\n",
      "a: 1\n---\t\nb: 2\n",
      "a: 1\n---\u00a0x\nb: 2\n",
      "a: 1\r\n---\r\nb: 2\r\n",
      "\ufeff---\na: 1\n",
      "\ufeff\ufeffa: 1\n",
      "---\n",
      "---",
      "a: 1\n---",
      "a: 1\n--- x",
      "é: 1\n---\nü: 2\n...\n---\n日本: 3\n",
      "---\n---\n---\n",
      "a: 1\n--- # c\n\n\nb: 2",
      "a: |\n  x\n--- y\nb: 1\n",
      "a: 1\n----\nb: 2\n",
      "a: 1\n---x\n---\nb: 2\n---\n...\n",
      "# only\n---\n\n---\na: 1\n",
    ];
    for (const c of cases) checkStream(c);
  });

  it("one-line plain scalars read from their first characters (words, digits with units, true and false) are the exact reader's values", () => {
    const words = ["true", "false", "True", "FALSE", "trUe", "tru", "truer", "falsey", "yes", "YES", "Yes!", "no", "NO", "off", "Off", "offer", "on", "onion", "null", "Null", "nullx", "y", "n", "o", "t", "f", "TCP", "team-0", "fast", "topology.kubernetes.io/zone", "NoSchedule", "OnFailure", "Forbid"];
    const numbers = ["0", "00", "07", "08", "0644", "1", "9", "10", "8080", "123456789012345", "1234567890123456", "9007199254740993", "100m", "256Mi", "1Gi", "25%", "1.0", "1.2.3", "1e3", "1E3", "1_000", "1x", "0x1F", "0b101", "0o17", "1f", "1d", "2024-01-01", "2024-01-01T00:00:00Z", "1:20", "1/2", "-", "--", "--port", "--log-format=json", "-c", "-1", "-12", "-.5", "-.inf", "-_1", "-0", "-x1", "-e1", "--1", "---", "---x", "-- x"];
    const text = fc.oneof(fc.constantFrom(...words, ...numbers), fc.stringMatching(/^[-0-9yYnNtTfFoO][-+.0-9a-zA-Z_%/=]{0,18}$/));
    fc.assert(
      fc.property(text, fc.boolean(), (t, inList) => {
        checkStream(inList ? `a:\n  - ${t}\n  - b\n` : `a: ${t}\nb: ${t} # c\n`);
      }),
      { numRuns: 1500 },
    );
    for (const t of [...words, ...numbers]) checkStream(`a: ${t}\n`);
  });

  it("reads plain scalars as resolvePlainScalar does, or leaves those with a notice to the exact reader", () => {
    const scalarText = fc.oneof(fc.constantFrom(...TRICKY), fc.stringMatching(/^[-+.0-9_eExXoObB]{0,22}$/), fc.string({ maxLength: 8 }), fc.integer().map(String), fc.double().map(String));
    fc.assert(
      fc.property(scalarText, (text) => {
        const r = resolvePlainScalar(text);
        // An integer literal a number holds rounded is left to the exact reader too, which notes its exact value.
        const noticed = (r.yaml12Differs && typeof r.value !== "string") || (typeof r.value === "number" && (!Number.isFinite(r.value) || wideIntegerLiteral(text) !== undefined));
        expect(plainScalarValue(text)).toBe(noticed ? NOTICED : r.value);
      }),
      { numRuns: 3000 },
    );
  });

  it("the test fixtures", () => {
    const dirs = ["test/fixtures/validate", "test/fixtures/kubectl"].map((d) => join(repoRoot, d));
    for (const dir of dirs) {
      for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
        if (e.isFile() && /\.(ya?ml|json)$/.test(e.name)) checkStream(readFileSync(join(e.parentPath, e.name), "utf8"));
      }
    }
  });

  it("the bench corpus (every kind it writes, mode bits written 0644, with and without HTTPRoutes)", () => {
    const dir = mkdtempSync(join(tmpdir(), "kubezod-fast-"));
    try {
      const files = [...writeCorpus(join(dir, "a"), 40, 20, false), ...writeCorpus(join(dir, "b"), 40, 20, true)];
      let fast = 0;
      for (const f of files) {
        const text = readFileSync(f, "utf8");
        checkStream(text);
        // With the CLI's settings (no implicit-conversion notices, so 0644 is read on the fast path too).
        fast += text.split("---\n").filter((d) => fastDocumentReader(d, 256, true)(0, d.length)).length;
        const fromBytes = [...yamlDocumentsOfBytes(readFileSync(f), { implicitConversionNotices: false })];
        expect(fromBytes.map(describeDoc)).toEqual(readYamlDocuments(text, { implicitConversionNotices: false, fastPath: false }).map(describeDoc));
      }
      // Every document of the corpus takes the fast path.
      expect(fast).toBe(80);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!hasShared)(`the shared CRDs ${needsShared}`, () => {
    const dir = sharedPath("crds");
    for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
      if (e.isFile() && /\.ya?ml$/.test(e.name)) checkStream(readFileSync(join(e.parentPath, e.name), "utf8"));
    }
  });
});
