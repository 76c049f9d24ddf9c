/**
 * Facts about built-in resources that the OpenAPI documents do not carry, kept as data and keyed
 * by `group/plural`: the field selectors each resource supports (kube-apiserver's field label
 * conversion functions) and the values its create strategy fills in.
 */

/** A selectable field: where its value lives, and what it reads as when the field is unset. */
export interface SelectableField {
  path: string;
  default?: string;
  /** Where the value is read from instead when the field is empty. */
  orPath?: string;
}

const field = (path: string, fallback?: string): SelectableField => ({ path, ...(fallback !== undefined ? { default: fallback } : {}) });

/** An Event's `source`: `source.component`, or the reporting controller when that is empty (`ToSelectableFields`). */
const eventSource: SelectableField = { path: "source.component", orPath: "reportingComponent" };

/**
 * Event fields selectable through events.k8s.io (`AddFieldLabelConversionsForEvent`: its names
 * mapped to the core fields the shared store selects on; objects are stored at core/v1).
 */
const eventsGroupFields = Object.fromEntries(
  [
    ...["kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath"].map((f) => [`regarding.${f}`, field(`involvedObject.${f}`)] as const),
    ["reason", field("reason")] as const,
    ["reportingController", field("reportingComponent")] as const,
    ["source", eventSource] as const,
    ["type", field("type")] as const,
  ],
);

/** Field selectors beyond `metadata.name` and `metadata.namespace`, by `group/plural`. */
export const selectableFields: Record<string, Record<string, SelectableField>> = {
  "/pods": {
    "spec.nodeName": field("spec.nodeName"),
    "spec.restartPolicy": field("spec.restartPolicy"),
    "spec.schedulerName": field("spec.schedulerName"),
    "spec.serviceAccountName": field("spec.serviceAccountName"),
    "spec.hostNetwork": field("spec.hostNetwork", "false"),
    "status.phase": field("status.phase"),
    "status.podIP": field("status.podIP"),
    "status.nominatedNodeName": field("status.nominatedNodeName"),
  },
  "/events": {
    "involvedObject.kind": field("involvedObject.kind"),
    "involvedObject.namespace": field("involvedObject.namespace"),
    "involvedObject.name": field("involvedObject.name"),
    "involvedObject.uid": field("involvedObject.uid"),
    "involvedObject.apiVersion": field("involvedObject.apiVersion"),
    "involvedObject.resourceVersion": field("involvedObject.resourceVersion"),
    "involvedObject.fieldPath": field("involvedObject.fieldPath"),
    reason: field("reason"),
    reportingComponent: field("reportingComponent"),
    source: eventSource,
    type: field("type"),
  },
  "events.k8s.io/events": eventsGroupFields,
  "/namespaces": { "status.phase": field("status.phase") },
  "/nodes": { "spec.unschedulable": field("spec.unschedulable", "false") },
  "/secrets": { type: field("type") },
  "/replicationcontrollers": { "status.replicas": field("status.replicas", "0") },
  "apps/replicasets": { "status.replicas": field("status.replicas", "0") },
  "batch/jobs": { "status.successful": field("status.successful", "0") },
  "certificates.k8s.io/certificatesigningrequests": { "spec.signerName": field("spec.signerName") },
};

/**
 * Fields kube-apiserver's create strategies set on new objects, merged under what the client sent
 * (`PrepareForCreate`), by `group/plural`.
 */
export const createDefaults: Record<string, Record<string, unknown>> = {
  "/namespaces": { spec: { finalizers: ["kubernetes"] }, status: { phase: "Active" } },
  "/pods": { status: { phase: "Pending", qosClass: "BestEffort" } },
};

/** Status fields the apiserver sets when deletion of an object begins, by `group/plural`. */
export const terminatingStatus: Record<string, Record<string, unknown>> = {
  "/namespaces": { phase: "Terminating" },
};

/**
 * The kinds deleted gracefully, by `group/plural` (the strategies with `CheckGracefulDelete`): the
 * grace period of a delete from the requested seconds and the object. A pod's is the request's, else
 * its `terminationGracePeriodSeconds`; 0 for a pod no node runs or that has finished; a negative one is 1.
 */
export const gracefulDeletion: Record<string, (obj: Record<string, unknown>, requested: number | undefined) => number> = {
  "/pods": (pod, requested) => {
    const spec = (pod.spec ?? {}) as Record<string, unknown>;
    const phase = ((pod.status ?? {}) as Record<string, unknown>).phase;
    let period = requested ?? (typeof spec.terminationGracePeriodSeconds === "number" ? spec.terminationGracePeriodSeconds : 0);
    if (!spec.nodeName) period = 0;
    if (phase === "Failed" || phase === "Succeeded") period = 0;
    return period < 0 ? 1 : period;
  },
};

/** Labels the apiserver sets to an object's own name, by `group/plural`. */
export const nameLabels: Record<string, string> = {
  "/namespaces": "kubernetes.io/metadata.name",
};

/** The namespaces every cluster starts with. */
export const initialNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease"];

/** The finalizer the namespace controller removes once a namespace is empty. */
export const NAMESPACE_FINALIZER = "kubernetes";

/** Fields that may not change once set (kube-apiserver's update validation), by `group/plural`. */
export const immutableFields: Record<string, string[]> = {
  "apps/deployments": ["spec.selector"],
  "apps/replicasets": ["spec.selector"],
  "apps/statefulsets": ["spec.selector", "spec.serviceName", "spec.volumeClaimTemplates", "spec.podManagementPolicy"],
  "apps/daemonsets": ["spec.selector"],
  "batch/jobs": ["spec.selector", "spec.template", "spec.completions", "spec.completionMode"],
  "/services": ["spec.clusterIP"],
  "/persistentvolumeclaims": ["spec.storageClassName", "spec.volumeMode", "spec.accessModes", "spec.selector"],
  "storage.k8s.io/storageclasses": ["provisioner", "parameters", "reclaimPolicy", "volumeBindingMode"],
  "rbac.authorization.k8s.io/rolebindings": ["roleRef"],
  "rbac.authorization.k8s.io/clusterrolebindings": ["roleRef"],
  "scheduling.k8s.io/priorityclasses": ["value", "preemptionPolicy"],
};

/** Fields frozen once the object's `immutable` is true (ConfigMaps and Secrets), by `group/plural`. */
export const immutableWhenFlagged: Record<string, string[]> = {
  "/configmaps": ["data", "binaryData"],
  "/secrets": ["data", "stringData", "type"],
};

/**
 * Allocated fields an update keeps from the stored object when the client leaves them out (as the
 * Service registry keeps cluster IPs), by `group/plural`. A `[]` segment matches list items by the
 * listed key fields.
 */
export const keptOnUpdate: Record<string, string[]> = {
  "/services": ["spec.clusterIP", "spec.clusterIPs", "spec.ipFamilies", "spec.ipFamilyPolicy", "spec.ports[port,protocol].nodePort"],
};
