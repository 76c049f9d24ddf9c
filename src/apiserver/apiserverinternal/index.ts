/**
 * The internal.apiserver.k8s.io API group (pkg/apis/apiserverinternal/validation,
 * pkg/registry/apiserverinternal/storageversion): StorageVersion names of the form
 * `<group>.<resource>`, and the status each apiserver reports — its id, encoding and decodable
 * versions, the common encoding version and the conditions. The strategy clears the status on
 * create and keeps the stored status on update; only the status subresource writes it.
 */
import type { GroupRules } from "../registry.js";
import { FieldPath, invalid, required, type FieldError } from "../field.js";
import {
  badValue,
  emptyError,
  goStringSlice,
  isDNS1035Label,
  isDNS1123Subdomain,
  isQualifiedName,
  listAt,
  objectAt,
  regexError,
  stringAt,
  stringsAt,
  validateObjectMetaWithName,
} from "../validation/index.js";
import type { ApiContext } from "../context.js";

type Obj = Record<string, unknown>;

const DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?";
const DNS1035_LABEL_ERR_MSG =
  "a DNS-1035 label, which must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";

/** `ValidateStorageVersionName`: `<group>.<resource>`, the group a DNS subdomain, the resource a DNS-1035 label. @example validateStorageVersionName("apps.deployments") // [] */
export function validateStorageVersionName(name: string): string[] {
  const idx = name.lastIndexOf(".");
  if (idx < 0) return ["name must be in the form of <group>.<resource>"];
  return [
    ...isDNS1123Subdomain(name.slice(0, idx)).map((m) => `the group segment ${m}`),
    ...isDNS1035Label(name.slice(idx + 1)).map((m) => `the resource segment ${m}`),
  ];
}

/** `isValidAPIVersion`: a DNS-1035 version with an optional DNS subdomain group and `/`. */
function isValidAPIVersion(apiVersion: string): string[] {
  const errs: string[] = [];
  const parts = apiVersion.split("/");
  let version: string;
  if (parts.length === 1) version = parts[0]!;
  else if (parts.length === 2) {
    const group = parts[0]!;
    version = parts[1]!;
    if (group.length === 0) errs.push(`group part: ${emptyError()}`);
    else errs.push(...isDNS1123Subdomain(group).map((m) => `group part: ${m}`));
  } else {
    return [`an apiVersion is ${regexError(DNS1035_LABEL_ERR_MSG, DNS1035_LABEL_FMT, "my-name", "abc-123")} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyVersion')`];
  }
  if (version.length === 0) errs.push(`version part: ${emptyError()}`);
  else errs.push(...isDNS1035Label(version).map((m) => `version part: ${m}`));
  return errs;
}

/** `validateServerStorageVersion`. */
function validateServerStorageVersion(ssv: Obj, path: FieldPath, ctx: ApiContext): FieldError[] {
  const errs: FieldError[] = [];
  const id = stringAt(ssv.apiServerID);
  for (const m of isDNS1123Subdomain(id)) errs.push(invalid(path.child("apiServerID"), id, m));
  const encoding = stringAt(ssv.encodingVersion);
  const encodingErrs = isValidAPIVersion(encoding);
  if (encodingErrs.length) errs.push(invalid(path.child("encodingVersion"), encoding, encodingErrs.join(",")));
  const decodable = Array.isArray(ssv.decodableVersions) ? stringsAt(ssv.decodableVersions) : undefined;
  let found = false;
  (decodable ?? []).forEach((dv, i) => {
    const e = isValidAPIVersion(dv);
    if (e.length) errs.push(invalid(path.child("decodableVersions").index(i), dv, e.join(",")));
    if (dv === encoding) found = true;
  });
  if (!found) {
    const display = badValue(ctx.minor, () => goStringSlice(decodable), decodable ?? null);
    errs.push(invalid(path.child("decodableVersions"), decodable ?? null, `decodableVersions must include encodingVersion ${encoding}`, display));
  }
  return errs;
}

/** `validateCommonVersion`: the common encoding version is the one every server reports, or unset. */
function validateCommonVersion(status: Obj, path: FieldPath, ctx: ApiContext): FieldError[] {
  const versions = listAt(status.storageVersions).map((v) => stringAt(objectAt(v).encodingVersion));
  const actual = versions.length && versions.every((v) => v === versions[0]) ? versions[0] : undefined;
  const declared = typeof status.commonEncodingVersion === "string" ? status.commonEncodingVersion : undefined;
  const p = path.child("commonEncodingVersion");
  if (actual === undefined && declared === undefined) return [];
  if (actual === undefined) return [invalid(p, declared, "should be nil if servers do not agree on the same encoding version, or if there is no server reporting the supported versions yet")];
  if (declared === undefined) return [invalid(p, null, `the common encoding version is ${actual}`, ctx.minor >= 34 ? "null" : '"null"')];
  if (actual !== declared) return [invalid(p, declared, `the actual common encoding version is ${actual}`)];
  return [];
}

/**
 * `validateStorageVersionCondition`. The paths are Go's as written: the index follows `status`
 * itself (`status[0].type`), and a bad status reports the condition's type as its value.
 */
function validateConditions(conditions: readonly unknown[], path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Map<string, number>();
  conditions.forEach((raw, i) => {
    const c = objectAt(raw);
    const type = stringAt(c.type);
    const at = path.index(i);
    const first = seen.get(type);
    if (first !== undefined) errs.push(invalid(at.child("type"), type, `the type of the condition is not unique, it also appears in conditions[${first}]`));
    seen.set(type, i);
    for (const m of isQualifiedName(type)) errs.push(invalid(at.child("type"), type, m));
    for (const m of isQualifiedName(stringAt(c.status))) errs.push(invalid(at.child("status"), type, m));
    if (stringAt(c.reason) === "") errs.push(required(at.child("reason"), "reason cannot be empty"));
    if (stringAt(c.message) === "") errs.push(required(at.child("message"), "message cannot be empty"));
  });
  return errs;
}

/** `validateStorageVersionStatus`. */
function validateStatus(obj: Obj, ctx: ApiContext): FieldError[] {
  const status = objectAt(obj.status);
  const path = FieldPath.of("status");
  const errs: FieldError[] = [];
  listAt(status.storageVersions).forEach((ssv, i) => errs.push(...validateServerStorageVersion(objectAt(ssv), path.child("storageVersions").index(i), ctx)));
  errs.push(...validateCommonVersion(status, path, ctx));
  errs.push(...validateConditions(listAt(status.conditions), path));
  return errs;
}

/** What kube-apiserver does to the kinds of `internal.apiserver.k8s.io`. */
export const rules: GroupRules = {
  group: "internal.apiserver.k8s.io",
  kinds: {
    StorageVersion: {
      // ValidateStorageVersion checks the metadata with its own name function.
      objectMeta: false,
      prepareForCreate: (sv) => {
        sv.status = {};
      },
      prepareForUpdate: (sv, old) => {
        if (old.status === undefined) delete sv.status;
        else sv.status = old.status;
      },
      // ValidateStorageVersionUpdate checks nothing: the spec is empty and the status is kept.
      validate: (sv, ctx) =>
        ctx.operation === "UPDATE" ? [] : [...validateObjectMetaWithName(sv.metadata, validateStorageVersionName, false), ...validateStatus(sv, ctx)],
      validateStatusUpdate: (sv, _old, ctx) => validateStatus(sv, ctx),
    },
  },
};
