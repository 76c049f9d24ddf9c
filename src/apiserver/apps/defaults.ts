/**
 * apps/v1 defaulting (`pkg/apis/apps/v1/defaults.go` and the generated `SetObjectDefaults_*`): the
 * kinds' own defaults, then the defaults of the pod template and of StatefulSet claim templates.
 */
import type { ApiContext } from "../context.js";
import { defaultPersistentVolumeClaim } from "../core/persistent-volumes.js";
import { defaultPodTemplateSpec } from "../core/pod.js";
import { ensure, rec, specOf, type Obj } from "./workload.js";

function defaultTemplate(spec: Obj, ctx: ApiContext): void {
  defaultPodTemplateSpec(ensure(spec, "template"), ctx);
}

function setIfAbsent(o: Obj, key: string, value: unknown): void {
  if (o[key] === undefined || o[key] === null) o[key] = value;
}

/**
 * `SetDefaults_Deployment`: one replica, a RollingUpdate of 25%/25%, ten old ReplicaSets kept, a
 * progress deadline of 600 s.
 *
 * @example
 * setDefaultsDeployment(deployment, ctx); // deployment.spec.strategy.rollingUpdate.maxSurge === "25%"
 */
export function setDefaultsDeployment(o: Obj, ctx: ApiContext): void {
  const spec = specOf(o);
  setIfAbsent(spec, "replicas", 1);
  const strategy = ensure(spec, "strategy");
  if (!strategy.type) strategy.type = "RollingUpdate";
  if (strategy.type === "RollingUpdate") {
    const ru = ensure(strategy, "rollingUpdate");
    setIfAbsent(ru, "maxUnavailable", "25%");
    setIfAbsent(ru, "maxSurge", "25%");
  }
  setIfAbsent(spec, "revisionHistoryLimit", 10);
  setIfAbsent(spec, "progressDeadlineSeconds", 600);
  defaultTemplate(spec, ctx);
}

/** `SetDefaults_ReplicaSet`: one replica. @example setDefaultsReplicaSet(rs, ctx) */
export function setDefaultsReplicaSet(o: Obj, ctx: ApiContext): void {
  const spec = specOf(o);
  setIfAbsent(spec, "replicas", 1);
  defaultTemplate(spec, ctx);
}

/**
 * `SetDefaults_DaemonSet`: a RollingUpdate with maxUnavailable 1 and maxSurge 0, ten revisions kept.
 *
 * @example
 * setDefaultsDaemonSet(ds, ctx); // ds.spec.updateStrategy.rollingUpdate.maxUnavailable === 1
 */
export function setDefaultsDaemonSet(o: Obj, ctx: ApiContext): void {
  const spec = specOf(o);
  const strategy = ensure(spec, "updateStrategy");
  if (!strategy.type) strategy.type = "RollingUpdate";
  if (strategy.type === "RollingUpdate") {
    const ru = ensure(strategy, "rollingUpdate");
    setIfAbsent(ru, "maxUnavailable", 1);
    setIfAbsent(ru, "maxSurge", 0);
  }
  setIfAbsent(spec, "revisionHistoryLimit", 10);
  defaultTemplate(spec, ctx);
}

/**
 * `SetDefaults_StatefulSet`: OrderedReady pods, a RollingUpdate from partition 0 (maxUnavailable 1
 * where MaxUnavailableStatefulSet is on), PVCs retained, one replica, ten revisions kept; and the
 * claim templates' own defaults (`Filesystem` volume mode, `Pending` phase).
 *
 * @example
 * setDefaultsStatefulSet(sts, ctx); // sts.spec.podManagementPolicy === "OrderedReady"
 */
export function setDefaultsStatefulSet(o: Obj, ctx: ApiContext): void {
  const spec = specOf(o);
  if (!spec.podManagementPolicy) spec.podManagementPolicy = "OrderedReady";
  const strategy = ensure(spec, "updateStrategy");
  if (!strategy.type) {
    strategy.type = "RollingUpdate";
    ensure(strategy, "rollingUpdate");
  }
  const ru = rec(strategy.rollingUpdate);
  if (strategy.type === "RollingUpdate" && ru) {
    setIfAbsent(ru, "partition", 0);
    if (ctx.gate("MaxUnavailableStatefulSet")) setIfAbsent(ru, "maxUnavailable", 1);
  }
  const retention = ensure(spec, "persistentVolumeClaimRetentionPolicy");
  if (!retention.whenDeleted) retention.whenDeleted = "Retain";
  if (!retention.whenScaled) retention.whenScaled = "Retain";
  setIfAbsent(spec, "replicas", 1);
  setIfAbsent(spec, "revisionHistoryLimit", 10);
  defaultTemplate(spec, ctx);
  if (Array.isArray(spec.volumeClaimTemplates)) {
    for (const claim of spec.volumeClaimTemplates) {
      if (!rec(claim)) continue;
      const status = ensure(claim, "status");
      if (!status.phase) status.phase = "Pending";
      ensure(claim, "spec");
      defaultPersistentVolumeClaim(claim);
    }
  }
}
