/**
 * The coordination.k8s.io API group: defaults, strategy and validation by kind.
 */
import type { GroupRules } from "../registry.js";

/** What kube-apiserver does to the kinds of `coordination.k8s.io`. */
export const rules: GroupRules = { group: "coordination.k8s.io", kinds: {} };
