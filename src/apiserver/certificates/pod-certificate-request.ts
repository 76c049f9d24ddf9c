/**
 * PodCertificateRequest (certificates.k8s.io v1alpha1 in 1.34, v1beta1 from 1.35;
 * pkg/apis/certificates/validation `ValidatePodCertificateRequestCreate`, `…Update`,
 * `…StatusUpdate`, and pkg/registry/certificates/podcertificaterequest):
 *
 * - create: the signer name, the pod, service account and node names (DNS subdomains) and UIDs
 *   (set, at most 128 bytes), `maxExpirationSeconds` (defaulted to 86400; 3600 to 86400 for
 *   `kubernetes.io` signers, to 7862400 for others), and the public key: at most 10 KiB, a PKIX
 *   key of a supported kind (Ed25519, ECDSA P-256/P-384/P-521, RSA 3072/4096), and the proof of
 *   possession: a signature over the bytes of `podUID` by that key (Ed25519; ECDSA, ASN.1, over
 *   its SHA-256; RSA-PSS over its SHA-256 with any salt length), verified with node:crypto as Go's
 *   `ed25519.Verify`, `ecdsa.VerifyASN1` and `rsa.VerifyPSS` verify it. From 1.36 the key may come
 *   as `stubPKCS10Request` instead, and the PKIX key is checked only when given.
 * - update: the spec is immutable; the status is written through `/status` only.
 * - status: at most one of the Issued/Denied/Failed conditions, each `True`; metav1 condition
 *   rules; a request in a terminal condition keeps its status; denying or failing sets nothing
 *   but conditions; issuing needs a chain of CERTIFICATE blocks whose leaf holds the requested key,
 *   lives 1 hour to `maxExpirationSeconds`, and whose times the status repeats, `beginRefreshAt` at
 *   least 10 minutes inside them.
 */
import type { KeyObject } from "node:crypto";
import type { KindRules } from "../registry.js";
import { fieldError } from "../../meta/field-errors.js";
import { FieldPath, invalid, notSupported, required, tooLong, type FieldError } from "../field.js";
import { isDNS1123Subdomain, listAt, objectAt, semanticEqual, stringAt, validateMetaConditions } from "../validation/index.js";
import type { ApiContext } from "../context.js";
import { validateSignerName } from "./signer.js";
import { children, decodePem, parseCertificate, readDer } from "./trust-bundle.js";

type Obj = Record<string, unknown>;

// node:crypto loads when a proof of possession is first verified, not with the rules.
const crypto = () => process.getBuiltinModule("node:crypto");

const MAX_PKIX_PUBLIC_KEY_SIZE = 10 * 1024;
const MAX_PROOF_OF_POSSESSION_SIZE = 10 * 1024;
const MAX_CERTIFICATE_CHAIN_SIZE = 100 * 1024;
const MIN_MAX_EXPIRATION_SECONDS = 60 * 60;
const MAX_MAX_EXPIRATION_SECONDS = 91 * 24 * 60 * 60;
const KUBERNETES_MAX_MAX_EXPIRATION_SECONDS = 24 * 60 * 60;
const MAX_UID_LENGTH = 128;
const TERMINAL = ["Issued", "Denied", "Failed"];

const SPEC = FieldPath.of("spec");
const PKIX_PATH = SPEC.child("pkixPublicKey");
const STATUS = FieldPath.of("status");
const CHAIN_PATH = STATUS.child("certificateChain");

/** core's `IsKubernetesSignerName`: the host part is `kubernetes.io` or under it. */
function isKubernetesSignerName(signerName: string): boolean {
  const host = signerName.split("/")[0]!;
  return host === "kubernetes.io" || host.endsWith(".kubernetes.io");
}

const hex = (...bytes: number[]): string => bytes.map((b) => b.toString(16).padStart(2, "0")).join("");
const OID_ED25519 = hex(0x2b, 0x65, 0x70);
const OID_X25519 = hex(0x2b, 0x65, 0x6e);
const OID_DSA = hex(0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01);
const OID_EC = hex(0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01);
const OID_RSA = hex(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01);
const CURVES: Record<string, string> = {
  [hex(0x2b, 0x81, 0x04, 0x00, 0x21)]: "P-224",
  [hex(0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07)]: "P-256",
  [hex(0x2b, 0x81, 0x04, 0x00, 0x22)]: "P-384",
  [hex(0x2b, 0x81, 0x04, 0x00, 0x23)]: "P-521",
};

const CURVE_BYTES: Record<string, number> = { "P-224": 28, "P-256": 32, "P-384": 48, "P-521": 66 };

/** What `x509.ParsePKIXPublicKey` makes of a key, as far as the validation reads it. */
type PublicKey = { kind: "ed25519" } | { kind: "ecdsa"; curve: string } | { kind: "rsa"; bits: number } | { kind: "other" };

/** A SubjectPublicKeyInfo read as Go's x509 reads it; undefined where Go's parse fails. @example parsePKIXPublicKey(spkiDer)?.kind // "ed25519" */
export function parsePKIXPublicKey(b: Uint8Array): PublicKey | undefined {
  const spki = readDer(b, 0, b.length);
  if (!spki || spki.tag !== 0x30 || spki.end !== b.length) return undefined;
  const [alg, key, ...rest] = children(b, spki) ?? [];
  if (!alg || !key || rest.length || alg.tag !== 0x30 || key.tag !== 0x03 || key.end === key.start || b[key.start] !== 0) return undefined;
  const [oid, params] = children(b, alg) ?? [];
  if (!oid || oid.tag !== 0x06) return undefined;
  const algorithm = Buffer.from(b.subarray(oid.start, oid.end)).toString("hex");
  const bits = b.subarray(key.start + 1, key.end);
  if (algorithm === OID_ED25519) return bits.length === 32 ? { kind: "ed25519" } : undefined;
  if (algorithm === OID_X25519 || algorithm === OID_DSA) return { kind: "other" };
  if (algorithm === OID_EC) {
    if (!params || params.tag !== 0x06) return undefined;
    const curve = CURVES[Buffer.from(b.subarray(params.start, params.end)).toString("hex")];
    // elliptic.Unmarshal: an uncompressed point (0x04, X, Y) of the curve's size.
    if (!curve || bits[0] !== 4 || bits.length !== 1 + 2 * CURVE_BYTES[curve]!) return undefined;
    return { kind: "ecdsa", curve };
  }
  if (algorithm === OID_RSA) {
    const seq = readDer(bits, 0, bits.length);
    const [n, e] = seq && seq.tag === 0x30 ? (children(bits, seq) ?? []) : [];
    if (!n || !e || n.tag !== 0x02 || e.tag !== 0x02 || n.end === n.start || bits[n.start]! & 0x80) return undefined;
    let start = n.start;
    while (start < n.end && bits[start] === 0) start++;
    if (start === n.end) return undefined;
    return { kind: "rsa", bits: (n.end - start) * 8 };
  }
  return undefined;
}

/** An `Invalid` whose value is omitted (`field.OmitValueType`). */
const invalidOmitted = (path: FieldPath, detail: string): FieldError => fieldError("FieldValueInvalid", path, detail);

const base64Bytes = (v: unknown): Uint8Array => Uint8Array.from(Buffer.from(stringAt(v), "base64"));

/** `ValidatePodCertificateRequestCreate` without the object metadata. */
function validateCreate(req: Obj, ctx: ApiContext): FieldError[] {
  const spec = objectAt(req.spec);
  const signer = stringAt(spec.signerName);
  const errs = validateSignerName(SPEC.child("signerName"), signer, ctx);
  const name = (field: string): void => {
    const v = stringAt(spec[field]);
    for (const m of isDNS1123Subdomain(v)) errs.push(invalid(SPEC.child(field), v, m));
  };
  const uid = (field: string): void => {
    const v = stringAt(spec[field]);
    if (!v) errs.push(invalid(SPEC.child(field), v, "must not be empty"));
    if (Buffer.byteLength(v) > MAX_UID_LENGTH) errs.push(tooLong(SPEC.child(field), v, MAX_UID_LENGTH, ctx.minor));
  };
  name("podName");
  uid("podUID");
  name("serviceAccountName");
  uid("serviceAccountUID");
  name("nodeName");
  uid("nodeUID");
  const max = spec.maxExpirationSeconds;
  if (typeof max !== "number") return [...errs, required(SPEC.child("maxExpirationSeconds"), "must be set")];
  const upper = isKubernetesSignerName(signer) ? KUBERNETES_MAX_MAX_EXPIRATION_SECONDS : MAX_MAX_EXPIRATION_SECONDS;
  if (max < MIN_MAX_EXPIRATION_SECONDS || max > upper) errs.push(invalid(SPEC.child("maxExpirationSeconds"), max, `must be in the range [${MIN_MAX_EXPIRATION_SECONDS}, ${upper}]`));
  // From 1.36 the key may come in a stub PKCS#10 request instead; the PKIX key is then optional.
  const pkixOptional = ctx.minor >= 36;
  const pkix = base64Bytes(spec.pkixPublicKey);
  if (pkix.length > MAX_PKIX_PUBLIC_KEY_SIZE) return [...errs, tooLong(PKIX_PATH, undefined, MAX_PKIX_PUBLIC_KEY_SIZE, ctx.minor)];
  if (base64Bytes(spec.proofOfPossession).length > MAX_PROOF_OF_POSSESSION_SIZE) {
    return [...errs, tooLong(SPEC.child("proofOfPossession"), undefined, MAX_PROOF_OF_POSSESSION_SIZE, ctx.minor)];
  }
  if (pkixOptional && pkix.length === 0) return errs;
  const key = parsePKIXPublicKey(pkix);
  const given = stringAt(spec.pkixPublicKey);
  if (!key) return [...errs, invalid(PKIX_PATH, given, "must be a valid PKIX-serialized public key")];
  if (key.kind === "ecdsa" && key.curve === "P-224") return [...errs, invalid(PKIX_PATH, `curve ${key.curve}`, "elliptic public keys must use curve P256 or P384")];
  if (key.kind === "rsa" && key.bits !== 3072 && key.bits !== 4096) return [...errs, invalid(PKIX_PATH, `${key.bits}-bit modulus`, "RSA keys must have modulus size 3072 or 4096")];
  if (key.kind === "other") return [...errs, invalid(PKIX_PATH, given, "unknown public key type; supported types are Ed25519, ECDSA, and RSA")];
  const publicKey = importKey(pkix);
  // A key Go's x509 would not parse after all (an EC point off its curve).
  if (!publicKey) return [...errs, invalid(PKIX_PATH, given, "must be a valid PKIX-serialized public key")];
  const proof = Buffer.from(base64Bytes(spec.proofOfPossession));
  // rsa.VerifyPSS wants exactly the modulus' size (OpenSSL would take a shorter one as leading zeros).
  const sized = key.kind !== "rsa" || proof.length === key.bits / 8;
  if (!sized || !verifyProofOfPossession(key.kind, publicKey, Buffer.from(stringAt(spec.podUID)), proof)) {
    errs.push(invalidOmitted(SPEC.child("proofOfPossession"), "could not verify proof-of-possession signature"));
  }
  return errs;
}

function importKey(spki: Uint8Array): KeyObject | undefined {
  try {
    return crypto().createPublicKey({ key: Buffer.from(spki), format: "der", type: "spki" });
  } catch {
    return undefined;
  }
}

/**
 * The proof-of-possession check of `ValidatePodCertificateRequestCreate`: `ed25519.Verify` over the
 * UID's bytes; `ecdsa.VerifyASN1` over their SHA-256; `rsa.VerifyPSS` with SHA-256 (for the digest
 * and MGF1) and nil options, so any salt length. A signature node:crypto cannot even read is not valid.
 *
 * @example
 * verifyProofOfPossession("ed25519", key, Buffer.from(podUID), signature); // true when the kubelet's key signed the UID
 */
export function verifyProofOfPossession(kind: "ed25519" | "ecdsa" | "rsa", key: KeyObject, podUID: Buffer, signature: Buffer): boolean {
  const { constants, verify } = crypto();
  try {
    if (kind === "ed25519") return signature.length === 64 && verify(null, podUID, key, signature);
    if (kind === "ecdsa") return verify("sha256", podUID, { key, dsaEncoding: "der" }, signature);
    return verify("sha256", podUID, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO }, signature);
  } catch {
    return false;
  }
}

const conditionTrue = (status: Obj, type: string): boolean => listAt(status.conditions).some((c) => stringAt(objectAt(c).type) === type && stringAt(objectAt(c).status) === "True");
const isTerminal = (status: Obj): boolean => TERMINAL.some((t) => conditionTrue(status, t));

/** The status subresource strategy's `PrepareForUpdate` on conditions: known instances kept, transition times filled. */
function preparedStatus(status: Obj, oldStatus: Obj): Obj {
  const conditions = listAt(status.conditions).map((c) => ({ ...objectAt(c) }));
  const oldConditions = listAt(oldStatus.conditions).map(objectAt);
  for (const type of TERMINAL) {
    const now = conditions.flatMap((c, i) => (stringAt(c.type) === type ? [i] : []));
    const was = oldConditions.filter((c) => stringAt(c.type) === type);
    if (now.length === was.length) now.forEach((at, k) => (conditions[at] = { ...was[k]! }));
  }
  for (const c of conditions) {
    if (stringAt(c.lastTransitionTime)) continue;
    const same = oldConditions.find((o) => o.type === c.type && o.status === c.status && stringAt(o.lastTransitionTime));
    // The server's clock otherwise; any time will do for the checks below.
    c.lastTransitionTime = same ? same.lastTransitionTime : "now";
  }
  return status.conditions === undefined && conditions.length === 0 ? { ...status } : { ...status, conditions };
}


/** `ValidatePodCertificateRequestStatusUpdate` (after the status strategy's preparation). */
function validateStatusUpdate(req: Obj, old: Obj, ctx: ApiContext): FieldError[] {
  const oldStatus = objectAt(old.status);
  const status = preparedStatus(objectAt(req.status), oldStatus);
  const errs: FieldError[] = [];
  let known = 0;
  listAt(status.conditions).forEach((raw, i) => {
    const c = objectAt(raw);
    const type = stringAt(c.type);
    // Go builds these paths with a child named "[i]".
    const at = STATUS.child("conditions").child(`[${i}]`);
    if (TERMINAL.includes(type)) {
      known++;
      if (known > 1) errs.push(invalid(at.child("type"), type, 'There may be at most one condition with type "Issued", "Denied", or "Failed"'));
      if (stringAt(c.status) !== "True") errs.push(notSupported(at.child("status"), stringAt(c.status), ["True"]));
    } else errs.push(notSupported(at.child("type"), type, TERMINAL));
  });
  errs.push(...validateMetaConditions(status.conditions, STATUS.child("conditions"), ctx.minor));
  if (errs.length) return errs;
  if (isTerminal(oldStatus)) {
    return semanticEqual(status, oldStatus) ? [] : [invalidOmitted(STATUS, "immutable after PodCertificateRequest is issued, denied, or failed")];
  }
  if (conditionTrue(status, "Denied") || conditionTrue(status, "Failed")) {
    const only = status.conditions === undefined ? {} : { conditions: status.conditions };
    return semanticEqual(status, only) ? [] : [invalidOmitted(STATUS, "non-condition status fields must be empty when denying or failing the PodCertificateRequest")];
  }
  if (conditionTrue(status, "Issued")) return validateIssued(status, old, ctx);
  return semanticEqual(status, oldStatus) ? [] : [invalidOmitted(STATUS, 'status is immutable unless transitioning to "Issued", "Denied", or "Failed"')];
}

/**
 * The issued branch: the chain, the leaf's key and times against the spec and the status
 * timestamps (Go also wants `notBefore` within 5 minutes of its clock, and checks the leaf's DNS
 * and email names; neither is checked here).
 */
function validateIssued(status: Obj, old: Obj, ctx: ApiContext): FieldError[] {
  const chain = stringAt(status.certificateChain);
  if (Buffer.byteLength(chain) > MAX_CERTIFICATE_CHAIN_SIZE) return [tooLong(CHAIN_PATH, undefined, MAX_CERTIFICATE_CHAIN_SIZE, ctx.minor)];
  const [leafBlock, ...rest] = decodePem(chain);
  if (!leafBlock) return [invalid(CHAIN_PATH, chain, "issued certificate chain must contain at least one certificate")];
  if (leafBlock.type !== "CERTIFICATE") return [invalid(CHAIN_PATH, chain, "issued certificate chain must consist entirely of CERTIFICATE PEM blocks")];
  const leaf = parseCertificate(leafBlock.bytes);
  if (!leaf) return [invalid(CHAIN_PATH, chain, "leaf certificate does not parse as valid X.509")];
  // The key the certificate was requested for (a stub PKCS#10 request's key is not compared here).
  const wanted = base64Bytes(objectAt(old.spec).pkixPublicKey);
  if (wanted.length && parsePKIXPublicKey(wanted) && Buffer.compare(Buffer.from(wanted), Buffer.from(leaf.spki)) !== 0) {
    return [invalid(CHAIN_PATH, chain, "leaf certificate was not issued to the requested public key")];
  }
  const errs: FieldError[] = [];
  const notBefore = stringAt(status.notBefore);
  const notAfter = stringAt(status.notAfter);
  const beginRefreshAt = stringAt(status.beginRefreshAt);
  if (!notBefore) errs.push(required(STATUS.child("notBefore"), "must be present and consistent with the issued certificate"));
  if (!notAfter) errs.push(required(STATUS.child("notAfter"), "must be present and consistent with the issued certificate"));
  if (!beginRefreshAt) errs.push(required(STATUS.child("beginRefreshAt"), "must be present and in the range [notbefore+10min, notafter-10min]"));
  if (errs.length) return errs;
  const [nb, na, br] = [Date.parse(notBefore), Date.parse(notAfter), Date.parse(beginRefreshAt)];
  if ([nb, na, br].some(Number.isNaN)) return [];
  if (nb !== leaf.notBefore) return [invalid(STATUS.child("notBefore"), notBefore, "must be set to the NotBefore time encoded in the leaf certificate")];
  if (na !== leaf.notAfter) return [invalid(STATUS.child("notAfter"), notAfter, "must be set to the NotAfter time encoded in the leaf certificate")];
  // A time.Duration prints as its nanoseconds.
  const lifetimeNs = (leaf.notAfter - leaf.notBefore) * 1e6;
  if (leaf.notAfter - leaf.notBefore < 60 * 60 * 1000) return [invalid(CHAIN_PATH, lifetimeNs, "leaf certificate lifetime must be >= 1 hour")];
  const max = objectAt(old.spec).maxExpirationSeconds;
  if (typeof max === "number" && leaf.notAfter - leaf.notBefore > max * 1000) {
    return [invalid(CHAIN_PATH, lifetimeNs, `leaf certificate lifetime must be <= spec.maxExpirationSeconds (${max})`)];
  }
  const tenMinutes = 10 * 60 * 1000;
  if (br < nb + tenMinutes) return [invalid(STATUS.child("beginRefreshAt"), beginRefreshAt, "must be at least 10 minutes after status.notBefore")];
  if (br > na - tenMinutes) return [invalid(STATUS.child("beginRefreshAt"), beginRefreshAt, "must be at least 10 minutes before status.notAfter")];
  for (const block of rest) {
    // Go's text, with its spelling.
    if (block.type !== "CERTIFICATE") return [invalid(CHAIN_PATH, chain, "issued certificate chain must consist entirely of CERTFICATE PEM blocks")];
    if (!parseCertificate(block.bytes)) return [invalid(CHAIN_PATH, chain, "intermediate certificate does not parse as valid X.509")];
  }
  return [];
}

/** The PodCertificateRequest. */
export const podCertificateRequestRules: KindRules = {
  // The versioned defaults: a missing maxExpirationSeconds is 24 hours.
  defaults: (req) => {
    const spec = req.spec;
    if (spec && typeof spec === "object" && !Array.isArray(spec) && (spec as Obj).maxExpirationSeconds === undefined) (spec as Obj).maxExpirationSeconds = 86400;
  },
  prepareForCreate: (req) => {
    delete req.status;
  },
  prepareForUpdate: (req, old) => {
    if (old.status === undefined) delete req.status;
    else req.status = old.status;
  },
  validate: (req, ctx) => (ctx.operation === "UPDATE" ? [] : validateCreate(req, ctx)),
  validateUpdate: (req, old) => (semanticEqual(req.spec, old.spec) ? [] : [invalid(SPEC, req.spec ?? null, "field is immutable")]),
  validateStatusUpdate: validateStatusUpdate,
};
