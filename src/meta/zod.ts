/**
 * The one place that reads Zod's internals (`_zod`): a schema's definition, its checks, the values
 * of a literal or enum, whether a field may be absent. Everything else in the library goes through
 * these functions, so a change inside Zod is handled here.
 */
import * as z from "zod";

/** A schema's definition: its `type` (`object`, `array`, `optional`, …) and the members that type has. */
export type ZodDef = Record<string, unknown> & { type: string; checks?: ZodCheck[] };

/** A check attached to a schema (`min_length`, `string_format`, a refinement, …). */
export type ZodCheck = z.core.$ZodCheck<never>;

/** What a check's definition says: which check, and its parameters. */
export type ZodCheckDef = Record<string, unknown> & { check: string };

type Internals = { _zod: { def: ZodDef; values?: Set<unknown>; optin?: string } };
type CheckInternals = { _zod: { def: ZodCheckDef; check: (payload: { value: unknown; issues: unknown[] }) => void; when?: unknown } };

/**
 * The definition of a schema.
 *
 * @example
 * defOf(z.string().optional()).type; // "optional"
 */
export function defOf(schema: z.core.$ZodType): ZodDef {
  return (schema as unknown as Internals)._zod.def;
}

/**
 * Whether a value is a Zod schema.
 *
 * @example
 * isZodSchema(z.string()); // true
 */
export function isZodSchema(value: unknown): value is z.ZodType {
  // Every Zod schema carries `_zod`: asked first, it spares the traits lookup of `instanceof`.
  return (typeof value === "object" && value !== null && "_zod" in value) || value instanceof z.ZodType;
}

/**
 * The allowed values of a literal or enum schema.
 *
 * @example
 * literalValues(z.enum(["a", "b"])); // Set { "a", "b" }
 */
export function literalValues(schema: z.core.$ZodType): ReadonlySet<unknown> | undefined {
  return (schema as unknown as Internals)._zod.values;
}

/**
 * Whether an object field with this schema may be absent from the input (optional, default, …).
 *
 * @example
 * isOptionalInput(z.string().optional()); // true
 */
export function isOptionalInput(schema: z.core.$ZodType): boolean {
  return (schema as unknown as Internals)._zod.optin !== undefined;
}

/**
 * The definition of a check.
 *
 * @example
 * checkDefOf(defOf(z.string().min(2)).checks![0]!).check; // "min_length"
 */
export function checkDefOf(check: ZodCheck): ZodCheckDef {
  return (check as unknown as CheckInternals)._zod.def;
}

/**
 * Whether a check applies only under a condition (`when`).
 *
 * @example
 * isConditionalCheck(check); // false for plain checks
 */
export function isConditionalCheck(check: ZodCheck): boolean {
  return Boolean((check as unknown as CheckInternals)._zod.when);
}

/**
 * Run one check on a value; true when it passes.
 *
 * @example
 * runCheck(defOf(z.string().min(2)).checks![0]!, "a"); // false
 */
export function runCheck(check: ZodCheck, value: unknown): boolean {
  const payload = { value, issues: [] as unknown[] };
  (check as unknown as CheckInternals)._zod.check(payload);
  return payload.issues.length === 0;
}
