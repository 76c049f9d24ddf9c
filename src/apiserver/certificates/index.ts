/**
 * The certificates.k8s.io API group (pkg/apis/certificates/validation): CertificateSigningRequest
 * (see `csr.ts`), ClusterTrustBundle (see `trust-bundle.ts`), PodCertificateRequest (see
 * `pod-certificate-request.ts`).
 */
import type { GroupRules } from "../registry.js";
import { validateSignerName } from "./signer.js";
import { csrRules } from "./csr.js";
import { validateClusterTrustBundle, validateClusterTrustBundleUpdate } from "./trust-bundle.js";
import { podCertificateRequestRules } from "./pod-certificate-request.js";

export { validateSignerName };
export { certificateAdmission, parseCertificateRequest, KUBE_APISERVER_CLIENT_SIGNER, type CertificateRequest, type SignerAuthorizer } from "./csr.js";

/** What kube-apiserver does to the kinds of `certificates.k8s.io`. */
export const rules: GroupRules = {
  group: "certificates.k8s.io",
  kinds: {
    CertificateSigningRequest: csrRules,
    ClusterTrustBundle: {
      // ValidateClusterTrustBundle checks the metadata itself: the name rule depends on the signer.
      objectMeta: false,
      validate: (obj, ctx) => (ctx.operation === "UPDATE" ? [] : validateClusterTrustBundle(obj, ctx)),
      validateUpdate: validateClusterTrustBundleUpdate,
    },
    PodCertificateRequest: podCertificateRequestRules,
  },
};
