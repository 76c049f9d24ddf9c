/**
 * `PodValidationOptions` and how the apiserver computes them (`GetValidationOptionsFromPodSpecAndMeta`
 * in pkg/api/pod/util.go): from the minor's feature gates, relaxed where the stored object already
 * uses what a stricter rule would now reject (ratcheting on update).
 */
import type { ApiContext } from "../context.js";
import { isEnvVarName, isRelaxedEnvVarName } from "../validation/strings.js";
import { isValidLabelValue } from "../../meta/names.js";
import { validateLabelSelector } from "../validation/selectors.js";
import { FieldPath } from "../field.js";
import { list, obj, objects, str, strings, type Obj } from "./json.js";

/** `PodValidationOptions`: what the caller of pod validation relaxes or requires. Flags left out are computed from the minor and the old object. */
export interface PodValidationOptions {
  /**
   * The `restartPolicy` values the workload allows (ReplicationController: `Always`; Jobs:
   * `OnFailure`, `Never`); any other value is reported after the template's own errors, as
   * `spec.template.spec.restartPolicy: Unsupported value`.
   */
  restartPolicies?: readonly string[];
  /** The stored pod spec an update replaces (ratcheting: what it already uses stays allowed). */
  oldSpec?: unknown;
  /** The stored pod template (metadata and spec) an update replaces; its spec serves as `oldSpec`. */
  oldTemplate?: unknown;
  /** The object validated is a Pod, not a template inside another resource. */
  resourceIsPod?: boolean;
  allowInvalidPodDeletionCost?: boolean;
  allowInvalidLabelValueInSelector?: boolean;
  allowIndivisibleHugePagesValues?: boolean;
  allowInvalidTopologySpreadConstraintLabelSelector?: boolean;
  allowNonLocalProjectedTokenPath?: boolean;
  allowNamespacedSysctlsForHostNetAndHostIPC?: boolean;
  allowRelaxedEnvironmentVariableValidation?: boolean;
  allowRelaxedDNSSearchValidation?: boolean;
  allowPodLifecycleSleepActionZeroValue?: boolean;
  allowOnlyRecursiveSELinuxChangePolicy?: boolean;
  podLevelResourcesEnabled?: boolean;
  allowSidecarResizePolicy?: boolean;
  allowInvalidLabelValueInRequiredNodeAffinity?: boolean;
  allowContainerRestartPolicyRules?: boolean;
  /** The `RestartAllContainers` rule action, and restart rules on sidecars. */
  allowRestartAllContainers?: boolean;
}

function isSetValue(v: unknown): boolean {
  return v !== undefined && v !== null;
}

/** Options with every flag decided. */
export type ResolvedPodOptions = PodValidationOptions & { readonly resolved: true };

function allContainers(spec: Obj | undefined): Obj[] {
  if (!spec) return [];
  return [...objects(spec.initContainers), ...objects(spec.containers), ...objects(spec.ephemeralContainers)].map(([c]) => c);
}

function envVarNames(spec: Obj | undefined): Set<string> {
  const names = new Set<string>();
  for (const c of allContainers(spec)) {
    for (const [e] of objects(c.env)) if (typeof e.name === "string") names.add(e.name);
    for (const [e] of objects(c.envFrom)) names.add(typeof e.prefix === "string" ? e.prefix : "");
  }
  return names;
}

/** `useRelaxedEnvironmentVariableValidation`: the gate, or a relaxed-only name the old spec already had. */
function useRelaxedEnvVars(ctx: ApiContext, spec: Obj | undefined, old: Obj | undefined): boolean {
  if (ctx.gate("RelaxedEnvironmentVariableValidation")) return true;
  const oldNames = envVarNames(old);
  if (oldNames.size === 0) return false;
  for (const name of envVarNames(spec)) {
    if (isEnvVarName(name).length === 0 || isRelaxedEnvVarName(name).length !== 0) continue;
    if (oldNames.has(name)) return true;
  }
  return false;
}

function usesIndivisibleHugePages(spec: Obj): boolean {
  for (const c of allContainers(spec)) {
    const resources = obj(c.resources);
    for (const rl of [obj(resources?.limits), obj(resources?.requests)]) {
      for (const name of Object.keys(rl ?? {})) if (name.startsWith("hugepages-")) return true;
    }
  }
  return false;
}

function affinityTerms(spec: Obj): Obj[] {
  const affinity = obj(spec.affinity);
  const out: Obj[] = [];
  for (const kind of ["podAffinity", "podAntiAffinity"]) {
    const a = obj(affinity?.[kind]);
    for (const [t] of objects(a?.requiredDuringSchedulingIgnoredDuringExecution)) out.push(t);
    for (const [w] of objects(a?.preferredDuringSchedulingIgnoredDuringExecution)) {
      const t = obj(w.podAffinityTerm);
      if (t) out.push(t);
    }
  }
  return out;
}

function selectorHasInvalidValue(selector: unknown): boolean {
  for (const [req] of objects(obj(selector)?.matchExpressions)) for (const v of strings(req.values)) if (isValidLabelValue(v).length) return true;
  return false;
}

function hasInvalidLabelValueInRequiredNodeAffinity(spec: Obj): boolean {
  const required = obj(obj(obj(spec.affinity)?.nodeAffinity)?.requiredDuringSchedulingIgnoredDuringExecution);
  for (const [term] of objects(required?.nodeSelectorTerms)) {
    for (const [req] of objects(term.matchExpressions)) for (const v of strings(req.values)) if (isValidLabelValue(v).length) return true;
  }
  return false;
}

function hasInvalidTopologySpreadSelector(spec: Obj): boolean {
  for (const [c] of objects(spec.topologySpreadConstraints)) {
    if (validateLabelSelector(c.labelSelector, {}, FieldPath.root()).length) return true;
  }
  return false;
}

const LOCAL_PATH_BAD = (p: string) => p.startsWith("/") || p.split("/").includes("..") || (p.startsWith("..") && !p.startsWith("../"));

function hasNonLocalProjectedTokenPath(spec: Obj): boolean {
  for (const [v] of objects(spec.volumes)) {
    for (const [s] of objects(obj(v.projected)?.sources)) {
      const token = obj(s.serviceAccountToken);
      if (token && LOCAL_PATH_BAD(str(token.path) ?? "")) return true;
    }
  }
  return false;
}

/** Whether a sysctl is namespaced in a namespace the pod shares with the host (`ValidateHostSysctl`). */
export function hostSysctlConflict(name: string, sc: Obj, spec: Obj): "net" | "ipc" | undefined {
  const ns = sysctlNamespace(name);
  if (spec.hostNetwork === true && ns === "net") return "net";
  if (spec.hostIPC === true && ns === "ipc") return "ipc";
  void sc;
  return undefined;
}

/** `utilsysctl.GetNamespace`: the namespace a sysctl belongs to. */
function sysctlNamespace(name: string): "net" | "ipc" | undefined {
  const n = name.replace(/\//g, ".");
  if (n.startsWith("net.")) return "net";
  if (n.startsWith("kernel.shm") || n.startsWith("kernel.msg") || n.startsWith("fs.mqueue.") || n === "kernel.sem") return "ipc";
  return undefined;
}

function usesHostNamespacedSysctl(spec: Obj): boolean {
  const sc = obj(spec.securityContext);
  if (!sc) return false;
  for (const [s] of objects(sc.sysctls)) if (hostSysctlConflict(str(s.name) ?? "", sc, spec)) return true;
  return false;
}

function sleepZeroInUse(spec: Obj): boolean {
  for (const c of allContainers(spec)) {
    const lifecycle = obj(c.lifecycle);
    for (const h of ["preStop", "postStart"]) {
      const sleep = obj(obj(lifecycle?.[h])?.sleep);
      if (sleep && (sleep.seconds === 0 || sleep.seconds === undefined)) return true;
    }
  }
  return false;
}

function sidecarResizePolicyInUse(spec: Obj): boolean {
  return objects(spec.initContainers).some(([c]) => c.restartPolicy === "Always" && list(c.resizePolicy).length > 0);
}

/** `containerRestartRulesInUse`: an init container with a policy other than `Always` or with rules, or a container with a policy. */
function containerRestartRulesInUse(spec: Obj): boolean {
  if (objects(spec.initContainers).some(([c]) => (isSetValue(c.restartPolicy) && c.restartPolicy !== "Always") || list(c.restartPolicyRules).length > 0)) return true;
  return objects(spec.containers).some(([c]) => isSetValue(c.restartPolicy));
}

function restartsAll(c: Obj): boolean {
  return objects(c.restartPolicyRules).some(([r]) => r.action === "RestartAllContainers");
}

/** `restartAllContainersActionInUse`: a `RestartAllContainers` rule, or a sidecar with rules. */
function restartAllContainersInUse(spec: Obj): boolean {
  if (objects(spec.containers).some(([c]) => restartsAll(c))) return true;
  return objects(spec.initContainers).some(([c]) => restartsAll(c) || (c.restartPolicy === "Always" && list(c.restartPolicyRules).length > 0));
}

function hasDotOrUnderscoreSearch(spec: Obj | undefined): boolean {
  return strings(obj(spec?.dnsConfig)?.searches).some((s) => s === "." || s.includes("_"));
}

/**
 * `GetValidationOptionsFromPodSpecAndMeta`: the options for validating a pod spec under the
 * context's minor, ratcheted against the stored spec on update; explicit flags in `given` win.
 *
 * @example
 * podValidationOptions(spec, undefined, apiContext({ minor: 36 }), {}).allowRelaxedEnvironmentVariableValidation; // true
 */
export function podValidationOptions(spec: Obj | undefined, oldSpec: Obj | undefined, ctx: ApiContext, given: PodValidationOptions): ResolvedPodOptions {
  const opts: PodValidationOptions = {
    allowInvalidPodDeletionCost: false,
    allowIndivisibleHugePagesValues: false,
    allowInvalidLabelValueInSelector: false,
    allowInvalidTopologySpreadConstraintLabelSelector: false,
    allowNamespacedSysctlsForHostNetAndHostIPC: false,
    allowNonLocalProjectedTokenPath: false,
    allowPodLifecycleSleepActionZeroValue: ctx.gate("PodLifecycleSleepActionAllowZero"),
    podLevelResourcesEnabled: ctx.gate("PodLevelResources"),
    allowInvalidLabelValueInRequiredNodeAffinity: false,
    allowSidecarResizePolicy: ctx.gate("InPlacePodVerticalScaling"),
    allowContainerRestartPolicyRules: ctx.gate("ContainerRestartRules"),
    allowRestartAllContainers: ctx.gate("RestartAllContainersOnContainerExits"),
    allowRelaxedEnvironmentVariableValidation: useRelaxedEnvVars(ctx, spec, oldSpec),
    allowRelaxedDNSSearchValidation: ctx.gate("RelaxedDNSSearchValidation") || hasDotOrUnderscoreSearch(oldSpec),
    // SELinuxMount is off by default in every minor served: only Recursive, unless the stored pod has a policy.
    allowOnlyRecursiveSELinuxChangePolicy: !isSetValue(obj(oldSpec?.securityContext)?.seLinuxChangePolicy),
  };
  if (oldSpec) {
    opts.allowIndivisibleHugePagesValues = usesIndivisibleHugePages(oldSpec);
    opts.allowInvalidLabelValueInSelector = affinityTerms(oldSpec).some((t) => selectorHasInvalidValue(t.labelSelector) || selectorHasInvalidValue(t.namespaceSelector));
    opts.allowInvalidLabelValueInRequiredNodeAffinity = hasInvalidLabelValueInRequiredNodeAffinity(oldSpec);
    opts.allowInvalidTopologySpreadConstraintLabelSelector = hasInvalidTopologySpreadSelector(oldSpec);
    opts.allowNonLocalProjectedTokenPath = hasNonLocalProjectedTokenPath(oldSpec);
    opts.allowNamespacedSysctlsForHostNetAndHostIPC = usesHostNamespacedSysctl(oldSpec);
    opts.allowPodLifecycleSleepActionZeroValue = opts.allowPodLifecycleSleepActionZeroValue || sleepZeroInUse(oldSpec);
    opts.allowSidecarResizePolicy = opts.allowSidecarResizePolicy || sidecarResizePolicyInUse(oldSpec);
    opts.allowContainerRestartPolicyRules = opts.allowContainerRestartPolicyRules || containerRestartRulesInUse(oldSpec);
    opts.allowRestartAllContainers = opts.allowRestartAllContainers || restartAllContainersInUse(oldSpec);
  }
  // Explicit flags win (the same keys, in the same order, as spreading them over `opts`).
  const resolved = opts as Record<string, unknown>;
  for (const k of Object.keys(given)) {
    const v = (given as Record<string, unknown>)[k];
    if (v !== undefined) resolved[k] = v;
  }
  resolved.resolved = true;
  return resolved as unknown as ResolvedPodOptions;
}
