/**
 * The batch API group: defaults, strategy and validation by kind.
 */
import type { GroupRules } from "../registry.js";

/** What kube-apiserver does to the kinds of `batch`. */
export const rules: GroupRules = { group: "batch", kinds: {} };
