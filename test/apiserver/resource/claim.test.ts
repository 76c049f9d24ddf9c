/**
 * ResourceClaim: translated from Kubernetes' pkg/apis/resource/validation/validation_resourceclaim_test.go
 * (TestValidateClaim, TestValidateClaimUpdate, TestValidateClaimStatusUpdate) through the whole write
 * path, for the versions each minor serves. Expected paths and messages are Go's; at 1.34 the table
 * of the 1.34 code applies (internal `exactly`, older wording), at 1.36 the newest.
 */
import { describe, expect, it } from "vitest";
import { validateWrite } from "../../../src/apiserver/index.js";
import { formatFieldError } from "../../../src/meta/index.js";

type Obj = Record<string, unknown>;

const badName = "!@#$%^";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const C_IDENT_MSG =
  "a valid C identifier must start with alphabetic character or '_', followed by a string of alphanumeric characters or '_' (e.g. 'my_name',  or 'MY_NAME',  or 'MyName', regex used for validation is '[A-Za-z_][A-Za-z0-9_]*')";
const REF_MSG = "must be the name of a request in the claim or the name of a request and a subrequest separated by '/'";
const params = { kind: "foo", apiVersion: "dra.example.com/v1" };
const opaque = (extra: Obj = {}): Obj => ({ opaque: { driver: "dra.example.com", parameters: params }, ...extra });

const exact = (name = "foo", extra: Obj = {}): Obj => ({ name, exactly: { deviceClassName: "foo", allocationMode: "ExactCount", count: 1, ...extra } });
const withFirstAvailable = (): Obj[] => [
  {
    name: "foo",
    firstAvailable: [
      { name: "foo", deviceClassName: "foo", allocationMode: "ExactCount", count: 1 },
      { name: "bar", deviceClassName: "foo", allocationMode: "ExactCount", count: 1 },
    ],
  },
];

function claim(devices: Obj, version = "v1", meta: Obj = {}): Obj {
  return { apiVersion: `resource.k8s.io/${version}`, kind: "ResourceClaim", metadata: { name: "foo", namespace: "ns", ...meta }, spec: { devices } };
}

function errors(obj: Obj, minor = 36, extra: Obj = {}): string[] {
  return validateWrite(obj, { minor, ...extra }).errors.map(formatFieldError);
}

const req = (i: number) => `spec.devices.requests[${i}]`;

describe("ResourceClaim create (TestValidateClaim)", () => {
  it("accepts a good claim, with metadata of every kind", () => {
    expect(errors(claim({ requests: [exact()] }))).toEqual([]);
    const meta = {
      generateName: "pvc-",
      uid: "ac051fac-2ead-46d9-b8b4-4e0fbeb7455d",
      finalizers: ["example.com/foo"],
      labels: { "apps.kubernetes.io/name": "test" },
      annotations: { foo: "bar" },
      ownerReferences: [{ apiVersion: "v1", kind: "pod", name: "foo", uid: "ac051fac-2ead-46d9-b8b4-4e0fbeb7455d" }],
    };
    expect(errors(claim({ requests: [exact()] }, "v1", meta))).toEqual([]);
  });

  it("bad and missing class names", () => {
    expect(errors(claim({ requests: [exact("foo", { deviceClassName: badName })] }))).toEqual([`${req(0)}.exactly.deviceClassName: Invalid value: "${badName}": ${SUBDOMAIN_MSG}`]);
    expect(errors(claim({ requests: [exact("foo", { deviceClassName: "" })] }))).toEqual([`${req(0)}.exactly.deviceClassName: Required value`]);
  });

  it("accepts the most requests, constraints and configurations (valid-request)", () => {
    const requests = Array.from({ length: 32 }, (_, i) => exact(i === 0 ? "foo" : `foo${i}`));
    const constraints = Array.from({ length: 32 }, () => ({ matchAttribute: "foo/bar" }));
    const config = Array.from({ length: 32 }, () => opaque());
    expect(errors(claim({ requests, constraints, config }))).toEqual([]);
    expect(errors(claim({ requests, constraints, config }), 34)).toEqual([]);
  });

  it("refuses bad references, attributes and one too many of each (invalid-request), 1.34 wording", () => {
    const requests = Array.from({ length: 33 }, (_, i) => exact(i === 0 ? "foo" : `foo${i}`));
    const constraints: Obj[] = [{ requests: ["foo", badName], matchAttribute: "missing-domain" }, { matchAttribute: "" }, {}];
    while (constraints.length < 33) constraints.push({ matchAttribute: "foo/bar" });
    const config: Obj[] = [opaque({ requests: ["foo", badName] })];
    while (config.length < 33) config.push(opaque());
    const c = (i: number) => `spec.devices.constraints[${i}]`;
    expect(errors(claim({ requests, constraints, config }), 34)).toEqual([
      "spec.devices.requests: Too many: 33: must have at most 32 items",
      `${c(0)}.requests[1]: Invalid value: "${badName}": ${LABEL_MSG}`,
      `${c(0)}.requests[1]: Invalid value: "${badName}": ${REF_MSG}`,
      `${c(0)}.matchAttribute: Invalid value: "missing-domain": ${C_IDENT_MSG}`,
      `${c(0)}.matchAttribute: Invalid value: "missing-domain": must include a domain`,
      `${c(1)}.matchAttribute: Required value: name required`,
      `${c(2)}.matchAttribute: Required value`,
      "spec.devices.constraints: Too many: 33: must have at most 32 items",
      `spec.devices.config[0].requests[1]: Invalid value: "${badName}": ${LABEL_MSG}`,
      `spec.devices.config[0].requests[1]: Invalid value: "${badName}": ${REF_MSG}`,
      "spec.devices.config: Too many: 33: must have at most 32 items",
    ]);
    // From 1.35 a list over its limit is reported alone, and qualified names are Invalid.
    expect(errors(claim({ requests, constraints, config }), 36)).toEqual([
      "spec.devices.requests: Too many: 33: must have at most 32 items",
      "spec.devices.constraints: Too many: 33: must have at most 32 items",
      "spec.devices.config: Too many: 33: must have at most 32 items",
    ]);
  });

  it("invalid-spec at 1.36: qualified names in the newest wording", () => {
    const constraints = [{ requests: ["foo", badName], matchAttribute: "missing-domain" }, { matchAttribute: "" }, {}];
    const c = (i: number) => `spec.devices.constraints[${i}]`;
    expect(errors(claim({ requests: [exact()], constraints, config: [opaque({ requests: ["foo", badName] })] }))).toEqual([
      `${c(0)}.requests[1]: Invalid value: "${badName}": ${LABEL_MSG}`,
      `${c(0)}.requests[1]: Invalid value: "${badName}": ${REF_MSG}`,
      `${c(0)}.matchAttribute: Invalid value: "missing-domain": ${C_IDENT_MSG}`,
      `${c(0)}.matchAttribute: Invalid value: "missing-domain": a fully qualified name must be a domain and a name separated by a slash`,
      `${c(1)}.matchAttribute: Invalid value: "": ${C_IDENT_MSG}`,
      `${c(1)}.matchAttribute: Invalid value: "": a fully qualified name must be a domain and a name separated by a slash`,
      // DRAConsumableCapacity is on from 1.36.
      `${c(2)}: Required value: exactly one of "matchAttribute" or "distinctAttribute" is required, but multiple fields are set`,
      `spec.devices.config[0].requests[1]: Invalid value: "${badName}": ${LABEL_MSG}`,
      `spec.devices.config[0].requests[1]: Invalid value: "${badName}": ${REF_MSG}`,
    ]);
  });

  it("allocation modes and counts (allocation-mode)", () => {
    const requests = [
      exact("foo"),
      exact("foo2", { allocationMode: "All", count: 0 }),
      exact("foo3", { count: -1 }),
      exact("foo4", { allocationMode: "other" }),
      exact("foo5", { allocationMode: "All", count: 2 }),
      exact("foo"),
    ];
    const expected = (dup: string) => [
      `${req(2)}.exactly.count: Invalid value: -1: must be greater than zero`,
      `${req(3)}.exactly.allocationMode: Unsupported value: "other": supported values: "All", "ExactCount"`,
      `${req(4)}.exactly.count: Invalid value: 2: must not be specified when allocationMode is 'All'`,
      `${dup}: Duplicate value: "foo"`,
    ];
    expect(errors(claim({ requests }), 34)).toEqual(expected(`${req(5)}.name`));
    expect(errors(claim({ requests }), 36)).toEqual(expected(req(5)));
  });

  it("opaque parameters: required, an object, at most 10 KiB (configuration)", () => {
    const withParams = (parameters: unknown) => ({ opaque: { driver: "dra.example.com", parameters } });
    // Go's table sends `{"str": "…"}` (a space after the colon); the size here is that of compact
    // JSON, one byte less, so each string is one byte longer than in Go's table.
    const fits = { str: "x".repeat(10 * 1024 - 9 - 2 + 1) };
    const tooLarge = { str: "x".repeat(10 * 1024 - 9 - 2 + 2) };
    const cfg = (i: number) => `spec.devices.config[${i}].opaque.parameters`;
    expect(errors(claim({ requests: [exact()], config: [withParams("hello-world"), withParams(null), withParams(fits), withParams(tooLarge)] }), 34)).toEqual([
      `${cfg(0)}: Invalid value: "<value omitted>": parameters must be a valid JSON object`,
      `${cfg(1)}: Required value`,
      `${cfg(3)}: Too long: may not be more than 10240 bytes`,
    ]);
    expect(errors(claim({ requests: [exact()], config: [withParams([1])] }), 36)).toEqual([`${cfg(0)}: Invalid value: "<value omitted>": must be a valid JSON object`]);
  });

  it("CEL selectors: compile errors, result type, length and cost", () => {
    const selectors = (...expressions: string[]) => expressions.map((expression) => ({ cel: { expression } }));
    const sel = (r: number, s: number) => `${req(r)}.exactly.selectors[${s}].cel.expression`;
    expect(errors(claim({ requests: [exact("foo", { selectors: selectors('device.driver == "dra.example.com"') })] }))).toEqual([]);
    expect(
      errors(claim({ requests: [exact("foo", { selectors: selectors('device.attributes["dra.example.com"].model == "a" && device.capacity["dra.example.com"].memory.compareTo(quantity("1Gi")) >= 0') })] })),
    ).toEqual([]);
    const bad = errors(claim({ requests: [exact(), exact("foo-2", { selectors: selectors('device.driver == "dra.example.com"', "device.driver ==", "1") })] }));
    expect(bad).toHaveLength(2);
    expect(bad[0]).toMatch(new RegExp(`^${sel(1, 1).replace(/[[\].]/g, "\\$&")}: Invalid value: "device.driver ==": compilation failed: `));
    expect(bad[1]).toBe(`${sel(1, 2)}: Invalid value: "1": must evaluate to bool or the unknown type, not int`);
    // CEL-length: exactly the limit is fine, one more is too long.
    const expression = 'device.driver == ""';
    const atLimit = expression.replace('""', `"${"x".repeat(10 * 1024 - expression.length)}"`);
    const overLimit = expression.replace('""', `"${"x".repeat(10 * 1024 - expression.length + 1)}"`);
    expect(errors(claim({ requests: [exact(), exact("foo-2", { selectors: selectors(atLimit, overLimit) })] }))).toEqual([`${sel(1, 1)}: Too long: may not be more than 10240 bytes`]);
    // CEL-cost.
    const costly =
      "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10].all(x, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].all(y, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].all(z, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].all(z2, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].all(z3, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].all(z4, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].all(z5, int('1'.find('[0-9]*')) < 100)))))))";
    expect(errors(claim({ requests: [exact("foo", { selectors: selectors(costly) })] }))).toEqual([`${sel(0, 0)}: Forbidden: too complex, exceeds cost limit`]);
  });

  it("accepts what the DRA CEL environment offers, at every minor", () => {
    const expressions = [
      'device.attributes["dra.example.com"].version.isGreaterThan(semver("1.0.0"))',
      'device.attributes["dra.example.com"].?model.orValue("") == "a"',
      'device.capacity["dra.example.com"].memory.compareTo(quantity("1Gi")) >= 0',
      'device.driver == "x" && device.attributes["dra.example.com"].model.matches("^a")',
      '"dra.example.com" in device.attributes',
      'has(device.attributes["dra.example.com"].model)',
      'device.attributes["gpu.nvidia.com"].productName.lowerAscii().contains("h100")',
      'cel.bind(x, device.attributes["a"], x.b == 1)',
    ];
    for (const [minor, version] of [[31, "v1alpha3"], [32, "v1beta1"], [33, "v1beta1"], [34, "v1"], [36, "v1"]] as const) {
      const requests = [{ name: "a", deviceClassName: "c", selectors: expressions.map((expression) => ({ cel: { expression } })) }];
      const body = version === "v1" ? [{ name: "a", exactly: { deviceClassName: "c", selectors: requests[0]!.selectors } }] : requests;
      expect(errors(claim({ requests: body }, version), minor)).toEqual([]);
    }
  });

  it("prioritized lists (firstAvailable)", () => {
    expect(errors(claim({ requests: withFirstAvailable() }))).toEqual([]);
    const both = withFirstAvailable();
    both[0]!.exactly = { deviceClassName: "foo", allocationMode: "ExactCount", count: 2, adminAccess: true, selectors: [{ cel: { expression: 'device.driver == "dra.example.com"' } }] };
    expect(errors(claim({ requests: both }), 34)).toEqual([`${req(0)}: Invalid value: null: exactly one of \`exactly\` or \`firstAvailable\` is required`]);
    expect(errors(claim({ requests: both }), 36)).toEqual([`${req(0)}: Invalid value: null: exactly one of \`exactly\` or \`firstAvailable\` is required, but multiple fields are set`]);

    const nested = withFirstAvailable();
    (nested[0]!.firstAvailable as Obj[])[0] = { name: badName };
    // The sub-request is defaulted (ExactCount, 1) before validation, as kube-apiserver decodes it.
    expect(errors(claim({ requests: nested }))).toEqual([`${req(0)}.firstAvailable[0].name: Invalid value: "${badName}": ${LABEL_MSG}`, `${req(0)}.firstAvailable[0].deviceClassName: Required value`]);

    const same = withFirstAvailable();
    (same[0]!.firstAvailable as Obj[])[1]!.name = "foo";
    expect(errors(claim({ requests: same }), 34)).toEqual([`${req(0)}.firstAvailable[1].name: Duplicate value: "foo"`]);

    const many = [{ name: "foo", firstAvailable: Array.from({ length: 9 }, (_, i) => ({ name: `subreq-${i}`, deviceClassName: "foo", allocationMode: "ExactCount", count: 1 })) }];
    expect(errors(claim({ requests: many }))).toEqual([`${req(0)}.firstAvailable: Too many: 9: must have at most 8 items`]);

    for (const ref of ["foo/bar", "foo"]) {
      expect(errors(claim({ requests: withFirstAvailable(), config: [opaque({ requests: [ref] })] }))).toEqual([]);
      expect(errors(claim({ requests: withFirstAvailable(), constraints: [{ requests: [ref], matchAttribute: "dra.example.com/driverVersion" }] }))).toEqual([]);
    }
    expect(errors(claim({ requests: withFirstAvailable(), config: [opaque({ requests: ["foo/baz"] })] }))).toEqual([`spec.devices.config[0].requests[0]: Invalid value: "foo/baz": ${REF_MSG}`]);
    expect(errors(claim({ requests: withFirstAvailable(), constraints: [{ requests: ["foo/baz"], matchAttribute: "dra.example.com/driverVersion" }] }))).toEqual([
      `spec.devices.constraints[0].requests[0]: Invalid value: "foo/baz": ${REF_MSG}`,
    ]);
  });

  it("tolerations: operators, values and effects", () => {
    const t = (tolerations: Obj[]) => claim({ requests: [exact("foo", { tolerations })] });
    expect(errors(t([{ key: "example.com/taint", operator: "Exists", effect: "NoSchedule" }, { key: "k", value: "v" }]))).toEqual([]);
    expect(errors(t([{ key: "k", operator: "Exists", value: "v" }, { operator: "Sometimes" }, { key: "k", value: "v", effect: "NoRun" }]))).toEqual([
      `${req(0)}.exactly.tolerations[0].value: Invalid value: "v": must be empty for operator \`Exists\``,
      `${req(0)}.exactly.tolerations[1].operator: Unsupported value: "Sometimes": supported values: "Equal", "Exists"`,
      `${req(0)}.exactly.tolerations[2].effect: Unsupported value: "NoRun": supported values: "NoExecute", "NoSchedule", "None"`,
    ]);
  });
});

describe("ResourceClaim versions", () => {
  it("defaults allocation mode and count, in every shape", () => {
    const v1 = validateWrite(claim({ requests: [{ name: "a", exactly: { deviceClassName: "c" } }] }), { minor: 36 }).object as Obj;
    expect((v1.spec as { devices: { requests: Obj[] } }).devices.requests[0]).toEqual({ name: "a", exactly: { deviceClassName: "c", allocationMode: "ExactCount", count: 1 } });
    const beta = validateWrite(claim({ requests: [{ name: "a", deviceClassName: "c", tolerations: [{ key: "k" }] }, { name: "b", firstAvailable: [{ name: "x", deviceClassName: "c" }] }] }, "v1beta1"), { minor: 34 }).object as Obj;
    expect((beta.spec as { devices: { requests: Obj[] } }).devices.requests).toEqual([
      { name: "a", deviceClassName: "c", allocationMode: "ExactCount", count: 1, tolerations: [{ key: "k", operator: "Equal" }] },
      { name: "b", firstAvailable: [{ name: "x", deviceClassName: "c", allocationMode: "ExactCount", count: 1 }] },
    ]);
  });

  it("reads v1beta1's flat requests as the internal `exactly` from 1.34", () => {
    expect(errors(claim({ requests: [{ name: "a", deviceClassName: "c" }] }, "v1beta1"), 35)).toEqual([]);
    expect(errors(claim({ requests: [{ name: "a", deviceClassName: "c", count: -1 }, { name: "b" }] }, "v1beta1"), 35)).toEqual([
      `${req(0)}.exactly.count: Invalid value: -1: must be greater than zero`,
      `${req(1)}: Required value: exactly one of \`exactly\` or \`firstAvailable\` is required`,
    ]);
    expect(errors(claim({ requests: [{ name: "a", exactly: { deviceClassName: "c", count: -1 } }] }, "v1beta2"), 35)).toEqual([`${req(0)}.exactly.count: Invalid value: -1: must be greater than zero`]);
  });

  it("v1beta1: any main field present makes an exact request (hasAnyMainRequestFieldsSet)", () => {
    // Empty selectors or adminAccess: false beside alternatives make both kinds of request.
    const both = `${req(0)}: Invalid value: null: exactly one of \`exactly\` or \`firstAvailable\` is required, but multiple fields are set`;
    const subs = [{ name: "x", deviceClassName: "c" }];
    expect(errors(claim({ requests: [{ name: "a", firstAvailable: subs, selectors: [] }] }, "v1beta1"))).toEqual([both]);
    expect(errors(claim({ requests: [{ name: "a", firstAvailable: subs, adminAccess: false }] }, "v1beta1"))).toEqual([both]);
    expect(errors(claim({ requests: [{ name: "a", firstAvailable: subs }] }, "v1beta1"))).toEqual([]);
  });

  it("up to 1.33 the internal request is flat, whatever the version", () => {
    expect(errors(claim({ requests: [{ name: "a", deviceClassName: "c" }] }, "v1beta1"), 33)).toEqual([]);
    expect(errors(claim({ requests: [{ name: "a", exactly: { deviceClassName: "c", count: -1 } }, { name: "b" }, { name: "a", exactly: { deviceClassName: "c" } }] }, "v1beta2"), 33)).toEqual([
      `${req(0)}.count: Invalid value: -1: must be greater than zero`,
      `${req(1)}: Required value: exactly one of \`deviceClassName\` or \`firstAvailable\` must be specified`,
      `${req(2)}.name: Duplicate value: "a"`,
    ]);
    expect(errors(claim({ requests: [{ name: "a", deviceClassName: "" }] }, "v1alpha3"), 31)).toEqual([`${req(0)}.deviceClassName: Required value`]);
  });
});

describe("ResourceClaim update (TestValidateClaimUpdate)", () => {
  const stored = (devices: Obj): Obj => validateWrite(claim(devices), { minor: 36 }).object as Obj;

  it("accepts a no-op update and keeps a too-large stored configuration valid", () => {
    const old = { ...stored({ requests: [exact()] }), metadata: { name: "foo", namespace: "ns", resourceVersion: "1" } };
    expect(validateWrite(structuredClone(old), { minor: 36, old }).errors).toEqual([]);
    const big = { requests: [exact()], config: [{ opaque: { driver: "foo", parameters: { str: "x".repeat(10 * 1024 - 9 - 2 + 1) } } }] };
    const oldBig = { ...claim(big), metadata: { name: "foo", namespace: "ns", resourceVersion: "1" } };
    const relabelled = { ...structuredClone(oldBig), metadata: { name: "foo", namespace: "ns", resourceVersion: "1", labels: { a: "b" } } };
    expect(validateWrite(relabelled, { minor: 36, old: oldBig }).errors).toEqual([]);
  });

  it("refuses a changed spec (invalid-update)", () => {
    const old = { ...stored({ requests: [exact()] }), metadata: { name: "foo", namespace: "ns", resourceVersion: "1" } };
    const next = structuredClone(old) as unknown as { spec: { devices: { requests: Array<{ exactly: Obj }> } } };
    next.spec.devices.requests[0]!.exactly.deviceClassName = "foo2";
    const out = validateWrite(next as unknown as Obj, { minor: 36, old }).errors.map(formatFieldError);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^spec: Invalid value: .*: field is immutable$/);
  });
});

describe("ResourceClaim status (TestValidateClaimStatusUpdate)", () => {
  const base = (): Obj => ({ ...claim({ requests: [exact()] }), metadata: { name: "foo", namespace: "ns", resourceVersion: "1" } });
  const allocation = (result: Obj = {}): Obj => ({ devices: { results: [{ request: "foo", driver: "foo", pool: "foo", device: "foo", adminAccess: false, ...result }] } });
  const withStatus = (status: Obj, meta: Obj = {}): Obj => ({ ...base(), metadata: { ...(base().metadata as Obj), ...meta }, status });
  const statusErrors = (status: Obj, oldStatus: Obj = {}, oldMeta: Obj = {}, minor = 36): string[] =>
    validateWrite(withStatus(status, oldMeta), { minor, old: withStatus(oldStatus, oldMeta), subresource: "status" }).errors.map(formatFieldError);
  const reservations = (n: number, uid = (i: number) => `${i}`): Obj[] => Array.from({ length: n }, (_, i) => ({ resource: "pods", name: `foo-${i}`, uid: uid(i) }));

  it("accepts allocations and the most reservations", () => {
    expect(statusErrors({})).toEqual([]);
    expect(statusErrors({ allocation: {} })).toEqual([]);
    expect(statusErrors({ allocation: allocation() })).toEqual([]);
    expect(statusErrors({ allocation: allocation({ adminAccess: undefined }) })).toEqual([]);
    expect(statusErrors({ allocation: allocation(), reservedFor: reservations(256) }, { allocation: allocation() })).toEqual([]);
    expect(statusErrors({ allocation: allocation(), reservedFor: reservations(256) })).toEqual([]);
  });

  it("refuses bad requests, node selectors and reservations", () => {
    expect(statusErrors({ allocation: allocation({ request: badName }) })).toEqual([
      `status.allocation.devices.results[0].request: Invalid value: "${badName}": ${LABEL_MSG}`,
      `status.allocation.devices.results[0].request: Invalid value: "${badName}": ${REF_MSG}`,
    ]);
    expect(statusErrors({ allocation: { nodeSelector: {} } })).toEqual(["status.allocation.nodeSelector.nodeSelectorTerms: Required value: must have at least one node selector term"]);
    expect(statusErrors({ allocation: allocation(), reservedFor: reservations(257) }, { allocation: allocation() })).toEqual(["status.reservedFor: Too many: 257: must have at most 256 items"]);
    expect(statusErrors({ allocation: allocation(), reservedFor: reservations(2, () => "1") }, { allocation: allocation() }, {}, 34)).toEqual(['status.reservedFor[1].uid: Duplicate value: "1"']);
    expect(statusErrors({ reservedFor: [{ resource: "pods", name: "foo", uid: "1" }] })).toEqual(["status.reservedFor: Forbidden: may not be specified when `allocated` is not set"]);
    expect(statusErrors({ allocation: allocation(), reservedFor: [{ name: "foo", uid: "1" }, { resource: "pods", uid: "2" }, { resource: "pods", name: "foo" }] }, { allocation: allocation() })).toEqual([
      "status.reservedFor[0].resource: Required value",
      "status.reservedFor[1].name: Required value",
      "status.reservedFor[2].uid: Required value",
    ]);
    const deleting = { deletionTimestamp: "2024-01-01T00:00:00Z", deletionGracePeriodSeconds: 0, finalizers: ["x"] };
    expect(statusErrors({ allocation: allocation(), reservedFor: [{ resource: "pods", name: "foo", uid: "1" }] }, { allocation: allocation() }, deleting)).toEqual([
      "status.reservedFor: Forbidden: new entries may not be added while `deallocationRequested` or `deletionTimestamp` are set",
    ]);
  });

  it("an allocation never changes once set (invalid-allocation-modification)", () => {
    const out = statusErrors({ allocation: allocation({ driver: "foo-2" }) }, { allocation: allocation() });
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^status\.allocation: Invalid value: .*: field is immutable$/);
  });

  it("allocated configuration: source, requests, opaque driver and parameters (configuration)", () => {
    const config = [
      { source: "FromClaim", requests: ["foo", badName], ...opaque() },
      { source: "", ...opaque() },
      { source: "no-such-source", ...opaque() },
      { source: "FromClaim" },
      { source: "FromClaim", opaque: { driver: "" } },
    ];
    const cfg = (i: number) => `status.allocation.devices.config[${i}]`;
    expect(statusErrors({ allocation: { ...allocation(), devices: { ...(allocation().devices as Obj), config } } }, {}, {}, 34)).toEqual([
      `${cfg(0)}.requests[1]: Invalid value: "${badName}": ${LABEL_MSG}`,
      `${cfg(0)}.requests[1]: Invalid value: "${badName}": ${REF_MSG}`,
      `${cfg(1)}.source: Required value`,
      `${cfg(2)}.source: Unsupported value: "no-such-source": supported values: "FromClaim", "FromClass"`,
      `${cfg(3)}.opaque: Required value`,
      `${cfg(4)}.opaque.driver: Required value`,
      `${cfg(4)}.opaque.driver: Invalid value: "": ${SUBDOMAIN_MSG}`,
      `${cfg(4)}.opaque.parameters: Required value`,
    ]);
  });

  it("device status: duplicates, limits, conditions (invalid-device-status-duplicate, invalid-data-device-status-limits)", () => {
    const device = (extra: Obj = {}): Obj => ({ driver: "foo", pool: "foo", device: "foo", ...extra });
    expect(statusErrors({ allocation: allocation(), devices: [device({ networkData: { ips: ["2001:db8::1/64", "2001:db8::1/64"] } }), device()] }, { allocation: allocation() }, {}, 34)).toEqual([
      'status.devices[0].networkData.ips[1]: Duplicate value: "2001:db8::1/64"',
      'status.devices[1].deviceID: Duplicate value: "foo/foo/foo"',
    ]);
    const cond = (i: number): Obj => ({ type: `test-${i}`, status: "True", reason: "test_reason", lastTransitionTime: "2024-01-01T00:00:00Z", observedGeneration: 0 });
    const ips = Array.from({ length: 17 }, (_, i) => `10.9.8.${i}/24`);
    expect(
      statusErrors({ allocation: allocation(), devices: [device({ data: { str: "x".repeat(10 * 1024) }, conditions: Array.from({ length: 9 }, (_, i) => cond(i)), networkData: { ips } })] }, { allocation: allocation() }, {}, 34),
    ).toEqual([
      "status.devices[0].conditions: Too many: 9: must have at most 8 items",
      "status.devices[0].data: Too long: may not be more than 10240 bytes",
      "status.devices[0].networkData.ips: Too many: 17: must have at most 16 items",
    ]);
    expect(statusErrors({ allocation: allocation(), devices: [device({ conditions: [{ type: "a", status: "Maybe" }] })] }, { allocation: allocation() })).toEqual([
      'status.devices[0].conditions[0].status: Unsupported value: "Maybe": supported values: "False", "True", "Unknown"',
      "status.devices[0].conditions[0].lastTransitionTime: Required value: must be set",
      "status.devices[0].conditions[0].reason: Required value: must be set",
    ]);
  });

  it("node selector values are label values; results may name sub-requests", () => {
    const selector = { nodeSelectorTerms: [{ matchExpressions: [{ key: "foo", operator: "In", values: ["-1"] }] }] };
    expect(statusErrors({ allocation: { ...allocation(), nodeSelector: selector } })).toEqual([
      "status.allocation.nodeSelector.nodeSelectorTerms[0].matchExpressions[0].values[0]: Invalid value: \"-1\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    ]);
    // A stored allocation is not checked again (valid-update-with-invalid-label-value).
    const stored = { allocation: { ...allocation(), nodeSelector: selector } };
    expect(statusErrors({ ...stored, reservedFor: reservations(3) }, stored)).toEqual([]);

    const listed = (request: string): string[] => {
      const c = { ...claim({ requests: withFirstAvailable() }), metadata: { name: "foo", namespace: "ns", resourceVersion: "1" } };
      return validateWrite({ ...c, status: { allocation: allocation({ request }) } }, { minor: 36, old: c, subresource: "status" }).errors.map(formatFieldError);
    };
    expect(listed("foo/foo")).toEqual([]);
    expect(listed("foo/foo/foo")).toEqual([`status.allocation.devices.results[0].request: Invalid value: "foo/foo/foo": ${REF_MSG}`]);
    expect(listed("foo/baz")).toEqual([`status.allocation.devices.results[0].request: Invalid value: "foo/baz": ${REF_MSG}`]);
    expect(listed(`${badName}/&^%$`)).toEqual([
      `status.allocation.devices.results[0].request: Invalid value: "${badName}": ${LABEL_MSG}`,
      `status.allocation.devices.results[0].request: Invalid value: "&^%$": ${LABEL_MSG}`,
      `status.allocation.devices.results[0].request: Invalid value: "${badName}/&^%$": ${REF_MSG}`,
    ]);
  });

  it("device status: only allocated devices, network data", () => {
    const device = (extra: Obj = {}): Obj => ({ driver: "foo", pool: "foo", device: "foo", ...extra });
    expect(statusErrors({ allocation: allocation(), devices: [device({ networkData: { interfaceName: "eth0", ips: ["10.9.8.0/24"], hardwareAddress: "ea:9f:cb:40:b1:7b" } })] }, { allocation: allocation() })).toEqual([]);
    expect(statusErrors({ allocation: allocation(), devices: [device({ device: "bar" }), device({ networkData: { ips: ["300.9.8.0/24"] } })] }, { allocation: allocation() })).toEqual([
      'status.devices[0]: Invalid value: "foo/foo/bar": must be an allocated device in the claim',
      'status.devices[1].networkData.ips[0]: Invalid value: "300.9.8.0/24": must be a valid address in CIDR form, (e.g. 10.9.8.7/24 or 2001:db8::1/64)',
    ]);
  });
});
