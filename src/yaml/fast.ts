/**
 * A fast reader for the YAML that manifests are written in: block mappings and sequences, plain
 * and quoted scalars (folded over lines too), one-line flow collections, comments, and literal or
 * folded block scalars with their indicators. It builds values with the exact reader's rules
 * (go-yaml's YAML 1.1 scalars, `keyString` keys, js-yaml's decoding of quoted, folded and block
 * scalars) and gives up, returning undefined, on anything else: anchors, aliases, tags, merge
 * keys, complex keys, directives, document markers inside a document, tabs, CRs, unusual
 * characters, multi-line flow collections and keys, a duplicate key or a YAML 1.1-only conversion
 * (which the exact reader reports with its position), and any input that is not well-formed.
 * The exact reader then reads the document.
 */
import type { ScalarEvent } from "js-yaml";
import { jsYaml } from "./js-yaml.js";
import { internalized } from "./strings.js";
import { alwaysString, keyString, LONGEST_WORD_VALUE, NOTICED, WORD_VALUE_SECOND, numberCode, plainScalarValue, resolvePlainScalar, wideIntegerLiteral } from "./scalars.js";
import { setOwn } from "../meta/values.js";

/** A document read by the fast path. */
export interface FastDocument {
  value: unknown;
  /** Offset of the root node in the document (where the exact reader's `locate([])` points). */
  offset: number;
  /** 0-based line and 1-based column of that offset. */
  line: number;
  column: number;
  /** Some field of a mapping in the value is null. */
  nullFields: boolean;
}

/** Thrown (never escapes) when the fast path gives up. */
const GIVE_UP = { giveUp: true };
/** Thrown (never escapes) when a position sought is found: the rest of the document is not read. */
const FOUND = { found: true };

// Characters the fast path leaves to the exact reader: control characters (tab and CR included),
// non-ASCII line breaks and spaces, BOMs, surrogates, non-characters.
const UNUSUAL = /[\x00-\x09\x0B-\x1F\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\uD800-\uDFFF\uFEFF\uFFFE\uFFFF]/g;

/** Eight spaces read as a float64: no other eight bytes read as the same number. */
const EIGHT_SPACES = new DataView(new Uint8Array(8).fill(32).buffer).getFloat64(0);

const NL = 10;
const SPACE = 32;
const HASH = 35;
const COLON = 58;
const DASH = 45;
const QUOTE = 39;
const DQUOTE = 34;
const BACKSLASH = 92;

const SCALAR = 3 as ScalarEvent["type"];
const STYLE_PLAIN = 1 as ScalarEvent["style"];
const STYLE_SINGLE = 2 as ScalarEvent["style"];
const STYLE_DOUBLE = 3 as ScalarEvent["style"];
const STYLE_LITERAL = 4 as ScalarEvent["style"];
const STYLE_FOLDED = 5 as ScalarEvent["style"];
const CLIP = 1 as ScalarEvent["chomping"];
const STRIP = 2 as ScalarEvent["chomping"];
const KEEP = 3 as ScalarEvent["chomping"];

function scalarEvent(valueStart: number, valueEnd: number, style: ScalarEvent["style"], chomping: ScalarEvent["chomping"], indent: number): ScalarEvent {
  return { type: SCALAR, valueStart, valueEnd, anchorStart: -1, anchorEnd: -1, tagStart: -1, tagEnd: -1, style, chomping, indent, fast: false };
}

/** A multi-line plain scalar's text, folded as js-yaml folds it. */
function plainValue(s: string, start: number, end: number): string {
  return jsYaml().getScalarValue(s, scalarEvent(start, end, STYLE_PLAIN, CLIP, -1));
}

/**
 * Keys seen recently, by a hash of their text: manifests repeat the same few hundred keys, and
 * reusing the key strings saves a copy and a string-table lookup per key.
 */
const KEY_CACHE_SIZE = 4096;
const keyCache: Array<string | undefined> = new Array<string | undefined>(KEY_CACHE_SIZE).fill(undefined);
/**
 * The bytes of each cached key, `KEY_CODES` places each (only ASCII keys of up to that length are
 * cached), compared faster than its string's, four at a time when the document is bytes too.
 */
const KEY_CODES = 64;
const keyCodes = new Uint8Array(KEY_CACHE_SIZE * KEY_CODES);
const keyWords = new DataView(keyCodes.buffer);

/** `c` cannot start a plain scalar (js-yaml's `canStartPlainScalar`), `next` being the following code. */
function cannotStartPlain(c: number | undefined, next: number | undefined, inFlow: boolean): boolean {
  switch (c) {
    case SPACE:
    case NL:
    case HASH:
    case 38: // &
    case 42: // *
    case 33: // !
    case 124: // |
    case 62: // >
    case QUOTE:
    case DQUOTE:
    case 37: // %
    case 64: // @
    case 96: // `
    case 44: // ,
    case 91: // [
    case 93: // ]
    case 123: // {
    case 125: // }
    case COLON: // only as `: ` in valid manifests; left to the exact reader
    case 63: // ?
      return true;
    case DASH:
      return next === SPACE || next === NL || next === undefined || (inFlow && isFlowIndicator(next));
    default:
      // Past the end.
      return c === undefined;
  }
}

/** No character beyond ASCII. */
function isAsciiText(text: string): boolean {
  for (let k = 0; k < text.length; k++) if (text.charCodeAt(k) > 127) return false;
  return true;
}

/** Whether `b` holds the `length` code units of the key cached at `way` from `at` on. */
function sameKey(way: number, length: number, b: Codes, view: DataView | undefined, at: number): boolean {
  const from = way * KEY_CODES;
  let k = 0;
  if (view !== undefined) for (; k + 4 <= length; k += 4) if (keyWords.getInt32(from + k) !== view.getInt32(at + k)) return false;
  for (; k < length; k++) if (keyCodes[from + k] !== b[at + k]) return false;
  return true;
}

function isFlowIndicator(c: number | undefined): boolean {
  return c === 44 || c === 91 || c === 93 || c === 123 || c === 125;
}

function isHex(c: number | undefined): boolean {
  return c !== undefined && ((c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 102));
}

/** The simple escapes js-yaml and go-yaml share (`\n`, `\"`, `\\`, …; not go-yaml's `\'` nor js-yaml's `\/`), tab excluded (tabs never reach the fast path). */
function isSimpleEscape(c: number | undefined): boolean {
  return c === 48 || c === 97 || c === 98 || c === 116 || c === 110 || c === 118 || c === 102 || c === 114 || c === 101 || c === SPACE || c === DQUOTE || c === BACKSLASH || c === 78 || c === 95 || c === 76 || c === 80;
}

/**
 * The UTF-16 code units of a text, read by index (several times faster than `charCodeAt`): one
 * byte each when the text is ASCII. Past the end an index reads undefined, which compares as
 * `charCodeAt`'s NaN does.
 */
export type Codes = Uint8Array | Uint16Array;

/**
 * The code units of a text: its latin1 bytes when it is ASCII, otherwise one 16-bit unit each.
 *
 * @example
 * codesOf("a: 1")[1]; // 58 (":")
 */
export function codesOf(text: string): Codes {
  if (Buffer.byteLength(text, "utf8") === text.length) return Buffer.from(text, "latin1");
  const out = new Uint16Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

class FastReader {
  readonly s: string;
  /** The code units of `s`. */
  readonly b: Codes;
  /** The same bytes read eight at a time, when they are bytes. */
  readonly view: DataView | undefined;
  readonly n: number;
  readonly maxDepth: number;
  /** Start of the current content line, and where its content starts (-1 at the end). */
  ls = 0;
  cs = 0;

  /** Reads `s` from `start` to `end` (a line start, or the end of `s`); `conversions`: YAML 1.1-only readings are taken, not handed to the exact reader. */
  constructor(s: string, b: Codes, start: number, end: number, maxDepth: number, conversions = false) {
    this.s = s;
    this.b = b;
    this.view = b instanceof Uint8Array ? new DataView(b.buffer, b.byteOffset, b.byteLength) : undefined;
    this.start = start;
    this.n = end;
    this.maxDepth = maxDepth;
    this.conversions = conversions;
  }

  readonly conversions: boolean;

  /**
   * Locating (see {@link fastLocate}): the path sought, how many of its segments the node being
   * read matches (-1: it is off the path), the offset of the deepest node on it found so far, and
   * whether the path leads where only the exact reader can follow (into a flow collection).
   */
  want: readonly (string | number)[] | undefined;
  at = 0;
  best = -1;
  lost = false;

  readonly start: number;

  /** Move to the first line at or after `p` (a line start) that is neither blank nor a comment. */
  seek(p: number): void {
    const s = this.s;
    const b = this.b;
    const n = this.n;
    while (p < n) {
      const q = this.spaces(p);
      const c = b[q];
      if (q < n && c !== NL && c !== HASH) {
        this.ls = p;
        this.cs = q;
        return;
      }
      const nl = s.indexOf("\n", q);
      if (nl < 0) break;
      p = nl + 1;
    }
    this.ls = this.cs = -1;
  }

  /** The first offset at or after `q` that does not hold a space (indentation is skipped eight spaces at a time). */
  spaces(q: number): number {
    const view = this.view;
    if (view !== undefined) {
      const last = this.n - 8;
      while (q <= last && view.getFloat64(q) === EIGHT_SPACES) q += 8;
    }
    const b = this.b;
    while (b[q] === SPACE) q++;
    return q;
  }

  /** Continue on the line after the one that holds `p`. */
  nextLine(p: number): void {
    // Most values end at their line break.
    const nl = this.b[p] === NL ? p : this.s.indexOf("\n", p);
    if (nl < 0) this.ls = this.cs = -1;
    else this.seek(nl + 1);
  }

  /**
   * Locating: pass over a value off the path sought, from `p` on the line of its key or `-` at
   * column `indent`, to the next content line at or left of that column (with `entries`, `-`
   * lines at the column too: a sequence written at its key's column). Every value the fast path
   * reads ends there, so nothing in it needs reading.
   */
  skip(p: number, indent: number, entries: boolean): void {
    this.nextLine(p);
    const indentless = entries && this.col() === indent && this.isEntry(this.cs);
    while (this.cs >= 0) {
      const col = this.col();
      if (col > indent || (indentless && col === indent && this.isEntry(this.cs))) this.nextLine(this.cs);
      else return;
    }
  }

  /** The column of the current content line's first character (-1 at the end). */
  col(): number {
    return this.cs < 0 ? -1 : this.cs - this.ls;
  }

  isEntry(p: number): boolean {
    if (this.b[p] !== DASH) return false;
    const c = this.b[p + 1];
    return c === SPACE || c === NL || p + 1 >= this.n;
  }

  /** After a value on this line: only spaces, then the end of the line or a comment. */
  endOfLine(p: number, spaced: boolean): void {
    const s = this.s;
    const b = this.b;
    while (b[p] === SPACE) {
      p++;
      spaced = true;
    }
    const c = b[p];
    if (p >= this.n || c === NL) return;
    if (c === HASH && spaced) return;
    throw GIVE_UP;
  }

  /**
   * The offset after the closing quote of a quoted scalar starting at `p`, or -1 when it does not
   * close on its line and `minIndent` is -1. Otherwise its lines after the first must be indented
   * at least `minIndent` (js-yaml's "deficient indentation").
   */
  quotedEnd(p: number, minIndent = -1): number {
    const s = this.s;
    const b = this.b;
    const q = b[p];
    let i = p + 1;
    for (;;) {
      let c = b[i];
      if (c === BACKSLASH && q === DQUOTE && b[i + 1] === NL) c = b[++i];
      if (c === NL) {
        if (minIndent < 0) return -1;
        let lineStart = ++i;
        for (;;) {
          while (b[i] === SPACE) i++;
          if (b[i] !== NL) break;
          lineStart = ++i;
        }
        if (i - lineStart < minIndent) throw GIVE_UP;
        continue;
      }
      if (i >= this.n) throw GIVE_UP;
      if (c === q) {
        if (q === QUOTE && b[i + 1] === QUOTE) {
          i += 2;
          continue;
        }
        return i + 1;
      }
      if (c === BACKSLASH && q === DQUOTE) {
        const e = b[i + 1];
        if (isSimpleEscape(e)) i += 2;
        else {
          const len = e === 120 ? 2 : e === 117 ? 4 : e === 85 ? 8 : 0;
          if (!len) throw GIVE_UP;
          for (let k = 2; k < len + 2; k++) if (!isHex(b[i + k])) throw GIVE_UP;
          i += len + 2;
        }
        continue;
      }
      i++;
    }
  }

  /** The offset after a quoted scalar that must close on its line. */
  quotedLine(p: number): number {
    const end = this.quotedEnd(p);
    if (end < 0) throw GIVE_UP;
    return end;
  }

  /** The string of a quoted scalar spanning [p, end). */
  quoted(p: number, end: number): string {
    const s = this.s;
    const b = this.b;
    const body = s.slice(p + 1, end - 1);
    const q = b[p];
    if (!body.includes("\n") && (q === QUOTE ? !body.includes("'") : !body.includes("\\"))) return body;
    return jsYaml().getScalarValue(s, scalarEvent(p + 1, end - 1, q === QUOTE ? STYLE_SINGLE : STYLE_DOUBLE, CLIP, -1));
  }

  /**
   * Where a block mapping key starting at `p` ends: the offset of its `:`, or -1 when the line is
   * not a `key: …` entry. For plain keys, `keyHash` receives a hash of the key's text.
   */
  keyColon(p: number): number {
    // The line that opens a mapping is looked at by its parent first: its key is scanned once.
    if (p === this.scannedAt) return this.scannedColon;
    const colon = this.scanKey(p);
    this.scannedAt = p;
    this.scannedColon = colon;
    return colon;
  }

  /** The last key line scanned by `keyColon`, and its `:`. */
  scannedAt = -1;
  scannedColon = -1;

  private scanKey(p: number): number {
    const b = this.b;
    const c = b[p];
    if (c === QUOTE || c === DQUOTE) {
      let i = this.quotedEnd(p);
      if (i < 0) return -1;
      while (b[i] === SPACE) i++;
      if (b[i] !== COLON) return -1;
      const f = b[i + 1];
      return f === SPACE || f === NL || i + 1 >= this.n ? i : -1;
    }
    if (cannotStartPlain(c, b[p + 1], false)) return -1;
    let h = c!;
    for (let i = p + 1; i < this.n; i++) {
      const ch = b[i];
      if (ch === NL) return -1;
      if (ch === COLON) {
        const f = b[i + 1];
        if (f === SPACE || f === NL || i + 1 >= this.n) {
          this.keyHash = h;
          return i;
        }
      } else if (ch === HASH && b[i - 1] === SPACE) return -1;
      h = (Math.imul(h, 31) + ch!) | 0;
    }
    return -1;
  }

  keyHash = 0;

  /** The keys of the block mappings being read, outermost first (`keyTop` of them). */
  readonly keys: string[] = [];
  keyTop = 0;

  /** A mapping field read so far is null. */
  nullFields = false;

  /** A plain scalar's value; gives up where the exact reader would add a notice. */
  plain(text: string): unknown {
    // `---` or `...` opening a plain scalar is read as a marker by the exact reader's scanner, wherever it stands.
    if (text.startsWith("---") || text.startsWith("...")) throw GIVE_UP;
    const v = plainScalarValue(text);
    if (v !== NOTICED) return v;
    // A YAML 1.1-only reading is noticed only when asked for; a number JSON cannot hold always is,
    // and an integer literal a number holds rounded is noted with its exact value by the exact reader.
    const r = this.conversions ? resolvePlainScalar(text).value : undefined;
    if (r === undefined || (typeof r === "number" && (!Number.isFinite(r) || wideIntegerLiteral(text) !== undefined))) throw GIVE_UP;
    return r;
  }

  /**
   * The value of the one-line plain scalar [p, end): the common cases read from its first codes
   * (a word that can only be a string, a small decimal integer, `true`, `false`), the others by `plain`.
   */
  plainAt(p: number, end: number): unknown {
    const b = this.b;
    const c = b[p]!;
    if (alwaysString(c)) return this.s.slice(p, end);
    const length = end - p;
    if (c >= 48 && c <= 57) {
      let n = c - 48;
      let i = p + 1;
      for (; i < end; i++) {
        const d = b[i]!;
        if (d < 48 || d > 57) break;
        n = n * 10 + (d - 48);
      }
      // `1`…`9` then digits: exact in a number, read alike by YAML 1.1 and 1.2; and `0`.
      if (i === end && (c !== 48 ? length <= 15 : length === 1)) return n;
      // A character no integer or float has (`250m`, `128Mi`): a string.
      for (; i < end; i++) if (!numberCode(b[i]!)) return this.s.slice(p, end);
    } else if (c === 116 && length === 4 && b[p + 1] === 114 && b[p + 2] === 117 && b[p + 3] === 101) return true;
    else if (c === 102 && length === 5 && b[p + 1] === 97 && b[p + 2] === 108 && b[p + 3] === 115 && b[p + 4] === 101) return false;
    else if (c !== 126 && c !== 46 && c !== 43 && c !== DASH) {
      // Left are words starting with y, n, t, f or o: one longer than `false` is a string (`team-0`),
      // and so is one whose second letter is none of yes, no, null, true, false, on, off's (`TCP`).
      if (length > LONGEST_WORD_VALUE) return this.s.slice(p, end);
      if (length > 1 && !WORD_VALUE_SECOND[b[p + 1]! | 32]) return this.s.slice(p, end);
    }
    return this.plain(this.s.slice(p, end));
  }

  /** The key starting at `p`, whose `:` is at `colon` (plain keys: `keyHash` is its hash). */
  key(p: number, colon: number): string {
    const s = this.s;
    const b = this.b;
    const c = b[p];
    if (c === QUOTE || c === DQUOTE) return this.quoted(p, this.quotedLine(p));
    const len = colon - p;
    // Two places a key can be cached at, so that two frequent keys with one hash both stay.
    let h = this.keyHash;
    h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
    const slot = (h ^ (h >>> 16)) & (KEY_CACHE_SIZE - 2);
    for (let way = slot; way <= slot + 1; way++) {
      const cached = keyCache[way];
      if (cached !== undefined && cached.length === len && sameKey(way, len, b, this.view, p)) return cached;
    }
    let e = colon;
    while (b[e - 1] === SPACE) e--;
    const text = s.slice(p, e);
    if (text === "<<") throw GIVE_UP;
    const key = keyString(this.plain(text));
    if (e === colon && key === text && len <= KEY_CODES && isAsciiText(key)) {
      // The newer key takes the second place; the one there moves to the first.
      keyCache[slot] = keyCache[slot + 1];
      keyCache[slot + 1] = internalized(key);
      keyCodes.copyWithin(slot * KEY_CODES, (slot + 1) * KEY_CODES, (slot + 2) * KEY_CODES);
      for (let k = 0; k < len; k++) keyCodes[(slot + 1) * KEY_CODES + k] = key.charCodeAt(k);
    }
    return key;
  }

  /** The document's root node; the reader must then be at the end. */
  document(): FastDocument | undefined {
    this.seek(this.start);
    if (this.cs < 0) return undefined;
    const offset = this.cs;
    let line = 0;
    for (let i = this.s.indexOf("\n", this.start); i >= 0 && i < offset; i = this.s.indexOf("\n", i + 1)) line++;
    const column = offset - this.ls + 1;
    const col = this.col();
    let value: unknown;
    const c = this.b[offset];
    if (this.isEntry(offset)) value = this.sequence(col, 1);
    else if (this.keyColon(offset) >= 0) value = this.mapping(col, 1);
    else if (c === 91 || c === 123) {
      if (this.want?.length) this.lost = true;
      const [v, end] = this.flow(offset, 1);
      this.endOfLine(end, false);
      this.nextLine(end);
      value = v;
    } else return undefined;
    if (this.cs >= 0) return undefined;
    return { value, offset: offset - this.start, line, column, nullFields: this.nullFields };
  }

  /** A block mapping whose keys are at column `indent`; the current content starts its first key. */
  mapping(indent: number, depth: number): Record<string, unknown> {
    if (depth > this.maxDepth) throw GIVE_UP;
    const s = this.s;
    const b = this.b;
    const out: Record<string, unknown> = {};
    const keys = this.keys;
    const keysFrom = this.keyTop;
    for (;;) {
      const p = this.cs;
      const colon = this.keyColon(p);
      if (colon < 0) throw GIVE_UP;
      const key = this.key(p, colon);
      const mine = this.at;
      // Locating, the document is known to read: its values are not built again.
      if (!this.want) {
        // A duplicate is looked for among this mapping's keys (most mappings have a few).
        const top = this.keyTop;
        if (top - keysFrom < 16) {
          for (let k = keysFrom; k < top; k++) if (keys[k] === key) throw GIVE_UP;
          keys[top] = key;
          this.keyTop = top + 1;
        } else if (Object.hasOwn(out, key)) throw GIVE_UP;
      }
      if (this.want) {
        if (mine < this.want.length && String(this.want[mine]) === key) {
          // A quoted scalar's position is its first character inside the quotes, as the exact reader has it.
          this.best = b[p] === QUOTE || b[p] === DQUOTE ? p + 1 : p;
          if (mine + 1 === this.want.length) throw FOUND;
          this.at = mine + 1;
        } else {
          this.skip(colon, indent, true);
          const col = this.col();
          if (col < indent) return out;
          if (col > indent) throw GIVE_UP;
          continue;
        }
      }
      let v = colon + 1;
      while (b[v] === SPACE) v++;
      const c = b[v];
      let value: unknown;
      if (v >= this.n || c === NL || c === HASH) {
        this.nextLine(v);
        const col = this.col();
        if (col > indent) value = this.node(col, indent, depth + 1);
        else if (col === indent && this.isEntry(this.cs)) value = this.sequence(indent, depth + 1);
        else value = null;
      } else value = this.inline(v, indent, depth + 1);
      this.at = mine;
      if (value === null) this.nullFields = true;
      if (!this.want) {
        if (key === "__proto__") setOwn(out, key, value);
        else out[key] = value;
      }
      const col = this.col();
      if (col < indent) {
        this.keyTop = keysFrom;
        return out;
      }
      if (col > indent) throw GIVE_UP;
    }
  }

  /** A block sequence whose `-` are at column `indent`; the current content is its first `-`. */
  sequence(indent: number, depth: number): unknown[] {
    if (depth > this.maxDepth) throw GIVE_UP;
    const s = this.s;
    const b = this.b;
    const out: unknown[] = [];
    const mine = this.at;
    for (;;) {
      let v = this.cs + 1;
      while (b[v] === SPACE) v++;
      const c = b[v];
      if (this.want) {
        this.at = mine < this.want.length && this.want[mine] === out.length ? mine + 1 : -1;
        if (this.at < 0) {
          out.push(null);
          this.skip(this.cs, indent, false);
          this.at = mine;
          const col = this.col();
          if (col < indent) return out;
          if (col > indent) throw GIVE_UP;
          if (!this.isEntry(this.cs)) return out;
          continue;
        }
        if (this.at === this.want.length) {
          // The item found: where its node starts is all that is left to read.
          if (v >= this.n || c === NL || c === HASH) {
            this.nextLine(v);
            const q = b[this.cs];
            // An empty item, or a block scalar (whose position is its content's): the exact reader says where.
            if (this.col() <= indent || q === 124 || q === 62) this.lost = true;
            this.best = (q === QUOTE || q === DQUOTE) && this.keyColon(this.cs) < 0 ? this.cs + 1 : this.cs;
          } else {
            if (c === 124 || c === 62) this.lost = true;
            // A quoted scalar's position is inside its quotes; a mapping's is where it starts.
            this.best = (c === QUOTE || c === DQUOTE) && this.keyColon(v) < 0 ? v + 1 : v;
          }
          throw FOUND;
        }
      }
      if (v >= this.n || c === NL || c === HASH) {
        this.nextLine(v);
        const col = this.col();
        if (this.want && this.at > mine) {
          const q = b[this.cs];
          if (col > indent) this.best = (q === QUOTE || q === DQUOTE) && this.keyColon(this.cs) < 0 ? this.cs + 1 : this.cs;
          else this.lost = true;
        }
        out.push(col > indent ? this.node(col, indent, depth + 1) : null);
      } else if ((this.want && this.at > mine && (this.best = (c === QUOTE || c === DQUOTE) && this.keyColon(v) < 0 ? v + 1 : v), this.isEntry(v))) {
        this.cs = v;
        out.push(this.sequence(v - this.ls, depth + 1));
      } else if (this.keyColon(v) >= 0) {
        this.cs = v;
        out.push(this.mapping(v - this.ls, depth + 1));
      } else out.push(this.inline(v, indent, depth + 1));
      this.at = mine;
      const col = this.col();
      if (col < indent) return out;
      if (col > indent) throw GIVE_UP;
      if (!this.isEntry(this.cs)) return out;
    }
  }

  /** A node that starts its own line at column `col` (below a key or `-` at column `parent`). */
  node(col: number, parent: number, depth: number): unknown {
    const p = this.cs;
    if (this.isEntry(p)) return this.sequence(col, depth);
    if (this.keyColon(p) >= 0) return this.mapping(col, depth);
    const c = this.b[p];
    if (c === 124 || c === 62) throw GIVE_UP;
    return this.inline(p, parent, depth);
  }

  /**
   * A scalar, flow collection or block scalar starting at `p` on the current line, the value of an
   * entry of the collection at column `indent`; moves to the next content line.
   */
  inline(p: number, indent: number, depth: number): unknown {
    const s = this.s;
    const b = this.b;
    const c = b[p];
    let value: unknown;
    if (c === 124 || c === 62) return this.blockScalar(p, indent + 1);
    if (c === QUOTE || c === DQUOTE) {
      const end = this.quotedEnd(p, indent + 1);
      value = this.quoted(p, end);
      this.endOfLine(end, false);
      this.nextLine(end);
    } else if (c === 91 || c === 123) {
      // Positions inside a flow collection are the exact reader's to find.
      if (this.want && this.at >= 0 && this.at < this.want.length) this.lost = true;
      const [v, end] = this.flow(p, depth);
      value = v;
      this.endOfLine(end, false);
      this.nextLine(end);
    } else {
      if (cannotStartPlain(c, b[p + 1], false)) throw GIVE_UP;
      let e = p + 1;
      let last = p + 1;
      let multiline = false;
      // The next line, when the scalar ends at a line break: its start and where its content starts.
      let nextStart = -1;
      let nextContent = -1;
      for (; e < this.n; e++) {
        const ch = b[e];
        if (ch === NL) {
          // Lines indented deeper than the collection continue the scalar (js-yaml's readPlainScalar).
          let q = e + 1;
          let lineStart = q;
          for (;;) {
            q = this.spaces(q);
            if (b[q] !== NL) break;
            lineStart = ++q;
          }
          if (q >= this.n || q - lineStart <= indent) {
            nextStart = lineStart;
            nextContent = q;
            break;
          }
          multiline = true;
          e = q - 1;
          continue;
        }
        if (ch === COLON) {
          const f = b[e + 1];
          if (f === SPACE || f === NL || e + 1 >= this.n) throw GIVE_UP;
        } else if (ch === HASH && b[e - 1] === SPACE) break;
        if (ch !== SPACE) last = e + 1;
      }
      value = this.want ? null : multiline ? this.plain(plainValue(s, p, last)) : this.plainAt(p, last);
      if (nextContent < 0) this.nextLine(e);
      else if (nextContent >= this.n) this.ls = this.cs = -1;
      else if (b[nextContent] === HASH) this.nextLine(nextContent);
      else {
        this.ls = nextStart;
        this.cs = nextContent;
      }
    }
    // A more indented line would continue a plain scalar or be an error.
    if (this.col() > indent) throw GIVE_UP;
    return value;
  }

  /** A `|` or `>` block scalar, read as js-yaml's `readBlockScalar` does; `parent` is its parent indentation. */
  blockScalar(p: number, parent: number): string {
    const s = this.s;
    const b = this.b;
    const n = this.n;
    const style = b[p] === 124 ? STYLE_LITERAL : STYLE_FOLDED;
    let chomping = CLIP;
    let indent = -1;
    let detected = false;
    p++;
    for (;;) {
      const c = b[p];
      if (c === 43 || c === DASH) {
        if (chomping !== CLIP) throw GIVE_UP;
        chomping = c === 43 ? KEEP : STRIP;
        p++;
      } else if (c !== undefined && c >= 48 && c <= 57) {
        if (c === 48 || detected) throw GIVE_UP;
        indent = parent + (c - 48) - 1;
        detected = true;
        p++;
      } else break;
    }
    let spaced = false;
    while (b[p] === SPACE) {
      spaced = true;
      p++;
    }
    if (spaced && b[p] === HASH) {
      const nl = s.indexOf("\n", p);
      p = nl < 0 ? n : nl;
    }
    if (b[p] === NL) p++;
    else if (p < n) throw GIVE_UP;
    let contentIndent = detected ? indent : -1;
    let maxLeading = 0;
    const valueStart = p;
    let valueEnd = p;
    let next = -1;
    while (p < n) {
      const lp = p;
      let column = 0;
      while (b[lp + column] === SPACE) column++;
      const at = lp + column;
      if (at >= n) {
        if (contentIndent >= 0) {
          if (column > contentIndent) valueEnd = at;
        } else if (column > 0) valueEnd = at;
        break;
      }
      const blank = b[at] === NL;
      if (!detected && contentIndent === -1) {
        if (blank) maxLeading = Math.max(maxLeading, column);
        else if (column >= parent && column < maxLeading) throw GIVE_UP;
      }
      if (!blank && contentIndent === -1 && column < parent) {
        next = lp;
        break;
      }
      if (!detected && !blank && contentIndent === -1) contentIndent = column;
      const required = contentIndent === -1 ? parent + 1 : contentIndent;
      if (!blank && column < required) {
        next = lp;
        break;
      }
      const nl = s.indexOf("\n", at);
      if (nl < 0) {
        valueEnd = p = n;
      } else {
        p = nl + 1;
        valueEnd = p;
      }
    }
    const value = jsYaml().getScalarValue(s, scalarEvent(valueStart, valueEnd, style, chomping, contentIndent));
    if (next < 0) this.ls = this.cs = -1;
    else this.seek(next);
    // The parent collection is at `parent - 1`; a line between it and the scalar's content is an error.
    if (this.col() >= parent) throw GIVE_UP;
    return value;
  }

  /** A flow collection that closes on its own line; returns the value and the offset after it. */
  flow(p: number, depth: number): [unknown, number] {
    if (depth > this.maxDepth) throw GIVE_UP;
    const s = this.s;
    const b = this.b;
    const isMap = b[p] === 123;
    const terminator = isMap ? 125 : 93;
    const map: Record<string, unknown> = {};
    const list: unknown[] = [];
    let readNext = true;
    p++;
    for (;;) {
      while (b[p] === SPACE) p++;
      const c = b[p];
      if (p >= this.n || c === NL || c === HASH) throw GIVE_UP;
      if (c === terminator) return [isMap ? map : list, p + 1];
      if (!readNext || c === 44 || c === 63) throw GIVE_UP;
      if (isMap) {
        let key: string;
        if (c === QUOTE || c === DQUOTE) {
          const end = this.quotedLine(p);
          key = this.quoted(p, end);
          p = end;
        } else {
          const [text, end] = this.flowPlain(p);
          if (text === "<<") throw GIVE_UP;
          key = keyString(this.plain(text));
          p = end;
        }
        while (b[p] === SPACE) p++;
        if (b[p] !== COLON) throw GIVE_UP;
        p++;
        while (b[p] === SPACE) p++;
        const f = b[p];
        if (f === 44 || f === terminator) throw GIVE_UP;
        if (Object.hasOwn(map, key)) throw GIVE_UP;
        const [value, end] = this.flowNode(p, depth);
        if (value === null) this.nullFields = true;
        setOwn(map, key, value);
        p = end;
      } else {
        const [value, end] = this.flowNode(p, depth);
        list.push(value);
        p = end;
      }
      while (b[p] === SPACE) p++;
      const sep = b[p];
      if (sep === COLON) throw GIVE_UP;
      if (sep === 44) {
        readNext = true;
        p++;
      } else readNext = false;
    }
  }

  flowNode(p: number, depth: number): [unknown, number] {
    const c = this.b[p];
    if (c === QUOTE || c === DQUOTE) {
      const end = this.quotedLine(p);
      return [this.quoted(p, end), end];
    }
    if (c === 91 || c === 123) return this.flow(p, depth + 1);
    const [text, end] = this.flowPlain(p);
    return [this.plain(text), end];
  }

  /** A plain scalar inside a flow collection: its text and the offset after it. */
  flowPlain(p: number): [string, number] {
    const s = this.s;
    const b = this.b;
    if (cannotStartPlain(b[p], b[p + 1], true)) throw GIVE_UP;
    let last = p + 1;
    let e = p + 1;
    for (; e < this.n; e++) {
      const ch = b[e];
      if (ch === NL || isFlowIndicator(ch)) break;
      if (ch === COLON) {
        const f = b[e + 1];
        if (f === SPACE || f === NL || e + 1 >= this.n || isFlowIndicator(f)) break;
      } else if (ch === HASH && b[e - 1] === SPACE) throw GIVE_UP;
      if (ch !== SPACE) last = e + 1;
    }
    return [s.slice(p, last), e];
  }
}

/** What is known of a text before the fast path reads it. */
export interface FastText {
  /** Its code units (see {@link codesOf}), when they are at hand. */
  codes?: Codes;
  /** It is known to be printable ASCII and line feeds only (nothing `UNUSUAL`). */
  plain?: boolean;
}

/**
 * A reader of the documents of one YAML stream on the fast path: call it with each document's
 * start and end offsets (in order), as `---` lines cut the stream, for documents with no line
 * inside that starts with `---` or `...`; it returns undefined when the exact reader must read
 * that one.
 *
 * @example
 * const text = "kind: ConfigMap\ndata:\n  a: b\n";
 * fastDocumentReader(text, 256)(0, text.length)?.value; // { kind: "ConfigMap", data: { a: "b" } }
 */
export function fastDocumentReader(text: string, maxDepth: number, conversions = false, read: FastText = {}): (start: number, end: number) => FastDocument | undefined {
  const b = read.codes ?? codesOf(text);
  const unusual = read.plain || (b instanceof Uint8Array ? noControls(text) : plainAscii(text))
    ? () => Infinity
    : nextMatch(text, (from) => {
        UNUSUAL.lastIndex = from;
        return UNUSUAL.exec(text)?.index ?? -1;
      });
  return (start, end) => {
    if (unusual(start) < end) return undefined;
    try {
      return new FastReader(text, b, start, end, Math.floor(maxDepth / 2) - 2, conversions).document();
    } catch (err) {
      if (err === GIVE_UP || err instanceof RangeError) return undefined;
      throw err;
    }
  };
}

/**
 * Where the key (or list item) at a path is written in a document the fast path reads, as an
 * offset in `text` — the closest existing parent when the path goes further than the document —
 * or undefined where only the exact reader can say (inside flow collections, or when the fast
 * path gives up). The document is read again, as fast as the first time.
 *
 * @example
 * const text = "kind: ConfigMap\ndata:\n  a: b\n";
 * fastLocate(text, 0, text.length, 256, ["data", "a"]); // 24
 */
export function fastLocate(text: string, start: number, end: number, maxDepth: number, path: readonly (string | number)[], conversions = false, codes: Codes = codesOf(text)): number | undefined {
  const reader = new FastReader(text, codes, start, end, Math.floor(maxDepth / 2) - 2, conversions);
  reader.want = path;
  try {
    const doc = reader.document();
    if (!doc || reader.lost) return undefined;
    return reader.best >= 0 ? reader.best : start + doc.offset;
  } catch (err) {
    if (err === FOUND) return reader.lost ? undefined : reader.best;
    if (err === GIVE_UP || err instanceof RangeError) return undefined;
    throw err;
  }
}

const CONTROLS = [...Array.from({ length: 32 }, (_, c) => String.fromCharCode(c)).filter((c) => c !== "\n"), "\x7f"];

/**
 * Whether a text is printable ASCII and line feeds only, so it has nothing `UNUSUAL`: a check
 * several times faster than the regular expression (UTF-8 length, then one search per control
 * character), for the common case.
 */
function plainAscii(text: string): boolean {
  return Buffer.byteLength(text, "utf8") === text.length && noControls(text);
}

/** No control character (line feed aside), nor DEL. */
function noControls(text: string): boolean {
  for (const c of CONTROLS) if (text.includes(c)) return false;
  return true;
}

/**
 * The first match at or after an offset, for offsets that only grow: each search starts where
 * the last one found something, so a stream is searched once in all. Infinity when none.
 */
function nextMatch(text: string, find: (from: number) => number): (from: number) => number {
  let found = -1;
  return (from) => {
    if (found < from) {
      const i = find(from);
      found = i < 0 ? Infinity : i;
    }
    return found;
  };
}
