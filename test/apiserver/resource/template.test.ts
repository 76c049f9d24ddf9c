/**
 * ResourceClaimTemplate: translated from Kubernetes' validation_resourceclaimtemplate_test.go
 * (TestValidateClaimTemplate, TestValidateClaimTemplateUpdate): the claim spec under `spec.spec`,
 * immutable once created.
 */
import { describe, expect, it } from "vitest";
import { validateWrite } from "../../../src/apiserver/index.js";
import { formatFieldError } from "../../../src/meta/index.js";

type Obj = Record<string, unknown>;

const badName = "!@#$%^";
const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

function template(requests: Obj[], version = "v1", meta: Obj = {}): Obj {
  return { apiVersion: `resource.k8s.io/${version}`, kind: "ResourceClaimTemplate", metadata: { name: "foo", namespace: "ns", ...meta }, spec: { spec: { devices: { requests } } } };
}
const exact = (extra: Obj = {}): Obj => ({ name: "foo", exactly: { deviceClassName: "foo", ...extra } });

function errors(obj: Obj, minor = 36, extra: Obj = {}): string[] {
  return validateWrite(obj, { minor, ...extra }).errors.map(formatFieldError);
}

describe("ResourceClaimTemplate create", () => {
  it("good templates; metadata", () => {
    expect(errors(template([exact()]))).toEqual([]);
    expect(errors(template([exact()], "v1", { name: "" }))).toEqual(["metadata.name: Required value: name or generateName is required"]);
  });

  it("the claim spec is checked under spec.spec", () => {
    expect(errors(template([exact({ deviceClassName: badName })]))).toEqual([`spec.spec.devices.requests[0].exactly.deviceClassName: Invalid value: "${badName}": ${SUBDOMAIN_MSG}`]);
    expect(errors(template([{ name: "foo" }]))).toEqual(["spec.spec.devices.requests[0]: Required value: exactly one of `exactly` or `firstAvailable` is required"]);
    expect(errors(template([{ name: "foo", deviceClassName: "" }], "v1beta1"), 34)).toEqual(["spec.spec.devices.requests[0]: Required value: exactly one of `exactly` or `firstAvailable` is required"]);
  });

  it("the claims' labels and annotations (ValidateTemplateObjectMeta)", () => {
    const t = template([exact()]);
    (t.spec as Obj).metadata = { labels: { "hello-world": "spaces not allowed" }, annotations: { [badName]: "x" } };
    expect(errors(t)).toEqual([
      `spec.metadata.annotations: Invalid value: "${badName}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
      "spec.metadata.labels: Invalid value: \"spaces not allowed\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    ]);
  });

  it("defaults the requests of the template", () => {
    const out = validateWrite(template([exact()]), { minor: 36 }).object as { spec: { spec: { devices: { requests: Obj[] } } } };
    expect(out.spec.spec.devices.requests[0]).toEqual({ name: "foo", exactly: { deviceClassName: "foo", allocationMode: "ExactCount", count: 1 } });
  });
});

describe("ResourceClaimTemplate update", () => {
  const stored = (): Obj => ({ ...(validateWrite(template([exact()]), { minor: 36 }).object as Obj), metadata: { name: "foo", namespace: "ns", resourceVersion: "1" } });

  it("a no-op update is fine; a changed spec is immutable", () => {
    expect(validateWrite(stored(), { minor: 36, old: stored() }).errors).toEqual([]);
    const next = stored() as { spec: { spec: { devices: { requests: Array<{ exactly: Obj }> } } } };
    next.spec.spec.devices.requests[0]!.exactly.deviceClassName = "foo2";
    const out = validateWrite(next as unknown as Obj, { minor: 36, old: stored() }).errors.map(formatFieldError);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^spec: Invalid value: .*: field is immutable$/);
  });
});
