/**
 * The three start-up and footprint targets, side by side in one run, each as a ratio taken within
 * rounds (the measures take turns, so a slow moment of the machine hits all of them):
 *
 * 1. `import "kubezod"` on top of zod, against zod's own import time (target ≤ 0.5×);
 * 2. CLI cold start (`kubezod --version`, `kubezod validate` of one small file) against a bare
 *    `node -e 0` (target ≤ 2×);
 * 3. peak resident memory of `kubezod validate --workers 0` against `kubeconform -strict` on the
 *    validator benchmark's corpus (target ≤ 2×).
 *
 * Wall times are given with the CPU time (user + system) of each child next to them: on a shared
 * machine the CPU time is the steadier of the two. Run with `npm run bench -- startup` (Node 24);
 * `ROUNDS`, `RESOURCES` change the sizes.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { median } from "./report.js";
import { writeCorpus } from "./validate-corpus.js";

const ROUNDS = Number(process.env.ROUNDS ?? 11);
const MEMORY_ROUNDS = Number(process.env.MEMORY_ROUNDS ?? 3);
const TOTAL = Number(process.env.RESOURCES ?? 20_000);
const root = resolve(import.meta.dirname, "..");
const shared = resolve(root, "..", "shared");
const kubeconform = join(shared, "tools", "kubeconform", "kubeconform");
const converter = join(shared, "tools", "kubeconform", "swagger2kubeconform.py");
const swagger = join(shared, "kubernetes-openapi", "v1.36", "swagger.json");
const bin = join(root, "bin", "kubezod.cjs");
const time = "/usr/bin/time";

interface Measure {
  /** Wall time, ms. */
  ms: number;
  /** User + system CPU time, ms (0 without /usr/bin/time). */
  cpu: number;
  /** Peak resident memory, KiB (0 without /usr/bin/time). */
  kib: number;
  stdout: string;
}

/** Run a command in a fresh process: wall time, CPU time and peak memory. */
function measure(command: string, args: string[]): Measure {
  const withTime = existsSync(time);
  const t = performance.now();
  const r = spawnSync(withTime ? time : command, withTime ? ["-f", "%U %S %M", command, ...args] : args, { cwd: root, stdio: ["ignore", "pipe", "pipe"], maxBuffer: 256 << 20 });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`${command} ${args.join(" ")} exited with ${r.status}: ${r.stderr?.toString().slice(-400)}`);
  const [user = 0, sys = 0, kib = 0] = withTime ? r.stderr.toString().trim().split("\n").at(-1)!.split(" ").map(Number) : [];
  return { ms, cpu: (user + sys) * 1000, kib, stdout: r.stdout.toString() };
}

/** `median× (rounds min–max)` of the per-round ratios a[i] / b[i]. */
function ratio(a: number[], b: number[]): { median: number; text: string } {
  const per = a.map((x, i) => x / b[i]!);
  const m = median(per);
  return { median: m, text: `${m.toFixed(2)}× (rounds ${Math.min(...per).toFixed(2)}–${Math.max(...per).toFixed(2)})` };
}

const lines: string[] = [];
const verdicts: string[] = [];
function target(name: string, r: { median: number; text: string }, limit: number, unit: string, cpu?: { median: number; text: string }): void {
  lines.push(`${name}: ${r.text} ${unit}${cpu ? `, ${cpu.text} CPU` : ""}  — target ≤ ${limit}×`);
  const met = (x: number) => (x <= limit ? "met" : "NOT met");
  verdicts.push(`${name}: ${r.median.toFixed(2)}× ${unit} ${met(r.median)}${cpu ? `; ${cpu.median.toFixed(2)}× CPU ${met(cpu.median)}` : ""} (target ≤ ${limit}×)`);
}

// 1. import "kubezod" on top of zod. Each child times its own imports: wall time with
// performance.now(), CPU time with process.cpuUsage() (the steadier on a busy machine).
const importScript = (after: boolean) =>
  "const w=()=>performance.now(),c=()=>{const u=process.cpuUsage();return (u.user+u.system)/1000};" +
  `const a=w(),ac=c();await import("zod");const b=w(),bc=c();${after ? 'await import("kubezod");' : ""}const d=w(),dc=c();` +
  "process.stdout.write([b-a,d-b,bc-ac,dc-bc].join(' '));";
const zodAlone: number[] = [];
const onTop: number[] = [];
const zodAloneCpu: number[] = [];
const onTopCpu: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const z = measure(process.execPath, ["--input-type=module", "-e", importScript(false)]).stdout.split(" ").map(Number);
  zodAlone.push(z[0]!);
  zodAloneCpu.push(z[2]!);
  const k = measure(process.execPath, ["--input-type=module", "-e", importScript(true)]).stdout.split(" ").map(Number);
  onTop.push(k[1]!);
  onTopCpu.push(k[3]!);
}
lines.push(`Node ${process.versions.node}, ${availableParallelism()} cores; ${ROUNDS} rounds (cold starts, imports), ${MEMORY_ROUNDS} (memory); a shared machine: expect noise`);
lines.push(`import "zod" alone ${median(zodAlone).toFixed(1)} ms (CPU ${median(zodAloneCpu).toFixed(1)} ms); import "kubezod" after zod ${median(onTop).toFixed(1)} ms (CPU ${median(onTopCpu).toFixed(1)} ms)`);
target("1. import \"kubezod\" on top of zod / zod's own import", ratio(onTop, zodAlone), 0.5, "wall", ratio(onTopCpu, zodAloneCpu));

// 2. Cold starts next to a bare node started the same way (the node on PATH, as the bin's shebang finds it).
const work = mkdtempSync(join(tmpdir(), "kubezod-startup-"));
try {
  const small = join(work, "small.yaml");
  writeFileSync(small, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n");
  // A first run fills the code cache: Node's own (22+), or under Node 20 that of the command's image.
  measure(bin, ["validate", small]);
  const bare: Measure[] = [];
  const version: Measure[] = [];
  const validate: Measure[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    bare.push(measure("node", ["-e", "0"]));
    version.push(measure(bin, ["--version"]));
    validate.push(measure(bin, ["validate", small]));
  }
  const ms = (m: Measure[]) => m.map((x) => x.ms);
  const cpu = (m: Measure[]) => m.map((x) => x.cpu);
  lines.push(`node -e 0 ${median(ms(bare)).toFixed(0)} ms (CPU ${median(cpu(bare)).toFixed(0)} ms); kubezod --version ${median(ms(version)).toFixed(0)} ms; kubezod validate small.yaml ${median(ms(validate)).toFixed(0)} ms (CPU ${median(cpu(validate)).toFixed(0)} ms)`);
  const withCpu = existsSync(time);
  target("2a. kubezod --version / node -e 0", ratio(ms(version), ms(bare)), 2, "wall", withCpu ? ratio(cpu(version), cpu(bare)) : undefined);
  target("2b. kubezod validate (one small file) / node -e 0", ratio(ms(validate), ms(bare)), 2, "wall", withCpu ? ratio(cpu(validate), cpu(bare)) : undefined);

  // 3. Peak memory on the validator benchmark's corpus (MEMORY_ROUNDS=0 leaves it out).
  const corpus = join(work, "corpus");
  const kc = join(work, "kc");
  if (MEMORY_ROUNDS > 0) writeCorpus(corpus, TOTAL, 50, false);
  const haveKubeconform = MEMORY_ROUNDS > 0 && existsSync(kubeconform) && existsSync(swagger) && existsSync(time) && spawnSync("mkdir", ["-p", kc]).status === 0 && spawnSync("python3", [converter, swagger, kc, "--strict"], { stdio: "ignore" }).status === 0;
  if (haveKubeconform) {
    const kcArgs = ["-strict", "-n", String(availableParallelism()), "-summary", "-schema-location", `${kc}/{{ .ResourceKind }}{{ .KindSuffix }}.json`, corpus];
    const kz: number[] = [];
    const other: number[] = [];
    for (let r = 0; r < MEMORY_ROUNDS; r++) {
      kz.push(measure(bin, ["validate", "--workers", "0", corpus]).kib);
      other.push(measure(kubeconform, kcArgs).kib);
    }
    lines.push(`peak memory on ${TOTAL.toLocaleString("en")} resources: kubezod validate --workers 0 ${(median(kz) / 1024).toFixed(0)} MiB, kubeconform ${(median(other) / 1024).toFixed(0)} MiB`);
    target("3. peak memory kubezod validate / kubeconform", ratio(kz, other), 2, "peak RSS");
  } else {
    lines.push("3. peak memory: kubeconform, its converter, the OpenAPI document or /usr/bin/time is missing");
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(lines.join("\n"));
console.log(`\ntargets:\n${verdicts.join("\n")}`);
