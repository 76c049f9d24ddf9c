/**
 * IP addresses and CIDR values as kube-apiserver parses and checks them (k8s.io/apimachinery
 * util/validation/ip.go over k8s.io/utils/net's "sloppy" parsers and Go's net/netip).
 *
 * Two parsers matter. The sloppy one (Go 1.16's `net.ParseIP`, kept by k8s.io/utils/net) reads
 * IPv4 octets with leading zeros as decimal and accepts IPv4-mapped IPv6; the strict one
 * (`netip.ParseAddr`) refuses leading zeros. Fields that predate strict validation ("legacy"
 * fields: Service clusterIPs, externalIPs, Endpoints, NetworkPolicy ipBlock, …) use the sloppy
 * reading unless the `StrictIPCIDRValidation` gate is on, and earn warnings for odd forms; new
 * fields use {@link isValidIP} / {@link isValidCIDR}, which also demand the canonical form.
 */
import { FieldPath, invalid, type FieldError } from "../field.js";

/** An address as Go's `net.IP` holds it: 16 bytes, IPv4 as `::ffff:a.b.c.d`. */
export interface ParsedIP {
  /** The 16 bytes of the address (IPv4 in its IPv4-mapped IPv6 form). */
  readonly bytes: Uint8Array;
  /** 4 when the address is IPv4 (or IPv4-mapped IPv6, as Go's `To4()` sees it), else 6. */
  readonly family: 4 | 6;
}

/** A CIDR value as `net.ParseCIDR` returns it: the address written, and the network. */
export interface ParsedCIDR {
  /** The address as written (before masking). */
  readonly ip: ParsedIP;
  /** The network address (the address with the bits past the prefix cleared). */
  readonly network: ParsedIP;
  /** The prefix length. */
  readonly bits: number;
  /** The mask's length in bits: 32 when written as IPv4, 128 when written as IPv6. */
  readonly maskBits: 32 | 128;
}

const V4_IN_V6 = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];
const BIG = 0xffffff;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Go's `dtoi`: decimal digits at the start of `s`, value and count; null when none. */
function dtoi(s: string, from: number): [number, number] | null {
  let n = 0;
  let i = from;
  for (; i < s.length && isDigit(s.charCodeAt(i)); i++) {
    n = n * 10 + (s.charCodeAt(i) - 48);
    if (n >= BIG) return null;
  }
  return i === from ? null : [n, i - from];
}

/** Go's `xtoi`: hexadecimal digits at the start of `s`. */
function xtoi(s: string, from: number): [number, number] | null {
  let n = 0;
  let i = from;
  for (; i < s.length; i++) {
    const h = hexValue(s.charCodeAt(i));
    if (h < 0) break;
    n = n * 16 + h;
    if (n >= BIG) return null;
  }
  return i === from ? null : [n, i - from];
}

function fromV4(a: number, b: number, c: number, d: number): Uint8Array {
  const out = new Uint8Array(16);
  out[10] = 0xff;
  out[11] = 0xff;
  out[12] = a;
  out[13] = b;
  out[14] = c;
  out[15] = d;
  return out;
}

/** Sloppy IPv4: four decimal octets, leading zeros read as decimal. `strict` refuses leading zeros. */
function parseIPv4(s: string, strict: boolean): Uint8Array | null {
  const p: number[] = [];
  let pos = 0;
  for (let i = 0; i < 4; i++) {
    if (pos >= s.length) return null;
    if (i > 0) {
      if (s[pos] !== ".") return null;
      pos++;
    }
    const r = dtoi(s, pos);
    if (!r || r[0] > 0xff) return null;
    if (strict && (r[1] > 3 || (r[1] > 1 && s[pos] === "0"))) return null;
    p.push(r[0]);
    pos += r[1];
  }
  if (pos !== s.length) return null;
  return fromV4(p[0]!, p[1]!, p[2]!, p[3]!);
}

/** IPv6 as Go parses it; `strict` (netip) allows at most four hex digits a group and a strict trailing IPv4. */
function parseIPv6(input: string, strict: boolean): Uint8Array | null {
  const ip = new Uint8Array(16);
  let s = input;
  let ellipsis = -1;
  if (s.length >= 2 && s[0] === ":" && s[1] === ":") {
    ellipsis = 0;
    s = s.slice(2);
    if (s.length === 0) return ip;
  }
  let i = 0;
  while (i < 16) {
    const r = xtoi(s, 0);
    if (!r || r[0] > 0xffff) return null;
    const [n, c] = r;
    if (c < s.length && s[c] === ".") {
      if (ellipsis < 0 && i !== 12) return null;
      if (i + 4 > 16) return null;
      const v4 = parseIPv4(s, strict);
      if (!v4) return null;
      ip.set(v4.subarray(12), i);
      s = "";
      i += 4;
      break;
    }
    if (strict && c > 4) return null;
    ip[i] = n >> 8;
    ip[i + 1] = n & 0xff;
    i += 2;
    s = s.slice(c);
    if (s.length === 0) break;
    if (s[0] !== ":" || s.length === 1) return null;
    s = s.slice(1);
    if (s[0] === ":") {
      if (ellipsis >= 0) return null;
      ellipsis = i;
      s = s.slice(1);
      if (s.length === 0) break;
    }
  }
  if (s.length !== 0) return null;
  if (i < 16) {
    if (ellipsis < 0) return null;
    const n = 16 - i;
    for (let j = i - 1; j >= ellipsis; j--) ip[j + n] = ip[j]!;
    for (let j = ellipsis + n - 1; j >= ellipsis; j--) ip[j] = 0;
  } else if (ellipsis >= 0) {
    return null;
  }
  return ip;
}

function isV4Mapped(b: Uint8Array): boolean {
  for (let i = 0; i < 12; i++) if (b[i] !== V4_IN_V6[i]) return false;
  return true;
}

function parsed(bytes: Uint8Array): ParsedIP {
  return { bytes, family: isV4Mapped(bytes) ? 4 : 6 };
}

/**
 * `netutils.ParseIPSloppy`: Go 1.16's `net.ParseIP` (IPv4 octets may have leading zeros). Null
 * when the text is not an address.
 *
 * @example
 * parseIPSloppy("010.1.2.3")?.family; // 4
 */
export function parseIPSloppy(value: string): ParsedIP | null {
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === ".") {
      const b = parseIPv4(value, false);
      return b ? parsed(b) : null;
    }
    if (c === ":") {
      const b = parseIPv6(value, false);
      return b ? parsed(b) : null;
    }
  }
  return null;
}

/** What `netip.ParseAddr` makes of a string: the address, whether written as IPv6, or null. */
function parseAddrStrict(value: string): { bytes: Uint8Array; is6: boolean } | null {
  if (value.includes("%")) return null; // zones: never accepted by the sloppy parser either
  if (value.includes(":")) {
    const b = parseIPv6(value, true);
    return b ? { bytes: b, is6: true } : null;
  }
  const b = parseIPv4(value, true);
  return b ? { bytes: b, is6: false } : null;
}

function hex(n: number): string {
  return n.toString(16);
}

function formatV6(b: Uint8Array): string {
  let e0 = -1;
  let e1 = -1;
  for (let i = 0; i < 16; i += 2) {
    let j = i;
    while (j < 16 && b[j] === 0 && b[j + 1] === 0) j += 2;
    if (j > i && j - i > e1 - e0) {
      e0 = i;
      e1 = j;
      i = j;
    }
  }
  if (e1 - e0 <= 2) {
    e0 = -1;
    e1 = -1;
  }
  let out = "";
  for (let i = 0; i < 16; i += 2) {
    if (i === e0) {
      out += "::";
      i = e1;
      if (i >= 16) break;
    } else if (i > 0) {
      out += ":";
    }
    out += hex((b[i]! << 8) | b[i + 1]!);
  }
  return out;
}

/**
 * Go's `net.IP.String()`: IPv4 (and IPv4-mapped IPv6) as dotted decimal, IPv6 in RFC 5952 form.
 *
 * @example
 * formatIP(parseIPSloppy("2001:DB8:0:0:0:0:0:1")!); // "2001:db8::1"
 */
export function formatIP(ip: ParsedIP): string {
  const b = ip.bytes;
  if (ip.family === 4) return `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  return formatV6(b);
}

/** `netip.Addr.String()`: as {@link formatIP}, but an IPv4-mapped address written as IPv6 stays `::ffff:a.b.c.d`. */
function formatAddr(a: { bytes: Uint8Array; is6: boolean }): string {
  const b = a.bytes;
  if (!a.is6) return `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  if (isV4Mapped(b)) return `::ffff:${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  return formatV6(b);
}

function mask(bytes: Uint8Array, bits: number, offset: number): Uint8Array {
  const out = new Uint8Array(bytes);
  for (let i = offset; i < 16; i++) {
    const bitStart = (i - offset) * 8;
    const keep = Math.max(0, Math.min(8, bits - bitStart));
    out[i] = out[i]! & ((0xff << (8 - keep)) & 0xff);
  }
  return out;
}

/**
 * `netutils.ParseCIDRSloppy`: Go 1.16's `net.ParseCIDR` (leading zeros allowed in the address and
 * the prefix length). Null when the text is not a CIDR value.
 *
 * @example
 * parseCIDRSloppy("10.0.0.1/8")?.bits; // 8
 */
export function parseCIDRSloppy(value: string): ParsedCIDR | null {
  const slash = value.indexOf("/");
  if (slash < 0) return null;
  const addr = value.slice(0, slash);
  const maskText = value.slice(slash + 1);
  let maskBits: 32 | 128 = 32;
  let bytes = parseIPv4(addr, false);
  if (!bytes) {
    maskBits = 128;
    bytes = parseIPv6(addr, false);
  }
  const n = dtoi(maskText, 0);
  if (!bytes || !n || n[1] !== maskText.length || n[0] > maskBits) return null;
  const bits = n[0];
  // The mask of an IPv4 value applies to the last four bytes; an IPv6 mask to all sixteen.
  const network = maskBits === 32 ? mask(bytes, bits, 12) : mask(bytes, bits, 0);
  return { ip: parsed(bytes), network: parsed(network), bits, maskBits };
}

/** `IPNet.String()`: the network and prefix length, IPv4 networks with their IPv4 prefix length. */
function formatNetwork(c: ParsedCIDR): string {
  let bits = c.bits;
  if (c.network.family === 4 && c.maskBits === 128) bits = bits - 96;
  return `${formatIP(c.network)}/${bits < 0 ? 0 : bits}`;
}

/** What `netip.ParsePrefix` accepts: a strict address and a prefix length without leading zeros. */
function parsePrefixStrict(value: string): { addr: { bytes: Uint8Array; is6: boolean }; bits: number } | null {
  const slash = value.lastIndexOf("/");
  if (slash < 0) return null;
  const addr = parseAddrStrict(value.slice(0, slash));
  if (!addr) return null;
  const bitsText = value.slice(slash + 1);
  if (!/^(0|[1-9][0-9]*)$/.test(bitsText)) return null;
  const bits = Number(bitsText);
  if (bits > (addr.is6 ? 128 : 32)) return null;
  return { addr, bits };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 16; i++) if (a[i] !== b[i]) return false;
  return true;
}

const IP_INVALID = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)";
const CIDR_INVALID = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)";

function parseIP(path: FieldPath, value: string, strict: boolean): [ParsedIP | null, FieldError[]] {
  const ip = parseIPSloppy(value);
  if (!ip) return [null, [invalid(path, value, IP_INVALID)]];
  const errs: FieldError[] = [];
  if (strict) {
    const addr = parseAddrStrict(value);
    if (!addr) errs.push(invalid(path, value, "must not have leading 0s"));
    else if (addr.is6 && isV4Mapped(addr.bytes)) errs.push(invalid(path, value, "must not be an IPv4-mapped IPv6 address"));
  }
  return [ip, errs];
}

/**
 * `IsValidIPForLegacyField`: an IP in a field that predates strict validation. Any form Go's old
 * parser read is accepted (leading zeros, IPv4-mapped IPv6, non-canonical IPv6) unless `strict`
 * (the `StrictIPCIDRValidation` gate) is on. A value found in `validOld` (the values the stored
 * object already held) is accepted as it is.
 *
 * @example
 * isValidIPForLegacyField(FieldPath.of("spec", "clusterIP"), "010.0.0.1", false); // []
 */
export function isValidIPForLegacyField(path: FieldPath, value: string, strict: boolean, validOld?: readonly string[]): FieldError[] {
  if (validOld?.includes(value)) return [];
  return parseIP(path, value, strict)[1];
}

/**
 * `IsValidIP`: an IP address in its canonical form (for fields newer than strict validation).
 *
 * @example
 * isValidIP(FieldPath.of("spec", "ip"), "2001:DB8::1")[0]?.message; // 'must be in canonical form ("2001:db8::1")'
 */
export function isValidIP(path: FieldPath, value: string): FieldError[] {
  const [ip, errs] = parseIP(path, value, true);
  if (errs.length || !ip) return errs;
  const canonical = formatIP(ip);
  return value === canonical ? [] : [invalid(path, value, `must be in canonical form (${JSON.stringify(canonical)})`)];
}

/**
 * `GetWarningsForIP`: texts for a legacy-field IP in a non-standard form (the value must already be valid).
 *
 * @example
 * getWarningsForIP(FieldPath.of("spec", "clusterIP"), "010.0.0.1"); // ['spec.clusterIP: non-standard IP address "010.0.0.1" will be considered invalid in a future Kubernetes release: use "10.0.0.1"']
 */
export function getWarningsForIP(path: FieldPath, value: string): string[] {
  const ip = parseIPSloppy(value);
  if (!ip) return [];
  const addr = parseAddrStrict(value);
  if (!addr || (addr.is6 && isV4Mapped(addr.bytes))) {
    return [`${path}: non-standard IP address ${JSON.stringify(value)} will be considered invalid in a future Kubernetes release: use ${JSON.stringify(formatIP(ip))}`];
  }
  if (addr.is6) {
    const canonical = formatAddr(addr);
    if (canonical !== value) return [`${path}: IPv6 address ${JSON.stringify(value)} should be in RFC 5952 canonical format (${JSON.stringify(canonical)})`];
  }
  return [];
}

/** `IsValidIPv4Address`. @example isValidIPv4Address(FieldPath.of("ip"), "::1")[0]?.message // "must be a valid IPv4 address" */
export function isValidIPv4Address(path: FieldPath, value: string): FieldError[] {
  const ip = parseIPSloppy(value);
  return ip && ip.family === 4 ? [] : [invalid(path, value, "must be a valid IPv4 address")];
}

/** `IsValidIPv6Address`. @example isValidIPv6Address(FieldPath.of("ip"), "10.0.0.1")[0]?.message // "must be a valid IPv6 address" */
export function isValidIPv6Address(path: FieldPath, value: string): FieldError[] {
  const ip = parseIPSloppy(value);
  return ip && ip.family === 6 ? [] : [invalid(path, value, "must be a valid IPv6 address")];
}

function parseCIDR(path: FieldPath, value: string, strict: boolean): [ParsedCIDR | null, FieldError[]] {
  const cidr = parseCIDRSloppy(value);
  if (!cidr) return [null, [invalid(path, value, CIDR_INVALID)]];
  const errs: FieldError[] = [];
  if (strict) {
    const prefix = parsePrefixStrict(value);
    if (!prefix) errs.push(invalid(path, value, "must not have leading 0s in IP or prefix length"));
    else if (prefix.addr.is6 && isV4Mapped(prefix.addr.bytes)) errs.push(invalid(path, value, "must not have an IPv4-mapped IPv6 address"));
    else if (!sameBytes(prefix.addr.bytes, mask(prefix.addr.bytes, prefix.bits, prefix.addr.is6 ? 0 : 12))) {
      errs.push(invalid(path, value, "must not have bits set beyond the prefix length"));
    }
  }
  return [cidr, errs];
}

/**
 * `IsValidCIDRForLegacyField`: a CIDR value in a field that predates strict validation. Leading
 * zeros, IPv4-mapped IPv6 and bits set past the prefix are accepted unless `strict`; a value found
 * in `validOld` is accepted as it is.
 *
 * @example
 * isValidCIDRForLegacyField(FieldPath.of("cidr"), "10.0.0.1/8", false); // []
 */
export function isValidCIDRForLegacyField(path: FieldPath, value: string, strict: boolean, validOld?: readonly string[]): FieldError[] {
  if (validOld?.includes(value)) return [];
  return parseCIDR(path, value, strict)[1];
}

/**
 * `IsValidCIDR`: a subnet (`192.168.1.0/24`) in canonical form.
 *
 * @example
 * isValidCIDR(FieldPath.of("cidr"), "10.0.0.1/8")[0]?.message; // "must not have bits set beyond the prefix length"
 */
export function isValidCIDR(path: FieldPath, value: string): FieldError[] {
  const [cidr, errs] = parseCIDR(path, value, true);
  if (errs.length || !cidr) return errs;
  const canonical = formatNetwork(cidr);
  return value === canonical ? [] : [invalid(path, value, `must be in canonical form (${JSON.stringify(canonical)})`)];
}

/**
 * `GetWarningsForCIDR`: texts for a legacy-field CIDR value in a non-standard form.
 *
 * @example
 * getWarningsForCIDR(FieldPath.of("cidr"), "10.0.0.1/8")[0]; // 'cidr: CIDR value "10.0.0.1/8" is ambiguous in this context (should be "10.0.0.0/8" or "10.0.0.1/32"?)'
 */
export function getWarningsForCIDR(path: FieldPath, value: string): string[] {
  const cidr = parseCIDRSloppy(value);
  if (!cidr) return [];
  const warnings: string[] = [];
  const network = formatNetwork(cidr);
  if (!sameBytes(cidr.ip.bytes, cidr.network.bytes)) {
    warnings.push(`${path}: CIDR value ${JSON.stringify(value)} is ambiguous in this context (should be ${JSON.stringify(network)} or ${JSON.stringify(`${formatIP(cidr.ip)}/${cidr.maskBits}`)}?)`);
  }
  const prefix = parsePrefixStrict(value);
  if (!prefix || (prefix.addr.is6 && isV4Mapped(prefix.addr.bytes))) {
    warnings.push(`${path}: non-standard CIDR value ${JSON.stringify(value)} will be considered invalid in a future Kubernetes release: use ${JSON.stringify(network)}`);
  }
  if (warnings.length === 0 && prefix && prefix.addr.is6) {
    const canonical = `${formatAddr(prefix.addr)}/${prefix.bits}`;
    if (canonical !== value) warnings.push(`${path}: IPv6 CIDR value ${JSON.stringify(value)} should be in RFC 5952 canonical format (${JSON.stringify(canonical)})`);
  }
  return warnings;
}

/**
 * `IsValidInterfaceAddress`: an "ifaddr"-style value (`192.168.1.5/24`, a whole address and its
 * subnet length) in canonical form.
 *
 * @example
 * isValidInterfaceAddress(FieldPath.of("address"), "192.168.1.5/24"); // []
 */
export function isValidInterfaceAddress(path: FieldPath, value: string): FieldError[] {
  const cidr = parseCIDRSloppy(value);
  if (!cidr) return [invalid(path, value, "must be a valid address in CIDR form, (e.g. 10.9.8.7/24 or 2001:db8::1/64)")];
  let bits = cidr.bits;
  if (cidr.ip.family === 4 && bits > 32) bits -= 96;
  const canonical = `${formatIP(cidr.ip)}/${bits}`;
  return value === canonical ? [] : [invalid(path, value, `must be in canonical form (${JSON.stringify(canonical)})`)];
}

/** `netutils.IsIPv4String` (sloppy parsing). @example isIPv4String("10.0.0.1") // true */
export function isIPv4String(value: string): boolean {
  return parseIPSloppy(value)?.family === 4;
}

/** `netutils.IsIPv6String` (sloppy parsing). @example isIPv6String("fd00::1") // true */
export function isIPv6String(value: string): boolean {
  return parseIPSloppy(value)?.family === 6;
}

/** `netutils.IsIPv4CIDRString`. @example isIPv4CIDRString("10.0.0.0/8") // true */
export function isIPv4CIDRString(value: string): boolean {
  const c = parseCIDRSloppy(value);
  return c !== null && c.ip.family === 4;
}

/** `netutils.IsIPv6CIDRString`. @example isIPv6CIDRString("fd00::/64") // true */
export function isIPv6CIDRString(value: string): boolean {
  const c = parseCIDRSloppy(value);
  return c !== null && c.ip.family === 6;
}

/** `IPNet.Contains`. @example containsIP(parseCIDRSloppy("10.0.0.0/8")!, parseIPSloppy("10.2.3.4")!) // true */
export function containsIP(net: ParsedCIDR, ip: ParsedIP): boolean {
  if (net.network.family !== ip.family) return false;
  const masked = net.maskBits === 32 ? mask(ip.bytes, net.bits, 12) : mask(ip.bytes, net.bits, 0);
  return sameBytes(masked, net.network.bytes);
}

/** `net.IP.IsUnspecified` (`0.0.0.0`, `::`). @example isUnspecified(parseIPSloppy("0.0.0.0")!) // true */
export function isUnspecified(ip: ParsedIP): boolean {
  const b = ip.bytes;
  if (ip.family === 4) return b[12] === 0 && b[13] === 0 && b[14] === 0 && b[15] === 0;
  return b.every((x) => x === 0);
}

/** `net.IP.IsLoopback` (`127.0.0.0/8`, `::1`). @example isLoopback(parseIPSloppy("127.0.0.2")!) // true */
export function isLoopback(ip: ParsedIP): boolean {
  const b = ip.bytes;
  if (ip.family === 4) return b[12] === 127;
  for (let i = 0; i < 15; i++) if (b[i] !== 0) return false;
  return b[15] === 1;
}

/** `net.IP.IsLinkLocalUnicast` (`169.254.0.0/16`, `fe80::/10`). @example isLinkLocalUnicast(parseIPSloppy("fe80::1")!) // true */
export function isLinkLocalUnicast(ip: ParsedIP): boolean {
  const b = ip.bytes;
  if (ip.family === 4) return b[12] === 169 && b[13] === 254;
  return b[0] === 0xfe && (b[1]! & 0xc0) === 0x80;
}

/** `net.IP.IsLinkLocalMulticast` (`224.0.0.0/24`, `ff02::/16`). @example isLinkLocalMulticast(parseIPSloppy("224.0.0.1")!) // true */
export function isLinkLocalMulticast(ip: ParsedIP): boolean {
  const b = ip.bytes;
  if (ip.family === 4) return b[12] === 224 && b[13] === 0 && b[14] === 0;
  return b[0] === 0xff && (b[1]! & 0x0f) === 0x02;
}
