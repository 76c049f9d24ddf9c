import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigMap, Deployment, DeploymentList, Pod, Secret } from "kubezod/k8s";
import { parseKube, ValidationError } from "../../src/index.js";
import { repoRoot } from "../support/shared.js";
import { pod } from "../../bench/fixtures.js";

const deployment = () => JSON.parse(readFileSync(join(repoRoot, "test/fixtures/kubectl/deployment.json"), "utf8"));

describe("generated schemas", () => {
  it("keep unknown fields through parse and serialise", () => {
    const input = deployment();
    input.spec.futureField = { nested: [1, 2, { deep: true }] };
    input.spec.template.spec.containers[0].newContainerSetting = "on";
    input.brandNewTopLevel = 42;
    const out = JSON.parse(JSON.stringify(Deployment.parse(input)));
    expect(out).toEqual(input);
  });

  it("parse a list item without apiVersion/kind into a complete object", () => {
    const { apiVersion: _a, kind: _k, ...item } = deployment();
    const list = DeploymentList.parse({ apiVersion: "apps/v1", kind: "DeploymentList", metadata: {}, items: [item] });
    expect(list.items[0]!.apiVersion).toBe("apps/v1");
    expect(list.items[0]!.kind).toBe("Deployment");
    expect(list.items[0]!.spec?.replicas).toBe(3);
  });

  it("report a wrong type at the exact path", () => {
    const input = deployment();
    input.spec.replicas = "3";
    const r = Deployment.safeParse(input);
    expect(r.success).toBe(false);
    expect(r.error!.issues).toHaveLength(1);
    expect(r.error!.issues[0]!.path).toEqual(["spec", "replicas"]);
    expect(() => parseKube(Deployment, input, "response")).toThrow(ValidationError);
    expect(() => parseKube(Deployment, input, "response")).toThrow(/spec\.replicas: Invalid input: expected number, received string/);
  });

  it("treat null in optional fields as unset, like the apiserver", () => {
    const p = pod(1);
    expect(Pod.safeParse(p).success).toBe(true);
    expect(Pod.safeParse({ metadata: { name: "x", creationTimestamp: null, labels: null }, spec: { containers: [{ name: "a", resources: null }] } }).success).toBe(true);
    // Required fields are not optional: null is rejected there.
    expect(Pod.safeParse({ spec: { containers: [{ name: null }] } }).success).toBe(false);
  });

  it("keep wire formats: IntOrString, Quantity, Time, base64 bytes, int32", () => {
    const ok = Pod.safeParse({
      spec: {
        containers: [
          {
            name: "a",
            ports: [{ containerPort: 80 }],
            resources: { limits: { cpu: 1, memory: "1.5Gi" }, requests: { cpu: "250m", memory: 1e9 } },
            livenessProbe: { httpGet: { port: "http" } },
            readinessProbe: { httpGet: { port: 8080 } },
          },
        ],
      },
      status: { startTime: "2024-05-01T10:00:00Z" },
    });
    expect(ok.error?.issues ?? []).toEqual([]);
    expect(ok.data!.spec!.containers[0]!.resources!.limits!.cpu).toBe(1);
    const bad = Pod.safeParse({
      spec: { containers: [{ name: "a", ports: [{ containerPort: 2 ** 31 }], resources: { limits: { cpu: "one" } } }] },
      status: { startTime: "yesterday" },
    });
    expect(bad.error!.issues.map((i) => i.path.join("."))).toEqual([
      "spec.containers.0.ports.0.containerPort",
      "spec.containers.0.resources.limits.cpu",
      "status.startTime",
    ]);
    expect(Secret.safeParse({ data: { password: "czNjcjN0" } }).success).toBe(true);
    expect(Secret.safeParse({ data: { password: "s3cr3t!" } }).error!.issues[0]!.path).toEqual(["data", "password"]);
  });

  it("default apiVersion and kind but reject other values", () => {
    expect(ConfigMap.parse({ data: {} })).toMatchObject({ apiVersion: "v1", kind: "ConfigMap" });
    expect(ConfigMap.safeParse({ apiVersion: "v2", kind: "ConfigMap" }).success).toBe(false);
  });
});
