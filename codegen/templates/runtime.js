import * as z from "zod";

/**
 * The registry every Kubernetes annotation lives in. It also indexes the schemas registered with
 * an apiVersion and kind, so a kind can be found again without knowing which module defined it.
 */
class KubeRegistry extends z.core.$ZodRegistry {
  #byKind = new Map();

  add(schema, ...meta) {
    super.add(schema, ...meta);
    const m = meta[0];
    if (m && typeof m.apiVersion === "string" && typeof m.kind === "string") {
      this.#byKind.set(`${m.apiVersion}/${m.kind}`, schema);
    }
    return this;
  }

  remove(schema) {
    const m = this.get(schema);
    if (m && this.#byKind.get(`${m.apiVersion}/${m.kind}`) === schema) this.#byKind.delete(`${m.apiVersion}/${m.kind}`);
    return super.remove(schema);
  }

  byKind(apiVersion, kind) {
    return this.#byKind.get(`${apiVersion}/${kind}`);
  }

  kinds() {
    return this.#byKind.values();
  }
}

export const kubeMeta = new KubeRegistry();

const QUANTITY = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[KMGTPE]i|[numkMGTPE]|[eE][+-]?\d+)?$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;
// Base64 as Go's base64.StdEncoding decodes []byte fields (encoding/json): padded, and "\r" and
// "\n" anywhere are ignored — so a value wrapped over lines (a YAML literal block) is valid.
const BASE64 = /^(?:(?:[\r\n]*[A-Za-z0-9+/]){4})*(?:(?:[\r\n]*[A-Za-z0-9+/]){2}[\r\n]*=[\r\n]*=|(?:[\r\n]*[A-Za-z0-9+/]){3}[\r\n]*=)?[\r\n]*$/;

export const IntOrString = z.union([z.int32(), z.string()]);
export const Quantity = z.union([
  z.number(),
  z.string().regex(QUANTITY, "must be a quantity such as 250m, 1.5Gi or 3"),
]);
export const Time = z.string().regex(RFC3339, "must be an RFC 3339 date-time such as 2024-01-02T15:04:05Z");
export const MicroTime = z.string().regex(RFC3339, "must be an RFC 3339 date-time with microseconds");
export const Bytes = z.string().regex(BASE64, "must be base64-encoded data");

/** Shared leaf schemas; schemas are immutable, so one instance serves every field of that type. */
export const string = z.string();
export const int32 = z.int32();
export const int = z.int();
export const number = z.number();
export const boolean = z.boolean();
export const unknown = z.unknown();

/** Optional fields accept null as "unset", as the apiserver does. */
export const nullish = {
  string: string.nullish(),
  int32: int32.nullish(),
  int: int.nullish(),
  number: number.nullish(),
  boolean: boolean.nullish(),
  unknown: unknown.nullish(),
  IntOrString: IntOrString.nullish(),
  Quantity: Quantity.nullish(),
  Time: Time.nullish(),
  MicroTime: MicroTime.nullish(),
  Bytes: Bytes.nullish(),
};

const nullishCache = new WeakMap();

/** The optional-or-null form of a schema, built once per schema. */
export function nullishOf(schema) {
  let wrapped = nullishCache.get(schema);
  if (!wrapped) {
    wrapped = schema.nullish();
    nullishCache.set(schema, wrapped);
  }
  return wrapped;
}

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const MAC = /^(?:[0-9a-f]{2}(?:[:-][0-9a-f]{2}){5}|[0-9a-f]{2}(?:[:-][0-9a-f]{2}){7}|[0-9a-f]{2}(?:[:-][0-9a-f]{2}){19}|[0-9a-f]{4}(?:\.[0-9a-f]{4}){2,9})$/i;
const BSON = /^[0-9a-f]{24}$/i;

// The formats below follow kube-openapi's strfmt registry (pkg/validation/strfmt), which
// apiextensions-apiserver validates custom resources with; where its versions differ, the more
// lenient reading wins, so that nothing a supported kube-apiserver accepts is refused.

/** IPv4 as k8s.io/utils/net ParseIPSloppy reads it: four decimal octets up to 255, leading zeros allowed. */
function isSloppyIPv4(s) {
  const parts = s.split(".");
  return parts.length === 4 && parts.every((p) => /^[0-9]{1,12}$/.test(p) && Number(p) <= 255);
}

function isIPv6(s) {
  if (!/^[0-9a-f:.]+$/i.test(s) || s.split("::").length > 2) return false;
  const [head, tail = ""] = s.split("::");
  const parts = (x) => (x ? x.split(":") : []);
  let groups = [...parts(head), ...parts(tail)];
  let n = groups.length;
  const last = groups[groups.length - 1];
  if (last && last.includes(".")) {
    if (!isSloppyIPv4(last)) return false;
    groups = groups.slice(0, -1);
    n += 1;
  }
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return false;
  return s.includes("::") ? n < 8 : n === 8;
}

/** `ipv4`: an address net.ParseIP (or ParseIPSloppy) reads that is written with a dot — IPv4-mapped IPv6 too. */
function isIPv4(s) {
  return isSloppyIPv4(s) || (s.includes(".") && isIPv6(s));
}

/** `cidr`: net.ParseCIDR — address, the first "/", then decimal prefix bits within the address length. */
function isCIDR(s) {
  const slash = s.indexOf("/");
  if (slash < 0) return false;
  const ip = s.slice(0, slash);
  const bits = s.slice(slash + 1);
  if (!/^[0-9]{1,7}$/.test(bits)) return false;
  if (isSloppyIPv4(ip)) return Number(bits) <= 32;
  return isIPv6(ip) && Number(bits) <= 128;
}

const HEX = /^[0-9a-fA-F]$/;
const HOST_PUNCT = "-_.~!$&'()*+,;=:[]<>\"";
const USERINFO_PUNCT = "-._:~!$&'()*+,;=%@";

/** net/url `unescape`: every "%" starts two hex digits; in a host only non-ASCII bytes (and "%25") may be escaped and ASCII must be host characters. */
function goUnescapes(s, host) {
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "%") {
      if (i + 2 >= s.length || !HEX.test(s[i + 1]) || !HEX.test(s[i + 2])) return false;
      if (host && parseInt(s[i + 1], 16) < 8 && s.slice(i, i + 3) !== "%25") return false;
      i += 2;
    } else if (host && c.charCodeAt(0) < 0x80 && !/[A-Za-z0-9]/.test(c) && !HOST_PUNCT.includes(c)) {
      return false;
    }
  }
  return true;
}

function validOptionalPort(port) {
  return port === "" || /^:[0-9]*$/.test(port);
}

/** net/url `parseHost`, without the IP-literal checks newer Go versions add. */
function goParsesHost(host) {
  if (host.startsWith("[")) {
    const close = host.lastIndexOf("]");
    if (close < 0 || !validOptionalPort(host.slice(close + 1))) return false;
    const zone = host.slice(0, close).indexOf("%25");
    if (zone >= 0) return goUnescapes(host.slice(0, zone), true) && goUnescapes(host.slice(close), true);
  } else {
    const colon = host.lastIndexOf(":");
    if (colon >= 0 && !validOptionalPort(host.slice(colon))) return false;
  }
  return goUnescapes(host, true);
}

/** `uri`: Go's url.ParseRequestURI (govalidator.IsRequestURI): an absolute URI or an absolute path. */
function isRequestURI(raw) {
  if (raw === "" || /[\x00-\x1f\x7f]/.test(raw)) return false;
  if (raw === "*") return true;
  let scheme = "";
  let rest = raw;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (/[A-Za-z]/.test(c)) continue;
    if (/[0-9+.-]/.test(c)) {
      if (i === 0) break;
      continue;
    }
    if (c === ":") {
      if (i === 0) return false;
      scheme = raw.slice(0, i);
      rest = raw.slice(i + 1);
    }
    break;
  }
  if (rest.endsWith("?") && rest.indexOf("?") === rest.length - 1) rest = rest.slice(0, -1);
  else if (rest.includes("?")) rest = rest.slice(0, rest.indexOf("?"));
  if (!rest.startsWith("/")) return scheme !== "";
  if (scheme !== "" && rest.startsWith("//")) {
    let authority = rest.slice(2);
    const slash = authority.indexOf("/");
    rest = slash >= 0 ? authority.slice(slash) : "";
    if (slash >= 0) authority = authority.slice(0, slash);
    const at = authority.lastIndexOf("@");
    if (!goParsesHost(authority.slice(at + 1))) return false;
    if (at >= 0) {
      const userinfo = authority.slice(0, at);
      if ([...userinfo].some((c) => !/[A-Za-z0-9]/.test(c) && !USERINFO_PUNCT.includes(c))) return false;
      if (!goUnescapes(userinfo, false)) return false;
    }
  }
  return goUnescapes(rest, false);
}

const HOSTNAME_CHAR = "[a-zA-Z0-9\\p{S}\\p{L}]";
const HOSTNAME = new RegExp(
  `^(${HOSTNAME_CHAR}((-?${HOSTNAME_CHAR}{0,62})?)|(${HOSTNAME_CHAR}(([a-zA-Z0-9\\-\\p{S}\\p{L}]{0,61}${HOSTNAME_CHAR})?)(\\.)){1,}(${HOSTNAME_CHAR})(-?${HOSTNAME_CHAR}){1,62})$`,
  "u",
);

/** The length of a string in UTF-8 bytes, as Go's len counts it. */
function utf8Length(s) {
  let n = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0);
    n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return n;
}

/** `hostname`: strfmt.IsHostname — RFC 1034 labels of letters, digits and Unicode letters and symbols, at most 255 bytes, labels at most 63. */
function isHostname(s) {
  if (utf8Length(s) > 255 || !HOSTNAME.test(s)) return false;
  return s.split(".").every((label) => utf8Length(label) <= 63);
}

/** `email`: net/mail.ParseAddress accepts display names, quoted and Unicode local parts and comments; every address it accepts has an "@" with something on each side. */
function isEmail(s) {
  return /[\s\S]@[\s\S]/.test(s);
}

/** A date as time.Parse reads "2006-01-02": a real day of a real month. */
function isGoDate(s) {
  const m = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(s);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

const DATE_TIME_CLOCK = /^([0-9]{2}):([0-9]{2}):([0-9]{2})([^\n][0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$/u;

/** `date-time`: strfmt.IsDateTime — case-insensitive "T" and "Z", any one character before the fraction. */
function isDateTime(s) {
  if (s.length < 4) return false;
  const parts = s.toLowerCase().split("t");
  if (parts.length < 2 || !isGoDate(parts[0])) return false;
  const m = DATE_TIME_CLOCK.exec(parts[1]);
  return m !== null && m[1] <= "23" && m[2] <= "59" && m[3] <= "59";
}

const GO_DURATION_UNITS = new Set(["ns", "us", "\u00b5s", "\u03bcs", "ms", "s", "m", "h"]);

/** Go's time.ParseDuration (without its overflow check): [-+]?([0-9]*(\.[0-9]*)?[a-z]+)+ or "0". */
function isGoDuration(s) {
  let rest = s.replace(/^[-+]/, "");
  if (rest === "0") return true;
  if (rest === "") return false;
  while (rest !== "") {
    const m = /^([0-9]*)(\.([0-9]*))?([^0-9.]*)/.exec(rest);
    if (!m || (m[1] === "" && (m[3] ?? "") === "") || !GO_DURATION_UNITS.has(m[4])) return false;
    rest = rest.slice(m[0].length);
  }
  return true;
}

const SCALA_DURATION = /^[\t\n\f\r ]*(?:[0-9]+[\t\n\f\r ]*[A-Za-z\u00b5]+[\t\n\f\r ]*)+$/;
const SCALA_DURATION_PART = /([0-9]+)[\t\n\f\r ]*([A-Za-z\u00b5]+)/g;
const SCALA_UNITS = [["ns", "nano"], ["us", "\u00b5s", "micro"], ["ms", "milli"], ["s", "sec"], ["m", "min"], ["h", "hr", "hour"], ["d", "day"], ["w", "wk", "week"]];

/** `duration`: strfmt.ParseDuration — Go's syntax, or Scala's ("3 days", "1 hour") where one unit is known. */
function isDuration(s) {
  if (isGoDuration(s)) return true;
  if (!SCALA_DURATION.test(s)) return false;
  let ok = false;
  for (const [, digits, unitText] of s.matchAll(SCALA_DURATION_PART)) {
    if (BigInt(digits) > 9223372036854775807n) return false;
    const unit = unitText.toLowerCase();
    for (const variants of SCALA_UNITS) {
      variants.forEach((v, i) => {
        if ((i === variants.length - 1 && unit.startsWith(v)) || v === unit) ok = true;
      });
    }
  }
  return ok;
}

const FORMATS = {
  "date-time": isDateTime,
  datetime: isDateTime,
  date: isGoDate,
  uuid: (s) => UUID.test(s),
  uuid3: (s) => UUID.test(s) && /^[0-9a-f]{8}-?[0-9a-f]{4}-?3/i.test(s),
  uuid4: (s) => UUID.test(s) && /^[0-9a-f]{8}-?[0-9a-f]{4}-?4/i.test(s),
  uuid5: (s) => UUID.test(s) && /^[0-9a-f]{8}-?[0-9a-f]{4}-?5/i.test(s),
  ipv4: isIPv4,
  ipv6: isIPv6,
  cidr: isCIDR,
  mac: (s) => MAC.test(s),
  hostname: isHostname,
  email: isEmail,
  uri: isRequestURI,
  duration: isDuration,
  bsonobjectid: (s) => BSON.test(s),
};

let re2js;

/** RE2 (Go's regexp syntax and semantics, time linear in the text), loaded with the first pattern matched. */
function RE2() {
  return (re2js ??= process.getBuiltinModule("node:module").createRequire(import.meta.url)("re2js").RE2JS);
}

/**
 * A RegExp for an OpenAPI `pattern` that matches as the apiserver's Go regexp does: RE2 syntax and
 * semantics, in time linear in the text, where JavaScript's backtracking engine takes exponential
 * time on patterns such as `^(a+)+$`. Its `source` is the pattern as written.
 */
class Re2Pattern extends RegExp {
  #pattern;
  #compiled;

  constructor(pattern) {
    super("(?:)");
    this.#pattern = pattern;
  }

  get source() {
    return this.#pattern;
  }

  #re() {
    return (this.#compiled ??= RE2().compile(this.#pattern));
  }

  test(text) {
    return this.#re().test(String(text));
  }

  exec(text) {
    const input = String(text);
    const m = this.#re().matcher(input);
    if (!m.find()) return null;
    const out = [m.group() ?? ""];
    out.index = m.start();
    out.input = input;
    return out;
  }
}

/** The RegExp a string with an OpenAPI `pattern` must match (RE2, as the apiserver matches it). */
export function pattern(source) {
  return new Re2Pattern(source);
}

/** A check that a string has the OpenAPI `format` the apiserver validates for custom resources. */
export function format(name) {
  const test = FORMATS[name];
  return z.refine((s) => (test ? test(s) : true), { error: `must be a valid ${name}` });
}

/** String length limits count characters (code points), as the apiserver does. */
export function minRunes(n) {
  return z.refine((s) => s.length >= n && [...s].length >= n, {
    error: `must be at least ${n} characters long`,
  });
}

export function maxRunes(n) {
  return z.refine((s) => s.length <= n || [...s].length <= n, {
    error: `may not be more than ${n} characters long`,
  });
}

export function minProperties(n) {
  return z.refine((o) => Object.keys(o).length >= n, { error: `must have at least ${n} properties` });
}

export function maxProperties(n) {
  return z.refine((o) => Object.keys(o).length <= n, { error: `must have at most ${n} properties` });
}
