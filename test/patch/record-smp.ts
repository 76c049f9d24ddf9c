/**
 * Record kubectl's answers for the patch fixtures:
 * `npx tsx test/patch/record-smp.ts` writes test/fixtures/smp/recorded.json.
 */
import { writeFileSync } from "node:fs";
import { kubectlPatch, kubectlVersion, mapLimit } from "./kubectl.js";
import { cases as smpCases, objectFile, otherCases, recordedFile, type Recorded } from "./smp-fixtures.js";

if (!kubectlVersion) throw new Error("kubectl is not installed");
const cases = [...smpCases, ...otherCases];
const answers = await mapLimit(cases, 8, (c) => kubectlPatch(objectFile(c.object), c.patch, c.type));
const recorded: Recorded = { kubectl: kubectlVersion, answers: {} };
cases.forEach((c, i) => (recorded.answers[c.name] = answers[i] as Recorded["answers"][string]));
writeFileSync(recordedFile, JSON.stringify(recorded, null, 1) + "\n");
const errors = Object.values(recorded.answers).filter((a) => "error" in a).length;
console.log(`recorded ${cases.length} answers (${errors} errors) from kubectl ${kubectlVersion}`);
