/**
 * The IP and CIDR values of CEL's ip and cidr libraries, over the one strict (`net/netip`) parser
 * and printer of `apiserver/validation/ip.ts`.
 */
import { formatAddr, parseAddrStrict, parsePrefixStrict } from "../validation/ip.js";

/**
 * An IP address as `netip.Addr` holds it: 4 bytes for IPv4, 16 for IPv6.
 *
 * @example
 * parseAddr("10.0.0.1")?.family; // 4
 */
export class IPAddr {
  constructor(
    readonly bytes: readonly number[],
    /** Written as IPv6 (also for `::ffff:a.b.c.d`). */
    readonly is6: boolean,
  ) {}

  get family(): 4 | 6 {
    return this.is6 ? 6 : 4;
  }

  /** `::ffff:a.b.c.d`. @example parseAddr("::ffff:1.2.3.4")!.is4In6(); // true */
  is4In6(): boolean {
    return this.is6 && this.bytes.slice(0, 10).every((b) => b === 0) && this.bytes[10] === 0xff && this.bytes[11] === 0xff;
  }

  isUnspecified(): boolean {
    return this.bytes.every((b) => b === 0);
  }

  isLoopback(): boolean {
    if (!this.is6) return this.bytes[0] === 127;
    return this.bytes.slice(0, 15).every((b) => b === 0) && this.bytes[15] === 1;
  }

  isMulticast(): boolean {
    return this.is6 ? this.bytes[0] === 0xff : (this.bytes[0]! & 0xf0) === 0xe0;
  }

  isLinkLocalMulticast(): boolean {
    if (!this.is6) return this.bytes[0] === 224 && this.bytes[1] === 0 && this.bytes[2] === 0;
    return this.bytes[0] === 0xff && (this.bytes[1]! & 0x0f) === 0x02;
  }

  isLinkLocalUnicast(): boolean {
    if (!this.is6) return this.bytes[0] === 169 && this.bytes[1] === 254;
    return this.bytes[0] === 0xfe && (this.bytes[1]! & 0xc0) === 0x80;
  }

  /** As `netip.Addr.IsGlobalUnicast`: private ranges count as global. */
  isGlobalUnicast(): boolean {
    if (!this.is6 && (this.isUnspecified() || this.bytes.every((b) => b === 255))) return false;
    return !this.isUnspecified() && !this.isLoopback() && !this.isMulticast() && !this.isLinkLocalUnicast();
  }

  equals(other: IPAddr): boolean {
    return this.is6 === other.is6 && this.bytes.every((b, i) => b === other.bytes[i]);
  }

  /** Go's `Addr.String()`. @example parseAddr("2001:DB8::1")!.toString(); // "2001:db8::1" */
  toString(): string {
    const bytes = new Uint8Array(16);
    bytes.set(this.is6 ? this.bytes : [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...this.bytes]);
    return formatAddr({ bytes, is6: this.is6 });
  }
}

/**
 * A prefix (`netip.Prefix`): an address and a bit count, host bits kept as written.
 *
 * @example
 * parsePrefix("10.1.0.0/16")?.contains(parseAddr("10.1.2.3")!); // true
 */
export class IPPrefix {
  constructor(
    readonly addr: IPAddr,
    readonly bits: number,
  ) {}

  contains(ip: IPAddr): boolean {
    if (ip.is6 !== this.addr.is6) return false;
    for (let bit = 0; bit < this.bits; bit++) {
      const mask = 0x80 >> (bit & 7);
      if ((this.addr.bytes[bit >> 3]! & mask) !== (ip.bytes[bit >> 3]! & mask)) return false;
    }
    return true;
  }

  masked(): IPPrefix {
    const bytes = this.addr.bytes.map((b, i) => b & ((0xff << (8 - Math.max(0, Math.min(8, this.bits - i * 8)))) & 0xff));
    return new IPPrefix(new IPAddr(bytes, this.addr.is6), this.bits);
  }

  equals(other: IPPrefix): boolean {
    return this.bits === other.bits && this.addr.equals(other.addr);
  }

  toString(): string {
    return `${this.addr.toString()}/${this.bits}`;
  }
}

function fromParsed(a: { bytes: Uint8Array; is6: boolean }): IPAddr {
  return new IPAddr(a.is6 ? [...a.bytes] : [...a.bytes.slice(12)], a.is6);
}

/**
 * Parse an address as `netip.ParseAddr` does (zones refused); undefined when it is not one.
 *
 * @example
 * parseAddr("010.0.0.1"); // undefined
 */
export function parseAddr(s: string): IPAddr | undefined {
  const a = parseAddrStrict(s);
  return a ? fromParsed(a) : undefined;
}

/**
 * Parse a prefix as `netip.ParsePrefix` does.
 *
 * @example
 * parsePrefix("10.0.0.0/33"); // undefined
 */
export function parsePrefix(s: string): IPPrefix | undefined {
  const p = parsePrefixStrict(s);
  return p ? new IPPrefix(fromParsed(p.addr), p.bits) : undefined;
}
