/**
 * The values Kubernetes' CEL libraries add (IP, CIDR, URL, quantity, semver, named formats) and
 * CEL equality and ordering over every value, as the libraries compare them.
 */
import type { IPAddr, IPPrefix } from "./ip.js";
import type { Quantity } from "./quantity.js";
import { compareTimestamps } from "./time.js";

export { CelURL } from "./url.js";

/**
 * An IP address value (`ip("10.0.0.1")`).
 *
 * @example
 * new CelIP(parseAddr("10.1.2.3")!).family; // 4
 */
export class CelIP {
  constructor(readonly addr: IPAddr) {}
  get family(): 4 | 6 {
    return this.addr.family;
  }
}

/**
 * A CIDR value (`cidr("10.0.0.0/8")`).
 *
 * @example
 * new CelCIDR(parsePrefix("10.0.0.0/8")!).prefix.bits; // 8
 */
export class CelCIDR {
  constructor(readonly prefix: IPPrefix) {}
}

/**
 * A quantity value (`quantity("1.5Gi")`).
 *
 * @example
 * new CelQuantity(parseQuantity("1Gi").value!).quantity.asInt64(); // 1073741824n
 */
export class CelQuantity {
  constructor(readonly quantity: Quantity) {}
}

/**
 * A semantic version (`semver("1.2.3")`).
 *
 * @example
 * new CelSemver(1n, 2n, 3n, []).minor; // 2n
 */
export class CelSemver {
  constructor(
    readonly major: bigint,
    readonly minor: bigint,
    readonly patch: bigint,
    readonly pre: readonly string[],
  ) {}

  compare(o: CelSemver): number {
    for (const [a, b] of [
      [this.major, o.major],
      [this.minor, o.minor],
      [this.patch, o.patch],
    ] as const) {
      if (a !== b) return a < b ? -1 : 1;
    }
    if (!this.pre.length || !o.pre.length) return this.pre.length === o.pre.length ? 0 : this.pre.length ? -1 : 1;
    for (let i = 0; i < Math.min(this.pre.length, o.pre.length); i++) {
      const a = this.pre[i]!;
      const b = o.pre[i]!;
      if (a === b) continue;
      const an = /^\d+$/.test(a);
      const bn = /^\d+$/.test(b);
      if (an && bn) return BigInt(a) < BigInt(b) ? -1 : 1;
      if (an !== bn) return an ? -1 : 1;
      return a < b ? -1 : 1;
    }
    return this.pre.length === o.pre.length ? 0 : this.pre.length < o.pre.length ? -1 : 1;
  }
}

/**
 * A named format of the format library (`format.dns1123Label()`).
 *
 * @example
 * new CelFormat("uuid", (s) => []).name; // "uuid"
 */
export class CelFormat {
  constructor(
    readonly name: string,
    readonly validate: (s: string) => string[],
  ) {}
}

const isNum = (v: unknown): v is number | bigint => typeof v === "number" || typeof v === "bigint";

/** The evaluator's uint: an object whose value is a bigint. */
export const isUint = (v: unknown): v is { valueOf(): bigint } => v !== null && typeof v === "object" && typeof (v as { valueOf(): unknown }).valueOf() === "bigint";

/**
 * CEL equality (heterogeneous numbers compare by value; lists and maps deeply).
 *
 * @example
 * celEquals(1n, 1.0); // true
 */
export function celEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isUint(a) !== isUint(b)) return celEquals(isUint(a) ? a.valueOf() : a, isUint(b) ? b.valueOf() : b);
  if (isNum(a) && isNum(b)) return Number(a) === Number(b) && (typeof a !== "bigint" || typeof b !== "bigint" || a === b);
  if (a && typeof a === "object" && b && typeof b === "object") {
    const uA = (a as { valueOf(): unknown }).valueOf();
    if (uA !== a && typeof uA === "bigint") return celEquals(uA, (b as { valueOf(): unknown }).valueOf());
    if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => celEquals(x, b[i]));
    if (a instanceof Uint8Array || b instanceof Uint8Array) return a instanceof Uint8Array && b instanceof Uint8Array && a.length === b.length && a.every((x, i) => x === b[i]);
    if (a instanceof CelQuantity && b instanceof CelQuantity) return a.quantity.compare(b.quantity) === 0;
    if (a instanceof CelIP && b instanceof CelIP) return a.addr.equals(b.addr);
    if (a instanceof CelCIDR && b instanceof CelCIDR) return a.prefix.equals(b.prefix);
    if (a instanceof CelSemver && b instanceof CelSemver) return a.compare(b) === 0;
    if (a instanceof Date && b instanceof Date) return compareTimestamps(a, b) === 0;
    if (a instanceof Map || b instanceof Map) {
      const ea = a instanceof Map ? [...a] : Object.entries(a);
      const mb = b instanceof Map ? b : new Map(Object.entries(b));
      return ea.length === mb.size && ea.every(([k, v]) => mb.has(k) && celEquals(v, mb.get(k)));
    }
    if (Object.getPrototypeOf(a) === Object.prototype && Object.getPrototypeOf(b) === Object.prototype) {
      const ka = Object.keys(a);
      const ob = b as Record<string, unknown>;
      return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(ob, k) && celEquals((a as Record<string, unknown>)[k], ob[k]));
    }
  }
  return false;
}

/**
 * Strings in code point order, as Go (and so cel-go) compares them: UTF-16 order differs where a
 * character at U+E000–U+FFFF meets one beyond U+FFFF.
 *
 * @example
 * compareStrings("\uffff", "😀"); // -1
 */
export function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (astral characters) sort after U+E000–U+FFFF in code point order.
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x < y ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/**
 * CEL ordering of two comparable values (numbers across types, strings, bools, bytes, times).
 * Throws for values that have no order.
 *
 * @example
 * celCompare(1n, 2.5); // -1
 */
export function celCompare(a: unknown, b: unknown): number {
  if (isNum(a) && isNum(b)) {
    if (typeof a === "bigint" && typeof b === "bigint") return a < b ? -1 : a > b ? 1 : 0;
    const x = Number(a);
    const y = Number(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (a instanceof Date && b instanceof Date) return compareTimestamps(a, b);
  const ua = a && typeof a === "object" ? (a as { valueOf(): unknown }).valueOf() : a;
  const ub = b && typeof b === "object" ? (b as { valueOf(): unknown }).valueOf() : b;
  if (ua !== a || ub !== b) return celCompare(ua, ub);
  if (typeof a === "string" && typeof b === "string") return compareStrings(a, b);
  if (typeof a === "boolean" && typeof b === "boolean") return a < b ? -1 : a > b ? 1 : 0;
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
    return Math.sign(a.length - b.length);
  }
  throw new Error(`no such overload: ${typeof a} < ${typeof b}`);
}
