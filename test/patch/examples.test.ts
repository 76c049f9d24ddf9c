/**
 * The README's patching example runs and does what it says.
 */
import { describe, expect, it } from "vitest";
import { main } from "../../examples/patch.js";

describe("examples/patch.ts", () => {
  it("computes, applies, converts and restricts patches", () => {
    const out = main() as Record<string, any>;
    expect(out.patch).toEqual({
      spec: {
        replicas: 3,
        template: { spec: { "$setElementOrder/containers": [{ name: "web" }], containers: [{ name: "web", image: "nginx:1.27" }, { name: "log-shipper", $patch: "delete" }] } },
      },
    });
    expect(out.result.spec.template.spec.containers).toEqual([{ name: "web", image: "nginx:1.27" }]);
    expect(out.ops).toEqual([
      { op: "replace", path: "/spec/replicas", value: 3 },
      { op: "remove", path: "/spec/template/spec/containers/0" },
      { op: "replace", path: "/spec/template/spec/containers/0/image", value: "nginx:1.27" },
    ]);
    expect(out.guarded[0]).toEqual({ op: "test", path: "/metadata/resourceVersion", value: "42" });
    expect(out.converted).toEqual(out.patch);
    expect(out.image).toBe("spec.template.spec.containers[name=web].image");
    expect(out.imageOnly).toEqual({ spec: { template: { spec: { "$setElementOrder/containers": [{ name: "log-shipper" }, { name: "web" }], containers: [{ name: "web", image: "nginx:1.27" }] } } } });
  });
});
