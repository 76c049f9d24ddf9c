/**
 * A custom resource's `format: date` string, as kube-openapi's strfmt checks it: `IsDate` is
 * time.Parse("2006-01-02"), which takes only real days of real months (February 29 only in leap
 * years), and the refusal reads `<path> in body must be of type date: "<value>"`.
 */
import { describe, expect, it } from "vitest";
import { validateManifests } from "../../src/validate/index.js";

const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: things.example.com}
spec:
  group: example.com
  names: {kind: Thing, plural: things}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              d: {type: string, format: date}
`;

const thing = (name: string, d: string) => `---\napiVersion: example.com/v1\nkind: Thing\nmetadata: {name: ${name}, namespace: default}\nspec: {d: "${d}"}\n`;

describe("custom resources: format date", () => {
  it("takes real days and refuses others as kube-apiserver words it", async () => {
    const days = [["leap", "2020-02-29"], ["not-leap", "2021-02-29"], ["april-31", "2021-04-31"], ["year-end", "1999-12-31"], ["month-13", "2021-13-01"]];
    const report = await validateManifests({ file: "t.yaml", text: CRD + days.map(([n, d]) => thing(n!, d!)).join("") });
    const got = report.results.slice(1).map((r) => [r.name, r.issues.map((i) => i.message)]);
    expect(got).toEqual([
      ["leap", []],
      ["not-leap", ['spec.d: Invalid value: "2021-02-29": spec.d in body must be of type date: "2021-02-29"']],
      ["april-31", ['spec.d: Invalid value: "2021-04-31": spec.d in body must be of type date: "2021-04-31"']],
      ["year-end", []],
      ["month-13", ['spec.d: Invalid value: "2021-13-01": spec.d in body must be of type date: "2021-13-01"']],
    ]);
  });
});
