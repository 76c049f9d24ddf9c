/**
 * The policy API group: defaults, strategy and validation by kind (PodDisruptionBudget in
 * `pdb.ts`, the Eviction body of `pods/eviction` in `eviction.ts`).
 */
import type { GroupRules } from "../registry.js";
import { evictionRules } from "./eviction.js";
import { pdbRules } from "./pdb.js";

/** What kube-apiserver does to the kinds of `policy`. */
export const rules: GroupRules = { group: "policy", kinds: { PodDisruptionBudget: pdbRules, Eviction: evictionRules } };
