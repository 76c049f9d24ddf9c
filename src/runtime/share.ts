/**
 * Structural sharing between an object's cached version and its next one: every part of the next
 * version that equals the same part of the cached one (same values, same key order) is replaced by
 * the cached part. Values stay exactly as received; only identity changes, so the parts an update
 * did not touch are held once, and the freshly decoded copies die young instead of being promoted
 * and collected later (an informer's updates mostly touch `status` and `resourceVersion`).
 */

const objectProto = Object.prototype;

/** A plain object as `JSON.parse` makes it (arrays are handled apart). */
function plain(v: object): boolean {
  return Object.getPrototypeOf(v) === objectProto;
}

/**
 * `next`, with each of its parts deep-equal to the same place in `prev` replaced by `prev`'s part;
 * `prev` itself when the two are deep-equal. Changes `next` in place (every replacement is a value
 * equal to the one it replaces); a part that cannot be changed (a frozen object) is kept as is.
 * Only plain objects and arrays are walked; anything else is equal only when identical.
 */
export function shareUnchanged<T>(prev: unknown, next: T): T {
  try {
    return share(prev, next) as T;
  } catch {
    // A frozen or otherwise read-only part: whatever was replaced so far holds equal values.
    return next;
  }
}

function share(prev: unknown, next: unknown): unknown {
  if (prev === next) return prev;
  if (typeof next !== "object" || next === null || typeof prev !== "object" || prev === null) return next;
  // Primitive members are compared in the loops (no call for most of an object's values).
  if (Array.isArray(next)) {
    if (!Array.isArray(prev)) return next;
    const n = next.length;
    let same = n === prev.length;
    const common = Math.min(n, prev.length);
    for (let i = 0; i < common; i++) {
      const was = next[i] as unknown;
      const before = prev[i] as unknown;
      if (was === before) continue;
      if (typeof was !== "object" || was === null) {
        same = false;
        continue;
      }
      const s = share(before, was);
      if (s !== was) next[i] = s;
      if (s !== before) same = false;
    }
    return same ? prev : next;
  }
  if (Array.isArray(prev) || !plain(next) || !plain(prev)) return next;
  const p = prev as Record<string, unknown>;
  const o = next as Record<string, unknown>;
  const prevKeys = Object.keys(p);
  let same = true;
  let i = 0;
  for (const k in o) {
    if (prevKeys[i++] !== k) {
      same = false;
      if (!Object.hasOwn(p, k)) continue;
    }
    const was = o[k];
    const before = p[k];
    if (was === before) continue;
    if (typeof was !== "object" || was === null) {
      same = false;
      continue;
    }
    const s = share(before, was);
    if (s !== was) o[k] = s;
    if (s !== before) same = false;
  }
  return same && i === prevKeys.length ? prev : next;
}
