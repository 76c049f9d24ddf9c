/**
 * Timestamps and durations as cel-go bounds and reads them (common/types/timestamp.go,
 * duration.go): timestamps from year 1 to year 9999, durations within int64 nanoseconds,
 * accessors in a time zone given by IANA name or by `[+-]HH:MM` offset, a duration's
 * milliseconds as the component below the second, and timestamps to the nanosecond: the
 * evaluator's timestamps are dates, precise to the millisecond, so the nanoseconds below the
 * millisecond ride along on the date (see {@link subMillisecondNanos}).
 */

/** The evaluator's duration: whole seconds and nanoseconds of the same sign. */
export interface CelDuration {
  readonly seconds: bigint;
  readonly nanos: number;
}

/** Whether a value is the evaluator's duration. */
export const isDuration = (v: unknown): v is CelDuration =>
  v !== null && typeof v === "object" && typeof (v as { seconds?: unknown }).seconds === "bigint" && typeof (v as { nanos?: unknown }).nanos === "number";

type DurationClass = new (seconds: bigint, nanos: number) => CelDuration;

const MIN_TIMESTAMP_NANOS = -62135596800000n * 1_000_000n;
const MAX_TIMESTAMP_NANOS = 253402300799999n * 1_000_000n + 999_999n;
const MAX_DURATION_NANOS = 2n ** 63n - 1n;

const fail = (message: string): never => {
  throw new Error(message);
};

const nanosOf = (d: CelDuration): bigint => d.seconds * 1_000_000_000n + BigInt(d.nanos);

/** A duration of `nanos` nanoseconds of the evaluator's class, or an error past int64 nanoseconds. */
function durationOf(like: CelDuration, nanos: bigint): CelDuration {
  if (nanos > MAX_DURATION_NANOS || nanos < -MAX_DURATION_NANOS - 1n) fail("duration out of range");
  const Duration = like.constructor as DurationClass;
  return new Duration(nanos / 1_000_000_000n, Number(nanos % 1_000_000_000n));
}

/** The nanoseconds of a timestamp below its millisecond (0 to 999999). */
export function subMillisecondNanos(t: Date): number {
  return (t as { nanos?: number }).nanos ?? 0;
}

/** A timestamp of `nanos` nanoseconds since the epoch, in cel-go's range (0001-01-01 to 9999-12-31), or an error. */
export function timestampOf(nanos: bigint): Date {
  if (nanos < MIN_TIMESTAMP_NANOS || nanos > MAX_TIMESTAMP_NANOS) fail("timestamp out of range");
  let ms = nanos / 1_000_000n;
  let rest = nanos % 1_000_000n;
  if (rest < 0n) {
    ms -= 1n;
    rest += 1_000_000n;
  }
  const t = new Date(Number(ms));
  if (rest) Object.defineProperty(t, "nanos", { value: Number(rest) });
  return t;
}

/** A timestamp's nanoseconds since the epoch. */
export function timestampNanos(t: Date): bigint {
  return BigInt(t.getTime()) * 1_000_000n + BigInt(subMillisecondNanos(t));
}

/** `timestamp(s)` of the evaluator (precise to the millisecond) with the string's nanoseconds below the millisecond. */
export function preciseTimestamp(t: Date, s: string): Date {
  const fraction = /T\d\d:\d\d:\d\d\.(\d+)/.exec(s)?.[1];
  if (!fraction || fraction.length <= 3) return t;
  return timestampOf(BigInt(t.getTime()) * 1_000_000n + BigInt(fraction.padEnd(9, "0").slice(3, 9)));
}

/** `string(t)`: RFC 3339 in UTC with the fraction of the second to the nanosecond, trailing zeros dropped (Go's RFC3339Nano). */
export function timestampText(t: Date): string {
  const fraction = `${String(t.getUTCMilliseconds()).padStart(3, "0")}${String(subMillisecondNanos(t)).padStart(6, "0")}`.replace(/0+$/, "");
  return t.toISOString().replace(/\.\d+Z$/, fraction ? `.${fraction}Z` : "Z");
}

/** Timestamps in order, to the nanosecond. */
export function compareTimestamps(a: Date, b: Date): number {
  const d = timestampNanos(a) - timestampNanos(b);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

/** `duration(s)` of the evaluator, bounded to int64 nanoseconds. */
export function boundedDuration(d: CelDuration): CelDuration {
  return durationOf(d, nanosOf(d));
}

/** `a + b` and `a - b` of durations, bounded to int64 nanoseconds. */
export function addDurations(a: CelDuration, b: CelDuration, sign: 1n | -1n): CelDuration {
  return durationOf(a, nanosOf(a) + sign * nanosOf(b));
}

/** `t + d` and `t - d`, bounded to cel-go's timestamp range. */
export function shiftTimestamp(t: Date, d: CelDuration, sign: 1n | -1n): Date {
  return timestampOf(timestampNanos(t) + sign * nanosOf(d));
}

/** `a - b` of timestamps: a duration within int64 nanoseconds. */
export function timestampDifference(a: Date, b: Date, like: CelDuration): CelDuration {
  return durationOf(like, timestampNanos(a) - timestampNanos(b));
}

/** `d.getMilliseconds()`: the milliseconds below the second (cel-go durationGetMilliseconds). */
export function durationMilliseconds(d: CelDuration): bigint {
  return (nanosOf(d) % 1_000_000_000n) / 1_000_000n;
}

const zoneFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * A date whose UTC fields are the wall clock of `t` in the time zone `tz`: an IANA name
 * (`America/Los_Angeles`, `UTC`) or, when it has a colon, an offset of hours and minutes
 * (`+11:00`, `-09:30`, `02:00`), read as cel-go's `timeZone` reads it.
 */
export function inTimeZone(t: Date, tz: string): Date {
  const colon = tz.indexOf(":");
  if (colon >= 0) {
    const hours = Number.parseInt(tz.slice(0, colon), 10);
    const minutes = Number.parseInt(tz.slice(colon + 1), 10);
    if (!/^[+-]?\d+$/.test(tz.slice(0, colon)) || !/^\d+$/.test(tz.slice(colon + 1))) fail(`invalid time zone offset: ${tz}`);
    const offset = tz.startsWith("-") ? hours * 60 - minutes : hours * 60 + minutes;
    return new Date(t.getTime() + offset * 60_000);
  }
  let format = zoneFormats.get(tz);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat("en-US", { timeZone: tz, hourCycle: "h23", era: "short", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" });
    } catch {
      return fail(`unknown time zone ${tz}`);
    }
    zoneFormats.set(tz, format);
  }
  const parts: Record<string, string> = {};
  for (const p of format.formatToParts(t)) parts[p.type] = p.value;
  const year = parts.era === "BC" ? 1 - Number(parts.year) : Number(parts.year);
  const wall = new Date(Date.UTC(2000, Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second), t.getUTCMilliseconds()));
  wall.setUTCFullYear(year);
  return wall;
}

/** The day of the year, from 0, of a date's UTC fields. */
export function dayOfYear(d: Date): bigint {
  const start = new Date(0);
  start.setUTCFullYear(d.getUTCFullYear(), 0, 1);
  return BigInt(Math.floor((d.getTime() - start.getTime()) / 86_400_000));
}
