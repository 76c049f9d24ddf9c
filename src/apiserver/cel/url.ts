/**
 * URLs as Kubernetes' CEL url library reads them: accepted when Go's `url.ParseRequestURI` accepts
 * them (absolute URLs and absolute paths), split as `url.Parse` splits them.
 */

/**
 * A parsed URL (`url('https://example.com:80/a?b=c')`).
 *
 * @example
 * parseURL("https://example.com:80/")?.host; // "example.com:80"
 */
export class CelURL {
  constructor(
    readonly scheme: string,
    /** Host with port, IPv6 addresses in brackets. */
    readonly host: string,
    /** The path as written (escaped form). */
    readonly rawPath: string,
    readonly rawQuery: string,
    readonly text: string,
  ) {}

  get hostname(): string {
    const h = this.host;
    if (h.startsWith("[")) {
      const end = h.indexOf("]");
      return end < 0 ? h.slice(1) : h.slice(1, end);
    }
    const colon = h.lastIndexOf(":");
    return colon < 0 ? h : h.slice(0, colon);
  }

  get port(): string {
    const h = this.host;
    const end = h.startsWith("[") ? h.indexOf("]") + 1 : 0;
    const colon = h.indexOf(":", end);
    return colon < 0 ? "" : h.slice(colon + 1);
  }

  /** Go's `EscapedPath`: the path, with characters that must be escaped escaped. */
  get escapedPath(): string {
    return this.rawPath.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@/%]/g, (c) => encodeURIComponent(c));
  }

  /** Go's `Query()`: repeated keys in order; malformed pairs dropped. */
  get query(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    if (!this.rawQuery) return out;
    for (const pair of this.rawQuery.split("&")) {
      if (!pair || pair.includes(";")) continue;
      const eq = pair.indexOf("=");
      const k = unescape(eq < 0 ? pair : pair.slice(0, eq), true);
      const v = unescape(eq < 0 ? "" : pair.slice(eq + 1), true);
      if (k === undefined || v === undefined) continue;
      (out[k] ??= []).push(v);
    }
    return out;
  }
}

function unescape(s: string, query: boolean): string | undefined {
  if (/%(?![0-9a-fA-F]{2})/.test(s)) return undefined;
  try {
    return decodeURIComponent(query ? s.replace(/\+/g, " ") : s);
  } catch {
    return s;
  }
}

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;

/**
 * Parse a URL as the url library does, or return why not (Go's error text).
 *
 * @example
 * parseURL("../relative"); // { error: 'parse "../relative": invalid URI for request' }
 */
export function parseURL(raw: string): CelURL | { error: string } {
  const fail = (why: string) => ({ error: `parse ${JSON.stringify(raw)}: ${why}` });
  if (/[\x00-\x1f\x7f]/.test(raw)) return fail("net/url: invalid control character in URL");
  if (raw === "") return fail("empty url");
  // ParseRequestURI keeps a fragment in the path; the library parses again without it.
  let rest = raw;
  const hash = rest.indexOf("#");
  if (hash >= 0) rest = rest.slice(0, hash);
  let scheme = "";
  const m = SCHEME.exec(rest);
  if (m) {
    scheme = m[1]!.toLowerCase();
    rest = rest.slice(m[0].length);
  } else if (/^[^/?]*:/.test(rest) && !rest.startsWith("/")) return fail("missing protocol scheme");
  let rawQuery = "";
  const q = rest.indexOf("?");
  if (q >= 0) {
    rawQuery = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  if (!scheme && !rest.startsWith("/")) return fail("invalid URI for request");
  if (scheme && !rest.startsWith("/")) {
    // Opaque URLs (`mailto:x`) are accepted, with no host or path.
    return new CelURL(scheme, "", "", rawQuery, raw);
  }
  let host = "";
  if (rest.startsWith("//") && (scheme || rest.startsWith("//"))) {
    const after = rest.slice(2);
    const slash = after.indexOf("/");
    let authority = slash < 0 ? after : after.slice(0, slash);
    rest = slash < 0 ? "" : after.slice(slash);
    const at = authority.lastIndexOf("@");
    if (at >= 0) authority = authority.slice(at + 1);
    if (authority.startsWith("[")) {
      const end = authority.indexOf("]");
      if (end < 0) return fail("missing ']' in host");
      const after2 = authority.slice(end + 1);
      if (after2 && !/^:\d*$/.test(after2)) return fail(`invalid port ${JSON.stringify(after2)} after host`);
    } else {
      const colon = authority.lastIndexOf(":");
      if (colon >= 0 && !/^\d*$/.test(authority.slice(colon + 1))) return fail(`invalid port ${JSON.stringify(authority.slice(colon))} after host`);
      if (/[^A-Za-z0-9\-._~!$&'()*+,;=:%]/.test(authority)) return fail(`invalid character ${JSON.stringify(/[^A-Za-z0-9\-._~!$&'()*+,;=:%]/.exec(authority)![0])} in host name`);
    }
    host = authority;
  }
  if (/%(?![0-9a-fA-F]{2})/.test(rest)) {
    const bad = /%.{0,2}/.exec(rest.slice(rest.search(/%(?![0-9a-fA-F]{2})/)))![0];
    return fail(`invalid URL escape ${JSON.stringify(bad)}`);
  }
  return new CelURL(scheme, host, rest, rawQuery, raw);
}
