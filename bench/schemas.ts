/**
 * Schemas benchmark: import times, parse throughput of a 5,000-pod list next to `JSON.parse` and
 * `@kubernetes-models/validate` (ajv, compiled), type-check time of a file importing 20 kinds, and
 * the package size. Run with `npm run bench -- schemas` (Node 22+ for the competitor).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { PodList } from "kubezod/k8s";
import { safeParseKube } from "kubezod";
import { podListJson } from "./fixtures.js";
import { competitor as loadCompetitor } from "./competitors.js";
import { median, table } from "./report.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

function importTime(specifier: string, runs = 7): number {
  const script = `const t=performance.now();await import(${JSON.stringify(specifier)});process.stdout.write(String(performance.now()-t));`;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: root, encoding: "utf8" });
    times.push(Number(out));
  }
  return median(times);
}

function importTimeAfterZod(specifier: string, runs = 7): number {
  const script = `await import("zod");const t=performance.now();await import(${JSON.stringify(specifier)});process.stdout.write(String(performance.now()-t));`;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    times.push(Number(execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: root, encoding: "utf8" })));
  }
  return median(times);
}

function time(fn: () => void, runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  return median(times);
}

async function competitor(): Promise<((data: unknown) => boolean) | undefined> {
  try {
    const mod = await loadCompetitor<{ validate: (d: unknown) => boolean }>("kubernetes-models/_schemas/IoK8sApiCoreV1PodList");
    return mod.validate;
  } catch (err) {
    console.log(`(@kubernetes-models/validate not available on Node ${process.versions.node}: ${(err as Error).message.split("\n")[0]})`);
    return undefined;
  }
}

async function main(): Promise<void> {
  console.log(`Node ${process.versions.node}\n`);

  console.log("Import time (fresh process, median of 7)");
  const zodAlone = importTime("zod");
  table(
    ["module", "ms (incl. zod)", "ms (zod already loaded)", "target"],
    [
      ["zod alone", zodAlone.toFixed(1), "-", ""],
      ["kubezod/k8s/apps/v1 (one group-version)", importTime("kubezod/k8s/apps/v1").toFixed(1), importTimeAfterZod("kubezod/k8s/apps/v1").toFixed(1), "< 50"],
      ["kubezod/k8s/v1.30/batch/v1", importTime("kubezod/k8s/v1.30/batch/v1").toFixed(1), importTimeAfterZod("kubezod/k8s/v1.30/batch/v1").toFixed(1), "< 50"],
      ["kubezod/k8s (every kind)", importTime("kubezod/k8s").toFixed(1), importTimeAfterZod("kubezod/k8s").toFixed(1), ""],
      ["kubezod (library, schemas loaded lazily)", importTime("kubezod").toFixed(1), importTimeAfterZod("kubezod").toFixed(1), "< 100"],
    ],
  );

  console.log("\nParse a 5,000-pod list (median of 9 runs; each run times one contender on freshly parsed JSON)");
  const text = podListJson(5000);
  const validate = await competitor();
  const runs = 9;
  const jsonMs = time(() => JSON.parse(text), runs);
  /** The time `fn` takes on a freshly parsed copy (JSON.parse itself untimed). */
  const onParsed = (fn: (value: unknown) => unknown) => {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const value: unknown = JSON.parse(text);
      const t = performance.now();
      fn(value);
      times.push(performance.now() - t);
    }
    return median(times);
  };
  const kubezodMs = onParsed((v) => {
    if (!safeParseKube(PodList, v).success) throw new Error("pod list did not validate");
  });
  const zodMs = onParsed((v) => PodList.safeParse(v));
  let competitorMs: number | undefined;
  let competitorOk = false;
  if (validate) {
    competitorOk = validate(JSON.parse(text));
    competitorMs = onParsed((v) => validate(v));
  }
  const rows: string[][] = [
    ["JSON.parse (baseline)", jsonMs.toFixed(1), "-", "-"],
    ["kubezod parse (compiled from the Zod schema)", kubezodMs.toFixed(1), (kubezodMs / jsonMs).toFixed(2), "≤ 1.00"],
    ["Zod safeParse (same schema, uncompiled)", zodMs.toFixed(1), (zodMs / jsonMs).toFixed(2), ""],
  ];
  if (competitorMs !== undefined) {
    rows.push(["@kubernetes-models/validate (ajv)", competitorMs.toFixed(1), (competitorMs / jsonMs).toFixed(2), competitorOk ? "" : "(rejected the list: null in optional fields)"]);
  }
  table(["", `ms on top of JSON.parse (${(text.length / 1e6).toFixed(1)} MB)`, "× JSON.parse", "target"], rows);
  if (competitorMs !== undefined) console.log(`kubezod validates ${(competitorMs / kubezodMs).toFixed(1)}× faster than @kubernetes-models/validate`);

  console.log("\nType-check a file importing 20 kinds (tsc --noEmit, median of 3)");
  const dir = mkdtempSync(join(tmpdir(), "kubezod-tsc-"));
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: { strict: true, module: "NodeNext", moduleResolution: "NodeNext", target: "ES2022", noEmit: true, skipLibCheck: false, types: [] },
      files: [join(root, "test/types/twenty-kinds.ts")],
    }),
  );
  const tscTimes: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    const r = spawnSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", join(dir, "tsconfig.json")], { cwd: root, encoding: "utf8" });
    tscTimes.push(performance.now() - t);
    if (r.status !== 0) throw new Error(`tsc failed: ${r.stdout}${r.stderr}`);
  }
  console.log(`tsc: ${median(tscTimes).toFixed(0)} ms`);

  console.log("\nPackage size (npm pack --dry-run)");
  const pack = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })) as Array<{
    size: number;
    unpackedSize: number;
    entryCount: number;
  }>;
  const p = pack[0]!;
  console.log(`tarball ${(p.size / 1e6).toFixed(2)} MB, unpacked ${(p.unpackedSize / 1e6).toFixed(2)} MB, ${p.entryCount} files`);
}

await main();
