/**
 * The pod template seam the workload groups call, pod update rules whose message embeds a Go diff,
 * and pod warnings (pkg/api/pod/warnings.go).
 */
import { describe, expect, it } from "vitest";
import { apiContext, FieldPath, kindRules, validateWrite } from "../../../src/apiserver/index.js";
import { defaultPodTemplateSpec, podTemplateWarnings, validatePodSpec, validatePodTemplateSpec } from "../../../src/apiserver/core/pod.js";
import { formatFieldError } from "../../../src/meta/index.js";

type Obj = Record<string, any>;
const ctx36 = apiContext({ minor: 36 });
/** A template as the workload's defaults leave it. */
const template = (spec: Obj, labels: Obj = { app: "job" }): Obj => {
  const t = { metadata: { labels }, spec: { containers: [{ name: "c", image: "busybox" }], ...spec } };
  defaultPodTemplateSpec(t, ctx36);
  return t;
};

describe("validatePodTemplateSpec (for workloads)", () => {
  it("reports a restart policy the workload does not allow after the template's own errors (Job: OnFailure, Never)", () => {
    const t = template({ restartPolicy: "Always", containers: [{ name: "c" }] });
    const errs = validatePodTemplateSpec(t, FieldPath.of("spec", "template"), ctx36, { restartPolicies: ["OnFailure", "Never"] }).map(formatFieldError);
    expect(errs).toEqual(["spec.template.spec.containers[0].image: Required value", 'spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"']);
  });

  it("accepts an allowed restart policy", () => {
    expect(validatePodTemplateSpec(template({ restartPolicy: "Never" }), FieldPath.of("spec", "template"), ctx36, { restartPolicies: ["OnFailure", "Never"] })).toEqual([]);
  });

  it("ratchets against the stored template: a relaxed env name already stored stays allowed in 1.31", () => {
    const withEnv = template({ containers: [{ name: "c", image: "busybox", env: [{ name: "1X", value: "a" }] }] });
    const ctx31 = apiContext({ minor: 31 });
    expect(validatePodTemplateSpec(withEnv, FieldPath.of("spec", "template"), ctx31)).toHaveLength(1);
    expect(validatePodTemplateSpec(withEnv, FieldPath.of("spec", "template"), ctx31, { oldTemplate: withEnv })).toEqual([]);
  });

  it("validates a bare pod spec at the given path", () => {
    expect(validatePodSpec({ containers: [], restartPolicy: "Always", dnsPolicy: "ClusterFirst", terminationGracePeriodSeconds: 30 }, FieldPath.of("spec"), ctx36).map(formatFieldError)).toEqual(["spec.containers: Required value"]);
  });

  it("skips values of the wrong JSON type instead of reporting them twice", () => {
    const spec = { containers: [{ name: 5, image: ["x"], ports: "80", env: { a: 1 }, imagePullPolicy: "Always", terminationMessagePolicy: "File" }], restartPolicy: 3, dnsPolicy: "ClusterFirst", terminationGracePeriodSeconds: 30 };
    expect(validatePodSpec(spec, FieldPath.of("spec"), ctx36)).toEqual([]);
  });
});

describe("ValidatePodUpdate", () => {
  const base = (spec: Obj): Obj => ({ apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "d", resourceVersion: "1" }, spec });

  it("forbids changing other fields, naming what changed", () => {
    const old = base({ containers: [{ name: "c", image: "nginx:1" }] });
    const next = base({ containers: [{ name: "c", image: "nginx:1", args: ["-v"] }], restartPolicy: "Never" });
    const errs = validateWrite(next, { minor: 36, old }).errors.map(formatFieldError);
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatch(/^spec: Forbidden: pod updates may not change fields other than `spec.containers\[\*\].image`,`spec.initContainers\[\*\].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` \(only additions to existing tolerations\),`spec.terminationGracePeriodSeconds` \(allow it to be set to 1 if it was previously negative\)\n/);
    expect(errs[0]).toContain("containers, restartPolicy");
  });

  it("allows a negative grace period to become 1", () => {
    const old = base({ terminationGracePeriodSeconds: -1, containers: [{ name: "c", image: "nginx:1" }] });
    const next = base({ terminationGracePeriodSeconds: 1, containers: [{ name: "c", image: "nginx:1" }] });
    expect(validateWrite(next, { minor: 36, old }).errors).toEqual([]);
  });
});

describe("pod warnings", () => {
  it("warns about deprecated node labels, annotations, volumes, duplicates and fractional bytes", () => {
    const { warnings } = validateWrite(
      {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "p", namespace: "d", annotations: { "scheduler.alpha.kubernetes.io/critical-pod": "" } },
        spec: {
          nodeSelector: { "beta.kubernetes.io/os": "linux" },
          volumes: [{ name: "g", gitRepo: { repository: "https://example.com/r.git" } }],
          imagePullSecrets: [{ name: "a" }, { name: "a" }],
          terminationGracePeriodSeconds: -1,
          containers: [
            {
              name: "c",
              image: "x:1",
              env: [
                { name: "A", value: "1" },
                { name: "A", value: "2" },
              ],
              resources: { limits: { memory: "1500m" } },
              ports: [{ containerPort: 80 }, { containerPort: 80 }],
            },
          ],
        },
      },
      { minor: 36 },
    );
    expect(warnings).toEqual([
      'spec.nodeSelector[beta.kubernetes.io/os]: deprecated since v1.14; use "kubernetes.io/os" instead',
      'metadata.annotations[scheduler.alpha.kubernetes.io/critical-pod]: non-functional in v1.16+; use the "priorityClassName" field instead',
      "spec.volumes[0].gitRepo: deprecated in v1.11",
      'spec.imagePullSecrets[1].name: duplicate name "a"',
      'spec.containers[0].resources.limits[memory]: fractional byte value "1500m" is invalid, must be an integer',
      'spec.containers[0].resources.requests[memory]: fractional byte value "1500m" is invalid, must be an integer',
      'spec.containers[0].env[1]: hides previous definition of "A", which may be dropped when using apply',
      "spec.containers[0].ports[1]: duplicate port definition with spec.containers[0].ports[0]",
      "spec.terminationGracePeriodSeconds: must be >= 0; negative values are invalid and will be treated as 1",
    ]);
  });

  it("names a template's warnings under its path and warns of overlapping volume paths", () => {
    const warnings = podTemplateWarnings(
      { metadata: {}, spec: { volumes: [{ name: "c", configMap: { name: "cm", items: [{ key: "a", path: "conf" }, { key: "b", path: "conf/x" }] } }], topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "zone", whenUnsatisfiable: "DoNotSchedule" }], containers: [] } },
      FieldPath.of("spec", "template"),
      undefined,
      ctx36,
    );
    expect(warnings).toEqual([
      "spec.template.spec.topologySpreadConstraints[0].labelSelector: a null labelSelector results in matching no pod",
      'volume "c" (ConfigMap "cm"): overlapping paths: "conf/x" with "conf"',
    ]);
  });
});

describe("ValidatePodStatusUpdate", () => {
  const rules = kindRules("", "Pod")!;
  const pod = (spec: Obj, status: Obj): Obj => ({ apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "d" }, spec: { containers: [{ name: "c", image: "x" }], ...spec }, status });

  it("keeps terminated containers terminated under restartPolicy Never, and the QoS class fixed", () => {
    const old = pod({ restartPolicy: "Never" }, { qosClass: "BestEffort", containerStatuses: [{ name: "c", state: { terminated: { exitCode: 1 } } }] });
    const next = pod({ restartPolicy: "Never" }, { qosClass: "Burstable", containerStatuses: [{ name: "c", state: { running: {} } }] });
    expect(rules.validateStatusUpdate!(next, old, ctx36).map(formatFieldError)).toEqual([
      'status.qosClass: Invalid value: "Burstable": field is immutable',
      "status.containerStatuses[0].state: Forbidden: may not be transitioned to non-terminated state",
    ]);
  });

  it("checks custom condition types and dual-stack pod IPs", () => {
    const old = pod({}, {});
    const next = pod({}, { conditions: [{ type: "Ready", status: "True" }, { type: "bad type", status: "True" }], podIPs: [{ ip: "10.0.0.1" }, { ip: "10.0.0.2" }] });
    expect(rules.validateStatusUpdate!(next, old, ctx36).map(formatFieldError)).toEqual([
      "metadata.conditions[1].Type: Invalid value: \"bad type\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      'status.podIPs: Invalid value: []core.PodIP{core.PodIP{IP:"10.0.0.1"}, core.PodIP{IP:"10.0.0.2"}}: may specify no more than one IP for each IP family',
    ]);
  });
});
