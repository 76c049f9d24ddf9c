/**
 * `ValidateObjectMeta` with a kind's own name function (a `ValidateNameFunc` that is not one of
 * the shared name syntaxes), for kinds whose rules set `objectMeta: false` and check the metadata
 * themselves.
 */
import { fieldError, FieldPath, type FieldError } from "../../meta/field-errors.js";
import { validateObjectMeta } from "../../meta/object-meta.js";
import { isRecord } from "../../meta/values.js";

/** A `ValidateNameFunc`: the problems with a name, or with a `generateName` prefix. */
export type NameCheck = (name: string, prefix: boolean) => string[];

/**
 * The object metadata checks with `nameCheck` deciding the syntax of `name` and `generateName`.
 * `namespaced` checks the namespace syntax (its presence is left to the generic check).
 *
 * @example
 * validateObjectMetaWithName({ name: "apps.deployments" }, (n) => (n.includes(".") ? [] : ["bad"]), false); // []
 */
export function validateObjectMetaWithName(meta: unknown, nameCheck: NameCheck, namespaced: boolean): FieldError[] {
  const path = FieldPath.of("metadata");
  // The path-segment syntax is the weakest: its name errors are replaced by the kind's own.
  const rest = validateObjectMeta(meta, { nameFormat: "path-segment", namespaced, namespaceOptional: true }).filter(
    (e) => !((e.field === "metadata.name" || e.field === "metadata.generateName") && e.type === "FieldValueInvalid"),
  );
  if (!isRecord(meta)) return rest;
  const named: FieldError[] = [];
  const { name, generateName } = meta;
  if (typeof generateName === "string" && generateName) {
    for (const msg of nameCheck(generateName, true)) named.push(fieldError("FieldValueInvalid", path.child("generateName"), msg, generateName));
  }
  if (typeof name === "string" && name) {
    for (const msg of nameCheck(name, false)) named.push(fieldError("FieldValueInvalid", path.child("name"), msg, name));
  }
  return [...named, ...rest];
}
