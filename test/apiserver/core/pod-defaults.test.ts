/**
 * The defaults of pkg/apis/core/v1/defaults.go for pods, templates and replication controllers,
 * checked as the cases of defaults_test.go check them (TestSetDefault…).
 */
import { describe, expect, it } from "vitest";
import { apiContext, validateWrite } from "../../../src/apiserver/index.js";
import { defaultPodSpec, defaultPodTemplateSpec, dropDisabledPodTemplateFields } from "../../../src/apiserver/core/pod.js";
import { defaultPullPolicy, imageTag } from "../../../src/apiserver/core/image.js";

type Obj = Record<string, any>;

const pod = (spec: Obj, minor = 36): Obj =>
  validateWrite({ apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "default" }, spec }, { minor }).object as Obj;

describe("SetDefaults_PodSpec", () => {
  it("fills dnsPolicy, restartPolicy, securityContext, grace period and scheduler (TestSetDefaultPodSpec…)", () => {
    const spec = { containers: [{ name: "c", image: "nginx" }] } as Obj;
    defaultPodSpec(spec, apiContext({ minor: 36 }));
    expect(spec).toMatchObject({ dnsPolicy: "ClusterFirst", restartPolicy: "Always", securityContext: {}, terminationGracePeriodSeconds: 30, schedulerName: "default-scheduler" });
  });

  it("keeps what the user set", () => {
    const spec = { dnsPolicy: "Default", restartPolicy: "Never", terminationGracePeriodSeconds: 5, schedulerName: "mine", containers: [] } as Obj;
    defaultPodSpec(spec, apiContext({ minor: 36 }));
    expect(spec).toMatchObject({ dnsPolicy: "Default", restartPolicy: "Never", terminationGracePeriodSeconds: 5, schedulerName: "mine" });
  });

  it("defaults a template's spec, not its metadata", () => {
    const template = { metadata: { labels: { a: "b" } }, spec: { containers: [{ name: "c", image: "x:1" }] } } as Obj;
    defaultPodTemplateSpec(template, apiContext({ minor: 28 }));
    expect(template.metadata).toEqual({ labels: { a: "b" } });
    expect(template.spec.containers[0]).toEqual({ name: "c", image: "x:1", imagePullPolicy: "IfNotPresent", terminationMessagePath: "/dev/termination-log", terminationMessagePolicy: "File", resources: {} });
  });
});

describe("SetDefaults_Container", () => {
  it.each([
    ["nginx", "Always"],
    ["nginx:latest", "Always"],
    ["nginx:1.27", "IfNotPresent"],
    ["registry.example.com:5000/team/app", "Always"],
    ["registry.example.com:5000/team/app:v2", "IfNotPresent"],
    ["nginx@sha256:0123456789012345678901234567890123456789012345678901234567890123", "IfNotPresent"],
    ["nginx:1.27@sha256:0123456789012345678901234567890123456789012345678901234567890123", "IfNotPresent"],
    ["Nginx", "IfNotPresent"],
    ["", "IfNotPresent"],
  ])("image %j gets imagePullPolicy %s (TestSetDefaultImagePullPolicy)", (image, policy) => {
    expect(defaultPullPolicy(image)).toBe(policy);
  });

  it("reads the tag of a reference with a registry port", () => {
    expect(imageTag("localhost:5000/app")).toBe("latest");
    expect(imageTag("localhost:5000/app:dev")).toBe("dev");
  });

  it("fills termination message fields and the container port protocol", () => {
    const p = pod({ containers: [{ name: "c", image: "nginx:1", ports: [{ containerPort: 80 }] }] });
    expect(p.spec.containers[0]).toMatchObject({ terminationMessagePath: "/dev/termination-log", terminationMessagePolicy: "File", ports: [{ containerPort: 80, protocol: "TCP" }] });
  });

  it("fills the apiVersion of a downward API field selector (TestSetDefaultObjectFieldSelectorAPIVersion)", () => {
    const p = pod({ containers: [{ name: "c", image: "x:1", env: [{ name: "N", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }] }] });
    expect(p.spec.containers[0].env[0].valueFrom.fieldRef.apiVersion).toBe("v1");
  });
});

describe("SetDefaults_Probe and SetDefaults_HTTPGetAction", () => {
  it("fills timeouts, period, thresholds, path and scheme (TestSetDefaultProbe)", () => {
    const p = pod({ containers: [{ name: "c", image: "x:1", livenessProbe: { httpGet: { port: 80 } }, readinessProbe: { grpc: { port: 9000 } } }] });
    expect(p.spec.containers[0].livenessProbe).toEqual({ httpGet: { port: 80, path: "/", scheme: "HTTP" }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
    expect(p.spec.containers[0].readinessProbe.grpc).toEqual({ port: 9000, service: "" });
  });

  it("defaults lifecycle httpGet handlers", () => {
    const p = pod({ containers: [{ name: "c", image: "x:1", lifecycle: { preStop: { httpGet: { port: 8080 } } } }] });
    expect(p.spec.containers[0].lifecycle.preStop.httpGet).toEqual({ port: 8080, path: "/", scheme: "HTTP" });
  });
});

describe("volume defaults", () => {
  it("gives a volume without a source an emptyDir (TestSetDefaultVolume)", () => {
    expect(pod({ volumes: [{ name: "v" }], containers: [] }).spec.volumes[0]).toEqual({ name: "v", emptyDir: {} });
  });

  it("sets defaultMode 0644 (420) on secret, config map, downward API and projected volumes (TestSetDefault…VolumeSource)", () => {
    const p = pod({
      volumes: [
        { name: "s", secret: { secretName: "s" } },
        { name: "c", configMap: { name: "c" } },
        { name: "d", downwardAPI: { items: [{ path: "n", fieldRef: { fieldPath: "metadata.name" } }] } },
        { name: "p", projected: { sources: [{ serviceAccountToken: { path: "t" } }] } },
        { name: "h", hostPath: { path: "/x" } },
      ],
      containers: [],
    });
    const [s, c, d, pr, h] = p.spec.volumes;
    expect([s.secret.defaultMode, c.configMap.defaultMode, d.downwardAPI.defaultMode, pr.projected.defaultMode]).toEqual([420, 420, 420, 420]);
    expect(d.downwardAPI.items[0].fieldRef.apiVersion).toBe("v1");
    expect(pr.projected.sources[0].serviceAccountToken.expirationSeconds).toBe(3600);
    expect(h.hostPath.type).toBe("");
  });

  it("keeps a mode the user wrote (0400 is 256)", () => {
    expect(pod({ volumes: [{ name: "s", secret: { secretName: "s", defaultMode: 256 } }], containers: [] }).spec.volumes[0].secret.defaultMode).toBe(256);
  });
});

describe("SetDefaults_Pod", () => {
  it("copies limits into absent requests for pods (TestSetDefaultRequestsPod)", () => {
    const p = pod({ containers: [{ name: "c", image: "x:1", resources: { limits: { cpu: "1", memory: "1Gi" }, requests: { cpu: "500m" } } }] });
    expect(p.spec.containers[0].resources.requests).toEqual({ cpu: "500m", memory: "1Gi" });
  });

  it("does not copy limits into requests in a template (TestDefaultRequestIsNotSetForReplicationController)", () => {
    const rc = validateWrite(
      {
        apiVersion: "v1",
        kind: "ReplicationController",
        metadata: { name: "r", namespace: "default" },
        spec: { template: { metadata: { labels: { a: "b" } }, spec: { containers: [{ name: "c", image: "x:1", resources: { limits: { cpu: "1" } } }] } } },
      },
      { minor: 36 },
    ).object as Obj;
    expect(rc.spec.template.spec.containers[0].resources).toEqual({ limits: { cpu: "1" } });
  });

  it("sets enableServiceLinks and, under hostNetwork, host ports (TestSetDefaultEnableServiceLinks, TestSetDefaultHostNetwork)", () => {
    const p = pod({ hostNetwork: true, containers: [{ name: "c", image: "x:1", ports: [{ containerPort: 53, protocol: "UDP" }] }] });
    expect(p.spec.enableServiceLinks).toBe(true);
    expect(p.spec.containers[0].ports[0].hostPort).toBe(53);
  });

  it("defaults pod-level requests from the containers' requests, then from pod limits (1.34+)", () => {
    const p = pod({ resources: { limits: { cpu: "2", memory: "1Gi" } }, containers: [{ name: "a", image: "x:1", resources: { requests: { cpu: "250m" } } }, { name: "b", image: "x:1", resources: { requests: { cpu: "250m" } } }] });
    expect(p.spec.resources.requests).toEqual({ cpu: "500m", memory: "1Gi" });
  });
});

describe("SetDefaults_ReplicationController", () => {
  const write = (spec: Obj, labels?: Obj) =>
    validateWrite({ apiVersion: "v1", kind: "ReplicationController", metadata: { name: "r", namespace: "default", ...(labels ? { labels } : {}) }, spec }, { minor: 36 }).object as Obj;

  it("takes selector and labels from the template (TestSetDefaultReplicationControllerSelector, …Labels)", () => {
    const rc = write({ template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "x:1" }] } } });
    expect(rc.spec.selector).toEqual({ app: "web" });
    expect(rc.metadata.labels).toEqual({ app: "web" });
    expect(rc.spec.replicas).toBe(1);
  });

  it("keeps a selector and labels the user wrote", () => {
    const rc = write({ selector: { app: "x" }, replicas: 0, template: { metadata: { labels: { app: "x", v: "1" } }, spec: { containers: [] } } }, { team: "a" });
    expect(rc.spec.selector).toEqual({ app: "x" });
    expect(rc.metadata.labels).toEqual({ team: "a" });
    expect(rc.spec.replicas).toBe(0);
  });
});

describe("dropDisabledPodTemplateFields", () => {
  it("clears the sidecar restart policy while SidecarContainers is off (1.28), unless the stored template uses it", () => {
    const template = (): Obj => ({ spec: { initContainers: [{ name: "s", image: "x", restartPolicy: "Always" }], containers: [] } });
    const t28 = template();
    dropDisabledPodTemplateFields(t28, undefined, apiContext({ minor: 28 }));
    expect(t28.spec.initContainers[0].restartPolicy).toBeUndefined();
    const kept = template();
    dropDisabledPodTemplateFields(kept, template(), apiContext({ minor: 28 }));
    expect(kept.spec.initContainers[0].restartPolicy).toBe("Always");
    const t29 = template();
    dropDisabledPodTemplateFields(t29, undefined, apiContext({ minor: 29 }));
    expect(t29.spec.initContainers[0].restartPolicy).toBe("Always");
  });
});

describe("Pod strategy", () => {
  it("starts a pod Pending with its QoS class", () => {
    const guaranteed = validateWrite({ apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "d" }, spec: { containers: [{ name: "c", image: "x:1", resources: { limits: { cpu: "1", memory: "1Gi" } } }] } }, { minor: 36 }).object as Obj;
    expect(guaranteed.status).toEqual({ phase: "Pending", qosClass: "Guaranteed" });
    expect((pod({ containers: [{ name: "c", image: "x:1" }] }).status as Obj).qosClass).toBe("BestEffort");
    expect((pod({ containers: [{ name: "c", image: "x:1", resources: { requests: { cpu: "1" } } }] }).status as Obj).qosClass).toBe("Burstable");
  });

  it("marks a gated pod unschedulable", () => {
    expect((pod({ schedulingGates: [{ name: "example.com/a" }], containers: [] }).status as Obj).conditions).toEqual([
      { type: "PodScheduled", status: "False", reason: "SchedulingGated", message: "Scheduling is blocked due to non-empty scheduling gates" },
    ]);
  });
});
