/**
 * PodCertificateRequest: ValidatePodCertificateRequestCreate / Update / StatusUpdate
 * (pkg/apis/certificates/validation) and the registry strategy, in the cases of
 * validation_test.go: a valid request per key type, each field broken in turn, the key kinds and
 * sizes Go refuses, and the status transitions.
 */
import { constants, createPublicKey, generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { describe, expect, it } from "vitest";
import { validateWrite } from "../../../src/apiserver/index.js";
import { parsePKIXPublicKey } from "../../../src/apiserver/certificates/pod-certificate-request.js";
import { formatFieldError } from "../../../src/meta/index.js";

type Obj = Record<string, unknown>;

const spki = (key: KeyObject): string => (key.export({ type: "spki", format: "der" }) as Buffer).toString("base64");

/** A key as the kubelet makes one, and its proof of possession over a UID (Go's ed25519.Sign, ecdsa.SignASN1, rsa.SignPSS with nil options). */
interface TestKey {
  pkix: string;
  proof(uid: string): string;
}
function keyOf(pair: { publicKey: KeyObject; privateKey: KeyObject }, kind: "ed25519" | "ecdsa" | "rsa"): TestKey {
  const signWith = (uid: string, saltLength: number = constants.RSA_PSS_SALTLEN_MAX_SIGN): string => {
    const data = Buffer.from(uid);
    if (kind === "ed25519") return sign(null, data, pair.privateKey).toString("base64");
    if (kind === "ecdsa") return sign("sha256", data, pair.privateKey).toString("base64");
    return sign("sha256", data, { key: pair.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }).toString("base64");
  };
  return { pkix: spki(pair.publicKey), proof: (uid) => signWith(uid) };
}
const ed25519Key = keyOf(generateKeyPairSync("ed25519"), "ed25519");
const ed25519Other = keyOf(generateKeyPairSync("ed25519"), "ed25519");
const p256Key = keyOf(generateKeyPairSync("ec", { namedCurve: "P-256" }), "ecdsa");
const ed25519 = ed25519Key.pkix;
const p256 = p256Key.pkix;
const p224 = spki(generateKeyPairSync("ec", { namedCurve: "P-224" }).publicKey);
const rsa2048 = spki(generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey);
const x25519 = spki(generateKeyPairSync("x25519").publicKey);

const SUBDOMAIN = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const POP_ERROR = "spec.proofOfPossession: Invalid value: could not verify proof-of-possession signature";

/** A request; its proof of possession is the Ed25519 key's signature over its pod UID unless given. */
function pcr(spec: Obj = {}, status?: Obj, minor = 35): Obj {
  const podUID = "podUID" in spec ? spec.podUID : "pod-uid-1";
  return {
    apiVersion: minor === 34 ? "certificates.k8s.io/v1alpha1" : "certificates.k8s.io/v1beta1",
    kind: "PodCertificateRequest",
    metadata: { name: "foo", namespace: "bar", resourceVersion: "1" },
    spec: {
      signerName: "example.com/foo",
      podName: "pod-1",
      podUID: "pod-uid-1",
      serviceAccountName: "sa-1",
      serviceAccountUID: "sa-uid-1",
      nodeName: "node-1",
      nodeUID: "node-uid-1",
      maxExpirationSeconds: 86400,
      pkixPublicKey: ed25519,
      proofOfPossession: ed25519Key.proof(typeof podUID === "string" ? podUID : ""),
      ...spec,
    },
    ...(status ? { status } : {}),
  };
}
const createErrors = (obj: Obj, minor = 35): string[] => validateWrite(obj, { minor }).errors.map(formatFieldError);

describe("PodCertificateRequest create", () => {
  it.each([["Ed25519", ed25519Key], ["ECDSA P-256", p256Key]] as const)("accepts a request with an %s key", (_name, key) => {
    const spec = { pkixPublicKey: key.pkix, proofOfPossession: key.proof("pod-uid-1") };
    expect(createErrors(pcr(spec))).toEqual([]);
    expect(createErrors(pcr(spec, undefined, 34), 34)).toEqual([]);
  });

  it("defaults maxExpirationSeconds to 24 hours and clears a status written on create", () => {
    const r = validateWrite(pcr({ maxExpirationSeconds: undefined }, { certificateChain: "x" }), { minor: 35 });
    expect(r.errors).toEqual([]);
    expect((r.object.spec as Obj).maxExpirationSeconds).toBe(86400);
    expect(r.object.status).toBeUndefined();
  });

  it("checks names as DNS subdomains and UIDs as set and short", () => {
    expect(createErrors(pcr({ podName: "Pod_1", nodeUID: "", serviceAccountUID: "u".repeat(129) }))).toEqual([
      `spec.podName: Invalid value: "Pod_1": ${SUBDOMAIN}`,
      "spec.serviceAccountUID: Too long: may not be more than 128 bytes",
      'spec.nodeUID: Invalid value: "": must not be empty',
    ]);
    expect(createErrors(pcr({ signerName: "foo" }))).toEqual(["spec.signerName: Invalid value: \"foo\": must be a fully qualified domain and path of the form 'example.com/signer-name'"]);
  });

  it("bounds maxExpirationSeconds by the kind of signer", () => {
    expect(createErrors(pcr({ maxExpirationSeconds: 3599 }))).toEqual(["spec.maxExpirationSeconds: Invalid value: 3599: must be in the range [3600, 7862400]"]);
    expect(createErrors(pcr({ maxExpirationSeconds: 7862400 }))).toEqual([]);
    expect(createErrors(pcr({ signerName: "kubernetes.io/foo", maxExpirationSeconds: 86401 }))).toEqual(["spec.maxExpirationSeconds: Invalid value: 86401: must be in the range [3600, 86400]"]);
    expect(createErrors(pcr({ signerName: "foo.kubernetes.io/bar", maxExpirationSeconds: 86401 }))).toEqual(["spec.maxExpirationSeconds: Invalid value: 86401: must be in the range [3600, 86400]"]);
  });

  it("refuses keys Go's x509 does not parse, and kinds and sizes it does not allow", () => {
    const bad = Buffer.from("not a key").toString("base64");
    expect(createErrors(pcr({ pkixPublicKey: bad }))).toEqual([`spec.pkixPublicKey: Invalid value: "${bad}": must be a valid PKIX-serialized public key`]);
    expect(createErrors(pcr({ pkixPublicKey: p224 }))).toEqual(['spec.pkixPublicKey: Invalid value: "curve P-224": elliptic public keys must use curve P256 or P384']);
    expect(createErrors(pcr({ pkixPublicKey: rsa2048 }))).toEqual(['spec.pkixPublicKey: Invalid value: "2048-bit modulus": RSA keys must have modulus size 3072 or 4096']);
    expect(createErrors(pcr({ pkixPublicKey: x25519 }))).toEqual([`spec.pkixPublicKey: Invalid value: "${x25519}": unknown public key type; supported types are Ed25519, ECDSA, and RSA`]);
    expect(createErrors(pcr({ pkixPublicKey: Buffer.alloc(10 * 1024 + 1).toString("base64") }))).toEqual(["spec.pkixPublicKey: Too long: may not be more than 10240 bytes"]);
    expect(createErrors(pcr({ proofOfPossession: Buffer.alloc(10 * 1024 + 1).toString("base64") }))).toEqual(["spec.proofOfPossession: Too long: may not be more than 10240 bytes"]);
  });

  it("reads RSA sizes and EC curves from the key", () => {
    expect(parsePKIXPublicKey(Buffer.from(rsa2048, "base64"))).toEqual({ kind: "rsa", bits: 2048 });
    expect(parsePKIXPublicKey(Buffer.from(p256, "base64"))).toEqual({ kind: "ecdsa", curve: "P-256" });
    expect(parsePKIXPublicKey(Buffer.from(ed25519, "base64"))).toEqual({ kind: "ed25519" });
  });

  it("requires the PKIX key before 1.36, and accepts a stub PKCS#10 request instead from 1.36", () => {
    expect(createErrors(pcr({ pkixPublicKey: undefined, proofOfPossession: undefined }))).toContain('spec.pkixPublicKey: Invalid value: "": must be a valid PKIX-serialized public key');
    expect(createErrors(pcr({ pkixPublicKey: undefined, proofOfPossession: undefined, stubPKCS10Request: Buffer.from("csr").toString("base64") }), 36)).toEqual([]);
  });
});

describe("PodCertificateRequest proof of possession (TestValidatePodCertificateRequestCreate)", () => {
  // Keys generated here, as Kubernetes' test generates them (mustMake…KeyAndProof).
  const keys: ReadonlyArray<readonly [string, TestKey]> = [
    ["Ed25519", ed25519Key],
    ["ECDSA P256", p256Key],
    ["ECDSA P384", keyOf(generateKeyPairSync("ec", { namedCurve: "P-384" }), "ecdsa")],
    ["ECDSA P521", keyOf(generateKeyPairSync("ec", { namedCurve: "P-521" }), "ecdsa")],
    ["RSA 3072", keyOf(generateKeyPairSync("rsa", { modulusLength: 3072 }), "rsa")],
    ["RSA 4096", keyOf(generateKeyPairSync("rsa", { modulusLength: 4096 }), "rsa")],
  ];
  const request = (key: TestKey, proof: string, podUID = "pod-uid-1"): Obj => pcr({ podUID, pkixPublicKey: key.pkix, proofOfPossession: proof });

  it.each(keys)("valid %s PCR, at 1.34, 1.35 and 1.36", (_name, key) => {
    expect(createErrors(request(key, key.proof("pod-uid-1")))).toEqual([]);
    expect(createErrors(pcr({ pkixPublicKey: key.pkix, proofOfPossession: key.proof("pod-uid-1") }, undefined, 34), 34)).toEqual([]);
    expect(createErrors(request(key, key.proof("pod-uid-1")), 36)).toEqual([]);
  });

  it.each(keys)("invalid %s proof of possession (correct key signed wrong message)", (_name, key) => {
    expect(createErrors(request(key, key.proof("other-value")))).toEqual([POP_ERROR]);
    expect(createErrors(request(key, key.proof("other-value")), 36)).toEqual([POP_ERROR]);
    // The same proof for a request naming the UID it was made for passes.
    expect(createErrors(request(key, key.proof("other-value"), "other-value"))).toEqual([]);
  });

  it.each(keys)("invalid %s proof of possession (a signature that is not one: wrong bytes, empty)", (_name, key) => {
    const good = Buffer.from(key.proof("pod-uid-1"), "base64");
    good[good.length - 1]! ^= 0x01;
    expect(createErrors(request(key, good.toString("base64")))).toEqual([POP_ERROR]);
    expect(createErrors(request(key, ""))).toEqual([POP_ERROR]);
    expect(createErrors(request(key, Buffer.from("signature").toString("base64")))).toEqual([POP_ERROR]);
  });

  it("invalid Ed25519 proof of possession (signed by different key)", () => {
    expect(createErrors(request(ed25519Key, ed25519Other.proof("pod-uid-1")))).toEqual([POP_ERROR]);
  });

  it("RSA-PSS with any salt length verifies (rsa.VerifyPSS with nil options)", () => {
    const pair = generateKeyPairSync("rsa", { modulusLength: 3072 });
    const uid = Buffer.from("pod-uid-1");
    for (const saltLength of [0, 32, constants.RSA_PSS_SALTLEN_MAX_SIGN]) {
      const proof = sign("sha256", uid, { key: pair.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }).toString("base64");
      expect(createErrors(pcr({ pkixPublicKey: spki(pair.publicKey), proofOfPossession: proof }))).toEqual([]);
    }
    // A signature one byte short (its leading byte dropped) is not one, for Go.
    const good = sign("sha256", uid, { key: pair.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
    expect(createErrors(pcr({ pkixPublicKey: spki(pair.publicKey), proofOfPossession: good.subarray(1).toString("base64") }))).toEqual([POP_ERROR]);
    // PKCS#1 v1.5 is not PSS.
    const v15 = sign("sha256", uid, pair.privateKey).toString("base64");
    expect(createErrors(pcr({ pkixPublicKey: spki(pair.publicKey), proofOfPossession: v15 }))).toEqual([POP_ERROR]);
  });

  it("the key's own problems come first: no proof check for P-224 or RSA 2048 (\"invalid ECDSA P224 PCR\", \"invalid RSA 2048 PCR\")", () => {
    expect(createErrors(pcr({ pkixPublicKey: p224, proofOfPossession: "" }))).toEqual(['spec.pkixPublicKey: Invalid value: "curve P-224": elliptic public keys must use curve P256 or P384']);
    expect(createErrors(pcr({ pkixPublicKey: rsa2048, proofOfPossession: "" }))).toEqual(['spec.pkixPublicKey: Invalid value: "2048-bit modulus": RSA keys must have modulus size 3072 or 4096']);
  });

  it("an EC key with a compressed point is not one Go's x509 parses (elliptic.Unmarshal)", () => {
    const der = Buffer.from(p256Key.pkix, "base64");
    // SPKI with the point re-encoded compressed: 0x02/0x03 || X.
    const point = der.subarray(der.length - 65);
    const x = point.subarray(1, 33);
    const prefix = der.subarray(0, der.length - 65);
    const spkiCompressed = Buffer.concat([prefix, Buffer.of((point[64]! & 1) === 0 ? 2 : 3), x]);
    // Fix up the lengths: the outer SEQUENCE and the BIT STRING shrink by 32.
    spkiCompressed[1] = spkiCompressed[1]! - 32;
    spkiCompressed[prefix.length - 2] = spkiCompressed[prefix.length - 2]! - 32;
    const b64 = spkiCompressed.toString("base64");
    // node:crypto reads it (OpenSSL takes compressed points); Go's x509 does not.
    expect(createPublicKey({ key: spkiCompressed, format: "der", type: "spki" }).asymmetricKeyType).toBe("ec");
    expect(createErrors(pcr({ pkixPublicKey: b64, proofOfPossession: p256Key.proof("pod-uid-1") }))).toEqual([`spec.pkixPublicKey: Invalid value: "${b64}": must be a valid PKIX-serialized public key`]);
  });

  it("an empty pod UID is reported, and its proof over no bytes verifies (\"bad pod uid\")", () => {
    expect(createErrors(pcr({ podUID: "" }))).toEqual(['spec.podUID: Invalid value: "": must not be empty']);
  });

  it("is reported with the other errors of the request", () => {
    expect(createErrors(pcr({ podName: "Pod_1", proofOfPossession: ed25519Key.proof("x") }))).toEqual([`spec.podName: Invalid value: "Pod_1": ${SUBDOMAIN}`, POP_ERROR]);
  });
});

describe("PodCertificateRequest update", () => {
  it("keeps the spec and the stored status", () => {
    expect(validateWrite(pcr(), { minor: 35, old: pcr() }).errors).toEqual([]);
    const changed = validateWrite(pcr({ podName: "pod-2", proofOfPossession: ed25519Key.proof("pod-uid-1") }), { minor: 35, old: pcr() }).errors.map(formatFieldError);
    expect(changed).toHaveLength(1);
    expect(changed[0]).toMatch(/^spec: Invalid value: \{"signerName":"example.com\/foo","podName":"pod-2",.*: field is immutable$/);
    const r = validateWrite(pcr({}, { certificateChain: "x" }), { minor: 35, old: pcr() });
    expect(r.object.status).toBeUndefined();
  });
});

/** A DER element. */
const tlv = (tag: number, content: Buffer): Buffer => {
  const n = content.length;
  const len = n < 128 ? Buffer.of(n) : n < 256 ? Buffer.of(0x81, n) : Buffer.of(0x82, n >> 8, n & 0xff);
  return Buffer.concat([Buffer.of(tag), len, content]);
};
const seq = (...parts: Buffer[]): Buffer => tlv(0x30, Buffer.concat(parts));
const ED25519_ALG = seq(tlv(0x06, Buffer.of(0x2b, 0x65, 0x70)));

/** A certificate for `spkiB64`, valid from `notBefore` to `notAfter` (UTCTime text); the signature is not real (nothing here verifies it). */
function certificate(spkiB64: string, notBefore: string, notAfter: string): string {
  const tbs = seq(
    tlv(0xa0, tlv(0x02, Buffer.of(2))),
    tlv(0x02, Buffer.of(1)),
    ED25519_ALG,
    seq(),
    seq(tlv(0x17, Buffer.from(notBefore)), tlv(0x17, Buffer.from(notAfter))),
    seq(),
    Buffer.from(spkiB64, "base64"),
  );
  const der = seq(tbs, ED25519_ALG, tlv(0x03, Buffer.concat([Buffer.of(0), Buffer.alloc(64)])));
  return `-----BEGIN CERTIFICATE-----\n${der.toString("base64").replace(/(.{64})/g, "$1\n")}\n-----END CERTIFICATE-----\n`;
}

describe("PodCertificateRequest status", () => {
  const cond = (type: string, status = "True", extra: Obj = {}): Obj => ({ type, status, reason: "Because", message: "m", lastTransitionTime: "2026-01-01T00:00:00Z", ...extra });
  const statusErrors = (next: Obj | undefined, old?: Obj): string[] => validateWrite(pcr({}, next), { minor: 35, old: pcr({}, old), subresource: "status" }).errors.map(formatFieldError);

  it("denies or fails with conditions alone", () => {
    expect(statusErrors({ conditions: [cond("Denied")] })).toEqual([]);
    expect(statusErrors({ conditions: [cond("Failed")], certificateChain: "x" })).toEqual([
      "status: Invalid value: non-condition status fields must be empty when denying or failing the PodCertificateRequest",
    ]);
  });

  it("allows one known condition, True, and no other types (Go's paths as written)", () => {
    expect(statusErrors({ conditions: [cond("Denied"), cond("Failed")] })).toEqual(['status.conditions.[1].type: Invalid value: "Failed": There may be at most one condition with type "Issued", "Denied", or "Failed"']);
    expect(statusErrors({ conditions: [cond("Denied", "False")] })).toEqual(['status.conditions.[0].status: Unsupported value: "False": supported values: "True"']);
    expect(statusErrors({ conditions: [cond("Ready")] })).toEqual(['status.conditions.[0].type: Unsupported value: "Ready": supported values: "Issued", "Denied", "Failed"']);
  });

  it("fills a missing transition time as the status strategy does", () => {
    expect(statusErrors({ conditions: [cond("Denied", "True", { lastTransitionTime: undefined })] })).toEqual([]);
  });

  it("keeps a terminal status, and any status that does not reach a terminal condition", () => {
    expect(statusErrors({ conditions: [cond("Denied")] }, { conditions: [cond("Denied")] })).toEqual([]);
    expect(statusErrors({ conditions: [cond("Denied")], notBefore: "2026-01-01T00:00:00Z" }, { conditions: [cond("Denied")] })).toEqual([
      "status: Invalid value: immutable after PodCertificateRequest is issued, denied, or failed",
    ]);
    expect(statusErrors({ notBefore: "2026-01-01T00:00:00Z" })).toEqual(['status: Invalid value: status is immutable unless transitioning to "Issued", "Denied", or "Failed"']);
  });

  it("issues a certificate for the requested key, with the leaf's times and a refresh time inside them", () => {
    const leaf = certificate(ed25519, "260101000000Z", "260101120000Z");
    const issued = (extra: Obj = {}): Obj => ({
      conditions: [cond("Issued")],
      certificateChain: leaf,
      notBefore: "2026-01-01T00:00:00Z",
      notAfter: "2026-01-01T12:00:00Z",
      beginRefreshAt: "2026-01-01T06:00:00Z",
      ...extra,
    });
    expect(statusErrors(issued())).toEqual([]);
    expect(statusErrors(issued({ certificateChain: leaf + leaf }))).toEqual([]);
    expect(statusErrors(issued({ notBefore: "2026-01-01T00:00:01Z" }))).toEqual(['status.notBefore: Invalid value: "2026-01-01T00:00:01Z": must be set to the NotBefore time encoded in the leaf certificate']);
    expect(statusErrors(issued({ beginRefreshAt: "2026-01-01T00:05:00Z" }))).toEqual(['status.beginRefreshAt: Invalid value: "2026-01-01T00:05:00Z": must be at least 10 minutes after status.notBefore']);
    expect(statusErrors(issued({ beginRefreshAt: undefined }))).toEqual(["status.beginRefreshAt: Required value: must be present and in the range [notbefore+10min, notafter-10min]"]);
    const other = certificate(p256, "260101000000Z", "260101120000Z");
    expect(statusErrors(issued({ certificateChain: other }))).toEqual([`status.certificateChain: Invalid value: ${JSON.stringify(other)}: leaf certificate was not issued to the requested public key`]);
    const short = certificate(ed25519, "260101000000Z", "260101003000Z");
    expect(statusErrors(issued({ certificateChain: short, notAfter: "2026-01-01T00:30:00Z" }))).toEqual(["status.certificateChain: Invalid value: 1800000000000: leaf certificate lifetime must be >= 1 hour"]);
    const long = certificate(ed25519, "260101000000Z", "260103000000Z");
    expect(statusErrors(issued({ certificateChain: long, notAfter: "2026-01-03T00:00:00Z" }))).toEqual([
      "status.certificateChain: Invalid value: 172800000000000: leaf certificate lifetime must be <= spec.maxExpirationSeconds (86400)",
    ]);
    const key = "-----BEGIN PRIVATE KEY-----\nAAEC\n-----END PRIVATE KEY-----\n";
    expect(statusErrors(issued({ certificateChain: leaf + key }))).toEqual([`status.certificateChain: Invalid value: ${JSON.stringify(leaf + key)}: issued certificate chain must consist entirely of CERTFICATE PEM blocks`]);
  });

  it("issues with a chain of CERTIFICATE blocks", () => {
    expect(statusErrors({ conditions: [cond("Issued")], certificateChain: "" })).toEqual(['status.certificateChain: Invalid value: "": issued certificate chain must contain at least one certificate']);
    const key = "-----BEGIN PRIVATE KEY-----\nAAEC\n-----END PRIVATE KEY-----\n";
    expect(statusErrors({ conditions: [cond("Issued")], certificateChain: key })).toEqual([`status.certificateChain: Invalid value: ${JSON.stringify(key)}: issued certificate chain must consist entirely of CERTIFICATE PEM blocks`]);
    const junk = "-----BEGIN CERTIFICATE-----\nAAEC\n-----END CERTIFICATE-----\n";
    expect(statusErrors({ conditions: [cond("Issued")], certificateChain: junk })).toEqual([`status.certificateChain: Invalid value: ${JSON.stringify(junk)}: leaf certificate does not parse as valid X.509`]);
  });
});
