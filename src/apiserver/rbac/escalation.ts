/**
 * RBAC's escalation prevention (component-helpers/auth/rbac/validation/policy_comparator.go,
 * pkg/registry/rbac/validation/rule.go and policy_compact.go): whether the rules a user holds
 * cover the rules a Role, ClusterRole or binding would grant, and kube-apiserver's message when
 * they do not.
 */
import { goQuote } from "../field.js";
import type { PolicyRule, RbacPolicy, RbacUser } from "./evaluate.js";

const has = (set: readonly string[] | undefined, v: string): boolean => (set ?? []).includes(v);
const hasAll = (set: readonly string[] | undefined, contains: readonly string[] | undefined): boolean => (contains ?? []).every((v) => has(set, v));

/**
 * `BreakdownRule`: one rule per group, resource, verb and resource name, and per non-resource URL and verb.
 *
 * @example
 * breakdownRule({ verbs: ["get", "list"], apiGroups: [""], resources: ["pods"] }).length; // 2
 */
export function breakdownRule(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const group of rule.apiGroups ?? []) {
    for (const resource of rule.resources ?? []) {
      for (const verb of rule.verbs) {
        if (rule.resourceNames?.length) {
          for (const name of rule.resourceNames) out.push({ apiGroups: [group], resources: [resource], verbs: [verb], resourceNames: [name] });
        } else out.push({ apiGroups: [group], resources: [resource], verbs: [verb] });
      }
    }
  }
  for (const url of rule.nonResourceURLs ?? []) for (const verb of rule.verbs) out.push({ nonResourceURLs: [url], verbs: [verb] });
  return out;
}

function resourceCoversAll(set: readonly string[] | undefined, covers: readonly string[] | undefined): boolean {
  if (has(set, "*") || hasAll(set, covers)) return true;
  for (const path of covers ?? []) {
    if (has(set, path)) continue;
    const slash = path.indexOf("/");
    if (slash < 0) return false;
    if (!has(set, `*/${path.slice(slash + 1)}`)) return false;
  }
  return true;
}

function nonResourceURLCovers(owner: string, sub: string): boolean {
  return owner === sub || (owner.endsWith("*") && sub.startsWith(owner.replace(/\*+$/, "")));
}

function ruleCovers(owner: PolicyRule, sub: PolicyRule): boolean {
  const verbs = has(owner.verbs, "*") || hasAll(owner.verbs, sub.verbs);
  const groups = has(owner.apiGroups, "*") || hasAll(owner.apiGroups, sub.apiGroups);
  const resources = resourceCoversAll(owner.resources, sub.resources);
  const urls = (sub.nonResourceURLs ?? []).every((p) => (owner.nonResourceURLs ?? []).some((o) => nonResourceURLCovers(o, p)));
  const names = sub.resourceNames?.length ? !owner.resourceNames?.length || hasAll(owner.resourceNames, sub.resourceNames) : !owner.resourceNames?.length;
  return verbs && groups && resources && names && urls;
}

/**
 * `Covers`: whether the owner's rules cover the servant's, and the broken-down rules they miss.
 *
 * @example
 * coversRules([{ verbs: ["*"], apiGroups: ["v1"], resources: ["roles"] }], [{ verbs: ["list"], apiGroups: ["v1"], resources: ["roles"] }]); // { covered: true, uncovered: [] }
 */
export function coversRules(owner: readonly PolicyRule[], servant: readonly PolicyRule[]): { covered: boolean; uncovered: PolicyRule[] } {
  const uncovered = servant.flatMap(breakdownRule).filter((sub) => !owner.some((o) => ruleCovers(o, sub)));
  return { covered: uncovered.length === 0, uncovered };
}

/** `CompactRules`: simple resource rules (one group, one resource, at most one name) with their verbs merged. */
function compactRules(rules: readonly PolicyRule[]): PolicyRule[] {
  const out: PolicyRule[] = [];
  const simple = new Map<string, PolicyRule>();
  for (const r of rules) {
    const isSimple = (r.resourceNames?.length ?? 0) <= 1 && !r.nonResourceURLs?.length && r.apiGroups?.length === 1 && r.resources?.length === 1;
    if (!isSimple) {
      out.push(r);
      continue;
    }
    const key = JSON.stringify([r.apiGroups![0], r.resources![0], r.resourceNames?.[0] ?? null]);
    const existing = simple.get(key);
    if (existing) existing.verbs = [...existing.verbs, ...r.verbs];
    else simple.set(key, { ...r, verbs: [...r.verbs] });
  }
  return [...out, ...simple.values()];
}

const goStrings = (values: readonly string[]): string => `[${values.map(goQuote).join(" ")}]`;

/**
 * `CompactString`: a rule as escalation messages show it.
 *
 * @example
 * compactString({ verbs: ["create"], apiGroups: ["apps"], resources: ["deployments"] }); // {APIGroups:["apps"], Resources:["deployments"], Verbs:["create"]}
 */
export function compactString(rule: PolicyRule): string {
  const parts: string[] = [];
  if (rule.apiGroups?.length) parts.push(`APIGroups:${goStrings(rule.apiGroups)}`);
  if (rule.resources?.length) parts.push(`Resources:${goStrings(rule.resources)}`);
  if (rule.nonResourceURLs?.length) parts.push(`NonResourceURLs:${goStrings(rule.nonResourceURLs)}`);
  if (rule.resourceNames?.length) parts.push(`ResourceNames:${goStrings(rule.resourceNames)}`);
  if (rule.verbs.length) parts.push(`Verbs:${goStrings(rule.verbs)}`);
  return `{${parts.join(", ")}}`;
}

/**
 * `ConfirmNoEscalation`: undefined when the rules the user holds in the namespace cover `rules`,
 * else kube-apiserver's message naming what is missing.
 *
 * @example
 * confirmNoEscalation(policy, { username: "jane", groups: ["system:authenticated"] }, "team", [{ verbs: ["delete"], apiGroups: [""], resources: ["secrets"] }]);
 * // 'user "jane" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["secrets"], Verbs:["delete"]}'
 */
export function confirmNoEscalation(policy: RbacPolicy, user: RbacUser, namespace: string, rules: readonly PolicyRule[]): string | undefined {
  const owned = policy.policyRulesFor(user, namespace);
  const { covered, uncovered } = coversRules(owned.rules, rules);
  if (covered) return undefined;
  const missing = [...new Set(compactRules(uncovered).map(compactString))].sort();
  let message = `user ${goQuote(user.username)} (groups=${goStrings(user.groups ?? [])}) is attempting to grant RBAC permissions not currently held:\n${missing.join("\n")}`;
  if (owned.error) message += `; resolution errors: [${owned.error}]`;
  return message;
}
