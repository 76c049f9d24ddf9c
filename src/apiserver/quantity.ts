/**
 * Kubernetes quantities (`250m`, `1.5Gi`, `1e3`) as apimachinery's `resource.ParseQuantity` reads
 * them, held exactly (`digits × 10^exp`), with its comparisons and arithmetic. One implementation
 * for native validation and for CEL's quantity library.
 */

/** `resource.ErrFormatWrong`. */
export const QUANTITY_FORMAT_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
/** `resource.ErrNumeric`. */
export const QUANTITY_NUMERIC_ERROR = "unable to parse numeric part of quantity";
/** `resource.ErrSuffix`. */
export const QUANTITY_SUFFIX_ERROR = "unable to parse quantity's suffix";

/**
 * An exact quantity: `digits × 10^exp`.
 *
 * @example
 * parseQuantity("1.5Gi").value!.compare(parseQuantity("1536Mi").value!); // 0
 */
export class Quantity {
  constructor(
    readonly digits: bigint,
    readonly exp: number,
  ) {}

  /** -1, 0 or 1. @example parseQuantity("50M").value!.compare(parseQuantity("50Mi").value!); // -1 */
  compare(other: Quantity): number {
    const [a, b] = align(this, other);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  /** The sum. @example parseQuantity("1").value!.add(parseQuantity("2").value!) */
  add(other: Quantity): Quantity {
    const [a, b, exp] = align(this, other);
    return new Quantity(a + b, exp);
  }

  /** The difference. @example parseQuantity("1").value!.sub(parseQuantity("2").value!) */
  sub(other: Quantity): Quantity {
    const [a, b, exp] = align(this, other);
    return new Quantity(a - b, exp);
  }

  /** The product with an integer. @example parseQuantity("50k").value!.mul(2n) */
  mul(n: bigint): Quantity {
    return new Quantity(this.digits * n, this.exp);
  }

  /**
   * The quotient by an integer rounded half up at `scale` decimal places (`QuoRound`);
   * `integer` truncates to a whole number (`QuoIntegerDivision`).
   *
   * @example
   * parseQuantity("10000").value!.div(3n, 0).asInt64(); // 3333n
   */
  div(n: bigint, scale: number, truncate = false): Quantity {
    if (n === 0n) throw new RangeError("division by zero error");
    // value = digits·10^exp / n, expressed with `scale` decimals: digits·10^(exp+scale) / n
    const shift = this.exp + scale;
    let num = this.digits;
    let den = n;
    if (shift >= 0) num *= 10n ** BigInt(shift);
    else den *= 10n ** BigInt(-shift);
    const negative = num < 0n !== den < 0n;
    const an = num < 0n ? -num : num;
    const ad = den < 0n ? -den : den;
    let q = an / ad;
    if (!truncate && (an % ad) * 2n >= ad) q += 1n;
    return new Quantity(negative ? -q : q, -scale);
  }

  /** 1, 0 or -1. @example parseQuantity("-1").value!.sign(); // -1 */
  sign(): number {
    return this.digits > 0n ? 1 : this.digits < 0n ? -1 : 0;
  }

  /** The value as an int64 when it is a whole number in range, else undefined (`AsInt64`). @example parseQuantity("50k").value!.asInt64(); // 50000n */
  asInt64(): bigint | undefined {
    let v: bigint;
    if (this.exp >= 0) v = this.digits * 10n ** BigInt(this.exp);
    else {
      const div = 10n ** BigInt(-this.exp);
      if (this.digits % div !== 0n) return undefined;
      v = this.digits / div;
    }
    return v >= -(2n ** 63n) && v < 2n ** 63n ? v : undefined;
  }

  /** `AsApproximateFloat64`. @example parseQuantity("50.703k").value!.asApproximateFloat(); // 50703 */
  asApproximateFloat(): number {
    return Number(`${this.digits}e${this.exp}`);
  }

  /** The value in milli-units, rounded up (`MilliValue`). @example parseQuantity("250m").value!.milliValue(); // 250n */
  milliValue(): bigint {
    return this.scaledValue(-3);
  }

  /** The value in units of 10^scale, rounded up (`ScaledValue`). @example parseQuantity("1.5").value!.scaledValue(0); // 2n */
  scaledValue(scale: number): bigint {
    const shift = this.exp - scale;
    if (shift >= 0) return this.digits * 10n ** BigInt(shift);
    const div = 10n ** BigInt(-shift);
    const q = this.digits / div;
    return this.digits % div !== 0n && this.digits > 0n ? q + 1n : q;
  }
}

function align(a: Quantity, b: Quantity): [bigint, bigint, number] {
  const exp = Math.min(a.exp, b.exp);
  return [a.digits * 10n ** BigInt(a.exp - exp), b.digits * 10n ** BigInt(b.exp - exp), exp];
}

const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const SUFFIX_CHARS = "eEinumkKMGTP";

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9";

/**
 * Parse a quantity exactly as `resource.ParseQuantity` does; the error is its error text.
 *
 * @example
 * parseQuantity("10Mm").error; // "unable to parse quantity's suffix"
 */
export function parseQuantity(str: string): { value?: Quantity; error?: string } {
  if (!str) return { error: QUANTITY_FORMAT_ERROR };
  let pos = 0;
  const end = str.length;
  let negative = false;
  if (str[0] === "-") {
    negative = true;
    pos++;
  } else if (str[0] === "+") pos++;
  const numStart = pos;
  while (pos < end && isDigit(str[pos])) pos++;
  const num = str.slice(numStart, pos);
  let denom = "";
  if (pos < end && str[pos] === ".") {
    pos++;
    const d = pos;
    while (pos < end && isDigit(str[pos])) pos++;
    denom = str.slice(d, pos);
  }
  const value = str.slice(0, pos);
  const suffixStart = pos;
  while (pos < end && SUFFIX_CHARS.includes(str[pos]!)) pos++;
  if (pos < end && (str[pos] === "-" || str[pos] === "+")) pos++;
  while (pos < end && isDigit(str[pos])) pos++;
  if (pos < end) return { error: QUANTITY_FORMAT_ERROR };
  const suffix = str.slice(suffixStart);
  if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(value)) return { error: QUANTITY_NUMERIC_ERROR };
  let digits = BigInt(`${num}${denom}` || "0");
  let exp = -denom.length;
  if (Object.hasOwn(DECIMAL, suffix)) exp += DECIMAL[suffix]!;
  else if (Object.hasOwn(BINARY, suffix)) digits *= 2n ** BigInt(BINARY[suffix]!);
  else if (suffix.length > 1 && (suffix[0] === "e" || suffix[0] === "E") && /^[+-]?\d+$/.test(suffix.slice(1))) {
    const e = Number(suffix.slice(1));
    if (!Number.isSafeInteger(e) || Math.abs(e) > 1_000_000) return { error: QUANTITY_SUFFIX_ERROR };
    exp += e;
  } else return { error: QUANTITY_SUFFIX_ERROR };
  return { value: new Quantity(negative ? -digits : digits, exp) };
}

/**
 * A quantity from a manifest value: a string, or a number (YAML `cpu: 1`).
 *
 * @example
 * quantityOf(1)?.asInt64(); // 1n
 */
export function quantityOf(v: unknown): Quantity | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? parseQuantity(String(v)).value : undefined;
  return typeof v === "string" ? parseQuantity(v).value : undefined;
}
