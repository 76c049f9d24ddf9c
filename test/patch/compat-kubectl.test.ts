/**
 * applyJsonPatch and applyMergePatch in their `compat: "kubernetes"` modes against kubectl
 * (`kubectl patch --local --type json|merge`, which applies patches with the same library as
 * kube-apiserver): recorded answers, re-produced live when kubectl is installed.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { applyJsonPatch, applyMergePatch, JsonPatchError, type JsonPatchOperation } from "../../src/index.js";
import { asKubectlPrints, hasKubectl, kubectlPatch, mapLimit, needsKubectl, type KubectlAnswer } from "./kubectl.js";
import { loadObject, objectFile, otherCases, recordedFile, type Recorded } from "./smp-fixtures.js";

const recorded = JSON.parse(readFileSync(recordedFile, "utf8")) as Recorded;

function ours(type: string | undefined, object: unknown, patch: unknown): KubectlAnswer {
  if (type === "merge") return { result: applyMergePatch(object, patch, { compat: "kubernetes" }) };
  try {
    return { result: applyJsonPatch(object, patch as JsonPatchOperation[], { compat: "kubernetes" }) };
  } catch (e) {
    if (e instanceof JsonPatchError) return { error: asKubectlPrints(e.kubernetesMessage) };
    throw e;
  }
}

describe("kube-apiserver-compatible JSON patch and merge patch match kubectl", () => {
  for (const c of otherCases) {
    it(c.name, () => {
      const object = loadObject(c.object);
      expect(ours(c.type, object, c.patch)).toEqual(recorded.answers[c.name]);
      expect(object).toEqual(loadObject(c.object));
    });
  }

  it.skipIf(!hasKubectl)(`the recorded answers are what the installed kubectl gives${needsKubectl}`, async () => {
    const live = await mapLimit(otherCases, 8, (c) => kubectlPatch(objectFile(c.object), c.patch, c.type));
    const diffs = otherCases.filter((c, i) => JSON.stringify(live[i]) !== JSON.stringify(recorded.answers[c.name])).map((c) => c.name);
    expect(diffs).toEqual([]);
  }, 240_000);
});
