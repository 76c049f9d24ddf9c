/**
 * The discovery.k8s.io API group: defaults, strategy and validation by kind.
 */
import type { GroupRules } from "../registry.js";

/** What kube-apiserver does to the kinds of `discovery.k8s.io`. */
export const rules: GroupRules = { group: "discovery.k8s.io", kinds: {} };
