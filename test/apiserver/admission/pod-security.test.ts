import { describe, expect, it } from "vitest";
import { CHECKS, admitPodSecurity, evaluatePodSecurity, forbiddenDetail, podSecurityEvaluator, policyFromLabels, type Check, type PodSecurityVersion } from "../../../src/apiserver/admission/pod-security/index.js";
import { CHECK_CASES } from "../../fixtures/pod-security/check-tables.js";
import { POD_CASES } from "../../fixtures/pod-security/testdata-pods.js";
import { REGISTRY_CASES } from "../../fixtures/pod-security/registry-cases.js";

type Obj = Record<string, unknown>;
const meta = (pod: Obj) => (pod.metadata ?? {}) as { name?: string; annotations?: Record<string, string> };
const spec = (pod: Obj) => (pod.spec ?? {}) as Obj;

function checkAt(id: string, minor: number) {
  const check = CHECKS.find((c) => c.id === id);
  const version = [...(check?.versions ?? [])].reverse().find((v) => v.minor <= minor);
  if (!version) throw new Error(`no check ${id} at 1.${minor}`);
  return version.check;
}

describe("Pod Security checks (policy/check_*_test.go tables)", () => {
  for (const c of CHECK_CASES) {
    it(`${c.check} 1.${c.minor}: ${c.name}`, () => {
      const r = checkAt(c.check, c.minor)((c.pod.metadata ?? {}) as { annotations?: Record<string, string> }, c.pod.spec);
      if (c.reason === undefined) expect(r).toEqual({ allowed: true });
      else expect(r).toEqual({ allowed: false, reason: c.reason, detail: c.detail ?? "" });
    });
  }
});

describe("Pod Security levels (test/testdata pods)", () => {
  for (const c of POD_CASES) {
    // The newest folders hold for the latest policy as well.
    const versions: PodSecurityVersion[] = c.minor >= 34 ? [{ minor: c.minor }, "latest"] : [{ minor: c.minor }];
    for (const version of versions) {
      const label = version === "latest" ? "latest" : `v1.${version.minor}`;
      it(`${c.source} ${c.expect}s at ${c.level}:${label}`, () => {
        const r = evaluatePodSecurity({ level: c.level, version }, meta(c.pod), spec(c.pod));
        expect(r.allowed, forbiddenDetail(r)).toBe(c.expect === "pass");
      });
    }
    if (c.expect === "pass" && c.level === "baseline") {
      it(`${c.source} passes privileged`, () => expect(evaluatePodSecurity({ level: "privileged", version: "latest" }, meta(c.pod), spec(c.pod)).allowed).toBe(true));
    }
  }
});

const plainPod = { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "x" }, spec: { containers: [{ name: "c", image: "nginx" }] } };
const RESTRICTED_PLAIN =
  'allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")';

describe("check order and overrides (policy/registry_test.go)", () => {
  const parse = (version: string): PodSecurityVersion => (version === "latest" ? "latest" : { minor: Number(version.slice(3)) });
  for (const c of REGISTRY_CASES) {
    const checks: Check[] = c.checks.map((check) => ({
      id: check.id,
      level: check.level,
      versions: check.versions.map((v) => ({ minor: Number(v.version.slice(3)), check: () => ({ allowed: false, reason: `${check.id}:${v.version}`, detail: "" }), ...(v.overrides ? { overrides: v.overrides } : {}) })),
    }));
    const evaluate = podSecurityEvaluator(checks);
    for (const e of c.expect) {
      it(`${c.name} ${e.level}:${e.version}`, () => expect(evaluate({ level: e.level, version: parse(e.version) }, {}, {}).reasons).toEqual(e.reasons));
    }
  }
});

describe("aggregated results", () => {
  it("orders baseline checks, then restricted ones, by id", () => {
    const r = evaluatePodSecurity({ level: "restricted", version: "latest" }, {}, spec(plainPod));
    expect(forbiddenDetail(r)).toBe(RESTRICTED_PLAIN);
  });

  it("lets a restricted check replace its baseline counterpart", () => {
    const pod = { containers: [{ name: "c", securityContext: { capabilities: { add: ["SYS_ADMIN"] } } }], volumes: [{ name: "h", hostPath: { path: "/" } }] };
    const r = evaluatePodSecurity({ level: "restricted", version: "latest" }, {}, pod);
    expect(r.reasons).not.toContain("non-default capabilities");
    expect(r.reasons).not.toContain("hostPath volumes");
    expect(r.reasons).toContain("restricted volume types");
    const baseline = evaluatePodSecurity({ level: "baseline", version: "latest" }, {}, pod);
    expect(baseline.reasons).toEqual(["non-default capabilities", "hostPath volumes"]);
  });

  it("has no restricted capabilities or seccomp requirement before they existed", () => {
    const old = evaluatePodSecurity({ level: "restricted", version: { minor: 18 } }, {}, spec(plainPod));
    expect(old.reasons).toEqual(["allowPrivilegeEscalation != false", "runAsNonRoot != true"]);
  });

  it("skips Linux-only restricted checks for Windows pods from 1.25", () => {
    const pod = { os: { name: "windows" }, securityContext: { runAsNonRoot: true }, containers: [{ name: "c" }] };
    expect(evaluatePodSecurity({ level: "restricted", version: { minor: 25 } }, {}, pod).allowed).toBe(true);
    expect(evaluatePodSecurity({ level: "restricted", version: { minor: 24 } }, {}, pod).allowed).toBe(false);
  });

  it("evaluates versions past the newest check as the newest", () => {
    const pod = { securityContext: { sysctls: [{ name: "net.ipv4.tcp_rmem", value: "1 2 3" }] }, containers: [{ name: "c" }] };
    expect(evaluatePodSecurity({ level: "baseline", version: { minor: 99 } }, {}, pod).allowed).toBe(true);
    expect(evaluatePodSecurity({ level: "baseline", version: { minor: 31 } }, {}, pod).allowed).toBe(false);
  });
});

describe("namespace labels", () => {
  it("defaults unset labels to privileged:latest", () => {
    const { policy, errors } = policyFromLabels({ "pod-security.kubernetes.io/enforce": "restricted" });
    expect(errors).toEqual([]);
    expect(policy.enforce).toEqual({ level: "restricted", version: "latest" });
    expect(policy.audit).toEqual({ level: "privileged", version: "latest" });
  });

  // kubernetes/kubernetes#113491 (1.26): an unset warn level follows a stricter enforce level.
  it("warns at the enforce level when warn is not labelled", () => {
    const labels = (l: Record<string, string>) => policyFromLabels(Object.fromEntries(Object.entries(l).map(([k, v]) => [`pod-security.kubernetes.io/${k}`, v]))).policy.warn;
    expect(labels({ enforce: "baseline", "enforce-version": "v1.20" })).toEqual({ level: "baseline", version: { minor: 20 } });
    expect(labels({ enforce: "baseline", "enforce-version": "v1.20", "warn-version": "v1.25" })).toEqual({ level: "baseline", version: { minor: 25 } });
    expect(labels({ enforce: "restricted", warn: "privileged" })).toEqual({ level: "privileged", version: "latest" });
    expect(labels({ enforce: "privileged" })).toEqual({ level: "privileged", version: "latest" });
  });

  it("reports invalid values, failing closed for enforce and open for warn and audit", () => {
    const { policy, errors } = policyFromLabels({ "pod-security.kubernetes.io/enforce": "bogus", "pod-security.kubernetes.io/warn": "bogus", "pod-security.kubernetes.io/audit-version": "1.25" });
    expect(policy.enforce.level).toBe("restricted");
    expect(policy.warn.level).toBe("privileged");
    expect(errors.map((e) => `${e.field}: ${e.message}`)).toEqual([
      "metadata.labels[pod-security.kubernetes.io/enforce]: must be one of privileged, baseline, restricted",
      'metadata.labels[pod-security.kubernetes.io/audit-version]: must be "latest" or "v1.x"',
      "metadata.labels[pod-security.kubernetes.io/warn]: must be one of privileged, baseline, restricted",
    ]);
  });
});

describe("the PodSecurity plugin", () => {
  const restricted = { "pod-security.kubernetes.io/enforce": "restricted" };
  const request = (over: Partial<Parameters<typeof admitPodSecurity>[0]>) => admitPodSecurity({ operation: "CREATE", group: "", resource: "pods", name: "p", namespace: "x", object: plainPod, ...over });

  it("refuses a pod its namespace's enforce level forbids", () => {
    expect(request({ namespaceLabels: restricted }).forbidden).toBe(`violates PodSecurity "restricted:latest": ${RESTRICTED_PLAIN}`);
  });

  it("warns by the warn level and records the audit level", () => {
    const out = request({ namespaceLabels: { "pod-security.kubernetes.io/warn": "restricted", "pod-security.kubernetes.io/audit": "baseline", "pod-security.kubernetes.io/warn-version": "v1.24" } });
    expect(out.forbidden).toBeUndefined();
    expect(out.warnings).toEqual([`would violate PodSecurity "restricted:v1.24": ${RESTRICTED_PLAIN}`]);
    expect(out.auditAnnotations).toEqual({ "pod-security.kubernetes.io/enforce-policy": "privileged:latest" });
  });

  it("admits pods of unlabelled namespaces", () => {
    expect(request({})).toEqual({ warnings: [], auditAnnotations: {} });
  });

  it("does not check pod updates that change no container, image or seccomp annotation", () => {
    const labelled = { ...plainPod, metadata: { ...plainPod.metadata, labels: { a: "b" } } };
    expect(request({ operation: "UPDATE", object: labelled, oldObject: plainPod, namespaceLabels: restricted }).forbidden).toBeUndefined();
    const newImage = { ...plainPod, spec: { containers: [{ name: "c", image: "nginx:2" }] } };
    expect(request({ operation: "UPDATE", object: newImage, oldObject: plainPod, namespaceLabels: restricted }).forbidden).toBeDefined();
    expect(request({ operation: "UPDATE", subresource: "status", object: newImage, oldObject: plainPod, namespaceLabels: restricted }).forbidden).toBeUndefined();
  });

  it("only warns about workload templates", () => {
    const deployment = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d" }, spec: { template: { metadata: {}, spec: spec(plainPod) } } };
    const out = request({ group: "apps", resource: "deployments", name: "d", object: deployment, namespaceLabels: { ...restricted, "pod-security.kubernetes.io/warn": "restricted" } });
    expect(out.forbidden).toBeUndefined();
    expect(out.warnings).toEqual([`would violate PodSecurity "restricted:latest": ${RESTRICTED_PLAIN}`]);
    const enforceOnly = request({ group: "apps", resource: "deployments", name: "d", object: deployment, namespaceLabels: restricted });
    expect(enforceOnly.warnings).toEqual(out.warnings);
    const privilegedWarn = request({ group: "apps", resource: "deployments", name: "d", object: deployment, namespaceLabels: { ...restricted, "pod-security.kubernetes.io/warn": "privileged" } });
    expect(privilegedWarn.warnings).toEqual([]);
    const cronJob = { spec: { jobTemplate: { spec: { template: { spec: spec(plainPod) } } } } };
    expect(request({ group: "batch", resource: "cronjobs", name: "c", object: cronJob, namespaceLabels: { "pod-security.kubernetes.io/warn": "baseline" } }).warnings).toEqual([]);
  });

  it("refuses invalid namespace labels, and changed ones on update", () => {
    const ns = (labels: Record<string, string>) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name: "x", labels } });
    const created = admitPodSecurity({ operation: "CREATE", group: "", resource: "namespaces", name: "x", object: ns({ "pod-security.kubernetes.io/enforce": "bogus" }) });
    expect(created.invalid?.map((e) => e.field)).toEqual(["metadata.labels[pod-security.kubernetes.io/enforce]"]);
    const unchanged = admitPodSecurity({ operation: "UPDATE", group: "", resource: "namespaces", name: "x", object: ns({ "pod-security.kubernetes.io/enforce": "bogus", a: "b" }), oldObject: ns({ "pod-security.kubernetes.io/enforce": "bogus" }) });
    expect(unchanged.invalid).toBeUndefined();
  });

  it("warns about existing pods when the enforce level is raised", () => {
    const pod = (name: string, extra: Obj = {}) => ({ metadata: { name }, spec: { containers: [{ name: "c" }], ...extra } });
    const pods = [pod("b"), pod("a"), pod("h", { hostNetwork: true }), pod("c"), pod("ok", { securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } }, containers: [{ name: "c", securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } }] })];
    const relabel = (from: Record<string, string>, to: Record<string, string>) =>
      admitPodSecurity({ operation: "UPDATE", group: "", resource: "namespaces", name: "x", object: { metadata: { name: "x", labels: to } }, oldObject: { metadata: { name: "x", labels: from } }, podsInNamespace: () => pods });
    const out = relabel({}, { "pod-security.kubernetes.io/enforce": "restricted" });
    expect(out.warnings).toEqual([
      'existing pods in namespace "x" violate the new PodSecurity enforce level "restricted:latest"',
      "a (and 2 other pods): allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, seccompProfile",
      "h: host namespaces, allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, seccompProfile",
    ]);
    const relaxed = relabel({ "pod-security.kubernetes.io/enforce": "restricted" }, { "pod-security.kubernetes.io/enforce": "baseline" });
    expect(relaxed.warnings).toEqual([]);
    const newVersion = relabel({ "pod-security.kubernetes.io/enforce": "restricted" }, { "pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/enforce-version": "v1.30" });
    expect(newVersion.warnings).toEqual(['existing pods in namespace "x" violate the new PodSecurity enforce level "baseline:v1.30"', "h: host namespaces"]);
  });
});
