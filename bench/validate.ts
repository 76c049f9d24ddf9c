/**
 * `kubezod validate` throughput: resources per second on a generated corpus of 20,000 mixed
 * resources across 400 files, with @kubernetes-models/validate (kubernetes-models' ajv validators)
 * in the same run on the resources it can check, and the cold start of the built CLI.
 *
 * Run under Node 24 (kubernetes-models needs Node 22+):
 *   npx -y -p node@24 -- node --import tsx bench/validate.ts
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { loadAll } from "js-yaml";
import { stringify } from "yaml";
import { validateManifests } from "../src/index.js";

const TOTAL = Number(process.env.RESOURCES ?? 20_000);
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
  const m = await import("kubernetes-models");
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

function best(times: number[]): number {
  return Math.min(...times);
}

async function main(): Promise<void> {
  const dir = makeCorpus();
  const crds = withCrds ? [shared] : [];
  try {
    const runs: number[] = [];
    let counted = 0;
    let invalid = 0;
    for (let r = 0; r < 3; r++) {
      const t = performance.now();
      const report = await validateManifests([{ path: dir }], { crds });
      runs.push(performance.now() - t);
      counted = report.summary.resources;
      invalid = report.summary.invalid + report.summary.errors;
    }
    const kz = best(runs);

    // The same files, resources @kubernetes-models/validate has models for (no CRDs, no CEL).
    const models = await kubernetesModels();
    let kmMs: number | undefined;
    let kmCount = 0;
    let kzSubsetMs: number | undefined;
    if (models) {
      const subsetDir = mkdtempSync(join(tmpdir(), "kubezod-bench-subset-"));
      const texts = files(dir).map((f) => readFileSync(f, "utf8"));
      const kmRuns: number[] = [];
      for (let r = 0; r < 3; r++) {
        const t = performance.now();
        kmCount = 0;
        for (const text of texts) {
          for (const doc of loadAll(text) as Array<Record<string, unknown>>) {
            const v = models.get(`${doc.apiVersion as string}/${doc.kind as string}`);
            if (!v) continue;
            kmCount++;
            try {
              v(doc);
            } catch {
              // invalid: counted the same way as a valid resource
            }
          }
        }
        kmRuns.push(performance.now() - t);
      }
      kmMs = best(kmRuns);
      // kubezod on exactly those resources.
      texts.forEach((text, i) => {
        const keep = text.split("---\n").filter((d) => !d.includes("kind: HTTPRoute"));
        writeFileSync(join(subsetDir, `f${i}.yaml`), keep.join("---\n"));
      });
      const subRuns: number[] = [];
      for (let r = 0; r < 3; r++) {
        const t = performance.now();
        await validateManifests([{ path: subsetDir }]);
        subRuns.push(performance.now() - t);
      }
      kzSubsetMs = best(subRuns);
      rmSync(subsetDir, { recursive: true, force: true });
    }

    // Cold start of the built CLI on one small file.
    const small = join(dir, "small.yaml");
    writeFileSync(small, stringify(resource(0)));
    const bin = join(root, "bin", "kubezod.js");
    const cold: number[] = [];
    if (existsSync(join(root, "dist", "src", "cli", "bin.js"))) {
      for (let r = 0; r < 7; r++) {
        const t = performance.now();
        spawnSync(process.execPath, [bin, "validate", small], { stdio: "ignore" });
        cold.push(performance.now() - t);
      }
    }
    cold.sort((a, b) => a - b);

    const rate = (n: number, ms: number) => Math.round((n / ms) * 1000);
    const rows: string[][] = [["measure", "resources", "time (ms)", "resources/s", "ratio"]];
    rows.push([`kubezod validate (all${withCrds ? ", incl. HTTPRoute + CEL" : ""})`, String(counted), kz.toFixed(0), String(rate(counted, kz)), "target ≥ 10,000/s"]);
    if (kmMs !== undefined && kzSubsetMs !== undefined) {
      const kzRate = rate(kmCount, kzSubsetMs);
      const kmRate = rate(kmCount, kmMs);
      rows.push(["kubezod validate (built-in subset)", String(kmCount), kzSubsetMs.toFixed(0), String(kzRate), `${(kzRate / kmRate).toFixed(2)}× @kubernetes-models/validate`]);
      rows.push(["@kubernetes-models/validate (js-yaml + ajv)", String(kmCount), kmMs.toFixed(0), String(kmRate), "1.00×"]);
    } else rows.push(["@kubernetes-models/validate", "-", "-", "-", "needs Node 22+: run under Node 24"]);
    if (cold.length) rows.push(["cold start: kubezod validate small.yaml", "1", cold[Math.floor(cold.length / 2)]!.toFixed(0), "-", "target < 400 ms (median of 7)"]);
    const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
    console.log(`Node ${process.versions.node}, ${TOTAL} resources in ${Math.ceil(TOTAL / PER_FILE)} files, ${invalid} invalid`);
    for (const r of rows) console.log(r.map((cell, c) => cell.padEnd(widths[c]!)).join("  "));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
