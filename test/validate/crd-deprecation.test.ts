import { describe, expect, it } from "vitest";
import { validateManifests } from "../../src/validate/index.js";

const text = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
  - {name: v1alpha1, served: true, storage: false, deprecated: true, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}
  - {name: v1beta1, served: true, storage: false, deprecated: true, deprecationWarning: "example.com/v1beta1 Widget goes away in 2027", schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}
  - {name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}
---
apiVersion: example.com/v1alpha1
kind: Widget
metadata: {name: a, namespace: default}
---
apiVersion: example.com/v1beta1
kind: Widget
metadata: {name: b, namespace: default}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: c, namespace: default}
`;

// The warning kube-apiserver sends for a deprecated CRD version (customresource_handler.go) is
// reported as api/deprecated on the apiVersion, and the resource stays valid.
describe("deprecated versions of a custom resource", () => {
  it("are warned about with the CRD's warning, or apiextensions-apiserver's default", async () => {
    const report = await validateManifests({ file: "m.yaml", text }, { kubernetesVersion: "1.33" });
    const widgets = report.results.filter((r) => r.kind === "Widget");
    expect(widgets.map((r) => r.status)).toEqual(["valid", "valid", "valid"]);
    expect(widgets.map((r) => r.issues.map((i) => [i.rule, i.severity, i.message, i.line]))).toEqual([
      [["api/deprecated", "warning", "example.com/v1alpha1 Widget is deprecated; use example.com/v1 Widget", 13]],
      [["api/deprecated", "warning", "example.com/v1beta1 Widget goes away in 2027", 17]],
      [],
    ]);
  });
});
