/**
 * Admission policy throughput: 1,000 resources against 20 ValidatingAdmissionPolicies that take
 * params (one binding each, params by name and by selector), on one thread. Counts policy
 * evaluations (one policy, binding and param applied to one resource) per second, cold (the run
 * that compiles every expression) and warm, and how many expressions were compiled: each distinct
 * expression once per run. The kyverno CLI, the tool people use for this, is a Go binary that is
 * not installable here, so there is no competitor in this run; the target is absolute
 * (≥ 20,000 evaluations per second).
 *
 *   npx -y -p node@24 -- node --import tsx bench/policies.ts
 */
import { performance } from "node:perf_hooks";
import { PolicySet } from "kubezod/apiserver";
import { median, table } from "./report.js";

type Obj = Record<string, unknown>;

const RESOURCES = Number(process.env.RESOURCES ?? 1_000);
const POLICIES = Number(process.env.POLICIES ?? 20);
const ROUNDS = Number(process.env.ROUNDS ?? 7);

function deployment(i: number): Obj {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: `app-${i}`, namespace: `team-${i % 10}`, labels: { app: "web", tier: i % 3 ? "backend" : "frontend", "app.kubernetes.io/instance": `app-${i}` } },
    spec: {
      replicas: i % 50 === 7 ? 9 : 1 + (i % 4),
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: {
          containers: [
            { name: "app", image: `registry.example.com/app:${i % 20}.0`, resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } }, ports: [{ containerPort: 8080 }] },
            { name: "sidecar", image: "registry.example.com/proxy:1.2", resources: { limits: { memory: "64Mi" } } },
          ],
          securityContext: { runAsNonRoot: true },
        },
      },
    },
  };
}

/** Twenty realistic checks, each reading its limits from a params ConfigMap. */
const CHECKS: Array<{ expression: string; message?: string; messageExpression?: string }> = [
  { expression: "object.spec.replicas <= int(params.data.maxReplicas)", messageExpression: "'at most ' + params.data.maxReplicas + ' replicas'" },
  { expression: "object.spec.template.spec.containers.all(c, c.image.startsWith(params.data.registry))", message: "images come from the registry" },
  { expression: "object.spec.template.spec.containers.all(c, has(c.resources) && has(c.resources.limits) && 'memory' in c.resources.limits)", message: "memory limits" },
  { expression: "object.spec.template.spec.containers.all(c, !has(c.resources.limits) || !('memory' in c.resources.limits) || quantity(c.resources.limits.memory).compareTo(quantity(params.data.maxMemory)) <= 0)", message: "memory limit too high" },
  { expression: "has(object.metadata.labels) && params.data.requiredLabel in object.metadata.labels", messageExpression: "'missing label ' + params.data.requiredLabel" },
  { expression: "object.metadata.name.matches(params.data.namePattern)", message: "name pattern" },
  { expression: "object.spec.template.spec.securityContext.?runAsNonRoot.orValue(false) == (params.data.nonRoot == 'true')", message: "runAsNonRoot" },
  { expression: "!object.spec.template.spec.containers.exists(c, c.image.endsWith(':latest'))", message: "no latest tags" },
  { expression: "size(object.spec.template.spec.containers) <= int(params.data.maxContainers)", message: "too many containers" },
  { expression: "object.spec.template.spec.containers.all(c, !has(c.ports) || c.ports.all(p, p.containerPort >= int(params.data.minPort)))", message: "privileged port" },
  { expression: "object.metadata.namespace in params.data.namespaces.split(',')", message: "namespace not allowed" },
  { expression: "!has(object.spec.template.spec.hostNetwork) || object.spec.template.spec.hostNetwork == false", message: "no host network" },
  { expression: "object.spec.template.spec.containers.map(c, c.name).all(n, n.size() <= int(params.data.maxNameLength))", message: "container names too long" },
  { expression: "object.metadata.labels.tier in ['frontend', 'backend'] && params.data.tiers.contains(object.metadata.labels.tier)", message: "tier" },
  { expression: "object.spec.template.spec.containers.all(c, !has(c.resources.requests) || !('cpu' in c.resources.requests) || quantity(c.resources.requests.cpu).isLessThan(quantity(params.data.maxCpu)))", message: "cpu request too high" },
  { expression: "object.spec.selector.matchLabels.all(k, object.spec.template.metadata.labels[k] == object.spec.selector.matchLabels[k])", message: "selector matches template" },
  { expression: "!has(object.metadata.annotations) || !('forbidden' in object.metadata.annotations)", message: "forbidden annotation" },
  { expression: "object.spec.template.spec.containers.filter(c, c.name == params.data.sidecar).size() <= 1", message: "one sidecar" },
  { expression: "object.metadata.name.size() + object.metadata.namespace.size() < int(params.data.maxFullName)", message: "name too long" },
  { expression: "object.spec.replicas >= int(params.data.minReplicas)", message: "too few replicas" },
];

function inputs(): Obj[] {
  const out: Obj[] = [];
  for (let p = 0; p < POLICIES; p++) {
    const check = CHECKS[p % CHECKS.length]!;
    const name = `policy-${p}`;
    out.push({
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingAdmissionPolicy",
      metadata: { name },
      spec: {
        failurePolicy: "Fail",
        paramKind: { apiVersion: "v1", kind: "ConfigMap" },
        matchConstraints: { resourceRules: [{ apiGroups: ["apps"], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["deployments"] }] },
        validations: [check],
      },
    });
    // Half the bindings name their params, half select them by label.
    const byName = p % 2 === 0;
    out.push({
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingAdmissionPolicyBinding",
      metadata: { name: `${name}-binding` },
      spec: {
        policyName: name,
        validationActions: ["Deny"],
        paramRef: byName ? { name: "limits", namespace: "policy-params", parameterNotFoundAction: "Deny" } : { namespace: "policy-params", selector: { matchLabels: { policy: name } }, parameterNotFoundAction: "Deny" },
      },
    });
    if (!byName) out.push(params(`limits-${p}`, { policy: name }));
  }
  out.push(params("limits", {}));
  return out;
}

function params(name: string, labels: Record<string, string>): Obj {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: "policy-params", labels },
    data: {
      maxReplicas: "5",
      registry: "registry.example.com/",
      maxMemory: "1Gi",
      requiredLabel: "app",
      namePattern: "^[a-z0-9-]+$",
      nonRoot: "true",
      maxContainers: "4",
      minPort: "1024",
      namespaces: Array.from({ length: 10 }, (_, i) => `team-${i}`).join(","),
      maxNameLength: "20",
      tiers: "frontend,backend",
      maxCpu: "2",
      sidecar: "sidecar",
      maxFullName: "60",
      minReplicas: "1",
    },
  };
}

const resources = Array.from({ length: RESOURCES }, (_, i) => deployment(i));
const policyInputs = inputs();
const resourceOf = (apiVersion: string, kind: string) => (kind === "ConfigMap" ? { resource: "configmaps", namespaced: true } : kind === "Deployment" ? { resource: "deployments", namespaced: true } : undefined);

function run(): { ms: number; evaluations: number; denied: number } {
  const set = new PolicySet(policyInputs, { minor: 36, resourceOf });
  let denied = 0;
  const start = performance.now();
  for (const object of resources) {
    const r = set.admit({ operation: "CREATE", object, resource: "deployments", namespaced: true, userInfo: { username: "ci" } });
    if (r.denied) denied++;
  }
  return { ms: performance.now() - start, evaluations: RESOURCES * POLICIES, denied };
}

const cold = run();
const warm: number[] = [];
for (let i = 0; i < ROUNDS; i++) warm.push(run().ms);
const ms = median(warm);
const perSecond = (cold.evaluations / ms) * 1000;
table(
  ["run", "resources", "policies", "evaluations", "ms", "evaluations/s"],
  [
    ["cold (compiles)", String(RESOURCES), String(POLICIES), String(cold.evaluations), cold.ms.toFixed(1), ((cold.evaluations / cold.ms) * 1000).toFixed(0)],
    [`warm (median of ${ROUNDS})`, String(RESOURCES), String(POLICIES), String(cold.evaluations), ms.toFixed(1), perSecond.toFixed(0)],
  ],
);
console.log(`\ndenied: ${cold.denied} of ${RESOURCES} resources (the corpus breaks some rules on purpose)`);
console.log(`distinct expressions: ${new Set(CHECKS.flatMap((c) => [c.expression, c.messageExpression].filter(Boolean))).size}, each compiled once per run (cached by text and environment)`);
console.log(`target ≥ 20,000 evaluations/s: ${perSecond >= 20_000 ? "met" : "NOT met"} (${(perSecond / 20_000).toFixed(2)}×)`);
