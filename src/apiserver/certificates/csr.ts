/**
 * CertificateSigningRequest as kube-apiserver handles it (pkg/apis/certificates/validation,
 * pkg/registry/certificates/certificates/strategy.go, plugin/pkg/admission/certificates):
 * - create: the request's user is recorded in the spec and the status starts empty; the request
 *   holds a PEM `CERTIFICATE REQUEST` block, usages are known and unique, the signer name is valid;
 * - update: spec and status are kept; `/status` may set the certificate but not the Approved or
 *   Denied conditions, `/approval` may set only the conditions; no condition may be removed;
 * - the admission checks that need the authorizer (`approve` and `sign` on `signers`) and the
 *   subject restriction of the kube-apiserver-client signer.
 */
import type { KindRules } from "../registry.js";
import { duplicate, FieldPath, forbidden, invalid, notSupported, required, type FieldError } from "../field.js";
import { listAt, objectAt, stringAt, stringsAt } from "../validation/index.js";
import type { ApiContext } from "../context.js";
import { validateSignerName } from "./signer.js";
import { children, decodePem, parseCertificate, readDer, type Der } from "./trust-bundle.js";

type Obj = Record<string, unknown>;

const VALID_USAGES = [
  "any", "cert sign", "client auth", "code signing", "content commitment", "crl sign", "data encipherment", "decipher only",
  "digital signature", "email protection", "encipher only", "ipsec end system", "ipsec tunnel", "ipsec user", "key agreement",
  "key encipherment", "microsoft sgc", "netscape sgc", "ocsp signing", "s/mime", "server auth", "signing", "timestamping",
];
const LEGACY_UNKNOWN_SIGNER = "kubernetes.io/legacy-unknown";
/** The signer whose certificates kube-apiserver trusts for clients. */
export const KUBE_APISERVER_CLIENT_SIGNER = "kubernetes.io/kube-apiserver-client";
const TRUE_ONLY_CONDITIONS = ["Approved", "Denied", "Failed"];
const ALL_STATUS_VALUES = ["False", "True", "Unknown"];
const CONDITIONS = FieldPath.of("status", "conditions");
const CERTIFICATE = FieldPath.of("status", "certificate");

/** Go's `%#v` of a byte slice. */
function goBytes(bytes: Buffer): string {
  return `[]byte{${[...bytes].map((b) => `0x${b.toString(16)}`).join(", ")}}`;
}

/** What {@link parseCertificateRequest} reads from a PKCS#10 request. */
export interface CertificateRequest {
  /** The DER bytes of the subject Name, as they appear in the request. */
  subject: Uint8Array;
  /** The subject's common name and organizations (the user and groups of a client certificate). */
  commonName: string;
  organizations: string[];
  /** The DER bytes of the SubjectPublicKeyInfo. */
  spki: Uint8Array;
  /** The DER bytes of the requested subjectAltName extension's value, when there is one. */
  subjectAltNames?: Uint8Array;
  /** The requested names, by kind (`x509.CertificateRequest`'s DNSNames, EmailAddresses, IPAddresses, URIs). */
  dnsNames: string[];
  emailAddresses: string[];
  ipAddresses: number;
  uris: string[];
  /** What the signature covers (the DER certificationRequestInfo), the algorithm's OID in hex, and the signature. */
  signed: Uint8Array;
  signatureAlgorithm: string;
  signatureParameters?: Uint8Array;
  signature: Uint8Array;
}

const OID_CN = "550403";
const OID_O = "55040a";
const OID_EXTENSION_REQUEST = "2a864886f70d01090e";
const OID_SAN = "551d11";

const hexOf = (b: Uint8Array, d: Der): string => Buffer.from(b.subarray(d.start, d.end)).toString("hex");
const textOf = (b: Uint8Array, d: Der): string => Buffer.from(b.subarray(d.start, d.end)).toString(d.tag === 0x1e ? "utf16le" : "utf8");

/**
 * A PEM `CERTIFICATE REQUEST` (PKCS#10) read far enough to sign it: subject, key and requested
 * names; undefined where it does not parse. The signature is not checked here.
 *
 * @example
 * parseCertificateRequest(pemText)?.commonName // "alice"
 */
export function parseCertificateRequest(pem: string): CertificateRequest | undefined {
  const block = decodePem(pem)[0];
  if (!block || block.type !== "CERTIFICATE REQUEST") return undefined;
  const b = block.bytes;
  const outer = readDer(b, 0, b.length);
  const [info, algorithm, signature] = (outer && outer.tag === 0x30 && outer.end === b.length ? children(b, outer) : undefined) ?? [];
  if (!info || info.tag !== 0x30 || !algorithm || algorithm.tag !== 0x30 || !signature || signature.tag !== 0x03 || signature.end === signature.start) return undefined;
  const [algorithmOid, parameters] = children(b, algorithm) ?? [];
  if (!algorithmOid || algorithmOid.tag !== 0x06) return undefined;
  const fields = children(b, info);
  const [version, subject, spki, attributes] = fields ?? [];
  if (!version || version.tag !== 0x02 || !subject || subject.tag !== 0x30 || !spki || spki.tag !== 0x30) return undefined;
  let commonName = "";
  const organizations: string[] = [];
  for (const rdn of children(b, subject) ?? []) {
    for (const atv of children(b, rdn) ?? []) {
      const [type, value] = children(b, atv) ?? [];
      if (!type || !value || type.tag !== 0x06) continue;
      if (hexOf(b, type) === OID_CN) commonName = textOf(b, value);
      else if (hexOf(b, type) === OID_O) organizations.push(textOf(b, value));
    }
  }
  const out: CertificateRequest = {
    subject: b.slice(subject.at, subject.end),
    commonName,
    organizations,
    spki: b.slice(spki.at, spki.end),
    dnsNames: [],
    emailAddresses: [],
    ipAddresses: 0,
    uris: [],
    signed: b.slice(info.at, info.end),
    signatureAlgorithm: hexOf(b, algorithmOid),
    ...(parameters && parameters.tag !== 0x05 ? { signatureParameters: b.slice(parameters.at, parameters.end) } : {}),
    signature: b.slice(signature.start + 1, signature.end),
  };
  if (attributes && attributes.tag === 0xa0) {
    for (const attribute of children(b, attributes) ?? []) {
      const [type, values] = children(b, attribute) ?? [];
      if (!type || !values || hexOf(b, type) !== OID_EXTENSION_REQUEST) continue;
      const list = children(b, values)?.[0];
      for (const ext of (list && children(b, list)) ?? []) {
        const parts = children(b, ext) ?? [];
        const value = parts[parts.length - 1];
        if (parts[0] && value && value.tag === 0x04 && hexOf(b, parts[0]) === OID_SAN) readAltNames(out, b.slice(value.start, value.end));
      }
    }
  }
  return out;
}

/** The subjectAltName extension's GeneralNames, by kind. */
function readAltNames(out: CertificateRequest, value: Uint8Array): void {
  out.subjectAltNames = value;
  const names = readDer(value, 0, value.length);
  for (const name of (names && names.tag === 0x30 ? children(value, names) : undefined) ?? []) {
    const text = Buffer.from(value.subarray(name.start, name.end)).toString("latin1");
    if (name.tag === 0x82) out.dnsNames.push(text);
    else if (name.tag === 0x81) out.emailAddresses.push(text);
    else if (name.tag === 0x86) out.uris.push(text);
    else if (name.tag === 0x87) out.ipAddresses++;
  }
}

/** `ParseCSR`'s first check: the request holds a PEM `CERTIFICATE REQUEST` block (the signature is not verified here). */
function validateRequest(request: unknown, path: FieldPath): FieldError[] {
  if (typeof request !== "string") return [];
  const bytes = Buffer.from(request, "base64");
  const text = bytes.toString("latin1");
  const m = /-----BEGIN ([^-\n]+)-----/.exec(text);
  if (m && m[1] === "CERTIFICATE REQUEST" && text.includes("-----END CERTIFICATE REQUEST-----")) return [];
  // Other PEM shapes and parse failures have their own texts in Go's x509; only the missing block is reported.
  if (m) return [];
  return [invalid(path, request, "PEM block type must be CERTIFICATE REQUEST", goBytes(bytes))];
}

/** `validateCertificate`: status.certificate, when set, is one or more PEM CERTIFICATE blocks without headers. */
function certificateError(value: unknown): string | undefined {
  const text = Buffer.from(stringAt(value), "base64").toString("latin1");
  if (!text) return undefined;
  const blocks = decodePem(text);
  for (const block of blocks) {
    if (block.type !== "CERTIFICATE") return `only CERTIFICATE PEM blocks are allowed, found ${JSON.stringify(block.type)}`;
    if (block.headers) return "no PEM block headers are permitted";
    if (!block.bytes.length) return "found CERTIFICATE PEM block containing 0 certificates";
    if (!parseCertificate(block.bytes)) return "x509: malformed certificate";
  }
  return blocks.length ? undefined : "must contain at least one CERTIFICATE PEM block";
}

/** What an update may do, and what the stored object already gets away with (`certificateValidationOptions`). */
interface Allowances {
  approvalConditions: boolean;
  certificate: boolean;
  bothApprovedAndDenied: boolean;
  legacySigner: boolean;
  duplicateConditionTypes: boolean;
  emptyConditionType: boolean;
  arbitraryCertificate: boolean;
  duplicateUsages: boolean;
  unknownUsages: boolean;
}

const conditionsOf = (csr: Obj): Obj[] => listAt(objectAt(csr.status).conditions).map(objectAt);
const typesOf = (csr: Obj): string[] => conditionsOf(csr).map((c) => stringAt(c.type));

/** `getValidationOptions`: problems already in the stored object are tolerated. */
function allowances(csr: Obj, old: Obj | undefined, subresource: "" | "status" | "approval"): Allowances {
  const oldTypes = old ? typesOf(old) : [];
  const oldUsages = old ? stringsAt(objectAt(old.spec).usages) : [];
  const sameCertificate = old !== undefined && stringAt(objectAt(csr.status).certificate) === stringAt(objectAt(old.status).certificate);
  return {
    approvalConditions: subresource === "approval",
    certificate: subresource === "status",
    bothApprovedAndDenied: oldTypes.includes("Approved") && oldTypes.includes("Denied"),
    legacySigner: old !== undefined && stringAt(objectAt(old.spec).signerName) === LEGACY_UNKNOWN_SIGNER,
    duplicateConditionTypes: new Set(oldTypes).size !== oldTypes.length,
    emptyConditionType: oldTypes.includes(""),
    arbitraryCertificate: sameCertificate || (old !== undefined && certificateError(objectAt(old.status).certificate) !== undefined),
    duplicateUsages: new Set(oldUsages).size !== oldUsages.length,
    unknownUsages: oldUsages.some((u) => !VALID_USAGES.includes(u)),
  };
}

/** `validateConditions`. */
function validateConditions(csr: Obj, allow: Allowances): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  let approved = false;
  let denied = false;
  conditionsOf(csr).forEach((c, i) => {
    const type = stringAt(c.type);
    const status = stringAt(c.status);
    if (!allow.emptyConditionType && !type) errs.push(required(CONDITIONS.index(i).child("type"), ""));
    const allowed = TRUE_ONLY_CONDITIONS.includes(type) ? ["True"] : ALL_STATUS_VALUES;
    if (!status) errs.push(required(CONDITIONS.index(i).child("status"), ""));
    else if (!allowed.includes(status)) errs.push(notSupported(CONDITIONS.index(i).child("status"), status, allowed));
    if (!allow.bothApprovedAndDenied) {
      if (type === "Approved") {
        approved = true;
        if (denied) errs.push(invalid(CONDITIONS, type, "Approved and Denied conditions are mutually exclusive"));
      } else if (type === "Denied") {
        denied = true;
        if (approved) errs.push(invalid(CONDITIONS, type, "Approved and Denied conditions are mutually exclusive"));
      }
    }
    if (!allow.duplicateConditionTypes) {
      if (seen.has(type)) errs.push(duplicate(CONDITIONS.index(i).child("type"), type));
      seen.add(type);
    }
  });
  return errs;
}

/** `validateCertificateSigningRequest` without the object metadata. */
function validateCSR(csr: Obj, ctx: ApiContext, allow: Allowances): FieldError[] {
  const spec = objectAt(csr.spec);
  const path = FieldPath.of("spec");
  const errs = validateRequest(spec.request, path.child("request"));
  const usages = stringsAt(spec.usages);
  if (usages.length === 0) errs.push(required(path.child("usages"), ""));
  if (!allow.unknownUsages) {
    usages.forEach((u, i) => {
      if (!VALID_USAGES.includes(u)) errs.push(notSupported(path.child("usages").index(i), u, VALID_USAGES));
    });
  }
  if (!allow.duplicateUsages) {
    const seen = new Set<string>();
    usages.forEach((u, i) => {
      if (seen.has(u)) errs.push(duplicate(path.child("usages").index(i), u));
      seen.add(u);
    });
  }
  const signer = stringAt(spec.signerName);
  if (!allow.legacySigner && signer === LEGACY_UNKNOWN_SIGNER && ctx.version === "v1") errs.push(invalid(path.child("signerName"), signer, "the legacy signerName is not allowed via this API version"));
  else errs.push(...validateSignerName(path.child("signerName"), signer, ctx));
  const seconds = spec.expirationSeconds;
  if (typeof seconds === "number" && seconds < 600) errs.push(invalid(path.child("expirationSeconds"), seconds, "may not specify a duration less than 600 seconds (10 minutes)"));
  errs.push(...validateConditions(csr, allow));
  if (!allow.arbitraryCertificate) {
    const problem = certificateError(objectAt(csr.status).certificate);
    if (problem) errs.push(invalid(CERTIFICATE, "<certificate data>", problem));
  }
  return errs;
}

/** `validateCertificateSigningRequestUpdate` without the object metadata. */
function validateUpdate(subresource: "" | "status" | "approval") {
  return (csr: Obj, old: Obj, ctx: ApiContext): FieldError[] => {
    const allow = allowances(csr, old, subresource);
    const errs = validateCSR(csr, ctx, allow);
    const newTypes = typesOf(csr);
    const oldTypes = typesOf(old);
    const count = (types: string[], t: string) => types.filter((x) => x === t).length;
    for (const t of ["Approved", "Denied", "Failed"]) {
      if (count(newTypes, t) < count(oldTypes, t)) errs.push(forbidden(CONDITIONS, `updates may not remove a condition of type ${JSON.stringify(t)}`));
    }
    if (!allow.approvalConditions) {
      // Changed instances cannot reach here: both strategies keep the stored ones.
      for (const t of ["Approved", "Denied"]) {
        if (count(newTypes, t) > count(oldTypes, t)) errs.push(forbidden(CONDITIONS, `updates may not add a condition of type ${JSON.stringify(t)}`));
      }
    }
    const certificate = stringAt(objectAt(csr.status).certificate);
    const oldCertificate = stringAt(objectAt(old.status).certificate);
    if (certificate !== oldCertificate) {
      if (!allow.certificate) errs.push(forbidden(CERTIFICATE, "updates may not set certificate content"));
      else if (oldCertificate) errs.push(forbidden(CERTIFICATE, "updates may not modify existing certificate content"));
    }
    return errs;
  };
}

/** `populateConditionTimestamps`: missing times become now; an unchanged condition keeps when it last changed. */
function populateConditionTimestamps(csr: Obj, old: Obj, ctx: ApiContext): void {
  const now = ctx.now().toISOString().replace(/\.\d+Z$/, "Z");
  const oldConditions = conditionsOf(old);
  for (const c of listAt(objectAt(csr.status).conditions)) {
    if (typeof c !== "object" || c === null) continue;
    const condition = c as Obj;
    if (!condition.lastUpdateTime) condition.lastUpdateTime = now;
    if (!condition.lastTransitionTime) {
      const same = oldConditions.find((o) => o.type === condition.type && o.status === condition.status && o.lastTransitionTime);
      condition.lastTransitionTime = same ? same.lastTransitionTime : now;
    }
  }
}

/** `preserveConditionInstances`: the stored instances of a type stay as they were, when as many are sent. */
function preserveConditionInstances(csr: Obj, old: Obj, type: string): void {
  const oldConditions = listAt(objectAt(old.status).conditions);
  const conditions = listAt(objectAt(csr.status).conditions) as unknown[];
  const oldAt = oldConditions.flatMap((c, i) => (objectAt(c).type === type ? [i] : []));
  const newAt = conditions.flatMap((c, i) => (objectAt(c).type === type ? [i] : []));
  if (oldAt.length !== newAt.length) return;
  newAt.forEach((at, k) => (conditions[at] = structuredClone(oldConditions[oldAt[k]!])));
}

const keep = (from: Obj, key: string): unknown => (from[key] === undefined ? undefined : structuredClone(from[key]));

function setOrDelete(obj: Obj, key: string, value: unknown): void {
  if (value === undefined) delete obj[key];
  else obj[key] = value;
}

/** What kube-apiserver does to a CertificateSigningRequest. */
export const csrRules: KindRules = {
  prepareForCreate: (csr, ctx) => {
    const spec = objectAt(csr.spec);
    for (const k of ["username", "uid", "groups", "extra"]) delete spec[k];
    const user = ctx.user;
    if (user) {
      if (user.username) spec.username = user.username;
      if (user.uid) spec.uid = user.uid;
      if (user.groups?.length) spec.groups = [...user.groups];
      if (user.extra && Object.keys(user.extra).length) spec.extra = Object.fromEntries(Object.entries(user.extra).map(([k, v]) => [k, [...v]]));
    }
    if (typeof csr.spec === "object" && csr.spec !== null) csr.spec = spec;
    csr.status = {};
  },
  prepareForUpdate: (csr, old) => {
    setOrDelete(csr, "spec", keep(old, "spec"));
    setOrDelete(csr, "status", keep(old, "status"));
  },
  prepareForStatusUpdate: (csr, old, ctx) => {
    setOrDelete(csr, "spec", keep(old, "spec"));
    preserveConditionInstances(csr, old, "Approved");
    preserveConditionInstances(csr, old, "Denied");
    populateConditionTimestamps(csr, old, ctx);
  },
  validate: (csr, ctx) => (ctx.operation === "UPDATE" ? [] : validateCSR(csr, ctx, allowances(csr, undefined, ""))),
  validateUpdate: validateUpdate(""),
  validateStatusUpdate: validateUpdate("status"),
  subresources: {
    approval: {
      prepareForUpdate: (csr, old, ctx) => {
        populateConditionTimestamps(csr, old, ctx);
        const conditions = objectAt(csr.status).conditions;
        setOrDelete(csr, "spec", keep(old, "spec"));
        const status = objectAt(keep(old, "status"));
        setOrDelete(status, "conditions", conditions);
        csr.status = status;
      },
      validateUpdate: validateUpdate("approval"),
    },
  },
};

/** Whether the user may take an action (`approve`, `sign`) for a signer: `IsAuthorizedForSignerName`'s question, asked of the authorizer. */
export type SignerAuthorizer = (verb: "approve" | "sign", signerName: string) => boolean;

/**
 * The certificate admission plugins: `CertificateApproval` (an `/approval` write needs `approve`
 * for the signer), `CertificateSigning` (a `/status` write that changes the certificate needs
 * `sign`) and `CertificateSubjectRestriction` (no kube-apiserver-client certificate for the
 * `system:masters` group). Returns the reason to forbid the write, or undefined.
 *
 * @example
 * certificateAdmission("UPDATE", "approval", csr, old, (verb, signer) => can(verb, signer));
 * // 'user not permitted to approve requests with signerName "example.com/x"'
 */
export function certificateAdmission(operation: string, subresource: string, csr: Obj, old: Obj | undefined, authorized: SignerAuthorizer): string | undefined {
  const signer = stringAt(objectAt(csr.spec).signerName);
  // IsAuthorizedForSignerName: the signer's own name, or its domain with `/*`.
  const may = (verb: "approve" | "sign") => authorized(verb, signer) || authorized(verb, `${signer.split("/")[0]}/*`);
  if (operation === "UPDATE" && subresource === "approval") {
    return may("approve") ? undefined : `user not permitted to approve requests with signerName ${JSON.stringify(signer)}`;
  }
  if (operation === "UPDATE" && subresource === "status" && old) {
    const status = objectAt(csr.status);
    const oldStatus = objectAt(old.status);
    if (stringAt(status.certificate) === stringAt(oldStatus.certificate) && JSON.stringify(status.conditions ?? []) === JSON.stringify(oldStatus.conditions ?? [])) return undefined;
    return may("sign") ? undefined : `user not permitted to sign requests with signerName ${JSON.stringify(signer)}`;
  }
  if (operation === "CREATE" && subresource === "" && signer === KUBE_APISERVER_CLIENT_SIGNER) {
    const request = parseCertificateRequest(Buffer.from(stringAt(objectAt(csr.spec).request), "base64").toString("latin1"));
    if (!request) return "failed to parse CSR: x509: malformed certificate request";
    if (request.organizations.includes("system:masters")) return `use of ${KUBE_APISERVER_CLIENT_SIGNER} signer with system:masters group is not allowed`;
  }
  return undefined;
}
