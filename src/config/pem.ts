/**
 * Reading and checking PEM certificates and keys from kubeconfig fields (file or base64 data), so a
 * bad one fails at configuration time with the field's name instead of inside a TLS handshake.
 */
import type { X509Certificate as X509CertificateType } from "node:crypto";

// node:crypto loads when a certificate is first read, not with the library.
const crypto = () => process.getBuiltinModule("node:crypto");
import { readFileSync } from "node:fs";
import { ConfigError } from "../errors.js";

/** Read a file a kubeconfig field points at; `what` names the field and its owner for errors. */
export function readConfigFile(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(`${what}: cannot read ${path}: ${code === "ENOENT" ? "no such file" : code ?? (err as Error).message}`);
  }
}

/** Decode a `*-data` field (base64, as kubeconfig stores it). */
export function decodeData(data: string, what: string): string {
  const clean = data.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) throw new ConfigError(`${what}: not valid base64`);
  return Buffer.from(clean, "base64").toString("utf8");
}

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** Check a PEM bundle holds at least one parsable certificate; returns the PEM unchanged. */
export function checkCertificates(pem: string, what: string): string {
  const blocks = pem.match(CERT_BLOCK);
  if (!blocks?.length) throw new ConfigError(`${what}: no PEM certificate found`);
  for (const [i, block] of blocks.entries()) {
    try {
      new (crypto().X509Certificate)(block);
    } catch (err) {
      throw new ConfigError(`${what}: certificate ${i + 1} does not parse: ${(err as Error).message}`);
    }
  }
  return pem;
}

/** Check a client certificate and key parse and belong together. */
export function checkKeyPair(cert: string, key: string, what: string): void {
  checkCertificates(cert, `${what} client certificate`);
  let privateKey;
  try {
    privateKey = crypto().createPrivateKey(key);
  } catch (err) {
    throw new ConfigError(`${what} client key does not parse: ${(err as Error).message}`);
  }
  const leaf: X509CertificateType = new (crypto().X509Certificate)(cert.match(CERT_BLOCK)![0]!);
  if (!leaf.checkPrivateKey(privateKey)) throw new ConfigError(`${what}: the client key does not match the client certificate`);
}
