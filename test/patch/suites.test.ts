/**
 * applyJsonPatch and applyMergePatch in their `compat: "kubernetes"` modes against the standard
 * suites (json-patch/json-patch-tests, RFC 7386 Appendix A, evanphx/json-patch's own tables, and
 * probes of edge cases), with kubectl's recorded answers (`kubectl patch --local`, which applies
 * patches with gopkg.in/evanphx/json-patch.v4 as kube-apiserver does) as the expected outputs.
 * Cases kubectl cannot be asked about are checked against evanphx/json-patch v4.12.0's source, and
 * the default (RFC) modes against the RFC suites' own expected answers.
 * Re-record with `npx tsx test/patch/record-suites.ts`; with kubectl installed, the answers are
 * re-produced live and must not differ.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { applyJsonPatch, applyMergePatch, JsonPatchError, PatchError, type JsonPatchOperation } from "../../src/index.js";
import { asKubectlPrints, hasKubectl, kubectlPatch, mapLimit, needsKubectl, scratchFile, type KubectlAnswer } from "./kubectl.js";
import { kubectlForm, suiteCases, suitesRecordedFile, type Recorded, type SuiteCase } from "./suite-fixtures.js";

const recorded = JSON.parse(readFileSync(suitesRecordedFile, "utf8")) as Recorded;

function apply(type: SuiteCase["type"], doc: unknown, patch: unknown): unknown {
  return type === "merge" ? applyMergePatch(doc, patch, { compat: "kubernetes" }) : applyJsonPatch(doc, patch as JsonPatchOperation[], { compat: "kubernetes" });
}

/** Our answer in kubectl's words: a crash of evanphx is what kubectl prints as a panic. */
function ours(type: SuiteCase["type"], doc: unknown, patch: unknown): KubectlAnswer {
  try {
    return { result: apply(type, doc, patch) };
  } catch (e) {
    if (e instanceof JsonPatchError) return { error: e.status === 500 ? `panic: ${e.kubernetesMessage}` : asKubectlPrints(e.kubernetesMessage) };
    if (e instanceof PatchError) return { error: e.message };
    throw e;
  }
}

function label(c: SuiteCase): string {
  return `${c.id} ${c.comment ?? c.source ?? ""}`.trim();
}

describe("the patch suites match kubectl", () => {
  const sent = suiteCases.filter((c) => kubectlForm(c) !== undefined);

  it("covers the suites", () => {
    expect(sent.length).toBeGreaterThanOrEqual(270);
    for (const c of sent) expect(recorded.answers[c.id], c.id).toBeDefined();
  });

  for (const c of sent) {
    it(label(c), () => {
      const form = kubectlForm(c)!;
      const answer = recorded.answers[c.id] as KubectlAnswer;
      expect(ours(c.type, form.object, form.patch)).toEqual(answer);
      // A list document gets the same answer at the top level as nested (see suite-fixtures.ts).
      if (Array.isArray(c.doc)) {
        if ("result" in answer) expect(apply(c.type, c.doc, c.patch)).toEqual(form.unwrap(answer.result));
        else expect(() => apply(c.type, c.doc, c.patch)).toThrow(PatchError);
      }
    });
  }

  it.skipIf(!hasKubectl)(`the recorded answers are what the installed kubectl gives${needsKubectl}`, async () => {
    const live = await mapLimit(sent, 8, (c) => {
      const form = kubectlForm(c)!;
      return kubectlPatch(scratchFile(`${c.id.replace(/[^\w]/g, "_")}.json`, form.object), form.patch, c.type);
    });
    const diffs = sent.filter((c, i) => JSON.stringify(live[i]) !== JSON.stringify(recorded.answers[c.id])).map((c) => c.id);
    expect(diffs).toEqual([]);
  }, 240_000);
});

describe("the default modes give the RFC suites' own answers", () => {
  // json-patch-tests and RFC 7386 record the RFC's reading: `expected`, `error`, or neither (it applies).
  const rfc = suiteCases.filter((c) => !c.disabled && (c.id.startsWith("json-patch-") || c.source === "RFC 7386 Appendix A"));
  for (const c of rfc) {
    it(label(c), () => {
      const run = () => (c.type === "merge" ? applyMergePatch(c.doc, c.patch) : applyJsonPatch(c.doc, c.patch as JsonPatchOperation[]));
      if (c.error !== undefined) expect(run).toThrow(PatchError);
      else if ("expected" in c) expect(run()).toEqual(c.expected);
      else expect(run).not.toThrow();
    });
  }
});

/** evanphx/json-patch v4.12.0 (gopkg.in/evanphx/json-patch.v4), patch.go and merge.go. */
describe("what kubectl cannot be asked, from evanphx/json-patch's source", () => {
  const byComment = (comment: string) => suiteCases.find((c) => c.comment === comment) as SuiteCase;

  it("add at the root pointer: findObject finds no container for a pointer without '/'", () => {
    for (const c of [byComment("replace object document with array document?"), byComment("replace array document with object document?")]) {
      expect(ours("json", c.doc, c.patch)).toEqual({ error: 'add operation does not apply: doc is missing path: "": missing value' });
    }
  });

  it("a scalar document: ApplyIndent decodes what is not a list into a partialDoc map", () => {
    const c = byComment("Toplevel scalar values OK?");
    expect(ours("json", c.doc, c.patch)).toEqual({ error: "json: cannot unmarshal string into Go value of type jsonpatch.partialDoc" });
  });

  it("a list merge patch: MergePatch returns it with null members pruned, null items kept", () => {
    expect(applyMergePatch({ a: "b" }, ["c"], { compat: "kubernetes" })).toEqual(["c"]);
    expect(applyMergePatch({ a: 1 }, [2], { compat: "kubernetes" })).toEqual([2]);
    expect(applyMergePatch({ a: "b" }, [null, { x: null, y: 1 }], { compat: "kubernetes" })).toEqual([null, { y: 1 }]);
  });

  it("a null merge document: MergePatch refuses it as errBadJSONDoc", () => {
    expect(() => applyMergePatch(null, { a: 1 }, { compat: "kubernetes" })).toThrow("Invalid JSON Document");
  });

  it("copies are counted against AccumulatedCopySizeLimit by the bytes of their JSON (patch_test.go, limit 100)", () => {
    const ops: JsonPatchOperation[] = [
      { op: "copy", path: "/foo/-", from: "/foo/1" },
      { op: "copy", path: "/foo/-", from: "/foo/1" },
    ];
    const a48 = "A".repeat(48);
    expect(applyJsonPatch({ foo: ["A", a48] }, ops, { compat: "kubernetes", maxCopyBytes: 100 })).toEqual({ foo: ["A", a48, a48, a48] });
    const a49 = "A".repeat(49);
    const run = () => applyJsonPatch({ foo: ["A", a49] }, ops, { compat: "kubernetes", maxCopyBytes: 100 });
    expect(run).toThrow(JsonPatchError);
    expect(() => run()).toThrow(expect.objectContaining({ kubernetesMessage: "Unable to complete the copy, the accumulated size increase of copy is 102, exceeding the limit 100", index: 1 }));
  });
});
