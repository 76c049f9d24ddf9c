/**
 * Kubernetes' protobuf encoding (`application/vnd.kubernetes.protobuf`) for every built-in kind, in
 * both directions: the `k8s\0` magic and `runtime.Unknown` envelope around an object's message,
 * and the length-delimited raw `WatchEvent` frames of watch streams. The messages come from the
 * table `npm run codegen` generates from Kubernetes' `generated.proto` files; this module reads it.
 *
 * Decoding keeps what the wire says, as a Go client's struct would hold it, with the JSON
 * representation kube-apiserver uses: `Time` as RFC 3339, `IntOrString` as number or string,
 * `Quantity` as its string, `bytes` as base64, embedded structs inlined. Empty strings and zero
 * times of optional fields read as unset (Go cannot tell them apart); zero numbers and `false` are
 * kept, since a pointer field set to zero (`replicas: 0`) means something, except for the plain
 * Go fields the table marks (`paused`, `hostNetwork`), whose zero JSON leaves out.
 */
import { arrays, defined, kinds, messages, type ProtoFieldSpec } from "#schemas/protobuf.js";
import type { KubeApiError } from "../errors.js";
import { statusError } from "./status.js";

type Obj = Record<string, unknown>;

/** The protobuf media type. */
export const PROTOBUF = "application/vnd.kubernetes.protobuf";

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);
const META = "k8s.io.apimachinery.pkg.apis.meta.v1.";
const TIME = `${META}Time`;
const MICRO_TIME = `${META}MicroTime`;
const DURATION = `${META}Duration`;
const FIELDS_V1 = `${META}FieldsV1`;
const WATCH_EVENT = `${META}WatchEvent`;
const QUANTITY = "k8s.io.apimachinery.pkg.api.resource.Quantity";
const QUANTITY_VALUE = "k8s.io.apimachinery.pkg.api.resource.QuantityValue";
const INT_OR_STRING = "k8s.io.apimachinery.pkg.util.intstr.IntOrString";
const RAW_EXTENSION = "k8s.io.apimachinery.pkg.runtime.RawExtension";
/** Unix seconds of Go's zero time, 0001-01-01T00:00:00Z. */
const ZERO_TIME_SECONDS = -62135596800;

const REPEATED = 1;
const MAP = 2;
const INLINE = 4;
const REQUIRED = 8;
const ZERO_IS_UNSET = 16;

/** How a field's values travel: varint, 64-bit, length-delimited or 32-bit. */
type Codec = "string" | "bytes" | "bool" | "int" | "uint" | "sint" | "fixed64" | "sfixed64" | "double" | "fixed32" | "sfixed32" | "float" | "message";

interface Field {
  no: number;
  json: string;
  type: string;
  codec: Codec;
  repeated: boolean;
  map: boolean;
  inline: boolean;
  required: boolean;
  /** A plain Go field whose zero JSON leaves out. */
  zeroIsUnset: boolean;
  /** The tag byte(s) for this field with its wire type. */
  tag: Uint8Array;
}

interface Message {
  name: string;
  fields: Field[];
  byNumber: Map<number, Field>;
  /** Stands for a JSON array (a Go named slice type). */
  array: boolean;
}

const SCALAR_CODECS: Record<string, Codec> = {
  string: "string",
  bytes: "bytes",
  bool: "bool",
  int32: "int",
  int64: "int",
  uint32: "uint",
  uint64: "uint",
  sint32: "sint",
  sint64: "sint",
  fixed64: "fixed64",
  sfixed64: "sfixed64",
  double: "double",
  fixed32: "fixed32",
  sfixed32: "sfixed32",
  float: "float",
};

function wireTypeOf(codec: Codec): number {
  switch (codec) {
    case "string":
    case "bytes":
    case "message":
      return 2;
    case "fixed64":
    case "sfixed64":
    case "double":
      return 1;
    case "fixed32":
    case "sfixed32":
    case "float":
      return 5;
    default:
      return 0;
  }
}

function varintBytes(n: number): Uint8Array {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Uint8Array.from(out);
}

const arraySet = new Set<string>(arrays);
const compiled = new Map<string, Message>();

function messageOf(name: string): Message {
  let m = compiled.get(name);
  if (m) return m;
  const specs: readonly ProtoFieldSpec[] | undefined = messages[name];
  if (!specs) throw new ProtobufError(`no protobuf message ${name}`);
  const fields = specs.map(([no, json, type, flags]): Field => {
    const codec = SCALAR_CODECS[type] ?? "message";
    const map = (flags & MAP) !== 0;
    const wire = map ? 2 : wireTypeOf(codec);
    return { no, json, type, codec, repeated: (flags & REPEATED) !== 0, map, inline: (flags & INLINE) !== 0, required: (flags & REQUIRED) !== 0, zeroIsUnset: (flags & ZERO_IS_UNSET) !== 0, tag: varintBytes(no * 8 + wire) };
  });
  m = { name, fields, byNumber: new Map(fields.map((f) => [f.no, f])), array: arraySet.has(name) };
  compiled.set(name, m);
  return m;
}

const PACKAGES: Record<string, string> = { "": "core", "internal.apiserver.k8s.io": "apiserverinternal" };

/**
 * Whether Kubernetes defines a kind at a version at all (served or not): the message
 * `k8s.io.api.<group>.<version>.<Kind>` is in the IDL.
 */
export function kindDefined(apiVersion: string, kind: string): boolean {
  if (kinds[`${apiVersion}/${kind}`]) return true;
  const slash = apiVersion.lastIndexOf("/");
  const group = slash < 0 ? "" : apiVersion.slice(0, slash);
  const version = apiVersion.slice(slash + 1);
  const pkg = PACKAGES[group] ?? group.split(".")[0];
  return definedSet.has(`${pkg}.${version}.${kind}`);
}

const definedSet = new Set(defined);

/** The message of a kind (`apps/v1`, `Deployment`), or undefined when it has none. */
export function protobufMessageOf(apiVersion: string, kind: string): string | undefined {
  return kinds[`${apiVersion}/${kind}`];
}

/** A body that is not valid protobuf for its message. */
class ProtobufError extends Error {}

// ---------------------------------------------------------------------------------------------
// Reading

class Reader {
  pos: number;
  constructor(
    readonly buf: Buffer,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }

  /** A varint as a Number (exact up to 2^53; larger values lose precision, as JSON numbers do). */
  varint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtobufError("unexpected EOF");
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
    }
    throw new ProtobufError("proto: integer overflow");
  }

  /** A varint as a signed 64-bit value (negative int32/int64 travel as ten-byte varints). */
  signedVarint(): number {
    const start = this.pos;
    const n = this.varint();
    if (n < 2 ** 53) return n;
    // Re-read exactly as 64 bits.
    let big = 0n;
    let shift = 0n;
    for (let p = start; p < this.pos; p++) {
      big |= BigInt(this.buf[p]! & 0x7f) << shift;
      shift += 7n;
    }
    return Number(BigInt.asIntN(64, big));
  }

  bytes(): Buffer {
    const len = this.varint();
    if (this.pos + len > this.end) throw new ProtobufError("unexpected EOF");
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.pos += this.varint();
    else if (wire === 5) this.pos += 4;
    else throw new ProtobufError(`proto: illegal wireType ${wire}`);
    if (this.pos > this.end) throw new ProtobufError("unexpected EOF");
  }
}

function formatTime(seconds: number, nanos: number, micro: boolean): string | undefined {
  if (seconds <= ZERO_TIME_SECONDS && nanos === 0) return undefined;
  const iso = new Date(seconds * 1000).toISOString();
  if (!micro) return iso.replace(/\.\d+Z$/, "Z");
  return `${iso.slice(0, 19)}.${String(Math.floor(nanos / 1000)).padStart(6, "0")}Z`;
}

/** Go's `time.Duration.String()` of a number of nanoseconds. */
function formatDuration(ns: number): string {
  if (ns === 0) return "0s";
  const neg = ns < 0;
  let u = Math.abs(ns);
  let out: string;
  if (u < 1e9) {
    const [unit, size] = u < 1e3 ? ["ns", 1] : u < 1e6 ? ["µs", 1e3] : ["ms", 1e6];
    out = `${trimFraction(u / (size as number))}${unit as string}`;
  } else {
    const h = Math.floor(u / 3.6e12);
    u -= h * 3.6e12;
    const m = Math.floor(u / 6e10);
    u -= m * 6e10;
    const s = `${trimFraction(u / 1e9)}s`;
    out = h > 0 ? `${h}h${m}m${s}` : m > 0 ? `${m}m${s}` : s;
  }
  return neg ? `-${out}` : out;
}

function trimFraction(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(9).replace(/0+$/, "").replace(/\.$/, "");
}

function parseDuration(text: string): number {
  const units: Record<string, number> = { h: 3.6e12, m: 6e10, s: 1e9, ms: 1e6, us: 1e3, "µs": 1e3, ns: 1 };
  let total = 0;
  const sign = text.startsWith("-") ? -1 : 1;
  for (const m of text.replace(/^[-+]/, "").matchAll(/(\d+(?:\.\d*)?|\.\d+)(h|ms|m|s|us|µs|ns)/g)) total += Number(m[1]) * units[m[2]!]!;
  return Math.round(sign * total);
}

function readScalar(r: Reader, codec: Codec, wire: number): unknown {
  switch (codec) {
    case "string":
      return r.bytes().toString("utf8");
    case "bytes":
      return r.bytes().toString("base64");
    case "bool":
      return r.varint() !== 0;
    case "int":
      return r.signedVarint();
    case "uint":
      return r.varint();
    case "sint": {
      const n = r.varint();
      return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
    }
    case "double": {
      const v = r.buf.readDoubleLE(r.pos);
      r.pos += 8;
      return v;
    }
    case "float": {
      const v = r.buf.readFloatLE(r.pos);
      r.pos += 4;
      return v;
    }
    case "fixed32":
    case "sfixed32": {
      const v = codec === "fixed32" ? r.buf.readUInt32LE(r.pos) : r.buf.readInt32LE(r.pos);
      r.pos += 4;
      return v;
    }
    case "fixed64":
    case "sfixed64": {
      const v = codec === "fixed64" ? r.buf.readBigUInt64LE(r.pos) : r.buf.readBigInt64LE(r.pos);
      r.pos += 8;
      return Number(v);
    }
    default:
      void wire;
      throw new ProtobufError(`unexpected codec ${codec}`);
  }
}

/** A message's fields by number (the last occurrence of a singular field wins, as protobuf says). */
function readFields(buf: Buffer): Map<number, Buffer | number> {
  const r = new Reader(buf);
  const out = new Map<number, Buffer | number>();
  while (r.pos < r.end) {
    const key = r.varint();
    const wire = key & 7;
    if (wire === 2) out.set(key >>> 3, r.bytes());
    else if (wire === 0) out.set(key >>> 3, r.signedVarint());
    else r.skip(wire);
  }
  return out;
}

/** The JSON value of a message the codec knows by name (times, quantities, int-or-string, raw JSON). */
function decodeSpecial(type: string, buf: Buffer): unknown | typeof NOT_SPECIAL {
  switch (type) {
    case TIME:
    case MICRO_TIME: {
      const f = readFields(buf);
      const seconds = typeof f.get(1) === "number" ? (f.get(1) as number) : buf.length ? 0 : ZERO_TIME_SECONDS;
      return formatTime(seconds, typeof f.get(2) === "number" ? (f.get(2) as number) : 0, type === MICRO_TIME);
    }
    case DURATION: {
      const v = readFields(buf).get(1);
      return formatDuration(typeof v === "number" ? v : 0);
    }
    case QUANTITY:
    case QUANTITY_VALUE: {
      const v = readFields(buf).get(1);
      return Buffer.isBuffer(v) ? v.toString("utf8") : "0";
    }
    case INT_OR_STRING: {
      const f = readFields(buf);
      if (f.get(1) === 1) {
        const s = f.get(3);
        return Buffer.isBuffer(s) ? s.toString("utf8") : "";
      }
      const i = f.get(2);
      return typeof i === "number" ? i : 0;
    }
    case RAW_EXTENSION:
    case FIELDS_V1: {
      const raw = readFields(buf).get(1);
      if (!Buffer.isBuffer(raw) || raw.length === 0) return undefined;
      return rawValue(raw);
    }
    default:
      return NOT_SPECIAL;
  }
}

const NOT_SPECIAL = Symbol("not special");

/** Embedded raw bytes: an enveloped protobuf object, or JSON. */
function rawValue(raw: Buffer): unknown {
  if (raw.length >= 4 && raw[0] === 0x6b && raw[1] === 0x38 && raw[2] === 0x73 && raw[3] === 0) return decodeEnvelope(raw).object;
  try {
    return JSON.parse(raw.toString("utf8")) as unknown;
  } catch {
    throw new ProtobufError("embedded object is neither protobuf nor JSON");
  }
}

function decodeMessage(type: string, buf: Buffer, depth = 0): unknown {
  if (depth > 100) throw new ProtobufError("proto: message nested too deeply");
  const special = decodeSpecial(type, buf);
  if (special !== NOT_SPECIAL) return special;
  const m = messageOf(type);
  const r = new Reader(buf);
  const out: Obj = {};
  if (m.array) {
    const items: unknown[] = [];
    const f = m.fields[0]!;
    while (r.pos < r.end) {
      const key = r.varint();
      if (key >>> 3 !== f.no) r.skip(key & 7);
      else items.push(f.codec === "message" ? decodeMessage(f.type, r.bytes(), depth + 1) : readScalar(r, f.codec, key & 7));
    }
    return items;
  }
  while (r.pos < r.end) {
    const key = r.varint();
    const wire = key & 7;
    const f = m.byNumber.get(key >>> 3);
    // Unknown fields are skipped, as Go's generated Unmarshal does.
    if (!f) {
      r.skip(wire);
      continue;
    }
    if (f.map) {
      const entry = new Reader(r.bytes());
      let k = "";
      let v: unknown;
      while (entry.pos < entry.end) {
        const ek = entry.varint();
        if (ek >>> 3 === 1 && (ek & 7) === 2) k = entry.bytes().toString("utf8");
        else if (ek >>> 3 === 2) v = f.codec === "message" ? decodeMessage(f.type, entry.bytes(), depth + 1) : readScalar(entry, f.codec, ek & 7);
        else entry.skip(ek & 7);
      }
      if (v === undefined) v = f.codec === "string" ? "" : f.codec === "bytes" ? "" : f.codec === "message" ? decodeMessage(f.type, Buffer.alloc(0), depth + 1) : 0;
      const target = (out[f.json] ??= {}) as Obj;
      target[k] = v;
      continue;
    }
    if (f.codec === "message") {
      if (wire !== 2) throw new ProtobufError(`proto: wrong wireType = ${wire} for field ${f.json}`);
      const value = decodeMessage(f.type, r.bytes(), depth + 1);
      if (f.inline) {
        if (value && typeof value === "object") Object.assign(out, value);
      } else if (f.repeated) ((out[f.json] ??= []) as unknown[]).push(value);
      else if (value !== undefined) out[f.json] = value;
      continue;
    }
    if (f.repeated && wire === 2 && f.codec !== "string" && f.codec !== "bytes") {
      // A packed run of numbers.
      const packed = new Reader(r.bytes());
      const list = (out[f.json] ??= []) as unknown[];
      while (packed.pos < packed.end) list.push(readScalar(packed, f.codec, wireTypeOf(f.codec)));
      continue;
    }
    const value = readScalar(r, f.codec, wire);
    if (f.repeated) ((out[f.json] ??= []) as unknown[]).push(value);
    else if ((value === "" && !f.required) || (f.zeroIsUnset && (value === 0 || value === false))) delete out[f.json];
    else out[f.json] = value;
  }
  return out;
}

interface Envelope {
  apiVersion: string;
  kind: string;
  object: Obj;
}

function decodeEnvelope(body: Buffer, defaults?: { apiVersion: string; kind: string }): Envelope {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) throw new ProtobufError("provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]");
  const f = readFields(body.subarray(4));
  const typeMeta = Buffer.isBuffer(f.get(1)) ? readFields(f.get(1) as Buffer) : new Map<number, Buffer | number>();
  const str = (v: Buffer | number | undefined) => (Buffer.isBuffer(v) ? v.toString("utf8") : "");
  const apiVersion = str(typeMeta.get(1)) || defaults?.apiVersion || "";
  const kind = str(typeMeta.get(2)) || defaults?.kind || "";
  const raw = Buffer.isBuffer(f.get(2)) ? (f.get(2) as Buffer) : Buffer.alloc(0);
  const message = protobufMessageOf(apiVersion, kind);
  if (!message) throw new NoMessageError(apiVersion, kind);
  const decoded = decodeMessage(message, raw) as Obj;
  return { apiVersion, kind, object: { apiVersion, kind, ...decoded } };
}

class NoMessageError extends Error {
  constructor(
    readonly apiVersion: string,
    readonly kind: string,
  ) {
    super(`no protobuf message for ${apiVersion} ${kind}`);
  }
}

/**
 * Decode a protobuf request body into the object's JSON form. `defaults` are the endpoint's
 * apiVersion and kind, used where the envelope leaves them empty.
 */
export function decodeProtobuf(body: Buffer, defaults?: { apiVersion: string; kind: string }): Obj {
  try {
    return decodeEnvelope(body, defaults).object;
  } catch (e) {
    throw protobufRequestError(e, body, defaults);
  }
}

function protobufRequestError(e: unknown, body: Buffer, defaults: { apiVersion: string; kind: string } | undefined): KubeApiError {
  if (e instanceof NoMessageError) {
    return statusError(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (no protobuf message for ${e.apiVersion} ${e.kind || "this object"})`);
  }
  const message = e instanceof Error ? e.message : String(e);
  if (!body.subarray(0, 4).equals(MAGIC)) return statusError(400, "BadRequest", message);
  const kind = defaults?.kind ?? "object";
  const version = (defaults?.apiVersion ?? "").split("/").pop();
  return statusError(400, "BadRequest", `${kind} in version "${version}" cannot be handled as a ${kind}: ${message}`);
}

// ---------------------------------------------------------------------------------------------
// Writing

/** A protobuf writer: varints, length-delimited fields written in place (the length goes in front afterwards). */
export class ProtoWriter {
  buf: Buffer;
  pos = 0;
  constructor(size = 1024) {
    this.buf = Buffer.allocUnsafe(size);
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  varint(n: number): void {
    this.ensure(10);
    if (n < 0) {
      // Negative integers travel as 64-bit two's complement.
      let big = BigInt.asUintN(64, BigInt(Math.trunc(n)));
      while (big > 0x7fn) {
        this.buf[this.pos++] = Number(big & 0x7fn) | 0x80;
        big >>= 7n;
      }
      this.buf[this.pos++] = Number(big);
      return;
    }
    while (n > 0x7f) {
      this.buf[this.pos++] = (n & 0x7f) | 0x80;
      n = Math.floor(n / 128);
    }
    this.buf[this.pos++] = n;
  }

  string(s: string): void {
    const len = Buffer.byteLength(s);
    this.varint(len);
    this.ensure(len);
    this.buf.write(s, this.pos, len, "utf8");
    this.pos += len;
  }

  bytes(b: Uint8Array): void {
    this.varint(b.length);
    this.raw(b);
  }

  /** Start a length-delimited field; `end` writes its tag and length in front of what follows. */
  begin(): number {
    return this.pos;
  }

  end(start: number, tag: Uint8Array): void {
    const len = this.pos - start;
    const header = [...tag];
    let n = len;
    while (n > 0x7f) {
      header.push((n & 0x7f) | 0x80);
      n = Math.floor(n / 128);
    }
    header.push(n);
    this.ensure(header.length);
    this.buf.copyWithin(start + header.length, start, this.pos);
    for (let i = 0; i < header.length; i++) this.buf[start + i] = header[i]!;
    this.pos += header.length;
  }

  result(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

function toNumber(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

function writeScalar(w: ProtoWriter, codec: Codec, value: unknown): boolean {
  switch (codec) {
    case "string":
      if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") return false;
      w.string(String(value));
      return true;
    case "bytes":
      if (typeof value !== "string") return false;
      w.bytes(Buffer.from(value, "base64"));
      return true;
    case "bool":
      w.varint(value === true || value === "true" ? 1 : 0);
      return true;
    case "int":
    case "uint": {
      const n = toNumber(value);
      if (n === undefined) return false;
      w.varint(Math.trunc(n));
      return true;
    }
    case "sint": {
      const n = toNumber(value);
      if (n === undefined) return false;
      w.varint(n >= 0 ? n * 2 : -n * 2 - 1);
      return true;
    }
    case "double":
    case "float":
    case "fixed32":
    case "sfixed32":
    case "fixed64":
    case "sfixed64": {
      const n = toNumber(value) ?? 0;
      const size = codec === "float" || codec === "fixed32" || codec === "sfixed32" ? 4 : 8;
      w.ensure(size);
      if (codec === "double") w.buf.writeDoubleLE(n, w.pos);
      else if (codec === "float") w.buf.writeFloatLE(n, w.pos);
      else if (codec === "fixed32") w.buf.writeUInt32LE(n >>> 0, w.pos);
      else if (codec === "sfixed32") w.buf.writeInt32LE(n | 0, w.pos);
      else if (codec === "fixed64") w.buf.writeBigUInt64LE(BigInt(Math.trunc(n)), w.pos);
      else w.buf.writeBigInt64LE(BigInt(Math.trunc(n)), w.pos);
      w.pos += size;
      return true;
    }
    default:
      return false;
  }
}

const TAG1_VARINT = Uint8Array.of(0x08);
const TAG1_BYTES = Uint8Array.of(0x0a);
const TAG2_VARINT = Uint8Array.of(0x10);
const TAG2_BYTES = Uint8Array.of(0x12);
const TAG3_BYTES = Uint8Array.of(0x1a);

function parseTime(value: unknown): { seconds: number; nanos: number } | undefined {
  if (typeof value !== "string" || !value) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return undefined;
  const frac = /\.(\d+)/.exec(value)?.[1] ?? "";
  return { seconds: Math.floor(ms / 1000), nanos: Number((frac + "000000000").slice(0, 9)) };
}

/** Write the body of a message the codec knows by name; false when the type is an ordinary message. */
function encodeSpecial(w: ProtoWriter, type: string, value: unknown): boolean {
  switch (type) {
    case TIME:
    case MICRO_TIME: {
      const t = parseTime(value);
      if (t) {
        w.raw(TAG1_VARINT);
        w.varint(t.seconds);
        if (t.nanos) {
          w.raw(TAG2_VARINT);
          w.varint(t.nanos);
        }
      }
      return true;
    }
    case DURATION:
      w.raw(TAG1_VARINT);
      w.varint(typeof value === "string" ? parseDuration(value) : (toNumber(value) ?? 0));
      return true;
    case QUANTITY:
    case QUANTITY_VALUE:
      w.raw(TAG1_BYTES);
      w.string(String(value));
      return true;
    case INT_OR_STRING:
      if (typeof value === "string") {
        w.raw(TAG1_VARINT);
        w.varint(1);
        w.raw(TAG3_BYTES);
        w.string(value);
      } else {
        w.raw(TAG1_VARINT);
        w.varint(0);
        w.raw(TAG2_VARINT);
        w.varint(toNumber(value) ?? 0);
      }
      return true;
    case RAW_EXTENSION:
    case FIELDS_V1:
      if (value !== undefined && value !== null) {
        w.raw(TAG1_BYTES);
        w.bytes(Buffer.from(JSON.stringify(value)));
      }
      return true;
    default:
      return false;
  }
}

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function encodeMessage(w: ProtoWriter, type: string, value: unknown, depth = 0): void {
  if (depth > 100) throw new ProtobufError("object nested too deeply for protobuf");
  if (encodeSpecial(w, type, value)) return;
  const m = messageOf(type);
  if (m.array) {
    if (Array.isArray(value)) for (const item of value) writeField(w, m.fields[0]!, item, depth);
    return;
  }
  if (!isObj(value)) return;
  for (const f of m.fields) {
    if (f.inline) {
      const start = w.begin();
      encodeMessage(w, f.type, value, depth + 1);
      w.end(start, f.tag);
      continue;
    }
    const v = value[f.json];
    if (v === undefined || v === null) continue;
    if (f.map) {
      if (!isObj(v)) continue;
      for (const key of Object.keys(v).sort()) {
        const entry = v[key];
        if (entry === undefined) continue;
        const start = w.begin();
        w.raw(TAG1_BYTES);
        w.string(key);
        if (entry !== null) {
          if (f.codec === "message") {
            const inner = w.begin();
            encodeMessage(w, f.type, entry, depth + 1);
            w.end(inner, TAG2_BYTES);
          } else {
            w.raw(Uint8Array.of(16 | wireTypeOf(f.codec)));
            writeScalar(w, f.codec, entry);
          }
        }
        w.end(start, f.tag);
      }
      continue;
    }
    if (f.repeated) {
      if (Array.isArray(v)) for (const item of v) writeField(w, f, item, depth);
      continue;
    }
    writeField(w, f, v, depth);
  }
}

function writeField(w: ProtoWriter, f: Field, value: unknown, depth: number): void {
  if (f.codec === "message") {
    const start = w.begin();
    encodeMessage(w, f.type, value, depth + 1);
    w.end(start, f.tag);
    return;
  }
  const start = w.pos;
  w.raw(f.tag);
  if (!writeScalar(w, f.codec, value)) w.pos = start;
}

/** Whether objects of a kind can be encoded as protobuf. */
export function hasProtobuf(apiVersion: string, kind: string): boolean {
  return protobufMessageOf(apiVersion, kind) !== undefined;
}

function writeEnvelope(w: ProtoWriter, apiVersion: string, kind: string, message: string, obj: unknown): void {
  w.raw(MAGIC);
  const typeMeta = w.begin();
  w.raw(TAG1_BYTES);
  w.string(apiVersion);
  w.raw(TAG2_BYTES);
  w.string(kind);
  w.end(typeMeta, TAG1_BYTES);
  const raw = w.begin();
  encodeMessage(w, message, obj);
  w.end(raw, TAG2_BYTES);
  // contentEncoding and contentType, empty as Go writes them.
  w.raw(Uint8Array.of(0x1a, 0, 0x22, 0));
}

/**
 * Encode an object (with apiVersion and kind) as `k8s\0` + `runtime.Unknown`; undefined when the
 * kind has no protobuf message (custom resources).
 */
export function encodeProtobuf(obj: Obj): Buffer | undefined {
  const apiVersion = String(obj.apiVersion ?? "");
  const kind = String(obj.kind ?? "");
  const message = protobufMessageOf(apiVersion, kind);
  if (!message) return undefined;
  const w = new ProtoWriter();
  writeEnvelope(w, apiVersion, kind, message, obj);
  return Buffer.from(w.result());
}

/**
 * One frame of a protobuf watch stream: a 4-byte big-endian length, then a raw `WatchEvent` whose
 * object is the enveloped object. Undefined when the object's kind has no protobuf message.
 */
export function encodeWatchFrame(type: string, obj: Obj): Buffer | undefined {
  const apiVersion = String(obj.apiVersion ?? "");
  const kind = String(obj.kind ?? "");
  const message = protobufMessageOf(apiVersion, kind);
  if (!message) return undefined;
  const w = new ProtoWriter();
  w.raw(Uint8Array.of(0, 0, 0, 0));
  w.raw(TAG1_BYTES);
  w.string(type);
  const object = w.begin();
  const raw = w.begin();
  writeEnvelope(w, apiVersion, kind, message, obj);
  w.end(raw, TAG1_BYTES);
  w.end(object, TAG2_BYTES);
  const out = Buffer.from(w.result());
  out.writeUInt32BE(out.length - 4, 0);
  return out;
}

/** Decode one raw `WatchEvent` message (a frame without its length): its type and object. */
export function decodeWatchEvent(frame: Buffer): { type: string; object: Obj } {
  const event = decodeMessage(WATCH_EVENT, frame) as { type?: string; object?: Obj };
  return { type: event.type ?? "", object: event.object ?? {} };
}
