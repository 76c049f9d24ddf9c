/**
 * Timestamps and durations as cel-go bounds and reads them (common/types/timestamp.go,
 * duration.go): timestamps from year 1 to year 9999, durations within int64 nanoseconds,
 * accessors in a time zone given by IANA name or by `[+-]HH:MM` offset, and a duration's
 * milliseconds as the component below the second.
 */

/** The evaluator's duration: whole seconds and nanoseconds of the same sign. */
export interface CelDuration {
  readonly seconds: bigint;
  readonly nanos: number;
}

type DurationClass = new (seconds: bigint, nanos: number) => CelDuration;

const MIN_TIMESTAMP_MS = -62135596800000;
const MAX_TIMESTAMP_MS = 253402300799999;
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

/** A timestamp in cel-go's range (0001-01-01 to 9999-12-31), or an error. */
function checkedTimestamp(ms: number): Date {
  return Number.isNaN(ms) || ms < MIN_TIMESTAMP_MS || ms > MAX_TIMESTAMP_MS ? fail("timestamp out of range") : new Date(ms);
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
export function shiftTimestamp(t: Date, d: CelDuration, sign: 1 | -1): Date {
  return checkedTimestamp(t.getTime() + sign * (Number(d.seconds) * 1000 + Math.floor(d.nanos / 1_000_000)));
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
