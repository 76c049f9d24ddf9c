/**
 * API versions Kubernetes deprecated and removed, from the Kubernetes Deprecated API Migration
 * Guide and the types' `zz_generated.prerelease-lifecycle.go` (`APILifecycleDeprecated`,
 * `APILifecycleRemoved`, `APILifecycleReplacement`): when each stopped being served, what replaces
 * it, and the warning kube-apiserver sends while it still serves a deprecated one.
 */
import { versionLevel } from "./served.js";

/** One deprecated API version of one or more kinds. */
export interface ApiDeprecation {
  apiVersion: string;
  kinds: readonly string[];
  /** Minor in which the version was deprecated (warnings from then on). */
  deprecatedIn: number;
  /** Minor in which it is no longer served; undefined while it is still served. */
  removedIn?: number;
  /** The apiVersion to use instead; undefined when the API was removed without replacement. */
  replacement?: string;
  /** A note on what changed or what to do. */
  note?: string;
  /**
   * The type's `APILifecycleReplacement` (what kube-apiserver's warning names) where it is not
   * `replacement` with the same kind: flowcontrol v1beta2 names v1beta3, core v1 Endpoints names
   * discovery.k8s.io/v1 EndpointSlice.
   */
  lifecycleReplacement?: { apiVersion: string; kind?: string };
  /**
   * An alpha type whose removal is a `+k8s:prerelease-lifecycle-gen:removed` tag. From 1.31 the
   * generator writes an untagged alpha type's removal only once the release reaches it, so the
   * warning of an untagged one names no removal from 1.31 on.
   */
  lifecycleRemovalTagged?: true;
}

const t = (
  apiVersion: string,
  kinds: string[],
  deprecatedIn: number,
  removedIn: number | undefined,
  replacement: string | undefined,
  note?: string,
  lifecycleReplacement?: ApiDeprecation["lifecycleReplacement"],
): ApiDeprecation => ({
  apiVersion,
  kinds,
  deprecatedIn,
  ...(removedIn ? { removedIn } : {}),
  ...(replacement ? { replacement } : {}),
  ...(note ? { note } : {}),
  ...(lifecycleReplacement ? { lifecycleReplacement } : {}),
});

/**
 * The deprecation table (group/version, kinds, deprecated in, removed in, replacement).
 *
 * @example
 * apiDeprecations.find((d) => d.apiVersion === "policy/v1beta1")?.removedIn; // 25
 */
export const apiDeprecations: readonly ApiDeprecation[] = [
  // Removed in 1.16
  t("extensions/v1beta1", ["Deployment", "DaemonSet", "ReplicaSet"], 9, 16, "apps/v1"),
  t("apps/v1beta1", ["Deployment", "StatefulSet", "ControllerRevision"], 9, 16, "apps/v1"),
  t("apps/v1beta2", ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ControllerRevision"], 9, 16, "apps/v1"),
  t("extensions/v1beta1", ["NetworkPolicy"], 9, 16, "networking.k8s.io/v1"),
  t("extensions/v1beta1", ["PodSecurityPolicy"], 11, 16, "policy/v1beta1"),
  // Removed in 1.22
  t("admissionregistration.k8s.io/v1beta1", ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"], 16, 22, "admissionregistration.k8s.io/v1"),
  t("apiextensions.k8s.io/v1beta1", ["CustomResourceDefinition"], 16, 22, "apiextensions.k8s.io/v1"),
  t("apiregistration.k8s.io/v1beta1", ["APIService"], 19, 22, "apiregistration.k8s.io/v1"),
  t("authentication.k8s.io/v1beta1", ["TokenReview"], 19, 22, "authentication.k8s.io/v1"),
  t("authorization.k8s.io/v1beta1", ["SubjectAccessReview", "LocalSubjectAccessReview", "SelfSubjectAccessReview", "SelfSubjectRulesReview"], 19, 22, "authorization.k8s.io/v1"),
  t("certificates.k8s.io/v1beta1", ["CertificateSigningRequest"], 19, 22, "certificates.k8s.io/v1"),
  t("coordination.k8s.io/v1beta1", ["Lease"], 19, 22, "coordination.k8s.io/v1"),
  t("extensions/v1beta1", ["Ingress"], 14, 22, "networking.k8s.io/v1"),
  t("networking.k8s.io/v1beta1", ["Ingress", "IngressClass"], 19, 22, "networking.k8s.io/v1"),
  t("rbac.authorization.k8s.io/v1beta1", ["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"], 17, 22, "rbac.authorization.k8s.io/v1"),
  t("scheduling.k8s.io/v1beta1", ["PriorityClass"], 14, 22, "scheduling.k8s.io/v1"),
  t("storage.k8s.io/v1beta1", ["CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"], 19, 22, "storage.k8s.io/v1"),
  // Removed in 1.25
  t("batch/v1beta1", ["CronJob"], 21, 25, "batch/v1"),
  t("discovery.k8s.io/v1beta1", ["EndpointSlice"], 21, 25, "discovery.k8s.io/v1"),
  t("events.k8s.io/v1beta1", ["Event"], 19, 25, "events.k8s.io/v1"),
  t("autoscaling/v2beta1", ["HorizontalPodAutoscaler"], 22, 25, "autoscaling/v2"),
  t("policy/v1beta1", ["PodDisruptionBudget"], 21, 25, "policy/v1"),
  t("policy/v1beta1", ["PodSecurityPolicy"], 21, 25, undefined, "PodSecurityPolicy was removed; use Pod Security Admission or a third-party admission webhook"),
  t("node.k8s.io/v1beta1", ["RuntimeClass"], 20, 25, "node.k8s.io/v1"),
  // Removed in 1.26
  t("flowcontrol.apiserver.k8s.io/v1beta1", ["FlowSchema", "PriorityLevelConfiguration"], 23, 26, "flowcontrol.apiserver.k8s.io/v1"),
  t("autoscaling/v2beta2", ["HorizontalPodAutoscaler"], 23, 26, "autoscaling/v2"),
  // Removed in 1.27
  t("storage.k8s.io/v1beta1", ["CSIStorageCapacity"], 24, 27, "storage.k8s.io/v1"),
  // Removed in 1.29 (introduced 1.23; its types name v1beta3 as their replacement)
  t("flowcontrol.apiserver.k8s.io/v1beta2", ["FlowSchema", "PriorityLevelConfiguration"], 26, 29, "flowcontrol.apiserver.k8s.io/v1", undefined, { apiVersion: "flowcontrol.apiserver.k8s.io/v1beta3" }),
  // Removed in 1.32 (introduced 1.26)
  t("flowcontrol.apiserver.k8s.io/v1beta3", ["FlowSchema", "PriorityLevelConfiguration"], 29, 32, "flowcontrol.apiserver.k8s.io/v1", "spec.limited.nominalConcurrencyShares defaults to 30 when unset in v1"),
  // Deprecated and still served (core v1's zz_generated.prerelease-lifecycle.go: no removal)
  t("v1", ["ComponentStatus"], 19, undefined, undefined, "ComponentStatus is deprecated; use the component's health endpoints instead"),
  t("v1", ["Endpoints"], 33, undefined, "discovery.k8s.io/v1", "use EndpointSlice instead of Endpoints", { apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice" }),

  // Alpha and beta versions a cluster serves only when --runtime-config turns them on. Each entry
  // is the type's zz_generated.prerelease-lifecycle.go (or its types.go tags through
  // prerelease-lifecycle-gen) in the kubernetes/kubernetes tree named in its comment.
  // prerelease-lifecycle-gen derives APILifecycleDeprecated = introduced + 3 minors and
  // APILifecycleRemoved = deprecated + 3 minors unless tagged. Beta types always carry both. In the
  // 1.31 and later trees an alpha type carries a derived value only once the tree reaches it (a
  // 1.33 tree: storagemigration v1alpha1 deprecated 1.33 and no removal, MutatingAdmissionPolicy
  // v1alpha1 neither, ValidatingAdmissionPolicy v1alpha1 removed 1.32; a 1.36 tree: v1alpha3
  // DeviceTaintRule deprecated 1.36 and no removal, ResourcePoolStatusRequest neither), so from 1.31
  // an alpha warning names no removal unless the removal is tagged (`lifecycleRemovalTagged`).
  // Versions without a generated lifecycle (resource.k8s.io/v1alpha2,
  // internal.apiserver.k8s.io/v1alpha1) never warn, and versions whose deprecation lies past 1.36
  // (scheduling.k8s.io v1alpha1/v1alpha2, storagemigration.k8s.io/v1beta1, certificates.k8s.io
  // PodCertificateRequest, the 1.36 resource.k8s.io/v1alpha3 ResourcePoolStatusRequest and v1beta2
  // DeviceTaintRule, admissionregistration.k8s.io/v1beta1 MutatingAdmissionPolicy) have no entry.
  // 1.28 tree (generated in 1.25): introduced 1.25, no tags.
  t("networking.k8s.io/v1alpha1", ["ClusterCIDR"], 28, 31, undefined, "ClusterCIDR was removed without a replacement"),
  // 1.29–1.31 trees (introduced 1.26; replacement tagged): deprecated 1.29, removed 1.32.
  t("admissionregistration.k8s.io/v1alpha1", ["ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"], 29, 32, "admissionregistration.k8s.io/v1"),
  // 1.30 and 1.31 trees: introduced 1.26, no tags (the 1.31 one carries no removal, as above).
  t("authentication.k8s.io/v1alpha1", ["SelfSubjectReview"], 29, 32, undefined, "use authentication.k8s.io/v1 SelfSubjectReview"),
  // 1.30 tree: introduced 1.27, no tags (the 1.30 generator still wrote an alpha type's removal).
  t("networking.k8s.io/v1alpha1", ["IPAddress", "ServiceCIDR"], 30, 33, undefined, "use networking.k8s.io/v1beta1 (1.31+) or networking.k8s.io/v1 (1.33+)"),
  // types.go of the 1.32+ trees: introduced 1.27, no tags (beta).
  t("authentication.k8s.io/v1beta1", ["SelfSubjectReview"], 30, 33, undefined, "use authentication.k8s.io/v1 SelfSubjectReview"),
  // types.go of the 1.34+ tree: introduced 1.28, no tags (beta).
  t("admissionregistration.k8s.io/v1beta1", ["ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"], 31, 34, undefined, "use admissionregistration.k8s.io/v1"),
  // 1.29 tree (removed 1.35) and the 1.32+ rule: introduced 1.29, no tags (alpha).
  t("storage.k8s.io/v1alpha1", ["VolumeAttributesClass"], 32, 35, undefined, "use storage.k8s.io/v1beta1 (1.31+) or storage.k8s.io/v1 (1.34+)"),
  // 1.30 tree (removed 1.36) and 1.33 tree (no removal yet): introduced 1.30, no tags (alpha).
  t("storagemigration.k8s.io/v1alpha1", ["StorageVersionMigration"], 33, 36, undefined, "use storagemigration.k8s.io/v1beta1 (1.35+)"),
  // 1.34+ trees: introduced 1.26, deprecated=1.34 and removed=1.37 tagged.
  { ...t("certificates.k8s.io/v1alpha1", ["ClusterTrustBundle"], 34, 37, undefined, "use certificates.k8s.io/v1beta1 (1.33+)"), lifecycleRemovalTagged: true },
  // types.go of the 1.37 development tree: introduced 1.31, no tags (beta).
  t("networking.k8s.io/v1beta1", ["IPAddress", "ServiceCIDR"], 34, 37, undefined, "use networking.k8s.io/v1 (1.33+)"),
  // types.go of the 1.34+ trees: introduced 1.31, deprecated=1.34, replacement storage.k8s.io/v1 (beta).
  t("storage.k8s.io/v1beta1", ["VolumeAttributesClass"], 34, 37, "storage.k8s.io/v1"),
  // 1.35 tree: introduced 1.32, deprecated derived (1.35), no removal yet (alpha).
  t("coordination.k8s.io/v1alpha2", ["LeaseCandidate"], 35, 38, undefined, "use coordination.k8s.io/v1beta1 (1.33+)"),
  // 1.33 tree (no deprecation yet) and the rule from 1.35: introduced 1.32, no tags (alpha).
  t("admissionregistration.k8s.io/v1alpha1", ["MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding"], 35, 38, undefined, "use admissionregistration.k8s.io/v1beta1 (1.34+) or admissionregistration.k8s.io/v1 (1.36+)"),
  // types.go of the 1.37 development tree: introduced 1.32, no tags (beta).
  t("resource.k8s.io/v1beta1", ["DeviceClass", "ResourceClaim", "ResourceClaimTemplate", "ResourceSlice"], 35, 38, undefined, "use resource.k8s.io/v1 (1.34+)"),
  // 1.36 tree: introduced 1.33, deprecated derived (1.36), no removal yet (alpha).
  t("resource.k8s.io/v1alpha3", ["DeviceTaintRule"], 36, 39, undefined, "use resource.k8s.io/v1beta2 (1.36+)"),
  // 1.36 trees: introduced 1.33, no tags (beta); likewise certificates v1beta1 (1.35+ tree) and
  // coordination v1beta1 LeaseCandidate.
  t("resource.k8s.io/v1beta2", ["DeviceClass", "ResourceClaim", "ResourceClaimTemplate", "ResourceSlice"], 36, 39, undefined, "use resource.k8s.io/v1 (1.34+)"),
  t("certificates.k8s.io/v1beta1", ["ClusterTrustBundle"], 36, 39, undefined),
  t("coordination.k8s.io/v1beta1", ["LeaseCandidate"], 36, 39, undefined),
];

/** The first minor whose prerelease-lifecycle-gen writes an untagged alpha removal only once reached. */
const ALPHA_REMOVAL_WRITTEN_WHEN_REACHED_FROM = 31;

function minorOf(kubernetesVersion: string): number {
  return Number(/^v?1\.(\d+)/.exec(kubernetesVersion)?.[1] ?? Number.NaN);
}

/** What the table says about an apiVersion and kind in a Kubernetes minor. */
export interface DeprecationStatus {
  entry: ApiDeprecation;
  removed: boolean;
  message: string;
}

/**
 * Whether an apiVersion/kind is removed or deprecated in a Kubernetes version, with a message.
 * A removed version's message says since when and what to use instead; a deprecated version that
 * is still served gets kube-apiserver's own warning text (`deprecationWarning`).
 *
 * @example
 * deprecationOf("policy/v1beta1", "PodDisruptionBudget", "v1.28")?.message;
 * // "policy/v1beta1 PodDisruptionBudget is no longer served since Kubernetes 1.25; use policy/v1"
 * deprecationOf("v1", "Endpoints", "v1.33")?.message;
 * // "v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice"
 */
export function deprecationOf(apiVersion: string, kind: string, kubernetesVersion: string): DeprecationStatus | undefined {
  const minor = minorOf(kubernetesVersion);
  const entry = entryOf(apiVersion, kind);
  if (!entry || !(minor >= entry.deprecatedIn)) return undefined;
  const removed = entry.removedIn !== undefined && minor >= entry.removedIn;
  if (!removed) return { entry, removed, message: warningMessage(entry, apiVersion, kind, minor) };
  // Advice follows the replacement while that is itself no longer served in this minor
  // (extensions/v1beta1 PodSecurityPolicy named policy/v1beta1, which 1.25 removed without one).
  let advice = entry;
  for (let hops = 0; advice.replacement && advice.replacement !== apiVersion && hops < 4; hops++) {
    const next = entryOf(advice.replacement, kind);
    if (!next || next.removedIn === undefined || minor < next.removedIn) break;
    advice = next;
  }
  const use = advice.replacement ? (advice.replacement === apiVersion ? "" : `; use ${advice.replacement}${advice.note ? ` (${advice.note})` : ""}`) : advice.note ? `; ${advice.note}` : "";
  return { entry, removed, message: `${apiVersion} ${kind} is no longer served since Kubernetes 1.${entry.removedIn}${use}` };
}

function entryOf(apiVersion: string, kind: string): ApiDeprecation | undefined {
  return apiDeprecations.find((d) => d.apiVersion === apiVersion && d.kinds.includes(kind));
}

/**
 * k8s.io/apiserver's `deprecation.WarningMessage` for a type of the table in a minor (major is
 * always 1): the removal is named when the type's generated lifecycle carries one in that minor.
 */
function warningMessage(entry: ApiDeprecation, apiVersion: string, kind: string, minor: number): string {
  let text = `${apiVersion} ${kind} is deprecated in v1.${entry.deprecatedIn}+`;
  const alpha = versionLevel(apiVersion.slice(apiVersion.indexOf("/") + 1)) === "alpha";
  const removalWritten = !alpha || entry.lifecycleRemovalTagged === true || minor < ALPHA_REMOVAL_WRITTEN_WHEN_REACHED_FROM;
  if (entry.removedIn !== undefined && removalWritten) text += `, unavailable in v1.${entry.removedIn}+`;
  const replacement = entry.lifecycleReplacement ?? (entry.replacement !== undefined ? { apiVersion: entry.replacement } : undefined);
  if (replacement) text += `; use ${replacement.apiVersion} ${replacement.kind ?? kind}`;
  return text;
}

/**
 * The `Warning` text kube-apiserver sends with every request (every verb, list and watch included)
 * to a built-in apiVersion/kind that is deprecated in the served minor: the endpoint installer's
 * `deprecation.IsDeprecated` (the served minor at or past `APILifecycleDeprecated`) and
 * `deprecation.WarningMessage`
 * (`<group>/<version> <Kind> is deprecated in v1.X+[, unavailable in v1.Y+][; use <group>/<version> <Kind>]`).
 * Undefined when the type is not deprecated in that minor, and once it is removed (kube-apiserver
 * no longer serves it, so nothing answers to warn).
 *
 * @example
 * deprecationWarning("flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema", "1.31");
 * // "flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema is deprecated in v1.29+, unavailable in v1.32+; use flowcontrol.apiserver.k8s.io/v1 FlowSchema"
 * deprecationWarning("apps/v1", "Deployment", "1.31"); // undefined
 */
export function deprecationWarning(apiVersion: string, kind: string, kubernetesVersion: string): string | undefined {
  const status = deprecationOf(apiVersion, kind, kubernetesVersion);
  return status && !status.removed ? status.message : undefined;
}
