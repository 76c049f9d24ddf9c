/**
 * kube-apiserver decodes a built-in object into its Go type: a field the OpenAPI document marks
 * required is its zero value when absent, and only the kind's native validation decides, at the
 * internal type's field path. The schema's `required` is never reported on its own for built-in
 * kinds — neither a second time under the versioned path nor where kube-apiserver accepts.
 */
import { describe, expect, it } from "vitest";
import { validateManifests } from "../../src/validate/index.js";

const crd = (conversion: string) => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  conversion:
${conversion}
  versions:
  - {name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}
`;

async function errors(text: string, kubernetesVersion = "1.36"): Promise<string[]> {
  const report = await validateManifests({ file: "m.yaml", text }, { kubernetesVersion });
  return report.results.flatMap((r) => r.issues.filter((i) => i.severity === "error").map((i) => `${i.message} [${i.rule}]`));
}

describe("required fields of built-in kinds", () => {
  it("a webhook conversion without conversionReviewVersions: one error, at the internal path (validateConversionReviewVersions)", async () => {
    const text = crd(`    strategy: Webhook
    webhook:
      clientConfig: {url: "https://example.com/convert"}`);
    expect(await errors(text)).toEqual(["spec.conversion.conversionReviewVersions: Required value [native/required]"]);
  });

  it("a webhook conversion without its webhook: each internal field once (validateCustomResourceConversion)", async () => {
    expect(await errors(crd("    strategy: Webhook"))).toEqual([
      "spec.conversion.webhookClientConfig: Required value: required when strategy is set to Webhook [native/required]",
      "spec.conversion.conversionReviewVersions: Required value [native/required]",
    ]);
  });

  it("a StatefulSet without serviceName at 1.28, which ValidateStatefulSetSpec never required", async () => {
    const text = `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: default}
spec:
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: db, image: postgres:16}]
`;
    expect(await errors(text, "1.28")).toEqual([]);
  });

  it("a required field the native rules check is reported once, by them (ValidateContainers)", async () => {
    const text = `apiVersion: v1
kind: Pod
metadata: {name: p, namespace: default}
spec:
  containers: [{image: nginx}]
`;
    expect(await errors(text)).toEqual(["spec.containers[0].name: Required value [native/required]"]);
  });

  it("custom resources keep the schema's required (the apiextensions-apiserver checks it)", async () => {
    const text = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gizmos.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: gizmos, singular: gizmo, kind: Gizmo}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, properties: {spec: {type: object, required: [size], properties: {size: {type: integer}}}}}}
---
apiVersion: example.com/v1
kind: Gizmo
metadata: {name: g, namespace: default}
spec: {}
`;
    expect(await errors(text)).toEqual(["spec.size: Required value [schema/required]"]);
  });
});
