/**
 * The workload groups (apps, batch, autoscaling, policy) beyond the fixture cases: what the
 * strategies write into the stored object, errors whose Go rendering of the bad value cannot be
 * reproduced (checked on path, type and detail), the cron and duration parsers, and the value
 * printing helpers.
 */
import { describe, expect, it } from "vitest";
import { validateWrite } from "../../src/apiserver/index.js";
import { formatFieldError } from "../../src/meta/index.js";
import { cronScheduleError, parseDurationError } from "../../src/apiserver/batch/cron.js";
import { isKnownTimeZone } from "../../src/apiserver/batch/timezone.js";
import { badValue, goJSON, labelSelectorValue, parseLabelSelector, quantityValue, semanticEqual } from "../../src/apiserver/validation/index.js";

type Obj = Record<string, unknown>;

const job = (spec: Obj, meta: Obj = {}): Obj => ({
  apiVersion: "batch/v1",
  kind: "Job",
  metadata: { name: "work", namespace: "default", ...meta },
  spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "main", image: "busybox" }] } }, ...spec },
});

describe("Job strategy", () => {
  it("generates the selector and the legacy and prefixed labels, with a stable UID", () => {
    const a = validateWrite(job({}), { minor: 36 });
    const b = validateWrite(job({}), { minor: 36 });
    expect(a.errors).toEqual([]);
    const o = a.object as { metadata: Obj; spec: { selector: { matchLabels: Obj }; template: { metadata: { labels: Obj } }; manualSelector: boolean } };
    const uid = o.metadata.uid as string;
    expect(uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect((b.object.metadata as Obj).uid).toBe(uid);
    expect(o.spec.selector.matchLabels).toEqual({ "batch.kubernetes.io/controller-uid": uid });
    expect(o.spec.template.metadata.labels).toEqual({ "job-name": "work", "batch.kubernetes.io/job-name": "work", "controller-uid": uid, "batch.kubernetes.io/controller-uid": uid });
    expect(o.spec.manualSelector).toBe(false);
    expect(o.metadata.generation).toBe(1);
  });

  it("keeps a UID the server already assigned and refuses labels that contradict the generated ones", () => {
    const { errors } = validateWrite(job({ template: { metadata: { labels: { "job-name": "other" } }, spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox" }] } } }, { uid: "u-1" }), { minor: 28 });
    expect(errors.map((e) => [e.field, e.type, e.message])).toEqual([["spec.template.metadata.labels[job-name]", "FieldValueInvalid", "must be 'work'"]]);
  });

  it("defaults the pod replacement policy from 1.29 and leaves it out before", () => {
    expect((validateWrite(job({}), { minor: 28 }).object.spec as Obj).podReplacementPolicy).toBeUndefined();
    expect((validateWrite(job({}), { minor: 29 }).object.spec as Obj).podReplacementPolicy).toBe("TerminatingOrFailed");
  });

  const running = job({ manualSelector: true, selector: { matchLabels: { app: "w" } }, template: { metadata: { labels: { app: "w" } }, spec: { restartPolicy: "Never", containers: [{ name: "main", image: "busybox:1" }] } } }, { uid: "u-2" });
  const withImage = (image: string, spec: Obj = {}): Obj => {
    const o = structuredClone(running);
    Object.assign(o.spec as Obj, spec);
    (((o.spec as Obj).template as Obj).spec as { containers: Obj[] }).containers[0]!.image = image;
    return o;
  };

  it("refuses a new pod template (the value is Go's rendering of the internal template, not reproduced)", () => {
    for (const minor of [28, 36]) {
      const { errors } = validateWrite(withImage("busybox:2"), { minor, old: running });
      expect(errors.map((e) => [e.field, e.type, e.message])).toEqual([["spec.template", "FieldValueInvalid", "field is immutable"]]);
    }
  });

  it("lets a suspended Job change resources only where MutablePodResourcesForSuspendedJobs is on (1.36)", () => {
    const old = withImage("busybox:1", { suspend: true });
    const next = structuredClone(old);
    (((next.spec as Obj).template as Obj).spec as { containers: Obj[] }).containers[0]!.resources = { requests: { cpu: "2" } };
    expect(validateWrite(next, { minor: 36, old }).errors).toEqual([]);
    expect(validateWrite(next, { minor: 35, old }).errors.map((e) => e.field)).toEqual(["spec.template"]);
  });

  it("refuses a parallelism that leaves completions unset where they were defaulted", () => {
    const scaled = structuredClone(running);
    (scaled.spec as Obj).parallelism = 4;
    expect(validateWrite(scaled, { minor: 36, old: running }).errors.map(formatFieldError)).toEqual(["spec.completions: Invalid value: null: field is immutable"]);
  });

  it("bumps the generation when the spec changes and keeps the stored status", () => {
    const old: Obj = { ...structuredClone(running), status: { active: 1 } };
    (old.spec as Obj).completions = 1;
    (old.metadata as Obj).generation = 3;
    const scaled = structuredClone(old);
    delete scaled.status;
    (scaled.spec as Obj).parallelism = 4;
    const r = validateWrite(scaled, { minor: 36, old });
    expect(r.errors).toEqual([]);
    expect((r.object.metadata as Obj).generation).toBe(4);
    expect(r.object.status).toEqual({ active: 1 });
    expect((validateWrite(structuredClone(old), { minor: 36, old }).object.metadata as Obj).generation).toBe(3);
  });

  it("warns about names that are not DNS labels", () => {
    expect(validateWrite(job({}, { name: "report.v2" }), { minor: 36 }).warnings[0]).toMatch(/^metadata\.name: this is used in Pod names and hostnames/);
  });
});

describe("apps strategies", () => {
  const sts = {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: "db", namespace: "default" },
    spec: {
      selector: { matchLabels: { app: "db" } },
      template: { metadata: { labels: { app: "db" } }, spec: { containers: [{ name: "db", image: "postgres" }] } },
      volumeClaimTemplates: [{ metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } }],
    },
  };

  it("defaults StatefulSets by minor and their claim templates", () => {
    const spec28 = validateWrite(sts, { minor: 28 }).object.spec as Obj;
    const spec36 = validateWrite(sts, { minor: 36 }).object.spec as Obj;
    expect(spec28.updateStrategy).toEqual({ type: "RollingUpdate", rollingUpdate: { partition: 0 } });
    expect(spec36.updateStrategy).toEqual({ type: "RollingUpdate", rollingUpdate: { partition: 0, maxUnavailable: 1 } });
    expect(spec36.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: "Retain", whenScaled: "Retain" });
    const claim = (spec36.volumeClaimTemplates as Obj[])[0]!;
    expect(claim.status).toEqual({ phase: "Pending" });
    expect((claim.spec as Obj).volumeMode).toBe("Filesystem");
    expect(validateWrite(sts, { minor: 36 }).object.status).toEqual({ replicas: 0, availableReplicas: 0 });
  });

  it("accepts a StatefulSet replaced by a manifest without the defaults the stored object carries", () => {
    const stored = validateWrite(sts, { minor: 36 }).object;
    expect(validateWrite(sts, { minor: 36, old: stored }).errors).toEqual([]);
    expect(validateWrite(sts, { minor: 28, old: validateWrite(sts, { minor: 28 }).object }).errors).toEqual([]);
  });

  it("bumps a Deployment's generation for annotation changes too", () => {
    const d = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "w", namespace: "d", generation: 1 }, spec: { selector: { matchLabels: { a: "b" } }, template: { metadata: { labels: { a: "b" } }, spec: { containers: [{ name: "c", image: "i" }] } } } };
    const annotated = { ...d, metadata: { ...d.metadata, annotations: { "kubernetes.io/change-cause": "x" } } };
    expect((validateWrite(annotated, { minor: 36, old: d }).object.metadata as Obj).generation).toBe(2);
    expect((validateWrite(d, { minor: 36, old: d }).object.metadata as Obj).generation).toBe(1);
  });

  it("orders a DaemonSet's selector immutability before the spec errors from 1.34 and after before", () => {
    const ds = (selector: Obj, restartPolicy?: string): Obj => ({
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: { name: "a", namespace: "d" },
      spec: { selector: { matchLabels: selector }, template: { metadata: { labels: { app: "a", x: "y" } }, spec: { restartPolicy, containers: [{ name: "c", image: "i" }] } } },
    });
    const old = ds({ app: "a" });
    const next = ds({ app: "a", x: "y" }, "Never");
    expect(validateWrite(next, { minor: 28, old }).errors.map((e) => e.field)).toEqual(["spec.template.spec.restartPolicy", "spec.selector"]);
    expect(validateWrite(next, { minor: 36, old }).errors.map((e) => e.field)).toEqual(["spec.selector", "spec.template.spec.restartPolicy"]);
  });
});

describe("HorizontalPodAutoscaler defaults", () => {
  it("fills the CPU target and complete scaling rules (v2)", () => {
    const hpa = { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", metadata: { name: "h", namespace: "d" }, spec: { scaleTargetRef: { kind: "Deployment", name: "w" }, maxReplicas: 3, behavior: { scaleDown: { stabilizationWindowSeconds: 60 } } } };
    const spec = validateWrite(hpa, { minor: 36 }).object.spec as Obj;
    expect(spec.minReplicas).toBe(1);
    expect(spec.metrics).toEqual([{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } } }]);
    expect(spec.behavior).toEqual({
      scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: "Max", policies: [{ type: "Pods", value: 4, periodSeconds: 15 }, { type: "Percent", value: 100, periodSeconds: 15 }] },
      scaleDown: { selectPolicy: "Max", policies: [{ type: "Percent", value: 100, periodSeconds: 15 }], stabilizationWindowSeconds: 60 },
    });
  });

  it("drops tolerances until HPAConfigurableTolerance is on (1.35)", () => {
    const hpa = { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", metadata: { name: "h", namespace: "d" }, spec: { scaleTargetRef: { kind: "Deployment", name: "w" }, maxReplicas: 3, behavior: { scaleUp: { tolerance: "0.05" } } } };
    const rules = (minor: number) => ((validateWrite(hpa, { minor }).object.spec as { behavior: { scaleUp: Obj } }).behavior.scaleUp);
    expect(rules(34).tolerance).toBeUndefined();
    expect(rules(35).tolerance).toBe("0.05");
  });
});

describe("cron schedules (robfig/cron ParseStandard)", () => {
  it.each([
    ["0 * * * *", undefined],
    ["*/5 1,3-5 ? JAN,jul sun-sat", undefined],
    ["@midnight", undefined],
    ["@every 90s", undefined],
    ["", "empty spec string"],
    ["* * * * * *", "expected exactly 5 fields, found 6: [* * * * * *]"],
    ["0 24 * * *", "end of range (24) above maximum (23): 24"],
    ["0 0 0 * *", "beginning of range (0) below minimum (1): 0"],
    ["0 0 * 13 *", "end of range (13) above maximum (12): 13"],
    ["0 0 * * FOO", 'failed to parse int from FOO: strconv.Atoi: parsing "FOO": invalid syntax'],
    ["5-2 * * * *", "beginning of range (5) beyond end of range (2): 5-2"],
    ["1-2-3 * * * *", "too many hyphens: 1-2-3"],
    ["*/2/3 * * * *", "too many slashes: */2/3"],
    ["*/0 * * * *", "step of range should be a positive number: */0"],
    ["@yearlyish", "unrecognized descriptor: @yearlyish"],
    ["TZ=Nowhere/City 0 * * * *", "provided bad location Nowhere/City: unknown time zone Nowhere/City"],
  ])("%j", (schedule, error) => {
    expect(cronScheduleError(schedule)).toBe(error);
  });

  it("parses Go durations", () => {
    expect(parseDurationError("1h2m3.5s")).toBeUndefined();
    expect(parseDurationError("-300ms")).toBeUndefined();
    expect(parseDurationError("1x")).toBe('time: unknown unit "x" in duration "1x"');
    expect(parseDurationError("")).toBe('time: invalid duration ""');
    expect(parseDurationError("h")).toBe('time: invalid duration "h"');
  });

  it("knows time zone names as Go loads them, case-sensitively", () => {
    expect(isKnownTimeZone("Asia/Tokyo")).toBe(true);
    expect(isKnownTimeZone("US/Pacific")).toBe(true);
    expect(isKnownTimeZone("asia/tokyo")).toBe(false);
    expect(isKnownTimeZone("Mars/Olympus")).toBe(false);
  });
});

describe("values and selectors", () => {
  it("prints composite values as Go did before 1.34 and as JSON since", () => {
    expect(labelSelectorValue(28, { matchLabels: { b: "2", a: "1" } })).toBe('v1.LabelSelector{MatchLabels:map[string]string{"a":"1", "b":"2"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}');
    expect(labelSelectorValue(34, { matchLabels: { b: "2", a: "1" } })).toBe('{"matchLabels":{"a":"1","b":"2"}}');
    expect(goJSON({ html: "<&>" })).toBe('{"html":"\\u003c\\u0026\\u003e"}');
    expect(badValue(33, () => "go", 1)).toBe("go");
    expect(quantityValue(28, "-10")).toBe('resource.Quantity{i:resource.int64Amount{value:-10, scale:0}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"-10", Format:"DecimalSI"}');
    expect(quantityValue(28, "-1.5")).toBe('resource.Quantity{i:resource.int64Amount{value:-15, scale:-1}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"", Format:"DecimalSI"}');
    expect(quantityValue(36, "-1.5", "-1500m")).toBe('"-1500m"');
  });

  it("matches label selectors as labels.Selector does", () => {
    const s = parseLabelSelector({ matchLabels: { app: "web" }, matchExpressions: [{ key: "tier", operator: "NotIn", values: ["db"] }, { key: "canary", operator: "DoesNotExist" }] })!;
    expect(s.matches({ app: "web" })).toBe(true);
    expect(s.matches({ app: "web", tier: "db" })).toBe(false);
    expect(s.matches({ app: "web", canary: "" })).toBe(false);
    expect(parseLabelSelector({ matchExpressions: [{ key: "a", operator: "In", values: [] }] })).toBeUndefined();
    expect(parseLabelSelector({})!.empty).toBe(true);
    expect(parseLabelSelector(undefined)!.matches({})).toBe(false);
  });

  it("compares as apimachinery's semantic equality", () => {
    expect(semanticEqual({ a: [], b: null }, {})).toBe(true);
    expect(semanticEqual({ requests: { cpu: "500m" } }, { requests: { cpu: "0.5" } }, true)).toBe(true);
    expect(semanticEqual({ stdin: false }, {}, true)).toBe(true);
    expect(semanticEqual({ stdin: false }, {})).toBe(false);
    expect(semanticEqual([1, 2], [2, 1])).toBe(false);
    expect(semanticEqual({ a: { b: "x" } }, { a: { b: "y" } })).toBe(false);
  });
});

describe("error text", () => {
  it("prints an omitted value as Go does", () => {
    const { errors } = validateWrite(job({ podFailurePolicy: { rules: [{ action: "Ignore" }] } }), { minor: 36 });
    expect(errors.map(formatFieldError)).toEqual(["spec.podFailurePolicy.rules[0]: Invalid value: specifying one of OnExitCodes and OnPodConditions is required"]);
  });
});

describe("status writes", () => {
  it("refuses counters that are negative, above the replicas or decremented", async () => {
    const { kindRules, apiContext } = await import("../../src/apiserver/index.js");
    const ctx = apiContext({ minor: 36, operation: "UPDATE" });
    const d = kindRules("apps", "Deployment")!;
    const errs = d.validateStatusUpdate!({ status: { replicas: 2, readyReplicas: 3, availableReplicas: -1, collisionCount: 1 } }, { status: { collisionCount: 2 } }, ctx);
    expect(errs.map(formatFieldError)).toEqual([
      "status.availableReplicas: Invalid value: -1: must be greater than or equal to 0",
      "status.readyReplicas: Invalid value: 3: cannot be greater than status.replicas",
      "status.collisionCount: Invalid value: 1: cannot be decremented",
    ]);
    const job = kindRules("batch", "Job")!;
    expect(job.validateStatusUpdate!({ status: { active: -1, uncountedTerminatedPods: { succeeded: ["a"], failed: ["a", ""] } } }, {}, ctx).map(formatFieldError)).toEqual([
      "status.active: Invalid value: -1: must be greater than or equal to 0",
      'status.uncountedTerminatedPods.failed[0]: Duplicate value: "a"',
      'status.uncountedTerminatedPods.failed[1]: Invalid value: "": must not be empty',
    ]);
  });
});

describe("DaemonSet template generation", () => {
  it("starts at 1 and grows with each new template, in the annotation apps/v1 keeps it in", () => {
    const ds = { apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "a", namespace: "d" }, spec: { selector: { matchLabels: { a: "b" } }, template: { metadata: { labels: { a: "b" } }, spec: { containers: [{ name: "c", image: "i:1" }] } } } };
    const created = validateWrite(ds, { minor: 36 }).object;
    const annotation = (o: Obj) => ((o.metadata as Obj).annotations as Obj)["deprecated.daemonset.template.generation"];
    expect(annotation(created)).toBe("1");
    const next = structuredClone(created);
    ((((next.spec as Obj).template as Obj).spec as Obj).containers as Obj[])[0]!.image = "i:2";
    expect(annotation(validateWrite(next, { minor: 36, old: created }).object)).toBe("2");
    expect(annotation(validateWrite(structuredClone(created), { minor: 36, old: created }).object)).toBe("1");
  });
});
