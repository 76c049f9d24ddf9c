/**
 * The kubelet's side of an in-place resize, pure: cases of pkg/kubelet/allocation's
 * TestHandlePodResourcesResize (a node with 4 cpus and 4Gi allocatable; Infeasible messages as
 * `canResizePod` writes them), `GetResourceRequest` with sidecars, and the sync that allocates,
 * then actuates.
 */
import { describe, expect, it } from "vitest";
import { admitted, podRequest, resizeBlocked, resizeConditions, statusResources, syncResize } from "../../src/testing/controllers/resize.js";

type Obj = Record<string, any>;

const node: Obj = { status: { allocatable: { cpu: "4", memory: "4Gi" } } };
const spec = (cpu: string, memory: string): Obj => ({ containers: [{ name: "c1", resources: { requests: { cpu, memory } } }] });

describe("canResizePod (TestHandlePodResourcesResize)", () => {
  it("Request CPU increase beyond node capacity - expect Infeasible", () => {
    expect(resizeBlocked(spec("5000m", "1000Mi"), node, [])).toEqual({ reason: "Infeasible", message: "Node didn't have enough capacity: cpu, requested: 5000, capacity: 4000" });
  });

  it("Request memory increase beyond node capacity - expect Infeasible", () => {
    expect(resizeBlocked(spec("1000m", "4500Mi"), node, [])).toEqual({ reason: "Infeasible", message: "Node didn't have enough capacity: memory, requested: 4718592000, capacity: 4294967296" });
  });

  it("a resize that fits beside the node's other pods goes ahead; one that does not is Deferred", () => {
    expect(resizeBlocked(spec("1500m", "1000Mi"), node, [[1000n, 0n]])).toBeUndefined();
    expect(resizeBlocked(spec("3500m", "1000Mi"), node, [[1000n, 0n]])?.reason).toBe("Deferred");
  });
});

describe("GetResourceRequest", () => {
  it("adds sidecars to the containers and takes the largest init container with the sidecars started before it", () => {
    const pod: Obj = {
      initContainers: [
        { name: "s", restartPolicy: "Always", resources: { requests: { cpu: "100m" } } },
        { name: "i", resources: { requests: { cpu: "2" } } },
      ],
      containers: [{ name: "c", resources: { requests: { cpu: "500m" } } }],
      overhead: { cpu: "10m" },
    };
    expect(podRequest(pod, "cpu")).toBe(2110n);
  });
});

describe("syncResize", () => {
  it("allocates on one sync (PodResizeInProgress), actuates on the next", () => {
    const state = admitted(spec("100m", "128Mi"));
    expect(statusResources(state, "c1")).toEqual({ requests: { cpu: "100m", memory: "128Mi" } });
    expect(syncResize(state, spec("150m", "128Mi"), node, () => [], 0)).toBe(true);
    expect(resizeConditions(state).map((c) => c.type)).toEqual(["PodResizeInProgress"]);
    expect(statusResources(state, "c1")).toEqual({ requests: { cpu: "100m", memory: "128Mi" } });
    expect(syncResize(state, spec("150m", "128Mi"), node, () => [], 1000)).toBe(false);
    expect(resizeConditions(state)).toEqual([]);
    expect(statusResources(state, "c1")).toEqual({ requests: { cpu: "150m", memory: "128Mi" } });
  });

  it("restarts a container whose changed resource has the RestartContainer policy", () => {
    const withPolicy = (memory: string): Obj => ({ containers: [{ name: "c1", resizePolicy: [{ resourceName: "memory", restartPolicy: "RestartContainer" }], resources: { requests: { cpu: "100m", memory } } }] });
    const state = admitted(withPolicy("128Mi"));
    syncResize(state, { containers: [{ ...withPolicy("128Mi").containers[0], resources: { requests: { cpu: "200m", memory: "128Mi" } } }] }, node, () => [], 0);
    syncResize(state, { containers: [{ ...withPolicy("128Mi").containers[0], resources: { requests: { cpu: "200m", memory: "128Mi" } } }] }, node, () => [], 0);
    expect(state.restarts.get("c1")).toBeUndefined();
    syncResize(state, withPolicy("256Mi"), node, () => [], 0);
    syncResize(state, withPolicy("256Mi"), node, () => [], 0);
    expect(state.restarts.get("c1")).toBe(1);
  });

  it("leaves an infeasible resize pending and the allocation as it was", () => {
    const state = admitted(spec("100m", "128Mi"));
    expect(syncResize(state, spec("8", "128Mi"), node, () => [], 0)).toBe(false);
    expect(resizeConditions(state)).toMatchObject([{ type: "PodResizePending", status: "True", reason: "Infeasible" }]);
    expect(statusResources(state, "c1")).toEqual({ requests: { cpu: "100m", memory: "128Mi" } });
    syncResize(state, spec("100m", "128Mi"), node, () => [], 0);
    expect(resizeConditions(state)).toEqual([]);
  });
});
