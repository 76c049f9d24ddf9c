/**
 * Strings that outlive the text they were read from. A string sliced from a file's text can keep
 * the whole text alive; a report holds a few strings of every resource, and must not hold every file.
 */

/**
 * A copy of a string that shares nothing with the text it was sliced from (the engine's
 * internalized copy, as a property key).
 *
 * @example
 * internalized(text.slice(10, 30)); // the same characters, without `text` behind them
 */
export function internalized(s: string): string {
  const holder: Record<string, number> = {};
  holder[s] = 0;
  return Object.keys(holder)[0] ?? s;
}

const COMMON_LIMIT = 4096;
const common = new Map<string, string>();

/**
 * A detached copy of a string that repeats across resources (an apiVersion, a kind, a namespace):
 * the same copy is returned for equal strings, up to a few thousand of them.
 *
 * @example
 * const kind = detachedCommon(doc.kind); // one "Deployment" for every Deployment of a run
 */
export function detachedCommon(s: string): string {
  const known = common.get(s);
  if (known !== undefined) return known;
  const copy = internalized(s);
  if (common.size < COMMON_LIMIT) common.set(copy, copy);
  return copy;
}

/**
 * A copy of a string, made cheaply: only the copy stays behind the result, not the text the string
 * was sliced from.
 *
 * @example
 * const name = detached(doc.metadata.name);
 */
export function detached(s: string): string {
  return (s + " ").slice(0, -1);
}
