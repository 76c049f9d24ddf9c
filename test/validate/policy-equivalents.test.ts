/**
 * `kubezod validate` with admission policies matched through an equivalent version
 * (`matchPolicy: Equivalent`, kube-apiserver's policy dispatcher converting the object to the
 * version the rule names, `VersionedAttributes`): built-in kinds convert offline (an HPA written at
 * autoscaling/v1 is seen at autoscaling/v2 by a policy naming v2); a custom resource's conversion
 * webhook is not reachable offline, so a policy naming another version of a CRD sees the object as
 * written. core/v1 and events.k8s.io Events share one storage, so a policy naming one group sees
 * an Event of the other converted (pkg/apis/events/v1/conversion.go).
 */
import { describe, expect, it } from "vitest";
import { validateManifests } from "../../src/validate/validate-manifests.js";

const hpaV1 = (cpu: number) => `apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: default}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  maxReplicas: 5
  targetCPUUtilizationPercentage: ${cpu}
`;

const policy = (matchPolicy: string) => `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: cpu-limit}
spec:
  matchConstraints:
    matchPolicy: ${matchPolicy}
    resourceRules: [{apiGroups: [autoscaling], apiVersions: [v2], operations: [CREATE, UPDATE], resources: [horizontalpodautoscalers]}]
  validations:
  - expression: "object.spec.metrics.all(m, m.type != 'Resource' || m.resource.target.averageUtilization <= 80)"
    messageExpression: "'at ' + request.kind.version + ', requested at ' + request.requestKind.version"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: cpu-limit}
spec: {policyName: cpu-limit, validationActions: [Deny]}
`;

const messagesOf = async (text: string, kind: string): Promise<string[]> => {
  const report = await validateManifests([{ text }], { kubernetesVersion: "1.36" });
  return report.results.filter((r) => r.kind === kind).flatMap((r) => r.issues.map((i) => i.message));
};

describe("kubezod validate: policies through an equivalent version", () => {
  it("a v1 HPA is checked by a policy naming autoscaling/v2 as converted to v2; request.kind names v2, requestKind v1", async () => {
    expect(await messagesOf(`${policy("Equivalent")}---\n${hpaV1(95)}`, "HorizontalPodAutoscaler")).toEqual([
      `horizontalpodautoscalers.autoscaling "web" is forbidden: ValidatingAdmissionPolicy 'cpu-limit' with binding 'cpu-limit' denied request: at v2, requested at v1`,
    ]);
    expect(await messagesOf(`${policy("Equivalent")}---\n${hpaV1(50)}`, "HorizontalPodAutoscaler")).toEqual([]);
  });

  it("with matchPolicy: Exact, the v2 rule does not match a v1 HPA", async () => {
    expect(await messagesOf(`${policy("Exact")}---\n${hpaV1(95)}`, "HorizontalPodAutoscaler")).toEqual([]);
  });

  it("a policy naming another version of a CRD sees the object as written (no conversion webhook offline)", async () => {
    const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  scope: Namespaced
  versions:
  - {name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, properties: {spec: {type: object, properties: {size: {type: integer}}}}}}}
  - {name: v2, served: true, storage: false, schema: {openAPIV3Schema: {type: object, properties: {spec: {type: object, properties: {size: {type: integer}}}}}}}
`;
    const widgetPolicy = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: small}
spec:
  matchConstraints:
    resourceRules: [{apiGroups: [example.com], apiVersions: [v2], operations: [CREATE], resources: [widgets]}]
  validations:
  - expression: "object.spec.size <= 3"
    messageExpression: "'object at ' + object.apiVersion + ', kind ' + request.kind.version"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: small}
spec: {policyName: small, validationActions: [Deny]}
`;
    const widget = `apiVersion: example.com/v1
kind: Widget
metadata: {name: w, namespace: default}
spec: {size: 9}
`;
    expect(await messagesOf(`${crd}---\n${widgetPolicy}---\n${widget}`, "Widget")).toEqual([
      `widgets.example.com "w" is forbidden: ValidatingAdmissionPolicy 'small' with binding 'small' denied request: object at example.com/v1, kind v1`,
    ]);
  });

  it("a core/v1 Event is checked by a policy naming events.k8s.io, as converted; request.kind names events.k8s.io/v1, requestKind core v1", async () => {
    const eventsPolicy = (matchPolicy: string) => `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: short-notes}
spec:
  matchConstraints:
    matchPolicy: ${matchPolicy}
    resourceRules: [{apiGroups: [events.k8s.io], apiVersions: [v1], operations: [CREATE], resources: [events]}]
  validations:
  - expression: "object.note.size() <= 10 && object.regarding.kind == 'Pod'"
    messageExpression: "'note ' + object.note + ' at ' + request.kind.group + '/' + request.kind.version + ' ' + request.resource.resource + ', requested at ' + request.requestKind.group + '/' + request.requestKind.version + ' ' + request.requestResource.resource"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: short-notes}
spec: {policyName: short-notes, validationActions: [Deny]}
`;
    const event = (message: string) => `apiVersion: v1
kind: Event
metadata: {name: e, namespace: default}
involvedObject: {kind: Pod, name: p, namespace: default}
reason: Started
message: ${message}
`;
    expect(await messagesOf(`${eventsPolicy("Equivalent")}---\n${event("a message too long")}`, "Event")).toEqual([
      `events "e" is forbidden: ValidatingAdmissionPolicy 'short-notes' with binding 'short-notes' denied request: note a message too long at events.k8s.io/v1 events, requested at /v1 events`,
    ]);
    expect(await messagesOf(`${eventsPolicy("Equivalent")}---\n${event("short")}`, "Event")).toEqual([]);
    expect(await messagesOf(`${eventsPolicy("Exact")}---\n${event("a message too long")}`, "Event")).toEqual([]);
  });
});
