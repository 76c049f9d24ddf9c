/**
 * The resource.k8s.io API group: defaults, strategy and validation by kind.
 */
import type { GroupRules } from "../registry.js";

/** What kube-apiserver does to the kinds of `resource.k8s.io`. */
export const rules: GroupRules = { group: "resource.k8s.io", kinds: {} };
