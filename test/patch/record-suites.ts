/**
 * Record kubectl's answers for the patch suites:
 * `npx tsx test/patch/record-suites.ts` writes test/fixtures/patch-suites/recorded.json.
 */
import { writeFileSync } from "node:fs";
import { kubectlPatch, kubectlVersion, mapLimit, scratchFile, type KubectlAnswer } from "./kubectl.js";
import { kubectlForm, suiteCases, suitesRecordedFile, type Recorded } from "./suite-fixtures.js";

if (!kubectlVersion) throw new Error("kubectl is not installed");
const sent = suiteCases.flatMap((c) => {
  const form = kubectlForm(c);
  return form ? [{ c, form }] : [];
});
const answers = await mapLimit(sent, 8, ({ c, form }): Promise<KubectlAnswer> => kubectlPatch(scratchFile(`${c.id.replace(/[^\w]/g, "_")}.json`, form.object), form.patch, c.type));
const recorded: Recorded = { kubectl: kubectlVersion, answers: {} };
sent.forEach(({ c }, i) => (recorded.answers[c.id] = answers[i] as KubectlAnswer));
writeFileSync(suitesRecordedFile, JSON.stringify(recorded, null, 1) + "\n");
const errors = Object.values(recorded.answers).filter((a) => "error" in a).length;
console.log(`recorded ${sent.length} of ${suiteCases.length} cases (${errors} errors) from kubectl ${kubectlVersion}`);
