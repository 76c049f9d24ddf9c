/**
 * Workload (scheduling.k8s.io v1alpha1 in 1.35, v1alpha2 in 1.36) and PodGroup (v1alpha2):
 * TestValidateWorkload / TestValidateWorkloadUpdate of pkg/apis/scheduling/validation, with its
 * `mkWorkload` fixture, and the PodGroup strategy (status kept out of spec writes).
 */
import { describe, expect, it } from "vitest";
import { validateWrite } from "../../../src/apiserver/index.js";
import { formatFieldError } from "../../../src/meta/index.js";

type Obj = Record<string, unknown>;

const SUBDOMAIN = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

/** `mkWorkload` of validation_test.go, in the 1.35 (`v1alpha1`) or 1.36 (`v1alpha2`) shape. */
function mkWorkload(minor: 35 | 36, tweak: (spec: Obj, groups: Obj[]) => void = () => {}): Obj {
  const policy = minor === 35 ? "policy" : "schedulingPolicy";
  const groups: Obj[] = [
    { name: "group1", [policy]: { basic: {} } },
    { name: "group2", [policy]: { gang: { minCount: 2 } } },
  ];
  const spec: Obj = { controllerRef: { apiGroup: "group", kind: "foo", name: "baz" }, [minor === 35 ? "podGroups" : "podGroupTemplates"]: groups };
  tweak(spec, groups);
  return { apiVersion: `scheduling.k8s.io/${minor === 35 ? "v1alpha1" : "v1alpha2"}`, kind: "Workload", metadata: { name: "workload", namespace: "ns", resourceVersion: "1" }, spec };
}
const errorsOf = (obj: Obj, minor: number, old?: Obj): string[] => validateWrite(obj, { minor, ...(old ? { old } : {}) }).errors.map(formatFieldError);

describe("Workload, 1.35 v1alpha1 (TestValidateWorkload)", () => {
  it("accepts the fixture, without a controllerRef, and without its apiGroup", () => {
    expect(errorsOf(mkWorkload(35), 35)).toEqual([]);
    expect(errorsOf(mkWorkload(35, (s) => delete s.controllerRef), 35)).toEqual([]);
    expect(errorsOf(mkWorkload(35, (s) => delete (s.controllerRef as Obj).apiGroup), 35)).toEqual([]);
  });

  it.each<[string, (s: Obj, g: Obj[]) => void, string[]]>([
    ["invalid controllerRef apiGroup", (s) => ((s.controllerRef as Obj).apiGroup = ".group"), [`spec.controllerRef.apiGroup: Invalid value: ".group": ${SUBDOMAIN}`]],
    ["no controllerRef kind", (s) => ((s.controllerRef as Obj).kind = ""), ["spec.controllerRef.kind: Required value"]],
    ["invalid controllerRef kind", (s) => ((s.controllerRef as Obj).kind = "/foo"), ["spec.controllerRef.kind: Invalid value: \"/foo\": may not contain '/'"]],
    ["no controllerRef name", (s) => delete (s.controllerRef as Obj).name, ["spec.controllerRef.name: Required value"]],
    ["no pod group name", (_s, g) => (g[0]!.name = ""), ["spec.podGroups[0].name: Required value"]],
    ["two policies", (_s, g) => ((g[0]!.policy as Obj).gang = { minCount: 2 }), ["spec.podGroups[0].policy: Invalid value: \"{`basic`, `gang`}\": exactly one of `basic`, `gang` is required, but multiple fields are set"]],
    ["no policy set", (_s, g) => (g[0]!.policy = {}), ['spec.podGroups[0].policy: Invalid value: "": must specify one of: `basic`, `gang`']],
    ["zero min count in gang", (_s, g) => (((g[1]!.policy as Obj).gang as Obj).minCount = 0), ["spec.podGroups[1].policy.gang.minCount: Required value"]],
    ["negative min count in gang", (_s, g) => (((g[1]!.policy as Obj).gang as Obj).minCount = -1), ["spec.podGroups[1].policy.gang.minCount: Invalid value: -1: must be greater than zero"]],
    ["two pod groups with the same name", (_s, g) => (g[1]!.name = "group1"), ['spec.podGroups[1]: Duplicate value: {"name":"group1","policy":{"gang":{"minCount":2}}}']],
    ["no pod groups", (s) => delete s.podGroups, ["spec.podGroups: Required value: must have at least one item"]],
    [
      "too many pod groups",
      (s) => (s.podGroups = Array.from({ length: 9 }, (_, i) => ({ name: `group-${i}`, policy: { basic: {} } }))),
      ["spec.podGroups: Too many: 9: must have at most 8 items"],
    ],
  ])("%s", (_name, tweak, expected) => {
    expect(errorsOf(mkWorkload(35, tweak), 35)).toEqual(expected);
  });

  it("checks the name as a DNS subdomain", () => {
    const w = mkWorkload(35);
    (w.metadata as Obj).name = ".workload";
    expect(errorsOf(w, 35)).toEqual([`metadata.name: Invalid value: ".workload": ${SUBDOMAIN}`]);
  });
});

describe("Workload updates (TestValidateWorkloadUpdate)", () => {
  it("allows no change, and setting a controllerRef that was unset", () => {
    expect(errorsOf(mkWorkload(35), 35, mkWorkload(35))).toEqual([]);
    expect(errorsOf(mkWorkload(35), 35, mkWorkload(35, (s) => delete s.controllerRef))).toEqual([]);
  });

  it.each<[string, (s: Obj, g: Obj[]) => void]>([
    ["change pod group name", (_s, g) => (g[0]!.name = "group1bar")],
    ["add pod group", (s, g) => (s.podGroups = [...g, { name: "group3", policy: { basic: {} } }])],
    ["delete pod group", (s, g) => (s.podGroups = g.slice(0, 1))],
    ["change gang min count", (_s, g) => (((g[1]!.policy as Obj).gang as Obj).minCount = 5)],
  ])("refuses: %s", (_name, tweak) => {
    const errs = errorsOf(mkWorkload(35, tweak), 35, mkWorkload(35));
    expect(errs.length).toBe(1);
    expect(errs[0]).toMatch(/^spec\.podGroups: Invalid value: .*: field is immutable$/);
  });

  it("refuses changing or removing a set controllerRef", () => {
    expect(errorsOf(mkWorkload(35, (s) => ((s.controllerRef as Obj).kind = "foobar")), 35, mkWorkload(35))).toEqual([
      'spec.controllerRef: Invalid value: {"apiGroup":"group","kind":"foobar","name":"baz"}: field is immutable',
    ]);
    expect(errorsOf(mkWorkload(35, (s) => delete s.controllerRef), 35, mkWorkload(35))).toEqual(['spec.controllerRef: Invalid value: "null": field is immutable']);
  });
});

describe("Workload, 1.36 v1alpha2", () => {
  it("checks podGroupTemplates with their schedulingPolicy, duplicates reported by name", () => {
    expect(errorsOf(mkWorkload(36), 36)).toEqual([]);
    expect(errorsOf(mkWorkload(36, (_s, g) => (g[1]!.name = "group1")), 36)).toEqual(['spec.podGroupTemplates[1]: Duplicate value: "group1"']);
    expect(errorsOf(mkWorkload(36, (_s, g) => (g[0]!.schedulingPolicy = {})), 36)).toEqual(['spec.podGroupTemplates[0].schedulingPolicy: Invalid value: "": must specify one of: `basic`, `gang`']);
    expect(errorsOf(mkWorkload(36, (s) => (s.podGroupTemplates = [])), 36)).toEqual(["spec.podGroupTemplates: Required value: must have at least one item"]);
  });

  it("keeps the templates immutable", () => {
    const errs = errorsOf(mkWorkload(36, (_s, g) => (g[0]!.name = "other")), 36, mkWorkload(36));
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatch(/^spec\.podGroupTemplates: Invalid value: .*: field is immutable$/);
  });
});

describe("PodGroup, 1.36 v1alpha2", () => {
  const pg = (spec: Obj, status?: Obj): Obj => ({
    apiVersion: "scheduling.k8s.io/v1alpha2",
    kind: "PodGroup",
    metadata: { name: "pg-0", namespace: "ns", resourceVersion: "1" },
    spec,
    ...(status ? { status } : {}),
  });
  const gang = { schedulingPolicy: { gang: { minCount: 4 } }, podGroupTemplateRef: { workload: { workloadName: "training", podGroupTemplateName: "workers" } } };

  it("accepts a gang group made from a Workload template, and clears a status written with the spec", () => {
    const r = validateWrite(pg(gang, { conditions: [{ type: "bad type!" }] }), { minor: 36 });
    expect(r.errors).toEqual([]);
    expect(r.object.status).toBeUndefined();
  });

  it("checks the policy and the template reference", () => {
    expect(errorsOf(pg({ schedulingPolicy: { basic: {}, gang: { minCount: 1 } } }), 36)).toEqual([
      "spec.schedulingPolicy: Invalid value: \"{`basic`, `gang`}\": exactly one of `basic`, `gang` is required, but multiple fields are set",
    ]);
    expect(errorsOf(pg({ schedulingPolicy: { basic: {} }, podGroupTemplateRef: { workload: { workloadName: "Training" } } }), 36)).toEqual([
      `spec.podGroupTemplateRef.workload.workloadName: Invalid value: "Training": ${SUBDOMAIN}`,
      "spec.podGroupTemplateRef.workload.podGroupTemplateName: Required value",
    ]);
  });

  it("keeps the policy and the template reference on update", () => {
    expect(errorsOf(pg({ ...gang, schedulingPolicy: { gang: { minCount: 5 } } }), 36, pg(gang))).toEqual(['spec.schedulingPolicy: Invalid value: {"gang":{"minCount":5}}: field is immutable']);
  });

  it("checks status conditions and resource claim statuses on the status subresource", () => {
    const claims = { ...gang, resourceClaims: [{ name: "gpu", resourceClaimTemplateName: "gpus" }] };
    const cond = { type: "PodGroupScheduled", status: "True", reason: "Scheduled", lastTransitionTime: "2026-01-01T00:00:00Z" };
    const ok = validateWrite(pg(claims, { conditions: [cond], resourceClaimStatuses: [{ name: "gpu", resourceClaimName: "pg-0-gpu" }] }), { minor: 36, old: pg(claims), subresource: "status" });
    expect(ok.errors).toEqual([]);
    const bad = validateWrite(pg(claims, { conditions: [{ ...cond, status: "Yes" }], resourceClaimStatuses: [{ name: "tpu" }] }), { minor: 36, old: pg(claims), subresource: "status" });
    expect(bad.errors.map(formatFieldError)).toEqual([
      'status.conditions[0].status: Unsupported value: "Yes": supported values: "False", "True", "Unknown"',
      'status.resourceClaimStatuses[0].name: Invalid value: "tpu": must match the name of an entry in `spec.resourceClaims`',
    ]);
  });
});
