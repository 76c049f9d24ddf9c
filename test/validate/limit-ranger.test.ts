/**
 * LimitRanger admission in the validator: Pods and claims in a namespace with LimitRanges among the
 * inputs are defaulted and checked as kube-apiserver's LimitRanger plugin does on a create; the
 * cases are those of its own tests (test/fixtures/limit-ranger).
 */
import { describe, expect, it } from "vitest";
import { validateManifests, type ValidateManifestsOptions } from "../../src/validate/validate-manifests.js";
import { poolSize } from "../../src/validate/parallel.js";
import { runCli } from "../support/cli.js";
import { CLAIM_ACCEPTED, CLAIM_REFUSED, POD_ACCEPTED, POD_REFUSED, POD_REFUSED_UNDEFAULTED, VALID_LIMIT_RANGE, type LimitCase } from "../fixtures/limit-ranger/admission-cases.js";

const RULE = "admission/limit-ranger";
const refused = (name: string) => POD_REFUSED.find((c) => c.name === name)!;
const accepted = (name: string) => POD_ACCEPTED.find((c) => c.name === name)!;

function limitRange(c: LimitCase, namespace = "test") {
  const item = { type: c.type, ...(c.min ? { min: c.min } : {}), ...(c.max ? { max: c.max } : {}), ...(c.ratio ? { maxLimitRequestRatio: c.ratio } : {}) };
  return { apiVersion: "v1", kind: "LimitRange", metadata: { name: "abc", namespace }, spec: { limits: [item] } };
}

const resources = (c: LimitCase) => ({ ...(Object.keys(c.requests).length ? { requests: c.requests } : {}), ...(c.limits ? { limits: c.limits } : {}) });

/** `validPod(name, n, resources)`: n containers `foo-<i>` of image `foo:V<i>`. */
/** `namespace` "" for none. */
function pod(c: LimitCase, namespace = "test"): Record<string, unknown> & { spec: Record<string, unknown> } {
  const containers = Array.from({ length: c.containers ?? 1 }, (_, i) => ({ name: `foo-${i}`, image: `foo:V${i}`, resources: resources(c) }));
  return { apiVersion: "v1", kind: "Pod", metadata: { name: c.name, ...(namespace ? { namespace } : {}) }, spec: { containers } };
}

function claim(c: LimitCase) {
  return { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: c.name, namespace: "test" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: c.requests } } };
}

async function findings(objects: Record<string, unknown>[], options: ValidateManifestsOptions = {}) {
  const report = await validateManifests(objects, { kubernetesVersion: "1.34", ...options });
  return report.results.flatMap((r) => r.issues.filter((i) => i.rule === RULE).map((i) => ({ kind: r.kind, name: r.name, severity: i.severity, message: i.message })));
}

describe("LimitRanger in kubezod validate", () => {
  const tables = [
    ["pod", "TestPodLimitFunc", POD_ACCEPTED, POD_REFUSED, pod, "Pod", "pods"],
    ["claim", "TestPersistentVolumeClaimLimitFunc", CLAIM_ACCEPTED, CLAIM_REFUSED, claim, "PersistentVolumeClaim", "persistentvolumeclaims"],
  ] as const;
  for (const [what, source, accepts, refuses, make, kind, resource] of tables) {
    it.each(accepts.map((c) => [c.name, c] as const))(`accepts the ${what} of ${source} success case %s`, async (_name, c) => {
      expect(await findings([limitRange(c), make(c)])).toEqual([]);
    });

    it.each(refuses.map((c) => [c.name, c] as const))(`refuses the ${what} of ${source} error case %s`, async (_name, c) => {
      const found = await findings([limitRange(c), make(c)]);
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({ kind, severity: "error" });
      expect(found[0]!.message.startsWith(`${resource} "${c.name}" is forbidden: `)).toBe(true);
    });
  }

  it.each(POD_REFUSED_UNDEFAULTED.map((c) => [c.name, c] as const))("accepts the pod of TestPodLimitFunc error case %s under the LimitRange as kube-apiserver stores it", async (_name, c) => {
    expect(await findings([limitRange(c), pod(c)])).toEqual([]);
  });

  it("says what kube-apiserver says, in its words", async () => {
    const [minCpu, podMin, ratio] = [refused("ctr-min-cpu-request"), refused("pod-min-cpu-request"), refused("ctr-max-cpu-ratio")];
    expect((await findings([limitRange(minCpu), pod(minCpu)]))[0]!.message).toBe('pods "ctr-min-cpu-request" is forbidden: minimum cpu usage per Container is 50m, but request is 40m');
    expect((await findings([limitRange(podMin), pod(podMin)]))[0]!.message).toBe('pods "pod-min-cpu-request" is forbidden: minimum cpu usage per Pod is 100m, but request is 75m');
    expect((await findings([limitRange(ratio), pod(ratio)]))[0]!.message).toBe('pods "ctr-max-cpu-ratio" is forbidden: cpu max limit to request ratio per Container is 1, but provided ratio is 2.000000');
    const below = CLAIM_REFUSED[0]!;
    expect((await findings([limitRange(below), claim(below)]))[0]!.message).toBe('persistentvolumeclaims "pvc-below-min-storage-request" is forbidden: minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 500Mi');
  });

  it("applies the LimitRange's defaults before its limits (TestPodLimitFuncApplyDefault)", async () => {
    const empty = { name: "foo", requests: {}, type: "Container" as const };
    expect(await findings([VALID_LIMIT_RANGE, pod(empty)])).toEqual([]);
    // Two containers with the defaults (75m limit each) pass the Pod max of 200m; three do not.
    expect(await findings([VALID_LIMIT_RANGE, pod({ ...empty, containers: 2 })])).toEqual([]);
    // That rests on the defaults: a LimitRange not among the inputs may set smaller ones first.
    expect(await findings([VALID_LIMIT_RANGE, pod({ ...empty, containers: 3 })])).toEqual([
      { kind: "Pod", name: "foo", severity: "warning", message: 'pods "foo" is forbidden: maximum cpu usage per Pod is 200m, but limit is 225m (unless a LimitRange not among the inputs sets defaults for the values left out)' },
    ]);
  });

  it("reports a refusal that values left out decide as a warning: other LimitRanges may default them", async () => {
    const podMin = { name: "bare", requests: {}, type: "Pod" as const, min: { cpu: "100m" } };
    expect(await findings([limitRange(podMin), pod(podMin)])).toEqual([
      { kind: "Pod", name: "bare", severity: "warning", message: 'pods "bare" is forbidden: minimum cpu usage per Pod is 100m.  No request is specified (unless a LimitRange not among the inputs sets defaults for the values left out)' },
    ]);
    // One container of two names its request: the other's may still raise the total.
    const partial = pod({ ...refused("pod-min-cpu-request"), containers: 2 });
    (partial.spec.containers as Array<Record<string, unknown>>)[1]!.resources = {};
    expect((await findings([limitRange(refused("pod-min-cpu-request")), partial])).map((f) => f.severity)).toEqual(["warning"]);
    // A total over the max only grows with what other LimitRanges add.
    const over = refused("pod-max-cpu-limit");
    const overPartial = pod(over);
    (overPartial.spec.containers as Array<Record<string, unknown>>).push({ name: "bare", image: "foo" });
    expect((await findings([limitRange(over), overPartial])).map((f) => f.severity)).toEqual(["error"]);
  });

  it("copies a container's limits into its absent requests first, as Pod defaulting does", async () => {
    // A limit alone within min: the request defaulted from it is too (TestPodLimitFunc ctr-max-cpu-limit).
    const c = { name: "only-limit", requests: {}, limits: { cpu: "1" }, type: "Container" as const, min: { cpu: "500m" } };
    expect(await findings([limitRange(c), pod(c)])).toEqual([]);
  });

  it("reports a workload whose pods would be refused as a warning naming its template", async () => {
    const c = refused("ctr-max-mem-limit");
    const deployment = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: "test" },
      spec: { selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: pod(c).spec } },
    };
    const cron = {
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name: "nightly", namespace: "test" },
      spec: { schedule: "0 0 * * *", jobTemplate: { spec: { template: { spec: { ...pod(c).spec, restartPolicy: "Never" } } } } },
    };
    expect(await findings([limitRange(c), deployment, cron])).toEqual([
      { kind: "Deployment", name: "web", severity: "warning", message: "pods created from this template would be refused: maximum memory usage per Container is 1Gi, but limit is 2Gi" },
      { kind: "CronJob", name: "nightly", severity: "warning", message: "pods created from this template would be refused: maximum memory usage per Container is 1Gi, but limit is 2Gi" },
    ]);
    const fine = accepted("ctr-max-mem-limit");
    expect(await findings([limitRange(fine), { ...deployment, spec: { ...deployment.spec, template: { ...deployment.spec.template, spec: pod(fine).spec } } }])).toEqual([]);
  });

  it("says nothing of namespaces without LimitRanges among the inputs, and of updates of pods", async () => {
    const c = refused("ctr-min-cpu-request");
    expect(await findings([limitRange(c, "elsewhere"), pod(c)])).toEqual([]);
    expect(await findings([pod(c)])).toEqual([]);
    expect(await findings([limitRange(c), pod(c)], { previous: [pod(c)] })).toEqual([]);
  });

  it("puts objects without a namespace in the default namespace, or the one given", async () => {
    const c = refused("ctr-min-cpu-request");
    const bare = (o: Record<string, unknown>) => ({ ...o, metadata: { name: (o.metadata as { name: string }).name } });
    expect(await findings([bare(limitRange(c)), pod(c, "")])).toHaveLength(1);
    expect(await findings([bare(limitRange(c)), pod(c, "default")])).toHaveLength(1);
    expect(await findings([bare(limitRange(c)), pod(c, "test")])).toEqual([]);
    expect(await findings([bare(limitRange(c)), pod(c, "test")], { namespace: "test" })).toHaveLength(1);
    expect(await findings([limitRange(c), pod(c, "")], { namespace: "test" })).toHaveLength(1);
  });

  it("hands the LimitRanges to worker threads", async () => {
    const c = refused("ctr-min-cpu-request");
    const texts = [limitRange(c), pod(c), pod(c)].map((o, i) => ({ text: JSON.stringify(o), file: `${i}.json` }));
    const report = await validateManifests(texts, { kubernetesVersion: "1.34", workers: 1 });
    expect(poolSize()).toBeGreaterThan(0);
    expect(report.results.map((r) => r.issues.filter((i) => i.rule === RULE).length)).toEqual([0, 1, 1]);
  });

  it("finds LimitRanges in files read in turn, as in one file", async () => {
    const c = refused("ctr-min-cpu-request");
    const report = await validateManifests([{ text: JSON.stringify(pod(c)), file: "pod.json" }, { text: `apiVersion: v1\nkind: LimitRange\nmetadata: {name: abc, namespace: test}\nspec:\n  limits: [{type: Container, min: {cpu: 50m}}]\n`, file: "lr.yaml" }]);
    expect(report.results.flatMap((r) => r.issues.filter((i) => i.rule === RULE).map((i) => `${r.file}: ${i.message}`))).toEqual(['pod.json: pods "ctr-min-cpu-request" is forbidden: minimum cpu usage per Container is 50m, but request is 40m']);
  });

  it("kubezod validate reports them, with --namespace for objects that name none", async () => {
    const c = refused("ctr-min-cpu-request");
    const bare = (o: Record<string, unknown>) => JSON.stringify({ ...o, metadata: { name: (o.metadata as { name: string }).name } });
    const input = [bare(limitRange(c)), bare(pod(c))].join("\n---\n");
    const inDefault = await runCli(["validate", "-k", "1.34", "-"], { input });
    expect(inDefault.code).toBe(1);
    expect(inDefault.stdout).toContain('error Pod/ctr-min-cpu-request: pods "ctr-min-cpu-request" is forbidden: minimum cpu usage per Container is 50m, but request is 40m [admission/limit-ranger]');
    const elsewhere = await runCli(["validate", "-k", "1.34", "-n", "test", "-"], { input: [JSON.stringify(limitRange(c, "other")), bare(pod(c))].join("\n---\n") });
    expect(elsewhere.code).toBe(0);
    expect((await runCli(["validate", "--namespace", "Not_A_Label", "-"], { input })).code).toBe(2);
  });
});
