/**
 * The core API group (`v1`): defaults, strategy and validation by kind.
 */
import type { GroupRules } from "../registry.js";

/** What kube-apiserver does to the kinds of `core`. */
export const rules: GroupRules = { group: "", kinds: {} };
