/**
 * The verdict of a write as a list of field errors: {@link checkWrite} without the rule ids and
 * informational notes, for callers that want kube-apiserver's error list and nothing else.
 */
import type { FieldError } from "../meta/field-errors.js";
import { checkWrite, type WriteOptions } from "./write.js";

type Obj = Record<string, unknown>;

export type { WriteOptions };

/** What a write came to: the object as it would be stored, its errors and `Warning` texts. */
export interface WriteResult {
  object: Obj;
  errors: FieldError[];
  warnings: string[];
}

/**
 * Default, prepare and validate an object as kube-apiserver does on create or update (with
 * `old`). The object given is never changed: the result carries the defaulted, prepared copy.
 * Without a `schema`, the OpenAPI checks are skipped and names are checked as DNS subdomains.
 *
 * @example
 * const { errors } = validateWrite({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, spec: {} }, { minor: 36 });
 */
export function validateWrite(obj: Obj, options: WriteOptions): WriteResult {
  const { object, issues, warnings } = checkWrite(obj, { ...options, owned: false });
  return { object, errors: issues.filter((i) => i.severity !== "warning"), warnings };
}
