/**
 * Feature gates that change what kube-apiserver defaults, accepts or rejects, with the first minor
 * in which each is on by default (kube_features.go). A gate absent from a minor's defaults is off.
 * One line per gate, sorted by name; add the gates your rules read.
 */

const ON_BY_DEFAULT_SINCE = {
  APIServerIdentity: 26, // beta, on by default from 1.26
  AppArmorFields: 30,
  CRDValidationRatcheting: 30,
  ClusterTrustBundle: Infinity, // alpha 1.27, beta (off by default) from 1.33
  ClusterTrustBundleProjection: Infinity, // alpha 1.29, beta (off by default) from 1.33
  ComponentFlagz: Infinity, // alpha from 1.32
  ComponentStatusz: Infinity, // alpha from 1.32
  ContainerRestartRules: 35,
  CustomResourceFieldSelectors: 31,
  DRAAdminAccess: 34,
  DRAConsumableCapacity: 36,
  DRADeviceBindingConditions: 36,
  DRADeviceTaintRules: Infinity, // alpha 1.35, beta (off by default) 1.36
  DRADeviceTaints: 36,
  DRAExtendedResource: 36,
  DRAListTypeAttributes: Infinity, // alpha from 1.36, off by default in every minor served
  DRAPartitionableDevices: 36,
  DRAPrioritizedList: 34,
  DRAResourceClaimDeviceStatus: 33,
  DynamicResourceAllocation: 34,
  EnvFiles: 35,
  HPAConfigurableTolerance: 35,
  HPAScaleToZero: Infinity, // alpha since 1.16, off by default in every minor served
  HostnameOverride: 35,
  ImageVolume: 35,
  InPlacePodLevelResourcesVerticalScaling: 36, // alpha 1.35, beta on by default from 1.36
  InPlacePodVerticalScaling: 33,
  JobBackoffLimitPerIndex: 29,
  JobManagedBy: 32,
  JobPodReplacementPolicy: 29,
  JobSuccessPolicy: 31,
  KubeletFineGrainedAuthz: 33,
  KubeletServiceAccountTokenForCredentialProviders: 34,
  LegacyServiceAccountTokenCleanUp: 29,
  MatchLabelKeysInPodAffinity: 31,
  MatchLabelKeysInPodTopologySpreadSelectorMerge: 34,
  MaxUnavailableStatefulSet: 35,
  MultiCIDRServiceAllocator: 33,
  MutableCSINodeAllocatableCount: 34,
  MutablePodResourcesForSuspendedJobs: 36,
  MutableSchedulingDirectivesForSuspendedJobs: 36,
  PodCertificateRequest: Infinity, // alpha 1.34, beta (off by default) from 1.35
  PodHostIPs: 29,
  PodLevelResources: 34,
  PodLifecycleSleepAction: 30,
  PodLifecycleSleepActionAllowZero: 33,
  PreferSameTrafficDistribution: 34,
  ProcMountType: 33,
  RecoverVolumeExpansionFailure: 32,
  RecursiveReadOnlyMounts: 31,
  RelaxedDNSSearchValidation: 33,
  RelaxedEnvironmentVariableValidation: 32,
  RestartAllContainersOnContainerExits: Infinity, // alpha from 1.35, off by default in every minor served
  SELinuxChangePolicy: 33,
  ServiceAccountTokenJTI: 30,
  ServiceAccountTokenNodeBinding: 31,
  ServiceAccountTokenPodNodeInfo: 30,
  ServiceTrafficDistribution: 31,
  SidecarContainers: 29,
  StorageVersionAPI: Infinity, // alpha since 1.20
  StorageVersionMigrator: Infinity, // alpha 1.30, beta (off by default) from 1.35
  StrictCostEnforcementForVAP: 32, // beta off by default 1.30-1.31, GA from 1.32
  StrictCostEnforcementForWebhooks: 32, // beta off by default 1.30-1.31, GA from 1.32
  StrictIPCIDRValidation: Infinity, // alpha from 1.33, off by default in every minor served
  SupplementalGroupsPolicy: 33,
  UserNamespacesSupport: 33,
  ValidatingAdmissionPolicy: 30,
  VolumeAttributesClass: 34,
} as const satisfies Record<string, number>;

// A Map rather than the object above for lookups: gate names vary per call site, and a keyed load
// on a constant object with many different keys is slow in V8.
const SINCE = new Map<string, number>(Object.entries(ON_BY_DEFAULT_SINCE));

/** A feature gate kubezod's rules know. */
export type FeatureGate = keyof typeof ON_BY_DEFAULT_SINCE;

/**
 * Whether a gate is on by default in a Kubernetes minor.
 *
 * @example
 * isFeatureEnabled("SidecarContainers", 28); // false
 */
export function isFeatureEnabled(gate: FeatureGate, minor: number): boolean {
  return minor >= (SINCE.get(gate) ?? Infinity);
}
