/**
 * DeviceClass: translated from Kubernetes' pkg/apis/resource/validation/validation_deviceclass_test.go
 * (TestValidateClass, TestValidateClassUpdate) through the write path.
 */
import { describe, expect, it } from "vitest";
import { validateWrite } from "../../../src/apiserver/index.js";
import { formatFieldError } from "../../../src/meta/index.js";

type Obj = Record<string, unknown>;

const badName = "!@#$%^";
const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

function deviceClass(spec: Obj = {}, meta: Obj = {}, version = "v1"): Obj {
  return { apiVersion: `resource.k8s.io/${version}`, kind: "DeviceClass", metadata: { name: "foo", ...meta }, spec };
}

function errors(obj: Obj, minor = 36, extra: Obj = {}): string[] {
  return validateWrite(obj, { minor, ...extra }).errors.map(formatFieldError);
}

const validSelector = { cel: { expression: "true" } };
const validConfig = { opaque: { driver: "foo", parameters: { foo: 42 } } };
const withParams = (parameters: unknown): Obj => ({ opaque: { driver: "foo", parameters } });
// Go's table sends `{"str": "…"}` (with a space); sizes here are of compact JSON, one byte less.
const fits = { str: "x".repeat(10 * 1024 - 9 - 2 + 1) };
const tooLarge = { str: "x".repeat(10 * 1024 - 9 - 2 + 2) };

describe("DeviceClass create (TestValidateClass)", () => {
  it("good classes and metadata", () => {
    expect(errors(deviceClass())).toEqual([]);
    expect(errors(deviceClass({}, { generateName: "pvc-", finalizers: ["example.com/foo"], labels: { "apps.kubernetes.io/name": "test" }, annotations: { foo: "bar" } }))).toEqual([]);
    expect(errors({ ...deviceClass(), metadata: {} })).toEqual(["metadata.name: Required value: name or generateName is required"]);
    expect(errors(deviceClass({}, { name: badName }))).toEqual([`metadata.name: Invalid value: "${badName}": ${SUBDOMAIN_MSG}`]);
  });

  it("extended resource names", () => {
    expect(errors(deviceClass({ extendedResourceName: "example.com/gpu" }))).toEqual([]);
    expect(errors(deviceClass({ extendedResourceName: "example.com" }))).toEqual(['spec.extendedResourceName: Invalid value: "example.com": must be a valid extended resource name']);
    expect(errors(deviceClass({ extendedResourceName: "kubernetes.io/gpu" }))).toEqual(['spec.extendedResourceName: Invalid value: "kubernetes.io/gpu": must be a valid extended resource name']);
  });

  it("selectors: CEL required, compiled, at most 32", () => {
    const selectors = [validSelector, {}, { cel: { expression: "noSuchVar" } }];
    while (selectors.length < 32) selectors.push(validSelector);
    const out = errors(deviceClass({ selectors }));
    expect(out[0]).toBe("spec.selectors[1].cel: Required value");
    expect(out[1]).toMatch(/^spec\.selectors\[2\]\.cel\.expression: Invalid value: "noSuchVar": compilation failed: .*noSuchVar/);
    expect(out).toHaveLength(2);
    expect(errors(deviceClass({ selectors: Array.from({ length: 33 }, () => validSelector) }))).toEqual(["spec.selectors: Too many: 33: must have at most 32 items"]);
  });

  it("configuration: driver, parameters, size", () => {
    const config = [validConfig, { opaque: {} }, withParams("hello-world"), withParams(null), {}, withParams(fits), withParams(tooLarge)];
    while (config.length < 32) config.push(validConfig);
    expect(errors(deviceClass({ config }))).toEqual([
      "spec.config[1].opaque.driver: Required value",
      "spec.config[1].opaque.parameters: Required value",
      'spec.config[2].opaque.parameters: Invalid value: "<value omitted>": must be a valid JSON object',
      "spec.config[3].opaque.parameters: Required value",
      "spec.config[4].opaque: Required value",
      "spec.config[6].opaque.parameters: Too long: may not be more than 10240 bytes",
    ]);
    expect(errors(deviceClass({ config: Array.from({ length: 33 }, () => validConfig) }))).toEqual(["spec.config: Too many: 33: must have at most 32 items"]);
  });

  it("v1beta1 and v1beta2 classes have the same rules", () => {
    for (const version of ["v1beta1", "v1beta2"]) {
      expect(errors(deviceClass({ selectors: [validSelector], config: [validConfig] }, {}, version), 34)).toEqual([]);
      expect(errors(deviceClass({ selectors: [{}] }, {}, version), 34)).toEqual(["spec.selectors[0].cel: Required value"]);
    }
  });
});

describe("DeviceClass update (TestValidateClassUpdate)", () => {
  const stored = (spec: Obj = {}): Obj => ({ ...deviceClass(spec), metadata: { name: "foo", resourceVersion: "1" } });
  const update = (next: Obj, old: Obj) => validateWrite(next, { minor: 36, old }).errors.map(formatFieldError);

  it("no-op, a large config that fits, one too large", () => {
    expect(update(stored(), stored())).toEqual([]);
    expect(update(stored({ config: [withParams(fits)] }), stored())).toEqual([]);
    expect(update(stored({ config: [withParams(tooLarge)] }), stored())).toEqual(["spec.config[0].opaque.parameters: Too long: may not be more than 10240 bytes"]);
  });

  it("generation: 1 on create, incremented by spec changes only", () => {
    const created = validateWrite(deviceClass(), { minor: 36 }).object as Obj;
    expect((created.metadata as Obj).generation).toBe(1);
    const old = { ...stored(), metadata: { name: "foo", resourceVersion: "1", generation: 3 } };
    const relabelled = { ...stored(), metadata: { name: "foo", resourceVersion: "1", generation: 3, labels: { a: "b" } } };
    expect(((validateWrite(relabelled, { minor: 36, old }).object as Obj).metadata as Obj).generation).toBe(3);
    const changed = { ...stored({ selectors: [validSelector] }), metadata: { name: "foo", resourceVersion: "1", generation: 3 } };
    expect(((validateWrite(changed, { minor: 36, old }).object as Obj).metadata as Obj).generation).toBe(4);
  });

  it("a stored configuration stays valid while unchanged (too-large-config-valid-if-stored)", () => {
    const old = stored({ config: [withParams(tooLarge)] });
    expect(update(stored({ config: [withParams(tooLarge)] }), old)).toEqual([]);
  });
});
