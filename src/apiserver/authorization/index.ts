/**
 * The authorization.k8s.io API group (pkg/apis/authorization/validation): access reviews are
 * created and answered, never stored. SubjectAccessReview and SelfSubjectAccessReview need exactly
 * one of resource and non-resource attributes (a SubjectAccessReview a user or groups too) and an
 * empty `metadata`; a LocalSubjectAccessReview's metadata holds only its namespace, which its
 * resource attributes must name. SelfSubjectRulesReview is answered as sent.
 */
import type { GroupRules } from "../registry.js";
import { FieldPath, invalid, type FieldError } from "../field.js";
import { badValue, objectAt, optionalObject, stringAt, stringsAt } from "../validation/index.js";
import type { ApiContext } from "../context.js";

type Obj = Record<string, unknown>;

/** metav1.ObjectMeta's fields in its Go order (its JSON marshals `creationTimestamp` even when unset). */
const OBJECT_META_FIELDS = [
  "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp",
  "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences", "finalizers",
];

/** The metadata (without managedFields) as a field error prints it: JSON from 1.34, Go syntax (elided) before. */
function metaValue(meta: Obj, ctx: ApiContext): string {
  const out: Obj = {};
  for (const k of OBJECT_META_FIELDS) {
    if (k === "creationTimestamp") out[k] = meta[k] ?? null;
    else if (meta[k] !== undefined && meta[k] !== "" && meta[k] !== 0) out[k] = meta[k];
  }
  return badValue(ctx.minor, () => "v1.ObjectMeta{…}", out);
}

/** Whether metadata has anything but managedFields (and, when allowed, the namespace). */
function hasMetadata(meta: Obj, except: string[] = []): boolean {
  return Object.entries(meta).some(([k, v]) => k !== "managedFields" && !except.includes(k) && v !== undefined && v !== null && v !== "" && !(Array.isArray(v) && v.length === 0) && !(typeof v === "object" && !Array.isArray(v) && Object.keys(v as Obj).length === 0));
}

/** A `*authorization.NonResourceAttributes` as a field error prints it (internal type: Go field names). */
function nonResourceValue(attrs: Obj, ctx: ApiContext): string {
  const value = { Path: stringAt(attrs.path), Verb: stringAt(attrs.verb) };
  return badValue(ctx.minor, () => `authorization.NonResourceAttributes{Path:${JSON.stringify(value.Path)}, Verb:${JSON.stringify(value.Verb)}}`, value);
}

/** The both-or-neither attribute checks every access review spec shares. */
function validateAttributes(spec: Obj, path: FieldPath, ctx: ApiContext): FieldError[] {
  const resource = optionalObject(spec.resourceAttributes);
  const nonResource = optionalObject(spec.nonResourceAttributes);
  const errs: FieldError[] = [];
  if (resource && nonResource) errs.push(invalid(path.child("nonResourceAttributes"), nonResource, "cannot be specified in combination with resourceAttributes", nonResourceValue(nonResource, ctx)));
  // A nil pointer prints as the string "null" (quoted before 1.34).
  if (!resource && !nonResource) errs.push(invalid(path.child("resourceAttributes"), null, "exactly one of nonResourceAttributes or resourceAttributes must be specified", ctx.minor >= 34 ? "null" : '"null"'));
  return errs;
}

/** `ValidateSubjectAccessReview`. */
function validateSubjectAccessReview(obj: Obj, ctx: ApiContext): FieldError[] {
  const spec = objectAt(obj.spec);
  const path = FieldPath.of("spec");
  const errs = validateAttributes(spec, path, ctx);
  if (!stringAt(spec.user) && stringsAt(spec.groups).length === 0) errs.push(invalid(path.child("user"), stringAt(spec.user), "at least one of user or group must be specified"));
  const meta = objectAt(obj.metadata);
  if (hasMetadata(meta)) errs.push(invalid(FieldPath.of("metadata"), meta, "must be empty", metaValue(meta, ctx)));
  return errs;
}

/** `ValidateSelfSubjectAccessReview`. */
function validateSelfSubjectAccessReview(obj: Obj, ctx: ApiContext): FieldError[] {
  const errs = validateAttributes(objectAt(obj.spec), FieldPath.of("spec"), ctx);
  const meta = objectAt(obj.metadata);
  if (hasMetadata(meta)) errs.push(invalid(FieldPath.of("metadata"), meta, "must be empty", metaValue(meta, ctx)));
  return errs;
}

/** `ValidateLocalSubjectAccessReview`. */
function validateLocalSubjectAccessReview(obj: Obj, ctx: ApiContext): FieldError[] {
  const spec = objectAt(obj.spec);
  const path = FieldPath.of("spec");
  const errs = validateAttributes(spec, path, ctx);
  if (!stringAt(spec.user) && stringsAt(spec.groups).length === 0) errs.push(invalid(path.child("user"), stringAt(spec.user), "at least one of user or group must be specified"));
  const meta = objectAt(obj.metadata);
  if (hasMetadata(meta, ["namespace"])) errs.push(invalid(FieldPath.of("metadata"), meta, "must be empty except for namespace", metaValue(meta, ctx)));
  const resource = optionalObject(spec.resourceAttributes);
  const namespace = stringAt(meta.namespace);
  // Without a namespace in the object, the request path supplies it: the match cannot be judged here.
  if (resource && namespace && stringAt(resource.namespace) !== namespace) errs.push(invalid(FieldPath.of("spec", "resourceAttributes", "namespace"), stringAt(resource.namespace), "must match metadata.namespace"));
  const nonResource = optionalObject(spec.nonResourceAttributes);
  if (nonResource) errs.push(invalid(FieldPath.of("spec", "nonResourceAttributes"), nonResource, "disallowed on this kind of request", nonResourceValue(nonResource, ctx)));
  return errs;
}

/** What kube-apiserver does to the kinds of `authorization.k8s.io`. */
export const rules: GroupRules = {
  group: "authorization.k8s.io",
  kinds: {
    SubjectAccessReview: { objectMeta: "none", validate: validateSubjectAccessReview },
    SelfSubjectAccessReview: { objectMeta: "none", validate: validateSelfSubjectAccessReview },
    LocalSubjectAccessReview: { objectMeta: "none", validate: validateLocalSubjectAccessReview },
    SelfSubjectRulesReview: { objectMeta: "none" },
  },
};
