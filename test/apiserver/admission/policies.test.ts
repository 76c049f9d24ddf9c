import { describe, expect, it } from "vitest";
import { parseYamlAll } from "../../../src/yaml/text.js";
import { PolicySet, checkPolicyExpressions, rbacAuthorizer, rewriteObjectLiterals, applyConfiguration, typeCheckPolicy } from "../../../src/apiserver/admission/index.js";
import { Deployment } from "kubezod/k8s";
import { policyCases } from "../../fixtures/admission/policy-cases.js";

type Obj = Record<string, unknown>;

const docs = (text: string): Obj[] => parseYamlAll(text).filter((o): o is Obj => !!o && typeof o === "object");

function isSubset(want: unknown, got: unknown): boolean {
  if (want && typeof want === "object" && !Array.isArray(want)) {
    return !!got && typeof got === "object" && Object.entries(want).every(([k, v]) => isSubset(v, (got as Obj)[k]));
  }
  if (Array.isArray(want)) return Array.isArray(got) && want.length === got.length && want.every((w, i) => isSubset(w, got[i]));
  return want === got;
}

describe("admission policies: the corpus", () => {
  it("has at least 30 cases, each stating its source", () => {
    expect(policyCases.length).toBeGreaterThanOrEqual(30);
    for (const c of policyCases) expect(c.source).not.toBe("");
  });

  for (const c of policyCases) {
    it(c.name, () => {
      const inputs = docs(c.inputs);
      const authorize = rbacAuthorizer(inputs);
      const set = new PolicySet(inputs, { minor: c.minor ?? 36, resourceOf: (_a, kind) => (kind === "Namespace" ? { resource: "namespaces", namespaced: false } : kind === "ReplicaLimit" || kind === "ConfigMap" ? { resource: `${kind.toLowerCase()}s`, namespaced: true } : undefined), ...(authorize ? { authorize } : {}) });
      const object = c.object ? docs(c.object)[0] : undefined;
      const oldObject = c.oldObject ? docs(c.oldObject)[0] : undefined;
      const kind = String((object ?? oldObject)!.kind);
      const r = set.admit({
        operation: c.operation ?? "CREATE",
        ...(object ? { object } : {}),
        ...(oldObject ? { oldObject } : {}),
        resource: kind === "Namespace" ? "namespaces" : kind === "ValidatingAdmissionPolicyBinding" ? "validatingadmissionpolicybindings" : kind === "HorizontalPodAutoscaler" ? "horizontalpodautoscalers" : "deployments",
        namespaced: kind !== "Namespace" && kind !== "ValidatingAdmissionPolicyBinding",
        ...(c.user ? { userInfo: c.user } : {}),
      });
      expect(r.denied?.message).toBe(c.expect.denied);
      if (c.expect.code) expect(r.denied?.code).toBe(c.expect.code);
      expect(r.warnings).toEqual(c.expect.warnings ?? []);
      if (c.expect.auditAnnotations) expect(r.auditAnnotations).toEqual(c.expect.auditAnnotations);
      if (c.expect.decisions) expect(r.decisions.map((d) => d.message)).toEqual(c.expect.decisions);
      expect(r.unevaluated.length).toBe(c.expect.unevaluated ?? 0);
      if (c.expect.mutated) expect(isSubset(c.expect.mutated, r.object), JSON.stringify(r.object)).toBe(true);
    });
  }
});

describe("admission policies: pieces", () => {
  it("reads CEL object construction as maps", () => {
    expect(rewriteObjectLiterals(`Object{spec: Object.spec{replicas: 3, x: "a:b"}}`)).toBe(`{'spec': dyn( {'replicas': dyn( 3), 'x': dyn( "a:b")})}`);
    expect(rewriteObjectLiterals(`[JSONPatch{op: "add", path: "/a", value: {"k": 1}}]`)).toBe(`[{'op': dyn( "add"), 'path': dyn( "/a"), 'value': dyn( {"k": 1})}]`);
    // cel-go optional field syntax (`Object.spec{?replicas: …}`): the field is set only when the optional has a value.
    expect(rewriteObjectLiterals(`Object{spec: Object.spec{?replicas: object.spec.?replicas}}`)).toBe(`{'spec': dyn( {?'replicas': dyn( object.spec.?replicas)})}`);
    const policy = {
      kind: "MutatingAdmissionPolicy",
      spec: { mutations: [{ patchType: "ApplyConfiguration", applyConfiguration: { expression: "Object{spec: Object.spec{?replicas: object.spec.?missing, ?paused: optional.of(true)}}" } }] },
    };
    expect(checkPolicyExpressions(policy, 36)).toEqual([]);
  });

  it("merges apply configurations by list-map keys when the schema says so, atomically otherwise", () => {
    expect(applyConfiguration({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { b: 3 }, l: [9] })).toEqual({ a: { b: 3, c: 2 }, l: [9] });
  });

  it("reports expressions a new policy could not be created with (previous minor's libraries)", () => {
    const p = docs(`
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: p}
spec:
  validations:
  - expression: "isSemver(object.metadata.name)"
  - expression: "object.spec.replicas <="
`)[0]!;
    const at33 = checkPolicyExpressions(p, 33).map((e) => e.field);
    const at34 = checkPolicyExpressions(p, 34).map((e) => e.field);
    expect(at33).toEqual(["spec.validations[0].expression", "spec.validations[1].expression"]);
    expect(at34).toEqual(["spec.validations[1].expression"]);
  });

  it("type-checks expressions against the matched kinds' schemas as warnings (validating/typechecking.go)", () => {
    const p = docs(`
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: p}
spec:
  validations:
  - expression: "object.spec.replicaz <= 5"
  - expression: "object.spec.template.spec.containers.all(c, c.image != '') && object.metadata.labels['app'] == 'web'"
`)[0]!;
    expect(typeCheckPolicy(p, [{ label: "apps/v1, Kind=Deployment", schema: Deployment }], undefined, 36)).toEqual([
      { fieldRef: "spec.validations[0].expression", warning: "apps/v1, Kind=Deployment: ERROR: <input>:1:12: undefined field 'replicaz'" },
    ]);
  });

  it("lists the policies no binding refers to", () => {
    const set = new PolicySet(docs(policyCases[2]!.inputs));
    expect(set.unboundPolicies()).toEqual(["ValidatingAdmissionPolicy demo-policy.example.com"]);
    expect(set.active).toBe(false);
  });
});
