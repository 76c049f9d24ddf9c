/**
 * The quantity values of CEL's quantity library: parsed by the one `resource.Quantity`
 * implementation (`apiserver/validation/quantity.ts`), with the library's exact arithmetic and
 * `resource.ParseQuantity`'s error texts.
 */
import { Quantity as ApiQuantity } from "../validation/quantity.js";

/** `resource.ErrFormatWrong`. */
const FORMAT_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
/** The shape `ErrFormatWrong` names: what has it but is no quantity fails on its suffix. */
const SHAPE = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;

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

  private align(other: Quantity): [bigint, bigint, number] {
    const exp = Math.min(this.exp, other.exp);
    return [this.digits * 10n ** BigInt(this.exp - exp), other.digits * 10n ** BigInt(other.exp - exp), exp];
  }

  compare(other: Quantity): number {
    const [a, b] = this.align(other);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  add(other: Quantity): Quantity {
    const [a, b, exp] = this.align(other);
    return new Quantity(a + b, exp);
  }

  sub(other: Quantity): Quantity {
    const [a, b, exp] = this.align(other);
    return new Quantity(a - b, exp);
  }

  mul(n: bigint): Quantity {
    return new Quantity(this.digits * n, this.exp);
  }

  /** The quotient rounded half up at `scale` decimals (`QuoRound`), or truncated (`QuoIntegerDivision`). */
  div(n: bigint, scale: number, truncate = false): Quantity {
    if (n === 0n) throw new RangeError("division by zero error");
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

  sign(): number {
    return this.digits > 0n ? 1 : this.digits < 0n ? -1 : 0;
  }

  /** The value as an int64 when whole and in range (`AsInt64`). */
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

  asApproximateFloat(): number {
    return Number(`${this.digits}e${this.exp}`);
  }
}

/**
 * Parse a quantity; the error is `resource.ParseQuantity`'s text.
 *
 * @example
 * parseQuantity("10Mm").error; // "unable to parse quantity's suffix"
 */
export function parseQuantity(text: string): { value?: Quantity; error?: string } {
  const q = ApiQuantity.parse(text);
  if (q) return { value: new Quantity(q.digits, q.exp) };
  return { error: SHAPE.test(text) ? "unable to parse quantity's suffix" : FORMAT_ERROR };
}

/** An integer as a quantity. @example quantityOfInt(3n).asInt64(); // 3n */
export function quantityOfInt(n: bigint): Quantity {
  return new Quantity(n, 0);
}
