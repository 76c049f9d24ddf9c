/**
 * `kubezod validate` side by side with its competitors, on a generated GitOps corpus of 20,000
 * realistic resources in 400 files (bench/validate-corpus.ts: several containers, init containers,
 * probes, volumes with mode bits written 0644, security contexts), with defaulting and native
 * validation on:
 *
 * - the CLI in a fresh process against `kubeconform -strict -n <cores>` (../shared/tools/kubeconform,
 *   its schemas made from the shared OpenAPI document by its converter): time and peak memory;
 * - in process, one thread, against @kubernetes-models/validate (js-yaml + ajv) reading the same files;
 * - the cost of each reported error, on the same corpus with an error in every third resource
 *   (near the top of each, and deep inside);
 * - with the shared Gateway API CRDs: a corpus where one resource in twenty is an HTTPRoute (CEL).
 *
 * The measures take turns in rounds, so that a slow moment of the machine hits all of them; ratios
 * are taken within each round. Run under Node 24 (kubernetes-models needs Node 22+):
 *   npm run bench -- validate
 * `ONLY=inprocess` runs only the in-process measures (kubezod on one thread against
 * @kubernetes-models/validate) and prints their rows.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { loadAll } from "js-yaml";
import { formatReport, validateManifests } from "kubezod";
import { competitor } from "./competitors.js";
import { median } from "./report.js";
import { writeCorpus } from "./validate-corpus.js";

const TOTAL = Number(process.env.RESOURCES ?? 20_000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const ONLY_IN_PROCESS = process.env.ONLY === "inprocess";
const PER_FILE = 50;
const root = resolve(import.meta.dirname, "..");
const shared = resolve(root, "..", "shared");
const gatewayCrds = join(shared, "crds", "gateway-api");
const kubeconform = join(shared, "tools", "kubeconform", "kubeconform");
const converter = join(shared, "tools", "kubeconform", "swagger2kubeconform.py");
const swagger = join(shared, "kubernetes-openapi", "v1.36", "swagger.json");
const cores = availableParallelism();
const bin = join(root, "bin", "kubezod.cjs");
const time = "/usr/bin/time";

function files(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) out.push(join(e.parentPath, e.name));
  return out.sort();
}

/** A command's wall time (ms) and peak resident memory (KiB, when /usr/bin/time is there). */
function measure(command: string, args: string[], okCodes = [0]): { ms: number; kib?: number } {
  const withTime = existsSync(time);
  const t = performance.now();
  const r = spawnSync(withTime ? time : command, withTime ? ["-f", "%M", command, ...args] : args, { stdio: ["ignore", "ignore", "pipe"], maxBuffer: 64 << 20 });
  const ms = performance.now() - t;
  if (r.status === null || !okCodes.includes(r.status)) throw new Error(`${command} ${args.join(" ")} exited with ${r.status}: ${r.stderr?.toString().slice(-400)}`);
  const kib = withTime ? Number(r.stderr.toString().trim().split("\n").at(-1)) : undefined;
  return { ms, ...(kib ? { kib } : {}) };
}

type Validate = (obj: Record<string, unknown>) => void;

async function kubernetesModels(): Promise<Map<string, Validate> | undefined> {
  if (Number(process.versions.node.split(".")[0]) < 22) return undefined;
  const m = await competitor<import("./competitors/types.js").KubernetesModels>("kubernetes-models");
  type ModelClass = new (data: Record<string, unknown>) => { validate(): void };
  const classes = {
    "apps/v1/Deployment": m.apps.v1.Deployment,
    "apps/v1/StatefulSet": m.apps.v1.StatefulSet,
    "apps/v1/DaemonSet": m.apps.v1.DaemonSet,
    "batch/v1/CronJob": m.batch.v1.CronJob,
    "v1/Service": m.v1.Service,
    "v1/ConfigMap": m.v1.ConfigMap,
    "v1/Secret": m.v1.Secret,
    "v1/ServiceAccount": m.v1.ServiceAccount,
    "networking.k8s.io/v1/Ingress": m.networkingK8sIo.v1.Ingress,
    "networking.k8s.io/v1/NetworkPolicy": m.networkingK8sIo.v1.NetworkPolicy,
    "autoscaling/v2/HorizontalPodAutoscaler": m.autoscaling.v2.HorizontalPodAutoscaler,
    "policy/v1/PodDisruptionBudget": m.policy.v1.PodDisruptionBudget,
    "rbac.authorization.k8s.io/v1/Role": m.rbacAuthorizationK8sIo.v1.Role,
    "rbac.authorization.k8s.io/v1/RoleBinding": m.rbacAuthorizationK8sIo.v1.RoleBinding,
  };
  return new Map(Object.entries(classes).map(([k, C]) => [k, (obj: Record<string, unknown>) => new (C as unknown as ModelClass)(obj).validate()]));
}

/** The corpus with an error in every third resource: a bad name (near the top), or a value of the wrong type deep inside. */
function withErrors(from: string, to: string, deep: boolean): number {
  let errors = 0;
  for (const f of files(from)) {
    const docs = readFileSync(f, "utf8").split("---\n");
    const out = docs.map((d, i) => {
      if (i % 3) return d;
      if (deep) {
        const k = d.lastIndexOf("readOnlyRootFilesystem: true");
        if (k >= 0) {
          errors++;
          return `${d.slice(0, k)}readOnlyRootFilesystem: "yes"${d.slice(k + "readOnlyRootFilesystem: true".length)}`;
        }
      }
      const k = d.indexOf("  name: app-");
      if (k < 0) return d;
      errors++;
      return `${d.slice(0, k)}  name: App-${d.slice(k + "  name: app-".length)}`;
    });
    writeFileSync(join(to, f.slice(from.length + 1).replace(/\//g, "_")), out.join("---\n"));
  }
  return errors;
}

/** CPU time in ms since a `process.cpuUsage()` reading. */
function cpuSince(start: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(start);
  return (u.user + u.system) / 1000;
}

/** CPU time of a function in ms (this thread; the machine's other load hardly counts). */
async function cpu(fn: () => Promise<unknown>): Promise<number> {
  const t = process.cpuUsage();
  await fn();
  const u = process.cpuUsage(t);
  return (u.user + u.system) / 1000;
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), "kubezod-bench-"));
  const dir = (name: string) => join(work, name);
  const lines: string[] = [];
  try {
    for (const d of ["builtin", "crds", "shallow", "deep", "kc"]) spawnSync("mkdir", ["-p", dir(d)]);
    writeCorpus(dir("builtin"), TOTAL, PER_FILE, false);
    const withCrds = existsSync(gatewayCrds);
    if (withCrds) writeCorpus(dir("crds"), TOTAL, PER_FILE, true);
    const shallowErrors = withErrors(dir("builtin"), dir("shallow"), false);
    const deepErrors = withErrors(dir("builtin"), dir("deep"), true);
    const bytes = files(dir("builtin")).reduce((s, f) => s + readFileSync(f).length, 0);

    // kubeconform, with schemas made from the same OpenAPI document.
    const haveKubeconform = !ONLY_IN_PROCESS && existsSync(kubeconform) && existsSync(swagger) && spawnSync("python3", [converter, swagger, dir("kc"), "--strict"], { stdio: "ignore" }).status === 0;
    const kcArgs = ["-strict", "-n", String(cores), "-summary", "-schema-location", `${dir("kc")}/{{ .ResourceKind }}{{ .KindSuffix }}.json`, dir("builtin")];

    // In process: kubezod on one thread, and @kubernetes-models/validate, reading the same files.
    const models = await kubernetesModels();
    const builtinFiles = files(dir("builtin"));
    const km = () => {
      let n = 0;
      for (const file of builtinFiles) {
        for (const doc of loadAll(readFileSync(file, "utf8")) as Array<Record<string, unknown>>) {
          const v = models!.get(`${doc.apiVersion as string}/${doc.kind as string}`);
          if (!v) throw new Error(`no model for ${doc.apiVersion as string}/${doc.kind as string}`);
          n++;
          try {
            v(doc);
          } catch {
            // an invalid resource costs the same as a valid one
          }
        }
      }
      return n;
    };
    const kz = (path: string, crds: string[] = []) => async () => {
      const r = await validateManifests([{ path }], { crds, workers: 0 });
      formatReport(r, "text");
      return r;
    };
    const first = await kz(dir("builtin"))();
    if (first.summary.invalid || first.summary.errors) throw new Error(`the corpus should be valid: ${formatReport(first, "text").split("\n").slice(0, 5).join("\n")}`);
    if (models) km();
    if (!ONLY_IN_PROCESS) {
      await kz(dir("shallow"))();
      await kz(dir("deep"))();
      if (withCrds) await kz(dir("crds"), [gatewayCrds])();
    }

    const t = { kz: [] as number[], km: [] as number[], kzCpu: [] as number[], kmCpu: [] as number[], cli: [] as number[], kc: [] as number[], cliMem: [] as number[], kcMem: [] as number[], clean: [] as number[], shallow: [] as number[], deep: [] as number[], crds: [] as number[] };
    for (let r = 0; r < ROUNDS; r++) {
      let s = performance.now();
      let c = process.cpuUsage();
      await kz(dir("builtin"))();
      t.kz.push(performance.now() - s);
      t.kzCpu.push(cpuSince(c));
      if (models) {
        s = performance.now();
        c = process.cpuUsage();
        km();
        t.km.push(performance.now() - s);
        t.kmCpu.push(cpuSince(c));
      }
      if (ONLY_IN_PROCESS) continue;
      t.clean.push(await cpu(kz(dir("builtin"))));
      t.shallow.push(await cpu(kz(dir("shallow"))));
      t.deep.push(await cpu(kz(dir("deep"))));
      if (withCrds) {
        s = performance.now();
        await kz(dir("crds"), [gatewayCrds])();
        t.crds.push(performance.now() - s);
      }
      const cli = measure(bin, ["validate", "--workers", "0", dir("builtin")]);
      t.cli.push(cli.ms);
      if (cli.kib) t.cliMem.push(cli.kib);
      if (haveKubeconform) {
        const kc = measure(kubeconform, kcArgs);
        t.kc.push(kc.ms);
        if (kc.kib) t.kcMem.push(kc.kib);
      }
    }
    // Cold starts next to a bare `node -e 0` started the same way (the node on PATH), in turns.
    const cold: number[] = [];
    const version: number[] = [];
    const bare: number[] = [];
    const small = join(work, "small.yaml");
    writeFileSync(small, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n");
    for (let r = 0; r < (ONLY_IN_PROCESS ? 0 : 11); r++) {
      bare.push(measure("node", ["-e", "0"]).ms);
      version.push(measure(bin, ["--version"]).ms);
      cold.push(measure(bin, ["validate", small]).ms);
    }

    const rate = (ms: number) => Math.round((TOTAL / ms) * 1000).toLocaleString("en");
    const ratio = (a: number[], b: number[]) => {
      const per = a.map((x, i) => b[i]! / x);
      return `${median(per).toFixed(2)}× (rounds ${Math.min(...per).toFixed(2)}–${Math.max(...per).toFixed(2)})`;
    };
    const rows: string[][] = [["measure", "median", "resources/s", "ratio (median of rounds)", "target"]];
    rows.push(["kubezod CLI, fresh process, --workers 0", `${median(t.cli).toFixed(0)} ms`, rate(median(t.cli)), haveKubeconform ? `${ratio(t.cli, t.kc)} faster than kubeconform` : "", "≥ 3×"]);
    if (haveKubeconform) rows.push([`kubeconform -strict -n ${cores}`, `${median(t.kc).toFixed(0)} ms`, rate(median(t.kc)), "1.00×", ""]);
    if (t.cliMem.length && t.kcMem.length) {
      const per = t.cliMem.map((m, i) => m / t.kcMem[i]!);
      rows.push(["peak memory: kubezod CLI / kubeconform", `${(median(t.cliMem) / 1024).toFixed(0)} / ${(median(t.kcMem) / 1024).toFixed(0)} MiB`, "", `${median(per).toFixed(2)}× (rounds ${Math.min(...per).toFixed(2)}–${Math.max(...per).toFixed(2)})`, "≤ 2×"]);
    }
    rows.push(["kubezod in process, 1 thread", `${median(t.kz).toFixed(0)} ms`, rate(median(t.kz)), models ? `${ratio(t.kz, t.km)} faster than @kubernetes-models/validate` : "", "≥ 2×"]);
    if (models) rows.push(["@kubernetes-models/validate (js-yaml + ajv), same files", `${median(t.km).toFixed(0)} ms`, rate(median(t.km)), "1.00×", ""]);
    // The same two runs in CPU time (what a busy machine disturbs least).
    if (models) rows.push(["kubezod in process, 1 thread, CPU time", `${median(t.kzCpu).toFixed(0)} ms`, rate(median(t.kzCpu)), `${ratio(t.kzCpu, t.kmCpu)} less CPU than @kubernetes-models/validate`, "≥ 2×"]);
    if (models) rows.push(["@kubernetes-models/validate, CPU time", `${median(t.kmCpu).toFixed(0)} ms`, rate(median(t.kmCpu)), "1.00×", ""]);
    else rows.push(["@kubernetes-models/validate", "-", "-", "needs Node 22+: run under Node 24", ""]);
    const perError = (with_: number[], errors: number) => `${(((median(with_) - median(t.clean)) * 1000) / errors).toFixed(1)} µs`;
    rows.push([`cost per reported error: ${shallowErrors} bad names (CPU time)`, perError(t.shallow, shallowErrors), "", "", "≤ 50 µs"]);
    rows.push([`cost per reported error: ${deepErrors} errors, type errors deep in workloads (CPU time)`, perError(t.deep, deepErrors), "", "", "≤ 50 µs"]);
    if (withCrds) rows.push([`kubezod in process, 1 thread, with ${(TOTAL / 20).toLocaleString("en")} HTTPRoutes (CEL)`, `${median(t.crds).toFixed(0)} ms`, rate(median(t.crds)), "", ""]);
    const vsBare = (a: number[]) => {
      const per = a.map((x, i) => x / bare[i]!);
      return `${median(per).toFixed(2)}× node -e 0 (rounds ${Math.min(...per).toFixed(2)}–${Math.max(...per).toFixed(2)})`;
    };
    rows.push(["node -e 0 (the baseline of cold starts)", `${median(bare).toFixed(0)} ms`, "", "1.00×", ""]);
    rows.push(["CLI cold start: kubezod --version", `${median(version).toFixed(0)} ms`, "", vsBare(version), "≤ 2×"]);
    rows.push(["CLI cold start: kubezod validate of one small file", `${median(cold).toFixed(0)} ms`, "", vsBare(cold), "≤ 2×"]);

    lines.push(`Node ${process.versions.node}, ${cores} cores; ${TOTAL.toLocaleString("en")} resources in ${builtinFiles.length} files (${(bytes / 1024 / 1024).toFixed(1)} MiB); medians of ${ROUNDS} rounds after a first run`);
    if (ONLY_IN_PROCESS) rows.splice(0, rows.length, ...rows.filter((r, i) => i === 0 || /^(kubezod in process, 1 thread(, CPU time)?$|@kubernetes-models)/.test(r[0]!)));
    const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
    for (const r of rows) lines.push(r.map((cell, c) => cell.padEnd(widths[c]!)).join("  ").trimEnd());
    console.log(lines.join("\n"));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
