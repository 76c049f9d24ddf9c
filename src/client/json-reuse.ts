/**
 * JSON decoding that reuses a value held already: the bytes of a watch event's object are read
 * beside the cached version of that object, and every part whose bytes spell exactly the cached
 * part (same keys in the same order, same values) *is* the cached part, neither allocated nor
 * copied. Only the parts that changed are built. An informer's updates mostly touch `status` and
 * `resourceVersion`: most of each event is compared, not decoded, and the old parts keep their
 * identity (what `shareUnchanged` would do after a full decode, without the decode).
 *
 * The result is always exactly `JSON.parse` of the text (the previous value is a hint for reuse,
 * never a source of values). Text this reader does not handle, or not quickly (a byte-order mark,
 * a `__proto__` key, invalid JSON, nesting beyond the stack), is answered with `NOT_DECODED`, and
 * the caller decodes it the ordinary way, with the ordinary errors.
 */

/** Answered when the text is left to `JSON.parse` (invalid, or outside what this reader handles). */
export const NOT_DECODED: unique symbol = Symbol("not decoded");

/** Thrown inside the reader to give up on the text (caught at the top). */
const GIVE_UP = new Error("not decoded here");

const objectProto = Object.prototype;
const NO_KEYS: readonly string[] = [];

/** Bytes that stand for themselves inside a JSON string and in a UTF-16 string alike: printable ASCII but `"` and `\`. */
const PLAIN = new Uint8Array(256);
for (let c = 0x20; c < 0x80; c++) PLAIN[c] = c === 0x22 || c === 0x5c ? 0 : 1;

/** Bytes of text with characters beyond ASCII (decoded as `TextDecoder` does, without taking a byte-order mark away). */
const utf8 = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

// The reader's state: one text at a time (the reader never calls out while it reads a value).
let b: Buffer = Buffer.alloc(0);
let i = 0;
let end = 0;

/** The next byte that is not JSON whitespace (the position moves to it); -1 at the end of the text. */
function ws(): number {
  const buf = b;
  const stop = end;
  let k = i;
  while (k < stop) {
    const c = buf[k]!;
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) {
      i = k;
      return c;
    }
    k++;
  }
  i = k;
  return -1;
}

function value(prev: unknown): unknown {
  const c = ws();
  switch (c) {
    case 0x7b:
      return object(prev);
    case 0x5b:
      return array(prev);
    case 0x22:
      return string(prev);
    case 0x74:
      literal(0x74, 0x72, 0x75, 0x65);
      return true;
    case 0x66:
      if (i + 4 < end && b[i + 1] === 0x61 && b[i + 2] === 0x6c && b[i + 3] === 0x73 && b[i + 4] === 0x65) {
        i += 5;
        return false;
      }
      throw GIVE_UP;
    case 0x6e:
      literal(0x6e, 0x75, 0x6c, 0x6c);
      return null;
    default:
      if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return number();
      throw GIVE_UP;
  }
}

function literal(c0: number, c1: number, c2: number, c3: number): void {
  if (i + 3 < end && b[i] === c0 && b[i + 1] === c1 && b[i + 2] === c2 && b[i + 3] === c3) i += 4;
  else throw GIVE_UP;
}

function object(prev: unknown): unknown {
  i++;
  const p = prev !== null && typeof prev === "object" && Object.getPrototypeOf(prev) === objectProto ? (prev as Record<string, unknown>) : undefined;
  const keys = p === undefined ? NO_KEYS : Object.keys(p);
  // Built only from the first difference on; until then every key and value is the previous one's.
  let out: Record<string, unknown> | undefined;
  let n = 0;
  let c = ws();
  if (c === 0x7d) {
    i++;
    return keys.length === 0 && p !== undefined ? p : {};
  }
  for (;;) {
    if (c !== 0x22) throw GIVE_UP;
    const expected = n < keys.length ? keys[n] : undefined;
    const key = keyString(expected);
    if (ws() !== 0x3a) throw GIVE_UP;
    i++;
    if (out === undefined) {
      const before = p === undefined ? undefined : p[key];
      const v = value(before);
      if (key !== expected || !same(v, before)) {
        out = prefix(p, keys, n);
        put(out, key, v);
      }
    } else {
      put(out, key, value(p === undefined ? undefined : p[key]));
    }
    n++;
    c = ws();
    if (c === 0x2c) {
      i++;
      c = ws();
      continue;
    }
    if (c === 0x7d) {
      i++;
      break;
    }
    throw GIVE_UP;
  }
  if (out !== undefined) return out;
  return n === keys.length ? p : prefix(p, keys, n);
}

/** Whether a value read is the previous one (0 and -0 are told apart, as `JSON.parse` keeps them). */
function same(v: unknown, before: unknown): boolean {
  return v === before && (v !== 0 || 1 / v === 1 / (before as number));
}

/** A new object with the first `n` keys of `p` (whose values were read equal). */
function prefix(p: Record<string, unknown> | undefined, keys: readonly string[], n: number): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (let k = 0; k < n; k++) put(o, keys[k]!, p![keys[k]!]);
  return o;
}

function put(o: Record<string, unknown>, key: string, v: unknown): void {
  // Assigning `__proto__` would set the prototype; JSON.parse makes it an own property.
  if (key === "__proto__") throw GIVE_UP;
  o[key] = v;
}

function array(prev: unknown): unknown {
  i++;
  const p = Array.isArray(prev) ? (prev as unknown[]) : undefined;
  let out: unknown[] | undefined;
  let n = 0;
  let c = ws();
  if (c === 0x5d) {
    i++;
    return p !== undefined && p.length === 0 ? p : [];
  }
  for (;;) {
    const before = p !== undefined && n < p.length ? p[n] : undefined;
    const v = value(before);
    if (out !== undefined) out.push(v);
    else if (!same(v, before) || p === undefined || n >= p.length) {
      out = p === undefined ? [] : p.slice(0, n);
      out.push(v);
    }
    n++;
    c = ws();
    if (c === 0x2c) {
      i++;
      continue;
    }
    if (c === 0x5d) {
      i++;
      break;
    }
    throw GIVE_UP;
  }
  if (out !== undefined) return out;
  return n === p!.length ? p : p!.slice(0, n);
}

/** A key: `expected` itself when the bytes spell it (plain ASCII), else the key decoded. */
function keyString(expected: string | undefined): string {
  if (expected !== undefined) {
    const buf = b;
    const start = i + 1;
    const len = expected.length;
    if (start + len < end && buf[start + len] === 0x22) {
      let k = 0;
      while (k < len) {
        const c = buf[start + k]!;
        if (PLAIN[c] === 0 || c !== expected.charCodeAt(k)) break;
        k++;
      }
      if (k === len) {
        i = start + len + 1;
        return expected;
      }
    }
  }
  return string(undefined);
}

function string(prev: unknown): string {
  const buf = b;
  const stop = end;
  const start = ++i;
  let k = start;
  while (k < stop && PLAIN[buf[k]!] === 1) k++;
  if (k >= stop) throw GIVE_UP;
  if (buf[k] !== 0x22) return escapedString(start);
  i = k + 1;
  const len = k - start;
  if (typeof prev === "string" && prev.length === len) {
    let j = 0;
    while (j < len && buf[start + j] === prev.charCodeAt(j)) j++;
    if (j === len) return prev;
  }
  return ascii(start, k);
}

/** A string with escapes or characters beyond ASCII, from its first byte. */
function escapedString(start: number): string {
  let out = "";
  let run = start;
  let k = start;
  for (;;) {
    if (k >= end) throw GIVE_UP;
    const c = b[k]!;
    if (PLAIN[c] === 1) {
      k++;
      continue;
    }
    if (c === 0x22) break;
    if (c < 0x20) throw GIVE_UP;
    if (c >= 0x80) {
      // A run of bytes beyond ASCII, decoded together (a sequence never spans an ASCII byte).
      if (run < k) out += ascii(run, k);
      run = k;
      while (k < end && b[k]! >= 0x80) k++;
      out += utf8.decode(b.subarray(run, k));
      run = k;
      continue;
    }
    // A backslash.
    if (run < k) out += ascii(run, k);
    if (k + 1 >= end) throw GIVE_UP;
    const e = b[k + 1]!;
    k += 2;
    switch (e) {
      case 0x22:
        out += '"';
        break;
      case 0x5c:
        out += "\\";
        break;
      case 0x2f:
        out += "/";
        break;
      case 0x62:
        out += "\b";
        break;
      case 0x66:
        out += "\f";
        break;
      case 0x6e:
        out += "\n";
        break;
      case 0x72:
        out += "\r";
        break;
      case 0x74:
        out += "\t";
        break;
      case 0x75: {
        if (k + 4 > end) throw GIVE_UP;
        let code = 0;
        for (let h = 0; h < 4; h++) {
          const d = hex(b[k + h]!);
          if (d < 0) throw GIVE_UP;
          code = code * 16 + d;
        }
        k += 4;
        out += String.fromCharCode(code);
        break;
      }
      default:
        throw GIVE_UP;
    }
    run = k;
  }
  if (run < k) out += ascii(run, k);
  i = k + 1;
  return out;
}

/** The text of bytes known to be ASCII. */
function ascii(start: number, stop: number): string {
  return b.toString("latin1", start, stop);
}

function hex(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

function digitsFrom(k: number): number {
  while (k < end && b[k]! >= 0x30 && b[k]! <= 0x39) k++;
  return k;
}

function number(): number {
  const start = i;
  let k = i;
  const negative = b[k] === 0x2d;
  if (negative) k++;
  if (k >= end) throw GIVE_UP;
  const first = b[k]!;
  if (first === 0x30) k++;
  else if (first >= 0x31 && first <= 0x39) k = digitsFrom(k + 1);
  else throw GIVE_UP;
  let integer = true;
  if (k < end && b[k] === 0x2e) {
    integer = false;
    const f = digitsFrom(k + 1);
    if (f === k + 1) throw GIVE_UP;
    k = f;
  }
  if (k < end && (b[k] === 0x65 || b[k] === 0x45)) {
    integer = false;
    k++;
    if (k < end && (b[k] === 0x2b || b[k] === 0x2d)) k++;
    const e = digitsFrom(k);
    if (e === k) throw GIVE_UP;
    k = e;
  }
  i = k;
  const from = negative ? start + 1 : start;
  if (integer && k - from <= 15) {
    let n = 0;
    for (let d = from; d < k; d++) n = n * 10 + (b[d]! - 0x30);
    return negative ? -n : n;
  }
  return Number(ascii(start, k));
}

function begin(bytes: Uint8Array, start: number, stop: number): void {
  b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  i = start;
  end = stop;
}

function finish(): void {
  // Let the text's buffer go.
  b = EMPTY;
}
const EMPTY = Buffer.alloc(0);

/**
 * The JSON value of the UTF-8 text `bytes[start, end)`, equal to `JSON.parse` of it, with every
 * part equal to the same place of `previous` being `previous`'s own part (`previous` itself when
 * the two are equal); `NOT_DECODED` when the text is left to `JSON.parse`.
 *
 * @example
 * const next = decodeJsonReusing(Buffer.from('{"a":{"b":1},"c":2}'), 0, 19, { a: { b: 1 }, c: 1 });
 * // next.a is the previous value's `a`
 */
export function decodeJsonReusing(bytes: Uint8Array, start: number, stop: number, previous: unknown): unknown {
  begin(bytes, start, stop);
  try {
    const v = value(previous);
    if (ws() !== -1) return NOT_DECODED;
    return v;
  } catch (err) {
    if (err === GIVE_UP || err instanceof RangeError) return NOT_DECODED;
    throw err;
  } finally {
    finish();
  }
}

/** Finds the cached version of an object by its namespace (undefined when the object has none) and name. */
export type PreviousLookup = (namespace: string | undefined, name: string) => unknown;

/** A watch event as decoded from its line: `type` and `object`, as `JSON.parse` would give them. */
export interface RawWatchEvent {
  type: string;
  object: unknown;
}

const TYPE = [0x74, 0x79, 0x70, 0x65]; // type
const OBJECT = [0x6f, 0x62, 0x6a, 0x65, 0x63, 0x74]; // object
const METADATA = [0x6d, 0x65, 0x74, 0x61, 0x64, 0x61, 0x74, 0x61]; // metadata
const NAME = [0x6e, 0x61, 0x6d, 0x65]; // name
const NAMESPACE = [0x6e, 0x61, 0x6d, 0x65, 0x73, 0x70, 0x61, 0x63, 0x65]; // namespace

/** Whether a plain key spelled by `word` starts at the position (on its opening quote); moves past it and its colon. */
function keyIs(word: readonly number[]): boolean {
  const len = word.length;
  if (i + len + 1 >= end || b[i + len + 1] !== 0x22) return false;
  for (let k = 0; k < len; k++) if (b[i + 1 + k] !== word[k]) return false;
  const at = i;
  i += len + 2;
  if (ws() === 0x3a) {
    i++;
    return true;
  }
  i = at;
  return false;
}

/** Skips one value (strings, nesting) without building it; false when the text is not what it should be. */
function skip(): boolean {
  const c = ws();
  if (c === 0x22) return skipString();
  if (c !== 0x7b && c !== 0x5b) {
    // A number or literal: up to the next delimiter.
    while (i < end) {
      const d = b[i]!;
      if (d === 0x2c || d === 0x7d || d === 0x5d || d === 0x20 || d === 0x0a || d === 0x0d || d === 0x09) return true;
      i++;
    }
    return false;
  }
  let depth = 0;
  while (i < end) {
    const d = b[i]!;
    if (d === 0x22) {
      if (!skipString()) return false;
      continue;
    }
    i++;
    if (d === 0x7b || d === 0x5b) depth++;
    else if (d === 0x7d || d === 0x5d) {
      if (--depth === 0) return true;
    }
  }
  return false;
}

function skipString(): boolean {
  i++;
  while (i < end) {
    const d = b[i]!;
    if (d === 0x22) {
      i++;
      return true;
    }
    i += d === 0x5c ? 2 : 1;
  }
  return false;
}

/** A plain (ASCII, unescaped) string value at the position, or undefined. */
function plainString(): string | undefined {
  if (ws() !== 0x22) return undefined;
  const start = i + 1;
  let k = start;
  while (k < end && PLAIN[b[k]!] === 1) k++;
  if (k >= end || b[k] !== 0x22) return undefined;
  i = k + 1;
  return ascii(start, k);
}

/**
 * The namespace and name in the `metadata` of the object at the position, read ahead without
 * moving the position (undefined when not found plainly); only a hint for finding the cached
 * version, so a text that hides them (escapes, duplicates) only goes without reuse.
 */
function peekKey(lookup: PreviousLookup): unknown {
  const at = i;
  let namespace: string | undefined;
  let name: string | undefined;
  try {
    if (ws() !== 0x7b) return undefined;
    i++;
    for (let c = ws(); c === 0x22; c = ws()) {
      if (keyIs(METADATA)) {
        if (ws() !== 0x7b) return undefined;
        i++;
        for (let d = ws(); d === 0x22; d = ws()) {
          if (keyIs(NAMESPACE)) {
            namespace = plainString();
            if (namespace === undefined) return undefined;
            if (name !== undefined) break;
          } else if (keyIs(NAME)) {
            name = plainString();
            if (name === undefined) return undefined;
            if (namespace !== undefined) break;
          } else if (!skipString() || ws() !== 0x3a || (i++, !skip())) return undefined;
          if (ws() !== 0x2c) break;
          i++;
        }
        return name === undefined ? undefined : lookup(namespace, name);
      }
      if (!skipString() || ws() !== 0x3a || (i++, !skip())) return undefined;
      if (ws() !== 0x2c) return undefined;
      i++;
    }
    return undefined;
  } finally {
    i = at;
  }
}

/**
 * A watch event line, `{"type":…,"object":…}`, decoded with the object read beside its cached
 * version (found by `lookup` from the object's namespace and name); `NOT_DECODED` when the line is
 * left to `JSON.parse` (another shape, invalid, or outside what this reader handles).
 *
 * @example
 * const e = decodeWatchEventReusing(line, 0, line.length, (ns, name) => cache.get(`${ns}/${name}`));
 */
export function decodeWatchEventReusing(bytes: Uint8Array, start: number, stop: number, lookup: PreviousLookup): RawWatchEvent | typeof NOT_DECODED {
  begin(bytes, start, stop);
  try {
    if (ws() !== 0x7b) return NOT_DECODED;
    i++;
    if (ws() !== 0x22 || !keyIs(TYPE)) return NOT_DECODED;
    const type = plainString();
    if (type === undefined || ws() !== 0x2c) return NOT_DECODED;
    i++;
    if (ws() !== 0x22 || !keyIs(OBJECT)) return NOT_DECODED;
    const previous = type === "BOOKMARK" || type === "ERROR" ? undefined : peekKey(lookup);
    const object = value(previous);
    if (ws() !== 0x7d) return NOT_DECODED;
    i++;
    if (ws() !== -1) return NOT_DECODED;
    return { type, object };
  } catch (err) {
    if (err === GIVE_UP || err instanceof RangeError) return NOT_DECODED;
    throw err;
  } finally {
    finish();
  }
}

/**
 * The key of an internal `watch` option (not part of the public options): a `PreviousLookup`
 * whose cached objects the watch's events are read beside.
 */
export const REUSE_PREVIOUS: unique symbol = Symbol("kubezod.reusePrevious");

/** Watch options carrying the internal lookup. */
export interface ReusingOptions {
  [REUSE_PREVIOUS]?: PreviousLookup;
}
