import { describe, expect, it } from "vitest";
import { PolicyConversionError, PolicySet, type AdmissionRequest, type EquivalentResource } from "../../../src/apiserver/admission/index.js";

type Obj = Record<string, unknown>;

// An HPA written at autoscaling/v1: its CPU target is spec.metrics[0] at autoscaling/v2.
const hpaV1 = (): Obj => ({
  apiVersion: "autoscaling/v1",
  kind: "HorizontalPodAutoscaler",
  metadata: { name: "web", namespace: "default" },
  spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" }, minReplicas: 1, maxReplicas: 10, targetCPUUtilizationPercentage: 95 },
});

const hpaKind = (version: string) => ({ group: "autoscaling", version, kind: "HorizontalPodAutoscaler" });
const equivalents: EquivalentResource[] = ["v2", "v1"].map((version) => ({ group: "autoscaling", version, resource: "horizontalpodautoscalers", kind: hpaKind(version) }));

const rule = (version: string) => ({ apiGroups: ["autoscaling"], apiVersions: [version], resources: ["horizontalpodautoscalers"], operations: ["CREATE", "UPDATE"] });

function validating(matchPolicy?: string): Obj[] {
  return [
    {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingAdmissionPolicy",
      metadata: { name: "cpu-limit" },
      spec: {
        matchConstraints: { resourceRules: [rule("v2")], ...(matchPolicy ? { matchPolicy } : {}) },
        validations: [
          {
            expression: "object.spec.metrics.all(m, m.type != 'Resource' || m.resource.target.averageUtilization <= 80)",
            messageExpression: "'kind ' + request.kind.version + ' resource ' + request.resource.version + ', requestKind ' + request.requestKind.version + ' requestResource ' + request.requestResource.version + ', object ' + object.apiVersion",
          },
        ],
      },
    },
    { apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingAdmissionPolicyBinding", metadata: { name: "cpu-limit" }, spec: { policyName: "cpu-limit", validationActions: ["Deny"] } },
  ];
}

const request = (object: Obj, extra: Partial<AdmissionRequest> = {}): AdmissionRequest => ({ operation: "CREATE", object, resource: "horizontalpodautoscalers", namespaced: true, equivalents, ...extra });

describe("admission policies matched through an equivalent version (matchPolicy: Equivalent)", () => {
  it("evaluate the object converted to the version their rule names; request.kind names it, requestKind the request's", () => {
    const r = new PolicySet(validating()).admit(request(hpaV1()));
    expect(r.denied?.message).toBe("ValidatingAdmissionPolicy 'cpu-limit' with binding 'cpu-limit' denied request: kind v2 resource v2, requestKind v1 requestResource v1, object autoscaling/v2");
    const ok = hpaV1();
    (ok.spec as Obj).targetCPUUtilizationPercentage = 50;
    expect(new PolicySet(validating()).admit(request(ok)).denied).toBeUndefined();
  });

  it("see the object as written when the request is at the rule's version", () => {
    const v2 = { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", metadata: { name: "web", namespace: "default" }, spec: { maxReplicas: 3, metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 90 } } }] } };
    expect(new PolicySet(validating()).admit(request(v2)).denied?.message).toContain("kind v2 resource v2, requestKind v2 requestResource v2, object autoscaling/v2");
  });

  it("with matchPolicy: Exact, a rule naming another version does not match", () => {
    expect(new PolicySet(validating("Exact")).admit(request(hpaV1())).denied).toBeUndefined();
  });

  it("a rule naming a version the resource is not served at matches nothing", () => {
    const policies = validating();
    ((policies[0]!.spec as Obj).matchConstraints as Obj).resourceRules = [rule("v2beta2")];
    expect(new PolicySet(policies).admit(request(hpaV1())).denied).toBeUndefined();
  });

  it("a failed conversion is the policy's configuration error, under its failure policy", () => {
    const convert = (): Obj => {
      throw new PolicyConversionError("no conversion");
    };
    const r = new PolicySet(validating(), { convert }).admit(request(hpaV1()));
    expect(r.denied?.message).toBe("ValidatingAdmissionPolicy 'cpu-limit' denied request: failed to configure policy: no conversion");
    const ignore = validating();
    (ignore[0]!.spec as Obj).failurePolicy = "Ignore";
    expect(new PolicySet(ignore, { convert }).admit(request(hpaV1())).denied).toBeUndefined();
  });

  it("a mutating policy mutates the converted object, and its result goes back to the request's version", () => {
    const policies: Obj[] = [
      {
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "MutatingAdmissionPolicy",
        metadata: { name: "cap-cpu" },
        spec: {
          matchConstraints: { resourceRules: [rule("v2")] },
          mutations: [
            {
              patchType: "JSONPatch",
              jsonPatch: { expression: "object.spec.metrics.map(m, m.type == 'Resource' ? [JSONPatch{op: 'replace', path: '/spec/metrics/0/resource/target/averageUtilization', value: 80}] : []).flatten()" },
            },
          ],
        },
      },
      { apiVersion: "admissionregistration.k8s.io/v1", kind: "MutatingAdmissionPolicyBinding", metadata: { name: "cap-cpu" }, spec: { policyName: "cap-cpu" } },
    ];
    const r = new PolicySet(policies).admit(request(hpaV1()));
    expect(r.mutatedBy).toEqual(["cap-cpu"]);
    expect(r.object?.apiVersion).toBe("autoscaling/v1");
    expect((r.object?.spec as Obj).targetCPUUtilizationPercentage).toBe(80);
    expect((r.object?.spec as Obj).metrics).toBeUndefined();
  });
});
