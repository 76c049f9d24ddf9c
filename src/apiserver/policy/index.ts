/**
 * The policy API group: defaults, strategy and validation by kind.
 */
import type { GroupRules } from "../registry.js";
import { pdbRules } from "./pdb.js";

/** What kube-apiserver does to the kinds of `policy`. */
export const rules: GroupRules = { group: "policy", kinds: { PodDisruptionBudget: pdbRules } };
