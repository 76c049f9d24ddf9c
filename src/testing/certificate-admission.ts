/**
 * The certificate admission plugins in the local server's validating admission, as kube-apiserver
 * runs them: CertificateApproval (`/approval` writes), CertificateSigning (`/status` writes) and
 * CertificateSubjectRestriction (creates), each asking the server's authorizer about the signer.
 * A refusal is kube-apiserver's 403.
 */
import { certificateAdmission } from "../apiserver/certificates/index.js";
import { decide, type Authorizer, type UserInfo } from "./auth.js";
import type { ServedResource } from "./catalog.js";
import { statusError } from "./status.js";
import type { KubeObject } from "./store.js";

/** One write as the plugins see it. */
export interface CertificateWrite {
  resource: ServedResource;
  operation: string;
  object: KubeObject | undefined;
  old: KubeObject | undefined;
  subresource: string;
  user: UserInfo;
}

/** Run the certificate plugins on a write (none but CertificateSigningRequests'); throws their refusal. */
export function certificateAdmissionCheck(write: CertificateWrite, authorize: Authorizer | undefined, disabled: ReadonlySet<string> | undefined): void {
  const { resource: r, object: obj, subresource: sub } = write;
  if (r.group !== "certificates.k8s.io" || r.plural !== "certificatesigningrequests" || !obj) return;
  const plugin = sub === "approval" ? "CertificateApproval" : sub === "status" ? "CertificateSigning" : "CertificateSubjectRestriction";
  if (disabled?.has(plugin)) return;
  const signers = (verb: string, name: string) => !authorize || decide(authorize, { user: write.user, verb, resource: { group: r.group, version: "*", resource: "signers", name } }).allowed;
  const reason = certificateAdmission(write.operation, sub, obj, write.old, signers);
  if (!reason) return;
  const name = String(obj.metadata.name ?? "");
  throw statusError(403, "Forbidden", `${r.plural}.${r.group} ${JSON.stringify(name)} is forbidden: ${reason}`, { name, group: r.group, kind: r.plural });
}
