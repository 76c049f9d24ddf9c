/**
 * DeviceTaintRule: translated from Kubernetes' validation_devicetaintrule_test.go
 * (TestValidateDeviceTaint, TestValidateDeviceTaintUpdate, the status update).
 */
import { describe, expect, it } from "vitest";
import { validateWrite } from "../../../src/apiserver/index.js";
import { formatFieldError } from "../../../src/meta/index.js";

type Obj = Record<string, unknown>;

const badName = "!@#$%^";
const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

function rule(spec: Obj, version = "v1beta2", meta: Obj = {}): Obj {
  return { apiVersion: `resource.k8s.io/${version}`, kind: "DeviceTaintRule", metadata: { name: "foo", ...meta }, spec };
}
const taint = (extra: Obj = {}): Obj => ({ key: "example.com/taint", value: "tainted", effect: "NoExecute", ...extra });

function errors(obj: Obj, minor = 36, extra: Obj = {}): string[] {
  return validateWrite(obj, { minor, ...extra }).errors.map(formatFieldError);
}

describe("DeviceTaintRule create", () => {
  it("good rules, in v1alpha3 and v1beta2", () => {
    expect(errors(rule({ taint: taint() }))).toEqual([]);
    expect(errors(rule({ deviceSelector: { driver: "dra.example.com", pool: "pool/a", device: "dev-0" }, taint: taint() }))).toEqual([]);
    expect(errors(rule({ taint: taint() }, "v1alpha3"), 34)).toEqual([]);
    expect(errors(rule({ taint: taint({ effect: "None" }) }))).toEqual([]);
  });

  it("bad selectors", () => {
    expect(errors(rule({ deviceSelector: { driver: badName, pool: badName, device: badName }, taint: taint() }))).toEqual([
      `spec.deviceSelector.driver: Invalid value: "${badName}": ${SUBDOMAIN_MSG}`,
      `spec.deviceSelector.pool: Invalid value: "${badName}": ${SUBDOMAIN_MSG}`,
      `spec.deviceSelector.device: Invalid value: "${badName}": ${LABEL_MSG}`,
    ]);
  });

  it("bad taints: key, value, effect", () => {
    expect(errors(rule({ taint: taint({ key: "", value: "spaces not allowed", effect: "" }) }))).toEqual([
      'spec.taint.key: Invalid value: "": name part must be non-empty',
      "spec.taint.key: Invalid value: \"\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      "spec.taint.value: Invalid value: \"spaces not allowed\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
      "spec.taint.effect: Required value",
    ]);
    expect(errors(rule({ taint: taint({ effect: "None" }) }, "v1alpha3"), 34)).toEqual(['spec.taint.effect: Unsupported value: "None": supported values: "NoExecute", "NoSchedule"']);
  });

  it("1.33's selectors: a device class and CEL expressions", () => {
    expect(errors(rule({ deviceSelector: { deviceClassName: badName, selectors: [{ cel: { expression: 'device.driver == "x"' } }, {}] }, taint: taint() }, "v1alpha3"), 33)).toEqual([
      `spec.deviceSelector.deviceClassName: Invalid value: "${badName}": ${SUBDOMAIN_MSG}`,
      "spec.deviceSelector.selectors[1].cel: Required value",
    ]);
  });
});

describe("DeviceTaintRule update and status", () => {
  const stored = (t: Obj = taint()): Obj => rule({ taint: t }, "v1beta2", { resourceVersion: "1" });

  it("an unchanged effect is not checked again", () => {
    expect(validateWrite(stored(taint({ effect: "Unknown" })), { minor: 36, old: stored(taint({ effect: "Unknown" })) }).errors).toEqual([]);
    expect(validateWrite(stored(taint({ effect: "Other" })), { minor: 36, old: stored() }).errors.map(formatFieldError)).toEqual([
      'spec.taint.effect: Unsupported value: "Other": supported values: "NoExecute", "NoSchedule", "None"',
    ]);
  });

  it("status: at most 8 conditions", () => {
    const cond = (i: number): Obj => ({ type: `T${i}`, status: "True", reason: "R", message: "", lastTransitionTime: "2025-01-01T00:00:00Z" });
    const withStatus = (n: number): Obj => ({ ...stored(), status: { conditions: Array.from({ length: n }, (_, i) => cond(i)) } });
    expect(validateWrite(withStatus(8), { minor: 36, old: stored(), subresource: "status" }).errors).toEqual([]);
    expect(validateWrite(withStatus(9), { minor: 36, old: stored(), subresource: "status" }).errors.map(formatFieldError)).toEqual(["status.conditions: Too many: 9: must have at most 8 items"]);
  });
});
