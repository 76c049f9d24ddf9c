import { describe, expect, it } from "vitest";
import { crdDeprecationWarnings } from "../../../src/apiserver/apiextensions/deprecation.js";
import { compareVersions } from "../../../src/apiserver/served.js";

type Version = { name: string; served: boolean; deprecated?: boolean; deprecationWarning?: string };
const crd = (versions: Version[]) => ({ spec: { group: "example.com", names: { kind: "Widget" }, versions } });

// apiextensions-apiserver customresource_handler_test.go, Test_defaultDeprecationWarning: the
// version asked about is marked deprecated here (the Go function takes it as an argument).
describe("crdDeprecationWarnings (defaultDeprecationWarning)", () => {
  it("no replacement", () => {
    const w = crdDeprecationWarnings(crd([{ name: "v1", served: true, deprecated: true }, { name: "v2", served: true, deprecated: true }, { name: "v3", served: false }]));
    expect(w.get("example.com/v1")).toBe("example.com/v1 Widget is deprecated");
  });

  it("replacement sorting", () => {
    const names = ["v1alpha1", "v1alpha2", "v1beta1", "v1beta2", "v2", "v2alpha1", "v2alpha2", "v2beta1", "v2beta2"];
    const unserved = ["v3", "v3alpha1", "v3alpha2", "v3beta1", "v3beta2"];
    const w = crdDeprecationWarnings(crd([{ name: "v1", served: true, deprecated: true }, ...names.map((name) => ({ name, served: true })), ...unserved.map((name) => ({ name, served: false }))]));
    expect(w.get("example.com/v1")).toBe("example.com/v1 Widget is deprecated; use example.com/v2 Widget");
  });

  it("no newer replacement of equal stability", () => {
    const w = crdDeprecationWarnings(
      crd([
        { name: "v1", served: true },
        { name: "v2", served: true, deprecated: true },
        { name: "v3", served: false },
        { name: "v3alpha1", served: true },
        { name: "v3beta1", served: true },
        { name: "v4", served: true, deprecated: true },
      ]),
    );
    expect(w.get("example.com/v2")).toBe("example.com/v2 Widget is deprecated");
  });

  it("takes the version's own deprecationWarning, and an empty one says nothing", () => {
    const w = crdDeprecationWarnings(crd([{ name: "v1beta1", served: true, deprecated: true, deprecationWarning: "going away" }, { name: "v1alpha1", served: true, deprecated: true, deprecationWarning: "" }, { name: "v1", served: true }]));
    expect(w.get("example.com/v1beta1")).toBe("going away");
    expect(w.has("example.com/v1alpha1")).toBe(false);
    expect(w.has("example.com/v1")).toBe(false);
  });

  it("orders versions as CompareKubeAwareVersionStrings (its documented order)", () => {
    const order = ["v10", "v2", "v1", "v11beta2", "v10beta3", "v3beta1", "v12alpha1", "v11alpha2", "foo1", "foo10"];
    expect([...order].reverse().sort(compareVersions)).toEqual(order);
  });
});
