/**
 * Cron schedules as the CronJob controller reads them (robfig/cron's standard parser): five fields
 * (minute, hour, day of month, month, day of week) with `*`, `?`, lists, ranges, steps and month
 * and weekday names, or `@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight`,
 * `@hourly`; day of month and day of week match either one when both are restricted. Times are
 * computed in the CronJob's `timeZone` (UTC by default, as kube-controller-manager runs).
 */

interface Field {
  values: Set<number>;
  star: boolean;
}

/** A parsed schedule. */
export interface Schedule {
  minute: Field;
  hour: Field;
  dom: Field;
  month: Field;
  dow: Field;
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

const DESCRIPTORS: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

function parseField(text: string, min: number, max: number, names: string[] | undefined, nameOffset: number): Field {
  const values = new Set<number>();
  let star = false;
  const value = (s: string): number => {
    const lower = s.toLowerCase();
    const named = names?.indexOf(lower);
    if (named !== undefined && named >= 0) return named + nameOffset;
    if (!/^\d+$/.test(s)) throw new Error(`failed to parse int from ${s}`);
    return Number(s);
  };
  for (const part of text.split(",")) {
    const [range, stepText] = part.split("/") as [string, string | undefined];
    let lo: number;
    let hi: number;
    if (range === "*" || range === "?") {
      lo = min;
      hi = max;
      if (stepText === undefined) star = true;
    } else if (range.includes("-")) {
      const [a, b] = range.split("-") as [string, string];
      lo = value(a);
      hi = value(b);
    } else {
      lo = value(range);
      hi = stepText === undefined ? lo : max;
    }
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step <= 0) throw new Error(`failed to parse int from ${stepText}`);
    if (lo < min || hi > max || lo > hi) throw new Error(`end of range (${hi}) above maximum (${max}): ${range}`);
    for (let v = lo; v <= hi; v += step) values.add(v === 7 && max === 7 ? 0 : v);
  }
  return { values, star };
}

/** Parse a schedule; throws with the parser's message on bad input. */
export function parseSchedule(spec: string): Schedule {
  const text = DESCRIPTORS[spec.trim().toLowerCase()] ?? spec.trim();
  const fields = text.split(/\s+/);
  if (fields.length !== 5) throw new Error(`expected exactly 5 fields, found ${fields.length}: ${spec}`);
  return {
    minute: parseField(fields[0]!, 0, 59, undefined, 0),
    hour: parseField(fields[1]!, 0, 23, undefined, 0),
    dom: parseField(fields[2]!, 1, 31, undefined, 0),
    month: parseField(fields[3]!, 1, 12, MONTHS, 1),
    dow: parseField(fields[4]!, 0, 7, DAYS, 0),
  };
}

interface Parts {
  minute: number;
  hour: number;
  day: number;
  month: number;
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function partsIn(ms: number, timeZone: string): Parts {
  if (timeZone === "UTC") {
    const d = new Date(ms);
    return { minute: d.getUTCMinutes(), hour: d.getUTCHours(), day: d.getUTCDate(), month: d.getUTCMonth() + 1, weekday: d.getUTCDay() };
  }
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", minute: "numeric", hour: "numeric", day: "numeric", month: "numeric", weekday: "short" });
    formatters.set(timeZone, f);
  }
  const out: Record<string, string> = {};
  for (const p of f.formatToParts(new Date(ms))) out[p.type] = p.value;
  return { minute: Number(out.minute), hour: Number(out.hour), day: Number(out.day), month: Number(out.month), weekday: DAYS.indexOf(String(out.weekday).toLowerCase().slice(0, 3)) };
}

function matches(s: Schedule, p: Parts): boolean {
  if (!s.minute.values.has(p.minute) || !s.hour.values.has(p.hour) || !s.month.values.has(p.month)) return false;
  const dom = s.dom.values.has(p.day);
  const dow = s.dow.values.has(p.weekday);
  return s.dom.star || s.dow.star ? dom && dow : dom || dow;
}

/** The first scheduled minute strictly after `after` (ms), within about five years; undefined when none. */
export function nextTime(s: Schedule, after: number, timeZone = "UTC"): number | undefined {
  let t = Math.floor(after / 60_000) * 60_000 + 60_000;
  const limit = t + 5 * 366 * 24 * 60 * 60_000;
  while (t < limit) {
    const p = partsIn(t, timeZone);
    if (!s.month.values.has(p.month) || !(s.dom.star || s.dow.star ? s.dom.values.has(p.day) && s.dow.values.has(p.weekday) : s.dom.values.has(p.day) || s.dow.values.has(p.weekday))) {
      // Skip to the next hour boundary, then minute by minute (time zones may shift by half hours).
      t += (60 - p.minute) * 60_000;
      continue;
    }
    if (!s.hour.values.has(p.hour)) {
      t += (60 - p.minute) * 60_000;
      continue;
    }
    if (matches(s, p)) return t;
    t += 60_000;
  }
  return undefined;
}

/** The most recent scheduled minute in (from, to], and how many were missed; undefined when none. */
export function mostRecent(s: Schedule, from: number, to: number, timeZone = "UTC"): { time: number; missed: number } | undefined {
  let t = nextTime(s, from, timeZone);
  if (t === undefined || t > to) return undefined;
  let missed = 0;
  let last = t;
  while (t !== undefined && t <= to && missed < 1000) {
    last = t;
    missed++;
    t = nextTime(s, t, timeZone);
  }
  return { time: last, missed };
}
