/**
 * IP addresses and prefixes as Go's `net/netip` reads and prints them (no leading zeros in IPv4,
 * RFC 5952 text for IPv6, zones kept apart): one implementation for native validation and for
 * CEL's ip and cidr libraries.
 */

/**
 * An IP address: 4 or 16 bytes, with its zone (`fe80::1%eth0`) if one was written.
 *
 * @example
 * parseAddr("10.0.0.1")?.family; // 4
 */
export class IPAddr {
  constructor(
    readonly bytes: readonly number[],
    readonly zone = "",
  ) {}

  get family(): 4 | 6 {
    return this.bytes.length === 4 ? 4 : 6;
  }

  /** `::ffff:a.b.c.d`. @example parseAddr("::ffff:1.2.3.4")!.is4In6(); // true */
  is4In6(): boolean {
    return this.bytes.length === 16 && this.bytes.slice(0, 10).every((b) => b === 0) && this.bytes[10] === 0xff && this.bytes[11] === 0xff;
  }

  isUnspecified(): boolean {
    return this.bytes.every((b) => b === 0);
  }

  isLoopback(): boolean {
    if (this.family === 4) return this.bytes[0] === 127;
    return this.bytes.slice(0, 15).every((b) => b === 0) && this.bytes[15] === 1;
  }

  isMulticast(): boolean {
    return this.family === 4 ? (this.bytes[0]! & 0xf0) === 0xe0 : this.bytes[0] === 0xff;
  }

  isLinkLocalMulticast(): boolean {
    if (this.family === 4) return this.bytes[0] === 224 && this.bytes[1] === 0 && this.bytes[2] === 0;
    return this.bytes[0] === 0xff && (this.bytes[1]! & 0x0f) === 0x02;
  }

  isLinkLocalUnicast(): boolean {
    if (this.family === 4) return this.bytes[0] === 169 && this.bytes[1] === 254;
    return this.bytes[0] === 0xfe && (this.bytes[1]! & 0xc0) === 0x80;
  }

  /** As `netip.Addr.IsGlobalUnicast`: private ranges count as global. */
  isGlobalUnicast(): boolean {
    if (this.family === 4 && (this.isUnspecified() || this.bytes.every((b) => b === 255))) return false;
    return !this.isUnspecified() && !this.isLoopback() && !this.isMulticast() && !this.isLinkLocalUnicast();
  }

  /** Whether both are the same address. @example parseAddr("::1")!.equals(parseAddr("0::1")!); // true */
  equals(other: IPAddr): boolean {
    return this.zone === other.zone && this.bytes.length === other.bytes.length && this.bytes.every((b, i) => b === other.bytes[i]);
  }

  /** Go's `Addr.String()`. @example parseAddr("2001:DB8:0:0:0:0:0:1")!.toString(); // "2001:db8::1" */
  toString(): string {
    if (this.family === 4) return this.bytes.join(".");
    const zone = this.zone ? `%${this.zone}` : "";
    if (this.is4In6()) return `::ffff:${this.bytes.slice(12).join(".")}${zone}`;
    const groups: number[] = [];
    for (let i = 0; i < 16; i += 2) groups.push((this.bytes[i]! << 8) | this.bytes[i + 1]!);
    let bestStart = -1;
    let bestLen = 0;
    for (let i = 0; i < 8; ) {
      if (groups[i] !== 0) {
        i++;
        continue;
      }
      let j = i;
      while (j < 8 && groups[j] === 0) j++;
      if (j - i > bestLen && j - i >= 2) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    }
    const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(":");
    if (bestStart < 0) return hex(groups) + zone;
    return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}${zone}`;
  }
}

/**
 * A prefix (`10.0.0.0/8`): an address and a bit count, the host bits kept as written.
 *
 * @example
 * parsePrefix("10.1.0.0/16")?.contains(parseAddr("10.1.2.3")!); // true
 */
export class IPPrefix {
  constructor(
    readonly addr: IPAddr,
    readonly bits: number,
  ) {}

  /** Whether the prefix holds an address (of the same family). */
  contains(ip: IPAddr): boolean {
    if (ip.bytes.length !== this.addr.bytes.length || ip.zone) return false;
    for (let bit = 0; bit < this.bits; bit++) {
      const mask = 0x80 >> (bit & 7);
      if ((this.addr.bytes[bit >> 3]! & mask) !== (ip.bytes[bit >> 3]! & mask)) return false;
    }
    return true;
  }

  /** The prefix with its host bits cleared (`Prefix.Masked`). */
  masked(): IPPrefix {
    const bytes = this.addr.bytes.map((b, i) => {
      const keep = Math.max(0, Math.min(8, this.bits - i * 8));
      return b & ((0xff << (8 - keep)) & 0xff);
    });
    return new IPPrefix(new IPAddr(bytes), this.bits);
  }

  equals(other: IPPrefix): boolean {
    return this.bits === other.bits && this.addr.equals(other.addr);
  }

  toString(): string {
    return `${this.addr.toString()}/${this.bits}`;
  }
}

function parseIPv4(s: string): number[] | undefined {
  const parts = s.split(".");
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p[0] === "0")) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

function parseIPv6(s: string): number[] | undefined {
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const groupsOf = (part: string, last: boolean): number[] | undefined => {
    if (part === "") return [];
    const items = part.split(":");
    const out: number[] = [];
    for (let i = 0; i < items.length; i++) {
      const g = items[i]!;
      if (last && i === items.length - 1 && g.includes(".")) {
        const v4 = parseIPv4(g);
        if (!v4) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(g)) out.push(parseInt(g, 16));
      else return undefined;
    }
    return out;
  };
  let groups: number[];
  if (halves.length === 1) {
    const g = groupsOf(s, true);
    if (!g || g.length !== 8) return undefined;
    groups = g;
  } else {
    const head = groupsOf(halves[0]!, false);
    const tail = groupsOf(halves[1]!, true);
    if (!head || !tail || head.length + tail.length > 7) return undefined;
    groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  }
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

/**
 * Parse an address as `netip.ParseAddr` does; undefined when it is not one.
 *
 * @example
 * parseAddr("010.0.0.1"); // undefined: leading zeros are refused
 */
export function parseAddr(s: string): IPAddr | undefined {
  if (s.includes(":")) {
    const pct = s.indexOf("%");
    const zone = pct >= 0 ? s.slice(pct + 1) : "";
    if (pct >= 0 && !zone) return undefined;
    const bytes = parseIPv6(pct >= 0 ? s.slice(0, pct) : s);
    return bytes ? new IPAddr(bytes, zone) : undefined;
  }
  const v4 = parseIPv4(s);
  return v4 ? new IPAddr(v4) : undefined;
}

/**
 * Parse a prefix as `netip.ParsePrefix` does (no zones, bit counts without leading zeros).
 *
 * @example
 * parsePrefix("10.0.0.0/33"); // undefined
 */
export function parsePrefix(s: string): IPPrefix | undefined {
  const slash = s.lastIndexOf("/");
  if (slash < 0) return undefined;
  const addr = parseAddr(s.slice(0, slash));
  const bits = s.slice(slash + 1);
  if (!addr || addr.zone || !/^(0|[1-9]\d{0,2})$/.test(bits)) return undefined;
  const n = Number(bits);
  if (n > addr.bytes.length * 8) return undefined;
  return new IPPrefix(addr, n);
}
