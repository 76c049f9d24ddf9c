/**
 * The PodSecurity admission plugin in the local server's validating admission, as kube-apiserver
 * enables it by default: no exemptions, `privileged:latest` for every unlabelled mode. A refusal
 * is the plugin's 403 (or 422 for invalid namespace labels); audit annotations are not recorded,
 * as the local server keeps no audit log.
 */
import { admitPodSecurity, podSecurityApplies } from "../apiserver/admission/pod-security/index.js";
import type { ServedResource } from "./catalog.js";
import { forbidden, invalid } from "./status.js";
import type { KubeObject, Store } from "./store.js";

/** A write about to pass validating admission. */
export interface PodSecurityWrite {
  resource: ServedResource;
  operation: string;
  object: KubeObject | undefined;
  old: KubeObject | undefined;
  subresource: string;
  userName: string;
}

/** Run the PodSecurity plugin on a write; returns its `Warning` texts, throws its refusal. */
export function podSecurityAdmission(store: Store, write: PodSecurityWrite): string[] {
  const { resource: r, object } = write;
  if (r.custom || !object || (write.operation !== "CREATE" && write.operation !== "UPDATE") || !podSecurityApplies(r.group, r.plural)) return [];
  const meta: Record<string, unknown> = object.metadata ?? {};
  const name = String(meta.name ?? "");
  const namespace = typeof meta.namespace === "string" ? meta.namespace : undefined;
  const nsLabels = namespace !== undefined ? store.get("/namespaces", "", namespace)?.metadata.labels : undefined;
  const outcome = admitPodSecurity({
    operation: write.operation,
    group: r.group,
    resource: r.plural,
    ...(write.subresource ? { subresource: write.subresource } : {}),
    name,
    ...(namespace !== undefined ? { namespace } : {}),
    userName: write.userName,
    object,
    ...(write.old ? { oldObject: write.old } : {}),
    ...(nsLabels && typeof nsLabels === "object" ? { namespaceLabels: nsLabels as Record<string, string> } : {}),
    podsInNamespace: () => store.list("/pods", name),
  });
  if (outcome.invalid) throw invalid(r.kind, r.group, name, outcome.invalid);
  if (outcome.forbidden) throw forbidden(r, name || undefined, outcome.forbidden);
  return outcome.warnings;
}
