/**
 * Which proxy a request goes through, by Go's `http.ProxyFromEnvironment` rules (which client-go
 * uses): `HTTPS_PROXY` for https URLs, `HTTP_PROXY` for http (upper case first, then lower case);
 * a value without a scheme means `http://`; `localhost` and loopback addresses are never proxied;
 * `NO_PROXY` is a comma-separated list of
 *
 * - `*` — nothing is proxied;
 * - IP addresses (`10.0.0.1`, `[::1]:6443` with an optional port) and CIDRs (`10.0.0.0/8`, `fd00::/8`);
 * - domain names, which match the name and every subdomain (`example.com` matches `example.com` and
 *   `api.example.com`); a leading `.` or `*.` matches subdomains only; an optional `:port`.
 *
 * A kubeconfig `proxy-url` overrides all of this (always used, `NO_PROXY` ignored), as in kubectl.
 */
// node:net (with the stream modules under it) loads on the first proxy decision, not with the library.
const isIP = (input: string): number => process.getBuiltinModule("node:net").isIP(input);

/** Proxy settings read from the environment. @example proxyFromEnv(process.env).noProxy; */
export interface ProxyEnv {
  httpProxy: string | undefined;
  httpsProxy: string | undefined;
  noProxy: string | undefined;
}

/**
 * Read `HTTP_PROXY`, `HTTPS_PROXY`, `NO_PROXY` (or their lower-case forms) from an environment.
 *
 * @example
 * const env = proxyFromEnv(process.env);
 */
export function proxyFromEnv(env: NodeJS.ProcessEnv = process.env): ProxyEnv {
  const pick = (...names: string[]) => names.map((n) => env[n]).find((v) => v !== undefined && v !== "");
  return {
    httpProxy: pick("HTTP_PROXY", "http_proxy"),
    httpsProxy: pick("HTTPS_PROXY", "https_proxy"),
    noProxy: pick("NO_PROXY", "no_proxy"),
  };
}

/**
 * The proxy URL for a target URL, or `undefined` to connect directly.
 *
 * @example
 * proxyFor("https://10.1.2.3:6443", { httpsProxy: "proxy:3128", httpProxy: undefined, noProxy: "10.0.0.0/8" }); // undefined
 * proxyFor("https://api.example.com", { httpsProxy: "proxy:3128", httpProxy: undefined, noProxy: "" });          // "http://proxy:3128"
 */
export function proxyFor(target: string | URL, env: ProxyEnv): string | undefined {
  const url = typeof target === "string" ? new URL(target) : target;
  const raw = url.protocol === "https:" ? env.httpsProxy : url.protocol === "http:" ? env.httpProxy : undefined;
  if (!raw) return undefined;
  const proxy = normaliseProxyUrl(raw);
  if (!proxy) return undefined;
  const host = unbracket(url.hostname.toLowerCase());
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  if (!useProxy(host, port, env.noProxy ?? "")) return undefined;
  return proxy;
}

/**
 * A proxy value as a URL string: `host:port` gets `http://`; schemes other than http, https, socks5
 * are invalid (`undefined`).
 *
 * @example
 * normaliseProxyUrl("proxy.corp:3128"); // "http://proxy.corp:3128"
 */
export function normaliseProxyUrl(raw: string): string | undefined {
  const attempt = (s: string) => {
    try {
      const u = new URL(s);
      return ["http:", "https:", "socks5:", "socks:"].includes(u.protocol) && u.hostname ? u : undefined;
    } catch {
      return undefined;
    }
  };
  const u = attempt(raw) ?? attempt(`http://${raw}`);
  return u?.toString().replace(/\/$/, "");
}

function unbracket(host: string): string {
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

function useProxy(host: string, port: string, noProxy: string): boolean {
  if (host === "localhost") return false;
  const ipVersion = isIP(host);
  if (ipVersion && isLoopback(host, ipVersion)) return false;
  for (let entry of noProxy.split(",")) {
    entry = entry.trim().toLowerCase();
    if (!entry) continue;
    if (entry === "*") return false;
    const slash = entry.indexOf("/");
    if (slash > 0) {
      if (ipVersion && inCidr(host, ipVersion, entry.slice(0, slash), entry.slice(slash + 1))) return false;
      continue;
    }
    let entryHost = entry;
    let entryPort = "";
    const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry) ?? (isIP(entry) === 6 ? null : /^([^:]+):(\d+)$/.exec(entry));
    if (m) {
      entryHost = m[1]!;
      entryPort = m[2] ?? "";
    }
    if (entryPort && entryPort !== port) continue;
    if (isIP(entryHost)) {
      if (ipVersion && sameIp(entryHost, host)) return false;
      continue;
    }
    if (entryHost.startsWith("*.")) entryHost = entryHost.slice(1);
    const matchHost = !entryHost.startsWith(".");
    const suffix = matchHost ? `.${entryHost}` : entryHost;
    if (host.endsWith(suffix) || (matchHost && host === entryHost)) return false;
  }
  return true;
}

function isLoopback(ip: string, version: number): boolean {
  if (version === 4) return ip.startsWith("127.");
  const bytes = ipBytes(ip, 6);
  if (!bytes) return false;
  if (bytes.slice(0, 15).every((b) => b === 0) && bytes[15] === 1) return true;
  return isMappedV4(bytes) && bytes[12] === 127;
}

function isMappedV4(b: number[]): boolean {
  return b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
}

/** 4 or 16 bytes; IPv4-mapped IPv6 addresses compare equal to their IPv4 form, as in Go. */
function ipBytes(ip: string, version: number): number[] | undefined {
  if (version === 4) {
    const parts = ip.split(".").map(Number);
    return parts.length === 4 && parts.every((p) => p >= 0 && p <= 255) ? parts : undefined;
  }
  let text = ip;
  let tail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    tail = ipBytes(v4[1]!, 4) ?? [];
    text = text.slice(0, -v4[1]!.length) + "0:0";
  }
  const [head, rest] = text.split("::") as [string, string | undefined];
  const hs = head ? head.split(":") : [];
  const rs = rest !== undefined && rest !== "" ? rest.split(":") : [];
  const fill = rest === undefined ? 0 : 8 - hs.length - rs.length;
  const groups = [...hs, ...Array<string>(Math.max(fill, 0)).fill("0"), ...rs].map((g) => parseInt(g, 16));
  if (groups.length !== 8 || groups.some((g) => Number.isNaN(g))) return undefined;
  const bytes = groups.flatMap((g) => [g >> 8, g & 0xff]);
  if (tail.length) bytes.splice(12, 4, ...tail);
  return bytes;
}

function as16(ip: string, version: number): number[] | undefined {
  const b = ipBytes(ip, version);
  if (!b) return undefined;
  return version === 4 ? [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...b] : b;
}

function sameIp(a: string, b: string): boolean {
  const x = as16(a, isIP(a));
  const y = as16(b, isIP(b));
  return Boolean(x && y && x.every((v, i) => v === y[i]));
}

function inCidr(ip: string, version: number, network: string, bitsText: string): boolean {
  const netVersion = isIP(network);
  const bits = Number(bitsText);
  if (!netVersion || !/^\d+$/.test(bitsText) || bits > (netVersion === 4 ? 32 : 128)) return false;
  let addr = ipBytes(ip, version);
  const net = ipBytes(network, netVersion);
  if (!addr || !net) return false;
  if (netVersion === 4 && version === 6) {
    if (!isMappedV4(addr)) return false;
    addr = addr.slice(12);
  } else if (netVersion === 6 && version === 4) {
    addr = as16(ip, 4)!;
  }
  if (addr.length !== net.length) return false;
  for (let i = 0; i < bits; i++) {
    const byte = i >> 3;
    const mask = 0x80 >> (i & 7);
    if ((addr[byte]! & mask) !== (net[byte]! & mask)) return false;
  }
  return true;
}
