/**
 * ControllerRevisions, the history of StatefulSets and DaemonSets (`kubectl rollout history` and
 * `undo` read them): one per distinct pod template, named `<owner>-<hash>`, whose data is the patch
 * that restores the template, numbered in order; an old template applied again gets the next
 * number. Revisions beyond revisionHistoryLimit that no pod uses are deleted.
 */
import type { KubeObject } from "../store.js";
import { REVISIONS, type ClusterApi } from "./api.js";
import { computeHash, controllerRef, controlledBy, obj, same } from "./util.js";

/** The data of a revision: the patch that puts the template back. */
export function revisionData(owner: KubeObject): Record<string, unknown> {
  return { spec: { template: { ...structuredClone(obj(obj(owner.spec).template)), $patch: "replace" } } };
}

/** The owner's revisions, oldest number first. */
export function revisionsOf(api: ClusterApi, owner: KubeObject): KubeObject[] {
  return api
    .owned(REVISIONS, owner)
    .filter((r) => controlledBy(r, owner))
    .sort((a, b) => Number(a.revision ?? 0) - Number(b.revision ?? 0));
}

/** The revision for the owner's current template (created or renumbered as needed). */
export function currentRevision(api: ClusterApi, owner: KubeObject, apiVersion: string, kind: string): KubeObject | undefined {
  const revisions = revisionsOf(api, owner);
  const data = revisionData(owner);
  const max = revisions.reduce((m, r) => Math.max(m, Number(r.revision ?? 0)), 0);
  const existing = revisions.find((r) => same(r.data, data));
  if (existing) {
    if (Number(existing.revision ?? 0) === max) return existing;
    return api.update(REVISIONS, { ...existing, revision: max + 1 }) ?? existing;
  }
  const collision = typeof obj(owner.status).collisionCount === "number" ? (obj(owner.status).collisionCount as number) : undefined;
  const hash = computeHash(obj(obj(owner.spec).template), collision);
  const name = `${String(owner.metadata.name)}-${hash}`;
  const labels = { ...obj(obj(obj(obj(owner.spec).template).metadata).labels), "controller.kubernetes.io/hash": hash };
  return api.create(REVISIONS, String(owner.metadata.namespace), {
    apiVersion: "apps/v1",
    kind: "ControllerRevision",
    metadata: { name, namespace: owner.metadata.namespace, labels, ownerReferences: [controllerRef(owner, apiVersion, kind)] },
    data,
    revision: max + 1,
  });
}

/** Delete revisions beyond the history limit that no live pod uses. */
export function truncateHistory(api: ClusterApi, owner: KubeObject, live: Set<string>, keep: string): void {
  const limit = typeof obj(owner.spec).revisionHistoryLimit === "number" ? (obj(owner.spec).revisionHistoryLimit as number) : 10;
  const unused = revisionsOf(api, owner).filter((r) => !live.has(String(r.metadata.name)) && r.metadata.name !== keep);
  for (const r of unused.slice(0, Math.max(0, unused.length - limit))) api.delete(REVISIONS, r);
}
