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
 * A path being built: segments plus which of them are map keys (written `[key]`).
 *
 * @example
 * FieldPath.of("spec").child("containers").index(0).child("name").toString(); // "spec.containers[0].name"
 */
export class FieldPath {
  private constructor(
    readonly segments: readonly PathSegment[],
    private readonly keys: readonly boolean[],
  ) {}

  /** The root path (empty). @example FieldPath.root().child("metadata").child("name").toString() // "metadata.name" */
  static root(): FieldPath {
    return new FieldPath([], []);
  }

  /** A path from segments; numbers are list indexes, strings field names. */
  static of(...segments: PathSegment[]): FieldPath {
    return new FieldPath(segments, segments.map(() => false));
  }

  child(name: string): FieldPath {
    return new FieldPath([...this.segments, name], [...this.keys, false]);
  }

  index(i: number): FieldPath {
    return new FieldPath([...this.segments, i], [...this.keys, false]);
  }

  key(k: string): FieldPath {
    return new FieldPath([...this.segments, k], [...this.keys, true]);
  }

  toString(): string {
    let out = "";
    this.segments.forEach((s, i) => {
      if (typeof s === "number") out += `[${s}]`;
      else if (this.keys[i]) out += `[${s}]`;
      else out += out ? `.${s}` : s;
    });
    return out;
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
