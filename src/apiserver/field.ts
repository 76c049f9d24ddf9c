/**
 * apimachinery's `field` package: the constructors validation code uses (`field.Required`,
 * `field.Invalid`, `field.NotSupported`, …), producing errors that print as kube-apiserver prints
 * them. Paths are {@link FieldPath}s (`root.child("spec").index(0)`).
 */
import { fieldError, FieldPath, type FieldError } from "../meta/field-errors.js";

export { FieldPath, type FieldError };

/** `field.Required`: `spec.containers[0].image: Required value`. @example required(FieldPath.of("spec", "image"), "") */
export function required(path: FieldPath, detail = ""): FieldError {
  return fieldError("FieldValueRequired", path, detail);
}

/**
 * `field.Invalid`: the bad value and why. `display` is the value as Go prints it where that differs
 * from JSON (`map[string]string{"app":"web"}`).
 *
 * @example
 * invalid(FieldPath.of("spec", "replicas"), -1, "must be greater than or equal to 0");
 */
export function invalid(path: FieldPath, value: unknown, detail: string, display?: string): FieldError {
  return withDisplay(fieldError("FieldValueInvalid", path, detail, value ?? null), display);
}

/**
 * `field.NotSupported`: `Unsupported value: "udp": supported values: "SCTP", "TCP", "UDP"`.
 *
 * @example
 * notSupported(FieldPath.of("protocol"), "udp", ["SCTP", "TCP", "UDP"]);
 */
export function notSupported(path: FieldPath, value: unknown, supported: readonly string[]): FieldError {
  const detail = supported.length ? `supported values: ${supported.map((v) => goQuote(v)).join(", ")}` : "";
  return fieldError("FieldValueNotSupported", path, detail, value ?? null);
}

/** `field.Forbidden`. @example forbidden(FieldPath.of("spec", "nodeName"), "may not be set on create") */
export function forbidden(path: FieldPath, detail: string): FieldError {
  return fieldError("FieldValueForbidden", path, detail);
}

/** `field.Duplicate`. @example duplicate(FieldPath.of("spec", "ports").index(1).child("name"), "http") */
export function duplicate(path: FieldPath, value: unknown, display?: string): FieldError {
  return withDisplay(fieldError("FieldValueDuplicate", path, "", value ?? null), display);
}

/** `field.NotFound`. @example notFound(FieldPath.of("spec", "volumes"), "data") */
export function notFound(path: FieldPath, value: unknown): FieldError {
  return fieldError("FieldValueNotFound", path, "", value ?? null);
}

/**
 * `field.TooLong`: the value is left out of the message. The wording changed in 1.32
 * (`must have at most N bytes` → `may not be more than N bytes`, "byte" for 1; kubernetes#128553).
 *
 * @example
 * tooLong(FieldPath.of("metadata", "annotations"), undefined, 262144, 36);
 */
export function tooLong(path: FieldPath, value: unknown, max: number, minor: number): FieldError {
  const detail = minor >= 32 ? `may not be more than ${max} ${max === 1 ? "byte" : "bytes"}` : `must have at most ${max} bytes`;
  return fieldError("FieldValueTooLong", path, detail, value);
}

/** `field.TooMany`: `Too many: 5: must have at most 4 items`. @example tooMany(FieldPath.of("items"), 5, 4) */
export function tooMany(path: FieldPath, actual: number, max: number): FieldError {
  return fieldError("FieldValueTooMany", path, max >= 0 ? `must have at most ${max} items` : "has too many items", actual >= 0 ? actual : undefined);
}

/** `field.TypeInvalid`. @example typeInvalid(FieldPath.of("spec", "replicas"), "3", "must be an integer") */
export function typeInvalid(path: FieldPath, value: unknown, detail: string): FieldError {
  return fieldError("FieldValueTypeInvalid", path, detail, value ?? null);
}

/** `field.InternalError`. @example internalError(FieldPath.root(), "no schema") */
export function internalError(path: FieldPath, detail: string): FieldError {
  return fieldError("InternalError", path, detail);
}

/** A string quoted as Go's `strconv.Quote` quotes it (printable Unicode kept, the rest escaped). */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

function withDisplay(err: FieldError, display: string | undefined): FieldError {
  if (display !== undefined) err.display = display;
  return err;
}
