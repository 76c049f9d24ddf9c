/**
 * `resource.Quantity` as k8s.io/apimachinery has it: exact decimal values, parsed with the same
 * grammar, rounded up to nano units, compared exactly, and printed in canonical form (`1500m` →
 * `1500m`, `2048Ki` → `2Mi`, `1000` → `1k`), which is how quantities appear in error messages.
 */

/** How a quantity was written, which decides how it prints. */
export type QuantityFormat = "DecimalSI" | "BinarySI" | "DecimalExponent";

const GRAMMAR = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:([KMGTPE]i)|([numkMGTPE])|[eE]([+-]?\d+))?$/;
const DECIMAL_SUFFIX: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIX: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const DECIMAL_BY_EXP = new Map(Object.entries(DECIMAL_SUFFIX).map(([s, e]) => [e, s]));
const BINARY_BY_POWER = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];
/** Quantities parsed lately, by their text (short texts only; cleared when full). */
const PARSED = new Map<string, Quantity | undefined>();
const PARSED_MAX = 4096;
/** The powers of ten a double holds exactly (10⁰ … 10²²). */
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];
/** The smallest unit a quantity keeps: values are rounded up to 10⁻⁹. */
const NANO = -9;

/**
 * An exact quantity: `digits × 10^exp`.
 *
 * @example
 * Quantity.parse("1.5Gi")?.toString(); // "1536Mi"
 * Quantity.parse("500m")!.cmp(Quantity.parse("1")!); // -1
 */
export class Quantity {
  /** The canonical text, worked out once (parsed quantities are shared, so it is asked for again and again). */
  private text?: string;
  /** The last `scaledValue` worked out, and its scale. */
  private scaled?: bigint;
  private scale?: number;

  private constructor(
    readonly digits: bigint,
    readonly exp: number,
    readonly format: QuantityFormat,
  ) {}

  /** Parse a quantity (`250m`, `1.5Gi`, `1e3`); undefined when it is not one. @example Quantity.parse("2Gi") */
  static parse(text: string): Quantity | undefined {
    // Manifests write the same few quantities over and over ("100m", "256Mi"): a quantity is
    // immutable, so one parse serves them all.
    if (text.length > 64) return Quantity.parseText(text);
    let q = PARSED.get(text);
    if (q === undefined && !PARSED.has(text)) {
      q = Quantity.parseText(text);
      if (PARSED.size >= PARSED_MAX) PARSED.clear();
      PARSED.set(text, q);
    }
    return q;
  }

  private static parseText(text: string): Quantity | undefined {
    const m = GRAMMAR.exec(text);
    if (!m) return undefined;
    const [, sign, num, bin, dec, e] = m;
    const [int = "", frac = ""] = num!.split(".");
    let digits = BigInt(`${int}${frac}` || "0");
    let exp = -frac.length;
    let format: QuantityFormat = "DecimalSI";
    if (bin) {
      digits *= 1024n ** BigInt(BINARY_SUFFIX[bin]!);
      format = "BinarySI";
    } else if (dec !== undefined) exp += DECIMAL_SUFFIX[dec]!;
    else if (e !== undefined) {
      exp += Number(e);
      format = "DecimalExponent";
    }
    if (sign === "-") digits = -digits;
    return Quantity.rounded(digits, exp, format);
  }

  /** A quantity from a JSON value as the API carries it (a string, or a number). @example Quantity.from(1)?.toString() // "1" */
  static from(value: unknown): Quantity | undefined {
    if (typeof value === "string") return Quantity.parse(value);
    if (typeof value === "number" && Number.isFinite(value)) return Quantity.parse(String(value).replace("e+", "e"));
    return undefined;
  }

  /** An integer quantity. @example Quantity.ofInt(3, "DecimalSI").toString() // "3" */
  static ofInt(n: number | bigint, format: QuantityFormat = "DecimalSI"): Quantity {
    return new Quantity(BigInt(n), 0, format);
  }

  private static rounded(digits: bigint, exp: number, format: QuantityFormat): Quantity {
    if (exp >= NANO) return new Quantity(digits, exp, format);
    const div = 10n ** BigInt(NANO - exp);
    let q = digits / div;
    if (digits % div !== 0n && digits > 0n) q += 1n; // round up, away from zero for positives, as Go's Ceil
    return new Quantity(q, NANO, format);
  }

  /** -1, 0 or 1 as this is below, equal to or above `other`. @example Quantity.parse("1")!.cmp(Quantity.parse("1000m")!) // 0 */
  cmp(other: Quantity): -1 | 0 | 1 {
    if (this.exp === other.exp) return this.digits < other.digits ? -1 : this.digits > other.digits ? 1 : 0;
    const exp = Math.min(this.exp, other.exp);
    // In doubles when both sides are exact there (safe integers before and after scaling by an
    // exact power of ten): no BigInt arithmetic.
    const da = Number(this.digits);
    const db = Number(other.digits);
    const pa = POW10[this.exp - exp];
    const pb = POW10[other.exp - exp];
    if (pa !== undefined && pb !== undefined && Number.isSafeInteger(da) && Number.isSafeInteger(db)) {
      const x = da * pa;
      const y = db * pb;
      if (Number.isSafeInteger(x) && Number.isSafeInteger(y)) return x < y ? -1 : x > y ? 1 : 0;
    }
    const a = this.digits * 10n ** BigInt(this.exp - exp);
    const b = other.digits * 10n ** BigInt(other.exp - exp);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  /**
   * The sum, as `Quantity.Add` makes it: in this quantity's format, or the other's when this one is zero.
   *
   * @example
   * Quantity.parse("100m")!.add(Quantity.parse("1")!).toString(); // "1100m"
   */
  add(other: Quantity): Quantity {
    const exp = Math.min(this.exp, other.exp);
    const a = this.digits * 10n ** BigInt(this.exp - exp);
    const b = other.digits * 10n ** BigInt(other.exp - exp);
    return new Quantity(a + b, exp, this.digits === 0n ? other.format : this.format);
  }

  /** The difference, as `Quantity.Sub` makes it. @example Quantity.parse("1")!.sub(Quantity.parse("250m")!).toString() // "750m" */
  sub(other: Quantity): Quantity {
    return this.add(new Quantity(-other.digits, other.exp, other.format));
  }

  /** -1, 0 or 1. @example Quantity.parse("-1")!.sign() // -1 */
  sign(): -1 | 0 | 1 {
    return this.digits < 0n ? -1 : this.digits > 0n ? 1 : 0;
  }

  isZero(): boolean {
    return this.digits === 0n;
  }

  /** The value in units of 10^scale, rounded up, as `ScaledValue` (`milliValue` is scale -3). @example Quantity.parse("1.5")!.scaledValue(-3) // 1500n */
  scaledValue(scale: number): bigint {
    // Parsed quantities are shared, and the same scale is asked for again and again (milli-units).
    if (this.scaled !== undefined && this.scale === scale) return this.scaled;
    this.scale = scale;
    return (this.scaled = this.scaledUncached(scale));
  }

  private scaledUncached(scale: number): bigint {
    if (this.exp >= scale) return this.digits * 10n ** BigInt(this.exp - scale);
    const div = 10n ** BigInt(scale - this.exp);
    const q = this.digits / div;
    return this.digits % div !== 0n && this.digits > 0n ? q + 1n : q;
  }

  /** Whether the value is a whole number. @example Quantity.parse("1500m")!.isInteger() // false */
  isInteger(): boolean {
    return this.exp >= 0 || this.digits % 10n ** BigInt(-this.exp) === 0n;
  }

  /** The canonical form, as `Quantity.String()` prints it. @example Quantity.parse("2048Ki")!.toString() // "2Mi" */
  toString(): string {
    return (this.text ??= this.canonical());
  }

  private canonical(): string {
    if (this.digits === 0n) return "0";
    let format = this.format;
    if (format === "BinarySI") {
      const small = this.cmp(MINUS_1024) > 0 && this.cmp(PLUS_1024) < 0;
      if (small || !this.isInteger()) format = "DecimalSI";
    }
    if (format === "BinarySI") {
      let n = this.scaledValue(0);
      let power = 0;
      while (power < 6 && n !== 0n && n % 1024n === 0n) {
        n /= 1024n;
        power++;
      }
      return `${n}${BINARY_BY_POWER[power]}`;
    }
    let n = this.digits;
    let exp = this.exp;
    while (n % 10n === 0n) {
      n /= 10n;
      exp++;
    }
    const r = ((exp % 3) + 3) % 3;
    if (r !== 0) {
      n *= 10n ** BigInt(r);
      exp -= r;
    }
    if (format === "DecimalExponent") return exp === 0 ? `${n}` : `${n}e${exp}`;
    const suffix = DECIMAL_BY_EXP.get(exp);
    return suffix === undefined ? `${n}e${exp}` : `${n}${suffix}`;
  }
}

const MINUS_1024 = Quantity.ofInt(-1024);
const PLUS_1024 = Quantity.ofInt(1024);
