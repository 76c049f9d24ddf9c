/**
 * Decoding JSON beside a value held already: the value is always `JSON.parse`'s, the parts equal
 * to the held value's are the held parts, and text outside the reader's reach is left to JSON.parse.
 */
import { describe, expect, it } from "vitest";
import { decodeJsonReusing, decodeWatchEventReusing, NOT_DECODED } from "../../src/client/json-reuse.js";

const bytes = (text: string) => Buffer.from(text, "utf8");
const decode = (text: string, previous?: unknown) => {
  const b = bytes(text);
  return decodeJsonReusing(b, 0, b.length, previous);
};

/** A random JSON value of strings (escapes, characters beyond ASCII), numbers, literals, nesting. */
function randomValue(rand: () => number, depth: number): unknown {
  const r = rand();
  if (depth > 3 || r < 0.35) {
    const pick = Math.floor(rand() * 9);
    const strings = ["", "web", 'quote " and \\ backslash', "tab\tline\nfeed", "é ü 日本 🙂", "\u0001\u001f", "/slash", "\ud800 lone", "\ufeffbom inside"];
    const numbers = [0, -0, 1, -17, 3.25, 1e21, 123456789012345678, -1.5e-7, 2 ** 53 + 2];
    if (pick < 4) return strings[Math.floor(rand() * strings.length)];
    if (pick < 7) return numbers[Math.floor(rand() * numbers.length)];
    return [true, false, null][pick - 7];
  }
  if (r < 0.6) return Array.from({ length: Math.floor(rand() * 4) }, () => randomValue(rand, depth + 1));
  const o: Record<string, unknown> = {};
  for (let k = Math.floor(rand() * 5); k > 0; k--) o[["a", "name", "2", "é", 'q"k', "status", "10"][Math.floor(rand() * 7)]!] = randomValue(rand, depth + 1);
  return o;
}

/** A copy of `v` with some parts changed. */
function mutate(v: unknown, rand: () => number): unknown {
  if (rand() < 0.15) return randomValue(rand, 2);
  if (Array.isArray(v)) {
    const out = v.map((x) => mutate(x, rand));
    if (rand() < 0.1) out.push(1);
    if (rand() < 0.1) out.pop();
    return out;
  }
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (rand() > 0.05) out[k] = mutate(x, rand);
    if (rand() < 0.1) out.added = "x";
    return out;
  }
  return v;
}

function seeded(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

/** Every part of `out` equal to the same place of `prev` (same key order) is `prev`'s own part. */
function expectShared(out: unknown, prev: unknown): void {
  if (out === null || typeof out !== "object" || prev === null || typeof prev !== "object") return;
  if (JSON.stringify(out) === JSON.stringify(prev) && Array.isArray(out) === Array.isArray(prev)) {
    expect(out).toBe(prev);
    return;
  }
  for (const k of Object.keys(out)) expectShared((out as Record<string, unknown>)[k], (prev as Record<string, unknown>)[k]);
}

describe("decodeJsonReusing", () => {
  it("gives JSON.parse's value for random texts, with or without a previous value, and shares what is equal", () => {
    const rand = seeded(7);
    for (let n = 0; n < 400; n++) {
      const prev = randomValue(rand, 0);
      const next = mutate(prev, rand);
      const text = JSON.stringify(next);
      const fresh = decode(text);
      expect(fresh).toEqual(JSON.parse(text));
      const held = JSON.parse(JSON.stringify(prev)) as unknown;
      const out = decode(text, held);
      expect(out).toStrictEqual(JSON.parse(text));
      expectShared(out, held);
    }
  });

  it("answers the previous value itself when the text spells it, and its unchanged parts otherwise", () => {
    const prev = { kind: "Pod", metadata: { name: "web", resourceVersion: "1", labels: { app: "web" } }, spec: { containers: [{ name: "a" }, { name: "b" }] } };
    expect(decode(JSON.stringify(prev), prev)).toBe(prev);
    const out = decode(JSON.stringify({ ...prev, metadata: { ...prev.metadata, resourceVersion: "2" } }), prev) as typeof prev;
    expect(out).not.toBe(prev);
    expect(out.metadata).not.toBe(prev.metadata);
    expect(out.metadata.resourceVersion).toBe("2");
    expect(out.metadata.labels).toBe(prev.metadata.labels);
    expect(out.spec).toBe(prev.spec);
    // The previous value is left as it was.
    expect(prev.metadata.resourceVersion).toBe("1");
  });

  it("tells apart key order, fewer or more keys and elements, types, 0 and -0", () => {
    const prev = { a: 1, b: [1, 2], c: { d: 0 } };
    const reordered = decode('{"b":[1,2],"a":1,"c":{"d":0}}', prev) as Record<string, unknown>;
    expect(reordered).not.toBe(prev);
    expect(Object.keys(reordered)).toEqual(["b", "a", "c"]);
    expect(reordered.b).toBe(prev.b);
    expect(decode('{"a":1,"b":[1,2]}', prev)).toEqual({ a: 1, b: [1, 2] });
    expect(decode('{"a":1,"b":[1],"c":{"d":0}}', prev)).toEqual({ a: 1, b: [1], c: { d: 0 } });
    expect(decode('{"a":1,"b":[1,2,3],"c":{"d":0}}', prev)).toEqual({ a: 1, b: [1, 2, 3], c: { d: 0 } });
    expect(decode('{"a":"1","b":{},"c":{"d":0}}', prev)).toEqual({ a: "1", b: {}, c: { d: 0 } });
    const negative = decode('{"a":1,"b":[1,2],"c":{"d":-0}}', prev) as typeof prev;
    expect(Object.is(negative.c.d, -0)).toBe(true);
    expect(decode('{"a":1,"a":2}', { a: 1 })).toEqual(JSON.parse('{"a":1,"a":2}'));
    expect(Object.keys(decode('{"b":1,"1":2,"a":3}', { b: 1, a: 3 }) as object)).toEqual(Object.keys(JSON.parse('{"b":1,"1":2,"a":3}')));
  });

  it("leaves to JSON.parse what it does not read: invalid JSON, __proto__ keys, a byte-order mark", () => {
    for (const text of ["", "{", '{"a":}', "[1,]", "01", "1.", "-", '"a\u0001"', '{"a":1} x', "tru", '"\\x"', '"\\u12"', "\ufeff{}", '{"__proto__":{"x":1}}', "NaN"]) {
      expect(decode(text), text).toBe(NOT_DECODED);
    }
    const deep = "[".repeat(200_000) + "]".repeat(200_000);
    expect(decode(deep)).toBe(NOT_DECODED);
  });
});

describe("decodeWatchEventReusing", () => {
  const old = { apiVersion: "v1", kind: "Pod", metadata: { name: "web", namespace: "shop", resourceVersion: "1", labels: { app: "web" } }, spec: { nodeName: "a" } };
  const cache = new Map<string, unknown>([["shop/web", old]]);
  const seen: Array<[string | undefined, string]> = [];
  const lookup = (ns: string | undefined, name: string) => (seen.push([ns, name]), cache.get(ns ? `${ns}/${name}` : name));
  const event = (text: string) => {
    const b = bytes(text);
    return decodeWatchEventReusing(b, 0, b.length, lookup);
  };

  it("reads the object beside the cached version found by its namespace and name", () => {
    const next = { ...old, metadata: { ...old.metadata, resourceVersion: "2" } };
    const e = event(JSON.stringify({ type: "MODIFIED", object: next }));
    expect(e).toEqual({ type: "MODIFIED", object: next });
    if (e === NOT_DECODED) throw new Error("not decoded");
    const obj = e.object as typeof old;
    expect(obj.spec).toBe(old.spec);
    expect(obj.metadata.labels).toBe(old.metadata.labels);
    expect(seen.at(-1)).toEqual(["shop", "web"]);
  });

  it("finds the name wherever the metadata is, and reads without reuse when nothing is cached", () => {
    const text = '{"type":"ADDED","object":{"spec":{"x":[1,{"y":"}"}]},"metadata":{"uid":"u","name":"other","labels":{"a":"b"}}}}';
    expect(event(text)).toEqual(JSON.parse(text));
    expect(seen.at(-1)).toEqual([undefined, "other"]);
  });

  it("gives JSON.parse's value even when the cached version found is another object's", () => {
    const text = JSON.stringify({ type: "MODIFIED", object: { metadata: { name: "web", namespace: "shop", name2: 1 }, spec: { nodeName: "b" } } });
    expect(event(text)).toEqual(JSON.parse(text));
  });

  it("leaves other shapes to JSON.parse", () => {
    for (const text of ['{"object":{},"type":"ADDED"}', '{"type":"ADDED","object":{},"extra":1}', '{"type":"ADDED"}', "", '{"type":"ADDED","object":{}', '{"type":"A\\u0044DED","object":{}}']) {
      expect(event(text), text).toBe(NOT_DECODED);
    }
    expect(event('  {"type" : "DELETED" , "object" : {"metadata":{"name":"x"}} }\r')).toEqual({ type: "DELETED", object: { metadata: { name: "x" } } });
  });
});
