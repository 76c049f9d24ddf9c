/**
 * The standard JSON Patch and merge patch suites (test/fixtures/patch-suites), and how each case is
 * put to `kubectl patch --local`, which needs an object with apiVersion, kind and metadata.name:
 *
 * - an object document is sent as it is, with those three members added beside its own, and the
 *   patch unchanged (so paths keep their meaning, the root pointer aside);
 * - any other document is sent as the `data` member of such an object, with `/data` before every
 *   JSON Patch path and `{ "data": patch }` as merge patch. evanphx/json-patch applies a pointer below
 *   the root to a top-level list exactly as to a nested one (`findObject` walks from whichever
 *   container `ApplyIndentWithOptions` made), and `mergeDocs` merges a member as `MergePatch` merges
 *   documents once the document is not an object;
 * - what neither way can express (a root pointer or a pointer without a leading `/` on a list
 *   document, a scalar document) is not sent; test/patch/suites.test.ts checks those against
 *   evanphx/json-patch's source.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../support/shared.js";
import type { KubectlAnswer } from "./kubectl.js";

export const suitesDir = join(repoRoot, "test", "fixtures", "patch-suites");
export const suitesRecordedFile = join(suitesDir, "recorded.json");

interface SuiteRecord {
  comment?: string;
  source?: string;
  doc: unknown;
  patch: unknown;
  expected?: unknown;
  error?: string;
  disabled?: boolean;
}

export interface SuiteCase extends SuiteRecord {
  /** `<file>#<index>`, stable while the fixture files only grow. */
  id: string;
  type: "json" | "merge";
}

function load(file: string, type: SuiteCase["type"]): SuiteCase[] {
  const records = JSON.parse(readFileSync(join(suitesDir, file), "utf8")) as SuiteRecord[];
  return records.map((r, i) => ({ ...r, id: `${file}#${i}`, type }));
}

/** Every case of the suites, JSON Patch first. */
export const suiteCases: SuiteCase[] = [
  ...load("json-patch-tests.json", "json"),
  ...load("json-patch-spec-tests.json", "json"),
  ...load("evanphx-patch-cases.json", "json"),
  ...load("kubectl-json-probes.json", "json"),
  ...load("merge-cases.json", "merge"),
  ...load("kubectl-merge-probes.json", "merge"),
];

export interface Recorded {
  kubectl: string;
  answers: Record<string, KubectlAnswer>;
}

/** What is sent to kubectl for a case, and how its answer maps back to the case's document. */
export interface KubectlForm {
  object: Record<string, unknown>;
  patch: unknown;
  unwrap: (result: unknown) => unknown;
}

const ENVELOPE = { apiVersion: "example.com/v1", kind: "Doc", metadata: { name: "x" } };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function embeds(doc: unknown): doc is Record<string, unknown> {
  return isObject(doc) && !Object.keys(doc).some((k) => k in ENVELOPE);
}

function withoutEnvelope(result: unknown): unknown {
  if (!isObject(result)) return result;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(result)) if (!(k in ENVELOPE)) out[k] = v;
  return out;
}

function nestedPointer(p: unknown): unknown {
  return typeof p === "string" && p.startsWith("/") ? `/data${p}` : p;
}

/** The kubectl form of a case, or undefined when kubectl cannot be asked about it. */
export function kubectlForm(c: SuiteCase): KubectlForm | undefined {
  if (embeds(c.doc)) {
    if (c.type === "merge") return Array.isArray(c.patch) ? undefined : { object: { ...c.doc, ...ENVELOPE }, patch: c.patch, unwrap: withoutEnvelope };
    if (!Array.isArray(c.patch)) return { object: { ...c.doc, ...ENVELOPE }, patch: c.patch, unwrap: withoutEnvelope };
    const ops = c.patch as unknown[];
    // A root replaced by a list is not an object kubectl can print.
    if (ops.some((op) => isObject(op) && op.path === "" && op.op === "replace" && Array.isArray(op.value))) return undefined;
    const patch = ops.map((op) => (isObject(op) && op.path === "" && isObject(op.value) ? { ...op, value: { ...op.value, ...ENVELOPE } } : op));
    return { object: { ...c.doc, ...ENVELOPE }, patch, unwrap: withoutEnvelope };
  }
  if (!Array.isArray(c.doc)) return undefined;
  const unwrap = (result: unknown) => (isObject(result) ? result.data : result);
  if (c.type === "merge") return typeof c.patch === "object" && c.patch !== null ? { object: { ...ENVELOPE, data: c.doc }, patch: { data: c.patch }, unwrap } : undefined;
  if (!Array.isArray(c.patch)) return undefined;
  const ops = c.patch as Record<string, unknown>[];
  const pointers = ops.flatMap((op) => (isObject(op) ? [op.path, op.from] : [])).filter((p) => p !== undefined);
  if (pointers.some((p) => typeof p === "string" && !p.startsWith("/"))) return undefined;
  const patch = ops.map((op) => (isObject(op) ? { ...op, ...("path" in op ? { path: nestedPointer(op.path) } : {}), ...("from" in op ? { from: nestedPointer(op.from) } : {}) } : op));
  return { object: { ...ENVELOPE, data: c.doc }, patch, unwrap };
}
