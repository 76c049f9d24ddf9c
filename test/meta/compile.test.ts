import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { safeParseKube, schemaForObject } from "../../src/index.js";
import { compileValidator, loadBuiltinModules } from "../../src/meta/public.js";
import { compileStructuralValidator } from "../../src/meta/compile.js";
import { structuralIssues } from "../../src/meta/structure.js";
import { pod } from "../../bench/fixtures.js";
import { repoRoot } from "../support/shared.js";

const fixtures = readdirSync(join(repoRoot, "test/fixtures/kubectl"))
  .filter((f) => f.endsWith(".json"))
  .map((f) => JSON.parse(readFileSync(join(repoRoot, "test/fixtures/kubectl", f), "utf8")) as Record<string, unknown>);

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every path to a value inside a JSON document. */
function paths(value: Json, prefix: Array<string | number> = []): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

function mutate(doc: Json, path: Array<string | number>, how: number, replacement: Json): Json {
  const copy = structuredClone(doc);
  if (!path.length) return replacement;
  let parent: Json = copy;
  for (const seg of path.slice(0, -1)) parent = (parent as Record<string, Json>)[seg as string] as Json;
  const last = path[path.length - 1]!;
  const container = parent as Record<string | number, Json>;
  if (how === 0) delete container[last];
  else if (how === 1) container[last] = replacement;
  else if (how === 2 && container[last] && typeof container[last] === "object" && !Array.isArray(container[last])) {
    (container[last] as Record<string, Json>)["extraField"] = replacement;
  } else container[last] = null;
  return copy;
}

const jsonValue: fc.Arbitrary<Json> = fc.oneof<fc.Arbitrary<Json>[]>(fc.constant(null), fc.boolean(), fc.integer(), fc.double(), fc.string({ maxLength: 5 }), fc.constant<Json>([]), fc.constant<Json>({}), fc.constant("250m"), fc.constant(2 ** 31));

describe("compiled validator", () => {
  it("compiles every built-in schema of the newest minor", async () => {
    const modules = await loadBuiltinModules();
    let count = 0;
    for (const mod of Object.values(modules)) {
      for (const schema of Object.values(mod)) {
        expect(compileValidator(schema as z.ZodType)).toBeTypeOf("function");
        count++;
      }
    }
    expect(count).toBeGreaterThan(700);
  });

  it("agrees with Zod on real objects and random corruptions of them", async () => {
    const docs: Array<{ schema: z.ZodType; doc: Json }> = [];
    for (const f of [...fixtures, pod(7) as Record<string, unknown>]) {
      docs.push({ schema: (await schemaForObject(f))!, doc: f as Json });
    }
    fc.assert(
      fc.property(fc.nat(docs.length - 1), fc.nat(10_000), fc.nat(3), jsonValue, (d, p, how, replacement) => {
        const { schema, doc } = docs[d]!;
        const all = paths(doc);
        const target = all[p % all.length]!;
        const input = mutate(doc, target, how, replacement);
        const zod = schema.safeParse(structuredClone(input));
        const mine = structuredClone(input);
        const fast = compileValidator(schema)!(mine);
        expect(fast).toBe(zod.success);
        if (fast) expect(mine).toEqual(zod.data);
      }),
      { numRuns: 3000 },
    );
  });

  it("fills defaults in place and leaves invalid input to Zod for the issues", async () => {
    const value = { metadata: { name: "x" } };
    const r = safeParseKube((await schemaForObject({ apiVersion: "v1", kind: "ConfigMap" }))!, value);
    expect(r.success && r.data).toBe(value);
    expect(value).toMatchObject({ apiVersion: "v1", kind: "ConfigMap" });
    const bad = safeParseKube((await schemaForObject({ apiVersion: "v1", kind: "ConfigMap" }))!, { data: { a: 1 } });
    expect(bad.success).toBe(false);
    expect(!bad.success && bad.error.issues[0]!.path).toEqual(["data", "a"]);
  });

  it("leaves schemas it cannot model to Zod", () => {
    const withTransform = z.object({ n: z.string().transform((s) => s.length) });
    expect(compileValidator(withTransform)).toBeUndefined();
    expect(safeParseKube(withTransform, { n: "abc" })).toEqual({ success: true, data: { n: 3 } });
  });

  it("leaves an object with its own __proto__ key, or another prototype, to Zod", () => {
    const s = z.looseObject({ a: z.string() });
    const v = compileValidator(s)!;
    const own = JSON.parse('{"a": "x", "__proto__": {"b": 1}}') as Record<string, unknown>;
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { a: "x" });
    expect(v({ a: "x" })).toBe(true);
    expect(v(own)).toBe(false);
    expect(v(bare)).toBe(false);
    // Zod's verdict stands for what the compiled check leaves to it.
    expect(safeParseKube(s, own).success).toBe(s.safeParse(own).success);
    expect(safeParseKube(s, bare).success).toBe(s.safeParse(bare).success);
  });

  it("handles constructs users write by hand the same way Zod does", () => {
    const schemas: z.ZodType[] = [
      z.object({ a: z.string().min(2).max(4).regex(/^a/), b: z.number().gt(0).lte(10).multipleOf(2).optional() }),
      z.strictObject({ a: z.enum(["x", "y"]) }),
      z.object({ a: z.string() }).catchall(z.number()),
      z.record(z.string(), z.union([z.literal(1), z.boolean()])),
      z.array(z.int()).min(1).max(2),
      z.object({ s: z.string().refine((v) => v !== "no") }),
    ];
    const inputs: unknown[] = [
      { a: "ab" }, { a: "abc", b: 4 }, { a: "b" }, { a: "abcde" }, { a: "ab", b: 3 }, { a: "ab", b: 0 }, { a: "x" }, { a: "x", z: 1 },
      { a: "q", c: 1 }, { a: "q", c: "1" }, { k: 1 }, { k: true }, { k: 2 }, [1], [1, 2, 3], [], [1.5], { s: "no" }, { s: "yes" }, null, [],
    ];
    for (const s of schemas) {
      const v = compileValidator(s)!;
      expect(v).toBeTypeOf("function");
      for (const input of inputs) expect(v(structuredClone(input)), JSON.stringify(input)).toBe(s.safeParse(input).success);
    }
  });

  it("structural variant: the same verdict, and clean only where the structural walk finds nothing", async () => {
    const docs: Array<{ schema: z.ZodType; doc: Json }> = [];
    for (const f of [...fixtures, pod(7) as Record<string, unknown>]) {
      docs.push({ schema: (await schemaForObject(f))!, doc: f as Json });
    }
    let clean = 0;
    let dirty = 0;
    fc.assert(
      fc.property(fc.nat(docs.length - 1), fc.nat(10_000), fc.nat(4), jsonValue, (d, p, how, replacement) => {
        const { schema, doc } = docs[d]!;
        const all = paths(doc);
        const target = all[p % all.length]!;
        let input: Json;
        if (how === 4) {
          // A list's first entry written again at its end: a duplicate in list-maps and sets.
          input = structuredClone(doc);
          let at: Json = input;
          for (const seg of target) at = (at as Record<string, Json>)[seg as string] as Json;
          if (Array.isArray(at) && at.length) at.push(structuredClone(at[0]!));
        } else input = mutate(doc, target, how, replacement);
        const plain = structuredClone(input);
        const mine = structuredClone(input);
        const ok = compileValidator(schema)!(plain);
        const verdict = compileStructuralValidator(schema)!(mine);
        expect(verdict !== 0).toBe(ok);
        if (!ok) return;
        expect(mine).toEqual(plain);
        const found = structuralIssues(schema, mine);
        const findings = found.unknownFields.length + found.duplicateEntries.length;
        if (verdict === 1) {
          clean++;
          expect(findings).toBe(0);
        } else dirty++;
        if (findings) expect(verdict).toBe(2);
      }),
      { numRuns: 3000 },
    );
    expect(clean).toBeGreaterThan(0);
    expect(dirty).toBeGreaterThan(0);
  });

  it("structural variant: undeclared fields, repeated list-map keys, free-form and embedded objects", async () => {
    const Pod = (await schemaForObject({ apiVersion: "v1", kind: "Pod" }))!;
    const check = compileStructuralValidator(Pod)!;
    const base = () => ({ apiVersion: "v1", kind: "Pod", metadata: { name: "a", labels: { x: "y" } }, spec: { containers: [{ name: "a", image: "i" }, { name: "b", image: "i" }] } });
    expect(check(base())).toBe(1);
    const unknownTop = { ...base(), extra: 1 };
    expect(check(unknownTop)).toBe(2);
    const deep = base();
    (deep.spec.containers[1] as Record<string, unknown>).imagex = "i";
    expect(check(deep)).toBe(2);
    const dup = base();
    dup.spec.containers[1]!.name = "a";
    expect(check(dup)).toBe(2);
    expect(structuralIssues(Pod, dup).duplicateEntries).toHaveLength(1);
    // Map keys are not fields; defaults are filled as by the plain validator.
    const withoutType: Record<string, unknown> = { metadata: { name: "a", annotations: { anything: "goes" } }, spec: { containers: [{ name: "a" }] } };
    expect(check(withoutType)).toBe(1);
    expect(withoutType).toMatchObject({ apiVersion: "v1", kind: "Pod" });
    // Hand-written schemas: a typed catchall, a record of objects, a list-map, a field named like Object.prototype's.
    const schemas: Array<[z.ZodType, unknown, 0 | 1 | 2]> = [
      [z.looseObject({ a: z.string() }).catchall(z.object({ b: z.number() })), { a: "x", k: { b: 1 } }, 1],
      [z.looseObject({ a: z.string() }).catchall(z.looseObject({ b: z.number() })), { a: "x", k: { b: 1, c: 2 } }, 2],
      [z.record(z.string(), z.looseObject({ b: z.number() })), { k: { b: 1 } }, 1],
      [z.record(z.string(), z.looseObject({ b: z.number() })), { k: { b: 1, c: 1 } }, 2],
      [z.looseObject({ constructor: z.string().optional(), a: z.string().optional() }), { constructor: "x", a: "x" }, 1],
      [z.looseObject({ constructor: z.string().optional(), a: z.string().optional() }), { constructor: "x", b: "x" }, 2],
      [z.looseObject({ a: z.string().optional() }), { a: "x", b: undefined }, 2],
      [z.looseObject({ a: z.number() }), { a: "x" }, 0],
    ];
    for (const [schema, value, want] of schemas) {
      const v = compileStructuralValidator(schema)!;
      expect(v(value), JSON.stringify(value)).toBe(want);
      if (want === 1) expect(structuralIssues(schema, value)).toEqual({ unknownFields: [], duplicateEntries: [] });
      if (want === 2) expect(structuralIssues(schema, value).unknownFields.length).toBeGreaterThan(0);
    }
  });
});
