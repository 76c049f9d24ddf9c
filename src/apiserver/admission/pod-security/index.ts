/**
 * Pod Security Admission, offline: the Pod Security Standards checks per policy version, the
 * namespace labels that select them, and the PodSecurity admission plugin's decisions.
 */
export { CHECKS, type Check, type CheckPod, type CheckResult, type PodMetaLike, type PodSpecLike } from "./checks.js";
export {
  DEFAULT_POD_SECURITY_POLICY,
  POD_SECURITY_LABEL_PREFIX,
  compareLevels,
  evaluatePodSecurity,
  forbiddenDetail,
  forbiddenReason,
  levelVersionString,
  podSecurityEvaluator,
  policyFromLabels,
  sameLevelVersion,
  sameVersion,
  type LevelVersion,
  type PodSecurityEvaluator,
  type PodSecurityLevel,
  type PodSecurityPolicy,
  type PodSecurityResult,
  type PodSecurityVersion,
} from "./policy.js";
export {
  admitPodSecurity,
  podSecurityApplies,
  podTemplateOf,
  type PodSecurityConfiguration,
  type PodSecurityExemptions,
  type PodSecurityOutcome,
  type PodSecurityRequest,
} from "./admission.js";
