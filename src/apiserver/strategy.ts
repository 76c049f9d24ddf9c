/**
 * What kube-apiserver does to a built-in object on a write, after decoding: the kind's defaults,
 * its strategy's preparation, its native validation and (on updates) its update rules. The
 * object given is never changed: the result carries the defaulted, prepared copy.
 */
import type { FieldError } from "../meta/field-errors.js";
import { apiContext, type ApiContextOptions } from "./context.js";
import { kindRules } from "./groups.js";

type Obj = Record<string, unknown>;

/** Options for {@link validateWrite}. */
export interface WriteOptions extends ApiContextOptions {
  /** The stored object an update replaces; its presence makes the write an UPDATE. */
  old?: Obj;
}

/** What a write came to: the object as it would be stored, its errors and `Warning` texts. */
export interface WriteResult {
  object: Obj;
  errors: FieldError[];
  warnings: string[];
}

/**
 * Default, prepare and validate a built-in object as kube-apiserver does on create or update.
 *
 * @example
 * const { errors } = validateWrite({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, spec: {} }, { minor: 36 });
 */
export function validateWrite(obj: Obj, options: WriteOptions): WriteResult {
  const apiVersion = typeof obj.apiVersion === "string" ? obj.apiVersion : "";
  const slash = apiVersion.indexOf("/");
  const group = slash < 0 ? "" : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  const kind = typeof obj.kind === "string" ? obj.kind : "";
  const old = options.old;
  const ctx = apiContext({ ...options, version, operation: old ? "UPDATE" : (options.operation ?? "CREATE") });
  const object = structuredClone(obj);
  const rules = kindRules(group, kind);
  if (!rules) return { object, errors: [], warnings: [] };
  rules.defaults?.(object, ctx);
  if (old) rules.prepareForUpdate?.(object, old, ctx);
  else rules.prepareForCreate?.(object, ctx);
  const errors = rules.validate?.(object, ctx) ?? [];
  if (old) errors.push(...(rules.validateUpdate?.(object, old, ctx) ?? []));
  const warnings = rules.warnings?.(object, old, ctx) ?? [];
  return { object, errors, warnings };
}
