/**
 * `metadata` checks the way kube-apiserver makes them (apimachinery's ValidateObjectMeta): name or
 * generateName and their syntax, namespace presence and syntax, label and annotation syntax, the
 * annotation size limit, finalizer names and owner references.
 */
import { fieldError, FieldPath, type FieldError } from "./field-errors.js";
import {
  isDNS1123Label,
  isQualifiedName,
  isValidLabelValue,
  TOTAL_ANNOTATION_SIZE_LIMIT,
  validateName,
  type NameFormat,
} from "./names.js";
import { isRecord } from "./values.js";

// Maps are read with for…in (the order of Object.entries, without its pairs), and hasOwnProperty.call,
// which V8 answers from the enumeration itself.
const hasOwn = Object.prototype.hasOwnProperty;

/** What the metadata belongs to. */
export interface ObjectMetaContext {
  /** The syntax names must follow (see `nameFormatOf`). */
  nameFormat: NameFormat;
  /** Whether the resource lives in a namespace. Undefined skips the namespace presence check. */
  namespaced?: boolean;
  /** The namespace is filled in by the caller (a request path, a default); do not require it. */
  namespaceOptional?: boolean;
}

/**
 * Problems with label keys and values.
 *
 * @example
 * validateLabels({ "app.kubernetes.io/name": "web" }, FieldPath.of("metadata", "labels")); // []
 */
export function validateLabels(labels: unknown, path: FieldPath): FieldError[] {
  if (labels === undefined || labels === null) return [];
  if (!isRecord(labels)) return [fieldError("FieldValueTypeInvalid", path, "must be a map of strings", labels)];
  const errs: FieldError[] = [];
  for (const k in labels) {
    if (!hasOwn.call(labels, k)) continue;
    const v = labels[k];
    for (const msg of isQualifiedName(k)) errs.push(fieldError("FieldValueInvalid", path, msg, k));
    if (typeof v !== "string") errs.push(fieldError("FieldValueTypeInvalid", path.key(k), "must be a string", v));
    else {
      // metav1 validation names the map, not the key, in a bad value's field; the segments keep the key for locating it.
      for (const msg of isValidLabelValue(v)) errs.push({ ...fieldError("FieldValueInvalid", path.key(k), msg, v), field: path.toString() });
    }
  }
  return errs;
}

/**
 * Problems with annotation keys and the total annotation size (256 KiB).
 *
 * @example
 * validateAnnotations({ "example.com/note": "x" }, FieldPath.of("metadata", "annotations")); // []
 */
export function validateAnnotations(annotations: unknown, path: FieldPath): FieldError[] {
  if (annotations === undefined || annotations === null) return [];
  if (!isRecord(annotations)) return [fieldError("FieldValueTypeInvalid", path, "must be a map of strings", annotations)];
  const errs: FieldError[] = [];
  // UTF-16 units first: UTF-8 takes at most 3 bytes for each, so bytes are counted only near the limit.
  let units = 0;
  for (const k in annotations) {
    if (!hasOwn.call(annotations, k)) continue;
    const v = annotations[k];
    // apimachinery checks lower-cased keys.
    for (const msg of isQualifiedName(k.toLowerCase())) errs.push(fieldError("FieldValueInvalid", path, msg, k));
    if (typeof v !== "string") errs.push(fieldError("FieldValueTypeInvalid", path.key(k), "must be a string", v));
    units += k.length + (typeof v === "string" ? v.length : 0);
  }
  if (units * 3 > TOTAL_ANNOTATION_SIZE_LIMIT && annotationBytes(annotations) > TOTAL_ANNOTATION_SIZE_LIMIT) {
    errs.push(fieldError("FieldValueTooLong", path, `may not be more than ${TOTAL_ANNOTATION_SIZE_LIMIT} bytes`));
  }
  return errs;
}

function annotationBytes(annotations: Record<string, unknown>): number {
  let total = 0;
  for (const k in annotations) {
    if (!hasOwn.call(annotations, k)) continue;
    const v = annotations[k];
    total += Buffer.byteLength(k) + (typeof v === "string" ? Buffer.byteLength(v) : 0);
  }
  return total;
}

const METADATA = FieldPath.of("metadata");

/**
 * Problems with an object's `metadata` when it is created, as kube-apiserver reports them.
 *
 * @example
 * validateObjectMeta({ name: "Web" }, { nameFormat: "dns-subdomain", namespaced: true, namespaceOptional: true });
 * // [{ type: "FieldValueInvalid", field: "metadata.name", … }]
 */
export function validateObjectMeta(meta: unknown, context: ObjectMetaContext, path = METADATA): FieldError[] {
  if (meta === undefined || meta === null) {
    return [fieldError("FieldValueRequired", path.child("name"), "name or generateName is required")];
  }
  if (!isRecord(meta)) return [fieldError("FieldValueTypeInvalid", path, "must be an object", meta)];
  const errs: FieldError[] = [];
  const { name, generateName, namespace } = meta;
  if (typeof generateName === "string" && generateName) {
    for (const msg of validateName(generateName, context.nameFormat, true)) {
      errs.push(fieldError("FieldValueInvalid", path.child("generateName"), msg, generateName));
    }
  }
  if (typeof name !== "string" || name === "") {
    if (!(typeof generateName === "string" && generateName)) {
      errs.push(fieldError("FieldValueRequired", path.child("name"), "name or generateName is required"));
    }
  } else {
    for (const msg of validateName(name, context.nameFormat)) {
      errs.push(fieldError("FieldValueInvalid", path.child("name"), msg, name));
    }
  }
  if (context.namespaced === true) {
    if (typeof namespace !== "string" || namespace === "") {
      if (!context.namespaceOptional) errs.push(fieldError("FieldValueRequired", path.child("namespace"), ""));
    } else {
      for (const msg of isDNS1123Label(namespace)) errs.push(fieldError("FieldValueInvalid", path.child("namespace"), msg, namespace));
    }
  } else if (context.namespaced === false && typeof namespace === "string" && namespace !== "") {
    errs.push(fieldError("FieldValueForbidden", path.child("namespace"), "not allowed on this type"));
  }
  errs.push(...validateLabels(meta.labels, path.child("labels")));
  errs.push(...validateAnnotations(meta.annotations, path.child("annotations")));
  if (Array.isArray(meta.finalizers)) {
    meta.finalizers.forEach((f, i) => {
      const p = path.child("finalizers").index(i);
      if (typeof f !== "string") errs.push(fieldError("FieldValueTypeInvalid", p, "must be a string", f));
      else for (const msg of isQualifiedName(f)) errs.push(fieldError("FieldValueInvalid", p, msg, f));
    });
  }
  if (Array.isArray(meta.ownerReferences)) {
    meta.ownerReferences.forEach((ref, i) => {
      const p = path.child("ownerReferences").index(i);
      if (!isRecord(ref)) {
        errs.push(fieldError("FieldValueTypeInvalid", p, "must be an object", ref));
        return;
      }
      for (const key of ["apiVersion", "kind", "name", "uid"]) {
        if (typeof ref[key] !== "string" || ref[key] === "") {
          errs.push(fieldError(key === "apiVersion" || key === "kind" ? "FieldValueInvalid" : "FieldValueRequired", p.child(key), key === "apiVersion" ? "version must not be empty" : key === "kind" ? "kind must not be empty" : "", ref[key] ?? ""));
        }
      }
    });
  }
  return errs;
}
