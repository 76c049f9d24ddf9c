/**
 * The storagemigration.k8s.io API group (pkg/apis/storagemigration/validation,
 * pkg/registry/storagemigration/storageversionmigration/strategy.go): a StorageVersionMigration
 * names the resource to migrate (and, in v1alpha1, its version), which may not change; its status
 * keeps its resource version and its Succeeded/Failed/Running conditions consistent.
 */
import type { GroupRules } from "../registry.js";
import { duplicate, FieldPath, invalid, notSupported, required, tooLong, type FieldError } from "../field.js";
import { regexError } from "../validation/messages.js";
import { listAt, objectAt, stringAt, validateLabelName } from "../validation/index.js";
import type { ApiContext } from "../context.js";

type Obj = Record<string, unknown>;

/** `ValidateStorageVersionMigration` without the object metadata. */
function validateMigration(obj: Obj, ctx: ApiContext): FieldError[] {
  const resource = objectAt(objectAt(obj.spec).resource);
  const errs: FieldError[] = [];
  if (!stringAt(resource.resource)) errs.push(required(FieldPath.of("spec", "resource", "resource"), "resource is required"));
  if (ctx.version === "v1alpha1" && !stringAt(resource.version)) errs.push(required(FieldPath.of("spec", "resource", "version"), "version is required"));
  return errs;
}

/** `ValidateStorageVersionMigrationUpdate`: the group, version and resource are fixed (reported at the root, as kube-apiserver does). */
function validateMigrationUpdate(obj: Obj, old: Obj): FieldError[] {
  const now = objectAt(objectAt(obj.spec).resource);
  const was = objectAt(objectAt(old.spec).resource);
  const errs: FieldError[] = [];
  for (const field of ["group", "version", "resource"]) {
    if (stringAt(now[field]) !== stringAt(was[field])) errs.push(invalid(FieldPath.of(field), stringAt(now[field]), "field is immutable"));
  }
  return errs;
}

const REASON_FMT = "[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?";
const REASON_MSG = "a condition reason must start with alphabetic character, optionally followed by a string of alphanumeric characters or '_,:', and must end with an alphanumeric character or '_'";
const STATUSES = ["False", "True", "Unknown"];

/** `validateConditions` / `validateCondition`. */
function validateConditions(conditions: readonly unknown[], path: FieldPath, ctx: ApiContext): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  conditions.forEach((c, i) => {
    const cond = objectAt(c);
    const p = path.index(i);
    const type = stringAt(cond.type);
    if (seen.has(type)) errs.push(duplicate(p.child("type"), type));
    seen.add(type);
    errs.push(...validateLabelName(type, p.child("type")));
    const status = stringAt(cond.status);
    if (!STATUSES.includes(status)) errs.push(notSupported(p.child("status"), status, STATUSES));
    if (!stringAt(cond.lastUpdateTime)) errs.push(required(p.child("lastTransitionTime"), "must be set"));
    const reason = stringAt(cond.reason);
    if (!reason) errs.push(required(p.child("reason"), "must be set"));
    else {
      if (!new RegExp(`^${REASON_FMT}$`).test(reason)) errs.push(invalid(p.child("reason"), reason, regexError(REASON_MSG, REASON_FMT, "my_name", "MY_NAME", "MyName", "ReasonA,ReasonB", "ReasonA:ReasonB")));
      if (Buffer.byteLength(reason) > 1024) errs.push(tooLong(p.child("reason"), reason, 1024, ctx.minor));
    }
    if (Buffer.byteLength(stringAt(cond.message)) > 32 * 1024) errs.push(tooLong(p.child("message"), stringAt(cond.message), 32 * 1024, ctx.minor));
  });
  return errs;
}

const conditionTrue = (obj: Obj, type: string): boolean => listAt(objectAt(obj.status).conditions).some((c) => stringAt(objectAt(c).type) === type && stringAt(objectAt(c).status) === "True");

/** `ValidateStorageVersionMigrationStatusUpdate`. */
function validateStatusUpdate(obj: Obj, old: Obj, ctx: ApiContext): FieldError[] {
  const path = FieldPath.of("status");
  const status = objectAt(obj.status);
  const errs: FieldError[] = [];
  const rv = stringAt(status.resourceVersion);
  if (rv && !/^[+-]?[0-9]+$/.test(rv)) {
    errs.push(invalid(path.child("resourceVersion"), rv, `failed to parse resource version ${JSON.stringify(rv)}: strconv.ParseInt: parsing ${JSON.stringify(rv)}: invalid syntax`));
  } else if (rv && Number(rv) < 0) errs.push(invalid(path.child("resourceVersion"), Number(rv), "must be greater than or equal to 0"));
  const conditions = listAt(status.conditions);
  errs.push(...validateConditions(conditions, path.child("conditions"), ctx));
  const oldRv = stringAt(objectAt(old.status).resourceVersion);
  if (oldRv && oldRv !== rv) errs.push(invalid(path.child("resourceVersion"), rv, "resourceVersion cannot be updated"));
  const succeeded = conditionTrue(obj, "Succeeded");
  const failed = conditionTrue(obj, "Failed");
  const running = conditionTrue(obj, "Running");
  const bad = (detail: string): void => {
    errs.push(invalid(path.child("conditions"), conditions, detail));
  };
  if (succeeded && failed) bad("Both success and failed conditions cannot be true at the same time");
  if (succeeded && running) bad("Running condition cannot be true when success condition is true");
  if (failed && running) bad("Running condition cannot be true when failed condition is true");
  if (conditionTrue(old, "Succeeded") && !succeeded) bad("Success condition cannot be set to false once it is true");
  if (conditionTrue(old, "Failed") && !failed) bad("Failed condition cannot be set to false once it is true");
  return errs;
}

/** What kube-apiserver does to the kinds of `storagemigration.k8s.io`. */
export const rules: GroupRules = {
  group: "storagemigration.k8s.io",
  kinds: {
    StorageVersionMigration: {
      prepareForCreate: (obj) => {
        obj.status = {};
      },
      prepareForUpdate: (obj, old) => {
        if (old.status === undefined) delete obj.status;
        else obj.status = structuredClone(old.status);
      },
      validate: validateMigration,
      validateUpdate: validateMigrationUpdate,
      validateStatusUpdate,
    },
  },
};
