/**
 * Object metadata on an update, as k8s.io/apiserver's `rest.BeforeUpdate` treats it: the fields a
 * client cannot change are carried over from the stored object, then
 * `ValidateObjectMetaAccessorUpdate` checks what is left (immutable identity, no new finalizers
 * while the object is being deleted).
 */
import { FieldPath, forbidden, invalid, type FieldError } from "./field.js";
import { deepEqual } from "../patch/json.js";
import { isRecord } from "../meta/values.js";

type Obj = Record<string, unknown>;

const IMMUTABLE = ["name", "namespace", "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds"] as const;

/**
 * Carry over what an update cannot change (generation, uid, creation and deletion timestamps,
 * deletion grace period) and, for an update without a resourceVersion (unconditional, as a patch
 * or apply is), the stored resourceVersion; a namespaced object without a namespace is written to
 * the stored object's namespace. In place.
 *
 * @example
 * keepStoredMetadata(next.metadata, stored.metadata, true);
 */
export function keepStoredMetadata(meta: Obj, old: Obj, namespaced: boolean): void {
  if (old.generation !== undefined) meta.generation = old.generation;
  else delete meta.generation;
  if ((meta.uid === undefined || meta.uid === "") && old.uid !== undefined) meta.uid = old.uid;
  if (old.creationTimestamp !== undefined && old.creationTimestamp !== null) meta.creationTimestamp = old.creationTimestamp;
  if (old.deletionTimestamp !== undefined && old.deletionTimestamp !== null) meta.deletionTimestamp = old.deletionTimestamp;
  if (old.deletionGracePeriodSeconds !== undefined && meta.deletionGracePeriodSeconds === undefined) meta.deletionGracePeriodSeconds = old.deletionGracePeriodSeconds;
  if ((meta.resourceVersion === undefined || meta.resourceVersion === "") && old.resourceVersion !== undefined) meta.resourceVersion = old.resourceVersion;
  if (namespaced && (meta.namespace === undefined || meta.namespace === "") && typeof old.namespace === "string") meta.namespace = old.namespace;
}

/** A Go `[]string` as `%#v` prints it. */
function goStrings(list: readonly string[]): string {
  return `[]string{${list.map((s) => JSON.stringify(s)).join(", ")}}`;
}

/**
 * `ValidateObjectMetaAccessorUpdate` beyond what object metadata validation on create checks:
 * immutable name, namespace, uid and timestamps, and no finalizer added to an object being deleted.
 *
 * @example
 * validateObjectMetaUpdate({ name: "b" }, { name: "a" }); // [metadata.name: Invalid value: "b": field is immutable]
 */
export function validateObjectMetaUpdate(meta: unknown, old: unknown, path = FieldPath.of("metadata")): FieldError[] {
  const next = isRecord(meta) ? meta : {};
  const prev = isRecord(old) ? old : {};
  const errs: FieldError[] = [];
  if (prev.deletionTimestamp !== undefined && prev.deletionTimestamp !== null) {
    const before = new Set(Array.isArray(prev.finalizers) ? prev.finalizers.map(String) : []);
    const added = [...new Set(Array.isArray(next.finalizers) ? next.finalizers.map(String) : [])].filter((f) => !before.has(f)).sort();
    if (added.length) errs.push(forbidden(path.child("finalizers"), `no new finalizers can be added if the object is being deleted, found new finalizers ${goStrings(added)}`));
  }
  for (const key of IMMUTABLE) {
    const a = next[key] ?? (key === "name" || key === "namespace" || key === "uid" ? "" : undefined);
    const b = prev[key] ?? (key === "name" || key === "namespace" || key === "uid" ? "" : undefined);
    if (!deepEqual(a ?? null, b ?? null)) errs.push(invalid(path.child(key), a ?? null, "field is immutable"));
  }
  return errs;
}
