/**
 * Valid objects with a few fields changed to odd values (null, empty, wrong types, huge numbers,
 * control characters, long strings) or removed: input for the tests that check that no object,
 * however malformed, makes the validator throw, report an internal error, or the local server
 * answer 500.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { loadAll } from "js-yaml";
import { repoRoot } from "./shared.js";

type Json = unknown;
type Path = Array<string | number>;

/** The repository's own example and fixture manifests, each object once. */
export function baseObjects(): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const dir of [join(repoRoot, "test/fixtures/manifests"), join(repoRoot, "examples/manifests")]) {
    let names: string[] = [];
    try {
      names = readdirSync(dir).filter((n) => /\.ya?ml$/.test(n));
    } catch {
      continue;
    }
    for (const name of names) {
      for (const doc of loadAll(readFileSync(join(dir, name), "utf8"))) {
        if (doc && typeof doc === "object" && typeof (doc as { apiVersion?: unknown }).apiVersion === "string" && typeof (doc as { kind?: unknown }).kind === "string") out.push(doc as Record<string, unknown>);
      }
    }
  }
  return out;
}

const ODD: Json[] = [null, "", 0, -1, 1e300, 2 ** 53 + 7, "x", "A", "-", "..", "/", ":", "*", "\u0000", "a".repeat(300), "1.5Gi", "-1", true, [], {}, [null], [{}], [[]], { a: null }];

function pathsOf(value: Json, at: Path = [], out: Path[] = []): Path[] {
  if (Array.isArray(value)) value.forEach((v, i) => (out.push([...at, i]), pathsOf(v, [...at, i], out)));
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (at.length === 0 && (k === "apiVersion" || k === "kind")) continue;
      out.push([...at, k]);
      pathsOf(v, [...at, k], out);
    }
  }
  return out;
}

/** A base object with one to three of its fields replaced by odd values or removed. */
export function mutatedObject(bases: Array<Record<string, unknown>>): fc.Arbitrary<Record<string, unknown>> {
  const edit = fc.record({ at: fc.nat(), value: fc.constantFrom(...ODD), remove: fc.boolean() });
  return fc.tuple(fc.constantFrom(...bases), fc.array(edit, { minLength: 1, maxLength: 3 })).map(([base, edits]) => {
    const copy = structuredClone(base);
    for (const e of edits) {
      const paths = pathsOf(copy);
      const path = paths[e.at % Math.max(paths.length, 1)];
      if (!path) break;
      let parent: unknown = copy;
      for (const s of path.slice(0, -1)) parent = (parent as Record<string | number, unknown>)[s];
      if (!parent || typeof parent !== "object") continue;
      const last = path[path.length - 1]!;
      if (e.remove && Array.isArray(parent)) parent.splice(Number(last), 1);
      else if (e.remove) delete (parent as Record<string, unknown>)[last];
      else (parent as Record<string | number, unknown>)[last] = structuredClone(e.value);
    }
    return copy;
  });
}
