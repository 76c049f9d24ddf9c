/**
 * Patch engine benchmark: `npx tsx bench/patch.ts`.
 *
 * - a real Deployment: strategic merge diff/apply, JSON patch diff/apply next to fast-json-patch
 *   and rfc6902 (operation counts too);
 * - a Pod whose container has N env entries (a merge-keyed list), N = 100 … 8000: how the cost of
 *   smpDiff and applySmp grows with list length (near linear means the per-item cost stays flat).
 */
import { readFileSync } from "node:fs";
import fastJsonPatch from "fast-json-patch";
import { competitor } from "./competitors.js";

const { createPatch, applyPatch: rfcApply } = await competitor<import("./competitors/types.js").Rfc6902>("rfc6902");
import { applyJsonPatch, applySmp, jsonPatchDiff, jsonPatchToSmp, smpDiff, type JsonPatchOperation } from "kubezod";
import { Deployment } from "#schemas/latest/apps/v1.js";
import { Pod } from "#schemas/latest/core/v1.js";
import { pod } from "./fixtures.js";

type Obj = Record<string, any>;

/**
 * Microseconds per call: after a warm-up of at least 150 ms, batches of ~10 ms are timed; the
 * result is the lowest of three medians (the machine may be shared, so the least disturbed wins).
 */
function time(fn: () => unknown, budgetMs = 150): number {
  let n = 1;
  const warm = performance.now() + 150;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fn();
    if (performance.now() - t0 > 10 && performance.now() > warm) break;
    if (performance.now() - t0 <= 10) n *= 2;
  }
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    const samples: number[] = [];
    const end = performance.now() + budgetMs;
    while (performance.now() < end || samples.length < 5) {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) fn();
      samples.push(((performance.now() - t0) * 1000) / n);
    }
    samples.sort((a, b) => a - b);
    best = Math.min(best, samples[Math.floor(samples.length / 2)] as number);
  }
  return best;
}

function table(title: string, header: string[], rows: (string | number)[][]): void {
  console.log(`\n${title}`);
  const cells = [header, ...rows.map((r) => r.map((c) => (typeof c === "number" ? fmt(c) : c)))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => String(r[i]).length)));
  for (const [k, r] of cells.entries()) {
    console.log(r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i] as number) : String(c).padStart(widths[i] as number))).join("  "));
    if (k === 0) console.log(widths.map((w) => "-".repeat(w)).join("  "));
  }
}

function fmt(n: number): string {
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2);
}

// A real Deployment, edited the way a user edits one.
const deployment = JSON.parse(readFileSync(new URL("../test/fixtures/smp/objects/deployment.json", import.meta.url), "utf8")) as Obj;
const edited = structuredClone(deployment);
edited.spec.replicas = 5;
edited.spec.template.spec.containers[0].image = "nginx:1.27";
edited.spec.template.spec.containers[0].env.splice(1, 1, { name: "D", value: "4" });
edited.spec.template.spec.containers.shift();
edited.metadata.labels.version = "2";

const smp = smpDiff(Deployment, deployment, edited);
const ops = jsonPatchDiff(deployment, edited, { schema: Deployment });
const fjpOps = fastJsonPatch.compare(deployment, edited);
const rfcOps = createPatch(deployment, edited);

// Warm every path up before anything is timed, so the first row is not the one paying for the JIT.
for (let i = 0; i < 3000; i++) {
  smpDiff(Deployment, deployment, edited);
  applySmp(Deployment, deployment, smp);
  jsonPatchDiff(deployment, edited, { schema: Deployment });
  applyJsonPatch(deployment, ops);
  jsonPatchToSmp(Deployment, deployment, ops);
}

table(
  "A real Deployment (µs per call)",
  ["operation", "kubezod", "fast-json-patch", "rfc6902", "ops (kubezod/fjp/rfc6902)"],
  [
    ["smpDiff (two-way strategic merge patch)", time(() => smpDiff(Deployment, deployment, edited)), "-", "-", "-"],
    ["applySmp", time(() => applySmp(Deployment, deployment, smp)), "-", "-", "-"],
    ["jsonPatchDiff with schema", time(() => jsonPatchDiff(deployment, edited, { schema: Deployment })), time(() => fastJsonPatch.compare(deployment, edited)), time(() => createPatch(deployment, edited)), `${ops.length}/${fjpOps.length}/${rfcOps.length}`],
    [
      "applyJsonPatch (input left unchanged)",
      time(() => applyJsonPatch(deployment, ops)),
      time(() => fastJsonPatch.applyPatch(deployment, fjpOps as fastJsonPatch.Operation[], false, false)),
      time(() => rfcApply(structuredClone(deployment), rfcOps)),
      "-",
    ],
    ["jsonPatchToSmp", time(() => jsonPatchToSmp(Deployment, deployment, ops as JsonPatchOperation[])), "-", "-", "-"],
  ],
);

// A merge-keyed list of N items: env of a running pod's container, with 5% changed, removed, added and two moved.
function envPod(n: number): { o: Obj; m: Obj } {
  const o = pod(1) as Obj;
  o.spec.containers[0].env = Array.from({ length: n }, (_, i) => ({ name: `VAR_${i}`, value: String(i) }));
  const m = structuredClone(o);
  const env = m.spec.containers[0].env as Obj[];
  const step = 20;
  for (let i = 0; i < n; i += step) (env[i] as Obj).value = `changed-${i}`;
  for (let i = n - 3; i > 0; i -= step) env.splice(i, 1);
  for (let i = 0; i < n / step; i++) env.splice((i * 37) % env.length, 0, { name: `NEW_${i}`, value: "x" });
  const [moved] = env.splice(1, 1);
  env.push(moved as Obj);
  const [moved2] = env.splice(env.length - 2, 1);
  env.unshift(moved2 as Obj);
  return { o, m };
}

const sizes = [100, 250, 500, 1000, 2000, 4000, 8000];
const rows: (string | number)[][] = [];
let base: { diff: number; apply: number } | undefined;
for (const n of sizes) {
  const { o, m } = envPod(n);
  const patch = smpDiff(Pod, o, m);
  const diff = time(() => smpDiff(Pod, o, m));
  const apply = time(() => applySmp(Pod, o, patch));
  const json = time(() => jsonPatchDiff(o, m, { schema: Pod }));
  if (n === 500) base = { diff, apply };
  rows.push([`${n} items`, diff, (diff * 1000) / n, apply, (apply * 1000) / n, json, (json * 1000) / n]);
}
table("A merge-keyed list of N items (µs per call, ns per item)", ["list", "smpDiff", "ns/item", "applySmp", "ns/item", "jsonPatchDiff", "ns/item"], rows);

const last = rows[rows.length - 1] as number[];
const first = rows[0] as number[];
console.log(
  `\nGrowth from ${sizes[0]} to ${sizes[sizes.length - 1]} items (${(sizes[sizes.length - 1] as number) / (sizes[0] as number)}× more): ` +
    `smpDiff ${fmt((last[1] as number) / (first[1] as number))}×, applySmp ${fmt((last[3] as number) / (first[3] as number))}×, jsonPatchDiff ${fmt((last[5] as number) / (first[5] as number))}×` +
    (base ? `; at 500 items smpDiff ${fmt(base.diff)} µs, applySmp ${fmt(base.apply)} µs` : ""),
);
