/**
 * The CEL environment of Kubernetes validation rules: the standard library and strings extension
 * (from the evaluator), `matches` with RE2 semantics, and Kubernetes' regex, lists, IP, CIDR, URL
 * and quantity libraries.
 */
import { Environment } from "@marcbachmann/cel-js";
import { re2 } from "./regex.js";

/**
 * An IP address value (`ip("10.0.0.1")`).
 *
 * @example
 * parseIP("10.1.2.3")?.family; // 4
 */
export class CelIP {
  constructor(
    readonly family: 4 | 6,
    /** 16 bytes for IPv6, 4 for IPv4. */
    readonly bytes: number[],
    readonly text: string,
  ) {}
}

/**
 * A CIDR value (`cidr("10.0.0.0/8")`).
 *
 * @example
 * new CelCIDR(parseIP("10.0.0.0")!, 8, "10.0.0.0/8").prefix; // 8
 */
export class CelCIDR {
  constructor(
    readonly ip: CelIP,
    readonly prefix: number,
    readonly text: string,
  ) {}
}

/**
 * A URL value (`url("https://example.com/x")`).
 *
 * @example
 * new CelURL(new URL("https://example.com:8443/x")).url.port; // "8443"
 */
export class CelURL {
  constructor(readonly url: URL) {}
}

/**
 * A Kubernetes quantity as an exact decimal: `digits × 10^exp`.
 *
 * @example
 * parseQuantity("1.5Gi")?.text; // "1.5Gi"
 */
export class CelQuantity {
  constructor(
    readonly digits: bigint,
    readonly exp: number,
    readonly text: string,
  ) {}
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/**
 * Parse an IP the way Go's netip.ParseAddr does (no zones, no leading zeros in IPv4).
 *
 * @example
 * parseIP("::1")?.family; // 6
 */
export function parseIP(s: string): CelIP | undefined {
  if (IPV4.test(s)) return new CelIP(4, s.split(".").map(Number), s);
  if (!/^[0-9a-fA-F:.]+$/.test(s) || s.split("::").length > 2) return undefined;
  const [head = "", tail] = s.split("::");
  const groups = (part: string): number[] | undefined => {
    if (!part) return [];
    const out: number[] = [];
    const items = part.split(":");
    for (let i = 0; i < items.length; i++) {
      const g = items[i]!;
      if (i === items.length - 1 && g.includes(".")) {
        if (!IPV4.test(g)) return undefined;
        const b = g.split(".").map(Number);
        out.push((b[0]! << 8) | b[1]!, (b[2]! << 8) | b[3]!);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(g)) out.push(parseInt(g, 16));
      else return undefined;
    }
    return out;
  };
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  if (!h || !t) return undefined;
  let all: number[];
  if (tail === undefined) {
    if (h.length !== 8) return undefined;
    all = h;
  } else {
    if (h.length + t.length > 7) return undefined;
    all = [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
  }
  return new CelIP(6, all.flatMap((g) => [g >> 8, g & 255]), s);
}

function parseCIDR(s: string): CelCIDR | undefined {
  const slash = s.indexOf("/");
  if (slash < 0) return undefined;
  const ip = parseIP(s.slice(0, slash));
  const bits = s.slice(slash + 1);
  if (!ip || !/^(0|[1-9]\d{0,2})$/.test(bits)) return undefined;
  const prefix = Number(bits);
  if (prefix > (ip.family === 4 ? 32 : 128)) return undefined;
  return new CelCIDR(ip, prefix, s);
}

function containsIP(c: CelCIDR, ip: CelIP): boolean {
  if (c.ip.family !== ip.family) return false;
  for (let bit = 0; bit < c.prefix; bit++) {
    const byte = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if ((c.ip.bytes[byte]! & mask) !== (ip.bytes[byte]! & mask)) return false;
  }
  return true;
}

const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:([KMGTPE]i)|([numkMGTPE])|[eE]([+-]?\d+))?$/;
const DECIMAL_EXP: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_EXP: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };

/**
 * Parse a Kubernetes quantity (`250m`, `1.5Gi`, `1e3`) exactly.
 *
 * @example
 * parseQuantity("250m")?.text; // "250m"
 */
export function parseQuantity(s: string): CelQuantity | undefined {
  const m = QUANTITY.exec(s);
  if (!m) return undefined;
  const [, sign, num, bin, dec, e] = m;
  const [int = "", frac = ""] = num!.split(".");
  let digits = BigInt(`${int}${frac}` || "0");
  let exp = -frac.length;
  if (bin) digits *= 1024n ** BigInt(BINARY_EXP[bin]!);
  else if (dec) exp += DECIMAL_EXP[dec]!;
  else if (e) exp += Number(e);
  if (sign === "-") digits = -digits;
  return new CelQuantity(digits, exp, s);
}

function align(a: CelQuantity, b: CelQuantity): [bigint, bigint, number] {
  const exp = Math.min(a.exp, b.exp);
  return [a.digits * 10n ** BigInt(a.exp - exp), b.digits * 10n ** BigInt(b.exp - exp), exp];
}

function cmp(a: CelQuantity, b: CelQuantity): bigint {
  const [x, y] = align(a, b);
  return x < y ? -1n : x > y ? 1n : 0n;
}

function fromInt(n: bigint): CelQuantity {
  return new CelQuantity(n, 0, String(n));
}

function asInteger(q: CelQuantity): bigint {
  if (q.exp >= 0) return q.digits * 10n ** BigInt(q.exp);
  const div = 10n ** BigInt(-q.exp);
  if (q.digits % div !== 0n) throw new Error("cannot convert value to integer");
  return q.digits / div;
}

function isSorted(list: unknown[]): boolean {
  for (let i = 1; i < list.length; i++) if ((list[i - 1] as number) > (list[i] as number)) return false;
  return true;
}

function parseURL(s: string): CelURL | undefined {
  if (!/^([a-zA-Z][a-zA-Z0-9+.-]*:|\/)/.test(s)) return undefined;
  try {
    return new CelURL(new URL(s, s.startsWith("/") ? "http://relative.invalid" : undefined));
  } catch {
    return undefined;
  }
}

let shared: Environment | undefined;

/**
 * The CEL environment Kubernetes rules are compiled in (shared; do not register into it).
 * `self` and `oldSelf` are declared `dyn`.
 *
 * @example
 * const env = kubernetesCelEnvironment();
 * env.parse("isIP(self)")({ self: "10.0.0.1" }); // true
 */
export function kubernetesCelEnvironment(): Environment {
  if (shared) return shared;
  const env = new Environment({ unlistedVariablesAreDyn: false, enableOptionalTypes: true, homogeneousAggregateLiterals: false });
  env.registerVariable("self", "dyn");
  env.registerVariable("oldSelf", "dyn");
  env.registerType("net.IP", CelIP);
  env.registerType("net.CIDR", CelCIDR);
  env.registerType("net.URL", CelURL);
  env.registerType("kubernetes.Quantity", CelQuantity);

  // `matches` is rewritten to this before compiling, so that it follows RE2, as Kubernetes does.
  env.registerFunction("string.re2Matches(string): bool", (s: string, p: string) => re2(p).test(s));
  env.registerFunction("re2Matches(string, string): bool", (s: string, p: string) => re2(p).test(s));
  env.registerFunction("string.find(string): string", (s: string, p: string) => re2(p).exec(s)?.[0] ?? "");
  env.registerFunction("string.findAll(string): list<string>", (s: string, p: string) => [...s.matchAll(new RegExp(re2(p).source, `${re2(p).flags}g`))].map((m) => m[0]));
  env.registerFunction("string.findAll(string, int): list<string>", (s: string, p: string, n: bigint) => {
    const all = [...s.matchAll(new RegExp(re2(p).source, `${re2(p).flags}g`))].map((m) => m[0]);
    return n < 0n ? all : all.slice(0, Number(n));
  });

  env.registerFunction("list.isSorted(): bool", (l: unknown[]) => isSorted(l));
  env.registerFunction("list.sum(): dyn", (l: Array<bigint | number>) => l.reduce((a, b) => (a as number) + (b as number), (typeof l[0] === "number" ? 0 : 0n) as never));
  env.registerFunction("list.min(): dyn", (l: unknown[]) => {
    if (!l.length) throw new Error("min called on empty list");
    return l.reduce((a, b) => ((b as number) < (a as number) ? b : a));
  });
  env.registerFunction("list.max(): dyn", (l: unknown[]) => {
    if (!l.length) throw new Error("max called on empty list");
    return l.reduce((a, b) => ((b as number) > (a as number) ? b : a));
  });

  env.registerFunction("isIP(string): bool", (s: string) => parseIP(s) !== undefined);
  env.registerFunction("ip(string): net.IP", (s: string) => {
    const ip = parseIP(s);
    if (!ip) throw new Error(`IP Address ${JSON.stringify(s)} parse error during conversion from string`);
    return ip;
  });
  env.registerFunction("net.IP.family(): int", (ip: CelIP) => BigInt(ip.family));
  env.registerFunction("net.IP.isUnspecified(): bool", (ip: CelIP) => ip.bytes.every((b) => b === 0));
  env.registerFunction("net.IP.isLoopback(): bool", (ip: CelIP) => (ip.family === 4 ? ip.bytes[0] === 127 : ip.bytes.slice(0, 15).every((b) => b === 0) && ip.bytes[15] === 1));
  env.registerFunction("string(net.IP): string", (ip: CelIP) => ip.text);
  env.registerFunction("isCIDR(string): bool", (s: string) => parseCIDR(s) !== undefined);
  env.registerFunction("cidr(string): net.CIDR", (s: string) => {
    const c = parseCIDR(s);
    if (!c) throw new Error(`network address parse error during conversion from string: ${JSON.stringify(s)}`);
    return c;
  });
  env.registerFunction("net.CIDR.containsIP(string): bool", (c: CelCIDR, s: string) => {
    const ip = parseIP(s);
    return ip !== undefined && containsIP(c, ip);
  });
  env.registerFunction("net.CIDR.containsIP(net.IP): bool", (c: CelCIDR, ip: CelIP) => containsIP(c, ip));
  env.registerFunction("net.CIDR.prefixLength(): int", (c: CelCIDR) => BigInt(c.prefix));
  env.registerFunction("net.CIDR.ip(): net.IP", (c: CelCIDR) => c.ip);
  env.registerFunction("string(net.CIDR): string", (c: CelCIDR) => c.text);

  env.registerFunction("isURL(string): bool", (s: string) => parseURL(s) !== undefined);
  env.registerFunction("url(string): net.URL", (s: string) => {
    const u = parseURL(s);
    if (!u) throw new Error(`URL parse error during conversion from string: ${JSON.stringify(s)}`);
    return u;
  });
  env.registerFunction("net.URL.getScheme(): string", (u: CelURL) => u.url.protocol.replace(/:$/, ""));
  env.registerFunction("net.URL.getHost(): string", (u: CelURL) => u.url.host);
  env.registerFunction("net.URL.getHostname(): string", (u: CelURL) => u.url.hostname.replace(/^\[|\]$/g, ""));
  env.registerFunction("net.URL.getPort(): string", (u: CelURL) => u.url.port);
  env.registerFunction("net.URL.getEscapedPath(): string", (u: CelURL) => u.url.pathname);
  env.registerFunction("net.URL.getQuery(): map<string, list<string>>", (u: CelURL) => {
    const out: Record<string, string[]> = {};
    for (const [k, v] of u.url.searchParams) (out[k] ??= []).push(v);
    return out;
  });

  env.registerFunction("isQuantity(string): bool", (s: string) => parseQuantity(s) !== undefined);
  env.registerFunction("quantity(string): kubernetes.Quantity", (s: string) => {
    const q = parseQuantity(s);
    if (!q) throw new Error(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`);
    return q;
  });
  env.registerFunction("kubernetes.Quantity.compareTo(kubernetes.Quantity): int", (a: CelQuantity, b: CelQuantity) => cmp(a, b));
  env.registerFunction("kubernetes.Quantity.isLessThan(kubernetes.Quantity): bool", (a: CelQuantity, b: CelQuantity) => cmp(a, b) < 0n);
  env.registerFunction("kubernetes.Quantity.isGreaterThan(kubernetes.Quantity): bool", (a: CelQuantity, b: CelQuantity) => cmp(a, b) > 0n);
  env.registerFunction("kubernetes.Quantity.add(kubernetes.Quantity): kubernetes.Quantity", (a: CelQuantity, b: CelQuantity) => {
    const [x, y, exp] = align(a, b);
    return new CelQuantity(x + y, exp, "");
  });
  env.registerFunction("kubernetes.Quantity.add(int): kubernetes.Quantity", (a: CelQuantity, n: bigint) => {
    const [x, y, exp] = align(a, fromInt(n));
    return new CelQuantity(x + y, exp, "");
  });
  env.registerFunction("kubernetes.Quantity.sub(kubernetes.Quantity): kubernetes.Quantity", (a: CelQuantity, b: CelQuantity) => {
    const [x, y, exp] = align(a, b);
    return new CelQuantity(x - y, exp, "");
  });
  env.registerFunction("kubernetes.Quantity.sub(int): kubernetes.Quantity", (a: CelQuantity, n: bigint) => {
    const [x, y, exp] = align(a, fromInt(n));
    return new CelQuantity(x - y, exp, "");
  });
  env.registerFunction("kubernetes.Quantity.sign(): int", (q: CelQuantity) => (q.digits > 0n ? 1n : q.digits < 0n ? -1n : 0n));
  env.registerFunction("kubernetes.Quantity.isInteger(): bool", (q: CelQuantity) => {
    try {
      asInteger(q);
      return true;
    } catch {
      return false;
    }
  });
  env.registerFunction("kubernetes.Quantity.asInteger(): int", (q: CelQuantity) => asInteger(q));
  env.registerFunction("kubernetes.Quantity.asApproximateFloat(): double", (q: CelQuantity) => Number(q.digits) * 10 ** q.exp);
  shared = env;
  return env;
}
