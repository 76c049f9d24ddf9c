/**
 * Integer and double semantics where cel-go's differ from the evaluator's (common/types/int.go,
 * double.go, bytes.go): int64 overflow of negation, division and modulo; conversions of doubles
 * out of the int64 range; ordering of an int or uint against a double by the int's double value;
 * `string(bytes)` only of valid UTF-8.
 */
import { celEquals } from "./values.js";

const MIN_INT = -(2n ** 63n);
const TWO_63 = 2 ** 63;

const fail = (message: string): never => {
  throw new Error(message);
};

/** `-i`: the negation of the smallest int64 overflows. */
export function negateInt(i: bigint): bigint {
  return i === MIN_INT ? fail("integer overflow") : -i;
}

/** `a / b` truncated toward zero; the smallest int64 divided by -1 overflows. */
export function divideInt(a: bigint, b: bigint): bigint {
  if (b === 0n) fail("division by zero");
  return a === MIN_INT && b === -1n ? fail("integer overflow") : a / b;
}

/** `a % b` with the sign of `a`; the smallest int64 modulo -1 overflows. */
export function moduloInt(a: bigint, b: bigint): bigint {
  if (b === 0n) fail("modulus by zero");
  return a === MIN_INT && b === -1n ? fail("integer overflow") : a % b;
}

/** `int(d)`: only doubles strictly inside the int64 range convert. */
export function intOfDouble(d: number): bigint {
  return Number.isNaN(d) || d <= -TWO_63 || d >= TWO_63 ? fail("range error converting double to int") : BigInt(Math.trunc(d));
}

/** `string(b)`: bytes that are not valid UTF-8 do not convert. */
export function stringOfBytes(b: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(b);
  } catch {
    return fail("invalid UTF-8 in bytes, cannot convert to string");
  }
}

type Num = bigint | number | { valueOf(): bigint };

/** An int or uint as cel-go compares it with a double: converted to a double. */
const asDouble = (v: Num): number => Number(v.valueOf());

/** The ordering operators between an int or uint and a double, comparing doubles. */
export const mixedOrdering: ReadonlyArray<readonly [string, (a: Num, b: Num) => boolean]> = (["int", "uint"] as const).flatMap((t) => [
  [`${t} < double: bool`, (a: Num, b: Num) => asDouble(a) < asDouble(b)],
  [`${t} <= double: bool`, (a: Num, b: Num) => asDouble(a) <= asDouble(b)],
  [`${t} > double: bool`, (a: Num, b: Num) => asDouble(a) > asDouble(b)],
  [`${t} >= double: bool`, (a: Num, b: Num) => asDouble(a) >= asDouble(b)],
  [`double < ${t}: bool`, (a: Num, b: Num) => asDouble(a) < asDouble(b)],
  [`double <= ${t}: bool`, (a: Num, b: Num) => asDouble(a) <= asDouble(b)],
  [`double > ${t}: bool`, (a: Num, b: Num) => asDouble(a) > asDouble(b)],
  [`double >= ${t}: bool`, (a: Num, b: Num) => asDouble(a) >= asDouble(b)],
] as const);

/** `v in list`: membership by CEL equality, numbers of different types included (`3u in [3]`). */
export function inList(v: unknown, list: Iterable<unknown>): boolean {
  for (const x of list) if (celEquals(v, x)) return true;
  return false;
}
