/**
 * The apps API group: defaults, strategy and validation by kind.
 */
import type { GroupRules } from "../registry.js";

/** What kube-apiserver does to the kinds of `apps`. */
export const rules: GroupRules = { group: "apps", kinds: {} };
