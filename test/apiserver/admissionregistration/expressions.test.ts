/**
 * Policy and webhook expressions compiled on write (admissionregistration validation's
 * `validateCELCondition`): the field, the error type and kube-apiserver's `compilation failed:`
 * prefix (the compiler's own message after it is this evaluator's), `must evaluate to …` exactly,
 * and stored expressions compiled with the stored minor's libraries.
 */
import { describe, expect, it } from "vitest";
import { validateWrite } from "../../../src/apiserver/index.js";
import { formatFieldError } from "../../../src/meta/index.js";

type Obj = Record<string, unknown>;

const policy = (spec: Obj): Obj => ({
  apiVersion: "admissionregistration.k8s.io/v1",
  kind: "ValidatingAdmissionPolicy",
  metadata: { name: "demo", resourceVersion: "1" },
  spec: {
    matchConstraints: { resourceRules: [{ apiGroups: ["apps"], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["deployments"] }] },
    ...spec,
  },
});

const errorsOf = (obj: Obj, minor = 36, old?: Obj): string[] => validateWrite(obj, { minor, ...(old ? { old } : {}) }).errors.map(formatFieldError);

describe("policy expressions", () => {
  it("accepts policies as users write them", () => {
    const p = policy({
      paramKind: { apiVersion: "v1", kind: "ConfigMap" },
      matchConditions: [{ name: "not-system", expression: "!request.userInfo.username.startsWith('system:')" }],
      variables: [{ name: "limit", expression: "params == null ? 5 : int(params.data.limit)" }],
      validations: [
        { expression: "object.spec.replicas <= variables.limit", messageExpression: "'replicas must be at most ' + string(variables.limit)" },
        { expression: "object.metadata.name.matches('^[a-z]+$') && has(object.spec.template)" },
      ],
      auditAnnotations: [{ key: "high-replicas", valueExpression: "'replicas: ' + string(object.spec.replicas)" }],
    });
    expect(errorsOf(p)).toEqual([]);
  });

  it("reports expressions that do not compile, at their field, as Invalid with the apiserver's prefix", () => {
    const p = policy({
      matchConditions: [{ name: "m", expression: "request.kind.kind ==" }],
      variables: [{ name: "v", expression: "undeclared + 1" }],
      validations: [{ expression: "1 + true", messageExpression: "object.metadata.name +" }],
    });
    const errs = validateWrite(p, { minor: 36 }).errors;
    expect(errs.map((e) => [e.field, e.type, e.value])).toEqual([
      ["spec.matchConditions[0].expression", "FieldValueInvalid", "request.kind.kind =="],
      ["spec.variables[0].expression", "FieldValueInvalid", "undeclared + 1"],
      ["spec.validations[0].expression", "FieldValueInvalid", "1 + true"],
      ["spec.validations[0].messageExpression", "FieldValueInvalid", "object.metadata.name +"],
    ]);
    for (const e of errs) expect(e.message).toMatch(/^compilation failed: ERROR: <input>:1:\d+: /);
    // plugin/cel/compile.go: "compilation failed: " + issues.String(), cel-go's layout.
    expect(errs[2]!.message).toBe("compilation failed: ERROR: <input>:1:3: found no matching overload for '_+_' applied to '(int, bool)'\n | 1 + true\n | ..^");
    expect(errs[1]!.message).toBe("compilation failed: ERROR: <input>:1:1: undeclared reference to 'undeclared' (in container '')\n | undeclared + 1\n | ^");
  });

  it("reports an expression of the wrong type as kube-apiserver words it", () => {
    const p = policy({
      validations: [{ expression: "'yes'", messageExpression: "1" }],
      auditAnnotations: [{ key: "a", valueExpression: "true" }],
    });
    expect(errorsOf(p)).toEqual([
      `spec.validations[0].expression: Invalid value: "'yes'": must evaluate to bool`,
      'spec.validations[0].messageExpression: Invalid value: "1": must evaluate to string',
      'spec.auditAnnotations[0].valueExpression: Invalid value: "true": must evaluate to one of [string null_type]',
    ]);
  });

  it("refuses a dyn result as cel-go's output-type check does, unless a variable typed there but dyn here is involved", () => {
    // plugin/cel/compile.go CompileCELExpression compares `ast.OutputType() == returnType`: a dyn
    // result is not bool (kubernetes/kubernetes#120239: "variables.environment": must evaluate to bool
    // while variables were declared dyn; pkg/apis/apiserver/validation/validation_test.go
    // TestValidateClaimValidationRules: "claims.foo": must evaluate to bool). object, oldObject and params are dyn there as here;
    // request, namespaceObject and composited variables are typed there, so their dyn here is not judged.
    const p = policy({
      variables: [{ name: "ok", expression: "object.spec.replicas < 5" }],
      validations: [
        { expression: "object.spec.paused", messageExpression: "object.metadata.name" },
        { expression: "has(object.spec.x) ? object.spec.x : true" },
        { expression: "variables.ok", messageExpression: "request.userInfo.username" },
        { expression: "object.spec.items.all(i, i.enabled)", messageExpression: "'name: ' + object.metadata.name" },
        { expression: "[true]" },
      ],
    });
    expect(errorsOf(p)).toEqual([
      'spec.validations[0].expression: Invalid value: "object.spec.paused": must evaluate to bool',
      'spec.validations[0].messageExpression: Invalid value: "object.metadata.name": must evaluate to string',
      'spec.validations[1].expression: Invalid value: "has(object.spec.x) ? object.spec.x : true": must evaluate to bool',
      'spec.validations[4].expression: Invalid value: "[true]": must evaluate to bool',
    ]);
  });

  it("compiles new expressions with the previous minor's libraries, stored ones with the minor's own", () => {
    // isSorted() and friends (the lists library) are in every served minor; a library new in a
    // minor is refused for a new expression of that minor and accepted when already stored.
    const fresh = policy({ validations: [{ expression: "object.metadata.name.size() > 0" }] });
    expect(errorsOf(fresh)).toEqual([]);
    const stored = policy({ validations: [{ expression: "object.spec.replicas > 0" }] });
    expect(errorsOf(stored, 36, stored)).toEqual([]);
  });
});

describe("webhook match conditions", () => {
  const hook = (expression: string): Obj => ({
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingWebhookConfiguration",
    metadata: { name: "demo" },
    webhooks: [
      {
        name: "demo.example.com",
        clientConfig: { url: "https://example.com/validate" },
        admissionReviewVersions: ["v1"],
        sideEffects: "None",
        matchConditions: [{ name: "m", expression }],
      },
    ],
  });

  it("accepts conditions over the request and object", () => {
    expect(errorsOf(hook("request.resource.group != 'rbac.authorization.k8s.io' && has(object.metadata.labels)"))).toEqual([]);
  });

  it("refuses variables webhooks do not have, and non-boolean conditions", () => {
    const errs = validateWrite(hook("params.x == 1"), { minor: 36 }).errors;
    expect(errs.map((e) => [e.field, e.type])).toEqual([["webhooks[0].matchConditions[0].expression", "FieldValueInvalid"]]);
    expect(errs[0]?.message).toMatch(/^compilation failed: /);
    expect(errorsOf(hook("'x'"))).toEqual([`webhooks[0].matchConditions[0].expression: Invalid value: "'x'": must evaluate to bool`]);
  });
});
