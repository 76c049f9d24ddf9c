/**
 * ResourceSlice: translated from Kubernetes' pkg/apis/resource/validation/validation_resourceslice_test.go
 * (TestValidateResourceSlice, TestValidateResourceSliceUpdate) through the write path; the newest
 * table at 1.36, the 1.33 code's paths (`basic`) and wording at 1.33.
 */
import { describe, expect, it } from "vitest";
import { validateWrite } from "../../../src/apiserver/index.js";
import { formatFieldError } from "../../../src/meta/index.js";

type Obj = Record<string, unknown>;

const goodName = "foo";
const badName = "!@#$%^";
const driverName = "test.example.com";
const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const C_IDENT_MSG =
  "a valid C identifier must start with alphabetic character or '_', followed by a string of alphanumeric characters or '_' (e.g. 'my_name',  or 'MY_NAME',  or 'MyName', regex used for validation is '[A-Za-z_][A-Za-z0-9_]*')";

const attributes = (): Obj => ({ int: { int: 42 }, string: { string: "hello world" }, version: { version: "1.2.3" }, bool: { bool: true } });
const capacity = (): Obj => ({ memory: { value: "1Gi" } });

/** `testResourceSlice` in the v1 shape (flat devices). */
function slice(name: string, nodeName: string, driver: string, devices: number, version = "v1"): Obj {
  const flat = version !== "v1alpha3" && version !== "v1beta1";
  return {
    apiVersion: `resource.k8s.io/${version}`,
    kind: "ResourceSlice",
    metadata: { name },
    spec: {
      nodeName,
      driver,
      pool: { name: nodeName, resourceSliceCount: 1 },
      devices: Array.from({ length: devices }, (_, d) =>
        flat ? { name: `device-${d}`, attributes: attributes(), capacity: capacity() } : { name: `device-${d}`, basic: { attributes: attributes(), capacity: capacity() } },
      ),
    },
  };
}

const spec = (s: Obj): Obj & { devices: Obj[]; pool: Obj } => s.spec as Obj & { devices: Obj[]; pool: Obj };

function errors(obj: Obj, minor = 36, extra: Obj = {}): string[] {
  return validateWrite(obj, { minor, ...extra }).errors.map(formatFieldError);
}

describe("ResourceSlice create (TestValidateResourceSlice)", () => {
  it("good: the most devices; too-large: one more", () => {
    expect(errors(slice(goodName, goodName, driverName, 128))).toEqual([]);
    expect(errors(slice(goodName, goodName, goodName, 129))).toEqual(["spec.devices: Too many: 129: must have at most 128 items"]);
  });

  it("good-taints: 64 tainted devices; too-large-taints: 65", () => {
    const tainted = (n: number) => {
      const s = slice(goodName, goodName, goodName, n);
      for (const d of spec(s).devices) d.taints = [{ key: "example.com/taint", effect: "NoExecute" }];
      return s;
    };
    expect(errors(tainted(64))).toEqual([]);
    expect(errors(tainted(65))).toEqual(["spec.devices: Too many: 65: must have at most 64 items"]);
  });

  it("names: metadata, node, pool and driver", () => {
    expect(errors(slice("", goodName, driverName, 1))).toEqual(["metadata.name: Required value: name or generateName is required"]);
    expect(errors(slice(badName, goodName, driverName, 1))).toEqual([`metadata.name: Invalid value: "${badName}": ${SUBDOMAIN_MSG}`]);
    expect(errors({ ...slice(goodName, goodName, driverName, 1), metadata: { generateName: "prefix-" } })).toEqual([]);
    expect(errors(slice(goodName, badName, driverName, 1))).toEqual([`spec.pool.name: Invalid value: "${badName}": ${SUBDOMAIN_MSG}`, `spec.nodeName: Invalid value: "${badName}": ${SUBDOMAIN_MSG}`]);
    expect(errors(slice(goodName, `${badName}/${badName}`, driverName, 1))).toEqual([
      `spec.pool.name: Invalid value: "${badName}": ${SUBDOMAIN_MSG}`,
      `spec.pool.name: Invalid value: "${badName}": ${SUBDOMAIN_MSG}`,
      `spec.nodeName: Invalid value: "${badName}/${badName}": ${SUBDOMAIN_MSG}`,
    ]);
    expect(errors(slice(goodName, goodName, badName, 1))).toEqual([`spec.driver: Invalid value: "${badName}": ${SUBDOMAIN_MSG}`]);
  });

  it("pools: long names, counts and generations (good-pool-name, bad-pool, missing-pool-name)", () => {
    const s = slice(goodName, goodName, driverName, 1);
    spec(s).pool.name = "x".repeat(253);
    expect(errors(s)).toEqual([]);
    const bad = slice(goodName, goodName, driverName, 1);
    spec(bad).pool = { name: `${"x/".repeat(126)}xy`, resourceSliceCount: 0, generation: -1 };
    expect(errors(bad)).toEqual([
      "spec.pool.name: Too long: may not be more than 253 bytes",
      "spec.pool.resourceSliceCount: Invalid value: 0: must be greater than zero",
      "spec.pool.generation: Invalid value: -1: must be greater than or equal to zero",
    ]);
    const missing = slice(goodName, goodName, driverName, 1);
    spec(missing).pool.name = "";
    expect(errors(missing)).toEqual(["spec.pool.name: Required value"]);
  });

  it("node selection: exactly one of nodeName, nodeSelector, allNodes, perDeviceNodeSelection", () => {
    const s = (fields: Obj) => {
      const out = slice(goodName, goodName, driverName, 1);
      delete (out.spec as Obj).nodeName;
      Object.assign(out.spec as Obj, fields);
      return out;
    };
    expect(errors(s({ nodeSelector: {} }))).toEqual([
      "spec.nodeSelector.nodeSelectorTerms: Required value: must have at least one node selector term",
      "spec.nodeSelector.nodeSelectorTerms: Invalid value: []: must have exactly one node selector term",
    ]);
    const selector = { nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: ["worker"] }] }] };
    expect(errors(s({ nodeSelector: selector }))).toEqual([]);
    expect(errors(s({ allNodes: true }))).toEqual([]);
    expect(errors(s({ nodeName: "worker", nodeSelector: selector }))).toEqual([
      "spec: Invalid value: \"{`nodeName`, `nodeSelector`}\": exactly one of `nodeName`, `nodeSelector`, `allNodes`, `perDeviceNodeSelection` is required, but multiple fields are set",
    ]);
    expect(errors(s({ nodeName: "worker", allNodes: true }))).toEqual([
      "spec: Invalid value: \"{`nodeName`, `allNodes`}\": exactly one of `nodeName`, `nodeSelector`, `allNodes`, `perDeviceNodeSelection` is required, but multiple fields are set",
    ]);
    expect(errors(s({}))).toEqual(["spec: Required value: exactly one of `nodeName`, `nodeSelector`, `allNodes`, `perDeviceNodeSelection` is required"]);
    expect(errors(s({}), 33)).toEqual(["spec: Required value: exactly one of `nodeName`, `nodeSelector`, or `allNodes` is required"]);
  });

  it("per-device node selection", () => {
    const s = slice(goodName, goodName, driverName, 3);
    delete (s.spec as Obj).nodeName;
    (s.spec as Obj).perDeviceNodeSelection = true;
    const [a, b, c] = spec(s).devices;
    a!.nodeName = "worker";
    b!.allNodes = true;
    c!.nodeName = "worker";
    c!.allNodes = true;
    expect(errors(s)).toEqual([
      "spec.devices[2]: Invalid value: \"{`nodeName`, `allNodes`}\": exactly one of `nodeName`, `nodeSelector`, or `allNodes` is required when `perDeviceNodeSelection` is set to true in the ResourceSlice spec",
    ]);
    const plain = slice(goodName, goodName, driverName, 1);
    spec(plain).devices[0]!.nodeName = "worker";
    expect(errors(plain)).toEqual(["spec.devices[0]: Invalid value: null: `nodeName`, `nodeSelector` and `allNodes` can only be set if `perDeviceNodeSelection` is set to true in the ResourceSlice spec"]);
  });

  it("both-shared-counters-and-devices; shared counters", () => {
    const both = slice(goodName, goodName, driverName, 1);
    (both.spec as Obj).sharedCounters = [{ name: "counterset", counters: { memory: { value: "1Gi" } } }];
    expect(errors(both)).toEqual(['spec: Invalid value: "": only one of `sharedCounters` or `devices` is allowed']);
    const counters = slice(goodName, goodName, driverName, 0);
    delete (counters.spec as Obj).devices;
    (counters.spec as Obj).sharedCounters = [
      { name: "counterset-0", counters: { memory: { value: "1Gi" } } },
      { name: "counterset-0", counters: { memory: { value: "1Gi" } } },
      { name: "", counters: {} },
    ];
    // Items first, then duplicates, as validateSet walks them.
    expect(errors(counters)).toEqual(["spec.sharedCounters[2].name: Required value", "spec.sharedCounters[2].counters: Required value", 'spec.sharedCounters[1]: Duplicate value: "counterset-0"']);
  });

  it("bad-devices and bad-attribute", () => {
    const devices = slice(goodName, goodName, goodName, 3);
    spec(devices).devices[1]!.name = badName;
    expect(errors(devices)).toEqual([`spec.devices[1].name: Invalid value: "${badName}": ${LABEL_MSG}`]);

    const s = slice(goodName, goodName, goodName, 5);
    const d = spec(s).devices;
    d[1]!.attributes = { [badName]: {} };
    d[2]!.attributes = { [goodName]: { string: "x", version: "1.2.3" } };
    d[3]!.attributes = { [goodName]: { version: "x".repeat(65) } };
    d[4]!.attributes = { [goodName]: { string: "x".repeat(65) } };
    const out = errors(s);
    expect(out[0]).toBe(`spec.devices[1].attributes: Invalid value: "${badName}": ${C_IDENT_MSG}`);
    expect(out[1]).toBe(`spec.devices[1].attributes[${badName}]: Invalid value: "": exactly one value must be specified`);
    expect(out[2]).toMatch(/^spec\.devices\[2\]\.attributes\[foo\]: Invalid value: .*: exactly one value must be specified$/);
    expect(out.slice(3)).toEqual([
      `spec.devices[3].attributes[foo].version: Invalid value: "${"x".repeat(65)}": must be a string compatible with semver.org spec 2.0.0`,
      "spec.devices[3].attributes[foo].version: Too long: may not be more than 64 bytes",
      "spec.devices[4].attributes[foo].string: Too long: may not be more than 64 bytes",
    ]);
  });

  it("list attributes (DRAListTypeAttributes): good-list-attribute, bad-list-attribute", () => {
    const gates = { featureGates: { DRAListTypeAttributes: true } };
    const good = slice(goodName, goodName, goodName, 4);
    [{ bools: [true] }, { ints: [1] }, { strings: ["x"] }, { versions: ["1.2.3"] }].forEach((a, i) => (spec(good).devices[i]!.attributes = { [goodName]: a }));
    expect(errors(good, 36, gates)).toEqual([]);
    const bad = slice(goodName, goodName, goodName, 8);
    const long = "x".repeat(65);
    [{ ints: [1], bools: [true] }, { ints: [1], bools: [true], strings: [] }, { strings: [long] }, { versions: [long] }, { bools: [] }, { ints: [] }, { strings: [] }, { versions: [] }].forEach(
      (a, i) => (spec(bad).devices[i]!.attributes = { [goodName]: a }),
    );
    const out = errors(bad, 36, gates);
    const at = (i: number) => `spec.devices[${i}].attributes[foo]`;
    expect(out[0]).toMatch(/^spec\.devices\[0\]\.attributes\[foo\]: Invalid value: .*: exactly one value must be specified$/);
    expect(out[1]).toBe(`${at(1)}.strings: Invalid value: []: must not be empty if specified`);
    expect(out[2]).toMatch(/^spec\.devices\[1\]\.attributes\[foo\]: Invalid value: .*: exactly one value must be specified$/);
    expect(out.slice(3)).toEqual([
      `${at(2)}.strings[0]: Too long: may not be more than 64 bytes`,
      `${at(3)}.versions[0]: Invalid value: "${long}": must be a string compatible with semver.org spec 2.0.0`,
      `${at(3)}.versions[0]: Too long: may not be more than 64 bytes`,
      `${at(4)}.bools: Invalid value: []: must not be empty if specified`,
      `${at(5)}.ints: Invalid value: []: must not be empty if specified`,
      `${at(6)}.strings: Invalid value: []: must not be empty if specified`,
      `${at(7)}.versions: Invalid value: []: must not be empty if specified`,
    ]);
    // Off by default: list values are not judged, nor do they lower the device limit.
    expect(errors(bad)).toEqual([]);
    const many = slice(goodName, goodName, goodName, 65);
    spec(many).devices[0]!.attributes = { ints: { ints: [1, 2, 3] } };
    expect(errors(many)).toEqual([]);
    expect(errors(many, 36, gates)).toEqual(["spec.devices: Too many: 65: must have at most 64 items"]);
  });

  it("attribute names: qualified, with a driver-name domain", () => {
    const s = slice(goodName, goodName, goodName, 1);
    spec(s).devices[0]!.attributes = { "dra.example.com/model": { string: "a" }, "/empty": { int: 1 }, "a/b/c": { int: 1 } };
    expect(errors(s)).toEqual([
      'spec.devices[0].attributes: Invalid value: "": the domain must not be empty',
      'spec.devices[0].attributes: Invalid value: "a/b/c": must not contain more than one slash',
    ]);
  });

  it("too many attributes and capacities", () => {
    const s = slice(goodName, goodName, goodName, 1);
    const many: Obj = {};
    for (let i = 0; i < 30; i++) many[`attr_${i}`] = { int: i };
    spec(s).devices[0]!.attributes = many;
    spec(s).devices[0]!.capacity = { a: { value: "1" }, b: { value: "1" }, c: { value: "1" } };
    expect(errors(s)).toEqual(["spec.devices[0]: Invalid value: 33: the total number of attributes and capacities must not exceed 32"]);
  });

  it("taints on devices: keys, values, effects", () => {
    const s = slice(goodName, goodName, goodName, 1);
    spec(s).devices[0]!.taints = [{ key: "example.com/taint", value: "x", effect: "NoSchedule" }, { key: "", effect: "" }, { key: "k", value: "spaces not allowed", effect: "Sometimes" }];
    expect(errors(s)).toEqual([
      'spec.devices[0].taints[1].key: Invalid value: "": name part must be non-empty',
      "spec.devices[0].taints[1].key: Invalid value: \"\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      "spec.devices[0].taints[1].effect: Required value",
      "spec.devices[0].taints[2].value: Invalid value: \"spaces not allowed\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
      'spec.devices[0].taints[2].effect: Unsupported value: "Sometimes": supported values: "NoExecute", "NoSchedule", "None"',
    ]);
  });

  it("binding conditions go together", () => {
    const s = slice(goodName, goodName, goodName, 2);
    spec(s).devices[0]!.bindingConditions = ["a"];
    spec(s).devices[0]!.bindingFailureConditions = ["b"];
    spec(s).devices[1]!.bindingConditions = ["a"];
    expect(errors(s)).toEqual(["spec.devices[1].bindingFailureConditions: Invalid value: null: bindingFailureConditions are required to use bindingConditions"]);
  });
});

describe("consumable capacity request policies (TestValidateDeviceCapacity)", () => {
  const capErrors = (value: string, requestPolicy?: Obj): string[] => {
    const s = slice("foo", "foo", driverName, 1);
    spec(s).devices[0] = { name: "d", allowMultipleAllocations: true, capacity: { c: { value, ...(requestPolicy ? { requestPolicy } : {}) } } };
    return errors(s).map((e) => e.replace("spec.devices[0].capacity[c].", ""));
  };
  const range = (min?: string, max?: string, step?: string): Obj => ({ ...(min ? { min } : {}), ...(max ? { max } : {}), ...(step ? { step } : {}) });

  it("valid policies", () => {
    expect(capErrors("1Gi")).toEqual([]);
    expect(capErrors("1Gi", {})).toEqual([]);
    expect(capErrors("10Gi", { default: "1Gi", validRange: range("1Gi") })).toEqual([]);
    expect(capErrors("10Gi", { default: "1Gi", validRange: range("1Gi", "10Gi") })).toEqual([]);
    expect(capErrors("10Gi", { default: "1Gi", validRange: range("1Gi", undefined, "1Gi") })).toEqual([]);
    expect(capErrors("10Gi", { default: "1Gi", validRange: range("1Gi", "10Gi", "1Gi") })).toEqual([]);
    expect(capErrors("10Gi", { default: "1Gi", validValues: ["1Gi"] })).toEqual([]);
    expect(capErrors("10Gi", { default: "1Gi", validValues: ["1Gi", "10Gi"] })).toEqual([]);
    expect(capErrors("10Gi", { default: "1Gi" })).toEqual([]);
  });

  it("defaults, mins and one policy only", () => {
    expect(capErrors("1Gi", { validValues: ["1Gi"] })).toEqual(["requestPolicy.default: Required value: required when validValues is defined"]);
    expect(capErrors("1Gi", { validRange: range("1Gi") })).toEqual(["requestPolicy.default: Required value: required when validRange is defined"]);
    expect(capErrors("1Gi", { default: "1Gi", validRange: {} })).toEqual(["requestPolicy.validRange.min: Required value: required when validRange is defined"]);
    expect(capErrors("10Gi", { default: "1Gi", validValues: ["1Gi"], validRange: range("1Gi") })).toEqual([
      'requestPolicy: Forbidden: exactly one policy can be specified, cannot specify "validValues" and "validRange" at the same time',
    ]);
  });

  it("valid values: within the capacity, unique, sorted, holding the default", () => {
    expect(capErrors("10Gi", { default: "1Gi", validValues: ["20Gi"] })).toEqual([
      'requestPolicy.validValues[0]: Invalid value: "20Gi": option is larger than capacity value: 10Gi',
      'requestPolicy.validValues: Invalid value: "1Gi": default value is not valid according to the requestPolicy',
    ]);
    expect(capErrors("10Gi", { default: "1Gi", validValues: ["1Gi", "1Gi"] })).toEqual(['requestPolicy.validValues[1]: Duplicate value: "1073741824"']);
    expect(capErrors("10Gi", { default: "1Ki", validValues: ["1Ki", "1024"] })).toEqual(['requestPolicy.validValues[1]: Duplicate value: "1024"']);
    expect(capErrors("10Gi", { default: "1Gi", validValues: ["2Gi", "1Gi"] })).toEqual(['requestPolicy.validValues[1]: Invalid value: "1Gi": values must be sorted in ascending order']);
  });

  it("ranges: bounds, capacity and steps", () => {
    expect(capErrors("10Gi", { default: "2Gi", validRange: range("20Gi", "1Gi") })).toEqual([
      'requestPolicy.validRange.min: Invalid value: "20Gi": min is larger than capacity value: 10Gi',
      'requestPolicy.validRange.min: Invalid value: "2Gi": default is less than min: 20Gi',
      'requestPolicy.validRange.max: Invalid value: "20Gi": min is larger than max: 1Gi',
      'requestPolicy.validRange.max: Invalid value: "2Gi": default is more than max: 1Gi',
    ]);
    expect(capErrors("10Gi", { default: "1Gi", validRange: range("1Gi", "20Gi") })).toEqual(['requestPolicy.validRange.max: Invalid value: "20Gi": max is larger than capacity value: 10Gi']);
    expect(capErrors("10Gi", { default: "2Gi", validRange: range("1Gi", "10Gi", "2Gi") })).toEqual([
      'requestPolicy.validRange.step: Invalid value: "2Gi": value is not a multiple of a given step (2Gi) from (1Gi)',
      'requestPolicy.validRange.step: Invalid value: "10Gi": value is not a multiple of a given step (2Gi) from (1Gi)',
    ]);
    expect(capErrors("10Gi", { default: "1Gi", validRange: range("1Gi", undefined, "10Gi") })).toEqual(['requestPolicy.validRange.step: Invalid value: "10Gi": one step 11Gi is larger than capacity value: 10Gi']);
  });
});

describe("ResourceSlice versions", () => {
  it("v1beta1's devices keep their fields under basic; paths are flat from 1.34", () => {
    expect(errors(slice(goodName, goodName, driverName, 2, "v1beta1"))).toEqual([]);
    const s = slice(goodName, goodName, driverName, 1, "v1beta1");
    (spec(s).devices[0]!.basic as Obj).attributes = { [goodName]: { version: "one" } };
    expect(errors(s)).toEqual(['spec.devices[0].attributes[foo].version: Invalid value: "one": must be a string compatible with semver.org spec 2.0.0']);
    expect(errors(s, 33)).toEqual(['spec.devices[0].basic.attributes[foo].version: Invalid value: "one": must be a string compatible with semver.org spec 2.0.0']);
  });

  it("v1beta1 carries nodeName and allNodes as plain values: empty and false are unset", () => {
    const s = slice(goodName, goodName, driverName, 1, "v1beta1");
    Object.assign(s.spec as Obj, { nodeName: "", allNodes: true });
    expect(errors(s)).toEqual([]);
    Object.assign(s.spec as Obj, { nodeName: "worker", allNodes: false });
    expect(errors(s)).toEqual([]);
    const v1 = slice(goodName, goodName, driverName, 1);
    Object.assign(v1.spec as Obj, { nodeName: "", allNodes: true });
    expect(errors(v1)).toEqual(['spec.nodeName: Invalid value: "": must be either unset or set to a non-empty string']);
  });

  it("up to 1.33: basic is required, keys are checked at the key, names are TypeInvalid", () => {
    const s = slice(goodName, goodName, driverName, 2, "v1beta1");
    delete spec(s).devices[0]!.basic;
    (spec(s).devices[1]!.basic as Obj).attributes = { [badName]: {}, "": { int: 1 } };
    expect(errors(s, 33)).toEqual([
      "spec.devices[0].basic: Required value",
      "spec.devices[1].basic.attributes[]: Required value: name required",
      `spec.devices[1].basic.attributes[${badName}]: Invalid value: "${badName}": ${C_IDENT_MSG}`,
      `spec.devices[1].basic.attributes[${badName}]: Required value: exactly one value must be specified`,
    ]);
  });
});

describe("ResourceSlice update (TestValidateResourceSliceUpdate)", () => {
  const stored = (): Obj => ({ ...slice(goodName, goodName, driverName, 1), metadata: { name: goodName, resourceVersion: "1" } });

  it("accepts a no-op update; driver, pool name and node name are immutable", () => {
    expect(validateWrite(stored(), { minor: 36, old: stored() }).errors).toEqual([]);
    const next = stored();
    (next.spec as Obj).driver = "other.example.com";
    spec(next).pool.name = "bar";
    (next.spec as Obj).nodeName = "bar";
    expect(validateWrite(next, { minor: 36, old: stored() }).errors.map(formatFieldError)).toEqual([
      'spec.pool.name: Invalid value: "bar": field is immutable',
      'spec.driver: Invalid value: "other.example.com": field is immutable',
      'spec.nodeName: Invalid value: "bar": field is immutable',
    ]);
  });

  it("unchanged taints are not checked again", () => {
    const old = stored();
    spec(old).devices[0]!.taints = [{ key: "example.com/taint", effect: "NoRun" }];
    const next = structuredClone(old);
    (next.metadata as Obj).labels = { a: "b" };
    expect(validateWrite(next, { minor: 36, old }).errors).toEqual([]);
  });
});
