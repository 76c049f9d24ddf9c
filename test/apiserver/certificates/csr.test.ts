/**
 * CertificateSigningRequest updates and subresources, translated from Kubernetes'
 * pkg/apis/certificates/validation/validation_test.go (TestValidateCertificateSigningRequestUpdate,
 * …StatusUpdate, …ApprovalUpdate, Test_validateCertificateSigningRequestOptions; errors compared as
 * sets, as those tests compare them), the strategies of
 * pkg/registry/certificates/certificates/strategy.go, and the admission plugins of
 * plugin/pkg/admission/certificates (their admission_test.go tables).
 */
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { apiContext, validateWrite } from "../../../src/apiserver/index.js";
import { certificateAdmission, parseCertificateRequest } from "../../../src/apiserver/certificates/index.js";
import { csrRules } from "../../../src/apiserver/certificates/csr.js";
import { formatFieldError } from "../../../src/meta/index.js";
import { CertificateAuthority } from "../../../src/testing/certificates.js";

type Obj = Record<string, unknown>;

// An ECDSA P-256 request for CN=jane, O=dev (the one the native fixtures use).
const REQUEST =
  "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0KTUlIWE1IOENBUUF3SFRFTk1Bc0dBMVVFQXd3RWFtRnVaVEVNTUFvR0ExVUVDZ3dEWkdWMk1Ga3dFd1lIS29aSQp6ajBDQVFZSUtvWkl6ajBEQVFjRFFnQUVtUm81MkIrU1gyejI1UzVpTGZzRWNLQXpQUWdrMDJ0NXh2WXRvMnNaCmhENUpwTEdINEs1NCtyWDNHaEpjeHd1ZW5PcTBtUktwZVhVNmpuMWFhMlhpZDZBQU1Bb0dDQ3FHU000OUJBTUMKQTBnQU1FVUNJUUNicVdGbFpVV0xhbzN1OU9wNFh2L3dGQzdXWnFBVys1TGp6VWNOa0ZHS0Z3SWdkNzVwRmppRwp2ZTh4dFJLU29xUzV6RWJZRTlZdThSb25wajN3aEZILzZYdz0KLS0tLS1FTkQgQ0VSVElGSUNBVEUgUkVRVUVTVC0tLS0tCg==";
const b64 = (text: string) => Buffer.from(text).toString("base64");
const VALID_CERTIFICATE = b64(new CertificateAuthority("validation-test").cert);
const NO_PEM = b64("abc");
const NON_CERTIFICATE_PEM = b64("-----BEGIN CERTIFICATE1-----\nAAEC\n-----END CERTIFICATE1-----\n");
const PEM_HEADERS = b64("-----BEGIN CERTIFICATE-----\nkey: value\n\nAAEC\n-----END CERTIFICATE-----\n");
const EMPTY_PEM = b64("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");

const SPEC = { request: REQUEST, signerName: "example.com/something", usages: ["digital signature", "key encipherment", "client auth"] };
const csr = (status: Obj = {}, spec: Obj = SPEC): Obj => ({ apiVersion: "certificates.k8s.io/v1", kind: "CertificateSigningRequest", metadata: { name: "test", resourceVersion: "1" }, spec, status });
const approved = { type: "Approved", status: "True" };
const denied = { type: "Denied", status: "True" };
const failed = { type: "Failed", status: "True" };

const ctx = apiContext({ minor: 36, operation: "UPDATE", version: "v1" });
const texts = (errs: readonly Parameters<typeof formatFieldError>[0][]) => [...new Set(errs.map(formatFieldError))].sort();

type Table = Array<{ name: string; next: Obj; old: Obj; errs?: string[] }>;
const forbidAdd = (t: string) => `status.conditions: Forbidden: updates may not add a condition of type "${t}"`;
const forbidRemove = (t: string) => `status.conditions: Forbidden: updates may not remove a condition of type "${t}"`;

const commonCases: Table = [
  { name: "no-op", next: csr(), old: csr() },
  { name: "finalizer change with invalid status", next: csr({ certificate: NO_PEM }), old: csr({ certificate: NO_PEM }) },
  { name: "remove Approved condition", next: csr(), old: csr({ conditions: [approved] }), errs: [forbidRemove("Approved")] },
  { name: "remove Denied condition", next: csr(), old: csr({ conditions: [denied] }), errs: [forbidRemove("Denied")] },
  { name: "add Failed condition", next: csr({ conditions: [failed] }), old: csr(), errs: [] },
  { name: "remove Failed condition", next: csr(), old: csr({ conditions: [failed] }), errs: [forbidRemove("Failed")] },
];

const tables: Record<string, { validate: NonNullable<typeof csrRules.validateUpdate>; cases: Table }> = {
  TestValidateCertificateSigningRequestUpdate: {
    validate: csrRules.validateUpdate!,
    cases: [
      ...commonCases,
      { name: "add Approved condition", next: csr({ conditions: [approved] }), old: csr(), errs: [forbidAdd("Approved")] },
      { name: "add Denied condition", next: csr({ conditions: [denied] }), old: csr(), errs: [forbidAdd("Denied")] },
      { name: "set certificate", next: csr({ certificate: VALID_CERTIFICATE }), old: csr(), errs: ["status.certificate: Forbidden: updates may not set certificate content"] },
      {
        name: "add both approved and denied conditions",
        next: csr({ conditions: [approved, denied] }),
        old: csr(),
        errs: [forbidAdd("Approved"), forbidAdd("Denied"), 'status.conditions: Invalid value: "Denied": Approved and Denied conditions are mutually exclusive'],
      },
    ],
  },
  TestValidateCertificateSigningRequestStatusUpdate: {
    validate: csrRules.validateStatusUpdate!,
    cases: [
      ...commonCases,
      {
        name: "finalizer change with duplicate and unknown usages",
        next: csr({}, { ...SPEC, usages: ["unknown", "unknown"] }),
        old: csr({}, { ...SPEC, usages: ["unknown", "unknown"] }),
      },
      { name: "add Approved condition", next: csr({ conditions: [approved] }), old: csr(), errs: [forbidAdd("Approved")] },
      { name: "add Denied condition", next: csr({ conditions: [denied] }), old: csr(), errs: [forbidAdd("Denied")] },
      { name: "set valid certificate", next: csr({ certificate: VALID_CERTIFICATE }), old: csr(), errs: [] },
      { name: "set invalid certificate", next: csr({ certificate: NO_PEM }), old: csr(), errs: ['status.certificate: Invalid value: "<certificate data>": must contain at least one CERTIFICATE PEM block'] },
      { name: "reset certificate", next: csr({ certificate: NON_CERTIFICATE_PEM }), old: csr({ certificate: NO_PEM }), errs: ["status.certificate: Forbidden: updates may not modify existing certificate content"] },
    ],
  },
  TestValidateCertificateSigningRequestApprovalUpdate: {
    validate: csrRules.subresources!.approval!.validateUpdate!,
    cases: [
      ...commonCases,
      { name: "add Approved condition", next: csr({ conditions: [approved] }), old: csr() },
      { name: "add Denied condition", next: csr({ conditions: [denied] }), old: csr() },
      { name: "set certificate", next: csr({ certificate: VALID_CERTIFICATE }), old: csr(), errs: ["status.certificate: Forbidden: updates may not set certificate content"] },
    ],
  },
};

describe.each(Object.entries(tables))("%s", (_table, { validate, cases }) => {
  it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    expect(texts(validate(structuredClone(c.next), c.old, ctx))).toEqual([...(c.errs ?? [])].sort());
  });
});

describe("Test_validateCertificateSigningRequestOptions (strict: a create)", () => {
  const cases: Array<[string, Obj, string[]]> = [
    ["no status", csr(), []],
    ["approved condition", csr({ conditions: [approved] }), []],
    ["denied condition", csr({ conditions: [denied] }), []],
    ["failed condition", csr({ conditions: [failed] }), []],
    ["approved+issued", csr({ conditions: [approved], certificate: VALID_CERTIFICATE }), []],
    ["legacy signer", csr({}, { ...SPEC, signerName: "kubernetes.io/legacy-unknown" }), ['spec.signerName: Invalid value: "kubernetes.io/legacy-unknown": the legacy signerName is not allowed via this API version']],
    ["empty condition type", csr({ conditions: [{ status: "True" }] }), ["status.conditions[0].type: Required value"]],
    ["approved and denied", csr({ conditions: [approved, denied] }), ['status.conditions: Invalid value: "Denied": Approved and Denied conditions are mutually exclusive']],
    ["duplicate condition", csr({ conditions: [approved, approved] }), ['status.conditions[1].type: Duplicate value: "Approved"']],
    ["status.certificate, no PEM", csr({ conditions: [approved], certificate: NO_PEM }), ['status.certificate: Invalid value: "<certificate data>": must contain at least one CERTIFICATE PEM block']],
    ["status.certificate, non-CERTIFICATE PEM", csr({ conditions: [approved], certificate: NON_CERTIFICATE_PEM }), ['status.certificate: Invalid value: "<certificate data>": only CERTIFICATE PEM blocks are allowed, found "CERTIFICATE1"']],
    ["status.certificate, PEM headers", csr({ conditions: [approved], certificate: PEM_HEADERS }), ['status.certificate: Invalid value: "<certificate data>": no PEM block headers are permitted']],
    ["status.certificate, empty PEM block", csr({ conditions: [approved], certificate: EMPTY_PEM }), ['status.certificate: Invalid value: "<certificate data>": found CERTIFICATE PEM block containing 0 certificates']],
  ];
  const create = apiContext({ minor: 36, operation: "CREATE", version: "v1" });
  it.each(cases)("%s", (_name, obj, errs) => {
    expect(texts(csrRules.validate!(obj, create))).toEqual([...errs].sort());
  });

  it("tolerates on update what the stored object already has", () => {
    // getValidationOptions: legacy signer, duplicate conditions, both Approved and Denied, bad certificate.
    const stored = csr({ conditions: [approved, denied, approved], certificate: NO_PEM }, { ...SPEC, signerName: "kubernetes.io/legacy-unknown", usages: ["vpn", "vpn"] });
    expect(texts(csrRules.validateStatusUpdate!(structuredClone(stored), stored, ctx))).toEqual([]);
  });
});

describe("CertificateSigningRequest strategies (strategy.go)", () => {
  it("records the requesting user on create and starts with an empty status", () => {
    const { object, errors } = validateWrite({ ...csr({ conditions: [approved], certificate: VALID_CERTIFICATE }, { ...SPEC, username: "mallory", groups: ["system:masters"] }) }, { minor: 36, user: { username: "alice", uid: "42", groups: ["devs", "system:authenticated"] } });
    expect(errors).toEqual([]);
    expect(object.status).toEqual({});
    expect(object.spec).toMatchObject({ username: "alice", uid: "42", groups: ["devs", "system:authenticated"] });
  });

  it("clears user fields a client sends when the user is not known", () => {
    const { object } = validateWrite(csr({}, { ...SPEC, username: "mallory", groups: ["system:masters"] }), { minor: 36 });
    expect(object.spec).not.toHaveProperty("username");
    expect(object.spec).not.toHaveProperty("groups");
  });

  it("keeps spec and status on an update of the object itself", () => {
    const old = csr({ conditions: [{ ...approved, lastUpdateTime: "2020-01-01T00:00:00Z" }] });
    const { object, errors } = validateWrite(csr({ conditions: [denied] }, { ...SPEC, usages: ["server auth"] }), { minor: 36, old });
    expect(errors).toEqual([]);
    expect(object.spec).toEqual(old.spec);
    expect(object.status).toEqual(old.status);
  });

  it("takes only the conditions from an approval, stamping their times", () => {
    const old = csr({ certificate: VALID_CERTIFICATE });
    const next = csr({ conditions: [{ ...approved, reason: "KubectlApprove" }], certificate: NO_PEM }, { ...SPEC, usages: ["server auth"] });
    const { object, errors } = validateWrite(next, { minor: 36, old, subresource: "approval", now: () => new Date("2026-01-02T03:04:05.678Z") });
    expect(errors).toEqual([]);
    expect(object.spec).toEqual(old.spec);
    expect(object.status).toEqual({ certificate: VALID_CERTIFICATE, conditions: [{ ...approved, reason: "KubectlApprove", lastUpdateTime: "2026-01-02T03:04:05Z", lastTransitionTime: "2026-01-02T03:04:05Z" }] });
  });

  it("keeps the stored Approved and Denied conditions on a status write", () => {
    const stamped = { ...approved, reason: "AutoApproved", lastUpdateTime: "2020-01-01T00:00:00Z", lastTransitionTime: "2020-01-01T00:00:00Z" };
    const old = csr({ conditions: [stamped] });
    const { object, errors } = validateWrite(csr({ conditions: [{ ...approved, reason: "Changed" }], certificate: VALID_CERTIFICATE }), { minor: 36, old, subresource: "status" });
    expect(errors).toEqual([]);
    expect(object.status).toEqual({ conditions: [stamped], certificate: VALID_CERTIFICATE });
  });

  it("refuses, through the status strategy, an approval a status write adds", () => {
    const { errors } = validateWrite(csr({ conditions: [approved] }), { minor: 36, old: csr(), subresource: "status" });
    expect(errors.map(formatFieldError)).toEqual([forbidAdd("Approved")]);
  });
});

describe("certificate admission plugins (plugin/pkg/admission/certificates)", () => {
  const allow = () => true;
  const deny = () => false;
  const only = (verb: string, name: string) => (v: string, n: string) => v === verb && n === name;
  const signed = csr({ certificate: VALID_CERTIFICATE });

  it("CertificateApproval: approve for the signer's name or its domain with /*", () => {
    expect(certificateAdmission("UPDATE", "approval", csr({ conditions: [approved] }), csr(), allow)).toBeUndefined();
    expect(certificateAdmission("UPDATE", "approval", csr(), csr(), only("approve", "example.com/something"))).toBeUndefined();
    expect(certificateAdmission("UPDATE", "approval", csr(), csr(), only("approve", "example.com/*"))).toBeUndefined();
    expect(certificateAdmission("UPDATE", "approval", csr(), csr(), only("approve", "example.com/not-something"))).toBe('user not permitted to approve requests with signerName "example.com/something"');
    expect(certificateAdmission("UPDATE", "approval", csr(), csr(), only("sign", "example.com/something"))).toBe('user not permitted to approve requests with signerName "example.com/something"');
  });

  it("CertificateSigning: sign, only when the certificate or the conditions change", () => {
    expect(certificateAdmission("UPDATE", "status", csr(), csr(), deny)).toBeUndefined();
    expect(certificateAdmission("UPDATE", "status", signed, csr(), deny)).toBe('user not permitted to sign requests with signerName "example.com/something"');
    expect(certificateAdmission("UPDATE", "status", csr({ conditions: [failed] }), csr(), deny)).toBe('user not permitted to sign requests with signerName "example.com/something"');
    expect(certificateAdmission("UPDATE", "status", signed, csr(), only("sign", "example.com/*"))).toBeUndefined();
    expect(certificateAdmission("UPDATE", "", signed, csr(), deny)).toBeUndefined();
  });

  it("CertificateSubjectRestriction: no kube-apiserver-client certificate for system:masters", () => {
    const dir = mkdtempSync(join(tmpdir(), "kubezod-csr-"));
    const request = (subject: string) => {
      execFileSync("openssl", ["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", join(dir, "k"), "-subj", subject, "-out", join(dir, "r")], { stdio: "ignore" });
      return readFileSync(join(dir, "r"), "utf8");
    };
    const masters = request("/CN=pooh/O=system:masters");
    const other = request("/CN=pooh/O=system:notmasters");
    const client = (pem: string, signerName = "kubernetes.io/kube-apiserver-client") => csr({}, { ...SPEC, request: b64(pem), signerName });
    expect(certificateAdmission("CREATE", "", client(masters), undefined, allow)).toBe("use of kubernetes.io/kube-apiserver-client signer with system:masters group is not allowed");
    expect(certificateAdmission("CREATE", "", client(other), undefined, allow)).toBeUndefined();
    expect(certificateAdmission("CREATE", "", client(masters, "kubernetes.io/kube-apiserver-client-kubelet"), undefined, allow)).toBeUndefined();
    expect(parseCertificateRequest(masters)).toMatchObject({ commonName: "pooh", organizations: ["system:masters"] });
  });
});
