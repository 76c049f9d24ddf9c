/**
 * smpDiff (two-way), smpThreeWay (what `kubectl apply` sends, with its conflict check) and
 * jsonPatchToSmp: the patches carry what the issue asks for, and applying them gives the target.
 */
import { describe, expect, it } from "vitest";
import { applySmp, jsonPatchDiff, jsonPatchToSmp, PatchConflictError, PatchError, pathOf, smpDiff, smpThreeWay } from "../../src/index.js";
import { Deployment } from "#schemas/v1.32/apps/v1.js";
import { PodDisruptionBudget } from "#schemas/v1.32/policy/v1.js";
import { hasKubectl, kubectlPatch, needsKubectl, scratchFile } from "./kubectl.js";
import { loadObject } from "./smp-fixtures.js";

type Dep = ReturnType<typeof loadObject> & {
  metadata: { labels: Record<string, string>; finalizers: string[]; annotations?: Record<string, string> };
  spec: { replicas?: number; template: { spec: { containers: { name: string; image: string; env?: { name: string; value?: string }[] }[]; volumes: Record<string, unknown>[] } } };
};

const base = () => loadObject("deployment") as Dep;

describe("smpDiff", () => {
  it("is empty when nothing changed", () => {
    expect(smpDiff(Deployment, base(), base())).toEqual({});
  });

  it("deletes by merge key and orders the list", () => {
    const m = base();
    m.spec.template.spec.containers.shift();
    const patch = smpDiff(Deployment, base(), m);
    expect(patch).toEqual({
      spec: { template: { spec: { containers: [{ name: "web", $patch: "delete" }], "$setElementOrder/containers": [{ name: "sidecar" }] } } },
    });
    expect(applySmp(Deployment, base(), patch)).toEqual(m);
  });

  it("sends changed items with their merge key, and $setElementOrder when the order changes", () => {
    const m = base();
    m.spec.template.spec.containers.reverse();
    (m.spec.template.spec.containers[1] as { image: string }).image = "nginx:1.27";
    const patch = smpDiff(Deployment, base(), m);
    expect(patch).toEqual({
      spec: { template: { spec: { containers: [{ name: "web", image: "nginx:1.27" }], "$setElementOrder/containers": [{ name: "sidecar" }, { name: "web" }] } } },
    });
    expect(applySmp(Deployment, base(), patch)).toEqual(m);
  });

  it("uses $deleteFromPrimitiveList for merging lists of scalars", () => {
    const m = base();
    m.metadata.finalizers = ["example.com/a", "example.com/c"];
    const patch = smpDiff(Deployment, base(), m);
    expect(patch.metadata).toEqual({
      finalizers: ["example.com/c"],
      "$deleteFromPrimitiveList/finalizers": ["example.com/b"],
      "$setElementOrder/finalizers": ["example.com/a", "example.com/c"],
    });
    expect(applySmp(Deployment, base(), patch)).toEqual(m);
  });

  it("adds $retainKeys where the schema asks for it", () => {
    const m = base();
    m.spec.template.spec.volumes[0] = { name: "config", secret: { secretName: "s" } };
    const patch = smpDiff(Deployment, base(), m);
    expect(patch).toEqual({
      spec: {
        template: {
          spec: {
            volumes: [{ name: "config", configMap: null, secret: { secretName: "s" }, $retainKeys: ["name", "secret"] }],
            "$setElementOrder/volumes": [{ name: "config" }, { name: "cache" }],
          },
        },
      },
    });
    expect(applySmp(Deployment, base(), patch)).toEqual(m);
  });

  it("sends a field with the replace strategy whole", () => {
    const pdb = loadObject("poddisruptionbudget");
    const m = structuredClone(pdb) as { spec: { minAvailable?: number } };
    m.spec.minAvailable = 2;
    expect(smpDiff(PodDisruptionBudget, pdb, m)).toEqual({ spec: { minAvailable: 2, selector: { matchLabels: { app: "web", tier: "frontend" } } } });
  });

  it("keeps only changes under picked paths", () => {
    const m = base();
    m.spec.replicas = 9;
    m.metadata.labels.tier = "backend";
    (m.spec.template.spec.containers[1] as { image: string }).image = "busybox:2";
    const paths = [pathOf(Deployment, (o) => o.spec.template.spec.containers[1].image, base())];
    const patch = smpDiff(Deployment, base(), m, { paths });
    expect(patch).toEqual({
      spec: { template: { spec: { containers: [{ name: "sidecar", image: "busybox:2" }], "$setElementOrder/containers": [{ name: "web" }, { name: "sidecar" }] } } },
    });
  });

  it("reports Kubernetes' error for list items without their merge key", () => {
    const m = base();
    delete (m.spec.template.spec.containers[0] as { name?: string }).name;
    expect(() => smpDiff(Deployment, base(), m)).toThrow(PatchError);
  });
});

describe("smpThreeWay", () => {
  // The last applied configuration, the new one, and the live object (with server-set fields and an injected container).
  const lastApplied = () => {
    const o = base();
    delete o.metadata.annotations;
    return o;
  };
  const live = () => {
    const o = lastApplied() as Dep & { status?: unknown };
    o.metadata.labels["injected"] = "yes";
    o.spec.template.spec.containers.push({ name: "istio-proxy", image: "proxy:1" });
    (o.spec.template.spec.containers[0] as Record<string, unknown>).terminationMessagePath = "/dev/termination-log";
    o.status = { replicas: 3 };
    return o;
  };

  it("changes what the configuration changed, deletes what it dropped, keeps what others set", () => {
    const next = lastApplied();
    next.spec.replicas = 5;
    delete (next.metadata.labels as Record<string, string>).tier;
    next.spec.template.spec.containers = next.spec.template.spec.containers.filter((c) => c.name !== "sidecar");
    const patch = smpThreeWay(Deployment, lastApplied(), next, live());
    expect(patch).toEqual({
      metadata: { labels: { tier: null } },
      spec: {
        replicas: 5,
        template: { spec: { containers: [{ name: "sidecar", $patch: "delete" }], "$setElementOrder/containers": [{ name: "web" }] } },
      },
    });
    const applied = applySmp(Deployment, live(), patch) as Dep & { status: unknown };
    expect(applied.metadata.labels).toEqual({ app: "web", injected: "yes" });
    expect(applied.spec.replicas).toBe(5);
    expect(applied.spec.template.spec.containers.map((c) => c.name)).toEqual(["web", "istio-proxy"]);
    expect(applied.status).toEqual({ replicas: 3 });
  });

  // The live list has an item the configuration lacks, so the order of the configuration's items is sent (as kubectl does).
  const order = { template: { spec: { "$setElementOrder/containers": [{ name: "web" }, { name: "sidecar" }] } } };

  it("without a last-applied configuration, deletes nothing", () => {
    const patch = smpThreeWay(Deployment, undefined, lastApplied(), live());
    expect(patch).toEqual({ spec: order });
    expect(applySmp(Deployment, live(), patch)).toEqual(live());
  });

  it("throws PatchConflictError when the live object changed a field the patch changes, unless overwrite", () => {
    const next = lastApplied();
    next.spec.replicas = 5;
    const scaled = live();
    scaled.spec.replicas = 7;
    expect(() => smpThreeWay(Deployment, lastApplied(), next, scaled)).toThrow(PatchConflictError);
    try {
      smpThreeWay(Deployment, lastApplied(), next, scaled);
    } catch (e) {
      const err = e as PatchConflictError;
      expect(err.patch).toEqual({ spec: { replicas: 5, ...order } });
      expect(err.changes).toMatchObject({ spec: { replicas: 7 } });
      expect(err.message).toMatch(/^patch:\nspec:\n  replicas: 5\n[^]*\nconflicts with changes made from original to current:\n[^]*  replicas: 7\n/);
    }
    expect(smpThreeWay(Deployment, lastApplied(), next, scaled, { overwrite: true })).toEqual({ spec: { replicas: 5, ...order } });
    // Both sides changing a field to the same value is no conflict.
    expect(smpThreeWay(Deployment, lastApplied(), next, { ...scaled, spec: { ...scaled.spec, replicas: 5 } })).toEqual({ spec: order });
  });

  it.skipIf(!hasKubectl)(`kubectl applies the three-way patch to the live object the same way${needsKubectl}`, async () => {
    const next = lastApplied();
    next.spec.replicas = 5;
    next.metadata.finalizers = ["example.com/a"];
    next.spec.template.spec.containers[0]!.env = [{ name: "A", value: "9" }];
    const patch = smpThreeWay(Deployment, lastApplied(), next, live());
    const answer = await kubectlPatch(scratchFile("three-way-live.json", live()), patch);
    expect(answer).toEqual({ result: applySmp(Deployment, live(), patch) });
  });
});

describe("jsonPatchToSmp", () => {
  it("turns index paths into keyed items, removals into $patch: delete, reorders into $setElementOrder", () => {
    const o = base();
    expect(jsonPatchToSmp(Deployment, o, [{ op: "replace", path: "/spec/template/spec/containers/1/image", value: "busybox:2" }])).toEqual({
      spec: { template: { spec: { containers: [{ name: "sidecar", image: "busybox:2" }], "$setElementOrder/containers": [{ name: "web" }, { name: "sidecar" }] } } },
    });
    expect(jsonPatchToSmp(Deployment, o, [{ op: "remove", path: "/spec/template/spec/containers/0" }])).toEqual({
      spec: { template: { spec: { containers: [{ name: "web", $patch: "delete" }], "$setElementOrder/containers": [{ name: "sidecar" }] } } },
    });
    expect(jsonPatchToSmp(Deployment, o, [{ op: "move", from: "/spec/template/spec/containers/1", path: "/spec/template/spec/containers/0" }])).toEqual({
      spec: { template: { spec: { "$setElementOrder/containers": [{ name: "sidecar" }, { name: "web" }] } } },
    });
    expect(jsonPatchToSmp(Deployment, o, [{ op: "remove", path: "/metadata/finalizers/0" }])).toEqual({
      metadata: { "$deleteFromPrimitiveList/finalizers": ["example.com/b"], "$setElementOrder/finalizers": ["example.com/a"] },
    });
  });

  it("sends lists without a merge key whole and maps member by member", () => {
    const o = base();
    expect(jsonPatchToSmp(Deployment, o, [
      { op: "remove", path: "/spec/template/spec/tolerations/0" },
      { op: "add", path: "/metadata/labels/x", value: "1" },
      { op: "remove", path: "/metadata/labels/tier" },
    ])).toEqual({ metadata: { labels: { x: "1", tier: null } }, spec: { template: { spec: { tolerations: [{ key: "k2", operator: "Equal", value: "v" }] } } } });
  });

  it("checks test operations against the original", () => {
    expect(() => jsonPatchToSmp(Deployment, base(), [{ op: "test", path: "/spec/replicas", value: 1 }])).toThrow(/testing value \/spec\/replicas failed|the value differs/);
    expect(jsonPatchToSmp(Deployment, base(), [{ op: "test", path: "/spec/replicas", value: 3 }])).toEqual({});
  });

  it("follows a restricted diff: only the picked change is sent", () => {
    const m = base();
    m.spec.replicas = 1;
    (m.spec.template.spec.containers[0] as { image: string }).image = "nginx:2";
    const ops = jsonPatchDiff(base(), m, { schema: Deployment, paths: [pathOf(Deployment, (o) => o.spec.template.spec.containers[0].image, base())] });
    expect(jsonPatchToSmp(Deployment, base(), ops)).toEqual({
      spec: { template: { spec: { containers: [{ name: "web", image: "nginx:2" }], "$setElementOrder/containers": [{ name: "web" }, { name: "sidecar" }] } } },
    });
  });
});
