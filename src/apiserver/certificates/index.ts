/**
 * The certificates.k8s.io API group (pkg/apis/certificates/validation): CertificateSigningRequest
 * request (a PEM CERTIFICATE REQUEST block), usages (known, unique), signer name and expiration.
 * The strategy clears status on create, so status conditions and certificates are not checked here.
 * ClusterTrustBundle: see `trust-bundle.ts`; PodCertificateRequest: see `pod-certificate-request.ts`.
 */
import type { GroupRules } from "../registry.js";
import { duplicate, FieldPath, invalid, notSupported, required, type FieldError } from "../field.js";
import { stringAt, stringsAt } from "../validation/index.js";
import type { ApiContext } from "../context.js";
import { validateSignerName } from "./signer.js";
import { validateClusterTrustBundle, validateClusterTrustBundleUpdate } from "./trust-bundle.js";
import { podCertificateRequestRules } from "./pod-certificate-request.js";

export { validateSignerName };

type Obj = Record<string, unknown>;

const VALID_USAGES = [
  "any", "cert sign", "client auth", "code signing", "content commitment", "crl sign", "data encipherment", "decipher only",
  "digital signature", "email protection", "encipher only", "ipsec end system", "ipsec tunnel", "ipsec user", "key agreement",
  "key encipherment", "microsoft sgc", "netscape sgc", "ocsp signing", "s/mime", "server auth", "signing", "timestamping",
];
const LEGACY_UNKNOWN_SIGNER = "kubernetes.io/legacy-unknown";

/** Go's `%#v` of a byte slice. */
function goBytes(bytes: Buffer): string {
  return `[]byte{${[...bytes].map((b) => `0x${b.toString(16)}`).join(", ")}}`;
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

/**
 * `validateCertificateSigningRequest` without the object metadata. On update, `getValidationOptions`
 * tolerates what the stored object already has: unknown or duplicate usages and the legacy signer.
 */
function validateCSR(csr: Obj, ctx: ApiContext, old?: Obj): FieldError[] {
  const spec = Object(csr.spec) as Obj;
  const oldUsages = old ? stringsAt((Object(old.spec) as Obj).usages) : [];
  const allowUnknownUsages = oldUsages.some((u) => !VALID_USAGES.includes(u));
  const allowDuplicateUsages = new Set(oldUsages).size !== oldUsages.length;
  const allowLegacySignerName = old !== undefined && stringAt((Object(old.spec) as Obj).signerName) === LEGACY_UNKNOWN_SIGNER;
  const path = FieldPath.of("spec");
  const errs = validateRequest(spec.request, path.child("request"));
  const usages = stringsAt(spec.usages);
  if (usages.length === 0) errs.push(required(path.child("usages"), ""));
  if (!allowUnknownUsages) {
    usages.forEach((u, i) => {
      if (!VALID_USAGES.includes(u)) errs.push(notSupported(path.child("usages").index(i), u, VALID_USAGES));
    });
  }
  if (!allowDuplicateUsages) {
    const seen = new Set<string>();
    usages.forEach((u, i) => {
      if (seen.has(u)) errs.push(duplicate(path.child("usages").index(i), u));
      seen.add(u);
    });
  }
  const signer = stringAt(spec.signerName);
  if (signer === LEGACY_UNKNOWN_SIGNER && ctx.version === "v1" && !allowLegacySignerName) errs.push(invalid(path.child("signerName"), signer, "the legacy signerName is not allowed via this API version"));
  else errs.push(...validateSignerName(path.child("signerName"), signer, ctx));
  const seconds = spec.expirationSeconds;
  if (typeof seconds === "number" && seconds < 600) errs.push(invalid(path.child("expirationSeconds"), seconds, "may not specify a duration less than 600 seconds (10 minutes)"));
  return errs;
}

/** What kube-apiserver does to the kinds of `certificates.k8s.io`. */
export const rules: GroupRules = {
  group: "certificates.k8s.io",
  kinds: {
    CertificateSigningRequest: {
      prepareForCreate: (csr) => {
        delete csr.status;
      },
      // The main resource cannot change the spec or the status: the strategy keeps the stored ones.
      prepareForUpdate: (csr, old) => {
        csr.spec = structuredClone(old.spec);
        if (old.status === undefined) delete csr.status;
        else csr.status = structuredClone(old.status);
      },
      validate: (csr, ctx) => (ctx.operation === "UPDATE" ? [] : validateCSR(csr, ctx)),
      validateUpdate: (csr, old, ctx) => validateCSR(csr, ctx, old),
    },
    ClusterTrustBundle: {
      // ValidateClusterTrustBundle checks the metadata itself: the name rule depends on the signer.
      objectMeta: false,
      validate: (obj, ctx) => (ctx.operation === "UPDATE" ? [] : validateClusterTrustBundle(obj, ctx)),
      validateUpdate: validateClusterTrustBundleUpdate,
    },
    PodCertificateRequest: podCertificateRequestRules,
  },
};
