/**
 * The apps API group: defaults, strategy and validation by kind.
 */
import type { GroupRules } from "../registry.js";
import { controllerRevisionRules, daemonSetRules } from "./daemonset.js";
import { deploymentRules, replicaSetRules } from "./deployment.js";
import { statefulSetRules } from "./statefulset.js";

/** What kube-apiserver does to the kinds of `apps`. */
export const rules: GroupRules = {
  group: "apps",
  kinds: {
    ControllerRevision: controllerRevisionRules,
    DaemonSet: daemonSetRules,
    Deployment: deploymentRules,
    ReplicaSet: replicaSetRules,
    StatefulSet: statefulSetRules,
  },
};
