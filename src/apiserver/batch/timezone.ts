/**
 * Time zone names as Go's `time.LoadLocation` resolves them against the IANA database that
 * kube-apiserver embeds: canonical names and their aliases (`US/Eastern`), matched case-sensitively.
 * The IANA data comes from the runtime's ICU.
 */

const known = new Map<string, boolean>();
let canonical: Set<string> | undefined;

function canonicalNames(): Set<string> {
  canonical ??= new Set(Intl.supportedValuesOf("timeZone"));
  return canonical;
}

/**
 * Whether `time.LoadLocation` finds a zone. ICU matches names without regard to case, Go does not:
 * a name that differs from the zone ICU resolves it to only by case is refused.
 *
 * @example
 * isKnownTimeZone("Europe/Berlin"); // true
 * isKnownTimeZone("europe/berlin"); // false
 */
export function isKnownTimeZone(name: string): boolean {
  if (name === "UTC" || name === "") return true;
  const cached = known.get(name);
  if (cached !== undefined) return cached;
  let ok: boolean;
  if (canonicalNames().has(name)) ok = true;
  else {
    try {
      const resolved = new Intl.DateTimeFormat("en-US", { timeZone: name }).resolvedOptions().timeZone;
      ok = resolved === name || resolved.toLowerCase() !== name.toLowerCase();
    } catch {
      ok = false;
    }
  }
  if (known.size < 1000) known.set(name, ok);
  return ok;
}
