/**
 * Pod Security admission in the validator: Pods and workload templates in a namespace the inputs
 * label with `pod-security.kubernetes.io/*` are checked as kube-apiserver's PodSecurity plugin checks
 * them; the pods of the Kubernetes test data that kube-apiserver admits are never reported.
 */
import { describe, expect, it } from "vitest";
import { validateManifests } from "../../src/validate/validate-manifests.js";
import { POD_CASES } from "../fixtures/pod-security/testdata-pods.js";

const RESTRICTED =
  'allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")';

const ns = (name: string, labels: Record<string, string>) => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n  labels: ${JSON.stringify(labels)}\n`;
const pod = (name: string, namespace: string) => `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: ${namespace}}\nspec:\n  containers: [{name: c, image: nginx}]\n`;
const deployment = (namespace: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ${namespace}}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: c, image: nginx}]
`;

async function issues(text: string) {
  const report = await validateManifests([{ text, file: "m.yaml" }], { kubernetesVersion: "1.33" });
  return report.results.flatMap((r) => r.issues.filter((i) => i.rule === "admission/pod-security").map((i) => ({ kind: r.kind, severity: i.severity, message: i.message })));
}

describe("Pod Security in kubezod validate", () => {
  it("places a Pod that names no namespace in the run's namespace, as kubectl apply does", async () => {
    const bare = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: nginx}]\n";
    const strict = (name: string) => ns(name, { "pod-security.kubernetes.io/enforce": "restricted" });
    expect(await issues([strict("default"), bare].join("---\n"))).toEqual([{ kind: "Pod", severity: "error", message: `pods "p" is forbidden: violates PodSecurity "restricted:latest": ${RESTRICTED}` }]);
    const report = await validateManifests([{ text: [strict("team"), bare].join("---\n"), file: "m.yaml" }], { kubernetesVersion: "1.33", namespace: "team" });
    expect(report.results.flatMap((r) => r.issues.filter((i) => i.rule === "admission/pod-security")).map((i) => i.severity)).toEqual(["error"]);
    expect(await issues([strict("team"), bare].join("---\n"))).toEqual([]);
  });

  it("reports a Pod its namespace's enforce level forbids as an error", async () => {
    expect(await issues([ns("strict", { "pod-security.kubernetes.io/enforce": "restricted" }), pod("p", "strict")].join("---\n"))).toEqual([
      { kind: "Pod", severity: "error", message: `pods "p" is forbidden: violates PodSecurity "restricted:latest": ${RESTRICTED}` },
    ]);
  });

  it("reports warn and audit levels, and templates, as warnings", async () => {
    const found = await issues([ns("w", { "pod-security.kubernetes.io/warn": "restricted", "pod-security.kubernetes.io/audit": "restricted", "pod-security.kubernetes.io/enforce": "baseline" }), pod("p", "w"), deployment("w")].join("---\n"));
    expect(found).toEqual([
      { kind: "Pod", severity: "warning", message: `would violate PodSecurity "restricted:latest": ${RESTRICTED}` },
      { kind: "Deployment", severity: "warning", message: `would violate PodSecurity "restricted:latest": ${RESTRICTED}` },
    ]);
    const enforced = await issues([ns("e", { "pod-security.kubernetes.io/enforce": "restricted" }), deployment("e")].join("---\n"));
    expect(enforced).toEqual([{ kind: "Deployment", severity: "warning", message: `would violate PodSecurity "restricted:latest": ${RESTRICTED}` }]);
    const quieter = await issues([ns("q", { "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/warn": "baseline" }), deployment("q")].join("---\n"));
    expect(quieter).toEqual([{ kind: "Deployment", severity: "warning", message: `pods created from this template would be refused: violates PodSecurity "restricted:latest": ${RESTRICTED}` }]);
  });

  it("reports invalid Pod Security labels on a Namespace", async () => {
    expect(await issues(ns("bad", { "pod-security.kubernetes.io/enforce": "bogus" }))).toEqual([
      { kind: "Namespace", severity: "error", message: 'Namespace "bad" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "bogus": must be one of privileged, baseline, restricted' },
    ]);
  });

  it("says nothing of namespaces the inputs do not label", async () => {
    expect(await issues([pod("p", "elsewhere"), deployment("elsewhere"), ns("plain", {}), pod("q", "plain")].join("---\n"))).toEqual([]);
  });

  const asInput = (c: (typeof POD_CASES)[number]) => {
    const podObject = { ...c.pod, metadata: { ...(c.pod.metadata as object), namespace: "t" } };
    const version = `v1.${c.minor}`;
    return [ns("t", { "pod-security.kubernetes.io/enforce": c.level, "pod-security.kubernetes.io/enforce-version": version, "pod-security.kubernetes.io/warn": c.level, "pod-security.kubernetes.io/warn-version": version }), JSON.stringify(podObject) + "\n"].join("---\n");
  };

  it("never reports the test data pods kube-apiserver admits", async () => {
    for (const c of POD_CASES.filter((x) => x.expect === "pass")) expect(await issues(asInput(c)), c.source).toEqual([]);
  });

  it("reports the test data pods kube-apiserver refuses as errors", async () => {
    for (const c of POD_CASES.filter((x) => x.expect === "fail")) expect((await issues(asInput(c))).map((i) => i.severity), c.source).toEqual(["error"]);
  });
});
