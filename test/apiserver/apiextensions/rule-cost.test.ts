/**
 * The estimated cost of a CRD's validation rules on create and update (apiextensions validation.go
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

  it("leaves rules it cannot estimate as kube-apiserver does unjudged: fields the schema does not declare", () => {
    const undeclared = crd({ type: "object", "x-kubernetes-preserve-unknown-fields": true, "x-kubernetes-validations": [{ rule: "self.other.all(a, self.other.all(b, a == b))" }] });
    expect(errorsOf(undeclared).filter((e) => e.includes("exceeds budget"))).toEqual([]);
  });
});

describe("CRD rule cost limits on update (ValidateCustomResourceDefinitionUpdate)", () => {
  // validation.go: findVersionsWithUnchangedSchemas / suppressExpressionCostForUnchangedSchema: a
  // version whose schema (GetSchemaForVersion) is semantically equal to the stored one's is free of
  // the per-rule and per-messageExpression cost errors; the schema's total is still held to
  // StaticEstimatedCRDCostLimit, and a changed version is judged as on create.
  const expensive = { type: "object", "x-kubernetes-validations": [{ rule: "self.items.all(a, self.items.all(b, a == b))" }], properties: { items: { type: "array", maxItems: 2000, items: { type: "string", maxLength: 10 } } } };
  const metadata = { name: "widgets.example.com", resourceVersion: "1" };
  const stored: Obj = { ...crd(expensive), metadata };
  const PER_RULE = `Forbidden: estimated rule cost exceeds budget by factor of 3.6x ${HINT}`;
  const versions = (o: Obj): Obj[] => (o.spec as { versions: Obj[] }).versions;

  it("refuses the rule on create", () => {
    expect(errorsOf(crd(expensive))).toEqual([`${RULE_PATH}.rule: ${PER_RULE}`]);
  });

  it("accepts an update that leaves the expensive version's schema as stored", () => {
    const relabelled = { ...stored, metadata: { ...metadata, labels: { team: "a" } } };
    expect(errorsOf(relabelled, stored)).toEqual([]);
    // A new version beside it: v1's schema is still the stored one (the stored top-level schema).
    const v2 = { name: "v2", served: true, storage: false, schema: { openAPIV3Schema: { type: "object", properties: { spec: { type: "object" } } } } };
    const withV2 = { ...stored, spec: { ...(stored.spec as Obj), versions: [...versions(stored), v2] } };
    expect(errorsOf(withV2, stored)).toEqual([]);
  });

  it("reports the cost error once that version's schema changes", () => {
    const changed = crd({ ...expensive, description: "now described" });
    expect(errorsOf({ ...changed, metadata }, stored)).toEqual([`${RULE_PATH}.rule: ${PER_RULE}`]);
    // Changed beside an unchanged version: only the changed one is judged.
    const v2 = { name: "v2", served: true, storage: false, schema: { openAPIV3Schema: { type: "object", properties: { spec: { ...expensive, description: "v2" } } } } };
    const withV2 = { ...stored, spec: { ...(stored.spec as Obj), versions: [...versions(stored), v2] } };
    expect(errorsOf(withV2, stored)).toEqual([`spec.versions[1].schema.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule: ${PER_RULE}`]);
  });

  it("still holds the whole schema to StaticEstimatedCRDCostLimit", () => {
    const quadratic = { type: "object", "x-kubernetes-validations": [{ rule: "self.items.all(a, self.items.all(b, a == b))" }], properties: { items: { type: "array", items: { type: "string" } } } };
    const old = { ...crd(quadratic), metadata: { name: "widgets.example.com", resourceVersion: "1" } };
    expect(errorsOf({ ...old, metadata: { ...old.metadata, labels: { team: "a" } } }, old)).toEqual([`${RULE_PATH}.rule: ${CONTRIBUTED}`, TOTAL]);
  });
});
