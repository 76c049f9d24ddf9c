/**
 * ClusterTrustBundle (pkg/apis/certificates/validation `ValidateClusterTrustBundle`,
 * `validateTrustBundle`; core's `ValidateClusterTrustBundleName`): names prefixed by their signer,
 * and a bundle of PEM `CERTIFICATE` blocks without headers, each an X.509 certificate with the CA
 * bit set, none repeated. The certificates are read as far as `x509.ParseCertificate` needs to
 * find the CA bit: a DER walk over the certificate's structure and its basic constraints.
 */
import { FieldPath, invalid, tooLong, type FieldError } from "../field.js";
import { isDNS1123Subdomain, objectAt, stringAt, validateImmutableField } from "../validation/index.js";
import { validateObjectMeta } from "../../meta/object-meta.js";
import type { ApiContext } from "../context.js";
import { validateSignerName } from "./signer.js";

type Obj = Record<string, unknown>;

/** certificates.MaxTrustBundleSize. */
const MAX_TRUST_BUNDLE_SIZE = 1024 * 1024;
const OMITTED = "<value omitted>";

/** One PEM block as Go's `pem.Decode` returns it. */
interface PemBlock {
  type: string;
  headers: number;
  bytes: Uint8Array;
}

const BEGIN = /-----BEGIN ([^\n-]*)-----[ \t\r]*\n/;

/** Go's `pem.Decode` over a whole text: the blocks it finds, in order (malformed ones skipped, as Go skips them). */
export function decodePem(text: string): PemBlock[] {
  const out: PemBlock[] = [];
  let rest = text;
  for (;;) {
    const m = BEGIN.exec(rest);
    if (!m) return out;
    const type = m[1]!;
    const after = rest.slice(m.index + m[0].length);
    const end = after.indexOf(`\n-----END ${type}-----`);
    const endAtStart = after.startsWith(`-----END ${type}-----`);
    if (end < 0 && !endAtStart) {
      rest = after;
      continue;
    }
    const body = endAtStart ? "" : after.slice(0, end + 1);
    const tail = after.slice(endAtStart ? 0 : end + 1);
    rest = tail.slice(`-----END ${type}-----`.length);
    let headers = 0;
    let lines = body.split("\n");
    const blank = lines.findIndex((l) => l.trim() === "");
    if (lines[0]?.includes(":")) {
      headers = lines.slice(0, blank < 0 ? lines.length : blank).filter((l) => l.includes(":")).length;
      lines = blank < 0 ? [] : lines.slice(blank + 1);
    }
    const b64 = lines.join("").replace(/[ \t\r]/g, "");
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 === 1) continue;
    out.push({ type, headers, bytes: Uint8Array.from(Buffer.from(b64, "base64")) });
  }
}

/** A DER element: tag, where it begins (its tag byte), and where its contents lie. */
export interface Der {
  tag: number;
  at: number;
  start: number;
  end: number;
}

/** The DER element at `at` (ending by `limit`), or undefined. @example readDer(Uint8Array.of(0x05, 0x00), 0, 2) // { tag: 5, at: 0, start: 2, end: 2 } */
export function readDer(b: Uint8Array, at: number, limit: number): Der | undefined {
  if (at + 2 > limit) return undefined;
  const tag = b[at]!;
  if ((tag & 0x1f) === 0x1f) return undefined;
  let len = b[at + 1]!;
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || start + n > limit) return undefined;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[start + i]!;
    start += n;
  }
  const end = start + len;
  return end <= limit ? { tag, at, start, end } : undefined;
}

/** The elements inside a constructed element, or undefined when they do not fill it exactly. @example children(bytes, readDer(bytes, 0, bytes.length)!) */
export function children(b: Uint8Array, d: Der): Der[] | undefined {
  const out: Der[] = [];
  for (let at = d.start; at < d.end; ) {
    const c = readDer(b, at, d.end);
    if (!c) return undefined;
    out.push(c);
    at = c.end;
  }
  return out;
}

const SEQUENCE = 0x30;
const BASIC_CONSTRAINTS = Uint8Array.of(0x55, 0x1d, 0x13); // 2.5.29.19

/** What {@link parseCertificate} reads from a certificate. */
export interface ParsedCertificate {
  /** The basic constraints mark it a CA. */
  ca: boolean;
  /** The validity, in milliseconds since the epoch (NaN where the time does not parse). */
  notBefore: number;
  notAfter: number;
  /** The DER bytes of the SubjectPublicKeyInfo. */
  spki: Uint8Array;
}

/** An ASN.1 UTCTime (`YYMMDDHHMMSSZ`, years 1950–2049) or GeneralizedTime (`YYYYMMDDHHMMSSZ`), in ms. */
function derTime(b: Uint8Array, d: Der): number {
  const text = Buffer.from(b.subarray(d.start, d.end)).toString("latin1");
  const m = d.tag === 0x17 ? /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(text) : d.tag === 0x18 ? /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(text) : null;
  if (!m) return NaN;
  let year = Number(m[1]);
  if (d.tag === 0x17) year += year < 50 ? 2000 : 1900;
  return Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

/** Whether a DER certificate parses far enough to read its extensions, and what it says. @example parseCertificate(der)?.ca */
export function parseCertificate(b: Uint8Array): ParsedCertificate | undefined {
  const cert = readDer(b, 0, b.length);
  if (!cert || cert.tag !== SEQUENCE || cert.end !== b.length) return undefined;
  const parts = children(b, cert);
  if (!parts || parts.length !== 3 || parts[0]!.tag !== SEQUENCE || parts[1]!.tag !== SEQUENCE || parts[2]!.tag !== 0x03) return undefined;
  const tbs = children(b, parts[0]!);
  if (!tbs) return undefined;
  let i = tbs[0]?.tag === 0xa0 ? 1 : 0;
  // serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo
  const expected = [0x02, SEQUENCE, SEQUENCE, SEQUENCE, SEQUENCE, SEQUENCE];
  const first = i;
  for (const tag of expected) if (tbs[i++]?.tag !== tag) return undefined;
  const validity = children(b, tbs[first + 3]!) ?? [];
  const spkiElement = tbs[first + 5]!;
  const headerStart = spkiElement.start - (spkiElement.end - spkiElement.start < 128 ? 2 : 2 + lengthBytes(spkiElement.end - spkiElement.start));
  const spki = b.subarray(headerStart, spkiElement.end);
  const notBefore = validity[0] ? derTime(b, validity[0]) : NaN;
  const notAfter = validity[1] ? derTime(b, validity[1]) : NaN;
  let ca = false;
  for (; i < tbs.length; i++) {
    if (tbs[i]!.tag !== 0xa3) continue;
    const wrapper = children(b, tbs[i]!);
    const list = wrapper?.[0];
    if (!list || list.tag !== SEQUENCE) return undefined;
    for (const ext of children(b, list) ?? []) {
      const fields = children(b, ext);
      if (!fields || fields[0]?.tag !== 0x06) return undefined;
      const oid = b.subarray(fields[0].start, fields[0].end);
      if (oid.length !== 3 || oid.some((v, k) => v !== BASIC_CONSTRAINTS[k])) continue;
      const value = fields[fields.length - 1]!;
      if (value.tag !== 0x04) return undefined;
      const bc = readDer(b, value.start, value.end);
      if (!bc || bc.tag !== SEQUENCE) return undefined;
      const flag = children(b, bc)?.[0];
      ca = flag !== undefined && flag.tag === 0x01 && flag.end - flag.start === 1 && b[flag.start] !== 0;
    }
  }
  return { ca, notBefore, notAfter, spki };
}

/** How many bytes a DER long-form length takes. */
function lengthBytes(n: number): number {
  let k = 0;
  for (; n > 0; n = Math.floor(n / 256)) k++;
  return k;
}

/** `validateTrustBundle`. */
function validateTrustBundle(path: FieldPath, text: string, ctx: ApiContext): FieldError[] {
  if (Buffer.byteLength(text) > MAX_TRUST_BUNDLE_SIZE) return [tooLong(path, "", MAX_TRUST_BUNDLE_SIZE, ctx.minor)];
  const errs: FieldError[] = [];
  const seen = new Map<string, number[]>();
  decodePem(text).forEach((block, i) => {
    if (block.type !== "CERTIFICATE") return errs.push(invalid(path, OMITTED, `entry ${i} has bad block type: ${block.type}`));
    if (block.headers) return errs.push(invalid(path, OMITTED, `entry ${i} has PEM block headers`));
    const cert = parseCertificate(block.bytes);
    if (!cert) return errs.push(invalid(path, OMITTED, `entry ${i} does not parse as X.509`));
    if (!cert.ca) return errs.push(invalid(path, OMITTED, `entry ${i} does not have the CA bit set`));
    const key = Buffer.from(block.bytes).toString("base64");
    seen.set(key, [...(seen.get(key) ?? []), i]);
    return undefined;
  });
  if (errs.length) return errs;
  if (seen.size === 0) errs.push(invalid(path, OMITTED, "at least one trust anchor must be provided"));
  for (const indices of seen.values()) if (indices.length > 1) errs.push(invalid(path, OMITTED, `duplicate trust anchor (indices [${indices.join(" ")}])`));
  return errs;
}

/** `ValidateClusterTrustBundleName`: the signer's name, `/` written `:`, then `:`, then a DNS subdomain. */
function validateName(name: string, signerName: string): string[] {
  if (!signerName) return name.includes(":") ? ['ClusterTrustBundle without signer name must not have ":" in its name'] : isDNS1123Subdomain(name);
  const prefix = `${signerName.replaceAll("/", ":")}:`;
  if (!name.startsWith(prefix)) return [`ClusterTrustBundle for signerName ${signerName} must be named with prefix ${prefix}`];
  return isDNS1123Subdomain(name.slice(prefix.length));
}

/** `ValidateClusterTrustBundle` with its own metadata check (the name rule depends on the signer). */
export function validateClusterTrustBundle(obj: Obj, ctx: ApiContext, suppressBundleParsing = false): FieldError[] {
  const spec = objectAt(obj.spec);
  const signer = stringAt(spec.signerName);
  const meta = objectAt(obj.metadata);
  const errs = validateObjectMeta(obj.metadata, { nameFormat: "path-segment", namespaced: false }).filter(
    (e) => !((e.field === "metadata.name" || e.field === "metadata.generateName") && e.type === "FieldValueInvalid"),
  );
  const named: FieldError[] = [];
  const generateName = stringAt(meta.generateName);
  if (generateName) for (const m of validateName(generateName, signer)) named.push(invalid(FieldPath.of("metadata", "generateName"), generateName, m));
  const name = stringAt(meta.name);
  if (name) for (const m of validateName(name, signer)) named.push(invalid(FieldPath.of("metadata", "name"), name, m));
  const out = [...named, ...errs];
  if (signer) out.push(...validateSignerName(FieldPath.of("spec", "signerName"), signer, ctx));
  if (!suppressBundleParsing) out.push(...validateTrustBundle(FieldPath.of("spec", "trustBundle"), stringAt(spec.trustBundle), ctx));
  return out;
}

/** `ValidateClusterTrustBundleUpdate`: an unchanged bundle is not parsed again; the signer is immutable. */
export function validateClusterTrustBundleUpdate(obj: Obj, old: Obj, ctx: ApiContext): FieldError[] {
  const spec = objectAt(obj.spec);
  const oldSpec = objectAt(old.spec);
  const errs = validateClusterTrustBundle(obj, ctx, stringAt(spec.trustBundle) === stringAt(oldSpec.trustBundle));
  errs.push(...validateImmutableField(stringAt(spec.signerName), stringAt(oldSpec.signerName), FieldPath.of("spec", "signerName")));
  return errs;
}

