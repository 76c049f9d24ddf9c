/**
 * Every API group whose kinds kube-apiserver treats specially, and the lookup by group and kind.
 */
import { rules as core } from "./core/index.js";
import { rules as apps } from "./apps/index.js";
import { rules as batch } from "./batch/index.js";
import { rules as autoscaling } from "./autoscaling/index.js";
import { rules as policy } from "./policy/index.js";
import { rules as networking } from "./networking/index.js";
import { rules as discovery } from "./discovery/index.js";
import { rules as rbac } from "./rbac/index.js";
import { rules as storage } from "./storage/index.js";
import { rules as admissionregistration } from "./admissionregistration/index.js";
import { rules as apiextensions } from "./apiextensions/index.js";
import { rules as certificates } from "./certificates/index.js";
import { rules as coordination } from "./coordination/index.js";
import { rules as scheduling } from "./scheduling/index.js";
import { rules as node } from "./node/index.js";
import { rules as resource } from "./resource/index.js";
import { rules as flowcontrol } from "./flowcontrol/index.js";
import { rules as events } from "./events/index.js";
import { rules as apiserverinternal } from "./apiserverinternal/index.js";
import { rules as apiregistration } from "./apiregistration/index.js";
import { rules as authentication } from "./authentication/index.js";
import { rules as authorization } from "./authorization/index.js";
import { rules as storagemigration } from "./storagemigration/index.js";
import type { GroupRules, KindRules } from "./registry.js";

const GROUPS: readonly GroupRules[] = [core, apps, batch, autoscaling, policy, networking, discovery, rbac, storage, admissionregistration, apiextensions, certificates, coordination, scheduling, node, resource, flowcontrol, events, apiserverinternal, apiregistration, authentication, authorization, storagemigration];

const byGroup = new Map(GROUPS.map((g) => [g.group, g]));

/**
 * Whether checking objects of an API version's group compiles CEL (CRD rules, admission policy
 * expressions, device selectors): the CEL engine must then be loaded first (`loadCelEngine`).
 *
 * @example
 * groupCompilesCel("admissionregistration.k8s.io/v1"); // true
 */
export function groupCompilesCel(apiVersion: string): boolean {
  const slash = apiVersion.lastIndexOf("/");
  return byGroup.get(slash < 0 ? "" : apiVersion.slice(0, slash))?.compilesCel === true;
}

/**
 * The rules of a built-in kind, or undefined (custom resources and kinds without special rules).
 *
 * @example
 * kindRules("apps", "Deployment")?.validate?.(deployment, apiContext({ minor: 36 }));
 */
export function kindRules(group: string, kind: string): KindRules | undefined {
  const g = byGroup.get(group);
  return g && Object.hasOwn(g.kinds, kind) ? g.kinds[kind] : undefined;
}
