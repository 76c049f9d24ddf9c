/**
 * kube-apiserver's default built-in admission plugins, in the order of its plugin chain
 * (`AllOrderedPlugins`): the mutating ones change the object in place, the validating ones refuse
 * with {@link AdmissionForbidden}. What they read from the cluster is handed in ({@link PluginCluster}).
 */
import { admitDefaultIngressClass } from "./class-defaults.js";
import type { PluginCluster, PluginRequest } from "./common.js";
import { admitLimitRanger, validateLimitRanger } from "./limit-ranger.js";
import { admitDefaultTolerationSeconds, admitPriority, admitRuntimeClass, validatePriority, validateRuntimeClass } from "./pod-defaults.js";
import { checkResourceQuota, type QuotaCharge } from "./resource-quota.js";
import { admitServiceAccount, validateServiceAccount } from "./service-account.js";

export { AdmissionForbidden, type PluginCluster, type PluginRequest } from "./common.js";
export { limitRangerRefusal, templatePodRefusal, type LimitRangerOutcome } from "./limit-ranger.js";
export { quotaStatus, usageOf, type QuotaCharge } from "./resource-quota.js";
export { tokenVolumeSource } from "./service-account.js";

/** The plugins this module runs, in chain order. */
export const BUILTIN_ADMISSION_PLUGINS = ["LimitRanger", "ServiceAccount", "Priority", "DefaultTolerationSeconds", "RuntimeClass", "DefaultIngressClass", "ResourceQuota"] as const;

/** Plugin names switched off (kube-apiserver's `--disable-admission-plugins`). */
export type DisabledPlugins = ReadonlySet<string>;

const NONE: DisabledPlugins = new Set();

/** The resources (`group/plural`) the mutating plugins may change. */
const MUTATED = new Set(["/pods", "networking.k8s.io/ingresses"]);

/** Whether the mutating plugins may change objects of a resource. @example mutatesResource("", "pods") // true */
export function mutatesResource(group: string, resource: string): boolean {
  return MUTATED.has(`${group}/${resource}`);
}

/** The mutating phase of the built-in plugins (before mutating admission policies and webhooks). */
export function mutateBuiltin(req: PluginRequest, cluster: PluginCluster, disabled: DisabledPlugins = NONE): void {
  const on = (name: string) => !disabled.has(name);
  if (on("LimitRanger")) admitLimitRanger(req, cluster);
  if (on("ServiceAccount")) admitServiceAccount(req, cluster);
  if (on("Priority")) admitPriority(req, cluster);
  if (on("DefaultTolerationSeconds")) admitDefaultTolerationSeconds(req);
  if (on("RuntimeClass")) admitRuntimeClass(req, cluster);
  if (on("DefaultIngressClass")) admitDefaultIngressClass(req, cluster);
}

/** The validating phase of the built-in plugins that run before validating admission policies and webhooks. */
export function validateBuiltin(req: PluginRequest, cluster: PluginCluster, disabled: DisabledPlugins = NONE): void {
  const on = (name: string) => !disabled.has(name);
  if (on("LimitRanger")) validateLimitRanger(req, cluster);
  if (on("ServiceAccount")) validateServiceAccount(req, cluster);
  if (on("Priority")) validatePriority(req, cluster);
  if (on("RuntimeClass")) validateRuntimeClass(req, cluster);
}

/** `ResourceQuota`, last in the chain (after the webhooks): the quotas to charge, or a refusal. */
export function validateQuota(req: PluginRequest, cluster: PluginCluster, now?: number): QuotaCharge[] {
  return checkResourceQuota(req, cluster, now);
}
