/**
 * The Deployment controller (pkg/controller/deployment): one ReplicaSet per pod template, named
 * `<deployment>-<pod-template-hash>` with the hash in its labels and selector; revisions in the
 * `deployment.kubernetes.io/revision` annotations (a rolled-back template's ReplicaSet gets the
 * next revision and keeps its old ones in `revision-history`); RollingUpdate within maxSurge and
 * maxUnavailable, Recreate; proportional scaling and no rollout while paused; old ReplicaSets
 * beyond revisionHistoryLimit cleaned up; status with replicas, updated/ready/available/unavailable
 * counts, observedGeneration and the Available and Progressing conditions with their reasons
 * (NewReplicaSetCreated, FoundNewReplicaSet, ReplicaSetUpdated, NewReplicaSetAvailable,
 * ProgressDeadlineExceeded, DeploymentPaused, DeploymentResumed).
 */
import type { KubeObject } from "../store.js";
import { DEPLOYMENTS, REPLICASETS, type ClusterApi } from "./api.js";
import { objectKeyOf, splitKey, type ControllerContext } from "./manager.js";
import { arr, clone, computeHash, controllerOf, controllerRef, controlledBy, obj, omitZero, rfc3339, same, scaledValue, selectorMatches, setCondition, type Condition } from "./util.js";

type Obj = Record<string, unknown>;

const HASH_LABEL = "pod-template-hash";
const REVISION = "deployment.kubernetes.io/revision";
const REVISION_HISTORY = "deployment.kubernetes.io/revision-history";
const DESIRED = "deployment.kubernetes.io/desired-replicas";
const MAX_REPLICAS = "deployment.kubernetes.io/max-replicas";
const SKIPPED_ANNOTATIONS = new Set(["kubectl.kubernetes.io/last-applied-configuration", REVISION, REVISION_HISTORY, DESIRED, MAX_REPLICAS, "deprecated.deployment.rollback.to"]);
const MAX_REVISION_HISTORY_CHARS = 2000;

function replicasOf(o: KubeObject): number {
  const r = obj(o.spec).replicas;
  return typeof r === "number" ? r : 1;
}

function strategyOf(d: KubeObject): Obj {
  return obj(obj(d.spec).strategy);
}

function isRolling(d: KubeObject): boolean {
  return (strategyOf(d).type ?? "RollingUpdate") === "RollingUpdate";
}

/** `ResolveFenceposts`: maxSurge rounds up, maxUnavailable down; both zero means one unavailable. */
function fenceposts(d: KubeObject): { surge: number; unavailable: number } {
  const rolling = obj(strategyOf(d).rollingUpdate);
  const desired = replicasOf(d);
  const surge = scaledValue(rolling.maxSurge ?? "25%", desired, true);
  let unavailable = scaledValue(rolling.maxUnavailable ?? "25%", desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

function maxSurge(d: KubeObject): number {
  return isRolling(d) ? fenceposts(d).surge : 0;
}

function maxUnavailable(d: KubeObject): number {
  const desired = replicasOf(d);
  if (!isRolling(d) || desired === 0) return 0;
  return Math.min(fenceposts(d).unavailable, desired);
}

function revisionOf(rs: KubeObject): number {
  const v = Number(obj(rs.metadata.annotations)[REVISION] ?? 0);
  return Number.isFinite(v) ? v : 0;
}

function withoutHash(template: unknown): unknown {
  const t = clone(obj(template));
  const meta = obj(t.metadata);
  const labels = { ...obj(meta.labels) };
  delete labels[HASH_LABEL];
  return { ...t, metadata: { ...meta, labels } };
}

/** `EqualIgnoreHash`: the same pod template once the hash label is set aside. */
function equalIgnoreHash(a: unknown, b: unknown): boolean {
  return same(withoutHash(a), withoutHash(b));
}

function byCreation(a: KubeObject, b: KubeObject): number {
  return String(a.metadata.creationTimestamp).localeCompare(String(b.metadata.creationTimestamp)) || String(a.metadata.name).localeCompare(String(b.metadata.name));
}

const specReplicas = (rss: KubeObject[]) => rss.reduce((n, rs) => n + replicasOf(rs), 0);
const statusOf = (rss: KubeObject[], field: string) => rss.reduce((n, rs) => n + Number(obj(rs.status)[field] ?? 0), 0);

export function registerDeployments(ctx: ControllerContext): void {
  const api = ctx.api;
  ctx.watch("apps/deployments", "deployment", (e) => (e.type === "DELETED" ? undefined : objectKeyOf(e.object)));
  ctx.watch("apps/replicasets", "deployment", (e) => {
    const ref = controllerOf(e.object) ?? (e.previous ? controllerOf(e.previous) : undefined);
    if (ref?.kind === "Deployment") return `${String(e.object.metadata.namespace ?? "")}/${String(ref.name)}`;
    if (ref || e.type === "DELETED") return undefined;
    // An orphan may be adopted by a deployment whose selector matches it.
    return api
      .list(DEPLOYMENTS, String(e.object.metadata.namespace ?? ""))
      .filter((d) => selectorMatches(obj(d.spec).selector, e.object.metadata.labels))
      .map(objectKeyOf);
  });
  ctx.reconciler("deployment", (key) => new DeploymentSync(ctx, api, key).run());
}

class DeploymentSync {
  private d: KubeObject;
  private readonly now: number;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly api: ClusterApi,
    private readonly key: string,
  ) {
    const { namespace, name } = splitKey(key);
    this.d = api.get(DEPLOYMENTS, namespace, name) as KubeObject;
    this.now = ctx.now();
  }

  private get ns(): string {
    return String(this.d.metadata.namespace ?? "");
  }

  private condition(type: string, status: string, reason: string, message: string): Condition {
    const at = rfc3339(this.now);
    return { type, status, lastUpdateTime: at, lastTransitionTime: at, reason, message };
  }

  private event(reason: string, message: string, type: "Normal" | "Warning" = "Normal"): void {
    this.ctx.events.record(this.d, type, reason, message, "deployment-controller");
  }

  run(): void {
    if (!this.d) return;
    const spec = obj(this.d.spec);
    const rsList = this.replicaSets();
    const selector = obj(spec.selector);
    if (!Object.keys(obj(selector.matchLabels)).length && !arr(selector.matchExpressions).length) {
      this.event("SelectingAll", "This deployment is selecting all pods. A non-empty selector is required.", "Warning");
      return;
    }
    if (this.d.metadata.deletionTimestamp) return this.syncStatusOnly(rsList);
    this.checkPausedConditions();
    if (spec.paused === true) return this.sync(rsList);
    if (this.isScalingEvent(rsList)) return this.sync(rsList);
    if (isRolling(this.d)) this.rolloutRolling(rsList);
    else this.rolloutRecreate(rsList);
  }

  /** ReplicaSets this deployment controls, adopting orphans its selector matches. */
  private replicaSets(): KubeObject[] {
    const owned = this.api.owned(REPLICASETS, this.d).filter((rs) => controlledBy(rs, this.d));
    if (this.d.metadata.deletionTimestamp) return owned;
    for (const rs of this.api.list(REPLICASETS, this.ns)) {
      if (controllerOf(rs) || rs.metadata.deletionTimestamp || !selectorMatches(obj(this.d.spec).selector, rs.metadata.labels)) continue;
      const adopted = this.api.update(REPLICASETS, { ...rs, metadata: { ...rs.metadata, ownerReferences: [...arr(rs.metadata.ownerReferences), controllerRef(this.d, "apps/v1", "Deployment")] } });
      if (adopted) owned.push(adopted);
    }
    return owned;
  }

  private refresh(): void {
    this.d = this.api.get(DEPLOYMENTS, this.ns, String(this.d.metadata.name)) ?? this.d;
  }

  private updateStatus(status: Obj): void {
    this.refresh();
    if (same(obj(this.d.status), status)) return;
    const updated = this.api.updateStatus(DEPLOYMENTS, { ...this.d, status });
    if (updated) this.d = updated;
  }

  private checkPausedConditions(): void {
    if (obj(this.d.spec).progressDeadlineSeconds === undefined) return;
    const status = obj(this.d.status);
    const conditions = arr<Condition>(status.conditions);
    const cond = conditions.find((c) => c.type === "Progressing");
    if (cond?.reason === "ProgressDeadlineExceeded") return;
    const pausedExists = cond?.reason === "DeploymentPaused";
    const paused = obj(this.d.spec).paused === true;
    let next: Condition[] | undefined;
    if (paused && !pausedExists) next = setCondition(conditions, this.condition("Progressing", "Unknown", "DeploymentPaused", "Deployment is paused"));
    else if (!paused && pausedExists) next = setCondition(conditions, this.condition("Progressing", "Unknown", "DeploymentResumed", "Deployment is resumed"));
    if (next) this.updateStatus({ ...status, conditions: next });
  }

  /** The new ReplicaSet (template matches) and the old ones; creates the new one when asked. */
  private newAndOld(rsList: KubeObject[], create: boolean): { newRS: KubeObject | undefined; oldRSs: KubeObject[] } {
    const template = obj(this.d.spec).template;
    const sorted = [...rsList].sort(byCreation);
    const existing = sorted.find((rs) => equalIgnoreHash(obj(rs.spec).template, template));
    const oldRSs = sorted.filter((rs) => rs !== existing);
    const maxOld = oldRSs.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
    const newRevision = String(maxOld + 1);
    if (existing) {
      const updated = this.syncNewReplicaSet(existing, newRevision);
      return { newRS: updated, oldRSs };
    }
    if (!create) return { newRS: undefined, oldRSs };
    const created = this.createNewReplicaSet(oldRSs, newRevision);
    return { newRS: created, oldRSs };
  }

  /** Annotations a ReplicaSet takes from its deployment, revision bookkeeping included. */
  private newReplicaSetAnnotations(rs: KubeObject, newRevision: string, exists: boolean): { annotations: Record<string, string>; changed: boolean } {
    const annotations: Record<string, string> = { ...(obj(rs.metadata.annotations) as Record<string, string>) };
    let changed = false;
    for (const [k, v] of Object.entries(obj(this.d.metadata.annotations))) {
      if (SKIPPED_ANNOTATIONS.has(k) || annotations[k] === v) continue;
      annotations[k] = String(v);
      changed = true;
    }
    const oldRevision = annotations[REVISION];
    const oldInt = oldRevision === undefined || oldRevision === "" ? 0 : Number(oldRevision);
    const newInt = Number(newRevision);
    if (oldInt < newInt) {
      annotations[REVISION] = newRevision;
      changed = true;
      if (oldRevision !== undefined) {
        // A rollback to this ReplicaSet: keep the revisions it had.
        const history = annotations[REVISION_HISTORY] ?? "";
        let list = history ? history.split(",") : [];
        let total = history.length + oldRevision.length + 1;
        while (total > MAX_REVISION_HISTORY_CHARS && list.length) total -= list.shift()!.length + 1;
        list = [...list, oldRevision];
        annotations[REVISION_HISTORY] = list.join(",");
      }
    }
    if (!exists) {
      const desired = String(replicasOf(this.d));
      const max = String(replicasOf(this.d) + maxSurge(this.d));
      if (annotations[DESIRED] !== desired || annotations[MAX_REPLICAS] !== max) changed = true;
      annotations[DESIRED] = desired;
      annotations[MAX_REPLICAS] = max;
    }
    return { annotations, changed };
  }

  private syncNewReplicaSet(rs: KubeObject, newRevision: string): KubeObject {
    const { annotations, changed } = this.newReplicaSetAnnotations(rs, newRevision, true);
    const minReady = Number(obj(this.d.spec).minReadySeconds ?? 0);
    const rsMinReady = Number(obj(rs.spec).minReadySeconds ?? 0);
    if (changed || minReady !== rsMinReady) {
      const spec = { ...obj(rs.spec) };
      if (minReady) spec.minReadySeconds = minReady;
      else delete spec.minReadySeconds;
      return this.api.update(REPLICASETS, { ...rs, metadata: { ...rs.metadata, annotations }, spec }) ?? rs;
    }
    // The deployment carries its new ReplicaSet's revision.
    const revision = annotations[REVISION];
    let needsStatus = false;
    if (revision !== undefined && obj(this.d.metadata.annotations)[REVISION] !== revision) this.setRevision(revision);
    const status = obj(this.d.status);
    let conditions = arr<Condition>(status.conditions);
    if (obj(this.d.spec).progressDeadlineSeconds !== undefined && !conditions.some((c) => c.type === "Progressing")) {
      conditions = setCondition(conditions, this.condition("Progressing", "True", "FoundNewReplicaSet", `Found new replica set "${String(rs.metadata.name)}"`));
      needsStatus = true;
    }
    if (needsStatus) this.updateStatus({ ...status, conditions });
    return rs;
  }

  private setRevision(revision: string): void {
    this.refresh();
    const annotations = { ...obj(this.d.metadata.annotations), [REVISION]: revision };
    // The deployment controller writes the revision through status: no generation bump.
    const updated = this.api.updateStatus(DEPLOYMENTS, { ...this.d, metadata: { ...this.d.metadata, annotations } });
    if (updated) this.d = updated;
  }

  private createNewReplicaSet(oldRSs: KubeObject[], newRevision: string): KubeObject | undefined {
    const spec = obj(this.d.spec);
    const template = clone(obj(spec.template));
    const status = obj(this.d.status);
    const collisionCount = typeof status.collisionCount === "number" ? status.collisionCount : undefined;
    const hash = computeHash(template, collisionCount);
    const tmeta = obj(template.metadata);
    const labels = { ...obj(tmeta.labels), [HASH_LABEL]: hash };
    template.metadata = { ...tmeta, labels };
    const selector = clone(obj(spec.selector));
    selector.matchLabels = { ...obj(selector.matchLabels), [HASH_LABEL]: hash };
    const name = `${String(this.d.metadata.name)}-${hash}`;
    const draft: KubeObject = {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: { name, namespace: this.ns, labels, ownerReferences: [controllerRef(this.d, "apps/v1", "Deployment")] },
      spec: { replicas: 0, ...(spec.minReadySeconds ? { minReadySeconds: spec.minReadySeconds } : {}), selector, template },
    };
    const replicas = this.newReplicas([...oldRSs, draft], draft);
    (draft.spec as Obj).replicas = replicas;
    draft.metadata.annotations = this.newReplicaSetAnnotations(draft, newRevision, false).annotations;
    const existing = this.api.get(REPLICASETS, this.ns, name);
    if (existing) {
      if (controlledBy(existing, this.d) && equalIgnoreHash(obj(existing.spec).template, spec.template)) return existing;
      // A hash collision: count it and try again with another hash.
      this.updateStatus({ ...status, collisionCount: (collisionCount ?? 0) + 1 });
      this.ctx.enqueue("deployment", this.key);
      return undefined;
    }
    const created = this.api.create(REPLICASETS, this.ns, draft);
    if (!created) {
      if (spec.progressDeadlineSeconds !== undefined) {
        const msg = `Failed to create new replica set "${name}"`;
        this.updateStatus({ ...status, conditions: setCondition(arr(status.conditions), this.condition("Progressing", "False", "ReplicaSetCreateError", msg)) });
        this.event("ReplicaSetCreateError", msg, "Warning");
      }
      return undefined;
    }
    if (replicas > 0) this.event("ScalingReplicaSet", `Scaled up replica set ${name} to ${replicas}`);
    if (obj(this.d.metadata.annotations)[REVISION] !== newRevision) this.setRevision(newRevision);
    if (spec.progressDeadlineSeconds !== undefined) {
      const current = obj(this.d.status);
      this.updateStatus({ ...current, conditions: setCondition(arr(current.conditions), this.condition("Progressing", "True", "NewReplicaSetCreated", `Created new replica set "${name}"`)) });
    }
    return created;
  }

  /** `NewRSNewReplicas`: how big the new ReplicaSet may be now. */
  private newReplicas(allRSs: KubeObject[], newRS: KubeObject): number {
    const desired = replicasOf(this.d);
    if (!isRolling(this.d)) return desired;
    const current = specReplicas(allRSs);
    const maxTotal = desired + maxSurge(this.d);
    if (current >= maxTotal) return replicasOf(newRS);
    const up = Math.min(maxTotal - current, desired - replicasOf(newRS));
    return replicasOf(newRS) + up;
  }

  private scaleReplicaSet(rs: KubeObject, size: number, operation: string): KubeObject {
    const desired = String(replicasOf(this.d));
    const max = String(replicasOf(this.d) + maxSurge(this.d));
    const annotations = obj(rs.metadata.annotations);
    const sizeChanges = replicasOf(rs) !== size;
    const annotationsChange = annotations[DESIRED] !== desired || annotations[MAX_REPLICAS] !== max;
    if (!sizeChanges && !annotationsChange) return rs;
    const latest = this.api.get(REPLICASETS, this.ns, String(rs.metadata.name)) ?? rs;
    const updated = this.api.update(REPLICASETS, { ...latest, metadata: { ...latest.metadata, annotations: { ...obj(latest.metadata.annotations), [DESIRED]: desired, [MAX_REPLICAS]: max } }, spec: { ...obj(latest.spec), replicas: size } });
    if (updated && sizeChanges) this.event("ScalingReplicaSet", `Scaled ${operation} replica set ${String(rs.metadata.name)} to ${size} from ${replicasOf(rs)}`);
    return updated ?? rs;
  }

  private scaleTo(rs: KubeObject, size: number): KubeObject {
    if (replicasOf(rs) === size) return rs;
    return this.scaleReplicaSet(rs, size, replicasOf(rs) < size ? "up" : "down");
  }

  private isScalingEvent(rsList: KubeObject[]): boolean {
    const { newRS, oldRSs } = this.newAndOld(rsList, false);
    const all = [...oldRSs, ...(newRS ? [newRS] : [])];
    for (const rs of all.filter((r) => replicasOf(r) > 0)) {
      const desired = obj(rs.metadata.annotations)[DESIRED];
      if (desired === undefined) continue;
      if (Number(desired) !== replicasOf(this.d)) return true;
    }
    return false;
  }

  /** Scaling (and, while paused, only scaling): proportional across active ReplicaSets. */
  private sync(rsList: KubeObject[]): void {
    let { newRS, oldRSs } = this.newAndOld(rsList, false);
    const desired = replicasOf(this.d);
    const active = [...oldRSs, ...(newRS ? [newRS] : [])].filter((rs) => replicasOf(rs) > 0);
    const activeOrLatest = active.length === 1 ? active[0] : active.length === 0 ? (newRS ?? [...oldRSs].sort(byCreation).pop()) : undefined;
    if (activeOrLatest) {
      if (replicasOf(activeOrLatest) !== desired) this.scaleTo(activeOrLatest, desired);
    } else if (newRS && replicasOf(newRS) === desired && obj(newRS.status).availableReplicas === desired) {
      for (const old of oldRSs.filter((rs) => replicasOf(rs) > 0)) this.scaleTo(old, 0);
    } else if (isRolling(this.d)) {
      const all = active;
      const allReplicas = specReplicas(all);
      const allowed = desired > 0 ? desired + maxSurge(this.d) : 0;
      const toAdd = allowed - allReplicas;
      if (toAdd > 0) all.sort((a, b) => replicasOf(b) - replicasOf(a) || byCreation(b, a));
      else if (toAdd < 0) all.sort((a, b) => replicasOf(b) - replicasOf(a) || byCreation(a, b));
      const sizes = new Map<KubeObject, number>();
      let added = 0;
      for (const rs of all) {
        if (toAdd !== 0) {
          const proportion = this.proportion(rs, toAdd, added);
          sizes.set(rs, replicasOf(rs) + proportion);
          added += proportion;
        } else sizes.set(rs, replicasOf(rs));
      }
      all.forEach((rs, i) => {
        let size = sizes.get(rs)!;
        if (i === 0 && toAdd !== 0) size = Math.max(0, size + toAdd - added);
        this.scaleReplicaSet(rs, size, toAdd > 0 ? "up" : "down");
      });
    }
    ({ newRS, oldRSs } = this.newAndOld(this.replicaSets(), false));
    if (obj(this.d.spec).paused === true) this.cleanup(oldRSs);
    this.syncStatus([...oldRSs, ...(newRS ? [newRS] : [])], newRS);
  }

  /** `GetProportion`: the share of added or removed replicas for one ReplicaSet. */
  private proportion(rs: KubeObject, toAdd: number, added: number): number {
    if (replicasOf(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
    let fraction: number;
    if (replicasOf(this.d) === 0) fraction = -replicasOf(rs);
    else {
      const annotated = Number(obj(rs.metadata.annotations)[MAX_REPLICAS]);
      const base = Number.isFinite(annotated) && annotated > 0 ? annotated : Number(obj(this.d.status).replicas ?? 0) || 1;
      const size = (replicasOf(rs) * (replicasOf(this.d) + maxSurge(this.d))) / base;
      // Go's math.Round: halves away from zero.
      fraction = Math.sign(size) * Math.round(Math.abs(size)) - replicasOf(rs);
    }
    const allowed = toAdd - added;
    return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
  }

  private rolloutRolling(rsList: KubeObject[]): void {
    let { newRS, oldRSs } = this.newAndOld(rsList, true);
    if (!newRS) return;
    // Scale up, if we can.
    const desired = replicasOf(this.d);
    const all = () => [...oldRSs, newRS!];
    if (replicasOf(newRS) !== desired) {
      const target = replicasOf(newRS) > desired ? desired : this.newReplicas(all(), newRS);
      if (target !== replicasOf(newRS)) {
        newRS = this.scaleTo(newRS, target);
        return this.syncRolloutStatus(all(), newRS);
      }
    }
    // Scale down, if we can.
    if (this.reconcileOldReplicaSets(oldRSs, newRS)) {
      ({ newRS, oldRSs } = this.newAndOld(this.replicaSets(), false));
      return this.syncRolloutStatus(all(), newRS);
    }
    if (this.complete(obj(this.d.status))) this.cleanup(oldRSs);
    this.syncRolloutStatus(all(), newRS);
  }

  private reconcileOldReplicaSets(oldRSs: KubeObject[], newRS: KubeObject): boolean {
    const active = oldRSs.filter((rs) => replicasOf(rs) > 0);
    if (!specReplicas(active)) return false;
    const allPods = specReplicas([...oldRSs, newRS]);
    const minAvailable = replicasOf(this.d) - maxUnavailable(this.d);
    const newUnavailable = replicasOf(newRS) - Number(obj(newRS.status).availableReplicas ?? 0);
    const maxScaledDown = allPods - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return false;
    // Unhealthy replicas go first: they would block the rollout.
    let cleaned = 0;
    const sorted = [...active].sort(byCreation);
    for (const [i, rs] of sorted.entries()) {
      if (cleaned >= maxScaledDown) break;
      const available = Number(obj(rs.status).availableReplicas ?? 0);
      if (replicasOf(rs) === 0 || available === replicasOf(rs)) continue;
      const down = Math.min(maxScaledDown - cleaned, replicasOf(rs) - available);
      sorted[i] = this.scaleTo(rs, replicasOf(rs) - down);
      cleaned += down;
    }
    // Then scale down old replica sets as far as availability allows.
    const availableAll = statusOf([...sorted, newRS], "availableReplicas");
    let scaled = 0;
    if (availableAll > minAvailable) {
      const total = availableAll - minAvailable;
      for (const rs of sorted) {
        if (scaled >= total) break;
        if (replicasOf(rs) === 0) continue;
        const down = Math.min(replicasOf(rs), total - scaled);
        this.scaleTo(rs, replicasOf(rs) - down);
        scaled += down;
      }
    }
    return cleaned + scaled > 0;
  }

  private rolloutRecreate(rsList: KubeObject[]): void {
    let { newRS, oldRSs } = this.newAndOld(rsList, false);
    const activeOld = oldRSs.filter((rs) => replicasOf(rs) > 0);
    if (activeOld.length) {
      for (const rs of activeOld) this.scaleTo(rs, 0);
      return this.syncRolloutStatus([...oldRSs, ...(newRS ? [newRS] : [])], newRS);
    }
    // Wait until the old pods are gone.
    if (oldRSs.some((rs) => Number(obj(rs.status).replicas ?? 0) > 0)) return this.syncRolloutStatus([...oldRSs, ...(newRS ? [newRS] : [])], newRS);
    if (!newRS) ({ newRS, oldRSs } = this.newAndOld(rsList, true));
    if (newRS && replicasOf(newRS) !== replicasOf(this.d)) newRS = this.scaleTo(newRS, replicasOf(this.d));
    if (this.complete(obj(this.d.status))) this.cleanup(oldRSs);
    this.syncRolloutStatus([...oldRSs, ...(newRS ? [newRS] : [])], newRS);
  }

  /** `DeploymentComplete`. */
  private complete(status: Obj): boolean {
    const desired = replicasOf(this.d);
    return Number(status.updatedReplicas ?? 0) === desired && Number(status.replicas ?? 0) === desired && Number(status.availableReplicas ?? 0) === desired && Number(status.observedGeneration ?? 0) >= Number(this.d.metadata.generation ?? 0);
  }

  /** Old ReplicaSets beyond revisionHistoryLimit that are scaled to zero are deleted, oldest revision first. */
  private cleanup(oldRSs: KubeObject[]): void {
    const limit = obj(this.d.spec).revisionHistoryLimit;
    if (typeof limit !== "number") return;
    const alive = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
    const diff = alive.length - limit;
    if (diff <= 0) return;
    const sorted = [...alive].sort((a, b) => revisionOf(a) - revisionOf(b) || byCreation(a, b));
    for (const rs of sorted.slice(0, diff)) {
      const current = this.api.get(REPLICASETS, this.ns, String(rs.metadata.name));
      if (!current) continue;
      const st = obj(current.status);
      if (Number(st.replicas ?? 0) !== 0 || replicasOf(current) !== 0 || Number(current.metadata.generation ?? 0) > Number(st.observedGeneration ?? 0)) continue;
      this.api.delete(REPLICASETS, current);
    }
  }

  private calculateStatus(allRSs: KubeObject[], newRS: KubeObject | undefined): Obj {
    const fresh = allRSs.map((rs) => this.api.get(REPLICASETS, this.ns, String(rs.metadata.name)) ?? rs);
    const newest = newRS ? (this.api.get(REPLICASETS, this.ns, String(newRS.metadata.name)) ?? newRS) : undefined;
    const available = statusOf(fresh, "availableReplicas");
    const total = specReplicas(fresh);
    const previous = obj(this.d.status);
    const status: Obj = omitZero(
      {
        observedGeneration: Number(this.d.metadata.generation ?? 1),
        replicas: statusOf(fresh, "replicas"),
        updatedReplicas: newest ? Number(obj(newest.status).replicas ?? 0) : 0,
        readyReplicas: statusOf(fresh, "readyReplicas"),
        availableReplicas: available,
        unavailableReplicas: Math.max(0, total - available),
      },
      ["observedGeneration", "replicas", "updatedReplicas", "readyReplicas", "availableReplicas", "unavailableReplicas"],
    );
    if (previous.collisionCount !== undefined) status.collisionCount = previous.collisionCount;
    let conditions = arr<Condition>(previous.conditions);
    if (available >= replicasOf(this.d) - maxUnavailable(this.d)) {
      conditions = setCondition(conditions, this.condition("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability."));
    } else {
      conditions = setCondition(conditions, this.condition("Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability."));
    }
    status.conditions = conditions;
    return status;
  }

  private syncStatusOnly(rsList: KubeObject[]): void {
    const { newRS, oldRSs } = this.newAndOld(rsList, false);
    this.syncStatus([...oldRSs, ...(newRS ? [newRS] : [])], newRS);
  }

  private syncStatus(allRSs: KubeObject[], newRS: KubeObject | undefined): void {
    this.updateStatus(this.calculateStatus(allRSs, newRS));
  }

  private syncRolloutStatus(allRSs: KubeObject[], newRS: KubeObject | undefined): void {
    this.refresh();
    const status = this.calculateStatus(allRSs, newRS);
    const deadline = obj(this.d.spec).progressDeadlineSeconds;
    let conditions = arr<Condition>(status.conditions);
    if (typeof deadline !== "number") conditions = conditions.filter((c) => c.type !== "Progressing");
    const current = arr<Condition>(obj(this.d.status).conditions).find((c) => c.type === "Progressing");
    const rsName = newRS ? String(newRS.metadata.name) : undefined;
    const completeNow = Number(status.replicas ?? 0) === Number(status.updatedReplicas ?? 0) && current?.reason === "NewReplicaSetAvailable";
    if (typeof deadline === "number" && !completeNow) {
      const previous = obj(this.d.status);
      const old = (s: Obj) => Number(s.replicas ?? 0) - Number(s.updatedReplicas ?? 0);
      if (this.complete(status)) {
        conditions = setCondition(conditions, this.condition("Progressing", "True", "NewReplicaSetAvailable", rsName ? `ReplicaSet "${rsName}" has successfully progressed.` : `Deployment "${String(this.d.metadata.name)}" has successfully progressed.`));
      } else if (
        Number(status.updatedReplicas ?? 0) > Number(previous.updatedReplicas ?? 0) ||
        old(status) < old(previous) ||
        Number(status.readyReplicas ?? 0) > Number(previous.readyReplicas ?? 0) ||
        Number(status.availableReplicas ?? 0) > Number(previous.availableReplicas ?? 0)
      ) {
        const condition = this.condition("Progressing", "True", "ReplicaSetUpdated", rsName ? `ReplicaSet "${rsName}" is progressing.` : `Deployment "${String(this.d.metadata.name)}" is progressing.`);
        if (current?.status === "True") condition.lastTransitionTime = current.lastTransitionTime;
        conditions = [...conditions.filter((c) => c.type !== "Progressing"), condition];
      } else if (current && current.reason !== "NewReplicaSetAvailable") {
        const timedOut = current.reason === "ProgressDeadlineExceeded" || Date.parse(String(current.lastUpdateTime ?? "")) + deadline * 1000 < this.now;
        if (timedOut) {
          conditions = setCondition(conditions, this.condition("Progressing", "False", "ProgressDeadlineExceeded", rsName ? `ReplicaSet "${rsName}" has timed out progressing.` : `Deployment "${String(this.d.metadata.name)}" has timed out progressing.`));
        } else {
          // Look again once the deadline passes.
          this.ctx.after(Date.parse(String(current.lastUpdateTime ?? "")) + deadline * 1000 - this.now + 1000, "deployment", this.key);
        }
      }
    }
    const failure = replicaFailure(allRSs.map((rs) => this.api.get(REPLICASETS, this.ns, String(rs.metadata.name)) ?? rs), newRS && (this.api.get(REPLICASETS, this.ns, String(newRS.metadata.name)) ?? newRS));
    conditions = failure ? setCondition(conditions, failure) : conditions.filter((c) => c.type !== "ReplicaFailure");
    this.updateStatus({ ...status, conditions });
  }
}

/**
 * `getReplicaFailures`: the new ReplicaSet's ReplicaFailure condition, else an old one's, as a
 * Deployment condition (`ReplicaSetToDeploymentCondition`: both times are the transition time).
 */
function replicaFailure(allRSs: KubeObject[], newRS: KubeObject | undefined): Condition | undefined {
  const failureOf = (rs: KubeObject | undefined) => arr<Condition>(obj(rs?.status).conditions).find((c) => c.type === "ReplicaFailure");
  const found = failureOf(newRS) ?? allRSs.map(failureOf).find((c) => c !== undefined);
  if (!found) return undefined;
  return { type: "ReplicaFailure", status: found.status, lastUpdateTime: found.lastTransitionTime, lastTransitionTime: found.lastTransitionTime, ...(found.reason ? { reason: found.reason } : {}), ...(found.message ? { message: found.message } : {}) };
}
