/**
 * Reading manifests the way kubectl does: the stream is split on `---` lines (k8s.io/apimachinery's
 * YAML reader), and each document is built into a JSON value with go-yaml's YAML 1.1 scalar rules.
 * Documents in the common subset of YAML are read by the fast path (`yaml-fast.ts`), which yields
 * the same values; the others are parsed into source-offset events and built here. Positions are
 * not kept per node: a path is located in a document's events only when something at that path is
 * reported (for fast-path documents, the events are read then).
 */
import type { Event, ScalarEvent } from "js-yaml";
import { EVENT as EVENT_ID, jsYaml } from "./js-yaml.js";
import type { PathSegment } from "../meta/walk.js";
import { keyString, resolvePlainScalar, resolveTaggedScalar, wideIntegerLiteral } from "./scalars.js";
import { isAscii } from "node:buffer";
import { codesOf, fastDocumentReader, fastLocate, type Codes, type FastDocument } from "./fast.js";
import { setOwn } from "../meta/values.js";

/** A place in a file: 1-based line and column. */
export interface SourcePosition {
  line: number;
  column: number;
}

/** Something the reader noticed while building a document's value. */
export interface YamlNotice {
  kind: "duplicate-key" | "implicit-conversion" | "not-json";
  path: PathSegment[];
  message: string;
  position: SourcePosition;
}

/** An integer literal a document's value holds rounded (beyond ±(2^53−1)), with its exact value. */
export interface WideInteger {
  path: PathSegment[];
  value: bigint;
}

/** One YAML document of a file. */
export interface YamlDocument {
  /** 0-based index of the document in its file. */
  index: number;
  /** Where the document's text starts. */
  position: SourcePosition;
  /** The JSON value (undefined for an empty document or a syntax error). */
  value: unknown;
  /** A syntax error that made the document unreadable. */
  error?: { message: string; position: SourcePosition };
  notices: YamlNotice[];
  /**
   * The integer literals beyond ±(2^53−1) in the value (which holds them as rounded numbers), with
   * their exact values, as kubectl hands them on; absent when there are none.
   */
  wideIntegers?: WideInteger[];
  /** Where the key (or list item) at a path is written; the closest existing parent when it is absent. */
  locate(path: readonly PathSegment[]): SourcePosition;
  /** Known to hold no mapping field whose value is null (said by the fast path only). */
  nullFree?: true;
}

/** Limits that keep hostile input bounded. */
export interface YamlLimits {
  /** Deepest nesting of collections (default 256). */
  maxDepth?: number;
  /** Most nodes an alias expansion may add to a document, beyond 10× its own size (default 1,000,000). */
  maxAliasExpansion?: number;
  /**
   * Read documents written in the common subset of YAML on the fast path (default true). The
   * values are the same either way; false reads every document with the exact reader.
   */
  fastPath?: boolean;
  /**
   * Note the values YAML 1.1 reads differently from YAML 1.2 (`0644`, `yes`) as
   * `implicit-conversion` notices (default true). The values are the same either way.
   */
  implicitConversionNotices?: boolean;
}

/**
 * Offsets of line starts, for turning offsets into line and column.
 *
 * @example
 * new LineIndex("a: 1\nb: 2\n").position(5); // { line: 2, column: 1 }
 */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(
    private readonly text: string,
    private readonly baseLine = 0,
  ) {
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) this.starts.push(i + 1);
  }

  /** 1-based line and column (in characters) of an offset. */
  position(offset: number): SourcePosition {
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: this.baseLine + lo + 1, column: Math.max(0, Math.min(offset, this.text.length) - starts[lo]!) + 1 };
  }
}

interface Chunk {
  /** Where the chunk's text starts and ends in the stream. */
  start: number;
  end: number;
  /** 0-based line of the chunk's first line in the file. */
  line: number;
  /** A kubectl separator error for the line that ends the previous chunk. */
  separatorError?: string;
  /** A line inside starts with `---` or `...` (a marker the exact reader must see). */
  markers?: boolean;
}

/** Split a stream into documents on `---` lines, as kubectl's YAML reader does. */
function splitDocuments(text: string): Chunk[] {
  const chunks: Chunk[] = [];
  let start = 0;
  let startLine = 0;
  let markers = false;
  let line = 0;
  let pos = 0;
  const cut = (end: number) => chunks.push(markers ? { start, end, line: startLine, markers } : { start, end, line: startLine });
  while (pos <= text.length) {
    const nl = text.indexOf("\n", pos);
    const end = nl < 0 ? text.length : nl;
    const c = text.charCodeAt(pos);
    if (c === 45 && text.startsWith("---", pos)) {
      const rest = text.slice(pos + 3, end).trim();
      if (rest === "" || rest.startsWith("#")) {
        cut(pos);
        start = nl < 0 ? text.length : nl + 1;
        startLine = line + 1;
        markers = false;
      } else if (/^\s/.test(text.slice(pos + 3, end))) {
        cut(pos);
        chunks.push({ start: pos, end: pos, line, separatorError: `invalid document separator: ${JSON.stringify(text.slice(pos, end).slice(0, 40))}` });
        start = nl < 0 ? text.length : nl + 1;
        startLine = line + 1;
        markers = false;
      } else markers = true;
    } else if (c === 46 && text.startsWith("...", pos)) markers = true;
    if (nl < 0) break;
    pos = nl + 1;
    line++;
  }
  cut(text.length);
  return chunks;
}

const MAPPING = EVENT_ID.MAPPING;
const SEQUENCE = EVENT_ID.SEQUENCE;
const SCALAR = EVENT_ID.SCALAR;
const ALIAS = EVENT_ID.ALIAS;
const POP = EVENT_ID.POP;

class ExcessiveAliasing extends Error {}

function cloneCounted(value: unknown, budget: { left: number }): unknown {
  if (--budget.left < 0) throw new ExcessiveAliasing();
  if (Array.isArray(value)) return value.map((v) => cloneCounted(v, budget));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) setOwn(out, k, cloneCounted(v, budget));
    return out;
  }
  return value;
}

/** Builds one document's value from its events. */
class Builder {
  i = 0;
  readonly anchors = new Map<string, unknown>();
  readonly notices: Array<Omit<YamlNotice, "position"> & { offset: number }> = [];
  readonly budget: { left: number };
  hasAliases = false;
  /** Add `implicit-conversion` notices. */
  noteConversions = true;
  /** Integer literals beyond ±(2^53−1), by path. */
  readonly wide: WideInteger[] = [];
  /** Where each anchor was set, while there are wide integers to copy to its aliases. */
  readonly anchorPaths = new Map<string, PathSegment[]>();

  constructor(
    readonly events: Event[],
    readonly source: string,
  ) {
    this.budget = { left: 0 };
  }

  private anchorOf(ev: { anchorStart: number; anchorEnd: number }): string | undefined {
    return ev.anchorStart >= 0 ? this.source.slice(ev.anchorStart, ev.anchorEnd) : undefined;
  }

  private scalar(ev: ScalarEvent, path: PathSegment[], isKey: boolean): unknown {
    const text = scalarValue(this.source, ev);
    if (ev.tagStart >= 0) {
      const tag = this.source.slice(ev.tagStart, ev.tagEnd);
      const std = tag.startsWith("!!") ? tag.slice(2) : tag.startsWith("!<tag:yaml.org,2002:") ? tag.slice(20, -1) : undefined;
      if (std !== undefined) {
        const r = resolveTaggedScalar(std, text);
        if (r && std === "int" && !isKey && typeof r.value === "number" && !Number.isSafeInteger(r.value)) this.noteWide(text, path);
        if (r) return this.checkJson(r.value, path, ev.valueStart);
      }
      return text;
    }
    if (ev.style !== 1) return text;
    const r = resolvePlainScalar(text);
    if (!isKey && typeof r.value === "number" && Number.isInteger(r.value) && !Number.isSafeInteger(r.value)) this.noteWide(text, path);
    if (r.yaml12Differs && typeof r.value !== "string" && this.noteConversions) {
      this.notices.push({
        kind: "implicit-conversion",
        path: [...path],
        offset: ev.valueStart,
        message: `${isKey ? "key " : ""}${JSON.stringify(text)} is read as ${describe(r.value)} (YAML 1.1, as kubectl reads it); quote it if you mean the string`,
      });
    }
    return this.checkJson(r.value, path, ev.valueStart);
  }

  private anchored(name: string, value: unknown, path: PathSegment[], isKey: boolean): void {
    this.anchors.set(name, value);
    if (isKey) this.anchorPaths.delete(name);
    else this.anchorPaths.set(name, [...path]);
  }

  private noteWide(text: string, path: PathSegment[]): void {
    const value = wideIntegerLiteral(text);
    if (value !== undefined) this.wide.push({ path: [...path], value });
  }

  /** An alias repeats the wide integers under its anchor at its own path. */
  private copyWide(anchor: string, path: PathSegment[]): void {
    const from = this.anchorPaths.get(anchor);
    if (!from) return;
    const found = this.wide.filter((w) => w.path.length >= from.length && from.every((seg, i) => w.path[i] === seg));
    for (const w of found) this.wide.push({ path: [...path, ...w.path.slice(from.length)], value: w.value });
  }

  private checkJson(value: unknown, path: PathSegment[], offset: number): unknown {
    if (typeof value === "number" && !Number.isFinite(value)) {
      this.notices.push({ kind: "not-json", path: [...path], offset, message: `${value} cannot be represented in JSON (kubectl rejects it)` });
    }
    return value;
  }

  /** The value of the node starting at events[i]; advances past it. */
  node(path: PathSegment[], isKey = false): unknown {
    const ev = this.events[this.i++]!;
    switch (ev.type) {
      case SCALAR: {
        const v = this.scalar(ev, path, isKey);
        const a = this.anchorOf(ev);
        if (a !== undefined) this.anchored(a, v, path, isKey);
        return v;
      }
      case ALIAS: {
        this.hasAliases = true;
        const name = this.source.slice(ev.anchorStart, ev.anchorEnd);
        if (this.wide.length && !isKey) this.copyWide(name, path);
        const target = this.anchors.get(name);
        return target !== null && typeof target === "object" ? cloneCounted(target, this.budget) : target;
      }
      case SEQUENCE: {
        const out: unknown[] = [];
        const a = this.anchorOf(ev);
        while (this.events[this.i]!.type !== POP) {
          path.push(out.length);
          out.push(this.node(path));
          path.pop();
        }
        this.i++;
        if (a !== undefined) this.anchored(a, out, path, isKey);
        return out;
      }
      case MAPPING: {
        const out: Record<string, unknown> = {};
        const a = this.anchorOf(ev);
        const explicit = new Set<string>();
        while (this.events[this.i]!.type !== POP) {
          const keyEv = this.events[this.i]!;
          const keyOffset = keyEv.type === SCALAR ? keyEv.valueStart : "start" in keyEv ? keyEv.start : 0;
          const rawKey = keyEv.type === SCALAR ? this.node(path, true) : this.complexKey(path);
          if (rawKey === "<<" && keyEv.type === SCALAR && keyEv.style === 1 && keyEv.tagStart < 0) {
            this.merge(out, this.node(path), explicit);
            continue;
          }
          const key = keyString(rawKey);
          path.push(key);
          const value = this.node(path);
          if (explicit.has(key)) {
            this.notices.push({ kind: "duplicate-key", path: [...path], offset: keyOffset, message: `mapping key ${JSON.stringify(key)} already defined` });
          }
          path.pop();
          explicit.add(key);
          setOwn(out, key, value);
        }
        this.i++;
        if (a !== undefined) this.anchored(a, out, path, isKey);
        return out;
      }
      default:
        throw new Error(`unexpected YAML event ${ev.type}`);
    }
  }

  private complexKey(path: PathSegment[]): unknown {
    const start = this.events[this.i]!;
    const offset = "start" in start ? start.start : 0;
    const v = this.node(path);
    throw new (jsYaml().YAMLException)(`a mapping key must be a scalar, not ${Array.isArray(v) ? "a list" : "a map"}`, {
      buffer: this.source,
      position: offset,
      line: 0,
      column: 0,
    });
  }

  /** `<<: *base` (go-yaml applies merges in place: they override keys set before them). */
  private merge(out: Record<string, unknown>, value: unknown, explicit: Set<string>): void {
    const sources = Array.isArray(value) ? [...value].reverse() : [value];
    for (const src of sources) {
      if (src === null || typeof src !== "object" || Array.isArray(src)) continue;
      for (const [k, v] of Object.entries(src)) {
        setOwn(out, k, v);
        explicit.delete(k);
      }
    }
  }
}

function describe(value: unknown): string {
  if (typeof value === "boolean") return `the boolean ${value}`;
  if (value === null) return "null";
  if (typeof value === "number") return `the number ${value}`;
  return JSON.stringify(value);
}

function countNodes(events: Event[]): number {
  let n = 0;
  for (const e of events) if (e.type === SCALAR || e.type === MAPPING || e.type === SEQUENCE) n++;
  return n;
}

/**
 * A document's events, read as kubectl's reader (go-yaml) reads it where js-yaml is stricter:
 * - `\\'` in a double-quoted scalar is an apostrophe, where js-yaml stops at an unknown escape: each
 *   `\\'` js-yaml stops at is read as `\\"` (the same length) and `scalarValue` puts the apostrophe back;
 * - go-yaml does not check the indentation of lines inside flow collections (`[`, `{`) and quoted
 *   scalars, where js-yaml stops at "deficient indentation" (a closing `]` under its key): such a line
 *   is read indented past every line before it, which changes no value (flow lines are folded
 *   without their leading spaces), and the events' offsets are mapped back to `text`.
 */
function parseEvents(text: string, maxDepth: number): Event[] {
  let read = text;
  /** Spaces added, at offsets of `read`, in order. */
  const added: Array<{ at: number; n: number }> = [];
  const original = (offset: number): number => {
    if (offset < 0) return offset;
    let o = offset;
    for (const { at, n } of added) {
      if (offset >= at + n) o -= n;
      else if (offset > at) o -= offset - at;
    }
    return o;
  };
  for (let tries = 0; ; tries++) {
    try {
      const events = jsYaml().parseEvents(read, { maxDepth });
      if (added.length > 0) for (const ev of events) mapOffsets(ev as unknown as Record<string, unknown>, original);
      return events;
    } catch (err) {
      const yamlError = err instanceof jsYaml().YAMLException ? err : undefined;
      const reason = yamlError?.reason;
      // Each retry reads the document again: bounded, so a hostile document cannot make it quadratic.
      const at = tries < 1000 && tries * read.length < 20_000_000 ? yamlError?.mark?.position : undefined;
      if (at !== undefined && reason === "unknown escape sequence" && read.charCodeAt(at) === APOSTROPHE && read.charCodeAt(at - 1) === BACKSLASH) {
        read = `${read.slice(0, at)}"${read.slice(at + 1)}`;
        continue;
      }
      const n = at !== undefined && reason === "deficient indentation" ? indentNeeded(read, at) : 0;
      if (at !== undefined && n > 0) {
        const lineStart = read.lastIndexOf("\n", at - 1) + 1;
        for (const x of added) if (x.at >= lineStart) x.at += n;
        added.push({ at: lineStart, n });
        added.sort((x, y) => x.at - y.at);
        read = `${read.slice(0, lineStart)}${" ".repeat(n)}${read.slice(lineStart)}`;
        continue;
      }
      if (added.length > 0 && yamlError?.mark) yamlError.mark.position = original(yamlError.mark.position);
      throw err;
    }
  }
}

/** Spaces that indent the line holding `at` past every line before it (0 if it already is). */
function indentNeeded(text: string, at: number): number {
  const lineStart = text.lastIndexOf("\n", at - 1) + 1;
  const indent = (from: number): number => {
    let i = from;
    while (text.charCodeAt(i) === SPACE) i++;
    return i - from;
  };
  let most = -1;
  for (let start = 0; start < lineStart; start = text.indexOf("\n", start) + 1) {
    const width = indent(start);
    const c = text.charCodeAt(start + width);
    if (c !== NEWLINE && c !== HASH && !Number.isNaN(c)) most = Math.max(most, width);
  }
  return Math.max(0, most + 1 - indent(lineStart));
}

const OFFSET_FIELDS = ["start", "valueStart", "valueEnd", "anchorStart", "anchorEnd", "tagStart", "tagEnd"];

function mapOffsets(ev: Record<string, unknown>, original: (offset: number) => number): void {
  for (const k of OFFSET_FIELDS) {
    const v = ev[k];
    if (typeof v === "number") ev[k] = original(v);
  }
}

/**
 * A scalar's text. In a double-quoted scalar go-yaml reads `\\'` as an apostrophe and refuses
 * `\\/` (its escape table has the one and not the other; js-yaml's the other way round).
 */
function scalarValue(source: string, ev: ScalarEvent): string {
  if (ev.style !== STYLE_DOUBLE_QUOTED) return jsYaml().getScalarValue(source, ev);
  const raw = source.slice(ev.valueStart, ev.valueEnd);
  if (!raw.includes("\\'") && !raw.includes("\\/")) return jsYaml().getScalarValue(source, ev);
  let body = "";
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c !== "\\") body += c;
    else if (raw[i + 1] === "'") body += "\\x27", i++;
    else if (raw[i + 1] === "/") {
      throw new (jsYaml().YAMLException)("found unknown escape character", { buffer: source, position: ev.valueStart + i + 1, line: 0, column: 0 });
    } else body += c + (raw[i + 1] ?? ""), i++;
  }
  return jsYaml().getScalarValue(body, { ...ev, valueStart: 0, valueEnd: body.length, anchorStart: -1, anchorEnd: -1, tagStart: -1, tagEnd: -1 });
}

const STYLE_DOUBLE_QUOTED = 3;
const APOSTROPHE = 39;
const BACKSLASH = 92;
const SPACE = 32;
const NEWLINE = 10;
const HASH = 35;

function keyText(source: string, ev: ScalarEvent): string {
  const text = scalarValue(source, ev);
  return ev.style === 1 && ev.tagStart < 0 ? keyString(resolvePlainScalar(text).value) : text;
}

/** Find the offset of a path in a document's events. */
function locateOffset(events: Event[], source: string, path: readonly PathSegment[]): number {
  let i = 1; // after the DOCUMENT event
  let best = 0;
  const skip = (): void => {
    let depth = 0;
    do {
      const e = events[i++]!;
      if (e.type === MAPPING || e.type === SEQUENCE) depth++;
      else if (e.type === POP) depth--;
    } while (depth > 0 && i < events.length);
  };
  const offsetOf = (e: Event): number => (e.type === SCALAR ? e.valueStart : "start" in e ? e.start : e.type === ALIAS ? e.anchorStart - 1 : 0);
  const first = events[i];
  if (!first || first.type === POP) return 0;
  best = offsetOf(first);
  for (const seg of path) {
    const container = events[i];
    if (!container) return best;
    if (container.type === MAPPING) {
      i++;
      let match = -1;
      let matchOffset = 0;
      while (i < events.length && events[i]!.type !== POP) {
        const keyEv = events[i]!;
        const keyOffset = offsetOf(keyEv);
        const key = keyEv.type === SCALAR ? keyText(source, keyEv) : undefined;
        skip();
        // Later duplicates win, as in the value.
        if (key === String(seg)) {
          match = i;
          matchOffset = keyOffset;
        }
        skip();
      }
      if (match < 0) return best;
      best = matchOffset;
      i = match;
    } else if (container.type === SEQUENCE) {
      if (typeof seg !== "number") return best;
      i++;
      for (let n = 0; n < seg && i < events.length && events[i]!.type !== POP; n++) skip();
      const item = events[i];
      if (!item || item.type === POP) return best;
      best = offsetOf(item);
    } else return best;
  }
  return best;
}

/**
 * Read every document of a YAML (or JSON) stream. A syntax error spoils only its own document.
 *
 * @example
 * const [doc] = readYamlDocuments("kind: ConfigMap\ndata:\n  mode: 0644\n");
 * doc.value; // { kind: "ConfigMap", data: { mode: 420 } }
 * doc.locate(["data", "mode"]); // { line: 3, column: 3 }
 */
export function readYamlDocuments(text: string, limits: YamlLimits = {}): YamlDocument[] {
  return [...yamlDocuments(text, limits)];
}

/**
 * The documents of a YAML (or JSON) stream one at a time, each read when it is asked for: what
 * {@link readYamlDocuments} returns, without holding every document's value at once.
 *
 * @example
 * for (const doc of yamlDocuments("a: 1\n---\nb: 2\n")) console.log(doc.value); // { a: 1 }, then { b: 2 }
 */
export function* yamlDocuments(text: string, limits: YamlLimits = {}): Generator<YamlDocument> {
  const read = chunkReader(limits);
  const bom = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const stream = bom ? text.slice(1) : text;
  let count = 0;
  for (const chunk of splitDocuments(stream)) {
    // Each document is read from a text of its own, as documents read from bytes are.
    const text = stream.slice(chunk.start, chunk.end);
    const own = { ...chunk, start: 0, end: text.length };
    const readFast = read.fastPath && !chunk.separatorError && !chunk.markers ? fastDocumentReader(text, read.maxDepth, !read.noteConversions) : undefined;
    const doc = readChunk(text, own, count, readFast, read);
    if (doc) {
      count++;
      yield doc;
    }
  }
}

const DASHES = Buffer.from("---");

/**
 * The documents of a YAML (or JSON) stream given as UTF-8 bytes, one at a time: the documents
 * {@link yamlDocuments} reads from the decoded text (same values, positions, notices and
 * errors), each document's text decoded only when it is read. A file is never one long string:
 * a document's text is small and dies young, where a whole file's would be allocated apart from
 * the young generation and be collected only with the old one.
 *
 * @example
 * for (const doc of yamlDocumentsOfBytes(Buffer.from("a: 1\n---\nb: 2\n"))) console.log(doc.value); // { a: 1 }, then { b: 2 }
 */
export function* yamlDocumentsOfBytes(bytes: Uint8Array, limits: YamlLimits = {}): Generator<YamlDocument> {
  const read = chunkReader(limits);
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = buf.length;
  // ASCII throughout (the common case): every document's bytes are its code units.
  const ascii = isAscii(buf);
  let start = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  /** 0-based line of `start`. */
  let line = 0;
  /** A line starting with `---` that is not a separator was seen since `start`. */
  let dashes = false;
  let count = 0;
  /** The document [start, end) and the line it starts at; returns its document, if any, and the lines it spans. */
  const cut = (end: number, separatorError?: string): { doc: YamlDocument | undefined; lines: number } => {
    // ASCII reads the same as latin1, which needs no decoding.
    const text = end > start ? buf.toString(ascii ? "latin1" : "utf8", start, end) : "";
    // The lines it spans. A line inside it starting with `...` (a marker the exact reader must see)
    // is not looked for: the fast path gives up on such a line wherever it stands (tested).
    let lines = ascii ? asciiLines(buf, start, end) : -1;
    /** Printable ASCII and line feeds only. */
    const plain = lines >= 0;
    if (!plain) {
      lines = 0;
      for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) lines++;
    }
    const markers = dashes || text.startsWith("...");
    const chunk: Chunk = separatorError ? { start: 0, end: text.length, line, separatorError } : markers ? { start: 0, end: text.length, line, markers } : { start: 0, end: text.length, line };
    let readFast: ((start: number, end: number) => FastDocument | undefined) | undefined;
    if (read.fastPath && !separatorError && !markers) {
      const bytes = ascii || isAscii(buf.subarray(start, end)) ? buf.subarray(start, end) : undefined;
      readFast = fastDocumentReader(text, read.maxDepth, !read.noteConversions, bytes ? { codes: bytes, plain } : {});
    }
    const doc = readChunk(text, chunk, count, readFast, read);
    if (doc) count++;
    return { doc, lines };
  };
  // Lines starting with `---`, in order: the first line, then each found after a line feed.
  let at = buf[start] === 45 && buf[start + 1] === 45 && buf[start + 2] === 45 ? start : -1;
  if (at < 0) at = nextDashes(buf, start);
  while (at >= 0) {
    const nl = buf.indexOf(10, at);
    const end = nl < 0 ? n : nl;
    const sepLine = buf.toString("utf8", at, end);
    const after = sepLine.slice(3);
    const rest = after.trim();
    if (rest === "" || rest.startsWith("#") || /^\s/.test(after)) {
      const { doc, lines } = cut(at);
      if (doc) yield doc;
      line += lines;
      if (!(rest === "" || rest.startsWith("#"))) {
        start = at;
        const bad = cut(at, `invalid document separator: ${JSON.stringify(sepLine.slice(0, 40))}`);
        if (bad.doc) yield bad.doc;
      }
      start = nl < 0 ? n : nl + 1;
      line++;
      dashes = false;
    } else dashes = true;
    if (nl < 0) break;
    at = nextDashes(buf, at);
  }
  const { doc } = cut(n);
  if (doc) yield doc;
}

/**
 * The line feeds among ASCII bytes [start, end), or -1 when a control character other than the
 * line feed (or DEL) is among them. Four bytes are looked at at once, each byte's answer in its
 * top bit: ASCII bytes stay below 0x80, so adding 0x7f to each carries into none of the others, and
 * `b + 0x7f` reaches 0x80 for b ≠ 0, `b + 0x60` for b ≥ 0x20.
 */
function asciiLines(buf: Buffer, start: number, end: number): number {
  let lines = 0;
  let i = start;
  // Single bytes up to a four-byte boundary of the memory, and after the last whole word.
  for (; i < end && ((buf.byteOffset + i) & 3) !== 0; i++) {
    const c = buf[i]!;
    if (c === 10) lines++;
    else if (c < 32 || c === 127) return -1;
  }
  if (i >= end) return lines;
  const count = (end - i) >> 2;
  const words = new Int32Array(buf.buffer, buf.byteOffset + i, count);
  let controls = 0;
  for (let w = 0; w < count; w++) {
    const x = words[w]!;
    const isLf = ~((x ^ 0x0a0a0a0a) + 0x7f7f7f7f) & 0x80808080;
    controls |= (~(x + 0x60606060) & ~isLf) | ~((x ^ 0x7f7f7f7f) + 0x7f7f7f7f);
    lines += Math.imul(isLf >>> 7, 0x01010101) >>> 24;
  }
  if ((controls & 0x80808080) !== 0) return -1;
  for (i += count << 2; i < end; i++) {
    const c = buf[i]!;
    if (c === 10) lines++;
    else if (c < 32 || c === 127) return -1;
  }
  return lines;
}

/** The start of the next line after `from` that starts with `---`, or -1. */
function nextDashes(buf: Buffer, from: number): number {
  // `---` is rarer than a line feed: it is searched for, then whether a line feed comes before it.
  for (let i = buf.indexOf(DASHES, from + 1); i >= 0; i = buf.indexOf(DASHES, i + 1)) if (buf[i - 1] === 10) return i;
  return -1;
}

interface ChunkReading {
  maxDepth: number;
  maxExpansion: number;
  noteConversions: boolean;
  fastPath: boolean;
}

function chunkReader(limits: YamlLimits): ChunkReading {
  return {
    maxDepth: limits.maxDepth ?? 256,
    maxExpansion: limits.maxAliasExpansion ?? 1_000_000,
    noteConversions: limits.implicitConversionNotices !== false,
    fastPath: limits.fastPath !== false,
  };
}

/** The document of one chunk of a stream (undefined when it holds nothing: blank, comments only). */
function readChunk(stream: string, chunk: Chunk, index: number, readFast: ((start: number, end: number) => FastDocument | undefined) | undefined, read: ChunkReading): YamlDocument | undefined {
  const { maxDepth, maxExpansion, noteConversions } = read;
  const position = { line: chunk.line + 1, column: 1 };
  const fast = chunk.separatorError || chunk.markers ? undefined : readFast?.(chunk.start, chunk.end);
  if (fast) {
    const locate = fastLocator(stream, chunk, fast, maxDepth, !noteConversions);
    return fast.nullFields ? { index, position, notices: [], value: fast.value, locate } : { index, position, notices: [], value: fast.value, locate, nullFree: true };
  }
  const base = { index, position, notices: [] as YamlNotice[] };
  if (chunk.separatorError) return { ...base, value: undefined, error: { message: chunk.separatorError, position }, locate: () => position };
  const text = stream.slice(chunk.start, chunk.end);
  if (!/[^\s]/.test(text) || isOnlyComments(text)) return undefined;
  const lines = new LineIndex(text, chunk.line);
  let events: Event[];
  try {
    events = parseEvents(text, maxDepth);
  } catch (err) {
    return { ...base, value: undefined, error: syntaxError(err, lines), locate: () => position };
  }
  const contentDocs = events.filter((e) => e.type === EVENT_ID.DOCUMENT).length;
  if (contentDocs === 0) return undefined;
  const builder = new Builder(events, text);
  builder.noteConversions = noteConversions;
  builder.budget.left = maxExpansion + 10 * countNodes(events);
  let value: unknown;
  try {
    builder.i = 1;
    value = events[1] && events[1].type !== POP ? builder.node([]) : null;
    if (contentDocs > 1 || (builder.i < events.length - 1 && events[builder.i + 1]?.type === EVENT_ID.DOCUMENT)) {
      throw new (jsYaml().YAMLException)("a document separator inside a document (kubectl splits documents only on lines starting with ---)");
    }
  } catch (err) {
    const message = err instanceof ExcessiveAliasing ? "document contains excessive aliasing (aliases expand to too many nodes)" : undefined;
    return { ...base, value: undefined, error: message ? { message, position } : syntaxError(err, lines), locate: () => position };
  }
  const source = text;
  return {
    ...base,
    value,
    notices: builder.notices.map(({ offset, ...n }) => ({ ...n, position: lines.position(offset) })),
    ...(builder.wide.length ? { wideIntegers: builder.wide } : {}),
    locate: (path) => lines.position(locateOffset(events, source, path)),
  };
}

/**
 * `locate` of a document read on the fast path: the root's position is known; any other path is
 * found by reading the document's events once, the first time one is asked for.
 */
function fastLocator(stream: string, chunk: Chunk, fast: FastDocument, maxDepth: number, conversions: boolean): YamlDocument["locate"] {
  const line = chunk.line + fast.line + 1;
  const column = fast.column;
  let lines: LineIndex | undefined;
  let exact: ((path: readonly PathSegment[]) => number) | undefined;
  let codes: Codes | undefined;
  return (path) => {
    if (path.length === 0) return { line, column };
    // The fast reader finds most positions again, several times faster than the exact one, and
    // stops reading where it finds them.
    const offset = exact ? undefined : fastLocate(stream, chunk.start, chunk.end, maxDepth, path, conversions, (codes ??= codesOf(stream)));
    if (offset !== undefined) return positionIn(stream, chunk, offset);
    lines ??= new LineIndex(stream.slice(chunk.start, chunk.end), chunk.line);
    if (!exact) {
      const text = stream.slice(chunk.start, chunk.end);
      const events = parseEvents(text, maxDepth);
      exact = (p) => locateOffset(events, text, p);
    }
    return lines.position(exact(path));
  };
}

/** The line and column of an offset of a chunk, counting its lines up to there only. */
function positionIn(stream: string, chunk: Chunk, offset: number): SourcePosition {
  let line = chunk.line + 1;
  let lineStart = chunk.start;
  for (let i = stream.indexOf("\n", chunk.start); i >= 0 && i < offset; i = stream.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

function isOnlyComments(text: string): boolean {
  for (const line of text.split("\n")) {
    const t = line.trim();
    if (t && !t.startsWith("#") && t !== "...") return false;
  }
  return true;
}

function syntaxError(err: unknown, lines: LineIndex): { message: string; position: SourcePosition } {
  if (err instanceof jsYaml().YAMLException) {
    const position = err.mark ? lines.position(err.mark.position) : lines.position(0);
    return { message: err.reason || err.message.split("\n")[0]!, position };
  }
  if (err instanceof RangeError) return { message: "document is nested too deeply", position: lines.position(0) };
  return { message: err instanceof Error ? err.message : String(err), position: lines.position(0) };
}
