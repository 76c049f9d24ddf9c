/**
 * The patch fixtures: original objects, patches, and kubectl's recorded answers.
 * Re-record with `npx tsx test/patch/record-smp.ts` (needs kubectl).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../support/shared.js";
import type { KubectlAnswer } from "./kubectl.js";

export const smpDir = join(repoRoot, "test", "fixtures", "smp");

export interface SmpCase {
  name: string;
  /** kubectl's `--type`; strategic when absent. */
  type?: "strategic" | "json" | "merge";
  object: string;
  patch: unknown;
}

export interface Recorded {
  kubectl: string;
  answers: Record<string, KubectlAnswer>;
}

/** Strategic merge patch cases. */
export const cases = JSON.parse(readFileSync(join(smpDir, "cases.json"), "utf8")) as SmpCase[];
/** JSON Patch and merge patch cases, for the kube-apiserver-compatible modes. */
export const otherCases = JSON.parse(readFileSync(join(smpDir, "other-cases.json"), "utf8")) as SmpCase[];

export function objectFile(name: string): string {
  return join(smpDir, "objects", `${name}.json`);
}

export function loadObject(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(objectFile(name), "utf8")) as Record<string, unknown>;
}

export const recordedFile = join(smpDir, "recorded.json");
