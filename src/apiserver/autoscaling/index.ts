/**
 * The autoscaling API group: defaults, strategy and validation by kind.
 */
import type { GroupRules } from "../registry.js";
import { hpaRules, scaleRules } from "./hpa.js";

/** What kube-apiserver does to the kinds of `autoscaling`. */
export const rules: GroupRules = { group: "autoscaling", kinds: { HorizontalPodAutoscaler: hpaRules, Scale: scaleRules } };
