/**
 * CronJob schedules as kube-apiserver checks them: `cron.ParseStandard` of github.com/robfig/cron/v3
 * (five fields, names for months and weekdays, `*`/`?`, ranges, steps, `@hourly`-style descriptors,
 * `@every <duration>` and a leading `TZ=`/`CRON_TZ=`), with the parser's own error texts, and Go's
 * `time.ParseDuration` and `strconv.Atoi` beneath it.
 */
import { isKnownTimeZone } from "./timezone.js";

interface Bounds {
  min: number;
  max: number;
  names?: Readonly<Record<string, number>>;
}

const MONTHS: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const DAYS: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const FIELDS: readonly Bounds[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: MONTHS },
  { min: 0, max: 6, names: DAYS },
];
const DESCRIPTORS = new Set(["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"]);
const INT64_MAX = 9223372036854775807n;

const ATOI_SYNTAX = /^[+-]?\d+$/;

/** `strconv.Atoi`, with its error text. */
export function atoi(s: string): { value: number } | { error: string } {
  if (!ATOI_SYNTAX.test(s)) return { error: `strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax` };
  // Fifteen digits or fewer are exact in a double (`|| 0` reads "-0" as BigInt does).
  if (s.length <= 15) return { value: Number(s) || 0 };
  const n = BigInt(s);
  if (n > INT64_MAX || n < -INT64_MAX - 1n) return { error: `strconv.Atoi: parsing ${JSON.stringify(s)}: value out of range` };
  return { value: Number(n) };
}

function mustParseInt(expr: string): number {
  const r = atoi(expr);
  if ("error" in r) throw new Error(`failed to parse int from ${expr}: ${r.error}`);
  if (r.value < 0) throw new Error(`negative number (${r.value}) not allowed: ${expr}`);
  return r.value;
}

function parseIntOrName(expr: string, names: Readonly<Record<string, number>> | undefined): number {
  const named = names?.[expr.toLowerCase()];
  return named !== undefined && Object.hasOwn(names!, expr.toLowerCase()) ? named : mustParseInt(expr);
}

/** `getRange`: `number | number "-" number [ "/" number ]`, or `*`/`?`. */
function checkRange(expr: string, r: Bounds): void {
  const rangeAndStep = expr.split("/");
  const lowAndHigh = rangeAndStep[0]!.split("-");
  const singleDigit = lowAndHigh.length === 1;
  let start: number;
  let end: number;
  if (lowAndHigh[0] === "*" || lowAndHigh[0] === "?") {
    start = r.min;
    end = r.max;
  } else {
    start = parseIntOrName(lowAndHigh[0]!, r.names);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = parseIntOrName(lowAndHigh[1]!, r.names);
    else throw new Error(`too many hyphens: ${expr}`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = mustParseInt(rangeAndStep[1]!);
    if (singleDigit) end = r.max;
  } else if (rangeAndStep.length > 2) throw new Error(`too many slashes: ${expr}`);
  if (start < r.min) throw new Error(`beginning of range (${start}) below minimum (${r.min}): ${expr}`);
  if (end > r.max) throw new Error(`end of range (${end}) above maximum (${r.max}): ${expr}`);
  if (start > end) throw new Error(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new Error(`step of range should be a positive number: ${expr}`);
}

const UNITS = new Set(["ns", "us", "µs", "μs", "ms", "s", "m", "h"]);

/**
 * The error `time.ParseDuration` gives, or undefined for a valid duration (`1h30m`, `-1.5s`, `0`).
 *
 * @example
 * parseDurationError("10"); // 'time: missing unit in duration "10"'
 */
export function parseDurationError(s: string): string | undefined {
  const quoted = JSON.stringify(s);
  let rest = s;
  if (rest.startsWith("-") || rest.startsWith("+")) rest = rest.slice(1);
  if (rest === "0") return undefined;
  if (rest === "") return `time: invalid duration ${quoted}`;
  while (rest !== "") {
    const num = /^(\d*)(?:\.(\d*))?/.exec(rest)!;
    if (num[0] === "" || num[0] === ".") return `time: invalid duration ${quoted}`;
    rest = rest.slice(num[0].length);
    const unit = /^[^\d.]*/.exec(rest)![0];
    if (unit === "") return `time: missing unit in duration ${quoted}`;
    if (!UNITS.has(unit)) return `time: unknown unit ${JSON.stringify(unit)} in duration ${quoted}`;
    rest = rest.slice(unit.length);
  }
  return undefined;
}

/**
 * The error `cron.ParseStandard` returns for a schedule, or undefined when it parses.
 *
 * @example
 * cronScheduleError("0 * * *"); // "expected exactly 5 fields, found 4: [0 * * *]"
 * cronScheduleError("@every 1h30m"); // undefined
 */
export function cronScheduleError(schedule: string): string | undefined {
  if (schedule.length === 0) return "empty spec string";
  let spec = schedule;
  if (spec.startsWith("TZ=") || spec.startsWith("CRON_TZ=")) {
    const i = spec.indexOf(" ");
    const eq = spec.indexOf("=");
    // The parser slices up to the first space; with none it fails on its own (kube-apiserver answers
    // such a schedule with its TZ error anyway).
    if (i < eq) return undefined;
    const tz = spec.slice(eq + 1, i);
    if (!isKnownTimeZone(tz)) return `provided bad location ${tz}: unknown time zone ${tz}`;
    spec = spec.slice(i).trim();
  }
  if (spec.startsWith("@")) {
    if (DESCRIPTORS.has(spec)) return undefined;
    if (spec.startsWith("@every ")) {
      const err = parseDurationError(spec.slice("@every ".length));
      return err ? `failed to parse duration ${spec}: ${err}` : undefined;
    }
    return `unrecognized descriptor: ${spec}`;
  }
  const fields = spec.split(/[ \t\n\r\v\f]+/).filter((f) => f !== "");
  if (fields.length !== 5) return `expected exactly 5 fields, found ${fields.length}: [${fields.join(" ")}]`;
  try {
    fields.forEach((f, i) => {
      for (const expr of f.split(",").filter((e) => e !== "")) checkRange(expr, FIELDS[i]!);
    });
  } catch (e) {
    return (e as Error).message;
  }
  return undefined;
}
