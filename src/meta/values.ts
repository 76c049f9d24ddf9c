/**
 * Small helpers for plain JSON-like values, shared inside the library (not part of its API).
 */

/**
 * True for a plain object (not an array, not null).
 *
 * @example
 * isRecord({ a: 1 }); // true
 */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Set a member as an own data property, so that a `__proto__` key stays data (as `JSON.parse`
 * makes it) and never replaces the prototype.
 *
 * @example
 * setOwn(out, "__proto__", { polluted: true }); // out.__proto__ is an own property
 */
export function setOwn(o: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  else o[key] = value;
}
