/** The name syntaxes kube-apiserver's validation applies to `metadata.name`. */
export type NameFormat = "dns-subdomain" | "dns-label" | "dns1035-label" | "path-segment";

/**
 * Short names, categories and name syntax of built-in resources. The OpenAPI documents do not carry
 * them; these are the values kube-apiserver's REST storages declare (their `ShortNames()` and
 * `Categories()`) and the name validators its validation uses (DNS subdomain when not listed),
 * keyed by `group/plural`.
 */
export const knownNames: Record<string, { shortNames?: string[]; categories?: string[]; nameFormat?: NameFormat }> = {
  "/componentstatuses": { shortNames: ["cs"] },
  "/configmaps": { shortNames: ["cm"] },
  "/endpoints": { shortNames: ["ep"] },
  "/events": { shortNames: ["ev"] },
  "/limitranges": { shortNames: ["limits"] },
  "/namespaces": { shortNames: ["ns"], nameFormat: "dns-label" },
  "/nodes": { shortNames: ["no"] },
  "/persistentvolumeclaims": { shortNames: ["pvc"] },
  "/persistentvolumes": { shortNames: ["pv"] },
  "/pods": { shortNames: ["po"], categories: ["all"] },
  "/replicationcontrollers": { shortNames: ["rc"], categories: ["all"] },
  "/resourcequotas": { shortNames: ["quota"] },
  "/serviceaccounts": { shortNames: ["sa"] },
  "/services": { shortNames: ["svc"], categories: ["all"], nameFormat: "dns1035-label" },
  "apiextensions.k8s.io/customresourcedefinitions": { shortNames: ["crd", "crds"], categories: ["api-extensions"] },
  "apiregistration.k8s.io/apiservices": { categories: ["api-extensions"] },
  "admissionregistration.k8s.io/mutatingwebhookconfigurations": { categories: ["api-extensions"] },
  "admissionregistration.k8s.io/validatingwebhookconfigurations": { categories: ["api-extensions"] },
  "admissionregistration.k8s.io/validatingadmissionpolicies": { categories: ["api-extensions"] },
  "admissionregistration.k8s.io/validatingadmissionpolicybindings": { categories: ["api-extensions"] },
  "admissionregistration.k8s.io/mutatingadmissionpolicies": { categories: ["api-extensions"] },
  "admissionregistration.k8s.io/mutatingadmissionpolicybindings": { categories: ["api-extensions"] },
  "apps/daemonsets": { shortNames: ["ds"], categories: ["all"] },
  "apps/deployments": { shortNames: ["deploy"], categories: ["all"] },
  "apps/replicasets": { shortNames: ["rs"], categories: ["all"] },
  // DNS label since Kubernetes 1.27 (pod hostnames come from the StatefulSet name).
  "apps/statefulsets": { shortNames: ["sts"], categories: ["all"], nameFormat: "dns-label" },
  "autoscaling/horizontalpodautoscalers": { shortNames: ["hpa"], categories: ["all"] },
  "batch/cronjobs": { shortNames: ["cj"], categories: ["all"] },
  "batch/jobs": { categories: ["all"] },
  "certificates.k8s.io/certificatesigningrequests": { shortNames: ["csr"] },
  "events.k8s.io/events": { shortNames: ["ev"] },
  "networking.k8s.io/ingresses": { shortNames: ["ing"] },
  "networking.k8s.io/networkpolicies": { shortNames: ["netpol"] },
  "networking.k8s.io/ipaddresses": { shortNames: ["ip"] },
  "policy/poddisruptionbudgets": { shortNames: ["pdb"] },
  "scheduling.k8s.io/priorityclasses": { shortNames: ["pc"] },
  "storage.k8s.io/storageclasses": { shortNames: ["sc"] },
  "storage.k8s.io/volumeattributesclasses": { shortNames: ["vac"] },
  "rbac.authorization.k8s.io/roles": { nameFormat: "path-segment" },
  "rbac.authorization.k8s.io/clusterroles": { nameFormat: "path-segment" },
  "rbac.authorization.k8s.io/rolebindings": { nameFormat: "path-segment" },
  "rbac.authorization.k8s.io/clusterrolebindings": { nameFormat: "path-segment" },
};
