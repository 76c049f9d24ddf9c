/**
 * Response and request validation through the schemas, in the client's three modes.
 */
import * as z from "zod";
import { ValidationError, type RequestInfo } from "../errors.js";
import { compileValidator, safeParseKube } from "../meta/compile.js";
import { nullish, nullishOf } from "#schemas/runtime.js";
import type { ValidationMode } from "./types.js";

/** Called in `report` mode with a response that does not match its schema (it is returned as is). */
export type ValidationIssueHandler = (error: ValidationError) => void;

const lists = new WeakMap<z.ZodType, z.ZodType>();

/**
 * A list schema (`items` typed by `schema`), built once per item schema.
 *
 * @example
 * listSchemaOf(Pod).parse({ items: [{ metadata: { name: "a" } }] });
 */
export function listSchemaOf(schema: z.ZodType): z.ZodType {
  let list = lists.get(schema);
  if (!list) {
    list = z.looseObject({
      apiVersion: z.string().nullish(),
      kind: z.string().nullish(),
      // ListMeta's fields (the generated meta/v1 module is not loaded for this).
      metadata: nullishOf(z.looseObject({ continue: nullish.string, remainingItemCount: nullish.int, resourceVersion: nullish.string, selfLink: nullish.string })),
      items: z.array(schema).nullable(),
    });
    compileValidator(list);
    lists.set(schema, list);
  }
  return list;
}

/**
 * Parse a value received from the server according to the mode: `reject` throws `ValidationError`
 * (with the raw object and every issue's path), `report` hands the error to `onIssue` and returns
 * the raw value (nothing dropped), `off` returns the value untouched.
 */
export function parseReceived<T>(
  schema: z.ZodType<T>,
  value: unknown,
  mode: ValidationMode,
  request: RequestInfo | undefined,
  onIssue: ValidationIssueHandler | undefined,
): T {
  if (mode === "off") return value as T;
  const r = safeParseKube(schema, value);
  if (r.success) return r.data;
  const error = new ValidationError(r.error.issues, value, "response", undefined, request);
  if (mode === "reject") throw error;
  onIssue?.(error);
  return value as T;
}

/** Check an object before sending it (`reject` mode only). */
export function checkOutgoing(schema: z.ZodType, value: unknown, mode: ValidationMode, what: string): void {
  if (mode !== "reject") return;
  const r = schema.safeParse(value);
  if (!r.success) throw new ValidationError(r.error.issues, value, "request", what);
}
