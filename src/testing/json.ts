/**
 * JSON of response bodies. Stored objects are immutable, so the JSON of each is computed once and
 * kept with it (GETs and watch fan-out send the same bytes many times).
 */
const serialized = new WeakMap<object, string>();

/** The JSON text of a value, cached for objects. */
export function jsonOf(value: unknown): string {
  if (typeof value !== "object" || value === null) return JSON.stringify(value);
  let text = serialized.get(value);
  if (text === undefined) {
    text = JSON.stringify(value);
    serialized.set(value, text);
  }
  return text;
}
