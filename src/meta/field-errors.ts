/**
 * Field errors shaped like apimachinery's `field.Error`: a type, a field path in the apiserver's
 * notation (`spec.containers[0].name`, `metadata.labels[app]`), the bad value and a message.
 */
import type { PathSegment } from "./walk.js";

/** apimachinery's field error types, as they appear in `Status.details.causes[].reason`. */
export type FieldErrorType =
  | "FieldValueRequired"
  | "FieldValueInvalid"
  | "FieldValueNotSupported"
  | "FieldValueForbidden"
  | "FieldValueTooLong"
  | "FieldValueTooMany"
  | "FieldValueDuplicate"
  | "FieldValueTypeInvalid"
  | "FieldValueNotFound"
  | "InternalError";

/** One problem at one field. */
export interface FieldError {
  type: FieldErrorType;
  /** The path as segments (map keys and field names are strings, list indexes numbers). */
  path: PathSegment[];
  /** The path in the apiserver's notation. */
  field: string;
  message: string;
  value?: unknown;
  /**
   * The bad value as kube-apiserver prints it, where Go's formatting of its internal type differs
   * from JSON (`map[string]string{"app":"web"}`, `core.ResourceList{…}`).
   */
  display?: string;
}

/**
 * A path being built: each step a field name, a list index or a map key (written `[key]`).
 * Paths share their parents, so building one per field costs one small object.
 *
 * @example
 * FieldPath.of("spec").child("containers").index(0).child("name").toString(); // "spec.containers[0].name"
 */
export class FieldPath {
  private static readonly ROOT = new FieldPath(undefined, undefined, false);
  private cachedSegments?: readonly PathSegment[];

  private constructor(
    private readonly parent: FieldPath | undefined,
    private readonly step: PathSegment | undefined,
    private readonly isKey: boolean,
  ) {}

  /** The root path (empty). @example FieldPath.root().child("metadata").child("name").toString() // "metadata.name" */
  static root(): FieldPath {
    return FieldPath.ROOT;
  }

  /** A path from segments; numbers are list indexes, strings field names. */
  static of(...segments: PathSegment[]): FieldPath {
    let p = FieldPath.ROOT;
    for (const s of segments) p = new FieldPath(p, s, false);
    return p;
  }

  child(name: string): FieldPath {
    return new FieldPath(this, name, false);
  }

  index(i: number): FieldPath {
    return new FieldPath(this, i, false);
  }

  key(k: string): FieldPath {
    return new FieldPath(this, k, true);
  }

  /** The steps from the root. */
  get segments(): readonly PathSegment[] {
    if (!this.cachedSegments) {
      const out: PathSegment[] = [];
      for (let p: FieldPath | undefined = this; p && p.parent; p = p.parent) out.push(p.step!);
      this.cachedSegments = out.reverse();
    }
    return this.cachedSegments;
  }

  toString(): string {
    if (!this.parent) return "";
    const head = this.parent.toString();
    const s = this.step!;
    if (typeof s === "number" || this.isKey) return `${head}[${s}]`;
    return head ? `${head}.${s}` : s;
  }
}

const LABELS: Record<FieldErrorType, string> = {
  FieldValueRequired: "Required value",
  FieldValueInvalid: "Invalid value",
  FieldValueNotSupported: "Unsupported value",
  FieldValueForbidden: "Forbidden",
  FieldValueTooLong: "Too long",
  FieldValueTooMany: "Too many",
  FieldValueDuplicate: "Duplicate value",
  FieldValueTypeInvalid: "Invalid value",
  FieldValueNotFound: "Not found",
  InternalError: "Internal error",
};

/**
 * Make a field error.
 *
 * @example
 * fieldError("FieldValueRequired", FieldPath.of("metadata", "name"), "name or generateName is required");
 */
export function fieldError(type: FieldErrorType, path: FieldPath, message: string, value?: unknown): FieldError {
  return { type, path: [...path.segments], field: path.toString(), message, ...(value !== undefined ? { value } : {}) };
}

/** Types whose printed form leaves the value out (apimachinery's `ErrorBody`). */
const VALUE_HIDDEN = new Set<FieldErrorType>(["FieldValueRequired", "FieldValueForbidden", "FieldValueTooLong", "InternalError"]);

function showValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === null || typeof value !== "object") return String(value);
  const s = JSON.stringify(value);
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

/**
 * The error as the apiserver prints it: `metadata.name: Invalid value: "Foo": a lowercase …`.
 *
 * @example
 * formatFieldError(err); // 'metadata.name: Required value: name or generateName is required'
 */
export function formatFieldError(err: FieldError): string {
  const label = LABELS[err.type];
  const field = err.field || "<root>";
  if (VALUE_HIDDEN.has(err.type) || (err.value === undefined && err.display === undefined)) {
    return `${field}: ${label}${err.message ? `: ${err.message}` : ""}`;
  }
  return `${field}: ${label}: ${err.display ?? showValue(err.value)}${err.message ? `: ${err.message}` : ""}`;
}
