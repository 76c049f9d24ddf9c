/**
 * The built-in admission plugins as pure decisions, with cases translated from the plugins' own
 * tests (each names its source file and case) and refusal texts from the plugins' code.
 */
import { describe, expect, it } from "vitest";
import { mutateBuiltin, validateBuiltin, validateQuota, quotaStatus, AdmissionForbidden, type PluginCluster, type PluginRequest } from "../../../src/apiserver/admission/plugins/index.js";

type Obj = Record<string, unknown>;

function cluster(parts: Partial<PluginCluster> = {}): PluginCluster {
  return {
    serviceAccount: (ns, name) => (name === "default" ? { metadata: { name, namespace: ns } } : undefined),
    limitRanges: () => [],
    resourceQuotas: () => [],
    priorityClasses: () => [],
    ingressClasses: () => [],
    runtimeClass: () => undefined,
    randomSuffix: () => "abcde",
    ...parts,
  };
}

function podRequest(spec: Obj, extra: Partial<PluginRequest> = {}, meta: Obj = {}): PluginRequest {
  return { operation: "CREATE", group: "", resource: "pods", kind: "Pod", subresource: "", namespace: "foo", object: { metadata: { name: "p", ...meta }, spec }, ...extra };
}

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof AdmissionForbidden) return e.message;
    throw e;
  }
  return "";
}

const NOT_READY_300 = { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 };
const UNREACHABLE_300 = { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 };

describe("DefaultTolerationSeconds (plugin/pkg/admission/defaulttolerationseconds/admission_test.go, TestForgivenessAdmission)", () => {
  const cases: Array<[string, Obj[] | undefined, Obj[]]> = [
    ["pod has no tolerations, expect add tolerations for `notread:NoExecute` and `unreachable:NoExecute`", undefined, [NOT_READY_300, UNREACHABLE_300]],
    [
      "pod has tolerations, but none is for taint `notread:NoExecute` or `unreachable:NoExecute`",
      [{ key: "foo", operator: "Equal", value: "bar", effect: "NoSchedule", tolerationSeconds: 700 }],
      [{ key: "foo", operator: "Equal", value: "bar", effect: "NoSchedule", tolerationSeconds: 700 }, NOT_READY_300, UNREACHABLE_300],
    ],
    [
      "pod specified a toleration for taint `notReady:NoExecute`, expect add toleration for `unreachable:NoExecute`",
      [{ ...NOT_READY_300, tolerationSeconds: 700 }],
      [{ ...NOT_READY_300, tolerationSeconds: 700 }, UNREACHABLE_300],
    ],
    [
      "pod specified a toleration for taint `unreachable:NoExecute`, expect add toleration for `notReady:NoExecute`",
      [{ ...UNREACHABLE_300, tolerationSeconds: 700 }],
      [{ ...UNREACHABLE_300, tolerationSeconds: 700 }, NOT_READY_300],
    ],
    [
      "pod specified tolerations for both `notread:NoExecute` and `unreachable:NoExecute`, expect no change",
      [
        { ...NOT_READY_300, tolerationSeconds: 700 },
        { ...UNREACHABLE_300, tolerationSeconds: 700 },
      ],
      [
        { ...NOT_READY_300, tolerationSeconds: 700 },
        { ...UNREACHABLE_300, tolerationSeconds: 700 },
      ],
    ],
    [
      "pod specified toleration for taint `unreachable`, expect add toleration for `notReady:NoExecute`",
      [{ key: "node.kubernetes.io/unreachable", operator: "Exists", tolerationSeconds: 700 }],
      [{ key: "node.kubernetes.io/unreachable", operator: "Exists", tolerationSeconds: 700 }, NOT_READY_300],
    ],
    ["pod has wildcard toleration for all kind of taints, expect no change", [{ operator: "Exists", tolerationSeconds: 700 }], [{ operator: "Exists", tolerationSeconds: 700 }]],
  ];
  for (const [name, given, want] of cases) {
    it(name, () => {
      const req = podRequest({ automountServiceAccountToken: false, ...(given ? { tolerations: given } : {}) });
      mutateBuiltin(req, cluster());
      expect((req.object.spec as Obj).tolerations).toEqual(want);
    });
  }
});

describe("ServiceAccount (plugin/pkg/admission/serviceaccount/admission_test.go)", () => {
  it("TestAssignsDefaultServiceAccountAndBoundTokenWithNoSecretTokens: default account, kube-api-access volume and mounts", () => {
    const req = podRequest({ containers: [{ name: "c" }], initContainers: [{ name: "i" }] });
    mutateBuiltin(req, cluster());
    const spec = req.object.spec as Obj;
    expect(spec.serviceAccountName).toBe("default");
    expect((spec.volumes as Obj[]).map((v) => v.name)).toEqual(["kube-api-access-abcde"]);
    const mount = { name: "kube-api-access-abcde", readOnly: true, mountPath: "/var/run/secrets/kubernetes.io/serviceaccount" };
    expect((spec.containers as Obj[])[0]!.volumeMounts).toEqual([mount]);
    expect((spec.initContainers as Obj[])[0]!.volumeMounts).toEqual([mount]);
  });
  it("TestAutomountsAPIToken / TestRespectsExistingMount: a container already mounting the token path keeps its mount", () => {
    const own = { name: "my", mountPath: "/var/run/secrets/kubernetes.io/serviceaccount" };
    const req = podRequest({ containers: [{ name: "c", volumeMounts: [own] }] });
    mutateBuiltin(req, cluster());
    expect(((req.object.spec as Obj).containers as Obj[])[0]!.volumeMounts).toEqual([own]);
    expect((req.object.spec as Obj).volumes).toBeUndefined();
  });
  it("TestAutomountServiceAccountToken cases: the pod's setting wins over the account's", () => {
    const sa = (automount: boolean) => cluster({ serviceAccount: (_, name) => ({ metadata: { name }, automountServiceAccountToken: automount }) });
    const off = podRequest({ containers: [{ name: "c" }] });
    mutateBuiltin(off, sa(false));
    expect((off.object.spec as Obj).volumes).toBeUndefined();
    const podOn = podRequest({ automountServiceAccountToken: true, containers: [{ name: "c" }] });
    mutateBuiltin(podOn, sa(false));
    expect(((podOn.object.spec as Obj).volumes as Obj[]).length).toBe(1);
  });
  it("TestFetchesUncachedServiceAccount / TestDeniesInvalidServiceAccount: a missing account is refused", () => {
    const req = podRequest({ serviceAccountName: "missing", containers: [{ name: "c" }] });
    expect(refusal(() => mutateBuiltin(req, cluster()))).toBe('pods "p" is forbidden: error looking up service account foo/missing: serviceaccount "missing" not found');
  });
  it("TestRejectsMirrorPodWithServiceAccount / TestRejectsMirrorPodWithSecretVolumes", () => {
    const mirror = { annotations: { "kubernetes.io/config.mirror": "x" } };
    expect(refusal(() => mutateBuiltin(podRequest({ serviceAccountName: "default", containers: [{ name: "c" }] }, {}, mirror), cluster()))).toBe('pods "p" is forbidden: a mirror pod may not reference service accounts');
    expect(refusal(() => mutateBuiltin(podRequest({ containers: [{ name: "c" }], volumes: [{ name: "s", secret: { secretName: "x" } }] }, {}, mirror), cluster()))).toBe('pods "p" is forbidden: a mirror pod may not reference secrets');
  });
  it("TestAddImagePullSecrets: the account's pull secrets are copied into a pod that has none", () => {
    const req = podRequest({ containers: [{ name: "c" }] });
    mutateBuiltin(req, cluster({ serviceAccount: (_, name) => ({ metadata: { name }, imagePullSecrets: [{ name: "foo" }, { name: "bar" }] }) }));
    expect((req.object.spec as Obj).imagePullSecrets).toEqual([{ name: "foo" }, { name: "bar" }]);
  });
  it("TestAllowsReferencedSecret / TestRejectsUnreferencedSecretVolumes under kubernetes.io/enforce-mountable-secrets", () => {
    const sa = cluster({ serviceAccount: (_, name) => ({ metadata: { name, annotations: { "kubernetes.io/enforce-mountable-secrets": "true" } }, secrets: [{ name: "foo" }] }) });
    expect(refusal(() => mutateBuiltin(podRequest({ containers: [{ name: "c" }], volumes: [{ name: "v", secret: { secretName: "foo" } }] }), sa))).toBe("");
    expect(refusal(() => mutateBuiltin(podRequest({ containers: [{ name: "c" }], volumes: [{ name: "v", secret: { secretName: "bar" } }] }), sa))).toBe(
      'pods "p" is forbidden: volume with secret.secretName="bar" is not allowed because service account default does not reference that secret',
    );
  });
});

describe("Priority (plugin/pkg/admission/priority/admission_test.go, TestPodAdmission)", () => {
  const defaultClass = { metadata: { name: "default1" }, value: 1000, globalDefault: true };
  const nondefault = { metadata: { name: "nondefault1" }, value: 2000, globalDefault: false };
  const neverPreempt = { metadata: { name: "nopreemptionpolicy" }, value: 2000, preemptionPolicy: "Never" };
  const pcs = (...c: Obj[]) => cluster({ priorityClasses: () => c });
  const run = (spec: Obj, c: PluginCluster) => {
    const req = podRequest({ automountServiceAccountToken: false, containers: [{ name: "c" }], ...spec });
    mutateBuiltin(req, c);
    return req.object.spec as Obj;
  };
  it("Pod with no priority class and no existing global default class", () => {
    const spec = run({}, pcs(nondefault));
    expect([spec.priority, spec.preemptionPolicy, spec.priorityClassName]).toEqual([0, "PreemptLowerPriority", undefined]);
  });
  it("Pod with no priority class when a global default exists", () => {
    const spec = run({}, pcs(defaultClass, nondefault));
    expect([spec.priority, spec.priorityClassName]).toEqual([1000, "default1"]);
  });
  it("pod with a non-existing priority class", () => {
    expect(refusal(() => run({ priorityClassName: "non-existing" }, pcs(defaultClass)))).toBe('pods "p" is forbidden: no PriorityClass with name non-existing was found');
  });
  it("pod with priority in its spec that differs from its class", () => {
    expect(refusal(() => run({ priorityClassName: "nondefault1", priority: 5 }, pcs(nondefault)))).toBe(
      'pods "p" is forbidden: the integer value of priority (5) must not be provided in pod spec; priority admission controller computed 2000 from the given PriorityClass name',
    );
  });
  it("pod with a priority class whose preemption policy is Never", () => {
    const spec = run({ priorityClassName: "nopreemptionpolicy" }, pcs(neverPreempt));
    expect([spec.priority, spec.preemptionPolicy]).toEqual([2000, "Never"]);
  });
  it("TestPriorityClassAdmission: a second global default is refused", () => {
    const req: PluginRequest = { operation: "CREATE", group: "scheduling.k8s.io", resource: "priorityclasses", kind: "PriorityClass", subresource: "", namespace: "", object: { metadata: { name: "default2" }, value: 2000, globalDefault: true } };
    expect(refusal(() => validateBuiltin(req, pcs(defaultClass)))).toBe('priorityclasses.scheduling.k8s.io "default2" is forbidden: PriorityClass default1 is already marked as default. Only one default can exist');
  });
});

describe("LimitRanger (plugin/pkg/admission/limitranger/admission_test.go)", () => {
  const limitRange = (items: Obj[]) => cluster({ limitRanges: () => [{ metadata: { name: "abc" }, spec: { limits: items } }] });
  const container = (resources: Obj) => ({ name: "foo-0", resources });
  it("TestDefaultContainerResourceRequirements / TestMergePodResourceRequirements: defaults fill what containers leave out, noted in the annotation", () => {
    const req = podRequest({ automountServiceAccountToken: false, containers: [container({ limits: { memory: "1Gi" } })] });
    mutateBuiltin(req, limitRange([{ type: "Container", default: { cpu: "100m", memory: "2Gi" }, defaultRequest: { cpu: "50m", memory: "1Gi" } }]));
    expect(((req.object.spec as Obj).containers as Obj[])[0]!.resources).toEqual({ limits: { memory: "1Gi", cpu: "100m" }, requests: { cpu: "50m", memory: "1Gi" } });
    expect((req.object.metadata as Obj).annotations).toEqual({ "kubernetes.io/limit-ranger": "LimitRanger plugin set: cpu, memory request for container foo-0; cpu limit for container foo-0" });
  });
  it("TestPodLimitFunc: min and max per container, per pod, and the ratio", () => {
    const min = limitRange([{ type: "Container", min: { cpu: "200m" } }]);
    expect(refusal(() => validateBuiltin(podRequest({ containers: [container({ requests: { cpu: "100m" }, limits: { cpu: "300m" } })] }), min))).toBe('pods "p" is forbidden: minimum cpu usage per Container is 200m, but request is 100m');
    expect(refusal(() => validateBuiltin(podRequest({ containers: [container({})] }), min))).toBe('pods "p" is forbidden: minimum cpu usage per Container is 200m.  No request is specified');
    const max = limitRange([{ type: "Pod", max: { memory: "1Gi" } }]);
    const two = [container({ requests: { memory: "600Mi" }, limits: { memory: "600Mi" } }), { ...container({ requests: { memory: "600Mi" }, limits: { memory: "600Mi" } }), name: "foo-1" }];
    expect(refusal(() => validateBuiltin(podRequest({ containers: two }), max))).toBe('pods "p" is forbidden: maximum memory usage per Pod is 1Gi, but limit is 1200Mi');
    const ratio = limitRange([{ type: "Container", maxLimitRequestRatio: { cpu: "2" } }]);
    expect(refusal(() => validateBuiltin(podRequest({ containers: [container({ requests: { cpu: "100m" }, limits: { cpu: "300m" } })] }), ratio))).toBe(
      'pods "p" is forbidden: cpu max limit to request ratio per Container is 2, but provided ratio is 3.000000',
    );
  });
  it("TestPersistentVolumeClaimLimitFunc: a claim below the minimum", () => {
    const req: PluginRequest = { operation: "CREATE", group: "", resource: "persistentvolumeclaims", kind: "PersistentVolumeClaim", subresource: "", namespace: "foo", object: { metadata: { name: "c" }, spec: { resources: { requests: { storage: "1Gi" } } } } };
    expect(refusal(() => validateBuiltin(req, limitRange([{ type: "PersistentVolumeClaim", min: { storage: "10Gi" } }])))).toBe('persistentvolumeclaims "c" is forbidden: minimum storage usage per PersistentVolumeClaim is 10Gi, but request is 1Gi');
  });
});

describe("ResourceQuota (k8s.io/apiserver/pkg/admission/plugin/resourcequota, plugin/pkg/admission/resourcequota/admission_test.go)", () => {
  const quota = (hard: Obj, used: Obj, extra: Obj = {}) => ({ metadata: { name: "quota", namespace: "test" }, spec: { hard, ...extra }, status: { hard, used } });
  const quotas = (...q: Obj[]) => cluster({ resourceQuotas: () => q });
  const pod = (resources: Obj) => podRequest({ containers: [{ name: "c", resources }] }, { namespace: "test" });
  it("TestAdmitBelowQuotaLimit: the quota is charged the pod's usage", () => {
    const q = quota({ cpu: "3", memory: "100Gi", pods: "5" }, { cpu: "1", memory: "50Gi", pods: "3" });
    const charges = validateQuota(pod({ requests: { cpu: "100m", memory: "2Gi" }, limits: { cpu: "200m", memory: "3Gi" } }), quotas(q));
    expect(charges.map((c) => c.used)).toEqual([{ cpu: "1100m", memory: "52Gi", pods: "4" }]);
  });
  it("TestAdmitExceedQuotaLimit", () => {
    const q = quota({ cpu: "3", memory: "100Gi", pods: "5" }, { cpu: "1", memory: "50Gi", pods: "3" });
    expect(refusal(() => validateQuota(pod({ requests: { cpu: "3", memory: "2Gi" }, limits: { cpu: "3", memory: "2Gi" } }), quotas(q)))).toBe('pods "p" is forbidden: exceeded quota: quota, requested: cpu=3, used: cpu=1, limited: cpu=3');
  });
  it("TestAdmitEnforceQuotaConstraints: cpu and memory quotas need every container to state them", () => {
    const q = quota({ cpu: "3", memory: "100Gi", "limits.memory": "200Gi", pods: "5" }, { cpu: "1", memory: "50Gi", "limits.memory": "100Gi", pods: "3" });
    expect(refusal(() => validateQuota(pod({ requests: { cpu: "100m", memory: "2Gi" } }), quotas(q)))).toBe('pods "p" is forbidden: failed quota: quota: must specify limits.memory for: c');
  });
  it("TestAdmitBestEffortQuotaLimitIgnoresBurstable: a BestEffort quota does not see a burstable pod", () => {
    const q = quota({ pods: "1" }, { pods: "1" }, { scopes: ["BestEffort"] });
    expect(validateQuota(pod({ requests: { cpu: "100m" }, limits: { cpu: "200m" } }), quotas(q))).toEqual([]);
    expect(refusal(() => validateQuota(pod({}), quotas(q)))).toBe('pods "p" is forbidden: exceeded quota: quota, requested: pods=1, used: pods=1, limited: pods=1');
  });
  it("TestAdmitBelowServiceQuota / object counts: a Service counts against services and count/services", () => {
    const q = quota({ services: "2", "count/services": "2" }, { services: "1", "count/services": "1" });
    const req: PluginRequest = { operation: "CREATE", group: "", resource: "services", kind: "Service", subresource: "", namespace: "test", object: { metadata: { name: "s" }, spec: { ports: [{ port: 80 }] } } };
    expect(validateQuota(req, quotas(q)).map((c) => c.used)).toEqual([{ "count/services": "2", services: "2" }]);
  });
  it("pkg/controller/resourcequota (TestSyncResourceQuota): status.used counts the namespace's pods, finished ones only as count/pods", () => {
    const q = { metadata: { name: "quota" }, spec: { hard: { cpu: "3", memory: "100Gi", pods: "5", "count/pods": "5" } } };
    const pods = [
      { metadata: { name: "a" }, spec: { containers: [{ name: "c", resources: { requests: { cpu: "100m", memory: "1Gi" } } }] }, status: { phase: "Running" } },
      { metadata: { name: "b" }, spec: { containers: [{ name: "c", resources: { requests: { cpu: "1", memory: "1Gi" } } }] }, status: { phase: "Failed" } },
    ];
    const status = quotaStatus(q, (group, resource) => (group === "" && resource === "pods" ? pods : []), [{ group: "", resource: "pods" }]);
    expect(status).toEqual({ hard: { cpu: "3", memory: "100Gi", pods: "5", "count/pods": "5" }, used: { "count/pods": "2", cpu: "100m", memory: "1Gi", pods: "1" } });
  });
});

describe("SetDefaults_LimitRangeItem (pkg/apis/core/v1/defaults_test.go, TestSetDefaultLimitRangeItem)", () => {
  it("a Container item's default limit comes from max, its default request from the default limit, then from min", async () => {
    const { defaultLimitRange } = await import("../../../src/apiserver/core/quota.js");
    const lr = { metadata: { name: "test-defaults" }, spec: { limits: [{ type: "Container", max: { cpu: "100m" }, min: { memory: "100Mi" }, default: {}, defaultRequest: {} }] } };
    defaultLimitRange(lr);
    const item = lr.spec.limits[0]!;
    expect(item.default).toEqual({ cpu: "100m" });
    expect(item.defaultRequest).toEqual({ cpu: "100m", memory: "100Mi" });
  });
});
