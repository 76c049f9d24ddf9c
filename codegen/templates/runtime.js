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
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

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

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const MAC = /^(?:[0-9a-f]{2}(?:[:-][0-9a-f]{2}){5}|[0-9a-f]{2}(?:[:-][0-9a-f]{2}){7}|[0-9a-f]{2}(?:[:-][0-9a-f]{2}){19}|[0-9a-f]{4}(?:\.[0-9a-f]{4}){2,9})$/i;
const HOSTNAME = /^(?=.{1,253}$)[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?)*$/i;
const EMAIL = /^[^\s@]+@[^\s@]+$/;
const DURATION = /^(?:[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+$|^0$/;
const BSON = /^[0-9a-f]{24}$/i;
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

function isIPv6(s) {
  if (!/^[0-9a-f:.]+$/i.test(s) || s.split("::").length > 2) return false;
  const [head, tail = ""] = s.split("::");
  const parts = (x) => (x ? x.split(":") : []);
  let groups = [...parts(head), ...parts(tail)];
  let n = groups.length;
  const last = groups[groups.length - 1];
  if (last && last.includes(".")) {
    if (!IPV4.test(last)) return false;
    groups = groups.slice(0, -1);
    n += 1;
  }
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return false;
  return s.includes("::") ? n < 8 : n === 8;
}

function isCIDR(s) {
  const slash = s.lastIndexOf("/");
  if (slash < 0) return false;
  const ip = s.slice(0, slash);
  const bits = s.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bits)) return false;
  if (IPV4.test(ip)) return Number(bits) <= 32;
  return isIPv6(ip) && Number(bits) <= 128;
}

function isURI(s) {
  try {
    const u = new URL(s);
    return u.protocol.length > 1;
  } catch {
    return false;
  }
}

const FORMATS = {
  "date-time": (s) => RFC3339.test(s),
  datetime: (s) => RFC3339.test(s),
  date: (s) => DATE.test(s),
  uuid: (s) => UUID.test(s),
  uuid3: (s) => UUID.test(s) && /^[0-9a-f]{8}-?[0-9a-f]{4}-?3/i.test(s),
  uuid4: (s) => UUID.test(s) && /^[0-9a-f]{8}-?[0-9a-f]{4}-?4/i.test(s),
  uuid5: (s) => UUID.test(s) && /^[0-9a-f]{8}-?[0-9a-f]{4}-?5/i.test(s),
  ipv4: (s) => IPV4.test(s),
  ipv6: isIPv6,
  cidr: isCIDR,
  mac: (s) => MAC.test(s),
  hostname: (s) => HOSTNAME.test(s),
  email: (s) => EMAIL.test(s),
  uri: isURI,
  duration: (s) => DURATION.test(s),
  bsonobjectid: (s) => BSON.test(s),
};

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
