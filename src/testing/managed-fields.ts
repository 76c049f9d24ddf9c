/**
 * `metadata.managedFields` bookkeeping, as kube-apiserver's field manager keeps it: every write
 * records which manager owns which fields; server-side apply merges a configuration, reports
 * conflicts with other owners (or takes their fields with `force`), and removes the fields a
 * manager stopped applying when nobody else owns them.
 */
import type * as z from "zod";
import type { StatusCause } from "../errors.js";
import {
  addedFieldsV1,
  compare,
  deepEqual,
  difference,
  emptySet,
  fieldSetOf,
  fromFieldsV1,
  intersection,
  isEmpty,
  members,
  mergeApplied,
  pathString,
  removeFields,
  toFieldsV1,
  union,
  type FieldSet,
} from "./fieldset.js";
import { statusError } from "./status.js";
import type { KubeApiError } from "../errors.js";

type Obj = Record<string, unknown>;

/** One `managedFields` entry. */
export interface ManagedFieldsEntry {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  time: string;
  fieldsType: "FieldsV1";
  fieldsV1: Obj;
  subresource?: string;
}

interface Manager {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  subresource: string;
  time: string;
  set: FieldSet;
}

/** Which part of an object a write may change: the main resource or its status subresource. */
export interface WriteScope {
  /** The resource has a status subresource (so each side resets the other's fields). */
  hasStatus: boolean;
  /** The write goes to this subresource (`status`), or the main resource when empty. */
  subresource: string;
}

const STRIPPED_META = ["name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds"];

/** The part of an object whose fields are tracked for a write scope. */
export function trackedPart(obj: Obj | undefined, scope: WriteScope): Obj {
  if (!obj) return {};
  const out: Obj = { ...obj };
  delete out.apiVersion;
  delete out.kind;
  if (isObj(out.metadata)) {
    const meta: Obj = { ...out.metadata };
    for (const k of STRIPPED_META) delete meta[k];
    if (Object.keys(meta).length) out.metadata = meta;
    else delete out.metadata;
  }
  if (scope.hasStatus) {
    if (scope.subresource === "status") return out.status === undefined ? {} : { status: out.status };
    // Subresources with strategies of their own (a CSR's approval) may write into the status.
    if (scope.subresource === "" || scope.subresource === "scale") delete out.status;
  }
  return out;
}

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * The `fieldsV1` each set read from a stored object was read from. Stored objects are never
 * changed in place, and sets are never changed once made: a manager whose set a write leaves alone
 * (the same set) writes the same `fieldsV1` again, shared rather than rebuilt.
 */
const readFrom = new WeakMap<FieldSet, Obj>();
/** The set each stored `fieldsV1` reads as (a stored object's managers are read again on each of its writes). */
const readAs = new WeakMap<Obj, FieldSet>();

function readManagers(obj: Obj | undefined): Manager[] {
  const raw = isObj(obj?.metadata) ? (obj!.metadata as Obj).managedFields : undefined;
  if (!Array.isArray(raw)) return [];
  return raw.filter(isObj).map((e) => ({
    manager: String(e.manager ?? ""),
    operation: e.operation === "Apply" ? "Apply" : "Update",
    apiVersion: String(e.apiVersion ?? ""),
    subresource: String(e.subresource ?? ""),
    time: String(e.time ?? ""),
    set: setOf(e.fieldsV1),
  }));
}

function setOf(fieldsV1: unknown): FieldSet {
  if (!isObj(fieldsV1)) return fromFieldsV1(fieldsV1);
  let set = readAs.get(fieldsV1);
  if (!set) {
    set = fromFieldsV1(fieldsV1);
    readAs.set(fieldsV1, set);
    readFrom.set(set, fieldsV1);
  }
  return set;
}

function writeManagers(managers: Manager[]): ManagedFieldsEntry[] {
  return managers
    .filter((m) => !isEmpty(m.set))
    .map((m) => ({
      manager: m.manager,
      operation: m.operation,
      apiVersion: m.apiVersion,
      time: m.time,
      fieldsType: "FieldsV1" as const,
      fieldsV1: readFrom.get(m.set) ?? toFieldsV1(m.set),
      ...(m.subresource ? { subresource: m.subresource } : {}),
    }));
}

function sameOwner(m: Manager, manager: string, operation: string, subresource: string): boolean {
  return m.manager === manager && m.operation === operation && m.subresource === subresource;
}

/** Who is writing. */
export interface Writer {
  manager: string;
  apiVersion: string;
  now: string;
}

/**
 * The managed fields after a non-apply write (create, update, patch): the writer takes the fields it
 * added or changed from everyone; fields it removed leave every set.
 */
export function managedAfterUpdate(schema: z.ZodType, before: Obj | undefined, after: Obj, scope: WriteScope, writer: Writer): ManagedFieldsEntry[] {
  if (!before) {
    // A create: the writer owns every field the object sets.
    const fieldsV1 = addedFieldsV1(schema, trackedPart(after, scope));
    if (fieldsV1 === undefined) return [];
    if (fieldsV1 !== null) {
      return [{ manager: writer.manager, operation: "Update", apiVersion: writer.apiVersion, time: writer.now, fieldsType: "FieldsV1", fieldsV1, ...(scope.subresource ? { subresource: scope.subresource } : {}) }];
    }
  }
  const managers = readManagers(before);
  const cmp = compare(schema, trackedPart(before, scope), trackedPart(after, scope));
  const changed = union(cmp.added, cmp.modified);
  if (isEmpty(changed) && isEmpty(cmp.removed)) return writeManagers(managers);
  for (const m of managers) m.set = difference(difference(m.set, changed), cmp.removed);
  let own = managers.find((m) => sameOwner(m, writer.manager, "Update", scope.subresource) && m.apiVersion === writer.apiVersion);
  if (!own) {
    own = { manager: writer.manager, operation: "Update", apiVersion: writer.apiVersion, subresource: scope.subresource, time: writer.now, set: emptySet() };
    managers.push(own);
  }
  own.set = union(own.set, changed);
  own.time = writer.now;
  return writeManagers(managers);
}

/** A field owned by another manager that an apply would change. */
export interface ApplyConflict {
  manager: Manager;
  path: string;
}

function describeManager(m: Manager): string {
  let s = JSON.stringify(m.manager);
  if (m.subresource) s += ` with subresource ${JSON.stringify(m.subresource)}`;
  if (m.operation === "Update") s += m.time ? ` using ${m.apiVersion} at ${m.time}` : ` using ${m.apiVersion}`;
  return s;
}

/** The 409 of an apply that conflicts, in the apiserver's words. */
export function conflictError(conflicts: readonly ApplyConflict[]): KubeApiError {
  const causes: StatusCause[] = conflicts.map((c) => ({ reason: "FieldManagerConflict", message: `conflict with ${describeManager(c.manager)}`, field: c.path }));
  let message: string;
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${describeManager(conflicts[0]!.manager)}: ${conflicts[0]!.path}`;
  } else {
    const byManager = new Map<string, string[]>();
    for (const c of conflicts) {
      const key = describeManager(c.manager);
      byManager.set(key, [...(byManager.get(key) ?? []), c.path]);
    }
    const lines: string[] = [];
    for (const key of [...byManager.keys()].sort()) {
      lines.push(`conflicts with ${key}:`);
      for (const p of byManager.get(key)!) lines.push(`- ${p}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join("\n")}`;
  }
  return statusError(409, "Conflict", message, { causes });
}

/** The result of applying a configuration. */
export interface ApplyResult {
  /** The tracked part of the object after the apply. */
  tracked: Obj;
  managedFields: ManagedFieldsEntry[];
}

/**
 * Server-side apply of a configuration over a live object (undefined when creating). Throws the
 * apiserver's 409 listing conflicts unless `force`.
 */
export function applyConfiguration(
  schema: z.ZodType,
  live: Obj | undefined,
  config: Obj,
  scope: WriteScope,
  writer: Writer,
  force: boolean,
): ApplyResult {
  const managers = readManagers(live);
  const liveTracked = trackedPart(live, scope);
  const configTracked = trackedPart(config, scope);
  let merged = mergeApplied(schema, liveTracked, configTracked) as Obj;
  const cmp = compare(schema, liveTracked, merged);
  const changed = union(cmp.added, cmp.modified);
  const configSet = fieldSetOf(schema, configTracked);
  const others = managers.filter((m) => !sameOwner(m, writer.manager, "Apply", scope.subresource));
  const conflicts: ApplyConflict[] = [];
  for (const m of others) {
    for (const path of members(intersection(m.set, changed))) conflicts.push({ manager: m, path: pathString(path) });
  }
  if (conflicts.length && !force) throw conflictError(conflicts);
  if (force) for (const m of others) m.set = difference(m.set, changed);
  const previous = managers.find((m) => sameOwner(m, writer.manager, "Apply", scope.subresource));
  if (previous) {
    let toRemove = difference(previous.set, configSet);
    for (const m of others) toRemove = difference(toRemove, m.set);
    if (!isEmpty(toRemove)) merged = (removeFields(schema, merged, toRemove) as Obj | undefined) ?? {};
  }
  const own: Manager = previous ?? { manager: writer.manager, operation: "Apply", apiVersion: writer.apiVersion, subresource: scope.subresource, time: writer.now, set: emptySet() };
  const setChanged = !deepEqual(toFieldsV1(own.set), toFieldsV1(configSet)) || own.apiVersion !== writer.apiVersion;
  own.set = configSet;
  own.apiVersion = writer.apiVersion;
  if (setChanged || !deepEqual(merged, liveTracked)) own.time = writer.now;
  if (!previous) managers.push(own);
  return { tracked: merged, managedFields: writeManagers(managers) };
}
