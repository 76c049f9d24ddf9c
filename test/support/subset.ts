/**
 * Paths where `actual` lost or changed something `expected` had (extra fields in `actual`, such as
 * defaulted apiVersion/kind, are allowed).
 */
export function lostPaths(expected: unknown, actual: unknown, path = ""): string[] {
  if (expected === null || typeof expected !== "object") {
    return Object.is(expected, actual) ? [] : [path || "(root)"];
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return [path || "(root)"];
    return expected.flatMap((e, i) => lostPaths(e, actual[i], `${path}[${i}]`));
  }
  if (actual === null || typeof actual !== "object" || Array.isArray(actual)) return [path || "(root)"];
  return Object.entries(expected).flatMap(([k, v]) => lostPaths(v, (actual as Record<string, unknown>)[k], path ? `${path}.${k}` : k));
}
