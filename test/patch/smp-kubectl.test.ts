/**
 * applySmp against kubectl: every fixture's recorded answer (from `kubectl patch --local --type
 * strategic`) must be what applySmp gives, result or error text; with kubectl installed, the
 * answers are re-produced live and must not differ.
 */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import type * as z from "zod";
import { applySmp, PatchError, schemaForObject } from "../../src/index.js";
import { hasKubectl, kubectlPatch, mapLimit, needsKubectl, type KubectlAnswer } from "./kubectl.js";
import { cases, loadObject, objectFile, recordedFile, type Recorded } from "./smp-fixtures.js";

const recorded = JSON.parse(readFileSync(recordedFile, "utf8")) as Recorded;
/** The fixtures are recorded with kubectl 1.32, so the schemas are 1.32's. */
const kubernetesVersion = "1.32";

async function schemaOf(object: Record<string, unknown>): Promise<z.core.$ZodType> {
  const s = await schemaForObject(object as { apiVersion: string; kind: string }, { kubernetesVersion });
  if (!s) throw new Error(`no schema for ${String(object.kind)}`);
  return s;
}

function ours(schema: z.core.$ZodType, object: unknown, patch: unknown): KubectlAnswer {
  try {
    return { result: applySmp(schema, object, patch) };
  } catch (e) {
    // kubectl ends what it prints with one newline, whether or not the message has one.
    if (e instanceof PatchError) return { error: e.message.replace(/\n$/, "") };
    throw e;
  }
}

describe("applySmp matches kubectl patch --type strategic", () => {
  const schemas = new Map<string, z.core.$ZodType>();
  beforeAll(async () => {
    for (const c of cases) if (!schemas.has(c.object)) schemas.set(c.object, await schemaOf(loadObject(c.object)));
  });

  it("has at least 60 recorded cases over the required kinds", () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
    const kinds = new Set(cases.map((c) => loadObject(c.object).kind));
    for (const k of ["Deployment", "Pod", "Service", "StatefulSet", "DaemonSet", "Job", "CronJob", "ConfigMap", "Ingress", "NetworkPolicy"]) expect(kinds).toContain(k);
    for (const c of cases) expect(recorded.answers[c.name], c.name).toBeDefined();
  });

  for (const c of cases) {
    it(c.name, () => {
      const object = loadObject(c.object);
      const got = ours(schemas.get(c.object) as z.core.$ZodType, object, c.patch);
      expect(got).toEqual(recorded.answers[c.name]);
      expect(object).toEqual(loadObject(c.object));
    });
  }

  it.skipIf(!hasKubectl)(`the recorded answers are what the installed kubectl gives${needsKubectl}`, async () => {
    const live = await mapLimit(cases, 8, (c) => kubectlPatch(objectFile(c.object), c.patch));
    const diffs = cases.filter((c, i) => JSON.stringify(live[i]) !== JSON.stringify(recorded.answers[c.name])).map((c) => c.name);
    expect(diffs).toEqual([]);
  }, 240_000);
});
