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

  it("compiles message expressions without authorizer (validateMessageExpression: HasAuthorizer false)", () => {
    const p = policy({ validations: [{ expression: "authorizer.path('/x').check('get').allowed()", messageExpression: "authorizer.path('/x').check('get').reason()" }] });
    expect(errorsOf(p)).toEqual([
      `spec.validations[0].messageExpression: Invalid value: "authorizer.path('/x').check('get').reason()": compilation failed: ERROR: <input>:1:1: undeclared reference to 'authorizer' (in container '')\n | authorizer.path('/x').check('get').reason()\n | ^`,
    ]);
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

describe("policy expressions type-checked against the variables kube-apiserver declares", () => {
  // k8s.io/apiserver/pkg/admission/plugin/cel/compile.go: request is BuildRequestType()'s
  // AdmissionRequest, namespaceObject BuildNamespaceType()'s Namespace, params is declared only
  // with a paramKind (OptionalVariableDeclarations.HasParams), object/oldObject/params are dyn;
  // composition.go: variables is kubernetes.variables, each variable a field typed by its
  // expression (convertCelTypeToDeclType), declared in order.
  const errs = (validation: string, extra: Obj = {}): string[] => errorsOf(policy({ failurePolicy: "Fail", validations: [{ expression: validation }], ...extra }));
  const ok = (validation: string, extra: Obj = {}) => expect(errs(validation, extra), validation).toEqual([]);

  it("accepts policies from Kubernetes' documentation and tests", () => {
    // kubernetes.io Validating Admission Policy: matchConditions, auditAnnotations, messageExpression, namespaceObject, authorizer.
    ok("true", {
      matchConditions: [
        { name: "exclude-leases", expression: '!(request.resource.group == "coordination.k8s.io" && request.resource.resource == "leases")' },
        { name: "exclude-kubelet-requests", expression: '!("system:nodes" in request.userInfo.groups)' },
        { name: "rbac", expression: 'request.resource.group != "rbac.authorization.k8s.io"' },
      ],
    });
    ok("object.spec.replicas <= params.maxReplicas", { paramKind: { apiVersion: "rules.example.com/v1", kind: "ReplicaLimit" } });
    ok("object.spec.replicas <= 5", { auditAnnotations: [{ key: "high-replica-count", valueExpression: "'Deployment spec.replicas set to ' + string(object.spec.replicas)" }] });
    ok("namespaceObject == null || namespaceObject.metadata.labels['environment'] != 'prod' || object.spec.replicas >= 3");
    ok("namespaceObject.metadata.?labels.env.orValue('') == 'prod' && namespaceObject.status.phase == 'Active'");
    ok("authorizer.group('').resource('pods').check('create').allowed()");
    ok("authorizer.requestResource.check('delete').allowed() || authorizer.serviceAccount('default', 'sa').group('apps').resource('deployments').check('create').allowed()");
    ok("request.kind.kind == 'Deployment' && request.operation in ['CREATE', 'UPDATE'] && !request.dryRun && request.name != '' && has(request.namespace)");
    ok("request.userInfo.username.startsWith('system:') || request.userInfo.extra['scopes'].size() > 0 || request.requestKind.group == 'apps' || request.requestSubResource == ''");
    ok("request.options.fieldManager != 'kubectl'");
    ok("has(request.userInfo.extra) && request.userInfo.extra.exists(k, k == 'x') && request.?subResource.orValue('') == ''");
    ok("has(namespaceObject.metadata.labels) && 'env' in namespaceObject.metadata.labels && !namespaceObject.metadata.name.startsWith('kube-')");
    ok("oldObject == null || object.spec.replicas >= oldObject.spec.replicas");
    ok("[request.name, request.namespace].all(s, s.size() < 63) && request.kind.group + '/' + request.kind.version == 'apps/v1'");
    ok("variables.v == null && variables.t < timestamp('2030-01-01T00:00:00Z') && variables.x.y == 1 && variables.ns.metadata.name == 'x'", {
      variables: [
        { name: "v", expression: "null" },
        { name: "t", expression: "timestamp('2020-01-01T00:00:00Z')" },
        { name: "x", expression: "object.spec" },
        { name: "ns", expression: "namespaceObject" },
      ],
    });
    // Documentation's variables example: a variable refers to one before it; validations see all.
    ok("variables.containersToCheck.all(c, c.image.startsWith('example.com/'))", {
      variables: [
        { name: "containers", expression: "object.spec.template.spec.containers" },
        { name: "containersToCheck", expression: "variables.containers.filter(c, c.image.contains('example.com/'))" },
      ],
    });
    ok("variables.isProd && variables.replicas <= 5 && variables.names.exists(n, n == 'a') && variables.limits['cpu'] == 1", {
      variables: [
        { name: "isProd", expression: "namespaceObject.metadata.labels['env'] == 'prod'" },
        { name: "replicas", expression: "object.spec.replicas" },
        { name: "names", expression: "['a', 'b']" },
        { name: "limits", expression: "{'cpu': 1}" },
      ],
    });
    // Types outside convertCelTypeToDeclType's primitives, lists and maps are dyn there: anything goes.
    ok("variables.q.isLessThan(quantity('1')) && variables.o.orValue(1) == 1", {
      variables: [
        { name: "q", expression: "quantity('2')" },
        { name: "o", expression: "optional.of(1)" },
      ],
    });
  });

  it("refuses what the apiserver's type checking refuses, in its words", () => {
    expect(errs("request.nonexistent == 1")).toEqual([
      `spec.validations[0].expression: Invalid value: "request.nonexistent == 1": compilation failed: ERROR: <input>:1:8: undefined field 'nonexistent'\n | request.nonexistent == 1\n | .......^`,
    ]);
    expect(errs("namespaceObject.metadata.nope == 'x'")[0]).toContain("ERROR: <input>:1:25: undefined field 'nope'");
    expect(errs("request.userInfo.groups == 'admins'")[0]).toContain("found no matching overload for '_==_' applied to '(list(string), string)'");
    // compile_test.go "without params": params is undeclared when the policy has no paramKind.
    expect(errs("params.maxReplicas >= object.spec.replicas")[0]).toContain("undeclared reference to 'params' (in container '')");
    // A variable used with the wrong type, an undeclared variable, a non-bool validation.
    const foo = { variables: [{ name: "foo", expression: "'abc'" }] };
    expect(errs("variables.foo > 5", foo)[0]).toContain("found no matching overload for '_>_' applied to '(string, int)'");
    expect(errs("variables.bar == 1", foo)[0]).toContain("undefined field 'bar'");
    expect(errs("variables.foo", foo)).toEqual([`spec.validations[0].expression: Invalid value: "variables.foo": must evaluate to bool`]);
    expect(errs("request.userInfo.username")).toEqual([`spec.validations[0].expression: Invalid value: "request.userInfo.username": must evaluate to bool`]);
    // A variable sees only the variables before it.
    const later = errorsOf(policy({ failurePolicy: "Fail", validations: [{ expression: "variables.a" }], variables: [{ name: "a", expression: "variables.b" }, { name: "b", expression: "true" }] }));
    expect(later).toHaveLength(1);
    expect(later[0]).toContain("spec.variables[0].expression: Invalid value: \"variables.b\": compilation failed: ERROR: <input>:1:10: undefined field 'b'");
    // Match conditions see the typed request too.
    expect(errs("true", { matchConditions: [{ name: "m", expression: "request.userInfo.nope == 'x'" }] })[0]).toContain("undefined field 'nope'");
  });

  it("types mutating policies' expressions the same way", () => {
    const map = (mutation: Obj, extra: Obj = {}): string[] =>
      errorsOf({
        apiVersion: "admissionregistration.k8s.io/v1beta1",
        kind: "MutatingAdmissionPolicy",
        metadata: { name: "demo", resourceVersion: "1" },
        spec: {
          failurePolicy: "Fail",
          reinvocationPolicy: "Never",
          matchConstraints: { resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods"] }] },
          mutations: [mutation],
          ...extra,
        },
      });
    expect(map({ patchType: "ApplyConfiguration", applyConfiguration: { expression: "Object{metadata: Object.metadata{labels: {'user': request.userInfo.username}}}" } })).toEqual([]);
    expect(map({ patchType: "JSONPatch", jsonPatch: { expression: "[JSONPatch{op: 'add', path: '/metadata/labels/' + jsonpatch.escapeKey('a/b'), value: variables.v}]" } }, { variables: [{ name: "v", expression: "request.namespace" }] })).toEqual([]);
    expect(map({ patchType: "JSONPatch", jsonPatch: { expression: "[JSONPatch{op: 'add', path: '/metadata/labels/x', value: request.nope}]" } })[0]).toContain("undefined field 'nope'");
  });
});
