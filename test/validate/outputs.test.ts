/**
 * What CI systems read from a run: JUnit XML that validates against the schemas they use, SARIF
 * with rule metadata, GitHub annotations, counts worded right, kustomize's own files skipped with
 * a reason, documents without a type reported as errors, and the same position for an issue in
 * every format.
 */
import { describe, expect, it } from "vitest";
import { formatReport, validateManifests } from "../../src/index.js";
import { describeRule, ruleIds } from "../../src/validate/rules.js";

interface Element {
  name: string;
  attributes: Record<string, string>;
  children: Element[];
}

/** A small XML reader for the report's own output: elements and attributes, comments and text ignored. */
function parseXml(text: string): Element {
  const root: Element = { name: "#document", attributes: {}, children: [] };
  const stack = [root];
  const body = text.replace(/<\?xml[^>]*\?>/, "").replace(/<!--[\s\S]*?-->/g, "");
  for (const m of body.matchAll(/<(\/?)([A-Za-z][\w-]*)((?:\s+[\w-]+="[^"]*")*)\s*(\/?)>/g)) {
    const [, close, name, attrs, selfClose] = m;
    if (close) {
      expect(stack.pop()!.name).toBe(name);
      continue;
    }
    const el: Element = { name: name!, attributes: Object.fromEntries([...attrs!.matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1]!, a[2]!])), children: [] };
    stack.at(-1)!.children.push(el);
    if (!selfClose) stack.push(el);
  }
  expect(stack).toHaveLength(1);
  return root.children[0]!;
}

/**
 * The elements and attributes both Jenkins' junit-10.xsd (xunit-plugin) and the older junit-4.xsd
 * allow, with the attributes each requires.
 */
const JUNIT: Record<string, { allowed: string[]; required: string[]; children: string[] }> = {
  testsuites: { allowed: ["name", "time", "tests", "failures", "errors"], required: [], children: ["testsuite"] },
  testsuite: { allowed: ["name", "tests", "failures", "errors", "time", "skipped", "timestamp", "hostname", "id", "package"], required: ["name", "tests", "failures", "errors"], children: ["properties", "testcase", "system-out", "system-err"] },
  testcase: { allowed: ["name", "time", "classname"], required: ["name"], children: ["skipped", "error", "failure", "system-out", "system-err"] },
  failure: { allowed: ["type", "message"], required: [], children: [] },
  error: { allowed: ["type", "message"], required: [], children: [] },
  // junit-4.xsd types <skipped> as a plain string: no attributes.
  skipped: { allowed: [], required: [], children: [] },
  "system-out": { allowed: [], required: [], children: [] },
};

function checkJunit(el: Element): void {
  const rule = JUNIT[el.name];
  expect(rule, `<${el.name}> is not in the JUnit schema`).toBeDefined();
  for (const a of Object.keys(el.attributes)) expect(rule!.allowed, `attribute ${a} of <${el.name}>`).toContain(a);
  for (const a of rule!.required) expect(el.attributes, `<${el.name}> needs ${a}`).toHaveProperty(a);
  for (const c of el.children) {
    expect(rule!.children, `<${c.name}> inside <${el.name}>`).toContain(c.name);
    checkJunit(c);
  }
}

const mixed = [
  { file: "k8s/app.yaml", text: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n---\nmetadata:\n  name: untyped\n---\napiVersion: example.com/v1\nkind: Gizmo\nmetadata:\n  name: g\n" },
  { file: "k8s/kustomization.yaml", text: "resources:\n- app.yaml\nnamePrefix: dev-\n" },
  { file: "k8s/component.yaml", text: "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources: []\n" },
];

describe("outputs for CI", () => {
  it("JUnit XML validates against junit-10.xsd and junit-4.xsd", async () => {
    const report = await validateManifests(mixed, { skip: ["Gizmo"] });
    const xml = formatReport(report, "junit");
    const root = parseXml(xml);
    expect(root.name).toBe("testsuites");
    checkJunit(root);
    expect(xml).toContain("<skipped>skipped by --skip</skipped>");
    expect(xml).toContain("<skipped>a kustomize configuration file, not a Kubernetes API object</skipped>");
  });

  it("kustomize's files are skipped with a reason; a document without apiVersion or kind is an error", async () => {
    const report = await validateManifests(mixed, { ignoreMissingSchemas: true });
    expect(report.results.map((r) => [r.file, r.name ?? null, r.status, r.reason ?? r.issues.map((i) => i.rule).join()])).toEqual([
      ["k8s/app.yaml", "Bad_Name", "invalid", "meta/name"],
      ["k8s/app.yaml", "ok", "valid", ""],
      ["k8s/app.yaml", "untyped", "error", "api/missing-type,api/missing-type"],
      ["k8s/app.yaml", "g", "skipped", "no schema for example.com/v1 Gizmo (--ignore-missing-schemas)"],
      ["k8s/kustomization.yaml", null, "skipped", "a kustomize configuration file, not a Kubernetes API object"],
      ["k8s/component.yaml", null, "skipped", "a kustomize configuration file, not a Kubernetes API object"],
    ]);
    expect(report.summary).toMatchObject({ resources: 6, valid: 1, invalid: 1, errors: 1, skipped: 3 });
    expect(report.valid).toBe(false);
  });

  it("configuration files of components and tools (kubelet, audit, kind, kubeconfig) are skipped with a reason; other unknown kinds stay errors", async () => {
    const report = await validateManifests([
      { file: "kubelet.yaml", text: "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nstaticPodPath: /etc/kubernetes/manifests\n" },
      { file: "audit.yaml", text: "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n" },
      { file: "kind.yaml", text: "apiVersion: kind.x-k8s.io/v1alpha4\nkind: Cluster\nnodes: [{ role: control-plane }]\n" },
      { file: "kubeconfig", text: "apiVersion: v1\nkind: Config\nclusters: []\n" },
      { file: "gizmo.yaml", text: "apiVersion: example.com/v1\nkind: Gizmo\nmetadata:\n  name: g\n" },
    ]);
    expect(report.results.map((r) => [r.file, r.status, r.reason ?? r.issues.map((i) => i.rule).join()])).toEqual([
      ["kubelet.yaml", "skipped", "a configuration file read by the kubelet, not a Kubernetes API object"],
      ["audit.yaml", "skipped", "a configuration file read by kube-apiserver (audit), not a Kubernetes API object"],
      ["kind.yaml", "skipped", "a configuration file read by kind, not a Kubernetes API object"],
      ["kubeconfig", "skipped", "a configuration file read by kubectl and clients (a kubeconfig), not a Kubernetes API object"],
      ["gizmo.yaml", "invalid", "api/unknown-kind"],
    ]);
  });

  it("counts are worded right: 1 error, 1 resource, 1 warning", async () => {
    const one = await validateManifests({ file: "x.yaml", text: "kind: ConfigMap\nmetadata:\n  name: a\n" });
    expect(formatReport(one, "text")).toContain("1 resource, 0 valid, 0 invalid, 1 error, 0 skipped in 1 file");
    expect(formatReport(one, "github").trimEnd().split("\n").at(-1)).toBe("1 resource, 0 valid, 0 invalid, 1 error, 0 skipped");
  });

  it("SARIF carries metadata for every rule it reports, and results point at their rule", async () => {
    const report = await validateManifests(mixed);
    const sarif = JSON.parse(formatReport(report, "sarif")) as {
      runs: Array<{ tool: { driver: { rules: Array<{ id: string; shortDescription: { text: string }; fullDescription: { text: string } }> } }; results: Array<{ ruleId: string; ruleIndex: number }> }>;
    };
    const run = sarif.runs[0]!;
    expect(run.results.length).toBeGreaterThan(0);
    for (const r of run.results) expect(run.tool.driver.rules[r.ruleIndex]!.id).toBe(r.ruleId);
    for (const rule of run.tool.driver.rules) {
      expect(rule.shortDescription.text).toBe(describeRule(rule.id)!.short);
      expect(rule.fullDescription.text.length).toBeGreaterThan(rule.shortDescription.text.length);
    }
  });

  it("every rule id has a description", () => {
    for (const id of ruleIds()) expect(describeRule(id), id).toBeDefined();
    expect(describeRule("native/unsupported")!.short).toMatch(/native validation/);
    expect(describeRule("update/invalid")!.short).toMatch(/update rule/);
  });

  it("every format gives an issue the same file:line:column", async () => {
    const report = await validateManifests({ file: "k8s/app.yaml", text: mixed[0]!.text });
    const issue = report.results[0]!.issues[0]!;
    expect([issue.rule, issue.line, issue.column]).toEqual(["meta/name", 4, 3]);
    expect(formatReport(report, "text")).toContain("k8s/app.yaml:4:3 error ConfigMap/Bad_Name: metadata.name: Invalid value");
    expect(formatReport(report, "github")).toContain("::error file=k8s/app.yaml,line=4,col=3,title=ConfigMap/Bad_Name [meta/name]::metadata.name");
    expect(formatReport(report, "junit")).toContain("k8s/app.yaml:4:3 error: metadata.name: Invalid value");
    const json = JSON.parse(formatReport(report, "json")) as { resources: Array<{ errors: Array<{ rule: string; line: number; column: number }> }> };
    expect(json.resources[0]!.errors[0]).toMatchObject({ rule: "meta/name", line: 4, column: 3 });
    const sarif = JSON.parse(formatReport(report, "sarif")) as { runs: Array<{ results: Array<{ locations: Array<{ physicalLocation: { region: unknown } }> }> }> };
    expect(sarif.runs[0]!.results[0]!.locations[0]!.physicalLocation.region).toEqual({ startLine: 4, startColumn: 3 });
  });
});
