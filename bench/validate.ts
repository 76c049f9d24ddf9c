/**
 * `kubezod validate` throughput: resources per second on a generated corpus of 20,000 mixed
 * resources across 400 files, on one thread and shared with worker threads, with
 * @kubernetes-models/validate (kubernetes-models' ajv validators) in the same run on the resources
 * it can check; then the built CLI in fresh processes (whole corpus, and one small file).
 *
 * The measures take turns in rounds, so that a slow moment of the machine hits all of them;
 * ratios are taken within each round. Run under Node 24 (kubernetes-models needs Node 22+):
 *   npx -y -p node@24 -- node --import tsx bench/validate.ts
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { loadAll } from "js-yaml";
import { stringifyYaml as stringify } from "../src/yaml/text.js";
import { validateManifests } from "kubezod";
import { defaultWorkerCount } from "../src/validate/parallel.js";
import { competitor } from "./competitors.js";
import { median } from "./report.js";

const TOTAL = Number(process.env.RESOURCES ?? 20_000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const PER_FILE = 50;
const root = resolve(import.meta.dirname, "..");
const shared = resolve(root, "..", "shared", "crds", "gateway-api");
const withCrds = existsSync(shared);

const sel = { matchLabels: { app: "web" } };
function podSpec(i: number) {
  return {
    containers: [
      {
        name: "app",
        image: `registry.example.com/app:${i % 20}.0.${i % 7}`,
        ports: [{ name: "http", containerPort: 8080 }],
        env: [{ name: "LOG_LEVEL", value: "info" }, { name: "INDEX", value: String(i) }],
        resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
        readinessProbe: { httpGet: { path: "/ready", port: "http" }, periodSeconds: 5 },
      },
    ],
  };
}

/** One resource of a mix close to a GitOps repository's. */
function resource(i: number): Record<string, unknown> {
  const name = `app-${i}`;
  const metadata = { name, namespace: `team-${i % 10}`, labels: { app: "web", "app.kubernetes.io/instance": name } };
  switch (i % 10) {
    case 0:
    case 1:
      return { apiVersion: "apps/v1", kind: "Deployment", metadata, spec: { replicas: 2, selector: sel, template: { metadata: { labels: { app: "web" } }, spec: podSpec(i) } } };
    case 2:
      return { apiVersion: "v1", kind: "Service", metadata, spec: { selector: { app: "web" }, ports: [{ name: "http", port: 80, targetPort: "http" }] } };
    case 3:
      return { apiVersion: "v1", kind: "ConfigMap", metadata, data: { "config.yaml": `level: info\nindex: ${i}\n`, MODE: "production" } };
    case 4:
      return { apiVersion: "v1", kind: "ServiceAccount", metadata };
    case 5:
      return { apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata, spec: { rules: [{ host: `${name}.example.com`, http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name, port: { number: 80 } } } }] } }] } };
    case 6:
      return { apiVersion: "batch/v1", kind: "CronJob", metadata, spec: { schedule: "0 3 * * *", jobTemplate: { spec: { template: { spec: { ...podSpec(i), restartPolicy: "OnFailure" } } } } } };
    case 7:
      return { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", metadata, spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name }, minReplicas: 2, maxReplicas: 10 } };
    case 8:
      return { apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "reader" }, subjects: [{ kind: "ServiceAccount", name }] };
    default:
      return withCrds
        ? { apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", metadata, spec: { parentRefs: [{ name: "edge" }], hostnames: [`${name}.example.com`], rules: [{ matches: [{ path: { type: "PathPrefix", value: "/" } }], backendRefs: [{ name, port: 80 }] }] } }
        : { apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata, spec: { minAvailable: 1, selector: sel } };
  }
}

function makeCorpus(): string {
  const dir = mkdtempSync(join(tmpdir(), "kubezod-bench-"));
  for (let f = 0; f * PER_FILE < TOTAL; f++) {
    const docs: string[] = [];
    for (let i = f * PER_FILE; i < Math.min(TOTAL, (f + 1) * PER_FILE); i++) docs.push(stringify(resource(i)));
    mkdirSync(join(dir, `team-${f % 10}`), { recursive: true });
    writeFileSync(join(dir, `team-${f % 10}`, `apps-${f}.yaml`), docs.join("---\n"));
  }
  return dir;
}

function files(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) out.push(join(e.parentPath, e.name));
  return out.sort();
}

type Validate = (obj: Record<string, unknown>) => void;

async function kubernetesModels(): Promise<Map<string, Validate> | undefined> {
  const major = Number(process.versions.node.split(".")[0]);
  if (major < 22) return undefined;
  const m = await competitor<import("./competitors/types.js").KubernetesModels>("kubernetes-models");
  type ModelClass = new (data: Record<string, unknown>) => { validate(): void };
  const classes = {
    "apps/v1/Deployment": m.apps.v1.Deployment,
    "v1/Service": m.v1.Service,
    "v1/ConfigMap": m.v1.ConfigMap,
    "v1/ServiceAccount": m.v1.ServiceAccount,
    "networking.k8s.io/v1/Ingress": m.networkingK8sIo.v1.Ingress,
    "batch/v1/CronJob": m.batch.v1.CronJob,
    "autoscaling/v2/HorizontalPodAutoscaler": m.autoscaling.v2.HorizontalPodAutoscaler,
    "rbac.authorization.k8s.io/v1/RoleBinding": m.rbacAuthorizationK8sIo.v1.RoleBinding,
    "policy/v1/PodDisruptionBudget": m.policy.v1.PodDisruptionBudget,
  };
  return new Map(Object.entries(classes).map(([k, C]) => [k, (obj: Record<string, unknown>) => new (C as unknown as ModelClass)(obj).validate()]));
}

type Measure = { name: string; run: () => Promise<number> | number; times: number[]; count: number };

/** The time of a function in ms; its result is the number of resources it checked. */
async function timed(fn: () => Promise<number> | number): Promise<[number, number]> {
  const t = performance.now();
  const n = await fn();
  return [performance.now() - t, n];
}

function cli(args: string[]): number {
  const t = performance.now();
  const r = spawnSync(process.execPath, [join(root, "bin", "kubezod.js"), "validate", ...args], { stdio: ["ignore", "ignore", "inherit"] });
  if (r.status !== 0) throw new Error(`kubezod validate ${args.join(" ")} exited with ${r.status}`);
  return performance.now() - t;
}

async function main(): Promise<void> {
  const dir = makeCorpus();
  const crds = withCrds ? [shared] : [];
  const workers = Math.max(1, defaultWorkerCount());
  const lines: string[] = [];
  try {
    // The resources @kubernetes-models/validate has models for (no CRDs, no CEL), in files of their own.
    const subsetDir = mkdtempSync(join(tmpdir(), "kubezod-bench-subset-"));
    const texts = files(dir).map((f) => readFileSync(f, "utf8"));
    texts.forEach((text, i) => {
      const keep = text.split("---\n").filter((d) => !d.includes("kind: HTTPRoute"));
      writeFileSync(join(subsetDir, `f${i}.yaml`), keep.join("---\n"));
    });
    let invalid = 0;
    const kz = (path: string, w: number, withCrds: boolean) => async () => {
      const report = await validateManifests([{ path }], { crds: withCrds ? crds : [], workers: w });
      invalid += report.summary.invalid + report.summary.errors;
      return report.summary.resources;
    };
    const models = await kubernetesModels();
    // Like kubezod, it reads the files each round.
    const subsetFiles = files(subsetDir);
    const km = () => {
      let n = 0;
      for (const file of subsetFiles) {
        const text = readFileSync(file, "utf8");
        for (const doc of loadAll(text) as Array<Record<string, unknown>>) {
          const v = models!.get(`${doc.apiVersion as string}/${doc.kind as string}`);
          if (!v) continue;
          n++;
          try {
            v(doc);
          } catch {
            // invalid: counted the same way as a valid resource
          }
        }
      }
      return n;
    };
    const all = withCrds ? "all, incl. HTTPRoute + CEL" : "all";
    const measures: Measure[] = [
      { name: `kubezod, 1 thread (${all})`, run: kz(dir, 0, true), times: [], count: 0 },
      { name: `kubezod, 1 thread + ${workers} worker${workers > 1 ? "s" : ""} (${all})`, run: kz(dir, workers, true), times: [], count: 0 },
      { name: "kubezod, 1 thread (built-in subset)", run: kz(subsetDir, 0, false), times: [], count: 0 },
      { name: `kubezod, 1 thread + ${workers} worker${workers > 1 ? "s" : ""} (built-in subset)`, run: kz(subsetDir, workers, false), times: [], count: 0 },
      ...(models ? [{ name: "@kubernetes-models/validate (js-yaml + ajv)", run: km, times: [], count: 0 }] : []),
    ];
    // The first run of each (module loading, compilation, worker start) is reported apart.
    const first: number[] = [];
    for (const m of measures) {
      const [ms, n] = await timed(m.run);
      first.push(ms);
      m.count = n;
    }
    for (let r = 0; r < ROUNDS; r++) {
      for (const m of measures) m.times.push((await timed(m.run))[0]);
    }

    const rate = (n: number, ms: number) => Math.round((n / ms) * 1000);
    const rows: string[][] = [["measure", "resources", "median ms", "best ms", "resources/s (median)", "vs @kubernetes-models/validate (median of rounds)"]];
    const kmIndex = models ? measures.length - 1 : -1;
    measures.forEach((m, i) => {
      let ratio = i === kmIndex ? "1.00×" : "";
      if (kmIndex >= 0 && i !== kmIndex && m.count === measures[kmIndex]!.count) {
        const perRound = m.times.map((t, r) => measures[kmIndex]!.times[r]! / t);
        ratio = `${median(perRound).toFixed(2)}× (rounds: ${Math.min(...perRound).toFixed(2)}–${Math.max(...perRound).toFixed(2)})`;
      }
      rows.push([m.name, String(m.count), median(m.times).toFixed(0), Math.min(...m.times).toFixed(0), String(rate(m.count, median(m.times))), ratio]);
    });
    if (!models) rows.push(["@kubernetes-models/validate", "-", "-", "-", "-", "needs Node 22+: run under Node 24"]);

    // The built CLI in fresh processes: the whole corpus, and one small file (cold start).
    if (existsSync(join(root, "dist", "src", "cli", "bin.js"))) {
      const crdArgs = crds.flatMap((c) => ["--crd", c]);
      const cold: Record<string, number[]> = { one: [], shared: [], small: [] };
      const workerArgs = ["--workers", String(workers)];
      const small = join(dir, "small.yaml");
      writeFileSync(small, stringify(resource(0)));
      for (let r = 0; r < 3; r++) {
        cold.one!.push(cli([...crdArgs, "--workers", "0", dir]));
        cold.shared!.push(cli([...crdArgs, ...workerArgs, dir]));
      }
      for (let r = 0; r < 7; r++) cold.small!.push(cli([small]));
      const n = measures[0]!.count;
      rows.push([`CLI, fresh process, --workers 0 (${all})`, String(n), median(cold.one!).toFixed(0), Math.min(...cold.one!).toFixed(0), String(rate(n, median(cold.one!))), "target ≥ 10,000/s"]);
      rows.push([`CLI, fresh process, --workers ${workers} (${all})`, String(n), median(cold.shared!).toFixed(0), Math.min(...cold.shared!).toFixed(0), String(rate(n, median(cold.shared!))), "target ≥ 10,000/s"]);
      rows.push(["CLI cold start: kubezod validate small.yaml", "1", median(cold.small!).toFixed(0), Math.min(...cold.small!).toFixed(0), "-", "target < 400 ms"]);
    }

    const bytes = texts.reduce((s, t) => s + Buffer.byteLength(t), 0);
    lines.push(`Node ${process.versions.node}, ${availableParallelism()} cores; ${measures[0]!.count} resources in ${texts.length} files (${(bytes / 1024 / 1024).toFixed(1)} MiB), ${invalid} invalid; median and best of ${ROUNDS} rounds after a first run`);
    lines.push(`first runs (ms): ${measures.map((m, i) => `${m.name.replace(/ \(.*\)$/, "")}${m.name.includes("subset") ? " subset" : ""} ${first[i]!.toFixed(0)}`).join(", ")}`);
    const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
    for (const r of rows) lines.push(r.map((cell, c) => cell.padEnd(widths[c]!)).join("  ").trimEnd());
    console.log(lines.join("\n"));
    rmSync(subsetDir, { recursive: true, force: true });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
