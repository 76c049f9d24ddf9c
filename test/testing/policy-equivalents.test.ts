/**
 * Admission policies with `matchPolicy: Equivalent` in the local API server: an HPA written at
 * autoscaling/v1 is matched by a policy whose rule names autoscaling/v2, which sees it converted
 * to v2 (kube-apiserver's VersionedAttributes), `request.kind` naming v2 and `request.requestKind`
 * v1; a mutating policy's result is converted back to v1; `Exact` does not match.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { client, type Client } from "./helpers.js";

let server: TestServer;
let api: Client;

beforeAll(async () => {
  server = await startTestServer({ kubernetesVersion: "1.36" });
  api = client(server);
});
afterAll(async () => {
  await api.close();
  await server.close();
});

const ADM = "/apis/admissionregistration.k8s.io/v1";
const HPA_V1 = "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers";

const hpa = (name: string, cpu: number) => ({
  apiVersion: "autoscaling/v1",
  kind: "HorizontalPodAutoscaler",
  metadata: { name },
  spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" }, maxReplicas: 5, targetCPUUtilizationPercentage: cpu },
});

const v2Rule = { apiGroups: ["autoscaling"], apiVersions: ["v2"], resources: ["horizontalpodautoscalers"], operations: ["CREATE", "UPDATE"] };

async function bindValidating(name: string, matchPolicy: "Equivalent" | "Exact"): Promise<void> {
  const p = await api.post(`${ADM}/validatingadmissionpolicies`, {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingAdmissionPolicy",
    metadata: { name },
    spec: {
      matchConstraints: { resourceRules: [v2Rule], matchPolicy },
      matchConditions: [{ name: "mine", expression: `object.metadata.name.startsWith('${name}')` }],
      validations: [
        {
          expression: "object.spec.metrics.all(m, m.type != 'Resource' || m.resource.target.averageUtilization <= 80)",
          messageExpression: "'at ' + request.kind.version + '/' + request.resource.resource + ', requested at ' + request.requestKind.version + '/' + request.requestResource.resource",
        },
      ],
    },
  });
  expect(p.status).toBe(201);
  const b = await api.post(`${ADM}/validatingadmissionpolicybindings`, { apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingAdmissionPolicyBinding", metadata: { name }, spec: { policyName: name, validationActions: ["Deny"] } });
  expect(b.status).toBe(201);
}

describe("kubezod serve: admission policies through an equivalent version", () => {
  it("a v1 HPA is checked by a policy naming autoscaling/v2, as converted to v2", async () => {
    await bindValidating("equiv", "Equivalent");
    const res = await api.post(HPA_V1, hpa("equiv-high", 95));
    expect(res.status).toBe(422);
    expect(res.json.message).toBe(
      `horizontalpodautoscalers.autoscaling "equiv-high" is forbidden: ValidatingAdmissionPolicy 'equiv' with binding 'equiv' denied request: at v2/horizontalpodautoscalers, requested at v1/horizontalpodautoscalers`,
    );
    expect((await api.post(HPA_V1, hpa("equiv-low", 50))).status).toBe(201);
  });

  it("with matchPolicy: Exact, the v2 rule does not match a v1 request", async () => {
    await bindValidating("exact", "Exact");
    expect((await api.post(HPA_V1, hpa("exact-high", 95))).status).toBe(201);
  });

  it("a mutating policy naming v2 mutates the converted object; the result is stored as converted back", async () => {
    const p = await api.post(`${ADM}/mutatingadmissionpolicies`, {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "MutatingAdmissionPolicy",
      metadata: { name: "cap" },
      spec: {
        matchConstraints: { resourceRules: [v2Rule] },
        matchConditions: [{ name: "mine", expression: "object.metadata.name.startsWith('cap')" }],
        mutations: [
          {
            patchType: "JSONPatch",
            jsonPatch: { expression: "object.spec.metrics.exists(m, m.type == 'Resource') ? [JSONPatch{op: 'replace', path: '/spec/metrics/0/resource/target/averageUtilization', value: 70}] : []" },
          },
        ],
      },
    });
    expect(p.status).toBe(201);
    expect((await api.post(`${ADM}/mutatingadmissionpolicybindings`, { apiVersion: "admissionregistration.k8s.io/v1", kind: "MutatingAdmissionPolicyBinding", metadata: { name: "cap" }, spec: { policyName: "cap" } })).status).toBe(201);
    const res = await api.post(HPA_V1, hpa("cap-me", 99));
    expect(res.status).toBe(201);
    expect(res.json.apiVersion).toBe("autoscaling/v1");
    expect(res.json.spec.targetCPUUtilizationPercentage).toBe(70);
    const v2 = await api.get("/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/cap-me");
    expect(v2.json.spec.metrics[0].resource.target.averageUtilization).toBe(70);
  });
});
