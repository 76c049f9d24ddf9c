/**
 * The OpenAPI v2 document in the protobuf form kube-apiserver serves it to clients that ask for
 * `application/com.github.proto-openapi.spec.v2@v1.0+protobuf` (gnostic's `openapi.v2.Document`):
 * kubectl 1.28 and older read it alone, for apply and validation. Definitions carry their vendor
 * extensions as YAML (JSON text, which YAML readers take), as gnostic does.
 */
import { ProtoWriter } from "./protobuf.js";

type Obj = Record<string, unknown>;

/** The media types clients ask the protobuf OpenAPI v2 document with (the older one has an `@`). */
export const OPENAPI_V2_PROTOBUF_ACCEPT = ["application/com.github.proto-openapi.spec.v2@v1.0+protobuf", "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"];

/** The media type the document is served as (Go's mime parser refuses the `@`). */
export const OPENAPI_V2_PROTOBUF = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function tag(no: number, wire: number): Uint8Array {
  const out: number[] = [];
  let n = no * 8 + wire;
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Uint8Array.from(out);
}

const STRING_TAGS = new Map<number, Uint8Array>();
function bytesTag(no: number): Uint8Array {
  let t = STRING_TAGS.get(no);
  if (!t) {
    t = tag(no, 2);
    STRING_TAGS.set(no, t);
  }
  return t;
}

function str(w: ProtoWriter, no: number, value: unknown): void {
  if (typeof value !== "string" || value === "") return;
  w.raw(bytesTag(no));
  w.string(value);
}

function num(w: ProtoWriter, no: number, value: unknown, double = false): void {
  if (typeof value !== "number" || !Number.isFinite(value)) return;
  if (double) {
    w.raw(tag(no, 1));
    w.ensure(8);
    w.buf.writeDoubleLE(value, w.pos);
    w.pos += 8;
  } else {
    w.raw(tag(no, 0));
    w.varint(Math.trunc(value));
  }
}

function bool(w: ProtoWriter, no: number, value: unknown): void {
  if (value !== true) return;
  w.raw(tag(no, 0));
  w.varint(1);
}

function message(w: ProtoWriter, no: number, body: () => void): void {
  const start = w.begin();
  body();
  w.end(start, bytesTag(no));
}

/** gnostic's `Any`: the value as YAML text. */
function any(w: ProtoWriter, no: number, value: unknown): void {
  message(w, no, () => str(w, 2, JSON.stringify(value)));
}

function named(w: ProtoWriter, no: number, name: string, value: () => void): void {
  message(w, no, () => {
    str(w, 1, name);
    message(w, 2, value);
  });
}

function schema(w: ProtoWriter, s: Obj, depth: number): void {
  if (depth > 64) return;
  str(w, 1, s.$ref);
  str(w, 2, s.format);
  str(w, 3, s.title);
  str(w, 4, s.description);
  if (s.default !== undefined) any(w, 5, s.default);
  num(w, 6, s.multipleOf, true);
  num(w, 7, s.maximum, true);
  bool(w, 8, s.exclusiveMaximum);
  num(w, 9, s.minimum, true);
  bool(w, 10, s.exclusiveMinimum);
  num(w, 11, s.maxLength);
  num(w, 12, s.minLength);
  str(w, 13, s.pattern);
  num(w, 14, s.maxItems);
  num(w, 15, s.minItems);
  bool(w, 16, s.uniqueItems);
  num(w, 17, s.maxProperties);
  num(w, 18, s.minProperties);
  if (Array.isArray(s.required)) for (const r of s.required) str(w, 19, r);
  if (Array.isArray(s.enum)) for (const e of s.enum) any(w, 20, e);
  if (isObj(s.additionalProperties)) message(w, 21, () => message(w, 1, () => schema(w, s.additionalProperties as Obj, depth + 1)));
  else if (typeof s.additionalProperties === "boolean") {
    const value = s.additionalProperties;
    message(w, 21, () => {
      w.raw(tag(2, 0));
      w.varint(value ? 1 : 0);
    });
  }
  if (typeof s.type === "string") message(w, 22, () => str(w, 1, s.type));
  else if (Array.isArray(s.type)) message(w, 22, () => (s.type as unknown[]).forEach((t) => str(w, 1, t)));
  if (isObj(s.items)) message(w, 23, () => message(w, 1, () => schema(w, s.items as Obj, depth + 1)));
  else if (Array.isArray(s.items)) message(w, 23, () => (s.items as unknown[]).forEach((i) => isObj(i) && message(w, 1, () => schema(w, i, depth + 1))));
  if (Array.isArray(s.allOf)) for (const a of s.allOf) if (isObj(a)) message(w, 24, () => schema(w, a, depth + 1));
  if (isObj(s.properties)) {
    const props = s.properties;
    message(w, 25, () => {
      for (const [name, p] of Object.entries(props)) if (isObj(p)) named(w, 1, name, () => schema(w, p, depth + 1));
    });
  }
  str(w, 26, s.discriminator);
  bool(w, 27, s.readOnly);
  if (s.example !== undefined) any(w, 30, s.example);
  for (const [key, value] of Object.entries(s)) {
    if (key.startsWith("x-")) message(w, 31, () => {
      str(w, 1, key);
      any(w, 2, value);
    });
  }
}

/** Encode an OpenAPI v2 (swagger) document's version, info and definitions as gnostic's Document. */
export function encodeOpenApiV2(doc: Obj): Buffer {
  const w = new ProtoWriter(1 << 20);
  str(w, 1, doc.swagger ?? "2.0");
  const info = isObj(doc.info) ? doc.info : {};
  message(w, 2, () => {
    str(w, 1, info.title);
    str(w, 2, info.version);
  });
  const defs = isObj(doc.definitions) ? doc.definitions : {};
  message(w, 9, () => {
    for (const [name, def] of Object.entries(defs)) if (isObj(def)) named(w, 1, name, () => schema(w, def, 0));
  });
  return Buffer.from(w.result());
}
