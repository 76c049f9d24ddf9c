/**
 * The core API group (`v1`): defaults, strategy and validation by kind.
 */
import type { GroupRules } from "../registry.js";
import { kinds } from "./kinds.js";
import { podKinds } from "./pod-kinds.js";

/** What kube-apiserver does to the kinds of the core group. */
export const rules: GroupRules = { group: "", kinds: { ...podKinds, ...kinds } };
