/**
 * A small certificate authority for the local API server: a CA, a serving certificate for
 * localhost/127.0.0.1/::1 and client certificates (CN = user, O = groups, as kube-apiserver reads
 * them). Certificates are X.509 v3 with ECDSA P-256 keys, DER-encoded here and signed with
 * `node:crypto`, so nothing outside Node is needed.
 */
import { createPrivateKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";

function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  while (n > 0) {
    bytes.unshift(n & 0xff);
    n >>= 8;
  }
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

const tlv = (tag: number, ...content: Buffer[]): Buffer => {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), len(body.length), body]);
};
const seq = (...c: Buffer[]) => tlv(0x30, ...c);
const set = (...c: Buffer[]) => tlv(0x31, ...c);
const explicit = (n: number, ...c: Buffer[]) => tlv(0xa0 + n, ...c);

function integer(value: Buffer | number): Buffer {
  let b = typeof value === "number" ? Buffer.from([value]) : value;
  while (b.length > 1 && b[0] === 0 && !(b[1]! & 0x80)) b = b.subarray(1);
  if (b[0]! & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return tlv(0x02, b);
}

function oid(dotted: string): Buffer {
  const parts = dotted.split(".").map(Number);
  const out: number[] = [40 * parts[0]! + parts[1]!];
  for (const p of parts.slice(2)) {
    const chunk: number[] = [p & 0x7f];
    let v = p >>> 7;
    while (v > 0) {
      chunk.unshift((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, "utf8"));
const bool = (b: boolean) => tlv(0x01, Buffer.from([b ? 0xff : 0]));
const octets = (b: Buffer) => tlv(0x04, b);
const bits = (b: Buffer) => tlv(0x03, Buffer.concat([Buffer.from([0]), b]));

function utcTime(d: Date): Buffer {
  const p = (n: number) => String(n).padStart(2, "0");
  const s = `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  return tlv(0x17, Buffer.from(s, "ascii"));
}

const ECDSA_SHA256 = seq(oid("1.2.840.10045.4.3.2"));

function name(cn: string, orgs: readonly string[] = []): Buffer {
  return seq(...orgs.map((o) => set(seq(oid("2.5.4.10"), utf8(o)))), set(seq(oid("2.5.4.3"), utf8(cn))));
}

function ipBytes(ip: string): Buffer {
  if (ip.includes(":")) {
    const [head, tail] = ip.split("::") as [string, string | undefined];
    const h = head ? head.split(":") : [];
    const t = tail ? tail.split(":") : [];
    const groups = [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
    return Buffer.from(groups.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]));
  }
  return Buffer.from(ip.split(".").map(Number));
}

interface CertSpec {
  subject: Buffer;
  issuer: Buffer;
  /** The DER SubjectPublicKeyInfo of the certified key. */
  spki: Buffer;
  signer: KeyObject;
  ca: boolean;
  /** Go's `x509.KeyUsage` bits (digital signature 1, key encipherment 4, cert sign 32, …). */
  keyUsage: number;
  /** Extended key usages, as dotted OIDs. */
  extKeyUsages: readonly string[];
  /** The subjectAltName extension's value (a DER GeneralNames), if any. */
  subjectAltNames?: Buffer;
  notBefore: Date;
  notAfter: Date;
}

const SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
const CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
const DIGITAL_SIGNATURE = 1;
const KEY_ENCIPHERMENT = 4;
const CERT_SIGN = 32;
const CRL_SIGN = 64;

/** Go's `x509.KeyUsage` as the BIT STRING `marshalKeyUsage` writes: bit i of the mask is bit i of the string, trailing zeros unused. */
function keyUsageBits(mask: number): Buffer {
  const bytes = [0, 0];
  for (let i = 0; i < 9; i++) if (mask & (1 << i)) bytes[i >> 3]! |= 0x80 >> (i & 7);
  const used = bytes[1] ? 2 : 1;
  const last = bytes[used - 1]!;
  let unused = 0;
  while (last && unused < 7 && !(last & (1 << unused))) unused++;
  return tlv(0x03, Buffer.from([unused, ...bytes.slice(0, used)]));
}

function sanNames(dnsNames: readonly string[], ips: readonly string[]): Buffer | undefined {
  if (!dnsNames.length && !ips.length) return undefined;
  return seq(...dnsNames.map((d) => tlv(0x82, Buffer.from(d, "ascii"))), ...ips.map((ip) => tlv(0x87, ipBytes(ip))));
}

function certificate(spec: CertSpec): string {
  const extensions: Buffer[] = [seq(oid("2.5.29.19"), bool(true), octets(seq(...(spec.ca ? [bool(true)] : []))))];
  // As Go's x509: no key usage extension when no usage is asked for.
  if (spec.keyUsage) extensions.push(seq(oid("2.5.29.15"), bool(true), octets(keyUsageBits(spec.keyUsage))));
  if (spec.extKeyUsages.length) extensions.push(seq(oid("2.5.29.37"), octets(seq(...spec.extKeyUsages.map(oid)))));
  if (spec.subjectAltNames) extensions.push(seq(oid("2.5.29.17"), octets(spec.subjectAltNames)));
  const serial = randomBytes(16);
  serial[0] = serial[0]! & 0x7f;
  const tbs = seq(
    explicit(0, integer(2)),
    integer(serial),
    ECDSA_SHA256,
    spec.issuer,
    seq(utcTime(spec.notBefore), utcTime(spec.notAfter)),
    spec.subject,
    spec.spki,
    explicit(3, seq(...extensions)),
  );
  const signature = sign("sha256", tbs, { key: spec.signer, dsaEncoding: "der" });
  const der = seq(tbs, ECDSA_SHA256, bits(signature));
  const b64 = der.toString("base64").replace(/(.{64})/g, "$1\n").trim();
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

/** What {@link CertificateAuthority.sign} certifies: a requested subject and key, for a while. */
export interface CertificateTemplate {
  /** The DER subject Name, as the request has it. */
  subject: Uint8Array;
  /** The DER SubjectPublicKeyInfo of the requester's key. */
  spki: Uint8Array;
  /** The requested subjectAltName extension's value (DER GeneralNames), if any. */
  subjectAltNames?: Uint8Array;
  /** Go's `x509.KeyUsage` bits. */
  keyUsage: number;
  /** Extended key usages, as dotted OIDs. */
  extKeyUsages: readonly string[];
  notBefore: Date;
  notAfter: Date;
}

/**
 * A certificate and its private key, PEM-encoded.
 *
 * @example
 * const { cert, key }: CertificateAndKey = server.clientCertificate("alice", ["devs"]);
 */
export interface CertificateAndKey {
  cert: string;
  key: string;
}

/**
 * A certificate authority that issues serving and client certificates (for an admission webhook
 * server in a test: its serving certificate, and `cert` base64-encoded as the `caBundle`).
 *
 * @example
 * const ca = new CertificateAuthority("webhook-ca");
 * const { cert, key } = ca.serving(["localhost"], ["127.0.0.1"]);
 * const caBundle = Buffer.from(ca.cert).toString("base64");
 */
export class CertificateAuthority {
  readonly cert: string;
  /** When the CA's own certificate expires: no certificate it signs outlives it. */
  readonly notAfter: Date;
  private readonly key: KeyObject;
  private readonly subject: Buffer;

  constructor(commonName = "kubezod-ca") {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    this.key = privateKey;
    this.subject = name(commonName);
    const { notBefore, notAfter } = validity();
    this.notAfter = notAfter;
    this.cert = certificate({ subject: this.subject, issuer: this.subject, spki: spkiOf(publicKey), signer: privateKey, ca: true, keyUsage: DIGITAL_SIGNATURE | CERT_SIGN | CRL_SIGN, extKeyUsages: [], notBefore, notAfter });
  }

  /** A serving certificate for the given host names and IP addresses. */
  serving(dnsNames: string[], ips: string[]): CertificateAndKey {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const san = sanNames(dnsNames, ips);
    const cert = certificate({ subject: name("kubezod-apiserver"), issuer: this.subject, spki: spkiOf(publicKey), signer: this.key, ca: false, keyUsage: DIGITAL_SIGNATURE | KEY_ENCIPHERMENT, extKeyUsages: [SERVER_AUTH], ...(san ? { subjectAltNames: san } : {}), ...validity() });
    return { cert, key: pem(privateKey) };
  }

  /** A client certificate: CN is the user name, O the groups. */
  client(user: string, groups: readonly string[] = []): CertificateAndKey {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const cert = certificate({ subject: name(user, groups), issuer: this.subject, spki: spkiOf(publicKey), signer: this.key, ca: false, keyUsage: DIGITAL_SIGNATURE | KEY_ENCIPHERMENT, extKeyUsages: [CLIENT_AUTH], ...validity() });
    return { cert, key: pem(privateKey) };
  }

  /**
   * Certify a requested subject and key (a CertificateSigningRequest the signer controller
   * issues), returning the PEM certificate; it never outlives the CA's own.
   *
   * @example
   * const pem = ca.sign({ subject, spki, keyUsage: 1, extKeyUsages: ["1.3.6.1.5.5.7.3.2"], notBefore, notAfter });
   */
  sign(template: CertificateTemplate): string {
    const notAfter = template.notAfter < this.notAfter ? template.notAfter : this.notAfter;
    return certificate({
      subject: Buffer.from(template.subject),
      issuer: this.subject,
      spki: Buffer.from(template.spki),
      signer: this.key,
      ca: false,
      keyUsage: template.keyUsage,
      extKeyUsages: template.extKeyUsages,
      ...(template.subjectAltNames ? { subjectAltNames: Buffer.from(template.subjectAltNames) } : {}),
      notBefore: template.notBefore,
      notAfter,
    });
  }
}

/** An hour back (clocks differ) to a year ahead. */
function validity(): { notBefore: Date; notAfter: Date } {
  return { notBefore: new Date(Date.now() - 60 * 60 * 1000), notAfter: new Date(Date.now() + 365 * 24 * 60 * 60 * 1000) };
}

function spkiOf(key: KeyObject): Buffer {
  return key.export({ type: "spki", format: "der" });
}

function pem(key: KeyObject): string {
  return createPrivateKey(key.export({ type: "pkcs8", format: "pem" })).export({ type: "pkcs8", format: "pem" }).toString();
}
