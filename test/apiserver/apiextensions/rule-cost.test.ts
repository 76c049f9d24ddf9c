/**
 * The estimated cost of a CRD's validation rules on create (apiextensions validation.go
 * `getExpressionCost` / `getCostErrorMessage`, `StaticEstimatedCostLimit`, cel_validation.go's
 * cardinalities): a rule is refused past the limit with kube-apiserver's message, its cost
 * multiplied by how often its data may occur; the estimates themselves are compilation_test.go's
 * (test/fixtures/cel/crd-estimate-cases.ts).
 */
import { describe, expect, it } from "vitest";
import { validateWrite } from "../../../src/apiserver/index.js";
import { formatFieldError } from "../../../src/meta/index.js";

type Obj = Record<string, unknown>;

const crd = (spec: Obj): Obj => ({
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: "widgets.example.com" },
  spec: {
    group: "example.com",
    names: { kind: "Widget", plural: "widgets", singular: "widget", listKind: "WidgetList" },
    scope: "Namespaced",
    versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", properties: { spec } } } }],
  },
});

const errorsOf = (o: Obj, old?: Obj) => validateWrite(o, { minor: 36, ...(old ? { old } : {}) }).errors.map(formatFieldError);
const RULE_PATH = "spec.validation.openAPIV3Schema.properties[spec].x-kubernetes-validations[0]";
const HINT = "(try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)";
const CONTRIBUTED = "Forbidden: contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema";
const TOTAL = `spec.validation.openAPIV3Schema: Forbidden: x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema exceeds budget by factor of more than 100x ${HINT}`;

describe("CRD rule cost limits", () => {
  const list = (bounds: Obj = {}, item: Obj = {}) => ({ type: "array", ...bounds, items: { type: "string", ...item } });
  const quadratic = "self.items.all(a, self.items.all(b, a == b))";

  it("refuses an O(n²) rule over an unbounded list of unbounded strings", () => {
    // The rule alone also puts the schema's total over its limit (as kube-apiserver reports both).
    expect(errorsOf(crd({ type: "object", "x-kubernetes-validations": [{ rule: quadratic }], properties: { items: list() } }))).toEqual([
      `${RULE_PATH}.rule: Forbidden: estimated rule cost exceeds budget by factor of more than 100x ${HINT}`,
      `${RULE_PATH}.rule: ${CONTRIBUTED}`,
      TOTAL,
    ]);
  });

  it("accepts it once maxItems and maxLength bound the estimate", () => {
    expect(errorsOf(crd({ type: "object", "x-kubernetes-validations": [{ rule: quadratic }], properties: { items: list({ maxItems: 10 }, { maxLength: 10 }) } }))).toEqual([]);
  });

  it("holds messageExpression to the limit too", () => {
    const spec = { type: "object", "x-kubernetes-validations": [{ rule: "true", messageExpression: "self.items.map(a, self.items.map(b, a + b)).size() > 0 ? 'x' : 'y'" }], properties: { items: list() } };
    expect(errorsOf(crd(spec))).toEqual([
      `${RULE_PATH}.messageExpression: Forbidden: estimated messageExpression cost exceeds budget by factor of more than 100x ${HINT}`,
      `${RULE_PATH}.messageExpression: ${CONTRIBUTED}`,
      TOTAL,
    ]);
  });

  it("accepts linear rules over unbounded lists, as kube-apiserver does", () => {
    expect(errorsOf(crd({ type: "object", "x-kubernetes-validations": [{ rule: "self.items.all(a, a.size() < 10)" }], properties: { items: list() } }))).toEqual([]);
  });

  it("multiplies a rule under a list by how often its data may occur (maxItems, or what fits in a request)", () => {
    const item = (bounds: Obj) => ({ type: "object", properties: { items: { type: "array", ...bounds, items: { type: "string", "x-kubernetes-validations": [{ rule: "self.matches('^a')" }], ...(bounds.maxItems ? { maxLength: 10 } : {}) } } } });
    const at = "spec.validation.openAPIV3Schema.properties[spec].properties[items].items.x-kubernetes-validations[0].rule";
    expect(errorsOf(crd(item({})))).toEqual([`${at}: Forbidden: estimated rule cost exceeds budget by factor of more than 100x ${HINT}`, `${at}: ${CONTRIBUTED}`, TOTAL]);
    expect(errorsOf(crd(item({ maxItems: 10 })))).toEqual([]);
  });

  it("holds a schema's rules together to StaticEstimatedCRDCostLimit, naming the four most expensive (TotalCost)", () => {
    // 100 rules of about 1,000,000 each (every one above 1% of the limit, none above the per-rule limit).
    const properties: Obj = {};
    for (let i = 0; i < 100; i++) properties[`p${i}`] = { type: "string", maxLength: 500_000 + 1000 * i, "x-kubernetes-validations": [{ rule: "self.matches('^[a-z]+[0-9]+[a-z]+$')" }] };
    const errs = errorsOf(crd({ type: "object", properties }));
    expect(errs.slice(0, 4)).toEqual(
      [99, 98, 97, 96].map((i) => `spec.validation.openAPIV3Schema.properties[spec].properties[p${i}].x-kubernetes-validations[0].rule: Forbidden: contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema`),
    );
    expect(errs[4]).toMatch(/^spec\.validation\.openAPIV3Schema: Forbidden: x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema exceeds budget by factor of 1\.\d{6}x \(try simplifying/);
    expect(errs).toHaveLength(5);
    // Half as many rules stay under the limit.
    for (let i = 50; i < 100; i++) delete properties[`p${i}`];
    expect(errorsOf(crd({ type: "object", properties }))).toEqual([]);
  });

  it("leaves rules it cannot estimate as kube-apiserver does unjudged: fields the schema does not declare, updates", () => {
    const undeclared = crd({ type: "object", "x-kubernetes-preserve-unknown-fields": true, "x-kubernetes-validations": [{ rule: "self.other.all(a, self.other.all(b, a == b))" }] });
    expect(errorsOf(undeclared).filter((e) => e.includes("exceeds budget"))).toEqual([]);
    const expensive = crd({ type: "object", "x-kubernetes-validations": [{ rule: quadratic }], properties: { items: list() } });
    expect(errorsOf(expensive, { ...expensive, metadata: { name: "widgets.example.com", resourceVersion: "1" } }).filter((e) => e.includes("exceeds budget"))).toEqual([]);
  });
});
