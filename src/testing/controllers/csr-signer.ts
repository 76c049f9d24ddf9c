/**
 * kube-controller-manager's csrsigning controllers (pkg/controller/certificates/signer): an
 * approved CertificateSigningRequest for one of Kubernetes' signers gets its certificate, signed
 * by the cluster's CA — the one the server trusts for client certificates, so a
 * `kubernetes.io/kube-apiserver-client` certificate logs its subject in (CN the user, O the
 * groups). The certificate lasts what `spec.expirationSeconds` asks (10 minutes to a year) and
 * starts five minutes back. A request the signer's rules refuse gets a `Failed` condition
 * (reason `SignerValidationFailure`); one whose signature does not verify is left alone, as the
 * signer leaves it (it fails to sign and retries).
 */
import { verify, createPublicKey, constants } from "node:crypto";
import { KUBE_APISERVER_CLIENT_SIGNER, parseCertificateRequest, type CertificateRequest } from "../../apiserver/certificates/index.js";
import type { CertificateTemplate } from "../certificates.js";
import { keyOf, type ResourceRef } from "./api.js";
import { objectKeyOf, splitKey, type ControllerContext } from "./manager.js";

type Obj = Record<string, unknown>;

const CSRS: ResourceRef = { group: "certificates.k8s.io", version: "v1", plural: "certificatesigningrequests" };
const KUBELET_CLIENT_SIGNER = "kubernetes.io/kube-apiserver-client-kubelet";
const KUBELET_SERVING_SIGNER = "kubernetes.io/kubelet-serving";
const BACKDATE_MS = 5 * 60 * 1000;
const MIN_DURATION_S = 10 * 60;
/** `--cluster-signing-duration`'s default. */
const CERT_TTL_S = 365 * 24 * 60 * 60;

/** `keyUsagesFromStrings`: the usages a CSR asks for, as x509 key usage bits and extended key usage OIDs. */
const KEY_USAGES: Record<string, number> = {
  signing: 1,
  "digital signature": 1,
  "content commitment": 2,
  "key encipherment": 4,
  "data encipherment": 8,
  "key agreement": 16,
  "cert sign": 32,
  "crl sign": 64,
  "encipher only": 128,
  "decipher only": 256,
};
const EXT_KEY_USAGES: Record<string, string> = {
  any: "2.5.29.37.0",
  "server auth": "1.3.6.1.5.5.7.3.1",
  "client auth": "1.3.6.1.5.5.7.3.2",
  "code signing": "1.3.6.1.5.5.7.3.3",
  "email protection": "1.3.6.1.5.5.7.3.4",
  "s/mime": "1.3.6.1.5.5.7.3.4",
  "ipsec end system": "1.3.6.1.5.5.7.3.5",
  "ipsec tunnel": "1.3.6.1.5.5.7.3.6",
  "ipsec user": "1.3.6.1.5.5.7.3.7",
  timestamping: "1.3.6.1.5.5.7.3.8",
  "ocsp signing": "1.3.6.1.5.5.7.3.9",
  "microsoft sgc": "1.3.6.1.4.1.311.10.3.3",
  "netscape sgc": "2.16.840.1.113730.4.1",
};

const sameSet = (a: readonly string[], b: readonly string[]) => new Set(a).size === b.length && b.every((u) => a.includes(u));

/** `validAPIServerClientUsages`. */
function apiServerClientProblem(usages: readonly string[]): string | undefined {
  let clientAuth = false;
  for (const u of usages) {
    if (u === "client auth") clientAuth = true;
    else if (u !== "digital signature" && u !== "key encipherment") return `invalid usage for client certificate: ${u}`;
  }
  return clientAuth ? undefined : "missing required usage for client certificate: client auth";
}

/** `ValidateKubeletClientCSR`. */
function kubeletClientProblem(req: CertificateRequest, usages: readonly string[]): string | undefined {
  if (req.organizations.length !== 1 || req.organizations[0] !== "system:nodes") return "subject organization is not system:nodes";
  if (req.dnsNames.length) return "DNS subjectAltNames are not allowed";
  if (req.emailAddresses.length) return "Email subjectAltNames are not allowed";
  if (req.ipAddresses) return "IP subjectAltNames are not allowed";
  if (req.uris.length) return "URI subjectAltNames are not allowed";
  if (!req.commonName.startsWith("system:node:")) return "subject common name does not begin with system:node:";
  if (!sameSet(usages, ["client auth", "digital signature", "key encipherment"]) && !sameSet(usages, ["client auth", "digital signature"])) {
    return "usages did not match [client auth digital signature key encipherment]";
  }
  return undefined;
}

/** `ValidateKubeletServingCSR`. */
function kubeletServingProblem(req: CertificateRequest, usages: readonly string[]): string | undefined {
  if (req.organizations.length !== 1 || req.organizations[0] !== "system:nodes") return "subject organization is not system:nodes";
  if (!req.dnsNames.length && !req.ipAddresses) return "DNS or IP subjectAltName is required";
  if (req.emailAddresses.length) return "Email subjectAltNames are not allowed";
  if (req.uris.length) return "URI subjectAltNames are not allowed";
  if (!sameSet(usages, ["digital signature", "key encipherment", "server auth"]) && !sameSet(usages, ["digital signature", "server auth"])) {
    return "usages did not match [digital signature key encipherment server auth]";
  }
  if (!req.commonName.startsWith("system:node:")) return "subject common name does not begin with system:node:";
  return undefined;
}

const SIGNERS: Record<string, (req: CertificateRequest, usages: readonly string[]) => string | undefined> = {
  [KUBE_APISERVER_CLIENT_SIGNER]: (_req, usages) => apiServerClientProblem(usages),
  [KUBELET_CLIENT_SIGNER]: kubeletClientProblem,
  [KUBELET_SERVING_SIGNER]: kubeletServingProblem,
};

const RSA_PKCS1: Record<string, string> = { "2a864886f70d01010b": "sha256", "2a864886f70d01010c": "sha384", "2a864886f70d01010d": "sha512" };
const ECDSA: Record<string, string> = { "2a8648ce3d040302": "sha256", "2a8648ce3d040303": "sha384", "2a8648ce3d040304": "sha512" };
const RSA_PSS = "2a864886f70d01010a";
const ED25519 = "2b6570";
const PSS_HASHES: Record<string, string> = { "608648016503040201": "sha256", "608648016503040202": "sha384", "608648016503040203": "sha512" };

/** `CheckSignature` for the algorithms Go's x509 accepts on requests (SHA-1 signatures are refused, as Go refuses them). */
function signatureVerifies(req: CertificateRequest): boolean {
  try {
    const key = createPublicKey({ key: Buffer.from(req.spki), format: "der", type: "spki" });
    const data = Buffer.from(req.signed);
    const signature = Buffer.from(req.signature);
    const alg = req.signatureAlgorithm;
    if (RSA_PKCS1[alg]) return verify(RSA_PKCS1[alg], data, key, signature);
    if (ECDSA[alg]) return verify(ECDSA[alg], data, { key, dsaEncoding: "der" }, signature);
    if (alg === ED25519) return verify(null, data, key, signature);
    if (alg === RSA_PSS && req.signatureParameters) {
      const params = Buffer.from(req.signatureParameters).toString("hex");
      const hash = Object.entries(PSS_HASHES).find(([oid]) => params.includes(oid))?.[1];
      return hash !== undefined && verify(hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO }, signature);
    }
    return false;
  } catch {
    return false;
  }
}

/** `signingDuration`: what the request asks, from 10 minutes to the signer's TTL. */
function signingSeconds(expirationSeconds: unknown): number {
  if (typeof expirationSeconds !== "number") return CERT_TTL_S;
  return Math.min(CERT_TTL_S, Math.max(MIN_DURATION_S, expirationSeconds));
}

const conditionsOf = (status: Obj): Obj[] => (Array.isArray(status.conditions) ? (status.conditions as unknown[]) : []).filter((c): c is Obj => typeof c === "object" && c !== null);

/** Register the signers of `kubernetes.io/kube-apiserver-client`, `kube-apiserver-client-kubelet` and `kubelet-serving`. */
export function registerCertificateSigners(ctx: ControllerContext, sign: (template: CertificateTemplate) => string): void {
  const api = ctx.as({ manager: "kube-controller-manager", user: "system:serviceaccount:kube-system:certificate-controller" });
  ctx.watch(keyOf(CSRS), "csrsigning", (e) => (e.type === "DELETED" ? undefined : objectKeyOf(e.object)));
  ctx.reconciler("csrsigning", (key) => {
    const csr = api.get(CSRS, "", splitKey(key).name);
    if (!csr) return;
    const spec = (csr.spec ?? {}) as Obj;
    const status = (csr.status ?? {}) as Obj;
    if (status.certificate) return;
    const conditions = conditionsOf(status);
    const has = (type: string) => conditions.some((c) => c.type === type && (type !== "Failed" || c.status === "True"));
    if (!has("Approved") || has("Denied") || has("Failed")) return;
    const rules = SIGNERS[String(spec.signerName)];
    if (!rules) return;
    const req = parseCertificateRequest(Buffer.from(String(spec.request ?? ""), "base64").toString("latin1"));
    if (!req || !signatureVerifies(req)) return;
    const usages = Array.isArray(spec.usages) ? spec.usages.map(String) : [];
    const now = ctx.now();
    const problem = rules(req, usages);
    if (problem) {
      const failed = { type: "Failed", status: "True", reason: "SignerValidationFailure", message: problem, lastUpdateTime: new Date(now).toISOString().replace(/\.\d+Z$/, "Z") };
      api.updateStatus(CSRS, { ...csr, status: { ...status, conditions: [...conditions, failed] } });
      return;
    }
    const certificate = sign({
      subject: req.subject,
      spki: req.spki,
      ...(req.subjectAltNames ? { subjectAltNames: req.subjectAltNames } : {}),
      keyUsage: usages.reduce((bits, u) => bits | (KEY_USAGES[u] ?? 0), 0),
      extKeyUsages: [...new Set(usages.flatMap((u) => (EXT_KEY_USAGES[u] ? [EXT_KEY_USAGES[u]] : [])))],
      notBefore: new Date(now - BACKDATE_MS),
      notAfter: new Date(now + signingSeconds(spec.expirationSeconds) * 1000),
    });
    api.updateStatus(CSRS, { ...csr, status: { ...status, certificate: Buffer.from(certificate).toString("base64") } });
  });
}
