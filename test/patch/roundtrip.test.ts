/**
 * Round trips over real objects with random edits: the strategic merge patch from `o` to `m`
 * applied to `o` gives `m`, both computed directly (smpDiff) and through JSON Patch
 * (jsonPatchDiff → jsonPatchToSmp); and kubectl, applying the same patches, agrees on a sample.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import type * as z from "zod";
import { applyJsonPatch, applyMergePatch, applySmp, jsonPatchDiff, jsonPatchToSmp, mergePatchDiff, schemaForObject, smpDiff } from "../../src/index.js";
import { applyEdits, baseObjects, editArb } from "./edits.js";
import { hasKubectl, kubectlPatch, mapLimit, needsKubectl, scratchFile } from "./kubectl.js";

const schemas: z.core.$ZodType[] = [];
beforeAll(async () => {
  for (const o of baseObjects) schemas.push((await schemaForObject(o as { apiVersion: string; kind: string }, { kubernetesVersion: "1.32" })) as z.core.$ZodType);
});

/** kubectl leaves `metadata.managedFields` out of what it prints. */
function withoutManagedFields(o: Record<string, unknown> | undefined): unknown {
  const c = structuredClone(o) as { metadata?: { managedFields?: unknown } };
  delete c.metadata?.managedFields;
  return c;
}

const caseArb = fc.record({ base: fc.nat({ max: baseObjects.length - 1 }), edits: fc.array(editArb, { minLength: 1, maxLength: 8 }) });
const runs = { numRuns: 150, seed: 20261101 };

function setup(c: { base: number; edits: Parameters<typeof applyEdits>[1] }) {
  const o = baseObjects[c.base] as Record<string, unknown>;
  return { o, m: applyEdits(o, c.edits), schema: schemas[c.base] as z.core.$ZodType };
}

describe("round trips over real objects with random edits", () => {
  it("applySmp(o, smpDiff(o, m)) equals m", () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { o, m, schema } = setup(c);
        expect(applySmp(schema, o, smpDiff(schema, o, m))).toEqual(m);
      }),
      runs,
    );
  });

  it("applySmp(o, jsonPatchToSmp(o, jsonPatchDiff(o, m))) equals m", () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { o, m, schema } = setup(c);
        const ops = jsonPatchDiff(o, m, { schema });
        expect(applyJsonPatch(o, ops)).toEqual(m);
        expect(applySmp(schema, o, jsonPatchToSmp(schema, o, ops))).toEqual(m);
      }),
      runs,
    );
  });

  it("the merge patch and the schema-less JSON patch round-trip too", () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { o, m } = setup(c);
        expect(applyMergePatch(o, mergePatchDiff(o, m))).toEqual(m);
        expect(applyJsonPatch(o, jsonPatchDiff(o, m))).toEqual(m);
      }),
      runs,
    );
  });

  it("changes in a keyed list are addressed by key: removing one container is one operation", () => {
    fc.assert(
      fc.property(caseArb, fc.nat(), (c, which) => {
        const { o, schema } = setup(c);
        const m = structuredClone(o) as Record<string, unknown>;
        const spec = (m.kind === "Pod" ? m.spec : m.kind === "CronJob" ? (((m.spec as never)["jobTemplate"] as never)["spec"] as never)["template"]["spec"] : (m.spec as never)["template"]["spec"]) as { containers: unknown[] };
        if (spec.containers.length < 2) return;
        spec.containers.splice(which % spec.containers.length, 1);
        expect(jsonPatchDiff(o, m, { schema })).toHaveLength(1);
      }),
      { numRuns: 30, seed: 7 },
    );
  });

  it.skipIf(!hasKubectl)(`kubectl applies both patches to the same result, on a sample${needsKubectl}`, async () => {
    const sample = fc.sample(caseArb, { numRuns: 16, seed: 42 });
    const jobs = sample.flatMap((c, i) => {
      const { o, m, schema } = setup(c);
      const file = scratchFile(`roundtrip-${i}.json`, o);
      return [
        { file, m, patch: smpDiff(schema, o, m) },
        { file, m, patch: jsonPatchToSmp(schema, o, jsonPatchDiff(o, m, { schema })) },
      ];
    });
    const answers = await mapLimit(jobs, 8, (j) => kubectlPatch(j.file, j.patch));
    answers.forEach((a, i) => expect(a, JSON.stringify(jobs[i]?.patch)).toEqual({ result: withoutManagedFields(jobs[i]?.m) }));
  });
});
